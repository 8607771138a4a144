//! Carbon assets and compliance (碳资产与履约): the area with the API routes of every
//! `zeropark assets` and `zeropark compliance` command (handlers in `assets_api.rs`) and
//! two pages: the holdings of the enterprises in the caller's scope with their pledges and
//! the operations the caller may take, and the compliance dashboard of a scheme's year
//! (status per enterprise, shortfall, offset cap and its source, deadline).
//!
//! (Not to be confused with `assets.rs`, which serves the static files under `/assets/`.)
//! The trading venue (order book, trades) is its own area, `market_page.rs`, linked from
//! the holdings page.

#[path = "assets_api.rs"]
mod api;

use crate::auth::CurrentUser;
use crate::extract::{Form, Json, Query};
use crate::i18n::{Entry, Lang};
use crate::layout::{NavItem, Page, PageError, PageResult, local_path, render};
use crate::openapi::{Op, schema};
use crate::{AppState, Area};
use api::{AUTHORITIES, Action, OpBody, StatusQuery};
pub(crate) use api::{HOLDERS, today};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde::Deserialize;
use zp_app::Access;
use zp_app::Role;
use zp_app::assets::{self as uc, ComplianceState, ComplianceStatus, EmissionsSource};

pub const AREA: Area = Area {
    name: "assets-registry",
    routes,
    ops: OPS,
    // One entry for both pages (they link to each other): the bar is shared and full.
    nav: &[NavItem {
        href: "/carbon-assets",
        label: "nav.carbon_assets",
        roles: &[],
        group: crate::layout::NavGroup::Accounts,
    }],
    strings: STRINGS,
};

const OPS: &[Op] = &[
    Op::post(
        "/api/v1/assets/allocate",
        "Allocate a scheme's allowances of a year {scheme, year, org, units} (registry \
         operator: platform admin)",
    )
    .json_body(schema::<OpBody>)
    .returns(crate::openapi::response::<api::Executed>),
    Op::post(
        "/api/v1/assets/issue",
        "Issue CCER, CQCER or carbon-inclusion credits {kind, vintage, org, units, project?} \
         (registry operator)",
    )
    .json_body(schema::<OpBody>)
    .returns(crate::openapi::response::<api::Executed>),
    Op::post(
        "/api/v1/assets/transfer",
        "Move available units {kind, vintage, from, to, units}; both enterprises in scope",
    )
    .json_body(schema::<OpBody>)
    .returns(crate::openapi::response::<api::Executed>),
    Op::post(
        "/api/v1/assets/pledge",
        "Pledge (质押) available units {kind, vintage, org, units, to: pledgee}; returns the \
         pledge id",
    )
    .json_body(schema::<OpBody>)
    .returns(crate::openapi::response::<api::Executed>),
    Op::post(
        "/api/v1/assets/release",
        "Release a pledge {pledge}: its units become available again",
    )
    .json_body(schema::<OpBody>)
    .returns(crate::openapi::response::<api::Executed>),
    Op::post(
        "/api/v1/assets/surrender",
        "Surrender (清缴) units for a scheme's year {scheme, year, org, kind, vintage, units}; \
         offsets beyond the cap are refused",
    )
    .json_body(schema::<OpBody>)
    .returns(crate::openapi::response::<api::Executed>),
    Op::post(
        "/api/v1/assets/cancel",
        "Cancel (注销) units for a voluntary claim {kind, vintage, org, units, claim}",
    )
    .json_body(schema::<OpBody>)
    .returns(crate::openapi::response::<api::Executed>),
    Op::get(
        "/api/v1/assets/balances",
        "Holdings per kind and vintage of the enterprises in scope: available, pledged, \
         reserved, surrendered, cancelled",
    )
    .query(&[("org", "One enterprise's credit code", false)])
    .returns(crate::openapi::response::<Vec<zp_app::assets::Balance>>),
    Op::get(
        "/api/v1/assets/pledges",
        "Pledges of the enterprises in scope",
    )
    .returns(crate::openapi::response::<Vec<zp_app::assets::Pledge>>),
    Op::get(
        "/api/v1/assets/verify",
        "Re-walk the hash chain, replay every event and check the invariants",
    )
    .returns(crate::openapi::response::<zp_app::assets::LogSummary>),
    Op::get(
        "/api/v1/assets/kinds",
        "Kinds of units and schemes, with each offset cap's source",
    )
    .returns(crate::openapi::response::<&'static zp_app::assets::AssetCatalog>),
    Op::post(
        "/api/v1/compliance/verified",
        "Enter a verifier's figure (核查结果) {scheme, org, year, tco2} (platform admin or the \
         region's officer)",
    )
    .json_body(schema::<OpBody>)
    .returns(crate::openapi::response::<api::Executed>),
    Op::post(
        "/api/v1/compliance/deadline",
        "Enter a scheme year's surrender deadline {scheme, year, date} (platform admin)",
    )
    .json_body(schema::<OpBody>)
    .returns(crate::openapi::response::<api::Executed>),
    Op::get(
        "/api/v1/compliance/coverage",
        "Enterprises in scope whose accounts cross a scheme's inclusion threshold",
    )
    .query(&[
        ("scheme", "cn-ets or cq-pilot", true),
        ("year", "Year", true),
    ])
    .returns(crate::openapi::response::<Vec<zp_app::assets::CoverageRow>>),
    Op::get(
        "/api/v1/compliance/status",
        "Compliance of an enterprise in a scheme's year: verified emissions, surrendered, \
         offset cap, shortfall, status",
    )
    .query(&[
        ("scheme", "cn-ets or cq-pilot", true),
        ("org", "Credit code", true),
        ("year", "Year", true),
        (
            "today",
            "Judge lateness as of this day (default today)",
            false,
        ),
    ])
    .returns(crate::openapi::response::<zp_app::assets::ComplianceStatus>),
    Op::get(
        "/api/v1/compliance/overview",
        "The compliance dashboard: the status of every enterprise in scope that takes part \
         in the scheme's year",
    )
    .query(&[
        ("scheme", "cn-ets or cq-pilot", true),
        ("year", "Year", true),
        (
            "today",
            "Judge lateness as of this day (default today)",
            false,
        ),
    ])
    .returns(crate::openapi::response::<Vec<zp_app::assets::ComplianceStatus>>),
];

/// A catalogue name in the page's language: `name_zh` or `name_en`, else `name` (which
/// holds both).
pub fn local_name(lang: Lang, name: &str, zh: &str, en: &str) -> String {
    let local = match lang {
        Lang::Zh => zh,
        Lang::En => en,
    };
    if local.is_empty() { name } else { local }.to_string()
}

fn routes() -> Router<AppState> {
    let op = |action: Action| {
        move |st: State<AppState>, who: CurrentUser, Json(b): Json<OpBody>| {
            api::op_api(st.0, who, action, b)
        }
    };
    Router::new()
        .route("/carbon-assets", get(holdings_page))
        .route("/carbon-assets/ops", post(op_form))
        .route("/compliance", get(compliance_page))
        .route("/api/v1/assets/allocate", post(op(Action::Allocate)))
        .route("/api/v1/assets/issue", post(op(Action::Issue)))
        .route("/api/v1/assets/transfer", post(op(Action::Transfer)))
        .route("/api/v1/assets/pledge", post(op(Action::Pledge)))
        .route("/api/v1/assets/release", post(op(Action::Release)))
        .route("/api/v1/assets/surrender", post(op(Action::Surrender)))
        .route("/api/v1/assets/cancel", post(op(Action::Cancel)))
        .route("/api/v1/assets/balances", get(api::balances))
        .route("/api/v1/assets/pledges", get(api::pledges))
        .route("/api/v1/assets/verify", get(api::verify))
        .route("/api/v1/assets/kinds", get(api::kinds))
        .route("/api/v1/compliance/verified", post(op(Action::SetVerified)))
        .route("/api/v1/compliance/deadline", post(op(Action::SetDeadline)))
        .route("/api/v1/compliance/coverage", get(api::coverage))
        .route("/api/v1/compliance/status", get(api::status))
        .route("/api/v1/compliance/overview", get(api::overview))
}

const STRINGS: &[Entry] = &[
    ("nav.carbon_assets", "碳资产", "Carbon assets"),
    ("nav.compliance", "履约", "Compliance"),
    ("ca.title", "碳资产持有", "Carbon asset holdings"),
    (
        "ca.hint",
        "配额、CCER、地方核证减排量与碳普惠减排量按整吨记账；每次变动都是带编号的事件，写入哈希链并记入审计日志。",
        "Allowances, CCER, local credits and carbon-inclusion credits in whole tonnes; every change is a numbered event on a hash chain and in the audit log.",
    ),
    ("ca.available", "可用", "Available"),
    ("ca.pledged", "质押", "Pledged"),
    ("ca.reserved", "挂单冻结", "Reserved"),
    ("ca.surrendered", "已清缴", "Surrendered"),
    ("ca.cancelled", "已注销", "Cancelled"),
    ("ca.kind", "品种", "Kind"),
    ("ca.vintage", "年份", "Vintage"),
    ("ca.org", "账户（企业）", "Account (enterprise)"),
    ("ca.balances", "持有量（吨）", "Holdings (t)"),
    ("ca.none", "暂无持有。", "No holdings."),
    ("ca.pledges", "质押", "Pledges"),
    ("ca.pledge", "质押编号", "Pledge"),
    ("ca.pledgee", "质权人", "Pledgee"),
    ("ca.units", "数量（吨）", "Units (t)"),
    ("ca.state", "状态", "State"),
    ("ca.open", "质押中", "open"),
    ("ca.released", "已解押", "released"),
    ("ca.no_pledges", "暂无质押。", "No pledges."),
    ("ca.operations", "登记操作", "Registry operations"),
    ("ca.op.allocate", "分配配额", "Allocate allowances"),
    ("ca.op.issue", "签发减排量", "Issue credits"),
    ("ca.op.transfer", "转让", "Transfer"),
    ("ca.op.pledge", "质押", "Pledge"),
    ("ca.op.release", "解除质押", "Release a pledge"),
    ("ca.op.surrender", "清缴履约", "Surrender for compliance"),
    ("ca.op.cancel", "自愿注销", "Cancel for a claim"),
    ("ca.scheme", "市场", "Scheme"),
    ("ca.year", "履约年度", "Compliance year"),
    ("ca.from", "转出方", "From"),
    ("ca.to", "转入方", "To"),
    ("ca.project", "项目", "Project"),
    ("ca.claim", "注销用途", "Claim"),
    ("ca.submit", "提交", "Submit"),
    ("co.title", "履约看板", "Compliance dashboard"),
    (
        "co.hint",
        "应清缴量等于核查排放量；无核查结果时以平台核算数代替。抵销量按市场规定的比例上限计入。",
        "The obligation equals the verified emissions; without a verifier's figure the platform's accounts stand in. Offsets count up to the scheme's cap.",
    ),
    ("co.show", "查看", "Show"),
    ("co.emissions", "排放量（吨）", "Emissions (t)"),
    ("co.source", "来源", "Source"),
    ("co.source.verifier", "核查结果", "verifier"),
    ("co.source.accounts", "平台核算", "accounts"),
    ("co.source.none", "无", "none"),
    ("co.allowances", "清缴配额", "Allowances surrendered"),
    ("co.offsets", "清缴抵销量", "Offsets surrendered"),
    ("co.cap", "抵销上限", "Offset cap"),
    ("co.counted", "计入抵销量", "Offsets counted"),
    ("co.shortfall", "缺口", "Shortfall"),
    ("co.deadline", "清缴期限", "Deadline"),
    ("co.status", "履约状态", "Status"),
    ("co.status.compliant", "已履约", "compliant"),
    ("co.status.short", "未足额", "short"),
    ("co.status.late", "逾期", "late"),
    ("co.status.unknown", "无排放数据", "unknown"),
    (
        "co.none",
        "该市场该年度在您的范围内没有参与企业（已分配配额、录入核查结果或已清缴）。",
        "No enterprise in your scope takes part in this scheme's year (allowances of the year, a verified figure, or a surrender).",
    ),
    ("co.cap_source", "抵销比例依据", "Offset cap source"),
    (
        "co.set_verified",
        "录入核查结果",
        "Enter a verifier's figure",
    ),
    (
        "co.set_deadline",
        "设定清缴期限",
        "Set the surrender deadline",
    ),
    ("co.tco2", "核查排放量（tCO2）", "Verified emissions (tCO2)"),
    ("co.date", "期限（含）", "Deadline (inclusive)"),
    ("co.count_short", "未足额或逾期", "Short or late"),
    ("co.count_total", "参与企业", "Enterprises"),
    (
        "co.total_shortfall",
        "缺口合计（吨）",
        "Total shortfall (t)",
    ),
];

fn may(page: &Page, roles: &[Role]) -> bool {
    page.user.role().can_write() && roles.contains(&page.user.role())
}

/// An enterprise user acts for its own enterprise only (prefilled, read-only).
fn own(who: &CurrentUser) -> Option<String> {
    match &who.access {
        Access::Org(c) => Some(c.to_string()),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "carbon_assets.html")]
struct HoldingsBody {
    lang: Lang,
    csrf: String,
    totals: Vec<(&'static str, u64)>,
    balances: Vec<zp_app::assets::Balance>,
    pledges: Vec<zp_app::assets::Pledge>,
    /// (code, name in the page's language)
    kinds: Vec<(String, String)>,
    /// The account holders' operations: (op, label).
    holder_ops: Vec<(&'static str, &'static str)>,
    schemes: Vec<(String, String)>,
    own: Option<String>,
    holder: bool,
    operator: bool,
    year: i32,
}

async fn holdings_page(page: Page, State(st): State<AppState>) -> PageResult {
    let lang = page.lang;
    let c = page.user.caller();
    let h = st
        .run(move |s| Ok(uc::holdings(s, &c)?))
        .await
        .map_err(|e| PageError(e, lang))?;
    let sum = |f: fn(&zp_app::assets::Balance) -> u64| h.balances.iter().map(f).sum::<u64>();
    let catalog = uc::catalog();
    let body = HoldingsBody {
        lang,
        csrf: page.csrf.clone(),
        totals: vec![
            ("ca.available", sum(|b| b.available)),
            ("ca.pledged", sum(|b| b.pledged)),
            ("ca.surrendered", sum(|b| b.surrendered)),
            ("ca.cancelled", sum(|b| b.cancelled)),
        ],
        kinds: catalog
            .kinds
            .iter()
            .map(|k| {
                (
                    k.code.clone(),
                    local_name(lang, &k.name, &k.name_zh, &k.name_en),
                )
            })
            .collect(),
        holder_ops: ["transfer", "pledge", "surrender", "cancel"]
            .into_iter()
            .map(|op| (op, lang.t(&format!("ca.op.{op}"))))
            .collect(),
        schemes: catalog
            .schemes
            .iter()
            .map(|s| {
                (
                    s.code.clone(),
                    local_name(lang, &s.name, &s.name_zh, &s.name_en),
                )
            })
            .collect(),
        own: own(&page.user),
        holder: may(&page, HOLDERS),
        operator: may(&page, &[Role::PlatformAdmin]),
        year: i32::from(today().year()) - 1,
        balances: h.balances,
        pledges: h.pledges,
    };
    render(&page, lang.t("nav.carbon_assets"), &body, &[])
}

/// One enterprise's row of the dashboard, as shown.
struct StatusRow {
    org: String,
    state: &'static str,
    label: &'static str,
    source: &'static str,
    emissions: String,
    allowances: u64,
    offsets: u64,
    cap: String,
    counted: u64,
    shortfall: String,
    deadline: String,
}

impl StatusRow {
    fn of(s: &ComplianceStatus, lang: Lang) -> StatusRow {
        let state = state_key(s.status);
        StatusRow {
            org: s.org.clone(),
            state,
            label: lang.t(&format!("co.status.{state}")),
            source: lang.t(source_key(s.emissions_source)),
            emissions: opt(s.verified_tco2),
            allowances: s.surrendered_allowances_t,
            offsets: s.surrendered_offsets_t,
            cap: opt(s.offset_cap_t),
            counted: s.offsets_counted_t,
            shortfall: opt(s.shortfall_t),
            deadline: s.deadline.clone().unwrap_or_else(|| "—".into()),
        }
    }
}

fn opt(v: Option<u64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
}

#[derive(Template)]
#[template(path = "compliance.html")]
struct ComplianceBody {
    lang: Lang,
    csrf: String,
    schemes: Vec<(String, String)>,
    scheme: String,
    year: i32,
    rows: Vec<StatusRow>,
    short: usize,
    shortfall_t: u64,
    cap_source: String,
    accounts_notice: String,
    authority: bool,
    operator: bool,
    own: Option<String>,
}

fn state_key(s: ComplianceState) -> &'static str {
    match s {
        ComplianceState::Compliant => "compliant",
        ComplianceState::Short => "short",
        ComplianceState::Late => "late",
        ComplianceState::Unknown => "unknown",
    }
}

fn source_key(s: EmissionsSource) -> &'static str {
    match s {
        EmissionsSource::Verifier => "co.source.verifier",
        EmissionsSource::Accounts => "co.source.accounts",
        EmissionsSource::None => "co.source.none",
    }
}

async fn compliance_page(
    page: Page,
    State(st): State<AppState>,
    Query(q): Query<StatusQuery>,
) -> PageResult {
    let lang = page.lang;
    let catalog = uc::catalog();
    let scheme = q
        .scheme
        .clone()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| catalog.schemes.first().map(|s| s.code.clone()))
        .unwrap_or_default();
    let year = q.year.unwrap_or(i32::from(today().year()) - 1);
    let as_of = q.today.unwrap_or_else(today);
    let c = page.user.caller();
    let sch = scheme.clone();
    let list = st
        .run(move |s| Ok(uc::compliance_overview(s, &c, &sch, year, as_of)?))
        .await
        .map_err(|e| PageError(e, lang))?;
    let info = catalog.scheme(&scheme);
    let rows: Vec<StatusRow> = list.iter().map(|s| StatusRow::of(s, lang)).collect();
    let body = ComplianceBody {
        lang,
        csrf: page.csrf.clone(),
        schemes: catalog
            .schemes
            .iter()
            .map(|s| {
                (
                    s.code.clone(),
                    local_name(lang, &s.name, &s.name_zh, &s.name_en),
                )
            })
            .collect(),
        short: list
            .iter()
            .filter(|s| matches!(s.status, ComplianceState::Short | ComplianceState::Late))
            .count(),
        shortfall_t: list.iter().filter_map(|s| s.shortfall_t).sum(),
        cap_source: info
            .map(|i| i.offset_cap_source.clone())
            .unwrap_or_default(),
        accounts_notice: info
            .map(|i| i.accounts_scope_notice.clone())
            .unwrap_or_default(),
        authority: may(&page, AUTHORITIES),
        operator: may(&page, &[Role::PlatformAdmin]),
        own: own(&page.user),
        scheme,
        year,
        rows,
    };
    render(&page, lang.t("nav.compliance"), &body, &[])
}

/// A registry form: which operation (`op`), its fields, and the page to come back to.
#[derive(Deserialize)]
struct OpForm {
    op: Option<String>,
    back: Option<String>,
    #[serde(flatten)]
    body: OpBody,
}

async fn op_form(page: Page, State(st): State<AppState>, Form(f): Form<OpForm>) -> PageResult {
    let lang = page.lang;
    let action = Action::parse(f.op.as_deref().unwrap_or("")).map_err(|e| PageError(e, lang))?;
    api::run(&st, page.user, action, f.body)
        .await
        .map_err(|e| PageError(e, lang))?;
    let back = local_path(f.back.as_deref().or(Some("/carbon-assets")));
    Ok(Redirect::to(&back).into_response())
}

//! Carbon inclusion (碳普惠): the area with the API routes of every `zeropark inclusion`
//! command and the page `/inclusion`: participants with their accounts, activity,
//! reductions and credits by methodology, and the methodology table with each
//! parameter's value, unit and source (illustrative values marked 示意). Linked from the
//! holdings page (the navigation bar is full).
//!
//! Roles: the registry operator (platform admin) issues; account holders (enterprise users,
//! park administrators, the platform admin) register participants of enterprises in their
//! scope, import their actions and redeem; everyone signed in reads within scope.

use crate::assets_pages::HOLDERS;
use crate::auth::CurrentUser;
use crate::extract::{Json, Multipart, Query, empty_as_none, need, need_text as text};
use crate::i18n::{Entry, Lang};
use crate::layout::{Page, PageError, PageResult, render};
use crate::openapi::{Body, Op, schema};
use crate::{AppError, AppState, Area};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;
use zp_app::Role;
use zp_app::inclusion::{self as uc, Account, ActionImport, IssueReport, Participant, Redeemed};

pub const AREA: Area = Area {
    name: "inclusion",
    routes,
    ops: OPS,
    nav: &[],
    strings: STRINGS,
};

const OPS: &[Op] = &[
    Op::get(
        "/api/v1/inclusion/methodologies",
        "The methodologies: formula, activity unit, parameters with value, unit, source; \
         illustrative values marked",
    )
    .returns(crate::openapi::response::<&'static uc::Methodologies>),
    Op::post(
        "/api/v1/inclusion/participants",
        "Register or rename a participant {participant, name, kind: person|sme, org}; org \
         is the enterprise whose registry account receives the credits",
    )
    .json_body(schema::<JoinBody>)
    .returns(crate::openapi::response::<Joined>),
    Op::post(
        "/api/v1/inclusion/actions",
        "Import action records (CSV or XLSX `participant,methodology,date,quantity,unit`): \
         counts and quarantined rows; the same file again changes nothing",
    )
    .body(Body::Upload)
    .returns(crate::openapi::response::<ActionImport>),
    Op::post(
        "/api/v1/inclusion/issue",
        "Issue a year's credits {year} (registry operator): per participant and \
         methodology the activity, reduction, credits in whole tonnes and the carried \
         remainder; a year already issued issues nothing new",
    )
    .json_body(schema::<IssueBody>)
    .returns(crate::openapi::response::<IssueReport>),
    Op::get(
        "/api/v1/inclusion/accounts",
        "Participants' accounts in scope: reductions, issued, redeemed, available, carried",
    )
    .query(&[("participant", "One participant's id", false)])
    .returns(crate::openapi::response::<Vec<Account>>),
    Op::post(
        "/api/v1/inclusion/redeem",
        "Redeem credits for a reward {participant, units}: cancelled in the registry, \
         oldest vintage first",
    )
    .json_body(schema::<RedeemBody>)
    .returns(crate::openapi::response::<Redeemed>),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/inclusion", get(inclusion_page))
        .route("/api/v1/inclusion/methodologies", get(methodologies))
        .route("/api/v1/inclusion/participants", post(join))
        .route("/api/v1/inclusion/actions", post(import))
        .route("/api/v1/inclusion/issue", post(issue))
        .route("/api/v1/inclusion/accounts", get(accounts))
        .route("/api/v1/inclusion/redeem", post(redeem))
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

async fn methodologies(_who: CurrentUser) -> Json<&'static uc::Methodologies> {
    Json(uc::methodologies())
}

/// A participant to register; the names are the CLI's flags.
#[derive(Deserialize, Default, Debug, schemars::JsonSchema)]
pub(crate) struct JoinBody {
    pub participant: Option<String>,
    pub name: Option<String>,
    /// `person` or `sme`.
    pub kind: Option<String>,
    /// Credit code of the enterprise whose account receives the credits.
    pub org: Option<String>,
}

async fn join(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<JoinBody>,
) -> Result<(StatusCode, Json<Joined>), AppError> {
    who.require_write()?;
    who.require_role(HOLDERS)?;
    let org = match b.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(o) => Some(
            zp_domain::CreditCode::parse(o)
                .map_err(|e| AppError::BadRequest(format!("org {o:?}: {e}")))?,
        ),
        None => None,
    };
    let p = Participant {
        id: text("participant", &b.participant)?,
        name: text("name", &b.name)?,
        kind: text("kind", &b.kind)?,
        credit_code: org,
    };
    let c = who.caller();
    let (p, u) = st
        .run(move |s| {
            let u = uc::join(s, &c, &p)?;
            Ok((p, u))
        })
        .await?;
    let status = if u == zp_app::Upsert::Inserted {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let change = format!("{u:?}").to_lowercase();
    Ok((
        status,
        Json(Joined {
            participant: p,
            change,
        }),
    ))
}

/// A participant joined (`inserted`) or its record changed (`updated`, `unchanged`).
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Joined {
    participant: Participant,
    change: String,
}

async fn import(
    State(st): State<AppState>,
    who: CurrentUser,
    mut multipart: Multipart,
) -> Result<Json<ActionImport>, AppError> {
    who.require_write()?;
    who.require_role(HOLDERS)?;
    let saved = crate::imports::save_upload(&st.config, &mut multipart).await?;
    let (path, name) = (saved.path.clone(), saved.name.clone());
    let limits = zp_app::Limits {
        max_bytes: st.config.max_upload_bytes as u64,
        max_rows: st.config.max_upload_rows,
    };
    let c = who.caller();
    let out = st
        .run(move |s| {
            let mut table = zp_app::read_table(&path, limits).map_err(|e| {
                zp_app::AppError::Invalid(e.to_string().replace(&path.display().to_string(), &name))
            })?;
            table.file = name;
            Ok(uc::import_actions(s, &c, &table)?)
        })
        .await?;
    saved.keep();
    Ok(Json(out))
}

/// The year to issue.
#[derive(Deserialize, Default, Debug, schemars::JsonSchema)]
pub(crate) struct IssueBody {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub year: Option<i32>,
}

async fn issue(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<IssueBody>,
) -> Result<Json<IssueReport>, AppError> {
    who.require_write()?;
    who.require_role(&[Role::PlatformAdmin])?;
    let year = need("year", b.year)?;
    let c = who.caller();
    Ok(Json(
        st.run(move |s| Ok(uc::issue(s, &c, year, now())?)).await?,
    ))
}

#[derive(Deserialize)]
struct AccountsQuery {
    participant: Option<String>,
}

async fn accounts(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<AccountsQuery>,
) -> Result<Json<Vec<Account>>, AppError> {
    let c = who.caller();
    let one = q.participant.filter(|p| !p.trim().is_empty());
    Ok(Json(
        st.run(move |s| Ok(uc::accounts(s, &c, one.as_deref())?))
            .await?,
    ))
}

/// Credits to redeem.
#[derive(Deserialize, Default, Debug, schemars::JsonSchema)]
pub(crate) struct RedeemBody {
    pub participant: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub units: Option<u64>,
}

async fn redeem(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<RedeemBody>,
) -> Result<Json<Redeemed>, AppError> {
    who.require_write()?;
    who.require_role(HOLDERS)?;
    let participant = text("participant", &b.participant)?;
    let units = need("units", b.units)?;
    let c = who.caller();
    Ok(Json(
        st.run(move |s| Ok(uc::redeem(s, &c, &participant, units, now())?))
            .await?,
    ))
}

const STRINGS: &[Entry] = &[
    ("in.title", "碳普惠", "Carbon inclusion"),
    (
        "in.hint",
        "个人与小微企业的减排行为按方法学核算减排量，按整吨签发碳普惠减排量至登记簿，不足一吨的部分结转至下次签发；可兑换（自愿注销）或经碳市场出售。",
        "Reductions of people's and small firms' actions, computed by methodology; credits issued into the registry in whole tonnes, the remainder carried to the next issuance; redeemed (cancelled for a reward) or sold on the venue.",
    ),
    ("in.participants", "参与者", "Participants"),
    ("in.participant", "参与者", "Participant"),
    ("in.name", "名称", "Name"),
    ("in.kind", "类型", "Kind"),
    ("in.kind.person", "个人", "person"),
    ("in.kind.sme", "小微企业", "SME"),
    (
        "in.account",
        "登记账户（企业）",
        "Registry account (enterprise)",
    ),
    ("in.reduction", "减排量（kgCO2e）", "Reduction (kgCO2e)"),
    ("in.issued", "已签发（吨）", "Issued (t)"),
    ("in.redeemed", "已兑换（吨）", "Redeemed (t)"),
    ("in.available", "可用（吨）", "Available (t)"),
    ("in.carried", "结转（kgCO2e）", "Carried (kgCO2e)"),
    ("in.none", "暂无参与者。", "No participants yet."),
    ("in.by_methodology", "按方法学汇总", "By methodology"),
    ("in.methodology", "方法学", "Methodology"),
    ("in.activity", "活动量", "Activity"),
    ("in.credits", "签发（吨）", "Credits (t)"),
    (
        "in.methodologies",
        "方法学与参数",
        "Methodologies and parameters",
    ),
    ("in.formula", "公式", "Formula"),
    ("in.parameter", "参数", "Parameter"),
    ("in.value", "取值", "Value"),
    ("in.unit", "单位", "Unit"),
    ("in.source", "来源", "Source"),
    ("in.illustrative", "示意", "illustrative"),
    (
        "in.illustrative_note",
        "标“示意”的取值未找到可引用的来源，仅为演示示例，不是官方数值。",
        "Values marked illustrative have no citable source: examples for the demo, not official values.",
    ),
    (
        "in.catalog_value",
        "按年份取自因子库",
        "from the factor catalog, per year",
    ),
    ("in.count", "参与者", "Participants"),
    (
        "in.total_reduction",
        "累计减排量（吨CO2e）",
        "Total reduction (tCO2e)",
    ),
    ("in.total_issued", "累计签发（吨）", "Total issued (t)"),
    ("in.to_inclusion", "碳普惠", "Carbon inclusion"),
    ("in.issuances", "签发记录", "Issuances"),
    ("in.factor", "电网因子（版本）", "Grid factor (version)"),
];

/// A methodology's totals over the participants in scope.
struct MethodologyTotal {
    code: String,
    name: String,
    activity: String,
    reduction_kgco2e: String,
    credits_t: u64,
}

/// A parameter as shown: the value, or where it comes from.
struct ParamRow {
    methodology: String,
    name: String,
    value: String,
    unit: String,
    source: String,
    illustrative: bool,
}

#[derive(Template)]
#[template(path = "inclusion.html")]
struct InclusionBody {
    lang: Lang,
    accounts: Vec<(Account, &'static str)>,
    totals: Vec<MethodologyTotal>,
    formulas: Vec<(String, String, String, String)>,
    params: Vec<ParamRow>,
    total_reduction_t: String,
    total_issued_t: u64,
}

fn totals(accounts: &[Account], lang: Lang) -> Vec<MethodologyTotal> {
    let mut by: BTreeMap<String, (Decimal, Decimal, u64)> = BTreeMap::new();
    for l in accounts.iter().flat_map(|a| &a.lines) {
        let e = by.entry(l.methodology.clone()).or_default();
        e.0 += l.activity;
        e.1 += l.reduction_kgco2e;
        e.2 += l.credits_t;
    }
    uc::methodologies()
        .methodologies
        .iter()
        .map(|m| {
            let (a, r, c) = by.get(&m.code).copied().unwrap_or_default();
            MethodologyTotal {
                code: m.code.clone(),
                name: if lang == Lang::En {
                    m.name_en.clone()
                } else {
                    m.name.clone()
                },
                activity: format!("{} {}", a.normalize(), m.activity_unit),
                reduction_kgco2e: r.normalize().to_string(),
                credits_t: c,
            }
        })
        .collect()
}

fn params(lang: Lang) -> Vec<ParamRow> {
    uc::methodologies()
        .methodologies
        .iter()
        .flat_map(|m| {
            m.parameters.iter().map(move |p| ParamRow {
                methodology: m.code.clone(),
                name: p.name.clone(),
                value: p
                    .value
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| lang.t("in.catalog_value").into()),
                unit: p.unit.clone(),
                source: {
                    let (source, note) = match lang {
                        Lang::Zh => (
                            p.source_zh.as_ref().unwrap_or(&p.source),
                            p.note_zh.as_ref().or(p.note.as_ref()),
                        ),
                        Lang::En => (&p.source, p.note.as_ref()),
                    };
                    match note {
                        Some(n) => format!("{source} ({n})"),
                        None => source.clone(),
                    }
                },
                illustrative: p.illustrative,
            })
        })
        .collect()
}

async fn inclusion_page(page: Page, State(st): State<AppState>) -> PageResult {
    let lang = page.lang;
    let c = page.user.caller();
    let accounts = st
        .run(move |s| Ok(uc::accounts(s, &c, None)?))
        .await
        .map_err(|e| PageError(e, lang))?;
    let reduction: Decimal = accounts.iter().map(|a| a.reduction_kgco2e).sum();
    let body = InclusionBody {
        lang,
        totals: totals(&accounts, lang),
        formulas: uc::methodologies()
            .methodologies
            .iter()
            .map(|m| {
                let name = if lang == Lang::En {
                    &m.name_en
                } else {
                    &m.name
                };
                (
                    m.code.clone(),
                    name.clone(),
                    m.activity_unit.clone(),
                    m.formula.clone(),
                )
            })
            .collect(),
        params: params(lang),
        total_reduction_t: (reduction / Decimal::from(1000))
            .round_dp(3)
            .normalize()
            .to_string(),
        total_issued_t: accounts.iter().map(|a| a.issued_t).sum(),
        accounts: accounts
            .into_iter()
            .map(|a| {
                let kind = lang.t(&format!("in.kind.{}", a.kind));
                (a, kind)
            })
            .collect(),
    };
    render(&page, lang.t("in.title"), &body, &[])
}

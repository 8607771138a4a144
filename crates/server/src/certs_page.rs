//! The certificate registry page (绿电证书): balances, the hourly match chart of an
//! enterprise with its summary figures and evidence downloads, the bundles, the chain
//! check, and forms for the registry actions the caller may take (the API is in
//! [`crate::certs`]; the script is `assets/certs.js`).

use crate::auth::CurrentUser;
use crate::certs::{BundleQuery, WindowQuery, readings, visible};
use crate::extract::Query;
use crate::format::{num, pct, script_json};
use crate::i18n::{Entry, Lang};
use crate::layout::{Page, PageError, PageResult, encode, render};
use crate::{AppError, AppState, Area};
use askama::Template;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::str::FromStr;
use zp_app::certs::Bundle;
use zp_app::{Access, MeterFilter, MeterKind, OrgFilter, Role, Store};
use zp_domain::time::{Date, format_local, local};
use zp_domain::{CreditCode, Decimal};

/// The certificates page (`/certs`); its API routes and navigation entry are the `certs`
/// area's.
pub const AREA: Area = Area {
    name: "certs-page",
    routes: || axum::Router::new().route("/certs", axum::routing::get(page)),
    ops: &[],
    nav: &[],
    strings: STRINGS,
};

pub(crate) const STRINGS: &[Entry] = &[
    ("nav.certs", "绿电证书", "Certificates"),
    (
        "certs.title",
        "绿电证书登记簿（逐时颗粒度）",
        "Granular certificate registry (hourly)",
    ),
    (
        "certs.hint",
        "每个证书对应 1 Wh 计量发电量；国家绿证（GEC）按月、每张 1 MWh。事件链以 ed25519 签名，可由第三方验证。",
        "One certificate per metered Wh; imported GECs are monthly, 1 MWh each. The event log is hash-chained and ed25519-signed, verifiable by third parties.",
    ),
    ("certs.issued", "已签发", "Issued"),
    ("certs.active", "有效", "Active"),
    ("certs.cancelled", "已注销", "Cancelled"),
    ("certs.claimed", "已声明", "Claimed"),
    ("certs.withdrawn", "已撤销", "Withdrawn"),
    ("certs.bundle", "证书束", "Bundle"),
    ("certs.ids", "证书编号", "Certificate ids"),
    ("certs.owner", "持有人", "Owner"),
    ("certs.source", "电表 / 电站", "Meter / plant"),
    ("certs.produced", "生产时段", "Produced"),
    ("certs.tech", "技术", "Technology"),
    ("certs.status", "状态", "Status"),
    ("certs.status.active", "有效", "active"),
    ("certs.status.cancelled", "已注销", "cancelled"),
    ("certs.status.claimed", "已声明", "claimed"),
    ("certs.status.withdrawn", "已撤销", "withdrawn"),
    ("tech.solar", "光伏", "solar"),
    ("tech.wind", "风电", "wind"),
    ("tech.hydro", "水电", "hydro"),
    ("tech.biomass", "生物质", "biomass"),
    ("tech.geothermal", "地热", "geothermal"),
    ("tech.nuclear", "核电", "nuclear"),
    ("certs.consumer", "消费方", "Consumer"),
    ("certs.monthly", "按月（绿证）", "monthly (GEC)"),
    ("certs.chain", "事件链校验", "Chain check"),
    ("certs.chain_ok", "校验通过", "verified"),
    ("certs.events", "事件数", "Events"),
    ("certs.head", "链头哈希", "Head hash"),
    (
        "certs.empty",
        "尚无证书：导入发电计量数据后，用下方“签发证书”表单签发。",
        "No certificates yet: import generation readings, then issue them with the form below.",
    ),
    (
        "certs.matching",
        "逐时匹配（24/7 无碳电力）",
        "Hourly matching (24/7 CFE)",
    ),
    ("certs.org", "企业", "Enterprise"),
    ("certs.from", "起始日", "From"),
    ("certs.to", "截止日（含）", "To (inclusive)"),
    ("certs.show", "查看", "Show"),
    ("certs.load", "用电负荷", "Load"),
    ("certs.matched", "已匹配证书", "Matched certificates"),
    ("certs.grid", "未匹配的电网用电", "Unmatched grid load"),
    ("certs.cfe_share", "电网无碳电力占比", "Grid CFE share"),
    ("certs.load_mwh", "用电量", "Load"),
    ("certs.matched_mwh", "逐时匹配电量", "Matched hourly"),
    ("certs.cfe_score", "CFE 得分", "CFE score"),
    (
        "certs.annual_ratio",
        "年度（总量）匹配率",
        "Annual match ratio",
    ),
    (
        "certs.cfe_note",
        "CFE 得分 = Σ(匹配电量 + 电网无碳占比 × 未匹配电量) / 用电量；年度匹配率按总量计算，允许不同小时之间相互抵补。",
        "CFE score = Σ(matched + grid CFE share × unmatched) / load; the annual ratio is volumetric and lets one hour's surplus cover another's shortfall.",
    ),
    (
        "certs.missing_cfe",
        "缺少电网无碳占比的小时数（按 0 计）：",
        "Hours without a grid CFE share (counted as 0): ",
    ),
    ("certs.evidence", "匹配证明材料", "Matching evidence"),
    (
        "certs.no_load",
        "所选时段没有用电计量数据。",
        "No metered load in this period.",
    ),
    ("certs.actions", "证书操作", "Certificate actions"),
    (
        "certs.actions_hint",
        "只有证书持有人可以转让或注销；点击下表中的证书束可填入表单。",
        "Only the owner may transfer or retire; click a bundle below to fill in the forms.",
    ),
    ("certs.transfer", "转让", "Transfer"),
    ("certs.retire", "注销（用于消费）", "Retire for consumption"),
    (
        "certs.issue",
        "签发证书（登记管理员）",
        "Issue certificates (registry admin)",
    ),
    ("certs.run_match", "逐时匹配注销", "Match hourly"),
    ("certs.as", "操作账户", "Acting account"),
    (
        "certs.to_org",
        "受让方（统一社会信用代码）",
        "Recipient (credit code)",
    ),
    (
        "certs.wh",
        "电量 Wh（留空为整束）",
        "Wh (empty: whole bundle)",
    ),
    ("certs.hour", "消费小时", "Consumption hour"),
    ("certs.month", "或消费月份（绿证）", "or month (GEC)"),
    ("certs.submit", "提交", "Submit"),
    (
        "certs.done",
        "已写入事件链，事件数：",
        "Appended to the log, events: ",
    ),
    (
        "certs.more",
        "仅显示最新的证书束；全部证书束见接口",
        "Only the newest bundles are shown; all of them are in the API at",
    ),
];

#[derive(Deserialize, Default)]
pub(crate) struct PageQuery {
    org: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// One table row.
#[derive(Serialize)]
struct Row {
    id: u64,
    ids: String,
    mwh: String,
    owner: String,
    source: String,
    produced: String,
    /// Production hour as a `datetime-local` value (granular bundles).
    hour: String,
    tech: String,
    /// Whether `tech` is a translated name (else the registry's own word, shown as code).
    tech_known: bool,
    status: &'static str,
    status_label: &'static str,
    consumer: String,
}

/// The hourly matching section: the figures and the chart data, or why there are none.
struct Matching {
    figures: Vec<(&'static str, &'static str, String, &'static str)>,
    missing_cfe_hours: usize,
    has_load: bool,
    evidence: String,
    data: String,
}

#[derive(Template)]
#[template(path = "certs.html")]
struct Body {
    lang: Lang,
    mwh: Vec<(&'static str, String)>,
    rows: Vec<Row>,
    chain: Option<(u64, String)>,
    orgs: Vec<(String, String)>,
    org: String,
    from: String,
    to: String,
    matching: Result<Matching, String>,
    /// Accounts the caller may act for (empty: read-only).
    accounts: Vec<(String, String)>,
    is_admin: bool,
    max_rows: usize,
}

/// Bundles listed on the page (newest first).
const MAX_ROWS: usize = 100;

fn mwh(wh: u64) -> String {
    num(Decimal::from(wh) / Decimal::from(1_000_000u64), 3)
}

fn local_date(ts: i64) -> Date {
    local(ts).date()
}

/// The enterprise the chart shows when none is asked for: an enterprise user's own, else
/// the first visible enterprise with a consumption meter, else the first visible one.
fn default_org(
    s: &mut dyn Store,
    access: &Access,
    orgs: &[(String, String)],
) -> Result<String, AppError> {
    if let Access::Org(own) = access {
        return Ok(own.to_string());
    }
    let metered = s
        .meters(access, &MeterFilter::default())?
        .into_iter()
        .find(|m| m.kind == MeterKind::Consumption)
        .map(|m| m.credit_code.to_string());
    Ok(metered
        .or_else(|| orgs.first().map(|(c, _)| c.clone()))
        .unwrap_or_default())
}

/// The last local day of the latest year of readings of `org`'s consumption meters.
fn last_reading_day(
    s: &mut dyn Store,
    access: &Access,
    config: &crate::Config,
    org: &str,
) -> Result<Option<Date>, AppError> {
    let Ok(code) = CreditCode::parse(org) else {
        return Ok(None);
    };
    let Ok(rs) = readings(config) else {
        return Ok(None);
    };
    let meters = s.meters(
        access,
        &MeterFilter {
            org: Some(code),
            ..Default::default()
        },
    )?;
    let err = |e: zp_app::readings::ReadingsError| AppError::Internal(format!("readings: {e}"));
    let mut last = None;
    for m in meters.iter().filter(|m| m.kind == MeterKind::Consumption) {
        let Some(year) = rs.years(&m.meter).map_err(err)?.into_iter().max() else {
            continue;
        };
        if let Some(c) = rs.chunk(&m.meter, year).map_err(err)? {
            last = last.max(Some(local_date(c.end() - 1)));
        }
    }
    Ok(last)
}

/// The week the chart shows when none is asked for: the 7 days up to the latest
/// production hour of a bundle the enterprise owns or consumed, else up to its latest
/// metered consumption, else up to yesterday.
fn default_days(
    s: &mut dyn Store,
    access: &Access,
    config: &crate::Config,
    bundles: &[Bundle],
    org: &str,
) -> Result<(Date, Date), AppError> {
    let latest = bundles
        .iter()
        .filter(|b| {
            b.owner.as_str() == org
                || b.status
                    .retirement()
                    .is_some_and(|(c, _, _)| c.as_str() == org)
        })
        .filter_map(|b| b.production_hour_start())
        .max();
    let last = match latest {
        Some(h) => local_date(h),
        None => match last_reading_day(s, access, config, org)? {
            Some(d) => d,
            None => local_date(jiff::Timestamp::now().as_second() - 86_400),
        },
    };
    Ok((
        last.checked_sub(jiff::Span::new().days(6)).unwrap_or(last),
        last,
    ))
}

fn figures(report: &Value) -> Vec<(&'static str, &'static str, String, &'static str)> {
    let dec = |k: &str| Decimal::from_str(&report[k].to_string()).ok();
    vec![
        (
            "match-load",
            "certs.load_mwh",
            num(dec("load_mwh").unwrap_or_default(), 3),
            "MWh",
        ),
        (
            "match-matched",
            "certs.matched_mwh",
            num(dec("matched_mwh").unwrap_or_default(), 3),
            "MWh",
        ),
        ("match-cfe", "certs.cfe_score", pct(dec("cfe_score"), 1), ""),
        (
            "match-ratio",
            "certs.annual_ratio",
            pct(dec("annual_match_ratio"), 1),
            "",
        ),
    ]
}

fn matching(
    s: &mut dyn Store,
    who: &CurrentUser,
    config: &crate::Config,
    q: &WindowQuery,
    lang: Lang,
) -> Result<Matching, AppError> {
    let report = crate::certs::matching(s, &who.access, config, q)?;
    let report = serde_json::to_value(&report).map_err(|e| AppError::Internal(e.to_string()))?;
    let hours = report["hours"].as_array().map_or(0, Vec::len);
    let labels: Value = [
        "certs.load",
        "certs.matched",
        "certs.grid",
        "certs.cfe_share",
    ]
    .iter()
    .map(|k| (k.trim_start_matches("certs.").to_string(), json!(lang.t(k))))
    .collect::<serde_json::Map<_, _>>()
    .into();
    Ok(Matching {
        figures: figures(&report),
        missing_cfe_hours: report["missing_grid_cfe_hours"]
            .as_array()
            .map_or(0, Vec::len),
        has_load: hours > 0,
        evidence: format!(
            "/api/v1/certs/evidence?org={}&from={}&to={}",
            encode(&q.org),
            encode(&q.from),
            encode(&q.to)
        ),
        data: script_json(&json!({ "hours": report["hours"], "labels": labels })),
    })
}

fn row(b: &Bundle, lang: Lang) -> Row {
    let produced = b.production_hour_start().map(format_local);
    Row {
        id: b.id.0,
        ids: format!("{}–{}", b.ids.start, b.ids.end),
        mwh: mwh(b.energy_wh),
        owner: b.owner.to_string(),
        source: b.meter_or_plant().to_string(),
        produced: produced
            .as_deref()
            .map(|p| p.get(..16).unwrap_or_default().replace('T', " "))
            .unwrap_or_else(|| lang.t("certs.monthly").to_string()),
        hour: produced
            .as_deref()
            .map(|p| p.get(..16).unwrap_or_default().to_string())
            .unwrap_or_default(),
        tech: lang
            .t_or(&format!("tech.{}", b.technology), &b.technology)
            .to_string(),
        tech_known: crate::i18n::has(&format!("tech.{}", b.technology)),
        status: b.status.name(),
        status_label: lang.t(&format!("certs.status.{}", b.status.name())),
        consumer: b
            .status
            .retirement()
            .map(|(c, _, _)| c.to_string())
            .unwrap_or_default(),
    }
}

fn body(
    s: &mut dyn Store,
    who: &CurrentUser,
    config: &crate::Config,
    q: PageQuery,
    lang: Lang,
) -> Result<Body, AppError> {
    let newest = BundleQuery {
        limit: Some(MAX_ROWS),
        ..Default::default()
    };
    let (list, balances) = visible(s, who, &newest)?;
    let chain = if s.cert_events()?.is_empty() {
        None
    } else {
        let sum = zp_app::certs::verify(s)?;
        Some((sum.events, sum.head_hash))
    };
    let orgs: Vec<(String, String)> = s
        .orgs(&who.access, &OrgFilter::default())?
        .into_iter()
        .map(|o| (o.credit_code.to_string(), o.name))
        .collect();
    let org = match q.org.filter(|o| !o.trim().is_empty()) {
        Some(o) => o.trim().to_string(),
        None => default_org(s, &who.access, &orgs)?,
    };
    let (first, last) = default_days(s, &who.access, config, &list, &org)?;
    let window = WindowQuery {
        org: org.clone(),
        from: q.from.unwrap_or_else(|| first.to_string()),
        to: q.to.unwrap_or_else(|| last.to_string()),
    };
    let matching = matching(s, who, config, &window, lang).map_err(|e| e.to_string());
    let role = who.role();
    let writer = role.can_write()
        && [Role::PlatformAdmin, Role::ParkAdmin, Role::EnterpriseUser].contains(&role);
    Ok(Body {
        lang,
        mwh: vec![
            ("certs.issued", mwh(balances.issued_wh)),
            ("certs.active", mwh(balances.active_wh)),
            ("certs.cancelled", mwh(balances.cancelled_wh)),
            ("certs.claimed", mwh(balances.claimed_wh)),
            ("certs.withdrawn", mwh(balances.withdrawn_wh)),
        ],
        rows: list.iter().map(|b| row(b, lang)).collect(),
        chain,
        accounts: if writer { orgs.clone() } else { Vec::new() },
        orgs,
        org: CreditCode::parse(&org)
            .map(|c| c.to_string())
            .unwrap_or(org),
        from: window.from,
        to: window.to,
        matching,
        is_admin: role == Role::PlatformAdmin,
        max_rows: MAX_ROWS,
    })
}

pub(crate) async fn page(
    page: Page,
    State(st): State<AppState>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let lang = page.lang;
    let who = page.user.clone();
    let config = st.config.clone();
    let body = st
        .run(move |s| body(s, &who, &config, q, lang))
        .await
        .map_err(|e| PageError(e, lang))?;
    render(&page, lang.t("nav.certs"), &body, &["/assets/certs.js"])
}

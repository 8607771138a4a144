//! The energy-carbon management centre (`/centre`, 能碳中心): for one enterprise and year,
//! the energy flow as a Sankey diagram with the balance of every master meter, the month's
//! time-of-use bill by period, the budget burn-down with the year-end forecast and its
//! backtested error band, and the early-warning alerts. API twins of `report energy-flow`
//! and `alerts check|list|webhook`. The figures are the CLI's.

use crate::auth::CurrentUser;
use crate::extract::{Json, Path, Query, need_code, need_text};
use crate::i18n::{Entry, Lang};
use crate::layout::{NavItem, Page, PageError, PageResult, render};
use crate::openapi::{Op, schema};
use crate::overview::Kpi;
use crate::readings::open_store;
use crate::{AppError, AppState, Area, format};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::{delete, get, post};
use serde::Deserialize;
use serde_json::json;
use texts::{alert_text, flow_note, over_budget_text};
use zp_app::alerts::CheckReport;
use zp_app::flows::{EnergyFlowReport, FlowScope};
use zp_app::{Alert, BudgetScope, MeterFilter, MeterKind, Role, Webhook};
use zp_app::{OrgFilter, Store};
use zp_domain::CreditCode;
use zp_domain::time::Date;

mod texts;

pub const AREA: Area = Area {
    name: "centre",
    routes,
    ops: OPS,
    nav: &[NavItem {
        href: "/centre",
        label: "nav.centre",
        roles: &[],
        group: crate::layout::NavGroup::Monitor,
    }],
    strings: STRINGS,
};

const OPS: &[Op] = &[
    Op::get(
        "/api/v1/reports/energy-flow",
        "Energy flow of an enterprise or a park (`report energy-flow`): {nodes, links, losses, \
         total_tce, faults}",
    )
    .query(&[
        ("org", "Enterprise credit code (or park)", false),
        ("park", "Park name (or org)", false),
        ("year", "Year", true),
    ])
    .returns(crate::openapi::response::<EnergyFlowReport>),
    Op::get(
        "/api/v1/alerts",
        "Recorded alerts of the caller's enterprises, newest first (`alerts list`)",
    )
    .query(&[(
        "limit",
        "At most this many (default 50, at most 1000)",
        false,
    )])
    .returns(crate::openapi::response::<Vec<Alert>>),
    Op::post(
        "/api/v1/alerts/check",
        "Judge meters and budgets, record new alerts and (platform) post them to the webhooks \
         (`alerts check`) {as_of, days?, org?}",
    )
    .json_body(schema::<CheckBody>)
    .returns(crate::openapi::response::<CheckReport>),
    Op::get(
        "/api/v1/webhooks",
        "Webhooks alerts are posted to (platform administrators)",
    )
    .returns(crate::openapi::response::<Vec<Webhook>>),
    Op::post(
        "/api/v1/webhooks",
        "Add an http:// webhook (platform administrators) {url}",
    )
    .json_body(schema::<WebhookBody>)
    .created()
    .returns(crate::openapi::response::<Webhook>),
    Op::delete(
        "/api/v1/webhooks/{id}",
        "Remove a webhook (platform administrators)",
    )
    .returns(crate::openapi::response::<Removed>),
];

const STRINGS: &[Entry] = &[
    ("nav.centre", "能碳中心", "Energy centre"),
    (
        "ctr.title",
        "能碳管理中心",
        "Energy-carbon management centre",
    ),
    (
        "ctr.intro",
        "企业一年的能流（来源、计量树、用能分项与未计量损耗）、当月分时电费、能耗与碳排放预算执行及年末预测、计量异常与预算预警。",
        "An enterprise's year: energy flow (sources, the meter tree, end uses and the unmetered remainder), the month's time-of-use bill, budget against actual with the year-end forecast, and meter and budget alerts.",
    ),
    ("ctr.year", "年份", "Year"),
    ("ctr.month", "电费月份", "Bill month"),
    ("ctr.show", "查看", "Show"),
    ("ctr.flow", "能流图", "Energy flow"),
    ("ctr.total", "综合能耗", "Energy use"),
    ("ctr.unmetered", "未计量占比", "Unmetered share"),
    ("ctr.alerts", "预警", "Alerts"),
    (
        "ctr.balance",
        "总表与分表平衡",
        "Master and sub-meter balance",
    ),
    ("ctr.meter", "总表", "Master meter"),
    ("ctr.master_kwh", "总表 kWh", "Master kWh"),
    ("ctr.sub_kwh", "分表合计 kWh", "Sub-meters kWh"),
    ("ctr.unmetered_kwh", "未计量 kWh", "Unmetered kWh"),
    ("ctr.bill", "分时电费", "Time-of-use bill"),
    ("ctr.period", "时段", "Period"),
    ("ctr.kwh", "电量 kWh", "kWh"),
    ("ctr.yuan", "电费 元", "Yuan"),
    (
        "ctr.budget",
        "预算执行与年末预测",
        "Budget and year-end forecast",
    ),
    ("ctr.budget_line", "累计预算", "Cumulative budget"),
    ("ctr.actual_line", "累计实际", "Cumulative actual"),
    ("ctr.forecast_line", "年末预测", "Year-end forecast"),
    ("ctr.band", "回测误差带", "Backtest error band"),
    ("ctr.no_alerts", "没有预警。", "No alerts."),
    ("ctr.kind.meter", "计量表", "Meter"),
    ("ctr.kind.budget", "预算", "Budget"),
    (
        "ctr.alert.high",
        "计量表 {meter} {day}：{kwh} kWh，高于其基线 {baseline} kWh（标准分数 {z}）",
        "meter {meter} on {day}: {kwh} kWh, above its baseline of {baseline} kWh (z = {z})",
    ),
    (
        "ctr.alert.low",
        "计量表 {meter} {day}：{kwh} kWh，低于其基线 {baseline} kWh（标准分数 {z}）",
        "meter {meter} on {day}: {kwh} kWh, below its baseline of {baseline} kWh (z = {z})",
    ),
    (
        "ctr.alert.missing",
        "计量表 {meter} {day}：无读数（基线 {baseline} kWh）",
        "meter {meter} on {day}: no readings (baseline {baseline} kWh)",
    ),
    (
        "ctr.over.energy",
        "能耗：{basis} {value} tce，超出 {year} 年预算 {budget} tce，超出 {over} tce",
        "energy: {basis} {value} tce exceeds the {year} budget of {budget} tce by {over} tce",
    ),
    (
        "ctr.over.carbon",
        "碳排放：{basis} {value} tCO2，超出 {year} 年预算 {budget} tCO2，超出 {over} tCO2",
        "carbon: {basis} {value} tCO2 exceeds the {year} budget of {budget} tCO2 by {over} tCO2",
    ),
    (
        "ctr.method.seasonal-ratio",
        "年末预测 = 本年至今实际 + 其余各月上年同月值 ×（本年至今 / 上年同期）",
        "actual to date + each remaining month's value last year x (this year's to-date / last year's same months)",
    ),
    (
        "ctr.method.run-rate",
        "年末预测 = 本年至今实际 + 本年有数据月份的月均值 × 剩余月数（上年数据不完整）",
        "actual to date + the mean of this year's months with data x the months remaining (last year incomplete)",
    ),
    (
        "ctr.method.last-year",
        "年末预测 = 上年合计（本年尚无月度数据）",
        "last year's total (no month of this year has data yet)",
    ),
    (
        "ctr.method.actual",
        "本年实际（每个月都有数据）",
        "the year's actual (every month has data)",
    ),
    (
        "ctr.method.none",
        "无预测：本年没有数据，上年也不完整",
        "no forecast: no data this year and no complete last year",
    ),
    ("ctr.basis.forecast", "年末预测", "forecast"),
    ("ctr.basis.actual", "实际", "actual"),
    (
        "ctr.no_budget",
        "{year} 年尚未设定能耗与碳排放预算（由平台或园区管理员设定）。",
        "No energy and carbon budget is set for {year} (set by a platform or park administrator).",
    ),
    ("ctr.day", "日期", "Day"),
    ("ctr.message", "内容", "Message"),
    ("ctr.faults", "计量树问题", "Meter tree faults"),
    (
        "ctr.no_org",
        "没有可见的企业。",
        "No enterprise is visible to you.",
    ),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/centre", get(page))
        .route("/api/v1/reports/energy-flow", get(flow_api))
        .route("/api/v1/alerts", get(alerts_api))
        .route("/api/v1/alerts/check", post(check_api))
        .route("/api/v1/webhooks", get(webhooks_api).post(add_webhook_api))
        .route("/api/v1/webhooks/{id}", delete(remove_webhook_api))
}

#[derive(Deserialize, Default)]
struct FlowQuery {
    org: Option<String>,
    park: Option<String>,
    year: Option<i32>,
}

async fn flow_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<FlowQuery>,
) -> Result<Json<EnergyFlowReport>, AppError> {
    let scope = match (&q.org, &q.park) {
        (Some(_), _) => FlowScope::Org(need_code("org", &q.org)?),
        (None, Some(_)) => FlowScope::Park(need_text("park", &q.park)?),
        (None, None) => return Err(AppError::BadRequest("give org or park".into())),
    };
    let year = crate::extract::need("year", q.year)?;
    let readings = optional_readings(&st)?;
    let c = who.caller();
    let r = st
        .run(move |s| {
            Ok(zp_app::flows::energy_flow(
                s,
                &c,
                readings.as_ref(),
                &scope,
                year,
            )?)
        })
        .await?;
    Ok(Json(r))
}

/// The readings store when the server has one (without: flows from the ledger, no bills).
fn optional_readings(st: &AppState) -> Result<Option<zp_app::readings::ReadingStore>, AppError> {
    match st.config.readings_dir {
        Some(_) => open_store(st).map(Some),
        None => Ok(None),
    }
}

#[derive(Deserialize, Default)]
struct LimitQuery {
    limit: Option<u16>,
}

async fn alerts_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<LimitQuery>,
) -> Result<Json<Vec<Alert>>, AppError> {
    let c = who.caller();
    let limit = usize::from(q.limit.unwrap_or(50));
    let r = st
        .run(move |s| Ok(zp_app::alerts::alerts(s, &c, limit)?))
        .await?;
    Ok(Json(r))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct CheckBody {
    /// The last day judged, YYYY-MM-DD (default: yesterday); optional.
    #[serde(default)]
    #[schemars(schema_with = "crate::openapi::optional_date")]
    as_of: Option<Date>,
    /// Days judged up to as_of (default 7).
    #[schemars(range(min = 1, max = 366))]
    days: Option<u32>,
    org: Option<String>,
}

async fn check_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<CheckBody>,
) -> Result<Json<CheckReport>, AppError> {
    who.require_write()?;
    let org = match b.org.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        Some(o) => Some(
            CreditCode::parse(o).map_err(|e| AppError::BadRequest(format!("org {o:?}: {e}")))?,
        ),
        None => None,
    };
    let as_of = match b.as_of {
        Some(d) => d,
        None => zp_domain::time::today()
            .yesterday()
            .map_err(|e| AppError::BadRequest(e.to_string()))?,
    };
    let days = b.days.unwrap_or(7);
    let readings = open_store(&st)?;
    let c = who.caller();
    let r = st
        .run(move |s| {
            Ok(zp_app::alerts::check(
                s,
                &c,
                &readings,
                org.as_ref(),
                as_of,
                days,
            )?)
        })
        .await?;
    Ok(Json(r))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct WebhookBody {
    /// An http:// URL.
    url: String,
}

async fn webhooks_api(
    State(st): State<AppState>,
    who: CurrentUser,
) -> Result<Json<Vec<Webhook>>, AppError> {
    who.require_role(&[Role::PlatformAdmin])?;
    let c = who.caller();
    let r = st
        .run(move |s| Ok(zp_app::alerts::webhooks(s, &c)?))
        .await?;
    Ok(Json(r))
}

async fn add_webhook_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<WebhookBody>,
) -> Result<(axum::http::StatusCode, Json<Webhook>), AppError> {
    who.require_role(&[Role::PlatformAdmin])?;
    let c = who.caller();
    let r = st
        .run(move |s| Ok(zp_app::alerts::add_webhook(s, &c, &b.url)?))
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(r)))
}

async fn remove_webhook_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Removed>, AppError> {
    who.require_role(&[Role::PlatformAdmin])?;
    let c = who.caller();
    st.run(move |s| Ok(zp_app::alerts::remove_webhook(s, &c, id)?))
        .await?;
    Ok(Json(Removed { removed: id }))
}

/// The id of what was removed.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Removed {
    pub removed: i64,
}

#[derive(Deserialize, Default)]
struct PageQuery {
    org: Option<String>,
    year: Option<String>,
    month: Option<String>,
}

struct OrgOption {
    code: String,
    name: String,
}

struct BalanceRow {
    meter: String,
    master: String,
    subs: String,
    unmetered: String,
    share: String,
}

struct AlertRow {
    day: String,
    kind: String,
    message: String,
}

#[derive(Template)]
#[template(path = "centre.html")]
struct Body {
    lang: Lang,
    orgs: Vec<OrgOption>,
    org: String,
    year: String,
    month: String,
    message: String,
    kpis: Vec<Kpi>,
    balances: Vec<BalanceRow>,
    faults: Vec<String>,
    /// The flow's notes as prose and references ([`format::code_pieces`]).
    flow_note: Vec<(bool, String)>,
    bill_note: String,
    budget_note: String,
    alerts: Vec<AlertRow>,
    data: String,
}

/// What the page shows, computed in one store call.
struct Loaded {
    orgs: Vec<zp_app::Org>,
    org: Option<CreditCode>,
    year: i32,
    month: String,
    flow: Result<EnergyFlowReport, String>,
    bill: Result<zp_app::energy::BillReport, String>,
    budget: Result<zp_app::budget::BudgetReport, String>,
    /// No budget is set for the year (the page says so in its language).
    budget_missing: bool,
    band_pct: Option<zp_domain::Decimal>,
    alerts: Vec<Alert>,
}

fn refused(e: zp_app::AppError) -> Result<String, AppError> {
    match e {
        zp_app::AppError::Invalid(m) | zp_app::AppError::NotFound(m) => Ok(m),
        e => Err(e.into()),
    }
}

fn or_message<T>(r: Result<T, zp_app::AppError>) -> Result<Result<T, String>, AppError> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(e) => Ok(Err(refused(e)?)),
    }
}

async fn page(
    page: Page,
    State(st): State<AppState>,
    q: crate::extract::Query<PageQuery>,
) -> PageResult {
    let lang = page.lang;
    let q = q.0;
    let fail = |e: AppError| PageError(e, lang);
    let org = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(o) => Some(
            CreditCode::parse(o)
                .map_err(|e| fail(AppError::BadRequest(format!("org {o:?}: {e}"))))?,
        ),
        None => None,
    };
    let year = match q.year.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(y) => Some(
            y.parse::<i32>()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .ok_or_else(|| fail(AppError::BadRequest(format!("year {y:?}"))))?,
        ),
        None => None,
    };
    let month = q
        .month
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from);
    let readings = optional_readings(&st).map_err(fail)?;
    let caller = page.user.caller();
    let loaded = st
        .run(move |s| load(s, &caller, readings.as_ref(), org, year, month))
        .await
        .map_err(fail)?;
    render(
        &page,
        lang.t("ctr.title"),
        &body(lang, loaded),
        &["/assets/centre.js"],
    )
}

fn load(
    s: &mut dyn Store,
    caller: &zp_app::Caller,
    readings: Option<&zp_app::readings::ReadingStore>,
    org: Option<CreditCode>,
    year: Option<i32>,
    month: Option<String>,
) -> Result<Loaded, AppError> {
    let orgs = s.orgs(&caller.access, &OrgFilter::default())?;
    // By default the first enterprise with a meter tree, else the first metered one.
    let org = match org {
        Some(o) => Some(o),
        None => {
            let meters = s.meters(&caller.access, &MeterFilter::default())?;
            let consumption = || meters.iter().filter(|m| m.kind == MeterKind::Consumption);
            consumption()
                .find(|m| !m.is_top())
                .or_else(|| consumption().next())
                .map(|m| m.credit_code.clone())
                .or_else(|| orgs.first().map(|o| o.credit_code.clone()))
        }
    };
    let Some(code) = org.clone() else {
        return Ok(Loaded {
            orgs,
            org: None,
            year: year.unwrap_or_else(zp_app::buildings::last_full_year),
            month: String::new(),
            flow: Err(String::new()),
            bill: Err(String::new()),
            budget: Err(String::new()),
            budget_missing: false,
            band_pct: None,
            alerts: Vec::new(),
        });
    };
    let period = match readings {
        Some(r) => zp_app::flows::default_period(s, caller, r, &code).unwrap_or(None),
        None => None,
    };
    let year = year
        .or(period.map(|(y, _)| y))
        .unwrap_or_else(zp_app::buildings::last_full_year);
    let month = month.unwrap_or_else(|| match period {
        Some((y, last)) if y == year => format!("{year}-{:02}", last.month()),
        _ => format!("{year}-12"),
    });
    let flow = or_message(zp_app::flows::energy_flow(
        s,
        caller,
        readings,
        &FlowScope::Org(code.clone()),
        year,
    ))?;
    let bill = match readings {
        Some(r) => or_message(zp_app::energy::bill(s, caller, r, &code, &month))?,
        None => Err("this server has no readings store: no bill".into()),
    };
    let scope = BudgetScope::Org(code.clone());
    let end = Date::new(year as i16, 12, 31).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let as_of = zp_domain::time::today().min(end);
    let budget = zp_app::budget::budget_report(s, caller, &scope, year, as_of);
    // The enterprise is one the caller sees, so "not found" here is "no budget set".
    let budget_missing = matches!(budget, Err(zp_app::AppError::NotFound(_)));
    let budget = or_message(budget)?;
    let band_pct = zp_app::budget::backtest(s, caller, &scope, year - 1)
        .ok()
        .map(|b| b.tce.mape_pct);
    let alerts = zp_app::alerts::alerts(s, caller, 200)?
        .into_iter()
        .filter(|a| a.alert.credit_code == code.as_str())
        .take(20)
        .collect();
    Ok(Loaded {
        orgs,
        org,
        year,
        month,
        flow,
        bill,
        budget,
        budget_missing,
        band_pct,
        alerts,
    })
}

fn body(lang: Lang, l: Loaded) -> Body {
    let mut b = Body {
        lang,
        orgs: l
            .orgs
            .iter()
            .map(|o| OrgOption {
                code: o.credit_code.to_string(),
                name: o.name.clone(),
            })
            .collect(),
        org: l.org.as_ref().map(|c| c.to_string()).unwrap_or_default(),
        year: l.year.to_string(),
        month: l.month.clone(),
        message: if l.org.is_none() {
            lang.t("ctr.no_org").into()
        } else {
            String::new()
        },
        kpis: Vec::new(),
        balances: Vec::new(),
        faults: Vec::new(),
        flow_note: Vec::new(),
        bill_note: String::new(),
        budget_note: String::new(),
        alerts: l
            .alerts
            .iter()
            .map(|a| AlertRow {
                day: a.alert.day.clone(),
                kind: lang
                    .t_or(&format!("ctr.kind.{}", a.alert.kind), &a.alert.kind)
                    .to_string(),
                message: alert_text(lang, &a.alert),
            })
            .collect(),
        data: "null".into(),
    };
    let mut data = json!({
        "labels": {
            "kwh": lang.t("ctr.kwh"), "yuan": lang.t("ctr.yuan"),
            "budget": lang.t("ctr.budget_line"), "actual": lang.t("ctr.actual_line"),
            "forecast": lang.t("ctr.forecast_line"), "band": lang.t("ctr.band"),
        },
    });
    match &l.flow {
        Ok(f) => {
            let masters: zp_domain::Decimal = f.flow.losses.iter().map(|x| x.master_kwh).sum();
            let unmetered: zp_domain::Decimal = f.flow.losses.iter().map(|x| x.unmetered_kwh).sum();
            b.kpis.push(Kpi::new(
                "kpi-total-tce",
                lang.t("ctr.total"),
                format::num(f.flow.total_tce, 1),
                "tce",
                String::new(),
            ));
            if masters > zp_domain::Decimal::ZERO {
                b.kpis.push(Kpi::new(
                    "kpi-unmetered",
                    lang.t("ctr.unmetered"),
                    format::num(unmetered * zp_domain::Decimal::from(100) / masters, 1),
                    "%",
                    String::new(),
                ));
            }
            b.balances = f
                .flow
                .losses
                .iter()
                .map(|x| BalanceRow {
                    meter: x.meter.clone(),
                    master: format::num(x.master_kwh, 0),
                    subs: format::num(x.sub_meters_kwh, 0),
                    unmetered: format::num(x.unmetered_kwh, 0),
                    share: x
                        .unmetered_share
                        .map(|s| format::num(s * zp_domain::Decimal::from(100), 1) + " %")
                        .unwrap_or_default(),
                })
                .collect();
            b.faults = f.flow.faults.clone();
            b.flow_note = flow_note(lang, f);
            // Meter nodes without the enterprise's code in front (the page is the enterprise's).
            let prefix = format!("{}-", f.scope);
            let name = |n: &zp_app::energy::FlowNode| match n.stage {
                "meter" => n.name.strip_prefix(&prefix).unwrap_or(&n.name).to_string(),
                _ => n.name.clone(),
            };
            data["flow"] = json!({
                "nodes": f.flow.nodes.iter().map(|n| json!({"id": n.id, "name": name(n), "stage": n.stage})).collect::<Vec<_>>(),
                "links": f.flow.links.iter().map(|x| json!({"source": x.source, "target": x.target, "value": format::f64_of(x.value_tce)})).collect::<Vec<_>>(),
            });
        }
        Err(m) => b.flow_note = vec![(false, m.clone())],
    }
    match &l.bill {
        Ok(r) => {
            b.bill_note = format!(
                "{} {} · {} kWh · {} 元",
                zp_domain::Region::parse(&r.region)
                    .map(|region| lang.region(region).to_string())
                    .unwrap_or_else(|_| r.region.clone()),
                lang.tariff_category(&r.category),
                format::num(r.energy_kwh, 0),
                format::num(r.cost_yuan, 2)
            );
            data["bill"] = json!({
                "periods": r.periods.iter().map(|p| p.period_zh).collect::<Vec<_>>(),
                "kwh": r.periods.iter().map(|p| format::f64_of(p.kwh)).collect::<Vec<_>>(),
                "yuan": r.periods.iter().map(|p| format::f64_of(p.cost_yuan)).collect::<Vec<_>>(),
            });
        }
        Err(m) => b.bill_note = m.clone(),
    }
    match &l.budget {
        Ok(r) => {
            b.budget_note = over_budget_text(lang, l.year, r);
            if b.budget_note.is_empty() {
                b.budget_note = lang
                    .t_or(&format!("ctr.method.{}", r.method), &r.method_description)
                    .to_string();
            }
            let mut cum_budget = Vec::new();
            let mut cum_actual = Vec::new();
            let (mut sb, mut sa) = (zp_domain::Decimal::ZERO, zp_domain::Decimal::ZERO);
            for m in &r.months {
                sb += m.budget_tce;
                cum_budget.push(format::f64_of(sb));
                match m.actual_tce.filter(|_| m.closed) {
                    Some(a) => {
                        sa += a;
                        cum_actual.push(Some(format::f64_of(sa)));
                    }
                    None => cum_actual.push(None),
                }
            }
            let forecast = r.forecast_tce.map(format::f64_of);
            let band = match (forecast, l.band_pct) {
                (Some(f), Some(p)) => Some(f * format::f64_of(p) / 100.0),
                _ => None,
            };
            data["budget"] = json!({
                "months": r.months.iter().map(|m| m.period.clone()).collect::<Vec<_>>(),
                "budget": cum_budget,
                "actual": cum_actual,
                "closed": r.months_closed,
                "forecast": forecast,
                "band": band,
            });
        }
        Err(_) if l.budget_missing => {
            b.budget_note = lang.fill("ctr.no_budget", &[("year", &l.year.to_string())]);
        }
        Err(m) => b.budget_note = m.clone(),
    }
    b.kpis.push(Kpi::new(
        "kpi-alerts",
        lang.t("ctr.alerts"),
        b.alerts.len().to_string(),
        "",
        String::new(),
    ));
    b.data = format::script_json(&data);
    b
}

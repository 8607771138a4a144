//! The flexibility page (`/flex`, 储能调度): an enterprise's day-ahead battery plan on a
//! metered day with its chart (stacked load, PV and battery, price and carbon lines), and,
//! where the enterprise has battery meters, the plan's verification against them. The
//! figures are those of `flex plan` and `flex verify` (`/api/v1/flex/plan|verify`).

use crate::i18n::{Entry, Lang};
use crate::layout::{NavItem, Page, PageError, PageResult, render};
use crate::overview::Kpi;
use crate::{AppError, AppState, Area, format};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;
use zp_app::energy::{Battery, Objective, PlanHour};
use zp_app::flex::{FlexReport, FlexRequest, FlexVerifyReport, Verification, VerifiedHour};
use zp_app::{OrgFilter, Store};
use zp_domain::{CreditCode, Decimal};

pub const AREA: Area = Area {
    name: "flex",
    routes,
    ops: &[],
    nav: &[NavItem {
        href: "/flex",
        label: "nav.flex",
        roles: &[],
        group: crate::layout::NavGroup::Monitor,
    }],
    strings: STRINGS,
};

const STRINGS: &[Entry] = &[
    ("nav.flex", "储能调度", "Flexibility"),
    (
        "flex.title",
        "储能日前计划与核验",
        "Battery plan and verification",
    ),
    (
        "flex.intro",
        "按企业当日计量的负荷与光伏、分时电价和逐时电网因子安排储能充放电；有储能电表的企业同时核验实际充放电。",
        "Charges and discharges a battery against the enterprise's metered load and PV of the day, its time-of-use tariff and the hourly grid factors; where the enterprise has battery meters, the plan is checked against what they recorded.",
    ),
    ("flex.battery_mwh", "储能容量 MWh", "Capacity MWh"),
    ("flex.battery_mw", "储能功率 MW", "Power MW"),
    ("flex.efficiency", "往返效率", "Round-trip efficiency"),
    ("flex.objective", "优化目标", "Objective"),
    ("flex.obj.cost", "电费最低", "Lowest cost"),
    ("flex.obj.carbon", "排放最低", "Lowest carbon"),
    (
        "flex.obj.cost+carbon",
        "电费加碳价最低",
        "Cost plus carbon price",
    ),
    ("flex.show", "计算", "Compute"),
    ("flex.baseline_cost", "无储能电费", "Cost without battery"),
    ("flex.plan_cost", "计划电费", "Planned cost"),
    ("flex.realised_cost", "实际电费", "Realised cost"),
    ("flex.avoided", "计划减排", "Planned avoided emissions"),
    (
        "flex.realised_avoided",
        "实际减排",
        "Realised avoided emissions",
    ),
    ("flex.followed", "计划执行率", "Plan followed"),
    ("flex.cfe", "逐时绿电匹配率", "Hourly CFE score"),
    ("flex.saving", "节省", "saving"),
    ("flex.chart", "逐时计划", "Plan by hour"),
    ("flex.hour", "时段", "Hour"),
    ("flex.load", "负荷", "Load"),
    ("flex.pv", "光伏", "PV"),
    ("flex.charge", "充电", "Charge"),
    ("flex.discharge", "放电", "Discharge"),
    ("flex.soc", "荷电量", "State of charge"),
    ("flex.grid", "电网购电", "Grid import"),
    ("flex.price", "电价", "Price"),
    ("flex.carbon", "电网因子", "Grid factor"),
    (
        "flex.metered",
        "实测储能净充电",
        "Metered battery net charge",
    ),
    ("flex.metered_charge", "实测充电", "Metered charge"),
    ("flex.metered_discharge", "实测放电", "Metered discharge"),
    ("flex.realised_grid", "实际购电", "Realised grid import"),
    (
        "flex.plan_only",
        "该企业没有储能电表：仅显示计划。",
        "This enterprise has no battery meters: the plan only.",
    ),
    (
        "flex.no_org",
        "没有可见的企业。",
        "No enterprise is visible to you.",
    ),
    (
        "flex.no_readings",
        "该企业没有计量数据。",
        "This enterprise has no metered readings.",
    ),
    ("flex.refused", "无法计算", "Cannot compute"),
    ("flex.notes", "说明", "Notes"),
    ("flex.date", "日期", "Date"),
    ("flex.without_battery", "无储能", "without battery"),
    ("flex.yuan_per_mwh", "元/兆瓦时", "yuan/MWh"),
];

fn routes() -> Router<AppState> {
    Router::new().route("/flex", get(page))
}

#[derive(Deserialize, Default)]
struct FlexQuery {
    org: Option<String>,
    date: Option<String>,
    battery_mwh: Option<String>,
    battery_mw: Option<String>,
    efficiency: Option<String>,
    objective: Option<String>,
}

/// A form field: absent when empty, else parsed or refused naming the field.
fn field<T: std::str::FromStr>(name: &str, v: &Option<String>) -> Result<Option<T>, AppError>
where
    T::Err: std::fmt::Display,
{
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|e| AppError::BadRequest(format!("{name} {s:?}: {e}"))),
    }
}

enum Outcome {
    Verified(Box<FlexVerifyReport>),
    Planned(Box<FlexReport>),
    Refused(String),
    Nothing(&'static str),
}

struct OrgOption {
    code: String,
    name: String,
}

struct HourRow {
    hour: String,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "flex.html")]
struct Body {
    lang: Lang,
    orgs: Vec<OrgOption>,
    org: String,
    date: String,
    battery_mwh: String,
    battery_mw: String,
    efficiency: String,
    objective: &'static str,
    /// (key, label)
    objectives: Vec<(&'static str, &'static str)>,
    plan_only: bool,
    message: String,
    kpis: Vec<Kpi>,
    columns: Vec<&'static str>,
    hours: Vec<HourRow>,
    /// Each note as prose and references ([`crate::format::code_pieces`]).
    notes: Vec<Vec<(bool, String)>>,
    data: String,
}

/// The Chinese of each note code of `zp_app::flex::NOTES_EN`; references in backticks.
const NOTES_ZH: &[(&str, &str)] = &[
    (
        "flex.inputs",
        "负荷 = {consumption} 个用电计量表，光伏 = {generation} 个发电计量表，{date} 的逐时合计；电价：{region}{category}（{valid_from} 起）中各小时起点所在的时段",
    ),
    ("flex.baseline", "基线 = 同一天不使用储能"),
    (
        "flex.unmetered_hours",
        "24 小时中有 {hours} 小时没有用电读数：其负荷按 0 计",
    ),
    (
        "flex.annual_factor_hours",
        "24 小时中有 {hours} 小时没有{region}的逐时电网因子：这些小时采用年度因子 `{factor}`（{value} tCO2/MWh）",
    ),
    (
        "flex.realised",
        "实际 = 计量的储能充放电（{charge} 个充电、{discharge} 个放电计量表），24 小时中有 {hours} 小时有读数；没有读数的小时按无充放电计",
    ),
    (
        "flex.matching",
        "匹配：登记簿中 {org} 的证书逐小时分别与不含储能的负荷、以及负荷 + 充电 - 放电相比（{pv_hours} 小时有自有光伏，不计为证书）",
    ),
];

/// The notes of a plan or verification in the page's language: regions by name and tariff
/// categories from the catalogue in Chinese.
fn notes(lang: Lang, en: &[String], codes: &[zp_app::note::Note]) -> Vec<Vec<(bool, String)>> {
    if lang == Lang::En {
        // The English as the use case wrote it.
        return en.iter().map(|text| vec![(false, text.clone())]).collect();
    }
    en.iter()
        .zip(codes)
        .map(|(en, n)| {
            let mut n = n.clone();
            if let Some(r) = n.args.get_mut("region")
                && let Ok(region) = zp_domain::Region::parse(r)
            {
                *r = lang.region(region).to_string();
            }
            if let Some(c) = n.args.get_mut("category") {
                *c = lang.tariff_category(c);
            }
            crate::format::code_pieces(&lang.note(&n, NOTES_ZH, en))
        })
        .collect()
}

async fn page(
    page: Page,
    State(st): State<AppState>,
    q: crate::extract::Query<FlexQuery>,
) -> PageResult {
    let lang = page.lang;
    let q = q.0;
    let fail = |e: AppError| PageError(e, lang);
    let battery = Battery::new(
        field("battery_mwh", &q.battery_mwh)
            .map_err(fail)?
            .unwrap_or(Decimal::from(2)),
        field("battery_mw", &q.battery_mw)
            .map_err(fail)?
            .unwrap_or(Decimal::ONE),
        field("efficiency", &q.efficiency)
            .map_err(fail)?
            .unwrap_or(Decimal::new(9, 1)),
        Decimal::ZERO,
    );
    let objective = match q.objective.as_deref().map(str::trim) {
        None | Some("") => Objective::Cost,
        Some(o) => Objective::parse(o).ok_or_else(|| {
            fail(AppError::BadRequest(format!(
                "objective {o:?}: use cost, carbon or cost+carbon"
            )))
        })?,
    };
    let org = field::<CreditCode>("org", &q.org).map_err(fail)?;
    let date = field::<zp_domain::time::Date>("date", &q.date).map_err(fail)?;
    let readings = crate::readings::open_store(&st).map_err(fail)?;
    let caller = page.user.caller();
    let (orgs, org, date, outcome) = st
        .run(move |s| {
            let orgs = s.orgs(&caller.access, &OrgFilter::default())?;
            let chosen = match org {
                Some(c) => Some(c),
                None => default_org(s, &caller, &orgs),
            };
            let Some(code) = chosen else {
                return Ok((orgs, None, None, Outcome::Nothing("flex.no_org")));
            };
            let date = match date {
                Some(d) => Some(d),
                None => zp_app::flex::latest_day(s, &caller, &readings, &code).unwrap_or(None),
            };
            let Some(day) = date else {
                return Ok((orgs, Some(code), None, Outcome::Nothing("flex.no_readings")));
            };
            let req = FlexRequest {
                org: code.clone(),
                date: day,
                battery,
                objective,
                carbon_price_yuan_per_t: Decimal::from(80),
                fleets: Vec::new(),
                grid_cap_mw: None,
            };
            let verify = zp_app::flex::has_battery(s, &caller, &code).unwrap_or(false);
            let outcome = if verify {
                zp_app::flex::flex_verify(s, &caller, &readings, &req)
                    .map(|r| Outcome::Verified(Box::new(r)))
            } else {
                zp_app::flex::flex_plan(s, &caller, &readings, &req)
                    .map(|r| Outcome::Planned(Box::new(r)))
            };
            let outcome = match outcome {
                Ok(o) => o,
                Err(zp_app::AppError::Invalid(m) | zp_app::AppError::NotFound(m)) => {
                    Outcome::Refused(m)
                }
                Err(e) => return Err(e.into()),
            };
            Ok((orgs, Some(code), Some(day), outcome))
        })
        .await
        .map_err(fail)?;

    let mut body = Body {
        lang,
        orgs: orgs
            .into_iter()
            .map(|o| OrgOption {
                code: o.credit_code.to_string(),
                name: o.name,
            })
            .collect(),
        org: org.map(|c| c.to_string()).unwrap_or_default(),
        date: date.map(|d| d.to_string()).unwrap_or_default(),
        battery_mwh: battery.energy_mwh.normalize().to_string(),
        battery_mw: battery.power_mw.normalize().to_string(),
        efficiency: battery.efficiency.normalize().to_string(),
        objective: objective.key(),
        objectives: ["cost", "carbon", "cost+carbon"]
            .into_iter()
            .map(|k| (k, lang.t(&format!("flex.obj.{k}"))))
            .collect(),
        plan_only: false,
        message: String::new(),
        kpis: Vec::new(),
        columns: Vec::new(),
        hours: Vec::new(),
        notes: Vec::new(),
        data: "null".into(),
    };
    match outcome {
        Outcome::Verified(r) => fill_verified(&mut body, *r),
        Outcome::Planned(r) => fill_planned(&mut body, *r),
        Outcome::Refused(m) => body.message = m,
        Outcome::Nothing(key) => body.message = lang.t(key).into(),
    }
    render(&page, lang.t("flex.title"), &body, &["/assets/flex.js"])
}

/// The first visible enterprise with battery meters, else the first with a consumption
/// meter.
fn default_org(
    s: &mut dyn Store,
    caller: &zp_app::Caller,
    orgs: &[zp_app::Org],
) -> Option<CreditCode> {
    let mut first_metered = None;
    for o in orgs {
        match zp_app::flex::has_battery(s, caller, &o.credit_code) {
            Ok(true) => return Some(o.credit_code.clone()),
            Ok(false) if first_metered.is_none() => first_metered = Some(o.credit_code.clone()),
            _ => {}
        }
    }
    first_metered
}

fn yuan(v: Decimal) -> String {
    format::num(v, 0)
}

fn tonnes(v: Decimal) -> String {
    format::num(v, 3)
}

/// The plan's tiles, hourly rows and chart series (shared by both outcomes).
fn fill_planned(body: &mut Body, r: FlexReport) {
    let lang = body.lang;
    let p = &r.plan;
    body.plan_only = true;
    body.kpis = vec![
        Kpi::new(
            "kpi-baseline-cost",
            lang.t("flex.baseline_cost"),
            yuan(p.baseline_cost_yuan),
            "元",
            String::new(),
        ),
        Kpi::new(
            "kpi-plan-cost",
            lang.t("flex.plan_cost"),
            yuan(p.plan_cost_yuan),
            "元",
            format!("{} {}", lang.t("flex.saving"), yuan(p.savings_yuan)),
        ),
        Kpi::new(
            "kpi-avoided",
            lang.t("flex.avoided"),
            tonnes(p.avoided_tco2),
            "tCO2",
            format!("{} → {}", tonnes(p.baseline_tco2), tonnes(p.plan_tco2)),
        ),
    ];
    body.columns = vec![
        "flex.load",
        "flex.pv",
        "flex.charge",
        "flex.discharge",
        "flex.soc",
        "flex.grid",
        "flex.price",
        "flex.carbon",
    ];
    body.hours = p.hours.iter().map(planned_row).collect();
    body.data = format::script_json(&json!({
        "labels": chart_labels(lang),
        "hours": p.hours.iter().map(|h| format!("{:02}", h.hour)).collect::<Vec<_>>(),
        "load": series(&p.hours, |h| h.load_mwh),
        "pv": series(&p.hours, |h| h.pv_mwh),
        "charge": series(&p.hours, |h| h.charge_mwh),
        "discharge": series(&p.hours, |h| -h.discharge_mwh),
        "soc": series(&p.hours, |h| h.soc_mwh),
        "price": series(&p.hours, |h| h.yuan_per_mwh),
        "carbon": series(&p.hours, |h| h.tco2_per_mwh),
        "metered": serde_json::Value::Null,
    }));
    body.notes = notes(lang, &r.notes, &r.note_codes);
}

/// One chart series: `f` of every hour.
/// A planned hour's row, in the order of the plan's columns.
fn planned_row(h: &PlanHour) -> HourRow {
    HourRow {
        hour: format!("{:02}:00", h.hour),
        cells: vec![
            format::num(h.load_mwh, 3),
            format::num(h.pv_mwh, 3),
            format::num(h.charge_mwh, 3),
            format::num(h.discharge_mwh, 3),
            format::num(h.soc_mwh, 3),
            format::num(h.grid_import_mwh, 3),
            format::num(h.yuan_per_mwh, 0),
            format::num(h.tco2_per_mwh, 4),
        ],
    }
}

/// A verified hour's row, in the order of the verification's columns.
fn verified_row(h: &VerifiedHour) -> HourRow {
    HourRow {
        hour: format!("{:02}:00", h.hour),
        cells: vec![
            format::num(h.load_mwh, 3),
            format::num(h.pv_mwh, 3),
            format::num(h.planned_charge_mwh, 3),
            format::num(h.planned_discharge_mwh, 3),
            format::num(h.metered_charge_mwh, 3),
            format::num(h.metered_discharge_mwh, 3),
            format::num(h.plan_import_mwh, 3),
            format::num(h.realised_import_mwh, 3),
            format::num(h.yuan_per_mwh, 0),
            format::num(h.tco2_per_mwh, 4),
        ],
    }
}

fn series<H>(hours: &[H], f: impl Fn(&H) -> Decimal) -> Vec<f64> {
    hours.iter().map(|h| format::f64_of(f(h))).collect()
}

fn chart_labels(lang: Lang) -> serde_json::Value {
    json!({
        "load": lang.t("flex.load"), "pv": lang.t("flex.pv"),
        "charge": lang.t("flex.charge"), "discharge": lang.t("flex.discharge"),
        "soc": lang.t("flex.soc"), "price": lang.t("flex.price"),
        "carbon": lang.t("flex.carbon"), "metered": lang.t("flex.metered"),
        "mwh": lang.t("unit.mwh"), "yuan": lang.t("flex.yuan_per_mwh"), "tco2": "tCO2/MWh",
    })
}

/// The plan as [`fill_planned`] shows it, with the realised figures added.
fn fill_verified(body: &mut Body, r: FlexVerifyReport) {
    let lang = body.lang;
    let v: &Verification = &r.verification;
    let score = |s: Option<Decimal>| {
        s.map_or("—".to_string(), |s| {
            format::num(s * Decimal::from(100), 1)
        })
    };
    body.kpis = vec![
        Kpi::new(
            "kpi-baseline-cost",
            lang.t("flex.baseline_cost"),
            yuan(v.baseline_cost_yuan),
            "元",
            String::new(),
        ),
        Kpi::new(
            "kpi-plan-cost",
            lang.t("flex.plan_cost"),
            yuan(v.plan_cost_yuan),
            "元",
            format!("{} {}", lang.t("flex.saving"), yuan(v.planned_saving_yuan)),
        ),
        Kpi::new(
            "kpi-realised-cost",
            lang.t("flex.realised_cost"),
            yuan(v.realised_cost_yuan),
            "元",
            format!("{} {}", lang.t("flex.saving"), yuan(v.realised_saving_yuan)),
        ),
        Kpi::new(
            "kpi-realised-avoided",
            lang.t("flex.realised_avoided"),
            tonnes(v.realised_saving_tco2),
            "tCO2",
            format!(
                "{} {}",
                lang.t("flex.avoided"),
                tonnes(v.planned_saving_tco2)
            ),
        ),
        Kpi::new(
            "kpi-followed",
            lang.t("flex.followed"),
            score(v.plan_followed_share),
            "%",
            String::new(),
        ),
        Kpi::new(
            "kpi-cfe",
            lang.t("flex.cfe"),
            score(r.matching.realised_cfe_score),
            "%",
            format!(
                "{} {}%",
                lang.t("flex.without_battery"),
                score(r.matching.baseline_cfe_score)
            ),
        ),
    ];
    body.columns = vec![
        "flex.load",
        "flex.pv",
        "flex.charge",
        "flex.discharge",
        "flex.metered_charge",
        "flex.metered_discharge",
        "flex.grid",
        "flex.realised_grid",
        "flex.price",
        "flex.carbon",
    ];
    body.hours = v.hours.iter().map(verified_row).collect();
    body.data = format::script_json(&json!({
        "labels": chart_labels(lang),
        "hours": v.hours.iter().map(|h| format!("{:02}", h.hour)).collect::<Vec<_>>(),
        "load": series(&v.hours, |h| h.load_mwh),
        "pv": series(&v.hours, |h| h.pv_mwh),
        "charge": series(&v.hours, |h| h.planned_charge_mwh),
        "discharge": series(&v.hours, |h| -h.planned_discharge_mwh),
        "soc": serde_json::Value::Null,
        "price": series(&v.hours, |h| h.yuan_per_mwh),
        "carbon": series(&v.hours, |h| h.tco2_per_mwh),
        "metered": series(&v.hours, |h| h.metered_charge_mwh - h.metered_discharge_mwh),
    }));
    body.notes = notes(lang, &r.notes, &r.note_codes);
}

#[cfg(test)]
mod note_tests {
    use super::*;

    #[test]
    fn every_flex_note_has_a_chinese_template_with_the_same_parameters() {
        crate::i18n::assert_same_codes(zp_app::flex::NOTES_EN, NOTES_ZH);
    }

    #[test]
    fn a_flex_note_is_rendered_in_chinese_with_names_and_kept_in_english() {
        let n = zp_app::note::Note::new(
            "flex.annual_factor_hours",
            &[
                ("hours", "3".into()),
                ("region", "CQ".into()),
                ("factor", "builtin-2025.1/grid_average/CQ/2023".into()),
                ("value", "0.5".into()),
            ],
        );
        let en = n.text(zp_app::flex::NOTES_EN);
        assert_eq!(
            notes(
                Lang::Zh,
                std::slice::from_ref(&en),
                std::slice::from_ref(&n)
            ),
            [vec![
                (
                    false,
                    "24 小时中有 3 小时没有重庆的逐时电网因子：这些小时采用年度因子 ".to_string()
                ),
                (true, "builtin-2025.1/grid_average/CQ/2023".to_string()),
                (false, "（0.5 tCO2/MWh）".to_string()),
            ]]
        );
        assert_eq!(
            notes(Lang::En, std::slice::from_ref(&en), &[n]),
            [vec![(false, en.clone())]]
        );
        assert!(en.starts_with("3 of 24 hours have no hourly grid factor for CQ"));
    }
}

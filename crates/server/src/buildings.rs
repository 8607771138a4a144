//! Buildings and proposed projects on the web: the league table of the caller's buildings
//! by energy-use intensity against the standard (`/buildings`), the register of assessed
//! projects with each one's share of the remaining budget (`/projects`), and their API
//! twins. The figures are those of `zeropark report building`, `buildings list` and
//! `assess list`.

use crate::auth::CurrentUser;
use crate::extract::{Json, Query, need_text};
use crate::i18n::{Entry, Lang};
use crate::layout::{NavItem, Page, PageError, PageResult, render};
use crate::openapi::{Op, schema};
use crate::readings::open_store;
use crate::{AppError, AppState, Area, format};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use serde::Deserialize;
use zp_app::buildings::{BuildingInput, BuildingReport, LeagueRow};
use zp_domain::{CreditCode, Decimal};

pub const AREA: Area = Area {
    name: "buildings",
    routes,
    ops: OPS,
    // One menu entry for both pages (the menu is full); each page links to the other.
    nav: &[NavItem {
        href: "/buildings",
        label: "nav.buildings",
        roles: &[],
        group: crate::layout::NavGroup::Evaluate,
    }],
    strings: STRINGS,
};

const OPS: &[Op] = &[
    Op::get(
        "/api/v1/buildings",
        "The caller's buildings with a year's energy-use intensity, carbon per m2 and rating, \
         most intensive first (`buildings list`)",
    )
    .query(&[("year", "Year (default: last year)", false)])
    .returns(crate::openapi::response::<Vec<LeagueRow>>),
    Op::post(
        "/api/v1/buildings",
        "Register a site of an enterprise as a building (`buildings set`) {site, org, type, \
         floor_area_m2, climate_zone, stars?}",
    )
    .json_body(schema::<SetBody>)
    .returns(crate::openapi::response::<SiteUpsert>),
    Op::get(
        "/api/v1/buildings/{site}",
        "A building's year against the standard (`report building`): floor_area_m2, \
         energy_kwh_per_m2, constraint_kwh_per_m2, guide_kwh_per_m2, carbon_kgco2_per_m2, rating",
    )
    .query(&[
        ("year", "Year", true),
        ("format", "json (default), pdf or xlsx", false),
    ])
    .returns(crate::openapi::response::<BuildingReport>),
    Op::get(
        "/api/v1/assess/projects",
        "The register of assessed projects within the caller's scope, newest first (`assess list`)",
    )
    .returns(crate::openapi::response::<Vec<zp_app::assess::AssessedProject>>),
];

const STRINGS: &[Entry] = &[
    ("nav.buildings", "建筑与项目", "Buildings"),
    ("bld.src.ledger", "台账", "Ledger"),
    ("bld.src.meters", "电表", "Meters"),
    ("prj.status.assessed", "已评估", "Assessed"),
    ("prj.status.approved", "已批准", "Approved"),
    ("prj.status.rejected", "未通过", "Rejected"),
    ("nav.projects", "项目评估", "Projects"),
    (
        "bld.title",
        "建筑能耗与碳排放",
        "Building energy and carbon",
    ),
    (
        "bld.intro",
        "按单位面积能耗从高到低排列；约束值与引导值来自导入的民用建筑能耗标准数据（含来源）。",
        "Most energy-intensive first; constraint and guide values come from the imported civil-building energy standard data (with its source).",
    ),
    ("bld.year", "年份", "Year"),
    ("bld.show", "查看", "Show"),
    ("bld.site", "建筑", "Building"),
    ("bld.org", "企业", "Enterprise"),
    ("bld.type", "类型", "Type"),
    ("bld.area", "面积 m²", "Floor area m²"),
    ("bld.intensity", "单位面积能耗 kWh/m²", "Energy kWh/m²"),
    ("bld.carbon", "单位面积碳排放 kgCO2/m²", "Carbon kgCO2/m²"),
    ("bld.standard", "约束值 / 引导值", "Constraint / guide"),
    ("bld.rating", "评价", "Rating"),
    ("bld.source", "数据来源", "Data"),
    (
        "bld.none",
        "尚无登记的建筑：建筑（名称、面积、类型）由平台管理员登记。",
        "No buildings registered yet: a platform administrator registers them (site, floor area, type).",
    ),
    ("bld.rating.guide", "优于引导值", "At or below guide"),
    ("bld.rating.constraint", "满足约束值", "Within constraint"),
    ("bld.rating.above", "超过约束值", "Above constraint"),
    ("bld.rating.none", "未导入标准值", "No standard values"),
    ("prj.title", "拟建项目能耗与碳排放评估", "Assessed projects"),
    (
        "prj.intro",
        "节能审查与碳排放评价登记：各项目占园区或地区剩余能耗与碳排放预算的比例。",
        "Register of energy and carbon assessments: each project's share of the park's or region's remaining budget.",
    ),
    ("prj.name", "项目", "Project"),
    ("prj.scope", "区域", "Scope"),
    ("prj.year", "投产年", "Year"),
    ("prj.energy", "能耗 tce", "Energy tce"),
    ("prj.carbon", "碳排放 tCO2", "Carbon tCO2"),
    (
        "prj.share_tce",
        "占剩余能耗预算",
        "Share of energy budget left",
    ),
    (
        "prj.share_tco2",
        "占剩余碳预算",
        "Share of carbon budget left",
    ),
    ("prj.status", "状态", "Status"),
    ("prj.no_budget", "未设预算", "No budget"),
    (
        "prj.none",
        "尚无评估项目：zeropark assess project FILE.toml 评估并登记。",
        "No assessed projects: assess and register one with zeropark assess project FILE.toml.",
    ),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/buildings", get(buildings_page))
        .route("/projects", get(projects_page))
        .route("/api/v1/buildings", get(list_api).post(set_api))
        .route("/api/v1/buildings/{site}", get(report_api))
        .route("/api/v1/assess/projects", get(projects_api))
}

#[derive(Deserialize, Default)]
struct YearQuery {
    year: Option<i32>,
}

/// The readings store when the server has one (buildings without it: ledger only).
fn readings(st: &AppState) -> Result<Option<zp_app::readings::ReadingStore>, AppError> {
    match st.config.readings_dir {
        Some(_) => open_store(st).map(Some),
        None => Ok(None),
    }
}

async fn league(st: &AppState, who: &CurrentUser, year: i32) -> Result<Vec<LeagueRow>, AppError> {
    let readings = readings(st)?;
    let c = who.caller();
    st.run(move |s| Ok(zp_app::buildings::league(s, &c, readings.as_ref(), year)?))
        .await
}

async fn list_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<Json<Vec<LeagueRow>>, AppError> {
    Ok(Json(
        league(
            &st,
            &who,
            q.year.unwrap_or_else(zp_app::buildings::last_full_year),
        )
        .await?,
    ))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct SetBody {
    site: String,
    org: String,
    #[serde(rename = "type")]
    kind: String,
    floor_area_m2: Decimal,
    climate_zone: String,
    stars: Option<u8>,
}

async fn set_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<SetBody>,
) -> Result<Json<SiteUpsert>, AppError> {
    who.require_write()?;
    let org = CreditCode::parse(b.org.trim())
        .map_err(|e| AppError::BadRequest(format!("org {:?}: {e}", b.org)))?;
    let input = BuildingInput {
        site: b.site,
        org,
        kind: b.kind,
        floor_area_m2: b.floor_area_m2,
        climate_zone: b.climate_zone,
        stars: b.stars,
    };
    let c = who.caller();
    let site = input.site.trim().to_string();
    let r = st
        .run(move |s| Ok(zp_app::buildings::set_building(s, &c, &input)?))
        .await?;
    Ok(Json(SiteUpsert { site, result: r }))
}

/// What storing a building or a site did.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct SiteUpsert {
    pub site: String,
    pub result: zp_app::Upsert,
}

#[derive(Deserialize, Default)]
struct ReportQuery {
    year: Option<String>,
    format: Option<String>,
}

async fn report_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(site): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let format = match q.format.as_deref().map(str::trim) {
        None | Some("") => zp_app::reports::ReportFormat::Json,
        Some(f) => zp_app::reports::ReportFormat::parse(f)
            .ok_or_else(|| AppError::BadRequest(format!("format {f:?}: use json, pdf or xlsx")))?,
    };
    let text = need_text("year", &q.year)?;
    let year: i32 = text
        .parse()
        .map_err(|_| AppError::BadRequest(format!("year {text:?}: not a year")))?;
    let readings = readings(&st)?;
    let c = who.caller();
    // The report and, for a file, its rendering both run off the async threads.
    let (r, file) = st
        .run(move |s| {
            let r = zp_app::buildings::building_report(s, &c, readings.as_ref(), &site, year)?;
            let file = match format {
                zp_app::reports::ReportFormat::Json => None,
                f => Some(zp_app::reports::render(&r, f)?),
            };
            Ok((r, file))
        })
        .await?;
    Ok(match file {
        Some(rendered) => crate::report_files::download(rendered),
        None => Json::<BuildingReport>(r).into_response(),
    })
}

async fn projects_api(
    State(st): State<AppState>,
    who: CurrentUser,
) -> Result<Json<Vec<zp_app::assess::AssessedProject>>, AppError> {
    let c = who.caller();
    Ok(Json(
        st.run(move |s| Ok(zp_app::assess::list(s, &c)?)).await?,
    ))
}

struct BuildingRow {
    site: String,
    org: String,
    kind: String,
    area: String,
    intensity: String,
    carbon: String,
    standard: String,
    /// Bar width, % of the larger of the constraint value and the intensity.
    bar: u32,
    /// Where the constraint value sits on the bar, %.
    mark: u32,
    rating_key: &'static str,
    source: String,
}

#[derive(Template)]
#[template(path = "buildings.html")]
struct BuildingsBody {
    lang: Lang,
    year: i32,
    rows: Vec<BuildingRow>,
}

fn percent(part: Decimal, whole: Decimal) -> u32 {
    if whole <= Decimal::ZERO {
        return 0;
    }
    use rust_decimal::prelude::ToPrimitive;
    (part * Decimal::from(100) / whole)
        .round()
        .to_u32()
        .unwrap_or(0)
        .min(100)
}

/// The Chinese of each code of `zp_app::buildings::MISSING_EN`.
const MISSING_ZH: &[(&str, &str)] = &[(
    "building.no_figures",
    "建筑“{site}”{year} 年没有标注其场地的台账记录，也没有计量读数",
)];

fn building_row(r: LeagueRow, lang: Lang) -> BuildingRow {
    let b = &r.building;
    let kind = zp_app::buildings::BuildingKind::parse(&b.kind)
        .map(|k| match lang {
            Lang::Zh => k.name_zh().to_string(),
            Lang::En => k.key().replace('_', " "),
        })
        .unwrap_or_else(|| b.kind.clone());
    let (intensity, carbon, standard, bar, mark, rating_key, source) = match &r.report {
        Some(x) => {
            let top = x
                .constraint_kwh_per_m2
                .unwrap_or(Decimal::ZERO)
                .max(x.energy_kwh_per_m2);
            (
                format::num(x.energy_kwh_per_m2, 1),
                format::num(x.carbon_kgco2_per_m2, 1),
                match (x.constraint_kwh_per_m2, x.guide_kwh_per_m2) {
                    (Some(c), Some(g)) => format!("{} / {}", format::num(c, 0), format::num(g, 0)),
                    _ => "-".into(),
                },
                percent(x.energy_kwh_per_m2, top),
                x.constraint_kwh_per_m2
                    .map(|c| percent(c, top))
                    .unwrap_or(0),
                match x.rating {
                    Some(zp_app::buildings::Rating::Guide) => "bld.rating.guide",
                    Some(zp_app::buildings::Rating::Constraint) => "bld.rating.constraint",
                    Some(zp_app::buildings::Rating::Above) => "bld.rating.above",
                    None => "bld.rating.none",
                },
                lang.t(match x.electricity_source {
                    "meters" => "bld.src.meters",
                    _ => "bld.src.ledger",
                })
                .to_string(),
            )
        }
        None => (
            "-".into(),
            "-".into(),
            "-".into(),
            0,
            0,
            "bld.rating.none",
            match &r.missing_code {
                Some(n) => lang.note(n, MISSING_ZH, r.missing.as_deref().unwrap_or_default()),
                None => r.missing.clone().unwrap_or_default(),
            },
        ),
    };
    BuildingRow {
        site: b.site.clone(),
        org: b.credit_code.to_string(),
        kind,
        area: format::num(b.floor_area_m2, 0),
        intensity,
        carbon,
        standard,
        bar,
        mark,
        rating_key,
        source,
    }
}

async fn buildings_page(
    page: Page,
    State(st): State<AppState>,
    q: crate::extract::Query<YearQuery>,
) -> PageResult {
    let lang = page.lang;
    let year = q.0.year.unwrap_or_else(zp_app::buildings::last_full_year);
    let rows = league(&st, &page.user, year)
        .await
        .map_err(|e| PageError(e, lang))?;
    let body = BuildingsBody {
        lang,
        year,
        rows: rows.into_iter().map(|r| building_row(r, lang)).collect(),
    };
    render(&page, lang.t("bld.title"), &body, &[])
}

struct ProjectRow {
    name: String,
    scope: String,
    year: i32,
    energy: String,
    carbon: String,
    /// (label, bar width %) of the shares; `None` without a budget.
    share_tce: Option<(String, u32)>,
    share_tco2: Option<(String, u32)>,
    status: String,
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectsBody {
    lang: Lang,
    rows: Vec<ProjectRow>,
}

/// A figure of a stored assessment (a JSON number, or a string); `None` for null.
fn decimal(v: &serde_json::Value) -> Option<Decimal> {
    v.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string())
        .parse()
        .ok()
}

fn share(v: &serde_json::Value) -> Option<(String, u32)> {
    let d = decimal(v)?;
    let pct = d * Decimal::from(100);
    Some((
        format!("{} %", format::num(pct, 1)),
        percent(pct, Decimal::from(100)),
    ))
}

async fn projects_page(page: Page, State(st): State<AppState>) -> PageResult {
    let lang = page.lang;
    let c = page.user.caller();
    let list = st
        .run(move |s| Ok(zp_app::assess::list(s, &c)?))
        .await
        .map_err(|e| PageError(e, lang))?;
    let num = |v: &serde_json::Value, dp: u32| {
        decimal(v).map_or_else(|| "-".into(), |d| format::num(d, dp))
    };
    let rows = list
        .into_iter()
        .map(|p| {
            let r = &p.result;
            let budget = &r["budget_share"];
            ProjectRow {
                scope: p.park.clone().unwrap_or_else(|| p.region.clone()),
                name: p.name,
                year: p.year,
                energy: num(&r["energy_tce"], 1),
                carbon: num(&r["carbon_tco2"], 1),
                share_tce: share(&budget["share_tce"]),
                share_tco2: share(&budget["share_tco2"]),
                status: match p.status.as_str() {
                    "approved" => lang.t("prj.status.approved"),
                    "rejected" => lang.t("prj.status.rejected"),
                    _ => lang.t("prj.status.assessed"),
                }
                .to_string(),
            }
        })
        .collect();
    render(
        &page,
        lang.t("prj.title"),
        &ProjectsBody { lang, rows },
        &[],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_missing_code_has_a_chinese_template_with_the_same_parameters() {
        crate::i18n::assert_same_codes(zp_app::buildings::MISSING_EN, MISSING_ZH);
    }

    #[test]
    fn a_building_without_figures_is_explained_in_chinese_and_kept_in_english() {
        let n = zp_app::note::Note::new(
            "building.no_figures",
            &[("site", "数据中心楼".into()), ("year", "2025".into())],
        );
        let en = n.text(zp_app::buildings::MISSING_EN);
        assert_eq!(
            en,
            "building \"数据中心楼\" has no ledger rows with its site and no metered readings in 2025"
        );
        assert_eq!(
            Lang::Zh.note(&n, MISSING_ZH, &en),
            "建筑“数据中心楼”2025 年没有标注其场地的台账记录，也没有计量读数"
        );
        assert_eq!(Lang::En.note(&n, MISSING_ZH, &en), en);
    }
}

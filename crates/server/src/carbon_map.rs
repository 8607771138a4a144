//! Electricity-carbon map (电碳地图): a China province map coloured by the grid's carbon
//! intensity, drill-down region -> park -> enterprise -> meter, the park's enterprises on
//! a site map, an hour-by-day heatmap of emissions and a time slider (month).
//!
//! Province colours are the published provincial grid average factors (public data); the
//! enterprise figures on top are those visible to the caller (tenant-filtered). Monthly
//! figures come from the ledgers with each enterprise's pinned factors; the hour-by-day
//! heatmap comes from interval meter readings (see [`heatmap`]). Below province level a
//! park is drawn as its outline ([`boundary`]: on file, else the hull of its sites) with its
//! enterprises at their sites; every level carries month-by-month figures for the slider.

mod boundary;
pub use boundary::{BoundaryKind, ParkBoundary};

use crate::auth::CurrentUser;
use crate::extract::{Json, Path, Query};
use crate::i18n::{Entry, Lang};
use crate::layout::{NavItem, Page, PageError, PageResult, render};
use crate::openapi::Op;
use crate::overview::{industry_name, monthly};
use crate::registry::visible_org;
use crate::{AppError, AppState, Area};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use zp_app::GridFactorMode;
use zp_app::{Access, MeterFilter, OrgFilter, Store};
use zp_app::{Catalog, FactorKind};
use zp_domain::Region;

pub const AREA: Area = Area {
    name: "carbon_map",
    routes,
    ops: OPS,
    nav: &[NavItem {
        href: "/map",
        label: "nav.map",
        roles: &[],
        group: crate::layout::NavGroup::Monitor,
    }],
    strings: STRINGS,
};

const OPS: &[Op] = &[
    Op::get(
        "/api/v1/carbon-map/regions",
        "Provinces: grid carbon intensity (tCO2/MWh) and the caller's enterprises' totals",
    )
    .query(&[("year", "Year (default: latest with data)", false)])
    .returns(crate::openapi::response::<Regions>),
    Op::get(
        "/api/v1/carbon-map/parks/{park}",
        "A park's enterprises with site coordinates, yearly and monthly emissions",
    )
    .query(&[("year", "Year (default: latest with data)", false)])
    .returns(crate::openapi::response::<ParkSites>),
    Op::get(
        "/api/v1/carbon-map/orgs/{code}/heatmap",
        "Hour-by-day emissions of an enterprise (or one of its meters) from interval readings",
    )
    .query(&[
        ("year", "Year", true),
        ("month", "Month 1-12 (default: the whole year)", false),
        ("meter", "One meter of the enterprise", false),
    ])
    .returns(crate::openapi::response::<HeatmapAnswer>),
    Op::get(
        "/api/v1/carbon-map/hours",
        "Hour-of-day profile from interval readings: each enterprise's grid import and Scope 2 emissions at each hour of the day (Beijing time) summed over the year or month, and each region's mean hourly grid factor at that hour; the map's hour slider",
    )
    .query(&[
        ("year", "Year (default: latest with data)", false),
        ("month", "Month 1-12 (default: the whole year)", false),
        ("park", "Park name (one of park, region, org; none: every enterprise the caller sees)", false),
        ("region", "Region code, e.g. CQ", false),
        ("org", "Enterprise credit code", false),
    ])
    .returns(crate::openapi::response::<zp_app::readings::HourProfile>),
];

const STRINGS: &[Entry] = &[
    ("nav.map", "电碳地图", "Carbon map"),
    ("map.title", "电碳地图", "Electricity-carbon map"),
    ("map.country", "全国", "China"),
    (
        "map.grid_intensity",
        "电网平均排放因子",
        "Grid average emission factor",
    ),
    ("map.site_map", "企业分布", "Enterprises on the site map"),
    (
        "map.no_factor",
        "无数据（该省无已发布的省级因子）",
        "No data (no published provincial factor)",
    ),
    (
        "map.heatmap",
        "逐时碳排放热力图（日 × 小时）",
        "Hourly emissions heatmap (day × hour)",
    ),
    ("map.month", "月份", "Month"),
    ("map.whole_year", "全年", "Whole year"),
    ("map.hour", "时段", "Hour of day"),
    ("map.whole_day", "全天", "Whole day"),
    (
        "map.hour_figures",
        "该时段外购电力（范围二，基于位置）",
        "Grid electricity in this hour (Scope 2, location-based)",
    ),
    ("map.hour_grid", "外购电量", "Grid import"),
    ("map.hour_emissions", "排放", "Emissions"),
    (
        "map.hour_factor",
        "该时段逐时电网因子均值",
        "Mean hourly grid factor in this hour",
    ),
    (
        "map.hour_annual",
        "无逐时因子，按年均因子着色",
        "No hourly factor: coloured by the annual factor",
    ),
    (
        "map.hour_none",
        "无 15 分钟计量数据：时段数据来自计量读数",
        "No interval readings: the hour figures come from meter readings",
    ),
    ("map.parks", "园区", "Parks"),
    ("map.meters", "计量表", "Meters"),
    (
        "map.no_readings",
        "该对象暂无 15 分钟计量数据，热力图需要导入计量读数。",
        "No interval readings for this selection yet; the heatmap needs meter readings.",
    ),
    (
        "map.click_region",
        "点击省份查看园区",
        "Click a province to see its parks",
    ),
    (
        "map.click_park",
        "点击园区查看企业分布",
        "Click a park to see its enterprises",
    ),
    (
        "map.click_org",
        "点击企业查看逐时排放与计量表",
        "Click an enterprise for its hourly emissions and meters",
    ),
    ("map.orgs_here", "可见企业", "Visible enterprises"),
    ("map.open_org", "打开企业页面", "Open the enterprise page"),
    (
        "map.heatmap_caption",
        "热力图为外购电力的碳排放（范围二，逐时电网因子）",
        "The heatmap shows the emissions of grid electricity (Scope 2, hourly grid factors)",
    ),
    (
        "map.heatmap_total",
        "企业碳排放总量（范围一 + 范围二，基于位置）",
        "The enterprise's total emissions (Scope 1 + 2, location-based)",
    ),
    (
        "map.boundary.illustrative",
        "示意边界（演示园区，非官方边界）",
        "Illustrative boundary (demo park, not an official boundary)",
    ),
    ("map.boundary.official", "园区边界", "Park boundary"),
    (
        "map.boundary.sites_hull",
        "无园区边界数据：按企业厂址外包范围绘制",
        "No park boundary on file: drawn as the hull of the enterprises' sites",
    ),
    (
        "map.boundary.none",
        "无园区边界数据，企业也无厂址坐标",
        "No park boundary on file and no enterprise site coordinates",
    ),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/map", get(page))
        .route("/api/v1/carbon-map/regions", get(regions))
        .route("/api/v1/carbon-map/parks/{park}", get(park_sites))
        .route("/api/v1/carbon-map/orgs/{code}/heatmap", get(heatmap_api))
        .route("/api/v1/carbon-map/hours", get(hours_api))
}

#[derive(Deserialize, Default)]
struct YearQuery {
    year: Option<i32>,
}

/// `year`, or the latest complete year of the caller's data (`zp_app::park::default_year`).
pub(crate) fn year_or_latest(
    s: &mut dyn Store,
    access: &Access,
    year: Option<i32>,
) -> Result<i32, AppError> {
    Ok(match year {
        Some(y) => y,
        None => {
            let years = s.activity_years(access)?;
            let orgs = s.orgs(access, &OrgFilter::default())?;
            crate::overview::default_year(s, access, &orgs, &years)?
        }
    })
}

/// The provincial grid average factor of `year` (else the latest earlier year, else the
/// earliest later one), tCO2/MWh, with the year it is for.
pub fn grid_factor(catalog: &Catalog, region: Region, year: i32) -> Option<(Decimal, i32)> {
    let mut candidates: Vec<(i32, Decimal)> = catalog
        .all()
        .iter()
        .filter(|f| f.kind == FactorKind::GridAverage && f.region == Some(region))
        .filter_map(|f| f.year.map(|y| (y, f.value)))
        .collect();
    candidates.sort_by_key(|(y, _)| *y);
    candidates
        .iter()
        .rev()
        .find(|(y, _)| *y <= year)
        .or_else(|| candidates.first())
        .map(|(y, v)| (*v, *y))
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RegionCell {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub grid_tco2_per_mwh: Option<Decimal>,
    pub factor_year: Option<i32>,
    pub orgs: usize,
    pub parks: Vec<String>,
    pub energy_tce: Decimal,
    pub emissions_market_tco2: Decimal,
    /// The visible enterprises' energy per month, January first.
    pub monthly_energy_tce: Vec<Decimal>,
    /// Their market-based emissions (Scope 1 + 2) per month, January first.
    pub monthly_emissions_market_tco2: Vec<Decimal>,
}

/// Twelve sums of `f` over the months' figures, January first.
fn by_month(
    months: &[zp_app::park::MonthFigures],
    f: impl Fn(&zp_app::park::MonthFigures) -> Decimal,
) -> Vec<Decimal> {
    let mut out = vec![Decimal::ZERO; 12];
    for m in months {
        if let Some(i) = m
            .period
            .get(5..7)
            .and_then(|mm| mm.parse::<usize>().ok())
            .filter(|i| (1..=12).contains(i))
        {
            out[i - 1] += f(m);
        }
    }
    out
}

/// Adds `b` to `a` month by month.
fn add_months(a: &mut [Decimal], b: &[Decimal]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += *y;
    }
}

fn market_tco2(m: &zp_app::park::MonthFigures) -> Decimal {
    m.scope1_tco2 + m.scope2_market_tco2
}

fn region_cells(
    s: &mut dyn Store,
    access: &Access,
    year: i32,
    actor: &str,
) -> Result<Vec<RegionCell>, AppError> {
    let catalog = zp_app::catalog(s)?;
    let mut cells: BTreeMap<&'static str, RegionCell> = Region::all()
        .filter(|r| !r.is_national())
        .map(|r| {
            let g = grid_factor(&catalog, r, year);
            (
                r.code(),
                RegionCell {
                    code: r.code(),
                    name_zh: r.name_zh(),
                    name_en: r.name_en(),
                    grid_tco2_per_mwh: g.map(|(v, _)| v),
                    factor_year: g.map(|(_, y)| y),
                    orgs: 0,
                    parks: Vec::new(),
                    energy_tce: Decimal::ZERO,
                    emissions_market_tco2: Decimal::ZERO,
                    monthly_energy_tce: vec![Decimal::ZERO; 12],
                    monthly_emissions_market_tco2: vec![Decimal::ZERO; 12],
                },
            )
        })
        .collect();
    for park in s.parks(access)? {
        if let Some(c) = cells.get_mut(park.region.code()) {
            c.parks.push(park.name);
        }
    }
    for org in s.orgs(access, &OrgFilter::default())? {
        let inv = zp_app::org_inventory(
            s,
            &catalog,
            access,
            &org.credit_code,
            year,
            GridFactorMode::Provincial,
            actor,
        )?;
        let months = monthly(s, access, &catalog, &org, year, GridFactorMode::Provincial)?;
        if let Some(c) = cells.get_mut(org.region.code()) {
            c.orgs += 1;
            c.energy_tce += inv.energy_tce;
            c.emissions_market_tco2 += inv.total_market_tco2();
            add_months(
                &mut c.monthly_energy_tce,
                &by_month(&months, |m| m.energy_tce),
            );
            add_months(
                &mut c.monthly_emissions_market_tco2,
                &by_month(&months, market_tco2),
            );
        }
    }
    Ok(cells.into_values().collect())
}

async fn regions(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<Json<Regions>, AppError> {
    let (access, actor) = (who.access.clone(), who.actor());
    st.run(move |s| {
        let year = year_or_latest(s, &access, q.year)?;
        let regions = region_cells(s, &access, year, &actor)?;
        Ok(Json(Regions { year, regions }))
    })
    .await
}

/// The map of regions in a year.
#[derive(Serialize, schemars::JsonSchema)]
pub struct Regions {
    year: i32,
    regions: Vec<RegionCell>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SitePoint {
    pub credit_code: String,
    pub name: String,
    pub industry: String,
    pub industry_name_zh: String,
    pub industry_name_en: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub energy_tce: Decimal,
    pub emissions_location_tco2: Decimal,
    pub emissions_market_tco2: Decimal,
    pub intensity_market_tco2_per_tce: Option<Decimal>,
    /// Location-based emissions (Scope 1 + 2) per month, January first.
    pub monthly_location_tco2: Vec<Decimal>,
    /// Energy per month, January first.
    pub monthly_energy_tce: Vec<Decimal>,
    /// Market-based emissions (Scope 1 + 2) per month, January first.
    pub monthly_emissions_market_tco2: Vec<Decimal>,
    pub meters: usize,
}

fn park_points(
    s: &mut dyn Store,
    access: &Access,
    park: &str,
    year: i32,
    actor: &str,
) -> Result<Vec<SitePoint>, AppError> {
    let park = s
        .park(access, park)?
        .ok_or_else(|| AppError::NotFound(format!("park {park:?}")))?;
    let catalog = zp_app::catalog(s)?;
    let orgs = s.orgs(
        access,
        &OrgFilter {
            park: Some(park.name.clone()),
            region: None,
        },
    )?;
    let mut points = Vec::with_capacity(orgs.len());
    for org in orgs {
        let grid = GridFactorMode::Provincial;
        let inv = zp_app::org_inventory(s, &catalog, access, &org.credit_code, year, grid, actor)?;
        let months = monthly(s, access, &catalog, &org, year, grid)?;
        let site = s.sites(access, &org.credit_code)?.into_iter().next();
        let meters = s
            .meters(access, &MeterFilter::of_org(&org.credit_code))?
            .len();
        points.push(SitePoint {
            credit_code: org.credit_code.to_string(),
            name: org.name.clone(),
            industry_name_zh: industry_name(&org.industry, Lang::Zh),
            industry_name_en: industry_name(&org.industry, Lang::En),
            industry: org.industry.clone(),
            lat: site.as_ref().and_then(|s| s.lat),
            lon: site.as_ref().and_then(|s| s.lon),
            energy_tce: inv.energy_tce,
            emissions_location_tco2: inv.total_location_tco2(),
            emissions_market_tco2: inv.total_market_tco2(),
            intensity_market_tco2_per_tce: inv.intensity_market_tco2_per_tce,
            monthly_location_tco2: by_month(&months, |m| m.scope1_tco2 + m.scope2_location_tco2),
            monthly_energy_tce: by_month(&months, |m| m.energy_tce),
            monthly_emissions_market_tco2: by_month(&months, market_tco2),
            meters,
        });
    }
    Ok(points)
}

async fn park_sites(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(park): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Json<ParkSites>, AppError> {
    let (access, actor) = (who.access.clone(), who.actor());
    st.run(move |s| {
        let year = year_or_latest(s, &access, q.year)?;
        let orgs = park_points(s, &access, &park, year, &actor)?;
        let sites: Vec<[f64; 2]> = orgs.iter().filter_map(|o| Some([o.lon?, o.lat?])).collect();
        let boundary = boundary::of_park(&park, &sites);
        Ok(Json(ParkSites {
            park,
            year,
            boundary,
            orgs,
        }))
    })
    .await
}

/// The enterprises of a park on the map.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ParkSites {
    park: String,
    year: i32,
    /// The park's outline: on file (illustrative for the demo parks), else the hull of
    /// the sites below.
    boundary: ParkBoundary,
    orgs: Vec<SitePoint>,
}

/// Emissions of one enterprise (or meter) per hour, as a day × hour grid.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Heatmap {
    pub credit_code: String,
    pub meter: Option<String>,
    /// `YYYY-MM-DD`, Asia/Shanghai.
    pub days: Vec<String>,
    /// `[day index, hour 0-23, tCO2]`.
    pub cells: Vec<(usize, u8, f64)>,
    pub total_tco2: f64,
    /// Hours priced with the fallback (yearly) factor instead of an hourly one.
    pub fallback_factor_hours: u64,
    pub meters: Vec<String>,
}

#[derive(Deserialize)]
struct HeatmapQuery {
    year: i32,
    month: Option<u32>,
    meter: Option<String>,
}

/// The hour-by-day heatmap from interval readings, `None` when there are none for the
/// selection (or the server has no readings store). For an enterprise: hourly grid import
/// (consumption minus own generation) x the hour's grid factor, exactly as `report
/// carbon-map` computes it (yearly factor where no hourly one, counted). For one meter: its
/// metered energy x the hourly factor; hours without an hourly factor are not priced and
/// are counted in `fallback_factor_hours`.
#[allow(clippy::too_many_arguments)]
pub fn heatmap(
    s: &mut dyn Store,
    access: &Access,
    code: &str,
    meter: Option<&str>,
    year: i32,
    month: Option<u32>,
    readings_dir: Option<&std::path::Path>,
) -> Result<Option<Heatmap>, AppError> {
    let org = visible_org(s, access, code)?;
    let meters = s.meters(access, &MeterFilter::of_org(&org.credit_code))?;
    if let Some(m) = meter
        && !meters.iter().any(|x| x.meter == m)
    {
        return Err(AppError::NotFound(format!("meter {m}")));
    }
    let Some(dir) = readings_dir.filter(|d| d.exists()) else {
        return Ok(None);
    };
    let rs = zp_app::readings::ReadingStore::open(dir)
        .map_err(|e| AppError::Internal(format!("readings store: {e}")))?;
    let bad = |e: jiff::Error| AppError::BadRequest(e.to_string());
    let first = jiff::civil::Date::new(year as i16, month.unwrap_or(1) as i8, 1).map_err(bad)?;
    let last = match month {
        Some(_) => first.last_of_month(),
        None => jiff::civil::Date::new(year as i16, 12, 31).map_err(bad)?,
    };
    let from = zp_domain::time::local_day_start(first);
    let to = zp_domain::time::local_day_start(last.tomorrow().map_err(bad)?);
    // (local day index, hour) -> tCO2
    let mut cells: std::collections::BTreeMap<(usize, u8), f64> = Default::default();
    let mut fallback = 0u64;
    let day_of = |ts: i64| ((ts - from) / 86_400) as usize;
    let hour_of = |ts: i64| zp_domain::time::local(ts).hour() as u8;
    match meter {
        None => {
            let map = zp_app::readings::carbon_map(
                s,
                access,
                &rs,
                &zp_app::readings::CarbonMapQuery {
                    scope: zp_app::readings::MapScope::Org(org.credit_code.clone()),
                    from: first.to_string(),
                    to: last.to_string(),
                    by: zp_app::readings::Resolution::Hour,
                    group: zp_app::readings::MapGroup::Enterprise,
                },
            )?;
            for r in &map.rows {
                let ts = zp_domain::time::parse_timestamp(&r.period)
                    .map_err(|e| AppError::Internal(format!("period {}: {e}", r.period)))?;
                cells.insert(
                    (day_of(ts), hour_of(ts)),
                    crate::format::f64_of(r.emissions_tco2),
                );
                fallback += r.fallback_hours;
            }
        }
        Some(m) => {
            let factors: std::collections::HashMap<i64, f64> = s
                .grid_hourly(org.region, from, to)?
                .into_iter()
                .map(|f| (f.ts, f.tco2_per_mwh))
                .collect();
            for (h, wh) in rs
                .hourly_wh(m, from, to)
                .map_err(|e| AppError::Internal(format!("readings: {e}")))?
            {
                match factors.get(&h) {
                    Some(k) => {
                        cells.insert((day_of(h), hour_of(h)), wh as f64 / 1e6 * k);
                    }
                    None => fallback += 1,
                }
            }
        }
    }
    if cells.is_empty() {
        return Ok(None);
    }
    let n_days = day_of(to - 1) + 1;
    let days = (0..n_days)
        .map(|i| zp_domain::time::format_local(from + 86_400 * i as i64)[..10].to_string())
        .collect();
    let total_tco2 = cells.values().sum();
    Ok(Some(Heatmap {
        credit_code: org.credit_code.to_string(),
        meter: meter.map(str::to_string),
        days,
        cells: cells.into_iter().map(|((d, h), v)| (d, h, v)).collect(),
        total_tco2,
        fallback_factor_hours: fallback,
        meters: meters.iter().map(|m| m.meter.clone()).collect(),
    }))
}

async fn heatmap_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(code): Path<String>,
    Query(q): Query<HeatmapQuery>,
) -> Result<Json<HeatmapAnswer>, AppError> {
    if q.month.is_some_and(|m| !(1..=12).contains(&m)) {
        return Err(AppError::BadRequest("month: 1 to 12".into()));
    }
    let access = who.access.clone();
    let dir = st.config.readings_dir.clone();
    st.run(move |s| {
        let h = heatmap(
            s,
            &access,
            &code,
            q.meter.as_deref(),
            q.year,
            q.month,
            dir.as_deref(),
        )?;
        let meters = {
            let org = visible_org(s, &access, &code)?;
            s.meters(
                &access,
                &MeterFilter {
                    org: Some(org.credit_code),
                    ..Default::default()
                },
            )?
        };
        Ok(Json(HeatmapAnswer {
            available: h.is_some(),
            heatmap: h,
            meters,
        }))
    })
    .await
}

#[derive(Deserialize)]
struct HoursQuery {
    year: Option<i32>,
    month: Option<u32>,
    park: Option<String>,
    region: Option<String>,
    org: Option<String>,
}

async fn hours_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<HoursQuery>,
) -> Result<Json<zp_app::readings::HourProfile>, AppError> {
    if q.month.is_some_and(|m| !(1..=12).contains(&m)) {
        return Err(AppError::BadRequest("month: 1 to 12".into()));
    }
    let scope = match crate::readings::scope_param(&q.org, &q.park, &q.region)? {
        Some(s) => zp_app::readings::ProfileScope::Map(s),
        None => zp_app::readings::ProfileScope::All,
    };
    let readings = crate::readings::open_store(&st)?;
    let access = who.access.clone();
    st.run(move |s| {
        let year = year_or_latest(s, &access, q.year)?;
        Ok(Json(zp_app::readings::hour_profile(
            s, &access, &readings, &scope, year, q.month,
        )?))
    })
    .await
}

/// An enterprise's hourly heatmap (none without readings) and its meters.
#[derive(Serialize, schemars::JsonSchema)]
pub struct HeatmapAnswer {
    available: bool,
    heatmap: Option<Heatmap>,
    meters: Vec<zp_app::Meter>,
}

#[derive(Template)]
#[template(path = "map.html")]
struct Body {
    lang: Lang,
    year: i32,
    years: Vec<i32>,
    data: String,
}

#[derive(Deserialize)]
struct MapQuery {
    year: Option<i32>,
    org: Option<String>,
    park: Option<String>,
    meter: Option<String>,
}

async fn page(page: Page, State(st): State<AppState>, Query(q): Query<MapQuery>) -> PageResult {
    let lang = page.lang;
    let access = page.user.access.clone();
    let (year, years, start) = st
        .run(move |s| {
            let years = s.activity_years(&access)?;
            let year = year_or_latest(s, &access, q.year)?;
            // Where the drill-down starts: a linked enterprise/meter, a park, or the country.
            let start = match (&q.org, &q.park) {
                (Some(code), _) => {
                    let org = visible_org(s, &access, code)?;
                    serde_json::json!({"region": org.region.code(), "park": org.park,
                        "org": org.credit_code.to_string(), "meter": q.meter})
                }
                (None, Some(p)) => {
                    let park = s
                        .park(&access, p)?
                        .ok_or_else(|| AppError::NotFound(format!("park {p:?}")))?;
                    serde_json::json!({"region": park.region.code(), "park": park.name})
                }
                (None, None) => match &access {
                    Access::Park(p) => {
                        let region = s.park(&access, p)?.map(|x| x.region.code());
                        serde_json::json!({"region": region, "park": p})
                    }
                    Access::Region(r) => serde_json::json!({"region": r.code()}),
                    _ => serde_json::json!({}),
                },
            };
            Ok((year, years, start))
        })
        .await
        .map_err(|e| PageError(e, lang))?;
    let labels: BTreeMap<&str, &str> = [
        "map.country",
        "map.grid_intensity",
        "map.no_factor",
        "map.site_map",
        "map.heatmap",
        "map.whole_year",
        "map.whole_day",
        "map.hour_figures",
        "map.hour_grid",
        "map.hour_emissions",
        "map.hour_factor",
        "map.hour_annual",
        "map.hour_none",
        "map.parks",
        "map.meters",
        "map.no_readings",
        "map.click_region",
        "map.click_park",
        "map.click_org",
        "map.orgs_here",
        "map.open_org",
        "map.heatmap_caption",
        "map.heatmap_total",
        "map.boundary.illustrative",
        "map.boundary.official",
        "map.boundary.sites_hull",
        "map.boundary.none",
        "meter.kind.consumption",
        "meter.kind.generation",
        "meter.kind.battery_charge",
        "meter.kind.battery_discharge",
        "overview.energy",
        "overview.emissions_market",
        "overview.intensity",
        "overview.emissions_location",
        "common.industry",
        "unit.tco2",
        "unit.tce",
    ]
    .into_iter()
    .map(|k| (k, lang.t(k)))
    .collect();
    let data = serde_json::json!({
        "year": year,
        "lang": lang.code(),
        "start": start,
        "labels": labels,
        "regions": Region::all().filter(|r| !r.is_national())
            .map(|r| (r.code(), serde_json::json!({"zh": r.name_zh(), "en": r.name_en()})))
            .collect::<BTreeMap<_, _>>(),
    });
    let body = Body {
        lang,
        year,
        years,
        data: crate::format::script_json(&data),
    };
    render(&page, lang.t("map.title"), &body, &["/assets/map.js"])
}

//! Enterprise page (企业): the inventory with lineage (click a figure to see its input rows
//! and factors), the monthly trend, meters, sites and designations.

use crate::extract::{Json, Path, Query};
use crate::format::{self, f64_of};
use crate::i18n::{Entry, Lang};
use crate::layout::{Page, PageError, PageResult, render};
use crate::openapi::Op;
use crate::overview::{Kpi, clean_share_kpi, emission_kpis, industry_name, intensity_kpi, monthly};
use crate::registry::visible_org;
use crate::{AppError, AppState, Area};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use zp_app::{GridFactorMode, Inventory};
use zp_app::{Meter, MeterFilter, Site};

pub const AREA: Area = Area {
    name: "enterprise",
    routes,
    ops: OPS,
    nav: &[],
    strings: STRINGS,
};

const OPS: &[Op] = &[
    Op::get("/api/v1/orgs/{code}/meters", "Meters of an enterprise")
        .returns(crate::openapi::response::<Meters>),
    Op::get(
        "/api/v1/orgs/{code}/monthly",
        "Monthly figures of an enterprise with its pinned factors",
    )
    .query(&[("year", "Reporting year", true)])
    .returns(crate::openapi::response::<Monthly>),
];

const STRINGS: &[Entry] = &[
    (
        "org.lineage",
        "核算明细（点击数字查看来源数据与排放因子）",
        "Inventory with lineage (click a figure for its input rows and factors)",
    ),
    ("org.carrier", "能源品种", "Carrier"),
    ("org.quantity", "数量", "Quantity"),
    ("org.formula", "计算公式", "Formula"),
    ("org.factors", "排放因子", "Factors"),
    ("org.inputs", "来源数据行", "Input rows"),
    ("org.period", "期间", "Period"),
    ("org.meters", "计量表", "Meters"),
    ("org.meter", "表号", "Meter"),
    ("org.sites", "厂区", "Sites"),
    ("org.address", "地址", "Address"),
    ("org.latlon", "纬度, 经度", "lat, lon"),
    ("org.no_meters", "尚未登记计量表。", "No meters registered."),
    (
        "org.energy_intensity",
        "万元产值能耗",
        "Energy per 10,000 yuan output",
    ),
    ("org.total", "合计", "Total"),
    (
        "org.choose",
        "点击上表中的数字查看其来源。",
        "Click a figure in the table to see where it comes from.",
    ),
    (
        "org.history",
        "台账全部版本（含被更正的记录）",
        "All ledger versions (including restated rows)",
    ),
    ("org.factor_note", "说明", "Note"),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs/{code}", get(page))
        .route("/api/v1/orgs/{code}/meters", get(meters))
        .route("/api/v1/orgs/{code}/monthly", get(monthly_api))
}

async fn meters(
    State(st): State<AppState>,
    who: crate::auth::CurrentUser,
    Path(code): Path<String>,
) -> Result<Json<Meters>, AppError> {
    let access = who.access.clone();
    st.run(move |s| {
        let org = visible_org(s, &access, &code)?;
        let filter = MeterFilter {
            org: Some(org.credit_code),
            ..Default::default()
        };
        Ok(Json(Meters {
            meters: s.meters(&access, &filter)?,
        }))
    })
    .await
}

#[derive(Deserialize)]
struct YearOnly {
    year: Option<i32>,
    /// The page's month range (`YYYY-MM`, `month_range.rs`).
    from: Option<String>,
    to: Option<String>,
}

async fn monthly_api(
    State(st): State<AppState>,
    who: crate::auth::CurrentUser,
    Path(code): Path<String>,
    Query(q): Query<YearOnly>,
) -> Result<Json<Monthly>, AppError> {
    let access = who.access.clone();
    let year = q
        .year
        .ok_or_else(|| AppError::BadRequest("year is required".into()))?;
    st.run(move |s| {
        let org = visible_org(s, &access, &code)?;
        let catalog = zp_app::catalog(s)?;
        let months = monthly(s, &access, &catalog, &org, year, GridFactorMode::Provincial)?;
        Ok(Json(Monthly {
            credit_code: org.credit_code,
            year,
            months,
        }))
    })
    .await
}

/// The meters of an enterprise.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Meters {
    meters: Vec<zp_app::Meter>,
}

/// An enterprise's figures month by month.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Monthly {
    credit_code: zp_domain::CreditCode,
    year: i32,
    months: Vec<zp_app::park::MonthFigures>,
}

struct LineRow {
    name: String,
    quantity: String,
    unit: String,
    energy: String,
    scope1: String,
    location: String,
    market: String,
    formula: String,
    factors: Vec<FactorRow>,
    inputs: Vec<InputRow>,
}

struct FactorRow {
    id: String,
    value: String,
    unit: String,
    source: String,
    note: String,
}

struct InputRow {
    period: String,
    quantity: String,
    unit: String,
    source: String,
}

#[derive(Template)]
#[template(path = "enterprise.html")]
struct Body {
    lang: Lang,
    name: String,
    code: String,
    industry: String,
    park: String,
    region: String,
    year: i32,
    years: Vec<i32>,
    designations: Vec<String>,
    kpis: Vec<Kpi>,
    lines: Vec<LineRow>,
    total: LineRow,
    /// Each note as pieces, `true` where a piece is a code or value.
    notes: Vec<Vec<(bool, String)>>,
    meters: Vec<Meter>,
    sites: Vec<Site>,
    data: String,
    /// Months of the year with figures: under 12, the page says so.
    months: usize,
    /// The month range (`YYYY-MM`, empty for the whole year), its tiles and the page
    /// without it.
    range_from: String,
    range_to: String,
    range_kpis: Vec<Kpi>,
    range_clear: String,
}

fn line_rows(inv: &Inventory, lang: Lang) -> Vec<LineRow> {
    inv.lines
        .iter()
        .map(|l| {
            let (quantity, unit) = format::display_quantity(lang, l.quantity, &l.unit);
            LineRow {
                name: match lang {
                    Lang::Zh => l.name_zh.clone(),
                    Lang::En => l.carrier.key().replace('_', " "),
                },
                quantity,
                unit,
                energy: format::num(l.energy_tce, 2),
                scope1: format::num(l.scope1_tco2, 2),
                location: format::num(l.scope2_location_tco2, 2),
                market: format::num(l.scope2_market_tco2, 2),
                formula: l.formula.clone(),
                factors: l
                    .factor_ids
                    .iter()
                    .filter_map(|id| inv.factors.iter().find(|f| &f.id == id))
                    .map(|f| FactorRow {
                        id: f.id.clone(),
                        value: f.value.normalize().to_string(),
                        unit: f.unit.clone(),
                        source: f.source.clone(),
                        note: f.note.clone().unwrap_or_default(),
                    })
                    .collect(),
                inputs: l
                    .inputs
                    .iter()
                    .map(|i| InputRow {
                        period: i.period.to_string(),
                        quantity: i.quantity.normalize().to_string(),
                        unit: i.unit.clone(),
                        source: i.source.clone(),
                    })
                    .collect(),
            }
        })
        .collect()
}

async fn page(
    page: Page,
    State(st): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<YearOnly>,
) -> PageResult {
    let (access, actor, lang) = (page.user.access.clone(), page.user.actor(), page.lang);
    let loaded = st
        .run(move |s| {
            let org = visible_org(s, &access, &code)?;
            // The enterprise's years with ledger rows; it opens on the fullest (latest of equals).
            let mut years = Vec::new();
            let mut fullest: Option<(usize, i32)> = None;
            for y in s.activity_years(&access)? {
                let n = s.activity(&access, &org.credit_code, y)?.len();
                if n > 0 {
                    years.push(y);
                }
                if fullest.is_none_or(|(bn, by)| n > bn || (n == bn && y > by)) {
                    fullest = Some((n, y));
                }
            }
            let year = q
                .year
                .or(fullest.map(|(_, y)| y))
                .unwrap_or(zp_app::demo::DEMO_YEAR);
            let catalog = zp_app::catalog(s)?;
            let inv = zp_app::org_inventory(
                s,
                &catalog,
                &access,
                &org.credit_code,
                year,
                GridFactorMode::Provincial,
                &actor,
            )?;
            let months = monthly(s, &access, &catalog, &org, year, GridFactorMode::Provincial)?;
            // The year before, for 同比.
            let previous = if years.contains(&(year - 1)) {
                monthly(
                    s,
                    &access,
                    &catalog,
                    &org,
                    year - 1,
                    GridFactorMode::Provincial,
                )?
            } else {
                Vec::new()
            };
            let filter = MeterFilter {
                org: Some(org.credit_code.clone()),
                ..Default::default()
            };
            let meters = s.meters(&access, &filter)?;
            let sites = s.sites(&access, &org.credit_code)?;
            let designations = s.designations(&access, Some(org.credit_code.as_str()))?;
            Ok((
                org,
                years,
                year,
                inv,
                (months, previous),
                meters,
                sites,
                designations,
            ))
        })
        .await
        .map_err(|e| PageError(e, lang))?;
    let (org, years, year, inv, (months, previous), meters, sites, designations) = loaded;
    let range = crate::month_range::MonthRange::parse(year, q.from.as_deref(), q.to.as_deref())
        .map_err(|e| PageError(e, lang))?;
    let covered = zp_app::park::months_with_figures(&months);
    // An intensity of a part year is marked as such.
    let partial = if covered < 12 {
        format!(
            "{}，{covered}/12 {}",
            lang.t("overview.partial_year"),
            lang.t("overview.months")
        )
    } else {
        String::new()
    };
    let mut kpis = Vec::from(crate::overview::with_changes(
        lang,
        emission_kpis(lang, &inv, 1),
        &months,
        &previous,
    ));
    let output = inv
        .output_value_10k_yuan
        .map(|v| format!("{} 万元", format::num(v, 0)))
        .unwrap_or_default();
    kpis.extend([
        intensity_kpi(lang, &inv, partial),
        clean_share_kpi(lang, &inv, String::new()),
        Kpi::new(
            "kpi-output",
            lang.t("org.energy_intensity"),
            format::opt(inv.energy_intensity_tce_per_10k_yuan, 3),
            "tce/万元",
            output,
        ),
    ]);
    let total = LineRow {
        name: lang.t("org.total").into(),
        quantity: String::new(),
        unit: String::new(),
        energy: format::num(inv.energy_tce, 2),
        scope1: format::num(inv.scope1_tco2, 2),
        location: format::num(inv.scope2_location_tco2, 2),
        market: format::num(inv.scope2_market_tco2, 2),
        formula: String::new(),
        factors: Vec::new(),
        inputs: Vec::new(),
    };
    // The trend shows the chosen months, the tiles the year (and the months beside it).
    let shown_months = range.map_or_else(|| months.clone(), |r| r.pick(&months));
    let data = serde_json::json!({
        "labels": {
            "energy": lang.t("overview.energy"), "scope1": lang.t("overview.scope1"),
            "scope2_location": lang.t("overview.scope2_location"),
            "scope2_market": lang.t("overview.scope2_market"),
            "tce": lang.t("unit.tce"), "tco2": lang.t("unit.tco2"),
        },
        "months": shown_months.iter().map(|m| m.period.clone()).collect::<Vec<_>>(),
        "energy_tce": shown_months.iter().map(|m| f64_of(m.energy_tce)).collect::<Vec<_>>(),
        "scope1_tco2": shown_months.iter().map(|m| f64_of(m.scope1_tco2)).collect::<Vec<_>>(),
        "scope2_location_tco2": shown_months.iter().map(|m| f64_of(m.scope2_location_tco2)).collect::<Vec<_>>(),
        "scope2_market_tco2": shown_months.iter().map(|m| f64_of(m.scope2_market_tco2)).collect::<Vec<_>>(),
    });
    let body = Body {
        lang,
        name: org.name.clone(),
        code: org.credit_code.to_string(),
        industry: format!("{} ({})", industry_name(&org.industry, lang), org.industry),
        park: org.park.clone().unwrap_or_default(),
        region: lang.region(org.region).into(),
        year,
        years,
        designations: designations
            .iter()
            .map(|d| crate::format::designation_label(d, lang))
            .collect(),
        kpis,
        lines: line_rows(&inv, lang),
        total,
        notes: inv
            .notes
            .iter()
            .map(|n| crate::inventory_notes::note_pieces(lang, n))
            .collect(),
        meters,
        sites,
        data: format::script_json(&data),
        months: covered,
        range_from: range.map(|r| r.first_month()).unwrap_or_default(),
        range_to: range.map(|r| r.last_month()).unwrap_or_default(),
        range_kpis: range.map_or_else(Vec::new, |r| {
            Vec::from(crate::overview::range_kpis(lang, &r, &months, &previous, 1))
        }),
        range_clear: format!("/orgs/{}?year={year}", org.credit_code),
    };
    render(&page, &org.name, &body, &["/assets/enterprise.js"])
}

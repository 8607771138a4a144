//! Park overview (园区总览): energy (tce), emissions (location- and market-based), the
//! carbon intensity of energy against the zero-carbon park threshold, clean electricity
//! share, the monthly trend and the enterprises of the park.

use crate::auth::CurrentUser;
use crate::extract::{Json, Path, Query};
use crate::format::{self, f64_of};
use crate::i18n::{Entry, Lang};
use crate::layout::{Page, PageResult, render};
use crate::month_range::MonthRange;
use crate::openapi::Op;
use crate::{AppError, AppState, Area};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;
pub use zp_app::park::{
    MonthFigures, ParkView, default_year, monthly, park_view, zero_carbon_threshold,
};
use zp_app::{Access, GridFactorMode, Park};
use zp_app::{Inventory, Org};
use zp_domain::CreditCode;

pub const AREA: Area = Area {
    name: "overview",
    routes,
    ops: OPS,
    nav: &[crate::layout::NavItem {
        href: "/",
        label: "nav.overview",
        roles: &[],
        group: crate::layout::NavGroup::Monitor,
    }],
    strings: STRINGS,
};

const OPS: &[Op] = &[Op::get(
    "/api/v1/parks/{park}/overview",
    "Park overview: inventory of the park, its enterprises' headline figures, the monthly \
     trend and the zero-carbon park threshold",
)
.query(&[
    (
        "year",
        "Reporting year (default: the latest with data)",
        false,
    ),
    ("grid_factor", "provincial (default) or national", false),
])
.returns(crate::openapi::response::<ParkOverview>)];

const STRINGS: &[Entry] = &[
    // The month range (`month_range.rs`).
    ("range.from", "起始月份", "From month"),
    ("range.to", "截止月份", "To month"),
    ("range.title", "所选月份", "Selected months"),
    ("range.clear", "整年", "Whole year"),
    ("range.energy", "区间能耗", "Energy in the months"),
    (
        "range.market",
        "区间碳排放（基于市场）",
        "Emissions in the months (market-based)",
    ),
    ("range.months", "个月有数据", "months with figures"),
    ("nav.overview", "园区总览", "Park overview"),
    ("overview.energy", "综合能源消费量", "Energy consumption"),
    (
        "overview.emissions_location",
        "碳排放（基于位置）",
        "Emissions (location-based)",
    ),
    (
        "overview.emissions_market",
        "碳排放（基于市场）",
        "Emissions (market-based)",
    ),
    (
        "overview.intensity",
        "单位能耗碳排放",
        "Carbon intensity of energy",
    ),
    (
        "overview.threshold",
        "零碳园区门槛",
        "Zero-carbon park threshold",
    ),
    (
        "overview.meets",
        "达到零碳园区核心指标",
        "Meets the zero-carbon park core indicator",
    ),
    (
        "overview.misses",
        "尚未达到零碳园区核心指标",
        "Above the zero-carbon park threshold",
    ),
    (
        "overview.clean_share",
        "清洁电力占比",
        "Clean electricity share",
    ),
    ("overview.electricity", "用电量", "Electricity"),
    ("overview.trend", "月度趋势", "Monthly trend"),
    (
        "overview.by_industry",
        "分行业碳排放",
        "Emissions by industry",
    ),
    ("overview.members", "园区企业", "Enterprises of the park"),
    ("overview.scope1", "范围一", "Scope 1"),
    (
        "overview.scope2_location",
        "范围二（位置）",
        "Scope 2 (location)",
    ),
    (
        "overview.scope2_market",
        "范围二（市场）",
        "Scope 2 (market)",
    ),
    ("overview.designations", "称号", "Designations"),
    (
        "overview.no_park",
        "您的账号下没有可查看的园区。",
        "No park is visible to your account.",
    ),
    ("overview.months", "个月", "months"),
    ("overview.yoy", "同比", "YoY"),
    ("overview.mom", "环比", "MoM"),
    ("overview.month_suffix", "月", "months"),
    ("overview.partial_year", "不完整年度", "incomplete year"),
    (
        "overview.incomplete",
        "部分数据未能完整核算：",
        "Some activity could not be fully accounted:",
    ),
    (
        "overview.factor_note",
        "排放因子版本见企业页面的核算明细。",
        "Factor versions are listed with each enterprise's lineage.",
    ),
    (
        "overview.market_note",
        "基于市场：扣除绿证与自发自用可再生电力",
        "Market-based: net of green certificates and on-site renewables",
    ),
    ("overview.tce_of", "占园区能耗", "of park energy"),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(page))
        .route("/api/v1/parks/{park}/overview", get(api))
}

/// GB/T 4754-2017 divisions (two-digit codes) the UI names.
pub fn industry_name(code: &str, lang: Lang) -> String {
    const DIVISIONS: &[(&str, &str, &str)] = &[
        ("13", "农副食品加工业", "Agri-food processing"),
        ("14", "食品制造业", "Food manufacturing"),
        ("15", "酒、饮料和精制茶制造业", "Beverages and tea"),
        ("17", "纺织业", "Textiles"),
        ("22", "造纸和纸制品业", "Paper"),
        (
            "25",
            "石油、煤炭及其他燃料加工业",
            "Petroleum and coal products",
        ),
        ("26", "化学原料和化学制品制造业", "Chemicals"),
        ("27", "医药制造业", "Pharmaceuticals"),
        ("29", "橡胶和塑料制品业", "Rubber and plastics"),
        (
            "30",
            "非金属矿物制品业",
            "Non-metallic minerals (cement, glass)",
        ),
        ("31", "黑色金属冶炼和压延加工业", "Iron and steel"),
        ("32", "有色金属冶炼和压延加工业", "Non-ferrous metals"),
        ("33", "金属制品业", "Metal products"),
        ("34", "通用设备制造业", "General machinery"),
        ("35", "专用设备制造业", "Special machinery"),
        ("36", "汽车制造业", "Automobiles"),
        ("38", "电气机械和器材制造业", "Electrical equipment"),
        ("39", "计算机、通信和其他电子设备制造业", "Electronics"),
        ("44", "电力、热力生产和供应业", "Power and heat supply"),
        ("59", "装卸搬运和仓储业", "Warehousing and logistics"),
        ("64", "互联网和相关服务", "Internet and data centres"),
        ("65", "软件和信息技术服务业", "Software and IT services"),
    ];
    let div = code.get(..2).unwrap_or(code);
    DIVISIONS
        .iter()
        .find(|(c, _, _)| *c == div)
        .map(|(_, zh, en)| match lang {
            Lang::Zh => zh.to_string(),
            Lang::En => en.to_string(),
        })
        .unwrap_or_else(|| code.to_string())
}

#[derive(Deserialize)]
pub struct YearQuery {
    pub year: Option<i32>,
    pub park: Option<String>,
    pub grid_factor: Option<String>,
    /// The page's month range (`YYYY-MM`, `month_range.rs`).
    pub from: Option<String>,
    pub to: Option<String>,
}

pub fn grid_mode(s: Option<&str>) -> Result<GridFactorMode, AppError> {
    match s.unwrap_or("provincial") {
        "provincial" => Ok(GridFactorMode::Provincial),
        "national" => Ok(GridFactorMode::National),
        other => Err(AppError::BadRequest(format!(
            "grid_factor {other:?}: provincial or national"
        ))),
    }
}

async fn api(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(park): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Json<ParkOverview>, AppError> {
    let grid = grid_mode(q.grid_factor.as_deref())?;
    let caller = who.caller();
    let views = st.views.clone();
    let v = st
        .run(move |s| Ok(views.park_view(s, &caller, &park, q.year, grid)?))
        .await?;
    let members = v
        .members
        .iter()
        .map(|m| Member {
            credit_code: m.scope.clone(),
            name: m.name.clone(),
            energy_tce: m.energy_tce,
            scope1_tco2: m.scope1_tco2,
            scope2_location_tco2: m.scope2_location_tco2,
            scope2_market_tco2: m.scope2_market_tco2,
            intensity_market_tco2_per_tce: m.intensity_market_tco2_per_tce,
            clean_electricity_share: m.clean_electricity_share,
        })
        .collect();
    let meets_threshold = v
        .inventory
        .intensity_market_tco2_per_tce
        .map(|i| i <= v.threshold_tco2_per_tce);
    // The park's totals; its carrier lines are the members' (`/api/v1/inventory`).
    let mut inventory = v.inventory.clone();
    inventory.lines.clear();
    Ok(Json(ParkOverview {
        park: v.park.clone(),
        year: v.year,
        years: v.years.clone(),
        inventory,
        threshold_tco2_per_tce: v.threshold_tco2_per_tce,
        meets_threshold,
        members,
        monthly: v.monthly.clone(),
        designations: v.designations.clone(),
    }))
}

/// A park's year: totals, members, months and designations.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct ParkOverview {
    park: zp_app::Park,
    year: i32,
    years: Vec<i32>,
    /// The park's inventory without carrier lines (`lines` is empty).
    inventory: Inventory,
    threshold_tco2_per_tce: Decimal,
    meets_threshold: Option<bool>,
    members: Vec<Member>,
    monthly: Vec<zp_app::park::MonthFigures>,
    designations: Vec<zp_app::Designation>,
}

/// One member enterprise's figures.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Member {
    credit_code: String,
    name: String,
    energy_tce: Decimal,
    scope1_tco2: Decimal,
    scope2_location_tco2: Decimal,
    scope2_market_tco2: Decimal,
    intensity_market_tco2_per_tce: Option<Decimal>,
    clean_electricity_share: Option<Decimal>,
}

/// The energy, location-based and market-based emissions tiles of an inventory, figures
/// rounded to `dp` places (a park's to whole units, an enterprise's to one place).
pub fn emission_kpis(lang: Lang, inv: &Inventory, dp: u32) -> [Kpi; 3] {
    let electricity = format!(
        "{} {}",
        format::num(inv.electricity_mwh, 0),
        lang.t("unit.mwh")
    );
    let scopes = format!(
        "{} {} · {} {}",
        lang.t("overview.scope1"),
        format::num(inv.scope1_tco2, dp),
        lang.t("overview.scope2_location"),
        format::num(inv.scope2_location_tco2, dp)
    );
    let (tce, tco2) = (lang.t("unit.tce"), lang.t("unit.tco2"));
    [
        Kpi::new(
            "kpi-energy",
            lang.t("overview.energy"),
            format::num(inv.energy_tce, dp),
            tce,
            electricity,
        ),
        Kpi::new(
            "kpi-location",
            lang.t("overview.emissions_location"),
            format::num(inv.total_location_tco2(), dp),
            tco2,
            scopes,
        ),
        Kpi::new(
            "kpi-market",
            lang.t("overview.emissions_market"),
            format::num(inv.total_market_tco2(), dp),
            tco2,
            lang.t("overview.market_note").to_string(),
        ),
    ]
}

/// The market-based intensity tile of an inventory (tCO2/tce), with `note` under it.
pub fn intensity_kpi(lang: Lang, inv: &Inventory, note: String) -> Kpi {
    let value = format::opt(inv.intensity_market_tco2_per_tce, 3);
    Kpi::new(
        "kpi-intensity",
        lang.t("overview.intensity"),
        value,
        "tCO2/tce",
        note,
    )
}

/// The clean electricity share tile of an inventory, with `note` under it.
pub fn clean_share_kpi(lang: Lang, inv: &Inventory, note: String) -> Kpi {
    let value = format::pct(inv.clean_electricity_share, 1);
    Kpi::new("kpi-clean", lang.t("overview.clean_share"), value, "", note)
}

/// The 同比 / 环比 line of a tile: `同比 +6.7%（01-03 月）· 2024-03 环比 +33.3%`.
pub fn change_line(lang: Lang, c: &zp_app::park::Changes) -> String {
    let signed = |d: Decimal| {
        if d > Decimal::ZERO {
            format!("+{d:.1}%")
        } else {
            format!("{d:.1}%")
        }
    };
    let mut parts = Vec::new();
    if let Some(p) = c.yoy_pct {
        let months = c.yoy_months.as_deref().map_or(String::new(), |m| {
            format!("（{m} {}）", lang.t("overview.month_suffix"))
        });
        parts.push(format!("{} {}{months}", lang.t("overview.yoy"), signed(p)));
    }
    if let (Some(p), Some(m)) = (c.mom_pct, &c.mom_month) {
        parts.push(format!("{m} {} {}", lang.t("overview.mom"), signed(p)));
    }
    parts.join(" · ")
}

/// Adds the 同比 / 环比 lines of energy and market-based emissions to the first and third
/// tiles of [`emission_kpis`].
pub fn with_changes(
    lang: Lang,
    mut kpis: [Kpi; 3],
    current: &[zp_app::park::MonthFigures],
    previous: &[zp_app::park::MonthFigures],
) -> [Kpi; 3] {
    use zp_app::park::changes;
    kpis[0].change = change_line(lang, &changes(current, previous, |m| m.energy_tce));
    kpis[2].change = change_line(
        lang,
        &changes(current, previous, |m| m.scope1_tco2 + m.scope2_market_tco2),
    );
    kpis
}

/// The tiles of a month range: energy and market-based emissions summed over its months of
/// `current`, with 同比 over the same months of `previous`; `dp` places.
pub fn range_kpis(
    lang: Lang,
    range: &MonthRange,
    current: &[MonthFigures],
    previous: &[MonthFigures],
    dp: u32,
) -> [Kpi; 2] {
    use zp_app::park::changes;
    let (now, before) = (range.pick(current), range.pick(previous));
    let note = format!(
        "{} – {} · {} {}",
        range.first_month(),
        range.last_month(),
        zp_app::park::months_with_figures(&now),
        lang.t("range.months")
    );
    let energy = |m: &MonthFigures| m.energy_tce;
    let market = |m: &MonthFigures| m.scope1_tco2 + m.scope2_market_tco2;
    let sum = |f: fn(&MonthFigures) -> Decimal| now.iter().map(f).sum::<Decimal>();
    let mut tiles = [
        Kpi::new(
            "kpi-range-energy",
            lang.t("range.energy"),
            format::num(sum(energy), dp),
            lang.t("unit.tce"),
            note.clone(),
        ),
        Kpi::new(
            "kpi-range-market",
            lang.t("range.market"),
            format::num(sum(market), dp),
            lang.t("unit.tco2"),
            note,
        ),
    ];
    tiles[0].change = change_line(lang, &changes(&now, &before, energy));
    tiles[1].change = change_line(lang, &changes(&now, &before, market));
    tiles
}

/// A KPI card.
pub struct Kpi {
    pub label: &'static str,
    pub value: String,
    pub unit: &'static str,
    pub note: String,
    /// Year-on-year and month-on-month changes (empty when there is nothing to compare).
    pub change: String,
    /// `good`, `bad` or empty.
    pub tone: &'static str,
    pub id: &'static str,
}

impl Kpi {
    /// A tile without a tone.
    pub fn new(
        id: &'static str,
        label: &'static str,
        value: String,
        unit: &'static str,
        note: String,
    ) -> Kpi {
        Kpi {
            label,
            value,
            unit,
            note,
            change: String::new(),
            tone: "",
            id,
        }
    }

    /// The tile with a tone: `good`, `bad` or empty.
    pub fn with_tone(self, tone: &'static str) -> Kpi {
        Kpi { tone, ..self }
    }
}

pub struct MemberRow {
    pub code: String,
    pub name: String,
    pub industry: String,
    pub energy: String,
    pub location: String,
    pub market: String,
    pub intensity: String,
    pub clean: String,
    pub over: bool,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct Body {
    lang: Lang,
    park: String,
    region: String,
    year: i32,
    years: Vec<i32>,
    parks: Vec<String>,
    kpis: Vec<Kpi>,
    meets: Option<bool>,
    threshold: String,
    intensity: String,
    members: Vec<MemberRow>,
    designations: Vec<String>,
    /// Each note as pieces, `true` where a piece is a code or value.
    notes: Vec<Vec<(bool, String)>>,
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

async fn page(page: Page, State(st): State<AppState>, Query(q): Query<YearQuery>) -> PageResult {
    if let Access::Org(code) = &page.user.access {
        return Ok(Redirect::to(&format!("/orgs/{code}")).into_response());
    }
    let (caller, lang) = (page.user.caller(), page.lang);
    let wanted = q.park.clone();
    let views = st.views.clone();
    let loaded = st
        .run(move |s| {
            let parks = s.parks(&caller.access)?;
            let asked = wanted.and_then(|w| parks.iter().find(|p| p.name == w).cloned());
            let park = match asked {
                Some(p) => Some(p),
                None => zp_app::park::busiest_park(s, &caller.access, &parks)?,
            };
            let Some(park) = park else {
                return Ok(None);
            };
            let grid = GridFactorMode::Provincial;
            let v = views.park_view(s, &caller, &park.name, q.year, grid)?;
            // The year before, for 同比.
            let previous = if v.years.contains(&(v.year - 1)) {
                views
                    .park_view(s, &caller, &park.name, Some(v.year - 1), grid)?
                    .monthly
            } else {
                Vec::new()
            };
            Ok(Some((parks, v, previous)))
        })
        .await
        .map_err(|e| crate::layout::PageError(e, lang))?;
    let Some((parks, v, previous)) = loaded else {
        let body = NoPark { lang };
        return render(&page, lang.t("nav.overview"), &body, &[]);
    };
    let range = MonthRange::parse(v.year, q.from.as_deref(), q.to.as_deref())
        .map_err(|e| crate::layout::PageError(e, lang))?;
    let body = body(lang, parks, &v, &previous, range);
    render(&page, &v.park.name, &body, &["/assets/overview.js"])
}

#[derive(Template)]
#[template(path = "no_park.html")]
struct NoPark {
    lang: Lang,
}

fn body(
    lang: Lang,
    parks: Vec<Park>,
    v: &ParkView,
    previous: &[MonthFigures],
    range: Option<MonthRange>,
) -> Body {
    let inv = &v.inventory;
    // The trend shows the chosen months, the tiles the year (and the months beside it).
    let shown_months = range.map_or_else(|| v.monthly.clone(), |r| r.pick(&v.monthly));
    let meets = inv
        .intensity_market_tco2_per_tce
        .map(|i| i <= v.threshold_tco2_per_tce);
    let mut kpis = Vec::from(with_changes(
        lang,
        emission_kpis(lang, inv, 0),
        &v.monthly,
        previous,
    ));
    let threshold = format!(
        "{} ≤ {}",
        lang.t("overview.threshold"),
        format::num(v.threshold_tco2_per_tce, 2)
    );
    let tone = match meets {
        Some(true) => "good",
        Some(false) => "bad",
        None => "",
    };
    let clean_mwh = format!(
        "{} {}",
        format::num(inv.onsite_renewable_mwh + inv.certificates_applied_mwh, 0),
        lang.t("unit.mwh")
    );
    kpis.extend([
        intensity_kpi(lang, inv, threshold).with_tone(tone),
        clean_share_kpi(lang, inv, clean_mwh),
    ]);
    let names: BTreeMap<String, &Org> = v
        .orgs
        .iter()
        .map(|o| (o.credit_code.to_string(), o))
        .collect();
    let mut members: Vec<&Inventory> = v.members.iter().collect();
    members.sort_by_key(|m| std::cmp::Reverse(m.total_market_tco2()));
    let member_rows = members
        .iter()
        .map(|m| MemberRow {
            code: m.scope.clone(),
            name: m.name.clone(),
            industry: names
                .get(&m.scope)
                .map(|o| industry_name(&o.industry, lang))
                .unwrap_or_default(),
            energy: format::num(m.energy_tce, 0),
            location: format::num(m.total_location_tco2(), 0),
            market: format::num(m.total_market_tco2(), 0),
            intensity: format::opt(m.intensity_market_tco2_per_tce, 3),
            clean: format::pct(m.clean_electricity_share, 1),
            over: m
                .intensity_market_tco2_per_tce
                .is_some_and(|i| i > v.threshold_tco2_per_tce),
        })
        .collect();
    // Chart data: the monthly trend and emissions by industry.
    let mut by_industry: BTreeMap<String, Decimal> = BTreeMap::new();
    for m in &v.members {
        let industry = names
            .get(&m.scope)
            .map(|o| industry_name(&o.industry, lang))
            .unwrap_or_default();
        *by_industry.entry(industry).or_default() += m.total_market_tco2();
    }
    let data = serde_json::json!({
        "labels": {
            "energy": lang.t("overview.energy"),
            "scope1": lang.t("overview.scope1"),
            "scope2_location": lang.t("overview.scope2_location"),
            "scope2_market": lang.t("overview.scope2_market"),
            "tce": lang.t("unit.tce"),
            "tco2": lang.t("unit.tco2"),
        },
        "months": shown_months.iter().map(|m| m.period.clone()).collect::<Vec<_>>(),
        "energy_tce": shown_months.iter().map(|m| f64_of(m.energy_tce).round()).collect::<Vec<_>>(),
        "scope1_tco2": shown_months.iter().map(|m| f64_of(m.scope1_tco2).round()).collect::<Vec<_>>(),
        "scope2_location_tco2": shown_months.iter().map(|m| f64_of(m.scope2_location_tco2).round()).collect::<Vec<_>>(),
        "scope2_market_tco2": shown_months.iter().map(|m| f64_of(m.scope2_market_tco2).round()).collect::<Vec<_>>(),
        "industries": by_industry.iter().map(|(k, v)| serde_json::json!({"name": k, "value": f64_of(*v).round()})).collect::<Vec<_>>(),
        "intensity": inv.intensity_market_tco2_per_tce.map(f64_of),
        "threshold": f64_of(v.threshold_tco2_per_tce),
    });
    Body {
        lang,
        park: v.park.name.clone(),
        region: lang.region(v.park.region).to_string(),
        year: v.year,
        years: v.years.clone(),
        parks: parks.into_iter().map(|p| p.name).collect(),
        kpis,
        meets,
        threshold: format::num(v.threshold_tco2_per_tce, 2),
        intensity: format::opt(inv.intensity_market_tco2_per_tce, 3),
        members: member_rows,
        designations: v
            .designations
            .iter()
            .map(|d| crate::format::designation_label(d, lang))
            .collect(),
        notes: inv
            .notes
            .iter()
            .map(|n| crate::inventory_notes::note_pieces(lang, n))
            .collect(),
        data: format::script_json(&data),
        months: zp_app::park::months_with_figures(&v.monthly),
        range_from: range.map(|r| r.first_month()).unwrap_or_default(),
        range_to: range.map(|r| r.last_month()).unwrap_or_default(),
        range_kpis: range.map_or_else(Vec::new, |r| {
            Vec::from(range_kpis(lang, &r, &v.monthly, previous, 0))
        }),
        range_clear: format!(
            "/?{}",
            serde_urlencoded::to_string([
                ("park", v.park.name.clone()),
                ("year", v.year.to_string())
            ])
            .unwrap_or_default()
        ),
    }
}

/// Whether `code` parses (used by pages that take a credit code in the path).
pub fn credit_code(s: &str) -> Result<CreditCode, AppError> {
    CreditCode::parse(s).map_err(|_| AppError::NotFound(format!("enterprise {s}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_tiles_sum_the_months_and_compare_the_same_months_a_year_before() {
        let month = |period: &str, tce: i64, tco2: i64| MonthFigures {
            period: period.into(),
            energy_tce: Decimal::from(tce),
            scope1_tco2: Decimal::from(tco2),
            ..Default::default()
        };
        let now: Vec<MonthFigures> = (1..=12)
            .map(|m| month(&format!("2023-{m:02}"), 10 * m, m))
            .collect();
        let before: Vec<MonthFigures> = (1..=12)
            .map(|m| month(&format!("2022-{m:02}"), 5 * m, m))
            .collect();
        let range = MonthRange::parse(2023, Some("2023-03"), Some("2023-05"))
            .unwrap()
            .unwrap();
        assert_eq!(range.pick(&now).len(), 3);
        let [energy, market] = range_kpis(Lang::Zh, &range, &now, &before, 0);
        // 30 + 40 + 50 = 120 tce; 3 + 4 + 5 = 12 tCO2; the year before 15 + 20 + 25 = 60 tce.
        assert_eq!(energy.value, "120");
        assert_eq!(market.value, "12");
        assert!(energy.change.contains("+100.0%"), "{}", energy.change);
        assert!(
            energy.note.contains("2023-03 – 2023-05 · 3"),
            "{}",
            energy.note
        );
    }
}

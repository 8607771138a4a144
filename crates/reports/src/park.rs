//! A park's annual dual-carbon report (园区年度双碳报告): energy and emissions of the year
//! (the sum of its enterprises' issued inventories), the intensity trend over the years
//! with data, monthly figures, the zero-carbon park indicators (the 910 set's evaluation),
//! designations, climate-finance projects and applications, with charts. The use-case
//! layer gathers the parts; [`build`] adds the derived figures.

use crate::doc::Lang;
use rust_decimal::Decimal;
use serde::Serialize;
use zp_accounting::Inventory;

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ParkInfo {
    pub name: String,
    pub region: String,
    pub region_name: String,
    pub enterprises: usize,
}

/// Figures of a park (or an enterprise) in a year, from an inventory.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct YearFigures {
    pub year: i32,
    pub energy_tce: Decimal,
    pub scope1_tco2: Decimal,
    pub scope2_location_tco2: Decimal,
    pub scope2_market_tco2: Decimal,
    pub total_market_tco2: Decimal,
    pub electricity_mwh: Decimal,
    pub onsite_renewable_mwh: Decimal,
    pub clean_electricity_share: Option<Decimal>,
    pub intensity_location_tco2_per_tce: Option<Decimal>,
    pub intensity_market_tco2_per_tce: Option<Decimal>,
    /// Enterprises whose inventories are summed.
    pub enterprises: usize,
    pub factor_ids: Vec<String>,
}

impl YearFigures {
    pub fn of(inv: &Inventory) -> YearFigures {
        YearFigures {
            year: inv.year,
            energy_tce: inv.energy_tce,
            scope1_tco2: inv.scope1_tco2,
            scope2_location_tco2: inv.scope2_location_tco2,
            scope2_market_tco2: inv.scope2_market_tco2,
            total_market_tco2: inv.total_market_tco2(),
            electricity_mwh: inv.electricity_mwh,
            onsite_renewable_mwh: inv.onsite_renewable_mwh,
            clean_electricity_share: inv.clean_electricity_share,
            intensity_location_tco2_per_tce: inv.intensity_location_tco2_per_tce,
            intensity_market_tco2_per_tce: inv.intensity_market_tco2_per_tce,
            enterprises: inv.members.len().max(usize::from(inv.scope_kind == "org")),
            factor_ids: inv.factors.iter().map(|f| f.id.clone()).collect(),
        }
    }
}

/// Figures of one month (summed over the park's enterprises).
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MonthFigures {
    pub period: String,
    pub energy_tce: Decimal,
    pub scope1_tco2: Decimal,
    pub scope2_location_tco2: Decimal,
    pub scope2_market_tco2: Decimal,
    pub electricity_mwh: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Member {
    pub credit_code: String,
    pub name: String,
    pub industry: String,
    #[serde(flatten)]
    pub figures: YearFigures,
}

/// One indicator of the zero-carbon park evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub value: Option<Decimal>,
    pub unit: String,
    pub comparison: String,
    pub threshold: Option<Decimal>,
    pub status: String,
    pub veto: bool,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ZeroCarbon {
    pub scheme: String,
    pub version: String,
    pub scheme_sha256: String,
    pub pass: bool,
    pub complete: bool,
    pub indicators: Vec<Indicator>,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DesignationRow {
    pub kind: String,
    pub level: String,
    pub scope: String,
    pub granted_on: String,
    pub expires_on: Option<String>,
    pub notice: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ProjectRow {
    pub id: String,
    pub name: String,
    pub credit_code: String,
    pub kind: String,
    pub categories: Vec<String>,
    pub capex_yuan: Decimal,
    pub expected_reduction_tco2: Decimal,
    pub operation_start: String,
    pub applications: usize,
    pub requested_yuan: Decimal,
    /// Statuses of its applications, e.g. `disbursed`.
    pub statuses: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FinanceSummary {
    pub projects: usize,
    pub capex_yuan: Decimal,
    pub expected_reduction_tco2: Decimal,
    pub applications: usize,
    pub requested_yuan: Decimal,
}

pub struct ParkInput {
    pub lang: Lang,
    pub park: ParkInfo,
    pub year: i32,
    /// The park's inventory for each year with data up to the report year, oldest first.
    pub years: Vec<Inventory>,
    pub monthly: Vec<MonthFigures>,
    pub members: Vec<Member>,
    pub zero_carbon: Option<ZeroCarbon>,
    /// The 910 set's core threshold for the park's size (tCO2/tce).
    pub threshold_tco2_per_tce: Decimal,
    pub designations: Vec<DesignationRow>,
    pub projects: Vec<ProjectRow>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Lineage {
    pub method: String,
    pub factor_ids: Vec<String>,
    pub members: Vec<String>,
}

/// The report: the JSON of `zeropark report park-annual --format json`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ParkAnnualReport {
    pub report: &'static str,
    pub format_version: u32,
    pub lang: Lang,
    pub park: ParkInfo,
    pub year: i32,
    pub summary: YearFigures,
    /// Change of the market-based intensity from the previous year with data, percent.
    pub intensity_change_pct: Option<Decimal>,
    pub threshold_tco2_per_tce: Decimal,
    pub trend: Vec<YearFigures>,
    pub monthly: Vec<MonthFigures>,
    pub members: Vec<Member>,
    pub zero_carbon: Option<ZeroCarbon>,
    pub designations: Vec<DesignationRow>,
    pub projects: Vec<ProjectRow>,
    pub finance: FinanceSummary,
    pub lineage: Lineage,
    pub notes: Vec<String>,
}

/// The report from its parts; the report year's inventory must be the last of `years`.
pub fn build(input: ParkInput) -> Result<ParkAnnualReport, crate::ReportError> {
    let current = input
        .years
        .iter()
        .find(|i| i.year == input.year)
        .ok_or_else(|| {
            crate::ReportError::Invalid(format!(
                "park {} has no inventory for {}",
                input.park.name, input.year
            ))
        })?;
    let summary = YearFigures::of(current);
    let trend: Vec<YearFigures> = input.years.iter().map(YearFigures::of).collect();
    let previous = trend
        .iter()
        .filter(|y| y.year < input.year)
        .filter_map(|y| y.intensity_market_tco2_per_tce)
        .next_back();
    let intensity_change_pct = match (previous, summary.intensity_market_tco2_per_tce) {
        (Some(p), Some(c)) if !p.is_zero() => {
            Some(((c - p) / p * Decimal::ONE_HUNDRED).round_dp(2))
        }
        _ => None,
    };
    let finance = FinanceSummary {
        projects: input.projects.len(),
        capex_yuan: input.projects.iter().map(|p| p.capex_yuan).sum(),
        expected_reduction_tco2: input
            .projects
            .iter()
            .map(|p| p.expected_reduction_tco2)
            .sum(),
        applications: input.projects.iter().map(|p| p.applications).sum(),
        requested_yuan: input.projects.iter().map(|p| p.requested_yuan).sum(),
    };
    let lineage = Lineage {
        method: "park figures are sums of the member enterprises' issued inventories (pinned factors); ratios recomputed from the sums".into(),
        factor_ids: summary.factor_ids.clone(),
        members: current.members.clone(),
    };
    Ok(ParkAnnualReport {
        report: "park-annual",
        format_version: 1,
        lang: input.lang,
        park: input.park,
        year: input.year,
        summary,
        intensity_change_pct,
        threshold_tco2_per_tce: input.threshold_tco2_per_tce,
        trend,
        monthly: input.monthly,
        members: input.members,
        zero_carbon: input.zero_carbon,
        designations: input.designations,
        projects: input.projects,
        finance,
        lineage,
        notes: input.notes,
    })
}

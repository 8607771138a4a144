//! The organisation GHG inventory report after GB/T 32150-2015 (工业企业温室气体排放核算和
//! 报告通则) and ISO 14064-1:2018: boundary, emission sources, activity data with their
//! files and rows, factors with sources and versions, Scope 1 and Scope 2 (location- and
//! market-based), certificates claimed (serials), base year and recalculation policy,
//! uncertainty notes. Built from an issued inventory, so its figures are those of `report
//! inventory` with the same pinned factors.

use crate::doc::Lang;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeSet;
use zp_accounting::{FactorUse, Inventory};
use zp_domain::CarrierCategory;

/// The reporting enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Organisation {
    pub credit_code: String,
    pub name: String,
    pub region: String,
    pub region_name: String,
    pub industry: String,
    pub park: Option<String>,
    pub sites: Vec<String>,
}

/// A certificate claim of the year: a ledger row (with its serials, if named) or the
/// registry's retirements for the enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CertificateClaim {
    pub period: String,
    pub mwh: Decimal,
    pub serials: Option<String>,
    pub source: String,
}

/// The base year's figures (when it is not the report year).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaseYearFigures {
    pub year: i32,
    pub scope1_tco2: Decimal,
    pub scope2_location_tco2: Decimal,
    pub scope2_market_tco2: Decimal,
    pub factor_ids: Vec<String>,
}

pub struct GhgInput {
    pub lang: Lang,
    pub organisation: Organisation,
    /// The issued inventory of the year (provincial location-based factor).
    pub inventory: Inventory,
    /// The first year with ledger rows and, when earlier than the report year, its
    /// figures.
    pub base_year: i32,
    pub base: Option<BaseYearFigures>,
    pub certificate_claims: Vec<CertificateClaim>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Boundary {
    /// `operational_control`.
    pub consolidation: &'static str,
    pub statement: String,
    pub gases: String,
    pub sites: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Lineage {
    pub method: String,
    pub factor_ids: Vec<String>,
    pub input_rows: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Totals {
    pub energy_tce: Decimal,
    pub scope1_tco2: Decimal,
    pub scope1_combustion_tco2: Decimal,
    pub scope1_process_tco2: Decimal,
    pub scope2_location_tco2: Decimal,
    pub scope2_market_tco2: Decimal,
    pub total_location_tco2: Decimal,
    pub total_market_tco2: Decimal,
    pub electricity_mwh: Decimal,
    pub grid_electricity_mwh: Decimal,
    pub onsite_renewable_mwh: Decimal,
    pub clean_electricity_share: Option<Decimal>,
    pub intensity_location_tco2_per_tce: Option<Decimal>,
    pub intensity_market_tco2_per_tce: Option<Decimal>,
    pub grid_factor: String,
    pub lineage: Lineage,
}

/// An input row of a source: the ledger file and row it was read from.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct InputRow {
    pub id: i64,
    pub period: String,
    pub quantity: Decimal,
    pub unit: String,
    pub file: String,
    pub row: Option<i64>,
}

/// An emission source (one carrier) with its activity data and figures.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SourceLine {
    pub carrier: String,
    pub name_zh: String,
    /// `scope1_combustion`, `scope1_process`, `scope2_electricity`, `scope2_heat`,
    /// `onsite_renewable` or `certificates`.
    pub category: &'static str,
    pub quantity: Decimal,
    pub unit: String,
    pub energy_tce: Decimal,
    pub scope1_tco2: Decimal,
    pub scope2_location_tco2: Decimal,
    pub scope2_market_tco2: Decimal,
    /// Distinct months with rows.
    pub months_reported: usize,
    pub formula: String,
    pub factor_ids: Vec<String>,
    pub inputs: Vec<InputRow>,
}

/// A factor used, with its source and version (the factor set).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FactorRow {
    pub id: String,
    pub version: String,
    pub slot: String,
    pub kind: String,
    pub value: Decimal,
    pub unit: String,
    pub region: Option<String>,
    pub year: Option<i32>,
    pub source: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Certificates {
    pub retired_mwh: Decimal,
    pub applied_mwh: Decimal,
    pub unverified_mwh: Decimal,
    pub onsite_sold_mwh: Decimal,
    pub claims: Vec<CertificateClaim>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BaseYear {
    pub year: i32,
    pub scope1_tco2: Decimal,
    pub total_location_tco2: Decimal,
    pub total_market_tco2: Decimal,
    /// Change of the report year's location-based total from the base year, percent.
    pub change_location_pct: Option<Decimal>,
    pub policy: String,
}

/// The report: the JSON of `zeropark report ghg-inventory --format json`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct GhgInventoryReport {
    pub report: &'static str,
    pub format_version: u32,
    pub lang: Lang,
    pub standards: Vec<&'static str>,
    pub organisation: Organisation,
    pub year: i32,
    pub reporting_period: String,
    pub boundary: Boundary,
    pub totals: Totals,
    pub sources: Vec<SourceLine>,
    pub factors: Vec<FactorRow>,
    pub certificates: Certificates,
    pub base_year: BaseYear,
    pub uncertainty: Vec<String>,
    pub notes: Vec<String>,
    pub complete: bool,
}

fn category(c: CarrierCategory) -> &'static str {
    match c {
        CarrierCategory::Fuel => "scope1_combustion",
        CarrierCategory::ClinkerProduction => "scope1_process",
        CarrierCategory::GridElectricity => "scope2_electricity",
        CarrierCategory::PurchasedHeat | CarrierCategory::PurchasedSteam => "scope2_heat",
        CarrierCategory::OnsiteRenewable => "onsite_renewable",
        CarrierCategory::GreenCertificate => "certificates",
    }
}

fn factor_row(f: &FactorUse) -> FactorRow {
    FactorRow {
        id: f.id.clone(),
        version: f.id.split('/').next().unwrap_or_default().to_string(),
        slot: f.slot.clone(),
        kind: f.kind.clone(),
        value: f.value,
        unit: f.unit.clone(),
        region: f.region.clone(),
        year: f.year,
        source: f.source.clone(),
        note: f.note.clone(),
    }
}

fn input_row(r: &zp_accounting::InputRef) -> InputRow {
    let (file, row) = match r.source.rsplit_once(':') {
        Some((f, n)) if n.parse::<i64>().is_ok() => (f.to_string(), n.parse().ok()),
        _ => (r.source.clone(), None),
    };
    InputRow {
        id: r.id,
        period: r.period.to_string(),
        quantity: r.quantity,
        unit: r.unit.clone(),
        file,
        row,
    }
}

/// The report from an issued inventory and the facts around it.
pub fn build(input: GhgInput) -> GhgInventoryReport {
    let lang = input.lang;
    let inv = &input.inventory;
    let sources: Vec<SourceLine> = inv
        .lines
        .iter()
        .map(|l| {
            let months: BTreeSet<String> = l.inputs.iter().map(|r| r.period.to_string()).collect();
            SourceLine {
                carrier: l.carrier.key().to_string(),
                name_zh: l.name_zh.clone(),
                category: category(l.carrier.category()),
                quantity: l.quantity,
                unit: l.unit.clone(),
                energy_tce: l.energy_tce,
                scope1_tco2: l.scope1_tco2,
                scope2_location_tco2: l.scope2_location_tco2,
                scope2_market_tco2: l.scope2_market_tco2,
                months_reported: months.len(),
                formula: l.formula.clone(),
                factor_ids: l.factor_ids.clone(),
                inputs: l.inputs.iter().map(input_row).collect(),
            }
        })
        .collect();
    let input_rows: usize = sources.iter().map(|s| s.inputs.len()).sum();
    let mut uncertainty = vec![
        lang.pick(
            "活动数据取自企业能源台账（发票、计量表），按行保留来源文件和行号；未作定量不确定性评估（ISO 14064-1 第 8 章，清单质量管理）。",
            "Activity data come from the enterprise's energy ledgers (invoices, meters), each row with its source file and row; uncertainty is not quantified (ISO 14064-1, clause 8, inventory quality management).",
        )
        .to_string(),
        lang.pick(
            "排放因子为主管部门公布的缺省值（见因子表的来源与版本），不是实测值。",
            "Emission factors are published default values (source and version in the factor table), not measurements.",
        )
        .to_string(),
    ];
    for s in sources
        .iter()
        .filter(|s| s.months_reported > 0 && s.months_reported < 12)
    {
        uncertainty.push(format!(
            "{} {}: {} {}",
            s.carrier,
            s.name_zh,
            s.months_reported,
            lang.pick(
                "个月有台账数据（不足 12 个月）",
                "months with ledger data (fewer than 12)"
            )
        ));
    }
    for f in inv.factors.iter().filter(|f| f.note.is_some()) {
        uncertainty.push(format!(
            "{} {}: {}",
            lang.pick("因子回退", "factor fallback"),
            f.id,
            f.note.clone().unwrap_or_default()
        ));
    }
    if !inv.unverified_certificates_mwh.is_zero() {
        uncertainty.push(format!(
            "{} {} MWh",
            lang.pick(
                "未列序列号、无法核对重复声明的绿证：",
                "Certificates without serials (not checked against other claims):"
            ),
            inv.unverified_certificates_mwh.normalize()
        ));
    }
    let (base_s1, base_loc, base_mkt, base_year) = match &input.base {
        Some(b) => (
            b.scope1_tco2,
            b.scope1_tco2 + b.scope2_location_tco2,
            b.scope1_tco2 + b.scope2_market_tco2,
            b.year,
        ),
        None => (
            inv.scope1_tco2,
            inv.total_location_tco2(),
            inv.total_market_tco2(),
            input.base_year,
        ),
    };
    let change = (!base_loc.is_zero()).then(|| {
        ((inv.total_location_tco2() - base_loc) / base_loc * Decimal::ONE_HUNDRED).round_dp(2)
    });
    let policy = lang.pick(
        "基准年为企业在本系统中有台账数据的第一年。出现以下情况时重新计算基准年及以后各年的排放：组织边界变化（并购、剥离、外包）、计算方法或排放因子变化、发现重大错误；重大性阈值为基准年排放总量的 5%（本系统的默认政策，ISO 14064-1 第 6.4 条由组织自行规定程序）。已签发的数字固定其使用的因子，新因子集只有在执行 `zeropark recompute` 后才改变数字，变化记入审计日志。",
        "The base year is the first year with ledger data in the system. The base year and later years are recalculated on a change of the organisational boundary (acquisition, divestment, outsourcing), of methods or emission factors, or on discovering a significant error; the significance threshold is 5 % of base-year emissions (zeropark's default policy; ISO 14064-1, 6.4 leaves the procedure to the organisation). Issued figures keep the factors they were computed with: a new factor set changes them only through `zeropark recompute`, which records the change in the audit log.",
    );
    let factor_ids: Vec<String> = inv.factors.iter().map(|f| f.id.clone()).collect();
    GhgInventoryReport {
        report: "ghg-inventory",
        format_version: 1,
        lang,
        standards: vec!["GB/T 32150-2015", "ISO 14064-1:2018"],
        year: inv.year,
        reporting_period: format!("{0}-01-01/{0}-12-31", inv.year),
        boundary: Boundary {
            consolidation: "operational_control",
            statement: format!(
                "{} {} ({})",
                lang.pick(
                    "运营控制法：报告主体为以下统一社会信用代码的法人企业及其全部厂区：",
                    "Operational control: the legal entity with unified social credit code below and all its sites:"
                ),
                input.organisation.name,
                input.organisation.credit_code
            ),
            gases: lang
                .pick(
                    "温室气体：CO2（燃料燃烧、熟料生产过程、外购电力和热力）。CH4、N2O 等未量化。",
                    "Gases: CO2 (fuel combustion, clinker process, purchased electricity and heat). CH4, N2O and others are not quantified.",
                )
                .to_string(),
            sites: input.organisation.sites.clone(),
        },
        totals: Totals {
            energy_tce: inv.energy_tce,
            scope1_tco2: inv.scope1_tco2,
            scope1_combustion_tco2: inv.scope1_combustion_tco2,
            scope1_process_tco2: inv.scope1_process_tco2,
            scope2_location_tco2: inv.scope2_location_tco2,
            scope2_market_tco2: inv.scope2_market_tco2,
            total_location_tco2: inv.total_location_tco2(),
            total_market_tco2: inv.total_market_tco2(),
            electricity_mwh: inv.electricity_mwh,
            grid_electricity_mwh: inv.grid_electricity_mwh,
            onsite_renewable_mwh: inv.onsite_renewable_mwh,
            clean_electricity_share: inv.clean_electricity_share,
            intensity_location_tco2_per_tce: inv.intensity_location_tco2_per_tce,
            intensity_market_tco2_per_tce: inv.intensity_market_tco2_per_tce,
            grid_factor: inv.grid_factor.clone(),
            lineage: Lineage {
                method: "sum of the sources' figures; Scope 1 = combustion + process; totals = Scope 1 + Scope 2".into(),
                factor_ids: factor_ids.clone(),
                input_rows,
            },
        },
        factors: inv.factors.iter().map(factor_row).collect(),
        certificates: Certificates {
            retired_mwh: inv.certificates_retired_mwh,
            applied_mwh: inv.certificates_applied_mwh,
            unverified_mwh: inv.unverified_certificates_mwh,
            onsite_sold_mwh: inv.onsite_certificates_sold_mwh,
            claims: input.certificate_claims,
        },
        base_year: BaseYear {
            year: base_year,
            scope1_tco2: base_s1,
            total_location_tco2: base_loc,
            total_market_tco2: base_mkt,
            change_location_pct: change,
            policy: policy.to_string(),
        },
        organisation: input.organisation,
        sources,
        uncertainty,
        notes: inv.notes.clone(),
        complete: inv.complete,
    }
}

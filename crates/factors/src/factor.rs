use serde::{Deserialize, Serialize};
use zp_domain::{Decimal, Region};

/// What a factor measures. The snake_case names appear in factor ids and files.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FactorKind {
    /// Average grid emission factor (全国/省级电网平均排放因子), tCO2/MWh.
    GridAverage,
    /// National factor excluding market-traded non-fossil electricity, tCO2/MWh: the
    /// residual factor for market-based Scope 2.
    GridExcludingMarketNonFossil,
    /// Fossil-only generation factor, tCO2/MWh.
    GridFossilOnly,
    /// Power-sector ETS reporting factor, tCO2/MWh.
    GridEtsReporting,
    /// GB/T 2589 conversion coefficient, kgce per the carrier's base unit.
    TceCoefficient,
    /// Net calorific value for combustion accounting, GJ/t or GJ/10^4 Nm3.
    NetCalorificValue,
    /// Carbon content per unit of heat, tC/TJ.
    CarbonContent,
    /// Oxidation rate, fraction.
    OxidationRate,
    /// Emission factor of purchased heat, tCO2/GJ.
    HeatEmission,
    /// Heat content of steam, GJ/t.
    SteamHeatContent,
    /// Process emissions per tonne of clinker, tCO2/t.
    ClinkerProcess,
    /// Electricity's coal-equivalent (等价值): the year's average coal consumption of power
    /// supply, kgce/kWh. None is built in (no citable value was at hand); a user set adds
    /// the year's value with its source.
    ElectricityCoalEquivalent,
    /// Any other published parameter (thresholds, caps, unit definitions).
    Parameter,
}

impl FactorKind {
    pub const ALL: [FactorKind; 13] = [
        FactorKind::GridAverage,
        FactorKind::GridExcludingMarketNonFossil,
        FactorKind::GridFossilOnly,
        FactorKind::GridEtsReporting,
        FactorKind::TceCoefficient,
        FactorKind::NetCalorificValue,
        FactorKind::CarbonContent,
        FactorKind::OxidationRate,
        FactorKind::HeatEmission,
        FactorKind::SteamHeatContent,
        FactorKind::ClinkerProcess,
        FactorKind::ElectricityCoalEquivalent,
        FactorKind::Parameter,
    ];

    pub fn key(self) -> &'static str {
        match self {
            FactorKind::GridAverage => "grid_average",
            FactorKind::GridExcludingMarketNonFossil => "grid_excluding_market_non_fossil",
            FactorKind::GridFossilOnly => "grid_fossil_only",
            FactorKind::GridEtsReporting => "grid_ets_reporting",
            FactorKind::TceCoefficient => "tce_coefficient",
            FactorKind::NetCalorificValue => "net_calorific_value",
            FactorKind::CarbonContent => "carbon_content",
            FactorKind::OxidationRate => "oxidation_rate",
            FactorKind::HeatEmission => "heat_emission",
            FactorKind::SteamHeatContent => "steam_heat_content",
            FactorKind::ClinkerProcess => "clinker_process",
            FactorKind::ElectricityCoalEquivalent => "electricity_coal_equivalent",
            FactorKind::Parameter => "parameter",
        }
    }

    pub fn parse(s: &str) -> Option<FactorKind> {
        let t = s.trim().to_ascii_lowercase();
        // The grid file's own `kind` column spellings.
        let t = match t.as_str() {
            "average" => "grid_average",
            "excluding_market_non_fossil" => "grid_excluding_market_non_fossil",
            "fossil_only" => "grid_fossil_only",
            "ets_reporting" => "grid_ets_reporting",
            other => other,
        };
        FactorKind::ALL.into_iter().find(|k| k.key() == t)
    }

    pub fn is_grid(self) -> bool {
        matches!(
            self,
            FactorKind::GridAverage
                | FactorKind::GridExcludingMarketNonFossil
                | FactorKind::GridFossilOnly
                | FactorKind::GridEtsReporting
        )
    }
}

/// One published coefficient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Factor {
    /// Stable id: `{set}/{kind}/{subject}[/{year}]`.
    pub id: String,
    /// The set it belongs to (`builtin-2025.1` or a user set name).
    pub set: String,
    pub kind: FactorKind,
    /// What it applies to: a carrier key, a region code (grid factors) or a parameter name.
    pub subject: String,
    /// Region for grid factors.
    pub region: Option<Region>,
    /// Data year for yearly factors.
    pub year: Option<i32>,
    pub value: Decimal,
    pub unit: String,
    pub publisher: String,
    /// Notice number or document it was published in.
    pub notice: String,
}

impl Factor {
    pub fn make_id(set: &str, kind: FactorKind, subject: &str, year: Option<i32>) -> String {
        match year {
            Some(y) => format!("{set}/{}/{subject}/{y}", kind.key()),
            None => format!("{set}/{}/{subject}", kind.key()),
        }
    }

    /// Human-readable source line: publisher and notice.
    pub fn source(&self) -> String {
        match (self.publisher.is_empty(), self.notice.is_empty()) {
            (false, false) => format!("{}, {}", self.publisher, self.notice),
            (false, true) => self.publisher.clone(),
            (true, _) => self.notice.clone(),
        }
    }
}

use serde::{Deserialize, Serialize};
use zp_domain::{Carrier, CreditCode, Decimal, Period, Quantity, Region};

/// One ledger line as it enters the accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityLine {
    /// Storage id of the accepted row (lineage).
    pub id: i64,
    pub period: Period,
    pub carrier: Carrier,
    pub quantity: Quantity,
    /// Where it came from: `file:row`.
    pub source: String,
    /// Purchased steam: the state it was delivered in (`None`: saturated at the default
    /// pressure, stated in the line's formula).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steam: Option<SteamState>,
    /// Green certificates: the serials the row names (`None`: unverified, counted and
    /// reported as `unverified_certificates_mwh`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serials: Option<String>,
}

/// Pressure (absolute) and temperature of delivered steam; no temperature means saturated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SteamState {
    pub pressure_mpa: Decimal,
    pub temperature_c: Option<Decimal>,
}

/// Everything the engine needs for one enterprise and one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgInput {
    pub org: CreditCode,
    pub name: String,
    pub region: Region,
    pub year: i32,
    pub lines: Vec<ActivityLine>,
    /// Gross output value, 10,000 yuan (万元), when reported.
    pub output_value_10k_yuan: Option<Decimal>,
    /// MWh of the enterprise's own on-site renewable generation of the year issued as
    /// certificates that now belong to, or were retired for, someone else: that
    /// generation is no longer zero-emission for the enterprise (GHG Protocol Scope 2
    /// Guidance, "no double counting").
    pub onsite_certificates_sold_mwh: Decimal,
}

/// A factor the figures used, with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FactorUse {
    pub id: String,
    /// What it was used for (slot key, e.g. `grid_location/CQ/2023`).
    pub slot: String,
    pub value: Decimal,
    pub unit: String,
    pub kind: String,
    pub region: Option<String>,
    pub year: Option<i32>,
    pub source: String,
    /// Set when the catalog had to fall back (e.g. national factor for a province).
    pub note: Option<String>,
}

/// A reference to an input row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InputRef {
    pub id: i64,
    pub period: Period,
    pub quantity: Decimal,
    pub unit: String,
    pub source: String,
}

/// Per-carrier figures of an inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CarrierLine {
    pub carrier: Carrier,
    pub name_zh: String,
    /// Total quantity in `unit` (the carrier's base unit, or MWh for certificates).
    pub quantity: Decimal,
    pub unit: String,
    pub energy_tce: Decimal,
    pub scope1_tco2: Decimal,
    pub scope2_location_tco2: Decimal,
    pub scope2_market_tco2: Decimal,
    /// How the figures were obtained, with the factor values written in.
    pub formula: String,
    pub factor_ids: Vec<String>,
    /// Input rows (organisation inventories only; empty in aggregates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<InputRef>,
}

/// An energy and GHG inventory of an enterprise, or the sum of several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Inventory {
    /// Credit code, park name or region code.
    pub scope: String,
    pub scope_kind: String,
    pub name: String,
    pub year: i32,
    pub energy_tce: Decimal,
    pub scope1_tco2: Decimal,
    pub scope1_combustion_tco2: Decimal,
    pub scope1_process_tco2: Decimal,
    pub scope2_location_tco2: Decimal,
    pub scope2_market_tco2: Decimal,
    /// Grid electricity purchased + on-site renewable electricity consumed.
    pub electricity_mwh: Decimal,
    pub grid_electricity_mwh: Decimal,
    pub onsite_renewable_mwh: Decimal,
    /// Green certificates retired for the year.
    pub certificates_retired_mwh: Decimal,
    /// Of those, the MWh applied (never more than the grid electricity).
    pub certificates_applied_mwh: Decimal,
    /// Retired certificates whose rows name no serials (counted, but not checked against
    /// other enterprises' claims).
    pub unverified_certificates_mwh: Decimal,
    /// On-site renewable MWh whose certificates went to someone else: priced at the
    /// residual factor (market-based) and not in the clean share.
    pub onsite_certificates_sold_mwh: Decimal,
    pub clean_electricity_share: Option<Decimal>,
    pub intensity_location_tco2_per_tce: Option<Decimal>,
    pub intensity_market_tco2_per_tce: Option<Decimal>,
    pub output_value_10k_yuan: Option<Decimal>,
    pub energy_intensity_tce_per_10k_yuan: Option<Decimal>,
    /// `provincial` or `national` location-based factor choice.
    pub grid_factor: String,
    pub lines: Vec<CarrierLine>,
    pub factors: Vec<FactorUse>,
    /// Enterprises summed into this inventory (aggregates only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// Anything the reader must know: fallbacks, capped certificates, missing factors.
    pub notes: Vec<String>,
    /// False when some activity could not be fully accounted (see notes).
    pub complete: bool,
}

impl Inventory {
    /// An inventory with every figure zero, to be filled by the engine or by aggregation.
    pub(crate) fn empty(
        scope_kind: &str,
        scope: &str,
        name: &str,
        year: i32,
        grid_factor: &str,
    ) -> Inventory {
        Inventory {
            scope: scope.to_string(),
            scope_kind: scope_kind.to_string(),
            name: name.to_string(),
            year,
            energy_tce: Decimal::ZERO,
            scope1_tco2: Decimal::ZERO,
            scope1_combustion_tco2: Decimal::ZERO,
            scope1_process_tco2: Decimal::ZERO,
            scope2_location_tco2: Decimal::ZERO,
            scope2_market_tco2: Decimal::ZERO,
            electricity_mwh: Decimal::ZERO,
            grid_electricity_mwh: Decimal::ZERO,
            onsite_renewable_mwh: Decimal::ZERO,
            certificates_retired_mwh: Decimal::ZERO,
            certificates_applied_mwh: Decimal::ZERO,
            unverified_certificates_mwh: Decimal::ZERO,
            onsite_certificates_sold_mwh: Decimal::ZERO,
            clean_electricity_share: None,
            intensity_location_tco2_per_tce: None,
            intensity_market_tco2_per_tce: None,
            output_value_10k_yuan: None,
            energy_intensity_tce_per_10k_yuan: None,
            grid_factor: grid_factor.to_string(),
            lines: Vec::new(),
            factors: Vec::new(),
            members: Vec::new(),
            notes: Vec::new(),
            complete: true,
        }
    }

    pub fn total_location_tco2(&self) -> Decimal {
        self.scope1_tco2 + self.scope2_location_tco2
    }

    pub fn total_market_tco2(&self) -> Decimal {
        self.scope1_tco2 + self.scope2_market_tco2
    }

    /// Recomputes the ratios from the sums (after construction or aggregation).
    pub(crate) fn derive_ratios(&mut self) {
        let ratio = |num: Decimal, den: Decimal| (!den.is_zero()).then(|| num / den);
        self.clean_electricity_share = ratio(
            self.onsite_renewable_mwh - self.onsite_certificates_sold_mwh
                + self.certificates_applied_mwh,
            self.electricity_mwh,
        );
        self.intensity_location_tco2_per_tce = ratio(self.total_location_tco2(), self.energy_tce);
        self.intensity_market_tco2_per_tce = ratio(self.total_market_tco2(), self.energy_tce);
        self.energy_intensity_tce_per_10k_yuan = self
            .output_value_10k_yuan
            .and_then(|v| ratio(self.energy_tce, v));
    }
}

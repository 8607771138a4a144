//! Figures taken from the accounting engine (核算结果). They are computed, never re-typed:
//! the caller fills [`AccountInputs`] from an [`zp_accounting::Inventory`] with
//! [`AccountInputs::from_inventory`], and indicator definitions reference them by name
//! (`source = "accounts.intensity_market_tco2_per_tce"`), see [`AccountMetric`].

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use zp_accounting::Inventory;
use zp_domain::CarrierCategory;

/// GB/T 2589-2020 equivalent value of electricity, 0.1229 kgce/kWh = 0.1229 tce/MWh.
/// The accounting engine counts all electricity (grid and on-site renewable) at this value,
/// so replacing grid power by clean power leaves `energy_tce` unchanged.
pub const ELECTRICITY_TCE_PER_MWH: Decimal = Decimal::from_parts(1229, 0, 0, false, 4);

/// GB/T 2589-2020 equivalent value of heat, 0.03412 kgce/MJ = 0.03412 tce/GJ: the energy of
/// purchased heat a measure avoids when the scope buys none to take the ratio from.
pub const HEAT_TCE_PER_GJ: Decimal = Decimal::from_parts(3412, 0, 0, false, 5);

/// The account-derived inputs of an evaluation, for one scope (enterprise, park) and year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AccountInputs {
    /// Total energy consumption, all carriers including on-site renewable electricity.
    pub energy_tce: Decimal,
    pub scope1_tco2: Decimal,
    pub scope2_location_tco2: Decimal,
    /// Market-based Scope 2: green power covered by certificates counts zero.
    pub scope2_market_tco2: Decimal,
    /// Grid electricity purchased + on-site renewable electricity consumed.
    pub electricity_mwh: Decimal,
    /// Grid electricity purchased.
    pub grid_electricity_mwh: Decimal,
    /// Grid electricity covered by retired certificates (never more than the grid electricity).
    pub certificates_applied_mwh: Decimal,
    /// On-site renewable electricity consumed.
    pub onsite_renewable_mwh: Decimal,
    /// Market-based Scope 2 of the grid electricity alone (without heat and steam).
    pub grid_electricity_market_tco2: Decimal,
    /// Fossil fuels burnt on site, tce (the part of `energy_tce` fuel measures can avoid).
    pub fuel_tce: Decimal,
    /// Scope 1 combustion emissions of those fuels.
    pub fuel_tco2: Decimal,
    /// Purchased heat and steam (外购热力、蒸汽): their market Scope 2, which the accounts
    /// compute as heat GJ x the heat factor (0.11 tCO2/GJ), so GJ = this / that factor.
    #[serde(default)]
    pub purchased_heat_tco2: Decimal,
    /// Energy of purchased heat and steam, tce (part of `energy_tce`).
    #[serde(default)]
    pub purchased_heat_tce: Decimal,
    /// Clean energy other than electricity (geothermal, solar thermal, biomass heat), tce.
    /// Zero unless the caller has such data; the accounting engine does not split it out yet.
    #[serde(default)]
    pub clean_heat_tce: Decimal,
    /// Output value in 10,000 yuan (万元), when known.
    pub output_value_10k_yuan: Option<Decimal>,
    /// True when the inventory could not account for every ledger row (see its notes).
    #[serde(default)]
    pub incomplete: bool,
}

impl AccountInputs {
    /// Builds the inputs from an inventory (an enterprise's or a park's sum): every figure
    /// is taken from the accounts, the carrier lines give the grid electricity and fuel parts.
    pub fn from_inventory(inventory: &Inventory) -> AccountInputs {
        let mut inputs = AccountInputs {
            energy_tce: inventory.energy_tce,
            scope1_tco2: inventory.scope1_tco2,
            scope2_location_tco2: inventory.scope2_location_tco2,
            scope2_market_tco2: inventory.scope2_market_tco2,
            electricity_mwh: inventory.electricity_mwh,
            grid_electricity_mwh: inventory.grid_electricity_mwh,
            certificates_applied_mwh: inventory.certificates_applied_mwh,
            onsite_renewable_mwh: inventory.onsite_renewable_mwh,
            output_value_10k_yuan: inventory.output_value_10k_yuan,
            incomplete: !inventory.complete,
            ..AccountInputs::default()
        };
        for line in &inventory.lines {
            match line.carrier.category() {
                CarrierCategory::GridElectricity => {
                    inputs.grid_electricity_market_tco2 += line.scope2_market_tco2;
                }
                CarrierCategory::Fuel => {
                    inputs.fuel_tce += line.energy_tce;
                    inputs.fuel_tco2 += line.scope1_tco2;
                }
                CarrierCategory::PurchasedHeat | CarrierCategory::PurchasedSteam => {
                    inputs.purchased_heat_tco2 += line.scope2_market_tco2;
                    inputs.purchased_heat_tce += line.energy_tce;
                }
                _ => {}
            }
        }
        inputs
    }

    /// On-site renewable + certificate-covered electricity.
    pub fn clean_electricity_mwh(&self) -> Decimal {
        self.onsite_renewable_mwh + self.certificates_applied_mwh
    }

    /// Grid electricity not covered by certificates.
    pub fn uncovered_grid_mwh(&self) -> Decimal {
        (self.grid_electricity_mwh - self.certificates_applied_mwh).max(Decimal::ZERO)
    }

    /// Market-based factor of the uncovered grid electricity, tCO2/MWh: what one MWh of
    /// clean electricity in its place avoids. `None` without uncovered grid electricity.
    pub fn grid_market_tco2_per_mwh(&self) -> Option<Decimal> {
        ratio(self.grid_electricity_market_tco2, self.uncovered_grid_mwh())
    }

    /// Purchased heat and steam in GJ, given the heat factor (tCO2/GJ) the accounts used;
    /// zero without a positive factor.
    pub fn purchased_heat_gj(&self, heat_tco2_per_gj: Decimal) -> Decimal {
        ratio(self.purchased_heat_tco2, heat_tco2_per_gj)
            .filter(|_| heat_tco2_per_gj > Decimal::ZERO)
            .unwrap_or_default()
    }

    pub fn total_market_tco2(&self) -> Decimal {
        self.scope1_tco2 + self.scope2_market_tco2
    }

    pub fn total_location_tco2(&self) -> Decimal {
        self.scope1_tco2 + self.scope2_location_tco2
    }

    /// Clean energy in tce: clean electricity at the equivalent value plus clean heat.
    pub fn clean_energy_tce(&self) -> Decimal {
        self.clean_electricity_mwh() * ELECTRICITY_TCE_PER_MWH + self.clean_heat_tce
    }

    /// The value of a computed metric; `None` when it is undefined (zero denominator,
    /// unknown output value): an undefined metric is reported as missing.
    pub fn metric(&self, metric: AccountMetric) -> Option<Decimal> {
        use AccountMetric as M;
        match metric {
            M::EnergyTce => Some(self.energy_tce),
            M::Scope1Tco2 => Some(self.scope1_tco2),
            M::Scope2LocationTco2 => Some(self.scope2_location_tco2),
            M::Scope2MarketTco2 => Some(self.scope2_market_tco2),
            M::TotalMarketTco2 => Some(self.total_market_tco2()),
            M::TotalLocationTco2 => Some(self.total_location_tco2()),
            M::ElectricityMwh => Some(self.electricity_mwh),
            M::CleanElectricityMwh => Some(self.clean_electricity_mwh()),
            M::CleanElectricityShare => ratio(self.clean_electricity_mwh(), self.electricity_mwh),
            M::CleanEnergyShare => ratio(self.clean_energy_tce(), self.energy_tce),
            M::IntensityMarketTco2PerTce => ratio(self.total_market_tco2(), self.energy_tce),
            M::IntensityLocationTco2PerTce => ratio(self.total_location_tco2(), self.energy_tce),
            M::OutputValue10kYuan => self.output_value_10k_yuan,
            M::EnergyIntensityTcePer10kYuan => self
                .output_value_10k_yuan
                .and_then(|v| ratio(self.energy_tce, v)),
            M::CarbonIntensityMarketTco2Per10kYuan => self
                .output_value_10k_yuan
                .and_then(|v| ratio(self.total_market_tco2(), v)),
        }
    }
}

fn ratio(numerator: Decimal, denominator: Decimal) -> Option<Decimal> {
    (!denominator.is_zero()).then(|| numerator / denominator)
}

/// A figure computed from the accounts, referenced as `accounts.<name>` in indicator sets.
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
pub enum AccountMetric {
    EnergyTce,
    Scope1Tco2,
    Scope2LocationTco2,
    Scope2MarketTco2,
    TotalMarketTco2,
    TotalLocationTco2,
    ElectricityMwh,
    CleanElectricityMwh,
    /// 绿电占比: clean electricity / electricity.
    CleanElectricityShare,
    /// 清洁能源消费占比: clean energy tce / energy tce.
    CleanEnergyShare,
    /// 单位能耗碳排放 (market-based): (Scope 1 + Scope 2 market) / energy tce.
    IntensityMarketTco2PerTce,
    IntensityLocationTco2PerTce,
    OutputValue10kYuan,
    /// 单位产值能耗.
    EnergyIntensityTcePer10kYuan,
    CarbonIntensityMarketTco2Per10kYuan,
}

impl AccountMetric {
    pub const ALL: [AccountMetric; 15] = [
        AccountMetric::EnergyTce,
        AccountMetric::Scope1Tco2,
        AccountMetric::Scope2LocationTco2,
        AccountMetric::Scope2MarketTco2,
        AccountMetric::TotalMarketTco2,
        AccountMetric::TotalLocationTco2,
        AccountMetric::ElectricityMwh,
        AccountMetric::CleanElectricityMwh,
        AccountMetric::CleanElectricityShare,
        AccountMetric::CleanEnergyShare,
        AccountMetric::IntensityMarketTco2PerTce,
        AccountMetric::IntensityLocationTco2PerTce,
        AccountMetric::OutputValue10kYuan,
        AccountMetric::EnergyIntensityTcePer10kYuan,
        AccountMetric::CarbonIntensityMarketTco2Per10kYuan,
    ];

    pub fn name(self) -> &'static str {
        use AccountMetric as M;
        match self {
            M::EnergyTce => "energy_tce",
            M::Scope1Tco2 => "scope1_tco2",
            M::Scope2LocationTco2 => "scope2_location_tco2",
            M::Scope2MarketTco2 => "scope2_market_tco2",
            M::TotalMarketTco2 => "total_market_tco2",
            M::TotalLocationTco2 => "total_location_tco2",
            M::ElectricityMwh => "electricity_mwh",
            M::CleanElectricityMwh => "clean_electricity_mwh",
            M::CleanElectricityShare => "clean_electricity_share",
            M::CleanEnergyShare => "clean_energy_share",
            M::IntensityMarketTco2PerTce => "intensity_market_tco2_per_tce",
            M::IntensityLocationTco2PerTce => "intensity_location_tco2_per_tce",
            M::OutputValue10kYuan => "output_value_10k_yuan",
            M::EnergyIntensityTcePer10kYuan => "energy_intensity_tce_per_10k_yuan",
            M::CarbonIntensityMarketTco2Per10kYuan => "carbon_intensity_market_tco2_per_10k_yuan",
        }
    }

    /// The unit an indicator on this metric must declare.
    pub fn unit(self) -> &'static str {
        use AccountMetric as M;
        match self {
            M::EnergyTce => "tce",
            M::Scope1Tco2
            | M::Scope2LocationTco2
            | M::Scope2MarketTco2
            | M::TotalMarketTco2
            | M::TotalLocationTco2 => "tCO2",
            M::ElectricityMwh | M::CleanElectricityMwh => "MWh",
            M::CleanElectricityShare | M::CleanEnergyShare => "fraction",
            M::IntensityMarketTco2PerTce | M::IntensityLocationTco2PerTce => "tCO2/tce",
            M::OutputValue10kYuan => "10k yuan",
            M::EnergyIntensityTcePer10kYuan => "tce/10k yuan",
            M::CarbonIntensityMarketTco2Per10kYuan => "tCO2/10k yuan",
        }
    }

    pub fn parse(name: &str) -> Option<AccountMetric> {
        AccountMetric::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// Where an indicator's value comes from: `accounts.<metric>` or `data.<indicator>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    Accounts(AccountMetric),
    /// Entered or imported indicator data ([`crate::IndicatorValue::indicator`]).
    Data(String),
}

impl Source {
    pub fn parse(s: &str) -> Option<Source> {
        if let Some(name) = s.strip_prefix("accounts.") {
            return AccountMetric::parse(name).map(Source::Accounts);
        }
        let name = s.strip_prefix("data.")?;
        let ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        ok.then(|| Source::Data(name.to_string()))
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Accounts(m) => write!(f, "accounts.{}", m.name()),
            Source::Data(n) => write!(f, "data.{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn electricity_equivalent_value_is_exact() {
        assert_eq!(ELECTRICITY_TCE_PER_MWH, dec!(0.1229));
        assert_eq!(HEAT_TCE_PER_GJ, dec!(0.03412));
    }

    #[test]
    fn metrics_round_trip_by_name_and_undefined_ratios_are_none() {
        for m in AccountMetric::ALL {
            assert_eq!(AccountMetric::parse(m.name()), Some(m));
        }
        let a = AccountInputs::default();
        assert_eq!(a.metric(AccountMetric::IntensityMarketTco2PerTce), None);
        assert_eq!(a.metric(AccountMetric::CleanElectricityShare), None);
        assert_eq!(a.metric(AccountMetric::EnergyIntensityTcePer10kYuan), None);
    }

    #[test]
    fn sources_parse() {
        assert_eq!(
            Source::parse("accounts.intensity_market_tco2_per_tce"),
            Some(Source::Accounts(AccountMetric::IntensityMarketTco2PerTce))
        );
        assert_eq!(
            Source::parse("data.water_reuse"),
            Some(Source::Data("water_reuse".into()))
        );
        assert_eq!(Source::parse("accounts.nope"), None);
        assert_eq!(Source::parse("data."), None);
        assert_eq!(Source::parse("data.Bad Name"), None);
        assert_eq!(Source::parse("water_reuse"), None);
    }
}

//! Energy carriers (能源品种) and other activity kinds of an energy ledger.
//!
//! The keys are those of the factor files (`energy-conversion.csv`,
//! `fuel-combustion-defaults.csv`); the values of the coefficients live in the factor
//! catalog, never here. What lives here is what each carrier *means* for accounting.

use crate::units::{Dimension, Unit};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How a carrier enters the energy and GHG accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CarrierCategory {
    /// Fossil fuel burnt on site: energy (tce) and Scope 1 combustion CO2.
    Fuel,
    /// Electricity bought from the grid: energy and Scope 2.
    GridElectricity,
    /// Renewable electricity generated and consumed on site (自发自用): energy and clean
    /// share, zero CO2.
    OnsiteRenewable,
    /// Purchased heat (热力): energy and Scope 2 at the heat factor.
    PurchasedHeat,
    /// Purchased steam: energy at its GB/T 2589 coefficient, Scope 2 by its enthalpy above
    /// feed water (IAPWS-IF97).
    PurchasedSteam,
    /// Retired green electricity certificates (绿证), MWh: market-based Scope 2 only.
    GreenCertificate,
    /// Clinker produced: Scope 1 process emissions (cement).
    ClinkerProduction,
}

macro_rules! carriers {
    ($($variant:ident = $key:literal, $zh:literal, [$($alias:literal),*], $unit:ident, $cat:ident;)*) => {
        /// An activity-data carrier.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum Carrier { $($variant,)* }

        impl Carrier {
            pub const ALL: &'static [Carrier] = &[$(Carrier::$variant,)*];

            /// The English key used in files and factor ids.
            pub fn key(self) -> &'static str {
                match self { $(Carrier::$variant => $key,)* }
            }

            /// The Chinese name as in GB/T 2589.
            pub fn name_zh(self) -> &'static str {
                match self { $(Carrier::$variant => $zh,)* }
            }

            fn aliases(self) -> &'static [&'static str] {
                match self { $(Carrier::$variant => &[$($alias),*],)* }
            }

            /// The unit in which its GB/T 2589 coefficient is expressed (kgce per unit).
            pub fn base_unit(self) -> Unit {
                match self { $(Carrier::$variant => Unit::$unit,)* }
            }

            pub fn category(self) -> CarrierCategory {
                match self { $(Carrier::$variant => CarrierCategory::$cat,)* }
            }
        }
    };
}

carriers! {
    RawCoal = "raw_coal", "原煤", ["煤", "煤炭"], Kg, Fuel;
    WashedCoal = "washed_coal", "洗精煤", ["精煤"], Kg, Fuel;
    Coke = "coke", "焦炭", [], Kg, Fuel;
    CrudeOil = "crude_oil", "原油", [], Kg, Fuel;
    FuelOil = "fuel_oil", "燃料油", ["重油"], Kg, Fuel;
    Gasoline = "gasoline", "汽油", [], Kg, Fuel;
    Kerosene = "kerosene", "煤油", [], Kg, Fuel;
    Diesel = "diesel", "柴油", [], Kg, Fuel;
    Lpg = "lpg", "液化石油气", ["液化气"], Kg, Fuel;
    RefineryGas = "refinery_gas", "炼厂干气", [], Kg, Fuel;
    NaturalGas = "natural_gas", "天然气", ["天然气(气田)", "天然气（气田）", "管道天然气"], M3, Fuel;
    CokeOvenGas = "coke_oven_gas", "焦炉煤气", [], M3, Fuel;
    Heat = "heat", "热力", ["外购热力", "热"], Mj, PurchasedHeat;
    Steam = "steam", "蒸汽", ["steam_low_pressure", "低压蒸汽", "外购蒸汽"], Kg, PurchasedSteam;
    SteamHeat = "steam_heat", "蒸汽（按热量计）", ["蒸汽热量", "外购蒸汽热量"], Mj, PurchasedHeat;
    Electricity = "electricity", "电力", ["电", "外购电力", "电力(当量值)", "电力（当量值）", "网购电"], Kwh, GridElectricity;
    ElectricityOnsiteRenewable = "electricity_onsite_renewable", "自发自用可再生电力", ["光伏发电", "分布式光伏", "自发自用绿电", "自发自用光伏"], Kwh, OnsiteRenewable;
    GreenCertificate = "green_certificate", "绿证", ["绿色电力证书", "绿电证书"], Mwh, GreenCertificate;
    CementClinker = "cement_clinker", "水泥熟料", ["熟料"], Tonne, ClinkerProduction;
}

impl Carrier {
    /// Finds a carrier by English key (any case) or Chinese name or alias.
    pub fn parse(s: &str) -> Option<Carrier> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase().replace([' ', '-'], "_");
        Carrier::ALL.iter().copied().find(|c| {
            c.key() == lower
                || c.name_zh() == t
                || c.aliases().contains(&t)
                || c.aliases().contains(&lower.as_str())
        })
    }

    /// Dimension its activity data must be reported in.
    pub fn dimension(self) -> Dimension {
        match self {
            // Certificates may be given in MWh or as a count.
            Carrier::GreenCertificate => Dimension::Energy,
            c => c.base_unit().dimension(),
        }
    }

    /// The carrier a ledger row of `self` in `unit` is recorded as: steam given in a heat
    /// unit (GJ, MJ, 万kJ) is the heat delivered, [`Carrier::SteamHeat`], accounted like
    /// purchased heat (steam in tonnes is priced by its state's enthalpy instead). Any
    /// other row keeps its carrier.
    pub fn as_reported_in(self, unit: Unit) -> Carrier {
        match (self, unit) {
            (Carrier::Steam, Unit::Gj | Unit::Mj | Unit::WanKj) => Carrier::SteamHeat,
            (c, _) => c,
        }
    }

    /// True when a quantity in `unit` can be recorded for this carrier.
    pub fn accepts(self, unit: Unit) -> bool {
        unit.dimension() == self.dimension()
            || (self == Carrier::GreenCertificate && unit == Unit::Certificate)
    }

    /// Electricity consumed by the enterprise (grid or on-site renewable).
    pub fn is_electricity(self) -> bool {
        matches!(
            self.category(),
            CarrierCategory::GridElectricity | CarrierCategory::OnsiteRenewable
        )
    }

    /// Whether the carrier is energy consumed (counts in energy_tce).
    pub fn is_energy(self) -> bool {
        !matches!(
            self.category(),
            CarrierCategory::GreenCertificate | CarrierCategory::ClinkerProduction
        )
    }
}

impl fmt::Display for Carrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_by_key_and_chinese_name() {
        assert_eq!(Carrier::parse("natural_gas"), Some(Carrier::NaturalGas));
        assert_eq!(Carrier::parse("Natural Gas"), Some(Carrier::NaturalGas));
        assert_eq!(Carrier::parse("天然气"), Some(Carrier::NaturalGas));
        assert_eq!(Carrier::parse("原煤"), Some(Carrier::RawCoal));
        assert_eq!(Carrier::parse("电力"), Some(Carrier::Electricity));
        assert_eq!(Carrier::parse("柴油"), Some(Carrier::Diesel));
        assert_eq!(
            Carrier::parse("green_certificate"),
            Some(Carrier::GreenCertificate)
        );
        assert_eq!(Carrier::parse("uranium"), None);
    }

    #[test]
    fn keys_and_names_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in Carrier::ALL {
            assert!(seen.insert(c.key()), "{c}");
            assert!(seen.insert(c.name_zh()), "{c}");
            for a in c.aliases() {
                assert!(seen.insert(a), "{a}");
            }
        }
    }

    #[test]
    fn units_follow_dimension() {
        assert!(Carrier::Electricity.accepts(Unit::WanKwh));
        assert!(!Carrier::Electricity.accepts(Unit::Tonne));
        assert!(Carrier::NaturalGas.accepts(Unit::WanM3));
        assert!(Carrier::GreenCertificate.accepts(Unit::Certificate));
        assert!(Carrier::GreenCertificate.accepts(Unit::Mwh));
        assert!(Carrier::Heat.accepts(Unit::Gj));
    }

    #[test]
    fn steam_in_a_heat_unit_is_the_heat_delivered() {
        for unit in [Unit::Gj, Unit::Mj, Unit::WanKj] {
            assert_eq!(Carrier::Steam.as_reported_in(unit), Carrier::SteamHeat);
        }
        assert_eq!(Carrier::Steam.as_reported_in(Unit::Tonne), Carrier::Steam);
        // kWh of steam says nothing clear about its heat: left to be refused.
        assert_eq!(Carrier::Steam.as_reported_in(Unit::Kwh), Carrier::Steam);
        assert_eq!(Carrier::Heat.as_reported_in(Unit::Gj), Carrier::Heat);
        assert_eq!(
            Carrier::SteamHeat.category(),
            CarrierCategory::PurchasedHeat
        );
        assert_eq!(Carrier::parse("steam_heat"), Some(Carrier::SteamHeat));
    }
}

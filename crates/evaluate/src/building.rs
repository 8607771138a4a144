//! Buildings (建筑): operational energy-use intensity against the civil-building energy
//! standard's constraint and guide values (GB/T 51161, data imported with its source),
//! operational carbon per square metre (GB/T 51366's operation stage: energy by carrier
//! times its factor, on-site renewables deducted), and the weather-normalised saving of a
//! retrofit.
//!
//! Pure: figures come in computed by the accounting engine (energy in tce on the calorific
//! convention, Scope 1 and location-based Scope 2 in tCO2) and leave as exact decimals.
//!
//! ```text
//! energy_kwh           = energy_tce x 1000 / 0.1229        (electricity at 0.1229 kgce/kWh,
//!                                                           fuels and heat at their calorific value)
//! energy_kwh_per_m2    = energy_kwh / floor_area_m2
//! carbon_kgco2_per_m2  = (scope1_tco2 + scope2_location_tco2) x 1000 / floor_area_m2
//! rating               = guide       when intensity <= guide value   (优于引导值)
//!                        constraint  when guide < intensity <= constraint value (满足约束值)
//!                        above       when intensity > constraint value (超过约束值)
//! normalised_before    = before_kwh x after_degree_days / before_degree_days
//! saving_kwh           = normalised_before - after_kwh
//! ```
//!
//! Grid electricity carries the location-based factor and on-site PV none, so the deduction
//! GB/T 51366 makes for renewables is the PV the ledger or meters show as own generation
//! rather than purchases.

use rust_decimal::Decimal;
use serde::Serialize;

macro_rules! keyed {
    ($(#[$m:meta])* $name:ident { $($v:ident = $key:literal, $zh:literal;)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($v,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v,)*];
            pub fn key(self) -> &'static str { match self { $($name::$v => $key,)* } }
            pub fn name_zh(self) -> &'static str { match self { $($name::$v => $zh,)* } }
            /// By key or Chinese name.
            pub fn parse(s: &str) -> Option<$name> {
                let t = s.trim();
                $name::ALL.iter().copied().find(|k| k.key() == t || k.name_zh() == t)
            }
            /// The keys, for messages.
            pub fn keys() -> String {
                $name::ALL.iter().map(|k| k.key()).collect::<Vec<_>>().join(", ")
            }
        }
    };
}

keyed! {
    /// The building types of the civil-building energy standard the platform rates.
    BuildingKind {
        Office = "office", "办公建筑";
        Hotel = "hotel", "旅馆建筑";
        ShoppingCentre = "shopping_centre", "商场建筑";
        School = "school", "学校建筑";
        Hospital = "hospital", "医院建筑";
        DataCentre = "data_centre", "数据中心";
    }
}

keyed! {
    /// The building climate zones of GB 50176 (建筑热工设计分区).
    ClimateZone {
        SevereCold = "severe_cold", "严寒地区";
        Cold = "cold", "寒冷地区";
        HotSummerColdWinter = "hot_summer_cold_winter", "夏热冬冷地区";
        HotSummerWarmWinter = "hot_summer_warm_winter", "夏热冬暖地区";
        Mild = "mild", "温和地区";
    }
}

/// kgce per kWh of electricity on the calorific convention (GB/T 2589).
pub fn kgce_per_kwh() -> Decimal {
    Decimal::new(1229, 4)
}

/// Where a building's intensity stands against the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// At or below the guide value (优于引导值).
    Guide,
    /// Above the guide value, at or below the constraint value (满足约束值).
    Constraint,
    /// Above the constraint value (超过约束值).
    Above,
}

impl Rating {
    pub fn name_zh(self) -> &'static str {
        match self {
            Rating::Guide => "优于引导值",
            Rating::Constraint => "满足约束值",
            Rating::Above => "超过约束值",
        }
    }
}

/// Rates an intensity against a standard's constraint and guide values (kWh/m2 a year).
pub fn rate(energy_kwh_per_m2: Decimal, constraint: Decimal, guide: Decimal) -> Rating {
    if energy_kwh_per_m2 <= guide {
        Rating::Guide
    } else if energy_kwh_per_m2 <= constraint {
        Rating::Constraint
    } else {
        Rating::Above
    }
}

/// A building's year, per square metre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Intensity {
    pub energy_kwh: Decimal,
    pub energy_kwh_per_m2: Decimal,
    pub carbon_kgco2_per_m2: Decimal,
}

/// Energy and carbon per square metre from the accounts of the building's year.
/// `floor_area_m2` must be positive (the caller refuses a building without one).
pub fn intensity(
    energy_tce: Decimal,
    scope1_tco2: Decimal,
    scope2_location_tco2: Decimal,
    floor_area_m2: Decimal,
) -> Intensity {
    let energy_kwh = (energy_tce * Decimal::ONE_THOUSAND / kgce_per_kwh()).round_dp(3);
    Intensity {
        energy_kwh: energy_kwh.normalize(),
        energy_kwh_per_m2: (energy_kwh / floor_area_m2).round_dp(3).normalize(),
        carbon_kgco2_per_m2: ((scope1_tco2 + scope2_location_tco2) * Decimal::ONE_THOUSAND
            / floor_area_m2)
            .round_dp(3)
            .normalize(),
    }
}

/// A retrofit's saving, the year before normalised to the weather of the year after by
/// degree days (heating, cooling, or their sum, as the caller states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RetrofitSaving {
    pub before_kwh: Decimal,
    pub after_kwh: Decimal,
    pub before_degree_days: Option<Decimal>,
    pub after_degree_days: Option<Decimal>,
    pub normalised_before_kwh: Decimal,
    pub saving_kwh: Decimal,
    /// saving / normalised before.
    pub saving_share: Option<Decimal>,
}

/// The saving of `after_kwh` against `before_kwh`, normalised by degree days when both
/// are given (and the before-year's are positive), else unnormalised.
pub fn retrofit_saving(
    before_kwh: Decimal,
    after_kwh: Decimal,
    degree_days: Option<(Decimal, Decimal)>,
) -> RetrofitSaving {
    let (normalised, dd) = match degree_days {
        Some((b, a)) if b > Decimal::ZERO => ((before_kwh * a / b).round_dp(3), Some((b, a))),
        _ => (before_kwh, None),
    };
    let saving = normalised - after_kwh;
    RetrofitSaving {
        before_kwh: before_kwh.normalize(),
        after_kwh: after_kwh.normalize(),
        before_degree_days: dd.map(|d| d.0),
        after_degree_days: dd.map(|d| d.1),
        normalised_before_kwh: normalised.normalize(),
        saving_kwh: saving.normalize(),
        saving_share: (normalised > Decimal::ZERO)
            .then(|| (saving / normalised).round_dp(4).normalize()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn an_office_of_10000_m2_using_1_million_kwh() {
        // 1,000,000 kWh of grid electricity = 122.9 tce; with a location factor of 0.5 t/MWh
        // 500 tCO2. Per m2: 100 kWh and 50 kgCO2.
        let i = intensity(d("122.9"), d("0"), d("500"), d("10000"));
        assert_eq!(i.energy_kwh, d("1000000"));
        assert_eq!(i.energy_kwh_per_m2, d("100"));
        assert_eq!(i.carbon_kgco2_per_m2, d("50"));
        // Against constraint 110 and guide 80: between the two.
        assert_eq!(
            rate(i.energy_kwh_per_m2, d("110"), d("80")),
            Rating::Constraint
        );
        assert_eq!(rate(d("80"), d("110"), d("80")), Rating::Guide);
        assert_eq!(rate(d("110.001"), d("110"), d("80")), Rating::Above);
    }

    #[test]
    fn a_retrofit_in_a_colder_year_saves_more_than_the_raw_difference() {
        // Before: 1,200,000 kWh in a year of 2,000 heating degree days; after: 900,000 kWh
        // in a colder year of 2,200. Normalised before: 1,200,000 x 2,200 / 2,000 =
        // 1,320,000; saving 420,000 kWh = 31.82 % (raw difference: 300,000).
        let s = retrofit_saving(d("1200000"), d("900000"), Some((d("2000"), d("2200"))));
        assert_eq!(s.normalised_before_kwh, d("1320000"));
        assert_eq!(s.saving_kwh, d("420000"));
        assert_eq!(s.saving_share, Some(d("0.3182")));
        let raw = retrofit_saving(d("1200000"), d("900000"), None);
        assert_eq!(raw.saving_kwh, d("300000"));
        assert_eq!(raw.before_degree_days, None);
    }

    #[test]
    fn kinds_and_zones_parse_by_key_and_chinese_name() {
        assert_eq!(BuildingKind::parse("办公建筑"), Some(BuildingKind::Office));
        assert_eq!(
            ClimateZone::parse("hot_summer_cold_winter"),
            Some(ClimateZone::HotSummerColdWinter)
        );
        assert_eq!(BuildingKind::parse("castle"), None);
    }
}

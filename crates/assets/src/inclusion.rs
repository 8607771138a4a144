//! Carbon inclusion (碳普惠): methodologies as data (`data/inclusion-methodologies.toml`,
//! compiled in), the reduction of a participant's measured activity under one of them,
//! and its conversion to credits in whole tonnes with the sub-tonne remainder carried.
//!
//! Values a methodology takes from the factor catalog (the grid factor, the petrol
//! factor) are passed in as [`CatalogValues`] with their factor ids, so every result
//! names the version of each factor it used. Parameters without a citable source are
//! marked `illustrative` in the data and in every result that used them. No I/O.

use crate::error::AssetError;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// One parameter of a methodology: a value with its unit and source, or a value read from
/// the factor catalog (`from`: `grid` or `petrol`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Parameter {
    pub name: String,
    #[serde(default)]
    pub value: Option<Decimal>,
    pub unit: String,
    pub source: String,
    /// The source in Chinese.
    #[serde(default)]
    pub source_zh: Option<String>,
    /// No citable source was found: an example value (示意), never an official one.
    #[serde(default)]
    pub illustrative: bool,
    #[serde(default)]
    pub note: Option<String>,
    /// The note in Chinese.
    #[serde(default)]
    pub note_zh: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
}

/// A methodology (方法学): what is measured, the formula and its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Methodology {
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// The unit of the measured quantity (imports must use it).
    pub activity_unit: String,
    pub activity: String,
    pub formula: String,
    pub source: String,
    #[serde(rename = "parameter")]
    pub parameters: Vec<Parameter>,
}

/// The programme's methodologies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Methodologies {
    pub programme: String,
    /// Region whose grid factor the methodologies use.
    pub region: String,
    /// Version of this file, kept with every result.
    pub version: String,
    #[serde(rename = "methodology")]
    pub methodologies: Vec<Methodology>,
}

const METHODOLOGIES_TOML: &str = include_str!("../data/inclusion-methodologies.toml");

impl Methodologies {
    /// The built-in methodologies.
    pub fn builtin() -> &'static Methodologies {
        static M: OnceLock<Methodologies> = OnceLock::new();
        M.get_or_init(|| {
            let m: Methodologies = toml::from_str(METHODOLOGIES_TOML)
                .expect("data/inclusion-methodologies.toml parses");
            m.check()
                .expect("data/inclusion-methodologies.toml is consistent");
            m
        })
    }

    pub fn get(&self, code: &str) -> Option<&Methodology> {
        self.methodologies.iter().find(|m| m.code == code)
    }

    /// The methodology `code`, or a refusal naming the known ones.
    pub fn known(&self, code: &str) -> Result<&Methodology, AssetError> {
        self.get(code).ok_or_else(|| {
            let known: Vec<&str> = self.methodologies.iter().map(|m| m.code.as_str()).collect();
            AssetError::NotAllowed(format!(
                "unknown methodology {code:?} (known: {})",
                known.join(", ")
            ))
        })
    }

    fn check(&self) -> Result<(), String> {
        for m in &self.methodologies {
            let formula = Formula::of(&m.code).ok_or(format!("{}: no formula", m.code))?;
            for name in formula.parameters() {
                let p = m
                    .parameters
                    .iter()
                    .find(|p| p.name == *name)
                    .ok_or(format!("{}: parameter {name} missing", m.code))?;
                match (&p.value, p.from.as_deref()) {
                    (Some(_), None) | (None, Some("grid" | "petrol")) => {}
                    _ => {
                        return Err(format!(
                            "{}: {name} needs a value or a known `from`",
                            m.code
                        ));
                    }
                }
                if p.source.trim().is_empty() {
                    return Err(format!("{}: {name} has no source", m.code));
                }
            }
        }
        Ok(())
    }
}

/// The formulas zeropark implements, by methodology code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Formula {
    /// Petrol driving avoided minus the charged electricity's grid emissions.
    EvCharging,
    /// Grid electricity displaced or avoided.
    GridDisplaced,
}

impl Formula {
    fn of(code: &str) -> Option<Formula> {
        match code {
            "ev-charging" => Some(Formula::EvCharging),
            "pv-self-use" | "sme-saving" => Some(Formula::GridDisplaced),
            _ => None,
        }
    }

    fn parameters(self) -> &'static [&'static str] {
        match self {
            Formula::EvCharging => &[
                "ev_kwh_per_100km",
                "petrol_l_per_100km",
                "petrol_density_kg_per_l",
                "petrol_kgco2_per_kg",
                "grid_kgco2_per_kwh",
            ],
            Formula::GridDisplaced => &["grid_kgco2_per_kwh"],
        }
    }
}

/// Values a methodology reads from the factor catalog, with the ids of the factors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogValues {
    /// Location grid factor, tCO2/MWh = kgCO2/kWh.
    pub grid_kgco2_per_kwh: Decimal,
    pub grid_factor_id: String,
    /// The catalog's note when it fell back (another region or an earlier year).
    pub grid_note: Option<String>,
    pub petrol_kgco2_per_kg: Decimal,
    /// NCV, carbon content and oxidation factor ids of petrol.
    pub petrol_factor_ids: Vec<String>,
}

/// Petrol's combustion factor, kgCO2 per kg (= tCO2/t): NCV (GJ/t) x carbon content
/// (tC/TJ) / 1000 x oxidation x 44/12, multiplied out before the one division.
pub fn petrol_kgco2_per_kg(
    ncv_gj_per_t: Decimal,
    carbon_tc_per_tj: Decimal,
    oxidation: Decimal,
) -> Decimal {
    ncv_gj_per_t * carbon_tc_per_tj * oxidation * Decimal::from(44) / Decimal::from(12_000)
}

/// A parameter as used in one result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct UsedParameter {
    pub name: String,
    pub value: Decimal,
    pub unit: String,
    pub source: String,
    pub illustrative: bool,
    /// The catalog factor ids it came from (catalog values only).
    pub factor_ids: Vec<String>,
}

/// The reduction of one activity quantity under one methodology.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Reduction {
    pub methodology: String,
    pub activity: Decimal,
    pub activity_unit: String,
    pub baseline_kgco2e: Decimal,
    pub project_kgco2e: Decimal,
    /// Baseline minus project, never below zero, rounded down to the gram (conservative).
    pub reduction_kgco2e: Decimal,
    pub formula: String,
    pub parameters: Vec<UsedParameter>,
    /// Whether any parameter is illustrative (示意).
    pub illustrative: bool,
}

/// Grams: results are kept to three decimals of a kilogram, rounded towards zero.
fn grams(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(3, RoundingStrategy::ToZero)
        .normalize()
}

impl Methodology {
    fn used(&self, name: &str, values: &CatalogValues) -> UsedParameter {
        let p = self
            .parameters
            .iter()
            .find(|p| p.name == name)
            .expect("checked when the data was loaded");
        let (value, ids) = match p.from.as_deref() {
            Some("grid") => (
                values.grid_kgco2_per_kwh,
                vec![values.grid_factor_id.clone()],
            ),
            Some("petrol") => (values.petrol_kgco2_per_kg, values.petrol_factor_ids.clone()),
            _ => (p.value.expect("checked when the data was loaded"), vec![]),
        };
        UsedParameter {
            name: p.name.clone(),
            value,
            unit: p.unit.clone(),
            source: match (&values.grid_note, p.from.as_deref()) {
                (Some(note), Some("grid")) => format!("{} ({note})", p.source),
                _ => p.source.clone(),
            },
            illustrative: p.illustrative,
            factor_ids: ids,
        }
    }

    /// The reduction of `activity` (in [`Methodology::activity_unit`]) with the catalog's
    /// `values`; a negative activity is refused.
    pub fn reduce(
        &self,
        activity: Decimal,
        values: &CatalogValues,
    ) -> Result<Reduction, AssetError> {
        if activity < Decimal::ZERO {
            return Err(AssetError::NotAllowed(format!(
                "{}: activity {activity} {} is negative",
                self.code, self.activity_unit
            )));
        }
        let formula = Formula::of(&self.code)
            .ok_or_else(|| AssetError::NotAllowed(format!("{}: no formula", self.code)))?;
        let params: Vec<UsedParameter> = formula
            .parameters()
            .iter()
            .map(|n| self.used(n, values))
            .collect();
        let v = |n: &str| {
            params
                .iter()
                .find(|p| p.name == n)
                .map(|p| p.value)
                .unwrap_or_default()
        };
        let grid = v("grid_kgco2_per_kwh");
        let (baseline, project) = match formula {
            // km = E x 100 / ev; petrol kg = km x l_per_100km / 100 x density: the hundreds
            // cancel, one division last.
            Formula::EvCharging => (
                activity
                    * v("petrol_l_per_100km")
                    * v("petrol_density_kg_per_l")
                    * v("petrol_kgco2_per_kg")
                    / v("ev_kwh_per_100km"),
                activity * grid,
            ),
            Formula::GridDisplaced => (activity * grid, Decimal::ZERO),
        };
        let reduction = (baseline - project).max(Decimal::ZERO);
        Ok(Reduction {
            methodology: self.code.clone(),
            activity,
            activity_unit: self.activity_unit.clone(),
            baseline_kgco2e: grams(baseline),
            project_kgco2e: grams(project),
            reduction_kgco2e: grams(reduction),
            formula: self.formula.clone(),
            illustrative: params.iter().any(|p| p.illustrative),
            parameters: params,
        })
    }
}

/// Credits of one issuance: whole tonnes, and the kilograms carried to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Credits {
    pub credits_t: u64,
    pub carried_kgco2e: Decimal,
}

/// Whole tonnes of `reduction_kgco2e` plus what the previous issuance carried; the
/// remainder (under 1,000 kg) is carried on, so nothing is lost and nothing counted twice:
/// `credits_t x 1000 + carried = reduction + carried_in`.
pub fn whole_tonnes(reduction_kgco2e: Decimal, carried_in_kgco2e: Decimal) -> Credits {
    let total = reduction_kgco2e + carried_in_kgco2e;
    let thousand = Decimal::from(1000);
    let t = (total / thousand).floor();
    let credits_t = t.to_u64().unwrap_or(0);
    let carried = total - Decimal::from(credits_t) * thousand;
    debug_assert!(carried >= Decimal::ZERO && carried < thousand);
    Credits {
        credits_t,
        carried_kgco2e: carried.normalize(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    /// Chongqing 2022 (0.5227 tCO2/MWh) and petrol from the catalog's row:
    /// 43.070 x 18.90 = 814.023; x 0.98 = 797.74254; x 44 = 35100.67176; / 12000 = 2.92505598.
    fn values() -> CatalogValues {
        CatalogValues {
            grid_kgco2_per_kwh: dec!(0.5227),
            grid_factor_id: "builtin/grid_average/CQ/2022".into(),
            grid_note: None,
            petrol_kgco2_per_kg: petrol_kgco2_per_kg(dec!(43.070), dec!(18.90), dec!(0.98)),
            petrol_factor_ids: vec!["ncv".into(), "cc".into(), "ox".into()],
        }
    }

    fn m(code: &str) -> &'static Methodology {
        Methodologies::builtin().get(code).unwrap()
    }

    #[test]
    fn petrol_factor_from_the_catalog_row() {
        assert_eq!(values().petrol_kgco2_per_kg, dec!(2.92505598));
    }

    #[test]
    fn ev_charging_worked_example() {
        // 1,500 kWh charged at 15 kWh/100km = 10,000 km; at 7 L/100km = 700 L petrol;
        // x 0.73 kg/L = 511 kg; x 2.92505598 = 1,494.70360578 kgCO2 (baseline).
        // Project: 1,500 kWh x 0.5227 = 784.05 kg. Reduction 710.65360578 -> 710.653 kg.
        let r = m("ev-charging").reduce(dec!(1500), &values()).unwrap();
        assert_eq!(r.baseline_kgco2e, dec!(1494.703));
        assert_eq!(r.project_kgco2e, dec!(784.05));
        assert_eq!(r.reduction_kgco2e, dec!(710.653));
        assert!(r.illustrative, "the car's consumption figures are examples");
        let grid = r
            .parameters
            .iter()
            .find(|p| p.name == "grid_kgco2_per_kwh")
            .unwrap();
        assert_eq!(grid.factor_ids, ["builtin/grid_average/CQ/2022"]);
    }

    #[test]
    fn pv_self_use_worked_example() {
        // 12,345 kWh x 0.5227 kgCO2/kWh = 6,452.7315 kg -> 6,452.731 kg (down to the gram).
        let r = m("pv-self-use").reduce(dec!(12345), &values()).unwrap();
        assert_eq!(r.reduction_kgco2e, dec!(6452.731));
        assert!(!r.illustrative, "only the catalog's grid factor");
    }

    #[test]
    fn sme_saving_worked_example() {
        // 20,000 kWh saved x 0.5227 = 10,454 kg.
        let r = m("sme-saving").reduce(dec!(20000), &values()).unwrap();
        assert_eq!(r.reduction_kgco2e, dec!(10454));
        assert!(m("sme-saving").reduce(dec!(-1), &values()).is_err());
    }

    #[test]
    fn an_ev_on_a_dirty_grid_reduces_nothing_never_less() {
        let mut v = values();
        v.grid_kgco2_per_kwh = dec!(5);
        let r = m("ev-charging").reduce(dec!(100), &v).unwrap();
        assert_eq!(r.reduction_kgco2e, Decimal::ZERO);
    }

    #[test]
    fn remainder_carries_over_two_issuances() {
        // Year 1: 10,454 kg -> 10 t, 454 kg carried.
        let y1 = whole_tonnes(dec!(10454), Decimal::ZERO);
        assert_eq!((y1.credits_t, y1.carried_kgco2e), (10, dec!(454)));
        // Year 2: 710.653 + 454 = 1,164.653 kg -> 1 t, 164.653 kg carried.
        let y2 = whole_tonnes(dec!(710.653), y1.carried_kgco2e);
        assert_eq!((y2.credits_t, y2.carried_kgco2e), (1, dec!(164.653)));
        // Nothing lost: 11 t x 1000 + 164.653 = 10,454 + 710.653.
        assert_eq!(
            Decimal::from(y1.credits_t + y2.credits_t) * dec!(1000) + y2.carried_kgco2e,
            dec!(10454) + dec!(710.653)
        );
    }

    #[test]
    fn every_methodology_has_a_formula_and_sourced_parameters() {
        let all = Methodologies::builtin();
        let codes: Vec<&str> = all.methodologies.iter().map(|m| m.code.as_str()).collect();
        assert_eq!(codes, ["ev-charging", "pv-self-use", "sme-saving"]);
        assert!(all.known("walking").is_err());
        for m in &all.methodologies {
            for p in &m.parameters {
                assert!(!p.source.is_empty(), "{} {}", m.code, p.name);
                assert!(
                    !p.illustrative || p.note.is_some(),
                    "{} {}: say why",
                    m.code,
                    p.name
                );
            }
        }
    }
}

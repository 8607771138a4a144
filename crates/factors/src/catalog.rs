//! Factor selection with explicit, reported fallbacks.

use crate::builtin::builtin_factors;
use crate::factor::{Factor, FactorKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use zp_domain::{Carrier, Region};

/// What the accounts need a factor for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    /// kgce per base unit of a carrier (GB/T 2589).
    Tce(Carrier),
    Ncv(Carrier),
    CarbonContent(Carrier),
    Oxidation(Carrier),
    /// Location-based grid factor: provincial average of the year, else the average of
    /// the province's regional grid of the year, else the national average of the year,
    /// else the latest year published (in the same order).
    LocationGrid {
        region: Region,
        year: i32,
    },
    /// National average grid factor of the year (`--grid-factor national`).
    NationalGrid {
        year: i32,
    },
    /// Market-based residual factor: national "excluding market-traded non-fossil" of the
    /// year, national average when not published.
    MarketResidual {
        year: i32,
    },
    HeatEmission,
    /// Heat content of steam (GB/T 2589), used only by results issued before steam was
    /// priced by enthalpy.
    SteamHeat(Carrier),
    /// Specific enthalpy of feed water (kJ/kg) that purchased steam's heat is counted above.
    SteamFeedWater,
    ClinkerProcess,
    /// MWh represented by one green electricity certificate.
    GecUnit,
    /// Electricity's coal-equivalent (等价值) of the year, kgce/kWh, else the latest year.
    ElectricityCoalEquivalent {
        year: i32,
    },
}

impl Slot {
    /// Stable key under which a selection is pinned in an issued result.
    pub fn key(&self) -> String {
        match self {
            Slot::Tce(c) => format!("tce/{c}"),
            Slot::Ncv(c) => format!("ncv/{c}"),
            Slot::CarbonContent(c) => format!("carbon_content/{c}"),
            Slot::Oxidation(c) => format!("oxidation/{c}"),
            Slot::LocationGrid { region, year } => format!("grid_location/{region}/{year}"),
            Slot::NationalGrid { year } => format!("grid_national/{year}"),
            Slot::MarketResidual { year } => format!("grid_market/{year}"),
            Slot::HeatEmission => "heat_emission".to_string(),
            Slot::SteamHeat(c) => format!("steam_heat/{c}"),
            Slot::SteamFeedWater => "steam_feedwater".to_string(),
            Slot::ClinkerProcess => "clinker_process".to_string(),
            Slot::GecUnit => "gec_unit".to_string(),
            Slot::ElectricityCoalEquivalent { year } => {
                format!("electricity_coal_equivalent/{year}")
            }
        }
    }

    fn describe(&self) -> String {
        match self {
            Slot::Tce(c) => format!("GB/T 2589 coefficient for {c}"),
            Slot::Ncv(c) => format!("net calorific value for {c}"),
            Slot::CarbonContent(c) => format!("carbon content for {c}"),
            Slot::Oxidation(c) => format!("oxidation rate for {c}"),
            Slot::LocationGrid { region, year } => {
                format!("location-based grid factor for {region} {year}")
            }
            Slot::NationalGrid { year } => format!("national average grid factor {year}"),
            Slot::MarketResidual { year } => format!("market-based residual grid factor {year}"),
            Slot::HeatEmission => "purchased heat emission factor".to_string(),
            Slot::SteamHeat(c) => format!("heat content of {c}"),
            Slot::SteamFeedWater => "feed-water enthalpy for purchased steam".to_string(),
            Slot::ClinkerProcess => "clinker process emission factor".to_string(),
            Slot::GecUnit => "MWh per green electricity certificate".to_string(),
            Slot::ElectricityCoalEquivalent { year } => format!(
                "electricity coal-equivalent (等价值) of {year}; none is built in for lack of a citable source: import the year's value with its source (`zeropark import factors FILE --set NAME`, kind electricity_coal_equivalent, subject electricity)"
            ),
        }
    }
}

/// A chosen factor and, when it is not the exact match asked for, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    pub factor: Factor,
    pub note: Option<String>,
}

/// The factor ids an issued result was computed with, by slot key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Pins(pub BTreeMap<String, PinnedFactor>);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PinnedFactor {
    pub id: String,
    pub note: Option<String>,
}

impl Pins {
    pub fn insert(&mut self, slot: Slot, sel: &Selection) {
        self.0.insert(
            slot.key(),
            PinnedFactor {
                id: sel.factor.id.clone(),
                note: sel.note.clone(),
            },
        );
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("no factor in the catalog for the {0}; import a factor set that provides it")]
    Missing(String),
    #[error(
        "pinned factor {id} (for the {slot}) is no longer in the catalog; run `zeropark recompute`"
    )]
    PinnedGone { slot: String, id: String },
    #[error("factor {0} already exists in the catalog")]
    Duplicate(String),
}

/// All factor sets, in precedence order: a later set overrides an earlier one for the same
/// kind, subject and year.
#[derive(Debug, Clone)]
pub struct Catalog {
    factors: Vec<Factor>,
    /// Province -> its regional grid (built-in `grid-regions.csv`).
    grid_of: BTreeMap<Region, Region>,
}

impl Catalog {
    /// The built-in set alone.
    pub fn builtin() -> Catalog {
        Catalog {
            factors: builtin_factors(),
            grid_of: crate::builtin::builtin_grid_regions(),
        }
    }

    /// Adds a user set on top (highest precedence so far).
    pub fn add_set(&mut self, factors: Vec<Factor>) -> Result<(), CatalogError> {
        for f in &factors {
            if self.get(&f.id).is_some() {
                return Err(CatalogError::Duplicate(f.id.clone()));
            }
        }
        self.factors.extend(factors);
        Ok(())
    }

    pub fn all(&self) -> &[Factor] {
        &self.factors
    }

    pub fn get(&self, id: &str) -> Option<&Factor> {
        self.factors.iter().find(|f| f.id == id)
    }

    /// Highest-precedence factor of this kind, subject and year.
    fn exact(&self, kind: FactorKind, subject: &str, year: Option<i32>) -> Option<&Factor> {
        self.factors
            .iter()
            .rev()
            .find(|f| f.kind == kind && f.subject == subject && f.year == year)
    }

    /// Highest-precedence factor of the latest year before `year`.
    fn latest_before(&self, kind: FactorKind, subject: &str, year: i32) -> Option<&Factor> {
        let best_year = self
            .factors
            .iter()
            .filter(|f| f.kind == kind && f.subject == subject)
            .filter_map(|f| f.year)
            .filter(|y| *y < year)
            .max()?;
        self.exact(kind, subject, Some(best_year))
    }

    fn grid_chain(&self, wanted: &[(FactorKind, Region)], year: i32) -> Option<Selection> {
        let first = wanted[0];
        let describe = |k: FactorKind, r: Region| format!("{} {}", r.code(), k.key());
        for (i, &(kind, region)) in wanted.iter().enumerate() {
            if let Some(f) = self.exact(kind, region.code(), Some(year)) {
                let note = (i > 0).then(|| {
                    format!(
                        "no {} factor for {year}; used {} {year}",
                        describe(first.0, first.1),
                        describe(kind, region)
                    )
                });
                return Some(Selection {
                    factor: f.clone(),
                    note,
                });
            }
        }
        for &(kind, region) in wanted {
            if let Some(f) = self.latest_before(kind, region.code(), year) {
                let used = f.year.unwrap_or(year);
                let note = format!(
                    "no {} factor published for {year}; used the latest published, {} {used}",
                    describe(first.0, first.1),
                    describe(kind, region)
                );
                return Some(Selection {
                    factor: f.clone(),
                    note: Some(note),
                });
            }
        }
        None
    }

    /// Selects the factor for a slot from the current catalog.
    pub fn select(&self, slot: Slot) -> Result<Selection, CatalogError> {
        let national = Region::national();
        let plain = |kind: FactorKind, subject: &str| {
            self.exact(kind, subject, None).map(|f| Selection {
                factor: f.clone(),
                note: None,
            })
        };
        let found =
            match slot {
                Slot::Tce(c) => plain(FactorKind::TceCoefficient, c.key()),
                Slot::Ncv(c) => plain(FactorKind::NetCalorificValue, c.key()),
                Slot::CarbonContent(c) => plain(FactorKind::CarbonContent, c.key()),
                Slot::Oxidation(c) => plain(FactorKind::OxidationRate, c.key()),
                Slot::HeatEmission => plain(FactorKind::HeatEmission, "purchased_heat"),
                Slot::SteamHeat(c) => plain(FactorKind::SteamHeatContent, c.key()),
                Slot::SteamFeedWater => plain(FactorKind::Parameter, "steam_feedwater_enthalpy"),
                Slot::ClinkerProcess => plain(FactorKind::ClinkerProcess, "cement_clinker_process"),
                Slot::GecUnit => plain(FactorKind::Parameter, "gec_unit"),
                Slot::ElectricityCoalEquivalent { year } => {
                    let kind = FactorKind::ElectricityCoalEquivalent;
                    match self.exact(kind, "electricity", Some(year)) {
                    Some(f) => Some(Selection {
                        factor: f.clone(),
                        note: None,
                    }),
                    None => self.latest_before(kind, "electricity", year).map(|f| Selection {
                        note: Some(format!(
                            "no electricity coal-equivalent for {year}; used the latest, {}",
                            f.year.unwrap_or(year)
                        )),
                        factor: f.clone(),
                    }),
                }
                }
                Slot::LocationGrid { region, year } => {
                    let mut chain = vec![(FactorKind::GridAverage, region)];
                    if let Some(&grid) = self.grid_of.get(&region) {
                        chain.push((FactorKind::GridAverage, grid));
                    }
                    if !region.is_national() {
                        chain.push((FactorKind::GridAverage, national));
                    }
                    self.grid_chain(&chain, year)
                }
                Slot::NationalGrid { year } => {
                    self.grid_chain(&[(FactorKind::GridAverage, national)], year)
                }
                Slot::MarketResidual { year } => self.grid_chain(
                    &[
                        (FactorKind::GridExcludingMarketNonFossil, national),
                        (FactorKind::GridAverage, national),
                    ],
                    year,
                ),
            };
        found.ok_or_else(|| CatalogError::Missing(slot.describe()))
    }

    /// Uses the pinned factor when the slot was pinned, otherwise selects afresh and pins.
    pub fn select_pinned(&self, slot: Slot, pins: &mut Pins) -> Result<Selection, CatalogError> {
        if let Some(p) = pins.0.get(&slot.key()) {
            let f = self.get(&p.id).ok_or_else(|| CatalogError::PinnedGone {
                slot: slot.describe(),
                id: p.id.clone(),
            })?;
            return Ok(Selection {
                factor: f.clone(),
                note: p.note.clone(),
            });
        }
        let sel = self.select(slot)?;
        pins.insert(slot, &sel);
        Ok(sel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;
    use zp_domain::Decimal;

    fn region(code: &str) -> Region {
        Region::parse(code).unwrap()
    }

    #[test]
    fn provincial_factor_of_the_year() {
        let c = Catalog::builtin();
        let s = c
            .select(Slot::LocationGrid {
                region: region("CQ"),
                year: 2023,
            })
            .unwrap();
        assert_eq!(s.factor.value, dec!(0.5581));
        assert_eq!(s.note, None);
    }

    #[test]
    fn province_without_factor_falls_back_to_its_regional_grid_and_says_so() {
        let c = Catalog::builtin();
        let s = c
            .select(Slot::LocationGrid {
                region: region("XZ"),
                year: 2023,
            })
            .unwrap();
        // 西藏 is in the 西南 grid of the 2023 notice.
        assert_eq!(s.factor.value, dec!(0.2472));
        let note = s.note.unwrap();
        assert!(
            note.contains("XZ grid_average") && note.contains("GRID-SW"),
            "{note}"
        );
    }

    #[test]
    fn yunnan_2022_uses_its_own_factor() {
        let c = Catalog::builtin();
        let s = c
            .select(Slot::LocationGrid {
                region: region("YN"),
                year: 2022,
            })
            .unwrap();
        assert_eq!(s.factor.value, dec!(0.1073));
        assert_eq!(s.note, None);
    }

    fn grid_factor(code: &str, year: i32, value: Decimal) -> Factor {
        let kind = FactorKind::GridAverage;
        Factor {
            id: Factor::make_id("test", kind, code, Some(year)),
            set: "test".into(),
            kind,
            subject: code.into(),
            region: Some(region(code)),
            year: Some(year),
            value,
            unit: "tCO2/MWh".into(),
            publisher: "test".into(),
            notice: "test".into(),
        }
    }

    #[test]
    fn fallback_order_is_province_grid_nation_then_latest_year() {
        let c = Catalog {
            factors: vec![
                grid_factor("CN", 2021, dec!(0.5)),
                grid_factor("CN", 2022, dec!(0.6)),
                grid_factor("GRID-SW", 2022, dec!(0.2)),
                grid_factor("SC", 2021, dec!(0.1)),
            ],
            grid_of: crate::builtin::builtin_grid_regions(),
        };
        let pick = |code: &str, year| {
            c.select(Slot::LocationGrid {
                region: region(code),
                year,
            })
            .unwrap()
        };
        assert_eq!(pick("SC", 2021).factor.value, dec!(0.1));
        assert_eq!(pick("SC", 2022).factor.value, dec!(0.2)); // grid of the year first
        assert_eq!(pick("CQ", 2021).factor.value, dec!(0.5)); // no grid row for 2021
        let later = pick("SC", 2024);
        assert_eq!(later.factor.value, dec!(0.1)); // latest of the province itself
        assert!(later.note.unwrap().contains("latest published"));
        assert_eq!(pick("GD", 2022).factor.value, dec!(0.6)); // 南方 grid has no 2022 row here
    }

    #[test]
    fn year_not_yet_published_uses_latest_and_says_so() {
        let c = Catalog::builtin();
        let s = c
            .select(Slot::LocationGrid {
                region: region("CQ"),
                year: 2025,
            })
            .unwrap();
        assert_eq!(s.factor.value, dec!(0.5581));
        assert!(s.note.unwrap().contains("2023"));
    }

    #[test]
    fn market_residual_falls_back_to_national_average() {
        let c = Catalog::builtin();
        let s = c.select(Slot::MarketResidual { year: 2023 }).unwrap();
        assert_eq!(s.factor.value, dec!(0.6096));
        // The 2021 notice publishes the "excluding market-traded non-fossil" factor too.
        let s = c.select(Slot::MarketResidual { year: 2021 }).unwrap();
        assert_eq!(s.factor.value, dec!(0.5942));
        assert_eq!(s.note, None);
        // A year with neither published falls back to the latest, and says so.
        let s = c.select(Slot::MarketResidual { year: 2024 }).unwrap();
        assert_eq!(s.factor.value, dec!(0.6096));
        assert!(s.note.is_some());
    }

    #[test]
    fn too_early_is_missing() {
        let c = Catalog::builtin();
        let e = c.select(Slot::NationalGrid { year: 2010 }).unwrap_err();
        assert!(matches!(e, CatalogError::Missing(_)));
    }

    #[test]
    fn a_new_set_overrides_but_pins_hold() {
        let mut c = Catalog::builtin();
        let slot = Slot::LocationGrid {
            region: region("CQ"),
            year: 2023,
        };
        let mut pins = Pins::default();
        assert_eq!(
            c.select_pinned(slot, &mut pins).unwrap().factor.value,
            dec!(0.5581)
        );
        let mut revised = c.select(slot).unwrap().factor;
        revised.set = "mee-2026".into();
        revised.id = Factor::make_id("mee-2026", revised.kind, &revised.subject, revised.year);
        revised.value = dec!(0.5499);
        c.add_set(vec![revised.clone()]).unwrap();
        assert_eq!(c.select(slot).unwrap().factor.value, dec!(0.5499));
        assert_eq!(
            c.select_pinned(slot, &mut pins).unwrap().factor.value,
            dec!(0.5581)
        );
        assert_eq!(
            c.add_set(vec![revised]),
            Err(CatalogError::Duplicate(
                "mee-2026/grid_average/CQ/2023".into()
            ))
        );
    }
}

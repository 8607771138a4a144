//! Projects of the library (项目库) and their expected reductions, computed by the
//! accounting engine from baseline and project activity.

use crate::FinanceError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use zp_accounting::{ActivityLine, FactorUse, Inventory, Options, OrgInput, compute};
use zp_domain::{Carrier, CreditCode, Decimal, Period, Quantity, Region, Unit};
use zp_factors::{Catalog, Pins};

macro_rules! kinds {
    ($($v:ident = $key:literal, $zh:literal;)*) => {
        /// What a project does.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ProjectKind { $($v,)* }

        impl ProjectKind {
            pub const ALL: &'static [ProjectKind] = &[$(ProjectKind::$v,)*];
            pub fn key(self) -> &'static str { match self { $(ProjectKind::$v => $key,)* } }
            pub fn name_zh(self) -> &'static str { match self { $(ProjectKind::$v => $zh,)* } }
            pub fn parse(s: &str) -> Option<ProjectKind> {
                let t = s.trim();
                ProjectKind::ALL.iter().copied().find(|k| k.key() == t || k.name_zh() == t)
            }
        }
    };
}

kinds! {
    EnergyEfficiency = "energy_efficiency", "节能技术改造";
    MotorSystem = "motor_system", "电机系统节能";
    WasteHeatRecovery = "waste_heat_recovery", "余热余压利用";
    BuildingEfficiency = "building_efficiency", "建筑节能";
    FuelSwitch = "fuel_switch", "燃料替代";
    Ccus = "ccus", "碳捕集利用与封存";
    SolidWasteUtilisation = "solid_waste_utilisation", "固废综合利用";
    DistributedPv = "distributed_pv", "分布式光伏";
    Wind = "wind", "风电";
    Geothermal = "geothermal", "地热能";
    EnergyStorage = "energy_storage", "储能";
    EvCharging = "ev_charging", "充换电设施";
}

/// A year's activity of one carrier, in any unit of its dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AnnualActivity {
    pub carrier: Carrier,
    pub quantity: Decimal,
    pub unit: Unit,
}

/// A production or output driver (产量) that scales the baseline in MRV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Driver {
    /// What is counted, e.g. `cement`.
    pub name: String,
    /// Its unit, e.g. `t`.
    pub unit: String,
    /// Output of the baseline year, the denominator of the monthly scaling.
    pub baseline_annual: Decimal,
}

/// A project registered by an enterprise or a park.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Project {
    /// Stable id chosen by the registrant, e.g. `FH-2023-01`.
    pub id: String,
    pub name: String,
    /// The enterprise whose ledgers the MRV reads.
    pub org: CreditCode,
    pub kind: ProjectKind,
    pub region: Region,
    #[serde(default)]
    pub location: String,
    /// Total investment (capex), yuan with at most 2 decimals.
    pub capex_yuan: Decimal,
    /// Construction start.
    pub start: Period,
    /// First month of operation: reductions accrue from here.
    pub operation_start: Period,
    /// Codes of the green finance support catalogue.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Year whose factors price the expected reduction.
    pub baseline_year: i32,
    /// Annual activity without the project (the enterprise's boundary for its carriers).
    #[serde(default)]
    pub baseline: Vec<AnnualActivity>,
    /// Take the baseline from the enterprise's own imported ledger of `baseline_year` (the
    /// carriers of `project`), summed by [`annual_from_ledger`], instead of typing it in.
    #[serde(default)]
    pub baseline_from_ledger: bool,
    /// Annual activity with the project.
    #[serde(default)]
    pub project: Vec<AnnualActivity>,
    #[serde(default)]
    pub driver: Option<Driver>,
    /// Carbon emission allowances (CEA) the enterprise can pledge, tCO2.
    #[serde(default)]
    pub pledgeable_quota_tco2: Option<Decimal>,
}

impl Project {
    /// Checks what can be checked without a catalogue.
    pub fn validate(&self) -> Result<(), FinanceError> {
        let bad = |reason: String| {
            Err(FinanceError::Project {
                id: self.id.clone(),
                reason,
            })
        };
        if self.id.trim().is_empty() || self.id.len() > 64 {
            return bad("id must be 1-64 characters".into());
        }
        if self.capex_yuan <= Decimal::ZERO {
            return bad(format!("capex {} yuan must be positive", self.capex_yuan));
        }
        crate::money::yuan_to_fen(self.capex_yuan).map_err(|e| FinanceError::Project {
            id: self.id.clone(),
            reason: e.to_string(),
        })?;
        if self.operation_start < self.start {
            return bad(format!(
                "operation starts {} before construction {}",
                self.operation_start, self.start
            ));
        }
        if let Err(e) = Period::new(self.baseline_year, 1) {
            return bad(format!("baseline year: {e}"));
        }
        if self.baseline.is_empty() && !self.baseline_from_ledger {
            return bad(
                "the baseline has no activity (give [[baseline]] lines or baseline_from_ledger = true)"
                    .into(),
            );
        }
        if self.baseline_from_ledger && self.project.is_empty() {
            return bad(
                "baseline_from_ledger needs the [[project]] lines to name the carriers".into(),
            );
        }
        for a in self.baseline.iter().chain(&self.project) {
            if !a.carrier.accepts(a.unit) {
                return bad(format!(
                    "{} cannot be given in {}",
                    a.carrier,
                    a.unit.symbol()
                ));
            }
            if a.quantity < Decimal::ZERO {
                return bad(format!("{} quantity {} is negative", a.carrier, a.quantity));
            }
        }
        if let Some(d) = &self.driver
            && d.baseline_annual <= Decimal::ZERO
        {
            return bad("driver baseline_annual must be positive".into());
        }
        Ok(())
    }

    /// Carriers inside the project boundary (baseline or project side).
    pub fn carriers(&self) -> BTreeSet<Carrier> {
        self.baseline
            .iter()
            .chain(&self.project)
            .map(|a| a.carrier)
            .collect()
    }
}

/// What one carrier contributes to the reduction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CarrierSaving {
    pub carrier: Carrier,
    /// Baseline minus project, in the carrier's base unit.
    pub saved_quantity: Decimal,
    pub unit: String,
    pub energy_saved_tce: Decimal,
    pub scope1_tco2: Decimal,
    pub scope2_location_tco2: Decimal,
}

/// Baseline minus project figures of a year. Positive numbers are reductions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Reduction {
    pub year: i32,
    pub baseline_tce: Decimal,
    pub project_tce: Decimal,
    pub energy_saved_tce: Decimal,
    pub scope1_tco2: Decimal,
    pub scope2_location_tco2: Decimal,
    pub scope2_market_tco2: Decimal,
    /// Scope 1 + Scope 2 location-based: the figure banks report.
    pub total_tco2: Decimal,
    /// tCO2 a year per 10,000 yuan of capex.
    pub tco2_per_10k_yuan: Decimal,
    pub carriers: Vec<CarrierSaving>,
    /// Factors both sides were computed with (the same pins).
    pub factors: Vec<FactorUse>,
    pub notes: Vec<String>,
}

/// `acts` x `num` / `den` (multiplied first, so a twelfth of 12,000 is exactly 1,000).
fn input(
    p: &Project,
    period: Period,
    acts: &[AnnualActivity],
    num: Decimal,
    den: Decimal,
) -> OrgInput {
    OrgInput {
        org: p.org.clone(),
        name: p.name.clone(),
        region: p.region,
        year: period.year(),
        lines: acts
            .iter()
            .enumerate()
            .map(|(i, a)| ActivityLine {
                steam: None,
                serials: None,
                id: i as i64 + 1,
                period,
                carrier: a.carrier,
                quantity: Quantity::new(a.quantity * num / den, a.unit),
                source: format!("project {}", p.id),
            })
            .collect(),
        output_value_10k_yuan: None,
        onsite_certificates_sold_mwh: zp_domain::Decimal::ZERO,
    }
}

/// Difference of two inventories computed with the same factors.
pub(crate) fn difference(
    base: &Inventory,
    with: &Inventory,
    capex_yuan: Decimal,
    year: i32,
) -> Reduction {
    let carriers: BTreeSet<Carrier> = base
        .lines
        .iter()
        .chain(&with.lines)
        .map(|l| l.carrier)
        .collect();
    let line = |inv: &Inventory, c: Carrier| inv.lines.iter().find(|l| l.carrier == c).cloned();
    let savings = carriers
        .into_iter()
        .map(|c| {
            let (b, w) = (line(base, c), line(with, c));
            let get = |l: &Option<zp_accounting::CarrierLine>,
                       f: fn(&zp_accounting::CarrierLine) -> Decimal| {
                l.as_ref().map(f).unwrap_or_default()
            };
            CarrierSaving {
                carrier: c,
                saved_quantity: get(&b, |l| l.quantity) - get(&w, |l| l.quantity),
                unit: b
                    .as_ref()
                    .or(w.as_ref())
                    .map(|l| l.unit.clone())
                    .unwrap_or_default(),
                energy_saved_tce: get(&b, |l| l.energy_tce) - get(&w, |l| l.energy_tce),
                scope1_tco2: get(&b, |l| l.scope1_tco2) - get(&w, |l| l.scope1_tco2),
                scope2_location_tco2: get(&b, |l| l.scope2_location_tco2)
                    - get(&w, |l| l.scope2_location_tco2),
            }
        })
        .collect();
    let total = base.total_location_tco2() - with.total_location_tco2();
    let mut factors = base.factors.clone();
    for f in &with.factors {
        if !factors.iter().any(|g| g.id == f.id && g.slot == f.slot) {
            factors.push(f.clone());
        }
    }
    let mut notes = base.notes.clone();
    notes.extend(
        with.notes
            .iter()
            .filter(|n| !base.notes.contains(n))
            .cloned(),
    );
    Reduction {
        year,
        baseline_tce: base.energy_tce,
        project_tce: with.energy_tce,
        energy_saved_tce: base.energy_tce - with.energy_tce,
        scope1_tco2: base.scope1_tco2 - with.scope1_tco2,
        scope2_location_tco2: base.scope2_location_tco2 - with.scope2_location_tco2,
        scope2_market_tco2: base.scope2_market_tco2 - with.scope2_market_tco2,
        total_tco2: total,
        tco2_per_10k_yuan: if capex_yuan.is_zero() {
            Decimal::ZERO
        } else {
            total * Decimal::from(10_000) / capex_yuan
        },
        carriers: savings,
        factors,
        notes,
    }
}

/// The expected annual reduction of a project: the accounting engine runs on the baseline
/// and on the project activity of `baseline_year` with the same pinned factors, and the
/// reduction is the difference (energy saved -> tce -> tCO2). Location-based Scope 2 uses
/// the project region's grid factor of the baseline year (falling back as the catalog
/// reports in `notes`).
pub fn expected_reduction(p: &Project, catalog: &Catalog) -> Result<Reduction, FinanceError> {
    p.validate()?;
    if p.baseline.is_empty() {
        return Err(FinanceError::Project {
            id: p.id.clone(),
            reason: "the baseline has not been filled from the ledger yet".into(),
        });
    }
    let year = p.baseline_year;
    let period = Period::new(year, 1).map_err(|e| FinanceError::Project {
        id: p.id.clone(),
        reason: format!("baseline year: {e}"),
    })?;
    let mut pins = Pins::default();
    let base = compute(
        &input(p, period, &p.baseline, Decimal::ONE, Decimal::ONE),
        catalog,
        &mut pins,
        Options::default(),
    )?;
    let with = compute(
        &input(p, period, &p.project, Decimal::ONE, Decimal::ONE),
        catalog,
        &mut pins,
        Options::default(),
    )?;
    Ok(difference(&base, &with, p.capex_yuan, year))
}

/// Inventory of `acts` x `num` / `den` for one month (used by the MRV baseline).
pub(crate) fn month_inventory(
    p: &Project,
    period: Period,
    acts: &[AnnualActivity],
    (num, den): (Decimal, Decimal),
    catalog: &Catalog,
    pins: &mut Pins,
) -> Result<Inventory, FinanceError> {
    Ok(compute(
        &input(p, period, acts, num, den),
        catalog,
        pins,
        Options::default(),
    )?)
}

impl Project {
    /// Parses a project file (TOML) and validates it.
    pub fn from_toml(text: &str) -> Result<Project, FinanceError> {
        let p = Project::parse_toml(text)?;
        p.validate()?;
        Ok(p)
    }

    /// Parses a project file (TOML) without validating it, for callers that fill the
    /// activity from ledgers first (then [`Project::validate`]).
    pub fn parse_toml(text: &str) -> Result<Project, FinanceError> {
        toml::from_str(text).map_err(|e| FinanceError::Project {
            id: "?".into(),
            reason: e.to_string(),
        })
    }
}

/// Sums an enterprise's monthly ledger lines into a year's activity per carrier, in the
/// carrier's base unit (certificates in MWh), in carrier order. Every line must be of
/// `year`, and every carrier must have all 12 months: a partial year would understate the
/// baseline and overstate the reduction.
pub fn annual_from_ledger(
    project_id: &str,
    lines: &[ActivityLine],
    year: i32,
) -> Result<Vec<AnnualActivity>, FinanceError> {
    let bad = |reason: String| FinanceError::Project {
        id: project_id.to_string(),
        reason,
    };
    let mut sums: std::collections::BTreeMap<Carrier, (Decimal, BTreeSet<u32>)> =
        Default::default();
    for l in lines {
        if l.period.year() != year {
            return Err(bad(format!(
                "ledger line {} ({}) is for {}, not {year}",
                l.id, l.source, l.period
            )));
        }
        let unit = if l.carrier == Carrier::GreenCertificate {
            Unit::Mwh
        } else {
            l.carrier.base_unit()
        };
        let q = l
            .quantity
            .value_in(unit)
            .map_err(|e| bad(format!("ledger line {} ({}): {e}", l.id, l.source)))?;
        let e = sums.entry(l.carrier).or_default();
        e.0 += q;
        e.1.insert(l.period.month());
    }
    sums.into_iter()
        .map(|(carrier, (quantity, months))| {
            if months.len() != 12 {
                return Err(bad(format!(
                    "the {year} ledger has {} of 12 months of {carrier}; a baseline needs the whole year",
                    months.len()
                )));
            }
            let unit = if carrier == Carrier::GreenCertificate {
                Unit::Mwh
            } else {
                carrier.base_unit()
            };
            Ok(AnnualActivity {
                carrier,
                quantity,
                unit,
            })
        })
        .collect()
}

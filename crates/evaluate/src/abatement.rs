//! Abatement planning (减排路径规划): candidate measures as data, their marginal abatement
//! cost curve ([`mac_curve`]), and the cheapest portfolio that brings the market-based
//! carbon intensity of energy use to a target by a target year ([`plan_abatement`]).
//!
//! A measure is bought in whole units (a 1 MWp PV block, a 1 MW heat pump, one waste-heat
//! project, a 1,000 MWh block of green power). Per unit and year it changes grid
//! electricity (`grid_mwh`), on-site clean electricity (`onsite_clean_mwh`), certificate
//! cover (`certified_mwh`), fossil fuel (`fuel_tce` at `fuel_tco2_per_tce`) and purchased
//! heat or steam (`purchased_heat_gj`). From the scope's own accounts that gives, per unit:
//!
//! - avoided emissions `a = -grid_mwh x f + certified_mwh x f - fuel_tce x fuel_factor
//!   - purchased_heat_gj x h`, where `f` is the market factor of the scope's uncovered grid
//!   electricity and `h` the heat factor of the catalog (tCO2/GJ), and
//! - saved energy `q = -(grid_mwh + onsite_clean_mwh) x 0.1229 - fuel_tce
//!   - purchased_heat_gj x e`, `e` the scope's tce per GJ of purchased heat ([`Rates`]).
//!
//! The intensity target `(E - sum a_i x_i) / (Q - sum q_i x_i) <= T` is linear in the unit
//! counts `x_i` because `T` is fixed: `sum (a_i - T q_i) x_i >= E - T Q`. Three more rows
//! keep the plan physical: certificates never cover more grid electricity than is left, no
//! more fuel is avoided than is burnt and no more heat replaced than is bought. The
//! objective is the annualised cost `capex x CRF(r, n) + opex`
//! (CRF = r(1+r)^n / ((1+r)^n - 1)).
//!
//! Solver: `good_lp` with the pure-Rust `microlp` backend (branch and bound over the integer
//! unit counts). The issue named HiGHS (the `highs` crate); measured for this workspace,
//! highs-sys adds about 7 minutes of C++ build and needs cmake and libclang on every build
//! machine, for problems of a handful of variables that microlp solves in microseconds. The
//! solver is called only in [`solve`]; HiGHS can be swapped in there by enabling good_lp's
//! `highs` feature. The solver works in f64; its answer is rounded to whole units and then
//! checked again in exact decimals, so a plan that is reported as reaching the target does.

use crate::inputs::{AccountInputs, AccountMetric, ELECTRICITY_TCE_PER_MWH, HEAT_TCE_PER_GJ};
use crate::scheme::SchemeError;
use good_lp::{
    Expression, ResolutionError, Solution, SolverModel, Variable, constraint, microlp, variable,
    variables,
};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

/// The only measures-file `format` this version reads.
pub const MEASURES_FORMAT: u32 = 1;

/// The built-in candidate measures (indicative prices; replace with quotes).
pub const DEFAULT_MEASURES_TOML: &str = include_str!("../measures/default.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    RooftopPv,
    HeatPump,
    WasteHeatRecovery,
    EfficiencyRetrofit,
    GreenPowerPurchase,
    Other,
}

/// A candidate measure, per unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub id: String,
    pub kind: MeasureKind,
    pub name: String,
    /// The measure's Chinese name.
    #[serde(default)]
    pub name_zh: Option<String>,
    /// What one unit is, e.g. "1 MWp of rooftop PV".
    pub unit: String,
    /// The unit in Chinese, when the set gives it.
    #[serde(default)]
    pub unit_zh: Option<String>,
    #[serde(deserialize_with = "crate::scheme::dec")]
    pub capex_yuan: Decimal,
    /// Yearly operating cost per unit; negative when it saves money (fuel, power bills).
    #[serde(deserialize_with = "crate::scheme::dec")]
    pub opex_yuan_per_year: Decimal,
    pub lifetime_years: u32,
    /// Change of grid electricity per unit and year (negative = less).
    #[serde(default, deserialize_with = "crate::scheme::dec")]
    pub grid_mwh: Decimal,
    /// On-site clean electricity generated and used per unit and year.
    #[serde(default, deserialize_with = "crate::scheme::dec")]
    pub onsite_clean_mwh: Decimal,
    /// Grid electricity newly covered by retired certificates / green power contracts.
    #[serde(default, deserialize_with = "crate::scheme::dec")]
    pub certified_mwh: Decimal,
    /// Change of fossil fuel burnt per unit and year, tce (negative = less).
    #[serde(default, deserialize_with = "crate::scheme::dec")]
    pub fuel_tce: Decimal,
    /// Emission factor of that fuel (natural gas about 1.78, coal about 2.66 tCO2/tce).
    #[serde(default, deserialize_with = "crate::scheme::dec")]
    pub fuel_tco2_per_tce: Decimal,
    /// Change of purchased heat and steam per unit and year, GJ (negative = less bought);
    /// valued at the catalog's heat factor, bounded by the purchased heat in the accounts.
    #[serde(default, deserialize_with = "crate::scheme::dec")]
    pub purchased_heat_gj: Decimal,
    /// Most units that can be installed (roof area, heat demand, projects); `None` = only
    /// the grid and fuel rows limit it.
    #[serde(default)]
    pub max_units: Option<u32>,
    /// First year the measure can be in operation.
    #[serde(default)]
    pub available_from: Option<i32>,
    /// Where the cost and effect figures come from.
    pub source: String,
}

/// A measures file: `format`, `id`, `version`, `discount_rate` and `[[measure]]` tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureSet {
    pub id: String,
    pub version: String,
    /// Real discount rate for annualising capex.
    pub discount_rate: Decimal,
    pub measures: Vec<Measure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeasureFile {
    format: u32,
    id: String,
    version: String,
    #[serde(deserialize_with = "crate::scheme::dec")]
    discount_rate: Decimal,
    #[serde(default)]
    measure: Vec<Measure>,
}

impl MeasureSet {
    /// Parses and checks a measures file.
    pub fn from_toml_str(text: &str) -> Result<MeasureSet, SchemeError> {
        let f: MeasureFile = toml::from_str(text).map_err(|e| SchemeError::Toml(e.to_string()))?;
        if f.format != MEASURES_FORMAT {
            return Err(SchemeError::Format(f.format));
        }
        let invalid = |message: String| SchemeError::Invalid {
            scheme: f.id.clone(),
            message,
        };
        let discount_rate = f.discount_rate;
        if discount_rate < Decimal::ZERO {
            return Err(invalid("discount_rate must not be negative".into()));
        }
        let mut ids = std::collections::BTreeSet::new();
        for m in &f.measure {
            let bad = |msg: &str| invalid(format!("measure {:?}: {msg}", m.id));
            if !ids.insert(m.id.clone()) {
                return Err(bad("defined twice"));
            }
            if m.lifetime_years == 0 {
                return Err(bad("lifetime_years must be at least 1"));
            }
            if m.capex_yuan < Decimal::ZERO {
                return Err(bad("capex_yuan must not be negative"));
            }
            if m.onsite_clean_mwh < Decimal::ZERO || m.certified_mwh < Decimal::ZERO {
                return Err(bad(
                    "onsite_clean_mwh and certified_mwh must not be negative",
                ));
            }
            let uses_bounded = m.grid_mwh < Decimal::ZERO
                || m.certified_mwh > Decimal::ZERO
                || m.fuel_tce < Decimal::ZERO
                || m.purchased_heat_gj < Decimal::ZERO;
            if m.max_units.is_none() && !uses_bounded {
                return Err(bad(
                    "needs max_units (only measures that use up grid electricity, certificate cover, fuel or purchased heat are limited by the accounts)",
                ));
            }
        }
        if f.measure.is_empty() {
            return Err(invalid("no measures".into()));
        }
        Ok(MeasureSet {
            id: f.id,
            version: f.version,
            discount_rate,
            measures: f.measure,
        })
    }

    /// The built-in candidate measures.
    pub fn default_set() -> MeasureSet {
        MeasureSet::from_toml_str(DEFAULT_MEASURES_TOML)
            .unwrap_or_else(|e| panic!("built-in measures are invalid: {e}"))
    }
}

/// Capital recovery: `capex x r(1+r)^n / ((1+r)^n - 1) + opex` (capex / n when r = 0),
/// rounded to the fen.
pub fn annualised_cost_yuan(m: &Measure, discount_rate: Decimal) -> Decimal {
    let n = m.lifetime_years;
    let capital = if discount_rate.is_zero() {
        m.capex_yuan / Decimal::from(n)
    } else {
        let mut growth = Decimal::ONE;
        for _ in 0..n {
            growth *= Decimal::ONE + discount_rate;
        }
        m.capex_yuan * discount_rate * growth / (growth - Decimal::ONE)
    };
    (capital + m.opex_yuan_per_year).round_dp(2)
}

/// What one unit of a measure does in a given scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Effect {
    /// Avoided emissions, tCO2/yr (market-based).
    avoided_tco2: Decimal,
    /// Saved energy, tce/yr.
    saved_tce: Decimal,
}

/// The factors that turn a measure's physical effects into avoided tCO2 and saved tce in
/// one scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rates {
    /// Market factor of the grid electricity the measures change, tCO2/MWh.
    pub grid_tco2_per_mwh: Decimal,
    /// Heat factor of purchased heat and steam (catalog), tCO2/GJ.
    pub heat_tco2_per_gj: Decimal,
    /// Energy of purchased heat, tce/GJ: the scope's own (its purchased heat tce / GJ), else
    /// the GB/T 2589 heat value 0.03412.
    pub heat_tce_per_gj: Decimal,
    /// Purchased heat and steam of the base year, GJ (purchased heat tCO2 / heat factor).
    pub purchased_heat_gj: Decimal,
}

impl Rates {
    /// Rates for a scope: `grid` as given, heat from `heat_tco2_per_gj` and the accounts.
    pub fn new(base: &AccountInputs, grid: Decimal, heat_tco2_per_gj: Option<Decimal>) -> Rates {
        let k = heat_tco2_per_gj.unwrap_or_default();
        let gj = base.purchased_heat_gj(k);
        Rates {
            grid_tco2_per_mwh: grid,
            heat_tco2_per_gj: k,
            heat_tce_per_gj: if gj > Decimal::ZERO {
                base.purchased_heat_tce / gj
            } else {
                HEAT_TCE_PER_GJ
            },
            purchased_heat_gj: gj,
        }
    }
}

fn effect(m: &Measure, r: &Rates) -> Effect {
    Effect {
        avoided_tco2: (m.certified_mwh - m.grid_mwh) * r.grid_tco2_per_mwh
            - m.fuel_tce * m.fuel_tco2_per_tce
            - m.purchased_heat_gj * r.heat_tco2_per_gj,
        saved_tce: -(m.grid_mwh + m.onsite_clean_mwh) * ELECTRICITY_TCE_PER_MWH
            - m.fuel_tce
            - m.purchased_heat_gj * r.heat_tce_per_gj,
    }
}

/// One step of the marginal abatement cost curve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MacPoint {
    pub measure: String,
    pub name: String,
    #[serde(default)]
    pub name_zh: Option<String>,
    pub annualised_cost_yuan_per_unit: Decimal,
    pub avoided_tco2_per_unit: Decimal,
    /// Yuan per tCO2 avoided (negative = saves money); `None` when it avoids nothing.
    pub cost_yuan_per_tco2: Option<Decimal>,
    /// Units the curve counts: `max_units`, or what the grid or fuel allows.
    pub units: Decimal,
    pub avoided_tco2: Decimal,
    /// Running total of `avoided_tco2` along the curve.
    pub cumulative_tco2: Decimal,
}

/// The marginal abatement cost curve of the measures in a scope, valued at `rates` (see
/// [`rates`]): cheapest per tCO2 first. Each measure is counted at its own limit; measures
/// that compete for the same grid electricity, fuel or heat can overlap, which the
/// optimiser (not the curve) resolves.
pub fn mac_curve(set: &MeasureSet, base: &AccountInputs, rates: &Rates) -> Vec<MacPoint> {
    let mut points: Vec<MacPoint> = set
        .measures
        .iter()
        .map(|m| {
            let e = effect(m, rates);
            let cost = annualised_cost_yuan(m, set.discount_rate);
            let units = resource_limit(m, base, rates);
            MacPoint {
                measure: m.id.clone(),
                name: m.name.clone(),
                name_zh: m.name_zh.clone(),
                annualised_cost_yuan_per_unit: cost,
                avoided_tco2_per_unit: e.avoided_tco2.round_dp(4).normalize(),
                cost_yuan_per_tco2: (e.avoided_tco2 > Decimal::ZERO)
                    .then(|| (cost / e.avoided_tco2).round_dp(2)),
                units,
                avoided_tco2: (e.avoided_tco2 * units).round_dp(4).normalize(),
                cumulative_tco2: Decimal::ZERO,
            }
        })
        .collect();
    points.sort_by(|a, b| match (a.cost_yuan_per_tco2, b.cost_yuan_per_tco2) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.measure.cmp(&b.measure)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.measure.cmp(&b.measure),
    });
    let mut total = Decimal::ZERO;
    for p in &mut points {
        if p.cost_yuan_per_tco2.is_some() {
            total += p.avoided_tco2;
        }
        p.cumulative_tco2 = total;
    }
    points
}

/// Whole units a measure can have on its own: its `max_units`, or what the scope's grid
/// electricity, fuel or purchased heat allows.
fn resource_limit(m: &Measure, base: &AccountInputs, rates: &Rates) -> Decimal {
    let mut limit: Option<Decimal> = m.max_units.map(Decimal::from);
    let mut cap = |v: Decimal| {
        let v = v.floor().max(Decimal::ZERO);
        limit = Some(limit.map_or(v, |l| l.min(v)));
    };
    if m.grid_mwh < Decimal::ZERO {
        cap(base.uncovered_grid_mwh() / -m.grid_mwh);
    }
    if m.certified_mwh > Decimal::ZERO {
        cap(base.uncovered_grid_mwh() / m.certified_mwh);
    }
    if m.fuel_tce < Decimal::ZERO {
        cap(base.fuel_tce / -m.fuel_tce);
    }
    if m.purchased_heat_gj < Decimal::ZERO {
        cap(rates.purchased_heat_gj / -m.purchased_heat_gj);
    }
    limit.unwrap_or_default()
}

/// What to plan for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRequest {
    pub scope_id: String,
    pub base_year: i32,
    /// The base year's accounts (the business-as-usual starting point).
    pub base: AccountInputs,
    pub target_year: i32,
    /// Target market-based intensity, tCO2/tce.
    pub target_tco2_per_tce: Decimal,
    /// Market factor (tCO2/MWh) for grid electricity when the base year has no uncovered
    /// grid electricity to take it from (e.g. the residual factor of the year).
    pub fallback_grid_tco2_per_mwh: Option<Decimal>,
    /// Heat factor of purchased heat and steam (tCO2/GJ, the catalog's), which values
    /// measures on purchased heat and turns the accounts' heat tCO2 into GJ; `None` leaves
    /// such measures without effect and without room.
    #[serde(default)]
    pub heat_tco2_per_gj: Option<Decimal>,
}

/// The market factor of the grid electricity the measures change: the scope's own
/// (market Scope 2 of grid electricity / uncovered grid MWh), else the request's fallback.
pub fn grid_factor(req: &PlanRequest) -> Option<Decimal> {
    req.base
        .grid_market_tco2_per_mwh()
        .or(req.fallback_grid_tco2_per_mwh)
}

/// The [`Rates`] of a request; a scope without a grid factor gets 0 for grid measures
/// (which [`plan_abatement`] refuses when the measures touch the grid).
pub fn rates(req: &PlanRequest) -> Rates {
    Rates::new(
        &req.base,
        grid_factor(req).unwrap_or_default(),
        req.heat_tco2_per_gj,
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// The base year already meets the target: nothing to buy.
    AlreadyMet,
    /// The cheapest portfolio found reaches the target.
    Optimal,
    /// Even every eligible measure at its limit does not reach the target.
    Infeasible,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PlannedMeasure {
    pub measure: String,
    pub name: String,
    #[serde(default)]
    pub name_zh: Option<String>,
    pub unit: String,
    /// The unit in Chinese, when the set gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_zh: Option<String>,
    pub units: u32,
    pub annualised_cost_yuan: Decimal,
    pub capex_yuan: Decimal,
    pub avoided_tco2: Decimal,
    pub saved_tce: Decimal,
}

/// An abatement plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Plan {
    pub scope_id: String,
    pub measures_set: String,
    pub measures_version: String,
    pub status: PlanStatus,
    pub base_year: i32,
    pub target_year: i32,
    pub target_tco2_per_tce: Decimal,
    pub base_intensity_tco2_per_tce: Decimal,
    pub base_energy_tce: Decimal,
    pub base_emissions_tco2: Decimal,
    /// Market factor of the uncovered grid electricity used for the effects, tCO2/MWh.
    pub grid_factor_tco2_per_mwh: Decimal,
    /// Heat factor used for purchased heat, tCO2/GJ (0 when none was given).
    #[serde(default)]
    pub heat_factor_tco2_per_gj: Decimal,
    /// Purchased heat and steam of the base year, GJ: the room of heat measures.
    #[serde(default)]
    pub base_purchased_heat_gj: Decimal,
    /// `E - T x Q`: the intensity-weighted reduction the portfolio has to deliver.
    pub required_tco2: Decimal,
    pub portfolio: Vec<PlannedMeasure>,
    pub total_annualised_cost_yuan: Decimal,
    pub total_capex_yuan: Decimal,
    pub emissions_after_tco2: Decimal,
    pub energy_after_tce: Decimal,
    /// Intensity with the portfolio in place (exact check of the solver's answer).
    pub intensity_after_tco2_per_tce: Option<Decimal>,
    /// Measures left out because they start after the target year.
    pub not_available: Vec<String>,
    pub notes: Vec<String>,
}

/// The messages of [`PlanError`] as `(code, template)` pairs, so a page in another
/// language recognises an error's code and parameters (`zp_domain::template::recognise`);
/// a test checks every variant's message against them.
pub const PLAN_ERRORS_EN: &[(&str, &str)] = &[
    (
        "plan.years",
        "target year {target} must not be before the base year {base}",
    ),
    (
        "plan.no_energy",
        "the base year has no energy use, so it has no carbon intensity",
    ),
    (
        "plan.negative_target",
        "target intensity {target} must not be negative",
    ),
    ("plan.solver", "solver: {detail}"),
    (
        "plan.no_grid_factor",
        "the base year has no uncovered grid electricity and no fallback grid factor was given, so measures that change grid electricity cannot be valued",
    ),
    (
        "plan.numerical",
        "the solver's portfolio misses the target in exact arithmetic ({intensity} tCO2/tce)",
    ),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("target year {target} must not be before the base year {base}")]
    Years { base: i32, target: i32 },
    #[error("the base year has no energy use, so it has no carbon intensity")]
    NoEnergy,
    #[error("target intensity {0} must not be negative")]
    NegativeTarget(Decimal),
    #[error("solver: {0}")]
    Solver(String),
    #[error(
        "the base year has no uncovered grid electricity and no fallback grid factor was given, so measures that change grid electricity cannot be valued"
    )]
    NoGridFactor,
    #[error("the solver's portfolio misses the target in exact arithmetic ({0} tCO2/tce)")]
    Numerical(Decimal),
}

/// The cheapest whole-unit portfolio of `set` that brings the market-based intensity of
/// `req.base` to at most `req.target_tco2_per_tce`, using measures available by the target
/// year. Energy use is held at the base year (no growth assumption inside the plan).
pub fn plan_abatement(req: &PlanRequest, set: &MeasureSet) -> Result<Plan, PlanError> {
    if req.target_year < req.base_year {
        return Err(PlanError::Years {
            base: req.base_year,
            target: req.target_year,
        });
    }
    let target = req.target_tco2_per_tce;
    if target < Decimal::ZERO {
        return Err(PlanError::NegativeTarget(target));
    }
    let base = &req.base;
    let base_intensity = base
        .metric(AccountMetric::IntensityMarketTco2PerTce)
        .ok_or(PlanError::NoEnergy)?;
    let touches_grid = set
        .measures
        .iter()
        .any(|m| !m.grid_mwh.is_zero() || !m.certified_mwh.is_zero());
    let f = match grid_factor(req) {
        Some(f) => f,
        None if !touches_grid => Decimal::ZERO,
        None => return Err(PlanError::NoGridFactor),
    };
    let r = Rates::new(base, f, req.heat_tco2_per_gj);
    let e0 = base.total_market_tco2();
    let q0 = base.energy_tce;
    let required = e0 - target * q0;
    let (eligible, late): (Vec<&Measure>, Vec<&Measure>) = set
        .measures
        .iter()
        .partition(|m| m.available_from.is_none_or(|y| y <= req.target_year));
    let mut plan = Plan {
        scope_id: req.scope_id.clone(),
        measures_set: set.id.clone(),
        measures_version: set.version.clone(),
        status: PlanStatus::AlreadyMet,
        base_year: req.base_year,
        target_year: req.target_year,
        target_tco2_per_tce: target,
        base_intensity_tco2_per_tce: base_intensity,
        base_energy_tce: q0,
        base_emissions_tco2: e0,
        grid_factor_tco2_per_mwh: f,
        heat_factor_tco2_per_gj: r.heat_tco2_per_gj,
        base_purchased_heat_gj: r.purchased_heat_gj.normalize(),
        required_tco2: required,
        portfolio: Vec::new(),
        total_annualised_cost_yuan: Decimal::ZERO,
        total_capex_yuan: Decimal::ZERO,
        emissions_after_tco2: e0,
        energy_after_tce: q0,
        intensity_after_tco2_per_tce: Some(base_intensity),
        not_available: late.iter().map(|m| m.id.clone()).collect(),
        notes: vec![crate::texts::say(
            if base.grid_market_tco2_per_mwh().is_some() {
                "plan.note.market_factor"
            } else {
                "plan.note.fallback_factor"
            },
            &[("factor", &f.to_string())],
        )],
    };
    if required <= Decimal::ZERO {
        return Ok(plan);
    }
    let costs: Vec<Decimal> = eligible
        .iter()
        .map(|m| annualised_cost_yuan(m, set.discount_rate))
        .collect();
    let units = match solve(
        &eligible,
        &costs,
        base,
        &r,
        target,
        required,
        Goal::Cheapest,
    )? {
        Some(u) => {
            plan.status = PlanStatus::Optimal;
            u
        }
        None => {
            plan.status = PlanStatus::Infeasible;
            let best = solve(&eligible, &costs, base, &r, target, required, Goal::Deepest)?
                .unwrap_or_else(|| vec![0; eligible.len()]);
            plan.notes
                .push(crate::texts::say("plan.note.infeasible", &[]));
            best
        }
    };
    for ((m, cost), n) in eligible.iter().zip(&costs).zip(&units) {
        if *n == 0 {
            continue;
        }
        let e = effect(m, &r);
        let k = Decimal::from(*n);
        plan.portfolio.push(PlannedMeasure {
            measure: m.id.clone(),
            name: m.name.clone(),
            name_zh: m.name_zh.clone(),
            unit: m.unit.clone(),
            unit_zh: m.unit_zh.clone(),
            units: *n,
            annualised_cost_yuan: cost * k,
            capex_yuan: m.capex_yuan * k,
            avoided_tco2: (e.avoided_tco2 * k).normalize(),
            saved_tce: (e.saved_tce * k).normalize(),
        });
        plan.total_annualised_cost_yuan += cost * k;
        plan.total_capex_yuan += m.capex_yuan * k;
        plan.emissions_after_tco2 -= e.avoided_tco2 * k;
        plan.energy_after_tce -= e.saved_tce * k;
    }
    plan.emissions_after_tco2 = plan.emissions_after_tco2.normalize();
    plan.energy_after_tce = plan.energy_after_tce.normalize();
    plan.intensity_after_tco2_per_tce = (!plan.energy_after_tce.is_zero())
        .then(|| plan.emissions_after_tco2 / plan.energy_after_tce);
    // The invariant the plan promises, checked in exact decimals.
    let meets = plan.emissions_after_tco2 <= target * plan.energy_after_tce;
    if plan.status == PlanStatus::Optimal && !meets {
        return Err(PlanError::Numerical(
            plan.intensity_after_tco2_per_tce.unwrap_or_default(),
        ));
    }
    Ok(plan)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Goal {
    /// Minimise annualised cost subject to reaching the target.
    Cheapest,
    /// Maximise the intensity-weighted reduction (when the target is out of reach).
    Deepest,
}

fn f64_of(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(f64::NAN)
}

/// Builds and solves the integer programme; `Ok(None)` when it is infeasible.
fn solve(
    measures: &[&Measure],
    costs: &[Decimal],
    base: &AccountInputs,
    rates: &Rates,
    target: Decimal,
    required: Decimal,
    goal: Goal,
) -> Result<Option<Vec<u32>>, PlanError> {
    let mut vars = variables!();
    let xs: Vec<Variable> = measures
        .iter()
        .map(|m| {
            let v = variable().integer().min(0);
            vars.add(match m.max_units {
                Some(max) => v.max(max),
                None => v,
            })
        })
        .collect();
    let weighted: Expression = measures
        .iter()
        .zip(&xs)
        .map(|(m, x)| {
            let e = effect(m, rates);
            f64_of(e.avoided_tco2 - target * e.saved_tce) * *x
        })
        .sum();
    // Certificates never cover more than the grid electricity left:
    // covered0 + sum cert x <= grid0 + sum grid x.
    let grid_row: Expression = measures
        .iter()
        .zip(&xs)
        .map(|(m, x)| f64_of(m.certified_mwh - m.grid_mwh) * *x)
        .sum();
    let fuel_row: Expression = measures
        .iter()
        .zip(&xs)
        .map(|(m, x)| f64_of(-m.fuel_tce) * *x)
        .sum();
    let heat_row: Expression = measures
        .iter()
        .zip(&xs)
        .map(|(m, x)| f64_of(-m.purchased_heat_gj) * *x)
        .sum();
    let grid_room = f64_of(base.uncovered_grid_mwh());
    let fuel_room = f64_of(base.fuel_tce);
    let heat_room = f64_of(rates.purchased_heat_gj);
    let result = match goal {
        Goal::Cheapest => {
            let objective: Expression = costs.iter().zip(&xs).map(|(c, x)| f64_of(*c) * *x).sum();
            vars.minimise(objective)
                .using(microlp)
                .with(constraint!(weighted >= f64_of(required)))
                .with(constraint!(grid_row <= grid_room))
                .with(constraint!(fuel_row <= fuel_room))
                .with(constraint!(heat_row <= heat_room))
                .solve()
                .map(|s| xs.iter().map(|x| s.value(*x)).collect::<Vec<f64>>())
        }
        Goal::Deepest => vars
            .maximise(weighted.clone())
            .using(microlp)
            .with(constraint!(grid_row <= grid_room))
            .with(constraint!(fuel_row <= fuel_room))
            .with(constraint!(heat_row <= heat_room))
            .solve()
            .map(|s| xs.iter().map(|x| s.value(*x)).collect::<Vec<f64>>()),
    };
    match result {
        Ok(values) => Ok(Some(
            values
                .into_iter()
                .map(|v| v.round().max(0.0) as u32)
                .collect(),
        )),
        Err(ResolutionError::Infeasible) => Ok(None),
        Err(e) => Err(PlanError::Solver(e.to_string())),
    }
}

#[cfg(test)]
mod plan_error_tests {
    use super::*;

    #[test]
    fn every_plan_error_is_recognised_with_its_code() {
        let cases = [
            (
                PlanError::Years {
                    base: 2023,
                    target: 2020,
                },
                "plan.years",
            ),
            (PlanError::NoEnergy, "plan.no_energy"),
            (
                PlanError::NegativeTarget(Decimal::new(-1, 1)),
                "plan.negative_target",
            ),
            (PlanError::Solver("infeasible".into()), "plan.solver"),
            (PlanError::NoGridFactor, "plan.no_grid_factor"),
            (PlanError::Numerical(Decimal::new(123, 3)), "plan.numerical"),
        ];
        for (e, code) in cases {
            let text = e.to_string();
            let got = zp_domain::template::recognise(&text, PLAN_ERRORS_EN).map(|(c, _)| c);
            assert_eq!(got, Some(code), "{text}");
        }
    }
}

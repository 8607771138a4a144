//! Day-ahead battery planning (储能日前计划) as a linear programme: given each hour's load,
//! on-site PV, price and grid factor, when to charge and discharge a battery so that the
//! day's grid import costs least (or emits least, or both at a carbon price).
//!
//! For hours `h = 0..n` with `net_h = load_h - pv_h`, variables `charge_h`, `discharge_h`,
//! `soc_h`, `grid_h` (MWh; one hour at P MW is P MWh):
//!
//! ```text
//! 0 <= charge_h <= P,   0 <= discharge_h <= min(P, max(net_h, 0))   (no export from the battery)
//! soc_h = soc_{h-1} + efficiency * charge_h - discharge_h,   S_min <= soc_h <= S_max,   soc_{-1} = soc_start
//! grid_h >= 0,   grid_h >= net_h + charge_h - discharge_h        (surplus PV is spilled at zero value)
//! grid_h <= cap                                                   (demand cap, when given)
//! grid_h <= load_h + charge_h - discharge_h                      (at most all PV is spilled)
//! soc_{n-1} >= soc_start
//! minimise  sum_h w_h * grid_h,   w_h = price_h | factor_h | price_h + carbon_price * factor_h
//! ```
//!
//! EV fleets ([`crate::ev`]) add, for each fleet k and hour h of its plug-in window,
//! `0 <= ev_kh <= P_k` drawn and, with V2G, `0 <= v2g_kh <= P_k` given back; the fleet
//! never gives back more than it has drawn so far (`sum_{t<=h} ev_kt - v2g_kt >= 0`) and
//! has its energy at departure (`sum ev_kh - v2g_kh = E_k`). They enter the balance as
//! load: `grid_h >= net_h + charge_h - discharge_h + sum_k (ev_kh - v2g_kh)`, and the
//! battery and V2G together never export: `discharge_h + sum_k v2g_kh <= max(net_h, 0) +
//! sum_k ev_kh`. The baseline charges each fleet at full power from arrival.
//!
//! `S_min`/`S_max` are the battery's state-of-charge limits (default 0 and E; a maker's
//! 10-90 % window is `0.1 E`/`0.9 E`). The demand cap (需量上限, MW; one hour at it is that
//! many MWh) lets a plan shave the peaks a demand charge is billed on; hourly energy is the
//! programme's resolution, so a cap holds for the hour's average, not for every 15 minutes.
//! A cap the load cannot be held under even with the battery is refused as infeasible.
//!
//! Flexible loads (a batch process, a cold store's pre-cooling, ice storage) are fleets
//! without V2G and without OCPP profiles ([`crate::ev::EvFleet::flexible_load`]): energy due
//! within a window of hours at a power limit, "dumb" from the earliest hour in the baseline.
//!
//! The upper bound on `grid_h` only matters in an hour of negative weight (a negative price):
//! the plan may then spill PV to import more, never more than the PV there is. Being linear,
//! the programme may also charge and discharge in the same hour where that pays (a negative
//! price with a full battery); a real battery would instead stay idle or alternate.
//!
//! Solver: `good_lp` with the pure-Rust `microlp` backend, as the abatement planner of
//! `zp-evaluate`. It works in f64; the plan's decisions are rounded to kWh and every
//! reported figure (grid import, cost, emissions) is recomputed from them in exact decimals
//! with the metered load and PV.

use crate::ev::{EvFleet, FleetPlan};
use good_lp::{
    Expression, ResolutionError, Solution, SolverModel, Variable, constraint, microlp, variable,
    variables,
};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

/// What the plan minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Grid import x price.
    Cost,
    /// Grid import x grid factor.
    Carbon,
    /// Grid import x (price + carbon price x grid factor).
    #[serde(rename = "cost+carbon")]
    CostCarbon,
}

impl Objective {
    pub fn parse(s: &str) -> Option<Objective> {
        match s.trim() {
            "cost" => Some(Objective::Cost),
            "carbon" => Some(Objective::Carbon),
            "cost+carbon" | "cost_carbon" => Some(Objective::CostCarbon),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Objective::Cost => "cost",
            Objective::Carbon => "carbon",
            Objective::CostCarbon => "cost+carbon",
        }
    }
}

/// The battery: capacity, power, charging efficiency (energy stored per MWh drawn; the
/// round-trip efficiency), the state of charge at the start of the first hour and the
/// state-of-charge limits the plan keeps within.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Battery {
    pub energy_mwh: Decimal,
    pub power_mw: Decimal,
    pub efficiency: Decimal,
    pub soc_start_mwh: Decimal,
    pub soc_min_mwh: Decimal,
    pub soc_max_mwh: Decimal,
}

impl Battery {
    /// A battery usable over its whole capacity (limits 0 and `energy_mwh`).
    pub fn new(
        energy_mwh: Decimal,
        power_mw: Decimal,
        efficiency: Decimal,
        soc_start_mwh: Decimal,
    ) -> Battery {
        Battery {
            energy_mwh,
            power_mw,
            efficiency,
            soc_start_mwh,
            soc_min_mwh: Decimal::ZERO,
            soc_max_mwh: energy_mwh,
        }
    }

    /// The same battery kept within `[min, max]` MWh, each defaulting to the current limit.
    pub fn with_limits(self, min: Option<Decimal>, max: Option<Decimal>) -> Battery {
        Battery {
            soc_min_mwh: min.unwrap_or(self.soc_min_mwh),
            soc_max_mwh: max.unwrap_or(self.soc_max_mwh),
            ..self
        }
    }
}

/// One hour of the day to plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourInput {
    pub load_mwh: Decimal,
    pub pv_mwh: Decimal,
    pub yuan_per_mwh: Decimal,
    pub tco2_per_mwh: Decimal,
}

#[derive(Debug, Clone)]
pub struct PlanRequest {
    pub hours: Vec<HourInput>,
    pub battery: Battery,
    pub objective: Objective,
    /// Used by [`Objective::CostCarbon`].
    pub carbon_price_yuan_per_t: Decimal,
    /// EV fleets and flexible loads to schedule with the battery (may be empty).
    pub fleets: Vec<EvFleet>,
    /// Demand cap on grid import, MW (an hour's average), if any.
    pub grid_cap_mw: Option<Decimal>,
}

/// One hour of the plan. Decisions are in whole kWh; `grid_import_mwh` is
/// `max(load - pv + charge - discharge, 0) + curtailed`, `spilled_mwh` the PV not used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PlanHour {
    pub hour: usize,
    pub load_mwh: Decimal,
    pub pv_mwh: Decimal,
    pub charge_mwh: Decimal,
    pub discharge_mwh: Decimal,
    /// State of charge at the end of the hour.
    pub soc_mwh: Decimal,
    pub grid_import_mwh: Decimal,
    pub spilled_mwh: Decimal,
    /// EV fleets' charging and (V2G) discharging in the hour, all fleets.
    pub ev_charge_mwh: Decimal,
    pub ev_discharge_mwh: Decimal,
    pub yuan_per_mwh: Decimal,
    pub tco2_per_mwh: Decimal,
}

/// The plan and what it changes against the same day without the battery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Plan {
    pub objective: Objective,
    pub baseline_cost_yuan: Decimal,
    pub plan_cost_yuan: Decimal,
    pub savings_yuan: Decimal,
    pub baseline_tco2: Decimal,
    pub plan_tco2: Decimal,
    pub avoided_tco2: Decimal,
    pub charged_mwh: Decimal,
    pub discharged_mwh: Decimal,
    /// The highest hourly grid import, MW (the hour's average), without and with the plan.
    pub baseline_peak_mw: Decimal,
    pub plan_peak_mw: Decimal,
    pub hours: Vec<PlanHour>,
    pub fleets: Vec<FleetPlan>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("{0}")]
    Invalid(String),
    #[error("solver: {0}")]
    Solver(String),
}

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// An f64 quantity in MWh rounded to whole kWh.
fn kwh(x: f64) -> Decimal {
    let k = (x * 1000.0).round();
    if k == 0.0 {
        Decimal::ZERO
    } else {
        Decimal::new(k as i64, 3).normalize()
    }
}

fn check(req: &PlanRequest) -> Result<(), PlanError> {
    let b = &req.battery;
    let bad = |m: String| Err(PlanError::Invalid(m));
    if req.hours.is_empty() {
        return bad("no hours to plan".into());
    }
    if b.energy_mwh < Decimal::ZERO || b.power_mw < Decimal::ZERO {
        return bad(format!(
            "battery {} MWh / {} MW: capacity and power may not be negative",
            b.energy_mwh, b.power_mw
        ));
    }
    if b.efficiency <= Decimal::ZERO || b.efficiency > Decimal::ONE {
        return bad(format!(
            "efficiency {}: a share in (0, 1], e.g. 0.9",
            b.efficiency
        ));
    }
    if b.soc_min_mwh < Decimal::ZERO
        || b.soc_min_mwh > b.soc_max_mwh
        || b.soc_max_mwh > b.energy_mwh
    {
        return bad(format!(
            "state-of-charge limits {} to {} MWh: need 0 <= min <= max <= the capacity {} MWh",
            b.soc_min_mwh, b.soc_max_mwh, b.energy_mwh
        ));
    }
    if b.soc_start_mwh < b.soc_min_mwh || b.soc_start_mwh > b.soc_max_mwh {
        return bad(format!(
            "start state of charge {} MWh: between the limits {} and {} MWh",
            b.soc_start_mwh, b.soc_min_mwh, b.soc_max_mwh
        ));
    }
    if let Some(cap) = req.grid_cap_mw
        && cap < Decimal::ZERO
    {
        return bad(format!("grid cap {cap} MW may not be negative"));
    }
    if req.carbon_price_yuan_per_t < Decimal::ZERO {
        return bad(format!(
            "carbon price {} yuan/t may not be negative",
            req.carbon_price_yuan_per_t
        ));
    }
    for fleet in &req.fleets {
        fleet.check(req.hours.len()).map_err(PlanError::Invalid)?;
    }
    if let Some((h, _)) = req
        .hours
        .iter()
        .enumerate()
        .find(|(_, x)| x.load_mwh < Decimal::ZERO || x.pv_mwh < Decimal::ZERO)
    {
        return bad(format!("hour {h}: load and PV may not be negative"));
    }
    Ok(())
}

/// The weight of a MWh of grid import in hour `x` under `req`'s objective.
fn weight(req: &PlanRequest, x: &HourInput) -> Decimal {
    match req.objective {
        Objective::Cost => x.yuan_per_mwh,
        Objective::Carbon => x.tco2_per_mwh,
        Objective::CostCarbon => x.yuan_per_mwh + req.carbon_price_yuan_per_t * x.tco2_per_mwh,
    }
}

/// The solver's answer per hour: (charge, discharge, soc, grid) in MWh, and per fleet and
/// hour (drawn, given back).
struct Raw {
    hours: Vec<(f64, f64, f64, f64)>,
    fleets: Vec<Vec<(f64, f64)>>,
}

fn solve(req: &PlanRequest) -> Result<Raw, PlanError> {
    let b = &req.battery;
    let (lo, hi, p, eff, soc0) = (
        f(b.soc_min_mwh),
        f(b.soc_max_mwh),
        f(b.power_mw),
        f(b.efficiency),
        f(b.soc_start_mwh),
    );
    let cap = req.grid_cap_mw.map(f);
    let n = req.hours.len();
    let mut vars = variables!();
    let mut hv: Vec<(Variable, Variable, Variable, Variable)> = Vec::new();
    for _ in &req.hours {
        let c = vars.add(variable().min(0.0).max(p));
        let d = vars.add(variable().min(0.0).max(p));
        let s = vars.add(variable().min(lo).max(hi));
        let g = match cap {
            Some(cap) => vars.add(variable().min(0.0).max(cap)),
            None => vars.add(variable().min(0.0)),
        };
        hv.push((c, d, s, g));
    }
    // Per fleet and hour: (drawn, given back), zero outside the window.
    let fv: Vec<Vec<(Variable, Variable)>> = req
        .fleets
        .iter()
        .map(|k| {
            let pk = f(k.power_mw());
            (0..n)
                .map(|h| {
                    let on = if k.present(h) { pk } else { 0.0 };
                    let back = if k.v2g { on } else { 0.0 };
                    (
                        vars.add(variable().min(0.0).max(on)),
                        vars.add(variable().min(0.0).max(back)),
                    )
                })
                .collect()
        })
        .collect();
    let objective: Expression = req
        .hours
        .iter()
        .zip(&hv)
        .map(|(x, v)| f(weight(req, x)) * v.3)
        .sum();
    let mut model = vars.minimise(objective).using(microlp);
    let mut prev: Expression = Expression::from(soc0);
    for (h, (x, &(c, d, s, g))) in req.hours.iter().zip(&hv).enumerate() {
        let net = f(x.load_mwh - x.pv_mwh);
        let load = f(x.load_mwh);
        let ev_in: Expression = fv.iter().map(|k| k[h].0).sum();
        let ev_out: Expression = fv.iter().map(|k| k[h].1).sum();
        model.add_constraint(constraint!(s == prev + eff * c - d));
        model.add_constraint(constraint!(
            g - c + d - ev_in.clone() + ev_out.clone() >= net
        ));
        model.add_constraint(constraint!(
            g - c + d - ev_in.clone() + ev_out.clone() <= load
        ));
        model.add_constraint(constraint!(d + ev_out <= net.max(0.0) + ev_in));
        prev = Expression::from(s);
    }
    model.add_constraint(constraint!(prev >= soc0));
    for (k, fleet) in fv.iter().zip(&req.fleets) {
        let mut so_far = Expression::from(0.0);
        for &(i, o) in k {
            so_far += i - o;
            model.add_constraint(constraint!(so_far.clone() >= 0.0));
        }
        model.add_constraint(constraint!(so_far == f(fleet.energy_mwh)));
    }
    match model.solve() {
        Ok(sol) => Ok(Raw {
            hours: hv
                .iter()
                .map(|&(c, d, s, g)| (sol.value(c), sol.value(d), sol.value(s), sol.value(g)))
                .collect(),
            fleets: fv
                .iter()
                .map(|k| {
                    k.iter()
                        .map(|&(i, o)| (sol.value(i), sol.value(o)))
                        .collect()
                })
                .collect(),
        }),
        Err(ResolutionError::Infeasible) => Err(PlanError::Solver(match req.grid_cap_mw {
            Some(cap) => format!(
                "the programme is infeasible: the grid cap of {cap} MW cannot be held with this battery and these fleets' windows"
            ),
            None => {
                "the programme is infeasible: a fleet's energy cannot be delivered in its window"
                    .into()
            }
        })),
        Err(e) => Err(PlanError::Solver(e.to_string())),
    }
}

/// Rounds each fleet's hourly decisions to kWh, keeping each fleet's total exactly its
/// energy (the rounding remainder goes to its largest hour).
fn fleet_plans(req: &PlanRequest, raw: &Raw) -> Vec<FleetPlan> {
    req.fleets
        .iter()
        .zip(&raw.fleets)
        .map(|(k, hours)| {
            let mut charge: Vec<Decimal> = hours.iter().map(|h| kwh(h.0)).collect();
            let discharge: Vec<Decimal> = hours.iter().map(|h| kwh(h.1)).collect();
            let net: Decimal = charge.iter().sum::<Decimal>() - discharge.iter().sum::<Decimal>();
            let gap = k.energy_mwh - net;
            if let Some(top) = charge
                .iter_mut()
                .enumerate()
                .filter(|(h, _)| k.present(*h))
                .max_by_key(|(_, c)| **c)
                .map(|(_, c)| c)
            {
                *top = (*top + gap).max(Decimal::ZERO);
            }
            FleetPlan {
                name: k.name.clone(),
                charge_mwh: charge.into_iter().map(|c| c.normalize()).collect(),
                discharge_mwh: discharge,
                baseline_mwh: k.baseline(req.hours.len()),
            }
        })
        .collect()
}

/// Plans the battery over `req.hours` and prices the plan and the baseline (no battery)
/// exactly.
pub fn plan(req: &PlanRequest) -> Result<Plan, PlanError> {
    check(req)?;
    let raw = solve(req)?;
    let fleets = fleet_plans(req, &raw);
    let mut hours = Vec::with_capacity(req.hours.len());
    let zero = Decimal::ZERO;
    let (mut base_cost, mut plan_cost, mut base_t, mut plan_t) = (zero, zero, zero, zero);
    let (mut charged, mut discharged) = (zero, zero);
    let (mut base_peak, mut plan_peak) = (zero, zero);
    for (h, (x, &(c, d, s, g))) in req.hours.iter().zip(&raw.hours).enumerate() {
        let ev_in: Decimal = fleets.iter().map(|k| k.charge_mwh[h]).sum();
        let ev_out: Decimal = fleets.iter().map(|k| k.discharge_mwh[h]).sum();
        let ev_base: Decimal = fleets.iter().map(|k| k.baseline_mwh[h]).sum();
        let net = x.load_mwh - x.pv_mwh + ev_in - ev_out;
        let charge = kwh(c);
        // Never more than the net load, so rounding cannot export.
        let discharge = kwh(d).min(net.max(zero));
        let net_f = f(net) + c - d;
        let curtailed = kwh((g - net_f.max(0.0)).max(0.0));
        let after = net + charge - discharge;
        let grid = after.max(zero) + curtailed;
        let baseline = (x.load_mwh - x.pv_mwh + ev_base).max(zero);
        base_cost += baseline * x.yuan_per_mwh;
        plan_cost += grid * x.yuan_per_mwh;
        base_t += baseline * x.tco2_per_mwh;
        plan_t += grid * x.tco2_per_mwh;
        charged += charge;
        discharged += discharge;
        base_peak = base_peak.max(baseline);
        plan_peak = plan_peak.max(grid);
        hours.push(PlanHour {
            hour: h,
            load_mwh: x.load_mwh.normalize(),
            pv_mwh: x.pv_mwh.normalize(),
            charge_mwh: charge,
            discharge_mwh: discharge.normalize(),
            soc_mwh: kwh(s)
                .clamp(req.battery.soc_min_mwh, req.battery.soc_max_mwh)
                .normalize(),
            grid_import_mwh: grid.normalize(),
            spilled_mwh: ((-after).max(zero) + curtailed).normalize(),
            ev_charge_mwh: ev_in.normalize(),
            ev_discharge_mwh: ev_out.normalize(),
            yuan_per_mwh: x.yuan_per_mwh.normalize(),
            tco2_per_mwh: x.tco2_per_mwh.normalize(),
        });
    }
    Ok(Plan {
        objective: req.objective,
        baseline_cost_yuan: base_cost.normalize(),
        plan_cost_yuan: plan_cost.normalize(),
        savings_yuan: (base_cost - plan_cost).normalize(),
        baseline_tco2: base_t.normalize(),
        plan_tco2: plan_t.normalize(),
        avoided_tco2: (base_t - plan_t).normalize(),
        charged_mwh: charged.normalize(),
        discharged_mwh: discharged.normalize(),
        baseline_peak_mw: base_peak.normalize(),
        plan_peak_mw: plan_peak.normalize(),
        hours,
        fleets,
    })
}

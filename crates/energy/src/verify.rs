//! Verification after the day (flexibility issue, scope 3): what the battery really did,
//! from its charge and discharge meters, priced against the same day without it and
//! against the plan.
//!
//! Per hour, with the plan's load, PV, price and factor:
//! - baseline import = max(load - pv, 0) (no battery);
//! - realised import = max(load - pv + metered charge - metered discharge, 0);
//! - the plan's import is the plan's own (`PlanHour::grid_import_mwh`).
//!
//! Cost and carbon are import x price and import x factor summed over the hours; a saving
//! is baseline minus plan (planned) or baseline minus realised (realised). How closely the
//! battery followed the plan is `sum_h (min(planned charge, metered charge) +
//! min(planned discharge, metered discharge)) / sum_h (planned charge + planned discharge)`,
//! 1 when it did exactly what was planned and never above 1.

use crate::planner::Plan;
use rust_decimal::Decimal;
use serde::Serialize;

/// A battery's metered flows in one hour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MeteredBattery {
    pub charge_mwh: Decimal,
    pub discharge_mwh: Decimal,
}

/// One hour of a [`Verification`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct VerifiedHour {
    pub hour: usize,
    pub load_mwh: Decimal,
    pub pv_mwh: Decimal,
    pub planned_charge_mwh: Decimal,
    pub planned_discharge_mwh: Decimal,
    pub metered_charge_mwh: Decimal,
    pub metered_discharge_mwh: Decimal,
    pub baseline_import_mwh: Decimal,
    pub plan_import_mwh: Decimal,
    pub realised_import_mwh: Decimal,
    pub yuan_per_mwh: Decimal,
    pub tco2_per_mwh: Decimal,
}

/// The day's figures: baseline, plan and what was metered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Verification {
    pub baseline_cost_yuan: Decimal,
    pub plan_cost_yuan: Decimal,
    pub realised_cost_yuan: Decimal,
    pub planned_saving_yuan: Decimal,
    pub realised_saving_yuan: Decimal,
    pub baseline_tco2: Decimal,
    pub plan_tco2: Decimal,
    pub realised_tco2: Decimal,
    pub planned_saving_tco2: Decimal,
    pub realised_saving_tco2: Decimal,
    pub planned_charge_mwh: Decimal,
    pub planned_discharge_mwh: Decimal,
    pub metered_charge_mwh: Decimal,
    pub metered_discharge_mwh: Decimal,
    /// Share of the planned throughput the battery delivered in the planned hours, 0..=1;
    /// `None` when the plan moved nothing.
    pub plan_followed_share: Option<Decimal>,
    pub hours: Vec<VerifiedHour>,
}

/// Verifies `plan` against the battery's metered flows, one entry per plan hour (a
/// missing hour counts as no flow).
pub fn verify(plan: &Plan, metered: &[MeteredBattery]) -> Verification {
    let zero = Decimal::ZERO;
    let mut v = Verification {
        baseline_cost_yuan: zero,
        plan_cost_yuan: zero,
        realised_cost_yuan: zero,
        planned_saving_yuan: zero,
        realised_saving_yuan: zero,
        baseline_tco2: zero,
        plan_tco2: zero,
        realised_tco2: zero,
        planned_saving_tco2: zero,
        realised_saving_tco2: zero,
        planned_charge_mwh: zero,
        planned_discharge_mwh: zero,
        metered_charge_mwh: zero,
        metered_discharge_mwh: zero,
        plan_followed_share: None,
        hours: Vec::with_capacity(plan.hours.len()),
    };
    let mut followed = zero;
    for (i, p) in plan.hours.iter().enumerate() {
        let m = metered.get(i).copied().unwrap_or_default();
        let net = p.load_mwh - p.pv_mwh;
        let baseline = net.max(zero);
        let realised = (net + m.charge_mwh - m.discharge_mwh).max(zero);
        v.baseline_cost_yuan += baseline * p.yuan_per_mwh;
        v.plan_cost_yuan += p.grid_import_mwh * p.yuan_per_mwh;
        v.realised_cost_yuan += realised * p.yuan_per_mwh;
        v.baseline_tco2 += baseline * p.tco2_per_mwh;
        v.plan_tco2 += p.grid_import_mwh * p.tco2_per_mwh;
        v.realised_tco2 += realised * p.tco2_per_mwh;
        v.planned_charge_mwh += p.charge_mwh;
        v.planned_discharge_mwh += p.discharge_mwh;
        v.metered_charge_mwh += m.charge_mwh;
        v.metered_discharge_mwh += m.discharge_mwh;
        followed += p.charge_mwh.min(m.charge_mwh) + p.discharge_mwh.min(m.discharge_mwh);
        v.hours.push(VerifiedHour {
            hour: p.hour,
            load_mwh: p.load_mwh,
            pv_mwh: p.pv_mwh,
            planned_charge_mwh: p.charge_mwh,
            planned_discharge_mwh: p.discharge_mwh,
            metered_charge_mwh: m.charge_mwh.normalize(),
            metered_discharge_mwh: m.discharge_mwh.normalize(),
            baseline_import_mwh: baseline.normalize(),
            plan_import_mwh: p.grid_import_mwh,
            realised_import_mwh: realised.normalize(),
            yuan_per_mwh: p.yuan_per_mwh,
            tco2_per_mwh: p.tco2_per_mwh,
        });
    }
    let planned = v.planned_charge_mwh + v.planned_discharge_mwh;
    v.plan_followed_share = (planned > zero).then(|| (followed / planned).normalize());
    v.planned_saving_yuan = (v.baseline_cost_yuan - v.plan_cost_yuan).normalize();
    v.realised_saving_yuan = (v.baseline_cost_yuan - v.realised_cost_yuan).normalize();
    v.planned_saving_tco2 = (v.baseline_tco2 - v.plan_tco2).normalize();
    v.realised_saving_tco2 = (v.baseline_tco2 - v.realised_tco2).normalize();
    for x in [
        &mut v.baseline_cost_yuan,
        &mut v.plan_cost_yuan,
        &mut v.realised_cost_yuan,
        &mut v.baseline_tco2,
        &mut v.plan_tco2,
        &mut v.realised_tco2,
        &mut v.planned_charge_mwh,
        &mut v.planned_discharge_mwh,
        &mut v.metered_charge_mwh,
        &mut v.metered_discharge_mwh,
    ] {
        *x = x.normalize();
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::{Battery, HourInput, Objective, PlanRequest, plan};

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// Two hours at 400 and 800 yuan/MWh (0.5 and 0.8 tCO2/MWh), 1 MWh of load each, no
    /// PV; a 1 MWh / 1 MW battery at 100 % starting empty. The plan charges 1 MWh in the
    /// cheap hour and discharges it in the dear one: baseline 1 x 400 + 1 x 800 = 1200
    /// yuan, plan 2 x 400 = 800 yuan (saving 400); carbon 0.5 + 0.8 = 1.3 t against
    /// 2 x 0.5 = 1.0 t.
    fn two_hour_plan() -> Plan {
        let hour = |price: &str, f: &str| HourInput {
            load_mwh: d("1"),
            pv_mwh: d("0"),
            yuan_per_mwh: d(price),
            tco2_per_mwh: d(f),
        };
        plan(&PlanRequest {
            hours: vec![hour("400", "0.5"), hour("800", "0.8")],
            battery: Battery::new(d("1"), d("1"), d("1"), d("0")),
            objective: Objective::Cost,
            carbon_price_yuan_per_t: d("0"),
            fleets: vec![],
            grid_cap_mw: None,
        })
        .unwrap()
    }

    #[test]
    fn a_battery_that_discharged_less_than_planned_saves_less() {
        let p = two_hour_plan();
        assert_eq!(p.hours[0].charge_mwh, d("1"));
        assert_eq!(p.hours[1].discharge_mwh, d("1"));
        // Metered: charged 1 MWh as planned, discharged 0.9 MWh. Realised import: hour 0
        // 1 + 1 = 2 MWh, hour 1 1 - 0.9 = 0.1 MWh; cost 2 x 400 + 0.1 x 800 = 880 yuan,
        // carbon 2 x 0.5 + 0.1 x 0.8 = 1.08 t. Followed: (1 + 0.9) / (1 + 1) = 0.95.
        let v = verify(
            &p,
            &[
                MeteredBattery {
                    charge_mwh: d("1"),
                    discharge_mwh: d("0"),
                },
                MeteredBattery {
                    charge_mwh: d("0"),
                    discharge_mwh: d("0.9"),
                },
            ],
        );
        assert_eq!(v.baseline_cost_yuan, d("1200"));
        assert_eq!(v.plan_cost_yuan, d("800"));
        assert_eq!(v.realised_cost_yuan, d("880"));
        assert_eq!(v.planned_saving_yuan, d("400"));
        assert_eq!(v.realised_saving_yuan, d("320"));
        assert_eq!(v.baseline_tco2, d("1.3"));
        assert_eq!(v.plan_tco2, d("1"));
        assert_eq!(v.realised_tco2, d("1.08"));
        assert_eq!(v.planned_saving_tco2, d("0.3"));
        assert_eq!(v.realised_saving_tco2, d("0.22"));
        assert_eq!(v.plan_followed_share, Some(d("0.95")));
        assert_eq!(v.hours[1].realised_import_mwh, d("0.1"));
        assert_eq!(v.hours[1].baseline_import_mwh, d("1"));
    }

    #[test]
    fn an_idle_battery_realises_the_baseline_and_follows_nothing() {
        let v = verify(&two_hour_plan(), &[]);
        assert_eq!(v.realised_cost_yuan, d("1200"));
        assert_eq!(v.realised_saving_yuan, d("0"));
        assert_eq!(v.realised_saving_tco2, d("0"));
        assert_eq!(v.plan_followed_share, Some(d("0")));
        assert_eq!(v.metered_discharge_mwh, d("0"));
    }

    #[test]
    fn discharging_beyond_the_load_never_makes_import_negative() {
        // Hour 1 discharged 1.5 MWh against 1 MWh of load: import is 0, not -0.5, and the
        // half MWh beyond the load is not a saving.
        let v = verify(
            &two_hour_plan(),
            &[
                MeteredBattery {
                    charge_mwh: d("1.5"),
                    discharge_mwh: d("0"),
                },
                MeteredBattery {
                    charge_mwh: d("0"),
                    discharge_mwh: d("1.5"),
                },
            ],
        );
        assert_eq!(v.hours[1].realised_import_mwh, d("0"));
        // 2.5 x 400 + 0 = 1000 yuan; followed (1 + 1) / 2 = 1.
        assert_eq!(v.realised_cost_yuan, d("1000"));
        assert_eq!(v.plan_followed_share, Some(d("1")));
    }
}

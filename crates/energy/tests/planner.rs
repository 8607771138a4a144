//! The battery planner against cases solved by hand: one battery and a three-period tariff
//! (two cycles a day), the contract day, a carbon objective choosing other hours than the
//! cost objective, a negative-price hour, PV surplus charging for free, state-of-charge
//! limits, a demand cap shaving the peak, and the refusals.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use zp_energy::*;

fn hours(
    load: Decimal,
    price: impl Fn(usize) -> Decimal,
    factor: impl Fn(usize) -> Decimal,
) -> Vec<HourInput> {
    (0..24)
        .map(|h| HourInput {
            load_mwh: load,
            pv_mwh: Decimal::ZERO,
            yuan_per_mwh: price(h),
            tco2_per_mwh: factor(h),
        })
        .collect()
}

fn battery(e: Decimal, p: Decimal, eff: Decimal) -> Battery {
    Battery::new(e, p, eff, Decimal::ZERO)
}

fn req(hours: Vec<HourInput>, b: Battery, objective: Objective) -> PlanRequest {
    PlanRequest {
        hours,
        battery: b,
        objective,
        carbon_price_yuan_per_t: dec!(80),
        fleets: Vec::new(),
        grid_cap_mw: None,
    }
}

fn sum(p: &Plan, range: std::ops::Range<usize>, f: impl Fn(&PlanHour) -> Decimal) -> Decimal {
    p.hours[range].iter().map(f).sum()
}

/// Every hour keeps the programme's rules in the reported (rounded, exact) figures.
fn assert_consistent(r: &PlanRequest, p: &Plan) {
    let b = &r.battery;
    let mut soc = b.soc_start_mwh;
    for (x, h) in r.hours.iter().zip(&p.hours) {
        assert!(
            h.charge_mwh >= Decimal::ZERO && h.charge_mwh <= b.power_mw,
            "{h:?}"
        );
        assert!(
            h.discharge_mwh >= Decimal::ZERO && h.discharge_mwh <= b.power_mw,
            "{h:?}"
        );
        assert!(
            h.discharge_mwh <= (x.load_mwh - x.pv_mwh).max(Decimal::ZERO),
            "{h:?}"
        );
        assert!(h.grid_import_mwh >= Decimal::ZERO, "{h:?}");
        soc += h.charge_mwh * b.efficiency - h.discharge_mwh;
        assert!((soc - h.soc_mwh).abs() <= dec!(0.002), "soc {soc} vs {h:?}");
        assert!(
            h.soc_mwh >= b.soc_min_mwh && h.soc_mwh <= b.soc_max_mwh,
            "{h:?}"
        );
        if let Some(cap) = r.grid_cap_mw {
            assert!(h.grid_import_mwh <= cap, "cap {cap}: {h:?}");
        }
    }
    assert!(soc >= b.soc_start_mwh - dec!(0.002), "end soc {soc}");
    let cost: Decimal = p
        .hours
        .iter()
        .map(|h| h.grid_import_mwh * h.yuan_per_mwh)
        .sum();
    assert_eq!(cost, p.plan_cost_yuan);
    assert_eq!(p.savings_yuan, p.baseline_cost_yuan - p.plan_cost_yuan);
}

#[test]
fn the_contract_day_one_cycle_valley_to_high() {
    // 2 MWh every hour; 00-12 valley 400 yuan/MWh, 12-24 high 800. 4 MWh / 2 MW, 80 %:
    // 5 MWh in at 400, 4 out at 800.
    let r = req(
        hours(
            dec!(2),
            |h| if h < 12 { dec!(400) } else { dec!(800) },
            |_| dec!(0.5),
        ),
        battery(dec!(4), dec!(2), dec!(0.8)),
        Objective::Cost,
    );
    let p = plan(&r).unwrap();
    assert_eq!(p.baseline_cost_yuan, dec!(28800));
    assert_eq!(p.plan_cost_yuan, dec!(27600));
    assert_eq!(sum(&p, 0..12, |h| h.charge_mwh), dec!(5));
    assert_eq!(sum(&p, 12..24, |h| h.discharge_mwh), dec!(4));
    assert_consistent(&r, &p);
}

#[test]
fn a_three_period_tariff_gives_two_cycles_a_day() {
    // valley 00-08 300, peak 08-12 1000, flat 12-18 600, peak 18-22 1000, valley 22-24 300;
    // 5 MWh load every hour. Battery 4 MWh / 2 MW / 80 %.
    // Cycle 1: 5 MWh in at 300 (1500), 4 out at 1000 (4000): saves 2500.
    // Cycle 2: 5 MWh in at 600 (3000), 4 out at 1000 (4000): saves 1000.
    // Valley energy cannot serve both peaks: the battery holds 4 MWh, the morning peak
    // empties it. Baseline: 5 x (10x300 + 8x1000 + 6x600) = 73000.
    let price = |h: usize| match h {
        0..8 | 22..24 => dec!(300),
        8..12 | 18..22 => dec!(1000),
        _ => dec!(600),
    };
    let r = req(
        hours(dec!(5), price, |_| dec!(0.5)),
        battery(dec!(4), dec!(2), dec!(0.8)),
        Objective::Cost,
    );
    let p = plan(&r).unwrap();
    assert_eq!(p.baseline_cost_yuan, dec!(73000));
    assert_eq!(p.savings_yuan, dec!(3500));
    assert_eq!(sum(&p, 0..8, |h| h.charge_mwh), dec!(5));
    assert_eq!(sum(&p, 8..12, |h| h.discharge_mwh), dec!(4));
    assert_eq!(sum(&p, 12..18, |h| h.charge_mwh), dec!(5));
    assert_eq!(sum(&p, 18..22, |h| h.discharge_mwh), dec!(4));
    assert_eq!(sum(&p, 22..24, |h| h.charge_mwh), dec!(0));
    assert_eq!((p.charged_mwh, p.discharged_mwh), (dec!(10), dec!(8)));
    assert_consistent(&r, &p);
}

#[test]
fn the_carbon_objective_charges_in_other_hours_than_the_cost_objective() {
    // Price: night 00-08 300, day 700, evening 18-22 1000.
    // Grid factor: midday 10-14 0.3 (solar on the grid), evening 18-22 0.8, else 0.6.
    // Cost: charge 5 MWh at night (300), discharge 4 in the evening (1000).
    // Carbon: charge 5 MWh at midday (0.3 -> 1.5 t), discharge 4 in the evening (0.8 ->
    // 3.2 t): avoids 1.7 t; charging at night would avoid only 3.2 - 5 x 0.6 = 0.2 t.
    let price = |h: usize| match h {
        0..8 => dec!(300),
        18..22 => dec!(1000),
        _ => dec!(700),
    };
    let factor = |h: usize| match h {
        10..14 => dec!(0.3),
        18..22 => dec!(0.8),
        _ => dec!(0.6),
    };
    let b = battery(dec!(4), dec!(2), dec!(0.8));
    let cost = req(hours(dec!(5), price, factor), b, Objective::Cost);
    let carbon = req(hours(dec!(5), price, factor), b, Objective::Carbon);
    let pc = plan(&cost).unwrap();
    let pt = plan(&carbon).unwrap();
    assert_eq!(sum(&pc, 0..8, |h| h.charge_mwh), dec!(5));
    assert_eq!(sum(&pc, 10..14, |h| h.charge_mwh), dec!(0));
    assert_eq!(sum(&pt, 0..8, |h| h.charge_mwh), dec!(0));
    assert_eq!(sum(&pt, 10..14, |h| h.charge_mwh), dec!(5));
    assert_eq!(sum(&pt, 18..22, |h| h.discharge_mwh), dec!(4));
    // Cost plan: saves 4 x 1000 - 5 x 300 = 2500 yuan, avoids 3.2 - 3.0 = 0.2 t.
    assert_eq!(pc.savings_yuan, dec!(2500));
    assert_eq!(pc.avoided_tco2, dec!(0.2));
    // Carbon plan: saves 4000 - 3500 = 500 yuan, avoids 1.7 t.
    assert_eq!(pt.savings_yuan, dec!(500));
    assert_eq!(pt.avoided_tco2, dec!(1.7));
    // At 80 yuan/t the carbon difference (1.5 t = 120 yuan) does not outweigh 2000 yuan:
    // cost+carbon charges at night like the cost plan.
    let both = req(hours(dec!(5), price, factor), b, Objective::CostCarbon);
    let pb = plan(&both).unwrap();
    assert_eq!(sum(&pb, 0..8, |h| h.charge_mwh), dec!(5));
    for (r, p) in [(&cost, &pc), (&carbon, &pt), (&both, &pb)] {
        assert_consistent(r, p);
    }
}

#[test]
fn a_negative_price_hour_is_filled_at_full_power() {
    // 500 yuan/MWh all day, -100 at 13:00, 1000 in the evening 18-22; 5 MWh load.
    // Best: 2 MWh (full power) in at 13:00 (-200 yuan, 1.6 stored), 3 MWh more at 500
    // (1500, 2.4 stored), 4 out at 1000 (4000): saves 4000 - 1500 + 200 = 2700.
    let price = |h: usize| match h {
        13 => dec!(-100),
        18..22 => dec!(1000),
        _ => dec!(500),
    };
    let r = req(
        hours(dec!(5), price, |_| dec!(0.5)),
        battery(dec!(4), dec!(2), dec!(0.8)),
        Objective::Cost,
    );
    let p = plan(&r).unwrap();
    assert_eq!(p.hours[13].charge_mwh, dec!(2));
    assert_eq!(p.hours[13].grid_import_mwh, dec!(7));
    assert_eq!(p.savings_yuan, dec!(2700));
    assert_eq!(sum(&p, 18..22, |h| h.discharge_mwh), dec!(4));
    assert_consistent(&r, &p);
}

#[test]
fn a_negative_price_makes_the_plan_spill_pv_to_import() {
    // One hour, 1 MWh load, 3 MWh PV, price -100, no battery power: the plan takes the
    // whole load from the grid (1 MWh at -100) and spills all PV.
    let r = PlanRequest {
        hours: vec![HourInput {
            load_mwh: dec!(1),
            pv_mwh: dec!(3),
            yuan_per_mwh: dec!(-100),
            tco2_per_mwh: dec!(0.5),
        }],
        battery: battery(dec!(0), dec!(0), dec!(1)),
        objective: Objective::Cost,
        carbon_price_yuan_per_t: dec!(80),
        fleets: Vec::new(),
        grid_cap_mw: None,
    };
    let p = plan(&r).unwrap();
    assert_eq!(p.baseline_cost_yuan, dec!(0));
    assert_eq!(p.hours[0].grid_import_mwh, dec!(1));
    assert_eq!(p.hours[0].spilled_mwh, dec!(3));
    assert_eq!(p.plan_cost_yuan, dec!(-100));
}

#[test]
fn surplus_pv_charges_the_battery_for_free() {
    // Flat 500 yuan/MWh; PV 3 MWh at 10:00-12:00 against a 1 MWh load (2 MWh surplus
    // each hour). Battery 2 MWh / 1 MW / 100 %: it stores 2 MWh of surplus and discharges
    // it later, saving 2 x 500 = 1000 yuan with no grid charging at all.
    let mut h = hours(dec!(1), |_| dec!(500), |_| dec!(0.5));
    for x in &mut h[10..12] {
        x.pv_mwh = dec!(3);
    }
    let r = req(h, battery(dec!(2), dec!(1), dec!(1)), Objective::Cost);
    let p = plan(&r).unwrap();
    assert_eq!(p.savings_yuan, dec!(1000));
    assert_eq!(sum(&p, 10..12, |h| h.grid_import_mwh), dec!(0));
    assert_eq!(sum(&p, 10..12, |h| h.spilled_mwh), dec!(2));
    assert_consistent(&r, &p);
}

#[test]
fn impossible_batteries_are_refused() {
    let h = hours(dec!(1), |_| dec!(500), |_| dec!(0.5));
    for (b, words) in [
        (battery(dec!(4), dec!(2), dec!(0)), "efficiency"),
        (battery(dec!(4), dec!(2), dec!(1.1)), "efficiency"),
        (battery(dec!(-1), dec!(2), dec!(0.9)), "negative"),
        (
            Battery {
                soc_start_mwh: dec!(5),
                ..battery(dec!(4), dec!(2), dec!(0.9))
            },
            "start state of charge",
        ),
    ] {
        let e = plan(&req(h.clone(), b, Objective::Cost)).unwrap_err();
        assert!(
            matches!(e, PlanError::Invalid(_)) && e.to_string().contains(words),
            "{e}"
        );
    }
    assert!(
        plan(&req(
            vec![],
            battery(dec!(1), dec!(1), dec!(1)),
            Objective::Cost
        ))
        .is_err()
    );
}

#[test]
fn state_of_charge_limits_shrink_the_usable_cycle() {
    // 5 MWh load every hour; 00-12 at 400, 12-24 at 800. Battery 4 MWh / 2 MW / 80 %,
    // kept within 1..3 MWh and starting at 1: only 2 MWh can be stored and given back
    // (3 - 1). 2.5 MWh in at 400 (1000), 2 out at 800 (1600): saves 600 of the baseline
    // 5 x (12x400 + 12x800) = 72000.
    let r = req(
        hours(
            dec!(5),
            |h| if h < 12 { dec!(400) } else { dec!(800) },
            |_| dec!(0.5),
        ),
        Battery::new(dec!(4), dec!(2), dec!(0.8), dec!(1))
            .with_limits(Some(dec!(1)), Some(dec!(3))),
        Objective::Cost,
    );
    let p = plan(&r).unwrap();
    assert_eq!(p.baseline_cost_yuan, dec!(72000));
    assert_eq!(p.plan_cost_yuan, dec!(71400));
    assert_eq!(p.charged_mwh, dec!(2.5));
    assert_eq!(p.discharged_mwh, dec!(2));
    assert_eq!(
        p.hours.iter().map(|h| h.soc_mwh).max(),
        Some(dec!(3)),
        "full at the upper limit"
    );
    assert_consistent(&r, &p);
    // The same battery over its whole capacity from empty: 5 in (2000), 4 out (3200).
    let free = req(
        r.hours.clone(),
        battery(dec!(4), dec!(2), dec!(0.8)),
        Objective::Cost,
    );
    assert_eq!(plan(&free).unwrap().savings_yuan, dec!(1200));
}

/// Four hours at a flat 500 yuan/MWh and 0.5 t/MWh: load 1, 1, 3, 3 MWh.
fn peaky_day() -> Vec<HourInput> {
    [1, 1, 3, 3]
        .into_iter()
        .map(|l| HourInput {
            load_mwh: Decimal::from(l),
            pv_mwh: Decimal::ZERO,
            yuan_per_mwh: dec!(500),
            tco2_per_mwh: dec!(0.5),
        })
        .collect()
}

#[test]
fn a_demand_cap_makes_the_battery_shave_the_peak() {
    // Cap 2 MW: hours 2 and 3 need 1 MWh each from the battery (3 - 2), which it can only
    // have from charging 1 MWh in each of hours 0 and 1 (1 + 1 = 2, at the cap). A flat
    // price and 100 % efficiency make it cost-neutral: 8 MWh at 500 either way. The peak
    // falls from 3 to 2 MW.
    let r = PlanRequest {
        grid_cap_mw: Some(dec!(2)),
        ..req(
            peaky_day(),
            battery(dec!(2), dec!(1), dec!(1)),
            Objective::Cost,
        )
    };
    let p = plan(&r).unwrap();
    assert_eq!(p.baseline_peak_mw, dec!(3));
    assert_eq!(p.plan_peak_mw, dec!(2));
    assert_eq!(p.plan_cost_yuan, dec!(4000));
    assert_eq!(p.savings_yuan, dec!(0));
    let grid: Vec<Decimal> = p.hours.iter().map(|h| h.grid_import_mwh).collect();
    assert_eq!(grid, vec![dec!(2), dec!(2), dec!(2), dec!(2)]);
    assert_consistent(&r, &p);
}

#[test]
fn a_demand_cap_the_battery_cannot_hold_is_refused_as_infeasible() {
    // Cap 1.5 MW: the peak hours need 3 MWh from a 2 MWh battery, and the morning leaves
    // only 0.5 MWh per hour under the cap to charge with.
    let r = PlanRequest {
        grid_cap_mw: Some(dec!(1.5)),
        ..req(
            peaky_day(),
            battery(dec!(2), dec!(1), dec!(1)),
            Objective::Cost,
        )
    };
    let e = plan(&r).unwrap_err();
    assert!(
        matches!(e, PlanError::Solver(_)) && e.to_string().contains("grid cap of 1.5 MW"),
        "{e}"
    );
}

#[test]
fn state_of_charge_limits_outside_the_capacity_or_around_the_start_are_refused() {
    let h = hours(dec!(1), |_| dec!(500), |_| dec!(0.5));
    let b = battery(dec!(4), dec!(2), dec!(0.9));
    for (b, words) in [
        (
            b.with_limits(Some(dec!(3)), Some(dec!(2))),
            "state-of-charge limits",
        ),
        (b.with_limits(None, Some(dec!(5))), "state-of-charge limits"),
        (
            b.with_limits(Some(dec!(1)), None),
            "start state of charge 0 MWh: between the limits 1",
        ),
    ] {
        let e = plan(&req(h.clone(), b, Objective::Cost)).unwrap_err();
        assert!(e.to_string().contains(words), "{e}");
    }
    let negative_cap = PlanRequest {
        grid_cap_mw: Some(dec!(-1)),
        ..req(h, b, Objective::Cost)
    };
    assert!(
        plan(&negative_cap)
            .unwrap_err()
            .to_string()
            .contains("grid cap -1 MW")
    );
}

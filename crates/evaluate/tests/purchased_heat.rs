//! The built-in purchased-heat measure: valued at the heat factor, bounded by the purchased
//! heat and steam in the accounts, and left out where a scope buys none.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use zp_evaluate::{
    AccountInputs, MacPoint, MeasureSet, Plan, PlanRequest, PlanStatus, Rates, mac_curve,
    plan_abatement,
};

const HEAT_MEASURE: &str = "heat_pump_purchased_heat";

/// 20,000 MWh of uncovered grid electricity at 0.5 tCO2/MWh (10,000 tCO2, 2,458 tce) and,
/// with `heat`, 200,000 GJ of purchased heat at 0.11 tCO2/GJ (22,000 tCO2, 6,824 tce).
fn park(heat: bool) -> AccountInputs {
    let (heat_tco2, heat_tce) = if heat {
        (dec!(22000), dec!(6824))
    } else {
        (Decimal::ZERO, Decimal::ZERO)
    };
    AccountInputs {
        energy_tce: dec!(2458) + heat_tce,
        scope2_location_tco2: dec!(10000) + heat_tco2,
        scope2_market_tco2: dec!(10000) + heat_tco2,
        electricity_mwh: dec!(20000),
        grid_electricity_mwh: dec!(20000),
        grid_electricity_market_tco2: dec!(10000),
        purchased_heat_tco2: heat_tco2,
        purchased_heat_tce: heat_tce,
        ..AccountInputs::default()
    }
}

fn request(base: AccountInputs, target: Decimal) -> PlanRequest {
    PlanRequest {
        scope_id: "P".into(),
        base_year: 2024,
        base,
        target_year: 2027,
        target_tco2_per_tce: target,
        fallback_grid_tco2_per_mwh: None,
        heat_tco2_per_gj: Some(dec!(0.11)),
    }
}

fn heat_point(base: &AccountInputs) -> MacPoint {
    let rates = Rates::new(base, dec!(0.5), Some(dec!(0.11)));
    mac_curve(&MeasureSet::default_set(), base, &rates)
        .into_iter()
        .find(|p| p.measure == HEAT_MEASURE)
        .expect("the built-in set has the purchased-heat measure")
}

fn heat_units(plan: &Plan) -> u32 {
    plan.portfolio
        .iter()
        .filter(|p| p.measure == HEAT_MEASURE)
        .map(|p| p.units)
        .sum()
}

#[test]
fn heat_measure_is_valued_at_the_heat_factor_and_bounded_by_purchased_heat() {
    let base = park(true);
    let rates = Rates::new(&base, dec!(0.5), Some(dec!(0.11)));
    // 22,000 tCO2 / 0.11 tCO2/GJ = 200,000 GJ; 6,824 tce / 200,000 GJ = 0.03412 tce/GJ.
    assert_eq!(rates.purchased_heat_gj, dec!(200000));
    assert_eq!(rates.heat_tce_per_gj, dec!(0.03412));
    let p = heat_point(&base);
    // 7,200 GJ x 0.11 = 792 tCO2 no longer bought, 571 MWh x 0.5 = 285.5 tCO2 added.
    assert_eq!(p.avoided_tco2_per_unit, dec!(506.5));
    // 200,000 GJ / 7,200 GJ per unit = 27.8: 27 whole units.
    assert_eq!(p.units, dec!(27));
    assert_eq!(p.avoided_tco2, dec!(13675.5));
    // 1,800,000 x CRF(6 %, 15 years) = 185,332.98; less 30,050 saved a year.
    assert_eq!(p.annualised_cost_yuan_per_unit, dec!(155282.98));
    assert_eq!(p.cost_yuan_per_tco2, Some(dec!(306.58)));
}

#[test]
fn heat_measure_enters_the_plan_when_the_park_buys_heat() {
    // 32,000 tCO2 over 9,282 tce = 3.4475; 2.0 needs 32,000 - 2 x 9,282 = 13,436 of
    // weight. The grid alone gives at most about 10,000 (20,000 MWh at 0.5): the heat
    // pumps are needed.
    let plan = plan_abatement(&request(park(true), dec!(2.0)), &MeasureSet::default_set()).unwrap();
    assert_eq!(plan.status, PlanStatus::Optimal, "{plan:?}");
    assert_eq!(plan.required_tco2, dec!(13436));
    assert_eq!(plan.base_purchased_heat_gj, dec!(200000));
    assert_eq!(plan.heat_factor_tco2_per_gj, dec!(0.11));
    let n = heat_units(&plan);
    assert!((1..=27).contains(&n), "{:?}", plan.portfolio);
    let after = plan.intensity_after_tco2_per_tce.unwrap();
    assert!(after <= dec!(2.0) && after < plan.base_intensity_tco2_per_tce);
    // The same target without the heat measure cannot be reached.
    let mut set = MeasureSet::default_set();
    set.measures.retain(|m| m.id != HEAT_MEASURE);
    let without = plan_abatement(&request(park(true), dec!(2.0)), &set).unwrap();
    assert_eq!(without.status, PlanStatus::Infeasible);
}

#[test]
fn heat_measure_has_no_room_when_the_park_buys_no_heat() {
    let base = park(false);
    let p = heat_point(&base);
    assert_eq!(p.units, Decimal::ZERO);
    assert_eq!(p.avoided_tco2, Decimal::ZERO);
    // 10,000 tCO2 over 2,458 tce = 4.068; to 2.0: 10,000 - 4,916 = 5,084 from the grid.
    let plan = plan_abatement(&request(base, dec!(2.0)), &MeasureSet::default_set()).unwrap();
    assert_eq!(plan.status, PlanStatus::Optimal);
    assert_eq!(plan.base_purchased_heat_gj, Decimal::ZERO);
    assert_eq!(heat_units(&plan), 0, "{:?}", plan.portfolio);
    // Nor at a target that takes every grid MWh (the heat pump would add grid power that
    // certificates could then cover): there is no heat to replace.
    let deep = plan_abatement(
        &request(park(false), dec!(0.01)),
        &MeasureSet::default_set(),
    )
    .unwrap();
    assert_eq!(deep.status, PlanStatus::Optimal);
    assert!(deep.intensity_after_tco2_per_tce.unwrap() <= dec!(0.01));
    assert_eq!(heat_units(&deep), 0, "{:?}", deep.portfolio);
}

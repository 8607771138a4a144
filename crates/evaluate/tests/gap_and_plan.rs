//! Gap arithmetic, trajectories and the abatement optimiser against hand-solved cases.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use zp_evaluate::builtin::zero_carbon_park;
use zp_evaluate::{
    AccountInputs, Evaluation, MeasureSet, PathShape, PlanRequest, PlanStatus, Rates, Subject,
    analyse_gaps, annualised_cost_yuan, evaluate, mac_curve, plan_abatement, trajectory,
};

/// 300,000 tce; 22,400 tCO2 Scope 1 + 50,000 tCO2 market Scope 2 from 100,000 MWh of
/// uncovered grid electricity (0.5 tCO2/MWh): 72,400 tCO2, 0.241333 tCO2/tce.
fn park() -> AccountInputs {
    AccountInputs {
        energy_tce: dec!(300000),
        scope1_tco2: dec!(22400),
        scope2_location_tco2: dec!(52000),
        scope2_market_tco2: dec!(50000),
        electricity_mwh: dec!(100000),
        grid_electricity_mwh: dec!(100000),
        grid_electricity_market_tco2: dec!(50000),
        fuel_tce: dec!(287710),
        fuel_tco2: dec!(22400),
        ..AccountInputs::default()
    }
}

/// Evaluates the park "P"'s 2024 accounts against the zero-carbon park set.
fn evaluate_park(a: &AccountInputs) -> Evaluation {
    evaluate(
        &zero_carbon_park(),
        &Subject {
            scope_id: "P",
            period: "2024",
            accounts: Some(a),
            data: &[],
        },
    )
}

#[test]
fn intensity_gap_is_the_emissions_above_the_allowance_or_the_clean_power_that_removes_them() {
    let a = park();
    let e = evaluate_park(&a);
    assert!(!e.pass);
    let gaps = analyse_gaps(&e);
    let core = gaps
        .iter()
        .find(|g| g.indicator == "carbon_intensity_of_energy")
        .unwrap();
    assert!(core.veto);
    // allowed 0.20 x 300,000 = 60,000; cut 72,400 - 60,000 = 12,400 tCO2.
    let cut = &core.actions[0];
    assert_eq!(cut.kind, "reduce_emissions_tco2");
    assert_eq!(cut.amount, Some(dec!(12400)));
    assert_eq!(cut.text, "12,400 tCO2 a year less at the same energy use");
    assert!(
        cut.arithmetic
            .contains("0.20 tCO2/tce x 300,000 tce = 60,000 tCO2"),
        "{}",
        cut.arithmetic
    );
    assert!(
        cut.arithmetic.contains("72,400 - 60,000 = 12,400 tCO2"),
        "{}",
        cut.arithmetic
    );
    // 50,000 tCO2 / 100,000 MWh = 0.5 tCO2/MWh; 12,400 / 0.5 = 24,800 MWh = 24.8 GWh.
    let clean = &core.actions[1];
    assert_eq!(clean.kind, "add_clean_electricity_mwh");
    assert_eq!(clean.amount, Some(dec!(24800)));
    assert!(clean.sufficient);
    assert!(
        clean
            .text
            .starts_with("additional 24.8 GWh of clean electricity"),
        "{}",
        clean.text
    );
    assert!(
        clean.arithmetic.contains("= 0.5 tCO2/MWh"),
        "{}",
        clean.arithmetic
    );
    // Guiding indicators without data are gaps of kind provide_data.
    let water = gaps.iter().find(|g| g.indicator == "water_reuse").unwrap();
    assert_eq!(water.actions[0].kind, "provide_data");
    assert!(water.actions[0].text.contains("water_reuse"));
}

#[test]
fn clean_electricity_alone_is_flagged_when_there_is_not_enough_grid_power_to_replace() {
    let mut a = park();
    // Only 10,000 MWh of grid electricity (5,000 tCO2) but 12,400 tCO2 to cut.
    a.grid_electricity_mwh = dec!(10000);
    a.electricity_mwh = dec!(10000);
    a.grid_electricity_market_tco2 = dec!(5000);
    let e = evaluate_park(&a);
    let gaps = analyse_gaps(&e);
    let clean = &gaps[0].actions[1];
    assert_eq!(clean.amount, Some(dec!(24800)));
    assert!(!clean.sufficient);
    // 12,400 - 5,000 = 7,400 tCO2 must come from fuels.
    assert!(
        clean.note.as_deref().unwrap().contains("7,400 tCO2"),
        "{:?}",
        clean.note
    );
}

#[test]
fn clean_energy_share_gap_in_tce_and_mwh() {
    let mut a = park();
    a.onsite_renewable_mwh = dec!(20000);
    a.electricity_mwh = dec!(120000);
    let e = evaluate_park(&a);
    let g = analyse_gaps(&e);
    let share = g
        .iter()
        .find(|g| g.indicator == "clean_energy_share")
        .unwrap();
    // clean = 20,000 x 0.1229 = 2,458 tce; needed 0.90 x 300,000 = 270,000 tce;
    // 270,000 - 2,458 = 267,542 tce / 0.1229 = 2,176,908.0553... MWh.
    let act = &share.actions[0];
    assert_eq!(act.amount.unwrap().round_dp(4), dec!(2176908.0553));
    assert!(
        act.arithmetic.contains("270,000 - 2,458 = 267,542 tce"),
        "{}",
        act.arithmetic
    );
    // Far more than the 100,000 MWh of grid power: fuels must be replaced too.
    assert!(!act.sufficient);
}

#[test]
fn linear_trajectory_to_018_by_2027() {
    // Shenyang: 0.18 tCO2/tce by 2027. Base 2024: 72,000 / 300,000 = 0.24.
    let mut a = park();
    a.scope1_tco2 = dec!(22000);
    let path = trajectory(2024, &a, 2027, dec!(0.18), PathShape::Linear, Decimal::ZERO).unwrap();
    let got: Vec<(i32, Decimal, Decimal)> = path
        .iter()
        .map(|p| (p.year, p.intensity_tco2_per_tce, p.abatement_tco2))
        .collect();
    // Step (0.18 - 0.24) / 3 = -0.02 a year; abatement = (0.24 - I) x 300,000.
    assert_eq!(
        got,
        vec![
            (2024, dec!(0.24), dec!(0)),
            (2025, dec!(0.22), dec!(6000)),
            (2026, dec!(0.2), dec!(12000)),
            (2027, dec!(0.18), dec!(18000)),
        ]
    );
    assert_eq!(path[3].allowed_tco2, dec!(54000));
    // 2 % energy growth a year: 2027 energy 300,000 x 1.02^3 = 318,362.4 tce.
    let grown = trajectory(2024, &a, 2027, dec!(0.18), PathShape::Linear, dec!(0.02)).unwrap();
    assert_eq!(grown[3].energy_tce, dec!(318362.4));
    assert_eq!(grown[3].allowed_tco2, dec!(57305.232));
    // Constant rate: each year x (0.18/0.24)^(1/3) = 0.908560..., ends exactly at 0.18.
    let rate = trajectory(
        2024,
        &a,
        2027,
        dec!(0.18),
        PathShape::ConstantRate,
        Decimal::ZERO,
    )
    .unwrap();
    assert_eq!(rate[1].intensity_tco2_per_tce.round_dp(4), dec!(0.2181));
    assert_eq!(rate[3].intensity_tco2_per_tce, dec!(0.18));
    assert_eq!(
        trajectory(2024, &a, 2024, dec!(0.18), PathShape::Linear, Decimal::ZERO)
            .unwrap_err()
            .to_string(),
        "target year 2024 must be after the base year 2024"
    );
    assert!(
        trajectory(
            2024,
            &AccountInputs::default(),
            2027,
            dec!(0.18),
            PathShape::Linear,
            Decimal::ZERO
        )
        .is_err()
    );
}

/// The hand-solved case. Base: 100,000 tce, 30,000 tCO2 (0.30), 40,000 MWh of uncovered
/// grid electricity emitting 20,000 tCO2 (f = 0.5), 10,000 tce of fuel. Target 0.20 ->
/// required E - T Q = 30,000 - 20,000 = 10,000 (intensity-weighted tCO2). Discount 0.
///
/// | measure | cost/yr | avoided | saved tce | weight a - 0.2 q | max |
/// | A green power 1,000 MWh | 30,000 | 500 | 0 | 500 | grid |
/// | B PV 1 MWp | 1,000,000/10 = 100,000 | 500 | 0 | 500 | 5 |
/// | C waste heat | 2,000,000/10 = 200,000 | 2,000 x 2.5 = 5,000 | 2,000 | 4,600 | 1 |
/// | D efficiency 1,000 MWh | 50,000 | 500 | 122.9 | 475.42 | 3 |
///
/// A costs 60 yuan per unit of weight, C 43.48, D 105.17, B 200. Without C: 20 A =
/// 600,000. With C: 10,000 - 4,600 = 5,400 left; 10 A give 5,000 (400 short), an 11th A
/// (30,000) is cheaper than a D (50,000): C + 11 A = 200,000 + 330,000 = 530,000 yuan.
/// Check: E = 30,000 - 5,000 - 5,500 = 19,500; Q = 98,000; 0.2 x 98,000 = 19,600 >= 19,500.
const HAND: &str = r#"
format = 1
id = "hand"
version = "1"
discount_rate = 0
[[measure]]
id = "A"
kind = "green_power_purchase"
name = "green power"
unit = "1,000 MWh"
capex_yuan = 0
opex_yuan_per_year = 30000
lifetime_years = 1
certified_mwh = 1000
source = "test"
[[measure]]
id = "B"
kind = "rooftop_pv"
name = "PV"
unit = "1 MWp"
capex_yuan = 1000000
opex_yuan_per_year = 0
lifetime_years = 10
grid_mwh = -1000
onsite_clean_mwh = 1000
max_units = 5
source = "test"
[[measure]]
id = "C"
kind = "waste_heat_recovery"
name = "waste heat"
unit = "project"
capex_yuan = 2000000
opex_yuan_per_year = 0
lifetime_years = 10
fuel_tce = -2000
fuel_tco2_per_tce = 2.5
max_units = 1
source = "test"
[[measure]]
id = "D"
kind = "efficiency_retrofit"
name = "efficiency"
unit = "1,000 MWh saved"
capex_yuan = 0
opex_yuan_per_year = 50000
lifetime_years = 1
grid_mwh = -1000
max_units = 3
source = "test"
"#;

fn hand_base() -> AccountInputs {
    AccountInputs {
        energy_tce: dec!(100000),
        scope1_tco2: dec!(10000),
        scope2_market_tco2: dec!(20000),
        electricity_mwh: dec!(40000),
        grid_electricity_mwh: dec!(40000),
        grid_electricity_market_tco2: dec!(20000),
        fuel_tce: dec!(10000),
        fuel_tco2: dec!(10000),
        ..AccountInputs::default()
    }
}

fn request(target: Decimal) -> PlanRequest {
    PlanRequest {
        scope_id: "P".into(),
        base_year: 2024,
        base: hand_base(),
        target_year: 2027,
        target_tco2_per_tce: target,
        fallback_grid_tco2_per_mwh: None,
        heat_tco2_per_gj: None,
    }
}

#[test]
fn optimiser_matches_the_hand_solution() {
    let set = MeasureSet::from_toml_str(HAND).unwrap();
    let plan = plan_abatement(&request(dec!(0.20)), &set).unwrap();
    assert_eq!(plan.status, PlanStatus::Optimal);
    assert_eq!(plan.required_tco2, dec!(10000));
    let chosen: Vec<(&str, u32)> = plan
        .portfolio
        .iter()
        .map(|p| (p.measure.as_str(), p.units))
        .collect();
    assert_eq!(chosen, vec![("A", 11), ("C", 1)]);
    assert_eq!(plan.total_annualised_cost_yuan, dec!(530000));
    assert_eq!(plan.emissions_after_tco2, dec!(19500));
    assert_eq!(plan.energy_after_tce, dec!(98000));
    assert!(plan.intensity_after_tco2_per_tce.unwrap() <= dec!(0.20));
}

#[test]
fn optimiser_reports_already_met_and_infeasible_targets() {
    let set = MeasureSet::from_toml_str(HAND).unwrap();
    let met = plan_abatement(&request(dec!(0.30)), &set).unwrap();
    assert_eq!(met.status, PlanStatus::AlreadyMet);
    assert!(met.portfolio.is_empty());
    assert_eq!(met.total_annualised_cost_yuan, Decimal::ZERO);
    // 0.05 would need 25,000 of weight; the most the measures give is C (4,600) plus the
    // 40,000 MWh of grid power covered or replaced (40 x 500 = 20,000): 24,600.
    let out = plan_abatement(&request(dec!(0.05)), &set).unwrap();
    assert_eq!(out.status, PlanStatus::Infeasible);
    assert!(out.intensity_after_tco2_per_tce.unwrap() > dec!(0.05));
    let grid_units: u32 = out
        .portfolio
        .iter()
        .filter(|p| p.measure != "C")
        .map(|p| p.units)
        .sum();
    assert_eq!(grid_units, 40, "{:?}", out.portfolio);
}

#[test]
fn measures_after_the_target_year_are_left_out() {
    let text = HAND.replace("id = \"C\"", "id = \"C\"\navailable_from = 2030");
    let set = MeasureSet::from_toml_str(&text).unwrap();
    let plan = plan_abatement(&request(dec!(0.20)), &set).unwrap();
    assert_eq!(plan.not_available, vec!["C"]);
    // Without C: 20 A = 600,000 yuan.
    assert_eq!(plan.total_annualised_cost_yuan, dec!(600000));
}

#[test]
fn annualised_cost_and_mac_curve() {
    let set = MeasureSet::default_set();
    let pv = set.measures.iter().find(|m| m.id == "rooftop_pv").unwrap();
    // 1.06^25 = 4.29187072; 3,200,000 x 0.06 x 4.29187072 / 3.29187072 = 250,325.4983;
    // + 48,000 opex = 298,325.50 yuan a year.
    assert_eq!(annualised_cost_yuan(pv, dec!(0.06)), dec!(298325.50));
    let curve = mac_curve(
        &MeasureSet::from_toml_str(HAND).unwrap(),
        &hand_base(),
        &Rates::new(&hand_base(), dec!(0.5), None),
    );
    let order: Vec<&str> = curve.iter().map(|p| p.measure.as_str()).collect();
    // Yuan per tCO2: C 40, A 60, D 100, B 200.
    assert_eq!(order, vec!["C", "A", "D", "B"]);
    assert_eq!(curve[0].cost_yuan_per_tco2, Some(dec!(40)));
    assert_eq!(curve[1].units, dec!(40));
    assert_eq!(curve[1].cumulative_tco2, dec!(25000));
}

#[test]
fn invalid_measure_files_are_refused() {
    for (text, needle) in [
        (
            format!(
                "{HAND}[[measure]]\nid = \"E\"\nkind = \"other\"\nname = \"e\"\nunit = \"u\"\ncapex_yuan = 1\nopex_yuan_per_year = 0\nlifetime_years = 1\nsource = \"t\"\n"
            ),
            "max_units",
        ),
        (
            HAND.replace("lifetime_years = 10", "lifetime_years = 0"),
            "lifetime",
        ),
        (HAND.replace("format = 1", "format = 9"), "format"),
        (
            HAND.replace(
                "source = \"test\"\n[[measure]]\nid = \"B\"",
                "source = \"test\"\n[[measure]]\nid = \"A\"",
            ),
            "twice",
        ),
    ] {
        let err = MeasureSet::from_toml_str(&text).unwrap_err().to_string();
        assert!(err.contains(needle), "{needle}: {err}");
    }
}

#[test]
fn without_grid_electricity_the_fallback_factor_values_grid_measures() {
    let set = MeasureSet::from_toml_str(HAND).unwrap();
    // Fuel only: 100,000 tce and 30,000 tCO2, no grid electricity.
    let base = AccountInputs {
        energy_tce: dec!(100000),
        scope1_tco2: dec!(30000),
        fuel_tce: dec!(100000),
        fuel_tco2: dec!(30000),
        ..AccountInputs::default()
    };
    let mut req = PlanRequest {
        base,
        ..request(dec!(0.28))
    };
    assert_eq!(
        plan_abatement(&req, &set).unwrap_err(),
        zp_evaluate::PlanError::NoGridFactor
    );
    req.fallback_grid_tco2_per_mwh = Some(dec!(0.6));
    // Required 30,000 - 0.28 x 100,000 = 2,000; C alone gives 5,000 - 0.28 x 2,000 =
    // 4,440 for 200,000 yuan; nothing on the grid applies (no grid power to replace).
    let plan = plan_abatement(&req, &set).unwrap();
    assert_eq!(plan.grid_factor_tco2_per_mwh, dec!(0.6));
    let chosen: Vec<&str> = plan.portfolio.iter().map(|p| p.measure.as_str()).collect();
    assert_eq!(chosen, vec!["C"]);
    assert_eq!(plan.total_annualised_cost_yuan, dec!(200000));
}

//! The zero-carbon park set (发改环资〔2025〕910号): thresholds at and just above the limit in
//! both size bands, veto failure, missing data, and the small-park rule.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use zp_evaluate::builtin::zero_carbon_park;
use zp_evaluate::{AccountInputs, IndicatorStatus, IndicatorValue, Subject, evaluate};

const PARK: &str = "示例园区";

fn accounts(energy_tce: Decimal, emissions_tco2: Decimal) -> AccountInputs {
    // All emissions Scope 1 so the market intensity is exactly emissions / energy.
    AccountInputs {
        energy_tce,
        scope1_tco2: emissions_tco2,
        ..AccountInputs::default()
    }
}

fn data(indicator: &str, value: Decimal, unit: &str) -> IndicatorValue {
    IndicatorValue {
        scope_id: PARK.into(),
        indicator: indicator.into(),
        period: "2024".into(),
        value,
        unit: unit.into(),
        evidence: format!("{indicator}-2024.pdf"),
    }
}

fn good_guiding_data() -> Vec<IndicatorValue> {
    vec![
        data("product_energy_within_level2", Decimal::ONE, "bool"),
        data("solid_waste_utilisation", dec!(0.85), "fraction"),
        data("waste_heat_use", dec!(0.55), "fraction"),
        data("water_reuse", dec!(0.90), "fraction"),
    ]
}

fn run(a: &AccountInputs, d: &[IndicatorValue]) -> zp_evaluate::Evaluation {
    evaluate(
        &zero_carbon_park(),
        &Subject {
            scope_id: PARK,
            period: "2024",
            accounts: Some(a),
            data: d,
        },
    )
}

fn core(e: &zp_evaluate::Evaluation) -> &zp_evaluate::IndicatorResult {
    e.indicator("carbon_intensity_of_energy").unwrap()
}

#[test]
fn exactly_at_020_passes_and_just_above_fails_in_the_200k_to_1m_band() {
    let d = good_guiding_data();
    // 60,000 / 300,000 = 0.20 exactly.
    let at = run(&accounts(dec!(300000), dec!(60000)), &d);
    assert_eq!(core(&at).value, Some(dec!(0.2)));
    assert_eq!(core(&at).threshold, Some(dec!(0.20)));
    assert!(core(&at).pass && core(&at).veto);
    assert_eq!(core(&at).band.as_deref(), Some("200,000 to 1,000,000 tce"));
    assert!(at.pass, "{:?}", at.reasons);
    // 60,000.3 / 300,000 = 0.200001.
    let above = run(&accounts(dec!(300000), dec!(60000.3)), &d);
    assert_eq!(core(&above).value, Some(dec!(0.200001)));
    assert!(!core(&above).pass);
    assert!(!above.pass);
    // The worked example: 300,000 tce and 54,000 tCO2 -> 0.18 passes; 0.21 fails.
    assert!(run(&accounts(dec!(300000), dec!(54000)), &d).pass);
    assert!(!run(&accounts(dec!(300000), dec!(63000)), &d).pass);
}

#[test]
fn exactly_at_030_passes_and_just_above_fails_from_1m_tce() {
    let d = good_guiding_data();
    // Exactly 1,000,000 tce is in the 0.30 band (lower bounds are inclusive).
    let at = run(&accounts(dec!(1000000), dec!(300000)), &d);
    assert_eq!(core(&at).threshold, Some(dec!(0.30)));
    assert_eq!(core(&at).band.as_deref(), Some("1,000,000 tce or more"));
    assert!(at.pass, "{:?}", at.reasons);
    let above = run(&accounts(dec!(1000000), dec!(300001)), &d);
    assert_eq!(core(&above).value, Some(dec!(0.300001)));
    assert!(!above.pass);
    // One tce less and the same intensity is judged against 0.20.
    let below = run(&accounts(dec!(999999), dec!(299999.7)), &d);
    assert_eq!(core(&below).threshold, Some(dec!(0.20)));
    assert!(!below.pass);
}

#[test]
fn a_veto_failure_fails_the_evaluation_even_when_every_guiding_indicator_passes() {
    let e = run(
        &AccountInputs {
            energy_tce: dec!(400000),
            scope1_tco2: dec!(100000),
            onsite_renewable_mwh: dec!(3000000),
            electricity_mwh: dec!(3000000),
            ..AccountInputs::default()
        },
        &good_guiding_data(),
    );
    // The guiding indicators all pass; the location-based variant of the core indicator
    // fails with it (no grid electricity: both variants are the same figure) and decides
    // nothing.
    for i in e.indicators.iter().filter(|i| !i.veto) {
        let want = if i.id == "carbon_intensity_of_energy_location" {
            IndicatorStatus::Fail
        } else {
            IndicatorStatus::Pass
        };
        assert_eq!(i.status, want, "{}", i.id);
    }
    assert_eq!(core(&e).status, IndicatorStatus::Fail);
    assert!(!e.pass);
    assert_eq!(
        e.reasons,
        vec!["veto indicator carbon_intensity_of_energy failed"]
    );
}

#[test]
fn missing_data_is_reported_as_missing_and_never_passes() {
    // No indicator data at all: guiding indicators are missing, not passed.
    let e = run(&accounts(dec!(300000), dec!(30000)), &[]);
    for id in [
        "product_energy_within_level2",
        "solid_waste_utilisation",
        "waste_heat_use",
        "water_reuse",
    ] {
        let i = e.indicator(id).unwrap();
        assert_eq!(i.status, IndicatorStatus::Missing, "{id}");
        assert!(!i.pass && i.value.is_none(), "{id}");
    }
    assert_eq!(e.missing.len(), 4);
    assert!(!e.complete);
    // No accounts: the veto indicator is missing, so the evaluation fails.
    let none = evaluate(
        &zero_carbon_park(),
        &Subject {
            scope_id: PARK,
            period: "2024",
            accounts: None,
            data: &good_guiding_data(),
        },
    );
    assert_eq!(core(&none).status, IndicatorStatus::Missing);
    assert!(!core(&none).pass);
    assert!(!none.pass);
    assert_eq!(
        none.reasons,
        vec!["veto indicator carbon_intensity_of_energy is missing"]
    );
    // Zero energy: the intensity is undefined, so missing (not 0, not a pass).
    let zero = run(&AccountInputs::default(), &good_guiding_data());
    assert_eq!(core(&zero).status, IndicatorStatus::Missing);
    assert!(!zero.pass);
    // A value in the wrong unit is missing too, with the reason.
    let wrong = run(
        &accounts(dec!(300000), dec!(30000)),
        &[data("water_reuse", dec!(90), "percent-points")],
    );
    let w = wrong.indicator("water_reuse").unwrap();
    assert_eq!(w.status, IndicatorStatus::Missing);
    assert!(w.note.as_deref().unwrap().contains("expects \"fraction\""));
    // Data of another year is not used.
    let mut other = good_guiding_data();
    for d in &mut other {
        d.period = "2023".into();
    }
    assert_eq!(
        run(&accounts(dec!(300000), dec!(30000)), &other)
            .missing
            .len(),
        4
    );
}

#[test]
fn on_site_renewable_only_gives_intensity_zero_which_passes() {
    // 2,000,000 MWh of on-site PV = 245,800 tce, no emissions.
    let a = AccountInputs {
        energy_tce: dec!(245800),
        electricity_mwh: dec!(2000000),
        onsite_renewable_mwh: dec!(2000000),
        ..AccountInputs::default()
    };
    let e = run(&a, &good_guiding_data());
    assert_eq!(core(&e).value, Some(Decimal::ZERO));
    assert!(core(&e).pass);
    assert_eq!(
        e.indicator("clean_energy_share").unwrap().value,
        Some(Decimal::ONE)
    );
    assert!(e.pass);
}

#[test]
fn a_park_below_200k_tce_is_outside_the_notice_and_does_not_pass() {
    let e = run(&accounts(dec!(150000), dec!(15000)), &good_guiding_data());
    let c = core(&e);
    // Compared with 0.20 as a reference: the indicator itself meets it ...
    assert_eq!(c.threshold, Some(dec!(0.20)));
    assert!(c.pass && c.outside_scope);
    // ... but the evaluation does not pass, and says why.
    assert!(!e.pass);
    assert_eq!(e.reasons.len(), 1);
    assert!(
        e.reasons[0].contains("outside the set's scope"),
        "{:?}",
        e.reasons
    );
    assert!(e.reasons[0].contains("150000"), "{:?}", e.reasons);
}

#[test]
fn incomplete_accounts_do_not_pass() {
    let mut a = accounts(dec!(300000), dec!(30000));
    a.incomplete = true;
    let e = run(&a, &good_guiding_data());
    assert!(core(&e).pass);
    assert!(!e.pass);
    assert!(e.reasons[0].contains("accounts are incomplete"));
}

#[test]
fn the_result_records_set_id_version_and_hash() {
    let e = run(&accounts(dec!(300000), dec!(30000)), &[]);
    assert_eq!(e.scheme, "zero-carbon-park-910");
    assert_eq!(e.version, "2025.1");
    assert_eq!(e.scheme_sha256, zero_carbon_park().sha256);
    let json = serde_json::to_value(&e).unwrap();
    let ind = &json["indicators"][0];
    for key in ["id", "value", "threshold", "pass", "veto", "source"] {
        assert!(ind.get(key).is_some(), "{key}");
    }
    assert_eq!(ind["source"], "accounts.intensity_market_tco2_per_tce");
}

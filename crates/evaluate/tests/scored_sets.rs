//! Scored sets (ESG, green factory) and user sets that override a built-in one.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use zp_evaluate::builtin::{builtin_catalog, esg, green_factory};
use zp_evaluate::{
    AccountInputs, Evaluation, IndicatorStatus, IndicatorValue, Scheme, Subject, evaluate,
    score_gap,
};

const ORG: &str = "91500105MA5YRE01B1";

fn v(indicator: &str, value: Decimal, unit: &str) -> IndicatorValue {
    IndicatorValue {
        scope_id: ORG.into(),
        indicator: indicator.into(),
        period: "2024".into(),
        value,
        unit: unit.into(),
        evidence: "report-2024.pdf".into(),
    }
}

/// Evaluates ORG's 2024 accounts and data against `scheme`.
fn evaluate_org(scheme: &Scheme, a: &AccountInputs, data: &[IndicatorValue]) -> Evaluation {
    evaluate(
        scheme,
        &Subject {
            scope_id: ORG,
            period: "2024",
            accounts: Some(a),
            data,
        },
    )
}

/// 1,350 tCO2 / 1,000 tce = 1.35 tCO2/tce; 250 of 1,000 MWh clean = 0.25.
fn accounts() -> AccountInputs {
    AccountInputs {
        energy_tce: dec!(1000),
        scope1_tco2: dec!(1350),
        electricity_mwh: dec!(1000),
        onsite_renewable_mwh: dec!(250),
        ..AccountInputs::default()
    }
}

#[test]
fn esg_score_is_the_weighted_sum_computed_by_hand() {
    let data = vec![
        v("solid_waste_utilisation", dec!(0.75), "fraction"),
        v("lost_time_injury_rate", dec!(1), "per million hours"),
        v("training_hours", dec!(20), "h/person"),
        v("esg_disclosure", Decimal::ONE, "bool"),
        v("anti_corruption", Decimal::ZERO, "bool"),
        v("independent_directors", dec!(0.33), "fraction"),
    ];
    let a = accounts();
    let e = evaluate_org(&esg(), &a, &data);
    // Environment (40): carbon 20 x (1.35 - 2.5)/(0.2 - 2.5) = 10; clean 10 x 0.25 = 2.5;
    // waste 10 x (0.75 - 0.5)/0.5 = 5 -> 17.5. Social (30): injuries 20 x (1 - 5)/(0 - 5)
    // = 16; training 10 x 20/40 = 5 -> 21. Governance (30): 10 + 0 + 10 -> 20. Total 58.5.
    let groups: Vec<(&str, Decimal)> = e.groups.iter().map(|g| (g.id.as_str(), g.points)).collect();
    assert_eq!(
        groups,
        vec![
            ("environment", dec!(17.5)),
            ("social", dec!(21)),
            ("governance", dec!(20))
        ]
    );
    assert_eq!(e.score, Some(dec!(58.5)));
    assert_eq!(e.grade.as_deref(), Some("C"));
    assert!(e.pass);
    assert_eq!(
        e.indicator("anti_corruption").unwrap().status,
        IndicatorStatus::Fail
    );
    // Without the training data: 5 points fewer, listed as missing, never counted.
    let partial: Vec<IndicatorValue> = data
        .iter()
        .filter(|d| d.indicator != "training_hours")
        .cloned()
        .collect();
    let p = evaluate_org(&esg(), &a, &partial);
    assert_eq!(p.score, Some(dec!(53.5)));
    assert_eq!(p.missing, vec!["training_hours"]);
    assert_eq!(
        p.indicator("training_hours").unwrap().points,
        Some(Decimal::ZERO)
    );
}

#[test]
fn green_factory_fails_on_a_missing_basic_requirement_whatever_the_score() {
    let mut data: Vec<IndicatorValue> = [
        "gf_buildings_score",
        "gf_equipment_score",
        "gf_management_systems_score",
        "gf_resource_input_score",
        "gf_products_score",
        "gf_emissions_score",
        "gf_land_use_score",
        "gf_resource_efficiency_score",
    ]
    .iter()
    .map(|n| v(n, Decimal::ONE, "fraction"))
    .collect();
    for n in [
        "gf_metering",
        "gf_social_report",
        "gf_ghg_inventory",
        "gf_management_responsibility",
    ] {
        data.push(v(n, Decimal::ONE, "bool"));
    }
    let mut a = accounts();
    a.scope1_tco2 = dec!(500); // 0.5 tCO2/tce: full points
    a.onsite_renewable_mwh = dec!(500); // 0.5 clean share: full points
    a.output_value_10k_yuan = Some(dec!(10000)); // 0.1 tce/10k yuan: full points
    let e = evaluate_org(&green_factory(), &a, &data);
    assert_eq!(e.score, Some(dec!(100)));
    assert!(!e.pass, "legal_compliance is missing");
    assert_eq!(
        e.reasons,
        vec!["veto indicator legal_compliance is missing"]
    );
    data.push(v("gf_legal_compliance", Decimal::ONE, "bool"));
    let ok = evaluate_org(&green_factory(), &a, &data);
    assert!(ok.pass);
    // Without output value the energy intensity is missing and its 5 points are lost:
    // 100 - 5 = 95 still passes; score_gap is only for failing scores.
    a.output_value_10k_yuan = None;
    let no_output = evaluate_org(&green_factory(), &a, &data);
    assert_eq!(no_output.score, Some(dec!(95)));
    assert!(score_gap(&no_output).is_none());
}

#[test]
fn score_gap_lists_the_lost_points() {
    let a = accounts();
    let e = evaluate_org(&green_factory(), &a, &[]);
    let g = score_gap(&e).unwrap();
    // Only carbon intensity (30/3 x (2.5 - 1.35)/2 = 5.75) and clean share (5 x 0.25/0.5
    // = 2.5) score without data: 8.25 of 80.
    assert_eq!(e.score, Some(dec!(8.25)));
    assert_eq!(g.points_short, dec!(71.75));
    assert_eq!(g.lost[0].1, dec!(10));
}

#[test]
fn a_user_set_with_a_new_version_overrides_the_builtin_and_is_recorded() {
    let text = zp_evaluate::builtin::BUILTIN_SCHEME_FILES[0]
        .1
        .replace("version = \"2025.1\"", "version = \"2025.2-shenyang\"")
        .replace(
            "threshold = \"0.20\"\n\n[[indicator.band]]\nlabel = \"1,000,000",
            "threshold = \"0.18\"\n\n[[indicator.band]]\nlabel = \"1,000,000",
        );
    let user = Scheme::from_toml_str(&text).unwrap();
    let mut cat = builtin_catalog();
    cat.add(user).unwrap();
    let s = cat.get("zero-carbon-park-910", None).unwrap();
    assert_eq!(s.version, "2025.2-shenyang");
    let a = AccountInputs {
        energy_tce: dec!(300000),
        scope1_tco2: dec!(57000),
        ..AccountInputs::default()
    };
    let e = evaluate(
        s,
        &Subject {
            scope_id: "P",
            period: "2024",
            accounts: Some(&a),
            data: &[],
        },
    );
    assert_eq!(e.version, "2025.2-shenyang");
    let core = e.indicator("carbon_intensity_of_energy").unwrap();
    assert_eq!(core.threshold, Some(dec!(0.18)));
    assert!(!core.pass, "0.19 > 0.18");
    // The built-in version is still there.
    assert_eq!(
        cat.get("zero-carbon-park-910", Some("2025.1"))
            .unwrap()
            .version,
        "2025.1"
    );
}

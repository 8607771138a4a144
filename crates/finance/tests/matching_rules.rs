//! Matching respects every eligibility rule: one test per rule, each with a passing and a
//! failing case and the reason it names. The project is the common electricity saver:
//! 2,400 MWh a year less in Chongqing, capex 8,000,000 yuan, so
//! - reduction 2,400 x 0.5581 = 1,339.44 tCO2/yr,
//! - energy saved 2,400,000 kWh x 0.1229 kgce/kWh = 294.96 tce/yr,
//! - intensity 1,339.44 x 10,000 / 8,000,000 = 1.6743 tCO2/yr per 10,000 yuan.

mod common;

use common::*;
use rust_decimal_macros::dec;
use zp_domain::{Region, Unit};
use zp_factors::Catalog;
use zp_finance::{
    Match, Product, ProductKind, Project, ProjectKind, Rule, SubsidyTerms, SupportCatalogue,
    evaluate, expected_reduction, products_for_project, projects_for_product,
};

fn loan(id: &str, rules: Vec<Rule>) -> Product {
    Product {
        id: id.into(),
        issuer: "重庆示范银行".into(),
        name: format!("{id} loan"),
        kind: ProductKind::LowInterestLoan,
        annual_rate_pct: Some(dec!(3.2)),
        tenor_months: Some(60),
        max_amount_yuan: None,
        max_share_of_capex: None,
        pledge_value_yuan_per_tco2: None,
        subsidy: None,
        rules,
    }
}

fn run(p: &Project, rule: Rule) -> Match {
    let r = expected_reduction(p, &Catalog::builtin()).unwrap();
    let tags = SupportCatalogue::builtin().tag(p).unwrap();
    let m = evaluate(&loan("P", vec![rule.clone()]), p, &r, &tags);
    assert_eq!(m.checks.len(), 1);
    assert_eq!(m.checks[0].rule, rule.key());
    assert_eq!(m.eligible, m.checks[0].passed);
    m
}

fn pass(p: &Project, rule: Rule) -> String {
    let m = run(p, rule);
    assert!(m.eligible, "{:?}", m.checks);
    m.checks[0].reason.clone()
}

fn fail(p: &Project, rule: Rule) -> String {
    let m = run(p, rule);
    assert!(!m.eligible, "{:?}", m.checks);
    m.checks[0].reason.clone()
}

fn saver() -> Project {
    electricity_saver("ES-1")
}

#[test]
fn region_rule() {
    let cq = Region::parse("CQ").unwrap();
    let sc = Region::parse("SC").unwrap();
    let ok = pass(
        &saver(),
        Rule::Region {
            regions: vec![sc, cq],
        },
    );
    assert!(ok.starts_with("project region CQ is in ["), "{ok}");
    let no = fail(&saver(), Rule::Region { regions: vec![sc] });
    assert!(no.starts_with("project region CQ is not in ["), "{no}");
}

#[test]
fn category_rule_matches_whole_code_segments() {
    let ok = pass(
        &saver(),
        Rule::Category {
            prefixes: vec!["1.1".into()],
        },
    );
    assert_eq!(
        ok,
        "tag 1.1.1 节能降碳产业 / 能效提升 / 工业领域节能改造 is under [1.1]"
    );
    pass(
        &saver(),
        Rule::Category {
            prefixes: vec!["1.1.1".into()],
        },
    );
    let no = fail(
        &saver(),
        Rule::Category {
            prefixes: vec!["4".into()],
        },
    );
    assert_eq!(no, "tags [1.1.1] are not under [4]");
    // "1.1.1" is not under "1.1.10", nor "1.1" under "1.10".
    fail(
        &saver(),
        Rule::Category {
            prefixes: vec!["1.1.10".into(), "1.10".into()],
        },
    );
}

#[test]
fn project_kind_rule() {
    let ok = pass(
        &saver(),
        Rule::ProjectKind {
            kinds: vec![ProjectKind::EnergyEfficiency],
        },
    );
    assert_eq!(
        ok,
        "project kind energy_efficiency is in [energy_efficiency]"
    );
    let no = fail(
        &saver(),
        Rule::ProjectKind {
            kinds: vec![ProjectKind::DistributedPv, ProjectKind::Wind],
        },
    );
    assert_eq!(
        no,
        "project kind energy_efficiency is not in [distributed_pv, wind]"
    );
}

#[test]
fn climate_project_rule() {
    let ok = pass(&saver(), Rule::ClimateProject);
    assert!(
        ok.starts_with("tag 1.1.1 ") && ok.ends_with("meets the climate mitigation criteria"),
        "{ok}"
    );
    // Industrial solid-waste use (3.1) is green but not a climate-mitigation category.
    let mut waste = saver();
    waste.kind = ProjectKind::SolidWasteUtilisation;
    waste.categories = vec!["3.1".into()];
    let no = fail(&waste, Rule::ClimateProject);
    assert_eq!(
        no,
        "no tag meets the climate investment and financing mitigation criteria"
    );
}

#[test]
fn min_annual_reduction_rule() {
    let ok = pass(
        &saver(),
        Rule::MinAnnualReduction {
            tco2: dec!(1339.44),
        },
    );
    assert_eq!(ok, "expected reduction 1339.44 tCO2/yr >= minimum 1339.44");
    let no = fail(
        &saver(),
        Rule::MinAnnualReduction {
            tco2: dec!(1339.45),
        },
    );
    assert_eq!(no, "expected reduction 1339.44 tCO2/yr < minimum 1339.45");
}

#[test]
fn min_energy_saved_rule() {
    let ok = pass(&saver(), Rule::MinEnergySaved { tce: dec!(200) });
    assert_eq!(ok, "energy saved 294.96 tce/yr >= minimum 200");
    let no = fail(&saver(), Rule::MinEnergySaved { tce: dec!(300) });
    assert_eq!(no, "energy saved 294.96 tce/yr < minimum 300");
}

#[test]
fn min_reduction_intensity_rule() {
    let ok = pass(
        &saver(),
        Rule::MinReductionIntensity {
            tco2_per_10k_yuan: dec!(1.6743),
        },
    );
    assert_eq!(ok, "1.67 tCO2/yr per 10,000 yuan of capex >= minimum 1.67");
    let no = fail(
        &saver(),
        Rule::MinReductionIntensity {
            tco2_per_10k_yuan: dec!(1.6744),
        },
    );
    assert!(no.contains("< minimum"), "{no}");
}

#[test]
fn capex_range_rule_is_inclusive() {
    let ok = pass(
        &saver(),
        Rule::CapexRange {
            min_yuan: Some(dec!(8000000)),
            max_yuan: Some(dec!(8000000)),
        },
    );
    assert_eq!(ok, "capex 8000000 yuan is within [8000000, 8000000]");
    let no = fail(
        &saver(),
        Rule::CapexRange {
            min_yuan: None,
            max_yuan: Some(dec!(5000000)),
        },
    );
    assert_eq!(no, "capex 8000000 yuan is outside [-, 5000000]");
    fail(
        &saver(),
        Rule::CapexRange {
            min_yuan: Some(dec!(8000000.01)),
            max_yuan: None,
        },
    );
}

#[test]
fn min_quota_pledge_rule() {
    let rule = Rule::MinQuotaPledge { tco2: dec!(10000) };
    let no = fail(&saver(), rule.clone());
    assert_eq!(no, "the enterprise declared no pledgeable allowances");
    let mut p = saver();
    p.pledgeable_quota_tco2 = Some(dec!(9999));
    assert_eq!(
        fail(&p, rule.clone()),
        "only 9999 tCO2 of allowances can be pledged (< 10000)"
    );
    p.pledgeable_quota_tco2 = Some(dec!(10000));
    assert_eq!(
        pass(&p, rule),
        "10000 tCO2 of allowances can be pledged (>= 10000)"
    );
}

#[test]
fn operation_by_rule() {
    let ok = pass(
        &saver(),
        Rule::OperationBy {
            latest: period("2024-01"),
        },
    );
    assert_eq!(ok, "operation starts 2024-01 by the deadline 2024-01");
    let no = fail(
        &saver(),
        Rule::OperationBy {
            latest: period("2023-12"),
        },
    );
    assert_eq!(no, "operation starts 2024-01 after the deadline 2023-12");
}

#[test]
fn one_failing_rule_makes_the_product_ineligible_and_is_named() {
    let p = saver();
    let r = expected_reduction(&p, &Catalog::builtin()).unwrap();
    let tags = SupportCatalogue::builtin().tag(&p).unwrap();
    let product = loan(
        "MIX",
        vec![
            Rule::ClimateProject,
            Rule::MinAnnualReduction { tco2: dec!(5000) },
            Rule::Category {
                prefixes: vec!["1".into()],
            },
        ],
    );
    let m = evaluate(&product, &p, &r, &tags);
    assert!(!m.eligible);
    let failed: Vec<&str> = m
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.rule.as_str())
        .collect();
    assert_eq!(failed, ["min_annual_reduction"]);
}

#[test]
fn offers_respect_shares_caps_and_reduction_pricing() {
    let p = saver();
    let r = expected_reduction(&p, &Catalog::builtin()).unwrap();
    let tags = SupportCatalogue::builtin().tag(&p).unwrap();
    let mut grant = loan("GRANT", vec![]);
    grant.kind = ProductKind::Subsidy;
    grant.annual_rate_pct = None;
    grant.tenor_months = None;
    // 10 % of 8,000,000 = 800,000, capped at 500,000, and 300 yuan x 1,339.44 t = 401,832.
    grant.subsidy = Some(SubsidyTerms {
        share_of_capex: dec!(0.1),
        cap_yuan: dec!(500000),
        yuan_per_annual_tco2: Some(dec!(300)),
    });
    let mut big = loan("BIG", vec![]);
    big.max_share_of_capex = Some(dec!(0.7)); // 5,600,000
    big.max_amount_yuan = Some(dec!(5000000));
    let mut cheap = loan("CHEAP", vec![]);
    cheap.annual_rate_pct = Some(dec!(2.5));
    let picky = loan(
        "PICKY",
        vec![Rule::MinAnnualReduction { tco2: dec!(100000) }],
    );
    let ranked = products_for_project(&p, &r, &tags, &[picky, big, grant, cheap]);
    let ids: Vec<&str> = ranked.iter().map(|m| m.product_id.as_str()).collect();
    // Eligible first; grants before repaid money; then the lowest rate.
    assert_eq!(ids, ["GRANT", "CHEAP", "BIG", "PICKY"]);
    assert_eq!(ranked[0].offer_yuan, dec!(401832.00));
    assert_eq!(ranked[1].offer_yuan, dec!(8000000));
    assert_eq!(ranked[2].offer_yuan, dec!(5000000));
    assert!(!ranked[3].eligible);
}

#[test]
fn projects_rank_by_reduction_per_yuan_for_a_product() {
    let cat = Catalog::builtin();
    let sc = SupportCatalogue::builtin();
    let entry = |p: Project| {
        let r = expected_reduction(&p, &cat).unwrap();
        let t = sc.tag(&p).unwrap();
        (p, r, t)
    };
    let a = electricity_saver("A"); // 1.6743 t per 10,000 yuan
    let mut b = electricity_saver("B");
    b.capex_yuan = dec!(4000000); // 3.3486
    let mut c = electricity_saver("C");
    c.region = Region::parse("SC").unwrap();
    c.project = vec![annual(
        zp_domain::Carrier::Electricity,
        dec!(6000),
        Unit::Mwh,
    )];
    let product = loan(
        "CQ-ONLY",
        vec![Rule::Region {
            regions: vec![Region::parse("CQ").unwrap()],
        }],
    );
    let ranked = projects_for_product(&product, &[entry(a), entry(b), entry(c)]);
    let ids: Vec<(&str, bool)> = ranked
        .iter()
        .map(|m| (m.project_id.as_str(), m.eligible))
        .collect();
    assert_eq!(ids, [("B", true), ("A", true), ("C", false)]);
}

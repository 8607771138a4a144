//! Benchmark and footprint worked by hand on a small park (year 2023, Chongqing grid factor
//! 0.5581 tCO2/MWh, electricity 0.1229 kgce/kWh, clinker process 0.535 tCO2/t):
//!
//! | enterprise | park | production | ledger | energy | clinker kgce/t |
//! |---|---|---|---|---|---|
//! | A 甲水泥 | 甲园区 | clinker 1,500 + 1,500 t, cement 1,000 t | 2,000 MWh, clinker 3,000 t | 245.8 tce | 184.35 / 3,000 = 61.45 |
//! | B 乙水泥 | 甲园区 | clinker 1,000 t | 1,000 MWh | 122.9 tce | 122.9 |
//! | C 丙水泥 | 甲园区 | clinker 2,000 t | 500 MWh | 61.45 tce | 30.725 |
//! | D 丁水泥 | 乙园区 | clinker 1,000 t | 800 MWh | 98.32 tce | 98.32 |
//!
//! A's energy by output mass: clinker 245.8 x 3/4 = 184.35 tce, cement 61.45 tce (61.45
//! kgce/t). TEST levels (not the standard's values): clinker 50 / 61.45 / 100, cement
//! 40 / 50 / 60.

use rust_decimal_macros::dec;
use std::path::Path;
use zp_app::benchmark::benchmark_report;
use zp_app::evaluate::{EvaluationKind, EvaluationScope, SchemeChoice};
use zp_app::footprint::footprint_report;
use zp_app::{AppError, Caller, ImportKind, Limits};
use zp_domain::CreditCode;
use zp_store::{Access, Store};

mod common;
use common::{import, write};

const A: &str = "91500112MA60CEM01B";
const B: &str = "91500112MA60CEM02B";
const C: &str = "91500112MA60CEM03B";
const D: &str = "91500112MA60CEM04B";

fn code(s: &str) -> CreditCode {
    CreditCode::complete(&s[..17]).unwrap()
}

const LIMITS: &str = "standard,product,unit,level1,level2,level3,source\n\
    GB 16780-2021,水泥熟料,kgce/t,50,61.45,100,TEST values (not the standard's)\n\
    GB 16780-2021,25232900,kgce/t,40,50,60,TEST values (not the standard's)\n";

fn setup(dir: &Path) -> Box<dyn Store> {
    let mut store: Box<dyn Store> = Box::new(zp_store::open_sqlite(&dir.join("t.db")).unwrap());
    let (a, b, c, d) = (code(A), code(B), code(C), code(D));
    let orgs = write(
        dir,
        "orgs.csv",
        &format!(
            "credit_code,name,region,park,industry\n\
             {a},甲水泥,CQ,甲园区,3011\n{b},乙水泥,CQ,甲园区,3011\n\
             {c},丙水泥,CQ,甲园区,3011\n{d},丁水泥,CQ,乙园区,3011\n"
        ),
    );
    import(store.as_mut(), ImportKind::Orgs, &orgs);
    let ledger = write(
        dir,
        "a.csv",
        &format!(
            "credit_code,period,carrier,quantity,unit\n\
             {a},2023-01,electricity,2000,MWh\n{a},2023-01,cement_clinker,3000,t\n\
             {b},2023-01,electricity,1000,MWh\n{c},2023-01,electricity,500,MWh\n\
             {d},2023-01,electricity,800,MWh\n"
        ),
    );
    import(store.as_mut(), ImportKind::Activity, &ledger);
    let production = write(
        dir,
        "p.csv",
        &format!(
            "credit_code,period,product,cn_code,quantity_t\n\
             {a},2023-01,水泥熟料,25231000,1500\n{a},2023-02,水泥熟料,25231000,1500\n\
             {a},2023-01,水泥,25232900,1000\n{b},2023-01,水泥熟料,25231000,1000\n\
             {c},2023-01,水泥熟料,25231000,2000\n{d},2023-01,熟料,25231000,1000\n"
        ),
    );
    let o = import(store.as_mut(), ImportKind::Production, &production);
    assert_eq!(o.counts.accepted, 6, "{:?}", o.rejected);
    store
}

#[test]
fn benchmark_by_hand_with_levels_and_peers() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = setup(dir.path());
    let limits = write(dir.path(), "l.csv", LIMITS);
    import(store.as_mut(), ImportKind::EnergyLimits, &limits);
    let op = Caller::operator("test");
    let r = benchmark_report(store.as_mut(), &op, &code(A), 2023).unwrap();
    assert_eq!(r.energy_tce, dec!(245.8));
    assert_eq!(serde_json::to_value(r.allocation).unwrap(), "mass_share");
    let clinker = r.products.iter().find(|p| p.product == "水泥熟料").unwrap();
    assert_eq!(clinker.output_t, dec!(3000));
    assert_eq!(clinker.energy_tce, dec!(184.35));
    assert_eq!(clinker.intensity_kgce_per_t, Some(dec!(61.45)));
    // Exactly at level 2: within it.
    assert_eq!(clinker.level.as_deref(), Some("2"));
    assert_eq!(clinker.within_level2, Some(true));
    let s = clinker.standard.as_ref().unwrap();
    assert_eq!(s.standard, "GB 16780-2021");
    assert_eq!(s.title.as_deref(), Some("水泥单位产品能源消耗限额"));
    assert!(s.source.starts_with("TEST"));
    // Cement (matched by its CN code): 61.45 > 60, above the limit.
    let cement = r.products.iter().find(|p| p.product == "水泥").unwrap();
    assert_eq!(cement.energy_tce, dec!(61.45));
    assert_eq!(cement.level.as_deref(), Some("above_limit"));
    assert_eq!(cement.within_level2, Some(false));

    // Park peers (A 61.45, B 122.9, C 30.725): median 61.45, A second.
    let park = clinker.peers_park.as_ref().unwrap();
    assert_eq!((park.stats.count, park.stats.rank), (3, 2));
    assert_eq!(park.stats.min_kgce_per_t, dec!(30.725));
    assert_eq!(park.stats.median_kgce_per_t, dec!(61.45));
    assert_eq!(park.stats.max_kgce_per_t, dec!(122.9));
    // Region adds D (98.32, product named 熟料, same CN code): median (61.45 + 98.32) / 2.
    let region = clinker.peers_region.as_ref().unwrap();
    assert_eq!((region.stats.count, region.stats.rank), (4, 2));
    assert_eq!(region.stats.median_kgce_per_t, dec!(79.885));
    // The platform operator sees who the peers are.
    let names: Vec<&str> = park
        .enterprises
        .as_ref()
        .unwrap()
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"乙水泥") && names.contains(&"丙水泥"));
    // Cement: nobody else makes it.
    assert_eq!(cement.peers_region.as_ref().unwrap().stats.count, 1);
    assert!(!r.factor_ids.is_empty());
    assert_eq!(r.factor_sets[0], zp_app::BUILTIN_SET);
}

#[test]
fn a_scoped_caller_sees_peers_anonymised() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = setup(dir.path());
    let me = Caller::new(Access::Org(code(A)), "user:a");
    let r = benchmark_report(store.as_mut(), &me, &code(A), 2023).unwrap();
    let clinker = r.products.iter().find(|p| p.product == "水泥熟料").unwrap();
    assert_eq!(clinker.peers_region.as_ref().unwrap().stats.count, 4);
    assert!(clinker.peers_park.as_ref().unwrap().enterprises.is_none());
    let json = serde_json::to_string(&r).unwrap();
    for other in [B, C, D] {
        assert!(!json.contains(code(other).as_str()), "{json}");
    }
    for name in ["乙水泥", "丙水泥", "丁水泥"] {
        assert!(!json.contains(name), "{json}");
    }
    // Without a standard: no level, a note says how to import one.
    assert!(clinker.level.is_none());
    assert!(r.notes.iter().any(|n| n.contains("import energy-limits")));
    // Another enterprise's report is not visible to A.
    assert!(matches!(
        benchmark_report(store.as_mut(), &me, &code(B), 2023),
        Err(AppError::NotFound(_))
    ));
}

#[test]
fn no_production_records_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = setup(dir.path());
    let op = Caller::operator("test");
    match benchmark_report(store.as_mut(), &op, &code(A), 2022) {
        Err(AppError::Invalid(m)) => assert!(m.contains("no production records for 2022"), "{m}"),
        other => panic!("{other:?}"),
    }
}

/// The parts of an evaluated indicator the tests read.
#[derive(Debug)]
struct Indicator {
    value: Option<rust_decimal::Decimal>,
    evidence: Option<String>,
    note: Option<String>,
}

fn within_level2(store: &mut dyn Store, scope: EvaluationScope) -> Indicator {
    let r = zp_app::evaluate::evaluate(
        store,
        &Access::All,
        EvaluationKind::ZeroCarbonPark,
        &scope,
        2023,
        &SchemeChoice::default(),
        None,
        "test",
    )
    .unwrap();
    let i = r
        .evaluation
        .indicator("product_energy_within_level2")
        .unwrap();
    Indicator {
        value: i.value,
        evidence: i.evidence.clone(),
        note: i.note.clone(),
    }
}

#[test]
fn evaluations_derive_product_energy_within_level2() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = setup(dir.path());
    // No standard imported: nothing can be benchmarked, the figure stays missing.
    let i = within_level2(store.as_mut(), EvaluationScope::Org(code(A)));
    assert_eq!(i.value, None);

    let limits = write(dir.path(), "l.csv", LIMITS);
    import(store.as_mut(), ImportKind::EnergyLimits, &limits);
    // A: clinker within level 2, cement above the limit: 0, both named.
    let i = within_level2(store.as_mut(), EvaluationScope::Org(code(A)));
    assert_eq!(i.value, Some(dec!(0)));
    let evidence = i.evidence.unwrap();
    assert!(
        evidence.contains("水泥熟料 61.45 kgce/t level 2"),
        "{evidence}"
    );
    assert!(
        evidence.contains("水泥 61.45 kgce/t level above_limit"),
        "{evidence}"
    );
    assert!(i.note.unwrap().contains("derived from the benchmark"));
    // C: 30.725 kgce/t, level 1: 1.
    let i = within_level2(store.as_mut(), EvaluationScope::Org(code(C)));
    assert_eq!(i.value, Some(dec!(1)));
    // The park 甲园区: A's cement is above: 0.
    let i = within_level2(store.as_mut(), EvaluationScope::Park("甲园区".into()));
    assert_eq!(i.value, Some(dec!(0)));

    // An imported figure takes precedence.
    let f = write(
        dir.path(),
        "ind.csv",
        &format!(
            "scope_id,indicator,period,value,unit,evidence\n\
             {},product_energy_within_level2,2023,1,bool,能源审计报告 2023\n",
            code(A)
        ),
    );
    import(store.as_mut(), ImportKind::Indicators, &f);
    let i = within_level2(store.as_mut(), EvaluationScope::Org(code(A)));
    assert_eq!(i.value, Some(dec!(1)));
    assert!(i.note.is_none(), "{:?}", i.note);
}

#[test]
fn energy_limits_import_quarantines_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = setup(dir.path());
    let f = write(
        dir.path(),
        "l.csv",
        "standard,product,unit,level1,level2,level3,source\n\
         GB 16780-2021,水泥熟料,kgce/t,50,61.45,100,TEST\n\
         GB 16780-2021,水泥,kgce/t,60,50,40,TEST\n\
         GB 16780-2021,矿渣,kgce/t,1,2,3,\n\
         GB 16780-2021,石膏,kWh/t,1,2,3,TEST\n\
         GB 16780-2021,水泥熟料,kgce/t,50,61.45,100,TEST\n",
    );
    let o = import(store.as_mut(), ImportKind::EnergyLimits, &f);
    // read = accepted + quarantined; the verbatim repeat is a duplicate.
    assert_eq!(
        (
            o.counts.read,
            o.counts.accepted,
            o.counts.quarantined,
            o.counts.duplicates
        ),
        (5, 2, 3, 1)
    );
    let reasons: Vec<(i64, &str)> = o
        .rejected
        .iter()
        .map(|r| (r.row, r.field.as_str()))
        .collect();
    assert_eq!(reasons, vec![(3, "level1"), (4, "source"), (5, "unit")]);
    assert!(o.rejected[0].reason.contains("level1 <= level2 <= level3"));
    let again = import(store.as_mut(), ImportKind::EnergyLimits, &f);
    assert_eq!((again.counts.accepted, again.counts.duplicates), (2, 2));
    assert_eq!(store.energy_limits().unwrap().len(), 1);
    // Reference data: a scoped caller may not import it.
    let me = Caller::new(Access::Org(code(A)), "user:a");
    assert!(
        zp_app::import_file(
            store.as_mut(),
            &me,
            ImportKind::EnergyLimits,
            &f,
            Limits::default(),
            None
        )
        .is_err()
    );
}

#[test]
fn footprint_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = setup(dir.path());
    let m = write(
        dir.path(),
        "m.csv",
        &format!(
            "credit_code,year,product,material,quantity,unit,kgco2e_per_unit,source\n\
             {a},2023,水泥熟料,石灰石,4500,t,6,TEST factor\n\
             {a},2023,水泥熟料,砂岩,10,t,-1,TEST factor\n\
             {a},2023,水泥,石膏,50,t,1,\n",
            a = code(A)
        ),
    );
    let o = import(store.as_mut(), ImportKind::Materials, &m);
    assert_eq!(
        (o.counts.read, o.counts.accepted, o.counts.quarantined),
        (3, 1, 2)
    );
    let op = Caller::operator("test");
    let r = footprint_report(store.as_mut(), &op, &code(A), "水泥熟料", 2023, false).unwrap();
    // A's year: Scope 1 = clinker 3,000 t x 0.535 = 1,605 tCO2; Scope 2 = 2,000 MWh x
    // 0.5581 = 1,116.2 tCO2. Clinker is 3,000 of 4,000 t: 3/4 of each.
    assert_eq!(r.enterprise_scope1_tco2, dec!(1605));
    assert_eq!(r.enterprise_scope2_location_tco2, dec!(1116.2));
    // raw materials: 4,500 t x 6 kgCO2e/t / 1000 = 27 tCO2e -> 27,000 / 3,000 = 9 kgCO2e/t
    // direct: 1,605 x 3/4 = 1,203.75 tCO2e -> 401.25 kgCO2e/t
    // purchased electricity: 1,116.2 x 3/4 = 837.15 tCO2e -> 279.05 kgCO2e/t
    // total 2,067.9 tCO2e -> 689.3 kgCO2e/t
    let stages: Vec<(&str, rust_decimal::Decimal, rust_decimal::Decimal)> = r
        .footprint
        .stages
        .iter()
        .map(|s| (s.stage, s.emissions_tco2e, s.kgco2e_per_t))
        .collect();
    assert_eq!(
        stages,
        vec![
            ("raw_materials", dec!(27), dec!(9)),
            ("energy_process_direct", dec!(1203.75), dec!(401.25)),
            ("purchased_electricity_heat", dec!(837.15), dec!(279.05)),
        ]
    );
    assert_eq!(r.footprint.total_tco2e, dec!(2067.9));
    assert_eq!(r.footprint.total_kgco2e_per_t, dec!(689.3));
    assert_eq!(r.footprint.materials[0].input.source, "TEST factor");
    assert!(r.notes.iter().any(|n| n.contains("CBAM")));
    assert!(
        r.factor_ids
            .iter()
            .any(|f| f.contains("CQ") || f.contains("cq")),
        "{:?}",
        r.factor_ids
    );

    // A product the enterprise did not make: refused, naming what it made.
    match footprint_report(store.as_mut(), &op, &code(A), "钢材", 2023, false) {
        Err(AppError::Invalid(m)) => {
            assert!(m.contains("no production records of \"钢材\""), "{m}");
            assert!(m.contains("水泥熟料 (25231000)"), "{m}");
        }
        other => panic!("{other:?}"),
    }
}

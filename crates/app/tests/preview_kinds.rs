//! Every import kind is previewed before it is stored (issue 14, "uploads never overwrite
//! silently"): the preview's counts and quarantined rows are those the import reports
//! afterwards, its restatements name old -> new, and the preview stores nothing (the
//! store's data version, its imports and, for readings, a second import all say so).
//!
//! Each test imports a first file, then previews and imports a second one holding a new
//! row, a row equal to a stored one, a row that restates one and a bad row. On SQLite,
//! and on PostgreSQL when a server is available (see the store suites' `common`).

use std::path::Path;
use zp_app::{Caller, ImportKind, ImportPreview, Limits, read_table};
use zp_store::Store;

mod common;
use common::{import, write};

#[path = "../../store/tests/common/mod.rs"]
#[allow(dead_code, unused_macros)]
mod backends;

/// A registered enterprise and a second one, in one park.
const A: &str = "91500112MA60CEM01B";
const B: &str = "91500105MA5YRE01BU";
/// Not registered before the orgs test's second file.
const C: &str = "91500112MA60DAT04U";

/// Runs `test` on a SQLite store and, when a server is available, a PostgreSQL one, with
/// the two enterprises registered.
fn each_backend(prefix: &str, test: fn(&mut dyn Store, &Path)) {
    let dir = tempfile::tempdir().unwrap();
    let mut sqlite: Box<dyn Store> =
        Box::new(zp_store::open_sqlite(&dir.path().join("t.db")).unwrap());
    setup(sqlite.as_mut(), dir.path());
    test(sqlite.as_mut(), dir.path());
    if let Some(mut pg) = backends::postgres(prefix) {
        let dir = tempfile::tempdir().unwrap();
        setup(pg.as_mut(), dir.path());
        test(pg.as_mut(), dir.path());
    }
}

fn setup(store: &mut dyn Store, dir: &Path) {
    let orgs = write(
        dir,
        "orgs.csv",
        &format!(
            "credit_code,name,region,park,industry\n{A},甲水泥,CQ,甲园区,3011\n{B},乙电子,CQ,甲园区,3971\n"
        ),
    );
    import(store, ImportKind::Orgs, &orgs);
}

fn op() -> Caller {
    Caller::operator("test")
}

/// What the store holds, as far as a preview could change it: its data version (raised by
/// every audited change) and its recorded imports.
fn state(store: &mut dyn Store) -> (i64, usize) {
    (
        store.data_version().unwrap(),
        store.batches(10_000).unwrap().len(),
    )
}

/// Previews `file` as `kind`, checks it stored nothing, imports it and checks the import
/// reported the preview's counts and quarantined rows. Returns the preview.
fn preview_then_import(
    store: &mut dyn Store,
    kind: ImportKind,
    file: &Path,
    set: Option<&str>,
) -> ImportPreview {
    let table = read_table(file, Limits::default()).unwrap();
    let before = state(store);
    let p = zp_app::preview_table(store, &op(), kind, &table, set).unwrap();
    assert!(p.dry_run);
    assert_eq!(state(store), before, "{kind:?}: a preview stores nothing");
    let done = zp_app::import_table(store, &op(), kind, &table, set).unwrap();
    assert_eq!(
        p.counts, done.counts,
        "{kind:?}: preview and import count alike"
    );
    assert_eq!(
        p.rejected, done.rejected,
        "{kind:?}: the same rows quarantined"
    );
    assert_eq!(
        p.counts.restated,
        p.changes.len(),
        "{kind:?}: one change a restatement"
    );
    p
}

/// (read, accepted, quarantined, duplicates, restated).
fn counts(p: &ImportPreview) -> (usize, usize, usize, usize, usize) {
    let c = p.counts;
    (c.read, c.accepted, c.quarantined, c.duplicates, c.restated)
}

#[test]
fn an_orgs_preview_counts_as_its_import_and_stores_nothing() {
    each_backend("zp_preview_orgs", |store, dir| {
        // A unchanged, B renamed, C new, a bad credit code.
        let f = write(
            dir,
            "orgs2.csv",
            &format!(
                "credit_code,name,region,park,industry\n{A},甲水泥,CQ,甲园区,3011\n{B},乙电子科技,CQ,甲园区,3971\n{C},丙数据,CQ,甲园区,6450\n915001,坏,CQ,甲园区,3011\n"
            ),
        );
        let p = preview_then_import(store, ImportKind::Orgs, &f, None);
        assert_eq!(counts(&p), (4, 3, 1, 1, 1));
        let c = &p.changes[0];
        assert_eq!(
            (c.credit_code.as_str(), c.old.as_str(), c.new.as_str()),
            (B, "name: 乙电子", "name: 乙电子科技")
        );
        assert!(!c.numeric);
    });
}

#[test]
fn a_meters_preview_counts_as_its_import_and_stores_nothing() {
    each_backend("zp_preview_meters", |store, dir| {
        let first = write(
            dir,
            "m1.csv",
            &format!(
                "meter,credit_code,kind,source,site\nM1,{A},consumption,,\nM2,{A},consumption,,一厂\n"
            ),
        );
        import(store, ImportKind::Meters, &first);
        // M1 unchanged, M2 moved to another site, M3 new, a kind that is none.
        let f = write(
            dir,
            "m2.csv",
            &format!(
                "meter,credit_code,kind,source,site\nM1,{A},consumption,,\nM2,{A},consumption,,二厂\nM3,{B},generation,solar,\nM4,{B},steam,,\n"
            ),
        );
        let p = preview_then_import(store, ImportKind::Meters, &f, None);
        assert_eq!(counts(&p), (4, 3, 1, 1, 1));
        let c = &p.changes[0];
        assert_eq!(
            (c.item.as_str(), c.old.as_str(), c.new.as_str()),
            ("M2", "site: 一厂", "site: 二厂")
        );
    });
}

#[test]
fn a_grid_hourly_preview_counts_as_its_import_and_stores_nothing() {
    each_backend("zp_preview_grid", |store, dir| {
        let first = write(
            dir,
            "g1.csv",
            "region,ts,tco2_per_mwh\nCQ,2023-07-10T10:00:00+08:00,0.5\nCQ,2023-07-10T11:00:00+08:00,0.4\n",
        );
        import(store, ImportKind::GridHourly, &first);
        let f = write(
            dir,
            "g2.csv",
            "region,ts,tco2_per_mwh\nCQ,2023-07-10T10:00:00+08:00,0.5\nCQ,2023-07-10T11:00:00+08:00,0.2\nCQ,2023-07-10T12:00:00+08:00,0.3\nCQ,2023-07-10T13:00:00+08:00,much\n",
        );
        let p = preview_then_import(store, ImportKind::GridHourly, &f, None);
        assert_eq!(counts(&p), (4, 3, 1, 1, 1));
        let c = &p.changes[0];
        assert_eq!(
            (
                c.item.as_str(),
                c.period.as_str(),
                c.old.as_str(),
                c.new.as_str()
            ),
            (
                "CQ",
                "2023-07-10T11:00:00+08:00",
                "0.4 tCO2/MWh",
                "0.2 tCO2/MWh"
            )
        );
        assert_eq!(c.change_pct, Some("-50".parse().unwrap()));
    });
}

#[test]
fn an_indicators_preview_counts_as_its_import_and_stores_nothing() {
    each_backend("zp_preview_indicators", |store, dir| {
        let head = "scope_id,indicator,period,value,unit,evidence\n";
        let first = write(
            dir,
            "i1.csv",
            &format!(
                "{head}甲园区,water_reuse,2024,80,%,水平衡测试.pdf\n甲园区,waste_heat_use,2024,0.5,fraction,余热.pdf\n"
            ),
        );
        import(store, ImportKind::Indicators, &first);
        let f = write(
            dir,
            "i2.csv",
            &format!(
                "{head}甲园区,water_reuse,2024,80,%,水平衡测试.pdf\n甲园区,waste_heat_use,2024,0.6,fraction,余热.pdf\n甲园区,solid_waste_utilisation,2024,82,%,固废台账.xlsx\n没有的园区,water_reuse,2024,80,%,x.pdf\n"
            ),
        );
        let p = preview_then_import(store, ImportKind::Indicators, &f, None);
        assert_eq!(counts(&p), (4, 3, 1, 1, 1));
        let c = &p.changes[0];
        assert_eq!(c.item, "甲园区: waste_heat_use");
        assert_eq!(c.change_pct, Some("20".parse().unwrap()));
    });
}

/// An enterprise may write its park's indicator values but not read them: its preview
/// counts the restatement as the import will, without showing the park's current value.
#[test]
fn an_indicators_preview_shows_no_value_the_caller_may_not_read() {
    each_backend("zp_preview_indicators_scoped", |store, dir| {
        let head = "scope_id,indicator,period,value,unit,evidence\n";
        let first = write(
            dir,
            "i1.csv",
            &format!("{head}甲园区,water_reuse,2024,80,%,水平衡测试.pdf\n"),
        );
        import(store, ImportKind::Indicators, &first);
        let f = write(
            dir,
            "i2.csv",
            &format!("{head}甲园区,water_reuse,2024,85,%,水平衡测试.pdf\n"),
        );
        let table = read_table(&f, Limits::default()).unwrap();
        let code = zp_domain::CreditCode::parse(A).unwrap();
        let enterprise = Caller::new(zp_store::Access::Org(code), "ent");
        let before = state(store);
        let p = zp_app::preview_table(store, &enterprise, ImportKind::Indicators, &table, None)
            .unwrap();
        assert_eq!(state(store), before);
        let done =
            zp_app::import_table(store, &enterprise, ImportKind::Indicators, &table, None).unwrap();
        assert_eq!(p.counts, done.counts);
        assert_eq!(counts(&p), (1, 1, 0, 0, 1));
        assert_eq!(p.changes[0].old, "a value you may not read");
        assert_eq!(p.changes[0].change_pct, None);
    });
}

#[test]
fn a_production_preview_counts_as_its_import_and_stores_nothing() {
    each_backend("zp_preview_production", |store, dir| {
        let head = "credit_code,period,product,cn_code,quantity_t\n";
        let first = write(
            dir,
            "p1.csv",
            &format!(
                "{head}{A},2023-01,水泥熟料,25231000,1500\n{A},2023-02,水泥熟料,25231000,1500\n"
            ),
        );
        import(store, ImportKind::Production, &first);
        // January again, February restated, March new twice (a verbatim repeat), a
        // negative quantity.
        let f = write(
            dir,
            "p2.csv",
            &format!(
                "{head}{A},2023-01,水泥熟料,25231000,1500\n{A},2023-02,水泥熟料,25231000,1200\n{A},2023-03,水泥熟料,25231000,1400\n{A},2023-03,水泥熟料,25231000,1400\n{A},2023-04,水泥熟料,25231000,-1\n"
            ),
        );
        let p = preview_then_import(store, ImportKind::Production, &f, None);
        assert_eq!(counts(&p), (5, 4, 1, 2, 1));
        let c = &p.changes[0];
        assert_eq!(
            (c.period.as_str(), c.old.as_str(), c.new.as_str()),
            ("2023-02", "水泥熟料 1500 t", "水泥熟料 1200 t")
        );
        assert_eq!(c.change_pct, Some("-20".parse().unwrap()));
    });
}

#[test]
fn a_materials_preview_counts_as_its_import_and_stores_nothing() {
    each_backend("zp_preview_materials", |store, dir| {
        let head = "credit_code,year,product,material,quantity,unit,kgco2e_per_unit,source\n";
        let first = write(
            dir,
            "mat1.csv",
            &format!(
                "{head}{A},2023,水泥熟料,石灰石,4500,t,6,TEST\n{A},2023,水泥熟料,砂岩,10,t,2,TEST\n"
            ),
        );
        import(store, ImportKind::Materials, &first);
        let f = write(
            dir,
            "mat2.csv",
            &format!(
                "{head}{A},2023,水泥熟料,石灰石,4500,t,6,TEST\n{A},2023,水泥熟料,砂岩,10,t,3,TEST\n{A},2023,水泥熟料,石膏,50,t,1,TEST\n{A},2023,水泥熟料,铁粉,5,t,1,\n"
            ),
        );
        let p = preview_then_import(store, ImportKind::Materials, &f, None);
        assert_eq!(counts(&p), (4, 3, 1, 1, 1));
        let c = &p.changes[0];
        assert_eq!(c.item, "水泥熟料 / 砂岩");
        // 10 t x 2 -> 10 t x 3 kgCO2e/t: +50 %.
        assert_eq!(c.change_pct, Some("50".parse().unwrap()));
    });
}

#[test]
fn an_energy_limits_preview_counts_as_its_import_and_stores_nothing() {
    each_backend("zp_preview_limits", |store, dir| {
        let head = "standard,product,unit,level1,level2,level3,source\n";
        let first = write(
            dir,
            "l1.csv",
            &format!(
                "{head}GB 16780-2021,水泥熟料,kgce/t,50,61.45,100,TEST\nGB 16780-2021,水泥,kgce/t,40,50,60,TEST\n"
            ),
        );
        import(store, ImportKind::EnergyLimits, &first);
        let f = write(
            dir,
            "l2.csv",
            &format!(
                "{head}GB 16780-2021,水泥熟料,kgce/t,50,61.45,100,TEST\nGB 16780-2021,水泥,kgce/t,40,55,60,TEST\nGB 21256-2013,粗钢,kgce/t,1,2,3,TEST\nGB 16780-2021,矿渣,kgce/t,3,2,1,TEST\n"
            ),
        );
        let p = preview_then_import(store, ImportKind::EnergyLimits, &f, None);
        assert_eq!(counts(&p), (4, 3, 1, 1, 1));
        let c = &p.changes[0];
        assert_eq!(
            (c.item.as_str(), c.old.as_str(), c.new.as_str()),
            ("GB 16780-2021 / 水泥", "level2: 50", "level2: 55")
        );
    });
}

#[test]
fn a_factor_set_preview_counts_as_its_import_and_stores_nothing() {
    each_backend("zp_preview_factors", |store, _| {
        let file = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/data/factors_revision.csv"
        ));
        let p = preview_then_import(store, ImportKind::Factors, file, Some("rev-1"));
        assert_eq!(counts(&p), (1, 1, 0, 0, 0));
        // The same file under the same name again: every row a duplicate.
        let p = preview_then_import(store, ImportKind::Factors, file, Some("rev-1"));
        assert_eq!(counts(&p), (1, 1, 0, 1, 0));
    });
}

#[test]
fn a_factor_set_the_import_refuses_is_refused_by_its_preview_too() {
    each_backend("zp_preview_factors_refused", |store, dir| {
        let file = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/data/factors_revision.csv"
        ));
        import_set(store, file, "rev-1");
        // Other content under a published name.
        let other = write(
            dir,
            "other.csv",
            "region,region_zh,year,kind,tco2_per_mwh,published_by,notice\nCQ,重庆,2023,average,0.5500,MEE/NBS,other\n",
        );
        let table = read_table(&other, Limits::default()).unwrap();
        let before = state(store);
        let preview =
            zp_app::preview_table(store, &op(), ImportKind::Factors, &table, Some("rev-1"));
        let import = zp_app::import_table(store, &op(), ImportKind::Factors, &table, Some("rev-1"));
        assert_eq!(
            preview.unwrap_err().to_string(),
            import.unwrap_err().to_string()
        );
        assert_eq!(state(store), before);
    });
}

fn import_set(store: &mut dyn Store, file: &Path, set: &str) {
    let table = read_table(file, Limits::default()).unwrap();
    zp_app::import_table(store, &op(), ImportKind::Factors, &table, Some(set)).unwrap();
}

#[test]
fn an_activity_preview_counts_as_its_import_and_stores_nothing() {
    each_backend("zp_preview_activity", |store, dir| {
        let head = "credit_code,period,carrier,quantity,unit\n";
        let first = write(
            dir,
            "a1.csv",
            &format!(
                "{head}{A},2023-05,electricity,13876,MWh\n{A},2023-06,electricity,12000,MWh\n"
            ),
        );
        import(store, ImportKind::Activity, &first);
        let f = write(
            dir,
            "a2.csv",
            &format!(
                "{head}{A},2023-05,electricity,1200,MWh\n{A},2023-06,electricity,1200,万kWh\n{A},2023-07,electricity,900,MWh\n{A},2023-13,electricity,1,MWh\n"
            ),
        );
        let p = preview_then_import(store, ImportKind::Activity, &f, None);
        assert_eq!(counts(&p), (4, 3, 1, 1, 1));
    });
}

#[test]
fn a_readings_preview_counts_as_its_import_and_stores_nothing() {
    each_backend("zp_preview_readings", |store, dir| {
        let meters = write(
            dir,
            "meters.csv",
            &format!("meter,credit_code,kind,source\nL1,{A},consumption,\n"),
        );
        import(store, ImportKind::Meters, &meters);
        let mut readings = zp_app::readings::ReadingStore::open(&dir.join("readings")).unwrap();
        let head = "meter,ts,kwh\n";
        let first = write(
            dir,
            "r1.csv",
            &format!(
                "{head}L1,2023-07-10T00:00:00+08:00,500\nL1,2023-07-10T00:15:00+08:00,510\nL1,2023-07-11T23:45:00+08:00,600\n"
            ),
        );
        let done = zp_app::readings::import_readings(
            store,
            &mut readings,
            &op(),
            &first,
            "r1.csv",
            None,
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!(done.accepted, 3);
        // 00:00 unchanged, 00:15 restated, 00:30 new, an unregistered meter; the next
        // day's last quarter (a day in Beijing time) restated.
        let f = write(
            dir,
            "r2.csv",
            &format!(
                "{head}L1,2023-07-10T00:00:00+08:00,500\nL1,2023-07-10T00:15:00+08:00,520\nL1,2023-07-10T00:30:00+08:00,530\nNOPE,2023-07-10T00:30:00+08:00,1\nL1,2023-07-11T23:45:00+08:00,840\n"
            ),
        );
        let before = state(store);
        let preview = |store: &mut dyn Store, readings: &mut zp_app::readings::ReadingStore| {
            zp_app::preview_readings(store, readings, &op(), &f, "r2.csv", None).unwrap()
        };
        let p = preview(store, &mut readings);
        assert_eq!(state(store), before, "a readings preview stores nothing");
        // Previewed twice, the same answer: the first staged nothing that stayed.
        assert_eq!(preview(store, &mut readings).counts, p.counts);
        let done = zp_app::readings::import_readings(
            store,
            &mut readings,
            &op(),
            &f,
            "r2.csv",
            None,
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!(p.counts, done.counts());
        assert_eq!(p.rejected, done.rejected);
        assert_eq!(counts(&p), (5, 4, 1, 1, 2));
        assert_eq!(p.readings.as_ref().map(|r| r.meters), Some(1));
        // Each restatement by meter and day, old -> new of the replaced readings only.
        let listed: Vec<_> = p
            .changes
            .iter()
            .map(|c| {
                (
                    c.credit_code.as_str(),
                    c.period.as_str(),
                    c.item.as_str(),
                    c.old.as_str(),
                    c.new.as_str(),
                    c.change_pct.map(|d| d.to_string()),
                    c.numeric,
                )
            })
            .collect();
        assert_eq!(
            listed,
            [
                (
                    A,
                    "2023-07-10",
                    "L1",
                    "510 kWh",
                    "520 kWh",
                    Some("2.0".into()),
                    true
                ),
                (
                    A,
                    "2023-07-11",
                    "L1",
                    "600 kWh",
                    "840 kWh",
                    Some("40.0".into()),
                    true
                ),
            ]
        );
        // Imported, the same file restates nothing more.
        let again = preview(store, &mut readings);
        assert!(again.changes.is_empty(), "{:?}", again.changes);
        assert_eq!(again.counts.restated, 0);
    });
}

#[test]
fn a_tariffs_preview_counts_as_its_import_and_stores_nothing() {
    each_backend("zp_preview_tariffs", |store, dir| {
        let head = "region,category,valid_from,months,start,end,period,yuan_per_kwh\n";
        let first = write(
            dir,
            "t1.csv",
            &format!(
                "{head}CQ,large_industrial,2023-01-01,1-12,00:00,12:00,valley,0.4\nCQ,large_industrial,2023-01-01,1-12,12:00,24:00,high,0.8\n"
            ),
        );
        zp_app::energy::import_tariffs(store, &op(), &first).unwrap();
        // The 2023 version again, with a new price: two band rows restated; a 2024 version new.
        let f = write(
            dir,
            "t2.csv",
            &format!(
                "{head}CQ,large_industrial,2023-01-01,1-12,00:00,12:00,valley,0.4\nCQ,large_industrial,2023-01-01,1-12,12:00,24:00,high,0.9\nCQ,large_industrial,2024-01-01,1-12,00:00,24:00,flat,0.6\n"
            ),
        );
        let before = state(store);
        let p = zp_app::energy::preview_tariffs(store, &op(), &f).unwrap();
        assert_eq!(state(store), before, "a tariffs preview stores nothing");
        let done = zp_app::energy::import_tariffs(store, &op(), &f).unwrap();
        assert_eq!(p.counts, done.counts);
        assert_eq!(counts(&p), (3, 3, 0, 0, 2));
        assert_eq!(p.changes.len(), 1, "one version restated");
        assert_eq!(p.changes[0].item, "CQ large_industrial");
    });
}

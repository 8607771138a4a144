//! One behaviour, two backends: every test here runs against SQLite and PostgreSQL.
//!
//! PostgreSQL comes from `ZEROPARK_TEST_PG_URL` (see `scripts/pg-test.sh`); each test gets a
//! database of its own. Under CI (`CI` set) a missing URL is a failure, not a skip.

use rust_decimal_macros::dec;
use zp_domain::{Carrier, CreditCode, Decimal, Period, Quantity, Region, Unit};
use zp_factors::{Factor, FactorKind, PinnedFactor, Pins};
use zp_store::*;

mod common;
use common::suite;

suite!(
    "zp_test";
    migrations_are_idempotent,
    orgs_insert_update_unchanged_and_audit,
    tenant_access_filters_every_read,
    activity_duplicates_restatements_and_history,
    quarantine_is_not_duplicated_by_reimport,
    factor_sets_are_immutable_and_ordered,
    issued_results_round_trip,
    designations_sites_and_output_value,
    meters_and_hourly_grid_factors,
    certificate_events_are_append_only_by_seq,
    indicator_values_duplicates_restatements_access_and_schemes,
    finance_projects_products_and_tenant_access,
    finance_application_workflow_events_and_views,
    finance_mrv_links_outputs_balance_sheets_and_bank_users,
    data_version_rises_with_every_audited_change_and_only_then,
    alerts_are_recorded_once_scoped_and_delivered_per_webhook,
    a_sqlite_backup_restores_into_either_backend_whole,
);

/// Every table's rows, table by table (order-independent between backends).
fn dump_of(s: &mut dyn Store) -> std::collections::BTreeMap<String, (Vec<String>, Vec<String>)> {
    let mut out = std::collections::BTreeMap::new();
    let mut table = String::new();
    s.dump(&mut |item| {
        match item {
            DumpItem::Table { name, columns } => {
                table = name.clone();
                out.insert(name, (columns, Vec::new()));
            }
            DumpItem::Row(v) => out.get_mut(&table).unwrap().1.push(format!("{v:?}")),
        }
        Ok(())
    })
    .unwrap();
    out
}

fn a_sqlite_backup_restores_into_either_backend_whole(s: &mut dyn Store) {
    let mut src = common::sqlite();
    src.upsert_org(&org(1, "P1", "CQ"), "t").unwrap();
    src.upsert_org(&org(2, "P2", "SC"), "t").unwrap();
    let rows = vec![
        activity(1, 1, Carrier::Electricity, dec!(1200.5), Unit::Mwh, 2),
        activity(1, 2, Carrier::NaturalGas, dec!(100000), Unit::M3, 3),
    ];
    src.import_activity(ImportRows::new(&meta("a.csv"), &rows, &[], 2))
        .unwrap();
    src.add_webhook("http://127.0.0.1:9/a", "t").unwrap();
    src.add_webhook("http://127.0.0.1:9/b", "t").unwrap();
    let before = dump_of(src.as_mut());
    assert!(before["activity"].1.len() == 2 && before["audit_log"].1.len() > 3);

    // Into the backend under test, through the dump's own iterator.
    let mut items = Vec::new();
    src.dump(&mut |i| {
        items.push(i);
        Ok(())
    })
    .unwrap();
    assert_eq!(s.migrations().unwrap(), src.migrations().unwrap());
    let written = s.restore(&mut items.clone().into_iter().map(Ok)).unwrap();
    let activity_rows = written.iter().find(|(t, _)| t == "activity").unwrap().1;
    assert_eq!(activity_rows, 2);
    let after = dump_of(s);
    assert_eq!(after, before);
    // Figures read back through the store are the same.
    assert_eq!(s.activity(&Access::All, &code(1), 2023).unwrap().len(), 2);
    // New ids continue after the restored ones (PostgreSQL's sequences were moved).
    let next = s.add_webhook("http://127.0.0.1:9/c", "t").unwrap();
    assert_eq!(next.id, 3);
    // A store in use is refused, whole.
    let again = s.restore(&mut items.into_iter().map(Ok));
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
}

fn alerts_are_recorded_once_scoped_and_delivered_per_webhook(s: &mut dyn Store) {
    s.upsert_org(&org(1, "P1", "CQ"), "t").unwrap();
    s.upsert_org(&org(2, "P2", "SC"), "t").unwrap();
    let alert = |n: u32, key: &str| NewAlert {
        key: key.into(),
        kind: "meter".into(),
        credit_code: code(n).to_string(),
        subject: "M1".into(),
        day: "2023-07-18".into(),
        message: format!("alert {key}"),
        detail: "{}".into(),
    };
    let first = s
        .record_alerts(
            &[
                alert(1, "meter/M1/2023-07-18"),
                alert(2, "meter/M2/2023-07-18"),
            ],
            "t",
        )
        .unwrap();
    assert_eq!(first.len(), 2);
    // The same alert again is not new; a new key is.
    let again = s
        .record_alerts(
            &[
                alert(1, "meter/M1/2023-07-18"),
                alert(1, "meter/M1/2023-07-19"),
            ],
            "t",
        )
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].alert.key, "meter/M1/2023-07-19");
    assert_eq!(s.alerts(&Access::All, 10).unwrap().len(), 3);
    let mine = s.alerts(&Access::Org(code(1)), 10).unwrap();
    assert_eq!(mine.len(), 2);
    assert!(
        mine.iter()
            .all(|a| a.alert.credit_code == code(1).to_string())
    );
    assert_eq!(mine[0].alert.key, "meter/M1/2023-07-19", "newest first");

    let hook = s.add_webhook("http://127.0.0.1:9/hook", "t").unwrap();
    assert!(matches!(
        s.add_webhook("http://127.0.0.1:9/hook", "t"),
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(s.undelivered(hook.id).unwrap().len(), 3);
    s.mark_delivered(first[0].id, hook.id).unwrap();
    s.mark_delivered(first[0].id, hook.id).unwrap();
    let left = s.undelivered(hook.id).unwrap();
    assert_eq!(left.len(), 2);
    assert!(left.iter().all(|a| a.id != first[0].id));
    assert_eq!(s.webhooks().unwrap(), vec![hook.clone()]);
    assert!(s.remove_webhook(hook.id, "t").unwrap());
    assert!(!s.remove_webhook(hook.id, "t").unwrap());
    assert!(s.webhooks().unwrap().is_empty());
    let audited = s.audit(1000).unwrap();
    assert!(
        audited
            .iter()
            .any(|e| e.entity == "webhook" && e.action == "delete")
    );
    assert_eq!(audited.iter().filter(|e| e.entity == "alert").count(), 3);
}

fn code(n: u32) -> CreditCode {
    CreditCode::complete(&format!("91500105MA5YRE{n:02}B")).unwrap()
}

fn org(n: u32, park: &str, region: &str) -> Org {
    Org {
        credit_code: code(n),
        name: format!("企业{n}"),
        region: Region::parse(region).unwrap(),
        park: Some(park.to_string()),
        industry: "3011".into(),
        attrs: Default::default(),
    }
}

fn meta(file: &str) -> BatchMeta {
    BatchMeta {
        kind: "activity".into(),
        file: file.into(),
        sha256: format!("sha-{file}"),
        actor: "test".into(),
        readings_txn: None,
    }
}

fn activity(
    n: u32,
    month: u32,
    carrier: Carrier,
    value: Decimal,
    unit: Unit,
    row: i64,
) -> NewActivity {
    let q = Quantity::new(value, unit);
    let base = if carrier == Carrier::GreenCertificate {
        Unit::Mwh
    } else {
        carrier.base_unit()
    };
    NewActivity {
        credit_code: code(n),
        site: String::new(),
        period: Period::new(2023, month).unwrap(),
        carrier,
        quantity: q,
        base_quantity: q.value_in(base).unwrap(),
        attrs: Default::default(),
        source_row: row,
    }
}

fn migrations_are_idempotent(s: &mut dyn Store) {
    assert!(
        s.migrate().unwrap().is_empty(),
        "second migrate applies nothing"
    );
}

fn orgs_insert_update_unchanged_and_audit(s: &mut dyn Store) {
    let mut o = org(1, "两江园区", "CQ");
    assert_eq!(s.upsert_org(&o, "alice").unwrap(), Upsert::Inserted);
    assert_eq!(s.upsert_org(&o, "alice").unwrap(), Upsert::Unchanged);
    o.name = "新名字".into();
    o.attrs.insert("联系人".into(), "张三".into());
    assert_eq!(s.upsert_org(&o, "bob").unwrap(), Upsert::Updated);
    let got = s.org(&Access::All, &o.credit_code).unwrap().unwrap();
    assert_eq!(got, o);
    assert_eq!(s.parks(&Access::All).unwrap()[0].name, "两江园区");
    let audit = s.audit(10).unwrap();
    let update = audit
        .iter()
        .find(|a| a.action == "update" && a.entity == "org")
        .unwrap();
    assert_eq!(update.actor, "bob");
    assert!(update.before.as_deref().unwrap().contains("企业1"));
    assert!(update.after.as_deref().unwrap().contains("新名字"));
    assert!(
        audit
            .iter()
            .any(|a| a.action == "create" && a.entity == "park")
    );
}

fn data_version_rises_with_every_audited_change_and_only_then(s: &mut dyn Store) {
    let (v0, a0) = (
        s.data_version().unwrap(),
        s.audit(1000).unwrap().len() as i64,
    );
    let mut o = org(1, "两江园区", "CQ");
    s.upsert_org(&o, "alice").unwrap();
    // A new park and a new enterprise: two audit entries, two steps.
    let (v1, a1) = (
        s.data_version().unwrap(),
        s.audit(1000).unwrap().len() as i64,
    );
    assert_eq!((v1 - v0, a1 - a0), (2, 2));
    // Reads and an unchanged row change nothing.
    s.orgs(&Access::All, &OrgFilter::default()).unwrap();
    assert_eq!(s.upsert_org(&o, "alice").unwrap(), Upsert::Unchanged);
    assert_eq!(s.data_version().unwrap(), v1);
    o.name = "新名字".into();
    s.upsert_org(&o, "bob").unwrap();
    assert_eq!(s.data_version().unwrap(), v1 + 1);
}

fn tenant_access_filters_every_read(s: &mut dyn Store) {
    s.upsert_org(&org(1, "P1", "CQ"), "t").unwrap();
    s.upsert_org(&org(2, "P1", "CQ"), "t").unwrap();
    s.upsert_org(&org(3, "P2", "SC"), "t").unwrap();
    let rows = [
        activity(1, 1, Carrier::Electricity, dec!(5), Unit::Mwh, 2),
        activity(3, 1, Carrier::Electricity, dec!(7), Unit::Mwh, 3),
    ];
    s.import_activity(ImportRows::new(&meta("a.csv"), &rows, &[], 2))
        .unwrap();
    let n = |s: &mut dyn Store, a: Access| s.orgs(&a, &OrgFilter::default()).unwrap().len();
    assert_eq!(n(s, Access::All), 3);
    assert_eq!(n(s, Access::Park("P1".into())), 2);
    assert_eq!(n(s, Access::Region(Region::parse("SC").unwrap())), 1);
    assert_eq!(n(s, Access::Org(code(2))), 1);
    // An enterprise user cannot see another enterprise, its activity or its park.
    let me = Access::Org(code(1));
    assert!(s.org(&me, &code(3)).unwrap().is_none());
    assert!(s.activity(&me, &code(3), 2023).unwrap().is_empty());
    assert_eq!(s.activity(&me, &code(1), 2023).unwrap().len(), 1);
    assert_eq!(
        s.parks(&me)
            .unwrap()
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        vec!["P1"]
    );
    // A park admin cannot reach into another park.
    let p1 = Access::Park("P1".into());
    assert!(s.org(&p1, &code(3)).unwrap().is_none());
    assert!(s.park(&p1, "P2").unwrap().is_none());
    assert!(s.activity_history(&p1, &code(3)).unwrap().is_empty());
}

fn activity_duplicates_restatements_and_history(s: &mut dyn Store) {
    s.upsert_org(&org(1, "P", "CQ"), "t").unwrap();
    let first = [
        activity(1, 1, Carrier::Electricity, dec!(1000), Unit::Mwh, 2),
        activity(1, 1, Carrier::NaturalGas, dec!(10), Unit::WanM3, 3),
    ];
    let c = s
        .import_activity(ImportRows::new(&meta("jan.csv"), &first, &[], 2))
        .unwrap();
    assert_eq!((c.read, c.accepted, c.duplicates, c.restated), (2, 2, 0, 0));
    // Same content again, electricity written in kWh: nothing changes.
    let again = [
        activity(1, 1, Carrier::Electricity, dec!(1000000), Unit::Kwh, 2),
        activity(1, 1, Carrier::NaturalGas, dec!(10), Unit::WanM3, 3),
    ];
    let c = s
        .import_activity(ImportRows::new(&meta("jan-kwh.csv"), &again, &[], 2))
        .unwrap();
    assert_eq!((c.accepted, c.duplicates, c.restated), (2, 2, 0));
    assert_eq!(s.activity(&Access::All, &code(1), 2023).unwrap().len(), 2);
    // A corrected value from another file restates; the old value stays in history.
    let fix = [activity(
        1,
        1,
        Carrier::Electricity,
        dec!(1100),
        Unit::Mwh,
        5,
    )];
    let c = s
        .import_activity(ImportRows::new(&meta("jan-fix.csv"), &fix, &[], 1))
        .unwrap();
    assert_eq!((c.duplicates, c.restated), (0, 1));
    let current = s.activity(&Access::All, &code(1), 2023).unwrap();
    let elec = current
        .iter()
        .find(|r| r.carrier == Carrier::Electricity)
        .unwrap();
    assert_eq!(elec.quantity, Quantity::new(dec!(1100), Unit::Mwh));
    assert_eq!(
        (elec.source_file.as_str(), elec.source_row),
        ("jan-fix.csv", 5)
    );
    let history = s.activity_history(&Access::All, &code(1)).unwrap();
    assert_eq!(history.len(), 3);
    let old = history
        .iter()
        .find(|r| r.quantity.value == dec!(1000))
        .unwrap();
    assert_eq!(old.superseded_by, Some(elec.id));
    assert!(
        s.audit(50)
            .unwrap()
            .iter()
            .any(|a| a.action == "restate" && a.before.as_deref() == Some("1000 MWh"))
    );
    // Other years are not returned.
    assert!(s.activity(&Access::All, &code(1), 2022).unwrap().is_empty());
    assert_eq!(s.batches(10).unwrap().len(), 3);
}

fn quarantine_is_not_duplicated_by_reimport(s: &mut dyn Store) {
    let bad = [Rejected {
        row: 4,
        field: "period".into(),
        reason: "month 13 is not 01-12".into(),
        raw: "x,2023-13".into(),
    }];
    for _ in 0..2 {
        let c = s
            .import_activity(ImportRows::new(&meta("bad.csv"), &[], &bad, 1))
            .unwrap();
        assert_eq!((c.read, c.accepted, c.quarantined), (1, 0, 1));
    }
    let q = s.quarantine(&QuarantineFilter::default()).unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(
        (q[0].file.as_str(), q[0].row, q[0].field.as_str()),
        ("bad.csv", 4, "period")
    );
    let none = s
        .quarantine(&QuarantineFilter {
            file: Some("other.csv".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(none.is_empty());
}

fn factor(set: &str, value: Decimal) -> Factor {
    Factor {
        id: Factor::make_id(set, FactorKind::GridAverage, "CQ", Some(2024)),
        set: set.into(),
        kind: FactorKind::GridAverage,
        subject: "CQ".into(),
        region: Region::parse("CQ").ok(),
        year: Some(2024),
        value,
        unit: "tCO2/MWh".into(),
        publisher: "MEE/NBS".into(),
        notice: "test".into(),
    }
}

fn factor_sets_are_immutable_and_ordered(s: &mut dyn Store) {
    let info = |name: &str| FactorSetInfo {
        name: name.into(),
        file: format!("{name}.csv"),
        sha256: "abc".into(),
        imported_at: String::new(),
    };
    s.save_factor_set(&info("first"), &[factor("first", dec!(0.51))], "t")
        .unwrap();
    s.save_factor_set(&info("second"), &[factor("second", dec!(0.4999))], "t")
        .unwrap();
    let err = s
        .save_factor_set(&info("first"), &[factor("first", dec!(0.9))], "t")
        .unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    let f = s.user_factors().unwrap();
    assert_eq!(
        f.iter().map(|x| x.value).collect::<Vec<_>>(),
        vec![dec!(0.51), dec!(0.4999)]
    );
    assert_eq!(s.factor_sets().unwrap().len(), 2);
}

fn issued_results_round_trip(s: &mut dyn Store) {
    let mut pins = Pins::default();
    pins.0.insert(
        "grid_location/CQ/2023".into(),
        PinnedFactor {
            id: "builtin-2025.1/grid_average/CQ/2023".into(),
            note: None,
        },
    );
    let r = IssuedResult {
        scope: code(1).to_string(),
        year: 2023,
        grid_mode: "provincial".into(),
        pins: pins.clone(),
        figures: serde_json::json!({ "scope2_location_tco2": 558.1 }),
        issued_at: String::new(),
        updated_at: String::new(),
    };
    s.save_issued(&r, "t").unwrap();
    let got = s.issued(&r.scope, 2023, "provincial").unwrap().unwrap();
    assert_eq!(got.pins, pins);
    assert_eq!(got.figures["scope2_location_tco2"].as_f64(), Some(558.1));
    assert!(s.issued(&r.scope, 2023, "national").unwrap().is_none());
    let mut changed = r.clone();
    changed.pins.0.get_mut("grid_location/CQ/2023").unwrap().id = "mee/grid_average/CQ/2023".into();
    s.save_issued(&changed, "t").unwrap();
    assert_eq!(s.issued_all().unwrap().len(), 1);
    let audit = s.audit(10).unwrap();
    assert!(audit.iter().any(
        |a| a.action == "recompute" && a.before.as_deref().unwrap().contains("builtin-2025.1")
    ));
}

fn designations_sites_and_output_value(s: &mut dyn Store) {
    s.upsert_org(&org(1, "P1", "CQ"), "t").unwrap();
    s.upsert_org(&org(2, "P2", "CQ"), "t").unwrap();
    let d = Designation {
        scope_kind: "org".into(),
        scope_id: code(1).to_string(),
        kind: DesignationKind::GreenFactory,
        level: DesignationLevel::National,
        granted_on: "2023-01-10".into(),
        expires_on: None,
        notice: "工信部公告".into(),
    };
    assert_eq!(s.add_designation(&d, "t").unwrap(), Upsert::Inserted);
    assert_eq!(s.add_designation(&d, "t").unwrap(), Upsert::Unchanged);
    let park_d = Designation {
        scope_kind: "park".into(),
        scope_id: "P2".into(),
        kind: DesignationKind::ZeroCarbonPark,
        ..d.clone()
    };
    s.add_designation(&park_d, "t").unwrap();
    assert_eq!(s.designations(&Access::All, None).unwrap().len(), 2);
    assert_eq!(
        s.designations(&Access::Park("P1".into()), None).unwrap(),
        vec![d.clone()]
    );
    assert_eq!(
        s.designations(&Access::Org(code(2)), None).unwrap(),
        vec![park_d]
    );

    let site = Site {
        credit_code: code(1),
        name: "一厂".into(),
        address: "重庆两江新区".into(),
        lat: Some(29.6),
        lon: Some(106.5),
    };
    assert_eq!(s.upsert_site(&site, "t").unwrap(), Upsert::Inserted);
    assert_eq!(s.upsert_site(&site, "t").unwrap(), Upsert::Unchanged);
    assert_eq!(s.sites(&Access::All, &code(1)).unwrap(), vec![site.clone()]);
    assert!(s.sites(&Access::Org(code(2)), &code(1)).unwrap().is_empty());

    assert_eq!(
        s.set_output_value(&code(1), 2023, dec!(12345.6), "t")
            .unwrap(),
        Upsert::Inserted
    );
    assert_eq!(
        s.set_output_value(&code(1), 2023, dec!(12345.60), "t")
            .unwrap(),
        Upsert::Unchanged
    );
    assert_eq!(
        s.set_output_value(&code(1), 2023, dec!(20000), "t")
            .unwrap(),
        Upsert::Updated
    );
    assert_eq!(s.output_value(&code(1), 2023).unwrap(), Some(dec!(20000)));
    assert_eq!(s.output_value(&code(1), 2022).unwrap(), None);
}

fn meters_and_hourly_grid_factors(s: &mut dyn Store) {
    s.upsert_org(&org(1, "P1", "CQ"), "t").unwrap();
    s.upsert_org(&org(2, "P2", "SC"), "t").unwrap();
    let load = Meter {
        meter: "L1".into(),
        credit_code: code(1),
        kind: MeterKind::Consumption,
        source: String::new(),
        site: String::new(),
        parent: String::new(),
        end_use: String::new(),
    };
    let mut pv = Meter {
        meter: "PV1".into(),
        credit_code: code(1),
        kind: MeterKind::Generation,
        source: "solar".into(),
        site: "roof".into(),
        parent: String::new(),
        end_use: String::new(),
    };
    let other = Meter {
        meter: "L2".into(),
        credit_code: code(2),
        ..load.clone()
    };
    assert_eq!(s.upsert_meter(&load, "t").unwrap(), Upsert::Inserted);
    assert_eq!(s.upsert_meter(&pv, "t").unwrap(), Upsert::Inserted);
    assert_eq!(s.upsert_meter(&other, "t").unwrap(), Upsert::Inserted);
    assert_eq!(s.upsert_meter(&pv, "t").unwrap(), Upsert::Unchanged);
    pv.source = "wind".into();
    assert_eq!(s.upsert_meter(&pv, "t").unwrap(), Upsert::Updated);
    // A sub-meter's place in the meter tree round-trips; moving it is an update.
    let mut sub = Meter {
        meter: "L1-hvac".into(),
        parent: "L1".into(),
        end_use: "hvac".into(),
        ..load.clone()
    };
    assert_eq!(s.upsert_meter(&sub, "t").unwrap(), Upsert::Inserted);
    sub.end_use = "process".into();
    assert_eq!(s.upsert_meter(&sub, "t").unwrap(), Upsert::Updated);
    let stored = s
        .meters(&Access::All, &MeterFilter::default())
        .unwrap()
        .into_iter()
        .find(|m| m.meter == "L1-hvac")
        .unwrap();
    assert_eq!(
        (stored.parent.as_str(), stored.end_use.as_str()),
        ("L1", "process")
    );
    assert_eq!(
        s.meters(&Access::All, &MeterFilter::default())
            .unwrap()
            .len(),
        4
    );
    assert_eq!(
        s.meters(&Access::Org(code(1)), &MeterFilter::default())
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        s.meters(
            &Access::All,
            &MeterFilter {
                park: Some("P2".into()),
                ..Default::default()
            }
        )
        .unwrap(),
        vec![other]
    );
    assert!(
        s.meters(
            &Access::Park("P1".into()),
            &MeterFilter {
                org: Some(code(2)),
                ..Default::default()
            }
        )
        .unwrap()
        .is_empty()
    );

    let cq = Region::parse("CQ").unwrap();
    let h = |ts: i64, f: f64| HourlyFactor {
        region: cq,
        ts,
        tco2_per_mwh: f,
        cfe_share: Some(0.3),
    };
    let m = BatchMeta {
        kind: "grid-hourly".into(),
        file: "g.csv".into(),
        sha256: "x".into(),
        actor: "t".into(),
        readings_txn: None,
    };
    let c = s
        .import_grid_hourly(ImportRows::new(&m, &[h(0, 0.5), h(3600, 0.6)], &[], 2))
        .unwrap();
    assert_eq!((c.accepted, c.duplicates, c.restated), (2, 0, 0));
    let c = s
        .import_grid_hourly(ImportRows::new(&m, &[h(0, 0.5), h(3600, 0.65)], &[], 2))
        .unwrap();
    assert_eq!((c.accepted, c.duplicates, c.restated), (2, 1, 1));
    let got = s.grid_hourly(cq, 0, 7200).unwrap();
    assert_eq!(got, vec![h(0, 0.5), h(3600, 0.65)]);
    assert_eq!(s.grid_hourly(cq, 3600, 3600).unwrap(), vec![]);
    assert!(
        s.grid_hourly(Region::parse("SC").unwrap(), 0, 7200)
            .unwrap()
            .is_empty()
    );
}

fn certificate_events_are_append_only_by_seq(s: &mut dyn Store) {
    let ev = |seq: i64| CertEventRow {
        seq,
        prev_hash: format!("h{}", seq - 1),
        payload: format!("{{\"seq\":{seq}}}"),
        hash: format!("h{seq}"),
        signature: "sig".into(),
    };
    assert_eq!(s.cert_head().unwrap(), None);
    s.append_cert_events(&[ev(1), ev(2)], "t").unwrap();
    assert_eq!(s.cert_head().unwrap(), Some((2, "h2".to_string())));
    // A writer that lost the race for seq 2 gets a conflict and writes nothing.
    let err = s
        .append_cert_events(
            &[
                ev(3),
                CertEventRow {
                    hash: "other".into(),
                    ..ev(2)
                },
            ],
            "t",
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert_eq!(s.cert_events().unwrap(), vec![ev(1), ev(2)]);
    s.append_cert_events(&[ev(3)], "t").unwrap();
    assert_eq!(s.cert_events().unwrap().len(), 3);
    // A reader catching up from seq 1 gets the rest, in order; from the head, nothing.
    assert_eq!(s.cert_events_after(1).unwrap(), vec![ev(2), ev(3)]);
    assert_eq!(s.cert_events_after(3).unwrap(), vec![]);
    assert_eq!(s.cert_head().unwrap(), Some((3, "h3".to_string())));
    s.init_registry_meta("public_key", "abc").unwrap();
    s.init_registry_meta("public_key", "abc").unwrap();
    assert_eq!(
        s.init_registry_meta("public_key", "def")
            .unwrap_err()
            .to_string(),
        "conflict: registry public_key is already abc"
    );
    assert_eq!(
        s.registry_meta("public_key").unwrap().as_deref(),
        Some("abc")
    );
}

fn indicator(
    kind: ScopeKind,
    scope: &str,
    name: &str,
    period: &str,
    value: Decimal,
    row: i64,
) -> NewIndicatorValue {
    NewIndicatorValue {
        scope_kind: kind,
        scope_id: scope.into(),
        indicator: name.into(),
        period: period.into(),
        value,
        unit: "fraction".into(),
        evidence: format!("{name}.pdf"),
        source_row: row,
    }
}

fn indicator_values_duplicates_restatements_access_and_schemes(s: &mut dyn Store) {
    s.upsert_org(&org(1, "P1", "CQ"), "t").unwrap();
    s.upsert_org(&org(2, "P2", "SC"), "t").unwrap();
    let c1 = code(1).to_string();
    let c2 = code(2).to_string();
    let rows = vec![
        indicator(ScopeKind::Park, "P1", "water_reuse", "2024", dec!(0.85), 2),
        indicator(
            ScopeKind::Park,
            "P1",
            "waste_heat_use",
            "2024-06",
            dec!(0.4),
            3,
        ),
        indicator(ScopeKind::Park, "P1", "water_reuse", "2023", dec!(0.7), 4),
        indicator(ScopeKind::Org, &c1, "esg_disclosure", "2024", dec!(1), 5),
        indicator(ScopeKind::Org, &c2, "esg_disclosure", "2024", dec!(0), 6),
    ];
    let bad = Rejected {
        row: 7,
        field: "value".into(),
        reason: "\"x\" is not a number".into(),
        raw: "P1,water_reuse,2024,x,%,a".into(),
    };
    let mut m = meta("ind.csv");
    m.kind = "indicators".into();
    let c = s
        .import_indicators(ImportRows::new(&m, &rows, std::slice::from_ref(&bad), 6))
        .unwrap();
    assert_eq!(
        (c.read, c.accepted, c.quarantined, c.duplicates, c.restated),
        (6, 5, 1, 0, 0)
    );
    // Re-import: all duplicates, nothing changes; the quarantine is not doubled.
    let c = s
        .import_indicators(ImportRows::new(&m, &rows, std::slice::from_ref(&bad), 6))
        .unwrap();
    assert_eq!((c.accepted, c.duplicates, c.restated), (5, 5, 0));
    let q = s
        .quarantine(&QuarantineFilter {
            kind: Some("indicators".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!((q[0].row, q[0].field.as_str()), (7, "value"));
    // Year 2024 of P1: the yearly and the monthly value, not 2023.
    let v = s.indicator_values(&Access::All, "P1", 2024).unwrap();
    let got: Vec<(&str, &str, Decimal)> = v
        .iter()
        .map(|r| (r.indicator.as_str(), r.period.as_str(), r.value))
        .collect();
    assert_eq!(
        got,
        vec![
            ("waste_heat_use", "2024-06", dec!(0.4)),
            ("water_reuse", "2024", dec!(0.85))
        ]
    );
    assert_eq!((v[1].source_file.as_str(), v[1].source_row), ("ind.csv", 2));
    // A new value restates: the old row stays in history, superseded; audited.
    let mut m2 = meta("ind2.csv");
    m2.kind = "indicators".into();
    let c = s
        .import_indicators(ImportRows::new(
            &m2,
            &[indicator(
                ScopeKind::Park,
                "P1",
                "water_reuse",
                "2024",
                dec!(0.9),
                2,
            )],
            &[],
            1,
        ))
        .unwrap();
    assert_eq!((c.accepted, c.duplicates, c.restated), (1, 0, 1));
    let now: Vec<Decimal> = s
        .indicator_values(&Access::All, "P1", 2024)
        .unwrap()
        .iter()
        .filter(|r| r.indicator == "water_reuse")
        .map(|r| r.value)
        .collect();
    assert_eq!(now, vec![dec!(0.9)]);
    let hist = s.indicator_history(&Access::All, "P1").unwrap();
    let old = hist
        .iter()
        .find(|r| r.period == "2024" && r.value == dec!(0.85))
        .unwrap();
    assert!(old.superseded_by.is_some());
    assert!(s.audit(10).unwrap().iter().any(|a| a.action == "restate"
        && a.entity == "indicator_value"
        && a.before.as_deref() == Some("0.85 fraction (water_reuse.pdf)")));
    // Tenancy: a park sees its own and its enterprises' values, an enterprise only its own.
    assert_eq!(
        s.indicator_values(&Access::Park("P1".into()), "P1", 2024)
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        s.indicator_values(&Access::Park("P2".into()), "P1", 2024)
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        s.indicator_values(&Access::Park("P1".into()), &c1, 2024)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        s.indicator_values(&Access::Park("P1".into()), &c2, 2024)
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        s.indicator_values(&Access::Region(Region::parse("CQ").unwrap()), "P1", 2024)
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        s.indicator_values(&Access::Org(code(1)), &c1, 2024)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        s.indicator_values(&Access::Org(code(1)), "P1", 2024)
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        s.indicator_history(&Access::Org(code(2)), &c1)
            .unwrap()
            .len(),
        0
    );
    // User indicator sets: immutable per id and version.
    let scheme = StoredScheme {
        scheme_id: "zero-carbon-park-910".into(),
        version: "2026.1".into(),
        sha256: "abc".into(),
        toml: "format = 1".into(),
        file: "zcp.toml".into(),
        imported_at: String::new(),
    };
    assert_eq!(s.save_scheme(&scheme, "t").unwrap(), Upsert::Inserted);
    assert_eq!(s.save_scheme(&scheme, "t").unwrap(), Upsert::Unchanged);
    let changed = StoredScheme {
        sha256: "def".into(),
        ..scheme.clone()
    };
    assert!(matches!(
        s.save_scheme(&changed, "t"),
        Err(StoreError::Conflict(_))
    ));
    let all = s.schemes().unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(
        (all[0].version.as_str(), all[0].toml.as_str()),
        ("2026.1", "format = 1")
    );
}

fn finance_project(
    id: &str,
    n: u32,
    region: &str,
    kind: &str,
    cats: &[&str],
    tco2: Decimal,
) -> FinanceProject {
    FinanceProject {
        id: id.into(),
        credit_code: code(n),
        name: format!("{id} 节能改造"),
        kind: kind.into(),
        region: Region::parse(region).unwrap(),
        categories: cats.iter().map(|c| c.to_string()).collect(),
        capex_yuan: dec!(60000000),
        energy_saved_tce: dec!(4006.54),
        annual_reduction_tco2: tco2,
        definition: format!("{{\"id\":\"{id}\"}}"),
        expected: format!("{{\"total_tco2\":{tco2}}}"),
        created_by: String::new(),
        created_at: String::new(),
        updated_at: String::new(),
    }
}

fn finance_product(id: &str, issuer: &str) -> FinanceProduct {
    FinanceProduct {
        id: id.into(),
        issuer: issuer.into(),
        name: format!("{id} 碳减排贷款"),
        kind: "carbon_reduction_loan".into(),
        definition: format!("{{\"id\":\"{id}\"}}"),
        created_by: String::new(),
        created_at: String::new(),
        updated_at: String::new(),
    }
}

/// Enterprise 1's energy efficiency retrofit, 42,001.56 tCO2 a year.
fn fh_project() -> FinanceProject {
    let reduction = dec!(42001.56);
    finance_project("FH", 1, "CQ", "energy_efficiency", &["1.1.1"], reduction)
}

fn finance_projects_products_and_tenant_access(s: &mut dyn Store) {
    s.upsert_org(&org(1, "P1", "CQ"), "t").unwrap();
    s.upsert_org(&org(3, "P2", "SC"), "t").unwrap();
    let fh = fh_project();
    assert_eq!(s.upsert_project(&fh, "ent").unwrap(), Upsert::Inserted);
    assert_eq!(s.upsert_project(&fh, "ent").unwrap(), Upsert::Unchanged);
    let pv = finance_project("PV", 3, "SC", "distributed_pv", &["4.1.1"], dec!(406.64));
    s.upsert_project(&pv, "ent").unwrap();
    let mut fh2 = fh.clone();
    fh2.annual_reduction_tco2 = dec!(18194.06);
    assert_eq!(s.upsert_project(&fh2, "ent").unwrap(), Upsert::Updated);
    let stored = s.finance_project(&Access::All, "FH").unwrap().unwrap();
    assert_eq!(stored.annual_reduction_tco2, dec!(18194.06));
    assert_eq!(stored.categories, ["1.1.1"]);
    assert_eq!(stored.created_by, "ent");
    // A project cannot move to another enterprise.
    let mut moved = fh2.clone();
    moved.credit_code = code(3);
    assert!(matches!(
        s.upsert_project(&moved, "x"),
        Err(StoreError::Conflict(_))
    ));
    // Tenants see their own projects only.
    let ids = |s: &mut dyn Store, a: Access, f: ProjectFilter| -> Vec<String> {
        s.finance_projects(&a, &f)
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect()
    };
    assert_eq!(ids(s, Access::All, ProjectFilter::default()), ["FH", "PV"]);
    assert_eq!(
        ids(s, Access::Org(code(1)), ProjectFilter::default()),
        ["FH"]
    );
    assert_eq!(
        ids(s, Access::Park("P2".into()), ProjectFilter::default()),
        ["PV"]
    );
    assert!(
        s.finance_project(&Access::Org(code(1)), "PV")
            .unwrap()
            .is_none()
    );
    // Filters.
    let f = |kind: Option<&str>, cat: Option<&str>, min: Option<Decimal>| ProjectFilter {
        kind: kind.map(String::from),
        category: cat.map(String::from),
        min_reduction_tco2: min,
        ..Default::default()
    };
    assert_eq!(
        ids(s, Access::All, f(Some("distributed_pv"), None, None)),
        ["PV"]
    );
    assert_eq!(ids(s, Access::All, f(None, Some("1.1"), None)), ["FH"]);
    assert!(ids(s, Access::All, f(None, Some("1.1.10"), None)).is_empty());
    assert_eq!(ids(s, Access::All, f(None, None, Some(dec!(1000)))), ["FH"]);
    let sc = ProjectFilter {
        region: Some(Region::parse("SC").unwrap()),
        ..Default::default()
    };
    assert_eq!(ids(s, Access::All, sc), ["PV"]);
    let park = ProjectFilter {
        park: Some("P1".into()),
        ..Default::default()
    };
    assert_eq!(ids(s, Access::All, park), ["FH"]);
    // Products: public, one issuer per id.
    let crl = finance_product("CRL", "银行A");
    assert_eq!(s.upsert_product(&crl, "bank").unwrap(), Upsert::Inserted);
    assert_eq!(s.upsert_product(&crl, "bank").unwrap(), Upsert::Unchanged);
    assert!(matches!(
        s.upsert_product(&finance_product("CRL", "银行B"), "bank"),
        Err(StoreError::Conflict(_))
    ));
    s.upsert_product(&finance_product("GB", "银行B"), "bank")
        .unwrap();
    assert_eq!(s.finance_products(None).unwrap().len(), 2);
    assert_eq!(s.finance_products(Some("银行B")).unwrap()[0].id, "GB");
    assert_eq!(s.finance_product("CRL").unwrap().unwrap().issuer, "银行A");
    let audit = s.audit(50).unwrap();
    let kinds: Vec<(&str, &str)> = audit
        .iter()
        .filter(|a| a.entity.starts_with("finance_"))
        .map(|a| (a.action.as_str(), a.entity_id.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("create", "GB"),
            ("create", "CRL"),
            ("update", "FH"),
            ("create", "PV"),
            ("create", "FH")
        ]
    );
    let upd = audit
        .iter()
        .find(|a| a.action == "update" && a.entity_id == "FH")
        .unwrap();
    assert!(upd.before.as_deref().unwrap().contains("42001.56"));
    assert!(upd.after.as_deref().unwrap().contains("18194.06"));
}

fn finance_application_workflow_events_and_views(s: &mut dyn Store) {
    s.upsert_org(&org(1, "P1", "CQ"), "t").unwrap();
    s.upsert_org(&org(3, "P2", "SC"), "t").unwrap();
    s.upsert_project(&fh_project(), "t").unwrap();
    s.upsert_product(&finance_product("CRL", "银行A"), "t")
        .unwrap();
    let a = s
        .create_application(
            &NewApplication {
                project_id: "FH".into(),
                product_id: "CRL".into(),
                issuer: "银行A".into(),
                credit_code: code(1),
                amount_fen: 2_400_000_000,
                method: "annuity".into(),
                annual_rate_pct: Some(dec!(3.1)),
                tenor_months: Some(36),
            },
            "ent",
        )
        .unwrap();
    assert_eq!(
        (a.status.as_str(), a.amount_fen, a.tenor_months),
        ("submitted", 2_400_000_000, Some(36))
    );
    assert_eq!(a.annual_rate_pct, Some(dec!(3.1)));
    // Views: the issuing bank and the enterprise see it; another bank, another enterprise
    // and another park do not.
    let seen = |s: &mut dyn Store, v: FinanceView| s.application(&v, a.id).unwrap().is_some();
    assert!(seen(s, FinanceView::Issuer("银行A".into())));
    assert!(seen(s, FinanceView::Access(Access::Org(code(1)))));
    assert!(seen(s, FinanceView::Access(Access::Park("P1".into()))));
    assert!(!seen(s, FinanceView::Issuer("银行B".into())));
    assert!(!seen(s, FinanceView::Access(Access::Org(code(3)))));
    assert!(!seen(s, FinanceView::Access(Access::Park("P2".into()))));
    let step = |from: &str, to: &str, action: &str| NewEvent {
        action: action.into(),
        from_status: from.into(),
        to_status: to.into(),
        ..Default::default()
    };
    s.advance_application(
        a.id,
        &step("submitted", "under_review", "review"),
        None,
        None,
        "bank",
    )
    .unwrap();
    // A stale step (someone else moved it) writes nothing.
    let stale = s.advance_application(
        a.id,
        &step("submitted", "under_review", "review"),
        None,
        None,
        "bank",
    );
    assert!(
        matches!(stale, Err(StoreError::Conflict(m)) if m.contains("is under_review, not submitted"))
    );
    assert!(matches!(
        s.advance_application(
            999,
            &step("submitted", "under_review", "review"),
            None,
            None,
            "bank"
        ),
        Err(StoreError::NotFound(_))
    ));
    s.advance_application(
        a.id,
        &step("under_review", "approved", "approve"),
        None,
        None,
        "bank",
    )
    .unwrap();
    let mut disburse = step("approved", "disbursed", "disburse");
    disburse.period = "2024-01".into();
    disburse.principal_fen = 2_400_000_000;
    let d = s
        .advance_application(
            a.id,
            &disburse,
            Some("[{\"n\":1}]"),
            Some(Period::new(2024, 1).unwrap()),
            "bank",
        )
        .unwrap();
    assert_eq!(d.status, "disbursed");
    assert_eq!(d.schedule.as_deref(), Some("[{\"n\":1}]"));
    assert_eq!(d.disbursed_period, Some(Period::new(2024, 1).unwrap()));
    let mut repay = step("disbursed", "repaying", "repay");
    repay.period = "2024-02".into();
    repay.principal_fen = 60_000_000;
    repay.interest_fen = 6_200_000;
    let r = s
        .advance_application(a.id, &repay, None, None, "bank")
        .unwrap();
    // The schedule and disbursement month survive later steps.
    assert_eq!(r.schedule, d.schedule);
    assert_eq!(r.disbursed_period, d.disbursed_period);
    let events = s.application_events(a.id).unwrap();
    let steps: Vec<(&str, &str, i64, i64)> = events
        .iter()
        .map(|e| {
            (
                e.action.as_str(),
                e.to_status.as_str(),
                e.principal_fen,
                e.interest_fen,
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("review", "under_review", 0, 0),
            ("approve", "approved", 0, 0),
            ("disburse", "disbursed", 2_400_000_000, 0),
            ("repay", "repaying", 60_000_000, 6_200_000)
        ]
    );
    let filter = |status: &str| ApplicationFilter {
        status: Some(status.into()),
        ..Default::default()
    };
    assert_eq!(
        s.applications(&FinanceView::Issuer("银行A".into()), &filter("repaying"))
            .unwrap()
            .len(),
        1
    );
    assert!(
        s.applications(&FinanceView::Issuer("银行A".into()), &filter("approved"))
            .unwrap()
            .is_empty()
    );
    assert!(
        s.applications(&FinanceView::Issuer("银行B".into()), &Default::default())
            .unwrap()
            .is_empty()
    );
    let audited: Vec<String> = s
        .audit(50)
        .unwrap()
        .into_iter()
        .filter(|e| e.entity == "finance_application")
        .map(|e| e.action)
        .collect();
    assert_eq!(
        audited,
        ["repay", "disburse", "approve", "review", "create"]
    );
}

fn finance_mrv_links_outputs_balance_sheets_and_bank_users(s: &mut dyn Store) {
    s.upsert_org(&org(1, "P1", "CQ"), "t").unwrap();
    s.upsert_project(
        &finance_project("FH", 1, "CQ", "energy_efficiency", &["1.1.1"], dec!(1)),
        "t",
    )
    .unwrap();
    let ledger = MrvLink {
        project_id: "FH".into(),
        source: "ledger".into(),
        meter: String::new(),
    };
    let meter = MrvLink {
        project_id: "FH".into(),
        source: "meter".into(),
        meter: "M-01".into(),
    };
    assert_eq!(s.link_mrv(&ledger, "t").unwrap(), Upsert::Inserted);
    assert_eq!(s.link_mrv(&ledger, "t").unwrap(), Upsert::Unchanged);
    s.link_mrv(&meter, "t").unwrap();
    assert_eq!(s.mrv_links("FH").unwrap(), [ledger, meter]);
    let jan = Period::new(2024, 1).unwrap();
    assert_eq!(
        s.set_mrv_output("FH", jan, dec!(80000), "t").unwrap(),
        Upsert::Inserted
    );
    assert_eq!(
        s.set_mrv_output("FH", jan, dec!(80000.0), "t").unwrap(),
        Upsert::Unchanged
    );
    assert_eq!(
        s.set_mrv_output("FH", jan, dec!(81000), "t").unwrap(),
        Upsert::Updated
    );
    assert_eq!(s.mrv_outputs("FH").unwrap(), [(jan, dec!(81000))]);
    let b = BalanceSheet {
        credit_code: code(1),
        year: 2024,
        equity_yuan: dec!(200000000),
        debt_yuan: dec!(100000000.50),
        source: "2024 audited accounts".into(),
    };
    assert_eq!(s.set_balance_sheet(&b, "t").unwrap(), Upsert::Inserted);
    assert_eq!(s.set_balance_sheet(&b, "t").unwrap(), Upsert::Unchanged);
    assert_eq!(s.balance_sheet(&code(1), 2024).unwrap(), Some(b));
    assert!(s.balance_sheet(&code(1), 2023).unwrap().is_none());
    assert_eq!(
        s.set_bank_issuer("ann", "银行A", "admin").unwrap(),
        Upsert::Inserted
    );
    assert_eq!(
        s.set_bank_issuer("ann", "银行B", "admin").unwrap(),
        Upsert::Updated
    );
    assert_eq!(s.bank_issuer("ann").unwrap().as_deref(), Some("银行B"));
    assert!(s.bank_issuer("bob").unwrap().is_none());
    let audited = s
        .audit(50)
        .unwrap()
        .iter()
        .filter(|e| e.entity.starts_with("finance_"))
        .count();
    // project, 2 links, 2 output writes, 1 balance sheet, 2 bank-user writes.
    assert_eq!(audited, 8);
}

//! Market-based Scope 2 from the certificate registry: granular certificates retired by
//! hourly matching, then a GEC block retired for a month, replace the ledger's typed-in
//! `green_certificate` rows, and each MWh counts once.

use rust_decimal_macros::dec;
use std::collections::BTreeMap;
use std::path::Path;
use zp_accounting::GridFactorMode;
use zp_app::certs::Lifecycle;
use zp_certs::{Actor, Consumption};
use zp_domain::time::parse_timestamp;
use zp_domain::{CreditCode, Period};
use zp_store::{Access, Store};

mod common;
use common::write;

const ORG: &str = "91500112MA60CEM01B";

/// Writes `text` to `name` in `dir` and imports it as `kind` as the operator.
fn import(store: &mut dyn Store, dir: &Path, kind: zp_app::ImportKind, name: &str, text: &str) {
    common::import(store, kind, &write(dir, name, text));
}

#[test]
fn retired_certificates_set_market_scope2_granular_first_then_gec() {
    let dir = tempfile::tempdir().unwrap();
    let mut store: Box<dyn Store> =
        Box::new(zp_store::open_sqlite(&dir.path().join("t.db")).unwrap());
    let store = store.as_mut();
    let org = CreditCode::parse(ORG).unwrap();
    import(
        store,
        dir.path(),
        zp_app::ImportKind::Orgs,
        "orgs.csv",
        &format!("credit_code,name,region,park,industry\n{ORG},示例水泥,CQ,示例园区,3011\n"),
    );
    import(
        store,
        dir.path(),
        zp_app::ImportKind::Activity,
        "activity.csv",
        &format!(
            "credit_code,period,carrier,quantity,unit\n{ORG},2023-01,electricity,1000,MWh\n{ORG},2023-01,green_certificate,100,MWh\n"
        ),
    );
    import(
        store,
        dir.path(),
        zp_app::ImportKind::Meters,
        "meters.csv",
        &format!(
            "meter,credit_code,kind,source\nL1,{ORG},consumption,\nPV1,{ORG},generation,solar\n"
        ),
    );

    // Before the registry exists the ledger's 100 MWh of GECs apply:
    // (1000 - 100) MWh x 0.6096 tCO2/MWh (CN 2023 excluding market non-fossil) = 548.64.
    let catalog = zp_app::catalog(store).unwrap();
    let before = zp_app::org_inventory(
        store,
        &catalog,
        &Access::All,
        &org,
        2023,
        GridFactorMode::Provincial,
        "test",
    )
    .unwrap();
    assert_eq!(before.scope2_market_tco2, dec!(548.64));

    let h10 = parse_timestamp("2023-07-10T10:00:00+08:00").unwrap();
    let h11 = h10 + 3600;
    // Hourly Wh per meter, as the readings engine would give it.
    let readings = BTreeMap::from([
        (("PV1", h10), dec!(5_000_000)),
        (("PV1", h11), dec!(3_000_000)),
        (("L1", h10), dec!(4_000_000)),
        (("L1", h11), dec!(4_000_000)),
    ]);
    let key = zp_app::certs::signing_key(store, &dir.path().join("registry.key")).unwrap();
    let day = (h10 - 10 * 3600, h10 + 14 * 3600);
    zp_app::certs::issue(store, &key, &readings, None, day, 1, "test").unwrap();
    zp_app::certs::match_consumer(store, &key, &readings, &org, day, 2, "test").unwrap();
    // Granular: hour 10 retires 4 of 5 MWh, hour 11 all 3 MWh: 7 MWh.
    let f = write(
        dir.path(),
        "gec.csv",
        &format!(
            "serial_start,serial_end,mwh,plant,production_month,owner\n1000001,1000020,20,某风电场,2023-03,{ORG}\n"
        ),
    );
    zp_app::certs::import_gec(store, &key, &f, 3, "test").unwrap();
    let (gecs, _) = zp_app::certs::bundles(
        store,
        &zp_app::certs::BundleFilter {
            meter: Some("某风电场".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(gecs.len(), 1);
    let retire = Lifecycle::Retire {
        bundle: gecs[0].id,
        energy_wh: None,
        consumer: org.clone(),
        consumption: Consumption::Month {
            period: Period::parse("2023-03").unwrap(),
        },
    };
    zp_app::certs::apply(
        store,
        &key,
        &retire,
        &Actor::Account(org.clone()),
        4,
        "test",
    )
    .unwrap();
    // Retiring the same bundle again is refused: it is no longer active.
    assert!(
        zp_app::certs::apply(
            store,
            &key,
            &retire,
            &Actor::Account(org.clone()),
            5,
            "test"
        )
        .is_err()
    );

    let inv = zp_app::inventory(
        store,
        &Access::All,
        &zp_app::InventoryScope::Org(org.clone()),
        2023,
        GridFactorMode::Provincial,
        "test",
    )
    .unwrap();
    // 7 MWh granular + 20 MWh GEC = 27 MWh replace the ledger's 100:
    // (1000 - 27) x 0.6096 = 593.1408 tCO2.
    assert_eq!(inv.certificates_retired_mwh, dec!(27));
    assert_eq!(inv.scope2_market_tco2, dec!(593.1408));
    assert!(
        inv.notes
            .iter()
            .any(|n| n.contains("replaced by the certificate registry")),
        "{:?}",
        inv.notes
    );
    let cert_line = inv
        .lines
        .iter()
        .find(|l| l.carrier == zp_domain::Carrier::GreenCertificate)
        .unwrap();
    let sources: Vec<&str> = cert_line.inputs.iter().map(|i| i.source.as_str()).collect();
    assert!(
        sources
            .iter()
            .any(|s| s.starts_with("registry:granular bundles")),
        "{sources:?}"
    );
    assert!(
        sources
            .iter()
            .any(|s| s.starts_with("registry:GEC bundles")),
        "{sources:?}"
    );
    zp_app::certs::verify(store).unwrap();
}

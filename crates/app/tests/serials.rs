//! No certificate counts twice: serial ranges claimed by two enterprises, a re-import, a
//! registry retirement named again in the ledger, and on-site generation whose
//! certificates were sold (worked-examples.md, "Certificate serials").

use rust_decimal_macros::dec;
use std::collections::BTreeMap;
use std::path::PathBuf;
use zp_accounting::{GridFactorMode, Inventory};
use zp_app::certs::Lifecycle;
use zp_certs::{Actor, Consumption};
use zp_domain::time::parse_timestamp;
use zp_domain::{CreditCode, Period};
use zp_store::{Access, QuarantineFilter, Store};

const A: &str = "91500112MA60CEM01B";
/// A second enterprise: `91500105MA5YRE02C` with its check character.
static B_CODE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    CreditCode::complete("91500105MA5YRE02C")
        .unwrap()
        .to_string()
});

struct Park {
    dir: tempfile::TempDir,
    store: Box<dyn Store>,
}

fn code(c: &str) -> CreditCode {
    CreditCode::parse(c).unwrap()
}

impl Park {
    fn new() -> Park {
        let b = B_CODE.as_str();
        let dir = tempfile::tempdir().unwrap();
        let store: Box<dyn Store> =
            Box::new(zp_store::open_sqlite(&dir.path().join("t.db")).unwrap());
        let mut p = Park { dir, store };
        p.import(
            zp_app::ImportKind::Orgs,
            "orgs.csv",
            &format!(
                "credit_code,name,region,park,industry\n{A},示例一号,CQ,示例园区,3011\n{b},示例二号,CQ,示例园区,3971\n"
            ),
        );
        p
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn import(
        &mut self,
        kind: zp_app::ImportKind,
        name: &str,
        text: &str,
    ) -> zp_app::ImportOutcome {
        let f = self.file(name, text);
        zp_app::import_file(
            self.store.as_mut(),
            &zp_app::Caller::operator("test"),
            kind,
            &f,
            zp_app::Limits::default(),
            None,
        )
        .unwrap()
    }

    fn ledger(&mut self, name: &str, rows: &[&str]) -> zp_app::ImportOutcome {
        let text = format!(
            "credit_code,period,carrier,quantity,unit,serials\n{}\n",
            rows.join("\n")
        );
        self.import(zp_app::ImportKind::Activity, name, &text)
    }

    fn inventory(&mut self, org: &str) -> Inventory {
        let store = self.store.as_mut();
        let catalog = zp_app::catalog(store).unwrap();
        zp_app::org_inventory(
            store,
            &catalog,
            &Access::All,
            &code(org),
            2023,
            GridFactorMode::Provincial,
            "test",
        )
        .unwrap()
    }
}

fn quarantine_reasons(store: &mut dyn Store) -> Vec<String> {
    store
        .quarantine(&QuarantineFilter::default())
        .unwrap()
        .into_iter()
        .map(|q| q.reason)
        .collect()
}

#[test]
fn a_serial_claimed_by_another_enterprise_quarantines_the_whole_row() {
    let b = B_CODE.as_str();
    let mut p = Park::new();
    let a = p.ledger(
        "a.csv",
        &[
            &format!("{A},2023-03,electricity,1000,MWh,"),
            &format!(
                "{A},2023-03,green_certificate,200,certificate,GEC2023CQ000001..GEC2023CQ000200"
            ),
        ],
    );
    assert_eq!((a.counts.accepted, a.counts.quarantined), (2, 0));
    let b = p.ledger(
        "b.csv",
        &[
            &format!("{b},2023-03,electricity,500,MWh,"),
            &format!(
                "{b},2023-03,green_certificate,100,certificate,GEC2023CQ000151..GEC2023CQ000250"
            ),
        ],
    );
    assert_eq!(
        (b.counts.read, b.counts.accepted, b.counts.quarantined),
        (2, 1, 1)
    );
    let reasons = quarantine_reasons(p.store.as_mut());
    let reason = reasons
        .iter()
        .find(|r| r.contains("already claimed"))
        .unwrap();
    assert!(
        reason.contains("50 certificate(s) GEC2023CQ000151..GEC2023CQ000200") && reason.contains(A),
        "{reason}"
    );
    // Where the claim stands is named by file and row, never by the folder it is kept in.
    assert!(!reason.contains('/'), "{reason}");
    // B's market-based Scope 2 prices all its grid electricity at the residual factor.
    let inv_b = p.inventory(&B_CODE);
    assert_eq!(inv_b.certificates_retired_mwh, dec!(0));
    assert_eq!(inv_b.scope2_market_tco2, dec!(500) * dec!(0.6096));
    let inv_a = p.inventory(A);
    assert_eq!(inv_a.certificates_applied_mwh, dec!(200));
    assert_eq!(inv_a.unverified_certificates_mwh, dec!(0));

    // Re-importing one's own rows is a duplicate, not a conflict.
    let again = p.ledger(
        "a.csv",
        &[
            &format!("{A},2023-03,electricity,1000,MWh,"),
            &format!(
                "{A},2023-03,green_certificate,200,certificate,GEC2023CQ000001..GEC2023CQ000200"
            ),
        ],
    );
    assert_eq!((again.counts.duplicates, again.counts.quarantined), (2, 0));
    // The same enterprise naming the same certificates for another month is refused too.
    let twice = p.ledger(
        "a2.csv",
        &[&format!(
            "{A},2023-04,green_certificate,10,certificate,GEC2023CQ000191..GEC2023CQ000200"
        )],
    );
    assert_eq!(twice.counts.quarantined, 1);
}

#[test]
fn serial_count_must_equal_the_quantity_and_rows_without_serials_are_unverified() {
    let mut p = Park::new();
    let o = p.ledger(
        "a.csv",
        &[
            &format!("{A},2023-03,electricity,1000,MWh,"),
            &format!("{A},2023-03,green_certificate,5,certificate,X001..X004"),
            &format!("{A},2023-04,green_certificate,30,MWh,"),
        ],
    );
    assert_eq!((o.counts.accepted, o.counts.quarantined), (2, 1));
    let reasons = quarantine_reasons(p.store.as_mut());
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("names 4 certificate(s) but the quantity is 5")),
        "{reasons:?}"
    );
    let inv = p.inventory(A);
    assert_eq!(inv.unverified_certificates_mwh, dec!(30));
    assert!(
        inv.notes.iter().any(|n| n.contains("name no serials")),
        "{:?}",
        inv.notes
    );
}

fn registry_key(p: &mut Park) -> zp_app::certs::SigningKey {
    let path = p.dir.path().join("registry.key");
    zp_app::certs::signing_key(p.store.as_mut(), &path).unwrap()
}

#[test]
fn registry_retirements_and_ledger_serials_count_once() {
    let b = B_CODE.as_str();
    let mut p = Park::new();
    let key = registry_key(&mut p);
    let gec = p.file(
        "gec.csv",
        &format!(
            "serial_start,serial_end,mwh,plant,production_month,owner\n1000001,1000020,20,某风电场,2023-03,{A}\n2000001,2000010,10,某水电站,2023-03,{b}\n"
        ),
    );
    zp_app::certs::import_gec(p.store.as_mut(), &key, &gec, 3, "test").unwrap();
    let (bundles, _) =
        zp_app::certs::bundles(p.store.as_mut(), &zp_app::certs::BundleFilter::default()).unwrap();
    for (b, who) in bundles.iter().map(|b| (b.id, b.owner.clone())) {
        zp_app::certs::apply(
            p.store.as_mut(),
            &key,
            &Lifecycle::Retire {
                bundle: b,
                energy_wh: None,
                consumer: who.clone(),
                consumption: Consumption::Month {
                    period: Period::parse("2023-03").unwrap(),
                },
            },
            &Actor::Account(who),
            4,
            "test",
        )
        .unwrap();
    }
    // A's ledger names 20 certificates, ten of them the registry's 1000011..1000020
    // already retired for A: 20 (registry) + 10 (ledger only) = 30 MWh.
    let o = p.ledger(
        "a.csv",
        &[
            &format!("{A},2023-03,electricity,1000,MWh,"),
            &format!("{A},2023-03,green_certificate,20,certificate,1000011..1000030"),
        ],
    );
    assert_eq!(o.counts.quarantined, 0);
    let inv = p.inventory(A);
    assert_eq!(inv.certificates_retired_mwh, dec!(30));
    assert!(
        inv.notes.iter().any(|n| n.contains("counted once")),
        "{:?}",
        inv.notes
    );
    // A serial the registry retired for B cannot be claimed by A.
    let o = p.ledger(
        "a2.csv",
        &[&format!(
            "{A},2023-05,green_certificate,2,certificate,2000005..2000006"
        )],
    );
    assert_eq!(o.counts.quarantined, 1);
    let reasons = quarantine_reasons(p.store.as_mut());
    assert!(
        reasons.iter().any(|r| r.contains("2000005..2000006")
            && r.contains(B_CODE.as_str())
            && r.contains("registry")),
        "{reasons:?}"
    );
}

#[test]
fn sold_onsite_certificates_leave_the_clean_share_and_carry_the_residual_factor() {
    let b = B_CODE.as_str();
    let mut p = Park::new();
    p.import(
        zp_app::ImportKind::Meters,
        "meters.csv",
        &format!("meter,credit_code,kind,source\nPV1,{A},generation,solar\nL1,{b},consumption,\n"),
    );
    p.ledger(
        "a.csv",
        &[
            &format!("{A},2023-07,electricity,100,MWh,"),
            &format!("{A},2023-07,electricity_onsite_renewable,8,MWh,"),
        ],
    );
    let before = p.inventory(A);
    assert_eq!(before.clean_electricity_share, Some(dec!(8) / dec!(108)));

    let key = registry_key(&mut p);
    let h10 = parse_timestamp("2023-07-10T10:00:00+08:00").unwrap();
    // Hourly Wh per meter, as the readings engine would give it.
    let readings = BTreeMap::from([
        (("PV1", h10), dec!(5_000_000)),
        (("PV1", h10 + 3600), dec!(3_000_000)),
    ]);
    let day = (h10 - 10 * 3600, h10 + 14 * 3600);
    zp_app::certs::issue(p.store.as_mut(), &key, &readings, None, day, 1, "test").unwrap();
    let (bundles, _) =
        zp_app::certs::bundles(p.store.as_mut(), &zp_app::certs::BundleFilter::default()).unwrap();
    assert_eq!(bundles.len(), 2);
    for b in &bundles {
        zp_app::certs::apply(
            p.store.as_mut(),
            &key,
            &Lifecycle::Transfer {
                bundle: b.id,
                to: code(&B_CODE),
                energy_wh: None,
            },
            &Actor::Account(code(A)),
            2,
            "test",
        )
        .unwrap();
    }
    let after = p.inventory(A);
    assert_eq!(after.onsite_certificates_sold_mwh, dec!(8));
    assert_eq!(after.clean_electricity_share, Some(dec!(0)));
    assert_eq!(
        after.scope2_market_tco2,
        before.scope2_market_tco2 + dec!(8) * dec!(0.6096)
    );
    assert_eq!(after.scope2_location_tco2, before.scope2_location_tco2);
    assert!(
        after
            .notes
            .iter()
            .any(|n| n.contains("held or retired by others")),
        "{:?}",
        after.notes
    );
}

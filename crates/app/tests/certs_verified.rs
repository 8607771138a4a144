//! Readers of the certificate registry get it from what this process has verified
//! (`zp_app::certs` keeps the registry by its key and head): they must still see every
//! event another connection appended, never another database's log under the same key,
//! and `certs verify` must still catch a stored row changed after a reader was served.

use std::path::Path;
use zp_app::ImportKind;
use zp_app::certs::{BundleFilter, SigningKey};
use zp_store::Store;

mod common;
use common::{import, write};

const ORG: &str = "91500112MA60CEM01B";

/// A database with one enterprise, and the registry key of `key_file` (created on first
/// use, so two databases can share one).
fn database(dir: &Path, name: &str, key_file: &Path) -> (Box<dyn Store>, SigningKey) {
    let mut store = zp_app::open(dir.join(name).to_str().unwrap()).unwrap();
    let orgs = write(
        dir,
        &format!("{name}-orgs.csv"),
        &format!("credit_code,name,region,park,industry\n{ORG},示例水泥,CQ,示例园区,3011\n"),
    );
    import(store.as_mut(), ImportKind::Orgs, &orgs);
    let key = zp_app::certs::signing_key(store.as_mut(), key_file).unwrap();
    (store, key)
}

/// Imports one block of ten GEC serials starting after `first` (10 MWh).
fn import_block(store: &mut dyn Store, key: &SigningKey, dir: &Path, first: u64) {
    let f = write(
        dir,
        &format!("gec-{first}.csv"),
        &format!(
            "serial_start,serial_end,mwh,plant,production_month,owner\n{},{},10,风电场,2023-03,{ORG}\n",
            first + 1,
            first + 10
        ),
    );
    let out = zp_app::certs::import_gec(store, key, &f, 1, "test").unwrap();
    assert_eq!(out.accepted, 1, "{:?}", out.rejected);
}

/// (bundles, issued MWh) as a reader sees them.
fn seen(store: &mut dyn Store) -> (usize, u64) {
    let (list, balances) = zp_app::certs::bundles(store, &BundleFilter::default()).unwrap();
    (list.len(), balances.issued_wh / 1_000_000)
}

#[test]
fn a_reader_sees_what_another_connection_appended() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("registry.key");
    let (mut writer, key) = database(dir.path(), "t.db", &key_file);
    // A second connection, as the server is beside a CLI.
    let mut reader = zp_app::open(dir.path().join("t.db").to_str().unwrap()).unwrap();
    assert_eq!(zp_app::certs::warm_registry(reader.as_mut()).unwrap(), 0);
    assert_eq!(seen(reader.as_mut()), (0, 0));
    import_block(writer.as_mut(), &key, dir.path(), 1_000);
    assert_eq!(seen(reader.as_mut()), (1, 10));
    // Asked again with nothing new: the same answer.
    assert_eq!(seen(reader.as_mut()), (1, 10));
    // Two more blocks appended after the head the reader was served: it catches up.
    import_block(writer.as_mut(), &key, dir.path(), 2_000);
    import_block(writer.as_mut(), &key, dir.path(), 3_000);
    assert_eq!(seen(reader.as_mut()), (3, 30));
    assert_eq!(zp_app::certs::warm_registry(reader.as_mut()).unwrap(), 3);
    let summary = zp_app::certs::verify(reader.as_mut()).unwrap();
    assert_eq!((summary.bundles, summary.events), (3, 3));
}

#[test]
fn two_databases_under_one_key_keep_their_own_logs() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("registry.key");
    let (mut one, key) = database(dir.path(), "one.db", &key_file);
    let (mut two, _) = database(dir.path(), "two.db", &key_file);
    import_block(one.as_mut(), &key, dir.path(), 1_000);
    import_block(one.as_mut(), &key, dir.path(), 2_000);
    assert_eq!(seen(one.as_mut()), (2, 20));
    // The second database's log is as long as the first's was at one point, and then as
    // long as it is now, under the same key, with other events.
    import_block(two.as_mut(), &key, dir.path(), 5_000);
    assert_eq!(seen(two.as_mut()), (1, 10));
    import_block(two.as_mut(), &key, dir.path(), 6_000);
    import_block(two.as_mut(), &key, dir.path(), 7_000);
    assert_eq!(seen(two.as_mut()), (3, 30));
    assert_eq!(seen(one.as_mut()), (2, 20));
    let serials = |store: &mut dyn Store| {
        let (list, _) = zp_app::certs::bundles(store, &BundleFilter::default()).unwrap();
        let mut starts: Vec<u64> = list.iter().map(|b| b.ids.start).collect();
        starts.sort_unstable();
        starts
    };
    assert_eq!(serials(one.as_mut()), vec![1_001, 2_001]);
    assert_eq!(serials(two.as_mut()), vec![5_001, 6_001, 7_001]);
}

#[test]
fn certs_verify_still_reads_every_stored_row() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("registry.key");
    let (mut store, key) = database(dir.path(), "t.db", &key_file);
    for first in [1_000, 2_000, 3_000] {
        import_block(store.as_mut(), &key, dir.path(), first);
    }
    assert_eq!(seen(store.as_mut()), (3, 30));
    // The middle event's payload changed in the database behind the registry's back (its
    // hash and the head left as they were).
    let db = rusqlite::Connection::open(dir.path().join("t.db")).unwrap();
    let payload: String = db
        .query_row("SELECT payload FROM cert_events WHERE seq = 2", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(payload.contains("2001"), "{payload}");
    let changed = db
        .execute(
            "UPDATE cert_events SET payload = replace(payload, '2001', '2002') WHERE seq = 2",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    let err = zp_app::certs::verify(store.as_mut()).unwrap_err();
    assert!(
        err.to_string()
            .contains("certificate log verification failed")
            && err.to_string().contains('2'),
        "{err}"
    );
}

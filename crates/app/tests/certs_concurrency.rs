//! Two writers on one certificate log (a CLI and the server, or two CLIs) acting on
//! different bundles must both succeed: the append is serialised and retried on the newer
//! log instead of failing on `UNIQUE constraint failed: cert_events.seq`.

use zp_app::ImportKind;

mod common;
use common::{import, write};

const ORG: &str = "91500112MA60CEM01B";

#[test]
fn two_writers_on_different_bundles_conflict_on_certificates_no_more() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let key_file = dir.path().join("registry.key");
    {
        let mut store = zp_app::open(db.to_str().unwrap()).unwrap();
        let orgs = write(
            dir.path(),
            "orgs.csv",
            &format!("credit_code,name,region,park,industry\n{ORG},示例水泥,CQ,示例园区,3011\n"),
        );
        import(store.as_mut(), ImportKind::Orgs, &orgs);
        // Creates the key and records the registry's public key once.
        zp_app::certs::signing_key(store.as_mut(), &key_file).unwrap();
    }
    const WRITERS: usize = 6;
    const ROUNDS: usize = 4;
    let handles: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (db, key_file, dir) = (db.clone(), key_file.clone(), dir.path().to_path_buf());
            std::thread::spawn(move || {
                // A connection of its own, as a second process would have.
                let mut store = zp_app::open(db.to_str().unwrap()).unwrap();
                let key = zp_app::certs::signing_key(store.as_mut(), &key_file).unwrap();
                for r in 0..ROUNDS {
                    // Serial blocks of 10 that no other writer uses.
                    let first = 1_000_000 + (w * ROUNDS + r) * 10;
                    let f = write(
                        &dir,
                        &format!("gec-{w}-{r}.csv"),
                        &format!(
                            "serial_start,serial_end,mwh,plant,production_month,owner\n{},{},10,风电场{w},2023-03,{ORG}\n",
                            first + 1,
                            first + 10
                        ),
                    );
                    zp_app::certs::import_gec(store.as_mut(), &key, &f, 1, "test")
                        .unwrap_or_else(|e| panic!("writer {w} round {r}: {e}"));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let mut store = zp_app::open(db.to_str().unwrap()).unwrap();
    let summary = zp_app::certs::verify(store.as_mut()).unwrap();
    // Every writer's every block is in the one verified log: 6 x 4 blocks of 10 MWh.
    assert_eq!(summary.bundles, (WRITERS * ROUNDS) as u64);
    assert_eq!(
        summary.balances.issued_wh,
        (WRITERS * ROUNDS * 10) as u64 * 1_000_000
    );
}

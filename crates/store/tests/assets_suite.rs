//! The carbon asset log's storage, against SQLite and PostgreSQL (same backend setup as
//! `suite.rs`): appends continue the head or are refused, and two connections appending at
//! once serialise without a gap or a duplicate.

use std::sync::atomic::{AtomicUsize, Ordering};
use zp_store::*;

mod common;
use common::suite;

suite!("zp_assets"; asset_appends_continue_the_head_or_are_refused);

fn row(seq: i64, tag: &str) -> AssetEventRow {
    AssetEventRow {
        seq,
        prev_hash: format!("prev-{seq}"),
        payload: format!("{{\"seq\":{seq},\"tag\":\"{tag}\"}}"),
        hash: format!("hash-{seq}-{tag}"),
    }
}

fn asset_appends_continue_the_head_or_are_refused(s: &mut dyn Store) {
    assert!(s.asset_events().unwrap().is_empty());
    s.append_asset_events(0, &[row(1, "a"), row(2, "a")], "allocate", "test")
        .unwrap();
    // Planned after event 1, but the log ends at 2: refused, nothing written.
    let stale = s.append_asset_events(1, &[row(2, "b")], "surrender", "test");
    assert!(matches!(stale, Err(StoreError::Conflict(m)) if m.contains("ends at event 2")));
    // Right head, but a gap (4 after 2): refused.
    let gap = s.append_asset_events(2, &[row(4, "b")], "surrender", "test");
    assert!(matches!(gap, Err(StoreError::Conflict(_))));
    s.append_asset_events(2, &[row(3, "b")], "surrender", "test")
        .unwrap();
    let got: Vec<(i64, String)> = s
        .asset_events()
        .unwrap()
        .into_iter()
        .map(|r| (r.seq, r.hash))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, "hash-1-a".to_string()),
            (2, "hash-2-a".to_string()),
            (3, "hash-3-b".to_string())
        ]
    );
    // Two successful appends, two audit entries; the refused ones left none.
    let audit: Vec<_> = s
        .audit(50)
        .unwrap()
        .into_iter()
        .filter(|a| a.entity == "asset_events")
        .map(|a| a.entity_id)
        .collect();
    assert_eq!(audit, vec!["3..=3".to_string(), "1..=2".to_string()]);
}

/// Two connections each append 15 events, each time planning against the head it read
/// and retrying when another connection got there first: 30 events, 1..=30, each once.
fn race(open: impl Fn() -> Box<dyn Store> + Sync) {
    let conflicts = AtomicUsize::new(0);
    std::thread::scope(|sc| {
        for tag in ["x", "y"] {
            let open = &open;
            let conflicts = &conflicts;
            sc.spawn(move || {
                let mut s = open();
                let mut done = 0;
                while done < 15 {
                    let head = s.asset_events().unwrap().len() as i64;
                    match s.append_asset_events(head, &[row(head + 1, tag)], "race", tag) {
                        Ok(()) => done += 1,
                        Err(StoreError::Conflict(_)) => {
                            conflicts.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(e) => panic!("{e}"),
                    }
                }
            });
        }
    });
    let rows = open().asset_events().unwrap();
    let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, (1..=30).collect::<Vec<_>>());
    for tag in ["x", "y"] {
        let n = rows.iter().filter(|r| r.payload.contains(tag)).count();
        assert_eq!(n, 15, "{tag}");
    }
}

#[test]
fn sqlite_concurrent_appends_serialise() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zp.db");
    open_sqlite(&path).unwrap();
    race(|| Box::new(open_sqlite(&path).unwrap()));
}

#[test]
fn postgres_concurrent_appends_serialise() {
    if let Some(url) = common::pg_database("zp_assets") {
        open_postgres(&url).unwrap();
        race(|| Box::new(open_postgres(&url).unwrap()));
    }
}

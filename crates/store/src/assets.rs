//! Persistence of the carbon asset registry's hash-chained event log (see `zp-assets`):
//! one row per event, `seq` unique, payload stored byte for byte as it was hashed.
//!
//! Appends serialise: [`AssetStore::append_asset_events`] reads the head of the log and
//! appends in one transaction, and refuses ([`StoreError::Conflict`]) when the head is not
//! the one the caller's ledger was built from, so two writers that both planned against
//! the same head cannot both land; the loser replays and re-plans.

use crate::base::audit;
use crate::conn::Conn;
use crate::{Result, SqlStore, StoreError, now};
use serde::{Deserialize, Serialize};

pub(crate) const ASSETS_MIGRATION: &str = r#"
CREATE TABLE asset_events (
    seq BIGINT PRIMARY KEY,
    prev_hash TEXT NOT NULL,
    payload TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    stored_at TEXT NOT NULL
);
"#;

/// One chained event as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetEventRow {
    pub seq: i64,
    pub prev_hash: String,
    pub payload: String,
    pub hash: String,
}

pub trait AssetStore {
    /// All events in sequence order.
    fn asset_events(&mut self) -> Result<Vec<AssetEventRow>>;
    /// Appends `events` in one transaction if the log's last event is still `expected_head`
    /// (0 for an empty log) and the events continue it without a gap; otherwise a
    /// [`StoreError::Conflict`] and nothing is written. `summary` goes to the audit log.
    fn append_asset_events(
        &mut self,
        expected_head: i64,
        events: &[AssetEventRow],
        summary: &str,
        actor: &str,
    ) -> Result<()>;
}

impl<C: Conn> AssetStore for SqlStore<C> {
    fn asset_events(&mut self) -> Result<Vec<AssetEventRow>> {
        let rows = self.conn().query(
            "SELECT seq, prev_hash, payload, hash FROM asset_events ORDER BY seq",
            &[],
        )?;
        Ok(rows
            .iter()
            .map(|r| AssetEventRow {
                seq: r.int(0),
                prev_hash: r.text(1),
                payload: r.text(2),
                hash: r.text(3),
            })
            .collect())
    }

    fn append_asset_events(
        &mut self,
        expected_head: i64,
        events: &[AssetEventRow],
        summary: &str,
        actor: &str,
    ) -> Result<()> {
        let (Some(first), Some(last)) = (events.first(), events.last()) else {
            return Ok(());
        };
        self.transaction(|c| {
            // PostgreSQL: the row lock on the head is not enough for an empty log; take a
            // table lock so a concurrent append waits here. SQLite's BEGIN IMMEDIATE
            // already holds the write lock.
            if c.dialect() == crate::Dialect::Postgres {
                c.batch("LOCK TABLE asset_events IN EXCLUSIVE MODE")?;
            }
            let head = c.query("SELECT COALESCE(MAX(seq), 0) FROM asset_events", &[])?;
            let head = head.first().map_or(0, |r| r.int(0));
            if head != expected_head {
                return Err(StoreError::Conflict(format!(
                    "the asset log moved on: it ends at event {head}, this operation was planned after event {expected_head}"
                )));
            }
            if first.seq != head + 1
                || events.windows(2).any(|w| w[1].seq != w[0].seq + 1)
            {
                return Err(StoreError::Conflict(format!(
                    "events {}..={} do not continue the asset log at {head}",
                    first.seq, last.seq
                )));
            }
            for e in events {
                c.execute(
                    "INSERT INTO asset_events (seq, prev_hash, payload, hash, stored_at) VALUES ($1, $2, $3, $4, $5)",
                    &[e.seq.into(), e.prev_hash.as_str().into(), e.payload.as_str().into(), e.hash.as_str().into(), now().into()],
                )?;
            }
            audit(
                c,
                actor,
                "append",
                "asset_events",
                &format!("{}..={}", first.seq, last.seq),
                None,
                Some(format!("{summary}; head {}", last.hash)),
            )
        })
    }
}

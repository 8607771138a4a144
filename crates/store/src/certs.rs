//! Persistence of the certificate registry's signed event log (see `zp-certs`): one row per
//! event, `seq` unique, payload stored byte for byte as it was hashed and signed.

use crate::base::audit;
use crate::conn::Conn;
use crate::{Result, SqlStore, StoreError, now};
use serde::{Deserialize, Serialize};

pub(crate) const CERTS_MIGRATION: &str = r#"
CREATE TABLE cert_events (
    seq BIGINT PRIMARY KEY,
    prev_hash TEXT NOT NULL,
    payload TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    signature TEXT NOT NULL,
    stored_at TEXT NOT NULL
);
CREATE TABLE registry_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#;

/// One signed event as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertEventRow {
    pub seq: i64,
    pub prev_hash: String,
    pub payload: String,
    pub hash: String,
    pub signature: String,
}

pub trait CertStore {
    /// All events in sequence order.
    fn cert_events(&mut self) -> Result<Vec<CertEventRow>> {
        self.cert_events_after(0)
    }
    /// The events with a sequence number above `seq`, in sequence order (a reader catching
    /// up on what was appended since it last read).
    fn cert_events_after(&mut self, seq: i64) -> Result<Vec<CertEventRow>>;
    /// The last event's sequence number and hash, `None` for an empty log.
    fn cert_head(&mut self) -> Result<Option<(i64, String)>>;
    /// Appends events in one transaction. A sequence number already taken (a concurrent
    /// writer) is a [`StoreError::Conflict`] and nothing is written.
    fn append_cert_events(&mut self, events: &[CertEventRow], actor: &str) -> Result<()>;
    fn registry_meta(&mut self, key: &str) -> Result<Option<String>>;
    /// Sets a registry value once; a different existing value is a conflict.
    fn init_registry_meta(&mut self, key: &str, value: &str) -> Result<()>;
}

impl<C: Conn> CertStore for SqlStore<C> {
    fn cert_events_after(&mut self, seq: i64) -> Result<Vec<CertEventRow>> {
        let rows = self.conn().query(
            "SELECT seq, prev_hash, payload, hash, signature FROM cert_events WHERE seq > $1 ORDER BY seq",
            &[seq.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| CertEventRow {
                seq: r.int(0),
                prev_hash: r.text(1),
                payload: r.text(2),
                hash: r.text(3),
                signature: r.text(4),
            })
            .collect())
    }

    fn cert_head(&mut self) -> Result<Option<(i64, String)>> {
        let rows = self.conn().query(
            "SELECT seq, hash FROM cert_events ORDER BY seq DESC LIMIT 1",
            &[],
        )?;
        Ok(rows.first().map(|r| (r.int(0), r.text(1))))
    }

    fn append_cert_events(&mut self, events: &[CertEventRow], actor: &str) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        self.transaction(|c| {
            for e in events {
                c.execute(
                    "INSERT INTO cert_events (seq, prev_hash, payload, hash, signature, stored_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    &[e.seq.into(), e.prev_hash.as_str().into(), e.payload.as_str().into(), e.hash.as_str().into(), e.signature.as_str().into(), now().into()],
                )?;
            }
            let first = events[0].seq;
            let last = events[events.len() - 1].seq;
            audit(c, actor, "append", "cert_events", &format!("{first}..={last}"), None, Some(format!("{} events, head {}", events.len(), events[events.len() - 1].hash)))
        })
    }

    fn registry_meta(&mut self, key: &str) -> Result<Option<String>> {
        let rows = self.conn().query(
            "SELECT value FROM registry_meta WHERE key = $1",
            &[key.into()],
        )?;
        Ok(rows.first().map(|r| r.text(0)))
    }

    fn init_registry_meta(&mut self, key: &str, value: &str) -> Result<()> {
        match self.registry_meta(key)? {
            Some(v) if v == value => Ok(()),
            Some(v) => Err(StoreError::Conflict(format!(
                "registry {key} is already {v}"
            ))),
            None => {
                self.conn().execute(
                    "INSERT INTO registry_meta (key, value) VALUES ($1, $2)",
                    &[key.into(), value.into()],
                )?;
                Ok(())
            }
        }
    }
}

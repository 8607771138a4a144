//! Process counters for operations (`/metrics` of `zeropark serve`): rows read, accepted and
//! quarantined per import kind, counted by the import use cases whoever calls them (uploads,
//! the API, MQTT batches in this process). In-memory, reset when the process starts, as
//! Prometheus counters are.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Rows of one import kind since the process started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportTally {
    pub imports: u64,
    pub read: u64,
    pub accepted: u64,
    pub quarantined: u64,
}

static IMPORTS: Mutex<BTreeMap<String, ImportTally>> = Mutex::new(BTreeMap::new());

/// Counts one import of `kind`.
pub fn record_import(kind: &str, read: usize, accepted: usize, quarantined: usize) {
    let mut all = IMPORTS.lock().unwrap_or_else(|p| p.into_inner());
    let t = all.entry(kind.to_string()).or_default();
    t.imports += 1;
    t.read += read as u64;
    t.accepted += accepted as u64;
    t.quarantined += quarantined as u64;
}

/// Every kind's tally, by kind.
pub fn imports() -> BTreeMap<String, ImportTally> {
    IMPORTS.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

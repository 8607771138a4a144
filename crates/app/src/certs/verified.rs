//! Registries this process has verified, so that a reader does not verify the whole
//! signed log again on every request.
//!
//! Rebuilding the registry verifies one ed25519 signature and one SHA-256 per event, and a
//! year of hourly bundles for a park's meters is over a hundred thousand events: seconds
//! per rebuild, and a page that computes each enterprise's inventory rebuilt it once per
//! enterprise. Here a rebuilt registry is kept, keyed by its public key and its head
//! (sequence number and hash). A reader whose stored head is one kept here gets it back
//! without reading the log; one whose store has appended events since verifies only those
//! on top of the kept registry (each must chain onto the kept head, else the whole log is
//! verified again). What this trusts is the hash chain: a stored head hash equal to one
//! verified here commits to every event before it, as verified then.
//!
//! `certs verify` (`super::verify`) never uses it: it re-reads and re-verifies the whole
//! stored log, and is what catches rows changed under a head verified earlier.

use crate::AppError;
use std::sync::{Arc, Mutex};
use zp_certs::{Registry, VerifyingKey};
use zp_store::Store;

/// How many verified registries (one per database this process serves, usually one) are
/// kept; the least recently used goes first.
const KEEP: usize = 4;

/// Most recently used first.
static VERIFIED: Mutex<Vec<Arc<Registry>>> = Mutex::new(Vec::new());

/// The stored registry of `public`'s key, verified: kept, caught up, or rebuilt.
pub(super) fn registry(
    store: &mut dyn Store,
    public: &VerifyingKey,
) -> Result<Arc<Registry>, AppError> {
    let Some((head_seq, head_hash)) = store.cert_head()? else {
        return Ok(Arc::new(Registry::new(*public)));
    };
    if let Some(reg) = kept_at(public, head_seq, &head_hash) {
        keep(&reg);
        return Ok(reg);
    }
    let shorter = closest(public, head_seq);
    let reg = match shorter.and_then(|reg| caught_up(store, &reg).transpose()) {
        Some(reg) => reg?,
        None => super::load_all(store, public)?,
    };
    let reg = Arc::new(reg);
    keep(&reg);
    Ok(reg)
}

/// The kept registry of `public`'s key whose head is `head_seq` with `head_hash`.
fn kept_at(public: &VerifyingKey, head_seq: i64, head_hash: &str) -> Option<Arc<Registry>> {
    let kept = VERIFIED.lock().unwrap_or_else(|p| p.into_inner());
    kept.iter()
        .find(|r| {
            r.public_key() == public
                && r.log().len() as i64 == head_seq
                && r.head_hash_hex() == head_hash
        })
        .cloned()
}

/// The kept registry of `public`'s key with the longest log shorter than `head_seq`: the
/// one to catch up from.
fn closest(public: &VerifyingKey, head_seq: i64) -> Option<Arc<Registry>> {
    let kept = VERIFIED.lock().unwrap_or_else(|p| p.into_inner());
    kept.iter()
        .filter(|r| r.public_key() == public && (r.log().len() as i64) < head_seq)
        .max_by_key(|r| r.log().len())
        .cloned()
}

/// `reg` with the events stored after its head applied and verified; `None` when they do
/// not continue its chain (another log under the same key, or a rewritten one).
fn caught_up(store: &mut dyn Store, reg: &Registry) -> Result<Option<Registry>, AppError> {
    let rows = store.cert_events_after(reg.log().len() as i64)?;
    if rows.is_empty() {
        // The log was shortened since its head was read: not this registry's continuation.
        return Ok(None);
    }
    let mut next = reg.clone();
    Ok(zp_certs::catch_up(&mut next, &super::to_signed(rows))
        .is_ok()
        .then_some(next))
}

/// Readers after a large append get the writer's registry instead of verifying what it
/// appended: an append of at least one event per [`WRITTEN_RATIO`] events of the log keeps
/// a copy (copying is linear in the whole log but costs far less per event than a
/// signature check; a small append is cheaper to verify than the copy).
const WRITTEN_RATIO: usize = 64;

/// After `reg`'s last `appended` events were stored (no conflict: the stored log is now
/// exactly `reg`'s, which was verified before and extended with events signed here), keeps
/// a copy when the append was large.
pub(super) fn written(reg: &Registry, appended: usize) {
    if appended.saturating_mul(WRITTEN_RATIO) >= reg.log().len() {
        keep(&Arc::new(reg.clone()));
    }
}

/// Keeps `reg` first, dropping the registries it supersedes (itself, or an earlier state
/// of its log), and the least recently used beyond [`KEEP`].
fn keep(reg: &Arc<Registry>) {
    let mut kept = VERIFIED.lock().unwrap_or_else(|p| p.into_inner());
    kept.retain(|r| !(r.public_key() == reg.public_key() && is_prefix(r, reg)));
    kept.insert(0, Arc::clone(reg));
    kept.truncate(KEEP);
}

/// Whether `a`'s log is `b`'s or its beginning (same key; the hash chain commits to the
/// rest).
fn is_prefix(a: &Registry, b: &Registry) -> bool {
    match a.log().last() {
        None => true,
        Some(last) => b
            .log()
            .get(a.log().len() - 1)
            .is_some_and(|e| e.hash == last.hash),
    }
}

//! The hash-chained, signed log.
//!
//! Each [`SignedEvent`] carries the canonical JSON `payload` of an [`Event`], the hash of
//! the previous event, `hash = sha256(prev_hash || payload)` (raw 32 bytes of prev_hash,
//! then the UTF-8 payload bytes) and `signature = ed25519(hash)` with the registry key.
//! The first event's `prev_hash` is 32 zero bytes. Hashes and signatures are lower-case
//! hex in the persisted form.

use crate::error::{CertError, VerifyError, VerifyReason};
use crate::event::{Draft, EVENT_FORMAT_VERSION, Event};
use crate::signed::{SignedEvent, decode32};
use crate::state::{Balances, Registry};
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::Serialize;

/// What a verified log adds up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Summary {
    pub events: u64,
    pub head_hash: String,
    pub bundles: u64,
    pub balances: Balances,
}

impl Summary {
    /// The summary of a registry with no events (nothing to verify, no key needed).
    pub fn empty() -> Summary {
        Summary {
            events: 0,
            head_hash: hex::encode(crate::signed::GENESIS_HASH),
            bundles: 0,
            balances: Balances::default(),
        }
    }
}

impl Registry {
    /// Assigns sequence numbers and allocated ids to `drafts`, validates and applies them
    /// in order, and signs them into the log. All or nothing: on error the registry is as
    /// before. Returns the new entries for the store to persist (in one transaction).
    pub fn append(
        &mut self,
        drafts: Vec<Draft>,
        key: &SigningKey,
    ) -> Result<Vec<SignedEvent>, CertError> {
        if key.verifying_key() != self.public_key {
            return Err(CertError::WrongKey);
        }
        let start = self.log.len();
        for (i, d) in drafts.into_iter().enumerate() {
            let mut change = d.change;
            self.allocate(&mut change);
            let event = Event {
                v: EVENT_FORMAT_VERSION,
                seq: self.next_seq(),
                at: d.at,
                actor: d.actor,
                change,
            };
            if let Err(e) = self.apply_event(&event) {
                if i > 0 {
                    self.rollback_to(start);
                }
                return Err(e);
            }
            let (signed, hash) = SignedEvent::seal(&event, &self.head_hash, key);
            self.log.push(signed);
            self.head_hash = hash;
        }
        debug_assert_eq!(self.check_invariants(), Ok(()));
        Ok(self.log[start..].to_vec())
    }

    /// Rebuilds the state from the first `len` entries of the log (already verified).
    fn rollback_to(&mut self, len: usize) {
        let mut log = std::mem::take(&mut self.log);
        log.truncate(len);
        let mut fresh = Registry::new(self.public_key);
        for e in log {
            let ev = e.event().expect("own log parses");
            fresh.apply_event(&ev).expect("own log replays");
            fresh.head_hash = decode32(&e.hash).expect("own hash");
            fresh.log.push(e);
        }
        *self = fresh;
    }

    /// Verifies one stored entry as the next of this registry's log (sequence, chain,
    /// signature, canonical payload, replay) and applies it. Used by [`replay`] and by a
    /// store catching up on entries another process appended.
    pub fn apply_signed(&mut self, entry: &SignedEvent) -> Result<(), VerifyError> {
        let expected = self.next_seq();
        let fail = |reason| VerifyError {
            seq: entry.seq,
            reason,
        };
        if entry.seq != expected {
            return Err(fail(VerifyReason::Sequence { expected }));
        }
        let hash = entry
            .check(&self.head_hash, &self.public_key)
            .map_err(fail)?;
        let event = entry
            .event()
            .map_err(|e| fail(VerifyReason::Payload(e.to_string())))?;
        if event.canonical_json() != entry.payload {
            return Err(fail(VerifyReason::NotCanonical));
        }
        if event.seq != entry.seq {
            return Err(fail(VerifyReason::PayloadSeq(event.seq)));
        }
        self.apply_event(&event)
            .map_err(|e| fail(VerifyReason::Replay(e)))?;
        self.log.push(entry.clone());
        self.head_hash = hash;
        Ok(())
    }

    /// The summary of the current state.
    pub fn summary(&self) -> Summary {
        Summary {
            events: self.log.len() as u64,
            head_hash: self.head_hash_hex(),
            bundles: self.bundles.len() as u64,
            balances: self.balances(),
        }
    }
}

/// Rebuilds a registry from its stored log, verifying every entry.
pub fn replay(entries: &[SignedEvent], public_key: &VerifyingKey) -> Result<Registry, VerifyError> {
    let mut reg = Registry::new(*public_key);
    catch_up(&mut reg, entries)?;
    Ok(reg)
}

/// Verifies and applies `entries` as the continuation of `reg`'s log (the first must be
/// its next sequence number and chain onto its head), then re-checks the balances. On
/// error `reg` is left part-way: the caller drops it (or replays from the start).
pub fn catch_up(reg: &mut Registry, entries: &[SignedEvent]) -> Result<(), VerifyError> {
    for e in entries {
        reg.apply_signed(e)?;
    }
    // Each event was checked as it was applied; the whole-ledger check runs once at the
    // end (it is linear in the number of bundles).
    if let (Err(err), Some(last)) = (reg.check_invariants(), entries.last()) {
        return Err(VerifyError {
            seq: last.seq,
            reason: VerifyReason::Balance(err.to_string()),
        });
    }
    Ok(())
}

/// Re-walks the chain (sequence, prev_hash, hash, signature), replays every event against
/// the rebuilt state (owners, statuses, amounts, allocations) and re-checks the balances
/// after each one. Fails naming the first bad event.
pub fn verify(entries: &[SignedEvent], public_key: &VerifyingKey) -> Result<Summary, VerifyError> {
    replay(entries, public_key).map(|r| r.summary())
}

//! Granular certificate registry (颗粒度绿证登记): the pure core.
//!
//! Event-sourced: every change is an [`Event`] appended to a hash-chained log signed with
//! the registry's ed25519 key ([`SignedEvent`]); the [`Registry`] state is what replaying
//! the log gives. No I/O, no clock, no randomness: callers pass timestamps and key bytes.
//!
//! Flow for a caller (CLI, server, store):
//!
//! ```text
//! let mut reg = replay(&stored_entries, &public_key)?;   // verify + rebuild
//! let drafts = reg.retire(bundle, None, &consumer, Consumption::Hour { hour_start }, &actor, now)?;
//! let new_entries = reg.append(drafts, &signing_key)?;    // validate, apply, sign
//! store.insert_all(new_entries)                            // one transaction, unique seq
//! ```
//!
//! Commands ([`Registry::issue`], [`Registry::import_gec`], [`Registry::transfer`],
//! [`Registry::split`], [`Registry::retire`], [`Registry::claim`], [`Registry::withdraw`],
//! [`Registry::match_hourly`]) only plan; [`Registry::append`] re-validates each draft
//! against the state at that moment, so two racing retirements of one bundle cannot both
//! land. If the store's insert fails (another writer took the seq), drop the registry and
//! [`replay`] from the store.
//!
//! Invariants (checked on every event and by [`Registry::check_invariants`]): the Wh held
//! by all bundles equal the Wh issued; id ranges are disjoint; only the owner moves or
//! cancels a bundle; only active bundles move; a cancelled bundle never becomes active.

mod chain;
mod commands;
mod error;
mod event;
mod evidence;
mod ids;
mod matching;
mod scope2;
mod signed;
mod state;

pub use chain::{Summary, catch_up, replay, verify};
pub use commands::{GecImport, GenerationRow, Generator, IssuancePlan};
pub use error::{CertError, VerifyError, VerifyReason};
pub use event::{Actor, Change, Consumption, Draft, EVENT_FORMAT_VERSION, Event};
pub use evidence::{
    EVIDENCE_FORMAT_VERSION, EvidenceCertificate, EvidenceDoc, EvidenceError, EvidenceHour,
    verify_evidence,
};
pub use ids::{BundleId, IdRange};
pub use matching::{HourFigures, HourInput, HourlyLoad, MatchReport, cfe_figures};
pub use scope2::MarketCover;
pub use signed::{GENESIS_HASH, SignedEvent, chain_hash};
pub use state::{Balances, Bundle, Granularity, Registry, Source, Status, WH_PER_GEC};

pub use ed25519_dalek::{SigningKey, VerifyingKey};

/// The registry signing key from 32 secret bytes (the caller generates or loads them).
pub fn signing_key(secret: &[u8; 32]) -> SigningKey {
    SigningKey::from_bytes(secret)
}

/// A registry public key from its 64-character hex form.
pub fn public_key_from_hex(hex_key: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(hex_key).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

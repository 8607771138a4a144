//! The hash-chained log: each [`ChainedEvent`] carries the canonical JSON `payload` of an
//! [`Event`](crate::Event), the previous event's hash and
//! `hash = sha256(prev_hash || payload)` (raw 32 bytes, then the UTF-8 payload). The first
//! event's `prev_hash` is 32 zero bytes. Hashes are lower-case hex when persisted.
//!
//! Unlike the certificate registry the asset log is not signed yet: the chain detects an
//! edited, dropped or reordered event; a signature would also name who sealed it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// `prev_hash` of the first event.
pub const GENESIS_HASH: [u8; 32] = [0; 32];

/// One persisted log entry. Store it as is; never re-serialise the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ChainedEvent {
    pub seq: u64,
    pub prev_hash: String,
    pub payload: String,
    pub hash: String,
}

/// sha256(prev_hash || payload).
pub fn chain_hash(prev_hash: &[u8; 32], payload: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev_hash);
    h.update(payload.as_bytes());
    h.finalize().into()
}

pub(crate) fn decode32(s: &str) -> Option<[u8; 32]> {
    hex::decode(s).ok()?.try_into().ok()
}

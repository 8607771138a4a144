//! One entry of the hash-chained, signed log (the chain itself is in the `chain` module): its
//! persisted form, its hash and signature, and the check of one entry on its own.

use crate::error::VerifyReason;
use crate::event::Event;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// `prev_hash` of the first event.
pub const GENESIS_HASH: [u8; 32] = [0; 32];

/// One persisted log entry. Store it as is (one row per `seq`, unique); the `payload` is
/// the exact byte string that was hashed, so never re-serialise it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SignedEvent {
    pub seq: u64,
    /// Hex of the previous event's hash.
    pub prev_hash: String,
    /// Canonical JSON of the [`Event`].
    pub payload: String,
    /// Hex of sha256(prev_hash bytes || payload bytes).
    pub hash: String,
    /// Hex of the 64-byte ed25519 signature of the 32 hash bytes.
    pub signature: String,
}

/// sha256(prev_hash || payload).
pub fn chain_hash(prev_hash: &[u8; 32], payload: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev_hash);
    h.update(payload.as_bytes());
    h.finalize().into()
}

impl SignedEvent {
    /// Parses the payload.
    pub fn event(&self) -> Result<Event, serde_json::Error> {
        serde_json::from_str(&self.payload)
    }

    pub(crate) fn seal(
        event: &Event,
        prev_hash: &[u8; 32],
        key: &SigningKey,
    ) -> (SignedEvent, [u8; 32]) {
        let payload = event.canonical_json();
        let hash = chain_hash(prev_hash, &payload);
        let signature = key.sign(&hash);
        (
            SignedEvent {
                seq: event.seq,
                prev_hash: hex::encode(prev_hash),
                payload,
                hash: hex::encode(hash),
                signature: hex::encode(signature.to_bytes()),
            },
            hash,
        )
    }

    /// Checks this entry's own hash and signature given the expected previous hash;
    /// returns the hash bytes. Anyone holding the registry public key can do this.
    pub fn check(
        &self,
        prev_hash: &[u8; 32],
        public_key: &VerifyingKey,
    ) -> Result<[u8; 32], VerifyReason> {
        if decode32(&self.prev_hash) != Some(*prev_hash) {
            return Err(VerifyReason::PrevHash);
        }
        let hash = chain_hash(prev_hash, &self.payload);
        if decode32(&self.hash) != Some(hash) {
            return Err(VerifyReason::Hash);
        }
        let sig = hex::decode(&self.signature)
            .ok()
            .and_then(|b| Signature::from_slice(&b).ok())
            .ok_or(VerifyReason::Signature)?;
        public_key
            .verify_strict(&hash, &sig)
            .map_err(|_| VerifyReason::Signature)?;
        Ok(hash)
    }
}

pub(crate) fn decode32(s: &str) -> Option<[u8; 32]> {
    hex::decode(s).ok()?.try_into().ok()
}

//! Typed errors of the registry commands and of the log verification.

use crate::event::Actor;
use crate::ids::BundleId;
use zp_domain::CreditCode;

/// Why a command or an event was rejected. The state is unchanged when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("unknown bundle {0}")]
    UnknownBundle(BundleId),
    #[error("bundle {bundle} is owned by {owner}; {actor} may not move or cancel it")]
    NotOwner {
        bundle: BundleId,
        owner: CreditCode,
        actor: Actor,
    },
    #[error("only the registry may {0}")]
    NotRegistry(&'static str),
    #[error("bundle {bundle} is {status}, not active")]
    NotActive {
        bundle: BundleId,
        status: &'static str,
    },
    #[error(
        "bundle {bundle} is {status}, not cancelled: only cancelled certificates can be claimed"
    )]
    NotCancelled {
        bundle: BundleId,
        status: &'static str,
    },
    #[error("{actor} is neither the consumer nor the owner of cancelled bundle {bundle}")]
    NotBeneficiary { bundle: BundleId, actor: Actor },
    #[error(
        "bundle {bundle} was produced in the hour starting {production_hour_start}; it cannot be cancelled for {consumption}"
    )]
    HourMismatch {
        bundle: BundleId,
        production_hour_start: i64,
        consumption: String,
    },
    #[error("split of bundle {bundle} ({energy_wh} Wh) at {first_energy_wh} Wh: {why}")]
    SplitAmount {
        bundle: BundleId,
        energy_wh: u64,
        first_energy_wh: u64,
        why: &'static str,
    },
    #[error("bundle {bundle} is already owned by {owner}")]
    SameOwner { bundle: BundleId, owner: CreditCode },
    #[error("meter {meter_id} hour {hour_start}: {why}")]
    IssuanceRow {
        meter_id: String,
        hour_start: i64,
        why: String,
    },
    #[error("load hour {hour_start}: {why}")]
    LoadRow { hour_start: i64, why: &'static str },
    #[error("no generator metadata for meter {0}")]
    UnknownMeter(String),
    #[error("meter {meter_id} hour {hour_start} was already issued as bundle {bundle}")]
    AlreadyIssued {
        meter_id: String,
        hour_start: i64,
        bundle: BundleId,
    },
    #[error("GEC serials {serials}: {why}")]
    Gec { serials: String, why: String },
    #[error("a withdrawal needs a reason")]
    EmptyReason,
    #[error("{field} is {got}, the registry expected {expected} (allocation out of order)")]
    Allocation {
        field: &'static str,
        got: u64,
        expected: u64,
    },
    #[error("event format version {0} is not supported")]
    Version(u32),
    #[error("signing key does not belong to this registry's public key")]
    WrongKey,
    #[error("invariant broken: {0}")]
    Invariant(String),
}

/// The first event of a log that fails verification, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event {seq}: {reason}")]
pub struct VerifyError {
    pub seq: u64,
    pub reason: VerifyReason,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyReason {
    #[error("sequence number out of order, expected {expected}")]
    Sequence { expected: u64 },
    #[error("prev_hash does not equal the hash of the previous event")]
    PrevHash,
    #[error("hash does not equal sha256(prev_hash || payload)")]
    Hash,
    #[error("signature does not verify with the registry public key")]
    Signature,
    #[error("payload is not a valid event: {0}")]
    Payload(String),
    #[error("payload is not in canonical form")]
    NotCanonical,
    #[error("payload seq {0} differs from the envelope seq")]
    PayloadSeq(u64),
    #[error("replay rejected the event: {0}")]
    Replay(CertError),
    #[error("balances do not add up after the event: {0}")]
    Balance(String),
}

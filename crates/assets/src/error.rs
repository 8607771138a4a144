//! Why the registry refuses an operation, or why a stored log does not verify.

/// A refused operation. The message names the reason in the operator's terms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssetError {
    #[error("unknown kind {0:?} (cea, cq-allowance, ccer, cqcer, inclusion)")]
    UnknownKind(String),
    #[error("unknown scheme {0:?} (cn-ets, cq-pilot)")]
    UnknownScheme(String),
    #[error("units must be a positive whole number of tonnes")]
    ZeroUnits,
    #[error("{0}")]
    NotAllowed(String),
    #[error(
        "{org} has {available} t of {kind} {vintage} available, {wanted} t asked{}{}",
        if *.pledged > 0 { format!(" ({} t more are pledged and cannot move)", .pledged) } else { String::new() },
        if *.reserved > 0 { format!(" ({} t more are reserved by resting sell orders; cancel them to free the units)", .reserved) } else { String::new() }
    )]
    Insufficient {
        org: String,
        kind: String,
        vintage: i32,
        wanted: u64,
        available: u64,
        pledged: u64,
        reserved: u64,
    },
    #[error("unknown order {0}")]
    UnknownOrder(u64),
    /// Offsets beyond the scheme's cap of verified emissions.
    #[error("{0}")]
    OffsetCap(Box<OffsetCapExceeded>),
    #[error("unknown pledge {0}")]
    UnknownPledge(u64),
    #[error("pledge {0} is already released")]
    Released(u64),
    #[error("event {seq}: {reason}")]
    Replay { seq: u64, reason: String },
}

/// Why a stored log does not verify: the first bad event and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("asset log event {seq}: {reason}")]
pub struct VerifyError {
    pub seq: u64,
    pub reason: String,
}

/// The details of an [`AssetError::OffsetCap`] refusal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "offset cap exceeded: {units} t of {kind} would bring {org}'s offsets for {scheme} {year} to {would_be} t, over the cap of {cap} t ({percent} % of verified {verified_tco2} tCO2; {cap_source}); at most {room} t more can be surrendered"
)]
pub struct OffsetCapExceeded {
    pub org: String,
    pub scheme: String,
    pub year: i32,
    pub kind: String,
    pub units: u64,
    pub would_be: u64,
    pub cap: u64,
    pub room: u64,
    pub percent: u64,
    pub verified_tco2: u64,
    pub cap_source: String,
}

//! The events of the registry log. Every state change is one [`Event`]; replaying the log
//! rebuilds the [`Registry`](crate::Registry).
//!
//! Persisted JSON shape (the `payload` of a [`SignedEvent`](crate::SignedEvent), fields in
//! this order, no whitespace):
//!
//! ```json
//! {"v":1,"seq":7,"at":1688954400,"actor":{"account":"91500000202803359L"},
//!  "change":{"type":"retired","bundle_id":3,"consumer":"91500000202803359L",
//!            "consumption":{"hour":{"hour_start":1688954400}}}}
//! ```

use crate::ids::{BundleId, IdRange};
use serde::{Deserialize, Serialize};
use zp_domain::{CreditCode, Period, Region};

/// Version of the event payload format.
pub const EVENT_FORMAT_VERSION: u32 = 1;

/// Who performed an action: the registry itself (issuer and administrator, 登记机构) or
/// an account holder identified by its unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Registry,
    Account(CreditCode),
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::Registry => f.write_str("the registry"),
            Actor::Account(code) => write!(f, "account {code}"),
        }
    }
}

/// The consumption a certificate is cancelled (retired, 注销) for.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Consumption {
    /// One consumption hour, starting at `hour_start` (UTC epoch seconds, aligned to the
    /// hour). Granular certificates may only be cancelled for their own production hour.
    Hour { hour_start: i64 },
    /// A calendar month: the granularity of imported GECs.
    Month { period: Period },
}

/// A state change. Field names are part of the persisted format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// One hourly granular bundle for one generation meter.
    Issued {
        bundle_id: BundleId,
        ids: IdRange,
        energy_wh: u64,
        meter_id: String,
        production_hour_start: i64,
        owner: CreditCode,
        technology: String,
        region: Region,
        location: String,
    },
    /// A Chinese green electricity certificate (绿证, GEC) block imported from the national
    /// registry: monthly granularity, one serial per MWh.
    GecImported {
        bundle_id: BundleId,
        serials: IdRange,
        energy_wh: u64,
        plant: String,
        production_month: Period,
        owner: CreditCode,
        technology: String,
        region: Region,
    },
    Transferred {
        bundle_id: BundleId,
        to: CreditCode,
    },
    /// `bundle_id` keeps its first `first_energy_wh`; the rest moves to `new_bundle_id`.
    Split {
        bundle_id: BundleId,
        first_energy_wh: u64,
        new_bundle_id: BundleId,
    },
    /// Cancellation (retirement) for a named consumer and consumption interval.
    Retired {
        bundle_id: BundleId,
        consumer: CreditCode,
        consumption: Consumption,
    },
    /// The consumer has used the cancelled certificate in a claim (report, disclosure).
    Claimed {
        bundle_id: BundleId,
    },
    /// Removed by the registry administrator, e.g. after a metering error.
    Withdrawn {
        bundle_id: BundleId,
        reason: String,
    },
}

impl Change {
    /// The bundle this change concerns (the parent for a split).
    pub fn bundle_id(&self) -> BundleId {
        match self {
            Change::Issued { bundle_id, .. }
            | Change::GecImported { bundle_id, .. }
            | Change::Transferred { bundle_id, .. }
            | Change::Split { bundle_id, .. }
            | Change::Retired { bundle_id, .. }
            | Change::Claimed { bundle_id }
            | Change::Withdrawn { bundle_id, .. } => *bundle_id,
        }
    }
}

/// One event of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Event {
    /// Payload format version ([`EVENT_FORMAT_VERSION`]).
    pub v: u32,
    /// Position in the log, from 1, without gaps.
    pub seq: u64,
    /// When the event was recorded, UTC epoch seconds, from the caller's clock.
    pub at: i64,
    pub actor: Actor,
    pub change: Change,
}

impl Event {
    /// The canonical payload: compact JSON in declaration order. This exact byte string
    /// is hashed and signed.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).expect("events serialise")
    }
}

/// A change prepared by a command and not yet in the log.
/// [`Registry::append`](crate::Registry::append) assigns the sequence number and any allocated ids
/// (bundle ids, certificate ids), then validates it against the state at that moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub(crate) at: i64,
    pub(crate) actor: Actor,
    pub(crate) change: Change,
}

impl Draft {
    pub fn change(&self) -> &Change {
        &self.change
    }
    pub fn actor(&self) -> &Actor {
        &self.actor
    }
    pub fn at(&self) -> i64 {
        self.at
    }
}

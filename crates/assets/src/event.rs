//! The events of the asset log. Every state change is one [`Event`] with an id (its
//! sequence number); replaying the log rebuilds the [`Ledger`](crate::Ledger).
//!
//! Persisted JSON shape (the `payload` of a [`ChainedEvent`](crate::ChainedEvent), fields in
//! this order, no whitespace):
//!
//! ```json
//! {"v":1,"seq":4,"at":1700000000,"actor":"cli:ops",
//!  "change":{"type":"surrendered","block":2,"scheme":"cn-ets","year":2023}}
//! ```

use serde::{Deserialize, Serialize};
use zp_domain::CreditCode;

/// Version of the event payload format.
pub const EVENT_FORMAT_VERSION: u32 = 1;

/// A block of consecutive serial numbers of one kind and vintage, held by one account.
pub type BlockId = u64;
/// A pledge (质押) of one or more blocks to a pledgee.
pub type PledgeId = u64;
/// A limit order on the trading venue.
pub type OrderId = u64;
/// A trade (成交) between a buy and a sell order.
pub type TradeId = u64;

/// The side of an order.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Buy,
    Sell,
}

/// A state change. Field names are part of the persisted format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// Allowances (配额) of a scheme allocated to an enterprise for a year; the vintage is
    /// the year. Serials `first_serial ..= first_serial + units - 1` of (kind, vintage).
    Allocated {
        block: BlockId,
        scheme: String,
        year: i32,
        kind: String,
        vintage: i32,
        owner: CreditCode,
        first_serial: u64,
        units: u64,
    },
    /// Certified reductions or carbon-inclusion credits issued to an account.
    Issued {
        block: BlockId,
        kind: String,
        vintage: i32,
        owner: CreditCode,
        first_serial: u64,
        units: u64,
        project: Option<String>,
    },
    /// `block` keeps its first `first_units`; the rest of its serials become `new_block`.
    Split {
        block: BlockId,
        first_units: u64,
        new_block: BlockId,
    },
    Transferred {
        block: BlockId,
        to: CreditCode,
    },
    /// The blocks are pledged (质押) to `pledgee` and cannot move or be surrendered until
    /// released.
    Pledged {
        pledge: PledgeId,
        blocks: Vec<BlockId>,
        pledgee: String,
    },
    Released {
        pledge: PledgeId,
    },
    /// Surrendered (清缴) for compliance in `scheme` for `year`.
    Surrendered {
        block: BlockId,
        scheme: String,
        year: i32,
    },
    /// Cancelled (注销) for a voluntary neutrality claim.
    Cancelled {
        block: BlockId,
        claim: String,
    },
    /// A verifier's figure of an enterprise's emissions in a scheme and year (核查结果);
    /// a later figure replaces an earlier one.
    VerifiedSet {
        scheme: String,
        org: CreditCode,
        year: i32,
        tco2: u64,
    },
    /// The surrender deadline (清缴期限) of a scheme year, as the authority's notice sets it,
    /// `YYYY-MM-DD` (Asia/Shanghai, inclusive).
    DeadlineSet {
        scheme: String,
        year: i32,
        date: String,
    },
    /// A limit order enters the book of (kind, vintage) at `price_fen` per tonne. A sell
    /// order reserves `blocks` (its seller's available units, exactly `units`) while it
    /// rests; a buy order reserves none (payment is settled outside the registry and
    /// recorded with each trade).
    OrderPlaced {
        order: OrderId,
        org: CreditCode,
        side: Side,
        kind: String,
        vintage: i32,
        units: u64,
        price_fen: u64,
        blocks: Vec<BlockId>,
    },
    /// A trade at the resting order's price: `blocks` (reserved by the sell order, exactly
    /// `units`) move to the buyer; delivery versus payment of `amount_fen` =
    /// `price_fen` x `units`.
    Traded {
        trade: TradeId,
        buy_order: OrderId,
        sell_order: OrderId,
        units: u64,
        price_fen: u64,
        amount_fen: u64,
        blocks: Vec<BlockId>,
    },
    /// An open order leaves the book; a sell order's reserved units become available.
    OrderCancelled {
        order: OrderId,
    },
}

/// One event of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Event {
    /// Payload format version ([`EVENT_FORMAT_VERSION`]).
    pub v: u32,
    /// The event id: position in the log, from 1, without gaps.
    pub seq: u64,
    /// When the event was recorded, UTC epoch seconds, from the caller's clock.
    pub at: i64,
    /// Who did it (the audit actor, e.g. `cli:ops`).
    pub actor: String,
    pub change: Change,
}

impl Event {
    /// The canonical payload: compact JSON in declaration order. This exact byte string is
    /// hashed into the chain.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).expect("events serialise")
    }
}

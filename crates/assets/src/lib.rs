//! Carbon asset registry (碳资产登记): the pure core.
//!
//! An exact ledger of carbon units in whole tonnes: national allowances (CEA, `cn-ets`),
//! Chongqing pilot allowances (`cq-pilot`), CCER, Chongqing local credits (CQCER) and
//! carbon-inclusion (碳普惠) credits. Kinds and schemes are data (`data/schemes.toml`), each
//! scheme's offset cap with its source.
//!
//! Event-sourced like the certificate registry (`zp-certs`): every change is an [`Event`]
//! with an id (its sequence number) in a hash-chained log ([`ChainedEvent`]); the
//! [`Ledger`] is what replaying the log gives. Each issuance is a block of serial numbers,
//! split when part of it moves. No I/O, no clock: callers pass timestamps.
//!
//! ```text
//! let mut ledger = Ledger::replay(&stored)?;              // verify the chain + rebuild
//! let out = ledger.execute(&Op::Surrender { .. }, now, actor)?;   // plan, validate, chain
//! store.append(out.entries, expected_head = ledger_before.events())  // one transaction
//! ```
//!
//! Invariants, checked after every operation and after every replay
//! ([`Ledger::check_invariants`]): units are conserved (for each kind and vintage the
//! blocks' serials tile exactly `1..=created`); no block is empty and nothing is negative
//! (whole tonnes as `u64`, a take never exceeds what is available); only available units
//! move, are pledged, surrendered or cancelled, so pledged units never move; offsets
//! surrendered never exceed the scheme's cap of the verified emissions.
//!
//! Carbon inclusion (`inclusion`): methodologies as data, exact reductions of measured
//! activity with each parameter's source, credits in whole tonnes with the remainder
//! carried to the next issuance.

mod catalog;
mod chain;
mod commands;
mod compliance;
mod error;
mod event;
mod inclusion;
mod ledger;
mod market;
mod venue;

pub use catalog::{Catalog, Inclusion, KindClass, KindInfo, SchemeInfo};
pub use chain::{ChainedEvent, GENESIS_HASH, chain_hash};
pub use commands::{Op, Outcome};
pub use compliance::{ComplianceState, ComplianceStatus, EmissionsSource};
pub use error::{AssetError, OffsetCapExceeded, VerifyError};
pub use event::{BlockId, Change, EVENT_FORMAT_VERSION, Event, OrderId, PledgeId, Side, TradeId};
pub use inclusion::{
    CatalogValues, Credits, Methodologies, Methodology, Parameter, Reduction, UsedParameter,
    petrol_kgco2_per_kg, whole_tonnes,
};
pub use ledger::{Balance, Block, Ledger, Pledge, Status};
pub use venue::{Book, Daily, Level, MAX_PRICE_FEN, Order, OrderState, Trade, price_fen, yuan};

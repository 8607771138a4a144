//! Domain types shared by every zeropark crate.
//!
//! Everything here is pure: no I/O, no async, no global state. Adapters (CSV, HTTP,
//! SQL) convert their inputs into these types at the edge and the core works on them.

pub mod calendar;
pub mod carrier;
pub mod credit_code;
pub mod if97;
pub mod period;
pub mod records;
pub mod region;
pub mod schema;
pub mod serials;
pub mod template;
pub mod time;
pub mod units;

pub use calendar::{Calendar, CalendarError};
pub use carrier::{Carrier, CarrierCategory};
pub use credit_code::{CreditCode, CreditCodeError};
pub use period::{Period, PeriodError};
pub use region::{Region, RegionError};
pub use serials::{SerialRange, SerialSet};
pub use units::{Dimension, Quantity, Unit, UnitError};

/// Exact decimal used for ledgers, activity data and accounting results.
pub use rust_decimal::Decimal;

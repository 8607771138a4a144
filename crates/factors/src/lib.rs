//! The factor catalog (排放因子与折标系数库): every coefficient the accounts use, as
//! versioned data with its source.
//!
//! A [`Factor`] has an id, a value with its unit, what it applies to (carrier, region,
//! year), a kind, a publisher and a notice. Factors come in *sets*: the built-in set compiled
//! from `data/*.csv` and any number of user sets. Selection ([`Catalog::select`]) picks one
//! factor for a [`Slot`] (what the accounts need: "location grid factor for CQ in 2023") and
//! says how it got there ([`Selection::note`]) when it had to fall back.
//!
//! Issued results store the ids of the factors they used ([`Pins`]); a newly imported set
//! changes nothing until the caller re-selects (the `recompute` command).

mod builtin;
mod catalog;
mod factor;
mod user;

pub use builtin::{BUILTIN_SET, FactorZh, builtin_factors, builtin_zh};
pub use catalog::{Catalog, CatalogError, PinnedFactor, Pins, Selection, Slot};
pub use factor::{Factor, FactorKind};
pub use user::{UserFactorError, parse_user_factors};

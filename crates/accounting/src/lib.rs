//! The accounting engine (能源与温室气体核算): energy in tce per GB/T 2589, Scope 1 fuel
//! combustion and process emissions, Scope 2 location- and market-based (GHG Protocol
//! Scope 2 Guidance), intensities and clean-electricity share.
//!
//! Pure: takes activity lines and a factor catalog, returns an [`Inventory`] whose every
//! figure carries its lineage (input rows, factor ids, formula). Park and region figures are
//! sums of their enterprises' inventories; ratios are recomputed from the sums
//! ([`aggregate`]), never averaged.

mod aggregate;
mod inventory;
mod model;
mod steam;

pub use aggregate::aggregate;
pub use inventory::{
    AccountingError, ElectricityTce, GridFactorMode, Options, compute,
    with_coal_equivalent_electricity,
};
pub use inventory::{DEFAULT_STEAM_PRESSURE_MPA, NOTES_EN};
pub use model::{ActivityLine, CarrierLine, FactorUse, InputRef, Inventory, OrgInput, SteamState};

//! zeropark's electricity costs: time-of-use tariffs (分时电价), bills and battery plans.
//!
//! - [`tariff`]: a tariff version of a region and customer category, its bands (months,
//!   local time range, period 尖峰/峰/平/谷/深谷, price) and the rule that for every month
//!   the bands tile the day ([`TariffVersion::tiling_errors`]); the version in force on a
//!   day ([`version_on`]).
//! - [`import`]: reading a tariff file, accepted whole or refused with each fault's row.
//! - [`bill`]: a month's bill from interval grid import, exact in kWh and yuan.
//! - [`ev`]: EV fleets (windows, energy, V2G) and their OCPP 2.0.1 charging profiles.
//! - [`planner`]: a day-ahead battery and EV plan as a linear programme (`good_lp` + `microlp`),
//!   its figures recomputed exactly from the rounded decisions.
//! - [`verify`]: the metered day of a battery against its plan and the day without it.
//! - [`budget`]: yearly energy and carbon budgets split by month, their status and warning.
//! - [`flow`]: energy flows from sources through the meter tree to end uses, with balances.
//! - [`forecast`]: the year-end forecast from monthly figures and its backtest.
//! - [`anomaly`]: a meter's day against its own baseline (robust z-score, same kind of day).
//! - [`assess`]: a proposed project's file and the arithmetic of its assessment.
//! - [`benchmark`]: product energy intensity against the limit standards' levels and peers.
//! - [`footprint`]: a product's cradle-to-gate carbon footprint by stage (GB/T 24067).
//!
//! Pure: no I/O, no threads, no async. Readings, tariffs and grid factors are passed in by
//! the use-case layer (`zp_app::energy`).

pub mod anomaly;
pub mod assess;
pub mod benchmark;
pub mod bill;
pub mod budget;
pub mod ev;
pub mod flow;
pub mod footprint;
pub mod forecast;
pub mod import;
pub mod planner;
pub mod tariff;
pub mod verify;

pub use assess::{ProductIntensity, ProjectProduct};
pub use bill::{Bill, BillError, BillPeriod, IntervalImport, VersionUse, bill};
pub use ev::{ChargingProfile, EvFleet, FleetPlan};
pub use import::{COLUMNS, RowFault, TariffFileError, parse_tariffs};
pub use planner::{Battery, HourInput, Objective, Plan, PlanError, PlanHour, PlanRequest, plan};
pub use tariff::{
    Band, DAY_MINUTES, MonthSet, Period, TariffVersion, TilingError, TilingKind, hhmm, parse_hhmm,
    version_on,
};
pub use verify::{MeteredBattery, Verification, VerifiedHour, verify};

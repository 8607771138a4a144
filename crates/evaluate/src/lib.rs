//! Evaluations (评价): indicator sets as versioned data, gap analysis and abatement planning.
//!
//! Pure: no I/O, no async. The built-in indicator sets are TOML files embedded with
//! `include_str!` ([`builtin`]); users may load their own with [`Scheme::from_toml_str`].
//!
//! - [`evaluate`]: one scope and period against one set. Inputs are the accounts
//!   ([`AccountInputs`], computed by `zp-accounting`, never re-typed) and indicator data
//!   ([`IndicatorValue`], each row checked by [`indicator_row`]). The result records the set
//!   id, version and file hash, the band used, and every input value (lineage).
//! - [`gap`]: for each failed indicator, what would close it ([`analyse_gaps`]), and a
//!   year-by-year path to a target ([`trajectory`]).
//! - [`abatement`]: marginal abatement cost curve ([`mac_curve`]) and the cheapest portfolio
//!   reaching a target intensity ([`plan_abatement`]).
//!
//! Solver choice: the planner uses `good_lp` with the pure-Rust `microlp` backend. HiGHS
//! (the `highs` crate) would add about 7 minutes of C++ build plus cmake and libclang for
//! problems of a few dozen variables that microlp solves in microseconds. The solver is
//! called from one function (`abatement::solve`), so HiGHS can be swapped in by
//! enabling good_lp's `highs` feature and changing that function.

pub mod abatement;
pub mod building;
pub mod builtin;
pub mod evaluation;
pub mod gap;
pub mod indicator_data;
pub mod inputs;
pub mod scheme;
pub mod texts;

pub use abatement::{
    MacPoint, Measure, MeasureKind, MeasureSet, PLAN_ERRORS_EN, Plan, PlanError, PlanRequest,
    PlanStatus, PlannedMeasure, Rates, annualised_cost_yuan, grid_factor, mac_curve,
    plan_abatement, rates,
};
pub use builtin::builtin_catalog;
pub use evaluation::{
    Evaluation, EvaluationInputs, GroupScore, IndicatorResult, IndicatorStatus, Subject, evaluate,
};
pub use gap::{
    Gap, GapAction, PathShape, ScoreGap, TRAJECTORY_ERRORS_EN, TrajectoryError, TrajectoryPoint,
    analyse_gaps, score_gap, trajectory,
};
pub use indicator_data::{
    DataCatalogue, FieldError, INDICATOR_ROW_HEADER, IndicatorValue, indicator_row,
};
pub use inputs::{AccountInputs, AccountMetric, ELECTRICITY_TCE_PER_MWH, HEAT_TCE_PER_GJ, Source};
pub use scheme::{Band, Comparison, Scheme, SchemeCatalog, SchemeError, Threshold};
pub use texts::TEXTS_EN;

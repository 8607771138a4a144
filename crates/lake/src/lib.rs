//! zeropark's data lake (数据湖): the interval readings and the registry tables they join,
//! written as Parquet files partitioned Hive-style by region, local year and month
//! ([`export_lake`]), and the electricity-carbon map (电碳地图) expressed once as a
//! DataFusion SQL plan over that lake ([`lake_carbon_map`]), run in-process
//! ([`Engine::DataFusion`], the `datafusion` feature) or unchanged on a Ballista cluster
//! ([`Engine::Ballista`], the `ballista` feature); so is hourly certificate matching
//! ([`lake_matching`]), over the registry's granular certificates exported beside them.
//!
//! The export needs only the workspace's Arrow and Parquet; the engines are features
//! because DataFusion and Ballista are the costliest crates to build (`docs/scale.md`).
//! The layout and every column are in [`schema`] and in the lake's own `manifest.json`;
//! `docs/scale.md` sizes it for 1,000,000 meters.

#[cfg(feature = "ballista")]
pub mod ballista;
#[cfg(feature = "datafusion")]
mod carbon_map;
mod engine;
mod error;
mod export;
#[cfg(feature = "datafusion")]
mod matching;
#[cfg(feature = "datafusion")]
mod plan;
pub mod schema;
#[cfg(all(test, feature = "datafusion"))]
mod tests;
mod write;

/// Stack of the engines' worker threads: DataFusion plans and Ballista's plan codecs
/// recurse deeply, more than the 2 MiB default holds in an unoptimised (test) build.
#[cfg(feature = "datafusion")]
pub(crate) const ENGINE_STACK_BYTES: usize = 16 << 20;

#[cfg(feature = "datafusion")]
pub use carbon_map::{carbon_map_sql, lake_carbon_map};
pub use engine::Engine;
pub use error::LakeError;
pub use export::{LakeExport, export_lake};
#[cfg(feature = "datafusion")]
pub use matching::{lake_matching, matching_sql};
pub use write::FILE_ROWS;

/// Without the `datafusion` feature no engine reads the lake: a clear refusal naming the
/// build that has one.
#[cfg(not(feature = "datafusion"))]
fn no_engine(engine: &Engine) -> LakeError {
    LakeError::Invalid(format!(
        "--engine {engine}: this zeropark was built without the lake engines; build it with \
         `cargo build --release --features lake` (DataFusion) or `--features ballista`"
    ))
}

#[cfg(not(feature = "datafusion"))]
pub fn lake_carbon_map(
    _lake: &std::path::Path,
    engine: &Engine,
    _q: &zp_app::readings::CarbonMapQuery,
) -> Result<zp_app::readings::CarbonMap, LakeError> {
    Err(no_engine(engine))
}

#[cfg(not(feature = "datafusion"))]
pub fn lake_matching(
    _lake: &std::path::Path,
    engine: &Engine,
    _consumer: &zp_domain::CreditCode,
    _window: (i64, i64),
) -> Result<zp_app::certs::MatchReport, LakeError> {
    Err(no_engine(engine))
}

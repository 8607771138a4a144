//! What can go wrong writing or querying the lake.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LakeError {
    /// A use-case error (scope, registry reads, factor selection).
    #[error(transparent)]
    App(#[from] zp_app::AppError),
    #[error(transparent)]
    Readings(#[from] zp_readings::ReadingsError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[cfg(feature = "datafusion")]
    #[error("DataFusion: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    #[error("Parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error("Arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// A request the lake refuses (bad dates, an engine it does not know).
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
}

impl LakeError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> LakeError {
        LakeError::Io {
            path: path.into(),
            source,
        }
    }
}

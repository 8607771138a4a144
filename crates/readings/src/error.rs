//! Errors of the readings engine.

use std::path::PathBuf;

/// What can go wrong in the readings store and its imports.
#[derive(Debug, thiserror::Error)]
pub enum ReadingsError {
    /// A file could not be read or written.
    #[error("{}: {reason}", path.display())]
    Io { path: PathBuf, reason: String },
    /// A file of the store failed its checksum or does not parse: the store is damaged.
    #[error("{}: corrupt readings data: {reason}", path.display())]
    Corrupt { path: PathBuf, reason: String },
    /// An input file is not a readings table (missing columns, unreadable Parquet, ...).
    #[error("{file}: {reason}")]
    Format { file: String, reason: String },
    /// An explicit limit was exceeded.
    #[error("{0}")]
    Limit(String),
    /// An earlier import was prepared and its process died before it was committed or
    /// discarded: [`crate::ReadingStore::settle`] it first.
    #[error("{}: an earlier import ({token}) is in doubt: settle it before importing again", path.display())]
    InDoubt { path: PathBuf, token: String },
}

impl ReadingsError {
    pub(crate) fn io(path: impl Into<PathBuf>, e: impl std::fmt::Display) -> ReadingsError {
        ReadingsError::Io {
            path: path.into(),
            reason: e.to_string(),
        }
    }

    pub(crate) fn corrupt(path: impl Into<PathBuf>, reason: impl Into<String>) -> ReadingsError {
        ReadingsError::Corrupt {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

pub type Result<T, E = ReadingsError> = std::result::Result<T, E>;

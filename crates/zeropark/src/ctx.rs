//! What every command runs with, built once in `cli::run` from the global flags: the
//! database, the interval readings store beside it, the output format and who acts. And
//! the exit codes, in one place.

use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;
use zp_app::readings::ReadingStore;
use zp_app::{Caller, Store};

/// The command's context.
pub struct Ctx {
    /// A SQLite path or a `postgres://` URL.
    pub db: String,
    /// Print one JSON document instead of tables.
    pub json: bool,
    /// `--readings-dir`, when given (else `<db>.readings`).
    readings_dir: Option<PathBuf>,
}

impl Ctx {
    pub fn new(db: String, json: bool, readings_dir: Option<PathBuf>) -> Ctx {
        Ctx {
            db,
            json,
            readings_dir,
        }
    }

    /// Opens (and migrates) the database.
    pub fn open(&self) -> anyhow::Result<Box<dyn Store>> {
        open(&self.db)
    }

    /// The directory of the interval readings store.
    pub fn readings_dir(&self) -> PathBuf {
        zp_app::readings::readings_dir(&self.db, self.readings_dir.as_deref())
    }

    /// Opens the interval readings store, settling an import a killed process left in
    /// doubt (`zp_app::readings::settle_in_doubt`).
    pub fn readings(&self) -> anyhow::Result<ReadingStore> {
        let mut readings = zp_app::readings::open_readings(&self.db, self.readings_dir.as_deref())
            .with_context(|| format!("opening readings store {}", self.readings_dir().display()))?;
        if readings.in_doubt()?.is_some() {
            let mut store = self.open()?;
            zp_app::readings::settle_in_doubt(store.as_mut(), &mut readings)?;
        }
        Ok(readings)
    }

    /// The readings store as the certificate registry sees it.
    pub fn hourly_readings(&self) -> anyhow::Result<Box<dyn zp_app::certs::HourlyReadings>> {
        Ok(Box::new(self.readings()?))
    }

    /// The local operator: every use case runs with full access, audited as [`actor`].
    pub fn caller(&self) -> Caller {
        Caller::operator(actor())
    }
}

/// Who the audit log names for a local command: `cli:$USER`.
pub fn actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "local".into())
    )
}

/// Opens (and migrates) the database `db`.
pub fn open(db: &str) -> anyhow::Result<Box<dyn Store>> {
    zp_app::open(db).with_context(|| format!("opening database {db}"))
}

/// Exit status 2: the input could not be read or the request was refused (the reason is
/// on stderr). 0 is success (also with quarantined rows); 1 any other error.
pub const REFUSED: u8 = 2;

/// Prints `reason` on stderr and gives the refusal exit status.
pub fn refuse(reason: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {reason}");
    ExitCode::from(REFUSED)
}

/// Why a command stopped: a refusal (exit 2, the reason on stderr) or a failure (exit 1).
pub enum Fail {
    Refused(String),
    Other(anyhow::Error),
}

impl From<zp_app::AppError> for Fail {
    fn from(e: zp_app::AppError) -> Fail {
        match e {
            zp_app::AppError::Invalid(m) | zp_app::AppError::NotFound(m) => Fail::Refused(m),
            e => Fail::Other(e.into()),
        }
    }
}

impl From<anyhow::Error> for Fail {
    fn from(e: anyhow::Error) -> Fail {
        Fail::Other(e)
    }
}

/// Now, in seconds since the Unix epoch (0 on a clock set before it): the time stamp of
/// registry operations.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The exit status of a command that may be refused.
pub fn finish(r: Result<(), Fail>) -> anyhow::Result<ExitCode> {
    match r {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(Fail::Refused(m)) => Ok(refuse(m)),
        Err(Fail::Other(e)) => Err(e),
    }
}

/// The enterprise credit code given as `flag`, or a refusal naming the flag.
pub fn credit_code(s: &str, flag: &str) -> Result<zp_domain::CreditCode, Fail> {
    zp_domain::CreditCode::parse(s).map_err(|e| Fail::Refused(format!("{flag} {s}: {e}")))
}

//! The records of transfers: receivers' permits, whitelist agreements, applications with
//! their two decisions, manifests. Shared by the core, the store and the use cases.

use crate::WasteError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use zp_domain::time::Date;
use zp_domain::{Calendar, CreditCode, Region};

/// A receiver's hazardous waste operating permit (危险废物经营许可证).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permit {
    pub permit_no: String,
    /// The receiver holding it.
    pub holder: CreditCode,
    /// The province the facility is in.
    pub province: Region,
    /// Codes (`900-249-08`) and whole categories (`HW08`) it may accept.
    pub codes: Vec<String>,
    /// Approved annual operating capacity (年经营规模), tonnes.
    pub capacity_t: Decimal,
    pub valid_from: Date,
    pub valid_to: Date,
    pub source: String,
}

impl Permit {
    pub fn covers(&self, code: &str) -> bool {
        crate::catalog::scope_covers(&self.codes, code)
    }

    /// Valid on every day of `[from, to]`.
    pub fn valid_through(&self, from: Date, to: Date) -> bool {
        self.valid_from <= from && to <= self.valid_to
    }
}

/// One generator/receiver pair of a whitelist agreement (白名单) between two provinces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhitelistEntry {
    pub agreement: String,
    pub from_province: Region,
    pub to_province: Region,
    pub generator: CreditCode,
    pub receiver: CreditCode,
    /// Codes and categories the pair may move under the agreement.
    pub codes: Vec<String>,
    /// Tonnes the pair may move per calendar year under the agreement.
    pub yearly_cap_t: Decimal,
    pub valid_from: Date,
    pub valid_to: Date,
    pub source: String,
}

impl WhitelistEntry {
    pub fn covers(&self, code: &str) -> bool {
        crate::catalog::scope_covers(&self.codes, code)
    }

    pub fn valid_through(&self, from: Date, to: Date) -> bool {
        self.valid_from <= from && to <= self.valid_to
    }
}

/// A generator's declared waste of a year (产废单位申报的危险废物): one code and the
/// tonnes it expects to generate in the year. Applications of the year for the code may
/// not exceed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    pub generator: CreditCode,
    /// An 8-digit code of the list (`900-249-08`), never a whole category.
    pub code: String,
    pub year: i32,
    /// Declared annual tonnes.
    pub annual_t: Decimal,
    pub source: String,
}

/// The province deciding: the exporting one (移出地) or the importing one (接受地).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Export,
    Import,
}

impl Side {
    pub fn parse(s: &str) -> Result<Side, WasteError> {
        match s {
            "export" => Ok(Side::Export),
            "import" => Ok(Side::Import),
            _ => Err(WasteError::Refused(format!(
                "side {s:?}: use export (移出地) or import (接受地)"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Export => "export",
            Side::Import => "import",
        }
    }
}

/// What the transferred waste is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Purpose {
    /// 利用.
    Utilise,
    /// 处置.
    Dispose,
}

impl Purpose {
    pub fn parse(s: &str) -> Result<Purpose, WasteError> {
        match s {
            "utilise" | "utilize" => Ok(Purpose::Utilise),
            "dispose" => Ok(Purpose::Dispose),
            _ => Err(WasteError::Refused(format!(
                "purpose {s:?}: use utilise (利用) or dispose (处置)"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Utilise => "utilise",
            Purpose::Dispose => "dispose",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Approved,
    Rejected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
        }
    }
}

/// One province's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Decision {
    pub approved: bool,
    /// Why it was rejected.
    pub reason: Option<String>,
    pub on: Date,
    pub actor: String,
}

/// One automatic check of an application and what it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Check {
    pub check: String,
    pub passed: bool,
    pub detail: String,
}

/// What an applicant submits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplication {
    pub generator: CreditCode,
    pub receiver: CreditCode,
    pub code: String,
    pub tonnes_t: Decimal,
    pub from_province: Region,
    pub to_province: Region,
    pub submitted_on: Date,
    /// Last day of the planned transfer period (default: 31 December of the submission year).
    pub planned_to: Option<Date>,
    pub transport: String,
    pub purpose: Purpose,
}

/// What the automatic checks decided about a new application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planned {
    pub permit_no: String,
    pub whitelisted: bool,
    pub whitelist_agreement: Option<String>,
    pub planned_to: Date,
    pub due_on: Date,
    pub checks: Vec<Check>,
}

/// A stored application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Application {
    pub id: i64,
    pub generator: CreditCode,
    pub receiver: CreditCode,
    pub code: String,
    pub tonnes_t: Decimal,
    pub from_province: Region,
    pub to_province: Region,
    pub submitted_on: Date,
    pub planned_to: Date,
    pub transport: String,
    pub purpose: Purpose,
    pub permit_no: String,
    pub whitelisted: bool,
    pub whitelist_agreement: Option<String>,
    pub due_on: Date,
    pub checks: Vec<Check>,
    pub export: Option<Decision>,
    pub import: Option<Decision>,
}

impl Application {
    /// Rejected when either province rejected, approved when both approved.
    pub fn status(&self) -> Status {
        match (&self.export, &self.import) {
            (Some(e), _) if !e.approved => Status::Rejected,
            (_, Some(i)) if !i.approved => Status::Rejected,
            (Some(_), Some(_)) => Status::Approved,
            _ => Status::Pending,
        }
    }

    pub fn decision(&self, side: Side) -> Option<&Decision> {
        match side {
            Side::Export => self.export.as_ref(),
            Side::Import => self.import.as_ref(),
        }
    }

    /// The day the application was settled: the later decision when approved, the
    /// rejection's day when rejected.
    pub fn decided_on(&self) -> Option<Date> {
        match self.status() {
            Status::Pending => None,
            Status::Approved => self
                .export
                .iter()
                .chain(self.import.iter())
                .map(|d| d.on)
                .max(),
            Status::Rejected => self
                .export
                .iter()
                .chain(self.import.iter())
                .filter(|d| !d.approved)
                .map(|d| d.on)
                .min(),
        }
    }

    /// Working days from the submission day to the settling decision (`None` while pending).
    pub fn working_days_taken(&self, calendar: &Calendar) -> Result<Option<i64>, WasteError> {
        match self.decided_on() {
            Some(d) => Ok(Some(calendar.working_days_between(self.submitted_on, d)?)),
            None => Ok(None),
        }
    }

    /// Settled after its due date, or still pending after it on `today`.
    pub fn overdue(&self, today: Date) -> bool {
        match self.decided_on() {
            Some(d) => d > self.due_on,
            None => today > self.due_on,
        }
    }
}

/// An electronic transfer manifest (危险废物转移联单) of one shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub id: i64,
    pub application_id: i64,
    pub shipped_t: Decimal,
    pub shipped_on: Date,
    /// Carriers in order (运输单位).
    pub transporters: Vec<String>,
    pub received_t: Option<Decimal>,
    pub received_on: Option<Date>,
    /// The received weight differs from the shipped one beyond the tolerance.
    pub discrepancy: bool,
}

/// How much of a permit's or an agreement's yearly amount an application takes:
/// received tonnes of its received manifests, plus what is approved or pending and not
/// yet received (the approved tonnes less the shipped tonnes of received manifests).
/// Rejected applications take nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Usage {
    pub tonnes_t: Decimal,
    pub received_t: Decimal,
    /// Shipped tonnes of the manifests already received.
    pub received_shipped_t: Decimal,
    pub rejected: bool,
}

impl Usage {
    pub fn used_t(&self) -> Decimal {
        if self.rejected {
            return Decimal::ZERO;
        }
        self.received_t + (self.tonnes_t - self.received_shipped_t).max(Decimal::ZERO)
    }
}

/// An application of the same year that counts against a permit or an agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Load {
    pub permit_no: String,
    /// The application's waste code.
    pub code: String,
    pub whitelist_agreement: Option<String>,
    pub generator: CreditCode,
    pub receiver: CreditCode,
    pub usage: Usage,
}

//! Compliance (履约) of one enterprise in one scheme and year: verified emissions, what was
//! surrendered, the offset cap, the shortfall and the status against the deadline.

use crate::error::AssetError;
use crate::ledger::Ledger;
use serde::Serialize;
use zp_domain::CreditCode;
use zp_domain::time::Date;

/// Where the emissions figure came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmissionsSource {
    /// A verifier's figure entered with `compliance set-verified` (核查结果).
    Verifier,
    /// The platform's own accounts (the enterprise's inventory), when no verifier's figure
    /// is entered yet.
    Accounts,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplianceState {
    /// Allowances plus counted offsets cover the emissions.
    Compliant,
    /// Not covered yet; the deadline has not passed (or is not known).
    Short,
    /// Not covered and the deadline has passed.
    Late,
    /// No emissions figure at all.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ComplianceStatus {
    pub scheme: String,
    pub org: String,
    pub year: i32,
    pub verified_tco2: Option<u64>,
    pub emissions_source: EmissionsSource,
    /// Tonnes to surrender: equal to the emissions (第二十八条: 清缴量应当大于等于 ... 实际排放量).
    pub obligation_t: Option<u64>,
    pub surrendered_allowances_t: u64,
    pub surrendered_offsets_t: u64,
    /// Offsets count up to this many tonnes; `None` when the scheme's cap is not sourced or
    /// there is no emissions figure.
    pub offset_cap_t: Option<u64>,
    pub offset_cap_source: String,
    pub offsets_counted_t: u64,
    pub shortfall_t: Option<u64>,
    pub deadline: Option<String>,
    pub status: ComplianceState,
}

impl Ledger {
    /// The compliance position. `accounts_tco2` is the accounts' figure used when no
    /// verifier's figure is entered; `today` decides `late`.
    pub fn compliance(
        &self,
        scheme: &str,
        org: &CreditCode,
        year: i32,
        accounts_tco2: Option<u64>,
        today: Date,
    ) -> Result<ComplianceStatus, AssetError> {
        let s = self.catalog().known_scheme(scheme)?;
        let (emissions, source) = match (self.verified_tco2(scheme, org, year), accounts_tco2) {
            (Some(v), _) => (Some(v), EmissionsSource::Verifier),
            (None, Some(a)) => (Some(a), EmissionsSource::Accounts),
            (None, None) => (None, EmissionsSource::None),
        };
        let (allowances, offsets) = self.surrendered_t(scheme, org, year);
        let cap = emissions.and_then(|e| s.offset_cap_t(e));
        let counted = offsets.min(cap.unwrap_or(0));
        let shortfall = emissions.map(|e| e.saturating_sub(allowances + counted));
        let deadline = self.deadline(scheme, year).map(str::to_string);
        let passed = deadline
            .as_deref()
            .and_then(|d| d.parse::<Date>().ok())
            .is_some_and(|d| today > d);
        let status = match shortfall {
            None => ComplianceState::Unknown,
            Some(0) => ComplianceState::Compliant,
            Some(_) if passed => ComplianceState::Late,
            Some(_) => ComplianceState::Short,
        };
        Ok(ComplianceStatus {
            scheme: scheme.into(),
            org: org.to_string(),
            year,
            verified_tco2: emissions,
            emissions_source: source,
            obligation_t: emissions,
            surrendered_allowances_t: allowances,
            surrendered_offsets_t: offsets,
            offset_cap_t: cap,
            offset_cap_source: s.offset_cap_source.clone(),
            offsets_counted_t: counted,
            shortfall_t: shortfall,
            deadline,
            status,
        })
    }
}

//! Bank reporting: the carbon-reduction loan report (碳减排贷款报告) and PCAF financed
//! emissions.
//!
//! **Carbon-reduction loans.** Each disbursed loan reports its amount, outstanding
//! balance and the annual reduction it drives. A loan drives the project's expected annual
//! reduction in proportion to its share of the project's capex, capped at 100 %:
//! `attributed = reduction x min(1, amount / capex)` (so two banks financing one project
//! never report more than the project's reduction between them).
//!
//! **PCAF** (Global GHG Accounting and Reporting Standard for the Financial Industry,
//! business loans and unlisted equity): `attribution = outstanding / (equity + debt)` of
//! the borrower, `financed = attribution x borrower emissions` (Scope 1 + 2). Data quality
//! 1-5 per the standard's score table for business loans:
//!
//! | score | option | emissions from |
//! |---|---|---|
//! | 1 | 1a | reported by the borrower and verified by a third party |
//! | 2 | 1b / 2a | reported, unverified; or computed from the borrower's primary energy data (its ledgers) with emission factors |
//! | 3 | 2b | computed from production data with production-based emission factors |
//! | 4 | 3a | revenue x sector emission factor, with the borrower's revenue |
//! | 5 | 3b/3c | outstanding amount or asset turnover x sector emission factor |
//!
//! The portfolio score is the average weighted by outstanding amount, as PCAF recommends.

use crate::FinanceError;
use serde::{Deserialize, Serialize};
use zp_domain::Decimal;

/// One disbursed loan in the carbon-reduction loan report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LoanLine {
    pub application_id: i64,
    pub borrower: String,
    pub borrower_name: String,
    pub project_id: String,
    pub project_name: String,
    pub product_id: String,
    pub categories: Vec<String>,
    pub amount_fen: i64,
    pub outstanding_fen: i64,
    pub annual_rate_pct: Option<Decimal>,
    pub project_capex_yuan: Decimal,
    pub project_annual_reduction_tco2: Decimal,
    /// The reduction this loan drives (see the module docs).
    pub attributed_annual_reduction_tco2: Decimal,
    /// Monitored reduction to date (MRV), when monitored.
    pub monitored_tco2: Option<Decimal>,
}

impl LoanLine {
    /// Fills `attributed_annual_reduction_tco2` from the other fields.
    pub fn attribute(mut self) -> LoanLine {
        let share = if self.project_capex_yuan.is_zero() {
            Decimal::ONE
        } else {
            (crate::money::fen_to_yuan(self.amount_fen) / self.project_capex_yuan).min(Decimal::ONE)
        };
        self.attributed_annual_reduction_tco2 = self.project_annual_reduction_tco2 * share;
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LoanReport {
    pub bank: String,
    pub loans: usize,
    pub lines: Vec<LoanLine>,
    pub total_amount_fen: i64,
    pub total_outstanding_fen: i64,
    pub total_attributed_annual_reduction_tco2: Decimal,
    pub total_monitored_tco2: Decimal,
}

/// Sums the lines of a bank's report.
pub fn loan_report(bank: &str, lines: Vec<LoanLine>) -> LoanReport {
    LoanReport {
        bank: bank.into(),
        loans: lines.len(),
        total_amount_fen: lines.iter().map(|l| l.amount_fen).sum(),
        total_outstanding_fen: lines.iter().map(|l| l.outstanding_fen).sum(),
        total_attributed_annual_reduction_tco2: lines
            .iter()
            .map(|l| l.attributed_annual_reduction_tco2)
            .sum(),
        total_monitored_tco2: lines.iter().filter_map(|l| l.monitored_tco2).sum(),
        lines,
    }
}

/// Where a borrower's emissions come from (PCAF business loans).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DataQuality {
    /// 1a: reported and verified.
    VerifiedReported,
    /// 1b: reported, unverified.
    UnverifiedReported,
    /// 2a: primary energy consumption data x emission factors (zeropark's ledgers).
    EnergyActivity,
    /// 2b: production data x production-based factors.
    ProductionActivity,
    /// 3a: revenue x sector factor.
    RevenueBased,
    /// 3b/3c: asset turnover or outstanding x sector factor.
    AssetBased,
}

impl DataQuality {
    pub const ALL: [DataQuality; 6] = [
        DataQuality::VerifiedReported,
        DataQuality::UnverifiedReported,
        DataQuality::EnergyActivity,
        DataQuality::ProductionActivity,
        DataQuality::RevenueBased,
        DataQuality::AssetBased,
    ];

    pub fn key(self) -> &'static str {
        match self {
            DataQuality::VerifiedReported => "verified_reported",
            DataQuality::UnverifiedReported => "unverified_reported",
            DataQuality::EnergyActivity => "energy_activity",
            DataQuality::ProductionActivity => "production_activity",
            DataQuality::RevenueBased => "revenue_based",
            DataQuality::AssetBased => "asset_based",
        }
    }

    pub fn parse(s: &str) -> Option<DataQuality> {
        DataQuality::ALL.into_iter().find(|d| d.key() == s.trim())
    }

    pub fn score(self) -> u8 {
        match self {
            DataQuality::VerifiedReported => 1,
            DataQuality::UnverifiedReported | DataQuality::EnergyActivity => 2,
            DataQuality::ProductionActivity => 3,
            DataQuality::RevenueBased => 4,
            DataQuality::AssetBased => 5,
        }
    }
}

/// A loan to a borrower as PCAF needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exposure {
    pub loan: String,
    pub borrower: String,
    pub outstanding_yuan: Decimal,
    /// Borrower's total equity at the reporting date, yuan.
    pub equity_yuan: Decimal,
    /// Borrower's total debt, yuan.
    pub debt_yuan: Decimal,
    /// Borrower's Scope 1 + 2 emissions of the year, tCO2.
    pub emissions_tco2: Decimal,
    pub data_quality: DataQuality,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PcafLine {
    pub loan: String,
    pub borrower: String,
    pub outstanding_yuan: Decimal,
    pub equity_plus_debt_yuan: Decimal,
    pub attribution: Decimal,
    pub emissions_tco2: Decimal,
    pub financed_tco2: Decimal,
    pub data_quality: DataQuality,
    pub data_quality_score: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PcafReport {
    pub bank: String,
    pub year: i32,
    pub lines: Vec<PcafLine>,
    pub outstanding_yuan: Decimal,
    pub financed_tco2: Decimal,
    /// Financed tCO2 per million yuan outstanding (economic emission intensity).
    pub tco2_per_million_yuan: Option<Decimal>,
    /// Outstanding-weighted data quality score.
    pub weighted_data_quality: Option<Decimal>,
    pub notes: Vec<String>,
}

/// PCAF financed emissions of a portfolio.
pub fn pcaf(bank: &str, year: i32, exposures: &[Exposure]) -> Result<PcafReport, FinanceError> {
    let mut lines = Vec::with_capacity(exposures.len());
    let mut notes = Vec::new();
    for e in exposures {
        let evic = e.equity_yuan + e.debt_yuan;
        if evic <= Decimal::ZERO {
            return Err(FinanceError::Pcaf(format!(
                "loan {}: borrower {} has equity + debt {evic} yuan; it must be positive",
                e.loan, e.borrower
            )));
        }
        if e.outstanding_yuan < Decimal::ZERO || e.emissions_tco2 < Decimal::ZERO {
            return Err(FinanceError::Pcaf(format!(
                "loan {}: negative outstanding or emissions",
                e.loan
            )));
        }
        let attribution = e.outstanding_yuan / evic;
        if attribution > Decimal::ONE {
            notes.push(format!(
                "loan {}: outstanding exceeds the borrower's equity + debt (attribution {}); check the balance sheet",
                e.loan,
                attribution.round_dp(4)
            ));
        }
        lines.push(PcafLine {
            loan: e.loan.clone(),
            borrower: e.borrower.clone(),
            outstanding_yuan: e.outstanding_yuan,
            equity_plus_debt_yuan: evic,
            attribution,
            emissions_tco2: e.emissions_tco2,
            financed_tco2: attribution * e.emissions_tco2,
            data_quality: e.data_quality,
            data_quality_score: e.data_quality.score(),
        });
    }
    let outstanding: Decimal = lines.iter().map(|l| l.outstanding_yuan).sum();
    let financed: Decimal = lines.iter().map(|l| l.financed_tco2).sum();
    let nonzero = !outstanding.is_zero();
    Ok(PcafReport {
        bank: bank.into(),
        year,
        outstanding_yuan: outstanding,
        financed_tco2: financed,
        tco2_per_million_yuan: nonzero.then(|| financed * Decimal::from(1_000_000) / outstanding),
        weighted_data_quality: nonzero.then(|| {
            lines
                .iter()
                .map(|l| Decimal::from(l.data_quality_score) * l.outstanding_yuan)
                .sum::<Decimal>()
                / outstanding
        }),
        lines,
        notes,
    })
}

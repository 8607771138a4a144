//! MRV after disbursement (贷后监测): monthly monitored reductions from metered ledgers,
//! compared with the expected reduction, with an alert when a project falls behind.
//!
//! For each month m from the first month of operation:
//! - **baseline-adjusted** = the project's annual baseline / 12, scaled by
//!   `output_m / (driver.baseline_annual / 12)` when the project has a production driver
//!   and the month's output is known (scale 1 otherwise);
//! - **actual** = the activity lines of month m for the carriers inside the project
//!   boundary (`Project::carriers`): metered energy of the project's linked meters, or the
//!   enterprise's ledger (the caller chooses; each line's `source` says which);
//! - both run through the accounting engine with the same pinned factors (the month's year);
//! - **monitored** = baseline-adjusted - actual (Scope 1 + Scope 2 location-based, tCO2);
//! - **expected** = expected annual reduction / 12, scaled by the same driver;
//! - the project is behind when cumulative monitored < threshold x cumulative expected
//!   (default threshold 90 %). A month without ledger lines counts zero monitored
//!   reduction and is listed as missing.

use crate::FinanceError;
use crate::project::{Project, Reduction, month_inventory};
use crate::schedule::next_month;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use zp_accounting::{ActivityLine, FactorUse, Options, OrgInput, compute};
use zp_domain::{Decimal, Period};
use zp_factors::{Catalog, Pins};

/// One monitored month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MrvMonth {
    pub period: Period,
    pub driver_scale: Decimal,
    pub baseline_tco2: Decimal,
    pub actual_tco2: Decimal,
    pub monitored_tco2: Decimal,
    pub expected_tco2: Decimal,
    pub energy_saved_tce: Decimal,
    pub cumulative_monitored_tco2: Decimal,
    pub cumulative_expected_tco2: Decimal,
    /// No ledger line of the project's carriers for the month.
    pub missing: bool,
    pub behind: bool,
    /// Ids of the ledger rows used (lineage).
    pub inputs: Vec<i64>,
    /// Where each input line came from (`file:row` of a ledger row, or the meter, month and
    /// intervals of metered energy).
    #[serde(default)]
    pub sources: Vec<String>,
}

/// Monitored against expected, to date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MrvReport {
    pub project_id: String,
    pub threshold: Decimal,
    pub months: Vec<MrvMonth>,
    pub monitored_tco2: Decimal,
    pub expected_tco2: Decimal,
    /// Cumulative monitored / cumulative expected.
    pub performance: Option<Decimal>,
    pub alert: Option<String>,
    pub notes: Vec<String>,
    /// The catalog factors (id, value, year, source) the baseline and actual figures used.
    #[serde(default)]
    pub factors: Vec<FactorUse>,
}

/// Default alert threshold: 90 % of expected.
pub fn default_threshold() -> Decimal {
    Decimal::new(90, 2)
}

/// Monitors `project` from its first month of operation to `to` (inclusive).
///
/// `ledger`: the enterprise's ledger lines (any years; other carriers are ignored);
/// `output`: the production driver per month, when known.
pub fn monitor(
    project: &Project,
    expected: &Reduction,
    ledger: &[ActivityLine],
    output: &BTreeMap<Period, Decimal>,
    to: Period,
    threshold: Decimal,
    catalog: &Catalog,
) -> Result<MrvReport, FinanceError> {
    let carriers = project.carriers();
    let mut pins = Pins::default();
    let mut months = Vec::new();
    let mut notes = Vec::new();
    let (mut cum_m, mut cum_e) = (Decimal::ZERO, Decimal::ZERO);
    let twelve = Decimal::from(12);
    let mut first_behind: Option<Period> = None;
    let mut factors: BTreeMap<String, FactorUse> = BTreeMap::new();
    let mut p = project.operation_start;
    while p <= to {
        // The month's share of the annual baseline, as an exact fraction: output_m / annual
        // baseline output with a driver, 1/12 otherwise.
        let share = match (&project.driver, output.get(&p)) {
            (Some(d), Some(out)) => (*out, d.baseline_annual),
            (Some(d), None) => {
                notes.push(format!(
                    "{p}: no {} output recorded; baseline not scaled",
                    d.name
                ));
                (Decimal::ONE, twelve)
            }
            (None, _) => (Decimal::ONE, twelve),
        };
        let scale = share.0 * twelve / share.1;
        let base = month_inventory(project, p, &project.baseline, share, catalog, &mut pins)?;
        let lines: Vec<ActivityLine> = ledger
            .iter()
            .filter(|l| l.period == p && carriers.contains(&l.carrier))
            .cloned()
            .collect();
        let missing = lines.is_empty();
        let inputs = lines.iter().map(|l| l.id).filter(|id| *id > 0).collect();
        let sources = lines.iter().map(|l| l.source.clone()).collect();
        let actual = compute(
            &OrgInput {
                org: project.org.clone(),
                name: project.name.clone(),
                region: project.region,
                year: p.year(),
                lines,
                output_value_10k_yuan: None,
                onsite_certificates_sold_mwh: zp_domain::Decimal::ZERO,
            },
            catalog,
            &mut pins,
            Options::default(),
        )?;
        let monitored = if missing {
            Decimal::ZERO
        } else {
            base.total_location_tco2() - actual.total_location_tco2()
        };
        let expected_m = expected.total_tco2 * share.0 / share.1;
        cum_m += monitored;
        cum_e += expected_m;
        let behind = cum_m < threshold * cum_e;
        if behind && first_behind.is_none() {
            first_behind = Some(p);
        }
        if !behind {
            first_behind = None;
        }
        months.push(MrvMonth {
            period: p,
            driver_scale: scale,
            baseline_tco2: base.total_location_tco2(),
            actual_tco2: actual.total_location_tco2(),
            monitored_tco2: monitored,
            expected_tco2: expected_m,
            energy_saved_tce: if missing {
                Decimal::ZERO
            } else {
                base.energy_tce - actual.energy_tce
            },
            cumulative_monitored_tco2: cum_m,
            cumulative_expected_tco2: cum_e,
            missing,
            behind,
            inputs,
            sources,
        });
        for f in base.factors.iter().chain(&actual.factors) {
            factors.entry(f.id.clone()).or_insert_with(|| f.clone());
        }
        for n in base.notes.iter().chain(&actual.notes) {
            if !notes.contains(n) {
                notes.push(n.clone());
            }
        }
        p = next_month(p);
    }
    let performance = (!cum_e.is_zero()).then(|| cum_m / cum_e);
    let alert = match (months.last(), first_behind) {
        (Some(last), Some(since)) if last.behind => Some(format!(
            "behind since {since}: {} tCO2 monitored is {}% of the {} tCO2 expected to {} (threshold {}%)",
            cum_m.round_dp(2).normalize(),
            performance
                .unwrap_or_default()
                .checked_mul(Decimal::ONE_HUNDRED)
                .unwrap_or_default()
                .round_dp(1)
                .normalize(),
            cum_e.round_dp(2).normalize(),
            last.period,
            (threshold * Decimal::ONE_HUNDRED).normalize()
        )),
        _ => None,
    };
    if months.is_empty() {
        notes.push(format!(
            "operation starts {}, after {to}: nothing to monitor yet",
            project.operation_start
        ));
    }
    Ok(MrvReport {
        project_id: project.id.clone(),
        threshold,
        months,
        monitored_tco2: cum_m,
        expected_tco2: cum_e,
        performance,
        alert,
        notes,
        factors: factors.into_values().collect(),
    })
}

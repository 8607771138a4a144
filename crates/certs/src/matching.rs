//! Hourly matching (24/7 CFE, 逐时匹配): retire a consumer's certificates hour by hour
//! against its metered load, and report matched energy, CFE score and the annual
//! (volumetric) match ratio.

use crate::error::CertError;
use crate::event::{Actor, Change, Consumption, Draft};
use crate::ids::BundleId;
use crate::state::{Registry, Status};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use zp_domain::CreditCode;

/// Metered consumption of one hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourlyLoad {
    /// UTC epoch seconds, aligned to the hour.
    pub hour_start: i64,
    pub load_wh: u64,
}

/// Inputs of one hour for [`cfe_figures`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HourInput {
    pub hour_start: i64,
    pub load_wh: u64,
    /// Certificates produced in this hour and cancelled for this consumer and hour.
    pub retired_wh: u64,
    /// Certificates produced in this hour still active in the consumer's account
    /// (counted by the annual ratio only, never by the hourly figures).
    pub unretired_wh: u64,
    /// Carbon-free share of the grid mix in this hour, 0..=1; `None` when unknown.
    pub grid_cfe_share: Option<Decimal>,
}

/// One hour of a [`MatchReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct HourFigures {
    pub hour_start: i64,
    pub load_wh: u64,
    /// min(load, retired).
    pub matched_wh: u64,
    /// load - matched, supplied by the grid.
    pub grid_wh: u64,
    /// Grid CFE share used (0 when missing or invalid).
    pub grid_cfe_share: Decimal,
    /// matched + share x grid, in Wh.
    pub cfe_wh: Decimal,
}

/// The four headline figures plus the hourly detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MatchReport {
    pub load_mwh: Decimal,
    /// Sum over hours of min(load_h, certificates retired for hour h).
    pub matched_mwh: Decimal,
    /// Sum over hours of (matched_h + grid_cfe_share_h x unmatched_h) / load; `None` when
    /// the load is 0.
    pub cfe_score: Option<Decimal>,
    /// min(1, certificates of the period / load): the volumetric view, which counts excess
    /// in one hour against shortfall in another. `None` when the load is 0.
    pub annual_match_ratio: Option<Decimal>,
    /// Hours whose grid CFE share was missing or outside 0..=1, counted as 0.
    pub missing_grid_cfe_hours: Vec<i64>,
    pub hours: Vec<HourFigures>,
}

fn mwh(wh: u64) -> Decimal {
    Decimal::from(wh) / Decimal::from(1_000_000u64)
}

/// Computes the CFE figures from hourly inputs (the worked example of the reference:
/// load 10,10,10,10; clean 15,10,5,0; grid share 0.3 -> matched 25, score 0.7375, annual
/// ratio 0.75). Excess in one hour is never carried to another.
pub fn cfe_figures(inputs: &[HourInput]) -> MatchReport {
    let mut hours = Vec::with_capacity(inputs.len());
    let mut missing = Vec::new();
    let (mut load, mut matched, mut certs) = (0u64, 0u64, 0u64);
    let mut cfe = Decimal::ZERO;
    for h in inputs {
        let matched_wh = h.load_wh.min(h.retired_wh);
        let grid_wh = h.load_wh - matched_wh;
        let share = match h.grid_cfe_share {
            Some(s) if (Decimal::ZERO..=Decimal::ONE).contains(&s) => s,
            _ => {
                missing.push(h.hour_start);
                Decimal::ZERO
            }
        };
        let cfe_wh = Decimal::from(matched_wh) + share * Decimal::from(grid_wh);
        load += h.load_wh;
        matched += matched_wh;
        certs += h.retired_wh + h.unretired_wh;
        cfe += cfe_wh;
        hours.push(HourFigures {
            hour_start: h.hour_start,
            load_wh: h.load_wh,
            matched_wh,
            grid_wh,
            grid_cfe_share: share,
            cfe_wh,
        });
    }
    let ratio = |x: Decimal| (load > 0).then(|| (x / Decimal::from(load)).normalize());
    MatchReport {
        load_mwh: mwh(load),
        matched_mwh: mwh(matched),
        cfe_score: ratio(cfe),
        annual_match_ratio: ratio(Decimal::from(certs)).map(|r| r.min(Decimal::ONE)),
        missing_grid_cfe_hours: missing,
        hours,
    }
}

fn check_loads(loads: &[HourlyLoad]) -> Result<(), CertError> {
    let mut seen = BTreeSet::new();
    for l in loads {
        let err = |why| CertError::LoadRow {
            hour_start: l.hour_start,
            why,
        };
        if l.hour_start.rem_euclid(3600) != 0 {
            return Err(err("load hour is not aligned to the hour"));
        }
        if !seen.insert(l.hour_start) {
            return Err(err("two load rows for the same hour"));
        }
    }
    Ok(())
}

impl Registry {
    /// Wh produced in `hour_start` and cancelled for `consumer` and that same hour.
    pub fn retired_for_hour(&self, consumer: &CreditCode, hour_start: i64) -> u64 {
        self.bundles_of_hour(hour_start)
            .filter(|b| {
                b.status.retirement().is_some_and(|(c, cons, _)| {
                    c == consumer && cons == Consumption::Hour { hour_start }
                })
            })
            .map(|b| b.energy_wh)
            .sum()
    }

    fn active_for_hour(&self, owner: &CreditCode, hour_start: i64) -> u64 {
        self.bundles_of_hour(hour_start)
            .filter(|b| b.owner == *owner && b.status == Status::Active)
            .map(|b| b.energy_wh)
            .sum()
    }

    /// Plans hourly matching: for each hour, cancels the consumer's own active granular
    /// certificates of that production hour for that hour, up to the load not already
    /// covered by earlier cancellations, splitting the last bundle where needed (lowest
    /// bundle ids first). Running it again plans nothing new.
    pub fn match_hourly(
        &self,
        consumer: &CreditCode,
        loads: &[HourlyLoad],
        at: i64,
    ) -> Result<Vec<Draft>, CertError> {
        check_loads(loads)?;
        let actor = Actor::Account(consumer.clone());
        let mut drafts = Vec::new();
        for l in loads {
            let h = l.hour_start;
            let mut need_wh = l.load_wh.saturating_sub(self.retired_for_hour(consumer, h));
            let candidates: Vec<(BundleId, u64)> = self
                .bundles_of_hour(h)
                .filter(|b| b.owner == *consumer && b.status == Status::Active)
                .map(|b| (b.id, b.energy_wh))
                .collect();
            for (id, energy_wh) in candidates {
                if need_wh == 0 {
                    break;
                }
                if energy_wh > need_wh {
                    drafts.push(Draft {
                        at,
                        actor: actor.clone(),
                        change: Change::Split {
                            bundle_id: id,
                            first_energy_wh: need_wh,
                            new_bundle_id: BundleId(0),
                        },
                    });
                }
                need_wh -= energy_wh.min(need_wh);
                drafts.push(Draft {
                    at,
                    actor: actor.clone(),
                    change: Change::Retired {
                        bundle_id: id,
                        consumer: consumer.clone(),
                        consumption: Consumption::Hour { hour_start: h },
                    },
                });
            }
        }
        Ok(drafts)
    }

    /// Reports matched energy, CFE score and annual ratio for `consumer` over the hours
    /// of `loads`, from the certificates cancelled for it (and, for the annual ratio, those
    /// still active in its account). `grid_cfe_share` maps hour starts to the grid's
    /// carbon-free share; missing hours count 0 and are listed.
    pub fn hourly_report(
        &self,
        consumer: &CreditCode,
        loads: &[HourlyLoad],
        grid_cfe_share: &BTreeMap<i64, Decimal>,
    ) -> Result<MatchReport, CertError> {
        check_loads(loads)?;
        let inputs: Vec<HourInput> = loads
            .iter()
            .map(|l| HourInput {
                hour_start: l.hour_start,
                load_wh: l.load_wh,
                retired_wh: self.retired_for_hour(consumer, l.hour_start),
                unretired_wh: self.active_for_hour(consumer, l.hour_start),
                grid_cfe_share: grid_cfe_share.get(&l.hour_start).copied(),
            })
            .collect();
        Ok(cfe_figures(&inputs))
    }
}

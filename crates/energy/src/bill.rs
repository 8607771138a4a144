//! A time-of-use bill from an interval series of grid import: each interval is priced by
//! the band its start falls in (local time, Asia/Shanghai), in the tariff version in force
//! on that local day (latest `valid_from <= day`). Energy and money are exact: Wh in,
//! kWh and yuan as decimals out, summed without rounding.

use crate::tariff::{Period, TariffVersion, version_on};
use rust_decimal::Decimal;
use serde::Serialize;
use zp_domain::time::{Date, local};

/// Grid import of one interval: its start (UTC epoch seconds) and energy in whole Wh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntervalImport {
    pub start: i64,
    pub wh: u64,
}

/// Energy and cost of one period of the bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct BillPeriod {
    pub period: Period,
    pub period_zh: &'static str,
    pub kwh: Decimal,
    pub cost_yuan: Decimal,
    /// Intervals priced in this period.
    pub intervals: usize,
}

/// A tariff version a bill used and how many intervals it priced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionUse {
    pub valid_from: Date,
    pub intervals: usize,
}

/// The bill of an interval series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bill {
    pub energy_kwh: Decimal,
    pub cost_yuan: Decimal,
    /// Periods with at least one interval, most expensive first.
    pub periods: Vec<BillPeriod>,
    pub versions: Vec<VersionUse>,
    pub intervals: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BillError {
    #[error("no tariff version of {tariff} is in force on {day} (the earliest starts {earliest})")]
    NoVersion {
        tariff: String,
        day: Date,
        earliest: String,
    },
    #[error("tariff {tariff} has no band at {at}: its bands do not tile the day")]
    NoBand { tariff: String, at: String },
}

/// Prices `intervals` with `versions` (the versions of one region and category).
pub fn bill(versions: &[TariffVersion], intervals: &[IntervalImport]) -> Result<Bill, BillError> {
    let mut periods: Vec<BillPeriod> = Period::ALL
        .iter()
        .map(|p| BillPeriod {
            period: *p,
            period_zh: p.name_zh(),
            kwh: Decimal::ZERO,
            cost_yuan: Decimal::ZERO,
            intervals: 0,
        })
        .collect();
    let mut used: Vec<VersionUse> = Vec::new();
    for i in intervals {
        let t = local(i.start);
        let day = t.date();
        let v = version_on(versions, day).ok_or_else(|| BillError::NoVersion {
            tariff: versions
                .first()
                .map(|v| format!("{} {}", v.region.code(), v.category))
                .unwrap_or_else(|| "(none)".into()),
            day,
            earliest: versions
                .iter()
                .map(|v| v.valid_from)
                .min()
                .map(|d| d.to_string())
                .unwrap_or_else(|| "nowhere: no version".into()),
        })?;
        let minute = (t.hour() as u16) * 60 + t.minute() as u16;
        let band = v
            .band_at(t.month() as u8, minute)
            .ok_or_else(|| BillError::NoBand {
                tariff: v.label(),
                at: zp_domain::time::format_local(i.start),
            })?;
        let kwh = Decimal::new(i.wh as i64, 3);
        let p = &mut periods[Period::ALL
            .iter()
            .position(|x| *x == band.period)
            .expect("every period is listed")];
        p.kwh += kwh;
        p.cost_yuan += kwh * band.yuan_per_kwh;
        p.intervals += 1;
        match used.iter_mut().find(|u| u.valid_from == v.valid_from) {
            Some(u) => u.intervals += 1,
            None => used.push(VersionUse {
                valid_from: v.valid_from,
                intervals: 1,
            }),
        }
    }
    periods.retain(|p| p.intervals > 0);
    for p in &mut periods {
        p.kwh = p.kwh.normalize();
        p.cost_yuan = p.cost_yuan.normalize();
    }
    used.sort_by_key(|u| u.valid_from);
    Ok(Bill {
        energy_kwh: periods.iter().map(|p| p.kwh).sum::<Decimal>().normalize(),
        cost_yuan: periods
            .iter()
            .map(|p| p.cost_yuan)
            .sum::<Decimal>()
            .normalize(),
        periods,
        versions: used,
        intervals: intervals.len(),
    })
}

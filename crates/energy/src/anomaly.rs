//! Meter anomalies (计量异常预警): a meter's day against its own recent baseline.
//!
//! The method, stated once (also in `docs/forecast.md`):
//! 1. The day's energy of the meter is compared with the days of the **same kind** (working
//!    day, non-working Saturday, or Sunday and public holiday: [`DayKind`], China's calendar
//!    with its holidays and make-up working days) in the
//!    [`Method::window_days`] before it; at least [`Method::min_reference_days`] of them must
//!    have readings, else the day is not judged (`insufficient_baseline`).
//! 2. Baseline = the median of those days; spread = 1.4826 x the median absolute deviation
//!    (a robust standard deviation), floored at [`Method::spread_floor_share`] of the
//!    baseline so that a very regular meter does not alarm on noise.
//! 3. The day is an anomaly when its robust z-score `(day - baseline) / spread` exceeds
//!    [`Method::z_threshold`] in size **and** it departs from the baseline by more than
//!    [`Method::min_departure_share`] (materiality); a day with no readings while the
//!    baseline is above zero is `missing`.
//!
//! Statistics in f64 (they are scores, not ledger figures); energies in kWh as measured.

use jiff::civil::Date;
use serde::Serialize;
use zp_domain::Calendar;

/// The parameters of the method; [`Method::default`] is what the product uses.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Method {
    pub window_days: usize,
    pub min_reference_days: usize,
    pub z_threshold: f64,
    pub min_departure_share: f64,
    pub spread_floor_share: f64,
}

impl Default for Method {
    fn default() -> Method {
        Method {
            window_days: 35,
            min_reference_days: 4,
            z_threshold: 5.0,
            min_departure_share: 0.25,
            spread_floor_share: 0.03,
        }
    }
}

impl Method {
    pub fn describe(&self) -> String {
        format!(
            "robust z-score of the day's energy against the median of the same kind of day (working day, non-working Saturday, or Sunday and holiday; China's calendar) in the {} days before it (at least {} with readings); spread = 1.4826 x MAD, at least {:.0} % of the median; anomaly when |z| > {} and the departure exceeds {:.0} % of the median; no readings on a day whose baseline is above zero: missing",
            self.window_days,
            self.min_reference_days,
            self.spread_floor_share * 100.0,
            self.z_threshold,
            self.min_departure_share * 100.0
        )
    }
}

/// The kind of a day a meter's day is compared within.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A working day (make-up working days included).
    Working,
    /// A Saturday that is not a working day (many plants run a lighter Saturday).
    Saturday,
    /// Sundays and public holidays.
    Rest,
}

impl DayKind {
    /// The kind of `date` in `calendar` (holidays and make-up working days), by weekday
    /// where the calendar says nothing.
    pub fn of(date: Date, calendar: &Calendar) -> DayKind {
        use jiff::civil::Weekday;
        use zp_domain::calendar::DayKind as Special;
        match calendar.special(date).map(|d| d.kind) {
            Some(Special::Workday) => DayKind::Working,
            Some(Special::Holiday) => DayKind::Rest,
            None => match date.weekday() {
                Weekday::Saturday => DayKind::Saturday,
                Weekday::Sunday => DayKind::Rest,
                _ => DayKind::Working,
            },
        }
    }
}

/// A meter's day: its energy (`None` without any reading) and kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Day {
    pub date: Date,
    pub kwh: Option<f64>,
    pub kind: DayKind,
}

/// What was found on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    High,
    Low,
    Missing,
}

impl Finding {
    pub fn key(self) -> &'static str {
        match self {
            Finding::High => "high",
            Finding::Low => "low",
            Finding::Missing => "missing",
        }
    }
}

/// An anomalous day.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Anomaly {
    pub date: Date,
    pub finding: Finding,
    pub kwh: Option<f64>,
    pub baseline_kwh: f64,
    pub z: Option<f64>,
    pub reference_days: usize,
}

/// The outcome of judging a run of days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judgement {
    pub anomalies: Vec<Anomaly>,
    /// Days judged (a baseline was available).
    pub judged_days: usize,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Judges the days of `days` (consecutive, oldest first) on or after `from`; the days before
/// `from` serve as the baseline only.
pub fn judge(days: &[Day], from: Date, m: &Method) -> Judgement {
    let mut out = Judgement {
        anomalies: Vec::new(),
        judged_days: 0,
    };
    for (i, d) in days.iter().enumerate() {
        if d.date < from {
            continue;
        }
        let start = i.saturating_sub(m.window_days);
        let mut reference: Vec<f64> = days[start..i]
            .iter()
            .filter(|r| r.kind == d.kind)
            .filter_map(|r| r.kwh)
            .collect();
        if reference.len() < m.min_reference_days {
            continue;
        }
        out.judged_days += 1;
        let n = reference.len();
        let baseline = median(&mut reference);
        let mut dev: Vec<f64> = reference.iter().map(|x| (x - baseline).abs()).collect();
        let spread = (1.4826 * median(&mut dev)).max(m.spread_floor_share * baseline.abs());
        let anomaly = |finding, kwh, z| Anomaly {
            date: d.date,
            finding,
            kwh,
            baseline_kwh: baseline,
            z,
            reference_days: n,
        };
        match d.kwh {
            None if baseline > 0.0 => out.anomalies.push(anomaly(Finding::Missing, None, None)),
            None => {}
            Some(x) => {
                if spread <= 0.0 {
                    continue;
                }
                let z = (x - baseline) / spread;
                let material = (x - baseline).abs() > m.min_departure_share * baseline.abs();
                if z.abs() > m.z_threshold && material {
                    let f = if z > 0.0 { Finding::High } else { Finding::Low };
                    out.anomalies.push(anomaly(f, Some(x), Some(z)));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(values: &[Option<f64>]) -> Vec<Day> {
        let start = Date::new(2023, 8, 7).unwrap(); // a Monday; no holiday in the next 5 weeks
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let date = start.checked_add(jiff::Span::new().days(i as i64)).unwrap();
                Day {
                    date,
                    kwh: *v,
                    kind: DayKind::of(date, Calendar::china()),
                }
            })
            .collect()
    }

    /// Working days near 1,000 kWh (990-1,010), weekends at 300. In the fifth week
    /// (Monday = day 28): Tuesday 1,600 is high, Thursday without readings is missing,
    /// Saturday 300 is normal although far from the working-day baseline, Sunday 0 is low
    /// against the weekend's 300.
    #[test]
    fn departures_from_the_same_kind_of_day_are_found() {
        let mut v = Vec::new();
        for i in 0..35 {
            v.push(Some(if i % 7 < 5 {
                1000.0 + (i % 3) as f64 * 10.0 - 10.0
            } else {
                300.0
            }));
        }
        v[29] = Some(1600.0);
        v[31] = None;
        v[34] = Some(0.0);
        let days = run(&v);
        let j = judge(&days, days[28].date, &Method::default());
        let found: Vec<(usize, Finding)> = j
            .anomalies
            .iter()
            .map(|a| {
                (
                    days.iter().position(|d| d.date == a.date).unwrap(),
                    a.finding,
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![
                (29, Finding::High),
                (31, Finding::Missing),
                (34, Finding::Low)
            ],
            "{j:?}"
        );
        assert_eq!(j.judged_days, 7);
    }

    #[test]
    fn a_small_departure_is_not_material_and_no_baseline_no_judgement() {
        let mut v = vec![Some(1000.0); 28];
        v.push(Some(1200.0)); // 20 %: below the 25 % materiality even with z far above 5
        let days: Vec<Day> = run(&v)
            .into_iter()
            .map(|d| Day {
                kind: DayKind::Working,
                ..d
            })
            .collect();
        let j = judge(&days, days[28].date, &Method::default());
        assert!(j.anomalies.is_empty(), "{j:?}");
        let j = judge(&days[25..], days[25].date, &Method::default());
        assert_eq!(j.judged_days, 0);
    }
}

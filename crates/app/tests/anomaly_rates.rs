//! The meter-anomaly method's false-alarm and detection rates, measured on a year of
//! synthetic 15-minute data (`zp_readings::synth`: industrial shapes, China's calendar,
//! cooling load, noise, gaps) for 40 consumption meters: every day from 1 February judged
//! against its own baseline (the figures are written in `docs/forecast.md`).
//!
//! - False alarms: days flagged in the clean data, per meter-day judged. Holidays and the
//!   days around them are real departures from the baseline (a factory shut for the Spring
//!   Festival reads low); they are counted as alarms all the same, so the rate is an upper
//!   bound of what a user sees on a normal day.
//! - Detection: on each meter, one working day in each month from March is faulted (its
//!   energy x 1.6, x 0.4, or no readings, in turn); the share of faults found.

use std::collections::BTreeMap;
use zp_domain::Calendar;
use zp_domain::time::local;
use zp_energy::anomaly::{Day, DayKind, Method, judge};
use zp_readings::synth::{Dataset, MeterRole, SynthConfig};

fn daily(ds: &Dataset, meter: usize) -> BTreeMap<jiff::civil::Date, f64> {
    let mut by_day = BTreeMap::new();
    for r in ds.meter_readings(meter) {
        *by_day.entry(local(r.ts).date()).or_insert(0.0) += r.wh as f64 / 1000.0;
    }
    by_day
}

fn series(by_day: &BTreeMap<jiff::civil::Date, f64>) -> Vec<Day> {
    let cal = Calendar::china();
    let mut d = jiff::civil::date(2023, 1, 1);
    let mut out = Vec::new();
    while d.year() == 2023 {
        out.push(Day {
            date: d,
            kwh: by_day.get(&d).copied(),
            kind: DayKind::of(d, cal),
        });
        d = d.tomorrow().unwrap();
    }
    out
}

#[test]
fn false_alarm_and_detection_rates_on_a_synthetic_year() {
    let ds = Dataset::new(SynthConfig {
        meters: 60,
        ..SynthConfig::default()
    })
    .unwrap();
    let consumption: Vec<usize> = (0..ds.meters().len())
        .filter(|i| ds.meters()[*i].role == MeterRole::Consumption)
        .take(40)
        .collect();
    assert!(
        consumption.len() >= 30,
        "{} consumption meters",
        consumption.len()
    );
    let m = Method::default();
    let from = jiff::civil::date(2023, 2, 1);
    let (mut judged, mut alarms) = (0usize, 0usize);
    let (mut faults, mut found) = (0usize, 0usize);
    for &meter in &consumption {
        let clean = daily(&ds, meter);
        let j = judge(&series(&clean), from, &m);
        judged += j.judged_days;
        alarms += j.anomalies.len();
        if std::env::var("ZP_ANOMALY_DEBUG").is_ok() {
            for a in &j.anomalies {
                println!(
                    "{meter} {} {:?} {:?} {:.0}",
                    a.date, a.finding, a.kwh, a.baseline_kwh
                );
            }
        }

        // Faults: the 10th working day of each month from March, in turn x1.6, x0.4, none.
        let mut faulted = clean.clone();
        let mut injected = Vec::new();
        for (k, month) in (3..=12).enumerate() {
            let day = series(&clean)
                .into_iter()
                .filter(|d| d.date.month() == month && d.kind == DayKind::Working)
                .nth(9)
                .unwrap()
                .date;
            match k % 3 {
                0 => *faulted.get_mut(&day).unwrap() *= 1.6,
                1 => *faulted.get_mut(&day).unwrap() *= 0.4,
                _ => {
                    faulted.remove(&day);
                }
            }
            injected.push(day);
        }
        let j = judge(&series(&faulted), from, &m);
        for day in injected {
            faults += 1;
            if j.anomalies.iter().any(|a| a.date == day) {
                found += 1;
            }
        }
    }
    let false_alarm_rate = alarms as f64 / judged as f64;
    let detection_rate = found as f64 / faults as f64;
    println!(
        "meters {}, meter-days judged {judged}, alarms on clean data {alarms} ({:.2} %), faults {faults}, found {found} ({:.1} %)",
        consumption.len(),
        false_alarm_rate * 100.0,
        detection_rate * 100.0
    );
    // The figures documented in docs/forecast.md; a change of the method or of the
    // generator that moves them must update the document.
    assert!(false_alarm_rate < 0.01, "false alarms {false_alarm_rate}");
    assert!(detection_rate > 0.9, "detection {detection_rate}");
}

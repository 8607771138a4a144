//! Time in Asia/Shanghai (UTC+8, no daylight saving since 1991).
//!
//! Interval data is keyed by UTC epoch seconds; calendar grouping (hour, day, month)
//! always happens in China Standard Time, which is a fixed offset.

use jiff::Timestamp;
pub use jiff::civil::Date;
use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};

/// China Standard Time offset in seconds.
pub const CST_OFFSET_SECONDS: i64 = 8 * 3600;

/// The fixed UTC+8 time zone.
pub fn cst() -> TimeZone {
    TimeZone::fixed(Offset::constant(8))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "time {input:?} is neither RFC 3339 with offset nor local YYYY-MM-DD[T ]HH:MM[:SS] (Asia/Shanghai)"
)]
pub struct TimeError {
    pub input: String,
}

/// Parses an interval start: RFC 3339 with an offset, or a naive local time taken as
/// Asia/Shanghai. Returns UTC epoch seconds.
pub fn parse_timestamp(s: &str) -> Result<i64, TimeError> {
    let t = s.trim();
    let err = || TimeError {
        input: t.to_string(),
    };
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts.as_second());
    }
    let dt: DateTime = t.parse().map_err(|_| err())?;
    Ok(dt
        .to_zoned(cst())
        .map_err(|_| err())?
        .timestamp()
        .as_second())
}

/// Local (UTC+8) civil date-time of an epoch second.
pub fn local(epoch_seconds: i64) -> DateTime {
    let ts = Timestamp::from_second(epoch_seconds).expect("epoch seconds in range");
    ts.to_zoned(cst()).datetime()
}

/// Formats epoch seconds as RFC 3339 in UTC+8, e.g. `2023-07-10T10:00:00+08:00`.
pub fn format_local(epoch_seconds: i64) -> String {
    let dt = local(epoch_seconds);
    format!("{}+08:00", dt.strftime("%Y-%m-%dT%H:%M:%S"))
}

/// Epoch seconds of local midnight starting a civil date `YYYY-MM-DD`.
pub fn local_day_start(date: jiff::civil::Date) -> i64 {
    date.to_zoned(cst())
        .expect("date in range")
        .timestamp()
        .as_second()
}

/// Epoch seconds of the local (UTC+8) year's first midnight and of the next year's:
/// `[from, to)` covers the hours of `year` in Beijing time. Empty (`(0, 0)`) for a year
/// outside the civil calendar's range.
pub fn local_year_bounds(year: i32) -> (i64, i64) {
    let first = |y: i32| {
        i16::try_from(y)
            .ok()
            .and_then(|y| jiff::civil::Date::new(y, 1, 1).ok())
    };
    match (first(year), first(year.saturating_add(1))) {
        (Some(a), Some(b)) => (local_day_start(a), local_day_start(b)),
        _ => (0, 0),
    }
}

/// Start of the local hour containing `epoch_seconds`.
pub fn hour_start(epoch_seconds: i64) -> i64 {
    epoch_seconds.div_euclid(3600) * 3600
}

/// Start of the local day containing `epoch_seconds`.
pub fn day_start(epoch_seconds: i64) -> i64 {
    (epoch_seconds + CST_OFFSET_SECONDS).div_euclid(86_400) * 86_400 - CST_OFFSET_SECONDS
}

/// Today's date in China (Asia/Shanghai), from the system clock.
pub fn today() -> Date {
    local(jiff::Timestamp::now().as_second()).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naive_times_are_shanghai() {
        let a = parse_timestamp("2023-07-10 10:15").unwrap();
        let b = parse_timestamp("2023-07-10T10:15:00+08:00").unwrap();
        let c = parse_timestamp("2023-07-10T02:15:00Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(b, c);
        assert_eq!(format_local(a), "2023-07-10T10:15:00+08:00");
    }

    #[test]
    fn day_boundaries_are_local_midnight() {
        let t = parse_timestamp("2023-03-12T00:30:00+08:00").unwrap();
        assert_eq!(format_local(day_start(t)), "2023-03-12T00:00:00+08:00");
        let t = parse_timestamp("2023-03-11T23:59:59+08:00").unwrap();
        assert_eq!(format_local(day_start(t)), "2023-03-11T00:00:00+08:00");
        assert_eq!(format_local(hour_start(t)), "2023-03-11T23:00:00+08:00");
    }

    #[test]
    fn no_daylight_saving_gap() {
        // Dates where European/US clocks change: Shanghai keeps 24 hours per day.
        for d in ["2023-03-26", "2023-10-29", "2023-03-12", "2023-11-05"] {
            let date: jiff::civil::Date = d.parse().unwrap();
            let start = local_day_start(date);
            let next = local_day_start(date.tomorrow().unwrap());
            assert_eq!(next - start, 86_400, "{d}");
        }
    }

    #[test]
    fn a_local_year_is_its_hours_in_beijing_time() {
        let (from, to) = local_year_bounds(2023);
        assert_eq!(format_local(from), "2023-01-01T00:00:00+08:00");
        assert_eq!(format_local(to), "2024-01-01T00:00:00+08:00");
        assert_eq!((to - from) / 3600, 8760);
        // 2024 is a leap year; the UTC year starts 8 hours later.
        let (from, to) = local_year_bounds(2024);
        assert_eq!((to - from) / 3600, 8784);
        assert_eq!(from, parse_timestamp("2023-12-31T16:00:00Z").unwrap());
        assert_eq!(local_year_bounds(9999), (0, 0));
        assert_eq!(local_year_bounds(i32::MAX), (0, 0));
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(
            parse_timestamp("yesterday").unwrap_err().to_string(),
            "time \"yesterday\" is neither RFC 3339 with offset nor local YYYY-MM-DD[T ]HH:MM[:SS] (Asia/Shanghai)"
        );
        assert_eq!(
            parse_timestamp("2023-02-30T00:00").unwrap_err().to_string(),
            "time \"2023-02-30T00:00\" is neither RFC 3339 with offset nor local YYYY-MM-DD[T ]HH:MM[:SS] (Asia/Shanghai)"
        );
    }
}

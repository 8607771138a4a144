//! The reasons a readings import gives a quarantined row, as `(code, template)` pairs: the
//! English the importer writes, with `{name}` for each value (issue 14: a page recognises
//! the code with [`zp_domain::template::recognise`] and writes the reason again in its
//! language). Quoted values (`"M-1"`) keep their quotes. A test checks that the reasons of
//! the importer's tests are all among these.

pub const REASONS_EN: &[(&str, &str)] = &[
    (
        "readings.short_row",
        "row has fewer fields than the header (meter,ts,kwh)",
    ),
    (
        "readings.long_row",
        "row has more fields than the {columns} columns of the header: a number with a thousands separator (1,000) must be written 1000",
    ),
    (
        "readings.unclosed_quote",
        "a quote (\") is opened and not closed on this line",
    ),
    ("readings.meter_empty", "meter is empty"),
    (
        "readings.meter_spaces",
        "meter {meter} has leading or trailing spaces",
    ),
    (
        "readings.meter_unknown",
        "unknown meter {meter}: register it first with `zeropark import meters`",
    ),
    (
        "readings.meter_not_utf8",
        "meter is not UTF-8 text (readings files must be UTF-8)",
    ),
    ("readings.ts_empty", "ts is empty"),
    ("readings.ts_not_utf8", "ts is not UTF-8 text"),
    (
        "readings.ts_offset",
        "ts {ts} has UTC offset {offset}: offsets run from -23:59 to +23:59",
    ),
    (
        "readings.ts",
        "time {time} is neither RFC 3339 with offset nor local YYYY-MM-DD[T ]HH:MM[:SS] (Asia/Shanghai)",
    ),
    (
        "readings.ts_range",
        "ts is outside the accepted time range {range} (local time)",
    ),
    (
        "readings.ts_grid",
        "{ts} is not the start of a 5, 15, 30 or 60-minute interval",
    ),
    (
        "readings.ts_interval",
        "meter {meter} records {minutes}-minute intervals (fixed by its first import); {ts} is not the start of one",
    ),
    (
        "readings.repeated",
        "meter {meter} at {ts} appears earlier in this file with {kwh} kWh; the first value is kept",
    ),
    ("readings.kwh_empty", "kwh is empty"),
    (
        "readings.kwh_not_number",
        "kwh is not a decimal number (e.g. 12.345)",
    ),
    (
        "readings.kwh_exponent",
        "kwh is written with an exponent (e.g. 1e-30): write a plain decimal number of kWh with at most 3 decimal places",
    ),
    (
        "readings.kwh_separator",
        "kwh contains a thousands separator (,): write 1000, not 1,000 (readings are exact)",
    ),
    (
        "readings.kwh_negative",
        "kwh is negative: interval readings are energy, never below 0",
    ),
    (
        "readings.kwh_precision",
        "kwh has more than 3 decimal places: readings are stored in whole Wh (0.001 kWh)",
    ),
    (
        "readings.kwh_large",
        "kwh is above 100,000 kWh (100 MWh) for one meter and interval: absurd reading",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::ValueError;
    use zp_domain::template::recognise;

    #[test]
    fn every_value_error_and_time_error_is_recognised() {
        let values = [
            ValueError::Empty,
            ValueError::NotNumber,
            ValueError::Exponent,
            ValueError::ThousandsSeparator,
            ValueError::Negative,
            ValueError::TooPrecise,
            ValueError::TooLarge,
        ];
        for v in values {
            assert!(recognise(v.reason(), REASONS_EN).is_some(), "{v:?}");
        }
        for ts in ["noon", "2024-01-01T00:00:00+25:00"] {
            let e = crate::calendar::parse_ts_checked(ts).unwrap_err();
            assert!(recognise(&e, REASONS_EN).is_some(), "{e}");
        }
    }
}

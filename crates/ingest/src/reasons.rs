//! The reasons the validators give a quarantined row, as `(code, template)` pairs: the
//! English they write, with `{name}` for each value (issue 14: a page recognises the code
//! with [`zp_domain::template::recognise`] and writes the reason again in its language).
//! Values quoted in the English (`"lots"`) keep their quotes. The domain's parse errors that
//! a validator passes on as the reason are listed too (`domain.*`). A test checks that every
//! reason of the validators' tests is one of these.

pub const REASONS_EN: &[(&str, &str)] = &[
    // Rows that cannot be read (any table).
    (
        "row.not_utf8",
        "byte {byte} at byte offset {offset} is not UTF-8 (the file is read as UTF-8): this row is not imported",
    ),
    (
        "row.unclosed_quote",
        "the quote (\") opened at character {position} of field {column} is not closed on this line",
    ),
    (
        "row.comma_too_many",
        "row has {fields} fields, the header {columns}: a comma too many (a number such as 1,000 must be written 1000; quote text holding commas)",
    ),
    (
        "row.control_character",
        "{field} contains the control character U+{character} at character {position}: text must be printable",
    ),
    // Enterprises.
    (
        "org.unknown",
        "unknown organisation {code}: register it with `zeropark import orgs` first",
    ),
    ("org.invalid_code", "invalid credit code {code}: {error}"),
    ("org.name_empty", "name is empty"),
    (
        "org.no_province",
        "region is empty and division code {division} names no province",
    ),
    (
        "org.industry",
        "{industry} is not a GB/T 4754 code (e.g. 3011, C3011)",
    ),
    (
        "org.conflict",
        "{code} already appears with different data in row {row}",
    ),
    // Activity ledgers.
    ("quantity.empty", "quantity is empty"),
    (
        "quantity.thousands_separator",
        "{value} contains a thousands separator (,): write the plain number, e.g. 1000 or 1234.5",
    ),
    (
        "quantity.too_precise",
        "{value} is beyond the 28 decimal places and 28 digits a ledger quantity holds exactly",
    ),
    ("quantity.not_a_number", "{value} is not a number"),
    ("quantity.negative", "{value} is negative"),
    ("quantity.implausible", "{value} is implausibly large"),
    (
        "activity.carrier",
        "unknown carrier {carrier} (use a key such as electricity, natural_gas, raw_coal or its Chinese name)",
    ),
    (
        "activity.unit_for_carrier",
        "{unit} is not a unit for {carrier} (expected {dimension}, e.g. {example})",
    ),
    (
        "activity.conflict",
        "conflicts with row {row} of this file for {key}",
    ),
    (
        "steam.pressure_needed",
        "a steam temperature needs its pressure_mpa (absolute)",
    ),
    (
        "steam.only",
        "{field} applies to steam rows only, not {carrier}",
    ),
    (
        "serials.only",
        "serials apply to green_certificate rows only, not {carrier}",
    ),
    (
        "serials.count",
        "names {count} certificate(s) but the quantity is {quantity} certificate(s)",
    ),
    // Meters.
    (
        "meter.id",
        "meter id {id} must be 1-64 characters without commas",
    ),
    (
        "meter.kind",
        "kind {kind} must be consumption, generation, battery_charge or battery_discharge",
    ),
    (
        "meter.source",
        "a generation meter needs its source (solar, wind, hydro, ...)",
    ),
    ("meter.own_parent", "meter {id} cannot be its own parent"),
    ("meter.end_use", "end use {end_use} must be one of {known}"),
    (
        "meter.conflict",
        "meter {id} already appears with different data in row {row}",
    ),
    // Hourly grid factors.
    ("grid.not_hour", "{ts} is not the start of an hour"),
    (
        "grid.factor",
        "{factor} is not a factor between 0 and 2 tCO2/MWh",
    ),
    ("grid.cfe_share", "{share} is not a share between 0 and 1"),
    (
        "grid.conflict",
        "conflicts with row {row} for the same region and hour",
    ),
    // The domain's parse errors, passed on as the reason.
    ("domain.period", "period {period} is not YYYY-MM"),
    ("domain.month", "month {month} is not 01-12"),
    ("domain.year", "year {year} is outside 1990-2100"),
    (
        "domain.unit",
        "unknown unit {unit} (accepted: kWh, MWh, 万kWh, 亿kWh, GJ, MJ, 万kJ, m3 or Nm3, 千m3, 万m3, t, kg, certificate)",
    ),
    (
        "domain.region",
        "unknown region {region}: use a province code such as CQ, SC, BJ (or CN for the nation)",
    ),
    (
        "domain.time",
        "time {time} is neither RFC 3339 with offset nor local YYYY-MM-DD[T ]HH:MM[:SS] (Asia/Shanghai)",
    ),
    (
        "domain.credit_code_length",
        "credit code must be 18 characters, got {length}",
    ),
    (
        "domain.credit_code_character",
        "character {character} at position {position} is not allowed in a credit code (allowed: 0-9 and A-Y without I, O, S, V, Z)",
    ),
    (
        "domain.credit_code_division",
        "division code (positions 3-8) must be 6 digits",
    ),
    (
        "domain.credit_code_check",
        "check character is {got}, expected {expected} (GB 32100-2015)",
    ),
];

/// Fails on a reason of `rejected` (each of its `; `-joined parts) that no template wrote.
#[cfg(test)]
pub(crate) fn assert_recognised(rejected: &[crate::Rejected]) {
    for r in rejected {
        for part in r.reason.split("; ") {
            assert!(
                zp_domain::template::recognise(part, REASONS_EN).is_some(),
                "row {}: no template writes {part:?}",
                r.row
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zp_domain::template::recognise;

    #[test]
    fn codes_are_unique_and_parameters_never_touch() {
        let mut seen = std::collections::HashSet::new();
        for (code, template) in REASONS_EN {
            assert!(seen.insert(code), "{code} twice");
            assert!(
                !template.contains("}{"),
                "{code}: two parameters side by side"
            );
        }
    }

    #[test]
    fn the_domain_errors_passed_on_are_recognised() {
        let errors = [
            zp_domain::Period::parse("2024-13").unwrap_err().to_string(),
            zp_domain::Period::parse("24/01").unwrap_err().to_string(),
            zp_domain::Period::parse("1900-01").unwrap_err().to_string(),
            zp_domain::Unit::parse("bananas").unwrap_err().to_string(),
            zp_domain::Region::parse("XX").unwrap_err().to_string(),
            zp_domain::time::parse_timestamp("noon")
                .unwrap_err()
                .to_string(),
            zp_domain::CreditCode::parse("91500")
                .unwrap_err()
                .to_string(),
            zp_domain::CreditCode::parse("9150010520215380IO")
                .unwrap_err()
                .to_string(),
            zp_domain::CreditCode::parse("91AB0105202153800X")
                .unwrap_err()
                .to_string(),
            zp_domain::CreditCode::parse("915001052021538000")
                .unwrap_err()
                .to_string(),
        ];
        for e in errors {
            assert!(recognise(&e, REASONS_EN).is_some(), "{e}");
        }
    }
}

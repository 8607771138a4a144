//! Reading a tariff file: `region,category,valid_from,months,start,end,period,yuan_per_kwh`,
//! one band a row. Rows of the same (region, category, valid_from) form one version. A
//! tariff is accepted whole or not at all: any bad row, or any month whose bands do not
//! tile the day, refuses the file with every fault named by row ([`TariffFileError`]).

use crate::tariff::{
    Band, DAY_MINUTES, MonthSet, Period, TariffVersion, TilingKind, hhmm, parse_hhmm,
};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use zp_domain::Region;
use zp_domain::template::write;
use zp_domain::time::Date;

/// The columns of a tariff file, in the documented order (the file may order them freely).
pub const COLUMNS: [&str; 8] = [
    "region",
    "category",
    "valid_from",
    "months",
    "start",
    "end",
    "period",
    "yuan_per_kwh",
];

/// The largest price a band may have, in yuan/kWh: larger ones are taken for a price per
/// MWh typed into the kWh column. Negative prices (spot-linked tariffs) are accepted.
pub const MAX_YUAN_PER_KWH: i64 = 100;

/// The faults a tariff file is refused with, as `(code, template)` pairs (issue 14: a page
/// can recognise the code and write the fault in its language). A field's own parse error
/// (months, times, regions) is named after the field, as [`MonthSet::parse`],
/// [`parse_hhmm`] and `zp_domain::Region` word it; a month that does not tile the day after
/// its version's label, as [`crate::tariff::TilingError`] words it.
pub const REASONS_EN: &[(&str, &str)] = &[
    (
        "tariff.columns",
        "missing column(s) {missing}; expected {expected}",
    ),
    ("tariff.header_only", "no bands: the file has a header only"),
    (
        "tariff.region",
        "region: unknown region {region}: use a province code such as CQ, SC, BJ (or CN for the nation)",
    ),
    (
        "tariff.national",
        "region: a tariff belongs to a province, not CN",
    ),
    (
        "tariff.category_empty",
        "category: empty (e.g. large_industrial, general_industrial)",
    ),
    (
        "tariff.category_control",
        "category {category}: control characters",
    ),
    (
        "tariff.valid_from",
        "valid_from {value} is not a date YYYY-MM-DD",
    ),
    ("tariff.month", "months: {value} is not a month 1-12"),
    (
        "tariff.months_empty",
        "months: months {months}: an empty item",
    ),
    (
        "tariff.months_backwards",
        "months: months {months}: range {first}-{last} runs backwards (write {first}-12,1-{last})",
    ),
    (
        "tariff.start_time",
        "start: {value} is not a time HH:MM (00:00 to 24:00)",
    ),
    (
        "tariff.end_time",
        "end: {value} is not a time HH:MM (00:00 to 24:00)",
    ),
    (
        "tariff.start_24",
        "start: 24:00 is the end of the day, not a start",
    ),
    (
        "tariff.end_before_start",
        "end {end} is not after start {start} (a band over midnight is two rows: {start}-24:00 and 00:00-{end})",
    ),
    (
        "tariff.period",
        "period {value}: use peak (尖峰), high (峰), flat (平), valley (谷) or deep_valley (深谷)",
    ),
    ("tariff.price", "yuan_per_kwh {value} is not a number"),
    (
        "tariff.price_range",
        "yuan_per_kwh {value} is beyond ±{max} yuan/kWh (a price per MWh?)",
    ),
    (
        "tariff.gap",
        "{version}: months {months}: no band covers {from}-{to} (the bands of a month must tile the day)",
    ),
    (
        "tariff.overlap",
        "{version}: months {months}: {from}-{to} is covered twice (bands of a month may not overlap) (with row {row})",
    ),
    (
        "tariff.no_bands",
        "{version}: months {months}: no band at all (every month needs bands from 00:00 to 24:00)",
    ),
];

/// One fault of a tariff file: the row (1 = the header, 2 = the first band) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFault {
    pub row: i64,
    pub reason: String,
}

/// A refused tariff file: its name and every fault found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TariffFileError {
    pub file: String,
    pub faults: Vec<RowFault>,
}

impl fmt::Display for TariffFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: tariff refused ({} fault(s); a tariff file is accepted whole or not at all)",
            self.file,
            self.faults.len()
        )?;
        for x in &self.faults {
            write!(f, "\n  {}: row {}: {}", self.file, x.row, x.reason)?;
        }
        Ok(())
    }
}

/// Parses and validates a tariff table (headers, and rows with their row numbers in the
/// file, as read by the caller). `file`
/// names the file in the error. Returns the versions in (region, category, valid_from)
/// order, their bands ordered by start time and months.
pub fn parse_tariffs(
    file: &str,
    headers: &[String],
    rows: &[(i64, Vec<String>)],
) -> Result<Vec<TariffVersion>, TariffFileError> {
    let refuse = |faults: Vec<RowFault>| TariffFileError {
        file: file.to_string(),
        faults,
    };
    let norm: Vec<String> = headers
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let mut col = [0usize; 8];
    let mut missing = Vec::new();
    for (i, name) in COLUMNS.iter().enumerate() {
        match norm.iter().position(|h| h == name) {
            Some(p) => col[i] = p,
            None => missing.push(*name),
        }
    }
    if !missing.is_empty() {
        return Err(refuse(vec![RowFault {
            row: 1,
            reason: write(
                REASONS_EN,
                "tariff.columns",
                &[
                    ("missing", &missing.join(", ")),
                    ("expected", &COLUMNS.join(",")),
                ],
            ),
        }]));
    }
    if rows.is_empty() {
        return Err(refuse(vec![RowFault {
            row: 1,
            reason: write(REASONS_EN, "tariff.header_only", &[]),
        }]));
    }

    type Key = (String, String, Date);
    let mut faults = Vec::new();
    let mut versions: BTreeMap<Key, (Region, Vec<(i64, Band)>)> = BTreeMap::new();
    for (row, r) in rows {
        let row = *row;
        match parse_row(r, &col) {
            Ok((region, category, valid_from, band)) => {
                versions
                    .entry((region.code().to_string(), category, valid_from))
                    .or_insert_with(|| (region, Vec::new()))
                    .1
                    .push((row, band));
            }
            Err(reason) => faults.push(RowFault { row, reason }),
        }
    }

    let mut out = Vec::new();
    for ((_, category, valid_from), (region, bands)) in versions {
        let rows_of: Vec<i64> = bands.iter().map(|(r, _)| *r).collect();
        let version = TariffVersion {
            region,
            category,
            valid_from,
            bands: bands.into_iter().map(|(_, b)| b).collect(),
        };
        for e in version.tiling_errors() {
            let row = rows_of[e.band];
            let reason = match &e.kind {
                TilingKind::Overlap { other, .. } => {
                    format!("{}: {e} (with row {})", version.label(), rows_of[*other])
                }
                _ => format!("{}: {e}", version.label()),
            };
            faults.push(RowFault { row, reason });
        }
        out.push(version);
    }
    if !faults.is_empty() {
        faults.sort_by_key(|f| f.row);
        return Err(refuse(faults));
    }
    // Canonical band order, so the same tariff written in another row order is equal.
    for v in &mut out {
        v.bands.sort_by_key(|b| (b.start_min, b.months));
    }
    Ok(out)
}

/// The fault `code` of [`REASONS_EN`] with `args` given as owned strings.
fn write_owned(code: &str, args: &[(&str, String)]) -> String {
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    write(REASONS_EN, code, &args)
}

fn parse_row(r: &[String], col: &[usize; 8]) -> Result<(Region, String, Date, Band), String> {
    let cell = |c: usize| r.get(col[c]).map(|s| s.trim()).unwrap_or("");
    let region = Region::parse_province(cell(0)).map_err(|e| format!("region: {e}"))?;
    let quoted = |s: &str| format!("{s:?}");
    if region == Region::national() {
        return Err(write(REASONS_EN, "tariff.national", &[]));
    }
    let category = cell(1).to_string();
    if category.is_empty() {
        return Err(write(REASONS_EN, "tariff.category_empty", &[]));
    }
    if category.chars().any(|c| c.is_control()) {
        let args = [("category", quoted(&category))];
        return Err(write_owned("tariff.category_control", &args));
    }
    let valid_from = Date::from_str(cell(2))
        .map_err(|_| write_owned("tariff.valid_from", &[("value", quoted(cell(2)))]))?;
    let months = MonthSet::parse(cell(3)).map_err(|e| format!("months: {e}"))?;
    let start_min = parse_hhmm(cell(4)).map_err(|e| format!("start: {e}"))?;
    let end_min = parse_hhmm(cell(5)).map_err(|e| format!("end: {e}"))?;
    if start_min >= DAY_MINUTES {
        return Err(write(REASONS_EN, "tariff.start_24", &[]));
    }
    if end_min <= start_min {
        let args = [("end", hhmm(end_min)), ("start", hhmm(start_min))];
        return Err(write_owned("tariff.end_before_start", &args));
    }
    let period = Period::parse(cell(6))
        .ok_or_else(|| write_owned("tariff.period", &[("value", quoted(cell(6)))]))?;
    let yuan_per_kwh = Decimal::from_str(cell(7))
        .map_err(|_| write_owned("tariff.price", &[("value", quoted(cell(7)))]))?;
    if yuan_per_kwh.abs() > Decimal::from(MAX_YUAN_PER_KWH) {
        let args = [
            ("value", yuan_per_kwh.to_string()),
            ("max", MAX_YUAN_PER_KWH.to_string()),
        ];
        return Err(write_owned("tariff.price_range", &args));
    }
    Ok((
        region,
        category,
        valid_from,
        Band {
            months,
            start_min,
            end_min,
            period,
            yuan_per_kwh: yuan_per_kwh.normalize(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use zp_domain::template::recognise;

    /// The faults of a file of `lines` (comma-separated cells) under `headers`.
    fn faults(headers: &[&str], lines: &[&str]) -> Vec<RowFault> {
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        let rows: Vec<(i64, Vec<String>)> = (2..)
            .zip(lines)
            .map(|(n, l)| (n, l.split(',').map(String::from).collect()))
            .collect();
        parse_tariffs("t.csv", &headers, &rows).unwrap_err().faults
    }

    #[test]
    fn every_fault_is_written_from_its_template() {
        let bad = [
            "XX,c,2024-01-01,1-12,00:00,24:00,flat,0.5",
            "CN,c,2024-01-01,1-12,00:00,24:00,flat,0.5",
            "CQ,,2024-01-01,1-12,00:00,24:00,flat,0.5",
            "CQ,a\u{1}b,2024-01-01,1-12,00:00,24:00,flat,0.5",
            "CQ,c,2024-13-01,1-12,00:00,24:00,flat,0.5",
            "CQ,c,2024-01-01,13,00:00,24:00,flat,0.5",
            "CQ,c,2024-01-01,1;;2,00:00,24:00,flat,0.5",
            "CQ,c,2024-01-01,5-2,00:00,24:00,flat,0.5",
            "CQ,c,2024-01-01,1-12,25:00,24:00,flat,0.5",
            "CQ,c,2024-01-01,1-12,00:00,x,flat,0.5",
            "CQ,c,2024-01-01,1-12,24:00,24:00,flat,0.5",
            "CQ,c,2024-01-01,1-12,10:00,08:00,flat,0.5",
            "CQ,c,2024-01-01,1-12,00:00,24:00,mid,0.5",
            "CQ,c,2024-01-01,1-12,00:00,24:00,flat,x",
            "CQ,c,2024-01-01,1-12,00:00,24:00,flat,500",
            // A month not tiled, a band covered twice, months without bands.
            "CQ,gap,2024-01-01,1-12,00:00,12:00,flat,0.5",
            "CQ,twice,2024-01-01,1-12,00:00,24:00,flat,0.5",
            "CQ,twice,2024-01-01,1-12,08:00,10:00,peak,1",
            "CQ,half,2024-01-01,1-6,00:00,24:00,flat,0.5",
        ];
        let good = "CQ,c,2024-01-01,1-12,00:00,24:00,flat,0.5";
        let mut all = faults(&COLUMNS, &bad);
        all.extend(faults(&COLUMNS[..7], &[good]));
        all.extend(faults(&COLUMNS, &[]));
        let mut seen = std::collections::BTreeSet::new();
        for f in &all {
            let (code, _) = recognise(&f.reason, REASONS_EN)
                .unwrap_or_else(|| panic!("row {}: {:?}", f.row, f.reason));
            seen.insert(code);
        }
        for (code, _) in REASONS_EN {
            assert!(seen.contains(code), "no sample of {code}: {seen:?}");
        }
    }
}

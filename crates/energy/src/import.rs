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
            reason: format!(
                "missing column(s) {}; expected {}",
                missing.join(", "),
                COLUMNS.join(",")
            ),
        }]));
    }
    if rows.is_empty() {
        return Err(refuse(vec![RowFault {
            row: 1,
            reason: "no bands: the file has a header only".into(),
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

fn parse_row(r: &[String], col: &[usize; 8]) -> Result<(Region, String, Date, Band), String> {
    let cell = |c: usize| r.get(col[c]).map(|s| s.trim()).unwrap_or("");
    let region = Region::parse_province(cell(0)).map_err(|e| format!("region: {e}"))?;
    if region == Region::national() {
        return Err("region: a tariff belongs to a province, not CN".into());
    }
    let category = cell(1).to_string();
    if category.is_empty() {
        return Err("category: empty (e.g. large_industrial, general_industrial)".into());
    }
    if category.chars().any(|c| c.is_control()) {
        return Err(format!("category {category:?}: control characters"));
    }
    let valid_from = Date::from_str(cell(2))
        .map_err(|_| format!("valid_from {:?} is not a date YYYY-MM-DD", cell(2)))?;
    let months = MonthSet::parse(cell(3)).map_err(|e| format!("months: {e}"))?;
    let start_min = parse_hhmm(cell(4)).map_err(|e| format!("start: {e}"))?;
    let end_min = parse_hhmm(cell(5)).map_err(|e| format!("end: {e}"))?;
    if start_min >= DAY_MINUTES {
        return Err("start: 24:00 is the end of the day, not a start".into());
    }
    if end_min <= start_min {
        return Err(format!(
            "end {} is not after start {} (a band over midnight is two rows: {}-24:00 and 00:00-{})",
            hhmm(end_min),
            hhmm(start_min),
            hhmm(start_min),
            hhmm(end_min)
        ));
    }
    let period = Period::parse(cell(6)).ok_or_else(|| {
        format!(
            "period {:?}: use peak (尖峰), high (峰), flat (平), valley (谷) or deep_valley (深谷)",
            cell(6)
        )
    })?;
    let yuan_per_kwh = Decimal::from_str(cell(7))
        .map_err(|_| format!("yuan_per_kwh {:?} is not a number", cell(7)))?;
    if yuan_per_kwh.abs() > Decimal::from(MAX_YUAN_PER_KWH) {
        return Err(format!(
            "yuan_per_kwh {yuan_per_kwh} is beyond ±{MAX_YUAN_PER_KWH} yuan/kWh (a price per MWh?)"
        ));
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

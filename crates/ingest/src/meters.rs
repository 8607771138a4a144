//! Meter registry rows (`meter,credit_code,kind,source[,site,parent,end_use]`) and hourly grid factors
//! (`region,ts,tco2_per_mwh[,cfe_share]`).

use crate::columns::Columns;
use crate::table::{ReadError, Table};
use std::collections::HashMap;
use zp_domain::records::{EndUse, HourlyFactor, Meter, MeterKind, Rejected};
use zp_domain::{CreditCode, Region};

pub struct MeterRows {
    pub meters: Vec<Meter>,
    /// The row each accepted meter was read from.
    pub rows: HashMap<String, i64>,
    pub rejected: Vec<Rejected>,
    pub repeated: usize,
}

const METER_SPEC: &[(&str, &[&str], bool)] = &[
    ("meter", &["meter_id", "表号", "计量点"], true),
    ("credit_code", &["统一社会信用代码"], true),
    ("kind", &["类型"], true),
    ("source", &["电源类型", "technology"], false),
    ("site", &["厂区"], false),
    ("parent", &["parent_meter", "上级表", "上级计量点"], false),
    ("end_use", &["use", "用途", "用能类别"], false),
];

/// Validates meter rows; `known_org` says whether an enterprise is registered.
pub fn validate_meters(
    table: &Table,
    known_org: &dyn Fn(&CreditCode) -> bool,
) -> Result<MeterRows, ReadError> {
    let cols = Columns::resolve(table, METER_SPEC)?;
    let mut out = MeterRows {
        meters: Vec::new(),
        rows: HashMap::new(),
        rejected: Vec::new(),
        repeated: 0,
    };
    let mut seen: HashMap<String, (i64, usize)> = HashMap::new();
    for (row, cells) in &table.rows {
        let row = *row;
        if let Some(r) = table.check_row(row, cells) {
            out.rejected.push(r);
            continue;
        }
        let id = cols.get(0, cells).to_string();
        if id.is_empty() || id.len() > 64 || id.chars().any(|c| c.is_control() || c == ',') {
            out.rejected.push(Table::reject(
                row,
                "meter",
                format!("meter id {id:?} must be 1-64 characters without commas"),
                cells,
            ));
            continue;
        }
        let code = match CreditCode::parse(cols.get(1, cells)) {
            Ok(c) if known_org(&c) => c,
            Ok(c) => {
                out.rejected.push(Table::reject(
                    row,
                    "credit_code",
                    format!(
                        "unknown organisation {c}: register it with `zeropark import orgs` first"
                    ),
                    cells,
                ));
                continue;
            }
            Err(e) => {
                out.rejected.push(Table::reject(
                    row,
                    "credit_code",
                    format!("invalid credit code {:?}: {e}", cols.get(1, cells)),
                    cells,
                ));
                continue;
            }
        };
        let Some(kind) = MeterKind::parse(cols.get(2, cells)) else {
            out.rejected.push(Table::reject(
                row,
                "kind",
                format!(
                    "kind {:?} must be consumption, generation, battery_charge or battery_discharge",
                    cols.get(2, cells)
                ),
                cells,
            ));
            continue;
        };
        let source = cols.get(3, cells).to_ascii_lowercase();
        if kind == MeterKind::Generation && source.is_empty() {
            out.rejected.push(Table::reject(
                row,
                "source",
                "a generation meter needs its source (solar, wind, hydro, ...)".into(),
                cells,
            ));
            continue;
        }
        let parent = cols.get(5, cells).trim().to_string();
        if parent == id {
            out.rejected.push(Table::reject(
                row,
                "parent",
                format!("meter {id} cannot be its own parent"),
                cells,
            ));
            continue;
        }
        let end_use_text = cols.get(6, cells).trim();
        let end_use = match end_use_text {
            "" => String::new(),
            t => match EndUse::parse(t) {
                Some(u) => u.key().to_string(),
                None => {
                    let known: Vec<&str> = EndUse::ALL.iter().map(|u| u.key()).collect();
                    out.rejected.push(Table::reject(
                        row,
                        "end_use",
                        format!("end use {t:?} must be one of {}", known.join(", ")),
                        cells,
                    ));
                    continue;
                }
            },
        };
        let meter = Meter {
            meter: id.clone(),
            credit_code: code,
            kind,
            source,
            site: cols.get(4, cells).to_string(),
            parent,
            end_use,
        };
        match seen.get(&id) {
            Some((_, i)) if out.meters[*i] == meter => out.repeated += 1,
            Some((first, _)) => out.rejected.push(Table::reject(
                row,
                "meter",
                format!("meter {id} already appears with different data in row {first}"),
                cells,
            )),
            None => {
                out.rows.insert(id.clone(), row);
                seen.insert(id, (row, out.meters.len()));
                out.meters.push(meter);
            }
        }
    }
    Ok(out)
}

pub struct GridHourlyRows {
    pub factors: Vec<HourlyFactor>,
    pub rejected: Vec<Rejected>,
    pub repeated: usize,
}

const GRID_SPEC: &[(&str, &[&str], bool)] = &[
    ("region", &["地区"], true),
    ("ts", &["time", "hour", "时间"], true),
    ("tco2_per_mwh", &["factor"], true),
    ("cfe_share", &["cfe"], false),
];

/// Validates hourly grid factors: the time must start an hour (Asia/Shanghai), the factor
/// must lie in 0..=2 tCO2/MWh and the carbon-free share in 0..=1.
pub fn validate_grid_hourly(table: &Table) -> Result<GridHourlyRows, ReadError> {
    let cols = Columns::resolve(table, GRID_SPEC)?;
    let mut out = GridHourlyRows {
        factors: Vec::new(),
        rejected: Vec::new(),
        repeated: 0,
    };
    let mut seen: HashMap<(Region, i64), (i64, usize)> = HashMap::new();
    for (row, cells) in &table.rows {
        let row = *row;
        if let Some(r) = table.check_row(row, cells) {
            out.rejected.push(r);
            continue;
        }
        let region = match Region::parse(cols.get(0, cells)) {
            Ok(r) => r,
            Err(e) => {
                out.rejected
                    .push(Table::reject(row, "region", e.to_string(), cells));
                continue;
            }
        };
        let ts = match zp_domain::time::parse_timestamp(cols.get(1, cells)) {
            Ok(t) if t % 3600 == 0 => t,
            Ok(_) => {
                out.rejected.push(Table::reject(
                    row,
                    "ts",
                    format!("{} is not the start of an hour", cols.get(1, cells)),
                    cells,
                ));
                continue;
            }
            Err(e) => {
                out.rejected
                    .push(Table::reject(row, "ts", e.to_string(), cells));
                continue;
            }
        };
        let factor = match cols.get(2, cells).parse::<f64>() {
            Ok(f) if (0.0..=2.0).contains(&f) => f,
            _ => {
                out.rejected.push(Table::reject(
                    row,
                    "tco2_per_mwh",
                    format!(
                        "{:?} is not a factor between 0 and 2 tCO2/MWh",
                        cols.get(2, cells)
                    ),
                    cells,
                ));
                continue;
            }
        };
        let cfe_text = cols.get(3, cells);
        let cfe_share = if cfe_text.is_empty() {
            None
        } else {
            match cfe_text.parse::<f64>() {
                Ok(c) if (0.0..=1.0).contains(&c) => Some(c),
                _ => {
                    out.rejected.push(Table::reject(
                        row,
                        "cfe_share",
                        format!("{cfe_text:?} is not a share between 0 and 1"),
                        cells,
                    ));
                    continue;
                }
            }
        };
        let f = HourlyFactor {
            region,
            ts,
            tco2_per_mwh: factor,
            cfe_share,
        };
        match seen.get(&(region, ts)) {
            Some((_, i)) if out.factors[*i] == f => out.repeated += 1,
            Some((first, _)) => out.rejected.push(Table::reject(
                row,
                "tco2_per_mwh",
                format!("conflicts with row {first} for the same region and hour"),
                cells,
            )),
            None => {
                seen.insert((region, ts), (row, out.factors.len()));
                out.factors.push(f);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Table {
        Table::from_rows("t.csv", rows)
    }

    #[test]
    fn meters() {
        let ok = CreditCode::complete("91500105MA5YRE01B")
            .unwrap()
            .to_string();
        let t = table(&[
            &["meter", "credit_code", "kind", "source"],
            &["L1", &ok, "consumption", ""],
            &["PV1", &ok, "generation", "Solar"],
            &["PV2", &ok, "generation", ""],
            &["X", &ok, "storage", ""],
            &["L1", &ok, "consumption", ""],
            &["L1", &ok, "generation", "wind"],
        ]);
        let r = validate_meters(&t, &|c| c.as_str() == ok).unwrap();
        assert_eq!(r.meters.len(), 2);
        assert_eq!(r.meters[1].source, "solar");
        assert_eq!(r.repeated, 1);
        let f: Vec<_> = r
            .rejected
            .iter()
            .map(|x| (x.row, x.field.as_str()))
            .collect();
        assert_eq!(f, vec![(4, "source"), (5, "kind"), (7, "meter")]);
        crate::reasons::assert_recognised(&r.rejected);
    }

    #[test]
    fn grid_hourly() {
        let t = table(&[
            &["region", "ts", "tco2_per_mwh", "cfe_share"],
            &["CQ", "2023-07-10T10:00:00+08:00", "0.5", "0.3"],
            &["CQ", "2023-07-10 11:00", "0.6", ""],
            &["CQ", "2023-07-10T11:30:00+08:00", "0.6", ""],
            &["CQ", "2023-07-10T12:00:00+08:00", "5", ""],
            &["CQ", "2023-07-10T13:00:00+08:00", "0.5", "1.5"],
            &["XX", "2023-07-10T13:00:00+08:00", "0.5", ""],
        ]);
        let r = validate_grid_hourly(&t).unwrap();
        assert_eq!(r.factors.len(), 2);
        assert_eq!(r.factors[1].ts - r.factors[0].ts, 3600);
        assert_eq!(r.factors[1].cfe_share, None);
        let f: Vec<_> = r
            .rejected
            .iter()
            .map(|x| (x.row, x.field.as_str()))
            .collect();
        assert_eq!(
            f,
            vec![
                (4, "ts"),
                (5, "tco2_per_mwh"),
                (6, "cfe_share"),
                (7, "region")
            ]
        );
        crate::reasons::assert_recognised(&r.rejected);
    }
}

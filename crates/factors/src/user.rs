//! User factor sets, e.g. a newly published MEE/NBS notice.
//!
//! Two layouts are accepted:
//! - the grid layout of the built-in file: `region,year,kind,tco2_per_mwh[,published_by,notice]`
//! - the general layout: `kind,subject,year,value,unit[,publisher,notice]` where `kind` is a
//!   [`FactorKind`] key and `year` may be empty.
//!
//! A factor set is reference data: it is accepted whole or not at all.

use crate::factor::{Factor, FactorKind};
use std::str::FromStr;
use zp_domain::{Decimal, Region};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("row {row}, field {field}: {reason}")]
pub struct UserFactorError {
    /// 1-based line number in the file (the header is line 1).
    pub row: usize,
    pub field: String,
    pub reason: String,
}

/// Parses the records of a user factor file into factors of set `set`.
/// `headers` and `records` are the already-decoded CSV/XLSX cells.
pub fn parse_user_factors(
    set: &str,
    headers: &[String],
    records: &[Vec<String>],
) -> Result<Vec<Factor>, Vec<UserFactorError>> {
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let grid_layout = col("tco2_per_mwh").is_some();
    let required: &[&str] = if grid_layout {
        &["region", "year", "kind", "tco2_per_mwh"]
    } else {
        &["kind", "subject", "value", "unit"]
    };
    let missing: Vec<UserFactorError> = required
        .iter()
        .filter(|c| col(c).is_none())
        .map(|c| UserFactorError {
            row: 1,
            field: c.to_string(),
            reason: "column missing".into(),
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut errors = Vec::new();
    let mut out: Vec<Factor> = Vec::new();
    for (i, rec) in records.iter().enumerate() {
        let row = i + 2;
        let get = |name: &str| {
            col(name)
                .and_then(|c| rec.get(c))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let mut err = |field: &str, reason: String| {
            errors.push(UserFactorError {
                row,
                field: field.to_string(),
                reason,
            })
        };
        let kind_text = get("kind");
        let Some(kind) = FactorKind::parse(&kind_text) else {
            err("kind", format!("unknown factor kind {kind_text:?}"));
            continue;
        };
        let value_col = if grid_layout { "tco2_per_mwh" } else { "value" };
        let value = match Decimal::from_str(&get(value_col)) {
            Ok(v) if v >= Decimal::ZERO => v,
            Ok(v) => {
                err(value_col, format!("negative value {v}"));
                continue;
            }
            Err(e) => {
                err(value_col, format!("not a number: {e}"));
                continue;
            }
        };
        let year_text = get("year");
        let year = if year_text.is_empty() {
            None
        } else {
            match year_text.parse::<i32>() {
                Ok(y) if (1990..=2100).contains(&y) => Some(y),
                _ => {
                    err("year", format!("{year_text:?} is not a year"));
                    continue;
                }
            }
        };
        let (subject, region, unit) = if grid_layout || kind.is_grid() {
            let text = if grid_layout {
                get("region")
            } else {
                get("subject")
            };
            match Region::parse(&text) {
                Ok(r) => (r.code().to_string(), Some(r), "tCO2/MWh".to_string()),
                Err(e) => {
                    err(
                        if grid_layout { "region" } else { "subject" },
                        e.to_string(),
                    );
                    continue;
                }
            }
        } else {
            (get("subject"), None, get("unit"))
        };
        if subject.is_empty() {
            err("subject", "empty".into());
            continue;
        }
        if kind.is_grid() && year.is_none() {
            err("year", "grid factors need a year".into());
            continue;
        }
        let publisher = if grid_layout {
            get("published_by")
        } else {
            get("publisher")
        };
        let id = Factor::make_id(set, kind, &subject, year);
        if out.iter().any(|f| f.id == id) {
            err("kind", format!("duplicate of an earlier row ({id})"));
            continue;
        }
        out.push(Factor {
            id,
            set: set.to_string(),
            kind,
            subject,
            region,
            year,
            value,
            unit,
            publisher,
            notice: get("notice"),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn grid_layout() {
        let h = strings(&[
            "region",
            "region_zh",
            "year",
            "kind",
            "tco2_per_mwh",
            "published_by",
            "notice",
        ]);
        let r = vec![strings(&[
            "CQ",
            "重庆",
            "2024",
            "average",
            "0.5012",
            "MEE/NBS",
            "公告2026年第1号",
        ])];
        let f = parse_user_factors("mee-2026", &h, &r).unwrap();
        assert_eq!(f[0].id, "mee-2026/grid_average/CQ/2024");
        assert_eq!(f[0].value, dec!(0.5012));
        assert_eq!(f[0].source(), "MEE/NBS, 公告2026年第1号");
    }

    #[test]
    fn general_layout_and_errors_name_row_and_field() {
        let h = strings(&["kind", "subject", "year", "value", "unit"]);
        let r = vec![
            strings(&["tce_coefficient", "natural_gas", "", "1.3300", "kgce/m3"]),
            strings(&["grid_average", "Atlantis", "2024", "0.5", ""]),
            strings(&["bogus", "x", "", "1", ""]),
            strings(&["heat_emission", "purchased_heat", "", "-1", "tCO2/GJ"]),
        ];
        let errs = parse_user_factors("plant", &h, &r).unwrap_err();
        assert_eq!(errs.len(), 3);
        assert_eq!((errs[0].row, errs[0].field.as_str()), (3, "subject"));
        assert_eq!((errs[1].row, errs[1].field.as_str()), (4, "kind"));
        assert_eq!((errs[2].row, errs[2].field.as_str()), (5, "value"));
        let ok = parse_user_factors("plant", &h, &r[..1]).unwrap();
        assert_eq!(ok[0].id, "plant/tce_coefficient/natural_gas");
    }

    #[test]
    fn missing_columns_are_reported() {
        let errs = parse_user_factors("x", &strings(&["kind"]), &[]).unwrap_err();
        assert_eq!(errs.len(), 3);
    }
}

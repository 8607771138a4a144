//! Enterprise registry rows: `credit_code,name,region,park,industry`.

use crate::columns::Columns;
use crate::table::{ReadError, Table};
use std::collections::HashMap;
use zp_domain::records::{Org, Rejected};
use zp_domain::{CreditCode, Region};

pub struct OrgRows {
    pub orgs: Vec<Org>,
    pub rejected: Vec<Rejected>,
    /// Rows repeating an earlier row of the same file exactly.
    pub repeated: usize,
}

const SPEC: &[(&str, &[&str], bool)] = &[
    (
        "credit_code",
        &["统一社会信用代码", "信用代码", "uscc"],
        true,
    ),
    ("name", &["名称", "企业名称", "单位名称"], true),
    ("region", &["地区", "省份", "所在地区"], false),
    ("park", &["园区", "所属园区"], false),
    ("industry", &["行业", "行业代码", "所属行业"], true),
];

/// GB/T 4754-2017 industry code: a section letter A-T, or a 2-4 digit division, group or
/// class code, optionally prefixed by its section letter (`C3011`).
pub fn valid_industry(code: &str) -> bool {
    let c = code.trim();
    let digits = match c.chars().next() {
        Some(l) if l.is_ascii_uppercase() => {
            if !('A'..='T').contains(&l) {
                return false;
            }
            &c[1..]
        }
        _ => c,
    };
    (digits.is_empty() && c.len() == 1)
        || ((2..=4).contains(&digits.len()) && digits.chars().all(|d| d.is_ascii_digit()))
}

/// Validates organisation rows. A missing region is derived from the credit code's division
/// code (GB/T 2260).
pub fn validate_orgs(table: &Table) -> Result<OrgRows, ReadError> {
    let cols = Columns::resolve(table, SPEC)?;
    let mut out = OrgRows {
        orgs: Vec::new(),
        rejected: Vec::new(),
        repeated: 0,
    };
    let mut seen: HashMap<CreditCode, (i64, usize)> = HashMap::new();
    for (row, cells) in &table.rows {
        let row = *row;
        if let Some(r) = table.check_row(row, cells) {
            out.rejected.push(r);
            continue;
        }
        let code = match CreditCode::parse(cols.get(0, cells)) {
            Ok(c) => c,
            Err(e) => {
                out.rejected.push(Table::reject(
                    row,
                    "credit_code",
                    format!("invalid credit code {:?}: {e}", cols.get(0, cells)),
                    cells,
                ));
                continue;
            }
        };
        let name = cols.get(1, cells).to_string();
        if name.is_empty() {
            out.rejected
                .push(Table::reject(row, "name", "name is empty".into(), cells));
            continue;
        }
        let region_text = cols.get(2, cells);
        let region = if region_text.is_empty() {
            match Region::from_division_code(code.division_code()) {
                Some(r) => r,
                None => {
                    out.rejected.push(Table::reject(
                        row,
                        "region",
                        format!(
                            "region is empty and division code {} names no province",
                            code.division_code()
                        ),
                        cells,
                    ));
                    continue;
                }
            }
        } else {
            match Region::parse_province(region_text) {
                Ok(r) => r,
                Err(e) => {
                    out.rejected
                        .push(Table::reject(row, "region", e.to_string(), cells));
                    continue;
                }
            }
        };
        let industry = cols.get(4, cells).to_string();
        if !valid_industry(&industry) {
            out.rejected.push(Table::reject(
                row,
                "industry",
                format!("{industry:?} is not a GB/T 4754 code (e.g. 3011, C3011)"),
                cells,
            ));
            continue;
        }
        let park = Some(cols.get(3, cells).to_string()).filter(|p| !p.is_empty());
        let org = Org {
            credit_code: code.clone(),
            name,
            region,
            park,
            industry,
            attrs: cols.attrs(cells),
        };
        match seen.get(&code) {
            Some((_, i)) if out.orgs[*i] == org => out.repeated += 1,
            Some((first, _)) => {
                out.rejected.push(Table::reject(
                    row,
                    "credit_code",
                    format!("{code} already appears with different data in row {first}"),
                    cells,
                ));
            }
            None => {
                seen.insert(code, (row, out.orgs.len()));
                out.orgs.push(org);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Table {
        Table::from_rows("orgs.csv", rows)
    }

    #[test]
    fn industry_codes() {
        for ok in ["3011", "C3011", "30", "301", "C", "D4411"] {
            assert!(valid_industry(ok), "{ok}");
        }
        for bad in ["", "30111", "Z30", "cement", "3"] {
            assert!(!valid_industry(bad), "{bad}");
        }
    }

    #[test]
    fn good_rows_kept_bad_rows_named() {
        let code = CreditCode::complete("91500105MA5YRE01B")
            .unwrap()
            .to_string();
        let t = table(&[
            &["统一社会信用代码", "名称", "地区", "园区", "行业", "联系人"],
            &[&code, "重庆示例水泥", "", "示例园区", "3011", "张三"],
            &["91500105MA5YRE01BX", "坏代码", "CQ", "", "3011", ""],
            &[&code, "重庆示例水泥", "", "示例园区", "3011", "张三"],
            &[&code, "别的名字", "CQ", "", "3011", ""],
        ]);
        let r = validate_orgs(&t).unwrap();
        assert_eq!(r.orgs.len(), 1);
        assert_eq!(r.orgs[0].region.code(), "CQ");
        assert_eq!(
            r.orgs[0].attrs.get("联系人").map(String::as_str),
            Some("张三")
        );
        assert_eq!(r.repeated, 1);
        assert_eq!(r.rejected.len(), 2);
        assert_eq!(
            (r.rejected[0].row, r.rejected[0].field.as_str()),
            (3, "credit_code")
        );
        assert!(r.rejected[1].reason.contains("row 2"));
        crate::reasons::assert_recognised(&r.rejected);
    }

    #[test]
    fn missing_columns_stop_the_file() {
        let t = table(&[&["credit_code", "name"]]);
        let e = validate_orgs(&t).err().unwrap();
        assert!(e.to_string().contains("industry"), "{e}");
    }
}

//! Indicator data rows (`scope_id,indicator,period,value,unit,evidence`) for evaluations.
//! What a valid value is (units, percentages, yes/no, periods, evidence) is decided by
//! `zp_evaluate::indicator_row`; this adapter adds the columns, the scope lookup and
//! repeated rows within a file.

use std::collections::HashMap;
use zp_domain::records::{NewIndicatorValue, Rejected, ScopeKind};
use zp_domain::template::write;
use zp_evaluate::{DataCatalogue, indicator_row};
use zp_ingest::{Columns, ReadError, Table};

/// The reasons this adapter adds to `zp_evaluate`'s
/// ([`zp_evaluate::indicator_data::REASONS_EN`]), as `(code, template)` pairs (issue 14: a
/// page recognises the code and writes the reason in its language).
pub const REASONS_EN: &[(&str, &str)] = &[
    (
        "indicators.scope_unknown",
        "{scope} is neither a registered park name nor a registered enterprise credit code",
    ),
    (
        "indicators.conflict",
        "{key} already appears with a different value in row {row}",
    ),
];

pub struct IndicatorRows {
    pub rows: Vec<NewIndicatorValue>,
    pub rejected: Vec<Rejected>,
    /// Rows repeated verbatim (same key and value) inside the file: accepted duplicates.
    pub repeated: usize,
}

const SPEC: &[(&str, &[&str], bool)] = &[
    ("scope_id", &["主体", "园区或统一社会信用代码"], true),
    ("indicator", &["指标"], true),
    ("period", &["期间", "年份"], true),
    ("value", &["数值", "值"], true),
    ("unit", &["单位"], true),
    ("evidence", &["证明材料", "依据"], true),
];

/// Validates indicator rows. `scope_kind` says whether a scope id is a registered park or
/// enterprise; `catalogue` holds the `data.*` names and units the indicator sets use.
pub fn validate_indicators(
    table: &Table,
    catalogue: &DataCatalogue,
    scope_kind: &dyn Fn(&str) -> Option<ScopeKind>,
) -> Result<IndicatorRows, ReadError> {
    let cols = Columns::resolve(table, SPEC)?;
    let mut out = IndicatorRows {
        rows: Vec::new(),
        rejected: Vec::new(),
        repeated: 0,
    };
    let mut seen: HashMap<(String, String, String), (i64, usize)> = HashMap::new();
    for (row, cells) in &table.rows {
        let row = *row;
        let fields: Vec<&str> = (0..SPEC.len()).map(|n| cols.get(n, cells)).collect();
        let value = match indicator_row(&fields, catalogue) {
            Ok(v) => v,
            Err((field, reason)) => {
                out.rejected.push(Table::reject(row, field, reason, cells));
                continue;
            }
        };
        let Some(kind) = scope_kind(&value.scope_id) else {
            out.rejected.push(Table::reject(
                row,
                "scope_id",
                write(
                    REASONS_EN,
                    "indicators.scope_unknown",
                    &[("scope", &format!("{:?}", value.scope_id))],
                ),
                cells,
            ));
            continue;
        };
        let new = NewIndicatorValue {
            scope_kind: kind,
            scope_id: value.scope_id,
            indicator: value.indicator,
            period: value.period,
            value: value.value,
            unit: value.unit,
            evidence: value.evidence,
            source_row: row,
        };
        let key = (
            new.scope_id.clone(),
            new.indicator.clone(),
            new.period.clone(),
        );
        match seen.get(&key) {
            Some((_, i)) if same(&out.rows[*i], &new) => out.repeated += 1,
            Some((first, _)) => out.rejected.push(Table::reject(
                row,
                "value",
                write(
                    REASONS_EN,
                    "indicators.conflict",
                    &[
                        ("key", &format!("{} {} {}", key.0, key.1, key.2)),
                        ("row", &first.to_string()),
                    ],
                ),
                cells,
            )),
            None => {
                seen.insert(key, (row, out.rows.len()));
                out.rows.push(new);
            }
        }
    }
    Ok(out)
}

fn same(a: &NewIndicatorValue, b: &NewIndicatorValue) -> bool {
    a.value == b.value && a.unit == b.unit && a.evidence == b.evidence
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn kind(s: &str) -> Option<ScopeKind> {
        match s {
            "示例园区" => Some(ScopeKind::Park),
            "91500105MA5YRE01B1" => Some(ScopeKind::Org),
            _ => None,
        }
    }

    #[test]
    fn good_rows_kept_bad_rows_named_by_row_and_field() {
        let scheme = zp_evaluate::builtin::zero_carbon_park();
        let cat = DataCatalogue::from_schemes([&scheme]);
        // The water reuse row stands twice: the second is a repeated row.
        let water = [
            "示例园区",
            "water_reuse",
            "2024",
            "85",
            "%",
            "水平衡测试.pdf",
        ];
        let t = Table::from_rows(
            "ind.csv",
            &[
                &zp_evaluate::INDICATOR_ROW_HEADER,
                &water,
                &water,
                &[
                    "示例园区",
                    "water_reuse",
                    "2024",
                    "86",
                    "%",
                    "水平衡测试.pdf",
                ],
                &["无名园区", "waste_heat_use", "2024", "0.5", "fraction", "x"],
                &["示例园区", "waste_heat_use", "2024", "1.5", "fraction", "x"],
                &[
                    "示例园区",
                    "solid_waste_use",
                    "2024",
                    "0.9",
                    "fraction",
                    "x",
                ],
                &[
                    "示例园区",
                    "product_energy_within_level2",
                    "2024",
                    "是",
                    "bool",
                    "能耗限额对标.xlsx",
                ],
            ],
        );
        let v = validate_indicators(&t, &cat, &kind).unwrap();
        assert_eq!(v.rows.len(), 2);
        assert_eq!(v.repeated, 1);
        assert_eq!(v.rows[0].value, Decimal::new(85, 2));
        assert_eq!(v.rows[0].scope_kind, ScopeKind::Park);
        assert_eq!(v.rows[1].value, Decimal::ONE);
        let got: Vec<(i64, &str)> = v
            .rejected
            .iter()
            .map(|r| (r.row, r.field.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (4, "value"),
                (5, "scope_id"),
                (6, "value"),
                (7, "indicator")
            ]
        );
        assert!(v.rejected[0].reason.contains("row 2"));
        assert_eq!(t.rows.len(), v.rows.len() + v.repeated + v.rejected.len());
    }

    #[test]
    fn chinese_headers_and_missing_columns() {
        let cat = DataCatalogue::default();
        let t = Table::from_rows(
            "ind.csv",
            &[
                &["主体", "指标", "期间", "数值", "单位", "证明材料"],
                &[
                    "91500105MA5YRE01B1",
                    "esg_disclosure",
                    "2024",
                    "yes",
                    "bool",
                    "esg.pdf",
                ],
            ],
        );
        let v = validate_indicators(&t, &cat, &kind).unwrap();
        assert_eq!(v.rows.len(), 1);
        assert_eq!(v.rows[0].scope_kind, ScopeKind::Org);
        let t = Table::from_rows(
            "ind.csv",
            &[&["scope_id", "indicator", "value"], &["a", "b", "1"]],
        );
        assert!(matches!(
            validate_indicators(&t, &cat, &kind),
            Err(ReadError::Columns { .. })
        ));
    }
}

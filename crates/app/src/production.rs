//! `zeropark import production FILE` (re-exported by `zp_app::reports`): production records
//! `credit_code,period,product,cn_code,quantity_t[,route]`, validated row by row (a row
//! with any problem is quarantined with all of them), scoped to the caller's enterprises,
//! stored idempotently (`zp_store::ProductionStore`).

use crate::{Caller, ImportError, ImportOutcome};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::str::FromStr;
use zp_domain::template::write;
use zp_domain::{CreditCode, Period};
use zp_ingest::{Columns, Limits, Table, read_table};
use zp_store::{ImportRows, NewProduction, Rejected, Store};

/// The import kind recorded on batches and quarantine rows.
pub const PRODUCTION_KIND: &str = "production";

const SPEC: &[(&str, &[&str], bool)] = &[
    ("credit_code", &["统一社会信用代码", "信用代码"], true),
    ("period", &["期间", "月份"], true),
    ("product", &["产品", "产品名称"], true),
    ("cn_code", &["cn", "cn编码", "海关编码", "商品编码"], true),
    (
        "quantity_t",
        &["quantity", "产量", "产量(t)", "产量（吨）"],
        true,
    ),
    ("route", &["生产路线", "工艺路线"], false),
];

/// The reasons a production row is quarantined with, as `(code, template)` pairs (issue
/// 14: a page recognises the code and writes the reason in its language); the CN code's
/// problems as `zp_reports::cbam_goods` words them.
pub const REASONS_EN: &[(&str, &str)] = &[
    ("production.product_empty", "empty: name the product"),
    ("production.negative", "{quantity} t is negative"),
    ("production.not_tonnes", "{value} is not a number of tonnes"),
    (
        "production.conflict",
        "row {row} of this file gives {product} {quantity} t for the same enterprise, period, CN code and route",
    ),
    (
        "production.cn_not_code",
        "{value} is not a CN code (8 digits, e.g. 2523 10 00)",
    ),
    (
        "production.cn_digits",
        "{value} has {digits} digits; a CN code has 8 (a heading 4, a subheading 6)",
    ),
    (
        "production.cn_excluded",
        "CN {cn} is excluded from CBAM in Annex I to Regulation (EU) 2023/956",
    ),
    (
        "production.cn_not_cbam",
        "CN {cn} is not a CBAM good (Annex I to Regulation (EU) 2023/956: cement, iron and steel, aluminium, fertilisers, hydrogen, electricity)",
    ),
];

type RecordKey = (String, Period, String, String);

/// Validates `table`: the rows to store and the rejected ones (every problem of a row).
pub(crate) fn validate(
    table: &Table,
    visible: &HashSet<CreditCode>,
) -> Result<(Vec<NewProduction>, Vec<Rejected>), ImportError> {
    let cols = Columns::resolve(table, SPEC)?;
    let mut rows = Vec::new();
    let mut rejected = Vec::new();
    // (enterprise, period, CN code, route) -> (first row, product, tonnes).
    let mut seen: BTreeMap<RecordKey, (i64, String, Decimal)> = BTreeMap::new();
    for (row, cells) in &table.rows {
        if let Some(r) = table.check_row(*row, cells) {
            rejected.push(r);
            continue;
        }
        let mut problems: Vec<(&str, String)> = Vec::new();
        let code = crate::batch::visible_code(cols.get(0, cells), visible, &mut problems);
        let period = Period::parse(cols.get(1, cells))
            .map_err(|e| problems.push(("period", e.to_string())))
            .ok();
        let product = cols.get(2, cells).trim().to_string();
        if product.is_empty() {
            problems.push((
                "product",
                write(REASONS_EN, "production.product_empty", &[]),
            ));
        }
        let cn = match zp_reports::cbam_goods::normalize_cn(cols.get(3, cells)) {
            Ok(cn) => match zp_reports::cbam_goods::sector(&cn) {
                Ok(_) => Some(cn),
                Err(e) => {
                    problems.push(("cn_code", e));
                    None
                }
            },
            Err(e) => {
                problems.push(("cn_code", e));
                None
            }
        };
        let raw_q = cols.get(4, cells).trim();
        let quantity = match Decimal::from_str(raw_q) {
            Ok(q) if q < Decimal::ZERO => {
                let q = q.to_string();
                let why = write(REASONS_EN, "production.negative", &[("quantity", &q)]);
                problems.push(("quantity_t", why));
                None
            }
            Ok(q) => Some(q.normalize()),
            Err(_) => {
                let value = format!("{raw_q:?}");
                let why = write(REASONS_EN, "production.not_tonnes", &[("value", &value)]);
                problems.push(("quantity_t", why));
                None
            }
        };
        let route = cols.get(5, cells).trim().to_string();
        let (Some(code), Some(period), Some(cn), Some(q), true) =
            (code, period, cn, quantity, problems.is_empty())
        else {
            let raw = Table::raw(cells);
            rejected.extend(problems.into_iter().map(|(field, reason)| Rejected {
                row: *row,
                field: field.into(),
                reason,
                raw: raw.clone(),
            }));
            continue;
        };
        let key = (code.to_string(), period, cn.clone(), route.clone());
        if let Some((first, p, fq)) = seen.get(&key) {
            // A verbatim repeat is accepted (a duplicate); a different value is refused.
            if *p != product || *fq != q {
                rejected.push(Rejected {
                    row: *row,
                    field: "quantity_t".into(),
                    reason: write(
                        REASONS_EN,
                        "production.conflict",
                        &[
                            ("row", &first.to_string()),
                            ("product", p),
                            ("quantity", &fq.to_string()),
                        ],
                    ),
                    raw: Table::raw(cells),
                });
            }
            continue;
        }
        seen.insert(key, (*row, product.clone(), q));
        rows.push(NewProduction {
            credit_code: code,
            period,
            product,
            cn_code: cn,
            quantity_t: q,
            route,
            row: *row,
        });
    }
    rejected.sort_by_key(|r| r.row);
    Ok((rows, rejected))
}

/// Imports a production table already read, as `caller`: rows of enterprises outside the
/// caller's access are quarantined like unknown ones.
pub fn import_production_table(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<ImportOutcome, ImportError> {
    let (rows, rejected) = validate(table, &crate::batch::visible_codes(store, caller)?)?;
    let meta = crate::batch::batch_meta(PRODUCTION_KIND, table, &caller.actor);
    let counts =
        store.import_production(ImportRows::new(&meta, &rows, &rejected, table.rows.len()))?;
    Ok(ImportOutcome::of(PRODUCTION_KIND, table, counts, rejected))
}

/// `zeropark import production FILE`.
pub fn import_production(
    store: &mut dyn Store,
    caller: &Caller,
    path: &Path,
) -> Result<ImportOutcome, ImportError> {
    let table = read_table(path, Limits::default())?;
    import_production_table(store, caller, &table)
}

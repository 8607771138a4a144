//! Validating permit, whitelist and declaration files: each row becomes a record or a
//! rejection naming its row, field and reason (the caller quarantines the rejections).
//!
//! Permits: `permit_no,holder,province,codes,capacity_t,valid_from,valid_to,source`.
//! Whitelist: `agreement,from_province,to_province,generator,receiver,codes,yearly_cap_t,valid_from,valid_to,source`.
//! Declarations: `generator,code,annual_t,year,source` (one 8-digit code per row).
//! `codes` lists codes and categories separated by `;` (`HW08;900-041-49`).

use crate::Catalog;
use crate::model::{Declaration, Permit, WhitelistEntry};
use rust_decimal::Decimal;
use std::str::FromStr;
use zp_domain::records::Rejected;
use zp_domain::time::Date;
use zp_domain::{CreditCode, Region};

pub const PERMIT_COLUMNS: &[&str] = &[
    "permit_no",
    "holder",
    "province",
    "codes",
    "capacity_t",
    "valid_from",
    "valid_to",
    "source",
];

pub const WHITELIST_COLUMNS: &[&str] = &[
    "agreement",
    "from_province",
    "to_province",
    "generator",
    "receiver",
    "codes",
    "yearly_cap_t",
    "valid_from",
    "valid_to",
    "source",
];

pub const DECLARATION_COLUMNS: &[&str] = &["generator", "code", "annual_t", "year", "source"];

/// Years a declaration may name.
const DECLARATION_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// A row under validation: cells by column name, rejections by field.
struct RowReader<'a> {
    headers: &'a [String],
    row: i64,
    cells: &'a [String],
}

type Field<T> = Result<T, (String, String)>;

impl RowReader<'_> {
    fn cell(&self, name: &str) -> Field<&str> {
        let i = self
            .headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| (name.to_string(), format!("missing column {name}")))?;
        let v = self.cells.get(i).map(|s| s.trim()).unwrap_or("");
        if v.is_empty() && name != "source" {
            return Err((name.to_string(), "empty".into()));
        }
        Ok(v)
    }

    fn code(&self, name: &str) -> Field<CreditCode> {
        let v = self.cell(name)?;
        CreditCode::parse(v).map_err(|e| (name.into(), e.to_string()))
    }

    fn region(&self, name: &str) -> Field<Region> {
        let v = self.cell(name)?;
        match Region::parse(v) {
            Ok(r) if r.code() != "CN" => Ok(r),
            Ok(_) => Err((name.into(), "a province, not the nation".into())),
            Err(e) => Err((name.into(), e.to_string())),
        }
    }

    fn date(&self, name: &str) -> Field<Date> {
        let v = self.cell(name)?;
        Date::from_str(v).map_err(|e| (name.into(), format!("{v:?} is not YYYY-MM-DD: {e}")))
    }

    fn tonnes(&self, name: &str) -> Field<Decimal> {
        let v = self.cell(name)?;
        match Decimal::from_str(v) {
            Ok(d) if d > Decimal::ZERO => Ok(d),
            Ok(_) => Err((name.into(), format!("{v} t is not positive"))),
            Err(_) => Err((name.into(), format!("{v:?} is not a number of tonnes"))),
        }
    }

    fn codes(&self, catalog: &Catalog) -> Field<Vec<String>> {
        let v = self.cell("codes")?;
        let items: Vec<String> = v
            .split(';')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        for i in &items {
            catalog
                .check_scope_item(i)
                .map_err(|e| ("codes".to_string(), e))?;
        }
        if items.is_empty() {
            return Err(("codes".into(), "empty".into()));
        }
        Ok(items)
    }

    fn waste_code(&self, catalog: &Catalog) -> Field<String> {
        let v = self.cell("code")?;
        if catalog.code(v).is_some() {
            Ok(v.to_string())
        } else if v.starts_with("HW") {
            Err((
                "code".into(),
                format!("{v} is a category; declare each 8-digit code (e.g. 900-249-08)"),
            ))
        } else {
            Err((
                "code".into(),
                format!("{v} is not a code of the National Hazardous Waste List (2021) as shipped"),
            ))
        }
    }

    fn year(&self) -> Field<i32> {
        let v = self.cell("year")?;
        match v.parse::<i32>() {
            Ok(y) if v.len() == 4 && DECLARATION_YEARS.contains(&y) => Ok(y),
            _ => Err((
                "year".into(),
                format!(
                    "{v:?} is not a year from {} to {}",
                    DECLARATION_YEARS.start(),
                    DECLARATION_YEARS.end()
                ),
            )),
        }
    }

    fn period(&self) -> Field<(Date, Date)> {
        let (from, to) = (self.date("valid_from")?, self.date("valid_to")?);
        if to < from {
            return Err((
                "valid_to".into(),
                format!("{to} is before valid_from {from}"),
            ));
        }
        Ok((from, to))
    }

    fn reject(&self, (field, reason): (String, String)) -> Rejected {
        Rejected {
            row: self.row,
            field,
            reason,
            raw: self.cells.join(","),
        }
    }
}

fn validate<T>(
    headers: &[String],
    rows: &[(i64, Vec<String>)],
    parse: impl Fn(&RowReader) -> Field<T>,
) -> (Vec<T>, Vec<Rejected>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for (row, cells) in rows {
        let r = RowReader {
            headers,
            row: *row,
            cells,
        };
        match parse(&r) {
            Ok(t) => ok.push(t),
            Err(e) => bad.push(r.reject(e)),
        }
    }
    (ok, bad)
}

/// Rejects the second and later rows of the file with the same key.
fn reject_repeats<T, K: Ord>(
    rows: &[(i64, Vec<String>)],
    (ok, mut bad): (Vec<T>, Vec<Rejected>),
    key: impl Fn(&T) -> K,
    field: &str,
    why: impl Fn(&T) -> String,
) -> (Vec<T>, Vec<Rejected>) {
    let rejected: std::collections::BTreeSet<i64> = bad.iter().map(|b| b.row).collect();
    let accepted_rows = rows.iter().filter(|(row, _)| !rejected.contains(row));
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (t, (row, cells)) in ok.into_iter().zip(accepted_rows) {
        if seen.insert(key(&t)) {
            out.push(t);
        } else {
            bad.push(Rejected {
                row: *row,
                field: field.into(),
                reason: why(&t),
                raw: cells.join(","),
            });
        }
    }
    bad.sort_by_key(|b| b.row);
    (out, bad)
}

/// Permit rows; a permit number seen twice in the file is rejected the second time.
pub fn validate_permits(
    headers: &[String],
    rows: &[(i64, Vec<String>)],
    catalog: &Catalog,
) -> (Vec<Permit>, Vec<Rejected>) {
    let parsed = validate(headers, rows, |r| {
        let (valid_from, valid_to) = r.period()?;
        Ok(Permit {
            permit_no: r.cell("permit_no")?.to_string(),
            holder: r.code("holder")?,
            province: r.region("province")?,
            codes: r.codes(catalog)?,
            capacity_t: r.tonnes("capacity_t")?,
            valid_from,
            valid_to,
            source: r.cell("source")?.to_string(),
        })
    });
    reject_repeats(
        rows,
        parsed,
        |p| p.permit_no.clone(),
        "permit_no",
        |p| format!("permit {} appears twice in the file", p.permit_no),
    )
}

/// Whitelist rows.
pub fn validate_whitelist(
    headers: &[String],
    rows: &[(i64, Vec<String>)],
    catalog: &Catalog,
) -> (Vec<WhitelistEntry>, Vec<Rejected>) {
    validate(headers, rows, |r| {
        let (valid_from, valid_to) = r.period()?;
        let (from, to) = (r.region("from_province")?, r.region("to_province")?);
        if from == to {
            return Err((
                "to_province".into(),
                "the same province as from_province".into(),
            ));
        }
        Ok(WhitelistEntry {
            agreement: r.cell("agreement")?.to_string(),
            from_province: from,
            to_province: to,
            generator: r.code("generator")?,
            receiver: r.code("receiver")?,
            codes: r.codes(catalog)?,
            yearly_cap_t: r.tonnes("yearly_cap_t")?,
            valid_from,
            valid_to,
            source: r.cell("source")?.to_string(),
        })
    })
}

/// Declaration rows: an 8-digit code of the shipped list (not a category), positive annual
/// tonnes, a four-digit year. A (generator, code, year) seen twice in the file is rejected
/// the second time.
pub fn validate_declarations(
    headers: &[String],
    rows: &[(i64, Vec<String>)],
    catalog: &Catalog,
) -> (Vec<Declaration>, Vec<Rejected>) {
    let parsed = validate(headers, rows, |r| {
        Ok(Declaration {
            generator: r.code("generator")?,
            code: r.waste_code(catalog)?,
            annual_t: r.tonnes("annual_t")?,
            year: r.year()?,
            source: r.cell("source")?.to_string(),
        })
    });
    reject_repeats(
        rows,
        parsed,
        |d| (d.generator.to_string(), d.code.clone(), d.year),
        "code",
        |d| {
            format!(
                "{} {} {} appears twice in the file",
                d.generator, d.code, d.year
            )
        },
    )
}

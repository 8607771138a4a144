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
use zp_domain::template::write;
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

/// The reasons a row is rejected with, as `(code, template)` pairs (issue 14: a page
/// recognises the code and writes the reason in its language); a code or category outside
/// the list as the catalogue ([`Catalog::check_scope_item`]) words it. Credit codes and
/// regions are refused with the domain's words.
pub const REASONS_EN: &[(&str, &str)] = &[
    ("waste.missing_column", "missing column {column}"),
    ("waste.empty", "empty"),
    ("waste.national", "a province, not the nation"),
    ("waste.date", "{value} is not YYYY-MM-DD: {error}"),
    ("waste.not_positive", "{value} t is not positive"),
    ("waste.not_tonnes", "{value} is not a number of tonnes"),
    (
        "waste.category_declared",
        "{code} is a category; declare each 8-digit code (e.g. 900-249-08)",
    ),
    (
        "waste.not_listed",
        "{code} is not a code of the National Hazardous Waste List (2021) as shipped",
    ),
    (
        "waste.not_category",
        "{code} is not a category of the National Hazardous Waste List",
    ),
    ("waste.year", "{value} is not a year from {first} to {last}"),
    ("waste.period", "{to} is before valid_from {from}"),
    ("waste.same_province", "the same province as from_province"),
    (
        "waste.permit_twice",
        "permit {permit} appears twice in the file",
    ),
    (
        "waste.declaration_twice",
        "{generator} {code} {year} appears twice in the file",
    ),
];

/// A rejection of `field` with the reason `code` of [`REASONS_EN`] filled with `args`.
fn refusal(field: &str, code: &str, args: &[(&str, &str)]) -> (String, String) {
    (field.to_string(), write(REASONS_EN, code, args))
}

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
            .ok_or_else(|| refusal(name, "waste.missing_column", &[("column", name)]))?;
        let v = self.cells.get(i).map(|s| s.trim()).unwrap_or("");
        if v.is_empty() && name != "source" {
            return Err(refusal(name, "waste.empty", &[]));
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
            Ok(_) => Err(refusal(name, "waste.national", &[])),
            Err(e) => Err((name.into(), e.to_string())),
        }
    }

    fn date(&self, name: &str) -> Field<Date> {
        let v = self.cell(name)?;
        Date::from_str(v).map_err(|e| {
            let (value, error) = (format!("{v:?}"), e.to_string());
            refusal(name, "waste.date", &[("value", &value), ("error", &error)])
        })
    }

    fn tonnes(&self, name: &str) -> Field<Decimal> {
        let v = self.cell(name)?;
        match Decimal::from_str(v) {
            Ok(d) if d > Decimal::ZERO => Ok(d),
            Ok(_) => Err(refusal(name, "waste.not_positive", &[("value", v)])),
            Err(_) => Err(refusal(
                name,
                "waste.not_tonnes",
                &[("value", &format!("{v:?}"))],
            )),
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
            return Err(refusal("codes", "waste.empty", &[]));
        }
        Ok(items)
    }

    fn waste_code(&self, catalog: &Catalog) -> Field<String> {
        let v = self.cell("code")?;
        if catalog.code(v).is_some() {
            Ok(v.to_string())
        } else if v.starts_with("HW") {
            Err(refusal("code", "waste.category_declared", &[("code", v)]))
        } else {
            Err(refusal("code", "waste.not_listed", &[("code", v)]))
        }
    }

    fn year(&self) -> Field<i32> {
        let v = self.cell("year")?;
        match v.parse::<i32>() {
            Ok(y) if v.len() == 4 && DECLARATION_YEARS.contains(&y) => Ok(y),
            _ => Err(refusal(
                "year",
                "waste.year",
                &[
                    ("value", &format!("{v:?}")),
                    ("first", &DECLARATION_YEARS.start().to_string()),
                    ("last", &DECLARATION_YEARS.end().to_string()),
                ],
            )),
        }
    }

    fn period(&self) -> Field<(Date, Date)> {
        let (from, to) = (self.date("valid_from")?, self.date("valid_to")?);
        if to < from {
            let (to, from) = (to.to_string(), from.to_string());
            return Err(refusal(
                "valid_to",
                "waste.period",
                &[("to", &to), ("from", &from)],
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
        |p| {
            write(
                REASONS_EN,
                "waste.permit_twice",
                &[("permit", &p.permit_no)],
            )
        },
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
            return Err(refusal("to_province", "waste.same_province", &[]));
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
            let (generator, year) = (d.generator.to_string(), d.year.to_string());
            let args = [
                ("generator", &generator[..]),
                ("code", &d.code),
                ("year", &year),
            ];
            write(REASONS_EN, "waste.declaration_twice", &args)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use zp_domain::template::recognise;

    fn rows(lines: &[&str]) -> Vec<(i64, Vec<String>)> {
        (2..)
            .zip(lines)
            .map(|(n, l)| (n, l.split(',').map(String::from).collect()))
            .collect()
    }

    fn headers(columns: &[&str]) -> Vec<String> {
        columns.iter().map(|c| c.to_string()).collect()
    }

    /// Every reason of every row is written from a template of [`REASONS_EN`], and the
    /// samples cover every code.
    #[test]
    fn every_reason_is_written_from_its_template() {
        const ORG: &str = "91500112MA60DAT04U";
        let catalog = Catalog::builtin();
        let permits = [
            format!("P1,{ORG},CQ,HW08,5,2024-01-01,2026-12-31,s"),
            format!("P1,{ORG},CQ,HW08,5,2024-01-01,2026-12-31,s"),
            format!("P2,{ORG},CN,HW08,5,2024-01-01,2026-12-31,s"),
            format!("P3,{ORG},CQ,HW99,5,2024-01-01,2026-12-31,s"),
            format!("P4,{ORG},CQ,HW08,-5,2024-01-01,2026-12-31,s"),
            format!("P5,{ORG},CQ,HW08,lots,2024-01-01,2026-12-31,s"),
            format!("P6,{ORG},CQ,HW08,5,2024-01-01,2023-12-31,s"),
            format!("P7,{ORG},CQ,HW08,5,2024-13-01,2026-12-31,s"),
            format!("P8,{ORG},CQ,;,5,2024-01-01,2026-12-31,s"),
            format!("P9,{ORG},CQ,999-999-99,5,2024-01-01,2026-12-31,s"),
            format!(",{ORG},CQ,HW08,5,2024-01-01,2026-12-31,s"),
        ];
        let refs: Vec<&str> = permits.iter().map(String::as_str).collect();
        let (_, mut bad) = validate_permits(&headers(PERMIT_COLUMNS), &rows(&refs), catalog);
        let whitelist = format!("A1,CQ,CQ,{ORG},{ORG},HW08,5,2024-01-01,2026-12-31,s");
        let (_, more) =
            validate_whitelist(&headers(WHITELIST_COLUMNS), &rows(&[&whitelist]), catalog);
        bad.extend(more);
        let declarations = [
            format!("{ORG},900-249-08,10,2024,x"),
            format!("{ORG},900-249-08,10,2024,x"),
            format!("{ORG},HW08,10,2024,x"),
            format!("{ORG},900-249-08,10,24,x"),
        ];
        let refs: Vec<&str> = declarations.iter().map(String::as_str).collect();
        let (_, more) = validate_declarations(&headers(DECLARATION_COLUMNS), &rows(&refs), catalog);
        bad.extend(more);
        let (_, more) = validate_declarations(&headers(&["generator"]), &rows(&[ORG]), catalog);
        bad.extend(more);
        let mut seen = std::collections::BTreeSet::new();
        for b in &bad {
            let (code, _) = recognise(&b.reason, REASONS_EN)
                .unwrap_or_else(|| panic!("row {}: {:?}", b.row, b.reason));
            seen.insert(code);
        }
        for (code, _) in REASONS_EN {
            assert!(seen.contains(code), "no sample of {code}: {seen:?}");
        }
    }
}

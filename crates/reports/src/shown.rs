//! A table as a page shows it, as a document: what the web UI's "Excel" export of any table
//! writes. Cells are the page's text; a cell that reads as a plain number (`8,505.98`,
//! `-12`, `0.5`) becomes a number, so the sheet sums and sorts; anything else (codes such
//! as `0012` or `91500112MA6100000H`, dates, `36.965 tCO2/tce`) stays text.

use crate::doc::{Block, Cell, Column, Document, Lang, Section, Table};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Most rows and columns a shown table may have.
pub const MAX_ROWS: usize = 50_000;
pub const MAX_COLUMNS: usize = 100;

/// Why a shown table cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShownError {
    #[error("a table has 1 to {MAX_COLUMNS} columns, this one {0}")]
    Columns(usize),
    #[error("a table has at most {MAX_ROWS} rows, this one {0}")]
    Rows(usize),
    #[error("row {row} has {got} cells, the table {want} columns")]
    Ragged { row: usize, got: usize, want: usize },
}

/// The number a shown cell reads as, with its decimals: digits with optional `,`
/// thousands separators, an optional sign and fraction; no leading zero before another
/// digit (that is a code, not a number).
pub fn shown_number(text: &str) -> Option<(Decimal, u32)> {
    let t = text.trim();
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let groups: Vec<&str> = int.split(',').collect();
    let grouped_ok = groups.len() == 1
        || (!groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let int_digits: String = groups.concat();
    if !grouped_ok
        || !digits(&int_digits)
        || (int_digits.len() > 1 && int_digits.starts_with('0'))
        || (body.contains('.') && !digits(frac))
    {
        return None;
    }
    let plain = format!(
        "{}{int_digits}.{}",
        if t.starts_with('-') { "-" } else { "" },
        if frac.is_empty() { "0" } else { frac }
    );
    Decimal::from_str(&plain)
        .ok()
        .map(|d| (d, frac.len() as u32))
}

/// The document of one shown table: `title` as its title and sheet, the header row, the
/// rows as shown.
pub fn document(
    title: &str,
    columns: &[String],
    rows: &[Vec<String>],
    lang: Lang,
) -> Result<Document, ShownError> {
    if columns.is_empty() || columns.len() > MAX_COLUMNS {
        return Err(ShownError::Columns(columns.len()));
    }
    if rows.len() > MAX_ROWS {
        return Err(ShownError::Rows(rows.len()));
    }
    if let Some((i, r)) = rows
        .iter()
        .enumerate()
        .find(|(_, r)| r.len() != columns.len())
    {
        return Err(ShownError::Ragged {
            row: i + 1,
            got: r.len(),
            want: columns.len(),
        });
    }
    let width = 1.0 / columns.len() as f32;
    let table = Table {
        caption: String::new(),
        columns: columns.iter().map(|c| Column::new(c, "", width)).collect(),
        rows: rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| match shown_number(c) {
                        Some((d, dp)) => Cell::num(d, dp),
                        None if c.trim().is_empty() => Cell::Empty,
                        None => Cell::text(c.trim()),
                    })
                    .collect()
            })
            .collect(),
    };
    Ok(Document {
        lang,
        title: title.to_string(),
        subtitle: String::new(),
        facts: Vec::new(),
        sections: vec![Section {
            heading: title.to_string(),
            sheet: title.to_string(),
            blocks: vec![Block::Table(table)],
        }],
        footer: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn shown_numbers_are_numbers_and_codes_stay_text() {
        assert_eq!(shown_number("8,505.98"), Some((dec!(8505.98), 2)));
        assert_eq!(shown_number("1,234,567"), Some((dec!(1234567), 0)));
        assert_eq!(shown_number("-12"), Some((dec!(-12), 0)));
        assert_eq!(shown_number("0.5"), Some((dec!(0.5), 1)));
        assert_eq!(shown_number("0"), Some((dec!(0), 0)));
        for text in [
            "0012",
            "91500112MA6100000H",
            "2023-07",
            "36.965 tCO2/tce",
            "12,34",
            "1,2345",
            ",123",
            "1.",
            "",
            "-",
            "1e5",
            "４２",
        ] {
            assert_eq!(shown_number(text), None, "{text:?}");
        }
    }

    #[test]
    fn a_shown_table_becomes_one_sheet_and_bad_shapes_are_refused() {
        let cols = vec!["企业".to_string(), "tce".to_string()];
        let rows = vec![
            vec!["甲".to_string(), "1,200.5".to_string()],
            vec!["0012".to_string(), "".to_string()],
        ];
        let doc = document("能耗", &cols, &rows, Lang::Zh).unwrap();
        let Block::Table(t) = &doc.sections[0].blocks[0] else {
            panic!("a table")
        };
        assert_eq!(t.rows[0][1], Cell::num(dec!(1200.5), 1));
        assert_eq!(t.rows[1][0], Cell::text("0012"));
        assert_eq!(t.rows[1][1], Cell::Empty);
        let ragged = vec![vec!["甲".to_string()]];
        assert_eq!(
            document("x", &cols, &ragged, Lang::Zh).unwrap_err(),
            ShownError::Ragged {
                row: 1,
                got: 1,
                want: 2
            }
        );
        assert_eq!(
            document("x", &[], &[], Lang::Zh).unwrap_err(),
            ShownError::Columns(0)
        );
    }
}

//! A document as an .xlsx workbook (`rust_xlsxwriter`), into memory: one sheet per
//! section, numbers written as numbers (shown with the document's decimals, stored whole),
//! units in the column headers (`header (unit)`), charts as native Excel charts over their
//! data. Excel keeps numbers as IEEE doubles (15 significant digits); the exact figures
//! are the JSON's. The creation date is fixed, so the same document gives the same bytes.

use crate::ReportError;
use crate::doc::{Block, Cell, Chart, ChartKind, Document, Fact, Table};
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    Chart as XChart, ChartType, DocProperties, ExcelDateTime, Format, Workbook, Worksheet,
};
use std::collections::BTreeSet;

fn err(e: rust_xlsxwriter::XlsxError) -> ReportError {
    ReportError::Xlsx(e.to_string())
}

/// A sheet name Excel accepts (no `[]:*?/\`, at most 31 characters), unique in `taken`.
fn sheet_name(wanted: &str, taken: &mut BTreeSet<String>) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect::<String>()
        .trim_matches('\'')
        .chars()
        .take(31)
        .collect();
    let base = if clean.trim().is_empty() {
        "Sheet".to_string()
    } else {
        clean
    };
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name.to_lowercase()) {
        let suffix = format!(" {n}");
        name = base
            .chars()
            .take(31 - suffix.chars().count())
            .collect::<String>()
            + &suffix;
        n += 1;
    }
    taken.insert(name.to_lowercase());
    name
}

fn number_format(dp: u32) -> Format {
    if dp == 0 {
        Format::new().set_num_format("#,##0")
    } else {
        Format::new().set_num_format(format!("#,##0.{}", "0".repeat(dp as usize)))
    }
}

/// Writes `cell` at (row, col).
fn write(ws: &mut Worksheet, row: u32, col: u16, cell: &Cell) -> Result<(), ReportError> {
    match cell {
        Cell::Text(s) if !s.is_empty() => {
            ws.write_string(row, col, s).map_err(err)?;
        }
        Cell::Number(d, dp) => {
            ws.write_number_with_format(
                row,
                col,
                d.to_f64().unwrap_or_default(),
                &number_format(*dp),
            )
            .map_err(err)?;
        }
        _ => {}
    }
    Ok(())
}

struct Sheet<'w> {
    ws: &'w mut Worksheet,
    name: String,
    row: u32,
    /// Widest text per column, in characters (CJK counted double).
    widths: Vec<usize>,
}

fn text_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

impl Sheet<'_> {
    fn seen(&mut self, col: usize, s: &str) {
        if self.widths.len() <= col {
            self.widths.resize(col + 1, 8);
        }
        self.widths[col] = self.widths[col].max(text_width(s).min(60));
    }

    fn bold(&mut self, col: u16, s: &str, f: &Format) -> Result<(), ReportError> {
        self.ws
            .write_string_with_format(self.row, col, s, f)
            .map_err(err)?;
        Ok(())
    }

    fn facts(&mut self, facts: &[Fact]) -> Result<(), ReportError> {
        for f in facts {
            self.ws.write_string(self.row, 0, &f.label).map_err(err)?;
            write(self.ws, self.row, 1, &f.value)?;
            if !f.unit.is_empty() {
                self.ws.write_string(self.row, 2, &f.unit).map_err(err)?;
            }
            self.seen(0, &f.label);
            if let Cell::Text(t) = &f.value {
                self.seen(1, t);
            }
            self.row += 1;
        }
        self.row += 1;
        Ok(())
    }

    fn table(&mut self, t: &Table) -> Result<(), ReportError> {
        let head = Format::new()
            .set_bold()
            .set_background_color(0xE0EDE5)
            .set_text_wrap();
        if !t.caption.is_empty() {
            self.bold(0, &t.caption, &Format::new().set_bold())?;
            self.row += 1;
        }
        for (i, c) in t.columns.iter().enumerate() {
            self.bold(i as u16, &c.title(), &head)?;
            self.seen(i, &c.header);
        }
        self.row += 1;
        for r in &t.rows {
            for (i, c) in r.iter().enumerate() {
                write(self.ws, self.row, i as u16, c)?;
                if let Cell::Text(s) = c {
                    self.seen(i, s);
                }
            }
            self.row += 1;
        }
        self.row += 1;
        Ok(())
    }

    /// The chart's data as a table, and a native chart beside it.
    fn chart(&mut self, c: &Chart) -> Result<(), ReportError> {
        let head = Format::new().set_bold().set_background_color(0xE0EDE5);
        self.bold(0, &c.title, &Format::new().set_bold())?;
        self.row += 1;
        let first = self.row;
        self.bold(0, "", &head)?;
        for (j, s) in c.series.iter().enumerate() {
            let title = if c.unit.is_empty() {
                s.name.clone()
            } else {
                format!("{} ({})", s.name, c.unit)
            };
            self.bold(j as u16 + 1, &title, &head)?;
        }
        self.row += 1;
        for (i, label) in c.labels.iter().enumerate() {
            self.ws.write_string(self.row, 0, label).map_err(err)?;
            for (j, s) in c.series.iter().enumerate() {
                if let Some(Some(v)) = s.values.get(i) {
                    write(self.ws, self.row, j as u16 + 1, &Cell::Number(*v, 3))?;
                }
            }
            self.row += 1;
        }
        let last = self.row.saturating_sub(1);
        if !c.labels.is_empty() && !c.series.is_empty() {
            let mut chart = XChart::new(match c.kind {
                ChartKind::Bar => ChartType::Column,
                ChartKind::Line => ChartType::Line,
            });
            chart.title().set_name(&c.title);
            chart.y_axis().set_name(&c.unit);
            for (j, _) in c.series.iter().enumerate() {
                let col = j as u16 + 1;
                chart
                    .add_series()
                    .set_name((self.name.as_str(), first, col))
                    .set_categories((self.name.as_str(), first + 1, 0, last, 0))
                    .set_values((self.name.as_str(), first + 1, col, last, col));
            }
            let at = c.series.len() as u16 + 2;
            self.ws.insert_chart(first, at, &chart).map_err(err)?;
            self.row = self.row.max(first + 16);
        }
        self.row += 1;
        Ok(())
    }
}

/// Renders `doc` as a workbook.
pub fn render(doc: &Document) -> Result<Vec<u8>, ReportError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(err)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(&doc.title)
            .set_subject(&doc.subtitle)
            .set_author("zeropark")
            .set_creation_datetime(&created),
    );
    let mut taken = BTreeSet::new();
    let title = Format::new().set_bold().set_font_size(14);
    let heading = Format::new().set_bold().set_font_size(12);
    for (i, section) in doc.sections.iter().enumerate() {
        let name = sheet_name(&section.sheet, &mut taken);
        let ws = wb.add_worksheet();
        ws.set_name(&name).map_err(err)?;
        let mut s = Sheet {
            ws,
            name,
            row: 0,
            widths: Vec::new(),
        };
        if i == 0 {
            s.bold(0, &doc.title, &title)?;
            s.row += 1;
            if !doc.subtitle.is_empty() {
                s.ws.write_string(s.row, 0, &doc.subtitle).map_err(err)?;
                s.row += 1;
            }
            s.row += 1;
            s.facts(&doc.facts)?;
        }
        s.bold(0, &section.heading, &heading)?;
        s.row += 2;
        for b in &section.blocks {
            match b {
                Block::Paragraph(p) => {
                    s.ws.write_string(s.row, 0, p).map_err(err)?;
                    s.row += 2;
                }
                Block::Facts(f) => s.facts(f)?,
                Block::Table(t) => s.table(t)?,
                Block::Chart(c) => s.chart(c)?,
            }
        }
        for (col, w) in s.widths.clone().into_iter().enumerate() {
            s.ws.set_column_width(col as u16, (w as f64 + 2.0).min(48.0))
                .map_err(err)?;
        }
    }
    if doc.sections.is_empty() {
        wb.add_worksheet();
    }
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut taken = BTreeSet::new();
        assert_eq!(sheet_name("A/B", &mut taken), "A_B");
        assert_eq!(sheet_name("a_b", &mut taken), "a_b 2");
        let long = "x".repeat(40);
        assert_eq!(sheet_name(&long, &mut taken).chars().count(), 31);
        assert_eq!(
            sheet_name(&long, &mut taken),
            format!("{} 2", "x".repeat(29))
        );
    }
}

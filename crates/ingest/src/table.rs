//! Reading CSV and XLSX files into text tables.

use sha2::{Digest, Sha256};
use std::path::Path;
use zp_domain::records::Rejected;

/// Bounds on what one file may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: u64,
    pub max_rows: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // A year of monthly ledgers for a large region is well under this.
        Limits {
            max_bytes: 256 * 1024 * 1024,
            max_rows: 2_000_000,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{file}: cannot read: {reason}")]
    Io { file: String, reason: String },
    #[error("{file}: {bytes} bytes is over the limit of {limit} bytes")]
    TooLarge {
        file: String,
        bytes: u64,
        limit: u64,
    },
    #[error("{file}: more than {limit} rows")]
    TooManyRows { file: String, limit: usize },
    #[error("{file}: {reason}")]
    Format { file: String, reason: String },
    #[error("{file}: missing column(s) {missing} (found: {found})")]
    Columns {
        file: String,
        missing: String,
        found: String,
    },
}

/// A file as text cells.
#[derive(Debug, Clone)]
pub struct Table {
    pub file: String,
    pub sha256: String,
    pub headers: Vec<String>,
    /// (row number, cells)
    pub rows: Vec<(i64, Vec<String>)>,
    /// How the bytes were decoded (`utf-8`, `utf-8-bom`, `utf-16le`, `utf-16be`,
    /// `gb18030`, `xlsx`).
    pub encoding: &'static str,
    /// Rows that could not be read as written (a byte that is not UTF-8, an unclosed
    /// quote), in row order. They stay in `rows` (so `read` counts them) and every
    /// validator quarantines them through [`Table::check_row`].
    pub problems: Vec<RowProblem>,
}

/// Why a row of a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub row: i64,
    pub reason: String,
}

impl Table {
    /// A table from literal rows (header first), numbered as in a file (tests, forms).
    pub fn from_rows(file: &str, rows: &[&[&str]]) -> Table {
        let cells = |r: &[&str]| r.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Table {
            file: file.into(),
            sha256: String::new(),
            headers: cells(rows[0]),
            rows: rows[1..]
                .iter()
                .enumerate()
                .map(|(i, r)| (i as i64 + 2, cells(r)))
                .collect(),
            encoding: "utf-8",
            problems: Vec::new(),
        }
    }

    /// The index of the column `name` (header trimmed, case ignored), if the table has it.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    }

    /// The rejection of a row that must not be validated further: a row that could not be
    /// read (see [`Table::problems`]), or a cell holding a control character (NUL, an ANSI
    /// escape, a line break...), which no name, code or value may contain.
    pub fn check_row(&self, row: i64, cells: &[String]) -> Option<Rejected> {
        if let Ok(i) = self.problems.binary_search_by_key(&row, |p| p.row) {
            return Some(Rejected {
                row,
                field: "row".into(),
                reason: self.problems[i].reason.clone(),
                raw: Table::raw(cells),
            });
        }
        // CSV only: a row longer than the header with text in the extra fields has a comma
        // too many, e.g. an unquoted 1,000 that would shift every later column.
        if self.encoding != "xlsx"
            && cells.len() > self.headers.len()
            && cells[self.headers.len()..].iter().any(|c| !c.is_empty())
        {
            return Some(Rejected {
                row,
                field: "row".into(),
                reason: format!(
                    "row has {} fields, the header {}: a comma too many (a number such as 1,000 must be written 1000; quote text holding commas)",
                    cells.len(),
                    self.headers.len()
                ),
                raw: Table::raw(cells),
            });
        }
        for (col, cell) in cells.iter().enumerate() {
            if let Some((pos, c)) = cell.chars().enumerate().find(|(_, c)| c.is_control()) {
                let field = self
                    .headers
                    .get(col)
                    .filter(|h| !h.is_empty())
                    .cloned()
                    .unwrap_or_else(|| format!("column {}", col + 1));
                return Some(Rejected {
                    row,
                    field: field.clone(),
                    reason: format!(
                        "{field} contains the control character U+{:04X}{} at character {}: text must be printable",
                        c as u32,
                        control_name(c),
                        pos + 1
                    ),
                    raw: Table::raw(cells),
                });
            }
        }
        None
    }

    /// The raw cells of a row, joined as one CSV line (kept with quarantined rows), control
    /// characters written `\x00`: a NUL cannot be stored in a PostgreSQL text column, and
    /// an unreadable row or one with a comma too many may hold one.
    pub fn raw(cells: &[String]) -> String {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b' '))
            .from_writer(vec![]);
        // Writing to a Vec cannot fail.
        let _ = w.write_record(cells);
        String::from_utf8_lossy(&w.into_inner().unwrap_or_default())
            .trim_end()
            .chars()
            .map(|c| {
                if c.is_control() {
                    format!("\\x{:02X}", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect()
    }
    /// A quarantined row: `field` could not be taken for `reason`, with the row's raw cells.
    pub fn reject(row: i64, field: &str, reason: String, cells: &[String]) -> Rejected {
        Rejected {
            row,
            field: field.into(),
            reason,
            raw: Table::raw(cells),
        }
    }
}

fn control_name(c: char) -> &'static str {
    match c {
        '\0' => " (NUL)",
        '\u{1b}' => " (ESC, an ANSI escape)",
        '\t' => " (tab)",
        '\n' | '\r' => " (line break)",
        '\u{7f}' => " (DEL)",
        _ => "",
    }
}

/// Reads a `.csv` (UTF-8 with or without BOM, or GB18030) or `.xlsx` file (first sheet).
pub fn read_table(path: &Path, limits: Limits) -> Result<Table, ReadError> {
    let file = path.display().to_string();
    let io = |e: std::io::Error| ReadError::Io {
        file: file.clone(),
        reason: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > limits.max_bytes {
        return Err(ReadError::TooLarge {
            file,
            bytes: meta.len(),
            limit: limits.max_bytes,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let is_xlsx = bytes.starts_with(b"PK\x03\x04")
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let (headers, rows, problems, encoding) = if is_xlsx {
        let (h, r) = read_xlsx(&file, bytes, limits)?;
        (h, r, Vec::new(), "xlsx")
    } else {
        read_csv(&file, &bytes, limits)?
    };
    Ok(Table {
        file,
        sha256,
        headers,
        rows,
        encoding,
        problems,
    })
}

/// How to read a CSV file's bytes as text, decided for the whole file.
enum Decoded {
    /// UTF-8 (with or without BOM): lines are read from the bytes; a line holding an
    /// invalid byte is quarantined, not the file re-read in another encoding.
    Utf8 { body: usize, name: &'static str },
    /// Another encoding, decoded once into UTF-8 text.
    Text { text: String, name: &'static str },
}

/// Decides the encoding: a BOM (UTF-8, UTF-16) first; else a file that is valid UTF-8 is
/// UTF-8; else GB18030 when the whole file decodes as GB18030 without error and its
/// non-ASCII characters are mostly Chinese (ideographs, CJK punctuation, full-width forms)
/// while it holds fewer valid UTF-8 multi-byte characters than invalid bytes; else UTF-8
/// with damaged lines.
fn decode(bytes: &[u8]) -> Decoded {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Decoded::Utf8 {
            body: 3,
            name: "utf-8-bom",
        };
    }
    for (bom, enc, name) in [
        (&b"\xFF\xFE"[..], encoding_rs::UTF_16LE, "utf-16le"),
        (&b"\xFE\xFF"[..], encoding_rs::UTF_16BE, "utf-16be"),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            let (text, _) = enc.decode_without_bom_handling(rest);
            return Decoded::Text {
                text: text.into_owned(),
                name,
            };
        }
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Decoded::Utf8 {
            body: 0,
            name: "utf-8",
        };
    }
    let (valid_multibyte, invalid) = utf8_census(bytes);
    if invalid > valid_multibyte
        && let Some(text) =
            encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)
    {
        let (mut chinese, mut other) = (0usize, 0usize);
        for c in text.chars().filter(|c| !c.is_ascii()) {
            if matches!(c, '\u{3000}'..='\u{303F}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{FF00}'..='\u{FFEF}' | '\u{2010}'..='\u{203F}' | '\u{00B7}')
            {
                chinese += 1;
            } else {
                other += 1;
            }
        }
        if chinese >= 9 * other {
            return Decoded::Text {
                text: text.into_owned(),
                name: "gb18030",
            };
        }
    }
    Decoded::Utf8 {
        body: 0,
        name: "utf-8",
    }
}

/// (valid UTF-8 multi-byte characters, invalid byte sequences) of a byte string.
fn utf8_census(mut b: &[u8]) -> (usize, usize) {
    let (mut good, mut bad) = (0, 0);
    loop {
        match std::str::from_utf8(b) {
            Ok(s) => return (good + s.chars().filter(|c| !c.is_ascii()).count(), bad),
            Err(e) => {
                let ok = &b[..e.valid_up_to()];
                // The prefix is valid UTF-8 by construction.
                good += std::str::from_utf8(ok)
                    .map(|s| s.chars().filter(|c| !c.is_ascii()).count())
                    .unwrap_or(0);
                bad += 1;
                let skip = e.error_len().unwrap_or(b.len() - e.valid_up_to());
                b = &b[e.valid_up_to() + skip..];
            }
        }
    }
}

type Rows = Vec<(i64, Vec<String>)>;

/// Headers, rows, the rows that could not be read, and the encoding.
type CsvRead = (Vec<String>, Rows, Vec<RowProblem>, &'static str);

/// Physical lines: `\r\n`, `\n` and a lone `\r` (old Mac files) each end a line. Yields
/// (1-based line number, byte offset of the line, line bytes).
fn lines(b: &[u8]) -> impl Iterator<Item = (i64, usize, &[u8])> {
    let mut at = 0usize;
    let mut n = 0i64;
    std::iter::from_fn(move || {
        if at >= b.len() {
            return None;
        }
        let start = at;
        let end = b[at..]
            .iter()
            .position(|&c| c == b'\n' || c == b'\r')
            .map_or(b.len(), |k| at + k);
        at = match (b.get(end), b.get(end + 1)) {
            (Some(b'\r'), Some(b'\n')) => end + 2,
            _ => end + 1,
        };
        n += 1;
        Some((n, start, &b[start..end]))
    })
}

/// Splits one CSV line: fields separated by `,`, a field starting with `"` runs to the
/// closing `"` (`""` is a quote inside it). A quoted field must close on its own line:
/// otherwise the line is refused (one stray quote must not swallow the rest of the file).
fn split_line(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.char_indices().peekable();
    let mut at_start = true;
    while let Some((i, c)) = chars.next() {
        match c {
            '"' if at_start && cur.trim().is_empty() => {
                cur.clear();
                let opened = i;
                loop {
                    match chars.next() {
                        Some((_, '"')) if matches!(chars.peek(), Some((_, '"'))) => {
                            chars.next();
                            cur.push('"');
                        }
                        Some((_, '"')) => break,
                        Some((_, ch)) => cur.push(ch),
                        None => {
                            return Err(format!(
                                "the quote (\") opened at character {} of field {} is not closed on this line",
                                line[..opened].chars().count() + 1,
                                out.len() + 1
                            ));
                        }
                    }
                }
                at_start = false;
                // Text between the closing quote and the next comma is kept, as spreadsheets do.
            }
            ',' => {
                out.push(std::mem::take(&mut cur));
                at_start = true;
            }
            c => {
                if !c.is_whitespace() {
                    at_start = false;
                }
                cur.push(c);
            }
        }
    }
    out.push(cur);
    Ok(out)
}

fn read_csv(file: &str, bytes: &[u8], limits: Limits) -> Result<CsvRead, ReadError> {
    let fmt = |reason: String| ReadError::Format {
        file: file.into(),
        reason,
    };
    let (owned, body_offset, name) = match decode(bytes) {
        Decoded::Utf8 { body, name } => (None, body, name),
        Decoded::Text { text, name } => (Some(text), 0, name),
    };
    let body: &[u8] = match &owned {
        Some(t) => t.as_bytes(),
        None => &bytes[body_offset..],
    };
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (line, start, raw) in lines(body) {
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        // Only bytes read as UTF-8 can be invalid; offsets count from the file's first byte.
        let (text, bad_byte) = match std::str::from_utf8(raw) {
            Ok(t) => (std::borrow::Cow::Borrowed(t), None),
            Err(e) => (
                String::from_utf8_lossy(raw),
                Some((body_offset + start + e.valid_up_to(), raw[e.valid_up_to()])),
            ),
        };
        if headers.is_none() {
            if let Some((offset, byte)) = bad_byte {
                return Err(fmt(format!(
                    "header (line {line}) has byte 0x{byte:02X} at byte offset {offset}, which is not UTF-8; save the file as UTF-8 or GB18030"
                )));
            }
            let cells = split_line(&text).map_err(|e| fmt(format!("header (line {line}): {e}")))?;
            if let Some(c) = text.chars().find(|c| c.is_control() && *c != '\t') {
                return Err(fmt(format!(
                    "header (line {line}) has the control character U+{:04X}{}: column names must be printable",
                    c as u32,
                    control_name(c)
                )));
            }
            headers = Some(cells.iter().map(|c| c.trim().to_string()).collect());
            continue;
        }
        if rows.len() == limits.max_rows {
            return Err(ReadError::TooManyRows {
                file: file.into(),
                limit: limits.max_rows,
            });
        }
        let (cells, problem) = match (bad_byte, split_line(&text)) {
            (Some((offset, byte)), cells) => (
                cells.unwrap_or_else(|_| vec![text.to_string()]),
                Some((
                    String::new(),
                    format!(
                        "byte 0x{byte:02X} at byte offset {offset} is not UTF-8 (the file is read as UTF-8): this row is not imported"
                    ),
                )),
            ),
            (None, Ok(cells)) => (cells, None),
            (None, Err(reason)) => (vec![text.to_string()], Some((String::new(), reason))),
        };
        let cells: Vec<String> = cells.iter().map(|c| c.trim().to_string()).collect();
        if let Some((_, reason)) = problem {
            problems.push(RowProblem { row: line, reason });
        }
        rows.push((line, cells));
    }
    let Some(headers) = headers.filter(|h| !h.iter().all(String::is_empty)) else {
        return Err(fmt("empty file (no header row)".into()));
    };
    Ok((headers, rows, problems, name))
}

fn cell_text(c: &calamine::Data) -> String {
    use calamine::Data;
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_serial_to_text(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#ERROR {e:?}"),
    }
}

/// Excel serial day (1900 date system, day 0 = 1899-12-30) to `YYYY-MM-DD HH:MM:SS`.
fn excel_serial_to_text(serial: f64) -> String {
    let secs = (serial * 86_400.0).round() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let base = jiff::civil::date(1899, 12, 30);
    // A serial beyond the years jiff holds (±9999) is kept as the number it is.
    match jiff::Span::new()
        .try_days(days)
        .and_then(|span| base.checked_add(span))
    {
        Ok(d) => format!(
            "{d} {:02}:{:02}:{:02}",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        ),
        Err(_) => serial.to_string(),
    }
}

fn read_xlsx(file: &str, bytes: Vec<u8>, limits: Limits) -> Result<(Vec<String>, Rows), ReadError> {
    use calamine::Reader;
    let fmt = |reason: String| ReadError::Format {
        file: file.into(),
        reason,
    };
    // Bound the used range and the inflated size before calamine allocates either.
    crate::xlsx_guard::check_xlsx(
        &bytes,
        crate::xlsx_guard::XlsxLimits::for_rows(limits.max_rows),
    )
    .map_err(fmt)?;
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| fmt(format!("not a readable .xlsx workbook: {e}")))?;
    let first = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| fmt("workbook has no sheets".into()))?;
    let range = wb
        .worksheet_range(&first)
        .map_err(|e| fmt(format!("sheet {first}: {e}")))?;
    let start_row = range.start().map(|(r, _)| r as i64).unwrap_or(0);
    let mut iter = range.rows().enumerate();
    let headers = match iter.next() {
        Some((_, h)) => h.iter().map(cell_text).collect(),
        None => return Err(fmt(format!("sheet {first} is empty"))),
    };
    let mut rows = Vec::new();
    for (i, r) in iter {
        let cells: Vec<String> = r.iter().map(cell_text).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if rows.len() == limits.max_rows {
            return Err(ReadError::TooManyRows {
                file: file.into(),
                limit: limits.max_rows,
            });
        }
        rows.push((start_row + i as i64 + 1, cells));
    }
    Ok((headers, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xlsx_guard;

    fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn utf8_bom_and_gb18030_decode_to_the_same_table() {
        let d = tempfile::tempdir().unwrap();
        let text = "credit_code,name\n1,天然气公司\n";
        let a = read_table(&write(&d, "a.csv", text.as_bytes()), Limits::default()).unwrap();
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        let b = read_table(&write(&d, "b.csv", &bom), Limits::default()).unwrap();
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        let c = read_table(&write(&d, "c.csv", &gb), Limits::default()).unwrap();
        assert_eq!(
            (a.encoding, b.encoding, c.encoding),
            ("utf-8", "utf-8-bom", "gb18030")
        );
        assert_eq!(a.headers, b.headers);
        assert_eq!(b.headers, vec!["credit_code", "name"]);
        assert_eq!(a.rows, c.rows);
        assert_eq!(
            c.rows[0],
            (2, vec!["1".to_string(), "天然气公司".to_string()])
        );
    }

    #[test]
    fn row_numbers_skip_blank_lines_but_keep_file_lines() {
        let d = tempfile::tempdir().unwrap();
        let t = read_table(&write(&d, "a.csv", b"h\nx\n\ny\n"), Limits::default()).unwrap();
        assert_eq!(t.rows.iter().map(|r| r.0).collect::<Vec<_>>(), vec![2, 4]);
    }

    #[test]
    fn limits_are_enforced() {
        let d = tempfile::tempdir().unwrap();
        let p = write(&d, "a.csv", b"h\n1\n2\n3\n");
        let e = read_table(
            &p,
            Limits {
                max_bytes: 4,
                max_rows: 10,
            },
        )
        .unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { .. }));
        let e = read_table(
            &p,
            Limits {
                max_bytes: 1000,
                max_rows: 2,
            },
        )
        .unwrap_err();
        assert!(matches!(e, ReadError::TooManyRows { limit: 2, .. }));
        assert!(matches!(
            read_table(&d.path().join("none.csv"), Limits::default()),
            Err(ReadError::Io { .. })
        ));
    }

    #[test]
    fn xlsx_first_sheet() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("ledger.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "credit_code").unwrap();
        ws.write_string(0, 1, "quantity").unwrap();
        ws.write_string(1, 0, "X").unwrap();
        ws.write_number(1, 1, 1000.5).unwrap();
        ws.write_string(3, 0, "Y").unwrap();
        ws.write_number(3, 1, 12.0).unwrap();
        wb.save(&p).unwrap();
        let t = read_table(&p, Limits::default()).unwrap();
        assert_eq!(t.encoding, "xlsx");
        assert_eq!(t.headers, vec!["credit_code", "quantity"]);
        assert_eq!(t.rows[0], (2, vec!["X".to_string(), "1000.5".to_string()]));
        assert_eq!(t.rows[1], (4, vec!["Y".to_string(), "12".to_string()]));
    }

    /// A zip of the given parts, deflated.
    fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write;
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in parts {
            z.start_file(*name, o).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap().into_inner()
    }

    fn format_reason(e: ReadError) -> String {
        match e {
            ReadError::Format { reason, .. } => reason,
            other => panic!("expected a format error, got {other:?}"),
        }
    }

    #[test]
    fn xlsx_with_cell_at_xfd1048576_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("orgs.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "credit_code").unwrap();
        // Row 1048575, column 16383 (0-based) is the last cell of a sheet: XFD1048576.
        ws.write_string(1_048_575, 16_383, "x").unwrap();
        wb.save(&p).unwrap();
        assert!(std::fs::metadata(&p).unwrap().len() < 10_000);
        let reason = format_reason(read_table(&p, Limits::default()).unwrap_err());
        // rust_xlsxwriter writes <dimension ref="A1:XFD1048576"/>: its 1,048,576 rows are
        // within the default 2,000,001, its 16,384 columns are over the 1,024 allowed.
        assert_eq!(
            reason,
            "sheet xl/worksheets/sheet1.xml has dimension A1:XFD1048576: its used range spans \
             16384 columns, more than 1024; delete the stray cells or split the sheet"
        );
        // The same stray cell without a <dimension> element is found by the cell scan.
        let sheet = br#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>h</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#;
        let bytes = zip_of(&[("xl/worksheets/sheet1.xml", sheet)]);
        let e = xlsx_guard::check_xlsx(&bytes, xlsx_guard::XlsxLimits::for_rows(2_000_000))
            .unwrap_err();
        assert!(e.contains("has a cell at XFD1048576"), "{e}");
        // Rows alone: a cell at A3000000 is beyond 2,000,000 data rows + the header.
        let sheet = br#"<worksheet><sheetData><row r="3000000"><c r="A3000000"><v>1</v></c></row></sheetData></worksheet>"#;
        let bytes = zip_of(&[("xl/worksheets/sheet1.xml", sheet)]);
        let e = xlsx_guard::check_xlsx(&bytes, xlsx_guard::XlsxLimits::for_rows(2_000_000))
            .unwrap_err();
        assert!(e.contains("3000000 rows, more than 2000001"), "{e}");
    }

    /// Found by fuzzing (issue 19): a cell reference with a 20-digit row overflowed
    /// calamine's reference parser (a panic in debug builds, a wrong cell in release); the
    /// guard refuses the sheet first.
    #[test]
    fn xlsx_cell_reference_with_a_20_digit_row_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let sheet = br#"<worksheet><sheetData><row r="1"><c r="A99999999999999999999"><v>1</v></c></row></sheetData></worksheet>"#;
        let p = write(
            &d,
            "bad.xlsx",
            &zip_of(&[("xl/worksheets/sheet1.xml", sheet)]),
        );
        let reason = format_reason(read_table(&p, Limits::default()).unwrap_err());
        assert_eq!(
            reason,
            "sheet xl/worksheets/sheet1.xml has the reference \"A99999999999999999999\", which is \
             not a cell reference such as B7 (at most 4 letters and 12 digits): the workbook is damaged"
        );
        // The same in a <dimension> or a <row>.
        for sheet in [
            &br#"<worksheet><dimension ref="A1:B99999999999999999999"/></worksheet>"#[..],
            br#"<worksheet><sheetData><row r="99999999999999999999"/></sheetData></worksheet>"#,
        ] {
            let bytes = zip_of(&[("xl/worksheets/sheet1.xml", sheet)]);
            let e =
                xlsx_guard::check_xlsx(&bytes, xlsx_guard::XlsxLimits::for_rows(100)).unwrap_err();
            assert!(e.contains("which is not a cell reference"), "{e}");
        }
    }

    #[test]
    fn xlsx_zip_bomb_is_refused() {
        let d = tempfile::tempdir().unwrap();
        // 16 MiB of one repeated byte deflates to about 16 KB: a ratio near 1000.
        let zeros = vec![b' '; 16 << 20];
        let bytes = zip_of(&[("xl/sharedStrings.xml", &zeros)]);
        assert!(bytes.len() < 100_000, "{}", bytes.len());
        let p = write(&d, "bomb.xlsx", &bytes);
        let reason = format_reason(read_table(&p, Limits::default()).unwrap_err());
        assert!(
            reason.starts_with("part xl/sharedStrings.xml expands ")
                && reason.ends_with("limit 100-fold): refused as a possible zip bomb"),
            "{reason}"
        );
        // The total bound: 2 MiB of varied text (ratio well under 100) against a 1 MiB cap.
        let varied: Vec<u8> = (0..2u32 << 20)
            .map(|i| b'a' + (i.wrapping_mul(2_654_435_761) >> 27) as u8 % 26)
            .collect();
        let bytes = zip_of(&[("xl/sharedStrings.xml", &varied)]);
        let limits = xlsx_guard::XlsxLimits {
            max_unzipped_bytes: 1 << 20,
            ..xlsx_guard::XlsxLimits::for_rows(100)
        };
        let e = xlsx_guard::check_xlsx(&bytes, limits).unwrap_err();
        assert_eq!(
            e,
            "the workbook's parts hold more than 2097152 bytes uncompressed (limit 1048576): \
             refused as a possible zip bomb"
        );
        // An ordinary workbook passes the guard.
        let ok = d.path().join("ok.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.add_worksheet()
            .write_string(0, 0, "credit_code")
            .unwrap();
        wb.save(&ok).unwrap();
        assert_eq!(
            read_table(&ok, Limits::default()).unwrap().headers,
            ["credit_code"]
        );
    }
}

//! Reading CSV and XLSX files into text tables.

use sha2::{Digest, Sha256};
use std::path::Path;

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
    /// How the bytes were decoded (`utf-8`, `utf-8-bom`, `gb18030`, `xlsx`).
    pub encoding: &'static str,
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
        }
    }

    /// The raw cells of a row, joined as one CSV line (kept with quarantined rows).
    pub fn raw(cells: &[String]) -> String {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b' '))
            .from_writer(vec![]);
        // Writing to a Vec cannot fail.
        let _ = w.write_record(cells);
        String::from_utf8_lossy(&w.into_inner().unwrap_or_default())
            .trim_end()
            .to_string()
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
    let (headers, rows, encoding) = if is_xlsx {
        let (h, r) = read_xlsx(&file, bytes, limits)?;
        (h, r, "xlsx")
    } else {
        let (text, encoding) = decode(&bytes);
        let (h, r) = read_csv(&file, &text, limits)?;
        (h, r, encoding)
    };
    Ok(Table {
        file,
        sha256,
        headers,
        rows,
        encoding,
    })
}

fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return (String::from_utf8_lossy(rest).into_owned(), "utf-8-bom");
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), "utf-8"),
        Err(_) => {
            let (text, _, _) = encoding_rs::GB18030.decode(bytes);
            (text.into_owned(), "gb18030")
        }
    }
}

type Rows = Vec<(i64, Vec<String>)>;

fn read_csv(file: &str, text: &str, limits: Limits) -> Result<(Vec<String>, Rows), ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ReadError::Format {
            file: file.into(),
            reason: e.to_string(),
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(ReadError::Format {
            file: file.into(),
            reason: "empty file (no header row)".into(),
        });
    }
    let mut rows = Vec::new();
    // The reader's own line counter skips blank lines; count newlines up to each record's
    // byte offset instead, so row numbers are the lines an editor shows.
    let (mut scanned, mut line) = (0usize, 1i64);
    for rec in reader.records() {
        let rec = rec.map_err(|e| ReadError::Format {
            file: file.into(),
            reason: e.to_string(),
        })?;
        let mut offset = rec.position().map(|p| p.byte() as usize).unwrap_or(scanned);
        // The position may point at blank lines the reader skipped before the record.
        while matches!(text.as_bytes().get(offset), Some(b'\n' | b'\r')) {
            offset += 1;
        }
        line += text.as_bytes()[scanned..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as i64;
        scanned = offset;
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() == limits.max_rows {
            return Err(ReadError::TooManyRows {
                file: file.into(),
                limit: limits.max_rows,
            });
        }
        rows.push((line, rec.iter().map(|c| c.trim().to_string()).collect()));
    }
    Ok((headers, rows))
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
    match base.checked_add(jiff::Span::new().days(days)) {
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
}

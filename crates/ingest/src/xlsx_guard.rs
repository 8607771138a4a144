//! Inspection of an `.xlsx` file before calamine reads it. An `.xlsx` is a zip of XML parts;
//! calamine allocates the whole used range of a sheet (rows × columns) and inflates every
//! part it reads, so a 1.5 KB file with one cell at `XFD1048576` asks for 512 GiB and a
//! 4 MB zip bomb for 10 GiB. This guard reads the zip's central directory and streams the
//! worksheet parts through a bounded inflater first, and refuses the file (with a reason)
//! when
//!
//! - the parts declare or inflate to more than [`XlsxLimits::max_unzipped_bytes`] in total,
//!   or a part inflates to more than it declared;
//! - a part larger than [`RATIO_FLOOR_BYTES`] inflates more than
//!   [`XlsxLimits::max_ratio`] times its compressed size;
//! - a worksheet's `<dimension ref=...>` or the cells it holds (`<c r="...">`, `<row r=...>`)
//!   reach beyond the row limit, [`XlsxLimits::max_columns`] or [`XlsxLimits::max_cells`].

use std::io::Read;

/// Parts smaller than this are not checked for their compression ratio (tiny parts of
/// repeated markup compress very well and cannot hurt).
pub const RATIO_FLOOR_BYTES: u64 = 1 << 20;

/// Bounds on an `.xlsx` file's contents.
#[derive(Debug, Clone, Copy)]
pub struct XlsxLimits {
    /// All parts together, inflated.
    pub max_unzipped_bytes: u64,
    /// Inflated size / compressed size of one part (above [`RATIO_FLOOR_BYTES`]).
    pub max_ratio: u64,
    /// Rows of a sheet, the header included.
    pub max_rows: u64,
    pub max_columns: u64,
    /// Rows × columns of a sheet's used range (calamine holds one 32-byte cell for each).
    pub max_cells: u64,
}

impl XlsxLimits {
    /// The defaults for a file that may hold `max_rows` data rows: 512 MiB inflated, ratio
    /// 100, 1,024 columns, 10 million cells (about 320 MB in calamine).
    pub fn for_rows(max_rows: usize) -> XlsxLimits {
        XlsxLimits {
            max_unzipped_bytes: 512 << 20,
            max_ratio: 100,
            max_rows: max_rows as u64 + 1,
            max_columns: 1024,
            max_cells: 10_000_000,
        }
    }
}

/// Checks an `.xlsx` file's bytes; the error is the reason to refuse it.
pub fn check_xlsx(bytes: &[u8], limits: XlsxLimits) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable .xlsx workbook: {e}"))?;
    // The central directory first: what each part says it holds.
    let mut declared = 0u64;
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let f = zip
            .by_index_raw(i)
            .map_err(|e| format!("not a readable .xlsx workbook: {e}"))?;
        let name = f.name().map(|n| n.to_string()).unwrap_or_default();
        let (size, packed) = (f.size(), f.compressed_size());
        declared = declared.saturating_add(size);
        if declared > limits.max_unzipped_bytes {
            return Err(format!(
                "the workbook's parts hold more than {} bytes uncompressed (limit {}): refused as a possible zip bomb",
                declared, limits.max_unzipped_bytes
            ));
        }
        check_ratio(&name, size, packed, limits)?;
        parts.push((i, name, size, packed));
    }
    // Then inflate each part through a counter: sizes in the directory may lie.
    let mut inflated = 0u64;
    let mut buf = vec![0u8; 64 << 10];
    for (i, name, size, packed) in parts {
        let sheet = name.starts_with("xl/worksheets/") && name.ends_with(".xml");
        let mut scan = sheet.then(SheetScan::default);
        let mut f = zip
            .by_index(i)
            .map_err(|e| format!("part {name}: cannot be read: {e}"))?;
        let mut n = 0u64;
        loop {
            let k = f
                .read(&mut buf)
                .map_err(|e| format!("part {name}: cannot be inflated: {e}"))?;
            if k == 0 {
                break;
            }
            n += k as u64;
            inflated += k as u64;
            if n > size {
                return Err(format!(
                    "part {name} inflates to more than the {size} bytes it declares: refused as a possible zip bomb"
                ));
            }
            if inflated > limits.max_unzipped_bytes {
                return Err(format!(
                    "the workbook inflates to more than {} bytes: refused as a possible zip bomb",
                    limits.max_unzipped_bytes
                ));
            }
            check_ratio(&name, n, packed, limits)?;
            if let Some(s) = &mut scan {
                s.feed(&buf[..k]);
                s.check(&name, limits)?;
            }
        }
        if let Some(s) = &mut scan {
            s.finish();
            s.check(&name, limits)?;
        }
    }
    Ok(())
}

fn check_ratio(name: &str, size: u64, packed: u64, limits: XlsxLimits) -> Result<(), String> {
    if size > RATIO_FLOOR_BYTES && size / packed.max(1) > limits.max_ratio {
        return Err(format!(
            "part {name} expands {}-fold ({packed} bytes to {size} or more; limit {}-fold): refused as a possible zip bomb",
            size / packed.max(1),
            limits.max_ratio
        ));
    }
    Ok(())
}

/// Streams a worksheet's XML for its used range: the `<dimension ref>` and the largest row
/// and column of its `<row>` and `<c>` elements (positional ones counted too).
#[derive(Default)]
struct SheetScan {
    /// An unfinished tag carried over from the previous block.
    carry: Vec<u8>,
    dimension: Option<(u64, u64, String)>,
    row: u64,
    col: u64,
    max_row: u64,
    max_col: u64,
    /// A `r` or `ref` attribute that is not a cell reference (`A99999999999999999999`):
    /// calamine's parser overflows on it (a panic in debug builds, a wrong cell in release).
    bad_ref: Option<String>,
}

/// Longest tag kept across blocks; longer tags are not cells and are skipped.
const MAX_TAG: usize = 4096;

impl SheetScan {
    fn feed(&mut self, block: &[u8]) {
        let mut data = std::mem::take(&mut self.carry);
        data.extend_from_slice(block);
        let mut i = 0;
        while let Some(lt) = memchr(b'<', &data[i..]) {
            let start = i + lt;
            match memchr(b'>', &data[start..]) {
                Some(gt) => {
                    self.tag(&data[start + 1..start + gt]);
                    i = start + gt + 1;
                }
                None => {
                    if data.len() - start <= MAX_TAG {
                        self.carry = data[start..].to_vec();
                    }
                    return;
                }
            }
        }
    }

    fn finish(&mut self) {
        self.carry.clear();
    }

    fn tag(&mut self, t: &[u8]) {
        let name_end = t
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .unwrap_or(t.len());
        // Element names may carry a namespace prefix (`x:c`).
        let name = &t[..name_end];
        let local = name.rsplit(|b| *b == b':').next().unwrap_or(name);
        let attrs = &t[name_end..];
        match local {
            b"dimension" => {
                if let Some(r) = attr(attrs, b"ref") {
                    if r.split(|b| *b == b':').any(|part| cell_ref(part).is_none()) {
                        self.bad(r);
                    }
                    let last = r.rsplit(|b| *b == b':').next().unwrap_or(r);
                    if let Some((row, col)) = cell_ref(last) {
                        let text = String::from_utf8_lossy(r).into_owned();
                        self.dimension = Some((row, col, text));
                    }
                }
            }
            b"row" => {
                if let Some(r) = attr(attrs, b"r").filter(|r| number(r).is_none()) {
                    self.bad(r);
                }
                self.row = attr(attrs, b"r").and_then(number).unwrap_or(self.row + 1);
                self.col = 0;
                self.max_row = self.max_row.max(self.row);
            }
            b"c" => {
                if let Some(r) = attr(attrs, b"r").filter(|r| cell_ref(r).is_none()) {
                    self.bad(r);
                }
                match attr(attrs, b"r").and_then(cell_ref) {
                    Some((row, col)) => {
                        self.row = self.row.max(row);
                        self.col = col;
                        self.max_row = self.max_row.max(row);
                    }
                    None => {
                        self.col += 1;
                        self.max_row = self.max_row.max(self.row.max(1));
                    }
                }
                self.max_col = self.max_col.max(self.col);
            }
            _ => {}
        }
    }

    fn bad(&mut self, r: &[u8]) {
        if self.bad_ref.is_none() {
            let text: String = String::from_utf8_lossy(r).chars().take(40).collect();
            self.bad_ref = Some(text);
        }
    }

    fn check(&self, part: &str, limits: XlsxLimits) -> Result<(), String> {
        if let Some(r) = &self.bad_ref {
            return Err(format!(
                "sheet {part} has the reference {r:?}, which is not a cell reference such as B7 (at most 4 letters and 12 digits): the workbook is damaged"
            ));
        }
        if let Some((rows, cols, text)) = &self.dimension {
            over(part, &format!("dimension {text}"), *rows, *cols, limits)?;
        }
        over(
            part,
            &format!("a cell at {}", a1(self.max_row, self.max_col)),
            self.max_row,
            self.max_col,
            limits,
        )
    }
}

fn over(part: &str, what: &str, rows: u64, cols: u64, l: XlsxLimits) -> Result<(), String> {
    let limit = if rows > l.max_rows {
        format!("{rows} rows, more than {}", l.max_rows)
    } else if cols > l.max_columns {
        format!("{cols} columns, more than {}", l.max_columns)
    } else if rows.saturating_mul(cols) > l.max_cells {
        format!(
            "{} cells ({rows} rows × {cols} columns), more than {}",
            rows.saturating_mul(cols),
            l.max_cells
        )
    } else {
        return Ok(());
    };
    Err(format!(
        "sheet {part} has {what}: its used range spans {limit}; delete the stray cells or split the sheet"
    ))
}

fn memchr(b: u8, s: &[u8]) -> Option<usize> {
    s.iter().position(|&x| x == b)
}

/// The value of attribute `name` (`name="v"` or `name='v'`) in a tag's attribute text.
fn attr<'a>(attrs: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut i = 0;
    while i < attrs.len() {
        // An attribute name starts after whitespace.
        if attrs[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let eq = memchr(b'=', &attrs[i..])? + i;
        let key = attrs[i..eq].trim_ascii();
        let q = *attrs.get(eq + 1)?;
        if q != b'"' && q != b'\'' {
            return None;
        }
        let end = memchr(q, &attrs[eq + 2..])? + eq + 2;
        if key == name {
            return Some(&attrs[eq + 2..end]);
        }
        i = end + 1;
    }
    None
}

fn number(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 12 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// `XFD1048576` (also `$XFD$1048576`) → (row 1048576, column 16384), both 1-based.
fn cell_ref(r: &[u8]) -> Option<(u64, u64)> {
    let r: Vec<u8> = r.iter().copied().filter(|&b| b != b'$').collect();
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if letters == 0 || letters > 4 {
        return None;
    }
    let col = r[..letters].iter().fold(0u64, |c, b| {
        c * 26 + (b.to_ascii_uppercase() - b'A' + 1) as u64
    });
    Some((number(&r[letters..])?, col))
}

/// (row, column), 1-based → `XFD1048576`.
fn a1(row: u64, col: u64) -> String {
    let mut letters = Vec::new();
    let mut c = col;
    while c > 0 {
        letters.push(b'A' + ((c - 1) % 26) as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{row}", String::from_utf8_lossy(&letters))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references() {
        // XFD: X=24, F=6, D=4 → (24·26 + 6)·26 + 4 = 16384.
        assert_eq!(cell_ref(b"XFD1048576"), Some((1_048_576, 16_384)));
        assert_eq!(cell_ref(b"$B$3"), Some((3, 2)));
        assert_eq!(cell_ref(b"A"), None);
        assert_eq!(a1(1_048_576, 16_384), "XFD1048576");
        assert_eq!(a1(2, 27), "AA2");
        assert_eq!(attr(b" r=\"C7\" s='1'", b"s"), Some(&b"1"[..]));
        assert_eq!(attr(b" spans=\"1:3\" r=\"7\"", b"r"), Some(&b"7"[..]));
    }

    #[test]
    fn positional_cells_count_and_split_tags_are_joined() {
        let mut s = SheetScan::default();
        let xml = b"<sheetData><row><c><v>1</v></c><c><v>2</v></c></row><row r=\"9\"><c r=\"E9\"/></row></sheetData>";
        // Fed in 7-byte blocks: tags cross block boundaries.
        for b in xml.chunks(7) {
            s.feed(b);
        }
        assert_eq!((s.max_row, s.max_col), (9, 5));
    }
}

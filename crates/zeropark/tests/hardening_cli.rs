//! Issue 22 #1 through the CLI: a 1.5 KB `.xlsx` with one cell at `XFD1048576` (calamine
//! would allocate 1,048,576 × 16,384 cells of 32 bytes, 512 GiB, and abort the process) and
//! a zip bomb are refused with exit status 2 and a clear reason, for every import kind that
//! reads spreadsheets, and nothing is recorded.

mod common;

use common::Db;
use std::io::{Read, Write};

/// The import kinds whose files may be `.xlsx` (readings are CSV or Parquet).
const KINDS: [&str; 4] = ["orgs", "activity", "meters", "grid-hourly"];

/// A real workbook (rust_xlsxwriter) with a header cell and one stray cell at XFD1048576,
/// the last cell of a sheet (row 1,048,576, column 16,384).
fn xfd1048576(path: &std::path::Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "credit_code").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save(path).unwrap();
}

/// Padding inside the sheet's XML: 8 MiB of spaces, which deflate about a thousandfold.
const PAD: usize = 8 << 20;

/// A real workbook whose sheet XML is padded with [`PAD`] spaces before `</worksheet>`:
/// valid XML that calamine reads without complaint, inflating to over 8 MiB from a few KB.
/// Returns the bytes and (compressed, inflated) sizes of the padded part.
fn zip_bomb() -> (Vec<u8>, u64, u64) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet()
        .write_string(0, 0, "credit_code")
        .unwrap();
    let plain = wb.save_to_buffer().unwrap();
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(plain)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let end = bytes.len() - "</worksheet>".len();
            assert_eq!(&bytes[end..], b"</worksheet>");
            bytes.splice(end..end, std::iter::repeat_n(b' ', PAD));
        }
        out.start_file(name, deflated).unwrap();
        out.write_all(&bytes).unwrap();
    }
    let bytes = out.finish().unwrap().into_inner();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let part = z.by_name("xl/worksheets/sheet1.xml").unwrap();
    let (packed, size) = (part.compressed_size(), part.size());
    drop(part);
    (bytes, packed, size)
}

#[test]
fn xlsx_with_a_cell_at_xfd1048576_exits_2_for_every_kind() {
    let db = Db::new();
    let file = db.file("orgs.xlsx");
    xfd1048576(&file);
    // The file was 1.5 KB: small files can ask for huge ranges.
    assert!(std::fs::metadata(&file).unwrap().len() < 10_000);
    for kind in KINDS {
        let err = db.fails(&["import", kind, file.to_str().unwrap()], 2);
        // rust_xlsxwriter declares <dimension ref="A1:XFD1048576"/>; the CLI's limit is
        // 2,000,000 data rows + the header, so the 16,384 columns (limit 1,024) refuse it.
        assert_eq!(
            err.trim_end(),
            format!(
                "error: {}: sheet xl/worksheets/sheet1.xml has dimension A1:XFD1048576: its used \
                 range spans 16384 columns, more than 1024; delete the stray cells or split the sheet",
                file.display()
            ),
            "{kind}"
        );
    }
    assert_eq!(
        db.audit(),
        Vec::<serde_json::Value>::new(),
        "nothing recorded"
    );
}

#[test]
fn xlsx_zip_bomb_exits_2_for_every_kind() {
    let db = Db::new();
    let (bytes, packed, size) = zip_bomb();
    let file = db.file("bomb.xlsx");
    std::fs::write(&file, &bytes).unwrap();
    // The sheet as rust_xlsxwriter wrote it (under 1 KB) plus the padding.
    assert!(size > PAD as u64 && size < PAD as u64 + 1024, "{size}");
    // 8 MiB of spaces deflate to about 8 KB: far beyond the 100-fold limit.
    assert!(size / packed > 100, "{size} / {packed}");
    for kind in KINDS {
        let err = db.fails(&["import", kind, file.to_str().unwrap()], 2);
        assert_eq!(
            err.trim_end(),
            format!(
                "error: {}: part xl/worksheets/sheet1.xml expands {}-fold ({packed} bytes to \
                 {size} or more; limit 100-fold): refused as a possible zip bomb",
                file.display(),
                size / packed
            ),
            "{kind}"
        );
    }
    assert_eq!(
        db.audit(),
        Vec::<serde_json::Value>::new(),
        "nothing recorded"
    );
}

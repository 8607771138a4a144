//! Issue 22 #1 through the CLI: a 1.5 KB `.xlsx` with one cell at `XFD1048576` (calamine
//! would allocate 1,048,576 × 16,384 cells of 32 bytes, 512 GiB, and abort the process) and
//! a zip bomb are refused with exit status 2 and a clear reason, for every import kind that
//! reads spreadsheets, and nothing is recorded.

mod common;

use common::Db;

#[path = "../../../tests/support/xlsx_bombs.rs"]
mod xlsx_bombs;
use xlsx_bombs::{PAD, zip_bomb};

/// The import kinds whose files may be `.xlsx` (readings are CSV or Parquet).
const KINDS: [&str; 4] = ["orgs", "activity", "meters", "grid-hourly"];

#[test]
fn xlsx_with_a_cell_at_xfd1048576_exits_2_for_every_kind() {
    let db = Db::new();
    let file = db.file("orgs.xlsx");
    std::fs::write(&file, xlsx_bombs::xfd1048576()).unwrap();
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

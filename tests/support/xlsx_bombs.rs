//! Hostile workbooks the hardening tests of the CLI and the server both send (issue 22 #1),
//! kept in one place: `#[path = "../../../tests/support/xlsx_bombs.rs"] mod xlsx_bombs;`.
#![allow(dead_code, reason = "each test binary uses its own part")]

use std::io::{Read, Write};

/// Padding inside the sheet's XML: 8 MiB of spaces, which deflate about a thousandfold.
pub const PAD: usize = 8 << 20;

/// A real workbook (rust_xlsxwriter) with a header cell and one stray cell at XFD1048576,
/// the last cell of a sheet (row 1,048,576, column 16,384): calamine would allocate every
/// cell up to it (512 GiB).
pub fn xfd1048576() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "credit_code").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save_to_buffer().unwrap()
}

/// A real workbook whose sheet XML is padded with [`PAD`] spaces before `</worksheet>`:
/// valid XML that calamine reads without complaint, inflating to over 8 MiB from a few KB.
/// Returns the bytes and (compressed, inflated) sizes of the padded part.
pub fn zip_bomb() -> (Vec<u8>, u64, u64) {
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

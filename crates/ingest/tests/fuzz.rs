//! Fuzzing of the table readers and validators (issue 19): generated CSV files (UTF-8,
//! UTF-8 with BOM, GB18030, UTF-16) of every import kind, with columns in any order, cells
//! drawn from valid, hostile and arbitrary text, then damaged byte by byte; generated `.xlsx`
//! workbooks (text, numbers, dates far in the future, damaged parts); and arbitrary bytes.
//! Every file must be read or refused with a reason, never panic; every quarantined row
//! names its row, its field and a reason; every row read is accepted, repeated or
//! quarantined. `PROPTEST_CASES=20000 cargo test -p zp-ingest --test fuzz` runs more cases.

#[path = "../../../tests/support/fuzz.rs"]
mod fuzz_support;
use fuzz_support::{Damage, config, damage};
use proptest::prelude::*;
use proptest::sample::Index;
use zp_domain::CreditCode;
use zp_ingest::{
    Limits, ReadError, Rejected, Table, read_table, validate_activity, validate_grid_hourly,
    validate_meters, validate_orgs,
};

fn code(n: u32) -> String {
    CreditCode::complete(&format!("91500105MA5YRE{n:02}B"))
        .unwrap()
        .to_string()
}

/// Enterprises 1 and 2 are registered, 3 is not.
fn known(c: &CreditCode) -> bool {
    c.as_str() == code(1) || c.as_str() == code(2)
}

/// A column: its header names (English key first) and typical values.
struct Col {
    names: &'static [&'static str],
    values: Vec<String>,
}

fn col(names: &'static [&'static str], values: &[&str]) -> Col {
    Col {
        names,
        values: values.iter().map(|v| v.to_string()).collect(),
    }
}

/// The columns of the four import kinds.
fn kind_columns(kind: usize) -> Vec<Col> {
    let codes = [code(1), code(2), code(3)];
    let codes: Vec<&str> = codes
        .iter()
        .map(String::as_str)
        .chain(["91500105MA5YRE01BX", "915001"])
        .collect();
    match kind {
        0 => vec![
            col(&["credit_code", "统一社会信用代码"], &codes),
            col(&["name", "名称"], &["重庆水泥", "长江化工", "A&B \"Co\""]),
            col(&["region", "地区"], &["", "CQ", "重庆", "SC", "XX"]),
            col(&["park", "园区"], &["", "一号园区", "park,2"]),
            col(&["industry", "行业"], &["3011", "C3011", "Z30", "30111"]),
            col(&["contact"], &["张三", ""]),
        ],
        1 => vec![
            col(&["credit_code", "信用代码"], &codes),
            col(
                &["period", "期间"],
                &[
                    "2023-01",
                    "2023-12",
                    "2023年7月",
                    "202313",
                    "9999-12",
                    "0-1",
                ],
            ),
            col(
                &["carrier", "能源品种"],
                &[
                    "electricity",
                    "natural_gas",
                    "天然气",
                    "steam",
                    "green_certificate",
                    "原煤",
                    "diesel",
                ],
            ),
            col(
                &["quantity", "数量"],
                &[
                    "1000",
                    "0.5",
                    "1e3",
                    "3",
                    "1e28",
                    "79228162514264337593543950336",
                ],
            ),
            col(
                &["unit", "单位"],
                &["MWh", "kWh", "t", "m3", "万m3", "GJ", "certificate", "tce"],
            ),
            col(&["site", "厂区"], &["", "一厂"]),
            col(&["pressure_mpa"], &["", "1.5", "0", "-1", "1e9", "NaN"]),
            col(&["temperature_c"], &["", "300", "150", "-500", "1e308"]),
            col(
                &["serials"],
                &[
                    "",
                    "X01..X03",
                    "A1;A2;A3",
                    "A0000000000000000000..A9999999999999999999;B0000000000000000000..B9999999999999999999",
                    "X9..X1",
                ],
            ),
        ],
        2 => vec![
            col(&["meter", "表号"], &["L1", "PV1", "M-2", ""]),
            col(&["credit_code", "统一社会信用代码"], &codes),
            col(
                &["kind", "类型"],
                &["consumption", "generation", "battery_charge", "storage"],
            ),
            col(&["source", "电源类型"], &["", "solar", "Wind"]),
            col(&["site", "厂区"], &["", "一厂"]),
            col(&["parent", "上级表"], &["", "L1", "PV1"]),
            col(&["end_use", "用途"], &["", "lighting", "hvac", "unknown"]),
        ],
        _ => vec![
            col(&["region", "地区"], &["CQ", "SC", "XX", "重庆"]),
            col(
                &["ts", "时间"],
                &[
                    "2023-07-10T10:00:00+08:00",
                    "2023-07-10 11:00",
                    "2023-07-10T11:30:00+08:00",
                    "9999-12-31T23:00:00Z",
                    "-009999-01-01T00:00:00Z",
                    "2023-07-10T10:00:00+24:00",
                ],
            ),
            col(
                &["tco2_per_mwh", "factor"],
                &["0.5", "0.6", "2", "NaN", "inf", "-0", "1e308"],
            ),
            col(&["cfe_share", "cfe"], &["", "0.3", "1.5", "-0.0"]),
        ],
    }
}

/// Text that has broken parsers: quotes, separators, control characters, huge and tiny
/// numbers, far-future and impossible dates, odd Unicode.
const HOSTILE: &[&str] = &[
    "",
    " ",
    "\"",
    "\"\"",
    "a\"b",
    "\"quoted, with comma\"",
    "1,000",
    "1e-30",
    "1e400",
    "-1e400",
    "99999999999999999999999999999999999999",
    "0.00000000000000000000000000001",
    "-0",
    "NaN",
    "inf",
    "9999-12-31",
    "9999-12-31T23:59:59+14:00",
    "+275760-09-13T00:00:00Z",
    "2023-02-30",
    "0000-00",
    "\0",
    "\x1b[31m",
    "\r",
    "\t",
    "\u{feff}",
    "\u{202e}",
    "\u{fffd}",
    "１２３",
    "٣",
    "𝟘𝟙",
    "电力",
    ";",
    "..",
    "A..",
];

/// One cell: a typical value of its column, a hostile text or arbitrary text.
type CellPick = (u8, Index, String);

fn cell_pick() -> impl Strategy<Value = CellPick> {
    (0u8..10, any::<Index>(), "\\PC{0,12}")
}

fn cell_text(col: &Col, (sel, i, any): &CellPick) -> String {
    match sel {
        0..=5 => i.get(&col.values).clone(),
        6..=7 => i.get(HOSTILE).to_string(),
        8 => format!("{}{}", i.get(&col.values), i.get(HOSTILE)),
        _ => any.clone(),
    }
}

/// A generated CSV file before it is encoded and damaged.
#[derive(Debug, Clone)]
struct CsvCase {
    kind: usize,
    /// Sort keys of the columns (a random order), and whether each is dropped or named by
    /// its alias.
    order: Vec<(u32, u8)>,
    rows: Vec<Vec<CellPick>>,
    /// Per cell: quoted even when it need not be.
    quote: Vec<bool>,
    line_end: u8,
    encoding: u8,
    /// (where, what, byte) damage applied in turn.
    damage: Vec<(Index, u8, u8)>,
}

fn csv_case() -> impl Strategy<Value = CsvCase> {
    (
        0usize..4,
        prop::collection::vec((any::<u32>(), 0u8..20), 9),
        prop::collection::vec(prop::collection::vec(cell_pick(), 9), 0..12),
        prop::collection::vec(any::<bool>(), 16),
        0u8..4,
        0u8..8,
        prop::collection::vec((any::<Index>(), 0u8..6, any::<u8>()), 0..4),
    )
        .prop_map(
            |(kind, order, rows, quote, line_end, encoding, damage)| CsvCase {
                kind,
                order,
                rows,
                quote,
                line_end,
                encoding,
                damage,
            },
        )
}

fn csv_field(text: &str, quote: bool) -> String {
    if quote || text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

impl CsvCase {
    fn bytes(&self) -> Vec<u8> {
        let cols = kind_columns(self.kind);
        let mut order: Vec<usize> = (0..cols.len())
            // A column is left out now and then (a missing required column stops the file).
            .filter(|&c| self.order[c].1 != 0)
            .collect();
        order.sort_by_key(|&c| self.order[c].0);
        let ends = ["\n", "\r\n", "\r"];
        let mut text = String::new();
        let header: Vec<String> = order
            .iter()
            .map(|&c| {
                let names = cols[c].names;
                names[(self.order[c].1 as usize) % names.len()].to_string()
            })
            .collect();
        text += &header.join(",");
        for (r, row) in self.rows.iter().enumerate() {
            text += ends[(self.line_end as usize + r * (self.line_end == 3) as usize) % 3];
            let cells: Vec<String> = order
                .iter()
                .enumerate()
                .map(|(k, &c)| {
                    let quote = self.quote[(r + k) % self.quote.len()];
                    csv_field(&cell_text(&cols[c], &row[c]), quote)
                })
                .collect();
            text += &cells.join(",");
        }
        text += "\n";
        let mut bytes = match self.encoding {
            0..=2 => text.into_bytes(),
            3 => [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat(),
            4 | 5 => encoding_rs::GB18030.encode(&text).0.into_owned(),
            6 => {
                let mut b = vec![0xFF, 0xFE];
                b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
                b
            }
            _ => {
                let mut b = vec![0xFE, 0xFF];
                b.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
                b
            }
        };
        damage(&mut bytes, &self.damage);
        bytes
    }
}

/// Reads `bytes` as the file `name` and checks everything every import kind does with it.
fn check_file(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    let limits = Limits {
        max_bytes: 1 << 20,
        max_rows: 10_000,
    };
    match read_table(&p, limits) {
        Ok(t) => check_table(&t),
        Err(e) => check_refusal(&e),
    }
}

/// A refused file says why.
fn check_refusal(e: &ReadError) -> Result<(), TestCaseError> {
    let why = match e {
        ReadError::Format { reason, .. } | ReadError::Io { reason, .. } => reason.clone(),
        ReadError::Columns { missing, .. } => missing.clone(),
        ReadError::TooLarge { .. } | ReadError::TooManyRows { .. } => e.to_string(),
    };
    prop_assert!(!why.trim().is_empty(), "refusal without a reason: {e:?}");
    Ok(())
}

/// A quarantined row names a row of the file, a field and a reason.
fn check_rejected(t: &Table, rejected: &[Rejected]) -> Result<(), TestCaseError> {
    let mut rows = std::collections::HashSet::new();
    for r in rejected {
        prop_assert!(
            t.rows.iter().any(|(row, _)| *row == r.row),
            "rejection of row {} the table does not have: {r:?}",
            r.row
        );
        prop_assert!(rows.insert(r.row), "row {} quarantined twice", r.row);
        prop_assert!(!r.field.trim().is_empty(), "no field: {r:?}");
        prop_assert!(!r.reason.trim().is_empty(), "no reason: {r:?}");
        prop_assert!(!r.raw.contains('\0'), "NUL kept in the raw row: {r:?}");
    }
    // A row that could not be read is quarantined as such by every kind.
    for p in &t.problems {
        prop_assert!(
            !p.reason.trim().is_empty(),
            "problem without a reason: {p:?}"
        );
        prop_assert!(
            rejected
                .iter()
                .any(|r| r.row == p.row && r.reason == p.reason),
            "unreadable row {} not quarantined: {p:?}",
            p.row
        );
    }
    Ok(())
}

fn check_table(t: &Table) -> Result<(), TestCaseError> {
    prop_assert!(
        t.rows.windows(2).all(|w| w[0].0 < w[1].0),
        "row numbers out of order"
    );
    prop_assert!(
        t.rows.first().is_none_or(|r| r.0 >= 2),
        "a data row numbered before the header"
    );
    let read = t.rows.len();
    match validate_orgs(t) {
        Ok(v) => {
            check_rejected(t, &v.rejected)?;
            prop_assert_eq!(v.orgs.len() + v.repeated + v.rejected.len(), read);
        }
        Err(e) => check_refusal(&e)?,
    }
    match validate_activity(t, &known) {
        Ok(v) => {
            check_rejected(t, &v.rejected)?;
            // The rest are lines repeated verbatim (counted as duplicates by the import).
            prop_assert!(v.rows.len() + v.rejected.len() <= read);
        }
        Err(e) => check_refusal(&e)?,
    }
    match validate_meters(t, &known) {
        Ok(v) => {
            check_rejected(t, &v.rejected)?;
            prop_assert_eq!(v.meters.len() + v.repeated + v.rejected.len(), read);
        }
        Err(e) => check_refusal(&e)?,
    }
    match validate_grid_hourly(t) {
        Ok(v) => {
            check_rejected(t, &v.rejected)?;
            prop_assert_eq!(v.factors.len() + v.repeated + v.rejected.len(), read);
        }
        Err(e) => check_refusal(&e)?,
    }
    Ok(())
}

/// A generated workbook: (row, column, cell) with typed cells.
#[derive(Debug, Clone)]
enum XCell {
    Text(CellPick),
    Number(f64),
    /// A number formatted as a date: Excel serial days.
    Date(f64),
    Bool(bool),
    Formula(String),
}

fn xcell() -> impl Strategy<Value = XCell> {
    prop_oneof![
        3 => cell_pick().prop_map(XCell::Text),
        1 => prop_oneof![
            any::<f64>(),
            Just(1e308),
            Just(-0.0),
            Just(1e-300),
            Just(9.999e15)
        ]
        .prop_map(XCell::Number),
        1 => prop_oneof![
            0.0f64..3e6,
            Just(2_958_465.999_999),
            Just(2_958_466.0),
            Just(1e10),
            Just(1e20),
            Just(-1.0),
            Just(-1e15),
            any::<f64>()
        ]
        .prop_map(XCell::Date),
        1 => any::<bool>().prop_map(XCell::Bool),
        1 => prop::sample::select(vec!["1/0", "NA()", "SUM(A1:A3)", "\"x\"&\"y\""])
            .prop_map(|f| XCell::Formula(f.to_string())),
    ]
}

#[derive(Debug, Clone)]
struct XlsxCase {
    kind: usize,
    cells: Vec<(u16, u8, XCell)>,
    /// Damage to the XML of one part (chosen by the index), zipped again.
    part_damage: Option<(Index, Damage)>,
    /// Damage to the zip's bytes.
    damage: Vec<(Index, u8, u8)>,
}

fn xlsx_case() -> impl Strategy<Value = XlsxCase> {
    (
        0usize..4,
        prop::collection::vec((0u16..12, 0u8..10, xcell()), 0..30),
        prop::option::of((
            any::<Index>(),
            prop::collection::vec((any::<Index>(), 0u8..6, any::<u8>()), 1..4),
        )),
        prop::collection::vec((any::<Index>(), 0u8..6, any::<u8>()), 0..2),
    )
        .prop_map(|(kind, cells, part_damage, damage)| XlsxCase {
            kind,
            cells,
            part_damage,
            damage,
        })
}

impl XlsxCase {
    fn bytes(&self) -> Vec<u8> {
        let cols = kind_columns(self.kind);
        let mut wb = rust_xlsxwriter::Workbook::new();
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
        let ws = wb.add_worksheet();
        for (c, col) in cols.iter().enumerate() {
            ws.write_string(0, c as u16, col.names[0]).unwrap();
        }
        for (row, c, cell) in &self.cells {
            let (row, c) = (*row as u32 + 1, *c as u16);
            let col = &cols[c as usize % cols.len()];
            // Values rust_xlsxwriter refuses (NaN, infinities) are simply not written.
            let _ = match cell {
                XCell::Text(pick) => ws.write_string(row, c, cell_text(col, pick)),
                XCell::Number(n) => ws.write_number(row, c, *n),
                XCell::Date(d) => ws.write_number_with_format(row, c, *d, &date),
                XCell::Bool(b) => ws.write_boolean(row, c, *b),
                XCell::Formula(f) => ws.write_formula(row, c, f.as_str()),
            };
        }
        let mut bytes = wb.save_to_buffer().unwrap();
        if let Some((part, d)) = &self.part_damage {
            bytes = damage_part(&bytes, part, d);
        }
        damage(&mut bytes, &self.damage);
        bytes
    }
}

/// The workbook zipped again with one of its parts damaged (the XML parsers see it, not
/// only the zip reader).
fn damage_part(bytes: &[u8], part: &Index, d: &[(Index, u8, u8)]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let target = part.index(zip.len());
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut content = Vec::new();
        f.read_to_end(&mut content).unwrap();
        if i == target {
            damage(&mut content, d);
        }
        out.start_file(f.name().unwrap().to_string(), o).unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

proptest! {
    #![proptest_config(config(768))]

    /// Generated CSV files of every kind, encoding and line end, damaged byte by byte.
    #[test]
    fn csv_tables_are_read_or_refused_with_reasons(case in csv_case()) {
        check_file("in.csv", &case.bytes())?;
    }

    /// Arbitrary bytes as a `.csv`.
    #[test]
    fn arbitrary_bytes_as_csv(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check_file("in.csv", &bytes)?;
    }
}

/// A `serials` cell: serials and ranges of 1-20 digit numbers (often the smallest or the
/// largest of their width), some with other prefixes or widths, joined by `;`.
fn serials_cell() -> impl Strategy<Value = String> {
    let number = || prop_oneof![Just(0u64), Just(u64::MAX), any::<u64>()];
    let part = (
        prop::sample::select(vec!["GEC", "A", "", "电"]),
        // 19 digits is the widest number a serial holds.
        prop_oneof![Just(19usize), 1usize..=20],
        number(),
        number(),
        0u8..4,
    )
        .prop_map(|(prefix, width, a, b, form)| {
            let serial = |n: u64| {
                let n = (n as u128).min(10u128.pow(width as u32) - 1);
                format!("{prefix}{n:0width$}")
            };
            match form {
                0 => serial(a),
                1 => format!("{}..{}", serial(a.min(b)), serial(a.max(b))),
                2 => format!("{}..{}", serial(a), serial(b)),
                _ => format!("{}..X{}", serial(a), serial(b)),
            }
        });
    prop::collection::vec(part, 1..5).prop_map(|parts| parts.join(";"))
}

proptest! {
    #![proptest_config(config(768))]

    /// Green-certificate ledger rows with generated `serials` cells.
    #[test]
    fn serials_cells_are_accepted_or_refused_with_reasons(
        cell in serials_cell(),
        quantity in prop::sample::select(vec!["1", "3", "200", "10000000000000"]),
    ) {
        let t = Table::from_rows(
            "activity.csv",
            &[
                &["credit_code", "period", "carrier", "quantity", "unit", "serials"],
                &[&code(1), "2023-05", "green_certificate", quantity, "certificate", &cell],
            ],
        );
        check_table(&t)?;
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Generated workbooks (text, numbers, dates, booleans, formulas), some damaged.
    #[test]
    fn xlsx_workbooks_are_read_or_refused_with_reasons(case in xlsx_case()) {
        check_file("in.xlsx", &case.bytes())?;
    }

    /// Arbitrary bytes behind a zip signature, read as a workbook.
    #[test]
    fn arbitrary_bytes_as_xlsx(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check_file("in.xlsx", &[&b"PK\x03\x04"[..], &bytes].concat())?;
    }
}

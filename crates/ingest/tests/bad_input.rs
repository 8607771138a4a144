//! Regression tests for hostile or damaged input (issue 22, items 2 and 5): each bad row is
//! quarantined with its own line and a precise reason, the good rows around it are kept.

use zp_domain::CreditCode;
use zp_ingest::{Limits, Table, read_table, validate_activity, validate_orgs};

fn code(n: u32) -> String {
    CreditCode::complete(&format!("91500105MA5YRE{n:02}B"))
        .unwrap()
        .to_string()
}

fn read(bytes: &[u8]) -> Table {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("in.csv");
    std::fs::write(&p, bytes).unwrap();
    read_table(&p, Limits::default()).unwrap()
}

/// The rejected rows of an enterprise list, each reason checked to be one of the
/// templates a page can write again in its language (`zp_ingest::REASONS_EN`).
fn rejected(t: &Table) -> Vec<(i64, String, String)> {
    validate_orgs(t)
        .unwrap()
        .rejected
        .into_iter()
        .inspect(|r| {
            assert!(
                zp_domain::template::recognise(&r.reason, zp_ingest::REASONS_EN).is_some(),
                "no template writes {:?}",
                r.reason
            )
        })
        .map(|r| (r.row, r.field, r.reason))
        .collect()
}

#[test]
fn one_invalid_byte_quarantines_its_row_not_the_whole_file() {
    let mut bytes = format!(
        "credit_code,name,park,industry\n{},重庆水泥,一号园区,3011\n",
        code(1)
    )
    .into_bytes();
    // Line 3: the name holds byte 0xFF, which no UTF-8 or GB18030 text contains.
    let bad_at = bytes.len() + 18 + 1 + 3; // the code (18), a comma, "坏" (3 bytes)
    bytes.extend_from_slice(format!("{},坏", code(2)).as_bytes());
    bytes.push(0xFF);
    bytes.extend_from_slice("名,新园区,3011\n".as_bytes());
    bytes.extend_from_slice(format!("{},长江化工,一号园区,2614\n", code(3)).as_bytes());
    assert_eq!(bytes[bad_at], 0xFF);
    // Header 31 bytes + line 2 (18 + 1 + 12 + 1 + 12 + 1 + 4 + 1 = 50) = 81; line 3 starts
    // there, its 0xFF follows the code, a comma and 坏: 18 + 1 + 3 = 22 bytes in: 103.
    assert_eq!(bad_at, 103);
    let t = read(&bytes);
    assert_eq!(t.encoding, "utf-8");
    let v = validate_orgs(&t).unwrap();
    let names: Vec<(&str, Option<&str>)> = v
        .orgs
        .iter()
        .map(|o| (o.name.as_str(), o.park.as_deref()))
        .collect();
    // The good rows keep their Chinese names; the bad row creates no org and no park 新园区.
    assert_eq!(
        names,
        [
            ("重庆水泥", Some("一号园区")),
            ("长江化工", Some("一号园区"))
        ]
    );
    assert_eq!(
        rejected(&t),
        [(
            3,
            "row".to_string(),
            "byte 0xFF at byte offset 103 is not UTF-8 (the file is read as UTF-8): this row is not imported".to_string()
        )]
    );
    // A whole GB18030 file is still read as GB18030.
    let text = format!(
        "credit_code,name,park,industry\n{},重庆水泥,一号园区,3011\n",
        code(1)
    );
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    let t = read(&gb);
    assert_eq!(t.encoding, "gb18030");
    assert_eq!(validate_orgs(&t).unwrap().orgs[0].name, "重庆水泥");
}

#[test]
fn stray_quote_quarantines_only_its_line() {
    let text = format!(
        "credit_code,name,industry\n{},甲公司,3011\n{},\"乙公司,3011\n{},丙公司,3011\n{},\"丁,公司\",3011\n",
        code(1),
        code(2),
        code(3),
        code(4)
    );
    let t = read(text.as_bytes());
    let v = validate_orgs(&t).unwrap();
    let names: Vec<&str> = v.orgs.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["甲公司", "丙公司", "丁,公司"]);
    // Line 3: the quote opens field 2, after the 18-character code and a comma: character 20.
    assert_eq!(
        rejected(&t),
        [(
            3,
            "row".to_string(),
            "the quote (\") opened at character 20 of field 2 is not closed on this line"
                .to_string()
        )]
    );
}

#[test]
fn cr_only_file_is_read_line_by_line() {
    let text = format!(
        "credit_code,name,industry\r{},甲公司,3011\r{},乙公司,3011\r",
        code(1),
        code(2)
    );
    let t = read(text.as_bytes());
    assert_eq!(t.headers, ["credit_code", "name", "industry"]);
    assert_eq!(t.rows.iter().map(|r| r.0).collect::<Vec<_>>(), [2, 3]);
    assert_eq!(validate_orgs(&t).unwrap().orgs.len(), 2);
}

#[test]
fn quantity_1e_minus_30_and_thousands_separator_have_their_own_reasons() {
    let ok = code(1);
    let text = format!(
        "credit_code,period,carrier,quantity,unit\n{ok},2023-01,electricity,1e-30,MWh\n{ok},2023-02,electricity,\"1,000\",MWh\n{ok},2023-03,electricity,1e3,MWh\n{ok},2023-04,electricity,abc,MWh\n{ok},2023-05,electricity,1,000,MWh\n"
    );
    let t = read(text.as_bytes());
    let v = validate_activity(&t, &|c| c.as_str() == ok).unwrap();
    assert_eq!(v.rows.len(), 1);
    let r: Vec<(i64, &str, &str)> = v
        .rejected
        .iter()
        .map(|r| (r.row, r.field.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(
        r,
        [
            (
                2,
                "quantity",
                "1e-30 is beyond the 28 decimal places and 28 digits a ledger quantity holds exactly"
            ),
            (
                3,
                "quantity",
                "\"1,000\" contains a thousands separator (,): write the plain number, e.g. 1000 or 1234.5"
            ),
            (5, "quantity", "\"abc\" is not a number"),
            (
                6,
                "row",
                "row has 6 fields, the header 5: a comma too many (a number such as 1,000 must be written 1000; quote text holding commas)"
            ),
        ]
    );
}

#[test]
fn nul_and_ansi_escape_in_names_are_refused() {
    let text = format!(
        "credit_code,name,industry\n{},甲\0公司,3011\n{},\x1b[31m红色\x1b[0m,3011\n{},乙公司,3011\n",
        code(1),
        code(2),
        code(3)
    );
    let t = read(text.as_bytes());
    let v = validate_orgs(&t).unwrap();
    assert_eq!(v.orgs.len(), 1);
    assert_eq!(
        rejected(&t),
        [
            (
                2,
                "name".to_string(),
                "name contains the control character U+0000 (NUL) at character 2: text must be printable".to_string()
            ),
            (
                3,
                "name".to_string(),
                "name contains the control character U+001B (ESC, an ANSI escape) at character 1: text must be printable".to_string()
            ),
        ]
    );
    // The quarantined raw row shows the control characters escaped.
    assert!(
        v.rejected[1].raw.contains("\\x1B[31m"),
        "{}",
        v.rejected[1].raw
    );
    assert!(!v.rejected[0].raw.contains('\0'));
}

/// Found by fuzzing (issue 19): a date-formatted cell holding a serial beyond year 9999
/// panicked the reader (jiff's `Span::days` out of range); it is now read as its number.
#[test]
fn xlsx_date_cell_beyond_year_9999_is_read_as_its_number() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("activity.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "period").unwrap();
    ws.write_number_with_format(1, 0, 1e10, &date).unwrap();
    ws.write_number_with_format(2, 0, 45_000.0, &date).unwrap();
    wb.save(&p).unwrap();
    let t = read_table(&p, Limits::default()).unwrap();
    assert_eq!(t.rows[0].1, ["10000000000"]);
    assert_eq!(t.rows[1].1, ["2023-03-15 00:00:00"]);
}

/// Found by fuzzing (issue 19): a row with a comma too many (or one that cannot be read)
/// kept its NUL in the quarantined raw row, which PostgreSQL cannot store; it is escaped.
#[test]
fn nul_in_a_row_with_a_comma_too_many_is_escaped_in_the_raw_row() {
    let text = format!("credit_code,name,industry\n{},甲\0公司,3011,x\n", code(1));
    let t = read(text.as_bytes());
    let v = validate_orgs(&t).unwrap();
    assert_eq!(v.rejected.len(), 1);
    let r = &v.rejected[0];
    assert_eq!((r.row, r.field.as_str()), (2, "row"));
    assert_eq!(r.raw, format!("{},甲\\x00公司,3011,x", code(1)));
}

/// Found by fuzzing (issue 19): a green-certificate row whose `serials` name more than a
/// u64 counts (two full ranges of 19-digit numbers) panicked the validator; it is
/// quarantined with the reason.
#[test]
fn serials_beyond_a_u64_count_are_quarantined() {
    let ok = code(1);
    let serials =
        "A0000000000000000000..A9999999999999999999;B0000000000000000000..B9999999999999999999";
    let text = format!(
        "credit_code,period,carrier,quantity,unit,serials\n{ok},2023-05,green_certificate,3,certificate,{serials}\n"
    );
    let t = read(text.as_bytes());
    let v = validate_activity(&t, &|c| c.as_str() == ok).unwrap();
    assert!(v.rows.is_empty());
    let r = &v.rejected[0];
    assert_eq!(
        (r.row, r.field.as_str(), r.reason.as_str()),
        (
            2,
            "serials",
            "serials cell names more than 18446744073709551615 certificates"
        )
    );
}

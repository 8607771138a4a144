//! The renderers read back: the PDF's text extracted (Chinese included) with its figures,
//! page numbers and a table continued across pages; the workbook read with calamine
//! (numbers as numbers, units in the headers); the same bytes on a second run.

mod common;

use calamine::{Data, Reader, Xlsx};
use common::{d, font, grinding, kiln, line, pdf_text, whole};
use std::io::Cursor;
use zp_accounting::ActivityLine;
use zp_domain::{Carrier, Unit};
use zp_reports::Lang;
use zp_reports::ghg::{CertificateClaim, GhgInput, Organisation, build};

fn organisation() -> Organisation {
    common::organisation(Some("示例园区"), &["kiln", "grinding"])
}

/// A year of monthly rows (enough for the activity table to run over several pages).
fn long_ledger() -> Vec<ActivityLine> {
    let mut lines = Vec::new();
    for m in 1..=12 {
        let p = format!("2023-{m:02}");
        let id = i64::from(m) * 10;
        lines.push(line(
            id,
            &p,
            Carrier::Electricity,
            "83.5",
            Unit::Mwh,
            "电力台账-2023.csv",
        ));
        lines.push(line(
            id + 1,
            &p,
            Carrier::NaturalGas,
            "0.8",
            Unit::WanM3,
            "ledger_2023.csv",
        ));
        lines.push(line(
            id + 2,
            &p,
            Carrier::RawCoal,
            "8.25",
            Unit::Tonne,
            "ledger_2023.csv",
        ));
        lines.push(line(
            id + 3,
            &p,
            Carrier::Diesel,
            "4100",
            Unit::Kg,
            "ledger_2023.csv",
        ));
    }
    lines
}

fn ghg(lang: Lang, lines: Vec<ActivityLine>) -> zp_reports::ghg::GhgInventoryReport {
    build(GhgInput {
        lang,
        organisation: organisation(),
        inventory: common::inventory(lines),
        base_year: 2023,
        base: None,
        certificate_claims: vec![CertificateClaim {
            period: "2023-06".into(),
            mwh: d("100"),
            serials: Some("GEC-1..GEC-100".into()),
            source: "certs.csv:2".into(),
        }],
    })
}

#[test]
fn ghg_pdf_text_reads_back_in_both_languages() {
    let font = font();
    let zh = zp_reports::pdf::render(&ghg(Lang::Zh, long_ledger()).document(), &font).unwrap();
    assert!(zh.starts_with(b"%PDF-"));
    let text = pdf_text(&zh);
    for want in [
        "温室气体排放报告",
        "示例制造有限公司",
        "GB/T 32150-2015",
        "范围一",
        "基于市场",
        "电力台账-2023.csv",
        "第 1 页",
        "活动数据（逐行，含来源文件和行号）（续）",
        "GEC-1..GEC-100",
    ] {
        assert!(text.contains(want), "{want:?} not in the PDF text:\n{text}");
    }
    let pages = text.matches("第 ").filter(|_| true).count();
    assert!(pages >= 2, "expected several pages");
    let last = text.rfind("共 ").unwrap();
    assert!(text[last..].starts_with("共 "), "page i of n");
    // The figures: Scope 1 of the worked example, printed to 3 decimals.
    let en = zp_reports::pdf::render(
        &ghg(Lang::En, [kiln(), grinding()].concat()).document(),
        &font,
    )
    .unwrap();
    let text = pdf_text(&en);
    let s1 = whole().scope1_tco2.round_dp(3);
    assert_eq!(s1, d("561.044"));
    for want in [
        "GHG inventory report",
        "561.044",
        "558.100",
        "Page 1 of",
        "示例制造有限公司",
        "kiln.csv",
    ] {
        assert!(text.contains(want), "{want:?} not in the PDF text:\n{text}");
    }
}

#[test]
fn pdf_embeds_a_subset_of_the_cjk_font() {
    let font = font();
    let pdf = zp_reports::pdf::render(
        &ghg(Lang::Zh, [kiln(), grinding()].concat()).document(),
        &font,
    )
    .unwrap();
    // Dictionaries are written uncompressed: the descriptor names the subset and its
    // embedded program.
    let raw = String::from_utf8_lossy(&pdf);
    assert!(raw.contains("/FontFile3"), "the font program is embedded");
    assert!(raw.contains("/Subtype /CIDFontType0C"));
    assert!(raw.contains("/ToUnicode"));
    let at = raw.find("/FontName /").expect("a font descriptor") + "/FontName /".len();
    let name: String = raw[at..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '/')
        .collect();
    assert!(
        name.len() > 7 && name.as_bytes()[6] == b'+',
        "subset tag: {name}"
    );
    assert!(name.contains("NotoSansCJK"), "{name}");
    // A subset: far smaller than the 19 MB collection.
    assert!(pdf.len() < 400_000, "{} bytes", pdf.len());
}

#[test]
fn same_model_same_bytes() {
    let font = font();
    let doc = ghg(Lang::Zh, long_ledger()).document();
    let a = zp_reports::pdf::render(&doc, &font).unwrap();
    let b = zp_reports::pdf::render(&ghg(Lang::Zh, long_ledger()).document(), &font).unwrap();
    assert!(a == b, "PDF bytes differ between two runs");
    let x = zp_reports::xlsx::render(&doc).unwrap();
    let y = zp_reports::xlsx::render(&ghg(Lang::Zh, long_ledger()).document()).unwrap();
    assert!(x == y, "workbook bytes differ between two runs");
    let j = zp_reports::render_json(&ghg(Lang::Zh, long_ledger())).unwrap();
    assert_eq!(
        j,
        zp_reports::render_json(&ghg(Lang::Zh, long_ledger())).unwrap()
    );
}

fn cell(range: &calamine::Range<Data>, label: &str) -> Data {
    for row in range.rows() {
        if row
            .first()
            .is_some_and(|c| matches!(c, Data::String(s) if s == label))
        {
            return row[1].clone();
        }
    }
    panic!("no row {label:?}");
}

#[test]
fn ghg_workbook_reads_back_with_numbers_and_units() {
    let r = ghg(Lang::En, [kiln(), grinding()].concat());
    let bytes = zp_reports::xlsx::render(&r.document()).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names[0], "Boundary");
    assert!(names.contains(&"Activity data".to_string()), "{names:?}");
    let summary = wb.worksheet_range("Summary").unwrap();
    match cell(&summary, "Scope 1") {
        Data::Float(f) => assert!((f - 561.044247646667).abs() < 1e-9, "{f}"),
        other => panic!("Scope 1 is not a number: {other:?}"),
    }
    assert_eq!(
        cell(&summary, "Scope 2 (location-based)"),
        Data::Float(558.1)
    );
    let activity = wb.worksheet_range("Activity data").unwrap();
    let headers: Vec<String> = activity
        .rows()
        .find(|r| {
            r.first()
                .is_some_and(|c| matches!(c, Data::String(s) if s == "Carrier"))
        })
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(headers.contains(&"Energy (tce)".to_string()), "{headers:?}");
    assert!(
        headers.contains(&"Scope 1 (tCO2)".to_string()),
        "{headers:?}"
    );
    let coal = activity
        .rows()
        .find(|r| r.first().is_some_and(|c| c.to_string().starts_with("原煤")))
        .unwrap();
    assert_eq!(coal[2], Data::Float(100_000.0));
    assert_eq!(coal[3], Data::String("kg".into()));
}

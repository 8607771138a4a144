//! Bank reports on hand-computed portfolios, and the Excel export read back.

use calamine::{Data, Reader, Xlsx};
use rust_decimal_macros::dec;
use std::io::Cursor;
use zp_finance::{DataQuality, Exposure, LoanLine, loan_report, loan_report_xlsx, pcaf, pcaf_xlsx};

/// Three loans:
/// | loan | outstanding | equity + debt | attribution | emissions | financed | score |
/// |---|---|---|---|---|---|---|
/// | A | 30,000,000 | 200 M + 100 M = 300 M | 0.1  | 120,000 | 12,000 | 2 (ledgers x factors) |
/// | B | 50,000,000 | 100 M + 150 M = 250 M | 0.2  |   8,000 |  1,600 | 1 (verified) |
/// | C | 20,000,000 |  40 M +  40 M =  80 M | 0.25 |   2,000 |    500 | 4 (revenue x sector) |
/// Total 100,000,000 yuan, 14,100 tCO2 financed = 141 tCO2 per million yuan;
/// data quality weighted by outstanding = (30 x 2 + 50 x 1 + 20 x 4) / 100 = 1.9.
fn portfolio() -> Vec<Exposure> {
    let e = |loan: &str, out, eq, debt, em, dq| Exposure {
        loan: loan.into(),
        borrower: format!("borrower {loan}"),
        outstanding_yuan: out,
        equity_yuan: eq,
        debt_yuan: debt,
        emissions_tco2: em,
        data_quality: dq,
    };
    vec![
        e(
            "A",
            dec!(30000000),
            dec!(200000000),
            dec!(100000000),
            dec!(120000),
            DataQuality::EnergyActivity,
        ),
        e(
            "B",
            dec!(50000000),
            dec!(100000000),
            dec!(150000000),
            dec!(8000),
            DataQuality::VerifiedReported,
        ),
        e(
            "C",
            dec!(20000000),
            dec!(40000000),
            dec!(40000000),
            dec!(2000),
            DataQuality::RevenueBased,
        ),
    ]
}

#[test]
fn pcaf_attribution_on_a_hand_computed_portfolio() {
    let r = pcaf("重庆示范银行", 2024, &portfolio()).unwrap();
    let got: Vec<_> = r
        .lines
        .iter()
        .map(|l| {
            (
                l.loan.as_str(),
                l.attribution,
                l.financed_tco2,
                l.data_quality_score,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("A", dec!(0.1), dec!(12000), 2),
            ("B", dec!(0.2), dec!(1600), 1),
            ("C", dec!(0.25), dec!(500), 4)
        ]
    );
    assert_eq!(r.outstanding_yuan, dec!(100000000));
    assert_eq!(r.financed_tco2, dec!(14100));
    assert_eq!(r.tco2_per_million_yuan, Some(dec!(141)));
    assert_eq!(r.weighted_data_quality, Some(dec!(1.9)));
    assert!(r.notes.is_empty());
}

#[test]
fn pcaf_refuses_a_borrower_without_balance_sheet_and_notes_over_attribution() {
    let mut p = portfolio();
    p[0].equity_yuan = dec!(0);
    p[0].debt_yuan = dec!(0);
    let e = pcaf("b", 2024, &p).unwrap_err().to_string();
    assert_eq!(
        e,
        "PCAF: loan A: borrower borrower A has equity + debt 0 yuan; it must be positive"
    );
    let mut p = portfolio();
    p[2].outstanding_yuan = dec!(100000000); // 100 M against 80 M: attribution 1.25
    let r = pcaf("b", 2024, &p).unwrap();
    assert!(
        r.notes[0].starts_with("loan C: outstanding exceeds"),
        "{:?}",
        r.notes
    );
    // Scores cover 1-5.
    let scores: Vec<u8> = DataQuality::ALL.iter().map(|d| d.score()).collect();
    assert_eq!(scores, [1, 2, 2, 3, 4, 5]);
}

fn loans() -> Vec<LoanLine> {
    let line = |id, amount_fen, capex, reduction| {
        LoanLine {
            application_id: id,
            borrower: "91500112MA60DAT04U".into(),
            borrower_name: "重庆富皇示范水泥有限公司".into(),
            project_id: format!("P{id}"),
            project_name: "粉磨系统节能改造".into(),
            product_id: "CRL".into(),
            categories: vec!["1.1.1".into()],
            amount_fen,
            outstanding_fen: amount_fen / 2,
            annual_rate_pct: Some(dec!(3.1)),
            project_capex_yuan: capex,
            project_annual_reduction_tco2: reduction,
            attributed_annual_reduction_tco2: dec!(0),
            monitored_tco2: Some(dec!(1000)),
        }
        .attribute()
    };
    vec![
        // 24,000,000 of a 60,000,000 project: 0.4 x 42,001.56 = 16,800.624 tCO2/yr.
        line(1, 2_400_000_000, dec!(60000000), dec!(42001.56)),
        // A loan larger than the capex never attributes more than the project: 1,339.44.
        line(2, 1_000_000_000, dec!(8000000), dec!(1339.44)),
    ]
}

#[test]
fn carbon_reduction_loans_attribute_by_share_of_capex() {
    let r = loan_report("重庆示范银行", loans());
    assert_eq!(r.loans, 2);
    assert_eq!(r.lines[0].attributed_annual_reduction_tco2, dec!(16800.624));
    assert_eq!(r.lines[1].attributed_annual_reduction_tco2, dec!(1339.44));
    assert_eq!(r.total_amount_fen, 3_400_000_000);
    assert_eq!(r.total_outstanding_fen, 1_700_000_000);
    assert_eq!(r.total_attributed_annual_reduction_tco2, dec!(18140.064));
    assert_eq!(r.total_monitored_tco2, dec!(2000));
}

fn sheet(bytes: Vec<u8>, name: &str) -> calamine::Range<Data> {
    let mut wb = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), [name]);
    wb.worksheet_range(name).unwrap()
}

fn cell(r: &calamine::Range<Data>, row: u32, col: u32) -> Data {
    r.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

#[test]
fn the_loan_report_reads_back_from_excel() {
    let r = loan_report("重庆示范银行", loans());
    let s = sheet(loan_report_xlsx(&r).unwrap(), "碳减排贷款");
    assert_eq!(cell(&s, 2, 7), Data::String("amount (yuan)".into()));
    assert_eq!(cell(&s, 3, 3), Data::String("P1".into()));
    assert_eq!(cell(&s, 3, 7), Data::Float(24_000_000.0));
    assert_eq!(cell(&s, 3, 11), Data::Float(16_800.62));
    assert_eq!(cell(&s, 5, 0), Data::String("total: 2 loans".into()));
    assert_eq!(cell(&s, 5, 7), Data::Float(34_000_000.0));
    assert_eq!(cell(&s, 5, 11), Data::Float(18_140.06));
}

#[test]
fn the_pcaf_report_reads_back_from_excel() {
    let r = pcaf("重庆示范银行", 2024, &portfolio()).unwrap();
    let s = sheet(pcaf_xlsx(&r).unwrap(), "PCAF");
    assert_eq!(cell(&s, 3, 0), Data::String("A".into()));
    assert_eq!(cell(&s, 3, 4), Data::Float(0.1));
    assert_eq!(cell(&s, 4, 6), Data::Float(1600.0));
    assert_eq!(cell(&s, 5, 7), Data::String("revenue_based".into()));
    assert_eq!(cell(&s, 5, 8), Data::Float(4.0));
    assert_eq!(cell(&s, 6, 6), Data::Float(14_100.0));
    assert_eq!(cell(&s, 6, 8), Data::Float(1.9));
}

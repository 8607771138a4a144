//! Excel export of the bank reports, into memory (the caller writes the bytes).
//!
//! Money and tonnes are written as numbers so a bank can sum them; Excel stores numbers as
//! IEEE doubles, so a cell holds the decimal figure to 15 significant digits. The exact
//! figures are the JSON report's.

use crate::FinanceError;
use crate::money::fen_to_yuan;
use crate::reporting::{LoanReport, PcafReport};
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use zp_domain::Decimal;

fn err(e: rust_xlsxwriter::XlsxError) -> FinanceError {
    FinanceError::Xlsx(e.to_string())
}

fn num(ws: &mut Worksheet, row: u32, col: u16, d: Decimal, f: &Format) -> Result<(), FinanceError> {
    ws.write_number_with_format(row, col, d.to_f64().unwrap_or_default(), f)
        .map_err(err)?;
    Ok(())
}

fn headers(ws: &mut Worksheet, row: u32, names: &[&str]) -> Result<(), FinanceError> {
    let bold = Format::new().set_bold();
    for (i, h) in names.iter().enumerate() {
        ws.write_string_with_format(row, i as u16, *h, &bold)
            .map_err(err)?;
    }
    Ok(())
}

/// The carbon-reduction loan report as an .xlsx workbook (sheet `碳减排贷款`).
pub fn loan_report_xlsx(r: &LoanReport) -> Result<Vec<u8>, FinanceError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("碳减排贷款").map_err(err)?;
    let money = Format::new().set_num_format("#,##0.00");
    let t = Format::new().set_num_format("#,##0.00");
    ws.write_string(
        0,
        0,
        format!("碳减排贷款报告 carbon-reduction loans: {}", r.bank),
    )
    .map_err(err)?;
    headers(
        ws,
        2,
        &[
            "application",
            "borrower",
            "borrower name",
            "project",
            "project name",
            "product",
            "categories",
            "amount (yuan)",
            "outstanding (yuan)",
            "rate (%)",
            "project reduction (tCO2/yr)",
            "attributed reduction (tCO2/yr)",
            "monitored to date (tCO2)",
        ],
    )?;
    let mut row = 3;
    for l in &r.lines {
        ws.write_number(row, 0, l.application_id as f64)
            .map_err(err)?;
        ws.write_string(row, 1, &l.borrower).map_err(err)?;
        ws.write_string(row, 2, &l.borrower_name).map_err(err)?;
        ws.write_string(row, 3, &l.project_id).map_err(err)?;
        ws.write_string(row, 4, &l.project_name).map_err(err)?;
        ws.write_string(row, 5, &l.product_id).map_err(err)?;
        ws.write_string(row, 6, l.categories.join(" "))
            .map_err(err)?;
        num(ws, row, 7, fen_to_yuan(l.amount_fen), &money)?;
        num(ws, row, 8, fen_to_yuan(l.outstanding_fen), &money)?;
        if let Some(rate) = l.annual_rate_pct {
            num(ws, row, 9, rate, &Format::new())?;
        }
        num(ws, row, 10, l.project_annual_reduction_tco2.round_dp(2), &t)?;
        num(
            ws,
            row,
            11,
            l.attributed_annual_reduction_tco2.round_dp(2),
            &t,
        )?;
        if let Some(m) = l.monitored_tco2 {
            num(ws, row, 12, m.round_dp(2), &t)?;
        }
        row += 1;
    }
    ws.write_string(row, 0, format!("total: {} loans", r.loans))
        .map_err(err)?;
    num(ws, row, 7, fen_to_yuan(r.total_amount_fen), &money)?;
    num(ws, row, 8, fen_to_yuan(r.total_outstanding_fen), &money)?;
    num(
        ws,
        row,
        11,
        r.total_attributed_annual_reduction_tco2.round_dp(2),
        &t,
    )?;
    num(ws, row, 12, r.total_monitored_tco2.round_dp(2), &t)?;
    wb.save_to_buffer().map_err(err)
}

/// The PCAF financed-emissions report as an .xlsx workbook (sheet `PCAF`).
pub fn pcaf_xlsx(r: &PcafReport) -> Result<Vec<u8>, FinanceError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("PCAF").map_err(err)?;
    let money = Format::new().set_num_format("#,##0.00");
    let ratio = Format::new().set_num_format("0.000000");
    ws.write_string(
        0,
        0,
        format!("PCAF financed emissions: {} {}", r.bank, r.year),
    )
    .map_err(err)?;
    headers(
        ws,
        2,
        &[
            "loan",
            "borrower",
            "outstanding (yuan)",
            "equity + debt (yuan)",
            "attribution",
            "emissions (tCO2)",
            "financed (tCO2)",
            "data quality",
            "score",
        ],
    )?;
    let mut row = 3;
    for l in &r.lines {
        ws.write_string(row, 0, &l.loan).map_err(err)?;
        ws.write_string(row, 1, &l.borrower).map_err(err)?;
        num(ws, row, 2, l.outstanding_yuan, &money)?;
        num(ws, row, 3, l.equity_plus_debt_yuan, &money)?;
        num(ws, row, 4, l.attribution, &ratio)?;
        num(ws, row, 5, l.emissions_tco2.round_dp(3), &money)?;
        num(ws, row, 6, l.financed_tco2.round_dp(3), &money)?;
        ws.write_string(row, 7, l.data_quality.key()).map_err(err)?;
        ws.write_number(row, 8, f64::from(l.data_quality_score))
            .map_err(err)?;
        row += 1;
    }
    ws.write_string(row, 0, "total").map_err(err)?;
    num(ws, row, 2, r.outstanding_yuan, &money)?;
    num(ws, row, 6, r.financed_tco2.round_dp(3), &money)?;
    if let Some(q) = r.weighted_data_quality {
        num(ws, row, 8, q.round_dp(2), &Format::new())?;
    }
    for (i, n) in r.notes.iter().enumerate() {
        ws.write_string(row + 2 + i as u32, 0, n).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}

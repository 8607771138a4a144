//! Reports that leave the system in the form their reader expects: the organisation GHG
//! inventory (GB/T 32150-2015, ISO 14064-1:2018), EU CBAM embedded emissions of exported
//! goods, and a park's annual dual-carbon report.
//!
//! One model per report ([`ghg::GhgInventoryReport`], [`cbam::CbamReport`],
//! [`park::ParkAnnualReport`]): serialisable structs whose figures carry their lineage
//! (input rows, factor ids, method). Each model turns itself into a [`doc::Document`]
//! (sections of facts, tables and charts, in Chinese or English), and one renderer layer
//! writes any document: [`render_json`] (the model itself), [`xlsx::render`] (numbers as
//! numbers, units in the headers) and [`pdf::render`] (an embedded, subset CJK font, page
//! numbers, tables that break across pages, charts drawn as vector paths).
//!
//! Pure: no files, no clock, no randomness. The same model gives the same bytes: the PDF
//! has no creation date and its file id is a hash of its content; the workbook's creation
//! date is fixed. The CJK font is passed in by the caller as bytes.

pub mod cbam;
mod cbam_doc;
pub mod cbam_goods;
pub mod doc;
pub mod ghg;
mod ghg_doc;
pub mod park;
mod park_doc;
pub mod pdf;
pub mod shown;
pub mod xlsx;

mod fmt;

pub use doc::{Document, Lang};

/// Why a report could not be built or rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The inputs cannot give the report (a missing production record, a route without
    /// ledger rows, ...); the message says what to add.
    #[error("{0}")]
    Invalid(String),
    /// The font bytes are not a usable OpenType font (or collection).
    #[error("font: {0}")]
    Font(String),
    #[error("excel: {0}")]
    Xlsx(String),
    #[error("json: {0}")]
    Json(String),
}

/// A report model as pretty JSON (the exact figures, with their lineage), ending in a
/// newline.
pub fn render_json<T: serde::Serialize>(model: &T) -> Result<Vec<u8>, ReportError> {
    let mut out = serde_json::to_vec_pretty(model).map_err(|e| ReportError::Json(e.to_string()))?;
    out.push(b'\n');
    Ok(out)
}

//! Reports as a capability: the use cases that gather a report's figures within the
//! caller's access and hand the model to `zp-reports` for rendering. The CLI (`zeropark
//! report cbam | ghg-inventory | park-annual`) and the server's download buttons call the
//! same functions:
//!
//! - [`import_production`]: `zeropark import production FILE`, production records per
//!   enterprise, month, product, CN code and route (idempotent, bad rows quarantined).
//! - [`cbam_report`], [`ghg_report`], [`park_annual_report`]: the models, with every figure's
//!   lineage.
//! - [`render`]: a model as JSON, PDF or Excel bytes with a content type and file name; the
//!   PDF embeds a subset of the CJK font found by [`cjk_font`].

mod assess_building;
mod cbam;
mod ghg;
mod park;

pub use crate::production::{PRODUCTION_KIND, import_production, import_production_table};
pub use cbam::cbam_report;
pub use ghg::ghg_report;
pub use park::park_annual_report;
pub use zp_reports::Lang;
pub use zp_reports::cbam::{AllocationChoice, CbamReport, DEFAULT_NOT_SHIPPED, ElectricityOption};
pub use zp_reports::ghg::GhgInventoryReport;
pub use zp_reports::park::ParkAnnualReport;
pub use zp_store::ProductionRecord;

use crate::AppError;
use serde::Serialize;
use std::path::PathBuf;
use zp_reports::{Document, ReportError};

/// Where the PDF renderer looks for a CJK font when `ZEROPARK_CJK_FONT` is not set:
/// Debian's `fonts-noto-cjk` (Sans first), then WenQuanYi.
pub const CJK_FONT_CANDIDATES: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
];

/// The bytes of the CJK font PDFs embed (a subset of): `ZEROPARK_CJK_FONT`, else the
/// first of [`CJK_FONT_CANDIDATES`] that exists.
pub fn cjk_font() -> Result<Vec<u8>, AppError> {
    let path = match std::env::var_os("ZEROPARK_CJK_FONT") {
        Some(p) => PathBuf::from(p),
        None => CJK_FONT_CANDIDATES
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .ok_or_else(|| {
                AppError::Invalid(
                    "no CJK font for the PDF: install Debian's fonts-noto-cjk or set ZEROPARK_CJK_FONT to an OpenType font (.otf/.ttc) with Chinese glyphs".into(),
                )
            })?,
    };
    std::fs::read(&path).map_err(|e| {
        AppError::Invalid(format!(
            "cannot read the CJK font {}: {e} (ZEROPARK_CJK_FONT)",
            path.display()
        ))
    })
}

/// An output format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    Json,
    Pdf,
    Xlsx,
}

impl ReportFormat {
    pub fn parse(s: &str) -> Option<ReportFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Some(ReportFormat::Json),
            "pdf" => Some(ReportFormat::Pdf),
            "xlsx" | "excel" => Some(ReportFormat::Xlsx),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Json => "json",
            ReportFormat::Pdf => "pdf",
            ReportFormat::Xlsx => "xlsx",
        }
    }

    pub const fn content_type(self) -> &'static str {
        match self {
            ReportFormat::Json => "application/json",
            ReportFormat::Pdf => "application/pdf",
            ReportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }
}

/// A report model the renderers take: its document and a file name.
pub trait ReportModel: Serialize {
    fn document(&self) -> Document;
    /// File name without extension, e.g. `cbam-915001...-2023`.
    fn file_stem(&self) -> String;
}

impl ReportModel for CbamReport {
    fn document(&self) -> Document {
        CbamReport::document(self)
    }
    fn file_stem(&self) -> String {
        format!("cbam-{}-{}", self.installation.credit_code, self.year)
    }
}

impl ReportModel for GhgInventoryReport {
    fn document(&self) -> Document {
        GhgInventoryReport::document(self)
    }
    fn file_stem(&self) -> String {
        format!(
            "ghg-inventory-{}-{}-{}",
            self.organisation.credit_code,
            self.year,
            self.lang.key()
        )
    }
}

impl ReportModel for ParkAnnualReport {
    fn document(&self) -> Document {
        ParkAnnualReport::document(self)
    }
    fn file_stem(&self) -> String {
        format!(
            "park-annual-{}-{}-{}",
            self.park.name,
            self.year,
            self.lang.key()
        )
    }
}

/// A rendered report: what a download sends.
#[derive(Debug, Clone)]
pub struct RenderedReport {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub file_name: String,
}

/// A table as a page shows it, as an Excel workbook named after `title` (the web UI's
/// export of any table; see [`zp_reports::shown`]).
pub fn shown_table_xlsx(
    title: &str,
    columns: &[String],
    rows: &[Vec<String>],
    lang: Lang,
) -> Result<RenderedReport, AppError> {
    let doc = zp_reports::shown::document(title, columns, rows, lang)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let format = ReportFormat::Xlsx;
    Ok(RenderedReport {
        bytes: zp_reports::xlsx::render(&doc).map_err(report_err)?,
        content_type: format.content_type(),
        file_name: format!("{title}.{}", format.extension()),
    })
}

pub(crate) fn report_err(e: ReportError) -> AppError {
    AppError::Invalid(e.to_string())
}

/// The enterprise's registered sites and the sites its ledger `records` name, in order,
/// each once.
fn sites_of(
    store: &mut dyn zp_store::Store,
    access: &zp_store::Access,
    code: &zp_domain::CreditCode,
    records: &[zp_store::ActivityRecord],
) -> Result<Vec<String>, AppError> {
    let mut sites: std::collections::BTreeSet<String> = store
        .sites(access, code)?
        .into_iter()
        .map(|s| s.name)
        .collect();
    sites.extend(
        records
            .iter()
            .map(|r| r.site.clone())
            .filter(|s| !s.is_empty()),
    );
    Ok(sites.into_iter().collect())
}

/// `model` as JSON (its exact figures and lineage), PDF (with the CJK font of
/// [`cjk_font`]) or Excel. The same model gives the same bytes.
pub fn render<R: ReportModel>(model: &R, format: ReportFormat) -> Result<RenderedReport, AppError> {
    let bytes = match format {
        ReportFormat::Json => zp_reports::render_json(model).map_err(report_err)?,
        ReportFormat::Xlsx => zp_reports::xlsx::render(&model.document()).map_err(report_err)?,
        ReportFormat::Pdf => {
            let font = cjk_font()?;
            zp_reports::pdf::render(&model.document(), &font).map_err(report_err)?
        }
    };
    Ok(RenderedReport {
        bytes,
        content_type: format.content_type(),
        file_name: format!("{}.{}", model.file_stem(), format.extension()),
    })
}

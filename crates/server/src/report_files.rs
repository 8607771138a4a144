//! Report downloads (reports issue): the GHG inventory of an enterprise and the park's
//! annual report as PDF, Excel or JSON, the same bytes `zeropark report ghg-inventory |
//! park-annual --format F` writes, within the caller's access. The enterprise and overview
//! pages link here.

use crate::auth::CurrentUser;
use crate::extract::{Query, need, need_code, need_text};
use crate::openapi::Op;
use crate::{AppError, AppState, Area};
use axum::Router;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use zp_app::reports::{Lang, RenderedReport, ReportFormat};

pub const AREA: Area = Area {
    name: "report_files",
    routes,
    ops: OPS,
    nav: &[],
    strings: STRINGS,
};

const STRINGS: &[crate::i18n::Entry] = &[
    ("report.download", "下载报告", "Download report"),
    ("report.ghg", "温室气体排放报告", "GHG inventory"),
    ("report.park", "园区年度双碳报告", "Park annual report"),
];

const FORMATS: &str = "pdf | xlsx | json (default pdf)";

const OPS: &[Op] = &[
    Op::get(
        "/api/v1/reports/ghg-inventory",
        "An enterprise's GHG inventory report (GB/T 32150 / ISO 14064-1) as PDF, Excel or JSON",
    )
    .query(&[
        ("org", "Enterprise credit code", true),
        ("year", "Year", true),
        ("format", FORMATS, false),
        ("lang", "zh | en (default zh)", false),
    ])
    .returns(crate::openapi::response::<zp_app::reports::GhgInventoryReport>),
    Op::get(
        "/api/v1/reports/park-annual",
        "A park's annual dual-carbon report as PDF, Excel or JSON",
    )
    .query(&[
        ("park", "Park name", true),
        ("year", "Year", true),
        ("format", FORMATS, false),
        ("lang", "zh | en (default zh)", false),
    ])
    .returns(crate::openapi::response::<zp_app::reports::ParkAnnualReport>),
    Op::post(
        "/api/v1/exports/xlsx",
        "A table as a page shows it, as an Excel workbook (the pages' Excel export): \
         {title, columns, rows} of cell texts; plain numbers (8,505.98) become numbers, \
         anything else stays text; at most 100 columns and 50,000 rows",
    )
    .json_body(crate::openapi::schema::<ShownTable>)
    .file(ReportFormat::Xlsx.content_type()),
];

/// A table as a page shows it: its title (the file and sheet name), headers and rows.
#[derive(Deserialize, schemars::JsonSchema)]
struct ShownTable {
    /// The sheet's title: control characters and `/ \ "` are dropped, the rest is cut to
    /// 100 characters, and an empty one becomes `table` (a page's heading is never refused).
    title: String,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    /// zh (default) or en: the workbook's language.
    #[serde(default)]
    lang: Option<String>,
}

fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports/ghg-inventory", get(ghg))
        .route("/api/v1/reports/park-annual", get(park))
        .route("/api/v1/exports/xlsx", post(export_xlsx))
}

#[derive(Deserialize)]
struct ReportQuery {
    org: Option<String>,
    park: Option<String>,
    year: Option<i32>,
    format: Option<String>,
    lang: Option<String>,
}

impl ReportQuery {
    fn format(&self) -> Result<ReportFormat, AppError> {
        let f = self.format.as_deref().unwrap_or("pdf");
        ReportFormat::parse(f)
            .ok_or_else(|| AppError::BadRequest(format!("format {f:?}: use {FORMATS}")))
    }

    fn lang(&self) -> Result<Lang, AppError> {
        lang_of(self.lang.as_deref())
    }
}

/// A report's language: `zh` (the default) or `en`.
fn lang_of(asked: Option<&str>) -> Result<Lang, AppError> {
    match asked.unwrap_or("zh") {
        "zh" => Ok(Lang::Zh),
        "en" => Ok(Lang::En),
        l => Err(AppError::BadRequest(format!("lang {l:?}: use zh or en"))),
    }
}

/// `Content-Disposition` of a download: an ASCII `filename` (other characters as `_`) and,
/// for names with Chinese in them, the exact name as RFC 5987 `filename*`.
fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if ascii == name {
        return format!("attachment; filename=\"{name}\"");
    }
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

pub(crate) fn download(r: RenderedReport) -> Response {
    let disposition = disposition(&r.file_name);
    (
        [
            (CONTENT_TYPE, r.content_type.to_string()),
            (CONTENT_DISPOSITION, disposition),
        ],
        r.bytes,
    )
        .into_response()
}

async fn ghg(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let code = need_code("org", &q.org)?;
    let year = need("year", q.year)?;
    let (format, lang) = (q.format()?, q.lang()?);
    let c = who.caller();
    let r = st
        .run(move |s| {
            let model = zp_app::reports::ghg_report(s, &c, &code, year, lang)?;
            Ok(zp_app::reports::render(&model, format)?)
        })
        .await?;
    Ok(download(r))
}

async fn park(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let park = need_text("park", &q.park)?;
    let year = need("year", q.year)?;
    let (format, lang) = (q.format()?, q.lang()?);
    let c = who.caller();
    let r = st
        .run(move |s| {
            let model = zp_app::reports::park_annual_report(s, &c, &park, year, lang)?;
            Ok(zp_app::reports::render(&model, format)?)
        })
        .await?;
    Ok(download(r))
}

/// Any logged-in user may turn what a page showed them into a workbook: the body is the
/// page's own text, bounded by the request size limit and the table's shape.
async fn export_xlsx(
    _who: CurrentUser,
    crate::extract::Json(t): crate::extract::Json<ShownTable>,
) -> Result<Response, AppError> {
    let lang = lang_of(crate::extract::trimmed(&t.lang).as_deref())?;
    let title: String = t
        .title
        .chars()
        .filter(|c| !c.is_control() && !"/\\\"".contains(*c))
        .take(100)
        .collect();
    let title = if title.trim().is_empty() {
        "table".to_string()
    } else {
        title.trim().to_string()
    };
    let r = tokio::task::spawn_blocking(move || {
        zp_app::reports::shown_table_xlsx(&title, &t.columns, &t.rows, lang)
    })
    .await
    .map_err(|e| AppError::Internal(format!("blocking task: {e}")))??;
    Ok(download(r))
}

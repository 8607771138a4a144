//! Imports (数据导入): upload CSV/XLSX files with progress and see the validation result;
//! the list of imports; the quarantine review (隔离区) of rows that failed validation.
//!
//! Uploads are bounded in bytes (the body limit, `ZEROPARK_MAX_UPLOAD_MB`) and rows
//! (`ZEROPARK_MAX_UPLOAD_ROWS`) and imported within the caller's scope (see `upload.rs`).
//! Callers who see everything (platform admin, unscoped verifier or bank) see every import
//! and quarantined row; others see those of their own uploads.

use crate::auth::CurrentUser;
use crate::extract::{Json, Multipart, Path, Query};
use crate::i18n::{Entry, Lang};
use crate::layout::{NavItem, Page, PageError, PageResult, render};
use crate::openapi::{Body as OpBody, Op};
use crate::upload::{Outcome, UploadOptions, safe_file_name};
use crate::{AppError, AppState, Area};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde::Deserialize;
use std::io::Write;
use zp_app::ImportKind;
use zp_app::{BatchInfo, QuarantineEntry, QuarantineFilter, Role, Store};

mod reasons;

pub const AREA: Area = Area {
    name: "imports",
    routes,
    ops: OPS,
    nav: &[
        NavItem {
            href: "/imports",
            label: "nav.imports",
            roles: &[],
            group: crate::layout::NavGroup::Data,
        },
        NavItem {
            href: "/quarantine",
            label: "nav.quarantine",
            roles: &[],
            group: crate::layout::NavGroup::Data,
        },
    ],
    strings: STRINGS,
};

const OPS: &[Op] = &[
    Op::post(
        "/api/v1/imports/{kind}",
        "Upload a CSV or XLSX file (multipart field `file`) of `orgs`, `activity`, `meters`, \
         `indicators`, `readings` (CSV or Parquet `meter,ts,kwh`, into the readings store, only \
         for meters in the caller's scope), `grid-hourly` or `factors` (platform admin; \
         `set=NAME`); returns {read, accepted, quarantined, duplicates, restated} and the \
         rejected rows, each with its English `reason` and `reason_pieces`, the reason in the \
         request's language (`?lang=` or the language cookie) as `[is_code, text]` pieces",
    )
    .query(&[
        ("set", "Name of the new factor set (kind factors)", false),
        (
            "dry_run",
            "true or false (default false; every kind: store nothing and answer the \
             preview, the counts the import would report, each restatement as old -> new \
             with the change in %, the rows that would be quarantined)",
            false,
        ),
    ])
    .body(OpBody::Upload)
    .returns(crate::openapi::response::<Uploaded>),
    Op::post(
        "/api/v1/imports/revert",
        "Revert a stored activity import {id} (ids as GET /api/v1/imports lists them): its new \
         rows are withdrawn and its restatements return to the previous values, audited; by \
         its uploader or an administrator, as `zeropark imports revert ID`",
    )
    .json_body(crate::openapi::schema::<RevertBody>)
    .returns(crate::openapi::response::<zp_app::RevertCounts>),
    Op::get("/api/v1/imports", "Recent imports with their counts")
        .query(&[("limit", "Most imports to list (default 50)", false)])
        .returns(crate::openapi::response::<Imports>),
    Op::get(
        "/api/v1/quarantine",
        "Rows that failed validation, with file, row, field and reason",
    )
    .query(&[
        ("kind", "Import kind (orgs, activity, ...)", false),
        ("file", "File name as imported", false),
        ("limit", "Most rows (default 500)", false),
    ])
    .returns(crate::openapi::response::<Quarantined>),
];

const STRINGS: &[Entry] = &[
    ("nav.imports", "数据导入", "Imports"),
    ("nav.quarantine", "隔离区", "Quarantine"),
    ("imports.title", "数据导入", "Imports"),
    ("imports.upload", "上传文件", "Upload a file"),
    ("imports.kind", "数据类型", "Data kind"),
    ("imports.kind.orgs", "企业名录", "Enterprises"),
    (
        "imports.kind.activity",
        "能源台账（月度）",
        "Energy ledgers (monthly)",
    ),
    (
        "imports.drop",
        "将 CSV / XLSX（读数也可用 Parquet）文件拖到此处，或点击选择",
        "Drop a CSV / XLSX file (readings also Parquet) here, or click to choose",
    ),
    ("imports.submit", "上传并校验", "Upload and validate"),
    ("imports.uploading", "正在上传…", "Uploading…"),
    (
        "imports.validating",
        "正在校验与导入…",
        "Validating and importing…",
    ),
    ("imports.done", "导入完成", "Import finished"),
    (
        "imports.preview",
        "导入预览（尚未保存）",
        "Import preview (nothing stored yet)",
    ),
    ("imports.new_rows", "新增", "New rows"),
    ("imports.changes", "更正明细", "Restatements"),
    ("imports.site", "厂区", "Site"),
    ("imports.item", "记录", "Record"),
    ("imports.period", "期间", "Period"),
    ("imports.carrier", "能源品种", "Carrier"),
    ("imports.old", "原值", "Old value"),
    ("imports.new", "新值", "New value"),
    ("imports.change_pct", "变化", "Change"),
    (
        "imports.swing_note",
        "变化超过 30% 的更正已标出，请核对后再确认。",
        "Restatements that change a value by more than 30 % are highlighted: check them before confirming.",
    ),
    ("imports.confirm", "确认导入", "Confirm the import"),
    ("imports.cancel", "取消", "Cancel"),
    (
        "imports.cancelled",
        "已取消，未保存任何数据。",
        "Cancelled: nothing was stored.",
    ),
    ("imports.revert", "撤销", "Revert"),
    (
        "imports.revert_confirm",
        "撤销此次导入？新增的行将被撤回，更正的值恢复为导入前的值（记入审计日志）。",
        "Revert this import? Its new rows are withdrawn and its restated values return to what they were (audited).",
    ),
    ("imports.reverted", "已撤销", "Reverted"),
    ("imports.read", "读取", "Read"),
    ("imports.accepted", "接收", "Accepted"),
    ("imports.quarantined", "隔离", "Quarantined"),
    ("imports.duplicates", "重复", "Duplicates"),
    ("imports.restated", "更正", "Restated"),
    ("imports.recent", "最近导入", "Recent imports"),
    (
        "imports.columns_orgs",
        "列：`credit_code`、`name`、`region`、`park`、`industry`（或中文表头 `统一社会信用代码`、`名称`、`地区`、`园区`、`行业`）",
        "Columns: `credit_code`, `name`, `region`, `park`, `industry` (Chinese headers work too)",
    ),
    (
        "imports.columns_activity",
        "列：`credit_code`、`period`、`carrier`、`quantity`、`unit`，可选 `site`；UTF-8 或 GB18030 编码的 CSV，或 XLSX 的第一个工作表",
        "Columns: `credit_code`, `period`, `carrier`, `quantity`, `unit`, optionally `site`; CSV in UTF-8 or GB18030, or the first sheet of an XLSX",
    ),
    ("imports.kind.meters", "计量表档案", "Meters"),
    // Kinds imported by other pages or the CLI, listed here with the rest.
    (
        "imports.kind.gec",
        "绿证（GEC）",
        "Green electricity certificates (GEC)",
    ),
    ("imports.kind.tariffs", "分时电价", "Time-of-use tariffs"),
    (
        "imports.kind.inclusion-actions",
        "碳普惠减排行为",
        "Carbon inclusion actions",
    ),
    (
        "imports.kind.waste-permits",
        "危废经营许可证",
        "Hazardous waste permits",
    ),
    (
        "imports.kind.waste-whitelist",
        "危废豁免白名单",
        "Hazardous waste whitelist",
    ),
    (
        "imports.kind.waste-declarations",
        "危废申报",
        "Hazardous waste declarations",
    ),
    ("imports.rows", "行", "rows"),
    (
        "imports.columns_meters",
        "列：`meter`、`credit_code`、`kind`、`source`，可选 `site`（`kind` 为 `consumption`、`generation`、`battery_charge` 或 `battery_discharge`）",
        "Columns: `meter`, `credit_code`, `kind`, `source`, optionally `site` (`kind`: `consumption`, `generation`, `battery_charge` or `battery_discharge`)",
    ),
    (
        "imports.kind.readings",
        "计量读数（15 分钟）",
        "Meter readings (interval)",
    ),
    (
        "imports.columns_readings",
        "列：`meter`、`ts`、`kwh`；CSV 或 Parquet 文件；只接收您范围内企业的计量表",
        "Columns: `meter`, `ts`, `kwh`; CSV or Parquet; only meters of enterprises in your scope",
    ),
    ("imports.kind.indicators", "评价指标数据", "Indicator data"),
    (
        "imports.columns_indicators",
        "列：`scope_id`、`indicator`、`period`、`value`、`unit`、`evidence`（`scope_id` 为园区名称或统一社会信用代码）",
        "Columns: `scope_id`, `indicator`, `period`, `value`, `unit`, `evidence` (`scope_id`: park name or credit code)",
    ),
    (
        "imports.kind.grid-hourly",
        "电网逐时因子",
        "Hourly grid factors",
    ),
    (
        "imports.columns_grid-hourly",
        "列：`region`、`ts`、`tco2_per_mwh`，可选 `cfe_share`",
        "Columns: `region`, `ts`, `tco2_per_mwh`, optionally `cfe_share`",
    ),
    (
        "imports.kind.factors",
        "排放因子集（新版本）",
        "Factor set (new version)",
    ),
    (
        "imports.columns_factors",
        "因子集 CSV（与 `zeropark import factors` 相同）；整体接收或整体拒绝，已发布的因子集不可修改",
        "Factor set CSV (as `zeropark import factors`); accepted whole or not at all, published sets are immutable",
    ),
    (
        "imports.kind.production",
        "产量记录（CBAM）",
        "Production records (CBAM)",
    ),
    (
        "imports.columns_production",
        "列：`credit_code`、`period`、`product`、`cn_code`、`quantity_t`，可选 `route`（吨；CN 编码须为 CBAM 产品；`route` 对应台账的厂区）",
        "Columns: `credit_code`, `period`, `product`, `cn_code`, `quantity_t`, optionally `route` (tonnes; a CBAM good's CN code; `route` = a site of the ledger)",
    ),
    (
        "imports.kind.energy-limits",
        "单位产品能耗限额标准值",
        "Energy limit standards (levels)",
    ),
    (
        "imports.columns_energy-limits",
        "列：`standard`、`product`、`unit`、`level1`、`level2`、`level3`、`source`（kgce/t；1级 <= 2级 <= 3级；须注明来源）",
        "Columns: `standard`, `product`, `unit`, `level1`, `level2`, `level3`, `source` (kgce/t; level1 <= level2 <= level3; source required)",
    ),
    (
        "imports.kind.materials",
        "产品原材料及因子",
        "Product materials",
    ),
    (
        "imports.columns_materials",
        "列：`credit_code`、`year`、`product`、`material`、`quantity`、`unit`、`kgco2e_per_unit`、`source`（须注明因子来源）",
        "Columns: `credit_code`, `year`, `product`, `material`, `quantity`, `unit`, `kgco2e_per_unit`, `source` (factor source required)",
    ),
    ("imports.set", "因子集名称", "Factor set name"),
    (
        "imports.read_only",
        "您的账号为只读，不能上传。",
        "Your account is read-only and cannot upload.",
    ),
    ("imports.limits", "上限", "Limits"),
    (
        "quarantine.title",
        "隔离区：未通过校验的数据行",
        "Quarantine: rows that failed validation",
    ),
    ("quarantine.raw", "原始内容", "Raw cells"),
    ("quarantine.original", "原文", "Original"),
    (
        "quarantine.empty",
        "没有被隔离的数据行。",
        "No quarantined rows.",
    ),
    (
        "quarantine.fix",
        "修正源文件后重新上传：已接收的行不会重复计入。",
        "Fix the source file and upload it again: rows already accepted are not counted twice.",
    ),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/imports", get(imports_page))
        .route("/quarantine", get(quarantine_page))
        .route("/api/v1/imports/{kind}", post(upload))
        .route("/api/v1/imports/revert", post(revert))
        .route("/api/v1/imports", get(batches))
        .route("/api/v1/quarantine", get(quarantine))
}

/// An upload's answer: what the import did, or (`dry_run=true`) what it would do.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Uploaded {
    Imported(Outcome),
    Preview(zp_app::ImportPreview),
}

/// Stores the `file` field under a fresh folder of the upload directory and imports it;
/// a dry run reads it, answers the preview and keeps nothing. Each rejected row's reason
/// comes in the request's language too ([`reasons::WithReasons`]).
async fn upload(
    State(st): State<AppState>,
    who: CurrentUser,
    lang: Lang,
    Path(kind): Path<String>,
    Query(up): Query<UploadQuery>,
    mut multipart: Multipart,
) -> Result<Json<reasons::WithReasons<Uploaded>>, AppError> {
    let dry_run = match up.dry_run.as_deref().map(str::trim) {
        None | Some("" | "false" | "0") => false,
        Some("true" | "1") => true,
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "dry_run {other:?}: true or false"
            )));
        }
    };
    let kind = ImportKind::parse(&kind).ok_or_else(|| {
        let kinds: Vec<&str> = ImportKind::ALL.iter().map(|k| k.key()).collect();
        AppError::NotFound(format!(
            "import kind {kind:?} (one of {})",
            kinds.join(", ")
        ))
    })?;
    let opts = UploadOptions {
        readings_dir: st.config.readings_dir.clone(),
        set: up.set,
    };
    crate::upload::authorise(&who, kind)?;
    let saved = save_upload(&st.config, &mut multipart).await?;
    let (path, name) = (saved.path.clone(), saved.name.clone());
    let limits = zp_app::Limits {
        max_bytes: st.config.max_upload_bytes as u64,
        max_rows: st.config.max_upload_rows,
    };
    // On any error (or a dropped request) `saved` removes the file as it goes out of scope;
    // a dry run's file goes too.
    if dry_run {
        let preview = st
            .run(move |s| crate::upload::preview(s, &who, kind, &path, &name, limits, &opts))
            .await?;
        return Ok(Json(reasons::WithReasons(lang, Uploaded::Preview(preview))));
    }
    let outcome = st
        .run(move |s| crate::upload::import(s, &who, kind, &path, &name, limits, &opts))
        .await?;
    saved.keep();
    Ok(Json(reasons::WithReasons(
        lang,
        Uploaded::Imported(outcome),
    )))
}

/// The body of `POST /api/v1/imports/revert`.
#[derive(Deserialize, schemars::JsonSchema)]
struct RevertBody {
    /// The import's id.
    id: i64,
}

async fn revert(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<RevertBody>,
) -> Result<Json<zp_app::RevertCounts>, AppError> {
    who.require_write()?;
    let caller = who.caller();
    let counts = st
        .run(move |s| Ok(zp_app::revert_import(s, &caller, b.id)?))
        .await?;
    Ok(Json(counts))
}

/// An uploaded `file` field under a fresh folder of the upload directory. The folder is
/// deleted when this value is dropped, unless [`SavedUpload::keep`] was called: a refused,
/// failed or abandoned upload (413, 422, a client that hangs up) leaves nothing behind.
pub struct SavedUpload {
    pub folder: std::path::PathBuf,
    pub path: std::path::PathBuf,
    /// The client's file name, made safe.
    pub name: String,
    kept: bool,
}

impl SavedUpload {
    /// Keeps the file (it is the evidence of the imported rows).
    pub fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for SavedUpload {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_dir_all(&self.folder);
        }
    }
}

/// Deletes a folder being written when dropped, unless disarmed.
struct PartialFolder(Option<std::path::PathBuf>);

impl Drop for PartialFolder {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            let _ = std::fs::remove_dir_all(f);
        }
    }
}

/// Bytes held by the files under `dir` (0 when it does not exist).
pub fn dir_bytes(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_bytes(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map(|m| m.len()).unwrap_or(0),
            _ => 0,
        })
        .sum()
}

fn upload_dir_full(config: &crate::Config) -> AppError {
    AppError::InsufficientStorage(format!(
        "the upload folder is full ({} MB allowed); ask an administrator to archive old \
         uploads or raise ZEROPARK_MAX_UPLOAD_DIR_MB",
        config.max_upload_dir_bytes / (1024 * 1024)
    ))
}

/// Stores the `file` field of `multipart` under a fresh folder of the upload directory,
/// refusing more than `max_upload_bytes` (413) and uploads that would take the upload
/// directory past `max_upload_dir_bytes` (507). Nothing stays on disk on any error.
pub async fn save_upload(
    config: &crate::Config,
    multipart: &mut axum::extract::Multipart,
) -> Result<SavedUpload, AppError> {
    let folder = config.upload_dir.join(format!(
        "{}-{}",
        jiff::Timestamp::now().as_millisecond(),
        &crate::auth::new_token()?[..8]
    ));
    let limit = config.max_upload_bytes;
    let dir = config.upload_dir.clone();
    let used = tokio::task::spawn_blocking(move || dir_bytes(&dir))
        .await
        .map_err(|e| AppError::Internal(format!("blocking task: {e}")))?;
    if used >= config.max_upload_dir_bytes {
        return Err(upload_dir_full(config));
    }
    let room = config.max_upload_dir_bytes - used;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(e, limit))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let name = safe_file_name(field.file_name().unwrap_or("upload.csv"));
        let mut guard = PartialFolder(Some(folder.clone()));
        std::fs::create_dir_all(&folder)
            .map_err(|e| AppError::Internal(format!("{}: {e}", folder.display())))?;
        let path = folder.join(&name);
        let mut out = std::fs::File::create(&path)
            .map_err(|e| AppError::Internal(format!("{}: {e}", path.display())))?;
        let mut written = 0usize;
        while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(e, limit))? {
            written += chunk.len();
            if written > limit {
                return Err(AppError::TooLarge(limit));
            }
            if written as u64 > room {
                return Err(upload_dir_full(config));
            }
            out.write_all(&chunk)
                .map_err(|e| AppError::Internal(format!("{}: {e}", path.display())))?;
        }
        guard.0 = None;
        return Ok(SavedUpload {
            folder,
            path,
            name,
            kept: false,
        });
    }
    Err(AppError::BadRequest("no `file` field in the upload".into()))
}

/// A multipart error as the client should see it: 413 when the body limit cut it off.
pub fn multipart_error(e: axum::extract::multipart::MultipartError, limit: usize) -> AppError {
    let mut source: Option<&dyn std::error::Error> = Some(&e);
    while let Some(err) = source {
        if err.to_string().contains("length limit") {
            return AppError::TooLarge(limit);
        }
        source = err.source();
    }
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge(limit)
    } else {
        AppError::BadRequest(format!("upload: {e}"))
    }
}

#[derive(Deserialize)]
struct UploadQuery {
    set: Option<String>,
    dry_run: Option<String>,
}

#[derive(Deserialize)]
struct Limit {
    limit: Option<usize>,
}

fn recent_batches(
    s: &mut dyn Store,
    who: &CurrentUser,
    limit: usize,
) -> Result<Vec<BatchInfo>, AppError> {
    Ok(if who.sees_all() {
        s.batches(limit)?
    } else {
        s.batches_by_actor(&who.actor(), limit)?
    })
}

async fn batches(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<Limit>,
) -> Result<Json<Imports>, AppError> {
    let limit = q.limit.unwrap_or(50).min(1000);
    let imports = st.run(move |s| recent_batches(s, &who, limit)).await?;
    Ok(Json(Imports { imports }))
}

/// Recent imports, newest first.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Imports {
    imports: Vec<BatchInfo>,
}

/// Quarantined rows with their reasons.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Quarantined {
    rows: Vec<QuarantineEntry>,
}

#[derive(Deserialize, Default)]
struct QuarantineQuery {
    kind: Option<String>,
    file: Option<String>,
    limit: Option<usize>,
}

fn quarantined(
    s: &mut dyn Store,
    who: &CurrentUser,
    q: QuarantineQuery,
) -> Result<Vec<QuarantineEntry>, AppError> {
    let limit = q.limit.unwrap_or(500).min(10_000);
    let rows = if who.sees_all() {
        s.quarantine(&QuarantineFilter {
            kind: q.kind.clone(),
            file: q.file.clone(),
            limit: Some(limit),
        })?
    } else {
        s.quarantine_by_actor(&who.actor(), limit)?
            .into_iter()
            .filter(|r| q.kind.as_ref().is_none_or(|k| &r.kind == k))
            .filter(|r| q.file.as_ref().is_none_or(|f| &r.file == f))
            .collect()
    };
    Ok(rows)
}

async fn quarantine(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<QuarantineQuery>,
) -> Result<Json<Quarantined>, AppError> {
    let rows = st.run(move |s| quarantined(s, &who, q)).await?;
    Ok(Json(Quarantined { rows }))
}

struct KindOption {
    key: &'static str,
    label: &'static str,
    /// The kind's columns and format as prose and column names (shown as code).
    columns: Vec<(bool, String)>,
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsBody {
    lang: Lang,
    kinds: Vec<KindOption>,
    can_upload: bool,
    batches: Vec<BatchInfo>,
    max_mb: usize,
    max_rows: usize,
    /// The viewer as recorded on imports, and whether it may revert others' imports.
    actor: String,
    reverts_any: bool,
}

async fn imports_page(page: Page, State(st): State<AppState>) -> PageResult {
    let lang = page.lang;
    let who = page.user.clone();
    let batches = st
        .run(move |s| recent_batches(s, &who, 50))
        .await
        .map_err(|e| PageError(e, lang))?;
    let role = page.user.role();
    let kinds: Vec<KindOption> = ImportKind::ALL
        .into_iter()
        .filter(|k| k.roles().contains(&role))
        .map(|k| KindOption {
            key: k.key(),
            label: lang.t(&format!("imports.kind.{}", k.key())),
            columns: crate::format::code_pieces(lang.t(&format!("imports.columns_{}", k.key()))),
        })
        .collect();
    let body = ImportsBody {
        lang,
        can_upload: role.can_write() && !kinds.is_empty() && role != Role::Bank,
        kinds,
        batches,
        max_mb: st.config.max_upload_bytes / (1024 * 1024),
        max_rows: st.config.max_upload_rows,
        actor: page.user.actor(),
        reverts_any: role.can_write() && page.user.caller().is_unscoped(),
    };
    render(
        &page,
        lang.t("imports.title"),
        &body,
        &["/assets/imports.js"],
    )
}

/// A quarantined row as the page shows it: its reason in the page's language.
struct QuarantineRow {
    entry: QuarantineEntry,
    /// The reason as prose and references ([`reasons::reason_pieces`]).
    reason: Vec<(bool, String)>,
}

#[derive(Template)]
#[template(path = "quarantine.html")]
struct QuarantineBody {
    lang: Lang,
    rows: Vec<QuarantineRow>,
    kind: String,
    file: String,
}

async fn quarantine_page(
    page: Page,
    State(st): State<AppState>,
    Query(q): Query<QuarantineQuery>,
) -> PageResult {
    let lang = page.lang;
    let who = page.user.clone();
    let (kind, file) = (
        q.kind.clone().unwrap_or_default(),
        q.file.clone().unwrap_or_default(),
    );
    let q = QuarantineQuery {
        kind: q.kind.filter(|k| !k.is_empty()),
        file: q.file.filter(|f| !f.is_empty()),
        limit: q.limit,
    };
    let rows = st
        .run(move |s| quarantined(s, &who, q))
        .await
        .map_err(|e| PageError(e, lang))?;
    render(
        &page,
        lang.t("nav.quarantine"),
        &QuarantineBody {
            lang,
            rows: rows
                .into_iter()
                .map(|entry| QuarantineRow {
                    reason: reasons::reason_pieces(lang, &entry.reason),
                    entry,
                })
                .collect(),
            kind,
            file,
        },
        &[],
    )
}

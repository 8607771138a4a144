//! Imports through the web: the uploaded file is kept under the upload folder (it is the
//! evidence every imported row points to) and imported within the caller's scope.
//!
//! The CLI's `zp_app::import_*` run with full access; here rows for enterprises the caller
//! cannot see are quarantined exactly like unknown enterprises, so an upload can neither
//! write outside the caller's scope nor reveal what exists there. Readings (CSV or Parquet)
//! go into the columnar readings store (`Config::readings_dir`), only for meters of
//! enterprises in the caller's scope.

use crate::AppError;
use crate::auth::CurrentUser;
use std::path::{Path, PathBuf};
use zp_app::{ImportError, ImportKind, ImportOutcome, Limits, Store, read_table};

/// What an upload did (the use case's outcome).
pub type Outcome = ImportOutcome;

/// Refuses callers who may not upload `kind` at all (before any byte is stored).
pub fn authorise(who: &CurrentUser, kind: ImportKind) -> Result<(), AppError> {
    who.require_write()?;
    who.require_role(kind.roles())
}

/// What some kinds need besides the file.
#[derive(Debug, Clone, Default)]
pub struct UploadOptions {
    /// The readings store (readings uploads).
    pub readings_dir: Option<PathBuf>,
    /// Name of the new factor set (factors uploads).
    pub set: Option<String>,
}

/// The error of an import of the file at `path` with that path shown as `name` (users see
/// their file's name, never the server's folders).
fn hide_path(path: &Path, name: &str) -> impl Fn(ImportError) -> AppError {
    let (full, name) = (path.display().to_string(), name.to_string());
    move |e| match AppError::from(e) {
        AppError::Unprocessable(m) => AppError::Unprocessable(m.replace(&full, &name)),
        AppError::Internal(m) => AppError::Internal(m.replace(&full, &name)),
        other => other,
    }
}

/// The table of the uploaded file at `path`, recorded (and named in errors) as `name`.
fn read_named(path: &Path, name: &str, limits: Limits) -> Result<zp_app::Table, AppError> {
    let mut table = read_table(path, limits).map_err(|e| hide_path(path, name)(e.into()))?;
    table.file = name.to_string();
    Ok(table)
}

/// Imports the file at `path` as `who`, refusing files over `limits` (bytes, rows). The
/// file is recorded (and shown in lineage and messages) as `name`, not its server path.
pub fn import(
    store: &mut dyn Store,
    who: &CurrentUser,
    kind: ImportKind,
    path: &Path,
    name: &str,
    limits: Limits,
    opts: &UploadOptions,
) -> Result<Outcome, AppError> {
    authorise(who, kind)?;
    let caller = who.caller();
    let hide_path = hide_path(path, name);
    if kind == ImportKind::Readings {
        let mut readings = readings_store(opts)?;
        let done = zp_app::readings::import_readings(
            store,
            &mut readings,
            &caller,
            path,
            name,
            Some(limits),
            &mut |_, _| {},
        )
        .map_err(hide_path)?;
        return Ok(done.outcome());
    }
    let set = factor_set(kind, opts)?;
    let table = read_named(path, name, limits)?;
    zp_app::import_table(store, &caller, kind, &table, set.as_deref()).map_err(hide_path)
}

/// What importing the file at `path` as `who` would do, storing nothing (the upload
/// preview, `import KIND --dry-run`): counts, each restatement as old -> new, and the rows
/// that would be quarantined. Every kind; readings are staged and abandoned.
pub fn preview(
    store: &mut dyn Store,
    who: &CurrentUser,
    kind: ImportKind,
    path: &Path,
    name: &str,
    limits: Limits,
    opts: &UploadOptions,
) -> Result<zp_app::ImportPreview, AppError> {
    authorise(who, kind)?;
    let caller = who.caller();
    let hide_path = hide_path(path, name);
    if kind == ImportKind::Readings {
        let mut readings = readings_store(opts)?;
        return zp_app::preview_readings(store, &mut readings, &caller, path, name, Some(limits))
            .map_err(hide_path);
    }
    let set = factor_set(kind, opts)?;
    let table = read_named(path, name, limits)?;
    zp_app::preview_table(store, &caller, kind, &table, set.as_deref()).map_err(hide_path)
}

/// The readings store uploads go into.
fn readings_store(opts: &UploadOptions) -> Result<zp_app::readings::ReadingStore, AppError> {
    let dir = opts.readings_dir.as_deref().ok_or_else(|| {
        AppError::Unprocessable(
            "this server has no readings store: start it with a readings directory".into(),
        )
    })?;
    zp_app::readings::ReadingStore::open(dir)
        .map_err(|e| AppError::Internal(format!("readings store: {e}")))
}

/// The new factor set's name (factors uploads), checked; `None` for other kinds.
fn factor_set(kind: ImportKind, opts: &UploadOptions) -> Result<Option<String>, AppError> {
    if kind != ImportKind::Factors {
        return Ok(None);
    }
    let name = opts.set.as_deref().ok_or_else(|| {
        AppError::BadRequest(
            "a factor set needs a name: POST /api/v1/imports/factors?set=NAME".into(),
        )
    })?;
    set_name(name).map(Some)
}

/// A new factor set's name, checked: 1 to 64 letters, digits, `-`, `_`, `.`.
pub fn set_name(name: &str) -> Result<String, AppError> {
    let name = name.trim().to_string();
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.".contains(c))
    {
        return Err(AppError::BadRequest(
            "set name: 1 to 64 letters, digits, - _ .".into(),
        ));
    }
    Ok(name)
}

/// A file name safe to keep: letters (any script), digits, `.`, `-`, `_`; at most 80 chars.
pub fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim_start_matches('.');
    let mut out: String = trimmed
        .chars()
        .rev()
        .take(80)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if out.is_empty() {
        out = "upload.csv".into();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(
            safe_file_name("C:\\x\\能源台账 2023.csv"),
            "能源台账_2023.csv"
        );
        assert_eq!(safe_file_name(".hidden.csv"), "hidden.csv");
        assert_eq!(safe_file_name(""), "upload.csv");
    }
}

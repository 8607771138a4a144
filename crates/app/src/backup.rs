//! `zeropark backup --out DIR` and `zeropark restore --from DIR`: an online backup of the
//! database (either backend) and of the readings store, and its restore into a new
//! database of either backend.
//!
//! ```text
//! DIR/manifest.json     format, time, migrations, rows per table, database.jsonl's SHA-256,
//!                       the readings copy's files and bytes
//! DIR/database.jsonl    per table a header line {"table", "columns"}, then one JSON array
//!                       per row (integers as integers, reals with a fraction, text, null)
//! DIR/readings/         the readings store's committed files
//! ```
//!
//! The database is read in one snapshot while the readings store's write lock is held, so
//! no readings import commits between the two. A restore checks the manifest (format,
//! checksum, the same migrations as this version), writes the rows in one transaction into a
//! migrated, empty database, and copies the readings into a new directory.

use crate::AppError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use zp_readings::ReadingStore;
use zp_store::{DumpItem, Store, StoreError, value_of_json};

const FORMAT: &str = "zeropark-backup 1";
const DATABASE: &str = "database.jsonl";
const READINGS: &str = "readings";

/// What `manifest.json` says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub created_at: String,
    pub zeropark_version: String,
    pub migrations: Vec<String>,
    pub tables: BTreeMap<String, u64>,
    pub database_sha256: String,
    pub readings_files: Option<u64>,
    pub readings_bytes: Option<u64>,
}

/// A backup or a restore: where, and what it holds.
#[derive(Debug, Clone, Serialize)]
pub struct BackupReport {
    pub dir: PathBuf,
    #[serde(flatten)]
    pub manifest: Manifest,
}

fn io(path: &Path, e: impl std::fmt::Display) -> AppError {
    AppError::Invalid(format!("{}: {e}", path.display()))
}

/// Writes the dump as JSON lines; returns rows per table and the file's SHA-256.
fn write_dump(
    store: &mut dyn Store,
    path: &Path,
) -> Result<(BTreeMap<String, u64>, String), AppError> {
    let file = File::create(path).map_err(|e| io(path, e))?;
    let mut out = BufWriter::new(file);
    let mut hash = Sha256::new();
    let mut tables = BTreeMap::new();
    let mut current = String::new();
    let mut line = |v: serde_json::Value, out: &mut BufWriter<File>| -> Result<(), StoreError> {
        let mut text = v.to_string();
        text.push('\n');
        hash.update(text.as_bytes());
        out.write_all(text.as_bytes())
            .map_err(|e| StoreError::Corrupt(format!("{}: {e}", path.display())))
    };
    store.dump(&mut |item| match item {
        DumpItem::Table { name, columns } => {
            tables.insert(name.clone(), 0);
            current = name.clone();
            line(
                serde_json::json!({"table": name, "columns": columns}),
                &mut out,
            )
        }
        DumpItem::Row(values) => {
            *tables.get_mut(&current).expect("a row follows its table") += 1;
            let row: Vec<serde_json::Value> = values.iter().map(Into::into).collect();
            line(serde_json::Value::Array(row), &mut out)
        }
    })?;
    let file = out.into_inner().map_err(|e| io(path, e))?;
    file.sync_all().map_err(|e| io(path, e))?;
    Ok((tables, hex(&hash.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `zeropark backup --out DIR`: `DIR` must be new or empty.
pub fn backup(
    store: &mut dyn Store,
    readings: Option<&ReadingStore>,
    out: &Path,
) -> Result<BackupReport, AppError> {
    if out.exists()
        && std::fs::read_dir(out)
            .map_err(|e| io(out, e))?
            .next()
            .is_some()
    {
        return Err(AppError::Invalid(format!(
            "{} is not empty: a backup goes into a new directory",
            out.display()
        )));
    }
    std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
    let db = out.join(DATABASE);
    let migrations = store.migrations()?;
    let ((tables, sha), copy) = match readings {
        Some(r) => {
            let (dump, stats) = r.backup_to(&out.join(READINGS), || {
                write_dump(store, &db).map_err(BackupError::App)
            })?;
            (dump, Some(stats))
        }
        None => (write_dump(store, &db)?, None),
    };
    let manifest = Manifest {
        format: FORMAT.into(),
        created_at: jiff::Timestamp::now().to_string(),
        zeropark_version: env!("CARGO_PKG_VERSION").into(),
        migrations,
        tables,
        database_sha256: sha,
        readings_files: copy.map(|c| c.files),
        readings_bytes: copy.map(|c| c.bytes),
    };
    let path = out.join("manifest.json");
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| io(&path, e))?;
    std::fs::write(&path, text).map_err(|e| io(&path, e))?;
    Ok(BackupReport {
        dir: out.to_path_buf(),
        manifest,
    })
}

/// An error of the SQL dump or of the readings copy, run together under the lock.
enum BackupError {
    App(AppError),
    Readings(zp_readings::ReadingsError),
}

impl From<zp_readings::ReadingsError> for BackupError {
    fn from(e: zp_readings::ReadingsError) -> BackupError {
        BackupError::Readings(e)
    }
}

impl From<BackupError> for AppError {
    fn from(e: BackupError) -> AppError {
        match e {
            BackupError::App(e) => e,
            BackupError::Readings(e) => AppError::Invalid(format!("readings store: {e}")),
        }
    }
}

/// Reads and checks `DIR/manifest.json`.
fn manifest(from: &Path) -> Result<Manifest, AppError> {
    let path = from.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
    let m: Manifest = serde_json::from_str(&text)
        .map_err(|e| AppError::Invalid(format!("{}: {e}", path.display())))?;
    if m.format != FORMAT {
        return Err(AppError::Invalid(format!(
            "{}: format {:?}, this zeropark reads {FORMAT:?}",
            path.display(),
            m.format
        )));
    }
    Ok(m)
}

/// One line of `database.jsonl`: a table header or a row.
fn dump_item(db: &Path, n: usize, line: std::io::Result<String>) -> Result<DumpItem, StoreError> {
    let bad = |e: String| StoreError::Corrupt(format!("{} line {n}: {e}", db.display()));
    let line = line.map_err(|e| bad(e.to_string()))?;
    match serde_json::from_str(&line).map_err(|e| bad(e.to_string()))? {
        serde_json::Value::Array(values) => Ok(DumpItem::Row(
            values.iter().map(value_of_json).collect::<Result<_, _>>()?,
        )),
        serde_json::Value::Object(o) => Ok(DumpItem::Table {
            name: o
                .get("table")
                .and_then(|t| t.as_str())
                .ok_or_else(|| bad("no table name".into()))?
                .to_string(),
            columns: o
                .get("columns")
                .and_then(|c| c.as_array())
                .ok_or_else(|| bad("no columns".into()))?
                .iter()
                .map(|c| {
                    c.as_str()
                        .map(String::from)
                        .ok_or_else(|| bad("a column name".into()))
                })
                .collect::<Result<_, _>>()?,
        }),
        _ => Err(bad("neither a table header nor a row".into())),
    }
}

/// `zeropark restore --from DIR`: into `store` (migrated, empty) and, when the backup has
/// readings, into the new or empty directory `readings_dir`.
pub fn restore(
    store: &mut dyn Store,
    readings_dir: &Path,
    from: &Path,
) -> Result<BackupReport, AppError> {
    let m = manifest(from)?;
    let here = store.migrations()?;
    if here != m.migrations {
        let missing: Vec<&String> = m.migrations.iter().filter(|x| !here.contains(x)).collect();
        let extra: Vec<&String> = here.iter().filter(|x| !m.migrations.contains(x)).collect();
        return Err(AppError::Invalid(format!(
            "the backup was made by another schema version (zeropark {}): migrations only in the backup {missing:?}, only here {extra:?}; restore it with that version",
            m.zeropark_version
        )));
    }
    let db = from.join(DATABASE);
    // The checksum first: a damaged file is refused before anything is written.
    let mut hash = Sha256::new();
    let mut file = BufReader::new(File::open(&db).map_err(|e| io(&db, e))?);
    loop {
        let chunk = file.fill_buf().map_err(|e| io(&db, e))?;
        if chunk.is_empty() {
            break;
        }
        hash.update(chunk);
        let n = chunk.len();
        file.consume(n);
    }
    let got = hex(&hash.finalize());
    if got != m.database_sha256 {
        return Err(AppError::Invalid(format!(
            "{}: SHA-256 {got} differs from the manifest's {}: the backup is damaged",
            db.display(),
            m.database_sha256
        )));
    }
    let file = File::open(&db).map_err(|e| io(&db, e))?;
    let mut items = BufReader::new(file)
        .lines()
        .enumerate()
        .map(|(i, line)| dump_item(&db, i + 1, line));
    let written = store.restore(&mut items).map_err(|e| match e {
        // A target in use, or a damaged line: refusals, not failures of the machine.
        StoreError::Conflict(m) | StoreError::Corrupt(m) => AppError::Invalid(m),
        e => e.into(),
    })?;
    for (table, n) in &written {
        if m.tables.get(table) != Some(n) {
            return Err(AppError::Invalid(format!(
                "table {table}: {n} rows restored, the manifest says {:?}",
                m.tables.get(table)
            )));
        }
    }
    if m.readings_files.is_some() {
        zp_readings::restore_to(&from.join(READINGS), readings_dir)
            .map_err(|e| AppError::Invalid(format!("readings store: {e}")))?;
    }
    Ok(BackupReport {
        dir: from.to_path_buf(),
        manifest: m,
    })
}

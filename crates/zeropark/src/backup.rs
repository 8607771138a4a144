//! `zeropark backup --out DIR` and `zeropark restore --from DIR` (see `zp_app::backup`):
//! the database (SQLite or PostgreSQL) and the readings store, online; restored into a new
//! database of either backend (`--db`) and a new readings directory (`--readings-dir`).

use crate::ctx::{Ctx, Fail, finish};
use crate::output;
use std::path::Path;
use std::process::ExitCode;

fn summary(what: &str, r: &zp_app::backup::BackupReport) {
    let rows: u64 = r.manifest.tables.values().sum();
    println!(
        "{what} {}: {} tables, {rows} rows (database.jsonl SHA-256 {}){}",
        r.dir.display(),
        r.manifest.tables.len(),
        r.manifest.database_sha256,
        match (r.manifest.readings_files, r.manifest.readings_bytes) {
            (Some(f), Some(b)) => format!("; readings store: {f} files, {b} bytes"),
            _ => "; no readings store".into(),
        }
    );
}

/// `zeropark backup --out DIR`.
pub fn backup(ctx: &Ctx, out: &Path) -> anyhow::Result<ExitCode> {
    finish((|| {
        let mut store = ctx.open()?;
        let has_readings = ctx.readings_dir().join("FORMAT").is_file();
        let readings = if has_readings {
            Some(ctx.readings()?)
        } else {
            None
        };
        let r = zp_app::backup::backup(store.as_mut(), readings.as_ref(), out)?;
        output::either(ctx.json, &r, |r| summary("backup", r))?;
        Ok::<(), Fail>(())
    })())
}

/// `zeropark restore --from DIR`.
pub fn restore(ctx: &Ctx, from: &Path) -> anyhow::Result<ExitCode> {
    finish((|| {
        // A new SQLite file may name a folder that does not exist yet.
        let db = Path::new(&ctx.db);
        if !ctx.db.starts_with("postgres")
            && let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|e| Fail::Other(e.into()))?;
        }
        let mut store = ctx.open()?;
        let r = zp_app::backup::restore(store.as_mut(), &ctx.readings_dir(), from)?;
        output::either(ctx.json, &r, |r| summary("restored", r))?;
        Ok::<(), Fail>(())
    })())
}

//! `zeropark import KIND FILE --dry-run [--json]`: what the import would do, nothing
//! stored. Every import of a file has it; the preview comes from `zp_app` (the same
//! validation as the import, compared with what the store holds) and is printed here.

use crate::ctx::Ctx;
use crate::output;
use std::path::Path;
use std::process::ExitCode;
use zp_app::{Caller, ImportError, ImportKind, ImportPreview, Store};

/// A table import's preview (`set`: the factor set's name, factors only).
pub fn table(
    store: &mut dyn Store,
    caller: &Caller,
    kind: ImportKind,
    file: &Path,
    set: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let table = match zp_app::read_table(file, zp_app::Limits::default()) {
        Ok(t) => t,
        Err(e) => return Ok(crate::ctx::refuse(e)),
    };
    match zp_app::preview_table(store, caller, kind, &table, set) {
        Ok(p) => show(&p, file, json),
        Err(ImportError::Read(e)) => Ok(crate::ctx::refuse(e)),
        Err(e) => Err(e.into()),
    }
}

/// A readings file's preview: the import staged and abandoned.
pub fn readings(ctx: &Ctx, file: &Path) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open()?;
    let mut readings = ctx.readings()?;
    let name = file.display().to_string();
    let caller = ctx.caller();
    match zp_app::preview_readings(store.as_mut(), &mut readings, &caller, file, &name, None) {
        Ok(p) => show(&p, file, ctx.json),
        Err(ImportError::Read(e)) => Ok(crate::ctx::refuse(e)),
        Err(e) => Err(e.into()),
    }
}

/// A tariff file's preview (refused whole as the import refuses it).
pub fn tariffs(ctx: &Ctx, file: &Path) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open()?;
    match zp_app::energy::preview_tariffs(store.as_mut(), &ctx.caller(), file) {
        Ok(p) => show(&p, file, ctx.json),
        Err(ImportError::Read(e)) => Ok(crate::ctx::refuse(e)),
        Err(ImportError::Invalid(m)) => Ok(crate::ctx::refuse(m)),
        Err(e) => Err(e.into()),
    }
}

/// Prints a preview: JSON as it is, or the counts, each restatement and each row that
/// would be quarantined.
fn show(p: &ImportPreview, file: &Path, json: bool) -> anyhow::Result<ExitCode> {
    if json {
        output::json(p)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} (dry run, nothing stored): read {}, would accept {} (of which {} duplicates, {} restated), quarantine {}",
        file.display(),
        p.counts.read,
        p.counts.accepted,
        p.counts.duplicates,
        p.counts.restated,
        p.counts.quarantined
    );
    let rows: Vec<Vec<String>> = p
        .changes
        .iter()
        .map(|c| {
            let what = [c.site.as_str(), c.item.as_str(), c.carrier.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            vec![
                c.credit_code.clone(),
                c.period.clone(),
                what,
                c.old.clone(),
                c.new.clone(),
                c.change_pct.map(|d| format!("{d:+}%")).unwrap_or_default(),
            ]
        })
        .collect();
    if !rows.is_empty() {
        output::table(
            &["enterprise", "period", "record", "old", "new", "change"],
            &rows,
        );
    }
    for r in &p.rejected {
        println!("  row {}, {}: {}", r.row, r.field, r.reason);
    }
    Ok(ExitCode::SUCCESS)
}

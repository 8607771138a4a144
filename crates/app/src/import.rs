//! File imports: read, validate, store; bad rows quarantined, counts returned.

use std::path::Path;
use zp_domain::CreditCode;
use zp_ingest::{Limits, ReadError, read_table, validate_activity, validate_orgs};
use zp_store::{
    Access, BatchMeta, FactorSetInfo, ImportCounts, OrgFilter, Store, StoreError, Upsert,
};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read at all (exit status 2 in the CLI).
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "{file}: {count} invalid row(s); a factor set is accepted whole or not at all:\n{details}"
    )]
    FactorRows {
        file: String,
        count: usize,
        details: String,
    },
}

fn meta(kind: &str, table: &zp_ingest::Table, actor: &str) -> BatchMeta {
    BatchMeta {
        kind: kind.into(),
        file: table.file.clone(),
        sha256: table.sha256.clone(),
        actor: actor.into(),
    }
}

/// Counts an upsert of an accepted row: unchanged rows are duplicates, changed ones restated.
fn tally(counts: &mut ImportCounts, r: Upsert) {
    match r {
        Upsert::Unchanged => counts.duplicates += 1,
        Upsert::Updated => counts.restated += 1,
        Upsert::Inserted => {}
    }
}

/// `zeropark import orgs FILE`
pub fn import_orgs(
    store: &mut dyn Store,
    path: &Path,
    actor: &str,
) -> Result<ImportCounts, ImportError> {
    let table = read_table(path, Limits::default())?;
    let v = validate_orgs(&table)?;
    let mut counts = ImportCounts {
        read: table.rows.len(),
        accepted: v.orgs.len() + v.repeated,
        quarantined: v.rejected.len(),
        duplicates: v.repeated,
        restated: 0,
    };
    for org in &v.orgs {
        tally(&mut counts, store.upsert_org(org, actor)?);
    }
    store.record_batch(&meta("orgs", &table, actor), &counts, &v.rejected)?;
    Ok(counts)
}

/// `zeropark import activity FILE`
pub fn import_activity(
    store: &mut dyn Store,
    path: &Path,
    actor: &str,
) -> Result<ImportCounts, ImportError> {
    let table = read_table(path, Limits::default())?;
    let known: std::collections::HashSet<CreditCode> = store
        .orgs(&Access::All, &OrgFilter::default())?
        .into_iter()
        .map(|o| o.credit_code)
        .collect();
    let v = validate_activity(&table, &|c| known.contains(c))?;
    let repeated_in_file = table.rows.len() - v.rows.len() - v.rejected.len();
    let mut counts = store.import_activity(
        &meta("activity", &table, actor),
        &v.rows,
        &v.rejected,
        table.rows.len(),
    )?;
    // Lines repeated verbatim inside the file are accepted duplicates too.
    counts.accepted += repeated_in_file;
    counts.duplicates += repeated_in_file;
    Ok(counts)
}

/// `zeropark import factors FILE --set NAME`: a new user factor set.
pub fn import_factor_set(
    store: &mut dyn Store,
    path: &Path,
    set: &str,
    actor: &str,
) -> Result<usize, ImportError> {
    let table = read_table(path, Limits::default())?;
    import_factor_table(store, &table, set, actor)
}

/// A new user factor set from a table already read (`file` and `sha256` as recorded);
/// accepted whole or not at all.
pub fn import_factor_table(
    store: &mut dyn Store,
    table: &zp_ingest::Table,
    set: &str,
    actor: &str,
) -> Result<usize, ImportError> {
    let records: Vec<Vec<String>> = table.rows.iter().map(|(_, c)| c.clone()).collect();
    let factors =
        zp_factors::parse_user_factors(set, &table.headers, &records).map_err(|errs| {
            let details = errs
                .iter()
                .map(|e| {
                    format!(
                        "  {}: row {}, field {}: {}",
                        table.file,
                        table
                            .rows
                            .get(e.row.saturating_sub(2))
                            .map(|r| r.0)
                            .unwrap_or(e.row as i64),
                        e.field,
                        e.reason
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            ImportError::FactorRows {
                file: table.file.clone(),
                count: errs.len(),
                details,
            }
        })?;
    let info = FactorSetInfo {
        name: set.into(),
        file: table.file.clone(),
        sha256: table.sha256.clone(),
        imported_at: String::new(),
    };
    store.save_factor_set(&info, &factors, actor)?;
    Ok(factors.len())
}

/// `zeropark import meters FILE`: `meter,credit_code,kind,source[,site]`.
pub fn import_meters(
    store: &mut dyn Store,
    path: &Path,
    actor: &str,
) -> Result<ImportCounts, ImportError> {
    let table = read_table(path, Limits::default())?;
    let known: std::collections::HashSet<CreditCode> = store
        .orgs(&Access::All, &OrgFilter::default())?
        .into_iter()
        .map(|o| o.credit_code)
        .collect();
    let v = zp_ingest::validate_meters(&table, &|c| known.contains(c))?;
    let mut counts = ImportCounts {
        read: table.rows.len(),
        accepted: v.meters.len() + v.repeated,
        quarantined: v.rejected.len(),
        duplicates: v.repeated,
        restated: 0,
    };
    for m in &v.meters {
        tally(&mut counts, store.upsert_meter(m, actor)?);
    }
    store.record_batch(&meta("meters", &table, actor), &counts, &v.rejected)?;
    Ok(counts)
}

/// `zeropark import grid-hourly FILE`: `region,ts,tco2_per_mwh[,cfe_share]`.
pub fn import_grid_hourly(
    store: &mut dyn Store,
    path: &Path,
    actor: &str,
) -> Result<ImportCounts, ImportError> {
    let table = read_table(path, Limits::default())?;
    let v = zp_ingest::validate_grid_hourly(&table)?;
    let mut counts = store.import_grid_hourly(
        &meta("grid-hourly", &table, actor),
        &v.factors,
        &v.rejected,
        table.rows.len(),
    )?;
    counts.accepted += v.repeated;
    counts.duplicates += v.repeated;
    Ok(counts)
}

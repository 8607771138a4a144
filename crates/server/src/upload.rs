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
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use zp_domain::CreditCode;
use zp_ingest::{
    Limits, Table, read_table, validate_activity, validate_grid_hourly, validate_meters,
    validate_orgs,
};
use zp_store::{
    Access, BatchMeta, ImportCounts, MeterFilter, Org, OrgFilter, Rejected, Role, Store, Upsert,
};

/// What an upload holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Orgs,
    Activity,
    /// Meter registry: `meter,credit_code,kind,source[,site]`.
    Meters,
    /// Hourly grid factors (reference data): `region,ts,tco2_per_mwh[,cfe_share]`.
    GridHourly,
    /// Interval meter readings, CSV or Parquet: `meter,ts,kwh`.
    Readings,
    /// Indicator data of parks and enterprises: `scope_id,indicator,period,value,unit,evidence`.
    Indicators,
    /// A new user factor set (reference data, accepted whole or not at all).
    Factors,
}

impl ImportKind {
    pub fn parse(s: &str) -> Option<ImportKind> {
        match s {
            "orgs" => Some(ImportKind::Orgs),
            "activity" => Some(ImportKind::Activity),
            "meters" => Some(ImportKind::Meters),
            "grid-hourly" => Some(ImportKind::GridHourly),
            "readings" => Some(ImportKind::Readings),
            "indicators" => Some(ImportKind::Indicators),
            "factors" => Some(ImportKind::Factors),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            ImportKind::Orgs => "orgs",
            ImportKind::Activity => "activity",
            ImportKind::Meters => "meters",
            ImportKind::GridHourly => "grid-hourly",
            ImportKind::Readings => "readings",
            ImportKind::Indicators => "indicators",
            ImportKind::Factors => "factors",
        }
    }

    /// Every kind, in the order the imports page offers them.
    pub const ALL: [ImportKind; 7] = [
        ImportKind::Activity,
        ImportKind::Readings,
        ImportKind::Meters,
        ImportKind::Indicators,
        ImportKind::Orgs,
        ImportKind::GridHourly,
        ImportKind::Factors,
    ];

    /// Roles allowed to upload this kind (always within their scope).
    pub fn roles(self) -> &'static [Role] {
        match self {
            ImportKind::Orgs => &[Role::PlatformAdmin, Role::RegionOfficer, Role::ParkAdmin],
            ImportKind::Activity | ImportKind::Meters | ImportKind::Readings => {
                &[Role::PlatformAdmin, Role::ParkAdmin, Role::EnterpriseUser]
            }
            ImportKind::Indicators => &[
                Role::PlatformAdmin,
                Role::RegionOfficer,
                Role::ParkAdmin,
                Role::EnterpriseUser,
            ],
            ImportKind::GridHourly | ImportKind::Factors => &[Role::PlatformAdmin],
        }
    }
}

/// Refuses callers who may not upload `kind` at all (before any byte is stored).
pub fn authorise(who: &CurrentUser, kind: ImportKind) -> Result<(), AppError> {
    who.require_write()?;
    who.require_role(kind.roles())
}

fn meta(kind: ImportKind, table: &Table, actor: &str) -> BatchMeta {
    BatchMeta {
        kind: kind.key().into(),
        file: table.file.clone(),
        sha256: table.sha256.clone(),
        actor: actor.into(),
    }
}

/// What an upload did: the counts and the quarantined rows (file row, field, reason).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Outcome {
    pub kind: &'static str,
    pub file: String,
    pub sha256: String,
    #[serde(flatten)]
    pub counts: ImportCounts,
    pub rejected: Vec<Rejected>,
    /// Readings uploads: meters with accepted rows and missing intervals between each
    /// meter's first and last reading in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readings: Option<ReadingsSummary>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ReadingsSummary {
    pub meters: usize,
    pub new_meters: usize,
    pub missing_intervals: u64,
}

/// What some kinds need besides the file.
#[derive(Debug, Clone, Default)]
pub struct UploadOptions {
    /// The readings store (readings uploads).
    pub readings_dir: Option<PathBuf>,
    /// Name of the new factor set (factors uploads).
    pub set: Option<String>,
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
    if kind == ImportKind::Readings {
        let dir = opts.readings_dir.as_deref().ok_or_else(|| {
            AppError::Unprocessable(
                "this server has no readings store: start it with a readings directory".into(),
            )
        })?;
        return crate::upload_readings::import(store, who, dir, path, name, limits);
    }
    let full = path.display().to_string();
    let mut table = read_table(path, limits).map_err(|e| match AppError::from(e) {
        AppError::Unprocessable(m) => AppError::Unprocessable(m.replace(&full, name)),
        other => other,
    })?;
    table.file = name.to_string();
    let (counts, rejected) = match kind {
        ImportKind::Orgs => import_orgs(store, who, &table)?,
        ImportKind::Activity => import_activity(store, who, &table)?,
        ImportKind::Meters => import_meters(store, who, &table)?,
        ImportKind::GridHourly => import_grid_hourly(store, who, &table)?,
        ImportKind::Indicators => import_indicators(store, who, &table)?,
        ImportKind::Factors => import_factors(store, who, &table, opts.set.as_deref())?,
        ImportKind::Readings => {
            return Err(AppError::Internal(
                "readings are not read as a table (see upload_readings)".into(),
            ));
        }
    };
    Ok(Outcome {
        kind: kind.key(),
        file: table.file.clone(),
        sha256: table.sha256.clone(),
        counts,
        rejected,
        readings: None,
    })
}

fn import_indicators(
    store: &mut dyn Store,
    who: &CurrentUser,
    table: &Table,
) -> Result<(ImportCounts, Vec<Rejected>), AppError> {
    zp_app::evaluate::import_indicator_table(store, table, &who.access, &who.actor())
        .map_err(AppError::from)
}

/// A new factor set named `set`: all rows valid or nothing stored. The same file again
/// under the same name changes nothing (all rows duplicates); other content under an
/// existing name is a conflict (published factors are immutable).
fn import_factors(
    store: &mut dyn Store,
    who: &CurrentUser,
    table: &Table,
    set: Option<&str>,
) -> Result<(ImportCounts, Vec<Rejected>), AppError> {
    let set = crate::factors::set_name(set.ok_or_else(|| {
        AppError::BadRequest(
            "a factor set needs a name: POST /api/v1/imports/factors?set=NAME".into(),
        )
    })?)?;
    let set = set.as_str();
    let n = table.rows.len();
    let same = store
        .factor_sets()?
        .into_iter()
        .any(|f| f.name == set && f.sha256 == table.sha256);
    let counts = if same {
        ImportCounts {
            read: n,
            accepted: n,
            duplicates: n,
            ..ImportCounts::default()
        }
    } else {
        let stored = zp_app::import_factor_table(store, table, set, &who.actor())?;
        ImportCounts {
            read: n,
            accepted: stored,
            ..ImportCounts::default()
        }
    };
    Ok((counts, Vec::new()))
}

/// Whether registering `org` stays inside `access`.
fn org_in_scope(access: &Access, org: &Org) -> bool {
    match access {
        Access::All => true,
        Access::Region(r) => org.region == *r,
        Access::Park(p) => org.park.as_deref() == Some(p.as_str()),
        Access::Org(c) => org.credit_code == *c,
    }
}

fn import_orgs(
    store: &mut dyn Store,
    who: &CurrentUser,
    table: &Table,
) -> Result<(ImportCounts, Vec<Rejected>), AppError> {
    let v = validate_orgs(table)?;
    let mut rejected = v.rejected;
    let mut allowed = Vec::new();
    for org in v.orgs {
        // Inside the scope as written, and not taking over an enterprise registered outside it.
        let exists_elsewhere = store.org(&Access::All, &org.credit_code)?.is_some()
            && store.org(&who.access, &org.credit_code)?.is_none();
        if org_in_scope(&who.access, &org) && !exists_elsewhere {
            allowed.push(org);
            continue;
        }
        let (row, cells) = table
            .rows
            .iter()
            .find(|(_, cells)| cells.iter().any(|c| c.trim() == org.credit_code.as_str()))
            .map(|(r, c)| (*r, Table::raw(c)))
            .unwrap_or((0, String::new()));
        rejected.push(Rejected {
            row,
            field: "credit_code".into(),
            reason: format!("{} is outside your scope", org.credit_code),
            raw: cells,
        });
    }
    rejected.sort_by_key(|r| r.row);
    let mut counts = ImportCounts {
        read: table.rows.len(),
        accepted: allowed.len() + v.repeated,
        quarantined: rejected.len(),
        duplicates: v.repeated,
        restated: 0,
    };
    let actor = who.actor();
    for org in &allowed {
        match store.upsert_org(org, &actor)? {
            Upsert::Unchanged => counts.duplicates += 1,
            Upsert::Updated => counts.restated += 1,
            Upsert::Inserted => {}
        }
    }
    store.record_batch(&meta(ImportKind::Orgs, table, &actor), &counts, &rejected)?;
    Ok((counts, rejected))
}

fn import_activity(
    store: &mut dyn Store,
    who: &CurrentUser,
    table: &Table,
) -> Result<(ImportCounts, Vec<Rejected>), AppError> {
    let visible: HashSet<CreditCode> = store
        .orgs(&who.access, &OrgFilter::default())?
        .into_iter()
        .map(|o| o.credit_code)
        .collect();
    let v = validate_activity(table, &|c| visible.contains(c))?;
    let repeated_in_file = table.rows.len() - v.rows.len() - v.rejected.len();
    let mut counts = store.import_activity(
        &meta(ImportKind::Activity, table, &who.actor()),
        &v.rows,
        &v.rejected,
        table.rows.len(),
    )?;
    counts.accepted += repeated_in_file;
    counts.duplicates += repeated_in_file;
    Ok((counts, v.rejected))
}

fn import_meters(
    store: &mut dyn Store,
    who: &CurrentUser,
    table: &Table,
) -> Result<(ImportCounts, Vec<Rejected>), AppError> {
    let visible: HashSet<CreditCode> = store
        .orgs(&who.access, &OrgFilter::default())?
        .into_iter()
        .map(|o| o.credit_code)
        .collect();
    let v = validate_meters(table, &|c| visible.contains(c))?;
    let mut rejected = v.rejected;
    // A meter registered to an enterprise outside the scope cannot be taken over.
    let owners: HashMap<String, CreditCode> = store
        .meters(&Access::All, &MeterFilter::default())?
        .into_iter()
        .map(|m| (m.meter, m.credit_code))
        .collect();
    let mut allowed = Vec::new();
    for m in v.meters {
        match owners.get(&m.meter) {
            Some(owner) if !visible.contains(owner) => {
                let (row, raw) = table
                    .rows
                    .iter()
                    .find(|(_, cells)| cells.iter().any(|c| c.trim() == m.meter))
                    .map(|(r, c)| (*r, Table::raw(c)))
                    .unwrap_or((0, String::new()));
                rejected.push(Rejected {
                    row,
                    field: "meter".into(),
                    reason: format!("meter {} is outside your scope", m.meter),
                    raw,
                });
            }
            _ => allowed.push(m),
        }
    }
    rejected.sort_by_key(|r| r.row);
    let mut counts = ImportCounts {
        read: table.rows.len(),
        accepted: allowed.len() + v.repeated,
        quarantined: rejected.len(),
        duplicates: v.repeated,
        restated: 0,
    };
    let actor = who.actor();
    for m in &allowed {
        match store.upsert_meter(m, &actor)? {
            Upsert::Unchanged => counts.duplicates += 1,
            Upsert::Updated => counts.restated += 1,
            Upsert::Inserted => {}
        }
    }
    store.record_batch(&meta(ImportKind::Meters, table, &actor), &counts, &rejected)?;
    Ok((counts, rejected))
}

fn import_grid_hourly(
    store: &mut dyn Store,
    who: &CurrentUser,
    table: &Table,
) -> Result<(ImportCounts, Vec<Rejected>), AppError> {
    let v = validate_grid_hourly(table)?;
    let mut counts = store.import_grid_hourly(
        &meta(ImportKind::GridHourly, table, &who.actor()),
        &v.factors,
        &v.rejected,
        table.rows.len(),
    )?;
    counts.accepted += v.repeated;
    counts.duplicates += v.repeated;
    Ok((counts, v.rejected))
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

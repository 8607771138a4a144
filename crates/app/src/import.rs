//! File imports, one use case for the CLI and the server: read, validate, scope to the
//! caller, store; bad rows quarantined with row, field and reason, counts returned.

use crate::batch::ImportOutcome;
use crate::{Caller, ImportError};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;
use zp_domain::CreditCode;
use zp_ingest::{
    Limits, Table, read_table, validate_activity, validate_grid_hourly, validate_meters,
    validate_orgs,
};
use zp_store::{
    Access, FactorSetInfo, ImportCounts, ImportRows, MeterFilter, Org, Rejected, Role, Store,
};

/// What an import file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
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
    /// Production records for CBAM: `credit_code,period,product,cn_code,quantity_t[,route]`.
    Production,
    /// Levels of the energy-consumption limit standards (reference data):
    /// `standard,product,unit,level1,level2,level3,source`.
    EnergyLimits,
    /// Purchased materials of products with their factors:
    /// `credit_code,year,product,material,quantity,unit,kgco2e_per_unit,source`.
    Materials,
}

impl ImportKind {
    /// Every kind, in the order the imports page offers them.
    pub const ALL: [ImportKind; 10] = [
        ImportKind::Activity,
        ImportKind::Production,
        ImportKind::Materials,
        ImportKind::Readings,
        ImportKind::Meters,
        ImportKind::Indicators,
        ImportKind::Orgs,
        ImportKind::GridHourly,
        ImportKind::Factors,
        ImportKind::EnergyLimits,
    ];

    pub fn parse(s: &str) -> Option<ImportKind> {
        ImportKind::ALL.into_iter().find(|k| k.key() == s)
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
            ImportKind::Production => "production",
            ImportKind::EnergyLimits => "energy-limits",
            ImportKind::Materials => "materials",
        }
    }

    /// Roles allowed to import this kind (always within their scope).
    pub fn roles(self) -> &'static [Role] {
        match self {
            ImportKind::Orgs => &[Role::PlatformAdmin, Role::RegionOfficer, Role::ParkAdmin],
            ImportKind::Activity
            | ImportKind::Meters
            | ImportKind::Readings
            | ImportKind::Production
            | ImportKind::Materials => {
                &[Role::PlatformAdmin, Role::ParkAdmin, Role::EnterpriseUser]
            }
            ImportKind::Indicators => &[
                Role::PlatformAdmin,
                Role::RegionOfficer,
                Role::ParkAdmin,
                Role::EnterpriseUser,
            ],
            ImportKind::GridHourly | ImportKind::Factors | ImportKind::EnergyLimits => {
                &[Role::PlatformAdmin]
            }
        }
    }
}

/// Reads a file that is used whole or refused (no quarantine): an unreadable file is
/// [`AppError::Invalid`].
pub(crate) fn read_whole_table(path: &Path) -> Result<Table, crate::AppError> {
    read_table(path, Limits::default()).map_err(|e| crate::AppError::Invalid(e.to_string()))
}

/// Imports a table already read (`table.file` is the name recorded and shown) as `caller`:
/// rows of enterprises, meters or scopes outside the caller's access are quarantined
/// exactly like unknown ones, so an import can neither write outside the scope nor reveal
/// what exists there. `set` names a new factor set (factors only). Readings are not tables:
/// see [`crate::readings::import_readings`].
pub fn import_table(
    store: &mut dyn Store,
    caller: &Caller,
    kind: ImportKind,
    table: &Table,
    set: Option<&str>,
) -> Result<ImportOutcome, ImportError> {
    let (counts, rejected) = match kind {
        ImportKind::Orgs => import_orgs(store, caller, table)?,
        ImportKind::Activity => import_activity(store, caller, table)?,
        ImportKind::Meters => import_meters(store, caller, table)?,
        ImportKind::GridHourly => import_grid_hourly(store, caller, table)?,
        ImportKind::Indicators => crate::evaluate::import_indicator_table(store, table, caller)?,
        ImportKind::Factors => {
            let set =
                set.ok_or_else(|| ImportError::Invalid("a factor set needs a name".into()))?;
            import_factors(store, caller, table, set)?
        }
        ImportKind::Production => {
            return crate::production::import_production_table(store, caller, table);
        }
        ImportKind::EnergyLimits => {
            return crate::benchmark::import_energy_limits_table(store, caller, table);
        }
        ImportKind::Materials => {
            return crate::footprint::import_materials_table(store, caller, table);
        }
        ImportKind::Readings => {
            return Err(ImportError::Invalid(
                "readings are not read as a table: use the readings import".into(),
            ));
        }
    };
    crate::metrics::record_import(kind.key(), counts.read, counts.accepted, counts.quarantined);
    Ok(ImportOutcome::of(kind.key(), table, counts, rejected))
}

/// Reads the file at `path` within `limits` and imports it as `caller` ([`import_table`]).
pub fn import_file(
    store: &mut dyn Store,
    caller: &Caller,
    kind: ImportKind,
    path: &Path,
    limits: Limits,
    set: Option<&str>,
) -> Result<ImportOutcome, ImportError> {
    let table = read_table(path, limits)?;
    import_table(store, caller, kind, &table, set)
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

/// The row of `table` whose cells hold `key` (a credit code or meter id), for a rejection
/// decided after validation.
fn row_holding(table: &Table, key: &str) -> (i64, String) {
    table
        .rows
        .iter()
        .find(|(_, cells)| cells.iter().any(|c| c.trim() == key))
        .map(|(r, c)| (*r, Table::raw(c)))
        .unwrap_or((0, String::new()))
}

fn out_of_scope(table: &Table, key: &str, field: &str, what: String) -> Rejected {
    let (row, raw) = row_holding(table, key);
    Rejected {
        row,
        field: field.into(),
        reason: format!("{what} is outside your scope"),
        raw,
    }
}

/// Rows of a file that validation and the caller's scope let through, the rows refused
/// (in row order) and how many lines repeated an earlier one verbatim (accepted
/// duplicates): what an import stores and what its preview compares with the store.
pub(crate) struct Planned<T> {
    pub rows: Vec<T>,
    pub rejected: Vec<Rejected>,
    pub repeated: usize,
}

/// The enterprises of an orgs file `caller` may register: inside the scope as written,
/// and not taking over an enterprise registered outside it.
pub(crate) fn plan_orgs(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<Planned<Org>, ImportError> {
    let v = validate_orgs(table)?;
    let mut rejected = v.rejected;
    let mut allowed = Vec::new();
    for org in v.orgs {
        let exists_elsewhere = !caller.is_unscoped()
            && store.org(&Access::All, &org.credit_code)?.is_some()
            && store.org(&caller.access, &org.credit_code)?.is_none();
        if org_in_scope(&caller.access, &org) && !exists_elsewhere {
            allowed.push(org);
        } else {
            let code = org.credit_code.to_string();
            rejected.push(out_of_scope(table, &code, "credit_code", code.clone()));
        }
    }
    rejected.sort_by_key(|r| r.row);
    Ok(Planned {
        rows: allowed,
        rejected,
        repeated: v.repeated,
    })
}

fn import_orgs(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<(ImportCounts, Vec<Rejected>), ImportError> {
    let plan = plan_orgs(store, caller, table)?;
    let mut counts = ImportCounts::of(table.rows.len(), plan.rejected.len());
    counts.duplicates = plan.repeated;
    for org in &plan.rows {
        counts.tally(store.upsert_org(org, &caller.actor)?);
    }
    store.record_batch(
        &crate::batch::batch_meta(ImportKind::Orgs.key(), table, &caller.actor),
        &counts,
        &plan.rejected,
    )?;
    Ok((counts, plan.rejected))
}

/// An activity file's rows as `caller` may import them (the import and its preview): the
/// rows validated in the caller's scope, with certificates claimed twice and steam reported
/// both ways quarantined, and the number of lines repeated verbatim in the file (accepted
/// duplicates).
pub(crate) fn plan_activity(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<(zp_ingest::ActivityRows, usize), ImportError> {
    let visible = crate::batch::visible_codes(store, caller)?;
    let mut v = validate_activity(table, &|c| visible.contains(c))?;
    let repeated_in_file = table.rows.len() - v.rows.len() - v.rejected.len();
    v.rows = crate::serials::refuse_double_claims(store, &table.file, v.rows, &mut v.rejected)?;
    v.rows = crate::steam_once::refuse_steam_both_ways(
        store,
        &caller.access,
        &table.file,
        v.rows,
        &mut v.rejected,
    )?;
    Ok((v, repeated_in_file))
}

fn import_activity(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<(ImportCounts, Vec<Rejected>), ImportError> {
    let (v, repeated_in_file) = plan_activity(store, caller, table)?;
    let batch = crate::batch::batch_meta(ImportKind::Activity.key(), table, &caller.actor);
    let rows = ImportRows::new(&batch, &v.rows, &v.rejected, table.rows.len());
    let mut counts = store.import_activity(rows)?;
    // Lines repeated verbatim inside the file are accepted duplicates too.
    counts.accepted += repeated_in_file;
    counts.duplicates += repeated_in_file;
    Ok((counts, v.rejected))
}

/// The meters of a meters file `caller` may register (a meter registered to an enterprise
/// outside the scope cannot be taken over; parents must make a tree), with the registry
/// as stored.
pub(crate) fn plan_meters(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<(Planned<zp_store::Meter>, Vec<zp_store::Meter>), ImportError> {
    let visible = crate::batch::visible_codes(store, caller)?;
    let v = validate_meters(table, &|c| visible.contains(c))?;
    let mut rejected = v.rejected;
    let stored = store.meters(&Access::All, &MeterFilter::default())?;
    let owners: HashMap<String, CreditCode> = stored
        .iter()
        .map(|m| (m.meter.clone(), m.credit_code.clone()))
        .collect();
    let mut allowed = Vec::new();
    for m in v.meters {
        match owners.get(&m.meter) {
            Some(owner) if !visible.contains(owner) => {
                let what = format!("meter {}", m.meter);
                rejected.push(out_of_scope(table, &m.meter, "meter", what));
            }
            _ => allowed.push(m),
        }
    }
    let (allowed, tree_faults) = check_meter_tree(table, &v.rows, &stored, allowed);
    rejected.extend(tree_faults);
    rejected.sort_by_key(|r| r.row);
    let plan = Planned {
        rows: allowed,
        rejected,
        repeated: v.repeated,
    };
    Ok((plan, stored))
}

fn import_meters(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<(ImportCounts, Vec<Rejected>), ImportError> {
    let (plan, _) = plan_meters(store, caller, table)?;
    let mut counts = ImportCounts::of(table.rows.len(), plan.rejected.len());
    counts.duplicates = plan.repeated;
    for m in &plan.rows {
        counts.tally(store.upsert_meter(m, &caller.actor)?);
    }
    store.record_batch(
        &crate::batch::batch_meta(ImportKind::Meters.key(), table, &caller.actor),
        &counts,
        &plan.rejected,
    )?;
    Ok((counts, plan.rejected))
}

/// Keeps the meters whose parent is a meter of the same enterprise (stored or in the file)
/// and whose chain of parents never comes back to them; rejects the others by row.
fn check_meter_tree(
    table: &Table,
    rows: &HashMap<String, i64>,
    stored: &[zp_store::Meter],
    meters: Vec<zp_store::Meter>,
) -> (Vec<zp_store::Meter>, Vec<Rejected>) {
    let mut tree: HashMap<&str, (&CreditCode, &str)> = stored
        .iter()
        .map(|m| (m.meter.as_str(), (&m.credit_code, m.parent.as_str())))
        .collect();
    for m in &meters {
        tree.insert(&m.meter, (&m.credit_code, &m.parent));
    }
    let fault = |m: &zp_store::Meter| -> Option<String> {
        if m.parent.is_empty() {
            return None;
        }
        match tree.get(m.parent.as_str()) {
            None => return Some(format!("parent meter {} is not registered", m.parent)),
            Some((owner, _)) if **owner != m.credit_code => {
                return Some(format!(
                    "parent meter {} belongs to another enterprise ({owner})",
                    m.parent
                ));
            }
            _ => {}
        }
        let mut at = m.parent.as_str();
        for _ in 0..tree.len() {
            if at == m.meter {
                return Some(format!("meter {} would be its own ancestor", m.meter));
            }
            match tree.get(at) {
                Some((_, p)) if !p.is_empty() => at = p,
                _ => return None,
            }
        }
        Some(format!("the parents of meter {} form a loop", m.meter))
    };
    let mut kept = Vec::new();
    let mut rejected = Vec::new();
    for m in &meters {
        match fault(m) {
            None => kept.push(m.clone()),
            Some(reason) => {
                let row = rows.get(&m.meter).copied().unwrap_or(0);
                let raw = table
                    .rows
                    .iter()
                    .find(|(r, _)| *r == row)
                    .map(|(_, c)| Table::raw(c))
                    .unwrap_or_default();
                rejected.push(Rejected {
                    row,
                    field: "parent".into(),
                    reason,
                    raw,
                });
            }
        }
    }
    (kept, rejected)
}

/// The hourly grid factors of a file: reference data, an administrator's only.
pub(crate) fn plan_grid_hourly(
    caller: &Caller,
    table: &Table,
) -> Result<Planned<zp_store::HourlyFactor>, ImportError> {
    if !caller.is_unscoped() {
        return Err(ImportError::Invalid(
            "hourly grid factors are reference data: only an administrator imports them".into(),
        ));
    }
    let v = validate_grid_hourly(table)?;
    Ok(Planned {
        rows: v.factors,
        rejected: v.rejected,
        repeated: v.repeated,
    })
}

fn import_grid_hourly(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<(ImportCounts, Vec<Rejected>), ImportError> {
    let v = plan_grid_hourly(caller, table)?;
    let batch = crate::batch::batch_meta(ImportKind::GridHourly.key(), table, &caller.actor);
    let rows = ImportRows::new(&batch, &v.rows, &v.rejected, table.rows.len());
    let mut counts = store.import_grid_hourly(rows)?;
    counts.accepted += v.repeated;
    counts.duplicates += v.repeated;
    Ok((counts, v.rejected))
}

/// A new factor set named `set`: all rows valid or nothing stored. The same file again
/// under the same name changes nothing (all rows duplicates); other content under an
/// existing name is a conflict (published factors are immutable).
fn import_factors(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
    set: &str,
) -> Result<(ImportCounts, Vec<Rejected>), ImportError> {
    let counts = plan_factors(store, caller, table, set)?;
    if counts.duplicates == 0 {
        import_factor_table(store, table, set, &caller.actor)?;
    }
    Ok((counts, Vec::new()))
}

/// What importing `table` as the factor set `set` counts: every row a duplicate when the
/// same file was imported under that name, else every row accepted once the whole file
/// parses; refused like the import when it does not, or when the name holds other content.
pub(crate) fn plan_factors(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
    set: &str,
) -> Result<ImportCounts, ImportError> {
    if !caller.is_unscoped() {
        return Err(ImportError::Invalid(
            "factor sets are reference data: only an administrator imports them".into(),
        ));
    }
    let n = table.rows.len();
    let stored = store.factor_sets()?.into_iter().find(|f| f.name == set);
    let mut counts = ImportCounts::of(n, 0);
    match stored {
        Some(f) if f.sha256 == table.sha256 => counts.duplicates = n,
        Some(f) => {
            return Err(zp_store::StoreError::Conflict(format!(
                "factor set {:?} already exists (sha256 {}); published factors are immutable, import a new set name",
                f.name, f.sha256
            ))
            .into());
        }
        None => {
            parse_factor_table(table, set)?;
        }
    }
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
    table: &Table,
    set: &str,
    actor: &str,
) -> Result<usize, ImportError> {
    let factors = parse_factor_table(table, set)?;
    let info = FactorSetInfo {
        name: set.into(),
        file: table.file.clone(),
        sha256: table.sha256.clone(),
        imported_at: String::new(),
    };
    store.save_factor_set(&info, &factors, actor)?;
    Ok(factors.len())
}

/// The factors of a set file, or every faulty row with its reason.
fn parse_factor_table(table: &Table, set: &str) -> Result<Vec<zp_factors::Factor>, ImportError> {
    let records: Vec<Vec<String>> = table.rows.iter().map(|(_, c)| c.clone()).collect();
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
    })
}

/// `imports revert ID`: rolls a stored activity import back (its new rows withdrawn, its
/// restatements returned to the previous values, audited). Its uploader or an unscoped
/// caller (platform operator, admin) may do it.
pub fn revert_import(
    store: &mut dyn Store,
    caller: &Caller,
    batch: i64,
) -> Result<zp_store::RevertCounts, crate::AppError> {
    if !caller.is_unscoped() {
        let uploader = store
            .batches(usize::MAX >> 1)?
            .into_iter()
            .find(|b| b.id == batch)
            .map(|b| b.actor)
            .ok_or_else(|| crate::AppError::NotFound(format!("import {batch} not found")))?;
        if uploader != caller.actor {
            return Err(crate::AppError::Store(zp_store::StoreError::Forbidden(
                format!(
                    "import {batch} was made by {uploader}; only its uploader or an administrator may revert it"
                ),
            )));
        }
    }
    Ok(store.revert_activity_batch(batch, &caller.actor)?)
}

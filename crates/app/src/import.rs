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

fn import_orgs(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<(ImportCounts, Vec<Rejected>), ImportError> {
    let v = validate_orgs(table)?;
    let mut rejected = v.rejected;
    let mut allowed = Vec::new();
    for org in v.orgs {
        // Inside the scope as written, and not taking over an enterprise registered outside it.
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
    let mut counts = ImportCounts::of(table.rows.len(), rejected.len());
    counts.duplicates = v.repeated;
    for org in &allowed {
        counts.tally(store.upsert_org(org, &caller.actor)?);
    }
    store.record_batch(
        &crate::batch::batch_meta(ImportKind::Orgs.key(), table, &caller.actor),
        &counts,
        &rejected,
    )?;
    Ok((counts, rejected))
}

fn import_activity(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<(ImportCounts, Vec<Rejected>), ImportError> {
    let visible = crate::batch::visible_codes(store, caller)?;
    let mut v = validate_activity(table, &|c| visible.contains(c))?;
    let repeated_in_file = table.rows.len() - v.rows.len() - v.rejected.len();
    v.rows = crate::serials::refuse_double_claims(store, &table.file, v.rows, &mut v.rejected)?;
    let batch = crate::batch::batch_meta(ImportKind::Activity.key(), table, &caller.actor);
    let rows = ImportRows::new(&batch, &v.rows, &v.rejected, table.rows.len());
    let mut counts = store.import_activity(rows)?;
    // Lines repeated verbatim inside the file are accepted duplicates too.
    counts.accepted += repeated_in_file;
    counts.duplicates += repeated_in_file;
    Ok((counts, v.rejected))
}

fn import_meters(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<(ImportCounts, Vec<Rejected>), ImportError> {
    let visible = crate::batch::visible_codes(store, caller)?;
    let v = validate_meters(table, &|c| visible.contains(c))?;
    let mut rejected = v.rejected;
    // A meter registered to an enterprise outside the scope cannot be taken over.
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
    let mut counts = ImportCounts::of(table.rows.len(), rejected.len());
    counts.duplicates = v.repeated;
    for m in &allowed {
        counts.tally(store.upsert_meter(m, &caller.actor)?);
    }
    store.record_batch(
        &crate::batch::batch_meta(ImportKind::Meters.key(), table, &caller.actor),
        &counts,
        &rejected,
    )?;
    Ok((counts, rejected))
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

fn import_grid_hourly(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<(ImportCounts, Vec<Rejected>), ImportError> {
    if !caller.is_unscoped() {
        return Err(ImportError::Invalid(
            "hourly grid factors are reference data: only an administrator imports them".into(),
        ));
    }
    let v = validate_grid_hourly(table)?;
    let batch = crate::batch::batch_meta(ImportKind::GridHourly.key(), table, &caller.actor);
    let rows = ImportRows::new(&batch, &v.factors, &v.rejected, table.rows.len());
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
    if !caller.is_unscoped() {
        return Err(ImportError::Invalid(
            "factor sets are reference data: only an administrator imports them".into(),
        ));
    }
    let n = table.rows.len();
    let same = store
        .factor_sets()?
        .into_iter()
        .any(|f| f.name == set && f.sha256 == table.sha256);
    let mut counts = ImportCounts::of(n, 0);
    if same {
        counts.duplicates = n;
    } else {
        import_factor_table(store, table, set, &caller.actor)?;
    }
    Ok((counts, Vec::new()))
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

/// One restatement an import would make: the stored value and the new one.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ImportChange {
    pub credit_code: String,
    pub site: String,
    pub period: String,
    pub carrier: String,
    /// The carrier's Chinese name (e.g. 电力).
    pub carrier_name_zh: String,
    /// The current value with its unit, as stored (e.g. `13876 MWh`).
    pub old: String,
    /// The value the file gives, with its unit.
    pub new: String,
    /// Change in the carrier's base unit, percent of the old value (`None` when the old
    /// value is zero).
    pub change_pct: Option<rust_decimal::Decimal>,
}

/// What an import would do, computed without storing anything (`--dry-run`, the upload
/// preview): the counts it would report and each restatement as old -> new.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ImportPreview {
    pub kind: &'static str,
    pub file: String,
    pub sha256: String,
    pub dry_run: bool,
    #[serde(flatten)]
    pub counts: ImportCounts,
    pub changes: Vec<ImportChange>,
    pub rejected: Vec<Rejected>,
}

/// The quantity of an activity value in its carrier's base unit (certificates as MWh), the
/// figure duplicates and restatements are recognised by.
fn base_quantity(
    carrier: zp_domain::Carrier,
    quantity: &zp_domain::Quantity,
) -> Option<rust_decimal::Decimal> {
    use zp_domain::{Carrier, Unit};
    if quantity.unit == Unit::Certificate {
        return Some(quantity.value);
    }
    let unit = if carrier == Carrier::GreenCertificate {
        Unit::Mwh
    } else {
        carrier.base_unit()
    };
    quantity.value_in(unit).ok()
}

/// Previews an import of `table` as `caller`: the same validation and scope as
/// [`import_table`], compared with the stored values; nothing is written. Activity ledgers
/// only (the kind whose restatements replace figures).
pub fn preview_table(
    store: &mut dyn Store,
    caller: &Caller,
    kind: ImportKind,
    table: &Table,
) -> Result<ImportPreview, ImportError> {
    if kind != ImportKind::Activity {
        return Err(ImportError::Invalid(format!(
            "a dry run is available for activity imports; {} imports change no reported figure by restatement",
            kind.key()
        )));
    }
    let visible = crate::batch::visible_codes(store, caller)?;
    let mut v = validate_activity(table, &|c| visible.contains(c))?;
    let repeated_in_file = table.rows.len() - v.rows.len() - v.rejected.len();
    v.rows = crate::serials::refuse_double_claims(store, &table.file, v.rows, &mut v.rejected)?;
    let mut counts = ImportCounts::of(table.rows.len(), v.rejected.len());
    counts.duplicates = repeated_in_file;
    let mut stored: HashMap<(CreditCode, i32), Vec<zp_store::ActivityRecord>> = HashMap::new();
    let mut changes = Vec::new();
    for row in &v.rows {
        let key = (row.credit_code.clone(), row.period.year());
        if !stored.contains_key(&key) {
            let rows = store.activity(&caller.access, &row.credit_code, row.period.year())?;
            stored.insert(key.clone(), rows);
        }
        let current = stored[&key]
            .iter()
            .find(|r| r.site == row.site && r.period == row.period && r.carrier == row.carrier);
        let Some(current) = current else { continue };
        let old = base_quantity(current.carrier, &current.quantity);
        if old == Some(row.base_quantity) {
            counts.duplicates += 1;
            continue;
        }
        counts.restated += 1;
        let change_pct = old.filter(|o| !o.is_zero()).map(|o| {
            ((row.base_quantity - o) / o * rust_decimal::Decimal::ONE_HUNDRED).round_dp(1)
        });
        changes.push(ImportChange {
            credit_code: row.credit_code.to_string(),
            site: row.site.clone(),
            period: row.period.to_string(),
            carrier: row.carrier.key().to_string(),
            carrier_name_zh: row.carrier.name_zh().to_string(),
            old: current.quantity.to_string(),
            new: row.quantity.to_string(),
            change_pct,
        });
    }
    Ok(ImportPreview {
        kind: kind.key(),
        file: table.file.clone(),
        sha256: table.sha256.clone(),
        dry_run: true,
        counts: counts.checked(),
        changes,
        rejected: v.rejected,
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

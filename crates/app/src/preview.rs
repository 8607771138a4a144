//! Import previews (`zeropark import KIND FILE --dry-run`, the upload preview): what an
//! import would do, computed without storing anything.
//!
//! Every kind is validated and scoped by the code its import runs (`import::plan_*`, each
//! capability's `validate`), then its accepted rows are compared with what the store holds
//! by the rule the store's import applies to recognise a duplicate, in file order: a value
//! an earlier row of the same file set is what a later row is compared with, as it would
//! be inside the import's transaction. Readings run the import itself up to its commit
//! point and abandon it (the staged files are discarded).

use crate::batch::ReadingsSummary;
use crate::import::{ImportKind, Planned};
use crate::{Caller, ImportError};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use zp_domain::CreditCode;
use zp_ingest::Table;
use zp_store::{Access, ImportCounts, Rejected, Store, Upsert};

/// One restatement an import would make: the stored value and the new one.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ImportChange {
    /// The enterprise (empty for reference data and park indicator values).
    pub credit_code: String,
    pub site: String,
    /// The period (`YYYY-MM`, a year, or a Beijing-time hour for hourly grid factors);
    /// empty for records without one.
    pub period: String,
    pub carrier: String,
    /// The carrier's Chinese name (e.g. 电力).
    pub carrier_name_zh: String,
    /// The record restated, for kinds other than ledgers: a meter, a product's CN code and
    /// route, a product and material, a standard and product, a park and indicator, a grid
    /// region; empty for ledgers (site and carrier say it) and enterprises.
    pub item: String,
    /// The current value with its unit, as stored (e.g. `13876 MWh`).
    pub old: String,
    /// The value the file gives, with its unit.
    pub new: String,
    /// Change of the quantity, percent of the old value (`None` when the old value is zero
    /// or the record is not a quantity).
    pub change_pct: Option<Decimal>,
    /// Whether old and new are quantities `change_pct` compares; false for records
    /// compared as text (enterprises, meters, a standard's three levels): only the fields
    /// that change are shown.
    pub numeric: bool,
}

/// What an import would do, computed without storing anything (`--dry-run`, the upload
/// preview): the counts it would report, each restatement as old -> new, and the rows it
/// would quarantine.
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
    /// Readings: meters with accepted rows and missing intervals, as the import reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readings: Option<ReadingsSummary>,
}

impl ImportChange {
    /// A restatement of the record `item` (of `credit_code`, in `period`).
    fn of(credit_code: &str, period: &str, item: &str, old: String, new: String) -> Self {
        ImportChange {
            credit_code: credit_code.into(),
            site: String::new(),
            period: period.into(),
            carrier: String::new(),
            carrier_name_zh: String::new(),
            item: item.into(),
            old,
            new,
            change_pct: None,
            numeric: false,
        }
    }

    /// The same with the quantity that changed from `old` to `new`.
    fn quantity(mut self, old: Decimal, new: Decimal) -> Self {
        self.numeric = true;
        self.change_pct = pct(old, new);
        self
    }
}

/// `new` against `old` in percent, one decimal; `None` from zero.
fn pct(old: Decimal, new: Decimal) -> Option<Decimal> {
    (!old.is_zero()).then(|| ((new - old) / old * Decimal::ONE_HUNDRED).round_dp(1))
}

/// The fields of two records that differ, as `name: value` joined by `; ` (old, new).
fn differing(fields: &[(&str, String, String)]) -> (String, String) {
    let (mut old, mut new) = (Vec::new(), Vec::new());
    for (name, a, b) in fields.iter().filter(|(_, a, b)| a != b) {
        old.push(format!("{name}: {a}"));
        new.push(format!("{name}: {b}"));
    }
    (old.join("; "), new.join("; "))
}

/// The values an import would leave at each key, in file order: the store's value until a
/// row of the file replaces it.
struct Replay<K, V> {
    values: HashMap<K, Option<V>>,
}

impl<K: Eq + Hash, V: Clone> Replay<K, V> {
    fn new() -> Self {
        Replay {
            values: HashMap::new(),
        }
    }

    /// Applies `new` at `key` (`stored` reads the store's value the first time the key
    /// comes up): inserted, unchanged (`same`) or updated, with the value it replaces.
    fn apply<E>(
        &mut self,
        key: K,
        new: &V,
        stored: impl FnOnce() -> Result<Option<V>, E>,
        same: impl Fn(&V, &V) -> bool,
    ) -> Result<(Upsert, Option<V>), E> {
        let current = match self.values.get(&key) {
            Some(v) => v.clone(),
            None => stored()?,
        };
        let upsert = match &current {
            None => Upsert::Inserted,
            Some(old) if same(old, new) => Upsert::Unchanged,
            Some(_) => Upsert::Updated,
        };
        if upsert != Upsert::Unchanged {
            self.values.insert(key, Some(new.clone()));
        }
        Ok((upsert, current))
    }
}

/// Counts and changes as a preview gathers them.
struct Tally {
    counts: ImportCounts,
    changes: Vec<ImportChange>,
}

impl Tally {
    /// `read` rows of which `quarantined` refused, `repeated` repeated verbatim in the file.
    fn new(read: usize, quarantined: usize, repeated: usize) -> Self {
        let mut counts = ImportCounts::of(read, quarantined);
        counts.duplicates = repeated;
        Tally {
            counts,
            changes: Vec::new(),
        }
    }

    /// Counts an upsert; an update adds the change `change` describes.
    fn add(&mut self, upsert: Upsert, change: impl FnOnce() -> ImportChange) {
        self.counts.tally(upsert);
        if upsert == Upsert::Updated {
            self.changes.push(change());
        }
    }
}

/// Distinct rows among `rejected` (a row may be refused for several problems): what the
/// keyed imports (production, materials, energy limits) count as quarantined.
fn rows_of(rejected: &[Rejected]) -> usize {
    rejected.iter().map(|r| r.row).collect::<HashSet<_>>().len()
}

/// Previews an import of `table` as `caller` (`set`: the new factor set's name, factors
/// only): the same validation and scope as [`crate::import_table`], compared with the
/// stored values; nothing is written. Readings are files, not tables: see
/// [`preview_readings`].
pub fn preview_table(
    store: &mut dyn Store,
    caller: &Caller,
    kind: ImportKind,
    table: &Table,
    set: Option<&str>,
) -> Result<ImportPreview, ImportError> {
    let (tally, rejected) = match kind {
        ImportKind::Activity => activity(store, caller, table)?,
        ImportKind::Orgs => orgs(store, caller, table)?,
        ImportKind::Meters => meters(store, caller, table)?,
        ImportKind::GridHourly => grid_hourly(store, caller, table)?,
        ImportKind::Indicators => indicators(store, caller, table)?,
        ImportKind::Production => production(store, caller, table)?,
        ImportKind::Materials => materials(store, caller, table)?,
        ImportKind::EnergyLimits => energy_limits(store, caller, table)?,
        ImportKind::Factors => {
            let set =
                set.ok_or_else(|| ImportError::Invalid("a factor set needs a name".into()))?;
            let counts = crate::import::plan_factors(store, caller, table, set)?;
            (
                Tally {
                    counts,
                    changes: Vec::new(),
                },
                Vec::new(),
            )
        }
        ImportKind::Readings => {
            return Err(ImportError::Invalid(
                "readings are not read as a table: use the readings preview".into(),
            ));
        }
    };
    Ok(ImportPreview {
        kind: kind.key(),
        file: table.file.clone(),
        sha256: table.sha256.clone(),
        dry_run: true,
        counts: tally.counts.checked(),
        changes: tally.changes,
        rejected,
        readings: None,
    })
}

type Previewed = (Tally, Vec<Rejected>);

/// The quantity of an activity value in its carrier's base unit (certificates as MWh), the
/// figure duplicates and restatements are recognised by.
fn base_quantity(carrier: zp_domain::Carrier, quantity: &zp_domain::Quantity) -> Option<Decimal> {
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

/// Ledgers: a row restates the current value of its (enterprise, site, period, carrier)
/// unless it gives the same quantity in the carrier's base unit.
fn activity(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<Previewed, ImportError> {
    let (v, repeated_in_file) = crate::import::plan_activity(store, caller, table)?;
    let mut tally = Tally::new(table.rows.len(), v.rejected.len(), repeated_in_file);
    let mut stored: HashMap<(CreditCode, i32), Vec<zp_store::ActivityRecord>> = HashMap::new();
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
            tally.counts.duplicates += 1;
            continue;
        }
        tally.counts.restated += 1;
        tally.changes.push(ImportChange {
            credit_code: row.credit_code.to_string(),
            site: row.site.clone(),
            period: row.period.to_string(),
            carrier: row.carrier.key().to_string(),
            carrier_name_zh: row.carrier.name_zh().to_string(),
            item: String::new(),
            old: current.quantity.to_string(),
            new: row.quantity.to_string(),
            change_pct: old.and_then(|o| pct(o, row.base_quantity)),
            numeric: true,
        });
    }
    Ok((tally, v.rejected))
}

/// Enterprises: an upsert changes nothing when every field equals the stored record.
fn orgs(store: &mut dyn Store, caller: &Caller, table: &Table) -> Result<Previewed, ImportError> {
    let plan = crate::import::plan_orgs(store, caller, table)?;
    let mut tally = Tally::new(table.rows.len(), plan.rejected.len(), plan.repeated);
    let mut replay = Replay::new();
    for org in &plan.rows {
        let (upsert, old) = replay.apply(
            org.credit_code.clone(),
            org,
            || store.org(&Access::All, &org.credit_code),
            |a, b| a == b,
        )?;
        tally.add(upsert, || {
            let old = old.expect("an update has an old record");
            let (o, n) = differing(&[
                ("name", old.name.clone(), org.name.clone()),
                ("region", old.region.to_string(), org.region.to_string()),
                (
                    "park",
                    old.park.clone().unwrap_or_default(),
                    org.park.clone().unwrap_or_default(),
                ),
                ("industry", old.industry.clone(), org.industry.clone()),
                ("attrs", json(&old.attrs), json(&org.attrs)),
            ]);
            ImportChange::of(org.credit_code.as_str(), "", "", o, n)
        });
    }
    Ok((tally, plan.rejected))
}

fn json(v: &impl Serialize) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Meters: an upsert changes nothing when every field equals the registered meter.
fn meters(store: &mut dyn Store, caller: &Caller, table: &Table) -> Result<Previewed, ImportError> {
    let (plan, registered) = crate::import::plan_meters(store, caller, table)?;
    let registered: HashMap<String, zp_store::Meter> = registered
        .into_iter()
        .map(|m| (m.meter.clone(), m))
        .collect();
    let mut tally = Tally::new(table.rows.len(), plan.rejected.len(), plan.repeated);
    let mut replay = Replay::new();
    for m in &plan.rows {
        let stored = || Ok::<_, ImportError>(registered.get(&m.meter).cloned());
        let (upsert, old) = replay.apply(m.meter.clone(), m, stored, |a, b| a == b)?;
        tally.add(upsert, || {
            let old = old.expect("an update has an old record");
            let (o, n) = differing(&[
                (
                    "credit_code",
                    old.credit_code.to_string(),
                    m.credit_code.to_string(),
                ),
                ("kind", old.kind.key().into(), m.kind.key().into()),
                ("source", old.source.clone(), m.source.clone()),
                ("site", old.site.clone(), m.site.clone()),
                ("parent", old.parent.clone(), m.parent.clone()),
                ("end_use", old.end_use.clone(), m.end_use.clone()),
            ]);
            ImportChange::of(m.credit_code.as_str(), "", &m.meter, o, n)
        });
    }
    Ok((tally, plan.rejected))
}

/// Hourly grid factors: a (region, hour) restates unless both the factor and the CFE share
/// equal the stored ones.
fn grid_hourly(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<Previewed, ImportError> {
    let plan: Planned<zp_store::HourlyFactor> = crate::import::plan_grid_hourly(caller, table)?;
    let mut tally = Tally::new(table.rows.len(), plan.rejected.len(), plan.repeated);
    // The stored hours of each region between the file's first and last.
    let mut spans: HashMap<zp_domain::Region, (i64, i64)> = HashMap::new();
    for f in &plan.rows {
        let span = spans.entry(f.region).or_insert((f.ts, f.ts));
        *span = (span.0.min(f.ts), span.1.max(f.ts));
    }
    let mut stored: HashMap<(zp_domain::Region, i64), zp_store::HourlyFactor> = HashMap::new();
    for (region, (from, to)) in spans {
        for f in store.grid_hourly(region, from, to + 1)? {
            stored.insert((region, f.ts), f);
        }
    }
    let mut replay = Replay::new();
    let text = |f: &zp_store::HourlyFactor| match f.cfe_share {
        Some(c) => format!("{} tCO2/MWh, CFE {c}", f.tco2_per_mwh),
        None => format!("{} tCO2/MWh", f.tco2_per_mwh),
    };
    for f in &plan.rows {
        let key = (f.region, f.ts);
        let found = || Ok::<_, ImportError>(stored.get(&key).cloned());
        let same = |a: &zp_store::HourlyFactor, b: &zp_store::HourlyFactor| {
            a.tco2_per_mwh == b.tco2_per_mwh && a.cfe_share == b.cfe_share
        };
        let (upsert, old) = replay.apply(key, f, found, same)?;
        tally.add(upsert, || {
            let old = old.expect("an update has an old value");
            let hour = zp_domain::time::format_local(f.ts);
            let change = ImportChange::of("", &hour, f.region.code(), text(&old), text(f));
            match (
                Decimal::from_f64_retain(old.tco2_per_mwh),
                Decimal::from_f64_retain(f.tco2_per_mwh),
            ) {
                (Some(o), Some(n)) => change.quantity(o, n),
                _ => change,
            }
        });
    }
    Ok((tally, plan.rejected))
}

/// An indicator value as compared: scope kind, value, unit, evidence; and whether the
/// caller may read it (a value from the file always).
type IndicatorValue = (zp_store::ScopeKind, Decimal, String, String, bool);

/// Indicator values: a (scope, indicator, period) restates unless value, unit, evidence
/// and scope kind equal its current value. The store compares with the current value
/// whoever may read it, and so does the preview; a value the caller may write but not read
/// (an enterprise's park) is counted but not shown.
fn indicators(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<Previewed, ImportError> {
    let v = crate::evaluate::indicator_rows(store, table, caller)?;
    let mut tally = Tally::new(table.rows.len(), v.rejected.len(), v.repeated);
    // Each scope's values of a year are read once, before any row of the file changes them.
    let mut loaded: HashSet<(String, i32)> = HashSet::new();
    let mut replay = Replay::new();
    for r in &v.rows {
        let key = (r.scope_id.clone(), r.indicator.clone(), r.period.clone());
        let year: i32 = r.period.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        if loaded.insert((r.scope_id.clone(), year)) {
            let readable: HashSet<i64> = store
                .indicator_values(&caller.access, &r.scope_id, year)?
                .iter()
                .map(|s| s.id)
                .collect();
            for s in store.indicator_values(&Access::All, &r.scope_id, year)? {
                let seen = readable.contains(&s.id);
                let k = (s.scope_id, s.indicator, s.period);
                let value = (s.scope_kind, s.value, s.unit, s.evidence, seen);
                replay.values.entry(k).or_insert(Some(value));
            }
        }
        let new: IndicatorValue = (
            r.scope_kind,
            r.value,
            r.unit.clone(),
            r.evidence.clone(),
            true,
        );
        let same = |a: &IndicatorValue, b: &IndicatorValue| {
            (a.0, a.1, &a.2, &a.3) == (b.0, b.1, &b.2, &b.3)
        };
        let (upsert, old) = replay.apply(key, &new, || Ok::<_, ImportError>(None), same)?;
        tally.add(upsert, || {
            let old = old.expect("an update has an old value");
            let text = |v: &IndicatorValue| format!("{} {} ({})", v.1.normalize(), v.2, v.3);
            let (code, item) = match r.scope_kind {
                zp_store::ScopeKind::Org => (r.scope_id.clone(), r.indicator.clone()),
                zp_store::ScopeKind::Park => {
                    (String::new(), format!("{}: {}", r.scope_id, r.indicator))
                }
            };
            if !old.4 {
                let hidden = "a value you may not read".to_string();
                return ImportChange::of(&code, &r.period, &item, hidden, text(&new));
            }
            ImportChange::of(&code, &r.period, &item, text(&old), text(&new))
                .quantity(old.1, r.value)
        });
    }
    Ok((tally, v.rejected))
}

/// Production records: a (enterprise, period, CN code, route) restates unless product and
/// tonnes equal the stored record.
fn production(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<Previewed, ImportError> {
    let visible = crate::batch::visible_codes(store, caller)?;
    let (rows, rejected) = crate::production::validate(table, &visible)?;
    let mut tally = keyed_tally(table, &rejected, rows.len());
    let mut stored: HashMap<(CreditCode, i32), Vec<zp_store::ProductionRecord>> = HashMap::new();
    let mut replay = Replay::new();
    for p in &rows {
        let key = (
            p.credit_code.clone(),
            p.period,
            p.cn_code.clone(),
            p.route.clone(),
        );
        let mut found = || -> Result<_, ImportError> {
            let year = (p.credit_code.clone(), p.period.year());
            if !stored.contains_key(&year) {
                let records = store.production(&caller.access, &p.credit_code, p.period.year())?;
                stored.insert(year.clone(), records);
            }
            Ok(stored[&year]
                .iter()
                .find(|s| s.period == p.period && s.cn_code == p.cn_code && s.route == p.route)
                .map(|s| (s.product.clone(), s.quantity_t)))
        };
        let new = (p.product.clone(), p.quantity_t);
        let (upsert, old) = replay.apply(key, &new, &mut found, |a, b| a == b)?;
        tally.add(upsert, || {
            let old = old.expect("an update has an old value");
            let text = |v: &(String, Decimal)| format!("{} {} t", v.0, v.1.normalize());
            let item = match p.route.as_str() {
                "" => p.cn_code.clone(),
                route => format!("{} ({route})", p.cn_code),
            };
            let period = p.period.to_string();
            ImportChange::of(
                p.credit_code.as_str(),
                &period,
                &item,
                text(&old),
                text(&new),
            )
            .quantity(old.1, p.quantity_t)
        });
    }
    Ok((tally, rejected))
}

/// The counts of a keyed import (production, materials, energy limits) before its rows
/// are compared: quarantined by distinct row, and accepted rows beyond the `distinct` ones
/// stored (repeated verbatim in the file) duplicates.
fn keyed_tally(table: &Table, rejected: &[Rejected], distinct: usize) -> Tally {
    let quarantined = rows_of(rejected);
    let accepted = table.rows.len().saturating_sub(quarantined);
    Tally::new(
        table.rows.len(),
        quarantined,
        accepted.saturating_sub(distinct),
    )
}

/// Product materials: a (enterprise, year, product, material) restates unless quantity,
/// unit, factor and source equal the stored ones.
fn materials(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<Previewed, ImportError> {
    let visible = crate::batch::visible_codes(store, caller)?;
    let (rows, rejected) = crate::footprint::validate(table, &visible)?;
    let mut tally = keyed_tally(table, &rejected, rows.len());
    let mut stored: HashMap<(CreditCode, i32), Vec<zp_store::ProductMaterial>> = HashMap::new();
    let mut replay = Replay::new();
    let same = |a: &zp_store::ProductMaterial, b: &zp_store::ProductMaterial| {
        (a.quantity, &a.unit, a.kgco2e_per_unit, &a.source)
            == (b.quantity, &b.unit, b.kgco2e_per_unit, &b.source)
    };
    let text = |m: &zp_store::ProductMaterial| {
        format!(
            "{} {} x {} kgCO2e/{} ({})",
            m.quantity.normalize(),
            m.unit,
            m.kgco2e_per_unit.normalize(),
            m.unit,
            m.source
        )
    };
    for m in &rows {
        let key = (
            m.credit_code.clone(),
            m.year,
            m.product.clone(),
            m.material.clone(),
        );
        let mut found = || -> Result<_, ImportError> {
            let year = (m.credit_code.clone(), m.year);
            if !stored.contains_key(&year) {
                let records = store.materials(&caller.access, &m.credit_code, m.year)?;
                stored.insert(year.clone(), records);
            }
            Ok(stored[&year]
                .iter()
                .find(|s| s.product == m.product && s.material == m.material)
                .cloned())
        };
        let (upsert, old) = replay.apply(key, m, &mut found, same)?;
        tally.add(upsert, || {
            let old = old.expect("an update has an old value");
            let item = format!("{} / {}", m.product, m.material);
            let year = m.year.to_string();
            // The change of the emissions the material brings (quantity x factor).
            ImportChange::of(m.credit_code.as_str(), &year, &item, text(&old), text(m)).quantity(
                old.quantity * old.kgco2e_per_unit,
                m.quantity * m.kgco2e_per_unit,
            )
        });
    }
    Ok((tally, rejected))
}

/// Energy limit standards: a (standard, product) restates unless unit, the three levels
/// and the source equal the stored ones.
fn energy_limits(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<Previewed, ImportError> {
    crate::benchmark::require_operator(caller)?;
    let (rows, rejected) = crate::benchmark::validate_limits(table)?;
    let mut tally = keyed_tally(table, &rejected, rows.len());
    let stored: HashMap<(String, String), zp_store::EnergyLimit> = store
        .energy_limits()?
        .into_iter()
        .map(|l| ((l.standard.clone(), l.product.clone()), l))
        .collect();
    let mut replay = Replay::new();
    let fields = |l: &zp_store::EnergyLimit| {
        [
            ("unit", l.unit.clone()),
            ("level1", l.level1.normalize().to_string()),
            ("level2", l.level2.normalize().to_string()),
            ("level3", l.level3.normalize().to_string()),
            ("source", l.source.clone()),
        ]
    };
    for l in &rows {
        let key = (l.standard.clone(), l.product.clone());
        let found = || Ok::<_, ImportError>(stored.get(&key).cloned());
        let same = |a: &zp_store::EnergyLimit, b: &zp_store::EnergyLimit| fields(a) == fields(b);
        let (upsert, old) = replay.apply(key.clone(), l, found, same)?;
        tally.add(upsert, || {
            let old = old.expect("an update has an old value");
            let both: Vec<(&str, String, String)> = fields(&old)
                .into_iter()
                .zip(fields(l))
                .map(|((name, a), (_, b))| (name, a, b))
                .collect();
            let (o, n) = differing(&both);
            ImportChange::of("", "", &format!("{} / {}", l.standard, l.product), o, n)
        });
    }
    Ok((tally, rejected))
}

/// What importing the readings file at `path` (CSV or Parquet, recorded as `name`) as
/// `caller` would do, storing nothing: the import runs up to its commit point, its report
/// is kept and the staged readings are discarded. Restatements are listed by meter and local
/// day (the first `zp_readings::MAX_RESTATED_DAYS`): the day's replaced readings summed
/// before and after, in kWh; the counts say how many readings in all.
pub fn preview_readings(
    store: &mut dyn Store,
    readings: &mut crate::readings::ReadingStore,
    caller: &Caller,
    path: &std::path::Path,
    name: &str,
    limits: Option<zp_ingest::Limits>,
) -> Result<ImportPreview, ImportError> {
    let r = crate::readings::preview_import(store, readings, caller, path, name, limits)?;
    let outcome = r.outcome.outcome();
    let kwh = |wh: u64| Decimal::from(wh) / Decimal::from(1000);
    let changes = r
        .restatements
        .iter()
        .map(|d| {
            let (old, new) = (kwh(d.old_wh), kwh(d.new_wh));
            let day = &zp_domain::time::format_local(d.day)[..10];
            let org = r.owners.get(&d.meter).map_or("", String::as_str);
            ImportChange::of(
                org,
                day,
                &d.meter,
                format!("{old} kWh"),
                format!("{new} kWh"),
            )
            .quantity(old, new)
        })
        .collect();
    Ok(ImportPreview {
        kind: outcome.kind,
        file: outcome.file,
        sha256: outcome.sha256,
        dry_run: true,
        counts: outcome.counts.checked(),
        changes,
        rejected: outcome.rejected,
        readings: outcome.readings,
    })
}

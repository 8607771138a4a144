//! Use cases of electricity costs: importing time-of-use tariffs (分时电价), the tariff
//! category an enterprise is billed under and its monthly bill from metered readings.
//!
//! Which tariff applies: the category set with [`set_org_tariff`] if any, else the only
//! category imported for the enterprise's region; with several and none set, the use case
//! refuses and says how to choose. Readings: consumption meters are the load, generation
//! meters the enterprise's own generation (PV); grid import = consumption plus battery
//! charge, minus generation and battery discharge of the same interval, never below zero.
//! The battery plan and its verification are in [`crate::flex`]. Tariffs are reference
//! data: only an unscoped caller imports them; everything else is scoped by the caller's
//! access.

/// The types the adapters show and pass.
pub use zp_energy::flow::Node as FlowNode;
pub use zp_energy::{
    Band, Battery, Bill, BillPeriod, MonthSet, Objective, Period as TouPeriod, Plan, PlanHour,
    TariffVersion,
};
pub use zp_store::StoredTariff;

use crate::readings::store_err;
use crate::{AppError, Caller, ImportError, ImportOutcome};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;
use zp_domain::time::{Date, local_day_start};
use zp_domain::{CreditCode, Region};
use zp_energy::IntervalImport;
use zp_readings::ReadingStore;
use zp_store::{MeterFilter, MeterKind, Org, Store};

/// The import kind recorded on batches, audit entries and quarantine listings.
pub const TARIFFS_KIND: &str = "tariffs";

/// `zeropark import tariffs FILE`: validates the whole file (each month's bands must tile
/// the day) and stores its versions, or refuses it naming file, row and reason. Importing
/// the same file twice changes nothing.
pub fn import_tariffs(
    store: &mut dyn Store,
    caller: &Caller,
    path: &Path,
) -> Result<ImportOutcome, ImportError> {
    let (table, versions) = tariff_versions(caller, path)?;
    let meta = crate::batch::batch_meta(TARIFFS_KIND, &table, &caller.actor);
    let counts = store.import_tariffs(&meta, &versions, table.rows.len())?;
    Ok(ImportOutcome::of(TARIFFS_KIND, &table, counts, Vec::new()))
}

/// `zeropark import tariffs FILE --dry-run`: what [`import_tariffs`] would count, storing
/// nothing. The file is validated the same way (refused whole the same way); each version
/// is compared with the stored version of its region, category and start as the store
/// does (equal bands: its band rows are duplicates; other bands: restated).
pub fn preview_tariffs(
    store: &mut dyn Store,
    caller: &Caller,
    path: &Path,
) -> Result<crate::ImportPreview, ImportError> {
    let (table, versions) = tariff_versions(caller, path)?;
    let mut counts = zp_store::ImportCounts::of(table.rows.len(), 0);
    let mut changes = Vec::new();
    let mut stored: BTreeMap<Region, Vec<StoredTariff>> = BTreeMap::new();
    let mut seen: Vec<&TariffVersion> = Vec::new();
    for v in &versions {
        if let std::collections::btree_map::Entry::Vacant(e) = stored.entry(v.region) {
            e.insert(store.tariffs(Some(v.region))?);
        }
        let same_key = |o: &TariffVersion| {
            (o.region, &o.category, o.valid_from) == (v.region, &v.category, v.valid_from)
        };
        // An earlier version of the file with the same key is what the store would hold.
        let current = seen
            .iter()
            .rev()
            .find(|o| same_key(o))
            .copied()
            .or_else(|| {
                stored[&v.region]
                    .iter()
                    .map(|s| &s.version)
                    .find(|o| same_key(o))
            });
        let upsert = match current {
            None => zp_store::Upsert::Inserted,
            Some(o) if o == v => zp_store::Upsert::Unchanged,
            Some(o) => {
                changes.push(crate::ImportChange {
                    credit_code: String::new(),
                    site: String::new(),
                    period: v.valid_from.to_string(),
                    carrier: String::new(),
                    carrier_name_zh: String::new(),
                    item: format!("{} {}", v.region.code(), v.category),
                    old: bands_summary(&o.bands),
                    new: bands_summary(&v.bands),
                    change_pct: None,
                    numeric: false,
                });
                zp_store::Upsert::Updated
            }
        };
        for _ in &v.bands {
            counts.tally(upsert);
        }
        seen.push(v);
    }
    Ok(crate::ImportPreview {
        kind: TARIFFS_KIND,
        file: table.file.clone(),
        sha256: table.sha256.clone(),
        dry_run: true,
        counts: counts.checked(),
        changes,
        rejected: Vec::new(),
        readings: None,
    })
}

/// A version's bands in short: how many, and the lowest and highest price.
fn bands_summary(bands: &[Band]) -> String {
    let prices = bands.iter().map(|b| b.yuan_per_kwh.normalize());
    match (prices.clone().min(), prices.max()) {
        (Some(lo), Some(hi)) => format!("{} bands, {lo}-{hi} yuan/kWh", bands.len()),
        _ => "no bands".into(),
    }
}

/// The tariff file at `path` read and validated whole (each month's bands must tile the
/// day): its table and versions, or the file refused naming rows and reasons. Reference
/// data: only an unscoped caller imports it.
fn tariff_versions(
    caller: &Caller,
    path: &Path,
) -> Result<(zp_ingest::Table, Vec<TariffVersion>), ImportError> {
    if !caller.is_unscoped() {
        return Err(ImportError::Invalid(
            "tariffs are reference data: only a platform administrator imports them".into(),
        ));
    }
    let table = zp_ingest::read_table(path, zp_ingest::Limits::default())?;
    let unreadable: Vec<zp_energy::RowFault> = table
        .rows
        .iter()
        .filter_map(|(row, cells)| table.check_row(*row, cells))
        .map(|r| zp_energy::RowFault {
            row: r.row,
            reason: r.reason,
        })
        .collect();
    let parsed = zp_energy::parse_tariffs(&table.file, &table.headers, &table.rows);
    let versions = match (parsed, unreadable.is_empty()) {
        (Ok(v), true) => v,
        (Ok(_), false) => {
            return Err(refused(zp_energy::TariffFileError {
                file: table.file.clone(),
                faults: unreadable,
            }));
        }
        (Err(mut e), _) => {
            e.faults.extend(unreadable);
            e.faults.sort_by_key(|f| f.row);
            return Err(refused(e));
        }
    };
    Ok((table, versions))
}

fn refused(e: zp_energy::TariffFileError) -> ImportError {
    ImportError::Invalid(e.to_string())
}

/// Stored tariff versions, of one region if given (reference data: visible to everyone).
pub fn tariffs(
    store: &mut dyn Store,
    region: Option<Region>,
) -> Result<Vec<StoredTariff>, AppError> {
    Ok(store.tariffs(region)?)
}

/// The tariff an enterprise is billed under and why.
#[derive(Debug, Clone, Serialize)]
pub struct OrgTariff {
    pub credit_code: String,
    pub region: String,
    pub category: String,
    /// `assigned` (`orgs set-tariff`) or `region` (the only category of the region).
    pub category_source: &'static str,
    /// Versions of the category, oldest first.
    pub versions: Vec<StoredTariff>,
}

pub(crate) fn visible_org(
    store: &mut dyn Store,
    caller: &Caller,
    code: &CreditCode,
) -> Result<Org, AppError> {
    store.org(&caller.access, code)?.ok_or_else(|| {
        AppError::NotFound(format!(
            "enterprise {code} is not registered (or not visible to you)"
        ))
    })
}

fn categories(all: &[StoredTariff]) -> Vec<String> {
    let mut c: Vec<String> = all.iter().map(|t| t.version.category.clone()).collect();
    c.dedup();
    c
}

/// `zeropark orgs set-tariff CODE CATEGORY`: bills the enterprise under `category`, which
/// must be imported for its region.
pub fn set_org_tariff(
    store: &mut dyn Store,
    caller: &Caller,
    code: &CreditCode,
    category: &str,
) -> Result<OrgTariff, AppError> {
    let org = visible_org(store, caller, code)?;
    let all = store.tariffs(Some(org.region))?;
    if !all.iter().any(|t| t.version.category == category) {
        let known = categories(&all);
        return Err(AppError::Invalid(format!(
            "region {} has no tariff category {category:?} ({}); import it first with `zeropark import tariffs FILE`",
            org.region.code(),
            if known.is_empty() {
                "no tariff at all".to_string()
            } else {
                format!("it has {}", known.join(", "))
            }
        )));
    }
    store.set_org_tariff(code, category, &caller.actor)?;
    org_tariff(store, caller, code)
}

/// The tariff that applies to an enterprise.
pub fn org_tariff(
    store: &mut dyn Store,
    caller: &Caller,
    code: &CreditCode,
) -> Result<OrgTariff, AppError> {
    let org = visible_org(store, caller, code)?;
    resolve(store, &org)
}

pub(crate) fn resolve(store: &mut dyn Store, org: &Org) -> Result<OrgTariff, AppError> {
    let region = org.region.code();
    let all = store.tariffs(Some(org.region))?;
    let (category, source) = match store.org_tariff(&org.credit_code)? {
        Some(c) => (c, "assigned"),
        None => {
            let known = categories(&all);
            match known.as_slice() {
                [] => {
                    return Err(AppError::NotFound(format!(
                        "no tariff is imported for region {region} (enterprise {}): `zeropark import tariffs FILE`",
                        org.credit_code
                    )));
                }
                [one] => (one.clone(), "region"),
                many => {
                    return Err(AppError::Invalid(format!(
                        "region {region} has tariff categories {}: choose one for {} with `zeropark orgs set-tariff {} CATEGORY`",
                        many.join(", "),
                        org.credit_code,
                        org.credit_code
                    )));
                }
            }
        }
    };
    let versions: Vec<StoredTariff> = all
        .into_iter()
        .filter(|t| t.version.category == category)
        .collect();
    if versions.is_empty() {
        return Err(AppError::Invalid(format!(
            "enterprise {} is billed under {category:?}, but region {region} has no such tariff any more",
            org.credit_code
        )));
    }
    Ok(OrgTariff {
        credit_code: org.credit_code.to_string(),
        region: region.to_string(),
        category,
        category_source: source,
        versions,
    })
}

/// An enterprise's meters by what they measure.
#[derive(Debug, Clone, Default)]
pub(crate) struct SiteMeters {
    pub consumption: Vec<String>,
    pub generation: Vec<String>,
    pub battery_charge: Vec<String>,
    pub battery_discharge: Vec<String>,
}

/// The enterprise's meters; it must have a consumption meter.
pub(crate) fn site_meters(
    store: &mut dyn Store,
    caller: &Caller,
    code: &CreditCode,
) -> Result<SiteMeters, AppError> {
    let all = store.meters(&caller.access, &MeterFilter::of_org(code))?;
    let of = |k: MeterKind| -> Vec<String> {
        all.iter()
            .filter(|m| m.kind == k && m.is_top())
            .map(|m| m.meter.clone())
            .collect()
    };
    let m = SiteMeters {
        consumption: of(MeterKind::Consumption),
        generation: of(MeterKind::Generation),
        battery_charge: of(MeterKind::BatteryCharge),
        battery_discharge: of(MeterKind::BatteryDischarge),
    };
    if m.consumption.is_empty() {
        return Err(AppError::Invalid(format!(
            "enterprise {code} has no consumption meter: `zeropark import meters FILE`"
        )));
    }
    Ok(m)
}

/// A version a bill used, with its source file.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BillVersion {
    pub valid_from: Date,
    pub file: String,
    pub sha256: String,
    pub intervals: usize,
}

/// `zeropark report bill`: an enterprise's time-of-use electricity bill of a month.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BillReport {
    pub org: String,
    pub name: String,
    pub month: String,
    pub region: String,
    pub category: String,
    pub category_source: &'static str,
    pub energy_kwh: Decimal,
    pub cost_yuan: Decimal,
    pub periods: Vec<BillPeriod>,
    pub tariff_versions: Vec<BillVersion>,
    /// Intervals with a reading of at least one meter (each one priced).
    pub intervals: usize,
    /// Intervals of the month at the consumption meters' interval.
    pub intervals_in_month: usize,
    /// Intervals whose generation exceeded consumption (grid import 0, surplus not credited).
    pub surplus_intervals: usize,
    pub consumption_meters: Vec<String>,
    pub generation_meters: Vec<String>,
    /// Battery charge and discharge meters netted in.
    pub battery_meters: Vec<String>,
    pub notes: Vec<String>,
}

/// Parses `YYYY-MM` into the first day of the month.
fn month_start(month: &str) -> Result<Date, AppError> {
    let bad = || AppError::Invalid(format!("month {month:?} is not YYYY-MM"));
    let t = month.trim();
    if t.len() != 7 || t.as_bytes()[4] != b'-' {
        return Err(bad());
    }
    Date::from_str(&format!("{t}-01")).map_err(|_| bad())
}

/// `zeropark report bill --org CODE --month YYYY-MM`: each interval's grid import
/// (consumption - generation, floored at 0) priced by the band its start falls in, in the
/// version in force that day.
pub fn bill(
    store: &mut dyn Store,
    caller: &Caller,
    readings: &ReadingStore,
    code: &CreditCode,
    month: &str,
) -> Result<BillReport, AppError> {
    let first = month_start(month)?;
    let next = first
        .checked_add(jiff::Span::new().months(1))
        .map_err(|e| AppError::Invalid(format!("month {month}: {e}")))?;
    let org = visible_org(store, caller, code)?;
    let tariff = resolve(store, &org)?;
    let SiteMeters {
        consumption,
        generation,
        battery_charge,
        battery_discharge,
    } = site_meters(store, caller, code)?;
    let (from, to) = (local_day_start(first), local_day_start(next));

    // A battery's charge is load, its discharge supplies load.
    let mut net: BTreeMap<i64, i64> = BTreeMap::new();
    for (meters, sign) in [
        (&consumption, 1i64),
        (&battery_charge, 1),
        (&generation, -1i64),
        (&battery_discharge, -1),
    ] {
        for m in meters {
            for (ts, wh) in readings.readings(m, from, to).map_err(store_err)? {
                *net.entry(ts).or_insert(0) += sign * i64::from(wh);
            }
        }
    }
    let surplus_intervals = net.values().filter(|v| **v < 0).count();
    let intervals: Vec<IntervalImport> = net
        .iter()
        .map(|(ts, v)| IntervalImport {
            start: *ts,
            wh: (*v).max(0) as u64,
        })
        .collect();
    let versions: Vec<TariffVersion> = tariff.versions.iter().map(|t| t.version.clone()).collect();
    let b = zp_energy::bill(&versions, &intervals).map_err(|e| AppError::Invalid(e.to_string()))?;

    let step = consumption
        .iter()
        .filter_map(|m| readings.interval(m))
        .map(|i| i.seconds())
        .min()
        .unwrap_or(900);
    let intervals_in_month = ((to - from) / step) as usize;
    let mut notes = vec![format!(
        "grid import per interval = consumption ({} meter(s)) - own generation ({} meter(s)), floored at 0; each interval priced by the band its start falls in (Asia/Shanghai), in the {} {} version in force that day",
        consumption.len(),
        generation.len(),
        tariff.region,
        tariff.category
    )];
    if !battery_charge.is_empty() || !battery_discharge.is_empty() {
        notes.push(format!(
            "battery: charge ({} meter(s)) counts as consumption and discharge ({} meter(s)) as own generation",
            battery_charge.len(),
            battery_discharge.len()
        ));
    }
    if b.intervals < intervals_in_month {
        notes.push(format!(
            "{} of the month's {intervals_in_month} intervals have readings; the bill covers those only",
            b.intervals
        ));
    }
    if surplus_intervals > 0 {
        notes.push(format!(
            "{surplus_intervals} interval(s) had more generation than consumption: grid import 0, the surplus is not credited"
        ));
    }
    let tariff_versions = b
        .versions
        .iter()
        .map(|u| {
            let s = tariff
                .versions
                .iter()
                .find(|t| t.version.valid_from == u.valid_from)
                .expect("a used version is one of the tariff's");
            BillVersion {
                valid_from: u.valid_from,
                file: s.file.clone(),
                sha256: s.sha256.clone(),
                intervals: u.intervals,
            }
        })
        .collect();
    Ok(BillReport {
        org: code.to_string(),
        name: org.name,
        month: month.trim().to_string(),
        region: tariff.region,
        category: tariff.category,
        category_source: tariff.category_source,
        energy_kwh: b.energy_kwh,
        cost_yuan: b.cost_yuan,
        periods: b.periods,
        tariff_versions,
        intervals: b.intervals,
        intervals_in_month,
        surplus_intervals,
        consumption_meters: consumption,
        generation_meters: generation,
        battery_meters: battery_charge
            .into_iter()
            .chain(battery_discharge)
            .collect(),
        notes,
    })
}

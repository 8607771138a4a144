//! Use cases of electricity costs: importing time-of-use tariffs (分时电价), the tariff
//! category an enterprise is billed under, its monthly bill from metered readings, and a
//! day-ahead battery plan (储能日前计划) against its tariff and the hourly grid factors.
//!
//! Which tariff applies: the category set with [`set_org_tariff`] if any, else the only
//! category imported for the enterprise's region; with several and none set, the use case
//! refuses and says how to choose. Readings: consumption meters are the load, generation
//! meters the enterprise's own generation (PV); grid import = consumption - generation of
//! the same interval (bill) or hour (plan), never below zero. Tariffs are reference data:
//! only an unscoped caller imports them; everything else is scoped by the caller's access.

/// The types the adapters show and pass.
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
use zp_domain::time::{Date, format_local, local, local_day_start};
use zp_domain::{CreditCode, Region};
use zp_energy::{HourInput, IntervalImport, PlanRequest, version_on};
use zp_factors::Slot;
use zp_readings::ReadingStore;
use zp_store::{BatchMeta, MeterFilter, MeterKind, Org, Store};

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
    let meta = BatchMeta {
        kind: TARIFFS_KIND.into(),
        file: table.file.clone(),
        sha256: table.sha256.clone(),
        actor: caller.actor.clone(),
    };
    let counts = store.import_tariffs(&meta, &versions, table.rows.len())?;
    Ok(ImportOutcome {
        kind: TARIFFS_KIND,
        file: table.file,
        sha256: table.sha256,
        counts: counts.checked(),
        rejected: Vec::new(),
        readings: None,
    })
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

fn visible_org(store: &mut dyn Store, caller: &Caller, code: &CreditCode) -> Result<Org, AppError> {
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

fn resolve(store: &mut dyn Store, org: &Org) -> Result<OrgTariff, AppError> {
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

/// The enterprise's consumption and generation meters.
fn meters(
    store: &mut dyn Store,
    caller: &Caller,
    code: &CreditCode,
) -> Result<(Vec<String>, Vec<String>), AppError> {
    let all = store.meters(
        &caller.access,
        &MeterFilter {
            org: Some(code.clone()),
            ..Default::default()
        },
    )?;
    let of = |k: MeterKind| -> Vec<String> {
        all.iter()
            .filter(|m| m.kind == k)
            .map(|m| m.meter.clone())
            .collect()
    };
    let (consumption, generation) = (of(MeterKind::Consumption), of(MeterKind::Generation));
    if consumption.is_empty() {
        return Err(AppError::Invalid(format!(
            "enterprise {code} has no consumption meter: `zeropark import meters FILE`"
        )));
    }
    Ok((consumption, generation))
}

/// A version a bill used, with its source file.
#[derive(Debug, Clone, Serialize)]
pub struct BillVersion {
    pub valid_from: Date,
    pub file: String,
    pub sha256: String,
    pub intervals: usize,
}

/// `zeropark report bill`: an enterprise's time-of-use electricity bill of a month.
#[derive(Debug, Clone, Serialize)]
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
    let (consumption, generation) = meters(store, caller, code)?;
    let (from, to) = (local_day_start(first), local_day_start(next));

    let mut net: BTreeMap<i64, i64> = BTreeMap::new();
    for (meters, sign) in [(&consumption, 1i64), (&generation, -1i64)] {
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
        notes,
    })
}

/// A battery plan request for one enterprise and local day.
#[derive(Debug, Clone)]
pub struct FlexRequest {
    pub org: CreditCode,
    pub date: Date,
    pub battery: Battery,
    pub objective: Objective,
    pub carbon_price_yuan_per_t: Decimal,
    /// EV fleets to schedule with the battery ([`read_fleets`]).
    pub fleets: Vec<zp_energy::EvFleet>,
}

/// The annual factor used for hours without an hourly one.
#[derive(Debug, Clone, Serialize)]
pub struct FlexAnnualFactor {
    pub id: String,
    pub tco2_per_mwh: Decimal,
    pub note: Option<String>,
}

/// `zeropark flex plan`: the plan with the inputs it was made from.
#[derive(Debug, Clone, Serialize)]
pub struct FlexReport {
    pub org: String,
    pub name: String,
    pub date: Date,
    pub region: String,
    pub category: String,
    pub category_source: &'static str,
    pub tariff_valid_from: Date,
    pub tariff_file: String,
    pub battery: Battery,
    pub carbon_price_yuan_per_t: Decimal,
    #[serde(flatten)]
    pub plan: Plan,
    /// One OCPP 2.0.1 `ChargingProfile` (TxDefaultProfile, W per charger) per EV fleet.
    pub ocpp_charging_profiles: Vec<zp_energy::ChargingProfile>,
    /// `hourly`, `annual` or `mixed`: where the hours' grid factors came from.
    pub factor_source: &'static str,
    pub fallback_hours: usize,
    pub annual_factor: FlexAnnualFactor,
    /// Hours of the day with a reading of a consumption meter.
    pub metered_hours: usize,
    pub notes: Vec<String>,
}

fn mwh(wh: u64) -> Decimal {
    Decimal::new(wh as i64, 6).normalize()
}

/// `zeropark flex plan`: load and PV of the enterprise's meters on `date` (hourly sums),
/// prices of its tariff (the band of each hour's start), the hourly grid factors of its
/// region (the carbon map's: imported hourly factors, else the region's annual factor),
/// and the day-ahead plan of `zp_energy::plan`.
pub fn flex_plan(
    store: &mut dyn Store,
    caller: &Caller,
    readings: &ReadingStore,
    req: &FlexRequest,
) -> Result<FlexReport, AppError> {
    let org = visible_org(store, caller, &req.org)?;
    let tariff = resolve(store, &org)?;
    let versions: Vec<TariffVersion> = tariff.versions.iter().map(|t| t.version.clone()).collect();
    let version = version_on(&versions, req.date).ok_or_else(|| {
        AppError::Invalid(format!(
            "no {} {} tariff is in force on {} (the first starts {})",
            tariff.region, tariff.category, req.date, versions[0].valid_from
        ))
    })?;
    let stored = tariff
        .versions
        .iter()
        .find(|t| t.version.valid_from == version.valid_from)
        .expect("the version is one of the tariff's");
    let (consumption, generation) = meters(store, caller, &req.org)?;
    let from = local_day_start(req.date);
    let to = from + 24 * 3600;

    let mut load = [0u64; 24];
    let mut pv = [0u64; 24];
    let mut seen = [false; 24];
    for (meters, is_load) in [(&consumption, true), (&generation, false)] {
        for m in meters {
            for (h, wh) in readings.hourly_wh(m, from, to).map_err(store_err)? {
                let i = ((h - from) / 3600) as usize;
                if i < 24 {
                    if is_load {
                        load[i] += wh;
                        seen[i] = true;
                    } else {
                        pv[i] += wh;
                    }
                }
            }
        }
    }
    let metered_hours = seen.iter().filter(|s| **s).count();
    if metered_hours == 0 {
        return Err(AppError::Invalid(format!(
            "enterprise {} has no consumption readings on {}: import them with `zeropark import readings FILE`",
            req.org, req.date
        )));
    }

    // Grid factors: the annual factor of the region and year, replaced by imported hourly
    // factors where there are any (as the carbon map does).
    let catalog = crate::catalog(store)?;
    let sel = catalog.select(Slot::LocationGrid {
        region: org.region,
        year: i32::from(req.date.year()),
    })?;
    let annual = sel.factor.value;
    let mut factors = [annual; 24];
    let mut hourly = [false; 24];
    for h in store.grid_hourly(org.region, from, to)? {
        let i = ((h.ts - from) / 3600) as usize;
        if i < 24 {
            factors[i] = Decimal::from_str(&h.tco2_per_mwh.to_string()).map_err(|_| {
                AppError::Invalid(format!(
                    "hourly factor {} of {} at {} is not usable",
                    h.tco2_per_mwh,
                    org.region,
                    format_local(h.ts)
                ))
            })?;
            hourly[i] = true;
        }
    }
    let fallback_hours = hourly.iter().filter(|x| !**x).count();

    let mut hours = Vec::with_capacity(24);
    for i in 0..24 {
        let start = local(from + i as i64 * 3600);
        let band = version
            .band_at(start.month() as u8, start.hour() as u16 * 60)
            .ok_or_else(|| {
                AppError::Invalid(format!(
                    "tariff {} has no band at hour {i}",
                    version.label()
                ))
            })?;
        hours.push(HourInput {
            load_mwh: mwh(load[i]),
            pv_mwh: mwh(pv[i]),
            yuan_per_mwh: (band.yuan_per_kwh * Decimal::from(1000)).normalize(),
            tco2_per_mwh: factors[i],
        });
    }
    let plan = zp_energy::plan(&PlanRequest {
        hours,
        battery: req.battery,
        objective: req.objective,
        carbon_price_yuan_per_t: req.carbon_price_yuan_per_t,
        fleets: req.fleets.clone(),
    })
    .map_err(|e| AppError::Invalid(e.to_string()))?;

    let mut notes = vec![format!(
        "load = {} consumption meter(s), PV = {} generation meter(s), hourly sums of {}; prices: the {} band of each hour's start; baseline = the same day without the battery",
        consumption.len(),
        generation.len(),
        req.date,
        version.label()
    )];
    if metered_hours < 24 {
        notes.push(format!(
            "{} of 24 hours have no consumption reading: their load is taken as 0",
            24 - metered_hours
        ));
    }
    if fallback_hours > 0 {
        notes.push(format!(
            "{fallback_hours} of 24 hours have no hourly grid factor for {}: the annual factor {} ({} tCO2/MWh) applies there",
            org.region.code(),
            sel.factor.id,
            annual
        ));
    }
    Ok(FlexReport {
        org: req.org.to_string(),
        name: org.name,
        date: req.date,
        region: tariff.region,
        category: tariff.category,
        category_source: tariff.category_source,
        tariff_valid_from: version.valid_from,
        tariff_file: stored.file.clone(),
        battery: req.battery,
        carbon_price_yuan_per_t: req.carbon_price_yuan_per_t,
        ocpp_charging_profiles: plan
            .fleets
            .iter()
            .zip(&req.fleets)
            .enumerate()
            .map(|(i, (p, k))| {
                p.ocpp_profile(k, i as i64 + 1, &format!("{}T00:00:00+08:00", req.date))
            })
            .collect(),
        plan,
        factor_source: match fallback_hours {
            0 => "hourly",
            24 => "annual",
            _ => "mixed",
        },
        fallback_hours,
        annual_factor: FlexAnnualFactor {
            id: sel.factor.id.clone(),
            tco2_per_mwh: annual,
            note: sel.note.clone(),
        },
        metered_hours,
        notes,
    })
}

/// Columns of a fleet file for `flex plan --fleets FILE`.
pub const FLEET_COLUMNS: [&str; 7] = [
    "name",
    "chargers",
    "charger_kw",
    "arrival_hour",
    "departure_hour",
    "energy_mwh",
    "v2g",
];

/// Reads EV fleets (`name,chargers,charger_kw,arrival_hour,departure_hour,energy_mwh,v2g`;
/// CSV or .xlsx). A bad cell refuses the file with its row, field and reason: a plan
/// silently missing a fleet would be wrong.
pub fn read_fleets(path: &std::path::Path) -> Result<Vec<zp_energy::EvFleet>, AppError> {
    let table = crate::import::read_whole_table(path)?;
    let col = |name: &str| {
        table.column(name).ok_or_else(|| {
            AppError::Invalid(format!(
                "{}: no column {name} (columns: {})",
                table.file,
                FLEET_COLUMNS.join(",")
            ))
        })
    };
    let idx: Vec<usize> = FLEET_COLUMNS
        .iter()
        .map(|c| col(c))
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(table.rows.len());
    for (row, cells) in &table.rows {
        let cell = |i: usize| cells.get(idx[i]).map(|s| s.trim()).unwrap_or("");
        let bad = |i: usize, why: &str| {
            AppError::Invalid(format!(
                "{} row {row}, field {}: {:?} {why}",
                table.file,
                FLEET_COLUMNS[i],
                cell(i)
            ))
        };
        let int = |i: usize| {
            cell(i)
                .parse::<u32>()
                .map_err(|_| bad(i, "is not a whole number"))
        };
        let dec = |i: usize| {
            cell(i)
                .parse::<Decimal>()
                .map_err(|_| bad(i, "is not a number"))
        };
        let v2g = match cell(6).to_ascii_lowercase().as_str() {
            "" | "no" | "false" | "0" | "否" => false,
            "yes" | "true" | "1" | "是" => true,
            _ => return Err(bad(6, "is not yes/no")),
        };
        out.push(zp_energy::EvFleet {
            name: cell(0).to_string(),
            chargers: int(1)?,
            charger_kw: dec(2)?,
            arrival_hour: int(3)? as usize,
            departure_hour: int(4)? as usize,
            energy_mwh: dec(5)?,
            v2g,
        });
    }
    Ok(out)
}

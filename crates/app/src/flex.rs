//! Use cases of flexibility (需求侧灵活性): the day-ahead plan of a battery and EV fleets
//! against an enterprise's time-of-use tariff and its region's hourly grid factors
//! ([`flex_plan`]), and the plan's verification on the metered day ([`flex_verify`]).
//!
//! One day's inputs ([`day`]) serve both: load = the consumption meters' hourly sums,
//! PV = the generation meters', the price of the tariff band each hour starts in, and the
//! grid factor of [`crate::grid_factors`] (the carbon map's: hourly where imported, else
//! the annual factor). The battery's own meters (kinds `battery_charge` and
//! `battery_discharge`) are read only by the verification.

pub use zp_energy::{Verification, VerifiedHour};

use crate::energy::{OrgTariff, SiteMeters};
use crate::grid_factors::{AnnualGridFactor, RegionGridFactors};
use crate::note::Note;
use crate::readings::store_err;
use crate::{AppError, Caller};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use zp_certs::HourlyLoad;
use zp_domain::CreditCode;
use zp_domain::time::{Date, local, local_day_start};
use zp_energy::{Battery, HourInput, MeteredBattery, Objective, Plan, PlanRequest, TariffVersion};
use zp_readings::ReadingStore;
use zp_store::{Org, Store};

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
    /// Demand cap on grid import, MW (an hour's average), if any.
    pub grid_cap_mw: Option<Decimal>,
}

/// `zeropark flex plan`: the plan with the inputs it was made from.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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
    /// The annual factor used for hours without an hourly one (the carbon map's).
    pub annual_factor: AnnualGridFactor,
    /// Hours of the day with a reading of a consumption meter.
    pub metered_hours: usize,
    pub notes: Vec<String>,
    /// `notes` as codes and parameters ([`NOTES_EN`]), for pages in other languages.
    pub note_codes: Vec<Note>,
}

/// The English of each note code (the `notes` of the reports).
pub const NOTES_EN: &[(&str, &str)] = &[
    (
        "flex.inputs",
        "load = {consumption} consumption meter(s), PV = {generation} generation meter(s), hourly sums of {date}; prices: the {region} {category} from {valid_from} band of each hour's start",
    ),
    (
        "flex.baseline",
        "baseline = the same day without the battery",
    ),
    (
        "flex.unmetered_hours",
        "{hours} of 24 hours have no consumption reading: their load is taken as 0",
    ),
    (
        "flex.annual_factor_hours",
        "{hours} of 24 hours have no hourly grid factor for {region}: the annual factor {factor} ({value} tCO2/MWh) applies there",
    ),
    (
        "flex.realised",
        "realised = the metered battery flows ({charge} charge, {discharge} discharge meter(s)), {hours} of 24 hours with readings; an hour without one counts as no flow",
    ),
    (
        "flex.matching",
        "matching: the registry's certificates for {org} hour by hour against the load without the battery and against load + charge - discharge ({pv_hours} hour(s) with own PV, not counted as certificates)",
    ),
];

/// The English notes and their codes.
fn notes_en(notes: &[Note]) -> Vec<String> {
    notes.iter().map(|n| n.text(NOTES_EN)).collect()
}

/// One enterprise's day: what a plan and its verification are computed from.
struct Day {
    org: Org,
    tariff: OrgTariff,
    version: TariffVersion,
    tariff_file: String,
    meters: SiteMeters,
    /// Start of the local day, UTC epoch seconds.
    from: i64,
    /// Hourly Wh of the consumption and generation meters.
    load_wh: [u64; 24],
    pv_wh: [u64; 24],
    hours: Vec<HourInput>,
    metered_hours: usize,
    factors: RegionGridFactors,
    fallback_hours: usize,
    notes: Vec<Note>,
}

fn mwh(wh: u64) -> Decimal {
    Decimal::new(wh as i64, 6).normalize()
}

/// Sums the hourly Wh of `meters` over the day starting at `from`; returns which hours had
/// a reading.
fn hourly_sum(
    readings: &ReadingStore,
    meters: &[String],
    from: i64,
    out: &mut [u64; 24],
) -> Result<[bool; 24], AppError> {
    let mut seen = [false; 24];
    for m in meters {
        for (h, wh) in readings
            .hourly_wh(m, from, from + 24 * 3600)
            .map_err(store_err)?
        {
            let i = ((h - from) / 3600) as usize;
            if i < 24 {
                out[i] += wh;
                seen[i] = true;
            }
        }
    }
    Ok(seen)
}

/// Reads one enterprise's day: its tariff version in force, load and PV, prices and grid
/// factors per hour.
fn day(
    store: &mut dyn Store,
    caller: &Caller,
    readings: &ReadingStore,
    code: &CreditCode,
    date: Date,
) -> Result<Day, AppError> {
    let org = crate::energy::visible_org(store, caller, code)?;
    let tariff = crate::energy::resolve(store, &org)?;
    let versions: Vec<TariffVersion> = tariff.versions.iter().map(|t| t.version.clone()).collect();
    let version = zp_energy::version_on(&versions, date).ok_or_else(|| {
        AppError::Invalid(format!(
            "no {} {} tariff is in force on {} (the first starts {})",
            tariff.region, tariff.category, date, versions[0].valid_from
        ))
    })?;
    let tariff_file = tariff
        .versions
        .iter()
        .find(|t| t.version.valid_from == version.valid_from)
        .expect("the version is one of the tariff's")
        .file
        .clone();
    let meters = crate::energy::site_meters(store, caller, code)?;
    let from = local_day_start(date);

    let (mut load_wh, mut pv_wh) = ([0u64; 24], [0u64; 24]);
    let seen = hourly_sum(readings, &meters.consumption, from, &mut load_wh)?;
    hourly_sum(readings, &meters.generation, from, &mut pv_wh)?;
    let metered_hours = seen.iter().filter(|s| **s).count();
    if metered_hours == 0 {
        return Err(AppError::Invalid(format!(
            "enterprise {code} has no consumption readings on {date}: import them with `zeropark import readings FILE`"
        )));
    }

    let catalog = crate::catalog(store)?;
    let factors = crate::grid_factors::region_grid_factors(
        store,
        &catalog,
        org.region,
        from,
        from + 24 * 3600,
    )?;
    let per_hour = factors.per_hour(from, 24);
    let fallback_hours = per_hour.iter().filter(|(_, hourly)| !hourly).count();

    let mut hours = Vec::with_capacity(24);
    for (i, (tco2_per_mwh, _)) in per_hour.into_iter().enumerate() {
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
            load_mwh: mwh(load_wh[i]),
            pv_mwh: mwh(pv_wh[i]),
            yuan_per_mwh: (band.yuan_per_kwh * Decimal::from(1000)).normalize(),
            tco2_per_mwh,
        });
    }

    let mut notes = vec![Note::new(
        "flex.inputs",
        &[
            ("consumption", meters.consumption.len().to_string()),
            ("generation", meters.generation.len().to_string()),
            ("date", date.to_string()),
            ("region", version.region.code().to_string()),
            ("category", version.category.clone()),
            ("valid_from", version.valid_from.to_string()),
        ],
    )];
    if metered_hours < 24 {
        notes.push(Note::new(
            "flex.unmetered_hours",
            &[("hours", (24 - metered_hours).to_string())],
        ));
    }
    if fallback_hours > 0 {
        let (_, annual) = &factors.annual[0];
        notes.push(Note::new(
            "flex.annual_factor_hours",
            &[
                ("hours", fallback_hours.to_string()),
                ("region", org.region.code().to_string()),
                ("factor", annual.id.clone()),
                ("value", annual.tco2_per_mwh.to_string()),
            ],
        ));
    }
    Ok(Day {
        org,
        tariff,
        version: version.clone(),
        tariff_file,
        meters,
        from,
        load_wh,
        pv_wh,
        hours,
        metered_hours,
        factors,
        fallback_hours,
        notes,
    })
}

/// `zeropark flex plan`: the day-ahead plan of `zp_energy::plan` on the enterprise's
/// metered day, its tariff's prices and its region's grid factors.
pub fn flex_plan(
    store: &mut dyn Store,
    caller: &Caller,
    readings: &ReadingStore,
    req: &FlexRequest,
) -> Result<FlexReport, AppError> {
    let day = day(store, caller, readings, &req.org, req.date)?;
    plan_report(day, req)
}

fn plan_report(day: Day, req: &FlexRequest) -> Result<FlexReport, AppError> {
    let plan = zp_energy::plan(&PlanRequest {
        hours: day.hours.clone(),
        battery: req.battery,
        objective: req.objective,
        carbon_price_yuan_per_t: req.carbon_price_yuan_per_t,
        fleets: req.fleets.clone(),
        grid_cap_mw: req.grid_cap_mw,
    })
    .map_err(|e| AppError::Invalid(e.to_string()))?;
    let mut notes = day.notes;
    notes.insert(1, Note::new("flex.baseline", &[]));
    Ok(FlexReport {
        org: req.org.to_string(),
        name: day.org.name,
        date: req.date,
        region: day.tariff.region,
        category: day.tariff.category,
        category_source: day.tariff.category_source,
        tariff_valid_from: day.version.valid_from,
        tariff_file: day.tariff_file,
        battery: req.battery,
        carbon_price_yuan_per_t: req.carbon_price_yuan_per_t,
        ocpp_charging_profiles: plan
            .fleets
            .iter()
            .zip(&req.fleets)
            .filter(|(_, k)| !k.flexible_load)
            .enumerate()
            .map(|(i, (p, k))| {
                p.ocpp_profile(k, i as i64 + 1, &format!("{}T00:00:00+08:00", req.date))
            })
            .collect(),
        plan,
        factor_source: match day.fallback_hours {
            0 => "hourly",
            24 => "annual",
            _ => "mixed",
        },
        fallback_hours: day.fallback_hours,
        annual_factor: day.factors.annual[0].1.clone(),
        metered_hours: day.metered_hours,
        notes: notes_en(&notes),
        note_codes: notes,
    })
}

/// The battery's meters of a verification.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BatteryMeters {
    pub charge: Vec<String>,
    pub discharge: Vec<String>,
}

/// How the battery changed the hourly matching of the enterprise's certificates (the
/// registry's 24/7 CFE figures): the site's load without the battery against the load the
/// grid and certificates really served, load + charge - discharge, with the same
/// certificates and grid CFE shares.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MatchingChange {
    pub baseline_load_mwh: Decimal,
    pub realised_load_mwh: Decimal,
    pub baseline_matched_mwh: Decimal,
    pub realised_matched_mwh: Decimal,
    pub baseline_cfe_score: Option<Decimal>,
    pub realised_cfe_score: Option<Decimal>,
    /// realised - baseline; `None` when either is undefined (no load).
    pub cfe_score_change: Option<Decimal>,
}

/// `zeropark flex verify`: the plan against what the battery's meters recorded that day.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FlexVerifyReport {
    pub org: String,
    pub name: String,
    pub date: Date,
    pub region: String,
    pub category: String,
    pub tariff_valid_from: Date,
    pub battery: Battery,
    pub objective: Objective,
    pub carbon_price_yuan_per_t: Decimal,
    #[serde(flatten)]
    pub verification: Verification,
    pub matching: MatchingChange,
    pub battery_meters: BatteryMeters,
    /// Hours of the day with a reading of a battery meter.
    pub metered_battery_hours: usize,
    pub factor_source: &'static str,
    pub annual_factor: AnnualGridFactor,
    pub notes: Vec<String>,
    /// `notes` as codes and parameters ([`NOTES_EN`]).
    pub note_codes: Vec<Note>,
}

/// `zeropark flex verify`: plans the day as `flex plan` does (same battery, objective and
/// metered load and PV), reads the battery's charge and discharge meters, and reports the
/// planned and realised savings in cost and carbon and the change in the hourly matching
/// score of the certificate registry. EV fleets are not verified (they have no meters).
pub fn flex_verify(
    store: &mut dyn Store,
    caller: &Caller,
    readings: &ReadingStore,
    req: &FlexRequest,
) -> Result<FlexVerifyReport, AppError> {
    if !req.fleets.is_empty() {
        return Err(AppError::Invalid(
            "flex verify checks a battery against its meters; EV fleets have no meters to verify against: leave out --fleets".into(),
        ));
    }
    let day = day(store, caller, readings, &req.org, req.date)?;
    let meters = &day.meters;
    if meters.battery_charge.is_empty() && meters.battery_discharge.is_empty() {
        return Err(AppError::Invalid(format!(
            "enterprise {} has no battery meters: register them with kind battery_charge and battery_discharge (`zeropark import meters FILE`)",
            req.org
        )));
    }
    let (mut charge_wh, mut discharge_wh) = ([0u64; 24], [0u64; 24]);
    let c = hourly_sum(readings, &meters.battery_charge, day.from, &mut charge_wh)?;
    let d = hourly_sum(
        readings,
        &meters.battery_discharge,
        day.from,
        &mut discharge_wh,
    )?;
    let metered_battery_hours = (0..24).filter(|i| c[*i] || d[*i]).count();
    if metered_battery_hours == 0 {
        return Err(AppError::Invalid(format!(
            "the battery meters of {} ({}) have no readings on {}: import them with `zeropark import readings FILE`",
            req.org,
            meters
                .battery_charge
                .iter()
                .chain(&meters.battery_discharge)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            req.date
        )));
    }
    let metered: Vec<MeteredBattery> = (0..24)
        .map(|i| MeteredBattery {
            charge_mwh: mwh(charge_wh[i]),
            discharge_mwh: mwh(discharge_wh[i]),
        })
        .collect();

    // Hourly matching with and without the battery, same certificates and grid shares.
    let hour_start = |i: usize| day.from + i as i64 * 3600;
    let baseline: Vec<HourlyLoad> = (0..24)
        .map(|i| HourlyLoad {
            hour_start: hour_start(i),
            load_wh: day.load_wh[i],
        })
        .collect();
    let realised: Vec<HourlyLoad> = (0..24)
        .map(|i| HourlyLoad {
            hour_start: hour_start(i),
            load_wh: (day.load_wh[i] + charge_wh[i]).saturating_sub(discharge_wh[i]),
        })
        .collect();
    let registry = crate::certs::stored_registry(store)?.unwrap_or_else(|| {
        zp_certs::Registry::new(zp_certs::signing_key(&[0; 32]).verifying_key()).into()
    });
    let shares: BTreeMap<i64, Decimal> = day.factors.cfe_share.iter().copied().collect();
    let before = registry.hourly_report(&req.org, &baseline, &shares)?;
    let after = registry.hourly_report(&req.org, &realised, &shares)?;
    let matching = MatchingChange {
        baseline_load_mwh: before.load_mwh.normalize(),
        realised_load_mwh: after.load_mwh.normalize(),
        baseline_matched_mwh: before.matched_mwh.normalize(),
        realised_matched_mwh: after.matched_mwh.normalize(),
        cfe_score_change: before
            .cfe_score
            .zip(after.cfe_score)
            .map(|(b, a)| (a - b).normalize()),
        baseline_cfe_score: before.cfe_score,
        realised_cfe_score: after.cfe_score,
    };

    let pv_hours = day.pv_wh.iter().filter(|w| **w > 0).count();
    let battery_meters = BatteryMeters {
        charge: meters.battery_charge.clone(),
        discharge: meters.battery_discharge.clone(),
    };
    let report = plan_report(day, req)?;
    let verification = zp_energy::verify(&report.plan, &metered);
    let mut notes = report.note_codes;
    notes.push(Note::new(
        "flex.realised",
        &[
            ("charge", battery_meters.charge.len().to_string()),
            ("discharge", battery_meters.discharge.len().to_string()),
            ("hours", metered_battery_hours.to_string()),
        ],
    ));
    notes.push(Note::new(
        "flex.matching",
        &[
            ("org", req.org.to_string()),
            ("pv_hours", pv_hours.to_string()),
        ],
    ));
    Ok(FlexVerifyReport {
        org: report.org,
        name: report.name,
        date: report.date,
        region: report.region,
        category: report.category,
        tariff_valid_from: report.tariff_valid_from,
        battery: report.battery,
        objective: req.objective,
        carbon_price_yuan_per_t: req.carbon_price_yuan_per_t,
        verification,
        matching,
        battery_meters,
        metered_battery_hours,
        factor_source: report.factor_source,
        annual_factor: report.annual_factor,
        notes: notes_en(&notes),
        note_codes: notes,
    })
}

/// The day a flexibility view opens on: the last local day with a reading of the
/// enterprise's battery meters, else of its consumption meters; `None` without readings.
pub fn latest_day(
    store: &mut dyn Store,
    caller: &Caller,
    readings: &ReadingStore,
    code: &CreditCode,
) -> Result<Option<Date>, AppError> {
    let meters = crate::energy::site_meters(store, caller, code)?;
    let battery: Vec<&String> = meters
        .battery_charge
        .iter()
        .chain(&meters.battery_discharge)
        .collect();
    for group in [battery, meters.consumption.iter().collect()] {
        let mut last: Option<i64> = None;
        for m in group {
            if let Some(year) = readings.years(m).map_err(store_err)?.last() {
                let (a, b) = zp_readings::calendar::year_bounds(*year);
                if let Some((ts, _)) = readings.readings(m, a, b).map_err(store_err)?.last() {
                    last = last.max(Some(*ts));
                }
            }
        }
        if let Some(ts) = last {
            return Ok(Some(local(ts).date()));
        }
    }
    Ok(None)
}

/// Whether the enterprise has battery meters (a view then verifies rather than plans).
pub fn has_battery(
    store: &mut dyn Store,
    caller: &Caller,
    code: &CreditCode,
) -> Result<bool, AppError> {
    let m = crate::energy::site_meters(store, caller, code)?;
    Ok(!(m.battery_charge.is_empty() && m.battery_discharge.is_empty()))
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

/// Reads EV fleets (`name,chargers,charger_kw,arrival_hour,departure_hour,energy_mwh,v2g`,
/// and an optional `kind`: `ev` (default) or `load` for a flexible load; CSV or .xlsx). A
/// bad cell refuses the file with its row, field and reason: a plan silently missing a
/// fleet would be wrong.
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
    let kind_col = table.column("kind");
    let mut out = Vec::with_capacity(table.rows.len());
    for (row, cells) in &table.rows {
        let kind = kind_col
            .and_then(|i| cells.get(i))
            .map(|s| s.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let flexible_load = match kind.as_str() {
            "" | "ev" => false,
            "load" | "flexible_load" | "柔性负荷" => true,
            other => {
                return Err(AppError::Invalid(format!(
                    "{} row {row}, field kind: {other:?} is not ev or load",
                    table.file
                )));
            }
        };
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
            flexible_load,
        });
    }
    Ok(out)
}

//! The demo park's interval data: a consumption meter per enterprise, rooftop PV, hourly
//! grid factors, all through the public readings import use cases.

use super::*;
use crate::Caller;
use crate::readings::*;
use serde::Serialize;

/// What the demo's interval data holds.
#[derive(Debug, Clone, Serialize)]
pub struct DemoReadings {
    pub meters: usize,
    pub readings: usize,
    pub grid_hours: usize,
    pub already_seeded: bool,
}

/// Demo interval data for the demo park: a consumption meter per enterprise (its BDEW load
/// shape scaled to its yearly use), a rooftop PV meter where it has PV (the Chongqing
/// profile with daily cloudiness), 15-minute readings for the year, and hourly grid
/// factors for Chongqing. Written as CSV files and imported through the ordinary path.
/// Imports a demo readings file the ordinary way; the demo's files have no bad rows, so a
/// quarantined row (`what: N rows quarantined`) is an error.
pub(crate) fn import_demo_readings(
    store: &mut dyn Store,
    readings: &mut ReadingStore,
    actor: &str,
    file: &Path,
    what: &str,
) -> Result<(), AppError> {
    let r = import_readings(
        store,
        readings,
        &Caller::operator(actor),
        file,
        &file.display().to_string(),
        None,
        &mut |_, _| {},
    )
    .map_err(|e| AppError::Invalid(e.to_string()))?;
    if r.quarantined > 0 {
        return Err(AppError::Invalid(format!(
            "{what}: {} rows quarantined",
            r.quarantined
        )));
    }
    Ok(())
}

pub(crate) fn demo_readings(
    store: &mut dyn Store,
    readings: &mut ReadingStore,
    dir: &Path,
    actor: &str,
) -> Result<DemoReadings, AppError> {
    use crate::demo::{DEMO_PARK, DEMO_YEAR, Rng, demo_orgs};
    use std::fmt::Write as _;
    let io = |p: &Path, e: std::io::Error| AppError::Invalid(format!("{}: {e}", p.display()));
    let orgs: Vec<_> = demo_orgs()
        .into_iter()
        .filter(|o| o.park == DEMO_PARK)
        .collect();
    let mut meters_csv = String::from("meter,credit_code,kind,source,site,parent,end_use\n");
    for (i, o) in orgs.iter().enumerate() {
        let _ = writeln!(meters_csv, "{}-L1,{},consumption,,,,", o.code, o.code);
        if is_submetered(i) {
            for (suffix, end_use, _) in SUB_METERS {
                let _ = writeln!(
                    meters_csv,
                    "{0}-L1-{suffix},{0},consumption,,,{0}-L1,{end_use}",
                    o.code
                );
            }
        }
        if o.pv_kwp > 0.0 {
            let _ = writeln!(meters_csv, "{}-PV1,{},generation,solar,,,", o.code, o.code);
        }
    }
    let battery_org = battery_org(&orgs);
    let _ = writeln!(
        meters_csv,
        "{0}-BESS-C,{0},battery_charge,,,,\n{0}-BESS-D,{0},battery_discharge,,,,",
        battery_org
    );
    let meters_file = dir.join("meters.csv");
    std::fs::write(&meters_file, &meters_csv).map_err(|e| io(&meters_file, e))?;
    let m = crate::import_file(
        store,
        &crate::Caller::operator(actor),
        crate::ImportKind::Meters,
        &meters_file,
        zp_ingest::Limits::default(),
        None,
    )
    .map(|o| o.counts)
    .map_err(|e| AppError::Invalid(e.to_string()))?;

    // Hourly grid factors: hydro-rich summers and midday solar lower the fossil share.
    let pv = zp_readings::profiles::pv_chongqing_2023();
    let mut grid_csv = String::from("region,ts,tco2_per_mwh,cfe_share\n");
    for (ts, pv_kwh) in &pv {
        let (_, month, _) = zp_readings::calendar::local_date(*ts);
        let wet = [
            0.0, 0.0, 0.02, 0.05, 0.1, 0.16, 0.2, 0.2, 0.15, 0.08, 0.03, 0.0,
        ][month as usize - 1];
        let fossil = (0.66 - wet - 0.25 * pv_kwh).clamp(0.3, 0.8);
        let _ = writeln!(
            grid_csv,
            "CQ,{},{:.4},{:.3}",
            zp_domain::time::format_local(*ts),
            fossil * 0.86,
            1.0 - fossil
        );
    }
    let grid_file = dir.join("grid_hourly_2023.csv");
    std::fs::write(&grid_file, &grid_csv).map_err(|e| io(&grid_file, e))?;
    let g = crate::import_file(
        store,
        &crate::Caller::operator(actor),
        crate::ImportKind::GridHourly,
        &grid_file,
        zp_ingest::Limits::default(),
        None,
    )
    .map(|o| o.counts)
    .map_err(|e| AppError::Invalid(e.to_string()))?;

    let first = format!("{}-L1", orgs[0].code);
    if readings
        .years(&first)
        .map_err(store_err)?
        .contains(&DEMO_YEAR)
    {
        demo_battery(store, readings, dir, actor, &battery_org)?;
        return Ok(DemoReadings {
            meters: m.read,
            readings: 0,
            grid_hours: g.read,
            already_seeded: true,
        });
    }
    let mut rng = Rng::new(15);
    let mut csv = String::with_capacity(64 << 20);
    csv.push_str("meter,ts,kwh\n");
    let mut rows = 0;
    for (i, o) in orgs.iter().enumerate() {
        let shape = zp_readings::profiles::load_profile_2023(o.kind.load_profile())
            .expect("shipped load profile");
        let yearly_mwh = o.grid_mwh + o.pv_kwp * 0.812;
        let meter = format!("{}-L1", o.code);
        for (ts, kwh_per_mwh) in &shape {
            let wh = (kwh_per_mwh * yearly_mwh * rng.range(0.95, 1.05) * 1000.0).round();
            let at = zp_domain::time::format_local(*ts);
            let _ = writeln!(
                csv,
                "{meter},{at},{}",
                zp_readings::value::format_kwh(wh as u64)
            );
            rows += 1;
            if is_submetered(i) {
                // Sub-meters share the master's interval; cooling grows in summer; what
                // they leave (about 8 %) is the unmetered remainder.
                let month = zp_domain::time::local(*ts).month();
                let summer = if (6..=9).contains(&month) { 0.12 } else { 0.0 };
                for (suffix, _, share) in SUB_METERS {
                    let share = match suffix {
                        "HVAC" => share + summer,
                        "PROC" => share - summer,
                        _ => share,
                    };
                    let sub = (wh * share * rng.range(0.97, 1.03)).round();
                    let _ = writeln!(
                        csv,
                        "{meter}-{suffix},{at},{}",
                        zp_readings::value::format_kwh(sub as u64)
                    );
                    rows += 1;
                }
            }
        }
        if o.pv_kwp > 0.0 {
            let meter = format!("{}-PV1", o.code);
            let mut cloud = 1.0;
            for (ts, kwh_per_kwp) in &pv {
                if zp_domain::time::local(*ts).hour() == 0 {
                    cloud = rng.range(0.45, 1.45);
                }
                let hour_wh = kwh_per_kwp * o.pv_kwp * cloud * 1000.0;
                for q in 0..4 {
                    let wh = (hour_wh / 4.0 * rng.range(0.9, 1.1)).round();
                    let _ = writeln!(
                        csv,
                        "{meter},{},{}",
                        zp_domain::time::format_local(ts + q * 900),
                        zp_readings::value::format_kwh(wh as u64)
                    );
                    rows += 1;
                }
            }
        }
    }
    let file = dir.join("readings_2023.csv");
    std::fs::write(&file, csv).map_err(|e| io(&file, e))?;
    import_demo_readings(store, readings, actor, &file, "demo readings")?;
    demo_battery(store, readings, dir, actor, &battery_org)?;
    Ok(DemoReadings {
        meters: m.read,
        readings: rows,
        grid_hours: g.read,
        already_seeded: false,
    })
}

/// Whether the demo park's `i`-th enterprise has sub-meters under its main meter (a meter
/// tree for the energy-flow page): the second to fourth (the first, the cement works, has
/// its own 2024 readings for the finance demo).
pub(crate) fn is_submetered(i: usize) -> bool {
    (1..=3).contains(&i)
}

/// Sub-meters of a main meter: suffix, end use, share of the master's energy.
const SUB_METERS: [(&str, &str, f64); 3] = [
    ("PROC", "process", 0.66),
    ("HVAC", "hvac", 0.20),
    ("LIGHT", "lighting", 0.06),
];

/// The local day of the demo battery's metered operation (a July working day: the summer
/// tariff with its 尖峰 band).
pub const DEMO_FLEX_DATE: &str = "2023-07-18";

/// The demo battery: 2 MWh, 1 MW, 90 % round trip, empty at midnight.
pub fn demo_battery_spec() -> zp_energy::Battery {
    zp_energy::Battery::new(
        Decimal::from(2),
        Decimal::ONE,
        Decimal::new(9, 1),
        Decimal::ZERO,
    )
}

/// The demo enterprise with a battery: the demo park's first with rooftop PV.
fn battery_org(orgs: &[crate::demo::DemoOrg]) -> zp_domain::CreditCode {
    orgs.iter()
        .find(|o| o.pv_kwp > 0.0)
        .unwrap_or(&orgs[0])
        .code
        .clone()
}

/// An ILLUSTRATIVE time-of-use tariff for the demo (category `illustrative_demo`): the
/// shape of a Chinese industrial tariff (valley at night, high at midday and evening, a
/// 尖峰 evening band in July and August) with round prices. It is not Chongqing's
/// published tariff, whose values are not in the reference data; import the official file
/// with `zeropark import tariffs` for real bills.
pub const DEMO_TARIFF_CSV: &str = "region,category,valid_from,months,start,end,period,yuan_per_kwh
CQ,illustrative_demo,2023-01-01,\"1-6,9-12\",00:00,08:00,valley,0.35
CQ,illustrative_demo,2023-01-01,\"1-6,9-12\",08:00,11:00,flat,0.65
CQ,illustrative_demo,2023-01-01,\"1-6,9-12\",11:00,17:00,high,1.0
CQ,illustrative_demo,2023-01-01,\"1-6,9-12\",17:00,20:00,flat,0.65
CQ,illustrative_demo,2023-01-01,\"1-6,9-12\",20:00,22:00,high,1.0
CQ,illustrative_demo,2023-01-01,\"1-6,9-12\",22:00,24:00,valley,0.35
CQ,illustrative_demo,2023-01-01,7-8,00:00,08:00,valley,0.35
CQ,illustrative_demo,2023-01-01,7-8,08:00,11:00,flat,0.65
CQ,illustrative_demo,2023-01-01,7-8,11:00,17:00,high,1.0
CQ,illustrative_demo,2023-01-01,7-8,17:00,20:00,flat,0.65
CQ,illustrative_demo,2023-01-01,7-8,20:00,22:00,peak,1.2
CQ,illustrative_demo,2023-01-01,7-8,22:00,24:00,valley,0.35
";

/// The demo's metered battery day: imports the illustrative tariff, plans
/// [`DEMO_FLEX_DATE`] for the battery of `code` and writes its charge and discharge meters'
/// readings as a battery that charged as planned and delivered 88-98 % of the planned
/// discharge each hour (auxiliary losses), every 15 minutes of the day. Idempotent.
fn demo_battery(
    store: &mut dyn Store,
    readings: &mut ReadingStore,
    dir: &Path,
    actor: &str,
    code: &zp_domain::CreditCode,
) -> Result<(), AppError> {
    use std::fmt::Write as _;
    let operator = Caller::operator(actor);
    let tariff = dir.join("tariff_illustrative_demo.csv");
    std::fs::write(&tariff, DEMO_TARIFF_CSV)
        .map_err(|e| AppError::Invalid(format!("{}: {e}", tariff.display())))?;
    crate::energy::import_tariffs(store, &operator, &tariff)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let charge_meter = format!("{code}-BESS-C");
    if !readings.years(&charge_meter).map_err(store_err)?.is_empty() {
        return Ok(());
    }
    let date: zp_domain::time::Date = DEMO_FLEX_DATE.parse().expect("demo date");
    let report = crate::flex::flex_plan(
        store,
        &operator,
        readings,
        &crate::flex::FlexRequest {
            org: code.clone(),
            date,
            battery: demo_battery_spec(),
            objective: zp_energy::Objective::Cost,
            carbon_price_yuan_per_t: Decimal::from(80),
            fleets: Vec::new(),
            grid_cap_mw: None,
        },
    )?;
    let mut rng = crate::demo::Rng::new(18);
    let day = zp_domain::time::local_day_start(date);
    let mut csv = String::from("meter,ts,kwh\n");
    for h in &report.plan.hours {
        let delivered = Decimal::from_f64_retain(rng.range(0.88, 0.98)).unwrap_or(Decimal::ONE);
        let flows = [
            (&charge_meter, h.charge_mwh),
            (&format!("{code}-BESS-D"), h.discharge_mwh * delivered),
        ];
        for (meter, mwh) in flows {
            // kWh per quarter hour, to the Wh.
            let kwh = (mwh * Decimal::from(250)).round_dp(3).normalize();
            for q in 0..4 {
                let ts = day + h.hour as i64 * 3600 + q * 900;
                let _ = writeln!(csv, "{meter},{},{kwh}", zp_domain::time::format_local(ts));
            }
        }
    }
    let file = dir.join("battery_2023-07-18.csv");
    std::fs::write(&file, csv)
        .map_err(|e| AppError::Invalid(format!("{}: {e}", file.display())))?;
    import_demo_readings(store, readings, actor, &file, "demo battery readings")
}

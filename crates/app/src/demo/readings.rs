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
    let mut meters_csv = String::from("meter,credit_code,kind,source\n");
    for o in &orgs {
        let _ = writeln!(meters_csv, "{}-L1,{},consumption,", o.code, o.code);
        if o.pv_kwp > 0.0 {
            let _ = writeln!(meters_csv, "{}-PV1,{},generation,solar", o.code, o.code);
        }
    }
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
    for o in &orgs {
        let shape = zp_readings::profiles::load_profile_2023(o.kind.load_profile())
            .expect("shipped load profile");
        let yearly_mwh = o.grid_mwh + o.pv_kwp * 0.812;
        let meter = format!("{}-L1", o.code);
        for (ts, kwh_per_mwh) in &shape {
            let wh = (kwh_per_mwh * yearly_mwh * rng.range(0.95, 1.05) * 1000.0).round();
            let _ = writeln!(
                csv,
                "{meter},{},{}",
                zp_domain::time::format_local(*ts),
                zp_readings::value::format_kwh(wh as u64)
            );
            rows += 1;
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
    Ok(DemoReadings {
        meters: m.read,
        readings: rows,
        grid_hours: g.read,
        already_seeded: false,
    })
}

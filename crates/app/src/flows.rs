//! `zeropark report energy-flow (--org CODE | --park NAME) --year Y`: the energy flow of an
//! enterprise or a park (能流分析), built by [`zp_energy::flow`].
//!
//! Where the figures come from, per enterprise:
//! - electricity: the metered year when the enterprise has consumption meters with readings
//!   in it (grid import = top consumption + battery charge - own generation - battery
//!   discharge per interval, floored at 0; own generation used = the rest of the load),
//!   else the ledger's electricity of the year's inventory (grid and on-site renewable);
//! - the meter tree: the enterprise's consumption meters with their year's energy, each
//!   naming its parent and end use (`import meters`, columns `parent,end_use`);
//! - fuels and purchased heat: the inventory's other energy lines, in tce as the inventory
//!   counts them (the factor ids are listed).
//!
//! A park sums its enterprises: sources, end uses and losses, without meter nodes.

use crate::note::Note;
use crate::readings::store_err;
use crate::{AppError, Caller};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use zp_accounting::GridFactorMode;
use zp_domain::records::EndUse;
use zp_domain::time::{Date, local_day_start};
use zp_domain::{Carrier, CreditCode};
use zp_energy::flow::{Flow, FlowInput, FuelSource, TreeMeter, build};
use zp_factors::Slot;
use zp_readings::ReadingStore;
use zp_store::{MeterFilter, MeterKind, Org, OrgFilter, Store};

/// Whose flow.
#[derive(Debug, Clone)]
pub enum FlowScope {
    Org(CreditCode),
    Park(String),
}

/// The energy flow with what it was built from.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EnergyFlowReport {
    pub scope: String,
    /// `org` or `park`.
    pub scope_kind: &'static str,
    pub name: String,
    pub year: i32,
    #[serde(flatten)]
    pub flow: Flow,
    /// kgce per kWh the electricity links are converted at, and its factor id.
    pub kgce_per_kwh: Decimal,
    pub electricity_factor_id: String,
    /// Enterprises whose electricity is metered, and those taken from the ledger.
    pub metered: Vec<String>,
    pub from_ledger: Vec<String>,
    /// Every factor the fuel figures were computed with.
    pub factor_ids: Vec<String>,
    pub notes: Vec<String>,
    /// `notes` as codes and parameters ([`NOTES_EN`]), for pages in other languages.
    pub note_codes: Vec<Note>,
}

/// The English of each note code of an energy flow (its `notes`).
pub const NOTES_EN: &[(&str, &str)] = &[
    (
        "flow.conversion",
        "electricity in tce at {kgce_per_kwh} kgce/kWh ({factor}); fuels and purchased heat as the inventory counts them; fuels are not sub-metered and reach 燃料及热力用能 whole",
    ),
    (
        "flow.metered",
        "metered electricity of {count} enterprise(s): grid import = top consumption and battery charge minus own generation and battery discharge per interval, floored at 0",
    ),
    (
        "flow.from_ledger",
        "{count} enterprise(s) without consumption readings in {year}: electricity from the ledger, not sub-metered",
    ),
    ("flow.no_energy", "no energy recorded for {scope} in {year}"),
];

/// One enterprise's part of the flow.
struct Part {
    grid_kwh: Decimal,
    own_kwh: Decimal,
    charge_kwh: Decimal,
    fuels: Vec<FuelSource>,
    meters: Vec<TreeMeter>,
    metered: bool,
    factor_ids: Vec<String>,
}

/// What an enterprise's meters read over the year.
struct Metered {
    tree: Vec<TreeMeter>,
    grid_kwh: Decimal,
    own_kwh: Decimal,
    charge_kwh: Decimal,
}

/// The metered year of an enterprise: its tree with each meter's energy, grid import, own
/// generation and battery discharge used, battery charge. `None` without consumption
/// readings in the year.
fn metered_part(
    readings: &ReadingStore,
    meters: &[zp_store::Meter],
    from: i64,
    to: i64,
) -> Result<Option<Metered>, AppError> {
    let mut tree = Vec::new();
    let mut charge_wh = 0i64;
    // Per interval: load (top consumption + battery charge) and own supply.
    let mut load: BTreeMap<i64, i64> = BTreeMap::new();
    let mut supply: BTreeMap<i64, i64> = BTreeMap::new();
    let mut any = false;
    for m in meters {
        let rows = readings.readings(&m.meter, from, to).map_err(store_err)?;
        let wh: i64 = rows.iter().map(|(_, w)| i64::from(*w)).sum();
        if m.kind == MeterKind::Consumption {
            any |= !rows.is_empty();
            tree.push(TreeMeter {
                meter: m.meter.clone(),
                parent: m.parent.clone(),
                end_use: EndUse::parse(&m.end_use),
                kwh: Decimal::new(wh, 3),
            });
        }
        if !m.is_top() {
            continue;
        }
        if m.kind == MeterKind::BatteryCharge {
            charge_wh += wh;
        }
        let into = match m.kind {
            MeterKind::Consumption | MeterKind::BatteryCharge => &mut load,
            MeterKind::Generation | MeterKind::BatteryDischarge => &mut supply,
        };
        for (ts, w) in rows {
            *into.entry(ts).or_insert(0) += i64::from(w);
        }
    }
    if !any {
        return Ok(None);
    }
    let (mut grid_wh, mut own_wh) = (0i64, 0i64);
    for (ts, l) in &load {
        let s = supply.get(ts).copied().unwrap_or(0);
        grid_wh += (l - s).max(0);
        own_wh += (*l).min(s);
    }
    Ok(Some(Metered {
        tree,
        grid_kwh: Decimal::new(grid_wh, 3),
        own_kwh: Decimal::new(own_wh, 3),
        charge_kwh: Decimal::new(charge_wh, 3),
    }))
}

fn part(
    store: &mut dyn Store,
    caller: &Caller,
    readings: Option<&ReadingStore>,
    catalog: &zp_factors::Catalog,
    org: &Org,
    year: i32,
) -> Result<Part, AppError> {
    let code = &org.credit_code;
    let inv = crate::org_inventory(
        store,
        catalog,
        &caller.access,
        code,
        year,
        GridFactorMode::Provincial,
        &caller.actor,
    )?;
    let fuels = inv
        .lines
        .iter()
        .filter(|l| l.carrier.is_energy() && !l.carrier.is_electricity())
        .filter(|l| l.energy_tce > Decimal::ZERO)
        .map(|l| FuelSource {
            carrier: l.carrier.key().to_string(),
            name_zh: l.name_zh.clone(),
            quantity: l.quantity,
            unit: l.unit.clone(),
            tce: l.energy_tce,
        })
        .collect();
    let factor_ids = inv
        .lines
        .iter()
        .filter(|l| l.carrier.is_energy() && !l.carrier.is_electricity())
        .flat_map(|l| l.factor_ids.clone())
        .collect();
    let meters = store.meters(&caller.access, &MeterFilter::of_org(code))?;
    let first =
        Date::new(year as i16, 1, 1).map_err(|e| AppError::Invalid(format!("year {year}: {e}")))?;
    let next = Date::new(year as i16 + 1, 1, 1)
        .map_err(|e| AppError::Invalid(format!("year {year}: {e}")))?;
    let (from, to) = (local_day_start(first), local_day_start(next));
    let kwh = |c: Carrier| -> Decimal {
        inv.lines
            .iter()
            .filter(|l| l.carrier == c)
            .map(|l| l.quantity)
            .sum()
    };
    let metered = match readings {
        Some(r) => metered_part(r, &meters, from, to)?,
        None => None,
    };
    Ok(match metered {
        Some(m) => Part {
            grid_kwh: m.grid_kwh,
            own_kwh: m.own_kwh,
            charge_kwh: m.charge_kwh,
            fuels,
            meters: m.tree,
            metered: true,
            factor_ids,
        },
        None => Part {
            grid_kwh: kwh(Carrier::Electricity),
            own_kwh: kwh(Carrier::ElectricityOnsiteRenewable),
            charge_kwh: Decimal::ZERO,
            fuels,
            meters: Vec::new(),
            metered: false,
            factor_ids,
        },
    })
}

/// Builds the flow of an enterprise or a park for a calendar year; without a readings
/// store (`None`), electricity comes from the ledger.
pub fn energy_flow(
    store: &mut dyn Store,
    caller: &Caller,
    readings: Option<&ReadingStore>,
    scope: &FlowScope,
    year: i32,
) -> Result<EnergyFlowReport, AppError> {
    let (orgs, scope_id, scope_kind, name) = match scope {
        FlowScope::Org(code) => {
            let org = crate::energy::visible_org(store, caller, code)?;
            let name = org.name.clone();
            (vec![org], code.to_string(), "org", name)
        }
        FlowScope::Park(park) => {
            let p = store.park(&caller.access, park)?.ok_or_else(|| {
                AppError::NotFound(format!("park {park:?} (or it is not visible to you)"))
            })?;
            let orgs = store.orgs(
                &caller.access,
                &OrgFilter {
                    park: Some(p.name.clone()),
                    ..Default::default()
                },
            )?;
            (orgs, p.name.clone(), "park", p.name)
        }
    };
    let catalog = crate::catalog(store)?;
    let conversion = catalog
        .select(Slot::Tce(Carrier::Electricity))
        .map_err(|e| AppError::Invalid(format!("electricity conversion factor: {e}")))?;
    let mut input = FlowInput {
        grid_kwh: Decimal::ZERO,
        own_generation_kwh: Decimal::ZERO,
        battery_charge_kwh: Decimal::ZERO,
        fuels: Vec::new(),
        meters: Vec::new(),
        kgce_per_kwh: conversion.factor.value,
        meter_nodes: matches!(scope, FlowScope::Org(_)),
    };
    let (mut metered, mut from_ledger, mut factor_ids) = (Vec::new(), Vec::new(), Vec::new());
    let mut fuels: BTreeMap<String, FuelSource> = BTreeMap::new();
    for org in &orgs {
        let p = part(store, caller, readings, &catalog, org, year)?;
        input.grid_kwh += p.grid_kwh;
        input.own_generation_kwh += p.own_kwh;
        input.battery_charge_kwh += p.charge_kwh;
        input.meters.extend(p.meters);
        for f in p.fuels {
            match fuels.get_mut(&f.carrier) {
                Some(sum) => {
                    sum.quantity += f.quantity;
                    sum.tce += f.tce;
                }
                None => {
                    fuels.insert(f.carrier.clone(), f);
                }
            }
        }
        factor_ids.extend(p.factor_ids);
        if p.metered {
            metered.push(org.credit_code.to_string());
        } else {
            from_ledger.push(org.credit_code.to_string());
        }
    }
    input.fuels = fuels.into_values().collect();
    factor_ids.push(conversion.factor.id.clone());
    factor_ids.sort();
    factor_ids.dedup();
    let flow = build(&input);
    let mut notes = vec![Note::new(
        "flow.conversion",
        &[
            ("kgce_per_kwh", conversion.factor.value.to_string()),
            ("factor", conversion.factor.id.clone()),
        ],
    )];
    if !metered.is_empty() {
        notes.push(Note::new(
            "flow.metered",
            &[("count", metered.len().to_string())],
        ));
    }
    if !from_ledger.is_empty() {
        notes.push(Note::new(
            "flow.from_ledger",
            &[
                ("count", from_ledger.len().to_string()),
                ("year", year.to_string()),
            ],
        ));
    }
    if flow.total_tce == Decimal::ZERO {
        notes.push(Note::new(
            "flow.no_energy",
            &[("scope", scope_id.to_string()), ("year", year.to_string())],
        ));
    }
    Ok(EnergyFlowReport {
        scope: scope_id,
        scope_kind,
        name,
        year,
        flow,
        kgce_per_kwh: conversion.factor.value,
        electricity_factor_id: conversion.factor.id,
        metered,
        from_ledger,
        factor_ids,
        notes: notes.iter().map(|n| n.text(NOTES_EN)).collect(),
        note_codes: notes,
    })
}

/// The year a view of an enterprise opens on, and the last metered day in it: the latest
/// year in which its consumption meters hold at least 60 days of readings (a stray reading
/// in a later year does not move the view), else the latest year with any.
pub fn default_period(
    store: &mut dyn Store,
    caller: &Caller,
    readings: &ReadingStore,
    code: &CreditCode,
) -> Result<Option<(i32, Date)>, AppError> {
    let meters = crate::energy::site_meters(store, caller, code)?;
    // Per year: the most seconds any meter covers, and the last reading.
    let mut years: BTreeMap<i32, (i64, i64)> = BTreeMap::new();
    for m in &meters.consumption {
        let step = readings.interval(m).map(|i| i.seconds()).unwrap_or(900);
        for year in readings.years(m).map_err(store_err)? {
            let (a, b) = zp_readings::calendar::year_bounds(year);
            let rows = readings.readings(m, a, b).map_err(store_err)?;
            if let Some((last, _)) = rows.last() {
                let e = years.entry(year).or_insert((0, *last));
                e.0 = e.0.max(rows.len() as i64 * step);
                e.1 = e.1.max(*last);
            }
        }
    }
    let chosen = years
        .iter()
        .rev()
        .find(|(_, (covered, _))| *covered >= 60 * 86_400)
        .or_else(|| years.iter().next_back());
    Ok(chosen.map(|(y, (_, ts))| (*y, zp_domain::time::local(*ts).date())))
}

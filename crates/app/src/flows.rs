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
#[derive(Debug, Clone, Serialize)]
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
}

/// One enterprise's part of the flow.
struct Part {
    grid_kwh: Decimal,
    own_kwh: Decimal,
    fuels: Vec<FuelSource>,
    meters: Vec<TreeMeter>,
    metered: bool,
    factor_ids: Vec<String>,
}

/// The metered year of an enterprise: its tree with each meter's energy, grid import and
/// own generation used. `None` without consumption readings in the year.
fn metered_part(
    readings: &ReadingStore,
    meters: &[zp_store::Meter],
    from: i64,
    to: i64,
) -> Result<Option<(Vec<TreeMeter>, Decimal, Decimal)>, AppError> {
    let mut tree = Vec::new();
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
    Ok(Some((
        tree,
        Decimal::new(grid_wh, 3),
        Decimal::new(own_wh, 3),
    )))
}

fn part(
    store: &mut dyn Store,
    caller: &Caller,
    readings: &ReadingStore,
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
    let meters = store.meters(
        &caller.access,
        &MeterFilter {
            org: Some(code.clone()),
            ..Default::default()
        },
    )?;
    let first =
        Date::new(year as i16, 1, 1).map_err(|e| AppError::Invalid(format!("year {year}: {e}")))?;
    let next = Date::new(year as i16 + 1, 1, 1)
        .map_err(|e| AppError::Invalid(format!("year {year}: {e}")))?;
    let (from, to) = (local_day_start(first), local_day_start(next));
    let mwh = |c: Carrier| -> Decimal {
        inv.lines
            .iter()
            .filter(|l| l.carrier == c)
            .map(|l| l.quantity)
            .sum()
    };
    Ok(match metered_part(readings, &meters, from, to)? {
        Some((tree, grid_kwh, own_kwh)) => Part {
            grid_kwh,
            own_kwh,
            fuels,
            meters: tree,
            metered: true,
            factor_ids,
        },
        None => Part {
            grid_kwh: mwh(Carrier::Electricity),
            own_kwh: mwh(Carrier::ElectricityOnsiteRenewable),
            fuels,
            meters: Vec::new(),
            metered: false,
            factor_ids,
        },
    })
}

/// Builds the flow of an enterprise or a park for a calendar year.
pub fn energy_flow(
    store: &mut dyn Store,
    caller: &Caller,
    readings: &ReadingStore,
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
    let mut notes = vec![format!(
        "electricity in tce at {} kgce/kWh ({}); fuels and purchased heat as the inventory counts them; fuels are not sub-metered and reach 燃料及热力用能 whole",
        conversion.factor.value, conversion.factor.id
    )];
    if !metered.is_empty() {
        notes.push(format!(
            "metered electricity of {} enterprise(s): grid import = top consumption and battery charge minus own generation and battery discharge per interval, floored at 0",
            metered.len()
        ));
    }
    if !from_ledger.is_empty() {
        notes.push(format!(
            "{} enterprise(s) without consumption readings in {year}: electricity from the ledger, not sub-metered",
            from_ledger.len()
        ));
    }
    if flow.total_tce == Decimal::ZERO {
        notes.push(format!("no energy recorded for {scope_id} in {year}"));
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
        notes,
    })
}

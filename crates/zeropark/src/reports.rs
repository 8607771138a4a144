//! Report commands: inventory, recompute, factors.

use crate::args::{FactorsCmd, GridFactorArg, ScopeArgs};
use crate::ctx::actor;
use crate::output::{self, num, opt_num};
use crate::registry::code;
use zp_app::InventoryScope;
use zp_app::{Access, Store};
use zp_app::{GridFactorMode, Inventory};
use zp_domain::Region;

/// How `report inventory` computes and prints.
pub struct InventoryOpts {
    pub grid: GridFactorArg,
    pub electricity_tce: crate::args::ElectricityTceArg,
    pub lineage: bool,
}

pub fn inventory(
    store: &mut dyn Store,
    scope: &ScopeArgs,
    year: i32,
    opts: InventoryOpts,
    json: bool,
) -> anyhow::Result<()> {
    let InventoryOpts {
        grid,
        electricity_tce,
        lineage,
    } = opts;
    let scope = match (&scope.org, &scope.park, &scope.region) {
        (Some(o), _, _) => InventoryScope::Org(code(o)?),
        (_, Some(p), _) => InventoryScope::Park(p.clone()),
        (_, _, Some(r)) => InventoryScope::Region(Region::parse(r)?),
        _ => anyhow::bail!("give --org, --park or --region"),
    };
    let grid = match grid {
        GridFactorArg::Provincial => GridFactorMode::Provincial,
        GridFactorArg::National => GridFactorMode::National,
    };
    let electricity = match electricity_tce {
        crate::args::ElectricityTceArg::Calorific => zp_app::ElectricityTce::Calorific,
        crate::args::ElectricityTceArg::CoalEquivalent => zp_app::ElectricityTce::CoalEquivalent,
    };
    let inv = zp_app::inventory_with(
        store,
        &Access::All,
        &scope,
        year,
        grid,
        electricity,
        &actor(),
    )?;
    if inv.lines.is_empty() {
        // Not an error (a new enterprise, a year not yet imported), but never a silent zero.
        eprintln!(
            "warning: {} {} has no activity data for {year}: every figure below is 0",
            inv.scope_kind, inv.scope
        );
    }
    if json {
        return output::json(&inv);
    }
    print_inventory(&inv, lineage);
    Ok(())
}

fn print_inventory(inv: &Inventory, lineage: bool) {
    println!(
        "{} {} ({}), {} — energy and GHG inventory",
        inv.scope_kind, inv.name, inv.scope, inv.year
    );
    if !inv.members.is_empty() {
        println!("{} enterprises", inv.members.len());
    }
    println!();
    let rows = vec![
        vec!["energy (tce)".into(), num(inv.energy_tce, 3)],
        vec!["Scope 1 (tCO2)".into(), num(inv.scope1_tco2, 3)],
        vec!["  combustion".into(), num(inv.scope1_combustion_tco2, 3)],
        vec!["  process".into(), num(inv.scope1_process_tco2, 3)],
        vec![
            format!("Scope 2 location-based, {} factor (tCO2)", inv.grid_factor),
            num(inv.scope2_location_tco2, 3),
        ],
        vec![
            "Scope 2 market-based (tCO2)".into(),
            num(inv.scope2_market_tco2, 3),
        ],
        vec!["electricity (MWh)".into(), num(inv.electricity_mwh, 3)],
        vec![
            "  of which on-site renewable".into(),
            num(inv.onsite_renewable_mwh, 3),
        ],
        vec![
            "  covered by retired certificates".into(),
            num(inv.certificates_applied_mwh, 3),
        ],
        vec![
            "clean electricity share".into(),
            opt_num(inv.clean_electricity_share, 4),
        ],
        vec![
            "intensity, location (tCO2/tce)".into(),
            opt_num(inv.intensity_location_tco2_per_tce, 4),
        ],
        vec![
            "intensity, market (tCO2/tce)".into(),
            opt_num(inv.intensity_market_tco2_per_tce, 4),
        ],
        vec![
            "energy intensity (tce/10k yuan)".into(),
            opt_num(inv.energy_intensity_tce_per_10k_yuan, 4),
        ],
    ];
    output::table(&["figure", "value"], &rows);
    println!();
    let lines: Vec<Vec<String>> = inv
        .lines
        .iter()
        .map(|l| {
            vec![
                format!("{} {}", l.carrier.key(), l.name_zh),
                format!("{} {}", num(l.quantity, 3), l.unit),
                num(l.energy_tce, 3),
                num(l.scope1_tco2, 3),
                num(l.scope2_location_tco2, 3),
                num(l.scope2_market_tco2, 3),
            ]
        })
        .collect();
    output::table(
        &[
            "carrier",
            "quantity",
            "tce",
            "scope1 t",
            "scope2 loc t",
            "scope2 mkt t",
        ],
        &lines,
    );
    println!();
    println!("factors used:");
    for f in &inv.factors {
        println!(
            "  {} = {} {} ({}){}",
            f.id,
            f.value,
            f.unit,
            f.source,
            f.note
                .as_ref()
                .map(|n| format!(" — {n}"))
                .unwrap_or_default()
        );
    }
    if lineage {
        println!();
        for l in &inv.lines {
            println!("{}: {}", l.carrier.key(), l.formula);
            for r in &l.inputs {
                println!(
                    "  row {} {} {} {} ({})",
                    r.id, r.period, r.quantity, r.unit, r.source
                );
            }
        }
    }
    for n in &inv.notes {
        println!("note: {n}");
    }
    if !inv.complete {
        println!("INCOMPLETE: some activity could not be fully accounted (see notes)");
    }
}

pub fn recompute(store: &mut dyn Store, dry_run: bool, json: bool) -> anyhow::Result<()> {
    let items = zp_app::recompute(store, !dry_run, &actor())?;
    if json {
        return output::json(&serde_json::json!({ "applied": !dry_run, "changes": items }));
    }
    if items.is_empty() {
        println!("every issued inventory already uses the current catalog: nothing changes");
        return Ok(());
    }
    for it in &items {
        println!("{} {} ({} grid factor):", it.scope, it.year, it.grid_mode);
        for f in &it.factors {
            println!(
                "  factor {}: {} -> {}",
                f.slot,
                f.old_id.as_deref().unwrap_or("(none)"),
                f.new_id
            );
        }
        for f in &it.figures {
            println!("  {}: {} -> {}", f.key, f.old, f.new);
        }
    }
    println!(
        "{} inventories {}",
        items.len(),
        if dry_run {
            "would change (dry run: nothing written)"
        } else {
            "recomputed"
        }
    );
    Ok(())
}

pub fn factors(store: &mut dyn Store, cmd: FactorsCmd, json: bool) -> anyhow::Result<()> {
    match cmd {
        FactorsCmd::List { kind, region } => {
            let catalog = zp_app::catalog(store)?;
            let list: Vec<_> = catalog
                .all()
                .iter()
                .filter(|f| kind.as_deref().is_none_or(|k| f.kind.key() == k))
                .filter(|f| {
                    region
                        .as_deref()
                        .is_none_or(|r| f.region.is_some_and(|x| x.code().eq_ignore_ascii_case(r)))
                })
                .collect();
            if json {
                return output::json(&list);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|f| {
                    vec![
                        f.id.clone(),
                        f.value.to_string(),
                        f.unit.clone(),
                        f.source(),
                    ]
                })
                .collect();
            output::table(&["id", "value", "unit", "source"], &rows);
        }
        FactorsCmd::Sets => {
            let sets = store.factor_sets()?;
            if json {
                return output::json(&sets);
            }
            println!("{} (built in)", zp_app::BUILTIN_SET);
            for s in sets {
                println!(
                    "{} from {} (sha256 {}), imported {}",
                    s.name,
                    s.file,
                    &s.sha256[..12.min(s.sha256.len())],
                    s.imported_at
                );
            }
        }
    }
    Ok(())
}

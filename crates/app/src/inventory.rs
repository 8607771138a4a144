//! Inventories of an enterprise, a park or a region, issued with pinned factors.

use crate::AppError;
use std::collections::BTreeMap;
use zp_accounting::{
    ActivityLine, GridFactorMode, Inventory, Options, OrgInput, SteamState, aggregate, compute,
};
use zp_certs::{Consumption, Registry};
use zp_domain::{
    Carrier, CarrierCategory, CreditCode, Decimal, Period, Quantity, Region, SerialSet, Unit,
};
use zp_factors::Catalog;
use zp_store::{Access, IssuedResult, OrgFilter, Store};

/// What an inventory covers.
#[derive(Debug, Clone)]
pub enum InventoryScope {
    Org(CreditCode),
    Park(String),
    Region(Region),
}

/// The built-in catalog with every user set on top.
pub fn catalog(store: &mut dyn Store) -> Result<Catalog, AppError> {
    // The built-in set is compiled in: parsed once per process, not once per request.
    static BUILTIN: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    let mut c = BUILTIN.get_or_init(Catalog::builtin).clone();
    c.add_set(store.user_factors()?)?;
    Ok(c)
}

/// An enterprise's inputs for a year: its current ledger rows, and, when the certificate
/// registry holds certificates retired for its consumption in that year, those too
/// (granular certificates first, then GECs): ledger certificate rows without serials give
/// way to them, ledger serials also retired in the registry count once; and the MWh of
/// its own generation whose certificates went to others. Returns notes saying what was
/// replaced or counted once.
pub(crate) fn org_input(
    store: &mut dyn Store,
    access: &Access,
    code: &CreditCode,
    year: i32,
    certs: Option<&Registry>,
) -> Result<(OrgInput, Vec<String>), AppError> {
    let org = store.org(access, code)?.ok_or_else(|| {
        AppError::NotFound(format!(
            "enterprise {code} is not registered (or not visible to you)"
        ))
    })?;
    let lines = ledger_lines(store, access, code, year)?;
    org_input_from(store, org, year, lines, certs)
}

/// An enterprise's stored ledger rows of `year` as accounting lines.
pub(crate) fn ledger_lines(
    store: &mut dyn Store,
    access: &Access,
    code: &CreditCode,
    year: i32,
) -> Result<Vec<ActivityLine>, AppError> {
    store
        .activity(access, code, year)?
        .into_iter()
        .map(ledger_line)
        .collect()
}

/// [`org_input`] from ledger lines already read (a park's view reads them once for the
/// year and its months).
pub(crate) fn org_input_from(
    store: &mut dyn Store,
    org: zp_store::Org,
    year: i32,
    mut lines: Vec<ActivityLine>,
    certs: Option<&Registry>,
) -> Result<(OrgInput, Vec<String>), AppError> {
    let code = &org.credit_code;
    let mut notes = Vec::new();
    let registry_lines = certs
        .map(|r| certificate_lines(r, code, year))
        .unwrap_or_default();
    if let (Some(reg), false) = (certs, registry_lines.is_empty()) {
        count_registry_once(reg, code, year, &mut lines, &mut notes);
        lines.extend(registry_lines);
    }
    let sold = match certs {
        Some(reg) => {
            let own: Vec<String> = store
                .meters(&Access::All, &zp_store::MeterFilter::of_org(code))?
                .into_iter()
                .filter(|m| m.kind == zp_store::MeterKind::Generation)
                .map(|m| m.meter)
                .collect();
            crate::serials::onsite_certificates_sold_mwh(reg, code, &own, year)
        }
        None => Decimal::ZERO,
    };
    let input = OrgInput {
        name: org.name,
        region: org.region,
        year,
        lines,
        output_value_10k_yuan: store.output_value(code, year)?,
        onsite_certificates_sold_mwh: sold,
        org: org.credit_code,
    };
    Ok((input, notes))
}

/// A stored ledger row as an accounting line, with its steam state and serials.
pub(crate) fn ledger_line(r: zp_store::ActivityRecord) -> Result<ActivityLine, AppError> {
    let number = |k: &str| {
        r.attrs
            .get(k)
            .map(|v| {
                v.parse::<Decimal>().map_err(|_| {
                    AppError::Invalid(format!(
                        "stored activity row {} has {k} {v:?}, not a number",
                        r.id
                    ))
                })
            })
            .transpose()
    };
    let steam = match number("pressure_mpa")? {
        Some(pressure_mpa) if r.carrier.category() == CarrierCategory::PurchasedSteam => {
            Some(SteamState {
                pressure_mpa,
                temperature_c: number("temperature_c")?,
            })
        }
        _ => None,
    };
    Ok(ActivityLine {
        id: r.id,
        period: r.period,
        carrier: r.carrier,
        quantity: r.quantity,
        source: format!("{}:{}", r.source_file, r.source_row),
        steam,
        serials: (r.carrier == Carrier::GreenCertificate)
            .then(|| r.attrs.get("serials").cloned())
            .flatten(),
    })
}

/// The registry holds retirements for the enterprise this year: ledger certificate rows
/// without serials give way to them (they cannot be told apart), and ledger serials the
/// registry also retired for the enterprise count once.
fn count_registry_once(
    reg: &Registry,
    code: &CreditCode,
    year: i32,
    lines: &mut Vec<ActivityLine>,
    notes: &mut Vec<String>,
) {
    let unnamed = lines
        .iter()
        .filter(|l| l.carrier == Carrier::GreenCertificate && l.serials.is_none())
        .count();
    if unnamed > 0 {
        notes.push(format!(
            "{unnamed} ledger green_certificate row(s) without serials replaced by the certificate registry's retirements for {year}"
        ));
    }
    lines.retain(|l| l.carrier != Carrier::GreenCertificate || l.serials.is_some());
    for l in lines.iter_mut() {
        let Some(set) = l.serials.as_deref().and_then(|s| SerialSet::parse(s).ok()) else {
            continue;
        };
        let twice = crate::serials::also_in_registry(reg, code, &set);
        if twice == 0 {
            continue;
        }
        let mwh = l.quantity.value_in(Unit::Mwh).unwrap_or(l.quantity.value);
        let left = (mwh - Decimal::from(twice)).max(Decimal::ZERO);
        l.quantity = Quantity::new(left, Unit::Mwh);
        notes.push(format!(
            "{twice} certificate(s) of {} are also retired in the certificate registry for {code}: counted once",
            l.source
        ));
    }
}

/// The registry's certificates retired for `consumer`'s consumption in `year`, one line
/// per granularity and month (MWh, exact from Wh), granular first. Line ids are negative
/// (they are not ledger rows); the source names the bundles.
fn certificate_lines(reg: &Registry, consumer: &CreditCode, year: i32) -> Vec<ActivityLine> {
    let mut by_month: BTreeMap<(u8, Period), (u64, Vec<u64>)> = BTreeMap::new();
    for b in reg.retired_for(consumer) {
        let Some((_, consumption, _)) = b.status.retirement() else {
            continue;
        };
        let (rank, period) = match consumption {
            Consumption::Hour { hour_start } => {
                let d = zp_domain::time::local(hour_start);
                (0, Period::new(i32::from(d.year()), d.month() as u32))
            }
            Consumption::Month { period } => (1, Ok(period)),
        };
        let Ok(period) = period else { continue };
        if period.year() != year {
            continue;
        }
        let e = by_month.entry((rank, period)).or_default();
        e.0 += b.energy_wh;
        e.1.push(b.id.0);
    }
    by_month
        .into_iter()
        .enumerate()
        .map(|(i, ((rank, period), (wh, ids)))| ActivityLine {
            steam: None,
            serials: None,
            id: -(i as i64) - 1,
            period,
            carrier: Carrier::GreenCertificate,
            quantity: Quantity::new(Decimal::from(wh) / Decimal::from(1_000_000u64), Unit::Mwh),
            source: format!(
                "registry:{} bundles {}",
                if rank == 0 { "granular" } else { "GEC" },
                compact_ids(&ids)
            ),
        })
        .collect()
}

/// `1-4,7,9-10` from sorted-or-not bundle ids.
fn compact_ids(ids: &[u64]) -> String {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ids.len() {
        let mut j = i;
        while j + 1 < ids.len() && ids[j + 1] == ids[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            ids[i].to_string()
        } else {
            format!("{}-{}", ids[i], ids[j])
        });
        i = j + 1;
    }
    out.join(",")
}

/// Computes (and issues) the inventory of one enterprise with its pinned factors. The
/// first computation for an (enterprise, year, grid mode) pins the factors it selected;
/// later ones reuse them until `recompute`.
pub fn org_inventory(
    store: &mut dyn Store,
    catalog: &Catalog,
    access: &Access,
    code: &CreditCode,
    year: i32,
    grid: GridFactorMode,
    actor: &str,
) -> Result<Inventory, AppError> {
    let certs = crate::certs::stored_registry(store)?;
    org_inventory_with(
        store,
        catalog,
        access,
        code,
        year,
        grid,
        certs.as_deref(),
        actor,
    )
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn org_inventory_with(
    store: &mut dyn Store,
    catalog: &Catalog,
    access: &Access,
    code: &CreditCode,
    year: i32,
    grid: GridFactorMode,
    certs: Option<&Registry>,
    actor: &str,
) -> Result<Inventory, AppError> {
    let (input, notes) = org_input(store, access, code, year, certs)?;
    let (inv, _) = issue(store, catalog, input, notes, grid, actor)?;
    Ok(inv)
}

/// Computes an enterprise's inventory with the factors its issued result is pinned to and
/// issues it when it is new or changed. Returns it with the pins now on record.
pub(crate) fn issue(
    store: &mut dyn Store,
    catalog: &Catalog,
    input: OrgInput,
    notes: Vec<String>,
    grid: GridFactorMode,
    actor: &str,
) -> Result<(Inventory, zp_factors::Pins), AppError> {
    let (code, year) = (input.org.clone(), input.year);
    let issued = store.issued(code.as_str(), year, grid.key())?;
    let mut pins = issued.as_ref().map(|i| i.pins.clone()).unwrap_or_default();
    let mut inv = compute(&input, catalog, &mut pins, Options { grid })?;
    inv.notes.extend(notes);
    let figures =
        serde_json::to_value(headline(&inv)).map_err(|e| AppError::Invalid(e.to_string()))?;
    let unchanged = issued
        .as_ref()
        .is_some_and(|i| i.pins == pins && i.figures == figures);
    if !unchanged {
        // Issuing on first computation is the system's act, not the viewer's: the audit
        // log names the system and who asked (web-platform issue, section 6).
        store.save_issued(
            &IssuedResult {
                scope: code.to_string(),
                year,
                grid_mode: grid.key().into(),
                pins: pins.clone(),
                figures,
                issued_at: String::new(),
                updated_at: String::new(),
            },
            &format!("system:issue (requested by {actor})"),
        )?;
    }
    Ok((inv, pins))
}

/// The headline figures kept with an issued result (what `recompute` compares).
pub(crate) fn headline(inv: &Inventory) -> serde_json::Map<String, serde_json::Value> {
    let v = serde_json::to_value(inv).unwrap_or_default();
    const KEYS: [&str; 8] = [
        "energy_tce",
        "scope1_tco2",
        "scope2_location_tco2",
        "scope2_market_tco2",
        "intensity_location_tco2_per_tce",
        "intensity_market_tco2_per_tce",
        "electricity_mwh",
        "clean_electricity_share",
    ];
    KEYS.iter()
        .map(|k| (k.to_string(), v.get(*k).cloned().unwrap_or_default()))
        .collect()
}

/// [`inventory`] with electricity converted at the chosen coefficient. The coal-equivalent
/// variant is computed from the issued inventory and is not issued itself.
pub fn inventory_with(
    store: &mut dyn Store,
    access: &Access,
    scope: &InventoryScope,
    year: i32,
    grid: GridFactorMode,
    electricity: zp_accounting::ElectricityTce,
    actor: &str,
) -> Result<Inventory, AppError> {
    let inv = inventory(store, access, scope, year, grid, actor)?;
    match electricity {
        zp_accounting::ElectricityTce::Calorific => Ok(inv),
        zp_accounting::ElectricityTce::CoalEquivalent => Ok(
            zp_accounting::with_coal_equivalent_electricity(&inv, &catalog(store)?)?,
        ),
    }
}

/// The inventory of an enterprise, or the sum over a park's or region's enterprises.
pub fn inventory(
    store: &mut dyn Store,
    access: &Access,
    scope: &InventoryScope,
    year: i32,
    grid: GridFactorMode,
    actor: &str,
) -> Result<Inventory, AppError> {
    let catalog = catalog(store)?;
    let (kind, name, filter) = match scope {
        InventoryScope::Org(code) => {
            return org_inventory(store, &catalog, access, code, year, grid, actor);
        }
        InventoryScope::Park(p) => {
            if store.park(access, p)?.is_none() {
                return Err(AppError::NotFound(format!(
                    "park {p:?} is not registered (or not visible to you)"
                )));
            }
            (
                "park",
                p.clone(),
                OrgFilter {
                    park: Some(p.clone()),
                    region: None,
                },
            )
        }
        InventoryScope::Region(r) => (
            "region",
            r.code().to_string(),
            OrgFilter {
                park: None,
                region: Some(*r),
            },
        ),
    };
    let orgs = store.orgs(access, &filter)?;
    let certs = crate::certs::stored_registry(store)?;
    let members = orgs
        .iter()
        .map(|o| {
            org_inventory_with(
                store,
                &catalog,
                access,
                &o.credit_code,
                year,
                grid,
                certs.as_deref(),
                actor,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(aggregate(kind, &name, year, &members))
}

//! Inventories of an enterprise, a park or a region, issued with pinned factors.

use crate::AppError;
use zp_accounting::{
    ActivityLine, GridFactorMode, Inventory, Options, OrgInput, aggregate, compute,
};
use zp_domain::{CreditCode, Region};
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
    let mut c = Catalog::builtin();
    c.add_set(store.user_factors()?)?;
    Ok(c)
}

pub(crate) fn org_input(
    store: &mut dyn Store,
    access: &Access,
    code: &CreditCode,
    year: i32,
) -> Result<OrgInput, AppError> {
    let org = store.org(access, code)?.ok_or_else(|| {
        AppError::NotFound(format!(
            "enterprise {code} is not registered (or not visible to you)"
        ))
    })?;
    let lines = store
        .activity(access, code, year)?
        .into_iter()
        .map(|r| ActivityLine {
            id: r.id,
            period: r.period,
            carrier: r.carrier,
            quantity: r.quantity,
            source: format!("{}:{}", r.source_file, r.source_row),
        })
        .collect();
    Ok(OrgInput {
        org: org.credit_code,
        name: org.name,
        region: org.region,
        year,
        lines,
        output_value_10k_yuan: store.output_value(code, year)?,
    })
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
    let input = org_input(store, access, code, year)?;
    let issued = store.issued(code.as_str(), year, grid.key())?;
    let mut pins = issued.as_ref().map(|i| i.pins.clone()).unwrap_or_default();
    let inv = compute(&input, catalog, &mut pins, Options { grid })?;
    let figures =
        serde_json::to_value(headline(&inv)).map_err(|e| AppError::Invalid(e.to_string()))?;
    let unchanged = issued
        .as_ref()
        .is_some_and(|i| i.pins == pins && i.figures == figures);
    if !unchanged {
        store.save_issued(
            &IssuedResult {
                scope: code.to_string(),
                year,
                grid_mode: grid.key().into(),
                pins,
                figures,
                issued_at: String::new(),
                updated_at: String::new(),
            },
            actor,
        )?;
    }
    Ok(inv)
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
    let members = orgs
        .iter()
        .map(|o| org_inventory(store, &catalog, access, &o.credit_code, year, grid, actor))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(aggregate(kind, &name, year, &members))
}

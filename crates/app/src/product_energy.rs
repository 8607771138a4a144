//! An enterprise's year by product, shared by the benchmark and the footprint: its issued
//! inventory (provincial grid factor, pinned factors), its production records summed per
//! product, CN code and route, and the inventories of the ledger rows under each route's
//! site (as `report cbam` reads them), so a figure can be allocated to products by route
//! or by output mass (`zp_energy::benchmark::allocate`).

use crate::{AppError, Caller};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use zp_accounting::{ActivityLine, GridFactorMode, Inventory, Options, OrgInput, compute};
use zp_domain::CreditCode;
use zp_domain::records::{Access, Org};
use zp_energy::benchmark::{Method, ProductOutput, allocate};
use zp_factors::Catalog;
use zp_store::{ActivityRecord, Store};

/// One production line of the year: a product on a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub cn_code: String,
    pub product: String,
    pub route: String,
    pub output_t: Decimal,
    /// `file:row` of the production records.
    pub rows: Vec<String>,
}

/// An enterprise's year: inventory, route inventories and production lines.
pub(crate) struct EnterpriseYear {
    pub org: Org,
    pub inventory: Inventory,
    pub routes: BTreeMap<String, Inventory>,
    pub lines: Vec<Line>,
}

/// Whether `a` names the same product as a production line (CN code or name, trimmed and
/// case-insensitive).
pub(crate) fn same_product(name: &str, cn_code: &str, other: &str) -> bool {
    let o = other.trim().to_lowercase();
    o == name.trim().to_lowercase() || o == cn_code.trim().to_lowercase()
}

/// The enterprise's year within `access`; `NotFound` when it is not visible, `Invalid`
/// when it has no production records for the year.
pub(crate) fn enterprise_year(
    store: &mut dyn Store,
    catalog: &Catalog,
    access: &Access,
    code: &CreditCode,
    year: i32,
    actor: &str,
) -> Result<EnterpriseYear, AppError> {
    let org = store.org(access, code)?.ok_or_else(|| {
        AppError::NotFound(format!(
            "enterprise {code} is not registered (or not visible to you)"
        ))
    })?;
    let mut by: BTreeMap<(String, String, String), Line> = BTreeMap::new();
    for r in store.production(access, code, year)? {
        let line = by
            .entry((r.cn_code.clone(), r.product.clone(), r.route.clone()))
            .or_insert_with(|| Line {
                cn_code: r.cn_code.clone(),
                product: r.product.clone(),
                route: r.route.clone(),
                output_t: Decimal::ZERO,
                rows: Vec::new(),
            });
        line.output_t += r.quantity_t;
        line.rows
            .push(format!("{}:{}", r.source_file, r.source_row));
    }
    if by.is_empty() {
        return Err(AppError::Invalid(format!(
            "enterprise {code} has no production records for {year}: import them first (zeropark import production FILE)"
        )));
    }
    let grid = GridFactorMode::Provincial;
    let inventory = crate::org_inventory(store, catalog, access, code, year, grid, actor)?;
    let named = by.values().map(|l| l.route.clone());
    let records = store.activity(access, code, year)?;
    let routes = route_inventories(store, catalog, &org, year, grid, &records, named)?;
    Ok(EnterpriseYear {
        org,
        inventory,
        routes,
        lines: by.into_values().collect(),
    })
}

/// The accounting input of `lines`, a part of `org`'s `year` (a route, a month, a
/// building): no output value, no on-site certificates sold.
pub(crate) fn part_input(org: &Org, year: i32, lines: Vec<ActivityLine>) -> OrgInput {
    OrgInput {
        org: org.credit_code.clone(),
        name: org.name.clone(),
        region: org.region,
        year,
        lines,
        output_value_10k_yuan: None,
        onsite_certificates_sold_mwh: Decimal::ZERO,
    }
}

/// The inventory of each named route's own ledger rows (site = route) among `records` of
/// `org`'s `year`, with the issued inventory's pins; unnamed routes and routes without
/// rows are left out.
pub(crate) fn route_inventories(
    store: &mut dyn Store,
    catalog: &Catalog,
    org: &Org,
    year: i32,
    grid: GridFactorMode,
    records: &[ActivityRecord],
    routes: impl IntoIterator<Item = String>,
) -> Result<BTreeMap<String, Inventory>, AppError> {
    let mut pins = store
        .issued(org.credit_code.as_str(), year, grid.key())?
        .map(|i| i.pins)
        .unwrap_or_default();
    let named: BTreeSet<String> = routes.into_iter().filter(|r| !r.is_empty()).collect();
    let mut out = BTreeMap::new();
    for route in named {
        let lines: Vec<ActivityLine> = records
            .iter()
            .filter(|r| r.site == route)
            .cloned()
            .map(crate::inventory::ledger_line)
            .collect::<Result<_, _>>()?;
        if lines.is_empty() {
            continue;
        }
        let input = part_input(org, year, lines);
        out.insert(
            route,
            compute(&input, catalog, &mut pins, Options { grid })?,
        );
    }
    Ok(out)
}

impl EnterpriseYear {
    /// `figure` of the whole enterprise allocated to each line (in `lines` order).
    pub fn allocate(
        &self,
        figure: impl Fn(&Inventory) -> Decimal,
        by_route: bool,
    ) -> (Vec<Decimal>, Method) {
        let routes: BTreeMap<String, Decimal> = self
            .routes
            .iter()
            .map(|(k, inv)| (k.clone(), figure(inv)))
            .collect();
        let outputs: Vec<ProductOutput> = self
            .lines
            .iter()
            .map(|l| ProductOutput {
                output_t: l.output_t,
                route: l.route.clone(),
            })
            .collect();
        allocate(figure(&self.inventory), &routes, &outputs, by_route)
    }

    /// The factor ids the inventory used.
    pub fn factor_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .inventory
            .factors
            .iter()
            .map(|f| f.id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

/// The factor sets of the catalog: the built-in set and every user set, oldest first.
pub(crate) fn factor_sets(store: &mut dyn Store) -> Result<Vec<String>, AppError> {
    let mut sets = vec![zp_factors::BUILTIN_SET.to_string()];
    sets.extend(
        store
            .factor_sets()?
            .into_iter()
            .map(|s| format!("{} ({})", s.name, s.sha256)),
    );
    Ok(sets)
}

/// Whether the caller may see other enterprises' names and codes.
pub(crate) fn sees_names(caller: &Caller) -> bool {
    caller.is_unscoped()
}

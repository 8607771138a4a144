//! `zeropark report cbam`: the installation's issued inventory (provincial factor), its
//! production records, the inventories of the ledger rows under each route's site, and the
//! certificates retired for it hour by hour, handed to `zp_reports::cbam::build`.

use super::report_err;
use crate::{AppError, Caller};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use zp_accounting::GridFactorMode;
use zp_certs::Consumption;
use zp_domain::CreditCode;
use zp_factors::Slot;
use zp_reports::Lang;
use zp_reports::cbam::{
    AllocationChoice, CbamInput, CbamReport, DEFAULT_NOT_SHIPPED, ElectricityFactor,
    ElectricityOption, Emissions, Installation, ProductionLine, build,
};
use zp_store::Store;

/// MWh of `year` covered by certificates retired for `code`'s consumption in the hour they
/// were produced, and the bundles they are in.
fn hourly_matched(
    store: &mut dyn Store,
    code: &CreditCode,
    year: i32,
) -> Result<(Decimal, String), AppError> {
    let Some(reg) = crate::certs::stored_registry(store)? else {
        return Ok((Decimal::ZERO, "no certificate registry".into()));
    };
    let mut wh: u64 = 0;
    let mut ids = Vec::new();
    for b in reg.bundles() {
        let Some((consumer, Consumption::Hour { hour_start }, _)) = b.status.retirement() else {
            continue;
        };
        if consumer != code || zp_domain::time::local(hour_start).year() as i32 != year {
            continue;
        }
        wh += b.energy_wh;
        ids.push(b.id.0.to_string());
    }
    let source = if ids.is_empty() {
        "no certificates retired hour by hour".to_string()
    } else {
        format!("certificate registry, granular bundles {}", ids.join(","))
    };
    Ok((Decimal::from(wh) / Decimal::from(1_000_000u64), source))
}

/// `zeropark report cbam --org CODE --year Y [--electricity-factor ...]`: embedded
/// emissions of the enterprise's goods. `default` is refused ([`DEFAULT_NOT_SHIPPED`]).
pub fn cbam_report(
    store: &mut dyn Store,
    caller: &Caller,
    code: &CreditCode,
    year: i32,
    option: ElectricityOption,
    allocation: AllocationChoice,
    lang: Lang,
) -> Result<CbamReport, AppError> {
    if option == ElectricityOption::Default {
        return Err(AppError::Invalid(DEFAULT_NOT_SHIPPED.into()));
    }
    let access = &caller.access;
    let org = crate::energy::visible_org(store, caller, code)?;
    let catalog = crate::catalog(store)?;
    let grid = GridFactorMode::Provincial;
    let inv = crate::org_inventory(store, &catalog, access, code, year, grid, &caller.actor)?;

    // Production, summed over the year per product, CN code and route.
    let mut production: BTreeMap<(String, String, String), ProductionLine> = BTreeMap::new();
    for r in store.production(access, code, year)? {
        let line = production
            .entry((r.cn_code.clone(), r.route.clone(), r.product.clone()))
            .or_insert_with(|| ProductionLine {
                cn_code: r.cn_code.clone(),
                product: r.product.clone(),
                route: r.route.clone(),
                quantity_t: Decimal::ZERO,
                rows: Vec::new(),
            });
        line.quantity_t += r.quantity_t;
        line.rows
            .push(format!("{}:{}", r.source_file, r.source_row));
    }

    // Each named route's own ledger rows (site = route), with the issued inventory's pins.
    let records = store.activity(access, code, year)?;
    let named = production.values().map(|p| p.route.clone());
    let routes: BTreeMap<String, Emissions> = crate::product_energy::route_inventories(
        store, &catalog, &org, year, grid, &records, named,
    )?
    .into_iter()
    .map(|(route, part)| (route, Emissions::from_inventory(&part)))
    .collect();

    // The location-based factor of the inventory (or, without grid electricity, the one
    // the catalog selects for the province and year).
    let (factor_id, value, source) = match inv
        .factors
        .iter()
        .find(|f| f.slot.starts_with("grid_location/"))
    {
        Some(f) => (
            f.id.clone(),
            f.value,
            match &f.note {
                Some(n) => format!("{}; {n}", f.source),
                None => f.source.clone(),
            },
        ),
        None => {
            let sel = catalog.select(Slot::LocationGrid {
                region: org.region,
                year,
            })?;
            let mut src = sel.factor.source();
            if let Some(n) = sel.note {
                src = format!("{src}; {n}");
            }
            (sel.factor.id.clone(), sel.factor.value, src)
        }
    };
    let (matched_mwh, matched_source) = match option {
        ElectricityOption::Matched => hourly_matched(store, code, year)?,
        _ => (Decimal::ZERO, String::new()),
    };
    let sites = super::sites_of(store, access, code, &records)?;
    // Purchased materials imported for footprints (`import materials`): named as the
    // candidate precursors, never priced here.
    let materials = store.materials(access, code, year)?;
    let mut report = build(CbamInput {
        lang,
        installation: Installation {
            credit_code: org.credit_code.to_string(),
            name: org.name.clone(),
            country: "CN".into(),
            region: org.region.code().into(),
            region_name: lang.pick(org.region.name_zh(), org.region.name_en()).into(),
            industry: org.industry.clone(),
            park: org.park.clone(),
            sites,
        },
        year,
        electricity: ElectricityFactor {
            option,
            grid_tco2_per_mwh: value,
            grid_factor_id: factor_id,
            grid_factor_source: source,
            matched_mwh,
            matched_source,
        },
        whole: Emissions::from_inventory(&inv),
        routes,
        production: production.into_values().collect(),
        allocation,
    })
    .map_err(report_err)?;
    if !materials.is_empty() {
        let list: Vec<String> = materials
            .iter()
            .map(|m| {
                format!(
                    "{}: {} {} {} ({} kgCO2e/{}, {})",
                    m.product,
                    m.material,
                    m.quantity.normalize(),
                    m.unit,
                    m.kgco2e_per_unit.normalize(),
                    m.unit,
                    m.source
                )
            })
            .collect();
        report.notes.push(format!(
            "{}{}",
            lang.pick(
                "产品碳足迹导入的外购原材料（前体候选，未计入本报告）：",
                "Purchased materials imported for product footprints (candidate precursors, not counted in this report): "
            ),
            list.join("; ")
        ));
    }
    Ok(report)
}

//! Product carbon footprint, cradle to gate (产品碳足迹, structure of GB/T 24067 and
//! ISO 14067): `zeropark import materials FILE` (purchased materials of a product with
//! their emission factor and its source) and `zeropark report footprint --org CODE
//! --product NAME --year Y`: the enterprise's Scope 1 and Scope 2 (location-based) of the
//! year's issued inventory allocated to the product (by route or output mass, as the
//! benchmark allocates energy), plus its materials, by stage (`zp_energy::footprint`).

use crate::benchmark::{decimal_cell, reject};
use crate::product_energy::{enterprise_year, factor_sets, same_product};
use crate::{AppError, Caller, ImportError, ImportOutcome};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use zp_domain::CreditCode;
use zp_domain::template::write;
use zp_energy::benchmark::Method;
use zp_energy::footprint::{Footprint, MaterialInput, footprint};
use zp_ingest::{Columns, Limits, Table, read_table};
use zp_store::{ImportRows, ProductMaterial, Rejected, Store};

/// The import kind recorded on batches and quarantine rows.
pub const MATERIALS_KIND: &str = "materials";

const SPEC: &[(&str, &[&str], bool)] = &[
    ("credit_code", &["统一社会信用代码", "信用代码"], true),
    ("year", &["年份"], true),
    ("product", &["产品", "产品名称"], true),
    ("material", &["原材料", "物料"], true),
    ("quantity", &["数量", "用量"], true),
    ("unit", &["单位"], true),
    ("kgco2e_per_unit", &["排放因子", "因子"], true),
    ("source", &["来源", "因子来源"], true),
];

/// The reasons a materials row is quarantined with, as `(code, template)` pairs (issue 14:
/// a page recognises the code and writes the reason in its language). A number that is not
/// one or is negative and a row the file gave before are the shared `quantity.*` and
/// `file.other_values`.
pub const REASONS_EN: &[(&str, &str)] = &[
    (
        "materials.year",
        "{value} is not a four-digit year between 1990 and 2100",
    ),
    (
        "materials.product_empty",
        "empty: name the product as in production records",
    ),
    ("materials.material_empty", "empty: name the material"),
    (
        "materials.unit_empty",
        "empty: give the quantity's unit (t, kWh, m3 ...)",
    ),
    (
        "materials.source_empty",
        "empty: cite the factor's source (database, EPD, supplier declaration)",
    ),
];

fn non_negative(
    raw: &str,
    field: &'static str,
    problems: &mut Vec<(&'static str, String)>,
) -> Option<Decimal> {
    let d = decimal_cell(raw, field, problems)?;
    if d < Decimal::ZERO {
        let value = d.to_string();
        let why = write(
            zp_ingest::REASONS_EN,
            "quantity.negative",
            &[("value", &value)],
        );
        problems.push((field, why));
        return None;
    }
    Some(d.normalize())
}

/// A four-digit year between 1990 and 2100.
fn year_of(raw: &str) -> Result<i32, String> {
    let t = raw.trim();
    match t.parse::<i32>() {
        Ok(y) if t.len() == 4 && (1990..=2100).contains(&y) => Ok(y),
        _ => Err(write(
            REASONS_EN,
            "materials.year",
            &[("value", &format!("{t:?}"))],
        )),
    }
}

pub(crate) fn validate(
    table: &Table,
    visible: &HashSet<CreditCode>,
) -> Result<(Vec<ProductMaterial>, Vec<Rejected>), ImportError> {
    let cols = Columns::resolve(table, SPEC)?;
    let mut rows: Vec<ProductMaterial> = Vec::new();
    let mut rejected = Vec::new();
    let mut seen: BTreeMap<(String, i32, String, String), usize> = BTreeMap::new();
    for (row, cells) in &table.rows {
        if let Some(r) = table.check_row(*row, cells) {
            rejected.push(r);
            continue;
        }
        let mut problems: Vec<(&'static str, String)> = Vec::new();
        let code = crate::batch::visible_code(cols.get(0, cells), visible, &mut problems);
        let year = match year_of(cols.get(1, cells)) {
            Ok(y) => Some(y),
            Err(e) => {
                problems.push(("year", e));
                None
            }
        };
        let mut text = |n: usize, field: &'static str, code: &str| {
            let v = cols.get(n, cells).trim().to_string();
            if v.is_empty() {
                problems.push((field, write(REASONS_EN, code, &[])));
            }
            v
        };
        let product = text(2, "product", "materials.product_empty");
        let material = text(3, "material", "materials.material_empty");
        let unit = text(5, "unit", "materials.unit_empty");
        let source = text(7, "source", "materials.source_empty");
        let quantity = non_negative(cols.get(4, cells), "quantity", &mut problems);
        let factor = non_negative(cols.get(6, cells), "kgco2e_per_unit", &mut problems);
        let (Some(code), Some(year), Some(quantity), Some(kg), true) =
            (code, year, quantity, factor, problems.is_empty())
        else {
            rejected.extend(reject(*row, cells, problems));
            continue;
        };
        let m = ProductMaterial {
            credit_code: code,
            year,
            product,
            material,
            quantity,
            unit,
            kgco2e_per_unit: kg,
            source,
            row: *row,
            source_file: table.file.clone(),
        };
        let key = (
            m.credit_code.to_string(),
            year,
            m.product.clone(),
            m.material.clone(),
        );
        if let Some(i) = seen.get(&key) {
            let first = &rows[*i];
            // A verbatim repeat is accepted (a duplicate); other values are refused.
            if (
                first.quantity,
                &first.unit,
                first.kgco2e_per_unit,
                &first.source,
            ) != (m.quantity, &m.unit, m.kgco2e_per_unit, &m.source)
            {
                rejected.extend(reject(
                    *row,
                    cells,
                    vec![(
                        "quantity",
                        write(
                            crate::batch::REASONS_EN,
                            "file.other_values",
                            &[
                                ("row", &first.row.to_string()),
                                ("key", &format!("{} {} {}", key.0, key.2, key.3)),
                            ],
                        ),
                    )],
                ));
            }
            continue;
        }
        seen.insert(key, rows.len());
        rows.push(m);
    }
    rejected.sort_by_key(|r| r.row);
    Ok((rows, rejected))
}

/// Imports a materials table already read, as `caller`: rows of enterprises outside the
/// caller's access are quarantined like unknown ones.
pub fn import_materials_table(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<ImportOutcome, ImportError> {
    let (rows, rejected) = validate(table, &crate::batch::visible_codes(store, caller)?)?;
    let meta = crate::batch::batch_meta(MATERIALS_KIND, table, &caller.actor);
    let counts =
        store.import_materials(ImportRows::new(&meta, &rows, &rejected, table.rows.len()))?;
    Ok(ImportOutcome::of(MATERIALS_KIND, table, counts, rejected))
}

/// `zeropark import materials FILE`.
pub fn import_materials(
    store: &mut dyn Store,
    caller: &Caller,
    path: &Path,
) -> Result<ImportOutcome, ImportError> {
    let table = read_table(path, Limits::default())?;
    import_materials_table(store, caller, &table)
}

/// `zeropark report footprint`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FootprintReport {
    pub credit_code: String,
    pub name: String,
    pub product: String,
    pub cn_code: String,
    pub year: i32,
    /// `cradle_to_gate`.
    pub boundary: &'static str,
    pub method: &'static str,
    /// `whole_enterprise`, `route` or `mass_share`.
    pub allocation: Method,
    pub allocation_statement: String,
    /// The enterprise's figures the product's share is taken from.
    pub enterprise_energy_tce: Decimal,
    pub enterprise_scope1_tco2: Decimal,
    pub enterprise_scope2_location_tco2: Decimal,
    /// The product's share.
    pub energy_tce: Decimal,
    pub scope1_tco2e: Decimal,
    pub scope2_location_tco2e: Decimal,
    #[serde(flatten)]
    pub footprint: Footprint,
    pub production_rows: Vec<String>,
    /// The inventory's factors (pinned) and the catalog's sets.
    pub factor_ids: Vec<String>,
    pub factor_sets: Vec<String>,
    pub grid_factor: String,
    pub notes: Vec<String>,
}

/// `zeropark report footprint --org CODE --product NAME --year Y [--allocation mass|route]`.
/// Refused (`Invalid`) when the enterprise has no production records of the product (by
/// name or CN code) in the year.
pub fn footprint_report(
    store: &mut dyn Store,
    caller: &Caller,
    code: &CreditCode,
    product: &str,
    year: i32,
    by_route: bool,
) -> Result<FootprintReport, AppError> {
    let catalog = crate::catalog(store)?;
    let y = enterprise_year(store, &catalog, &caller.access, code, year, &caller.actor)?;
    let idx: Vec<usize> = (0..y.lines.len())
        .filter(|i| same_product(&y.lines[*i].product, &y.lines[*i].cn_code, product))
        .collect();
    if idx.is_empty() {
        let made: Vec<String> = y
            .lines
            .iter()
            .map(|l| format!("{} ({})", l.product, l.cn_code))
            .collect();
        return Err(AppError::Invalid(format!(
            "enterprise {code} has no production records of {product:?} in {year}; it made: {}",
            made.join(", ")
        )));
    }
    let (energy, method) = y.allocate(|i| i.energy_tce, by_route);
    let (scope1, _) = y.allocate(|i| i.scope1_tco2, by_route);
    let (scope2, _) = y.allocate(|i| i.scope2_location_tco2, by_route);
    let sum = |v: &[Decimal]| -> Decimal { idx.iter().map(|i| v[*i]).sum() };
    let output_t: Decimal = idx.iter().map(|i| y.lines[*i].output_t).sum();
    let first = &y.lines[idx[0]];
    let materials: Vec<MaterialInput> = store
        .materials(&caller.access, code, year)?
        .into_iter()
        .filter(|m| same_product(&first.product, &first.cn_code, &m.product))
        .map(|m| MaterialInput {
            material: m.material,
            quantity: m.quantity,
            unit: m.unit,
            kgco2e_per_unit: m.kgco2e_per_unit,
            source: m.source,
            input_row: format!("{}:{}", m.source_file, m.row),
        })
        .collect();
    let (s1, s2) = (sum(&scope1), sum(&scope2));
    let mut notes = vec![
        "Direct and purchased-energy stages come from the same issued inventory as `report cbam`'s embedded emissions; the materials listed here are the candidates for CBAM precursors.".to_string(),
    ];
    if materials.is_empty() {
        notes.push(format!(
            "no purchased materials imported for {} in {year} (zeropark import materials FILE): the raw-materials stage is 0",
            first.product
        ));
    }
    if by_route && method == Method::MassShare {
        notes.push("allocation by route asked, but not every product names a route with ledger rows: by output mass".into());
    }
    let allocation_statement = match method {
        Method::WholeEnterprise => "one product: all of the enterprise's emissions".to_string(),
        Method::Route => "by production route: each route's ledger rows (site = route); shared rows by output mass".to_string(),
        Method::MassShare => format!(
            "by output mass: {} t of {} t produced",
            output_t.normalize(),
            y.lines.iter().map(|l| l.output_t).sum::<Decimal>().normalize()
        ),
    };
    let mut rows: Vec<String> = idx.iter().flat_map(|i| y.lines[*i].rows.clone()).collect();
    rows.sort();
    Ok(FootprintReport {
        credit_code: y.org.credit_code.to_string(),
        name: y.org.name.clone(),
        product: first.product.clone(),
        cn_code: first.cn_code.clone(),
        year,
        boundary: "cradle_to_gate",
        method: "GB/T 24067 / ISO 14067 structure: raw materials, energy and process (direct), purchased electricity and heat (Scope 2 location-based)",
        allocation: method,
        allocation_statement,
        enterprise_energy_tce: y.inventory.energy_tce,
        enterprise_scope1_tco2: y.inventory.scope1_tco2,
        enterprise_scope2_location_tco2: y.inventory.scope2_location_tco2,
        energy_tce: sum(&energy),
        scope1_tco2e: s1,
        scope2_location_tco2e: s2,
        footprint: footprint(output_t, s1, s2, &materials),
        production_rows: rows,
        factor_ids: y.factor_ids(),
        factor_sets: factor_sets(store)?,
        grid_factor: y.inventory.grid_factor.clone(),
        notes,
    })
}

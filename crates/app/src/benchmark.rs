//! Benchmarking (能效对标): `zeropark import energy-limits FILE` (the levels of the
//! energy-consumption limit standards, 单位产品能源消耗限额, with their source) and
//! `zeropark report benchmark --org CODE --year Y` (each product's energy intensity against
//! the standard's levels and against peers of the same product in the park and the
//! region, anonymised for scoped callers); and the figure evaluations read,
//! `data.product_energy_within_level2`, derived when none is imported.
//!
//! Energy is allocated to products as `report cbam` allocates emissions: each route's own
//! ledger rows where every product names a route with rows (shared rows by mass), else by
//! output mass share of the enterprise's `energy_tce` (`zp_energy::benchmark::allocate`).

use crate::product_energy::{
    EnterpriseYear, enterprise_year, factor_sets, same_product, sees_names,
};
use crate::{AppError, Caller, ImportError, ImportOutcome};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::str::FromStr;
use zp_domain::CreditCode;
use zp_domain::records::{Access, OrgFilter};
use zp_domain::template::write;
use zp_energy::benchmark::{
    Level, Levels, Method, PeerStats, classify, intensity_kgce_per_t, listed_standards, peers,
};
use zp_evaluate::IndicatorValue;
use zp_factors::Catalog;
use zp_ingest::{Columns, Limits, Table, read_table};
use zp_store::{EnergyLimit, ImportRows, Rejected, Store};

/// The import kind recorded on batches and quarantine rows.
pub const ENERGY_LIMITS_KIND: &str = "energy-limits";

/// The indicator evaluations read (`data.product_energy_within_level2`).
pub const WITHIN_LEVEL2: &str = "product_energy_within_level2";

/// The note on an evaluation's indicator when the figure was derived.
pub const WITHIN_LEVEL2_NOTE: &str = "derived from the benchmark: 1 when every benchmarked product (production records with an imported limit standard) is within level 2";

/// The only unit benchmarked: intensities are kgce per tonne of product.
pub const LIMIT_UNIT: &str = "kgce/t";

const SPEC: &[(&str, &[&str], bool)] = &[
    ("standard", &["标准", "标准号"], true),
    ("product", &["产品", "产品名称"], true),
    ("unit", &["单位"], true),
    ("level1", &["1级", "一级"], true),
    ("level2", &["2级", "二级"], true),
    ("level3", &["3级", "三级"], true),
    ("source", &["来源", "出处"], true),
];

fn number(
    raw: &str,
    field: &'static str,
    problems: &mut Vec<(&'static str, String)>,
) -> Option<Decimal> {
    decimal_cell(raw, field, problems).map(|d| d.normalize())
}

/// The reasons an energy-limit row is quarantined with, as `(code, template)` pairs (issue
/// 14: a page recognises the code and writes the reason in its language); the levels'
/// order as `zp_energy::benchmark::Levels` words it. A number that is not one and a row
/// the file gave before are the shared `quantity.not_a_number` and `file.other_values`.
pub const REASONS_EN: &[(&str, &str)] = &[
    (
        "limits.standard_empty",
        "empty: give the standard's number, e.g. GB 16780-2021",
    ),
    (
        "limits.product_empty",
        "empty: name the product (as in production records, or its CN code)",
    ),
    ("limits.unit", "{unit}: only {benchmarked} is benchmarked"),
    ("limits.level1", "level1 {level1} must be positive"),
    (
        "limits.order",
        "levels must satisfy level1 <= level2 <= level3 (lower is better): {level1}, {level2}, {level3}",
    ),
    (
        "limits.source_empty",
        "empty: cite where the values come from (standard, table, edition)",
    ),
];

/// The number of a cell as written (not normalised); a problem of `field` when it is not
/// one.
pub(crate) fn decimal_cell(
    raw: &str,
    field: &'static str,
    problems: &mut Vec<(&'static str, String)>,
) -> Option<Decimal> {
    let t = raw.trim();
    Decimal::from_str(t)
        .map_err(|_| {
            let value = format!("{t:?}");
            let why = write(
                zp_ingest::REASONS_EN,
                "quantity.not_a_number",
                &[("value", &value)],
            );
            problems.push((field, why))
        })
        .ok()
}

/// Rejections for every problem of a row.
pub(crate) fn reject(
    row: i64,
    cells: &[String],
    problems: Vec<(&'static str, String)>,
) -> Vec<Rejected> {
    let raw = Table::raw(cells);
    problems
        .into_iter()
        .map(|(field, reason)| Rejected {
            row,
            field: field.into(),
            reason,
            raw: raw.clone(),
        })
        .collect()
}

pub(crate) fn validate_limits(
    table: &Table,
) -> Result<(Vec<EnergyLimit>, Vec<Rejected>), ImportError> {
    let cols = Columns::resolve(table, SPEC)?;
    let mut rows: Vec<EnergyLimit> = Vec::new();
    let mut rejected = Vec::new();
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (row, cells) in &table.rows {
        if let Some(r) = table.check_row(*row, cells) {
            rejected.push(r);
            continue;
        }
        let mut problems = Vec::new();
        let standard = cols.get(0, cells).trim().to_string();
        if standard.is_empty() {
            problems.push(("standard", write(REASONS_EN, "limits.standard_empty", &[])));
        }
        let product = cols.get(1, cells).trim().to_string();
        if product.is_empty() {
            problems.push(("product", write(REASONS_EN, "limits.product_empty", &[])));
        }
        let unit = cols.get(2, cells).trim().to_string();
        if unit != LIMIT_UNIT {
            let quoted = format!("{unit:?}");
            let args = [("unit", quoted.as_str()), ("benchmarked", LIMIT_UNIT)];
            problems.push(("unit", write(REASONS_EN, "limits.unit", &args)));
        }
        let l1 = number(cols.get(3, cells), "level1", &mut problems);
        let l2 = number(cols.get(4, cells), "level2", &mut problems);
        let l3 = number(cols.get(5, cells), "level3", &mut problems);
        if let (Some(a), Some(b), Some(c)) = (l1, l2, l3)
            && let Err(e) = Levels::new(a, b, c)
        {
            problems.push(("level1", e));
        }
        let source = cols.get(6, cells).trim().to_string();
        if source.is_empty() {
            problems.push(("source", write(REASONS_EN, "limits.source_empty", &[])));
        }
        let (Some(level1), Some(level2), Some(level3), true) = (l1, l2, l3, problems.is_empty())
        else {
            rejected.extend(reject(*row, cells, problems));
            continue;
        };
        let limit = EnergyLimit {
            standard,
            product,
            unit,
            level1,
            level2,
            level3,
            source,
            row: *row,
            source_file: table.file.clone(),
        };
        let key = (limit.standard.clone(), limit.product.clone());
        if let Some(i) = seen.get(&key) {
            let first = &rows[*i];
            // A verbatim repeat is accepted (a duplicate); other values are refused.
            if (first.level1, first.level2, first.level3, &first.source)
                != (limit.level1, limit.level2, limit.level3, &limit.source)
            {
                rejected.extend(reject(
                    *row,
                    cells,
                    vec![(
                        "level1",
                        write(
                            crate::batch::REASONS_EN,
                            "file.other_values",
                            &[
                                ("row", &first.row.to_string()),
                                ("key", &format!("{} {}", key.0, key.1)),
                            ],
                        ),
                    )],
                ));
            }
            continue;
        }
        seen.insert(key, rows.len());
        rows.push(limit);
    }
    rejected.sort_by_key(|r| r.row);
    Ok((rows, rejected))
}

/// Limit standards are reference data: only an unscoped caller (the platform operator)
/// imports them.
pub(crate) fn require_operator(caller: &Caller) -> Result<(), ImportError> {
    if caller.is_unscoped() {
        return Ok(());
    }
    Err(ImportError::Invalid(
        "energy limit standards are reference data: only the platform operator imports them".into(),
    ))
}

/// Imports a limits table already read. Reference data: only an unscoped caller (the
/// platform operator) may import it.
pub fn import_energy_limits_table(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<ImportOutcome, ImportError> {
    require_operator(caller)?;
    let (rows, rejected) = validate_limits(table)?;
    let meta = crate::batch::batch_meta(ENERGY_LIMITS_KIND, table, &caller.actor);
    let counts =
        store.import_energy_limits(ImportRows::new(&meta, &rows, &rejected, table.rows.len()))?;
    Ok(ImportOutcome::of(
        ENERGY_LIMITS_KIND,
        table,
        counts,
        rejected,
    ))
}

/// `zeropark import energy-limits FILE`.
pub fn import_energy_limits(
    store: &mut dyn Store,
    caller: &Caller,
    path: &Path,
) -> Result<ImportOutcome, ImportError> {
    let table = read_table(path, Limits::default())?;
    import_energy_limits_table(store, caller, &table)
}

/// The standard applied to a product, with its levels and source.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StandardUse {
    pub standard: String,
    /// From zeropark's list of standards, when listed.
    pub title: Option<String>,
    pub indicator: Option<String>,
    pub unit: String,
    pub level1_kgce_per_t: Decimal,
    pub level2_kgce_per_t: Decimal,
    pub level3_kgce_per_t: Decimal,
    pub source: String,
    /// `file:row` of the import.
    pub imported_from: String,
}

/// Another enterprise of a peer group (shown only to unscoped callers).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct NamedPeer {
    pub credit_code: String,
    pub name: String,
    pub intensity_kgce_per_t: Decimal,
}

/// Where the product stands among the same product's makers in the park or the region.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PeerGroup {
    /// The park's name or the region's code.
    pub scope: String,
    /// Including this enterprise.
    #[serde(flatten)]
    pub stats: PeerStats,
    /// Other enterprises by name: only for unscoped (platform) callers, else null.
    pub enterprises: Option<Vec<NamedPeer>>,
}

/// One product of the enterprise in the year.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ProductBenchmark {
    pub product: String,
    pub cn_code: String,
    pub routes: Vec<String>,
    pub output_t: Decimal,
    pub energy_tce: Decimal,
    pub intensity_kgce_per_t: Option<Decimal>,
    /// Null when no limit standard is imported for the product.
    pub standard: Option<StandardUse>,
    /// `1`, `2`, `3` or `above_limit`; null without a standard.
    pub level: Option<String>,
    pub within_level2: Option<bool>,
    pub peers_park: Option<PeerGroup>,
    pub peers_region: Option<PeerGroup>,
    pub production_rows: Vec<String>,
}

/// `zeropark report benchmark`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BenchmarkReport {
    pub credit_code: String,
    pub name: String,
    pub park: Option<String>,
    pub region: String,
    pub year: i32,
    pub energy_tce: Decimal,
    /// `whole_enterprise`, `route` or `mass_share`.
    pub allocation: Method,
    pub allocation_statement: String,
    pub products: Vec<ProductBenchmark>,
    /// Factors of the inventory and the catalog's sets.
    pub factor_ids: Vec<String>,
    pub factor_sets: Vec<String>,
    pub notes: Vec<String>,
}

/// A product's energy and intensity in one enterprise's year.
#[derive(Debug, Clone)]
struct ProductFigure {
    product: String,
    cn_code: String,
    routes: Vec<String>,
    output_t: Decimal,
    energy_tce: Decimal,
    rows: Vec<String>,
}

fn products_of(y: &EnterpriseYear) -> (Vec<ProductFigure>, Method) {
    let (energy, method) = y.allocate(|i| i.energy_tce, true);
    let mut by: BTreeMap<(String, String), ProductFigure> = BTreeMap::new();
    for (l, e) in y.lines.iter().zip(energy) {
        let p = by
            .entry((l.cn_code.clone(), l.product.clone()))
            .or_insert_with(|| ProductFigure {
                product: l.product.clone(),
                cn_code: l.cn_code.clone(),
                routes: Vec::new(),
                output_t: Decimal::ZERO,
                energy_tce: Decimal::ZERO,
                rows: Vec::new(),
            });
        if !l.route.is_empty() {
            p.routes.push(l.route.clone());
        }
        p.output_t += l.output_t;
        p.energy_tce += e;
        p.rows.extend(l.rows.iter().cloned());
    }
    (by.into_values().collect(), method)
}

fn statement(m: Method) -> &'static str {
    match m {
        Method::WholeEnterprise => "one product: all of the enterprise's energy",
        Method::Route => {
            "by production route: each route's energy from the ledger rows under the site of the same name (products sharing a route by mass); rows under no route's site by output mass over all products"
        }
        Method::MassShare => {
            "by output mass share of the enterprise's energy (not every product names a route with ledger rows)"
        }
    }
}

/// The standard imported for a product (by name or CN code), the first by number.
fn standard_for<'a>(limits: &'a [EnergyLimit], p: &ProductFigure) -> Option<&'a EnergyLimit> {
    limits
        .iter()
        .find(|l| same_product(&p.product, &p.cn_code, &l.product))
}

fn standard_use(l: &EnergyLimit) -> StandardUse {
    let listed = listed_standards()
        .into_iter()
        .find(|s| s.standard == l.standard);
    StandardUse {
        standard: l.standard.clone(),
        title: listed.as_ref().map(|s| s.title.clone()),
        indicator: listed.map(|s| s.indicator),
        unit: l.unit.clone(),
        level1_kgce_per_t: l.level1,
        level2_kgce_per_t: l.level2,
        level3_kgce_per_t: l.level3,
        source: l.source.clone(),
        imported_from: format!("{}:{}", l.source_file, l.row),
    }
}

fn level_of(intensity: Option<Decimal>, l: Option<&EnergyLimit>) -> Option<Level> {
    let (i, l) = (intensity?, l?);
    Some(classify(
        i,
        &Levels {
            level1: l.level1,
            level2: l.level2,
            level3: l.level3,
        },
    ))
}

/// A peer's intensities per product.
struct Peer {
    code: CreditCode,
    name: String,
    park: Option<String>,
    products: Vec<(String, String, Decimal)>,
}

/// Every other enterprise of the park or region with production in the year, computed with
/// platform access (they are shown anonymised unless the caller is unscoped). Enterprises
/// whose year cannot be computed are counted in the returned number.
fn peer_years(
    store: &mut dyn Store,
    catalog: &Catalog,
    own: &EnterpriseYear,
    year: i32,
    actor: &str,
) -> Result<(Vec<Peer>, usize), AppError> {
    let producers: HashSet<CreditCode> = store.producers(&Access::All, year)?.into_iter().collect();
    let region = store.orgs(
        &Access::All,
        &OrgFilter {
            region: Some(own.org.region),
            ..Default::default()
        },
    )?;
    let mut out = Vec::new();
    let mut failed = 0;
    for o in region {
        if o.credit_code == own.org.credit_code || !producers.contains(&o.credit_code) {
            continue;
        }
        match enterprise_year(store, catalog, &Access::All, &o.credit_code, year, actor) {
            Ok(y) => {
                let (figs, _) = products_of(&y);
                out.push(Peer {
                    code: o.credit_code.clone(),
                    name: o.name.clone(),
                    park: o.park.clone(),
                    products: figs
                        .iter()
                        .filter_map(|f| {
                            intensity_kgce_per_t(f.energy_tce, f.output_t)
                                .map(|i| (f.product.clone(), f.cn_code.clone(), i))
                        })
                        .collect(),
                });
            }
            Err(_) => failed += 1,
        }
    }
    Ok((out, failed))
}

fn group(
    scope: &str,
    subject: Decimal,
    p: &ProductFigure,
    peers_in: &[&Peer],
    named: bool,
) -> PeerGroup {
    let mut named_peers = Vec::new();
    for peer in peers_in {
        for (name, cn, i) in &peer.products {
            if same_product(&p.product, &p.cn_code, name)
                || same_product(&p.product, &p.cn_code, cn)
            {
                named_peers.push(NamedPeer {
                    credit_code: peer.code.to_string(),
                    name: peer.name.clone(),
                    intensity_kgce_per_t: *i,
                });
            }
        }
    }
    let others: Vec<Decimal> = named_peers.iter().map(|n| n.intensity_kgce_per_t).collect();
    PeerGroup {
        scope: scope.to_string(),
        stats: peers(subject, &others),
        enterprises: named.then_some(named_peers),
    }
}

/// `zeropark report benchmark --org CODE --year Y`: each product's intensity against its
/// limit standard and its peers. Refused (`Invalid`) when the enterprise has no production
/// records for the year.
pub fn benchmark_report(
    store: &mut dyn Store,
    caller: &Caller,
    code: &CreditCode,
    year: i32,
) -> Result<BenchmarkReport, AppError> {
    let catalog = crate::catalog(store)?;
    let own = enterprise_year(store, &catalog, &caller.access, code, year, &caller.actor)?;
    let limits = store.energy_limits()?;
    let (figs, method) = products_of(&own);
    let (peer_list, failed) = peer_years(store, &catalog, &own, year, &caller.actor)?;
    let park_peers: Vec<&Peer> = peer_list
        .iter()
        .filter(|p| own.org.park.is_some() && p.park == own.org.park)
        .collect();
    let region_peers: Vec<&Peer> = peer_list.iter().collect();
    let region = own.org.region.code().to_string();
    let named = sees_names(caller);
    let mut notes = Vec::new();
    let products = figs
        .iter()
        .map(|p| {
            let intensity = intensity_kgce_per_t(p.energy_tce, p.output_t);
            let limit = standard_for(&limits, p);
            if limit.is_none() {
                notes.push(format!(
                    "{}: no limit standard imported (zeropark import energy-limits FILE)",
                    p.product
                ));
            }
            let level = level_of(intensity, limit);
            ProductBenchmark {
                product: p.product.clone(),
                cn_code: p.cn_code.clone(),
                routes: p.routes.clone(),
                output_t: p.output_t,
                energy_tce: p.energy_tce,
                intensity_kgce_per_t: intensity,
                standard: limit.map(standard_use),
                level: level.map(|l| l.key().to_string()),
                within_level2: level.map(Level::within_level2),
                peers_park: match (&own.org.park, intensity) {
                    (Some(park), Some(i)) => Some(group(park, i, p, &park_peers, named)),
                    _ => None,
                },
                peers_region: intensity.map(|i| group(&region, i, p, &region_peers, named)),
                production_rows: p.rows.clone(),
            }
        })
        .collect();
    if failed > 0 {
        notes.push(format!(
            "{failed} enterprise(s) of the region with production records could not be computed and are not among the peers"
        ));
    }
    if !named {
        notes.push("peers are anonymised: counts and quantiles only".into());
    }
    Ok(BenchmarkReport {
        credit_code: own.org.credit_code.to_string(),
        name: own.org.name.clone(),
        park: own.org.park.clone(),
        region,
        year,
        energy_tce: own.inventory.energy_tce,
        allocation: method,
        allocation_statement: statement(method).into(),
        products,
        factor_ids: own.factor_ids(),
        factor_sets: factor_sets(store)?,
        notes,
    })
}

/// `data.product_energy_within_level2` of an enterprise or a park for `year` when no figure
/// was imported: 1 when every benchmarked product of its enterprises (production records
/// with an imported standard) is within level 2, 0 otherwise; `None` when a figure was
/// imported or nothing can be benchmarked. The evidence names the products.
pub(crate) fn derived_within_level2(
    store: &mut dyn Store,
    access: &Access,
    scope_id: &str,
    codes: &[CreditCode],
    year: i32,
    data: &[IndicatorValue],
    actor: &str,
) -> Result<Option<IndicatorValue>, AppError> {
    let period = year.to_string();
    if data
        .iter()
        .any(|d| d.indicator == WITHIN_LEVEL2 && d.period == period)
    {
        return Ok(None);
    }
    let limits = store.energy_limits()?;
    if limits.is_empty() {
        return Ok(None);
    }
    let producers: HashSet<CreditCode> = store.producers(access, year)?.into_iter().collect();
    let catalog = crate::catalog(store)?;
    let mut within = Vec::new();
    let mut outside = Vec::new();
    for code in codes.iter().filter(|c| producers.contains(c)) {
        let y = match enterprise_year(store, &catalog, access, code, year, actor) {
            Ok(y) => y,
            Err(AppError::Invalid(_) | AppError::NotFound(_)) => continue,
            Err(e) => return Err(e),
        };
        for p in products_of(&y).0 {
            let intensity = intensity_kgce_per_t(p.energy_tce, p.output_t);
            let limit = standard_for(&limits, &p);
            let Some(level) = level_of(intensity, limit) else {
                continue;
            };
            let text = format!(
                "{} {} {} kgce/t level {} ({})",
                code,
                p.product,
                intensity.unwrap_or_default().normalize(),
                level.key(),
                limit.map(|l| l.standard.as_str()).unwrap_or_default()
            );
            if level.within_level2() {
                within.push(text);
            } else {
                outside.push(text);
            }
        }
    }
    if within.is_empty() && outside.is_empty() {
        return Ok(None);
    }
    let value = if outside.is_empty() {
        Decimal::ONE
    } else {
        Decimal::ZERO
    };
    let mut all = outside;
    all.extend(within);
    Ok(Some(IndicatorValue {
        scope_id: scope_id.to_string(),
        indicator: WITHIN_LEVEL2.into(),
        period,
        value,
        unit: "bool".into(),
        evidence: format!("benchmark: {}", all.join("; ")),
    }))
}

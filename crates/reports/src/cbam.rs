//! EU CBAM embedded emissions of an installation's goods (Regulation (EU) 2023/956,
//! Annex IV): direct emissions attributed to goods, indirect emissions = electricity MWh x
//! an emission factor, and specific embedded emissions (SEE) per tonne.
//!
//! - **Direct**: the installation's Scope 1 (combustion and process) plus the emissions of
//!   imported measurable heat and steam, which CBAM counts as direct. One product: the
//!   whole installation. Several: by production route when every product names a route and
//!   each route has ledger rows under a site of that name (the route's own Scope 1, heat and
//!   electricity; products sharing a route split it by mass; rows under no route's site are
//!   shared by mass over all products, stated), otherwise by mass share of the whole
//!   installation, stated.
//! - **Indirect**: grid electricity MWh x the chosen factor. `provincial`: the location-based
//!   factor of the inventory (MEE published, cited). `matched`: MWh covered by certificates
//!   retired for the installation in the same hour at 0 tCO2/MWh, the rest at the
//!   provincial factor, both stated. `default`: the Commission's country default is not
//!   shipped (no citable copy), so it is refused ([`DEFAULT_NOT_SHIPPED`]).
//! - Allocated tonnes are rounded to 6 decimals except the last product's, which takes the
//!   remainder, so the products add up to the installation exactly. SEE are rounded to 6
//!   (half away from zero).

use crate::ReportError;
use crate::cbam_goods::{Sector, sector};
use crate::doc::Lang;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use zp_accounting::Inventory;
use zp_domain::CarrierCategory;

/// Why `--electricity-factor default` is refused.
pub const DEFAULT_NOT_SHIPPED: &str = "--electricity-factor default is not shipped: the European Commission makes the default emission factor for electricity of each country available in the CBAM registry (IEA data, five-year average), and zeropark has no citable copy of the value for China, so it does not invent one. Use --electricity-factor provincial (the MEE provincial factor, cited) or matched (hourly-matched certificates, the rest provincial).";

/// Which electricity emission factor prices the indirect emissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ElectricityOption {
    Default,
    Provincial,
    Matched,
}

impl ElectricityOption {
    pub fn parse(s: &str) -> Option<ElectricityOption> {
        match s {
            "default" => Some(ElectricityOption::Default),
            "provincial" => Some(ElectricityOption::Provincial),
            "matched" => Some(ElectricityOption::Matched),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            ElectricityOption::Default => "default",
            ElectricityOption::Provincial => "provincial",
            ElectricityOption::Matched => "matched",
        }
    }
}

/// How direct emissions and electricity are divided between several products.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AllocationChoice {
    /// By route where every product has one with ledger rows, else by mass share.
    #[default]
    Auto,
    Route,
    Mass,
}

/// Emissions and electricity of the installation or of one route, with their lineage.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Emissions {
    pub scope1_tco2: Decimal,
    pub heat_imported_tco2: Decimal,
    pub grid_electricity_mwh: Decimal,
    /// Factors of the Scope 1 and heat lines.
    pub factor_ids: Vec<String>,
    /// The ledger rows (`file:row`) the figures come from.
    pub input_rows: Vec<String>,
    /// The carrier lines' formulas.
    pub formulas: Vec<String>,
}

impl Emissions {
    /// The direct emissions, imported heat and grid electricity of an inventory.
    pub fn from_inventory(inv: &Inventory) -> Emissions {
        let mut e = Emissions {
            scope1_tco2: inv.scope1_tco2,
            grid_electricity_mwh: inv.grid_electricity_mwh,
            ..Default::default()
        };
        for l in &inv.lines {
            let cat = l.carrier.category();
            let heat = matches!(
                cat,
                CarrierCategory::PurchasedHeat | CarrierCategory::PurchasedSteam
            );
            if heat {
                e.heat_imported_tco2 += l.scope2_location_tco2;
            }
            if heat || !l.scope1_tco2.is_zero() {
                e.factor_ids.extend(l.factor_ids.iter().cloned());
                e.formulas
                    .push(format!("{}: {}", l.carrier.key(), l.formula));
            }
            if cat != CarrierCategory::GreenCertificate {
                e.input_rows
                    .extend(l.inputs.iter().map(|r| r.source.clone()));
            }
        }
        e.factor_ids.sort();
        e.factor_ids.dedup();
        e
    }

    pub fn direct_tco2(&self) -> Decimal {
        self.scope1_tco2 + self.heat_imported_tco2
    }

    fn minus(&self, other: &Emissions) -> Emissions {
        Emissions {
            scope1_tco2: self.scope1_tco2 - other.scope1_tco2,
            heat_imported_tco2: self.heat_imported_tco2 - other.heat_imported_tco2,
            grid_electricity_mwh: self.grid_electricity_mwh - other.grid_electricity_mwh,
            factor_ids: self.factor_ids.clone(),
            input_rows: self
                .input_rows
                .iter()
                .filter(|r| !other.input_rows.contains(r))
                .cloned()
                .collect(),
            formulas: Vec::new(),
        }
    }

    fn is_zero(&self) -> bool {
        self.scope1_tco2.is_zero()
            && self.heat_imported_tco2.is_zero()
            && self.grid_electricity_mwh.is_zero()
    }
}

/// The electricity factor choice with the figures it needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElectricityFactor {
    pub option: ElectricityOption,
    /// The location-based (provincial) factor of the inventory.
    pub grid_tco2_per_mwh: Decimal,
    pub grid_factor_id: String,
    /// Publisher, notice, region and year of the grid factor (and any fallback).
    pub grid_factor_source: String,
    /// `matched`: MWh of the year covered by certificates retired for the installation in
    /// the hour they were produced (hourly matching).
    pub matched_mwh: Decimal,
    /// Where the matched MWh come from (registry bundles).
    pub matched_source: String,
}

/// The installation (CBAM template sheet A_InstData).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Installation {
    pub credit_code: String,
    pub name: String,
    pub country: String,
    pub region: String,
    pub region_name: String,
    pub industry: String,
    pub park: Option<String>,
    pub sites: Vec<String>,
}

/// Production of one product over the year (summed from `import production` rows).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductionLine {
    pub cn_code: String,
    pub product: String,
    /// Empty when the rows name no route.
    pub route: String,
    pub quantity_t: Decimal,
    /// The production rows (`file:row`).
    pub rows: Vec<String>,
}

pub struct CbamInput {
    pub lang: Lang,
    pub installation: Installation,
    pub year: i32,
    pub electricity: ElectricityFactor,
    pub whole: Emissions,
    /// Emissions of the ledger rows under each route's site (routes with rows only).
    pub routes: BTreeMap<String, Emissions>,
    pub production: Vec<ProductionLine>,
    pub allocation: AllocationChoice,
}

/// How a figure was obtained.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Lineage {
    pub method: String,
    pub factor_ids: Vec<String>,
    pub input_rows: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoodsLineage {
    pub production_rows: Vec<String>,
    pub direct: Lineage,
    pub indirect: Lineage,
}

/// One product's embedded emissions (CBAM template sheet Summary_Products).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Goods {
    pub cn_code: String,
    pub product: String,
    pub sector: Sector,
    pub route: Option<String>,
    pub quantity_t: Decimal,
    /// Share of its route's (or the installation's) production by mass.
    pub mass_share: Decimal,
    pub direct_tco2: Decimal,
    pub indirect_tco2: Decimal,
    pub embedded_tco2: Decimal,
    pub electricity_mwh: Decimal,
    pub electricity_factor_tco2_per_mwh: Decimal,
    pub electricity_factor_source: String,
    pub see_direct_tco2_per_t: Decimal,
    pub see_indirect_tco2_per_t: Decimal,
    pub see_total_tco2_per_t: Decimal,
    pub lineage: GoodsLineage,
}

/// A production route or the whole installation (CBAM template sheet D_Processes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteFigures {
    /// The route, or `installation` / `shared` for the whole or the rows under no route.
    pub route: String,
    pub quantity_t: Decimal,
    pub scope1_tco2: Decimal,
    pub heat_imported_tco2: Decimal,
    pub direct_tco2: Decimal,
    pub electricity_mwh: Decimal,
    pub matched_mwh: Decimal,
    pub indirect_tco2: Decimal,
    pub goods: Vec<String>,
    pub lineage: Lineage,
}

/// The CBAM report: the JSON of `zeropark report cbam --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CbamReport {
    pub report: &'static str,
    pub format_version: u32,
    pub lang: Lang,
    pub installation: Installation,
    pub year: i32,
    pub reporting_period: String,
    pub electricity_factor_option: ElectricityOption,
    pub electricity_factor_justification: String,
    /// `whole_installation`, `production_route` or `mass_share`.
    pub allocation: &'static str,
    pub allocation_statement: String,
    pub installation_totals: RouteFigures,
    pub routes: Vec<RouteFigures>,
    pub goods: Vec<Goods>,
    pub notes: Vec<String>,
}

const DP: u32 = 6;

/// Rounded half away from zero to 6 decimals.
fn r6(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(DP, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// Shares of `total` by `weights`, rounded, the last taking the remainder.
fn split(total: Decimal, weights: &[Decimal]) -> Vec<Decimal> {
    let sum: Decimal = weights.iter().sum();
    let mut out = Vec::with_capacity(weights.len());
    let mut given = Decimal::ZERO;
    for (i, w) in weights.iter().enumerate() {
        let v = if i + 1 == weights.len() {
            total - given
        } else if sum.is_zero() {
            Decimal::ZERO
        } else {
            r6(total * w / sum)
        };
        given += v;
        out.push(v.normalize());
    }
    out
}

/// Electricity of a block: (matched MWh, indirect tCO2).
fn indirect(mwh: Decimal, matched: Decimal, e: &ElectricityFactor) -> (Decimal, Decimal) {
    let matched = matched.min(mwh).max(Decimal::ZERO);
    (matched, ((mwh - matched) * e.grid_tco2_per_mwh).normalize())
}

fn route_figures(
    name: &str,
    em: &Emissions,
    matched: Decimal,
    e: &ElectricityFactor,
) -> RouteFigures {
    let (matched, ind) = indirect(em.grid_electricity_mwh, matched, e);
    RouteFigures {
        route: name.to_string(),
        quantity_t: Decimal::ZERO,
        scope1_tco2: em.scope1_tco2,
        heat_imported_tco2: em.heat_imported_tco2,
        direct_tco2: em.direct_tco2(),
        electricity_mwh: em.grid_electricity_mwh,
        matched_mwh: matched,
        indirect_tco2: ind,
        goods: Vec::new(),
        lineage: Lineage {
            method: if em.formulas.is_empty() {
                "scope 1 + imported heat of the rows".to_string()
            } else {
                em.formulas.join("; ")
            },
            factor_ids: em.factor_ids.clone(),
            input_rows: em.input_rows.clone(),
        },
    }
}

fn refuse(msg: String) -> ReportError {
    ReportError::Invalid(msg)
}

/// The report from the installation's emissions and production.
pub fn build(input: CbamInput) -> Result<CbamReport, ReportError> {
    let lang = input.lang;
    let e = &input.electricity;
    if e.option == ElectricityOption::Default {
        return Err(refuse(DEFAULT_NOT_SHIPPED.into()));
    }
    if input.production.is_empty() {
        return Err(refuse(format!(
            "no production of {} in {}: import it with `zeropark import production FILE` (credit_code,period,product,cn_code,quantity_t[,route])",
            input.installation.credit_code, input.year
        )));
    }
    let mut goods_in = input.production.clone();
    goods_in.sort_by(|a, b| {
        (&a.route, &a.cn_code, &a.product).cmp(&(&b.route, &b.cn_code, &b.product))
    });
    for g in &goods_in {
        if g.quantity_t <= Decimal::ZERO {
            return Err(refuse(format!(
                "production of {} ({}) in {} is {} t: specific embedded emissions need a positive quantity",
                g.product, g.cn_code, input.year, g.quantity_t
            )));
        }
        sector(&g.cn_code).map_err(refuse)?;
    }
    let matched_total = match e.option {
        ElectricityOption::Matched => e.matched_mwh.min(input.whole.grid_electricity_mwh),
        _ => Decimal::ZERO,
    };
    let whole_mwh = input.whole.grid_electricity_mwh;
    let matched_of = |mwh: Decimal| {
        if whole_mwh.is_zero() {
            Decimal::ZERO
        } else {
            r6(matched_total * mwh / whole_mwh)
        }
    };
    let mut totals = route_figures("installation", &input.whole, matched_total, e);
    totals.quantity_t = goods_in.iter().map(|g| g.quantity_t).sum();
    totals.goods = goods_in.iter().map(|g| g.cn_code.clone()).collect();

    // Which blocks (route or installation) and which products share each.
    let missing_routes: Vec<String> = goods_in
        .iter()
        .filter(|g| g.route.is_empty() || !input.routes.contains_key(&g.route))
        .map(|g| {
            if g.route.is_empty() {
                format!("{} ({}) names no route", g.product, g.cn_code)
            } else {
                format!(
                    "route {:?} of {} has no ledger rows under a site of that name",
                    g.route, g.product
                )
            }
        })
        .collect();
    let by_route = goods_in.len() > 1
        && match input.allocation {
            AllocationChoice::Mass => false,
            AllocationChoice::Route if !missing_routes.is_empty() => {
                return Err(refuse(format!(
                    "allocation by route is not possible: {}",
                    missing_routes.join("; ")
                )));
            }
            AllocationChoice::Route => true,
            AllocationChoice::Auto => missing_routes.is_empty(),
        };
    let (allocation, statement) = if goods_in.len() == 1 {
        (
            "whole_installation",
            lang.pick(
                "单一产品：装置的全部直接排放和电力归于该产品（法规 (EU) 2023/956 附件 IV）。",
                "One product: all direct emissions and electricity of the installation are attributed to it (Regulation (EU) 2023/956, Annex IV).",
            )
            .to_string(),
        )
    } else if by_route {
        (
            "production_route",
            lang.pick(
                "按生产路线分配：每条路线的直接排放和电力取自同名厂区（site）的台账行；同一路线的多个产品按质量分摊；不属于任何路线的台账行（公用部分）按质量分摊到全部产品。",
                "By production route: each route's direct emissions and electricity come from the ledger rows under the site of the same name; products sharing a route split it by mass; ledger rows under no route's site (shared services) are split by mass over all products.",
            )
            .to_string(),
        )
    } else {
        let why = if input.allocation == AllocationChoice::Mass {
            lang.pick("按要求", "as requested").to_string()
        } else {
            missing_routes.join("; ")
        };
        (
            "mass_share",
            format!(
                "{} ({why})",
                lang.pick(
                    "按质量分摊：装置的直接排放和电力按各产品产量（吨）占总产量的比例分配；产品的单位排放强度差别大时此法是近似",
                    "By mass share: the installation's direct emissions and electricity are divided in proportion to each product's tonnes; an approximation where products differ in intensity"
                )
            ),
        )
    };

    // Blocks: (name, emissions, products' indices).
    let mut blocks: Vec<(String, Emissions, Vec<usize>)> = Vec::new();
    let mut notes = Vec::new();
    if by_route {
        let mut routed = Emissions::default();
        for (name, em) in &input.routes {
            let idx: Vec<usize> = (0..goods_in.len())
                .filter(|i| &goods_in[*i].route == name)
                .collect();
            if idx.is_empty() {
                continue;
            }
            routed.scope1_tco2 += em.scope1_tco2;
            routed.heat_imported_tco2 += em.heat_imported_tco2;
            routed.grid_electricity_mwh += em.grid_electricity_mwh;
            routed.input_rows.extend(em.input_rows.iter().cloned());
            blocks.push((name.clone(), em.clone(), idx));
        }
        let shared = input.whole.minus(&routed);
        if !shared.is_zero() {
            notes.push(format!(
                "{}: {} tCO2 direct, {} MWh",
                lang.pick(
                    "不属于任何路线厂区的台账行按质量分摊到全部产品",
                    "ledger rows under no route's site are split by mass over all products"
                ),
                shared.direct_tco2().normalize(),
                shared.grid_electricity_mwh.normalize()
            ));
            blocks.push(("shared".into(), shared, (0..goods_in.len()).collect()));
        }
    } else {
        blocks.push((
            "installation".into(),
            input.whole.clone(),
            (0..goods_in.len()).collect(),
        ));
    }

    let n = goods_in.len();
    let mut direct = vec![Decimal::ZERO; n];
    let mut mwh = vec![Decimal::ZERO; n];
    let mut matched = vec![Decimal::ZERO; n];
    let mut share = vec![Decimal::ZERO; n];
    let mut lineage_rows: Vec<Vec<String>> = vec![Vec::new(); n];
    let mut lineage_factors: Vec<Vec<String>> = vec![Vec::new(); n];
    let mut routes = Vec::new();
    for (name, em, idx) in &blocks {
        let weights: Vec<Decimal> = idx.iter().map(|i| goods_in[*i].quantity_t).collect();
        let block_matched = if blocks.len() == 1 {
            matched_total
        } else {
            matched_of(em.grid_electricity_mwh)
        };
        let d = split(em.direct_tco2(), &weights);
        let m = split(em.grid_electricity_mwh, &weights);
        let mm = split(block_matched.min(em.grid_electricity_mwh), &weights);
        let q: Decimal = weights.iter().sum();
        for (k, i) in idx.iter().enumerate() {
            direct[*i] += d[k];
            mwh[*i] += m[k];
            matched[*i] += mm[k];
            if name != "shared" && !q.is_zero() {
                share[*i] = r6(weights[k] / q);
            }
            lineage_rows[*i].extend(em.input_rows.iter().cloned());
            lineage_factors[*i].extend(em.factor_ids.iter().cloned());
        }
        if blocks.len() > 1 || by_route {
            let mut rf = route_figures(name, em, block_matched, e);
            rf.quantity_t = q;
            rf.goods = idx.iter().map(|i| goods_in[*i].cn_code.clone()).collect();
            routes.push(rf);
        }
    }

    let provincial_src = format!(
        "{} {} tCO2/MWh ({})",
        e.grid_factor_id, e.grid_tco2_per_mwh, e.grid_factor_source
    );
    let mut goods = Vec::with_capacity(n);
    for (i, g) in goods_in.iter().enumerate() {
        let (mt, ind) = indirect(mwh[i], matched[i], e);
        let factor = if mwh[i].is_zero() {
            e.grid_tco2_per_mwh
        } else {
            r6(ind / mwh[i])
        };
        let source = match e.option {
            ElectricityOption::Matched => format!(
                "{} MWh x 0 tCO2/MWh ({}: {}) + {} MWh x {}",
                mt.normalize(),
                lang.pick("逐时匹配的证书", "hourly-matched certificates"),
                e.matched_source,
                (mwh[i] - mt).normalize(),
                provincial_src
            ),
            _ => provincial_src.clone(),
        };
        let dt = direct[i].normalize();
        let mut rows = std::mem::take(&mut lineage_rows[i]);
        rows.sort();
        rows.dedup();
        let mut factors = std::mem::take(&mut lineage_factors[i]);
        factors.sort();
        factors.dedup();
        goods.push(Goods {
            cn_code: g.cn_code.clone(),
            product: g.product.clone(),
            sector: sector(&g.cn_code).map_err(refuse)?,
            route: (!g.route.is_empty()).then(|| g.route.clone()),
            quantity_t: g.quantity_t,
            mass_share: if n == 1 { Decimal::ONE } else { share[i] },
            direct_tco2: dt,
            indirect_tco2: ind,
            embedded_tco2: (dt + ind).normalize(),
            electricity_mwh: mwh[i].normalize(),
            electricity_factor_tco2_per_mwh: factor,
            electricity_factor_source: source,
            see_direct_tco2_per_t: r6(dt / g.quantity_t),
            see_indirect_tco2_per_t: r6(ind / g.quantity_t),
            see_total_tco2_per_t: r6((dt + ind) / g.quantity_t),
            lineage: GoodsLineage {
                production_rows: g.rows.clone(),
                direct: Lineage {
                    method: format!("{allocation}: scope 1 + imported heat x share"),
                    factor_ids: factors,
                    input_rows: rows.clone(),
                },
                indirect: Lineage {
                    method: format!(
                        "{allocation}: grid electricity MWh x {} factor",
                        e.option.key()
                    ),
                    factor_ids: vec![e.grid_factor_id.clone()],
                    input_rows: rows,
                },
            },
        });
    }
    let justification = match e.option {
        ElectricityOption::Matched => format!(
            "{} {} MWh; {}",
            lang.pick(
                "实际因子仅用于证书在同一小时匹配的电量：",
                "Actual factor only for the electricity covered by certificates matched in the same hour:"
            ),
            matched_total.normalize(),
            lang.pick(
                "其余电量按省级因子。CBAM 只在装置与发电设施有直接技术连接或购电协议（PPA）时接受实际因子，单凭证书不够：申报人须证明所匹配的证书附有直连或 PPA。",
                "the rest at the provincial factor. CBAM accepts an actual factor only with a direct technical connection or a power purchase agreement with the generator; certificates alone do not qualify: the declarant must show the matched certificates come with one."
            )
        ),
        _ => lang
            .pick(
                "原产国电网的公开排放因子（委员会 CBAM 问答：可使用基于公开数据的原产国电网排放因子）：",
                "A published emission factor of the country of origin's grid (Commission CBAM Q&A: another grid factor of the country of origin based on public data may be used): ",
            )
            .to_string()
            + &provincial_src,
    };
    notes.push(
        lang.pick(
            "前体：未加入前体（如水泥所用熟料）的隐含排放；复杂产品须加上所消耗前体的隐含排放（法规 (EU) 2023/956 附件 IV 第 3 点）。",
            "Precursors: the embedded emissions of precursors (e.g. clinker consumed in cement) are not added; complex goods need them added (Regulation (EU) 2023/956, Annex IV, point 3).",
        )
        .to_string(),
    );
    if !input.whole.heat_imported_tco2.is_zero() {
        notes.push(format!(
            "{} {} tCO2",
            lang.pick(
                "外购热力和蒸汽的排放计为直接排放（CBAM 将输入的可测量热计入直接排放）：",
                "Emissions of purchased heat and steam counted as direct (CBAM counts imported measurable heat as direct):"
            ),
            input.whole.heat_imported_tco2.normalize()
        ));
    }
    Ok(CbamReport {
        report: "cbam",
        format_version: 1,
        lang,
        installation: input.installation,
        year: input.year,
        reporting_period: format!("{0}-01-01/{0}-12-31", input.year),
        electricity_factor_option: e.option,
        electricity_factor_justification: justification,
        allocation,
        allocation_statement: statement,
        installation_totals: totals,
        routes,
        goods,
        notes,
    })
}

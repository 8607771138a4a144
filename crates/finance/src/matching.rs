//! Matching (银企对接): every eligibility rule of a product checked against a project,
//! with the reason it passed or failed, and rankings both ways.

use crate::catalogue::Tag;
use crate::money::floor_fen;
use crate::product::{Product, ProductKind, Rule};
use crate::project::{Project, Reduction};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use zp_domain::Decimal;

/// The outcome of one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RuleCheck {
    pub rule: String,
    pub passed: bool,
    pub reason: String,
}

/// A project evaluated against a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Match {
    pub project_id: String,
    pub product_id: String,
    pub issuer: String,
    pub kind: ProductKind,
    /// All rules passed.
    pub eligible: bool,
    pub checks: Vec<RuleCheck>,
    /// What the product would provide: subsidy amount or largest loan, yuan (whole fen).
    pub offer_yuan: Decimal,
    pub annual_rate_pct: Option<Decimal>,
    pub tenor_months: Option<u32>,
    pub annual_reduction_tco2: Decimal,
    pub tco2_per_10k_yuan: Decimal,
}

fn list<T: std::fmt::Display>(xs: &[T]) -> String {
    xs.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn n(d: Decimal) -> String {
    d.round_dp(2).normalize().to_string()
}

fn check(rule: &Rule, p: &Project, r: &Reduction, tags: &[Tag]) -> RuleCheck {
    let (passed, reason) = match rule {
        Rule::Region { regions } => {
            let ok = regions.contains(&p.region);
            (
                ok,
                format!(
                    "project region {} {} [{}]",
                    p.region,
                    if ok { "is in" } else { "is not in" },
                    list(regions)
                ),
            )
        }
        Rule::Category { prefixes } => {
            let hit = tags.iter().find(|t| {
                prefixes
                    .iter()
                    .any(|pre| t.code == *pre || t.code.starts_with(&format!("{pre}.")))
            });
            match hit {
                Some(t) => (
                    true,
                    format!("tag {} {} is under [{}]", t.code, t.path_zh, list(prefixes)),
                ),
                None => (
                    false,
                    format!(
                        "tags [{}] are not under [{}]",
                        list(&tags.iter().map(|t| t.code.as_str()).collect::<Vec<_>>()),
                        list(prefixes)
                    ),
                ),
            }
        }
        Rule::ProjectKind { kinds } => {
            let ok = kinds.contains(&p.kind);
            let keys: Vec<&str> = kinds.iter().map(|k| k.key()).collect();
            (
                ok,
                format!(
                    "project kind {} {} [{}]",
                    p.kind.key(),
                    if ok { "is in" } else { "is not in" },
                    list(&keys)
                ),
            )
        }
        Rule::ClimateProject => match tags.iter().find(|t| t.climate) {
            Some(t) => (
                true,
                format!(
                    "tag {} {} meets the climate mitigation criteria",
                    t.code, t.path_zh
                ),
            ),
            None => (
                false,
                "no tag meets the climate investment and financing mitigation criteria".into(),
            ),
        },
        Rule::MinAnnualReduction { tco2 } => {
            let ok = r.total_tco2 >= *tco2;
            (
                ok,
                format!(
                    "expected reduction {} tCO2/yr {} minimum {}",
                    n(r.total_tco2),
                    if ok { ">=" } else { "<" },
                    n(*tco2)
                ),
            )
        }
        Rule::MinEnergySaved { tce } => {
            let ok = r.energy_saved_tce >= *tce;
            (
                ok,
                format!(
                    "energy saved {} tce/yr {} minimum {}",
                    n(r.energy_saved_tce),
                    if ok { ">=" } else { "<" },
                    n(*tce)
                ),
            )
        }
        Rule::MinReductionIntensity { tco2_per_10k_yuan } => {
            let ok = r.tco2_per_10k_yuan >= *tco2_per_10k_yuan;
            (
                ok,
                format!(
                    "{} tCO2/yr per 10,000 yuan of capex {} minimum {}",
                    n(r.tco2_per_10k_yuan),
                    if ok { ">=" } else { "<" },
                    n(*tco2_per_10k_yuan)
                ),
            )
        }
        Rule::CapexRange { min_yuan, max_yuan } => {
            let lo = min_yuan.is_none_or(|m| p.capex_yuan >= m);
            let hi = max_yuan.is_none_or(|m| p.capex_yuan <= m);
            let bounds = format!(
                "[{}, {}]",
                min_yuan.map(n).unwrap_or_else(|| "-".into()),
                max_yuan.map(n).unwrap_or_else(|| "-".into())
            );
            (
                lo && hi,
                format!(
                    "capex {} yuan {} {bounds}",
                    n(p.capex_yuan),
                    if lo && hi { "is within" } else { "is outside" }
                ),
            )
        }
        Rule::MinQuotaPledge { tco2 } => match p.pledgeable_quota_tco2 {
            Some(q) if q >= *tco2 => (
                true,
                format!(
                    "{} tCO2 of allowances can be pledged (>= {})",
                    n(q),
                    n(*tco2)
                ),
            ),
            Some(q) => (
                false,
                format!(
                    "only {} tCO2 of allowances can be pledged (< {})",
                    n(q),
                    n(*tco2)
                ),
            ),
            None => (
                false,
                "the enterprise declared no pledgeable allowances".into(),
            ),
        },
        Rule::OperationBy { latest } => {
            let ok = p.operation_start <= *latest;
            (
                ok,
                format!(
                    "operation starts {} {} the deadline {latest}",
                    p.operation_start,
                    if ok { "by" } else { "after" }
                ),
            )
        }
    };
    RuleCheck {
        rule: rule.key().into(),
        passed,
        reason,
    }
}

/// What the product provides to this project, yuan truncated to fen.
fn offer(product: &Product, p: &Project, r: &Reduction) -> Decimal {
    let mut amount = p.capex_yuan;
    if let Some(s) = &product.subsidy {
        amount = (p.capex_yuan * s.share_of_capex).min(s.cap_yuan);
        if let Some(per_t) = s.yuan_per_annual_tco2 {
            amount = amount.min((r.total_tco2 * per_t).max(Decimal::ZERO));
        }
    }
    if let Some(share) = product.max_share_of_capex {
        amount = amount.min(p.capex_yuan * share);
    }
    if let Some(max) = product.max_amount_yuan {
        amount = amount.min(max);
    }
    if let (Some(v), Some(q)) = (product.pledge_value_yuan_per_tco2, p.pledgeable_quota_tco2) {
        amount = amount.min(q * v);
    }
    floor_fen(amount.max(Decimal::ZERO))
}

/// Evaluates every rule of `product` for a project with its expected reduction and tags.
pub fn evaluate(product: &Product, p: &Project, r: &Reduction, tags: &[Tag]) -> Match {
    let checks: Vec<RuleCheck> = product
        .rules
        .iter()
        .map(|rule| check(rule, p, r, tags))
        .collect();
    Match {
        project_id: p.id.clone(),
        product_id: product.id.clone(),
        issuer: product.issuer.clone(),
        kind: product.kind,
        eligible: checks.iter().all(|c| c.passed),
        offer_yuan: offer(product, p, r),
        checks,
        annual_rate_pct: product.annual_rate_pct,
        tenor_months: product.tenor_months,
        annual_reduction_tco2: r.total_tco2,
        tco2_per_10k_yuan: r.tco2_per_10k_yuan,
    }
}

fn failed(m: &Match) -> usize {
    m.checks.iter().filter(|c| !c.passed).count()
}

/// Products for a project: eligible first, then fewest failed rules, then grants before
/// repaid money, then the lowest rate, then the largest offer.
pub fn products_for_project(
    p: &Project,
    r: &Reduction,
    tags: &[Tag],
    products: &[Product],
) -> Vec<Match> {
    let mut out: Vec<Match> = products.iter().map(|pr| evaluate(pr, p, r, tags)).collect();
    out.sort_by(|a, b| {
        b.eligible
            .cmp(&a.eligible)
            .then(failed(a).cmp(&failed(b)))
            .then(a.kind.is_repaid().cmp(&b.kind.is_repaid()))
            .then(
                a.annual_rate_pct
                    .unwrap_or_default()
                    .cmp(&b.annual_rate_pct.unwrap_or_default()),
            )
            .then(b.offer_yuan.cmp(&a.offer_yuan))
            .then(a.product_id.cmp(&b.product_id))
    });
    out
}

/// Projects for a product: eligible first, then fewest failed rules, then the most
/// reduction per yuan, then the largest reduction.
pub fn projects_for_product(
    product: &Product,
    projects: &[(Project, Reduction, Vec<Tag>)],
) -> Vec<Match> {
    let mut out: Vec<Match> = projects
        .iter()
        .map(|(p, r, t)| evaluate(product, p, r, t))
        .collect();
    out.sort_by(|a, b| {
        b.eligible
            .cmp(&a.eligible)
            .then(failed(a).cmp(&failed(b)))
            .then(b.tco2_per_10k_yuan.cmp(&a.tco2_per_10k_yuan))
            .then(b.annual_reduction_tco2.cmp(&a.annual_reduction_tco2))
            .then_with(|| a.project_id.cmp(&b.project_id))
            .then(Ordering::Equal)
    });
    out
}

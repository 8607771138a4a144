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
    /// The reason in English ([`reason_en`] of `code` and `args`).
    pub reason: String,
    /// The reason as a code (`capex_range.within`, `region.not_in`, ...) ...
    #[serde(default)]
    pub code: String,
    /// ... and its parameters, for rendering in other languages.
    #[serde(default)]
    pub args: Args,
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

/// A rule's outcome as a code and its parameters: the reason in any language is the
/// template of the code with the parameters filled in ([`reason_en`] here, the web
/// catalogue's `rule.{code}` in Chinese).
fn outcome(rule: &Rule, p: &Project, r: &Reduction, tags: &[Tag]) -> (bool, &'static str, Args) {
    let met = |ok: bool, yes: &'static str, no: &'static str| if ok { yes } else { no };
    match rule {
        Rule::Region { regions } => {
            let ok = regions.contains(&p.region);
            (
                ok,
                met(ok, "region.in", "region.not_in"),
                args([("region", p.region.to_string()), ("list", list(regions))]),
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
                    "category.under",
                    args([
                        ("tag", t.code.clone()),
                        ("path", t.path_zh.clone()),
                        ("list", list(prefixes)),
                    ]),
                ),
                None => (
                    false,
                    "category.not_under",
                    args([
                        (
                            "tags",
                            list(&tags.iter().map(|t| t.code.as_str()).collect::<Vec<_>>()),
                        ),
                        ("list", list(prefixes)),
                    ]),
                ),
            }
        }
        Rule::ProjectKind { kinds } => {
            let ok = kinds.contains(&p.kind);
            let keys: Vec<&str> = kinds.iter().map(|k| k.key()).collect();
            (
                ok,
                met(ok, "project_kind.in", "project_kind.not_in"),
                args([("kind", p.kind.key().to_string()), ("list", list(&keys))]),
            )
        }
        Rule::ClimateProject => match tags.iter().find(|t| t.climate) {
            Some(t) => (
                true,
                "climate_project.meets",
                args([("tag", t.code.clone()), ("path", t.path_zh.clone())]),
            ),
            None => (false, "climate_project.none", Args::new()),
        },
        Rule::MinAnnualReduction { tco2 } => {
            let ok = r.total_tco2 >= *tco2;
            (
                ok,
                met(ok, "min_annual_reduction.met", "min_annual_reduction.short"),
                args([("value", n(r.total_tco2)), ("min", n(*tco2))]),
            )
        }
        Rule::MinEnergySaved { tce } => {
            let ok = r.energy_saved_tce >= *tce;
            (
                ok,
                met(ok, "min_energy_saved.met", "min_energy_saved.short"),
                args([("value", n(r.energy_saved_tce)), ("min", n(*tce))]),
            )
        }
        Rule::MinReductionIntensity { tco2_per_10k_yuan } => {
            let ok = r.tco2_per_10k_yuan >= *tco2_per_10k_yuan;
            (
                ok,
                met(
                    ok,
                    "min_reduction_intensity.met",
                    "min_reduction_intensity.short",
                ),
                args([
                    ("value", n(r.tco2_per_10k_yuan)),
                    ("min", n(*tco2_per_10k_yuan)),
                ]),
            )
        }
        Rule::CapexRange { min_yuan, max_yuan } => {
            let lo = min_yuan.is_none_or(|m| p.capex_yuan >= m);
            let hi = max_yuan.is_none_or(|m| p.capex_yuan <= m);
            let bound = |b: &Option<Decimal>| b.map(n).unwrap_or_else(|| "-".into());
            (
                lo && hi,
                met(lo && hi, "capex_range.within", "capex_range.outside"),
                args([
                    ("capex", n(p.capex_yuan)),
                    ("min", bound(min_yuan)),
                    ("max", bound(max_yuan)),
                ]),
            )
        }
        Rule::MinQuotaPledge { tco2 } => match p.pledgeable_quota_tco2 {
            Some(q) => {
                let ok = q >= *tco2;
                (
                    ok,
                    met(ok, "min_quota_pledge.met", "min_quota_pledge.short"),
                    args([("value", n(q)), ("min", n(*tco2))]),
                )
            }
            None => (false, "min_quota_pledge.none", Args::new()),
        },
        Rule::OperationBy { latest } => {
            let ok = p.operation_start <= *latest;
            (
                ok,
                met(ok, "operation_by.met", "operation_by.late"),
                args([
                    ("start", p.operation_start.to_string()),
                    ("latest", latest.to_string()),
                ]),
            )
        }
    }
}

/// A reason's parameters, by name.
pub type Args = std::collections::BTreeMap<String, String>;

fn args<const N: usize>(pairs: [(&str, String); N]) -> Args {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The English template of each reason code; `{name}` stands for a parameter.
pub const REASONS_EN: &[(&str, &str)] = &[
    ("region.in", "project region {region} is in [{list}]"),
    (
        "region.not_in",
        "project region {region} is not in [{list}]",
    ),
    ("category.under", "tag {tag} {path} is under [{list}]"),
    ("category.not_under", "tags [{tags}] are not under [{list}]"),
    ("project_kind.in", "project kind {kind} is in [{list}]"),
    (
        "project_kind.not_in",
        "project kind {kind} is not in [{list}]",
    ),
    (
        "climate_project.meets",
        "tag {tag} {path} meets the climate mitigation criteria",
    ),
    (
        "climate_project.none",
        "no tag meets the climate investment and financing mitigation criteria",
    ),
    (
        "min_annual_reduction.met",
        "expected reduction {value} tCO2/yr >= minimum {min}",
    ),
    (
        "min_annual_reduction.short",
        "expected reduction {value} tCO2/yr < minimum {min}",
    ),
    (
        "min_energy_saved.met",
        "energy saved {value} tce/yr >= minimum {min}",
    ),
    (
        "min_energy_saved.short",
        "energy saved {value} tce/yr < minimum {min}",
    ),
    (
        "min_reduction_intensity.met",
        "{value} tCO2/yr per 10,000 yuan of capex >= minimum {min}",
    ),
    (
        "min_reduction_intensity.short",
        "{value} tCO2/yr per 10,000 yuan of capex < minimum {min}",
    ),
    (
        "capex_range.within",
        "capex {capex} yuan is within [{min}, {max}]",
    ),
    (
        "capex_range.outside",
        "capex {capex} yuan is outside [{min}, {max}]",
    ),
    (
        "min_quota_pledge.met",
        "{value} tCO2 of allowances can be pledged (>= {min})",
    ),
    (
        "min_quota_pledge.short",
        "only {value} tCO2 of allowances can be pledged (< {min})",
    ),
    (
        "min_quota_pledge.none",
        "the enterprise declared no pledgeable allowances",
    ),
    (
        "operation_by.met",
        "operation starts {start} by the deadline {latest}",
    ),
    (
        "operation_by.late",
        "operation starts {start} after the deadline {latest}",
    ),
];

/// `template` with each `{name}` replaced by its parameter.
pub fn fill(template: &str, args: &Args) -> String {
    args.iter()
        .fold(template.to_string(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

/// The English reason of `code` with `args`.
pub fn reason_en(code: &str, args: &Args) -> String {
    REASONS_EN
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_string(), |(_, t)| fill(t, args))
}

fn check(rule: &Rule, p: &Project, r: &Reduction, tags: &[Tag]) -> RuleCheck {
    let (passed, code, args) = outcome(rule, p, r, tags);
    RuleCheck {
        rule: rule.key().into(),
        passed,
        reason: reason_en(code, &args),
        code: code.into(),
        args,
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

//! Financial products as data (金融产品): special subsidies, low-interest and
//! carbon-reduction loans, green bonds and carbon-quota-pledged credit, each with the
//! eligibility rules the matching engine checks.

use crate::FinanceError;
use crate::project::ProjectKind;
use serde::{Deserialize, Serialize};
use zp_domain::{Decimal, Period, Region};

/// What kind of product.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProductKind {
    /// 专项补助资金: a grant, not repaid.
    Subsidy,
    /// 低息贷款.
    LowInterestLoan,
    /// 碳减排贷款 (eligible for the PBOC carbon emission reduction facility).
    CarbonReductionLoan,
    /// 绿色债券.
    GreenBond,
    /// 碳排放权质押贷款: credit secured by pledged carbon emission allowances.
    QuotaPledgedCredit,
}

impl ProductKind {
    pub fn key(self) -> &'static str {
        match self {
            ProductKind::Subsidy => "subsidy",
            ProductKind::LowInterestLoan => "low_interest_loan",
            ProductKind::CarbonReductionLoan => "carbon_reduction_loan",
            ProductKind::GreenBond => "green_bond",
            ProductKind::QuotaPledgedCredit => "quota_pledged_credit",
        }
    }

    /// Whether the money is repaid (loans, bonds, credit) on a schedule.
    pub fn is_repaid(self) -> bool {
        self != ProductKind::Subsidy
    }
}

/// How a subsidy is sized: the least of a share of capex, a cap and (optionally) a price
/// per tonne of annual reduction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SubsidyTerms {
    /// Share of capex, e.g. 0.1 for 10 %.
    pub share_of_capex: Decimal,
    /// Cap in yuan.
    pub cap_yuan: Decimal,
    /// Yuan per tCO2 of expected annual reduction, when the programme pays by reduction.
    #[serde(default)]
    pub yuan_per_annual_tco2: Option<Decimal>,
}

/// One eligibility rule. Every rule of a product must pass for a project to be eligible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// The project is in one of these regions.
    Region { regions: Vec<Region> },
    /// A tag of the project starts with one of these catalogue codes (`1.1` covers `1.1.2`).
    Category { prefixes: Vec<String> },
    /// The project is of one of these kinds.
    ProjectKind { kinds: Vec<ProjectKind> },
    /// A tag meets the climate investment and financing mitigation criteria.
    ClimateProject,
    /// Expected annual reduction (Scope 1 + 2 location-based) at least this.
    MinAnnualReduction { tco2: Decimal },
    /// Expected annual energy saved at least this.
    MinEnergySaved { tce: Decimal },
    /// Expected annual reduction per 10,000 yuan of capex at least this.
    MinReductionIntensity { tco2_per_10k_yuan: Decimal },
    /// Capex within the bounds (yuan, inclusive).
    CapexRange {
        #[serde(default)]
        min_yuan: Option<Decimal>,
        #[serde(default)]
        max_yuan: Option<Decimal>,
    },
    /// The enterprise can pledge at least this many allowances (quota-pledged credit).
    MinQuotaPledge { tco2: Decimal },
    /// The project is in operation no later than this month (programme deadlines).
    OperationBy { latest: Period },
}

impl Rule {
    pub fn key(&self) -> &'static str {
        match self {
            Rule::Region { .. } => "region",
            Rule::Category { .. } => "category",
            Rule::ProjectKind { .. } => "project_kind",
            Rule::ClimateProject => "climate_project",
            Rule::MinAnnualReduction { .. } => "min_annual_reduction",
            Rule::MinEnergySaved { .. } => "min_energy_saved",
            Rule::MinReductionIntensity { .. } => "min_reduction_intensity",
            Rule::CapexRange { .. } => "capex_range",
            Rule::MinQuotaPledge { .. } => "min_quota_pledge",
            Rule::OperationBy { .. } => "operation_by",
        }
    }
}

/// A product published by a bank or a government programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Product {
    pub id: String,
    /// The bank or the programme owner (e.g. `重庆市北碚区生态环境局`).
    pub issuer: String,
    pub name: String,
    pub kind: ProductKind,
    /// Annual interest or coupon rate, percent (e.g. 3.2).
    #[serde(default)]
    pub annual_rate_pct: Option<Decimal>,
    #[serde(default)]
    pub tenor_months: Option<u32>,
    /// Largest amount per project, yuan.
    #[serde(default)]
    pub max_amount_yuan: Option<Decimal>,
    /// Largest share of capex financed, e.g. 0.7.
    #[serde(default)]
    pub max_share_of_capex: Option<Decimal>,
    /// Yuan lent per pledged tCO2 (quota-pledged credit).
    #[serde(default)]
    pub pledge_value_yuan_per_tco2: Option<Decimal>,
    #[serde(default)]
    pub subsidy: Option<SubsidyTerms>,
    #[serde(default)]
    pub rules: Vec<Rule>,
}

impl Product {
    pub fn validate(&self) -> Result<(), FinanceError> {
        let bad = |reason: &str| {
            Err(FinanceError::Product {
                id: self.id.clone(),
                reason: reason.into(),
            })
        };
        if self.id.trim().is_empty() || self.id.len() > 64 {
            return bad("id must be 1-64 characters");
        }
        match self.kind {
            ProductKind::Subsidy if self.subsidy.is_none() => {
                return bad("a subsidy needs [subsidy] terms (share_of_capex, cap_yuan)");
            }
            ProductKind::Subsidy => {}
            _ => {
                if self.annual_rate_pct.is_none_or(|r| r < Decimal::ZERO) {
                    return bad("a loan, bond or credit needs annual_rate_pct >= 0");
                }
                if self.tenor_months.is_none_or(|t| t == 0 || t > 600) {
                    return bad("a loan, bond or credit needs tenor_months in 1..=600");
                }
            }
        }
        if self.kind == ProductKind::QuotaPledgedCredit
            && !self
                .rules
                .iter()
                .any(|r| matches!(r, Rule::MinQuotaPledge { .. }))
        {
            return bad("quota-pledged credit needs a min_quota_pledge rule");
        }
        for r in &self.rules {
            if let Rule::Region { regions } = r
                && regions.is_empty()
            {
                return bad("region rule lists no region");
            }
            if let Rule::Category { prefixes } = r
                && prefixes.is_empty()
            {
                return bad("category rule lists no category");
            }
        }
        Ok(())
    }

    /// Parses a product from TOML.
    pub fn from_toml(text: &str) -> Result<Product, FinanceError> {
        let p: Product = toml::from_str(text).map_err(|e| FinanceError::Product {
            id: "?".into(),
            reason: e.to_string(),
        })?;
        p.validate()?;
        Ok(p)
    }
}

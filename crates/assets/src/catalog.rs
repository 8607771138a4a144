//! Kinds of carbon units and compliance schemes, as data (`data/schemes.toml`, compiled in).

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// What a kind of unit can be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum KindClass {
    /// An emission allowance (配额) of one scheme.
    Allowance,
    /// A certified reduction (核证减排量) that a scheme may accept as an offset.
    Offset,
    /// A carbon-inclusion (碳普惠) credit: voluntary cancellation only.
    Inclusion,
}

/// A kind of carbon unit: `cea`, `cq-allowance`, `ccer`, `cqcer`, `inclusion`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct KindInfo {
    pub code: String,
    pub name: String,
    /// The name in Chinese and in English, for pages in one language (`name` has both).
    #[serde(default)]
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    pub class: KindClass,
    /// The scheme whose allowance this is (allowances only).
    #[serde(default)]
    pub scheme: Option<String>,
    pub source: String,
}

/// A compliance scheme (an emissions trading system).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SchemeInfo {
    pub code: String,
    pub name: String,
    /// The name in Chinese and in English, for pages in one language (`name` has both).
    #[serde(default)]
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    pub allowance_kind: String,
    pub offset_kinds: Vec<String>,
    /// Offsets count up to this percentage of verified emissions; `None` when the rule
    /// could not be sourced (offset surrenders are then refused).
    #[serde(default)]
    pub offset_cap_percent: Option<u64>,
    pub offset_cap_source: String,
    /// Which accounts figure stands in for verified emissions when none is entered:
    /// `scope1` or `scope1+scope2_location`.
    #[serde(default)]
    pub accounts_scope: Option<String>,
    #[serde(default)]
    pub accounts_scope_notice: String,
    /// Yearly emissions from which an enterprise is a key emitter (纳入标准), tCO2e.
    #[serde(default)]
    pub inclusion_threshold_tco2: Option<u64>,
    /// An energy-consumption equivalent of the threshold, tce, where the rule states one.
    #[serde(default)]
    pub inclusion_threshold_tce: Option<u64>,
    /// Only industrial enterprises (GB/T 4754 sections B, C, D: codes 06..46) are covered.
    #[serde(default)]
    pub inclusion_industrial_only: bool,
    #[serde(default)]
    pub inclusion_source: String,
}

impl SchemeInfo {
    /// The offset cap in whole tonnes for `verified_tco2`, rounded down (a fraction of a
    /// tonne cannot be surrendered).
    pub fn offset_cap_t(&self, verified_tco2: u64) -> Option<u64> {
        self.offset_cap_percent
            .map(|p| (u128::from(verified_tco2) * u128::from(p) / 100) as u64)
    }
}

/// Whether an enterprise's accounts cross a scheme's inclusion threshold, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Inclusion {
    pub crosses: bool,
    /// Which thresholds are reached, e.g. `26000 tCO2e`; or why not covered.
    pub reasons: Vec<String>,
}

impl SchemeInfo {
    /// Checks the inclusion thresholds ("达到": at or above) against whole tonnes rounded
    /// down (for an integer threshold N, x >= N exactly when floor(x) >= N). `industry` is
    /// the GB/T 4754 code.
    pub fn inclusion(&self, tco2_floor: u64, tce_floor: u64, industry: &str) -> Inclusion {
        let mut reasons = Vec::new();
        if let Some(t) = self.inclusion_threshold_tco2
            && tco2_floor >= t
        {
            reasons.push(format!("{tco2_floor} tCO2e >= {t} tCO2e"));
        }
        if let Some(t) = self.inclusion_threshold_tce
            && tce_floor >= t
        {
            reasons.push(format!("{tce_floor} tce >= {t} tce"));
        }
        let industrial = industry
            .get(..2)
            .and_then(|d| d.parse::<u32>().ok())
            .is_some_and(|d| (6..=46).contains(&d));
        if self.inclusion_industrial_only && !industrial && !reasons.is_empty() {
            return Inclusion {
                crosses: false,
                reasons: vec![format!(
                    "industry {industry:?} is not industrial (GB/T 4754 06..46): not covered"
                )],
            };
        }
        Inclusion {
            crosses: !reasons.is_empty(),
            reasons,
        }
    }
}

/// The kinds and schemes the registry knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Catalog {
    #[serde(rename = "kind")]
    pub kinds: Vec<KindInfo>,
    #[serde(rename = "scheme")]
    pub schemes: Vec<SchemeInfo>,
}

const SCHEMES_TOML: &str = include_str!("../data/schemes.toml");

impl Catalog {
    /// The built-in catalog.
    pub fn builtin() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            let c: Catalog = toml::from_str(SCHEMES_TOML).expect("data/schemes.toml parses");
            c.check().expect("data/schemes.toml is consistent");
            c
        })
    }

    pub fn kind(&self, code: &str) -> Option<&KindInfo> {
        self.kinds.iter().find(|k| k.code == code)
    }

    pub fn scheme(&self, code: &str) -> Option<&SchemeInfo> {
        self.schemes.iter().find(|s| s.code == code)
    }

    /// The scheme `code`, or [`AssetError::UnknownScheme`](crate::AssetError::UnknownScheme).
    pub fn known_scheme(&self, code: &str) -> Result<&SchemeInfo, crate::AssetError> {
        self.scheme(code)
            .ok_or_else(|| crate::AssetError::UnknownScheme(code.into()))
    }

    fn check(&self) -> Result<(), String> {
        for s in &self.schemes {
            let a = self
                .kind(&s.allowance_kind)
                .ok_or(format!("{}: unknown allowance kind", s.code))?;
            if a.class != KindClass::Allowance || a.scheme.as_deref() != Some(s.code.as_str()) {
                return Err(format!("{}: {} is not its allowance", s.code, a.code));
            }
            if let Some(a) = &s.accounts_scope
                && !["scope1", "scope1+scope2_location"].contains(&a.as_str())
            {
                return Err(format!("{}: accounts_scope {a:?}", s.code));
            }
            for o in &s.offset_kinds {
                if self.kind(o).map(|k| k.class) != Some(KindClass::Offset) {
                    return Err(format!("{}: {o} is not an offset kind", s.code));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_has_the_five_kinds_and_the_national_cap() {
        let c = Catalog::builtin();
        let codes: Vec<_> = c.kinds.iter().map(|k| k.code.as_str()).collect();
        assert_eq!(codes, ["cea", "cq-allowance", "ccer", "cqcer", "inclusion"]);
        let cn = c.scheme("cn-ets").unwrap();
        // 5 % of 50,000 t = 2,500 t; of 49,999 t = 2,499.95 -> 2,499 whole tonnes.
        assert_eq!(cn.offset_cap_t(50_000), Some(2_500));
        assert_eq!(cn.offset_cap_t(49_999), Some(2_499));
        assert!(cn.offset_cap_source.contains("第二十九条"));
        assert_eq!(c.scheme("cq-pilot").unwrap().offset_cap_t(50_000), None);
    }

    #[test]
    fn every_kind_and_scheme_has_a_name_in_each_language() {
        let c = Catalog::builtin();
        let names = c
            .kinds
            .iter()
            .map(|k| (&k.code, &k.name_zh, &k.name_en))
            .chain(c.schemes.iter().map(|s| (&s.code, &s.name_zh, &s.name_en)));
        for (code, zh, en) in names {
            assert!(!zh.is_empty() && !en.is_empty(), "{code}");
            assert!(!zh.chars().any(|c| c.is_ascii_alphabetic()), "{code}: {zh}");
        }
    }

    #[test]
    fn inclusion_thresholds_at_and_below() {
        let c = Catalog::builtin();
        let cn = c.scheme("cn-ets").unwrap();
        assert!(cn.inclusion(26_000, 0, "4411").crosses);
        assert!(!cn.inclusion(25_999, 9_999, "4411").crosses);
        let cq = c.scheme("cq-pilot").unwrap();
        // Either 13,000 tCO2e or the ~5,000 tce equivalent flags an industrial enterprise.
        assert_eq!(
            cq.inclusion(13_000, 10, "3011").reasons,
            ["13000 tCO2e >= 13000 tCO2e"]
        );
        assert_eq!(
            cq.inclusion(100, 5_000, "3011").reasons,
            ["5000 tce >= 5000 tce"]
        );
        assert!(!cq.inclusion(12_999, 4_999, "3011").crosses);
        // A data centre (6450, section I) is not an industrial enterprise.
        assert!(!cq.inclusion(20_000, 6_000, "6450").crosses);
    }
}

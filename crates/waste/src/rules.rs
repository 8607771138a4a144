//! The configurable rules of approvals and manifests: approval periods in working days and
//! the manifest weight tolerance, from `data/transfer-rules.toml` (each value with its source
//! and whether it was checked against the published text) or a file of the same shape.

use crate::WasteError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

const BUILTIN: &str = include_str!("../data/transfer-rules.toml");

/// One configured value's source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Period {
    pub approval_working_days: u32,
    pub source: String,
    /// False: not checked against the published text; confirm before relying on it.
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestRules {
    /// Allowed |received - shipped| as a percentage of the shipped weight.
    pub discrepancy_tolerance_pct: Decimal,
    pub source: String,
    pub verified: bool,
}

/// The rules in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    /// Whitelisted pairs: working days after the submission day.
    pub whitelist: Period,
    /// Everyone else: the statutory period of the transfer rules.
    pub statutory: Period,
    pub manifest: ManifestRules,
}

impl Rules {
    /// The rules shipped in `data/transfer-rules.toml`.
    pub fn builtin() -> Rules {
        Rules::parse(BUILTIN).expect("crates/waste/data/transfer-rules.toml is valid")
    }

    /// Rules from TOML text of the shipped file's shape.
    pub fn parse(text: &str) -> Result<Rules, WasteError> {
        let r: Rules = toml::from_str(text).map_err(|e| WasteError::Data(format!("rules: {e}")))?;
        if r.manifest.discrepancy_tolerance_pct < Decimal::ZERO {
            return Err(WasteError::Data(
                "rules: discrepancy_tolerance_pct must not be negative".into(),
            ));
        }
        Ok(r)
    }

    /// The approval period of an application.
    pub fn approval_days(&self, whitelisted: bool) -> u32 {
        if whitelisted {
            self.whitelist.approval_working_days
        } else {
            self.statutory.approval_working_days
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_rules() {
        let r = Rules::builtin();
        assert_eq!(r.approval_days(true), 5);
        // 第十九条 as recalled: 5 + 10 + 5 working days, marked unverified.
        assert_eq!(r.approval_days(false), 20);
        assert!(!r.statutory.verified);
        assert_eq!(r.manifest.discrepancy_tolerance_pct, Decimal::from(2));
    }

    #[test]
    fn a_province_can_configure_its_own() {
        let text = BUILTIN.replace("approval_working_days = 20", "approval_working_days = 15");
        assert_eq!(Rules::parse(&text).unwrap().approval_days(false), 15);
        let negative = BUILTIN.replace(
            "discrepancy_tolerance_pct = \"2\"",
            "discrepancy_tolerance_pct = \"-1\"",
        );
        assert!(Rules::parse(&negative).is_err());
    }
}

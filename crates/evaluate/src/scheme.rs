//! Indicator sets (评价指标体系) as versioned TOML data, parsed and validated.
//!
//! The file format is described in the crate README; the built-in sets live in
//! `schemes/*.toml`. A set is identified by `id` + `version`, and every result records
//! both plus the SHA-256 of the file text, so a changed set can never pass for the old one.

use crate::inputs::Source;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::str::FromStr;

/// The only TOML `format` this version reads.
pub const SCHEME_FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemeError {
    #[error("indicator set is not valid TOML: {0}")]
    Toml(String),
    #[error(
        "indicator set format {0} is not supported (this program reads format {SCHEME_FORMAT})"
    )]
    Format(u32),
    #[error("indicator set {scheme:?}: {message}")]
    Invalid { scheme: String, message: String },
    #[error("indicator set {id:?} version {version:?} is already loaded with different content")]
    Conflict { id: String, version: String },
}

/// How two numbers are compared: `value <op> threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Comparison {
    #[serde(rename = "<=")]
    AtMost,
    #[serde(rename = "<")]
    Below,
    #[serde(rename = ">=")]
    AtLeast,
    #[serde(rename = ">")]
    Above,
    #[serde(rename = "==")]
    Equal,
}

impl Comparison {
    /// Exact decimal comparison: a value exactly at a `<=`/`>=` threshold passes.
    pub fn holds(self, value: Decimal, threshold: Decimal) -> bool {
        match self {
            Comparison::AtMost => value <= threshold,
            Comparison::Below => value < threshold,
            Comparison::AtLeast => value >= threshold,
            Comparison::Above => value > threshold,
            Comparison::Equal => value == threshold,
        }
    }

    /// True when smaller values are better.
    pub fn lower_is_better(self) -> bool {
        matches!(self, Comparison::AtMost | Comparison::Below)
    }
}

/// A threshold that depends on the size of the scope (e.g. energy use bands of 910号).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    pub label: String,
    /// The label in Chinese, when the set gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_zh: Option<String>,
    /// Inclusive lower bound of the basis; `None` = no lower bound.
    pub min: Option<Decimal>,
    /// Exclusive upper bound of the basis; `None` = no upper bound.
    pub max: Option<Decimal>,
    pub threshold: Decimal,
    /// The set does not cover scopes in this band (e.g. parks below 200,000 tce for 910号):
    /// the threshold is shown as a reference, and the evaluation cannot pass.
    pub outside_scope: bool,
}

impl Band {
    pub fn contains(&self, basis: Decimal) -> bool {
        self.min.is_none_or(|m| basis >= m) && self.max.is_none_or(|m| basis < m)
    }
}

/// The threshold of an indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    Fixed(Decimal),
    Banded { basis: Source, bands: Vec<Band> },
}

/// How a scored indicator earns its points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum Scoring {
    /// Reported only (veto or guiding indicators).
    None,
    /// Full points when the threshold is met, none otherwise.
    Threshold,
    /// Min-max: 0 at `worst`, full at `best`, linear between, clamped (works both ways).
    Linear { worst: Decimal, best: Decimal },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorDef {
    pub id: String,
    pub name: String,
    pub name_zh: Option<String>,
    pub source: Source,
    pub unit: String,
    /// A veto (否决项 / 基本要求) indicator: failing or missing it fails the evaluation.
    pub veto: bool,
    pub group: Option<String>,
    /// Relative weight inside its group (scored indicators only).
    pub weight: Option<Decimal>,
    pub comparison: Option<Comparison>,
    pub threshold: Option<Threshold>,
    pub scoring: Scoring,
    pub note: Option<String>,
}

/// A first-level indicator (一级指标) with its share of the 100 points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub name: String,
    /// Points out of 100.
    pub weight: Decimal,
}

/// A grade given from a minimum score (ESG).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grade {
    pub grade: String,
    pub min_score: Decimal,
}

/// How the overall `pass` is decided. Veto indicators always have to pass (and be present).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PassRule {
    /// Scored sets: the total score (0-100) must reach this.
    pub min_score: Option<Decimal>,
    /// When true, any missing indicator fails the evaluation, not only missing vetoes.
    pub require_complete: bool,
}

/// A validated indicator set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scheme {
    pub id: String,
    pub version: String,
    pub name: String,
    pub name_zh: Option<String>,
    /// Where the indicators and weights come from, and the assumptions made.
    pub basis: String,
    pub notes: Vec<String>,
    pub pass: PassRule,
    pub groups: Vec<Group>,
    pub grades: Vec<Grade>,
    pub indicators: Vec<IndicatorDef>,
    /// SHA-256 of the TOML text the set was read from (hex).
    pub sha256: String,
}

impl Serialize for Source {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

// ---- file model -------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SchemeFile {
    format: u32,
    id: String,
    version: String,
    name: String,
    name_zh: Option<String>,
    basis: String,
    #[serde(default)]
    notes: Vec<String>,
    #[serde(default)]
    pass: PassFile,
    #[serde(default)]
    group: Vec<GroupFile>,
    #[serde(default)]
    grade: Vec<GradeFile>,
    #[serde(default)]
    indicator: Vec<IndicatorFile>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PassFile {
    #[serde(default, deserialize_with = "opt_dec")]
    min_score: Option<Decimal>,
    #[serde(default)]
    require_complete: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupFile {
    id: String,
    name: String,
    #[serde(deserialize_with = "dec")]
    weight: Decimal,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GradeFile {
    grade: String,
    #[serde(deserialize_with = "dec")]
    min_score: Decimal,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorFile {
    id: String,
    name: String,
    name_zh: Option<String>,
    source: String,
    unit: String,
    #[serde(default)]
    veto: bool,
    group: Option<String>,
    #[serde(default, deserialize_with = "opt_dec")]
    weight: Option<Decimal>,
    comparison: Option<Comparison>,
    #[serde(default, deserialize_with = "opt_dec")]
    threshold: Option<Decimal>,
    band_basis: Option<String>,
    #[serde(default)]
    band: Vec<BandFile>,
    scoring: Option<String>,
    #[serde(default, deserialize_with = "opt_dec")]
    worst: Option<Decimal>,
    #[serde(default, deserialize_with = "opt_dec")]
    best: Option<Decimal>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BandFile {
    label: String,
    #[serde(default)]
    label_zh: Option<String>,
    #[serde(default, deserialize_with = "opt_dec")]
    min: Option<Decimal>,
    #[serde(default, deserialize_with = "opt_dec")]
    max: Option<Decimal>,
    #[serde(deserialize_with = "dec")]
    threshold: Decimal,
    #[serde(default)]
    outside_scope: bool,
}

/// TOML numbers as exact decimals: integers, floats (read back through their shortest
/// decimal text, so `0.20` is exactly 0.2) or strings.
#[derive(Deserialize)]
#[serde(untagged)]
enum Num {
    Int(i64),
    Float(f64),
    Text(String),
}

fn num_to_dec(n: Num) -> Result<Decimal, String> {
    match n {
        Num::Int(i) => Ok(Decimal::from(i)),
        Num::Float(f) if f.is_finite() => {
            Decimal::from_str(&f.to_string()).map_err(|e| format!("{f}: {e}"))
        }
        Num::Float(f) => Err(format!("{f} is not a finite number")),
        Num::Text(s) => Decimal::from_str(s.trim()).map_err(|e| format!("{s:?}: {e}")),
    }
}

pub(crate) fn dec<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    num_to_dec(Num::deserialize(d)?).map_err(serde::de::Error::custom)
}

fn opt_dec<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    dec(d).map(Some)
}

// ---- validation -------------------------------------------------------------------------

impl Scheme {
    /// Parses and validates an indicator set file.
    pub fn from_toml_str(text: &str) -> Result<Scheme, SchemeError> {
        let file: SchemeFile =
            toml::from_str(text).map_err(|e| SchemeError::Toml(e.to_string()))?;
        if file.format != SCHEME_FORMAT {
            return Err(SchemeError::Format(file.format));
        }
        let sha256 = hex::encode(Sha256::digest(text.as_bytes()));
        build(file, sha256)
    }

    pub fn indicator(&self, id: &str) -> Option<&IndicatorDef> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// True when the set gives a score (it has a minimum score or scored indicators).
    pub fn is_scored(&self) -> bool {
        self.pass.min_score.is_some() || self.indicators.iter().any(|i| i.scoring != Scoring::None)
    }
}

fn build(file: SchemeFile, sha256: String) -> Result<Scheme, SchemeError> {
    let scheme_id = file.id.clone();
    let invalid = |message: String| SchemeError::Invalid {
        scheme: scheme_id.clone(),
        message,
    };
    if file.id.trim().is_empty() || file.version.trim().is_empty() {
        return Err(invalid("id and version must not be empty".into()));
    }
    let mut group_ids = BTreeSet::new();
    for g in &file.group {
        if !group_ids.insert(g.id.clone()) {
            return Err(invalid(format!("group {:?} is defined twice", g.id)));
        }
        if g.weight < Decimal::ZERO {
            return Err(invalid(format!("group {:?} has a negative weight", g.id)));
        }
    }
    if !file.group.is_empty() {
        let total: Decimal = file.group.iter().map(|g| g.weight).sum();
        if total != Decimal::ONE_HUNDRED {
            return Err(invalid(format!("group weights sum to {total}, not 100")));
        }
    }
    let mut ids = BTreeSet::new();
    let mut indicators = Vec::with_capacity(file.indicator.len());
    for f in file.indicator {
        let id = f.id.clone();
        let bad = |m: &str| invalid(format!("indicator {id:?}: {m}"));
        if !ids.insert(f.id.clone()) {
            return Err(bad("defined twice"));
        }
        let source = Source::parse(&f.source).ok_or_else(|| {
            bad(&format!(
                "source {:?} is neither accounts.<metric> nor data.<name>",
                f.source
            ))
        })?;
        if let Source::Accounts(m) = source
            && m.unit() != f.unit
        {
            return Err(bad(&format!(
                "unit {:?} but {} is in {:?}",
                f.unit,
                source,
                m.unit()
            )));
        }
        let threshold = match (f.threshold, f.band_basis, f.band.is_empty()) {
            (Some(t), None, true) => Some(Threshold::Fixed(t)),
            (None, Some(basis), false) => {
                let basis = Source::parse(&basis)
                    .ok_or_else(|| bad(&format!("band_basis {basis:?} is not a source")))?;
                let bands: Vec<Band> = f
                    .band
                    .into_iter()
                    .map(|b| Band {
                        label: b.label,
                        label_zh: b.label_zh,
                        min: b.min,
                        max: b.max,
                        threshold: b.threshold,
                        outside_scope: b.outside_scope,
                    })
                    .collect();
                for (k, a) in bands.iter().enumerate() {
                    if let (Some(lo), Some(hi)) = (a.min, a.max)
                        && lo >= hi
                    {
                        return Err(bad(&format!("band {:?} is empty", a.label)));
                    }
                    for b in &bands[k + 1..] {
                        let a_below_b = matches!((a.max, b.min), (Some(x), Some(y)) if x <= y);
                        let b_below_a = matches!((b.max, a.min), (Some(x), Some(y)) if x <= y);
                        if !a_below_b && !b_below_a {
                            return Err(bad(&format!(
                                "bands {:?} and {:?} overlap",
                                a.label, b.label
                            )));
                        }
                    }
                }
                Some(Threshold::Banded { basis, bands })
            }
            (None, None, true) => None,
            _ => {
                return Err(bad(
                    "give either threshold or band_basis with [[indicator.band]]",
                ));
            }
        };
        if threshold.is_some() != f.comparison.is_some() {
            return Err(bad("comparison and threshold go together"));
        }
        let scoring = match f.scoring.as_deref() {
            None | Some("none") => Scoring::None,
            Some("threshold") => {
                if threshold.is_none() {
                    return Err(bad("threshold scoring needs comparison and threshold"));
                }
                Scoring::Threshold
            }
            Some("linear") => {
                let (Some(worst), Some(best)) = (f.worst, f.best) else {
                    return Err(bad("linear scoring needs worst and best"));
                };
                if worst == best {
                    return Err(bad("worst and best are equal"));
                }
                Scoring::Linear { worst, best }
            }
            Some(other) => {
                return Err(bad(&format!(
                    "scoring {other:?} is not none, threshold or linear"
                )));
            }
        };
        let scored = scoring != Scoring::None;
        if f.veto && scored {
            return Err(bad("a veto indicator is pass/fail, not scored"));
        }
        if scored {
            let Some(group) = &f.group else {
                return Err(bad("a scored indicator needs a group"));
            };
            if !group_ids.contains(group) {
                return Err(bad(&format!("group {group:?} is not defined")));
            }
            match f.weight {
                Some(w) if w > Decimal::ZERO => {}
                _ => return Err(bad("a scored indicator needs a positive weight")),
            }
        } else if f.weight.is_some() {
            return Err(bad("weight given but the indicator is not scored"));
        }
        if !f.veto && !scored && threshold.is_none() {
            return Err(bad("neither veto, scored nor given a threshold"));
        }
        if f.veto && threshold.is_none() {
            return Err(bad("a veto indicator needs comparison and threshold"));
        }
        indicators.push(IndicatorDef {
            id: f.id,
            name: f.name,
            name_zh: f.name_zh,
            source,
            unit: f.unit,
            veto: f.veto,
            group: f.group,
            weight: f.weight,
            comparison: f.comparison,
            threshold,
            scoring,
            note: f.note,
        });
    }
    if indicators.is_empty() {
        return Err(invalid("no indicators".into()));
    }
    let any_scored = indicators.iter().any(|i| i.scoring != Scoring::None);
    if any_scored && file.group.is_empty() {
        return Err(invalid("scored indicators need [[group]] weights".into()));
    }
    for g in &file.group {
        if !indicators
            .iter()
            .any(|i| i.group.as_ref() == Some(&g.id) && i.scoring != Scoring::None)
        {
            return Err(invalid(format!("group {:?} has no scored indicator", g.id)));
        }
    }
    if file.pass.min_score.is_some() && !any_scored {
        return Err(invalid("min_score given but nothing is scored".into()));
    }
    if file.pass.min_score.is_none() && !indicators.iter().any(|i| i.veto) {
        return Err(invalid(
            "nothing decides the result: add a veto indicator or [pass] min_score".into(),
        ));
    }
    let mut grades: Vec<Grade> = file
        .grade
        .into_iter()
        .map(|g| Grade {
            grade: g.grade,
            min_score: g.min_score,
        })
        .collect();
    grades.sort_by_key(|g| std::cmp::Reverse(g.min_score));
    Ok(Scheme {
        id: file.id,
        version: file.version,
        name: file.name,
        name_zh: file.name_zh,
        basis: file.basis,
        notes: file.notes,
        pass: PassRule {
            min_score: file.pass.min_score,
            require_complete: file.pass.require_complete,
        },
        groups: file
            .group
            .into_iter()
            .map(|g| Group {
                id: g.id,
                name: g.name,
                weight: g.weight,
            })
            .collect(),
        grades,
        indicators,
        sha256,
    })
}

/// The loaded indicator sets: built-in ones plus user sets. A user set with a new version
/// of an existing id becomes the default for that id; all versions stay available.
#[derive(Debug, Clone, Default)]
pub struct SchemeCatalog {
    schemes: Vec<Scheme>,
}

impl SchemeCatalog {
    /// An empty catalogue.
    pub fn new() -> SchemeCatalog {
        SchemeCatalog::default()
    }

    /// Adds a set. The same id and version may be added again only with identical text.
    pub fn add(&mut self, scheme: Scheme) -> Result<(), SchemeError> {
        if let Some(pos) = self
            .schemes
            .iter()
            .position(|s| s.id == scheme.id && s.version == scheme.version)
        {
            if self.schemes[pos].sha256 != scheme.sha256 {
                return Err(SchemeError::Conflict {
                    id: scheme.id,
                    version: scheme.version,
                });
            }
            self.schemes.remove(pos);
        }
        self.schemes.push(scheme);
        Ok(())
    }

    /// A set by id: the given version, or the one added last.
    pub fn get(&self, id: &str, version: Option<&str>) -> Option<&Scheme> {
        self.schemes
            .iter()
            .rev()
            .find(|s| s.id == id && version.is_none_or(|v| s.version == v))
    }

    pub fn all(&self) -> &[Scheme] {
        &self.schemes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    const MINIMAL: &str = r#"
format = 1
id = "t"
version = "1"
name = "test"
basis = "test"
[[indicator]]
id = "i"
name = "intensity"
source = "accounts.intensity_market_tco2_per_tce"
unit = "tCO2/tce"
veto = true
comparison = "<="
threshold = 0.20
"#;

    #[test]
    fn float_thresholds_are_exact_decimals() {
        let s = Scheme::from_toml_str(MINIMAL).unwrap();
        assert_eq!(s.indicators[0].threshold, Some(Threshold::Fixed(dec!(0.2))));
        assert_eq!(s.sha256.len(), 64);
    }

    #[test]
    fn invalid_sets_are_refused_with_a_reason() {
        let cases = [
            (MINIMAL.replace("format = 1", "format = 2"), "format"),
            (MINIMAL.replace("tCO2/tce\"", "fraction\""), "unit"),
            (
                MINIMAL.replace("accounts.intensity", "accounts.intensityx"),
                "source",
            ),
            (MINIMAL.replace("comparison = \"<=\"\n", ""), "comparison"),
            (
                MINIMAL.replace("veto = true", "veto = false"),
                "nothing decides",
            ),
            (
                MINIMAL.replace("veto = true", "colour = 1"),
                "unknown field",
            ),
        ];
        for (text, needle) in cases {
            let err = Scheme::from_toml_str(&text).unwrap_err().to_string();
            assert!(err.contains(needle), "{needle}: {err}");
        }
    }

    #[test]
    fn catalogue_keeps_versions_and_refuses_silent_changes() {
        let mut cat = SchemeCatalog::new();
        cat.add(Scheme::from_toml_str(MINIMAL).unwrap()).unwrap();
        let v2 = MINIMAL.replace("version = \"1\"", "version = \"2\"");
        cat.add(Scheme::from_toml_str(&v2).unwrap()).unwrap();
        assert_eq!(cat.get("t", None).unwrap().version, "2");
        assert_eq!(cat.get("t", Some("1")).unwrap().version, "1");
        let changed = MINIMAL.replace("0.20", "0.25");
        let err = cat
            .add(Scheme::from_toml_str(&changed).unwrap())
            .unwrap_err();
        assert!(matches!(err, SchemeError::Conflict { .. }));
        // identical text may be re-added
        cat.add(Scheme::from_toml_str(MINIMAL).unwrap()).unwrap();
        assert_eq!(cat.all().len(), 2);
    }
}

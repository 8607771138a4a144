//! Applying an indicator set to one scope and period.
//!
//! Rules: thresholds compare exactly (decimal); a value exactly at a `<=`/`>=` threshold
//! passes. A missing value (no data, undefined ratio, unit mismatch, no matching band) is
//! reported with status `missing` and `pass: false`, earns no points, and fails the whole
//! evaluation when the indicator is a veto (or when the set requires completeness).

use crate::indicator_data::IndicatorValue;
use crate::inputs::{AccountInputs, Source};
use crate::scheme::{Comparison, IndicatorDef, Scheme, Scoring, Threshold};
use crate::texts::say;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Decimal places of the total score (compared with the minimum after rounding).
pub const SCORE_DECIMAL_PLACES: u32 = 4;

/// What is evaluated: a scope, a period and its inputs.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub scope_id: &'a str,
    /// `YYYY` for annual evaluations; data rows must carry the same period.
    pub period: &'a str,
    /// `None` when no accounts exist for the scope and period (account indicators are missing).
    pub accounts: Option<&'a AccountInputs>,
    /// Indicator data; rows of other scopes or periods are ignored.
    pub data: &'a [IndicatorValue],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorStatus {
    Pass,
    Fail,
    Missing,
    /// Scored on a linear scale without a threshold: it cannot fail.
    Scored,
}

/// The result of one indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IndicatorResult {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    /// `None` (JSON null) when missing.
    pub value: Option<Decimal>,
    pub unit: String,
    pub comparison: Option<Comparison>,
    pub threshold: Option<Decimal>,
    /// Label of the size band the threshold was taken from, if banded.
    pub band: Option<String>,
    /// The band's label in Chinese, when the set gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band_zh: Option<String>,
    /// Value of the band basis (e.g. energy_tce) that selected the band.
    pub band_basis_value: Option<Decimal>,
    /// The band is outside the set's scope: the threshold is a reference only and the
    /// evaluation cannot pass.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub outside_scope: bool,
    pub pass: bool,
    pub status: IndicatorStatus,
    pub veto: bool,
    /// `accounts.<metric>` or `data.<name>`.
    pub source: String,
    /// Evidence of a data value.
    pub evidence: Option<String>,
    pub group: Option<String>,
    /// Points earned out of `max_points` (scored indicators).
    pub points: Option<Decimal>,
    pub max_points: Option<Decimal>,
    /// Why the value is missing, or anything else the reader must know.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Points per first-level indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GroupScore {
    pub id: String,
    pub name: String,
    pub points: Decimal,
    pub max_points: Decimal,
}

/// The inputs an evaluation used, kept as data for lineage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EvaluationInputs {
    pub accounts: Option<AccountInputs>,
    pub data: Vec<IndicatorValue>,
}

/// The result of an evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Evaluation {
    pub scheme: String,
    pub version: String,
    pub scheme_sha256: String,
    pub scope_id: String,
    pub period: String,
    pub pass: bool,
    /// False when any indicator is missing.
    pub complete: bool,
    /// Total points (0-100), scored sets only.
    pub score: Option<Decimal>,
    pub min_score: Option<Decimal>,
    pub grade: Option<String>,
    pub groups: Vec<GroupScore>,
    pub indicators: Vec<IndicatorResult>,
    /// Ids of missing indicators.
    pub missing: Vec<String>,
    /// Why the evaluation failed, one line per cause.
    pub reasons: Vec<String>,
    pub inputs: EvaluationInputs,
}

impl Evaluation {
    pub fn indicator(&self, id: &str) -> Option<&IndicatorResult> {
        self.indicators.iter().find(|i| i.id == id)
    }
}

/// Looks a source up; `Err(reason)` when it is missing.
fn lookup<'a>(
    source: &Source,
    unit: &str,
    subject: &Subject<'a>,
) -> Result<(Decimal, Option<&'a IndicatorValue>), String> {
    match source {
        Source::Accounts(metric) => {
            let accounts = subject
                .accounts
                .ok_or_else(|| say("missing.no_accounts", &[]))?;
            accounts
                .metric(*metric)
                .map(|v| (v, None))
                .ok_or_else(|| say("missing.undefined", &[("source", &source.to_string())]))
        }
        Source::Data(name) => {
            let row = subject
                .data
                .iter()
                .find(|d| {
                    d.indicator == *name
                        && d.scope_id == subject.scope_id
                        && d.period == subject.period
                })
                .ok_or_else(|| {
                    say(
                        "missing.no_data",
                        &[("source", &source.to_string()), ("period", subject.period)],
                    )
                })?;
            if row.unit != unit {
                return Err(say(
                    "missing.unit",
                    &[
                        ("source", &source.to_string()),
                        ("given", &format!("{:?}", row.unit)),
                        ("unit", &format!("{unit:?}")),
                    ],
                ));
            }
            Ok((row.value, Some(row)))
        }
    }
}

/// Evaluates `subject` against `scheme`.
pub fn evaluate(scheme: &Scheme, subject: &Subject<'_>) -> Evaluation {
    let mut indicators = Vec::with_capacity(scheme.indicators.len());
    let mut used_data: Vec<IndicatorValue> = Vec::new();
    for def in &scheme.indicators {
        let result = evaluate_indicator(scheme, def, subject, &mut used_data);
        indicators.push(result);
    }

    let missing: Vec<String> = indicators
        .iter()
        .filter(|i| i.status == IndicatorStatus::Missing)
        .map(|i| i.id.clone())
        .collect();
    let mut reasons = Vec::new();
    for i in indicators.iter().filter(|i| i.veto && !i.pass) {
        let code = match i.status {
            IndicatorStatus::Missing => "eval.veto_missing",
            _ => "eval.veto_failed",
        };
        reasons.push(say(code, &[("id", &i.id)]));
    }
    for i in indicators.iter().filter(|i| i.outside_scope) {
        let basis = scheme
            .indicator(&i.id)
            .and_then(|d| match &d.threshold {
                Some(Threshold::Banded { basis, .. }) => Some(basis.to_string()),
                _ => None,
            })
            .unwrap_or_default();
        reasons.push(say(
            "eval.outside_scope",
            &[
                ("basis", &basis),
                ("value", &i.band_basis_value.unwrap_or_default().to_string()),
                ("band", &format!("{:?}", i.band.clone().unwrap_or_default())),
            ],
        ));
    }
    let uses_accounts = scheme
        .indicators
        .iter()
        .any(|d| matches!(d.source, Source::Accounts(_)));
    if uses_accounts && subject.accounts.is_some_and(|a| a.incomplete) {
        reasons.push(say("eval.accounts_incomplete", &[]));
    }
    if scheme.pass.require_complete && !missing.is_empty() {
        reasons.push(say(
            "eval.incomplete_data",
            &[("missing", &missing.join(", "))],
        ));
    }

    let scored = scheme.is_scored();
    let groups: Vec<GroupScore> = scheme
        .groups
        .iter()
        .map(|g| GroupScore {
            id: g.id.clone(),
            name: g.name.clone(),
            points: indicators
                .iter()
                .filter(|i| i.group.as_ref() == Some(&g.id))
                .filter_map(|i| i.points)
                .sum(),
            max_points: g.weight,
        })
        .collect();
    // Shares like 20/3 points are not finite decimals: the score is rounded to
    // SCORE_DECIMAL_PLACES before it is compared with the minimum.
    let score = scored.then(|| {
        groups
            .iter()
            .map(|g| g.points)
            .sum::<Decimal>()
            .round_dp(SCORE_DECIMAL_PLACES)
            .normalize()
    });
    if let (Some(min), Some(s)) = (scheme.pass.min_score, score)
        && s < min
    {
        reasons.push(say(
            "eval.score_below",
            &[
                ("score", &s.round_dp(2).to_string()),
                ("min", &min.to_string()),
            ],
        ));
    }
    let grade = score.and_then(|s| {
        scheme
            .grades
            .iter()
            .find(|g| s >= g.min_score)
            .map(|g| g.grade.clone())
    });
    Evaluation {
        scheme: scheme.id.clone(),
        version: scheme.version.clone(),
        scheme_sha256: scheme.sha256.clone(),
        scope_id: subject.scope_id.to_string(),
        period: subject.period.to_string(),
        pass: reasons.is_empty(),
        complete: missing.is_empty(),
        score,
        min_score: scheme.pass.min_score,
        grade,
        groups,
        indicators,
        missing,
        reasons,
        inputs: EvaluationInputs {
            accounts: subject.accounts.cloned(),
            data: used_data,
        },
    }
}

fn evaluate_indicator(
    scheme: &Scheme,
    def: &IndicatorDef,
    subject: &Subject<'_>,
    used_data: &mut Vec<IndicatorValue>,
) -> IndicatorResult {
    let max_points = max_points(scheme, def);
    let mut result = IndicatorResult {
        id: def.id.clone(),
        name: def.name.clone(),
        name_zh: def.name_zh.clone(),
        value: None,
        unit: def.unit.clone(),
        comparison: def.comparison,
        threshold: None,
        band: None,
        band_zh: None,
        band_basis_value: None,
        outside_scope: false,
        pass: false,
        status: IndicatorStatus::Missing,
        veto: def.veto,
        source: def.source.to_string(),
        evidence: None,
        group: def.group.clone(),
        points: max_points.map(|_| Decimal::ZERO),
        max_points,
        note: def.note.clone(),
    };
    let missing = |mut r: IndicatorResult, why: String| {
        r.note = Some(why);
        r
    };

    // Threshold first: a banded threshold needs its basis even when the value exists.
    match &def.threshold {
        None => {}
        Some(Threshold::Fixed(t)) => result.threshold = Some(*t),
        Some(Threshold::Banded { basis, bands }) => {
            let basis_unit = match basis {
                Source::Accounts(m) => m.unit(),
                Source::Data(_) => def.unit.as_str(),
            };
            match lookup(basis, basis_unit, subject) {
                Err(why) => return missing(result, say("missing.band_basis", &[("why", &why)])),
                Ok((b, _)) => {
                    result.band_basis_value = Some(b);
                    match bands.iter().find(|band| band.contains(b)) {
                        None => {
                            let why = say(
                                "missing.no_band",
                                &[("basis", &basis.to_string()), ("value", &b.to_string())],
                            );
                            return missing(result, why);
                        }
                        Some(band) => {
                            result.threshold = Some(band.threshold);
                            result.band = Some(band.label.clone());
                            result.band_zh = band.label_zh.clone();
                            result.outside_scope = band.outside_scope;
                        }
                    }
                }
            }
        }
    }

    let (value, row) = match lookup(&def.source, &def.unit, subject) {
        Ok(v) => v,
        Err(why) => return missing(result, why),
    };
    if let Some(row) = row {
        result.evidence = Some(row.evidence.clone());
        used_data.push(row.clone());
    }
    result.value = Some(value);
    let meets = match (def.comparison, result.threshold) {
        (Some(c), Some(t)) => Some(c.holds(value, t)),
        _ => None,
    };
    result.status = match meets {
        Some(true) => IndicatorStatus::Pass,
        Some(false) => IndicatorStatus::Fail,
        None => IndicatorStatus::Scored,
    };
    result.pass = matches!(
        result.status,
        IndicatorStatus::Pass | IndicatorStatus::Scored
    );
    if let Some(max) = max_points {
        let fraction = match &def.scoring {
            Scoring::None => Decimal::ZERO,
            Scoring::Threshold => {
                if meets == Some(true) {
                    Decimal::ONE
                } else {
                    Decimal::ZERO
                }
            }
            Scoring::Linear { worst, best } => {
                let f = (value - worst) / (best - worst);
                f.clamp(Decimal::ZERO, Decimal::ONE)
            }
        };
        result.points = Some(max * fraction);
    }
    result
}

/// Points an indicator can earn: its group's weight shared by relative weights.
fn max_points(scheme: &Scheme, def: &IndicatorDef) -> Option<Decimal> {
    if def.scoring == Scoring::None {
        return None;
    }
    let group_id = def.group.as_ref()?;
    let group = scheme.groups.iter().find(|g| &g.id == group_id)?;
    let total: Decimal = scheme
        .indicators
        .iter()
        .filter(|i| i.group.as_ref() == Some(group_id) && i.scoring != Scoring::None)
        .filter_map(|i| i.weight)
        .sum();
    Some(group.weight * def.weight? / total)
}

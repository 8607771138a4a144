//! Gap analysis (差距分析): for each failed or missing indicator, what would close it,
//! computed from the evaluation's own inputs, with the arithmetic written out; and a
//! year-by-year path of the carbon intensity to a target ([`trajectory`]).
//!
//! The closing amounts are exact decimals; the `text` and `arithmetic` strings round them
//! for reading. Electricity replacing electricity leaves `energy_tce` unchanged (both count
//! at the equivalent value 0.1229 tce/MWh), so clean electricity lowers the market-based
//! intensity by the market factor of the grid electricity it replaces.

use crate::evaluation::{Evaluation, IndicatorResult, IndicatorStatus};
use crate::inputs::{AccountInputs, AccountMetric, ELECTRICITY_TCE_PER_MWH, Source};
use crate::scheme::Comparison;
use crate::texts::say;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One way to close a gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GapAction {
    /// `reduce_emissions_tco2`, `add_clean_electricity_mwh`, `reduce_energy_tce`,
    /// `raise_output_10k_yuan`, `raise_value`, `lower_value`, `meet_requirement`,
    /// `provide_data`, `provide_accounts`, `enter_scope`.
    pub kind: String,
    /// The amount a year (exact), in `unit`; `None` for actions without an amount.
    pub amount: Option<Decimal>,
    pub unit: String,
    /// E.g. "additional 41.2 GWh of clean electricity a year".
    pub text: String,
    /// How the amount follows from the data.
    pub arithmetic: String,
    /// False when this action alone cannot close the gap (e.g. more clean electricity
    /// than the grid electricity there is to replace); `note` says why.
    pub sufficient: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What separates one indicator from its threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Gap {
    pub indicator: String,
    pub name: String,
    /// The indicator's Chinese name, when the set gives one.
    pub name_zh: Option<String>,
    pub status: IndicatorStatus,
    pub veto: bool,
    pub value: Option<Decimal>,
    pub threshold: Option<Decimal>,
    pub unit: String,
    /// |value - threshold| in the indicator's unit (failed indicators).
    pub shortfall: Option<Decimal>,
    /// Alternatives: any one of them closes the gap (unless `sufficient` is false).
    pub actions: Vec<GapAction>,
}

/// Points missing to a scored set's pass mark, and where they were lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScoreGap {
    pub score: Decimal,
    pub min_score: Decimal,
    pub points_short: Decimal,
    /// `(indicator id, points lost)`, largest first.
    pub lost: Vec<(String, Decimal)>,
}

/// Gaps of every failed or missing indicator of an evaluation, in the set's order.
pub fn analyse_gaps(evaluation: &Evaluation) -> Vec<Gap> {
    let accounts = evaluation.inputs.accounts.as_ref();
    let mut gaps = Vec::new();
    for r in &evaluation.indicators {
        if r.outside_scope {
            gaps.push(outside_scope_gap(r));
        }
        let actions = match r.status {
            IndicatorStatus::Pass | IndicatorStatus::Scored => continue,
            IndicatorStatus::Missing => vec![missing_action(r, evaluation)],
            IndicatorStatus::Fail => failed_actions(r, accounts),
        };
        gaps.push(Gap {
            indicator: r.id.clone(),
            name: r.name.clone(),
            name_zh: r.name_zh.clone(),
            status: r.status,
            veto: r.veto,
            value: r.value,
            threshold: r.threshold,
            unit: r.unit.clone(),
            shortfall: r.value.zip(r.threshold).map(|(v, t)| (v - t).abs()),
            actions,
        });
    }
    gaps
}

/// For a scored set that misses its pass mark: the points short and where they were lost.
pub fn score_gap(evaluation: &Evaluation) -> Option<ScoreGap> {
    let (score, min_score) = evaluation.score.zip(evaluation.min_score)?;
    if score >= min_score {
        return None;
    }
    let mut lost: Vec<(String, Decimal)> = evaluation
        .indicators
        .iter()
        .filter_map(|i| {
            let lost = i.max_points? - i.points.unwrap_or_default();
            (lost > Decimal::ZERO).then(|| (i.id.clone(), lost.round_dp(4).normalize()))
        })
        .collect();
    lost.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Some(ScoreGap {
        score,
        min_score,
        points_short: min_score - score,
        lost,
    })
}

fn outside_scope_gap(r: &IndicatorResult) -> Gap {
    Gap {
        indicator: format!("{}:scope", r.id),
        name: format!("{}: size band", r.name),
        name_zh: r.name_zh.as_ref().map(|n| format!("{n}：规模区间")),
        status: IndicatorStatus::Fail,
        veto: true,
        value: r.band_basis_value,
        threshold: None,
        unit: String::new(),
        shortfall: None,
        actions: vec![GapAction {
            kind: "enter_scope".into(),
            amount: None,
            unit: String::new(),
            text: say(
                "gap.enter_scope",
                &[("band", &format!("{:?}", r.band.clone().unwrap_or_default()))],
            ),
            arithmetic: String::new(),
            sufficient: true,
            note: None,
        }],
    }
}

fn missing_action(r: &IndicatorResult, e: &Evaluation) -> GapAction {
    let (kind, text) = match Source::parse(&r.source) {
        Some(Source::Data(name)) => (
            "provide_data",
            say(
                "gap.provide_data",
                &[
                    ("name", &name),
                    ("scope", &e.scope_id),
                    ("period", &e.period),
                    ("unit", &r.unit),
                ],
            ),
        ),
        _ => (
            "provide_accounts",
            say(
                "gap.provide_accounts",
                &[
                    ("source", &r.source),
                    ("scope", &e.scope_id),
                    ("period", &e.period),
                    ("why", r.note.as_deref().unwrap_or_default()),
                ],
            ),
        ),
    };
    GapAction {
        kind: kind.into(),
        amount: None,
        unit: String::new(),
        text,
        arithmetic: String::new(),
        sufficient: true,
        note: None,
    }
}

fn failed_actions(r: &IndicatorResult, accounts: Option<&AccountInputs>) -> Vec<GapAction> {
    let (Some(value), Some(threshold), Some(cmp)) = (r.value, r.threshold, r.comparison) else {
        return Vec::new();
    };
    let metric = match Source::parse(&r.source) {
        Some(Source::Accounts(m)) => Some(m),
        _ => None,
    };
    match (metric, accounts) {
        (Some(AccountMetric::IntensityMarketTco2PerTce), Some(a)) => {
            intensity_actions(a, a.total_market_tco2(), threshold, true)
        }
        (Some(AccountMetric::IntensityLocationTco2PerTce), Some(a)) => {
            intensity_actions(a, a.total_location_tco2(), threshold, false)
        }
        (Some(AccountMetric::CleanEnergyShare), Some(a)) => clean_energy_actions(a, threshold),
        (Some(AccountMetric::CleanElectricityShare), Some(a)) => {
            clean_electricity_actions(a, threshold)
        }
        (Some(AccountMetric::EnergyIntensityTcePer10kYuan), Some(a)) => {
            energy_intensity_actions(a, threshold)
        }
        _ => vec![generic_action(r, value, threshold, cmp)],
    }
}

/// Market- (or location-) based intensity above its threshold: cut emissions at constant
/// energy, or replace uncovered grid electricity by clean electricity.
fn intensity_actions(
    a: &AccountInputs,
    emissions_tco2: Decimal,
    threshold: Decimal,
    market: bool,
) -> Vec<GapAction> {
    let allowed = threshold * a.energy_tce;
    let cut = emissions_tco2 - allowed;
    let cut_arith = say(
        if market {
            "gap.cut_emissions.market"
        } else {
            "gap.cut_emissions.location"
        },
        &[
            ("threshold", &threshold.to_string()),
            ("energy", &fmt(a.energy_tce, 2)),
            ("allowed", &fmt(allowed, 2)),
            ("emissions", &fmt(emissions_tco2, 2)),
            ("cut", &fmt(cut, 2)),
        ],
    );
    let mut actions = vec![GapAction {
        kind: "reduce_emissions_tco2".into(),
        amount: Some(cut),
        unit: "tCO2".into(),
        text: say("gap.cut_emissions", &[("amount", &fmt_round(cut))]),
        arithmetic: cut_arith,
        sufficient: true,
        note: None,
    }];
    if !market {
        // Location-based Scope 2 does not change with certificates or contracts.
        return actions;
    }
    let Some(factor) = a.grid_market_tco2_per_mwh().filter(|f| *f > Decimal::ZERO) else {
        actions[0].note = Some(say("gap.no_uncovered_grid", &[]));
        return actions;
    };
    let mwh = cut / factor;
    let uncovered = a.uncovered_grid_mwh();
    let sufficient = mwh <= uncovered;
    actions.push(GapAction {
        kind: "add_clean_electricity_mwh".into(),
        amount: Some(mwh),
        unit: "MWh".into(),
        text: say("gap.clean_for_grid", &[("energy", &fmt_mwh(mwh))]),
        arithmetic: say(
            "gap.clean_for_grid.arithmetic",
            &[
                ("grid_tco2", &fmt(a.grid_electricity_market_tco2, 2)),
                ("uncovered", &fmt(uncovered, 2)),
                ("factor", &fmt(factor, 6)),
                ("cut", &fmt(cut, 2)),
                ("mwh", &fmt(mwh, 1)),
            ],
        ),
        sufficient,
        note: (!sufficient).then(|| {
            let rest = cut - a.grid_electricity_market_tco2;
            say(
                "gap.clean_for_grid.short",
                &[
                    ("uncovered", &fmt(uncovered, 1)),
                    ("grid_tco2", &fmt(a.grid_electricity_market_tco2, 2)),
                    ("rest", &fmt(rest, 2)),
                ],
            )
        }),
    });
    actions
}

/// Clean energy share below its threshold: clean electricity (or clean heat) in place of
/// other energy of the same tce.
fn clean_energy_actions(a: &AccountInputs, threshold: Decimal) -> Vec<GapAction> {
    let clean = a.clean_energy_tce();
    let needed_tce = threshold * a.energy_tce - clean;
    let mwh = needed_tce / ELECTRICITY_TCE_PER_MWH;
    let replaceable = a.uncovered_grid_mwh();
    let sufficient = mwh <= replaceable;
    vec![GapAction {
        kind: "add_clean_electricity_mwh".into(),
        amount: Some(mwh),
        unit: "MWh".into(),
        text: say(
            "gap.clean_energy",
            &[("energy", &fmt_mwh(mwh)), ("tce", &fmt(needed_tce, 2))],
        ),
        arithmetic: say(
            "gap.clean_energy.arithmetic",
            &[
                ("threshold", &threshold.to_string()),
                ("energy", &fmt(a.energy_tce, 2)),
                ("needed", &fmt(threshold * a.energy_tce, 2)),
                ("clean", &fmt(clean, 2)),
                ("gap", &fmt(needed_tce, 2)),
                ("coefficient", &ELECTRICITY_TCE_PER_MWH.to_string()),
                ("mwh", &fmt(mwh, 1)),
            ],
        ),
        sufficient,
        note: (!sufficient).then(|| {
            say(
                "gap.clean_energy.short",
                &[("uncovered", &fmt(replaceable, 1))],
            )
        }),
    }]
}

fn clean_electricity_actions(a: &AccountInputs, threshold: Decimal) -> Vec<GapAction> {
    let clean = a.clean_electricity_mwh();
    let mwh = threshold * a.electricity_mwh - clean;
    vec![GapAction {
        kind: "add_clean_electricity_mwh".into(),
        amount: Some(mwh),
        unit: "MWh".into(),
        text: say("gap.clean_electricity", &[("energy", &fmt_mwh(mwh))]),
        arithmetic: say(
            "gap.clean_electricity.arithmetic",
            &[
                ("threshold", &threshold.to_string()),
                ("electricity", &fmt(a.electricity_mwh, 2)),
                ("needed", &fmt(threshold * a.electricity_mwh, 2)),
                ("clean", &fmt(clean, 2)),
                ("gap", &fmt(mwh, 2)),
            ],
        ),
        sufficient: true,
        note: None,
    }]
}

fn energy_intensity_actions(a: &AccountInputs, threshold: Decimal) -> Vec<GapAction> {
    let Some(output) = a.output_value_10k_yuan else {
        return Vec::new();
    };
    let allowed = threshold * output;
    let cut = a.energy_tce - allowed;
    let needed_output = a.energy_tce / threshold;
    vec![
        GapAction {
            kind: "reduce_energy_tce".into(),
            amount: Some(cut),
            unit: "tce".into(),
            text: say("gap.cut_energy", &[("amount", &fmt_round(cut))]),
            arithmetic: say(
                "gap.cut_energy.arithmetic",
                &[
                    ("threshold", &threshold.to_string()),
                    ("output", &fmt(output, 2)),
                    ("allowed", &fmt(allowed, 2)),
                    ("energy", &fmt(a.energy_tce, 2)),
                    ("cut", &fmt(cut, 2)),
                ],
            ),
            sufficient: true,
            note: None,
        },
        GapAction {
            kind: "raise_output_10k_yuan".into(),
            amount: Some(needed_output - output),
            unit: "10k yuan".into(),
            text: say(
                "gap.raise_output",
                &[("amount", &fmt_round(needed_output - output))],
            ),
            arithmetic: say(
                "gap.raise_output.arithmetic",
                &[
                    ("energy", &fmt(a.energy_tce, 2)),
                    ("threshold", &threshold.to_string()),
                    ("needed", &fmt(needed_output, 2)),
                    ("output", &fmt(output, 2)),
                    ("rise", &fmt(needed_output - output, 2)),
                ],
            ),
            sufficient: true,
            note: None,
        },
    ]
}

fn generic_action(
    r: &IndicatorResult,
    value: Decimal,
    threshold: Decimal,
    cmp: Comparison,
) -> GapAction {
    if r.unit == "bool" {
        return GapAction {
            kind: "meet_requirement".into(),
            amount: None,
            unit: "bool".into(),
            text: say("gap.meet_requirement", &[("name", &r.name)]),
            arithmetic: say(
                "gap.meet_requirement.arithmetic",
                &[
                    ("value", &value.to_string()),
                    ("comparison", cmp_str(cmp)),
                    ("threshold", &threshold.to_string()),
                ],
            ),
            sufficient: true,
            note: None,
        };
    }
    let delta = (threshold - value).abs();
    let strict = matches!(cmp, Comparison::Below | Comparison::Above);
    let (kind, code) = match (cmp.lower_is_better(), strict) {
        (true, false) => ("lower_value", "gap.lower"),
        (true, true) => ("lower_value", "gap.lower.strict"),
        (false, false) => ("raise_value", "gap.raise"),
        (false, true) => ("raise_value", "gap.raise.strict"),
    };
    GapAction {
        kind: kind.into(),
        amount: Some(delta),
        unit: r.unit.clone(),
        text: say(
            code,
            &[
                ("id", &r.id),
                ("value", &value.normalize().to_string()),
                ("threshold", &threshold.normalize().to_string()),
                ("unit", &r.unit),
            ],
        ),
        arithmetic: say(
            "gap.difference",
            &[
                ("threshold", &threshold.normalize().to_string()),
                ("value", &value.normalize().to_string()),
                ("delta", &delta.normalize().to_string()),
                ("unit", &r.unit),
            ],
        ),
        sufficient: true,
        note: strict.then(|| say("gap.strict", &[])),
    }
}

fn cmp_str(c: Comparison) -> &'static str {
    match c {
        Comparison::AtMost => "<=",
        Comparison::Below => "<",
        Comparison::AtLeast => ">=",
        Comparison::Above => ">",
        Comparison::Equal => "==",
    }
}

/// A decimal rounded to `dp` places, trailing zeros dropped, thousands separated.
pub fn fmt(d: Decimal, dp: u32) -> String {
    let s = d.round_dp(dp).normalize().to_string();
    let (sign, s) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = s.split_once('.').map_or((s, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (k, ch) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Whole units from 100 up, else two decimals.
fn fmt_round(d: Decimal) -> String {
    if d.abs() >= Decimal::ONE_HUNDRED {
        fmt(d, 0)
    } else {
        fmt(d, 2)
    }
}

/// MWh as GWh (one decimal) from 1,000 MWh up.
fn fmt_mwh(mwh: Decimal) -> String {
    if mwh.abs() >= Decimal::ONE_THOUSAND {
        format!("{} GWh", fmt(mwh / Decimal::ONE_THOUSAND, 1))
    } else {
        format!("{} MWh", fmt(mwh, 1))
    }
}

// ---- trajectory -------------------------------------------------------------------------

/// How the intensity moves from the base year to the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PathShape {
    /// The same tCO2/tce step every year.
    Linear,
    /// The same percentage cut every year (geometric); needs non-zero intensities.
    ConstantRate,
}

/// The messages of [`TrajectoryError`] as `(code, template)` pairs, for pages in other
/// languages (see `abatement::PLAN_ERRORS_EN`); a test checks every variant against them.
pub const TRAJECTORY_ERRORS_EN: &[(&str, &str)] = &[
    (
        "trajectory.years",
        "target year {target} must be after the base year {base}",
    ),
    (
        "trajectory.no_energy",
        "the base year has no energy use, so it has no carbon intensity",
    ),
    (
        "trajectory.negative_target",
        "target intensity {target} must not be negative",
    ),
    (
        "trajectory.zero_for_rate",
        "a constant-rate path needs a base and a target intensity above zero",
    ),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrajectoryError {
    #[error("target year {target} must be after the base year {base}")]
    Years { base: i32, target: i32 },
    #[error("the base year has no energy use, so it has no carbon intensity")]
    NoEnergy,
    #[error("target intensity {0} must not be negative")]
    NegativeTarget(Decimal),
    #[error("a constant-rate path needs a base and a target intensity above zero")]
    ZeroForRate,
}

/// One year of a trajectory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TrajectoryPoint {
    pub year: i32,
    /// The path's intensity for this year (rounded to 6 places).
    pub intensity_tco2_per_tce: Decimal,
    /// Energy use assumed for the year: base x (1 + growth)^(years since base).
    pub energy_tce: Decimal,
    /// Emissions the path allows: intensity x energy.
    pub allowed_tco2: Decimal,
    /// Emissions if the base-year intensity stayed: base intensity x energy.
    pub bau_tco2: Decimal,
    /// What has to be avoided against that: bau - allowed.
    pub abatement_tco2: Decimal,
}

/// The intensity path from the base year's accounts (market-based) to `target` in
/// `target_year`, one point a year including both ends. `energy_growth` is the assumed
/// yearly growth of energy use (0 = flat).
pub fn trajectory(
    base_year: i32,
    base: &AccountInputs,
    target_year: i32,
    target: Decimal,
    shape: PathShape,
    energy_growth: Decimal,
) -> Result<Vec<TrajectoryPoint>, TrajectoryError> {
    if target_year <= base_year {
        return Err(TrajectoryError::Years {
            base: base_year,
            target: target_year,
        });
    }
    if target < Decimal::ZERO {
        return Err(TrajectoryError::NegativeTarget(target));
    }
    let start = base
        .metric(AccountMetric::IntensityMarketTco2PerTce)
        .ok_or(TrajectoryError::NoEnergy)?;
    let years = Decimal::from(target_year - base_year);
    let yearly_factor = match shape {
        PathShape::Linear => None,
        PathShape::ConstantRate => {
            if start <= Decimal::ZERO || target <= Decimal::ZERO {
                return Err(TrajectoryError::ZeroForRate);
            }
            // (target / start)^(1 / years), via ln/exp of the maths feature.
            use rust_decimal::MathematicalOps;
            Some(((target / start).ln() / years).exp())
        }
    };
    let mut points = Vec::new();
    let mut growth = Decimal::ONE;
    let mut rate_step = Decimal::ONE;
    for (k, year) in (base_year..=target_year).enumerate() {
        if k > 0 {
            growth *= Decimal::ONE + energy_growth;
            if let Some(f) = yearly_factor {
                rate_step *= f;
            }
        }
        let intensity = if year == target_year {
            target
        } else {
            match shape {
                PathShape::Linear => start + (target - start) * Decimal::from(k as i64) / years,
                PathShape::ConstantRate => start * rate_step,
            }
        }
        .round_dp(6)
        .normalize();
        let energy = (base.energy_tce * growth).round_dp(4).normalize();
        let allowed = (intensity * energy).round_dp(4).normalize();
        let bau = (start * energy).round_dp(4).normalize();
        points.push(TrajectoryPoint {
            year,
            intensity_tco2_per_tce: intensity,
            energy_tce: energy,
            allowed_tco2: allowed,
            bau_tco2: bau,
            abatement_tco2: (bau - allowed).max(Decimal::ZERO),
        });
    }
    Ok(points)
}

#[cfg(test)]
mod trajectory_error_tests {
    use super::*;

    #[test]
    fn every_trajectory_error_is_recognised_with_its_code() {
        let cases = [
            (
                TrajectoryError::Years {
                    base: 2023,
                    target: 2020,
                },
                "trajectory.years",
            ),
            (TrajectoryError::NoEnergy, "trajectory.no_energy"),
            (
                TrajectoryError::NegativeTarget(Decimal::new(-1, 1)),
                "trajectory.negative_target",
            ),
            (TrajectoryError::ZeroForRate, "trajectory.zero_for_rate"),
        ];
        for (e, code) in cases {
            let text = e.to_string();
            let got = zp_domain::template::recognise(&text, TRAJECTORY_ERRORS_EN).map(|(c, _)| c);
            assert_eq!(got, Some(code), "{text}");
        }
    }
}

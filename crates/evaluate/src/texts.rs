//! The sentences of evaluations as `(code, template)` pairs (issue 14, one language per
//! page): the evaluation's reasons, why an indicator is missing, the gap actions with their
//! arithmetic and notes, and the plan's notes are written in English from these templates
//! (`{name}` parameters filled by `zp_domain::template::fill`), so a page in another language
//! recognises a sentence's code and parameters (`zp_domain::template::recognise`) and writes
//! its own template. The English is the API's and the CLI's, unchanged.

/// Every template, codes grouped by what writes them: `eval.*` the evaluation's reasons,
/// `missing.*` why a value is missing, `gap.*` gap actions, `plan.note.*` the plan's notes.
pub const TEXTS_EN: &[(&str, &str)] = &[
    ("eval.veto_missing", "veto indicator {id} is missing"),
    ("eval.veto_failed", "veto indicator {id} failed"),
    (
        "eval.outside_scope",
        "outside the set's scope: {basis} = {value} is in the band {band}",
    ),
    (
        "eval.accounts_incomplete",
        "the accounts are incomplete (some ledger rows could not be accounted, see the inventory notes)",
    ),
    (
        "eval.incomplete_data",
        "the set requires complete data; missing: {missing}",
    ),
    ("eval.score_below", "score {score} is below {min}"),
    (
        "missing.no_accounts",
        "no accounts for this scope and period",
    ),
    (
        "missing.undefined",
        "{source} is undefined (zero or unknown denominator)",
    ),
    ("missing.no_data", "no {source} value for {period}"),
    (
        "missing.unit",
        "{source} given in {given}, the set expects {unit}",
    ),
    ("missing.band_basis", "band basis: {why}"),
    ("missing.no_band", "{basis} = {value} is in no band"),
    (
        "gap.enter_scope",
        "the scope is in the band {band}, which the set does not cover; evaluate with a set that does",
    ),
    (
        "gap.provide_data",
        "provide {name} for {scope} {period} with its evidence (`zeropark import indicators`, columns scope_id,indicator,period,value,unit,evidence; unit {unit})",
    ),
    (
        "gap.provide_accounts",
        "{source} cannot be computed from the accounts of {scope} {period}: {why}",
    ),
    (
        "gap.cut_emissions",
        "{amount} tCO2 a year less at the same energy use",
    ),
    (
        "gap.cut_emissions.market",
        "allowed = {threshold} tCO2/tce x {energy} tce = {allowed} tCO2; emissions (Scope 1 + Scope 2 market) = {emissions} tCO2; cut = {emissions} - {allowed} = {cut} tCO2",
    ),
    (
        "gap.cut_emissions.location",
        "allowed = {threshold} tCO2/tce x {energy} tce = {allowed} tCO2; emissions (Scope 1 + Scope 2 location) = {emissions} tCO2; cut = {emissions} - {allowed} = {cut} tCO2",
    ),
    (
        "gap.no_uncovered_grid",
        "no uncovered grid electricity: clean electricity cannot lower the intensity further; the cut must come from fuels and processes",
    ),
    (
        "gap.clean_for_grid",
        "additional {energy} of clean electricity a year in place of grid electricity",
    ),
    (
        "gap.clean_for_grid.arithmetic",
        "grid electricity not covered by certificates: {grid_tco2} tCO2 / {uncovered} MWh = {factor} tCO2/MWh (market-based); {cut} tCO2 / {factor} tCO2/MWh = {mwh} MWh",
    ),
    (
        "gap.clean_for_grid.short",
        "only {uncovered} MWh of grid electricity is left to replace (all of it avoids {grid_tco2} tCO2); the other {rest} tCO2 must come from fuels and processes",
    ),
    (
        "gap.clean_energy",
        "additional {energy} of clean electricity a year (or {tce} tce of clean heat) in place of other energy",
    ),
    (
        "gap.clean_energy.arithmetic",
        "needed clean energy = {threshold} x {energy} tce = {needed} tce; clean now = {clean} tce; {needed} - {clean} = {gap} tce; / {coefficient} tce/MWh = {mwh} MWh",
    ),
    (
        "gap.clean_energy.short",
        "more than the {uncovered} MWh of uncovered grid electricity: fuel use has to be electrified or replaced by clean heat as well",
    ),
    (
        "gap.clean_electricity",
        "additional {energy} of clean electricity a year (on-site renewables or retired certificates)",
    ),
    (
        "gap.clean_electricity.arithmetic",
        "needed = {threshold} x {electricity} MWh = {needed} MWh; clean now = {clean} MWh; {needed} - {clean} = {gap} MWh",
    ),
    (
        "gap.cut_energy",
        "{amount} tce a year less energy at the same output",
    ),
    (
        "gap.cut_energy.arithmetic",
        "allowed = {threshold} tce/10k yuan x {output} 10k yuan = {allowed} tce; {energy} - {allowed} = {cut} tce",
    ),
    (
        "gap.raise_output",
        "{amount} x 10k yuan more output at the same energy use",
    ),
    (
        "gap.raise_output.arithmetic",
        "{energy} tce / {threshold} tce/10k yuan = {needed} 10k yuan; {needed} - {output} = {rise}",
    ),
    (
        "gap.meet_requirement",
        "meet the requirement \"{name}\" and record the evidence",
    ),
    (
        "gap.meet_requirement.arithmetic",
        "value {value}, required {comparison} {threshold}",
    ),
    ("gap.lower", "lower {id} from {value} to {threshold} {unit}"),
    (
        "gap.lower.strict",
        "lower {id} from {value} to beyond {threshold} {unit}",
    ),
    ("gap.raise", "raise {id} from {value} to {threshold} {unit}"),
    (
        "gap.raise.strict",
        "raise {id} from {value} to beyond {threshold} {unit}",
    ),
    ("gap.difference", "|{threshold} - {value}| = {delta} {unit}"),
    (
        "gap.strict",
        "the threshold itself does not pass (strict comparison)",
    ),
    (
        "plan.note.market_factor",
        "effects use the market factor of grid electricity {factor} tCO2/MWh (this scope's uncovered grid electricity); energy use held at the base year",
    ),
    (
        "plan.note.fallback_factor",
        "effects use the market factor of grid electricity {factor} tCO2/MWh (fallback: the scope has no uncovered grid electricity); energy use held at the base year",
    ),
    (
        "plan.note.infeasible",
        "the target cannot be reached with these measures: the portfolio shown is the deepest cut they allow",
    ),
];

/// The English of `code` with its parameters (the code itself for a code without a
/// template, which the tests rule out).
pub(crate) fn say(code: &str, args: &[(&str, &str)]) -> String {
    zp_domain::template::write(TEXTS_EN, code, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_every_sentence_is_recognised_as_its_own_code() {
        for (k, (code, template)) in TEXTS_EN.iter().enumerate() {
            assert!(
                TEXTS_EN[k + 1..].iter().all(|(c, _)| c != code),
                "{code} twice"
            );
            // Filled with values that contain no template text, each template is
            // recognised as itself (none is hidden by a more literal one).
            let names: Vec<String> = template
                .split('{')
                .skip(1)
                .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_string()))
                .collect();
            let values: Vec<(String, String)> =
                names.iter().map(|n| (n.clone(), format!("V{n}"))).collect();
            let args: Vec<(&str, &str)> = values
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let text = say(code, &args);
            let got = zp_domain::template::recognise(&text, TEXTS_EN).map(|(c, _)| c);
            assert_eq!(got, Some(*code), "{text}");
        }
    }
}

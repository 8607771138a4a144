//! A note as a code and its parameters (issue 14, one language per page): the use-case
//! layer keeps its English sentence for the API and the CLI and gives the page the code, whose
//! template the page fills in its own language.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `code` with its `{name}` parameters, e.g. `flex.baseline` or
/// `flex.unmetered_hours {hours: 3}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Note {
    pub code: String,
    pub args: BTreeMap<String, String>,
}

impl Note {
    pub fn new(code: &str, args: &[(&str, String)]) -> Note {
        Note {
            code: code.to_string(),
            args: args
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    /// The note in `templates` (`(code, template)` pairs) with its parameters filled, or the
    /// code itself when the table has none.
    pub fn text(&self, templates: &[(&str, &str)]) -> String {
        match templates.iter().find(|(c, _)| *c == self.code) {
            Some((_, t)) => fill(t, &self.args),
            None => self.code.clone(),
        }
    }
}

/// `template` with each `{name}` replaced by its value (the bank-matching reasons'
/// filler: one for every template of the use-case layer).
pub use zp_finance::matching::fill;

/// The `{name}`s of a template, sorted (tests check that every language's template of a code
/// has the same ones).
pub fn parameters(template: &str) -> Vec<&str> {
    let mut out: Vec<&str> = template
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name))
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_fills_its_template_and_names_its_parameters() {
        let n = Note::new("x.y", &[("hours", "3".into()), ("region", "CQ".into())]);
        assert_eq!(n.text(&[("x.y", "{hours} h in {region}")]), "3 h in CQ");
        assert_eq!(n.text(&[]), "x.y");
        assert_eq!(parameters("{b} and {a}, {b}"), ["a", "b"]);
    }
}

//! The reasons of quarantined rows in any language (issue 14). Every importer writes its
//! reasons in English from `(code, template)` pairs: the validators
//! ([`zp_ingest::REASONS_EN`]), the readings importer ([`zp_readings::REASONS_EN`]) and the
//! use cases here ([`REASONS_EN`]). A stored row keeps only the English (the API and the CLI
//! show it unchanged); [`recognise`] gives back its code and parameters, which a page writes
//! in its own language. A reason no template wrote (an older wording, an importer without
//! templates) is `None`, and the page shows the English as it is.

use crate::note::Note;

/// The reasons the use cases of this crate add to the importers' own.
pub const REASONS_EN: &[(&str, &str)] = &[
    ("scope.meter", "meter {meter} is outside your scope"),
    ("scope.org", "{code} is outside your scope"),
    (
        "scope.readings_meter",
        "meter {meter} is not registered to an enterprise in your scope: rows for it are not written",
    ),
    (
        "meter.parent_loop",
        "the parents of meter {meter} form a loop",
    ),
    (
        "serials.claimed_here",
        "{count} certificate(s) {serials} are already claimed by this enterprise for another period or site ({place}): a certificate counts once",
    ),
    (
        "serials.claimed",
        "{count} certificate(s) {serials} are already claimed by {holder} ({place}): a certificate counts once",
    ),
];

/// Every reason template of the importers: the validators', the readings importer's, the
/// domain's (certificate serials, steam states), this crate's (the use cases', those every
/// import shares), each capability's own
/// (production, energy-limit standards, materials, certificates, carbon inclusion, indicator
/// data, hazardous waste), the store's (carbon inclusion records) and the tariff file's
/// faults (a tariff is refused whole, never quarantined; listed so every importer's words
/// have their code).
pub fn templates() -> Vec<(&'static str, &'static str)> {
    [
        zp_ingest::REASONS_EN,
        zp_readings::REASONS_EN,
        zp_domain::serials::REASONS_EN,
        zp_domain::if97::REASONS_EN,
        REASONS_EN,
        crate::batch::REASONS_EN,
        crate::steam_once::REASONS_EN,
        crate::production::REASONS_EN,
        crate::benchmark::REASONS_EN,
        crate::footprint::REASONS_EN,
        crate::certs::REASONS_EN,
        crate::inclusion::REASONS_EN,
        zp_evaluate::indicator_data::REASONS_EN,
        crate::indicator_rows::REASONS_EN,
        zp_waste::import::REASONS_EN,
        zp_store::INCLUSION_REASONS_EN,
        zp_energy::import::REASONS_EN,
    ]
    .concat()
}

/// The code and parameters of one reason (a row with several problems joins them with
/// `; `: give each part), or `None` when no template wrote it.
pub fn recognise(reason: &str) -> Option<Note> {
    zp_domain::template::recognise(reason, &templates()).map(|(code, args)| Note {
        code: code.to_string(),
        args,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::parameters;

    #[test]
    fn every_template_gives_back_its_own_code() {
        let all = templates();
        let mut codes = std::collections::HashSet::new();
        for (code, template) in &all {
            assert!(codes.insert(code), "{code} twice");
            let args: Vec<(&str, String)> = parameters(template)
                .into_iter()
                .enumerate()
                .map(|(i, p)| (p, format!("v{i}")))
                .collect();
            let text = Note::new(code, &args).text(&all);
            let back = recognise(&text).unwrap_or_else(|| panic!("{code}: {text}"));
            // The domain's time error is written by the validators and the readings
            // importer alike: the same template under two codes reads as either.
            let same = all.iter().find(|(c, _)| *c == back.code).map(|(_, t)| t);
            if same != Some(template) {
                assert_eq!(back, Note::new(code, &args), "{text}");
            }
        }
    }

    #[test]
    fn the_scoped_readings_reason_is_recognised() {
        let scoped = crate::readings::scoped_reason(
            "unknown meter \"OTHER-L1\": register it first with `zeropark import meters`",
        );
        let n = recognise(&scoped).unwrap();
        assert_eq!(
            n,
            Note::new("scope.readings_meter", &[("meter", "\"OTHER-L1\"".into())])
        );
    }
}

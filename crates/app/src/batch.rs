//! What every import shares, whatever it reads: the enterprises the caller may see, the
//! batch record and the outcome reported. A leaf of the import modules: the dispatcher in
//! `import` and each capability's import use it, it uses none of them.

use crate::{Caller, ImportError};
use serde::Serialize;
use std::collections::HashSet;
use zp_domain::CreditCode;
use zp_ingest::Table;
use zp_store::{BatchMeta, ImportCounts, OrgFilter, Rejected, Store};

/// The reasons several imports share, as `(code, template)` pairs (issue 14: a page
/// recognises the code and writes the reason in its language; [`crate::reasons`] lists
/// them with every importer's).
pub const REASONS_EN: &[(&str, &str)] = &[
    (
        "org.not_visible",
        "enterprise {code} is not registered (or not visible to you)",
    ),
    (
        "file.other_values",
        "row {row} of this file gives other values for {key}",
    ),
];

/// What an import did: the counts and the quarantined rows (file row, field, reason).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ImportOutcome {
    pub kind: &'static str,
    pub file: String,
    pub sha256: String,
    #[serde(flatten)]
    pub counts: ImportCounts,
    pub rejected: Vec<Rejected>,
    /// Readings imports: meters with accepted rows and missing intervals between each
    /// meter's first and last reading in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readings: Option<ReadingsSummary>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ReadingsSummary {
    pub meters: usize,
    pub new_meters: usize,
    pub missing_intervals: u64,
}

impl ImportOutcome {
    /// What an import of `table` as `kind` did: `counts` (checked) and the quarantined
    /// rows; no readings summary.
    pub(crate) fn of(
        kind: &'static str,
        table: &Table,
        counts: ImportCounts,
        rejected: Vec<Rejected>,
    ) -> ImportOutcome {
        ImportOutcome {
            kind,
            file: table.file.clone(),
            sha256: table.sha256.clone(),
            counts: counts.checked(),
            rejected,
            readings: None,
        }
    }
}

/// The credit codes of the enterprises `caller` may see: rows of others are quarantined
/// like unknown ones.
pub(crate) fn visible_codes(
    store: &mut dyn Store,
    caller: &Caller,
) -> Result<HashSet<CreditCode>, ImportError> {
    Ok(store
        .orgs(&caller.access, &OrgFilter::default())?
        .into_iter()
        .map(|o| o.credit_code)
        .collect())
}

/// The credit code of a cell when it is valid and of an enterprise in `visible`; else a
/// problem of `credit_code`.
pub(crate) fn visible_code(
    raw: &str,
    visible: &HashSet<CreditCode>,
    problems: &mut Vec<(&'static str, String)>,
) -> Option<CreditCode> {
    match CreditCode::parse(raw.trim()) {
        Ok(c) if visible.contains(&c) => Some(c),
        Ok(c) => {
            let why =
                zp_domain::template::write(REASONS_EN, "org.not_visible", &[("code", c.as_str())]);
            problems.push(("credit_code", why));
            None
        }
        Err(e) => {
            problems.push(("credit_code", e.to_string()));
            None
        }
    }
}

/// The batch record of an import of `table` as `kind` by `actor`.
pub(crate) fn batch_meta(kind: &str, table: &Table, actor: &str) -> BatchMeta {
    BatchMeta {
        kind: kind.into(),
        file: table.file.clone(),
        sha256: table.sha256.clone(),
        actor: actor.into(),
        readings_txn: None,
    }
}

/// A file's name without its folders (a reason never shows where files are kept).
pub(crate) fn file_name(path: &str) -> &str {
    std::path::Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(path)
}

//! Checks an engine's result file against the exact answers written by `gen`.
//!
//! Rows are matched on their key columns; a row missing on one side counts as zeros (an
//! engine may leave out a meter-month without readings). Values agree when
//! `|got - expected| <= 1e-9 * |expected| + 1e-6`, i.e. up to floating-point summation order.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

const REL_TOL: f64 = 1e-9;
const ABS_TOL: f64 = 1e-6;

type Rows = BTreeMap<Vec<String>, Vec<f64>>;

fn read(path: &Path, keys: usize) -> Result<(Vec<String>, Rows)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .context("empty result file")?
        .split(',')
        .map(str::to_string)
        .collect();
    let mut rows = Rows::new();
    for (i, line) in lines.enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() != header.len() {
            bail!(
                "{}: row {} has {} cells",
                path.display(),
                i + 2,
                cells.len()
            );
        }
        let key = cells[..keys].iter().map(|s| s.to_string()).collect();
        let vals = cells[keys..]
            .iter()
            .map(|v| v.parse::<f64>())
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("{}: row {}", path.display(), i + 2))?;
        if rows.insert(key, vals).is_some() {
            bail!("{}: row {} repeats a key", path.display(), i + 2);
        }
    }
    Ok((header, rows))
}

/// Compares `got` with `expected` (both CSV with `keys` leading key columns).
pub fn compare(expected: &Path, got: &Path, keys: usize) -> Result<Value> {
    let (header, want) = read(expected, keys)?;
    let (got_header, have) = read(got, keys)?;
    if header != got_header {
        bail!(
            "{}: header {got_header:?}, expected {header:?}",
            got.display()
        );
    }
    let width = header.len() - keys;
    let zeros = vec![0.0; width];
    let mut keys_all: Vec<&Vec<String>> = want.keys().chain(have.keys()).collect();
    keys_all.sort();
    keys_all.dedup();
    let (mut max_abs, mut max_rel, mut bad) = (0f64, 0f64, 0usize);
    let mut first_bad = Value::Null;
    let mut totals_want = vec![0.0; width];
    let mut totals_have = vec![0.0; width];
    for k in keys_all {
        let w = want.get(k).unwrap_or(&zeros);
        let h = have.get(k).unwrap_or(&zeros);
        for c in 0..width {
            totals_want[c] += w[c];
            totals_have[c] += h[c];
            let d = (h[c] - w[c]).abs();
            max_abs = max_abs.max(d);
            if w[c] != 0.0 {
                max_rel = max_rel.max(d / w[c].abs());
            }
            if d > REL_TOL * w[c].abs() + ABS_TOL {
                bad += 1;
                if first_bad.is_null() {
                    first_bad = json!({"key": k, "column": header[keys + c], "expected": w[c], "got": h[c]});
                }
            }
        }
    }
    let totals: serde_json::Map<String, Value> = (0..width)
        .map(|c| {
            (
                header[keys + c].clone(),
                json!({"expected": totals_want[c], "got": totals_have[c]}),
            )
        })
        .collect();
    Ok(json!({
        "agrees": bad == 0,
        "expected_rows": want.len(),
        "rows": have.len(),
        "mismatched_values": bad,
        "first_mismatch": first_bad,
        "max_abs_diff": max_abs,
        "max_rel_diff": max_rel,
        "totals": totals,
    }))
}

//! Printing: `--json` documents or aligned text tables.

use serde::Serialize;

pub fn json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Prints rows as an aligned table (widths by displayed characters; CJK counts double).
pub fn table(headers: &[&str], rows: &[Vec<String>]) {
    let width = |s: &str| {
        s.chars()
            .map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 })
            .sum::<usize>()
    };
    let mut w: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < w.len() {
                w[i] = w[i].max(width(c));
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c}{}", " ".repeat(w[i].saturating_sub(width(c)))))
            .collect();
        println!("{}", parts.join("  ").trim_end());
    };
    line(headers.to_vec());
    line(
        w.iter()
            .map(|n| "-".repeat(*n))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect(),
    );
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
}

/// Prints `value` as a JSON document, or as text by `text`.
pub fn either<T: Serialize + ?Sized>(
    json: bool,
    value: &T,
    text: impl FnOnce(&T),
) -> anyhow::Result<()> {
    if json {
        self::json(&value)
    } else {
        text(value);
        Ok(())
    }
}

/// Prints `items` as one table line each (cells by `row`).
pub fn table_of<T>(headers: &[&str], items: &[T], row: impl Fn(&T) -> Vec<String>) {
    let rows: Vec<Vec<String>> = items.iter().map(row).collect();
    table(headers, &rows);
}

/// Prints a list: a JSON array of `items`, or a table of `headers` with a line per item.
pub fn list<T: Serialize>(
    json: bool,
    items: &[T],
    headers: &[&str],
    row: impl Fn(&T) -> Vec<String>,
) -> anyhow::Result<()> {
    either(json, items, |items| table_of(headers, items, row))
}

/// A decimal for reading: rounded to `dp` places, trailing zeros dropped.
pub fn num(d: rust_decimal::Decimal, dp: u32) -> String {
    d.round_dp(dp).normalize().to_string()
}

pub fn opt_num(d: Option<rust_decimal::Decimal>, dp: u32) -> String {
    d.map(|d| num(d, dp)).unwrap_or_else(|| "-".into())
}

/// `FILE: read N, accepted N (of which N duplicates, N restated), quarantined N`.
pub fn import_summary(file: &std::path::Path, c: &zp_app::ImportCounts) -> String {
    format!(
        "{}: read {}, accepted {} (of which {} duplicates, {} restated), quarantined {}",
        file.display(),
        c.read,
        c.accepted,
        c.duplicates,
        c.restated,
        c.quarantined
    )
}

/// Prints the first 20 quarantined rows of `file` to stderr, and where to see the rest.
pub fn quarantined_rows(
    store: &mut dyn zp_app::Store,
    file: &std::path::Path,
) -> anyhow::Result<()> {
    let rows = store.quarantine(&zp_app::QuarantineFilter {
        file: Some(file.display().to_string()),
        limit: Some(21),
        ..Default::default()
    })?;
    for r in rows.iter().take(20) {
        eprintln!(
            "  {}: row {}, field {}: {}",
            r.file, r.row, r.field, r.reason
        );
    }
    if rows.len() > 20 {
        eprintln!(
            "  ... see `zeropark quarantine list --file {}`",
            file.display()
        );
    }
    Ok(())
}

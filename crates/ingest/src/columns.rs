//! Column lookup by English key or the Chinese headers finance offices use.

use crate::table::{ReadError, Table};

/// Positions of the known columns; the other columns are extra attributes.
pub struct Columns {
    positions: Vec<Option<usize>>,
    pub extra: Vec<(usize, String)>,
}

impl Columns {
    /// `spec`: (key, aliases, required).
    pub fn resolve(table: &Table, spec: &[(&str, &[&str], bool)]) -> Result<Columns, ReadError> {
        let norm = |h: &str| h.trim().trim_start_matches('\u{feff}').to_lowercase();
        let mut positions = Vec::new();
        let mut missing = Vec::new();
        for (key, aliases, required) in spec {
            let pos = table.headers.iter().position(|h| {
                let h = norm(h);
                h == *key || aliases.iter().any(|a| h == a.to_lowercase())
            });
            if pos.is_none() && *required {
                missing.push(*key);
            }
            positions.push(pos);
        }
        if !missing.is_empty() {
            return Err(ReadError::Columns {
                file: table.file.clone(),
                missing: missing.join(", "),
                found: table.headers.join(", "),
            });
        }
        let extra = table
            .headers
            .iter()
            .enumerate()
            .filter(|(i, h)| !positions.contains(&Some(*i)) && !h.trim().is_empty())
            .map(|(i, h)| (i, h.trim().to_string()))
            .collect();
        Ok(Columns { positions, extra })
    }

    /// The cell of the `n`-th spec column ("" when absent).
    pub fn get<'a>(&self, n: usize, cells: &'a [String]) -> &'a str {
        self.positions[n]
            .and_then(|p| cells.get(p))
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn attrs(&self, cells: &[String]) -> std::collections::BTreeMap<String, String> {
        self.extra
            .iter()
            .filter_map(|(i, h)| {
                cells
                    .get(*i)
                    .filter(|v| !v.is_empty())
                    .map(|v| (h.clone(), v.clone()))
            })
            .collect()
    }
}

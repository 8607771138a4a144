//! Certificate serials a ledger row names, so no certificate is claimed twice.
//!
//! A `serials` cell holds one serial (`GEC2023CQ000151`), a `;`-separated list, or a range
//! `FIRST..LAST` (the same prefix and an equal-width trailing number), or a list of those.
//! A serial is its prefix plus its trailing decimal number; serials with different
//! prefixes or number widths never overlap.

use crate::template::write;
use std::fmt;

/// Why a `serials` cell is refused, as `(code, template)` pairs (issue 14: a page
/// recognises the code and writes the reason in its language). A range's ends keep their
/// own spelling; a prefix is quoted.
pub const REASONS_EN: &[(&str, &str)] = &[
    (
        "serials.cell_long",
        "serials cell is {length} characters long (at most {max}): use ranges FIRST..LAST",
    ),
    ("serials.none", "serials cell names no serial"),
    (
        "serials.twice",
        "serial {serial} is named twice in the cell",
    ),
    (
        "serials.too_many",
        "serials cell names more than {max} certificates",
    ),
    (
        "serials.first_number",
        "range {first}..{last}: the first serial has no trailing number",
    ),
    (
        "serials.last_number",
        "range {first}..{last}: the last serial has no trailing number",
    ),
    (
        "serials.prefixes",
        "range {first}..{last}: prefixes differ ({prefix_first} and {prefix_last})",
    ),
    (
        "serials.widths",
        "range {first}..{last}: numbers differ in width ({width_first} and {width_last} digits)",
    ),
    ("serials.backwards", "range {first}..{last}: runs backwards"),
];

/// Longest `serials` cell accepted: a ledger row is not a certificate database.
const MAX_CELL_LEN: usize = 10_000;

/// Contiguous serials `prefix + first ..= prefix + last`, numbers `width` digits wide.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SerialRange {
    pub prefix: String,
    pub width: usize,
    pub first: u64,
    pub last: u64,
}

impl SerialRange {
    pub fn count(&self) -> u64 {
        self.last - self.first + 1
    }

    /// The serials both ranges hold, if any.
    pub fn intersect(&self, other: &SerialRange) -> Option<SerialRange> {
        if self.prefix != other.prefix || self.width != other.width {
            return None;
        }
        let (first, last) = (self.first.max(other.first), self.last.min(other.last));
        (first <= last).then(|| SerialRange {
            prefix: self.prefix.clone(),
            width: self.width,
            first,
            last,
        })
    }

    fn serial(&self, n: u64) -> String {
        format!("{}{:0width$}", self.prefix, n, width = self.width)
    }
}

impl fmt::Display for SerialRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.width == 0 {
            return f.write_str(&self.prefix);
        }
        f.write_str(&self.serial(self.first))?;
        if self.last != self.first {
            write!(f, "..{}", self.serial(self.last))?;
        }
        Ok(())
    }
}

/// The serials of one row: sorted, non-overlapping ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SerialSet(Vec<SerialRange>);

impl SerialSet {
    /// Parses a `serials` cell. Refuses a range whose ends differ in prefix or width, or
    /// run backwards, and a serial named twice.
    pub fn parse(cell: &str) -> Result<SerialSet, String> {
        if cell.len() > MAX_CELL_LEN {
            return Err(write(
                REASONS_EN,
                "serials.cell_long",
                &[
                    ("length", &cell.len().to_string()),
                    ("max", &MAX_CELL_LEN.to_string()),
                ],
            ));
        }
        let mut ranges = Vec::new();
        for part in cell.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            ranges.push(match part.split_once("..") {
                Some((a, b)) => range(a.trim(), b.trim())?,
                None => single(part),
            });
        }
        if ranges.is_empty() {
            return Err(write(REASONS_EN, "serials.none", &[]));
        }
        ranges.sort();
        for w in ranges.windows(2) {
            if let Some(both) = w[0].intersect(&w[1]) {
                return Err(write(
                    REASONS_EN,
                    "serials.twice",
                    &[("serial", &both.to_string())],
                ));
            }
        }
        // Ranges of 19-digit numbers can name more serials than a u64 counts: refused here,
        // so [`SerialSet::count`] of any set (this one or a part of it) cannot overflow.
        if ranges
            .iter()
            .try_fold(0u64, |n, r| n.checked_add(r.count()))
            .is_none()
        {
            return Err(write(
                REASONS_EN,
                "serials.too_many",
                &[("max", &u64::MAX.to_string())],
            ));
        }
        Ok(SerialSet(ranges))
    }

    pub fn ranges(&self) -> &[SerialRange] {
        &self.0
    }

    /// Number of certificates named.
    pub fn count(&self) -> u64 {
        self.0.iter().map(SerialRange::count).sum()
    }

    /// The serials both sets name.
    pub fn intersect(&self, other: &SerialSet) -> SerialSet {
        let mut out: Vec<SerialRange> = self
            .0
            .iter()
            .flat_map(|a| other.0.iter().filter_map(|b| a.intersect(b)))
            .collect();
        out.sort();
        SerialSet(out)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for SerialSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

/// Splits a serial into its prefix and trailing number (`None` without trailing digits,
/// or when the number exceeds 19 digits).
fn split(s: &str) -> Option<(&str, usize, u64)> {
    let digits = s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 19 {
        return None;
    }
    let (prefix, number) = s.split_at(s.len() - digits);
    Some((prefix, digits, number.parse().ok()?))
}

fn single(s: &str) -> SerialRange {
    match split(s) {
        Some((prefix, width, n)) => SerialRange {
            prefix: prefix.to_string(),
            width,
            first: n,
            last: n,
        },
        None => SerialRange {
            prefix: s.to_string(),
            width: 0,
            first: 0,
            last: 0,
        },
    }
}

fn range(a: &str, b: &str) -> Result<SerialRange, String> {
    let bad = |code: &str, more: &[(&str, &str)]| {
        let args: Vec<(&str, &str)> = [("first", a), ("last", b)]
            .into_iter()
            .chain(more.iter().copied())
            .collect();
        write(REASONS_EN, code, &args)
    };
    let (pa, wa, first) = split(a).ok_or_else(|| bad("serials.first_number", &[]))?;
    let (pb, wb, last) = split(b).ok_or_else(|| bad("serials.last_number", &[]))?;
    if pa != pb {
        let (pa, pb) = (format!("{pa:?}"), format!("{pb:?}"));
        return Err(bad(
            "serials.prefixes",
            &[("prefix_first", &pa), ("prefix_last", &pb)],
        ));
    }
    if wa != wb {
        let (wa, wb) = (wa.to_string(), wb.to_string());
        return Err(bad(
            "serials.widths",
            &[("width_first", &wa), ("width_last", &wb)],
        ));
    }
    if last < first {
        return Err(bad("serials.backwards", &[]));
    }
    Ok(SerialRange {
        prefix: pa.to_string(),
        width: wa,
        first,
        last,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzzing (issue 19): two full ranges of 19-digit numbers name 2 × 10^19
    /// serials; counting them overflowed (a panic in debug builds, a wrong count in release).
    #[test]
    fn serials_beyond_a_u64_count_are_refused() {
        let e = SerialSet::parse(
            "A0000000000000000000..A9999999999999999999;B0000000000000000000..B9999999999999999999",
        )
        .unwrap_err();
        assert_eq!(
            e,
            "serials cell names more than 18446744073709551615 certificates"
        );
        let one = SerialSet::parse("A0000000000000000000..A9999999999999999999").unwrap();
        assert_eq!(one.count(), 10_000_000_000_000_000_000);
    }

    #[test]
    fn ranges_lists_and_singles() {
        let s = SerialSet::parse("GEC2023CQ000001..GEC2023CQ000200").unwrap();
        assert_eq!(s.count(), 200);
        assert_eq!(s.to_string(), "GEC2023CQ000001..GEC2023CQ000200");
        let l = SerialSet::parse("A7; A9 ;A8").unwrap();
        assert_eq!(l.count(), 3);
        assert_eq!(SerialSet::parse("CERT-X").unwrap().count(), 1);
    }

    #[test]
    fn the_worked_example_overlap_is_fifty() {
        // worked-examples.md: A claims 000001..000200, B then claims 000151..000250.
        let a = SerialSet::parse("GEC2023CQ000001..GEC2023CQ000200").unwrap();
        let b = SerialSet::parse("GEC2023CQ000151..GEC2023CQ000250").unwrap();
        let both = a.intersect(&b);
        assert_eq!(both.count(), 50);
        assert_eq!(both.to_string(), "GEC2023CQ000151..GEC2023CQ000200");
    }

    #[test]
    fn different_prefix_or_width_never_overlap() {
        let a = SerialSet::parse("X001..X010").unwrap();
        assert!(
            a.intersect(&SerialSet::parse("Y001..Y010").unwrap())
                .is_empty()
        );
        assert!(
            a.intersect(&SerialSet::parse("X0001..X0010").unwrap())
                .is_empty()
        );
    }

    #[test]
    fn malformed_cells_say_why() {
        for (cell, why) in [
            ("X001..Y010", "prefixes differ"),
            ("X001..X0010", "width"),
            ("X010..X001", "backwards"),
            ("X..X5", "no trailing number"),
            ("X001..X005;X003", "named twice"),
            (" ; ", "names no serial"),
        ] {
            let e = SerialSet::parse(cell).unwrap_err();
            assert!(e.contains(why), "{cell}: {e}");
        }
    }

    #[test]
    fn every_refusal_is_written_from_its_template() {
        let long = "X".repeat(MAX_CELL_LEN + 1);
        let cells = [
            (long.as_str(), "serials.cell_long"),
            (" ; ", "serials.none"),
            ("X001..X005;X003", "serials.twice"),
            (
                "A0..A9999999999999999999;B0..B9999999999999999999",
                "serials.widths",
            ),
            (
                "A0000000000000000000..A9999999999999999999;B0000000000000000000..B9999999999999999999",
                "serials.too_many",
            ),
            ("X..X5", "serials.first_number"),
            ("X1..Y", "serials.last_number"),
            ("X001..Y010", "serials.prefixes"),
            ("X001..X0010", "serials.widths"),
            ("X010..X001", "serials.backwards"),
        ];
        for (cell, code) in cells {
            let e = SerialSet::parse(cell).unwrap_err();
            let back = crate::template::recognise(&e, REASONS_EN).map(|(c, _)| c);
            assert_eq!(back, Some(code), "{e}");
        }
    }
}

//! Identifiers: bundle ids and contiguous certificate-ID ranges.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Identifier of a certificate bundle (证书包). Allocated sequentially from 1 by the
/// registry; a split keeps the parent id for the first part and allocates a new one for
/// the rest.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct BundleId(pub u64);

impl fmt::Display for BundleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "B{}", self.0)
    }
}

/// A contiguous, inclusive range of certificate ids `[start, end]`.
///
/// Granular certificates carry one id per Wh; imported GECs carry their registry serial
/// numbers, one per MWh.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub struct IdRange {
    pub start: u64,
    pub end: u64,
}

impl IdRange {
    /// A range of `count` ids starting at `start`; `None` when `count` is 0 or it overflows.
    pub fn with_count(start: u64, count: u64) -> Option<IdRange> {
        let end = start.checked_add(count.checked_sub(1)?)?;
        Some(IdRange { start, end })
    }

    /// Number of ids in the range (never 0 for a well-formed range).
    pub fn count(self) -> u64 {
        self.end - self.start + 1
    }

    pub fn is_well_formed(self) -> bool {
        self.start <= self.end
    }

    /// Splits `[s, e]` into `[s, s+first-1]` and `[s+first, e]`; `None` unless
    /// `0 < first < count`.
    pub fn split_at(self, first: u64) -> Option<(IdRange, IdRange)> {
        if first == 0 || first >= self.count() {
            return None;
        }
        Some((
            IdRange {
                start: self.start,
                end: self.start + first - 1,
            },
            IdRange {
                start: self.start + first,
                end: self.end,
            },
        ))
    }

    pub fn overlaps(self, other: IdRange) -> bool {
        self.start <= other.end && other.start <= self.end
    }
}

impl fmt::Display for IdRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {}]", self.start, self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_gives_adjacent_ranges_losing_and_duplicating_nothing() {
        let r = IdRange {
            start: 100,
            end: 199,
        };
        let (a, b) = r.split_at(30).unwrap();
        assert_eq!(
            a,
            IdRange {
                start: 100,
                end: 129
            }
        );
        assert_eq!(
            b,
            IdRange {
                start: 130,
                end: 199
            }
        );
        assert_eq!(a.count() + b.count(), r.count());
        assert!(!a.overlaps(b));
        assert_eq!(r.split_at(0), None);
        assert_eq!(r.split_at(100), None);
    }

    #[test]
    fn with_count_rejects_empty_and_overflow() {
        assert_eq!(IdRange::with_count(1, 0), None);
        assert_eq!(IdRange::with_count(u64::MAX, 2), None);
        assert_eq!(
            IdRange::with_count(5, 1),
            Some(IdRange { start: 5, end: 5 })
        );
    }
}

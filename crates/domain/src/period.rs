//! Reporting periods: calendar months (`YYYY-MM`) and years.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A calendar month, the period of an energy ledger line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    year: i32,
    month: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("period {0:?} is not YYYY-MM")]
    Format(String),
    #[error("month {0} is not 01-12")]
    Month(u32),
    #[error("year {0} is outside 1990-2100")]
    Year(i32),
}

impl Period {
    pub fn new(year: i32, month: u32) -> Result<Period, PeriodError> {
        if !(1990..=2100).contains(&year) {
            return Err(PeriodError::Year(year));
        }
        if !(1..=12).contains(&month) {
            return Err(PeriodError::Month(month));
        }
        Ok(Period {
            year,
            month: month as u8,
        })
    }

    /// Accepts `YYYY-MM`, also `YYYY/MM`, `YYYY.MM`, `YYYYMM` and `YYYY年MM月`
    /// as finance offices write them.
    pub fn parse(s: &str) -> Result<Period, PeriodError> {
        let t = s.trim();
        let bad = || PeriodError::Format(t.to_string());
        let digits: Vec<&str> = t
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .collect();
        let (y, m) = match digits.as_slice() {
            [ym] if ym.len() == 6 => (&ym[..4], &ym[4..]),
            [y, m] if y.len() == 4 && (1..=2).contains(&m.len()) => (*y, *m),
            _ => return Err(bad()),
        };
        let rest_ok = t
            .chars()
            .all(|c| c.is_ascii_digit() || "-/.年月 ".contains(c));
        if !rest_ok {
            return Err(bad());
        }
        Period::new(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?)
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month as u32
    }

    /// Number of days in the month (Gregorian).
    pub fn days(self) -> u32 {
        match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            _ if self.year % 4 == 0 && (self.year % 100 != 0 || self.year % 400 == 0) => 29,
            _ => 28,
        }
    }

    /// The twelve months of a year.
    pub fn months_of(year: i32) -> impl Iterator<Item = Period> {
        (1..=12u8).map(move |month| Period { year, month })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Period::parse(&s)
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ledger_spellings() {
        for s in ["2023-01", "2023/1", "202301", "2023年1月", "2023.01"] {
            assert_eq!(Period::parse(s).unwrap().to_string(), "2023-01", "{s}");
        }
    }

    #[test]
    fn rejects_bad_months_and_shapes() {
        assert_eq!(Period::parse("2023-13"), Err(PeriodError::Month(13)));
        assert_eq!(Period::parse("2023-00"), Err(PeriodError::Month(0)));
        assert!(matches!(
            Period::parse("23-01"),
            Err(PeriodError::Format(_))
        ));
        assert!(matches!(
            Period::parse("2023-01-05"),
            Err(PeriodError::Format(_))
        ));
        assert!(matches!(
            Period::parse("Jan 2023"),
            Err(PeriodError::Format(_))
        ));
        assert_eq!(Period::parse("1850-01"), Err(PeriodError::Year(1850)));
    }

    #[test]
    fn month_lengths() {
        assert_eq!(Period::new(2024, 2).unwrap().days(), 29);
        assert_eq!(Period::new(2023, 2).unwrap().days(), 28);
        assert_eq!(Period::new(2100, 2).unwrap().days(), 28);
        assert_eq!(Period::months_of(2023).map(|p| p.days()).sum::<u32>(), 365);
    }
}

//! China's working-day calendar (工作日历): weekends, public holidays (法定节假日) and
//! make-up working days (调休上班), one calendar for the whole product.
//!
//! The data is `data/cn-calendar.csv` (`date,kind,name_zh,name_en,notice`), one row per
//! day that differs from the weekday rule: `holiday` for every day off of a holiday period
//! (weekend days inside it included), `workday` for a weekend day that is worked. Each row
//! cites the State Council General Office notice it comes from; adding a year is adding its
//! notice's rows. A year is covered when some row cites that year's notice
//! (`关于YYYY年部分节假日安排的通知`); asking about a day of any other year is an error
//! ([`CalendarError::NotCovered`]), never a guess from the weekday.
//!
//! Counting convention: "n working days after D" starts on the day after D, so
//! [`Calendar::add_working_days`]`(D, n)` is the n-th working day strictly after D, and
//! [`Calendar::working_days_between`]`(a, b)` counts the working days in `(a, b]`.

use jiff::civil::{Date, Weekday};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The embedded calendar data.
pub const CN_CALENDAR_CSV: &str = include_str!("../data/cn-calendar.csv");

/// What a listed day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// A day off of a holiday period (放假).
    Holiday,
    /// A weekend day that is worked (调休上班).
    Workday,
}

/// A day that differs from the weekday rule, with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialDay {
    pub date: Date,
    pub kind: DayKind,
    pub name_zh: String,
    pub name_en: String,
    /// The notice the day comes from.
    pub notice: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "the working-day calendar does not cover {date}: it has the State Council notices of {covered} only (add that year's rows to crates/domain/data/cn-calendar.csv)"
    )]
    NotCovered { date: Date, covered: String },
    #[error("calendar data line {line}: {reason}")]
    Data { line: usize, reason: String },
}

/// The working-day calendar.
#[derive(Debug, Clone)]
pub struct Calendar {
    days: BTreeMap<Date, SpecialDay>,
    years: BTreeSet<i16>,
}

/// Splits one CSV line, honouring double quotes.
fn split_csv(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(s) = cells.last_mut() {
                    s.push('"')
                }
            }
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(String::new()),
            c => {
                if let Some(s) = cells.last_mut() {
                    s.push(c)
                }
            }
        }
    }
    cells
}

/// The year of a notice `...关于2024年部分节假日安排的通知...`.
fn notice_year(notice: &str) -> Option<i16> {
    let (_, rest) = notice.split_once("关于")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() == 4 && rest[4..].starts_with('年') {
        digits.parse().ok()
    } else {
        None
    }
}

impl Calendar {
    /// Parses calendar rows (`date,kind,name_zh,name_en,notice`, header first).
    pub fn parse(csv: &str) -> Result<Calendar, CalendarError> {
        let mut days = BTreeMap::new();
        let mut years = BTreeSet::new();
        let mut lines = csv.lines().enumerate();
        let header = lines
            .next()
            .map(|(_, h)| h.trim_start_matches('\u{feff}').trim());
        if header != Some("date,kind,name_zh,name_en,notice") {
            return Err(CalendarError::Data {
                line: 1,
                reason: format!(
                    "expected the header date,kind,name_zh,name_en,notice, found {header:?}"
                ),
            });
        }
        for (i, line) in lines {
            let line_no = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            let err = |reason: String| CalendarError::Data {
                line: line_no,
                reason,
            };
            let cells = split_csv(line);
            let [date, kind, name_zh, name_en, notice] = cells.as_slice() else {
                return Err(err(format!("expected 5 cells, found {}", cells.len())));
            };
            let date: Date = date
                .trim()
                .parse()
                .map_err(|e| err(format!("date {date:?}: {e}")))?;
            let kind = match kind.trim() {
                "holiday" => DayKind::Holiday,
                "workday" => DayKind::Workday,
                other => {
                    return Err(err(format!(
                        "kind {other:?} is neither holiday nor workday"
                    )));
                }
            };
            let year = notice_year(notice)
                .ok_or_else(|| err(format!("notice {notice:?} names no year (关于YYYY年...)")))?;
            years.insert(year);
            let day = SpecialDay {
                date,
                kind,
                name_zh: name_zh.trim().to_string(),
                name_en: name_en.trim().to_string(),
                notice: notice.trim().to_string(),
            };
            if days.insert(date, day).is_some() {
                return Err(err(format!("{date} is listed twice")));
            }
        }
        Ok(Calendar { days, years })
    }

    /// The embedded China calendar, parsed once.
    pub fn china() -> &'static Calendar {
        static CAL: OnceLock<Calendar> = OnceLock::new();
        CAL.get_or_init(|| {
            Calendar::parse(CN_CALENDAR_CSV).expect("crates/domain/data/cn-calendar.csv is valid")
        })
    }

    /// The years whose notices the calendar holds.
    pub fn years(&self) -> impl Iterator<Item = i16> + '_ {
        self.years.iter().copied()
    }

    fn covered(&self, date: Date) -> Result<(), CalendarError> {
        if self.years.contains(&date.year()) {
            Ok(())
        } else {
            Err(CalendarError::NotCovered {
                date,
                covered: self
                    .years
                    .iter()
                    .map(i16::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        }
    }

    /// The holiday or make-up working day listed for `date`, if any.
    pub fn special(&self, date: Date) -> Option<&SpecialDay> {
        self.days.get(&date)
    }

    /// Whether `date` is a working day: a listed make-up day, not a listed holiday, else
    /// Monday to Friday.
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        self.covered(date)?;
        Ok(match self.days.get(&date).map(|d| d.kind) {
            Some(DayKind::Workday) => true,
            Some(DayKind::Holiday) => false,
            None => !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday),
        })
    }

    /// The `n`-th working day strictly after `from` (`n = 0` gives `from` itself).
    pub fn add_working_days(&self, from: Date, n: u32) -> Result<Date, CalendarError> {
        self.covered(from)?;
        let mut day = from;
        let mut left = n;
        while left > 0 {
            day = day.tomorrow().map_err(|e| CalendarError::Data {
                line: 0,
                reason: e.to_string(),
            })?;
            if self.is_working_day(day)? {
                left -= 1;
            }
        }
        Ok(day)
    }

    /// The working days in `(a, b]` (negative, counted the same way, when `b < a`).
    pub fn working_days_between(&self, a: Date, b: Date) -> Result<i64, CalendarError> {
        if b < a {
            return self.working_days_between(b, a).map(|n| -n);
        }
        self.covered(a)?;
        self.covered(b)?;
        let mut n = 0;
        let mut day = a;
        while day < b {
            day = day.tomorrow().map_err(|e| CalendarError::Data {
                line: 0,
                reason: e.to_string(),
            })?;
            if self.is_working_day(day)? {
                n += 1;
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cal() -> &'static Calendar {
        Calendar::china()
    }

    #[test]
    fn the_embedded_data_covers_2023_to_2026() {
        assert_eq!(
            cal().years().collect::<Vec<_>>(),
            vec![2023, 2024, 2025, 2026]
        );
    }

    #[test]
    fn spring_festival_2024_and_its_make_up_sundays() {
        // 国办发明电〔2023〕7号: 2月10日至17日放假调休，共8天；2月4日（星期日）、2月18日（星期日）上班.
        assert!(cal().is_working_day(date(2024, 2, 4)).unwrap()); // Sunday, worked
        assert!(!cal().is_working_day(date(2024, 2, 12)).unwrap()); // Monday, off
        assert!(cal().is_working_day(date(2024, 2, 18)).unwrap()); // Sunday, worked
        // From Fri 2024-02-09: 02-10..02-17 off, 02-18 (Sun) is the 1st, 02-19 Mon the 2nd,
        // 02-20 the 3rd.
        assert_eq!(
            cal().add_working_days(date(2024, 2, 9), 3).unwrap(),
            date(2024, 2, 20)
        );
    }

    #[test]
    fn national_day_2024_submitted_the_day_before_the_holiday() {
        // 国办发明电〔2023〕7号: 10月1日至7日放假调休，共7天；9月29日（星期日）、10月12日（星期六）上班.
        // Submitted Mon 2024-09-30 (the day before): 10-01..10-07 off, then 10-08 Tue (1),
        // 10-09 (2), 10-10 (3), 10-11 Fri (4), 10-12 Sat make-up (5).
        assert_eq!(
            cal().add_working_days(date(2024, 9, 30), 5).unwrap(),
            date(2024, 10, 12)
        );
        // From Fri 09-27: 09-29 Sun make-up (1), 09-30 Mon (2), 10-08 (3), 10-09 (4), 10-10 (5).
        assert_eq!(
            cal().add_working_days(date(2024, 9, 27), 5).unwrap(),
            date(2024, 10, 10)
        );
        assert!(cal().is_working_day(date(2024, 9, 29)).unwrap());
        assert_eq!(
            cal()
                .working_days_between(date(2024, 9, 27), date(2024, 10, 10))
                .unwrap(),
            5
        );
    }

    #[test]
    fn submitted_on_a_make_up_saturday() {
        // 2024-10-12 is a make-up Saturday; counting starts on Sun 10-13 (off): 10-14 Mon (1)
        // .. 10-18 Fri (5).
        assert!(cal().is_working_day(date(2024, 10, 12)).unwrap());
        assert_eq!(
            cal().add_working_days(date(2024, 10, 12), 5).unwrap(),
            date(2024, 10, 18)
        );
        // 2025-02-08 (Sat) is Spring Festival's make-up day: 02-10 Mon (1) .. 02-14 Fri (5).
        assert!(cal().is_working_day(date(2025, 2, 8)).unwrap());
        assert_eq!(
            cal().add_working_days(date(2025, 2, 8), 5).unwrap(),
            date(2025, 2, 14)
        );
    }

    #[test]
    fn spring_festival_2025() {
        // 国办发明电〔2024〕12号: 1月28日至2月4日放假调休，共8天；1月26日（星期日）、2月8日（星期六）上班.
        // From Fri 2025-01-24: 01-26 Sun (1), 01-27 Mon (2), 01-28..02-04 off, 02-05 Wed (3),
        // 02-06 (4), 02-07 Fri (5).
        assert_eq!(
            cal().add_working_days(date(2025, 1, 24), 5).unwrap(),
            date(2025, 2, 7)
        );
        // The day before the holiday, Mon 01-27: 02-05 (1), 02-06 (2), 02-07 (3), 02-08 Sat (4),
        // 02-10 Mon (5).
        assert_eq!(
            cal().add_working_days(date(2025, 1, 27), 5).unwrap(),
            date(2025, 2, 10)
        );
    }

    #[test]
    fn national_day_2025() {
        // 国办发明电〔2024〕12号 as listed: 10月1日至8日放假调休；9月28日（星期日）、10月11日（星期六）上班.
        // The day before, Tue 2025-09-30: 10-09 Thu (1), 10-10 Fri (2), 10-11 Sat (3),
        // 10-13 Mon (4), 10-14 Tue (5).
        assert_eq!(
            cal().add_working_days(date(2025, 9, 30), 5).unwrap(),
            date(2025, 10, 14)
        );
        assert!(cal().is_working_day(date(2025, 9, 28)).unwrap());
        assert!(!cal().is_working_day(date(2025, 10, 8)).unwrap());
    }

    #[test]
    fn contract_examples_of_2023() {
        // 2023-09-29..10-06 off, 10-07 Sat and 10-08 Sun worked: 10-07 (1), 10-08 (2),
        // 10-09 (3), 10-10 (4), 10-11 (5).
        assert_eq!(
            cal().add_working_days(date(2023, 9, 28), 5).unwrap(),
            date(2023, 10, 11)
        );
        // 01-20 Fri (1), 01-21..27 off, 01-28 Sat (2), 01-29 Sun (3).
        assert_eq!(
            cal().add_working_days(date(2023, 1, 19), 3).unwrap(),
            date(2023, 1, 29)
        );
    }

    #[test]
    fn years_without_a_notice_are_an_error() {
        assert!(matches!(
            cal().is_working_day(date(2027, 3, 1)),
            Err(CalendarError::NotCovered { .. })
        ));
        // 2022-12-31 is listed (by the 2023 notice) but 2022 itself is not covered.
        assert_eq!(
            cal()
                .is_working_day(date(2022, 12, 30))
                .unwrap_err()
                .to_string(),
            "the working-day calendar does not cover 2022-12-30: it has the State Council notices of 2023, 2024, 2025, 2026 only (add that year's rows to crates/domain/data/cn-calendar.csv)"
        );
        // Counting that runs past the end of the data stops with an error.
        assert_eq!(
            cal()
                .add_working_days(date(2026, 12, 30), 5)
                .unwrap_err()
                .to_string(),
            "the working-day calendar does not cover 2027-01-01: it has the State Council notices of 2023, 2024, 2025, 2026 only (add that year's rows to crates/domain/data/cn-calendar.csv)"
        );
    }

    #[test]
    fn rejects_bad_rows() {
        let head = "date,kind,name_zh,name_en,notice\n";
        let bad = format!(
            "{head}2024-10-01,off,国庆节,National Day,国务院办公厅关于2024年部分节假日安排的通知\n"
        );
        assert!(matches!(
            Calendar::parse(&bad),
            Err(CalendarError::Data { line: 2, .. })
        ));
        let quoted = format!(
            "{head}2024-10-01,holiday,国庆节,\"National Day, PRC\",国务院办公厅关于2024年部分节假日安排的通知\n"
        );
        let c = Calendar::parse(&quoted).unwrap();
        assert_eq!(
            c.special(date(2024, 10, 1)).unwrap().name_en,
            "National Day, PRC"
        );
    }
}

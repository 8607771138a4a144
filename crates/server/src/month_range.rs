//! The month range of the overview and enterprise pages (issue 14, month pickers): `from`
//! and `to` as `YYYY-MM` of the page's year narrow the monthly trend to those months and add
//! two tiles (`overview::range_kpis`), the energy and the market-based emissions over them,
//! with 同比 over the same months of the year before. The year's inventory tiles stay as they
//! are: an inventory is annual, a range is a sum of monthly figures.

use crate::error::AppError;
use zp_app::park::MonthFigures;

/// Months `from..=to` (1 to 12) of one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthRange {
    pub year: i32,
    pub from: u32,
    pub to: u32,
}

impl MonthRange {
    /// The range the query asks for in `year`: `None` when it gives neither end (the whole
    /// year) or gives months of another year (the year was changed on the page); one end
    /// alone runs to the other end of the year. A value that is not a month `YYYY-MM`, or a
    /// range that ends before it starts, is a bad request naming the field.
    pub fn parse(
        year: i32,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Option<MonthRange>, AppError> {
        let month = |field: &str, v: Option<&str>| -> Result<Option<(i32, u32)>, AppError> {
            let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else {
                return Ok(None);
            };
            let bad = || AppError::BadRequest(format!("{field} {v:?}: a month YYYY-MM"));
            let (y, m) = v.split_once('-').ok_or_else(bad)?;
            let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
            if y.to_string().len() != 4 || !(1..=12).contains(&m) {
                return Err(bad());
            }
            Ok(Some((y, m)))
        };
        let (from, to) = (month("from", from)?, month("to", to)?);
        if from.is_none() && to.is_none() {
            return Ok(None);
        }
        if [from, to].iter().flatten().any(|(y, _)| *y != year) {
            return Ok(None);
        }
        let range = MonthRange {
            year,
            from: from.map_or(1, |(_, m)| m),
            to: to.map_or(12, |(_, m)| m),
        };
        if range.from > range.to {
            return Err(AppError::BadRequest(format!(
                "from {}-{:02} is after to {}-{:02}",
                year, range.from, year, range.to
            )));
        }
        Ok(Some(range))
    }

    /// `YYYY-MM` of the first month.
    pub fn first_month(&self) -> String {
        format!("{}-{:02}", self.year, self.from)
    }

    /// `YYYY-MM` of the last month.
    pub fn last_month(&self) -> String {
        format!("{}-{:02}", self.year, self.to)
    }

    /// Whether a month's period (`YYYY-MM`) is in the range, whatever its year (the year
    /// before's same months are compared with it).
    fn holds(&self, period: &str) -> bool {
        period
            .get(5..7)
            .and_then(|m| m.parse::<u32>().ok())
            .is_some_and(|m| (self.from..=self.to).contains(&m))
    }

    /// The months of `monthly` in the range.
    pub fn pick(&self, monthly: &[MonthFigures]) -> Vec<MonthFigures> {
        monthly
            .iter()
            .filter(|m| self.holds(&m.period))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_parsed_within_the_pages_year_and_refused_with_its_field() {
        let r = |f, t| MonthRange::parse(2023, f, t);
        assert_eq!(r(None, None).unwrap(), None);
        assert_eq!(
            r(Some("2023-03"), Some("2023-06")).unwrap(),
            Some(MonthRange {
                year: 2023,
                from: 3,
                to: 6
            })
        );
        // One end alone runs to the other end of the year.
        assert_eq!(
            r(None, Some("2023-04")).unwrap().map(|m| (m.from, m.to)),
            Some((1, 4))
        );
        assert_eq!(
            r(Some("2023-10"), Some(""))
                .unwrap()
                .map(|m| (m.from, m.to)),
            Some((10, 12))
        );
        // Months of another year (the year was changed on the page) are dropped.
        assert_eq!(r(Some("2022-03"), None).unwrap(), None);
        for (f, t, field) in [
            (Some("2023-13"), None, "from"),
            (None, Some("March"), "to"),
            (Some("23-03"), None, "from"),
            (Some("2023-06"), Some("2023-03"), "after"),
        ] {
            let e = r(f, t).unwrap_err().to_string();
            assert!(e.contains(field), "{e}");
        }
    }
}

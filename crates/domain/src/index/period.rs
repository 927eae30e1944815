//! The periods figures are published for: a month, a quarter or a year, in Vietnam's days.

use chrono::{Datelike, NaiveDate};

/// A reporting period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Month { year: i32, month: u32 },
    Quarter { year: i32, quarter: u32 },
    Year { year: i32 },
}

/// A period that cannot be: a month outside 1–12, a quarter outside 1–4, a year outside
/// 2000–2100, or a kind not known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("period must be month, quarter or year")]
    Kind,
    #[error("year must be between 2000 and 2100")]
    Year,
    #[error("quarter must be between 1 and 4")]
    Quarter,
    #[error("month must be between 1 and 12")]
    Month,
}

impl PeriodError {
    /// The problem's key in messages.
    pub fn key(&self) -> &'static str {
        match self {
            PeriodError::Kind => "kind",
            PeriodError::Year => "year",
            PeriodError::Quarter => "quarter",
            PeriodError::Month => "month",
        }
    }
}

impl Period {
    /// From the query's words: `kind` is `month`, `quarter` or `year`; the month or quarter
    /// is required by its kind.
    pub fn parse(
        kind: &str,
        year: i32,
        quarter: Option<u32>,
        month: Option<u32>,
    ) -> Result<Period, PeriodError> {
        if !(2000..=2100).contains(&year) {
            return Err(PeriodError::Year);
        }
        match kind {
            "year" => Ok(Period::Year { year }),
            "quarter" => match quarter {
                Some(q @ 1..=4) => Ok(Period::Quarter { year, quarter: q }),
                _ => Err(PeriodError::Quarter),
            },
            "month" => match month {
                Some(m @ 1..=12) => Ok(Period::Month { year, month: m }),
                _ => Err(PeriodError::Month),
            },
            _ => Err(PeriodError::Kind),
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            Period::Month { .. } => "month",
            Period::Quarter { .. } => "quarter",
            Period::Year { .. } => "year",
        }
    }

    pub fn year(self) -> i32 {
        match self {
            Period::Month { year, .. } | Period::Quarter { year, .. } | Period::Year { year } => {
                year
            }
        }
    }

    /// The first day and the day after the last.
    pub fn bounds(self) -> (NaiveDate, NaiveDate) {
        let day = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, 1).expect("the first of a month");
        let after = |y: i32, m: u32| {
            if m == 12 {
                day(y + 1, 1)
            } else {
                day(y, m + 1)
            }
        };
        match self {
            Period::Month { year, month } => (day(year, month), after(year, month)),
            Period::Quarter { year, quarter } => {
                let first = 3 * quarter - 2;
                (day(year, first), after(year, first + 2))
            }
            Period::Year { year } => (day(year, 1), day(year + 1, 1)),
        }
    }

    /// The period of the same kind just before.
    pub fn previous(self) -> Period {
        match self {
            Period::Month { year, month: 1 } => Period::Month {
                year: year - 1,
                month: 12,
            },
            Period::Month { year, month } => Period::Month {
                year,
                month: month - 1,
            },
            Period::Quarter { year, quarter: 1 } => Period::Quarter {
                year: year - 1,
                quarter: 4,
            },
            Period::Quarter { year, quarter } => Period::Quarter {
                year,
                quarter: quarter - 1,
            },
            Period::Year { year } => Period::Year { year: year - 1 },
        }
    }

    /// The months the period covers, in order.
    pub fn months(self) -> Vec<Period> {
        let (start, end) = self.bounds();
        let mut out = Vec::new();
        let mut d = start;
        while d < end {
            out.push(Period::Month {
                year: d.year(),
                month: d.month(),
            });
            d = Period::Month {
                year: d.year(),
                month: d.month(),
            }
            .bounds()
            .1;
        }
        out
    }

    /// `2026`, `2026-Q3`, `2026-09`: the period's name in files and links.
    pub fn label(self) -> String {
        match self {
            Period::Month { year, month } => format!("{year}-{month:02}"),
            Period::Quarter { year, quarter } => format!("{year}-Q{quarter}"),
            Period::Year { year } => year.to_string(),
        }
    }

    /// Whether `day` falls in the period.
    pub fn contains(self, day: NaiveDate) -> bool {
        let (start, end) = self.bounds();
        start <= day && day < end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn bounds_and_neighbours() {
        let q4 = Period::parse("quarter", 2026, Some(4), None).unwrap();
        assert_eq!(q4.bounds(), (d(2026, 10, 1), d(2027, 1, 1)));
        assert_eq!(
            q4.previous(),
            Period::Quarter {
                year: 2026,
                quarter: 3
            }
        );
        assert_eq!(q4.months().len(), 3);
        assert_eq!(q4.label(), "2026-Q4");
        let jan = Period::parse("month", 2026, None, Some(1)).unwrap();
        assert_eq!(jan.previous().label(), "2025-12");
        assert_eq!(jan.bounds(), (d(2026, 1, 1), d(2026, 2, 1)));
        let year = Period::parse("year", 2026, None, None).unwrap();
        assert_eq!(year.months().len(), 12);
        assert!(year.contains(d(2026, 12, 31)) && !year.contains(d(2027, 1, 1)));
    }

    #[test]
    fn refuses_what_cannot_be() {
        assert_eq!(
            Period::parse("quarter", 2026, Some(5), None),
            Err(PeriodError::Quarter)
        );
        assert_eq!(
            Period::parse("month", 2026, None, None),
            Err(PeriodError::Month)
        );
        assert_eq!(
            Period::parse("week", 2026, None, None),
            Err(PeriodError::Kind)
        );
        assert_eq!(
            Period::parse("year", 1999, None, None),
            Err(PeriodError::Year)
        );
    }
}

//! Statutory days off for public employees: the holidays of the Labour Code 2019 (art. 112),
//! compensatory days for holidays falling on the weekly rest days (art. 111(3)), and the
//! year-specific decisions of the Government (which Tết days, which day beside 2/9, swapped
//! working days) that come from data, not code.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::lunar::{self, LunarDate};
use crate::Lang;
use crate::lang::{Localise, Wording};

/// Why a date is a day off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    /// A holiday named by the Labour Code.
    Statutory,
    /// The next working day given for a holiday that fell on a Saturday or Sunday.
    Compensatory,
    /// A day off decided for that year (swap, or the Government's choice of Tết days).
    Decided,
}

/// A weekday on which public offices are closed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name_vi: String,
    pub name_en: String,
    pub kind: HolidayKind,
}

impl Holiday {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.name_vi,
            Lang::En => &self.name_en,
        }
    }
}

/// Whether a data entry closes or opens a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Offices are closed this day (a swapped day off, an extra holiday).
    Off,
    /// Offices open this day (a swapped Saturday, or a computed day off the Government placed
    /// elsewhere).
    Working,
}

/// A year-specific decision about one date, loaded from configuration or the database.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DayOverride {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name: String,
}

/// The configurable parts of the holiday rules.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HolidayRules {
    /// First Tết day relative to mùng 1 (−1 = the last day of the old year).
    pub tet_start_offset: i64,
    /// Number of Tết days (5 under the Labour Code 2019).
    pub tet_days: u32,
    /// Vietnam Culture Day, 24 November: proposed as a 12th paid holiday from 2026, not yet law
    /// when this was written; switch on when the amendment takes effect.
    pub culture_day_from: Option<i32>,
}

impl Default for HolidayRules {
    fn default() -> Self {
        HolidayRules {
            tet_start_offset: -1,
            tet_days: 5,
            culture_day_from: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarDataError {
    #[error("line {line}: expected `date,kind,name`")]
    Shape { line: usize },
    #[error("line {line}: {value:?} is not a date (YYYY-MM-DD)")]
    Date { line: usize, value: String },
    #[error("line {line}: kind must be `off` or `working`, got {value:?}")]
    Kind { line: usize, value: String },
    #[error("line {line}: {date} is listed twice")]
    Duplicate { line: usize, date: NaiveDate },
}

impl Localise for CalendarDataError {
    fn code(&self) -> &'static str {
        match self {
            CalendarDataError::Shape { .. } => "calendar_data_shape",
            CalendarDataError::Date { .. } => "calendar_data_date",
            CalendarDataError::Kind { .. } => "calendar_data_kind",
            CalendarDataError::Duplicate { .. } => "calendar_data_duplicate",
        }
    }

    fn wording(&self) -> Wording {
        match self {
            CalendarDataError::Shape { line } => {
                Wording::new("error-calendar-data-shape").arg("line", line.to_string())
            }
            CalendarDataError::Date { line, value } => Wording::new("error-calendar-data-date")
                .arg("line", line.to_string())
                .arg("value", value.to_string()),
            CalendarDataError::Kind { line, value } => Wording::new("error-calendar-data-kind")
                .arg("line", line.to_string())
                .arg("value", value.to_string()),
            CalendarDataError::Duplicate { line, date } => {
                Wording::new("error-calendar-data-duplicate")
                    .arg("line", line.to_string())
                    .arg("date", date.to_string())
            }
        }
    }
}

impl DayOverride {
    /// Reads `date,kind,name` lines (a header line `date,kind,name`, blank lines and lines
    /// starting with `#` are skipped). The name may contain commas.
    pub fn parse_csv(text: &str) -> Result<Vec<DayOverride>, CalendarDataError> {
        let mut out: Vec<DayOverride> = Vec::new();
        let mut seen = BTreeMap::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let t = raw.trim();
            if t.is_empty() || t.starts_with('#') || t == "date,kind,name" {
                continue;
            }
            let mut parts = t.splitn(3, ',');
            let (Some(date), Some(kind), Some(name)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(CalendarDataError::Shape { line });
            };
            let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").map_err(|_| {
                CalendarDataError::Date {
                    line,
                    value: date.trim().chars().take(40).collect(),
                }
            })?;
            let kind = match kind.trim() {
                "off" => DayKind::Off,
                "working" => DayKind::Working,
                other => {
                    return Err(CalendarDataError::Kind {
                        line,
                        value: other.chars().take(40).collect(),
                    });
                }
            };
            if seen.insert(date, ()).is_some() {
                return Err(CalendarDataError::Duplicate { line, date });
            }
            out.push(DayOverride {
                date,
                kind,
                name: name.trim().to_string(),
            });
        }
        out.sort_by_key(|o| o.date);
        Ok(out)
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn statutory(date: NaiveDate, vi: impl Into<String>, en: impl Into<String>) -> Holiday {
    Holiday {
        date,
        name_vi: vi.into(),
        name_en: en.into(),
        kind: HolidayKind::Statutory,
    }
}

/// The day chosen beside 2 September when the Government has not decided otherwise: the
/// adjacent weekday that joins the weekend (2024: Tue 3/9; 2025: Mon 1/9; 2021: Fri 3/9;
/// 2022: Thu 1/9; 2023: Fri 1/9), the day after when neither does.
fn national_day_adjacent(year: i32) -> Option<NaiveDate> {
    let sep2 = ymd(year, 9, 2)?;
    let before = sep2 - Duration::days(1);
    let after = sep2 + Duration::days(1);
    Some(match sep2.weekday() {
        Weekday::Tue | Weekday::Fri | Weekday::Sat => before,
        _ => after,
    })
}

/// The holidays of the Labour Code 2019 for a year, as statutory dates (some may fall on a
/// weekend), before compensatory days and year-specific decisions. Rules that began later
/// apply from their year: Hùng Kings' day from 2007, the second National Day from 2021.
pub fn statutory_holidays(year: i32, rules: &HolidayRules) -> Vec<Holiday> {
    let mut out = Vec::new();
    out.extend(ymd(year, 1, 1).map(|d| statutory(d, "Tết Dương lịch", "New Year's Day")));
    if let Ok(tet) = lunar::to_solar(LunarDate {
        year,
        month: 1,
        day: 1,
        leap: false,
    }) {
        for i in 0..i64::from(rules.tet_days) {
            let date = tet + Duration::days(rules.tet_start_offset + i);
            let (vi, en) = match lunar::to_lunar(date) {
                Ok(l) if l.month == 12 => (
                    format!("Tết Nguyên đán ({} tháng Chạp)", l.day),
                    format!("Lunar New Year (day {} of the 12th month)", l.day),
                ),
                Ok(l) => (
                    format!("Tết Nguyên đán (mùng {})", l.day),
                    format!("Lunar New Year (day {})", l.day),
                ),
                Err(_) => ("Tết Nguyên đán".into(), "Lunar New Year".into()),
            };
            out.push(statutory(date, vi, en));
        }
    }
    if year >= 2007
        && let Ok(d) = lunar::to_solar(LunarDate {
            year,
            month: 3,
            day: 10,
            leap: false,
        })
    {
        out.push(statutory(
            d,
            "Giỗ Tổ Hùng Vương (10/3 âm lịch)",
            "Hùng Kings' Commemoration Day",
        ));
    }
    out.extend(
        ymd(year, 4, 30).map(|d| statutory(d, "Ngày Chiến thắng (30/4)", "Reunification Day")),
    );
    out.extend(
        ymd(year, 5, 1)
            .map(|d| statutory(d, "Ngày Quốc tế Lao động (1/5)", "International Labour Day")),
    );
    out.extend(ymd(year, 9, 2).map(|d| statutory(d, "Quốc khánh (2/9)", "National Day")));
    if year >= 2021 {
        out.extend(national_day_adjacent(year).map(|d| {
            statutory(
                d,
                "Quốc khánh (ngày liền kề 2/9)",
                "National Day (adjacent day)",
            )
        }));
    }
    if rules.culture_day_from.is_some_and(|from| year >= from) {
        out.extend(
            ymd(year, 11, 24)
                .map(|d| statutory(d, "Ngày Văn hóa Việt Nam (24/11)", "Vietnam Culture Day")),
        );
    }
    out.sort_by_key(|h| h.date);
    out
}

/// The weekdays public offices are closed in a year: statutory holidays, compensatory days
/// (a holiday on Saturday or Sunday gives the next working day off), and the year's decided
/// days off; days the data marks `working` are removed. Sorted by date, weekends not listed.
pub fn days_off(year: i32, rules: &HolidayRules, overrides: &[DayOverride]) -> Vec<Holiday> {
    let statutory = statutory_holidays(year, rules);
    let mut taken: BTreeMap<NaiveDate, Holiday> =
        statutory.iter().map(|h| (h.date, h.clone())).collect();
    for h in &statutory {
        if !is_weekend(h.date) {
            continue;
        }
        let mut d = h.date + Duration::days(1);
        while is_weekend(d) || taken.contains_key(&d) {
            d += Duration::days(1);
        }
        taken.insert(
            d,
            Holiday {
                date: d,
                name_vi: format!("Nghỉ bù {}", h.name_vi),
                name_en: format!("{} (compensatory day off)", h.name_en),
                kind: HolidayKind::Compensatory,
            },
        );
    }
    for o in overrides.iter().filter(|o| o.date.year() == year) {
        match o.kind {
            DayKind::Working => {
                taken.remove(&o.date);
            }
            DayKind::Off => {
                taken.insert(
                    o.date,
                    Holiday {
                        date: o.date,
                        name_vi: o.name.clone(),
                        name_en: o.name.clone(),
                        kind: HolidayKind::Decided,
                    },
                );
            }
        }
    }
    taken
        .into_values()
        .filter(|h| !is_weekend(h.date))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn dates(list: &[Holiday]) -> Vec<NaiveDate> {
        list.iter().map(|h| h.date).collect()
    }

    #[test]
    fn tet_2026_matches_the_published_schedule() {
        // Published: 14/2–22/2/2026 off, i.e. Mon 16 to Fri 20 plus two weekends.
        let off = days_off(2026, &HolidayRules::default(), &[]);
        let tet: Vec<_> = off
            .iter()
            .filter(|h| h.date.month() == 2)
            .map(|h| h.date)
            .collect();
        assert_eq!(tet, (16..=20).map(|x| d(2026, 2, x)).collect::<Vec<_>>());
        // Hùng Kings falls on Sunday 26/4/2026: Monday 27/4 is given instead.
        let hung = off
            .iter()
            .find(|h| h.kind == HolidayKind::Compensatory && h.date.month() == 4)
            .unwrap();
        assert_eq!(hung.date, d(2026, 4, 27));
        assert!(hung.name_vi.contains("Hùng Vương"));
    }

    #[test]
    fn compensation_skips_other_holidays() {
        // 2023: Hùng Kings Sat 29/4, 30/4 Sun, 1/5 Mon → compensation Tue 2/5 and Wed 3/5
        // (published: off 29/4–3/5).
        let off = days_off(2023, &HolidayRules::default(), &[]);
        let spring: Vec<_> = dates(&off).into_iter().filter(|x| x.month() == 5).collect();
        assert_eq!(spring, vec![d(2023, 5, 1), d(2023, 5, 2), d(2023, 5, 3)]);
    }

    #[test]
    fn national_day_adjacent_days_match_published_years() {
        for (year, adjacent) in [
            (2021, d(2021, 9, 3)),
            (2022, d(2022, 9, 1)),
            (2023, d(2023, 9, 1)),
            (2024, d(2024, 9, 3)),
            (2025, d(2025, 9, 1)),
        ] {
            assert_eq!(national_day_adjacent(year), Some(adjacent), "{year}");
        }
        // 2023: 2/9 is a Saturday, so Monday 4/9 is the compensatory day (published: 1–4/9).
        let sept: Vec<_> = dates(&days_off(2023, &HolidayRules::default(), &[]))
            .into_iter()
            .filter(|x| x.month() == 9)
            .collect();
        assert_eq!(sept, vec![d(2023, 9, 1), d(2023, 9, 4)]);
        assert_eq!(
            statutory_holidays(2020, &HolidayRules::default())
                .iter()
                .filter(|h| h.date.month() == 9)
                .count(),
            1
        );
    }

    #[test]
    fn overrides_swap_days() {
        // 2025: Fri 2/5 off, Saturday 26/4 worked instead.
        let data = "date,kind,name\n# 2025 swap\n2025-05-02,off,Nghỉ hoán đổi (làm bù thứ Bảy 26/4)\n2025-04-26,working,Làm bù cho thứ Sáu 2/5\n";
        let overrides = DayOverride::parse_csv(data).unwrap();
        let off = days_off(2025, &HolidayRules::default(), &overrides);
        let may: Vec<_> = dates(&off).into_iter().filter(|x| x.month() == 5).collect();
        assert_eq!(may, vec![d(2025, 5, 1), d(2025, 5, 2)]);
        let apr30 = off.iter().find(|h| h.date == d(2025, 4, 30)).unwrap();
        assert_eq!(apr30.kind, HolidayKind::Statutory);
    }

    #[test]
    fn culture_day_is_configurable() {
        let rules = HolidayRules {
            culture_day_from: Some(2026),
            ..HolidayRules::default()
        };
        assert!(dates(&days_off(2026, &rules, &[])).contains(&d(2026, 11, 24)));
        assert!(!dates(&days_off(2026, &HolidayRules::default(), &[])).contains(&d(2026, 11, 24)));
    }

    #[test]
    fn bad_data_is_reported_by_line() {
        assert_eq!(
            DayOverride::parse_csv("2025-05-02,off"),
            Err(CalendarDataError::Shape { line: 1 })
        );
        assert!(matches!(
            DayOverride::parse_csv("\n2025-13-02,off,x"),
            Err(CalendarDataError::Date { line: 2, .. })
        ));
        assert!(matches!(
            DayOverride::parse_csv("2025-05-02,maybe,x"),
            Err(CalendarDataError::Kind { line: 1, .. })
        ));
        assert!(matches!(
            DayOverride::parse_csv("2025-05-02,off,x\n2025-05-02,working,y"),
            Err(CalendarDataError::Duplicate { line: 2, .. })
        ));
        let names = DayOverride::parse_csv("2025-05-02,off,Nghỉ, hoán đổi").unwrap();
        assert_eq!(names[0].name, "Nghỉ, hoán đổi");
    }
}

//! The Vietnamese lunisolar calendar (âm lịch), computed astronomically for UTC+7.
//!
//! New moons and the sun's longitude come from the series in Jean Meeus, *Astronomical
//! Algorithms* (truncated as in Hồ Ngọc Đức's widely used formulation of the Vietnamese
//! calendar rules): a month starts on the day (at UTC+7) of the new moon; month 11 holds the
//! winter solstice; a year with 13 months repeats the first month that contains no major solar
//! term. Computing at UTC+7 rather than UTC+8 is what makes Tết differ from the Chinese New
//! Year in some years (1968, 1985, 2007, 2030 …). Dates from 1900 to 2100 are supported and
//! cross-checked against a published table in the tests.

use std::f64::consts::PI;
use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::lang::{Localise, Wording};

/// Hours east of UTC at which the Vietnamese calendar is computed.
const TIME_ZONE: f64 = 7.0;
const FIRST_YEAR: i32 = 1900;
const LAST_YEAR: i32 = 2100;

/// A date of the Vietnamese lunar calendar.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct LunarDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    /// True in the repeated (leap) month of a 13-month year.
    pub leap: bool,
}

impl fmt::Display for LunarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}{}",
            self.year,
            self.month,
            self.day,
            if self.leap { " (nhuận)" } else { "" }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LunarError {
    #[error("the lunar calendar is supported from {FIRST_YEAR} to {LAST_YEAR}")]
    OutOfRange,
    #[error("lunar month {month} of {year} is not a leap month")]
    NotLeapMonth { year: i32, month: u32 },
    #[error("lunar month must be 1–12 and day 1–30")]
    BadDate,
    #[error("lunar month {month} of {year} has {len} days")]
    DayPastMonthEnd { year: i32, month: u32, len: u32 },
}

impl Localise for LunarError {
    fn code(&self) -> &'static str {
        match self {
            LunarError::OutOfRange => "lunar_out_of_range",
            LunarError::NotLeapMonth { .. } => "lunar_not_leap_month",
            LunarError::BadDate => "lunar_bad_date",
            LunarError::DayPastMonthEnd { .. } => "lunar_day_past_month_end",
        }
    }

    fn wording(&self) -> Wording {
        match self {
            LunarError::OutOfRange => Wording::new("error-lunar-out-of-range")
                .arg("first_year", FIRST_YEAR.to_string())
                .arg("last_year", LAST_YEAR.to_string()),
            LunarError::NotLeapMonth { year, month } => Wording::new("error-lunar-not-leap-month")
                .arg("month", month.to_string())
                .arg("year", year.to_string()),
            LunarError::BadDate => Wording::new("error-lunar-bad-date"),
            LunarError::DayPastMonthEnd { year, month, len } => {
                Wording::new("error-lunar-day-past-month-end")
                    .arg("month", month.to_string())
                    .arg("year", year.to_string())
                    .arg("len", len.to_string())
            }
        }
    }
}

/// Julian day number of a Gregorian date.
fn jd(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) + 1_721_425
}

fn from_jd(jd: i64) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(jd - 1_721_425).ok()?)
}

/// Julian day (fractional, UT) of the k-th new moon after 1900-01-01 (Meeus ch. 49, truncated).
fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let dr = PI / 180.0;
    let mut jd1 = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3;
    jd1 += 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * dr).sin();
    let m = 359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let mpr = 306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let mut c1 = (0.1734 - 0.000_393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin();
    c1 = c1 - 0.4068 * (mpr * dr).sin() + 0.0161 * (dr * 2.0 * mpr).sin();
    c1 -= 0.0004 * (dr * 3.0 * mpr).sin();
    c1 = c1 + 0.0104 * (dr * 2.0 * f).sin() - 0.0051 * (dr * (m + mpr)).sin();
    c1 = c1 - 0.0074 * (dr * (m - mpr)).sin() + 0.0004 * (dr * (2.0 * f + m)).sin();
    c1 = c1 - 0.0004 * (dr * (2.0 * f - m)).sin() - 0.0006 * (dr * (2.0 * f + mpr)).sin();
    c1 = c1 + 0.0010 * (dr * (2.0 * f - mpr)).sin() + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    let delta_t = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    jd1 + c1 - delta_t
}

/// Day number (at UTC+7) on which the k-th new moon falls.
fn new_moon_day(k: i64) -> i64 {
    (new_moon(k) + 0.5 + TIME_ZONE / 24.0).floor() as i64
}

/// Sun's apparent longitude in radians, normalised to [0, 2π), at Julian day `jdn` (UT).
fn sun_longitude(jdn: f64) -> f64 {
    let t = (jdn - 2_451_545.0) / 36_525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let mut dl = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin();
    dl += (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin() + 0.000_290 * (dr * 3.0 * m).sin();
    let l = (l0 + dl) * dr;
    l - 2.0 * PI * (l / (2.0 * PI)).floor()
}

/// Which of the twelve 30° sectors (major solar terms) the sun is in at the start of the
/// given day at UTC+7.
fn sun_sector(day: i64) -> i64 {
    (sun_longitude(day as f64 - 0.5 - TIME_ZONE / 24.0) / PI * 6.0).floor() as i64
}

const EPOCH_NEW_MOON: f64 = 2_415_021.076_998_695;
const SYNODIC_MONTH: f64 = 29.530_588_853;

/// Day number of the start of lunar month 11 (the month holding the winter solstice) that
/// begins in Gregorian year `year`.
fn month11_start(year: i32) -> i64 {
    let dec31 = NaiveDate::from_ymd_opt(year, 12, 31)
        .map(jd)
        .unwrap_or_default();
    let k = ((dec31 as f64 - EPOCH_NEW_MOON) / SYNODIC_MONTH).floor() as i64;
    let nm = new_moon_day(k);
    if sun_sector(nm) >= 9 {
        new_moon_day(k - 1)
    } else {
        nm
    }
}

/// For a 13-month year starting at month 11 on day `a11`, the offset (in months after `a11`)
/// of the leap month: the first month without a major solar term.
fn leap_month_offset(a11: i64) -> i64 {
    let k = ((a11 as f64 - EPOCH_NEW_MOON) / SYNODIC_MONTH + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_sector(new_moon_day(k + i));
    loop {
        let last = arc;
        i += 1;
        arc = sun_sector(new_moon_day(k + i));
        if arc == last || i >= 14 {
            return i - 1;
        }
    }
}

fn check_range(year: i32) -> Result<(), LunarError> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(LunarError::OutOfRange)
    }
}

/// The lunar date of a Gregorian date (at UTC+7).
pub fn to_lunar(date: NaiveDate) -> Result<LunarDate, LunarError> {
    check_range(date.year())?;
    let yy = date.year();
    let day = jd(date);
    // The mean-lunation estimate can be one month off where the true new moon strays far
    // from the mean (e.g. 2054-05-07): step until the month contains the day.
    let mut k = ((day as f64 - EPOCH_NEW_MOON) / SYNODIC_MONTH).floor() as i64 + 1;
    let mut month_start = new_moon_day(k);
    while month_start > day {
        k -= 1;
        month_start = new_moon_day(k);
    }
    while new_moon_day(k + 1) <= day {
        k += 1;
        month_start = new_moon_day(k);
    }
    let mut a11 = month11_start(yy);
    let mut b11 = a11;
    let mut lunar_year;
    if a11 >= month_start {
        lunar_year = yy;
        a11 = month11_start(yy - 1);
    } else {
        lunar_year = yy + 1;
        b11 = month11_start(yy + 1);
    }
    let lunar_day = (day - month_start + 1) as u32;
    let diff = (month_start - a11) / 29;
    let mut leap = false;
    let mut month = diff + 11;
    if b11 - a11 > 365 {
        let leap_diff = leap_month_offset(a11);
        if diff >= leap_diff {
            month = diff + 10;
            leap = diff == leap_diff;
        }
    }
    if month > 12 {
        month -= 12;
    }
    if month >= 11 && diff < 4 {
        lunar_year -= 1;
    }
    Ok(LunarDate {
        year: lunar_year,
        month: month as u32,
        day: lunar_day,
        leap,
    })
}

/// Day number of the first day of a lunar month, if that month exists.
fn month_start(year: i32, month: u32, leap: bool) -> Result<i64, LunarError> {
    if !(1..=12).contains(&month) {
        return Err(LunarError::BadDate);
    }
    let (a11, b11) = if month < 11 {
        (month11_start(year - 1), month11_start(year))
    } else {
        (month11_start(year), month11_start(year + 1))
    };
    let k = (0.5 + (a11 as f64 - EPOCH_NEW_MOON) / SYNODIC_MONTH).floor() as i64;
    let mut off = i64::from(month) - 11;
    if off < 0 {
        off += 12;
    }
    if b11 - a11 > 365 {
        let leap_off = leap_month_offset(a11);
        let mut leap_month = leap_off - 2;
        if leap_month < 0 {
            leap_month += 12;
        }
        if leap && i64::from(month) != leap_month {
            return Err(LunarError::NotLeapMonth { year, month });
        }
        if leap || off >= leap_off {
            off += 1;
        }
    } else if leap {
        return Err(LunarError::NotLeapMonth { year, month });
    }
    Ok(new_moon_day(k + off))
}

/// The Gregorian date of a lunar date.
pub fn to_solar(lunar: LunarDate) -> Result<NaiveDate, LunarError> {
    // Lunar year 1899 ends in January 1900, inside the supported range.
    if !(FIRST_YEAR - 1..=LAST_YEAR).contains(&lunar.year) {
        return Err(LunarError::OutOfRange);
    }
    if !(1..=30).contains(&lunar.day) {
        return Err(LunarError::BadDate);
    }
    let start = month_start(lunar.year, lunar.month, lunar.leap)?;
    // The month ends where the next new moon begins.
    let len = month_length_from(start);
    if lunar.day > len {
        return Err(LunarError::DayPastMonthEnd {
            year: lunar.year,
            month: lunar.month,
            len,
        });
    }
    let date = from_jd(start + i64::from(lunar.day) - 1).ok_or(LunarError::OutOfRange)?;
    check_range(date.year())?;
    Ok(date)
}

fn month_length_from(start: i64) -> u32 {
    let k = ((start as f64 - EPOCH_NEW_MOON) / SYNODIC_MONTH + 0.5).floor() as i64;
    let next = (k..k + 3)
        .map(new_moon_day)
        .find(|&d| d > start)
        .unwrap_or(start + 30);
    (next - start) as u32
}

/// The leap month of a lunar year (1–12), if the year has one.
pub fn leap_month(year: i32) -> Result<Option<u32>, LunarError> {
    check_range(year)?;
    Ok((1..=12).find(|&m| month_start(year, m, true).is_ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn l(year: i32, month: u32, day: u32, leap: bool) -> LunarDate {
        LunarDate {
            year,
            month,
            day,
            leap,
        }
    }

    #[test]
    fn tet_dates_from_the_domain_brief() {
        // Vietnamese Tết where it differs from the Chinese New Year, and 2026–2032.
        for (y, m, day) in [
            (1968, 1, 29),
            (1969, 2, 16),
            (1985, 1, 21),
            (2007, 2, 17),
            (2030, 2, 2),
            (2053, 2, 18),
            (2026, 2, 17),
            (2027, 2, 6),
            (2028, 1, 26),
            (2029, 2, 13),
            (2031, 1, 23),
            (2032, 2, 11),
        ] {
            assert_eq!(
                to_lunar(d(y, m, day)).unwrap(),
                l(y, 1, 1, false),
                "Tết {y}"
            );
            assert_eq!(to_solar(l(y, 1, 1, false)).unwrap(), d(y, m, day));
        }
    }

    #[test]
    fn leap_months_reported_in_the_press() {
        // 2020: tháng 4 nhuận; 2023: tháng 2 nhuận; 2025: tháng 6 nhuận; 2024: none.
        assert_eq!(leap_month(2020).unwrap(), Some(4));
        assert_eq!(leap_month(2023).unwrap(), Some(2));
        assert_eq!(leap_month(2025).unwrap(), Some(6));
        assert_eq!(leap_month(2024).unwrap(), None);
        // 2025-07-25 is the 1st day of the leap 6th month of Ất Tỵ.
        assert_eq!(to_lunar(d(2025, 7, 25)).unwrap(), l(2025, 6, 1, true));
        assert_eq!(to_solar(l(2025, 6, 1, true)).unwrap(), d(2025, 7, 25));
        assert_eq!(to_solar(l(2025, 6, 1, false)).unwrap(), d(2025, 6, 25));
        assert_eq!(
            to_solar(l(2024, 6, 1, true)),
            Err(LunarError::NotLeapMonth {
                year: 2024,
                month: 6
            })
        );
        assert_eq!(
            to_solar(l(2025, 5, 1, true)),
            Err(LunarError::NotLeapMonth {
                year: 2025,
                month: 5
            })
        );
    }

    #[test]
    fn rejects_impossible_dates() {
        assert_eq!(to_solar(l(2025, 13, 1, false)), Err(LunarError::BadDate));
        assert_eq!(to_solar(l(2025, 0, 1, false)), Err(LunarError::BadDate));
        assert_eq!(to_solar(l(2025, 1, 31, false)), Err(LunarError::BadDate));
        assert_eq!(to_solar(l(2101, 1, 1, false)), Err(LunarError::OutOfRange));
        assert_eq!(to_lunar(d(1899, 12, 31)), Err(LunarError::OutOfRange));
        // Month 12 of Giáp Thìn (2024) had 29 days: 30/12 does not exist.
        assert_eq!(
            to_solar(l(2024, 12, 30, false)),
            Err(LunarError::DayPastMonthEnd {
                year: 2024,
                month: 12,
                len: 29
            })
        );
    }

    #[test]
    fn every_day_1900_to_2100_round_trips() {
        let mut date = d(1900, 1, 1);
        let end = d(2100, 12, 31);
        let mut previous = to_lunar(date).unwrap();
        while date < end {
            date = date.succ_opt().unwrap();
            let lunar = to_lunar(date).unwrap();
            assert_eq!(to_solar(lunar), Ok(date), "{date} -> {lunar:?}");
            // Days advance by one, or a new month starts at day 1.
            assert!(
                lunar.day == previous.day + 1 || lunar.day == 1,
                "{date}: {previous} -> {lunar}"
            );
            previous = lunar;
        }
    }
}

//! Working-time arithmetic. Instants are UTC; days, office hours and the reception cut-off
//! are read in Asia/Ho_Chi_Minh.
//!
//! Rules implemented (domain brief §2.2, §3):
//! - A working day is a day with office hours (Monday–Friday by default) that is not a day off,
//!   or a day the calendar data marks as worked (a swapped Saturday, which keeps the hours of a
//!   normal weekday).
//! - A dossier received after the cut-off (15:00 by default, Decree 61/2018 art. 18), outside
//!   office hours or on a day off starts its clock at the opening of the next working day.
//! - A limit in working days ends at the close of office on the last day counted; whether the
//!   day of receipt counts as day 1 is configurable ([`DayOneRule`]), since the rule is not
//!   confirmed nationally.
//! - A limit in working hours counts only time inside office hours (lunch breaks and nights
//!   excluded).

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::holidays::{DayKind, DayOverride, HolidayRules, days_off};
use crate::lang::{Localise, Wording};

/// The time zone of every Vietnamese office.
pub const TZ: Tz = chrono_tz::Asia::Ho_Chi_Minh;

/// Which day is day 1 of a limit counted in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayOneRule {
    /// Day 1 is the working day after the (effective) day of receipt — the general civil-law
    /// rule that a period counted in days starts the day after the event.
    #[default]
    NextWorkingDay,
    /// The day of receipt itself is day 1.
    ReceiptDay,
}

/// A procedure's time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "unit", content = "value", rename_all = "snake_case")]
pub enum ProcessingTime {
    WorkingDays(u32),
    WorkingHours(u32),
    /// Calendar days; a period ending on a day off ends on the next working day
    /// (Civil Code 2015 art. 148).
    CalendarDays(u32),
}

/// Opening intervals for each weekday (Monday first), in local time.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OfficeHours {
    pub week: [Vec<(NaiveTime, NaiveTime)>; 7],
    /// Dossiers received after this time count from the next working day.
    pub cutoff: NaiveTime,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfficeHoursError {
    #[error("office hours look like 07:30-11:30,13:30-16:30; got {0:?}")]
    Syntax(String),
    #[error("office intervals must be ordered and not overlap ({0})")]
    Order(String),
    #[error("no weekday has office hours")]
    Closed,
}

impl Localise for OfficeHoursError {
    fn code(&self) -> &'static str {
        match self {
            OfficeHoursError::Syntax(_) => "office_hours_syntax",
            OfficeHoursError::Order(_) => "office_hours_order",
            OfficeHoursError::Closed => "office_hours_closed",
        }
    }

    fn wording(&self) -> Wording {
        match self {
            OfficeHoursError::Syntax(s) => {
                Wording::new("error-office-hours-syntax").arg("input", s.to_string())
            }
            OfficeHoursError::Order(day) => {
                Wording::new("error-office-hours-order").arg("day", day.to_string())
            }
            OfficeHoursError::Closed => Wording::new("error-office-hours-closed"),
        }
    }
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

impl Default for OfficeHours {
    /// 07:30–11:30 and 13:30–16:30, Monday to Friday; cut-off 15:00.
    fn default() -> Self {
        let day = vec![(t(7, 30), t(11, 30)), (t(13, 30), t(16, 30))];
        OfficeHours {
            week: [
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                day,
                Vec::new(),
                Vec::new(),
            ],
            cutoff: t(15, 0),
        }
    }
}

impl OfficeHours {
    /// Reads a day's opening intervals, `07:30-11:30,13:30-16:30`; an empty string means
    /// closed.
    pub fn parse_day(text: &str) -> Result<Vec<(NaiveTime, NaiveTime)>, OfficeHoursError> {
        let bad = || OfficeHoursError::Syntax(text.chars().take(60).collect());
        let mut out: Vec<(NaiveTime, NaiveTime)> = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (a, b) = part.split_once('-').ok_or_else(bad)?;
            let time = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| bad());
            let (a, b) = (time(a)?, time(b)?);
            if a >= b || out.last().is_some_and(|l| l.1 > a) {
                return Err(OfficeHoursError::Order(part.to_string()));
            }
            out.push((a, b));
        }
        Ok(out)
    }

    /// The same intervals Monday to Friday, others on Saturday, Sunday closed.
    pub fn weekly(
        weekdays: Vec<(NaiveTime, NaiveTime)>,
        saturday: Vec<(NaiveTime, NaiveTime)>,
        cutoff: NaiveTime,
    ) -> Self {
        OfficeHours {
            week: [
                weekdays.clone(),
                weekdays.clone(),
                weekdays.clone(),
                weekdays.clone(),
                weekdays,
                saturday,
                Vec::new(),
            ],
            cutoff,
        }
    }

    pub fn validate(&self) -> Result<(), OfficeHoursError> {
        for (i, day) in self.week.iter().enumerate() {
            let mut last = NaiveTime::MIN;
            for (k, (a, b)) in day.iter().enumerate() {
                if a >= b || (k > 0 && *a < last) {
                    return Err(OfficeHoursError::Order(format!("weekday {}", i + 1)));
                }
                last = *b;
            }
        }
        if self.week.iter().all(Vec::is_empty) {
            return Err(OfficeHoursError::Closed);
        }
        Ok(())
    }

    /// Hours for a swapped working day on a weekday that normally has none: the first weekday
    /// with hours.
    fn standard_day(&self) -> &[(NaiveTime, NaiveTime)] {
        self.week
            .iter()
            .find(|d| !d.is_empty())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// Everything a [`WorkingCalendar`] is built from.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CalendarConfig {
    pub office_hours: OfficeHours,
    pub rules: HolidayRules,
    pub day_one: DayOneRule,
    pub overrides: Vec<DayOverride>,
}

/// Years for which days off are computed ahead; outside them only weekdays and data apply.
const FIRST_YEAR: i32 = 1901;
const LAST_YEAR: i32 = 2100;

/// The working calendar of a centre: which days are worked, when offices open, and
/// arithmetic on working time.
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    config: CalendarConfig,
    off: HashSet<NaiveDate>,
    worked: HashSet<NaiveDate>,
}

impl WorkingCalendar {
    pub fn new(config: CalendarConfig) -> Result<Self, OfficeHoursError> {
        config.office_hours.validate()?;
        let mut off = HashSet::new();
        for year in FIRST_YEAR..=LAST_YEAR {
            off.extend(
                days_off(year, &config.rules, &config.overrides)
                    .into_iter()
                    .map(|h| h.date),
            );
        }
        // Data may close or open dates outside the computed range too.
        let mut worked = HashSet::new();
        for o in &config.overrides {
            match o.kind {
                DayKind::Off => {
                    off.insert(o.date);
                }
                DayKind::Working => {
                    off.remove(&o.date);
                    worked.insert(o.date);
                }
            }
        }
        Ok(WorkingCalendar {
            config,
            off,
            worked,
        })
    }

    pub fn config(&self) -> &CalendarConfig {
        &self.config
    }

    /// Office intervals of a date in local time; empty when offices are closed.
    pub fn hours_on(&self, date: NaiveDate) -> &[(NaiveTime, NaiveTime)] {
        let oh = &self.config.office_hours;
        if self.off.contains(&date) {
            return &[];
        }
        let regular = &oh.week[date.weekday().num_days_from_monday() as usize];
        if regular.is_empty() && self.worked.contains(&date) {
            oh.standard_day()
        } else {
            regular
        }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !self.hours_on(date).is_empty()
    }

    /// The first working day strictly after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date;
        loop {
            d = d.succ_opt().unwrap_or(d);
            if self.is_working_day(d) || d == NaiveDate::MAX {
                return d;
            }
        }
    }

    fn at(&self, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let local = NaiveDateTime::new(date, time);
        TZ.from_local_datetime(&local)
            .earliest()
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&local))
    }

    fn opening(&self, date: NaiveDate) -> DateTime<Utc> {
        let h = self.hours_on(date);
        self.at(date, h.first().map(|i| i.0).unwrap_or(NaiveTime::MIN))
    }

    fn closing(&self, date: NaiveDate) -> DateTime<Utc> {
        let h = self.hours_on(date);
        self.at(date, h.last().map(|i| i.1).unwrap_or(NaiveTime::MIN))
    }

    /// When the clock of a dossier received at `received` starts: the moment itself if it is
    /// a working day at or before the cut-off (but not before opening), otherwise the opening
    /// of the next working day.
    pub fn clock_start(&self, received: DateTime<Utc>) -> DateTime<Utc> {
        let local = received.with_timezone(&TZ);
        let date = local.date_naive();
        let hours = self.hours_on(date);
        let closes = hours.last().map(|i| i.1).unwrap_or(NaiveTime::MIN);
        let last_accept = self.config.office_hours.cutoff.min(closes);
        if !hours.is_empty() && local.time() <= last_accept {
            received.max(self.opening(date))
        } else {
            self.opening(self.next_working_day(date))
        }
    }

    /// The due instant of a limit in working days for a dossier received at `received`: the
    /// close of office on the last day counted.
    pub fn add_working_days(&self, received: DateTime<Utc>, days: u32) -> DateTime<Utc> {
        let start = self.clock_start(received).with_timezone(&TZ).date_naive();
        let steps = match self.config.day_one {
            DayOneRule::NextWorkingDay => days,
            DayOneRule::ReceiptDay => days.saturating_sub(1),
        };
        let mut d = start;
        for _ in 0..steps {
            d = self.next_working_day(d);
        }
        self.closing(d)
    }

    /// The close of office `days` working days after the local day of `from` (`from` itself
    /// for none): the instant something due at `from` is overdue by that many working days.
    pub fn working_days_after(&self, from: DateTime<Utc>, days: u32) -> DateTime<Utc> {
        if days == 0 {
            return from;
        }
        let mut d = from.with_timezone(&TZ).date_naive();
        for _ in 0..days {
            d = self.next_working_day(d);
        }
        self.closing(d)
    }

    /// The instant at which `amount` of office time has passed since `from`, counting only
    /// office hours. `from` itself is not adjusted for the cut-off; see [`Self::clock_start`].
    pub fn add_working_time(&self, from: DateTime<Utc>, amount: Duration) -> DateTime<Utc> {
        let mut remaining = amount;
        if remaining <= Duration::zero() {
            return from;
        }
        let mut date = from.with_timezone(&TZ).date_naive();
        // A bound no real limit reaches: 50 years of days.
        for _ in 0..18_300 {
            for &(a, b) in self.hours_on(date) {
                let (a, b) = (self.at(date, a), self.at(date, b));
                if b <= from {
                    continue;
                }
                let start = a.max(from);
                let available = b - start;
                if remaining <= available {
                    return start + remaining;
                }
                remaining -= available;
            }
            date = match date.succ_opt() {
                Some(d) => d,
                None => break,
            };
        }
        from + amount
    }

    /// The earliest instant from which at most `amount` of office time is left until `to`:
    /// [`Self::add_working_time`] walked backwards. A moment earlier, more is left.
    pub fn working_time_before(&self, to: DateTime<Utc>, amount: Duration) -> DateTime<Utc> {
        let mut remaining = amount.max(Duration::zero());
        let mut date = to.with_timezone(&TZ).date_naive();
        // The same bound as forwards: 50 years of days.
        for _ in 0..18_300 {
            for &(a, b) in self.hours_on(date).iter().rev() {
                let (a, b) = (self.at(date, a), self.at(date, b).min(to));
                if a >= to {
                    continue;
                }
                // Strictly less: with exactly the interval left, the instant is the end of an
                // earlier interval (the break between them counts nothing).
                if remaining < b - a {
                    return b - remaining;
                }
                remaining -= b - a;
            }
            date = match date.pred_opt() {
                Some(d) => d,
                None => break,
            };
        }
        to - amount
    }

    /// The due instant of a procedure's limit for a dossier received at `received`.
    pub fn due(&self, received: DateTime<Utc>, limit: ProcessingTime) -> DateTime<Utc> {
        match limit {
            ProcessingTime::WorkingDays(n) => self.add_working_days(received, n),
            ProcessingTime::WorkingHours(h) => {
                self.add_working_time(self.clock_start(received), Duration::hours(i64::from(h)))
            }
            ProcessingTime::CalendarDays(n) => {
                let start = self.clock_start(received).with_timezone(&TZ).date_naive();
                let n = match self.config.day_one {
                    DayOneRule::NextWorkingDay => n,
                    DayOneRule::ReceiptDay => n.saturating_sub(1),
                };
                let mut last = start
                    .checked_add_days(chrono::Days::new(u64::from(n)))
                    .unwrap_or(start);
                if !self.is_working_day(last) {
                    last = self.next_working_day(last);
                }
                self.closing(last)
            }
        }
    }

    /// Office time between two instants (zero when `to` is not after `from`).
    pub fn working_time_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        let mut total = Duration::zero();
        let last = to.with_timezone(&TZ).date_naive();
        let mut date = from.with_timezone(&TZ).date_naive();
        while date <= last {
            for &(a, b) in self.hours_on(date) {
                let (a, b) = (self.at(date, a).max(from), self.at(date, b).min(to));
                if b > a {
                    total += b - a;
                }
            }
            date = match date.succ_opt() {
                Some(d) => d,
                None => break,
            };
        }
        total
    }

    /// Working days strictly after `from`'s date up to and including `to`'s date.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = self.next_working_day(d);
            if d <= to {
                n += 1;
            }
        }
        n
    }

    /// Days off (weekdays) of a year with their names, for display.
    pub fn holidays(&self, year: i32) -> Vec<super::Holiday> {
        days_off(year, &self.config.rules, &self.config.overrides)
    }

    /// The day overrides grouped by year, for display and administration.
    pub fn overrides_by_year(&self) -> BTreeMap<i32, Vec<&DayOverride>> {
        let mut m: BTreeMap<i32, Vec<&DayOverride>> = BTreeMap::new();
        for o in &self.config.overrides {
            m.entry(o.date.year()).or_default().push(o);
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn vn(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        TZ.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn calendar(day_one: DayOneRule) -> WorkingCalendar {
        // The 2025 decisions of the Government relevant to the worked example.
        let overrides = DayOverride::parse_csv(
            "2025-05-02,off,Nghỉ hoán đổi\n2025-04-26,working,Làm bù cho thứ Sáu 2/5\n",
        )
        .unwrap();
        WorkingCalendar::new(CalendarConfig {
            day_one,
            overrides,
            ..CalendarConfig::default()
        })
        .unwrap()
    }

    #[test]
    fn worked_example_of_the_domain_brief() {
        // 3 working days, paper dossier received 15:30 Friday 25/4/2025. Saturday 26/4 is a
        // swapped working day; 30/4–4/5 are days off. The clock starts Saturday 07:30.
        let received = vn(2025, 4, 25, 15, 30);
        let next_day = calendar(DayOneRule::NextWorkingDay);
        assert_eq!(next_day.clock_start(received), vn(2025, 4, 26, 7, 30));
        // Day 1 = Mon 28/4, day 2 = Tue 29/4, day 3 = Mon 5/5.
        assert_eq!(
            next_day.add_working_days(received, 3),
            vn(2025, 5, 5, 16, 30)
        );
        // Counting the day of receipt (Sat 26/4) as day 1: Sat, Mon, Tue 29/4.
        let same_day = calendar(DayOneRule::ReceiptDay);
        assert_eq!(
            same_day.add_working_days(received, 3),
            vn(2025, 4, 29, 16, 30)
        );
    }

    #[test]
    fn before_cutoff_counts_the_same_day() {
        let cal = calendar(DayOneRule::NextWorkingDay);
        // Thursday 24/4/2025 at 14:59: day 1 is Friday 25/4.
        assert_eq!(
            cal.add_working_days(vn(2025, 4, 24, 14, 59), 1),
            vn(2025, 4, 25, 16, 30)
        );
        // Before opening on a working day, the clock starts at opening.
        assert_eq!(
            cal.clock_start(vn(2025, 4, 24, 6, 0)),
            vn(2025, 4, 24, 7, 30)
        );
        // Sunday: the next working day's opening.
        assert_eq!(
            cal.clock_start(vn(2025, 4, 27, 10, 0)),
            vn(2025, 4, 28, 7, 30)
        );
    }

    #[test]
    fn working_hours_skip_lunch_and_nights() {
        let cal = calendar(DayOneRule::NextWorkingDay);
        // 4 working hours from Thursday 10:00: 10:00–11:30 (1.5 h), 13:30–16:00 (2.5 h).
        assert_eq!(
            cal.due(vn(2025, 4, 24, 10, 0), ProcessingTime::WorkingHours(4)),
            vn(2025, 4, 24, 16, 0)
        );
        // 8 hours from Thursday 14:00: 2.5 h Thursday, then Friday 07:30–11:30 (4 h) and
        // 13:30–15:00 (1.5 h).
        assert_eq!(
            cal.due(vn(2025, 4, 24, 14, 0), ProcessingTime::WorkingHours(8)),
            vn(2025, 4, 25, 15, 0)
        );
        assert_eq!(
            cal.working_time_between(vn(2025, 4, 24, 10, 0), vn(2025, 4, 24, 16, 0)),
            Duration::hours(4)
        );
        // Across the 30/4–4/5 break nothing is counted.
        assert_eq!(
            cal.working_time_between(vn(2025, 4, 29, 16, 30), vn(2025, 5, 5, 7, 30)),
            Duration::zero()
        );
        assert_eq!(
            cal.working_days_between(
                NaiveDate::from_ymd_opt(2025, 4, 25).unwrap(),
                NaiveDate::from_ymd_opt(2025, 5, 5).unwrap()
            ),
            4,
            "Sat 26/4, Mon 28/4, Tue 29/4, Mon 5/5"
        );
    }

    #[test]
    fn calendar_days_end_on_a_working_day() {
        let cal = calendar(DayOneRule::NextWorkingDay);
        // 7 days from Monday 2/6/2025 → Monday 9/6.
        assert_eq!(
            cal.due(vn(2025, 6, 2, 9, 0), ProcessingTime::CalendarDays(7)),
            vn(2025, 6, 9, 16, 30)
        );
        // 5 days from Monday 2/6 → Saturday 7/6, a day off: the next working day, Monday 9/6.
        assert_eq!(
            cal.due(vn(2025, 6, 2, 9, 0), ProcessingTime::CalendarDays(5)),
            vn(2025, 6, 9, 16, 30)
        );
    }

    #[test]
    fn office_hours_are_read_from_text() {
        assert_eq!(
            OfficeHours::parse_day("07:30-11:30, 13:30-16:30").unwrap(),
            vec![(t(7, 30), t(11, 30)), (t(13, 30), t(16, 30))]
        );
        assert_eq!(OfficeHours::parse_day("").unwrap(), vec![]);
        assert!(matches!(
            OfficeHours::parse_day("7h30-11h"),
            Err(OfficeHoursError::Syntax(_))
        ));
        assert!(matches!(
            OfficeHours::parse_day("13:30-16:30,07:30-11:30"),
            Err(OfficeHoursError::Order(_))
        ));
        assert!(matches!(
            OfficeHours::parse_day("11:30-07:30"),
            Err(OfficeHoursError::Order(_))
        ));
        // Saturday mornings open: a dossier on Saturday 10:00 counts the same day.
        let hours = OfficeHours::weekly(
            OfficeHours::parse_day("07:30-11:30,13:30-16:30").unwrap(),
            OfficeHours::parse_day("07:30-11:30").unwrap(),
            t(15, 0),
        );
        let cal = WorkingCalendar::new(CalendarConfig {
            office_hours: hours,
            ..CalendarConfig::default()
        })
        .unwrap();
        assert_eq!(
            cal.clock_start(vn(2025, 6, 7, 10, 0)),
            vn(2025, 6, 7, 10, 0)
        );
        assert_eq!(
            cal.due(vn(2025, 6, 7, 10, 0), ProcessingTime::WorkingHours(2)),
            vn(2025, 6, 9, 8, 0)
        );
    }

    #[test]
    fn office_hours_are_validated() {
        let mut hours = OfficeHours::default();
        hours.week[0] = vec![(t(13, 0), t(12, 0))];
        assert!(matches!(hours.validate(), Err(OfficeHoursError::Order(_))));
        hours.week = Default::default();
        assert_eq!(hours.validate(), Err(OfficeHoursError::Closed));
    }

    proptest! {
        #[test]
        fn due_never_precedes_receipt(minutes in 0i64..(60 * 24 * 365 * 3), days in 0u32..60, hours in 0u32..200) {
            let cal = calendar(DayOneRule::NextWorkingDay);
            let received = vn(2024, 1, 1, 0, 0) + Duration::minutes(minutes);
            prop_assert!(cal.due(received, ProcessingTime::WorkingDays(days)) >= received);
            prop_assert!(cal.due(received, ProcessingTime::WorkingHours(hours)) >= received);
            prop_assert!(cal.due(received, ProcessingTime::CalendarDays(days)) >= received);
        }

        #[test]
        fn adding_then_measuring_gives_the_amount(minutes in 0i64..(60 * 24 * 365 * 3), amount in 0i64..(60 * 200)) {
            let cal = calendar(DayOneRule::NextWorkingDay);
            let from = vn(2024, 1, 1, 0, 0) + Duration::minutes(minutes);
            let due = cal.add_working_time(from, Duration::minutes(amount));
            prop_assert_eq!(cal.working_time_between(from, due), Duration::minutes(amount));
        }

        #[test]
        fn walking_back_finds_the_first_instant_with_the_amount_left(minutes in 0i64..(60 * 24 * 365 * 3), amount in 0i64..(60 * 200)) {
            let cal = calendar(DayOneRule::NextWorkingDay);
            let to = vn(2024, 1, 1, 0, 0) + Duration::minutes(minutes);
            let amount = Duration::minutes(amount);
            let from = cal.working_time_before(to, amount);
            prop_assert!(from <= to);
            prop_assert!(cal.working_time_between(from, to) <= amount);
            prop_assert!(cal.working_time_between(from - Duration::milliseconds(1), to) > amount);
        }
    }
}

//! The queue of a branch: ticket numbers per service group and day, who is called next
//! (priority tickets, then appointments whose slot has begun, then order of arrival), and the
//! expected wait from live service times. Pure: the store keeps tickets, the web calls them.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use crate::calendar::{TZ, WorkingCalendar};
use crate::lang::pick;
use crate::{Lang, Localise, Wording};

/// Why a ticket goes before the others. Vietnamese law gives priority at public service
/// points to the elderly, people with disabilities, pregnant women, people with meritorious
/// service to the revolution and people with small children; which of them a province's
/// centre honours, and from what age, is not settled in the domain brief, so the kiosk offers
/// the list the centre configures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Elderly,
    Disability,
    Pregnant,
    Merit,
    SmallChild,
}

impl Priority {
    pub const ALL: [Priority; 5] = [
        Priority::Elderly,
        Priority::Disability,
        Priority::Pregnant,
        Priority::Merit,
        Priority::SmallChild,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Elderly => "elderly",
            Priority::Disability => "disability",
            Priority::Pregnant => "pregnant",
            Priority::Merit => "merit",
            Priority::SmallChild => "small_child",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> String {
        match self {
            Priority::Elderly => pick(lang, "Người cao tuổi", "Elderly person"),
            Priority::Disability => pick(lang, "Người khuyết tật", "Person with a disability"),
            Priority::Pregnant => pick(lang, "Phụ nữ mang thai", "Pregnant woman"),
            Priority::Merit => pick(lang, "Người có công với cách mạng", "Person of merit"),
            Priority::SmallChild => pick(
                lang,
                "Người đi cùng trẻ nhỏ dưới 36 tháng tuổi",
                "With a child under 36 months",
            ),
        }
    }
}

/// A ticket's number as shown: the group's letter prefix and the day's sequence, `A007`.
pub fn ticket_number(prefix: &str, seq: u32) -> String {
    format!("{prefix}{seq:03}")
}

/// What the caller needs to know of a waiting ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub id: crate::ids::TicketId,
    pub issued_at: DateTime<Utc>,
    pub priority: Option<Priority>,
    /// The booked slot's start, for tickets taken by checking in an appointment.
    pub slot: Option<DateTime<Utc>>,
}

/// The order in which tickets are called at `now`: priority tickets by arrival, then
/// appointments whose slot has begun by slot, then everyone else by arrival (an appointment
/// whose slot has not begun waits like any other ticket, by its arrival).
fn rank(t: &Waiting, now: DateTime<Utc>) -> (u8, DateTime<Utc>, crate::ids::TicketId) {
    match (t.priority, t.slot) {
        (Some(_), _) => (0, t.issued_at, t.id),
        (None, Some(slot)) if slot <= now => (1, slot, t.id),
        _ => (2, t.issued_at, t.id),
    }
}

/// The ticket to call next, if any waits.
pub fn next(waiting: &[Waiting], now: DateTime<Utc>) -> Option<&Waiting> {
    waiting.iter().min_by_key(|t| rank(t, now))
}

/// How many are called before `ticket` at `now`.
pub fn ahead_of(waiting: &[Waiting], ticket: &Waiting, now: DateTime<Utc>) -> usize {
    let mine = rank(ticket, now);
    waiting
        .iter()
        .filter(|t| t.id != ticket.id && rank(t, now) < mine)
        .count()
}

/// The expected wait for someone with `ahead` people before them, served by `counters` open
/// counters, from recent service times (seconds): rounds of service at the median time. With
/// no recent service, `default_service` stands in.
pub fn expected_wait(
    ahead: usize,
    counters: usize,
    recent_service_secs: &[i64],
    default_service: Duration,
) -> Duration {
    let mut times: Vec<i64> = recent_service_secs
        .iter()
        .copied()
        .filter(|s| *s > 0)
        .collect();
    times.sort_unstable();
    let median = match times.len() {
        0 => default_service,
        n if n % 2 == 1 => Duration::seconds(times[n / 2]),
        n => Duration::seconds((times[n / 2 - 1] + times[n / 2]) / 2),
    };
    let counters = counters.max(1);
    let rounds = ahead.div_ceil(counters) as i32;
    median * rounds
}

/// Appointment slots of a local date: each office interval cut into `minutes`-long slots that
/// end within it (none on a day off, none when `minutes` is zero).
pub fn slots(cal: &WorkingCalendar, date: NaiveDate, minutes: u32) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    if minutes == 0 {
        return out;
    }
    let step = Duration::minutes(i64::from(minutes));
    for (open, close) in cal.hours_on(date) {
        let mut at = date.and_time(*open);
        let end = date.and_time(*close);
        while at + step <= end {
            if let Some(t) = TZ.from_local_datetime(&at).earliest() {
                out.push(t.with_timezone(&Utc));
            }
            at += step;
        }
    }
    out
}

/// Why an appointment cannot be checked in now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CheckInError {
    #[error("check-in opens at {0}")]
    TooEarly(DateTime<Utc>),
    #[error("the slot has passed")]
    Missed,
}

impl Localise for CheckInError {
    fn code(&self) -> &'static str {
        match self {
            CheckInError::TooEarly(_) => "check_in_too_early",
            CheckInError::Missed => "appointment_missed",
        }
    }

    fn wording(&self) -> Wording {
        match self {
            CheckInError::TooEarly(at) => {
                let at = at.with_timezone(&TZ).format("%H:%M %d/%m/%Y");
                Wording::new("error-check-in-too-early").arg("at", at.to_string())
            }
            CheckInError::Missed => Wording::new("error-appointment-missed"),
        }
    }
}

/// Whether an appointment for the slot starting at `slot`, `minutes` long, can be checked in
/// at `now`: from `early` before the slot until the slot ends. A checked-in appointment is
/// called by its slot once the slot begins (see the calling order above).
pub fn check_in(
    slot: DateTime<Utc>,
    minutes: u32,
    early: Duration,
    now: DateTime<Utc>,
) -> Result<(), CheckInError> {
    if now < slot - early {
        return Err(CheckInError::TooEarly(slot - early));
    }
    if now >= slot + Duration::minutes(i64::from(minutes)) {
        return Err(CheckInError::Missed);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap() + Duration::minutes(min)
    }

    fn t(id: i64, issued: i64, priority: Option<Priority>, slot: Option<i64>) -> Waiting {
        Waiting {
            id: crate::ids::TicketId::new(id),
            issued_at: at(issued),
            priority,
            slot: slot.map(at),
        }
    }

    #[test]
    fn priorities_then_appointments_then_arrival() {
        let waiting = vec![
            t(1, 0, None, None),
            t(2, 5, None, Some(10)),
            t(3, 8, Some(Priority::Elderly), None),
            t(4, 9, None, None),
        ];
        assert_eq!(next(&waiting, at(9)).map(|w| w.id.get()), Some(3));
        let rest: Vec<Waiting> = waiting
            .iter()
            .filter(|w| w.id.get() != 3)
            .cloned()
            .collect();
        // Before its slot the appointment waits by arrival; from its slot it goes first.
        assert_eq!(next(&rest, at(9)).map(|w| w.id.get()), Some(1));
        assert_eq!(next(&rest, at(10)).map(|w| w.id.get()), Some(2));
        assert_eq!(ahead_of(&rest, &rest[2], at(10)), 2);
        assert_eq!(next(&[], at(0)), None);
    }

    #[test]
    fn numbers_and_waits() {
        assert_eq!(ticket_number("A", 7), "A007");
        assert_eq!(ticket_number("UT", 123), "UT123");
        let default = Duration::minutes(10);
        assert_eq!(expected_wait(0, 2, &[], default), Duration::zero());
        assert_eq!(expected_wait(3, 2, &[], default), Duration::minutes(20));
        assert_eq!(
            expected_wait(4, 1, &[60, 600, 300, 0], default),
            Duration::seconds(300 * 4)
        );
        assert_eq!(
            expected_wait(1, 0, &[100, 200], default),
            Duration::seconds(150)
        );
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()), Some(p));
            assert!(!p.label(Lang::Vi).is_empty());
        }
    }

    #[test]
    fn slots_follow_office_hours_and_check_in_has_a_window() {
        let cal = WorkingCalendar::new(crate::calendar::CalendarConfig::default()).unwrap();
        // Monday 1 June 2026: 07:30–11:30 and 13:30–16:30 → 8 + 6 half-hour slots.
        let monday = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let day = slots(&cal, monday, 30);
        assert_eq!(day.len(), 14);
        assert_eq!(day[0], Utc.with_ymd_and_hms(2026, 6, 1, 0, 30, 0).unwrap());
        assert_eq!(day[8], Utc.with_ymd_and_hms(2026, 6, 1, 6, 30, 0).unwrap());
        // 45-minute slots leave the remainder of an interval unused.
        assert_eq!(slots(&cal, monday, 45).len(), 5 + 4);
        assert!(slots(&cal, monday, 0).is_empty());
        // Saturday and Independence Day are closed.
        assert!(slots(&cal, NaiveDate::from_ymd_opt(2026, 6, 6).unwrap(), 30).is_empty());
        assert!(slots(&cal, NaiveDate::from_ymd_opt(2026, 9, 2).unwrap(), 30).is_empty());

        let slot = day[2];
        let early = Duration::minutes(60);
        assert_eq!(
            check_in(slot, 30, early, slot - Duration::minutes(61)),
            Err(CheckInError::TooEarly(slot - early))
        );
        assert_eq!(check_in(slot, 30, early, slot - early), Ok(()));
        assert_eq!(
            check_in(slot, 30, early, slot + Duration::minutes(29)),
            Ok(())
        );
        assert_eq!(
            check_in(slot, 30, early, slot + Duration::minutes(30)),
            Err(CheckInError::Missed)
        );
        assert_eq!(
            CheckInError::Missed.wording().key,
            "error-appointment-missed"
        );
    }

    proptest! {
        /// Calling one after another never calls an ordinary ticket while a priority one waits,
        /// and keeps arrival order within ordinary tickets without appointments.
        #[test]
        fn calling_order_is_fair(
            tickets in prop::collection::vec((0i64..60, any::<bool>(), prop::option::of(0i64..90)), 0..30),
            now in 0i64..120,
        ) {
            let mut waiting: Vec<Waiting> = tickets
                .iter()
                .enumerate()
                .map(|(i, (issued, prio, slot))| {
                    t(i as i64, *issued, prio.then_some(Priority::Pregnant), *slot)
                })
                .collect();
            let mut last_plain: Option<(DateTime<Utc>, i64)> = None;
            while let Some(w) = next(&waiting, at(now)).cloned() {
                if w.priority.is_none() {
                    prop_assert!(waiting.iter().all(|o| o.priority.is_none()));
                }
                let started = |o: &Waiting| o.slot.is_some_and(|s| s <= at(now));
                if w.priority.is_none() && !started(&w) {
                    // Nobody with a begun appointment is left behind an ordinary ticket.
                    prop_assert!(waiting.iter().all(|o| !started(o)));
                    if let Some(prev) = last_plain {
                        prop_assert!(prev <= (w.issued_at, w.id.get()));
                    }
                    last_plain = Some((w.issued_at, w.id.get()));
                }
                waiting.retain(|o| o.id != w.id);
            }
        }
    }
}

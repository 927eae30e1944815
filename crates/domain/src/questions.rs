//! Questions to an officer (hỏi đáp): what the assistant cannot answer, a citizen asks an
//! officer, who answers within a first-response time counted on the working calendar — asked
//! at night or over Tết, the clock starts when the offices open. An answer may be published
//! as a frequently asked question, which the assistant then quotes, or the question turned
//! into a petition. No legal rule sets the response time (it is configuration: eight working
//! hours unless set).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};

use crate::calendar::{TZ, WorkingCalendar};

/// Working hours within which an officer answers, unless configured.
pub const DEFAULT_RESPONSE_HOURS: u32 = 8;

/// Where a question stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuestionState {
    /// Waiting for an officer.
    Open,
    Answered,
    /// Turned into a petition (feedback), which carries on.
    Converted,
}

impl QuestionState {
    pub const ALL: [QuestionState; 3] = [
        QuestionState::Open,
        QuestionState::Answered,
        QuestionState::Converted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QuestionState::Open => "open",
            QuestionState::Answered => "answered",
            QuestionState::Converted => "converted",
        }
    }

    pub fn parse(s: &str) -> Option<QuestionState> {
        QuestionState::ALL.into_iter().find(|q| q.as_str() == s)
    }
}

/// When the first answer to a question asked at `asked` is due: `hours` of office time from
/// the next opening (at once, when asked while the offices are open).
pub fn answer_due(cal: &WorkingCalendar, asked: DateTime<Utc>, hours: u32) -> DateTime<Utc> {
    cal.add_working_time(asked, Duration::hours(i64::from(hours)))
}

/// The week holding local day `day`: from its Monday's midnight to the next Monday's, in
/// Vietnam's time.
pub fn week_of(day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
    let midnight = |d: NaiveDate| {
        TZ.from_local_datetime(&d.and_time(NaiveTime::MIN))
            .earliest()
            .map_or_else(
                || Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN)),
                |t| t.with_timezone(&Utc),
            )
    };
    (midnight(monday), midnight(monday + Duration::days(7)))
}

/// What became of the questions to an agency asked in a period, as judged at `as_of`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    pub asked: u32,
    pub answered_in_time: u32,
    pub answered_late: u32,
    /// Turned into petitions.
    pub converted: u32,
    /// Still waiting for an officer, within their time and past it.
    pub open_in_time: u32,
    pub open_overdue: u32,
}

impl Tally {
    /// Counts a question in `state`, due at `due`, answered (or converted) at `answered_at`.
    pub fn add(
        &mut self,
        state: QuestionState,
        due: DateTime<Utc>,
        answered_at: Option<DateTime<Utc>>,
        as_of: DateTime<Utc>,
    ) {
        self.asked += 1;
        match (state, answered_at) {
            (QuestionState::Converted, _) => self.converted += 1,
            (QuestionState::Answered, Some(at)) if at <= due => self.answered_in_time += 1,
            (QuestionState::Answered, _) => self.answered_late += 1,
            (QuestionState::Open, _) if as_of > due => self.open_overdue += 1,
            (QuestionState::Open, _) => self.open_in_time += 1,
        }
    }

    /// Not answered by an officer in time: late, overdue or still open.
    pub fn unanswered(&self) -> u32 {
        self.answered_late + self.open_overdue + self.open_in_time
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_week_runs_from_monday_midnight_in_vietnam_and_each_question_counts_once() {
        let (from, to) = week_of(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap());
        // Sunday 29/11/2026 is in the week of Monday 23/11: 00:00 in Vietnam is 17:00 UTC.
        assert_eq!(from, Utc.with_ymd_and_hms(2026, 11, 22, 17, 0, 0).unwrap());
        assert_eq!(to - from, Duration::days(7));
        assert_eq!(
            week_of(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()).0,
            from
        );
        let due = Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap();
        let (before, after) = (due - Duration::hours(1), due + Duration::hours(1));
        let mut t = Tally::default();
        t.add(QuestionState::Answered, due, Some(before), after);
        t.add(QuestionState::Answered, due, Some(after), after);
        t.add(QuestionState::Converted, due, Some(after), after);
        t.add(QuestionState::Open, due, None, before);
        t.add(QuestionState::Open, due, None, after);
        assert_eq!(
            t,
            Tally {
                asked: 5,
                answered_in_time: 1,
                answered_late: 1,
                converted: 1,
                open_in_time: 1,
                open_overdue: 1,
            }
        );
        assert_eq!(t.unanswered(), 3);
    }

    use chrono::TimeZone;

    use super::*;
    use crate::calendar::TZ;

    fn vn(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        TZ.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    /// Offices open 07:30–11:30 and 13:30–16:30 (seven hours a day).
    #[test]
    fn the_first_answer_is_due_in_office_hours_across_nights_weekends_and_tet() {
        let cal = crate::lifecycle::tests::calendar();
        // Asked on a Monday morning: by the next morning.
        assert_eq!(
            answer_due(&cal, vn(2026, 3, 2, 9, 0), 8),
            vn(2026, 3, 3, 10, 0)
        );
        // Asked on a Friday night: the clock starts on Monday.
        assert_eq!(
            answer_due(&cal, vn(2026, 3, 6, 22, 0), 8),
            vn(2026, 3, 10, 8, 30)
        );
        // Asked on the Friday evening before Tết 2026 (offices closed 14–22 February): the
        // Tuesday after.
        assert_eq!(
            answer_due(&cal, vn(2026, 2, 13, 20, 0), 8),
            vn(2026, 2, 24, 8, 30)
        );
        // The swapped days of 2025: Friday 2 May off, Saturday 26 April worked.
        assert_eq!(
            answer_due(&cal, vn(2025, 4, 25, 18, 0), 7),
            vn(2025, 4, 26, 16, 30)
        );
        assert_eq!(
            answer_due(&cal, vn(2025, 5, 1, 18, 0), 1),
            vn(2025, 5, 5, 8, 30)
        );
    }

    #[test]
    fn states_read_back() {
        for s in QuestionState::ALL {
            assert_eq!(QuestionState::parse(s.as_str()), Some(s));
        }
        assert_eq!(QuestionState::parse("closed"), None);
    }
}

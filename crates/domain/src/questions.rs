//! Questions to an officer (hỏi đáp): what the assistant cannot answer, a citizen asks an
//! officer, who answers within a first-response time counted on the working calendar — asked
//! at night or over Tết, the clock starts when the offices open. An answer may be published
//! as a frequently asked question, which the assistant then quotes, or the question turned
//! into a petition. No legal rule sets the response time (it is configuration: eight working
//! hours unless set).

use chrono::{DateTime, Duration, Utc};

use crate::calendar::WorkingCalendar;

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

#[cfg(test)]
mod tests {
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

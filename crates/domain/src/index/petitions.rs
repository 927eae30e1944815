//! The feedback metrics' counts (Decision 766: feedback handled on time, and satisfaction with
//! its handling) from the petitions a scope handles.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::{Counts, Measure, Period};
use crate::calendar::TZ;
use crate::pakn::IndexFacts;

/// The instant a local day starts.
pub fn start(d: NaiveDate) -> DateTime<Utc> {
    TZ.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map_or_else(
            || d.and_time(chrono::NaiveTime::MIN).and_utc(),
            |t| t.with_timezone(&Utc),
        )
}

/// Adds the petitions' counts for `period`, open ones judged at the end of day `as_of`
/// ([`Period::judged_on`]); see [`add_measures_between`].
pub fn add_measures<'a>(
    counts: &mut Counts,
    period: Period,
    as_of: NaiveDate,
    facts: impl IntoIterator<Item = &'a IndexFacts>,
) {
    let (first, after) = period.bounds();
    add_measures_between(counts, first, after, as_of, facts);
}

/// Adds the counts of the petitions for the days from `first` to before `after`, open ones
/// judged at the end of day `as_of` (or at `after`, if sooner):
/// - petitions: filed by the end and not ended before the start (handled in those days);
/// - in time: of those, none of whose steps was late, and, if still open at the end, not
///   past its step's due then;
/// - handled: answers published in those days; satisfactory: of those, in time, not rated
///   dissatisfied and not raised again.
pub fn add_measures_between<'a>(
    counts: &mut Counts,
    first: NaiveDate,
    after: NaiveDate,
    as_of: NaiveDate,
    facts: impl IntoIterator<Item = &'a IndexFacts>,
) {
    let (from, to) = (start(first), start(after));
    let judged = start(as_of.succ_opt().unwrap_or(as_of)).min(to);
    let mut n = [0u64; 4];
    for f in facts {
        let handled_in_period = f.filed_at < to && f.ended_at.is_none_or(|e| e >= from);
        if handled_in_period {
            n[0] += 1;
            n[1] += u64::from(f.in_time(judged));
        }
        if f.published_at.is_some_and(|p| from <= p && p < to) {
            n[2] += 1;
            n[3] += u64::from(f.satisfactory());
        }
    }
    for (m, v) in [
        Measure::Petitions,
        Measure::PetitionsInTime,
        Measure::PetitionsHandled,
        Measure::PetitionsSatisfactory,
    ]
    .into_iter()
    .zip(n)
    {
        *counts.entry(m).or_insert(0) += v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vn(m: u32, d: u32) -> DateTime<Utc> {
        TZ.with_ymd_and_hms(2026, m, d, 9, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn facts(filed: DateTime<Utc>) -> IndexFacts {
        IndexFacts {
            filed_at: filed,
            ended_at: None,
            due_at: None,
            published_at: None,
            late: false,
            satisfied: None,
            reopened: 0,
        }
    }

    #[test]
    fn each_branch_of_the_feedback_metrics() {
        let march = Period::Month {
            year: 2026,
            month: 3,
        };
        let published = |f: IndexFacts, at| IndexFacts {
            ended_at: Some(at),
            published_at: Some(at),
            ..f
        };
        let all = [
            // Published in March, in time, satisfied: counts everywhere.
            published(facts(vn(3, 2)), vn(3, 10)),
            // Published in March but a step was late.
            IndexFacts {
                late: true,
                ..published(facts(vn(3, 2)), vn(3, 20))
            },
            // Published in March, rated dissatisfied.
            IndexFacts {
                satisfied: Some(false),
                ..published(facts(vn(2, 20)), vn(3, 5))
            },
            // Open at the end of March, due in April: in time.
            IndexFacts {
                due_at: Some(vn(4, 3)),
                ..facts(vn(3, 25))
            },
            // Open at the end of March, due on 20 March: overdue.
            IndexFacts {
                due_at: Some(vn(3, 20)),
                ..facts(vn(3, 5))
            },
            // Refused in February: not March's.
            IndexFacts {
                ended_at: Some(vn(2, 25)),
                ..facts(vn(2, 24))
            },
            // Filed in April: not March's.
            facts(vn(4, 2)),
            // Published in April after being open all March, in time.
            published(facts(vn(3, 30)), vn(4, 8)),
        ];
        let mut c = Counts::new();
        add_measures(
            &mut c,
            march,
            NaiveDate::from_ymd_opt(2026, 4, 30).unwrap(),
            &all,
        );
        assert_eq!(c[&Measure::Petitions], 6);
        assert_eq!(c[&Measure::PetitionsInTime], 4);
        assert_eq!(c[&Measure::PetitionsHandled], 3);
        assert_eq!(c[&Measure::PetitionsSatisfactory], 1);
    }
}

//! Statistics facts: what one dossier contributes to the province's figures, as a pure
//! projection of its state and of the events it has seen. Storage keeps one fact row per
//! dossier, written with every event, and rollups that are sums over those rows; so every
//! figure can be rebuilt from the event log, and the rebuilt figures must equal the ones kept
//! up to date on every write.

use chrono::{DateTime, NaiveDate, Utc};

use crate::calendar::TZ;
use crate::ids::{AgencyCode, ProcedureCode};
use crate::lifecycle::{Channel, Dossier, Event, EventKind, Satisfaction, Status, Timeliness};

/// Something counted on the day it happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    Submitted,
    Received,
    Transferred,
    SupplementRequested,
    Supplemented,
    Refused,
    Resolved,
    ResolvedEarly,
    ResolvedOnTime,
    ResolvedLate,
    Returned,
    Withdrawn,
    Reappointed,
    FeePaid,
    Rated,
    RatedVerySatisfied,
    RatedSatisfied,
    RatedDissatisfied,
}

impl Metric {
    pub const ALL: [Metric; 18] = [
        Metric::Submitted,
        Metric::Received,
        Metric::Transferred,
        Metric::SupplementRequested,
        Metric::Supplemented,
        Metric::Refused,
        Metric::Resolved,
        Metric::ResolvedEarly,
        Metric::ResolvedOnTime,
        Metric::ResolvedLate,
        Metric::Returned,
        Metric::Withdrawn,
        Metric::Reappointed,
        Metric::FeePaid,
        Metric::Rated,
        Metric::RatedVerySatisfied,
        Metric::RatedSatisfied,
        Metric::RatedDissatisfied,
    ];

    /// The stable name used in storage and in the statistics API.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Submitted => "submitted",
            Metric::Received => "received",
            Metric::Transferred => "transferred",
            Metric::SupplementRequested => "supplement_requested",
            Metric::Supplemented => "supplemented",
            Metric::Refused => "refused",
            Metric::Resolved => "resolved",
            Metric::ResolvedEarly => "resolved_early",
            Metric::ResolvedOnTime => "resolved_on_time",
            Metric::ResolvedLate => "resolved_late",
            Metric::Returned => "returned",
            Metric::Withdrawn => "withdrawn",
            Metric::Reappointed => "reappointed",
            Metric::FeePaid => "fee_paid",
            Metric::Rated => "rated",
            Metric::RatedVerySatisfied => "rated_very_satisfied",
            Metric::RatedSatisfied => "rated_satisfied",
            Metric::RatedDissatisfied => "rated_dissatisfied",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// The metrics an event counts (most count one; a result counts itself and its timeliness, a
/// rating itself and its level).
pub fn counted(kind: &EventKind) -> &'static [Metric] {
    use Metric as M;
    match kind {
        EventKind::Opened(_) => &[M::Submitted],
        EventKind::Received { .. } => &[M::Received],
        EventKind::Transferred { .. } => &[M::Transferred],
        EventKind::SupplementRequested { .. } => &[M::SupplementRequested],
        EventKind::Supplemented { .. } => &[M::Supplemented],
        EventKind::Refused { .. } => &[M::Refused],
        EventKind::ResultIssued { timeliness, .. } => match timeliness {
            Timeliness::Early => &[M::Resolved, M::ResolvedEarly],
            Timeliness::OnTime => &[M::Resolved, M::ResolvedOnTime],
            Timeliness::Late => &[M::Resolved, M::ResolvedLate],
        },
        EventKind::ResultReturned { .. } => &[M::Returned],
        EventKind::Withdrawn { .. } => &[M::Withdrawn],
        EventKind::Reappointed { .. } => &[M::Reappointed],
        EventKind::FeePaid { .. } => &[M::FeePaid],
        EventKind::Rated { satisfaction, .. } => match satisfaction {
            Satisfaction::VerySatisfied => &[M::Rated, M::RatedVerySatisfied],
            Satisfaction::Satisfied => &[M::Rated, M::RatedSatisfied],
            Satisfaction::Dissatisfied => &[M::Rated, M::RatedDissatisfied],
        },
        EventKind::Forwarded { .. }
        | EventKind::FeeCorrected { .. }
        | EventKind::SentBack { .. }
        | EventKind::Assigned { .. }
        | EventKind::SupplementAccepted
        | EventKind::RefusalProposed { .. }
        | EventKind::Approved { .. } => &[],
    }
}

/// The local (Vietnam) day of an instant: figures are counted per local day.
pub fn local_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&TZ).date_naive()
}

/// Every counted occurrence of one dossier: the local day and the metric, kept sorted so that
/// two tallies of the same occurrences are equal whatever order they were counted in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally(Vec<(NaiveDate, Metric)>);

/// A stored tally that does not read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a tally entry: {0:?}")]
pub struct TallyError(pub String);

impl Tally {
    /// The tally of a whole history.
    pub fn of<'a>(events: impl IntoIterator<Item = &'a Event>) -> Tally {
        let mut t = Tally::default();
        t.count(events);
        t
    }

    /// Adds the occurrences of more events.
    pub fn count<'a>(&mut self, events: impl IntoIterator<Item = &'a Event>) {
        for e in events {
            let day = local_day(e.at);
            self.0.extend(counted(&e.kind).iter().map(|m| (day, *m)));
        }
        self.0.sort();
    }

    pub fn entries(&self) -> &[(NaiveDate, Metric)] {
        &self.0
    }

    /// `2025-06-02 submitted;2025-06-02 received;…`, the stored form.
    pub fn encode(&self) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(d, m)| format!("{} {}", d.format("%Y-%m-%d"), m.as_str()))
            .collect();
        parts.join(";")
    }

    pub fn decode(s: &str) -> Result<Tally, TallyError> {
        let mut out = Vec::new();
        for part in s.split(';').filter(|p| !p.is_empty()) {
            let bad = || TallyError(part.to_string());
            let (day, metric) = part.split_once(' ').ok_or_else(bad)?;
            let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| bad())?;
            out.push((day, Metric::parse(metric).ok_or_else(bad)?));
        }
        out.sort();
        Ok(Tally(out))
    }
}

/// The figures' view of one dossier: where it belongs (procedure, agencies, branch, channel),
/// its dates, outcome and counts, and the tally of everything counted for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierFacts {
    pub procedure: ProcedureCode,
    pub receiving_agency: AgencyCode,
    pub competent_agency: AgencyCode,
    pub current_agency: AgencyCode,
    pub branch: Option<crate::ids::BranchCode>,
    pub channel: Channel,
    pub status: Status,
    pub submitted_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    /// When the case ended for the agency: result issued, refused or withdrawn.
    pub finished_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    pub timeliness: Option<Timeliness>,
    pub supplement_requests: u32,
    /// Office time spent waiting for the applicant's supplements.
    pub supplement_secs: i64,
    /// The fee due before processing, and what has been paid.
    pub prepaid_fee: i64,
    pub fee_paid: i64,
    pub rating: Option<Satisfaction>,
    /// What the index and the report forms count of it, once received.
    pub cohort: Option<crate::index::Cohort>,
    pub tally: Tally,
}

impl DossierFacts {
    /// The facts of a dossier in state `d` whose history counted `tally`.
    pub fn project(d: &Dossier, tally: Tally) -> DossierFacts {
        let finished_at = match d.status {
            Status::Refused | Status::Withdrawn => d.closed_at,
            _ => d.result.as_ref().map(|r| r.issued_at),
        };
        DossierFacts {
            procedure: d.intake.procedure.code,
            receiving_agency: d.intake.receiving_agency,
            competent_agency: d.intake.competent_agency,
            current_agency: d.current_agency,
            branch: d.intake.branch.clone(),
            channel: d.intake.channel,
            status: d.status,
            submitted_at: d.submitted_at,
            received_at: d.received_at,
            due_at: d.due_at,
            finished_at,
            returned_at: d.returned_at,
            timeliness: d.result.as_ref().map(|r| r.timeliness),
            supplement_requests: d.supplement_rounds,
            supplement_secs: d.supplement_secs,
            prepaid_fee: d.fee_total(),
            fee_paid: d.fee_paid,
            rating: d.rating,
            cohort: crate::index::Cohort::of(d),
            tally,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_read_back_and_ignore_order() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let t = Tally(vec![
            (d("2025-06-03"), Metric::Resolved),
            (d("2025-06-02"), Metric::Submitted),
            (d("2025-06-03"), Metric::ResolvedEarly),
        ]);
        let decoded = Tally::decode(&t.encode()).unwrap();
        assert_eq!(
            decoded.encode(),
            "2025-06-02 submitted;2025-06-03 resolved;2025-06-03 resolved_early"
        );
        assert_eq!(Tally::decode("").unwrap(), Tally::default());
        assert!(Tally::decode("2025-06-02 nonsense").is_err());
        assert!(Tally::decode("yesterday submitted").is_err());
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.as_str()), Some(m));
        }
    }

    #[test]
    fn days_are_counted_in_vietnam() {
        // 17:30 UTC on 1 June is 00:30 on 2 June in Hà Nội.
        let t = DateTime::parse_from_rfc3339("2025-06-01T17:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(local_day(t), NaiveDate::from_ymd_opt(2025, 6, 2).unwrap());
    }
}

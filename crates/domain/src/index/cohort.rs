//! What the index and the report forms count of a dossier, at the grain of a month: when it
//! was received, when it ended and how, when it was due, how it came and was paid. Periods are
//! whole months, so a month is enough to tell, for any period, whether a dossier was received
//! in it, carried into it, ended in it or was still open (in time or overdue) at its end.
//! Stored as a rollup of counts per cohort, a province-year figure reads a bounded number of
//! rows whatever the number of dossiers.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::{Counts, Measure, Period};
use crate::calendar::TZ;
use crate::ids::ProcedureCode;
use crate::lifecycle::{Channel, Dossier, Satisfaction, Status, Timeliness};

/// A calendar month in Vietnam.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn of(t: DateTime<Utc>) -> Month {
        let local = t.with_timezone(&TZ);
        Month {
            year: local.year(),
            month: local.month(),
        }
    }

    /// `2026-09`.
    pub fn label(self) -> String {
        format!("{}-{:02}", self.year, self.month)
    }

    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.split_once('-')?;
        let month = m.parse().ok().filter(|m| (1..=12).contains(m))?;
        Some(Month {
            year: y.parse().ok()?,
            month,
        })
    }

    /// The month a day falls in.
    pub fn of_day(d: NaiveDate) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        self.period().bounds().0
    }

    pub fn last_day(self) -> NaiveDate {
        let after = self.period().bounds().1;
        after.pred_opt().unwrap_or(after)
    }

    pub fn period(self) -> Period {
        Period::Month {
            year: self.year,
            month: self.month,
        }
    }

    /// The month before.
    pub fn previous(self) -> Month {
        Month::of_day(self.first_day().pred_opt().unwrap_or(self.first_day()))
    }
}

/// Whole months from `first` to `last`, both included: what the report form covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub first: Month,
    pub last: Month,
}

impl Span {
    /// The same number of months just before.
    pub fn previous(self) -> Span {
        let months = |m: Month| m.year * 12 + m.month as i32 - 1;
        let len = months(self.last) - months(self.first) + 1;
        let at = |i: i32| Month {
            year: i.div_euclid(12),
            month: i.rem_euclid(12) as u32 + 1,
        };
        Span {
            first: at(months(self.first) - len),
            last: self.first.previous(),
        }
    }

    /// The day open dossiers are judged on: the span's last day, or `today` while it runs.
    pub fn judged_on(self, today: NaiveDate) -> NaiveDate {
        self.last.last_day().min(today)
    }
}

impl From<Period> for Span {
    fn from(p: Period) -> Span {
        let (first, last) = p.month_range();
        Span { first, last }
    }
}

impl Period {
    /// The first and the last month of the period.
    pub fn month_range(self) -> (Month, Month) {
        let months = self.months();
        let at = |p: Option<&Period>| match p {
            Some(Period::Month { year, month }) => Month {
                year: *year,
                month: *month,
            },
            _ => unreachable!("a period has months"),
        };
        (at(months.first()), at(months.last()))
    }

    /// The day open dossiers are judged on: the period's last day, or `today` while it runs.
    pub fn judged_on(self, today: NaiveDate) -> NaiveDate {
        Span::from(self).judged_on(today)
    }
}

/// How a dossier ended, or that it has not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Open,
    /// A result, by its timeliness.
    Early,
    OnTime,
    Late,
    /// Refused or withdrawn after receipt, by whether it was before the appointment.
    StoppedInTime,
    StoppedLate,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Open,
        Outcome::Early,
        Outcome::OnTime,
        Outcome::Late,
        Outcome::StoppedInTime,
        Outcome::StoppedLate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Open => "open",
            Outcome::Early => "early",
            Outcome::OnTime => "on_time",
            Outcome::Late => "late",
            Outcome::StoppedInTime => "stopped_in_time",
            Outcome::StoppedLate => "stopped_late",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    fn in_time(self) -> bool {
        matches!(
            self,
            Outcome::Early | Outcome::OnTime | Outcome::StoppedInTime
        )
    }
}

/// A dossier's fee as the payment metrics see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fee {
    None,
    Unpaid,
    /// Paid at the counter (or by another means than the gateway).
    PaidInPerson,
    /// Paid through the province's payment gateway.
    PaidOnline,
}

impl Fee {
    pub const ALL: [Fee; 4] = [Fee::None, Fee::Unpaid, Fee::PaidInPerson, Fee::PaidOnline];

    pub fn as_str(self) -> &'static str {
        match self {
            Fee::None => "none",
            Fee::Unpaid => "unpaid",
            Fee::PaidInPerson => "paid_in_person",
            Fee::PaidOnline => "paid_online",
        }
    }

    pub fn parse(s: &str) -> Option<Fee> {
        Fee::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// The payment references the gateway's settlements record (`VNPAY-…`).
pub const ONLINE_PAYMENT_PREFIX: &str = "VNPAY-";

/// One dossier as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cohort {
    pub received: Month,
    /// When it ended (result issued, refused or withdrawn); none while open.
    pub ended: Option<Month>,
    /// The appointment's day; none without one.
    pub due: Option<NaiveDate>,
    pub outcome: Outcome,
    pub online: bool,
    pub fee: Fee,
    pub e_result: bool,
    pub dissatisfied: bool,
    /// Given with at least one component as an electronic file.
    pub digitised: bool,
    /// With at least one component reused from data given before.
    pub reused: bool,
}

impl Cohort {
    /// The cohort of a dossier in state `d`; none before it is received (a dossier refused at
    /// intake was never received).
    pub fn of(d: &Dossier) -> Option<Cohort> {
        let received = Month::of(d.received_at?);
        let stopped = |at: Option<DateTime<Utc>>| match (at, d.due_at) {
            (Some(end), Some(due)) if end > due => Outcome::StoppedLate,
            _ => Outcome::StoppedInTime,
        };
        let (outcome, ended) = match (&d.result, d.status) {
            (Some(r), _) => (
                match r.timeliness {
                    Timeliness::Early => Outcome::Early,
                    Timeliness::OnTime => Outcome::OnTime,
                    Timeliness::Late => Outcome::Late,
                },
                Some(r.issued_at),
            ),
            (None, Status::Refused | Status::Withdrawn) => (stopped(d.closed_at), d.closed_at),
            (None, _) => (Outcome::Open, None),
        };
        let fee = if d.fee_total() <= 0 {
            Fee::None
        } else if d
            .payments
            .iter()
            .any(|p| p.starts_with(ONLINE_PAYMENT_PREFIX))
        {
            Fee::PaidOnline
        } else if d.fee_paid > 0 {
            Fee::PaidInPerson
        } else {
            Fee::Unpaid
        };
        Some(Cohort {
            received,
            ended: ended.map(Month::of),
            due: d
                .due_at
                .map(|t| t.with_timezone(&TZ).date_naive())
                .map(|due| {
                    if ended.is_some() {
                        due_once_ended(due)
                    } else {
                        due
                    }
                }),
            outcome,
            online: d.intake.channel == Channel::Online,
            fee,
            e_result: d
                .result
                .as_ref()
                .is_some_and(|r| r.document_sha256.is_some()),
            dissatisfied: d.rating == Some(Satisfaction::Dissatisfied),
            digitised: !d.intake.components.is_empty(),
            reused: d.intake.components.iter().any(|c| c.reused_from.is_some()),
        })
    }

    /// Received before the period's end and not ended before its start: the dossiers the
    /// period processed (column 3 of the report form).
    fn processed_in(&self, first: Month, last: Month) -> bool {
        self.received <= last && self.ended.is_none_or(|e| e >= first)
    }

    /// Still open at the end of the month `last`.
    fn open_after(&self, last: Month) -> bool {
        self.ended.is_none_or(|e| e > last)
    }

    /// Overdue if still open on day `as_of`: due before it (a dossier due that day is still
    /// in time).
    fn overdue_on(&self, as_of: NaiveDate) -> bool {
        self.due.is_some_and(|d| d < as_of)
    }
}

/// The due day of an ended dossier as the figures need it. Once ended, a dossier is judged
/// open only for periods that closed before it ended, on their last day: whether it was
/// overdue then depends only on its due month and whether it was due on that month's last
/// day. Any other day becomes the 1st, so ended dossiers of a month share few cohorts and the
/// rollup stays small.
fn due_once_ended(due: NaiveDate) -> NaiveDate {
    let month = Month::of_day(due);
    if due == month.last_day() {
        due
    } else {
        month.first_day()
    }
}

/// A stored cohort that does not read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a cohort: {0:?}")]
pub struct CohortError(pub String);

impl Cohort {
    /// `2026-07|2026-08|2026-08-14|early|online|paid_online|e_result||digitised|reused`, the
    /// stored form: received, ended (empty while open), due day (empty when none), outcome,
    /// channel, fee, result, rating, components, reuse.
    pub fn encode(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
            self.received.label(),
            self.ended.map(Month::label).unwrap_or_default(),
            self.due
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            self.outcome.as_str(),
            if self.online { "online" } else { "in_person" },
            self.fee.as_str(),
            if self.e_result { "e_result" } else { "" },
            if self.dissatisfied {
                "dissatisfied"
            } else {
                ""
            },
            if self.digitised { "digitised" } else { "" },
            if self.reused { "reused" } else { "" },
        )
    }

    pub fn decode(s: &str) -> Result<Cohort, CohortError> {
        let bad = || CohortError(s.to_string());
        let parts: Vec<&str> = s.split('|').collect();
        let [
            received,
            ended,
            due,
            outcome,
            channel,
            fee,
            result,
            rating,
            digitised,
            reused,
        ] = parts[..]
        else {
            return Err(bad());
        };
        let ended = match ended {
            "" => None,
            m => Some(Month::parse(m).ok_or_else(bad)?),
        };
        let due = match due {
            "" => None,
            d => Some(NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| bad())?),
        };
        let flag = |v: &str, word: &str| match v {
            "" => Ok(false),
            w if w == word => Ok(true),
            _ => Err(bad()),
        };
        Ok(Cohort {
            received: Month::parse(received).ok_or_else(bad)?,
            ended,
            due,
            outcome: Outcome::parse(outcome).ok_or_else(bad)?,
            online: match channel {
                "online" => true,
                "in_person" => false,
                _ => return Err(bad()),
            },
            fee: Fee::parse(fee).ok_or_else(bad)?,
            e_result: flag(result, "e_result")?,
            dissatisfied: flag(rating, "dissatisfied")?,
            digitised: flag(digitised, "digitised")?,
            reused: flag(reused, "reused")?,
        })
    }
}

/// Counted dossiers of one cohort and procedure: a row of the rollup, as the tests build them.
#[cfg(test)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CohortCount {
    pub procedure: ProcedureCode,
    pub cohort: Cohort,
    pub count: u64,
}

#[cfg(test)]
impl CohortCount {
    /// The row as the counting reads it.
    pub(crate) fn counted(&self) -> (&Cohort, u64) {
        (&self.cohort, self.count)
    }
}

/// A procedure that received online dossiers in a month: what tells whether an online service
/// was used in a period, kept apart from the cohort counts so that counts summed over every
/// procedure still tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OnlineUse {
    pub procedure: ProcedureCode,
    pub month: Month,
}

impl Cohort {
    /// The month this dossier counts as a use of its procedure's online service: when it was
    /// received, if it came online.
    pub fn online_use(&self) -> Option<Month> {
        self.online.then_some(self.received)
    }
}

/// The online uses of counted rows.
#[cfg(test)]
pub(crate) fn online_uses<'a>(rows: impl IntoIterator<Item = &'a CohortCount>) -> Vec<OnlineUse> {
    let mut uses: Vec<OnlineUse> = rows
        .into_iter()
        .filter(|r| r.count > 0)
        .filter_map(|r| {
            r.cohort.online_use().map(|month| OnlineUse {
                procedure: r.procedure,
                month,
            })
        })
        .collect();
    uses.sort();
    uses.dedup();
    uses
}

/// What the catalog says of a procedure the scope handles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    pub procedure: ProcedureCode,
    /// Offered online, partly or fully.
    pub online: bool,
    /// Charges a fee.
    pub with_fee: bool,
    /// Its fee can be paid through the province's gateway.
    pub payable_online: bool,
}

/// The measures that count dossiers, each decided per dossier by [`Cohort::counts`].
pub const DOSSIER_MEASURES: [Measure; 11] = [
    Measure::DossiersReceived,
    Measure::DossiersOnline,
    Measure::DossiersProcessed,
    Measure::DossiersInTime,
    Measure::DossiersFinished,
    Measure::DossiersWithEResult,
    Measure::DossiersWithFee,
    Measure::DossiersPaidOnline,
    Measure::DossiersSatisfactory,
    Measure::DossiersDigitised,
    Measure::DossiersReusingData,
];

impl Cohort {
    /// Whether this dossier counts in measure `m` for the months of `span`, open dossiers
    /// judged on day `as_of`; `None` for a measure that does not count dossiers (or that
    /// motcua does not count). The index's counts and the lists behind them both come from
    /// here, so a list's length is its number.
    pub fn counts(&self, m: Measure, span: Span, as_of: NaiveDate) -> Option<bool> {
        let at = DOSSIER_MEASURES.iter().position(|d| *d == m)?;
        Some(self.counted_in(span, as_of)[at])
    }

    /// For each of [`DOSSIER_MEASURES`], in its order, whether this dossier counts in it.
    fn counted_in(&self, span: Span, as_of: NaiveDate) -> [bool; 11] {
        let Span { first, last } = span;
        let received_now = first <= self.received && self.received <= last;
        let ended_now = self.ended.is_some_and(|e| first <= e && e <= last);
        let processed = self.processed_in(first, last);
        let in_time = processed
            && if self.open_after(last) {
                !self.overdue_on(as_of)
            } else {
                self.outcome.in_time()
            };
        let finished = ended_now
            && matches!(
                self.outcome,
                Outcome::Early | Outcome::OnTime | Outcome::Late
            );
        [
            received_now,
            received_now && self.online,
            processed,
            in_time,
            finished,
            finished && self.e_result,
            received_now && self.fee != Fee::None,
            received_now && self.fee == Fee::PaidOnline,
            in_time && !self.dissatisfied,
            received_now && self.digitised && self.e_result,
            received_now && self.reused,
        ]
    }
}

/// The measures motcua counts for a period from the scope's cohort counts, the online uses of
/// its procedures and its catalog, open dossiers judged on day `as_of`
/// ([`Period::judged_on`]); the others stay absent (not counted).
pub fn measures<'a>(
    period: Period,
    as_of: NaiveDate,
    rows: impl IntoIterator<Item = (&'a Cohort, u64)>,
    uses: impl IntoIterator<Item = &'a OnlineUse>,
    catalog: &[CatalogEntry],
) -> Counts {
    let mut c = Counts::new();
    let mut add = |m: Measure, n: u64| *c.entry(m).or_insert(0) += n;
    for m in DOSSIER_MEASURES {
        add(m, 0);
    }
    let span = Span::from(period);
    for (cohort, count) in rows {
        let counted = cohort.counted_in(span, as_of);
        for (m, yes) in DOSSIER_MEASURES.into_iter().zip(counted) {
            if yes {
                add(m, count);
            }
        }
    }
    let used: std::collections::BTreeSet<ProcedureCode> = uses
        .into_iter()
        .filter(|u| span.first <= u.month && u.month <= span.last)
        .map(|u| u.procedure)
        .collect();
    let online: Vec<&CatalogEntry> = catalog.iter().filter(|e| e.online).collect();
    add(Measure::ProceduresInAuthority, catalog.len() as u64);
    add(Measure::ProceduresOnline, online.len() as u64);
    add(Measure::OnlineServices, online.len() as u64);
    add(
        Measure::OnlineServicesUsed,
        online
            .iter()
            .filter(|e| used.contains(&e.procedure))
            .count() as u64,
    );
    add(
        Measure::ProceduresWithFee,
        catalog.iter().filter(|e| e.with_fee).count() as u64,
    );
    add(
        Measure::ProceduresPayableOnline,
        catalog
            .iter()
            .filter(|e| e.with_fee && e.payable_online)
            .count() as u64,
    );
    c
}

/// Takes out of the satisfactory dossiers of `span` those a petition was filed about (Decision
/// 766 counts a dossier with feedback against satisfaction); `petitioned` are their cohorts,
/// each judged by the rule that counted it.
pub fn discount_petitioned<'a>(
    counts: &mut Counts,
    span: Span,
    as_of: NaiveDate,
    petitioned: impl IntoIterator<Item = &'a Cohort>,
) {
    let n = petitioned
        .into_iter()
        .filter(|c| c.counts(Measure::DossiersSatisfactory, span, as_of) == Some(true))
        .count() as u64;
    if let Some(v) = counts.get_mut(&Measure::DossiersSatisfactory) {
        *v = v.saturating_sub(n);
    }
}

/// Where refused and withdrawn dossiers go in the report form: II.06a annotates column 9 "on
/// time" as including those returned or withdrawn, but whether one stopped after its
/// appointment stays on time is not confirmed, so it is configuration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StoppedColumn {
    /// Every refused or withdrawn dossier in column 9, as the annotation reads.
    #[default]
    OnTime,
    /// In column 9 when stopped by its appointment, in column 10 after it.
    ByAppointment,
}

/// Columns 3–13 of the report on handling procedures (Biểu 06/VPCP/KSTT, II.06a of Circular
/// 01/2020/TT-VPCP), in dossiers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Form06 {
    /// 3 = 4 + 5 + 6.
    pub received_total: u64,
    /// 4: received online in the period.
    pub received_online: u64,
    /// 5: received in person or by post in the period.
    pub received_in_person: u64,
    /// 6: open at the start of the period.
    pub carried_over: u64,
    /// 7 = 8 + 9 + 10: ended in the period.
    pub resolved_total: u64,
    pub resolved_early: u64,
    /// 9: on time, and (II.06a) those refused or withdrawn before their appointment.
    pub resolved_on_time: u64,
    pub resolved_late: u64,
    /// 11 = 12 + 13: open at the end of the period.
    pub pending_total: u64,
    pub pending_in_time: u64,
    pub pending_overdue: u64,
}

impl Form06 {
    /// The form's figures of `rows` for the months of `span`, open dossiers judged on day
    /// `as_of`.
    pub fn of<'a>(
        span: Span,
        as_of: NaiveDate,
        stopped: StoppedColumn,
        rows: impl IntoIterator<Item = (&'a Cohort, u64)>,
    ) -> Form06 {
        let Span { first, last } = span;
        let mut f = Form06::default();
        for (k, n) in rows {
            if !k.processed_in(first, last) {
                continue;
            }
            f.received_total += n;
            if k.received < first {
                f.carried_over += n;
            } else if k.online {
                f.received_online += n;
            } else {
                f.received_in_person += n;
            }
            if k.open_after(last) {
                f.pending_total += n;
                if k.overdue_on(as_of) {
                    f.pending_overdue += n;
                } else {
                    f.pending_in_time += n;
                }
            } else {
                f.resolved_total += n;
                match k.outcome {
                    Outcome::Early => f.resolved_early += n,
                    Outcome::Late => f.resolved_late += n,
                    Outcome::StoppedLate if stopped == StoppedColumn::ByAppointment => {
                        f.resolved_late += n
                    }
                    _ => f.resolved_on_time += n,
                }
            }
        }
        f
    }

    /// Columns 3–13 in the form's order.
    pub fn columns(&self) -> [u64; 11] {
        [
            self.received_total,
            self.received_online,
            self.received_in_person,
            self.carried_over,
            self.resolved_total,
            self.resolved_early,
            self.resolved_on_time,
            self.resolved_late,
            self.pending_total,
            self.pending_in_time,
            self.pending_overdue,
        ]
    }

    /// Adds another row's figures (a total).
    pub fn add(&mut self, o: &Form06) {
        self.received_total += o.received_total;
        self.received_online += o.received_online;
        self.received_in_person += o.received_in_person;
        self.carried_over += o.carried_over;
        self.resolved_total += o.resolved_total;
        self.resolved_early += o.resolved_early;
        self.resolved_on_time += o.resolved_on_time;
        self.resolved_late += o.resolved_late;
        self.pending_total += o.pending_total;
        self.pending_in_time += o.pending_in_time;
        self.pending_overdue += o.pending_overdue;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn m(year: i32, month: u32) -> Month {
        Month { year, month }
    }

    /// A cohort; `due` is the 15th of its month.
    fn row(received: Month, ended: Option<Month>, due: Option<Month>, outcome: Outcome) -> Cohort {
        Cohort {
            received,
            ended,
            due: due.map(|m| NaiveDate::from_ymd_opt(m.year, m.month, 15).unwrap()),
            outcome,
            online: false,
            fee: Fee::None,
            e_result: false,
            dissatisfied: false,
            digitised: false,
            reused: false,
        }
    }

    fn counted(cohorts: Vec<Cohort>) -> Vec<CohortCount> {
        cohorts
            .into_iter()
            .map(|cohort| CohortCount {
                procedure: "1.000001".parse().unwrap(),
                cohort,
                count: 1,
            })
            .collect()
    }

    /// Twelve dossiers around the third quarter of 2026, each a case of the form's rules.
    fn quarter() -> Vec<CohortCount> {
        let q = |month| m(2026, month);
        let mut online_paid = row(q(7), Some(q(8)), Some(q(8)), Outcome::Early);
        online_paid.online = true;
        online_paid.fee = Fee::PaidOnline;
        online_paid.e_result = true;
        let mut counter_paid = row(q(8), Some(q(9)), Some(q(9)), Outcome::OnTime);
        counter_paid.fee = Fee::PaidInPerson;
        let mut unhappy = row(q(9), Some(q(9)), Some(q(10)), Outcome::OnTime);
        unhappy.dissatisfied = true;
        let mut online_open = row(q(9), None, Some(q(10)), Outcome::Open);
        online_open.online = true;
        online_open.fee = Fee::Unpaid;
        counted(vec![
            // Carried in from June: ended early in July, late in August, still open and
            // overdue, still open and due after the quarter.
            row(q(6), Some(q(7)), Some(q(7)), Outcome::Early),
            row(q(6), Some(q(8)), Some(q(7)), Outcome::Late),
            row(q(5), None, Some(q(6)), Outcome::Open),
            row(q(6), None, Some(q(12)), Outcome::Open),
            // Ended before the quarter: not counted in it.
            row(q(4), Some(q(5)), Some(q(5)), Outcome::OnTime),
            // Received in the quarter.
            online_paid,
            counter_paid,
            unhappy,
            online_open,
            row(q(8), Some(q(8)), Some(q(9)), Outcome::StoppedInTime),
            row(q(7), None, Some(q(9)), Outcome::Open),
            // Received after the quarter: not counted in it.
            row(q(10), None, Some(q(11)), Outcome::Open),
        ])
    }

    #[test]
    fn cohorts_read_back() {
        for c in quarter() {
            assert_eq!(Cohort::decode(&c.cohort.encode()), Ok(c.cohort));
        }
        let mut c = quarter()[5].cohort;
        assert_eq!(
            c.encode(),
            "2026-07|2026-08|2026-08-15|early|online|paid_online|e_result|||"
        );
        c.dissatisfied = true;
        c.digitised = true;
        c.reused = true;
        assert_eq!(
            c.encode(),
            "2026-07|2026-08|2026-08-15|early|online|paid_online|e_result|dissatisfied|digitised|reused"
        );
        assert_eq!(Cohort::decode(&c.encode()), Ok(c));
        for bad in [
            "",
            "2026-07",
            "2026-13||||in_person|none||||",
            "2026-07|||open|by_air|none||||",
            // Before the components were counted.
            "2026-07|2026-08|2026-08-15|early|online|paid_online|e_result|",
            "2026-07|||open|online|none||||yes",
        ] {
            assert!(Cohort::decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_report_form_of_a_quarter() {
        let q3 = Period::Quarter {
            year: 2026,
            quarter: 3,
        };
        let f = Form06::of(
            q3.into(),
            q3.judged_on(NaiveDate::MAX),
            StoppedColumn::default(),
            quarter().iter().map(CohortCount::counted),
        );
        assert_eq!(
            f,
            Form06 {
                received_total: 10,
                received_online: 2,
                received_in_person: 4,
                carried_over: 4,
                resolved_total: 6,
                resolved_early: 2,
                resolved_on_time: 3,
                resolved_late: 1,
                pending_total: 4,
                pending_in_time: 2,
                pending_overdue: 2,
            }
        );
    }

    #[test]
    fn a_dossier_withdrawn_after_its_appointment_goes_where_configured() {
        let july = m(2026, 7);
        let rows = counted(vec![row(
            july,
            Some(july),
            Some(july),
            Outcome::StoppedLate,
        )]);
        let span = Span {
            first: july,
            last: july,
        };
        let form = |stopped| {
            Form06::of(
                span,
                july.last_day(),
                stopped,
                rows.iter().map(CohortCount::counted),
            )
        };
        let on_time = form(StoppedColumn::OnTime);
        assert_eq!((on_time.resolved_on_time, on_time.resolved_late), (1, 0));
        let late = form(StoppedColumn::ByAppointment);
        assert_eq!((late.resolved_on_time, late.resolved_late), (0, 1));
        assert_eq!(
            Span {
                first: m(2026, 1),
                last: m(2026, 2)
            }
            .previous(),
            Span {
                first: m(2025, 11),
                last: m(2025, 12)
            }
        );
        assert_eq!(
            m(2026, 2).last_day(),
            NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()
        );
    }

    #[test]
    fn the_measures_of_a_quarter() {
        let q3 = Period::Quarter {
            year: 2026,
            quarter: 3,
        };
        let catalog = vec![
            CatalogEntry {
                procedure: "1.000001".parse().unwrap(),
                online: true,
                with_fee: true,
                payable_online: true,
            },
            CatalogEntry {
                procedure: "1.000002".parse().unwrap(),
                online: true,
                with_fee: false,
                payable_online: false,
            },
            CatalogEntry {
                procedure: "1.000003".parse().unwrap(),
                online: false,
                with_fee: true,
                payable_online: false,
            },
        ];
        let rows = quarter();
        let c = measures(
            q3,
            q3.judged_on(NaiveDate::MAX),
            rows.iter().map(CohortCount::counted),
            &online_uses(&rows),
            &catalog,
        );
        let get = |m: Measure| c[&m];
        assert_eq!(get(Measure::DossiersReceived), 6);
        assert_eq!(get(Measure::DossiersOnline), 2);
        assert_eq!(get(Measure::DossiersProcessed), 10);
        // Early ×2, on time ×2, stopped in time, open and due after the quarter ×2; not the
        // late one nor the two overdue at its end.
        assert_eq!(get(Measure::DossiersInTime), 7);
        assert_eq!(
            get(Measure::DossiersSatisfactory),
            6,
            "less the dissatisfied one"
        );
        assert_eq!(get(Measure::DossiersFinished), 5);
        assert_eq!(get(Measure::DossiersWithEResult), 1);
        assert_eq!(get(Measure::DossiersWithFee), 3);
        assert_eq!(get(Measure::DossiersPaidOnline), 1);
        assert_eq!(get(Measure::ProceduresInAuthority), 3);
        assert_eq!(get(Measure::ProceduresOnline), 2);
        assert_eq!(get(Measure::OnlineServicesUsed), 1);
        assert_eq!(get(Measure::ProceduresWithFee), 2);
        assert_eq!(get(Measure::ProceduresPayableOnline), 1);
        assert!(
            !c.contains_key(&Measure::DossiersSyncedOnTime),
            "not counted"
        );
        // Feedback about a dossier counted satisfactory takes it out; about one that was not
        // (late, or overdue), changes nothing.
        let as_of = q3.judged_on(NaiveDate::MAX);
        let (kept, not): (Vec<&Cohort>, Vec<&Cohort>) = rows
            .iter()
            .map(|r| &r.cohort)
            .filter(|c| c.counts(Measure::DossiersProcessed, q3.into(), as_of) == Some(true))
            .partition(|c| c.counts(Measure::DossiersSatisfactory, q3.into(), as_of) == Some(true));
        let mut discounted = c.clone();
        discount_petitioned(&mut discounted, q3.into(), as_of, [kept[0], not[0]]);
        assert_eq!(discounted[&Measure::DossiersSatisfactory], 5);
    }

    fn any_month() -> impl Strategy<Value = Month> {
        (2025i32..=2026, 1u32..=12).prop_map(|(year, month)| Month { year, month })
    }

    fn any_cohort() -> impl Strategy<Value = Cohort> {
        (
            any_month(),
            proptest::option::of(0u32..6),
            proptest::option::of(0u32..4),
            0usize..6,
            any::<bool>(),
        )
            .prop_map(|(received, ended_after, due_after, o, online)| {
                let later = |n: u32| {
                    let i = received.year * 12 + received.month as i32 - 1 + n as i32;
                    Month {
                        year: i.div_euclid(12),
                        month: i.rem_euclid(12) as u32 + 1,
                    }
                };
                let ended = ended_after.map(later);
                let outcome = match ended {
                    None => Outcome::Open,
                    Some(_) => Outcome::ALL[1 + o % 5],
                };
                let mut c = row(received, ended, due_after.map(later), outcome);
                c.online = online;
                c
            })
    }

    proptest! {
        #[test]
        fn the_form_adds_up_and_carries_over(cohorts in proptest::collection::vec(any_cohort(), 0..60), month in 1u32..=12) {
            let rows = counted(cohorts);
            let p = Period::Month { year: 2026, month };
            let judged = |p: Period| p.judged_on(NaiveDate::MAX);
            let form = |p: Period, stopped| Form06::of(p.into(), judged(p), stopped, rows.iter().map(CohortCount::counted));
            let stopped = if month % 2 == 0 { StoppedColumn::OnTime } else { StoppedColumn::ByAppointment };
            let f = form(p, stopped);
            prop_assert_eq!(f.received_total, f.received_online + f.received_in_person + f.carried_over);
            prop_assert_eq!(f.received_total, f.resolved_total + f.pending_total);
            prop_assert_eq!(f.resolved_total, f.resolved_early + f.resolved_on_time + f.resolved_late);
            prop_assert_eq!(f.pending_total, f.pending_in_time + f.pending_overdue);
            let before = form(p.previous(), stopped);
            prop_assert_eq!(Span::from(p).previous(), Span::from(p.previous()));
            prop_assert_eq!(f.carried_over, before.pending_total);
            // The quarter's form is its months' receipts and endings, carried from its first.
            let q = Period::Quarter { year: 2026, quarter: month.div_ceil(3) };
            let fq = form(q, stopped);
            let months: Vec<Form06> = q.months().into_iter().map(|p| form(p, stopped)).collect();
            prop_assert_eq!(fq.carried_over, months[0].carried_over);
            prop_assert_eq!(fq.pending_total, months[2].pending_total);
            prop_assert_eq!(fq.resolved_total, months.iter().map(|f| f.resolved_total).sum::<u64>());
        }
    }
}

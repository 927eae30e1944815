//! Deciding: which events a command produces, given the state, the actor and the time.

use chrono::{DateTime, Duration, Utc};

use super::{
    Command, Dossier, Event, EventKind, Intake, LifecycleError, ReturnChannel, Status, Timeliness,
};
use crate::calendar::{TZ, WorkingCalendar};
use crate::ids::AgencyCode;
use crate::procedure::{StepPlan, SupplementClock};
use crate::role::{Actor, Role};

/// How early / on time / late is decided when the result is issued. Not settled nationally
/// (domain brief §2.2), hence configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelinessRule {
    /// Late when issued after the due instant; early when issued on an earlier date.
    #[default]
    ByInstant,
    /// Compares dates only: a result issued on the appointment date is on time.
    ByDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct TimelinessPolicy {
    pub rule: TimelinessRule,
    /// When true, a result delivered by the re-appointed date counts as on time; by default the
    /// original appointment is the measure (an apology admits the delay).
    pub reappointment_counts: bool,
}

impl TimelinessPolicy {
    pub fn classify(&self, issued: DateTime<Utc>, due: DateTime<Utc>) -> Timeliness {
        let (di, dd) = (
            issued.with_timezone(&TZ).date_naive(),
            due.with_timezone(&TZ).date_naive(),
        );
        let late = match self.rule {
            TimelinessRule::ByInstant => issued > due,
            TimelinessRule::ByDate => di > dd,
        };
        if late {
            Timeliness::Late
        } else if di < dd {
            Timeliness::Early
        } else {
            Timeliness::OnTime
        }
    }
}

/// The lifecycle of a centre: its calendar and timeliness policy.
pub struct Lifecycle<'a> {
    pub calendar: &'a WorkingCalendar,
    pub timeliness: TimelinessPolicy,
}

const MAX_TEXT: usize = 2000;

/// Roles that handle a dossier at the one-stop department or an agency.
const HANDLERS: &[Role] = &[
    Role::Reception,
    Role::Specialist,
    Role::Approver,
    Role::AgencySystem,
];

/// Line breaks and tabs are fine in free text; other control characters are not.
fn has_control(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

fn text(field: &'static str, s: &str) -> Result<(), LifecycleError> {
    let len = s.chars().count();
    if s.trim().is_empty() || len > MAX_TEXT || has_control(s) {
        Err(LifecycleError::Text {
            field,
            max: MAX_TEXT,
        })
    } else {
        Ok(())
    }
}

fn optional_text(field: &'static str, s: &Option<String>) -> Result<(), LifecycleError> {
    match s {
        Some(s) if s.chars().count() > MAX_TEXT => Err(LifecycleError::Text {
            field,
            max: MAX_TEXT,
        }),
        _ => Ok(()),
    }
}

fn texts(field: &'static str, list: &[String]) -> Result<(), LifecycleError> {
    if list.is_empty() || list.len() > 100 {
        return Err(LifecycleError::Text {
            field,
            max: MAX_TEXT,
        });
    }
    list.iter().try_for_each(|s| text(field, s))
}

/// The actions an officer's page may offer, in the order it offers them.
const OFFERED: [&str; 14] = [
    "receive",
    "correct_fee",
    "forward",
    "assign",
    "transfer",
    "send_back",
    "request_supplement",
    "accept_supplement",
    "submit_supplement",
    "propose_refusal",
    "approve",
    "issue_result",
    "refuse",
    "return_result",
];

impl Lifecycle<'_> {
    /// The actions `actor` may take on `d` at `now`: those whose command the lifecycle would
    /// accept with proper details (a reason, a file, another agency …). An unpaid fee does not
    /// hide reception: the page says what is owed, and the refusal says it again.
    pub fn offers(&self, d: &Dossier, actor: &Actor, now: DateTime<Utc>) -> Vec<&'static str> {
        let text = || "…".to_string();
        let elsewhere = [d.intake.receiving_agency, d.intake.competent_agency]
            .into_iter()
            .find(|a| *a != d.current_agency)
            .unwrap_or(d.current_agency);
        OFFERED
            .into_iter()
            .filter(|action| {
                let command = match *action {
                    "receive" => Command::Receive,
                    "correct_fee" => Command::CorrectFee {
                        amount: d.fee_total() + 1,
                        reason: text(),
                    },
                    "forward" => Command::Forward {
                        assignee: None,
                        note: None,
                    },
                    "assign" => Command::Assign { assignee: text() },
                    "transfer" => Command::Transfer {
                        to_agency: elsewhere,
                        reason: text(),
                    },
                    "send_back" => Command::SendBack { reason: text() },
                    "request_supplement" => Command::RequestSupplement {
                        reason: text(),
                        missing: vec![text()],
                    },
                    "accept_supplement" => Command::AcceptSupplement,
                    "submit_supplement" => Command::SubmitSupplement { note: None },
                    "propose_refusal" => Command::ProposeRefusal { reason: text() },
                    "approve" => Command::Approve { note: None },
                    "issue_result" => Command::IssueResult {
                        summary: text(),
                        document_sha256: None,
                    },
                    "refuse" => Command::Refuse {
                        reasons: vec![text()],
                    },
                    _ => Command::ReturnResult {
                        channel: ReturnChannel::Counter,
                    },
                };
                matches!(
                    self.decide(Some(d), &command, actor, now),
                    Ok(_) | Err(LifecycleError::FeeUnpaid { .. } | LifecycleError::SameAgency)
                )
            })
            .collect()
    }

    /// When a step handed over at `now` runs out of its budget of working hours.
    pub fn step_due(&self, step: Option<&StepPlan>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        step.map(|s| {
            self.calendar
                .add_working_time(now, Duration::hours(i64::from(s.budget_hours)))
        })
    }

    /// The events `command` produces on `state` (None before the dossier exists).
    pub fn decide(
        &self,
        state: Option<&Dossier>,
        command: &Command,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<Event>, LifecycleError> {
        let event = |kind| Event {
            at: now,
            actor: actor.clone(),
            kind,
        };
        let Some(d) = state else {
            return match command {
                Command::Open(intake) => self
                    .open(intake, actor, now)
                    .map(|kinds| kinds.into_iter().map(event).collect()),
                _ => Err(LifecycleError::NotOpened),
            };
        };
        let action = command.name();
        let allow = |roles: &[Role]| -> Result<(), LifecycleError> {
            if roles.contains(&actor.role) {
                Ok(())
            } else {
                Err(LifecycleError::RoleNotAllowed {
                    role: actor.role,
                    action,
                })
            }
        };
        let invalid = || LifecycleError::InvalidTransition {
            status: d.status,
            action,
        };
        // Scope: the one-stop side acts for the receiving agency, the processing side for the
        // agency holding the dossier; the applicant only on their own dossier.
        let scope_reception = || self.in_scope(actor, d, d.intake.receiving_agency);
        let scope_holder = || self.in_scope(actor, d, d.current_agency);
        use Status::*;
        let kind = match command {
            Command::Open(_) => return Err(LifecycleError::AlreadyOpened),
            Command::Receive => {
                allow(&[Role::Reception, Role::AgencySystem])?;
                scope_reception()?;
                if d.status != Submitted {
                    return Err(invalid());
                }
                if d.fee_owed() > 0 {
                    return Err(LifecycleError::FeeUnpaid {
                        due: d.fee_total(),
                        paid: d.fee_paid,
                    });
                }
                self.receipt(d, now)
            }
            Command::Forward { assignee, note } => {
                allow(HANDLERS)?;
                optional_text("note", note)?;
                optional_text("assignee", assignee)?;
                let next = match d.status {
                    Received => {
                        scope_reception()?;
                        0
                    }
                    InProcessing => {
                        scope_holder()?;
                        d.step.map_or(0, |s| s + 1)
                    }
                    _ => return Err(invalid()),
                };
                let steps = &d.intake.procedure.steps;
                if next >= steps.len() && !(steps.is_empty() && d.status == Received) {
                    return Err(LifecycleError::NoNextStep);
                }
                let agency = steps
                    .get(next)
                    .and_then(|s| s.agency)
                    .unwrap_or(d.intake.competent_agency);
                EventKind::Forwarded {
                    step: next,
                    agency,
                    assignee: assignee.clone(),
                    note: note.clone(),
                    step_due_at: self.step_due(steps.get(next), now),
                }
            }
            Command::SendBack { reason } => {
                allow(&[Role::Specialist, Role::Approver, Role::AgencySystem])?;
                scope_holder()?;
                text("reason", reason)?;
                if d.status != InProcessing {
                    return Err(invalid());
                }
                let prev = d
                    .step
                    .and_then(|s| s.checked_sub(1))
                    .ok_or(LifecycleError::NoPreviousStep)?;
                let agency = d
                    .intake
                    .procedure
                    .steps
                    .get(prev)
                    .and_then(|s| s.agency)
                    .unwrap_or(d.intake.competent_agency);
                EventKind::SentBack {
                    step: prev,
                    agency,
                    reason: reason.clone(),
                    step_due_at: self.step_due(d.intake.procedure.steps.get(prev), now),
                }
            }
            Command::Transfer { to_agency, reason } => {
                allow(HANDLERS)?;
                scope_holder()?;
                text("reason", reason)?;
                if !matches!(d.status, Received | InProcessing | Supplemented) {
                    return Err(invalid());
                }
                if *to_agency == d.current_agency {
                    return Err(LifecycleError::SameAgency);
                }
                EventKind::Transferred {
                    from_agency: d.current_agency,
                    to_agency: *to_agency,
                    reason: reason.clone(),
                }
            }
            Command::Assign { assignee } => {
                allow(HANDLERS)?;
                scope_holder()?;
                text("assignee", assignee)?;
                if !matches!(d.status, Received | InProcessing | Supplemented) {
                    return Err(invalid());
                }
                EventKind::Assigned {
                    assignee: assignee.clone(),
                }
            }
            Command::RequestSupplement { reason, missing } => {
                allow(HANDLERS)?;
                text("reason", reason)?;
                texts("missing", missing)?;
                let remaining_secs = match d.status {
                    Submitted => {
                        scope_reception()?;
                        None
                    }
                    Received | InProcessing | Supplemented => {
                        scope_holder()?;
                        match d.intake.procedure.supplement_clock {
                            SupplementClock::Restart => None,
                            SupplementClock::Pause => {
                                let from = d.clock_started_at.map_or(now, |c| c.max(now));
                                let left = d.due_at.map_or(Duration::zero(), |due| {
                                    self.calendar.working_time_between(from, due)
                                });
                                Some(left.num_seconds())
                            }
                        }
                    }
                    _ => return Err(invalid()),
                };
                EventKind::SupplementRequested {
                    reason: reason.clone(),
                    missing: missing.clone(),
                    remaining_secs,
                }
            }
            Command::SubmitSupplement { note } => {
                optional_text("note", note)?;
                self.applicant_or_reception(actor, d, action)?;
                let Some(pending) = d
                    .supplement
                    .as_ref()
                    .filter(|_| d.status == AwaitingSupplement)
                else {
                    return Err(invalid());
                };
                let from = d
                    .clock_started_at
                    .map_or(pending.requested_at, |c| c.max(pending.requested_at));
                let resume = self.calendar.clock_start(now);
                let awaited_secs = self
                    .calendar
                    .working_time_between(from, resume.max(from))
                    .num_seconds();
                let (clock_started_at, due_at) = if pending.before_receipt {
                    (None, None)
                } else {
                    match (d.intake.procedure.supplement_clock, pending.remaining_secs) {
                        (SupplementClock::Pause, Some(left)) => (
                            Some(resume),
                            Some(
                                self.calendar
                                    .add_working_time(resume, Duration::seconds(left)),
                            ),
                        ),
                        _ => (
                            Some(resume),
                            Some(self.calendar.due(now, d.intake.procedure.processing_time)),
                        ),
                    }
                };
                EventKind::Supplemented {
                    note: note.clone(),
                    clock_started_at,
                    due_at,
                    awaited_secs,
                }
            }
            Command::AcceptSupplement => {
                allow(HANDLERS)?;
                scope_holder()?;
                if d.status != Supplemented {
                    return Err(invalid());
                }
                EventKind::SupplementAccepted
            }
            Command::ProposeRefusal { reason } => {
                allow(&[Role::Specialist, Role::Approver, Role::AgencySystem])?;
                scope_holder()?;
                text("reason", reason)?;
                if !matches!(d.status, InProcessing | Supplemented) || d.refusal_proposed {
                    return Err(invalid());
                }
                EventKind::RefusalProposed {
                    reason: reason.clone(),
                }
            }
            Command::Approve { note } => {
                allow(&[Role::Approver, Role::AgencySystem])?;
                scope_holder()?;
                optional_text("note", note)?;
                if d.status != InProcessing || d.approved {
                    return Err(invalid());
                }
                EventKind::Approved { note: note.clone() }
            }
            Command::Refuse { reasons } => {
                texts("reasons", reasons)?;
                match d.status {
                    Submitted => {
                        allow(&[Role::Reception, Role::AgencySystem])?;
                        scope_reception()?;
                    }
                    Received | InProcessing | Supplemented => {
                        allow(&[Role::Approver, Role::AgencySystem])?;
                        scope_holder()?;
                        if !d.refusal_proposed && actor.role != Role::AgencySystem {
                            return Err(LifecycleError::RefusalNotProposed);
                        }
                    }
                    _ => return Err(invalid()),
                }
                EventKind::Refused {
                    reasons: reasons.clone(),
                }
            }
            Command::IssueResult {
                summary,
                document_sha256,
            } => {
                allow(&[Role::Approver, Role::Specialist, Role::AgencySystem])?;
                scope_holder()?;
                text("summary", summary)?;
                if let Some(h) = document_sha256
                    && (h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()))
                {
                    return Err(LifecycleError::Text {
                        field: "document_sha256",
                        max: 64,
                    });
                }
                if d.status != InProcessing {
                    return Err(invalid());
                }
                if !d.approved {
                    return Err(LifecycleError::NotApproved);
                }
                let measure = if self.timeliness.reappointment_counts {
                    d.due_at
                } else {
                    d.original_due_at.or(d.due_at)
                };
                let timeliness =
                    measure.map_or(Timeliness::OnTime, |due| self.timeliness.classify(now, due));
                EventKind::ResultIssued {
                    summary: summary.clone(),
                    document_sha256: document_sha256.as_ref().map(|h| h.to_ascii_lowercase()),
                    timeliness,
                }
            }
            Command::ReturnResult { channel } => {
                if d.status != ResultReady {
                    return Err(invalid());
                }
                match channel {
                    ReturnChannel::Online if actor.role == Role::Applicant => self.own(actor, d)?,
                    ReturnChannel::Post { tracking_number } => {
                        allow(&[Role::Reception, Role::AgencySystem])?;
                        scope_reception()?;
                        text("tracking_number", tracking_number)?;
                    }
                    _ => {
                        allow(&[Role::Reception, Role::AgencySystem])?;
                        scope_reception()?;
                    }
                }
                EventKind::ResultReturned {
                    channel: channel.clone(),
                }
            }
            Command::Rate {
                satisfaction,
                criteria,
                comment,
            } => {
                allow(&[Role::Applicant])?;
                self.own(actor, d)?;
                if !matches!(d.status, ResultReady | Returned) {
                    return Err(invalid());
                }
                if d.rating.is_some() {
                    return Err(LifecycleError::AlreadyRated);
                }
                let mut seen = Vec::new();
                for c in criteria {
                    if c.score > 2 || seen.contains(&c.criterion) {
                        return Err(LifecycleError::BadScore);
                    }
                    seen.push(c.criterion);
                }
                optional_text("comment", comment)?;
                EventKind::Rated {
                    satisfaction: *satisfaction,
                    criteria: criteria.clone(),
                    comment: comment.clone(),
                }
            }
            Command::RecordPayment { reference, amount } => {
                allow(&[Role::System, Role::Reception, Role::AgencySystem])?;
                if actor.role != Role::System {
                    scope_reception()?;
                }
                text("reference", reference)?;
                if d.status.is_final() {
                    return Err(invalid());
                }
                if *amount <= 0 {
                    return Err(LifecycleError::BadAmount);
                }
                if d.payments.contains(reference) {
                    return Err(LifecycleError::AlreadyPaid);
                }
                EventKind::FeePaid {
                    reference: reference.clone(),
                    amount: *amount,
                }
            }
            Command::CorrectFee { amount, reason } => {
                allow(&[Role::Reception, Role::AgencySystem])?;
                scope_reception()?;
                text("reason", reason)?;
                // Once received the fee has been settled and the clock runs on it.
                if d.status != Submitted {
                    return Err(invalid());
                }
                if *amount < 0 {
                    return Err(LifecycleError::BadFee);
                }
                if *amount == d.fee_total() {
                    return Err(LifecycleError::FeeUnchanged);
                }
                EventKind::FeeCorrected {
                    previous: d.fee_total(),
                    amount: *amount,
                    reason: reason.clone(),
                }
            }
            Command::Withdraw { reason } => {
                text("reason", reason)?;
                self.applicant_or_reception(actor, d, action)?;
                if !matches!(
                    d.status,
                    Submitted | Received | InProcessing | AwaitingSupplement | Supplemented
                ) {
                    return Err(invalid());
                }
                EventKind::Withdrawn {
                    reason: reason.clone(),
                }
            }
            Command::Reappoint { new_due_at, reason } => {
                allow(&[
                    Role::Reception,
                    Role::Specialist,
                    Role::Approver,
                    Role::Leader,
                    Role::AgencySystem,
                    Role::System,
                ])?;
                match actor.role {
                    // The deadline watcher apologises for any late dossier.
                    Role::System => {}
                    Role::Reception => scope_reception()?,
                    _ => scope_holder()?,
                }
                text("reason", reason)?;
                // Not while waiting for the applicant: that time is not the agency's, and the
                // appointment is set afresh when the supplement arrives.
                if !matches!(d.status, Received | InProcessing | Supplemented) {
                    return Err(invalid());
                }
                let Some(due) = d.due_at else {
                    return Err(invalid());
                };
                if d.original_due_at.is_some() {
                    return Err(LifecycleError::AlreadyReappointed);
                }
                if *new_due_at <= due {
                    return Err(LifecycleError::DueNotLater);
                }
                let in_time =
                    now.with_timezone(&TZ).date_naive() < due.with_timezone(&TZ).date_naive();
                EventKind::Reappointed {
                    previous_due_at: due,
                    new_due_at: *new_due_at,
                    reason: reason.clone(),
                    in_time,
                }
            }
        };
        Ok(vec![event(kind)])
    }

    fn open(
        &self,
        intake: &Intake,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<EventKind>, LifecycleError> {
        let action = "open";
        match actor.role {
            Role::Reception | Role::AgencySystem => {}
            Role::Applicant if intake.channel == super::Channel::Online && !intake.receive_now => {}
            role => return Err(LifecycleError::RoleNotAllowed { role, action }),
        }
        if actor.role != Role::Applicant
            && !actor.agency.is_some_and(|a| {
                a.covers(&intake.receiving_agency) || a.covers(&intake.competent_agency)
            })
        {
            return Err(LifecycleError::OutOfScope);
        }
        let name = intake.applicant.name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(LifecycleError::Text {
                field: "applicant.name",
                max: 200,
            });
        }
        if let Some(email) = &intake.applicant.email {
            let ok = email.len() <= 254
                && email
                    .split_once('@')
                    .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'))
                && !email.chars().any(|c| c.is_whitespace() || c.is_control());
            if !ok {
                return Err(LifecycleError::Text {
                    field: "applicant.email",
                    max: 254,
                });
            }
        }
        if let Some(b) = &intake.branch
            && (b.trim().is_empty() || b.len() > 64 || has_control(b))
        {
            return Err(LifecycleError::Text {
                field: "branch",
                max: 64,
            });
        }
        if intake.receive_now && intake.procedure.prepaid_fee > 0 {
            return Err(LifecycleError::FeeUnpaid {
                due: intake.procedure.prepaid_fee,
                paid: 0,
            });
        }
        let opened = EventKind::Opened(Box::new(intake.clone()));
        if !intake.receive_now {
            return Ok(vec![opened]);
        }
        let (clock_started_at, due_at) = self.clock(now, intake);
        Ok(vec![
            opened,
            EventKind::Received {
                clock_started_at,
                due_at,
            },
        ])
    }

    fn clock(&self, now: DateTime<Utc>, intake: &Intake) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            self.calendar.clock_start(now),
            self.calendar.due(now, intake.procedure.processing_time),
        )
    }

    fn receipt(&self, d: &Dossier, now: DateTime<Utc>) -> EventKind {
        let (clock_started_at, due_at) = self.clock(now, &d.intake);
        EventKind::Received {
            clock_started_at,
            due_at,
        }
    }

    fn in_scope(
        &self,
        actor: &Actor,
        d: &Dossier,
        agency: AgencyCode,
    ) -> Result<(), LifecycleError> {
        match actor.agency {
            Some(a)
                if a.covers(&agency)
                    || (actor.role == Role::AgencySystem
                        && d.involved.iter().any(|x| a.covers(x))) =>
            {
                Ok(())
            }
            _ => Err(LifecycleError::OutOfScope),
        }
    }

    fn own(&self, actor: &Actor, d: &Dossier) -> Result<(), LifecycleError> {
        if d.intake.owner.as_ref().map(|o| o.as_str()) == Some(actor.id.as_str()) {
            Ok(())
        } else {
            Err(LifecycleError::OutOfScope)
        }
    }

    fn applicant_or_reception(
        &self,
        actor: &Actor,
        d: &Dossier,
        action: &'static str,
    ) -> Result<(), LifecycleError> {
        match actor.role {
            Role::Applicant => self.own(actor, d),
            Role::Reception | Role::AgencySystem => {
                self.in_scope(actor, d, d.intake.receiving_agency)
            }
            role => Err(LifecycleError::RoleNotAllowed { role, action }),
        }
    }
}

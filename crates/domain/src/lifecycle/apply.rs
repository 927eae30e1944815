//! Applying: folding an event into the state. Never fails for events `decide` produced; a
//! stored history that does not fit (corruption, hand edits) is reported, not guessed at.

use super::{Dossier, Event, EventKind, PendingSupplement, ResultInfo, Status};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("event {index} ({event}) cannot start a history")]
    NotOpening { index: usize, event: &'static str },
    #[error("event {index} opens a dossier that is already open")]
    OpenedTwice { index: usize },
    #[error("event {index} ({event}) does not apply to a dossier that is {status:?}")]
    DoesNotFit {
        index: usize,
        event: &'static str,
        status: Status,
    },
    #[error("no events")]
    Empty,
}

/// Folds one event into the state. `index` is the event's position, for error messages.
pub fn apply(state: Option<Dossier>, event: &Event, index: usize) -> Result<Dossier, ReplayError> {
    let at = event.at;
    let Some(mut d) = state else {
        let EventKind::Opened(intake) = &event.kind else {
            return Err(ReplayError::NotOpening {
                index,
                event: event.kind.name(),
            });
        };
        let intake = (**intake).clone();
        return Ok(Dossier {
            status: Status::Submitted,
            current_agency: intake.receiving_agency,
            involved: vec![intake.receiving_agency],
            intake,
            submitted_at: at,
            received_at: None,
            clock_started_at: None,
            due_at: None,
            original_due_at: None,
            step: None,
            step_due_at: None,
            assignee: None,
            supplement: None,
            supplement_rounds: 0,
            supplement_secs: 0,
            refusal_proposed: false,
            approved: false,
            result: None,
            returned_at: None,
            closed_at: None,
            last_event_at: at,
            fee_paid: 0,
            fee_corrected: None,
            payments: Vec::new(),
            rating: None,
        });
    };
    let misfit = |d: &Dossier| ReplayError::DoesNotFit {
        index,
        event: event.kind.name(),
        status: d.status,
    };
    // A closed dossier takes only its rating.
    if d.status.is_final() && !matches!(event.kind, EventKind::Rated { .. }) {
        return Err(misfit(&d));
    }
    if let Some(agency) = event.kind.routes_to(&d.intake)
        && !d.involved.contains(&agency)
    {
        d.involved.push(agency);
    }
    match &event.kind {
        EventKind::Opened(_) => return Err(ReplayError::OpenedTwice { index }),
        EventKind::Received {
            clock_started_at,
            due_at,
        } => {
            d.status = Status::Received;
            d.received_at = Some(at);
            d.clock_started_at = Some(*clock_started_at);
            d.due_at = Some(*due_at);
        }
        EventKind::Forwarded {
            step,
            agency,
            assignee,
            step_due_at,
            ..
        } => {
            d.status = Status::InProcessing;
            d.step = (*step < d.intake.procedure.steps.len()).then_some(*step);
            d.step_due_at = *step_due_at;
            d.assignee = assignee.clone();
            d.approved = false;
            d.current_agency = *agency;
        }
        EventKind::SentBack {
            step,
            agency,
            step_due_at,
            ..
        } => {
            d.step = Some(*step);
            d.step_due_at = *step_due_at;
            d.assignee = None;
            d.approved = false;
            d.current_agency = *agency;
        }
        EventKind::Transferred { to_agency, .. } => {
            d.assignee = None;
            d.step_due_at = None;
            d.current_agency = *to_agency;
        }
        EventKind::Assigned { assignee } => d.assignee = Some(assignee.clone()),
        EventKind::SupplementRequested {
            reason,
            missing,
            remaining_secs,
        } => {
            d.supplement = Some(PendingSupplement {
                requested_at: at,
                reason: reason.clone(),
                missing: missing.clone(),
                remaining_secs: *remaining_secs,
                before_receipt: d.status == Status::Submitted,
            });
            d.status = Status::AwaitingSupplement;
            d.supplement_rounds += 1;
        }
        EventKind::Supplemented {
            clock_started_at,
            due_at,
            awaited_secs,
            ..
        } => {
            let Some(pending) = d.supplement.take() else {
                return Err(misfit(&d));
            };
            d.supplement_secs += awaited_secs.max(&0);
            if pending.before_receipt {
                d.status = Status::Submitted;
            } else {
                d.status = Status::Supplemented;
                if clock_started_at.is_some() {
                    d.clock_started_at = *clock_started_at;
                }
                if due_at.is_some() {
                    d.due_at = *due_at;
                }
            }
        }
        EventKind::SupplementAccepted => d.status = Status::InProcessing,
        EventKind::RefusalProposed { .. } => d.refusal_proposed = true,
        EventKind::Approved { .. } => d.approved = true,
        EventKind::Refused { .. } => {
            d.status = Status::Refused;
            d.closed_at = Some(at);
        }
        EventKind::ResultIssued {
            summary,
            document_sha256,
            timeliness,
        } => {
            d.status = Status::ResultReady;
            d.result = Some(ResultInfo {
                issued_at: at,
                summary: summary.clone(),
                document_sha256: document_sha256.clone(),
                timeliness: *timeliness,
            });
        }
        EventKind::ResultReturned { .. } => {
            d.status = Status::Returned;
            d.returned_at = Some(at);
            d.closed_at = Some(at);
        }
        EventKind::Rated { satisfaction, .. } => {
            if d.rating.is_some() || !matches!(d.status, Status::ResultReady | Status::Returned) {
                return Err(misfit(&d));
            }
            d.rating = Some(*satisfaction);
        }
        EventKind::FeePaid { reference, amount } => {
            d.fee_paid += amount;
            d.payments.push(reference.clone());
        }
        EventKind::FeeCorrected { amount, .. } => {
            if d.status != Status::Submitted {
                return Err(misfit(&d));
            }
            d.fee_corrected = Some(*amount);
        }
        EventKind::Withdrawn { .. } => {
            d.status = Status::Withdrawn;
            d.supplement = None;
            d.closed_at = Some(at);
        }
        EventKind::Reappointed {
            previous_due_at,
            new_due_at,
            ..
        } => {
            d.original_due_at = Some(*previous_due_at);
            d.due_at = Some(*new_due_at);
        }
    }
    d.last_event_at = at;
    Ok(d)
}

/// Rebuilds a dossier from its whole history.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<Dossier, ReplayError> {
    let mut state = None;
    for (i, e) in events.into_iter().enumerate() {
        state = Some(apply(state, e, i)?);
    }
    state.ok_or(ReplayError::Empty)
}

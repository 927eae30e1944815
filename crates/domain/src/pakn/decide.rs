//! What may be done to a petition, by whom: a command checked against the petition's state and
//! the actor, giving the events to append.

use chrono::{DateTime, Utc};

use super::{Category, Filing, PaknCode, PaknEvent, PaknState, Petition};
use crate::calendar::WorkingCalendar;
use crate::ids::AgencyCode;
use crate::lang::{Arg, Localise, Wording};
use crate::role::{Actor, Role};

/// An action on a petition.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum PaknCommand {
    /// Refuse a petition that does not meet the form's requirements.
    Refuse {
        reason: String,
    },
    RequestInfo {
        question: String,
    },
    /// The petitioner's answer to a request for information.
    Supplement {
        text: String,
    },
    /// Accept and classify.
    Accept {
        category: Category,
    },
    /// Send to the competent agency (outside this one's competence).
    Forward {
        to: AgencyCode,
        reason: String,
    },
    Answer {
        answer: String,
    },
    /// The coordinator returns an answer that does not match the petition.
    ReturnAnswer {
        reason: String,
    },
    Publish,
    /// The petitioner's rating of the handling.
    Rate {
        satisfied: bool,
    },
    Close,
    /// The petitioner raises it again within the window.
    Reopen {
        reason: String,
    },
}

impl PaknCommand {
    pub fn name(&self) -> &'static str {
        match self {
            PaknCommand::Refuse { .. } => "refuse",
            PaknCommand::RequestInfo { .. } => "request_info",
            PaknCommand::Supplement { .. } => "supplement",
            PaknCommand::Accept { .. } => "accept",
            PaknCommand::Forward { .. } => "forward",
            PaknCommand::Answer { .. } => "answer",
            PaknCommand::ReturnAnswer { .. } => "return_answer",
            PaknCommand::Publish => "publish",
            PaknCommand::Rate { .. } => "rate",
            PaknCommand::Close => "close",
            PaknCommand::Reopen { .. } => "reopen",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaknError {
    #[error("cannot {action} a petition that is {}", state.as_str())]
    InvalidTransition {
        action: &'static str,
        state: PaknState,
    },
    #[error("only the petitioner may {0}")]
    PetitionerOnly(&'static str),
    #[error("only an officer of the petition's agency may {0}")]
    OfficerOnly(&'static str),
    #[error("{field} must be given (at most {max} characters)")]
    Text { field: &'static str, max: usize },
    #[error("the petition is with that agency already")]
    SameAgency,
    #[error("the window to reopen has passed")]
    ReopenClosed,
    #[error("the petition has been rated already")]
    AlreadyRated,
    #[error("a petition needs a name and a phone number or e-mail address")]
    NoContact,
    #[error("an officer filing for a petitioner is recorded")]
    NotTranscribed,
}

impl Localise for PaknError {
    fn code(&self) -> &'static str {
        match self {
            PaknError::InvalidTransition { .. } => "invalid_transition",
            PaknError::PetitionerOnly(_) => "petitioner_only",
            PaknError::OfficerOnly(_) => "officer_only",
            PaknError::Text { .. } => "text_required",
            PaknError::SameAgency => "same_agency",
            PaknError::ReopenClosed => "reopen_closed",
            PaknError::AlreadyRated => "already_rated",
            PaknError::NoContact => "pakn_no_contact",
            PaknError::NotTranscribed => "pakn_not_transcribed",
        }
    }

    fn wording(&self) -> Wording {
        match self {
            PaknError::InvalidTransition { action, state } => {
                let (vi, en) = state.labels();
                Wording::new("error-pakn-invalid-transition")
                    .arg("action", Arg::from(*action))
                    .arg("state", Arg::name(vi, en))
            }
            PaknError::PetitionerOnly(_) => Wording::new("error-pakn-petitioner-only"),
            PaknError::OfficerOnly(_) => Wording::new("error-pakn-officer-only"),
            PaknError::Text { field, max } => Wording::new("error-text-required")
                .arg("field", field.to_string())
                .arg("max", max.to_string()),
            PaknError::SameAgency => Wording::new("error-pakn-same-agency"),
            PaknError::ReopenClosed => Wording::new("error-pakn-reopen-closed"),
            PaknError::AlreadyRated => Wording::new("error-already-rated"),
            PaknError::NoContact => Wording::new("error-pakn-no-contact"),
            PaknError::NotTranscribed => Wording::new("error-pakn-not-transcribed"),
        }
    }
}

/// Text of at most `max` characters, not blank.
fn text(field: &'static str, s: &str, max: usize) -> Result<String, PaknError> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > max {
        return Err(PaknError::Text { field, max });
    }
    Ok(s.to_string())
}

/// The longest petition, answer or note, in characters.
pub const MAX_TEXT: usize = 10_000;

/// Checks a filing and gives its event (see [`check`]).
pub fn file(code: PaknCode, filing: Filing, at: DateTime<Utc>) -> Result<PaknEvent, PaknError> {
    Ok(PaknEvent::Filed {
        code,
        filing: Box::new(check(filing)?),
        at,
    })
}

/// A filing as it is kept, or what is wrong with it: a name and a way to reach the petitioner
/// (Decree 20 art. 7), content, and for a channel where an officer writes it down, that
/// officer.
pub fn check(mut filing: Filing) -> Result<Filing, PaknError> {
    filing.petitioner.name = text("name", &filing.petitioner.name, 200)?;
    filing.petitioner.email = filing
        .petitioner
        .email
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty());
    if filing.petitioner.phone.is_none() && filing.petitioner.email.is_none() {
        return Err(PaknError::NoContact);
    }
    filing.content = text("content", &filing.content, MAX_TEXT)?;
    if filing.channel.transcribed() != filing.received_by.is_some() {
        return Err(PaknError::NotTranscribed);
    }
    Ok(filing)
}

/// The events of `command` on petition `p` by `actor` at `at`. Officers act on petitions of
/// their agency or one it covers; the petitioner (`Role::Applicant`, the caller having checked
/// who they are) supplements, rates and reopens.
pub fn decide(
    p: &Petition,
    command: &PaknCommand,
    actor: &Actor,
    cal: &WorkingCalendar,
    limits: &super::Limits,
    at: DateTime<Utc>,
) -> Result<Vec<PaknEvent>, PaknError> {
    use PaknCommand as C;
    use PaknState as S;
    let action = command.name();
    let petitioner = actor.role == Role::Applicant;
    let officer = matches!(
        actor.role,
        Role::Reception | Role::Specialist | Role::Approver | Role::Leader | Role::Administrator
    ) && actor.agency.is_some_and(|a| a.covers(&p.agency));
    let by_petitioner = matches!(
        command,
        C::Supplement { .. } | C::Rate { .. } | C::Reopen { .. }
    );
    if by_petitioner && !petitioner {
        return Err(PaknError::PetitionerOnly(action));
    }
    if !by_petitioner && !officer {
        return Err(PaknError::OfficerOnly(action));
    }
    let wrong = || PaknError::InvalidTransition {
        action,
        state: p.state,
    };
    let event = match (command, p.state) {
        (C::Refuse { reason }, S::Submitted) => PaknEvent::Refused {
            reason: text("reason", reason, MAX_TEXT)?,
            at,
        },
        (C::RequestInfo { question }, S::Submitted | S::Accepted) => PaknEvent::InfoRequested {
            question: text("question", question, MAX_TEXT)?,
            at,
        },
        (C::Supplement { text: t }, S::InfoRequested) => PaknEvent::Supplemented {
            text: text("text", t, MAX_TEXT)?,
            at,
        },
        (C::Accept { category }, S::Submitted) => PaknEvent::Accepted {
            category: *category,
            at,
        },
        (C::Forward { to, reason }, S::Submitted | S::Accepted) => {
            if *to == p.agency {
                return Err(PaknError::SameAgency);
            }
            PaknEvent::Forwarded {
                to: *to,
                reason: text("reason", reason, MAX_TEXT)?,
                at,
            }
        }
        (C::Answer { answer }, S::Accepted) => PaknEvent::Answered {
            answer: text("answer", answer, MAX_TEXT)?,
            by: actor.id.clone(),
            at,
        },
        (C::ReturnAnswer { reason }, S::Answered) => PaknEvent::AnswerReturned {
            reason: text("reason", reason, MAX_TEXT)?,
            at,
        },
        (C::Publish, S::Answered) => PaknEvent::Published { at },
        (C::Rate { satisfied }, S::Published | S::Closed) => {
            if p.satisfied.is_some() {
                return Err(PaknError::AlreadyRated);
            }
            PaknEvent::Rated {
                satisfied: *satisfied,
                at,
            }
        }
        (C::Close, S::Published) => PaknEvent::Closed { at },
        (C::Reopen { reason }, S::Published | S::Closed) => {
            let from = p.published_at.or(p.closed_at).unwrap_or(at);
            if at > cal.add_working_days(from, limits.reopen_window) {
                return Err(PaknError::ReopenClosed);
            }
            PaknEvent::Reopened {
                reason: text("reason", reason, MAX_TEXT)?,
                at,
            }
        }
        _ => return Err(wrong()),
    };
    Ok(vec![event])
}

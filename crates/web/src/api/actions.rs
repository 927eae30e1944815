//! The body of `POST /api/v1/dossiers/{code}/actions` as it travels: one action named by
//! `action`, with its fields. It is turned into the domain's `Command` here, so the domain can
//! change its commands without changing the API (and the API offers only what callers may
//! ask; opening a dossier has its own endpoint).

use chrono::{DateTime, Utc};
use motcua_domain::ids::AgencyCode;
use motcua_domain::lifecycle::{
    Command, CriterionScore, RatingCriterion, ReturnChannel, Satisfaction,
};
use serde::Deserialize;

/// One action on a dossier.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub(crate) enum ActionRequest {
    /// Accept a submitted dossier as complete: receipt and appointment.
    Receive,
    /// Hand over to the next workflow step (from reception: to the first step).
    Forward {
        #[serde(default)]
        assignee: Option<String>,
        #[serde(default)]
        note: Option<String>,
    },
    /// Return to the previous step.
    SendBack {
        reason: String,
    },
    /// Hand over to another agency (liên thông, commune ↔ province).
    Transfer {
        #[schema(value_type = String)]
        to_agency: AgencyCode,
        reason: String,
    },
    /// Give the dossier to an officer of the holding agency.
    Assign {
        assignee: String,
    },
    /// Ask the applicant for what is missing, once and completely.
    RequestSupplement {
        reason: String,
        missing: Vec<String>,
    },
    /// The applicant (or the counter on their behalf) supplies what was missing.
    SubmitSupplement {
        #[serde(default)]
        note: Option<String>,
    },
    /// The handler accepts the supplement and processing continues.
    AcceptSupplement,
    ProposeRefusal {
        reason: String,
    },
    Approve {
        #[serde(default)]
        note: Option<String>,
    },
    Refuse {
        reasons: Vec<String>,
    },
    IssueResult {
        summary: String,
        /// SHA-256 (hex) of the electronic result document, when there is one.
        #[serde(default)]
        document_sha256: Option<String>,
    },
    ReturnResult {
        channel: ReturnChannelInput,
    },
    Withdraw {
        reason: String,
    },
    /// A fee payment confirmed (by an agency system or taken at the counter).
    RecordPayment {
        reference: String,
        amount: i64,
    },
    /// Correct the fee a submitted dossier owes (reception, before the dossier is received).
    CorrectFee {
        amount: i64,
        reason: String,
    },
    /// The applicant rates the service once the result is out (once per dossier).
    Rate {
        #[schema(value_type = String, example = "satisfied")]
        satisfaction: Satisfaction,
        #[serde(default)]
        criteria: Vec<CriterionInput>,
        #[serde(default)]
        comment: Option<String>,
    },
    /// Apologise for the coming delay and set a new appointment (once).
    Reappoint {
        new_due_at: DateTime<Utc>,
        reason: String,
    },
}

/// How the result reaches the applicant.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "method", rename_all = "snake_case")]
pub(crate) enum ReturnChannelInput {
    Counter,
    Post { tracking_number: String },
    Online,
}

/// One criterion of Circular 01/2018 with its score, 0–2.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct CriterionInput {
    /// `resolution_time`, `contacts`, `agencies` or `attitude`.
    #[schema(value_type = String)]
    criterion: RatingCriterion,
    score: u8,
}

impl From<ReturnChannelInput> for ReturnChannel {
    fn from(c: ReturnChannelInput) -> Self {
        match c {
            ReturnChannelInput::Counter => ReturnChannel::Counter,
            ReturnChannelInput::Post { tracking_number } => ReturnChannel::Post { tracking_number },
            ReturnChannelInput::Online => ReturnChannel::Online,
        }
    }
}

impl From<ActionRequest> for Command {
    fn from(a: ActionRequest) -> Self {
        match a {
            ActionRequest::Receive => Command::Receive,
            ActionRequest::Forward { assignee, note } => Command::Forward { assignee, note },
            ActionRequest::SendBack { reason } => Command::SendBack { reason },
            ActionRequest::Transfer { to_agency, reason } => {
                Command::Transfer { to_agency, reason }
            }
            ActionRequest::Assign { assignee } => Command::Assign { assignee },
            ActionRequest::RequestSupplement { reason, missing } => {
                Command::RequestSupplement { reason, missing }
            }
            ActionRequest::SubmitSupplement { note } => Command::SubmitSupplement { note },
            ActionRequest::AcceptSupplement => Command::AcceptSupplement,
            ActionRequest::ProposeRefusal { reason } => Command::ProposeRefusal { reason },
            ActionRequest::Approve { note } => Command::Approve { note },
            ActionRequest::Refuse { reasons } => Command::Refuse { reasons },
            ActionRequest::IssueResult {
                summary,
                document_sha256,
            } => Command::IssueResult {
                summary,
                document_sha256,
            },
            ActionRequest::ReturnResult { channel } => Command::ReturnResult {
                channel: channel.into(),
            },
            ActionRequest::Withdraw { reason } => Command::Withdraw { reason },
            ActionRequest::RecordPayment { reference, amount } => {
                Command::RecordPayment { reference, amount }
            }
            ActionRequest::CorrectFee { amount, reason } => Command::CorrectFee { amount, reason },
            ActionRequest::Rate {
                satisfaction,
                criteria,
                comment,
            } => Command::Rate {
                satisfaction,
                criteria: criteria
                    .into_iter()
                    .map(|c| CriterionScore {
                        criterion: c.criterion,
                        score: c.score,
                    })
                    .collect(),
                comment,
            },
            ActionRequest::Reappoint { new_due_at, reason } => {
                Command::Reappoint { new_due_at, reason }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every action the API documents reads into the command of the same name.
    #[test]
    fn each_action_becomes_its_command() {
        let bodies = [
            json!({"action": "receive"}),
            json!({"action": "forward", "assignee": "cv.a", "note": "ok"}),
            json!({"action": "send_back", "reason": "x"}),
            json!({"action": "transfer", "to_agency": "000.00.01.H22", "reason": "x"}),
            json!({"action": "assign", "assignee": "cv.a"}),
            json!({"action": "request_supplement", "reason": "x", "missing": ["a"]}),
            json!({"action": "submit_supplement"}),
            json!({"action": "accept_supplement"}),
            json!({"action": "propose_refusal", "reason": "x"}),
            json!({"action": "approve"}),
            json!({"action": "refuse", "reasons": ["x"]}),
            json!({"action": "issue_result", "summary": "x"}),
            json!({"action": "return_result", "channel": {"method": "post", "tracking_number": "EE1"}}),
            json!({"action": "withdraw", "reason": "x"}),
            json!({"action": "record_payment", "reference": "r", "amount": 50000}),
            json!({"action": "correct_fee", "amount": 400000, "reason": "x"}),
            json!({"action": "rate", "satisfaction": "satisfied", "criteria": [{"criterion": "attitude", "score": 2}]}),
            json!({"action": "reappoint", "new_due_at": "2026-12-01T02:00:00Z", "reason": "x"}),
        ];
        for body in bodies {
            let name = body["action"].as_str().unwrap_or_default().to_string();
            let wire: ActionRequest = serde_json::from_value(body.clone()).expect("reads");
            let command = Command::from(wire);
            assert_eq!(command.name(), name);
            // The same JSON read as the domain's command gives the same command.
            let direct: Command = serde_json::from_value(body).expect("domain reads it too");
            assert_eq!(command, direct);
        }
        assert!(serde_json::from_value::<ActionRequest>(json!({"action": "open"})).is_err());
        assert!(serde_json::from_value::<ActionRequest>(json!({"action": "fly"})).is_err());
    }
}

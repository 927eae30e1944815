//! The dossier lifecycle as a pure state machine: `decide(state, command, actor, now)` returns
//! the events a command produces or says why it may not happen; `apply(state, event)` folds an
//! event into the state. Storage keeps the events; replaying them reproduces the state.
//!
//! Statuses follow the domain brief §2.1 and map to the national portal's sync codes
//! ([`Status::sync_code`]). "Overdue" is not a status: it is derived from the due instant.

mod apply;
mod decide;
#[cfg(test)]
pub(crate) mod tests;
mod watch;

use chrono::{DateTime, Utc};

use crate::Lang;
use crate::ids::{AgencyCode, Cccd, DossierCodePrefix, Phone, TaxCode};
use crate::lang::{Arg, Localise, Wording, pick};
use crate::procedure::ProcedureRules;
use crate::role::{Actor, Role};

pub use apply::{ReplayError, apply, replay};
pub use decide::{Lifecycle, TimelinessPolicy, TimelinessRule};
pub use watch::{Alert, WatchPolicy};

/// How the dossier reached the one-stop department (the portal's `KenhThucHien`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Counter,
    Online,
    Post,
}

impl Channel {
    pub fn sync_code(self) -> u8 {
        match self {
            Channel::Counter => 1,
            Channel::Online => 2,
            Channel::Post => 3,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Counter => "counter",
            Channel::Online => "online",
            Channel::Post => "post",
        }
    }

    pub const ALL: [Channel; 3] = [Channel::Counter, Channel::Online, Channel::Post];

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Where a dossier stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Filed (online, by post, or entered at a counter) and waiting for the reception check.
    Submitted,
    /// Accepted as complete; receipt and appointment issued; the clock runs.
    Received,
    /// With an agency, at a workflow step.
    InProcessing,
    /// Waiting for the applicant to supplement.
    AwaitingSupplement,
    /// The applicant supplemented; waiting for the handler to accept it.
    Supplemented,
    /// The result is issued and waits to be returned.
    ResultReady,
    /// The result has been handed over, posted or downloaded.
    Returned,
    /// Refused, with reasons (at reception or after appraisal).
    Refused,
    /// Stopped at the applicant's request.
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Submitted,
        Status::Received,
        Status::InProcessing,
        Status::AwaitingSupplement,
        Status::Supplemented,
        Status::ResultReady,
        Status::Returned,
        Status::Refused,
        Status::Withdrawn,
    ];

    /// The national portal's `TrangThaiHoSo` code.
    pub fn sync_code(self) -> u8 {
        match self {
            Status::Submitted => 1,
            Status::Received => 2,
            Status::Refused => 3,
            Status::InProcessing | Status::Supplemented => 4,
            Status::AwaitingSupplement => 5,
            Status::Withdrawn => 8,
            Status::ResultReady => 9,
            Status::Returned => 10,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Received => "received",
            Status::InProcessing => "in_processing",
            Status::AwaitingSupplement => "awaiting_supplement",
            Status::Supplemented => "supplemented",
            Status::ResultReady => "result_ready",
            Status::Returned => "returned",
            Status::Refused => "refused",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// No command changes a dossier in this status any more.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Returned | Status::Refused | Status::Withdrawn)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Status::Submitted, Lang::Vi) => "Chờ tiếp nhận",
            (Status::Received, Lang::Vi) => "Đã tiếp nhận",
            (Status::InProcessing, Lang::Vi) => "Đang xử lý",
            (Status::AwaitingSupplement, Lang::Vi) => "Chờ bổ sung hồ sơ",
            (Status::Supplemented, Lang::Vi) => "Đã bổ sung, chờ xử lý",
            (Status::ResultReady, Lang::Vi) => "Đã có kết quả, chờ trả",
            (Status::Returned, Lang::Vi) => "Đã trả kết quả",
            (Status::Refused, Lang::Vi) => "Từ chối giải quyết",
            (Status::Withdrawn, Lang::Vi) => "Dừng xử lý (rút hồ sơ)",
            (Status::Submitted, Lang::En) => "Awaiting reception",
            (Status::Received, Lang::En) => "Received",
            (Status::InProcessing, Lang::En) => "In processing",
            (Status::AwaitingSupplement, Lang::En) => "Awaiting supplement",
            (Status::Supplemented, Lang::En) => "Supplemented, awaiting processing",
            (Status::ResultReady, Lang::En) => "Result ready for return",
            (Status::Returned, Lang::En) => "Result returned",
            (Status::Refused, Lang::En) => "Refused",
            (Status::Withdrawn, Lang::En) => "Stopped (withdrawn)",
        }
    }
}

/// Whether the result came before, on or after the appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    Early,
    OnTime,
    Late,
}

impl Timeliness {
    pub fn as_str(self) -> &'static str {
        match self {
            Timeliness::Early => "early",
            Timeliness::OnTime => "on_time",
            Timeliness::Late => "late",
        }
    }

    pub const ALL: [Timeliness; 3] = [Timeliness::Early, Timeliness::OnTime, Timeliness::Late];

    pub fn parse(s: &str) -> Option<Timeliness> {
        Timeliness::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// How a result reaches the applicant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum ReturnChannel {
    Counter,
    Post { tracking_number: String },
    Online,
}

/// The person or organisation a dossier is for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Applicant {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cccd: Option<Cccd>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<Phone>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_code: Option<TaxCode>,
    /// The language the applicant is written to in.
    #[serde(default)]
    pub lang: Lang,
}

/// Everything needed to open a dossier.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Intake {
    pub procedure: ProcedureRules,
    pub applicant: Applicant,
    pub channel: Channel,
    /// The one-stop department (centre) that takes the dossier; its code opens the dossier code.
    pub receiving_agency: AgencyCode,
    /// The authority that decides.
    pub competent_agency: AgencyCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<crate::ids::BranchCode>,
    /// The applicant's account, when filed online by a registered citizen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<crate::ids::CitizenId>,
    /// Receive at once (a complete walk-in dossier checked at the counter).
    #[serde(default)]
    pub receive_now: bool,
    /// The components (thành phần hồ sơ) given as electronic files at filing, uploaded or
    /// reused; none for a dossier given on paper.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
}

/// A component of a dossier given as an electronic file: a digitised component, which the
/// service index counts, and whether it reused data given before (and from where).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Component {
    /// The required document it answers, as the procedure names it.
    pub document: String,
    /// The file's SHA-256.
    pub sha256: String,
    /// Where the file was given before, when the applicant reused it instead of giving it
    /// again: the earlier dossier's code, or the earlier file's id when it was never filed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused_from: Option<String>,
}

/// How satisfied the applicant is: the common three-level wording of rating forms (Decree
/// 61/2018 art. 29; each province designs its form, so the scale is kept small and ordered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    /// Rất hài lòng.
    VerySatisfied,
    /// Hài lòng.
    Satisfied,
    /// Không hài lòng.
    Dissatisfied,
}

impl Satisfaction {
    pub const ALL: [Satisfaction; 3] = [
        Satisfaction::VerySatisfied,
        Satisfaction::Satisfied,
        Satisfaction::Dissatisfied,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Satisfaction::VerySatisfied => "very_satisfied",
            Satisfaction::Satisfied => "satisfied",
            Satisfaction::Dissatisfied => "dissatisfied",
        }
    }

    pub fn parse(s: &str) -> Option<Satisfaction> {
        Satisfaction::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Satisfaction::VerySatisfied, Lang::Vi) => "Rất hài lòng",
            (Satisfaction::Satisfied, Lang::Vi) => "Hài lòng",
            (Satisfaction::Dissatisfied, Lang::Vi) => "Không hài lòng",
            (Satisfaction::VerySatisfied, Lang::En) => "Very satisfied",
            (Satisfaction::Satisfied, Lang::En) => "Satisfied",
            (Satisfaction::Dissatisfied, Lang::En) => "Dissatisfied",
        }
    }
}

/// The indicators of Circular 01/2018 (art. 13) that the applicant rates per dossier, each
/// scored 2, 1 or 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingCriterion {
    /// 1: total resolution time against the legal limit.
    ResolutionTime,
    /// 3: contacts needed to complete the dossier.
    Contacts,
    /// 4: agencies to contact.
    Agencies,
    /// 7: staff attitude.
    Attitude,
}

impl RatingCriterion {
    pub const ALL: [RatingCriterion; 4] = [
        RatingCriterion::ResolutionTime,
        RatingCriterion::Contacts,
        RatingCriterion::Agencies,
        RatingCriterion::Attitude,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RatingCriterion::ResolutionTime => "resolution_time",
            RatingCriterion::Contacts => "contacts",
            RatingCriterion::Agencies => "agencies",
            RatingCriterion::Attitude => "attitude",
        }
    }

    pub fn parse(s: &str) -> Option<RatingCriterion> {
        RatingCriterion::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// One criterion's score: 2, 1 or 0 points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CriterionScore {
    pub criterion: RatingCriterion,
    pub score: u8,
}

/// What someone asks the lifecycle to do.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Command {
    Open(Box<Intake>),
    /// Accept a submitted dossier as complete: receipt and appointment.
    Receive,
    /// Hand over to the next workflow step (from reception: to the first step).
    Forward {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assignee: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Return to the previous step.
    SendBack {
        reason: String,
    },
    /// Hand over to another agency (liên thông, commune ↔ province).
    Transfer {
        to_agency: AgencyCode,
        reason: String,
    },
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
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The handler accepts the supplement and processing continues.
    AcceptSupplement,
    ProposeRefusal {
        reason: String,
    },
    Approve {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    Refuse {
        reasons: Vec<String>,
    },
    IssueResult {
        summary: String,
        /// SHA-256 (hex) of the electronic result document, when there is one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        document_sha256: Option<String>,
    },
    ReturnResult {
        channel: ReturnChannel,
    },
    Withdraw {
        reason: String,
    },
    /// A fee payment confirmed (by the payment gateway, or taken at the counter).
    RecordPayment {
        reference: String,
        amount: i64,
    },
    /// Correct the fee a submitted dossier owes (the applicant chose the wrong case, or the
    /// catalog's amount does not apply), before it is received, with the reason.
    CorrectFee {
        amount: i64,
        reason: String,
    },
    /// The applicant rates the service once the result is out (once per dossier).
    Rate {
        satisfaction: Satisfaction,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        criteria: Vec<CriterionScore>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    /// Apologise for the coming delay and set a new appointment (once).
    Reappoint {
        new_due_at: DateTime<Utc>,
        reason: String,
    },
}

/// An action (a [`Command`]'s name) as people name it: (Vietnamese, English).
pub fn action_labels(action: &str) -> (&'static str, &'static str) {
    match action {
        "open" => ("nộp hồ sơ", "file the dossier"),
        "receive" => ("tiếp nhận hồ sơ", "receive the dossier"),
        "forward" => ("chuyển bước xử lý", "pass to the next step"),
        "send_back" => ("trả lại bước trước", "send back to the previous step"),
        "transfer" => (
            "chuyển cơ quan khác (liên thông)",
            "transfer to another agency",
        ),
        "assign" => ("phân công cán bộ", "assign an officer"),
        "request_supplement" => ("yêu cầu bổ sung hồ sơ", "request a supplement"),
        "submit_supplement" => ("nộp bổ sung", "submit the supplement"),
        "accept_supplement" => ("tiếp tục xử lý sau bổ sung", "accept the supplement"),
        "propose_refusal" => ("đề xuất từ chối", "propose refusal"),
        "approve" => ("phê duyệt", "approve"),
        "refuse" => ("từ chối giải quyết", "refuse"),
        "issue_result" => ("ban hành kết quả", "issue the result"),
        "return_result" => ("trả kết quả", "return the result"),
        "withdraw" => ("rút hồ sơ", "withdraw the dossier"),
        "reappoint" => ("hẹn lại ngày trả kết quả", "set a new appointment"),
        "record_payment" => ("ghi nhận thanh toán", "record a payment"),
        "correct_fee" => ("điều chỉnh phí, lệ phí", "correct the fee"),
        "rate" => ("đánh giá mức độ hài lòng", "rate the service"),
        _ => ("thao tác này", "this action"),
    }
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Open(_) => "open",
            Command::Receive => "receive",
            Command::Forward { .. } => "forward",
            Command::SendBack { .. } => "send_back",
            Command::Transfer { .. } => "transfer",
            Command::Assign { .. } => "assign",
            Command::RequestSupplement { .. } => "request_supplement",
            Command::SubmitSupplement { .. } => "submit_supplement",
            Command::AcceptSupplement => "accept_supplement",
            Command::ProposeRefusal { .. } => "propose_refusal",
            Command::Approve { .. } => "approve",
            Command::Refuse { .. } => "refuse",
            Command::IssueResult { .. } => "issue_result",
            Command::ReturnResult { .. } => "return_result",
            Command::Withdraw { .. } => "withdraw",
            Command::Reappoint { .. } => "reappoint",
            Command::RecordPayment { .. } => "record_payment",
            Command::CorrectFee { .. } => "correct_fee",
            Command::Rate { .. } => "rate",
        }
    }
}

/// What happened. Stored append-only; the state is their fold.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    Opened(Box<Intake>),
    Received {
        clock_started_at: DateTime<Utc>,
        due_at: DateTime<Utc>,
    },
    Forwarded {
        step: usize,
        agency: AgencyCode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assignee: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        /// When the step's time budget runs out (working time from the hand-over).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step_due_at: Option<DateTime<Utc>>,
    },
    SentBack {
        step: usize,
        agency: AgencyCode,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step_due_at: Option<DateTime<Utc>>,
    },
    Transferred {
        from_agency: AgencyCode,
        to_agency: AgencyCode,
        reason: String,
    },
    Assigned {
        assignee: String,
    },
    SupplementRequested {
        reason: String,
        missing: Vec<String>,
        /// With the pause rule: office time (seconds) that was left before the due instant.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        remaining_secs: Option<i64>,
    },
    Supplemented {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        /// New clock, when the dossier had been received.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        clock_started_at: Option<DateTime<Utc>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due_at: Option<DateTime<Utc>>,
        /// Office time (seconds) spent waiting for the applicant, not counted against the agency.
        awaited_secs: i64,
    },
    SupplementAccepted,
    RefusalProposed {
        reason: String,
    },
    Approved {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    Refused {
        reasons: Vec<String>,
    },
    ResultIssued {
        summary: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        document_sha256: Option<String>,
        timeliness: Timeliness,
    },
    ResultReturned {
        channel: ReturnChannel,
    },
    Withdrawn {
        reason: String,
    },
    FeePaid {
        reference: String,
        amount: i64,
    },
    FeeCorrected {
        /// The fee owed before, and the fee owed from now on (VND).
        previous: i64,
        amount: i64,
        reason: String,
    },
    Rated {
        satisfaction: Satisfaction,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        criteria: Vec<CriterionScore>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    Reappointed {
        previous_due_at: DateTime<Utc>,
        new_due_at: DateTime<Utc>,
        reason: String,
        /// Whether the apology came at least one day before the appointment, as the law asks.
        in_time: bool,
    },
}

/// What kind of event, without its content: what the public timeline needs, and what the
/// events table keeps beside each event's hashed body (`audit verify` checks the two agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    Opened,
    Received,
    Forwarded,
    SentBack,
    Transferred,
    Assigned,
    SupplementRequested,
    Supplemented,
    SupplementAccepted,
    RefusalProposed,
    Approved,
    Refused,
    ResultIssued,
    ResultReturned,
    Withdrawn,
    Reappointed,
    FeePaid,
    FeeCorrected,
    Rated,
}

impl EventType {
    pub const ALL: [EventType; 19] = [
        EventType::Opened,
        EventType::Received,
        EventType::Forwarded,
        EventType::SentBack,
        EventType::Transferred,
        EventType::Assigned,
        EventType::SupplementRequested,
        EventType::Supplemented,
        EventType::SupplementAccepted,
        EventType::RefusalProposed,
        EventType::Approved,
        EventType::Refused,
        EventType::ResultIssued,
        EventType::ResultReturned,
        EventType::Withdrawn,
        EventType::Reappointed,
        EventType::FeePaid,
        EventType::FeeCorrected,
        EventType::Rated,
    ];

    /// The machine name, as stored and as the API shows it.
    pub fn name(self) -> &'static str {
        match self {
            EventType::Opened => "opened",
            EventType::Received => "received",
            EventType::Forwarded => "forwarded",
            EventType::SentBack => "sent_back",
            EventType::Transferred => "transferred",
            EventType::Assigned => "assigned",
            EventType::SupplementRequested => "supplement_requested",
            EventType::Supplemented => "supplemented",
            EventType::SupplementAccepted => "supplement_accepted",
            EventType::RefusalProposed => "refusal_proposed",
            EventType::Approved => "approved",
            EventType::Refused => "refused",
            EventType::ResultIssued => "result_issued",
            EventType::ResultReturned => "result_returned",
            EventType::Withdrawn => "withdrawn",
            EventType::Reappointed => "reappointed",
            EventType::FeePaid => "fee_paid",
            EventType::FeeCorrected => "fee_corrected",
            EventType::Rated => "rated",
        }
    }

    pub fn parse(name: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Whether the event appears on the public timeline (tracking by code and second factor,
    /// and the applicant's own pages): everything except who the work was assigned to, which
    /// names an officer.
    pub fn is_public(self) -> bool {
        self != EventType::Assigned
    }

    /// A sentence for the public timeline, without personal data.
    pub fn public_label(self, lang: Lang) -> String {
        let s = |vi: &str, en: &str| pick(lang, vi, en);
        match self {
            EventType::Opened => s("Hồ sơ đã được nộp", "Dossier filed"),
            EventType::Received => s(
                "Hồ sơ đã được tiếp nhận, hẹn trả kết quả",
                "Dossier received, result appointment set",
            ),
            EventType::Forwarded => s("Chuyển bước xử lý", "Passed to the next processing step"),
            EventType::SentBack => s("Trả lại bước xử lý trước", "Returned to the previous step"),
            EventType::Transferred => s(
                "Chuyển cơ quan khác xử lý (liên thông)",
                "Transferred to another agency",
            ),
            EventType::Assigned => s("Phân công cán bộ xử lý", "Officer assigned"),
            EventType::SupplementRequested => {
                s("Yêu cầu bổ sung, hoàn thiện hồ sơ", "Supplement requested")
            }
            EventType::Supplemented => s(
                "Công dân đã bổ sung hồ sơ",
                "Applicant supplemented the dossier",
            ),
            EventType::SupplementAccepted => s(
                "Tiếp tục xử lý sau bổ sung",
                "Processing resumed after the supplement",
            ),
            EventType::RefusalProposed => s("Đề xuất từ chối", "Refusal proposed"),
            EventType::Approved => s("Lãnh đạo đã phê duyệt", "Approved"),
            EventType::Refused => s("Từ chối giải quyết hồ sơ", "Dossier refused"),
            EventType::ResultIssued => s("Đã có kết quả giải quyết", "Result issued"),
            EventType::FeePaid => s("Đã nộp phí, lệ phí", "Fee paid"),
            EventType::FeeCorrected => s(
                "Cán bộ tiếp nhận điều chỉnh phí, lệ phí",
                "Fee corrected by the reception officer",
            ),
            EventType::Rated => s(
                "Người nộp đã đánh giá mức độ hài lòng",
                "The applicant rated the service",
            ),
            EventType::ResultReturned => s("Đã trả kết quả", "Result returned"),
            EventType::Withdrawn => s(
                "Dừng giải quyết theo đề nghị rút hồ sơ",
                "Stopped at the applicant's request",
            ),
            EventType::Reappointed => s(
                "Xin lỗi và hẹn lại ngày trả kết quả",
                "Apology and new appointment",
            ),
        }
    }
}

impl EventKind {
    pub fn event_type(&self) -> EventType {
        match self {
            EventKind::Opened(_) => EventType::Opened,
            EventKind::Received { .. } => EventType::Received,
            EventKind::Forwarded { .. } => EventType::Forwarded,
            EventKind::SentBack { .. } => EventType::SentBack,
            EventKind::Transferred { .. } => EventType::Transferred,
            EventKind::Assigned { .. } => EventType::Assigned,
            EventKind::SupplementRequested { .. } => EventType::SupplementRequested,
            EventKind::Supplemented { .. } => EventType::Supplemented,
            EventKind::SupplementAccepted => EventType::SupplementAccepted,
            EventKind::RefusalProposed { .. } => EventType::RefusalProposed,
            EventKind::Approved { .. } => EventType::Approved,
            EventKind::Refused { .. } => EventType::Refused,
            EventKind::ResultIssued { .. } => EventType::ResultIssued,
            EventKind::ResultReturned { .. } => EventType::ResultReturned,
            EventKind::Withdrawn { .. } => EventType::Withdrawn,
            EventKind::Reappointed { .. } => EventType::Reappointed,
            EventKind::FeePaid { .. } => EventType::FeePaid,
            EventKind::FeeCorrected { .. } => EventType::FeeCorrected,
            EventKind::Rated { .. } => EventType::Rated,
        }
    }

    pub fn name(&self) -> &'static str {
        self.event_type().name()
    }

    /// Whether the applicant is told of this event (e-mail, SMS): filing, receipt, supplement
    /// request, refusal, result, stop, apology with a new date.
    pub fn notifies_applicant(&self) -> bool {
        matches!(
            self,
            EventKind::Opened(_)
                | EventKind::Received { .. }
                | EventKind::SupplementRequested { .. }
                | EventKind::Refused { .. }
                | EventKind::ResultIssued { .. }
                | EventKind::Withdrawn { .. }
                | EventKind::Reappointed { .. }
                | EventKind::FeeCorrected { .. }
        )
    }

    /// The agency this event brings the dossier to, if any: the competent agency at receipt,
    /// the step's agency when forwarded or sent back, the new agency when transferred. Every
    /// agency a dossier was ever brought to (and its receiving agency) sees it.
    pub fn routes_to(&self, intake: &Intake) -> Option<AgencyCode> {
        match self {
            EventKind::Received { .. } => Some(intake.competent_agency),
            EventKind::Forwarded { agency, .. } | EventKind::SentBack { agency, .. } => {
                Some(*agency)
            }
            EventKind::Transferred { to_agency, .. } => Some(*to_agency),
            _ => None,
        }
    }

    pub fn is_public(&self) -> bool {
        self.event_type().is_public()
    }

    pub fn public_label(&self, lang: Lang) -> String {
        self.event_type().public_label(lang)
    }
}

/// An event with its time and actor.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// A pending supplement request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingSupplement {
    pub requested_at: DateTime<Utc>,
    pub reason: String,
    pub missing: Vec<String>,
    pub remaining_secs: Option<i64>,
    /// Requested during the reception check, before the clock started.
    pub before_receipt: bool,
}

/// The issued result.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ResultInfo {
    pub issued_at: DateTime<Utc>,
    pub summary: String,
    pub document_sha256: Option<String>,
    pub timeliness: Timeliness,
}

/// The current state of a dossier: the fold of its events.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Dossier {
    pub status: Status,
    pub intake: Intake,
    pub current_agency: AgencyCode,
    /// Every agency the dossier has been routed to (for scope checks).
    pub involved: Vec<AgencyCode>,
    pub submitted_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    pub clock_started_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    /// The appointment before a re-appointment.
    pub original_due_at: Option<DateTime<Utc>>,
    pub step: Option<usize>,
    /// When the current step's time budget runs out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_due_at: Option<DateTime<Utc>>,
    pub assignee: Option<String>,
    pub supplement: Option<PendingSupplement>,
    pub supplement_rounds: u32,
    /// Office time (seconds) spent waiting for supplements.
    pub supplement_secs: i64,
    pub refusal_proposed: bool,
    pub approved: bool,
    pub result: Option<ResultInfo>,
    pub returned_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub last_event_at: DateTime<Utc>,
    /// Fees paid so far (VND) and the payment references, each counted once.
    #[serde(default)]
    pub fee_paid: i64,
    #[serde(default)]
    pub payments: Vec<String>,
    /// The fee as the reception officer corrected it, replacing the one set at filing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_corrected: Option<i64>,
    /// The applicant's rating, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Satisfaction>,
}

impl Dossier {
    /// The dossier code's prefix: receiving agency and the date of filing in Vietnam.
    pub fn code_prefix(&self) -> Option<DossierCodePrefix> {
        let date = self
            .submitted_at
            .with_timezone(&crate::calendar::TZ)
            .date_naive();
        DossierCodePrefix::new(self.intake.receiving_agency, date)
    }

    /// The fee to pay before processing (VND): as set when the dossier opened, or as the
    /// reception officer corrected it.
    pub fn fee_total(&self) -> i64 {
        self.fee_corrected
            .unwrap_or(self.intake.procedure.prepaid_fee)
    }

    /// What was paid beyond the fee (VND), after a correction lowered it: to refund.
    pub fn fee_excess(&self) -> i64 {
        (self.fee_paid - self.fee_total()).max(0)
    }

    /// What is owed back to the applicant (VND): everything paid when the dossier ended
    /// without being decided (withdrawn or refused), else what was paid beyond the fee.
    pub fn refund_due(&self) -> i64 {
        match self.status {
            Status::Withdrawn | Status::Refused => self.fee_paid,
            _ => self.fee_excess(),
        }
    }

    /// What is still owed of that fee (VND): never negative, and nothing once the dossier is
    /// finished (a withdrawn or refused dossier owes nothing).
    pub fn fee_owed(&self) -> i64 {
        if self.status.is_final() {
            0
        } else {
            (self.fee_total() - self.fee_paid).max(0)
        }
    }

    /// The result appointment to show: the due instant once received, else the one a receipt
    /// at `now` would set (the same rule as `Lifecycle`'s receipt).
    pub fn expected_due(
        &self,
        calendar: &crate::calendar::WorkingCalendar,
        now: DateTime<Utc>,
    ) -> DateTime<Utc> {
        self.due_at
            .unwrap_or_else(|| calendar.due(now, self.intake.procedure.processing_time))
    }

    /// Overdue: the appointment has passed and no result is out.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.clock_runs() && self.due_at.is_some_and(|d| d < now)
    }

    /// The agency's clock runs: received, not waiting for the applicant, no result yet.
    pub fn clock_runs(&self) -> bool {
        !self.status.is_final()
            && self.status != Status::ResultReady
            && self.status != Status::AwaitingSupplement
    }

    /// Checks the invariants every reachable state keeps; `Err` names the first broken one.
    pub fn check_invariants(&self) -> Result<(), String> {
        let needs_receipt = matches!(
            self.status,
            Status::Received
                | Status::InProcessing
                | Status::Supplemented
                | Status::ResultReady
                | Status::Returned
        );
        if needs_receipt && self.received_at.is_none() {
            return Err(format!("{:?} without a receipt", self.status));
        }
        if self.received_at.is_some() && self.fee_paid < self.fee_total() {
            return Err("received before the fee was paid".into());
        }
        let mut refs = self.payments.clone();
        refs.sort();
        refs.dedup();
        if refs.len() != self.payments.len() {
            return Err("a payment counted twice".into());
        }
        if let Some(r) = self.received_at {
            let (Some(due), Some(start)) = (self.due_at, self.clock_started_at) else {
                return Err("received dossier without clock or due instant".into());
            };
            if due < r {
                return Err(format!("due {due} precedes receipt {r}"));
            }
            if start < r {
                return Err(format!("clock start {start} precedes receipt {r}"));
            }
        }
        if self.status == Status::Submitted && (self.received_at.is_some() || self.due_at.is_some())
        {
            return Err("submitted dossier with a receipt".into());
        }
        if (self.status == Status::AwaitingSupplement) != self.supplement.is_some() {
            return Err("supplement request and status disagree".into());
        }
        if matches!(self.status, Status::ResultReady | Status::Returned) && self.result.is_none() {
            return Err("result status without a result".into());
        }
        if let Some(step) = self.step
            && step >= self.intake.procedure.steps.len()
        {
            return Err(format!("step {step} beyond the workflow"));
        }
        if self.status.is_final() != self.closed_at.is_some() {
            return Err("closing time and final status disagree".into());
        }
        if self.original_due_at.is_some() && self.due_at.is_none() {
            return Err("re-appointment without appointment".into());
        }
        if !self.involved.contains(&self.current_agency) {
            return Err("current agency not among the involved agencies".into());
        }
        if self.supplement_secs < 0 {
            return Err("negative supplement time".into());
        }
        Ok(())
    }
}

/// Why a command cannot be carried out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("no dossier to act on")]
    NotOpened,
    #[error("the dossier exists already")]
    AlreadyOpened,
    #[error("role {role} may not {action}")]
    RoleNotAllowed { role: Role, action: &'static str },
    #[error("the dossier is outside the actor's agency scope")]
    OutOfScope,
    #[error("cannot {action} a dossier that is {status:?}")]
    InvalidTransition {
        status: Status,
        action: &'static str,
    },
    #[error("{field} must be given (at most {max} characters)")]
    Text { field: &'static str, max: usize },
    #[error("the workflow has no further step")]
    NoNextStep,
    #[error("the workflow has no previous step")]
    NoPreviousStep,
    #[error("the result needs approval first")]
    NotApproved,
    #[error("the appointment can be changed only once")]
    AlreadyReappointed,
    #[error("the new appointment must be later than the current one")]
    DueNotLater,
    #[error("the dossier is already with that agency")]
    SameAgency,
    #[error("refusing after receipt needs a refusal proposal first")]
    RefusalNotProposed,
    #[error("the fee of {due} VND must be paid before the dossier is received ({paid} VND paid)")]
    FeeUnpaid { due: i64, paid: i64 },
    #[error("this payment has been recorded already")]
    AlreadyPaid,
    #[error("a payment must be of a positive amount")]
    BadAmount,
    #[error("a fee is an amount of zero or more")]
    BadFee,
    #[error("the fee is that amount already")]
    FeeUnchanged,
    #[error("the dossier has been rated already")]
    AlreadyRated,
    #[error("each criterion is scored 0, 1 or 2, once")]
    BadScore,
}

impl Localise for LifecycleError {
    fn code(&self) -> &'static str {
        match self {
            LifecycleError::NotOpened => "dossier_not_opened",
            LifecycleError::AlreadyOpened => "dossier_already_opened",
            LifecycleError::RoleNotAllowed { .. } => "role_not_allowed",
            LifecycleError::OutOfScope => "out_of_scope",
            LifecycleError::InvalidTransition { .. } => "invalid_transition",
            LifecycleError::Text { .. } => "text_required",
            LifecycleError::NoNextStep => "no_next_step",
            LifecycleError::NoPreviousStep => "no_previous_step",
            LifecycleError::NotApproved => "not_approved",
            LifecycleError::AlreadyReappointed => "already_reappointed",
            LifecycleError::DueNotLater => "due_not_later",
            LifecycleError::SameAgency => "same_agency",
            LifecycleError::RefusalNotProposed => "refusal_not_proposed",
            LifecycleError::FeeUnpaid { .. } => "fee_unpaid",
            LifecycleError::AlreadyPaid => "already_paid",
            LifecycleError::BadAmount => "bad_amount",
            LifecycleError::BadFee => "bad_fee",
            LifecycleError::FeeUnchanged => "fee_unchanged",
            LifecycleError::AlreadyRated => "already_rated",
            LifecycleError::BadScore => "bad_score",
        }
    }

    fn wording(&self) -> Wording {
        match self {
            LifecycleError::NotOpened => Wording::new("error-dossier-not-opened"),
            LifecycleError::AlreadyOpened => Wording::new("error-dossier-already-opened"),
            LifecycleError::RoleNotAllowed { role, action } => {
                let (role_vi, role_en) = role.labels();
                let (action_vi, action_en) = action_labels(action);
                Wording::new("error-role-not-allowed")
                    .arg("role", Arg::name(role_vi, role_en))
                    .arg("action", Arg::name(action_vi, action_en))
            }
            LifecycleError::OutOfScope => Wording::new("error-out-of-scope"),
            LifecycleError::InvalidTransition { status, action } => {
                let (action_vi, action_en) = action_labels(action);
                Wording::new("error-invalid-transition")
                    .arg("action", Arg::name(action_vi, action_en))
                    .arg(
                        "status",
                        Arg::name(status.label(Lang::Vi), status.label(Lang::En)),
                    )
            }
            LifecycleError::Text { field, max } => Wording::new("error-text-required")
                .arg("field", field.to_string())
                .arg("max", max.to_string()),
            LifecycleError::NoNextStep => Wording::new("error-no-next-step"),
            LifecycleError::NoPreviousStep => Wording::new("error-no-previous-step"),
            LifecycleError::NotApproved => Wording::new("error-not-approved"),
            LifecycleError::AlreadyReappointed => Wording::new("error-already-reappointed"),
            LifecycleError::DueNotLater => Wording::new("error-due-not-later"),
            LifecycleError::SameAgency => Wording::new("error-same-agency"),
            LifecycleError::RefusalNotProposed => Wording::new("error-refusal-not-proposed"),
            LifecycleError::FeeUnpaid { due, paid } => Wording::new("error-fee-unpaid")
                .arg("due", crate::lang::money(*due))
                .arg("paid", crate::lang::money(*paid)),
            LifecycleError::AlreadyPaid => Wording::new("error-already-paid"),
            LifecycleError::BadAmount => Wording::new("error-bad-amount"),
            LifecycleError::BadFee => Wording::new("error-bad-fee"),
            LifecycleError::FeeUnchanged => Wording::new("error-fee-unchanged"),
            LifecycleError::AlreadyRated => Wording::new("error-dossier-already-rated"),
            LifecycleError::BadScore => Wording::new("error-bad-score"),
        }
    }
}

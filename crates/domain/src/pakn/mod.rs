//! Feedback and petitions (phản ánh, kiến nghị — PAKN) about administrative regulations and
//! their implementation (Decree 20/2008/NĐ-CP), as a pure state machine on the working
//! calendar: a petition is filed from any channel, refused, asked for more information (its
//! clock paused until supplied), accepted and classified, forwarded outside competence (one
//! code, every agency in its history), answered, published (or its answer returned before
//! publication), rated, closed and reopened within a window. Each step has a limit in working
//! days; the limits are versioned data ([`Limits`]) because the article that fixes them after
//! 2026 is not confirmed. Complaints (khiếu nại) and denunciations (tố cáo) have their own
//! laws: [`not_feedback`] recognises them so they are redirected, never processed here.

mod decide;
mod escalation;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Duration, Utc};

pub use crate::ids::PaknCode;

pub use decide::{MAX_TEXT, PaknCommand, PaknError, check, decide, file};
pub use escalation::{Escalation, EscalationError, Rule, RuleAction, Target, reassignment};

use crate::calendar::WorkingCalendar;
use crate::ids::{AgencyCode, DossierCode};

/// How a petition came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaknChannel {
    Web,
    App,
    Phone,
    Letter,
    Email,
    Counter,
    Hotline,
    Social,
    /// Through the national public service portal.
    Dvcqg,
}

impl PaknChannel {
    pub const ALL: [PaknChannel; 9] = [
        PaknChannel::Web,
        PaknChannel::App,
        PaknChannel::Phone,
        PaknChannel::Letter,
        PaknChannel::Email,
        PaknChannel::Counter,
        PaknChannel::Hotline,
        PaknChannel::Social,
        PaknChannel::Dvcqg,
    ];

    pub fn parse(s: &str) -> Option<PaknChannel> {
        PaknChannel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PaknChannel::Web => "web",
            PaknChannel::App => "app",
            PaknChannel::Phone => "phone",
            PaknChannel::Letter => "letter",
            PaknChannel::Email => "email",
            PaknChannel::Counter => "counter",
            PaknChannel::Hotline => "hotline",
            PaknChannel::Social => "social",
            PaknChannel::Dvcqg => "dvcqg",
        }
    }

    /// Channels where an officer writes the petition down for the petitioner (Decree 20 art. 7:
    /// a telephone petition is recorded faithfully by the officer).
    pub fn transcribed(self) -> bool {
        !matches!(
            self,
            PaknChannel::Web | PaknChannel::App | PaknChannel::Dvcqg
        )
    }
}

/// What a petition is about, as the service index classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// An administrative regulation.
    Regulation,
    /// How a procedure is carried out.
    Procedure,
    /// An officer's conduct: delays, harassment, not doing or doing wrong.
    StaffConduct,
    Other,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Regulation,
        Category::Procedure,
        Category::StaffConduct,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Regulation => "regulation",
            Category::Procedure => "procedure",
            Category::StaffConduct => "staff_conduct",
            Category::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The time limits of each step in working days, as one versioned set. The defaults are the
/// numbers of the Decision 766 formula document; the article that fixes them after Decision
/// 29/2026/QĐ-TTg is unconfirmed, so a province configures them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    pub id: String,
    /// Refuse a petition that does not meet the form's requirements.
    pub refuse: u32,
    /// Ask the petitioner for more information; forward outside competence (Decree 20 art. 9).
    pub request_info: u32,
    pub forward: u32,
    /// Answer, counted from acceptance.
    pub answer: u32,
    /// Publish the answer, counted from the answer.
    pub publish: u32,
    /// The petitioner may reopen a published or closed petition within this many working days.
    pub reopen_window: u32,
}

/// A set of limits that does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "petition limits are `id:refuse=2,request_info=5,forward=5,answer=15,publish=2,reopen_window=10` (working days, any of them); got {0:?}"
)]
pub struct LimitsError(pub String);

impl Limits {
    /// `local-2027:answer=10,publish=1`: an id naming the set, then the limits that differ
    /// from the defaults, in working days.
    pub fn parse(s: &str) -> Result<Limits, LimitsError> {
        let bad = || LimitsError(s.to_string());
        let (id, list) = s.trim().split_once(':').unwrap_or((s.trim(), ""));
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err(bad());
        }
        let mut limits = Limits {
            id: id.to_string(),
            ..Limits::default()
        };
        for pair in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, days) = pair.split_once('=').ok_or_else(bad)?;
            let days: u32 = days
                .trim()
                .parse()
                .ok()
                .filter(|d| (1..=365).contains(d))
                .ok_or_else(bad)?;
            *match name.trim() {
                "refuse" => &mut limits.refuse,
                "request_info" => &mut limits.request_info,
                "forward" => &mut limits.forward,
                "answer" => &mut limits.answer,
                "publish" => &mut limits.publish,
                "reopen_window" => &mut limits.reopen_window,
                _ => return Err(bad()),
            } = days;
        }
        Ok(limits)
    }

    /// The limit of a petition's first step (asking for information or forwarding; a refusal
    /// has a shorter one).
    pub fn first_step(&self) -> u32 {
        self.request_info.max(self.forward)
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            id: "qd766-2022".into(),
            refuse: 2,
            request_info: 5,
            forward: 5,
            answer: 15,
            publish: 2,
            reopen_window: 10,
        }
    }
}

/// Where a petition is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaknState {
    /// Filed; the agency is to refuse, ask for information, accept or forward it.
    Submitted,
    /// Waiting for the petitioner's information; the clock is paused.
    InfoRequested,
    /// Accepted and classified; the agency is to answer.
    Accepted,
    /// Answered; the coordinator is to publish the answer or return it.
    Answered,
    Published,
    Refused,
    Closed,
}

impl PaknState {
    /// Its name in Vietnamese and in English.
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            PaknState::Submitted => ("đã gửi", "submitted"),
            PaknState::InfoRequested => ("chờ bổ sung thông tin", "waiting for information"),
            PaknState::Accepted => ("đang xử lý", "being handled"),
            PaknState::Answered => ("đã trả lời, chờ công khai", "answered, to be published"),
            PaknState::Published => ("đã công khai trả lời", "answer published"),
            PaknState::Refused => ("từ chối tiếp nhận", "refused"),
            PaknState::Closed => ("đã đóng", "closed"),
        }
    }

    pub const ALL: [PaknState; 7] = [
        PaknState::Submitted,
        PaknState::InfoRequested,
        PaknState::Accepted,
        PaknState::Answered,
        PaknState::Published,
        PaknState::Refused,
        PaknState::Closed,
    ];

    pub fn parse(s: &str) -> Option<PaknState> {
        PaknState::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PaknState::Submitted => "submitted",
            PaknState::InfoRequested => "info_requested",
            PaknState::Accepted => "accepted",
            PaknState::Answered => "answered",
            PaknState::Published => "published",
            PaknState::Refused => "refused",
            PaknState::Closed => "closed",
        }
    }

    /// Still being handled: its clock runs (or is paused, waiting for the petitioner).
    pub fn open(self) -> bool {
        matches!(
            self,
            PaknState::Submitted
                | PaknState::InfoRequested
                | PaknState::Accepted
                | PaknState::Answered
        )
    }
}

/// Who gives a petition and how to reach them (Decree 20 art. 7: a name and a phone number or
/// e-mail address). Never shown publicly.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Petitioner {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<crate::ids::Phone>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The language they are written to in.
    #[serde(default, skip_serializing_if = "crate::Lang::is_vi")]
    pub lang: crate::Lang,
}

/// A file given with a petition, kept in the file store under its SHA-256; its type was
/// judged from its content.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attachment {
    /// The name it was given, for the reader's sake only (never a path).
    pub name: String,
    pub sha256: String,
    pub mime: String,
    pub size: u64,
}

/// At most this many files with a petition.
pub const MAX_ATTACHMENTS: usize = 3;
/// The largest file accepted with a petition: 5 MiB.
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;

/// A petition as filed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Filing {
    pub petitioner: Petitioner,
    pub channel: PaknChannel,
    pub content: String,
    /// The petitioner's own classification, which an officer confirms on acceptance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// The dossier it concerns, checked by the caller (the petitioner is its applicant or gives
    /// its tracking second factor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dossier: Option<DossierCode>,
    /// The agency it concerns, which handles it.
    pub agency: AgencyCode,
    /// The officer who wrote it down for the petitioner (phone, letter, counter, hotline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_by: Option<String>,
    /// Whether the petitioner agrees to their question being published (the answer is
    /// published without their name in any case).
    #[serde(default)]
    pub publish_content: bool,
    /// Files given with it (a scanned letter, a photo).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// What happened to a petition: its event stream in the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PaknEvent {
    Filed {
        code: PaknCode,
        filing: Box<Filing>,
        at: DateTime<Utc>,
    },
    Refused {
        reason: String,
        at: DateTime<Utc>,
    },
    InfoRequested {
        question: String,
        at: DateTime<Utc>,
    },
    Supplemented {
        text: String,
        at: DateTime<Utc>,
    },
    Accepted {
        category: Category,
        at: DateTime<Utc>,
    },
    Forwarded {
        to: AgencyCode,
        reason: String,
        at: DateTime<Utc>,
    },
    Answered {
        answer: String,
        by: String,
        at: DateTime<Utc>,
    },
    AnswerReturned {
        reason: String,
        at: DateTime<Utc>,
    },
    Published {
        at: DateTime<Utc>,
    },
    Rated {
        satisfied: bool,
        at: DateTime<Utc>,
    },
    Closed {
        at: DateTime<Utc>,
    },
    Reopened {
        reason: String,
        at: DateTime<Utc>,
    },
    /// Given to another agency by an escalation rule, its step being overdue (`due_at`).
    Reassigned {
        to: AgencyCode,
        rule: String,
        due_at: DateTime<Utc>,
        at: DateTime<Utc>,
    },
}

impl PaknEvent {
    /// The event's name, as the chain indexes it.
    pub fn kind(&self) -> &'static str {
        match self {
            PaknEvent::Filed { .. } => "pakn_filed",
            PaknEvent::Refused { .. } => "pakn_refused",
            PaknEvent::InfoRequested { .. } => "pakn_info_requested",
            PaknEvent::Supplemented { .. } => "pakn_supplemented",
            PaknEvent::Accepted { .. } => "pakn_accepted",
            PaknEvent::Forwarded { .. } => "pakn_forwarded",
            PaknEvent::Answered { .. } => "pakn_answered",
            PaknEvent::AnswerReturned { .. } => "pakn_answer_returned",
            PaknEvent::Published { .. } => "pakn_published",
            PaknEvent::Rated { .. } => "pakn_rated",
            PaknEvent::Closed { .. } => "pakn_closed",
            PaknEvent::Reopened { .. } => "pakn_reopened",
            PaknEvent::Reassigned { .. } => "pakn_reassigned",
        }
    }

    /// Whether the petitioner is told of it: the receipt, a refusal, a request for
    /// information, a change of agency, and the published answer.
    pub fn tells_petitioner(&self) -> bool {
        matches!(
            self,
            PaknEvent::Filed { .. }
                | PaknEvent::Refused { .. }
                | PaknEvent::InfoRequested { .. }
                | PaknEvent::Forwarded { .. }
                | PaknEvent::Reassigned { .. }
                | PaknEvent::Published { .. }
        )
    }

    pub fn at(&self) -> DateTime<Utc> {
        match self {
            PaknEvent::Filed { at, .. }
            | PaknEvent::Refused { at, .. }
            | PaknEvent::InfoRequested { at, .. }
            | PaknEvent::Supplemented { at, .. }
            | PaknEvent::Accepted { at, .. }
            | PaknEvent::Forwarded { at, .. }
            | PaknEvent::Answered { at, .. }
            | PaknEvent::AnswerReturned { at, .. }
            | PaknEvent::Published { at }
            | PaknEvent::Rated { at, .. }
            | PaknEvent::Closed { at }
            | PaknEvent::Reopened { at, .. }
            | PaknEvent::Reassigned { at, .. } => *at,
        }
    }
}

/// A petition's state, replayed from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Petition {
    pub code: PaknCode,
    pub filing: Filing,
    pub state: PaknState,
    pub category: Option<Category>,
    /// The agency handling it now.
    pub agency: AgencyCode,
    /// Every agency it has been with, the first first.
    pub agencies: Vec<AgencyCode>,
    pub filed_at: DateTime<Utc>,
    /// When the current agency's handling started: filing, or the last forwarding.
    pub received_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Office time the clock stood still waiting for the petitioner, per stage: before
    /// acceptance and after it.
    pub paused_before_acceptance: Duration,
    pub paused_after_acceptance: Duration,
    /// When the current wait for the petitioner began.
    pub paused_since: Option<DateTime<Utc>>,
    pub satisfied: Option<bool>,
    /// Times the petitioner reopened it (re-raised, for the service index).
    pub reopened: u32,
    /// Some step was done after its limit.
    pub late: bool,
    /// The escalation rules that reassigned it, each with the due instant it was overdue from.
    pub reassigned: Vec<(String, DateTime<Utc>)>,
}

/// Petition events that do not replay into a petition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("a petition's events start with its filing")]
    NotFiled,
    #[error("a petition is filed once")]
    FiledTwice,
}

/// The due instant of the step a petition is at, on `cal` under `limits`; none once it is
/// refused, published or closed, or while the clock is paused.
pub fn due(p: &Petition, cal: &WorkingCalendar, limits: &Limits) -> Option<DateTime<Utc>> {
    let after = |from, days, paused| deadline(cal, from, days, paused);
    match p.state {
        PaknState::Submitted => Some(after(
            p.received_at,
            limits.first_step(),
            p.paused_before_acceptance,
        )),
        PaknState::Accepted => p
            .accepted_at
            .map(|a| after(a, limits.answer, p.paused_after_acceptance)),
        PaknState::Answered => p
            .answered_at
            .map(|a| after(a, limits.publish, Duration::zero())),
        PaknState::InfoRequested
        | PaknState::Published
        | PaknState::Refused
        | PaknState::Closed => None,
    }
}

/// The end of a limit of `days` working days from `from`, moved on by the office time the
/// clock stood still (`paused`).
fn deadline(
    cal: &WorkingCalendar,
    from: DateTime<Utc>,
    days: u32,
    paused: Duration,
) -> DateTime<Utc> {
    cal.add_working_time(cal.add_working_days(from, days), paused)
}

/// Whether a step taken at `at` kept a limit of `days` working days from `from` (see
/// [`deadline`]). Refusal, asking for information and forwarding count from the current
/// agency's receipt; the answer from acceptance; publication from the answer.
fn kept(
    cal: &WorkingCalendar,
    days: u32,
    from: DateTime<Utc>,
    paused: Duration,
    at: DateTime<Utc>,
) -> bool {
    at <= deadline(cal, from, days, paused)
}

/// Replays a petition from its events (in order), on `cal` under `limits` to tell which steps
/// were late.
pub fn replay(
    events: &[PaknEvent],
    cal: &WorkingCalendar,
    limits: &Limits,
) -> Result<Petition, ReplayError> {
    let mut it = events.iter();
    let Some(PaknEvent::Filed { code, filing, at }) = it.next() else {
        return Err(ReplayError::NotFiled);
    };
    let mut p = Petition {
        code: *code,
        filing: (**filing).clone(),
        state: PaknState::Submitted,
        category: filing.category,
        agency: filing.agency,
        agencies: vec![filing.agency],
        filed_at: *at,
        received_at: *at,
        accepted_at: None,
        answer: None,
        answered_at: None,
        published_at: None,
        closed_at: None,
        paused_before_acceptance: Duration::zero(),
        paused_after_acceptance: Duration::zero(),
        paused_since: None,
        satisfied: None,
        reopened: 0,
        late: false,
        reassigned: Vec::new(),
    };
    for e in it {
        apply(&mut p, e, cal, limits)?;
    }
    Ok(p)
}

/// One event's change to a petition.
fn apply(
    p: &mut Petition,
    e: &PaknEvent,
    cal: &WorkingCalendar,
    limits: &Limits,
) -> Result<(), ReplayError> {
    let at = e.at();
    let before_acceptance = p.accepted_at.is_none();
    // Whether a step taken now kept a limit counted from the current agency's receipt.
    let (received, paused) = (p.received_at, p.paused_before_acceptance);
    let from_receipt = |days: u32| kept(cal, days, received, paused, at);
    match e {
        PaknEvent::Filed { .. } => return Err(ReplayError::FiledTwice),
        PaknEvent::Refused { .. } => {
            p.late |= !from_receipt(limits.refuse);
            p.state = PaknState::Refused;
            p.closed_at = Some(at);
        }
        PaknEvent::InfoRequested { .. } => {
            if before_acceptance {
                p.late |= !from_receipt(limits.request_info);
            }
            p.state = PaknState::InfoRequested;
            p.paused_since = Some(at);
        }
        PaknEvent::Supplemented { .. } => {
            let paused = p
                .paused_since
                .take()
                .map_or(Duration::zero(), |from| cal.working_time_between(from, at));
            if before_acceptance {
                p.paused_before_acceptance += paused;
                p.state = PaknState::Submitted;
            } else {
                p.paused_after_acceptance += paused;
                p.state = PaknState::Accepted;
            }
        }
        PaknEvent::Accepted { category, .. } => {
            p.category = Some(*category);
            p.accepted_at = Some(at);
            p.state = PaknState::Accepted;
        }
        PaknEvent::Forwarded { to, .. } => {
            p.late |= !from_receipt(limits.forward);
            p.agency = *to;
            p.agencies.push(*to);
            // The agency it reaches handles it from its own receipt.
            p.received_at = at;
            p.accepted_at = None;
            p.paused_before_acceptance = Duration::zero();
            p.paused_after_acceptance = Duration::zero();
            p.state = PaknState::Submitted;
        }
        PaknEvent::Answered { answer, .. } => {
            if let Some(a) = p.accepted_at {
                p.late |= !kept(cal, limits.answer, a, p.paused_after_acceptance, at);
            }
            p.answer = Some(answer.clone());
            p.answered_at = Some(at);
            p.state = PaknState::Answered;
        }
        PaknEvent::AnswerReturned { .. } => {
            p.answer = None;
            p.answered_at = None;
            p.state = PaknState::Accepted;
        }
        PaknEvent::Published { .. } => {
            if let Some(a) = p.answered_at {
                p.late |= !kept(cal, limits.publish, a, Duration::zero(), at);
            }
            p.published_at = Some(at);
            p.state = PaknState::Published;
        }
        PaknEvent::Rated { satisfied, .. } => p.satisfied = Some(*satisfied),
        PaknEvent::Closed { .. } => {
            p.state = PaknState::Closed;
            p.closed_at = Some(at);
        }
        PaknEvent::Reopened { .. } => {
            p.reopened += 1;
            p.satisfied = None;
            p.answer = None;
            p.answered_at = None;
            p.published_at = None;
            p.closed_at = None;
            // Handled again from now, as accepted.
            p.accepted_at = Some(at);
            p.paused_after_acceptance = Duration::zero();
            p.state = PaknState::Accepted;
        }
        // The step and its clock stay as they are; the agency reached takes it over.
        PaknEvent::Reassigned {
            to, rule, due_at, ..
        } => {
            p.agency = *to;
            p.agencies.push(*to);
            p.reassigned.push((rule.clone(), *due_at));
        }
    }
    Ok(())
}

/// What the service index counts of a petition, kept with it: when it was filed and when its
/// handling ended (published, refused or closed), when its current step is due, whether a
/// step was taken late, its rating and reopenings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexFacts {
    pub filed_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub late: bool,
    pub satisfied: Option<bool>,
    pub reopened: u32,
}

impl IndexFacts {
    pub fn of(p: &Petition, cal: &WorkingCalendar, limits: &Limits) -> IndexFacts {
        IndexFacts {
            filed_at: p.filed_at,
            ended_at: if p.state.open() {
                None
            } else {
                p.published_at.or(p.closed_at)
            },
            due_at: due(p, cal, limits),
            published_at: p.published_at,
            late: p.late,
            satisfied: p.satisfied,
            reopened: p.reopened,
        }
    }

    /// Handled in time as judged at instant `as_of`: no step taken late and, if still open
    /// then, its step not past due. (One that ended later in time was in time at `as_of`
    /// too: its due was after it ended.)
    pub fn in_time(&self, as_of: DateTime<Utc>) -> bool {
        let open = self.ended_at.is_none_or(|e| e > as_of);
        let overdue = open && self.due_at.is_some_and(|d| d < as_of);
        !self.late && !overdue
    }

    /// Answered and published in time, neither rated dissatisfied nor raised again.
    pub fn satisfactory(&self) -> bool {
        self.published_at.is_some()
            && !self.late
            && self.satisfied != Some(false)
            && self.reopened == 0
    }
}

/// What a petition that is not feedback is, and the law it follows instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotFeedback {
    /// Khiếu nại: a complaint against an administrative decision or act (Law on Complaints).
    Complaint,
    /// Tố cáo: a denunciation of a violation (Law on Denunciations).
    Denunciation,
}

/// Recognises a complaint or a denunciation by the words that name it, so it is redirected to
/// its own procedure instead of handled as feedback. Text written with diacritics is matched
/// with them ("yếu tố cao tuổi" is not "tố cáo"); text typed without any, without them.
pub fn not_feedback(content: &str) -> Option<NotFeedback> {
    let plain = content.is_ascii();
    let text = if plain {
        crate::text::fold(content)
    } else {
        crate::text::nfc(content).to_lowercase()
    };
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |vi: &str, ascii: &str| {
        let phrase: Vec<&str> = if plain { ascii } else { vi }.split(' ').collect();
        words.windows(phrase.len()).any(|w| w == phrase.as_slice())
    };
    if has("tố cáo", "to cao") {
        Some(NotFeedback::Denunciation)
    } else if has("khiếu nại", "khieu nai") {
        Some(NotFeedback::Complaint)
    } else {
        None
    }
}

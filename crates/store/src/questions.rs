//! What questions to an officer (hỏi đáp) ask of storage: a row each, its code drawn per day,
//! answered (and perhaps published as a frequently asked question) or turned into a petition
//! once, whoever comes first.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use motcua_domain::ids::{AgencyCode, PaknCode, Phone, ProcedureCode, QuestionCode};
use motcua_domain::questions::QuestionState;

use crate::error::StoreError;

/// A question as asked, checked, its text with personal numbers hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuestion {
    /// `web`, or how an officer took it (`hotline`, `phone`, `counter`).
    pub channel: String,
    /// The officer who wrote it down for the asker.
    pub received_by: Option<String>,
    pub name: String,
    pub phone: Option<Phone>,
    pub email: Option<String>,
    pub procedure: Option<ProcedureCode>,
    pub agency: AgencyCode,
    pub question: String,
    /// The language the asker is answered in.
    pub lang: motcua_domain::Lang,
}

/// The outbox topic telling an asker their question was answered; its payload's `stream` is
/// [`question_stream`].
pub const QUESTION_ANSWERED_TOPIC: &str = "question.answered";

/// What starts the outbox's name of every question.
pub const QUESTION_STREAM_PREFIX: &str = "question:";

/// How the outbox names a question: `question:{code}`.
pub fn question_stream(code: &QuestionCode) -> String {
    format!("{QUESTION_STREAM_PREFIX}{code}")
}

/// A stored question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionRow {
    pub code: QuestionCode,
    pub asked_at: DateTime<Utc>,
    pub asked: NewQuestion,
    pub state: QuestionState,
    pub answer_due_at: DateTime<Utc>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub answered_by: Option<String>,
    /// When its answer was published as a frequently asked question.
    pub published_at: Option<DateTime<Utc>>,
    pub petition: Option<PaknCode>,
}

/// A question the assistant could not answer, kept (personal numbers hidden) so that the
/// agency it concerns can answer it for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnansweredNote {
    pub asked_at: DateTime<Utc>,
    pub question: String,
    pub lang: motcua_domain::Lang,
    pub procedure: Option<ProcedureCode>,
    pub agency: AgencyCode,
}

/// Which questions to list: of some agencies, in some states; the earliest due first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionQuery {
    pub agencies: Vec<AgencyCode>,
    pub states: Vec<QuestionState>,
    pub limit: u32,
}

#[async_trait]
pub trait Questions: Send + Sync {
    /// Stores a question asked at `at`, its first answer due at `due`, under the next code of
    /// its local day.
    async fn ask_question(
        &self,
        q: &NewQuestion,
        at: DateTime<Utc>,
        due: DateTime<Utc>,
    ) -> Result<QuestionRow, StoreError>;
    async fn question(&self, code: &QuestionCode) -> Result<Option<QuestionRow>, StoreError>;
    async fn questions(&self, q: &QuestionQuery) -> Result<Vec<QuestionRow>, StoreError>;
    /// Answers an open question (`Conflict` once it is not open, `NotFound` when there is
    /// none); with `publish`, as a frequently asked question from then on.
    async fn answer_question(
        &self,
        code: &QuestionCode,
        answer: &str,
        by: &str,
        at: DateTime<Utc>,
        publish: bool,
    ) -> Result<QuestionRow, StoreError>;
    /// Records that an open question became petition `petition`.
    async fn convert_question(
        &self,
        code: &QuestionCode,
        petition: &PaknCode,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<QuestionRow, StoreError>;
    /// Keeps a question the assistant could not answer.
    async fn note_unanswered(&self, note: &UnansweredNote) -> Result<(), StoreError>;
    /// The questions the assistant could not answer from `from` to `to`, the oldest first, at
    /// most `limit`.
    async fn unanswered_notes(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<UnansweredNote>, StoreError>;
    /// The questions to officers asked from `from` to `to`, the oldest first, at most `limit`.
    async fn questions_asked(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<QuestionRow>, StoreError>;
    /// The published questions holding every word of `words` (folded) in the question or the
    /// answer, about `procedure` when given; the latest first.
    async fn faq(
        &self,
        words: &[String],
        procedure: Option<&ProcedureCode>,
        limit: u32,
    ) -> Result<Vec<QuestionRow>, StoreError>;
}

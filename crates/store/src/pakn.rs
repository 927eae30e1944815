//! What feedback and petitions (phản ánh, kiến nghị) ask of storage: each petition is an
//! event stream `pakn:{code}` in the audit chain, with a row saying where it stands, both
//! written in one transaction; codes are drawn per day.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use motcua_domain::calendar::WorkingCalendar;
use motcua_domain::ids::{AgencyCode, DossierCode};
use motcua_domain::pakn::{
    Category, Filing, IndexFacts, Limits, PaknChannel, PaknCode, PaknEvent, PaknState, Petition,
};
use serde::{Deserialize, Serialize};

use crate::error::StoreError;

/// The chain's stream of a petition.
pub fn petition_stream(code: &PaknCode) -> String {
    format!("{PETITION_STREAM_PREFIX}{code}")
}

/// What starts the stream of every petition.
pub const PETITION_STREAM_PREFIX: &str = "pakn:";

/// Where a petition stands, as its row keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PetitionRow {
    pub code: PaknCode,
    /// The number of its events.
    pub version: u32,
    pub state: PaknState,
    pub agency: AgencyCode,
    pub category: Option<Category>,
    pub channel: PaknChannel,
    pub dossier: Option<DossierCode>,
    pub updated_at: DateTime<Utc>,
    /// When it was filed, when its current step is due (none when it waits for nobody or for
    /// the petitioner), and what else the service index counts of it.
    pub facts: IndexFacts,
}

/// What the figures count of a petition: the agency handling it, how it is classified and
/// came, and its index facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PetitionFacts {
    pub agency: AgencyCode,
    pub category: Option<Category>,
    pub channel: PaknChannel,
    pub facts: IndexFacts,
}

/// A petition's row and its events in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPetition {
    pub row: PetitionRow,
    pub events: Vec<PaknEvent>,
}

/// Where new events leave a petition, as the domain computed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PetitionUpdate {
    pub state: PaknState,
    pub agency: AgencyCode,
    pub category: Option<Category>,
    pub facts: IndexFacts,
    /// Once the answer is published: what the public may read.
    pub published: Option<PublishedText>,
    /// How the petitioner can be told of the events (what to queue in the outbox).
    pub petitioner: Reach,
}

/// Whether someone gave an e-mail address and a phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    pub email: bool,
    pub phone: bool,
}

impl Reach {
    pub fn of(p: &motcua_domain::pakn::Petitioner) -> Reach {
        Reach {
            email: p.email.is_some(),
            phone: p.phone.is_some(),
        }
    }
}

/// The outbox topic of a petition event the petitioner is told of: `pakn.filed`,
/// `pakn.refused` …
pub fn petition_topic(e: &PaknEvent) -> String {
    format!("pakn.{}", e.kind().trim_start_matches("pakn_"))
}

/// The payload of a petition's message in the outbox: the event, and when the petition's
/// step is due after it (the first step's due for a filing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PetitionMessage {
    pub stream: String,
    pub version: u32,
    pub event: PaknEvent,
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
}

/// An alert an escalation rule raises to an officer about an overdue petition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PetitionAlert {
    pub petition: PaknCode,
    /// The rule, as written (`accepted+2:notify=leader`).
    pub rule: String,
    pub due_at: DateTime<Utc>,
    pub recipient: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// The public text of a published petition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedText {
    /// The petition as written, when the petitioner agreed to its publication, with personal
    /// numbers and e-mail addresses hidden.
    pub question: Option<String>,
    pub answer: String,
}

impl PetitionUpdate {
    /// Where a replayed petition stands.
    pub fn of(p: &Petition, cal: &WorkingCalendar, limits: &Limits) -> PetitionUpdate {
        PetitionUpdate {
            state: p.state,
            agency: p.agency,
            category: p.category,
            facts: IndexFacts::of(p, cal, limits),
            published: p
                .published_at
                .and(p.answer.as_ref())
                .map(|answer| PublishedText {
                    question: p
                        .filing
                        .publish_content
                        .then(|| motcua_domain::text::mask_personal(&p.filing.content)),
                    answer: answer.clone(),
                }),
            petitioner: Reach::of(&p.filing.petitioner),
        }
    }
}

/// A published question and answer, as the public reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPetition {
    pub code: PaknCode,
    pub agency: AgencyCode,
    pub category: Option<Category>,
    pub published_at: DateTime<Utc>,
    pub question: Option<String>,
    pub answer: String,
}

/// Which published petitions to list: of an agency, of a category, holding every word of
/// `words` (folded) in the question or answer; the latest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishedQuery {
    pub agency: Option<AgencyCode>,
    pub category: Option<Category>,
    pub words: Vec<String>,
    pub offset: u32,
    pub limit: u32,
}

/// Which petitions to list: of some agencies (all when none), in some states (all when none),
/// due before an instant; the earliest due first, then the oldest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PetitionQuery {
    pub agencies: Option<Vec<AgencyCode>>,
    pub states: Option<Vec<PaknState>>,
    pub due_before: Option<DateTime<Utc>>,
    /// Rows skipped, to read page after page.
    pub offset: u32,
    pub limit: u32,
}

/// What is hashed and stored for each petition event.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct PetitionEnvelope {
    pub(crate) stream: String,
    pub(crate) version: u32,
    pub(crate) event: PaknEvent,
}

#[async_trait]
pub trait Petitions: Send + Sync {
    /// Files a petition received at `at`: draws the next code of its local day, links its
    /// filing event into the chain and stores its row, in one transaction. The filing must
    /// have been checked ([`motcua_domain::pakn::check`]); `due_at` is its first step's due.
    async fn file_petition(
        &self,
        filing: &Filing,
        at: DateTime<Utc>,
        due_at: Option<DateTime<Utc>>,
    ) -> Result<PetitionRow, StoreError>;
    /// Links `events` after version `expected` of petition `code` and updates its row, in one
    /// transaction: `Conflict` when it changed meanwhile, `NotFound` when there is none.
    async fn append_petition(
        &self,
        code: &PaknCode,
        expected: u32,
        events: Vec<PaknEvent>,
        update: &PetitionUpdate,
    ) -> Result<PetitionRow, StoreError>;
    async fn petition(&self, code: &PaknCode) -> Result<Option<StoredPetition>, StoreError>;
    async fn petitions(&self, q: &PetitionQuery) -> Result<Vec<PetitionRow>, StoreError>;
    /// The published questions and answers `q` asks for, the latest first.
    async fn published_petitions(
        &self,
        q: &PublishedQuery,
    ) -> Result<Vec<PublishedPetition>, StoreError>;
    /// The received dossiers some petition filed before `before` is about, as the figures
    /// count them, each with when the first such petition was filed: a dossier with feedback
    /// does not count as satisfactorily handled.
    async fn petitioned_dossiers(
        &self,
        before: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, crate::model::CountedDossier)>, StoreError>;
    /// Raises alerts (once per petition, rule, due instant and recipient); returns how many
    /// were new.
    async fn raise_petition_alerts(&self, alerts: &[PetitionAlert]) -> Result<u64, StoreError>;
    /// The alerts of an officer about petitions with their ids, unread first, the latest
    /// first.
    async fn petition_alerts(
        &self,
        recipient: &str,
        limit: u32,
    ) -> Result<Vec<(i64, PetitionAlert)>, StoreError>;
    /// Marks alert `id` of `recipient` read; false when there is no such unread alert of theirs.
    async fn mark_petition_alert_read(
        &self,
        id: i64,
        recipient: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// The index facts of the petitions filed before `to` and not ended before `from`, or
    /// whose answer was published from `from` on: those a period from `from` to `to` counts.
    async fn petition_facts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<PetitionFacts>, StoreError>;
}

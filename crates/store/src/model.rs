//! The records the store keeps, beside the domain's own types and the catalog's records
//! (`motcua-procedures`, re-exported here).

use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::ids::{AgencyCode, BranchCode, DossierCode, ProcedureCode};
use motcua_domain::lifecycle::{Dossier, Event, EventType};
use motcua_domain::role::Role;
pub use motcua_procedures::{
    DocumentRole, LegalBasis, OnlineLevel, Procedure, ProcedureSummary, Provenance,
    RequiredDocument, SubmissionMethod,
};
use serde::{Deserialize, Serialize};

/// What kind of body an agency is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// The provincial People's Committee.
    Province,
    /// The Public Administrative Service Centre (the one-stop department).
    Centre,
    /// A provincial department (sở, ban, ngành).
    Department,
    /// A commune, ward or special zone People's Committee.
    Commune,
    /// A vertically organised central agency with a desk at the centre (police, tax, …).
    Vertical,
    /// A ministry or other central body whose procedures appear in the catalog.
    Central,
}

impl AgencyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AgencyKind::Province => "province",
            AgencyKind::Centre => "centre",
            AgencyKind::Department => "department",
            AgencyKind::Commune => "commune",
            AgencyKind::Vertical => "vertical",
            AgencyKind::Central => "central",
        }
    }

    pub const ALL: [AgencyKind; 6] = [
        AgencyKind::Province,
        AgencyKind::Centre,
        AgencyKind::Department,
        AgencyKind::Commune,
        AgencyKind::Vertical,
        AgencyKind::Central,
    ];

    pub fn parse(s: &str) -> Option<AgencyKind> {
        AgencyKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    pub code: AgencyCode,
    pub parent: Option<AgencyCode>,
    pub name: String,
    pub name_en: Option<String>,
    pub kind: AgencyKind,
    /// The NSO code of the administrative unit, for communes.
    pub admin_unit_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counter {
    pub number: i64,
    pub label: String,
}

/// A place where dossiers are received (the centre's seat, a commune-level centre).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branch {
    pub code: BranchCode,
    pub agency: AgencyCode,
    pub name: String,
    pub address: String,
    pub hours: String,
    pub counters: Vec<Counter>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub agency: Option<AgencyCode>,
    /// argon2 PHC string.
    pub password_hash: String,
    pub active: bool,
}

/// What an API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    #[serde(rename = "dossiers:read")]
    DossiersRead,
    #[serde(rename = "dossiers:write")]
    DossiersWrite,
    #[serde(rename = "stats:read")]
    StatsRead,
    /// A registered kiosk of the agency's branches: issues tickets (priority ones too) and
    /// checks in appointments.
    #[serde(rename = "floor:kiosk")]
    Kiosk,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Scope::DossiersRead,
        Scope::DossiersWrite,
        Scope::StatsRead,
        Scope::Kiosk,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::DossiersRead => "dossiers:read",
            Scope::DossiersWrite => "dossiers:write",
            Scope::StatsRead => "stats:read",
            Scope::Kiosk => "floor:kiosk",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// An agency system's key; only its SHA-256 is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    pub name: String,
    pub agency: AgencyCode,
    pub scopes: Vec<Scope>,
    pub key_hash: String,
    pub revoked: bool,
}

/// A dossier as stored: its code, state and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierRecord {
    pub code: DossierCode,
    pub version: u32,
    pub state: Dossier,
    pub form: serde_json::Value,
}

/// A dossier to create: its opening events (already decided) and the resulting state.
#[derive(Debug, Clone)]
pub struct NewDossier {
    pub events: Vec<Event>,
    pub state: Dossier,
    pub form: serde_json::Value,
}

/// An event as stored, with its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEvent {
    pub seq: i64,
    pub version: u32,
    pub event: Event,
    pub hash: String,
}

/// A step of a dossier's timeline: what happened and when, read from the events' indexed
/// columns without their bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineEvent {
    pub at: DateTime<Utc>,
    pub kind: EventType,
}

/// Outcome of walking the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    pub events: u64,
    pub head: String,
    pub broken: Option<BrokenLink>,
}

/// Which rows of the cohort rollup a reading takes: the finer, the more rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CohortGrain {
    /// Summed over the province: one row per cohort.
    Province,
    /// One row per competent agency and cohort, of the agencies listed (every one when none).
    Agency(Option<Vec<motcua_domain::ids::AgencyCode>>),
    /// One row per competent agency, procedure and cohort, of the agencies listed (every one
    /// when none).
    Procedure(Option<Vec<motcua_domain::ids::AgencyCode>>),
}

/// Dossiers of one cohort counted together: of one competent agency (none when summed over
/// the province) and one procedure (none when summed over the agency's procedures).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortRow {
    pub agency: Option<motcua_domain::ids::AgencyCode>,
    pub procedure: Option<motcua_domain::ids::ProcedureCode>,
    pub cohort: motcua_domain::index::Cohort,
    pub count: u64,
}

impl CohortRow {
    /// The row as the counting reads it.
    pub fn counted(&self) -> (&motcua_domain::index::Cohort, u64) {
        (&self.cohort, self.count)
    }
}

/// What a period's figures count, read in one snapshot: the cohort rows at a grain, the
/// online uses of the period's months (per competent agency, or over the province at the
/// province grain: agency none), and the last event of the chain they include.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cohorts {
    pub high_water_seq: i64,
    pub rows: Vec<CohortRow>,
    pub uses: Vec<(
        Option<motcua_domain::ids::AgencyCode>,
        motcua_domain::index::OnlineUse,
    )>,
}

/// A dossier as the figures count it: its row of the statistics facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedDossier {
    pub code: motcua_domain::ids::DossierCode,
    pub competent_agency: motcua_domain::ids::AgencyCode,
    pub procedure: motcua_domain::ids::ProcedureCode,
    pub cohort: motcua_domain::index::Cohort,
    /// The national status code's name (`received`, `resolved`, …).
    pub status: String,
    pub received_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `counter`, `online` or `post`.
    pub channel: String,
    pub supplement_requests: i64,
    /// `very_satisfied`, `satisfied` or `dissatisfied`; none when not rated.
    pub rating: Option<String>,
}

/// The first event whose stored hash does not follow from its predecessor and its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    pub seq: i64,
    pub stream: String,
    pub version: i64,
    pub reason: String,
}

/// Filter of the counters (an agency is the competent agency of the dossiers counted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub agency: Option<AgencyCode>,
    pub procedure: Option<ProcedureCode>,
    pub branch: Option<String>,
    /// Group by day (otherwise totals over the range).
    pub by_day: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatRow {
    pub day: Option<NaiveDate>,
    pub metric: String,
    pub count: i64,
}

/// The notification channels a server delivers on. A message that none of them could carry
/// (an applicant with only a phone where no SMS gateway is configured) is not queued at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub email: bool,
    pub sms: bool,
}

impl Delivery {
    pub const ALL: Delivery = Delivery {
        email: true,
        sms: true,
    };
    pub const NONE: Delivery = Delivery {
        email: false,
        sms: false,
    };

    pub fn bits(self) -> u8 {
        u8::from(self.email) | (u8::from(self.sms) << 1)
    }

    pub fn from_bits(bits: u8) -> Delivery {
        Delivery {
            email: bits & 1 != 0,
            sms: bits & 2 != 0,
        }
    }

    /// Whether a recipient with (or without) an e-mail address and a phone can be reached.
    pub fn reaches(self, email: bool, phone: bool) -> bool {
        (self.email && email) || (self.sms && phone)
    }
}

/// What became of a delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboxOutcome {
    Delivered,
    /// Try again at the given time.
    Retry {
        at: DateTime<Utc>,
        error: String,
    },
    /// Stop trying (kept for inspection).
    Dead {
        error: String,
    },
}

/// A claimed message settled: its outcome and what it sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub id: i64,
    pub outcome: OutboxOutcome,
    pub sent: Vec<Notification>,
}

/// The outcome of recomputing the statistics from the events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatsCheck {
    pub dossiers: u64,
    /// Dossiers whose stored facts were missing or differed from their events.
    pub facts_differing: u64,
    /// Rollup rows whose stored count differed from the sum over the facts.
    pub rollups_differing: u64,
    /// A few of the differences, for people.
    pub examples: Vec<String>,
    /// Whether the differences were replaced.
    pub rewritten: bool,
}

impl StatsCheck {
    pub fn consistent(&self) -> bool {
        self.facts_differing == 0 && self.rollups_differing == 0
    }
}

/// A notification that was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub outbox_id: i64,
    pub dossier_code: Option<String>,
    /// `email` or `sms`.
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub sent_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: i64,
    pub event_seq: i64,
    pub topic: String,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub attempts: i64,
}

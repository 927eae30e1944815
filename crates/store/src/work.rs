//! What the back office asks of storage: work lists (inboxes, the reception queue, dossiers to
//! watch), earlier applicants by citizen ID, alerts to officers, and leases that let one server
//! instance at a time run a scheduled job.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use motcua_domain::ids::{Cccd, DossierCode};
use motcua_domain::lifecycle::{Applicant, Status};
use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::model::{Agency, ApiKey, Branch, DossierRecord, Procedure, User};
use motcua_domain::calendar::DayOverride;
use motcua_domain::role::Actor;

/// Which dossiers a work list holds. Filters left empty do not filter. A list is ordered by
/// the appointment (or, with a due filter, by the earliest of the appointment and the step's
/// due instant), then by filing time and code, and read in that order from an index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkQuery {
    /// Agencies holding the dossier now (`current_agency`), when `Some`.
    pub holders: Option<Vec<String>>,
    /// Agencies that received the dossier (the one-stop side), when `Some`.
    pub receivers: Option<Vec<String>>,
    pub statuses: Vec<Status>,
    pub assignee: Option<String>,
    /// Only dossiers whose appointment or current step is due before this instant; the list
    /// is then ordered by the earliest of the two.
    pub due_before: Option<DateTime<Utc>>,
    /// Only dossiers whose appointment and current step are both due at or after this instant
    /// (nothing is late yet).
    pub due_from: Option<DateTime<Utc>>,
    /// Walk in code order, after this dossier code (the empty string starts at the first):
    /// lists read whole in pages.
    pub after: Option<String>,
    pub limit: u32,
    /// Skip this many of the most-urgent-first order: a list read a page at a time.
    pub offset: u32,
}

/// What an officer's search looks for in dossiers (see [`Work::find_dossiers`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Find {
    Code(DossierCode),
    Cccd(Cccd),
    /// The last four digits of the applicant's phone (the caller checks the whole number).
    PhoneLast4(String),
    /// Words of the applicant's name, folded (see `motcua_domain::text::fold`), in order.
    Name(String),
}

/// An alert to raise (see [`StaffAlert`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    pub dossier_code: DossierCode,
    pub kind: String,
    pub due_at: DateTime<Utc>,
    pub recipient: String,
    pub created_at: DateTime<Utc>,
}

/// When the deadline watcher should look at a dossier again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchAgain {
    pub code: DossierCode,
    /// The version the watcher judged.
    pub version: u32,
    /// `None`: not until the dossier changes.
    pub at: Option<DateTime<Utc>>,
}

/// An alert to an officer about a dossier's deadline; raised once per dossier, kind, due
/// instant and recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAlert {
    pub id: i64,
    pub dossier_code: String,
    /// `due_soon`, `overdue`, `step_due_soon` or `step_overdue`.
    pub kind: String,
    pub due_at: DateTime<Utc>,
    pub recipient: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A change an administrator makes to the centre's set-up.
#[derive(Debug, Clone, PartialEq)]
pub enum AdminOp {
    Agency(Agency),
    Branch(Branch),
    User(User),
    Procedure(Box<Procedure>),
    CalendarDay(DayOverride),
    ApiKey(ApiKey),
    /// A setting, such as a notification template's wording.
    Setting {
        key: String,
        value: String,
    },
}

/// The stream name under which administrators' changes are chained with dossier events.
pub const ADMIN_STREAM: &str = "admin";

/// An administrator's change as audited: who, when, what, why, and the record as written
/// (secrets such as password hashes left out). Hashed into the same chain as dossier events,
/// in the same transaction as the change itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminChange {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    /// `agency`, `branch`, `user`, `procedure`, `calendar_day` or `api_key`.
    pub entity: String,
    /// The record's key (code, username, date…).
    pub key: String,
    pub reason: String,
    pub record: serde_json::Value,
}

#[async_trait]
pub trait Work: Send + Sync {
    /// Dossiers matching `q`, the most urgent first (earliest appointment or step due, then
    /// filing time); with `after`, ordered by code instead for walking every dossier.
    async fn work(&self, q: &WorkQuery) -> Result<Vec<DossierRecord>, StoreError>;
    /// How many dossiers match `q` (its filters; not its `after`, `limit` or `offset`).
    async fn count_work(&self, q: &WorkQuery) -> Result<u64, StoreError>;
    /// Dossiers an officer's search finds, the most recently filed first, at most `limit`;
    /// the caller keeps those the officer may read.
    async fn find_dossiers(
        &self,
        find: &Find,
        limit: u32,
    ) -> Result<Vec<DossierRecord>, StoreError>;
    /// Dossiers in `statuses` whose watch time has come by `now` (changed since the watcher
    /// last looked, or at a deadline it scheduled), the longest waiting first.
    async fn to_watch(
        &self,
        statuses: &[Status],
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DossierRecord>, StoreError>;
    /// When the watcher should look at dossiers again, in one write; a dossier that moved past
    /// the version the watcher saw keeps the watch time its change gave it. Returns how many
    /// were set.
    async fn watch_again(&self, next: &[WatchAgain]) -> Result<u64, StoreError>;
    /// The applicant of the latest dossier filed with this citizen ID (counter prefill).
    async fn applicant_by_cccd(&self, cccd: &Cccd) -> Result<Option<Applicant>, StoreError>;
    /// The dossier whose electronic result has this SHA-256 (hex), for public verification.
    async fn dossier_by_result(&self, sha256: &str) -> Result<Option<DossierRecord>, StoreError>;
    /// Records alerts that do not exist yet, in one write; returns how many were new.
    async fn raise_alerts(&self, alerts: &[NewAlert]) -> Result<u64, StoreError>;
    /// A recipient's alerts, unread first, newest first.
    async fn alerts(&self, recipient: &str, limit: u32) -> Result<Vec<StaffAlert>, StoreError>;
    async fn mark_alert_read(
        &self,
        id: i64,
        recipient: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Makes an administrator's change and records it in the audit chain, all or nothing.
    async fn administer(&self, op: &AdminOp, change: &AdminChange) -> Result<(), StoreError>;
    /// The latest administrators' changes, newest first.
    async fn admin_changes(&self, limit: u32) -> Result<Vec<AdminChange>, StoreError>;
    /// Settings whose key starts with `prefix`, by key.
    async fn settings_with_prefix(&self, prefix: &str)
    -> Result<Vec<(String, String)>, StoreError>;
    /// Every API client key (hashes only), by name.
    async fn api_keys(&self) -> Result<Vec<ApiKey>, StoreError>;
    /// Ends a staff token (log-out).
    async fn revoke_token(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Takes or renews the lease on job `name` for `holder` until `until`; false while another
    /// holder's lease runs.
    async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
}

//! The storage contract: everything the application asks of a database.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use motcua_domain::calendar::DayOverride;
use motcua_domain::ids::{DossierCode, ProcedureCode};
use motcua_domain::lifecycle::{Dossier, Event};

use crate::error::StoreError;
use crate::model::*;

/// The database engine behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Everything motcua keeps. Every method is atomic: it either happens completely or not at
/// all. Dossier writes append hash-chained events, update the current state (optimistic
/// concurrency on its version), the outbox and the per-day counters in one transaction.
#[async_trait]
pub trait Store:
    crate::portal::Portal + crate::work::Work + crate::queue::Queue + Send + Sync + 'static
{
    fn backend(&self) -> Backend;

    async fn put_agency(&self, agency: &Agency) -> Result<(), StoreError>;
    async fn agencies(&self) -> Result<Vec<Agency>, StoreError>;
    async fn put_branch(&self, branch: &Branch) -> Result<(), StoreError>;
    async fn branches(&self) -> Result<Vec<Branch>, StoreError>;

    async fn put_user(&self, user: &User) -> Result<(), StoreError>;
    async fn user(&self, username: &str) -> Result<Option<User>, StoreError>;
    async fn users(&self) -> Result<Vec<User>, StoreError>;
    async fn put_token(
        &self,
        token_hash: &str,
        username: &str,
        created: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// The active user a bearer token belongs to, if the token is known and not expired.
    async fn token_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError>;
    async fn put_api_key(&self, key: &ApiKey) -> Result<(), StoreError>;
    async fn api_key(&self, key_hash: &str) -> Result<Option<ApiKey>, StoreError>;

    async fn put_procedure(&self, procedure: &Procedure) -> Result<(), StoreError>;
    async fn procedure(&self, code: &ProcedureCode) -> Result<Option<Procedure>, StoreError>;
    /// The whole catalog, ordered by code.
    async fn procedures(&self) -> Result<Vec<Procedure>, StoreError>;
    /// Inserts or replaces many procedures in one transaction: all or none.
    async fn put_procedures(&self, procedures: &[Procedure]) -> Result<(), StoreError>;
    /// Changes whenever any procedure is written (for caches such as the search index).
    async fn catalog_stamp(&self) -> Result<String, StoreError>;

    async fn put_calendar_day(&self, day: &DayOverride) -> Result<(), StoreError>;
    async fn calendar_days(&self) -> Result<Vec<DayOverride>, StoreError>;

    /// Stores a new dossier: draws its code (receiving agency, date, daily sequence) and
    /// writes its opening events.
    async fn create_dossier(&self, new: &NewDossier) -> Result<DossierRecord, StoreError>;
    /// Stores many complete dossier histories in one transaction (migration of history,
    /// demo data).
    async fn import_dossiers(&self, batch: &[NewDossier]) -> Result<Vec<DossierCode>, StoreError>;
    async fn dossier(&self, code: &DossierCode) -> Result<Option<DossierRecord>, StoreError>;
    /// Appends events decided on version `expected`; fails with `Conflict` if the dossier
    /// moved on. Returns the new version.
    async fn append(
        &self,
        code: &DossierCode,
        expected: u32,
        events: &[Event],
        state: &Dossier,
    ) -> Result<u32, StoreError>;
    async fn events(&self, code: &DossierCode) -> Result<Vec<StoredEvent>, StoreError>;
    async fn count_dossiers(&self) -> Result<u64, StoreError>;

    /// Walks the hash chain from the first event and checks every link, the chain head and
    /// that every dossier has exactly the events its version says.
    async fn verify_chain(&self) -> Result<ChainReport, StoreError>;
    async fn stats(&self, filter: &StatsFilter) -> Result<Vec<StatRow>, StoreError>;
    /// Procedures with the most dossiers filed, most first.
    async fn popular_procedures(&self, limit: u32)
    -> Result<Vec<(ProcedureCode, i64)>, StoreError>;
    async fn pending_outbox(&self, limit: u32) -> Result<Vec<OutboxMessage>, StoreError>;
    /// Takes up to `limit` messages due at `now` for delivery: each counts an attempt and is
    /// hidden from other claimants until `lease_until` (several servers may deliver at once).
    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
    async fn finish_outbox(
        &self,
        id: i64,
        outcome: &OutboxOutcome,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    async fn record_notification(&self, n: &Notification) -> Result<(), StoreError>;
    /// Notifications already sent for one outbox message (so a retry does not repeat them).
    async fn notifications_of_message(
        &self,
        outbox_id: i64,
    ) -> Result<Vec<Notification>, StoreError>;
    async fn dossier_notifications(
        &self,
        code: &DossierCode,
    ) -> Result<Vec<Notification>, StoreError>;

    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError>;
    async fn put_setting(&self, key: &str, value: &str) -> Result<(), StoreError>;

    /// Waits for work in flight and closes every connection (SQLite then folds its log into
    /// the database file).
    async fn close(&self);
}

/// Opens (creating if needed) and migrates the database at `url`: `sqlite://FILE` or
/// `postgres://…`.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    let store = crate::sql::SqlStore::open(url).await?;
    store.migrate().await?;
    Ok(Arc::new(store))
}

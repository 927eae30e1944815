//! The storage contract: everything the application asks of a database.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::calendar::DayOverride;
use motcua_domain::ids::{AgencyCode, DossierCode, ProcedureCode};
use motcua_domain::index::Month;
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
/// concurrency on its version), the outbox, the statistics facts and rollups in one
/// transaction (shared with the other writes waiting at the same moment: group commit).
#[async_trait]
pub trait Store:
    crate::portal::Portal
    + crate::work::Work
    + crate::queue::Queue
    + crate::pakn::Petitions
    + crate::questions::Questions
    + Send
    + Sync
    + 'static
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
    /// demo data). History tells nobody: no notification is queued for it.
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
    /// A dossier's state and what happened to it when, in one indexed read that leaves the
    /// events' bodies alone (public tracking).
    async fn dossier_timeline(
        &self,
        code: &DossierCode,
    ) -> Result<Option<(Dossier, Vec<TimelineEvent>)>, StoreError>;
    async fn count_dossiers(&self) -> Result<u64, StoreError>;

    /// Walks the hash chain from the first event and checks every link, the chain head and
    /// that every dossier has exactly the events its version says.
    async fn verify_chain(&self) -> Result<ChainReport, StoreError>;
    /// Counters over a period, from the rollups (their cost does not grow with the number of
    /// dossiers).
    async fn stats(&self, filter: &StatsFilter) -> Result<Vec<StatRow>, StoreError>;
    /// The cohort counts at `grain` that a period from month `first` to month `last` can
    /// count (received by its end and not ended before its start) and the online uses of its
    /// months, read from the cohort rollups: the cost does not grow with the number of
    /// dossiers, and the coarser the grain, the fewer the rows.
    async fn cohorts(
        &self,
        first: Month,
        last: Month,
        grain: &CohortGrain,
    ) -> Result<Cohorts, StoreError>;
    /// The sequence number of the event chain's last event (0 before the first).
    async fn chain_seq(&self) -> Result<i64, StoreError>;
    /// Up to `limit` received dossiers' facts in code order after `after`, received by the
    /// end of month `received_by`, of the competent agencies `agencies` (all when `None`):
    /// the rows the lists behind the index's numbers are taken from.
    async fn counted_dossiers(
        &self,
        after: Option<&DossierCode>,
        received_by: Month,
        agencies: Option<&[AgencyCode]>,
        limit: u32,
    ) -> Result<Vec<CountedDossier>, StoreError>;
    /// Procedures with the most dossiers filed since the month of `since`, most first.
    async fn popular_procedures(
        &self,
        since: NaiveDate,
        limit: u32,
    ) -> Result<Vec<(ProcedureCode, i64)>, StoreError>;
    /// Recomputes every dossier's statistics facts from its events and every rollup from the
    /// facts and compares them with what is stored; with `write`, replaces what differs (other
    /// writes wait meanwhile).
    async fn rebuild_stats(&self, write: bool) -> Result<StatsCheck, StoreError>;
    /// Prepares for (or ends) a bulk load of history: on SQLite a much larger page cache for the
    /// writer while it lasts, released after; on PostgreSQL the tables are vacuumed and analysed
    /// at the end, so the planner knows their new sizes and no later read marks rows visible.
    async fn bulk_load(&self, on: bool) -> Result<(), StoreError>;
    /// The channels this server delivers notifications on: messages none of them could carry
    /// are not queued. Every channel until told otherwise.
    fn deliver_on(&self, channels: Delivery);
    async fn pending_outbox(&self, limit: u32) -> Result<Vec<OutboxMessage>, StoreError>;
    /// Takes up to `limit` messages due at `now` for delivery: each counts an attempt and is
    /// hidden from other claimants until `lease_until` (several servers may deliver at once).
    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
    /// Records what became of claimed messages, and the notifications they sent, in one
    /// transaction.
    async fn settle_outbox(
        &self,
        settled: &[Settled],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Deletes up to `limit` messages delivered before `before` (the notifications sent stay);
    /// returns how many.
    async fn prune_outbox(&self, before: DateTime<Utc>, limit: u32) -> Result<u64, StoreError>;
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
/// A database that had dossiers before statistics were kept as facts gets them from its event
/// log here, once.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    let store = crate::sql::SqlStore::open(url).await?;
    store.migrate().await?;
    if store.setting(REBUILD_SETTING).await?.is_some() {
        tracing::info!("computing the statistics facts of the stored dossiers from their events");
        let check = store.rebuild_stats(true).await?;
        tracing::info!(dossiers = check.dossiers, "statistics facts computed");
        store.delete_setting(REBUILD_SETTING).await?;
    }
    if store.setting(SEARCH_BACKFILL).await?.is_some() {
        tracing::info!("folding the applicants' names of the stored dossiers for search");
        let n = store.fold_applicant_names().await?;
        tracing::info!(dossiers = n, "applicants' names folded");
        store.delete_setting(SEARCH_BACKFILL).await?;
    }
    Ok(Arc::new(store))
}

/// Set (by a migration) while stored dossiers lack their applicant's folded name.
const SEARCH_BACKFILL: &str = "search_backfill";

/// Set (by a migration) while the statistics must be recomputed from the events.
const REBUILD_SETTING: &str = "stats_rebuild";

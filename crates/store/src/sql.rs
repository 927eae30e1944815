//! The SQL implementation of [`Store`] for SQLite and PostgreSQL, through sqlx's `Any` driver
//! so that the logic is written once. SQLite gets one writer connection (writes are serialised
//! by the engine anyway; one connection avoids lock-upgrade failures) and a pool of readers;
//! it runs in WAL mode with `synchronous = FULL`, so an acknowledged commit survives a crash of
//! the process or of the machine.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::calendar::{DayKind, DayOverride};
use motcua_domain::ids::{AgencyCode, BranchCode, DossierCode, ProcedureCode};
use motcua_domain::lifecycle::{Dossier, Event, EventType};
use motcua_domain::role::Role;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyConnection, AnyPool, Executor, Row};

use crate::chain::{Committer, Envelope};
use crate::contract::{Backend, Store};
use crate::error::StoreError;
use crate::model::*;

pub(crate) struct SqlStore {
    pub(crate) backend: Backend,
    pub(crate) writer: AnyPool,
    pub(crate) reader: AnyPool,
    /// The one way into the hash chain (group commit).
    pub(crate) chain: Committer,
    /// The notification channels delivered on ([`Delivery::bits`]).
    pub(crate) delivery: Arc<AtomicU8>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The SQLite writer's page cache: 16 MB (the default is 2 MB)…
const WRITER_CACHE: &str = "PRAGMA cache_size = -16384";
/// …and 512 MB while a bulk load writes: its inserts land all over the indexes, and pages read
/// again from the file cost more than the load's own work.
const BULK_CACHE: &str = "PRAGMA cache_size = -524288";

async fn sqlite_pragmas(conn: &mut AnyConnection, read_only: bool) -> Result<(), sqlx::Error> {
    conn.execute("PRAGMA busy_timeout = 10000").await?;
    conn.execute("PRAGMA foreign_keys = ON").await?;
    conn.execute("PRAGMA synchronous = FULL").await?;
    if read_only {
        conn.execute("PRAGMA query_only = ON").await?;
    }
    Ok(())
}

pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_ms(v: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(v).ok_or_else(|| StoreError::Corrupt(format!("timestamp {v}")))
}

pub(crate) fn parse<T: std::str::FromStr>(what: &str, s: &str) -> Result<T, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("{what} {s:?}")))
}

pub(crate) fn api_key_from(r: &AnyRow) -> Result<ApiKey, StoreError> {
    let scopes: String = r.try_get("scopes")?;
    Ok(ApiKey {
        key_hash: r.try_get("key_hash")?,
        name: r.try_get("name")?,
        agency: parse("agency code", &r.try_get::<String, _>("agency_code")?)?,
        scopes: scopes.split_whitespace().filter_map(Scope::parse).collect(),
        revoked: r.try_get::<Option<i64>, _>("revoked_at")?.is_some(),
    })
}

fn user_from(row: &AnyRow) -> Result<User, StoreError> {
    let agency: Option<String> = row.try_get("agency_code")?;
    Ok(User {
        username: row.try_get("username")?,
        full_name: row.try_get("full_name")?,
        role: parse::<Role>("role", &row.try_get::<String, _>("role")?)?,
        agency: agency.map(|a| parse("agency code", &a)).transpose()?,
        password_hash: row.try_get("password_hash")?,
        active: row.try_get::<i64, _>("active")? != 0,
    })
}

pub(crate) fn record_from(row: &AnyRow) -> Result<DossierRecord, StoreError> {
    Ok(DossierRecord {
        code: parse("dossier code", &row.try_get::<String, _>("code")?)?,
        version: u32::try_from(row.try_get::<i64, _>("version")?)
            .map_err(|_| StoreError::Corrupt("version".into()))?,
        state: serde_json::from_str(&row.try_get::<String, _>("state")?)?,
        form: serde_json::from_str(&row.try_get::<String, _>("form")?)?,
    })
}

impl SqlStore {
    fn new(backend: Backend, writer: AnyPool, reader: AnyPool) -> SqlStore {
        let delivery = Arc::new(AtomicU8::new(Delivery::ALL.bits()));
        SqlStore {
            chain: Committer::start(writer.clone(), backend, delivery.clone()),
            backend,
            writer,
            reader,
            delivery,
        }
    }

    pub(crate) async fn open(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        if url.starts_with("sqlite:") {
            // Connections are not pinged before each use (a round trip per query); a broken one
            // fails its query and is replaced.
            let writer = AnyPoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .acquire_timeout(StdDuration::from_secs(30))
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        // The writer's page cache: 16 MB (the default is 2 MB).
                        conn.execute(WRITER_CACHE).await?;
                        sqlite_pragmas(conn, false).await
                    })
                })
                .connect(url)
                .await?;
            let reader = AnyPoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .after_connect(|conn, _| Box::pin(async move { sqlite_pragmas(conn, true).await }))
                .connect(url)
                .await?;
            Ok(SqlStore::new(Backend::Sqlite, writer, reader))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .test_before_acquire(false)
                .acquire_timeout(StdDuration::from_secs(30))
                .connect(url)
                .await?;
            Ok(SqlStore::new(Backend::Postgres, pool.clone(), pool))
        } else {
            Err(StoreError::Url(url.chars().take(80).collect()))
        }
    }

    pub(crate) async fn delete_setting(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM settings WHERE key = $1")
            .bind(key)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Folds the applicant's name of every dossier stored before names were folded, a batch
    /// per transaction; returns how many. Runs once, before the server serves.
    pub(crate) async fn fold_applicant_names(&self) -> Result<u64, StoreError> {
        let mut done = 0;
        loop {
            let rows = sqlx::query(
                "SELECT code, applicant_name FROM dossiers WHERE applicant_folded IS NULL LIMIT 2000",
            )
            .fetch_all(&self.writer)
            .await?;
            if rows.is_empty() {
                return Ok(done);
            }
            let mut tx = self.writer.begin().await?;
            for r in &rows {
                let name: String = r.try_get("applicant_name")?;
                sqlx::query("UPDATE dossiers SET applicant_folded = $1 WHERE code = $2")
                    .bind(motcua_domain::text::fold(&name))
                    .bind(r.try_get::<String, _>("code")?)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            done += rows.len() as u64;
        }
    }

    pub(crate) async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.writer).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.writer).await?,
        }
        Ok(())
    }

    pub(crate) async fn write_agency(
        conn: &mut AnyConnection,
        a: &Agency,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO agencies (code, parent_code, name, name_en, kind, admin_unit_code) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (code) DO UPDATE SET parent_code = excluded.parent_code, name = excluded.name, \
             name_en = excluded.name_en, kind = excluded.kind, admin_unit_code = excluded.admin_unit_code",
        )
        .bind(a.code.to_string())
        .bind(a.parent.map(|p| p.to_string()))
        .bind(&a.name)
        .bind(a.name_en.clone())
        .bind(a.kind.as_str())
        .bind(a.admin_unit_code.clone())
        .execute(&mut *conn)
        .await?;
        Self::bump_catalog(conn).await
    }

    pub(crate) async fn write_user(conn: &mut AnyConnection, u: &User) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO users (username, full_name, role, agency_code, password_hash, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (username) DO UPDATE SET full_name = excluded.full_name, role = excluded.role, \
             agency_code = excluded.agency_code, password_hash = excluded.password_hash, active = excluded.active",
        )
        .bind(&u.username)
        .bind(&u.full_name)
        .bind(u.role.as_str())
        .bind(u.agency.map(|a| a.to_string()))
        .bind(&u.password_hash)
        .bind(i64::from(u.active))
        .bind(ms(Utc::now()))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    pub(crate) async fn write_api_key(
        conn: &mut AnyConnection,
        k: &ApiKey,
    ) -> Result<(), StoreError> {
        let scopes: Vec<&str> = k.scopes.iter().map(|s| s.as_str()).collect();
        sqlx::query(
            "INSERT INTO api_keys (key_hash, name, agency_code, scopes, created_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (key_hash) DO UPDATE SET name = excluded.name, agency_code = excluded.agency_code, \
             scopes = excluded.scopes, revoked_at = excluded.revoked_at",
        )
        .bind(&k.key_hash)
        .bind(&k.name)
        .bind(k.agency.to_string())
        .bind(scopes.join(" "))
        .bind(ms(Utc::now()))
        .bind(k.revoked.then(|| ms(Utc::now())))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    pub(crate) async fn write_calendar_day(
        conn: &mut AnyConnection,
        d: &DayOverride,
    ) -> Result<(), StoreError> {
        let kind = match d.kind {
            DayKind::Off => "off",
            DayKind::Working => "working",
        };
        sqlx::query(
            "INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3) \
             ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name",
        )
        .bind(d.date.format("%Y-%m-%d").to_string())
        .bind(kind)
        .bind(&d.name)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    pub(crate) async fn write_branch(
        conn: &mut AnyConnection,
        b: &Branch,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO branches (code, agency_code, name, address, hours) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (code) DO UPDATE SET agency_code = excluded.agency_code, name = excluded.name, \
             address = excluded.address, hours = excluded.hours",
        )
        .bind(b.code.as_str())
        .bind(b.agency.to_string())
        .bind(&b.name)
        .bind(&b.address)
        .bind(&b.hours)
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM counters WHERE branch_code = $1")
            .bind(b.code.as_str())
            .execute(&mut *conn)
            .await?;
        for c in &b.counters {
            sqlx::query("INSERT INTO counters (branch_code, number, label) VALUES ($1, $2, $3)")
                .bind(b.code.as_str())
                .bind(c.number)
                .bind(&c.label)
                .execute(&mut *conn)
                .await?;
        }
        Self::bump_catalog(conn).await
    }

    pub(crate) async fn write_procedures(
        conn: &mut AnyConnection,
        procedures: &[Procedure],
    ) -> Result<(), StoreError> {
        let now = ms(Utc::now());
        for p in procedures {
            sqlx::query(
                "INSERT INTO procedures (code, name, field, level, agency_code, online_level, record, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
                 field = excluded.field, level = excluded.level, agency_code = excluded.agency_code, \
                 online_level = excluded.online_level, record = excluded.record, updated_at = excluded.updated_at",
            )
            .bind(p.code.to_string())
            .bind(&p.name)
            .bind(&p.field)
            .bind(&p.level)
            .bind(p.agency.to_string())
            .bind(p.online_level.as_str())
            .bind(serde_json::to_string(p)?)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        Self::bump_catalog(conn).await
    }

    /// Changes the catalog's stamp: the procedures, or the agencies and branches the public
    /// pages name beside them, changed.
    async fn bump_catalog(conn: &mut AnyConnection) -> Result<(), StoreError> {
        let stamp = sqlx::query("SELECT value FROM settings WHERE key = 'catalog_version'")
            .fetch_optional(&mut *conn)
            .await?;
        let next = stamp
            .map(|r| r.try_get::<String, _>("value"))
            .transpose()?
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
            + 1;
        sqlx::query("INSERT INTO settings (key, value) VALUES ('catalog_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(next.to_string())
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    pub(crate) async fn write_setting(
        conn: &mut AnyConnection,
        key: &str,
        value: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

/// Records the outcomes of claimed messages and the notifications they sent.
async fn settle(
    conn: &mut AnyConnection,
    settled: &[Settled],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for s in settled {
        for n in &s.sent {
            sqlx::query(
                "INSERT INTO notifications (outbox_id, dossier_code, channel, recipient, subject, body, sent_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(s.id)
            .bind(n.dossier_code.clone())
            .bind(&n.channel)
            .bind(&n.recipient)
            .bind(&n.subject)
            .bind(&n.body)
            .bind(ms(n.sent_at))
            .execute(&mut *conn)
            .await?;
        }
        let q = match &s.outcome {
            OutboxOutcome::Delivered => {
                sqlx::query("UPDATE outbox SET delivered_at = $1, last_error = NULL WHERE id = $2")
                    .bind(ms(now))
            }
            OutboxOutcome::Retry { at, error } => {
                sqlx::query("UPDATE outbox SET next_attempt_at = $1, last_error = $2 WHERE id = $3")
                    .bind(ms(*at))
                    .bind(error.clone())
            }
            OutboxOutcome::Dead { error } => {
                sqlx::query("UPDATE outbox SET dead_at = $1, last_error = $2 WHERE id = $3")
                    .bind(ms(now))
                    .bind(error.clone())
            }
        };
        q.bind(s.id).execute(&mut *conn).await?;
    }
    Ok(())
}

fn stored_event(r: &AnyRow) -> Result<StoredEvent, StoreError> {
    let env: Envelope = serde_json::from_str(&r.try_get::<String, _>("body")?)?;
    Ok(StoredEvent {
        seq: r.try_get("seq")?,
        version: u32::try_from(r.try_get::<i64, _>("version")?)
            .map_err(|_| StoreError::Corrupt("version".into()))?,
        event: env.event,
        hash: r.try_get("hash")?,
    })
}

fn outbox_from(r: &AnyRow) -> Result<OutboxMessage, StoreError> {
    Ok(OutboxMessage {
        id: r.try_get("id")?,
        event_seq: r.try_get("event_seq")?,
        topic: r.try_get("topic")?,
        payload: serde_json::from_str(&r.try_get::<String, _>("payload")?)?,
        created_at: from_ms(r.try_get("created_at")?)?,
        attempts: r.try_get("attempts")?,
    })
}

fn notification_from(r: &AnyRow) -> Result<Notification, StoreError> {
    Ok(Notification {
        outbox_id: r.try_get("outbox_id")?,
        dossier_code: r.try_get("dossier_code")?,
        channel: r.try_get("channel")?,
        recipient: r.try_get("recipient")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        sent_at: from_ms(r.try_get("sent_at")?)?,
    })
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn put_agency(&self, a: &Agency) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        Self::write_agency(&mut tx, a).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn agencies(&self) -> Result<Vec<Agency>, StoreError> {
        let rows = sqlx::query("SELECT code, parent_code, name, name_en, kind, admin_unit_code FROM agencies ORDER BY code")
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| {
                let parent: Option<String> = r.try_get("parent_code")?;
                Ok(Agency {
                    code: parse("agency code", &r.try_get::<String, _>("code")?)?,
                    parent: parent.map(|p| parse("agency code", &p)).transpose()?,
                    name: r.try_get("name")?,
                    name_en: r.try_get("name_en")?,
                    kind: AgencyKind::parse(&r.try_get::<String, _>("kind")?)
                        .ok_or_else(|| StoreError::Corrupt("agency kind".into()))?,
                    admin_unit_code: r.try_get("admin_unit_code")?,
                })
            })
            .collect()
    }

    async fn put_branch(&self, b: &Branch) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        Self::write_branch(&mut tx, b).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn branches(&self) -> Result<Vec<Branch>, StoreError> {
        let rows = sqlx::query(
            "SELECT code, agency_code, name, address, hours FROM branches ORDER BY code",
        )
        .fetch_all(&self.reader)
        .await?;
        let counters = sqlx::query(
            "SELECT branch_code, number, label FROM counters ORDER BY branch_code, number",
        )
        .fetch_all(&self.reader)
        .await?;
        let mut by_branch: HashMap<String, Vec<Counter>> = HashMap::new();
        for c in &counters {
            by_branch
                .entry(c.try_get("branch_code")?)
                .or_default()
                .push(Counter {
                    number: c.try_get("number")?,
                    label: c.try_get("label")?,
                });
        }
        rows.iter()
            .map(|r| {
                let code: String = r.try_get("code")?;
                Ok(Branch {
                    counters: by_branch.remove(&code).unwrap_or_default(),
                    code: BranchCode::new(code),
                    agency: parse("agency code", &r.try_get::<String, _>("agency_code")?)?,
                    name: r.try_get("name")?,
                    address: r.try_get("address")?,
                    hours: r.try_get("hours")?,
                })
            })
            .collect()
    }

    async fn put_user(&self, u: &User) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        Self::write_user(&mut tx, u).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn user(&self, username: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(
            "SELECT username, full_name, role, agency_code, password_hash, active FROM users WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(user_from).transpose()
    }

    async fn users(&self) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(
            "SELECT username, full_name, role, agency_code, password_hash, active FROM users ORDER BY username",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(user_from).collect()
    }

    async fn put_token(
        &self,
        token_hash: &str,
        username: &str,
        created: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM auth_tokens WHERE expires_at < $1")
            .bind(ms(created))
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO auth_tokens (token_hash, username, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(username)
            .bind(ms(created))
            .bind(ms(expires))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn token_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(
            "SELECT u.username, u.full_name, u.role, u.agency_code, u.password_hash, u.active \
             FROM auth_tokens t JOIN users u ON u.username = t.username \
             WHERE t.token_hash = $1 AND t.expires_at > $2 AND u.active = 1",
        )
        .bind(token_hash)
        .bind(ms(now))
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(user_from).transpose()
    }

    async fn put_api_key(&self, k: &ApiKey) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        Self::write_api_key(&mut tx, k).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn api_key(&self, key_hash: &str) -> Result<Option<ApiKey>, StoreError> {
        let row = sqlx::query("SELECT key_hash, name, agency_code, scopes, revoked_at FROM api_keys WHERE key_hash = $1")
            .bind(key_hash)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(api_key_from).transpose()
    }

    async fn put_procedure(&self, p: &Procedure) -> Result<(), StoreError> {
        self.put_procedures(std::slice::from_ref(p)).await
    }

    async fn put_procedures(&self, procedures: &[Procedure]) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        Self::write_procedures(&mut tx, procedures).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn procedures(&self) -> Result<Vec<Procedure>, StoreError> {
        let rows = sqlx::query("SELECT record FROM procedures ORDER BY code")
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("record")?)?))
            .collect()
    }

    async fn catalog_stamp(&self) -> Result<String, StoreError> {
        Ok(self.setting("catalog_version").await?.unwrap_or_default())
    }

    async fn procedure(&self, code: &ProcedureCode) -> Result<Option<Procedure>, StoreError> {
        let row = sqlx::query("SELECT record FROM procedures WHERE code = $1")
            .bind(code.to_string())
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("record")?)?))
            .transpose()
    }

    async fn put_calendar_day(&self, d: &DayOverride) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        Self::write_calendar_day(&mut tx, d).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn calendar_days(&self) -> Result<Vec<DayOverride>, StoreError> {
        let rows = sqlx::query("SELECT day, kind, name FROM calendar_days ORDER BY day")
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| {
                let day: String = r.try_get("day")?;
                Ok(DayOverride {
                    date: NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                        .map_err(|_| StoreError::Corrupt(day.clone()))?,
                    kind: match r.try_get::<String, _>("kind")?.as_str() {
                        "off" => DayKind::Off,
                        "working" => DayKind::Working,
                        other => return Err(StoreError::Corrupt(format!("day kind {other}"))),
                    },
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }

    async fn create_dossier(&self, new: &NewDossier) -> Result<DossierRecord, StoreError> {
        let new = new.clone();
        self.chain
            .write_simple(move |l| {
                Box::pin(async move {
                    crate::record::insert_dossiers(l, std::slice::from_ref(&new), true)
                        .await?
                        .pop()
                        .ok_or_else(|| StoreError::Corrupt("no dossier made".into()))
                })
            })
            .await
    }

    async fn import_dossiers(&self, batch: &[NewDossier]) -> Result<Vec<DossierCode>, StoreError> {
        let batch = batch.to_vec();
        self.chain
            .write_simple(move |l| {
                Box::pin(async move {
                    let made = crate::record::insert_dossiers(l, &batch, false).await?;
                    Ok(made.into_iter().map(|r| r.code).collect())
                })
            })
            .await
    }

    async fn dossier(&self, code: &DossierCode) -> Result<Option<DossierRecord>, StoreError> {
        let row = sqlx::query("SELECT code, version, state, form FROM dossiers WHERE code = $1")
            .bind(code.to_string())
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(record_from).transpose()
    }

    async fn append(
        &self,
        code: &DossierCode,
        expected: u32,
        events: &[Event],
        d: &Dossier,
    ) -> Result<u32, StoreError> {
        let (code, events, d) = (*code, events.to_vec(), d.clone());
        self.chain
            .write_simple(move |l| {
                Box::pin(
                    async move { crate::record::append(l, &code, expected, &events, &d).await },
                )
            })
            .await
    }

    async fn events(&self, code: &DossierCode) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, version, body, hash FROM events WHERE stream = $1 ORDER BY version",
        )
        .bind(code.to_string())
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(stored_event).collect()
    }

    async fn dossier_timeline(
        &self,
        code: &DossierCode,
    ) -> Result<Option<(Dossier, Vec<TimelineEvent>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.state, e.kind, e.at FROM dossiers d \
             JOIN events e ON e.stream = d.code WHERE d.code = $1 ORDER BY e.version",
        )
        .bind(code.to_string())
        .fetch_all(&self.reader)
        .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let state: Dossier = serde_json::from_str(&first.try_get::<String, _>("state")?)?;
        let events = rows
            .iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                Ok(TimelineEvent {
                    at: from_ms(r.try_get("at")?)?,
                    kind: EventType::parse(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("event kind {kind:?}")))?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Some((state, events)))
    }

    async fn count_dossiers(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM dossiers")
            .fetch_one(&self.reader)
            .await?
            .try_get("n")?;
        Ok(n.max(0) as u64)
    }

    async fn verify_chain(&self) -> Result<ChainReport, StoreError> {
        crate::chain::verify(
            &self.reader,
            crate::work_sql::check_admin_event,
            crate::work::ADMIN_STREAM,
        )
        .await
    }

    async fn stats(&self, f: &StatsFilter) -> Result<Vec<StatRow>, StoreError> {
        crate::stats_sql::stats(&self.reader, f).await
    }

    async fn popular_procedures(
        &self,
        since: NaiveDate,
        limit: u32,
    ) -> Result<Vec<(ProcedureCode, i64)>, StoreError> {
        crate::stats_sql::popular(&self.reader, since, limit).await
    }

    async fn cohorts(
        &self,
        first: motcua_domain::index::Month,
        last: motcua_domain::index::Month,
        grain: &crate::model::CohortGrain,
    ) -> Result<crate::model::Cohorts, StoreError> {
        crate::stats_sql::cohorts(&self.reader, self.backend, first, last, grain).await
    }

    async fn chain_seq(&self) -> Result<i64, StoreError> {
        crate::stats_sql::chain_seq(&self.reader).await
    }

    async fn counted_dossiers(
        &self,
        after: Option<&DossierCode>,
        received_by: motcua_domain::index::Month,
        agencies: Option<&[AgencyCode]>,
        limit: u32,
    ) -> Result<Vec<crate::model::CountedDossier>, StoreError> {
        crate::stats_sql::counted_dossiers(&self.reader, after, received_by, agencies, limit).await
    }

    async fn rebuild_stats(&self, write: bool) -> Result<StatsCheck, StoreError> {
        crate::stats_sql::rebuild(self, write).await
    }

    async fn bulk_load(&self, on: bool) -> Result<(), StoreError> {
        if self.backend == Backend::Sqlite {
            let mut conn = self.writer.acquire().await?;
            if on {
                conn.execute(BULK_CACHE).await?;
            } else {
                conn.execute(WRITER_CACHE).await?;
                // Give the bulk load's pages back.
                conn.execute("PRAGMA shrink_memory").await?;
            }
        } else if !on {
            // Tables that grew by millions of rows in minutes: the planner learns their new
            // sizes now rather than when autovacuum gets to them (until then it expects
            // thousands of rows per dossier stream and plans parallel scans for a lookup), and
            // every loaded row is marked visible once, here, instead of by the first request
            // that reads its page (or never, where autovacuum is off).
            self.writer.execute("VACUUM (ANALYZE)").await?;
        }
        Ok(())
    }

    fn deliver_on(&self, channels: Delivery) {
        self.delivery.store(channels.bits(), Ordering::Relaxed);
    }

    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        // The partial index `outbox_due` holds only undelivered rows, in the order claimed: the
        // next batch is its first rows, whatever the size of the backlog. One-time codes come
        // first (`outbox_codes`): a citizen waiting for one must not wait for a backlog.
        let sql = match self.backend {
            Backend::Sqlite => {
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1 WHERE id IN \
                 (SELECT id FROM (SELECT id, p, t FROM (SELECT id, 0 AS p, next_attempt_at AS t FROM outbox \
                 WHERE topic = 'citizen.code' AND delivered_at IS NULL AND dead_at IS NULL AND next_attempt_at <= $2 \
                 ORDER BY next_attempt_at, id LIMIT $3) AS codes \
                 UNION ALL SELECT id, p, t FROM (SELECT id, 1 AS p, next_attempt_at AS t FROM outbox \
                 WHERE delivered_at IS NULL AND dead_at IS NULL AND next_attempt_at <= $2 AND topic <> 'citizen.code' \
                 ORDER BY next_attempt_at, id LIMIT $3) AS rest ORDER BY p, t, id LIMIT $3) AS claim) \
                 RETURNING id, event_seq, topic, payload, created_at, attempts"
            }
            Backend::Postgres => {
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1 WHERE id IN \
                 (SELECT id FROM (SELECT id, p, t FROM (SELECT id, 0 AS p, next_attempt_at AS t FROM outbox \
                 WHERE topic = 'citizen.code' AND delivered_at IS NULL AND dead_at IS NULL AND next_attempt_at <= $2 \
                 ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) AS codes \
                 UNION ALL SELECT id, p, t FROM (SELECT id, 1 AS p, next_attempt_at AS t FROM outbox \
                 WHERE delivered_at IS NULL AND dead_at IS NULL AND next_attempt_at <= $2 AND topic <> 'citizen.code' \
                 ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) AS rest ORDER BY p, t, id LIMIT $3) AS claim) \
                 RETURNING id, event_seq, topic, payload, created_at, attempts"
            }
        };
        // Through the committer: a claim shares its commit with the writes waiting beside it.
        self.chain
            .write_simple(move |l| {
                Box::pin(async move {
                    let rows = sqlx::query(sql)
                        .bind(ms(lease_until))
                        .bind(ms(now))
                        .bind(i64::from(limit))
                        .fetch_all(l.conn())
                        .await?;
                    let mut out: Vec<OutboxMessage> =
                        rows.iter().map(outbox_from).collect::<Result<_, _>>()?;
                    out.sort_by_key(|m| m.id);
                    Ok(out)
                })
            })
            .await
    }

    async fn settle_outbox(
        &self,
        settled: &[Settled],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let settled = settled.to_vec();
        self.chain
            .write_simple(move |l| Box::pin(async move { settle(l.conn(), &settled, now).await }))
            .await
    }

    async fn prune_outbox(&self, before: DateTime<Utc>, limit: u32) -> Result<u64, StoreError> {
        // Delivered rows in the order they were delivered (partial index `outbox_delivered`): a
        // bounded slice per call, in the committer's order, so no write waits for long.
        self.chain
            .write_simple(move |l| {
                Box::pin(async move {
                    let done = sqlx::query(
                        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE delivered_at IS NOT NULL \
                         AND delivered_at < $1 ORDER BY delivered_at LIMIT $2)",
                    )
                    .bind(ms(before))
                    .bind(i64::from(limit))
                    .execute(l.conn())
                    .await?;
                    Ok(done.rows_affected())
                })
            })
            .await
    }

    async fn notifications_of_message(
        &self,
        outbox_id: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        let rows = sqlx::query(
            "SELECT outbox_id, dossier_code, channel, recipient, subject, body, sent_at FROM notifications WHERE outbox_id = $1 ORDER BY id",
        )
        .bind(outbox_id)
        .fetch_all(&self.writer)
        .await?;
        rows.iter().map(notification_from).collect()
    }

    async fn dossier_notifications(
        &self,
        code: &DossierCode,
    ) -> Result<Vec<Notification>, StoreError> {
        let rows = sqlx::query(
            "SELECT outbox_id, dossier_code, channel, recipient, subject, body, sent_at FROM notifications WHERE dossier_code = $1 ORDER BY id",
        )
        .bind(code.to_string())
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(notification_from).collect()
    }

    async fn pending_outbox(&self, limit: u32) -> Result<Vec<OutboxMessage>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, event_seq, topic, payload, created_at, attempts FROM outbox WHERE delivered_at IS NULL \
             ORDER BY id LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(outbox_from).collect()
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.reader)
            .await?;
        Ok(row.map(|r| r.try_get("value")).transpose()?)
    }

    async fn put_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        Self::write_setting(&mut tx, key, value).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

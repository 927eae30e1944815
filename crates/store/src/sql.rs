//! The SQL implementation of [`Store`] for SQLite and PostgreSQL, through sqlx's `Any` driver
//! so that the logic is written once. SQLite gets one writer connection (writes are serialised
//! by the engine anyway; one connection avoids lock-upgrade failures) and a pool of readers;
//! it runs in WAL mode with `synchronous = FULL`, so an acknowledged commit survives a crash of
//! the process or of the machine.

use std::collections::HashMap;
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::audit::{self, GENESIS};
use motcua_domain::calendar::{DayKind, DayOverride, TZ};
use motcua_domain::ids::{AgencyCode, DossierCode, ProcedureCode};
use motcua_domain::lifecycle::{Dossier, Event, EventKind};
use motcua_domain::role::Role;
use serde::{Deserialize, Serialize};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyConnection, AnyPool, Executor, Row};

use crate::contract::{Backend, Store};
use crate::error::StoreError;
use crate::model::*;

pub(crate) struct SqlStore {
    pub(crate) backend: Backend,
    pub(crate) writer: AnyPool,
    pub(crate) reader: AnyPool,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

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

fn local_day(t: DateTime<Utc>) -> String {
    t.with_timezone(&TZ)
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

/// What is hashed and stored for each event.
#[derive(Serialize, Deserialize)]
struct Envelope {
    stream: String,
    version: u32,
    event: Event,
}

fn canonical(stream: &str, version: u32, event: &Event) -> Result<String, StoreError> {
    let value = serde_json::to_value(Envelope {
        stream: stream.to_string(),
        version,
        event: event.clone(),
    })?;
    Ok(serde_json::to_string(&value)?)
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
    pub(crate) async fn open(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        if url.starts_with("sqlite:") {
            let writer = AnyPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(StdDuration::from_secs(30))
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        sqlite_pragmas(conn, false).await
                    })
                })
                .connect(url)
                .await?;
            let reader = AnyPoolOptions::new()
                .max_connections(8)
                .after_connect(|conn, _| Box::pin(async move { sqlite_pragmas(conn, true).await }))
                .connect(url)
                .await?;
            Ok(SqlStore {
                backend: Backend::Sqlite,
                writer,
                reader,
            })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(StdDuration::from_secs(30))
                .connect(url)
                .await?;
            Ok(SqlStore {
                backend: Backend::Postgres,
                writer: pool.clone(),
                reader: pool,
            })
        } else {
            Err(StoreError::Url(url.chars().take(80).collect()))
        }
    }

    pub(crate) async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.writer).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.writer).await?,
        }
        Ok(())
    }

    /// Locks the chain head for this transaction and returns (last seq, last hash).
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
        Ok(())
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
        .bind(&b.code)
        .bind(b.agency.to_string())
        .bind(&b.name)
        .bind(&b.address)
        .bind(&b.hours)
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM counters WHERE branch_code = $1")
            .bind(&b.code)
            .execute(&mut *conn)
            .await?;
        for c in &b.counters {
            sqlx::query("INSERT INTO counters (branch_code, number, label) VALUES ($1, $2, $3)")
                .bind(&b.code)
                .bind(c.number)
                .bind(&c.label)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
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

    pub(crate) async fn chain_head(
        &self,
        conn: &mut AnyConnection,
    ) -> Result<(i64, String), StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT seq, hash FROM chain_head WHERE id = 1",
            Backend::Postgres => "SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE",
        };
        let row = sqlx::query(sql).fetch_one(&mut *conn).await?;
        Ok((row.try_get("seq")?, row.try_get("hash")?))
    }

    /// Writes events `first_version..` of a dossier after the chain head, with their outbox
    /// messages and per-day counters, and moves the head. `head` is updated in place.
    async fn write_events(
        &self,
        conn: &mut AnyConnection,
        head: &mut (i64, String),
        code: &str,
        first_version: u32,
        events: &[Event],
        state: &Dossier,
    ) -> Result<(), StoreError> {
        let mut prev = decode_hash(&head.1)?;
        for (i, event) in events.iter().enumerate() {
            let version = first_version + i as u32;
            let seq = head.0 + 1;
            let body = canonical(code, version, event)?;
            let hash = audit::link(&prev, body.as_bytes());
            sqlx::query(
                "INSERT INTO events (seq, stream, version, kind, at, body, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(seq)
            .bind(code)
            .bind(i64::from(version))
            .bind(event.kind.name())
            .bind(ms(event.at))
            .bind(&body)
            .bind(hex::encode(prev))
            .bind(hex::encode(hash))
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO outbox (event_seq, topic, payload, created_at, next_attempt_at) \
                 VALUES ($1, $2, $3, $4, $4)",
            )
            .bind(seq)
            .bind(format!("dossier.{}", event.kind.name()))
            .bind(&body)
            .bind(ms(event.at))
            .execute(&mut *conn)
            .await?;
            for metric in event.kind.counters() {
                sqlx::query(
                    "INSERT INTO daily_stats (day, agency_code, procedure_code, branch_code, channel, metric, count) \
                     VALUES ($1, $2, $3, $4, $5, $6, 1) \
                     ON CONFLICT (day, agency_code, procedure_code, branch_code, channel, metric) \
                     DO UPDATE SET count = daily_stats.count + 1",
                )
                .bind(local_day(event.at))
                .bind(state.intake.competent_agency.to_string())
                .bind(state.intake.procedure.code.to_string())
                .bind(state.intake.branch.clone().unwrap_or_default())
                .bind(state.intake.channel.as_str())
                .bind(*metric)
                .execute(&mut *conn)
                .await?;
            }
            if let EventKind::Rated {
                satisfaction,
                criteria,
                comment,
            } = &event.kind
            {
                let rating = crate::Rating {
                    id: 0,
                    ticket_id: None,
                    dossier: Some(code.to_string()),
                    day: event.at.with_timezone(&TZ).date_naive(),
                    branch: state.intake.branch.clone(),
                    group: None,
                    counter: None,
                    officer: None,
                    agency: Some(state.intake.competent_agency.to_string()),
                    level: *satisfaction,
                    criteria: criteria.iter().map(|c| (c.criterion, c.score)).collect(),
                    comment: comment.clone(),
                    given_by: event.actor.id.clone(),
                    at: event.at,
                };
                crate::queue_sql::insert_rating(&mut *conn, &rating).await?;
            }
            prev = hash;
            *head = (seq, hex::encode(hash));
        }
        // Scope rows: every agency on creation, afterwards only agencies the events route to.
        let routed: Vec<AgencyCode> = if first_version == 1 {
            state.involved.clone()
        } else {
            events
                .iter()
                .filter_map(|e| match &e.kind {
                    EventKind::Forwarded { agency, .. } | EventKind::SentBack { agency, .. } => {
                        Some(*agency)
                    }
                    EventKind::Transferred { to_agency, .. } => Some(*to_agency),
                    EventKind::Received { .. } => Some(state.intake.competent_agency),
                    _ => None,
                })
                .collect()
        };
        for agency in &routed {
            sqlx::query(
                "INSERT INTO dossier_agencies (dossier_code, agency_code) VALUES ($1, $2) \
                 ON CONFLICT (dossier_code, agency_code) DO NOTHING",
            )
            .bind(code)
            .bind(agency.to_string())
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    pub(crate) async fn save_head(
        &self,
        conn: &mut AnyConnection,
        head: &(i64, String),
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE chain_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(head.0)
            .bind(&head.1)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// Inserts one new dossier with its events inside an open transaction.
    pub(crate) async fn insert_dossier(
        &self,
        conn: &mut AnyConnection,
        head: &mut (i64, String),
        new: &NewDossier,
    ) -> Result<DossierRecord, StoreError> {
        let prefix = new
            .state
            .code_prefix()
            .ok_or_else(|| StoreError::Corrupt("dossier filed outside 2000–2099".into()))?;
        let day = prefix.date.format("%Y-%m-%d").to_string();
        let row = sqlx::query(
            "INSERT INTO dossier_sequences (agency_code, day, last) VALUES ($1, $2, 1) \
             ON CONFLICT (agency_code, day) DO UPDATE SET last = dossier_sequences.last + 1 \
             RETURNING last",
        )
        .bind(prefix.agency.to_string())
        .bind(&day)
        .fetch_one(&mut *conn)
        .await?;
        let seq: i64 = row.try_get("last")?;
        let code = u32::try_from(seq)
            .ok()
            .and_then(|s| prefix.with_sequence(s))
            .ok_or_else(|| StoreError::Corrupt(format!("sequence {seq}")))?;
        let code_s = code.to_string();
        let version = new.events.len() as u32;
        self.upsert_dossier_row(conn, &code_s, version, &new.state, Some(&new.form))
            .await?;
        self.write_events(conn, head, &code_s, 1, &new.events, &new.state)
            .await?;
        Ok(DossierRecord {
            code,
            version,
            state: new.state.clone(),
            form: new.form.clone(),
        })
    }

    async fn upsert_dossier_row(
        &self,
        conn: &mut AnyConnection,
        code: &str,
        version: u32,
        d: &Dossier,
        form: Option<&serde_json::Value>,
    ) -> Result<(), StoreError> {
        let state = serde_json::to_string(d)?;
        let applicant = &d.intake.applicant;
        let Some(form) = form else {
            return Err(StoreError::Corrupt("new dossier without form".into()));
        };
        sqlx::query(
            "INSERT INTO dossiers (code, procedure_code, status, channel, receiving_agency, competent_agency, \
             current_agency, branch_code, owner, applicant_name, applicant_cccd, phone_last4, submitted_at, \
             received_at, due_at, result_at, timeliness, version, state, form, assignee, step_due_at, \
             result_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
             $19, $20, $21, $22, $23)",
        )
        .bind(code)
        .bind(d.intake.procedure.code.to_string())
        .bind(d.status.as_str())
        .bind(d.intake.channel.as_str())
        .bind(d.intake.receiving_agency.to_string())
        .bind(d.intake.competent_agency.to_string())
        .bind(d.current_agency.to_string())
        .bind(d.intake.branch.clone())
        .bind(d.intake.owner.clone())
        .bind(applicant.name.clone())
        .bind(applicant.cccd.as_ref().map(|c| c.to_string()))
        .bind(applicant.phone.as_ref().map(|p| p.last4().to_string()))
        .bind(ms(d.submitted_at))
        .bind(d.received_at.map(ms))
        .bind(d.due_at.map(ms))
        .bind(d.result.as_ref().map(|r| ms(r.issued_at)))
        .bind(d.result.as_ref().map(|r| r.timeliness.as_str()))
        .bind(i64::from(version))
        .bind(state)
        .bind(serde_json::to_string(form)?)
        .bind(d.assignee.clone())
        .bind(d.step_due_at.map(ms))
        .bind(d.result.as_ref().and_then(|r| r.document_sha256.clone()))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
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

pub(crate) fn decode_hash(s: &str) -> Result<[u8; 32], StoreError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).map_err(|_| StoreError::Corrupt(format!("hash {s:?}")))?;
    Ok(out)
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
                    code,
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
        let mut tx = self.writer.begin().await?;
        let mut head = self.chain_head(&mut tx).await?;
        let record = self.insert_dossier(&mut tx, &mut head, new).await?;
        self.save_head(&mut tx, &head).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn import_dossiers(&self, batch: &[NewDossier]) -> Result<Vec<DossierCode>, StoreError> {
        let mut tx = self.writer.begin().await?;
        let mut head = self.chain_head(&mut tx).await?;
        let mut codes = Vec::with_capacity(batch.len());
        for new in batch {
            codes.push(self.insert_dossier(&mut tx, &mut head, new).await?.code);
        }
        self.save_head(&mut tx, &head).await?;
        tx.commit().await?;
        Ok(codes)
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
        let code_s = code.to_string();
        let version = expected + events.len() as u32;
        let mut tx = self.writer.begin().await?;
        let updated = sqlx::query(
            "UPDATE dossiers SET status = $1, current_agency = $2, received_at = $3, due_at = $4, result_at = $5, \
             timeliness = $6, version = $7, state = $8, assignee = $11, step_due_at = $12, \
             result_sha256 = $13 \
             WHERE code = $9 AND version = $10",
        )
        .bind(d.status.as_str())
        .bind(d.current_agency.to_string())
        .bind(d.received_at.map(ms))
        .bind(d.due_at.map(ms))
        .bind(d.result.as_ref().map(|r| ms(r.issued_at)))
        .bind(d.result.as_ref().map(|r| r.timeliness.as_str()))
        .bind(i64::from(version))
        .bind(serde_json::to_string(d)?)
        .bind(&code_s)
        .bind(i64::from(expected))
        .bind(d.assignee.clone())
        .bind(d.step_due_at.map(ms))
        .bind(d.result.as_ref().and_then(|r| r.document_sha256.clone()))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated != 1 {
            let found = sqlx::query("SELECT version FROM dossiers WHERE code = $1")
                .bind(&code_s)
                .fetch_optional(&mut *tx)
                .await?;
            return Err(match found {
                None => StoreError::NotFound,
                Some(r) => StoreError::Conflict {
                    expected,
                    found: r.try_get::<i64, _>("version")? as u32,
                },
            });
        }
        let mut head = self.chain_head(&mut tx).await?;
        self.write_events(&mut tx, &mut head, &code_s, expected + 1, events, d)
            .await?;
        self.save_head(&mut tx, &head).await?;
        tx.commit().await?;
        Ok(version)
    }

    async fn events(&self, code: &DossierCode) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, version, body, hash FROM events WHERE stream = $1 ORDER BY version",
        )
        .bind(code.to_string())
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                let env: Envelope = serde_json::from_str(&r.try_get::<String, _>("body")?)?;
                Ok(StoredEvent {
                    seq: r.try_get("seq")?,
                    version: u32::try_from(r.try_get::<i64, _>("version")?)
                        .map_err(|_| StoreError::Corrupt("version".into()))?,
                    event: env.event,
                    hash: r.try_get("hash")?,
                })
            })
            .collect()
    }

    async fn count_dossiers(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM dossiers")
            .fetch_one(&self.reader)
            .await?
            .try_get("n")?;
        Ok(n.max(0) as u64)
    }

    async fn verify_chain(&self) -> Result<ChainReport, StoreError> {
        let mut prev = GENESIS;
        let mut last_seq = 0i64;
        let mut count = 0u64;
        let broken = |seq: i64, stream: &str, version: i64, reason: String| {
            Some(BrokenLink {
                seq,
                stream: stream.to_string(),
                version,
                reason,
            })
        };
        loop {
            let rows = sqlx::query(
                "SELECT seq, stream, version, kind, at, body, prev_hash, hash FROM events WHERE seq > $1 ORDER BY seq LIMIT 5000",
            )
            .bind(last_seq)
            .fetch_all(&self.reader)
            .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let seq: i64 = r.try_get("seq")?;
                let stream: String = r.try_get("stream")?;
                let version: i64 = r.try_get("version")?;
                let body: String = r.try_get("body")?;
                let report = |reason: String| ChainReport {
                    events: count,
                    head: hex::encode(prev),
                    broken: broken(seq, &stream, version, reason),
                };
                if seq != last_seq + 1 {
                    return Ok(report(format!(
                        "events {} to {} are missing",
                        last_seq + 1,
                        seq - 1
                    )));
                }
                if r.try_get::<String, _>("prev_hash")? != hex::encode(prev) {
                    return Ok(report(
                        "the stored link to the previous event does not match it".into(),
                    ));
                }
                let hash = audit::link(&prev, body.as_bytes());
                if r.try_get::<String, _>("hash")? != hex::encode(hash) {
                    return Ok(report("the event's content does not match its hash".into()));
                }
                if stream == crate::work::ADMIN_STREAM {
                    match serde_json::from_str::<crate::work_sql::AdminEnvelope>(&body) {
                        Ok(env)
                            if env.stream == stream
                                && i64::from(env.version) == version
                                && r.try_get::<String, _>("kind")?
                                    == crate::work_sql::ADMIN_KIND
                                && ms(env.change.at) == r.try_get::<i64, _>("at")? => {}
                        Ok(_) => {
                            return Ok(report(
                                "the indexed columns disagree with the hashed content".into(),
                            ));
                        }
                        Err(e) => {
                            return Ok(report(format!("the content is not a valid change: {e}")));
                        }
                    }
                    prev = hash;
                    last_seq = seq;
                    count += 1;
                    continue;
                }
                match serde_json::from_str::<Envelope>(&body) {
                    Ok(env)
                        if env.stream == stream
                            && i64::from(env.version) == version
                            && env.event.kind.name() == r.try_get::<String, _>("kind")?
                            && ms(env.event.at) == r.try_get::<i64, _>("at")? => {}
                    Ok(_) => {
                        return Ok(report(
                            "the indexed columns disagree with the hashed content".into(),
                        ));
                    }
                    Err(e) => return Ok(report(format!("the content is not a valid event: {e}"))),
                }
                prev = hash;
                last_seq = seq;
                count += 1;
            }
        }
        let head = sqlx::query("SELECT seq, hash FROM chain_head WHERE id = 1")
            .fetch_one(&self.reader)
            .await?;
        let (head_seq, head_hash): (i64, String) = (head.try_get("seq")?, head.try_get("hash")?);
        if head_seq != last_seq || head_hash != hex::encode(prev) {
            return Ok(ChainReport {
                events: count,
                head: hex::encode(prev),
                broken: broken(
                    head_seq,
                    "",
                    0,
                    format!("the chain head names event {head_seq}, the chain ends at {last_seq}"),
                ),
            });
        }
        let mismatch = sqlx::query(
            "SELECT d.code, d.version, (SELECT COUNT(*) FROM events e WHERE e.stream = d.code) AS n FROM dossiers d \
             WHERE d.version <> (SELECT COUNT(*) FROM events e WHERE e.stream = d.code) LIMIT 1",
        )
        .fetch_optional(&self.reader)
        .await?;
        if let Some(m) = mismatch {
            let code: String = m.try_get("code")?;
            let (v, n): (i64, i64) = (m.try_get("version")?, m.try_get("n")?);
            return Ok(ChainReport {
                events: count,
                head: hex::encode(prev),
                broken: broken(
                    0,
                    &code,
                    v,
                    format!("the dossier is at version {v} but has {n} events"),
                ),
            });
        }
        let orphan = sqlx::query(
            "SELECT e.seq, e.stream, e.version FROM events e WHERE e.stream <> $1 AND NOT EXISTS \
             (SELECT 1 FROM dossiers d WHERE d.code = e.stream) ORDER BY e.seq LIMIT 1",
        )
        .bind(crate::work::ADMIN_STREAM)
        .fetch_optional(&self.reader)
        .await?;
        if let Some(o) = orphan {
            return Ok(ChainReport {
                events: count,
                head: hex::encode(prev),
                broken: broken(
                    o.try_get("seq")?,
                    &o.try_get::<String, _>("stream")?,
                    o.try_get("version")?,
                    "the event belongs to no dossier".into(),
                ),
            });
        }
        Ok(ChainReport {
            events: count,
            head: hex::encode(prev),
            broken: None,
        })
    }

    async fn stats(&self, f: &StatsFilter) -> Result<Vec<StatRow>, StoreError> {
        let sql = if f.by_day {
            "SELECT day, metric, CAST(SUM(count) AS BIGINT) AS n FROM daily_stats WHERE day >= $1 AND day <= $2 \
             AND ($3 = '' OR agency_code = $3) AND ($4 = '' OR procedure_code = $4) AND ($5 = '' OR branch_code = $5) \
             GROUP BY day, metric ORDER BY day, metric"
        } else {
            "SELECT '' AS day, metric, CAST(SUM(count) AS BIGINT) AS n FROM daily_stats WHERE day >= $1 AND day <= $2 \
             AND ($3 = '' OR agency_code = $3) AND ($4 = '' OR procedure_code = $4) AND ($5 = '' OR branch_code = $5) \
             GROUP BY metric ORDER BY metric"
        };
        let day = |d: Option<NaiveDate>, default: &str| {
            d.map_or(default.to_string(), |d| d.format("%Y-%m-%d").to_string())
        };
        let rows = sqlx::query(sql)
            .bind(day(f.from, "0000-01-01"))
            .bind(day(f.to, "9999-12-31"))
            .bind(f.agency.map(|a| a.to_string()).unwrap_or_default())
            .bind(f.procedure.map(|p| p.to_string()).unwrap_or_default())
            .bind(f.branch.clone().unwrap_or_default())
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| {
                let d: String = r.try_get("day")?;
                Ok(StatRow {
                    day: if d.is_empty() {
                        None
                    } else {
                        Some(
                            NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                                .map_err(|_| StoreError::Corrupt(d.clone()))?,
                        )
                    },
                    metric: r.try_get("metric")?,
                    count: r.try_get("n")?,
                })
            })
            .collect()
    }

    async fn popular_procedures(
        &self,
        limit: u32,
    ) -> Result<Vec<(ProcedureCode, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT procedure_code, CAST(SUM(count) AS BIGINT) AS n FROM daily_stats WHERE metric = 'submitted' \
             GROUP BY procedure_code ORDER BY n DESC, procedure_code LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    parse("procedure code", &r.try_get::<String, _>("procedure_code")?)?,
                    r.try_get("n")?,
                ))
            })
            .collect()
    }

    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1 WHERE id IN \
                 (SELECT id FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL AND next_attempt_at <= $2 \
                 ORDER BY id LIMIT $3) RETURNING id, event_seq, topic, payload, created_at, attempts"
            }
            Backend::Postgres => {
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1 WHERE id IN \
                 (SELECT id FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL AND next_attempt_at <= $2 \
                 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING id, event_seq, topic, payload, created_at, attempts"
            }
        };
        let rows = sqlx::query(sql)
            .bind(ms(lease_until))
            .bind(ms(now))
            .bind(i64::from(limit))
            .fetch_all(&self.writer)
            .await?;
        let mut out: Vec<OutboxMessage> = rows.iter().map(outbox_from).collect::<Result<_, _>>()?;
        out.sort_by_key(|m| m.id);
        Ok(out)
    }

    async fn finish_outbox(
        &self,
        id: i64,
        outcome: &OutboxOutcome,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let q = match outcome {
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
        q.bind(id).execute(&self.writer).await?;
        Ok(())
    }

    async fn record_notification(&self, n: &Notification) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO notifications (outbox_id, dossier_code, channel, recipient, subject, body, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(n.outbox_id)
        .bind(n.dossier_code.clone())
        .bind(&n.channel)
        .bind(&n.recipient)
        .bind(&n.subject)
        .bind(&n.body)
        .bind(ms(n.sent_at))
        .execute(&self.writer)
        .await?;
        Ok(())
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

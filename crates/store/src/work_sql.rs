//! [`Work`] on SQLite and PostgreSQL. Filters become bound parameters; only the placeholders'
//! numbers are spliced into the statement.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use motcua_domain::ids::{Cccd, DossierCode};
use motcua_domain::lifecycle::{Applicant, Dossier};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::chain::canonical_json;
use crate::error::StoreError;
use crate::model::ApiKey;
use crate::model::DossierRecord;
use crate::sql::{SqlStore, api_key_from, from_ms, ms, record_from};
use crate::work::*;

fn alert_from(r: &AnyRow) -> Result<StaffAlert, StoreError> {
    Ok(StaffAlert {
        id: r.try_get("id")?,
        dossier_code: r.try_get("dossier_code")?,
        kind: r.try_get("kind")?,
        due_at: from_ms(r.try_get("due_at")?)?,
        recipient: r.try_get("recipient")?,
        created_at: from_ms(r.try_get("created_at")?)?,
        read_at: r
            .try_get::<Option<i64>, _>("read_at")?
            .map(from_ms)
            .transpose()?,
    })
}

/// What is hashed and stored for an administrator's change.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct AdminEnvelope {
    pub(crate) stream: String,
    pub(crate) version: u32,
    pub(crate) change: AdminChange,
}

/// The kind column of administrators' changes in the event table.
pub(crate) const ADMIN_KIND: &str = "admin_change";

/// Checks that a stored administrator's change agrees with its indexed columns.
pub(crate) fn check_admin_event(
    stream: &str,
    version: i64,
    kind: &str,
    at: i64,
    body: &str,
) -> Result<(), String> {
    match serde_json::from_str::<AdminEnvelope>(body) {
        Ok(env)
            if env.stream == stream
                && i64::from(env.version) == version
                && kind == ADMIN_KIND
                && ms(env.change.at) == at =>
        {
            Ok(())
        }
        Ok(_) => Err("the indexed columns disagree with the hashed content".into()),
        Err(e) => Err(format!("the content is not a valid change: {e}")),
    }
}

/// A value bound to a placeholder of a work query.
enum Arg {
    Text(String),
    Int(i64),
}

#[async_trait]
impl Work for SqlStore {
    async fn work(&self, q: &WorkQuery) -> Result<Vec<DossierRecord>, StoreError> {
        let mut clauses: Vec<String> = Vec::new();
        let mut args: Vec<Arg> = Vec::new();
        let list = |column: &str, values: Vec<String>, args: &mut Vec<Arg>| {
            if values.is_empty() {
                return "1 = 0".to_string();
            }
            let marks: Vec<String> = values
                .into_iter()
                .map(|v| {
                    args.push(Arg::Text(v));
                    format!("${}", args.len())
                })
                .collect();
            format!("{column} IN ({})", marks.join(", "))
        };
        if let Some(h) = &q.holders {
            clauses.push(list("current_agency", h.clone(), &mut args));
        }
        if let Some(r) = &q.receivers {
            clauses.push(list("receiving_agency", r.clone(), &mut args));
        }
        if !q.statuses.is_empty() {
            let statuses = q.statuses.iter().map(|s| s.as_str().to_string()).collect();
            clauses.push(list("status", statuses, &mut args));
        }
        if let Some(a) = &q.assignee {
            args.push(Arg::Text(a.clone()));
            clauses.push(format!("assignee = ${}", args.len()));
        }
        if let Some(t) = q.due_before {
            args.push(Arg::Int(ms(t)));
            let n = args.len();
            clauses.push(format!("(due_at < ${n} OR step_due_at < ${n})"));
        }
        let order = if let Some(after) = &q.after {
            args.push(Arg::Text(after.clone()));
            clauses.push(format!("code > ${}", args.len()));
            "code"
        } else {
            "CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, due_at, submitted_at, code"
        };
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        args.push(Arg::Int(i64::from(q.limit.clamp(1, 1000))));
        let sql = format!(
            "SELECT code, version, state, form FROM dossiers {filter} ORDER BY {order} LIMIT ${}",
            args.len()
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for a in args {
            query = match a {
                Arg::Text(s) => query.bind(s),
                Arg::Int(i) => query.bind(i),
            };
        }
        let rows = query.fetch_all(&self.reader).await?;
        rows.iter().map(record_from).collect()
    }

    async fn applicant_by_cccd(&self, cccd: &Cccd) -> Result<Option<Applicant>, StoreError> {
        let row = sqlx::query(
            "SELECT state FROM dossiers WHERE applicant_cccd = $1 ORDER BY submitted_at DESC LIMIT 1",
        )
        .bind(cccd.to_string())
        .fetch_optional(&self.reader)
        .await?;
        row.map(|r| {
            let d: Dossier = serde_json::from_str(&r.try_get::<String, _>("state")?)?;
            Ok(d.intake.applicant)
        })
        .transpose()
    }

    async fn dossier_by_result(&self, sha256: &str) -> Result<Option<DossierRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT code, version, state, form FROM dossiers WHERE result_sha256 = $1 \
             ORDER BY code LIMIT 1",
        )
        .bind(sha256)
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(record_from).transpose()
    }

    async fn raise_alert(
        &self,
        code: &DossierCode,
        kind: &str,
        due_at: DateTime<Utc>,
        recipient: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO staff_alerts (dossier_code, kind, due_at, recipient, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (dossier_code, kind, due_at, recipient) DO NOTHING",
        )
        .bind(code.to_string())
        .bind(kind)
        .bind(ms(due_at))
        .bind(recipient)
        .bind(ms(now))
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn alerts(&self, recipient: &str, limit: u32) -> Result<Vec<StaffAlert>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, dossier_code, kind, due_at, recipient, created_at, read_at FROM staff_alerts \
             WHERE recipient = $1 ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC \
             LIMIT $2",
        )
        .bind(recipient)
        .bind(i64::from(limit.clamp(1, 1000)))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(alert_from).collect()
    }

    async fn mark_alert_read(
        &self,
        id: i64,
        recipient: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE staff_alerts SET read_at = $1 WHERE id = $2 AND recipient = $3 AND read_at IS NULL",
        )
        .bind(ms(now))
        .bind(id)
        .bind(recipient)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn administer(&self, op: &AdminOp, change: &AdminChange) -> Result<(), StoreError> {
        let (op, change) = (op.clone(), change.clone());
        self.chain
            .write(move |l| {
                Box::pin(async move {
                    let conn = l.conn();
                    match &op {
                        AdminOp::Agency(a) => Self::write_agency(conn, a).await?,
                        AdminOp::Branch(b) => Self::write_branch(conn, b).await?,
                        AdminOp::User(u) => Self::write_user(conn, u).await?,
                        AdminOp::Procedure(p) => {
                            Self::write_procedures(conn, std::slice::from_ref(p)).await?
                        }
                        AdminOp::CalendarDay(d) => Self::write_calendar_day(conn, d).await?,
                        AdminOp::ApiKey(k) => Self::write_api_key(conn, k).await?,
                        AdminOp::Setting { key, value } => {
                            Self::write_setting(conn, key, value).await?
                        }
                    }
                    // The chain's writes are serialised, so the stream's next version is safe.
                    let count: i64 =
                        sqlx::query("SELECT COUNT(*) AS n FROM events WHERE stream = $1")
                            .bind(ADMIN_STREAM)
                            .fetch_one(l.conn())
                            .await?
                            .try_get("n")?;
                    let version = u32::try_from(count + 1)
                        .map_err(|_| StoreError::Corrupt("admin stream version".into()))?;
                    let body = canonical_json(&AdminEnvelope {
                        stream: ADMIN_STREAM.into(),
                        version,
                        change: change.clone(),
                    })?;
                    l.append(ADMIN_STREAM, version, ADMIN_KIND, change.at, &body)
                        .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn admin_changes(&self, limit: u32) -> Result<Vec<AdminChange>, StoreError> {
        let rows =
            sqlx::query("SELECT body FROM events WHERE stream = $1 ORDER BY seq DESC LIMIT $2")
                .bind(ADMIN_STREAM)
                .bind(i64::from(limit.clamp(1, 1000)))
                .fetch_all(&self.reader)
                .await?;
        rows.iter()
            .map(|r| {
                let env: AdminEnvelope = serde_json::from_str(&r.try_get::<String, _>("body")?)?;
                Ok(env.change)
            })
            .collect()
    }

    async fn settings_with_prefix(
        &self,
        prefix: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        // The table is small: read it and keep the keys with the prefix (no LIKE escaping).
        let rows = sqlx::query("SELECT key, value FROM settings ORDER BY key")
            .fetch_all(&self.reader)
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            let key: String = r.try_get("key")?;
            if key.starts_with(prefix) {
                out.push((key, r.try_get("value")?));
            }
        }
        Ok(out)
    }

    async fn api_keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        let rows = sqlx::query(
            "SELECT key_hash, name, agency_code, scopes, revoked_at FROM api_keys ORDER BY name",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(api_key_from).collect()
    }

    async fn revoke_token(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM auth_tokens WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        // One statement: insert, or take over a lease that ran out or is already ours.
        let done = sqlx::query(
            "INSERT INTO job_leases (name, holder, until) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until \
             WHERE job_leases.until < $4 OR job_leases.holder = excluded.holder",
        )
        .bind(name)
        .bind(holder)
        .bind(ms(until))
        .bind(ms(now))
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

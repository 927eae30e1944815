//! [`Work`] on SQLite and PostgreSQL. Filters become bound parameters; only the placeholders'
//! numbers are spliced into the statement.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use motcua_domain::ids::Cccd;
use motcua_domain::lifecycle::{Applicant, Dossier, Status};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::bulk::Value;
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
#[derive(Clone)]
enum Arg {
    Text(String),
    Int(i64),
}

/// Agency lists longer than this are filtered with `IN` inside one range per status instead
/// of one range per agency and status.
const SPLIT_AGENCIES: usize = 40;

/// Placeholders and their values, numbered in order.
#[derive(Default)]
struct Args(Vec<Arg>);

impl Args {
    fn push(&mut self, a: Arg) -> String {
        self.0.push(a);
        format!("${}", self.0.len())
    }

    fn list(&mut self, values: &[String]) -> String {
        let marks: Vec<String> = values
            .iter()
            .map(|v| self.push(Arg::Text(v.clone())))
            .collect();
        marks.join(", ")
    }

    fn bind(self, sql: String) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for a in self.0 {
            query = match a {
                Arg::Text(s) => query.bind(s),
                Arg::Int(i) => query.bind(i),
            };
        }
        query
    }
}

impl SqlStore {
    /// The codes of a work list, most urgent first. Each (agency, status) pair is one range of
    /// an index already in the list's order, read for at most `limit` rows; the ranges are
    /// merged and cut. So the cost grows with the scope and the page, not with the number of
    /// dossiers held.
    async fn urgent_first(&self, q: &WorkQuery, limit: i64) -> Result<Vec<String>, StoreError> {
        let key = if q.due_before.is_some() || q.due_from.is_some() {
            "urgent_at"
        } else {
            "work_due"
        };
        let (column, agencies) = match (&q.holders, &q.receivers) {
            (Some(h), _) => ("current_agency", Some(h)),
            (None, Some(r)) => ("receiving_agency", Some(r)),
            (None, None) => ("current_agency", None),
        };
        if agencies.is_some_and(|a| a.is_empty()) {
            return Ok(Vec::new());
        }
        let statuses: Vec<String> = if q.statuses.is_empty() {
            motcua_domain::lifecycle::Status::ALL
                .iter()
                .map(|s| s.as_str().to_string())
                .collect()
        } else {
            q.statuses.iter().map(|s| s.as_str().to_string()).collect()
        };
        // One range per agency, unless the list is long or one officer's (then the agencies
        // filter the range of each status).
        let split = agencies.filter(|a| a.len() <= SPLIT_AGENCIES && q.assignee.is_none());
        let mut args = Args::default();
        let mut common = Vec::new();
        if let Some(a) = &q.assignee {
            common.push(format!("assignee = {}", args.push(Arg::Text(a.clone()))));
        }
        if let (None, Some(list)) = (split, agencies) {
            common.push(format!("{column} IN ({})", args.list(list)));
        }
        if let Some(t) = q.due_before {
            common.push(format!("urgent_at < {}", args.push(Arg::Int(ms(t)))));
        }
        if let Some(t) = q.due_from {
            common.push(format!("urgent_at >= {}", args.push(Arg::Int(ms(t)))));
        }
        // Each range gives what the page could need of it: everything before the page too.
        let offset = i64::from(q.offset);
        let limit_mark = args.push(Arg::Int(limit + offset));
        let page_mark = args.push(Arg::Int(limit));
        let offset_mark = args.push(Arg::Int(offset));
        let mut parts = Vec::new();
        for status in &statuses {
            let status_mark = args.push(Arg::Text(status.clone()));
            let agency_marks: Vec<Option<String>> = match split {
                Some(list) => list
                    .iter()
                    .map(|a| Some(args.push(Arg::Text(a.clone()))))
                    .collect(),
                None => vec![None],
            };
            for agency in agency_marks {
                let mut clauses = vec![format!("status = {status_mark}")];
                if let Some(m) = agency {
                    clauses.push(format!("{column} = {m}"));
                }
                clauses.extend(common.iter().cloned());
                parts.push(format!(
                    "SELECT * FROM (SELECT code, {key} AS k, submitted_at FROM dossiers WHERE {} \
                     ORDER BY {key}, submitted_at, code LIMIT {limit_mark}) AS r{}",
                    clauses.join(" AND "),
                    parts.len()
                ));
            }
        }
        let sql = format!(
            "SELECT code FROM ({}) AS w ORDER BY k, submitted_at, code \
             LIMIT {page_mark} OFFSET {offset_mark}",
            parts.join(" UNION ALL ")
        );
        let rows = args.bind(sql).fetch_all(&self.reader).await?;
        rows.iter().map(|r| Ok(r.try_get("code")?)).collect()
    }

    /// The codes of a list walked in code order from `after` (the deadline watcher's pages).
    async fn walk(&self, q: &WorkQuery, limit: i64) -> Result<Vec<String>, StoreError> {
        let mut args = Args::default();
        let Some(mut clauses) = filters(q, &mut args) else {
            return Ok(Vec::new());
        };
        if let Some(after) = &q.after {
            clauses.push(format!("code > {}", args.push(Arg::Text(after.clone()))));
        }
        let limit_mark = args.push(Arg::Int(limit));
        let sql = format!(
            "SELECT code FROM dossiers WHERE {} ORDER BY code LIMIT {limit_mark}",
            where_all(&clauses)
        );
        let rows = args.bind(sql).fetch_all(&self.reader).await?;
        rows.iter().map(|r| Ok(r.try_get("code")?)).collect()
    }
}

fn where_all(clauses: &[String]) -> String {
    if clauses.is_empty() {
        "1 = 1".to_string()
    } else {
        clauses.join(" AND ")
    }
}

/// The conditions of a work list's filters; `None` when an empty agency list leaves nothing.
fn filters(q: &WorkQuery, args: &mut Args) -> Option<Vec<String>> {
    let mut clauses = Vec::new();
    if let Some(h) = &q.holders {
        if h.is_empty() {
            return None;
        }
        clauses.push(format!("current_agency IN ({})", args.list(h)));
    }
    if let Some(r) = &q.receivers {
        if r.is_empty() {
            return None;
        }
        clauses.push(format!("receiving_agency IN ({})", args.list(r)));
    }
    if !q.statuses.is_empty() {
        let statuses: Vec<String> = q.statuses.iter().map(|s| s.as_str().to_string()).collect();
        clauses.push(format!("status IN ({})", args.list(&statuses)));
    }
    if let Some(a) = &q.assignee {
        clauses.push(format!("assignee = {}", args.push(Arg::Text(a.clone()))));
    }
    if let Some(t) = q.due_before {
        clauses.push(format!("urgent_at < {}", args.push(Arg::Int(ms(t)))));
    }
    if let Some(t) = q.due_from {
        clauses.push(format!("urgent_at >= {}", args.push(Arg::Int(ms(t)))));
    }
    Some(clauses)
}

#[async_trait]
impl Work for SqlStore {
    async fn work(&self, q: &WorkQuery) -> Result<Vec<DossierRecord>, StoreError> {
        let limit = i64::from(q.limit.clamp(1, 1000));
        let codes = if q.after.is_some() {
            self.walk(q, limit).await?
        } else {
            self.urgent_first(q, limit).await?
        };
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=codes.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT code, version, state, form FROM dossiers WHERE code IN ({})",
            marks.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for c in &codes {
            query = query.bind(c);
        }
        let mut records: std::collections::HashMap<String, DossierRecord> = query
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|r| record_from(r).map(|d| (d.code.to_string(), d)))
            .collect::<Result<_, StoreError>>()?;
        Ok(codes.iter().filter_map(|c| records.remove(c)).collect())
    }

    async fn count_work(&self, q: &WorkQuery) -> Result<u64, StoreError> {
        let mut args = Args::default();
        let Some(clauses) = filters(q, &mut args) else {
            return Ok(0);
        };
        let sql = format!(
            "SELECT COUNT(*) AS n FROM dossiers WHERE {}",
            where_all(&clauses)
        );
        let row = args.bind(sql).fetch_one(&self.reader).await?;
        Ok(u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0))
    }

    async fn find_dossiers(
        &self,
        find: &Find,
        limit: u32,
    ) -> Result<Vec<DossierRecord>, StoreError> {
        let (condition, value) = match find {
            Find::Code(c) => ("code = $1", c.to_string()),
            Find::Cccd(c) => ("applicant_cccd = $1", c.to_string()),
            Find::PhoneLast4(l) => ("phone_last4 = $1", l.clone()),
            // `%` and `_` typed by the officer are matched as themselves.
            Find::Name(words) => (
                "applicant_folded LIKE $1 ESCAPE '\\'",
                format!(
                    "%{}%",
                    words
                        .replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                ),
            ),
        };
        let sql = format!(
            "SELECT code, version, state, form FROM dossiers WHERE {condition} \
             ORDER BY submitted_at DESC, code DESC LIMIT $2"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(value)
            .bind(i64::from(limit.clamp(1, 5000)))
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(record_from).collect()
    }

    async fn to_watch(
        &self,
        statuses: &[Status],
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DossierRecord>, StoreError> {
        let mut args = Args::default();
        let now_mark = args.push(Arg::Int(ms(now)));
        let limit_mark = args.push(Arg::Int(i64::from(limit.clamp(1, 1000))));
        let parts: Vec<String> = statuses
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let status = args.push(Arg::Text(s.as_str().to_string()));
                format!(
                    "SELECT * FROM (SELECT code, watch_at FROM dossiers WHERE status = {status} \
                     AND watch_at <= {now_mark} ORDER BY watch_at LIMIT {limit_mark}) AS w{i}"
                )
            })
            .collect();
        if parts.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT d.code, d.version, d.state, d.form FROM ({}) AS w JOIN dossiers d ON d.code = w.code \
             ORDER BY w.watch_at, d.code LIMIT {limit_mark}",
            parts.join(" UNION ALL ")
        );
        let rows = args.bind(sql).fetch_all(&self.reader).await?;
        rows.iter().map(record_from).collect()
    }

    async fn watch_again(&self, next: &[WatchAgain]) -> Result<u64, StoreError> {
        let (next, backend) = (next.to_vec(), self.backend);
        self.chain
            .write_simple(move |l| {
                Box::pin(async move {
                    // One statement per few hundred dossiers: a page of the watcher is one
                    // round trip, not one per dossier (placeholders as `bulk` writes them, so
                    // SQLite binds positionally).
                    let mut set = 0;
                    for chunk in next.chunks(300) {
                        let m = |n| crate::bulk::mark(backend, n);
                        let rows: Vec<String> = (0..chunk.len())
                            .map(|i| {
                                format!(
                                    "({}, CAST({} AS BIGINT), CAST({} AS BIGINT))",
                                    m(3 * i + 1),
                                    m(3 * i + 2),
                                    m(3 * i + 3)
                                )
                            })
                            .collect();
                        let sql = format!(
                            "UPDATE dossiers SET watch_at = v.column3 FROM (VALUES {}) AS v \
                             WHERE dossiers.code = v.column1 AND dossiers.version = v.column2",
                            rows.join(", ")
                        );
                        // Only placeholders are formatted in; every value is bound.
                        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                        for n in chunk {
                            q = q
                                .bind(n.code.to_string())
                                .bind(i64::from(n.version))
                                .bind(n.at.map_or(i64::MAX, ms));
                        }
                        set += q.execute(l.conn()).await?.rows_affected();
                    }
                    Ok(set)
                })
            })
            .await
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

    async fn raise_alerts(&self, alerts: &[NewAlert]) -> Result<u64, StoreError> {
        let rows: Vec<Vec<Value>> = alerts
            .iter()
            .map(|a| {
                vec![
                    Value::Text(a.dossier_code.to_string()),
                    Value::Text(a.kind.clone()),
                    Value::Int(ms(a.due_at)),
                    Value::Text(a.recipient.clone()),
                    Value::Int(ms(a.created_at)),
                ]
            })
            .collect();
        self.insert_alerts(AlertTable::Dossiers, rows).await
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
        self.mark_read(AlertTable::Dossiers, id, recipient, now)
            .await
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
                    let row = l.link(ADMIN_STREAM, version, ADMIN_KIND, change.at, body);
                    l.store(vec![row]).await?;
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

/// The two kinds of officers' alerts: about dossiers (the watcher's deadlines) and about
/// petitions (the escalation rules'). Both are raised once per subject, reason, due instant
/// and recipient, and marked read by their recipient.
#[derive(Debug, Clone, Copy)]
pub(crate) enum AlertTable {
    Dossiers,
    Petitions,
}

impl AlertTable {
    /// The table and its columns: subject, reason, due, recipient, created.
    fn shape(self) -> (&'static str, [&'static str; 5], &'static str) {
        match self {
            AlertTable::Dossiers => (
                "staff_alerts",
                ["dossier_code", "kind", "due_at", "recipient", "created_at"],
                " ON CONFLICT (dossier_code, kind, due_at, recipient) DO NOTHING",
            ),
            AlertTable::Petitions => (
                "petition_alerts",
                ["petition_code", "rule", "due_at", "recipient", "created_at"],
                " ON CONFLICT (petition_code, rule, due_at, recipient) DO NOTHING",
            ),
        }
    }
}

impl SqlStore {
    /// Inserts alerts (rows in the table's column order), skipping those raised already;
    /// returns how many were new.
    pub(crate) async fn insert_alerts(
        &self,
        table: AlertTable,
        rows: Vec<Vec<Value>>,
    ) -> Result<u64, StoreError> {
        if rows.is_empty() {
            return Ok(0);
        }
        let (name, columns, conflict) = table.shape();
        self.chain
            .write_simple(move |l| {
                Box::pin(async move {
                    let backend = l.backend;
                    crate::bulk::insert_counted(l.conn(), backend, name, &columns, conflict, rows)
                        .await
                })
            })
            .await
    }

    /// Marks alert `id` of `recipient` read; false when there is no such unread alert of theirs.
    pub(crate) async fn mark_read(
        &self,
        table: AlertTable,
        id: i64,
        recipient: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (name, ..) = table.shape();
        // Only the fixed table name is formatted in; every value is bound.
        let done = sqlx::query(AssertSqlSafe(format!(
            "UPDATE {name} SET read_at = $1 WHERE id = $2 AND recipient = $3 AND read_at IS NULL"
        )))
        .bind(ms(now))
        .bind(id)
        .bind(recipient)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

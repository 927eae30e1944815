//! [`Queue`] on SQLite and PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::queue::{Priority, ticket_number};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::error::StoreError;
use crate::queue::*;
use crate::sql::{SqlStore, from_ms, ms};

const TICKET_COLUMNS: &str = "id, branch_code, group_code, day, seq, number, priority, slot_at, status, \
     issued_at, called_at, counter, officer, ended_at";

fn ticket_from(r: &AnyRow) -> Result<Ticket, StoreError> {
    let day: String = r.try_get("day")?;
    let opt = |col: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
        r.try_get::<Option<i64>, _>(col)?.map(from_ms).transpose()
    };
    let priority: Option<String> = r.try_get("priority")?;
    Ok(Ticket {
        id: r.try_get("id")?,
        branch: r.try_get("branch_code")?,
        group: r.try_get("group_code")?,
        day: NaiveDate::parse_from_str(&day, "%Y-%m-%d")
            .map_err(|_| StoreError::Corrupt(format!("ticket day {day:?}")))?,
        seq: r.try_get("seq")?,
        number: r.try_get("number")?,
        priority: priority
            .map(|p| {
                Priority::parse(&p).ok_or_else(|| StoreError::Corrupt(format!("priority {p:?}")))
            })
            .transpose()?,
        slot_at: opt("slot_at")?,
        status: TicketStatus::parse(&r.try_get::<String, _>("status")?)
            .ok_or_else(|| StoreError::Corrupt("ticket status".into()))?,
        issued_at: from_ms(r.try_get("issued_at")?)?,
        called_at: opt("called_at")?,
        counter: r.try_get("counter")?,
        officer: r.try_get("officer")?,
        ended_at: opt("ended_at")?,
    })
}

#[async_trait]
impl Queue for SqlStore {
    async fn put_service_group(&self, g: &ServiceGroup) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO service_groups (branch_code, code, name, prefix) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (branch_code, code) DO UPDATE SET name = excluded.name, prefix = excluded.prefix",
        )
        .bind(&g.branch)
        .bind(&g.code)
        .bind(&g.name)
        .bind(&g.prefix)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM group_counters WHERE branch_code = $1 AND group_code = $2")
            .bind(&g.branch)
            .bind(&g.code)
            .execute(&mut *tx)
            .await?;
        for c in &g.counters {
            sqlx::query(
                "INSERT INTO group_counters (branch_code, group_code, counter) VALUES ($1, $2, $3)",
            )
            .bind(&g.branch)
            .bind(&g.code)
            .bind(*c)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn service_groups(&self, branch: &str) -> Result<Vec<ServiceGroup>, StoreError> {
        let groups = sqlx::query(
            "SELECT code, name, prefix FROM service_groups WHERE branch_code = $1 ORDER BY code",
        )
        .bind(branch)
        .fetch_all(&self.reader)
        .await?;
        let counters = sqlx::query(
            "SELECT group_code, counter FROM group_counters WHERE branch_code = $1 ORDER BY counter",
        )
        .bind(branch)
        .fetch_all(&self.reader)
        .await?;
        groups
            .iter()
            .map(|g| {
                let code: String = g.try_get("code")?;
                let mut served = Vec::new();
                for c in &counters {
                    if c.try_get::<String, _>("group_code")? == code {
                        served.push(c.try_get::<i64, _>("counter")?);
                    }
                }
                Ok(ServiceGroup {
                    branch: branch.to_string(),
                    name: g.try_get("name")?,
                    prefix: g.try_get("prefix")?,
                    code,
                    counters: served,
                })
            })
            .collect()
    }

    async fn issue_ticket(
        &self,
        branch: &str,
        group: &str,
        priority: Option<Priority>,
        slot_at: Option<DateTime<Utc>>,
        day: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Ticket, StoreError> {
        let mut tx = self.writer.begin().await?;
        let prefix: String =
            sqlx::query("SELECT prefix FROM service_groups WHERE branch_code = $1 AND code = $2")
                .bind(branch)
                .bind(group)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?
                .try_get("prefix")?;
        let day_s = day.format("%Y-%m-%d").to_string();
        let seq: i64 = sqlx::query(
            "INSERT INTO ticket_sequences (branch_code, group_code, day, last) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (branch_code, group_code, day) DO UPDATE SET last = ticket_sequences.last + 1 \
             RETURNING last",
        )
        .bind(branch)
        .bind(group)
        .bind(&day_s)
        .fetch_one(&mut *tx)
        .await?
        .try_get("last")?;
        let number = ticket_number(&prefix, u32::try_from(seq).unwrap_or(u32::MAX));
        let row = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO tickets (branch_code, group_code, day, seq, number, priority, slot_at, status, issued_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'waiting', $8) RETURNING {TICKET_COLUMNS}"
        )))
        .bind(branch)
        .bind(group)
        .bind(&day_s)
        .bind(seq)
        .bind(&number)
        .bind(priority.map(|p| p.as_str()))
        .bind(slot_at.map(ms))
        .bind(ms(now))
        .fetch_one(&mut *tx)
        .await?;
        let ticket = ticket_from(&row)?;
        tx.commit().await?;
        Ok(ticket)
    }

    async fn waiting_tickets(
        &self,
        branch: &str,
        groups: &[String],
        day: NaiveDate,
    ) -> Result<Vec<Ticket>, StoreError> {
        if groups.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..groups.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT {TICKET_COLUMNS} FROM tickets WHERE branch_code = $1 AND day = $2 \
             AND status = 'waiting' AND group_code IN ({}) ORDER BY issued_at, id",
            marks.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(branch)
            .bind(day.format("%Y-%m-%d").to_string());
        for g in groups {
            q = q.bind(g);
        }
        let rows = q.fetch_all(&self.writer).await?;
        rows.iter().map(ticket_from).collect()
    }

    async fn serving(&self, branch: &str, counter: i64) -> Result<Option<Ticket>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TICKET_COLUMNS} FROM tickets WHERE branch_code = $1 AND counter = $2 \
             AND status = 'called' ORDER BY called_at DESC, id DESC LIMIT 1"
        )))
        .bind(branch)
        .bind(counter)
        .fetch_optional(&self.writer)
        .await?;
        row.as_ref().map(ticket_from).transpose()
    }

    async fn recall(&self, id: i64, counter: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO ticket_calls (branch_code, ticket_id, number, group_code, counter, at) \
             SELECT branch_code, id, number, group_code, counter, $1 FROM tickets \
             WHERE id = $2 AND counter = $3 AND status = 'called'",
        )
        .bind(ms(now))
        .bind(id)
        .bind(counter)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn end_service(
        &self,
        id: i64,
        counter: i64,
        outcome: TicketStatus,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        if !matches!(outcome, TicketStatus::Done | TicketStatus::NoShow) {
            return Err(StoreError::Corrupt(format!(
                "{} ends no service",
                outcome.as_str()
            )));
        }
        let done = sqlx::query(
            "UPDATE tickets SET status = $1, ended_at = $2 WHERE id = $3 AND counter = $4 AND status = 'called'",
        )
        .bind(outcome.as_str())
        .bind(ms(now))
        .bind(id)
        .bind(counter)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn service_times(
        &self,
        branch: &str,
        group: &str,
        day: NaiveDate,
    ) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT called_at, ended_at FROM tickets WHERE branch_code = $1 AND group_code = $2 \
             AND day = $3 AND status = 'done' ORDER BY ended_at DESC LIMIT 50",
        )
        .bind(branch)
        .bind(group)
        .bind(day.format("%Y-%m-%d").to_string())
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                let (a, b): (Option<i64>, Option<i64>) =
                    (r.try_get("called_at")?, r.try_get("ended_at")?);
                Ok((b.unwrap_or(0) - a.unwrap_or(0)) / 1000)
            })
            .collect()
    }

    async fn last_call_id(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COALESCE(MAX(id), 0) AS last FROM ticket_calls")
            .fetch_one(&self.reader)
            .await?;
        Ok(row.try_get("last")?)
    }

    async fn calls_since(
        &self,
        after: i64,
        branch: Option<&str>,
        limit: u32,
    ) -> Result<Vec<TicketCall>, StoreError> {
        let limit = i64::from(limit.clamp(1, 1000));
        let rows = match branch {
            Some(b) => {
                sqlx::query(
                    "SELECT id, branch_code, ticket_id, number, group_code, counter, at FROM ticket_calls \
                     WHERE branch_code = $1 AND id > $2 ORDER BY id LIMIT $3",
                )
                .bind(b)
                .bind(after)
                .bind(limit)
                .fetch_all(&self.reader)
                .await?
            }
            None => {
                sqlx::query(
                    "SELECT id, branch_code, ticket_id, number, group_code, counter, at FROM ticket_calls \
                     WHERE id > $1 ORDER BY id LIMIT $2",
                )
                .bind(after)
                .bind(limit)
                .fetch_all(&self.reader)
                .await?
            }
        };
        rows.iter()
            .map(|r| {
                Ok(TicketCall {
                    id: r.try_get("id")?,
                    branch: r.try_get("branch_code")?,
                    ticket_id: r.try_get("ticket_id")?,
                    number: r.try_get("number")?,
                    group: r.try_get("group_code")?,
                    counter: r.try_get("counter")?,
                    at: from_ms(r.try_get("at")?)?,
                })
            })
            .collect()
    }

    async fn claim_ticket(
        &self,
        id: i64,
        counter: i64,
        officer: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        // Conditional on the ticket still waiting: of two counters calling at the same
        // instant, exactly one changes the row.
        let done = sqlx::query(
            "UPDATE tickets SET status = 'called', called_at = $1, counter = $2, officer = $3 \
             WHERE id = $4 AND status = 'waiting'",
        )
        .bind(ms(now))
        .bind(counter)
        .bind(officer)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO ticket_calls (branch_code, ticket_id, number, group_code, counter, at) \
             SELECT branch_code, id, number, group_code, $1, $2 FROM tickets WHERE id = $3",
        )
        .bind(counter)
        .bind(ms(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}

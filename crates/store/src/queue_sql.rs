//! [`Queue`] on SQLite and PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::ids::{BranchCode, TicketId};
use motcua_domain::lifecycle::{RatingCriterion, Satisfaction};
use motcua_domain::queue::{Priority, ticket_number};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::error::StoreError;
use crate::queue::*;
use crate::sql::{SqlStore, from_ms, ms};

const TICKET_COLUMNS: &str = "id, branch_code, queue_group, day, seq, number, priority, slot_at, status, \
     issued_at, called_at, counter, officer, ended_at, target_counter, dossier_code, transfers";

fn ticket_from(r: &AnyRow) -> Result<Ticket, StoreError> {
    let day: String = r.try_get("day")?;
    let opt = |col: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
        r.try_get::<Option<i64>, _>(col)?.map(from_ms).transpose()
    };
    let priority: Option<String> = r.try_get("priority")?;
    Ok(Ticket {
        id: TicketId::new(r.try_get("id")?),
        branch: BranchCode::new(r.try_get::<String, _>("branch_code")?),
        group: r.try_get("queue_group")?,
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
        target_counter: r.try_get("target_counter")?,
        dossier: r.try_get("dossier_code")?,
        transfers: r.try_get("transfers")?,
    })
}

fn day_of(r: &AnyRow) -> Result<NaiveDate, StoreError> {
    let day: String = r.try_get("day")?;
    NaiveDate::parse_from_str(&day, "%Y-%m-%d")
        .map_err(|_| StoreError::Corrupt(format!("day {day:?}")))
}

fn day_s(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

const APPOINTMENT_COLUMNS: &str =
    "code, branch_code, group_code, slot_at, minutes, name, phone, status, created_at, ticket_id";

fn appointment_from(r: &AnyRow) -> Result<Appointment, StoreError> {
    let status: String = r.try_get("status")?;
    Ok(Appointment {
        code: r.try_get("code")?,
        branch: BranchCode::new(r.try_get::<String, _>("branch_code")?),
        group: r.try_get("group_code")?,
        slot_at: from_ms(r.try_get("slot_at")?)?,
        minutes: r.try_get("minutes")?,
        name: r.try_get("name")?,
        phone: r.try_get("phone")?,
        status: AppointmentStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("appointment status {status:?}")))?,
        created_at: from_ms(r.try_get("created_at")?)?,
        ticket_id: r.try_get::<Option<i64>, _>("ticket_id")?.map(TicketId::new),
    })
}

const RATING_COLUMNS: &str = "id, ticket_id, dossier_code, day, branch_code, group_code, counter, officer, \
     agency_code, level, resolution_time, contacts, agencies, attitude, comment, given_by, at";

fn level_of(r: &AnyRow) -> Result<Satisfaction, StoreError> {
    let level: String = r.try_get("level")?;
    Satisfaction::parse(&level).ok_or_else(|| StoreError::Corrupt(format!("rating {level:?}")))
}

fn rating_from(r: &AnyRow) -> Result<Rating, StoreError> {
    let mut criteria = Vec::new();
    for c in RatingCriterion::ALL {
        if let Some(score) = r.try_get::<Option<i64>, _>(c.as_str())? {
            criteria.push((c, u8::try_from(score).unwrap_or(0)));
        }
    }
    Ok(Rating {
        id: r.try_get("id")?,
        ticket_id: r.try_get::<Option<i64>, _>("ticket_id")?.map(TicketId::new),
        dossier: r.try_get("dossier_code")?,
        day: day_of(r)?,
        branch: r
            .try_get::<Option<String>, _>("branch_code")?
            .map(BranchCode::new),
        group: r.try_get("group_code")?,
        counter: r.try_get("counter")?,
        officer: r.try_get("officer")?,
        agency: r.try_get("agency_code")?,
        level: level_of(r)?,
        criteria,
        comment: r.try_get("comment")?,
        given_by: r.try_get("given_by")?,
        at: from_ms(r.try_get("at")?)?,
    })
}

/// Appends a rating on `conn` (a dossier's rating is written with its event).
pub(crate) async fn insert_rating(
    conn: &mut sqlx::AnyConnection,
    r: &Rating,
) -> Result<Rating, StoreError> {
    let score = |c: RatingCriterion| {
        r.criteria
            .iter()
            .find(|(x, _)| *x == c)
            .map(|(_, s)| i64::from(*s))
    };
    let row = sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO ratings (ticket_id, dossier_code, day, branch_code, group_code, counter, officer, \
         agency_code, level, resolution_time, contacts, agencies, attitude, comment, given_by, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
         RETURNING {RATING_COLUMNS}"
    )))
    .bind(r.ticket_id.map(TicketId::get))
    .bind(&r.dossier)
    .bind(day_s(r.day))
    .bind(r.branch.as_ref().map(|b| b.to_string()))
    .bind(&r.group)
    .bind(r.counter)
    .bind(&r.officer)
    .bind(&r.agency)
    .bind(r.level.as_str())
    .bind(score(RatingCriterion::ResolutionTime))
    .bind(score(RatingCriterion::Contacts))
    .bind(score(RatingCriterion::Agencies))
    .bind(score(RatingCriterion::Attitude))
    .bind(&r.comment)
    .bind(&r.given_by)
    .bind(ms(r.at))
    .fetch_one(&mut *conn)
    .await?;
    rating_from(&row)
}

/// Issues the next ticket of a group on `conn` (inside the caller's transaction).
async fn issue_on(
    conn: &mut sqlx::AnyConnection,
    branch: &BranchCode,
    group: &str,
    priority: Option<Priority>,
    slot_at: Option<DateTime<Utc>>,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Ticket, StoreError> {
    let prefix: String =
        sqlx::query("SELECT prefix FROM service_groups WHERE branch_code = $1 AND code = $2")
            .bind(branch.as_str())
            .bind(group)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_get("prefix")?;
    let day_s = day_s(day);
    let seq: i64 = sqlx::query(
        "INSERT INTO ticket_sequences (branch_code, group_code, day, last) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (branch_code, group_code, day) DO UPDATE SET last = ticket_sequences.last + 1 \
         RETURNING last",
    )
    .bind(branch.as_str())
    .bind(group)
    .bind(&day_s)
    .fetch_one(&mut *conn)
    .await?
    .try_get("last")?;
    let number = ticket_number(&prefix, u32::try_from(seq).unwrap_or(u32::MAX));
    let row = sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO tickets (branch_code, group_code, queue_group, day, seq, number, priority, slot_at, status, issued_at) \
         VALUES ($1, $2, $2, $3, $4, $5, $6, $7, 'waiting', $8) RETURNING {TICKET_COLUMNS}"
    )))
    .bind(branch.as_str())
    .bind(group)
    .bind(&day_s)
    .bind(seq)
    .bind(&number)
    .bind(priority.map(|p| p.as_str()))
    .bind(slot_at.map(ms))
    .bind(ms(now))
    .fetch_one(&mut *conn)
    .await?;
    ticket_from(&row)
}

#[async_trait]
impl Queue for SqlStore {
    async fn put_service_group(&self, g: &ServiceGroup) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO service_groups (branch_code, code, name, prefix) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (branch_code, code) DO UPDATE SET name = excluded.name, prefix = excluded.prefix",
        )
        .bind(g.branch.as_str())
        .bind(&g.code)
        .bind(&g.name)
        .bind(&g.prefix)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM group_counters WHERE branch_code = $1 AND group_code = $2")
            .bind(g.branch.as_str())
            .bind(&g.code)
            .execute(&mut *tx)
            .await?;
        for c in &g.counters {
            sqlx::query(
                "INSERT INTO group_counters (branch_code, group_code, counter) VALUES ($1, $2, $3)",
            )
            .bind(g.branch.as_str())
            .bind(&g.code)
            .bind(*c)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn service_groups(&self, branch: &BranchCode) -> Result<Vec<ServiceGroup>, StoreError> {
        let groups = sqlx::query(
            "SELECT code, name, prefix FROM service_groups WHERE branch_code = $1 ORDER BY code",
        )
        .bind(branch.as_str())
        .fetch_all(&self.reader)
        .await?;
        let counters = sqlx::query(
            "SELECT group_code, counter FROM group_counters WHERE branch_code = $1 ORDER BY counter",
        )
        .bind(branch.as_str())
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
                    branch: branch.clone(),
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
        branch: &BranchCode,
        group: &str,
        priority: Option<Priority>,
        slot_at: Option<DateTime<Utc>>,
        day: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Ticket, StoreError> {
        let mut tx = self.writer.begin().await?;
        let ticket = issue_on(&mut tx, branch, group, priority, slot_at, day, now).await?;
        tx.commit().await?;
        Ok(ticket)
    }

    async fn waiting_tickets(
        &self,
        branch: &BranchCode,
        groups: &[String],
        counter: Option<i64>,
        day: NaiveDate,
    ) -> Result<Vec<Ticket>, StoreError> {
        // `$3` is the counter (or -1, which no counter has); groups follow.
        let marks: Vec<String> = (0..groups.len()).map(|i| format!("${}", i + 4)).collect();
        let in_groups = if groups.is_empty() {
            "1 = 0".to_string()
        } else {
            format!("queue_group IN ({})", marks.join(", "))
        };
        let which = if counter.is_some() {
            format!(
                "((({in_groups}) AND (target_counter IS NULL OR target_counter = $3)) \
                 OR target_counter = $3)"
            )
        } else {
            format!("({in_groups}) AND $3 = $3")
        };
        let sql = format!(
            "SELECT {TICKET_COLUMNS} FROM tickets WHERE branch_code = $1 AND day = $2 \
             AND status = 'waiting' AND {which} ORDER BY issued_at, id"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(branch.as_str())
            .bind(day_s(day))
            .bind(counter.unwrap_or(-1));
        for g in groups {
            q = q.bind(g);
        }
        let rows = q.fetch_all(&self.writer).await?;
        rows.iter().map(ticket_from).collect()
    }

    async fn serving(
        &self,
        branch: &BranchCode,
        counter: i64,
    ) -> Result<Option<Ticket>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TICKET_COLUMNS} FROM tickets WHERE branch_code = $1 AND counter = $2 \
             AND status = 'called' ORDER BY called_at DESC, id DESC LIMIT 1"
        )))
        .bind(branch.as_str())
        .bind(counter)
        .fetch_optional(&self.writer)
        .await?;
        row.as_ref().map(ticket_from).transpose()
    }

    async fn recall(
        &self,
        id: TicketId,
        counter: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO ticket_calls (branch_code, ticket_id, number, group_code, counter, at) \
             SELECT branch_code, id, number, queue_group, counter, $1 FROM tickets \
             WHERE id = $2 AND counter = $3 AND status = 'called'",
        )
        .bind(ms(now))
        .bind(id.get())
        .bind(counter)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn end_service(
        &self,
        id: TicketId,
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
        .bind(id.get())
        .bind(counter)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
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
                    branch: BranchCode::new(r.try_get::<String, _>("branch_code")?),
                    ticket_id: TicketId::new(r.try_get("ticket_id")?),
                    number: r.try_get("number")?,
                    group: r.try_get("group_code")?,
                    counter: r.try_get("counter")?,
                    at: from_ms(r.try_get("at")?)?,
                })
            })
            .collect()
    }

    async fn ticket(&self, id: TicketId) -> Result<Option<Ticket>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1"
        )))
        .bind(id.get())
        .fetch_optional(&self.writer)
        .await?;
        row.as_ref().map(ticket_from).transpose()
    }

    async fn last_at_counter(
        &self,
        branch: &BranchCode,
        counter: i64,
    ) -> Result<Option<(Ticket, bool)>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TICKET_COLUMNS}, (SELECT COUNT(*) FROM ratings r WHERE r.ticket_id = tickets.id) AS rated \
             FROM tickets WHERE branch_code = $1 AND counter = $2 AND called_at IS NOT NULL \
             ORDER BY called_at DESC, id DESC LIMIT 1"
        )))
        .bind(branch.as_str())
        .bind(counter)
        .fetch_optional(&self.writer)
        .await?;
        row.map(|r| Ok((ticket_from(&r)?, r.try_get::<i64, _>("rated")? > 0)))
            .transpose()
    }

    async fn serving_by(&self, officer: &str) -> Result<Option<Ticket>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TICKET_COLUMNS} FROM tickets WHERE officer = $1 AND status = 'called' \
             ORDER BY called_at DESC, id DESC LIMIT 1"
        )))
        .bind(officer)
        .fetch_optional(&self.writer)
        .await?;
        row.as_ref().map(ticket_from).transpose()
    }

    async fn transfer_ticket(
        &self,
        id: TicketId,
        counter: i64,
        group: &str,
        target: Option<i64>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE tickets SET status = 'waiting', queue_group = $1, target_counter = $2, \
             counter = NULL, officer = NULL, called_at = NULL, transfers = transfers + 1 \
             WHERE id = $3 AND counter = $4 AND status = 'called' \
             AND EXISTS (SELECT 1 FROM service_groups g WHERE g.branch_code = tickets.branch_code AND g.code = $1)",
        )
        .bind(group)
        .bind(target)
        .bind(id.get())
        .bind(counter)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn link_ticket(&self, id: TicketId, dossier: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE tickets SET dossier_code = $1 WHERE id = $2")
            .bind(dossier)
            .bind(id.get())
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn day_load(&self, day: NaiveDate) -> Result<Vec<GroupLoad>, StoreError> {
        let day = day_s(day);
        let counts = sqlx::query(
            "SELECT branch_code, queue_group, \
             SUM(CASE WHEN status = 'waiting' THEN 1 ELSE 0 END) AS waiting, \
             SUM(CASE WHEN status = 'called' THEN 1 ELSE 0 END) AS serving \
             FROM tickets WHERE day = $1 GROUP BY branch_code, queue_group",
        )
        .bind(&day)
        .fetch_all(&self.reader)
        .await?;
        let served = sqlx::query(
            "SELECT branch_code, queue_group, called_at, ended_at FROM tickets \
             WHERE day = $1 AND status = 'done' ORDER BY ended_at DESC",
        )
        .bind(&day)
        .fetch_all(&self.reader)
        .await?;
        let mut out: Vec<GroupLoad> = counts
            .iter()
            .map(|r| {
                Ok(GroupLoad {
                    branch: BranchCode::new(r.try_get::<String, _>("branch_code")?),
                    group: r.try_get("queue_group")?,
                    waiting: r.try_get::<Option<i64>, _>("waiting")?.unwrap_or(0),
                    serving: r.try_get::<Option<i64>, _>("serving")?.unwrap_or(0),
                    service_secs: Vec::new(),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        for r in &served {
            let (b, g): (String, String) = (r.try_get("branch_code")?, r.try_get("queue_group")?);
            let (a, e): (Option<i64>, Option<i64>) =
                (r.try_get("called_at")?, r.try_get("ended_at")?);
            if let Some(load) = out
                .iter_mut()
                .find(|l| l.branch.as_str() == b && l.group == g)
                && load.service_secs.len() < 50
            {
                load.service_secs
                    .push((e.unwrap_or(0) - a.unwrap_or(0)).max(0) / 1000);
            }
        }
        Ok(out)
    }

    async fn book_appointment(&self, a: &Appointment, capacity: i64) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        // Conditional upsert: the row's count goes up only while below capacity, so two
        // bookings of the last place cannot both succeed.
        let counted = sqlx::query(
            "INSERT INTO appointment_slots (branch_code, group_code, slot_at, booked) \
             SELECT $1, $2, $3, 1 WHERE $4 > 0 \
             ON CONFLICT (branch_code, group_code, slot_at) DO UPDATE \
             SET booked = appointment_slots.booked + 1 WHERE appointment_slots.booked < $4",
        )
        .bind(a.branch.as_str())
        .bind(&a.group)
        .bind(ms(a.slot_at))
        .bind(capacity)
        .execute(&mut *tx)
        .await?;
        if counted.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO appointments ({APPOINTMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )))
        .bind(&a.code)
        .bind(a.branch.as_str())
        .bind(&a.group)
        .bind(ms(a.slot_at))
        .bind(a.minutes)
        .bind(&a.name)
        .bind(&a.phone)
        .bind(a.status.as_str())
        .bind(ms(a.created_at))
        .bind(a.ticket_id.map(TicketId::get))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn appointment(&self, code: &str) -> Result<Option<Appointment>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE code = $1"
        )))
        .bind(code)
        .fetch_optional(&self.writer)
        .await?;
        row.as_ref().map(appointment_from).transpose()
    }

    async fn slot_bookings(
        &self,
        branch: &BranchCode,
        group: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT slot_at, booked FROM appointment_slots WHERE branch_code = $1 AND group_code = $2 \
             AND slot_at >= $3 AND slot_at < $4 ORDER BY slot_at",
        )
        .bind(branch.as_str())
        .bind(group)
        .bind(ms(from))
        .bind(ms(to))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| Ok((from_ms(r.try_get("slot_at")?)?, r.try_get("booked")?)))
            .collect()
    }

    async fn cancel_appointment(&self, code: &str) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        let done = sqlx::query(
            "UPDATE appointments SET status = 'cancelled' WHERE code = $1 AND status = 'booked'",
        )
        .bind(code)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE appointment_slots SET booked = booked - 1 WHERE booked > 0 AND \
             (branch_code, group_code, slot_at) = \
             (SELECT branch_code, group_code, slot_at FROM appointments WHERE code = $1)",
        )
        .bind(code)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn check_in(
        &self,
        code: &str,
        day: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Ticket, StoreError> {
        let mut tx = self.writer.begin().await?;
        let claimed = sqlx::query(
            "UPDATE appointments SET status = 'checked_in' WHERE code = $1 AND status = 'booked'",
        )
        .bind(code)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        let a = sqlx::query(AssertSqlSafe(format!(
            "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE code = $1"
        )))
        .bind(code)
        .fetch_one(&mut *tx)
        .await?;
        let a = appointment_from(&a)?;
        let ticket = issue_on(
            &mut tx,
            &a.branch,
            &a.group,
            None,
            Some(a.slot_at),
            day,
            now,
        )
        .await?;
        sqlx::query("UPDATE appointments SET ticket_id = $1 WHERE code = $2")
            .bind(ticket.id.get())
            .bind(code)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(ticket)
    }

    async fn add_rating(&self, r: &Rating) -> Result<Rating, StoreError> {
        let mut conn = self.writer.acquire().await?;
        insert_rating(&mut conn, r).await
    }

    async fn ratings_since(&self, after: i64, limit: u32) -> Result<Vec<Rating>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {RATING_COLUMNS} FROM ratings WHERE id > $1 ORDER BY id LIMIT $2"
        )))
        .bind(after)
        .bind(i64::from(limit.clamp(1, 1000)))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(rating_from).collect()
    }

    async fn last_rating_id(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COALESCE(MAX(id), 0) AS last FROM ratings")
            .fetch_one(&self.reader)
            .await?;
        Ok(row.try_get("last")?)
    }

    async fn rating_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<RatingCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT day, branch_code, group_code, counter, officer, agency_code, level, COUNT(*) AS n, \
             CAST(SUM(resolution_time) AS BIGINT) AS resolution_time_sum, COUNT(resolution_time) AS resolution_time_n, \
             CAST(SUM(contacts) AS BIGINT) AS contacts_sum, COUNT(contacts) AS contacts_n, \
             CAST(SUM(agencies) AS BIGINT) AS agencies_sum, COUNT(agencies) AS agencies_n, \
             CAST(SUM(attitude) AS BIGINT) AS attitude_sum, COUNT(attitude) AS attitude_n \
             FROM ratings WHERE day >= $1 AND day <= $2 \
             GROUP BY day, branch_code, group_code, counter, officer, agency_code, level \
             ORDER BY day",
        )
        .bind(day_s(from))
        .bind(day_s(to))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                let mut criteria = Vec::new();
                for c in RatingCriterion::ALL {
                    let n: i64 = r.try_get(format!("{}_n", c.as_str()).as_str())?;
                    if n > 0 {
                        let sum: Option<i64> = r.try_get(format!("{}_sum", c.as_str()).as_str())?;
                        criteria.push((c, sum.unwrap_or(0).max(0) as u64, n as u64));
                    }
                }
                Ok(RatingCount {
                    day: day_of(r)?,
                    branch: r
                        .try_get::<Option<String>, _>("branch_code")?
                        .map(BranchCode::new),
                    group: r.try_get("group_code")?,
                    counter: r.try_get("counter")?,
                    officer: r.try_get("officer")?,
                    agency: r.try_get("agency_code")?,
                    level: level_of(r)?,
                    count: r.try_get::<i64, _>("n")?.max(0) as u64,
                    criteria,
                })
            })
            .collect()
    }

    async fn ticket_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        branch: Option<&str>,
    ) -> Result<Vec<TicketCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT day, branch_code, queue_group, counter, officer, COUNT(*) AS issued, \
             SUM(CASE WHEN status = 'waiting' THEN 1 ELSE 0 END) AS waiting, \
             SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END) AS served, \
             SUM(CASE WHEN status = 'no_show' THEN 1 ELSE 0 END) AS no_shows, \
             CAST(SUM(CASE WHEN called_at IS NOT NULL THEN called_at - issued_at ELSE 0 END) AS BIGINT) AS wait_ms, \
             CAST(SUM(CASE WHEN status = 'done' THEN ended_at - called_at ELSE 0 END) AS BIGINT) AS service_ms \
             FROM tickets WHERE day >= $1 AND day <= $2 AND ($3 = '' OR branch_code = $3) \
             GROUP BY day, branch_code, queue_group, counter, officer ORDER BY day, branch_code, queue_group",
        )
        .bind(day_s(from))
        .bind(day_s(to))
        .bind(branch.unwrap_or(""))
        .fetch_all(&self.reader)
        .await?;
        let n = |r: &AnyRow, col: &str| -> Result<i64, StoreError> {
            Ok(r.try_get::<Option<i64>, _>(col)?.unwrap_or(0))
        };
        rows.iter()
            .map(|r| {
                Ok(TicketCount {
                    day: day_of(r)?,
                    branch: BranchCode::new(r.try_get::<String, _>("branch_code")?),
                    group: r.try_get("queue_group")?,
                    counter: r.try_get("counter")?,
                    officer: r.try_get("officer")?,
                    issued: n(r, "issued")?.max(0) as u64,
                    waiting: n(r, "waiting")?.max(0) as u64,
                    served: n(r, "served")?.max(0) as u64,
                    no_shows: n(r, "no_shows")?.max(0) as u64,
                    wait_secs: n(r, "wait_ms")? / 1000,
                    service_secs: n(r, "service_ms")? / 1000,
                })
            })
            .collect()
    }

    async fn claim_ticket(
        &self,
        id: TicketId,
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
        .bind(id.get())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO ticket_calls (branch_code, ticket_id, number, group_code, counter, at) \
             SELECT branch_code, id, number, queue_group, $1, $2 FROM tickets WHERE id = $3",
        )
        .bind(counter)
        .bind(ms(now))
        .bind(id.get())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}

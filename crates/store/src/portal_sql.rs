//! [`Portal`] on SQLite and PostgreSQL, with the same `Any` connections as the rest. Column
//! lists are constants spliced into the statements; every value is a bound parameter.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::ids::{CitizenId, DossierCode, DraftId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::contract::Backend;
use crate::error::StoreError;
use crate::model::{DossierRecord, NewDossier};
use crate::portal::*;
use crate::sql::{SqlStore, from_ms, ms, parse, record_from};

const CITIZEN_COLUMNS: &str = "id, email, phone, password_hash, verified_at, full_name, cccd, birth_date, \
     province_code, ward_code, address_line, lang, created_at";
const SESSION_COLUMNS: &str =
    "token_hash, citizen_id, csrf, created_at, last_seen_at, expires_at, user_agent, revoked_at";
const ATTACHMENT_COLUMNS: &str = "id, citizen_id, draft_id, dossier_code, document, file_name, content_type, \
     size, sha256, created_at, reused_from";
const PAYMENT_COLUMNS: &str = "txn_ref, dossier_code, amount, status, created_at, paid_at, gateway_txn, \
     bank_code, response_code";

/// A claimed idempotency key still without an answer after this long belongs to a request
/// that died (requests time out after 30 s); the key is free again.
const UNANSWERED_MS: i64 = 60_000;

fn opt_ms(row: &AnyRow, col: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    row.try_get::<Option<i64>, _>(col)?.map(from_ms).transpose()
}

fn citizen_from(r: &AnyRow) -> Result<Citizen, StoreError> {
    let birth: Option<String> = r.try_get("birth_date")?;
    Ok(Citizen {
        id: CitizenId::new(r.try_get::<String, _>("id")?),
        email: r.try_get("email")?,
        phone: r.try_get("phone")?,
        password_hash: r.try_get("password_hash")?,
        verified_at: opt_ms(r, "verified_at")?,
        full_name: r.try_get("full_name")?,
        cccd: r.try_get("cccd")?,
        birth_date: birth
            .map(|b| {
                NaiveDate::parse_from_str(&b, "%Y-%m-%d")
                    .map_err(|_| StoreError::Corrupt(format!("birth date {b:?}")))
            })
            .transpose()?,
        province_code: r.try_get("province_code")?,
        ward_code: r.try_get("ward_code")?,
        address_line: r.try_get("address_line")?,
        lang: parse("language", &r.try_get::<String, _>("lang")?)?,
        created_at: from_ms(r.try_get("created_at")?)?,
    })
}

fn session_from(r: &AnyRow) -> Result<CitizenSession, StoreError> {
    Ok(CitizenSession {
        token_hash: r.try_get("token_hash")?,
        citizen_id: CitizenId::new(r.try_get::<String, _>("citizen_id")?),
        csrf: r.try_get("csrf")?,
        created_at: from_ms(r.try_get("created_at")?)?,
        last_seen_at: from_ms(r.try_get("last_seen_at")?)?,
        expires_at: from_ms(r.try_get("expires_at")?)?,
        user_agent: r.try_get("user_agent")?,
        revoked_at: opt_ms(r, "revoked_at")?,
    })
}

fn draft_from(r: &AnyRow) -> Result<Draft, StoreError> {
    Ok(Draft {
        id: DraftId::new(r.try_get::<String, _>("id")?),
        citizen_id: CitizenId::new(r.try_get::<String, _>("citizen_id")?),
        procedure_code: r.try_get("procedure_code")?,
        answers: serde_json::from_str(&r.try_get::<String, _>("answers")?)?,
        created_at: from_ms(r.try_get("created_at")?)?,
        updated_at: from_ms(r.try_get("updated_at")?)?,
        dossier_code: r.try_get("dossier_code")?,
    })
}

fn attachment_from(r: &AnyRow) -> Result<Attachment, StoreError> {
    Ok(Attachment {
        id: r.try_get("id")?,
        citizen_id: CitizenId::new(r.try_get::<String, _>("citizen_id")?),
        draft_id: r
            .try_get::<Option<String>, _>("draft_id")?
            .map(DraftId::new),
        dossier_code: r.try_get("dossier_code")?,
        document: r.try_get("document")?,
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        created_at: from_ms(r.try_get("created_at")?)?,
        reused_from: r.try_get("reused_from")?,
    })
}

fn payment_from(r: &AnyRow) -> Result<Payment, StoreError> {
    Ok(Payment {
        txn_ref: r.try_get("txn_ref")?,
        dossier_code: r.try_get("dossier_code")?,
        amount: r.try_get("amount")?,
        status: parse("payment status", &r.try_get::<String, _>("status")?)?,
        created_at: from_ms(r.try_get("created_at")?)?,
        paid_at: opt_ms(r, "paid_at")?,
        gateway_txn: r.try_get("gateway_txn")?,
        bank_code: r.try_get("bank_code")?,
        response_code: r.try_get("response_code")?,
    })
}

impl SqlStore {
    async fn upsert_code(
        &self,
        conn: &mut AnyConnection,
        code: &OneTimeCode,
        message: &Message,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO citizen_codes (citizen_id, purpose, code_hash, expires_at, attempts) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (citizen_id, purpose) DO UPDATE SET \
             code_hash = excluded.code_hash, expires_at = excluded.expires_at, attempts = excluded.attempts",
        )
        .bind(code.citizen_id.as_str())
        .bind(code.purpose.as_str())
        .bind(&code.code_hash)
        .bind(ms(code.expires_at))
        .bind(code.attempts)
        .execute(&mut *conn)
        .await?;
        let now = ms(message.at);
        sqlx::query(
            "INSERT INTO outbox (event_seq, topic, payload, created_at, next_attempt_at) VALUES (0, $1, $2, $3, $4)",
        )
        .bind(&message.topic)
        .bind(serde_json::to_string(&message.payload)?)
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Holds the citizen's row until the transaction ends, so that a quota's count and the
    /// write it allows are not interleaved with another request's (PostgreSQL; SQLite's one
    /// writer serialises transactions already).
    async fn lock_citizen(
        &self,
        conn: &mut AnyConnection,
        citizen: &CitizenId,
    ) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT id FROM citizens WHERE id = $1 FOR UPDATE")
                .bind(citizen.as_str())
                .fetch_optional(&mut *conn)
                .await?;
        }
        Ok(())
    }

    async fn list_attachments(
        &self,
        column: &str,
        value: &str,
    ) -> Result<Vec<Attachment>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE {column} = $1 ORDER BY created_at DESC, id"
        )))
        .bind(value)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(attachment_from).collect()
    }
}

#[async_trait]
impl Portal for SqlStore {
    async fn create_citizen(
        &self,
        c: &Citizen,
        code: &OneTimeCode,
        message: &Message,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO citizens ({CITIZEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        )))
        .bind(c.id.as_str())
        .bind(c.email.clone())
        .bind(c.phone.clone())
        .bind(&c.password_hash)
        .bind(c.verified_at.map(ms))
        .bind(&c.full_name)
        .bind(c.cccd.clone())
        .bind(c.birth_date.map(|d| d.format("%Y-%m-%d").to_string()))
        .bind(c.province_code.clone())
        .bind(c.ward_code.clone())
        .bind(c.address_line.clone())
        .bind(c.lang.code())
        .bind(ms(c.created_at))
        .execute(&mut *tx)
        .await?;
        self.upsert_code(&mut tx, code, message).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn citizen(&self, id: &CitizenId) -> Result<Option<Citizen>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CITIZEN_COLUMNS} FROM citizens WHERE id = $1"
        )))
        .bind(id.as_str())
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(citizen_from).transpose()
    }

    async fn citizen_by_login(&self, login: &str) -> Result<Option<Citizen>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CITIZEN_COLUMNS} FROM citizens WHERE email = $1 OR phone = $1"
        )))
        .bind(login)
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(citizen_from).transpose()
    }

    async fn put_citizen(&self, c: &Citizen) -> Result<(), StoreError> {
        let updated = sqlx::query(
            "UPDATE citizens SET email = $1, phone = $2, password_hash = $3, verified_at = $4, full_name = $5, \
             cccd = $6, birth_date = $7, province_code = $8, ward_code = $9, address_line = $10, lang = $11 \
             WHERE id = $12",
        )
        .bind(c.email.clone())
        .bind(c.phone.clone())
        .bind(&c.password_hash)
        .bind(c.verified_at.map(ms))
        .bind(&c.full_name)
        .bind(c.cccd.clone())
        .bind(c.birth_date.map(|d| d.format("%Y-%m-%d").to_string()))
        .bind(c.province_code.clone())
        .bind(c.ward_code.clone())
        .bind(c.address_line.clone())
        .bind(c.lang.code())
        .bind(c.id.as_str())
        .execute(&self.writer)
        .await?
        .rows_affected();
        if updated == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    async fn issue_code(&self, code: &OneTimeCode, message: &Message) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        self.upsert_code(&mut tx, code, message).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn one_time_code(
        &self,
        citizen_id: &CitizenId,
        purpose: CodePurpose,
    ) -> Result<Option<OneTimeCode>, StoreError> {
        let row = sqlx::query(
            "SELECT code_hash, expires_at, attempts FROM citizen_codes WHERE citizen_id = $1 AND purpose = $2",
        )
        .bind(citizen_id.as_str())
        .bind(purpose.as_str())
        .fetch_optional(&self.writer)
        .await?;
        row.map(|r| {
            Ok(OneTimeCode {
                citizen_id: citizen_id.clone(),
                purpose,
                code_hash: r.try_get("code_hash")?,
                expires_at: from_ms(r.try_get("expires_at")?)?,
                attempts: r.try_get("attempts")?,
            })
        })
        .transpose()
    }

    async fn count_code_attempt(
        &self,
        citizen_id: &CitizenId,
        purpose: CodePurpose,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE citizen_codes SET attempts = attempts + 1 WHERE citizen_id = $1 AND purpose = $2",
        )
        .bind(citizen_id.as_str())
        .bind(purpose.as_str())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn delete_code(
        &self,
        citizen_id: &CitizenId,
        purpose: CodePurpose,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM citizen_codes WHERE citizen_id = $1 AND purpose = $2")
            .bind(citizen_id.as_str())
            .bind(purpose.as_str())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn create_session(&self, s: &CitizenSession) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM citizen_sessions WHERE expires_at < $1")
            .bind(ms(s.created_at))
            .execute(&mut *tx)
            .await?;
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO citizen_sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )))
        .bind(&s.token_hash)
        .bind(s.citizen_id.as_str())
        .bind(&s.csrf)
        .bind(ms(s.created_at))
        .bind(ms(s.last_seen_at))
        .bind(ms(s.expires_at))
        .bind(&s.user_agent)
        .bind(s.revoked_at.map(ms))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<CitizenSession>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {SESSION_COLUMNS} FROM citizen_sessions WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2"
        )))
        .bind(token_hash)
        .bind(ms(now))
        .fetch_optional(&self.writer)
        .await?;
        row.as_ref().map(session_from).transpose()
    }

    async fn touch_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE citizen_sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3 AND revoked_at IS NULL",
        )
        .bind(ms(now))
        .bind(ms(expires_at))
        .bind(token_hash)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn citizen_sessions(
        &self,
        citizen_id: &CitizenId,
        now: DateTime<Utc>,
    ) -> Result<Vec<CitizenSession>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {SESSION_COLUMNS} FROM citizen_sessions WHERE citizen_id = $1 AND revoked_at IS NULL \
             AND expires_at > $2 ORDER BY last_seen_at DESC"
        )))
        .bind(citizen_id.as_str())
        .bind(ms(now))
        .fetch_all(&self.writer)
        .await?;
        rows.iter().map(session_from).collect()
    }

    async fn revoke_session(
        &self,
        citizen_id: &CitizenId,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let n = sqlx::query(
            "UPDATE citizen_sessions SET revoked_at = $1 WHERE citizen_id = $2 AND token_hash = $3 AND revoked_at IS NULL",
        )
        .bind(ms(now))
        .bind(citizen_id.as_str())
        .bind(token_hash)
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    async fn revoke_sessions(
        &self,
        citizen_id: &CitizenId,
        keep: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE citizen_sessions SET revoked_at = $1 WHERE citizen_id = $2 AND revoked_at IS NULL AND token_hash <> $3",
        )
        .bind(ms(now))
        .bind(citizen_id.as_str())
        .bind(keep.unwrap_or(""))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn put_draft(&self, d: &Draft) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO drafts (id, citizen_id, procedure_code, answers, created_at, updated_at, dossier_code) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET answers = excluded.answers, \
             updated_at = excluded.updated_at WHERE drafts.dossier_code IS NULL",
        )
        .bind(d.id.as_str())
        .bind(d.citizen_id.as_str())
        .bind(&d.procedure_code)
        .bind(serde_json::to_string(&d.answers)?)
        .bind(ms(d.created_at))
        .bind(ms(d.updated_at))
        .bind(d.dossier_code.clone())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn draft(&self, id: &DraftId) -> Result<Option<Draft>, StoreError> {
        let row = sqlx::query(
            "SELECT id, citizen_id, procedure_code, answers, created_at, updated_at, dossier_code FROM drafts WHERE id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&self.writer)
        .await?;
        row.as_ref().map(draft_from).transpose()
    }

    async fn citizen_drafts(&self, citizen_id: &CitizenId) -> Result<Vec<Draft>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, citizen_id, procedure_code, answers, created_at, updated_at, dossier_code FROM drafts \
             WHERE citizen_id = $1 AND dossier_code IS NULL ORDER BY updated_at DESC",
        )
        .bind(citizen_id.as_str())
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(draft_from).collect()
    }

    async fn delete_draft(&self, id: &DraftId) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM attachments WHERE draft_id = $1 AND dossier_code IS NULL")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM drafts WHERE id = $1 AND dossier_code IS NULL")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn submit_draft(
        &self,
        draft_id: &DraftId,
        new: &NewDossier,
    ) -> Result<DossierRecord, StoreError> {
        let (draft_id, new) = (draft_id.to_string(), new.clone());
        self.chain
            .write_simple(move |l| {
                Box::pin(async move {
                    let row = sqlx::query("SELECT dossier_code FROM drafts WHERE id = $1")
                        .bind(&draft_id)
                        .fetch_optional(l.conn())
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    if let Some(code) = row.try_get::<Option<String>, _>("dossier_code")? {
                        return Err(StoreError::Duplicate(code));
                    }
                    let record =
                        crate::record::insert_dossiers(l, std::slice::from_ref(&new), true)
                            .await?
                            .pop()
                            .ok_or_else(|| StoreError::Corrupt("no dossier made".into()))?;
                    let code = record.code.to_string();
                    sqlx::query(
                        "UPDATE drafts SET dossier_code = $1, updated_at = $2 WHERE id = $3",
                    )
                    .bind(&code)
                    .bind(ms(Utc::now()))
                    .bind(&draft_id)
                    .execute(l.conn())
                    .await?;
                    sqlx::query("UPDATE attachments SET dossier_code = $1 WHERE draft_id = $2")
                        .bind(&code)
                        .bind(&draft_id)
                        .execute(l.conn())
                        .await?;
                    Ok(record)
                })
            })
            .await
    }

    async fn create_draft(&self, d: &Draft, max_open: i64) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        self.lock_citizen(&mut tx, &d.citizen_id).await?;
        let open: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM drafts WHERE citizen_id = $1 AND dossier_code IS NULL",
        )
        .bind(d.citizen_id.as_str())
        .fetch_one(&mut *tx)
        .await?;
        if open >= max_open {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO drafts (id, citizen_id, procedure_code, answers, created_at, updated_at, dossier_code) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL)",
        )
        .bind(d.id.as_str())
        .bind(d.citizen_id.as_str())
        .bind(&d.procedure_code)
        .bind(serde_json::to_string(&d.answers)?)
        .bind(ms(d.created_at))
        .bind(ms(d.updated_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn put_attachment(
        &self,
        a: &Attachment,
        quota: &AttachmentQuota,
    ) -> Result<QuotaCheck, StoreError> {
        let mut tx = self.writer.begin().await?;
        self.lock_citizen(&mut tx, &a.citizen_id).await?;
        let (column, owner) = match (&a.draft_id, &a.dossier_code) {
            (Some(d), _) => ("draft_id", d.as_str().to_string()),
            (None, Some(code)) => ("dossier_code", code.clone()),
            (None, None) => return Err(StoreError::MissingReference("attachment owner".into())),
        };
        let files: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT count(*) FROM attachments WHERE {column} = $1"
        )))
        .bind(&owner)
        .fetch_one(&mut *tx)
        .await?;
        if files + 1 > quota.files {
            return Ok(QuotaCheck::TooManyFiles);
        }
        if a.dossier_code.is_none() {
            let held: i64 = sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM attachments \
                 WHERE citizen_id = $1 AND dossier_code IS NULL",
            )
            .bind(a.citizen_id.as_str())
            .fetch_one(&mut *tx)
            .await?;
            if held + a.size > quota.draft_bytes {
                return Ok(QuotaCheck::TooManyBytes);
            }
        }
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO attachments ({ATTACHMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        )))
        .bind(&a.id)
        .bind(a.citizen_id.as_str())
        .bind(a.draft_id.as_ref().map(|d| d.as_str().to_string()))
        .bind(a.dossier_code.clone())
        .bind(&a.document)
        .bind(&a.file_name)
        .bind(&a.content_type)
        .bind(a.size)
        .bind(&a.sha256)
        .bind(ms(a.created_at))
        .bind(a.reused_from.clone())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(QuotaCheck::Stored)
    }

    async fn attachment(&self, id: &str) -> Result<Option<Attachment>, StoreError> {
        Ok(self.list_attachments("id", id).await?.into_iter().next())
    }

    async fn draft_attachments(&self, draft_id: &DraftId) -> Result<Vec<Attachment>, StoreError> {
        self.list_attachments("draft_id", draft_id.as_str()).await
    }

    async fn dossier_attachments(&self, code: &DossierCode) -> Result<Vec<Attachment>, StoreError> {
        self.list_attachments("dossier_code", &code.to_string())
            .await
    }

    async fn citizen_attachments(
        &self,
        citizen_id: &CitizenId,
    ) -> Result<Vec<Attachment>, StoreError> {
        self.list_attachments("citizen_id", citizen_id.as_str())
            .await
    }

    async fn delete_attachment(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM attachments WHERE id = $1 AND dossier_code IS NULL")
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn owner_dossiers(&self, owner: &CitizenId) -> Result<Vec<DossierRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT code, version, state, form FROM dossiers WHERE owner = $1 ORDER BY submitted_at DESC, code DESC",
        )
        .bind(owner.as_str())
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(record_from).collect()
    }

    async fn put_payment(
        &self,
        p: &Payment,
        stale_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "UPDATE payments SET status = 'expired' \
             WHERE dossier_code = $1 AND status = 'pending' AND created_at < $2",
        )
        .bind(&p.dossier_code)
        .bind(ms(stale_before))
        .execute(&mut *tx)
        .await?;
        // The partial unique index on pending payments refuses a second one.
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO payments ({PAYMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        )))
        .bind(&p.txn_ref)
        .bind(&p.dossier_code)
        .bind(p.amount)
        .bind(p.status.as_str())
        .bind(ms(p.created_at))
        .bind(p.paid_at.map(ms))
        .bind(p.gateway_txn.clone())
        .bind(p.bank_code.clone())
        .bind(p.response_code.clone())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn payment(&self, txn_ref: &str) -> Result<Option<Payment>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments WHERE txn_ref = $1"
        )))
        .bind(txn_ref)
        .fetch_optional(&self.writer)
        .await?;
        row.as_ref().map(payment_from).transpose()
    }

    async fn dossier_payments(&self, code: &DossierCode) -> Result<Vec<Payment>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments WHERE dossier_code = $1 ORDER BY created_at"
        )))
        .bind(code.to_string())
        .fetch_all(&self.writer)
        .await?;
        rows.iter().map(payment_from).collect()
    }

    async fn settle_payment(&self, txn_ref: &str, s: &Settlement) -> Result<bool, StoreError> {
        let n = sqlx::query(
            "UPDATE payments SET status = $1, paid_at = $2, gateway_txn = $3, bank_code = $4, response_code = $5 \
             WHERE txn_ref = $6 AND status IN ('pending', 'expired')",
        )
        .bind(s.status.as_str())
        .bind(ms(s.at))
        .bind(&s.gateway_txn)
        .bind(&s.bank_code)
        .bind(&s.response_code)
        .bind(txn_ref)
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    async fn pending_payments(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Payment>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments WHERE status = 'pending' AND created_at < $1 \
             ORDER BY created_at LIMIT $2"
        )))
        .bind(ms(before))
        .bind(i64::from(limit))
        .fetch_all(&self.writer)
        .await?;
        rows.iter().map(payment_from).collect()
    }

    async fn claim_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
        expired_before: DateTime<Utc>,
    ) -> Result<IdempotencyClaim, StoreError> {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 \
             AND (created_at < $3 OR (status IS NULL AND created_at < $4))",
        )
        .bind(scope)
        .bind(key)
        .bind(ms(expired_before))
        .bind(ms(now) - UNANSWERED_MS)
        .execute(&self.writer)
        .await?;
        // A key released between the insert and the read is tried again.
        for _ in 0..3 {
            let inserted = sqlx::query(
                "INSERT INTO idempotency_keys (scope, key, request_hash, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(scope)
            .bind(key)
            .bind(request_hash)
            .bind(ms(now))
            .execute(&self.writer)
            .await?
            .rows_affected();
            if inserted == 1 {
                return Ok(IdempotencyClaim::New);
            }
            let row = sqlx::query(
                "SELECT request_hash, status, response FROM idempotency_keys \
                 WHERE scope = $1 AND key = $2",
            )
            .bind(scope)
            .bind(key)
            .fetch_optional(&self.writer)
            .await?;
            if let Some(row) = row {
                let status: Option<i64> = row.try_get("status")?;
                let response: Option<String> = row.try_get("response")?;
                return Ok(IdempotencyClaim::Seen {
                    request_hash: row.try_get("request_hash")?,
                    answer: status
                        .zip(response)
                        .map(|(s, r)| (u16::try_from(s).unwrap_or(500), r)),
                });
            }
        }
        Err(StoreError::Unavailable(
            "an idempotency key kept changing hands".into(),
        ))
    }

    async fn finish_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        status: u16,
        response: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE idempotency_keys SET status = $1, response = $2 WHERE scope = $3 AND key = $4",
        )
        .bind(i64::from(status))
        .bind(response)
        .bind(scope)
        .bind(key)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn release_idempotency_key(&self, scope: &str, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2")
            .bind(scope)
            .bind(key)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn prune_idempotency_keys(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(
            sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
                .bind(ms(before))
                .execute(&self.writer)
                .await?
                .rows_affected(),
        )
    }
}

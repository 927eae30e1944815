//! [`Questions`] on SQLite and PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use motcua_domain::facts::local_day;
use motcua_domain::ids::{PaknCode, ProcedureCode, QuestionCode};
use motcua_domain::questions::QuestionState;
use motcua_domain::text::fold;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use std::sync::atomic::Ordering;

use crate::error::StoreError;
use crate::model::Delivery;
use crate::questions::*;
use crate::sql::{SqlStore, from_ms, ms, parse};

const COLUMNS: &str = "code, asked_at, channel, received_by, name, phone, email, procedure_code, \
     agency_code, question, state, answer_due_at, answer, answered_at, answered_by, published_at, \
     petition_code, lang";

/// A stored language code; Vietnamese for anything else.
fn lang_from(code: &str) -> motcua_domain::Lang {
    match code {
        "en" => motcua_domain::Lang::En,
        _ => motcua_domain::Lang::Vi,
    }
}

fn row_from(r: &AnyRow) -> Result<QuestionRow, StoreError> {
    let time = |c: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
        r.try_get::<Option<i64>, _>(c)?.map(from_ms).transpose()
    };
    let optional = |c: &str| -> Result<Option<String>, StoreError> { Ok(r.try_get(c)?) };
    let state: String = r.try_get("state")?;
    Ok(QuestionRow {
        code: parse("question code", &r.try_get::<String, _>("code")?)?,
        asked_at: from_ms(r.try_get("asked_at")?)?,
        asked: NewQuestion {
            channel: r.try_get("channel")?,
            received_by: r.try_get("received_by")?,
            name: r.try_get("name")?,
            phone: optional("phone")?.map(|p| parse("phone", &p)).transpose()?,
            email: r.try_get("email")?,
            procedure: optional("procedure_code")?
                .map(|p| parse::<ProcedureCode>("procedure code", &p))
                .transpose()?,
            agency: parse("agency code", &r.try_get::<String, _>("agency_code")?)?,
            question: r.try_get("question")?,
            lang: lang_from(&r.try_get::<String, _>("lang")?),
        },
        state: QuestionState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("question state {state:?}")))?,
        answer_due_at: from_ms(r.try_get("answer_due_at")?)?,
        answer: r.try_get("answer")?,
        answered_at: time("answered_at")?,
        answered_by: r.try_get("answered_by")?,
        published_at: time("published_at")?,
        petition: optional("petition_code")?
            .map(|p| parse::<PaknCode>("petition code", &p))
            .transpose()?,
    })
}

impl SqlStore {
    async fn read_question(&self, code: &QuestionCode) -> Result<Option<QuestionRow>, StoreError> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM questions WHERE code = $1"
        )))
        .bind(code.to_string())
        .fetch_optional(&self.writer)
        .await?
        .as_ref()
        .map(row_from)
        .transpose()
    }

    /// The question after an update that touched `changed` rows: `NotFound` when there is
    /// none, `Conflict` when it was no longer open.
    async fn after_update(
        &self,
        code: &QuestionCode,
        changed: u64,
    ) -> Result<QuestionRow, StoreError> {
        let row = self
            .read_question(code)
            .await?
            .ok_or(StoreError::NotFound)?;
        if changed == 0 {
            return Err(StoreError::Conflict {
                expected: 0,
                found: 1,
            });
        }
        Ok(row)
    }
}

#[async_trait]
impl Questions for SqlStore {
    async fn ask_question(
        &self,
        q: &NewQuestion,
        at: DateTime<Utc>,
        due: DateTime<Utc>,
    ) -> Result<QuestionRow, StoreError> {
        let mut tx = self.writer.begin().await?;
        let day = local_day(at);
        let last: i64 = sqlx::query(
            "INSERT INTO question_sequences (day, last) VALUES ($1, 1) \
             ON CONFLICT (day) DO UPDATE SET last = question_sequences.last + 1 \
             RETURNING last",
        )
        .bind(day.format("%Y-%m-%d").to_string())
        .fetch_one(&mut *tx)
        .await?
        .try_get("last")?;
        let code = u32::try_from(last)
            .ok()
            .and_then(|n| QuestionCode::new(day, n))
            .ok_or_else(|| StoreError::Corrupt(format!("question sequence {last}")))?;
        sqlx::query(
            "INSERT INTO questions (code, asked_at, channel, received_by, name, phone, email, \
             procedure_code, agency_code, question, state, answer_due_at, lang) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(code.to_string())
        .bind(ms(at))
        .bind(q.channel.clone())
        .bind(q.received_by.clone())
        .bind(q.name.clone())
        .bind(q.phone.as_ref().map(ToString::to_string))
        .bind(q.email.clone())
        .bind(q.procedure.map(|p| p.to_string()))
        .bind(q.agency.to_string())
        .bind(q.question.clone())
        .bind(QuestionState::Open.as_str())
        .bind(ms(due))
        .bind(q.lang.code())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(QuestionRow {
            code,
            asked_at: at,
            asked: q.clone(),
            state: QuestionState::Open,
            answer_due_at: due,
            answer: None,
            answered_at: None,
            answered_by: None,
            published_at: None,
            petition: None,
        })
    }

    async fn question(&self, code: &QuestionCode) -> Result<Option<QuestionRow>, StoreError> {
        self.read_question(code).await
    }

    async fn questions(&self, q: &QuestionQuery) -> Result<Vec<QuestionRow>, StoreError> {
        if q.agencies.is_empty() || q.states.is_empty() {
            return Ok(Vec::new());
        }
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        let agencies: Vec<String> = q.agencies.iter().map(|_| next()).collect();
        let states: Vec<String> = q.states.iter().map(|_| next()).collect();
        let limit = next();
        // Only numbered placeholders and fixed text are formatted in; every value is bound.
        let sql = format!(
            "SELECT {COLUMNS} FROM questions WHERE agency_code IN ({}) AND state IN ({}) \
             ORDER BY answer_due_at, code LIMIT {limit}",
            agencies.join(", "),
            states.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for a in &q.agencies {
            query = query.bind(a.to_string());
        }
        for s in &q.states {
            query = query.bind(s.as_str());
        }
        query
            .bind(i64::from(q.limit.clamp(1, 1000)))
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(row_from)
            .collect()
    }

    async fn answer_question(
        &self,
        code: &QuestionCode,
        answer: &str,
        by: &str,
        at: DateTime<Utc>,
        publish: bool,
    ) -> Result<QuestionRow, StoreError> {
        let Some(current) = self.read_question(code).await? else {
            return Err(StoreError::NotFound);
        };
        let words = publish.then(|| fold(&format!("{} {answer}", current.asked.question)));
        let mut tx = self.writer.begin().await?;
        let changed = sqlx::query(
            "UPDATE questions SET state = $1, answer = $2, answered_at = $3, answered_by = $4, \
             published_at = $5, published_words = $6 WHERE code = $7 AND state = $8",
        )
        .bind(QuestionState::Answered.as_str())
        .bind(answer.to_string())
        .bind(ms(at))
        .bind(by.to_string())
        .bind(publish.then_some(ms(at)))
        .bind(words)
        .bind(code.to_string())
        .bind(QuestionState::Open.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        // The asker is told, in the same transaction, when a channel reaches them.
        let asked = &current.asked;
        let delivery = Delivery::from_bits(self.delivery.load(Ordering::Relaxed));
        if changed == 1 && delivery.reaches(asked.email.is_some(), asked.phone.is_some()) {
            sqlx::query(
                "INSERT INTO outbox (event_seq, topic, payload, created_at, next_attempt_at) \
                 VALUES (0, $1, $2, $3, $4)",
            )
            .bind(QUESTION_ANSWERED_TOPIC)
            .bind(serde_json::json!({ "stream": question_stream(code) }).to_string())
            .bind(ms(at))
            .bind(ms(at))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.after_update(code, changed).await
    }

    async fn convert_question(
        &self,
        code: &QuestionCode,
        petition: &PaknCode,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<QuestionRow, StoreError> {
        let changed = sqlx::query(
            "UPDATE questions SET state = $1, petition_code = $2, answered_at = $3, \
             answered_by = $4 WHERE code = $5 AND state = $6",
        )
        .bind(QuestionState::Converted.as_str())
        .bind(petition.to_string())
        .bind(ms(at))
        .bind(by.to_string())
        .bind(code.to_string())
        .bind(QuestionState::Open.as_str())
        .execute(&self.writer)
        .await?
        .rows_affected();
        self.after_update(code, changed).await
    }

    async fn note_unanswered(&self, note: &UnansweredNote) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO unanswered_questions (asked_at, question, lang, procedure_code, \
             agency_code) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(ms(note.asked_at))
        .bind(note.question.clone())
        .bind(note.lang.code())
        .bind(note.procedure.map(|p| p.to_string()))
        .bind(note.agency.to_string())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn unanswered_notes(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<UnansweredNote>, StoreError> {
        sqlx::query(
            "SELECT asked_at, question, lang, procedure_code, agency_code \
             FROM unanswered_questions WHERE asked_at >= $1 AND asked_at < $2 \
             ORDER BY asked_at, id LIMIT $3",
        )
        .bind(ms(from))
        .bind(ms(to))
        .bind(i64::from(limit.clamp(1, 100_000)))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|r| {
            Ok(UnansweredNote {
                asked_at: from_ms(r.try_get("asked_at")?)?,
                question: r.try_get("question")?,
                lang: lang_from(&r.try_get::<String, _>("lang")?),
                procedure: r
                    .try_get::<Option<String>, _>("procedure_code")?
                    .map(|p| parse::<ProcedureCode>("procedure code", &p))
                    .transpose()?,
                agency: parse("agency code", &r.try_get::<String, _>("agency_code")?)?,
            })
        })
        .collect()
    }

    async fn questions_asked(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<QuestionRow>, StoreError> {
        // Only the fixed column list is formatted in; every value is bound.
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM questions WHERE asked_at >= $1 AND asked_at < $2 \
             ORDER BY asked_at, code LIMIT $3"
        )))
        .bind(ms(from))
        .bind(ms(to))
        .bind(i64::from(limit.clamp(1, 100_000)))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(row_from)
        .collect()
    }

    async fn faq(
        &self,
        words: &[String],
        procedure: Option<&ProcedureCode>,
        limit: u32,
    ) -> Result<Vec<QuestionRow>, StoreError> {
        let mut clauses = vec!["published_at IS NOT NULL".to_string()];
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        if procedure.is_some() {
            clauses.push(format!("procedure_code = {}", next()));
        }
        for _ in words {
            clauses.push(format!("published_words LIKE {}", next()));
        }
        let limit_at = next();
        // Only numbered placeholders and fixed text are formatted in; every value is bound.
        let sql = format!(
            "SELECT {COLUMNS} FROM questions WHERE {} ORDER BY published_at DESC, code DESC \
             LIMIT {limit_at}",
            clauses.join(" AND ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        if let Some(p) = procedure {
            query = query.bind(p.to_string());
        }
        for w in words {
            // Folded letters and digits only: LIKE's own marks cannot occur.
            let w: String = w.chars().filter(|c| c.is_alphanumeric()).collect();
            query = query.bind(format!("%{w}%"));
        }
        query
            .bind(i64::from(limit.clamp(1, 1000)))
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(row_from)
            .collect()
    }
}

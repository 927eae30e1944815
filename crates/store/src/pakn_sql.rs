//! [`Petitions`] on SQLite and PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use motcua_domain::facts::local_day;
use motcua_domain::pakn::{
    Category, Filing, IndexFacts, PaknChannel, PaknCode, PaknEvent, PaknState,
};
use motcua_domain::text::fold;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::chain::{Link, canonical_json};
use crate::error::StoreError;
use crate::pakn::*;
use crate::sql::{SqlStore, from_ms, ms, parse};
use crate::work_sql::AlertTable;

const COLUMNS: &str = "code, version, state, agency_code, category, channel, dossier_code, \
     filed_at, due_at, updated_at, late, satisfied, reopened, published_at, ended_at";

fn time(r: &AnyRow, column: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    r.try_get::<Option<i64>, _>(column)?
        .map(from_ms)
        .transpose()
}

fn facts_from(r: &AnyRow) -> Result<IndexFacts, StoreError> {
    let reopened: i64 = r.try_get("reopened")?;
    Ok(IndexFacts {
        filed_at: from_ms(r.try_get("filed_at")?)?,
        ended_at: time(r, "ended_at")?,
        due_at: time(r, "due_at")?,
        published_at: time(r, "published_at")?,
        late: r.try_get::<i64, _>("late")? != 0,
        satisfied: r.try_get::<Option<i64>, _>("satisfied")?.map(|s| s != 0),
        reopened: u32::try_from(reopened)
            .map_err(|_| StoreError::Corrupt(format!("petition reopened {reopened}")))?,
    })
}

/// A row's category and channel.
fn classified(r: &AnyRow) -> Result<(Option<Category>, PaknChannel), StoreError> {
    let category: Option<String> = r.try_get("category")?;
    let channel: String = r.try_get("channel")?;
    Ok((
        category
            .map(|c| {
                Category::parse(&c)
                    .ok_or_else(|| StoreError::Corrupt(format!("petition category {c:?}")))
            })
            .transpose()?,
        PaknChannel::parse(&channel)
            .ok_or_else(|| StoreError::Corrupt(format!("petition channel {channel:?}")))?,
    ))
}

fn row_from(r: &AnyRow) -> Result<PetitionRow, StoreError> {
    let state: String = r.try_get("state")?;
    let (category, channel) = classified(r)?;
    let version: i64 = r.try_get("version")?;
    Ok(PetitionRow {
        code: parse("petition code", &r.try_get::<String, _>("code")?)?,
        version: u32::try_from(version)
            .map_err(|_| StoreError::Corrupt(format!("petition version {version}")))?,
        state: PaknState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("petition state {state:?}")))?,
        agency: parse("agency code", &r.try_get::<String, _>("agency_code")?)?,
        category,
        channel,
        dossier: r
            .try_get::<Option<String>, _>("dossier_code")?
            .map(|d| parse("dossier code", &d))
            .transpose()?,
        updated_at: from_ms(r.try_get("updated_at")?)?,
        facts: facts_from(r)?,
    })
}

/// Links petition events after `version` of its stream and stores them, with a message in
/// the outbox for each the petitioner is told of (when a channel reaches them).
async fn link(
    l: &mut Link,
    code: &PaknCode,
    version: u32,
    events: &[PaknEvent],
    petitioner: Reach,
    due_at: Option<DateTime<Utc>>,
) -> Result<u32, StoreError> {
    let stream = petition_stream(code);
    let reachable = l.delivery.reaches(petitioner.email, petitioner.phone);
    let mut rows = Vec::with_capacity(events.len());
    let mut messages = Vec::new();
    let mut v = version;
    for e in events {
        v += 1;
        let body = canonical_json(&PetitionEnvelope {
            stream: stream.clone(),
            version: v,
            event: e.clone(),
        })?;
        let row = l.link(&stream, v, e.kind(), e.at(), body);
        if reachable && e.tells_petitioner() {
            let message = PetitionMessage {
                stream: stream.clone(),
                version: v,
                event: e.clone(),
                due_at,
            };
            let payload = serde_json::to_string(&message)?;
            messages.push((row.seq, petition_topic(e), payload, ms(e.at())));
        }
        rows.push(row);
    }
    l.store(rows).await?;
    for (seq, topic, payload, at) in messages {
        sqlx::query(
            "INSERT INTO outbox (event_seq, topic, payload, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(seq)
        .bind(topic)
        .bind(payload)
        .bind(at)
        .bind(at)
        .execute(l.conn())
        .await?;
    }
    Ok(v)
}

async fn read_row(
    conn: &mut AnyConnection,
    code: &PaknCode,
) -> Result<Option<PetitionRow>, StoreError> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM petitions WHERE code = $1"
    )))
    .bind(code.to_string())
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(row_from)
    .transpose()
}

#[async_trait]
impl Petitions for SqlStore {
    async fn file_petition(
        &self,
        filing: &Filing,
        at: DateTime<Utc>,
        due_at: Option<DateTime<Utc>>,
    ) -> Result<PetitionRow, StoreError> {
        let filing = filing.clone();
        let reach = Reach::of(&filing.petitioner);
        self.chain
            .write(move |l| {
                Box::pin(async move {
                    let day = local_day(at);
                    let last: i64 = sqlx::query(
                        "INSERT INTO petition_sequences (day, last) VALUES ($1, 1) \
                         ON CONFLICT (day) DO UPDATE SET last = petition_sequences.last + 1 \
                         RETURNING last",
                    )
                    .bind(day.format("%Y-%m-%d").to_string())
                    .fetch_one(l.conn())
                    .await?
                    .try_get("last")?;
                    let code = u32::try_from(last)
                        .ok()
                        .and_then(|n| PaknCode::new(day, n))
                        .ok_or_else(|| StoreError::Corrupt(format!("petition sequence {last}")))?;
                    let row = PetitionRow {
                        code,
                        version: 1,
                        state: PaknState::Submitted,
                        agency: filing.agency,
                        category: filing.category,
                        channel: filing.channel,
                        dossier: filing.dossier,
                        updated_at: at,
                        facts: IndexFacts {
                            filed_at: at,
                            ended_at: None,
                            due_at,
                            published_at: None,
                            late: false,
                            satisfied: None,
                            reopened: 0,
                        },
                    };
                    sqlx::query(
                        "INSERT INTO petitions (code, version, state, agency_code, category, channel, \
                         dossier_code, filed_at, due_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(code.to_string())
                    .bind(1i64)
                    .bind(row.state.as_str())
                    .bind(row.agency.to_string())
                    .bind(row.category.map(|c| c.as_str()))
                    .bind(row.channel.as_str())
                    .bind(row.dossier.map(|d| d.to_string()))
                    .bind(ms(at))
                    .bind(due_at.map(ms))
                    .bind(ms(at))
                    .execute(l.conn())
                    .await?;
                    let filed = PaknEvent::Filed {
                        code,
                        filing: Box::new(filing),
                        at,
                    };
                    link(l, &code, 0, std::slice::from_ref(&filed), reach, due_at).await?;
                    Ok(row)
                })
            })
            .await
    }

    async fn append_petition(
        &self,
        code: &PaknCode,
        expected: u32,
        events: Vec<PaknEvent>,
        update: &PetitionUpdate,
    ) -> Result<PetitionRow, StoreError> {
        let (code, update) = (*code, update.clone());
        self.chain
            .write(move |l| {
                Box::pin(async move {
                    let Some(row) = read_row(l.conn(), &code).await? else {
                        return Err(StoreError::NotFound);
                    };
                    if row.version != expected {
                        return Err(StoreError::Conflict {
                            expected,
                            found: row.version,
                        });
                    }
                    let updated_at = events.last().map_or(row.updated_at, PaknEvent::at);
                    let version = link(
                        l,
                        &code,
                        expected,
                        &events,
                        update.petitioner,
                        update.facts.due_at,
                    )
                    .await?;
                    let f = &update.facts;
                    sqlx::query(
                        "UPDATE petitions SET version = $1, state = $2, agency_code = $3, \
                         category = $4, due_at = $5, updated_at = $6, late = $7, satisfied = $8, \
                         reopened = $9, published_at = $10, ended_at = $11, \
                         published_question = $12, published_answer = $13, \
                         published_words = $14 WHERE code = $15",
                    )
                    .bind(i64::from(version))
                    .bind(update.state.as_str())
                    .bind(update.agency.to_string())
                    .bind(update.category.map(|c| c.as_str()))
                    .bind(f.due_at.map(ms))
                    .bind(ms(updated_at))
                    .bind(i64::from(f.late))
                    .bind(f.satisfied.map(i64::from))
                    .bind(i64::from(f.reopened))
                    .bind(f.published_at.map(ms))
                    .bind(f.ended_at.map(ms))
                    .bind(update.published.as_ref().and_then(|p| p.question.clone()))
                    .bind(update.published.as_ref().map(|p| p.answer.clone()))
                    .bind(update.published.as_ref().map(|p| {
                        fold(&format!(
                            "{} {}",
                            p.question.as_deref().unwrap_or(""),
                            p.answer
                        ))
                    }))
                    .bind(code.to_string())
                    .execute(l.conn())
                    .await?;
                    Ok(PetitionRow {
                        version,
                        state: update.state,
                        agency: update.agency,
                        category: update.category,
                        updated_at,
                        facts: update.facts,
                        ..row
                    })
                })
            })
            .await
    }

    async fn published_petitions(
        &self,
        q: &PublishedQuery,
    ) -> Result<Vec<PublishedPetition>, StoreError> {
        let mut clauses = vec!["published_answer IS NOT NULL".to_string()];
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        if q.agency.is_some() {
            clauses.push(format!("agency_code = {}", next()));
        }
        if q.category.is_some() {
            clauses.push(format!("category = {}", next()));
        }
        for _ in &q.words {
            clauses.push(format!("published_words LIKE {}", next()));
        }
        let (limit, offset) = (next(), next());
        // Only numbered placeholders and fixed text are formatted in; every value is bound.
        let sql = format!(
            "SELECT code, agency_code, category, published_at, published_question, \
             published_answer FROM petitions WHERE {} \
             ORDER BY published_at DESC, code DESC LIMIT {limit} OFFSET {offset}",
            clauses.join(" AND ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        if let Some(a) = q.agency {
            query = query.bind(a.to_string());
        }
        if let Some(c) = q.category {
            query = query.bind(c.as_str());
        }
        for w in &q.words {
            // The words are folded letters and digits; LIKE's own marks cannot occur.
            let w: String = w.chars().filter(|c| c.is_alphanumeric()).collect();
            query = query.bind(format!("%{w}%"));
        }
        query = query
            .bind(i64::from(q.limit.clamp(1, 100)))
            .bind(i64::from(q.offset));
        query
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|r| {
                let category: Option<String> = r.try_get("category")?;
                Ok(PublishedPetition {
                    code: parse("petition code", &r.try_get::<String, _>("code")?)?,
                    agency: parse("agency code", &r.try_get::<String, _>("agency_code")?)?,
                    category: category.as_deref().and_then(Category::parse),
                    published_at: from_ms(r.try_get("published_at")?)?,
                    question: r.try_get("published_question")?,
                    answer: r.try_get("published_answer")?,
                })
            })
            .collect()
    }

    async fn petition(&self, code: &PaknCode) -> Result<Option<StoredPetition>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let Some(row) = read_row(&mut conn, code).await? else {
            return Ok(None);
        };
        let events = sqlx::query(
            "SELECT body FROM events WHERE stream = $1 AND version <= $2 ORDER BY version",
        )
        .bind(petition_stream(code))
        .bind(i64::from(row.version))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let env: PetitionEnvelope = serde_json::from_str(&r.try_get::<String, _>("body")?)?;
            Ok(env.event)
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(StoredPetition { row, events }))
    }

    async fn raise_petition_alerts(&self, alerts: &[PetitionAlert]) -> Result<u64, StoreError> {
        use crate::bulk::Value;
        let rows: Vec<Vec<Value>> = alerts
            .iter()
            .map(|a| {
                vec![
                    Value::Text(a.petition.to_string()),
                    Value::Text(a.rule.clone()),
                    Value::Int(ms(a.due_at)),
                    Value::Text(a.recipient.clone()),
                    Value::Int(ms(a.created_at)),
                ]
            })
            .collect();
        self.insert_alerts(AlertTable::Petitions, rows).await
    }

    async fn petition_alerts(
        &self,
        recipient: &str,
        limit: u32,
    ) -> Result<Vec<(i64, PetitionAlert)>, StoreError> {
        sqlx::query(
            "SELECT id, petition_code, rule, due_at, recipient, created_at, read_at \
             FROM petition_alerts WHERE recipient = $1 \
             ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC \
             LIMIT $2",
        )
        .bind(recipient)
        .bind(i64::from(limit.clamp(1, 1000)))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|r| {
            let alert = PetitionAlert {
                petition: parse("petition code", &r.try_get::<String, _>("petition_code")?)?,
                rule: r.try_get("rule")?,
                due_at: from_ms(r.try_get("due_at")?)?,
                recipient: r.try_get("recipient")?,
                created_at: from_ms(r.try_get("created_at")?)?,
                read_at: time(r, "read_at")?,
            };
            Ok((r.try_get("id")?, alert))
        })
        .collect()
    }

    async fn mark_petition_alert_read(
        &self,
        id: i64,
        recipient: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.mark_read(AlertTable::Petitions, id, recipient, now)
            .await
    }

    async fn petition_facts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<PetitionFacts>, StoreError> {
        sqlx::query(
            "SELECT agency_code, category, channel, filed_at, due_at, late, satisfied, reopened, \
             published_at, ended_at FROM petitions \
             WHERE filed_at < $2 AND (ended_at IS NULL OR ended_at >= $1 OR published_at >= $1)",
        )
        .bind(ms(from))
        .bind(ms(to))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|r| {
            let row = classified(r)?;
            Ok(PetitionFacts {
                agency: parse("agency code", &r.try_get::<String, _>("agency_code")?)?,
                category: row.0,
                channel: row.1,
                facts: facts_from(r)?,
            })
        })
        .collect()
    }

    async fn petitioned_dossiers(
        &self,
        before: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, crate::model::CountedDossier)>, StoreError> {
        use crate::stats_sql::{COUNTED_COLUMNS, counted_from};
        // Only the fixed column list is formatted in; the instant is bound.
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {COUNTED_COLUMNS}, p.first_at FROM dossier_facts \
             JOIN (SELECT dossier_code, MIN(filed_at) AS first_at FROM petitions \
                   WHERE dossier_code IS NOT NULL AND filed_at < $1 GROUP BY dossier_code) p \
             ON p.dossier_code = dossier_facts.code WHERE cohort <> '' ORDER BY code"
        )))
        .bind(ms(before))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|r| Ok((from_ms(r.try_get("first_at")?)?, counted_from(r)?)))
        .collect()
    }

    async fn petitions(&self, q: &PetitionQuery) -> Result<Vec<PetitionRow>, StoreError> {
        let mut clauses = Vec::new();
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        let list = |len: usize, next: &mut dyn FnMut() -> String| {
            (0..len).map(|_| next()).collect::<Vec<_>>().join(", ")
        };
        if let Some(a) = &q.agencies {
            clauses.push(format!("agency_code IN ({})", list(a.len(), &mut next)));
        }
        if let Some(s) = &q.states {
            clauses.push(format!("state IN ({})", list(s.len(), &mut next)));
        }
        if q.due_before.is_some() {
            clauses.push(format!("due_at < {}", next()));
        }
        let (limit, offset) = (next(), next());
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        if q.agencies.as_ref().is_some_and(Vec::is_empty)
            || q.states.as_ref().is_some_and(Vec::is_empty)
        {
            return Ok(Vec::new());
        }
        // Only numbered placeholders and fixed text are formatted in; every value is bound.
        let sql = format!(
            "SELECT {COLUMNS} FROM petitions {filter} \
             ORDER BY CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, due_at, filed_at, code LIMIT {limit} OFFSET {offset}"
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for a in q.agencies.iter().flatten() {
            query = query.bind(a.to_string());
        }
        for s in q.states.iter().flatten() {
            query = query.bind(s.as_str());
        }
        if let Some(t) = q.due_before {
            query = query.bind(ms(t));
        }
        query = query
            .bind(i64::from(q.limit.clamp(1, 1000)))
            .bind(i64::from(q.offset));
        query
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(row_from)
            .collect()
    }
}

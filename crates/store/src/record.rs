//! What a dossier write records, inside the chain's transaction ([`Link`]): the dossier row,
//! its events as links of the chain, the notifications to send, its statistics facts and the
//! change they make to the rollups, its rating row and the agencies it was routed to.

use chrono::{DateTime, Utc};
use motcua_domain::calendar::TZ;
use motcua_domain::facts::{DossierFacts, Tally};
use motcua_domain::ids::{AgencyCode, DossierCode, ProcedureCode};
use motcua_domain::lifecycle::{
    Channel, Dossier, Event, EventKind, Satisfaction, Status, Timeliness,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::chain::{Link, canonical};
use crate::error::StoreError;
use crate::model::{DossierRecord, NewDossier};
use crate::sql::{from_ms, ms, parse};

/// Inserts a new dossier: draws its code (receiving agency, day, the day's next number) and
/// records its opening events. History being imported (`notify` false) tells nobody.
pub(crate) async fn insert_dossier(
    l: &mut Link,
    new: &NewDossier,
    notify: bool,
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
    .fetch_one(l.conn())
    .await?;
    let seq: i64 = row.try_get("last")?;
    let code = u32::try_from(seq)
        .ok()
        .and_then(|s| prefix.with_sequence(s))
        .ok_or_else(|| StoreError::Corrupt(format!("sequence {seq}")))?;
    let code_s = code.to_string();
    let version = new.events.len() as u32;
    insert_row(l.conn(), &code_s, version, &new.state, &new.form).await?;
    record_events(l, &code_s, 1, &new.events, &new.state, None, notify).await?;
    Ok(DossierRecord {
        code,
        version,
        state: new.state.clone(),
        form: new.form.clone(),
    })
}

/// Appends events decided on version `expected`: `Conflict` if the dossier moved on.
pub(crate) async fn append(
    l: &mut Link,
    code: &DossierCode,
    expected: u32,
    events: &[Event],
    d: &Dossier,
) -> Result<u32, StoreError> {
    let code_s = code.to_string();
    let version = expected + events.len() as u32;
    let updated = sqlx::query(
        "UPDATE dossiers SET status = $1, current_agency = $2, received_at = $3, due_at = $4, result_at = $5, \
         timeliness = $6, version = $7, state = $8, assignee = $11, step_due_at = $12, \
         result_sha256 = $13, work_due = $14, urgent_at = $15 \
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
    .bind(work_due(d))
    .bind(urgent_at(d))
    .execute(l.conn())
    .await?
    .rows_affected();
    if updated != 1 {
        let found = sqlx::query("SELECT version FROM dossiers WHERE code = $1")
            .bind(&code_s)
            .fetch_optional(l.conn())
            .await?;
        return Err(match found {
            None => StoreError::NotFound,
            Some(r) => StoreError::Conflict {
                expected,
                found: u32::try_from(r.try_get::<i64, _>("version")?)
                    .map_err(|_| StoreError::Corrupt("version".into()))?,
            },
        });
    }
    let before = facts_of(l.conn(), &code_s).await?;
    record_events(l, &code_s, expected + 1, events, d, Some(before), true).await?;
    Ok(version)
}

async fn insert_row(
    conn: &mut AnyConnection,
    code: &str,
    version: u32,
    d: &Dossier,
    form: &serde_json::Value,
) -> Result<(), StoreError> {
    let applicant = &d.intake.applicant;
    sqlx::query(
        "INSERT INTO dossiers (code, procedure_code, status, channel, receiving_agency, competent_agency, \
         current_agency, branch_code, owner, applicant_name, applicant_cccd, phone_last4, submitted_at, \
         received_at, due_at, result_at, timeliness, version, state, form, assignee, step_due_at, \
         result_sha256, work_due, urgent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)",
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
    .bind(serde_json::to_string(d)?)
    .bind(serde_json::to_string(form)?)
    .bind(d.assignee.clone())
    .bind(d.step_due_at.map(ms))
    .bind(d.result.as_ref().and_then(|r| r.document_sha256.clone()))
    .bind(work_due(d))
    .bind(urgent_at(d))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The sort key of work lists: the appointment, or the end of time when there is none.
fn work_due(d: &Dossier) -> i64 {
    d.due_at.map_or(i64::MAX, ms)
}

/// The earliest of the appointment and the current step's due instant (the end of time when
/// there is neither): what the "due soon" and "overdue" lists look at.
fn urgent_at(d: &Dossier) -> i64 {
    match (d.due_at, d.step_due_at) {
        (Some(a), Some(b)) => ms(a.min(b)),
        (Some(a), None) | (None, Some(a)) => ms(a),
        (None, None) => i64::MAX,
    }
}

/// Records events `first_version..` of a dossier whose state after them is `state`: links them
/// into the chain, queues what the applicant is told, writes the facts and their change to the
/// rollups, the rating and the routing. `before` is the facts row as it was (`Some(None)`: the
/// row is missing, so the tally is counted again from the whole stored history).
async fn record_events(
    l: &mut Link,
    code: &str,
    first_version: u32,
    events: &[Event],
    state: &Dossier,
    before: Option<Option<DossierFacts>>,
    notify: bool,
) -> Result<(), StoreError> {
    let phone = state.intake.applicant.phone.is_some();
    let email = state.intake.applicant.email.is_some();
    let reachable = notify && l.delivery.reaches(email, phone);
    for (i, event) in events.iter().enumerate() {
        let version = first_version + i as u32;
        let body = canonical(code, version, event)?;
        let seq = l
            .append(code, version, event.kind.name(), event.at, &body)
            .await?;
        if reachable && event.kind.notifies_applicant() {
            sqlx::query(
                "INSERT INTO outbox (event_seq, topic, payload, created_at, next_attempt_at) \
                 VALUES ($1, $2, $3, $4, $4)",
            )
            .bind(seq)
            .bind(format!("dossier.{}", event.kind.name()))
            .bind(&body)
            .bind(ms(event.at))
            .execute(l.conn())
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
            crate::queue_sql::insert_rating(l.conn(), &rating).await?;
        }
    }
    // The facts after these events, and the change they make to the rollups.
    let (previous, mut tally) = match before {
        None => (None, Tally::default()),
        Some(Some(f)) => {
            let t = f.tally.clone();
            (Some(f), t)
        }
        Some(None) => (None, stored_tally(l.conn(), code, first_version).await?),
    };
    tally.count(events);
    let after = DossierFacts::project(state, tally);
    l.stats.change(previous.as_ref(), &after);
    put_facts(
        l.conn(),
        code,
        first_version + events.len() as u32 - 1,
        &after,
    )
    .await?;
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
        .execute(l.conn())
        .await?;
    }
    Ok(())
}

/// The tally of the events stored before `first_version` (a dossier without facts).
async fn stored_tally(
    conn: &mut AnyConnection,
    code: &str,
    first_version: u32,
) -> Result<Tally, StoreError> {
    let rows =
        sqlx::query("SELECT body FROM events WHERE stream = $1 AND version < $2 ORDER BY version")
            .bind(code)
            .bind(i64::from(first_version))
            .fetch_all(&mut *conn)
            .await?;
    let mut events = Vec::with_capacity(rows.len());
    for r in &rows {
        let env: crate::chain::Envelope = serde_json::from_str(&r.try_get::<String, _>("body")?)?;
        events.push(env.event);
    }
    Ok(Tally::of(&events))
}

/// The columns of `dossier_facts`, in the order [`put_facts`] binds them.
pub(crate) const FACT_COLUMNS: &str = "code, version, procedure_code, receiving_agency, competent_agency, \
     current_agency, branch_code, channel, status, submitted_at, received_at, due_at, finished_at, \
     returned_at, timeliness, supplement_requests, supplement_secs, prepaid_fee, fee_paid, rating, tally";

pub(crate) async fn put_facts(
    conn: &mut AnyConnection,
    code: &str,
    version: u32,
    f: &DossierFacts,
) -> Result<(), StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO dossier_facts ({FACT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) ON CONFLICT (code) DO UPDATE SET \
         version = excluded.version, procedure_code = excluded.procedure_code, \
         receiving_agency = excluded.receiving_agency, competent_agency = excluded.competent_agency, \
         current_agency = excluded.current_agency, branch_code = excluded.branch_code, \
         channel = excluded.channel, status = excluded.status, submitted_at = excluded.submitted_at, \
         received_at = excluded.received_at, due_at = excluded.due_at, finished_at = excluded.finished_at, \
         returned_at = excluded.returned_at, timeliness = excluded.timeliness, \
         supplement_requests = excluded.supplement_requests, supplement_secs = excluded.supplement_secs, \
         prepaid_fee = excluded.prepaid_fee, fee_paid = excluded.fee_paid, rating = excluded.rating, \
         tally = excluded.tally"
    )))
    .bind(code)
    .bind(i64::from(version))
    .bind(f.procedure.to_string())
    .bind(f.receiving_agency.to_string())
    .bind(f.competent_agency.to_string())
    .bind(f.current_agency.to_string())
    .bind(crate::rollup::branch_col(f.branch.as_deref()))
    .bind(f.channel.as_str())
    .bind(f.status.as_str())
    .bind(ms(f.submitted_at))
    .bind(f.received_at.map(ms))
    .bind(f.due_at.map(ms))
    .bind(f.finished_at.map(ms))
    .bind(f.returned_at.map(ms))
    .bind(f.timeliness.map(|t| t.as_str()))
    .bind(i64::from(f.supplement_requests))
    .bind(f.supplement_secs)
    .bind(f.prepaid_fee)
    .bind(f.fee_paid)
    .bind(f.rating.map(|r| r.as_str()))
    .bind(f.tally.encode())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The stored facts of a dossier: `None` when it has none yet.
async fn facts_of(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Option<DossierFacts>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {FACT_COLUMNS} FROM dossier_facts WHERE code = $1"
    )))
    .bind(code)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(facts_from).transpose()
}

/// A stored fact row: its dossier code, version and facts.
pub(crate) fn facts_from(r: &AnyRow) -> Result<DossierFacts, StoreError> {
    let opt = |col: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
        r.try_get::<Option<i64>, _>(col)?.map(from_ms).transpose()
    };
    let word = |what: &str, col: &str| -> Result<String, StoreError> {
        r.try_get::<String, _>(col)
            .map_err(|_| StoreError::Corrupt(format!("{what} of dossier facts")))
    };
    let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("{what} {v:?}"));
    let branch: String = r.try_get("branch_code")?;
    let channel = word("channel", "channel")?;
    let status = word("status", "status")?;
    let timeliness: Option<String> = r.try_get("timeliness")?;
    let rating: Option<String> = r.try_get("rating")?;
    Ok(DossierFacts {
        procedure: parse::<ProcedureCode>(
            "procedure code",
            &r.try_get::<String, _>("procedure_code")?,
        )?,
        receiving_agency: parse("agency code", &r.try_get::<String, _>("receiving_agency")?)?,
        competent_agency: parse("agency code", &r.try_get::<String, _>("competent_agency")?)?,
        current_agency: parse("agency code", &r.try_get::<String, _>("current_agency")?)?,
        branch: (!branch.is_empty()).then_some(branch),
        channel: Channel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?,
        status: Status::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        submitted_at: from_ms(r.try_get("submitted_at")?)?,
        received_at: opt("received_at")?,
        due_at: opt("due_at")?,
        finished_at: opt("finished_at")?,
        returned_at: opt("returned_at")?,
        timeliness: timeliness
            .map(|t| Timeliness::parse(&t).ok_or_else(|| corrupt("timeliness", &t)))
            .transpose()?,
        supplement_requests: u32::try_from(r.try_get::<i64, _>("supplement_requests")?)
            .map_err(|_| corrupt("supplement requests", ""))?,
        supplement_secs: r.try_get("supplement_secs")?,
        prepaid_fee: r.try_get("prepaid_fee")?,
        fee_paid: r.try_get("fee_paid")?,
        rating: rating
            .map(|s| Satisfaction::parse(&s).ok_or_else(|| corrupt("rating", &s)))
            .transpose()?,
        tally: Tally::decode(&r.try_get::<String, _>("tally")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
    })
}

//! What a dossier write records, inside the chain's transaction ([`Link`]): the dossier row,
//! its events as links of the chain, the notifications to send, its statistics facts and the
//! change they make to the rollups, its rating row and the agencies it was routed to.

use chrono::{DateTime, Utc};
use motcua_domain::calendar::TZ;
use motcua_domain::facts::{DossierFacts, Tally};
use motcua_domain::ids::{AgencyCode, BranchCode, DossierCode, ProcedureCode};
use motcua_domain::index::Cohort;
use motcua_domain::lifecycle::{
    Channel, Dossier, Event, EventKind, Satisfaction, Status, Timeliness,
};
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

use sqlx::{AnyConnection, Row};

use crate::bulk::{self, Value};
use crate::chain::{EventRow, Link, canonical};
use crate::contract::Backend;
use crate::error::StoreError;
use crate::model::{DossierRecord, NewDossier};
use crate::sql::{from_ms, ms, parse};

/// Inserts new dossiers: draws their codes (receiving agency, day, the day's next numbers, in
/// the batch's order) and records their opening events, a few hundred rows per statement.
/// History being imported (`notify` false) tells nobody.
pub(crate) async fn insert_dossiers(
    l: &mut Link,
    batch: &[NewDossier],
    notify: bool,
) -> Result<Vec<DossierRecord>, StoreError> {
    // The day's numbers: one upsert per receiving agency and day, taking as many as needed.
    let mut groups: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    let mut prefixes = Vec::with_capacity(batch.len());
    for (i, new) in batch.iter().enumerate() {
        let prefix = new
            .state
            .code_prefix()
            .ok_or_else(|| StoreError::Corrupt("dossier filed outside 2000–2099".into()))?;
        groups
            .entry((
                prefix.agency.to_string(),
                prefix.date.format("%Y-%m-%d").to_string(),
            ))
            .or_default()
            .push(i);
        prefixes.push(prefix);
    }
    let mut codes: Vec<Option<DossierCode>> = vec![None; batch.len()];
    for ((agency, day), members) in groups {
        let n = members.len() as i64;
        let row = sqlx::query(
            "INSERT INTO dossier_sequences (agency_code, day, last) VALUES ($1, $2, $3) \
             ON CONFLICT (agency_code, day) DO UPDATE SET last = dossier_sequences.last + $3 \
             RETURNING last",
        )
        .bind(agency)
        .bind(day)
        .bind(n)
        .fetch_one(l.conn())
        .await?;
        let last: i64 = row.try_get("last")?;
        for (j, i) in members.into_iter().enumerate() {
            let seq = last - n + 1 + j as i64;
            codes[i] = Some(
                u32::try_from(seq)
                    .ok()
                    .and_then(|s| prefixes[i].with_sequence(s))
                    .ok_or_else(|| StoreError::Corrupt(format!("sequence {seq}")))?,
            );
        }
    }
    let codes: Vec<DossierCode> = codes
        .into_iter()
        .map(|c| c.ok_or_else(|| StoreError::Corrupt("a dossier without a code".into())))
        .collect::<Result<_, _>>()?;
    let mut rows = Vec::with_capacity(batch.len());
    for (code, new) in codes.iter().zip(batch) {
        rows.push(dossier_row(
            &code.to_string(),
            new.events.len() as u32,
            &new.state,
            &new.form,
        )?);
    }
    let mut recorded = Deferred {
        dossiers: rows,
        ..Deferred::default()
    };
    for (code, new) in codes.iter().zip(batch) {
        let code = code.to_string();
        record_events(
            l,
            &mut recorded,
            &code,
            1,
            &new.events,
            &new.state,
            None,
            notify,
        )?;
    }
    l.rows.merge(recorded);
    Ok(codes
        .into_iter()
        .zip(batch)
        .map(|(code, new)| DossierRecord {
            code,
            version: new.events.len() as u32,
            state: new.state.clone(),
            form: new.form.clone(),
        })
        .collect())
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
         result_sha256 = $13, work_due = $14, urgent_at = $15, watch_at = 0 \
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
    let before = match facts_of(l.conn(), &code_s).await? {
        Some(f) => Previous::Facts(f),
        None => Previous::Tally(stored_tally(l.conn(), &code_s, expected + 1).await?),
    };
    let mut recorded = Deferred::default();
    record_events(
        l,
        &mut recorded,
        &code_s,
        expected + 1,
        events,
        d,
        Some(before),
        true,
    )?;
    l.rows.merge(recorded);
    Ok(version)
}

/// The columns of `dossiers`, in the order [`dossier_row`] gives them.
const DOSSIER_COLUMNS: [&str; 26] = [
    "code",
    "procedure_code",
    "status",
    "channel",
    "receiving_agency",
    "competent_agency",
    "current_agency",
    "branch_code",
    "owner",
    "applicant_name",
    "applicant_cccd",
    "phone_last4",
    "submitted_at",
    "received_at",
    "due_at",
    "result_at",
    "timeliness",
    "version",
    "state",
    "form",
    "assignee",
    "step_due_at",
    "result_sha256",
    "work_due",
    "urgent_at",
    "applicant_folded",
];

fn dossier_row(
    code: &str,
    version: u32,
    d: &Dossier,
    form: &serde_json::Value,
) -> Result<Vec<Value>, StoreError> {
    let applicant = &d.intake.applicant;
    Ok(vec![
        code.into(),
        d.intake.procedure.code.to_string().into(),
        d.status.as_str().into(),
        d.intake.channel.as_str().into(),
        d.intake.receiving_agency.to_string().into(),
        d.intake.competent_agency.to_string().into(),
        d.current_agency.to_string().into(),
        d.intake.branch.as_ref().map(|b| b.to_string()).into(),
        d.intake.owner.as_ref().map(|o| o.to_string()).into(),
        applicant.name.clone().into(),
        applicant.cccd.as_ref().map(|c| c.to_string()).into(),
        applicant
            .phone
            .as_ref()
            .map(|p| p.last4().to_string())
            .into(),
        ms(d.submitted_at).into(),
        d.received_at.map(ms).into(),
        d.due_at.map(ms).into(),
        d.result.as_ref().map(|r| ms(r.issued_at)).into(),
        d.result
            .as_ref()
            .map(|r| r.timeliness.as_str().to_string())
            .into(),
        i64::from(version).into(),
        serde_json::to_string(d)?.into(),
        serde_json::to_string(form)?.into(),
        d.assignee.clone().into(),
        d.step_due_at.map(ms).into(),
        d.result
            .as_ref()
            .and_then(|r| r.document_sha256.clone())
            .into(),
        work_due(d).into(),
        urgent_at(d).into(),
        motcua_domain::text::fold(&applicant.name).into(),
    ])
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

/// What a dossier's facts were before a write.
enum Previous {
    Facts(DossierFacts),
    /// It had none: the tally of its stored events.
    Tally(Tally),
}

/// The rows dossier writes record, gathered over a batch and written when it commits, a few
/// hundred per statement: nothing in a batch reads them before (a dossier created in a batch
/// cannot be acted on before its creation is answered, and a second action on one dossier in
/// the same batch fails its version check).
#[derive(Default)]
pub(crate) struct Deferred {
    dossiers: Vec<Vec<Value>>,
    events: Vec<EventRow>,
    outbox: Vec<Vec<Value>>,
    ratings: Vec<crate::Rating>,
    facts: Vec<Vec<Value>>,
    routes: Vec<Vec<Value>>,
}

impl Deferred {
    pub(crate) fn merge(&mut self, other: Deferred) {
        self.dossiers.extend(other.dossiers);
        self.events.extend(other.events);
        self.outbox.extend(other.outbox);
        self.ratings.extend(other.ratings);
        self.facts.extend(other.facts);
        self.routes.extend(other.routes);
    }

    /// Writes the rows, dossiers first (facts and routing refer to them).
    pub(crate) async fn write(
        self,
        conn: &mut AnyConnection,
        backend: Backend,
    ) -> Result<(), StoreError> {
        bulk::insert(
            conn,
            backend,
            "dossiers",
            &DOSSIER_COLUMNS,
            "",
            self.dossiers,
        )
        .await?;
        crate::chain::store_events(conn, backend, self.events).await?;
        bulk::insert(
            conn,
            backend,
            "outbox",
            &[
                "event_seq",
                "topic",
                "payload",
                "created_at",
                "next_attempt_at",
            ],
            "",
            self.outbox,
        )
        .await?;
        for r in &self.ratings {
            crate::queue_sql::insert_rating(conn, r).await?;
        }
        bulk::insert(
            conn,
            backend,
            "dossier_facts",
            &FACT_COLUMNS,
            FACTS_UPSERT,
            self.facts,
        )
        .await?;
        bulk::insert(
            conn,
            backend,
            "dossier_agencies",
            &["dossier_code", "agency_code"],
            " ON CONFLICT (dossier_code, agency_code) DO NOTHING",
            self.routes,
        )
        .await
    }
}

/// Records events `first_version..` of a dossier whose state after them is `state`: links them
/// into the chain, queues what the applicant is told, and gathers the facts (and their change
/// to the rollups), the rating and the routing. `before` is what the facts were (`None`: a new
/// dossier).
#[allow(clippy::too_many_arguments)]
fn record_events(
    l: &mut Link,
    out: &mut Deferred,
    code: &str,
    first_version: u32,
    events: &[Event],
    state: &Dossier,
    before: Option<Previous>,
    notify: bool,
) -> Result<(), StoreError> {
    let phone = state.intake.applicant.phone.is_some();
    let email = state.intake.applicant.email.is_some();
    let reachable = notify && l.delivery.reaches(email, phone);
    for (i, event) in events.iter().enumerate() {
        let version = first_version + i as u32;
        let body = canonical(code, version, event)?;
        let tells = reachable && event.kind.notifies_applicant();
        let row = l.link(code, version, event.kind.name(), event.at, body);
        if tells {
            out.outbox.push(vec![
                Value::Int(row.seq),
                Value::Text(format!("dossier.{}", event.kind.name())),
                Value::Text(row.body.clone()),
                Value::Int(ms(event.at)),
                Value::Int(ms(event.at)),
            ]);
        }
        out.events.push(row);
        if let EventKind::Rated {
            satisfaction,
            criteria,
            comment,
        } = &event.kind
        {
            out.ratings.push(crate::Rating {
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
            });
        }
    }
    // The facts after these events, and the change they make to the rollups.
    let (previous, mut tally) = match before {
        None => (None, Tally::default()),
        Some(Previous::Facts(f)) => {
            let t = f.tally.clone();
            (Some(f), t)
        }
        Some(Previous::Tally(t)) => (None, t),
    };
    tally.count(events);
    let after = DossierFacts::project(state, tally);
    l.stats.change(previous.as_ref(), &after);
    out.facts.push(facts_row(
        code,
        first_version + events.len() as u32 - 1,
        &after,
    ));
    // Scope rows: every agency on creation, afterwards only agencies the events route to.
    let routed: Vec<AgencyCode> = if first_version == 1 {
        state.involved.clone()
    } else {
        events
            .iter()
            .filter_map(|e| e.kind.routes_to(&state.intake))
            .collect()
    };
    let mut seen = std::collections::BTreeSet::new();
    for agency in routed {
        if seen.insert(agency) {
            out.routes
                .push(vec![code.into(), Value::Text(agency.to_string())]);
        }
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

/// The columns of `dossier_facts`, in the order [`facts_row`] gives them.
pub(crate) const FACT_COLUMNS: [&str; 22] = [
    "code",
    "version",
    "procedure_code",
    "receiving_agency",
    "competent_agency",
    "current_agency",
    "branch_code",
    "channel",
    "status",
    "submitted_at",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "timeliness",
    "supplement_requests",
    "supplement_secs",
    "prepaid_fee",
    "fee_paid",
    "rating",
    "cohort",
    "tally",
];

/// Facts replace what a dossier had.
pub(crate) const FACTS_UPSERT: &str = " ON CONFLICT (code) DO UPDATE SET \
     version = excluded.version, procedure_code = excluded.procedure_code, \
     receiving_agency = excluded.receiving_agency, competent_agency = excluded.competent_agency, \
     current_agency = excluded.current_agency, branch_code = excluded.branch_code, \
     channel = excluded.channel, status = excluded.status, submitted_at = excluded.submitted_at, \
     received_at = excluded.received_at, due_at = excluded.due_at, finished_at = excluded.finished_at, \
     returned_at = excluded.returned_at, timeliness = excluded.timeliness, \
     supplement_requests = excluded.supplement_requests, supplement_secs = excluded.supplement_secs, \
     prepaid_fee = excluded.prepaid_fee, fee_paid = excluded.fee_paid, rating = excluded.rating, \
     cohort = excluded.cohort, tally = excluded.tally";

pub(crate) fn facts_row(code: &str, version: u32, f: &DossierFacts) -> Vec<Value> {
    vec![
        code.into(),
        i64::from(version).into(),
        f.procedure.to_string().into(),
        f.receiving_agency.to_string().into(),
        f.competent_agency.to_string().into(),
        f.current_agency.to_string().into(),
        crate::rollup::branch_col(f.branch.as_deref()).into(),
        f.channel.as_str().into(),
        f.status.as_str().into(),
        ms(f.submitted_at).into(),
        f.received_at.map(ms).into(),
        f.due_at.map(ms).into(),
        f.finished_at.map(ms).into(),
        f.returned_at.map(ms).into(),
        f.timeliness.map(|t| t.as_str().to_string()).into(),
        i64::from(f.supplement_requests).into(),
        f.supplement_secs.into(),
        f.prepaid_fee.into(),
        f.fee_paid.into(),
        f.rating.map(|r| r.as_str().to_string()).into(),
        f.cohort.map(|c| c.encode()).unwrap_or_default().into(),
        f.tally.encode().into(),
    ]
}

/// The stored facts of a dossier: `None` when it has none yet.
async fn facts_of(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Option<DossierFacts>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM dossier_facts WHERE code = $1",
        FACT_COLUMNS.join(", ")
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
    let cohort: String = r.try_get("cohort")?;
    Ok(DossierFacts {
        procedure: parse::<ProcedureCode>(
            "procedure code",
            &r.try_get::<String, _>("procedure_code")?,
        )?,
        receiving_agency: parse("agency code", &r.try_get::<String, _>("receiving_agency")?)?,
        competent_agency: parse("agency code", &r.try_get::<String, _>("competent_agency")?)?,
        current_agency: parse("agency code", &r.try_get::<String, _>("current_agency")?)?,
        branch: (!branch.is_empty()).then(|| BranchCode::new(branch)),
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
        cohort: (!cohort.is_empty())
            .then(|| Cohort::decode(&cohort).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()?,
        tally: Tally::decode(&r.try_get::<String, _>("tally")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
    })
}

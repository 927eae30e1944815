//! Operations that join a domain decision to a transaction: load the dossier, let the
//! lifecycle decide, fold the events, append them under optimistic concurrency.

use chrono::{DateTime, Utc};
use motcua_domain::ids::{BranchCode, DossierCode};
use motcua_domain::lifecycle::{
    Command, Intake, Lifecycle, LifecycleError, ReplayError, apply, replay,
};
use motcua_domain::queue::{self, Waiting};
use motcua_domain::role::Actor;
use motcua_domain::{Localise, Wording};

use crate::contract::Store;
use crate::error::StoreError;
use crate::model::{DossierRecord, NewDossier};
use crate::queue::{Ticket, TicketStatus};

#[derive(Debug, thiserror::Error)]
pub enum OpError {
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stored history does not replay: {0}")]
    Replay(#[from] ReplayError),
}

impl Localise for OpError {
    fn code(&self) -> &'static str {
        match self {
            OpError::Lifecycle(e) => e.code(),
            OpError::Store(e) => e.code(),
            OpError::Replay(_) => "corrupt_data",
        }
    }

    fn wording(&self) -> Wording {
        match self {
            OpError::Lifecycle(e) => e.wording(),
            OpError::Store(e) => e.wording(),
            OpError::Replay(_) => StoreError::Corrupt(String::new()).wording(),
        }
    }
}

/// Opens a dossier: decides, then stores it with a fresh code.
pub async fn open(
    store: &dyn Store,
    lifecycle: &Lifecycle<'_>,
    intake: Intake,
    form: serde_json::Value,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<DossierRecord, OpError> {
    let events = lifecycle.decide(None, &Command::Open(Box::new(intake)), actor, now)?;
    let state = replay(&events)?;
    Ok(store
        .create_dossier(&NewDossier {
            events,
            state,
            form,
        })
        .await?)
}

/// Opens the dossier of a citizen's draft: decides, then stores it, marks the draft submitted
/// and hands its attachments over, in one transaction.
pub async fn open_draft(
    store: &dyn Store,
    lifecycle: &Lifecycle<'_>,
    draft_id: &motcua_domain::ids::DraftId,
    intake: Intake,
    form: serde_json::Value,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<DossierRecord, OpError> {
    let events = lifecycle.decide(None, &Command::Open(Box::new(intake)), actor, now)?;
    let state = replay(&events)?;
    Ok(store
        .submit_draft(
            draft_id,
            &NewDossier {
                events,
                state,
                form,
            },
        )
        .await?)
}

/// How often an action without an expected version is retried when other writers keep
/// changing the same dossier; each round lets at least one writer through.
const MAX_ATTEMPTS: u32 = 10;

/// Carries out a command on a stored dossier. With `expected` the caller's view must still be
/// current (else `Conflict`); without it, a concurrent change is retried on the fresh state.
pub async fn act(
    store: &dyn Store,
    lifecycle: &Lifecycle<'_>,
    code: &DossierCode,
    expected: Option<u32>,
    command: &Command,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<DossierRecord, OpError> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let record = store.dossier(code).await?.ok_or(StoreError::NotFound)?;
        if let Some(v) = expected
            && v != record.version
        {
            return Err(StoreError::Conflict {
                expected: v,
                found: record.version,
            }
            .into());
        }
        let events = lifecycle.decide(Some(&record.state), command, actor, now)?;
        let mut state = record.state.clone();
        for (i, e) in events.iter().enumerate() {
            state = apply(Some(state), e, record.version as usize + i)?;
        }
        match store.append(code, record.version, &events, &state).await {
            Ok(version) => {
                return Ok(DossierRecord {
                    code: *code,
                    version,
                    state,
                    form: record.form,
                });
            }
            Err(StoreError::Conflict { .. }) if expected.is_none() && attempts < MAX_ATTEMPTS => {
                continue;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Ends the service at `counter` of `branch`, if one is under way, and calls the next ticket
/// of the day to it (the groups it serves;
/// priorities, begun appointments, then arrival, as the domain orders them; the day is the
/// local date of `now`). A ticket another counter took in
/// the meantime is skipped and the next one tried, so two counters never get the same ticket.
pub async fn call_next(
    store: &dyn Store,
    branch: &BranchCode,
    counter: i64,
    officer: &str,
    now: DateTime<Utc>,
) -> Result<Option<Ticket>, StoreError> {
    let groups: Vec<String> = store
        .service_groups(branch)
        .await?
        .into_iter()
        .filter(|g| g.counters.contains(&counter))
        .map(|g| g.code)
        .collect();
    // Calling the next one ends the service of the ticket still at the counter.
    if let Some(current) = store.serving(branch, counter).await? {
        store
            .end_service(current.id, counter, TicketStatus::Done, now)
            .await?;
    }
    loop {
        let day = now.with_timezone(&motcua_domain::calendar::TZ).date_naive();
        let waiting = store
            .waiting_tickets(branch, &groups, Some(counter), day)
            .await?;
        let line: Vec<Waiting> = waiting.iter().map(Ticket::waiting).collect();
        let Some(pick) = queue::next(&line, now) else {
            return Ok(None);
        };
        if store.claim_ticket(pick.id, counter, officer, now).await? {
            let mut ticket = waiting
                .into_iter()
                .find(|t| t.id == pick.id)
                .ok_or(StoreError::NotFound)?;
            ticket.status = TicketStatus::Called;
            ticket.called_at = Some(now);
            ticket.counter = Some(counter);
            ticket.officer = Some(officer.to_string());
            ticket.ended_at = None;
            return Ok(Some(ticket));
        }
    }
}

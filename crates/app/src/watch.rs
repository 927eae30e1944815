//! The deadline watcher: a job every server instance runs each minute, of which one at a time
//! does the work (a lease in the database). It raises alerts to the officers holding a dossier
//! that is due soon or late (and to leaders above them when it is late), and apologises for a
//! late dossier with a new appointment, recorded as an event (the apology slip is then
//! available and the applicant is told through the outbox), then applies the escalation rules
//! to overdue petitions ([`crate::escalation`]). Every step is idempotent: alerts
//! are raised once per due instant and recipient, the apology once per dossier, so an instance
//! that dies halfway leaves nothing for the next run to repeat.

use chrono::{DateTime, Duration, Utc};
use motcua_domain::lifecycle::{Alert, Dossier, Status};
use motcua_domain::role::{Actor, Role};
use motcua_store::ops::{self, OpError};
use motcua_store::{NewAlert, StoreError, User, WatchAgain};

use crate::App;

/// The lease's name in the database.
const JOB: &str = "deadline-watch";
/// How long a run may hold the lease before another instance may take over.
const LEASE: Duration = Duration::minutes(5);
/// Dossiers read per page.
const PAGE: u32 = 200;

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WatchReport {
    /// False when another instance held the lease and this run did nothing.
    pub ran: bool,
    pub dossiers: usize,
    pub alerts: usize,
    pub apologies: usize,
    /// What the escalation rules did about overdue petitions.
    pub petitions: crate::escalation::Escalated,
}

/// Runs the watcher once as `holder` (an id unique to the server instance) at `now`.
pub async fn watch_once(
    state: &App,
    holder: &str,
    now: DateTime<Utc>,
) -> Result<WatchReport, OpError> {
    let store = &state.store;
    if !store.take_lease(JOB, holder, now, now + LEASE).await? {
        return Ok(WatchReport::default());
    }
    let mut report = WatchReport {
        ran: true,
        ..WatchReport::default()
    };
    let users: Vec<User> = store
        .users()
        .await?
        .into_iter()
        .filter(|u| u.active)
        .collect();
    let policy = state.watch;
    let calendar = state.calendar();
    let lifecycle = state.lifecycle_on(&calendar);
    // Only the dossiers whose watch time has come: changed since the last look, or at a
    // deadline the last look scheduled. A dossier nothing can happen to is not read again.
    let watched = [Status::Received, Status::InProcessing, Status::Supplemented];
    loop {
        let page = store.to_watch(&watched, now, PAGE).await?;
        let mut alerts = Vec::new();
        let mut apologies = Vec::new();
        for record in &page {
            report.dossiers += 1;
            for (alert, due) in lifecycle.alerts(&record.state, now, &policy) {
                for who in recipients(&users, &record.state, alert) {
                    alerts.push(NewAlert {
                        dossier_code: record.code,
                        kind: alert.as_str().to_string(),
                        due_at: due,
                        recipient: who,
                        created_at: now,
                    });
                }
            }
            if let Some(apology) = lifecycle.late_apology(&record.state, now, &policy) {
                apologies.push((record, apology));
            }
        }
        report.alerts += store.raise_alerts(&alerts).await? as usize;
        // The page's apologies at once: they share their commits.
        let (lifecycle, system) = (&lifecycle, &Actor::system());
        let made = futures_util::future::join_all(apologies.iter().map(|(record, apology)| {
            ops::act(
                &**store,
                lifecycle,
                &record.code,
                Some(record.version),
                apology,
                system,
                now,
            )
        }))
        .await;
        let mut changed = false;
        for result in made {
            match result {
                // The change has it looked at again (in this run), with its new appointment.
                Ok(_) => {
                    report.apologies += 1;
                    changed = true;
                }
                // Someone acted on the dossier meanwhile: that change has it looked at again.
                Err(OpError::Store(StoreError::Conflict { .. })) => {}
                Err(e) => return Err(e),
            }
        }
        // Next looks of the dossiers as read; one changed meanwhile (an apology, another's
        // action) has moved past this version, so its row is left as the change set it.
        let next: Vec<WatchAgain> = page
            .iter()
            .map(|record| WatchAgain {
                code: record.code,
                version: record.version,
                at: lifecycle.next_watch(&record.state, now, &policy),
            })
            .collect();
        store.watch_again(&next).await?;
        if page.len() < PAGE as usize && !changed {
            break;
        }
        // Keep the lease while a long run goes on.
        store
            .take_lease(JOB, holder, now, Utc::now() + LEASE)
            .await?;
    }
    // Overdue petitions under the escalation rules; a failure there leaves the dossiers'
    // watch done and is tried again next minute.
    match crate::escalation::escalate(state, &users, now).await {
        Ok(done) => report.petitions = done,
        Err(e) => tracing::warn!(error = ?e, "escalating overdue petitions failed"),
    }
    Ok(report)
}

/// Who hears of an alert: the assignee, or else the officers of the holding agency with the
/// step's role; leaders of the agencies above as well when the alert escalates.
fn recipients(users: &[User], d: &Dossier, alert: Alert) -> Vec<String> {
    let role = d
        .step
        .and_then(|i| d.intake.procedure.steps.get(i))
        .map_or(Role::Specialist, |s| s.role);
    let mut out: Vec<String> = match &d.assignee {
        Some(a) if users.iter().any(|u| &u.username == a) => vec![a.clone()],
        _ => users
            .iter()
            .filter(|u| u.agency == Some(d.current_agency) && u.role == role)
            .map(|u| u.username.clone())
            .collect(),
    };
    if alert.escalates() {
        out.extend(
            users
                .iter()
                .filter(|u| {
                    u.role == Role::Leader && u.agency.is_some_and(|a| a.covers(&d.current_agency))
                })
                .map(|u| u.username.clone()),
        );
    }
    out.sort();
    out.dedup();
    out
}

/// How long a request's `Idempotency-Key` and its answer are kept.
pub const KEEP_IDEMPOTENCY_HOURS: i64 = 24;

/// One minute of the watcher on this instance: the calendar reloaded (holidays changed by an
/// administrator on any instance reach this one too), then [`watch_once`], and on the
/// instance that ran it the retry keys past their day pruned; what a run over many dossiers
/// freed goes back to the system.
pub async fn run_once(app: &App, holder: &str) -> Result<WatchReport, OpError> {
    if let Err(e) = app.reload_calendar().await {
        tracing::warn!(error = %e, "calendar reload failed");
    }
    let now = Utc::now();
    let r = watch_once(app, holder, now).await?;
    if r.ran
        && let Err(e) = app
            .store
            .prune_idempotency_keys(now - chrono::Duration::hours(KEEP_IDEMPOTENCY_HOURS))
            .await
    {
        tracing::warn!(error = %e, "pruning idempotency keys failed");
    }
    let p = r.petitions;
    if r.ran && (r.alerts > 0 || r.apologies > 0 || p.alerts > 0 || p.reassigned > 0) {
        tracing::info!(
            alerts = r.alerts,
            apologies = r.apologies,
            petition_alerts = p.alerts,
            petitions_reassigned = p.reassigned,
            "deadlines watched"
        )
    }
    // An idle minute has nothing to give back.
    if r.dossiers > 0 {
        crate::give_back_memory();
    }
    Ok(r)
}

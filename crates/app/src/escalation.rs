//! Overdue petitions under the province's escalation rules (`App::pakn_escalation`), applied
//! by the deadline watcher under its lease: the officers a rule names are alerted once per
//! rule and due instant; a petition a rule reassigns goes to the agency it names, recorded as
//! an event of the petition (the petitioner is told through the outbox).

use chrono::{DateTime, Utc};
use motcua_domain::ids::AgencyCode;
use motcua_domain::pakn::{self, PaknState, RuleAction};
use motcua_domain::role::Role;
use motcua_store::{PetitionAlert, PetitionQuery, PetitionRow, User};

use crate::App;
use crate::error::{AppError, Kind};

/// Overdue petitions read per page.
const PAGE: u32 = 500;

/// What one look at the overdue petitions did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Escalated {
    pub alerts: usize,
    pub reassigned: usize,
}

/// The officers of `role` a rule alerts about a petition with `agency`: of that agency, or for
/// leaders and supervisors, of it and every agency above it.
fn recipients(users: &[User], agency: AgencyCode, role: Role) -> Vec<String> {
    let wide = matches!(role, Role::Leader | Role::Supervisor);
    users
        .iter()
        .filter(|u| u.active && u.role == role)
        .filter(|u| {
            u.agency
                .is_some_and(|a| a == agency || (wide && a.covers(&agency)))
        })
        .map(|u| u.username.clone())
        .collect()
}

/// Applies the rules to every petition overdue at `now`.
pub async fn escalate(
    state: &App,
    users: &[User],
    now: DateTime<Utc>,
) -> Result<Escalated, AppError> {
    let rules = &state.pakn_escalation;
    let mut done = Escalated::default();
    if rules.rules.is_empty() {
        return Ok(done);
    }
    let cal = state.calendar();
    let known: Vec<AgencyCode> = state.catalog.agencies().iter().map(|a| a.code).collect();
    let mut offset = 0;
    loop {
        let page = state
            .store
            .petitions(&PetitionQuery {
                agencies: None,
                states: Some(vec![
                    PaknState::Submitted,
                    PaknState::Accepted,
                    PaknState::Answered,
                ]),
                due_before: Some(now),
                offset,
                limit: PAGE,
            })
            .await?;
        let mut alerts = Vec::new();
        let mut moves: Vec<(&PetitionRow, pakn::Rule, DateTime<Utc>, AgencyCode)> = Vec::new();
        for row in &page {
            let Some(due) = row.facts.due_at else {
                continue;
            };
            for rule in rules.due(row.state, due, now, &cal) {
                match rule.action {
                    RuleAction::Notify(role) => {
                        alerts.extend(recipients(users, row.agency, role).into_iter().map(
                            |recipient| PetitionAlert {
                                petition: row.code,
                                rule: rule.to_string(),
                                due_at: due,
                                recipient,
                                created_at: now,
                                read_at: None,
                            },
                        ))
                    }
                    RuleAction::Reassign(target) => {
                        match target.resolve(row.agency).filter(|a| known.contains(a)) {
                            Some(to) => moves.push((row, *rule, due, to)),
                            None => {
                                tracing::warn!(code = %row.code, rule = %rule, "no agency to reassign the petition to")
                            }
                        }
                    }
                }
            }
        }
        done.alerts += state.store.raise_petition_alerts(&alerts).await? as usize;
        for (row, rule, due, to) in moves {
            let loaded = crate::pakn::load(state, &row.code).await?;
            let Some(event) = pakn::reassignment(&loaded.petition, &rule, due, to, now) else {
                continue;
            };
            match crate::pakn::append(state, loaded, vec![event]).await {
                Ok(_) => {
                    tracing::info!(code = %row.code, rule = %rule, to = %to, "petition reassigned");
                    done.reassigned += 1;
                }
                // Someone acted on it meanwhile: the next look judges it as it is now.
                Err(e) if e.kind == Kind::Conflict => {}
                Err(e) => return Err(e),
            }
        }
        if page.len() < PAGE as usize {
            return Ok(done);
        }
        offset += PAGE;
    }
}

//! The officers' work lists, shared by the API (`GET /api/v1/inbox`) and the back-office
//! pages: which dossiers a view holds for a user, limited to the agencies the user's agency
//! covers.

use chrono::{DateTime, Duration, Utc};
use motcua_domain::ids::AgencyCode;
use motcua_domain::lifecycle::{Alert, Status};
use motcua_domain::role::Role;
use motcua_store::{DossierRecord, StoreError, User, WorkQuery};

use crate::App;

/// The work lists an officer can open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Dossiers assigned to the caller.
    Mine,
    /// Dossiers held by the caller's agency (and the units under it).
    Unit,
    /// Held dossiers whose appointment or current step is due within the warning window.
    DueSoon,
    /// Held dossiers past their appointment or their step's budget.
    Overdue,
    /// Dossiers filed online or by post, waiting for the reception check at the caller's
    /// one-stop department, and supplements handed in there.
    Reception,
    /// Results waiting to be returned at the caller's one-stop department.
    Return,
}

impl View {
    pub const ALL: [View; 6] = [
        View::Mine,
        View::Unit,
        View::DueSoon,
        View::Overdue,
        View::Reception,
        View::Return,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            View::Mine => "mine",
            View::Unit => "unit",
            View::DueSoon => "due_soon",
            View::Overdue => "overdue",
            View::Reception => "reception",
            View::Return => "return",
        }
    }

    pub fn parse(s: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The view an officer of `role` starts on.
    pub fn home(role: Role) -> View {
        match role {
            Role::Reception => View::Reception,
            Role::Leader | Role::Supervisor => View::Overdue,
            _ => View::Mine,
        }
    }
}

/// Statuses in which an agency holds a dossier and works on it.
const HELD: [Status; 4] = [
    Status::Received,
    Status::InProcessing,
    Status::AwaitingSupplement,
    Status::Supplemented,
];

/// The codes of every agency `agency` covers (itself and the units under it); `None` when it
/// covers every agency there is (a province-wide view needs no agency filter).
pub async fn scope(state: &App, agency: AgencyCode) -> Result<Option<Vec<String>>, StoreError> {
    let all = state.store.agencies().await?;
    let covered: std::collections::BTreeSet<String> = all
        .iter()
        .filter(|a| agency.covers(&a.code))
        .map(|a| a.code.to_string())
        .chain(std::iter::once(agency.to_string()))
        .collect();
    if all.iter().all(|a| covered.contains(&a.code.to_string())) {
        return Ok(None);
    }
    Ok(Some(covered.into_iter().collect()))
}

/// One dossier of a work list with what makes it urgent.
pub struct Item {
    pub record: DossierRecord,
    pub alerts: Vec<Alert>,
}

/// What `view` holds for `user` at `now`; `None` for an officer of no agency.
async fn query(
    state: &App,
    user: &User,
    view: View,
    now: DateTime<Utc>,
) -> Result<Option<WorkQuery>, StoreError> {
    let Some(agency) = user.agency else {
        return Ok(None);
    };
    let agencies = scope(state, agency).await?;
    let policy = state.watch;
    let held = WorkQuery {
        holders: agencies.clone(),
        statuses: HELD.to_vec(),
        ..WorkQuery::default()
    };
    let query = match view {
        View::Mine => WorkQuery {
            assignee: Some(user.username.clone()),
            ..held
        },
        View::Unit => held,
        View::DueSoon => WorkQuery {
            due_before: Some(
                state
                    .calendar()
                    .add_working_time(now, Duration::hours(i64::from(policy.warn_hours))),
            ),
            due_from: Some(now),
            ..held
        },
        View::Overdue => WorkQuery {
            due_before: Some(now),
            ..held
        },
        View::Reception => WorkQuery {
            holders: None,
            receivers: agencies,
            statuses: vec![Status::Submitted],
            ..held
        },
        View::Return => WorkQuery {
            holders: None,
            receivers: agencies,
            statuses: vec![Status::ResultReady],
            ..held
        },
    };
    Ok(Some(query))
}

/// One page of `view` for `user`, most urgent first (`limit` dossiers after the first
/// `offset`), and how many dossiers the whole view holds.
pub async fn list(
    state: &App,
    user: &User,
    view: View,
    now: DateTime<Utc>,
    limit: u32,
    offset: u32,
) -> Result<(Vec<Item>, u64), StoreError> {
    let Some(query) = query(state, user, view, now).await? else {
        return Ok((Vec::new(), 0));
    };
    let total = state.store.count_work(&query).await?;
    let query = WorkQuery {
        limit,
        offset,
        ..query
    };
    let policy = state.watch;
    let calendar = state.calendar();
    let lifecycle = state.lifecycle_on(&calendar);
    let items = state
        .store
        .work(&query)
        .await?
        .into_iter()
        .map(|record| {
            let alerts = lifecycle
                .alerts(&record.state, now, &policy)
                .into_iter()
                .map(|(a, _)| a)
                .collect();
            Item { record, alerts }
        })
        // "Due soon" leaves out what is already late: that is the overdue list.
        .filter(|i| {
            view != View::DueSoon
                || i.alerts
                    .iter()
                    .any(|a| matches!(a, Alert::DueSoon | Alert::StepDueSoon))
                    && !i
                        .alerts
                        .iter()
                        .any(|a| matches!(a, Alert::Overdue | Alert::StepOverdue))
        })
        .collect();
    Ok((items, total))
}

/// Dossiers the caller's agency holds that are overdue or due soon, counted per holding agency
/// and current step.
pub struct Pressure {
    /// Agency code, step name (empty before the first step), overdue, due soon.
    pub rows: Vec<(AgencyCode, String, u64, u64)>,
    pub overdue: u64,
    pub due_soon: u64,
    /// Whether the rows count only the most urgent [`PRESSURE_LIMIT`] of a list.
    pub truncated: bool,
}

/// Dossiers read per list for [`pressure`].
pub const PRESSURE_LIMIT: u32 = 2_000;

/// The overdue and due-soon lists of `user` at `now`, counted per agency and step.
pub async fn pressure(
    state: &App,
    user: &User,
    now: DateTime<Utc>,
) -> Result<Pressure, StoreError> {
    let mut counts: std::collections::BTreeMap<(AgencyCode, String), (u64, u64)> =
        std::collections::BTreeMap::new();
    let mut totals = [0u64; 2];
    let mut truncated = false;
    for (i, view) in [View::Overdue, View::DueSoon].into_iter().enumerate() {
        let (items, total) = list(state, user, view, now, PRESSURE_LIMIT, 0).await?;
        let cut = total > u64::from(PRESSURE_LIMIT);
        truncated |= cut;
        for item in &items {
            let d = &item.record.state;
            let step = d
                .step
                .and_then(|s| d.intake.procedure.steps.get(s))
                .map_or_else(String::new, |s| s.name.clone());
            let entry = counts.entry((d.current_agency, step)).or_default();
            if i == 0 {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
        // A whole list is counted as read (the due-soon list leaves out the overdue ones its
        // query also finds); a cut one by its query's count.
        totals[i] = if cut { total } else { items.len() as u64 };
    }
    Ok(Pressure {
        rows: counts
            .into_iter()
            .map(|((agency, step), (late, soon))| (agency, step, late, soon))
            .collect(),
        overdue: totals[0],
        due_soon: totals[1],
        truncated,
    })
}

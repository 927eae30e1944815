//! The floor of a branch in the browser: the ticket kiosk (large touch targets, a printable
//! 80 mm ticket) and the display board (live calls by server-sent events, with a chime).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::Utc;
use motcua_domain::calendar::TZ;
use motcua_domain::queue::Priority;
use motcua_store::{Branch, ServiceGroup};

use super::account::local;
use super::forms::{Fields, Visitor, forged, get, with_cookie};
use super::{Chrome, render};
use crate::AppState;
use crate::api::reference::counter_code;

/// The board may run its script and open its event stream on this server, nothing else.
const BOARD_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

async fn branch_and_groups(state: &AppState, code: &str) -> Option<(Branch, Vec<ServiceGroup>)> {
    let b = state
        .store
        .branches()
        .await
        .ok()?
        .into_iter()
        .find(|b| b.code == code)?;
    let groups = state.store.service_groups(&b.code).await.ok()?;
    Some((b, groups))
}

fn missing(c: &Chrome) -> Response {
    super::error_page(
        StatusCode::NOT_FOUND,
        c,
        "branch-not-found",
        c.tr.t("not-found-lead"),
    )
}

#[derive(Template)]
#[template(path = "kiosk.html")]
struct KioskPage<'a> {
    c: &'a Chrome,
    csrf: String,
    branch: Branch,
    groups: Vec<ServiceGroup>,
    priorities: Vec<(&'static str, String)>,
}

pub(crate) async fn kiosk(
    State(state): State<AppState>,
    c: Chrome,
    mut v: Visitor,
    Path(code): Path<String>,
) -> Response {
    let c = c.with_nav("branches");
    let Some((branch, groups)) = branch_and_groups(&state, &code).await else {
        return missing(&c);
    };
    let (csrf, cookie) = v.csrf();
    let page = KioskPage {
        c: &c,
        csrf,
        branch,
        groups,
        priorities: Priority::ALL
            .into_iter()
            .map(|p| (p.as_str(), p.label(c.lang)))
            .collect(),
    };
    with_cookie(render(StatusCode::OK, &c, &page), cookie)
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPage<'a> {
    c: &'a Chrome,
    branch: Branch,
    number: String,
    group: String,
    priority: Option<String>,
    issued: String,
    ahead: usize,
    wait_minutes: i64,
}

pub(crate) async fn take(
    State(state): State<AppState>,
    c: Chrome,
    v: Visitor,
    Path(code): Path<String>,
    axum::Form(f): Fields,
) -> Response {
    let c = c.with_nav("branches");
    if !v.form_ok(get(&f, "csrf")) {
        return forged(&c);
    }
    let Some((branch, groups)) = branch_and_groups(&state, &code).await else {
        return missing(&c);
    };
    let Some(group) = groups.into_iter().find(|g| g.code == get(&f, "group")) else {
        return missing(&c);
    };
    let priority = Priority::parse(get(&f, "priority"));
    let (ticket, ahead, wait) =
        match crate::api::queue::issue(&state, &branch, &group, priority).await {
            Ok(x) => x,
            Err(e) => return super::catalog::store_failure(&c, e),
        };
    let page = TicketPage {
        c: &c,
        branch,
        number: ticket.number,
        group: group.name,
        priority: priority.map(|p| p.label(c.lang)),
        issued: local(ticket.issued_at),
        ahead,
        wait_minutes: wait.num_minutes(),
    };
    render(StatusCode::CREATED, &c, &page)
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage<'a> {
    c: &'a Chrome,
    branch: Branch,
    after: i64,
    calls: Vec<(String, String)>,
    waiting: Vec<(String, usize)>,
}

pub(crate) async fn board(
    State(state): State<AppState>,
    c: Chrome,
    Path(code): Path<String>,
) -> Response {
    let c = c.with_nav("branches");
    let Some((branch, groups)) = branch_and_groups(&state, &code).await else {
        return missing(&c);
    };
    let store = &state.store;
    let last = store.last_call_id().await.unwrap_or(0);
    let recent = store
        .calls_since((last - 500).max(0), Some(&branch.code), 1000)
        .await
        .unwrap_or_default();
    let calls = recent
        .iter()
        .rev()
        .take(8)
        .map(|call| {
            (
                call.number.clone(),
                counter_code(&branch.code, call.counter),
            )
        })
        .collect();
    let day = Utc::now().with_timezone(&TZ).date_naive();
    let mut waiting = Vec::new();
    for g in &groups {
        let n = store
            .waiting_tickets(&branch.code, std::slice::from_ref(&g.code), day)
            .await
            .map(|w| w.len())
            .unwrap_or(0);
        waiting.push((g.name.clone(), n));
    }
    let page = BoardPage {
        c: &c,
        branch,
        after: last,
        calls,
        waiting,
    };
    let mut response = render(StatusCode::OK, &c, &page);
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(BOARD_CSP),
    );
    response
}

#[derive(Template)]
#[template(path = "counter.html")]
struct CounterPage<'a> {
    c: &'a Chrome,
    csrf: String,
    code: String,
    branch: Branch,
    serving: Option<(String, String)>,
    notice: Option<String>,
    buttons: Vec<(&'static str, String, bool)>,
}

/// The counter console: the ticket being served and the buttons to call the next, call again,
/// and end the service (served or no-show). Reception officers of the branch's agency only.
pub(crate) async fn counter(
    State(state): State<AppState>,
    c: Chrome,
    officer: super::staff::Officer,
    Path(code): Path<String>,
    axum::extract::Query(q): axum::extract::Query<std::collections::BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("staff");
    let here = format!("/staff/counters/{code}");
    let notice = match q.get("done").map(String::as_str) {
        Some("none") => Some(c.tr.t("counter-nobody")),
        Some(_) => Some(c.tr.t("staff-action-done")),
        None => None,
    };
    counter_page(&state, &c, &officer, &here, &code, notice).await
}

async fn counter_page(
    state: &AppState,
    c: &Chrome,
    officer: &super::staff::Officer,
    here: &str,
    code: &str,
    notice: Option<String>,
) -> Response {
    let (branch, number) = match at_counter(state, c, officer, here, code).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let serving = state
        .store
        .serving(&branch.code, number)
        .await
        .ok()
        .flatten()
        .map(|t| (t.number, t.called_at.map(local).unwrap_or_default()));
    let page = CounterPage {
        c,
        csrf: officer.csrf(),
        code: code.to_string(),
        branch,
        serving,
        notice,
        buttons: [
            ("next", "counter-next"),
            ("recall", "counter-recall"),
            ("done", "counter-done"),
            ("no_show", "counter-no-show"),
        ]
        .into_iter()
        .map(|(k, label)| (k, c.tr.t(label), k == "next"))
        .collect(),
    };
    render(StatusCode::OK, c, &page)
}

/// The branch and counter number of counter `code`, when the signed-in officer may work there.
async fn at_counter(
    state: &AppState,
    c: &Chrome,
    officer: &super::staff::Officer,
    here: &str,
    code: &str,
) -> Result<(Branch, i64), Box<Response>> {
    let user = officer.user(here)?;
    let found = match code.rsplit_once('-') {
        Some((b, n)) => match (branch_and_groups(state, b).await, n.parse::<i64>()) {
            (Some((branch, _)), Ok(n)) if branch.counters.iter().any(|k| k.number == n) => {
                Some((branch, n))
            }
            _ => None,
        },
        None => None,
    };
    let Some((branch, number)) = found else {
        return Err(Box::new(missing(c)));
    };
    let allowed = user.role == motcua_domain::role::Role::Reception
        && user.agency.is_some_and(|a| a.covers(&branch.agency));
    if !allowed {
        return Err(Box::new(super::error_page(
            StatusCode::FORBIDDEN,
            c,
            "admin-forbidden-title",
            c.tr.t("counter-forbidden"),
        )));
    }
    Ok((branch, number))
}

/// One of the console's buttons: `next`, `recall`, `done` or `no_show`.
pub(crate) async fn counter_act(
    State(state): State<AppState>,
    c: Chrome,
    officer: super::staff::Officer,
    Path(code): Path<String>,
    axum::Form(f): Fields,
) -> Response {
    let c = c.with_nav("staff");
    let here = format!("/staff/counters/{code}");
    let user = match officer.form(&c, &here, get(&f, "csrf")) {
        Ok(u) => u.username.clone(),
        Err(r) => return *r,
    };
    let (branch, number) = match at_counter(&state, &c, &officer, &here, &code).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let store = &state.store;
    let now = Utc::now();
    let serving = store.serving(&branch.code, number).await.ok().flatten();
    let done = match (get(&f, "do"), serving) {
        ("next", _) => motcua_store::ops::call_next(&**store, &branch.code, number, &user, now)
            .await
            .map(|t| t.is_some()),
        ("recall", Some(t)) => store.recall(t.id, number, now).await,
        ("done", Some(t)) => {
            store
                .end_service(t.id, number, motcua_store::TicketStatus::Done, now)
                .await
        }
        ("no_show", Some(t)) => {
            store
                .end_service(t.id, number, motcua_store::TicketStatus::NoShow, now)
                .await
        }
        _ => Ok(false),
    };
    match done {
        Ok(true) => super::forms::see_other(&format!("{here}?done=1")),
        Ok(false) => super::forms::see_other(&format!("{here}?done=none")),
        Err(e) => super::catalog::store_failure(&c, e),
    }
}

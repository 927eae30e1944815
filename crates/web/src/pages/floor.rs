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

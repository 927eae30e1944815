//! The queue of a branch over the API: a kiosk (or an app) takes a ticket; an officer at a
//! counter calls the next one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use motcua_app::error::Kind;
use motcua_domain::ids::CounterCode;
use motcua_domain::ids::{BranchCode, TicketId};
use motcua_domain::queue::Priority;
use motcua_store::{ServiceGroup, Ticket, TicketStatus, ops};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::{ApiJson, WebError};
use crate::request::Client;
use motcua_app::App;
use motcua_app::floor::{
    GroupWait, Origin, branch, counter_officer, group, group_waits, issue, nobody_served,
};

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct TicketRequest {
    /// The service group's code (see `GET /api/v1/branches`).
    group: String,
    /// `elderly`, `disability`, `pregnant`, `merit` or `small_child`.
    priority: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TicketView {
    #[schema(value_type = i64)]
    id: TicketId,
    /// As shown and called: `A007`.
    number: String,
    branch_code: String,
    group: String,
    group_name: String,
    priority: Option<&'static str>,
    issued_at: DateTime<Utc>,
    /// Called tickets: the counter's code and number.
    counter_code: Option<String>,
    counter: Option<i64>,
    /// Waiting tickets: how many are called before this one, and the expected wait.
    pub(crate) people_ahead: Option<usize>,
    pub(crate) expected_wait_minutes: Option<i64>,
    /// Checked-in appointments: the slot that places the ticket.
    slot: Option<DateTime<Utc>>,
    /// The dossier received or returned during the service.
    dossier: Option<String>,
}

pub(crate) fn ticket_view(t: &Ticket, group: &ServiceGroup) -> TicketView {
    TicketView {
        id: t.id,
        number: t.number.clone(),
        branch_code: t.branch.to_string(),
        group: t.group.clone(),
        group_name: group.name.clone(),
        priority: t.priority.map(Priority::as_str),
        issued_at: t.issued_at,
        counter_code: t
            .counter
            .map(|n| CounterCode::new(&t.branch, n).to_string()),
        counter: t.counter,
        people_ahead: None,
        expected_wait_minutes: None,
        slot: t.slot_at,
        dossier: t.dossier.clone(),
    }
}

/// Takes a ticket in a service group of a branch. A registered kiosk of the branch (its key,
/// with the `floor:kiosk` scope, as bearer) may give a priority; anyone else (no log-in) takes
/// an ordinary ticket, a few an hour. The answer says how many are called first and the
/// expected wait.
#[utoipa::path(
    post, path = "/api/v1/branches/{branch}/tickets", tag = "queue", request_body = TicketRequest,
    params(("branch" = String, Path, description = "Branch code")),
    responses(
        (status = 201, body = TicketView),
        (status = 403, body = crate::error::ErrorBody, description = "a priority asked for away from a kiosk"),
        (status = 404, body = crate::error::ErrorBody, description = "no such branch or group"),
        (status = 422, body = crate::error::ErrorBody, description = "unknown priority"),
        (status = 429, body = crate::error::ErrorBody, description = "too many tickets; see Retry-After")
    )
)]
pub(crate) async fn take(
    State(state): State<App>,
    Caller(principal): Caller,
    Client(client): Client,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<TicketRequest>,
) -> Result<(StatusCode, Json<TicketView>), WebError> {
    let branch = branch(&state, &code).await?;
    let origin = Origin::of(&principal, &branch, &client);
    let priority = match req.priority.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(p) => Some(Priority::parse(p).ok_or_else(|| {
            WebError::new(Kind::Invalid, "invalid_priority", "error-invalid-priority")
        })?),
    };
    let group = group(&state, &branch.code, &req.group).await?;
    let (ticket, ahead, wait) = issue(&state, &branch, &group, priority, origin).await?;
    let mut view = ticket_view(&ticket, &group);
    view.people_ahead = Some(ahead);
    view.expected_wait_minutes = Some(wait.num_minutes());
    Ok((StatusCode::CREATED, Json(view)))
}

/// Calls the next ticket to a counter (priority tickets, begun appointments, then order of
/// arrival); 204 when nobody waits. For reception officers of the branch's agency. Two
/// counters calling at the same instant never get the same ticket.
#[utoipa::path(
    post, path = "/api/v1/counters/{counter}/call-next", tag = "queue", security(("bearer" = [])),
    params(("counter" = String, Path, description = "Counter code, `{branch}-{number}`")),
    responses(
        (status = 200, body = TicketView),
        (status = 204, description = "nobody waits"),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn call_next(
    State(state): State<App>,
    Caller(principal): Caller,
    Path(counter): Path<String>,
) -> Result<Response, WebError> {
    let (user, branch, number) = counter_officer(&state, &principal, &counter).await?;
    let now = Utc::now();
    let called = ops::call_next(&*state.store, &branch.code, number, &user, now).await?;
    let Some(ticket) = called else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    state.live.poke();
    let group = group(&state, &ticket.branch, &ticket.group).await?;
    tracing::info!(number = %ticket.number, counter = %counter, officer = %user, "ticket called");
    Ok(Json(ticket_view(&ticket, &group)).into_response())
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct CallView {
    number: String,
    group: String,
    counter: i64,
    counter_code: String,
    at: DateTime<Utc>,
}

fn call_event(c: &motcua_store::TicketCall) -> axum::response::sse::Event {
    let view = CallView {
        number: c.number.clone(),
        group: c.group.clone(),
        counter: c.counter,
        counter_code: CounterCode::new(&c.branch, c.counter).to_string(),
        at: c.at,
    };
    axum::response::sse::Event::default()
        .id(c.id.to_string())
        .event("call")
        .data(serde_json::to_string(&view).unwrap_or_default())
}

#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct BoardQuery {
    /// Replay the calls after this one (the board's last shown); `Last-Event-ID` does the same
    /// on reconnection. Without either, the stream starts with the next call.
    after: Option<i64>,
}

/// What a board stream keeps between events.
struct Follow {
    replay: std::vec::IntoIter<motcua_store::TicketCall>,
    rx: tokio::sync::broadcast::Receiver<motcua_store::TicketCall>,
    loads: tokio::sync::watch::Receiver<std::sync::Arc<motcua_app::board::Loads>>,
    groups: Vec<ServiceGroup>,
    /// The waiting lines last sent; a new snapshot is sent only when this branch's changed.
    shown: Option<Vec<GroupWait>>,
    last: i64,
    branch: BranchCode,
    store: std::sync::Arc<dyn motcua_store::Store>,
}

fn waiting_event(waits: &[GroupWait]) -> axum::response::sse::Event {
    axum::response::sse::Event::default()
        .event("waiting")
        .data(serde_json::to_string(waits).unwrap_or_default())
}

/// The calls of a branch as server-sent events (`event: call`, `id:` the call's id, `data:`
/// number, group, counter and counter code), live; a board that reconnects with
/// `Last-Event-ID` is replayed what it missed. Between them, `event: waiting` carries each
/// group's waiting line and expected wait whenever they change (and first thing).
#[utoipa::path(
    get, path = "/api/v1/branches/{branch}/board", tag = "queue",
    params(("branch" = String, Path, description = "Branch code"), BoardQuery),
    responses(
        (status = 200, content_type = "text/event-stream", body = CallView),
        (status = 404, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn board(
    State(state): State<App>,
    Path(code): Path<String>,
    headers: axum::http::HeaderMap,
    axum::extract::Query(q): axum::extract::Query<BoardQuery>,
) -> Result<Response, WebError> {
    use axum::response::sse::{KeepAlive, Sse};
    use tokio::sync::broadcast::error::RecvError;
    let branch = branch(&state, &code).await?;
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .or(q.after);
    // Subscribe before reading the log, so nothing falls between the two.
    let rx = state.live.subscribe();
    let mut loads = state.live.loads();
    loads.mark_unchanged();
    let store = state.store.clone();
    let after = match resume {
        Some(a) => a.max(0),
        None => store.last_call_id().await?,
    };
    let replay = store.calls_since(after, Some(&branch.code), 1000).await?;
    let groups = store.service_groups(&branch.code).await?;
    let first = group_waits(&branch.code, &groups, &*state.live.loads_now(&*store).await);
    let start = Follow {
        replay: replay.into_iter(),
        rx,
        loads,
        groups,
        shown: None,
        last: after,
        branch: branch.code,
        store,
    };
    let opening = futures_util::stream::once(async move {
        Ok::<_, std::convert::Infallible>(waiting_event(&first))
    });
    let stream = futures_util::stream::unfold(start, |mut st| async move {
        loop {
            if let Some(c) = st.replay.next() {
                if c.id > st.last {
                    st.last = c.id;
                    return Some((Ok::<_, std::convert::Infallible>(call_event(&c)), st));
                }
                continue;
            }
            tokio::select! {
                got = st.rx.recv() => match got {
                    Ok(c) if c.branch == st.branch && c.id > st.last => {
                        st.last = c.id;
                        return Some((Ok(call_event(&c)), st));
                    }
                    Ok(_) => {}
                    // Fallen behind the channel: read what was missed from the log.
                    Err(RecvError::Lagged(_)) => {
                        let missed = st
                            .store
                            .calls_since(st.last, Some(&st.branch), 1000)
                            .await
                            .unwrap_or_default();
                        st.replay = missed.into_iter();
                    }
                    Err(RecvError::Closed) => return None,
                },
                changed = st.loads.changed() => {
                    if changed.is_err() {
                        return None;
                    }
                    let snapshot = st.loads.borrow_and_update().clone();
                    let waits = group_waits(&st.branch, &st.groups, &snapshot);
                    if st.shown.as_ref() != Some(&waits) {
                        let event = waiting_event(&waits);
                        st.shown = Some(waits);
                        return Some((Ok(event), st));
                    }
                }
            }
        }
    });
    Ok(Sse::new(futures_util::StreamExt::chain(opening, stream))
        .keep_alive(KeepAlive::default())
        .into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct EndRequest {
    /// `done` (served) or `no_show`.
    outcome: String,
}

/// Calls the ticket being served at the counter again (the boards show it again).
#[utoipa::path(
    post, path = "/api/v1/counters/{counter}/recall", tag = "queue", security(("bearer" = [])),
    params(("counter" = String, Path, description = "Counter code, `{branch}-{number}`")),
    responses(
        (status = 200, body = TicketView),
        (status = 403, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "nobody is being served")
    )
)]
pub(crate) async fn recall(
    State(state): State<App>,
    Caller(principal): Caller,
    Path(counter): Path<String>,
) -> Result<Json<TicketView>, WebError> {
    let (_, branch, number) = counter_officer(&state, &principal, &counter).await?;
    let store = &state.store;
    let ticket = store
        .serving(&branch.code, number)
        .await?
        .ok_or_else(nobody_served)?;
    if !store.recall(ticket.id, number, Utc::now()).await? {
        return Err(nobody_served().into());
    }
    state.live.poke();
    let group = group(&state, &ticket.branch, &ticket.group).await?;
    Ok(Json(ticket_view(&ticket, &group)))
}

/// Ends the service at the counter: `done` (served) or `no_show`. Its time from the call to
/// the end feeds the group's wait estimates.
#[utoipa::path(
    post, path = "/api/v1/counters/{counter}/end", tag = "queue", security(("bearer" = [])),
    params(("counter" = String, Path, description = "Counter code, `{branch}-{number}`")),
    request_body = EndRequest,
    responses(
        (status = 200, body = TicketView),
        (status = 403, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "nobody is being served"),
        (status = 422, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn end(
    State(state): State<App>,
    Caller(principal): Caller,
    Path(counter): Path<String>,
    ApiJson(req): ApiJson<EndRequest>,
) -> Result<Json<TicketView>, WebError> {
    let (_, branch, number) = counter_officer(&state, &principal, &counter).await?;
    let outcome = match req.outcome.as_str() {
        "done" => TicketStatus::Done,
        "no_show" => TicketStatus::NoShow,
        _ => {
            return Err(WebError::new(
                Kind::Invalid,
                "invalid_outcome",
                "error-invalid-outcome",
            ));
        }
    };
    let store = &state.store;
    let mut ticket = store
        .serving(&branch.code, number)
        .await?
        .ok_or_else(nobody_served)?;
    let now = Utc::now();
    if !store.end_service(ticket.id, number, outcome, now).await? {
        return Err(nobody_served().into());
    }
    state.live.poke();
    ticket.status = outcome;
    ticket.ended_at = Some(now);
    let group = group(&state, &ticket.branch, &ticket.group).await?;
    Ok(Json(ticket_view(&ticket, &group)))
}

//! The queue of a branch over the API: a kiosk (or an app) takes a ticket; an officer at a
//! counter calls the next one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use motcua_domain::Lang;
use motcua_domain::calendar::TZ;
use motcua_domain::queue::{self, Priority, Waiting};
use motcua_store::{Branch, ServiceGroup, StoreError, Ticket, TicketStatus, ops};
use serde::{Deserialize, Serialize};

use crate::api::floor::{GroupWait, group_waits};
use crate::api::reference::counter_code;
use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ReqLang, pick};
use motcua_app::App;
use motcua_app::counter::CounterRefusal;
use motcua_app::principal::Principal;

/// Service time assumed before a group has any measured service.
pub(crate) const DEFAULT_SERVICE: Duration = Duration::minutes(10);

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct TicketRequest {
    /// The service group's code (see `GET /api/v1/branches`).
    group: String,
    /// `elderly`, `disability`, `pregnant`, `merit` or `small_child`.
    priority: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TicketView {
    id: i64,
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

pub(crate) fn not_found(lang: Lang, vi: &str, en: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", pick(lang, vi, en))
}

pub(crate) async fn branch(state: &App, code: &str, lang: Lang) -> Result<Branch, ApiError> {
    motcua_app::counter::branch(state, code)
        .await
        .map_err(|e| ApiError::store(e, lang))?
        .ok_or_else(|| not_found(lang, "Không có điểm tiếp nhận này.", "No such branch."))
}

/// Issues a ticket of the day in `group` and says how many are called before it and the
/// expected wait (for the API and the kiosk page alike).
pub(crate) async fn issue(
    state: &App,
    branch: &Branch,
    group: &ServiceGroup,
    priority: Option<Priority>,
) -> Result<(Ticket, usize, Duration), StoreError> {
    let now = Utc::now();
    let day = now.with_timezone(&TZ).date_naive();
    let ticket = state
        .store
        .issue_ticket(&branch.code, &group.code, priority, None, day, now)
        .await?;
    state.live.poke();
    let (ahead, wait) = place(state, &ticket, group, now).await?;
    Ok((ticket, ahead, wait))
}

/// How many are called before a waiting ticket at `now`, and its expected wait from the
/// group's service times of the day.
pub(crate) async fn place(
    state: &App,
    ticket: &Ticket,
    group: &ServiceGroup,
    now: DateTime<Utc>,
) -> Result<(usize, Duration), StoreError> {
    let store = &state.store;
    let waiting = store
        .waiting_tickets(
            &ticket.branch,
            std::slice::from_ref(&group.code),
            None,
            ticket.day,
        )
        .await?;
    let line: Vec<Waiting> = waiting.iter().map(Ticket::waiting).collect();
    let ahead = line
        .iter()
        .find(|w| w.id == ticket.id)
        .map_or(0, |me| queue::ahead_of(&line, me, now));
    // The same service times as the board's estimate (the live snapshot, at most a second old).
    let loads = state.live.loads_now(&**store).await;
    let served = loads
        .of(&ticket.branch, &group.code)
        .map_or(&[][..], |l| &l.service_secs[..]);
    let wait = queue::expected_wait(ahead, group.counters.len(), served, DEFAULT_SERVICE);
    Ok((ahead, wait))
}

pub(crate) fn ticket_view(t: &Ticket, group: &ServiceGroup) -> TicketView {
    TicketView {
        id: t.id,
        number: t.number.clone(),
        branch_code: t.branch.clone(),
        group: t.group.clone(),
        group_name: group.name.clone(),
        priority: t.priority.map(Priority::as_str),
        issued_at: t.issued_at,
        counter_code: t.counter.map(|n| counter_code(&t.branch, n)),
        counter: t.counter,
        people_ahead: None,
        expected_wait_minutes: None,
        slot: t.slot_at,
        dossier: t.dossier.clone(),
    }
}

/// Takes a ticket in a service group of a branch (the kiosk's call; no log-in). The answer
/// says how many are called first and the expected wait.
#[utoipa::path(
    post, path = "/api/v1/branches/{branch}/tickets", tag = "queue", request_body = TicketRequest,
    params(("branch" = String, Path, description = "Branch code")),
    responses(
        (status = 201, body = TicketView),
        (status = 404, body = crate::error::ErrorBody, description = "no such branch or group"),
        (status = 422, body = crate::error::ErrorBody, description = "unknown priority")
    )
)]
pub(crate) async fn take(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<TicketRequest>,
) -> Result<(StatusCode, Json<TicketView>), ApiError> {
    let branch = branch(&state, &code, lang).await?;
    let priority = match req.priority.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(p) => Some(Priority::parse(p).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_priority",
                pick(
                    lang,
                    "Đối tượng ưu tiên phải là elderly, disability, pregnant, merit hoặc small_child.",
                    "priority must be elderly, disability, pregnant, merit or small_child.",
                ),
            )
        })?),
    };
    let group = group(&state, &branch.code, &req.group, lang).await?;
    let (ticket, ahead, wait) = match issue(&state, &branch, &group, priority).await {
        Ok(x) => x,
        Err(StoreError::NotFound) => {
            return Err(not_found(
                lang,
                "Không có nhóm dịch vụ này.",
                "No such service group.",
            ));
        }
        Err(e) => return Err(ApiError::store(e, lang)),
    };
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
    ReqLang(lang): ReqLang,
    Caller(principal): Caller,
    Path(counter): Path<String>,
) -> Result<Response, ApiError> {
    let (user, branch, number) = counter_officer(&state, &principal, &counter, lang).await?;
    let now = Utc::now();
    let called = ops::call_next(&*state.store, &branch.code, number, &user, now)
        .await
        .map_err(|e| ApiError::store(e, lang))?;
    let Some(ticket) = called else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    state.live.poke();
    let group = group(&state, &ticket.branch, &ticket.group, lang).await?;
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
        counter_code: counter_code(&c.branch, c.counter),
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
    branch: String,
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
    ReqLang(lang): ReqLang,
    Path(code): Path<String>,
    headers: axum::http::HeaderMap,
    axum::extract::Query(q): axum::extract::Query<BoardQuery>,
) -> Result<Response, ApiError> {
    use axum::response::sse::{KeepAlive, Sse};
    use tokio::sync::broadcast::error::RecvError;
    let branch = branch(&state, &code, lang).await?;
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
        None => store
            .last_call_id()
            .await
            .map_err(|e| ApiError::store(e, lang))?,
    };
    let replay = store
        .calls_since(after, Some(&branch.code), 1000)
        .await
        .map_err(|e| ApiError::store(e, lang))?;
    let groups = store
        .service_groups(&branch.code)
        .await
        .map_err(|e| ApiError::store(e, lang))?;
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

/// The officer acting at counter `code` (`{branch}-{number}`): a reception officer of the
/// branch's agency; the counter must exist (`motcua_app::counter::at_counter`).
pub(crate) async fn counter_officer(
    state: &App,
    principal: &Principal,
    code: &str,
    lang: Lang,
) -> Result<(String, Branch, i64), ApiError> {
    let user = match principal {
        Principal::Staff(u) => u,
        Principal::Anonymous => return Err(ApiError::unauthorized(lang)),
        _ => return Err(ApiError::forbidden(lang)),
    };
    match motcua_app::counter::at_counter(state, user, code).await {
        Ok((branch, number)) => Ok((user.username.clone(), branch, number)),
        Err(CounterRefusal::Unknown) => {
            Err(not_found(lang, "Không có quầy này.", "No such counter."))
        }
        Err(CounterRefusal::NotHere) => Err(ApiError::forbidden(lang)),
        Err(CounterRefusal::Store(e)) => Err(ApiError::store(e, lang)),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct EndRequest {
    /// `done` (served) or `no_show`.
    outcome: String,
}

pub(crate) fn nobody_served(lang: Lang) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "nobody_served",
        pick(
            lang,
            "Quầy không đang phục vụ số nào.",
            "The counter is serving nobody.",
        ),
    )
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
    ReqLang(lang): ReqLang,
    Caller(principal): Caller,
    Path(counter): Path<String>,
) -> Result<Json<TicketView>, ApiError> {
    let (_, branch, number) = counter_officer(&state, &principal, &counter, lang).await?;
    let store = &state.store;
    let ticket = store
        .serving(&branch.code, number)
        .await
        .map_err(|e| ApiError::store(e, lang))?
        .ok_or_else(|| nobody_served(lang))?;
    if !store
        .recall(ticket.id, number, Utc::now())
        .await
        .map_err(|e| ApiError::store(e, lang))?
    {
        return Err(nobody_served(lang));
    }
    state.live.poke();
    let group = group(&state, &ticket.branch, &ticket.group, lang).await?;
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
    ReqLang(lang): ReqLang,
    Caller(principal): Caller,
    Path(counter): Path<String>,
    ApiJson(req): ApiJson<EndRequest>,
) -> Result<Json<TicketView>, ApiError> {
    let (_, branch, number) = counter_officer(&state, &principal, &counter, lang).await?;
    let outcome = match req.outcome.as_str() {
        "done" => TicketStatus::Done,
        "no_show" => TicketStatus::NoShow,
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_outcome",
                pick(
                    lang,
                    "outcome phải là done hoặc no_show.",
                    "outcome must be done or no_show.",
                ),
            ));
        }
    };
    let store = &state.store;
    let mut ticket = store
        .serving(&branch.code, number)
        .await
        .map_err(|e| ApiError::store(e, lang))?
        .ok_or_else(|| nobody_served(lang))?;
    let now = Utc::now();
    if !store
        .end_service(ticket.id, number, outcome, now)
        .await
        .map_err(|e| ApiError::store(e, lang))?
    {
        return Err(nobody_served(lang));
    }
    state.live.poke();
    ticket.status = outcome;
    ticket.ended_at = Some(now);
    let group = group(&state, &ticket.branch, &ticket.group, lang).await?;
    Ok(Json(ticket_view(&ticket, &group)))
}

/// Service group `code` of branch `branch`; 404 when it has none such.
pub(crate) async fn group(
    state: &App,
    branch: &str,
    code: &str,
    lang: Lang,
) -> Result<ServiceGroup, ApiError> {
    state
        .store
        .service_groups(branch)
        .await
        .map_err(|e| ApiError::store(e, lang))?
        .into_iter()
        .find(|g| g.code == code)
        .ok_or_else(|| not_found(lang, "Không có nhóm dịch vụ này.", "No such service group."))
}

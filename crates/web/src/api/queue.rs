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
use motcua_domain::role::Role;
use motcua_store::{Branch, ServiceGroup, StoreError, Ticket, ops};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::reference::counter_code;
use crate::auth::Principal;
use crate::error::{ApiError, ApiJson, ReqLang, pick};

/// Service time assumed before a group has any measured service.
const DEFAULT_SERVICE: Duration = Duration::minutes(10);

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
    people_ahead: Option<usize>,
    expected_wait_minutes: Option<i64>,
}

fn not_found(lang: Lang, vi: &str, en: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", pick(lang, vi, en))
}

async fn branch(state: &AppState, code: &str, lang: Lang) -> Result<Branch, ApiError> {
    state
        .store
        .branches()
        .await
        .map_err(|e| ApiError::store(e, lang))?
        .into_iter()
        .find(|b| b.code == code)
        .ok_or_else(|| not_found(lang, "Không có điểm tiếp nhận này.", "No such branch."))
}

fn line(tickets: &[Ticket]) -> Vec<Waiting> {
    tickets
        .iter()
        .map(|t| Waiting {
            id: t.id,
            issued_at: t.issued_at,
            priority: t.priority,
            slot: t.slot_at,
        })
        .collect()
}

fn ticket_view(t: &Ticket, group: &ServiceGroup) -> TicketView {
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
    State(state): State<AppState>,
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
    let store = &state.store;
    let group = store
        .service_groups(&branch.code)
        .await
        .map_err(|e| ApiError::store(e, lang))?
        .into_iter()
        .find(|g| g.code == req.group)
        .ok_or_else(|| not_found(lang, "Không có nhóm dịch vụ này.", "No such service group."))?;
    let now = Utc::now();
    let day = now.with_timezone(&TZ).date_naive();
    let ticket = match store
        .issue_ticket(&branch.code, &group.code, priority, None, day, now)
        .await
    {
        Ok(t) => t,
        Err(StoreError::NotFound) => {
            return Err(not_found(
                lang,
                "Không có nhóm dịch vụ này.",
                "No such service group.",
            ));
        }
        Err(e) => return Err(ApiError::store(e, lang)),
    };
    let waiting = store
        .waiting_tickets(&branch.code, std::slice::from_ref(&group.code), day)
        .await
        .map_err(|e| ApiError::store(e, lang))?;
    let waiting_line = line(&waiting);
    let me = waiting_line.iter().find(|w| w.id == ticket.id);
    let ahead = me.map_or(0, |m| queue::ahead_of(&waiting_line, m, now));
    let wait = queue::expected_wait(ahead, group.counters.len(), &[], DEFAULT_SERVICE);
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
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    principal: Principal,
    Path(counter): Path<String>,
) -> Result<Response, ApiError> {
    let user = match &principal {
        Principal::Staff(u) => u,
        Principal::Anonymous => return Err(ApiError::unauthorized(lang)),
        _ => return Err(ApiError::forbidden(lang)),
    };
    let missing = || not_found(lang, "Không có quầy này.", "No such counter.");
    let (branch_code, number) = counter
        .rsplit_once('-')
        .and_then(|(b, n)| Some((b, n.parse::<i64>().ok()?)))
        .ok_or_else(missing)?;
    let branch = branch(&state, branch_code, lang).await?;
    if !branch.counters.iter().any(|c| c.number == number) {
        return Err(missing());
    }
    let serves =
        user.role == Role::Reception && user.agency.is_some_and(|a| a.covers(&branch.agency));
    if !serves {
        return Err(ApiError::forbidden(lang));
    }
    let now = Utc::now();
    let called = ops::call_next(&*state.store, &branch.code, number, &user.username, now)
        .await
        .map_err(|e| ApiError::store(e, lang))?;
    let Some(ticket) = called else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let group = state
        .store
        .service_groups(&branch.code)
        .await
        .map_err(|e| ApiError::store(e, lang))?
        .into_iter()
        .find(|g| g.code == ticket.group)
        .ok_or_else(missing)?;
    tracing::info!(number = %ticket.number, counter = %counter, officer = %user.username, "ticket called");
    Ok(Json(ticket_view(&ticket, &group)).into_response())
}

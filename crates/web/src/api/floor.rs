//! The rest of the floor over the API: each group's waiting line and expected wait, moving a
//! ticket to another group or counter, linking it to the dossier served, and appointments
//! booked by slot and checked in at the kiosk.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_app::error::Kind;
use motcua_domain::calendar::TZ;
use motcua_domain::ids::Phone;
use motcua_store::{Appointment, AppointmentStatus};
use serde::{Deserialize, Serialize};

use super::queue::{TicketView, ticket_view};
use crate::auth::Caller;
use crate::error::{ApiJson, ApiQuery, WebError};
use crate::request::Client;
use motcua_app::App;
use motcua_app::error::AppError;
use motcua_app::floor::{
    self, Origin, book, branch, check_in, counter_officer, day_slots, group, link_served,
    transfer_served, waits_now,
};
use motcua_app::principal::Principal;

/// A service group's line now.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = GroupWait)]
pub(crate) struct GroupWaitView {
    group: String,
    name: String,
    waiting: i64,
    /// Tickets being served at the group's counters.
    serving: i64,
    /// What a ticket taken now should expect, from the day's service times.
    expected_wait_minutes: i64,
}

impl From<floor::GroupWait> for GroupWaitView {
    fn from(w: floor::GroupWait) -> Self {
        GroupWaitView {
            group: w.group,
            name: w.name,
            waiting: w.waiting,
            serving: w.serving,
            expected_wait_minutes: w.expected_wait_minutes,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct QueueView {
    branch_code: String,
    groups: Vec<GroupWaitView>,
}

/// Each service group's waiting line and the expected wait for a ticket taken now (public).
#[utoipa::path(
    get, path = "/api/v1/branches/{branch}/queue", tag = "queue",
    params(("branch" = String, Path, description = "Branch code")),
    responses((status = 200, body = QueueView), (status = 404, body = crate::error::ErrorBody))
)]
pub(crate) async fn queue_state(
    State(state): State<App>,
    Path(code): Path<String>,
) -> Result<Json<QueueView>, WebError> {
    let b = branch(&state, &code).await?;
    let groups = waits_now(&state, &b.code).await?;
    Ok(Json(QueueView {
        branch_code: b.code.to_string(),
        groups: groups.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct TransferRequest {
    /// The group to wait in next (default: the ticket's group).
    group: Option<String>,
    /// A counter code (`{branch}-{NN}`) of the same branch: only that counter calls it.
    counter: Option<String>,
}

/// Sends the ticket served at a counter to another group or counter of the branch. It keeps
/// its number and arrival, so it waits ahead of those who came after it.
#[utoipa::path(
    post, path = "/api/v1/counters/{counter}/transfer", tag = "queue", security(("bearer" = [])),
    params(("counter" = String, Path, description = "Counter code, `{branch}-{number}`")),
    request_body = TransferRequest,
    responses(
        (status = 200, body = TicketView),
        (status = 403, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "nobody is being served"),
        (status = 422, body = crate::error::ErrorBody, description = "no such group or counter")
    )
)]
pub(crate) async fn transfer(
    State(state): State<App>,
    Caller(principal): Caller,
    Path(counter): Path<String>,
    ApiJson(req): ApiJson<TransferRequest>,
) -> Result<Json<TicketView>, WebError> {
    let (_, branch, number) = counter_officer(&state, &principal, &counter).await?;
    let (ticket, group) = transfer_served(&state, &branch, number, req.group, req.counter).await?;
    Ok(Json(ticket_view(&ticket, &group)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct LinkRequest {
    /// The code of the dossier received or returned while serving the ticket.
    dossier: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct LinkView {
    number: String,
    dossier: Option<String>,
}

/// Links the ticket being served at the counter to the dossier received or returned.
#[utoipa::path(
    post, path = "/api/v1/counters/{counter}/link", tag = "queue", security(("bearer" = [])),
    params(("counter" = String, Path, description = "Counter code, `{branch}-{number}`")),
    request_body = LinkRequest,
    responses(
        (status = 200, body = LinkView),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody, description = "no such dossier in the officer's scope"),
        (status = 409, body = crate::error::ErrorBody, description = "nobody is being served")
    )
)]
pub(crate) async fn link(
    State(state): State<App>,
    Caller(principal): Caller,
    Path(counter): Path<String>,
    ApiJson(req): ApiJson<LinkRequest>,
) -> Result<Json<LinkView>, WebError> {
    let (_, branch, number) = counter_officer(&state, &principal, &counter).await?;
    let ticket = link_served(&state, &principal, &branch, number, &req.dossier).await?;
    Ok(Json(LinkView {
        number: ticket.number,
        dossier: ticket.dossier,
    }))
}

// ---- Appointments ----

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SlotsQuery {
    /// Service group code.
    group: String,
    /// First day (YYYY-MM-DD); today by default.
    from: Option<NaiveDate>,
    /// How many days (1–14, default 7).
    days: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SlotView)]
pub(crate) struct SlotWire {
    at: DateTime<Utc>,
    /// Local time, `08:30`.
    time: String,
    free: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = DaySlots)]
pub(crate) struct DaySlotsWire {
    day: NaiveDate,
    slots: Vec<SlotWire>,
}

impl From<floor::DaySlots> for DaySlotsWire {
    fn from(d: floor::DaySlots) -> Self {
        DaySlotsWire {
            day: d.day,
            slots: d
                .slots
                .into_iter()
                .map(|s| SlotWire {
                    at: s.at,
                    time: s.time,
                    free: s.free,
                })
                .collect(),
        }
    }
}

/// Free places per appointment slot of a group, by day (public).
#[utoipa::path(
    get, path = "/api/v1/branches/{branch}/slots", tag = "appointments",
    params(("branch" = String, Path, description = "Branch code"), SlotsQuery),
    responses((status = 200, body = [DaySlotsWire]), (status = 404, body = crate::error::ErrorBody))
)]
pub(crate) async fn slots(
    State(state): State<App>,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<SlotsQuery>,
) -> Result<Json<Vec<DaySlotsWire>>, WebError> {
    let b = branch(&state, &code).await?;
    let group = group(&state, &b.code, &q.group).await?;
    let from = q
        .from
        .unwrap_or_else(|| Utc::now().with_timezone(&TZ).date_naive());
    let days = q.days.unwrap_or(7).clamp(1, 14);
    let days = day_slots(&state, &b.code, &group, from, days).await?;
    Ok(Json(days.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct BookingRequest {
    group: String,
    /// The slot's start, as listed by `GET …/slots`.
    slot: DateTime<Utc>,
    name: String,
    /// Vietnamese mobile number; it is asked again to cancel.
    phone: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AppointmentView {
    /// Typed at the kiosk to check in.
    code: String,
    branch_code: String,
    group: String,
    slot: DateTime<Utc>,
    /// Local date and time, `08:30 02/06/2026`.
    slot_local: String,
    minutes: i64,
    /// `booked`, `checked_in` or `cancelled`.
    status: &'static str,
}

pub(crate) fn appointment_view(a: &Appointment) -> AppointmentView {
    AppointmentView {
        code: a.code.clone(),
        branch_code: a.branch.to_string(),
        group: a.group.clone(),
        slot: a.slot_at,
        slot_local: a
            .slot_at
            .with_timezone(&TZ)
            .format("%H:%M %d/%m/%Y")
            .to_string(),
        minutes: a.minutes,
        status: a.status.as_str(),
    }
}

/// Books an appointment in a group of a branch at one of its free slots (no log-in; a phone
/// number books at most five an hour). The answer's code checks it in at the kiosk.
#[utoipa::path(
    post, path = "/api/v1/branches/{branch}/appointments", tag = "appointments",
    params(("branch" = String, Path, description = "Branch code")),
    request_body = BookingRequest,
    responses(
        (status = 201, body = AppointmentView),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "the slot is full"),
        (status = 422, body = crate::error::ErrorBody),
        (status = 429, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn create_appointment(
    State(state): State<App>,
    Client(client): Client,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<BookingRequest>,
) -> Result<(StatusCode, Json<AppointmentView>), WebError> {
    let b = branch(&state, &code).await?;
    let group = group(&state, &b.code, &req.group).await?;
    let (slot, name, phone) = (req.slot, &req.name, &req.phone);
    let a = book(&state, &b, &group, slot, name, phone, &client).await?;
    Ok((StatusCode::CREATED, Json(appointment_view(&a))))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CancelRequest {
    /// The phone number given when booking.
    phone: String,
}

/// Cancels a booked appointment (the phone number given when booking is asked).
#[utoipa::path(
    post, path = "/api/v1/appointments/{code}/cancel", tag = "appointments",
    params(("code" = String, Path, description = "Appointment code")),
    request_body = CancelRequest,
    responses(
        (status = 200, body = AppointmentView),
        (status = 404, body = crate::error::ErrorBody, description = "no such booked appointment with this phone")
    )
)]
pub(crate) async fn cancel(
    State(state): State<App>,
    Client(client): Client,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<CancelRequest>,
) -> Result<Json<AppointmentView>, WebError> {
    let missing = || WebError::new(Kind::NotFound, "not_found", "error-no-appointment");
    let target = format!("appointment:{}", code.trim());
    state
        .limits
        .track
        .attempt(&target, &client)
        .map_err(AppError::too_many_attempts)?;
    let found = state.store.appointment(code.trim()).await?;
    let phone = Phone::parse(&req.phone).ok();
    let Some(mut a) = found.filter(|a| {
        a.status == AppointmentStatus::Booked
            && phone.as_ref().is_some_and(|p| p.as_str() == a.phone)
    }) else {
        return Err(missing());
    };
    state.limits.track.succeed(&target, &client);
    if !state.store.cancel_appointment(&a.code).await? {
        return Err(missing());
    }
    a.status = AppointmentStatus::Cancelled;
    Ok(Json(appointment_view(&a)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CheckInRequest {
    /// The appointment's code.
    code: String,
}

/// Checks in an appointment at a registered kiosk of the branch (its key, with the
/// `floor:kiosk` scope, as bearer): the ticket is called by its slot once the slot begins
/// (from an hour before the slot until it ends). Wrong codes slow the kiosk down.
#[utoipa::path(
    post, path = "/api/v1/branches/{branch}/check-in", tag = "appointments", security(("bearer" = [])),
    params(("branch" = String, Path, description = "Branch code")),
    request_body = CheckInRequest,
    responses(
        (status = 201, body = TicketView),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody, description = "not a kiosk of the branch"),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "too early, or the slot has passed"),
        (status = 429, body = crate::error::ErrorBody, description = "too many wrong codes; see Retry-After")
    )
)]
pub(crate) async fn check_in_api(
    State(state): State<App>,
    Caller(principal): Caller,
    Client(client): Client,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<CheckInRequest>,
) -> Result<(StatusCode, Json<TicketView>), WebError> {
    let b = branch(&state, &code).await?;
    if matches!(principal, Principal::Anonymous) {
        return Err(WebError::unauthenticated());
    }
    let origin = Origin::of(&principal, &b, &client);
    let (ticket, group, ahead, wait) = check_in(&state, &b, &req.code, origin).await?;
    let mut view = ticket_view(&ticket, &group);
    view.people_ahead = Some(ahead);
    view.expected_wait_minutes = Some(wait.num_minutes());
    Ok((StatusCode::CREATED, Json(view)))
}

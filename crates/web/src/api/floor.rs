//! The rest of the floor over the API: each group's waiting line and expected wait, moving a
//! ticket to another group or counter, linking it to the dossier served, and appointments
//! booked by slot and checked in at the kiosk.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use motcua_domain::Lang;
use motcua_domain::calendar::TZ;
use motcua_domain::ids::Phone;
use motcua_domain::lang::Localise;
use motcua_domain::queue;
use motcua_store::{Appointment, AppointmentStatus, Branch, ServiceGroup, StoreError, Ticket};
use rand::RngExt;
use serde::{Deserialize, Serialize};

use super::queue::{
    DEFAULT_SERVICE, TicketView, branch, counter_officer, nobody_served, not_found, ticket_view,
};
use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ApiQuery, ReqLang, pick};
use motcua_app::App;
use motcua_app::board::Loads;
use motcua_app::principal::Principal;

/// A service group's line now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub(crate) struct GroupWait {
    pub(crate) group: String,
    pub(crate) name: String,
    pub(crate) waiting: i64,
    /// Tickets being served at the group's counters.
    pub(crate) serving: i64,
    /// What a ticket taken now should expect, from the day's service times.
    pub(crate) expected_wait_minutes: i64,
}

/// The lines of a branch's groups from a snapshot of the day's loads.
pub(crate) fn group_waits(branch: &str, groups: &[ServiceGroup], loads: &Loads) -> Vec<GroupWait> {
    groups
        .iter()
        .map(|g| {
            let load = loads.of(branch, &g.code);
            let waiting = load.map_or(0, |l| l.waiting);
            let served: &[i64] = load.map_or(&[], |l| &l.service_secs);
            let wait = queue::expected_wait(
                usize::try_from(waiting).unwrap_or(0),
                g.counters.len(),
                served,
                DEFAULT_SERVICE,
            );
            GroupWait {
                group: g.code.clone(),
                name: g.name.clone(),
                waiting,
                serving: load.map_or(0, |l| l.serving),
                expected_wait_minutes: wait.num_minutes(),
            }
        })
        .collect()
}

/// A branch's groups with their lines, now.
pub(crate) async fn waits_now(state: &App, branch: &str) -> Result<Vec<GroupWait>, StoreError> {
    let groups = state.store.service_groups(branch).await?;
    let loads = state.live.loads_now(&*state.store).await;
    Ok(group_waits(branch, &groups, &loads))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct QueueView {
    branch_code: String,
    groups: Vec<GroupWait>,
}

/// Each service group's waiting line and the expected wait for a ticket taken now (public).
#[utoipa::path(
    get, path = "/api/v1/branches/{branch}/queue", tag = "queue",
    params(("branch" = String, Path, description = "Branch code")),
    responses((status = 200, body = QueueView), (status = 404, body = crate::error::ErrorBody))
)]
pub(crate) async fn queue_state(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Path(code): Path<String>,
) -> Result<Json<QueueView>, ApiError> {
    let b = branch(&state, &code, lang).await?;
    let groups = waits_now(&state, &b.code)
        .await
        .map_err(|e| ApiError::store(e, lang))?;
    Ok(Json(QueueView {
        branch_code: b.code,
        groups,
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
    ReqLang(lang): ReqLang,
    Caller(principal): Caller,
    Path(counter): Path<String>,
    ApiJson(req): ApiJson<TransferRequest>,
) -> Result<Json<TicketView>, ApiError> {
    let (_, branch, number) = counter_officer(&state, &principal, &counter, lang).await?;
    let (ticket, group) = transfer_served(&state, &branch, number, req.group, req.counter)
        .await
        .map_err(|e| e.into_api(lang))?;
    Ok(Json(ticket_view(&ticket, &group)))
}

/// Why a transfer or a link was refused.
pub(crate) enum FloorError {
    NobodyServed,
    NoSuchTarget,
    BadDossier(ApiError),
    Store(StoreError),
}

impl FloorError {
    pub(crate) fn into_api(self, lang: Lang) -> ApiError {
        match self {
            FloorError::NobodyServed => nobody_served(lang),
            FloorError::NoSuchTarget => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_target",
                pick(
                    lang,
                    "Không có nhóm dịch vụ hoặc quầy này ở điểm tiếp nhận.",
                    "No such service group or counter at this branch.",
                ),
            ),
            FloorError::BadDossier(e) => e,
            FloorError::Store(e) => ApiError::store(e, lang),
        }
    }
}

impl From<StoreError> for FloorError {
    fn from(e: StoreError) -> Self {
        FloorError::Store(e)
    }
}

/// Moves the ticket served at counter `number` to `group` and/or counter `to` (a code); the
/// ticket as it now waits, and its group.
pub(crate) async fn transfer_served(
    state: &App,
    branch: &Branch,
    number: i64,
    group: Option<String>,
    to: Option<String>,
) -> Result<(Ticket, ServiceGroup), FloorError> {
    let store = &state.store;
    let ticket = store
        .serving(&branch.code, number)
        .await?
        .ok_or(FloorError::NobodyServed)?;
    let target = match to.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(code) => Some(
            branch
                .counters
                .iter()
                .map(|c| c.number)
                .find(|n| super::reference::counter_code(&branch.code, *n) == code)
                .ok_or(FloorError::NoSuchTarget)?,
        ),
    };
    let groups = store.service_groups(&branch.code).await?;
    let group = match group.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(g) => groups
            .iter()
            .find(|x| x.code == g)
            .ok_or(FloorError::NoSuchTarget)?,
        // To a counter without a group: the counter's first group, else the ticket's own.
        None => target
            .and_then(|t| groups.iter().find(|g| g.counters.contains(&t)))
            .or_else(|| groups.iter().find(|g| g.code == ticket.group))
            .ok_or(FloorError::NoSuchTarget)?,
    };
    if target.is_none() && group.code == ticket.group {
        return Err(FloorError::NoSuchTarget);
    }
    if !store
        .transfer_ticket(ticket.id, number, &group.code, target)
        .await?
    {
        return Err(FloorError::NobodyServed);
    }
    state.live.poke();
    let moved = store
        .ticket(ticket.id)
        .await?
        .ok_or(FloorError::NobodyServed)?;
    Ok((moved, group.clone()))
}

/// Links the ticket served at counter `number` to dossier `code`, which the officer must be
/// able to read.
pub(crate) async fn link_served(
    state: &App,
    principal: &Principal,
    branch: &Branch,
    number: i64,
    code: &str,
    lang: Lang,
) -> Result<Ticket, FloorError> {
    let ticket = state
        .store
        .serving(&branch.code, number)
        .await?
        .ok_or(FloorError::NobodyServed)?;
    let record = super::dossiers::readable(state, principal, code.trim(), lang)
        .await
        .map_err(FloorError::BadDossier)?;
    state
        .store
        .link_ticket(ticket.id, &record.code.to_string())
        .await?;
    state
        .store
        .ticket(ticket.id)
        .await?
        .ok_or(FloorError::NobodyServed)
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
    ReqLang(lang): ReqLang,
    Caller(principal): Caller,
    Path(counter): Path<String>,
    ApiJson(req): ApiJson<LinkRequest>,
) -> Result<Json<LinkView>, ApiError> {
    let (_, branch, number) = counter_officer(&state, &principal, &counter, lang).await?;
    let ticket = link_served(&state, &principal, &branch, number, &req.dossier, lang)
        .await
        .map_err(|e| e.into_api(lang))?;
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
pub(crate) struct SlotView {
    pub(crate) at: DateTime<Utc>,
    /// Local time, `08:30`.
    pub(crate) time: String,
    pub(crate) free: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DaySlots {
    pub(crate) day: NaiveDate,
    pub(crate) slots: Vec<SlotView>,
}

/// The bookable slots of a group (working days only, from now on).
pub(crate) async fn day_slots(
    state: &App,
    branch: &str,
    group: &ServiceGroup,
    from: NaiveDate,
    days: u32,
) -> Result<Vec<DaySlots>, StoreError> {
    let policy = state.floor;
    let cal = state.calendar();
    let now = Utc::now();
    let today = now.with_timezone(&TZ).date_naive();
    let last = today + Duration::days(i64::from(policy.booking_days));
    let capacity = capacity(state, group);
    let mut out = Vec::new();
    let mut day = from.max(today);
    for _ in 0..days {
        if day > last {
            break;
        }
        let slots = queue::slots(&cal, day, policy.slot_minutes);
        if let (Some(first), Some(end)) = (slots.first(), slots.last()) {
            let booked = state
                .store
                .slot_bookings(branch, &group.code, *first, *end + Duration::seconds(1))
                .await?;
            let views: Vec<SlotView> = slots
                .iter()
                .filter(|s| **s > now)
                .map(|s| SlotView {
                    at: *s,
                    time: s.with_timezone(&TZ).format("%H:%M").to_string(),
                    free: capacity - booked.iter().find(|(at, _)| at == s).map_or(0, |(_, n)| *n),
                })
                .collect();
            if !views.is_empty() {
                out.push(DaySlots { day, slots: views });
            }
        }
        day = day.succ_opt().unwrap_or(day);
    }
    Ok(out)
}

fn capacity(state: &App, group: &ServiceGroup) -> i64 {
    i64::from(state.floor.per_counter) * group.counters.len().max(1) as i64
}

/// Free places per appointment slot of a group, by day (public).
#[utoipa::path(
    get, path = "/api/v1/branches/{branch}/slots", tag = "appointments",
    params(("branch" = String, Path, description = "Branch code"), SlotsQuery),
    responses((status = 200, body = [DaySlots]), (status = 404, body = crate::error::ErrorBody))
)]
pub(crate) async fn slots(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<SlotsQuery>,
) -> Result<Json<Vec<DaySlots>>, ApiError> {
    let b = branch(&state, &code, lang).await?;
    let group = super::queue::group(&state, &b.code, &q.group, lang).await?;
    let from = q
        .from
        .unwrap_or_else(|| Utc::now().with_timezone(&TZ).date_naive());
    let days = q.days.unwrap_or(7).clamp(1, 14);
    day_slots(&state, &b.code, &group, from, days)
        .await
        .map(Json)
        .map_err(|e| ApiError::store(e, lang))
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
        branch_code: a.branch.clone(),
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

/// Why a booking was refused.
pub(crate) enum BookingError {
    Field(&'static str, String),
    Full,
    TooMany,
    Store(StoreError),
}

impl BookingError {
    pub(crate) fn into_api(self, lang: Lang) -> ApiError {
        match self {
            BookingError::Field(code, message) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
            }
            BookingError::Full => ApiError::new(
                StatusCode::CONFLICT,
                "slot_full",
                pick(
                    lang,
                    "Khung giờ này đã hết chỗ; mời chọn khung giờ khác.",
                    "This slot is full; please choose another.",
                ),
            ),
            BookingError::TooMany => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_bookings",
                pick(
                    lang,
                    "Số điện thoại này đã đặt quá nhiều lịch hẹn; mời thử lại sau.",
                    "Too many appointments for this phone number; please try later.",
                ),
            ),
            BookingError::Store(e) => ApiError::store(e, lang),
        }
    }
}

/// Books a slot: checks the name, the phone and that the slot is one of the group's free
/// slots; at most a few bookings per phone number and hour.
pub(crate) async fn book(
    state: &App,
    branch: &Branch,
    group: &ServiceGroup,
    slot: DateTime<Utc>,
    name: &str,
    phone: &str,
    lang: Lang,
) -> Result<Appointment, BookingError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(BookingError::Field(
            "invalid_name",
            pick(
                lang,
                "Nhập họ và tên (tối đa 100 ký tự).",
                "Enter a full name (at most 100 characters).",
            ),
        ));
    }
    let phone = Phone::parse(phone).map_err(|e| BookingError::Field(e.code(), e.message(lang)))?;
    let key = format!("{}:{}", branch.code, phone.as_str());
    if state.limits.bookings.check(&key).is_err() {
        return Err(BookingError::TooMany);
    }
    let cal = state.calendar();
    let day = slot.with_timezone(&TZ).date_naive();
    let today = Utc::now().with_timezone(&TZ).date_naive();
    let bookable = slot > Utc::now()
        && day <= today + Duration::days(i64::from(state.floor.booking_days))
        && queue::slots(&cal, day, state.floor.slot_minutes).contains(&slot);
    if !bookable {
        return Err(BookingError::Field(
            "invalid_slot",
            pick(
                lang,
                "Khung giờ không hợp lệ; mời chọn trong danh sách khung giờ còn chỗ.",
                "Not a bookable slot; please choose one from the list of free slots.",
            ),
        ));
    }
    let appointment = Appointment {
        code: appointment_code(),
        branch: branch.code.clone(),
        group: group.code.clone(),
        slot_at: slot,
        minutes: i64::from(state.floor.slot_minutes),
        name: name.to_string(),
        phone: phone.as_str().to_string(),
        status: AppointmentStatus::Booked,
        created_at: Utc::now(),
        ticket_id: None,
    };
    if !state
        .store
        .book_appointment(&appointment, capacity(state, group))
        .await
        .map_err(BookingError::Store)?
    {
        return Err(BookingError::Full);
    }
    state.limits.bookings.fail(&key);
    tracing::info!(code = %appointment.code, branch = %branch.code, group = %group.code, "appointment booked");
    Ok(appointment)
}

/// Eight digits, easy to type on the kiosk's keypad; random, so codes cannot be guessed in
/// order.
fn appointment_code() -> String {
    format!("{:08}", rand::rng().random_range(0..100_000_000u32))
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
    ReqLang(lang): ReqLang,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<BookingRequest>,
) -> Result<(StatusCode, Json<AppointmentView>), ApiError> {
    let b = branch(&state, &code, lang).await?;
    let group = super::queue::group(&state, &b.code, &req.group, lang).await?;
    let a = book(&state, &b, &group, req.slot, &req.name, &req.phone, lang)
        .await
        .map_err(|e| e.into_api(lang))?;
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
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<CancelRequest>,
) -> Result<Json<AppointmentView>, ApiError> {
    let missing = || not_found(lang, "Không có lịch hẹn này.", "No such appointment.");
    let key = format!("cancel:{}", super::payments::client_ip(&headers));
    if state.limits.track.check(&key).is_err() {
        return Err(missing());
    }
    let found = state
        .store
        .appointment(code.trim())
        .await
        .map_err(|e| ApiError::store(e, lang))?;
    let phone = Phone::parse(&req.phone).ok();
    let Some(mut a) = found.filter(|a| {
        a.status == AppointmentStatus::Booked
            && phone.as_ref().is_some_and(|p| p.as_str() == a.phone)
    }) else {
        state.limits.track.fail(&key);
        return Err(missing());
    };
    if !state
        .store
        .cancel_appointment(&a.code)
        .await
        .map_err(|e| ApiError::store(e, lang))?
    {
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

/// Checks in appointment `code` at branch `branch`: its ticket, placed by its slot, with its
/// group, the people ahead and the expected wait.
pub(crate) async fn check_in(
    state: &App,
    branch: &Branch,
    code: &str,
    lang: Lang,
) -> Result<(Ticket, ServiceGroup, usize, Duration), ApiError> {
    let missing = || {
        not_found(
            lang,
            "Không có lịch hẹn này (hoặc đã xác nhận) tại điểm tiếp nhận này.",
            "No such appointment (or it was checked in already) at this branch.",
        )
    };
    let store = &state.store;
    let a = store
        .appointment(code.trim())
        .await
        .map_err(|e| ApiError::store(e, lang))?
        .filter(|a| a.branch == branch.code && a.status == AppointmentStatus::Booked)
        .ok_or_else(missing)?;
    let now = Utc::now();
    queue::check_in(
        a.slot_at,
        u32::try_from(a.minutes).unwrap_or(0),
        Duration::minutes(i64::from(state.floor.check_in_early_minutes)),
        now,
    )
    .map_err(|e| ApiError::from_localised(StatusCode::CONFLICT, &e, lang))?;
    let day = now.with_timezone(&TZ).date_naive();
    let ticket = match store.check_in(&a.code, day, now).await {
        Ok(t) => t,
        Err(StoreError::NotFound) => return Err(missing()),
        Err(e) => return Err(ApiError::store(e, lang)),
    };
    state.live.poke();
    let group = super::queue::group(state, &branch.code, &ticket.group, lang).await?;
    let (ahead, wait) = super::queue::place(state, &ticket, &group, now)
        .await
        .map_err(|e| ApiError::store(e, lang))?;
    Ok((ticket, group, ahead, wait))
}

/// Checks in an appointment at the kiosk: the ticket is called by its slot once the slot
/// begins (from an hour before the slot until it ends).
#[utoipa::path(
    post, path = "/api/v1/branches/{branch}/check-in", tag = "appointments",
    params(("branch" = String, Path, description = "Branch code")),
    request_body = CheckInRequest,
    responses(
        (status = 201, body = TicketView),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "too early, or the slot has passed")
    )
)]
pub(crate) async fn check_in_api(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<CheckInRequest>,
) -> Result<(StatusCode, Json<TicketView>), ApiError> {
    let b = branch(&state, &code, lang).await?;
    let (ticket, group, ahead, wait) = check_in(&state, &b, &req.code, lang).await?;
    let mut view = ticket_view(&ticket, &group);
    view.people_ahead = Some(ahead);
    view.expected_wait_minutes = Some(wait.num_minutes());
    Ok((StatusCode::CREATED, Json(view)))
}

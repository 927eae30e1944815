//! Booking an appointment at a branch from home: a service group, a free slot of the coming
//! working days, a name and a phone; the answer is the code to type at the kiosk.

use crate::request::Client;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use motcua_domain::calendar::TZ;
use motcua_store::{Appointment, Branch, ServiceGroup};

use crate::html::floor::kiosk::{branch_and_groups, branch_form, missing};
use crate::html::forms::{Fields, Visitor, get, with_cookie};
use crate::html::{Chrome, render};
use motcua_app::App;
use motcua_app::floor::{DaySlots, book, day_slots};

#[derive(Template)]
#[template(path = "appointments.html")]
struct BookingPage<'a> {
    c: &'a Chrome,
    csrf: String,
    branch: Branch,
    groups: Vec<ServiceGroup>,
    group: String,
    days: Vec<DaySlots>,
    name: String,
    phone: String,
    chosen: String,
    problem: Option<String>,
}

async fn booking_page(
    state: &App,
    c: &Chrome,
    csrf: String,
    branch: Branch,
    groups: Vec<ServiceGroup>,
    f: &std::collections::BTreeMap<String, String>,
    problem: Option<String>,
) -> Response {
    let group = groups
        .iter()
        .find(|g| g.code == get(f, "group"))
        .or_else(|| groups.first())
        .cloned();
    let today = Utc::now().with_timezone(&TZ).date_naive();
    let days = match &group {
        Some(g) => day_slots(state, &branch.code, g, today, 7)
            .await
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = BookingPage {
        c,
        csrf,
        branch,
        group: group.map(|g| g.code).unwrap_or_default(),
        groups,
        days,
        name: get(f, "name").to_string(),
        phone: get(f, "phone").to_string(),
        chosen: get(f, "slot").to_string(),
        problem,
    };
    render(status, c, &page)
}

/// The booking form: the group chosen (`?group=`) and its free slots of the coming days.
pub(crate) async fn form(
    State(state): State<App>,
    c: Chrome,
    mut v: Visitor,
    Path(code): Path<String>,
    axum::extract::Query(q): axum::extract::Query<std::collections::BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("branches");
    let Some((branch, groups)) = branch_and_groups(&state, &code).await else {
        return missing(&c);
    };
    let (csrf, cookie) = v.csrf();
    with_cookie(
        booking_page(&state, &c, csrf, branch, groups, &q, None).await,
        cookie,
    )
}

#[derive(Template)]
#[template(path = "appointment.html")]
struct BookedPage<'a> {
    c: &'a Chrome,
    branch: Branch,
    group: String,
    a: Appointment,
    slot: String,
}

/// Books the slot chosen; the confirmation shows the code to type at the kiosk.
pub(crate) async fn create(
    State(state): State<App>,
    c: Chrome,
    mut v: Visitor,
    Client(client): Client,
    Path(code): Path<String>,
    axum::Form(f): Fields,
) -> Response {
    let c = c.with_nav("branches");
    let (branch, groups) = match branch_form(&state, &c, &v, &code, &f).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let Some(group) = groups.iter().find(|g| g.code == get(&f, "group")).cloned() else {
        return missing(&c);
    };
    let slot = get(&f, "slot").parse::<DateTime<Utc>>().ok();
    let outcome = match slot {
        Some(slot) => book(
            &state,
            &branch,
            &group,
            slot,
            get(&f, "name"),
            get(&f, "phone"),
            &client,
        )
        .await
        .map_err(|e| c.tr.error(&e)),
        None => Err(c.tr.t("booking-choose-slot")),
    };
    match outcome {
        Ok(a) => {
            let page = BookedPage {
                c: &c,
                branch,
                group: group.name,
                slot: a
                    .slot_at
                    .with_timezone(&TZ)
                    .format("%H:%M %d/%m/%Y")
                    .to_string(),
                a,
            };
            render(StatusCode::CREATED, &c, &page)
        }
        Err(problem) => {
            let (csrf, cookie) = v.csrf();
            with_cookie(
                booking_page(&state, &c, csrf, branch, groups, &f, Some(problem)).await,
                cookie,
            )
        }
    }
}

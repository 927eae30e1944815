//! Public reference data: agencies, branches and the holiday calendar.

use axum::Json;
use axum::extract::State;
use chrono::{Datelike, Utc};
use motcua_app::error::Kind;
use motcua_domain::ids::CounterCode;
use motcua_store::{Agency, Branch};
use serde::{Deserialize, Serialize};

use crate::error::{ApiQuery, ReqLang, WebError};
use motcua_app::App;

/// The agency tree (flat, each with its parent).
#[utoipa::path(get, path = "/api/v1/agencies", tag = "reference", responses((status = 200, body = [Object])))]
pub(crate) async fn agencies(State(state): State<App>) -> Result<Json<Vec<Agency>>, WebError> {
    Ok(Json(state.store.agencies().await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct CounterView {
    /// `{branch}-{number}`, e.g. `QN-HQ-01`: the `{counter}` of the counter's API.
    code: String,
    number: i64,
    label: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct GroupView {
    code: String,
    name: String,
    /// Letters before ticket numbers of the group.
    prefix: String,
    /// Numbers of the counters that serve the group.
    counters: Vec<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct BranchView {
    code: String,
    agency_code: String,
    name: String,
    address: String,
    hours: String,
    counters: Vec<CounterView>,
    groups: Vec<GroupView>,
}

/// Branches with their counters and service groups.
#[utoipa::path(get, path = "/api/v1/branches", tag = "reference", responses((status = 200, body = [BranchView])))]
pub(crate) async fn branches(State(state): State<App>) -> Result<Json<Vec<BranchView>>, WebError> {
    let store = &state.store;
    let mut out = Vec::new();
    for b in store.branches().await? {
        let groups = store.service_groups(&b.code).await?;
        out.push(view(b, groups));
    }
    Ok(Json(out))
}

fn view(b: Branch, groups: Vec<motcua_store::ServiceGroup>) -> BranchView {
    BranchView {
        counters: b
            .counters
            .iter()
            .map(|c| CounterView {
                code: CounterCode::new(&b.code, c.number).to_string(),
                number: c.number,
                label: c.label.clone(),
            })
            .collect(),
        groups: groups
            .into_iter()
            .map(|g| GroupView {
                code: g.code,
                name: g.name,
                prefix: g.prefix,
                counters: g.counters,
            })
            .collect(),
        agency_code: b.agency.to_string(),
        code: b.code.to_string(),
        name: b.name,
        address: b.address,
        hours: b.hours,
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct HolidayParams {
    /// Year (1901–2100); the current year when absent.
    year: Option<i32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct HolidayView {
    date: chrono::NaiveDate,
    name: String,
    /// statutory, compensatory or decided.
    #[schema(value_type = String)]
    kind: motcua_domain::calendar::HolidayKind,
}

/// Weekdays the offices are closed in a year.
#[utoipa::path(
    get, path = "/api/v1/calendar/holidays", tag = "reference", params(HolidayParams),
    responses((status = 200, body = [HolidayView]), (status = 400, body = crate::error::ErrorBody))
)]
pub(crate) async fn holidays(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    ApiQuery(p): ApiQuery<HolidayParams>,
) -> Result<Json<Vec<HolidayView>>, WebError> {
    let year = p.year.unwrap_or_else(|| {
        Utc::now()
            .with_timezone(&motcua_domain::calendar::TZ)
            .year()
    });
    if !(1901..=2100).contains(&year) {
        return Err(WebError::new(
            Kind::BadRequest,
            "invalid_year",
            "error-invalid-year",
        ));
    }
    Ok(Json(
        state
            .calendar()
            .holidays(year)
            .into_iter()
            .map(|h| HolidayView {
                date: h.date,
                name: h.name(lang).to_string(),
                kind: h.kind,
            })
            .collect(),
    ))
}

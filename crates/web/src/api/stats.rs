//! Counters of dossiers by day, read from the incrementally maintained aggregates.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use motcua_app::error::{AppError, Kind};
use motcua_domain::ids::CounterCode;
use motcua_domain::ids::{AgencyCode, ProcedureCode};
use motcua_store::{Scope, StatRow, StatsFilter};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::{ApiQuery, WebError};
use motcua_app::App;
use motcua_app::principal::Principal;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct StatsParams {
    /// First day (YYYY-MM-DD, Vietnam time), inclusive.
    from: Option<NaiveDate>,
    /// Last day, inclusive.
    to: Option<NaiveDate>,
    /// Competent agency code.
    agency: Option<String>,
    /// Procedure code.
    procedure: Option<String>,
    /// Branch code.
    branch: Option<String>,
    /// One row per day and metric instead of totals.
    by_day: Option<bool>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct StatsResponse {
    /// Metrics: submitted, received, transferred, supplement_requested, supplemented,
    /// resolved, resolved_early, resolved_on_time, resolved_late, refused, returned,
    /// withdrawn, reappointed.
    #[schema(value_type = Vec<Object>)]
    rows: Vec<StatRow>,
}

/// Dossier counters over a period (staff, or an API key with `stats:read`).
#[utoipa::path(
    get, path = "/api/v1/stats/daily", tag = "statistics", params(StatsParams), security(("bearer" = [])),
    responses((status = 200, body = StatsResponse), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody))
)]
pub(crate) async fn daily(
    State(state): State<App>,
    Caller(principal): Caller,
    ApiQuery(p): ApiQuery<StatsParams>,
) -> Result<Json<StatsResponse>, WebError> {
    if matches!(principal, Principal::Anonymous) {
        return Err(WebError::unauthenticated());
    }
    if !principal.has_scope(Scope::StatsRead) {
        return Err(WebError::forbidden());
    }
    if let (Some(f), Some(t)) = (p.from, p.to)
        && f > t
    {
        return Err(WebError::new(
            Kind::BadRequest,
            "invalid_range",
            "error-invalid-range",
        ));
    }
    let filter = StatsFilter {
        from: p.from,
        to: p.to,
        agency: p
            .agency
            .filter(|s| !s.is_empty())
            .map(|a| AgencyCode::parse(&a))
            .transpose()
            .map_err(|e| AppError::localised(Kind::BadRequest, e))?,
        procedure: p
            .procedure
            .filter(|s| !s.is_empty())
            .map(|c| ProcedureCode::parse(&c))
            .transpose()
            .map_err(|e| AppError::localised(Kind::BadRequest, e))?,
        branch: p.branch.filter(|s| !s.is_empty()),
        by_day: p.by_day.unwrap_or(false),
    };
    let rows = state.store.stats(&filter).await?;
    Ok(Json(StatsResponse { rows }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FloorParams {
    /// First day (YYYY-MM-DD, Vietnam time), inclusive; today by default.
    from: Option<NaiveDate>,
    /// Last day, inclusive; `from` by default.
    to: Option<NaiveDate>,
    /// Only this branch.
    branch: Option<String>,
    /// `branch` (default), `group`, `counter` or `officer`; rows are always per day.
    by: Option<String>,
}

/// The floor's figures for one day and one branch, group, counter or officer.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub(crate) struct FloorRow {
    day: NaiveDate,
    /// The branch code, `{branch}/{group}`, the counter code or the officer's username.
    key: String,
    issued: u64,
    /// Still waiting (today) or never called (earlier days).
    waiting: u64,
    served: u64,
    no_shows: u64,
    /// Average minutes from ticket to call, over the tickets called.
    average_wait_minutes: Option<f64>,
    /// Average minutes from call to end, over the tickets served.
    average_service_minutes: Option<f64>,
    ratings: u64,
    very_satisfied: u64,
    satisfied: u64,
    dissatisfied: u64,
    #[serde(skip)]
    called: u64,
    #[serde(skip)]
    wait_secs: i64,
    #[serde(skip)]
    service_secs: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct FloorView {
    rows: Vec<FloorRow>,
}

fn minutes(secs: i64, n: u64) -> Option<f64> {
    (n > 0).then(|| (secs as f64 / n as f64 / 60.0 * 10.0).round() / 10.0)
}

/// Waiting times, service times, no-shows and ratings by day and by branch, group, counter or
/// officer (staff, or an API key with `stats:read`).
#[utoipa::path(
    get, path = "/api/v1/stats/floor", tag = "statistics", params(FloorParams), security(("bearer" = [])),
    responses((status = 200, body = FloorView), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody))
)]
pub(crate) async fn floor(
    State(state): State<App>,
    Caller(principal): Caller,
    ApiQuery(p): ApiQuery<FloorParams>,
) -> Result<Json<FloorView>, WebError> {
    if matches!(principal, Principal::Anonymous) {
        return Err(WebError::unauthenticated());
    }
    if !principal.has_scope(Scope::StatsRead) {
        return Err(WebError::forbidden());
    }
    let (from, to) = day_range(p.from, p.to)?;
    let by = p.by.as_deref().unwrap_or("branch");
    if !["branch", "group", "counter", "officer"].contains(&by) {
        return Err(WebError::new(
            Kind::BadRequest,
            "invalid_by",
            "error-invalid-by",
        ));
    }
    let branch = p.branch.as_deref().filter(|b| !b.is_empty());
    let store = &state.store;
    let tickets = store.ticket_counts(from, to, branch).await?;
    let ratings = store.rating_counts(from, to).await?;
    let key =
        |b: Option<&str>, g: Option<&str>, c: Option<i64>, o: Option<&str>| -> Option<String> {
            match by {
                "branch" => b.map(str::to_string),
                "group" => Some(format!("{}/{}", b?, g?)),
                "counter" => Some(CounterCode::new(b?, c?).to_string()),
                _ => o.map(str::to_string),
            }
        };
    let mut rows: std::collections::BTreeMap<(NaiveDate, String), FloorRow> = Default::default();
    for t in &tickets {
        let Some(k) = key(
            Some(&t.branch),
            Some(&t.group),
            t.counter,
            t.officer.as_deref(),
        ) else {
            continue;
        };
        let row = rows.entry((t.day, k.clone())).or_insert_with(|| FloorRow {
            day: t.day,
            key: k,
            ..FloorRow::default()
        });
        row.issued += t.issued;
        row.waiting += t.waiting;
        row.served += t.served;
        row.no_shows += t.no_shows;
        row.called += t.issued - t.waiting;
        row.wait_secs += t.wait_secs;
        row.service_secs += t.service_secs;
    }
    for r in &ratings {
        if branch.is_some() && r.branch.as_deref() != branch {
            continue;
        }
        let Some(k) = key(
            r.branch.as_deref(),
            r.group.as_deref(),
            r.counter,
            r.officer.as_deref(),
        ) else {
            continue;
        };
        let row = rows.entry((r.day, k.clone())).or_insert_with(|| FloorRow {
            day: r.day,
            key: k,
            ..FloorRow::default()
        });
        row.ratings += r.count;
        match r.level {
            motcua_domain::lifecycle::Satisfaction::VerySatisfied => row.very_satisfied += r.count,
            motcua_domain::lifecycle::Satisfaction::Satisfied => row.satisfied += r.count,
            motcua_domain::lifecycle::Satisfaction::Dissatisfied => row.dissatisfied += r.count,
        }
    }
    let rows = rows
        .into_values()
        .map(|mut r| {
            r.average_wait_minutes = minutes(r.wait_secs, r.called);
            r.average_service_minutes = minutes(r.service_secs, r.served);
            r
        })
        .collect();
    Ok(Json(FloorView { rows }))
}

/// A period of local days: today by default, `to` defaulting to `from`; at most a year.
pub(crate) fn day_range(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(NaiveDate, NaiveDate), WebError> {
    let today = chrono::Utc::now()
        .with_timezone(&motcua_domain::calendar::TZ)
        .date_naive();
    let from = from.unwrap_or(today);
    let to = to.unwrap_or(from);
    if from > to || (to - from).num_days() > 366 {
        return Err(WebError::new(
            Kind::BadRequest,
            "invalid_range",
            "error-invalid-range-2",
        ));
    }
    Ok((from, to))
}

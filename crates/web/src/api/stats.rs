//! Counters of dossiers by day, read from the incrementally maintained aggregates.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use motcua_domain::ids::{AgencyCode, ProcedureCode};
use motcua_domain::lang::Localise;
use motcua_store::{Scope, StatRow, StatsFilter};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ApiQuery, ReqLang, pick};

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
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    principal: Principal,
    ApiQuery(p): ApiQuery<StatsParams>,
) -> Result<Json<StatsResponse>, ApiError> {
    if matches!(principal, Principal::Anonymous) {
        return Err(ApiError::unauthorized(lang));
    }
    if !principal.has_scope(Scope::StatsRead) {
        return Err(ApiError::forbidden(lang));
    }
    if let (Some(f), Some(t)) = (p.from, p.to)
        && f > t
    {
        return Err(ApiError::bad_request(
            "invalid_range",
            pick(lang, "Ngày bắt đầu sau ngày kết thúc.", "from is after to."),
        ));
    }
    let bad = |e: &dyn Localise| ApiError::from_localised(StatusCode::BAD_REQUEST, e, lang);
    let filter = StatsFilter {
        from: p.from,
        to: p.to,
        agency: p
            .agency
            .filter(|s| !s.is_empty())
            .map(|a| AgencyCode::parse(&a))
            .transpose()
            .map_err(|e| bad(&e))?,
        procedure: p
            .procedure
            .filter(|s| !s.is_empty())
            .map(|c| ProcedureCode::parse(&c))
            .transpose()
            .map_err(|e| bad(&e))?,
        branch: p.branch.filter(|s| !s.is_empty()),
        by_day: p.by_day.unwrap_or(false),
    };
    let rows = state
        .store
        .stats(&filter)
        .await
        .map_err(|e| ApiError::store(e, lang))?;
    Ok(Json(StatsResponse { rows }))
}

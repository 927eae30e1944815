//! The procedure catalog, public.

use axum::Json;
use axum::extract::{Path, State};
use motcua_domain::ids::{AgencyCode, ProcedureCode};
use motcua_domain::lang::Localise;
use motcua_store::{Procedure, ProcedureQuery, ProcedureSummary};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, ApiQuery, ReqLang};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// Words to search for in code, name, field and agency; diacritics are ignored.
    q: Option<String>,
    /// Only procedures of this agency (identifier code).
    agency: Option<String>,
    /// Only procedures of this field (lĩnh vực), exactly as listed.
    field: Option<String>,
    /// Page number, from 1.
    page: Option<u32>,
    /// Items per page, 1–100 (default 20).
    per_page: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ProcedureItem {
    code: String,
    name: String,
    field: String,
    level: String,
    agency_code: String,
    /// `full`, `partial` or `none`.
    online_level: String,
    #[schema(value_type = Option<Object>)]
    processing_time: Option<motcua_domain::calendar::ProcessingTime>,
}

impl From<ProcedureSummary> for ProcedureItem {
    fn from(p: ProcedureSummary) -> Self {
        ProcedureItem {
            code: p.code.to_string(),
            name: p.name,
            field: p.field,
            level: p.level,
            agency_code: p.agency_code.to_string(),
            online_level: p.online_level.as_str().to_string(),
            processing_time: p.processing_time,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ProcedureList {
    items: Vec<ProcedureItem>,
    total: u64,
    page: u32,
    per_page: u32,
}

const MAX_QUERY_CHARS: usize = 200;

/// Searches the catalog.
#[utoipa::path(
    get, path = "/api/v1/procedures", tag = "catalog", params(ListParams),
    responses((status = 200, body = ProcedureList), (status = 400, body = crate::error::ErrorBody))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<ProcedureList>, ApiError> {
    let page = p.page.unwrap_or(1);
    let per_page = p.per_page.unwrap_or(20);
    if page == 0 || page > 100_000 || !(1..=100).contains(&per_page) {
        return Err(ApiError::bad_request(
            "invalid_page",
            crate::error::pick(
                lang,
                "Trang từ 1, mỗi trang 1–100 mục.",
                "Pages start at 1, with 1–100 items per page.",
            ),
        ));
    }
    let text = p.q.filter(|q| !q.trim().is_empty());
    if text
        .as_ref()
        .is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS)
    {
        return Err(ApiError::bad_request(
            "query_too_long",
            crate::error::pick(
                lang,
                "Từ khóa tìm kiếm quá dài (tối đa 200 ký tự).",
                "The search text is too long (200 characters at most).",
            ),
        ));
    }
    let agency = match p.agency.filter(|a| !a.is_empty()) {
        Some(a) => Some(AgencyCode::parse(&a).map_err(|e| {
            ApiError::from_localised(axum::http::StatusCode::BAD_REQUEST, &e, lang)
        })?),
        None => None,
    };
    let query = ProcedureQuery {
        text,
        agency,
        field: p.field.filter(|f| !f.is_empty()),
        offset: (page - 1) * per_page,
        limit: per_page,
    };
    let found = state
        .store
        .search_procedures(&query)
        .await
        .map_err(|e| ApiError::store(e, lang))?;
    Ok(Json(ProcedureList {
        items: found.items.into_iter().map(Into::into).collect(),
        total: found.total,
        page,
        per_page,
    }))
}

/// One procedure with everything the catalog knows of it.
#[utoipa::path(
    get, path = "/api/v1/procedures/{code}", tag = "catalog",
    params(("code" = String, Path, description = "National procedure code, e.g. 1.013124")),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub(crate) async fn get(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    Path(code): Path<String>,
) -> Result<Json<Procedure>, ApiError> {
    let code = ProcedureCode::parse(&code).map_err(|e| {
        ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            e.code(),
            e.message(lang),
        )
    })?;
    state
        .store
        .procedure(&code)
        .await
        .map_err(|e| ApiError::store(e, lang))?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(lang))
}

//! The procedure catalog, public.

use axum::Json;
use axum::extract::{Path, State};
use motcua_app::catalog::{SearchForm, search_error, search_query};
use motcua_app::error::{AppError, Kind};
use motcua_domain::ids::ProcedureCode;
use motcua_search::Facets;
use motcua_store::{Procedure, ProcedureSummary};
use serde::{Deserialize, Serialize};

use crate::error::{ApiQuery, WebError};
use motcua_app::App;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// Words to search for in name, field, agency, documents and code; diacritics are ignored
    /// and one typo per word is forgiven. A national code (1.000948) comes first.
    q: Option<String>,
    /// Only procedures of this field (lĩnh vực), exactly as listed in the facets.
    field: Option<String>,
    /// Only procedures of this agency (identifier code).
    agency: Option<String>,
    /// Only procedures of this level, exactly as listed in the facets.
    level: Option<String>,
    /// `full`, `partial` or `none`.
    online_level: Option<String>,
    /// Page number, from 1.
    page: Option<u32>,
    /// Items per page, 1–100 (default 20).
    per_page: Option<u32>,
}

impl From<ListParams> for SearchForm {
    fn from(p: ListParams) -> Self {
        SearchForm {
            q: p.q,
            field: p.field,
            agency: p.agency,
            level: p.level,
            online_level: p.online_level,
            page: p.page,
            per_page: p.per_page,
        }
    }
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
pub(crate) struct FacetValue {
    value: String,
    count: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ProcedureFacets {
    field: Vec<FacetValue>,
    agency: Vec<FacetValue>,
    level: Vec<FacetValue>,
    online_level: Vec<FacetValue>,
}

impl From<Facets> for ProcedureFacets {
    fn from(f: Facets) -> Self {
        let list = |v: Vec<(String, u64)>| {
            v.into_iter()
                .map(|(value, count)| FacetValue { value, count })
                .collect()
        };
        ProcedureFacets {
            field: list(f.field),
            agency: list(
                f.agency
                    .into_iter()
                    .map(|(a, n)| (a.to_string(), n))
                    .collect(),
            ),
            level: list(f.level),
            online_level: list(
                f.online_level
                    .into_iter()
                    .map(|(o, n)| (o.as_str().to_string(), n))
                    .collect(),
            ),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ProcedureList {
    /// In rank order.
    items: Vec<ProcedureItem>,
    total: u64,
    page: u32,
    per_page: u32,
    /// Counts by field, agency, level and online level; each ignores its own filter.
    facets: ProcedureFacets,
    /// When text was searched and nothing relevant exists: fields to browse instead, with
    /// their procedure counts (empty otherwise).
    suggested_fields: Vec<FacetValue>,
}

/// Searches the catalog, with facets.
#[utoipa::path(
    get, path = "/api/v1/procedures", tag = "catalog", params(ListParams),
    responses((status = 200, body = ProcedureList), (status = 400, body = crate::error::ErrorBody))
)]
pub(crate) async fn list(
    State(state): State<App>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<ProcedureList>, WebError> {
    let (query, page, per_page) = search_query(p.into())?;
    let found = state.catalog.index().search(&query).map_err(search_error)?;
    Ok(Json(ProcedureList {
        items: found.items.into_iter().map(Into::into).collect(),
        total: found.total as u64,
        page,
        per_page,
        facets: found.facets.into(),
        suggested_fields: found
            .suggested_fields
            .into_iter()
            .map(|(value, count)| FacetValue { value, count })
            .collect(),
    }))
}

/// One procedure with everything the catalog knows of it.
#[utoipa::path(
    get, path = "/api/v1/procedures/{code}", tag = "catalog",
    params(("code" = String, Path, description = "National procedure code, e.g. 1.013124")),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub(crate) async fn get(
    State(state): State<App>,
    Path(code): Path<String>,
) -> Result<Json<Procedure>, WebError> {
    let code = ProcedureCode::parse(&code).map_err(|e| AppError::localised(Kind::BadRequest, e))?;
    state
        .store
        .procedure(&code)
        .await?
        .map(Json)
        .ok_or_else(WebError::not_found)
}

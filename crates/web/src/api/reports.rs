//! The report on handling procedures (Biểu 06/VPCP/KSTT, II.06a) as JSON, PDF and workbook,
//! for officers and systems with `stats:read`: columns 3–13 per field or per agency for whole
//! months.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use motcua_app::App;
use motcua_app::error::{AppError, Kind};
use motcua_app::principal::Principal;
use motcua_app::reports::{self, FileFormat, Form06Query, Form06Report, GroupBy};
use motcua_domain::ids::AgencyCode;
use motcua_domain::index::Form06;
use motcua_store::Scope;
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::{ApiQuery, WebError};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct Form06Params {
    /// The first month: `YYYY-MM`, or its first day `YYYY-MM-DD`.
    from: Option<String>,
    /// The last month: `YYYY-MM`, or its last day `YYYY-MM-DD`.
    to: Option<String>,
    /// The reporting agency or commune (its dossiers and those of the agencies under it);
    /// the province when absent.
    agency: Option<String>,
    /// `field` (default) or `agency`.
    group_by: Option<String>,
}

/// Columns 3–13 of one row, in the form's order.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Form06Figures {
    /// Column 3 = 4 + 5 + 6 = 7 + 11.
    received_total: u64,
    /// Column 4: received online in the period.
    received_online: u64,
    /// Column 5: received in person or by post in the period.
    received_in_person: u64,
    /// Column 6: carried over from the period before (its column 11).
    carried_over: u64,
    /// Column 7 = 8 + 9 + 10.
    resolved_total: u64,
    resolved_early: u64,
    /// Column 9; refused and withdrawn dossiers as configured (`--form06-stopped`).
    resolved_on_time: u64,
    resolved_late: u64,
    /// Column 11 = 12 + 13: open at the period's end.
    pending_total: u64,
    pending_in_time: u64,
    pending_overdue: u64,
}

impl From<&Form06> for Form06Figures {
    fn from(f: &Form06) -> Self {
        Form06Figures {
            received_total: f.received_total,
            received_online: f.received_online,
            received_in_person: f.received_in_person,
            carried_over: f.carried_over,
            resolved_total: f.resolved_total,
            resolved_early: f.resolved_early,
            resolved_on_time: f.resolved_on_time,
            resolved_late: f.resolved_late,
            pending_total: f.pending_total,
            pending_in_time: f.pending_in_time,
            pending_overdue: f.pending_overdue,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Form06RowView {
    /// Column 1.
    stt: u32,
    /// Column 2: the field or the agency.
    name: String,
    #[serde(flatten)]
    figures: Form06Figures,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Form06View {
    /// First day, inclusive.
    from: chrono::NaiveDate,
    /// Last day, inclusive.
    to: chrono::NaiveDate,
    /// The reporting agency's code; null for the province.
    agency: Option<String>,
    /// `field` or `agency`.
    group_by: &'static str,
    rows: Vec<Form06RowView>,
    total: Form06Figures,
    /// The day open dossiers were judged in time or overdue on.
    judged_on: chrono::NaiveDate,
    /// Where refused and withdrawn dossiers go: `on_time` (column 9) or `by_appointment`.
    stopped_rule: &'static str,
    computed_at: chrono::DateTime<chrono::Utc>,
    /// The last event of the audit chain the figures include.
    high_water_seq: i64,
}

fn view(r: &Form06Report) -> Form06View {
    Form06View {
        from: r.span.first.first_day(),
        to: r.span.last.last_day(),
        agency: r.unit.as_ref().map(|a| a.code.to_string()),
        group_by: match r.group_by {
            GroupBy::Field => "field",
            GroupBy::Agency => "agency",
        },
        rows: r
            .rows
            .iter()
            .zip(1..)
            .map(|(row, stt)| Form06RowView {
                stt,
                name: row.name.clone(),
                figures: (&row.figures).into(),
            })
            .collect(),
        total: (&r.total).into(),
        judged_on: r.judged_on,
        stopped_rule: match r.stopped {
            motcua_domain::index::StoppedColumn::OnTime => "on_time",
            motcua_domain::index::StoppedColumn::ByAppointment => "by_appointment",
        },
        computed_at: r.computed_at,
        high_water_seq: r.high_water_seq,
    }
}

/// The caller may read statistics, and the query reads back.
async fn report(
    state: &App,
    principal: &Principal,
    p: Form06Params,
) -> Result<Form06Report, WebError> {
    if matches!(principal, Principal::Anonymous) {
        return Err(WebError::unauthenticated());
    }
    if !principal.has_scope(Scope::StatsRead) {
        return Err(WebError::forbidden());
    }
    let span = reports::span(p.from.as_deref(), p.to.as_deref())?;
    let agency = p
        .agency
        .filter(|s| !s.is_empty())
        .map(|a| AgencyCode::parse(&a))
        .transpose()
        .map_err(|e| AppError::localised(Kind::BadRequest, e))?;
    let group_by = match p.group_by.as_deref() {
        None | Some("") => GroupBy::Field,
        Some(g) => GroupBy::parse(g).ok_or_else(|| {
            AppError::new(
                Kind::BadRequest,
                "invalid_group_by",
                "error-unknown-group-by",
            )
        })?,
    };
    Ok(reports::form06(
        state,
        &Form06Query {
            span,
            agency,
            group_by,
        },
    )
    .await?)
}

/// The report on handling procedures (Biểu 06/VPCP/KSTT, II.06a of Circular 01/2020/TT-VPCP)
/// for whole months, per field or per agency, with the total (officers, or an API key with
/// `stats:read`).
#[utoipa::path(
    get, path = "/api/v1/reports/form-06", tag = "statistics", params(Form06Params), security(("bearer" = [])),
    responses((status = 200, body = Form06View), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub(crate) async fn form06(
    State(state): State<App>,
    Caller(principal): Caller,
    ApiQuery(p): ApiQuery<Form06Params>,
) -> Result<Json<Form06View>, WebError> {
    let r = report(&state, &principal, p).await?;
    Ok(Json(view(&r)))
}

async fn file(
    state: &App,
    principal: &Principal,
    p: Form06Params,
    format: FileFormat,
) -> Result<Response, WebError> {
    let r = report(state, principal, p).await?;
    let bytes = reports::form06_file(state, &r, format).await?;
    let (mime, ext) = match format {
        FileFormat::Pdf => ("application/pdf", "pdf"),
        FileFormat::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.{ext}\"", r.file_name()),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// The same report as a PDF on A4 landscape: heading, columns 1–13, total, signature block.
#[utoipa::path(
    get, path = "/api/v1/reports/form-06.pdf", tag = "statistics", params(Form06Params), security(("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", description = "the form"), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody))
)]
pub(crate) async fn form06_pdf(
    State(state): State<App>,
    Caller(principal): Caller,
    ApiQuery(p): ApiQuery<Form06Params>,
) -> Result<Response, WebError> {
    file(&state, &principal, p, FileFormat::Pdf).await
}

/// The same report as a workbook (xlsx): the figures as numbers under the form's headings.
#[utoipa::path(
    get, path = "/api/v1/reports/form-06.xlsx", tag = "statistics", params(Form06Params), security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "the form"), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody))
)]
pub(crate) async fn form06_xlsx(
    State(state): State<App>,
    Caller(principal): Caller,
    ApiQuery(p): ApiQuery<Form06Params>,
) -> Result<Response, WebError> {
    file(&state, &principal, p, FileFormat::Xlsx).await
}

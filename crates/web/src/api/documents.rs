//! Slips of a dossier as PDF documents: the receipt and appointment slip (Mẫu 01).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use motcua_app::error::Kind;

use crate::auth::Caller;
use crate::error::{ReqLang, WebError};
use motcua_app::App;
use motcua_app::slips::{self, SlipKind};

/// The receipt and appointment slip (Mẫu 01) as a PDF, for the applicant, staff in scope or
/// an agency system with the dossier in its scope. Before reception checks an online dossier
/// it is the confirmation of filing with the expected appointment.
#[utoipa::path(
    get, path = "/api/v1/dossiers/{code}/receipt.pdf", tag = "dossiers", security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code")),
    responses(
        (status = 200, content_type = "application/pdf", description = "the slip"),
        (status = 401, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn receipt(
    State(state): State<App>,
    Caller(principal): Caller,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let record = motcua_app::dossiers::readable(&state, &principal, &code).await?;
    let pdf = slips::pdf(&state, &record, SlipKind::Receipt).await?;
    Ok(pdf_response(
        pdf,
        &SlipKind::Receipt.file_name(&record.code.to_string()),
    ))
}

/// The electronic result of the dossier (the file whose SHA-256 the result records), for the
/// applicant, staff in scope or an agency system in scope.
#[utoipa::path(
    get, path = "/api/v1/dossiers/{code}/result", tag = "dossiers", security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code")),
    responses(
        (status = 200, description = "the result document (PDF, JPEG or PNG)"),
        (status = 401, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody, description = "no electronic result")
    )
)]
pub(crate) async fn result(
    State(state): State<App>,
    Caller(principal): Caller,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let record = motcua_app::dossiers::readable(&state, &principal, &code).await?;
    let Some(sha) = record
        .state
        .result
        .as_ref()
        .and_then(|r| r.document_sha256.clone())
    else {
        return Err(WebError::not_found());
    };
    let bytes = state.files.get(&sha).await.map_err(|e| {
        tracing::warn!(error = %e, dossier = %record.code, "result file missing");
        WebError::not_found()
    })?;
    let mime = motcua_app::files::sniff(&bytes).unwrap_or("application/octet-stream");
    let ext = motcua_app::files::ACCEPTED
        .iter()
        .find(|(m, _)| *m == mime)
        .map_or("bin", |(_, e)| *e);
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"ket-qua-{}.{ext}\"", record.code),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct ResultForm {
    /// What the result decides (e.g. "Cấp giấy phép số 12/GP").
    summary: String,
    /// The signed result document: PDF, JPEG or PNG, judged by content.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Issues the electronic result: the file is stored under its SHA-256, which the result
/// records (the public page `/verify/{sha256}` then confirms it), and the dossier moves to
/// "result ready" as the lifecycle decides (approved first, by the holding agency).
#[utoipa::path(
    post, path = "/api/v1/dossiers/{code}/result", tag = "dossiers", security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code")),
    request_body(content = ResultForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, body = crate::api::dossiers::DossierView),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "not approved yet"),
        (status = 413, body = crate::error::ErrorBody),
        (status = 415, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn issue_result(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Caller(principal): Caller,
    Path(code): Path<String>,
    mut form: axum::extract::Multipart,
) -> Result<axum::Json<crate::api::dossiers::DossierView>, WebError> {
    let actor = motcua_app::dossiers::staff_writer(&principal)?;
    let record = motcua_app::dossiers::readable(&state, &principal, &code).await?;
    let fields = crate::upload::read_upload_form(&mut form)
        .await
        .map_err(|e| match e {
            crate::upload::UploadError::TooLarge => {
                WebError::new(Kind::TooLarge, "file_too_large", "error-file-too-large")
            }
            crate::upload::UploadError::Malformed => bad_result_form(),
        })?;
    let (Some(summary), Some((_, bytes))) = (fields.summary, fields.file) else {
        return Err(bad_result_form());
    };
    let now = Utc::now();
    let updated =
        motcua_app::dossiers::issue_result(&state, &actor, &record, summary, bytes, None, now)
            .await?;
    Ok(axum::Json(crate::api::dossiers::view(&updated, lang, now)))
}

/// A file the applicant attached to the dossier (listed with its `url` in the dossier), as it
/// was uploaded: for the applicant, staff in scope or a system in scope; 404 for anyone else.
#[utoipa::path(
    get, path = "/api/v1/dossiers/{code}/attachments/{id}", tag = "dossiers", security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Dossier code"),
        ("id" = String, Path, description = "The attachment's id, as the dossier lists it")
    ),
    responses(
        (status = 200, description = "the file (PDF, JPEG or PNG)"),
        (status = 401, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn attachment(
    State(state): State<App>,
    Caller(principal): Caller,
    Path((code, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (a, content) = motcua_app::dossiers::attachment(&state, &principal, &code, &id).await?;
    Ok(crate::upload::download(
        &a.content_type,
        &a.file_name,
        content,
    ))
}

fn bad_result_form() -> WebError {
    WebError::new(Kind::BadRequest, "invalid_upload", "error-invalid-upload")
}

fn pdf_response(pdf: bytes::Bytes, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}.pdf\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        pdf,
    )
        .into_response()
}

/// A slip of the dossier by kind: `receipt` (Mẫu 01), `supplement-guide` (Mẫu 02, the latest
/// supplement request), `refusal` (Mẫu 03), `apology` (Mẫu 04, the re-appointment),
/// `control-sheet` (the processing control sheet, from every hand-over) or `result` (the
/// electronic result's verification slip with a QR code to `/verify/{sha256}`); 404 when the
/// dossier has no such event. For the applicant, staff in scope or a system in scope.
#[utoipa::path(
    get, path = "/api/v1/dossiers/{code}/documents/{file}", tag = "dossiers", security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Dossier code"),
        ("file" = String, Path, description = "`receipt.pdf`, `supplement-guide.pdf`, `refusal.pdf`, `apology.pdf`, `control-sheet.pdf` or `result.pdf`")
    ),
    responses(
        (status = 200, content_type = "application/pdf", description = "the slip"),
        (status = 401, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn slip(
    State(state): State<App>,
    Caller(principal): Caller,
    Path((code, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let record = motcua_app::dossiers::readable(&state, &principal, &code).await?;
    let kind = file
        .strip_suffix(".pdf")
        .and_then(SlipKind::parse)
        .ok_or_else(WebError::not_found)?;
    let pdf = slips::pdf(&state, &record, kind).await?;
    Ok(pdf_response(pdf, &kind.file_name(&record.code.to_string())))
}

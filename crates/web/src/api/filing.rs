//! Online filing over the API (mobile apps): drafts, answers, attachments (uploaded or reused),
//! submission, and the citizen's dossiers.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use motcua_app::error::Kind;
use motcua_domain::Lang;
use motcua_domain::ids::DraftId;
use motcua_store::{Attachment, Draft};
use serde::{Deserialize, Serialize};

use crate::api::citizen::citizen;
use crate::api::dossiers::{DossierView, view};
use crate::auth::Caller;
use crate::error::{ApiJson, ReqLang, WebError};
use motcua_app::App;
use motcua_app::filing;

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AttachmentView {
    id: String,
    document: String,
    file_name: String,
    content_type: String,
    size: i64,
    sha256: String,
    dossier_code: Option<String>,
    created_at: DateTime<Utc>,
}

impl From<Attachment> for AttachmentView {
    fn from(a: Attachment) -> Self {
        AttachmentView {
            id: a.id,
            document: a.document,
            file_name: a.file_name,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
            dossier_code: a.dossier_code,
            created_at: a.created_at,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DocumentView {
    name: String,
    /// Filed with every dossier; the others are filed when their case applies.
    required: bool,
    /// Guidance of the list, not a document to attach.
    note: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DraftView {
    id: String,
    procedure_code: String,
    procedure_name: String,
    #[schema(value_type = Object)]
    answers: serde_json::Value,
    /// The procedure's form (JSON Schema subset; see the catalog documentation).
    #[schema(value_type = Object)]
    form_schema: serde_json::Value,
    documents: Vec<DocumentView>,
    attachments: Vec<AttachmentView>,
    /// Fee to pay online before the dossier is processed (VND); where it depends on the case,
    /// that of the case chosen in the answers (0 until chosen).
    fee: i64,
    max_file_mb: u64,
    max_files: usize,
    updated_at: DateTime<Utc>,
    /// Set once filed.
    dossier_code: Option<String>,
}

async fn draft_view(state: &App, d: Draft) -> Result<DraftView, WebError> {
    let p = filing::procedure(state, &d.procedure_code).await?;
    let attachments = state.store.draft_attachments(&d.id).await?;
    let (max_file_mb, max_files) = filing::limits(&p);
    let fee = filing::online_fee(&p, &d.answers);
    Ok(DraftView {
        id: d.id.to_string(),
        procedure_code: d.procedure_code,
        procedure_name: p.name.clone(),
        answers: d.answers,
        documents: p
            .documents
            .iter()
            .map(|x| DocumentView {
                required: filing::document_required(x),
                note: x.role() == motcua_store::DocumentRole::Note,
                name: x.name.clone(),
            })
            .collect(),
        form_schema: p.form_schema.clone(),
        attachments: attachments.into_iter().map(Into::into).collect(),
        fee,
        max_file_mb,
        max_files,
        updated_at: d.updated_at,
        dossier_code: d.dossier_code,
    })
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct NewDraft {
    procedure_code: String,
}

/// Starts filing a procedure online.
#[utoipa::path(
    post, path = "/api/v1/citizen/drafts", tag = "citizen", security(("bearer" = [])),
    request_body = NewDraft,
    responses((status = 201, body = DraftView), (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody, description = "not available online"))
)]
pub(crate) async fn create(
    State(state): State<App>,
    Caller(principal): Caller,
    ApiJson(req): ApiJson<NewDraft>,
) -> Result<(StatusCode, Json<DraftView>), WebError> {
    let me = citizen(principal)?;
    let d = filing::start(&state, &me.citizen, &req.procedure_code, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(draft_view(&state, d).await?)))
}

/// The citizen's drafts not yet filed, latest first.
#[utoipa::path(
    get, path = "/api/v1/citizen/drafts", tag = "citizen", security(("bearer" = [])),
    responses((status = 200, body = [DraftView]), (status = 401, body = crate::error::ErrorBody))
)]
pub(crate) async fn list(
    State(state): State<App>,
    Caller(principal): Caller,
) -> Result<Json<Vec<DraftView>>, WebError> {
    let me = citizen(principal)?;
    let drafts = state.store.citizen_drafts(&me.citizen.id).await?;
    let mut out = Vec::with_capacity(drafts.len());
    for d in drafts {
        out.push(draft_view(&state, d).await?);
    }
    Ok(Json(out))
}

/// One draft with its form, documents and attachments.
#[utoipa::path(
    get, path = "/api/v1/citizen/drafts/{id}", tag = "citizen", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = DraftView), (status = 404, body = crate::error::ErrorBody))
)]
pub(crate) async fn get(
    State(state): State<App>,
    Caller(principal): Caller,
    Path(id): Path<DraftId>,
) -> Result<Json<DraftView>, WebError> {
    let me = citizen(principal)?;
    let d = filing::own_draft(&state, &me.citizen, &id).await?;
    Ok(Json(draft_view(&state, d).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct Answers {
    #[schema(value_type = Object)]
    answers: serde_json::Value,
}

/// Saves the answers so far (checked in full at submission).
#[utoipa::path(
    put, path = "/api/v1/citizen/drafts/{id}", tag = "citizen", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Answers,
    responses((status = 200, body = DraftView), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody, description = "filed already"))
)]
pub(crate) async fn save(
    State(state): State<App>,
    Caller(principal): Caller,
    Path(id): Path<DraftId>,
    ApiJson(req): ApiJson<Answers>,
) -> Result<Json<DraftView>, WebError> {
    let me = citizen(principal)?;
    let d = filing::save_answers(&state, &me.citizen, &id, req.answers, Utc::now()).await?;
    Ok(Json(draft_view(&state, d).await?))
}

/// Discards a draft and its attachments.
#[utoipa::path(
    delete, path = "/api/v1/citizen/drafts/{id}", tag = "citizen", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody))
)]
pub(crate) async fn discard(
    State(state): State<App>,
    Caller(principal): Caller,
    Path(id): Path<DraftId>,
) -> Result<StatusCode, WebError> {
    let me = citizen(principal)?;
    let d = filing::open_draft(&state, &me.citizen, &id).await?;
    state.store.delete_draft(&d.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The multipart form of an upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct UploadForm {
    /// The required document this file is for, by its name in the procedure.
    document: String,
    /// PDF, JPEG or PNG.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

fn bad_upload() -> WebError {
    WebError::new(Kind::BadRequest, "invalid_upload", "error-invalid-upload-2")
}

/// Reads `document` and `file` from a multipart upload.
pub(crate) async fn read_upload(mut form: Multipart) -> Result<filing::Upload, WebError> {
    let fields = crate::upload::read_upload_form(&mut form)
        .await
        .map_err(|e| match e {
            crate::upload::UploadError::TooLarge => {
                WebError::new(Kind::TooLarge, "file_too_large", "error-file-too-large")
            }
            crate::upload::UploadError::Malformed => bad_upload(),
        })?;
    match (fields.document, fields.file) {
        (Some(document), Some((file_name, bytes))) if !bytes.is_empty() => Ok(filing::Upload {
            document,
            file_name,
            bytes,
        }),
        (Some(_), Some(_)) => Err(WebError::new(
            Kind::Invalid,
            "empty_file",
            "error-empty-file",
        )),
        _ => Err(bad_upload()),
    }
}

/// Attaches a file (PDF, JPEG or PNG, judged by content) to one of the procedure's documents.
#[utoipa::path(
    post, path = "/api/v1/citizen/drafts/{id}/attachments", tag = "citizen", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = AttachmentView),
        (status = 413, body = crate::error::ErrorBody, description = "larger than the procedure allows"),
        (status = 415, body = crate::error::ErrorBody, description = "not a PDF, JPEG or PNG"),
        (status = 422, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn upload(
    State(state): State<App>,
    Caller(principal): Caller,
    Path(id): Path<DraftId>,
    form: Multipart,
) -> Result<(StatusCode, Json<AttachmentView>), WebError> {
    let me = citizen(principal)?;
    let upload = read_upload(form).await?;
    let target = filing::Target::Draft(&id);
    let a = filing::attach(&state, &me.citizen, target, upload, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct Reuse {
    /// One of the citizen's earlier files (`GET /api/v1/citizen/files`).
    attachment_id: String,
    document: String,
}

/// Reuses a file given before (data reuse) instead of uploading it again.
#[utoipa::path(
    post, path = "/api/v1/citizen/drafts/{id}/attachments/reuse", tag = "citizen", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Reuse,
    responses((status = 201, body = AttachmentView), (status = 404, body = crate::error::ErrorBody))
)]
pub(crate) async fn reuse(
    State(state): State<App>,
    Caller(principal): Caller,
    Path(id): Path<DraftId>,
    ApiJson(req): ApiJson<Reuse>,
) -> Result<(StatusCode, Json<AttachmentView>), WebError> {
    let me = citizen(principal)?;
    let a = filing::reuse(
        &state,
        &me.citizen,
        &id,
        &req.attachment_id,
        &req.document,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

/// Removes an attachment from a draft.
#[utoipa::path(
    delete, path = "/api/v1/citizen/drafts/{id}/attachments/{attachment}", tag = "citizen", security(("bearer" = [])),
    params(("id" = String, Path), ("attachment" = String, Path)),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody))
)]
pub(crate) async fn detach(
    State(state): State<App>,
    Caller(principal): Caller,
    Path((id, attachment)): Path<(DraftId, String)>,
) -> Result<StatusCode, WebError> {
    let me = citizen(principal)?;
    filing::detach(&state, &me.citizen, &id, &attachment).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every file the citizen gave before, newest first, for reuse.
#[utoipa::path(
    get, path = "/api/v1/citizen/files", tag = "citizen", security(("bearer" = [])),
    responses((status = 200, body = [AttachmentView]), (status = 401, body = crate::error::ErrorBody))
)]
pub(crate) async fn files(
    State(state): State<App>,
    Caller(principal): Caller,
) -> Result<Json<Vec<AttachmentView>>, WebError> {
    let me = citizen(principal)?;
    let list = state.store.citizen_attachments(&me.citizen.id).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Filed {
    dossier: DossierView,
    /// Appointment if the dossier is received now (it is set for good at receipt).
    expected_due_at: Option<DateTime<Utc>>,
    /// What is still owed (VND) of the fee to pay before processing: 0 when nothing is.
    /// The whole fee is `dossier.fee_total`. (Earlier versions named this `fee_due`, which the
    /// dossier used for the whole fee.)
    fee_owed: i64,
    receipt_url: String,
}

/// Files the draft: checks the profile, the answers and the documents (a 422 lists every
/// problem), then opens the dossier. A draft filed already answers 409 with its code.
#[utoipa::path(
    post, path = "/api/v1/citizen/drafts/{id}/submit", tag = "citizen", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 201, body = Filed),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "filed already"),
        (status = 422, body = crate::error::ErrorBody, description = "what is missing or wrong, field by field")
    )
)]
pub(crate) async fn submit(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Caller(principal): Caller,
    Path(id): Path<DraftId>,
) -> Result<(StatusCode, Json<Filed>), WebError> {
    let me = citizen(principal)?;
    let now = Utc::now();
    let r = filing::submit(&state, &me.citizen, &id, now).await?;
    Ok((StatusCode::CREATED, Json(filed(&state, &r, lang, now))))
}

pub(crate) fn filed(
    state: &App,
    r: &motcua_store::DossierRecord,
    lang: Lang,
    now: DateTime<Utc>,
) -> Filed {
    let d = &r.state;
    Filed {
        expected_due_at: Some(d.expected_due(&state.calendar(), now)),
        fee_owed: d.fee_owed(),
        receipt_url: format!("/api/v1/dossiers/{}/receipt.pdf", r.code),
        dossier: view(r, lang, now),
    }
}

/// The citizen's dossiers, latest first.
#[utoipa::path(
    get, path = "/api/v1/citizen/dossiers", tag = "citizen", security(("bearer" = [])),
    responses((status = 200, body = [DossierView]), (status = 401, body = crate::error::ErrorBody))
)]
pub(crate) async fn dossiers(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Caller(principal): Caller,
) -> Result<Json<Vec<DossierView>>, WebError> {
    let me = citizen(principal)?;
    let now = Utc::now();
    let list = state.store.owner_dossiers(&me.citizen.id).await?;
    Ok(Json(list.iter().map(|r| view(r, lang, now)).collect()))
}

/// Uploads a missing document to the citizen's dossier while it waits for a supplement; then
/// `POST /api/v1/dossiers/{code}/actions {"action": "submit_supplement"}` hands it back.
#[utoipa::path(
    post, path = "/api/v1/citizen/dossiers/{code}/attachments", tag = "citizen", security(("bearer" = [])),
    params(("code" = String, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = AttachmentView),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "no supplement asked"),
        (status = 413, body = crate::error::ErrorBody),
        (status = 415, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn supplement_upload(
    State(state): State<App>,
    Caller(principal): Caller,
    Path(code): Path<String>,
    form: Multipart,
) -> Result<(StatusCode, Json<AttachmentView>), WebError> {
    let me = citizen(principal)?;
    let code = motcua_domain::ids::DossierCode::parse(&code).map_err(|_| WebError::not_found())?;
    let upload = read_upload(form).await?;
    let a = filing::attach(
        &state,
        &me.citizen,
        filing::Target::Dossier(&code),
        upload,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

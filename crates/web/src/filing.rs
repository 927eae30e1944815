//! Online filing by a signed-in citizen: a draft per procedure keeps the answers and the
//! attached documents until it is submitted; submission checks everything on the server and
//! opens the dossier in one transaction. Used by the API and by the portal's wizard.

use axum::http::StatusCode;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use motcua_catalog::form;
use motcua_domain::Lang;
use motcua_domain::ids::{Cccd, Phone, ProcedureCode};
use motcua_domain::lifecycle::{Applicant, Channel, Intake};
use motcua_domain::role::{Actor, Role};
use motcua_store::{Attachment, Citizen, DossierRecord, Draft, OnlineLevel, Procedure, StoreError};

use crate::error::{ApiError, FieldError, pick};
use motcua_app::App;
use motcua_app::files::sniff;
use motcua_app::secrets::new_secret;

/// Largest file accepted, unless the procedure's form says otherwise (`x-attachments.max_mb`).
pub(crate) const DEFAULT_MAX_MB: u64 = 10;
/// Most files per dossier, unless the form says otherwise (`x-attachments.max_files`): this,
/// or two per listed document when a procedure lists more.
pub(crate) const DEFAULT_MAX_FILES: usize = 20;
/// Request body limit of upload routes: the largest file any procedure may allow, plus form
/// overhead.
pub(crate) const UPLOAD_BODY_LIMIT: usize = 50 * 1024 * 1024 + 64 * 1024;

/// The attachment limits of a procedure.
pub(crate) fn limits(p: &Procedure) -> (u64, usize) {
    let a = p.form_schema.get("x-attachments");
    let max_mb = a
        .and_then(|a| a.get("max_mb"))
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(DEFAULT_MAX_MB)
        .clamp(1, 50);
    let max_files = a
        .and_then(|a| a.get("max_files"))
        .and_then(serde_json::Value::as_u64)
        .map_or(DEFAULT_MAX_FILES.max(2 * p.documents.len()), |n| {
            n.clamp(1, 100) as usize
        });
    (max_mb, max_files)
}

/// A document is optional when the catalog says so in its name ("… (nếu có)").
pub(crate) fn document_required(name: &str) -> bool {
    !name.to_lowercase().contains("nếu có")
}

/// The fee to pay online before processing: the online method's single stated amount.
pub(crate) fn online_fee(p: &Procedure) -> i64 {
    p.methods
        .iter()
        .find(|m| m.method.to_lowercase().contains("trực tuyến"))
        .and_then(|m| m.fee_vnd)
        .unwrap_or(0)
        .max(0)
}

fn problem(status: StatusCode, code: &str, lang: Lang, vi: &str, en: &str) -> ApiError {
    ApiError::new(status, code, pick(lang, vi, en))
}

pub(crate) async fn procedure(state: &App, code: &str, lang: Lang) -> Result<Procedure, ApiError> {
    let code = ProcedureCode::parse(code).map_err(|_| ApiError::not_found(lang))?;
    state
        .store
        .procedure(&code)
        .await
        .map_err(|e| ApiError::store(e, lang))?
        .ok_or_else(|| ApiError::not_found(lang))
}

/// Starts a draft for a procedure that can be filed online.
pub(crate) async fn start(
    state: &App,
    me: &Citizen,
    procedure_code: &str,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Draft, ApiError> {
    let p = procedure(state, procedure_code, lang).await?;
    if p.online_level == OnlineLevel::None || p.processing_time.is_none() {
        return Err(problem(
            StatusCode::CONFLICT,
            "not_online",
            lang,
            "Thủ tục này chưa nộp trực tuyến được; hãy nộp tại Bộ phận Một cửa.",
            "This procedure cannot be filed online yet; file it at a one-stop counter.",
        ));
    }
    let draft = Draft {
        id: new_secret("drf_")[..28].to_string(),
        citizen_id: me.id.clone(),
        procedure_code: p.code.to_string(),
        answers: serde_json::json!({}),
        created_at: now,
        updated_at: now,
        dossier_code: None,
    };
    state
        .store
        .put_draft(&draft)
        .await
        .map_err(|e| ApiError::store(e, lang))?;
    Ok(draft)
}

fn already_submitted(code: &str, lang: Lang) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "already_submitted",
        pick(
            lang,
            &format!("Hồ sơ này đã được nộp với mã {code}; không nộp lại lần nữa."),
            &format!("This dossier has been filed already as {code}; it was not filed again."),
        ),
    )
}

/// The citizen's own draft; another's is answered as not found.
pub(crate) async fn own_draft(
    state: &App,
    me: &Citizen,
    id: &str,
    lang: Lang,
) -> Result<Draft, ApiError> {
    match state
        .store
        .draft(id)
        .await
        .map_err(|e| ApiError::store(e, lang))?
    {
        Some(d) if d.citizen_id == me.id => Ok(d),
        _ => Err(ApiError::not_found(lang)),
    }
}

/// The draft, when it can still change.
pub(crate) async fn open_draft(
    state: &App,
    me: &Citizen,
    id: &str,
    lang: Lang,
) -> Result<Draft, ApiError> {
    let d = own_draft(state, me, id, lang).await?;
    match &d.dossier_code {
        Some(code) => Err(already_submitted(code, lang)),
        None => Ok(d),
    }
}

/// Saves answers as they are (checking happens at submission, and page by page in the wizard).
pub(crate) async fn save_answers(
    state: &App,
    me: &Citizen,
    id: &str,
    answers: serde_json::Value,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Draft, ApiError> {
    let mut d = open_draft(state, me, id, lang).await?;
    if !answers.is_object() || answers.to_string().len() > 200_000 {
        return Err(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_answers",
            lang,
            "Câu trả lời phải là một đối tượng JSON (tối đa 200 KB).",
            "Answers must be a JSON object (at most 200 KB).",
        ));
    }
    d.answers = answers;
    d.updated_at = now;
    state
        .store
        .put_draft(&d)
        .await
        .map_err(|e| ApiError::store(e, lang))?;
    Ok(d)
}

fn document_of<'a>(p: &'a Procedure, document: &str, lang: Lang) -> Result<&'a str, ApiError> {
    p.documents
        .iter()
        .map(|d| d.name.as_str())
        .find(|n| *n == document.trim())
        .ok_or_else(|| {
            problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_document",
                lang,
                "Chọn một giấy tờ trong thành phần hồ sơ của thủ tục.",
                "Choose one of the procedure's required documents.",
            )
        })
}

async fn check_count(state: &App, d: &Draft, p: &Procedure, lang: Lang) -> Result<(), ApiError> {
    let (_, max_files) = limits(p);
    let n = state
        .store
        .draft_attachments(&d.id)
        .await
        .map_err(|e| ApiError::store(e, lang))?
        .len();
    if n >= max_files {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_many_files",
            pick(
                lang,
                &format!("Mỗi hồ sơ có tối đa {max_files} tệp."),
                &format!("A dossier may have at most {max_files} files."),
            ),
        ));
    }
    Ok(())
}

fn clean_file_name(name: &str, mime: &str) -> String {
    let base: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    let base = base.trim();
    if base.is_empty() {
        let ext = motcua_app::files::ACCEPTED
            .iter()
            .find(|(m, _)| *m == mime)
            .map_or("bin", |(_, e)| *e);
        format!("tep.{ext}")
    } else {
        base.to_string()
    }
}

/// An uploaded file for one document.
pub(crate) struct Upload {
    pub(crate) document: String,
    pub(crate) file_name: String,
    pub(crate) bytes: Bytes,
}

/// Why a multipart upload could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UploadError {
    TooLarge,
    Malformed,
}

/// The fields of an upload form: the anti-forgery token (pages), the document and the file.
#[derive(Default)]
pub(crate) struct UploadFields {
    pub(crate) csrf: String,
    pub(crate) document: Option<String>,
    /// What an issued result decides (officers' result upload).
    pub(crate) summary: Option<String>,
    pub(crate) file: Option<(String, Bytes)>,
}

/// Reads `csrf`, `document`, `summary` and `file` from a multipart form (other fields are ignored).
pub(crate) async fn read_upload_form(
    form: &mut axum::extract::Multipart,
) -> Result<UploadFields, UploadError> {
    let fail = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            UploadError::TooLarge
        } else {
            UploadError::Malformed
        }
    };
    let mut out = UploadFields::default();
    while let Some(field) = form.next_field().await.map_err(fail)? {
        match field.name() {
            Some("csrf") => out.csrf = field.text().await.map_err(fail)?,
            Some("document") => out.document = Some(field.text().await.map_err(fail)?),
            Some("summary") => out.summary = Some(field.text().await.map_err(fail)?),
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                out.file = Some((name, field.bytes().await.map_err(fail)?));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Where an attachment goes: a draft, or a filed dossier answering a supplement request.
pub(crate) enum Target<'a> {
    Draft(&'a str),
    Dossier(&'a motcua_domain::ids::DossierCode),
}

/// Attaches an uploaded file to a required document of a draft, or of the citizen's own
/// dossier while it waits for a supplement.
pub(crate) async fn attach(
    state: &App,
    me: &Citizen,
    target: Target<'_>,
    upload: Upload,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Attachment, ApiError> {
    let (draft_id, dossier_code, p) = match target {
        Target::Draft(id) => {
            let d = open_draft(state, me, id, lang).await?;
            let p = procedure(state, &d.procedure_code, lang).await?;
            check_count(state, &d, &p, lang).await?;
            (Some(d.id), None, p)
        }
        Target::Dossier(code) => {
            let record = state
                .store
                .dossier(code)
                .await
                .map_err(|e| ApiError::store(e, lang))?
                .filter(|r| r.state.intake.owner.as_deref() == Some(me.id.as_str()))
                .ok_or_else(|| ApiError::not_found(lang))?;
            if record.state.status != motcua_domain::lifecycle::Status::AwaitingSupplement {
                return Err(problem(
                    StatusCode::CONFLICT,
                    "no_supplement_asked",
                    lang,
                    "Hồ sơ không ở trạng thái chờ bổ sung.",
                    "The dossier is not waiting for a supplement.",
                ));
            }
            let p = procedure(state, &record.state.intake.procedure.code.to_string(), lang).await?;
            (None, Some(record.code.to_string()), p)
        }
    };
    let Upload {
        document,
        file_name,
        bytes,
    } = upload;
    let document = document_of(&p, &document, lang)?.to_string();
    let (max_mb, _) = limits(&p);
    if bytes.len() as u64 > max_mb * 1024 * 1024 {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "file_too_large",
            pick(
                lang,
                &format!(
                    "Tệp lớn hơn {max_mb} MB. Hãy chụp hoặc quét lại với độ phân giải thấp hơn."
                ),
                &format!(
                    "The file is larger than {max_mb} MB. Scan or photograph it at a lower resolution."
                ),
            ),
        ));
    }
    let Some(mime) = sniff(&bytes) else {
        return Err(problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "file_type",
            lang,
            "Tệp phải là PDF, JPG hoặc PNG (kiểm tra theo nội dung tệp, không theo tên).",
            "The file must be a PDF, JPG or PNG (judged by its content, not its name).",
        ));
    };
    let size = bytes.len() as i64;
    let sha256 = state.files.put(bytes).await.map_err(|e| {
        tracing::error!(error = %e, "storing an upload failed");
        ApiError::store(StoreError::Corrupt("file storage".into()), lang)
    })?;
    let a = Attachment {
        id: new_secret("att_")[..28].to_string(),
        citizen_id: me.id.clone(),
        draft_id,
        dossier_code,
        document,
        file_name: clean_file_name(&file_name, mime),
        content_type: mime.to_string(),
        size,
        sha256,
        created_at: now,
    };
    state
        .store
        .put_attachment(&a)
        .await
        .map_err(|e| ApiError::store(e, lang))?;
    Ok(a)
}

/// Gives a file the citizen gave before (or a result they received) for a document of this
/// draft, without uploading it again.
pub(crate) async fn reuse(
    state: &App,
    me: &Citizen,
    draft_id: &str,
    attachment_id: &str,
    document: &str,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Attachment, ApiError> {
    let d = open_draft(state, me, draft_id, lang).await?;
    let p = procedure(state, &d.procedure_code, lang).await?;
    let document = document_of(&p, document, lang)?.to_string();
    let source = match state
        .store
        .attachment(attachment_id)
        .await
        .map_err(|e| ApiError::store(e, lang))?
    {
        Some(a) if a.citizen_id == me.id => a,
        _ => return Err(ApiError::not_found(lang)),
    };
    check_count(state, &d, &p, lang).await?;
    let a = Attachment {
        id: new_secret("att_")[..28].to_string(),
        draft_id: Some(d.id.clone()),
        dossier_code: None,
        document,
        created_at: now,
        ..source
    };
    state
        .store
        .put_attachment(&a)
        .await
        .map_err(|e| ApiError::store(e, lang))?;
    Ok(a)
}

/// Removes an attachment from a draft not yet submitted.
pub(crate) async fn detach(
    state: &App,
    me: &Citizen,
    draft_id: &str,
    attachment_id: &str,
    lang: Lang,
) -> Result<(), ApiError> {
    let d = open_draft(state, me, draft_id, lang).await?;
    match state
        .store
        .attachment(attachment_id)
        .await
        .map_err(|e| ApiError::store(e, lang))?
    {
        Some(a) if a.draft_id.as_deref() == Some(d.id.as_str()) => state
            .store
            .delete_attachment(&a.id)
            .await
            .map_err(|e| ApiError::store(e, lang)),
        _ => Err(ApiError::not_found(lang)),
    }
}

/// Everything wrong with the draft before it can be filed: profile, answers, documents.
pub(crate) async fn problems(
    state: &App,
    me: &Citizen,
    d: &Draft,
    p: &Procedure,
    lang: Lang,
) -> Result<(Vec<FieldError>, serde_json::Map<String, serde_json::Value>), ApiError> {
    let mut errors = Vec::new();
    if me.cccd.is_none() {
        errors.push(FieldError {
            field: "profile.cccd".into(),
            code: "profile_incomplete".into(),
            message: pick(
                lang,
                "Cần cập nhật số định danh cá nhân trong hồ sơ cá nhân trước khi nộp.",
                "Add your citizen ID to your profile before filing.",
            ),
        });
    }
    let cleaned = match form::validate(&p.form_schema, &d.answers, lang) {
        Ok(c) => c,
        Err(list) => {
            errors.extend(list.into_iter().map(|f| FieldError {
                field: format!("answers.{}", f.path),
                code: f.code.to_string(),
                message: f.message,
            }));
            serde_json::Map::new()
        }
    };
    let attached = state
        .store
        .draft_attachments(&d.id)
        .await
        .map_err(|e| ApiError::store(e, lang))?;
    for (i, doc) in p.documents.iter().enumerate() {
        if document_required(&doc.name) && !attached.iter().any(|a| a.document == doc.name) {
            errors.push(FieldError {
                field: format!("documents[{i}]"),
                code: "document_missing".into(),
                message: pick(
                    lang,
                    &format!("Cần đính kèm: {}.", doc.name),
                    &format!("Attach: {}.", doc.name),
                ),
            });
        }
    }
    Ok((errors, cleaned))
}

/// Files the draft: checks it whole, then opens the dossier. A draft filed already answers
/// 409 with its dossier code, so a repeated click or a replayed request files nothing twice.
pub(crate) async fn submit(
    state: &App,
    me: &Citizen,
    draft_id: &str,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<DossierRecord, ApiError> {
    let d = open_draft(state, me, draft_id, lang).await?;
    let p = procedure(state, &d.procedure_code, lang).await?;
    let (errors, cleaned) = problems(state, me, &d, &p, lang).await?;
    if !errors.is_empty() {
        return Err(ApiError::fields(errors, lang));
    }
    let Some(mut rules) = p.rules() else {
        return Err(ApiError::not_found(lang));
    };
    rules.prepaid_fee = online_fee(&p);
    let intake = Intake {
        procedure: rules,
        applicant: Applicant {
            name: me.full_name.clone(),
            cccd: me.cccd.as_deref().and_then(|c| Cccd::parse(c).ok()),
            phone: me.phone.as_deref().and_then(|x| Phone::parse(x).ok()),
            email: me.email.clone(),
            tax_code: None,
            lang: me.lang,
        },
        channel: Channel::Online,
        receiving_agency: state.default_receiving_agency,
        competent_agency: p.agency,
        branch: None,
        owner: Some(me.id.clone()),
        receive_now: false,
    };
    let actor = Actor::new(me.id.clone(), Role::Applicant, None);
    let form = serde_json::Value::Object(cleaned);
    match motcua_store::ops::open_draft(
        &*state.store,
        &state.lifecycle_on(&state.calendar()),
        &d.id,
        intake,
        form,
        &actor,
        now,
    )
    .await
    {
        Ok(r) => {
            tracing::info!(code = %r.code, citizen = %me.id, "dossier filed online");
            Ok(r)
        }
        Err(motcua_store::ops::OpError::Store(StoreError::Duplicate(code))) => {
            Err(already_submitted(&code, lang))
        }
        Err(e) => Err(ApiError::op(e, lang)),
    }
}

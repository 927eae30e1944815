//! Online filing by a signed-in citizen: a draft per procedure keeps the answers and the
//! attached documents until it is submitted; submission checks everything on the server and
//! opens the dossier in one transaction. Used by the API and by the portal's wizard.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use motcua_catalog::{form, portal};
use motcua_domain::ids::{AgencyCode, Cccd, DraftId, Phone, ProcedureCode};
use motcua_domain::lifecycle::{Applicant, Channel, Component, Intake};
use motcua_domain::role::{Actor, Role};
use motcua_store::{Attachment, Citizen, DossierRecord, Draft, OnlineLevel, Procedure, StoreError};
use motcua_store::{AttachmentQuota, DocumentRole, QuotaCheck, RequiredDocument};

use crate::App;
use crate::error::{AppError, FieldProblem, Kind, Message};
use crate::files::sniff;
use crate::secrets::new_secret;

/// Largest file accepted, unless the procedure's form says otherwise (`x-attachments.max_mb`).
pub const DEFAULT_MAX_MB: u64 = 10;
/// Most files per dossier, unless the form says otherwise (`x-attachments.max_files`): this,
/// or two per listed document when a procedure lists more.
pub const DEFAULT_MAX_FILES: usize = 20;
/// Drafts a citizen may have open (not yet submitted) at once.
pub const MAX_OPEN_DRAFTS: i64 = 20;
/// Bytes of files a citizen may hold in open drafts: enough for several large dossiers.
pub const MAX_DRAFT_BYTES: i64 = 300 * 1024 * 1024;

/// Request body limit of upload routes: the largest file any procedure may allow, plus form
/// overhead.
pub const UPLOAD_BODY_LIMIT: usize = 50 * 1024 * 1024 + 64 * 1024;

/// The attachment limits of a procedure.
pub fn limits(p: &Procedure) -> (u64, usize) {
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

/// Whether every dossier must carry the document (see [`RequiredDocument::role`]): entries for
/// a case or with a condition, papers to show and notes are not required.
pub fn document_required(doc: &RequiredDocument) -> bool {
    doc.role() == DocumentRole::ToFile
}

/// The fee to pay online before processing: the online method's stated amount, or, when the
/// source states it case by case, the amount of the case the applicant chose in `answers`
/// (0 until one is chosen; the form requires the choice before filing).
pub fn online_fee(p: &Procedure, answers: &serde_json::Value) -> i64 {
    let Some(method) = p.online_method() else {
        return 0;
    };
    let chosen = || {
        let case: usize = answers
            .get(portal::FEE_CASE)?
            .as_str()?
            .trim()
            .parse()
            .ok()?;
        let tiers = portal::fee_tiers(&method.fee_text);
        Some(tiers.get(case.checked_sub(1)?)?.amount)
    };
    method.fee_vnd.or_else(chosen).unwrap_or(0).max(0)
}

pub async fn procedure(state: &App, code: &str) -> Result<Procedure, AppError> {
    let code = ProcedureCode::parse(code).map_err(|_| AppError::not_found())?;
    state
        .store
        .procedure(&code)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Starts a draft for a procedure that can be filed online.
pub async fn start(
    state: &App,
    me: &Citizen,
    procedure_code: &str,
    now: DateTime<Utc>,
) -> Result<Draft, AppError> {
    let p = procedure(state, procedure_code).await?;
    if p.online_level == OnlineLevel::None || p.processing_time.is_none() {
        return Err(AppError::new(
            Kind::Conflict,
            "not_online",
            "error-not-online",
        ));
    }
    let draft = Draft {
        id: DraftId::new(&new_secret("drf_")[..28]),
        citizen_id: me.id.clone(),
        procedure_code: p.code.to_string(),
        answers: serde_json::json!({}),
        created_at: now,
        updated_at: now,
        dossier_code: None,
    };
    if !state.store.create_draft(&draft, MAX_OPEN_DRAFTS).await? {
        return Err(
            AppError::new(Kind::Conflict, "too_many_drafts", "error-too-many-drafts")
                .arg("max", MAX_OPEN_DRAFTS),
        );
    }
    Ok(draft)
}

fn already_submitted(code: &str) -> AppError {
    AppError::new(
        Kind::Conflict,
        "already_submitted",
        "error-already-submitted",
    )
    .arg("code", code)
}

/// The citizen's own draft; another's is answered as not found.
pub async fn own_draft(state: &App, me: &Citizen, id: &DraftId) -> Result<Draft, AppError> {
    match state.store.draft(id).await? {
        Some(d) if d.citizen_id == me.id => Ok(d),
        _ => Err(AppError::not_found()),
    }
}

/// The draft, when it can still change.
pub async fn open_draft(state: &App, me: &Citizen, id: &DraftId) -> Result<Draft, AppError> {
    let d = own_draft(state, me, id).await?;
    match &d.dossier_code {
        Some(code) => Err(already_submitted(code)),
        None => Ok(d),
    }
}

/// Saves answers as they are (checking happens at submission, and page by page in the wizard).
pub async fn save_answers(
    state: &App,
    me: &Citizen,
    id: &DraftId,
    answers: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Draft, AppError> {
    let mut d = open_draft(state, me, id).await?;
    if !answers.is_object() || answers.to_string().len() > 200_000 {
        return Err(AppError::new(
            Kind::Invalid,
            "invalid_answers",
            "error-invalid-answers",
        ));
    }
    d.answers = answers;
    d.updated_at = now;
    state.store.put_draft(&d).await?;
    Ok(d)
}

fn document_of<'a>(p: &'a Procedure, document: &str) -> Result<&'a str, AppError> {
    p.documents
        .iter()
        .map(|d| d.name.as_str())
        .find(|n| *n == document.trim())
        .ok_or_else(|| AppError::new(Kind::Invalid, "unknown_document", "error-unknown-document"))
}

pub(crate) fn too_many_files(max: usize) -> AppError {
    AppError::new(Kind::Invalid, "too_many_files", "error-too-many-files").arg("max", max)
}

/// Stores an attachment within its limits, checked with the write: the procedure's files per
/// draft (a filed dossier takes as many again, for supplements) and the bytes a citizen holds
/// in open drafts.
async fn store_attachment(state: &App, a: &Attachment, p: &Procedure) -> Result<(), AppError> {
    let (_, max_files) = limits(p);
    let files = if a.dossier_code.is_some() {
        2 * max_files
    } else {
        max_files
    };
    let quota = AttachmentQuota {
        files: i64::try_from(files).unwrap_or(i64::MAX),
        draft_bytes: MAX_DRAFT_BYTES,
    };
    match state.store.put_attachment(a, &quota).await? {
        QuotaCheck::Stored => Ok(()),
        QuotaCheck::TooManyFiles => Err(too_many_files(files)),
        QuotaCheck::TooManyBytes => {
            Err(
                AppError::new(Kind::TooLarge, "drafts_full", "error-drafts-full")
                    .arg("max_mb", MAX_DRAFT_BYTES / 1024 / 1024),
            )
        }
    }
}

/// A quick look before the file is stored: a draft already full is refused without writing
/// the upload anywhere (the limit itself is checked with the write, [`store_attachment`]).
async fn check_count(state: &App, d: &Draft, p: &Procedure) -> Result<(), AppError> {
    let (_, max_files) = limits(p);
    if state.store.draft_attachments(&d.id).await?.len() >= max_files {
        return Err(too_many_files(max_files));
    }
    Ok(())
}

pub(crate) fn clean_file_name(name: &str, mime: &str) -> String {
    // Controls, and the invisible characters that reorder or hide text: a name must read as
    // it is ("a\u{202e}gpj.exe.pdf" would show as "afdp.exe.jpg").
    let hidden = |c: &char| {
        c.is_control()
            || matches!(*c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    };
    let base: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !hidden(c))
        .take(120)
        .collect();
    let base = base.trim();
    let ext = crate::files::ACCEPTED
        .iter()
        .find(|(m, _)| *m == mime)
        .map_or("bin", |(_, e)| *e);
    // The extension says what the content is ("boot.ini" that is a PDF is "boot.ini.pdf").
    let lower = base.to_lowercase();
    let fits = lower.ends_with(&format!(".{ext}")) || (ext == "jpg" && lower.ends_with(".jpeg"));
    match (base.is_empty(), fits) {
        (true, _) => format!("tep.{ext}"),
        (false, true) => base.to_string(),
        (false, false) => format!("{base}.{ext}"),
    }
}

/// An uploaded file for one document.
pub struct Upload {
    pub document: String,
    pub file_name: String,
    pub bytes: Bytes,
}

/// Where an attachment goes: a draft, or a filed dossier answering a supplement request.
pub enum Target<'a> {
    Draft(&'a DraftId),
    Dossier(&'a motcua_domain::ids::DossierCode),
}

/// Attaches an uploaded file to a required document of a draft, or of the citizen's own
/// dossier while it waits for a supplement.
pub async fn attach(
    state: &App,
    me: &Citizen,
    target: Target<'_>,
    upload: Upload,
    now: DateTime<Utc>,
) -> Result<Attachment, AppError> {
    let (draft_id, dossier_code, p) = match target {
        Target::Draft(id) => {
            let d = open_draft(state, me, id).await?;
            let p = procedure(state, &d.procedure_code).await?;
            check_count(state, &d, &p).await?;
            (Some(d.id), None, p)
        }
        Target::Dossier(code) => {
            let record = state
                .store
                .dossier(code)
                .await?
                .filter(|r| crate::principal::is_owner(&r.state, &me.id))
                .ok_or_else(AppError::not_found)?;
            if record.state.status != motcua_domain::lifecycle::Status::AwaitingSupplement {
                return Err(AppError::new(
                    Kind::Conflict,
                    "no_supplement_asked",
                    "error-no-supplement-asked",
                ));
            }
            let p = procedure(state, &record.state.intake.procedure.code.to_string()).await?;
            (None, Some(record.code.to_string()), p)
        }
    };
    let Upload {
        document,
        file_name,
        bytes,
    } = upload;
    let document = document_of(&p, &document)?.to_string();
    let (max_mb, _) = limits(&p);
    if bytes.len() as u64 > max_mb * 1024 * 1024 {
        return Err(
            AppError::new(Kind::TooLarge, "file_too_large", "error-file-too-large-mb")
                .arg("max_mb", max_mb),
        );
    }
    let Some(mime) = sniff(&bytes) else {
        return Err(AppError::new(
            Kind::UnsupportedMedia,
            "file_type",
            "error-file-type",
        ));
    };
    let size = bytes.len() as i64;
    let sha256 = state
        .files
        .put(bytes)
        .await
        .map_err(|e| AppError::internal(format!("storing an upload failed: {e}")))?;
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
        reused_from: None,
    };
    store_attachment(state, &a, &p).await?;
    Ok(a)
}

/// Gives a file the citizen gave before (or a result they received) for a document of this
/// draft, without uploading it again.
pub async fn reuse(
    state: &App,
    me: &Citizen,
    draft_id: &DraftId,
    attachment_id: &str,
    document: &str,
    now: DateTime<Utc>,
) -> Result<Attachment, AppError> {
    let d = open_draft(state, me, draft_id).await?;
    let p = procedure(state, &d.procedure_code).await?;
    let document = document_of(&p, document)?.to_string();
    let source = match state.store.attachment(attachment_id).await? {
        Some(a) if a.citizen_id == me.id => a,
        _ => return Err(AppError::not_found()),
    };
    check_count(state, &d, &p).await?;
    // Where it was given first: the dossier it was filed with, or the file itself.
    let reused_from = source
        .dossier_code
        .clone()
        .or_else(|| source.reused_from.clone())
        .unwrap_or_else(|| source.id.clone());
    let a = Attachment {
        id: new_secret("att_")[..28].to_string(),
        draft_id: Some(d.id.clone()),
        dossier_code: None,
        document,
        created_at: now,
        reused_from: Some(reused_from),
        ..source
    };
    store_attachment(state, &a, &p).await?;
    Ok(a)
}

/// Removes an attachment from a draft not yet submitted.
pub async fn detach(
    state: &App,
    me: &Citizen,
    draft_id: &DraftId,
    attachment_id: &str,
) -> Result<(), AppError> {
    let d = open_draft(state, me, draft_id).await?;
    match state.store.attachment(attachment_id).await? {
        Some(a) if a.draft_id.as_ref() == Some(&d.id) => {
            Ok(state.store.delete_attachment(&a.id).await?)
        }
        _ => Err(AppError::not_found()),
    }
}

/// Everything wrong with the draft before it can be filed: profile, answers, documents.
pub async fn problems(
    state: &App,
    me: &Citizen,
    d: &Draft,
    p: &Procedure,
) -> Result<
    (
        Vec<FieldProblem>,
        serde_json::Map<String, serde_json::Value>,
    ),
    AppError,
> {
    let mut errors = Vec::new();
    if me.cccd.is_none() {
        errors.push(FieldProblem::new(
            "profile.cccd",
            "profile_incomplete",
            Message::key("error-profile-incomplete"),
        ));
    }
    if competent_agency(state, me, p).is_none() {
        errors.push(FieldProblem::new(
            "profile.ward_code",
            "commune_outside",
            Message::key("error-commune-outside"),
        ));
    }
    let cleaned = match form::validate(&p.form_schema, &d.answers) {
        Ok(c) => c,
        Err(list) => {
            errors.extend(
                list.into_iter()
                    .map(|f| FieldProblem::localised(format!("answers.{}", f.path), f)),
            );
            serde_json::Map::new()
        }
    };
    let attached = state.store.draft_attachments(&d.id).await?;
    for (i, doc) in p.documents.iter().enumerate() {
        if document_required(doc) && !attached.iter().any(|a| a.document == doc.name) {
            errors.push(FieldProblem::new(
                format!("documents[{i}]"),
                "document_missing",
                Message::key("error-document-missing").arg("document", doc.name.as_str()),
            ));
        }
    }
    Ok((errors, cleaned))
}

/// The agency that will handle the citizen's dossier: the procedure's own, or, when the catalog
/// leaves the commune open, the commune of the citizen's address (`None` when that address is
/// not in one of the province's communes).
pub fn competent_agency(state: &App, me: &Citizen, p: &Procedure) -> Option<AgencyCode> {
    if !state.catalog.leaves_commune_open(p.agency) {
        return Some(p.agency);
    }
    me.ward_code
        .as_deref()
        .and_then(|ward| state.catalog.commune_of_unit(ward))
}

/// Files the draft: checks it whole, then opens the dossier. A draft filed already answers
/// 409 with its dossier code, so a repeated click or a replayed request files nothing twice.
pub async fn submit(
    state: &App,
    me: &Citizen,
    draft_id: &DraftId,
    now: DateTime<Utc>,
) -> Result<DossierRecord, AppError> {
    let d = open_draft(state, me, draft_id).await?;
    let p = procedure(state, &d.procedure_code).await?;
    let (errors, cleaned) = problems(state, me, &d, &p).await?;
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let Some(mut rules) = p.rules() else {
        return Err(AppError::not_found());
    };
    let form = serde_json::Value::Object(cleaned);
    rules.prepaid_fee = online_fee(&p, &form);
    // The files given, oldest first: the dossier's digitised components.
    let components = state
        .store
        .draft_attachments(&d.id)
        .await?
        .into_iter()
        .rev()
        .map(|a| Component {
            document: a.document,
            sha256: a.sha256,
            reused_from: a.reused_from,
        })
        .collect();
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
        competent_agency: competent_agency(state, me, &p).ok_or_else(AppError::not_found)?,
        branch: None,
        owner: Some(me.id.clone()),
        receive_now: false,
        components,
    };
    let actor = Actor::new(me.id.clone(), Role::Applicant, None);
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
            Err(already_submitted(&code))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_read_as_they_are_and_say_what_the_file_is() {
        let pdf = "application/pdf";
        assert_eq!(clean_file_name("a\u{202e}gpj.exe.pdf", pdf), "agpj.exe.pdf");
        assert_eq!(clean_file_name("\u{200b}\u{200b}.pdf", pdf), ".pdf");
        assert_eq!(clean_file_name("\u{200b}\u{feff}", pdf), "tep.pdf");
        assert_eq!(clean_file_name("../../etc/tờ khai.pdf", pdf), "tờ khai.pdf");
        assert_eq!(clean_file_name("boot.ini", pdf), "boot.ini.pdf");
        assert_eq!(clean_file_name("ảnh.JPEG", "image/jpeg"), "ảnh.JPEG");
        assert_eq!(clean_file_name("scan.pdf", "image/png"), "scan.pdf.png");
    }

    use super::*;
    use motcua_catalog::portal::{FieldRoutes, procedures};
    use motcua_domain::ids::AgencyCode;
    use serde_json::json;

    /// "Cấp hộ chiếu phổ thông": online 160.000 đồng, or 320.000 đồng to replace a lost or
    /// damaged passport, as the source states case by case.
    fn passport() -> Procedure {
        let json = include_str!("../../../fixtures/catalog/tthc-catalog-local-2026-06.json");
        let routes = FieldRoutes::parse(
            include_str!("../../../fixtures/catalog/routing-quang-ninh.csv"),
            AgencyCode::parse("000.00.00.H22").unwrap(),
            AgencyCode::parse("000.00.14.H22").unwrap(),
        )
        .unwrap();
        procedures(json, &routes)
            .unwrap()
            .into_iter()
            .find(|p| p.code.to_string() == "1.001456")
            .unwrap()
    }

    #[test]
    fn a_fee_stated_case_by_case_is_the_chosen_cases() {
        let p = passport();
        let case = |n: &str| json!({ portal::FEE_CASE: n });
        assert_eq!(online_fee(&p, &case("1")), 160_000);
        assert_eq!(online_fee(&p, &case("2")), 320_000);
        // Not chosen, or not a case: nothing is charged, and the form asks.
        assert_eq!(online_fee(&p, &json!({})), 0);
        assert_eq!(online_fee(&p, &case("3")), 0);
        assert_eq!(online_fee(&p, &case("0")), 0);
        let problems = form::validate(&p.form_schema, &json!({})).unwrap_err();
        assert!(problems.iter().any(|f| f.path == portal::FEE_CASE));
        assert!(form::validate(&p.form_schema, &case("2")).is_ok());
    }
}

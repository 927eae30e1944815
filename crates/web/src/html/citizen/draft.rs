//! Online filing in the browser: a draft per procedure, page by page (answers, then documents,
//! then a check), submitted through the same use cases as the API.

use super::questions::answers_from_form;
use super::questions::question_fields;
use crate::error::FieldError;
use crate::html::forms::{
    Fields, FormField, Visitor, field_errors, forged, get, place_errors, see_other,
};
use crate::html::local;
use crate::html::{Chrome, render};
use crate::i18n::money;
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use chrono::Utc;
use motcua_app::App;
use motcua_app::error::AppError;
use motcua_app::filing::{self, Target};
use motcua_app::principal::CitizenAuth;
use motcua_catalog::form::{self, Field};
use motcua_catalog::portal::FEE_CASE;
use motcua_domain::ids::DraftId;
use motcua_store::{Attachment, Procedure};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// `POST /procedures/{code}/file`: starts a draft.
pub(crate) async fn start(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Path(code): Path<String>,
    Form(f): Fields,
) -> Response {
    let me = match v.citizen_form(&c, &format!("/procedures/{code}/apply"), get(&f, "csrf")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    match filing::start(&state, &me.citizen, &code, Utc::now()).await {
        Ok(d) => see_other(&format!("/account/drafts/{}", d.id)),
        Err(e) => crate::html::failure_page(&c, &e),
    }
}

#[derive(Template)]
#[template(path = "draft.html")]
pub(crate) struct DraftPage<'a> {
    c: &'a Chrome,
    csrf: String,
    id: String,
    procedure: String,
    procedure_code: String,
    step: &'static str,
    /// The questions page shown (0-based) and how many there are.
    page: usize,
    pages: usize,
    /// "Question 2 of 3".
    progress: String,
    errors: Vec<(String, String)>,
    fields: Vec<FormField>,
    documents: Vec<DocumentRow>,
    /// The source's notes on the documents (guidance, not uploads).
    notes: Vec<String>,
    reusable: Vec<(String, String)>,
    /// (question, answer, change link).
    answers: Vec<(String, String, String)>,
    applicant: Vec<(String, String)>,
    fee: String,
    max_mb: u64,
}

pub(crate) struct DocumentRow {
    /// As the catalog lists it (attachments are kept under this name).
    name: String,
    /// Without the case heading the catalog puts in front.
    shown: String,
    /// The case's heading, on the first document of each case.
    case: Option<String>,
    /// Whether the document belongs to a case (its heading is a level below the case's).
    under_case: bool,
    required: bool,
    files: Vec<Attachment>,
    index: usize,
    /// Listed already under another case: one upload serves both.
    repeated: bool,
}

pub(crate) async fn load(
    state: &App,
    me: &CitizenAuth,
    id: &DraftId,
) -> Result<(motcua_store::Draft, Procedure), AppError> {
    let d = filing::open_draft(state, &me.citizen, id).await?;
    let p = filing::procedure(state, &d.procedure_code).await?;
    Ok((d, p))
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn draft_page(
    state: &App,
    c: &Chrome,
    me: &CitizenAuth,
    d: &motcua_store::Draft,
    p: &Procedure,
    step: &'static str,
    page: usize,
    errors: &[FieldError],
    posted: Option<&Map<String, Value>>,
) -> Response {
    let empty = Map::new();
    let answers = posted.or(d.answers.as_object()).unwrap_or(&empty);
    let questions = form::fields(&p.form_schema);
    let pages = form::pages(&p.form_schema);
    let page = page.min(pages.len().saturating_sub(1));
    let page_of = |name: &str| {
        let root = form::root(name);
        pages
            .iter()
            .position(|g| g.iter().any(|n| n == root))
            .unwrap_or(0)
    };
    let all_fields = question_fields(c, &questions, answers, "");
    let mut fields: Vec<FormField> = all_fields
        .iter()
        .filter(|f| page_of(&f.name) == page)
        .cloned()
        .collect();
    let attachments = state
        .store
        .draft_attachments(&d.id)
        .await
        .unwrap_or_default();
    let notes: Vec<String> = p
        .documents
        .iter()
        .filter(|x| x.role() == motcua_store::DocumentRole::Note)
        .map(|x| x.case_and_name().1.to_string())
        .collect();
    // Grouped by case as the procedure's page shows them, the notes aside.
    let mut documents: Vec<DocumentRow> = Vec::new();
    for group in p.documents_by_case() {
        let mut heading = group.case.map(str::to_string);
        for (index, shown, x) in group.documents {
            if x.role() == motcua_store::DocumentRole::Note {
                continue;
            }
            let repeated = documents.iter().any(|d| d.name == x.name);
            documents.push(DocumentRow {
                repeated,
                name: x.name.clone(),
                shown: shown.to_string(),
                case: heading.take(),
                under_case: group.case.is_some(),
                required: filing::document_required(x),
                files: attachments
                    .iter()
                    .filter(|a| a.document == x.name)
                    .cloned()
                    .collect(),
                index,
            });
        }
    }
    let reusable: Vec<(String, String)> = state
        .store
        .citizen_attachments(&me.citizen.id)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a.draft_id.as_ref() != Some(&d.id))
        .map(|a| {
            (
                a.id.clone(),
                format!("{} ({}, {})", a.file_name, a.document, local(a.created_at)),
            )
        })
        .collect();
    let mut summary = place_errors(&mut fields, errors);
    for ((anchor, _), e) in summary.iter_mut().zip(errors) {
        if anchor == "main" && step == "check" {
            *anchor = "check".into();
        } else if anchor == "main" && e.field.starts_with("file-") {
            // A file of the documents' form: its input.
            anchor.clone_from(&e.field);
        }
    }
    let shown: Vec<(String, String, String)> = all_fields
        .iter()
        .map(|f| {
            let value = if f.kind == "select" {
                f.options
                    .iter()
                    .find(|(v, _)| *v == f.value)
                    .map(|(_, l)| l.clone())
                    .unwrap_or_default()
            } else {
                f.value.clone()
            };
            let link = format!(
                "/account/drafts/{}?page={}#f-{}",
                d.id,
                page_of(&f.name),
                f.id()
            );
            (f.label.clone(), value, link)
        })
        .collect();
    let citizen = &me.citizen;
    let applicant = vec![
        (c.tr.t("account-full-name"), citizen.full_name.clone()),
        (
            c.tr.t("profile-cccd"),
            citizen
                .cccd
                .clone()
                .unwrap_or_else(|| c.tr.t("check-missing")),
        ),
    ];
    let (max_mb, _) = filing::limits(p);
    let page = DraftPage {
        c,
        csrf: me.session.csrf.clone(),
        id: d.id.to_string(),
        procedure: p.name.clone(),
        procedure_code: p.code.to_string(),
        step,
        page,
        pages: pages.len(),
        progress: c
            .tr
            .t2("draft-question-of", ("n", page + 1), ("m", pages.len())),
        errors: summary,
        fields,
        documents,
        notes,
        reusable,
        answers: shown,
        applicant,
        fee: match filing::online_fee(p, &Value::Object(answers.clone())) {
            0 if p.form_schema["properties"].get(FEE_CASE).is_some() => c.tr.t("check-fee-by-case"),
            0 => c.tr.t("check-no-fee"),
            n => money(n),
        },
        max_mb,
    };
    let status = crate::html::forms::form_status(errors);
    render(status, c, &page)
}

pub(crate) async fn draft(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Path(id): Path<DraftId>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let me = match v.citizen(&format!("/account/drafts/{id}")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let (d, p) = match load(&state, &me, &id).await {
        Ok(x) => x,
        Err(e) => return draft_gone(&state, &c, &me, &id, e).await,
    };
    let step = match get(&q, "step") {
        "documents" => "documents",
        "check" => "check",
        _ => "answers",
    };
    let page = get(&q, "page").parse().unwrap_or(0);
    draft_page(&state, &c, &me, &d, &p, step, page, &[], None).await
}

/// A draft already filed goes to its dossier; otherwise the error is shown.
pub(crate) async fn draft_gone(
    state: &App,
    c: &Chrome,
    me: &CitizenAuth,
    id: &DraftId,
    e: AppError,
) -> Response {
    if e.code == "already_submitted"
        && let Ok(Some(d)) = state.store.draft(id).await
        && d.citizen_id == me.citizen.id
        && let Some(code) = d.dossier_code
    {
        return see_other(&format!("/account/dossiers/{code}?again=1"));
    }
    crate::html::failure_page(c, &e)
}

pub(crate) async fn save_answers(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Path(id): Path<DraftId>,
    Form(f): Fields,
) -> Response {
    let me = match v.citizen_form(&c, &format!("/account/drafts/{id}"), get(&f, "csrf")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let (d, p) = match load(&state, &me, &id).await {
        Ok(x) => x,
        Err(e) => return draft_gone(&state, &c, &me, &id, e).await,
    };
    let questions = form::fields(&p.form_schema);
    let pages = form::pages(&p.form_schema);
    let page = get(&f, "page")
        .parse::<usize>()
        .unwrap_or(0)
        .min(pages.len().saturating_sub(1));
    let on_page: Vec<String> = pages.get(page).cloned().unwrap_or_default();
    let asked: Vec<Field> = questions
        .iter()
        .filter(|q| on_page.contains(&q.name))
        .cloned()
        .collect();
    // This page's answers replace its questions' earlier answers; the others stay.
    let mut answers = d.answers.as_object().cloned().unwrap_or_default();
    for q in &asked {
        answers.remove(&q.name);
    }
    answers.extend(answers_from_form(&asked, &f, ""));
    // Keep what was typed even when it is wrong, so nothing is lost.
    let saved = match filing::save_answers(
        &state,
        &me.citizen,
        &id,
        Value::Object(answers.clone()),
        Utc::now(),
    )
    .await
    {
        Ok(d) => d,
        Err(e) => return crate::html::failure_page(&c, &e),
    };
    let problems: Vec<FieldError> =
        match form::validate(&p.form_schema, &Value::Object(answers.clone())) {
            Ok(_) => Vec::new(),
            Err(problems) => problems
                .into_iter()
                .filter(|x| on_page.iter().any(|n| n == form::root(&x.path)))
                .map(|x| FieldError {
                    message: motcua_i18n::localise(c.lang, &x),
                    field: x.path,
                    code: x.code.to_string(),
                })
                .collect(),
        };
    if !problems.is_empty() {
        return draft_page(
            &state,
            &c,
            &me,
            &saved,
            &p,
            "answers",
            page,
            &problems,
            Some(&answers),
        )
        .await;
    }
    // The next page with a question to ask (conditional questions may hide a whole page).
    let next = (page + 1..pages.len()).find(|&i| {
        questions
            .iter()
            .any(|q| pages[i].contains(&q.name) && form::is_shown(q, &answers))
    });
    match next {
        Some(i) => see_other(&format!("/account/drafts/{}?page={i}", d.id)),
        None => see_other(&format!("/account/drafts/{}?step=documents", d.id)),
    }
}

// ---- documents ---------------------------------------------------------------------------

/// `POST /account/drafts/{id}/documents`: the files chosen for any of the draft's documents,
/// all in one form. Each is checked and kept on its own; those refused are named with why,
/// the others stay attached.
pub(crate) async fn upload(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Path(id): Path<DraftId>,
    mut form: Multipart,
) -> Response {
    let me = match v.citizen(&format!("/account/drafts/{id}")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let problem = |field: String, code: &str, message: String| FieldError {
        field,
        code: code.into(),
        message,
    };
    let sent = match crate::upload::read_document_files(&mut form).await {
        Ok(sent) => sent,
        Err(e) => {
            let key = match e {
                crate::upload::UploadError::TooLarge => "documents-too-large",
                crate::upload::UploadError::Malformed => "documents-choose-file",
            };
            let refused = problem("documents".into(), "invalid_upload", c.tr.t(key));
            return redraw_documents(&state, &c, &me, &id, vec![refused]).await;
        }
    };
    if !v.form_ok(&sent.csrf) {
        return forged(&c);
    }
    let procedure = match load(&state, &me, &id).await {
        Ok((_, p)) => p,
        Err(e) => return draft_gone(&state, &c, &me, &id, e).await,
    };
    if sent.files.is_empty() {
        let none = problem(
            "documents".into(),
            "empty_file",
            c.tr.t("documents-choose-file"),
        );
        return redraw_documents(&state, &c, &me, &id, vec![none]).await;
    }
    let mut refused = Vec::new();
    for (index, file_name, bytes) in sent.files {
        let field = format!("file-{index}");
        let Some(document) = procedure.documents.get(index).map(|x| x.name.clone()) else {
            refused.push(problem(
                field,
                "unknown_document",
                c.tr.t("documents-choose-file"),
            ));
            continue;
        };
        let shown = file_name.clone();
        let upload = filing::Upload {
            document,
            file_name,
            bytes,
        };
        if let Err(e) =
            filing::attach(&state, &me.citizen, Target::Draft(&id), upload, Utc::now()).await
        {
            for p in field_errors(&c.tr, &e, &field) {
                let message = format!("{shown}: {}", p.message);
                refused.push(problem(field.clone(), &p.code, message));
            }
        }
    }
    if refused.is_empty() {
        see_other(&format!("/account/drafts/{id}?step=documents"))
    } else {
        redraw_documents(&state, &c, &me, &id, refused).await
    }
}

pub(crate) async fn redraw_documents(
    state: &App,
    c: &Chrome,
    me: &CitizenAuth,
    id: &DraftId,
    errors: Vec<FieldError>,
) -> Response {
    match load(state, me, id).await {
        Ok((d, p)) => draft_page(state, c, me, &d, &p, "documents", 0, &errors, None).await,
        Err(e) => draft_gone(state, c, me, id, e).await,
    }
}

/// Reads `csrf`, `document` and `file` from a multipart form; a message key on failure.
pub(crate) async fn read_multipart(
    form: &mut Multipart,
) -> Result<(String, String, Option<(String, bytes::Bytes)>), &'static str> {
    match crate::upload::read_upload_form(form).await {
        Ok(f) => Ok((f.csrf, f.document.unwrap_or_default(), f.file)),
        Err(crate::upload::UploadError::TooLarge) => Err("documents-too-large"),
        Err(crate::upload::UploadError::Malformed) => Err("documents-choose-file"),
    }
}

pub(crate) async fn reuse(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Path(id): Path<DraftId>,
    Form(f): Fields,
) -> Response {
    let me = match v.citizen_form(&c, &format!("/account/drafts/{id}"), get(&f, "csrf")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    match filing::reuse(
        &state,
        &me.citizen,
        &id,
        get(&f, "attachment"),
        get(&f, "document"),
        Utc::now(),
    )
    .await
    {
        Ok(_) => see_other(&format!("/account/drafts/{id}?step=documents")),
        Err(e) => {
            redraw_documents(&state, &c, &me, &id, field_errors(&c.tr, &e, "documents")).await
        }
    }
}

pub(crate) async fn remove(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Path((id, attachment)): Path<(DraftId, String)>,
    Form(f): Fields,
) -> Response {
    let me = match v.citizen_form(&c, &format!("/account/drafts/{id}"), get(&f, "csrf")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    match filing::detach(&state, &me.citizen, &id, &attachment).await {
        Ok(()) => see_other(&format!("/account/drafts/{id}?step=documents")),
        Err(e) => {
            redraw_documents(&state, &c, &me, &id, field_errors(&c.tr, &e, "documents")).await
        }
    }
}

// ---- submit ------------------------------------------------------------------------------

pub(crate) async fn submit(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Path(id): Path<DraftId>,
    Form(f): Fields,
) -> Response {
    let me = match v.citizen_form(
        &c,
        &format!("/account/drafts/{id}?step=check"),
        get(&f, "csrf"),
    ) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    match filing::submit(&state, &me.citizen, &id, Utc::now()).await {
        Ok(r) => see_other(&format!("/account/dossiers/{}?filed=1", r.code)),
        Err(e) if e.code == "already_submitted" => draft_gone(&state, &c, &me, &id, e).await,
        Err(e) => match load(&state, &me, &id).await {
            Ok((d, p)) => {
                draft_page(
                    &state,
                    &c,
                    &me,
                    &d,
                    &p,
                    "check",
                    0,
                    &field_errors(&c.tr, &e, "check"),
                    None,
                )
                .await
            }
            Err(e) => crate::html::failure_page(&c, &e),
        },
    }
}

// ---- the dossier -------------------------------------------------------------------------

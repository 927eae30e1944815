//! The filing wizard and the citizen's dossier page. The wizard goes: the procedure's
//! questions (from its form schema), the documents (upload or reuse), check your answers
//! with change links, submit; then the dossier page confirms, takes the fee, gives the
//! receipt, and later takes supplements, a withdrawal and shows the result.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;
use motcua_catalog::form::{self, Field, FieldKind};
use motcua_domain::Lang;
use motcua_domain::ids::DossierCode;
use motcua_domain::lang::Localise;
use motcua_domain::lifecycle::{Command, CriterionScore, RatingCriterion, Satisfaction, Status};
use motcua_domain::role::{Actor, Role};
use motcua_domain::units::AdminUnits;
use motcua_store::{Attachment, Procedure};
use serde_json::{Map, Value};

use crate::error::{FieldError, WebError};
use crate::html::citizen::account::local;
use crate::html::forms::{
    Fields, FormField, Visitor, field_errors, forged, get, place_errors, see_other,
};
use crate::html::{Chrome, error_page, render};
use crate::i18n::money;
use motcua_app::App;
use motcua_app::error::AppError;
use motcua_app::filing::{self, Target};
use motcua_app::principal::CitizenAuth;

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

// ---- questions ---------------------------------------------------------------------------

fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn unit_name(lang: Lang, u: &motcua_domain::units::Unit) -> String {
    match lang {
        Lang::Vi => u.name.clone(),
        Lang::En => u.name_en.clone(),
    }
}

/// Form fields for the questions shown, with the answers so far.
fn question_fields(
    c: &Chrome,
    fields: &[Field],
    answers: &Map<String, Value>,
    prefix: &str,
) -> Vec<FormField> {
    let mut out = Vec::new();
    for f in fields.iter().filter(|f| form::is_shown(f, answers)) {
        let name = format!("{prefix}{}", f.name);
        let value = text_of(answers.get(&f.name));
        let base = |kind: &'static str| {
            let mut x = FormField::new(&name, f.title.clone(), kind, &value);
            x.hint = f.hint.clone();
            x.required = f.required;
            x
        };
        match &f.kind {
            FieldKind::Text { .. } | FieldKind::Cccd | FieldKind::TaxCode => out.push(base("text")),
            FieldKind::LongText { .. } => out.push(base("textarea")),
            FieldKind::Integer { .. } | FieldKind::Number { .. } => out.push(base("number")),
            FieldKind::Date => out.push(base("date")),
            FieldKind::Choice { options } => out.push(base("select").options(options.clone())),
            FieldKind::YesNo => out.push(base("select").options(vec![
                ("true".into(), c.tr.t("form-yes")),
                ("false".into(), c.tr.t("form-no")),
            ])),
            FieldKind::Address => {
                let a = answers.get(&f.name);
                let part = |k: &str| text_of(a.and_then(|a| a.get(k)));
                let units = AdminUnits::official();
                let province = part("province_code");
                let mut p = FormField::new(
                    &format!("{name}.province_code"),
                    format!("{} – {}", f.title, c.tr.t("profile-province")),
                    "select",
                    &province,
                )
                .options(
                    units
                        .provinces()
                        .iter()
                        .map(|u| (u.code.clone(), unit_name(c.lang, u)))
                        .collect(),
                );
                p.required = f.required;
                let mut w = FormField::new(
                    &format!("{name}.ward_code"),
                    format!("{} – {}", f.title, c.tr.t("profile-ward")),
                    "select",
                    &part("ward_code"),
                )
                .hint(c.tr.t("profile-ward-hint"))
                .options(
                    units
                        .wards_of(&province)
                        .map(|u| (u.code.clone(), unit_name(c.lang, u)))
                        .collect(),
                );
                w.required = f.required;
                let l = FormField::new(
                    &format!("{name}.line"),
                    format!("{} – {}", f.title, c.tr.t("profile-address")),
                    "text",
                    &part("line"),
                )
                .optional();
                out.extend([p, w, l]);
            }
            FieldKind::Group {
                fields: inner, max, ..
            } => {
                let items = answers
                    .get(&f.name)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                // The rows given so far and one empty row to add another.
                let rows = (items.len() + 1).min(*max);
                let empty = Map::new();
                for i in 0..rows {
                    let item = items.get(i).and_then(Value::as_object).unwrap_or(&empty);
                    let mut row = question_fields(c, inner, item, &format!("{name}[{i}]."));
                    for x in &mut row {
                        x.label = format!("{} {} – {}", f.title, i + 1, x.label);
                        if i >= items.len() {
                            x.required = false;
                        }
                    }
                    out.extend(row);
                }
            }
        }
    }
    out
}

/// Answers from posted form fields, nested the way the schema is.
fn answers_from_form(
    fields: &[Field],
    form: &BTreeMap<String, String>,
    prefix: &str,
) -> Map<String, Value> {
    let mut out = Map::new();
    for f in fields {
        let name = format!("{prefix}{}", f.name);
        match &f.kind {
            FieldKind::Address => {
                let part =
                    |k: &str| Value::String(get(form, &format!("{name}.{k}")).trim().to_string());
                out.insert(
                    f.name.clone(),
                    serde_json::json!({"province_code": part("province_code"), "ward_code": part("ward_code"), "line": part("line")}),
                );
            }
            FieldKind::Group {
                fields: inner, max, ..
            } => {
                let mut items = Vec::new();
                for i in 0..*max {
                    let row = answers_from_form(inner, form, &format!("{name}[{i}]."));
                    let blank = row
                        .values()
                        .all(|v| v.as_str().is_some_and(|s| s.trim().is_empty()));
                    if !blank {
                        items.push(Value::Object(row));
                    }
                }
                out.insert(f.name.clone(), Value::Array(items));
            }
            _ => {
                if let Some(v) = form.get(&name) {
                    out.insert(f.name.clone(), Value::String(v.clone()));
                }
            }
        }
    }
    out
}

#[derive(Template)]
#[template(path = "draft.html")]
struct DraftPage<'a> {
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
    reusable: Vec<(String, String)>,
    /// (question, answer, change link).
    answers: Vec<(String, String, String)>,
    applicant: Vec<(String, String)>,
    fee: String,
    max_mb: u64,
}

struct DocumentRow {
    name: String,
    required: bool,
    files: Vec<Attachment>,
    index: usize,
}

async fn load(
    state: &App,
    me: &CitizenAuth,
    id: &str,
) -> Result<(motcua_store::Draft, Procedure), AppError> {
    let d = filing::open_draft(state, &me.citizen, id).await?;
    let p = filing::procedure(state, &d.procedure_code).await?;
    Ok((d, p))
}

#[allow(clippy::too_many_arguments)]
async fn draft_page(
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
    let documents: Vec<DocumentRow> = p
        .documents
        .iter()
        .enumerate()
        .map(|(index, x)| DocumentRow {
            name: x.name.clone(),
            required: filing::document_required(&x.name),
            files: attachments
                .iter()
                .filter(|a| a.document == x.name)
                .cloned()
                .collect(),
            index,
        })
        .collect();
    let reusable: Vec<(String, String)> = state
        .store
        .citizen_attachments(&me.citizen.id)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a.draft_id.as_deref() != Some(d.id.as_str()))
        .map(|a| {
            (
                a.id.clone(),
                format!("{} ({}, {})", a.file_name, a.document, local(a.created_at)),
            )
        })
        .collect();
    let mut summary = place_errors(&mut fields, errors);
    for (anchor, _) in &mut summary {
        if anchor == "main" && step == "check" {
            *anchor = "check".into();
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
        id: d.id.clone(),
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
        reusable,
        answers: shown,
        applicant,
        fee: match filing::online_fee(p) {
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
    Path(id): Path<String>,
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
async fn draft_gone(state: &App, c: &Chrome, me: &CitizenAuth, id: &str, e: AppError) -> Response {
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
    Path(id): Path<String>,
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
                    message: x.message(c.lang),
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

pub(crate) async fn upload(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Path(id): Path<String>,
    mut form: Multipart,
) -> Response {
    let me = match v.citizen(&format!("/account/drafts/{id}")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let (csrf, document, file) = match read_multipart(&mut form).await {
        Ok(x) => x,
        Err(message) => {
            return redraw_documents(
                &state,
                &c,
                &me,
                &id,
                vec![FieldError {
                    field: "documents".into(),
                    code: "invalid_upload".into(),
                    message: c.tr.t(message),
                }],
            )
            .await;
        }
    };
    if !v.form_ok(&csrf) {
        return forged(&c);
    }
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return redraw_documents(
            &state,
            &c,
            &me,
            &id,
            vec![FieldError {
                field: "documents".into(),
                code: "empty_file".into(),
                message: c.tr.t("documents-choose-file"),
            }],
        )
        .await;
    };
    let upload = filing::Upload {
        document,
        file_name,
        bytes,
    };
    match filing::attach(&state, &me.citizen, Target::Draft(&id), upload, Utc::now()).await {
        Ok(_) => see_other(&format!("/account/drafts/{id}?step=documents")),
        Err(e) => {
            redraw_documents(&state, &c, &me, &id, field_errors(&c.tr, &e, "documents")).await
        }
    }
}

async fn redraw_documents(
    state: &App,
    c: &Chrome,
    me: &CitizenAuth,
    id: &str,
    errors: Vec<FieldError>,
) -> Response {
    match load(state, me, id).await {
        Ok((d, p)) => draft_page(state, c, me, &d, &p, "documents", 0, &errors, None).await,
        Err(e) => draft_gone(state, c, me, id, e).await,
    }
}

/// Reads `csrf`, `document` and `file` from a multipart form; a message key on failure.
async fn read_multipart(
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
    Path(id): Path<String>,
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
    Path((id, attachment)): Path<(String, String)>,
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
    Path(id): Path<String>,
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

#[derive(Template)]
#[template(path = "my_dossier.html")]
struct DossierPage<'a> {
    c: &'a Chrome,
    csrf: String,
    code: String,
    procedure: String,
    status: &'static str,
    status_key: &'static str,
    filed_now: bool,
    again: bool,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    facts: Vec<(String, String)>,
    owed: Option<String>,
    supplement: Option<(String, Vec<String>)>,
    documents: Vec<String>,
    can_withdraw: bool,
    result: Option<String>,
    result_file: bool,
    can_rate: bool,
    rated: Option<&'static str>,
    levels: Vec<(&'static str, &'static str)>,
    criteria: Vec<(&'static str, String)>,
    timeline: Vec<(String, String)>,
    attachments: Vec<Attachment>,
}

async fn own_dossier(
    state: &App,
    me: &CitizenAuth,
    code: &str,
) -> Option<motcua_store::DossierRecord> {
    let code = DossierCode::parse(code).ok()?;
    state
        .store
        .dossier(&code)
        .await
        .ok()
        .flatten()
        .filter(|r| r.state.intake.owner.as_deref() == Some(me.citizen.id.as_str()))
}

async fn dossier_page(
    state: &App,
    c: &Chrome,
    me: &CitizenAuth,
    code: &str,
    flags: &BTreeMap<String, String>,
    errors: &[FieldError],
) -> Response {
    let Some(r) = own_dossier(state, me, code).await else {
        return error_page(
            StatusCode::NOT_FOUND,
            c,
            "not-found-title",
            c.tr.t("not-found-lead"),
        );
    };
    let d = &r.state;
    let p = state
        .store
        .procedure(&d.intake.procedure.code)
        .await
        .ok()
        .flatten();
    let events = state.store.events(&r.code).await.unwrap_or_default();
    let attachments = state
        .store
        .dossier_attachments(&r.code)
        .await
        .unwrap_or_default();
    let now = Utc::now();
    let mut facts = vec![(c.tr.t("dossier-filed"), local(d.submitted_at))];
    if let Some(t) = d.received_at {
        facts.push((c.tr.t("dossier-received"), local(t)));
    }
    match d.due_at {
        Some(t) => facts.push((c.tr.t("dossier-due"), local(t))),
        None if !d.status.is_final() => facts.push((
            c.tr.t("dossier-due-expected"),
            local(d.expected_due(&state.calendar(), now)),
        )),
        None => {}
    }
    let fee = d.fee_total();
    if fee > 0 {
        facts.push((
            c.tr.t("dossier-fee"),
            format!(
                "{} ({})",
                money(fee),
                if d.fee_paid >= fee {
                    c.tr.t("dossier-fee-paid")
                } else {
                    c.tr.t("dossier-fee-unpaid")
                }
            ),
        ));
    }
    let owed = (d.fee_owed() > 0).then(|| money(d.fee_owed()));
    let supplement = d
        .supplement
        .as_ref()
        .map(|s| (s.reason.clone(), s.missing.clone()));
    let mut summary = Vec::new();
    for e in errors {
        let anchor = if e.field == "rating" {
            "rating"
        } else {
            "supplement"
        };
        summary.push((anchor.to_string(), e.message.clone()));
    }
    let page = DossierPage {
        c,
        csrf: me.session.csrf.clone(),
        code: r.code.to_string(),
        procedure: p.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
        status: d.status.label(c.lang),
        status_key: d.status.as_str(),
        filed_now: flags.contains_key("filed"),
        again: flags.contains_key("again"),
        notice: flags.get("notice").and_then(|k| match k.as_str() {
            "supplement-sent" => Some(c.tr.t("dossier-supplement-sent")),
            "withdrawn" => Some(c.tr.t("dossier-withdrawn")),
            "uploaded" => Some(c.tr.t("dossier-uploaded")),
            "rated" => Some(c.tr.t("rating-thanks")),
            _ => None,
        }),
        errors: summary,
        facts,
        owed,
        supplement,
        documents: p
            .map(|p| p.documents.into_iter().map(|d| d.name).collect())
            .unwrap_or_default(),
        can_withdraw: matches!(
            d.status,
            Status::Submitted
                | Status::Received
                | Status::InProcessing
                | Status::AwaitingSupplement
                | Status::Supplemented
        ),
        result: d.result.as_ref().map(|x| x.summary.clone()),
        result_file: d
            .result
            .as_ref()
            .is_some_and(|x| x.document_sha256.is_some()),
        can_rate: matches!(d.status, Status::ResultReady | Status::Returned) && d.rating.is_none(),
        rated: d.rating.map(|r| r.label(c.lang)),
        levels: Satisfaction::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(c.lang)))
            .collect(),
        criteria: RatingCriterion::ALL
            .iter()
            .map(|x| {
                (
                    x.as_str(),
                    c.tr.t(&format!("rating-criterion-{}", x.as_str())),
                )
            })
            .collect(),
        timeline: events
            .iter()
            .filter(|e| e.event.kind.is_public())
            .map(|e| (local(e.event.at), e.event.kind.public_label(c.lang)))
            .collect(),
        attachments,
    };
    render(
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        c,
        &page,
    )
}

pub(crate) async fn dossier(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Path(code): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let me = match v.citizen(&format!("/account/dossiers/{code}")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    dossier_page(&state, &c, &me, &code, &q, &[]).await
}

pub(crate) async fn pay(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(f): Fields,
) -> Response {
    let me = match v.citizen_form(&c, &format!("/account/dossiers/{code}"), get(&f, "csrf")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let principal = motcua_app::principal::Principal::Citizen(Box::new(me));
    let ip = crate::request::client_ip(&headers);
    match motcua_app::payments::start(&state, &principal, &code, &ip, c.lang).await {
        Ok(started) => see_other(&started.pay_url),
        Err(e) => crate::html::failure_page(&c, &e),
    }
}

pub(crate) async fn supplement_upload(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Path(code): Path<String>,
    mut form: Multipart,
) -> Response {
    let me = match v.citizen(&format!("/account/dossiers/{code}")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let (csrf, document, file) = match read_multipart(&mut form).await {
        Ok(x) => x,
        Err(key) => {
            return dossier_page(
                &state,
                &c,
                &me,
                &code,
                &BTreeMap::new(),
                &[FieldError {
                    field: "supplement".into(),
                    code: "invalid_upload".into(),
                    message: c.tr.t(key),
                }],
            )
            .await;
        }
    };
    if !v.form_ok(&csrf) {
        return forged(&c);
    }
    let Ok(dossier_code) = DossierCode::parse(&code) else {
        return error_page(
            StatusCode::NOT_FOUND,
            &c,
            "not-found-title",
            c.tr.t("not-found-lead"),
        );
    };
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return dossier_page(
            &state,
            &c,
            &me,
            &code,
            &BTreeMap::new(),
            &[FieldError {
                field: "supplement".into(),
                code: "empty_file".into(),
                message: c.tr.t("documents-choose-file"),
            }],
        )
        .await;
    };
    let upload = filing::Upload {
        document,
        file_name,
        bytes,
    };
    match filing::attach(
        &state,
        &me.citizen,
        Target::Dossier(&dossier_code),
        upload,
        Utc::now(),
    )
    .await
    {
        Ok(_) => see_other(&format!("/account/dossiers/{code}?notice=uploaded")),
        Err(e) => {
            dossier_page(
                &state,
                &c,
                &me,
                &code,
                &BTreeMap::new(),
                &field_errors(&c.tr, &e, "supplement"),
            )
            .await
        }
    }
}

async fn act(
    state: &App,
    c: &Chrome,
    me: &CitizenAuth,
    code: &str,
    command: Command,
    notice: &str,
) -> Response {
    let Ok(dossier_code) = DossierCode::parse(code) else {
        return error_page(
            StatusCode::NOT_FOUND,
            c,
            "not-found-title",
            c.tr.t("not-found-lead"),
        );
    };
    if own_dossier(state, me, code).await.is_none() {
        return error_page(
            StatusCode::NOT_FOUND,
            c,
            "not-found-title",
            c.tr.t("not-found-lead"),
        );
    }
    let actor = Actor::new(me.citizen.id.clone(), Role::Applicant, None);
    match motcua_store::ops::act(
        &*state.store,
        &state.lifecycle_on(&state.calendar()),
        &dossier_code,
        None,
        &command,
        &actor,
        Utc::now(),
    )
    .await
    {
        Ok(_) => see_other(&format!("/account/dossiers/{code}?notice={notice}")),
        Err(e) => {
            let e = WebError::from(e);
            dossier_page(
                state,
                c,
                me,
                code,
                &BTreeMap::new(),
                &field_errors(&c.tr, &e, "supplement"),
            )
            .await
        }
    }
}

pub(crate) async fn supplement_submit(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Path(code): Path<String>,
    Form(f): Fields,
) -> Response {
    let me = match v.citizen_form(&c, &format!("/account/dossiers/{code}"), get(&f, "csrf")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let note = Some(get(&f, "note").trim().to_string()).filter(|n| !n.is_empty());
    act(
        &state,
        &c,
        &me,
        &code,
        Command::SubmitSupplement { note },
        "supplement-sent",
    )
    .await
}

pub(crate) async fn withdraw(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Path(code): Path<String>,
    Form(f): Fields,
) -> Response {
    let me = match v.citizen_form(&c, &format!("/account/dossiers/{code}"), get(&f, "csrf")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let reason = get(&f, "reason").trim().to_string();
    act(
        &state,
        &c,
        &me,
        &code,
        Command::Withdraw { reason },
        "withdrawn",
    )
    .await
}

pub(crate) async fn rate(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Path(code): Path<String>,
    Form(f): Fields,
) -> Response {
    let me = match v.citizen_form(&c, &format!("/account/dossiers/{code}"), get(&f, "csrf")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let Some(satisfaction) = Satisfaction::parse(get(&f, "satisfaction")) else {
        let e = FieldError {
            field: "rating".into(),
            code: "rating_required".into(),
            message: c.tr.t("rating-choose"),
        };
        return dossier_page(&state, &c, &me, &code, &BTreeMap::new(), &[e]).await;
    };
    let criteria = RatingCriterion::ALL
        .into_iter()
        .filter_map(|x| {
            let score = get(&f, x.as_str()).parse::<u8>().ok()?;
            Some(CriterionScore {
                criterion: x,
                score,
            })
        })
        .collect();
    let comment = Some(get(&f, "comment").trim().to_string()).filter(|s| !s.is_empty());
    let command = Command::Rate {
        satisfaction,
        criteria,
        comment,
    };
    act(&state, &c, &me, &code, command, "rated").await
}

//! One procedure: its page (documents, methods, steps, fees, legal basis), the apply page and
//! its printable form templates.

use super::catalog::agency_names;
use super::catalog::store_failure;
use crate::html::{Chrome, error_page, kept, render, render_kept};
use crate::i18n::money;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_app::App;
use motcua_domain::ids::ProcedureCode;
use motcua_domain::role::Role;
use motcua_store::{Branch, OnlineLevel, Procedure};

/// The documents of one case (all of them when the source names no cases).
pub(crate) struct DocumentGroup {
    pub case: Option<String>,
    pub rows: Vec<DocumentRow>,
}

/// A row of the documents table.
pub(crate) struct DocumentRow {
    pub name: String,
    pub originals: String,
    pub copies: String,
    pub template: Option<(String, String)>,
}

/// One way to file, as read from the source: what could be read is stated, what could not is
/// said so, and the source's own words stay one click away (its faults are not shown as facts).
pub(crate) struct MethodRow {
    pub method: String,
    pub time: String,
    pub fee: String,
    /// The cases of a fee stated case by case, each with its amount.
    pub fee_cases: Vec<String>,
    /// The source's text of the limit and the fee, when it says more than was read.
    pub source: Option<String>,
}

pub(crate) struct StepRow {
    pub name: String,
    pub role: String,
    pub time: String,
}

#[derive(Template)]
#[template(path = "procedure.html")]
pub(crate) struct Detail<'a> {
    c: &'a Chrome,
    p: &'a Procedure,
    name: String,
    agency_name: String,
    time: String,
    online: String,
    online_class: &'static str,
    can_apply: bool,
    methods: Vec<MethodRow>,
    documents: Vec<DocumentGroup>,
    steps: Vec<StepRow>,
    branches: Vec<Branch>,
    missing: Option<String>,
}

pub(crate) async fn load(state: &App, c: &Chrome, code: &str) -> Result<Procedure, Response> {
    let Ok(code) = ProcedureCode::parse(code) else {
        return Err(error_page(
            StatusCode::NOT_FOUND,
            c,
            "procedure-bad-code",
            c.tr.t("procedure-not-found-lead"),
        ));
    };
    match state.store.procedure(&code).await {
        Ok(Some(p)) => Ok(p),
        Ok(None) => Err(error_page(
            StatusCode::NOT_FOUND,
            c,
            "procedure-not-found",
            c.tr.t("procedure-not-found-lead"),
        )),
        Err(e) => Err(store_failure(c, e)),
    }
}

pub(crate) fn role_label(c: &Chrome, r: Role) -> String {
    let key = match r {
        Role::Specialist => "role-specialist",
        Role::Approver => "role-approver",
        Role::Reception => "role-reception",
        _ => "role-other",
    };
    c.tr.t(key)
}

pub(crate) fn display_name(c: &Chrome, p: &Procedure) -> String {
    match (c.lang, &p.name_en) {
        (motcua_domain::Lang::En, Some(en)) => en.clone(),
        _ => p.name.clone(),
    }
}

pub(crate) async fn detail(
    State(state): State<App>,
    c: Chrome,
    Path(code): Path<String>,
) -> Response {
    let c = c.with_nav("procedures");
    // The page shows the procedure, agency names and branches: all of them change the
    // catalog's stamp.
    let version = state.catalog.stamp();
    if let Some(page) = kept(&state, &c, &version) {
        return page;
    }
    let p = match load(&state, &c, &code).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let names = agency_names(&state).await;
    let branches = match state.store.branches().await {
        Ok(b) => b,
        Err(e) => return store_failure(&c, e),
    };
    let count = |n: Option<u32>| n.map_or_else(|| "—".to_string(), |n| n.to_string());
    // Grouped by case in the source's order; an entry the source repeats is shown once.
    let documents: Vec<DocumentGroup> = p
        .documents_by_case()
        .into_iter()
        .map(|g| DocumentGroup {
            case: g.case.map(str::to_string),
            rows: g
                .documents
                .into_iter()
                .map(|(i, name, d)| DocumentRow {
                    name: name.to_string(),
                    originals: count(d.originals),
                    copies: count(d.copies),
                    template: d.template.as_ref().map(|t| {
                        (
                            format!("/procedures/{}/documents/{}/form", p.code, i + 1),
                            c.tr.t1("procedure-template-download", "name", t.clone()),
                        )
                    }),
                })
                .collect(),
        })
        .collect();
    let methods = p
        .methods
        .iter()
        .map(|m| {
            let fee_cases: Vec<String> = motcua_catalog::portal::fee_tiers(&m.fee_text)
                .into_iter()
                .map(|t| t.to_string())
                .collect();
            let fee = match m.fee_vnd {
                Some(0) => c.tr.t("procedure-fee-free"),
                Some(n) => money(n),
                None if !fee_cases.is_empty() => c.tr.t("procedure-fee-by-case"),
                None if m.fee_text.trim().is_empty() => c.tr.t("procedure-fee-unknown"),
                None => c.tr.t("procedure-fee-unread"),
            };
            let time = match m.processing_time {
                Some(_) => c.time(m.processing_time),
                None if m.time_limit_text.trim().is_empty() => c.tr.t("procedure-time-unknown"),
                None => c.tr.t("procedure-time-unread"),
            };
            let said: Vec<&str> = [m.time_limit_text.trim(), m.fee_text.trim()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            MethodRow {
                method: m.method.clone(),
                time,
                fee,
                fee_cases,
                source: (!said.is_empty()).then(|| said.join(" — ")),
            }
        })
        .collect();
    let steps = p
        .steps
        .iter()
        .map(|s| StepRow {
            name: s.name.clone(),
            role: role_label(&c, s.role),
            time: c.tr.t1("procedure-step-hours", "n", s.budget_hours),
        })
        .collect();
    let missing: Vec<String> = p
        .missing
        .iter()
        .filter(|m| c.tr.has(&format!("missing-{m}")))
        .map(|m| c.tr.t(&format!("missing-{m}")))
        .collect();
    let page = Detail {
        c: &c,
        name: display_name(&c, &p),
        agency_name: names
            .get(&p.agency)
            .cloned()
            .unwrap_or_else(|| p.agency.to_string()),
        time: c.time(p.processing_time),
        online: c.online(p.online_level),
        online_class: p.online_level.as_str(),
        can_apply: p.online_level != OnlineLevel::None,
        methods,
        documents,
        steps,
        branches,
        missing: (!missing.is_empty())
            .then(|| c.tr.t1("procedure-missing", "fields", missing.join("; "))),
        p: &p,
    };
    render_kept(&state, &c, &version, &page)
}

#[derive(Template)]
#[template(path = "apply.html")]
pub(crate) struct Apply<'a> {
    /// The signed-in citizen's form token; `None` invites to log in first.
    csrf: Option<String>,
    c: &'a Chrome,
    p: &'a Procedure,
    title: String,
    time: String,
}

pub(crate) async fn apply(
    State(state): State<App>,
    c: Chrome,
    v: crate::html::forms::Visitor,
    Path(code): Path<String>,
) -> Response {
    let c = c.with_nav("procedures");
    let p = match load(&state, &c, &code).await {
        Ok(p) if p.online_level != OnlineLevel::None => p,
        Ok(_) => {
            return error_page(
                StatusCode::NOT_FOUND,
                &c,
                "procedure-apply",
                c.tr.t("procedure-apply-counter"),
            );
        }
        Err(r) => return r,
    };
    let page = Apply {
        c: &c,
        csrf: v.me.as_ref().map(|me| me.session.csrf.clone()),
        title: c.tr.t1("apply-title", "name", display_name(&c, &p)),
        time: c.time(p.processing_time),
        p: &p,
    };
    render(StatusCode::OK, &c, &page)
}

#[derive(Template)]
#[template(path = "form.html")]
pub(crate) struct FormTemplate<'a> {
    c: &'a Chrome,
    p: &'a Procedure,
    document: String,
    title: String,
    note: String,
}

/// A printable form for a required document: the official file is not in the source data, so
/// this sheet is drawn up from the catalog and says so.
pub(crate) async fn form(
    State(state): State<App>,
    c: Chrome,
    Path((code, n)): Path<(String, String)>,
) -> Response {
    let p = match load(&state, &c, &code).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(d) = n
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| p.documents.get(i))
        .filter(|d| d.template.is_some())
    else {
        return error_page(
            StatusCode::NOT_FOUND,
            &c,
            "not-found-title",
            c.tr.t("not-found-lead"),
        );
    };
    let file = d.template.clone().unwrap_or_default();
    let page = FormTemplate {
        c: &c,
        document: d.name.clone(),
        title: c.tr.t1("template-title", "name", d.name.clone()),
        note: c.tr.t1("template-note", "file", file),
        p: &p,
    };
    let mut response = render(StatusCode::OK, &c, &page);
    if let Ok(v) = format!("attachment; filename=\"mau-{}-{n}.html\"", p.code).parse() {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, v);
    }
    response.into_response()
}

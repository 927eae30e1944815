//! The back office in the browser: officers log in, open their work lists, read a dossier in
//! their scope and act on it. Every action goes through the same lifecycle as the API (the
//! domain decides role, scope and status); the page only turns a form into a command.

use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use chrono::Utc;
use motcua_domain::ids::DossierCode;
use motcua_domain::lifecycle::{Command, Status};
use motcua_domain::role::Role;
use motcua_store::{User, ops};
use std::collections::BTreeMap;

use crate::auth::{STAFF_COOKIE, staff_cookie, staff_csrf};
use crate::html::citizen::account::{local, procedure_name};
use crate::html::forms::{Fields, Visitor, forged, get, safe_next, see_other, with_cookie};
use crate::html::{Chrome, render};
use motcua_app::App;
use motcua_app::dossiers::{self, ApplicantForm, CounterFiling};
use motcua_app::error::AppError;
use motcua_app::principal::Principal;
use motcua_app::secrets::{same_secret, sha256_hex};
use motcua_app::work::{self, View};

/// The officer signed in to the back office, if any.
pub(crate) struct Officer {
    me: Option<(User, String)>,
    secure: bool,
}

impl FromRequestParts<App> for Officer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &App) -> Result<Self, Self::Rejection> {
        let mut me = None;
        if let Some(token) = staff_cookie(&parts.headers) {
            match state
                .store
                .token_user(&sha256_hex(&token), Utc::now())
                .await
            {
                Ok(Some(u)) if u.role.is_staff() => me = Some((u, token)),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "staff session lookup"),
            }
        }
        Ok(Officer {
            me,
            secure: state.public_url.starts_with("https://"),
        })
    }
}

impl Officer {
    /// The officer, or the way to the log-in page (back to `here` afterwards).
    pub(crate) fn user(&self, here: &str) -> Result<&User, Box<Response>> {
        self.me.as_ref().map(|(u, _)| u).ok_or_else(|| {
            Box::new(see_other(&format!(
                "/staff/login?next={}",
                form_urlencoded::byte_serialize(here.as_bytes()).collect::<String>()
            )))
        })
    }

    pub(crate) fn csrf(&self) -> String {
        self.me
            .as_ref()
            .map(|(_, t)| staff_csrf(t))
            .unwrap_or_default()
    }

    /// The officer sending a form with the session's token.
    pub(crate) fn form(&self, c: &Chrome, here: &str, shown: &str) -> Result<&User, Box<Response>> {
        let user = self.user(here)?;
        if same_secret(&self.csrf(), shown) {
            Ok(user)
        } else {
            Err(Box::new(forged(c)))
        }
    }

    fn cookie(&self, token: &str, max_age: Option<i64>) -> HeaderValue {
        let age = max_age.map_or_else(String::new, |a| format!("; Max-Age={a}"));
        HeaderValue::from_str(&format!(
            "{STAFF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{age}{}",
            if self.secure { "; Secure" } else { "" }
        ))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

#[derive(Template)]
#[template(path = "staff_login.html")]
struct LoginPage<'a> {
    c: &'a Chrome,
    csrf: String,
    username: String,
    next: String,
    errors: Vec<(String, String)>,
}

pub(crate) async fn login_form(
    c: Chrome,
    mut v: Visitor,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("staff");
    let (csrf, cookie) = v.csrf();
    let page = LoginPage {
        c: &c,
        csrf,
        username: String::new(),
        next: staff_next(q.get("next").map(String::as_str)),
        errors: Vec::new(),
    };
    with_cookie(render(StatusCode::OK, &c, &page), cookie)
}

fn staff_next(next: Option<&str>) -> String {
    let n = safe_next(next);
    if n.starts_with("/staff") {
        n
    } else {
        "/staff".into()
    }
}

pub(crate) async fn login(
    State(state): State<App>,
    c: Chrome,
    mut v: Visitor,
    officer: Officer,
    axum::Form(f): Fields,
) -> Response {
    let c = c.with_nav("staff");
    if !v.form_ok(get(&f, "csrf")) {
        return forged(&c);
    }
    let next = staff_next(f.get("next").map(String::as_str));
    match motcua_app::staff::log_in(&state, get(&f, "username"), get(&f, "password").into()).await {
        Ok((token, user, _)) if user.role.is_staff() => {
            with_cookie(see_other(&next), Some(officer.cookie(&token, None)))
        }
        refused => {
            let (status, message) = match refused {
                Ok(_) => (StatusCode::FORBIDDEN, c.tr.t("staff-not-officer")),
                Err(e) => (crate::error::status(e.kind), c.tr.error(&e)),
            };
            let (csrf, _) = v.csrf();
            let page = LoginPage {
                c: &c,
                csrf,
                username: get(&f, "username").into(),
                next,
                errors: vec![("f-username".into(), message)],
            };
            render(status, &c, &page)
        }
    }
}

pub(crate) async fn logout(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    axum::Form(f): Fields,
) -> Response {
    if let Err(r) = officer.form(&c, "/staff", get(&f, "csrf")) {
        return *r;
    }
    if let Some((_, token)) = &officer.me
        && let Err(e) = state.store.revoke_token(&sha256_hex(token)).await
    {
        tracing::error!(error = %e, "staff logout");
    }
    with_cookie(see_other("/staff/login"), Some(officer.cookie("", Some(0))))
}

/// A row of a work list.
struct Row {
    code: String,
    procedure: String,
    applicant: String,
    status: String,
    status_key: &'static str,
    step: String,
    assignee: String,
    due: String,
    alerts: Vec<String>,
}

#[derive(Template)]
#[template(path = "staff_inbox.html")]
struct InboxPage<'a> {
    c: &'a Chrome,
    csrf: String,
    user: &'a User,
    role: String,
    views: Vec<(&'static str, String, bool)>,
    rows: Vec<Row>,
    alerts: Vec<(String, String, String)>,
    /// Counters a reception officer may open, with their labels.
    counters: Vec<(String, String)>,
}

fn role_label(c: &Chrome, role: Role) -> String {
    c.tr.t(&format!("role-{}", role.as_str()))
}

pub(crate) async fn inbox(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("staff");
    let user = match officer.user("/staff") {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let view = q
        .get("view")
        .and_then(|v| View::parse(v))
        .unwrap_or(View::home(user.role));
    let now = Utc::now();
    let items = match work::list(&state, user, view, now, 200).await {
        Ok(i) => i,
        Err(e) => return crate::html::public::catalog::store_failure(&c, e),
    };
    let index = state.catalog.index();
    let mut rows = Vec::new();
    for i in items {
        let d = &i.record.state;
        rows.push(Row {
            code: i.record.code.to_string(),
            procedure: index
                .get(&d.intake.procedure.code)
                .map_or_else(|| d.intake.procedure.code.to_string(), |p| p.name.clone()),
            applicant: d.intake.applicant.name.clone(),
            status: d.status.label(c.lang).to_string(),
            status_key: d.status.as_str(),
            step: d
                .step
                .and_then(|s| d.intake.procedure.steps.get(s))
                .map_or_else(String::new, |s| s.name.clone()),
            assignee: d.assignee.clone().unwrap_or_default(),
            due: d.due_at.map(local).unwrap_or_default(),
            alerts: i.alerts.iter().map(|a| a.label(c.lang)).collect(),
        });
    }
    let alerts = state
        .store
        .alerts(&user.username, 20)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a.read_at.is_none())
        .map(|a| {
            let label = motcua_domain::lifecycle::Alert::parse(&a.kind)
                .map_or_else(|| a.kind.clone(), |k| k.label(c.lang));
            (a.dossier_code, label, local(a.due_at))
        })
        .collect();
    let counters = if user.role == Role::Reception {
        state
            .store
            .branches()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|b| user.agency.is_some_and(|a| a.covers(&b.agency)))
            .flat_map(|b| {
                b.counters
                    .iter()
                    .map(|k| {
                        (
                            motcua_app::counter::counter_code(&b.code, k.number),
                            format!("{} – {}", b.name, k.label),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = InboxPage {
        c: &c,
        csrf: officer.csrf(),
        counters,
        user,
        role: role_label(&c, user.role),
        views: View::ALL
            .into_iter()
            .map(|v| {
                (
                    v.as_str(),
                    c.tr.t(&format!("staff-view-{}", v.as_str())),
                    v == view,
                )
            })
            .collect(),
        rows,
        alerts,
    };
    render(StatusCode::OK, &c, &page)
}

#[derive(Template)]
#[template(path = "staff_dossier.html")]
struct DossierPage<'a> {
    c: &'a Chrome,
    csrf: String,
    code: String,
    procedure: String,
    facts: Vec<(String, String)>,
    status: String,
    status_key: &'static str,
    history: Vec<(String, String, String)>,
    slips: Vec<(&'static str, String)>,
    /// Actions the page offers for the status (the lifecycle still decides).
    actions: Vec<&'static str>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    /// SHA-256 of the electronic result, once issued.
    result_hash: Option<String>,
}

/// The dossier when the officer may read it; otherwise the page to answer: 404 for a code
/// that is malformed, unknown or out of scope alike, a server error when the store fails.
async fn readable(
    state: &App,
    c: &Chrome,
    user: &User,
    code: &str,
) -> Result<motcua_store::DossierRecord, Response> {
    let Ok(code) = DossierCode::parse(code) else {
        return Err(not_found(c));
    };
    match Principal::Staff(user.clone())
        .read_dossier(state.store.as_ref(), &code)
        .await
    {
        Ok(Some(record)) => Ok(record),
        Ok(None) => Err(not_found(c)),
        Err(e) => Err(crate::html::public::catalog::store_failure(c, e)),
    }
}

pub(crate) fn not_found(c: &Chrome) -> Response {
    crate::html::error_page(
        StatusCode::NOT_FOUND,
        c,
        "not-found-title",
        c.tr.t("not-found-lead"),
    )
}

async fn dossier_page(
    state: &App,
    c: &Chrome,
    officer: &Officer,
    record: &motcua_store::DossierRecord,
    notice: Option<String>,
    errors: Vec<(String, String)>,
) -> Response {
    let d = &record.state;
    let events = state.store.events(&record.code).await.unwrap_or_default();
    let history = events
        .iter()
        .map(|e| {
            (
                local(e.event.at),
                e.event.kind.public_label(c.lang),
                format!(
                    "{} ({})",
                    e.event.actor.id,
                    role_label(c, e.event.actor.role)
                ),
            )
        })
        .collect();
    let slips: Vec<(&'static str, String)> = [
        (
            "receipt",
            d.received_at.is_some() || d.status == Status::Submitted,
        ),
        (
            "supplement-guide",
            d.supplement.is_some() || d.supplement_rounds > 0,
        ),
        ("refusal", d.status == Status::Refused),
        ("apology", d.original_due_at.is_some()),
        ("control-sheet", d.received_at.is_some()),
        (
            "result",
            d.result
                .as_ref()
                .is_some_and(|r| r.document_sha256.is_some()),
        ),
    ]
    .into_iter()
    .filter(|(_, show)| *show)
    .map(|(k, _)| (k, c.tr.t(&format!("staff-slip-{k}"))))
    .collect();
    let actions: &[&'static str] = match d.status {
        Status::Submitted => &["receive", "request_supplement", "refuse"],
        Status::Received => &["forward", "assign", "transfer", "request_supplement"],
        Status::InProcessing if d.approved => &["issue_result", "send_back", "transfer"],
        Status::InProcessing => &[
            "forward",
            "assign",
            "send_back",
            "transfer",
            "request_supplement",
            "propose_refusal",
            "approve",
            "refuse",
        ],
        Status::Supplemented => &["accept_supplement", "assign"],
        Status::AwaitingSupplement => &["submit_supplement"],
        Status::ResultReady => &["return_result"],
        _ => &[],
    };
    let mut facts = vec![
        (c.tr.t("staff-applicant"), d.intake.applicant.name.clone()),
        (
            c.tr.t("staff-channel"),
            c.tr.t(&format!("staff-channel-{}", d.intake.channel.as_str())),
        ),
        (c.tr.t("staff-holder"), d.current_agency.to_string()),
        (c.tr.t("staff-filed"), local(d.submitted_at)),
    ];
    if let Some(s) = d.step.and_then(|s| d.intake.procedure.steps.get(s)) {
        facts.push((c.tr.t("staff-step"), s.name.clone()));
    }
    if let Some(a) = &d.assignee {
        facts.push((c.tr.t("staff-assignee"), a.clone()));
    }
    if let Some(due) = d.due_at {
        facts.push((c.tr.t("staff-due"), local(due)));
    }
    if let Some(s) = &d.supplement {
        facts.push((c.tr.t("staff-missing"), s.missing.join("; ")));
    }
    let status = crate::html::forms::form_status(&errors);
    let page = DossierPage {
        c,
        csrf: officer.csrf(),
        code: record.code.to_string(),
        procedure: procedure_name(state, &d.intake.procedure.code.to_string()).await,
        facts,
        status: d.status.label(c.lang).to_string(),
        status_key: d.status.as_str(),
        history,
        slips,
        actions: actions.to_vec(),
        notice,
        errors,
        result_hash: d.result.as_ref().and_then(|r| r.document_sha256.clone()),
    };
    render(status, c, &page)
}

pub(crate) async fn dossier(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Path(code): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("staff");
    let here = format!("/staff/dossiers/{code}");
    let user = match officer.user(&here) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let record = match readable(&state, &c, user, &code).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    let notice = q.contains_key("done").then(|| c.tr.t("staff-action-done"));
    dossier_page(&state, &c, &officer, &record, notice, Vec::new()).await
}

/// Lines of a text area, trimmed, without the empty ones.
fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// The command a back-office form asks for, in the API's JSON shape.
fn command(f: &BTreeMap<String, String>) -> Result<Command, serde_json::Error> {
    let text = |k: &str| {
        let v = get(f, k).trim();
        (!v.is_empty()).then(|| v.to_string())
    };
    let mut body = serde_json::Map::new();
    body.insert("action".into(), get(f, "action").into());
    for k in ["assignee", "note", "reason", "to_agency", "summary"] {
        if let Some(v) = text(k) {
            body.insert(k.into(), v.into());
        }
    }
    for k in ["missing", "reasons"] {
        if f.contains_key(k) {
            body.insert(k.into(), lines(get(f, k)).into());
        }
    }
    if get(f, "action") == "return_result" {
        let mut channel = serde_json::Map::new();
        channel.insert("method".into(), get(f, "method").into());
        if let Some(t) = text("tracking_number") {
            channel.insert("tracking_number".into(), t.into());
        }
        body.insert("channel".into(), channel.into());
    }
    serde_json::from_value(body.into())
}

pub(crate) async fn act(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Path(code): Path<String>,
    axum::Form(f): Fields,
) -> Response {
    let c = c.with_nav("staff");
    let here = format!("/staff/dossiers/{code}");
    let user = match officer.form(&c, &here, get(&f, "csrf")) {
        Ok(u) => u.clone(),
        Err(r) => return *r,
    };
    let record = match readable(&state, &c, &user, &code).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    let field = format!("f-{}", get(&f, "action").replace('_', "-"));
    let command = match command(&f) {
        Ok(cmd) if !matches!(cmd, Command::Open(_)) => cmd,
        _ => {
            let errors = vec![(field, c.tr.t("staff-action-incomplete"))];
            return dossier_page(&state, &c, &officer, &record, None, errors).await;
        }
    };
    perform(&state, &c, &officer, &user, &record, &command, field).await
}

/// Asks the lifecycle for `command` on the version the officer saw; back to the dossier with
/// a confirmation, or the page again with the reason against `field`.
async fn perform(
    state: &App,
    c: &Chrome,
    officer: &Officer,
    user: &User,
    record: &motcua_store::DossierRecord,
    command: &Command,
    field: String,
) -> Response {
    let actor = motcua_domain::role::Actor::new(user.username.clone(), user.role, user.agency);
    let now = Utc::now();
    let done = dossiers::act(state, &actor, record, Some(record.version), command, now).await;
    done_or_again(state, c, officer, record, done, field).await
}

/// Back to the dossier with a confirmation, or the page again with the reason against
/// `field`, under the status the API would answer (403 for another role's action, 409 for
/// one the status does not allow, …).
async fn done_or_again(
    state: &App,
    c: &Chrome,
    officer: &Officer,
    record: &motcua_store::DossierRecord,
    done: Result<motcua_store::DossierRecord, AppError>,
    field: String,
) -> Response {
    match done {
        Ok(_) => see_other(&format!("/staff/dossiers/{}?done=1", record.code)),
        Err(e) => {
            let message = c.tr.error(&e);
            let mut page =
                dossier_page(state, c, officer, record, None, vec![(field, message)]).await;
            *page.status_mut() = crate::error::status(e.kind);
            page
        }
    }
}

/// A procedure chosen at the counter, with its checklist.
struct Chosen {
    code: String,
    name: String,
    documents: Vec<String>,
    fee: String,
}

/// What the counter has typed for the applicant.
#[derive(Default)]
struct ApplicantFields {
    name: String,
    cccd: String,
    phone: String,
    email: String,
}

#[derive(Template)]
#[template(path = "staff_reception.html")]
struct ReceptionPage<'a> {
    c: &'a Chrome,
    csrf: String,
    q: String,
    results: Vec<(String, String)>,
    chosen: Option<Chosen>,
    branches: Vec<(String, String, bool)>,
    applicant: ApplicantFields,
    /// The applicant was filled in from an earlier dossier with the same citizen ID.
    prefilled: bool,
    errors: Vec<(String, String)>,
}

/// The procedure `code` with its documents and the fee of filing in person, if it exists.
async fn chosen(state: &App, code: &str) -> Option<Chosen> {
    let p = state.store.procedure(&code.parse().ok()?).await.ok()??;
    let fee = p
        .methods
        .iter()
        .find(|m| m.method.starts_with("Trực tiếp"))
        .or(p.methods.first())
        .and_then(|m| m.fee_vnd)
        .unwrap_or(0);
    Some(Chosen {
        code: p.code.to_string(),
        name: p.name,
        documents: p.documents.into_iter().map(|d| d.name).collect(),
        fee: fee.to_string(),
    })
}

async fn reception_page(
    state: &App,
    c: &Chrome,
    officer: &Officer,
    q: &BTreeMap<String, String>,
    mut applicant: ApplicantFields,
    errors: Vec<(String, String)>,
) -> Response {
    let text = get(q, "q").trim().to_string();
    let results = if text.is_empty() {
        Vec::new()
    } else {
        state
            .catalog
            .index()
            .search(&motcua_search::SearchQuery {
                text: Some(text.clone()),
                limit: 10,
                ..Default::default()
            })
            .map(|r| {
                r.items
                    .into_iter()
                    .map(|p| (p.code.to_string(), p.name))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut prefilled = false;
    if applicant.name.is_empty()
        && let Ok(cccd) = motcua_domain::ids::Cccd::parse(get(q, "cccd"))
        && let Ok(Some(earlier)) = state.store.applicant_by_cccd(&cccd).await
    {
        prefilled = true;
        applicant = ApplicantFields {
            name: earlier.name,
            cccd: cccd.to_string(),
            phone: earlier.phone.map(|p| p.to_string()).unwrap_or_default(),
            email: earlier.email.unwrap_or_default(),
        };
    }
    if applicant.cccd.is_empty() {
        applicant.cccd = get(q, "cccd").to_string();
    }
    let mine = officer.me.as_ref().and_then(|(u, _)| u.agency);
    let branches = state
        .store
        .branches()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|b| {
            let selected = get(q, "branch") == b.code
                || (get(q, "branch").is_empty() && Some(b.agency) == mine);
            (b.code, b.name, selected)
        })
        .collect();
    let chosen = match get(q, "procedure") {
        "" => None,
        code => chosen(state, code).await,
    };
    let status = crate::html::forms::form_status(&errors);
    let page = ReceptionPage {
        c,
        csrf: officer.csrf(),
        q: text,
        results,
        chosen,
        branches,
        applicant,
        prefilled,
        errors,
    };
    render(status, c, &page)
}

/// The reception console: find the procedure, fill the applicant in (from an earlier dossier
/// by citizen ID), tick the checklist, take the fee and decide.
pub(crate) async fn reception(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("staff");
    if let Err(r) = officer.user("/staff/reception") {
        return *r;
    }
    reception_page(
        &state,
        &c,
        &officer,
        &q,
        ApplicantFields::default(),
        Vec::new(),
    )
    .await
}

pub(crate) async fn receive(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    axum::Form(f): Fields,
) -> Response {
    let c = c.with_nav("staff");
    let user = match officer.form(&c, "/staff/reception", get(&f, "csrf")) {
        Ok(u) => u.clone(),
        Err(r) => return *r,
    };
    let typed = || ApplicantFields {
        name: get(&f, "name").into(),
        cccd: get(&f, "cccd").into(),
        phone: get(&f, "phone").into(),
        email: get(&f, "email").into(),
    };
    let fail = |field: &str, message: String| vec![(field.to_string(), message)];
    let Some(procedure) = chosen(&state, get(&f, "procedure")).await else {
        let errors = fail("f-q", c.tr.t("staff-choose-procedure"));
        return reception_page(&state, &c, &officer, &f, typed(), errors).await;
    };
    let checked: Vec<bool> = (0..procedure.documents.len())
        .map(|i| f.contains_key(&format!("doc-{i}")))
        .collect();
    let missing: Vec<String> = procedure
        .documents
        .iter()
        .zip(&checked)
        .filter(|(_, ok)| !**ok)
        .map(|(d, _)| d.clone())
        .collect();
    let outcome = get(&f, "outcome");
    let fee: i64 = match get(&f, "fee").trim() {
        "" => 0,
        v => match v.replace(['.', ','], "").parse() {
            Ok(n) if n >= 0 => n,
            _ => {
                let errors = fail("f-fee", c.tr.t("staff-fee-invalid"));
                return reception_page(&state, &c, &officer, &f, typed(), errors).await;
            }
        },
    };
    let then = match outcome {
        "receive" if missing.is_empty() => None,
        "receive" => Some(Err(fail("f-doc-0", c.tr.t("staff-checklist-incomplete")))),
        "supplement" if missing.is_empty() => {
            Some(Err(fail("f-doc-0", c.tr.t("staff-nothing-missing"))))
        }
        "supplement" => Some(Ok(Command::RequestSupplement {
            reason: match get(&f, "reason").trim() {
                "" => c.tr.t("staff-supplement-default-reason"),
                r => r.to_string(),
            },
            missing,
        })),
        "refuse" => Some(Ok(Command::Refuse {
            reasons: lines(get(&f, "reasons")),
        })),
        _ => Some(Err(fail("f-outcome", c.tr.t("staff-choose-outcome")))),
    };
    let then = match then {
        Some(Err(errors)) => {
            return reception_page(&state, &c, &officer, &f, typed(), errors).await;
        }
        Some(Ok(cmd)) => Some(cmd),
        None => None,
    };
    let actor = motcua_domain::role::Actor::new(user.username.clone(), user.role, user.agency);
    let now = Utc::now();
    let req = CounterFiling {
        procedure_code: procedure.code.clone(),
        applicant: ApplicantForm {
            name: get(&f, "name").into(),
            cccd: Some(get(&f, "cccd").into()),
            phone: Some(get(&f, "phone").into()).filter(|p: &String| !p.trim().is_empty()),
            email: Some(get(&f, "email").into()).filter(|e: &String| !e.trim().is_empty()),
            tax_code: None,
            birth_date: None,
            lang: None,
        },
        channel: "counter".into(),
        branch_code: Some(get(&f, "branch").into()),
        competent_agency_code: None,
        form: None,
        receive: Some(false),
    };
    let record = match dossiers::file_at_counter(&state, &actor, req, now).await {
        Ok(r) => r,
        Err(e) => {
            let field = match e.code.as_ref() {
                c if c.starts_with("cccd") => "f-cccd",
                c if c.starts_with("phone") => "f-phone",
                "unknown_branch" => "f-branch",
                _ => "f-name",
            };
            let errors = fail(field, c.tr.error(&e));
            return reception_page(&state, &c, &officer, &f, typed(), errors).await;
        }
    };
    // The dossier exists from here on: whatever follows fails, it waits in the reception
    // queue and nothing typed is lost. The ticket the officer is serving, if any, is linked
    // to it.
    match state.store.serving_by(&actor.id).await {
        Ok(Some(t)) if t.dossier.is_none() => {
            if let Err(e) = state
                .store
                .link_ticket(t.id, &record.code.to_string())
                .await
            {
                tracing::warn!(code = %record.code, error = %e, "ticket not linked");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(code = %record.code, error = %e, "ticket not linked"),
    }
    let mut steps = Vec::new();
    if fee > 0 {
        steps.push(Command::RecordPayment {
            reference: format!("QUAY-{}", record.code),
            amount: fee,
        });
    }
    steps.push(then.unwrap_or(Command::Receive));
    let here = format!("/staff/dossiers/{}", record.code);
    for cmd in steps {
        if let Err(e) = ops::act(
            &*state.store,
            &state.lifecycle_on(&state.calendar()),
            &record.code,
            None,
            &cmd,
            &actor,
            now,
        )
        .await
        {
            tracing::warn!(code = %record.code, error = %e, "counter outcome not recorded");
            return see_other(&here);
        }
    }
    see_other(&format!("{here}?done=1"))
}

/// Issues the electronic result from the dossier page: the signed file is stored under its
/// SHA-256 and recorded by the lifecycle, as `POST /api/v1/dossiers/{code}/result` does.
pub(crate) async fn issue_result(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Path(code): Path<String>,
    mut form: axum::extract::Multipart,
) -> Response {
    let c = c.with_nav("staff");
    let here = format!("/staff/dossiers/{code}");
    let fields = crate::upload::read_upload_form(&mut form).await;
    let shown = fields.as_ref().map(|f| f.csrf.as_str()).unwrap_or("");
    let user = match officer.form(&c, &here, shown) {
        Ok(u) => u.clone(),
        Err(r) => return *r,
    };
    let record = match readable(&state, &c, &user, &code).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    let problem = |key: &str| vec![("f-issue-result".to_string(), c.tr.t(key))];
    let (summary, bytes) = match fields {
        Ok(f) => match (f.summary.filter(|s| !s.trim().is_empty()), f.file) {
            (Some(s), Some((_, b))) if !b.is_empty() => (s, b),
            _ => {
                let errors = problem("staff-result-incomplete");
                return dossier_page(&state, &c, &officer, &record, None, errors).await;
            }
        },
        Err(_) => {
            let errors = problem("verify-doc-too-large");
            return dossier_page(&state, &c, &officer, &record, None, errors).await;
        }
    };
    let actor = motcua_domain::role::Actor::new(user.username.clone(), user.role, user.agency);
    let issued = dossiers::issue_result(
        &state,
        &actor,
        &record,
        summary,
        bytes,
        Some(record.version),
        Utc::now(),
    )
    .await;
    done_or_again(
        &state,
        &c,
        &officer,
        &record,
        issued,
        "f-issue-result".into(),
    )
    .await
}

//! Feedback and petitions in the back office: the work list beside the dossiers, a petition
//! with its history and the steps its state allows, and a petition written down for a caller
//! (by phone, at the counter, by letter), also from a dossier's page.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use motcua_app::App;
use motcua_app::pakn::{self, Loaded, NewPetition};
use motcua_app::principal::Principal;
use motcua_domain::pakn::{Category, PaknChannel, PaknCommand, PaknState};
use motcua_store::User;

use crate::html::forms::{Fields, filled, get, see_other};
use crate::html::public::pakn::{file_size, step_label};
use crate::html::staff::office::Officer;
use crate::html::staff::{tabs, unreadable};
use crate::html::{Chrome, agency_choices, local, render};

/// The views of the work list, in the order shown.
const VIEWS: [&str; 4] = ["mine", "due", "overdue", "unit"];

struct Row {
    code: String,
    state: &'static str,
    state_label: &'static str,
    agency: String,
    category: String,
    channel: &'static str,
    due: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "staff_pakn_list.html")]
struct ListPage<'a> {
    c: &'a Chrome,
    views: Vec<(&'static str, String, bool)>,
    rows: Vec<Row>,
    /// The escalation rules' unread alerts to the officer: id, petition, rule, when it was due.
    alerts: Vec<(i64, String, String, String)>,
    csrf: String,
    problem: Option<String>,
}

fn state_label(c: &Chrome, s: PaknState) -> &'static str {
    let (vi, en) = s.labels();
    if c.lang == motcua_domain::Lang::En {
        en
    } else {
        vi
    }
}

fn category_label(c: &Chrome, k: Option<Category>) -> String {
    match k {
        Some(k) => {
            c.tr.t(&format!("pakn-category-{}", k.as_str().replace('_', "-")))
        }
        None => c.tr.t("pakn-category-any"),
    }
}

/// The work list: the officer's agency's open petitions, those due soon, overdue, or of every
/// agency theirs covers; the earliest due first.
pub(crate) async fn list(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("staff");
    let user = match officer.user("/staff/pakn") {
        Ok(u) => u.clone(),
        Err(r) => return *r,
    };
    let view = q.get("view").map_or("mine", String::as_str);
    let now = Utc::now();
    // The escalation rules' alerts not yet seen.
    let alerts = state
        .store
        .petition_alerts(&user.username, 20)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "reading petition alerts failed");
            Vec::new()
        })
        .into_iter()
        .filter(|(_, a)| a.read_at.is_none())
        .map(|(id, a)| (id, a.petition.to_string(), a.rule, local(a.due_at)))
        .collect();
    let mut page = ListPage {
        c: &c,
        views: tabs(&c, "staff-pakn-view-", &VIEWS, view),
        rows: Vec::new(),
        alerts,
        csrf: officer.csrf(),
        problem: None,
    };
    let status = match pakn::list(&state, &Principal::Staff(user), view, now).await {
        Ok(rows) => {
            page.rows = rows
                .into_iter()
                .map(|r| Row {
                    code: r.code.to_string(),
                    state: r.state.as_str(),
                    state_label: state_label(&c, r.state),
                    agency: state.catalog.agency_name(r.agency),
                    category: category_label(&c, r.category),
                    channel: r.channel.as_str(),
                    due: r.facts.due_at.map(local).unwrap_or_default(),
                    overdue: r.facts.due_at.is_some_and(|d| d < now),
                })
                .collect();
            StatusCode::OK
        }
        Err(e) => {
            page.problem = Some(c.tr.error(&e));
            crate::error::status(e.kind)
        }
    };
    render(status, &c, &page)
}

/// The actions each state allows an officer, as the page offers them.
fn actions_in(s: PaknState) -> &'static [&'static str] {
    match s {
        PaknState::Submitted => &["accept", "request_info", "forward", "refuse"],
        PaknState::InfoRequested => &["refuse"],
        PaknState::Accepted => &["answer", "forward"],
        PaknState::Answered => &["publish", "return_answer"],
        PaknState::Published => &["close"],
        _ => &[],
    }
}

#[derive(Template)]
#[template(path = "staff_pakn.html")]
struct PetitionPage<'a> {
    c: &'a Chrome,
    csrf: String,
    code: String,
    version: u32,
    state: &'static str,
    state_label: &'static str,
    agency: String,
    category: String,
    channel: &'static str,
    due: String,
    dossier: Option<String>,
    name: String,
    contact: String,
    content: String,
    answer: Option<String>,
    /// The files given with it: name, size and where to read them.
    files: Vec<(String, String, String)>,
    steps: Vec<(String, String)>,
    actions: &'static [&'static str],
    categories: Vec<(&'static str, String)>,
    agencies: Vec<(String, String)>,
    problem: Option<String>,
}

fn petition_page<'a>(
    state: &App,
    c: &'a Chrome,
    officer: &Officer,
    l: &Loaded,
    problem: Option<String>,
) -> PetitionPage<'a> {
    let p = &l.petition;
    let who = &p.filing.petitioner;
    PetitionPage {
        c,
        csrf: officer.csrf(),
        code: l.row.code.to_string(),
        version: l.row.version,
        state: l.row.state.as_str(),
        state_label: state_label(c, l.row.state),
        agency: state.catalog.agency_name(l.row.agency),
        category: category_label(c, l.row.category),
        channel: l.row.channel.as_str(),
        due: l.row.facts.due_at.map(local).unwrap_or_default(),
        dossier: l.row.dossier.map(|d| d.to_string()),
        name: who.name.clone(),
        contact: [
            who.phone.as_ref().map(ToString::to_string),
            who.email.clone(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · "),
        content: p.filing.content.clone(),
        answer: p.answer.clone(),
        files: p
            .filing
            .attachments
            .iter()
            .enumerate()
            .map(|(n, a)| {
                (
                    a.name.clone(),
                    file_size(a.size),
                    format!("/staff/pakn/{}/tep/{n}", l.row.code),
                )
            })
            .collect(),
        steps: l
            .events
            .iter()
            .map(|e| (local(e.at()), step_label(c, e)))
            .collect(),
        actions: actions_in(l.row.state),
        categories: Category::ALL
            .into_iter()
            .map(|k| (k.as_str(), category_label(c, Some(k))))
            .collect(),
        agencies: agency_choices(state, Some(l.row.agency)),
        problem,
    }
}

/// The petition for an officer whose agency covers it; 404 for a code that is malformed,
/// unknown or out of scope alike.
async fn readable(state: &App, c: &Chrome, user: &User, code: &str) -> Result<Loaded, Response> {
    pakn::for_officer(state, &Principal::Staff(user.clone()), code)
        .await
        .map_err(|e| unreadable(c, e))
}

pub(crate) async fn show(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Path(code): Path<String>,
) -> Response {
    let c = c.with_nav("staff");
    let user = match officer.user(&format!("/staff/pakn/{code}")) {
        Ok(u) => u.clone(),
        Err(r) => return *r,
    };
    match readable(&state, &c, &user, &code).await {
        Ok(l) => render(
            StatusCode::OK,
            &c,
            &petition_page(&state, &c, &officer, &l, None),
        ),
        Err(r) => r,
    }
}

/// `POST /staff/pakn/alerts/read`: an alert of the officer's seen.
pub(crate) async fn read_alert(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    axum::Form(f): Fields,
) -> Response {
    super::alert_seen(&c, &officer, &f, "/staff/pakn", |id, who| async move {
        state
            .store
            .mark_petition_alert_read(id, &who, Utc::now())
            .await
    })
    .await
}

/// `GET /staff/pakn/{code}/tep/{n}`: a file given with a petition the officer may read.
pub(crate) async fn attachment(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Path((code, n)): Path<(String, usize)>,
) -> Response {
    let user = match officer.user(&format!("/staff/pakn/{code}")) {
        Ok(u) => u.clone(),
        Err(r) => return *r,
    };
    match pakn::attachment(&state, &Principal::Staff(user), &code, None, n).await {
        Ok((a, content)) => crate::upload::download(&a.mime, &a.name, content),
        Err(e) => unreadable(&c, e),
    }
}

/// The command a step's form asks for: its action and the fields that action takes.
fn command(f: &BTreeMap<String, String>) -> Result<PaknCommand, serde_json::Error> {
    let mut body = serde_json::Map::new();
    for key in ["action", "reason", "question", "category", "to", "answer"] {
        let value = get(f, key).trim();
        if !value.is_empty() {
            body.insert(key.into(), value.into());
        }
    }
    serde_json::from_value(serde_json::Value::Object(body))
}

/// Takes one step; back to the petition, or the petition with what went wrong.
pub(crate) async fn act(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Path(code): Path<String>,
    axum::Form(f): Fields,
) -> Response {
    let c = c.with_nav("staff");
    let here = format!("/staff/pakn/{code}");
    let user = match officer.form(&c, &here, get(&f, "csrf")) {
        Ok(u) => u.clone(),
        Err(r) => return *r,
    };
    let principal = Principal::Staff(user.clone());
    let expected = get(&f, "version").parse::<u32>().ok();
    let outcome = match command(&f) {
        Ok(cmd) => pakn::act(&state, &principal, &code, &cmd, None, expected, Utc::now())
            .await
            .map_err(|e| (crate::error::status(e.kind), c.tr.error(&e))),
        Err(_) => Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            c.tr.t("staff-pakn-incomplete"),
        )),
    };
    match outcome {
        Ok(_) => see_other(&here),
        Err((status, problem)) => match readable(&state, &c, &user, &code).await {
            Ok(l) => render(
                status,
                &c,
                &petition_page(&state, &c, &officer, &l, Some(problem)),
            ),
            Err(r) => r,
        },
    }
}

#[derive(Template)]
#[template(path = "staff_pakn_new.html")]
struct NewPage<'a> {
    c: &'a Chrome,
    csrf: String,
    f: BTreeMap<String, String>,
    channels: Vec<&'static str>,
    categories: Vec<(&'static str, String)>,
    agencies: Vec<(String, String)>,
    problem: Option<String>,
    /// The petition just written down: its code, the agency handling it, its first due date.
    filed: Option<(String, String, String)>,
}

impl NewPage<'_> {
    fn field(&self, k: &str) -> &str {
        get(&self.f, k)
    }
}

fn new_page<'a>(
    state: &App,
    c: &'a Chrome,
    officer: &Officer,
    f: BTreeMap<String, String>,
    problem: Option<String>,
) -> NewPage<'a> {
    NewPage {
        c,
        csrf: officer.csrf(),
        f,
        channels: PaknChannel::ALL
            .into_iter()
            .filter(|ch| ch.transcribed())
            .map(PaknChannel::as_str)
            .collect(),
        categories: Category::ALL
            .into_iter()
            .map(|k| (k.as_str(), category_label(c, Some(k))))
            .collect(),
        agencies: agency_choices(state, None),
        problem,
        filed: None,
    }
}

/// The form to write down a caller's petition; with `dossier`, about that dossier.
pub(crate) async fn new_form(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("staff");
    if let Err(r) = officer.user("/staff/pakn/new") {
        return *r;
    }
    let mut f = BTreeMap::new();
    if let Some(d) = q.get("dossier") {
        f.insert("dossier".to_string(), d.clone());
        f.insert("category".to_string(), "procedure".to_string());
    }
    render(StatusCode::OK, &c, &new_page(&state, &c, &officer, f, None))
}

/// Files the caller's petition (with a scanned letter or photos), recording the officer who
/// wrote it down.
pub(crate) async fn file(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    crate::request::Client(client): crate::request::Client,
    mut form: axum::extract::Multipart,
) -> Response {
    let c = c.with_nav("staff");
    let (f, files, unread) =
        match crate::upload::read_form_with_files(&mut form, "attachment").await {
            Ok((f, files)) => (f, files, None),
            Err(e) => (BTreeMap::new(), Vec::new(), Some(e)),
        };
    let user = match officer.form(&c, "/staff/pakn/new", get(&f, "csrf")) {
        Ok(u) => u.clone(),
        Err(r) if unread.is_none() => return *r,
        Err(_) => {
            let key = match unread {
                Some(crate::upload::UploadError::TooLarge) => "pakn-files-too-large",
                _ => "pakn-files-unreadable",
            };
            let page = new_page(&state, &c, &officer, f, Some(c.tr.t(key)));
            return render(StatusCode::UNPROCESSABLE_ENTITY, &c, &page);
        }
    };
    let text = |k: &str| filled(&f, k);
    let req = NewPetition {
        name: get(&f, "name").to_string(),
        phone: text("phone"),
        email: text("email"),
        content: get(&f, "content").to_string(),
        category: text("category"),
        dossier: text("dossier"),
        agency: text("agency"),
        channel: text("channel"),
        publish_content: get(&f, "publish_content") == "yes",
        // A caller is written to in Vietnamese, whatever the officer's screen speaks.
        lang: motcua_domain::Lang::Vi,
        attachments: files
            .into_iter()
            .map(|(name, bytes)| pakn::Upload { name, bytes })
            .collect(),
    };
    let principal = Principal::Staff(user);
    match pakn::file(&state, &principal, req, &client, Utc::now()).await {
        // Said on a fresh form: the petition may belong to an agency the officer's does not
        // cover, whose work list it is now on.
        Ok(row) => {
            let mut page = new_page(&state, &c, &officer, BTreeMap::new(), None);
            page.filed = Some((
                row.code.to_string(),
                state.catalog.agency_name(row.agency),
                row.facts.due_at.map(local).unwrap_or_default(),
            ));
            render(StatusCode::CREATED, &c, &page)
        }
        Err(e) => {
            let problem = Some(c.tr.error(&e));
            render(
                crate::error::status(e.kind),
                &c,
                &new_page(&state, &c, &officer, f, problem),
            )
        }
    }
}

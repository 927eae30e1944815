//! Questions to an officer in the back office, and the hotline console: the officer on the
//! phone asks the assistant and reads the caller the same answer the web gives, and writes
//! down a question (or feedback) for the caller.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use motcua_app::App;
use motcua_app::principal::Principal;
use motcua_app::questions::{self, OFFICER_CHANNELS};
use motcua_store::{QuestionRow, User};

use crate::html::forms::{Fields, filled, get, see_other};
use crate::html::public::support::{Block, Card, answered};
use crate::html::staff::office::Officer;
use crate::html::staff::{tabs, unreadable};
use crate::html::{Chrome, local, render};

struct Row {
    code: String,
    question: String,
    agency: String,
    due: String,
    overdue: bool,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "staff_questions.html")]
struct ListPage<'a> {
    c: &'a Chrome,
    views: Vec<(&'static str, String, bool)>,
    rows: Vec<Row>,
    problem: Option<String>,
}

#[derive(Template)]
#[template(path = "staff_questions_week.html")]
struct WeekPage<'a> {
    c: &'a Chrome,
    week: String,
    from: String,
    to: String,
    /// The previous and the next week's days.
    previous: String,
    next: String,
    agencies: Vec<(String, motcua_app::questions::AgencyWeek)>,
    problem: Option<String>,
}

/// `GET /staff/questions/week?week=YYYY-MM-DD`: the weekly report of unanswered questions
/// for the agencies the officer's covers.
pub(crate) async fn week(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("staff");
    let user = match officer.user("/staff/questions/week") {
        Ok(u) => u.clone(),
        Err(r) => return *r,
    };
    let now = Utc::now();
    let mut page = WeekPage {
        c: &c,
        week: String::new(),
        from: String::new(),
        to: String::new(),
        previous: String::new(),
        next: String::new(),
        agencies: Vec::new(),
        problem: None,
    };
    let report = match questions::week_day(q.get("week").map(String::as_str), now) {
        Ok(day) => questions::week_report(&state, &Principal::Staff(user), day, now)
            .await
            .map(|r| (day, r)),
        Err(e) => Err(e),
    };
    let status = match report {
        Ok((day, r)) => {
            let shown = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
            page.week = shown(day);
            page.previous = shown(day - chrono::Duration::days(7));
            page.next = shown(day + chrono::Duration::days(7));
            page.from = local(r.from);
            page.to = local(r.to);
            page.agencies = r
                .agencies
                .into_iter()
                .map(|a| (state.catalog.agency_name(a.agency), a))
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

/// Questions of every agency the officer's covers: waiting (the earliest due first) or
/// answered.
pub(crate) async fn list(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("staff");
    let user = match officer.user("/staff/questions") {
        Ok(u) => u.clone(),
        Err(r) => return *r,
    };
    let view = q.get("view").map_or("open", String::as_str);
    let now = Utc::now();
    let mut page = ListPage {
        c: &c,
        views: tabs(&c, "staff-questions-view-", &["open", "answered"], view),
        rows: Vec::new(),
        problem: None,
    };
    let status = match questions::list(&state, &Principal::Staff(user), view).await {
        Ok(rows) => {
            page.rows = rows
                .into_iter()
                .map(|r| Row {
                    code: r.code.to_string(),
                    agency: state.catalog.agency_name(r.asked.agency),
                    due: local(r.answer_due_at),
                    overdue: r.answer_due_at < now && r.answer.is_none(),
                    state: r.state.as_str(),
                    question: r.asked.question,
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

#[derive(Template)]
#[template(path = "staff_question.html")]
struct QuestionPage<'a> {
    c: &'a Chrome,
    csrf: String,
    q: QuestionRow,
    agency: String,
    procedure: String,
    due: String,
    problem: Option<String>,
}

async fn readable(
    state: &App,
    c: &Chrome,
    user: &User,
    code: &str,
) -> Result<QuestionRow, Response> {
    questions::for_officer(state, &Principal::Staff(user.clone()), code)
        .await
        .map_err(|e| unreadable(c, e))
}

fn question_page<'a>(
    state: &App,
    c: &'a Chrome,
    officer: &Officer,
    q: QuestionRow,
    problem: Option<String>,
) -> QuestionPage<'a> {
    QuestionPage {
        c,
        csrf: officer.csrf(),
        agency: state.catalog.agency_name(q.asked.agency),
        procedure: q.asked.procedure.map(|p| p.to_string()).unwrap_or_default(),
        due: local(q.answer_due_at),
        q,
        problem,
    }
}

pub(crate) async fn show(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Path(code): Path<String>,
) -> Response {
    let c = c.with_nav("staff");
    let user = match officer.user(&format!("/staff/questions/{code}")) {
        Ok(u) => u.clone(),
        Err(r) => return *r,
    };
    match readable(&state, &c, &user, &code).await {
        Ok(q) => render(
            StatusCode::OK,
            &c,
            &question_page(&state, &c, &officer, q, None),
        ),
        Err(r) => r,
    }
}

/// Answers the question (and publishes the answer when asked to), or turns it into a
/// petition; back to the question, or the question with what went wrong.
pub(crate) async fn act(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Path(code): Path<String>,
    axum::Form(f): Fields,
) -> Response {
    let c = c.with_nav("staff");
    let here = format!("/staff/questions/{code}");
    let user = match officer.form(&c, &here, get(&f, "csrf")) {
        Ok(u) => u.clone(),
        Err(r) => return *r,
    };
    let principal = Principal::Staff(user.clone());
    let now = Utc::now();
    let outcome = match get(&f, "action") {
        "convert" => questions::convert(&state, &principal, &code, now)
            .await
            .map(|_| ()),
        _ => questions::answer(
            &state,
            &principal,
            &code,
            get(&f, "answer"),
            get(&f, "publish") == "yes",
            now,
        )
        .await
        .map(|_| ()),
    };
    match outcome {
        Ok(()) => see_other(&here),
        Err(e) => match readable(&state, &c, &user, &code).await {
            Ok(q) => render(
                crate::error::status(e.kind),
                &c,
                &question_page(&state, &c, &officer, q, Some(c.tr.error(&e))),
            ),
            Err(r) => r,
        },
    }
}

#[derive(Template)]
#[template(path = "staff_console.html")]
struct ConsolePage<'a> {
    c: &'a Chrome,
    csrf: String,
    question: String,
    card: Option<Card>,
    problem: Option<String>,
    channels: [&'static str; 3],
    f: BTreeMap<String, String>,
    taken: Option<(String, String)>,
    taken_problem: Option<String>,
}

impl ConsolePage<'_> {
    fn field(&self, k: &str) -> &str {
        get(&self.f, k)
    }
}

fn console<'a>(c: &'a Chrome, officer: &Officer) -> ConsolePage<'a> {
    ConsolePage {
        c,
        csrf: officer.csrf(),
        question: String::new(),
        card: None,
        problem: None,
        channels: OFFICER_CHANNELS,
        f: BTreeMap::new(),
        taken: None,
        taken_problem: None,
    }
}

/// The hotline console: with `q`, the assistant's answer, the same card as on the web.
pub(crate) async fn console_page(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("staff");
    if let Err(r) = officer.user("/staff/ho-tro") {
        return *r;
    }
    let mut p = console(&c, &officer);
    let mut status = StatusCode::OK;
    if let Some(a) = answered(&state, &c, &q).await {
        status = a.status;
        p.f.insert("q".into(), a.question.clone());
        p.f.insert("procedure".into(), a.procedure);
        (p.question, p.card, p.problem) = (a.question, a.card, a.problem);
    }
    render(status, &c, &p)
}

/// Writes down the caller's question for an officer of the agency concerned.
pub(crate) async fn console_ask(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    crate::request::Client(client): crate::request::Client,
    axum::Form(f): Fields,
) -> Response {
    let c = c.with_nav("staff");
    let user = match officer.form(&c, "/staff/ho-tro", get(&f, "csrf")) {
        Ok(u) => u.clone(),
        Err(r) => return *r,
    };
    let text = |k: &str| filled(&f, k);
    let req = questions::Asked {
        q: get(&f, "q").to_string(),
        name: get(&f, "name").to_string(),
        phone: text("phone"),
        email: text("email"),
        procedure: text("procedure"),
        channel: text("channel"),
        // A caller is answered in Vietnamese, whatever the officer's screen speaks.
        lang: motcua_domain::Lang::Vi,
    };
    let mut p = console(&c, &officer);
    let status =
        match questions::ask(&state, &Principal::Staff(user), req, &client, Utc::now()).await {
            Ok(row) => {
                p.taken = Some((row.code.to_string(), local(row.answer_due_at)));
                StatusCode::CREATED
            }
            Err(e) => {
                p.taken_problem = Some(c.tr.error(&e));
                p.f = f;
                crate::error::status(e.kind)
            }
        };
    render(status, &c, &p)
}

//! The support page (`/ho-tro`): the 24/7 assistant answering a question typed in a form (no
//! script needed: the answer is drawn by the server), the opening hours and days off from
//! the working calendar, the hotline, a question to an officer (sent, then looked up with the
//! last four digits of the phone) and the answers officers published.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use motcua_app::App;
use motcua_app::questions;
use motcua_assistant::{Kind, Link, Reply};

use crate::html::forms::{Fields, Visitor, filled, forged, get, with_cookie};
use crate::html::{Chrome, local, render};
use crate::request::Client;

/// A run of an answer's lines: a paragraph, or the items of a list.
pub(crate) enum Block {
    Para(String),
    List(Vec<String>),
}

/// An answer's lines as paragraphs and lists ("- " starts an item).
pub(crate) fn blocks(answer: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    for line in answer.lines().filter(|l| !l.trim().is_empty()) {
        match (line.strip_prefix("- "), out.last_mut()) {
            (Some(item), Some(Block::List(items))) => items.push(item.to_string()),
            (Some(item), _) => out.push(Block::List(vec![item.to_string()])),
            (None, _) => out.push(Block::Para(line.to_string())),
        }
    }
    out
}

/// A reply as the page shows it.
pub(crate) struct Card {
    pub kind: &'static str,
    pub blocks: Vec<Block>,
    pub choices: Vec<Link>,
    pub follow_ups: Vec<Link>,
    pub sources: Vec<String>,
}

impl From<Reply> for Card {
    fn from(r: Reply) -> Card {
        Card {
            kind: match r.kind {
                Kind::Answer => "answer",
                Kind::Choose => "choose",
                Kind::Escalate => "escalate",
                Kind::Redirect => "redirect",
            },
            blocks: blocks(&r.answer),
            choices: r.choices,
            follow_ups: r.follow_ups,
            sources: r
                .sources
                .into_iter()
                .filter(|s| s.starts_with('/'))
                .collect(),
        }
    }
}

/// The assistant's answer to the question of a page's query (`q`, about `procedure` when one
/// was chosen), as the support page and the hotline console show it.
pub(crate) struct Answered {
    pub status: StatusCode,
    pub question: String,
    /// The procedure the answer is about (what a question to an officer is then about).
    pub procedure: String,
    pub card: Option<Card>,
    pub problem: Option<String>,
}

/// The answer to the query's question, when it has one.
pub(crate) async fn answered(
    state: &App,
    c: &Chrome,
    q: &BTreeMap<String, String>,
) -> Option<Answered> {
    let question = q.get("q")?.clone();
    let procedure = q.get("procedure").map(String::as_str);
    let mut a = Answered {
        status: StatusCode::OK,
        procedure: procedure.unwrap_or_default().to_string(),
        question,
        card: None,
        problem: None,
    };
    match motcua_app::assistant::ask(state, &a.question, c.lang, procedure, Utc::now()).await {
        Ok(reply) => {
            a.procedure = reply
                .procedure_code
                .map(|c| c.to_string())
                .unwrap_or_default();
            a.card = Some(reply.into());
        }
        Err(e) => {
            a.status = crate::error::status(e.kind);
            a.problem = Some(c.tr.error(&e));
        }
    }
    Some(a)
}

/// A question to an officer as the page shows it.
pub(crate) struct Asked {
    code: String,
    state: &'static str,
    question: String,
    due: String,
    answer: Option<String>,
    petition: Option<String>,
}

/// A published answer as the page lists it.
pub(crate) struct FaqItem {
    code: String,
    question: String,
    answer: String,
    agency: String,
    date: String,
}

#[derive(Template)]
#[template(path = "support.html")]
struct SupportPage<'a> {
    c: &'a Chrome,
    csrf: String,
    question: String,
    procedure: String,
    problem: Option<String>,
    card: Option<Card>,
    opening: Card,
    hotline: Option<String>,
    /// The form to an officer as sent back with its problem, or empty.
    f: BTreeMap<String, String>,
    officer_problem: Option<String>,
    /// A question just sent: its code and when the answer is due.
    sent: Option<(String, String)>,
    lookup_code: String,
    lookup_problem: Option<String>,
    found: Option<Asked>,
    faq: Vec<FaqItem>,
}

impl SupportPage<'_> {
    fn field(&self, k: &str) -> &str {
        get(&self.f, k)
    }
}

/// Published answers listed on the page.
const FAQ_SHOWN: u32 = 10;

async fn page_for<'a>(state: &App, c: &'a Chrome, csrf: String) -> SupportPage<'a> {
    let faq = questions::faq(state, None, None, FAQ_SHOWN)
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = ?e, "reading the published answers");
            Vec::new()
        });
    SupportPage {
        c,
        csrf,
        question: String::new(),
        procedure: String::new(),
        problem: None,
        card: None,
        opening: motcua_app::assistant::opening(state, c.lang, Utc::now()).into(),
        hotline: state.hotline.clone(),
        f: BTreeMap::new(),
        officer_problem: None,
        sent: None,
        lookup_code: String::new(),
        lookup_problem: None,
        found: None,
        faq: faq
            .into_iter()
            .map(|q| FaqItem {
                code: q.code.to_string(),
                agency: state.catalog.agency_name(q.asked.agency),
                date: q.published_at.map(local).unwrap_or_default(),
                question: q.asked.question,
                answer: q.answer.unwrap_or_default(),
            })
            .collect(),
    }
}

/// The page; with `q`, the question answered (about `procedure` when one was chosen); with
/// `code` and `verify`, a question to an officer looked up.
pub(crate) async fn page(
    State(state): State<App>,
    c: Chrome,
    mut v: Visitor,
    Client(client): Client,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("support");
    let (csrf, cookie) = v.csrf();
    let mut p = page_for(&state, &c, csrf).await;
    let mut status = StatusCode::OK;
    if let Some(a) = answered(&state, &c, &q).await {
        status = a.status;
        // Asking an officer carries the question over.
        p.f.insert("q".into(), a.question.clone());
        (p.question, p.procedure, p.card, p.problem) = (a.question, a.procedure, a.card, a.problem);
    }
    // From a notification's link: the code filled in, the second factor to type.
    if let Some(code) = q.get("code") {
        p.lookup_code = code.clone();
    }
    if let (Some(code), Some(verify)) = (q.get("code"), q.get("verify")) {
        match questions::lookup(&state, code, verify, &client).await {
            Ok(r) => {
                p.found = Some(Asked {
                    code: r.code.to_string(),
                    state: r.state.as_str(),
                    question: r.asked.question,
                    due: local(r.answer_due_at),
                    answer: r.answer,
                    petition: r.petition.map(|p| p.to_string()),
                })
            }
            Err(e) => {
                status = StatusCode::NOT_FOUND;
                p.lookup_problem = Some(if e.kind == motcua_app::error::Kind::TooMany {
                    c.tr.error(&e)
                } else {
                    c.tr.t("support-lookup-not-found")
                });
            }
        }
    }
    with_cookie(render(status, &c, &p), cookie)
}

/// Sends the question of the form to an officer; the answer says by when one will answer.
pub(crate) async fn ask_officer(
    State(state): State<App>,
    c: Chrome,
    mut v: Visitor,
    Client(client): Client,
    axum::Form(f): Fields,
) -> Response {
    let c = c.with_nav("support");
    if !v.form_ok(get(&f, "csrf")) {
        return forged(&c);
    }
    let principal = v.principal();
    let text = |k: &str| filled(&f, k);
    let req = questions::Asked {
        q: get(&f, "q").to_string(),
        name: get(&f, "name").to_string(),
        phone: text("phone"),
        email: text("email"),
        procedure: text("procedure"),
        channel: None,
        lang: c.lang,
    };
    let (csrf, cookie) = v.csrf();
    let mut p = page_for(&state, &c, csrf).await;
    let status = match questions::ask(&state, &principal, req, &client, Utc::now()).await {
        Ok(row) => {
            p.sent = Some((row.code.to_string(), local(row.answer_due_at)));
            StatusCode::CREATED
        }
        Err(e) => {
            p.officer_problem = Some(c.tr.error(&e));
            p.procedure = get(&f, "procedure").to_string();
            p.f = f;
            crate::error::status(e.kind)
        }
    };
    with_cookie(render(status, &c, &p), cookie)
}

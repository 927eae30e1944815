//! The support page (`/ho-tro`): the 24/7 assistant answering a question typed in a form (no
//! script needed: the answer is drawn by the server), the opening hours and days off from
//! the working calendar, the hotline, and how to reach an officer.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use motcua_app::App;
use motcua_assistant::{Kind, Link, Reply};

use crate::html::{Chrome, render};

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

#[derive(Template)]
#[template(path = "support.html")]
struct SupportPage<'a> {
    c: &'a Chrome,
    question: String,
    problem: Option<String>,
    card: Option<Card>,
    opening: Card,
    hotline: Option<String>,
}

/// The page; with `q`, the question answered (about `procedure` when one was chosen).
pub(crate) async fn page(
    State(state): State<App>,
    c: Chrome,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("support");
    let question = q.get("q").cloned().unwrap_or_default();
    let mut p = SupportPage {
        c: &c,
        question: question.clone(),
        problem: None,
        card: None,
        opening: motcua_app::assistant::opening(&state, c.lang, Utc::now()).into(),
        hotline: state.hotline.clone(),
    };
    let mut status = StatusCode::OK;
    if q.contains_key("q") {
        let procedure = q.get("procedure").map(String::as_str);
        match motcua_app::assistant::ask(&state, &question, c.lang, procedure, Utc::now()).await {
            Ok(reply) => p.card = Some(reply.into()),
            Err(e) => {
                status = crate::error::status(e.kind);
                p.problem = Some(c.tr.error(&e));
            }
        }
    }
    render(status, &c, &p)
}

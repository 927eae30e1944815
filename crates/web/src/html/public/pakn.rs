//! The feedback page (`/phan-anh-kien-nghi`): anyone gives feedback on a regulation, a
//! procedure or an officer's conduct (a name and a phone or e-mail), gets a code, and looks it
//! up with the last four digits of their phone — the state, the steps and, once published,
//! the answer; the published answers are listed and searched. Contact data is never shown.
//! Works without script.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::App;
use motcua_app::pakn::{self, NewPetition};
use motcua_domain::pakn::{Category, PaknEvent};

use crate::html::forms::{Visitor, filled, forged, get, with_cookie};
use crate::html::{Chrome, agency_choices, local, render};
use crate::request::Client;

/// A petition found by its code and second factor.
struct Found {
    code: String,
    state: &'static str,
    state_label: &'static str,
    agency: String,
    due: Option<String>,
    steps: Vec<(String, String)>,
    answer: Option<String>,
    /// The files given with it: name, size and where to read them.
    files: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "pakn.html")]
struct PaknPage<'a> {
    c: &'a Chrome,
    csrf: String,
    agencies: Vec<(String, String)>,
    categories: Vec<(&'static str, String)>,
    /// The form as sent back with its problem, or empty.
    f: BTreeMap<String, String>,
    problem: Option<String>,
    /// The code and due date of a petition just filed.
    filed: Option<(String, String)>,
    lookup_code: String,
    lookup_problem: Option<String>,
    found: Option<Found>,
    /// The search over the published answers, and what it found.
    published_q: String,
    published_category: String,
    published: Vec<Published>,
    published_problem: Option<String>,
}

/// A published answer as the page shows it.
struct Published {
    code: String,
    agency: String,
    date: String,
    category: Option<String>,
    question: Option<String>,
    answer: String,
}

/// Published answers shown on the page.
const PUBLISHED_SHOWN: u32 = 10;

impl PaknPage<'_> {
    fn field(&self, k: &str) -> &str {
        get(&self.f, k)
    }
}

pub(crate) fn step_label(c: &Chrome, e: &PaknEvent) -> String {
    c.tr.t(&format!(
        "pakn-event-{}",
        e.kind().trim_start_matches("pakn_").replace('_', "-")
    ))
}

fn page<'a>(state: &App, c: &'a Chrome, csrf: String) -> PaknPage<'a> {
    let agencies = agency_choices(state, None);
    PaknPage {
        c,
        csrf,
        agencies,
        categories: Category::ALL
            .into_iter()
            .map(|k| {
                (
                    k.as_str(),
                    c.tr.t(&format!("pakn-category-{}", k.as_str().replace('_', "-"))),
                )
            })
            .collect(),
        f: BTreeMap::new(),
        problem: None,
        filed: None,
        lookup_code: String::new(),
        lookup_problem: None,
        found: None,
        published_q: String::new(),
        published_category: String::new(),
        published: Vec::new(),
        published_problem: None,
    }
}

/// Fills the page's list of published answers (the latest, or those `q` and `category` ask
/// for).
async fn with_published(
    state: &App,
    c: &Chrome,
    p: &mut PaknPage<'_>,
    q: &BTreeMap<String, String>,
) {
    p.published_q = q.get("q").cloned().unwrap_or_default();
    p.published_category = q.get("category").cloned().unwrap_or_default();
    let search = pakn::PublishedSearch {
        q: Some(p.published_q.clone()),
        agency: None,
        category: Some(p.published_category.clone()),
        page: 1,
        per_page: PUBLISHED_SHOWN,
    };
    match pakn::published(state, &search).await {
        Ok(found) => {
            p.published = found
                .into_iter()
                .map(|f| Published {
                    code: f.code.to_string(),
                    agency: state.catalog.agency_name(f.agency),
                    date: local(f.published_at),
                    category: f.category.map(|k| {
                        c.tr.t(&format!("pakn-category-{}", k.as_str().replace('_', "-")))
                    }),
                    question: f.question,
                    answer: f.answer,
                })
                .collect();
        }
        Err(e) => p.published_problem = Some(c.tr.error(&e)),
    }
}

/// The page; with `code` and `verify`, the petition looked up; with `dossier`, the form about
/// that dossier.
pub(crate) async fn show(
    State(state): State<App>,
    c: Chrome,
    mut v: Visitor,
    Client(client): Client,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("pakn");
    let (csrf, cookie) = v.csrf();
    let mut p = page(&state, &c, csrf);
    // Opened from a dossier's tracking page: the form names the dossier.
    if let Some(d) = q.get("dossier") {
        p.f.insert("dossier".into(), d.clone());
        p.f.insert("category".into(), "procedure".into());
    }
    let mut status = StatusCode::OK;
    with_published(&state, &c, &mut p, &q).await;
    // From a notification's link: the code filled in, the second factor to type.
    if let Some(code) = q.get("code") {
        p.lookup_code = code.clone();
    }
    if let (Some(code), Some(verify)) = (q.get("code"), q.get("verify")) {
        let factor: String = form_urlencoded::byte_serialize(verify.as_bytes()).collect();
        match pakn::lookup(&state, code, verify, &client).await {
            Ok(pakn::Loaded {
                row,
                events,
                petition,
            }) => {
                let (vi, en) = row.state.labels();
                p.found = Some(Found {
                    code: row.code.to_string(),
                    state: row.state.as_str(),
                    state_label: if c.lang == motcua_domain::Lang::En {
                        en
                    } else {
                        vi
                    },
                    agency: state.catalog.agency_name(row.agency),
                    due: row.facts.due_at.map(local),
                    steps: events
                        .iter()
                        .map(|e| (local(e.at()), step_label(&c, e)))
                        .collect(),
                    files: petition
                        .filing
                        .attachments
                        .iter()
                        .enumerate()
                        .map(|(n, a)| {
                            (
                                a.name.clone(),
                                file_size(a.size),
                                format!("/phan-anh-kien-nghi/tep/{}/{n}?verify={factor}", row.code),
                            )
                        })
                        .collect(),
                    answer: petition.published_at.and(petition.answer),
                });
            }
            Err(e) => {
                status = StatusCode::NOT_FOUND;
                p.lookup_problem = Some(if e.kind == motcua_app::error::Kind::TooMany {
                    c.tr.error(&e)
                } else {
                    c.tr.t("pakn-not-found")
                });
            }
        }
    }
    with_cookie(render(status, &c, &p), cookie)
}

/// Files the petition of the form (with its files); the answer is its code and when the
/// first step is due.
pub(crate) async fn file(
    State(state): State<App>,
    c: Chrome,
    mut v: Visitor,
    Client(client): Client,
    mut form: Multipart,
) -> Response {
    let c = c.with_nav("pakn");
    let (f, files, unread) =
        match crate::upload::read_form_with_files(&mut form, "attachment").await {
            Ok((f, files)) => (f, files, None),
            Err(e) => (BTreeMap::new(), Vec::new(), Some(e)),
        };
    if unread.is_none() && !v.form_ok(get(&f, "csrf")) {
        return forged(&c);
    }
    let principal = v.principal();
    let text = |k: &str| filled(&f, k);
    let req = NewPetition {
        name: get(&f, "name").to_string(),
        phone: text("phone"),
        email: text("email"),
        content: get(&f, "content").to_string(),
        category: text("category"),
        dossier: text("dossier"),
        agency: text("agency"),
        channel: None,
        publish_content: get(&f, "publish_content") == "yes",
        lang: c.lang,
        attachments: files
            .into_iter()
            .map(|(name, bytes)| pakn::Upload { name, bytes })
            .collect(),
    };
    let (csrf, cookie) = v.csrf();
    let mut p = page(&state, &c, csrf);
    with_published(&state, &c, &mut p, &BTreeMap::new()).await;
    let filed = match unread {
        Some(crate::upload::UploadError::TooLarge) => Err(c.tr.t("pakn-files-too-large")),
        Some(crate::upload::UploadError::Malformed) => Err(c.tr.t("pakn-files-unreadable")),
        None => pakn::file(&state, &principal, req, &client, chrono::Utc::now())
            .await
            .map_err(|e| c.tr.error(&e)),
    };
    let status = match filed {
        Ok(row) => {
            p.filed = Some((
                row.code.to_string(),
                row.facts.due_at.map(local).unwrap_or_default(),
            ));
            StatusCode::CREATED
        }
        Err(problem) => {
            p.problem = Some(problem);
            p.f = f;
            StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    with_cookie(render(status, &c, &p), cookie)
}

/// `GET /phan-anh-kien-nghi/tep/{code}/{n}?verify=`: a file given with a petition, for its
/// petitioner.
pub(crate) async fn attachment(
    State(state): State<App>,
    c: Chrome,
    Client(client): Client,
    Path((code, n)): Path<(String, usize)>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let proof = pakn::Proof {
        verify: get(&q, "verify"),
        client: &client,
    };
    match pakn::attachment(
        &state,
        &motcua_app::principal::Principal::Anonymous,
        &code,
        Some(proof),
        n,
    )
    .await
    {
        Ok((a, content)) => crate::upload::download(&a.mime, &a.name, content),
        Err(e) => crate::html::failure_page(&c, &e),
    }
}

/// A file's size as people read it: kB up to a megabyte, then MB.
pub(crate) fn file_size(bytes: u64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} kB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

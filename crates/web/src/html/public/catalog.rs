//! Home, catalog list, procedure page, online-filing entry point, printable form templates.

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, Utc};
use motcua_domain::calendar::TZ;
use motcua_domain::ids::AgencyCode;
use motcua_search::{MAX_QUERY_CHARS, SearchQuery};
use motcua_store::ProcedureSummary;
use serde::Deserialize;

use crate::html::{Chrome, error_page, kept, render, render_kept};
use motcua_app::App;
use motcua_app::catalog::{SearchForm, search_query};

/// A procedure in a list.
pub(crate) struct Item {
    pub code: String,
    pub name: String,
    pub field: String,
    pub time: String,
    pub online: String,
    pub online_class: &'static str,
}

pub(crate) fn item(c: &Chrome, p: &ProcedureSummary) -> Item {
    Item {
        code: p.code.to_string(),
        name: p.name.clone(),
        field: p.field.clone(),
        time: c.time(p.processing_time),
        online: c.online(p.online_level),
        online_class: p.online_level.as_str(),
    }
}

/// A facet value to choose.
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub count: u64,
    pub selected: bool,
}

pub(crate) struct Stat {
    pub value: String,
    pub label: String,
}

pub(crate) async fn agency_names(state: &App) -> HashMap<AgencyCode, String> {
    state
        .store
        .agencies()
        .await
        .map(|v| v.into_iter().map(|a| (a.code, a.name)).collect())
        .unwrap_or_default()
}

pub(crate) fn store_failure(c: &Chrome, e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "page could not read the store");
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        c,
        "bad-request-title",
        c.tr.t("not-found-lead"),
    )
}

#[derive(Template)]
#[template(path = "home.html")]
pub(crate) struct Home<'a> {
    c: &'a Chrome,
    year: i32,
    stats: Vec<Stat>,
    popular: Vec<Item>,
    fields: Vec<Choice>,
    agencies: Vec<Choice>,
}

pub(crate) fn percent(c: &Chrome, part: i64, whole: i64) -> String {
    if whole == 0 {
        return "—".into();
    }
    let v = format!("{:.1}", part as f64 * 100.0 / whole as f64);
    match c.lang {
        motcua_domain::Lang::Vi => format!("{} %", v.replace('.', ",")),
        motcua_domain::Lang::En => format!("{v}%"),
    }
}

pub(crate) fn thousands(c: &Chrome, n: i64) -> String {
    let grouped = motcua_domain::lang::grouped(n);
    match c.lang {
        motcua_domain::Lang::Vi => grouped,
        motcua_domain::Lang::En => grouped.replace('.', ","),
    }
}

pub(crate) async fn home(State(state): State<App>, c: Chrome) -> Response {
    let c = c.with_nav("home");
    let figures = match state.public.figures(&*state.store).await {
        Ok(f) => f,
        Err(e) => return store_failure(&c, e),
    };
    let version = format!("{} {}", state.catalog.stamp(), figures.generation);
    if let Some(page) = kept(&state, &c, &version) {
        return page;
    }
    let index = state.catalog.index();
    let (received, resolved) = (figures.count("received"), figures.count("resolved"));
    let stats = vec![
        Stat {
            value: thousands(&c, received),
            label: c.tr.t("stat-received"),
        },
        Stat {
            value: thousands(&c, resolved),
            label: c.tr.t("stat-resolved"),
        },
        Stat {
            value: percent(
                &c,
                figures.count("resolved_early") + figures.count("resolved_on_time"),
                resolved,
            ),
            label: c.tr.t("stat-on-time"),
        },
        Stat {
            value: thousands(&c, index.len() as i64),
            label: c.tr.t("stat-procedures"),
        },
    ];
    let popular = figures
        .popular
        .iter()
        .filter_map(|code| index.get(code))
        .map(|p| item(&c, p))
        .collect();
    let all = index
        .search(&SearchQuery {
            limit: 0,
            ..SearchQuery::default()
        })
        .unwrap_or_default();
    let names = agency_names(&state).await;
    let fields = all
        .facets
        .field
        .iter()
        .take(12)
        .map(|(v, n)| Choice {
            value: v.clone(),
            label: v.clone(),
            count: *n,
            selected: false,
        })
        .collect();
    let agencies = all
        .facets
        .agency
        .iter()
        .take(10)
        .map(|(a, n)| Choice {
            value: a.to_string(),
            label: names.get(a).cloned().unwrap_or_else(|| a.to_string()),
            count: *n,
            selected: false,
        })
        .collect();
    render_kept(
        &state,
        &c,
        &version,
        &Home {
            c: &c,
            year: Utc::now().with_timezone(&TZ).year(),
            stats,
            popular,
            fields,
            agencies,
        },
    )
}

/// A link to another page of the same search.
pub(crate) struct PageLink {
    pub href: String,
}

/// A field to browse, with its procedure count.
pub(crate) struct FieldLink {
    href: String,
    label: String,
}

#[derive(Template)]
#[template(path = "procedures.html")]
pub(crate) struct List<'a> {
    c: &'a Chrome,
    q: String,
    error: Option<String>,
    total: usize,
    results_label: String,
    items: Vec<Item>,
    /// Fields to browse when nothing relevant was found.
    suggested: Vec<FieldLink>,
    fields: Vec<Choice>,
    agencies: Vec<Choice>,
    levels: Vec<Choice>,
    online: Vec<Choice>,
    filtered: bool,
    page_label: String,
    previous: Option<PageLink>,
    next: Option<PageLink>,
}

#[derive(Deserialize, Default, Clone)]
pub(crate) struct ListForm {
    q: Option<String>,
    field: Option<String>,
    agency: Option<String>,
    level: Option<String>,
    online_level: Option<String>,
    page: Option<String>,
}

pub(crate) fn choices(
    values: &[(String, u64)],
    selected: Option<&str>,
    label: impl Fn(&str) -> String,
) -> Vec<Choice> {
    values
        .iter()
        .map(|(v, n)| Choice {
            value: v.clone(),
            label: label(v),
            count: *n,
            selected: selected == Some(v.as_str()),
        })
        .collect()
}

pub(crate) async fn list(
    State(state): State<App>,
    c: Chrome,
    form: Result<Query<ListForm>, QueryRejection>,
) -> Response {
    let c = c.with_nav("procedures");
    let Ok(Query(form)) = form else {
        return error_page(
            StatusCode::BAD_REQUEST,
            &c,
            "bad-request-title",
            c.tr.t("not-found-lead"),
        );
    };
    const PER_PAGE: u32 = 20;
    let page: u32 = match form
        .page
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        None => 1,
        Some(p) => match p.parse() {
            Ok(n) if (1..=100_000).contains(&n) => n,
            _ => {
                return error_page(
                    StatusCode::BAD_REQUEST,
                    &c,
                    "bad-request-title",
                    c.tr.t("not-found-lead"),
                );
            }
        },
    };
    let q = form.q.clone().unwrap_or_default();
    let params = SearchForm {
        q: form.q.clone(),
        field: form.field.clone(),
        agency: form.agency.clone(),
        level: form.level.clone(),
        online_level: form.online_level.clone(),
        page: Some(page),
        per_page: Some(PER_PAGE),
    };
    let (query, error) = match search_query(params) {
        Ok((query, _, _)) => (Some(query), None),
        Err(e) if e.code == "query_too_long" => (
            None,
            Some(c.tr.t1("search-too-long", "max", MAX_QUERY_CHARS)),
        ),
        Err(_) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                &c,
                "bad-request-title",
                c.tr.t("not-found-lead"),
            );
        }
    };
    let index = state.catalog.index();
    let result = match &query {
        Some(q) => match index.search(q) {
            Ok(r) => r,
            Err(e) => return store_failure(&c, e),
        },
        None => motcua_search::SearchResult::default(),
    };
    let names = agency_names(&state).await;
    let facets = &result.facets;
    let agencies_values: Vec<(String, u64)> = facets
        .agency
        .iter()
        .map(|(a, n)| (a.to_string(), *n))
        .collect();
    let online_values: Vec<(String, u64)> = facets
        .online_level
        .iter()
        .map(|(o, n)| (o.as_str().to_string(), *n))
        .collect();
    let pages = result.total.div_ceil(PER_PAGE as usize).max(1);
    let link = |p: u32| {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            ("q", &form.q),
            ("field", &form.field),
            ("agency", &form.agency),
            ("level", &form.level),
            ("online_level", &form.online_level),
        ] {
            if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                pairs.push((k, v.clone()));
            }
        }
        pairs.push(("page", p.to_string()));
        PageLink {
            href: format!(
                "/procedures?{}",
                serde_urlencoded::to_string(&pairs).unwrap_or_default()
            ),
        }
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let shown = c.tr.count(i64::try_from(result.total).unwrap_or(i64::MAX));
    let mut results_label =
        c.tr.t2("list-results", ("total", result.total), ("shown", shown));
    if !q.trim().is_empty() && error.is_none() {
        results_label = format!(
            "{results_label} {}",
            c.tr.t1("list-results-for", "q", q.trim().to_string())
        );
    }
    let page_obj = List {
        c: &c,
        error,
        total: result.total,
        results_label,
        items: result.items.iter().map(|p| item(&c, p)).collect(),
        suggested: result
            .suggested_fields
            .iter()
            .map(|(field, n)| FieldLink {
                href: format!(
                    "/procedures?{}",
                    serde_urlencoded::to_string([("field", field)]).unwrap_or_default()
                ),
                label: format!("{field} ({})", thousands(&c, *n as i64)),
            })
            .collect(),
        fields: choices(&facets.field, form.field.as_deref(), |v| v.to_string()),
        agencies: choices(&agencies_values, form.agency.as_deref(), |v| {
            v.parse()
                .ok()
                .and_then(|a: AgencyCode| names.get(&a).cloned())
                .unwrap_or_else(|| v.to_string())
        }),
        levels: choices(&facets.level, form.level.as_deref(), |v| v.to_string()),
        online: choices(&online_values, form.online_level.as_deref(), |v| {
            c.tr.t(&format!("online-{v}"))
        }),
        filtered: [&form.field, &form.agency, &form.level, &form.online_level]
            .iter()
            .any(|f| f.as_ref().is_some_and(|v| !v.is_empty())),
        page_label: c.tr.t2("pagination-page", ("page", page), ("pages", pages)),
        previous: (page > 1).then(|| link(page - 1)),
        next: ((page as usize) < pages).then(|| link(page + 1)),
        q,
    };
    render(status, &c, &page_obj)
}

//! Agency and branch pages.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::ids::AgencyCode;
use motcua_search::SearchQuery;
use motcua_store::{Agency, AgencyKind, Branch};

use crate::html::public::catalog::{Item, item};
use crate::html::{Chrome, error_page, render};
use motcua_app::App;

fn kind_label(c: &Chrome, k: AgencyKind) -> String {
    c.tr.t(&format!("agency-kind-{}", k.as_str()))
}

/// Agencies of one kind.
pub(crate) struct Group {
    pub label: String,
    pub agencies: Vec<Agency>,
}

#[derive(Template)]
#[template(path = "agencies.html")]
pub(crate) struct Agencies<'a> {
    c: &'a Chrome,
    groups: Vec<Group>,
}

pub(crate) async fn agencies(State(state): State<App>, c: Chrome) -> Response {
    let c = c.with_nav("agencies");
    let all = match state.store.agencies().await {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "agencies");
            return error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                &c,
                "bad-request-title",
                String::new(),
            );
        }
    };
    let order = [
        AgencyKind::Province,
        AgencyKind::Centre,
        AgencyKind::Department,
        AgencyKind::Vertical,
        AgencyKind::Commune,
        AgencyKind::Central,
    ];
    let groups = order
        .iter()
        .map(|k| Group {
            label: kind_label(&c, *k),
            agencies: all.iter().filter(|a| a.kind == *k).cloned().collect(),
        })
        .filter(|g| !g.agencies.is_empty())
        .collect();
    render(StatusCode::OK, &c, &Agencies { c: &c, groups })
}

#[derive(Template)]
#[template(path = "agency.html")]
pub(crate) struct AgencyPage<'a> {
    c: &'a Chrome,
    a: Agency,
    kind: String,
    parent: Option<Agency>,
    units: Vec<Agency>,
    procedures: Vec<Item>,
    total: usize,
}

pub(crate) async fn agency(
    State(state): State<App>,
    c: Chrome,
    Path(code): Path<String>,
) -> Response {
    let c = c.with_nav("agencies");
    let not_found = |c: &Chrome| {
        error_page(
            StatusCode::NOT_FOUND,
            c,
            "agency-not-found",
            c.tr.t("not-found-lead"),
        )
    };
    let Ok(code) = AgencyCode::parse(&code) else {
        return not_found(&c);
    };
    let all = state.store.agencies().await.unwrap_or_default();
    let Some(a) = all.iter().find(|a| a.code == code).cloned() else {
        return not_found(&c);
    };
    let index = state.catalog.index();
    let found = index.search(&SearchQuery {
        agency: Some(code),
        limit: 50,
        ..SearchQuery::default()
    });
    let (procedures, total) = match found {
        Ok(r) => (r.items.iter().map(|p| item(&c, p)).collect(), r.total),
        Err(_) => (Vec::new(), 0),
    };
    let page = AgencyPage {
        c: &c,
        kind: kind_label(&c, a.kind),
        parent: a
            .parent
            .and_then(|p| all.iter().find(|x| x.code == p).cloned()),
        units: all
            .iter()
            .filter(|x| x.parent == Some(a.code))
            .cloned()
            .collect(),
        procedures,
        total,
        a,
    };
    render(StatusCode::OK, &c, &page)
}

#[derive(Template)]
#[template(path = "branches.html")]
pub(crate) struct Branches<'a> {
    c: &'a Chrome,
    branches: Vec<Branch>,
}

pub(crate) async fn branches(State(state): State<App>, c: Chrome) -> Response {
    let c = c.with_nav("branches");
    let branches = state.store.branches().await.unwrap_or_default();
    render(StatusCode::OK, &c, &Branches { c: &c, branches })
}

#[derive(Template)]
#[template(path = "branch.html")]
pub(crate) struct BranchPage<'a> {
    c: &'a Chrome,
    b: Branch,
    agency: String,
    waits: Vec<motcua_app::floor::GroupWait>,
}

pub(crate) async fn branch(
    State(state): State<App>,
    c: Chrome,
    Path(code): Path<String>,
) -> Response {
    let c = c.with_nav("branches");
    let Some(b) = state
        .store
        .branches()
        .await
        .unwrap_or_default()
        .into_iter()
        .find(|b| b.code == code)
    else {
        return error_page(
            StatusCode::NOT_FOUND,
            &c,
            "branch-not-found",
            c.tr.t("not-found-lead"),
        );
    };
    let agency = state
        .store
        .agencies()
        .await
        .unwrap_or_default()
        .into_iter()
        .find(|a| a.code == b.agency)
        .map_or_else(|| b.agency.to_string(), |a| a.name);
    let waits = motcua_app::floor::waits_now(&state, &b.code)
        .await
        .unwrap_or_default();
    render(
        StatusCode::OK,
        &c,
        &BranchPage {
            c: &c,
            b,
            agency,
            waits,
        },
    )
}

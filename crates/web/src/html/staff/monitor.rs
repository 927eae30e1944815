//! The staff monitoring page (`/staff/monitoring`): the dossiers the officer's agency holds
//! overdue or due soon, per agency and step; this month's index of the agency with the lists
//! behind each number; the report form to download. The figures refresh by themselves: a
//! server-sent event carries them again when they have changed, looked at once a minute
//! (`App::monitoring_refresh`).

use std::collections::BTreeMap;
use std::convert::Infallible;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Utc};
use motcua_app::App;
use motcua_app::monitoring::{self, IndexQuery, Side};
use motcua_app::principal::Principal;
use motcua_domain::ids::{AgencyCode, DossierCode};
use motcua_domain::index::{DOSSIER_MEASURES, Period, ScopeKind};
use motcua_store::User;

use crate::html::local;
use crate::html::staff::office::Officer;
use crate::html::{Chrome, error_page, render};

/// A row of the pressure table.
struct PressureRow {
    agency: String,
    step: String,
    overdue: u64,
    due_soon: u64,
}

/// A metric with links to the dossiers behind its numbers (when it counts dossiers).
struct MetricLine {
    code: &'static str,
    name: &'static str,
    numerator: String,
    denominator: String,
    /// The lists' links: numerator, denominator.
    links: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "staff_monitoring_figures.html")]
struct Figures<'a> {
    c: &'a Chrome,
    pressure: Vec<PressureRow>,
    /// "3 overdue, 5 due soon."
    summary: String,
    truncated: bool,
    metrics: Vec<MetricLine>,
    period_label: String,
    updated: String,
}

#[derive(Template)]
#[template(path = "staff_monitoring.html")]
struct MonitoringPage<'a> {
    c: &'a Chrome,
    scope_name: String,
    figures: String,
    /// The report form's default months.
    from: String,
    to: String,
    agency: String,
}

/// The scope of the officer's figures: the province for a province-wide agency, else the
/// officer's agency (a commune as a commune).
fn scope_of(state: &App, user: &User) -> Option<(ScopeKind, Option<AgencyCode>)> {
    let agency = user.agency?;
    let agencies = state.catalog.agencies();
    let a = agencies.iter().find(|a| a.code == agency)?;
    Some(match monitoring::scope_of(a) {
        ScopeKind::Province => (ScopeKind::Province, None),
        scope => (scope, Some(agency)),
    })
}

fn this_month() -> Period {
    let today = motcua_domain::facts::local_day(Utc::now());
    Period::Month {
        year: today.year(),
        month: today.month(),
    }
}

/// The figures' HTML for the officer now.
async fn figures(state: &App, c: &Chrome, user: &User) -> Result<String, Response> {
    let fail = |c: &Chrome| {
        error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            c,
            "bad-request-title",
            c.tr.t("not-found-lead"),
        )
    };
    let now = Utc::now();
    let pressure = motcua_app::work::pressure(state, user, now)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "monitoring: work lists");
            fail(c)
        })?;
    let mut metrics = Vec::new();
    let period = this_month();
    if let Some((scope, code)) = scope_of(state, user) {
        let q = IndexQuery {
            period,
            scope,
            code,
            formula: None,
        };
        let report = monitoring::index(state, &q).await.map_err(|e| {
            tracing::error!(error = ?e.code, "monitoring: index");
            fail(c)
        })?;
        let count = |n: Option<u64>| n.map_or_else(|| "—".to_string(), |n| c.tr.count(n as i64));
        for (g, gr) in report.set.groups.iter().zip(&report.result.groups) {
            for (m, mr) in g.metrics.iter().zip(&gr.metrics) {
                let counted = DOSSIER_MEASURES.contains(&m.numerator)
                    && DOSSIER_MEASURES.contains(&m.denominator);
                let link = |side: &str| {
                    let (year, month) = match period {
                        Period::Month { year, month } => (year, month),
                        _ => unreachable!("the page shows a month"),
                    };
                    format!(
                        "/staff/monitoring/dossiers?metric={}&side={side}&year={year}&month={month}",
                        m.code
                    )
                };
                metrics.push(MetricLine {
                    code: m.code,
                    name: match c.lang {
                        motcua_domain::Lang::Vi => m.name_vi,
                        motcua_domain::Lang::En => m.name_en,
                    },
                    numerator: count(mr.numerator),
                    denominator: count(mr.denominator),
                    links: counted.then(|| (link("numerator"), link("denominator"))),
                });
            }
        }
    }
    let page = Figures {
        c,
        pressure: pressure
            .rows
            .into_iter()
            .map(|(agency, step, overdue, due_soon)| PressureRow {
                agency: state.catalog.agency_name(agency),
                step,
                overdue,
                due_soon,
            })
            .collect(),
        summary: c.tr.t2(
            "monitoring-pressure-summary",
            ("overdue", pressure.overdue),
            ("soon", pressure.due_soon),
        ),
        truncated: pressure.truncated,
        metrics,
        period_label: format!("{:02}/{}", period.bounds().0.month(), period.year()),
        updated: local(now),
    };
    page.render().map_err(|e| {
        tracing::error!(error = %e, "template failure");
        fail(c)
    })
}

/// What the figures show, without the moment they were drawn: a change in it is a change.
fn substance(html: &str) -> &str {
    html.split("<!-- updated -->").next().unwrap_or(html)
}

pub(crate) async fn page(State(state): State<App>, c: Chrome, officer: Officer) -> Response {
    let c = c.with_nav("monitoring");
    let user = match officer.user("/staff/monitoring") {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let figures = match figures(&state, &c, user).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let month = this_month().bounds().0;
    let page = MonitoringPage {
        c: &c,
        scope_name: user
            .agency
            .map(|a| state.catalog.agency_name(a))
            .unwrap_or_default(),
        figures,
        from: format!("{}-01", month.year()),
        to: month.format("%Y-%m").to_string(),
        agency: scope_of(&state, user)
            .and_then(|(_, code)| code)
            .map(|a| a.to_string())
            .unwrap_or_default(),
    };
    // The page runs its one script and opens its event stream on this server.
    crate::html::floor::kiosk::live_page(render(StatusCode::OK, &c, &page))
}

/// The figures again as `event: figures` (their HTML), looked at every
/// `App::monitoring_refresh` and sent only when they changed.
pub(crate) async fn live(State(state): State<App>, c: Chrome, officer: Officer) -> Response {
    let Some(user) = officer.signed_in().cloned() else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let first = figures(&state, &c, &user).await.ok();
    let every = state.monitoring_refresh;
    let last = first.map(|f| substance(&f).to_string());
    let stream = futures_util::stream::unfold(
        (state, c, user, last),
        move |(state, c, user, mut last)| async move {
            loop {
                tokio::time::sleep(every).await;
                let Ok(now) = figures(&state, &c, &user).await else {
                    continue;
                };
                if last.as_deref() != Some(substance(&now)) {
                    last = Some(substance(&now).to_string());
                    let event = Event::default().event("figures").data(now);
                    return Some((Ok::<_, Infallible>(event), (state, c, user, last)));
                }
            }
        },
    );
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

#[derive(Template)]
#[template(path = "staff_monitoring_list.html")]
struct ListPage<'a> {
    c: &'a Chrome,
    heading: String,
    total: u64,
    rows: Vec<(String, String, String, String, String)>,
    next: Option<String>,
}

/// The dossiers behind one of a metric's numbers, for the officer's scope.
pub(crate) async fn list(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("monitoring");
    let here = format!(
        "/staff/monitoring/dossiers?{}",
        serde_urlencoded::to_string(&q).unwrap_or_default()
    );
    let user = match officer.user(&here) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let bad = |c: &Chrome| {
        error_page(
            StatusCode::BAD_REQUEST,
            c,
            "bad-request-title",
            c.tr.t("not-found-lead"),
        )
    };
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    let (Ok(year), Ok(month)) = (get("year").parse(), get("month").parse()) else {
        return bad(&c);
    };
    let Ok(period) = Period::parse("month", year, None, Some(month)) else {
        return bad(&c);
    };
    let side = if get("side") == "numerator" {
        Side::Numerator
    } else {
        Side::Denominator
    };
    let Some((scope, code)) = scope_of(&state, user) else {
        return error_page(
            StatusCode::FORBIDDEN,
            &c,
            "bad-request-title",
            c.tr.t("not-found-lead"),
        );
    };
    let after = DossierCode::parse(get("after")).ok();
    let query = IndexQuery {
        period,
        scope,
        code,
        formula: None,
    };
    let principal = Principal::Staff(user.clone());
    let page = match monitoring::dossiers(
        &state,
        &principal,
        &query,
        get("metric"),
        side,
        after,
        50,
    )
    .await
    {
        Ok(p) => p,
        Err(e) => {
            let status = crate::error::status(e.kind);
            return error_page(
                status,
                &c,
                "bad-request-title",
                c.tr.message(&e.details.message),
            );
        }
    };
    let index = state.catalog.index();
    let metric = page
        .report
        .set
        .groups
        .iter()
        .flat_map(|g| &g.metrics)
        .find(|m| m.code == get("metric"));
    let heading = format!(
        "{} — {} ({:02}/{})",
        metric.map_or("", |m| match c.lang {
            motcua_domain::Lang::Vi => m.name_vi,
            motcua_domain::Lang::En => m.name_en,
        }),
        c.tr.t(match side {
            Side::Numerator => "index-numerator",
            Side::Denominator => "index-denominator",
        }),
        month,
        year
    );
    let next = page.next.map(|n| {
        let mut q = q.clone();
        q.insert("after".into(), n.to_string());
        format!(
            "/staff/monitoring/dossiers?{}",
            serde_urlencoded::to_string(&q).unwrap_or_default()
        )
    });
    let list = ListPage {
        c: &c,
        heading,
        total: page.total,
        rows: page
            .dossiers
            .iter()
            .map(|d| {
                (
                    d.code.to_string(),
                    index
                        .get(&d.procedure)
                        .map_or_else(|| d.procedure.to_string(), |p| p.name.clone()),
                    state.catalog.agency_name(d.competent_agency),
                    d.due_at.map(local).unwrap_or_default(),
                    c.tr.t(&format!("monitoring-outcome-{}", d.cohort.outcome.as_str())),
                )
            })
            .collect(),
        next,
    };
    render(StatusCode::OK, &c, &list)
}

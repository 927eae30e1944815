//! Satisfaction in the browser: the tablet at each counter, where the applicant just served
//! rates the officer, and the live summary page, which follows every rating as it is given.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::ids::TicketId;
use motcua_domain::lifecycle::{RatingCriterion, Satisfaction};
use motcua_store::Branch;

use crate::html::floor::kiosk::{at_counter, counter_form, live_page};
use crate::html::forms::{Fields, get, see_other};
use crate::html::{Chrome, render};
use motcua_app::App;
use motcua_app::ratings::{
    By, Labels, SatisfactionRow, parse_rating, ratable, rate_ticket, summarise,
};

#[derive(Template)]
#[template(path = "tablet.html")]
struct TabletPage<'a> {
    c: &'a Chrome,
    csrf: String,
    code: String,
    branch: Branch,
    /// The officer shown: the one who served the ticket, else the one signed in.
    officer: String,
    /// The ticket to rate: its id and number.
    ticket: Option<(TicketId, String)>,
    notice: Option<String>,
    levels: Vec<(&'static str, &'static str)>,
    criteria: Vec<(&'static str, String)>,
}

/// The rating tablet of a counter, signed in as a reception officer of the branch: it shows
/// the officer serving and, once a ticket is called, the three levels and the criteria. A
/// call at this counter reloads it (its script follows the branch's board stream).
pub(crate) async fn tablet(
    State(state): State<App>,
    c: Chrome,
    officer: crate::html::staff::office::Officer,
    Path(code): Path<String>,
    axum::extract::Query(q): axum::extract::Query<std::collections::BTreeMap<String, String>>,
) -> Response {
    let notice = match q.get("done").map(String::as_str) {
        Some("thanks") => Some(c.tr.t("tablet-thanks")),
        Some("already") => Some(c.tr.t("tablet-already")),
        _ => None,
    };
    tablet_page(&state, &c, &officer, &code, notice).await
}

async fn tablet_page(
    state: &App,
    c: &Chrome,
    officer: &crate::html::staff::office::Officer,
    code: &str,
    notice: Option<String>,
) -> Response {
    let here = format!("/staff/counters/{code}/tablet");
    let (branch, number) = match at_counter(state, c, officer, &here, code).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let signed_in = officer
        .user(&here)
        .map(|u| u.full_name.clone())
        .unwrap_or_default();
    let last = state
        .store
        .last_at_counter(&branch.code, number)
        .await
        .ok()
        .flatten();
    let ticket = last
        .as_ref()
        .filter(|(t, rated)| !rated && ratable(t))
        .map(|(t, _)| (t.id, t.number.clone()));
    let served_by = match last.as_ref().and_then(|(t, _)| t.officer.clone()) {
        Some(u) if ticket.is_some() => state
            .store
            .user(&u)
            .await
            .ok()
            .flatten()
            .map(|u| u.full_name),
        _ => None,
    };
    let page = TabletPage {
        c,
        csrf: officer.csrf(),
        code: code.to_string(),
        branch,
        officer: served_by.unwrap_or(signed_in),
        ticket,
        notice,
        levels: Satisfaction::ALL
            .into_iter()
            .map(|s| (s.as_str(), s.label(c.lang)))
            .collect(),
        criteria: RatingCriterion::ALL
            .into_iter()
            .map(|x| {
                (
                    x.as_str(),
                    c.tr.t(&format!("rating-criterion-{}", x.as_str())),
                )
            })
            .collect(),
    };
    live_page(render(StatusCode::OK, c, &page))
}

/// A rating given on the tablet: the level pressed and the criteria marked, for the ticket
/// shown (once).
pub(crate) async fn tablet_rate(
    State(state): State<App>,
    c: Chrome,
    officer: crate::html::staff::office::Officer,
    Path(code): Path<String>,
    axum::Form(f): Fields,
) -> Response {
    let here = format!("/staff/counters/{code}/tablet");
    let (me, branch, number) = match counter_form(&state, &c, &officer, &here, &code, &f).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let criteria = RatingCriterion::ALL
        .into_iter()
        .filter_map(|x| {
            Some((
                x.as_str().to_string(),
                get(&f, x.as_str()).parse::<u8>().ok()?,
            ))
        })
        .collect();
    let Ok((level, scores)) = parse_rating(get(&f, "level"), &criteria) else {
        return tablet_page(&state, &c, &officer, &code, Some(c.tr.t("rating-choose"))).await;
    };
    let ticket_id = get(&f, "ticket").parse().unwrap_or(TicketId::new(0));
    let ticket = match state.store.ticket(ticket_id).await {
        Ok(Some(t)) if t.branch == branch.code && t.counter == Some(number) && ratable(&t) => t,
        Ok(_) => return see_other(&here),
        Err(e) => return crate::html::public::catalog::store_failure(&c, e),
    };
    match rate_ticket(&state, &branch, &ticket, level, &scores, None, &me.username).await {
        Ok(_) => see_other(&format!("{here}?done=thanks")),
        Err(e) if e.code == "already_rated" => see_other(&format!("{here}?done=already")),
        Err(e) => crate::html::public::catalog::store_failure(&c, e),
    }
}

#[derive(Template)]
#[template(path = "satisfaction.html")]
struct SummaryPage<'a> {
    c: &'a Chrome,
    day: String,
    /// Heading key and rows, per grouping.
    tables: Vec<(&'static str, String, Vec<SatisfactionRow>)>,
}

impl SummaryPage<'_> {
    /// A percentage with the page language's decimal mark ("90,9 %" in Vietnamese).
    fn percent(&self, p: &f64) -> String {
        let text = format!("{p:.1}");
        match self.c.lang {
            motcua_domain::Lang::Vi => format!("{} %", text.replace('.', ",")),
            motcua_domain::Lang::En => format!("{text} %"),
        }
    }
}

/// Today's satisfaction per agency, branch, counter and officer, updated live as ratings are
/// given (public, as results are published).
pub(crate) async fn summary(State(state): State<App>, c: Chrome) -> Response {
    let c = c.with_nav("satisfaction");
    let ratings = state.live.ratings_now(&*state.store).await;
    let labels = Labels::load(&state).await;
    let words = c.tr.row_words();
    let tables = [By::Agency, By::Branch, By::Counter, By::Officer]
        .into_iter()
        .map(|by| {
            (
                by.as_str(),
                c.tr.t(&format!("satisfaction-by-{}", by.as_str())),
                summarise(&ratings.rows, by, &labels, &words),
            )
        })
        .collect();
    let day = ratings
        .day
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default();
    let page = SummaryPage { c: &c, day, tables };
    live_page(render(StatusCode::OK, &c, &page))
}

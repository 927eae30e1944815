//! The public tracking page: dossier code plus the last four digits of the applicant's phone
//! (or citizen ID). The QR code on every slip opens it with the code filled in.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::account::local;
use super::{Chrome, render};
use crate::api::track::{Tracking, lookup};
use motcua_app::App;

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage<'a> {
    c: &'a Chrome,
    code: String,
    errors: Vec<(String, String)>,
    found: Option<Tracking>,
    timeline: Vec<(String, String)>,
    due: Option<String>,
}

pub(crate) async fn page(
    State(state): State<App>,
    c: Chrome,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("track");
    let code = q.get("code").cloned().unwrap_or_default();
    let verify = q.get("verify").cloned().unwrap_or_default();
    let mut page = TrackPage {
        c: &c,
        code: code.clone(),
        errors: Vec::new(),
        found: None,
        timeline: Vec::new(),
        due: None,
    };
    if !code.is_empty() && q.contains_key("verify") {
        match lookup(&state, &code, &verify, c.lang).await {
            Ok(t) => {
                page.timeline = t
                    .timeline
                    .iter()
                    .map(|e| (local(e.at), e.label.clone()))
                    .collect();
                page.due = t.due_at.map(local);
                page.found = Some(t);
            }
            Err(_) => page
                .errors
                .push(("f-code".into(), c.tr.t("track-not-found"))),
        }
    }
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    render(status, &c, &page)
}

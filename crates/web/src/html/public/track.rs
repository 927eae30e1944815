//! The public tracking page: dossier code plus the last four digits of the applicant's phone
//! (or citizen ID). The QR code on every slip opens it with the code filled in.

use crate::request::Client;
use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::html::local;
use crate::html::{Chrome, render};
use motcua_app::App;
use motcua_app::track;

/// What the page shows of a dossier found.
struct Found {
    code: String,
    procedure_name: String,
    status: &'static str,
    status_label: &'static str,
}

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage<'a> {
    c: &'a Chrome,
    code: String,
    errors: Vec<(String, String)>,
    found: Option<Found>,
    timeline: Vec<(String, String)>,
    /// The appointment (label, when): set at receipt, or expected until then.
    due: Option<(String, String)>,
    /// The agency handling the dossier now, by name.
    holder: Option<String>,
}

pub(crate) async fn page(
    State(state): State<App>,
    c: Chrome,
    Client(client): Client,
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
        holder: None,
    };
    if !code.is_empty() && q.contains_key("verify") {
        match track::lookup(&state, &code, &verify, &client).await {
            Ok(t) => {
                page.timeline = t
                    .timeline
                    .iter()
                    .map(|e| (local(e.at), e.kind.public_label(c.lang)))
                    .collect();
                // The appointment once received, else the one a receipt now would set.
                let now = chrono::Utc::now();
                let d = &t.dossier;
                page.due = match d.due_at {
                    Some(due) => Some((c.tr.t("dossier-due"), local(due))),
                    None if !d.status.is_final() => Some((
                        c.tr.t("dossier-due-expected"),
                        local(d.expected_due(&state.calendar(), now)),
                    )),
                    None => None,
                };
                page.holder = Some(state.catalog.agency_name(t.dossier.current_agency));
                page.found = Some(Found {
                    code: t.code.to_string(),
                    procedure_name: t.procedure_name,
                    status: t.dossier.status.as_str(),
                    status_label: t.dossier.status.label(c.lang),
                });
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

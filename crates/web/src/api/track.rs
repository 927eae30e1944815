//! Public tracking by dossier code plus the last four digits of the applicant's phone (or of
//! their citizen ID when they gave no phone). A
//! wrong or missing second factor answers exactly like an unknown code; repeated failures on
//! one code block it for an hour.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use motcua_app::track::{self, Tracked};
use motcua_domain::Lang;
use serde::{Deserialize, Serialize};

use crate::error::{ApiQuery, ReqLang, WebError};
use crate::request::Client;
use motcua_app::App;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct TrackParams {
    /// Last four digits of the applicant's phone number.
    verify: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TimelineEntry {
    pub(crate) at: DateTime<Utc>,
    /// Machine name of the event.
    pub(crate) event: &'static str,
    /// What happened, in plain words.
    pub(crate) label: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Tracking {
    pub(crate) code: String,
    pub(crate) procedure_code: String,
    pub(crate) procedure_name: String,
    pub(crate) status: &'static str,
    pub(crate) status_label: &'static str,
    pub(crate) submitted_at: DateTime<Utc>,
    pub(crate) received_at: Option<DateTime<Utc>>,
    pub(crate) due_at: Option<DateTime<Utc>>,
    pub(crate) overdue: bool,
    pub(crate) timeline: Vec<TimelineEntry>,
}

/// A dossier's public status and timeline, without personal data.
#[utoipa::path(
    get, path = "/api/v1/track/{code}", tag = "tracking", params(("code" = String, Path, description = "Dossier code"), TrackParams),
    responses(
        (status = 200, body = Tracking),
        (status = 404, body = crate::error::ErrorBody, description = "unknown code or wrong second factor"),
        (status = 429, body = crate::error::ErrorBody, description = "too many wrong guesses from this client; see Retry-After")
    )
)]
pub(crate) async fn track(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Client(client): Client,
    Path(code): Path<String>,
    ApiQuery(p): ApiQuery<TrackParams>,
) -> Result<Json<Tracking>, WebError> {
    let verify = p.verify.as_deref().unwrap_or("");
    let found = track::lookup(&state, &code, verify, &client).await?;
    Ok(Json(tracking(&found, lang)))
}

/// The wire form of a tracked dossier, in `lang`.
pub(crate) fn tracking(t: &Tracked, lang: Lang) -> Tracking {
    let d = &t.dossier;
    Tracking {
        code: t.code.to_string(),
        procedure_code: d.intake.procedure.code.to_string(),
        procedure_name: t.procedure_name.clone(),
        status: d.status.as_str(),
        status_label: d.status.label(lang),
        submitted_at: d.submitted_at,
        received_at: d.received_at,
        due_at: d.due_at,
        overdue: d.is_overdue(Utc::now()),
        timeline: t
            .timeline
            .iter()
            .map(|e| TimelineEntry {
                at: e.at,
                event: e.kind.name(),
                label: e.kind.public_label(lang),
            })
            .collect(),
    }
}

//! Public tracking by dossier code plus the last four digits of the applicant's phone (or of
//! their citizen ID when they gave no phone). A
//! wrong or missing second factor answers exactly like an unknown code; repeated failures on
//! one code block it for an hour.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use motcua_domain::ids::DossierCode;
use serde::{Deserialize, Serialize};

use crate::error::{ApiQuery, ReqLang, WebError};
use motcua_app::App;
use motcua_app::secrets::same_secret;

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
    responses((status = 200, body = Tracking), (status = 404, body = crate::error::ErrorBody, description = "unknown code or wrong second factor"))
)]
pub(crate) async fn track(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Path(code): Path<String>,
    ApiQuery(p): ApiQuery<TrackParams>,
) -> Result<Json<Tracking>, WebError> {
    Ok(Json(
        lookup(&state, &code, p.verify.as_deref().unwrap_or(""), lang).await?,
    ))
}

/// The public view of a dossier, when the second factor matches.
pub(crate) async fn lookup(
    state: &App,
    code: &str,
    verify: &str,
    lang: motcua_domain::Lang,
) -> Result<Tracking, WebError> {
    let not_found = || WebError::not_found();
    let Ok(code) = DossierCode::parse(code.trim()) else {
        return Err(not_found());
    };
    let key = code.to_string();
    if state.limits.track.check(&key).is_err() {
        return Err(not_found());
    }
    let verify = verify.trim();
    // One indexed read: the dossier with its timeline; the procedure's name is in memory.
    let found = state.store.dossier_timeline(&code).await?;
    // The second factor: the last four digits of the applicant's phone, or of their citizen
    // ID when they gave no phone.
    let matches = found.as_ref().is_some_and(|(d, _)| {
        let a = &d.intake.applicant;
        let last4 = a
            .phone
            .as_ref()
            .map(|p| p.last4().to_string())
            .or_else(|| a.cccd.as_ref().map(|c| c.last4()));
        verify.len() == 4 && last4.is_some_and(|l| same_secret(&l, verify))
    });
    let Some((d, events)) = found.filter(|_| matches) else {
        state.limits.track.fail(&key);
        return Err(not_found());
    };
    let name = state
        .catalog
        .index()
        .get(&d.intake.procedure.code)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    Ok(Tracking {
        code: code.to_string(),
        procedure_code: d.intake.procedure.code.to_string(),
        procedure_name: name,
        status: d.status.as_str(),
        status_label: d.status.label(lang),
        submitted_at: d.submitted_at,
        received_at: d.received_at,
        due_at: d.due_at,
        overdue: d.is_overdue(Utc::now()),
        timeline: events
            .iter()
            .filter(|e| e.kind.is_public())
            .map(|e| TimelineEntry {
                at: e.at,
                event: e.kind.name(),
                label: e.kind.public_label(lang),
            })
            .collect(),
    })
}

//! The caller's work: `GET /api/v1/inbox` and the deadline alerts addressed to the caller.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use motcua_app::error::Kind;
use serde::{Deserialize, Serialize};

use crate::api::dossiers::{DossierView, view};
use crate::auth::Caller;
use crate::error::{ReqLang, WebError};
use motcua_app::App;
use motcua_app::principal::Principal;
use motcua_app::work::{self, View};

#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct InboxQuery {
    /// `mine`, `unit`, `due_soon`, `overdue`, `reception` or `return`; by default the role's
    /// usual list (reception: `reception`, leaders and supervisors: `overdue`, others: `mine`).
    view: Option<String>,
    /// At most this many (1–500, default 100).
    limit: Option<u32>,
    /// Which page of `limit` dossiers, from 1.
    page: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct InboxItem {
    #[serde(flatten)]
    dossier: DossierView,
    /// `due_soon`, `overdue`, `step_due_soon`, `step_overdue`.
    alerts: Vec<&'static str>,
    /// When the current step's time budget runs out.
    step_due_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Inbox {
    view: &'static str,
    items: Vec<InboxItem>,
    /// How many dossiers the list holds in all (every page).
    total: u64,
    page: u32,
}

/// The officer behind a staff token, or the reason there is none.
pub(crate) fn staff(principal: &Principal) -> Result<&motcua_store::User, WebError> {
    match principal {
        Principal::Staff(u) if u.role.is_staff() => Ok(u),
        Principal::Anonymous => Err(WebError::unauthenticated()),
        _ => Err(WebError::forbidden()),
    }
}

/// The caller's work list, most urgent first (appointment or step due soonest).
#[utoipa::path(
    get, path = "/api/v1/inbox", tag = "dossiers", params(InboxQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Inbox),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody, description = "not an officer"),
        (status = 422, body = crate::error::ErrorBody, description = "unknown view")
    )
)]
pub(crate) async fn inbox(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Caller(principal): Caller,
    crate::error::ApiQuery(q): crate::error::ApiQuery<InboxQuery>,
) -> Result<Json<Inbox>, WebError> {
    let user = staff(&principal)?;
    let view_name = match q.view.as_deref() {
        None => View::home(user.role),
        Some(v) => View::parse(v)
            .ok_or_else(|| WebError::new(Kind::Invalid, "invalid_view", "error-invalid-view"))?,
    };
    let now = Utc::now();
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let offset = (page - 1).saturating_mul(limit);
    let (items, total) = work::list(&state, user, view_name, now, limit, offset).await?;
    Ok(Json(Inbox {
        view: view_name.as_str(),
        total,
        page,
        items: items
            .into_iter()
            .map(|i| InboxItem {
                step_due_at: i.record.state.step_due_at,
                dossier: view(&i.record, lang, now),
                alerts: i.alerts.iter().map(|a| a.as_str()).collect(),
            })
            .collect(),
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AlertView {
    id: i64,
    dossier_code: String,
    /// `due_soon`, `overdue`, `step_due_soon`, `step_overdue`.
    kind: String,
    label: String,
    due_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    read_at: Option<DateTime<Utc>>,
}

/// Deadline alerts addressed to the caller, unread first.
#[utoipa::path(
    get, path = "/api/v1/alerts", tag = "dossiers", security(("bearer" = [])),
    responses((status = 200, body = Vec<AlertView>), (status = 401, body = crate::error::ErrorBody))
)]
pub(crate) async fn alerts(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Caller(principal): Caller,
) -> Result<Json<Vec<AlertView>>, WebError> {
    let user = staff(&principal)?;
    let alerts = state.store.alerts(&user.username, 200).await?;
    Ok(Json(
        alerts
            .into_iter()
            .map(|a| AlertView {
                label: motcua_domain::lifecycle::Alert::parse(&a.kind)
                    .map_or_else(|| a.kind.clone(), |k| k.label(lang)),
                id: a.id,
                dossier_code: a.dossier_code,
                kind: a.kind,
                due_at: a.due_at,
                created_at: a.created_at,
                read_at: a.read_at,
            })
            .collect(),
    ))
}

/// Marks one of the caller's alerts as read.
#[utoipa::path(
    post, path = "/api/v1/alerts/{id}/read", tag = "dossiers", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody))
)]
pub(crate) async fn read_alert(
    State(state): State<App>,
    Caller(principal): Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    let user = staff(&principal)?;
    if state
        .store
        .mark_alert_read(id, &user.username, Utc::now())
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(WebError::not_found())
    }
}

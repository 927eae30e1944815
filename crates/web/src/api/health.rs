//! Liveness and readiness.

use axum::Json;
use axum::extract::State;
use motcua_store::Backend;
use serde::Serialize;

use crate::error::WebError;
use motcua_app::App;

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Health {
    /// `ok` when the database answers.
    status: &'static str,
    /// `sqlite` or `postgres`.
    database: &'static str,
}

/// Health check: answers when the server and its database work.
#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, body = Health)))]
pub(crate) async fn healthz(State(state): State<App>) -> Result<Json<Health>, WebError> {
    state.store.setting("schema").await?;
    let database = match state.store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    Ok(Json(Health {
        status: "ok",
        database,
    }))
}

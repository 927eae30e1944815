//! Staff log-in for API use: a bearer token for a working day.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{ApiJson, WebError};
use crate::request::Client;
use motcua_app::App;
use motcua_app::staff;

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct TokenRequest {
    username: String,
    password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TokenResponse {
    token: String,
    token_type: &'static str,
    expires_at: DateTime<Utc>,
    username: String,
    role: String,
    agency_code: Option<String>,
}

/// Exchanges a staff username and password for a bearer token. Five wrong passwords lock the
/// account for 15 minutes.
#[utoipa::path(
    post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, body = crate::error::ErrorBody, description = "wrong username or password"),
        (status = 429, body = crate::error::ErrorBody, description = "too many failed attempts")
    )
)]
pub(crate) async fn token(
    State(state): State<App>,
    Client(client): Client,
    ApiJson(req): ApiJson<TokenRequest>,
) -> Result<Json<TokenResponse>, WebError> {
    let (token, user, expires_at) =
        staff::log_in(&state, &req.username, req.password, &client).await?;
    Ok(Json(TokenResponse {
        token,
        token_type: "Bearer",
        expires_at,
        username: user.username,
        role: user.role.to_string(),
        agency_code: user.agency.map(|a| a.to_string()),
    }))
}

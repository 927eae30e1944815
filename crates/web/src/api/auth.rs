//! Staff log-in for API use: a bearer token for a working day.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
use motcua_app::error::Kind;
use serde::{Deserialize, Serialize};

use motcua_store::User;

use crate::error::{ApiJson, WebError};
use motcua_app::App;
use motcua_app::secrets::{check_password, new_secret, sha256_hex};

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

const TOKEN_LIFETIME_HOURS: i64 = 10;

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
    ApiJson(req): ApiJson<TokenRequest>,
) -> Result<Json<TokenResponse>, WebError> {
    let (token, user, expires_at) = staff_log_in(&state, &req.username, req.password).await?;
    Ok(Json(TokenResponse {
        token,
        token_type: "Bearer",
        expires_at,
        username: user.username,
        role: user.role.to_string(),
        agency_code: user.agency.map(|a| a.to_string()),
    }))
}

/// Checks an officer's username and password (five failures lock the name for a while) and
/// issues a token for a working day: the API's bearer token and the back office's cookie.
pub(crate) async fn staff_log_in(
    state: &App,
    username: &str,
    password: String,
) -> Result<(String, User, DateTime<Utc>), WebError> {
    let username = username.trim().to_lowercase();
    if username.is_empty() || username.len() > 100 || password.len() > 1000 {
        return Err(invalid());
    }
    if let Err(wait) = state.limits.login.check(&username) {
        return Err(
            WebError::new(Kind::TooMany, "too_many_attempts", "error-too-many-logins")
                .arg("minutes", wait.as_secs() / 60 + 1),
        );
    }
    let user = state.store.user(&username).await?;
    // Verified even for unknown users so timing does not tell which usernames exist.
    let phc = user
        .as_ref()
        .filter(|u| u.active)
        .map(|u| u.password_hash.clone());
    let ok = check_password(password, phc).await;
    let Some(user) = user.filter(|u| ok && u.active) else {
        state.limits.login.fail(&username);
        return Err(invalid());
    };
    state.limits.login.reset(&username);
    let token = new_secret("mct_");
    let now = Utc::now();
    let expires_at = now + Duration::hours(TOKEN_LIFETIME_HOURS);
    state
        .store
        .put_token(&sha256_hex(&token), &user.username, now, expires_at)
        .await?;
    tracing::info!(username = %user.username, "staff token issued");
    Ok((token, user, expires_at))
}

fn invalid() -> WebError {
    WebError::new(
        Kind::Unauthenticated,
        "invalid_credentials",
        "error-invalid-credentials-2",
    )
}

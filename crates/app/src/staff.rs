//! Officers' log-in: a username and password (wrong ones slow the client down, see
//! [`crate::ratelimit::Guard`]) for a token valid a working day, used as the API's bearer token and the back office's cookie.

use chrono::{DateTime, Duration, Utc};
use motcua_store::User;

use crate::App;
use crate::error::{AppError, Kind};
use crate::secrets::{check_password, new_secret, sha256_hex};

/// How long an officer's token lasts: a working day.
const TOKEN_LIFETIME_HOURS: i64 = 10;

/// Checks an officer's username and password from `client` (wrong ones slow that client
/// down, see [`crate::ratelimit::Guard`]) and issues a token for a working day: the API's
/// bearer token and the back office's cookie.
pub async fn log_in(
    state: &App,
    username: &str,
    password: String,
    client: &str,
) -> Result<(String, User, DateTime<Utc>), AppError> {
    let username = username.trim().to_lowercase();
    if username.is_empty() || username.len() > 100 || password.len() > 1000 {
        return Err(invalid());
    }
    let target = format!("staff:{username}");
    state
        .limits
        .login
        .attempt(&target, client)
        .map_err(AppError::too_many_attempts)?;
    let user = state.store.user(&username).await?;
    // Verified even for unknown users so timing does not tell which usernames exist.
    let phc = user
        .as_ref()
        .filter(|u| u.active)
        .map(|u| u.password_hash.clone());
    let ok = check_password(password, phc).await?;
    let Some(user) = user.filter(|u| ok && u.active) else {
        return Err(invalid());
    };
    state.limits.login.succeed(&target, client);
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

fn invalid() -> AppError {
    AppError::new(
        Kind::Unauthenticated,
        "invalid_credentials",
        "error-staff-credentials",
    )
}

//! Who is calling, as HTTP tells it: staff with a bearer token from `POST /api/v1/auth/token`
//! or the back office's cookie, an agency system with an API key (both bearers sent as
//! `Authorization: Bearer …`), a citizen with the portal's session cookie or an app's bearer
//! session, or nobody. What each may do is the application's
//! ([`motcua_app::principal::Principal`]).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use motcua_app::App;
use motcua_app::principal::Principal;
use motcua_app::secrets::{same_secret, sha256_hex};

use crate::error::WebError;

/// The caller of a request, as an extractor.
pub(crate) struct Caller(pub(crate) Principal);

/// Name of the portal's session cookie.
pub(crate) const SESSION_COOKIE: &str = "motcua_sid";
/// Header carrying the CSRF token on cookie-authenticated API writes.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";

/// The credentials a request carries, if any: its `Authorization` header, else a citizen's or
/// an officer's session cookie.
pub(crate) fn credentials(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| session_cookie(headers))
        .or_else(|| staff_cookie(headers))
}

/// The value of cookie `name` (at most 128 characters), if the request carries it.
pub(crate) fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name && !v.is_empty() && v.len() <= 128).then(|| v.to_string())
        })
}

/// Name of the back office's cookie (the officer's `mct_` token).
pub(crate) const STAFF_COOKIE: &str = "motcua_staff";

/// The officer's token in the request's cookies, if any.
pub(crate) fn staff_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    cookie(headers, STAFF_COOKIE).filter(|v| v.starts_with("mct_"))
}

/// The anti-forgery token of an officer's cookie session: derived from the secret token, so
/// another site, which cannot read the cookie, cannot make it.
pub(crate) fn staff_csrf(token: &str) -> String {
    sha256_hex(&format!("csrf:{token}"))
}

/// The session token in the request's cookies, if any.
pub(crate) fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE).filter(|v| v.starts_with("mcs_"))
}

/// The client's `User-Agent`, for the list of signed-in devices.
pub(crate) fn user_agent(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// A cookie comes with every request the browser makes, so a write authenticated by one must
/// also show the session's anti-forgery token in a header, which another site cannot read.
fn cookie_write_allowed(parts: &Parts, expected: &str) -> Result<(), WebError> {
    if parts.method.is_safe() {
        return Ok(());
    }
    let shown = parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if same_secret(shown, expected) {
        Ok(())
    } else {
        Err(WebError::csrf())
    }
}

impl FromRequestParts<App> for Caller {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION) else {
            // The back office's cookie: the officer's token, with its derived form token
            // required on every write.
            if let Some(token) = staff_cookie(&parts.headers)
                && let Some(user) = app.staff_by_token(&token).await?
            {
                cookie_write_allowed(parts, &staff_csrf(&token))?;
                return Ok(Caller(Principal::Staff(user)));
            }
            let Some(token) = session_cookie(&parts.headers) else {
                return Ok(Caller(Principal::Anonymous));
            };
            let Some(auth) = app.citizen_session(&token).await? else {
                return Ok(Caller(Principal::Anonymous));
            };
            cookie_write_allowed(parts, &auth.session.csrf)?;
            return Ok(Caller(Principal::Citizen(Box::new(auth))));
        };
        let secret = value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.len() <= 200)
            .ok_or_else(WebError::unauthenticated)?;
        match app.bearer(secret).await? {
            Some(p) => Ok(Caller(p)),
            None => Err(WebError::unauthenticated()),
        }
    }
}

//! Safe retries: a signed-in caller that sends a `POST` under `/api/v1/` with an
//! `Idempotency-Key` header gets, for the same key and the same request, the first success
//! again instead of a second dossier, action or payment; the same key with a different
//! request is refused (422 `idempotency_key_reused`), and while the first is still under way
//! a repeat is asked to wait (409 `idempotency_in_progress`). Keys are the caller's own (kept
//! per credential) for 24 hours. Only successes are kept: a refused or failed request
//! changed nothing, so running it again is safe and answers the same while nothing else
//! changed. File uploads (multipart bodies) are outside this scheme.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use motcua_app::App;
use motcua_app::error::{AppError, Kind};
use motcua_app::secrets::sha256_hex;
use motcua_store::IdempotencyClaim;

use crate::error::WebError;

/// The request header naming a retry-safe request.
pub(crate) const HEADER: &str = "idempotency-key";
/// How long a key and its answer are kept.
pub(crate) const KEEP_HOURS: i64 = motcua_app::watch::KEEP_IDEMPOTENCY_HOURS;
/// The largest JSON body (axum's default limit for JSON).
const BODY_LIMIT: usize = 2 * 1024 * 1024;
/// The largest answer kept.
const ANSWER_LIMIT: usize = 4 * 1024 * 1024;

/// The layer (see the module's description).
pub(crate) async fn idempotent(State(app): State<App>, req: Request, next: Next) -> Response {
    let Some(raw) = req.headers().get(HEADER) else {
        return next.run(req).await;
    };
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/"));
    let Some(scope) =
        crate::auth::credentials(req.headers()).map(|c| sha256_hex(&format!("idempotency:{c}")))
    else {
        // Anonymous requests share no owner to keep a key for.
        return next.run(req).await;
    };
    if req.method() != Method::POST || multipart {
        return next.run(req).await;
    }
    let Some(key) = raw
        .to_str()
        .ok()
        .filter(|k| valid_key(k))
        .map(str::to_string)
    else {
        return refuse(
            Kind::BadRequest,
            "invalid_idempotency_key",
            "error-idempotency-key",
        );
    };
    let (parts, body) = req.into_parts();
    let Ok(body) = to_bytes(body, BODY_LIMIT).await else {
        return refuse(Kind::TooLarge, "body_too_large", "error-body-too-large");
    };
    let request_hash = sha256_hex(&format!(
        "{} {}\n{}",
        parts.method,
        parts.uri,
        String::from_utf8_lossy(&body)
    ));
    let now = Utc::now();
    let claim = app
        .store
        .claim_idempotency_key(
            &scope,
            &key,
            &request_hash,
            now,
            now - Duration::hours(KEEP_HOURS),
        )
        .await;
    match claim {
        Err(e) => return WebError::from(e).into_response(),
        Ok(IdempotencyClaim::Seen {
            request_hash: h, ..
        }) if h != request_hash => {
            return refuse(
                Kind::Invalid,
                "idempotency_key_reused",
                "error-idempotency-key-reused",
            );
        }
        Ok(IdempotencyClaim::Seen {
            answer: Some((status, answer)),
            ..
        }) => return replay(status, answer),
        Ok(IdempotencyClaim::Seen { answer: None, .. }) => {
            let mut e = AppError::new(
                Kind::Conflict,
                "idempotency_in_progress",
                "error-idempotency-in-progress",
            );
            e.retry_after = Some(1);
            return WebError(e).into_response();
        }
        Ok(IdempotencyClaim::New) => {}
    }
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    if !response.status().is_success() {
        release(&app, &scope, &key).await;
        return response;
    }
    let (head, body) = response.into_parts();
    let Ok(body) = to_bytes(body, ANSWER_LIMIT).await else {
        release(&app, &scope, &key).await;
        return WebError(AppError::internal("an answer too large to keep")).into_response();
    };
    let text = String::from_utf8_lossy(&body);
    if let Err(e) = app
        .store
        .finish_idempotency_key(&scope, &key, head.status.as_u16(), &text)
        .await
    {
        // The request succeeded; a retry would find the key claimed and wait until it expires
        // rather than repeat the request.
        tracing::warn!(error = %e, "keeping an idempotent answer failed");
    }
    Response::from_parts(head, Body::from(body))
}

/// 1 to 255 visible ASCII characters (a UUID, typically).
fn valid_key(k: &str) -> bool {
    (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic())
}

fn refuse(kind: Kind, code: &'static str, key: &'static str) -> Response {
    WebError::new(kind, code, key).into_response()
}

fn replay(status: u16, answer: String) -> Response {
    let mut response = Response::new(Body::from(answer));
    *response.status_mut() =
        axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

async fn release(app: &App, scope: &str, key: &str) {
    if let Err(e) = app.store.release_idempotency_key(scope, key).await {
        tracing::warn!(error = %e, "releasing an idempotency key failed");
    }
}

#[cfg(test)]
mod tests {
    use super::valid_key;

    #[test]
    fn keys_are_short_visible_ascii() {
        assert!(valid_key("5f0c7a3e-0d1b-4c55-9a8e-2b7f1f0c9d11"));
        assert!(!valid_key(""));
        assert!(!valid_key("has space"));
        assert!(!valid_key("khóa"));
        assert!(!valid_key(&"a".repeat(256)));
    }
}

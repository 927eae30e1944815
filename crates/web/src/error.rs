//! Failures at the HTTP edge. Handlers and pages return [`WebError`] (an [`AppError`] of the
//! application layer) with `?`; its response carries only the status and the error itself.
//! The words come later, in exactly one place each: [`render_api_errors`] turns it into the
//! API's JSON error and `html::render_page_errors` into a page, both in the language of the
//! request. The cause chain of an internal failure goes to the log only.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use motcua_app::error::{AppError, FieldProblem, Kind, Message};
use motcua_domain::Lang;
use serde::Serialize;

use crate::i18n::Tr;

/// A use case's failure on its way out of a handler.
#[derive(Debug, Clone)]
pub struct WebError(pub AppError);

impl std::fmt::Display for WebError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::ops::Deref for WebError {
    type Target = AppError;

    fn deref(&self) -> &AppError {
        &self.0
    }
}

impl<E: Into<AppError>> From<E> for WebError {
    fn from(e: E) -> Self {
        WebError(e.into())
    }
}

impl WebError {
    /// A failure whose message is the catalog's `key`.
    pub fn new(kind: Kind, code: &'static str, key: &'static str) -> Self {
        WebError(AppError::new(kind, code, key))
    }

    pub fn not_found() -> Self {
        WebError(AppError::not_found())
    }

    pub fn forbidden() -> Self {
        WebError(AppError::forbidden())
    }

    pub fn unauthenticated() -> Self {
        WebError(AppError::unauthenticated())
    }

    /// The form does not belong to this session.
    pub fn csrf() -> Self {
        WebError(AppError::new(Kind::Forbidden, "csrf", "error-csrf"))
    }

    /// A malformed request whose message is the catalog's `key`.
    pub fn bad_request(code: &'static str, key: &'static str) -> Self {
        WebError(AppError::new(Kind::BadRequest, code, key))
    }

    /// Wrong input whose message is the catalog's `key`.
    pub fn invalid(code: &'static str, key: &'static str) -> Self {
        WebError(AppError::new(Kind::Invalid, code, key))
    }

    /// Adds an argument to the message.
    pub fn arg(self, name: &'static str, value: impl Into<motcua_app::error::Arg>) -> Self {
        WebError(self.0.arg(name, value))
    }
}

/// The HTTP status of each kind of failure.
pub(crate) fn status(kind: Kind) -> StatusCode {
    match kind {
        Kind::BadRequest => StatusCode::BAD_REQUEST,
        Kind::Unauthenticated => StatusCode::UNAUTHORIZED,
        Kind::Forbidden => StatusCode::FORBIDDEN,
        Kind::NotFound => StatusCode::NOT_FOUND,
        Kind::Conflict => StatusCode::CONFLICT,
        Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Kind::UnsupportedMedia => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        Kind::TooMany => StatusCode::TOO_MANY_REQUESTS,
        Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// A failure still to be put into words, riding on its response.
#[derive(Clone)]
pub(crate) struct Failed(pub Arc<AppError>);

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let mut response = status(self.0.kind).into_response();
        // A server that cannot answer now says when to try again.
        let retry_after = match self.0.kind {
            Kind::Unavailable => Some(5),
            _ => self.0.retry_after,
        };
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, axum::http::HeaderValue::from(secs));
        }
        response.extensions_mut().insert(Failed(Arc::new(self.0)));
        response
    }
}

/// Takes the failure a response carries, if any.
pub(crate) fn failure(response: &Response) -> Option<Arc<AppError>> {
    response.extensions().get::<Failed>().map(|f| f.0.clone())
}

/// Replaces a failed response's body, keeping its status and headers.
pub(crate) fn with_body(
    response: Response,
    content_type: &'static str,
    body: impl Into<axum::body::Body>,
) -> Response {
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static(content_type),
    );
    Response::from_parts(parts, body.into())
}

/// A problem with one field of a form, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorDetail {
    /// Stable snake_case code for programs.
    code: String,
    /// A sentence for people, in the language asked for (Vietnamese by default).
    message: String,
    /// For a form: each wrong field with its own message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<FieldError>,
}

impl Tr {
    /// An error's message in this language.
    pub(crate) fn error(&self, e: &AppError) -> String {
        match &e.details.message {
            Message::FieldSummary => {
                let summary = self
                    .field_errors(e)
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join(" ");
                format!("{} {summary}", self.t("error-invalid-fields"))
            }
            m => self.message(m),
        }
    }

    /// Each wrong field of an error, in words.
    pub(crate) fn field_errors(&self, e: &AppError) -> Vec<FieldError> {
        self.words(&e.details.fields)
    }

    /// The wrong fields of an error, or its message as if about `default_field`.
    pub(crate) fn problems(&self, e: &AppError, default_field: &str) -> Vec<FieldError> {
        self.words(&e.field_problems(default_field))
    }

    fn words(&self, problems: &[FieldProblem]) -> Vec<FieldError> {
        problems
            .iter()
            .map(|f| FieldError {
                field: f.field.clone(),
                code: f.code.to_string(),
                message: self.message(&f.message),
            })
            .collect()
    }
}

/// The API's JSON error body.
fn json_body(e: &AppError, lang: Lang) -> ErrorBody {
    let tr = Tr(lang);
    ErrorBody {
        error: ErrorDetail {
            code: e.code.to_string(),
            message: tr.error(e),
            fields: tr.field_errors(e),
        },
    }
}

/// The headers a request's language is read from (`Accept-Language`, and the cookies for
/// pages), copied cheaply (their values are reference-counted) so that a middleware can read
/// them after the handler ran.
pub(crate) fn language_headers(headers: &axum::http::HeaderMap) -> axum::http::HeaderMap {
    let mut kept = axum::http::HeaderMap::new();
    for name in [header::ACCEPT_LANGUAGE, header::COOKIE] {
        for value in headers.get_all(&name) {
            kept.append(name.clone(), value.clone());
        }
    }
    kept
}

/// Puts the API's failures into words: JSON in the language of the request, which is read
/// only when the request failed.
pub(crate) async fn render_api_errors(req: Request, next: Next) -> Response {
    let uri = req.uri().clone();
    let accept = req.headers().get(header::ACCEPT_LANGUAGE).cloned();
    let response = next.run(req).await;
    match failure(&response) {
        Some(e) => {
            let lang = request_lang(uri.query(), accept.as_ref());
            let body = serde_json::to_vec(&json_body(&e, lang)).unwrap_or_default();
            with_body(response, "application/json", body)
        }
        None => response,
    }
}

/// The last word on an API answer: a failure that did not come from a handler (a body over
/// the size limit, a path that does not parse, a method the route lacks) still answers in the
/// API's JSON error format, with a code for its status.
pub(crate) async fn plain_api_errors_as_json(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let uri = req.uri().clone();
    let accept = req.headers().get(header::ACCEPT_LANGUAGE).cloned();
    let response = next.run(req).await;
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let status = response.status();
    if !api || json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (kind, code, key) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (Kind::TooLarge, "body_too_large", "error-body-too-large"),
        StatusCode::METHOD_NOT_ALLOWED => (
            Kind::BadRequest,
            "method_not_allowed",
            "error-method-not-allowed",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            Kind::UnsupportedMedia,
            "unsupported_media_type",
            "error-unsupported-media",
        ),
        StatusCode::NOT_FOUND => (Kind::NotFound, "not_found", "error-not-found"),
        StatusCode::REQUEST_TIMEOUT => {
            (Kind::BadRequest, "request_timeout", "error-request-timeout")
        }
        s if s.is_server_error() => (Kind::Internal, "internal", "error-internal"),
        _ => (Kind::BadRequest, "bad_request", "error-bad-request"),
    };
    let lang = request_lang(uri.query(), accept.as_ref());
    let body =
        serde_json::to_vec(&json_body(&AppError::new(kind, code, key), lang)).unwrap_or_default();
    with_body(response, "application/json", body)
}

/// The API's JSON error for a request that reached no route (the fallback answers it).
pub(crate) fn json_error(e: WebError, lang: Lang) -> Response {
    (status(e.0.kind), Json(json_body(&e.0, lang))).into_response()
}

/// The caller's language: `?lang=` wins, then `Accept-Language`, then Vietnamese.
#[derive(Debug, Clone, Copy)]
pub struct ReqLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ReqLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ReqLang(request_lang(
            parts.uri.query(),
            parts.headers.get(header::ACCEPT_LANGUAGE),
        )))
    }
}

/// `?lang=` in `query`, else the `Accept-Language` header, else Vietnamese.
fn request_lang(query: Option<&str>, accept: Option<&axum::http::HeaderValue>) -> Lang {
    let from_query = query.and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("lang="))
            .and_then(|v| v.parse::<Lang>().ok())
    });
    let from_header = accept.and_then(|v| v.to_str().ok()).map(Lang::negotiate);
    from_query.or(from_header).unwrap_or_default()
}

/// JSON body whose rejection is answered in the API's error format.
pub struct ApiJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = WebError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> WebError {
    let detail = r.body_text();
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return WebError(AppError::new(
            Kind::TooLarge,
            "body_too_large",
            "error-body-too-large",
        ));
    }
    let e = match r {
        JsonRejection::MissingJsonContentType(_) => AppError::new(
            Kind::UnsupportedMedia,
            "json_content_type",
            "error-json-content-type",
        ),
        JsonRejection::JsonDataError(_) => {
            AppError::new(Kind::Invalid, "invalid_field", "error-invalid-field")
                .arg("detail", detail)
        }
        _ => AppError::new(Kind::BadRequest, "invalid_json", "error-invalid-json")
            .arg("detail", detail),
    };
    WebError(e)
}

/// Query string whose rejection is answered in the API's error format.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(r) => Err(query_rejection(r)),
        }
    }
}

fn query_rejection(r: QueryRejection) -> WebError {
    WebError::bad_request("invalid_query", "error-invalid-query").arg("detail", r.body_text())
}

//! API errors: one place maps every failure to an HTTP status, a stable snake_case code and a
//! message in the caller's language. The cause chain goes to the log only.

use axum::Json;
use axum::extract::FromRequestParts;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use motcua_domain::Lang;
use motcua_domain::lang::Localise;
use motcua_domain::lifecycle::LifecycleError;
use motcua_store::StoreError;
use motcua_store::ops::OpError;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// For a form: each wrong field.
    pub fields: Vec<FieldError>,
}

/// A problem with one field of a form.
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

impl ApiError {
    pub fn new(status: StatusCode, code: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            fields: Vec::new(),
        }
    }

    pub fn with_fields(mut self, fields: Vec<FieldError>) -> Self {
        self.fields = fields;
        self
    }

    /// A localised domain error with the given status.
    pub fn from_localised(status: StatusCode, e: &dyn Localise, lang: Lang) -> Self {
        ApiError::new(status, e.code(), e.message(lang))
    }

    pub fn not_found(lang: Lang) -> Self {
        ApiError::from_localised(StatusCode::NOT_FOUND, &StoreError::NotFound, lang)
    }

    pub fn unauthorized(lang: Lang) -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            pick(
                lang,
                "Cần đăng nhập hoặc khóa API hợp lệ.",
                "A valid login or API key is required.",
            ),
        )
    }

    pub fn csrf(lang: Lang) -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            pick(
                lang,
                "Phiên làm việc không khớp với biểu mẫu; hãy tải lại trang và thử lại.",
                "The form does not match your session; reload the page and try again.",
            ),
        )
    }

    pub fn forbidden(lang: Lang) -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            pick(
                lang,
                "Bạn không có quyền thực hiện thao tác này.",
                "You are not allowed to do this.",
            ),
        )
    }

    pub fn bad_request(code: &str, message: String) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// Maps a store failure; internal errors are logged and answered without detail.
    pub fn store(e: StoreError, lang: Lang) -> Self {
        let status = match &e {
            StoreError::NotFound => StatusCode::NOT_FOUND,
            StoreError::Conflict { .. } | StoreError::Duplicate(_) => StatusCode::CONFLICT,
            StoreError::MissingReference(_) => StatusCode::UNPROCESSABLE_ENTITY,
            StoreError::Corrupt(_)
            | StoreError::Url(_)
            | StoreError::Database(_)
            | StoreError::Migrate(_) => {
                tracing::error!(error = ?e, "storage failure");
                StatusCode::INTERNAL_SERVER_ERROR
            }
            StoreError::Unavailable(_) => {
                tracing::error!(error = ?e, "storage failure");
                StatusCode::SERVICE_UNAVAILABLE
            }
        };
        ApiError::from_localised(status, &e, lang)
    }

    pub fn lifecycle(e: LifecycleError, lang: Lang) -> Self {
        let status = match &e {
            LifecycleError::RoleNotAllowed { .. } | LifecycleError::OutOfScope => {
                StatusCode::FORBIDDEN
            }
            LifecycleError::Text { .. } | LifecycleError::BadAmount | LifecycleError::BadScore => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            LifecycleError::NotOpened => StatusCode::NOT_FOUND,
            LifecycleError::AlreadyOpened
            | LifecycleError::InvalidTransition { .. }
            | LifecycleError::NoNextStep
            | LifecycleError::NoPreviousStep
            | LifecycleError::NotApproved
            | LifecycleError::AlreadyReappointed
            | LifecycleError::DueNotLater
            | LifecycleError::SameAgency
            | LifecycleError::RefusalNotProposed
            | LifecycleError::FeeUnpaid { .. }
            | LifecycleError::AlreadyPaid
            | LifecycleError::AlreadyRated => StatusCode::CONFLICT,
        };
        ApiError::from_localised(status, &e, lang)
    }

    pub fn op(e: OpError, lang: Lang) -> Self {
        match e {
            OpError::Lifecycle(e) => ApiError::lifecycle(e, lang),
            OpError::Store(e) => ApiError::store(e, lang),
            OpError::Replay(e) => ApiError::store(StoreError::Corrupt(e.to_string()), lang),
        }
    }
}

pub(crate) fn pick(lang: Lang, vi: &str, en: &str) -> String {
    match lang {
        Lang::Vi => vi.to_string(),
        Lang::En => en.to_string(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                fields: self.fields,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

/// The caller's language: `?lang=` wins, then `Accept-Language`, then Vietnamese.
#[derive(Debug, Clone, Copy)]
pub struct ReqLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ReqLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let from_query = parts.uri.query().and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("lang="))
                .and_then(|v| v.parse::<Lang>().ok())
        });
        let from_header = parts
            .headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Lang::negotiate);
        Ok(ReqLang(from_query.or(from_header).unwrap_or_default()))
    }
}

/// JSON body whose rejection is answered in the API's error format.
pub struct ApiJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let lang = Lang::negotiate(
            req.headers()
                .get(axum::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or(""),
        );
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection, lang)),
        }
    }
}

fn json_rejection(r: JsonRejection, lang: Lang) -> ApiError {
    let detail = r.body_text();
    match r {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "json_content_type",
            pick(
                lang,
                "Nội dung phải là JSON (Content-Type: application/json).",
                "The body must be JSON (Content-Type: application/json).",
            ),
        ),
        JsonRejection::JsonDataError(_) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            format!(
                "{} {detail}",
                pick(lang, "Dữ liệu không hợp lệ:", "Invalid data:")
            ),
        ),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!(
                "{} {detail}",
                pick(lang, "JSON không hợp lệ:", "Invalid JSON:")
            ),
        ),
    }
}

/// Query string whose rejection is answered in the API's error format.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ReqLang(lang) = ReqLang::from_request_parts(parts, state)
            .await
            .unwrap_or(ReqLang(Lang::Vi));
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(r) => Err(query_rejection(r, lang)),
        }
    }
}

fn query_rejection(r: QueryRejection, lang: Lang) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_query",
        format!(
            "{} {}",
            pick(
                lang,
                "Tham số truy vấn không hợp lệ:",
                "Invalid query parameters:"
            ),
            r.body_text()
        ),
    )
}

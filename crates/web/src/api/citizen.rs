//! The citizen's account over the API, for mobile apps: register, verify, log in and out,
//! reset the password, profile, sessions and the citizen's own dossiers. Apps send the token
//! as `Authorization: Bearer mcs_…`; the portal's pages use the same sessions by cookie.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use motcua_domain::Lang;
use motcua_domain::calendar::TZ;
use motcua_store::{Citizen, CodePurpose};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::auth::user_agent;
use crate::error::{ApiJson, ReqLang, WebError};
use crate::request::Client;
use motcua_app::App;
use motcua_app::accounts;
use motcua_app::error::AppError;
use motcua_app::principal::{CitizenAuth, Principal};

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct RegisterRequest {
    /// E-mail address or Vietnamese mobile number.
    login: String,
    password: String,
    full_name: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Registered {
    /// Where the verification code went: `email` or `sms`.
    code_sent_by: &'static str,
    /// Minutes the code stays valid.
    code_minutes: i64,
}

impl Registered {
    /// Where a code for `login` went.
    fn to(login: &accounts::Login) -> Registered {
        Registered {
            code_sent_by: match login {
                accounts::Login::Email(_) => "email",
                accounts::Login::Phone(_) => "sms",
            },
            code_minutes: accounts::CODE_MINUTES,
        }
    }
}

/// Creates an account and sends a six-digit verification code by e-mail or SMS. The answer is
/// the same when the login has an account already (its owner is told by e-mail or SMS), so it
/// tells nobody which logins exist.
#[utoipa::path(
    post, path = "/api/v1/citizen/register", tag = "citizen", request_body = RegisterRequest,
    responses(
        (status = 201, body = Registered),
        (status = 429, body = crate::error::ErrorBody, description = "too many registrations from this client"),
        (status = 422, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn register(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Client(client): Client,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> Result<(StatusCode, Json<Registered>), WebError> {
    let login = accounts::register(
        &state,
        &req.login,
        req.password,
        &req.full_name,
        lang,
        &client,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Registered::to(&login))))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CodeRequest {
    login: String,
    code: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct SessionToken {
    token: String,
    token_type: &'static str,
    expires_at: DateTime<Utc>,
    profile: Profile,
}

fn token_of(s: accounts::NewSession) -> SessionToken {
    SessionToken {
        token: s.token,
        token_type: "Bearer",
        expires_at: s.session.expires_at,
        profile: Profile::of(&s.citizen),
    }
}

/// Verifies the account with the code it was sent, and signs in.
#[utoipa::path(
    post, path = "/api/v1/citizen/verify", tag = "citizen", request_body = CodeRequest,
    responses((status = 200, body = SessionToken), (status = 422, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody))
)]
pub(crate) async fn verify(
    State(state): State<App>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CodeRequest>,
) -> Result<Json<SessionToken>, WebError> {
    let now = Utc::now();
    let c = accounts::verify(&state, &req.login, &req.code, now).await?;
    let s = accounts::open_session(&state, c, &user_agent(&headers), now).await?;
    Ok(Json(token_of(s)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct LoginOnly {
    login: String,
}

/// Sends a new verification code (at most 3 per 15 minutes). Answers 202 whether or not the
/// login exists.
#[utoipa::path(
    post, path = "/api/v1/citizen/verify/resend", tag = "citizen", request_body = LoginOnly,
    responses((status = 202), (status = 429, body = crate::error::ErrorBody))
)]
pub(crate) async fn resend(
    State(state): State<App>,
    ApiJson(req): ApiJson<LoginOnly>,
) -> Result<StatusCode, WebError> {
    accounts::send_code(&state, &req.login, CodePurpose::Verify, Utc::now()).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct LoginRequest {
    login: String,
    password: String,
}

/// Signs in. Five wrong passwords in a row lock the account for 15 minutes.
#[utoipa::path(
    post, path = "/api/v1/citizen/login", tag = "citizen", request_body = LoginRequest,
    responses(
        (status = 200, body = SessionToken),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody, description = "not verified yet"),
        (status = 429, body = crate::error::ErrorBody, description = "locked for a while")
    )
)]
pub(crate) async fn login(
    State(state): State<App>,
    headers: HeaderMap,
    Client(client): Client,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<SessionToken>, WebError> {
    let s = accounts::log_in(
        &state,
        &req.login,
        req.password,
        &user_agent(&headers),
        &client,
        Utc::now(),
    )
    .await?;
    Ok(Json(token_of(s)))
}

pub(crate) fn citizen(principal: Principal) -> Result<CitizenAuth, WebError> {
    match principal {
        Principal::Citizen(c) => Ok(*c),
        Principal::Anonymous => Err(WebError::unauthenticated()),
        _ => Err(WebError::forbidden()),
    }
}

/// Ends the current session.
#[utoipa::path(
    post, path = "/api/v1/citizen/logout", tag = "citizen", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = crate::error::ErrorBody))
)]
pub(crate) async fn logout(
    State(state): State<App>,
    Caller(principal): Caller,
) -> Result<StatusCode, WebError> {
    let me = citizen(principal)?;
    state
        .store
        .revoke_session(&me.citizen.id, &me.session.token_hash, Utc::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a password reset code. Answers 202 whether or not the login exists.
#[utoipa::path(
    post, path = "/api/v1/citizen/password/forgot", tag = "citizen", request_body = LoginOnly,
    responses((status = 202), (status = 429, body = crate::error::ErrorBody))
)]
pub(crate) async fn forgot(
    State(state): State<App>,
    ApiJson(req): ApiJson<LoginOnly>,
) -> Result<StatusCode, WebError> {
    accounts::send_code(&state, &req.login, CodePurpose::Reset, Utc::now()).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct ResetRequest {
    login: String,
    code: String,
    password: String,
}

/// Sets a new password with the reset code; every session of the account ends.
#[utoipa::path(
    post, path = "/api/v1/citizen/password/reset", tag = "citizen", request_body = ResetRequest,
    responses((status = 204), (status = 422, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody))
)]
pub(crate) async fn reset(
    State(state): State<App>,
    Client(client): Client,
    ApiJson(req): ApiJson<ResetRequest>,
) -> Result<StatusCode, WebError> {
    let (login, code) = (&req.login, &req.code);
    accounts::reset_password(&state, login, code, req.password, &client, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Profile {
    full_name: String,
    email: Option<String>,
    phone: Option<String>,
    cccd: Option<String>,
    birth_date: Option<String>,
    province_code: Option<String>,
    ward_code: Option<String>,
    address_line: Option<String>,
    lang: String,
}

impl Profile {
    fn of(c: &Citizen) -> Profile {
        Profile {
            full_name: c.full_name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            cccd: c.cccd.clone(),
            birth_date: c.birth_date.map(|d| d.format("%Y-%m-%d").to_string()),
            province_code: c.province_code.clone(),
            ward_code: c.ward_code.clone(),
            address_line: c.address_line.clone(),
            lang: c.lang.code().to_string(),
        }
    }
}

/// The signed-in citizen's profile.
#[utoipa::path(
    get, path = "/api/v1/citizen/profile", tag = "citizen", security(("bearer" = [])),
    responses((status = 200, body = Profile), (status = 401, body = crate::error::ErrorBody))
)]
pub(crate) async fn profile(Caller(principal): Caller) -> Result<Json<Profile>, WebError> {
    Ok(Json(Profile::of(&citizen(principal)?.citizen)))
}

/// The profile as a citizen may change it.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub(crate) struct ProfileChange {
    pub(crate) full_name: String,
    #[serde(default)]
    pub(crate) cccd: Option<String>,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub(crate) birth_date: Option<String>,
    /// Province code of the 2025 list, e.g. `22`.
    #[serde(default)]
    pub(crate) province_code: Option<String>,
    /// Commune-level unit code of the 2025 list, e.g. `06652`.
    #[serde(default)]
    pub(crate) ward_code: Option<String>,
    #[serde(default)]
    pub(crate) address_line: Option<String>,
    /// `vi` or `en`: the language of notifications.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub(crate) lang: Option<Lang>,
}

impl From<ProfileChange> for accounts::ProfileChange {
    fn from(p: ProfileChange) -> Self {
        accounts::ProfileChange {
            full_name: p.full_name,
            cccd: p.cccd,
            birth_date: p.birth_date,
            province_code: p.province_code,
            ward_code: p.ward_code,
            address_line: p.address_line,
            lang: p.lang,
        }
    }
}

/// Changes the profile: name, citizen ID (checked), birth date, address from the 2025 list
/// of provinces and communes, language of notifications. A 422 lists every wrong field.
#[utoipa::path(
    put, path = "/api/v1/citizen/profile", tag = "citizen", security(("bearer" = [])),
    request_body = ProfileChange,
    responses((status = 200, body = Profile), (status = 401, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody))
)]
pub(crate) async fn update_profile(
    State(state): State<App>,
    Caller(principal): Caller,
    ApiJson(change): ApiJson<ProfileChange>,
) -> Result<Json<Profile>, WebError> {
    let mut c = citizen(principal)?.citizen;
    let today = Utc::now().with_timezone(&TZ).date_naive();
    accounts::apply_profile(&mut c, &change.into(), today).map_err(AppError::fields)?;
    state.store.put_citizen(&c).await?;
    Ok(Json(Profile::of(&c)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct ContactRequest {
    /// The e-mail address or Vietnamese mobile number to add (or to put in place of the
    /// account's).
    contact: String,
}

/// Adds an e-mail address or mobile number to the account: a six-digit code is sent to it,
/// and the contact is the account's once the code comes back (`…/contact/verify`).
#[utoipa::path(
    post, path = "/api/v1/citizen/contact", tag = "citizen", security(("bearer" = [])),
    request_body = ContactRequest,
    responses(
        (status = 202, body = Registered, description = "a code was sent to the contact"),
        (status = 401, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "the account has this contact already"),
        (status = 422, body = crate::error::ErrorBody),
        (status = 429, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn add_contact(
    State(state): State<App>,
    Caller(principal): Caller,
    ApiJson(req): ApiJson<ContactRequest>,
) -> Result<(StatusCode, Json<Registered>), WebError> {
    let me = citizen(principal)?.citizen;
    let login = accounts::add_contact(&state, &me, &req.contact, Utc::now()).await?;
    Ok((StatusCode::ACCEPTED, Json(Registered::to(&login))))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct ContactCode {
    contact: String,
    code: String,
}

/// Confirms a contact with the code sent to it: it becomes the account's e-mail address or
/// mobile number (and may be used to sign in).
#[utoipa::path(
    post, path = "/api/v1/citizen/contact/verify", tag = "citizen", security(("bearer" = [])),
    request_body = ContactCode,
    responses(
        (status = 200, body = Profile),
        (status = 401, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "another account uses this contact"),
        (status = 422, body = crate::error::ErrorBody, description = "wrong or expired code"),
        (status = 429, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn verify_contact(
    State(state): State<App>,
    Caller(principal): Caller,
    ApiJson(req): ApiJson<ContactCode>,
) -> Result<Json<Profile>, WebError> {
    let me = citizen(principal)?.citizen;
    let updated =
        accounts::confirm_contact(&state, &me, &req.contact, &req.code, Utc::now()).await?;
    Ok(Json(Profile::of(&updated)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct SessionView {
    /// Identifies the session for revocation (not a credential).
    pub(crate) id: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) last_seen_at: DateTime<Utc>,
    pub(crate) user_agent: String,
    pub(crate) current: bool,
}

impl From<accounts::SignedIn> for SessionView {
    fn from(s: accounts::SignedIn) -> Self {
        SessionView {
            id: s.id,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            user_agent: s.user_agent,
            current: s.current,
        }
    }
}

/// The account's signed-in browsers and apps.
#[utoipa::path(
    get, path = "/api/v1/citizen/sessions", tag = "citizen", security(("bearer" = [])),
    responses((status = 200, body = [SessionView]), (status = 401, body = crate::error::ErrorBody))
)]
pub(crate) async fn sessions(
    State(state): State<App>,
    Caller(principal): Caller,
) -> Result<Json<Vec<SessionView>>, WebError> {
    let me = citizen(principal)?;
    let list = accounts::sessions(&state, &me).await?;
    Ok(Json(list.into_iter().map(SessionView::from).collect()))
}

/// Signs out one of the account's sessions (another phone, a shared computer).
#[utoipa::path(
    delete, path = "/api/v1/citizen/sessions/{id}", tag = "citizen", security(("bearer" = [])),
    params(("id" = String, Path, description = "Session id from the list")),
    responses((status = 204), (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub(crate) async fn revoke_session(
    State(state): State<App>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, WebError> {
    let me = citizen(principal)?;
    accounts::revoke(&state, &me, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

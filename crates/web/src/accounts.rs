//! Citizens' accounts: registration with a one-time code sent by e-mail or SMS through the
//! outbox, log-in with a persistent lock-out, sessions, password reset and the profile. The
//! JSON API and the portal's pages both call these; they answer with localised errors.

use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use motcua_domain::Lang;
use motcua_domain::ids::{Cccd, Phone};
use motcua_domain::lang::Localise;
use motcua_domain::units::AdminUnits;
use motcua_notify::{CODE_TOPIC, CodeMessage};
use motcua_store::{Citizen, CitizenSession, CodePurpose, Message, OneTimeCode, StoreError};
use rand::RngExt;

use crate::error::{ApiError, FieldError, pick};
use motcua_app::App;
use motcua_app::principal::SESSION_IDLE_MINUTES;
use motcua_app::secrets::{check_password, hash_password, new_secret, same_secret, sha256_hex};

/// A one-time code is valid this long.
pub(crate) const CODE_MINUTES: i64 = 10;
/// Wrong entries of one code before it is void.
const CODE_ATTEMPTS: i64 = 5;
/// Wrong passwords in a row before the account is locked for [`LOCK_MINUTES`].
const LOGIN_FAILURES: i64 = 5;
const LOCK_MINUTES: i64 = 15;

/// How a citizen logs in: an e-mail address or a Vietnamese mobile number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Login {
    Email(String),
    Phone(Phone),
}

impl Login {
    pub(crate) fn parse(s: &str, lang: Lang) -> Result<Login, ApiError> {
        let s = s.trim();
        if s.contains('@') {
            return parse_email(s, lang).map(Login::Email);
        }
        Phone::parse(s).map(Login::Phone).map_err(|_| {
            invalid(
                "invalid_login",
                lang,
                "Nhập địa chỉ thư điện tử hoặc số điện thoại di động, ví dụ 0912345678.",
                "Enter an e-mail address or a Vietnamese mobile number, e.g. 0912345678.",
            )
        })
    }

    /// The stored form: lower-case e-mail or E.164 phone.
    pub(crate) fn key(&self) -> String {
        match self {
            Login::Email(e) => e.clone(),
            Login::Phone(p) => p.e164(),
        }
    }
}

pub(crate) fn parse_email(s: &str, lang: Lang) -> Result<String, ApiError> {
    let e = s.trim().to_lowercase();
    let ok = e.len() <= 254
        && e.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
        })
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(e)
    } else {
        Err(invalid(
            "invalid_email",
            lang,
            "Địa chỉ thư điện tử không hợp lệ, ví dụ ten@example.vn.",
            "The e-mail address is not valid, e.g. name@example.vn.",
        ))
    }
}

fn invalid(code: &str, lang: Lang, vi: &str, en: &str) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, pick(lang, vi, en))
}

fn check_password_rules(p: &str, lang: Lang) -> Result<(), ApiError> {
    let n = p.chars().count();
    if (8..=128).contains(&n) {
        Ok(())
    } else {
        Err(invalid(
            "weak_password",
            lang,
            "Mật khẩu cần từ 8 đến 128 ký tự.",
            "The password must have 8 to 128 characters.",
        ))
    }
}

fn check_name(n: &str, lang: Lang) -> Result<String, ApiError> {
    let n = n.trim();
    if n.is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control) {
        return Err(invalid(
            "invalid_name",
            lang,
            "Nhập họ và tên (tối đa 100 ký tự).",
            "Enter your full name (at most 100 characters).",
        ));
    }
    Ok(n.to_string())
}

async fn hash(password: String, lang: Lang) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or_else(|| ApiError::store(StoreError::Corrupt("password hashing".into()), lang))
}

fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

fn code_hash(citizen_id: &str, code: &str) -> String {
    sha256_hex(&format!("{citizen_id}:{code}"))
}

fn code_message(c: &Citizen, purpose: CodePurpose, code: &str, now: DateTime<Utc>) -> Message {
    let payload = CodeMessage {
        purpose: purpose.as_str().into(),
        code: code.into(),
        minutes: CODE_MINUTES,
        lang: c.lang,
        email: c.email.clone(),
        phone: c.phone.clone(),
    };
    Message {
        topic: CODE_TOPIC.into(),
        at: now,
        payload: serde_json::to_value(payload).unwrap_or_default(),
    }
}

fn fresh_code(c: &Citizen, purpose: CodePurpose, now: DateTime<Utc>) -> (OneTimeCode, Message) {
    let code = new_code();
    (
        OneTimeCode {
            citizen_id: c.id.clone(),
            purpose,
            code_hash: code_hash(&c.id, &code),
            expires_at: now + Duration::minutes(CODE_MINUTES),
            attempts: 0,
        },
        code_message(c, purpose, &code, now),
    )
}

/// Creates an unverified account and sends its verification code.
pub(crate) async fn register(
    state: &App,
    login: &str,
    password: String,
    full_name: &str,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Citizen, ApiError> {
    let login = Login::parse(login, lang)?;
    check_password_rules(&password, lang)?;
    let full_name = check_name(full_name, lang)?;
    let id = new_secret("ctz_")[..24].to_string();
    let (email, phone) = match &login {
        Login::Email(e) => (Some(e.clone()), None),
        Login::Phone(p) => (None, Some(p.e164())),
    };
    let citizen = Citizen {
        id,
        email,
        phone,
        password_hash: hash(password, lang).await?,
        verified_at: None,
        full_name,
        cccd: None,
        birth_date: None,
        province_code: None,
        ward_code: None,
        address_line: None,
        lang,
        failed_logins: 0,
        locked_until: None,
        created_at: now,
    };
    let (code, message) = fresh_code(&citizen, CodePurpose::Verify, now);
    match state.store.create_citizen(&citizen, &code, &message).await {
        Ok(()) => Ok(citizen),
        Err(StoreError::Duplicate(_)) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "account_exists",
            pick(
                lang,
                "Đã có tài khoản với thông tin đăng nhập này. Hãy đăng nhập hoặc lấy lại mật khẩu.",
                "An account with this login exists already. Log in or reset the password.",
            ),
        )),
        Err(e) => Err(ApiError::store(e, lang)),
    }
}

fn too_many(lang: Lang, minutes: i64) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        pick(
            lang,
            &format!("Nhập sai quá nhiều lần; hãy thử lại sau {minutes} phút."),
            &format!("Too many failed attempts; try again in {minutes} minutes."),
        ),
    )
}

fn wrong_code(lang: Lang) -> ApiError {
    invalid(
        "wrong_code",
        lang,
        "Mã xác thực không đúng hoặc đã hết hạn. Hãy kiểm tra lại hoặc yêu cầu gửi mã mới.",
        "The code is wrong or has expired. Check it or ask for a new one.",
    )
}

/// Checks a one-time code; spends it when right. Errors never tell whether the account exists.
async fn take_code(
    state: &App,
    login: &str,
    purpose: CodePurpose,
    code: &str,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Citizen, ApiError> {
    let login = Login::parse(login, lang)?;
    let store = &state.store;
    let citizen = store
        .citizen_by_login(&login.key())
        .await
        .map_err(|e| ApiError::store(e, lang))?
        .ok_or_else(|| wrong_code(lang))?;
    let stored = store
        .one_time_code(&citizen.id, purpose)
        .await
        .map_err(|e| ApiError::store(e, lang))?
        .ok_or_else(|| wrong_code(lang))?;
    if stored.attempts >= CODE_ATTEMPTS {
        return Err(too_many(lang, CODE_MINUTES));
    }
    let code = code.trim();
    if stored.expires_at <= now || !same_secret(&code_hash(&citizen.id, code), &stored.code_hash) {
        store
            .count_code_attempt(&citizen.id, purpose)
            .await
            .map_err(|e| ApiError::store(e, lang))?;
        return Err(wrong_code(lang));
    }
    store
        .delete_code(&citizen.id, purpose)
        .await
        .map_err(|e| ApiError::store(e, lang))?;
    Ok(citizen)
}

/// Verifies the account with its code.
pub(crate) async fn verify(
    state: &App,
    login: &str,
    code: &str,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Citizen, ApiError> {
    let mut citizen = take_code(state, login, CodePurpose::Verify, code, lang, now).await?;
    if citizen.verified_at.is_none() {
        citizen.verified_at = Some(now);
        state
            .store
            .put_citizen(&citizen)
            .await
            .map_err(|e| ApiError::store(e, lang))?;
    }
    Ok(citizen)
}

/// Sends a new code. Quietly does nothing for an unknown login or a verified account asking
/// for verification, so that the answer does not tell which logins exist.
pub(crate) async fn send_code(
    state: &App,
    login: &str,
    purpose: CodePurpose,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let login = Login::parse(login, lang)?;
    let key = format!("{}:{}", purpose.as_str(), login.key());
    if let Err(wait) = state.limits.codes.check(&key) {
        return Err(too_many(lang, wait.as_secs() as i64 / 60 + 1));
    }
    state.limits.codes.fail(&key);
    let Some(citizen) = state
        .store
        .citizen_by_login(&login.key())
        .await
        .map_err(|e| ApiError::store(e, lang))?
    else {
        return Ok(());
    };
    if purpose == CodePurpose::Verify && citizen.verified_at.is_some() {
        return Ok(());
    }
    let (code, message) = fresh_code(&citizen, purpose, now);
    state
        .store
        .issue_code(&code, &message)
        .await
        .map_err(|e| ApiError::store(e, lang))
}

/// Sets a new password with a reset code; every session of the account ends.
pub(crate) async fn reset_password(
    state: &App,
    login: &str,
    code: &str,
    password: String,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    check_password_rules(&password, lang)?;
    let mut citizen = take_code(state, login, CodePurpose::Reset, code, lang, now).await?;
    citizen.password_hash = hash(password, lang).await?;
    // The code reached the owner's mailbox or phone, which proves it as well.
    citizen.verified_at.get_or_insert(now);
    citizen.failed_logins = 0;
    citizen.locked_until = None;
    let store = &state.store;
    store
        .put_citizen(&citizen)
        .await
        .map_err(|e| ApiError::store(e, lang))?;
    store
        .revoke_sessions(&citizen.id, None, now)
        .await
        .map_err(|e| ApiError::store(e, lang))
}

fn wrong_login(lang: Lang) -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        pick(
            lang,
            "Thông tin đăng nhập hoặc mật khẩu không đúng.",
            "Wrong login or password.",
        ),
    )
}

/// A new session: its secret token (given once to the browser or app) and the stored record.
pub(crate) struct NewSession {
    pub(crate) token: String,
    pub(crate) session: CitizenSession,
    pub(crate) citizen: Citizen,
}

/// Checks the password and opens a session. Five wrong passwords in a row lock the account
/// for 15 minutes (kept in the database, so every server instance honours it).
pub(crate) async fn log_in(
    state: &App,
    login: &str,
    password: String,
    user_agent: &str,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<NewSession, ApiError> {
    let login = Login::parse(login, lang).map_err(|_| wrong_login(lang))?;
    if password.len() > 1000 {
        return Err(wrong_login(lang));
    }
    let store = &state.store;
    let citizen = store
        .citizen_by_login(&login.key())
        .await
        .map_err(|e| ApiError::store(e, lang))?;
    if let Some(until) = citizen.as_ref().and_then(|c| c.locked_until)
        && until > now
    {
        return Err(too_many(lang, (until - now).num_minutes() + 1));
    }
    let ok = check_password(password, citizen.as_ref().map(|c| c.password_hash.clone())).await;
    let Some(mut citizen) = citizen else {
        return Err(wrong_login(lang));
    };
    if !ok {
        citizen.failed_logins += 1;
        if citizen.failed_logins >= LOGIN_FAILURES {
            citizen.failed_logins = 0;
            citizen.locked_until = Some(now + Duration::minutes(LOCK_MINUTES));
        }
        store
            .put_citizen(&citizen)
            .await
            .map_err(|e| ApiError::store(e, lang))?;
        return Err(wrong_login(lang));
    }
    if citizen.verified_at.is_none() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "account_not_verified",
            pick(
                lang,
                "Tài khoản chưa được xác thực. Hãy nhập mã đã gửi tới thư điện tử hoặc điện thoại của bạn.",
                "The account is not verified yet. Enter the code sent to your e-mail or phone.",
            ),
        ));
    }
    if citizen.failed_logins != 0 || citizen.locked_until.is_some() {
        citizen.failed_logins = 0;
        citizen.locked_until = None;
        store
            .put_citizen(&citizen)
            .await
            .map_err(|e| ApiError::store(e, lang))?;
    }
    open_session(state, citizen, user_agent, lang, now).await
}

/// Opens a session for a citizen who has just proven who they are.
pub(crate) async fn open_session(
    state: &App,
    citizen: Citizen,
    user_agent: &str,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<NewSession, ApiError> {
    let token = new_secret("mcs_");
    let session = CitizenSession {
        token_hash: sha256_hex(&token),
        citizen_id: citizen.id.clone(),
        csrf: new_secret(""),
        created_at: now,
        last_seen_at: now,
        expires_at: now + Duration::minutes(SESSION_IDLE_MINUTES),
        user_agent: user_agent.chars().take(200).collect(),
        revoked_at: None,
    };
    state
        .store
        .create_session(&session)
        .await
        .map_err(|e| ApiError::store(e, lang))?;
    tracing::info!(citizen = %citizen.id, "citizen session opened");
    Ok(NewSession {
        token,
        session,
        citizen,
    })
}

/// The profile as a citizen may change it.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
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

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Applies a profile change, or lists every field that is wrong.
pub(crate) fn apply_profile(
    c: &mut Citizen,
    p: &ProfileChange,
    lang: Lang,
    today: NaiveDate,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut err = |field: &str, code: &str, message: String| {
        errors.push(FieldError {
            field: field.into(),
            code: code.into(),
            message,
        })
    };
    let name = check_name(&p.full_name, lang);
    let cccd = blank(&p.cccd).map(Cccd::parse).transpose();
    let birth = blank(&p.birth_date)
        .map(|b| NaiveDate::parse_from_str(b, "%Y-%m-%d"))
        .transpose();
    if let Err(e) = &name {
        err("full_name", "invalid_name", e.message.clone());
    }
    if let Err(e) = &cccd {
        err("cccd", e.code(), e.message(lang));
    }
    match &birth {
        Err(_) => err(
            "birth_date",
            "invalid_date",
            pick(
                lang,
                "Ngày sinh không hợp lệ.",
                "The birth date is not valid.",
            ),
        ),
        Ok(Some(b)) if *b > today || chrono::Datelike::year(b) < 1900 => err(
            "birth_date",
            "invalid_date",
            pick(
                lang,
                "Ngày sinh phải là một ngày đã qua.",
                "The birth date must be in the past.",
            ),
        ),
        _ => {}
    }
    if let (Ok(Some(id)), Ok(Some(b))) = (&cccd, &birth)
        && id.check_birth_date(*b).is_err()
    {
        err(
            "cccd",
            "cccd_birth_year",
            pick(
                lang,
                "Số định danh cá nhân không khớp với năm sinh.",
                "The citizen ID does not match the birth year.",
            ),
        );
    }
    let units = AdminUnits::official();
    let province = blank(&p.province_code);
    let ward = blank(&p.ward_code);
    if let Some(code) = province
        && units.province(code).is_none()
    {
        err(
            "province_code",
            "unknown_province",
            pick(
                lang,
                "Chọn tỉnh, thành phố trong danh sách.",
                "Choose a province from the list.",
            ),
        );
    }
    if let Some(code) = ward {
        match units.ward(code) {
            Some(w) if province.is_none() || w.province.as_deref() == province => {}
            _ => err(
                "ward_code",
                "unknown_ward",
                pick(
                    lang,
                    "Chọn phường, xã thuộc tỉnh, thành phố đã chọn.",
                    "Choose a commune of the chosen province.",
                ),
            ),
        }
    }
    let address = blank(&p.address_line);
    if address.is_some_and(|a| a.chars().count() > 200 || a.chars().any(char::is_control)) {
        err(
            "address_line",
            "invalid_address",
            pick(
                lang,
                "Địa chỉ tối đa 200 ký tự.",
                "The address may have at most 200 characters.",
            ),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    c.full_name = name.unwrap_or_default();
    c.cccd = cccd.ok().flatten().map(|id| id.to_string());
    c.birth_date = birth.ok().flatten();
    c.province_code = province
        .map(str::to_string)
        .or_else(|| ward.and_then(|w| units.ward(w)?.province.clone()));
    c.ward_code = ward.map(str::to_string);
    c.address_line = address.map(str::to_string);
    if let Some(l) = p.lang {
        c.lang = l;
    }
    Ok(())
}

impl ApiError {
    /// The answer for a form with wrong fields: 422 listing each of them.
    pub(crate) fn fields(errors: Vec<FieldError>, lang: Lang) -> Self {
        let summary = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join(" ");
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_fields",
            format!(
                "{} {summary}",
                pick(lang, "Có lỗi trong biểu mẫu.", "The form has errors.")
            ),
        )
        .with_fields(errors)
    }
}

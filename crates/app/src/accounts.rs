//! Citizens' accounts: registration with a one-time code sent by e-mail or SMS through the
//! outbox, log-in slowed down after wrong passwords, sessions, password reset and the profile. The
//! JSON API and the portal's pages both call these; they answer with localised errors.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use motcua_domain::Lang;
use motcua_domain::ids::{Cccd, CitizenId, Phone};
use motcua_domain::lang::Localise;
use motcua_domain::units::AdminUnits;
use motcua_notify::{CODE_TOPIC, CodeMessage};
use motcua_store::{Citizen, CitizenSession, CodePurpose, OneTimeCode, StoreError};
use rand::RngExt;

use crate::App;
use crate::error::{AppError, FieldProblem, Kind, Message};
use crate::principal::{CitizenAuth, SESSION_IDLE_MINUTES};
use crate::secrets::{check_password, hash_password_queued, new_secret, same_secret, sha256_hex};

/// A one-time code is valid this long.
pub const CODE_MINUTES: i64 = 10;
/// Wrong entries of one code before it is void.
const CODE_ATTEMPTS: i64 = 5;

/// How a citizen logs in: an e-mail address or a Vietnamese mobile number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    Email(String),
    Phone(Phone),
}

impl Login {
    pub fn parse(s: &str) -> Result<Login, AppError> {
        let s = s.trim();
        if s.contains('@') {
            return parse_email(s).map(Login::Email);
        }
        Phone::parse(s)
            .map(Login::Phone)
            .map_err(|_| AppError::new(Kind::Invalid, "invalid_login", "error-invalid-login"))
    }

    /// The stored form: lower-case e-mail or E.164 phone.
    pub fn key(&self) -> String {
        match self {
            Login::Email(e) => e.clone(),
            Login::Phone(p) => p.e164(),
        }
    }
}

pub fn parse_email(s: &str) -> Result<String, AppError> {
    let e = s.trim().to_lowercase();
    let ok = e.len() <= 254
        && e.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
        })
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(e)
    } else {
        Err(AppError::new(
            Kind::Invalid,
            "invalid_email",
            "error-invalid-email",
        ))
    }
}

fn check_password_rules(p: &str) -> Result<(), AppError> {
    let n = p.chars().count();
    if (8..=128).contains(&n) {
        Ok(())
    } else {
        Err(AppError::new(
            Kind::Invalid,
            "weak_password",
            "error-weak-password",
        ))
    }
}

fn check_name(n: &str) -> Result<String, AppError> {
    let n = n.trim();
    if n.is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control) {
        return Err(AppError::new(
            Kind::Invalid,
            "invalid_name",
            "error-invalid-name",
        ));
    }
    Ok(n.to_string())
}

async fn hash(password: String) -> Result<String, AppError> {
    hash_password_queued(password).await
}

fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

fn code_hash(citizen_id: &str, code: &str) -> String {
    sha256_hex(&format!("{citizen_id}:{code}"))
}

fn code_message(
    c: &Citizen,
    purpose: CodePurpose,
    code: &str,
    now: DateTime<Utc>,
) -> motcua_store::Message {
    let payload = CodeMessage {
        purpose: purpose.as_str().into(),
        code: code.into(),
        minutes: CODE_MINUTES,
        lang: c.lang,
        email: c.email.clone(),
        phone: c.phone.clone(),
    };
    motcua_store::Message {
        topic: CODE_TOPIC.into(),
        at: now,
        payload: serde_json::to_value(payload).unwrap_or_default(),
    }
}

fn fresh_code(
    c: &Citizen,
    purpose: CodePurpose,
    now: DateTime<Utc>,
) -> (OneTimeCode, motcua_store::Message) {
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

/// Creates an unverified account and sends its verification code. The answer is the same
/// whether or not the login already has an account, so that it tells nobody which logins
/// exist: the owner of an existing account is told instead, by a new verification code if
/// the account was never verified, else by a password-reset code with a note that someone
/// tried to register. `client` is held to a number of registrations an hour.
pub async fn register(
    state: &App,
    login: &str,
    password: String,
    full_name: &str,
    lang: Lang,
    client: &str,
    now: DateTime<Utc>,
) -> Result<Login, AppError> {
    let login = Login::parse(login)?;
    check_password_rules(&password)?;
    let full_name = check_name(full_name)?;
    state
        .limits
        .registrations
        .take(client)
        .map_err(AppError::too_many_attempts)?;
    let id = CitizenId::new(&new_secret("ctz_")[..24]);
    let (email, phone) = match &login {
        Login::Email(e) => (Some(e.clone()), None),
        Login::Phone(p) => (None, Some(p.e164())),
    };
    let citizen = Citizen {
        id,
        email,
        phone,
        password_hash: hash(password).await?,
        verified_at: None,
        full_name,
        cccd: None,
        birth_date: None,
        province_code: None,
        ward_code: None,
        address_line: None,
        lang,
        created_at: now,
    };
    let (code, message) = fresh_code(&citizen, CodePurpose::Verify, now);
    match state.store.create_citizen(&citizen, &code, &message).await {
        Ok(()) => Ok(login),
        Err(StoreError::Duplicate(_)) => {
            tell_owner(state, &login, now).await?;
            Ok(login)
        }
        Err(e) => Err(e.into()),
    }
}

/// Someone registered with a login that has an account: its owner gets a fresh verification
/// code, or (verified) a reset code saying so, within the usual limit on codes sent.
async fn tell_owner(state: &App, login: &Login, now: DateTime<Utc>) -> Result<(), AppError> {
    let Some(owner) = state.store.citizen_by_login(&login.key()).await? else {
        return Ok(());
    };
    let purpose = if owner.verified_at.is_some() {
        CodePurpose::Reset
    } else {
        CodePurpose::Verify
    };
    if state
        .limits
        .codes
        .take(&format!("{}:{}", purpose.as_str(), login.key()))
        .is_err()
    {
        return Ok(());
    }
    let (code, mut message) = fresh_code(&owner, purpose, now);
    if purpose == CodePurpose::Reset {
        message.payload["purpose"] = "exists".into();
    }
    state.store.issue_code(&code, &message).await?;
    Ok(())
}

fn too_many(minutes: i64) -> AppError {
    AppError::new(
        Kind::TooMany,
        "too_many_attempts",
        "error-too-many-attempts",
    )
    .arg("minutes", minutes)
}

fn wrong_code() -> AppError {
    AppError::new(Kind::Invalid, "wrong_code", "error-wrong-code")
}

/// Checks a one-time code; spends it when right. Errors never tell whether the account exists.
async fn take_code(
    state: &App,
    login: &str,
    purpose: CodePurpose,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Citizen, AppError> {
    let login = Login::parse(login)?;
    let store = &state.store;
    let citizen = store
        .citizen_by_login(&login.key())
        .await?
        .ok_or_else(wrong_code)?;
    let stored = store
        .one_time_code(&citizen.id, purpose)
        .await?
        .ok_or_else(wrong_code)?;
    if stored.attempts >= CODE_ATTEMPTS {
        return Err(too_many(CODE_MINUTES));
    }
    let code = code.trim();
    if stored.expires_at <= now || !same_secret(&code_hash(&citizen.id, code), &stored.code_hash) {
        store.count_code_attempt(&citizen.id, purpose).await?;
        return Err(wrong_code());
    }
    store.delete_code(&citizen.id, purpose).await?;
    Ok(citizen)
}

/// Verifies the account with its code.
pub async fn verify(
    state: &App,
    login: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Citizen, AppError> {
    let mut citizen = take_code(state, login, CodePurpose::Verify, code, now).await?;
    if citizen.verified_at.is_none() {
        citizen.verified_at = Some(now);
        state.store.put_citizen(&citizen).await?;
    }
    Ok(citizen)
}

/// Sends a new code. Quietly does nothing for an unknown login or a verified account asking
/// for verification, so that the answer does not tell which logins exist.
pub async fn send_code(
    state: &App,
    login: &str,
    purpose: CodePurpose,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let login = Login::parse(login)?;
    let key = format!("{}:{}", purpose.as_str(), login.key());
    state
        .limits
        .codes
        .take(&key)
        .map_err(AppError::too_many_attempts)?;
    let Some(citizen) = state.store.citizen_by_login(&login.key()).await? else {
        return Ok(());
    };
    if purpose == CodePurpose::Verify && citizen.verified_at.is_some() {
        return Ok(());
    }
    let (code, message) = fresh_code(&citizen, purpose, now);
    state.store.issue_code(&code, &message).await?;
    Ok(())
}

/// Sets a new password with a reset code; every session of the account ends, and `client`
/// (which proved it holds the code) is no longer slowed down for the account.
pub async fn reset_password(
    state: &App,
    login: &str,
    code: &str,
    password: String,
    client: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    check_password_rules(&password)?;
    let mut citizen = take_code(state, login, CodePurpose::Reset, code, now).await?;
    citizen.password_hash = hash(password).await?;
    // The code reached the owner's mailbox or phone, which proves it as well.
    citizen.verified_at.get_or_insert(now);
    let store = &state.store;
    store.put_citizen(&citizen).await?;
    store.revoke_sessions(&citizen.id, None, now).await?;
    state.limits.login.succeed(&login_target(&citizen), client);
    Ok(())
}

fn wrong_login() -> AppError {
    AppError::new(
        Kind::Unauthenticated,
        "invalid_credentials",
        "error-invalid-credentials",
    )
}

/// A new session: its secret token (given once to the browser or app) and the stored record.
pub struct NewSession {
    pub token: String,
    pub session: CitizenSession,
    pub citizen: Citizen,
}

/// The key of an account's log-in failures.
fn login_target(c: &Citizen) -> String {
    format!("citizen:{}", c.id)
}

/// Checks the password from `client` and opens a session. Wrong passwords slow that client
/// down for the login (see [`crate::ratelimit::Guard`]), never the account's owner elsewhere.
pub async fn log_in(
    state: &App,
    login: &str,
    password: String,
    user_agent: &str,
    client: &str,
    now: DateTime<Utc>,
) -> Result<NewSession, AppError> {
    let login = Login::parse(login).map_err(|_| wrong_login())?;
    if password.len() > 1000 {
        return Err(wrong_login());
    }
    let store = &state.store;
    let citizen = store.citizen_by_login(&login.key()).await?;
    // Unknown logins are counted under the login itself, so that guessing which exist costs
    // the same as guessing passwords.
    let target = citizen
        .as_ref()
        .map(login_target)
        .unwrap_or_else(|| format!("login:{}", login.key()));
    state
        .limits
        .login
        .attempt(&target, client)
        .map_err(AppError::too_many_attempts)?;
    let ok = check_password(password, citizen.as_ref().map(|c| c.password_hash.clone())).await?;
    let Some(citizen) = citizen.filter(|_| ok) else {
        return Err(wrong_login());
    };
    state.limits.login.succeed(&target, client);
    if citizen.verified_at.is_none() {
        return Err(AppError::new(
            Kind::Forbidden,
            "account_not_verified",
            "error-account-not-verified",
        ));
    }
    open_session(state, citizen, user_agent, now).await
}

/// Opens a session for a citizen who has just proven who they are.
pub async fn open_session(
    state: &App,
    citizen: Citizen,
    user_agent: &str,
    now: DateTime<Utc>,
) -> Result<NewSession, AppError> {
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
    state.store.create_session(&session).await?;
    tracing::info!(citizen = %citizen.id, "citizen session opened");
    Ok(NewSession {
        token,
        session,
        citizen,
    })
}

/// Sends a code to an e-mail address or mobile number the citizen adds to the account (or
/// puts in place of the one they have): the contact is the account's once the code comes
/// back ([`confirm_contact`]). At most a few codes per quarter hour.
pub async fn add_contact(
    state: &App,
    me: &Citizen,
    contact: &str,
    now: DateTime<Utc>,
) -> Result<Login, AppError> {
    let login = Login::parse(contact)?;
    let current = match &login {
        Login::Email(_) => me.email.as_deref(),
        Login::Phone(_) => me.phone.as_deref(),
    };
    if current == Some(login.key().as_str()) {
        return Err(AppError::new(
            Kind::Conflict,
            "contact_unchanged",
            "error-contact-unchanged",
        ));
    }
    state
        .limits
        .codes
        .take(&format!("contact:{}", me.id))
        .map_err(AppError::too_many_attempts)?;
    let code = new_code();
    let stored = OneTimeCode {
        citizen_id: me.id.clone(),
        purpose: CodePurpose::Contact,
        code_hash: contact_hash(me, &login, &code),
        expires_at: now + Duration::minutes(CODE_MINUTES),
        attempts: 0,
    };
    // The code goes to the new contact only: whoever holds it proves it is theirs.
    let to = Citizen {
        email: matches!(login, Login::Email(_)).then(|| login.key()),
        phone: matches!(login, Login::Phone(_)).then(|| login.key()),
        ..me.clone()
    };
    let message = code_message(&to, CodePurpose::Contact, &code, now);
    state.store.issue_code(&stored, &message).await?;
    Ok(login)
}

/// The hash a contact's code is kept as: bound to the account and the contact, so a code
/// sent to one address cannot confirm another.
fn contact_hash(me: &Citizen, login: &Login, code: &str) -> String {
    code_hash(&me.id, &format!("{}:{code}", login.key()))
}

/// Makes `contact` the account's e-mail address or mobile number once `code` (sent to it by
/// [`add_contact`]) comes back. A contact another account uses is refused.
pub async fn confirm_contact(
    state: &App,
    me: &Citizen,
    contact: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Citizen, AppError> {
    let login = Login::parse(contact)?;
    let store = &state.store;
    let stored = store
        .one_time_code(&me.id, CodePurpose::Contact)
        .await?
        .ok_or_else(wrong_code)?;
    if stored.attempts >= CODE_ATTEMPTS {
        return Err(too_many(CODE_MINUTES));
    }
    let expected = contact_hash(me, &login, code.trim());
    if stored.expires_at <= now || !same_secret(&expected, &stored.code_hash) {
        store
            .count_code_attempt(&me.id, CodePurpose::Contact)
            .await?;
        return Err(wrong_code());
    }
    let mut updated = me.clone();
    match &login {
        Login::Email(e) => updated.email = Some(e.clone()),
        Login::Phone(p) => updated.phone = Some(p.e164()),
    }
    match store.put_citizen(&updated).await {
        Ok(()) => {}
        Err(StoreError::Duplicate(_)) => {
            return Err(AppError::new(
                Kind::Conflict,
                "contact_taken",
                "error-contact-taken",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    store.delete_code(&me.id, CodePurpose::Contact).await?;
    Ok(updated)
}

/// The profile as a citizen may change it.
#[derive(Debug, Default, Clone)]
pub struct ProfileChange {
    pub full_name: String,
    pub cccd: Option<String>,
    /// YYYY-MM-DD.
    pub birth_date: Option<String>,
    /// Province code of the 2025 list, e.g. `22`.
    pub province_code: Option<String>,
    /// Commune-level unit code of the 2025 list, e.g. `06652`.
    pub ward_code: Option<String>,
    pub address_line: Option<String>,
    /// `vi` or `en`: the language of notifications.
    pub lang: Option<Lang>,
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Applies a profile change, or lists every field that is wrong.
pub fn apply_profile(
    c: &mut Citizen,
    p: &ProfileChange,
    today: NaiveDate,
) -> Result<(), Vec<FieldProblem>> {
    let mut errors = Vec::new();
    let mut err = |field: &str, code: &'static str, message: Message| {
        errors.push(FieldProblem::new(field, code, message))
    };
    let name = check_name(&p.full_name);
    let cccd = blank(&p.cccd).map(Cccd::parse).transpose();
    let birth = blank(&p.birth_date)
        .map(|b| NaiveDate::parse_from_str(b, "%Y-%m-%d"))
        .transpose();
    if let Err(e) = &name {
        err("full_name", "invalid_name", e.details.message.clone());
    }
    if let Err(e) = &cccd {
        err("cccd", e.code(), Message::localised(e));
    }
    match &birth {
        Err(_) => err(
            "birth_date",
            "invalid_date",
            Message::key("error-invalid-date-birth-date"),
        ),
        Ok(Some(b)) if *b > today || chrono::Datelike::year(b) < 1900 => err(
            "birth_date",
            "invalid_date",
            Message::key("error-invalid-date-birth-date-2"),
        ),
        _ => {}
    }
    if let (Ok(Some(id)), Ok(Some(b))) = (&cccd, &birth)
        && id.check_birth_date(*b).is_err()
    {
        err(
            "cccd",
            "cccd_birth_year",
            Message::key("error-cccd-birth-year"),
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
            Message::key("error-unknown-province"),
        );
    }
    if let Some(code) = ward {
        match units.ward(code) {
            Some(w) if province.is_none() || w.province.as_deref() == province => {}
            _ => err(
                "ward_code",
                "unknown_ward",
                Message::key("error-unknown-ward"),
            ),
        }
    }
    let address = blank(&p.address_line);
    if address.is_some_and(|a| a.chars().count() > 200 || a.chars().any(char::is_control)) {
        err(
            "address_line",
            "invalid_address",
            Message::key("error-invalid-address"),
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

/// A browser or app signed in to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// Identifies the session for revocation (not a credential).
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub user_agent: String,
    /// The session asking.
    pub current: bool,
}

/// The account's live sessions.
pub async fn sessions(app: &App, me: &CitizenAuth) -> Result<Vec<SignedIn>, AppError> {
    let list = app
        .store
        .citizen_sessions(&me.citizen.id, Utc::now())
        .await?;
    Ok(list
        .into_iter()
        .map(|s| SignedIn {
            id: s.token_hash[..32].to_string(),
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            current: s.token_hash == me.session.token_hash,
            user_agent: s.user_agent,
        })
        .collect())
}

/// Revokes one of the account's sessions by the id [`sessions`] gives.
pub async fn revoke(app: &App, me: &CitizenAuth, id: &str) -> Result<(), AppError> {
    let now = Utc::now();
    let list = app.store.citizen_sessions(&me.citizen.id, now).await?;
    let Some(s) = list
        .iter()
        .find(|s| id.len() == 32 && s.token_hash.starts_with(id))
    else {
        return Err(AppError::not_found());
    };
    app.store
        .revoke_session(&me.citizen.id, &s.token_hash, now)
        .await?;
    Ok(())
}

//! Who is calling: staff with a bearer token from `POST /api/v1/auth/token`, an agency system
//! with an API key (both sent as `Authorization: Bearer …`), or nobody. Secrets are random
//! 256-bit values; only their SHA-256 is stored. Passwords are argon2id.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::Utc;
use motcua_domain::audit::sha256;
use motcua_domain::ids::{AgencyCode, DossierCode};
use motcua_domain::lifecycle::Dossier;
use motcua_domain::role::{Actor, Role};
use motcua_store::{
    ApiKey, Citizen, CitizenSession, DossierRecord, Scope, Store, StoreError, User,
};
use rand::Rng;

use crate::AppState;
use crate::error::{ApiError, ReqLang};

/// A fresh random secret with a readable prefix (`mct_` tokens, `mck_` API keys).
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(sha256(s.as_bytes()))
}

/// An argon2id PHC string for a password.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// A valid argon2id hash of a random string, checked when the account is unknown so that the
/// answer takes as long as for a wrong password.
pub(crate) const STAND_IN_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$bW90Y3VhLWR1bW15$Wbq0yZz9o3mWQv1rC+f8b9x0pZ3bRk8m9b2JqCq6p0E";

/// Checks a password off the async threads; with no account (`None`) it checks against a
/// stand-in hash and fails, taking the same time, so answers do not tell which logins exist.
pub(crate) async fn check_password(password: String, phc: Option<String>) -> bool {
    let known = phc.is_some();
    let phc = phc.unwrap_or_else(|| STAND_IN_HASH.to_string());
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .unwrap_or(false);
    ok && known
}

pub(crate) fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub(crate) enum Principal {
    Anonymous,
    Staff(User),
    System(ApiKey),
    /// A citizen signed in on the portal (session cookie) or in an app (bearer `mcs_` token).
    Citizen(Box<CitizenAuth>),
}

/// A citizen's live session.
#[derive(Debug, Clone)]
pub(crate) struct CitizenAuth {
    pub(crate) citizen: Citizen,
    pub(crate) session: CitizenSession,
}

/// Name of the portal's session cookie.
pub(crate) const SESSION_COOKIE: &str = "motcua_sid";
/// Header carrying the CSRF token on cookie-authenticated API writes.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";

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

/// Constant-time comparison of two secrets.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A cookie comes with every request the browser makes, so a write authenticated by one must
/// also show the session's anti-forgery token in a header, which another site cannot read.
fn cookie_write_allowed(
    parts: &Parts,
    expected: &str,
    lang: motcua_domain::Lang,
) -> Result<(), ApiError> {
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
        Err(ApiError::csrf(lang))
    }
}

impl Principal {
    /// The actor recorded on events, when the caller may act at all.
    pub(crate) fn actor(&self) -> Option<Actor> {
        match self {
            Principal::Anonymous => None,
            Principal::Staff(u) => Some(Actor::new(u.username.clone(), u.role, u.agency)),
            Principal::Citizen(c) => Some(Actor::new(c.citizen.id.clone(), Role::Applicant, None)),
            Principal::System(k) => Some(Actor::new(
                format!("api:{}", k.name),
                Role::AgencySystem,
                Some(k.agency),
            )),
        }
    }

    fn agency(&self) -> Option<AgencyCode> {
        match self {
            Principal::Anonymous | Principal::Citizen(_) => None,
            Principal::Staff(u) => u.agency,
            Principal::System(k) => Some(k.agency),
        }
    }

    pub(crate) fn has_scope(&self, scope: Scope) -> bool {
        match self {
            Principal::Anonymous | Principal::Citizen(_) => false,
            Principal::Staff(u) => u.role.is_staff(),
            Principal::System(k) => k.scopes.contains(&scope),
        }
    }

    /// Staff and systems see a dossier when their agency covers one the dossier was routed to.
    pub(crate) fn can_read(&self, d: &Dossier) -> bool {
        if let Principal::Citizen(c) = self {
            return d.intake.owner.as_deref() == Some(c.citizen.id.as_str());
        }
        self.has_scope(Scope::DossiersRead)
            && self.agency().is_some_and(|a| {
                d.involved
                    .iter()
                    .chain([&d.intake.receiving_agency, &d.intake.competent_agency])
                    .any(|x| a.covers(x))
            })
    }

    /// The dossier, when it exists and this principal may read it; `None` otherwise, so a
    /// dossier out of scope looks like one that does not exist. A storage failure stays an
    /// error (a 5xx), never a "not found". The API and the pages both read through here.
    pub(crate) async fn read_dossier(
        &self,
        store: &dyn Store,
        code: &DossierCode,
    ) -> Result<Option<DossierRecord>, StoreError> {
        Ok(store
            .dossier(code)
            .await?
            .filter(|r| self.can_read(&r.state)))
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ReqLang(lang) = ReqLang::from_request_parts(parts, state)
            .await
            .unwrap_or(ReqLang(Default::default()));
        let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION) else {
            // The back office's cookie: the officer's token, with its derived form token
            // required on every write.
            if let Some(token) = staff_cookie(&parts.headers) {
                let user = state
                    .store
                    .token_user(&sha256_hex(&token), Utc::now())
                    .await
                    .map_err(|e| ApiError::store(e, lang))?;
                if let Some(user) = user {
                    cookie_write_allowed(parts, &staff_csrf(&token), lang)?;
                    return Ok(Principal::Staff(user));
                }
            }
            let Some(token) = session_cookie(&parts.headers) else {
                return Ok(Principal::Anonymous);
            };
            let Some(auth) = citizen_session(state, &token, lang).await? else {
                return Ok(Principal::Anonymous);
            };
            cookie_write_allowed(parts, &auth.session.csrf, lang)?;
            return Ok(Principal::Citizen(Box::new(auth)));
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
            .ok_or_else(|| ApiError::unauthorized(lang))?;
        let hash = sha256_hex(secret);
        if secret.starts_with("mcs_") {
            return match citizen_session(state, secret, lang).await? {
                Some(auth) => Ok(Principal::Citizen(Box::new(auth))),
                None => Err(ApiError::unauthorized(lang)),
            };
        }
        if secret.starts_with("mck_") {
            return match state
                .store
                .api_key(&hash)
                .await
                .map_err(|e| ApiError::store(e, lang))?
            {
                Some(k) if !k.revoked => Ok(Principal::System(k)),
                _ => Err(ApiError::unauthorized(lang)),
            };
        }
        match state
            .store
            .token_user(&hash, Utc::now())
            .await
            .map_err(|e| ApiError::store(e, lang))?
        {
            Some(u) => Ok(Principal::Staff(u)),
            None => Err(ApiError::unauthorized(lang)),
        }
    }
}

/// Idle time after which a citizen's session ends.
pub(crate) const SESSION_IDLE_MINUTES: i64 = 30;
/// Longest life of a citizen's session, however active.
pub(crate) const SESSION_MAX_HOURS: i64 = 12;

/// The live session of a citizen token, extended while it is used.
pub(crate) async fn citizen_session(
    state: &AppState,
    token: &str,
    lang: motcua_domain::Lang,
) -> Result<Option<CitizenAuth>, ApiError> {
    let now = Utc::now();
    let hash = sha256_hex(token);
    let store = &state.store;
    let Some(session) = store
        .session(&hash, now)
        .await
        .map_err(|e| ApiError::store(e, lang))?
    else {
        return Ok(None);
    };
    let Some(citizen) = store
        .citizen(&session.citizen_id)
        .await
        .map_err(|e| ApiError::store(e, lang))?
    else {
        return Ok(None);
    };
    if now - session.last_seen_at > chrono::Duration::minutes(1) {
        let expires = (now + chrono::Duration::minutes(SESSION_IDLE_MINUTES))
            .min(session.created_at + chrono::Duration::hours(SESSION_MAX_HOURS));
        store
            .touch_session(&hash, now, expires)
            .await
            .map_err(|e| ApiError::store(e, lang))?;
    }
    Ok(Some(CitizenAuth { citizen, session }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let phc = hash_password("mật khẩu dài").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("mật khẩu dài", &phc));
        assert!(!verify_password("mat khau dai", &phc));
        assert!(!verify_password("x", "not a phc string"));
    }

    #[test]
    fn the_stand_in_hash_is_a_real_argon2_hash() {
        // Otherwise an unknown login would answer faster than a wrong password.
        assert!(PasswordHash::new(STAND_IN_HASH).is_ok());
        assert!(!verify_password("anything", STAND_IN_HASH));
    }

    #[tokio::test]
    async fn an_unknown_account_never_passes() {
        let phc = hash_password("mật khẩu").unwrap();
        assert!(check_password("mật khẩu".into(), Some(phc)).await);
        assert!(!check_password("mật khẩu".into(), None).await);
    }

    #[test]
    fn secrets_are_random_and_prefixed() {
        let (a, b) = (new_secret("mck_"), new_secret("mck_"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 64);
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

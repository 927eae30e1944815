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
use motcua_domain::ids::AgencyCode;
use motcua_domain::lifecycle::Dossier;
use motcua_domain::role::{Actor, Role};
use motcua_store::{ApiKey, Scope, User};
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
}

impl Principal {
    /// The actor recorded on events, when the caller may act at all.
    pub(crate) fn actor(&self) -> Option<Actor> {
        match self {
            Principal::Anonymous => None,
            Principal::Staff(u) => Some(Actor::new(u.username.clone(), u.role, u.agency)),
            Principal::System(k) => Some(Actor::new(
                format!("api:{}", k.name),
                Role::AgencySystem,
                Some(k.agency),
            )),
        }
    }

    fn agency(&self) -> Option<AgencyCode> {
        match self {
            Principal::Anonymous => None,
            Principal::Staff(u) => u.agency,
            Principal::System(k) => Some(k.agency),
        }
    }

    pub(crate) fn has_scope(&self, scope: Scope) -> bool {
        match self {
            Principal::Anonymous => false,
            Principal::Staff(u) => u.role.is_staff(),
            Principal::System(k) => k.scopes.contains(&scope),
        }
    }

    /// Staff and systems see a dossier when their agency covers one the dossier was routed to.
    pub(crate) fn can_read(&self, d: &Dossier) -> bool {
        self.has_scope(Scope::DossiersRead)
            && self.agency().is_some_and(|a| {
                d.involved
                    .iter()
                    .chain([&d.intake.receiving_agency, &d.intake.competent_agency])
                    .any(|x| a.covers(x))
            })
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
            return Ok(Principal::Anonymous);
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

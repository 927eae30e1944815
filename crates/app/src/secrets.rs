//! Secrets and passwords: random 256-bit secrets with a readable prefix, of which only the
//! SHA-256 is stored; passwords as argon2id; constant-time comparison.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use motcua_domain::audit::sha256;
use rand::Rng;

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
pub const STAND_IN_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$bW90Y3VhLWR1bW15$Wbq0yZz9o3mWQv1rC+f8b9x0pZ3bRk8m9b2JqCq6p0E";

/// Checks a password off the async threads; with no account (`None`) it checks against a
/// stand-in hash and fails, taking the same time, so answers do not tell which logins exist.
pub async fn check_password(password: String, phc: Option<String>) -> bool {
    let known = phc.is_some();
    let phc = phc.unwrap_or_else(|| STAND_IN_HASH.to_string());
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .unwrap_or(false);
    ok && known
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Constant-time comparison of two secrets.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
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

//! Secrets and passwords: random 256-bit secrets with a readable prefix, of which only the
//! SHA-256 is stored; passwords as argon2id; constant-time comparison.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use motcua_domain::audit::sha256;
use rand::Rng;
use std::sync::LazyLock;
use std::time::Duration;
use tokio::sync::Semaphore;

use crate::error::{AppError, Kind};

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

/// Password work allowed at once: each argon2id check holds 19 MiB and a core for tens of
/// milliseconds, so a burst of log-ins queues here instead of exhausting memory and starving
/// every other request.
static PASSWORD_SLOTS: LazyLock<Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    Semaphore::new(2 * cores)
});

/// How long password work waits for a slot before the server says it is busy.
const PASSWORD_QUEUE: Duration = Duration::from_secs(5);

/// Runs argon2 work off the async threads, at most [`PASSWORD_SLOTS`] at a time; `busy` when
/// none frees up in time (the caller answers 503 with `Retry-After`).
async fn password_work<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let busy =
        || AppError::new(Kind::Unavailable, "busy", "error-busy-try-again").arg("seconds", 5_u64);
    let _slot = tokio::time::timeout(PASSWORD_QUEUE, PASSWORD_SLOTS.acquire())
        .await
        .map_err(|_| busy())?
        .map_err(|_| busy())?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::internal(format!("password work failed: {e}")))
}

/// Checks a password off the async threads; with no account (`None`) it checks against a
/// stand-in hash and fails, taking the same time, so answers do not tell which logins exist.
pub async fn check_password(password: String, phc: Option<String>) -> Result<bool, AppError> {
    let known = phc.is_some();
    let phc = phc.unwrap_or_else(|| STAND_IN_HASH.to_string());
    let ok = password_work(move || verify_password(&password, &phc)).await?;
    Ok(ok && known)
}

/// Hashes a password off the async threads, sharing the slots of [`check_password`].
pub async fn hash_password_queued(password: String) -> Result<String, AppError> {
    password_work(move || hash_password(&password))
        .await?
        .map_err(|e| AppError::internal(format!("hashing a password failed: {e}")))
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
        assert!(check_password("mật khẩu".into(), Some(phc)).await.unwrap());
        assert!(!check_password("mật khẩu".into(), None).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn password_work_runs_a_few_at_a_time_and_all_of_it_gets_done() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static RUNNING: AtomicUsize = AtomicUsize::new(0);
        static MOST: AtomicUsize = AtomicUsize::new(0);
        let burst = (0..40).map(|_| {
            tokio::spawn(password_work(|| {
                let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
                MOST.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(20));
                RUNNING.fetch_sub(1, Ordering::SeqCst);
            }))
        });
        for task in futures_util::future::join_all(burst).await {
            task.unwrap().unwrap();
        }
        let slots = 2 * std::thread::available_parallelism().map_or(2, usize::from);
        let most = MOST.load(Ordering::SeqCst);
        assert!((1..=slots).contains(&most), "{most} at once, {slots} slots");
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

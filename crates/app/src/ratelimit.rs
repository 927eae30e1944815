//! Failure counting for login and public tracking: after too many failures for one key in a
//! window, further attempts are refused until the window passes. In memory, per server
//! instance; enough to make guessing passwords or four-digit tracking codes impractical.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Limiter {
    max_failures: u32,
    window: Duration,
    entries: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Limiter {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Limiter {
            max_failures,
            window,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(wait)` while the key is locked out.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        match entries.get(key) {
            Some((n, since)) if *n >= self.max_failures && since.elapsed() < self.window => {
                Err(self.window.saturating_sub(since.elapsed()))
            }
            _ => Ok(()),
        }
    }

    pub fn fail(&self, key: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() > 100_000 {
            let window = self.window;
            entries.retain(|_, (_, since)| since.elapsed() < window);
        }
        let e = entries
            .entry(key.to_string())
            .or_insert((0, Instant::now()));
        if e.1.elapsed() >= self.window {
            *e = (0, Instant::now());
        }
        e.0 += 1;
    }

    pub fn reset(&self, key: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

pub struct Limits {
    /// Per username: 5 wrong passwords lock the account for 15 minutes.
    pub login: Limiter,
    /// Per dossier code: 10 wrong second factors block lookups for an hour.
    pub track: Limiter,
    /// Per login and purpose: 3 one-time codes sent per 15 minutes.
    pub codes: Limiter,
    /// Per branch and phone number: 5 appointments booked per hour.
    pub bookings: Limiter,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            login: Limiter::new(5, Duration::from_secs(15 * 60)),
            track: Limiter::new(10, Duration::from_secs(60 * 60)),
            codes: Limiter::new(3, Duration::from_secs(15 * 60)),
            bookings: Limiter::new(5, Duration::from_secs(60 * 60)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_limit_and_resets() {
        let l = Limiter::new(2, Duration::from_secs(60));
        assert!(l.check("a").is_ok());
        l.fail("a");
        assert!(l.check("a").is_ok());
        l.fail("a");
        assert!(l.check("a").is_err());
        assert!(l.check("b").is_ok());
        l.reset("a");
        assert!(l.check("a").is_ok());
    }

    #[test]
    fn window_expires() {
        let l = Limiter::new(1, Duration::from_millis(10));
        l.fail("a");
        assert!(l.check("a").is_err());
        std::thread::sleep(Duration::from_millis(20));
        assert!(l.check("a").is_ok());
    }
}

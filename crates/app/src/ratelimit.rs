//! Abuse limits, in memory per server instance.
//!
//! - [`Guard`] slows down guessing (passwords, tracking codes) without handing an attacker a
//!   way to lock out the victim: failures count for the pair of target and client, for the
//!   client alone and for the target alone, and each count, past its free allowance, makes
//!   the next attempt wait twice as long as the one before, up to a cap. A client that has
//!   succeeded for a target before is not held back by the target's count, so strangers'
//!   guesses from elsewhere never stop the owner.
//! - [`Limiter`] caps how often something may be done per key in a window (codes sent,
//!   bookings made, tickets taken).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most this many keys are kept per counter; past it, the stale ones are dropped.
const MAX_KEYS: usize = 100_000;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Fixed-window count per key: at most `max` events per `window`.
pub struct Limiter {
    max: u32,
    window: Duration,
    entries: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Limiter {
    pub fn new(max: u32, window: Duration) -> Self {
        Limiter {
            max,
            window,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one event for the key when its window has room: `Err(wait)` when it has not.
    /// Checked and counted together, so racing requests cannot pass the limit.
    pub fn take(&self, key: &str) -> Result<(), Duration> {
        let mut entries = lock(&self.entries);
        if entries.len() > MAX_KEYS {
            let window = self.window;
            entries.retain(|_, (_, since)| since.elapsed() < window);
        }
        let e = entries
            .entry(key.to_string())
            .or_insert((0, Instant::now()));
        if e.1.elapsed() >= self.window {
            *e = (0, Instant::now());
        }
        if e.0 >= self.max {
            return Err(self.window.saturating_sub(e.1.elapsed()));
        }
        e.0 += 1;
        Ok(())
    }
}

/// How one failure count slows attempts down.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// Failures allowed before any wait.
    pub free: u32,
    /// The first wait; each further failure doubles it.
    pub first: Duration,
    /// The longest wait.
    pub cap: Duration,
}

impl Backoff {
    /// The wait after `failures` failures, counted from the last one.
    fn delay(&self, failures: u32) -> Duration {
        if failures < self.free {
            return Duration::ZERO;
        }
        let doublings = (failures - self.free).min(30);
        self.first.saturating_mul(1 << doublings).min(self.cap)
    }

    /// A count with no failure for this long starts afresh.
    fn forget(&self) -> Duration {
        self.cap.saturating_mul(2).max(Duration::from_secs(15 * 60))
    }
}

/// Failures per key and when the last one happened.
struct Counts {
    backoff: Backoff,
    entries: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Counts {
    fn new(backoff: Backoff) -> Self {
        Counts {
            backoff,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn wait(&self, key: &str, now: Instant) -> Duration {
        match lock(&self.entries).get(key) {
            Some((n, last)) if now.duration_since(*last) < self.backoff.forget() => self
                .backoff
                .delay(*n)
                .saturating_sub(now.duration_since(*last)),
            _ => Duration::ZERO,
        }
    }

    fn fail(&self, key: &str, now: Instant) {
        let mut entries = lock(&self.entries);
        let forget = self.backoff.forget();
        if entries.len() > MAX_KEYS {
            entries.retain(|_, (_, last)| now.duration_since(*last) < forget);
        }
        let e = entries.entry(key.to_string()).or_insert((0, now));
        if now.duration_since(e.1) >= forget {
            e.0 = 0;
        }
        e.0 = e.0.saturating_add(1);
        e.1 = now;
    }

    fn reset(&self, key: &str) {
        lock(&self.entries).remove(key);
    }

    /// Takes back one failure counted for an attempt that succeeded.
    fn refund(&self, key: &str) {
        if let Some(e) = lock(&self.entries).get_mut(key) {
            e.0 = e.0.saturating_sub(1);
        }
    }
}

/// Slows down guessing of one kind of secret (see the module's description).
pub struct Guard {
    pair: Counts,
    client: Counts,
    target: Counts,
    /// Pairs of target and client that succeeded, and when.
    known: Mutex<HashMap<String, Instant>>,
}

/// How long a client that succeeded for a target stays exempt from the target's count.
const KNOWN_FOR: Duration = Duration::from_secs(30 * 24 * 60 * 60);

impl Guard {
    /// A guard with these allowances for the pair, the client alone and the target alone.
    pub fn new(pair: Backoff, client: Backoff, target: Backoff) -> Self {
        Guard {
            pair: Counts::new(pair),
            client: Counts::new(client),
            target: Counts::new(target),
            known: Mutex::new(HashMap::new()),
        }
    }

    fn pair_key(target: &str, client: &str) -> String {
        format!("{target}\u{0}{client}")
    }

    /// Starts an attempt by `client` at `target`: `Err(wait)` while the client must wait;
    /// otherwise the attempt is counted as a failure at once, so that many attempts sent
    /// together are held to the allowance as surely as attempts sent one by one, and
    /// [`Guard::succeed`] takes it back if it succeeds.
    pub fn attempt(&self, target: &str, client: &str) -> Result<(), Duration> {
        let now = Instant::now();
        self.check_at(target, client, now)?;
        self.fail_at(target, client, now);
        Ok(())
    }

    fn check_at(&self, target: &str, client: &str, now: Instant) -> Result<(), Duration> {
        let pair = Self::pair_key(target, client);
        let known = lock(&self.known)
            .get(&pair)
            .is_some_and(|at| now.duration_since(*at) < KNOWN_FOR);
        let mut wait = self
            .pair
            .wait(&pair, now)
            .max(self.client.wait(client, now));
        if !known {
            wait = wait.max(self.target.wait(target, now));
        }
        if wait.is_zero() { Ok(()) } else { Err(wait) }
    }

    fn fail_at(&self, target: &str, client: &str, now: Instant) {
        self.pair.fail(&Self::pair_key(target, client), now);
        self.client.fail(client, now);
        self.target.fail(target, now);
    }

    /// Records that an attempt succeeded: its count is taken back, the pair starts afresh and
    /// the client is known to the target. The client's and the target's earlier failures
    /// stay, so one good account does not wash away guesses at others.
    pub fn succeed(&self, target: &str, client: &str) {
        self.succeed_at(target, client, Instant::now());
    }

    /// Looks `target` up for `client` behind the guard: the attempt counts as a failure until
    /// `look` finds it, which forgives it; not found, whatever the reason, is "not found", and
    /// a client that must wait is told so before anything is read.
    pub async fn look_up<T>(
        &self,
        target: &str,
        client: &str,
        look: impl Future<Output = Result<Option<T>, crate::error::AppError>>,
    ) -> Result<T, crate::error::AppError> {
        self.attempt(target, client)
            .map_err(crate::error::AppError::too_many_attempts)?;
        let found = look.await?.ok_or_else(crate::error::AppError::not_found)?;
        self.succeed(target, client);
        Ok(found)
    }

    fn succeed_at(&self, target: &str, client: &str, now: Instant) {
        let pair = Self::pair_key(target, client);
        self.pair.reset(&pair);
        self.client.refund(client);
        self.target.refund(target);
        let mut known = lock(&self.known);
        if known.len() > MAX_KEYS {
            known.retain(|_, at| now.duration_since(*at) < KNOWN_FOR);
        }
        known.insert(pair, now);
    }
}

const fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

pub struct Limits {
    /// Log-in, per account (officer or citizen): five free wrong passwords per client and
    /// account, then waits from 30 s doubling to 15 minutes; twenty per client over all
    /// accounts; ten per account over all clients, then waits from 15 s to a minute at most
    /// (which never hold back a client that signed in to the account before).
    pub login: Guard,
    /// Public tracking (and appointment look-ups), per dossier code: ten free wrong second
    /// factors per client and code, thirty per client, twenty per code (then waits of at most
    /// 15 minutes, which never hold back a client that tracked the dossier before).
    pub track: Guard,
    /// Check-in at a kiosk, per branch (the target) and kiosk (the client): wrong appointment
    /// codes.
    pub check_in: Guard,
    /// Per login and purpose: 3 one-time codes sent per 15 minutes.
    pub codes: Limiter,
    /// Per branch and phone number: 5 booking attempts per hour.
    pub bookings: Limiter,
    /// Per branch and client: 10 booking attempts per hour, whatever the phone numbers.
    pub bookings_per_client: Limiter,
    /// Per slot and client: 2 booking attempts an hour.
    pub bookings_per_slot: Limiter,
    /// Per branch and client on the web: tickets an hour.
    pub web_tickets: Limiter,
    /// Per branch and group: 30 tickets a minute (a busy kiosk issues one every few seconds).
    pub group_tickets: Limiter,
    /// Per client: 20 accounts registered per hour.
    pub registrations: Limiter,
    /// Per client: 10 petitions filed per hour.
    pub petitions: Limiter,
    /// Per client: 10 questions to an officer per hour.
    pub questions: Limiter,
}

impl Default for Limits {
    fn default() -> Self {
        let backoff = |free, first, cap| Backoff {
            free,
            first: secs(first),
            cap: secs(cap),
        };
        Limits {
            login: Guard::new(
                backoff(5, 30, 15 * 60),
                backoff(20, 30, 15 * 60),
                backoff(10, 15, 60),
            ),
            track: Guard::new(
                backoff(10, 30, 60 * 60),
                backoff(30, 30, 60 * 60),
                backoff(20, 15, 15 * 60),
            ),
            check_in: Guard::new(
                backoff(5, 30, 15 * 60),
                backoff(10, 30, 15 * 60),
                backoff(50, 15, 60),
            ),
            codes: Limiter::new(3, secs(15 * 60)),
            bookings: Limiter::new(5, secs(60 * 60)),
            bookings_per_client: Limiter::new(10, secs(60 * 60)),
            bookings_per_slot: Limiter::new(2, secs(60 * 60)),
            web_tickets: Limiter::new(crate::floor::WEB_TICKETS_PER_HOUR, secs(60 * 60)),
            group_tickets: Limiter::new(30, secs(60)),
            registrations: Limiter::new(20, secs(60 * 60)),
            petitions: Limiter::new(10, secs(60 * 60)),
            questions: Limiter::new(10, secs(60 * 60)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> Guard {
        let b = |free, cap| Backoff {
            free,
            first: secs(1),
            cap: secs(cap),
        };
        Guard::new(b(2, 600), b(5, 600), b(4, 60))
    }

    #[test]
    fn limiter_counts_per_window() {
        let l = Limiter::new(2, Duration::from_millis(20));
        assert!(l.take("a").is_ok());
        assert!(l.take("a").is_ok());
        assert!(l.take("a").is_err());
        assert!(l.take("b").is_ok());
        std::thread::sleep(Duration::from_millis(30));
        assert!(l.take("a").is_ok());
    }

    #[test]
    fn waits_double_after_the_free_failures_and_stop_at_the_cap() {
        let b = Backoff {
            free: 3,
            first: secs(1),
            cap: secs(10),
        };
        let waits: Vec<u64> = (0..8).map(|n| b.delay(n).as_secs()).collect();
        assert_eq!(waits, [0, 0, 0, 1, 2, 4, 8, 10]);
    }

    #[test]
    fn a_client_is_slowed_down_and_a_wait_runs_out() {
        let g = guard();
        let t0 = Instant::now();
        g.fail_at("acc", "1.1.1.1", t0);
        assert!(g.check_at("acc", "1.1.1.1", t0).is_ok());
        g.fail_at("acc", "1.1.1.1", t0);
        assert_eq!(g.check_at("acc", "1.1.1.1", t0), Err(secs(1)));
        assert!(g.check_at("acc", "1.1.1.1", t0 + secs(1)).is_ok());
        g.fail_at("acc", "1.1.1.1", t0 + secs(1));
        assert_eq!(g.check_at("acc", "1.1.1.1", t0 + secs(1)), Err(secs(2)));
        // Another client is not held back by this one's failures.
        assert!(g.check_at("acc", "2.2.2.2", t0 + secs(1)).is_ok());
    }

    #[test]
    fn strangers_never_stop_a_client_that_succeeded_before() {
        let g = guard();
        let t0 = Instant::now();
        g.succeed_at("acc", "owner", t0);
        // Many clients, each within its own allowance, together exhaust the account's.
        for i in 0..8 {
            g.fail_at("acc", &format!("10.0.0.{i}"), t0);
        }
        assert!(g.check_at("acc", "someone-new", t0).is_err());
        assert!(g.check_at("acc", "owner", t0).is_ok());
        // The account's own wait is capped at a minute.
        assert!(g.check_at("acc", "someone-new", t0 + secs(60)).is_ok());
    }

    #[test]
    fn a_client_guessing_across_targets_is_slowed_down() {
        let g = guard();
        let t0 = Instant::now();
        for i in 0..5 {
            g.fail_at(&format!("acc{i}"), "bot", t0);
        }
        assert!(g.check_at("fresh", "bot", t0).is_err());
        assert!(g.check_at("fresh", "human", t0).is_ok());
    }

    #[test]
    fn success_clears_the_pair_but_not_the_clients_count() {
        let g = guard();
        let t0 = Instant::now();
        for _ in 0..2 {
            g.fail_at("acc", "c", t0);
        }
        // The successful attempt is counted when it starts and taken back when it succeeds.
        g.fail_at("acc", "c", t0);
        g.succeed_at("acc", "c", t0);
        assert!(g.check_at("acc", "c", t0).is_ok());
        for i in 0..3 {
            g.fail_at(&format!("x{i}"), "c", t0);
        }
        assert!(
            g.check_at("acc", "c", t0).is_err(),
            "five failures of the client"
        );
    }

    #[test]
    fn attempts_sent_together_are_held_to_the_allowance() {
        let g = guard();
        // Nothing has failed yet when they start: only the free ones may go ahead.
        let started = (0..10)
            .filter(|i| g.attempt(&format!("acc{i}"), "bot").is_ok())
            .count();
        assert_eq!(started, 5);
    }
}

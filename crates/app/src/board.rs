//! The floor, live. Each server instance follows the database five times a second — new
//! calls and new ratings — and re-reads each group's waiting line every second, with one query
//! each whatever the number of boards, tablets and summary pages connected, and fans the news
//! out: calls through a broadcast channel (a board that reconnects names the last call it
//! showed, `Last-Event-ID`, and is replayed what it missed from the log), waiting lines and
//! today's rating counts as snapshots that subscribers read when they change. A change made
//! through this instance wakes the follower at once, so its own screens see a call within
//! milliseconds; calls, tickets and ratings made through any instance reach every screen, and
//! none is lost.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{NaiveDate, Utc};
use motcua_domain::calendar::TZ;
use motcua_store::{GroupLoad, RatingCount, Store, TicketCall};
use tokio::sync::{Notify, broadcast, watch};

/// How often an instance looks for new calls and ratings.
pub const EVERY: StdDuration = StdDuration::from_millis(200);
/// Waiting lines are re-read this often: a second's delay on a waiting count is unnoticed,
/// while re-reading on every ticket would send every board an event per ticket.
const LOAD_EVERY: StdDuration = StdDuration::from_secs(1);
/// Calls a slow board may fall behind before it is told to reconnect (and is replayed).
const BUFFER: usize = 1024;

/// Rows read for one local day: the waiting lines per branch and group ([`Loads`]), or the
/// ratings counted by place and level ([`Ratings`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Daily<T> {
    pub day: Option<NaiveDate>,
    pub rows: Vec<T>,
}

impl<T> Default for Daily<T> {
    fn default() -> Self {
        Daily {
            day: None,
            rows: Vec::new(),
        }
    }
}

pub type Loads = Daily<GroupLoad>;
pub type Ratings = Daily<RatingCount>;

impl Loads {
    pub fn of(&self, branch: &str, group: &str) -> Option<&GroupLoad> {
        self.rows
            .iter()
            .find(|l| l.branch == branch && l.group == group)
    }
}

/// Today's snapshot kept in `sender`, or, when it holds another day's (or none yet), today's
/// rows read at once; the kept one when reading fails.
async fn today_or_read<T, F>(
    sender: &watch::Sender<Arc<Daily<T>>>,
    read: F,
    what: &str,
) -> Arc<Daily<T>>
where
    F: std::future::Future<Output = Result<Vec<T>, motcua_store::StoreError>>,
{
    let day = today();
    let current = sender.borrow().clone();
    if current.day == Some(day) {
        return current;
    }
    match read.await {
        Ok(rows) => Arc::new(Daily {
            day: Some(day),
            rows,
        }),
        Err(e) => {
            tracing::warn!(error = %e, "floor: reading {what}");
            current
        }
    }
}

/// The fan-out of the floor's news to the pages connected to this instance.
#[derive(Clone)]
pub struct Live {
    /// Wakes the follower at once after a change made through this instance; changes made
    /// elsewhere are picked up on the next tick.
    wake: Arc<Notify>,
    calls: broadcast::Sender<TicketCall>,
    loads: watch::Sender<Arc<Loads>>,
    ratings: watch::Sender<Arc<Ratings>>,
}

fn today() -> NaiveDate {
    Utc::now().with_timezone(&TZ).date_naive()
}

impl Default for Live {
    fn default() -> Live {
        let (calls, _) = broadcast::channel(BUFFER);
        Live {
            wake: Arc::new(Notify::new()),
            calls,
            loads: watch::Sender::new(Arc::default()),
            ratings: watch::Sender::new(Arc::default()),
        }
    }
}

impl Live {
    /// Says that a ticket was called, issued or moved, or a rating given, here and now.
    pub fn poke(&self) {
        self.wake.notify_one();
    }

    pub fn subscribe(&self) -> broadcast::Receiver<TicketCall> {
        self.calls.subscribe()
    }

    pub fn loads(&self) -> watch::Receiver<Arc<Loads>> {
        self.loads.subscribe()
    }

    pub fn ratings(&self) -> watch::Receiver<Arc<Ratings>> {
        self.ratings.subscribe()
    }

    /// The waiting lines now: the last snapshot when it is today's, else read at once.
    pub async fn loads_now(&self, store: &dyn Store) -> Arc<Loads> {
        today_or_read(&self.loads, store.day_load(today()), "the waiting lines").await
    }

    /// Today's rating counts now (read at once when no snapshot of today is kept).
    pub async fn ratings_now(&self, store: &dyn Store) -> Arc<Ratings> {
        let day = today();
        today_or_read(
            &self.ratings,
            store.rating_counts(day, day),
            "today's ratings",
        )
        .await
    }
}

/// Where the live fan-out has got to in the call and rating logs: one [`Follower::run_once`]
/// reads what is new since and sends it to the screens. [`crate::jobs`] runs it five times a
/// second and whenever a change made through this instance wakes it.
pub struct Follower {
    live: Live,
    store: Arc<dyn Store>,
    last_call: i64,
    last_rating: i64,
    loaded: Option<tokio::time::Instant>,
}

impl Follower {
    /// Starts after the last call and rating logged so far (older ones are replayed to a board
    /// that asks for them, from the log).
    pub async fn new(live: Live, store: Arc<dyn Store>) -> Follower {
        let (last_call, last_rating) =
            match tokio::try_join!(store.last_call_id(), store.last_rating_id()) {
                Ok(x) => x,
                Err(e) => {
                    tracing::error!(error = %e, "floor: reading the call and rating logs");
                    (0, 0)
                }
            };
        Follower {
            live,
            store,
            last_call,
            last_rating,
            loaded: None,
        }
    }

    /// Waits for the next round: the tick, or a change made through this instance.
    pub async fn next(&self, tick: &mut tokio::time::Interval) {
        tokio::select! {
            _ = tick.tick() => {}
            _ = self.live.wake.notified() => {}
        }
    }

    /// Sends new calls, the waiting lines (at most once a second) and today's rating counts
    /// (when a rating came or the day changed) to the screens.
    pub async fn run_once(&mut self) {
        let (live, store) = (&self.live, &self.store);
        match store.calls_since(self.last_call, None, 1000).await {
            Ok(calls) => {
                for c in calls {
                    self.last_call = self.last_call.max(c.id);
                    // No board listening is not an error.
                    let _ = live.calls.send(c);
                }
            }
            Err(e) => tracing::warn!(error = %e, "floor: reading new calls"),
        }
        let day = today();
        if self.loaded.is_none_or(|at| at.elapsed() >= LOAD_EVERY) {
            self.loaded = Some(tokio::time::Instant::now());
            match store.day_load(day).await {
                Ok(rows) => {
                    let fresh = Loads {
                        day: Some(day),
                        rows,
                    };
                    live.loads.send_if_modified(|l| {
                        let changed = **l != fresh;
                        if changed {
                            *l = Arc::new(fresh);
                        }
                        changed
                    });
                }
                Err(e) => tracing::warn!(error = %e, "floor: reading the waiting lines"),
            }
        }
        let stale = live.ratings.borrow().day != Some(day);
        match store.ratings_since(self.last_rating, 1000).await {
            Ok(new) if !new.is_empty() || stale => {
                if let Some(r) = new.last() {
                    self.last_rating = r.id;
                }
                match store.rating_counts(day, day).await {
                    Ok(rows) => {
                        live.ratings.send_replace(Arc::new(Ratings {
                            day: Some(day),
                            rows,
                        }));
                    }
                    Err(e) => tracing::warn!(error = %e, "floor: counting ratings"),
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "floor: reading new ratings"),
        }
    }
}

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
const EVERY: StdDuration = StdDuration::from_millis(200);
/// Waiting lines are re-read this often: a second's delay on a waiting count is unnoticed,
/// while re-reading on every ticket would send every board an event per ticket.
const LOAD_EVERY: StdDuration = StdDuration::from_secs(1);
/// Calls a slow board may fall behind before it is told to reconnect (and is replayed).
const BUFFER: usize = 1024;

/// Rows read for one local day: the waiting lines per branch and group ([`Loads`]), or the
/// ratings counted by place and level ([`Ratings`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Daily<T> {
    pub(crate) day: Option<NaiveDate>,
    pub(crate) rows: Vec<T>,
}

impl<T> Default for Daily<T> {
    fn default() -> Self {
        Daily {
            day: None,
            rows: Vec::new(),
        }
    }
}

pub(crate) type Loads = Daily<GroupLoad>;
pub(crate) type Ratings = Daily<RatingCount>;

impl Loads {
    pub(crate) fn of(&self, branch: &str, group: &str) -> Option<&GroupLoad> {
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
pub(crate) struct Live {
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

impl Live {
    pub(crate) fn new() -> Live {
        let (calls, _) = broadcast::channel(BUFFER);
        Live {
            wake: Arc::new(Notify::new()),
            calls,
            loads: watch::Sender::new(Arc::default()),
            ratings: watch::Sender::new(Arc::default()),
        }
    }

    /// Says that a ticket was called, issued or moved, or a rating given, here and now.
    pub(crate) fn poke(&self) {
        self.wake.notify_one();
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<TicketCall> {
        self.calls.subscribe()
    }

    pub(crate) fn loads(&self) -> watch::Receiver<Arc<Loads>> {
        self.loads.subscribe()
    }

    pub(crate) fn ratings(&self) -> watch::Receiver<Arc<Ratings>> {
        self.ratings.subscribe()
    }

    /// The waiting lines now: the last snapshot when it is today's, else read at once.
    pub(crate) async fn loads_now(&self, store: &dyn Store) -> Arc<Loads> {
        today_or_read(&self.loads, store.day_load(today()), "the waiting lines").await
    }

    /// Today's rating counts now (read at once when no snapshot of today is kept).
    pub(crate) async fn ratings_now(&self, store: &dyn Store) -> Arc<Ratings> {
        let day = today();
        today_or_read(
            &self.ratings,
            store.rating_counts(day, day),
            "today's ratings",
        )
        .await
    }

    /// Follows the call log, the ratings and the waiting lines for as long as the server runs.
    pub(crate) fn follow(&self, store: Arc<dyn Store>) {
        let live = self.clone();
        tokio::spawn(async move {
            let (mut last_call, mut last_rating) =
                match tokio::try_join!(store.last_call_id(), store.last_rating_id()) {
                    Ok(x) => x,
                    Err(e) => {
                        tracing::error!(error = %e, "floor: reading the call and rating logs");
                        (0, 0)
                    }
                };
            let mut tick = tokio::time::interval(EVERY);
            let mut loaded: Option<tokio::time::Instant> = None;
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = live.wake.notified() => {}
                }
                match store.calls_since(last_call, None, 1000).await {
                    Ok(calls) => {
                        for c in calls {
                            last_call = last_call.max(c.id);
                            // No board listening is not an error.
                            let _ = live.calls.send(c);
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "floor: reading new calls"),
                }
                let day = today();
                if loaded.is_none_or(|at| at.elapsed() >= LOAD_EVERY) {
                    loaded = Some(tokio::time::Instant::now());
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
                match store.ratings_since(last_rating, 1000).await {
                    Ok(new) if !new.is_empty() || stale => {
                        if let Some(r) = new.last() {
                            last_rating = r.id;
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
        });
    }
}

//! The background jobs of a server instance, each a `run_once` called in a loop that ends when
//! shutdown is asked: the deadline watcher (every minute; one instance at a time does the work),
//! the catalog's reload (every two seconds, when another instance or an import changed it),
//! the live fan-out of the floor (five times a second, and at once after a change made here)
//! and, with a payment gateway's transaction API, the reconciliation of payments left pending
//! (every five minutes; one instance at a time).

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::App;
use crate::board::{self, Follower};
use crate::secrets::new_secret;

/// How often the server looks for catalog changes made elsewhere.
const CATALOG_EVERY: Duration = Duration::from_secs(2);
/// How often each instance tries to run the deadline watcher.
const WATCH_EVERY: Duration = Duration::from_secs(60);
/// How often each instance tries to reconcile payments left pending.
const RECONCILE_EVERY: Duration = Duration::from_secs(300);

/// Asks the jobs to stop; dropping it asks too.
pub struct Stop(watch::Sender<bool>);

/// What a job's loop waits on besides its tick.
#[derive(Clone)]
pub struct Shutdown(watch::Receiver<bool>);

/// A pair: the handle that stops, and what the jobs watch.
pub fn shutdown() -> (Stop, Shutdown) {
    let (tx, rx) = watch::channel(false);
    (Stop(tx), Shutdown(rx))
}

impl Stop {
    pub fn stop(self) {
        let _ = self.0.send(true);
    }
}

impl Shutdown {
    /// Resolves once shutdown is asked (or whoever could ask is gone).
    pub async fn asked(&mut self) {
        let _ = self.0.wait_for(|stop| *stop).await;
    }
}

/// Runs `round` every `every` until shutdown; a round under way is finished first.
async fn every<F, Fut>(every: Duration, mut shutdown: Shutdown, mut round: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => round().await,
            _ = shutdown.asked() => return,
        }
    }
}

impl App {
    /// Starts the instance's jobs; each ends after its current round once `shutdown` is asked.
    pub fn start_jobs(&self, shutdown: Shutdown) -> Vec<JoinHandle<()>> {
        let catalog = {
            let app = self.clone();
            tokio::spawn(every(CATALOG_EVERY, shutdown.clone(), move || {
                let app = app.clone();
                async move {
                    match app.catalog.refresh(&*app.store).await {
                        Ok(true) => tracing::info!(
                            procedures = app.catalog.index().len(),
                            "catalog index rebuilt"
                        ),
                        Ok(false) => {}
                        Err(e) => tracing::warn!(error = %e, "catalog index refresh failed"),
                    }
                }
            }))
        };
        let watcher = {
            let app = self.clone();
            let holder = new_secret("watch_");
            tokio::spawn(every(WATCH_EVERY, shutdown.clone(), move || {
                let (app, holder) = (app.clone(), holder.clone());
                async move {
                    if let Err(e) = crate::watch::run_once(&app, &holder).await {
                        tracing::warn!(error = %e, "deadline watch failed");
                    }
                }
            }))
        };
        let live = {
            let (app, mut shutdown) = (self.clone(), shutdown.clone());
            tokio::spawn(async move {
                let mut follower = Follower::new(app.live.clone(), app.store.clone()).await;
                let mut tick = tokio::time::interval(board::EVERY);
                loop {
                    tokio::select! {
                        _ = follower.next(&mut tick) => follower.run_once().await,
                        _ = shutdown.asked() => return,
                    }
                }
            })
        };
        let mut jobs = vec![catalog, watcher, live];
        // Payments whose IPN never came are asked about, when the gateway's API is known.
        if self.payment.as_ref().is_some_and(|p| p.api_url.is_some()) {
            let app = self.clone();
            let holder = new_secret("pay_");
            jobs.push(tokio::spawn(every(RECONCILE_EVERY, shutdown, move || {
                let (app, holder) = (app.clone(), holder.clone());
                async move {
                    if let Err(e) = crate::payments::run_once(&app, &holder).await {
                        tracing::warn!(error = %e, "payment reconciliation failed");
                    }
                }
            })));
        }
        jobs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_loop_finishes_its_round_and_stops_when_asked() {
        let (stop, shutdown) = shutdown();
        let rounds = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        let counted = rounds.clone();
        let job = tokio::spawn(every(Duration::from_millis(5), shutdown, move || {
            let counted = counted.clone();
            async move {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        }));
        while rounds.load(std::sync::atomic::Ordering::SeqCst) < 3 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        stop.stop();
        tokio::time::timeout(Duration::from_secs(5), job)
            .await
            .expect("the loop ends")
            .unwrap();
    }

    #[tokio::test]
    async fn dropping_the_stop_handle_stops_too() {
        let (stop, shutdown) = shutdown();
        let job = tokio::spawn(every(Duration::from_secs(3600), shutdown, || async {}));
        drop(stop);
        tokio::time::timeout(Duration::from_secs(5), job)
            .await
            .expect("the loop ends")
            .unwrap();
    }
}

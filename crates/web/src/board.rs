//! Live calls for the display boards. Each server instance reads new calls from the database
//! a few times a second (one query, whatever the number of boards) and fans them out to its
//! connected boards through a broadcast channel; a board that reconnects names the last call
//! it showed (`Last-Event-ID`) and is replayed what it missed from the database, so calls made
//! through any instance reach every board, and none is lost.

use std::time::Duration as StdDuration;

use motcua_store::{Store, TicketCall};
use tokio::sync::broadcast;

/// How often an instance looks for new calls.
const EVERY: StdDuration = StdDuration::from_millis(200);
/// Calls a slow board may fall behind before it is told to reconnect (and is replayed).
const BUFFER: usize = 1024;

/// The fan-out of new calls to the boards connected to this instance.
#[derive(Clone)]
pub(crate) struct Calls {
    tx: broadcast::Sender<TicketCall>,
}

impl Calls {
    pub(crate) fn new() -> Calls {
        let (tx, _) = broadcast::channel(BUFFER);
        Calls { tx }
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<TicketCall> {
        self.tx.subscribe()
    }

    /// Follows the call log from its current end for as long as the server runs.
    pub(crate) fn follow(&self, store: std::sync::Arc<dyn Store>) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let mut last = match store.last_call_id().await {
                Ok(id) => id,
                Err(e) => {
                    tracing::error!(error = %e, "board: reading the call log");
                    0
                }
            };
            let mut tick = tokio::time::interval(EVERY);
            loop {
                tick.tick().await;
                match store.calls_since(last, None, 1000).await {
                    Ok(calls) => {
                        for c in calls {
                            last = last.max(c.id);
                            // No board listening is not an error.
                            let _ = tx.send(c);
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "board: reading new calls"),
                }
            }
        });
    }
}

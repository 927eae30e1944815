//! The hash chain, and the one way into it.
//!
//! Every write that records events (a new dossier, an action on one, an administrator's
//! change) is a job handed to the [`Committer`]. The committer runs the jobs that are waiting
//! at that moment in one transaction — group commit: it reads and locks the chain head once,
//! runs each job under its own savepoint (a job that fails is undone alone and answered with
//! its error), lets each job extend the chain from where the previous one left it, writes the
//! batch's statistics once, moves the head once and commits once. Only then is any job
//! answered, so nothing is acknowledged that is not durable, and every event is a link of one
//! chain in the order of its `seq`. While one batch commits, the next one gathers; under load
//! one disk flush serves many writers, and with one writer a batch is just that writer's
//! transaction.
//!
//! Tamper evidence: event `seq` stores `hash = SHA-256(hash of seq − 1 ‖ body)` with
//! `prev_hash`, and the head row names the last `seq` and hash. [`verify`] recomputes every
//! link from the genesis hash, so changing a body, reordering, inserting or removing an event
//! anywhere before the head breaks a link or the head, and the first broken link is reported.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;

use motcua_domain::audit::{self, GENESIS, Hash};
use motcua_domain::lifecycle::Event;
use serde::{Deserialize, Serialize};
use sqlx::{Any as AnyDb, AnyConnection, AnyPool, Row, Transaction};
use tokio::sync::{mpsc, oneshot};

use crate::bulk::{self, Value};
use crate::contract::Backend;
use crate::error::StoreError;
use crate::model::{BrokenLink, ChainReport, Delivery};
use crate::record::Deferred;
use crate::rollup::Rollup;
use crate::sql::ms;

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Jobs taken into one transaction at most.
const MAX_BATCH: usize = 64;

/// What is hashed and stored for each dossier event.
#[derive(Serialize, Deserialize)]
pub(crate) struct Envelope {
    pub(crate) stream: String,
    pub(crate) version: u32,
    pub(crate) event: Event,
}

/// The canonical bytes of a dossier event: its envelope as compact JSON with sorted keys.
pub(crate) fn canonical(stream: &str, version: u32, event: &Event) -> Result<String, StoreError> {
    canonical_json(&Envelope {
        stream: stream.to_string(),
        version,
        event: event.clone(),
    })
}

/// Compact JSON with object keys sorted (through `serde_json::Value`, whose maps are ordered).
pub(crate) fn canonical_json(v: &impl Serialize) -> Result<String, StoreError> {
    Ok(serde_json::to_string(&serde_json::to_value(v)?)?)
}

pub(crate) fn decode_hash(s: &str) -> Result<Hash, StoreError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).map_err(|_| StoreError::Corrupt(format!("hash {s:?}")))?;
    Ok(out)
}

/// An event linked into the chain, as stored.
pub(crate) struct EventRow {
    pub(crate) seq: i64,
    pub(crate) stream: String,
    pub(crate) version: u32,
    pub(crate) kind: String,
    pub(crate) at: i64,
    pub(crate) body: String,
    pub(crate) prev_hash: String,
    pub(crate) hash: String,
}

/// Stores linked events, a few hundred per statement.
pub(crate) async fn store_events(
    conn: &mut AnyConnection,
    backend: Backend,
    rows: Vec<EventRow>,
) -> Result<(), StoreError> {
    let rows = rows
        .into_iter()
        .map(|e| {
            vec![
                Value::Int(e.seq),
                Value::Text(e.stream),
                Value::Int(i64::from(e.version)),
                Value::Text(e.kind),
                Value::Int(e.at),
                Value::Text(e.body),
                Value::Text(e.prev_hash),
                Value::Text(e.hash),
            ]
        })
        .collect();
    bulk::insert(
        conn,
        backend,
        "events",
        &[
            "seq",
            "stream",
            "version",
            "kind",
            "at",
            "body",
            "prev_hash",
            "hash",
        ],
        "",
        rows,
    )
    .await
}

/// The last link of the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Head {
    seq: i64,
    hash: Hash,
}

/// A job's view of the batch transaction: its connection, the chain it extends, and the
/// statistics its writes change.
pub(crate) struct Link {
    tx: Transaction<'static, AnyDb>,
    pub(crate) backend: Backend,
    head: Head,
    /// Statistics changed by the jobs of this batch that succeeded.
    batch: Rollup,
    /// Statistics changed by the running job.
    pub(crate) stats: Rollup,
    /// Rows of the jobs of this batch that succeeded, written when it commits.
    batch_rows: Deferred,
    /// Rows of the running job.
    pub(crate) rows: Deferred,
    /// The channels notifications can go out on (what to queue).
    pub(crate) delivery: Delivery,
}

impl Link {
    async fn begin(
        pool: &AnyPool,
        backend: Backend,
        delivery: Delivery,
    ) -> Result<Link, StoreError> {
        let mut tx = pool.begin().await?;
        let sql = match backend {
            Backend::Sqlite => "SELECT seq, hash FROM chain_head WHERE id = 1",
            Backend::Postgres => "SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE",
        };
        let row = sqlx::query(sql).fetch_one(&mut *tx).await?;
        let head = Head {
            seq: row.try_get("seq")?,
            hash: decode_hash(&row.try_get::<String, _>("hash")?)?,
        };
        Ok(Link {
            tx,
            backend,
            head,
            batch: Rollup::default(),
            stats: Rollup::default(),
            batch_rows: Deferred::default(),
            rows: Deferred::default(),
            delivery,
        })
    }

    /// The transaction's connection, for the job's own statements.
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Links one event after the head: hashes `body` after the previous link and moves the
    /// head. The row must then be stored with [`Link::store`] in the same transaction.
    pub(crate) fn link(
        &mut self,
        stream: &str,
        version: u32,
        kind: &str,
        at: chrono::DateTime<chrono::Utc>,
        body: String,
    ) -> EventRow {
        let seq = self.head.seq + 1;
        let hash = audit::link(&self.head.hash, body.as_bytes());
        let row = EventRow {
            seq,
            stream: stream.to_string(),
            version,
            kind: kind.to_string(),
            at: ms(at),
            body,
            prev_hash: hex::encode(self.head.hash),
            hash: hex::encode(hash),
        };
        self.head = Head { seq, hash };
        row
    }

    /// Stores linked events now (rather than with the batch's other rows).
    pub(crate) async fn store(&mut self, rows: Vec<EventRow>) -> Result<(), StoreError> {
        store_events(&mut self.tx, self.backend, rows).await
    }

    async fn savepoint(&mut self, sql: &'static str) -> Result<(), StoreError> {
        sqlx::query(sql).execute(&mut *self.tx).await?;
        Ok(())
    }

    /// Writes the batch's rows and statistics, moves the head and commits.
    async fn commit(mut self, start: Head) -> Result<(), StoreError> {
        let rows = std::mem::take(&mut self.batch_rows);
        rows.write(&mut self.tx, self.backend).await?;
        self.batch.flush(&mut self.tx, self.backend).await?;
        if self.head != start {
            sqlx::query("UPDATE chain_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(self.head.seq)
                .bind(hex::encode(self.head.hash))
                .execute(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        Ok(())
    }
}

type Answered = Box<dyn Any + Send>;
type Work =
    Box<dyn for<'a> FnOnce(&'a mut Link) -> BoxFuture<'a, Result<Answered, StoreError>> + Send>;

/// How a job shares its batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Under a savepoint: a failure undoes only this job.
    Savepoint,
    /// Without one: the job fails, when it fails on its own, before writing anything; a
    /// database failure aborts the batch.
    Simple,
    /// In a batch of its own (a long maintenance write).
    Alone,
}

struct Job {
    work: Work,
    reply: oneshot::Sender<Result<Answered, StoreError>>,
    mode: Mode,
}

/// The single way to write to the chain: see the module's documentation.
pub(crate) struct Committer {
    jobs: mpsc::Sender<Job>,
}

impl Committer {
    /// Starts the committer's task on the current runtime; it ends when the committer is
    /// dropped.
    pub(crate) fn start(
        pool: AnyPool,
        backend: Backend,
        delivery: std::sync::Arc<std::sync::atomic::AtomicU8>,
    ) -> Committer {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(pool, backend, delivery, rx));
        Committer { jobs }
    }

    /// Runs `work` in the next batch, under a savepoint, and answers once the batch is
    /// committed.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Link) -> BoxFuture<'a, Result<T, StoreError>> + Send + 'static,
    {
        self.submit(work, Mode::Savepoint).await
    }

    /// Runs `work` in the next batch without a savepoint: for work that, when it fails on its
    /// own (a version conflict, something not found), has written nothing yet — its rows go
    /// to [`Link::rows`] — so that only a database failure can leave a write half made, and
    /// that aborts the whole batch.
    pub(crate) async fn write_simple<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Link) -> BoxFuture<'a, Result<T, StoreError>> + Send + 'static,
    {
        self.submit(work, Mode::Simple).await
    }

    /// Runs `work` in a batch of its own: writes queue behind it until it commits.
    pub(crate) async fn write_alone<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Link) -> BoxFuture<'a, Result<T, StoreError>> + Send + 'static,
    {
        self.submit(work, Mode::Alone).await
    }

    async fn submit<T, F>(&self, work: F, mode: Mode) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Link) -> BoxFuture<'a, Result<T, StoreError>> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let work: Work = Box::new(move |l| {
            Box::pin(async move { work(l).await.map(|v| Box::new(v) as Answered) })
        });
        let stopped = || StoreError::Unavailable("the database writer has stopped".into());
        self.jobs
            .send(Job { work, reply, mode })
            .await
            .map_err(|_| stopped())?;
        let value = answer.await.map_err(|_| {
            StoreError::Unavailable("the write was not made (the writer failed)".into())
        })??;
        value
            .downcast::<T>()
            .map(|b| *b)
            .map_err(|_| StoreError::Corrupt("a write answered with the wrong type".into()))
    }
}

async fn run(
    pool: AnyPool,
    backend: Backend,
    delivery: std::sync::Arc<std::sync::atomic::AtomicU8>,
    mut rx: mpsc::Receiver<Job>,
) {
    let mut held: Option<Job> = None;
    loop {
        let first = match held.take() {
            Some(j) => j,
            None => match rx.recv().await {
                Some(j) => j,
                None => break,
            },
        };
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH && jobs[0].mode != Mode::Alone {
            match rx.try_recv() {
                Ok(j) if j.mode == Mode::Alone => {
                    held = Some(j);
                    break;
                }
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let delivery = Delivery::from_bits(delivery.load(std::sync::atomic::Ordering::Relaxed));
        // A batch runs as its own task, so that a panic in one (a bug) answers its jobs with
        // an error (their reply channels are dropped) and leaves the committer running.
        let batch = tokio::spawn(commit_batch(pool.clone(), backend, delivery, jobs));
        if let Err(e) = batch.await {
            tracing::error!(error = %e, "a batch of writes failed");
        }
    }
}

async fn commit_batch(pool: AnyPool, backend: Backend, delivery: Delivery, jobs: Vec<Job>) {
    let mut link = match Link::begin(&pool, backend, delivery).await {
        Ok(l) => l,
        Err(e) => {
            let msg = e.to_string();
            tracing::warn!(error = %e, jobs = jobs.len(), "could not start a batch of writes");
            for j in jobs {
                let _ = j.reply.send(Err(unavailable(&msg, &e)));
            }
            return;
        }
    };
    let start = link.head;
    // One job needs no savepoint: if it fails, the whole transaction is rolled back.
    let alone = jobs.len() == 1;
    let mut answers: Vec<Answer> = Vec::with_capacity(jobs.len());
    let mut jobs = jobs.into_iter();
    while let Some(Job { work, reply, mode }) = jobs.next() {
        let before = link.head;
        let savepoint = !alone && mode == Mode::Savepoint;
        if savepoint && let Err(e) = link.savepoint("SAVEPOINT job").await {
            return fail_all(answers, reply, jobs, &e);
        }
        match work(&mut link).await {
            Ok(v) => {
                if savepoint && let Err(e) = link.savepoint("RELEASE SAVEPOINT job").await {
                    return fail_all(answers, reply, jobs, &e);
                }
                let stats = std::mem::take(&mut link.stats);
                link.batch.merge(stats);
                let rows = std::mem::take(&mut link.rows);
                link.batch_rows.merge(rows);
                answers.push((reply, Ok(v)));
            }
            Err(err) => {
                link.stats = Rollup::default();
                link.rows = Deferred::default();
                link.head = before;
                if alone {
                    // Dropping the transaction rolls it back.
                    let _ = reply.send(Err(err));
                    return;
                }
                if !savepoint {
                    if broke(&err) {
                        // It may have written half: nothing of the batch is kept.
                        return fail_all(answers, reply, jobs, &err);
                    }
                    answers.push((reply, Err(err)));
                    continue;
                }
                if let Err(e) = link.savepoint("ROLLBACK TO SAVEPOINT job").await {
                    answers.push((reply, Err(err)));
                    return fail_rest(answers, jobs, &e);
                }
                answers.push((reply, Err(err)));
            }
        }
    }
    match link.commit(start).await {
        Ok(()) => {
            for (reply, result) in answers {
                let _ = reply.send(result);
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "a batch of writes was not committed");
            fail_rest(answers, std::iter::empty(), &e);
        }
    }
}

type Answer = (
    oneshot::Sender<Result<Answered, StoreError>>,
    Result<Answered, StoreError>,
);

/// A failure of the database itself (rather than of the job's own checks).
fn broke(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Database(_)
            | StoreError::Unavailable(_)
            | StoreError::Migrate(_)
            | StoreError::Corrupt(_)
    )
}

fn unavailable(msg: &str, e: &StoreError) -> StoreError {
    match e {
        StoreError::Unavailable(m) => StoreError::Unavailable(m.clone()),
        _ => StoreError::Unavailable(msg.to_string()),
    }
}

/// The batch failed while `current` was running: nothing of it is written.
fn fail_all(
    answers: Vec<Answer>,
    current: oneshot::Sender<Result<Answered, StoreError>>,
    rest: impl Iterator<Item = Job>,
    e: &StoreError,
) {
    let _ = current.send(Err(unavailable(&e.to_string(), e)));
    fail_rest(answers, rest, e);
}

/// Answers every job of a batch that was not committed: jobs that had failed on their own keep
/// their error, the others learn that nothing was written.
fn fail_rest(answers: Vec<Answer>, rest: impl Iterator<Item = Job>, e: &StoreError) {
    let msg = e.to_string();
    for (reply, result) in answers {
        let _ = reply.send(match result {
            Ok(_) => Err(unavailable(&msg, e)),
            Err(own) => Err(own),
        });
    }
    for j in rest {
        let _ = j.reply.send(Err(unavailable(&msg, e)));
    }
}

/// Walks the chain from the genesis hash and checks every link, the head, and that every
/// dossier has exactly the events its version says. `admin` tells an administrator's change
/// (its stream) and checks its content; other streams must hold dossier events.
pub(crate) async fn verify(
    reader: &AnyPool,
    check_admin: impl Fn(&str, i64, &str, i64, &str) -> Result<(), String>,
    admin_stream: &str,
) -> Result<ChainReport, StoreError> {
    let mut prev = GENESIS;
    let mut last_seq = 0i64;
    let mut count = 0u64;
    let broken = |seq: i64, stream: &str, version: i64, reason: String| {
        Some(BrokenLink {
            seq,
            stream: stream.to_string(),
            version,
            reason,
        })
    };
    loop {
        let rows = sqlx::query(
            "SELECT seq, stream, version, kind, at, body, prev_hash, hash FROM events WHERE seq > $1 ORDER BY seq LIMIT 5000",
        )
        .bind(last_seq)
        .fetch_all(reader)
        .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let seq: i64 = r.try_get("seq")?;
            let stream: String = r.try_get("stream")?;
            let version: i64 = r.try_get("version")?;
            let kind: String = r.try_get("kind")?;
            let at: i64 = r.try_get("at")?;
            let body: String = r.try_get("body")?;
            let report = |reason: String| ChainReport {
                events: count,
                head: hex::encode(prev),
                broken: broken(seq, &stream, version, reason),
            };
            if seq != last_seq + 1 {
                return Ok(report(format!(
                    "events {} to {} are missing",
                    last_seq + 1,
                    seq - 1
                )));
            }
            if r.try_get::<String, _>("prev_hash")? != hex::encode(prev) {
                return Ok(report(
                    "the stored link to the previous event does not match it".into(),
                ));
            }
            let hash = audit::link(&prev, body.as_bytes());
            if r.try_get::<String, _>("hash")? != hex::encode(hash) {
                return Ok(report("the event's content does not match its hash".into()));
            }
            let content = if stream == admin_stream {
                check_admin(&stream, version, &kind, at, &body)
            } else if stream.starts_with(crate::pakn::PETITION_STREAM_PREFIX) {
                match serde_json::from_str::<crate::pakn::PetitionEnvelope>(&body) {
                    Ok(env)
                        if env.stream == stream
                            && i64::from(env.version) == version
                            && env.event.kind() == kind
                            && ms(env.event.at()) == at =>
                    {
                        Ok(())
                    }
                    Ok(_) => Err("the indexed columns disagree with the hashed content".into()),
                    Err(e) => Err(format!("the content is not a valid petition event: {e}")),
                }
            } else {
                match serde_json::from_str::<Envelope>(&body) {
                    Ok(env)
                        if env.stream == stream
                            && i64::from(env.version) == version
                            && env.event.kind.name() == kind
                            && ms(env.event.at) == at =>
                    {
                        Ok(())
                    }
                    Ok(_) => Err("the indexed columns disagree with the hashed content".into()),
                    Err(e) => Err(format!("the content is not a valid event: {e}")),
                }
            };
            if let Err(reason) = content {
                return Ok(report(reason));
            }
            prev = hash;
            last_seq = seq;
            count += 1;
        }
    }
    let head = sqlx::query("SELECT seq, hash FROM chain_head WHERE id = 1")
        .fetch_one(reader)
        .await?;
    let (head_seq, head_hash): (i64, String) = (head.try_get("seq")?, head.try_get("hash")?);
    if head_seq != last_seq || head_hash != hex::encode(prev) {
        return Ok(ChainReport {
            events: count,
            head: hex::encode(prev),
            broken: broken(
                head_seq,
                "",
                0,
                format!("the chain head names event {head_seq}, the chain ends at {last_seq}"),
            ),
        });
    }
    // Each dossier and petition has as many events as its version says.
    for (what, sql) in [
        (
            "dossier",
            "SELECT d.code, d.version, (SELECT COUNT(*) FROM events e WHERE e.stream = d.code) AS n FROM dossiers d \
             WHERE d.version <> (SELECT COUNT(*) FROM events e WHERE e.stream = d.code) LIMIT 1",
        ),
        (
            "petition",
            "SELECT p.code, p.version, (SELECT COUNT(*) FROM events e WHERE e.stream = 'pakn:' || p.code) AS n \
             FROM petitions p WHERE p.version <> (SELECT COUNT(*) FROM events e WHERE e.stream = 'pakn:' || p.code) LIMIT 1",
        ),
    ] {
        if let Some(m) = sqlx::query(sql).fetch_optional(reader).await? {
            let code: String = m.try_get("code")?;
            let (v, n): (i64, i64) = (m.try_get("version")?, m.try_get("n")?);
            return Ok(ChainReport {
                events: count,
                head: hex::encode(prev),
                broken: broken(
                    0,
                    &code,
                    v,
                    format!("the {what} is at version {v} but has {n} events"),
                ),
            });
        }
    }
    let orphan = sqlx::query(
        "SELECT e.seq, e.stream, e.version FROM events e WHERE e.stream <> $1 AND NOT EXISTS \
         (SELECT 1 FROM dossiers d WHERE d.code = e.stream) AND NOT EXISTS \
         (SELECT 1 FROM petitions p WHERE 'pakn:' || p.code = e.stream) ORDER BY e.seq LIMIT 1",
    )
    .bind(admin_stream)
    .fetch_optional(reader)
    .await?;
    if let Some(o) = orphan {
        return Ok(ChainReport {
            events: count,
            head: hex::encode(prev),
            broken: broken(
                o.try_get("seq")?,
                &o.try_get::<String, _>("stream")?,
                o.try_get("version")?,
                "the event belongs to no dossier or petition".into(),
            ),
        });
    }
    Ok(ChainReport {
        events: count,
        head: hex::encode(prev),
        broken: None,
    })
}

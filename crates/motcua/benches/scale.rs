//! A province's volume on one machine: the real server (`motcua serve`, release build) on a
//! database seeded with a generated history, measured over HTTP from this process. Every
//! figure is printed with a baseline measured in the same run, and their ratio:
//!
//! - seeding: dossiers per second, and the time for the whole history;
//! - public pages and statistics (home, a year's figures, an agency's month, tracking, a
//!   procedure page) against `/healthz` (one settings read) under the same load;
//! - work lists (province-wide views of a leader): latency, against `/healthz`'s;
//! - intake at this size against intake on a 5,000-dossier database;
//! - intake with 1, 4 and 16 clients, against the same rows written directly with sqlx by as
//!   many connections (each its own transaction, no chain);
//! - intake while a 100,000-message outbox backlog drains to an SMTP server, against intake
//!   without it;
//! - idle CPU (share of one core) and resident memory after the loads.
//!
//! `cargo bench -p motcua --bench scale`. Settings: MOTCUA_SCALE_SIZES (default
//! `100000,1000000`), MOTCUA_SCALE_OPEN (share of the history left open, default 0.5),
//! MOTCUA_SCALE_ENGINES (`sqlite,postgres`; PostgreSQL from MOTCUA_TEST_DATABASE_URL when it
//! answers), MOTCUA_SCALE_SECONDS (per load, default 5), MOTCUA_SCALE_BACKLOG (default
//! 100000), MOTCUA_SCALE_DIR (work directory, default the system's temporary one).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sqlx::{ConnectOptions, Executor};
use tokio::sync::Mutex;

const BIN: &str = env!("CARGO_BIN_EXE_motcua");

fn env<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Where a database lives.
#[derive(Clone)]
enum Db {
    Sqlite(PathBuf),
    Postgres { admin: String, name: String },
}

impl Db {
    fn url(&self) -> String {
        match self {
            Db::Sqlite(p) => format!("sqlite://{}?mode=rwc", p.display()),
            Db::Postgres { admin, name } => {
                let o: sqlx::postgres::PgConnectOptions = admin.parse().expect("admin url");
                o.database(name).to_url_lossy().to_string()
            }
        }
    }

    async fn create(engine: &str, dir: &Path, tag: &str) -> Option<Db> {
        match engine {
            "sqlite" => {
                let path = dir.join(format!("{tag}.db"));
                for ext in ["", "-wal", "-shm"] {
                    std::fs::remove_file(format!("{}{ext}", path.display())).ok();
                }
                Some(Db::Sqlite(path))
            }
            _ => {
                let admin = std::env::var("MOTCUA_TEST_DATABASE_URL")
                    .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
                let o: sqlx::postgres::PgConnectOptions = admin.parse().ok()?;
                let mut conn = o.connect().await.ok()?;
                let name = format!("motcua_scale_{tag}_{}", std::process::id());
                conn.execute(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .await
                .ok()?;
                conn.execute(sqlx::AssertSqlSafe(format!(
                    "CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0"
                )))
                .await
                .ok()?;
                Some(Db::Postgres { admin, name })
            }
        }
    }

    async fn drop_db(&self) {
        match self {
            Db::Sqlite(p) => {
                for ext in ["", "-wal", "-shm"] {
                    std::fs::remove_file(format!("{}{ext}", p.display())).ok();
                }
            }
            Db::Postgres { admin, name } => {
                let o: sqlx::postgres::PgConnectOptions = admin.parse().expect("admin url");
                if let Ok(mut c) = o.connect().await {
                    c.execute(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .await
                    .ok();
                }
            }
        }
    }

    async fn pool(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::any::AnyPoolOptions::new()
            .max_connections(16)
            .connect(&self.url())
            .await
            .expect("connect")
    }
}

/// Seeds `db` with `n` dossiers (`open` of them left open); returns the time it took.
fn seed(db: &Db, n: usize, open: usize, credentials: &Path) -> Duration {
    let t = Instant::now();
    let status = Command::new(BIN)
        .args(["seed", "--database-url", &db.url()])
        .args(["--history", &n.to_string(), "--open", &open.to_string()])
        .arg("--credentials")
        .arg(credentials)
        .env("MOTCUA_LOG", "warn")
        .status()
        .expect("run motcua seed");
    assert!(status.success(), "seeding failed");
    t.elapsed()
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(db: &Db, files: &Path, extra: &[String]) -> Server {
        let mut child = Command::new(BIN)
            .args([
                "serve",
                "--database-url",
                &db.url(),
                "--bind",
                "127.0.0.1:0",
            ])
            .arg("--files")
            .arg(files)
            .args(extra)
            .env("MOTCUA_LOG", "warn")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("start motcua serve");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("the server printed its address")
                .expect("read stderr");
            if let Some(url) = line.strip_prefix("motcua serving on ") {
                break url.trim().to_string();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Server { child, base }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn stop(mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// CPU time (user + system, in seconds) and resident memory (kB) of a process.
fn usage(pid: u32) -> (f64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, r)| r.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields after the command: state is 0, utime 11, stime 12 (clock ticks of 1/100 s).
    let cpu = (ticks(11) + ticks(12)) / 100.0;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (cpu, rss)
}

#[derive(Clone, Copy, Default)]
struct Load {
    rate: f64,
    p50: f64,
    p99: f64,
    errors: u64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// `clients` loops sending one request each after the other for `secs`: completed requests
/// per second and their latency (ms).
async fn load(
    clients: usize,
    secs: f64,
    make: Arc<dyn Fn(usize) -> reqwest::RequestBuilder + Send + Sync>,
) -> Load {
    let stop = Arc::new(AtomicBool::new(false));
    let times = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (stop, times, errors, make) =
            (stop.clone(), times.clone(), errors.clone(), make.clone());
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            let mut i = c;
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                match make(i).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        mine.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                i += clients;
            }
            times.lock().await.extend(mine);
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.ok();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mut times = times.lock().await.clone();
    times.sort_by(|a, b| a.total_cmp(b));
    Load {
        rate: times.len() as f64 / elapsed,
        p50: percentile(&times, 0.5),
        p99: percentile(&times, 0.99),
        errors: errors.load(Ordering::Relaxed),
    }
}

/// Requests started at a fixed `rate` per second for `secs`, whatever the answers take (an
/// open loop): the rate achieved and the latency.
async fn paced(
    rate: f64,
    secs: f64,
    make: Arc<dyn Fn(usize) -> reqwest::RequestBuilder + Send + Sync>,
) -> Load {
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let start = Instant::now();
    let mut tasks = Vec::new();
    let mut i = 0;
    while start.elapsed().as_secs_f64() < secs {
        tick.tick().await;
        let request = make(i);
        i += 1;
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            match request.send().await {
                Ok(r) if r.status().is_success() => {
                    let _ = r.bytes().await;
                    Some(t.elapsed().as_secs_f64() * 1000.0)
                }
                _ => None,
            }
        }));
    }
    let mut times = Vec::new();
    let mut errors = 0;
    for t in tasks {
        match t.await.ok().flatten() {
            Some(ms) => times.push(ms),
            None => errors += 1,
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    times.sort_by(|a, b| a.total_cmp(b));
    Load {
        rate: times.len() as f64 / elapsed,
        p50: percentile(&times, 0.5),
        p99: percentile(&times, 0.99),
        errors,
    }
}

fn row(what: &str, value: &str, base_what: &str, base: &str, ratio: f64) {
    println!("  {what:<44} {value:>22}   {base_what:<26} {base:>20}   {ratio:>8.3}");
}

/// Requests that did not succeed, when there were any.
fn failed(l: &Load) -> String {
    if l.errors == 0 {
        String::new()
    } else {
        format!(" ({} failed)", l.errors)
    }
}

fn per_s(l: &Load) -> String {
    format!("{:.0}/s p99 {:.1} ms{}", l.rate, l.p99, failed(l))
}

fn ms(l: &Load) -> String {
    format!("p50 {:.1} p99 {:.1} ms{}", l.p50, l.p99, failed(l))
}

struct Logins {
    leader: String,
    reception: String,
}

async fn login(http: &reqwest::Client, base: &str, credentials: &Path) -> Logins {
    let creds: Value =
        serde_json::from_slice(&std::fs::read(credentials).expect("credentials")).expect("json");
    let token = |name: &'static str| {
        let creds = creds.clone();
        let http = http.clone();
        let base = base.to_string();
        async move {
            let user = creds["users"]
                .as_array()
                .unwrap()
                .iter()
                .find(|u| u["username"] == name)
                .unwrap_or_else(|| panic!("no login {name}"))
                .clone();
            let r: Value = http
                .post(format!("{base}/api/v1/auth/token"))
                .json(&json!({"username": name, "password": user["password"]}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            r["token"].as_str().unwrap().to_string()
        }
    };
    Logins {
        leader: token("lanhdao").await,
        reception: token("tiepnhan.hq").await,
    }
}

fn intake_body() -> Value {
    json!({"procedure_code": "1.013133",
        "applicant": {"name": "Nguyễn Văn An", "cccd": "022205001234", "phone": "0912345678"},
        "channel": "counter", "branch_code": "QN-HQ", "competent_agency_code": "000.00.36.H22",
        "form": {}})
}

fn intake(
    http: &reqwest::Client,
    base: &str,
    token: &str,
) -> Arc<dyn Fn(usize) -> reqwest::RequestBuilder + Send + Sync> {
    let (http, url, auth) = (
        http.clone(),
        format!("{base}/api/v1/dossiers"),
        format!("Bearer {token}"),
    );
    Arc::new(move |_| {
        http.post(&url)
            .header("authorization", &auth)
            .json(&intake_body())
    })
}

fn get(
    http: &reqwest::Client,
    url: String,
    token: Option<&str>,
) -> Arc<dyn Fn(usize) -> reqwest::RequestBuilder + Send + Sync> {
    let (http, auth) = (http.clone(), token.map(|t| format!("Bearer {t}")));
    Arc::new(move |_| {
        let r = http.get(&url);
        match &auth {
            Some(a) => r.header("authorization", a),
            None => r,
        }
    })
}

/// The rows of one intake, written directly: the dossier, its two events, its facts (copied
/// from a stored dossier), its routing and the 32 rollup rows its two counts touch, in one
/// transaction; `clients` connections at once for `secs`, with no chain and no lock. Returns
/// transactions per second.
async fn raw_intake(db: &Db, clients: usize, secs: f64) -> f64 {
    let pool = db.pool().await;
    let sample: (String, String, String, String) = {
        let r = sqlx::query(
            "SELECT d.code, d.state, d.form, e.body FROM dossiers d JOIN events e ON e.stream = d.code \
             WHERE d.procedure_code = '1.013133' ORDER BY d.code DESC LIMIT 1",
        )
        .fetch_one(&pool)
        .await
        .expect("a dossier to copy");
        use sqlx::Row;
        (r.get("state"), r.get("form"), r.get("body"), r.get("code"))
    };
    let today = chrono::Utc::now();
    let (day, month) = (
        today.format("%Y-%m-%d").to_string(),
        today.format("%Y-%m").to_string(),
    );
    let positional = matches!(db, Db::Sqlite(_));
    let marks = |n: usize| -> String {
        (1..=n)
            .map(|i| {
                if positional {
                    "?".to_string()
                } else {
                    format!("${i}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let dossier_sql = format!(
        "INSERT INTO dossiers (code, procedure_code, status, channel, receiving_agency, competent_agency, \
         current_agency, branch_code, owner, applicant_name, applicant_cccd, phone_last4, submitted_at, \
         received_at, due_at, result_at, timeliness, version, state, form, assignee, step_due_at, \
         result_sha256, work_due, urgent_at) VALUES ({})",
        marks(25)
    );
    let event_sql = format!(
        "INSERT INTO events (seq, stream, version, kind, at, body, prev_hash, hash) VALUES ({}), ({})",
        marks(8),
        if positional {
            marks(8)
        } else {
            (9..=16)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(std::sync::atomic::AtomicU64::new(0));
    // Sequence numbers far above the chain's, so the rows never meet real ones.
    let next = Arc::new(std::sync::atomic::AtomicI64::new(1_000_000_000_000));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (pool, stop, done, next, sample, day, month) = (
            pool.clone(),
            stop.clone(),
            done.clone(),
            next.clone(),
            sample.clone(),
            day.clone(),
            month.clone(),
        );
        let (dossier_sql, event_sql) = (dossier_sql.clone(), event_sql.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let seq = next.fetch_add(2, Ordering::Relaxed);
                let code = format!("999.99.99.H22-251201-{seq}");
                let mut tx = pool.begin().await.unwrap();
                sqlx::query(sqlx::AssertSqlSafe(dossier_sql.clone()))
                    .bind(&code)
                    .bind("1.013133")
                    .bind("received")
                    .bind("counter")
                    .bind("000.00.01.H22")
                    .bind("000.00.36.H22")
                    .bind("000.00.01.H22")
                    .bind(Some("QN-HQ"))
                    .bind(None::<String>)
                    .bind("Nguyễn Văn An")
                    .bind(Some("022205001234"))
                    .bind(Some("5678"))
                    .bind(seq)
                    .bind(Some(seq))
                    .bind(Some(seq))
                    .bind(None::<i64>)
                    .bind(None::<String>)
                    .bind(2i64)
                    .bind(sample.0.as_str())
                    .bind(sample.1.as_str())
                    .bind(None::<String>)
                    .bind(None::<i64>)
                    .bind(None::<String>)
                    .bind(seq)
                    .bind(seq)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                let mut q = sqlx::query(sqlx::AssertSqlSafe(event_sql.clone()));
                for v in 0..2i64 {
                    q = q
                        .bind(seq + v)
                        .bind(code.clone())
                        .bind(v + 1)
                        .bind("opened")
                        .bind(seq)
                        .bind(sample.2.clone())
                        .bind("0".repeat(64))
                        .bind("1".repeat(64));
                }
                q.execute(&mut *tx).await.unwrap();
                for a in ["000.00.01.H22", "000.00.36.H22"] {
                    sqlx::query("INSERT INTO dossier_agencies (dossier_code, agency_code) VALUES ($1, $2)")
                        .bind(&code)
                        .bind(a)
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                }
                sqlx::query(
                    "INSERT INTO dossier_facts (code, version, procedure_code, receiving_agency, \
                     competent_agency, current_agency, branch_code, channel, status, submitted_at, \
                     received_at, due_at, finished_at, returned_at, timeliness, supplement_requests, \
                     supplement_secs, prepaid_fee, fee_paid, rating, tally) SELECT $1, version, \
                     procedure_code, receiving_agency, competent_agency, current_agency, branch_code, \
                     channel, status, submitted_at, received_at, due_at, finished_at, returned_at, \
                     timeliness, supplement_requests, supplement_secs, prepaid_fee, fee_paid, rating, \
                     tally FROM dossier_facts WHERE code = $2",
                )
                .bind(&code)
                .bind(&sample.3)
                .execute(&mut *tx)
                .await
                .unwrap();
                for (grain, period) in [("d", &day), ("m", &month)] {
                    sqlx::query(
                        "UPDATE stats_rollup SET count = count + 1 WHERE grain = $1 AND period = $2 \
                         AND metric IN ('submitted', 'received') AND agency_code IN ('*', '000.00.36.H22') \
                         AND procedure_code IN ('*', '1.013133') AND branch_code IN ('*', 'QN-HQ')",
                    )
                    .bind(grain)
                    .bind(period)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                }
                tx.commit().await.unwrap();
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.ok();
    }
    let rate = done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64();
    // Take the rows away again (the rollups keep the extra counts; the database is dropped
    // after the run).
    sqlx::query("DELETE FROM dossier_facts WHERE code LIKE '999.99.99.H22-%'")
        .execute(&pool)
        .await
        .ok();
    sqlx::query("DELETE FROM dossier_agencies WHERE dossier_code LIKE '999.99.99.H22-%'")
        .execute(&pool)
        .await
        .ok();
    sqlx::query("DELETE FROM events WHERE stream LIKE '999.99.99.H22-%'")
        .execute(&pool)
        .await
        .ok();
    sqlx::query("DELETE FROM dossiers WHERE code LIKE '999.99.99.H22-%'")
        .execute(&pool)
        .await
        .ok();
    pool.close().await;
    rate
}

/// Waits until the server is quiet (under a tenth of a core over two seconds): its first
/// deadline watch looks at every open dossier once. Returns how long that took.
async fn settle(pid: u32, engine: &str) -> Duration {
    let busy = || {
        usage(pid).0
            + if engine == "postgres" {
                database_cpu()
            } else {
                0.0
            }
    };
    let t = Instant::now();
    loop {
        let c0 = busy();
        tokio::time::sleep(Duration::from_secs(2)).await;
        let c1 = busy();
        if (c1 - c0) / 2.0 < 0.1 || t.elapsed() > Duration::from_secs(1800) {
            return t.elapsed();
        }
    }
}

/// CPU time (seconds) of this machine's PostgreSQL processes: a server waiting on its
/// database (the watcher's writes, say) is busy although its own process is idle.
fn database_cpu() -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "postgres")
        })
        .map(|pid| usage(pid).0)
        .sum()
}

/// Idle CPU (share of one core) over `secs` and resident memory (MB) at the end, once the
/// deadline watcher has looked at the dossiers the loads made (it runs every minute).
async fn idle(pid: u32, engine: &str, secs: u64) -> (f64, f64) {
    tokio::time::sleep(Duration::from_secs(65)).await;
    settle(pid, engine).await;
    let (c0, _) = usage(pid);
    let t = Instant::now();
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let (c1, rss) = usage(pid);
    ((c1 - c0) / t.elapsed().as_secs_f64(), rss as f64 / 1024.0)
}

async fn run_engine(engine: &str, dir: &Path, sizes: &[usize], open_share: f64, secs: f64) {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let files = dir.join("files");
    // The small database intake is compared with.
    let Some(small) = Db::create(engine, dir, "small").await else {
        println!("{engine}: skipped (no server)");
        return;
    };
    let small_creds = dir.join(format!("{engine}-small.json"));
    seed(&small, 5000, 0, &small_creds);
    let server = Server::start(&small, &files, &[]);
    let tokens = login(&http, &server.base, &small_creds).await;
    let small_intake = load(1, secs, intake(&http, &server.base, &tokens.reception)).await;
    server.stop();
    small.drop_db().await;

    for &n in sizes {
        let open = (n as f64 * open_share) as usize;
        println!("\n{engine}, {n} dossiers ({open} left open)");
        println!(
            "  {:<44} {:>22}   {:<26} {:>20}   {:>8}",
            "measure", "value", "baseline", "value", "ratio"
        );
        let Some(db) = Db::create(engine, dir, &format!("n{n}")).await else {
            println!("  skipped (no server)");
            continue;
        };
        let creds = dir.join(format!("{engine}-{n}.json"));
        let took = seed(&db, n, open, &creds);
        row(
            "seeding (dossiers/s)",
            &format!("{:.0}/s", n as f64 / took.as_secs_f64()),
            "whole history (s)",
            &format!("{:.0} s", took.as_secs_f64()),
            1.0,
        );
        let server = Server::start(&db, &files, &[]);
        let base = server.base.clone();
        let first_watch = settle(server.pid(), engine).await;
        row(
            "first deadline watch after start",
            &format!("{:.0} s", first_watch.as_secs_f64()),
            "open dossiers",
            &open.to_string(),
            1.0,
        );
        let tokens = login(&http, &base, &creds).await;
        // A dossier to track.
        let created: Value = http
            .post(format!("{base}/api/v1/dossiers"))
            .header("authorization", format!("Bearer {}", tokens.reception))
            .json(&intake_body())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let code = created["code"].as_str().expect("created").to_string();
        let year = chrono::Utc::now().format("%Y").to_string();
        let month = chrono::Utc::now().format("%Y-%m").to_string();
        let healthz = load(16, secs, get(&http, format!("{base}/healthz"), None)).await;
        for (what, url, token) in [
            ("home page /", format!("{base}/"), None),
            (
                "statistics, a year",
                format!("{base}/api/v1/stats/daily?from={year}-01-01&to={year}-12-31"),
                Some(tokens.leader.as_str()),
            ),
            (
                "statistics, an agency's month",
                format!(
                    "{base}/api/v1/stats/daily?agency=000.00.36.H22&from={month}-01&to={month}-28"
                ),
                Some(tokens.leader.as_str()),
            ),
            (
                "statistics, a year by day",
                format!("{base}/api/v1/stats/daily?from={year}-01-01&to={year}-12-31&by_day=true"),
                Some(tokens.leader.as_str()),
            ),
            (
                "tracking",
                format!("{base}/api/v1/track/{code}?verify=5678"),
                None,
            ),
            (
                "procedure page",
                format!("{base}/procedures/1.013133"),
                None,
            ),
        ] {
            let l = load(16, secs, get(&http, url, token)).await;
            row(
                &format!("{what} (16 clients)"),
                &per_s(&l),
                "/healthz",
                &per_s(&healthz),
                l.rate / healthz.rate,
            );
        }
        let one = load(1, secs, get(&http, format!("{base}/healthz"), None)).await;
        for view in ["unit", "overdue", "due_soon", "return", "reception"] {
            let l = load(
                1,
                secs,
                get(
                    &http,
                    format!("{base}/api/v1/inbox?view={view}"),
                    Some(if matches!(view, "return" | "reception") {
                        tokens.reception.as_str()
                    } else {
                        tokens.leader.as_str()
                    }),
                ),
            )
            .await;
            row(
                &format!("work list {view}, province-wide"),
                &ms(&l),
                "/healthz, 1 client",
                &ms(&one),
                l.p99 / one.p99,
            );
        }
        for (what, url) in [
            (
                "statistics, a year (latency)",
                format!("{base}/api/v1/stats/daily?from={year}-01-01&to={year}-12-31"),
            ),
            (
                "statistics, an agency's month (latency)",
                format!(
                    "{base}/api/v1/stats/daily?agency=000.00.36.H22&from={month}-01&to={month}-28"
                ),
            ),
            (
                "statistics, a year by day (latency)",
                format!("{base}/api/v1/stats/daily?from={year}-01-01&to={year}-12-31&by_day=true"),
            ),
        ] {
            let l = load(1, secs, get(&http, url, Some(&tokens.leader))).await;
            row(
                what,
                &ms(&l),
                "/healthz, 1 client",
                &ms(&one),
                l.p99 / one.p99,
            );
        }
        let mut intakes = Vec::new();
        for clients in [1usize, 4, 16] {
            let l = load(clients, secs, intake(&http, &base, &tokens.reception)).await;
            intakes.push(l);
        }
        row(
            "intake, 1 client",
            &per_s(&intakes[0]),
            "intake at 5,000 dossiers",
            &per_s(&small_intake),
            intakes[0].rate / small_intake.rate,
        );
        row(
            "intake, 16 clients",
            &per_s(&intakes[2]),
            "intake, 1 client",
            &per_s(&intakes[0]),
            intakes[2].rate / intakes[0].rate,
        );
        // The national peak: about 90 write transactions a second.
        let peak = paced(90.0, secs * 3.0, intake(&http, &base, &tokens.reception)).await;
        row(
            "intake paced at 90/s (national peak)",
            &per_s(&peak),
            "asked",
            "90/s",
            peak.rate / 90.0,
        );
        let (cpu, rss) = idle(server.pid(), engine, 60).await;
        server.stop();
        for (i, clients) in [1usize, 4, 16].into_iter().enumerate() {
            let raw = raw_intake(&db, clients, secs).await;
            row(
                &format!("intake, {clients} clients"),
                &format!("{:.0}/s", intakes[i].rate),
                &format!("raw rows, {clients} connections"),
                &format!("{raw:.0}/s"),
                intakes[i].rate / raw,
            );
        }
        row(
            "idle CPU (share of a core), 60 s",
            &format!("{:.2} %", cpu * 100.0),
            "resident memory",
            &format!("{rss:.0} MB"),
            cpu,
        );
        backlog(&http, &db, &files, &creds, secs).await;
        db.drop_db().await;
    }
}

/// Intake while a backlog of messages drains to a real SMTP server, against intake without.
async fn backlog(http: &reqwest::Client, db: &Db, files: &Path, creds: &Path, secs: f64) {
    let n: usize = env("MOTCUA_SCALE_BACKLOG", 100_000);
    let sink = motcua_notify::testing::SmtpSink::default();
    let port = sink.start().await;
    let smtp = vec![
        "--smtp-host".to_string(),
        "127.0.0.1".into(),
        "--smtp-port".into(),
        port.to_string(),
        "--smtp-security".into(),
        "none".into(),
    ];
    let server = Server::start(db, files, &smtp);
    let tokens = login(http, &server.base, creds).await;
    let without = load(1, secs, intake(http, &server.base, &tokens.reception)).await;
    server.stop();
    let pool = db.pool().await;
    let now = chrono::Utc::now().timestamp_millis();
    let mut left = n;
    while left > 0 {
        let k = left.min(500);
        // Codes for as many people (each person's codes are sent in order, one at a time).
        let values: Vec<String> = (0..k)
            .map(|i| {
                let payload = format!(
                    r#"{{"purpose":"verify","code":"123456","minutes":10,"lang":"vi","email":"cong.dan.{}@example.vn"}}"#,
                    left - i
                );
                format!("(0, 'citizen.code', '{payload}', {now}, {now})")
            })
            .collect();
        pool.execute(sqlx::AssertSqlSafe(format!(
            "INSERT INTO outbox (event_seq, topic, payload, created_at, next_attempt_at) VALUES {}",
            values.join(", ")
        )))
        .await
        .unwrap();
        left -= k;
    }
    let server = Server::start(db, files, &smtp);
    let tokens = login(http, &server.base, creds).await;
    let during = load(1, secs, intake(http, &server.base, &tokens.reception)).await;
    let sent_during = sink.received.lock().unwrap().len();
    row(
        &format!("intake while {n} messages drain"),
        &per_s(&during),
        "intake without a backlog",
        &per_s(&without),
        during.rate / without.rate,
    );
    row(
        "messages sent meanwhile (per s)",
        &format!("{:.0}/s", sent_during as f64 / secs),
        "backlog",
        &n.to_string(),
        1.0,
    );
    server.stop();
    pool.close().await;
}

fn main() {
    let sizes: Vec<usize> = std::env::var("MOTCUA_SCALE_SIZES")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let engines: Vec<String> = std::env::var("MOTCUA_SCALE_ENGINES")
        .unwrap_or_else(|_| "sqlite,postgres".into())
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    let open: f64 = env("MOTCUA_SCALE_OPEN", 0.5);
    let secs: f64 = env("MOTCUA_SCALE_SECONDS", 5.0);
    let dir = std::env::var("MOTCUA_SCALE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            std::env::temp_dir().join(format!("motcua-scale-{}", std::process::id()))
        });
    std::fs::create_dir_all(&dir).expect("work directory");
    println!(
        "motcua at scale: sizes {sizes:?}, {:.0} % left open, {secs} s per load; server and load share this machine",
        open * 100.0
    );
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        for engine in &engines {
            run_engine(engine, &dir, &sizes, open, secs).await;
        }
    });
    std::fs::remove_dir_all(&dir).ok();
}

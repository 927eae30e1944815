//! One server holding many connected display boards and tablets while tickets are issued and
//! called: how long a call takes to appear on every board (p50/p99, from the moment the
//! counter's request is sent to the moment each board reads the event), and how many tickets
//! per second the kiosks' API sustains meanwhile. The baseline, measured in the same run, is
//! the same load with a single board connected; the ratios say what the connected screens cost.
//!
//! `cargo bench -p motcua-web --bench floor` (SQLite; PostgreSQL too when
//! MOTCUA_TEST_DATABASE_URL answers). MOTCUA_BENCH_SCREENS sets the screens (default 1000),
//! MOTCUA_BENCH_CALLS the calls per phase (default 40), MOTCUA_BENCH_SECS the length of the
//! ticket-issuing phase (default 5). Needs about two file descriptors per screen.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use motcua_domain::calendar::{CalendarConfig, WorkingCalendar};
use motcua_domain::ids::AgencyCode;
use motcua_domain::lifecycle::TimelinessPolicy;
use motcua_domain::role::Role;
use motcua_store::testing::TestDb;
use motcua_store::{Agency, AgencyKind, Branch, Counter, ServiceGroup, Store, User};
use serde_json::{Value, json};

const CENTRE: &str = "000.00.01.H22";
const COUNTERS: i64 = 10;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn seed(store: &dyn Store) {
    let centre = AgencyCode::parse(CENTRE).unwrap();
    store
        .put_agency(&Agency {
            code: centre,
            parent: None,
            name: "Trung tâm Phục vụ hành chính công".into(),
            name_en: None,
            kind: AgencyKind::Centre,
            admin_unit_code: None,
        })
        .await
        .unwrap();
    store
        .put_branch(&Branch {
            code: "HQ".into(),
            agency: centre,
            name: "Trụ sở".into(),
            address: "Hạ Long".into(),
            hours: String::new(),
            counters: (1..=COUNTERS)
                .map(|n| Counter {
                    number: n,
                    label: format!("Quầy {n}"),
                })
                .collect(),
        })
        .await
        .unwrap();
    store
        .put_service_group(&ServiceGroup {
            branch: "HQ".into(),
            code: "HT".into(),
            name: "Hộ tịch".into(),
            prefix: "A".into(),
            counters: (1..=COUNTERS).collect(),
        })
        .await
        .unwrap();
    store
        .put_user(&User {
            username: "letan".into(),
            full_name: "Lễ tân".into(),
            role: Role::Reception,
            agency: Some(centre),
            password_hash: motcua_app::secrets::hash_password("pw-letan-bench").unwrap(),
            active: true,
        })
        .await
        .unwrap();
}

async fn serve(store: Arc<dyn Store>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let files = std::env::temp_dir().join(format!("motcua-bench-files-{}", std::process::id()));
    let state = motcua_app::App::new(
        store,
        WorkingCalendar::new(CalendarConfig::default()).unwrap(),
        TimelinessPolicy::default(),
        AgencyCode::parse(CENTRE).unwrap(),
        motcua_app::FileStore::open(files.to_str().unwrap()).unwrap(),
    )
    .await
    .unwrap()
    .with_public_url(&base);
    tokio::spawn(motcua_web::serve(listener, state));
    base
}

/// A board: reads its stream and notes when each call's number arrived, until it has seen
/// `calls` calls or the stream goes quiet for too long.
async fn board(
    http: reqwest::Client,
    url: String,
    calls: usize,
    connected: tokio::sync::mpsc::Sender<()>,
) -> Vec<(String, Instant)> {
    let mut r = http.get(url).send().await.unwrap();
    assert!(r.status().is_success());
    connected.send(()).await.ok();
    let mut seen = Vec::new();
    let mut buffer = String::new();
    let mut is_call = false;
    while seen.len() < calls {
        let chunk = match tokio::time::timeout(Duration::from_secs(60), r.chunk()).await {
            Ok(Ok(Some(c))) => c,
            _ => break,
        };
        let at = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find('\n') {
            let line: String = buffer.drain(..=end).collect();
            let line = line.trim_end();
            if let Some(kind) = line.strip_prefix("event: ") {
                is_call = kind == "call";
            } else if let Some(data) = line.strip_prefix("data: ")
                && is_call
            {
                let v: Value = serde_json::from_str(data).unwrap();
                seen.push((v["number"].as_str().unwrap_or_default().to_string(), at));
            }
        }
    }
    seen
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

struct Phase {
    screens: usize,
    tickets_per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    delivered: usize,
    expected: usize,
}

async fn phase(base: &str, token: &str, screens: usize, calls: usize, secs: u64) -> Phase {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .build()
        .unwrap();
    // Connect the screens first.
    let (tx, mut rx) = tokio::sync::mpsc::channel(screens.max(1));
    let mut boards = Vec::new();
    for _ in 0..screens {
        boards.push(tokio::spawn(board(
            http.clone(),
            format!("{base}/api/v1/branches/HQ/board"),
            calls,
            tx.clone(),
        )));
    }
    for _ in 0..screens {
        rx.recv().await;
    }

    // Kiosks issue tickets for `secs` seconds, eight at a time.
    let stop = Instant::now() + Duration::from_secs(secs);
    let mut kiosks = Vec::new();
    for _ in 0..8 {
        let http = http.clone();
        let url = format!("{base}/api/v1/branches/HQ/tickets");
        kiosks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < stop {
                let r = http
                    .post(&url)
                    .json(&json!({"group": "HT"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), reqwest::StatusCode::CREATED);
                n += 1;
            }
            n
        }));
    }
    // Meanwhile the counters call, one call every 100 ms, round the ten counters.
    let started = Instant::now();
    let mut sent: HashMap<String, Instant> = HashMap::new();
    let mut i = 0;
    while sent.len() < calls {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let counter = format!("HQ-{:02}", 1 + i % COUNTERS);
        i += 1;
        let at = Instant::now();
        let r = http
            .post(format!("{base}/api/v1/counters/{counter}/call-next"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        if r.status() == reqwest::StatusCode::OK {
            let v: Value = r.json().await.unwrap();
            sent.insert(v["number"].as_str().unwrap().to_string(), at);
        }
    }
    let mut issued = 0;
    for k in kiosks {
        issued += k.await.unwrap();
    }
    let elapsed = started.elapsed().max(Duration::from_secs(secs));
    let mut latencies = Vec::new();
    for b in boards {
        for (number, at) in b.await.unwrap() {
            if let Some(s) = sent.get(&number) {
                latencies.push(at.duration_since(*s).as_secs_f64() * 1000.0);
            }
        }
    }
    latencies.sort_by(f64::total_cmp);
    Phase {
        screens,
        tickets_per_sec: issued as f64 / elapsed.as_secs_f64(),
        p50_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
        max_ms: latencies.last().copied().unwrap_or(f64::NAN),
        delivered: latencies.len(),
        expected: screens * calls,
    }
}

async fn run(engine: &str, store: Arc<dyn Store>) {
    seed(&*store).await;
    let base = serve(store).await;
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": "letan", "password": "pw-letan-bench"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let screens = env_usize("MOTCUA_BENCH_SCREENS", 1000);
    let calls = env_usize("MOTCUA_BENCH_CALLS", 40);
    let secs = env_usize("MOTCUA_BENCH_SECS", 5) as u64;
    let baseline = phase(&base, &token, 1, calls, secs).await;
    let loaded = phase(&base, &token, screens, calls, secs).await;
    for p in [&baseline, &loaded] {
        println!(
            "{engine:<10} {:>5} screens: call→board p50 {:>6.1} ms, p99 {:>6.1} ms, max {:>6.1} ms \
             ({} of {} deliveries); {:>6.1} tickets/s issued meanwhile",
            p.screens, p.p50_ms, p.p99_ms, p.max_ms, p.delivered, p.expected, p.tickets_per_sec
        );
    }
    println!(
        "{engine:<10} {screens} screens vs 1: p50 ×{:.2}, p99 ×{:.2}, tickets/s ×{:.2}",
        loaded.p50_ms / baseline.p50_ms,
        loaded.p99_ms / baseline.p99_ms,
        loaded.tickets_per_sec / baseline.tickets_per_sec
    );
}

#[tokio::main]
async fn main() {
    rustls::crypto::ring::default_provider()
        .install_default()
        .ok();
    let db = TestDb::sqlite().await;
    run("sqlite", db.store().await).await;
    db.drop_db().await;
    match TestDb::postgres().await {
        Some(db) => {
            run("postgresql", db.store().await).await;
            db.drop_db().await;
        }
        None => println!("postgresql: not answering, skipped"),
    }
}

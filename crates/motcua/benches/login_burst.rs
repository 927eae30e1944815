//! A burst of log-ins against the real server (`motcua demo`, release build): 200 concurrent
//! `POST /api/v1/auth/token` with unknown usernames, each an argon2id check of 19 MiB, each from
//! another address (the server trusts the loopback proxy's `X-Forwarded-For`, so the burst is a
//! distributed one that per-client limits do not stop). Prints the server's resident memory
//! before, at its peak and a second after, the worst `/healthz` latency during the burst, how
//! the requests were answered, and the burst's rate of checks beside a baseline measured in the
//! same run: the same checks one at a time. Then the same burst from one address, which the
//! per-client limit answers 429 after twenty failures.
//!
//! Targets: under 300 MB resident at the peak, `/healthz` under 100 ms, memory back near its
//! level before the burst. `cargo bench -p motcua --bench login_burst`.

mod common;

use std::sync::Arc;

use common::rss_mib;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const BURST: usize = 200;
const SEQUENTIAL: usize = 20;

async fn log_in(http: &reqwest::Client, base: &str, n: usize) -> u16 {
    log_in_from(
        http,
        base,
        n,
        &format!("10.{}.{}.{}", n / 65536 % 256, n / 256 % 256, n % 256),
    )
    .await
}

async fn log_in_from(http: &reqwest::Client, base: &str, n: usize, ip: &str) -> u16 {
    http.post(format!("{base}/api/v1/auth/token"))
        .header("x-forwarded-for", ip)
        .json(&serde_json::json!({"username": format!("khong.co.{n}"), "password": "sai mat khau"}))
        .send()
        .await
        .map_or(0, |r| r.status().as_u16())
}

fn main() {
    let demo = common::Demo::start("login-burst");
    let base = demo.base.clone();
    let pid = demo.pid;
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(0)
            .build()
            .expect("client");
        // Warm up, then the baseline: the same checks one at a time.
        log_in(&http, &base, 0).await;
        let before = rss_mib(pid);
        let t = Instant::now();
        for n in 0..SEQUENTIAL {
            log_in(&http, &base, n).await;
        }
        let sequential_rate = SEQUENTIAL as f64 / t.elapsed().as_secs_f64();

        // Memory and health sampled while the burst runs.
        let done = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let sampler = {
            let (done, peak) = (done.clone(), peak.clone());
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    peak.fetch_max(rss_mib(pid), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(20));
                }
            })
        };
        let health = {
            let (done, http, base) = (done.clone(), http.clone(), base.clone());
            tokio::spawn(async move {
                let mut worst = Duration::ZERO;
                while !done.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    let _ = http.get(format!("{base}/healthz")).send().await;
                    worst = worst.max(t.elapsed());
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                worst
            })
        };
        let t = Instant::now();
        let burst = (0..BURST).map(|n| {
            let (http, base) = (http.clone(), base.clone());
            tokio::spawn(async move { log_in(&http, &base, 1000 + n).await })
        });
        let mut answers = std::collections::BTreeMap::new();
        for a in futures_util::future::join_all(burst).await {
            *answers.entry(a.unwrap_or(0)).or_insert(0) += 1;
        }
        let burst_secs = t.elapsed().as_secs_f64();
        done.store(true, Ordering::Relaxed);
        sampler.join().ok();
        let worst_health = health.await.unwrap_or_default();
        tokio::time::sleep(Duration::from_secs(1)).await;
        let after = rss_mib(pid);
        let checked = answers.get(&401).copied().unwrap_or(0);
        let burst_rate = checked as f64 / burst_secs;
        println!("login burst: {BURST} concurrent log-ins with unknown usernames (argon2id, 19 MiB each)");
        println!("  answers by status        {answers:?}");
        println!(
            "  resident memory         before {before} MiB, peak {} MiB, 1 s after {after} MiB (target: peak < 300)",
            peak.load(Ordering::Relaxed)
        );
        println!(
            "  worst /healthz          {:.0} ms (target < 100)",
            worst_health.as_secs_f64() * 1000.0
        );
        println!(
            "  checks per second       burst {burst_rate:.1}, one at a time {sequential_rate:.1}, ratio {:.2}",
            burst_rate / sequential_rate
        );
        // The same burst from one address.
        let one = (0..BURST).map(|n| {
            let (http, base) = (http.clone(), base.clone());
            tokio::spawn(async move { log_in_from(&http, &base, 5000 + n, "203.0.113.1").await })
        });
        let mut answers = std::collections::BTreeMap::new();
        for a in futures_util::future::join_all(one).await {
            *answers.entry(a.unwrap_or(0)).or_insert(0) += 1;
        }
        println!("  from one address         answers by status {answers:?}");
    });
}

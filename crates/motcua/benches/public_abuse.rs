//! The public edge under abuse, against the real server (`motcua demo`, release build), as the
//! security test of the product tried it. Prints, for each attack, how the server answered and
//! what a genuine visitor saw meanwhile:
//!
//! - slowloris: 500 connections, half silent, half sending a header line every two seconds,
//!   held for 20 s: how many the server closed, its memory, the worst `/healthz`;
//! - a ticket flood: 200 tickets asked from one address at concurrency 8, then a genuine
//!   visitor's place in line;
//! - check-in guessing: 300 wrong appointment codes from a registered kiosk and 300 from the web;
//! - a booking flood: 40 bookings from one address with a new phone number each.
//!
//! The server trusts the loopback proxy's `X-Forwarded-For`, so each request says which
//! address it comes from. `cargo bench -p motcua --bench public_abuse`.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

const SLOWLORIS: usize = 500;

/// Sends `n` POSTs of `body(i)` to `path` from `ip`, 8 at a time; the answers by status.
async fn flood(
    http: &reqwest::Client,
    url: String,
    ip: &str,
    bearer: Option<&str>,
    n: usize,
    body: impl Fn(usize) -> Value,
) -> BTreeMap<u16, usize> {
    let mut answers = BTreeMap::new();
    for chunk in (0..n).collect::<Vec<_>>().chunks(8) {
        let sent = chunk.iter().map(|&i| {
            let mut req = http.post(&url).header("x-forwarded-for", ip).json(&body(i));
            if let Some(b) = bearer {
                req = req.bearer_auth(b);
            }
            req.send()
        });
        for r in futures_util::future::join_all(sent).await {
            *answers
                .entry(r.map_or(0, |r| r.status().as_u16()))
                .or_insert(0) += 1;
        }
    }
    answers
}

/// Holds `SLOWLORIS` connections for 20 s; how many the server closed.
async fn slowloris(address: &str) -> usize {
    let mut held = Vec::new();
    for i in 0..SLOWLORIS {
        if let Ok(mut s) = tokio::net::TcpStream::connect(address).await {
            if i % 2 == 1 {
                let _ = s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await;
            }
            held.push(s);
        }
    }
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(20) {
        for (i, s) in held.iter_mut().enumerate() {
            if i % 2 == 1 {
                let _ = s.write_all(b"X-Slow: 1\r\n").await;
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let mut closed = 0;
    for mut s in held {
        // A closed connection fails to take more bytes (or reads end-of-stream).
        let mut buf = [0u8; 256];
        let gone = s.write_all(b"X-Slow: 1\r\n").await.is_err()
            || matches!(
                tokio::time::timeout(
                    Duration::from_millis(20),
                    tokio::io::AsyncReadExt::read(&mut s, &mut buf)
                )
                .await,
                Ok(Ok(0) | Err(_))
            );
        closed += usize::from(gone);
    }
    closed
}

fn main() {
    let demo = common::Demo::start("public-abuse");
    let base = demo.base.clone();
    let data = demo.data.clone();
    let creds: Value = serde_json::from_slice(
        &std::fs::read(data.join("demo-credentials.json")).expect("credentials"),
    )
    .expect("json");
    let kiosk = creds["kiosk_key"].as_str().expect("kiosk key").to_string();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client");
        let branches: Value = http
            .get(format!("{base}/api/v1/branches"))
            .send()
            .await
            .expect("branches")
            .json()
            .await
            .expect("json");
        let branch = branches
            .as_array()
            .and_then(|b| b.iter().find(|b| b["code"] == "QN-HQ"))
            .expect("branch QN-HQ");
        let group = branch["groups"][0]["code"].as_str().expect("a group").to_string();

        // Slowloris, with /healthz probed meanwhile.
        let before = common::rss_mib(demo.pid);
        let address = base.trim_start_matches("http://").to_string();
        let probe = {
            let (http, base) = (http.clone(), base.clone());
            tokio::spawn(async move {
                let mut worst = Duration::ZERO;
                let t = Instant::now();
                while t.elapsed() < Duration::from_secs(20) {
                    let s = Instant::now();
                    let _ = http.get(format!("{base}/healthz")).send().await;
                    worst = worst.max(s.elapsed());
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                worst
            })
        };
        let closed = slowloris(&address).await;
        let worst = probe.await.unwrap_or_default();
        println!("slowloris: {SLOWLORIS} connections (half silent, half a header line every 2 s) held 20 s");
        println!(
            "  closed by the server     {closed} of {SLOWLORIS}; resident memory {before} → {} MiB; worst /healthz {:.0} ms",
            common::rss_mib(demo.pid),
            worst.as_secs_f64() * 1000.0
        );

        // Tickets: a flood from one address, then a genuine visitor.
        let tickets = format!("{base}/api/v1/branches/QN-HQ/tickets");
        let g = group.clone();
        let answers = flood(&http, tickets.clone(), "203.0.113.9", None, 200, |_| {
            json!({"group": g, "priority": "elderly"})
        })
        .await;
        let g = group.clone();
        let plain = flood(&http, tickets.clone(), "203.0.113.9", None, 200, |_| json!({"group": g})).await;
        let visitor: Value = http
            .post(&tickets)
            .header("x-forwarded-for", "198.51.100.1")
            .json(&json!({"group": group}))
            .send()
            .await
            .expect("ticket")
            .json()
            .await
            .expect("json");
        println!("ticket flood: 200 priority and 200 ordinary tickets asked from one address");
        println!("  priority claims          {answers:?}");
        println!("  ordinary tickets         {plain:?}");
        println!(
            "  a genuine visitor        ticket {}, {} ahead, expected wait {} min",
            visitor["number"], visitor["people_ahead"], visitor["expected_wait_minutes"]
        );

        // Check-in guessing.
        let check_in = format!("{base}/api/v1/branches/QN-HQ/check-in");
        let code = |i: usize| json!({"code": format!("{:08}", 31_000_000 + i)});
        let at_kiosk = flood(&http, check_in.clone(), "10.9.9.9", Some(&kiosk), 300, code).await;
        let on_web = flood(&http, check_in, "203.0.113.10", None, 300, code).await;
        println!("check-in guessing: 300 wrong codes");
        println!("  from the registered kiosk {at_kiosk:?}");
        println!("  from the web              {on_web:?}");

        // Bookings with a new phone number each.
        let slots: Value = http
            .get(format!("{base}/api/v1/branches/QN-HQ/slots?group={group}&days=14"))
            .send()
            .await
            .expect("slots")
            .json()
            .await
            .expect("json");
        let all: Vec<String> = slots
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|d| d["slots"].as_array().cloned().unwrap_or_default())
            .filter_map(|s| s["at"].as_str().map(str::to_string))
            .collect();
        let g = group.clone();
        let bookings = flood(
            &http,
            format!("{base}/api/v1/branches/QN-HQ/appointments"),
            "203.0.113.11",
            None,
            40,
            |i| json!({"group": g, "slot": all[i / 2 % all.len()], "name": "Khách thử", "phone": format!("09130{i:05}")}),
        )
        .await;
        println!("booking flood: 40 bookings from one address, a new phone number each");
        println!("  answers by status        {bookings:?}");
    });
}

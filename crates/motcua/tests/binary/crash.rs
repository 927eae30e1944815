//! Crash safety: the real server on SQLite takes concurrent dossier submissions and is killed
//! with SIGKILL in the middle; after a restart every dossier that was acknowledged with 201
//! is there with all its events, no dossier lacks events, and the audit chain verifies.
//! Then one stored event is edited and `motcua audit verify` names the broken link.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{BIN, credentials, login, start};
use sqlx::Executor;
use tokio::sync::Mutex;

fn audit(data: &Path) -> (bool, String) {
    let out = Command::new(BIN)
        .args(["audit", "verify", "--data"])
        .arg(data)
        .output()
        .expect("run audit verify");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_dossiers_survive_kill_9() {
    let data: PathBuf = std::env::temp_dir().join(format!("motcua-crash-{}", std::process::id()));
    std::fs::remove_dir_all(&data).ok();
    let mut server = start(&data);
    let creds = credentials(&data);
    // reqwest is built with rustls and no default crypto provider (see motcua-notify).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let token = login(&http, &server.base, &creds, "tiepnhan.hq").await;
    let procedures: Value = http
        .get(format!(
            "{}/api/v1/procedures?q=nghia+vu+quan+su&per_page=50",
            server.base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let procedure = procedures["items"]
        .as_array()
        .unwrap()
        .iter()
        // With a time limit, and an agency of its own (not the province's commune-level
        // work, for which the counter names the commune).
        .find(|p| !p["processing_time"].is_null() && p["agency_code"] != "000.00.00.H22")
        .expect("a procedure with a time limit")["code"]
        .as_str()
        .unwrap()
        .to_string();

    // code → version acknowledged by the server
    let acknowledged: Arc<Mutex<HashMap<String, u64>>> = Arc::default();
    let deadline = Instant::now() + Duration::from_millis(2500);
    let mut workers = Vec::new();
    for w in 0..12 {
        let (http, base, token, procedure, acknowledged) = (
            http.clone(),
            server.base.clone(),
            token.clone(),
            procedure.clone(),
            acknowledged.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut i = 0u32;
            loop {
                i += 1;
                let body = json!({
                    "procedure_code": procedure,
                    "applicant": {"name": format!("Công dân {w}-{i}"), "phone": "0912345678", "cccd": "022305001234"},
                    "channel": "counter",
                    "branch_code": "QN-HQ",
                    "form": {"ghi_chu": "kiểm thử"}
                });
                let Ok(r) = http.post(format!("{base}/api/v1/dossiers")).bearer_auth(&token).json(&body).send().await else { break };
                if r.status() != reqwest::StatusCode::CREATED {
                    break;
                }
                let Ok(v) = r.json::<Value>().await else { break };
                let code = v["code"].as_str().unwrap().to_string();
                acknowledged.lock().await.insert(code.clone(), v["version"].as_u64().unwrap());
                // Every other dossier also moves on one step.
                if i.is_multiple_of(2) {
                    let Ok(r) = http.post(format!("{base}/api/v1/dossiers/{code}/actions")).bearer_auth(&token).json(&json!({"action": "forward"})).send().await else { break };
                    if r.status() != reqwest::StatusCode::OK {
                        break;
                    }
                    let Ok(v) = r.json::<Value>().await else { break };
                    acknowledged.lock().await.insert(code, v["version"].as_u64().unwrap());
                }
            }
        }));
    }
    tokio::time::sleep_until(deadline.into()).await;
    server.child.kill().expect("kill -9");
    server.child.wait().ok();
    for w in workers {
        w.await.ok();
    }
    let acknowledged = acknowledged.lock().await.clone();
    assert!(
        acknowledged.len() > 20,
        "the load was too light to mean anything: {}",
        acknowledged.len()
    );

    // Restart on the same data: everything acknowledged is there, with its events.
    let mut server = start(&data);
    let supervisor = login(&http, &server.base, &creds, "giamsat").await;
    for (code, version) in &acknowledged {
        let r = http
            .get(format!("{}/api/v1/dossiers/{code}/events", server.base))
            .bearer_auth(&supervisor)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            reqwest::StatusCode::OK,
            "{code} was acknowledged but is gone"
        );
        let events: Value = r.json().await.unwrap();
        assert!(
            events.as_array().unwrap().len() as u64 >= *version,
            "{code} lost events"
        );
    }
    server.child.kill().ok();
    server.child.wait().ok();
    let (ok, out) = audit(&data);
    assert!(ok, "audit after the crash: {out}");
    assert!(out.contains("audit chain intact"), "{out}");
    eprintln!(
        "{} dossiers acknowledged before kill -9; {out}",
        acknowledged.len()
    );

    // Tampering with any stored event is detected and located.
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}", data.join("motcua.db").display());
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    pool.execute("UPDATE events SET body = REPLACE(body, 'Công dân', 'Cong dan') WHERE seq = 7")
        .await
        .unwrap();
    pool.close().await;
    let (ok, out) = audit(&data);
    assert!(!ok, "tampering went unnoticed: {out}");
    assert!(out.contains("BROKEN at event 7"), "{out}");
    std::fs::remove_dir_all(&data).ok();
}

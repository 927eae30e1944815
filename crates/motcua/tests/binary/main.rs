//! The `motcua` binary as an operator runs it, in one test binary: the calendar commands,
//! crash safety of the server under SIGKILL, the demo province worked end to end, and the
//! published figures checked against the open data.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

mod cli;
mod connections;
mod crash;
mod open_data;
mod province;
mod schemathesis;

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_motcua");

pub(crate) struct Server {
    pub child: Child,
    pub base: String,
    /// What the server printed on its terminal since it started listening (the demo's
    /// e-mails and texts), the latest 1,000 lines.
    pub printed: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

pub(crate) fn start(data: &Path) -> Server {
    start_with_history(data, 0)
}

/// The demo with `dossiers` of generated history (its first start).
pub(crate) fn start_with_history(data: &Path, dossiers: usize) -> Server {
    let mut child = Command::new(BIN)
        .args(["demo", "--port", "0", "--history"])
        .arg(dossiers.to_string())
        .arg("--data")
        .arg(data)
        .env("MOTCUA_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start motcua demo");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("the demo printed its address")
            .expect("read stdout");
        if let Some(url) = line.strip_prefix("motcua demo listening on ") {
            break url.trim().to_string();
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    let printed = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = printed.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let mut kept = keep.lock().unwrap_or_else(|p| p.into_inner());
            if kept.len() >= 1000 {
                kept.remove(0);
            }
            kept.push(line);
        }
    });
    Server {
        child,
        base,
        printed,
    }
}

pub(crate) fn credentials(data: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(data.join("demo-credentials.json")).expect("credentials"))
        .expect("json")
}

pub(crate) async fn login(
    http: &reqwest::Client,
    base: &str,
    creds: &Value,
    username: &str,
) -> String {
    let user = creds["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .unwrap();
    let r = http
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": username, "password": user["password"]}))
        .send()
        .await
        .unwrap();
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

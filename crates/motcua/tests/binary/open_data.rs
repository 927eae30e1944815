//! The demo's year of history as the public and the centre see it: the open data files are
//! deterministic and match the manifest's SHA-256, the shipped script recomputes the published
//! index from them and agrees, and the report form adds up and carries over month to month.

use std::path::PathBuf;
use std::time::Duration;

use chrono::Datelike;
use motcua_web::testing::form06_columns;
use serde_json::Value;
use sha2::Digest;

use super::{credentials, login, start_with_history};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_published_figures_are_recomputed_from_the_open_data() {
    let data: PathBuf =
        std::env::temp_dir().join(format!("motcua-open-data-{}", std::process::id()));
    std::fs::remove_dir_all(&data).ok();
    let mut server = start_with_history(&data, 600);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let base = server.base.clone();

    let manifest: Value = http
        .get(format!("{base}/open-data/"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let files = manifest["files"].as_array().unwrap();
    assert!(manifest["high_water_seq"].as_i64().unwrap() > 0);
    // Last month's files, fetched twice: the same bytes, the manifest's SHA-256.
    let today = chrono::Utc::now()
        .with_timezone(&motcua_domain::calendar::TZ)
        .date_naive();
    let last_month = today.with_day(1).unwrap().pred_opt().unwrap();
    let month = last_month.format("%Y-%m").to_string();
    for dataset in ["dossiers", "daily", "index"] {
        for format in ["csv", "json"] {
            let entry = files
                .iter()
                .find(|f| f["dataset"] == dataset && f["period"] == month && f["format"] == format)
                .unwrap_or_else(|| panic!("{dataset}/{month}.{format} in {manifest}"));
            let get = || async {
                http.get(entry["url"].as_str().unwrap())
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap()
            };
            let (one, two) = (get().await, get().await);
            assert_eq!(one, two, "{dataset}/{month}.{format} is deterministic");
            assert_eq!(
                hex::encode(sha2::Sha256::digest(&one)),
                entry["sha256"].as_str().unwrap(),
                "{dataset}/{month}.{format}"
            );
            assert!(entry["rows"].as_u64().unwrap() > 0, "{entry}");
        }
    }
    // Pseudonymous: no dossier code, applicant or officer among the columns.
    let dossiers = http
        .get(format!("{base}/open-data/dossiers/{month}.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        dossiers.lines().next().unwrap(),
        "procedure,agency,commune,channel,received_on,due_on,ended_in,finished_on,outcome,supplements,fee,paid_online,e_result,digitised,reused_data,rating"
    );
    assert!(
        !dossiers.contains("H22-"),
        "no dossier code (the receiving agency, a dash, the day): {dossiers}"
    );
    let missing = http
        .get(format!("{base}/open-data/dossiers/1999-01.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    // The shipped script recomputes the index from the dossier files and agrees, for last
    // month and for last year.
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/recompute_index.py"
    );
    for period in [month.clone(), (today.year() - 1).to_string()] {
        let out = match std::process::Command::new("python3")
            .arg(script)
            .arg(&base)
            .arg(&period)
            .output()
        {
            Ok(out) => out,
            Err(e) => {
                eprintln!("skipped the recomputation: python3 cannot run ({e})");
                break;
            }
        };
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("all agree"),
            "{period}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("REUSED_DIGITIZED_DATA"), "{text}");
    }

    // The report form over the demo's months: the identities hold, and each month carries
    // over what the one before left open.
    let creds = credentials(&data);
    let token = login(&http, &base, &creds, "lanhdao").await;
    let mut before: Option<Value> = None;
    let mut m = last_month.with_day(1).unwrap() - chrono::Months::new(5);
    while m <= last_month {
        let label = m.format("%Y-%m").to_string();
        let form: Value = http
            .get(format!(
                "{base}/api/v1/reports/form-06?from={label}&to={label}&group_by=agency"
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for row in form["rows"]
            .as_array()
            .unwrap()
            .iter()
            .chain([&form["total"]])
        {
            form06_columns(row);
        }
        assert!(
            form["total"]["received_total"].as_u64().unwrap() > 0,
            "{label}"
        );
        if let Some(b) = &before {
            assert_eq!(
                form["total"]["carried_over"], b["total"]["pending_total"],
                "{label} carries over the month before"
            );
        }
        before = Some(form);
        m = m + chrono::Months::new(1);
    }
    server.child.kill().ok();
    server.child.wait().ok();
    std::fs::remove_dir_all(&data).ok();
}

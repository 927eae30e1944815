//! The demo province worked end to end over the API the pages use: for one procedure of every
//! field at every level of the catalog (one with a time limit), a dossier is received at the
//! centre's counter — for the ward the counter chooses when the catalog leaves the commune to
//! the applicant's residence — and carried step by step by the demo's officers of the agency
//! each step names, to its returned result. No procedure ends at an agency with nobody to act.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

use crate::{credentials, login, start};

/// The province as a whole: commune-level procedures routed here are handled by a ward.
const PROVINCE: &str = "000.00.00.H22";
const HONG_GAI: &str = "000.00.36.H22";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dossier_of_every_field_and_level_reaches_its_result() {
    let data: PathBuf =
        std::env::temp_dir().join(format!("motcua-province-{}", std::process::id()));
    std::fs::remove_dir_all(&data).ok();
    let mut server = start(&data);
    let creds = credentials(&data);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let base = server.base.clone();
    let get = |path: String| {
        let http = http.clone();
        let url = format!("{base}{path}");
        async move {
            http.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };

    // One procedure with a time limit for every (field, level) of the catalog.
    let mut chosen: BTreeMap<(String, String), Value> = BTreeMap::new();
    for page in 1.. {
        let list = get(format!("/api/v1/procedures?per_page=100&page={page}")).await;
        let items = list["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            break;
        }
        for p in items
            .into_iter()
            .filter(|p| !p["processing_time"].is_null())
        {
            let key = (
                p["field"].as_str().unwrap_or_default().to_string(),
                p["level"].as_str().unwrap_or_default().to_string(),
            );
            chosen.entry(key).or_insert(p);
        }
    }
    assert!(chosen.len() > 150, "{} fields × levels", chosen.len());

    // The officers by role and agency, signed in once each.
    let officers: Vec<(String, String, String)> = creds["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let s = |k: &str| u[k].as_str().unwrap_or_default().to_string();
            (s("username"), s("role"), s("agency_code"))
        })
        .collect();
    let mut tokens: HashMap<String, String> = HashMap::new();
    let reception = login(&http, &base, &creds, "tiepnhan.hq").await;
    let act = |token: String, code: String, body: Value| {
        let http = http.clone();
        let url = format!("{base}/api/v1/dossiers/{code}/actions");
        async move {
            let r = http
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let ok = r.status().is_success();
            let v: Value = r.json().await.unwrap();
            if ok {
                Ok(v["status"].as_str().unwrap_or_default().to_string())
            } else {
                Err(v["error"]["code"].as_str().unwrap_or_default().to_string())
            }
        }
    };

    let mut stuck: Vec<String> = Vec::new();
    for ((field, level), p) in &chosen {
        let code = p["code"].as_str().unwrap().to_string();
        let agency = p["agency_code"].as_str().unwrap_or_default();
        let competent = if agency == PROVINCE { HONG_GAI } else { agency };
        let detail = get(format!("/api/v1/procedures/{code}")).await;
        let steps = detail["steps"].as_array().cloned().unwrap_or_default();
        let filed = http
            .post(format!("{base}/api/v1/dossiers"))
            .bearer_auth(&reception)
            .json(&json!({
                "procedure_code": code,
                "applicant": {"name": "Nguyễn Văn Bình", "cccd": "022090001234", "phone": "0912345678"},
                "channel": "counter",
                "branch_code": "QN-HQ",
                "competent_agency_code": competent,
                "receive": true
            }))
            .send()
            .await
            .unwrap();
        let status = filed.status();
        let body: Value = filed.json().await.unwrap();
        if !status.is_success() {
            stuck.push(format!("{code} ({field}, {level}): not filed, {body}"));
            continue;
        }
        let dossier = body["code"].as_str().unwrap().to_string();
        let mut trail = act(
            reception.clone(),
            dossier.clone(),
            json!({"action": "forward"}),
        )
        .await;
        for (i, step) in steps.iter().enumerate() {
            if trail.is_err() {
                break;
            }
            let role = step["role"].as_str().unwrap_or_default();
            let at = step["agency"].as_str().unwrap_or(competent);
            let Some((username, ..)) = officers.iter().find(|(_, r, a)| r == role && a == at)
            else {
                trail = Err(format!("nobody is {role} at {at}"));
                break;
            };
            if !tokens.contains_key(username) {
                let t = login(&http, &base, &creds, username).await;
                tokens.insert(username.clone(), t);
            }
            let token = tokens[username].clone();
            trail = if i + 1 == steps.len() {
                match act(token.clone(), dossier.clone(), json!({"action": "approve"})).await {
                    Ok(_) => {
                        let issue = json!({"action": "issue_result", "summary": "Giải quyết xong"});
                        act(token, dossier.clone(), issue).await
                    }
                    e => e,
                }
            } else {
                act(token, dossier.clone(), json!({"action": "forward"})).await
            };
        }
        if trail.is_ok() {
            let back = json!({"action": "return_result", "channel": {"method": "counter"}});
            trail = act(reception.clone(), dossier.clone(), back).await;
        }
        if trail.as_deref() != Ok("returned") {
            stuck.push(format!(
                "{code} ({field}, {level}) at {competent}: {trail:?}"
            ));
        }
    }
    server.child.kill().ok();
    server.child.wait().ok();
    std::fs::remove_dir_all(&data).ok();
    assert!(
        stuck.is_empty(),
        "{} of {} did not reach their result:\n{}",
        stuck.len(),
        chosen.len(),
        stuck.join("\n")
    );
}

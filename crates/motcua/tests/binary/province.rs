//! The demo province worked end to end through the pages alone, as officers with a browser
//! do it: for one procedure of every field at every level of the catalog (one with a time
//! limit), reception files a walk-in dossier on the reception console — ticking the checklist,
//! choosing the ward when the catalog leaves the commune to the applicant's residence, taking
//! the fee the page states (or the first case's when it is stated case by case) — and the
//! demo's officers of the agency each step names carry it on the dossier page: forward,
//! approve, issue the signed result as a file, return it at the counter. No procedure ends at
//! an agency with nobody to act. The public API only says which procedures and steps exist.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use motcua_web::testing::{Tab, csrf_of};
use reqwest::StatusCode;
use serde_json::Value;

use crate::{credentials, start};

const HONG_GAI: &str = "000.00.36.H22";
const RESULT_PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// The value of attribute `attr` of the first tag holding `marker`.
fn attr_after(html: &str, marker: &str, attr: &str) -> Option<String> {
    let at = html.find(marker)?;
    let tag_start = html[..=at].rfind('<')?;
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>')?];
    let key = format!("{attr}=\"");
    let v = &tag[tag.find(&key)? + key.len()..];
    Some(v[..v.find('"')?].to_string())
}

/// The messages of a page's error summary, or the start of the page when it has none.
fn why(status: StatusCode, html: &str) -> String {
    let summary = html
        .find("class=\"error-summary\"")
        .map(|at| &html[at..])
        .and_then(|s| s.find("<ul>").map(|u| &s[u..]))
        .map(|s| &s[..s.find("</ul>").unwrap_or(s.len())])
        .unwrap_or_else(|| &html[..html.len().min(300)]);
    format!("{status}: {summary}")
}

/// Signs in on the staff log-in page; the session and its CSRF token.
async fn sign_in(base: &str, creds: &Value, username: &str) -> (Tab, String) {
    let password = creds["users"]
        .as_array()
        .and_then(|users| users.iter().find(|u| u["username"] == username))
        .and_then(|u| u["password"].as_str())
        .unwrap_or_else(|| panic!("{username} is listed with a password"))
        .to_string();
    let mut tab = Tab::new(base);
    let (_, _, html) = tab.get("/staff/login").await;
    let csrf = csrf_of(&html);
    let form = [
        ("csrf", csrf.as_str()),
        ("username", username),
        ("password", password.as_str()),
        ("next", "/staff"),
    ];
    let (s, location, _) = tab.post("/staff/login", &form).await;
    assert_eq!(
        (s, location.as_str()),
        (StatusCode::SEE_OTHER, "/staff"),
        "{username} signs in"
    );
    let (_, _, html) = tab.get("/staff").await;
    let csrf = csrf_of(&html);
    (tab, csrf)
}

/// On the dossier's page: the form of `action` is offered, and sending it is confirmed.
async fn act(
    tab: &mut Tab,
    csrf: &str,
    dossier: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> Result<(), String> {
    let page = format!("/staff/dossiers/{dossier}");
    let (s, _, html) = tab.get(&page).await;
    let offered = if action == "issue_result" {
        html.contains(&format!("action=\"{page}/result\""))
    } else {
        html.contains(&format!("name=\"action\" value=\"{action}\""))
    };
    if !offered {
        return Err(format!("{action} not offered ({s})"));
    }
    let (s, location, html) = if action == "issue_result" {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.to_string())
            .text("summary", "Giải quyết xong")
            .part(
                "file",
                reqwest::multipart::Part::bytes(RESULT_PDF).file_name("ket-qua.pdf"),
            );
        tab.post_multipart(&format!("{page}/result"), form).await
    } else {
        let mut form = vec![("csrf", csrf), ("action", action)];
        form.extend_from_slice(fields);
        tab.post(&format!("{page}/actions"), &form).await
    };
    if s == StatusCode::SEE_OTHER && location == format!("{page}?done=1") {
        Ok(())
    } else {
        Err(format!("{action}: {}", why(s, &html)))
    }
}

/// Files a walk-in dossier of `code` on the reception console and receives it: its code and
/// the agency competent for it.
async fn file_at_counter(
    desk: &mut Tab,
    csrf: &str,
    code: &str,
) -> Result<(String, String), String> {
    let (s, _, html) = desk
        .get(&format!("/staff/reception?procedure={code}"))
        .await;
    if s != StatusCode::OK || !html.contains("id=\"chosen-procedure\"") {
        return Err(format!("console: {}", why(s, &html)));
    }
    let documents = html.matches("name=\"doc-").count();
    let ticks: Vec<String> = (0..documents).map(|i| format!("doc-{i}")).collect();
    let mut form: Vec<(&str, String)> = vec![
        ("csrf", csrf.to_string()),
        ("procedure", code.to_string()),
        ("name", "Nguyễn Văn Bình".into()),
        ("cccd", "022090001234".into()),
        ("phone", "0912345678".into()),
        ("outcome", "receive".into()),
    ];
    form.extend(ticks.iter().map(|t| (t.as_str(), "1".to_string())));
    // The ward: Hồng Gai when it is offered, else the first the list offers.
    let commune = html.contains("name=\"commune\"").then(|| {
        if html.contains(&format!("<option value=\"{HONG_GAI}\"")) {
            HONG_GAI.to_string()
        } else {
            attr_after(&html, "<option value=\"000.", "value").unwrap_or_default()
        }
    });
    if let Some(c) = &commune {
        form.push(("commune", c.clone()));
    }
    let branch = attr_after(&html, "\" selected>", "value").unwrap_or_else(|| "QN-HQ".into());
    form.push(("branch", branch));
    // The fee the page states, else the first case's amount as the officer reads it.
    let mut fee = attr_after(&html, "id=\"f-fee\"", "value").unwrap_or_default();
    if fee.is_empty()
        && let Some(at) = html.find("id=\"f-fee-cases\"")
        && let Some(item) = html[at..].split("<li>").nth(1)
    {
        let item = &item[..item.find("</li>").unwrap_or(item.len())];
        fee = item
            .rsplit(": ")
            .next()
            .unwrap_or_default()
            .trim_end_matches(" đồng")
            .replace('.', "");
    }
    form.push(("fee", fee));
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (s, location, html) = desk.post("/staff/reception", &fields).await;
    let dossier = location
        .strip_prefix("/staff/dossiers/")
        .and_then(|rest| rest.strip_suffix("?done=1"));
    match (s, dossier) {
        (StatusCode::SEE_OTHER, Some(d)) => Ok((d.to_string(), commune.unwrap_or_default())),
        _ => Err(format!("reception: {} {location}", why(s, &html))),
    }
}

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

    // The officers by role and agency, each signed in once when first needed.
    let officers: Vec<(String, String, String)> = creds["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let s = |k: &str| u[k].as_str().unwrap_or_default().to_string();
            (s("username"), s("role"), s("agency_code"))
        })
        .collect();
    let mut sessions: HashMap<String, (Tab, String)> = HashMap::new();
    let (mut desk, desk_csrf) = sign_in(&base, &creds, "tiepnhan.hq").await;

    let mut stuck: Vec<String> = Vec::new();
    for ((field, level), p) in &chosen {
        let code = p["code"].as_str().unwrap().to_string();
        let (dossier, commune) = match file_at_counter(&mut desk, &desk_csrf, &code).await {
            Ok(filed) => filed,
            Err(e) => {
                stuck.push(format!("{code} ({field}, {level}): {e}"));
                continue;
            }
        };
        let competent = if commune.is_empty() {
            p["agency_code"].as_str().unwrap_or_default().to_string()
        } else {
            commune
        };
        let detail = get(format!("/api/v1/procedures/{code}")).await;
        let steps = detail["steps"].as_array().cloned().unwrap_or_default();
        let mut trail = act(&mut desk, &desk_csrf, &dossier, "forward", &[]).await;
        for (i, step) in steps.iter().enumerate() {
            if trail.is_err() {
                break;
            }
            let role = step["role"].as_str().unwrap_or_default();
            let at = step["agency"].as_str().unwrap_or(&competent);
            let Some((username, ..)) = officers.iter().find(|(_, r, a)| r == role && a == at)
            else {
                trail = Err(format!("nobody is {role} at {at}"));
                break;
            };
            if !sessions.contains_key(username) {
                let session = sign_in(&base, &creds, username).await;
                sessions.insert(username.clone(), session);
            }
            let Some((tab, csrf)) = sessions.get_mut(username) else {
                unreachable!("signed in above")
            };
            trail = if i + 1 == steps.len() {
                match act(tab, csrf, &dossier, "approve", &[]).await {
                    Ok(()) => act(tab, csrf, &dossier, "issue_result", &[]).await,
                    e => e,
                }
            } else {
                act(tab, csrf, &dossier, "forward", &[]).await
            };
        }
        if trail.is_ok() {
            let counter = [("method", "counter")];
            trail = act(&mut desk, &desk_csrf, &dossier, "return_result", &counter).await;
        }
        if trail.is_ok() {
            let (_, _, html) = desk.get(&format!("/staff/dossiers/{dossier}")).await;
            if !html.contains("status-returned") {
                trail = Err("not shown as returned".into());
            }
        }
        if let Err(e) = trail {
            stuck.push(format!("{code} ({field}, {level}) at {competent}: {e}"));
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

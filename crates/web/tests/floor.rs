//! The floor of a branch over the API: branches with their groups and counters, tickets taken
//! at the kiosk (numbered per group and day, people ahead, expected wait), counters calling
//! the next ticket (priorities first, never the same ticket twice) and the denials. On SQLite
//! and PostgreSQL.

use std::collections::HashSet;

use motcua_store::{Branch, Counter, ServiceGroup};
use reqwest::StatusCode;
use serde_json::{Value, json};

mod common;
use common::*;

async fn floor(app: &App) {
    app.store
        .put_branch(&Branch {
            code: "HQ".into(),
            agency: code(CENTRE),
            name: "Trụ sở".into(),
            address: "Hạ Long".into(),
            hours: String::new(),
            counters: (1..=3)
                .map(|n| Counter {
                    number: n,
                    label: format!("Quầy {n}"),
                })
                .collect(),
        })
        .await
        .unwrap();
    for (code, name, prefix, counters) in [
        ("HT", "Hộ tịch", "A", vec![1, 2]),
        ("DD", "Đất đai", "B", vec![3]),
    ] {
        app.store
            .put_service_group(&ServiceGroup {
                branch: "HQ".into(),
                code: code.into(),
                name: name.into(),
                prefix: prefix.into(),
                counters,
            })
            .await
            .unwrap();
    }
}

async fn take(app: &App, body: Value) -> (StatusCode, Value) {
    app.post("/api/v1/branches/HQ/tickets", None, &body).await
}

async fn call(app: &App, counter: &str, token: Option<&str>) -> (StatusCode, Value) {
    let path = format!("/api/v1/counters/{counter}/call-next");
    app.post(&path, token, &json!({})).await
}

async fn tickets_are_taken_and_called_in_order(app: App) {
    floor(&app).await;
    let (s, branches) = app.get("/api/v1/branches", None).await;
    assert_eq!(s, StatusCode::OK);
    let hq = branches
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["code"] == "HQ")
        .unwrap();
    assert_eq!(hq["counters"][0]["code"], "HQ-01");
    assert_eq!(hq["groups"][1]["code"], "HT");
    assert_eq!(hq["groups"][1]["counters"], json!([1, 2]));

    assert_eq!(
        app.post("/api/v1/branches/XX/tickets", None, &json!({"group": "HT"}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        take(&app, json!({"group": "ZZ"})).await.0,
        StatusCode::NOT_FOUND
    );
    let (s, body) = take(&app, json!({"group": "HT", "priority": "vip"})).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_priority"))
    );
    let (s, first) = take(&app, json!({"group": "HT"})).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert_eq!(
        (first["number"].as_str(), first["people_ahead"].as_u64()),
        (Some("A001"), Some(0))
    );
    assert_eq!(first["expected_wait_minutes"], 0);
    let (_, second) = take(&app, json!({"group": "HT"})).await;
    assert_eq!(second["number"], "A002");
    assert_eq!(second["people_ahead"], 1);
    assert_eq!(
        second["expected_wait_minutes"], 10,
        "one round at two counters"
    );
    let (_, elderly) = take(&app, json!({"group": "HT", "priority": "elderly"})).await;
    assert_eq!(elderly["number"], "A003");
    assert_eq!(elderly["people_ahead"], 0, "priority goes first");
    let (_, other_group) = take(&app, json!({"group": "DD"})).await;
    assert_eq!(other_group["number"], "B001");

    // Who may call: a reception officer of the branch's agency, at a counter of the branch.
    let reception = app.token("letan").await;
    let specialist = app.token("chuyenvien").await;
    assert_eq!(call(&app, "HQ-01", None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        call(&app, "HQ-01", Some(&app.key_rw)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&app, "HQ-01", Some(&specialist)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&app, "HQ-09", Some(&reception)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&app, "khong-co", Some(&reception)).await.0,
        StatusCode::NOT_FOUND
    );
    let mut order = Vec::new();
    loop {
        let (s, t) = call(&app, "HQ-01", Some(&reception)).await;
        if s == StatusCode::NO_CONTENT {
            break;
        }
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(t["counter_code"], "HQ-01");
        order.push(t["number"].as_str().unwrap().to_string());
    }
    assert_eq!(order, vec!["A003", "A001", "A002"]);
    let (s, t) = call(&app, "HQ-03", Some(&reception)).await;
    assert_eq!((s, t["number"].as_str()), (StatusCode::OK, Some("B001")));
}

async fn two_counters_never_get_the_same_ticket(app: App) {
    floor(&app).await;
    for _ in 0..12 {
        let (s, _) = app
            .post("/api/v1/branches/HQ/tickets", None, &json!({"group": "HT"}))
            .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let reception = app.token("letan").await;
    let mut calls = Vec::new();
    for i in 0..16 {
        let http = app.http.clone();
        let url = app.url(&format!("/api/v1/counters/HQ-0{}/call-next", 1 + i % 2));
        let token = reception.clone();
        calls.push(tokio::spawn(async move {
            let r = http.post(url).bearer_auth(token).send().await.unwrap();
            match r.status() {
                StatusCode::NO_CONTENT => None,
                StatusCode::OK => Some(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()),
                s => panic!("{s}"),
            }
        }));
    }
    let mut called = Vec::new();
    for c in calls {
        called.extend(c.await.unwrap());
    }
    let distinct: HashSet<i64> = called.iter().copied().collect();
    assert_eq!(called.len(), 12, "{called:?}");
    assert_eq!(distinct.len(), 12, "a ticket was called twice: {called:?}");
}

/// Reads a board stream until `needle` shows in it (or ten seconds pass); returns what came.
async fn read_until(r: &mut reqwest::Response, needle: &str) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !seen.contains(needle) {
        let chunk = tokio::time::timeout_at(deadline, r.chunk())
            .await
            .unwrap_or_else(|_| panic!("{needle:?} never came; got {seen}"))
            .unwrap()
            .unwrap_or_else(|| panic!("the stream ended; got {seen}"));
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    seen
}

async fn boards_show_calls_live_and_replay_after_reconnecting(app: App) {
    floor(&app).await;
    assert_eq!(
        app.http
            .get(app.url("/api/v1/branches/XX/board"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let mut board = app
        .http
        .get(app.url("/api/v1/branches/HQ/board"))
        .send()
        .await
        .unwrap();
    assert_eq!(board.status(), StatusCode::OK);
    assert!(
        board.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let reception = app.token("letan").await;
    take(&app, json!({"group": "HT"})).await;
    take(&app, json!({"group": "HT"})).await;
    let (s, _) = call(&app, "HQ-02", Some(&reception)).await;
    assert_eq!(s, StatusCode::OK);
    let seen = read_until(&mut board, "A001").await;
    assert!(seen.contains("event: call"), "{seen}");
    assert!(seen.contains("\"counter_code\":\"HQ-02\""), "{seen}");
    let first_id: i64 = seen
        .lines()
        .find_map(|l| l.strip_prefix("id: "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // The board drops; a call is made meanwhile; on reconnecting it gets what it missed.
    drop(board);
    call(&app, "HQ-01", Some(&reception)).await;
    let mut again = app
        .http
        .get(app.url("/api/v1/branches/HQ/board"))
        .header("last-event-id", first_id.to_string())
        .send()
        .await
        .unwrap();
    let replayed = read_until(&mut again, "A002").await;
    assert!(
        !replayed.contains("A001"),
        "nothing shown twice: {replayed}"
    );
    assert!(
        replayed.contains("\"counter_code\":\"HQ-01\""),
        "{replayed}"
    );
}

async fn counters_recall_and_end_services(app: App) {
    floor(&app).await;
    for _ in 0..3 {
        take(&app, json!({"group": "HT"})).await;
    }
    let reception = app.token("letan").await;
    let post = |path: String, body: Value| {
        let (http, url, token) = (app.http.clone(), app.url(&path), reception.clone());
        async move {
            let r = http
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let recall = || post("/api/v1/counters/HQ-01/recall".into(), json!({}));
    let end = |outcome: &str| {
        post(
            "/api/v1/counters/HQ-01/end".into(),
            json!({"outcome": outcome}),
        )
    };
    assert_eq!(
        recall().await.0,
        StatusCode::CONFLICT,
        "nobody is served yet"
    );
    assert_eq!(end("done").await.0, StatusCode::CONFLICT);
    let (_, first) = call(&app, "HQ-01", Some(&reception)).await;
    assert_eq!(first["number"], "A001");
    let (s, again) = recall().await;
    assert_eq!(
        (s, again["number"].as_str()),
        (StatusCode::OK, Some("A001"))
    );
    let calls = app.store.calls_since(0, Some("HQ"), 100).await.unwrap();
    assert_eq!(calls.len(), 2, "the recall is shown again on the boards");
    assert_eq!(end("maybe").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, ended) = end("no_show").await;
    assert_eq!(
        (s, ended["number"].as_str()),
        (StatusCode::OK, Some("A001"))
    );
    assert_eq!(end("no_show").await.0, StatusCode::CONFLICT, "ended once");
    // Calling the next ends the service under way as served.
    call(&app, "HQ-01", Some(&reception)).await;
    let (_, third) = call(&app, "HQ-01", Some(&reception)).await;
    assert_eq!(third["number"], "A003");
    let day = chrono::Utc::now()
        .with_timezone(&motcua_domain::calendar::TZ)
        .date_naive();
    let served = app.store.service_times("HQ", "HT", day).await.unwrap();
    assert_eq!(
        served.len(),
        1,
        "A002 served; A001 did not come: {served:?}"
    );
    // Another counter cannot end this one's service.
    let (s, _) = post(
        "/api/v1/counters/HQ-03/end".into(),
        json!({"outcome": "done"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = app
        .post(
            "/api/v1/counters/HQ-01/recall",
            Some(&app.key_rw),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn counter_console_pages(app: App) {
    floor(&app).await;
    for _ in 0..2 {
        take(&app, json!({"group": "HT"})).await;
    }
    let page = "/staff/counters/HQ-01";
    // Signed out: the log-in page; a specialist: refused; an unknown counter: not found.
    let (s, location, _) = Tab::new(&app).get(page).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/staff/login"), "{location}");
    let (mut specialist, _) = log_in(&app, "chuyenvien").await;
    assert_eq!(specialist.get(page).await.0, StatusCode::FORBIDDEN);
    let (mut desk, csrf) = log_in(&app, "letan").await;
    assert_eq!(
        desk.get("/staff/counters/HQ-09").await.0,
        StatusCode::NOT_FOUND
    );
    let (s, _, html) = desk.get(page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Chưa gọi số nào"), "{html}");
    let press = |tab: &Tab, what: &'static str, token: String| {
        let (http, url, cookie) = (
            tab.http.clone(),
            format!("{}/staff/counters/HQ-01/act", tab.base),
            tab.cookie_header(),
        );
        async move {
            let r = http
                .post(url)
                .header("cookie", cookie)
                .form(&[("csrf", token.as_str()), ("do", what)])
                .send()
                .await
                .unwrap();
            (
                r.status(),
                r.headers()
                    .get("location")
                    .map(|v| v.to_str().unwrap().to_string())
                    .unwrap_or_default(),
            )
        }
    };
    assert_eq!(
        press(&desk, "next", "forged".into()).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, location) = press(&desk, "next", csrf.clone()).await;
    assert_eq!(
        (s, location.as_str()),
        (StatusCode::SEE_OTHER, "/staff/counters/HQ-01?done=1")
    );
    let (_, _, html) = desk.get(page).await;
    assert!(html.contains("A001"), "{html}");
    assert_eq!(
        press(&desk, "recall", csrf.clone()).await.1,
        "/staff/counters/HQ-01?done=1"
    );
    assert_eq!(
        press(&desk, "done", csrf.clone()).await.1,
        "/staff/counters/HQ-01?done=1"
    );
    assert_eq!(
        press(&desk, "no_show", csrf.clone()).await.1,
        "/staff/counters/HQ-01?done=none",
        "nothing to end any more"
    );
    press(&desk, "next", csrf.clone()).await;
    let (_, _, html) = desk.get(page).await;
    assert!(html.contains("A002"), "{html}");
    let calls = app.store.calls_since(0, Some("HQ"), 10).await.unwrap();
    assert_eq!(
        calls.iter().map(|c| c.number.as_str()).collect::<Vec<_>>(),
        vec!["A001", "A001", "A002"]
    );
}

on_both_backends!(
    tickets_are_taken_and_called_in_order,
    two_counters_never_get_the_same_ticket,
    boards_show_calls_live_and_replay_after_reconnecting,
    counters_recall_and_end_services,
    counter_console_pages
);

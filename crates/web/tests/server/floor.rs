//! The floor of a branch over the API: branches with their groups and counters, tickets taken
//! at the kiosk (numbered per group and day, people ahead, expected wait), counters calling
//! the next ticket (priorities first, never the same ticket twice) and the denials. On SQLite
//! and PostgreSQL.

use std::collections::HashSet;

use motcua_store::{Branch, Counter, ServiceGroup};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

/// Branch HQ with its groups: HT at counters 1 and 2, DD at counter 3.
pub(crate) async fn floor(app: &App) {
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
        app.take_ticket(&json!({"group": "ZZ"}))
            .await
            .unwrap_err()
            .status,
        StatusCode::NOT_FOUND
    );
    let refused = app
        .take_ticket(&json!({"group": "HT", "priority": "vip"}))
        .await
        .unwrap_err();
    assert_eq!(
        (refused.status, refused.code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_priority")
    );
    let first = app.take_ticket(&json!({"group": "HT"})).await.unwrap();
    assert_eq!(
        (first.number.as_str(), first.people_ahead),
        ("A001", Some(0))
    );
    assert_eq!(first.expected_wait_minutes, Some(0));
    let second = app.take_ticket(&json!({"group": "HT"})).await.unwrap();
    assert_eq!(second.number, "A002");
    assert_eq!(second.people_ahead, Some(1));
    assert_eq!(
        second.expected_wait_minutes,
        Some(10),
        "one round at two counters"
    );
    let elderly = app
        .take_ticket(&json!({"group": "HT", "priority": "elderly"}))
        .await
        .unwrap();
    assert_eq!(elderly.number, "A003");
    assert_eq!(elderly.people_ahead, Some(0), "priority goes first");
    let other_group = app.take_ticket(&json!({"group": "DD"})).await.unwrap();
    assert_eq!(other_group.number, "B001");

    // Who may call: a reception officer of the branch's agency, at a counter of the branch.
    let reception = app.token("letan").await;
    let specialist = app.token("chuyenvien").await;
    assert_eq!(
        app.call_next("HQ-01", None).await.unwrap_err().status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.call_next("HQ-01", Some(&app.key_rw))
            .await
            .unwrap_err()
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call_next("HQ-01", Some(&specialist))
            .await
            .unwrap_err()
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call_next("HQ-09", Some(&reception))
            .await
            .unwrap_err()
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call_next("khong-co", Some(&reception))
            .await
            .unwrap_err()
            .status,
        StatusCode::NOT_FOUND
    );
    let mut order = Vec::new();
    while let Some(t) = app.call_next("HQ-01", Some(&reception)).await.unwrap() {
        assert_eq!(t.counter_code.as_deref(), Some("HQ-01"));
        order.push(t.number);
    }
    assert_eq!(order, vec!["A003", "A001", "A002"]);
    let t = app.call_next("HQ-03", Some(&reception)).await.unwrap();
    assert_eq!(t.map(|t| t.number).as_deref(), Some("B001"));
}

async fn two_counters_never_get_the_same_ticket(app: App) {
    floor(&app).await;
    for _ in 0..12 {
        app.take_ticket(&json!({"group": "HT"})).await.unwrap();
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
    app.take_ticket(&json!({"group": "HT"})).await.unwrap();
    app.take_ticket(&json!({"group": "HT"})).await.unwrap();
    let called = app.call_next("HQ-02", Some(&reception)).await.unwrap();
    assert!(called.is_some());
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
    app.call_next("HQ-01", Some(&reception)).await.unwrap();
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
        app.take_ticket(&json!({"group": "HT"})).await.unwrap();
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
    let first = app
        .call_next("HQ-01", Some(&reception))
        .await
        .unwrap()
        .expect("a ticket");
    assert_eq!(first.number, "A001");
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
    app.call_next("HQ-01", Some(&reception)).await.unwrap();
    let third = app
        .call_next("HQ-01", Some(&reception))
        .await
        .unwrap()
        .expect("a ticket");
    assert_eq!(third.number, "A003");
    let day = chrono::Utc::now()
        .with_timezone(&motcua_domain::calendar::TZ)
        .date_naive();
    let load = app.store.day_load(day).await.unwrap();
    let served = &load
        .iter()
        .find(|l| l.branch == "HQ" && l.group == "HT")
        .unwrap()
        .service_secs;
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
        app.take_ticket(&json!({"group": "HT"})).await.unwrap();
    }
    let page = "/staff/counters/HQ-01";
    // Signed out: the log-in page; a specialist: refused; an unknown counter: not found.
    let (s, location, _) = Tab::new(&app.base).get(page).await;
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

    // The console's forms: a link to a dossier that does not exist is refused in words; the
    // transfer moves A002 to counter 3.
    let act = "/staff/counters/HQ-01/act";
    let (s, _, html) = desk
        .post(
            act,
            &[
                ("csrf", &csrf),
                ("do", "link"),
                ("dossier", "000.00.01.H22-260101-9999"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("error-summary"), "{html}");
    let (s, _, html) = desk
        .post(
            act,
            &[
                ("csrf", &csrf),
                ("do", "transfer"),
                ("group", ""),
                ("to", "HQ-77"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Không có nhóm dịch vụ hoặc quầy này"),
        "{html}"
    );
    let (s, location, _) = desk
        .post(
            act,
            &[
                ("csrf", &csrf),
                ("do", "transfer"),
                ("group", "DD"),
                ("to", "HQ-03"),
            ],
        )
        .await;
    assert_eq!(
        (s, location.as_str()),
        (StatusCode::SEE_OTHER, "/staff/counters/HQ-01?done=1")
    );
    let moved = app
        .store
        .waiting_tickets(
            &"HQ".into(),
            &["DD".to_string()],
            Some(3),
            chrono::Utc::now()
                .with_timezone(&motcua_domain::calendar::TZ)
                .date_naive(),
        )
        .await
        .unwrap();
    assert_eq!(
        moved.iter().map(|t| t.number.as_str()).collect::<Vec<_>>(),
        vec!["A002"]
    );

    // The counter's tablet: for reception officers of the branch only; it asks about the
    // ticket just served and takes one rating.
    let today = chrono::Utc::now()
        .with_timezone(&motcua_domain::calendar::TZ)
        .date_naive();
    let tablet = "/staff/counters/HQ-03/tablet";
    let (s, location, _) = Tab::new(&app.base).get(tablet).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/staff/login"), "{location}");
    assert_eq!(specialist.get(tablet).await.0, StatusCode::FORBIDDEN);
    let (_, _, html) = desk.get(tablet).await;
    assert!(
        html.contains("tablet-waiting"),
        "nothing called at counter 3 yet: {html}"
    );
    let reception = app.token("letan").await;
    let a2 = app
        .call_next("HQ-03", Some(&reception))
        .await
        .unwrap()
        .expect("a ticket");
    let (s, _, html) = desk.get(tablet).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("tablet-ticket") && html.contains("A002"),
        "{html}"
    );
    let ticket = a2.id.to_string();
    let (s, _, _) = desk
        .post(
            tablet,
            &[
                ("csrf", "forged"),
                ("ticket", &ticket),
                ("level", "satisfied"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, html) = desk
        .post(tablet, &[("csrf", &csrf), ("ticket", &ticket)])
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Hãy chọn mức độ hài lòng"), "{html}");
    let rate = [
        ("csrf", csrf.as_str()),
        ("ticket", ticket.as_str()),
        ("level", "satisfied"),
        ("attitude", "2"),
    ];
    let (s, location, _) = desk.post(tablet, &rate).await;
    assert_eq!(
        (s, location.as_str()),
        (
            StatusCode::SEE_OTHER,
            "/staff/counters/HQ-03/tablet?done=thanks"
        )
    );
    let (_, location, _) = desk.post(tablet, &rate).await;
    assert_eq!(location, "/staff/counters/HQ-03/tablet?done=already");
    let (_, _, html) = desk.get(tablet).await;
    assert!(
        html.contains("tablet-waiting"),
        "rated: back to waiting: {html}"
    );
    let counts = app.store.rating_counts(today, today).await.unwrap();
    assert_eq!(counts.iter().map(|c| c.count).sum::<u64>(), 1);
    assert_eq!(counts[0].officer.as_deref(), Some("letan"));
}

async fn transfer(
    app: &App,
    counter: &str,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let path = format!("/api/v1/counters/{counter}/transfer");
    app.post(&path, token, &body).await
}

async fn tickets_are_transferred_and_linked_to_dossiers(app: App) {
    floor(&app).await;
    let reception = app.token("letan").await;
    let specialist = app.token("chuyenvien").await;
    app.take_ticket(&json!({"group": "HT"})).await.unwrap();
    app.take_ticket(&json!({"group": "HT"})).await.unwrap();
    app.take_ticket(&json!({"group": "DD"})).await.unwrap();
    assert_eq!(
        transfer(&app, "HQ-01", Some(&reception), json!({"group": "DD"}))
            .await
            .0,
        StatusCode::CONFLICT,
        "nobody served yet"
    );
    let a1 = app
        .call_next("HQ-01", Some(&reception))
        .await
        .unwrap()
        .expect("a ticket");
    assert_eq!(a1.number, "A001");
    assert_eq!(
        transfer(&app, "HQ-01", None, json!({"group": "DD"}))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        transfer(&app, "HQ-01", Some(&specialist), json!({"group": "DD"}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    for bad in [
        json!({"group": "ZZ"}),
        json!({"counter": "HQ-09"}),
        json!({}),
    ] {
        let (s, body) = transfer(&app, "HQ-01", Some(&reception), bad).await;
        assert_eq!(
            (s, body["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_target"))
        );
    }
    // To counter 3 only: counter 2 (same group as before) does not get it; counter 3 calls
    // it before B001, which came later: it keeps its number and its arrival.
    let (s, moved) = transfer(&app, "HQ-01", Some(&reception), json!({"counter": "HQ-03"})).await;
    assert_eq!(s, StatusCode::OK, "{moved}");
    assert_eq!(
        (moved["number"].as_str(), moved["group"].as_str()),
        (Some("A001"), Some("DD"))
    );
    let at2 = app
        .call_next("HQ-02", Some(&reception))
        .await
        .unwrap()
        .expect("a ticket");
    assert_eq!(at2.number, "A002");
    let at3 = app
        .call_next("HQ-03", Some(&reception))
        .await
        .unwrap()
        .expect("a ticket");
    assert_eq!(at3.number, "A001");

    // The dossier received during the service is linked to the ticket.
    let (s, filed) = app
        .post("/api/v1/dossiers", Some(&app.key_rw), &dossier_body())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let dossier = filed["code"].as_str().unwrap();
    let link = |body: Value, token: Option<String>| {
        let app = &app;
        async move {
            app.post("/api/v1/counters/HQ-03/link", token.as_deref(), &body)
                .await
        }
    };
    assert_eq!(
        link(json!({"dossier": "khong-phai-ma"}), Some(reception.clone()))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        link(json!({"dossier": dossier}), Some(specialist.clone()))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (s, linked) = link(json!({"dossier": dossier}), Some(reception.clone())).await;
    assert_eq!(s, StatusCode::OK, "{linked}");
    assert_eq!(linked["dossier"], dossier);
    assert_eq!(
        app.post(
            "/api/v1/counters/HQ-01/link",
            Some(&reception),
            &json!({"dossier": dossier})
        )
        .await
        .0,
        StatusCode::CONFLICT,
        "counter 1 serves nobody now"
    );
}

async fn appointments_are_booked_checked_in_and_cancelled(app: App) {
    floor(&app).await;
    assert_eq!(
        app.get("/api/v1/branches/HQ/slots?group=ZZ", None).await.0,
        StatusCode::NOT_FOUND
    );
    let (s, days) = app
        .get("/api/v1/branches/HQ/slots?group=DD&days=14", None)
        .await;
    assert_eq!(s, StatusCode::OK, "{days}");
    let days = days.as_array().unwrap();
    assert!(!days.is_empty(), "working days ahead have slots");
    let slot = days[0]["slots"][0].clone();
    // One counter serves DD, two bookings per counter and slot.
    assert_eq!(slot["free"], 2);
    let book = |body: Value| {
        let app = &app;
        async move {
            app.post("/api/v1/branches/HQ/appointments", None, &body)
                .await
        }
    };
    let at = slot["at"].as_str().unwrap();
    let (s, bad) =
        book(json!({"group": "DD", "slot": at, "name": "Trần Văn Bình", "phone": "12345"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    let (s, bad) = book(json!({"group": "DD", "slot": "2020-01-01T01:00:00Z", "name": "Trần Văn Bình", "phone": "0912345678"})).await;
    assert_eq!(
        (s, bad["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_slot"))
    );
    let (s, bad) =
        book(json!({"group": "DD", "slot": at, "name": " ", "phone": "0912345678"})).await;
    assert_eq!(
        (s, bad["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_name"))
    );
    let (s, first) =
        book(json!({"group": "DD", "slot": at, "name": "Trần Văn Bình", "phone": "0912345678"}))
            .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert_eq!(first["status"], "booked");
    let code = first["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 8);
    let (s, _) =
        book(json!({"group": "DD", "slot": at, "name": "Lê Thị Cúc", "phone": "0987654321"})).await;
    assert_eq!(s, StatusCode::CREATED);
    let third = json!({"group": "DD", "slot": at, "name": "Phạm Văn Dũng", "phone": "0901234567"});
    let (s, full) = app
        .post_from("198.51.100.3", "/api/v1/branches/HQ/appointments", &third)
        .await;
    assert_eq!(
        (s, full["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("slot_full"))
    );
    let (_, after) = app
        .get("/api/v1/branches/HQ/slots?group=DD&days=14", None)
        .await;
    assert_eq!(after[0]["slots"][0]["free"], 0);

    // Check-in: unknown code or branch 404; a slot more than an hour ahead is too early; one
    // starting in ten minutes is checked in once and placed by its slot; a past one is missed.
    let check_in = |branch: &'static str, code: String| {
        let app = &app;
        async move {
            app.post(
                &format!("/api/v1/branches/{branch}/check-in"),
                Some(&app.key_kiosk),
                &json!({"code": code}),
            )
            .await
        }
    };
    let booked = |code: &'static str, minutes_from_now: i64| {
        let app = &app;
        async move {
            let now = chrono::Utc::now();
            app.store
                .book_appointment(
                    &motcua_store::Appointment {
                        code: code.into(),
                        branch: "HQ".into(),
                        group: "HT".into(),
                        slot_at: now + chrono::Duration::minutes(minutes_from_now),
                        minutes: 30,
                        name: "Đỗ Thị Hoa".into(),
                        phone: "0912000111".into(),
                        status: motcua_store::AppointmentStatus::Booked,
                        created_at: now,
                        ticket_id: None,
                    },
                    4,
                )
                .await
                .unwrap()
        }
    };
    assert_eq!(
        check_in("HQ", "00000000".into()).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(check_in("XX", code.clone()).await.0, StatusCode::NOT_FOUND);
    assert!(booked("97531864", 180).await);
    let (s, early) = check_in("HQ", "97531864".into()).await;
    assert_eq!(
        (s, early["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("check_in_too_early"))
    );
    assert!(booked("24681357", 10).await);
    let (s, ticket) = check_in("HQ", "24681357".into()).await;
    assert_eq!(s, StatusCode::CREATED, "{ticket}");
    assert_eq!(ticket["number"], "A001");
    assert!(ticket["slot"].is_string());
    assert_eq!(
        check_in("HQ", "24681357".into()).await.0,
        StatusCode::NOT_FOUND,
        "once"
    );
    assert!(booked("11223344", -45).await);
    let (s, late) = check_in("HQ", "11223344".into()).await;
    assert_eq!(
        (s, late["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("appointment_missed"))
    );

    // Cancelling asks the phone again and frees the place.
    let cancel = |phone: &'static str| {
        let app = &app;
        let code = code.clone();
        async move {
            app.post(
                &format!("/api/v1/appointments/{code}/cancel"),
                None,
                &json!({"phone": phone}),
            )
            .await
        }
    };
    assert_eq!(cancel("0999999999").await.0, StatusCode::NOT_FOUND);
    let (s, cancelled) = cancel("+84 912 345 678").await;
    assert_eq!(
        (s, cancelled["status"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    let (_, after) = app
        .get("/api/v1/branches/HQ/slots?group=DD&days=14", None)
        .await;
    assert_eq!(after[0]["slots"][0]["free"], 1);
    assert_eq!(check_in("HQ", code).await.0, StatusCode::NOT_FOUND);
}

async fn rate(app: &App, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    app.post("/api/v1/ratings", token, &body).await
}

async fn ratings_are_given_once_and_summed_live(app: App) {
    floor(&app).await;
    let reception = app.token("letan").await;
    let specialist = app.token("chuyenvien").await;
    let waiting = app.take_ticket(&json!({"group": "HT"})).await.unwrap();
    let id = waiting.id;
    let body = json!({"ticket": id, "level": "very_satisfied", "criteria": {"attitude": 2}});
    assert_eq!(
        rate(&app, None, body.clone()).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        rate(&app, Some(&specialist), body.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, e) = rate(&app, Some(&reception), body.clone()).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_served"))
    );
    for bad in [
        json!({"ticket": id, "level": "great"}),
        json!({"ticket": id, "level": "satisfied", "criteria": {"attitude": 3}}),
        json!({"ticket": id, "level": "satisfied", "criteria": {"speed": 1}}),
        json!({"ticket": id, "dossier": "x", "level": "satisfied"}),
        json!({"level": "satisfied"}),
    ] {
        assert_eq!(
            rate(&app, Some(&reception), bad.clone()).await.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}"
        );
    }
    assert_eq!(
        rate(
            &app,
            Some(&reception),
            json!({"ticket": 999999, "level": "satisfied"})
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );

    // The live summary follows every rating.
    let mut live = app
        .http
        .get(app.url("/api/v1/stats/satisfaction/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), StatusCode::OK);
    read_until(&mut live, "event: summary").await;

    app.call_next("HQ-01", Some(&reception)).await.unwrap();
    let (s, r) = rate(&app, Some(&reception), body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(
        (r["officer"].as_str(), r["counter_code"].as_str()),
        (Some("letan"), Some("HQ-01"))
    );
    let (s, e) = rate(
        &app,
        Some(&reception),
        json!({"ticket": id, "level": "dissatisfied"}),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_rated"))
    );
    let seen = read_until(&mut live, "\"very_satisfied\":1").await;
    assert!(seen.contains("\"key\":\"HQ-01\""), "{seen}");

    // A second ticket, served at counter 2 and rated "dissatisfied".
    app.take_ticket(&json!({"group": "HT"})).await.unwrap();
    let t2 = app
        .call_next("HQ-02", Some(&reception))
        .await
        .unwrap()
        .expect("a ticket");
    app.post(
        "/api/v1/counters/HQ-02/end",
        Some(&reception),
        &json!({"outcome": "done"}),
    )
    .await;
    let (s, _) = rate(
        &app,
        Some(&reception),
        json!({"ticket": t2.id, "level": "dissatisfied", "criteria": {"attitude": 0}}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    read_until(&mut live, "\"dissatisfied\":1").await;

    let (s, by_counter) = app.get("/api/v1/stats/satisfaction?by=counter", None).await;
    assert_eq!(s, StatusCode::OK, "{by_counter}");
    let rows = by_counter["rows"].as_array().unwrap();
    let row = |key: &str| rows.iter().find(|r| r["key"] == key).unwrap().clone();
    assert_eq!(row("HQ-01")["very_satisfied"], 1);
    assert_eq!(row("HQ-02")["dissatisfied"], 1);
    let total = row("*");
    assert_eq!(
        (total["total"].as_u64(), total["satisfied_percent"].as_f64()),
        (Some(2), Some(50.0))
    );
    assert_eq!(total["criteria"]["attitude"], 1.0);
    let (_, by_officer) = app.get("/api/v1/stats/satisfaction?by=officer", None).await;
    assert_eq!(by_officer["rows"][0]["key"], "letan");
    assert_eq!(by_officer["rows"][0]["total"], 2);
    let (_, by_agency) = app.get("/api/v1/stats/satisfaction?by=agency", None).await;
    assert_eq!(by_agency["rows"][0]["label"], format!("Cơ quan {CENTRE}"));
    let (s, _) = app
        .get(
            "/api/v1/stats/satisfaction?from=2026-02-01&to=2026-01-01",
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = app.get("/api/v1/stats/satisfaction?by=planet", None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

async fn floor_figures_by_day_and_place(app: App) {
    floor(&app).await;
    let reception = app.token("letan").await;
    for _ in 0..3 {
        app.take_ticket(&json!({"group": "HT"})).await.unwrap();
    }
    let t = app
        .call_next("HQ-01", Some(&reception))
        .await
        .unwrap()
        .expect("a ticket");
    rate(
        &app,
        Some(&reception),
        json!({"ticket": t.id, "level": "satisfied"}),
    )
    .await;
    app.call_next("HQ-01", Some(&reception)).await.unwrap();
    app.post(
        "/api/v1/counters/HQ-01/end",
        Some(&reception),
        &json!({"outcome": "no_show"}),
    )
    .await;
    assert_eq!(
        app.get("/api/v1/stats/floor", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let giamsat = app.token("giamsat").await;
    let (s, _) = app.get("/api/v1/stats/floor?by=room", Some(&giamsat)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, by_branch) = app.get("/api/v1/stats/floor", Some(&giamsat)).await;
    assert_eq!(s, StatusCode::OK, "{by_branch}");
    let hq = &by_branch["rows"][0];
    assert_eq!(
        (
            hq["key"].as_str(),
            hq["issued"].as_u64(),
            hq["served"].as_u64(),
            hq["no_shows"].as_u64(),
            hq["waiting"].as_u64()
        ),
        (Some("HQ"), Some(3), Some(1), Some(1), Some(1))
    );
    assert_eq!(
        (hq["ratings"].as_u64(), hq["satisfied"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(hq["average_wait_minutes"].is_number());
    let (_, by_officer) = app
        .get("/api/v1/stats/floor?by=officer&branch=HQ", Some(&giamsat))
        .await;
    let letan = by_officer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "letan")
        .unwrap()
        .clone();
    assert_eq!(
        (letan["served"].as_u64(), letan["no_shows"].as_u64()),
        (Some(1), Some(1))
    );
    let (_, by_counter) = app
        .get("/api/v1/stats/floor?by=counter", Some(&giamsat))
        .await;
    assert_eq!(by_counter["rows"][0]["key"], "HQ-01");
}

async fn boards_show_waiting_lines_live(app: App) {
    floor(&app).await;
    let (s, q) = app.get("/api/v1/branches/HQ/queue", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(q["groups"][1]["group"], "HT");
    assert_eq!(q["groups"][1]["waiting"], 0);
    let mut board = app
        .http
        .get(app.url("/api/v1/branches/HQ/board"))
        .send()
        .await
        .unwrap();
    let first = read_until(&mut board, "event: waiting").await;
    assert!(first.contains("\"waiting\":0"), "{first}");
    app.take_ticket(&json!({"group": "HT"})).await.unwrap();
    app.take_ticket(&json!({"group": "HT"})).await.unwrap();
    app.take_ticket(&json!({"group": "HT"})).await.unwrap();
    let seen = read_until(&mut board, "\"waiting\":3").await;
    assert!(
        seen.contains("\"expected_wait_minutes\":20"),
        "three waiting at two counters: {seen}"
    );
    let (_, q) = app.get("/api/v1/branches/HQ/queue", None).await;
    assert_eq!(q["groups"][1]["waiting"], 3);
}

on_both_backends!(
    tickets_are_transferred_and_linked_to_dossiers,
    appointments_are_booked_checked_in_and_cancelled,
    ratings_are_given_once_and_summed_live,
    floor_figures_by_day_and_place,
    boards_show_waiting_lines_live,
    tickets_are_taken_and_called_in_order,
    two_counters_never_get_the_same_ticket,
    boards_show_calls_live_and_replay_after_reconnecting,
    counters_recall_and_end_services,
    counter_console_pages
);

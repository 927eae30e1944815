//! Abuse resistance end to end: guessing slows down the guesser and never locks out the owner,
//! retries with an `Idempotency-Key` do things once, and the public floor cannot be flooded.
//! Clients are told apart by `X-Forwarded-For`, which the test server believes from the
//! loopback address (its trusted proxy).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

/// A staff log-in of `username` with `password` from the client at `ip`: the status and, when
/// refused for too many attempts, the wait the server gives.
async fn staff_login(app: &App, ip: &str, username: &str, password: &str) -> (StatusCode, u64) {
    let r = app
        .http
        .post(app.url("/api/v1/auth/token"))
        .header("x-forwarded-for", ip)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    let wait = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (r.status(), wait)
}

async fn guesses_slow_down_the_guesser_and_never_lock_out_the_owner(app: App) {
    const OWNER: &str = "10.1.1.1";
    let right = "pw-lanhdao";
    // The owner signed in before from their office.
    assert_eq!(
        staff_login(&app, OWNER, "lanhdao", right).await.0,
        StatusCode::OK
    );
    // A guesser gets five tries, then waits, even with the right password.
    for _ in 0..5 {
        let (s, _) = staff_login(&app, "203.0.113.1", "lanhdao", "sai").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, wait) = staff_login(&app, "203.0.113.1", "lanhdao", right).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!((1..=30).contains(&wait), "told to wait {wait} s");
    // Someone else, elsewhere, is not held back by it.
    assert_eq!(
        staff_login(&app, "198.51.100.7", "lanhdao", right).await.0,
        StatusCode::OK
    );
    // Guesses spread over many addresses slow down the account for new clients (a minute at
    // most), never for the owner's.
    for i in 0..12 {
        let ip = format!("203.0.113.{}", 100 + i);
        let (s, _) = staff_login(&app, &ip, "lanhdao", "sai").await;
        assert!(
            [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].contains(&s),
            "{s}"
        );
    }
    let (s, wait) = staff_login(&app, "192.0.2.99", "lanhdao", right).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        wait <= 60,
        "the account waits a minute at most, not {wait} s"
    );
    assert_eq!(
        staff_login(&app, OWNER, "lanhdao", right).await.0,
        StatusCode::OK,
        "the owner's own client is never held back"
    );
    // One client guessing across many accounts is slowed down too.
    for i in 0..20 {
        let (s, _) = staff_login(&app, "203.0.113.50", &format!("khong-co-{i}"), "sai").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        staff_login(&app, "203.0.113.50", "letan", "pw-letan")
            .await
            .0,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        staff_login(&app, "203.0.113.51", "letan", "pw-letan")
            .await
            .0,
        StatusCode::OK
    );

    // Citizens' accounts: the same, and nothing is written on the account any more.
    let mail = Mail::start(&app).await;
    register_and_verify(&app, &mail, "hoa@example.vn").await;
    let citizen = |ip: &'static str, password: &'static str| {
        let app = &app;
        async move {
            app.post_from(
                ip,
                "/api/v1/citizen/login",
                &json!({"login": "hoa@example.vn", "password": password}),
            )
            .await
            .0
        }
    };
    for _ in 0..5 {
        assert_eq!(
            citizen("203.0.113.2", "sai mật khẩu").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        citizen("203.0.113.2", "mật khẩu 123").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        citizen("198.51.100.8", "mật khẩu 123").await,
        StatusCode::OK
    );

    // Public tracking: strangers' guesses at a dossier never stop its applicant, who tracked
    // it before, and only slow down the stranger.
    let reception = app.token("letan").await;
    let code = app.file_dossier(&reception, &dossier_body()).await.code;
    let track = |ip: String, verify: &'static str| {
        let app = &app;
        let path = format!("/api/v1/track/{code}?verify={verify}");
        async move { app.get_from(&ip, &path).await.0 }
    };
    assert_eq!(track(OWNER.into(), "5678").await, StatusCode::OK);
    for i in 0..25 {
        let s = track(format!("203.0.113.{}", 150 + i), "0000").await;
        assert!(
            [StatusCode::NOT_FOUND, StatusCode::TOO_MANY_REQUESTS].contains(&s),
            "{s}"
        );
    }
    assert_eq!(
        track("192.0.2.77".into(), "5678").await,
        StatusCode::TOO_MANY_REQUESTS,
        "a new client waits once the code has been guessed at from many places"
    );
    assert_eq!(track(OWNER.into(), "5678").await, StatusCode::OK);
}

/// A POST with an `Idempotency-Key`, as `bearer`: status, body and whether it was a replay.
async fn post_once(
    app: &App,
    path: &str,
    bearer: &str,
    key: &str,
    body: &Value,
) -> (StatusCode, Value, bool) {
    let r = app
        .http
        .post(app.url(path))
        .bearer_auth(bearer)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let replayed = r.headers().contains_key("idempotent-replayed");
    (status, r.json().await.unwrap_or(Value::Null), replayed)
}

async fn retries_with_an_idempotency_key_act_once(app: App) {
    let reception = app.token("letan").await;
    let before = app.store.count_dossiers().await.unwrap();
    let body = dossier_body();
    let (s, first, replayed) =
        post_once(&app, "/api/v1/dossiers", &reception, "nop-1", &body).await;
    assert_eq!((s, replayed), (StatusCode::CREATED, false), "{first}");
    // The same request again: the same answer, nothing filed twice.
    let (s, again, replayed) =
        post_once(&app, "/api/v1/dossiers", &reception, "nop-1", &body).await;
    assert_eq!((s, replayed), (StatusCode::CREATED, true));
    assert_eq!(again, first);
    assert_eq!(app.store.count_dossiers().await.unwrap(), before + 1);
    // The same key for a different request is a mistake, said plainly.
    let mut other = dossier_body();
    other["applicant"]["name"] = json!("Trần Văn Bình");
    let (s, refused, _) = post_once(&app, "/api/v1/dossiers", &reception, "nop-1", &other).await;
    assert_eq!(
        (s, refused["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("idempotency_key_reused")
        )
    );
    // Keys belong to their credentials: the same key with another token is another request.
    let other_token = app.token("letan").await;
    let (s, _, replayed) = post_once(&app, "/api/v1/dossiers", &other_token, "nop-1", &body).await;
    assert_eq!((s, replayed), (StatusCode::CREATED, false));
    let (s, bad, _) = post_once(&app, "/api/v1/dossiers", &reception, "có dấu", &body).await;
    assert_eq!(
        (s, bad["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_idempotency_key"))
    );
    // A refused request keeps nothing: the same key may be used once it is put right.
    let (s, _, _) = post_once(&app, "/api/v1/dossiers", &reception, "nop-2", &json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, replayed) = post_once(&app, "/api/v1/dossiers", &reception, "nop-2", &body).await;
    assert_eq!((s, replayed), (StatusCode::CREATED, false));

    // An action retried after a lost answer is done once.
    let code = first["code"].as_str().unwrap();
    let actions = format!("/api/v1/dossiers/{code}/actions");
    let forward = json!({"action": "forward", "assignee": "chuyenvien"});
    let (s, done, _) = post_once(&app, &actions, &reception, "chuyen-1", &forward).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    let (s, again, replayed) = post_once(&app, &actions, &reception, "chuyen-1", &forward).await;
    assert_eq!((s, replayed, &again), (StatusCode::OK, true, &done));
    let (_, now) = app
        .get(&format!("/api/v1/dossiers/{code}"), Some(&reception))
        .await;
    assert_eq!(now["version"], done["version"], "forwarded once");
}

async fn the_public_floor_cannot_be_flooded(app: App) {
    crate::floor::floor(&app).await;
    let tickets = "/api/v1/branches/HQ/tickets";
    // Priority is claimed at a registered kiosk only.
    let (s, body) = app
        .post_from(
            "203.0.113.9",
            tickets,
            &json!({"group": "HT", "priority": "elderly"}),
        )
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("priority_at_kiosk"))
    );
    let elderly = app
        .take_ticket(&json!({"group": "HT", "priority": "elderly"}))
        .await
        .unwrap();
    assert_eq!(elderly.people_ahead, Some(0));
    // A key of another kind (not a kiosk) is the web.
    let (s, _) = app
        .post(
            tickets,
            Some(&app.key_read_only),
            &json!({"group": "HT", "priority": "elderly"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // From the web, a few ordinary tickets per client and hour.
    for _ in 0..3 {
        let (s, _) = app
            .post_from("203.0.113.9", tickets, &json!({"group": "HT"}))
            .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let (s, body) = app
        .post_from("203.0.113.9", tickets, &json!({"group": "HT"}))
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_tickets"))
    );
    let (s, _) = app
        .post_from("198.51.100.9", tickets, &json!({"group": "HT"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    // Even a kiosk cannot issue more than a busy minute's worth in one group.
    let mut refused = 0;
    for _ in 0..40 {
        if app.take_ticket(&json!({"group": "DD"})).await.is_err() {
            refused += 1;
        }
    }
    assert_eq!(refused, 10, "30 a minute");

    // Check-in is for kiosks; wrong codes slow the kiosk down, so codes cannot be tried in
    // bulk.
    let check_in = "/api/v1/branches/HQ/check-in";
    let (s, _) = app
        .post_from("203.0.113.9", check_in, &json!({"code": "12345678"}))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, body) = app
        .post(
            check_in,
            Some(&app.key_read_only),
            &json!({"code": "12345678"}),
        )
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("kiosk_only"))
    );
    let kiosk = Some(app.key_kiosk.as_str());
    let mut statuses = Vec::new();
    for i in 0..7 {
        let code = format!("{:08}", 10_000_000 + i);
        statuses.push(app.post(check_in, kiosk, &json!({"code": code})).await.0);
    }
    assert_eq!(statuses[..5], [StatusCode::NOT_FOUND; 5]);
    assert_eq!(statuses[5..], [StatusCode::TOO_MANY_REQUESTS; 2]);

    // Bookings: a few per phone, per client whatever the phones, and per client and slot.
    let (_, slots) = app
        .get("/api/v1/branches/HQ/slots?group=DD&days=14", None)
        .await;
    let all: Vec<String> = slots
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|day| day["slots"].as_array().unwrap().clone())
        .map(|slot| slot["at"].as_str().unwrap().to_string())
        .collect();
    let slot_at = |i: usize| all[i].clone();
    let book = |ip: &'static str, slot: String, phone: String| {
        let app = &app;
        async move {
            let body = json!({"group": "DD", "slot": slot, "name": "Ngô Văn Em", "phone": phone});
            app.post_from(ip, "/api/v1/branches/HQ/appointments", &body)
                .await
                .0
        }
    };
    let first = slot_at(0);
    assert_eq!(
        book("203.0.113.20", first.clone(), "0912000001".into()).await,
        StatusCode::CREATED
    );
    assert_eq!(
        book("203.0.113.20", first.clone(), "0912000002".into()).await,
        StatusCode::CREATED
    );
    assert_eq!(
        book("203.0.113.20", first, "0912000003".into()).await,
        StatusCode::TOO_MANY_REQUESTS,
        "one client takes at most two places of a slot"
    );
    let mut last = StatusCode::CREATED;
    for i in 1..12 {
        last = book("203.0.113.20", slot_at(i), format!("09120001{i:02}")).await;
        if last != StatusCode::CREATED {
            assert_eq!(
                i, 8,
                "ten attempts an hour per client, the refused one counted"
            );
            break;
        }
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

on_both_backends!(
    guesses_slow_down_the_guesser_and_never_lock_out_the_owner,
    retries_with_an_idempotency_key_act_once,
    the_public_floor_cannot_be_flooded
);

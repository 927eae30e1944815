//! Citizens' accounts over the API, end to end: codes travel through the outbox to a real SMTP
//! server started by the test; sessions, CSRF, lock-out, reset and the denials. On SQLite and
//! PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

async fn register_verify_profile_sessions(app: App) {
    let mail = Mail::start(&app).await;
    let login = "anh@example.vn";
    let (s, body) = app
        .post(
            "/api/v1/citizen/register",
            None,
            &json!({"login": "ANH@example.vn", "password": "mật khẩu 123", "full_name": "Nguyễn Thị Ánh"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["code_sent_by"], "email");
    // Not before verification.
    let (s, body) = app
        .post(
            "/api/v1/citizen/login",
            None,
            &json!({"login": login, "password": "mật khẩu 123"}),
        )
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("account_not_verified"))
    );
    // Registering a login that has an account answers exactly as for a new one (nobody
    // learns which logins exist); the owner gets a fresh code instead, and the account is
    // unchanged. Bad input is named.
    let again = app
        .post(
            "/api/v1/citizen/register",
            None,
            &json!({"login": login, "password": "another one", "full_name": "X"}),
        )
        .await;
    let fresh = app
        .post(
            "/api/v1/citizen/register",
            None,
            &json!({"login": "new@example.vn", "password": "another one", "full_name": "X"}),
        )
        .await;
    assert_eq!(again, fresh);
    assert_eq!(again.0, StatusCode::CREATED);
    let owner = app.store.citizen_by_login(login).await.unwrap().unwrap();
    assert_eq!(owner.full_name, "Nguyễn Thị Ánh");
    for (bad, code) in [
        (
            json!({"login": "0123", "password": "mật khẩu 123", "full_name": "A"}),
            "invalid_login",
        ),
        (
            json!({"login": "b@example.vn", "password": "short", "full_name": "A"}),
            "weak_password",
        ),
        (
            json!({"login": "b@example.vn", "password": "mật khẩu 123", "full_name": " "}),
            "invalid_name",
        ),
    ] {
        let (s, body) = app.post("/api/v1/citizen/register", None, &bad).await;
        assert_eq!(
            (s, body["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(code))
        );
    }
    let code = mail.code_for(login).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (s, body) = app
        .post(
            "/api/v1/citizen/verify",
            None,
            &json!({"login": login, "code": wrong}),
        )
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("wrong_code"))
    );
    let (s, body) = app
        .post(
            "/api/v1/citizen/verify",
            None,
            &json!({"login": login, "code": code}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let token = body["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("mcs_"));
    assert_eq!(body["profile"]["email"], login);
    // A spent code does not work twice.
    let (s, _) = app
        .post(
            "/api/v1/citizen/verify",
            None,
            &json!({"login": login, "code": code}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // Profile: every wrong field is listed; the real 2025 units are the only choices.
    let (s, body) = send(
        &app,
        reqwest::Method::PUT,
        "/api/v1/citizen/profile",
        Some(&token),
        Some(&json!({"full_name": "Nguyễn Thị Ánh", "cccd": "022305001235x", "birth_date": "2005-03-01",
                     "province_code": "22", "ward_code": "00004"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["cccd", "ward_code"]);
    let (s, body) = send(
        &app,
        reqwest::Method::PUT,
        "/api/v1/citizen/profile",
        Some(&token),
        Some(&json!({"full_name": "Nguyễn Thị Ánh", "cccd": "022305001234", "birth_date": "2005-03-01",
                     "province_code": "22", "ward_code": "06652", "address_line": "Số 5, tổ 3", "lang": "en"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["ward_code"], "06652");
    assert_eq!(body["lang"], "en");

    // A browser session by cookie must show its CSRF token to write.
    let (_, second) = app
        .post(
            "/api/v1/citizen/login",
            None,
            &json!({"login": login, "password": "mật khẩu 123"}),
        )
        .await;
    let second = second["token"].as_str().unwrap().to_string();
    let cookie = format!("motcua_sid={second}");
    let r = app
        .http
        .put(app.url("/api/v1/citizen/profile"))
        .header("cookie", &cookie)
        .json(&json!({"full_name": "Kẻ giả mạo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .http
        .get(app.url("/api/v1/citizen/profile"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.json::<Value>().await.unwrap()["full_name"],
        "Nguyễn Thị Ánh"
    );

    // Sessions are listed and the other one can be signed out.
    let (s, list) = app.get("/api/v1/citizen/sessions", Some(&token)).await;
    assert_eq!(s, StatusCode::OK);
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    let other = list.iter().find(|x| x["current"] == false).unwrap();
    let id = other["id"].as_str().unwrap();
    let (s, _) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/citizen/sessions/{id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.get("/api/v1/citizen/profile", Some(&second)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/citizen/sessions/{id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A citizen is not staff: no filing on behalf of others, no staff reads.
    let (s, _) = app
        .post("/api/v1/dossiers", Some(&token), &dossier_body())
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let staff = app.token("letan").await;
    let code = app.file_dossier(&staff, &dossier_body()).await.code;
    let (s, _) = app
        .get(&format!("/api/v1/dossiers/{code}"), Some(&token))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another's dossier is invisible");
    let (s, _) = app.get("/api/v1/citizen/sessions", Some(&staff)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "staff have no citizen account");

    let (s, _) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/citizen/logout",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.get("/api/v1/citizen/profile", Some(&token)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

async fn lockout_and_password_reset(app: App) {
    let mail = Mail::start(&app).await;
    let mail_login = "c@example.vn";
    let token = register_and_verify(&app, &mail, mail_login).await;
    for _ in 0..5 {
        let (s, _) = app
            .post(
                "/api/v1/citizen/login",
                None,
                &json!({"login": mail_login, "password": "sai mật khẩu"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, body) = app
        .post(
            "/api/v1/citizen/login",
            None,
            &json!({"login": mail_login, "password": "mật khẩu 123"}),
        )
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts"))
    );
    // Unknown logins answer like wrong passwords; forgotten-password requests tell nothing.
    let (s, _) = app
        .post(
            "/api/v1/citizen/login",
            None,
            &json!({"login": "nobody@example.vn", "password": "mật khẩu 123"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app
        .post(
            "/api/v1/citizen/password/forgot",
            None,
            &json!({"login": "nobody@example.vn"}),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);

    // Reset lifts the lock and ends every session.
    let (s, _) = app
        .post(
            "/api/v1/citizen/password/forgot",
            None,
            &json!({"login": mail_login}),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let code = mail.code_for(mail_login).await;
    let (s, _) = app
        .post(
            "/api/v1/citizen/password/reset",
            None,
            &json!({"login": mail_login, "code": code, "password": "mật khẩu mới 456"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.get("/api/v1/citizen/profile", Some(&token)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "sessions end with a reset");
    let (s, body) = app
        .post(
            "/api/v1/citizen/login",
            None,
            &json!({"login": mail_login, "password": "mật khẩu mới 456"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    // Codes are rate limited per login.
    let mut last = StatusCode::ACCEPTED;
    for _ in 0..4 {
        last = app
            .post(
                "/api/v1/citizen/password/forgot",
                None,
                &json!({"login": "d@example.vn"}),
            )
            .await
            .0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

/// A citizen adds (or changes) an e-mail address or phone number with a code sent to it; the
/// new one signs in; another account's is refused.
async fn contacts_are_added_with_a_code_sent_to_them(app: App) {
    let mail = Mail::start(&app).await;
    let token = register_and_verify(&app, &mail, "hai@example.vn").await;
    register_and_verify(&app, &mail, "ba@example.vn").await;
    let add = |contact: &'static str| {
        let (app, token) = (&app, &token);
        async move {
            app.post(
                "/api/v1/citizen/contact",
                Some(token),
                &json!({"contact": contact}),
            )
            .await
        }
    };
    let (s, body) = add("hai@example.vn").await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("contact_unchanged"))
    );
    let (s, body) = add("không phải").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (s, body) = add("hai.moi@example.vn").await;
    assert_eq!(
        (s, body["code_sent_by"].as_str()),
        (StatusCode::ACCEPTED, Some("email"))
    );
    // The code went to the new address, and only works for it.
    let code = mail.code_for("hai.moi@example.vn").await;
    let confirm = |contact: &'static str, code: String| {
        let (app, token) = (&app, &token);
        async move {
            app.post(
                "/api/v1/citizen/contact/verify",
                Some(token),
                &json!({"contact": contact, "code": code}),
            )
            .await
        }
    };
    let (s, body) = confirm("khac@example.vn", code.clone()).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("wrong_code"))
    );
    let (s, body) = confirm("hai.moi@example.vn", code).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["email"], "hai.moi@example.vn");
    let (s, _) = app
        .post(
            "/api/v1/citizen/login",
            None,
            &json!({"login": "hai.moi@example.vn", "password": "mật khẩu 123"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Another account's address is refused, even with its code.
    let (s, _) = add("ba@example.vn").await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let code = mail.code_for("ba@example.vn").await;
    let (s, body) = confirm("ba@example.vn", code).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("contact_taken"))
    );
    // Only a citizen has contacts to add.
    let (s, _) = app
        .post(
            "/api/v1/citizen/contact",
            None,
            &json!({"contact": "x@example.vn"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

on_both_backends!(
    register_verify_profile_sessions,
    lockout_and_password_reset,
    contacts_are_added_with_a_code_sent_to_them
);

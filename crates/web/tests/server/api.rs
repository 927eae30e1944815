//! The HTTP API end to end: a real server on a random port over a fresh database (SQLite and
//! PostgreSQL), spoken to with an HTTP client. Every denial is tested.

use chrono::{DateTime, Utc};
use motcua_domain::ids::ProcedureCode;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

async fn health_and_openapi(app: App) {
    let (s, body) = app.get("/healthz", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    let (s, doc) = app.get("/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/healthz",
        "/api/v1/procedures",
        "/api/v1/procedures/{code}",
        "/api/v1/dossiers",
        "/api/v1/dossiers/{code}",
        "/api/v1/dossiers/{code}/actions",
        "/api/v1/dossiers/{code}/events",
        "/api/v1/track/{code}",
        "/api/v1/auth/token",
        "/api/v1/stats/daily",
        "/api/v1/branches",
        "/api/v1/branches/{branch}/tickets",
        "/api/v1/branches/{branch}/board",
        "/api/v1/branches/{branch}/queue",
        "/api/v1/branches/{branch}/slots",
        "/api/v1/branches/{branch}/appointments",
        "/api/v1/branches/{branch}/check-in",
        "/api/v1/appointments/{code}/cancel",
        "/api/v1/counters/{counter}/call-next",
        "/api/v1/counters/{counter}/transfer",
        "/api/v1/counters/{counter}/link",
        "/api/v1/ratings",
        "/api/v1/stats/satisfaction",
        "/api/v1/stats/satisfaction/live",
        "/api/v1/stats/floor",
    ] {
        assert!(paths.contains_key(p), "OpenAPI lacks {p}");
    }
    assert!(doc["components"]["schemas"]["DossierView"].is_object());
    for p in ["/api/v1/dossiers/{code}/attachments/{id}", "/api/v1/inbox"] {
        assert!(paths.contains_key(p), "OpenAPI lacks {p}");
    }
    // Every reference points at a schema the document defines.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let name = r.trim_start_matches("#/components/schemas/");
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "dangling reference {r}"
        );
    }
    let page = app.http.get(app.url("/no/such/path")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let (s, body) = app.get("/api/v1/no/such/path", None).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

async fn catalog_and_bad_queries(app: App) {
    let (s, body) = app
        .get("/api/v1/procedures?q=dang%20ky%20khai%20sinh", None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["total"], 1);
    let item = &body["items"][0];
    assert_eq!(
        (item["code"].as_str(), item["agency_code"].as_str()),
        (Some("1.001234"), Some(DEPARTMENT))
    );
    assert_eq!(item["name"], "Đăng ký khai sinh");
    assert_eq!(
        body["facets"]["field"][0],
        json!({"value": "Hộ tịch", "count": 1})
    );
    assert_eq!(body["facets"]["online_level"][0]["value"], "partial");
    let (_, typo) = app
        .get("/api/v1/procedures?q=dang%20ki%20khai%20sinh", None)
        .await;
    assert_eq!(
        typo["items"][0]["code"], "1.001234",
        "one typo per word is forgiven"
    );
    let (_, filtered) = app.get("/api/v1/procedures?online_level=full", None).await;
    assert_eq!(filtered["total"], 2);
    assert_eq!(filtered["items"][0]["code"], "1.009997");
    assert_eq!(filtered["items"][1]["code"], "1.009999");
    let (_, filtered) = app
        .get(
            "/api/v1/procedures?level=C%E1%BA%A5p%20T%E1%BB%89nh&field=H%E1%BB%99%20t%E1%BB%8Bch",
            None,
        )
        .await;
    assert_eq!(filtered["total"], 2);
    let (s, body) = app.get("/api/v1/procedures/1.001234", None).await;
    assert_eq!(
        (s, body["name"].as_str()),
        (StatusCode::OK, Some("Đăng ký khai sinh"))
    );
    for (path, status) in [
        ("/api/v1/procedures/2.999999", StatusCode::NOT_FOUND),
        ("/api/v1/procedures/abc", StatusCode::BAD_REQUEST),
        ("/api/v1/procedures?page=0", StatusCode::BAD_REQUEST),
        ("/api/v1/procedures?page=abc", StatusCode::BAD_REQUEST),
        ("/api/v1/procedures?per_page=1000", StatusCode::BAD_REQUEST),
        ("/api/v1/procedures?agency=xyz", StatusCode::BAD_REQUEST),
        (
            "/api/v1/procedures?online_level=maybe",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/procedures?q=%25%27%22%3B%20DROP%20TABLE%20procedures",
            StatusCode::OK,
        ),
    ] {
        let (s, body) = app.get(path, None).await;
        assert_eq!(s, status, "{path}");
        if s != StatusCode::OK {
            assert!(
                body["error"]["code"].is_string() && body["error"]["message"].is_string(),
                "{path}: {body}"
            );
        }
    }
    let long = "a".repeat(2_001);
    assert_eq!(
        app.get(&format!("/api/v1/procedures?q={long}"), None)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    // The index follows catalog changes made elsewhere, without a restart.
    let mut added = app
        .store
        .procedure(&ProcedureCode::parse("1.001234").unwrap())
        .await
        .unwrap()
        .unwrap();
    added.code = ProcedureCode::parse("1.004227").unwrap();
    added.name = "Cấp giấy phép xây dựng".into();
    app.store.put_procedure(&added).await.unwrap();
    let mut found = false;
    for _ in 0..50 {
        if app
            .get("/api/v1/procedures?q=giay%20phep%20xay%20dung", None)
            .await
            .1["total"]
            == 1
        {
            found = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(found, "the new procedure became searchable");
    // English on request.
    let r = app
        .http
        .get(app.url("/api/v1/procedures/abc"))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("A national procedure code"),
        "{body}"
    );
}

async fn login_and_lockout(app: App) {
    let (s, body) = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({"username": "letan", "password": "wrong"}),
        )
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_credentials"))
    );
    let (s, _) = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({"username": "nobody", "password": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, body) = app
        .post("/api/v1/auth/token", None, &json!({"username": "letan"}))
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_field"))
    );
    let r = app
        .http
        .post(app.url("/api/v1/auth/token"))
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let token = app.token("letan").await;
    assert!(token.starts_with("mct_"));
    for _ in 0..5 {
        app.post(
            "/api/v1/auth/token",
            None,
            &json!({"username": "lanhdao", "password": "wrong"}),
        )
        .await;
    }
    let (s, body) = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({"username": "lanhdao", "password": "pw-lanhdao"}),
        )
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts")),
        "locked even with the right password"
    );
    // A forged or garbled bearer is refused, not treated as anonymous.
    let (s, _) = app.get("/api/v1/stats/daily", Some("mct_forged")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

async fn dossier_intake_actions_and_denials(app: App) {
    let reception = app.token("letan").await;
    let specialist = app.token("chuyenvien").await;
    let approver = app.token("lanhdao").await;
    let other = app.token("khac").await;
    let supervisor = app.token("giamsat").await;

    let (s, _) = app.post("/api/v1/dossiers", None, &dossier_body()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, body) = app
        .post("/api/v1/dossiers", Some(&specialist), &dossier_body())
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("role_not_allowed"))
    );
    let (s, _) = app
        .post(
            "/api/v1/dossiers",
            Some(&app.key_read_only),
            &dossier_body(),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a read-only key cannot file");
    let mut bad = dossier_body();
    bad["applicant"]["cccd"] = json!("02230500123");
    let (s, body) = app.post("/api/v1/dossiers", Some(&reception), &bad).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("cccd_wrong_length"))
    );
    bad = dossier_body();
    bad["applicant"]["birth_date"] = json!("1990-01-01");
    assert_eq!(
        app.post("/api/v1/dossiers", Some(&reception), &bad).await.1["error"]["code"],
        "cccd_birth_year_mismatch"
    );
    bad = dossier_body();
    bad["applicant"]["phone"] = json!("0123");
    assert_eq!(
        app.post("/api/v1/dossiers", Some(&reception), &bad).await.1["error"]["code"],
        "phone_wrong_length"
    );
    bad = dossier_body();
    bad["procedure_code"] = json!("2.999999");
    assert_eq!(
        app.post("/api/v1/dossiers", Some(&reception), &bad).await.1["error"]["code"],
        "unknown_procedure"
    );
    bad = dossier_body();
    bad["channel"] = json!("fax");
    assert_eq!(
        app.post("/api/v1/dossiers", Some(&reception), &bad).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    bad = dossier_body();
    bad["competent_agency_code"] = json!(OTHER);
    assert_eq!(
        app.post("/api/v1/dossiers", Some(&reception), &bad).await.1["error"]["code"],
        "competent_agency_mismatch"
    );
    bad = dossier_body();
    bad["applicant"]["name"] = json!("   ");
    assert_eq!(
        app.post("/api/v1/dossiers", Some(&reception), &bad).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let (s, created) = app
        .post("/api/v1/dossiers", Some(&reception), &dossier_body())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let code = created["code"].as_str().unwrap().to_string();
    assert!(code.starts_with("000.00.01.H22-"), "{code}");
    assert_eq!(created["status"], "received");
    let due: DateTime<Utc> = created["due_at"].as_str().unwrap().parse().unwrap();
    assert!(due > Utc::now());
    let (s, by_system) = app.post("/api/v1/dossiers", Some(&app.key_rw), &json!({"procedure_code": "1.001234", "applicant": {"name": "Công ty A", "tax_code": "0100233488"}, "channel": "online"})).await;
    assert_eq!(
        (
            s,
            by_system["status"].as_str(),
            by_system["due_at"].as_null()
        ),
        (StatusCode::CREATED, Some("submitted"), Some(()))
    );

    // Who may read it.
    let path = format!("/api/v1/dossiers/{code}");
    assert_eq!(app.get(&path, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get(&path, Some(&other)).await.0,
        StatusCode::NOT_FOUND,
        "another agency sees nothing"
    );
    assert_eq!(app.get(&path, Some(&supervisor)).await.0, StatusCode::OK);
    assert_eq!(
        app.get(&path, Some(&app.key_read_only)).await.0,
        StatusCode::OK
    );
    let (s, body) = app.get(&path, Some(&specialist)).await;
    assert_eq!(
        (s, body["form"]["ho_ten_tre"].as_str()),
        (StatusCode::OK, Some("Nguyễn Văn An"))
    );
    assert_eq!(
        app.get("/api/v1/dossiers/not-a-code", Some(&specialist))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );

    // Actions: the state machine decides.
    let act = format!("{path}/actions");
    let refused = app
        .act(&reception, &code, &json!({"action": "receive"}))
        .await
        .unwrap_err();
    assert_eq!(
        (refused.status, refused.code.as_str()),
        (StatusCode::CONFLICT, "invalid_transition")
    );
    let refused = app
        .act(&approver, &code, &json!({"action": "approve"}))
        .await
        .unwrap_err();
    assert_eq!(
        (refused.status, refused.code.as_str()),
        (StatusCode::FORBIDDEN, "out_of_scope"),
        "still at reception"
    );
    let refused = app
        .act(&specialist, &code, &json!({"action": "approve"}))
        .await
        .unwrap_err();
    assert_eq!(
        (refused.status, refused.code.as_str()),
        (StatusCode::FORBIDDEN, "role_not_allowed")
    );
    let (s, body) = app
        .post(&act, Some(&other), &json!({"action": "forward"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
    let refused = app
        .act(&supervisor, &code, &json!({"action": "forward"}))
        .await
        .unwrap_err();
    assert_eq!(
        (refused.status, refused.code.as_str()),
        (StatusCode::FORBIDDEN, "role_not_allowed")
    );
    let (s, body) = app
        .post(
            &act,
            Some(&app.key_read_only),
            &json!({"action": "forward"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let refused = app
        .act(&reception, &code, &json!({"action": "fly"}))
        .await
        .expect_err("no such action");
    assert_eq!(
        (refused.status, refused.code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_action")
    );
    let refused = app
        .act(
            &reception,
            &code,
            &json!({"action": "forward", "expected_version": 1}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (refused.status, refused.code.as_str()),
        (StatusCode::CONFLICT, "version_conflict")
    );
    let (s, body) = app
        .post(
            &act,
            Some(&reception),
            &json!({"action": "forward", "expected_version": 2, "assignee": "chuyenvien"}),
        )
        .await;
    assert_eq!(
        (s, body["status"].as_str(), body["version"].as_u64()),
        (StatusCode::OK, Some("in_processing"), Some(3))
    );
    assert_eq!(body["step"]["name"], "Thẩm định");
    let refused = app
        .act(
            &specialist,
            &code,
            &json!({"action": "request_supplement", "reason": "Thiếu", "missing": []}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (refused.status, refused.code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "text_required")
    );
    let (s, _) = app
        .post(&act, Some(&specialist), &json!({"action": "forward"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .post(&act, Some(&approver), &json!({"action": "approve"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = app
        .post(
            &act,
            Some(&approver),
            &json!({"action": "issue_result", "summary": "Giấy khai sinh"}),
        )
        .await;
    assert_eq!(
        (s, body["status"].as_str(), body["timeliness"].as_str()),
        (StatusCode::OK, Some("result_ready"), Some("early"))
    );
    let (s, body) = app
        .post(
            &act,
            Some(&reception),
            &json!({"action": "return_result", "channel": {"method": "counter"}}),
        )
        .await;
    assert_eq!(
        (s, body["status"].as_str()),
        (StatusCode::OK, Some("returned"))
    );

    let (s, events) = app.get(&format!("{path}/events"), Some(&specialist)).await;
    assert_eq!(s, StatusCode::OK);
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "opened",
            "received",
            "forwarded",
            "forwarded",
            "approved",
            "result_issued",
            "result_returned"
        ]
    );
    assert_eq!(events[0]["actor"]["id"], "letan");
    assert_eq!(
        app.get(&format!("{path}/events"), Some(&other)).await.0,
        StatusCode::NOT_FOUND
    );

    // Counters follow in the same transaction.
    let (s, stats) = app.get("/api/v1/stats/daily", Some(&app.key_rw)).await;
    assert_eq!(s, StatusCode::OK);
    let count = |m: &str| {
        stats["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["metric"] == m)
            .map_or(0, |r| r["count"].as_i64().unwrap())
    };
    assert_eq!(
        (
            count("submitted"),
            count("received"),
            count("resolved_early"),
            count("returned")
        ),
        (2, 1, 1, 1)
    );
    assert_eq!(
        app.get("/api/v1/stats/daily", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/stats/daily", Some(&app.key_read_only))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/stats/daily?from=2025-13-01", Some(&app.key_rw))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get(
            "/api/v1/stats/daily?from=2025-02-01&to=2025-01-01",
            Some(&app.key_rw)
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
}

async fn public_tracking(app: App) {
    let reception = app.token("letan").await;
    let code = app.file_dossier(&reception, &dossier_body()).await.code;
    let (s, body) = app
        .get(&format!("/api/v1/track/{code}?verify=5678"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "received");
    assert_eq!(body["procedure_name"], "Đăng ký khai sinh");
    assert_eq!(body["timeline"].as_array().unwrap().len(), 2);
    let text = body.to_string();
    assert!(
        !text.contains("Nguyễn Thị Ánh")
            && !text.contains("022305001234")
            && !text.contains("0912345678"),
        "no personal data: {text}"
    );
    let unknown = app
        .get("/api/v1/track/000.00.01.H22-250101-0999?verify=5678", None)
        .await;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);
    for wrong in [
        format!("/api/v1/track/{code}?verify=1234"),
        format!("/api/v1/track/{code}"),
        format!("/api/v1/track/{code}?verify="),
    ] {
        assert_eq!(
            app.get(&wrong, None).await,
            unknown,
            "{wrong} must look like an unknown code"
        );
    }
    assert_eq!(
        app.get("/api/v1/track/garbage?verify=5678", None).await,
        unknown
    );
    // A client guessing is made to wait after ten failures, even with the right digits; the
    // wait is said (Retry-After) and another client is not held back.
    for _ in 0..10 {
        app.get(&format!("/api/v1/track/{code}?verify=0000"), None)
            .await;
    }
    let r = app
        .http
        .get(app.url(&format!("/api/v1/track/{code}?verify=5678")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_attempts");
    let (s, _) = app
        .get_from("198.51.100.7", &format!("/api/v1/track/{code}?verify=5678"))
        .await;
    assert_eq!(s, StatusCode::OK);
}

async fn never_a_server_error(app: App) {
    let token = app.token("letan").await;
    let paths = [
        "/api/v1/procedures?q=%00%ff",
        "/api/v1/procedures/%E0%A4%A",
        "/api/v1/dossiers/%2e%2e%2f%2e%2e",
        "/api/v1/track/%F0%9F%98%80?verify=%F0%9F%98%80",
        "/api/v1/calendar/holidays?year=99999",
        "/api/v1/calendar/holidays?year=abc",
        "/api/v1/stats/daily?agency=%27",
    ];
    for p in paths {
        let r = app
            .http
            .get(app.url(p))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_client_error() || r.status().is_success(),
            "{p}: {}",
            r.status()
        );
    }
    let bodies = [
        json!(null),
        json!([]),
        json!({"procedure_code": 1}),
        json!({"procedure_code": "1.001234", "applicant": {"name": "x"}, "channel": "counter", "form": [1]}),
        json!({"procedure_code": "1.001234", "applicant": {"name": "x".repeat(10_000)}, "channel": "counter"}),
        json!({"procedure_code": "1.001234", "applicant": {"name": "Nguyễn\u{0}A"}, "channel": "counter"}),
        json!({"procedure_code": "1.001234", "applicant": {"name": "A", "email": "a@b.vn\u{0}"}, "channel": "counter"}),
    ];
    for b in bodies {
        let (s, body) = app.post("/api/v1/dossiers", Some(&token), &b).await;
        assert!(s.is_client_error(), "{b}: {s} {body}");
    }
    let r = app
        .http
        .post(app.url("/api/v1/dossiers"))
        .bearer_auth(&token)
        .body(vec![b'{'; 3 * 1024 * 1024])
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "body_too_large", "{body}");

    // Whatever refuses a request, the API answers in its JSON error format.
    for (method, path, status, code) in [
        (
            reqwest::Method::GET,
            "/api/v1/inbox?limit=-84",
            400,
            "invalid_query",
        ),
        (
            reqwest::Method::POST,
            "/api/v1/alerts/1e-05/read",
            400,
            "bad_request",
        ),
        (
            reqwest::Method::DELETE,
            "/api/v1/procedures",
            405,
            "method_not_allowed",
        ),
    ] {
        let r = app
            .http
            .request(method, app.url(path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{path}"
        );
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{path}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
}

on_both_backends!(
    health_and_openapi,
    catalog_and_bad_queries,
    login_and_lockout,
    dossier_intake_actions_and_denials,
    public_tracking,
    never_a_server_error
);

//! The back office over the API: officers' work lists by view and agency scope, the denials,
//! and the deadline watcher (alerts to the holders and leaders, the apology with a new
//! appointment, one instance at a time, nothing repeated). On SQLite and PostgreSQL.

use chrono::{DateTime, Duration, Utc};
use motcua_documents::testing::pdf_text;
use reqwest::StatusCode;
use serde_json::{Value, json};

mod common;
use common::*;

fn codes(inbox: &Value) -> Vec<String> {
    inbox["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{inbox}"))
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect()
}

async fn inboxes_by_view_and_scope(app: App) {
    let reception = app.token("letan").await;
    let specialist = app.token("chuyenvien").await;
    let other = app.token("khac").await;
    let (s, walk_in) = app
        .post("/api/v1/dossiers", Some(&reception), &dossier_body())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{walk_in}");
    let walk_in = walk_in["code"].as_str().unwrap().to_string();
    let mut online = dossier_body();
    online["channel"] = json!("online");
    let (s, online) = app
        .post("/api/v1/dossiers", Some(&reception), &online)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{online}");
    let online = online["code"].as_str().unwrap().to_string();

    // Reception: the online dossier waits for the check; the walk-in was received at once.
    let (s, inbox) = app.get("/api/v1/inbox", Some(&reception)).await;
    assert_eq!(s, StatusCode::OK, "{inbox}");
    assert_eq!(inbox["view"], "reception", "the reception's usual list");
    assert_eq!(codes(&inbox), vec![online.clone()]);

    let (s, _) = app
        .post(
            &format!("/api/v1/dossiers/{walk_in}/actions"),
            Some(&reception),
            &json!({"action": "forward", "assignee": "chuyenvien"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, mine) = app.get("/api/v1/inbox?view=mine", Some(&specialist)).await;
    assert_eq!(codes(&mine), vec![walk_in.clone()]);
    let item = &mine["items"][0];
    assert_eq!(item["step"]["name"], "Thẩm định");
    assert!(item["step_due_at"].is_string(), "{item}");
    assert_eq!(item["alerts"], json!([]));
    let (_, unit) = app.get("/api/v1/inbox?view=unit", Some(&specialist)).await;
    assert_eq!(codes(&unit), vec![walk_in.clone()]);
    for view in ["due_soon", "overdue", "reception", "return"] {
        let (s, list) = app
            .get(&format!("/api/v1/inbox?view={view}"), Some(&specialist))
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(codes(&list).is_empty(), "{view}: {list}");
    }
    // Another department's officer sees none of it, in any view.
    for view in ["mine", "unit", "due_soon", "overdue", "reception", "return"] {
        let (_, list) = app
            .get(&format!("/api/v1/inbox?view={view}"), Some(&other))
            .await;
        assert!(codes(&list).is_empty(), "{view}: {list}");
    }
    // Denials: no token, an agency system's key, an unknown view.
    assert_eq!(
        app.get("/api/v1/inbox", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/inbox", Some(&app.key_rw)).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, body) = app.get("/api/v1/inbox?view=all", Some(&specialist)).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_view"))
    );
    assert_eq!(
        app.get("/api/v1/alerts", Some(&app.key_rw)).await.0,
        StatusCode::FORBIDDEN
    );
}

async fn the_watcher_alerts_escalates_and_apologises_once(app: App) {
    let reception = app.token("letan").await;
    let specialist = app.token("chuyenvien").await;
    let leader = app.token("lanhdaotinh").await;
    let other = app.token("khac").await;
    let (_, created) = app
        .post("/api/v1/dossiers", Some(&reception), &dossier_body())
        .await;
    let code = created["code"].as_str().unwrap().to_string();
    let due: DateTime<Utc> = created["due_at"].as_str().unwrap().parse().unwrap();
    let (s, _) = app
        .post(
            &format!("/api/v1/dossiers/{code}/actions"),
            Some(&reception),
            &json!({"action": "forward", "assignee": "chuyenvien"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    // Two days after the appointment, two instances run the watcher at the same moment.
    let late = due + Duration::days(2);
    let (a, b) = tokio::join!(
        motcua_web::watch_once(&app.state, "instance-a", late),
        motcua_web::watch_once(&app.state, "instance-b", late),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.ran != b.ran, "exactly one instance works: {a:?} {b:?}");
    let report = if a.ran { a } else { b };
    assert_eq!(report.apologies, 1, "{report:?}");
    // Assignee: overdue and step overdue; the provincial leader: both, escalated.
    assert_eq!(report.alerts, 4, "{report:?}");
    let again = motcua_web::watch_once(&app.state, "instance-a", late + Duration::minutes(6))
        .await
        .unwrap();
    assert!(again.ran);
    assert_eq!(
        (again.apologies, again.alerts),
        (0, 0),
        "nothing is repeated"
    );

    let (s, alerts) = app.get("/api/v1/alerts", Some(&specialist)).await;
    assert_eq!(s, StatusCode::OK);
    let kinds: Vec<&str> = alerts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"step_overdue") && kinds.contains(&"overdue"),
        "{alerts}"
    );
    assert!(
        alerts
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["dossier_code"] == code.as_str())
    );
    let (_, escalated) = app.get("/api/v1/alerts", Some(&leader)).await;
    assert_eq!(escalated.as_array().unwrap().len(), 2, "{escalated}");
    let (_, none) = app.get("/api/v1/alerts", Some(&other)).await;
    assert_eq!(none, json!([]));
    // An alert is read once, by its recipient only.
    let id = alerts[0]["id"].as_i64().unwrap();
    let read = format!("/api/v1/alerts/{id}/read");
    assert_eq!(
        app.post(&read, Some(&other), &json!({})).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&read, Some(&specialist), &json!({})).await.0,
        StatusCode::NO_CONTENT
    );

    // The apology is an event by the system with a new appointment; the slip says so.
    let (_, dossier) = app
        .get(&format!("/api/v1/dossiers/{code}"), Some(&specialist))
        .await;
    let new_due: DateTime<Utc> = dossier["due_at"].as_str().unwrap().parse().unwrap();
    assert!(new_due > late, "{dossier}");
    assert_eq!(
        dossier["original_due_at"]
            .as_str()
            .map(|s| s.parse::<DateTime<Utc>>().unwrap()),
        Some(due)
    );
    let (_, events) = app
        .get(
            &format!("/api/v1/dossiers/{code}/events"),
            Some(&specialist),
        )
        .await;
    let apology = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "reappointed")
        .unwrap_or_else(|| panic!("{events}"));
    assert_eq!(apology["actor"]["role"], "system");
    let r = app
        .http
        .get(app.url(&format!("/api/v1/dossiers/{code}/documents/apology.pdf")))
        .bearer_auth(&reception)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let pdf = r.bytes().await.unwrap();
    if let Some(text) = pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
            "{flat}"
        );
        assert!(flat.contains(&code), "{flat}");
    }
}

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn post_file(
    app: &App,
    path: &str,
    bearer: Option<&str>,
    fields: &[(&str, &str)],
    file: &[u8],
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form = form.part(
        "file",
        reqwest::multipart::Part::bytes(file.to_vec()).file_name("ket-qua.pdf"),
    );
    let mut req = app.http.post(app.url(path)).multipart(form);
    if let Some(b) = bearer {
        req = req.bearer_auth(b);
    }
    req.send().await.unwrap()
}

async fn result_issued_and_verified_publicly(app: App) {
    let reception = app.token("letan").await;
    let specialist = app.token("chuyenvien").await;
    let approver = app.token("lanhdao").await;
    let other = app.token("khac").await;
    let (_, created) = app
        .post("/api/v1/dossiers", Some(&reception), &dossier_body())
        .await;
    let code = created["code"].as_str().unwrap().to_string();
    let actions = format!("/api/v1/dossiers/{code}/actions");
    for (who, body) in [
        (
            &reception,
            json!({"action": "forward", "assignee": "chuyenvien"}),
        ),
        (
            &specialist,
            json!({"action": "forward", "assignee": "lanhdao"}),
        ),
        (&approver, json!({"action": "approve"})),
    ] {
        let (s, b) = app.post(&actions, Some(who), &body).await;
        assert_eq!(s, StatusCode::OK, "{body}: {b}");
    }
    let result = format!("/api/v1/dossiers/{code}/result");
    let summary = [("summary", "Cấp giấy phép số 12/GP")];
    // Denials: nobody, another department, a file that is not a document, no summary.
    assert_eq!(
        post_file(&app, &result, None, &summary, PDF).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post_file(&app, &result, Some(&other), &summary, PDF)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post_file(
            &app,
            &result,
            Some(&approver),
            &summary,
            b"MZ\x90\x00 not a pdf"
        )
        .await
        .status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(
        post_file(&app, &result, Some(&approver), &[], PDF)
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    let r = post_file(&app, &result, Some(&approver), &summary, PDF).await;
    assert_eq!(r.status(), StatusCode::OK);
    let issued: Value = r.json().await.unwrap();
    assert_eq!(issued["status"], "result_ready", "{issued}");
    let hash = hex::encode(motcua_domain::audit::sha256(PDF));
    let r = app
        .http
        .get(app.url(&format!("/api/v1/dossiers/{code}/result")))
        .bearer_auth(&reception)
        .send()
        .await
        .unwrap();
    assert_eq!(&r.bytes().await.unwrap()[..], PDF);

    // The public page confirms the document, its agency and date, and checks files.
    let page = |path: String| {
        let http = app.http.clone();
        let url = app.url(&path);
        async move {
            let r = http.get(url).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (s, html) = page(format!("/verify/{hash}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Cơ quan 000.00.02.H22"), "{html}");
    assert!(
        html.contains(&code) && html.contains("Đăng ký khai sinh"),
        "{html}"
    );
    let verify = format!("/verify/{hash}");
    let check = |bytes: &'static [u8]| post_file(&app, &verify, None, &[], bytes);
    let same = check(PDF).await.text().await.unwrap();
    assert!(same.contains("Tệp khớp hoàn toàn"), "{same}");
    let tampered = check(b"%PDF-1.4\n% changed\n%%EOF\n")
        .await
        .text()
        .await
        .unwrap();
    assert!(tampered.contains("Tệp KHÔNG khớp"), "{tampered}");
    let (s, html) = page(format!("/verify/{}", "ab".repeat(32))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(html.contains("Không có văn bản nào"), "{html}");
    let (s, _) = page("/verify/not-a-hash".into()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, html) = page(format!("/verify/{hash}?lang=en")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Issuing agency"), "{html}");
}

on_both_backends!(
    inboxes_by_view_and_scope,
    the_watcher_alerts_escalates_and_apologises_once,
    result_issued_and_verified_publicly
);

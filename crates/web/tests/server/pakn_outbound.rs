//! What goes out of feedback and questions, and what comes with them: the petitioner told by
//! e-mail of each step they should hear of and the asker of the answer, through the outbox to
//! a real SMTP server; files given with a petition kept in the file store and read back by
//! the petitioner and the officers concerned only; and overdue petitions escalated by the
//! province's rules when the deadline watcher runs.

use base64::Engine;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The mails to `to` delivered so far.
fn mails_to(mail: &Mail, to: &str) -> Vec<String> {
    mail.sink
        .received
        .lock()
        .unwrap()
        .iter()
        .filter(|(rcpt, _)| rcpt == to)
        .map(|(_, body)| body.clone())
        .collect()
}

async fn deliver(mail: &Mail) {
    mail.dispatcher.run_once(chrono::Utc::now()).await.unwrap();
}

/// The open petitions an officer's agency and those under it hold.
async fn open_count(app: &App, token: &str) -> usize {
    let (_, list) = app.get("/api/v1/pakn?view=unit", Some(token)).await;
    list.as_array().map_or(0, Vec::len)
}

async fn petitioners_are_told_and_files_travel_with_the_petition(app: App) {
    let mail = Mail::start(&app).await;
    let officer = app.token("chuyenvien").await;
    let before = open_count(&app, &officer).await;
    // Refused files leave nothing behind: not a petition, not a file.
    let petition = |attachments: Value| {
        json!({
            "name": "Trần Văn Bình",
            "phone": "0987 654 321",
            "email": "binh@example.vn",
            "content": "Bộ phận một cửa yêu cầu nộp bản sao giấy tờ đã có trên VNeID.",
            "agency": DEPARTMENT,
            "attachments": attachments
        })
    };
    for (files, status, error) in [
        (
            json!([{"name": "a.pdf", "content_base64": "không phải base64"}]),
            422,
            "invalid_attachment",
        ),
        (
            json!([{"name": "setup.pdf", "content_base64": b64(b"MZ\x90\0\x03\0\0\0")}]),
            415,
            "file_type",
        ),
        (
            json!([
                {"name": "1.pdf", "content_base64": b64(PDF)},
                {"name": "2.pdf", "content_base64": b64(PDF)},
                {"name": "3.pdf", "content_base64": b64(PDF)},
                {"name": "4.pdf", "content_base64": b64(PDF)}
            ]),
            422,
            "too_many_files",
        ),
    ] {
        let (s, body) = app.post("/api/v1/pakn", None, &petition(files)).await;
        assert_eq!(s.as_u16(), status, "{body}");
        assert_eq!(body["error"]["code"], error, "{body}");
    }
    assert_eq!(open_count(&app, &officer).await, before);

    let (s, filed) = app
        .post(
            "/api/v1/pakn",
            None,
            &petition(json!([
                {"name": "van-ban-scan.pdf", "content_base64": b64(PDF)},
                {"name": "../../anh chup", "content_base64": b64(PNG)}
            ])),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let code = filed["code"].as_str().unwrap().to_string();
    // Told at once that it was received, with its code and how to look it up.
    deliver(&mail).await;
    let told = mails_to(&mail, "binh@example.vn");
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains(&code), "{}", told[0]);
    assert!(told[0].contains("Cơ quan 000.00.02.H22"), "{}", told[0]);
    assert!(
        told[0].contains(&format!("{}/phan-anh-kien-nghi?code={code}", app.base)),
        "{}",
        told[0]
    );
    assert!(told[0].contains("4 số cuối"), "{}", told[0]);

    // The petitioner reads the files back; the name given is only a name.
    let (s, seen) = app
        .get(&format!("/api/v1/pakn/{code}?verify=4321"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{seen}");
    let files = seen["attachments"].as_array().unwrap().clone();
    assert_eq!(files.len(), 2, "{seen}");
    assert_eq!(files[0]["name"], "van-ban-scan.pdf");
    assert_eq!(files[1]["name"], "anh chup.png");
    assert_eq!(files[1]["mime"], "image/png");
    let url = files[0]["url"].as_str().unwrap().to_string();
    let read = |path: String, bearer: Option<String>| {
        let (http, base) = (app.http.clone(), app.base.clone());
        async move {
            let mut req = http.get(format!("{base}{path}"));
            if let Some(b) = bearer {
                req = req.bearer_auth(b);
            }
            let r = req.send().await.unwrap();
            let status = r.status();
            let kind = r
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string());
            (status, kind, r.bytes().await.unwrap())
        }
    };
    let (s, kind, bytes) = read(format!("{url}?verify=4321"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(kind.as_deref(), Some("application/pdf"));
    assert_eq!(&bytes[..], PDF);
    // Nobody else: a wrong factor is an unknown code, no factor asks to sign in, another
    // agency's officer is refused, a file beyond the list is unknown.
    assert_eq!(
        read(format!("{url}?verify=1111"), None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(read(url.clone(), None).await.0, StatusCode::UNAUTHORIZED);
    let other = app.token("khac").await;
    assert_eq!(
        read(url.clone(), Some(other)).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, _, bytes) = read(url.clone(), Some(officer.clone())).await;
    assert_eq!((s, &bytes[..]), (StatusCode::OK, PDF));
    assert_eq!(
        read(url.replace("/0", "/7"), Some(officer.clone())).await.0,
        StatusCode::NOT_FOUND
    );
    // The public page lists them for the petitioner, with links that read them.
    let page = app
        .http
        .get(app.url(&format!("/phan-anh-kien-nghi?code={code}&verify=4321")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let link = format!("/phan-anh-kien-nghi/tep/{code}/1?verify=4321");
    assert!(page.contains(&link), "{page}");
    let (s, kind, bytes) = read(link, None).await;
    assert_eq!(
        (s, kind.as_deref(), &bytes[..]),
        (StatusCode::OK, Some("image/png"), PNG)
    );
    // From the mail's link, the code is filled in.
    let from_mail = app
        .http
        .get(app.url(&format!("/phan-anh-kien-nghi?code={code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(from_mail.contains(&format!("value=\"{code}\"")));

    // Accepting and answering are not told; the published answer is, with its words.
    let actions = format!("/api/v1/pakn/{code}/actions");
    let answer = "Từ 1/7/2025 không yêu cầu bản sao giấy tờ đã có trên VNeID.";
    for step in [
        json!({"action": "accept", "category": "procedure"}),
        json!({"action": "answer", "answer": answer}),
    ] {
        let (s, body) = app.post(&actions, Some(&officer), &step).await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }
    deliver(&mail).await;
    assert_eq!(mails_to(&mail, "binh@example.vn").len(), 1);
    let (s, body) = app
        .post(&actions, Some(&officer), &json!({"action": "publish"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    deliver(&mail).await;
    let told = mails_to(&mail, "binh@example.vn");
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(told[1].contains(answer), "{}", told[1]);
    assert!(told[1].contains("đánh giá"), "{}", told[1]);

    // A question asked in English is answered in English.
    let (s, asked) = app
        .post(
            "/api/v1/questions",
            None,
            &json!({"q": "Do I need a certified copy of my ID card?", "name": "Anna", "email": "anna@example.org", "procedure": "1.001234", "lang": "en"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{asked}");
    let q = asked["code"].as_str().unwrap();
    let reply = "No: the officer checks the chip card.";
    let (s, body) = app
        .post(
            &format!("/api/v1/questions/{q}/answer"),
            Some(&officer),
            &json!({"answer": reply, "publish": false}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    deliver(&mail).await;
    let told = mails_to(&mail, "anna@example.org");
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains(reply), "{}", told[0]);
    assert!(told[0].starts_with("Dear Anna"), "{}", told[0]);
    assert!(
        told[0].contains(&format!("/ho-tro?code={q}")),
        "{}",
        told[0]
    );
}

async fn overdue_petitions_escalate_by_the_provinces_rules(app: App) {
    let mail = Mail::start(&app).await;
    let (s, filed) = app
        .post(
            "/api/v1/pakn",
            None,
            &json!({"name": "Lê Thị Cúc", "email": "cuc@example.vn", "content": "Chưa được trả lời.", "agency": DEPARTMENT}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let code = filed["code"].as_str().unwrap().to_string();
    let due: chrono::DateTime<chrono::Utc> = filed["due_at"].as_str().unwrap().parse().unwrap();
    let mut state = app.state.clone();
    state.pakn_escalation = motcua_domain::pakn::Escalation::parse(
        "test:submitted+0:notify=specialist,submitted+1:notify=leader,submitted+3:reassign=parent",
    )
    .unwrap();
    // Before the due instant, nothing; just after it, the specialists of the agency.
    let watch = |at| {
        let state = state.clone();
        async move {
            motcua_app::watch::watch_once(&state, "test", at)
                .await
                .unwrap()
                .petitions
        }
    };
    let done = watch(due - chrono::Duration::hours(1)).await;
    assert_eq!((done.alerts, done.reassigned), (0, 0));
    let done = watch(due + chrono::Duration::minutes(1)).await;
    assert_eq!((done.alerts, done.reassigned), (1, 0), "{done:?}");
    let alerts = |who: &'static str| {
        let store = app.store.clone();
        async move { store.petition_alerts(who, 10).await.unwrap() }
    };
    assert_eq!(alerts("chuyenvien").await.len(), 1);
    assert!(alerts("khac").await.is_empty(), "another agency's officer");
    // Days later: the province's leader (whose agency covers the department), then the
    // petition goes to the agency above, once; the petitioner is told.
    let later = due + chrono::Duration::days(10);
    let done = watch(later).await;
    assert_eq!((done.alerts, done.reassigned), (1, 1), "{done:?}");
    assert_eq!(alerts("lanhdaotinh").await.len(), 1);
    let again = watch(later + chrono::Duration::minutes(1)).await;
    assert_eq!((again.alerts, again.reassigned), (0, 0), "{again:?}");
    let officer = app.token("giamsat").await;
    let (s, list) = app.get("/api/v1/pakn?view=mine", Some(&officer)).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let moved = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == code.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("reassigned to the province: {list}"));
    assert_eq!(moved["agency"], PROVINCE);
    let (_, seen) = app
        .get(&format!("/api/v1/pakn/{code}?verify=cuc%40"), None)
        .await;
    let steps: Vec<&str> = seen["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["event"].as_str())
        .collect();
    assert_eq!(steps, ["pakn_filed", "pakn_reassigned"], "{seen}");
    // Queued when the watcher ran, ten days on.
    mail.dispatcher
        .run_once(later + chrono::Duration::minutes(2))
        .await
        .unwrap();
    let told = mails_to(&mail, "cuc@example.vn");
    assert_eq!(told.len(), 2, "filed, then moved: {told:?}");
    assert!(told[1].contains("Cơ quan 000.00.00.H22"), "{}", told[1]);
    // The officer alerted sees it on the work list.
    let (mut tab, csrf) = log_in(&app, "chuyenvien").await;
    let (s, _, html) = tab.get("/staff/pakn").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"pakn-alerts\""), "{html}");
    assert!(html.contains("submitted+0:notify=specialist"), "{html}");
    // Seen, it leaves the list; another officer cannot mark it.
    let id = alerts("chuyenvien").await[0].0;
    let (mut other, other_csrf) = log_in(&app, "khac").await;
    let (s, _, _) = other
        .post(
            "/staff/pakn/alerts/read",
            &[("csrf", &other_csrf), ("alert", &id.to_string())],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(alerts("chuyenvien").await[0].1.read_at.is_none());
    let (s, _, _) = tab
        .post(
            "/staff/pakn/alerts/read",
            &[("csrf", &csrf), ("alert", &id.to_string())],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, _, html) = tab.get("/staff/pakn").await;
    assert!(!html.contains("id=\"pakn-alerts\""), "{html}");
}

on_both_backends!(
    petitioners_are_told_and_files_travel_with_the_petition,
    overdue_petitions_escalate_by_the_provinces_rules
);

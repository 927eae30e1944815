//! The back office over the API: officers' work lists by view and agency scope, the denials,
//! and the deadline watcher (alerts to the holders and leaders, the apology with a new
//! appointment, one instance at a time, nothing repeated). On SQLite and PostgreSQL.

use chrono::{DateTime, Duration, Utc};
use motcua_documents::testing::pdf_text;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

fn codes(inbox: &Value) -> Vec<String> {
    inbox["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{inbox}"))
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect()
}

/// A slip of a dossier fetched with `token` (it must exist) and, when the PDF tools are here,
/// its text on one line.
async fn slip(app: &App, code: &str, kind: &str, token: &str) -> (Vec<u8>, Option<String>) {
    let r = app
        .http
        .get(app.url(&format!("/api/v1/dossiers/{code}/documents/{kind}.pdf")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{kind}");
    let pdf = r.bytes().await.unwrap().to_vec();
    let text = pdf_text(&pdf).map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "));
    (pdf, text)
}

async fn inboxes_by_view_and_scope(app: App) {
    let reception = app.token("letan").await;
    let specialist = app.token("chuyenvien").await;
    let other = app.token("khac").await;
    let walk_in = app.file_dossier(&reception, &dossier_body()).await.code;
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

    // Finding a dossier by what a caller on the phone gives, within one's scope.
    let at = &app;
    let found = |q: &str, token: String| {
        let path = format!(
            "/api/v1/dossiers?q={}",
            form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        );
        async move { at.get(&path, Some(&token)).await }
    };
    for q in [
        walk_in.as_str(),
        "022305001234",
        "0912 345 678",
        "+84912345678",
        "nguyen thi anh",
        "Nguyễn Thị Ánh",
    ] {
        let (s, body) = found(q, reception.clone()).await;
        assert_eq!(s, StatusCode::OK, "{q}: {body}");
        let expected = if q == walk_in { 1 } else { 2 };
        assert_eq!(body["total"], expected, "{q}: {body}");
        assert!(codes(&body).contains(&walk_in), "{q}: {body}");
    }
    let (_, body) = found("0912345679", reception.clone()).await;
    assert_eq!(
        body["total"], 0,
        "the whole number must match, not its last four digits"
    );
    // The competent department sees both; another department, nothing.
    let (_, body) = found("022305001234", specialist.clone()).await;
    assert_eq!(body["total"], 2, "{body}");
    let (_, body) = found("022305001234", other.clone()).await;
    assert_eq!(body["total"], 0);
    // Pages of it.
    let (_, body) = found("nguyen", reception.clone()).await;
    assert_eq!(
        (body["total"].as_u64(), body["page"].as_u64()),
        (Some(2), Some(1))
    );
    let (_, first) = app
        .get("/api/v1/dossiers?q=nguyen&per_page=1", Some(&reception))
        .await;
    let (_, second) = app
        .get(
            "/api/v1/dossiers?q=nguyen&per_page=1&page=2",
            Some(&reception),
        )
        .await;
    let both = [codes(&first), codes(&second)].concat();
    assert_eq!(both.len(), 2);
    assert_ne!(both[0], both[1]);
    // Denials: nobody, a citizen, a query too short to mean anything.
    assert_eq!(
        app.get("/api/v1/dossiers?q=nguyen", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (s, body) = found("a", reception.clone()).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("search_query"))
    );

    // The page: the same search, and a list that says how many it holds.
    let (mut desk, _) = log_in(&app, "letan").await;
    let (_, _, html) = desk.get("/staff?q=Nguy%E1%BB%85n+Th%E1%BB%8B").await;
    assert!(html.contains(&walk_in) && html.contains(&online), "{html}");
    assert!(html.contains("2 hồ sơ · trang 1/1"), "{html}");
    let (_, _, html) = desk.get("/staff?q=x").await;
    assert!(
        html.contains("aria-invalid=\"true\"") && html.contains("Hãy nhập mã hồ sơ"),
        "{html}"
    );
    let (_, _, html) = desk.get("/staff?view=reception").await;
    assert!(html.contains("1 hồ sơ · trang 1/1"), "{html}");
    let (_, inbox) = app.get("/api/v1/inbox", Some(&reception)).await;
    assert_eq!(
        (inbox["total"].as_u64(), inbox["page"].as_u64()),
        (Some(1), Some(1))
    );
}

async fn the_watcher_alerts_escalates_and_apologises_once(app: App) {
    let reception = app.token("letan").await;
    let specialist = app.token("chuyenvien").await;
    let leader = app.token("lanhdaotinh").await;
    let other = app.token("khac").await;
    let created = app.file_dossier(&reception, &dossier_body()).await;
    let code = created.code;
    let due: DateTime<Utc> = created
        .due_at
        .expect("received at the counter, so appointed");
    let forwarded = app
        .act(
            &reception,
            &code,
            &json!({"action": "forward", "assignee": "chuyenvien"}),
        )
        .await
        .expect("forwarded");
    assert_eq!(forwarded.version, created.version + 1);

    // Two days after the appointment, two instances run the watcher at the same moment.
    let late = due + Duration::days(2);
    let (a, b) = tokio::join!(
        motcua_app::watch::watch_once(&app.state, "instance-a", late),
        motcua_app::watch::watch_once(&app.state, "instance-b", late),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.ran != b.ran, "exactly one instance works: {a:?} {b:?}");
    let report = if a.ran { a } else { b };
    assert_eq!(report.apologies, 1, "{report:?}");
    // Assignee: overdue and step overdue; the provincial leader: both, escalated.
    assert_eq!(report.alerts, 4, "{report:?}");
    let again =
        motcua_app::watch::watch_once(&app.state, "instance-a", late + Duration::minutes(6))
            .await
            .unwrap();
    assert!(again.ran);
    assert_eq!(
        (again.apologies, again.alerts, again.dossiers),
        (0, 0, 0),
        "nothing is repeated, nor read again before its next deadline"
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
    // The other one is dismissed on the page, with its button.
    let other_id = alerts[1]["id"].as_i64().unwrap();
    let (mut desk, csrf) = log_in(&app, "chuyenvien").await;
    let (_, _, html) = desk.get("/staff").await;
    assert!(
        html.contains(&format!("name=\"alert\" value=\"{other_id}\"")) && html.contains("Đã xem"),
        "{html}"
    );
    let id_text = other_id.to_string();
    let form = [("csrf", csrf.as_str()), ("alert", id_text.as_str())];
    let (s, location, _) = desk.post("/staff/alerts/read", &form).await;
    assert_eq!((s, location.as_str()), (StatusCode::SEE_OTHER, "/staff"));
    let (_, _, html) = desk.get("/staff").await;
    assert!(!html.contains("id=\"staff-alerts\""), "{html}");

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
    if let (_, Some(flat)) = slip(&app, &code, "apology", &reception).await {
        assert!(
            flat.contains("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
            "{flat}"
        );
        assert!(flat.contains(&code), "{flat}");
    }
    // Past the new appointment, the dossier is looked at again: late again, no new apology.
    let later = motcua_app::watch::watch_once(&app.state, "instance-a", late + Duration::days(30))
        .await
        .unwrap();
    assert_eq!((later.dossiers, later.apologies), (1, 0), "{later:?}");
    assert!(later.alerts >= 1, "{later:?}");
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
    let code = app.file_dossier(&reception, &dossier_body()).await.code;
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
        let done = app.act(who, &code, &body).await;
        assert!(done.is_ok(), "{body}: {done:?}");
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

    // The verification slip carries the hash and a QR code to the public page.
    let (result_slip, text) = slip(&app, &code, "result", &reception).await;
    if let Some(flat) = text {
        assert!(
            flat.contains("PHIẾU XÁC THỰC KẾT QUẢ GIẢI QUYẾT ĐIỆN TỬ"),
            "{flat}"
        );
        assert!(
            flat.contains("Cấp giấy phép số 12/GP") && flat.contains("Cơ quan 000.00.02.H22"),
            "{flat}"
        );
        assert!(flat.replace(' ', "").contains(&hash), "{flat}");
    }
    if let Some(qr) = motcua_documents::testing::qr_text(&result_slip) {
        assert_eq!(qr, app.url(&format!("/verify/{hash}")));
    }
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

async fn back_office_pages_with_scope_and_denials(app: App) {
    let reception = app.token("letan").await;
    let code = app.file_dossier(&reception, &dossier_body()).await.code;
    let page = format!("/staff/dossiers/{code}");

    // Signed out: the log-in page, and back afterwards; a wrong password is named.
    let mut stranger = Tab::new(&app.base);
    let (s, location, _) = stranger.get(&page).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(
        location.starts_with("/staff/login?next=%2Fstaff%2Fdossiers"),
        "{location}"
    );
    let (_, _, html) = stranger.get("/staff/login").await;
    let csrf = csrf_of(&html);
    let (s, _, html) = stranger
        .post(
            "/staff/login",
            &[("csrf", &csrf), ("username", "letan"), ("password", "sai")],
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(
        html.contains("Tên đăng nhập hoặc mật khẩu không đúng"),
        "{html}"
    );
    let (s, _, _) = stranger
        .post(
            "/staff/login",
            &[
                ("csrf", "forged"),
                ("username", "letan"),
                ("password", "pw-letan"),
            ],
        )
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "a log-in form without its token is refused"
    );

    // Reception sees the dossier and receives nothing twice; forwards it to the department,
    // to an officer chosen from those of the next step (a name, not a username to type).
    let (mut desk, desk_csrf) = log_in(&app, "letan").await;
    let (s, _, html) = desk.get(&page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("Đăng ký khai sinh") && html.contains("receipt.pdf"),
        "{html}"
    );
    assert!(html.contains("<option value=\"chuyenvien\">"), "{html}");
    assert!(
        !html.contains("<option value=\"khac\">"),
        "another department's officer is not offered"
    );
    // Only what reception may do is offered: no approval, no refusal proposal.
    assert!(html.contains("value=\"forward\""), "{html}");
    for other in ["approve", "propose_refusal", "issue_result", "send_back"] {
        assert!(
            !html.contains(&format!("value=\"{other}\"")),
            "{other} offered to reception"
        );
    }
    // Somebody who does not work there, or does not exist, is refused in words.
    for nobody in ["khac", "khong.ton.tai"] {
        let (s, _, html) = desk
            .post(
                &format!("{page}/actions"),
                &[
                    ("csrf", &desk_csrf),
                    ("action", "forward"),
                    ("assignee", nobody),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{nobody}");
        assert!(
            html.contains("Cán bộ được giao phải là cán bộ đang làm việc"),
            "{html}"
        );
    }
    let (s, _, _) = desk
        .post(
            &format!("{page}/actions"),
            &[("csrf", "wrong"), ("action", "forward")],
        )
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "an action without the form token changes nothing"
    );
    let (s, location, _) = desk
        .post(
            &format!("{page}/actions"),
            &[
                ("csrf", &desk_csrf),
                ("action", "forward"),
                ("assignee", "chuyenvien"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(
        (s, location),
        (StatusCode::SEE_OTHER, format!("{page}?done=1"))
    );
    // Another role's action: reception may not approve (the lifecycle says why).
    let (s, _, html) = desk
        .post(
            &format!("{page}/actions"),
            &[("csrf", &desk_csrf), ("action", "approve")],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(
        html.contains("Vai trò “Bộ phận tiếp nhận” không được thực hiện thao tác “phê duyệt”."),
        "refused in Vietnamese, without the role's or the action's identifier: {html}"
    );

    // The specialist finds it in "mine" and sends a supplement request.
    let (mut specialist, spec_csrf) = log_in(&app, "chuyenvien").await;
    let (_, _, html) = specialist.get("/staff?view=mine").await;
    assert!(html.contains(&code), "{html}");
    // A transfer goes to an agency of the catalog, chosen by name.
    let (_, _, html) = specialist.get(&page).await;
    assert!(
        html.contains("id=\"f-transfer\" name=\"to_agency\" required><option value=\"\">"),
        "{html}"
    );
    let (s, _, html) = specialist
        .post(
            &format!("{page}/actions"),
            &[
                ("csrf", &spec_csrf),
                ("action", "transfer"),
                ("to_agency", "000.00.99.H22"),
                ("reason", "Không thuộc thẩm quyền"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Không có cơ quan này trong danh mục"),
        "{html}"
    );
    let (s, _, _) = specialist
        .post(
            &format!("{page}/actions"),
            &[
                ("csrf", &spec_csrf),
                ("action", "request_supplement"),
                ("missing", "Bản sao giấy chứng sinh\n\n"),
                ("reason", "Thiếu giấy chứng sinh"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, dossier) = app
        .get(&format!("/api/v1/dossiers/{code}"), Some(&reception))
        .await;
    assert_eq!(dossier["status"], "awaiting_supplement");
    // The slip opens with the back office's cookie; an API write by cookie needs its token.
    let r = specialist
        .http
        .get(app.url(&format!(
            "/api/v1/dossiers/{code}/documents/supplement-guide.pdf"
        )))
        .header("cookie", specialist.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = specialist
        .http
        .post(app.url(&format!("/api/v1/dossiers/{code}/actions")))
        .header("cookie", specialist.cookie_header())
        .json(&json!({"action": "accept_supplement"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Another department's officer: not in any list, the page does not exist for them.
    let (mut other, other_csrf) = log_in(&app, "khac").await;
    let (_, _, html) = other.get("/staff?view=unit").await;
    assert!(!html.contains(&code));
    assert_eq!(other.get(&page).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        other
            .post(
                &format!("{page}/actions"),
                &[("csrf", &other_csrf), ("action", "approve")]
            )
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // Guessing: a malformed code and another dossier's page answer the same.
    assert_eq!(
        other.get("/staff/dossiers/khong-co").await.0,
        StatusCode::NOT_FOUND
    );

    // A citizen's session is not an officer's.
    let mut citizen = Tab::new(&app.base);
    citizen
        .cookies
        .push(("motcua_sid".into(), "mcs_guess".into()));
    let (s, location, _) = citizen.get(&page).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/staff/login"));

    // Log-out ends the token: the same cookie no longer opens anything.
    let kept = desk.cookies.clone();
    let (s, _, _) = desk.post("/staff/logout", &[("csrf", &desk_csrf)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    desk.cookies = kept;
    assert_eq!(desk.get("/staff").await.0, StatusCode::SEE_OTHER);
}

async fn reception_console_receives_guides_and_refuses(app: App) {
    let reception = app.token("letan").await;
    // An earlier dossier of the same person, for the prefill by citizen ID.
    app.file_dossier(&reception, &dossier_body()).await;
    let (mut desk, csrf) = log_in(&app, "letan").await;
    let (_, _, html) = desk.get("/staff").await;
    assert!(html.contains("/staff/reception"), "{html}");
    let (s, _, html) = desk.get("/staff/reception?q=cap+phep+thu+nghiem").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("/staff/reception?procedure=1.009999"),
        "{html}"
    );
    // A second branch of the same centre: one branch is chosen for the officer, not both.
    app.store
        .put_branch(&motcua_store::Branch {
            code: "VD".into(),
            agency: motcua_domain::ids::AgencyCode::parse(CENTRE).unwrap(),
            name: "Chi nhánh Vân Đồn".into(),
            address: "Vân Đồn".into(),
            hours: "".into(),
            counters: vec![],
        })
        .await
        .unwrap();
    let (_, _, html) = desk
        .get("/staff/reception?procedure=1.009999&cccd=022305001234")
        .await;
    assert!(
        html.contains("value=\"Nguyễn Thị Ánh\""),
        "prefilled: {html}"
    );
    // An ID nobody filed with before is said to be new.
    let (_, _, unknown) = desk
        .get("/staff/reception?procedure=1.009999&cccd=022090009876")
        .await;
    assert!(unknown.contains("Chưa có hồ sơ nào trước đây"), "{unknown}");
    assert_eq!(html.matches(" selected>").count(), 1, "{html}");
    assert!(html.contains("<option value=\"HQ\" selected>"), "{html}");
    assert!(
        html.contains("Tờ khai") && html.contains("Giấy tờ khác (nếu có)"),
        "{html}"
    );

    let base = [
        ("csrf", csrf.as_str()),
        ("procedure", "1.009999"),
        ("name", "Nguyễn Thị Ánh"),
        ("cccd", "022305001234"),
        ("phone", "0912345678"),
        ("email", ""),
        ("branch", "HQ"),
        ("fee", "50000"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut f: Vec<(&str, &str)> = base.to_vec();
        f.extend_from_slice(extra);
        f
    };
    // Receiving with a required document not ticked is refused with the reason; nothing is
    // filed. (An optional one, "… (nếu có)", need not be ticked.)
    let before = app.store.count_dossiers().await.unwrap();
    let (s, _, html) = desk
        .post(
            "/staff/reception",
            &with(&[("doc-1", "1"), ("outcome", "receive")]),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Chưa đánh dấu đủ thành phần hồ sơ"), "{html}");
    assert!(
        html.contains("value=\"Nguyễn Thị Ánh\""),
        "what was typed is kept"
    );
    let (s, _, html) = desk
        .post(
            "/staff/reception",
            &[
                ("csrf", csrf.as_str()),
                ("procedure", "1.009999"),
                ("name", "A"),
                ("cccd", "123"),
                ("branch", "HQ"),
                ("outcome", "refuse"),
                ("reasons", "x"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#f-cccd\""), "{html}");
    assert_eq!(app.store.count_dossiers().await.unwrap(), before);

    let filed = |location: &str| {
        location
            .trim_start_matches("/staff/dossiers/")
            .trim_end_matches("?done=1")
            .to_string()
    };
    // Complete: received with the fee taken, receipt ready.
    let (s, location, _) = desk
        .post(
            "/staff/reception",
            &with(&[("doc-0", "1"), ("doc-1", "1"), ("outcome", "receive")]),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(location.ends_with("?done=1"), "{location}");
    let received = filed(&location);
    let (_, d) = app
        .get(&format!("/api/v1/dossiers/{received}"), Some(&reception))
        .await;
    assert_eq!(
        (
            d["status"].as_str(),
            d["channel"].as_str(),
            d["fee_paid"].as_i64(),
            d["branch_code"].as_str()
        ),
        (Some("received"), Some("counter"), Some(50_000), Some("HQ")),
        "{d}"
    );
    // Incomplete: the guidance slip lists the unticked document.
    let (_, location, _) = desk
        .post(
            "/staff/reception",
            &with(&[
                ("doc-0", "1"),
                ("outcome", "supplement"),
                ("reason", "Thiếu giấy tờ"),
            ]),
        )
        .await;
    let guided = filed(&location);
    if let (_, Some(flat)) = slip(&app, &guided, "supplement-guide", &reception).await {
        assert!(
            flat.contains("Giấy tờ khác (nếu có)") && !flat.contains("1. Tờ khai"),
            "{flat}"
        );
    }
    // Not eligible: refused with reasons on the refusal slip.
    let (_, location, _) = desk
        .post(
            "/staff/reception",
            &with(&[
                ("outcome", "refuse"),
                ("reasons", "Không thuộc thẩm quyền\nHồ sơ giả mạo"),
            ]),
        )
        .await;
    let refused = filed(&location);
    let (_, d) = app
        .get(&format!("/api/v1/dossiers/{refused}"), Some(&reception))
        .await;
    assert_eq!(d["status"], "refused");
    if let (_, Some(flat)) = slip(&app, &refused, "refusal", &reception).await {
        assert!(flat.contains("Không thuộc thẩm quyền"), "{flat}");
    }
    if let (_, Some(flat)) = slip(&app, &received, "receipt", &reception).await {
        assert!(flat.contains("Nguyễn Thị Ánh"), "{flat}");
    }
}

async fn administration_changes_are_checked_applied_and_logged(app: App) {
    let (mut desk, _) = log_in(&app, "letan").await;
    assert_eq!(
        desk.get("/staff/admin/agencies").await.0,
        StatusCode::FORBIDDEN
    );
    let (mut admin, csrf) = log_in(&app, "quantri").await;
    let (s, _, html) = admin.get("/staff/admin/agencies").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("— Cơ quan 000.00.02.H22"), "the tree: {html}");
    assert_eq!(
        admin.get("/staff/admin/nothing").await.0,
        StatusCode::NOT_FOUND
    );

    let post = |tab: &mut Tab, section: &'static str, fields: Vec<(&str, &str)>| {
        let mut form = vec![("csrf".to_string(), csrf.clone())];
        form.extend(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let tab_http = tab.http.clone();
        let cookie = tab.cookie_header();
        let url = format!("{}/staff/admin/{section}", app.base);
        async move {
            let r = tab_http
                .post(url)
                .header("cookie", cookie)
                .form(&form)
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    // A change without a reason, or with a wrong code, is refused and nothing is written.
    let agency = vec![
        ("code", "000.01.02.H22"),
        ("parent", DEPARTMENT),
        ("name", "Phòng Hộ tịch"),
        ("kind", "department"),
    ];
    let (s, html) = post(&mut admin, "agencies", agency.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#f-reason\""), "{html}");
    let mut bad = agency.clone();
    bad[0] = ("code", "H22-khong-dung");
    bad.push(("reason", "Thử"));
    let (s, _) = post(&mut admin, "agencies", bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app.store.admin_changes(10).await.unwrap().is_empty());
    let mut good = agency.clone();
    good.push(("reason", "Quyết định 12/QĐ-UBND thành lập phòng"));
    assert_eq!(
        post(&mut admin, "agencies", good).await.0,
        StatusCode::SEE_OTHER
    );
    let (_, _, html) = admin.get("/staff/admin/agencies").await;
    assert!(
        html.contains("— — Phòng Hộ tịch") && html.contains("Quyết định 12/QĐ-UBND"),
        "{html}"
    );

    // A new officer in the new unit can log in; a role change keeps the password.
    let user = vec![
        ("username", "nguoimoi"),
        ("name", "Người Mới"),
        ("role", "specialist"),
        ("agency", "000.01.02.H22"),
        ("active", "1"),
        ("reason", "Tiếp nhận công chức"),
    ];
    let mut short = user.clone();
    short.push(("password", "ngan"));
    assert_eq!(
        post(&mut admin, "users", short).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut with_password = user.clone();
    with_password.push(("password", "pw-nguoimoi"));
    assert_eq!(
        post(&mut admin, "users", with_password).await.0,
        StatusCode::SEE_OTHER
    );
    let mut promoted = user.clone();
    promoted[2] = ("role", "approver");
    assert_eq!(
        post(&mut admin, "users", promoted).await.0,
        StatusCode::SEE_OTHER
    );
    let token = app.token("nguoimoi").await;
    let (_, me) = app.get("/api/v1/inbox", Some(&token)).await;
    assert_eq!(me["view"], "mine");
    assert_eq!(
        app.store
            .user("nguoimoi")
            .await
            .unwrap()
            .unwrap()
            .role
            .as_str(),
        "approver"
    );

    // The procedures whose source left a decision open are listed for the administrator.
    let (_, _, html) = admin.get("/staff/admin/procedures").await;
    assert!(html.contains(">1.009997<"), "{html}");
    assert!(html.contains("mức phí, lệ phí cụ thể"), "{html}");
    assert!(
        !html.contains(">1.001234<"),
        "nothing open for a complete record"
    );
    // A procedure's workflow and time limit, step by step: each step's fields, roles by
    // their Vietnamese names, a wrong step named with its problem and nothing lost.
    let (_, _, html) = admin.get("/staff/admin/procedures?code=1.001234").await;
    assert!(html.contains("<legend>Bước 1</legend>"), "{html}");
    assert!(html.contains(">Chuyên viên xử lý</option>"), "{html}");
    assert!(html.contains("Cơ quan giải quyết hồ sơ"), "{html}");
    let (s, html) = post(
        &mut admin,
        "procedures",
        vec![
            ("code", "1.001234"),
            ("days", "5"),
            ("step-1-name", "Thẩm định"),
            ("step-1-agency", ""),
            ("step-1-role", "specialist"),
            ("step-1-hours", ""),
            ("step-1-order", "1"),
            ("reason", "Sửa quy trình"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#f-steps\""), "{html}");
    assert!(
        html.contains("Bước 1: số giờ phải là số từ 1 đến 2000."),
        "{html}"
    );
    assert!(html.contains("value=\"Thẩm định\""), "{html}");
    let step = |n: u8,
                name: &'static str,
                agency: &'static str,
                role: &'static str,
                hours: &'static str,
                order: &'static str| {
        [
            (format!("step-{n}-name"), name),
            (format!("step-{n}-agency"), agency),
            (format!("step-{n}-role"), role),
            (format!("step-{n}-hours"), hours),
            (format!("step-{n}-order"), order),
        ]
    };
    let mut form: Vec<(String, &str)> = vec![
        ("code".into(), "1.001234"),
        ("days".into(), "5"),
        ("reason".into(), "Quyết định 15/QĐ-UBND"),
    ];
    form.extend(step(1, "Thẩm định", "", "specialist", "8", "1"));
    form.extend(step(2, "Phê duyệt", "", "approver", "4", "3"));
    // Added in a blank group, placed between the two by its number.
    form.extend(step(3, "Xác minh", "000.01.02.H22", "specialist", "4", "2"));
    form.extend(step(4, "", "", "specialist", "", "4"));
    let owned: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let (s, _) = post(&mut admin, "procedures", owned).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let p = app
        .store
        .procedure(&"1.001234".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let names: Vec<&str> = p.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Thẩm định", "Xác minh", "Phê duyệt"]);
    assert_eq!(
        p.steps[1].agency.map(|a| a.to_string()).as_deref(),
        Some("000.01.02.H22")
    );
    assert_eq!(p.steps[2].role, motcua_domain::role::Role::Approver);
    // Removing a step.
    let mut form: Vec<(String, &str)> = vec![
        ("code".into(), "1.001234"),
        ("days".into(), "5"),
        ("reason".into(), "Bỏ bước xác minh"),
        ("step-2-remove".into(), "1"),
    ];
    form.extend(step(1, "Thẩm định", "", "specialist", "8", "1"));
    form.extend(step(2, "Xác minh", "000.01.02.H22", "specialist", "4", "2"));
    form.extend(step(3, "Phê duyệt", "", "approver", "4", "3"));
    let owned: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let (s, _) = post(&mut admin, "procedures", owned).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let p = app
        .store
        .procedure(&"1.001234".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.steps.len(), 2);

    // The audit trail: each change by kind, who, why and the record; the chain checked.
    let (s, _, html) = admin.get("/staff/admin/audit?entity=procedure").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Thủ tục: 1.001234"), "{html}");
    assert!(html.contains("Quyết định 15/QĐ-UBND"), "{html}");
    assert!(html.contains("quantri (quantri)"), "{html}");
    assert!(
        html.contains("&#34;Xác minh&#34;") || html.contains("&quot;Xác minh&quot;"),
        "{html}"
    );
    assert!(
        !html.contains("Phòng Hộ tịch"),
        "agencies filtered out: {html}"
    );
    let (_, _, html) = admin.get("/staff/admin/audit?verify=1").await;
    assert!(html.contains("Chuỗi kiểm toán nguyên vẹn"), "{html}");
    assert_eq!(
        desk.get("/staff/admin/audit").await.0,
        StatusCode::FORBIDDEN
    );

    // A day off applies to deadlines at once.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 30).unwrap();
    assert!(app.state.calendar().is_working_day(day));
    let (s, _) = post(
        &mut admin,
        "calendar",
        vec![
            ("date", "2026-12-30"),
            ("day_kind", "off"),
            ("name", "Nghỉ thêm"),
            ("reason", "Công văn 3/UBND"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(!app.state.calendar().is_working_day(day));

    // An API client's key is shown once, works, and stops working when revoked.
    let (s, html) = post(
        &mut admin,
        "api-clients",
        vec![
            ("name", "he-thong-thue"),
            ("agency", DEPARTMENT),
            ("scopes", "dossiers:read stats:read"),
            ("reason", "Kết nối hệ thống thuế"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let at = html.find("mck_").unwrap_or_else(|| panic!("{html}"));
    let key = html[at..at + 68].to_string();
    assert_eq!(
        app.get("/api/v1/stats/daily", Some(&key)).await.0,
        StatusCode::OK
    );
    let (s, _) = post(
        &mut admin,
        "api-clients",
        vec![
            ("name", "he-thong-thue"),
            ("revoke", "1"),
            ("reason", "Ngừng kết nối"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/api/v1/stats/daily", Some(&key)).await.0,
        StatusCode::UNAUTHORIZED
    );

    // A notification template's wording: checked (variables, syntax), then used.
    let (s, html) = post(
        &mut admin,
        "templates",
        vec![
            ("template", "received-sms"),
            ("lang", "vi"),
            ("text", "Ho so { $otp } da nhan"),
            ("reason", "Sửa câu chữ"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#f-text\""), "{html}");
    let (s, _) = post(
        &mut admin,
        "templates",
        vec![
            ("template", "received-sms"),
            ("lang", "vi"),
            (
                "text",
                "Trung tam da nhan ho so { $code }, hen tra { $due }.",
            ),
            ("reason", "Sửa câu chữ theo góp ý"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, _, html) = admin.get("/staff/admin/templates").await;
    assert!(html.contains("Trung tam da nhan ho so { $code }"), "{html}");
    assert_eq!(
        app.store.settings_with_prefix("template:").await.unwrap(),
        vec![(
            "template:vi:received-sms".to_string(),
            "Trung tam da nhan ho so { $code }, hen tra { $due }.".to_string()
        )]
    );

    // Every change is in the log with its actor and reason, and in the hash chain.
    let log = app.store.admin_changes(50).await.unwrap();
    assert_eq!(log.len(), 9, "{log:?}");
    assert!(
        log.iter()
            .all(|c| c.actor.id == "quantri" && !c.reason.is_empty())
    );
    assert!(
        !serde_json::to_string(&log).unwrap().contains("argon2"),
        "no password hash in the log"
    );
    assert_eq!(app.store.verify_chain().await.unwrap().broken, None);
}

on_both_backends!(
    inboxes_by_view_and_scope,
    the_watcher_alerts_escalates_and_apologises_once,
    result_issued_and_verified_publicly,
    back_office_pages_with_scope_and_denials,
    reception_console_receives_guides_and_refuses,
    administration_changes_are_checked_applied_and_logged
);

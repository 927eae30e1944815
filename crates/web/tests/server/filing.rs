//! Online filing over the API as a mobile app does it: draft, answers, attachments (judged by
//! content, limited in size), submission with every problem named, no double filing, the
//! receipt as a PDF, paying the fee in the sandbox gateway (IPN checked for signature and
//! amount, settled once), reception held until paid, a supplement answered with an upload,
//! and the denials. On SQLite and PostgreSQL.

use std::collections::BTreeMap;

use motcua_documents::testing::{pdf_text, qr_text};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn upload(
    app: &App,
    path: &str,
    token: &str,
    document: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new()
        .text("document", document.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    let r = app
        .http
        .post(app.url(path))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

fn signed(params: &BTreeMap<String, String>) -> String {
    use hmac::{KeyInit, Mac};
    let canonical = params
        .iter()
        .filter(|(k, _)| k.as_str() != "vnp_SecureHash")
        .map(|(k, v)| {
            format!(
                "{k}={}",
                form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    let mut mac = hmac::Hmac::<sha2::Sha512>::new_from_slice(SANDBOX_SECRET.as_bytes()).unwrap();
    mac.update(canonical.as_bytes());
    format!(
        "{canonical}&vnp_SecureHash={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

async fn file_pay_receive_supplement(app: App) {
    let mail = Mail::start(&app).await;
    let token = register_and_verify(&app, &mail, "an@example.vn").await;
    let draft = app.start_draft(&token, "1.009999").await;
    let id = draft.id;
    assert_eq!(draft.fee, 50_000);
    assert!(!draft.documents[1].required);

    // Everything missing is named at once.
    let submit = format!("/api/v1/citizen/drafts/{id}/submit");
    let (s, body) = app.post(&submit, Some(&token), &json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "profile.cccd",
            "answers.ho_ten_tre",
            "answers.ngay_sinh",
            "documents[0]"
        ]
    );

    // Profile, answers (one wrong), files.
    let (s, _) = send(
        &app,
        reqwest::Method::PUT,
        "/api/v1/citizen/profile",
        Some(&token),
        Some(&json!({"full_name": "Lê Văn An", "cccd": "022090001234", "province_code": "22", "ward_code": "06652"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let draft_path = format!("/api/v1/citizen/drafts/{id}");
    let (s, _) = send(
        &app,
        reqwest::Method::PUT,
        &draft_path,
        Some(&token),
        Some(&json!({"answers": {"ho_ten_tre": "Lê Thị Bình", "ngay_sinh": "30/02/2025"}})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let files = format!("/api/v1/citizen/drafts/{id}/attachments");
    let (s, body) = upload(
        &app,
        &files,
        &token,
        "Tờ khai",
        "to-khai.pdf",
        b"MZ\x90\0 not a pdf".to_vec(),
    )
    .await;
    assert_eq!(
        (s, error_code(&body)),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "file_type")
    );
    let mut big = PDF.to_vec();
    big.resize(1_200_000, b' ');
    let (s, body) = upload(&app, &files, &token, "Tờ khai", "big.pdf", big).await;
    assert_eq!(
        (s, error_code(&body)),
        (StatusCode::PAYLOAD_TOO_LARGE, "file_too_large")
    );
    let (s, body) = upload(&app, &files, &token, "Giấy khác", "a.pdf", PDF.to_vec()).await;
    assert_eq!(
        (s, error_code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "unknown_document")
    );
    let (s, attached) = upload(
        &app,
        &files,
        &token,
        "Tờ khai",
        "../../etc/tờ khai.pdf",
        PDF.to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{attached}");
    assert_eq!(attached["content_type"], "application/pdf");
    assert_eq!(
        attached["file_name"], "tờ khai.pdf",
        "no path from the client is kept"
    );
    let (s, body) = app.post(&submit, Some(&token), &json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["field"], "answers.ngay_sinh");
    assert_eq!(body["error"]["fields"].as_array().unwrap().len(), 1);
    // Nothing was lost: the draft still has its answers and file.
    let (_, kept) = app.get(&draft_path, Some(&token)).await;
    assert_eq!(kept["answers"]["ho_ten_tre"], "Lê Thị Bình");
    assert_eq!(kept["attachments"].as_array().unwrap().len(), 1);
    let (s, _) = send(
        &app,
        reqwest::Method::PUT,
        &draft_path,
        Some(&token),
        Some(&json!({"answers": {"ho_ten_tre": "Lê Thị Bình", "ngay_sinh": "27/02/2025"}})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);

    let (s, filed) = app.post(&submit, Some(&token), &json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let code = filed["dossier"]["code"].as_str().unwrap().to_string();
    assert_eq!(filed["dossier"]["status"], "submitted");
    assert_eq!(filed["dossier"]["form"]["ngay_sinh"], "2025-02-27");
    assert_eq!(filed["fee_owed"], 50_000);
    assert_eq!(filed["dossier"]["fee_total"], 50_000);
    assert_eq!(filed["dossier"]["fee_owed"], 50_000);
    assert!(filed["expected_due_at"].is_string());
    // Submitting twice files nothing twice.
    let (s, body) = app.post(&submit, Some(&token), &json!({})).await;
    assert_eq!(
        (s, error_code(&body)),
        (StatusCode::CONFLICT, "already_submitted")
    );
    assert!(body["error"]["message"].as_str().unwrap().contains(&code));
    let (_, mine) = app.get("/api/v1/citizen/dossiers", Some(&token)).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);

    // The confirmation slip.
    let receipt = format!("/api/v1/dossiers/{code}/receipt.pdf");
    let r = app
        .http
        .get(app.url(&receipt))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    if let Some(text) = pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("GIẤY XÁC NHẬN NỘP HỒ SƠ TRỰC TUYẾN"),
            "{flat}"
        );
        assert!(flat.contains(&format!("Mã hồ sơ: {code}")), "{flat}");
        assert!(flat.contains("Ông/bà: Lê Văn An"), "{flat}");
        assert!(flat.contains("Phường Hà Tu"), "{flat}");
        assert!(flat.contains("50.000 đồng (chưa nộp)"), "{flat}");
    }
    if let Some(qr) = qr_text(&pdf) {
        assert_eq!(qr, app.url(&format!("/track?code={code}")));
    }

    // Reception cannot receive it before the fee is paid.
    let staff = app.token("letan").await;
    let actions = format!("/api/v1/dossiers/{code}/actions");
    let (s, body) = app
        .post(&actions, Some(&staff), &json!({"action": "receive"}))
        .await;
    assert_eq!((s, error_code(&body)), (StatusCode::CONFLICT, "fee_unpaid"));

    // Pay in the sandbox gateway.
    let payments = format!("/api/v1/dossiers/{code}/payments");
    let nothing = json!({});
    let start_paying = |key: String| {
        app.http
            .post(app.url(&payments))
            .bearer_auth(&token)
            .header("idempotency-key", key)
            .json(&nothing)
            .send()
    };
    // One payment at a time, even when several starts race (a double tap, a retry): one is
    // started, the others are told a payment is in progress.
    let racing =
        futures_util::future::join_all((0..4).map(|i| start_paying(format!("tra-{i}")))).await;
    let mut started = Vec::new();
    for r in racing {
        let r = r.unwrap();
        let s = r.status();
        let body: Value = r.json().await.unwrap();
        match s {
            StatusCode::CREATED => started.push(body),
            _ => assert_eq!(
                (s, error_code(&body)),
                (StatusCode::CONFLICT, "payment_in_progress")
            ),
        }
    }
    assert_eq!(started.len(), 1, "{started:?}");
    let started = started.remove(0);
    let pay_url = started["pay_url"].as_str().unwrap();
    let txn = started["txn_ref"].as_str().unwrap().to_string();
    // The winner's retry (its answer lost) gets the same payment back.
    let winner = (0..4).map(|i| format!("tra-{i}")).collect::<Vec<_>>();
    let mut replays = 0;
    for key in winner {
        let r = start_paying(key).await.unwrap();
        if r.headers().contains_key("idempotent-replayed") {
            replays += 1;
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["txn_ref"], txn.as_str());
        }
    }
    assert_eq!(replays, 1);
    let (_, listed) = app
        .get(&format!("/api/v1/dossiers/{code}/payments"), Some(&token))
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    let page = app.http.get(pay_url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("50.000 đồng"));
    let query = pay_url.split_once('?').unwrap().1;
    let mut params: BTreeMap<String, String> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    // Like the real gateway, the sandbox refuses another merchant's request and a payment
    // past its time limit, even correctly signed.
    let mut foreign = params.clone();
    foreign.insert("vnp_TmnCode".into(), "KHAC0001".into());
    let r = app
        .http
        .get(app.url(&format!("/sandbox/vnpay/pay?{}", signed(&foreign))))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let mut stale = params.clone();
    stale.insert("vnp_ExpireDate".into(), "20250101000000".into());
    let r = app
        .http
        .get(app.url(&format!("/sandbox/vnpay/pay?{}", signed(&stale))))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::GONE);
    assert!(r.text().await.unwrap().contains("hết thời gian"));
    // A tampered request is refused by the gateway.
    let mut tampered = params.clone();
    tampered.insert("vnp_Amount".into(), "100".into());
    let r = app
        .http
        .post(app.url("/sandbox/vnpay/pay"))
        .form(&tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    params.insert("decision".into(), "pay".into());
    params.insert("bank".into(), "NCB".into());
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = no_redirect
        .post(app.url("/sandbox/vnpay/pay"))
        .form(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let back = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        back.starts_with(&app.url("/payments/vnpay/return?")),
        "{back}"
    );
    let page = app.http.get(&back).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Đã thanh toán phí, lệ phí")
    );
    let (_, payments) = app
        .get(&format!("/api/v1/dossiers/{code}/payments"), Some(&token))
        .await;
    assert_eq!(payments[0]["status"], "paid");
    assert_eq!(payments[0]["amount"], 50_000);

    // The IPN again (the gateway retries): confirmed already, counted once.
    let result_query = back.split_once('?').unwrap().1.to_string();
    let ipn = |q: String| {
        app.http
            .get(app.url(&format!("/api/v1/payments/vnpay/ipn?{q}")))
            .send()
    };
    let answer: Value = ipn(result_query.clone())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["RspCode"], "02");
    // Tampered, wrong amount, unknown order.
    let tampered = result_query.replace("vnp_ResponseCode=00", "vnp_ResponseCode=01");
    let answer: Value = ipn(tampered.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(answer["RspCode"], "97");
    let r = app
        .http
        .get(app.url(&format!("/payments/vnpay/return?{tampered}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Kết quả thanh toán không hợp lệ")
    );
    let mut result: BTreeMap<String, String> = form_urlencoded::parse(result_query.as_bytes())
        .into_owned()
        .collect();
    result.insert("vnp_Amount".into(), "100".into());
    let answer: Value = ipn(signed(&result)).await.unwrap().json().await.unwrap();
    assert_eq!(answer["RspCode"], "04");
    result.insert("vnp_Amount".into(), "5000000".into());
    result.insert("vnp_TxnRef".into(), "000000NOPE".into());
    let answer: Value = ipn(signed(&result)).await.unwrap().json().await.unwrap();
    assert_eq!(answer["RspCode"], "01");

    let (_, dossier) = app
        .get(&format!("/api/v1/dossiers/{code}"), Some(&token))
        .await;
    assert_eq!(dossier["fee_paid"], 50_000);
    let (_, events) = app
        .get(&format!("/api/v1/dossiers/{code}/events"), Some(&staff))
        .await;
    let paid: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "fee_paid")
        .collect();
    assert_eq!(paid.len(), 1, "{events}");
    assert_eq!(paid[0]["reference"], format!("VNPAY-{txn}"));
    let (s, body) = app
        .post(
            &format!("/api/v1/dossiers/{code}/payments"),
            Some(&token),
            &nothing,
        )
        .await;
    assert_eq!(
        (s, error_code(&body)),
        (StatusCode::CONFLICT, "nothing_due")
    );

    // Reception corrects the fee on the dossier's page (the applicant's case was another):
    // the difference is owed before receipt, the applicant is told, and a mistaken
    // correction is corrected again.
    let (mut desk, _) = log_in(&app, "letan").await;
    let page = format!("/staff/dossiers/{code}");
    let (_, _, html) = desk.get(&page).await;
    assert!(html.contains("Điều chỉnh phí, lệ phí"), "{html}");
    assert!(html.contains("50.000 đồng · đã nộp 50.000 đồng"), "{html}");
    let csrf = csrf_of(&html);
    let correct_fee = |amount: &'static str, reason: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("action", "correct_fee".into()),
            ("amount", amount.into()),
            ("reason", reason.into()),
        ]
    };
    let by_page = async |desk: &mut Tab, fields: [(&'static str, String); 4]| {
        let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        desk.post(&format!("{page}/actions"), &form).await
    };
    let (s, location, _) = by_page(&mut desk, correct_fee("80.000", "Cấp thêm bản sao")).await;
    assert_eq!(
        (s, location),
        (StatusCode::SEE_OTHER, format!("{page}?done=1"))
    );
    let (_, _, html) = desk.get(&page).await;
    assert!(
        html.contains("80.000 đồng · đã được bộ phận tiếp nhận điều chỉnh · đã nộp 50.000 đồng"),
        "{html}"
    );
    let (_, dossier) = app
        .get(&format!("/api/v1/dossiers/{code}"), Some(&token))
        .await;
    assert_eq!(
        (dossier["fee_total"].as_i64(), dossier["fee_owed"].as_i64()),
        (Some(80_000), Some(30_000))
    );
    let (s, body) = app
        .post(&actions, Some(&staff), &json!({"action": "receive"}))
        .await;
    assert_eq!((s, error_code(&body)), (StatusCode::CONFLICT, "fee_unpaid"));
    mail.dispatcher.run_once(chrono::Utc::now()).await.unwrap();
    let told = mail.sink.received.lock().unwrap().clone();
    assert!(
        told.iter().any(|(to, body)| to == "an@example.vn"
            && body.contains(
                "thành 80.000 đồng. Lý do: Cấp thêm bản sao. Số tiền còn phải nộp: 30.000 đồng."
            )),
        "{told:?}"
    );
    // The same amount again is refused with the reason on the page; so are a negative
    // amount, and a correction by the applicant.
    let (s, _, html) = by_page(&mut desk, correct_fee("80000", "Lần nữa")).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        html.contains("Lệ phí của hồ sơ đã là số tiền này."),
        "{html}"
    );
    let negative = json!({"action": "correct_fee", "amount": -1, "reason": "x"});
    let (s, body) = app.post(&actions, Some(&staff), &negative).await;
    assert_eq!(
        (s, error_code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "bad_fee")
    );
    let free = json!({"action": "correct_fee", "amount": 0, "reason": "x"});
    let (s, body) = app.post(&actions, Some(&token), &free).await;
    assert_eq!(
        (s, error_code(&body)),
        (StatusCode::FORBIDDEN, "role_not_allowed")
    );
    let back = json!({"action": "correct_fee", "amount": 50_000, "reason": "Nhầm trường hợp"});
    let (s, body) = app.post(&actions, Some(&staff), &back).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (_, events) = app
        .get(&format!("/api/v1/dossiers/{code}/events"), Some(&staff))
        .await;
    let corrections: Vec<(i64, i64)> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "fee_corrected")
        .filter_map(|e| Some((e["previous"].as_i64()?, e["amount"].as_i64()?)))
        .collect();
    assert_eq!(
        corrections,
        [(50_000, 80_000), (80_000, 50_000)],
        "{events}"
    );

    // What was submitted, as the officer sees it: the applicant's details and the file,
    // which staff in scope and the applicant can open, and nobody else.
    let r = app
        .http
        .get(app.url(&format!("/api/v1/dossiers/{code}")))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["cache-control"],
        "no-store",
        "personal data is not cached"
    );
    let (_, detail) = app
        .get(&format!("/api/v1/dossiers/{code}"), Some(&staff))
        .await;
    assert_eq!(detail["applicant"]["name"], "Lê Văn An", "{detail}");
    assert!(
        detail["applicant"]["address"]
            .as_str()
            .unwrap_or_default()
            .contains("Phường Hà Tu")
    );
    let files = detail["attachments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(files.len(), 1, "{detail}");
    assert_eq!(files[0]["file_name"], "tờ khai.pdf");
    let url = files[0]["url"].as_str().unwrap().to_string();
    assert_eq!(
        url,
        format!(
            "/api/v1/dossiers/{code}/attachments/{}",
            files[0]["id"].as_str().unwrap()
        )
    );
    let download = |bearer: Option<String>| {
        let req = app.http.get(app.url(&url));
        async move {
            let r = match bearer {
                Some(b) => req.bearer_auth(b),
                None => req,
            }
            .send()
            .await
            .unwrap();
            let disposition = r
                .headers()
                .get("content-disposition")
                .map(|v| v.to_str().unwrap_or_default().to_string());
            (r.status(), disposition, r.bytes().await.unwrap())
        }
    };
    for who in [staff.clone(), token.clone()] {
        let (s, disposition, bytes) = download(Some(who)).await;
        assert_eq!((s, bytes.as_ref()), (StatusCode::OK, PDF));
        assert_eq!(
            disposition.as_deref(),
            Some(
                "attachment; filename=\"tep-dinh-kem.pdf\"; filename*=UTF-8''t%E1%BB%9D%20khai.pdf"
            )
        );
    }
    let outsider = app.token("khac").await;
    assert_eq!(download(Some(outsider)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(download(None).await.0, StatusCode::UNAUTHORIZED);
    let stranger = register_and_verify(&app, &mail, "la@example.vn").await;
    assert_eq!(download(Some(stranger)).await.0, StatusCode::NOT_FOUND);
    let elsewhere = url.replace(&code, &format!("{}9", &code[..code.len() - 1]));
    let r = app
        .http
        .get(app.url(&elsewhere))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "an attachment is reached through its own dossier only"
    );
    let (_, _, html) = desk.get(&page).await;
    assert!(
        html.contains(&format!("<a href=\"{url}\">tờ khai.pdf</a>")),
        "{html}"
    );
    assert!(
        html.contains("Phường Hà Tu") && html.contains("an@example.vn"),
        "{html}"
    );

    // Now reception receives it; the receipt becomes the appointment slip.
    let (s, body) = app
        .post(&actions, Some(&staff), &json!({"action": "receive"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let pdf = app
        .http
        .get(app.url(&receipt))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    if let Some(text) = pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
            "{flat}"
        );
        assert!(flat.contains("50.000 đồng (đã nộp trực tuyến)"), "{flat}");
    }
    // Staff in scope may print it too; an anonymous caller may not.
    let r = app
        .http
        .get(app.url(&receipt))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.http.get(app.url(&receipt)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // A supplement request answered with an upload.
    let (s, _) = app
        .post(&actions, Some(&staff), &json!({"action": "forward"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let specialist = app.token("chuyenvien").await;
    let (s, body) = app
        .post(&actions, Some(&specialist), &json!({"action": "request_supplement", "reason": "Thiếu bản sao", "missing": ["Giấy tờ khác (nếu có)"]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    // The supplement guide slip (Mẫu 02) from the request; no refusal slip exists.
    let slip = |kind: &str| {
        app.http
            .get(app.url(&format!("/api/v1/dossiers/{code}/documents/{kind}.pdf")))
            .bearer_auth(&token)
            .send()
    };
    let r = slip("supplement-guide").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let pdf = r.bytes().await.unwrap();
    if let Some(text) = pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
            "{flat}"
        );
        assert!(flat.contains("1. Giấy tờ khác (nếu có)"), "{flat}");
        assert!(flat.contains("Lý do: Thiếu bản sao"), "{flat}");
    }
    assert_eq!(
        slip("refusal").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(slip("receipt").await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        slip("nonsense").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let extra = format!("/api/v1/citizen/dossiers/{code}/attachments");
    let (s, body) = upload(
        &app,
        &extra,
        &token,
        "Giấy tờ khác (nếu có)",
        "ban-sao.png",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["dossier_code"], code);
    let (s, body) = app
        .post(
            &actions,
            Some(&token),
            &json!({"action": "submit_supplement", "note": "Đã bổ sung"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "supplemented");
    let (s, body) = upload(&app, &extra, &token, "Tờ khai", "x.pdf", PDF.to_vec()).await;
    assert_eq!(
        (s, error_code(&body)),
        (StatusCode::CONFLICT, "no_supplement_asked")
    );

    // The result, then the applicant's rating (once, only theirs).
    let approver = app.token("lanhdao").await;
    for (who, body) in [
        (&specialist, json!({"action": "accept_supplement"})),
        (&specialist, json!({"action": "forward"})),
        (&approver, json!({"action": "approve"})),
        (
            &approver,
            json!({"action": "issue_result", "summary": "Giấy phép"}),
        ),
    ] {
        let (s, r) = app.post(&actions, Some(who), &body).await;
        assert_eq!(s, StatusCode::OK, "{body}: {r}");
    }
    let (s, _) = app
        .get(&format!("/api/v1/dossiers/{code}/result"), Some(&token))
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "no electronic result file was issued"
    );
    let rating = json!({"action": "rate", "satisfaction": "satisfied",
        "criteria": [{"criterion": "attitude", "score": 2}], "comment": "Nhanh"});
    let (s, body) = app.post(&actions, Some(&specialist), &rating).await;
    assert_eq!(
        (s, error_code(&body)),
        (StatusCode::FORBIDDEN, "role_not_allowed")
    );
    // The same rating through `POST /api/v1/ratings`: once, by the applicant; it is counted
    // for the deciding agency at once.
    let given = json!({"dossier": code, "level": "satisfied", "criteria": {"attitude": 2}, "comment": "Nhanh"});
    let (s, body) = app.post("/api/v1/ratings", Some(&specialist), &given).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, body) = app.post("/api/v1/ratings", Some(&token), &given).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["dossier"], code);
    let (s, body) = app.post(&actions, Some(&token), &rating).await;
    assert_eq!(
        (s, error_code(&body)),
        (StatusCode::CONFLICT, "already_rated")
    );
    let (s, body) = app.post("/api/v1/ratings", Some(&token), &given).await;
    assert_eq!(
        (s, error_code(&body)),
        (StatusCode::CONFLICT, "already_rated")
    );
    let (_, summary) = app.get("/api/v1/stats/satisfaction?by=agency", None).await;
    let total = summary["rows"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (
            total["satisfied"].as_u64(),
            total["criteria"]["attitude"].as_f64()
        ),
        (Some(1), Some(2.0)),
        "{summary}"
    );

    // The processing control sheet lists every hand-over.
    let r = app
        .http
        .get(app.url(&format!(
            "/api/v1/dossiers/{code}/documents/control-sheet.pdf"
        )))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let pdf = r.bytes().await.unwrap();
    if let Some(text) = pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
            "Cơ quan 000.00.01.H22 tiếp nhận hồ sơ",
            "Cơ quan 000.00.01.H22 giao, Cơ quan 000.00.02.H22 nhận",
            "Thẩm định",
            "Người nộp bổ sung hồ sơ",
            "Đúng hạn",
        ] {
            assert!(flat.contains(expected), "missing {expected:?} in {flat}");
        }
    }

    // Another citizen sees none of it.
    let other = register_and_verify(&app, &mail, "binh@example.vn").await;
    for path in [
        format!("/api/v1/dossiers/{code}"),
        format!("/api/v1/dossiers/{code}/payments"),
        draft_path.clone(),
    ] {
        let (s, _) = app.get(&path, Some(&other)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    let r = app
        .http
        .get(app.url(&receipt))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (s, _) = app
        .post(
            &actions,
            Some(&other),
            &json!({"action": "withdraw", "reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = upload(&app, &extra, &other, "Tờ khai", "x.pdf", PDF.to_vec()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .post(
            &format!("/api/v1/dossiers/{code}/payments"),
            Some(&other),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A second payment the gateway completes anyway (one started elsewhere, settled late) is
    // kept, shown as owed back, and reception is told to refund it.
    let other_digit = if txn.ends_with('9') { '8' } else { '9' };
    let late = format!("{}{other_digit}", &txn[..txn.len() - 1]);
    app.store
        .put_payment(
            &motcua_store::Payment {
                txn_ref: late.clone(),
                dossier_code: code.clone(),
                amount: 50_000,
                status: motcua_store::PaymentStatus::Pending,
                created_at: chrono::Utc::now(),
                paid_at: None,
                gateway_txn: None,
                bank_code: None,
                response_code: None,
            },
            chrono::Utc::now() - chrono::Duration::minutes(15),
        )
        .await
        .unwrap();
    let mut second: BTreeMap<String, String> = form_urlencoded::parse(result_query.as_bytes())
        .into_owned()
        .collect();
    second.insert("vnp_TxnRef".into(), late);
    second.insert("vnp_TransactionNo".into(), "99999999".into());
    let answer: Value = ipn(signed(&second)).await.unwrap().json().await.unwrap();
    assert_eq!(answer["RspCode"], "00", "{answer}");
    let (_, dossier) = app
        .get(&format!("/api/v1/dossiers/{code}"), Some(&token))
        .await;
    assert_eq!(
        (dossier["fee_paid"].as_i64(), dossier["fee_owed"].as_i64()),
        (Some(100_000), Some(0))
    );
    let (_, alerts) = app.get("/api/v1/alerts", Some(&staff)).await;
    assert!(
        alerts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "overpaid" && a["dossier_code"] == code.as_str()),
        "{alerts}"
    );
}

/// Drafts and files are limited per citizen and per draft, and the limits hold when requests
/// race (checked with the write, not before it).
async fn quotas_hold_under_concurrent_uploads(app: App) {
    let mail = Mail::start(&app).await;
    let token = register_and_verify(&app, &mail, "quota@example.vn").await;
    let draft = app.start_draft(&token, "1.009999").await;
    let files = format!("/api/v1/citizen/drafts/{}/attachments", draft.id);
    // 12 uploads at once into a draft that takes 3 files: exactly 3 are kept.
    let racing = futures_util::future::join_all((0..12).map(|i| {
        let mut pdf = PDF.to_vec();
        pdf.extend_from_slice(format!("% {i}\n").as_bytes());
        upload(&app, &files, &token, "Tờ khai", "to-khai.pdf", pdf)
    }))
    .await;
    let created = racing
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 3);
    assert!(racing.iter().all(|(s, body)| *s == StatusCode::CREATED
        || body["error"]["code"] == "too_many_files"));
    let id = motcua_domain::ids::DraftId::new(&draft.id);
    assert_eq!(app.store.draft_attachments(&id).await.unwrap().len(), 3);
    // At most 20 open drafts per citizen, however fast they are asked for.
    let body = json!({"procedure_code": "1.009999"});
    let racing = futures_util::future::join_all(
        (0..25).map(|_| app.post("/api/v1/citizen/drafts", Some(&token), &body)),
    )
    .await;
    let opened = racing
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(opened, 19, "one was open already");
    let refused = racing
        .iter()
        .find(|(s, _)| *s != StatusCode::CREATED)
        .unwrap();
    assert_eq!(
        (refused.0, refused.1["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("too_many_drafts"))
    );
}

async fn reuse_and_withdraw(app: App) {
    let mail = Mail::start(&app).await;
    let token = register_and_verify(&app, &mail, "chi@example.vn").await;
    let (s, _) = send(
        &app,
        reqwest::Method::PUT,
        "/api/v1/citizen/profile",
        Some(&token),
        Some(&json!({"full_name": "Phạm Thị Chi", "cccd": "022190001234"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let mut codes = Vec::new();
    for round in 0..2 {
        let id = app.start_draft(&token, "1.009999").await.id;
        if round == 0 {
            let (s, _) = upload(
                &app,
                &format!("/api/v1/citizen/drafts/{id}/attachments"),
                &token,
                "Tờ khai",
                "to-khai.pdf",
                PDF.to_vec(),
            )
            .await;
            assert_eq!(s, StatusCode::CREATED);
        } else {
            // Data reuse: the earlier file, without uploading it again.
            let (_, earlier) = app.get("/api/v1/citizen/files", Some(&token)).await;
            let first = earlier[0]["id"].as_str().unwrap();
            let (s, body) = app
                .post(
                    &format!("/api/v1/citizen/drafts/{id}/attachments/reuse"),
                    Some(&token),
                    &json!({"attachment_id": first, "document": "Tờ khai"}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{body}");
            assert_eq!(body["sha256"], earlier[0]["sha256"]);
        }
        let (s, _) = send(
            &app,
            reqwest::Method::PUT,
            &format!("/api/v1/citizen/drafts/{id}"),
            Some(&token),
            Some(&json!({"answers": {"ho_ten_tre": "Phạm Minh", "ngay_sinh": "2025-01-15"}})),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let filed = app.submit_draft(&token, &id).await.unwrap();
        codes.push(filed.dossier.code);
    }
    // Another citizen cannot reuse this citizen's file.
    let other = register_and_verify(&app, &mail, "dung@example.vn").await;
    let draft = app.start_draft(&other, "1.009999").await;
    let (_, earlier) = app.get("/api/v1/citizen/files", Some(&token)).await;
    let (s, _) = app
        .post(
            &format!("/api/v1/citizen/drafts/{}/attachments/reuse", draft.id),
            Some(&other),
            &json!({"attachment_id": earlier[0]["id"], "document": "Tờ khai"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Withdraw the second dossier.
    let withdrawn = app
        .act(
            &token,
            &codes[1],
            &json!({"action": "withdraw", "reason": "Nộp nhầm"}),
        )
        .await
        .unwrap();
    assert_eq!(withdrawn.status, "withdrawn");
    // A procedure not offered online cannot be started.
    let (s, body) = app
        .post(
            "/api/v1/citizen/drafts",
            Some(&token),
            &json!({"procedure_code": "1.000000"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
}

/// The wizard's pages over plain HTTP with the session cookie: one question per page, answers
/// kept page by page, a wrong answer shown on its own page with nothing lost.
async fn wizard_one_question_per_page(app: App) {
    // The procedure's page states the fee as read, the source's words one click away.
    let html = app
        .http
        .get(app.url("/procedures/1.009999"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(">50.000 đồng<details"), "the fee as read");
    assert!(html.contains("Nguyên văn nguồn") && html.contains("Lệ phí : 50.000 Đồng"));
    let mail = Mail::start(&app).await;
    let token = register_and_verify(&app, &mail, "em@example.vn").await;
    let id = app.start_draft(&token, "1.009999").await.id;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let cookie = format!("motcua_sid={token}");
    let page = |n: usize| {
        let http = http.clone();
        let cookie = cookie.clone();
        let url = app.url(&format!("/account/drafts/{id}?page={n}"));
        async move {
            let html = http
                .get(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let csrf = html
                .split("name=\"csrf\" value=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap()
                .to_string();
            (html, csrf)
        }
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let http = http.clone();
        let cookie = cookie.clone();
        let url = app.url(&format!("/account/drafts/{id}/answers"));
        async move {
            let r = http
                .post(url)
                .header("cookie", cookie)
                .form(&fields)
                .send()
                .await
                .unwrap();
            let status = r.status();
            let location = r
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_string());
            (status, location, r.text().await.unwrap())
        }
    };
    let (html, csrf) = page(0).await;
    assert!(
        html.contains("Câu hỏi 1 trên 3")
            && html.contains("Họ tên trẻ")
            && !html.contains("Ngày sinh"),
        "{html}"
    );
    let (s, to, _) = post(vec![
        ("csrf", csrf.clone()),
        ("page", "0".into()),
        ("ho_ten_tre", "Lê Thị Bình".into()),
    ])
    .await;
    assert_eq!(
        (s, to.as_deref()),
        (
            StatusCode::SEE_OTHER,
            Some(format!("/account/drafts/{id}?page=1").as_str())
        )
    );
    let (s, _, html) = post(vec![
        ("csrf", csrf.clone()),
        ("page", "1".into()),
        ("ngay_sinh", "31/02/2025".into()),
    ])
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("error-summary") && html.contains("href=\"#f-ngay_sinh\""),
        "{html}"
    );
    assert!(
        html.contains("value=\"31/02/2025\""),
        "what was typed is kept"
    );
    let (s, to, _) = post(vec![
        ("csrf", csrf.clone()),
        ("page", "1".into()),
        ("ngay_sinh", "2025-02-27".into()),
    ])
    .await;
    assert_eq!(
        (s, to.as_deref()),
        (
            StatusCode::SEE_OTHER,
            Some(format!("/account/drafts/{id}?page=2").as_str())
        )
    );
    let (s, to, _) = post(vec![
        ("csrf", csrf.clone()),
        ("page", "2".into()),
        ("ghi_chu", String::new()),
    ])
    .await;
    assert_eq!(
        (s, to.as_deref()),
        (
            StatusCode::SEE_OTHER,
            Some(format!("/account/drafts/{id}?step=documents").as_str())
        )
    );
    let (_, saved) = app
        .get(&format!("/api/v1/citizen/drafts/{id}"), Some(&token))
        .await;
    assert_eq!(
        saved["answers"]["ho_ten_tre"], "Lê Thị Bình",
        "earlier pages kept"
    );
    assert_eq!(saved["answers"]["ngay_sinh"], "2025-02-27");
    // A form without the session's token changes nothing.
    let (s, _, _) = post(vec![
        ("csrf", "forged".into()),
        ("page", "0".into()),
        ("ho_ten_tre", "X".into()),
    ])
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, saved) = app
        .get(&format!("/api/v1/citizen/drafts/{id}"), Some(&token))
        .await;
    assert_eq!(saved["answers"]["ho_ten_tre"], "Lê Thị Bình");
}

/// A commune-level procedure the catalog routes to the province as a whole: filed online, the
/// commune of the citizen's address handles it (an address outside the province's communes is
/// named before anything is filed); at the counter the commune is chosen, and must be.
async fn commune_level_goes_to_the_commune(app: App) {
    let mail = Mail::start(&app).await;
    let token = register_and_verify(&app, &mail, "xa@example.vn").await;
    let profile = |ward: &'static str, province: &'static str| {
        let (app, token) = (&app, token.clone());
        async move {
            let body = json!({"full_name": "Đỗ Văn Minh", "cccd": "022090004321",
                              "province_code": province, "ward_code": ward});
            let (s, _) = send(
                app,
                reqwest::Method::PUT,
                "/api/v1/citizen/profile",
                Some(&token),
                Some(&body),
            )
            .await;
            assert_eq!(s, StatusCode::OK);
        }
    };
    profile("00004", "01").await;
    let id = app.start_draft(&token, "1.009997").await.id;
    let draft = format!("/api/v1/citizen/drafts/{id}");
    let answers = json!({"answers": {"ho_ten_tre": "Đỗ Minh An", "ngay_sinh": "2026-11-02"}});
    let (s, _) = send(
        &app,
        reqwest::Method::PUT,
        &draft,
        Some(&token),
        Some(&answers),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = app
        .post(&format!("{draft}/submit"), Some(&token), &json!({}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["error"]["fields"][0]["field"], "profile.ward_code",
        "{body}"
    );
    profile("06652", "22").await;
    let filed = app.submit_draft(&token, &id).await.expect("filed").dossier;
    let staff = app.token("giamsat").await;
    let (_, dossier) = app
        .get(&format!("/api/v1/dossiers/{}", filed.code), Some(&staff))
        .await;
    assert_eq!(dossier["competent_agency"], COMMUNE, "{dossier}");

    // At the counter: the commune is chosen, or nothing is filed.
    let letan = app.token("letan").await;
    let walk_in = |commune: Option<&str>| {
        json!({"procedure_code": "1.009997", "channel": "counter", "branch_code": "HQ",
               "applicant": {"name": "Đỗ Văn Minh", "cccd": "022090004321"},
               "competent_agency_code": commune})
    };
    let (s, body) = app
        .post("/api/v1/dossiers", Some(&letan), &walk_in(None))
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("commune_required"))
    );
    let filed = app.file_dossier(&letan, &walk_in(Some(COMMUNE))).await;
    let (_, dossier) = app
        .get(&format!("/api/v1/dossiers/{}", filed.code), Some(&staff))
        .await;
    assert_eq!(dossier["competent_agency"], COMMUNE);
}

/// Files a dossier of the procedure with a 50,000 đồng fee as the citizen `bearer`.
async fn file_with_fee(app: &App, bearer: &str) -> String {
    let id = app.start_draft(bearer, "1.009999").await.id;
    let (s, _) = upload(
        app,
        &format!("/api/v1/citizen/drafts/{id}/attachments"),
        bearer,
        "Tờ khai",
        "to-khai.pdf",
        PDF.to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = send(
        app,
        reqwest::Method::PUT,
        &format!("/api/v1/citizen/drafts/{id}"),
        Some(bearer),
        Some(&json!({"answers": {"ho_ten_tre": "Trần Minh", "ngay_sinh": "2025-03-02"}})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    app.submit_draft(bearer, &id).await.unwrap().dossier.code
}

/// A payment whose notification never came is asked about at the gateway's transaction API
/// (`querydr`) once the gateway's time limit has passed: paid ones are settled and the fee
/// recorded as an IPN would have, ones never completed expire. The sandbox's API is checked
/// like the real one.
async fn pending_payments_are_reconciled(app: App) {
    let mail = Mail::start(&app).await;
    let token = register_and_verify(&app, &mail, "doisoat@example.vn").await;
    let (s, _) = send(
        &app,
        reqwest::Method::PUT,
        "/api/v1/citizen/profile",
        Some(&token),
        Some(&json!({"full_name": "Trần Văn Đối", "cccd": "022090004321"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let code = file_with_fee(&app, &token).await;
    let start = |code: String| {
        let (app, token) = (&app, &token);
        async move {
            let (s, body) = app
                .post(
                    &format!("/api/v1/dossiers/{code}/payments"),
                    Some(token),
                    &json!({}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{body}");
            (
                body["pay_url"].as_str().unwrap().to_string(),
                body["txn_ref"].as_str().unwrap().to_string(),
            )
        }
    };
    let status = |txn: String| {
        let store = app.store.clone();
        async move { store.payment(&txn).await.unwrap().unwrap().status }
    };
    let reconcile = |minutes: i64| {
        let state = app.state.clone();
        async move {
            motcua_app::payments::reconcile(
                &state,
                chrono::Utc::now() + chrono::Duration::minutes(minutes),
            )
            .await
            .unwrap()
        }
    };

    // Paid at the gateway, but its notification was lost.
    let (pay_url, txn) = start(code.clone()).await;
    let page = app.http.get(&pay_url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let query = pay_url.split_once('?').unwrap().1;
    let mut params: BTreeMap<String, String> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    params.insert("decision".into(), "pay_unnotified".into());
    params.insert("bank".into(), "BIDV".into());
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = no_redirect
        .post(app.url("/sandbox/vnpay/pay"))
        .form(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        status(txn.clone()).await,
        motcua_store::PaymentStatus::Pending
    );
    // Not asked before the gateway's time limit has passed.
    assert_eq!(reconcile(0).await.asked, 0);
    let report = reconcile(30).await;
    assert_eq!((report.asked, report.paid, report.unknown), (1, 1, 0));
    let paid = app.store.payment(&txn).await.unwrap().unwrap();
    assert_eq!(paid.status, motcua_store::PaymentStatus::Paid);
    assert_eq!(paid.bank_code.as_deref(), Some("BIDV"));
    assert!(paid.gateway_txn.is_some_and(|n| n.len() == 8));
    let (_, dossier) = app
        .get(&format!("/api/v1/dossiers/{code}"), Some(&token))
        .await;
    assert_eq!(dossier["fee_paid"], 50_000);
    let staff = app.token("letan").await;
    let (_, events) = app
        .get(&format!("/api/v1/dossiers/{code}/events"), Some(&staff))
        .await;
    let recorded = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "fee_paid" && e["reference"] == format!("VNPAY-{txn}"))
        .count();
    assert_eq!(recorded, 1, "{events}");
    // Settled: nothing left to ask; the late IPN, should it come, changes nothing.
    assert_eq!(reconcile(30).await.asked, 0);

    // Started and never reached the gateway (91), then shown but never decided (01): both
    // expire, and a new payment can start.
    let second = file_with_fee(&app, &token).await;
    let (_, never_shown) = start(second.clone()).await;
    let report = reconcile(30).await;
    assert_eq!((report.asked, report.expired), (1, 1));
    assert_eq!(
        status(never_shown).await,
        motcua_store::PaymentStatus::Expired
    );
    let (pay_url, undecided) = start(second.clone()).await;
    app.http.get(&pay_url).send().await.unwrap();
    let report = reconcile(30).await;
    assert_eq!((report.asked, report.expired), (1, 1));
    assert_eq!(
        status(undecided.clone()).await,
        motcua_store::PaymentStatus::Expired
    );
    let (_, dossier) = app
        .get(&format!("/api/v1/dossiers/{second}"), Some(&token))
        .await;
    assert_eq!(dossier["fee_paid"], 0);

    // The sandbox's transaction API checks what the real one checks.
    let config = app.state.payment.clone().unwrap();
    let api = config.api_url.clone().unwrap();
    let started = app
        .store
        .payment(&undecided)
        .await
        .unwrap()
        .unwrap()
        .created_at;
    let ask = |request: BTreeMap<String, String>| {
        let http = app.http.clone();
        let api = api.clone();
        async move {
            let r = http.post(&api).json(&request).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<BTreeMap<String, String>>().await.unwrap()
        }
    };
    let now = chrono::Utc::now();
    let request =
        motcua_app::vnpay::query_request(&config, &undecided, started, "req-1", "127.0.0.1", now);
    let answer = ask(request.clone()).await;
    assert_eq!(answer["vnp_ResponseCode"], "00");
    assert_eq!(answer["vnp_TransactionStatus"], "01");
    assert!(motcua_app::vnpay::verify_fields(
        &config.secret,
        &answer,
        &motcua_app::vnpay::ANSWER_FIELDS
    ));
    // The same request id again.
    assert_eq!(ask(request.clone()).await["vnp_ResponseCode"], "94");
    // Another payment date than the payment's own.
    let wrong_date = motcua_app::vnpay::query_request(
        &config,
        &undecided,
        started - chrono::Duration::hours(1),
        "req-2",
        "127.0.0.1",
        now,
    );
    assert_eq!(ask(wrong_date).await["vnp_ResponseCode"], "91");
    // A tampered request, another merchant's.
    let mut tampered =
        motcua_app::vnpay::query_request(&config, &undecided, started, "req-3", "127.0.0.1", now);
    tampered.insert("vnp_TxnRef".into(), txn.clone());
    assert_eq!(ask(tampered).await["vnp_ResponseCode"], "97");
    let mut foreign = config.clone();
    foreign.tmn_code = "KHAC0001".into();
    let other =
        motcua_app::vnpay::query_request(&foreign, &undecided, started, "req-4", "127.0.0.1", now);
    assert_eq!(ask(other).await["vnp_ResponseCode"], "02");
}

on_both_backends!(
    pending_payments_are_reconciled,
    file_pay_receive_supplement,
    quotas_hold_under_concurrent_uploads,
    reuse_and_withdraw,
    wizard_one_question_per_page,
    commune_level_goes_to_the_commune
);

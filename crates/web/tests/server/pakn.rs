//! Feedback and petitions over the API: filed by anyone or by an officer for a caller,
//! complaints and denunciations turned away, looked up with the second factor and no contact
//! data, handled by the officers of the agency concerned only, published and rated once.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

async fn feedback_is_filed_handled_published_and_rated(app: App) {
    let petition = json!({
        "name": "Trần Văn Bình",
        "phone": "0987 654 321",
        "content": "Bộ phận một cửa yêu cầu nộp bản sao chứng thực giấy tờ đã có trên VNeID. Gọi tôi: 0987 654 321.",
        "category": "procedure",
        "agency": DEPARTMENT,
        "publish_content": true
    });
    let (s, filed) = app.post("/api/v1/pakn", None, &petition).await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let code = filed["code"].as_str().unwrap().to_string();
    assert!(code.starts_with("PAKN.") && code.len() == 18, "{code}");
    assert!(filed["due_at"].is_string());

    // Not feedback, or not enough to answer.
    for (body, status, error) in [
        (
            json!({"name": "A", "phone": "0987654321", "content": "Tôi khiếu nại quyết định xử phạt"}),
            422,
            "complaint_not_feedback",
        ),
        (
            json!({"name": "A", "phone": "0987654321", "content": "don to cao can bo"}),
            422,
            "denunciation_not_feedback",
        ),
        (
            json!({"name": "A", "content": "Nội dung"}),
            422,
            "pakn_no_contact",
        ),
        (
            json!({"name": "A", "phone": "0987654321", "content": "Nội dung", "category": "x"}),
            422,
            "invalid_category",
        ),
        (
            json!({"name": "A", "phone": "0987654321", "content": "Nội dung", "agency": "000.00.99.H22"}),
            422,
            "unknown_agency",
        ),
    ] {
        let (s, body) = app.post("/api/v1/pakn", None, &body).await;
        assert_eq!(s.as_u16(), status, "{body}");
        assert_eq!(body["error"]["code"], error, "{body}");
    }

    // About a dossier: from its applicant only.
    let reception = app.token("letan").await;
    let dossier = app.file_dossier(&reception, &dossier_body()).await.code;
    let about = |phone: &str| json!({"name": "Nguyễn Thị Ánh", "phone": phone, "content": "Hồ sơ chưa được hẹn ngày trả.", "dossier": dossier});
    let (s, body) = app.post("/api/v1/pakn", None, &about("0987654321")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "dossier_not_yours");
    let (s, body) = app.post("/api/v1/pakn", None, &about("0912345678")).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    // The dossier's tracking page leads to the form about it, which names the dossier.
    let page = |path: String| {
        let app = &app;
        async move {
            let r = app.http.get(app.url(&path)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            r.text().await.unwrap()
        }
    };
    let tracked = page(format!("/track?code={dossier}&verify=5678")).await;
    let link = format!("/phan-anh-kien-nghi?dossier={dossier}");
    assert!(tracked.contains(&link), "{tracked}");
    let form = page(link).await;
    assert!(form.contains(&format!("value=\"{dossier}\"")), "{form}");

    // An officer writing down a call says how it came.
    let mut call = petition.clone();
    let (s, body) = app.post("/api/v1/pakn", Some(&reception), &call).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "invalid_channel");
    call["channel"] = json!("hotline");
    let (s, body) = app.post("/api/v1/pakn", Some(&reception), &call).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");

    // The petitioner's view: no contact data; a wrong second factor is an unknown code.
    let (s, seen) = app
        .get(&format!("/api/v1/pakn/{code}?verify=4321"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{seen}");
    assert_eq!(seen["state"], "submitted");
    let text = seen.to_string();
    assert!(
        !text.contains("Trần Văn Bình") && !text.contains("987"),
        "{text}"
    );
    let (s, _) = app
        .get(&format!("/api/v1/pakn/{code}?verify=1234"), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Handled by the agency concerned; others may not.
    let actions = format!("/api/v1/pakn/{code}/actions");
    let accept = json!({"action": "accept", "category": "procedure"});
    let (s, _) = app.post(&actions, None, &accept).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let other = app.token("khac").await;
    let (s, body) = app.post(&actions, Some(&other), &accept).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let officer = app.token("chuyenvien").await;
    let (s, list) = app.get("/api/v1/pakn?view=mine", Some(&officer)).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|p| p["code"] == code.as_str())
    );
    let (s, body) = app
        .get("/api/v1/pakn?view=everything", Some(&officer))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let (s, body) = app.get("/api/v1/pakn", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{body}");
    let (s, body) = app.post(&actions, Some(&officer), &accept).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "accepted");
    let (s, body) = app
        .post(
            &actions,
            Some(&officer),
            &json!({"action": "answer", "answer": "Từ 1/7/2025 không yêu cầu bản sao giấy tờ đã có trên VNeID.", "expected_version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a stale version: {body}");
    let (s, body) = app
        .post(
            &actions,
            Some(&officer),
            &json!({"action": "answer", "answer": "Từ 1/7/2025 không yêu cầu bản sao giấy tờ đã có trên VNeID.", "expected_version": 2}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    // Not published yet: the petitioner cannot rate, and does not see the answer.
    let rate = format!("/api/v1/pakn/{code}/rate");
    let (s, body) = app
        .post(&rate, None, &json!({"verify": "4321", "satisfied": true}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    let (_, seen) = app
        .get(&format!("/api/v1/pakn/{code}?verify=4321"), None)
        .await;
    assert_eq!(seen["answer"], serde_json::Value::Null);
    let (s, body) = app
        .post(&actions, Some(&officer), &json!({"action": "publish"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (_, seen) = app
        .get(&format!("/api/v1/pakn/{code}?verify=4321"), None)
        .await;
    assert_eq!(seen["state"], "published");
    assert!(seen["answer"].as_str().unwrap().contains("VNeID"));
    assert_eq!(seen["timeline"].as_array().unwrap().len(), 4);
    // Published, it is public: found by words typed without accents, its question (agreed
    // to) without the phone number.
    let (s, list) = app
        .get(
            "/api/v1/pakn/published?q=vneid%20ban%20sao&category=procedure",
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["code"], code.as_str());
    assert_eq!(items[0]["agency"], DEPARTMENT);
    assert!(items[0]["answer"].as_str().unwrap().contains("VNeID"));
    let question = items[0]["question"].as_str().unwrap();
    assert!(
        question.ends_with("Gọi tôi: •••.") && !question.contains("0987"),
        "{question}"
    );
    assert!(!list.to_string().contains("Trần Văn Bình"));
    let (_, elsewhere) = app
        .get(
            &format!("/api/v1/pakn/published?q=vneid&agency={OTHER}"),
            None,
        )
        .await;
    assert_eq!(elsewhere["items"], json!([]));
    let (s, _) = app
        .get("/api/v1/pakn/published?category=weather", None)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // The public page lists it, and finds it by its words.
    let page = app
        .http
        .get(app.url("/phan-anh-kien-nghi?q=vneid&category=procedure"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let list = &page[page.find("id=\"pakn-published\"").expect("the list")..];
    assert!(
        list.contains(code.as_str()) && list.contains("Gọi tôi: •••."),
        "{list}"
    );
    assert!(!page.contains("0987") && !page.contains("Trần Văn Bình"));
    // An officer's action is not the petitioner's, and the petitioner rates once.
    let (s, body) = app
        .post(
            &actions,
            Some(&officer),
            &json!({"action": "rate", "satisfied": true}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, body) = app
        .post(&rate, None, &json!({"verify": "4321", "satisfied": true}))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, body) = app
        .post(&rate, None, &json!({"verify": "4321", "satisfied": false}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "already_rated");
    let (s, body) = app
        .post(&actions, Some(&officer), &json!({"action": "fly"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // The figures: the province sees every petition of today, by category; the answered one
    // handled in time and satisfactorily.
    let today = chrono::Utc::now()
        .with_timezone(&motcua_domain::calendar::TZ)
        .date_naive();
    let stats = format!("/api/v1/stats/pakn?from={today}&to={today}&by=category");
    let (s, _) = app.get(&stats, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let leader = app.token("lanhdaotinh").await;
    let (s, figures) = app.get(&stats, Some(&leader)).await;
    assert_eq!(s, StatusCode::OK, "{figures}");
    assert_eq!(figures["total"]["petitions"], 3, "{figures}");
    assert_eq!(figures["total"]["in_time"], 3, "{figures}");
    assert_eq!(figures["total"]["handled"], 1, "{figures}");
    assert_eq!(figures["total"]["satisfactory"], 1, "{figures}");
    let procedure = figures["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "procedure")
        .unwrap();
    assert_eq!(procedure["petitions"], 2, "{figures}");
    // The department sees its own.
    let (_, own) = app
        .get(&stats.replace("category", "agency"), Some(&officer))
        .await;
    assert_eq!(own["rows"].as_array().unwrap().len(), 1, "{own}");
    assert_eq!(own["rows"][0]["key"], DEPARTMENT);
    let (s, _) = app
        .get(&stats.replace("category", "weather"), Some(&leader))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

on_both_backends!(feedback_is_filed_handled_published_and_rated);

//! Questions to an officer over the API: asked by anyone (personal numbers hidden), due on the
//! working calendar, answered by the agency concerned only and once, published and then
//! quoted by the assistant, or turned into a petition; written down from the hotline.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

async fn questions_are_answered_published_and_quoted(app: App) {
    let asked_at = chrono::Utc::now();
    let question = json!({
        "q": "Tôi (CCCD 001099012345) nộp bản sao giấy khai sinh có phải chứng thực không?",
        "name": "Lê Văn Cường",
        "phone": "0912 345 678",
        "procedure": "1.009999"
    });
    let (s, asked) = app.post("/api/v1/questions", None, &question).await;
    assert_eq!(s, StatusCode::CREATED, "{asked}");
    let code = asked["code"].as_str().unwrap().to_string();
    assert!(code.starts_with("HD."), "{code}");
    let due: chrono::DateTime<chrono::Utc> =
        asked["answer_due_at"].as_str().unwrap().parse().unwrap();
    assert!(due > asked_at);
    for (body, error) in [
        (json!({"q": "?", "name": "A"}), "question_no_contact"),
        (
            json!({"q": " ", "name": "A", "phone": "0912345678"}),
            "question_required",
        ),
        (
            json!({"q": "?", "name": "A", "phone": "0912345678", "procedure": "1.000001"}),
            "unknown_procedure",
        ),
        (
            json!({"q": "?", "name": "", "phone": "0912345678"}),
            "name_required",
        ),
    ] {
        let (s, r) = app.post("/api/v1/questions", None, &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
        assert_eq!(r["error"]["code"], error, "{r}");
    }

    // The asker looks it up with the last four digits; the CCCD was never kept.
    let lookup = format!("/api/v1/questions/{code}?verify=5678");
    let (s, _) = app
        .get(&format!("/api/v1/questions/{code}?verify=0000"), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, seen) = app.get(&lookup, None).await;
    assert_eq!(s, StatusCode::OK, "{seen}");
    assert_eq!(seen["state"], "open");
    assert_eq!(seen["agency"], DEPARTMENT);
    let kept = seen["question"].as_str().unwrap();
    assert!(
        kept.contains("(CCCD •••)") && !kept.contains("001099012345"),
        "{kept}"
    );
    assert!(seen.get("asker").is_none(), "{seen}");

    // Officers of the agency concerned see it with the asker; others neither see nor answer.
    let officer = app.token("chuyenvien").await;
    let other = app.token("khac").await;
    let (s, _) = app.get("/api/v1/questions", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (_, open) = app.get("/api/v1/questions?view=open", Some(&officer)).await;
    let mine = open["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["code"] == code.as_str())
        .expect("on the agency's list");
    assert_eq!(mine["asker"]["name"], "Lê Văn Cường");
    let (_, theirs) = app.get("/api/v1/questions", Some(&other)).await;
    assert_eq!(theirs["items"], json!([]));
    let answer = format!("/api/v1/questions/{code}/answer");
    let reply =
        json!({"answer": "Không phải chứng thực nếu là bản sao cấp từ sổ gốc.", "publish": true});
    let (s, _) = app.post(&answer, Some(&other), &reply).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, answered) = app.post(&answer, Some(&officer), &reply).await;
    assert_eq!(s, StatusCode::OK, "{answered}");
    assert_eq!(answered["state"], "answered");
    let (s, again) = app.post(&answer, Some(&officer), &reply).await;
    assert_eq!(s, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["error"]["code"], "question_not_open");
    let (_, seen) = app.get(&lookup, None).await;
    assert!(
        seen["answer"].as_str().unwrap().contains("sổ gốc"),
        "{seen}"
    );

    // Published: listed, and the assistant quotes it with the agency and the date.
    let (_, faq) = app
        .get("/api/v1/faq?q=chung%20thuc&procedure=1.009999", None)
        .await;
    assert_eq!(faq["items"][0]["code"], code.as_str(), "{faq}");
    let (_, r) = app
        .post(
            "/api/v1/assistant/ask",
            None,
            &json!({"q": "bản sao giấy khai sinh có phải chứng thực không"}),
        )
        .await;
    assert_eq!(r["kind"], "answer", "{r}");
    let said = r["answer"].as_str().unwrap();
    assert!(
        said.starts_with("Không phải chứng thực nếu là bản sao cấp từ sổ gốc.")
            && said.contains("công bố ngày"),
        "{r}"
    );
    assert_eq!(r["sources"][0], format!("/ho-tro#{code}"));

    // Written down from the hotline, then turned into a petition once.
    let call = json!({"q": "Cán bộ hẹn nhiều lần không trả kết quả", "name": "Phan Thị Mai", "phone": "0987000111", "procedure": "1.009999"});
    let (s, r) = app.post("/api/v1/questions", Some(&officer), &call).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "no channel: {r}");
    let mut call = call;
    call["channel"] = json!("hotline");
    let (s, taken) = app.post("/api/v1/questions", Some(&officer), &call).await;
    assert_eq!(s, StatusCode::CREATED, "{taken}");
    let second = taken["code"].as_str().unwrap();
    let convert = format!("/api/v1/questions/{second}/convert");
    let (s, converted) = app.post(&convert, Some(&officer), &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{converted}");
    let petition = converted["petition_code"].as_str().unwrap();
    assert!(petition.starts_with("PAKN."), "{converted}");
    let (_, p) = app
        .get(&format!("/api/v1/pakn/{petition}?verify=0111"), None)
        .await;
    assert_eq!(p["agency"], DEPARTMENT, "{p}");
    // Received as the question was: on the hotline.
    assert_eq!(p["channel"], "hotline", "{p}");
    let (s, _) = app.post(&convert, Some(&officer), &json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
}

on_both_backends!(questions_are_answered_published_and_quoted);

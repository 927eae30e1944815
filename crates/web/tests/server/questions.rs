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

/// The weekly report: per agency the caller's covers, what became of the questions to
/// officers and what the assistant could not answer (personal numbers hidden).
async fn unanswered_questions_are_reported_weekly_per_agency(app: App) {
    let ask =
        |q: &str| json!({"q": q, "name": "Hà", "phone": "0912000111", "procedure": "1.001234"});
    let mut codes = Vec::new();
    for q in ["Có cần bản chính giấy chứng sinh?", "Nộp ở tầng mấy?"] {
        let (s, body) = app.post("/api/v1/questions", None, &ask(q)).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        codes.push(body["code"].as_str().unwrap().to_string());
    }
    let officer = app.token("chuyenvien").await;
    let (s, body) = app
        .post(
            &format!("/api/v1/questions/{}/answer", codes[0]),
            Some(&officer),
            &json!({"answer": "Có: bản chính để đối chiếu.", "publish": false}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    // What the assistant cannot answer is kept, about the centre when it names no procedure.
    for q in [
        "thời tiết hôm nay thế nào, gọi 0912345678",
        "con mèo nhà tôi tên gì",
    ] {
        let (_, r) = app
            .post("/api/v1/assistant/ask", None, &json!({"q": q}))
            .await;
        assert_eq!(r["kind"], "escalate", "{r}");
    }
    let today = motcua_domain::facts::local_day(chrono::Utc::now());
    let path = format!("/api/v1/reports/unanswered-questions?week={today}");
    let (s, _) = app.get(&path, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, body) = app
        .get(
            "/api/v1/reports/unanswered-questions?week=tuần-này",
            Some(&officer),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_week");
    // The department's officer: its own agency only.
    let (s, week) = app.get(&path, Some(&officer)).await;
    assert_eq!(s, StatusCode::OK, "{week}");
    let rows = week["agencies"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{week}");
    assert_eq!(rows[0]["agency"], DEPARTMENT);
    assert_eq!(rows[0]["asked"], 2);
    assert_eq!(rows[0]["answered_in_time"], 1);
    assert_eq!(rows[0]["open_in_time"], 1);
    assert_eq!(rows[0]["assistant_unanswered"], 0);
    assert_eq!(rows[0]["examples"], json!([]));
    // The province's supervisor: the centre's too, its example with the number hidden.
    let supervisor = app.token("giamsat").await;
    let (_, week) = app.get(&path, Some(&supervisor)).await;
    let centre = week["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agency"] == CENTRE)
        .cloned()
        .unwrap_or_else(|| panic!("{week}"));
    assert_eq!(centre["assistant_unanswered"], 2);
    assert_eq!(centre["examples"][1], "con mèo nhà tôi tên gì");
    let example = centre["examples"][0].as_str().unwrap();
    assert!(!example.contains("0912345678"), "{example}");
    assert!(example.starts_with("thời tiết hôm nay"), "{example}");
    // Another week is empty; the page shows the same.
    let (_, before) = app
        .get(
            &format!(
                "/api/v1/reports/unanswered-questions?week={}",
                today - chrono::Duration::days(14)
            ),
            Some(&supervisor),
        )
        .await;
    assert_eq!(before["agencies"], json!([]));
    let (mut tab, _) = log_in(&app, "giamsat").await;
    let (s, _, html) = tab
        .get(&format!("/staff/questions/week?week={today}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"week-report\""), "{html}");
    assert!(html.contains("con mèo nhà tôi tên gì"), "{html}");
}

on_both_backends!(
    questions_are_answered_published_and_quoted,
    unanswered_questions_are_reported_weekly_per_agency
);

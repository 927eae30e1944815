//! The 24/7 assistant over the API and on the support page: answers quoting the catalog's
//! record (and following it when the record changes), the honest refusal, the checks on the
//! question, and the page working without script.

use motcua_domain::ids::ProcedureCode;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

async fn page(app: &App, path: &str) -> (StatusCode, String) {
    let r = app.http.get(app.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn the_assistant_quotes_the_record_and_follows_it(app: App) {
    let question = json!({"q": "cấp phép thử nghiệm lệ phí bao nhiêu"});
    let (s, r) = app.post("/api/v1/assistant/ask", None, &question).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["kind"], "answer", "{r}");
    assert_eq!(r["intent"], "fee");
    assert_eq!(r["procedure_code"], "1.009999");
    assert!(
        r["answer"]
            .as_str()
            .unwrap()
            .contains("Lệ phí : 50.000 Đồng"),
        "{r}"
    );
    assert_eq!(r["sources"][0], "/procedures/1.009999");
    assert!(r["follow_ups"].as_array().unwrap().len() >= 3, "{r}");
    let (_, en) = app
        .post(
            "/api/v1/assistant/ask",
            None,
            &json!({"q": "cấp phép thử nghiệm lệ phí bao nhiêu", "lang": "en"}),
        )
        .await;
    assert!(
        en["answer"].as_str().unwrap().starts_with("The fee for «"),
        "{en}"
    );

    // The administrator changes the fee: the next answer quotes the new one, never the old.
    let code = ProcedureCode::parse("1.009999").unwrap();
    let mut record = app.store.procedure(&code).await.unwrap().unwrap();
    record.methods[0].fee_text = "Lệ phí : 70.000 Đồng".into();
    app.store.put_procedure(&record).await.unwrap();
    app.state.catalog.refresh(app.store.as_ref()).await.unwrap();
    let (_, r) = app.post("/api/v1/assistant/ask", None, &question).await;
    let answer = r["answer"].as_str().unwrap();
    assert!(
        answer.contains("70.000") && !answer.contains("50.000"),
        "{r}"
    );

    // A follow-up about the chosen procedure.
    let (_, r) = app
        .post(
            "/api/v1/assistant/ask",
            None,
            &json!({"q": "Thời hạn giải quyết", "context": {"procedure_code": "1.009999"}}),
        )
        .await;
    assert_eq!(
        (r["kind"].as_str(), r["intent"].as_str()),
        (Some("answer"), Some("time")),
        "{r}"
    );
    assert!(
        r["answer"].as_str().unwrap().contains("3 ngày làm việc"),
        "{r}"
    );

    // What it cannot answer it says so, and offers an officer.
    let (_, r) = app
        .post(
            "/api/v1/assistant/ask",
            None,
            &json!({"q": "thời tiết hôm nay thế nào"}),
        )
        .await;
    assert_eq!(r["kind"], "escalate", "{r}");
    assert!(r["procedure_code"].is_null());
    assert_eq!(r["follow_ups"][0]["href"], "/ho-tro#hoi-can-bo");
    // Opening hours come from the calendar; one's own dossier goes to tracking.
    let (_, r) = app
        .post("/api/v1/assistant/ask", None, &json!({"q": "giờ làm việc"}))
        .await;
    assert_eq!(
        (r["kind"].as_str(), r["intent"].as_str()),
        (Some("answer"), Some("hours")),
        "{r}"
    );
    let (_, r) = app
        .post(
            "/api/v1/assistant/ask",
            None,
            &json!({"q": "hồ sơ của tôi đến đâu rồi"}),
        )
        .await;
    assert_eq!(r["kind"], "redirect", "{r}");
    assert_eq!(r["follow_ups"][0]["href"], "/track");

    // The question is checked.
    for (body, error) in [
        (json!({"q": "  "}), "question_required"),
        (json!({"q": "a".repeat(501)}), "question_too_long"),
        (
            json!({"q": "lệ phí", "context": {"procedure_code": "x"}}),
            "procedure_code_shape",
        ),
    ] {
        let (s, r) = app.post("/api/v1/assistant/ask", None, &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
        assert_eq!(r["error"]["code"], error, "{r}");
    }
    let (s, _) = app
        .post("/api/v1/assistant/ask", None, &json!({"question": "?"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // The page: the same answer drawn by the server, the hours, the way to an officer; and
    // every page's footer asks it.
    let (s, html) = page(
        &app,
        "/ho-tro?q=c%E1%BA%A5p%20ph%C3%A9p%20th%E1%BB%AD%20nghi%E1%BB%87m%20l%E1%BB%87%20ph%C3%AD",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Lệ phí : 70.000 Đồng"), "{html}");
    assert!(html.contains("href=\"/procedures/1.009999\""), "{html}");
    assert!(html.contains("id=\"hoi-can-bo\""));
    let (s, html) = page(&app, "/ho-tro?q=").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"ask-error\""), "{html}");
    let (s, html) = page(&app, "/ho-tro").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("id=\"opening\"") && html.contains("Thứ Hai"),
        "{html}"
    );
    let (_, home) = page(&app, "/").await;
    assert!(home.contains("action=\"/ho-tro\""));
}

on_both_backends!(the_assistant_quotes_the_record_and_follows_it);

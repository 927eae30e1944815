//! The service index over the API: counted from the cohort rollup as dossiers are received,
//! every metric with its numbers or a flag saying why it has none, the scopes, and clear
//! refusals of what cannot be asked. On SQLite and PostgreSQL.

use chrono::Datelike;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

fn metric<'a>(index: &'a Value, code: &str) -> &'a Value {
    index["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["metrics"].as_array().unwrap())
        .find(|m| m["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {index}"))
}

async fn the_index_counts_received_dossiers_and_flags_what_it_cannot(app: App) {
    let reception = app.token("letan").await;
    for _ in 0..3 {
        app.file_dossier(&reception, &dossier_body()).await;
    }
    let mut online = dossier_body();
    online["channel"] = json!("online");
    let online = app.file_dossier(&reception, &online).await.code;
    app.act(&reception, &online, &json!({"action": "receive"}))
        .await
        .unwrap();

    let now = chrono::Utc::now().with_timezone(&motcua_domain::calendar::TZ);
    let month = format!(
        "/api/v1/stats/index?period=month&year={}&month={}",
        now.year(),
        now.month()
    );
    let (s, index) = app.get(&month, None).await;
    assert_eq!(s, StatusCode::OK, "{index}");
    assert_eq!(index["formula_set"], "dvcqg-2026-09");
    assert_eq!(index["scope"], "province");
    assert_eq!(index["groups"].as_array().unwrap().len(), 6);
    assert!(index["high_water_seq"].as_i64().unwrap() > 0);
    // Four received this month, all open and within time.
    let progress = metric(&index, "DOSSIER_PROGRESS");
    assert_eq!(
        (&progress["numerator"], &progress["denominator"]),
        (&json!(4), &json!(4))
    );
    assert_eq!(progress["score"], 20.0);
    // One in four filed online: half of the points, which are full from one in two.
    let online = metric(&index, "ONLINE_DOSSIERS");
    assert_eq!(
        (&online["numerator"], &online["denominator"]),
        (&json!(1), &json!(4))
    );
    assert_eq!(online["ratio"], 0.25);
    assert_eq!(online["score"], 3.0);
    // What motcua does not count is said, never shown as zero.
    for code in [
        "DOSSIER_SYNC",
        "PETITION_PROCESSING_ON_TIME",
        "SO_HOA_GIAY_TO_GIAI_QUYET",
    ] {
        let m = metric(&index, code);
        assert_eq!(m["flags"], json!(["not_available"]), "{code}");
        assert!(m["ratio"].is_null() && m["score"].is_null(), "{code}: {m}");
    }
    assert_eq!(
        metric(&index, "PETITION_PROCESSING_ON_TIME")["no_data_rule"],
        "full"
    );
    // Nothing finished: the electronic-result metric has nothing to judge.
    let e_result = metric(&index, "ORIGINAL_RESULT_AVAILABLE");
    assert_eq!(e_result["flags"], json!(["no_data"]));
    assert!(e_result["ratio"].is_null());

    // The 2022 set, and an agency's scope: another agency has received nothing.
    let (s, old) = app.get(&format!("{month}&formula=qd766-2022"), None).await;
    assert_eq!(s, StatusCode::OK, "{old}");
    assert_eq!(old["groups"].as_array().unwrap().len(), 5);
    assert_eq!(metric(&old, "2.1")["denominator"], 4);
    let (s, other) = app
        .get(&format!("{month}&scope=agency&code={OTHER}"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{other}");
    assert_eq!(metric(&other, "DOSSIER_PROGRESS")["denominator"], 0);
    let (_, year) = app
        .get(&format!("/api/v1/stats/index?year={}", now.year()), None)
        .await;
    assert_eq!(year["period"]["kind"], "year");
    assert_eq!(metric(&year, "DOSSIER_PROGRESS")["denominator"], 4);

    // The drill-down: the province and each agency under it, from the same reading.
    let (s, tree) = app
        .get(&month.replace("/index?", "/index/tree?"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{tree}");
    assert_eq!(
        metric(&tree["parent"], "DOSSIER_PROGRESS")["denominator"],
        4
    );
    let children = tree["children"].as_array().unwrap();
    let department = children
        .iter()
        .find(|c| c["code"] == DEPARTMENT)
        .unwrap_or_else(|| panic!("{DEPARTMENT} under the province: {tree}"));
    assert_eq!(department["scope"], "agency");
    assert!(department["name"].is_string());
    let under: u64 = children
        .iter()
        .map(|c| {
            metric(c, "DOSSIER_PROGRESS")["denominator"]
                .as_u64()
                .unwrap()
        })
        .sum();
    assert_eq!(
        under, 4,
        "every dossier's agency is under the province once"
    );
    let commune = children
        .iter()
        .find(|c| c["code"] == COMMUNE)
        .unwrap_or_else(|| panic!("{COMMUNE} under the province: {tree}"));
    assert_eq!(commune["scope"], "commune");

    // Refusals name what is wrong.
    for (query, status, code) in [
        ("period=week", StatusCode::BAD_REQUEST, "invalid_period"),
        (
            "period=quarter&quarter=5",
            StatusCode::BAD_REQUEST,
            "invalid_period",
        ),
        (
            "formula=khac",
            StatusCode::BAD_REQUEST,
            "unknown_formula_set",
        ),
        ("scope=agency", StatusCode::BAD_REQUEST, "code_required"),
        (
            "scope=agency&code=000.99.99.H22",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "scope=agency&code=khong-phai-ma",
            StatusCode::BAD_REQUEST,
            "",
        ),
        ("scope=nowhere", StatusCode::BAD_REQUEST, "invalid_scope"),
    ] {
        let (s, body) = app.get(&format!("/api/v1/stats/index?{query}"), None).await;
        assert_eq!(s, status, "{query}: {body}");
        if !code.is_empty() {
            assert_eq!(body["error"]["code"], code, "{query}");
        }
    }
    let (s, body) = app
        .get(
            &format!("/api/v1/stats/index?scope=commune&code={DEPARTMENT}"),
            None,
        )
        .await;
    assert_eq!(
        (s, &body["error"]["code"]),
        (StatusCode::BAD_REQUEST, &json!("scope_mismatch"))
    );
}

on_both_backends!(the_index_counts_received_dossiers_and_flags_what_it_cannot);

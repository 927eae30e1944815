//! The service index over the API: counted from the cohort rollup as dossiers are received,
//! every metric with its numbers or a flag saying why it has none, the scopes, and clear
//! refusals of what cannot be asked. On SQLite and PostgreSQL.

use chrono::Datelike;
use reqwest::StatusCode;
use serde_json::{Value, json};

use motcua_documents::testing::pdf_text;
use motcua_web::testing::form06_columns;

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
    let online_code = app.file_dossier(&reception, &online).await.code;
    app.act(&reception, &online_code, &json!({"action": "receive"}))
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
        "CITIZEN_DATA_CONNECTED_DOSSIER",
        "SO_HOA_GIAY_TO_GIAI_QUYET",
    ] {
        let m = metric(&index, code);
        assert_eq!(m["flags"], json!(["not_available"]), "{code}");
        assert!(m["ratio"].is_null() && m["score"].is_null(), "{code}: {m}");
    }
    // No feedback yet: nothing handled late, full points as the rule says.
    let petitions = metric(&index, "PETITION_PROCESSING_ON_TIME");
    assert_eq!(petitions["no_data_rule"], "full");
    assert_eq!(petitions["flags"], json!(["no_data"]));
    assert_eq!(petitions["score"], petitions["max"]);
    // A petition filed now counts, open and within time.
    let (s, filed) = app
        .post(
            "/api/v1/pakn",
            None,
            &json!({"name": "Lê Văn Cường", "phone": "0977123456", "content": "Đề nghị niêm yết rõ lệ phí.", "agency": DEPARTMENT}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let (_, index) = app.get(&month, None).await;
    let petitions = metric(&index, "PETITION_PROCESSING_ON_TIME");
    assert_eq!(
        (&petitions["numerator"], &petitions["denominator"]),
        (&json!(1), &json!(1))
    );
    // Nothing answered yet: satisfaction with the handling has nothing to judge.
    assert_eq!(
        metric(&index, "PETITION_HANDLING_SATISFACTION")["flags"],
        json!(["no_data"])
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

    // The dossiers behind the numbers, for officers whose agency covers the scope: the pages
    // add up to the number.
    let leader = app.token("lanhdaotinh").await;
    let drill = |metric: &str, extra: &str| {
        format!(
            "/api/v1/stats/index/{metric}/dossiers?period=month&year={}&month={}{extra}",
            now.year(),
            now.month()
        )
    };
    let (s, first) = app
        .get(&drill("DOSSIER_PROGRESS", "&limit=3"), Some(&leader))
        .await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(
        (&first["total"], &first["side"]),
        (&json!(4), &json!("denominator"))
    );
    assert_eq!(first["dossiers"].as_array().unwrap().len(), 3);
    let next = first["next"].as_str().unwrap();
    let (_, rest) = app
        .get(
            &drill("DOSSIER_PROGRESS", &format!("&limit=3&after={next}")),
            Some(&leader),
        )
        .await;
    assert_eq!(rest["dossiers"].as_array().unwrap().len(), 1, "{rest}");
    assert!(rest["next"].is_null());
    let mut codes: Vec<&str> = first["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["dossiers"].as_array().unwrap())
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    codes.dedup();
    assert_eq!(codes.len(), 4);
    let (_, online_list) = app
        .get(&drill("ONLINE_DOSSIERS", "&side=numerator"), Some(&leader))
        .await;
    assert_eq!(online_list["total"], 1);
    assert_eq!(online_list["dossiers"][0]["code"], online_code.as_str());
    assert_eq!(online_list["dossiers"][0]["outcome"], "open");
    // Feedback about a dossier counts it against satisfaction, in the number and the list.
    let satisfied = || async {
        let (_, index) = app.get(&month, None).await;
        let m = metric(&index, "DOSSIER_RECEIVING_SATISFACTION").clone();
        (m["numerator"].clone(), m["denominator"].clone())
    };
    assert_eq!(satisfied().await, (json!(4), json!(4)));
    let (s, body) = app
        .post(
            "/api/v1/pakn",
            None,
            &json!({"name": "Nguyễn Thị Ánh", "phone": "0912345678", "content": "Chưa được báo ngày trả kết quả.", "dossier": online_code}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(satisfied().await, (json!(3), json!(4)));
    let (_, listed) = app
        .get(
            &drill("DOSSIER_RECEIVING_SATISFACTION", "&side=numerator"),
            Some(&leader),
        )
        .await;
    assert_eq!(listed["total"], 3, "{listed}");
    let listed = listed["dossiers"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|d| d["code"] != online_code.as_str()));
    // A department's officer sees the department's lists, not the province's; reception at
    // the centre neither; nobody without signing in.
    let specialist = app.token("chuyenvien").await;
    let (s, mine) = app
        .get(
            &drill(
                "DOSSIER_PROGRESS",
                &format!("&scope=agency&code={DEPARTMENT}"),
            ),
            Some(&specialist),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    assert_eq!(
        mine["dossiers"].as_array().unwrap().len() as u64,
        mine["total"].as_u64().unwrap()
    );
    for (who, extra, status) in [
        (Some(&specialist), String::new(), StatusCode::FORBIDDEN),
        (Some(&reception), String::new(), StatusCode::FORBIDDEN),
        (None, String::new(), StatusCode::UNAUTHORIZED),
        (
            Some(&specialist),
            format!("&scope=agency&code={OTHER}"),
            StatusCode::FORBIDDEN,
        ),
    ] {
        let (s, body) = app
            .get(&drill("DOSSIER_PROGRESS", &extra), who.map(String::as_str))
            .await;
        assert_eq!(s, status, "{extra}: {body}");
    }
    for (metric, extra, status, code) in [
        (
            "ONLINE_PAYMENT_PROCEDURES",
            "",
            StatusCode::BAD_REQUEST,
            "not_dossiers",
        ),
        ("DOSSIER_SYNC", "", StatusCode::BAD_REQUEST, "not_dossiers"),
        ("NO_SUCH_METRIC", "", StatusCode::NOT_FOUND, "not_found"),
        (
            "DOSSIER_PROGRESS",
            "&side=both",
            StatusCode::BAD_REQUEST,
            "invalid_side",
        ),
    ] {
        let (s, body) = app.get(&drill(metric, extra), Some(&leader)).await;
        assert_eq!(
            (s, body["error"]["code"].as_str()),
            (status, Some(code)),
            "{metric}"
        );
    }

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

async fn the_report_form_adds_up_and_comes_as_pdf_and_workbook(app: App) {
    let reception = app.token("letan").await;
    for _ in 0..2 {
        app.file_dossier(&reception, &dossier_body()).await;
    }
    let mut online = dossier_body();
    online["channel"] = json!("online");
    let online = app.file_dossier(&reception, &online).await.code;
    app.act(&reception, &online, &json!({"action": "receive"}))
        .await
        .unwrap();
    let withdrawn = app.file_dossier(&reception, &dossier_body()).await.code;
    app.act(
        &reception,
        &withdrawn,
        &json!({"action": "withdraw", "reason": "Công dân xin rút hồ sơ"}),
    )
    .await
    .unwrap();

    let now = chrono::Utc::now().with_timezone(&motcua_domain::calendar::TZ);
    let month = format!("{}-{:02}", now.year(), now.month());
    let query = format!("from={month}&to={month}");
    let (s, form) = app
        .get(
            &format!("/api/v1/reports/form-06?{query}"),
            Some(&reception),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{form}");
    // Four received this month, one online; the withdrawn one resolved (column 9), three open
    // and within time.
    assert_eq!(
        form06_columns(&form["total"]),
        [4, 1, 3, 0, 1, 0, 1, 0, 3, 3, 0]
    );
    assert_eq!(form["stopped_rule"], "on_time");
    assert!(form["high_water_seq"].as_i64().unwrap() > 0);
    for row in form["rows"].as_array().unwrap() {
        form06_columns(row);
    }
    let rows = form["rows"].as_array().unwrap();
    assert_eq!(rows[0]["stt"], 1);
    assert!(rows[0]["name"].as_str().is_some_and(|n| !n.is_empty()));
    // The same figures per agency; the next month has them carried over.
    let (s, by_agency) = app
        .get(
            &format!("/api/v1/reports/form-06?{query}&group_by=agency"),
            Some(&reception),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{by_agency}");
    assert_eq!(
        form06_columns(&by_agency["total"]),
        form06_columns(&form["total"])
    );
    assert!(
        by_agency["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["name"] != "Khác")
    );
    let next = if now.month() == 12 {
        format!("{}-01", now.year() + 1)
    } else {
        format!("{}-{:02}", now.year(), now.month() + 1)
    };
    let (_, after) = app
        .get(
            &format!("/api/v1/reports/form-06?from={next}&to={next}"),
            Some(&reception),
        )
        .await;
    assert_eq!(after["total"]["carried_over"], 3, "{after}");
    // An agency's report counts its own dossiers only.
    let (_, other) = app
        .get(
            &format!("/api/v1/reports/form-06?{query}&agency={OTHER}"),
            Some(&reception),
        )
        .await;
    assert_eq!(other["total"]["received_total"], 0, "{other}");

    // The files: the form's heading and figures in the PDF, a workbook for the other.
    for (ext, mime) in [
        ("pdf", "application/pdf"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ] {
        let r = app
            .http
            .get(app.url(&format!("/api/v1/reports/form-06.{ext}?{query}")))
            .bearer_auth(&reception)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{ext}");
        assert_eq!(r.headers()["content-type"], mime);
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains(&format!("bieu-06-{month}-{month}.{ext}"))
        );
        let bytes = r.bytes().await.unwrap();
        if ext == "pdf"
            && let Some(text) = pdf_text(&bytes)
        {
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                flat.contains("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"),
                "{flat}"
            );
            assert!(flat.contains("Tổng cộng") && flat.contains("THỦ TRƯỞNG ĐƠN VỊ"));
        } else {
            assert!(bytes.starts_with(b"PK"), "{ext}");
        }
    }

    // Only officers and systems with stats:read; and clear refusals of what cannot be.
    let (s, _) = app
        .get(&format!("/api/v1/reports/form-06?{query}"), None)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let r = app
        .http
        .get(app.url(&format!("/api/v1/reports/form-06.pdf?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    for (q, status, code) in [
        ("", StatusCode::BAD_REQUEST, "invalid_range"),
        (
            "from=2026-03&to=2026-01",
            StatusCode::BAD_REQUEST,
            "invalid_range",
        ),
        (
            "from=2026-01-02&to=2026-01-31",
            StatusCode::BAD_REQUEST,
            "invalid_range",
        ),
        (
            "from=2026-01&to=tomorrow",
            StatusCode::BAD_REQUEST,
            "invalid_range",
        ),
        (
            "from=2026-01&to=2026-01&group_by=commune",
            StatusCode::BAD_REQUEST,
            "invalid_group_by",
        ),
        (
            "from=2026-01&to=2026-01&agency=000.99.99.H22",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ] {
        let (s, body) = app
            .get(&format!("/api/v1/reports/form-06?{q}"), Some(&reception))
            .await;
        assert_eq!(
            (s, body["error"]["code"].as_str()),
            (status, Some(code)),
            "{q}: {body}"
        );
    }
    let (s, body) = app
        .get(
            "/api/v1/reports/form-06?from=2026-01-01&to=2026-03-31",
            Some(&reception),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "whole months as days: {body}");
    assert_eq!(body["from"], "2026-01-01");
}

async fn the_staff_monitoring_page_lists_the_dossiers_behind_its_numbers_and_refreshes(app: App) {
    // Only for officers.
    let mut visitor = Tab::new(&app.base);
    let (s, location, _) = visitor.get("/staff/monitoring").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/staff/login"), "{location}");
    let r = app
        .http
        .get(app.url("/staff/monitoring/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let reception = app.token("letan").await;
    for _ in 0..2 {
        app.file_dossier(&reception, &dossier_body()).await;
    }
    let (mut tab, _) = log_in(&app, "lanhdaotinh").await;
    let page = tab
        .http
        .get(app.url("/staff/monitoring"))
        .header("cookie", tab.cookie_header())
        .send()
        .await
        .unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("connect-src 'self'"),
        "the page may run its script and open its stream: {csp}"
    );
    let (s, _, html) = tab.get("/staff/monitoring").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Giám sát giải quyết hồ sơ"));
    assert!(html.contains("id=\"m-DOSSIER_PROGRESS\""), "{html}");
    assert!(html.contains("/api/v1/reports/form-06.pdf"));
    // The denominator's list: as many dossiers as the number.
    let href = html
        .split("href=\"")
        .map(|h| h.split('"').next().unwrap_or_default())
        .find(|h| h.contains("metric=DOSSIER_PROGRESS") && h.contains("side=denominator"))
        .unwrap_or_else(|| panic!("a link to the list: {html}"))
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    let (s, _, list) = tab.get(&href).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert!(list.contains("Tổng số: 2 hồ sơ"), "{list}");
    assert_eq!(list.matches("href=\"/staff/dossiers/").count(), 2);

    // Live: nothing is sent while nothing changes; a new dossier sends the figures again.
    let mut live = app
        .http
        .get(app.url("/staff/monitoring/live"))
        .header("cookie", tab.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), StatusCode::OK);
    assert_eq!(live.headers()["content-type"], "text/event-stream");
    let quiet = tokio::time::timeout(std::time::Duration::from_millis(900), live.chunk()).await;
    assert!(
        quiet.is_err()
            || quiet.as_ref().is_ok_and(|c| c
                .as_ref()
                .is_ok_and(|c| c.as_ref().is_some_and(|b| b.starts_with(b":")))),
        "no figures without a change: {quiet:?}"
    );
    app.file_dossier(&reception, &dossier_body()).await;
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !seen.contains("event: figures") {
        let chunk = tokio::time::timeout_at(deadline, live.chunk())
            .await
            .expect("the figures within the refresh")
            .unwrap()
            .expect("the stream stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("m-DOSSIER_PROGRESS"), "{seen}");
}

on_both_backends!(
    the_index_counts_received_dossiers_and_flags_what_it_cannot,
    the_report_form_adds_up_and_comes_as_pdf_and_workbook,
    the_staff_monitoring_page_lists_the_dossiers_behind_its_numbers_and_refreshes
);

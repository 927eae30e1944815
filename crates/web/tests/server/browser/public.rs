//! The public pages: search, a procedure, language, keyboard, a phone, axe on every page type.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_open_download_and_switch_language() {
    let Some(tools) = Tools::find() else { return };
    let db = TestDb::sqlite().await;
    let (base, _) = spawn(db.store().await).await;
    let b = Browser::start(&tools, "vi").await;
    let c = &b.client;
    c.goto(&base).await.unwrap();
    assert_eq!(
        b.text("h1").await,
        "Tra cứu và thực hiện thủ tục hành chính",
        "Vietnamese by default"
    );

    // Without diacritics.
    c.find(Locator::Css("#q"))
        .await
        .unwrap()
        .send_keys("dang ky nghia vu quan su lan dau")
        .await
        .unwrap();
    c.find(Locator::Css(".search-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(
        b.text(".results li:first-child h3 a").await,
        "Thủ tục đăng ký nghĩa vụ quân sự lần đầu"
    );
    // With a typo in a word.
    let q = c.find(Locator::Css("#q")).await.unwrap();
    q.clear().await.unwrap();
    q.send_keys("dang ky nghia vu quan su lan dua")
        .await
        .unwrap();
    q.send_keys(&Key::Enter.to_string()).await.unwrap();
    assert_eq!(
        b.text(".results li:first-child h3 a").await,
        "Thủ tục đăng ký nghĩa vụ quân sự lần đầu"
    );

    // Open it.
    c.find(Locator::Css(".results li:first-child h3 a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(
        b.text("h1").await,
        "Thủ tục đăng ký nghĩa vụ quân sự lần đầu"
    );
    assert!(
        c.current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/procedures/1.013133")
    );

    // A procedure with a published form: the download link serves an attachment.
    c.goto(&format!("{base}/procedures/1.013124"))
        .await
        .unwrap();
    let link = c
        .wait()
        .for_element(Locator::Css("a[download]"))
        .await
        .unwrap();
    let href = link.attr("href").await.unwrap().unwrap();
    assert!(link.text().await.unwrap().contains("5-PHLCII.doc"));
    let r = reqwest::get(format!("{base}{href}")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Kế hoạch ứng phó sự cố tràn dầu")
    );

    // Switch to English; the choice is remembered.
    c.find(Locator::Css("a.lang-switch"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(
        b.text("main .summary div:first-child dt").await,
        "Procedure code"
    );
    c.goto(&base).await.unwrap();
    assert_eq!(
        b.text("h1").await,
        "Find and complete administrative procedures"
    );
    b.close().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_only() {
    let Some(tools) = Tools::find() else { return };
    let db = TestDb::sqlite().await;
    let (base, _) = spawn(db.store().await).await;
    let b = Browser::start(&tools, "vi").await;
    b.client.goto(&base).await.unwrap();
    b.press(Key::Tab).await;
    assert!(
        b.focused().await.contains("Chuyển đến nội dung chính"),
        "the skip link comes first: {}",
        b.focused().await
    );
    b.press(Key::Enter).await;
    assert!(
        b.focused().await.starts_with("#main"),
        "{}",
        b.focused().await
    );
    // From the main content, the search box is the next stop.
    b.press(Key::Tab).await;
    assert!(b.focused().await.starts_with("#q"), "{}", b.focused().await);
    b.client
        .active_element()
        .await
        .unwrap()
        .send_keys("bien phong")
        .await
        .unwrap();
    b.press(Key::Enter).await;
    b.text(".results").await;
    // Tab through to the first result and open it.
    let first = b.text(".results li:first-child h3 a").await;
    let mut reached = false;
    for _ in 0..40 {
        b.press(Key::Tab).await;
        if b.focused().await.contains(&first[..first.len().min(40)]) {
            reached = true;
            break;
        }
    }
    assert!(reached, "the first result is reachable by Tab");
    b.press(Key::Enter).await;
    assert_eq!(b.text("h1").await, first);
    b.close().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_type_passes_axe_and_fits_a_phone() {
    let Some(tools) = Tools::find() else { return };
    let db = TestDb::sqlite().await;
    let (base, _) = spawn(db.store().await).await;
    let pages = [
        "/",
        "/procedures",
        "/procedures?q=dang+ky&field=Ngh%C4%A9a+v%E1%BB%A5+qu%C3%A2n+s%E1%BB%B1",
        &format!("/procedures?q={}", "a".repeat(2_001)),
        "/procedures/1.013133",
        "/procedures/1.013124",
        "/procedures/1.013133/apply",
        "/procedures/1.013124/documents/2/form",
        "/agencies",
        "/agencies/000.00.00.H22",
        "/branches",
        "/branches/QN-HQ",
        "/chi-so",
        "/chi-so?period=month&year=2026&month=3&formula=qd766-2022&scope=commune&code=000.00.36.H22",
        "/phan-anh-kien-nghi",
        "/phan-anh-kien-nghi?code=PAKN.20260101.0001&verify=1234",
        "/phan-anh-kien-nghi?q=b%E1%BA%A3n+sao&category=procedure",
        "/ho-tro",
        "/ho-tro?q=l%C3%A0m%20h%E1%BB%99%20chi%E1%BA%BFu%20c%E1%BA%A7n%20gi%E1%BA%A5y%20t%E1%BB%9D%20g%C3%AC",
        "/ho-tro?q=b%C3%A1o%20m%E1%BA%A5t%20h%E1%BB%99%20chi%E1%BA%BFu",
        "/ho-tro?q=th%E1%BB%9Di%20ti%E1%BA%BFt",
        "/no-such-page",
    ];
    for lang in ["vi", "en"] {
        let b = Browser::start(&tools, lang).await;
        // The scan is real: a page with known faults fails it.
        b.client
            .goto("data:text/html,<html><body><img src='x.png'><input></body></html>")
            .await
            .unwrap();
        b.client.execute(&tools.axe, vec![]).await.unwrap();
        let faults: Value = b.client.execute_async(AXE_RUN, vec![]).await.unwrap();
        let ids: Vec<&str> = faults
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v["id"].as_str())
            .collect();
        assert!(
            ids.contains(&"image-alt") && ids.contains(&"html-has-lang") && ids.contains(&"label"),
            "{faults}"
        );
        for page in pages {
            b.client.goto(&format!("{base}{page}")).await.unwrap();
            b.client.execute(&tools.axe, vec![]).await.unwrap();
            let violations: Value = b.client.execute_async(AXE_RUN, vec![]).await.unwrap();
            assert_eq!(violations, json!([]), "axe ({lang}) on {page}");
        }
        // A 360 px phone: nothing wider than the screen.
        b.client.set_window_size(360, 740).await.unwrap();
        for page in [
            "/",
            "/procedures?q=bien+phong",
            "/procedures/1.013133",
            "/branches",
            "/chi-so",
            "/phan-anh-kien-nghi",
            "/ho-tro?q=l%C3%A0m%20h%E1%BB%99%20chi%E1%BA%BFu%20c%E1%BA%A7n%20gi%E1%BA%A5y%20t%E1%BB%9D%20g%C3%AC",
        ] {
            b.client.goto(&format!("{base}{page}")).await.unwrap();
            fits_the_window(&b, page).await;
        }
        b.close().await;
    }
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_index_reads_without_script_and_drills_down() {
    let Some(tools) = Tools::find() else { return };
    let db = TestDb::sqlite().await;
    let (base, _) = spawn(db.store().await).await;
    let b = Browser::start(&tools, "vi").await;
    b.client.goto(&format!("{base}/chi-so")).await.unwrap();
    assert_eq!(
        text(&b, "h1").await,
        "Chỉ số phục vụ người dân, doanh nghiệp"
    );
    // The banner names the formula set and says the score is computed here.
    let banner = text(&b, "#index-banner").await;
    assert!(banner.contains("dvcqg-2026-09"), "{banner}");
    assert!(banner.contains("không phải điểm chính thức"), "{banner}");
    // Six groups and the total; the chart drawn on the server, its figures in a table.
    let cards: Value = b
        .client
        .execute(
            "return document.querySelectorAll('#index-cards li').length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(cards, 7);
    let chart: Value = b
        .client
        .execute(
            "return document.querySelectorAll('figure.index-chart svg rect').length > 0",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(chart, true);
    assert!(text(&b, "#trend-table").await.contains("01"));
    // Each metric's formula in words.
    assert!(
        text(&b, "#metric-DOSSIER_PROGRESS").await.contains("÷"),
        "the formula in words"
    );
    axe_clean(&b, &tools, "the service index").await;

    // Another formula set, chosen in the form (a plain GET, no script).
    choose(&b, "#f-formula", "qd766-2022").await;
    click(&b, "form.filters button").await;
    expect(&b, "#index-banner", "qd766-2022").await;
    let cards: Value = b
        .client
        .execute(
            "return document.querySelectorAll('#index-cards li').length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(cards, 6, "five groups and the total");

    // Drill down into an agency, then a commune's figures, and back to the province.
    click(&b, "#rank-agencies a[href*='000.00.15.H22']").await;
    expect(&b, ".lead", "Thanh tra tỉnh Quảng Ninh").await;
    assert!(
        text(&b, "#index-banner").await.contains("qd766-2022"),
        "the formula set is kept"
    );
    axe_clean(&b, &tools, "an agency's index").await;
    b.client.goto(&format!("{base}/chi-so")).await.unwrap();
    click(&b, "#rank-communes a[href*='000.00.36.H22']").await;
    expect(&b, ".lead", "Phường Hồng Gai").await;
    assert!(
        body(&b).await.contains("Không áp dụng với cấp xã"),
        "a commune is not judged on provincial duties"
    );
    click(&b, "form.filters a").await;
    expect(&b, ".lead", "Ủy ban nhân dân tỉnh Quảng Ninh").await;

    // A period that cannot be is said, and this year is shown.
    b.client
        .goto(&format!("{base}/chi-so?period=month&month=13"))
        .await
        .unwrap();
    assert!(text(&b, ".error-summary").await.contains("Kỳ không hợp lệ"));
    b.close().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_is_given_and_looked_up_without_script_on_a_phone() {
    let Some(tools) = Tools::find() else { return };
    let db = TestDb::sqlite().await;
    let (base, _) = spawn(db.store().await).await;
    let b = Browser::start(&tools, "vi").await;
    b.client.set_window_size(360, 740).await.unwrap();
    b.client
        .goto(&format!("{base}/phan-anh-kien-nghi"))
        .await
        .unwrap();
    // Plain forms: the page carries no script.
    let scripts: Value = b
        .client
        .execute("return document.scripts.length;", vec![])
        .await
        .unwrap();
    assert_eq!(scripts, json!(0));
    // A complaint is turned away, and what was typed stays.
    fill(&b, "#f-name", "Phạm Thị Dung").await;
    fill(&b, "#f-phone", "0903 111 222").await;
    fill(
        &b,
        "#f-content",
        "Tôi khiếu nại quyết định xử phạt hành chính",
    )
    .await;
    click(&b, "#pakn-submit").await;
    expect(&b, "#pakn-error", "Luật Khiếu nại").await;
    axe_clean(&b, &tools, "the feedback form with its problem").await;
    assert_eq!(
        b.client
            .find(Locator::Css("#f-name"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Phạm Thị Dung")
    );
    fill(
        &b,
        "#f-content",
        "Đề nghị niêm yết mức lệ phí cấp bản sao trích lục hộ tịch tại bộ phận một cửa.",
    )
    .await;
    choose(&b, "#f-category", "procedure").await;
    // A photo of the notice board goes with it, chosen as any phone chooses a file.
    let photo = super::temp_file("bang-niem-yet.pdf", &super::a_pdf());
    b.client
        .find(Locator::Css("#f-attachment"))
        .await
        .unwrap()
        .send_keys(&photo)
        .await
        .unwrap();
    click(&b, "#pakn-submit").await;
    let code = expect(&b, "#pakn-code", "PAKN.").await;
    fits_the_window(&b, "the feedback filed").await;
    axe_clean(&b, &tools, "the feedback filed").await;
    // Looked up with the last four digits: submitted, and no name or phone on the page.
    fill(&b, "#l-code", &code).await;
    fill(&b, "#l-verify", "1222").await;
    click(&b, "#pakn-lookup").await;
    expect(&b, "#pakn-state", "đã gửi").await;
    expect(&b, "#pakn-files", "bang-niem-yet.pdf").await;
    axe_clean(&b, &tools, "the feedback looked up").await;
    let page = body(&b).await;
    assert!(
        !page.contains("Phạm Thị Dung") && !page.contains("0903"),
        "{page}"
    );
    fill(&b, "#l-code", &code).await;
    fill(&b, "#l-verify", "9999").await;
    click(&b, "#pakn-lookup").await;
    expect(&b, "#pakn-lookup-error", "Không tìm thấy").await;
    b.close().await;
    db.drop_db().await;
}

/// The assistant on a phone without script: a question typed in the footer of any page is
/// answered on the support page from the record it cites; an ambiguous one offers choices
/// that answer it; what it cannot answer it says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_assistant_answers_from_any_page_without_script_on_a_phone() {
    let Some(tools) = Tools::find() else { return };
    let db = TestDb::sqlite().await;
    let (base, _) = spawn(db.store().await).await;
    let b = Browser::start(&tools, "vi").await;
    b.client.set_window_size(360, 740).await.unwrap();
    b.client.goto(&format!("{base}/procedures")).await.unwrap();
    fill(&b, "#footer-ask-q", "làm hộ chiếu hết bao nhiêu tiền").await;
    click(&b, ".footer-ask button").await;
    let answer = expect(&b, "#answer", "Lệ phí của thủ tục «Cấp hộ chiếu phổ thông").await;
    assert!(answer.contains("Nguồn: thủ tục 1.001456"), "{answer}");
    let scripts: Value = b
        .client
        .execute("return document.scripts.length;", vec![])
        .await
        .unwrap();
    assert_eq!(scripts, json!(0));
    fits_the_window(&b, "an answer").await;
    axe_clean(&b, &tools, "an answer").await;
    // The source opens the procedure the answer quotes.
    click(&b, ".answer-source").await;
    expect(&b, "h1", "Cấp hộ chiếu phổ thông").await;
    // Three procedures share a name: the asker chooses, and the choice is answered.
    b.client.goto(&format!("{base}/ho-tro")).await.unwrap();
    fill(&b, "#ask-q", "báo mất hộ chiếu cần giấy tờ gì").await;
    click(&b, "#ask-submit").await;
    expect(&b, "#answer-choices", "Trình báo mất hộ chiếu").await;
    axe_clean(&b, &tools, "choices").await;
    click(&b, "#answer-choices a").await;
    expect(
        &b,
        "#answer",
        "Giấy tờ cần nộp cho thủ tục «Trình báo mất hộ chiếu",
    )
    .await;
    // Follow-ups ask about the same procedure.
    click(&b, "#answer-follow-ups a").await;
    expect(&b, "#answer", "Lệ phí của thủ tục «Trình báo mất hộ chiếu").await;
    // Out of scope: no answer, an officer.
    fill(&b, "#ask-q", "giá vàng hôm nay bao nhiêu").await;
    click(&b, "#ask-submit").await;
    expect(&b, "#answer", "chưa trả lời được").await;
    axe_clean(&b, &tools, "no answer").await;
    b.close().await;
    db.drop_db().await;
}

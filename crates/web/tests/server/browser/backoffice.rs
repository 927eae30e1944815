//! The back office: reception, processing across agencies, slips, administration.

use super::*;

/// Opens a dossier's back-office page.
async fn open_dossier(b: &Browser, base: &str, code: &str) {
    b.client
        .goto(&format!("{base}/staff/dossiers/{code}"))
        .await
        .unwrap();
    expect(b, "#dossier-code", code).await;
}

/// Sends one of the dossier page's action forms and waits for the confirmation.
async fn act(b: &Browser, action: &str, fields: &[(&str, &str)]) {
    for (css, value) in fields {
        // Officers and agencies are chosen from lists; the rest is typed.
        if ["#f-forward", "#f-assign", "#f-transfer"].contains(css) {
            choose(b, css, value).await;
        } else {
            fill(b, css, value).await;
        }
    }
    click(
        b,
        &format!("section[aria-labelledby='h-{action}'] button[type=submit]"),
    )
    .await;
    expect(b, "main", "Đã ghi nhận thao tác").await;
}

/// A slip or file of a dossier, fetched with the back office's cookie.
async fn staff_download(b: &Browser, base: &str, path: &str) -> Vec<u8> {
    let cookie = b.client.get_named_cookie("motcua_staff").await.unwrap();
    let r = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .header("cookie", format!("motcua_staff={}", cookie.value()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.bytes().await.unwrap().to_vec()
}

fn flat_pdf(bytes: &[u8]) -> Option<String> {
    motcua_documents::testing::pdf_text(bytes)
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Receives a walk-in dossier at the counter console and answers its code.
async fn counter_intake(
    b: &Browser,
    base: &str,
    procedure: &str,
    name: &str,
    outcome: &str,
) -> String {
    b.client
        .goto(&format!("{base}/staff/reception?procedure={procedure}"))
        .await
        .unwrap();
    expect(b, "#chosen-procedure", procedure).await;
    fill(b, "#f-name", name).await;
    fill(b, "#f-cccd", "022190004321").await;
    fill(b, "#f-phone", "0912345678").await;
    if outcome == "receive" {
        click(b, "#f-doc-0").await;
        click(b, "#f-doc-1").await;
    } else {
        fill(
            b,
            "#f-reasons",
            "Thủ tục không thuộc thẩm quyền giải quyết\nGiấy tờ không hợp lệ",
        )
        .await;
    }
    click(b, &format!("#f-outcome-{outcome}")).await;
    click(b, "main form[method=post] button[type=submit]").await;
    expect(b, "main", "Đã ghi nhận thao tác").await;
    b.text("#dossier-code").await
}

/// The officers of the reception, the inspectorate, a commune and the administration, and a
/// provincial procedure of the inspectorate whose middle step is a verification at the commune
/// (liên thông). Answers the procedure's code.
async fn back_office(store: &Arc<dyn Store>) -> String {
    use motcua_domain::calendar::ProcessingTime;
    use motcua_domain::procedure::StepPlan;
    use motcua_domain::role::Role;
    use motcua_store::{RequiredDocument, User};

    let inspectorate = code("000.00.15.H22");
    let commune = code("000.00.36.H22");
    for (username, role, agency) in [
        ("letan", Role::Reception, code("000.00.01.H22")),
        ("chuyenvien", Role::Specialist, inspectorate),
        ("lanhdao", Role::Approver, inspectorate),
        ("canboxa", Role::Specialist, commune),
        ("chuyenvien.hatu", Role::Specialist, code("000.00.37.H22")),
        ("lanhdao.hatu", Role::Approver, code("000.00.37.H22")),
        ("quantri", Role::Administrator, code("000.00.00.H22")),
    ] {
        store
            .put_user(&User {
                username: username.into(),
                full_name: format!("Cán bộ {username}"),
                role,
                agency: Some(agency),
                password_hash: motcua_app::secrets::hash_password(&format!("pw-{username}"))
                    .unwrap(),
                active: true,
            })
            .await
            .unwrap();
    }
    // A provincial procedure whose middle step is a verification at the commune (liên thông).
    let mut procedure = procedures(
        CATALOG,
        &CatalogAgencies {
            province: code("000.00.00.H22"),
            military_command: code("000.00.20.H22"),
            inspectorate,
            ministry: code("000.00.00.G01"),
        },
    )
    .unwrap()
    .into_iter()
    .find(|p| p.processing_time.is_some())
    .expect("a procedure with a time limit in the sample");
    procedure.agency = inspectorate;
    procedure.processing_time = Some(ProcessingTime::WorkingDays(5));
    procedure.documents = vec![
        RequiredDocument {
            name: "Đơn đề nghị".into(),
            originals: Some(1),
            copies: None,
            template: None,
        },
        RequiredDocument {
            name: "Bản sao giấy tờ tùy thân".into(),
            originals: None,
            copies: Some(1),
            template: None,
        },
    ];
    procedure.steps = vec![
        StepPlan {
            name: "Thẩm định hồ sơ".into(),
            agency: None,
            role: Role::Specialist,
            budget_hours: 16,
        },
        StepPlan {
            name: "Xác minh tại phường".into(),
            agency: Some(commune),
            role: Role::Specialist,
            budget_hours: 8,
        },
        StepPlan {
            name: "Phê duyệt".into(),
            agency: None,
            role: Role::Approver,
            budget_hours: 8,
        },
    ];
    let pcode = procedure.code.to_string();
    store.put_procedure(&procedure).await.unwrap();

    pcode
}

/// A server with the back office's people and procedure, and a browser on it.
struct Office {
    tools: Tools,
    db: TestDb,
    store: Arc<dyn Store>,
    base: String,
    state: AppState,
    pcode: String,
    b: Browser,
}

impl Office {
    /// `None` (after saying why) when there is no browser to test with.
    async fn open() -> Option<Office> {
        let tools = Tools::find()?;
        let db = TestDb::sqlite().await;
        let store = db.store().await;
        let (base, state) = spawn(store.clone()).await;
        let pcode = back_office(&store).await;
        let b = Browser::start(&tools, "vi").await;
        Some(Office {
            tools,
            db,
            store,
            base,
            state,
            pcode,
            b,
        })
    }

    /// The text of one of a dossier's slips, fetched with the back office's cookie.
    async fn slip(&self, code: &str, slip: &str) -> Option<String> {
        let path = format!("/api/v1/dossiers/{code}/documents/{slip}.pdf");
        flat_pdf(&staff_download(&self.b, &self.base, &path).await)
    }

    /// Ends the test once the chain holds (what `motcua audit verify` checks) and links
    /// exactly the events of these dossiers plus `others` that belong to no dossier; answers
    /// how many events it links.
    async fn close(self, dossiers: &[&str], others: u64) -> u64 {
        self.b.close().await;
        let report = self.store.verify_chain().await.unwrap();
        assert_eq!(report.broken, None, "{report:?}");
        let mut events = others;
        for code in dossiers {
            events += self
                .store
                .events(&code.parse().unwrap())
                .await
                .unwrap()
                .len() as u64;
        }
        assert_eq!(report.events, events, "{report:?}");
        self.db.drop_db().await;
        report.events
    }
}

/// Received at the counter, a supplement through the one-stop, verified at the commune, approved,
/// its result checked on the public page, returned: every slip on the way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_walk_in_dossier_goes_from_the_counter_through_two_agencies_and_back() {
    let Some(o) = Office::open().await else {
        return;
    };
    let (b, base, pcode) = (&o.b, &o.base, &o.pcode);
    let c = &b.client;

    // 1. A walk-in dossier received at the counter.
    staff_login(b, base, "letan").await;
    axe_clean(b, &o.tools, "staff inbox").await;
    c.goto(&format!("{base}/staff/reception?procedure={pcode}"))
        .await
        .unwrap();
    axe_clean(b, &o.tools, "reception console").await;
    let first = counter_intake(b, base, pcode, "Phạm Văn Đức", "receive").await;
    axe_clean(b, &o.tools, "staff dossier").await;
    if let Some(text) = o.slip(&first, "receipt").await {
        assert!(
            text.contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
            "{text}"
        );
        assert!(
            text.contains("Phạm Văn Đức") && text.contains(&first),
            "{text}"
        );
    }
    act(b, "forward", &[("#f-forward", "chuyenvien")]).await;

    // 2. The inspectorate's specialist asks for a supplement through the one-stop.
    staff_login(b, base, "chuyenvien").await;
    expect(b, "#staff-list", &first).await;
    // The assignee is named, not given by username.
    expect(b, "#staff-list", "Cán bộ chuyenvien").await;
    open_dossier(b, base, &first).await;
    act(
        b,
        "request_supplement",
        &[
            ("#f-request-supplement", "Bản sao sổ hộ khẩu"),
            ("#f-request-supplement-reason", "Cần xác minh nơi cư trú"),
        ],
    )
    .await;
    expect(b, "#dossier-status", "Chờ bổ sung").await;
    if let Some(text) = o.slip(&first, "supplement-guide").await {
        assert!(
            text.contains("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
            "{text}"
        );
        assert!(text.contains("Bản sao sổ hộ khẩu"), "{text}");
    }
    // The applicant brings it to the counter; the specialist takes it and passes to the commune.
    staff_login(b, base, "letan").await;
    open_dossier(b, base, &first).await;
    act(
        b,
        "submit_supplement",
        &[("#f-submit-supplement", "Đã nhận bản sao tại quầy")],
    )
    .await;
    staff_login(b, base, "chuyenvien").await;
    open_dossier(b, base, &first).await;
    act(b, "accept_supplement", &[]).await;
    act(b, "forward", &[("#f-forward", "canboxa")]).await;
    // 3. The commune verifies and hands back to the inspectorate's approver.
    staff_login(b, base, "canboxa").await;
    expect(b, "#staff-list", &first).await;
    open_dossier(b, base, &first).await;
    expect(b, "main", "Xác minh tại phường").await;
    act(b, "forward", &[("#f-forward", "lanhdao")]).await;
    staff_login(b, base, "lanhdao").await;
    open_dossier(b, base, &first).await;
    act(b, "approve", &[]).await;
    let signed = temp_file(
        "quyet-dinh.pdf",
        b"%PDF-1.4\n% Quyet dinh giai quyet\n%%EOF\n",
    );
    fill(b, "#f-issue-result", "Chấp thuận đề nghị").await;
    fill(b, "#f-issue-result-file", &signed).await;
    click(
        b,
        "section[aria-labelledby='h-issue_result'] button[type=submit]",
    )
    .await;
    expect(b, "#dossier-status", "Đã có kết quả").await;
    // The public page confirms the result's hash, agency and date.
    click(b, "#verify-link").await;
    expect(b, "#verify-issued", "Thanh tra tỉnh Quảng Ninh").await;
    axe_clean(b, &o.tools, "verification page").await;
    fill(
        b,
        "#f-file",
        &temp_file("sua.pdf", b"%PDF-1.4\n% da sua\n%%EOF\n"),
    )
    .await;
    click(b, "main form button[type=submit]").await;
    expect(b, "#verify-result", "KHÔNG khớp").await;
    fill(b, "#f-file", &signed).await;
    click(b, "main form button[type=submit]").await;
    expect(b, "#verify-result", "khớp hoàn toàn").await;
    // 4. Returned at the counter; the control sheet shows every hand-over.
    staff_login(b, base, "letan").await;
    c.goto(&format!("{base}/staff?view=return")).await.unwrap();
    expect(b, "#staff-list", &first).await;
    open_dossier(b, base, &first).await;
    act(b, "return_result", &[]).await;
    expect(b, "#dossier-status", "Đã trả kết quả").await;
    if let Some(text) = o.slip(&first, "control-sheet").await {
        assert!(
            text.contains("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
            "{text}"
        );
        assert!(text.contains("Ủy ban nhân dân Phường Hồng Gai"), "{text}");
        assert!(text.contains("Thanh tra tỉnh Quảng Ninh"), "{text}");
    }

    assert_eq!(o.close(&[&first], 0).await, 11);
}

/// A commune-level walk-in: the birth registration received at the centre's counter for the
/// ward where the applicant lives (the console asks which), processed by that ward's officers
/// through their pages, and returned.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commune_level_walk_in_reaches_its_result() {
    let Some(o) = Office::open().await else {
        return;
    };
    let (b, base) = (&o.b, &o.base);
    let c = &b.client;

    staff_login(b, base, "letan").await;
    c.goto(&format!("{base}/staff/reception?procedure={BIRTH}"))
        .await
        .unwrap();
    expect(b, "#chosen-procedure", BIRTH).await;
    // The checklist follows the source's cases; its notes are not on it.
    expect(b, "p.document-case", "Giấy tờ phải nộp").await;
    // (one of the source's notes on this procedure, listed under "[Lưu ý]").
    let note = "Cơ quan đăng ký hộ tịch từ chối giải quyết";
    assert!(!text(b, "main").await.contains(note));
    fill(b, "#f-name", "Lê Thị Mai").await;
    fill(b, "#f-cccd", "022190004321").await;
    fill(b, "#f-phone", "0912345678").await;
    // Without the commune nothing is filed; the console says why.
    for boxes in c
        .find_all(Locator::Css("input[type=checkbox][id^='f-doc-']"))
        .await
        .unwrap()
    {
        boxes.click().await.unwrap();
    }
    click(b, "#f-outcome-receive").await;
    c.execute(
        "document.querySelector('#f-commune').removeAttribute('required')",
        vec![],
    )
    .await
    .unwrap();
    click(b, "main form[method=post] button[type=submit]").await;
    expect(b, ".error-summary", "chọn xã, phường").await;
    fill(b, "#f-name", "Lê Thị Mai").await;
    fill(b, "#f-cccd", "022190004321").await;
    choose(b, "#f-commune", "000.00.37.H22").await;
    for boxes in c
        .find_all(Locator::Css("input[type=checkbox][id^='f-doc-']"))
        .await
        .unwrap()
    {
        if !boxes.is_selected().await.unwrap() {
            boxes.click().await.unwrap();
        }
    }
    click(b, "#f-outcome-receive").await;
    click(b, "main form[method=post] button[type=submit]").await;
    expect(b, "main", "Đã ghi nhận thao tác").await;
    let code = b.text("#dossier-code").await;
    act(b, "forward", &[("#f-forward", "chuyenvien.hatu")]).await;

    staff_login(b, base, "chuyenvien.hatu").await;
    expect(b, "#staff-list", &code).await;
    open_dossier(b, base, &code).await;
    act(b, "forward", &[("#f-forward", "lanhdao.hatu")]).await;
    staff_login(b, base, "lanhdao.hatu").await;
    open_dossier(b, base, &code).await;
    act(b, "approve", &[]).await;
    fill(
        b,
        "#f-issue-result",
        "Đã đăng ký khai sinh, cấp Giấy khai sinh",
    )
    .await;
    fill(
        b,
        "#f-issue-result-file",
        &temp_file("giay-khai-sinh.pdf", b"%PDF-1.4\n% Giay khai sinh\n%%EOF\n"),
    )
    .await;
    click(
        b,
        "section[aria-labelledby='h-issue_result'] button[type=submit]",
    )
    .await;
    expect(b, "#dossier-status", "Đã có kết quả").await;
    staff_login(b, base, "letan").await;
    open_dossier(b, base, &code).await;
    act(b, "return_result", &[]).await;
    expect(b, "#dossier-status", "Đã trả kết quả").await;
    let d = o
        .store
        .dossier(&code.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        d.state.intake.competent_agency,
        super::code("000.00.37.H22")
    );
    o.close(&[&code], 0).await;
}

/// The deadline watcher apologises for a dossier past its due date, with its slip.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_dossier_is_apologised_for_with_a_new_appointment() {
    let Some(o) = Office::open().await else {
        return;
    };
    let (b, base, pcode) = (&o.b, &o.base, &o.pcode);

    staff_login(b, base, "letan").await;
    // A second dossier runs late: the watcher apologises with a new appointment.
    let second = counter_intake(b, base, pcode, "Lê Thị Mai", "receive").await;
    let due = o
        .store
        .dossier(&second.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
        .state
        .due_at
        .unwrap();
    let report =
        motcua_app::watch::watch_once(&o.state, "browser-test", due + chrono::Duration::days(1))
            .await
            .unwrap();
    assert_eq!(report.apologies, 1, "{report:?}");
    open_dossier(b, base, &second).await;
    expect(b, "main", "Xin lỗi và hẹn lại ngày trả kết quả").await;
    if let Some(text) = o.slip(&second, "apology").await {
        assert!(
            text.contains("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
            "{text}"
        );
        assert!(text.contains("Lê Thị Mai"), "{text}");
    }

    assert_eq!(o.close(&[&second], 0).await, 3);
}

/// Refused at the counter: the refusal slip carries the reasons and the applicant.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dossier_refused_at_reception_has_its_reasons_on_the_slip() {
    let Some(o) = Office::open().await else {
        return;
    };
    let (b, base, pcode) = (&o.b, &o.base, &o.pcode);

    staff_login(b, base, "letan").await;
    // A third is refused at reception with its reasons.
    let third = counter_intake(b, base, pcode, "Hoàng Văn Nam", "refuse").await;
    expect(b, "#dossier-status", "Từ chối").await;
    if let Some(text) = o.slip(&third, "refusal").await {
        assert!(
            text.contains("Thủ tục không thuộc thẩm quyền giải quyết"),
            "{text}"
        );
        assert!(text.contains("Hoàng Văn Nam"), "{text}");
    }
    assert_eq!(o.close(&[&third], 0).await, 2);
}

/// Administration: a holiday added with its reason; the pages pass the accessibility scan.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_adds_a_holiday_with_its_reason() {
    let Some(o) = Office::open().await else {
        return;
    };
    let (b, base) = (&o.b, &o.base);
    let c = &b.client;

    staff_login(b, base, "quantri").await;
    click(b, "#admin-link").await;
    expect(b, "#admin-list", "Thanh tra tỉnh Quảng Ninh").await;
    axe_clean(b, &o.tools, "administration: agencies").await;
    c.goto(&format!("{base}/staff/admin/calendar"))
        .await
        .unwrap();
    fill(b, "#f-date", "2026-12-31").await;
    choose(b, "#f-day_kind", "off").await;
    fill(b, "#f-name", "Nghỉ cuối năm").await;
    fill(b, "#f-reason", "Quyết định của Ủy ban nhân dân tỉnh").await;
    click(b, "main form[method=post] button[type=submit]").await;
    expect(b, "#admin-notice", "Đã lưu").await;
    expect(b, "#admin-changes", "Quyết định của Ủy ban nhân dân tỉnh").await;
    axe_clean(b, &o.tools, "administration: calendar").await;
    c.goto(&format!("{base}/staff/admin/templates"))
        .await
        .unwrap();
    axe_clean(b, &o.tools, "administration: templates").await;
    // A workflow edited step by step: a step added in a blank group.
    c.goto(&format!("{base}/staff/admin/procedures?code={}", o.pcode))
        .await
        .unwrap();
    expect(b, "#f-steps", "Bước 1").await;
    axe_clean(b, &o.tools, "administration: a procedure's workflow").await;
    let groups = c
        .find_all(Locator::Css("fieldset.step-edit"))
        .await
        .unwrap()
        .len();
    let mut blank = 0;
    for n in 1..=groups {
        let name = c
            .find(Locator::Css(&format!("#step-{n}-name")))
            .await
            .unwrap();
        if name
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
            .is_empty()
        {
            blank = n;
            break;
        }
    }
    assert!(blank > 0, "a blank group to add a step");
    fill(b, &format!("#step-{blank}-name"), "Lãnh đạo ký").await;
    choose(b, &format!("#step-{blank}-role"), "approver").await;
    fill(b, &format!("#step-{blank}-hours"), "4").await;
    fill(b, "#f-days", "5").await;
    fill(b, "#f-reason", "Bổ sung bước ký").await;
    click(b, "main form[method=post] button[type=submit]").await;
    expect(b, "#admin-notice", "Đã lưu").await;
    let edited = o
        .store
        .procedure(&o.pcode.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(edited.steps.last().unwrap().name, "Lãnh đạo ký");
    // The audit trail, and the chain checked.
    click(b, "a[href='/staff/admin/audit']").await;
    expect(b, "#audit-list", "Bổ sung bước ký").await;
    click(b, "button[name=verify]").await;
    expect(b, "#audit-check", "nguyên vẹn").await;
    axe_clean(b, &o.tools, "administration: audit trail").await;
    assert_eq!(o.close(&[], 2).await, 2);
}

/// The monitoring page: the agency's index with the dossiers behind each number, the report
/// form, on a phone too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_monitoring_page_drills_down_to_the_dossiers() {
    let Some(o) = Office::open().await else {
        return;
    };
    let (b, base, pcode) = (&o.b, &o.base, &o.pcode);
    staff_login(b, base, "letan").await;
    let first = counter_intake(b, base, pcode, "Trần Văn Bình", "receive").await;

    staff_login(b, base, "lanhdao").await;
    click(b, "#monitoring-link").await;
    expect(b, "h1", "Giám sát giải quyết hồ sơ").await;
    expect(b, "#m-DOSSIER_PROGRESS", "1").await;
    axe_clean(b, &o.tools, "monitoring").await;
    click(b, "#m-DOSSIER_PROGRESS td:last-child a").await;
    expect(b, "#list-total", "1").await;
    expect(b, "#monitoring-list", &first).await;
    axe_clean(b, &o.tools, "the dossiers behind a number").await;
    // The dossier opens from the list.
    click(
        b,
        &format!("#monitoring-list a[href='/staff/dossiers/{first}']"),
    )
    .await;
    expect(b, "h1", &first).await;

    // A phone: nothing wider than the screen.
    b.client.set_window_size(360, 740).await.unwrap();
    b.client
        .goto(&format!("{base}/staff/monitoring"))
        .await
        .unwrap();
    expect(b, "h1", "Giám sát giải quyết hồ sơ").await;
    fits_the_window(b, "the monitoring page on a phone").await;
    o.close(&[&first], 0).await;
}

/// Feedback phoned in is written down by the counter, handled on the agency's work list
/// (accepted, answered, published) and read on the public page; the officer's pages pass axe.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_phoned_in_is_handled_on_the_work_list_and_published() {
    let Some(o) = Office::open().await else {
        return;
    };
    let (b, base, pcode) = (&o.b, &o.base, &o.pcode);
    staff_login(b, base, "letan").await;
    // A dossier's page leads to the form about it.
    let dossier = counter_intake(b, base, pcode, "Trần Văn Bình", "receive").await;
    open_dossier(b, base, &dossier).await;
    click(b, "#dossier-feedback-link").await;
    expect(b, "h1", "Ghi nhận phản ánh").await;
    let prefilled = b
        .client
        .find(Locator::Css("#f-dossier"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(prefilled.as_deref(), Some(dossier.as_str()));
    b.client.goto(&format!("{base}/staff")).await.unwrap();
    click(b, "#pakn-link").await;
    expect(b, "h1", "Phản ánh, kiến nghị cần xử lý").await;
    click(b, "#pakn-new-link").await;
    choose(b, "#f-channel", "phone").await;
    fill(b, "#f-name", "Đỗ Thị Hoa").await;
    fill(b, "#f-phone", "0904 222 333").await;
    choose(b, "#f-agency", "000.00.15.H22").await;
    fill(
        b,
        "#f-content",
        "Đề nghị niêm yết lịch tiếp công dân của Thanh tra tại bộ phận một cửa.",
    )
    .await;
    axe_clean(b, &o.tools, "writing down feedback").await;
    click(b, "#pakn-file").await;
    let code = expect(b, "#pakn-filed-code", "PAKN.").await;
    // The reception does not cover the inspectorate: the petition is not on its own list.
    b.client
        .goto(&format!("{base}/staff/pakn/{code}"))
        .await
        .unwrap();
    expect(b, "h1", "Không tìm thấy").await;

    // The inspectorate's officer finds it on the work list and handles it.
    staff_login(b, base, "chuyenvien").await;
    b.client.goto(&format!("{base}/staff/pakn")).await.unwrap();
    expect(b, "#pakn-list", &code).await;
    axe_clean(b, &o.tools, "the feedback work list").await;
    click(b, &format!("#pakn-list a[href='/staff/pakn/{code}']")).await;
    expect(b, "#pakn-petitioner", "Đỗ Thị Hoa").await;
    expect(b, "#pakn-state", "đã gửi").await;
    axe_clean(b, &o.tools, "a petition").await;
    choose(b, "#f-accept-category", "regulation").await;
    click(b, "#act-accept").await;
    expect(b, "#pakn-state", "đang xử lý").await;
    fill(
        b,
        "#f-answer-answer",
        "Lịch tiếp công dân đã được niêm yết tại quầy số 1 từ ngày hôm nay.",
    )
    .await;
    click(b, "#act-answer").await;
    expect(b, "#pakn-answer", "quầy số 1").await;
    click(b, "#act-publish").await;
    expect(b, "#pakn-state", "đã công khai").await;
    // A step the state no longer allows is not offered.
    assert!(b.client.find(Locator::Css("#act-accept")).await.is_err());

    // The public reads the answer (the feedback itself was not agreed to be published).
    b.client
        .goto(&format!("{base}/phan-anh-kien-nghi?q=niem+yet"))
        .await
        .unwrap();
    let list = expect(b, "#pakn-published", &code).await;
    assert!(
        list.contains("quầy số 1") && !list.contains("Đỗ Thị Hoa"),
        "{list}"
    );
    o.close(&[&dossier], 4).await;
}

/// A question the assistant cannot answer goes to an officer, who answers and publishes it;
/// the asker reads the answer with four digits, the assistant then quotes it, and the hotline
/// console reads the caller the very same card.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_to_an_officer_is_answered_published_and_quoted_everywhere() {
    let Some(o) = Office::open().await else {
        return;
    };
    let (b, base) = (&o.b, &o.base);
    let question = "Bản sao giấy khai sinh có cần chứng thực khi nộp hồ sơ không?";
    b.client
        .goto(&format!(
            "{base}/ho-tro?q={}",
            form_urlencoded::byte_serialize(question.as_bytes()).collect::<String>()
        ))
        .await
        .unwrap();
    expect(b, "#answer", "chưa trả lời được").await;
    // The question is carried over to the officer's form.
    let carried = b
        .client
        .find(Locator::Css("#o-q"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(carried.as_deref(), Some(question));
    fill(b, "#o-name", "Vũ Thị Lan").await;
    fill(b, "#o-phone", "0913 456 789").await;
    click(b, "#question-submit").await;
    let code = expect(b, "#question-code", "HD.").await;
    expect(b, "#question-due", "/").await;
    axe_clean(b, &o.tools, "a question sent").await;

    // The centre's officer answers it and publishes the answer.
    staff_login(b, base, "letan").await;
    click(b, "#questions-link").await;
    expect(b, "#questions-list", &code).await;
    axe_clean(b, &o.tools, "the questions list").await;
    click(
        b,
        &format!("#questions-list a[href='/staff/questions/{code}']"),
    )
    .await;
    expect(b, "#question-asker", "Vũ Thị Lan").await;
    axe_clean(b, &o.tools, "a question").await;
    let answer = "Không cần chứng thực nếu nộp bản sao cấp từ sổ gốc.";
    fill(b, "#f-answer", answer).await;
    click(b, "#f-publish").await;
    click(b, "#question-answer-submit").await;
    expect(b, "#question-published", "").await;
    expect(b, "#question-answer", answer).await;

    // The asker reads it; the assistant quotes it to the next asker, with its source.
    b.client
        .goto(&format!("{base}/ho-tro?code={code}&verify=6789"))
        .await
        .unwrap();
    expect(b, "#question-answer", answer).await;
    b.client
        .goto(&format!(
            "{base}/ho-tro?q=ban+sao+giay+khai+sinh+co+can+chung+thuc+khong"
        ))
        .await
        .unwrap();
    let web = expect(b, "#answer", answer).await;
    assert!(web.contains("công bố ngày"), "{web}");
    expect(b, "#faq", answer).await;
    // The hotline console gives the caller the same card.
    b.client
        .goto(&format!(
            "{base}/staff/ho-tro?q=ban+sao+giay+khai+sinh+co+can+chung+thuc+khong"
        ))
        .await
        .unwrap();
    let phone = expect(b, "#answer", answer).await;
    assert_eq!(phone, web);
    axe_clean(b, &o.tools, "the hotline console").await;
    // A caller's question written down there lands on the list.
    choose(b, "#t-channel", "hotline").await;
    fill(
        b,
        "#t-q",
        "Làm hộ chiếu cho người già không đi lại được thế nào?",
    )
    .await;
    fill(b, "#t-name", "Ngô Văn Tư").await;
    fill(b, "#t-phone", "0988 765 432").await;
    click(b, "#take-submit").await;
    expect(b, "#question-code", "HD.").await;
    o.close(&[], 0).await;
}

//! The citizen's pages, one behaviour each: registering and verifying by e-mail, the profile's
//! error summary, filing a real procedure online with its attachments, paying once in the
//! sandbox gateway and tracking with the receipt, and, after filing, answering a supplement
//! request, coming back after an expired session, getting the result and rating it.

use chrono::Utc;
use motcua_app::filing::{self, Target, Upload};
use motcua_domain::Lang;
use motcua_domain::lifecycle::{Command, Lifecycle};
use motcua_domain::role::{Actor, Role};
use motcua_store::{Citizen, DossierRecord};

use super::*;

const PASSWORD: &str = "mật khẩu an toàn";
/// A real procedure of the catalog that can be filed online, with a fee of 2,000,000 đồng.
const PROCEDURE: &str = "1.013542";

/// A verified account with a complete profile, signed in through the portal's login page.
async fn signed_in(b: &Browser, base: &str, state: &AppState, login: &str) -> Citizen {
    let now = Utc::now();
    let registered = motcua_app::accounts::register(
        state,
        login,
        PASSWORD.into(),
        "Trần Thị Hoa",
        Lang::Vi,
        "127.0.0.1",
        now,
    )
    .await
    .unwrap();
    let mut me = state
        .store
        .citizen_by_login(&registered.key())
        .await
        .unwrap()
        .unwrap();
    me.verified_at = Some(now);
    me.cccd = Some("022190004321".into());
    me.province_code = Some("22".into());
    me.ward_code = Some("06652".into());
    me.address_line = Some("Tổ 5, khu 2".into());
    state.store.put_citizen(&me).await.unwrap();
    b.client
        .goto(&format!("{base}/account/login"))
        .await
        .unwrap();
    fill(b, "#f-login", login).await;
    fill(b, "#f-password", PASSWORD).await;
    click(b, "main form button[type=submit]").await;
    expect(b, "h1", "Tài khoản của tôi").await;
    me
}

/// A server, a browser on it, and a citizen signed in there.
struct Portal {
    tools: Tools,
    db: TestDb,
    store: Arc<dyn Store>,
    base: String,
    state: AppState,
    b: Browser,
    me: Citizen,
}

impl Portal {
    /// `None` (after saying why) when there is no browser to test with.
    async fn open() -> Option<Portal> {
        let tools = Tools::find()?;
        let db = TestDb::sqlite().await;
        let store = db.store().await;
        let (base, state) = spawn(store.clone()).await;
        let b = Browser::start(&tools, "vi").await;
        let me = signed_in(&b, &base, &state, "hoa@example.vn").await;
        Some(Portal {
            tools,
            db,
            store,
            base,
            state,
            b,
            me,
        })
    }

    async fn close(self) {
        self.b.close().await;
        self.db.drop_db().await;
    }
}

/// A file of the citizen's dossier, fetched with the portal's session cookie.
async fn citizen_download(b: &Browser, base: &str, path: &str) -> reqwest::Response {
    let cookie = b.client.get_named_cookie("motcua_sid").await.unwrap();
    reqwest::Client::new()
        .get(format!("{base}{path}"))
        .header("cookie", format!("motcua_sid={}", cookie.value()))
        .send()
        .await
        .unwrap()
}

/// The procedure filed online by `me` through the same use cases the wizard calls, every
/// document attached, the fee paid through the gateway's notification path.
async fn filed_and_paid(state: &AppState, me: &Citizen) -> DossierRecord {
    let now = Utc::now();
    let draft = filing::start(state, me, PROCEDURE, now).await.unwrap();
    filing::save_answers(
        state,
        me,
        &draft.id,
        json!({"ghi_chu": "Đề nghị cấp lại giấy phép đã hết hạn."}),
        now,
    )
    .await
    .unwrap();
    let p = filing::procedure(state, PROCEDURE).await.unwrap();
    for d in &p.documents {
        filing::attach(
            state,
            me,
            Target::Draft(&draft.id),
            Upload {
                document: d.name.clone(),
                file_name: "giay-phep-cu.pdf".into(),
                bytes: a_pdf().into(),
            },
            now,
        )
        .await
        .unwrap();
    }
    let record = filing::submit(state, me, &draft.id, now).await.unwrap();
    let owed = record.state.fee_owed();
    assert!(owed > 0, "the procedure has a fee to pay before processing");
    motcua_store::ops::act(
        &*state.store,
        &state.lifecycle_on(&state.calendar()),
        &record.code,
        None,
        &Command::RecordPayment {
            reference: "VNPAY-TEST".into(),
            amount: owed,
        },
        &Actor::system(),
        now,
    )
    .await
    .unwrap();
    record
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_registers_and_verifies_with_the_code_sent_by_email() {
    let Some(tools) = Tools::find() else { return };
    let db = TestDb::sqlite().await;
    let store = db.store().await;
    let (base, _) = spawn(store.clone()).await;
    let mail = crate::common::Mail::for_server(store, &base).await;
    let b = Browser::start(&tools, "vi").await;
    let c = &b.client;

    c.goto(&format!("{base}/account/register")).await.unwrap();
    axe_clean(&b, &tools, "register").await;
    fill(&b, "#f-full_name", "Trần Thị Hoa").await;
    fill(&b, "#f-login", "hoa@example.vn").await;
    fill(&b, "#f-password", PASSWORD).await;
    click(&b, "main form button[type=submit]").await;
    expect(&b, "h1", "Nhập mã xác thực").await;
    // The code arrives by e-mail to the address given.
    let otp = mail.code_for("hoa@example.vn").await;
    axe_clean(&b, &tools, "verify").await;
    fill(&b, "#f-code", &otp).await;
    click(&b, "main form button[type=submit]").await;
    expect(&b, "main", "Tài khoản đã được xác thực").await;
    axe_clean(&b, &tools, "account").await;
    b.close().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_profile_names_a_wrong_citizen_id_and_keeps_what_was_chosen() {
    let Some(p) = Portal::open().await else {
        return;
    };
    let (b, base, c, tools) = (&p.b, &p.base, &p.b.client, &p.tools);

    c.goto(&format!("{base}/account/profile")).await.unwrap();
    fill(b, "#f-cccd", "12345").await;
    choose(b, "#f-province_code", "22").await;
    click(b, "main form button[type=submit]").await;
    expect(b, ".error-summary", "12").await;
    axe_clean(b, tools, "profile with errors").await;
    let province: Value = c
        .execute(
            "return document.querySelector('#f-province_code').value",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(province, "22", "the chosen province is kept");
    // A province without its ward: saved, and the form comes back at once with the
    // province's wards.
    fill(b, "#f-cccd", "022190004321").await;
    choose(b, "#f-ward_code", "").await;
    click(b, "main form button[type=submit]").await;
    expect(b, "main", "hãy chọn phường").await;
    choose(b, "#f-ward_code", "06652").await;
    fill(b, "#f-address_line", "Tổ 5, khu 2").await;
    click(b, "main form button[type=submit]").await;
    expect(b, "main", "Đã lưu hồ sơ cá nhân").await;
    p.close().await;
}

/// The most filed procedure as a citizen meets it: found by typing without accents and with
/// "kí" for "ký", filed with the official declaration's structured form and the one document
/// every dossier needs (the others apply to their cases, the notes are not uploads), and sent to
/// the People's Committee of the citizen's ward.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_finds_and_files_the_birth_registration() {
    let Some(p) = Portal::open().await else {
        return;
    };
    let (b, base, c, tools, store, me) = (&p.b, &p.base, &p.b.client, &p.tools, &p.store, &p.me);

    c.goto(&format!("{base}/")).await.unwrap();
    fill(b, "#q", "dang ki khai sinh").await;
    click(b, "form[role=search] button[type=submit]").await;
    let first = expect(b, "ul.results li:first-child h3 a", "khai sinh").await;
    assert_eq!(first, "Thủ tục đăng ký khai sinh");
    click(b, "ul.results li:first-child h3 a").await;
    expect(b, "h1", "Thủ tục đăng ký khai sinh").await;
    c.goto(&format!("{base}/procedures/{BIRTH}/apply"))
        .await
        .unwrap();
    click(b, "main form button[type=submit]").await;
    // The declaration, page by page.
    fill(b, "#f-quan_he", "Mẹ").await;
    click(b, "main form button[type=submit]").await;
    fill(b, "#f-tre_ho_ten", "Nguyễn Minh Khôi").await;
    axe_clean(b, tools, "the birth declaration").await;
    choose(b, "#f-tre_gioi_tinh", "nam").await;
    set_value(b, "#f-tre_ngay_sinh", "2026-11-20").await;
    fill(b, "#f-tre_noi_sinh", "Bệnh viện Bãi Cháy").await;
    fill(b, "#f-tre_dan_toc", "Kinh").await;
    fill(b, "#f-tre_quoc_tich", "Việt Nam").await;
    click(b, "main form button[type=submit]").await;
    fill(b, "#f-me_ho_ten", "Trần Thị Hoa").await;
    set_value(b, "#f-me_ngay_sinh", "1996-04-02").await;
    fill(b, "#f-me_dan_toc", "Kinh").await;
    fill(b, "#f-me_quoc_tich", "Việt Nam").await;
    fill(b, "#f-me_cccd", "022190004321").await;
    // The communes offered are those of the province chosen: the page asks again with them.
    choose(b, "#f-me_cu_tru-province_code", "22").await;
    click(b, "main form button[type=submit]").await;
    expect(b, ".error-summary", "").await;
    choose(b, "#f-me_cu_tru-ward_code", "06652").await;
    fill(b, "#f-me_cu_tru-line", "Tổ 5, khu 2").await;
    click(b, "main form button[type=submit]").await;
    choose(b, "#f-co_cha", "false").await;
    click(b, "main form button[type=submit]").await;
    expect(b, "h1", "Giấy tờ đính kèm").await;
    // Only the birth certificate is required; notes are not uploads.
    let sections = c.find_all(Locator::Css("section.document")).await.unwrap();
    let mut required = Vec::new();
    for s in sections {
        let heading = s
            .find(Locator::Css("h2, h3"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            // One of the source's notes on this procedure (listed under "[Lưu ý]").
            !heading.contains("Cơ quan đăng ký hộ tịch từ chối giải quyết"),
            "a note is not an upload: {heading}"
        );
        if !heading.contains("không bắt buộc") {
            required.push((s, heading));
        }
    }
    // Grouped by the source's cases; its notes kept aside as guidance.
    expect(b, "h2.document-case", "Giấy tờ phải nộp").await;
    expect(b, "details.document-notes summary", "Lưu ý").await;
    let source = c.source().await.unwrap();
    assert!(source.contains("Cơ quan đăng ký hộ tịch từ chối giải quyết"));
    let headings: Vec<&String> = required.iter().map(|r| &r.1).collect();
    assert_eq!(required.len(), 1, "{headings:?}");
    assert!(required[0].1.contains("Giấy chứng sinh"), "{headings:?}");
    let file = temp_file("giay-chung-sinh.pdf", &a_pdf());
    let section = &required[0].0;
    section
        .find(Locator::Css("input[type=file]"))
        .await
        .unwrap()
        .send_keys(&file)
        .await
        .unwrap();
    section
        .find(Locator::Css("form[enctype] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    expect(b, "main", "giay-chung-sinh.pdf").await;
    click(b, "main p a.button").await;
    expect(b, "h1", "Kiểm tra và nộp").await;
    expect(b, "main", "Nguyễn Minh Khôi").await;
    click(b, "main form button[type=submit]").await;
    expect(b, ".notice h1", "Đã nộp hồ sơ").await;
    let code = expect(b, "#dossier-code", ".H22-").await;
    // The ward of the citizen's address handles it.
    let mine = store.owner_dossiers(&me.id).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].code.to_string(), code);
    assert_eq!(
        mine[0].state.intake.competent_agency.to_string(),
        "000.00.37.H22"
    );
    p.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_files_online_pays_once_and_tracks_with_the_receipt() {
    use motcua_documents::testing::{pdf_text, qr_text};

    let Some(p) = Portal::open().await else {
        return;
    };
    let (b, base, c, tools, store, me) = (&p.b, &p.base, &p.b.client, &p.tools, &p.store, &p.me);

    c.goto(&format!("{base}/procedures/{PROCEDURE}/apply"))
        .await
        .unwrap();
    click(b, "main form button[type=submit]").await;
    expect(b, "h1", "Thông tin tờ khai").await;
    axe_clean(b, tools, "draft answers").await;
    fill(b, "#f-ghi_chu", "Đề nghị cấp lại giấy phép đã hết hạn.").await;
    click(b, "main form button[type=submit]").await;
    expect(b, "h1", "Giấy tờ đính kèm").await;
    let sections = c
        .find_all(Locator::Css("section.document"))
        .await
        .unwrap()
        .len();
    assert!(sections > 0);
    // Wrong type (a program named .pdf) and an oversized file: clear messages, nothing kept.
    let fake = temp_file("giay-phep.pdf", b"MZ\x90\0\x03\0\0\0 this is not a PDF");
    fill(b, "#file-0", &fake).await;
    click(b, "#upload-all").await;
    expect(b, ".error-summary", "PDF, JPG hoặc PNG").await;
    axe_clean(b, tools, "documents with an error").await;
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(11 * 1024 * 1024, b' ');
    let big = temp_file("lon.pdf", &big);
    fill(b, "#file-0", &big).await;
    click(b, "#upload-all").await;
    expect(b, ".error-summary", "10 MB").await;
    // Every document's file chosen, then one upload for all of them.
    let good = temp_file("giay-phep-cu.pdf", &a_pdf());
    let inputs = c
        .find_all(Locator::Css("section.document input[type=file]"))
        .await
        .unwrap();
    assert_eq!(inputs.len(), sections);
    for input in inputs {
        let id = input.attr("id").await.unwrap().unwrap();
        fill(b, &format!("#{id}"), &good).await;
    }
    click(b, "#upload-all").await;
    let mut shown = 0;
    for _ in 0..100 {
        shown = body(b).await.matches("giay-phep-cu.pdf (").count();
        if shown == sections {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(shown, sections, "one upload for every document");
    expect(b, "main", "giay-phep-cu.pdf").await;
    click(b, "main p a.button").await;
    expect(b, "h1", "Kiểm tra và nộp").await;
    axe_clean(b, tools, "check your answers").await;
    expect(b, "main", "2.000.000 đồng").await;
    let check_url = c.current_url().await.unwrap();
    click(b, "main form button[type=submit]").await;
    expect(b, ".notice h1", "Đã nộp hồ sơ").await;
    let dossier_code = expect(b, "#dossier-code", ".H22-").await;
    axe_clean(b, tools, "dossier").await;
    // Sending the form again (back, submit) files nothing twice.
    c.goto(check_url.as_str()).await.unwrap();
    expect(b, "main", "đã được nộp trước đó").await;
    assert_eq!(store.owner_dossiers(&me.id).await.unwrap().len(), 1);

    // Pay in the sandbox; a tampered callback is refused.
    c.goto(&format!("{base}/account/dossiers/{dossier_code}"))
        .await
        .unwrap();
    click(b, "form[action$='/pay'] button").await;
    expect(b, "h1", "Cổng thanh toán thử nghiệm").await;
    click(b, "button[value=pay]").await;
    expect(b, "h1", "Đã thanh toán phí, lệ phí").await;
    let back = c.current_url().await.unwrap().to_string();
    c.goto(&back.replace("vnp_ResponseCode=00", "vnp_ResponseCode=24"))
        .await
        .unwrap();
    expect(b, "h1", "Kết quả thanh toán không hợp lệ").await;
    c.goto(&format!("{base}/account/dossiers/{dossier_code}"))
        .await
        .unwrap();
    expect(b, "main", "đã nộp").await;
    assert!(
        c.find(Locator::Css("form[action$='/pay']")).await.is_err(),
        "nothing left to pay"
    );

    // The receipt, downloaded with the browser's session: text and QR code.
    let receipt = citizen_download(
        b,
        base,
        &format!("/api/v1/dossiers/{dossier_code}/receipt.pdf"),
    )
    .await;
    assert_eq!(receipt.status(), 200);
    let bytes = receipt.bytes().await.unwrap();
    if let Some(text) = pdf_text(&bytes) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains(&format!("Mã hồ sơ: {dossier_code}")),
            "{flat}"
        );
        assert!(flat.contains("Ông/bà: Trần Thị Hoa"), "{flat}");
        assert!(
            flat.contains("2.000.000 đồng (đã nộp trực tuyến)"),
            "{flat}"
        );
    }
    if let Some(qr) = qr_text(&bytes) {
        assert_eq!(qr, format!("{base}/track?code={dossier_code}"));
        // Track it from the QR address, with the last digits of the citizen ID.
        c.goto(&qr).await.unwrap();
        fill(b, "#f-verify", "4321").await;
        click(b, "main form button[type=submit]").await;
        expect(b, "#track-status", "Chờ tiếp nhận").await;
        // Who has it, and when the result is expected.
        expect(b, "#track-holder", "Trung tâm").await;
        expect(b, "#track-due", "/").await;
        axe_clean(b, tools, "tracking").await;
    }
    p.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_filing_the_citizen_supplements_signs_in_again_gets_the_result_and_rates() {
    let Some(p) = Portal::open().await else {
        return;
    };
    let (b, base, c, tools, store, state, me) = (
        &p.b,
        &p.base,
        &p.b.client,
        &p.tools,
        &p.store,
        &p.state,
        &p.me,
    );
    let record = filed_and_paid(state, me).await;
    let dossier_code = record.code.to_string();
    let pdf = a_pdf();

    // The back office receives it and asks for a supplement.
    let competent = record.state.intake.competent_agency;
    let calendar = WorkingCalendar::new(CalendarConfig::default()).unwrap();
    let lc = Lifecycle {
        calendar: &calendar,
        timeliness: TimelinessPolicy::default(),
    };
    let reception = Actor::new("letan", Role::Reception, Some(code("000.00.01.H22")));
    let specialist = Actor::new("chuyenvien", Role::Specialist, Some(competent));
    let approver = Actor::new("lanhdao", Role::Approver, Some(competent));
    let act = |cmd: Command, who: Actor| {
        let store = store.clone();
        let lc = &lc;
        let dossier = record.code;
        async move {
            motcua_store::ops::act(&*store, lc, &dossier, None, &cmd, &who, Utc::now())
                .await
                .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
        }
    };
    act(Command::Receive, reception.clone()).await;
    act(
        Command::Forward {
            assignee: None,
            note: None,
        },
        reception.clone(),
    )
    .await;
    act(
        Command::RequestSupplement {
            reason: "Bản sao giấy phép không rõ".into(),
            missing: vec!["Bản sao giấy phép đã được cấp".into()],
        },
        specialist.clone(),
    )
    .await;
    c.goto(&format!("{base}/account/dossiers/{dossier_code}"))
        .await
        .unwrap();
    expect(b, "main", "Bản sao giấy phép không rõ").await;
    axe_clean(b, tools, "dossier waiting for a supplement").await;
    fill(b, "#sup-file", &temp_file("giay-phep-cu.pdf", &pdf)).await;
    click(b, "#supplement form[enctype] button").await;
    expect(b, "main", "Đã tải lên giấy tờ bổ sung").await;
    fill(b, "#sup-note", "Đã chụp lại rõ nét").await;
    click(b, "form[action$='/supplement/submit'] button").await;
    expect(b, "main", "Đã gửi hồ sơ bổ sung").await;

    // An expired session sends the citizen to log in, and back to where they were.
    store
        .revoke_sessions(&me.id, None, Utc::now())
        .await
        .unwrap();
    c.goto(&format!("{base}/account/dossiers/{dossier_code}"))
        .await
        .unwrap();
    expect(b, "main", "Phiên làm việc đã hết").await;
    fill(b, "#f-login", "hoa@example.vn").await;
    fill(b, "#f-password", PASSWORD).await;
    click(b, "main form button[type=submit]").await;
    expect(b, "#dossier-code", &dossier_code).await;

    // The result.
    act(Command::AcceptSupplement, specialist.clone()).await;
    act(
        Command::Forward {
            assignee: None,
            note: None,
        },
        specialist.clone(),
    )
    .await;
    act(Command::Approve { note: None }, approver.clone()).await;
    // The electronic result, stored where the server keeps files.
    let sha = state.files.put(pdf.clone().into()).await.unwrap();
    act(
        Command::IssueResult {
            summary: "Giấy phép sử dụng vật liệu nổ công nghiệp (cấp lại)".into(),
            document_sha256: Some(sha),
        },
        approver.clone(),
    )
    .await;
    c.goto(&format!("{base}/account/dossiers/{dossier_code}"))
        .await
        .unwrap();
    expect(
        b,
        "main",
        "Giấy phép sử dụng vật liệu nổ công nghiệp (cấp lại)",
    )
    .await;
    expect(b, "main", "Đã có kết quả giải quyết").await;
    let result =
        citizen_download(b, base, &format!("/api/v1/dossiers/{dossier_code}/result")).await;
    assert_eq!(result.status(), 200);
    assert_eq!(result.headers()["content-type"], "application/pdf");
    assert_eq!(result.bytes().await.unwrap().as_ref(), pdf.as_slice());
    // Rate the service: a rating needs a level; then it is given once.
    click(b, "#rating button[type=submit]").await;
    expect(b, ".error-summary", "Hãy chọn mức độ hài lòng").await;
    click(b, "#rating-very_satisfied").await;
    choose(b, "#crit-attitude", "2").await;
    fill(b, "#rating-comment", "Cán bộ hướng dẫn tận tình").await;
    axe_clean(b, tools, "rating form").await;
    click(b, "#rating button[type=submit]").await;
    expect(b, "main", "Cảm ơn ông/bà đã đánh giá").await;
    expect(b, "main", "Rất hài lòng").await;
    assert!(c.find(Locator::Css("#rating form")).await.is_err());
    // The citizen's pages in English pass the same scan.
    for page in [
        "/account?lang=en".to_string(),
        format!("/account/dossiers/{dossier_code}"),
        "/account/profile".into(),
        "/track".into(),
        "/account/register".into(),
        "/account/login".into(),
    ] {
        c.goto(&format!("{base}{page}")).await.unwrap();
        axe_clean(b, tools, &format!("{page} (en)")).await;
    }
    expect(b, "h1", "Sign in").await;
    p.close().await;
}

//! The public pages in real Chromium (Debian's `chromium` and `chromedriver`), driven over
//! WebDriver: searching without diacritics and with a typo, opening a procedure, downloading a
//! form, switching language, moving by keyboard only, a 360 px phone, and an axe-core scan
//! (WCAG 2.1 A and AA) of every page type. Skipped with a message when Chromium, ChromeDriver
//! or `node_modules/axe-core` is missing, unless `MOTCUA_REQUIRE_BROWSER=1` (set by CI).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use motcua_app::App as AppState;
use motcua_catalog::portal::{CatalogAgencies, procedures};
use motcua_domain::calendar::{CalendarConfig, WorkingCalendar};
use motcua_domain::ids::AgencyCode;
use motcua_domain::lifecycle::TimelinessPolicy;
use motcua_store::testing::TestDb;
use motcua_store::{Agency, AgencyKind, Branch, Counter, Store};
use serde_json::{Value, json};

const CATALOG: &str = include_str!("../../../../fixtures/catalog/tthc-national-sample-207.json");

struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
    axe: String,
}

impl Tools {
    /// The browser, its driver and axe-core, or `None` after saying why the test is skipped.
    fn find() -> Option<Tools> {
        let required = std::env::var("MOTCUA_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        let chromium = PathBuf::from(
            std::env::var("MOTCUA_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
        );
        let chromedriver = PathBuf::from(
            std::env::var("MOTCUA_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into()),
        );
        let axe_path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../node_modules/axe-core/axe.min.js");
        let missing: Vec<String> = [
            (&chromium, "chromium"),
            (&chromedriver, "chromedriver"),
            (&axe_path, "axe-core (npm ci)"),
        ]
        .iter()
        .filter(|(p, _)| !p.exists())
        .map(|(p, what)| format!("{what} at {}", p.display()))
        .collect();
        if !missing.is_empty() {
            assert!(
                !required,
                "browser tests are required but these are missing: {missing:?}"
            );
            eprintln!("skipping browser test: missing {}", missing.join(", "));
            return None;
        }
        let axe = std::fs::read_to_string(&axe_path).expect("read axe-core");
        Some(Tools {
            chromium,
            chromedriver,
            axe,
        })
    }
}

/// A running ChromeDriver and a browser session on it; both end when dropped or closed.
struct Browser {
    driver: Child,
    client: Client,
    profile: PathBuf,
}

impl Browser {
    async fn start(tools: &Tools, accept_language: &str) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile =
            std::env::temp_dir().join(format!("motcua-chromium-{}-{port}", std::process::id()));
        let caps = json!({
            "goog:chromeOptions": {
                "binary": tools.chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                    "--disable-dev-shm-usage", "--window-size=1280,900", format!("--user-data-dir={}", profile.display())
                ],
                "prefs": {"intl.accept_languages": accept_language}
            }
        });
        let caps = caps.as_object().unwrap().clone();
        let mut last = None;
        for _ in 0..50 {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => {
                    return Browser {
                        driver,
                        client,
                        profile,
                    };
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("could not start a browser session: {last:?}");
    }

    async fn close(mut self) {
        self.client.clone().close().await.ok();
        self.driver.kill().ok();
        self.driver.wait().ok();
        std::fs::remove_dir_all(&self.profile).ok();
    }

    async fn text(&self, css: &str) -> String {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .text()
            .await
            .unwrap()
    }

    async fn focused(&self) -> String {
        self.client
            .execute("const e = document.activeElement; return (e.id ? '#' + e.id + ' ' : '') + e.tagName + ' ' + (e.textContent || e.value || '').trim().slice(0, 80);", vec![])
            .await
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    async fn press(&self, key: Key) {
        self.client
            .active_element()
            .await
            .unwrap()
            .send_keys(&key.to_string())
            .await
            .unwrap();
    }
}

fn code(s: &str) -> AgencyCode {
    AgencyCode::parse(s).unwrap()
}

/// The demo's catalog and places, served on a random port.
async fn spawn(store: Arc<dyn Store>) -> (String, AppState) {
    let agencies = CatalogAgencies {
        province: code("000.00.00.H22"),
        military_command: code("000.00.20.H22"),
        inspectorate: code("000.00.15.H22"),
        ministry: code("000.00.00.G01"),
    };
    for (c, parent, name, kind) in [
        (
            agencies.province,
            None,
            "Ủy ban nhân dân tỉnh Quảng Ninh",
            AgencyKind::Province,
        ),
        (
            code("000.00.01.H22"),
            Some(agencies.province),
            "Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh",
            AgencyKind::Centre,
        ),
        (
            agencies.military_command,
            Some(agencies.province),
            "Bộ Chỉ huy Quân sự tỉnh Quảng Ninh",
            AgencyKind::Vertical,
        ),
        (
            agencies.inspectorate,
            Some(agencies.province),
            "Thanh tra tỉnh Quảng Ninh",
            AgencyKind::Department,
        ),
        (
            code("000.00.36.H22"),
            Some(agencies.province),
            "Ủy ban nhân dân Phường Hồng Gai",
            AgencyKind::Commune,
        ),
        (
            agencies.ministry,
            None,
            "Bộ Quốc phòng",
            AgencyKind::Central,
        ),
    ] {
        store
            .put_agency(&Agency {
                code: c,
                parent,
                name: name.into(),
                name_en: None,
                kind,
                admin_unit_code: None,
            })
            .await
            .unwrap();
    }
    for (b, name) in [
        ("QN-HQ", "Trụ sở Trung tâm Phục vụ hành chính công tỉnh"),
        (
            "QN-HONGGAI",
            "Trung tâm Phục vụ hành chính công phường Hồng Gai",
        ),
    ] {
        store
            .put_branch(&Branch {
                code: b.into(),
                agency: code("000.00.01.H22"),
                name: name.into(),
                address: "Tỉnh Quảng Ninh".into(),
                hours: "Thứ Hai – Thứ Sáu: 07:30–11:30, 13:30–16:30".into(),
                counters: vec![Counter {
                    number: 1,
                    label: "Quầy 1".into(),
                }],
            })
            .await
            .unwrap();
    }
    store
        .put_procedures(&procedures(CATALOG, &agencies).unwrap())
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(
        store,
        WorkingCalendar::new(CalendarConfig::default()).unwrap(),
        TimelinessPolicy::default(),
        code("000.00.01.H22"),
        motcua_app::FileStore::open(
            std::env::temp_dir()
                .join(format!("motcua-test-files-{}", std::process::id()))
                .to_str()
                .unwrap(),
        )
        .unwrap(),
    )
    .await
    .unwrap()
    .with_public_url(&base)
    .with_payment(motcua_app::VnpayConfig {
        gateway_url: format!("{base}/sandbox/vnpay/pay"),
        tmn_code: "MOTCUA01".into(),
        secret: "browser-sandbox-secret".into(),
        public_url: base.clone(),
        sandbox: true,
        ipn_url: format!("{base}/api/v1/payments/vnpay/ipn"),
    });
    tokio::spawn(motcua_web::serve(listener, state.clone()));
    (base, state)
}

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
    c.find(Locator::Css(".lang-switch a"))
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

const AXE_RUN: &str = "const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))
  .catch(e => done([{id: 'axe-error', help: String(e)}]));";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_type_passes_axe_and_fits_a_phone() {
    let Some(tools) = Tools::find() else { return };
    let db = TestDb::sqlite().await;
    let (base, _) = spawn(db.store().await).await;
    let pages = [
        "/",
        "/procedures",
        "/procedures?q=dang+ky&field=Ngh%C4%A9a+v%E1%BB%A5+qu%C3%A2n+s%E1%BB%B1",
        &format!("/procedures?q={}", "a".repeat(250)),
        "/procedures/1.013133",
        "/procedures/1.013124",
        "/procedures/1.013133/apply",
        "/procedures/1.013124/documents/2/form",
        "/agencies",
        "/agencies/000.00.00.H22",
        "/branches",
        "/branches/QN-HQ",
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
        ] {
            b.client.goto(&format!("{base}{page}")).await.unwrap();
            let overflow: Value = b
                .client
                .execute(
                    "return document.documentElement.scrollWidth - window.innerWidth;",
                    vec![],
                )
                .await
                .unwrap();
            assert!(
                overflow.as_i64().unwrap_or(1) <= 0,
                "{page} is wider than a phone by {overflow} px"
            );
        }
        b.close().await;
    }
    db.drop_db().await;
}

// ---------------------------------------------------------------------------------------------
// The citizen's whole journey: register, verify, file a real procedure with attachments, pay
// in the sandbox gateway, get the receipt, track it, answer a supplement request, get the
// result; and the bad paths on the way.

async fn fill(b: &Browser, css: &str, text: &str) {
    let e = b
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    e.clear().await.ok();
    e.send_keys(text).await.unwrap();
}

async fn click(b: &Browser, css: &str) {
    b.client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn choose(b: &Browser, css: &str, value: &str) {
    b.client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .select_by_value(value)
        .await
        .unwrap();
}

/// Text of an element once the page has loaded (retried while a navigation is under way).
async fn text(b: &Browser, css: &str) -> String {
    for _ in 0..100 {
        let ready = b.client.execute("return document.readyState", vec![]).await;
        let complete = ready.ok().and_then(|v| v.as_str().map(str::to_string));
        if complete.as_deref() == Some("complete")
            && let Ok(e) = b.client.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
        {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no {css} on the page");
}

async fn body(b: &Browser) -> String {
    text(b, "main").await
}

/// Waits until the element's text contains `needle` (pages load after clicks); returns it.
async fn expect(b: &Browser, css: &str, needle: &str) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(e) = b.client.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
        {
            if t.contains(needle) {
                return t;
            }
            last = t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never showed {needle:?}; last: {last}");
}

async fn axe_clean(b: &Browser, tools: &Tools, what: &str) {
    b.client.execute(&tools.axe, vec![]).await.unwrap();
    let violations: Value = b.client.execute_async(AXE_RUN, vec![]).await.unwrap();
    assert_eq!(violations, json!([]), "axe on {what}");
}

fn temp_file(name: &str, bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("motcua-journey-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_string_lossy().into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn citizen_files_pays_tracks_supplements_and_gets_the_result() {
    use motcua_documents::testing::{pdf_text, qr_text};
    use motcua_domain::lifecycle::{Command, Lifecycle};
    use motcua_domain::role::{Actor, Role};
    use motcua_notify::testing::SmtpSink;
    use motcua_notify::{Dispatcher, EmailSender, SmtpConfig, SmtpEmail, SmtpSecurity};

    let Some(tools) = Tools::find() else { return };
    let db = TestDb::sqlite().await;
    let store = db.store().await;
    let (base, _) = spawn(store.clone()).await;
    let sink = SmtpSink::default();
    let port = sink.start().await;
    let email: Arc<dyn EmailSender> = Arc::new(
        SmtpEmail::new(&SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "Cổng dịch vụ công <noreply@motcua.test>".into(),
        })
        .unwrap(),
    );
    let dispatcher = Dispatcher::new(store.clone(), Some(email), None, base.clone());
    let b = Browser::start(&tools, "vi").await;
    let c = &b.client;

    // Register and verify with the code that arrived by e-mail.
    c.goto(&format!("{base}/account/register")).await.unwrap();
    axe_clean(&b, &tools, "register").await;
    fill(&b, "#f-full_name", "Trần Thị Hoa").await;
    fill(&b, "#f-login", "hoa@example.vn").await;
    fill(&b, "#f-password", "mật khẩu an toàn").await;
    click(&b, "main form button[type=submit]").await;
    expect(&b, "h1", "Nhập mã xác thực").await;
    dispatcher.run_once(chrono::Utc::now()).await.unwrap();
    let mail = sink
        .received
        .lock()
        .unwrap()
        .last()
        .cloned()
        .expect("a mail");
    assert_eq!(mail.0, "hoa@example.vn");
    let otp = mail
        .1
        .split(|ch: char| !ch.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_string();
    axe_clean(&b, &tools, "verify").await;
    fill(&b, "#f-code", &otp).await;
    click(&b, "main form button[type=submit]").await;
    expect(&b, "main", "Tài khoản đã được xác thực").await;
    axe_clean(&b, &tools, "account").await;

    // Profile: an invalid citizen ID is named in the error summary, nothing else is lost.
    c.goto(&format!("{base}/account/profile")).await.unwrap();
    fill(&b, "#f-cccd", "12345").await;
    choose(&b, "#f-province_code", "22").await;
    click(&b, "main form button[type=submit]").await;
    expect(&b, ".error-summary", "12").await;
    axe_clean(&b, &tools, "profile with errors").await;
    let province: Value = c
        .execute(
            "return document.querySelector('#f-province_code').value",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(province, "22", "the chosen province is kept");
    fill(&b, "#f-cccd", "022190004321").await;
    click(&b, "main form button[type=submit]").await;
    expect(&b, "main", "Đã lưu hồ sơ cá nhân").await;
    c.goto(&format!("{base}/account/profile")).await.unwrap();
    choose(&b, "#f-ward_code", "06652").await;
    fill(&b, "#f-address_line", "Tổ 5, khu 2").await;
    click(&b, "main form button[type=submit]").await;
    expect(&b, "main", "Đã lưu hồ sơ cá nhân").await;

    // File a real procedure of the catalog.
    let procedure = "1.013542";
    c.goto(&format!("{base}/procedures/{procedure}/apply"))
        .await
        .unwrap();
    click(&b, "main form button[type=submit]").await;
    expect(&b, "h1", "Thông tin tờ khai").await;
    axe_clean(&b, &tools, "draft answers").await;
    fill(&b, "#f-ghi_chu", "Đề nghị cấp lại giấy phép đã hết hạn.").await;
    click(&b, "main form button[type=submit]").await;
    expect(&b, "h1", "Giấy tờ đính kèm").await;
    let sections = c
        .find_all(Locator::Css("section.document"))
        .await
        .unwrap()
        .len();
    assert!(sections > 0);
    // Wrong type (a program named .pdf) and an oversized file: clear messages, nothing kept.
    let fake = temp_file("giay-phep.pdf", b"MZ\x90\0\x03\0\0\0 this is not a PDF");
    fill(&b, "#file-0", &fake).await;
    click(&b, "section.document form[enctype] button").await;
    expect(&b, ".error-summary", "PDF, JPG hoặc PNG").await;
    axe_clean(&b, &tools, "documents with an error").await;
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(11 * 1024 * 1024, b' ');
    let big = temp_file("lon.pdf", &big);
    fill(&b, "#file-0", &big).await;
    click(&b, "section.document form[enctype] button").await;
    expect(&b, ".error-summary", "10 MB").await;
    let pdf = motcua_documents::receipt_pdf(&motcua_documents::ReceiptSlip {
        authority: String::new(),
        office: "BẢN SAO GIẤY PHÉP".into(),
        place_and_date: String::new(),
        received: true,
        dossier_code: "-".into(),
        applicant_name: "Trần Thị Hoa".into(),
        applicant_address: None,
        applicant_phone: None,
        applicant_email: None,
        procedure_name: String::new(),
        documents: vec![],
        time_limit: String::new(),
        filed_at: String::new(),
        due_at: String::new(),
        channel: String::new(),
        fee: None,
        tracking_url: "-".into(),
        officer: None,
    })
    .unwrap();
    let good = temp_file("giay-phep-cu.pdf", &pdf);
    for i in 0..sections {
        fill(&b, &format!("#file-{i}"), &good).await;
        let forms = c
            .find_all(Locator::Css("section.document form[enctype] button"))
            .await
            .unwrap();
        forms[i].click().await.unwrap();
        let mut shown = 0;
        for _ in 0..100 {
            shown = body(&b).await.matches("giay-phep-cu.pdf (").count();
            if shown > i {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(shown, i + 1, "upload {i}");
    }
    expect(&b, "main", "giay-phep-cu.pdf").await;
    click(&b, "main p a.button").await;
    expect(&b, "h1", "Kiểm tra và nộp").await;
    axe_clean(&b, &tools, "check your answers").await;
    expect(&b, "main", "2.000.000 đồng").await;
    let check_url = c.current_url().await.unwrap();
    click(&b, "main form button[type=submit]").await;
    expect(&b, ".notice h1", "Đã nộp hồ sơ").await;
    let dossier_code = expect(&b, "#dossier-code", ".H22-").await;
    axe_clean(&b, &tools, "dossier").await;
    // Sending the form again (back, submit) files nothing twice.
    c.goto(check_url.as_str()).await.unwrap();
    expect(&b, "main", "đã được nộp trước đó").await;
    assert_eq!(
        store
            .owner_dossiers(
                &store
                    .citizen_by_login("hoa@example.vn")
                    .await
                    .unwrap()
                    .unwrap()
                    .id
            )
            .await
            .unwrap()
            .len(),
        1
    );

    // Pay in the sandbox; a tampered callback is refused.
    click(&b, "form[action$='/pay'] button").await;
    expect(&b, "h1", "Cổng thanh toán thử nghiệm").await;
    click(&b, "button[value=pay]").await;
    expect(&b, "h1", "Đã thanh toán phí, lệ phí").await;
    let back = c.current_url().await.unwrap().to_string();
    c.goto(&back.replace("vnp_ResponseCode=00", "vnp_ResponseCode=24"))
        .await
        .unwrap();
    expect(&b, "h1", "Kết quả thanh toán không hợp lệ").await;
    c.goto(&format!("{base}/account/dossiers/{dossier_code}"))
        .await
        .unwrap();
    expect(&b, "main", "đã nộp").await;
    assert!(
        c.find(Locator::Css("form[action$='/pay']")).await.is_err(),
        "nothing left to pay"
    );

    // The receipt, downloaded with the browser's session: text and QR code.
    let cookie = c.get_named_cookie("motcua_sid").await.unwrap();
    let receipt = reqwest::Client::new()
        .get(format!("{base}/api/v1/dossiers/{dossier_code}/receipt.pdf"))
        .header("cookie", format!("motcua_sid={}", cookie.value()))
        .send()
        .await
        .unwrap();
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
        fill(&b, "#f-verify", "4321").await;
        click(&b, "main form button[type=submit]").await;
        expect(&b, "#track-status", "Chờ tiếp nhận").await;
        axe_clean(&b, &tools, "tracking").await;
    }

    // The back office receives it and asks for a supplement.
    let record = store
        .dossier(&dossier_code.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
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
            motcua_store::ops::act(&*store, lc, &dossier, None, &cmd, &who, chrono::Utc::now())
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
    expect(&b, "main", "Bản sao giấy phép không rõ").await;
    axe_clean(&b, &tools, "dossier waiting for a supplement").await;
    fill(&b, "#sup-file", &good).await;
    click(&b, "#supplement form[enctype] button").await;
    expect(&b, "main", "Đã tải lên giấy tờ bổ sung").await;
    fill(&b, "#sup-note", "Đã chụp lại rõ nét").await;
    click(&b, "form[action$='/supplement/submit'] button").await;
    expect(&b, "main", "Đã gửi hồ sơ bổ sung").await;

    // An expired session sends the citizen to log in, and back to where they were.
    store
        .revoke_sessions(
            &record.state.intake.owner.clone().unwrap(),
            None,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    c.goto(&format!("{base}/account/dossiers/{dossier_code}"))
        .await
        .unwrap();
    expect(&b, "main", "Phiên làm việc đã hết").await;
    fill(&b, "#f-login", "hoa@example.vn").await;
    fill(&b, "#f-password", "mật khẩu an toàn").await;
    click(&b, "main form button[type=submit]").await;
    expect(&b, "#dossier-code", &dossier_code).await;

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
    let files = motcua_app::FileStore::open(
        std::env::temp_dir()
            .join(format!("motcua-test-files-{}", std::process::id()))
            .to_str()
            .unwrap(),
    )
    .unwrap();
    let sha = files.put(pdf.clone().into()).await.unwrap();
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
        &b,
        "main",
        "Giấy phép sử dụng vật liệu nổ công nghiệp (cấp lại)",
    )
    .await;
    expect(&b, "main", "Đã có kết quả giải quyết").await;
    let cookie = c.get_named_cookie("motcua_sid").await.unwrap();
    let result = reqwest::Client::new()
        .get(format!("{base}/api/v1/dossiers/{dossier_code}/result"))
        .header("cookie", format!("motcua_sid={}", cookie.value()))
        .send()
        .await
        .unwrap();
    assert_eq!(result.status(), 200);
    assert_eq!(result.headers()["content-type"], "application/pdf");
    assert_eq!(result.bytes().await.unwrap().as_ref(), pdf.as_slice());
    // Rate the service: a rating needs a level; then it is given once.
    click(&b, "#rating button[type=submit]").await;
    expect(&b, ".error-summary", "Hãy chọn mức độ hài lòng").await;
    click(&b, "#rating-very_satisfied").await;
    choose(&b, "#crit-attitude", "2").await;
    fill(&b, "#rating-comment", "Cán bộ hướng dẫn tận tình").await;
    axe_clean(&b, &tools, "rating form").await;
    click(&b, "#rating button[type=submit]").await;
    expect(&b, "main", "Cảm ơn ông/bà đã đánh giá").await;
    expect(&b, "main", "Rất hài lòng").await;
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
        axe_clean(&b, &tools, &format!("{page} (en)")).await;
    }
    expect(&b, "h1", "Sign in").await;
    b.close().await;
    db.drop_db().await;
}

/// Signs an officer in to the back office (after signing the previous one out).
async fn staff_login(b: &Browser, base: &str, username: &str) {
    b.client.delete_all_cookies().await.unwrap();
    b.client.goto(&format!("{base}/staff/login")).await.unwrap();
    fill(b, "#f-username", username).await;
    fill(b, "#f-password", &format!("pw-{username}")).await;
    click(b, "main form button[type=submit]").await;
    expect(b, "h1", "Hồ sơ cần xử lý").await;
}

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
        fill(b, css, value).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_office_receives_processes_across_agencies_apologises_and_refuses() {
    use motcua_domain::calendar::ProcessingTime;
    use motcua_domain::procedure::StepPlan;
    use motcua_domain::role::Role;
    use motcua_store::{RequiredDocument, User};

    let Some(tools) = Tools::find() else { return };
    let db = TestDb::sqlite().await;
    let store = db.store().await;
    let (base, state) = spawn(store.clone()).await;
    let inspectorate = code("000.00.15.H22");
    let commune = code("000.00.36.H22");
    for (username, role, agency) in [
        ("letan", Role::Reception, code("000.00.01.H22")),
        ("chuyenvien", Role::Specialist, inspectorate),
        ("lanhdao", Role::Approver, inspectorate),
        ("canboxa", Role::Specialist, commune),
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

    let b = Browser::start(&tools, "vi").await;
    let c = &b.client;

    // 1. A walk-in dossier received at the counter.
    staff_login(&b, &base, "letan").await;
    axe_clean(&b, &tools, "staff inbox").await;
    c.goto(&format!("{base}/staff/reception?procedure={pcode}"))
        .await
        .unwrap();
    axe_clean(&b, &tools, "reception console").await;
    let first = counter_intake(&b, &base, &pcode, "Phạm Văn Đức", "receive").await;
    axe_clean(&b, &tools, "staff dossier").await;
    let receipt = staff_download(
        &b,
        &base,
        &format!("/api/v1/dossiers/{first}/documents/receipt.pdf"),
    )
    .await;
    if let Some(text) = flat_pdf(&receipt) {
        assert!(
            text.contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
            "{text}"
        );
        assert!(
            text.contains("Phạm Văn Đức") && text.contains(&first),
            "{text}"
        );
    }
    act(&b, "forward", &[("#f-forward", "chuyenvien")]).await;

    // 2. The inspectorate's specialist asks for a supplement through the one-stop.
    staff_login(&b, &base, "chuyenvien").await;
    expect(&b, "#staff-list", &first).await;
    open_dossier(&b, &base, &first).await;
    act(
        &b,
        "request_supplement",
        &[
            ("#f-request-supplement", "Bản sao sổ hộ khẩu"),
            ("#f-request-supplement-reason", "Cần xác minh nơi cư trú"),
        ],
    )
    .await;
    expect(&b, "#dossier-status", "Chờ bổ sung").await;
    let guide = staff_download(
        &b,
        &base,
        &format!("/api/v1/dossiers/{first}/documents/supplement-guide.pdf"),
    )
    .await;
    if let Some(text) = flat_pdf(&guide) {
        assert!(
            text.contains("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
            "{text}"
        );
        assert!(text.contains("Bản sao sổ hộ khẩu"), "{text}");
    }
    // The applicant brings it to the counter; the specialist takes it and passes to the commune.
    staff_login(&b, &base, "letan").await;
    open_dossier(&b, &base, &first).await;
    act(
        &b,
        "submit_supplement",
        &[("#f-submit-supplement", "Đã nhận bản sao tại quầy")],
    )
    .await;
    staff_login(&b, &base, "chuyenvien").await;
    open_dossier(&b, &base, &first).await;
    act(&b, "accept_supplement", &[]).await;
    act(&b, "forward", &[("#f-forward", "canboxa")]).await;
    // 3. The commune verifies and hands back to the inspectorate's approver.
    staff_login(&b, &base, "canboxa").await;
    expect(&b, "#staff-list", &first).await;
    open_dossier(&b, &base, &first).await;
    expect(&b, "main", "Xác minh tại phường").await;
    act(&b, "forward", &[("#f-forward", "lanhdao")]).await;
    staff_login(&b, &base, "lanhdao").await;
    open_dossier(&b, &base, &first).await;
    act(&b, "approve", &[]).await;
    let signed = temp_file(
        "quyet-dinh.pdf",
        b"%PDF-1.4\n% Quyet dinh giai quyet\n%%EOF\n",
    );
    fill(&b, "#f-issue-result", "Chấp thuận đề nghị").await;
    fill(&b, "#f-issue-result-file", &signed).await;
    click(
        &b,
        "section[aria-labelledby='h-issue_result'] button[type=submit]",
    )
    .await;
    expect(&b, "#dossier-status", "Đã có kết quả").await;
    // The public page confirms the result's hash, agency and date.
    click(&b, "#verify-link").await;
    expect(&b, "#verify-issued", "Thanh tra tỉnh Quảng Ninh").await;
    axe_clean(&b, &tools, "verification page").await;
    fill(
        &b,
        "#f-file",
        &temp_file("sua.pdf", b"%PDF-1.4\n% da sua\n%%EOF\n"),
    )
    .await;
    click(&b, "main form button[type=submit]").await;
    expect(&b, "#verify-result", "KHÔNG khớp").await;
    fill(&b, "#f-file", &signed).await;
    click(&b, "main form button[type=submit]").await;
    expect(&b, "#verify-result", "khớp hoàn toàn").await;
    // 4. Returned at the counter; the control sheet shows every hand-over.
    staff_login(&b, &base, "letan").await;
    c.goto(&format!("{base}/staff?view=return")).await.unwrap();
    expect(&b, "#staff-list", &first).await;
    open_dossier(&b, &base, &first).await;
    act(&b, "return_result", &[]).await;
    expect(&b, "#dossier-status", "Đã trả kết quả").await;
    let sheet = staff_download(
        &b,
        &base,
        &format!("/api/v1/dossiers/{first}/documents/control-sheet.pdf"),
    )
    .await;
    if let Some(text) = flat_pdf(&sheet) {
        assert!(
            text.contains("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
            "{text}"
        );
        assert!(text.contains("Ủy ban nhân dân Phường Hồng Gai"), "{text}");
        assert!(text.contains("Thanh tra tỉnh Quảng Ninh"), "{text}");
    }

    // A second dossier runs late: the watcher apologises with a new appointment.
    let second = counter_intake(&b, &base, &pcode, "Lê Thị Mai", "receive").await;
    let due = store
        .dossier(&second.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
        .state
        .due_at
        .unwrap();
    let report =
        motcua_app::watch::watch_once(&state, "browser-test", due + chrono::Duration::days(1))
            .await
            .unwrap();
    assert_eq!(report.apologies, 1, "{report:?}");
    open_dossier(&b, &base, &second).await;
    expect(&b, "main", "Xin lỗi và hẹn lại ngày trả kết quả").await;
    let apology = staff_download(
        &b,
        &base,
        &format!("/api/v1/dossiers/{second}/documents/apology.pdf"),
    )
    .await;
    if let Some(text) = flat_pdf(&apology) {
        assert!(
            text.contains("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
            "{text}"
        );
        assert!(text.contains("Lê Thị Mai"), "{text}");
    }

    // A third is refused at reception with its reasons.
    let third = counter_intake(&b, &base, &pcode, "Hoàng Văn Nam", "refuse").await;
    expect(&b, "#dossier-status", "Từ chối").await;
    let refusal = staff_download(
        &b,
        &base,
        &format!("/api/v1/dossiers/{third}/documents/refusal.pdf"),
    )
    .await;
    if let Some(text) = flat_pdf(&refusal) {
        assert!(
            text.contains("Thủ tục không thuộc thẩm quyền giải quyết"),
            "{text}"
        );
        assert!(text.contains("Hoàng Văn Nam"), "{text}");
    }
    // Administration: a holiday added with its reason; the pages pass the accessibility scan.
    staff_login(&b, &base, "quantri").await;
    click(&b, "#admin-link").await;
    expect(&b, "#admin-list", "Thanh tra tỉnh Quảng Ninh").await;
    axe_clean(&b, &tools, "administration: agencies").await;
    c.goto(&format!("{base}/staff/admin/calendar"))
        .await
        .unwrap();
    fill(&b, "#f-date", "2026-12-31").await;
    choose(&b, "#f-day_kind", "off").await;
    fill(&b, "#f-name", "Nghỉ cuối năm").await;
    fill(&b, "#f-reason", "Quyết định của Ủy ban nhân dân tỉnh").await;
    click(&b, "main form[method=post] button[type=submit]").await;
    expect(&b, "#admin-notice", "Đã lưu").await;
    expect(&b, "#admin-changes", "Quyết định của Ủy ban nhân dân tỉnh").await;
    axe_clean(&b, &tools, "administration: calendar").await;
    c.goto(&format!("{base}/staff/admin/templates"))
        .await
        .unwrap();
    axe_clean(&b, &tools, "administration: templates").await;
    b.close().await;

    // The hash chain holds after all of it (what `motcua audit verify` checks).
    let report = store.verify_chain().await.unwrap();
    assert_eq!(report.broken, None, "{report:?}");
    assert_eq!(
        report.events, 17,
        "every event of the three dossiers and the administrator's change: {report:?}"
    );
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_ticket_is_called_on_a_live_board() {
    use motcua_domain::role::Role;
    use motcua_store::{ServiceGroup, User};

    let Some(tools) = Tools::find() else { return };
    let db = TestDb::sqlite().await;
    let store = db.store().await;
    let (base, _) = spawn(store.clone()).await;
    store
        .put_service_group(&ServiceGroup {
            branch: "QN-HQ".into(),
            code: "HT".into(),
            name: "Tư pháp – Hộ tịch".into(),
            prefix: "A".into(),
            counters: vec![1],
        })
        .await
        .unwrap();
    store
        .put_user(&User {
            username: "letan".into(),
            full_name: "Lễ tân".into(),
            role: Role::Reception,
            agency: Some(code("000.00.01.H22")),
            password_hash: motcua_app::secrets::hash_password("pw-letan").unwrap(),
            active: true,
        })
        .await
        .unwrap();
    let b = Browser::start(&tools, "vi").await;
    let c = &b.client;

    // The kiosk: one large button per group, a priority choice, a printable ticket.
    c.goto(&format!("{base}/branches/QN-HQ")).await.unwrap();
    click(&b, "#kiosk-link").await;
    expect(&b, "h1", "Lấy số thứ tự").await;
    axe_clean(&b, &tools, "kiosk").await;
    click(&b, "#kiosk-HT").await;
    expect(&b, "#ticket-number", "A001").await;
    expect(&b, "#ticket-ahead", "0").await;
    axe_clean(&b, &tools, "ticket").await;
    click(&b, "main p.no-print a").await;
    choose(&b, "#f-priority-HT", "elderly").await;
    click(&b, "#kiosk-HT").await;
    expect(&b, "#ticket-number", "A002").await;
    expect(&b, "main", "Người cao tuổi").await;

    // The board, open before the calls, shows them as they happen, without reloading.
    c.goto(&format!("{base}/branches/QN-HQ/board"))
        .await
        .unwrap();
    expect(&b, "h1", "Bảng gọi số").await;
    axe_clean(&b, &tools, "board").await;
    let marker: Value = c
        .execute("window.__same_page = true; return true", vec![])
        .await
        .unwrap();
    assert_eq!(marker, json!(true));
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": "letan", "password": "pw-letan"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let call = || {
        http.post(format!("{base}/api/v1/counters/QN-HQ-01/call-next"))
            .bearer_auth(&token)
            .send()
    };
    let first: Value = call().await.unwrap().json().await.unwrap();
    assert_eq!(first["number"], "A002", "the priority ticket first");
    expect(&b, "#board-calls", "A002").await;
    call().await.unwrap();
    let rows = expect(&b, "#board-calls", "A001").await;
    assert!(
        rows.find("A001") < rows.find("A002"),
        "newest on top: {rows}"
    );
    let same: Value = c
        .execute("return window.__same_page === true", vec![])
        .await
        .unwrap();
    assert_eq!(same, json!(true), "the board did not reload");
    // Its waiting line followed the calls too.
    expect(&b, "#waiting-HT", "0").await;

    // The counter's tablet shows the officer and asks the applicant being served (A001); a
    // summary page open elsewhere shows the rating as soon as it is given, without reloading.
    let summary = Browser::start(&tools, "vi").await;
    summary
        .client
        .goto(&format!("{base}/satisfaction"))
        .await
        .unwrap();
    expect(&summary, "h1", "Mức độ hài lòng").await;
    axe_clean(&summary, &tools, "satisfaction summary").await;
    let before = text(&summary, "#summary-officer").await;
    assert!(!before.contains("Lễ tân"), "{before}");
    summary
        .client
        .execute("window.__same_page = true; return true", vec![])
        .await
        .unwrap();
    staff_login(&b, &base, "letan").await;
    c.goto(&format!("{base}/staff/counters/QN-HQ-01/tablet"))
        .await
        .unwrap();
    expect(&b, "#tablet-officer", "Lễ tân").await;
    expect(&b, "#tablet-ticket", "A001").await;
    axe_clean(&b, &tools, "rating tablet").await;
    click(&b, "input[name=attitude][value='2']").await;
    click(&b, "#rate-very_satisfied").await;
    expect(&b, "#tablet-notice", "Cảm ơn").await;
    let row = expect(&summary, "#summary-officer", "Lễ tân").await;
    assert!(row.contains("100"), "one very satisfied rating: {row}");
    expect(&summary, "#summary-counter", "Quầy").await;
    let same: Value = summary
        .client
        .execute("return window.__same_page === true", vec![])
        .await
        .unwrap();
    assert_eq!(same, json!(true), "the summary did not reload");
    summary.close().await;

    // Booking from home: a group, a free slot, a name and a phone; the code to type.
    c.goto(&format!("{base}/branches/QN-HQ")).await.unwrap();
    click(&b, "#booking-link").await;
    expect(&b, "h1", "Đặt lịch hẹn").await;
    axe_clean(&b, &tools, "booking").await;
    fill(&b, "#f-name", "Trần Văn Bình").await;
    fill(&b, "#f-phone", "0912 345 678").await;
    click(&b, "#booking-submit").await;
    expect(&b, "#booking-error", "khung giờ").await;
    click(&b, "fieldset.slots input[type=radio]:not([disabled])").await;
    click(&b, "#booking-submit").await;
    let booked = expect(&b, "#booked-code", "").await;
    assert_eq!(booked.trim().len(), 8, "{booked}");
    axe_clean(&b, &tools, "booking confirmation").await;

    // Checking in at the kiosk: an appointment starting in ten minutes gets its ticket.
    store
        .book_appointment(
            &motcua_store::Appointment {
                code: "13572468".into(),
                branch: "QN-HQ".into(),
                group: "HT".into(),
                slot_at: chrono::Utc::now() + chrono::Duration::minutes(10),
                minutes: 30,
                name: "Đỗ Thị Hoa".into(),
                phone: "0912000111".into(),
                status: motcua_store::AppointmentStatus::Booked,
                created_at: chrono::Utc::now(),
                ticket_id: None,
            },
            4,
        )
        .await
        .unwrap();
    c.goto(&format!("{base}/branches/QN-HQ/kiosk"))
        .await
        .unwrap();
    fill(&b, "#f-appointment", "99999999").await;
    click(&b, "#kiosk-check-in").await;
    expect(&b, "#check-in-error", "Không có lịch hẹn").await;
    fill(&b, "#f-appointment", "13572468").await;
    click(&b, "#kiosk-check-in").await;
    expect(&b, "#ticket-number", "A003").await;
    expect(&b, "main", "Giờ hẹn").await;
    b.close().await;
    db.drop_db().await;
}

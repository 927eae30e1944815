//! The pages in real Chromium (Debian's `chromium` and `chromedriver`), driven over WebDriver,
//! one behaviour per test, each page type scanned with axe-core (WCAG 2.1 A and AA): the
//! public pages (`public`), the citizen's (`citizen`), the back office (`backoffice`) and the
//! floor (`floor`). Skipped with a message when Chromium, ChromeDriver or
//! `node_modules/axe-core` is missing, unless `MOTCUA_REQUIRE_BROWSER=1` (set by CI).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use motcua_app::App as AppState;
use motcua_catalog::portal::{
    CatalogAgencies, FieldRoutes, ReviewedForms, ReviewedLimits, procedures,
};
use motcua_domain::calendar::{CalendarConfig, WorkingCalendar};
use motcua_domain::ids::AgencyCode;
use motcua_domain::lifecycle::TimelinessPolicy;
use motcua_store::testing::TestDb;
use motcua_store::{Agency, AgencyKind, Branch, Counter, Store};
use serde_json::{Value, json};

const CATALOG: &str = include_str!("../../../../../fixtures/catalog/tthc-national-sample-207.json");
const LOCAL: &str = include_str!("../../../../../fixtures/catalog/tthc-catalog-local-2026-06.json");
const ROUTING: &str = include_str!("../../../../../fixtures/catalog/routing-quang-ninh.csv");
const LIMITS: &str = include_str!("../../../../../fixtures/catalog/limits-reviewed-quang-ninh.csv");
const FORMS: &str = include_str!("../../../../../fixtures/forms/forms-reviewed.json");
/// Đăng ký khai sinh of the local catalog: commune-level, handled by the applicant's ward.
const BIRTH: &str = "1.001193";
/// Issuing a passport (1.001456) and reporting one lost (at three levels).
const PASSPORTS: [&str; 4] = ["1.001456", "1.001445", "1.010385", "1.010386"];

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
            code("000.00.37.H22"),
            Some(agencies.province),
            "Ủy ban nhân dân Phường Hà Tu",
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
                admin_unit_code: match c.to_string().as_str() {
                    "000.00.36.H22" => Some("06685".into()),
                    "000.00.37.H22" => Some("06652".into()),
                    _ => None,
                },
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
    // Đăng ký khai sinh as the demo has it: routed by the province's table, its limit as
    // reviewed, its structured form.
    let routes = FieldRoutes::parse(ROUTING, agencies.province, agencies.inspectorate).unwrap();
    let mut birth: Vec<_> = procedures(LOCAL, &routes)
        .unwrap()
        .into_iter()
        .filter(|p| p.code.to_string() == BIRTH)
        .collect();
    ReviewedLimits::parse(LIMITS).unwrap().apply(&mut birth);
    ReviewedForms::parse(FORMS).unwrap().apply(&mut birth);
    store.put_procedures(&birth).await.unwrap();
    // The passport procedures, for the assistant: issuing one, and reporting one lost at
    // three levels under one name.
    let passports: Vec<_> = procedures(LOCAL, &routes)
        .unwrap()
        .into_iter()
        .filter(|p| PASSPORTS.contains(&p.code.to_string().as_str()))
        // The provincial police is not among this test's agencies.
        .map(|p| motcua_store::Procedure {
            agency: agencies.province,
            ..p
        })
        .collect();
    store.put_procedures(&passports).await.unwrap();
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
        api_url: Some(format!("{base}/sandbox/vnpay/api/transaction")),
    });
    tokio::spawn(motcua_web::serve(listener, state.clone()));
    (base, state)
}

const AXE_RUN: &str = "const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))
  .catch(e => done([{id: 'axe-error', help: String(e)}]));";

// What every journey does with a page.

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

/// Sets an input's value as the browser would after typing (a date input's typed form
/// depends on the browser's locale; its value does not).
async fn set_value(b: &Browser, css: &str, value: &str) {
    fill(b, css, "").await;
    b.client
        .execute(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1]; e.dispatchEvent(new Event('input', {bubbles: true}));",
            vec![json!(css), json!(value)],
        )
        .await
        .unwrap();
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

/// Fails when the page is wider than the window (on a phone: sideways scrolling).
async fn fits_the_window(b: &Browser, what: &str) {
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
        "{what} is wider than the window by {overflow} px"
    );
}

async fn axe_clean(b: &Browser, tools: &Tools, what: &str) {
    b.client.execute(&tools.axe, vec![]).await.unwrap();
    let violations: Value = b.client.execute_async(AXE_RUN, vec![]).await.unwrap();
    assert_eq!(violations, json!([]), "axe on {what}");
}

/// A PDF that passes the upload checks.
fn a_pdf() -> Vec<u8> {
    motcua_documents::receipt_pdf(&motcua_documents::ReceiptSlip {
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
        answers: vec![],
        documents: vec![],
        time_limit: String::new(),
        filed_at: String::new(),
        due_at: String::new(),
        channel: String::new(),
        fee: None,
        tracking_url: "-".into(),
        officer: None,
    })
    .unwrap()
}

/// A file to upload, named `name`, in a directory of its own (tests run in parallel).
fn temp_file(name: &str, bytes: &[u8]) -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("motcua-upload-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_string_lossy().into_owned()
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

mod backoffice;
mod citizen;
mod floor;
mod public;

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
use motcua_catalog::portal::{CatalogAgencies, procedures};
use motcua_domain::calendar::{CalendarConfig, WorkingCalendar};
use motcua_domain::ids::AgencyCode;
use motcua_domain::lifecycle::TimelinessPolicy;
use motcua_store::testing::TestDb;
use motcua_store::{Agency, AgencyKind, Branch, Counter, Store};
use motcua_web::AppState;
use serde_json::{Value, json};

const CATALOG: &str = include_str!("../../../fixtures/catalog/tthc-national-sample-207.json");

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
async fn spawn(store: Arc<dyn Store>) -> String {
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
    let state = AppState::new(
        store,
        WorkingCalendar::new(CalendarConfig::default()).unwrap(),
        TimelinessPolicy::default(),
        code("000.00.01.H22"),
        motcua_web::FileStore::open(
            std::env::temp_dir()
                .join(format!("motcua-test-files-{}", std::process::id()))
                .to_str()
                .unwrap(),
        )
        .unwrap(),
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(motcua_web::serve(listener, state));
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_open_download_and_switch_language() {
    let Some(tools) = Tools::find() else { return };
    let db = TestDb::sqlite().await;
    let base = spawn(db.store().await).await;
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
    let base = spawn(db.store().await).await;
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
    let base = spawn(db.store().await).await;
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

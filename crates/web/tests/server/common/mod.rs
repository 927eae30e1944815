//! What the API tests share: a real server on a random port over a fresh database, seeded
//! with agencies, staff of every role, API keys and one procedure; an HTTP client; and the
//! macro that runs a test on SQLite and on PostgreSQL.

use std::sync::Arc;

use motcua_app::App as AppState;
use motcua_app::secrets::{hash_password, new_secret, sha256_hex};
use motcua_domain::calendar::{CalendarConfig, ProcessingTime, WorkingCalendar};
use motcua_domain::ids::{AgencyCode, ProcedureCode};
use motcua_domain::lifecycle::TimelinessPolicy;
use motcua_domain::procedure::{StepPlan, SupplementClock};
use motcua_domain::role::Role;
use motcua_notify::testing::SmtpSink;
use motcua_notify::{Dispatcher, EmailSender, SmtpConfig, SmtpEmail, SmtpSecurity};
use motcua_store::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub fn code(s: &str) -> AgencyCode {
    AgencyCode::parse(s).unwrap()
}
pub const PROVINCE: &str = "000.00.00.H22";
pub const CENTRE: &str = "000.00.01.H22";
pub const DEPARTMENT: &str = "000.00.02.H22";
pub const OTHER: &str = "000.00.03.H22";
/// A ward (administrative unit 06652) whose People's Committee handles commune-level work.
pub const COMMUNE: &str = "000.00.36.H22";
/// The sandbox gateway's shared secret in tests.
pub const SANDBOX_SECRET: &str = "sandbox-secret-for-tests";

pub struct App {
    pub store: Arc<dyn Store>,
    /// The server's state, for calling its jobs directly.
    pub state: AppState,
    pub base: String,
    pub http: reqwest::Client,
    pub key_rw: String,
    pub key_read_only: String,
    /// The device key of a kiosk registered for the centre's branches.
    pub key_kiosk: String,
}

impl App {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn token(&self, username: &str) -> String {
        let r = self
            .http
            .post(self.url("/api/v1/auth/token"))
            .json(&json!({"username": username, "password": format!("pw-{username}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "log-in of {username}");
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn get(&self, path: &str, bearer: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.http.get(self.url(path));
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// A POST from the client at `ip` (behind the trusted proxy the tests are).
    pub async fn post_from(&self, ip: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        let r = self
            .http
            .post(self.url(path))
            .header("x-forwarded-for", ip)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// A GET from the client at `ip`.
    pub async fn get_from(&self, ip: &str, path: &str) -> (StatusCode, Value) {
        let r = self
            .http
            .get(self.url(path))
            .header("x-forwarded-for", ip)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(
        &self,
        path: &str,
        bearer: Option<&str>,
        body: &Value,
    ) -> (StatusCode, Value) {
        let mut req = self.http.post(self.url(path)).json(body);
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

/// A dossier as the API answers it, with the fields the tests read.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Filed {
    pub code: String,
    /// The national status code's name, e.g. `received`.
    pub status: String,
    pub version: u32,
    pub due_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// An error as the API answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub status: StatusCode,
    pub code: String,
}

/// A ticket of the floor as the API answers it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Ticket {
    pub id: i64,
    pub number: String,
    pub counter_code: Option<String>,
    pub people_ahead: Option<u64>,
    pub expected_wait_minutes: Option<i64>,
}

/// A citizen's draft as the API answers it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Draft {
    pub id: String,
    pub fee: i64,
    pub documents: Vec<DraftDocument>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct DraftDocument {
    pub required: bool,
}

/// A draft filed: the dossier.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Submitted {
    pub dossier: Filed,
}

impl Refused {
    fn from(status: StatusCode, answer: &Value) -> Refused {
        Refused {
            status,
            code: answer["error"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        }
    }
}

impl App {
    /// Takes a ticket at branch HQ's kiosk (`{"group", "priority"?}`): the ticket, or the
    /// refusal.
    pub async fn take_ticket(&self, body: &Value) -> Result<Ticket, Refused> {
        let kiosk = Some(self.key_kiosk.as_str());
        let (s, answer) = self.post("/api/v1/branches/HQ/tickets", kiosk, body).await;
        if s == StatusCode::CREATED {
            Ok(serde_json::from_value(answer).expect("a ticket"))
        } else {
            Err(Refused::from(s, &answer))
        }
    }

    /// Calls the next ticket to `counter` as `bearer`: the ticket, `None` when nobody waits,
    /// or the refusal.
    pub async fn call_next(
        &self,
        counter: &str,
        bearer: Option<&str>,
    ) -> Result<Option<Ticket>, Refused> {
        let path = format!("/api/v1/counters/{counter}/call-next");
        let (s, answer) = self.post(&path, bearer, &serde_json::json!({})).await;
        match s {
            StatusCode::OK => Ok(Some(serde_json::from_value(answer).expect("a ticket"))),
            StatusCode::NO_CONTENT => Ok(None),
            _ => Err(Refused::from(s, &answer)),
        }
    }

    /// Starts a draft of `procedure` for the citizen signed in with `bearer`.
    pub async fn start_draft(&self, bearer: &str, procedure: &str) -> Draft {
        let body = serde_json::json!({ "procedure_code": procedure });
        let (s, draft) = self
            .post("/api/v1/citizen/drafts", Some(bearer), &body)
            .await;
        assert_eq!(s, StatusCode::CREATED, "{draft}");
        serde_json::from_value(draft).expect("a draft")
    }

    /// Files the draft `id`: the dossier, or the refusal.
    pub async fn submit_draft(&self, bearer: &str, id: &str) -> Result<Submitted, Refused> {
        let path = format!("/api/v1/citizen/drafts/{id}/submit");
        let (s, answer) = self.post(&path, Some(bearer), &serde_json::json!({})).await;
        if s == StatusCode::CREATED {
            Ok(serde_json::from_value(answer).expect("a filed draft"))
        } else {
            Err(Refused::from(s, &answer))
        }
    }

    /// Files a dossier over the API as `bearer`; the test fails unless it is created.
    pub async fn file_dossier(&self, bearer: &str, body: &Value) -> Filed {
        let (s, created) = self.post("/api/v1/dossiers", Some(bearer), body).await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        serde_json::from_value(created).expect("a dossier")
    }

    /// Carries out an action on dossier `code` as `bearer`: the dossier after it, or the
    /// refusal's status and code.
    pub async fn act(&self, bearer: &str, code: &str, body: &Value) -> Result<Filed, Refused> {
        let (s, answer) = self
            .post(
                &format!("/api/v1/dossiers/{code}/actions"),
                Some(bearer),
                body,
            )
            .await;
        if s == StatusCode::OK {
            Ok(serde_json::from_value(answer).expect("a dossier"))
        } else {
            Err(Refused::from(s, &answer))
        }
    }
}

pub async fn spawn(store: Arc<dyn Store>) -> App {
    for (c, parent, kind) in [
        (PROVINCE, None, AgencyKind::Province),
        (CENTRE, Some(PROVINCE), AgencyKind::Centre),
        (DEPARTMENT, Some(PROVINCE), AgencyKind::Department),
        (OTHER, Some(PROVINCE), AgencyKind::Department),
        (COMMUNE, Some(PROVINCE), AgencyKind::Commune),
    ] {
        store
            .put_agency(&Agency {
                code: code(c),
                parent: parent.map(code),
                name: format!("Cơ quan {c}"),
                name_en: None,
                kind,
                admin_unit_code: (kind == AgencyKind::Commune).then(|| "06652".into()),
            })
            .await
            .unwrap();
    }
    store
        .put_branch(&Branch {
            code: "HQ".into(),
            agency: code(CENTRE),
            name: "Trụ sở".into(),
            address: "Hạ Long".into(),
            hours: "".into(),
            counters: vec![],
        })
        .await
        .unwrap();
    store
        .put_procedure(&Procedure {
            code: ProcedureCode::parse("1.001234").unwrap(),
            name: "Đăng ký khai sinh".into(),
            name_en: None,
            decision: None,
            field: "Hộ tịch".into(),
            level: "Cấp Tỉnh".into(),
            agency: code(DEPARTMENT),
            implementing_body: "Sở".into(),
            competent_body: "Sở".into(),
            online_level: OnlineLevel::Partial,
            processing_time: Some(ProcessingTime::WorkingDays(3)),
            supplement_clock: SupplementClock::Restart,
            steps: vec![
                StepPlan {
                    name: "Thẩm định".into(),
                    agency: None,
                    role: Role::Specialist,
                    budget_hours: 16,
                },
                StepPlan {
                    name: "Phê duyệt".into(),
                    agency: None,
                    role: Role::Approver,
                    budget_hours: 8,
                },
            ],
            methods: vec![],
            documents: vec![],
            conditions: None,
            result: None,
            target_subjects: None,
            legal_basis: vec![],
            form_schema: json!({}),
            provenance: None,
            missing: vec![],
        })
        .await
        .unwrap();
    for (username, role, agency) in [
        ("letan", Role::Reception, CENTRE),
        ("chuyenvien", Role::Specialist, DEPARTMENT),
        ("lanhdao", Role::Approver, DEPARTMENT),
        ("khac", Role::Specialist, OTHER),
        ("giamsat", Role::Supervisor, PROVINCE),
        ("lanhdaotinh", Role::Leader, PROVINCE),
        ("quantri", Role::Administrator, PROVINCE),
    ] {
        store
            .put_user(&User {
                username: username.into(),
                full_name: username.into(),
                role,
                agency: Some(code(agency)),
                password_hash: hash_password(&format!("pw-{username}")).unwrap(),
                active: true,
            })
            .await
            .unwrap();
    }
    let key_rw = new_secret("mck_");
    let key_read_only = new_secret("mck_");
    let key_kiosk = new_secret("mck_");
    for (key, name, scopes, agency) in [
        (&key_rw, "rw", Scope::ALL.to_vec(), DEPARTMENT),
        (&key_read_only, "ro", vec![Scope::DossiersRead], DEPARTMENT),
        (&key_kiosk, "kiosk-hq-1", vec![Scope::Kiosk], CENTRE),
    ] {
        store
            .put_api_key(&ApiKey {
                name: name.into(),
                agency: code(agency),
                scopes,
                key_hash: sha256_hex(key),
                revoked: false,
            })
            .await
            .unwrap();
    }
    store
        .put_procedure(&Procedure {
            code: ProcedureCode::parse("1.009999").unwrap(),
            name: "Cấp phép thử nghiệm trực tuyến".into(),
            online_level: OnlineLevel::Full,
            methods: vec![SubmissionMethod {
                method: "Trực tuyến".into(),
                time_limit_text: "3 ngày làm việc".into(),
                processing_time: Some(ProcessingTime::WorkingDays(3)),
                fee_text: "Lệ phí : 50.000 Đồng".into(),
                fee_vnd: Some(50_000),
            }],
            documents: vec![
                RequiredDocument {
                    name: "Tờ khai".into(),
                    originals: Some(1),
                    copies: Some(0),
                    template: None,
                },
                RequiredDocument {
                    name: "Giấy tờ khác (nếu có)".into(),
                    originals: None,
                    copies: Some(1),
                    template: None,
                },
            ],
            form_schema: json!({
                "type": "object",
                "required": ["ho_ten_tre", "ngay_sinh"],
                "x-order": ["ho_ten_tre", "ngay_sinh", "ghi_chu"],
                "x-attachments": {"max_mb": 1, "max_files": 3},
                "properties": {
                    "ho_ten_tre": {"type": "string", "title": "Họ tên trẻ", "maxLength": 100},
                    "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh"},
                    "ghi_chu": {"type": "string", "format": "textarea", "title": "Ghi chú"}
                }
            }),
            ..store
                .procedure(&ProcedureCode::parse("1.001234").unwrap())
                .await
                .unwrap()
                .unwrap()
        })
        .await
        .unwrap();
    // A commune-level procedure the catalog routes to the province as a whole: the commune
    // where the applicant lives handles it.
    store
        .put_procedure(&Procedure {
            code: ProcedureCode::parse("1.009997").unwrap(),
            name: "Đăng ký kết hôn (cấp xã)".into(),
            level: "Cấp Xã".into(),
            agency: code(PROVINCE),
            online_level: OnlineLevel::Full,
            missing: vec!["fees".into()],
            ..store
                .procedure(&ProcedureCode::parse("1.001234").unwrap())
                .await
                .unwrap()
                .unwrap()
        })
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let calendar = WorkingCalendar::new(CalendarConfig::default()).unwrap();
    let files = std::env::temp_dir().join(format!("motcua-test-files-{}", std::process::id()));
    let mut state = AppState::new(
        store.clone(),
        calendar,
        TimelinessPolicy::default(),
        code(CENTRE),
        motcua_app::FileStore::open(files.to_str().unwrap()).unwrap(),
    )
    .await
    .unwrap()
    .with_public_url(&base)
    // The tests speak for many clients through X-Forwarded-For from the loopback address.
    .with_trusted_proxies(vec![
        "127.0.0.1/32".parse().unwrap(),
        "::1/128".parse().unwrap(),
    ])
    .with_payment(motcua_app::VnpayConfig {
        gateway_url: format!("{base}/sandbox/vnpay/pay"),
        tmn_code: "MOTCUA01".into(),
        secret: SANDBOX_SECRET.into(),
        public_url: base.clone(),
        sandbox: true,
        ipn_url: format!("{base}/api/v1/payments/vnpay/ipn"),
        api_url: Some(format!("{base}/sandbox/vnpay/api/transaction")),
    });
    // The monitoring page's figures are looked at again every minute; the tests do not wait.
    state.monitoring_refresh = std::time::Duration::from_millis(300);
    tokio::spawn(motcua_web::serve(listener, state.clone()));
    // reqwest is built with rustls and no default crypto provider (see motcua-notify).
    let _ = rustls::crypto::ring::default_provider().install_default();
    App {
        store,
        state,
        base,
        http: reqwest::Client::new(),
        key_rw,
        key_read_only,
        key_kiosk,
    }
}

pub fn dossier_body() -> Value {
    json!({
        "procedure_code": "1.001234",
        "applicant": {"name": "Nguyễn Thị Ánh", "cccd": "022305001234", "phone": "+84 912 345 678", "email": "anh@example.vn"},
        "channel": "counter",
        "branch_code": "HQ",
        "form": {"ho_ten_tre": "Nguyễn Văn An"}
    })
}

/// A real SMTP server for the test and the dispatcher that delivers the outbox to it.
pub struct Mail {
    pub sink: SmtpSink,
    pub dispatcher: Dispatcher,
}

impl Mail {
    pub async fn start(app: &App) -> Mail {
        Mail::for_server(app.store.clone(), &app.base).await
    }

    /// A real SMTP server started here, and the dispatcher that sends the outbox of `store`
    /// (a server at `base`) to it.
    pub async fn for_server(store: Arc<dyn Store>, base: &str) -> Mail {
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
        let dispatcher = Dispatcher::new(store, Some(email), None, base.to_string());
        Mail { sink, dispatcher }
    }

    /// Delivers what is queued and returns the six-digit code of the last mail to `to`.
    pub async fn code_for(&self, to: &str) -> String {
        self.dispatcher.run_once(chrono::Utc::now()).await.unwrap();
        let mails = self.sink.received.lock().unwrap().clone();
        let (_, body) = mails
            .iter()
            .rev()
            .find(|(rcpt, _)| rcpt == to)
            .unwrap_or_else(|| panic!("no mail to {to}"));
        body.split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
            .expect("a six-digit code")
            .to_string()
    }
}

pub async fn send(
    app: &App,
    method: reqwest::Method,
    path: &str,
    bearer: Option<&str>,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let mut req = app.http.request(method, app.url(path));
    if let Some(b) = bearer {
        req = req.bearer_auth(b);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Registers an account by e-mail, verifies it with the mailed code, returns its token.
pub async fn register_and_verify(app: &App, mail: &Mail, login: &str) -> String {
    let (s, body) = app
        .post(
            "/api/v1/citizen/register",
            None,
            &json!({"login": login, "password": "mật khẩu 123", "full_name": "Nguyễn Thị Ánh"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let code = mail.code_for(login).await;
    let (s, body) = app
        .post(
            "/api/v1/citizen/verify",
            None,
            &json!({"login": login, "code": code}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["token"].as_str().unwrap().to_string()
}

macro_rules! on_both_backends {
    ($($name:ident),*) => {
        mod sqlite {

            use motcua_store::testing::TestDb;
            $(
                #[tokio::test]
                async fn $name() {
                    let db = TestDb::sqlite().await;
                    super::$name(super::spawn(db.store().await).await).await;
                    db.drop_db().await;
                }
            )*
        }
        mod postgres {

            use motcua_store::testing::TestDb;
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = TestDb::postgres().await else { return };
                    super::$name(super::spawn(db.store().await).await).await;
                    db.drop_db().await;
                }
            )*
        }
    };
}

pub use motcua_web::testing::{Tab, csrf_of};

pub async fn log_in(app: &App, username: &str) -> (Tab, String) {
    let mut tab = Tab::new(&app.base);
    let (s, _, html) = tab.get("/staff/login").await;
    assert_eq!(s, StatusCode::OK);
    let csrf = csrf_of(&html);
    let password = format!("pw-{username}");
    let (s, location, _) = tab
        .post(
            "/staff/login",
            &[
                ("csrf", &csrf),
                ("username", username),
                ("password", &password),
                ("next", "/staff"),
            ],
        )
        .await;
    assert_eq!(
        (s, location.as_str()),
        (StatusCode::SEE_OTHER, "/staff"),
        "log-in of {username}"
    );
    let (s, _, html) = tab.get("/staff").await;
    assert_eq!(s, StatusCode::OK);
    let csrf = csrf_of(&html);
    (tab, csrf)
}

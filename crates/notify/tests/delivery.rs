//! Delivery end to end: events in the outbox become e-mails to a real SMTP server started by
//! the test (a minimal in-process server speaking SMTP) and texts to a local HTTP SMS sink;
//! failures are retried with back-off without repeating what already went out; hopeless
//! messages are given up. On SQLite and PostgreSQL.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use motcua_domain::calendar::{CalendarConfig, ProcessingTime, TZ, WorkingCalendar};
use motcua_domain::ids::{AgencyCode, Cccd, Phone, ProcedureCode};
use motcua_domain::lifecycle::{Applicant, Channel, Command, Intake, Lifecycle, TimelinessPolicy};
use motcua_domain::procedure::{StepPlan, SupplementClock};
use motcua_domain::role::{Actor, Role};
use motcua_notify::testing::{SmsSink, SmtpSink, sms_sink};
use motcua_notify::{
    Dispatcher, EmailSender, HttpSms, SmsConfig, SmsSender, SmtpConfig, SmtpEmail, SmtpSecurity,
};
use motcua_store::testing::TestDb;
use motcua_store::{Agency, AgencyKind, OnlineLevel, Procedure, Store, ops};

fn code(s: &str) -> AgencyCode {
    AgencyCode::parse(s).unwrap()
}

fn vn(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    TZ.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .unwrap()
        .with_timezone(&Utc)
}

async fn seed(store: &dyn Store) -> Procedure {
    for (c, parent) in [
        ("000.00.00.H22", None),
        ("000.00.01.H22", Some("000.00.00.H22")),
        ("000.00.02.H22", Some("000.00.00.H22")),
    ] {
        store
            .put_agency(&Agency {
                code: code(c),
                parent: parent.map(code),
                name: c.into(),
                name_en: None,
                kind: AgencyKind::Department,
                admin_unit_code: None,
            })
            .await
            .unwrap();
    }
    let p = Procedure {
        code: ProcedureCode::parse("1.001193").unwrap(),
        name: "Đăng ký khai sinh".into(),
        name_en: None,
        decision: None,
        field: "Hộ tịch".into(),
        level: "Cấp Tỉnh".into(),
        agency: code("000.00.02.H22"),
        implementing_body: String::new(),
        competent_body: String::new(),
        online_level: OnlineLevel::Partial,
        processing_time: Some(ProcessingTime::WorkingDays(3)),
        supplement_clock: SupplementClock::Restart,
        steps: vec![StepPlan {
            name: "Thẩm định".into(),
            agency: None,
            role: Role::Specialist,
            budget_hours: 8,
        }],
        methods: vec![],
        documents: vec![],
        conditions: None,
        result: None,
        target_subjects: None,
        legal_basis: vec![],
        form_schema: serde_json::json!({}),
        provenance: None,
        missing: vec![],
    };
    store.put_procedure(&p).await.unwrap();
    p
}

struct Setup {
    store: Arc<dyn Store>,
    smtp: SmtpSink,
    sms: SmsSink,
    dispatcher: Dispatcher,
}

async fn setup(store: Arc<dyn Store>) -> Setup {
    let smtp = SmtpSink::default();
    let port = smtp.start().await;
    let email = SmtpEmail::new(&SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from: "Trung tâm PVHCC <noreply@motcua.test>".into(),
    })
    .unwrap();
    let (sms, url) = sms_sink().await;
    let gateway = HttpSms::new(SmsConfig {
        url,
        api_key: "sms-key".into(),
        sender: "MOTCUA".into(),
    })
    .unwrap();
    let email: Arc<dyn EmailSender> = Arc::new(email);
    let texts: Arc<dyn SmsSender> = Arc::new(gateway);
    let dispatcher = Dispatcher::new(
        store.clone(),
        Some(email),
        Some(texts),
        "http://127.0.0.1:8080".into(),
    );
    Setup {
        store,
        smtp,
        sms,
        dispatcher,
    }
}

async fn open(
    store: &dyn Store,
    cal: &WorkingCalendar,
    at: DateTime<Utc>,
) -> motcua_store::DossierRecord {
    let p = store
        .procedure(&ProcedureCode::parse("1.001193").unwrap())
        .await
        .unwrap()
        .unwrap();
    let lc = Lifecycle {
        calendar: cal,
        timeliness: TimelinessPolicy::default(),
    };
    let intake = Intake {
        procedure: p.rules().unwrap(),
        applicant: Applicant {
            name: "Nguyễn Thị Ánh".into(),
            cccd: Some(Cccd::parse("022305001234").unwrap()),
            phone: Some(Phone::parse("0912345678").unwrap()),
            email: Some("anh@example.vn".into()),
            tax_code: None,
            lang: Default::default(),
        },
        channel: Channel::Counter,
        receiving_agency: code("000.00.01.H22"),
        competent_agency: code("000.00.02.H22"),
        branch: None,
        owner: None,
        receive_now: true,
        components: Vec::new(),
    };
    ops::open(
        store,
        &lc,
        intake,
        serde_json::json!({}),
        &Actor::new("letan", Role::Reception, Some(code("000.00.01.H22"))),
        at,
    )
    .await
    .unwrap()
}

async fn delivers_retries_and_gives_up(s: Setup) {
    seed(&*s.store).await;
    let cal = WorkingCalendar::new(CalendarConfig::default()).unwrap();
    let t0 = vn(2025, 6, 2, 9, 0);
    let record = open(&*s.store, &cal, t0).await;
    let dossier_code = record.code.to_string();

    assert_eq!(
        s.dispatcher.run_once(t0).await.unwrap(),
        2,
        "opened and received"
    );
    {
        let mails = s.smtp.received.lock().unwrap();
        assert_eq!(mails.len(), 2);
        assert!(mails.iter().all(|(to, _)| to == "anh@example.vn"));
        assert!(mails[1].1.contains(&format!("Hồ sơ {dossier_code} (Đăng ký khai sinh) đã được tiếp nhận. Ngày hẹn trả kết quả: 16:30 05/06/2025.")), "{}", mails[1].1);
        assert!(mails[1].1.contains("Kính gửi Nguyễn Thị Ánh,"));
        // How to track it: the link with the code, and the factor that works for this dossier.
        assert!(
            mails[1].1.contains(&format!(
                "Tra cứu hồ sơ: http://127.0.0.1:8080/track?code={dossier_code} (mã hồ sơ {dossier_code}; mã xác thực là 4 số cuối số điện thoại của người nộp)."
            )),
            "{}",
            mails[1].1
        );
        let texts = s.sms.texts.lock().unwrap();
        assert_eq!(texts.len(), 2);
        assert_eq!(texts[1]["to"], "+84912345678");
        assert_eq!(
            texts[1]["text"],
            format!("Ho so {dossier_code} da duoc tiep nhan. Hen tra ket qua: 16:30 05/06/2025.")
        );
    }
    assert_eq!(
        s.store
            .dossier_notifications(&record.code)
            .await
            .unwrap()
            .len(),
        4
    );
    assert_eq!(s.store.pending_outbox(10).await.unwrap().len(), 0);
    assert_eq!(s.dispatcher.run_once(t0).await.unwrap(), 0, "nothing left");

    // A forward tells the applicant nothing; a supplement request does. The SMTP server
    // refuses once: the text goes out, the e-mail is retried after 30 s and not repeated.
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let reception = Actor::new("letan", Role::Reception, Some(code("000.00.01.H22")));
    ops::act(
        &*s.store,
        &lc,
        &record.code,
        None,
        &Command::Forward {
            assignee: None,
            note: None,
        },
        &reception,
        t0,
    )
    .await
    .unwrap();
    let specialist = Actor::new("cv", Role::Specialist, Some(code("000.00.02.H22")));
    let t1 = t0 + Duration::hours(1);
    ops::act(
        &*s.store,
        &lc,
        &record.code,
        None,
        &Command::RequestSupplement {
            reason: "Thiếu giấy tờ".into(),
            missing: vec!["Bản sao CCCD".into()],
        },
        &specialist,
        t1,
    )
    .await
    .unwrap();
    *s.smtp.refuse.lock().unwrap() = 1;
    // Only the request is queued: the forwarding tells the applicant nothing.
    assert_eq!(s.dispatcher.run_once(t1).await.unwrap(), 1);
    assert_eq!(s.smtp.received.lock().unwrap().len(), 2, "refused once");
    assert_eq!(s.sms.texts.lock().unwrap().len(), 3, "the text went out");
    assert_eq!(
        s.dispatcher
            .run_once(t1 + Duration::seconds(20))
            .await
            .unwrap(),
        0,
        "not due yet"
    );
    assert_eq!(
        s.dispatcher
            .run_once(t1 + Duration::seconds(31))
            .await
            .unwrap(),
        1
    );
    let mails = s.smtp.received.lock().unwrap().clone();
    assert_eq!(mails.len(), 3);
    assert!(
        mails[2]
            .1
            .contains("Lý do: Thiếu giấy tờ. Giấy tờ cần bổ sung: Bản sao CCCD."),
        "{}",
        mails[2].1
    );
    assert_eq!(
        s.sms.texts.lock().unwrap().len(),
        3,
        "the text was not sent twice"
    );

    // The SMS gateway keeps failing: the message is given up after ten attempts; the e-mail
    // went out once.
    *s.sms.status.lock().unwrap() = 503;
    let t2 = t1 + Duration::hours(2);
    ops::act(
        &*s.store,
        &lc,
        &record.code,
        None,
        &Command::Withdraw {
            reason: "Không cần nữa".into(),
        },
        &reception,
        t2,
    )
    .await
    .unwrap();
    let mut now = t2;
    for _ in 0..10 {
        s.dispatcher.run_once(now).await.unwrap();
        now += Duration::hours(2);
    }
    assert_eq!(
        s.dispatcher
            .run_once(now + Duration::days(1))
            .await
            .unwrap(),
        0,
        "given up"
    );
    assert_eq!(s.smtp.received.lock().unwrap().len(), 4);
    assert_eq!(s.sms.texts.lock().unwrap().len(), 3);
}

async fn delivers_one_time_codes(s: Setup) {
    let now = vn(2025, 6, 2, 9, 0);
    let message = |purpose: &str, lang| motcua_store::Message {
        topic: motcua_notify::CODE_TOPIC.into(),
        at: now,
        payload: serde_json::to_value(motcua_notify::CodeMessage {
            purpose: purpose.into(),
            code: "482913".into(),
            minutes: 10,
            lang,
            email: Some("anh@example.vn".into()),
            phone: Some("+84912345678".into()),
        })
        .unwrap(),
    };
    let citizen = motcua_store::Citizen {
        id: "c1".into(),
        email: Some("anh@example.vn".into()),
        phone: Some("+84912345678".into()),
        password_hash: "x".into(),
        verified_at: None,
        full_name: "Nguyễn Thị Ánh".into(),
        cccd: None,
        birth_date: None,
        province_code: None,
        ward_code: None,
        address_line: None,
        lang: motcua_domain::Lang::Vi,
        created_at: now,
    };
    let code = motcua_store::OneTimeCode {
        citizen_id: "c1".into(),
        purpose: motcua_store::CodePurpose::Verify,
        code_hash: "h".into(),
        expires_at: now + Duration::minutes(10),
        attempts: 0,
    };
    s.store
        .create_citizen(&citizen, &code, &message("verify", motcua_domain::Lang::Vi))
        .await
        .unwrap();
    s.store
        .issue_code(
            &motcua_store::OneTimeCode {
                purpose: motcua_store::CodePurpose::Reset,
                ..code.clone()
            },
            &message("reset", motcua_domain::Lang::En),
        )
        .await
        .unwrap();
    assert_eq!(s.dispatcher.run_once(now).await.unwrap(), 2);
    let mails = s.smtp.received.lock().unwrap().clone();
    assert_eq!(mails.len(), 2);
    assert!(mails[0].1.contains("Mã xác thực tài khoản Cổng dịch vụ công của bạn là 482913. Mã có hiệu lực trong 10 phút."), "{}", mails[0].1);
    assert!(
        mails[1]
            .1
            .contains("Your Public Service Portal password reset code is 482913."),
        "{}",
        mails[1].1
    );
    let texts = s.sms.texts.lock().unwrap().clone();
    assert_eq!(texts.len(), 2);
    assert_eq!(texts[0]["to"], "+84912345678");
    assert!(
        texts[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Ma xac thuc tai khoan dich vu cong: 482913")
    );
}

macro_rules! on_both_backends {
    ($($name:ident),*) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let db = TestDb::sqlite().await;
                    super::$name(setup(db.store().await).await).await;
                    db.drop_db().await;
                }
            )*
        }
        mod postgres {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = TestDb::postgres().await else { return };
                    super::$name(setup(db.store().await).await).await;
                    db.drop_db().await;
                }
            )*
        }
    };
}

on_both_backends!(delivers_retries_and_gives_up, delivers_one_time_codes);

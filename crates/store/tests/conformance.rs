//! The storage contract's conformance suite, written once and run on SQLite and on
//! PostgreSQL (a fresh database per test, dropped afterwards).

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use motcua_domain::calendar::{
    CalendarConfig, DayKind, DayOverride, ProcessingTime, TZ, WorkingCalendar,
};
use motcua_domain::ids::{
    AgencyCode, BranchCode, Cccd, CitizenId, DossierCode, DraftId, Phone, ProcedureCode, TicketId,
};
use motcua_domain::lifecycle::{
    Applicant, Channel, Command, Intake, Lifecycle, RatingCriterion, Satisfaction, Status,
    TimelinessPolicy,
};
use motcua_domain::procedure::{StepPlan, SupplementClock};
use motcua_domain::role::{Actor, Role};
use motcua_store::ops::{self, OpError};
use motcua_store::testing::TestDb;
use motcua_store::*;
use sqlx::{Executor, Row};

fn code(s: &str) -> AgencyCode {
    AgencyCode::parse(s).unwrap()
}
fn province() -> AgencyCode {
    code("000.00.00.H22")
}
fn centre() -> AgencyCode {
    code("000.00.01.H22")
}
fn department() -> AgencyCode {
    code("000.00.02.H22")
}
fn commune() -> AgencyCode {
    code("000.00.03.H22")
}

/// The branch the floor's checks run at.
fn hq() -> BranchCode {
    BranchCode::new("HQ")
}

fn vn(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    TZ.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn procedure() -> Procedure {
    Procedure {
        code: ProcedureCode::parse("1.001234").unwrap(),
        name: "Đăng ký khai sinh".into(),
        name_en: Some("Birth registration".into()),
        decision: None,
        field: "Hộ tịch".into(),
        level: "Cấp Xã".into(),
        agency: department(),
        implementing_body: "Sở Tư pháp".into(),
        competent_body: "Sở Tư pháp".into(),
        online_level: OnlineLevel::Full,
        processing_time: Some(ProcessingTime::WorkingDays(3)),
        supplement_clock: SupplementClock::Restart,
        steps: vec![
            StepPlan {
                name: "Thẩm định".into(),
                agency: None,
                role: Role::Specialist,
                budget_hours: 8,
            },
            StepPlan {
                name: "Phê duyệt".into(),
                agency: None,
                role: Role::Approver,
                budget_hours: 8,
            },
        ],
        methods: vec![],
        documents: vec![RequiredDocument {
            name: "Tờ khai".into(),
            originals: Some(1),
            copies: Some(0),
            template: None,
        }],
        conditions: None,
        result: Some("Giấy khai sinh".into()),
        target_subjects: None,
        legal_basis: vec![],
        form_schema: serde_json::json!({"type": "object"}),
        provenance: None,
        missing: vec!["fees".into()],
    }
}

async fn seed(store: &dyn Store) {
    for (c, parent, name, kind) in [
        (
            province(),
            None,
            "Ủy ban nhân dân tỉnh Quảng Ninh",
            AgencyKind::Province,
        ),
        (
            centre(),
            Some(province()),
            "Trung tâm Phục vụ hành chính công tỉnh",
            AgencyKind::Centre,
        ),
        (
            department(),
            Some(province()),
            "Sở Tư pháp",
            AgencyKind::Department,
        ),
        (
            commune(),
            Some(province()),
            "Ủy ban nhân dân phường Hồng Gai",
            AgencyKind::Commune,
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
    store.put_procedure(&procedure()).await.unwrap();
}

fn intake(receive_now: bool) -> Intake {
    Intake {
        procedure: procedure().rules().unwrap(),
        applicant: Applicant {
            name: "Nguyễn Thị Ánh".into(),
            cccd: Some(Cccd::parse("022305001234").unwrap()),
            phone: Some(Phone::parse("0912345678").unwrap()),
            email: None,
            tax_code: None,
            lang: Default::default(),
        },
        channel: if receive_now {
            Channel::Counter
        } else {
            Channel::Online
        },
        receiving_agency: centre(),
        competent_agency: department(),
        branch: Some("HQ".into()),
        owner: None,
        receive_now,
        components: Vec::new(),
    }
}

/// A dossier opened by the reception officer at `at`: a walk-in received at once, or one
/// filed online and waiting for reception.
async fn open(
    store: &dyn Store,
    lc: &Lifecycle<'_>,
    receive_now: bool,
    at: DateTime<Utc>,
) -> DossierRecord {
    ops::open(
        store,
        lc,
        intake(receive_now),
        serde_json::json!({}),
        &reception(),
        at,
    )
    .await
    .unwrap()
}

fn calendar() -> WorkingCalendar {
    WorkingCalendar::new(CalendarConfig::default()).unwrap()
}

fn reception() -> Actor {
    Actor::new("letan", Role::Reception, Some(centre()))
}

async fn agencies_branches_users_keys(store: Arc<dyn Store>) {
    seed(&*store).await;
    let agencies = store.agencies().await.unwrap();
    assert_eq!(agencies.len(), 4);
    assert_eq!(
        agencies
            .iter()
            .find(|a| a.code == commune())
            .unwrap()
            .parent,
        Some(province())
    );
    let branch = Branch {
        code: "HQ".into(),
        agency: centre(),
        name: "Trụ sở Trung tâm".into(),
        address: "Hạ Long".into(),
        hours: "07:30–17:00".into(),
        counters: vec![
            Counter {
                number: 1,
                label: "Quầy 1".into(),
            },
            Counter {
                number: 2,
                label: "Quầy 2".into(),
            },
        ],
    };
    store.put_branch(&branch).await.unwrap();
    let mut fewer = branch.clone();
    fewer.counters.pop();
    store.put_branch(&fewer).await.unwrap();
    assert_eq!(store.branches().await.unwrap(), vec![fewer]);
    let bad = Branch {
        code: "X".into(),
        agency: code("000.00.09.H22"),
        ..branch
    };
    assert!(matches!(
        store.put_branch(&bad).await,
        Err(StoreError::MissingReference(_))
    ));

    let user = User {
        username: "letan".into(),
        full_name: "Trần Văn Bình".into(),
        role: Role::Reception,
        agency: Some(centre()),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        active: true,
    };
    store.put_user(&user).await.unwrap();
    assert_eq!(store.user("letan").await.unwrap(), Some(user.clone()));
    assert_eq!(store.user("nobody").await.unwrap(), None);
    let now = vn(2025, 6, 2, 9, 0);
    store
        .put_token("tokenhash", "letan", now, now + chrono::Duration::hours(8))
        .await
        .unwrap();
    assert_eq!(
        store.token_user("tokenhash", now).await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(
        store
            .token_user("tokenhash", now + chrono::Duration::hours(9))
            .await
            .unwrap(),
        None
    );
    store
        .put_user(&User {
            active: false,
            ..user
        })
        .await
        .unwrap();
    assert_eq!(
        store.token_user("tokenhash", now).await.unwrap(),
        None,
        "inactive users lose their tokens"
    );

    let key = ApiKey {
        name: "he-thong-ho-tich".into(),
        agency: department(),
        scopes: vec![Scope::DossiersRead, Scope::DossiersWrite],
        key_hash: "keyhash".into(),
        revoked: false,
    };
    store.put_api_key(&key).await.unwrap();
    assert_eq!(store.api_key("keyhash").await.unwrap(), Some(key));
    assert_eq!(store.api_key("other").await.unwrap(), None);
}

async fn catalog_is_written_whole_or_not_at_all(store: Arc<dyn Store>) {
    seed(&*store).await;
    let p = procedure();
    assert_eq!(store.procedure(&p.code).await.unwrap(), Some(p.clone()));
    let stamp = store.catalog_stamp().await.unwrap();
    let mut other = p.clone();
    other.code = ProcedureCode::parse("2.000635").unwrap();
    other.name = "Đăng ký kết hôn".into();
    other.agency = commune();
    let mut broken = p.clone();
    broken.code = ProcedureCode::parse("2.000636").unwrap();
    broken.agency = code("000.00.09.H22");
    // One procedure refers to an unknown agency: nothing of the batch is written.
    assert!(matches!(
        store.put_procedures(&[other.clone(), broken]).await,
        Err(StoreError::MissingReference(_))
    ));
    assert_eq!(store.procedures().await.unwrap(), vec![p.clone()]);
    assert_eq!(store.catalog_stamp().await.unwrap(), stamp);
    store.put_procedures(&[other.clone()]).await.unwrap();
    assert_eq!(
        store.procedures().await.unwrap(),
        vec![p, other],
        "ordered by code"
    );
    assert_ne!(
        store.catalog_stamp().await.unwrap(),
        stamp,
        "the stamp moves with every write"
    );
}

async fn calendar_days_and_settings(store: Arc<dyn Store>) {
    let day = DayOverride {
        date: NaiveDate::from_ymd_opt(2025, 5, 2).unwrap(),
        kind: DayKind::Off,
        name: "Nghỉ hoán đổi".into(),
    };
    store.put_calendar_day(&day).await.unwrap();
    let worked = DayOverride {
        kind: DayKind::Working,
        ..day.clone()
    };
    store.put_calendar_day(&worked).await.unwrap();
    assert_eq!(store.calendar_days().await.unwrap(), vec![worked]);
    assert_eq!(store.setting("seeded").await.unwrap(), None);
    store.put_setting("seeded", "1").await.unwrap();
    store.put_setting("seeded", "2").await.unwrap();
    assert_eq!(store.setting("seeded").await.unwrap().as_deref(), Some("2"));
}

async fn dossier_lifecycle_events_outbox_stats(store: Arc<dyn Store>) {
    seed(&*store).await;
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let now = vn(2025, 6, 2, 9, 0);
    let form = serde_json::json!({"ho_ten_tre": "Nguyễn Văn An"});
    let rec = ops::open(&*store, &lc, intake(true), form.clone(), &reception(), now)
        .await
        .unwrap();
    assert_eq!(rec.code.to_string(), "000.00.01.H22-250602-0001");
    assert_eq!(rec.version, 2);
    assert_eq!(rec.state.status, Status::Received);
    let second = open(&*store, &lc, false, now).await;
    assert_eq!(second.code.sequence(), 2);
    let next_day = open(&*store, &lc, false, vn(2025, 6, 3, 9, 0)).await;
    assert_eq!(
        next_day.code.to_string(),
        "000.00.01.H22-250603-0001",
        "the sequence restarts each day"
    );

    let loaded = store.dossier(&rec.code).await.unwrap().unwrap();
    assert_eq!(loaded, rec);
    let forwarded = ops::act(
        &*store,
        &lc,
        &rec.code,
        Some(2),
        &Command::Forward {
            assignee: None,
            note: None,
        },
        &reception(),
        now,
    )
    .await
    .unwrap();
    assert_eq!(forwarded.version, 3);
    assert_eq!(forwarded.state.status, Status::InProcessing);
    assert_eq!(forwarded.form, form);
    // A stale version is a conflict and writes nothing.
    let stale = ops::act(
        &*store,
        &lc,
        &rec.code,
        Some(2),
        &Command::Forward {
            assignee: None,
            note: None,
        },
        &reception(),
        now,
    )
    .await;
    assert!(matches!(
        stale,
        Err(OpError::Store(StoreError::Conflict {
            expected: 2,
            found: 3
        }))
    ));
    // A refused decision writes nothing either.
    let wrong = Actor::new("x", Role::Specialist, Some(commune()));
    let denied = ops::act(
        &*store,
        &lc,
        &rec.code,
        None,
        &Command::Forward {
            assignee: None,
            note: None,
        },
        &wrong,
        now,
    )
    .await;
    assert!(matches!(denied, Err(OpError::Lifecycle(_))));
    assert_eq!(store.dossier(&rec.code).await.unwrap().unwrap().version, 3);

    let events = store.events(&rec.code).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.version).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(
        events
            .iter()
            .map(|e| e.event.kind.name())
            .collect::<Vec<_>>(),
        vec!["opened", "received", "forwarded"]
    );
    assert_eq!(
        motcua_domain::lifecycle::replay(events.iter().map(|e| &e.event)).unwrap(),
        forwarded.state
    );
    // The timeline read from the indexed columns says what the hashed bodies say.
    let (state, timeline) = store.dossier_timeline(&rec.code).await.unwrap().unwrap();
    assert_eq!(state, forwarded.state);
    assert_eq!(
        timeline
            .iter()
            .map(|t| (t.at, t.kind.name()))
            .collect::<Vec<_>>(),
        events
            .iter()
            .map(|e| (e.event.at, e.event.kind.name()))
            .collect::<Vec<_>>()
    );
    assert!(
        store
            .dossier_timeline(&DossierCode::parse("000.00.00.H05-260818-9999").unwrap())
            .await
            .unwrap()
            .is_none()
    );

    let outbox = store.pending_outbox(100).await.unwrap();
    assert_eq!(
        outbox.iter().map(|m| m.topic.as_str()).collect::<Vec<_>>(),
        vec![
            "dossier.opened",
            "dossier.received",
            "dossier.opened",
            "dossier.opened"
        ],
        "one message per event the applicant is told of (filed, received), none for forwarding"
    );

    let stats = store.stats(&StatsFilter::default()).await.unwrap();
    let count = |m: &str| stats.iter().find(|r| r.metric == m).map_or(0, |r| r.count);
    assert_eq!((count("submitted"), count("received")), (3, 1));
    let june2 = StatsFilter {
        from: NaiveDate::from_ymd_opt(2025, 6, 2),
        to: NaiveDate::from_ymd_opt(2025, 6, 2),
        agency: Some(department()),
        by_day: true,
        ..StatsFilter::default()
    };
    let rows = store.stats(&june2).await.unwrap();
    assert!(
        rows.iter()
            .all(|r| r.day == NaiveDate::from_ymd_opt(2025, 6, 2))
    );
    assert_eq!(
        rows.iter().find(|r| r.metric == "submitted").unwrap().count,
        2
    );
    assert_eq!(store.count_dossiers().await.unwrap(), 3);
    assert_eq!(
        store
            .popular_procedures(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(), 5)
            .await
            .unwrap(),
        vec![(procedure().code, 3)]
    );
    assert!(
        store
            .dossier(&"000.00.01.H22-250602-0099".parse().unwrap())
            .await
            .unwrap()
            .is_none()
    );

    let report = store.verify_chain().await.unwrap();
    assert_eq!((report.events, report.broken), (5, None));
}

async fn concurrent_intakes_get_distinct_codes(store: Arc<dyn Store>) {
    seed(&*store).await;
    let cal = Arc::new(calendar());
    let now = vn(2025, 6, 2, 9, 0);
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let (store, cal) = (store.clone(), cal.clone());
        tasks.push(tokio::spawn(async move {
            let lc = Lifecycle {
                calendar: &cal,
                timeliness: TimelinessPolicy::default(),
            };
            open(&*store, &lc, true, now).await.code
        }));
    }
    let mut codes = HashSet::new();
    for t in tasks {
        codes.insert(t.await.unwrap().sequence());
    }
    assert_eq!(codes, (1..=40).collect::<HashSet<u32>>());
    // Concurrent actions on one dossier: each applies once, none is lost.
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let code = open(&*store, &lc, true, now).await.code;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (store, cal) = (store.clone(), cal.clone());
        tasks.push(tokio::spawn(async move {
            let lc = Lifecycle {
                calendar: &cal,
                timeliness: TimelinessPolicy::default(),
            };
            ops::act(
                &*store,
                &lc,
                &code,
                None,
                &Command::Assign {
                    assignee: format!("officer-{i}"),
                },
                &reception(),
                now,
            )
            .await
            .map(|r| r.version)
        }));
    }
    let mut versions = Vec::new();
    for t in tasks {
        versions.push(t.await.unwrap().unwrap());
    }
    versions.sort();
    assert_eq!(versions, (3..=10).collect::<Vec<u32>>());
    assert_eq!(store.verify_chain().await.unwrap().broken, None);
}

async fn import_batch(store: Arc<dyn Store>) {
    seed(&*store).await;
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let mut batch = Vec::new();
    for day in 1..=3 {
        let at = vn(2025, 3, day, 10, 0);
        let events = lc
            .decide(
                None,
                &Command::Open(Box::new(intake(true))),
                &reception(),
                at,
            )
            .unwrap();
        let state = motcua_domain::lifecycle::replay(&events).unwrap();
        batch.push(NewDossier {
            events,
            state,
            form: serde_json::json!({}),
        });
    }
    let codes = store.import_dossiers(&batch).await.unwrap();
    assert_eq!(
        codes.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        vec![
            "000.00.01.H22-250301-0001",
            "000.00.01.H22-250302-0001",
            "000.00.01.H22-250303-0001"
        ]
    );
    assert_eq!(store.verify_chain().await.unwrap().events, 6);
}

async fn tampering_is_detected(store: Arc<dyn Store>, url: &str) {
    seed(&*store).await;
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let now = vn(2025, 6, 2, 9, 0);
    for _ in 0..3 {
        open(&*store, &lc, true, now).await;
    }
    assert_eq!(store.verify_chain().await.unwrap().broken, None);
    sqlx::any::install_default_drivers();
    let raw = sqlx::AnyPool::connect(url).await.unwrap();
    // Change the applicant's name inside the third event's content.
    raw.execute(
        "UPDATE events SET body = REPLACE(body, 'Nguyễn Thị Ánh', 'Nguyễn Thị Anh') WHERE seq = 3",
    )
    .await
    .unwrap();
    let report = store.verify_chain().await.unwrap();
    let broken = report.broken.expect("tampering detected");
    assert_eq!(
        (broken.seq, broken.stream.as_str()),
        (3, "000.00.01.H22-250602-0002")
    );
    assert_eq!(report.events, 2, "two good events before the broken one");
}

async fn names_stored_before_folding_are_folded_once(store: Arc<dyn Store>, url: &str) {
    seed(&*store).await;
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let record = open(&*store, &lc, false, vn(2025, 6, 2, 9, 0)).await;
    // As a database migrated from before the column was kept would be.
    sqlx::any::install_default_drivers();
    let raw = sqlx::AnyPool::connect(url).await.unwrap();
    raw.execute("UPDATE dossiers SET applicant_folded = NULL")
        .await
        .unwrap();
    raw.execute("INSERT INTO settings (key, value) VALUES ('search_backfill', 'needed')")
        .await
        .unwrap();
    let by_name = Find::Name("nguyen thi anh".into());
    assert!(store.find_dossiers(&by_name, 5).await.unwrap().is_empty());
    let reopened = motcua_store::connect(url).await.unwrap();
    let found = reopened.find_dossiers(&by_name, 5).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code, record.code);
    assert_eq!(reopened.setting("search_backfill").await.unwrap(), None);
    reopened.close().await;
}

async fn a_lost_connection_is_unavailable_not_a_failure(store: Arc<dyn Store>, url: &str) {
    seed(&*store).await;
    if store.backend() != Backend::Postgres {
        return;
    }
    // The server ends every other connection of the database (as an administrator or a
    // failover would).
    sqlx::any::install_default_drivers();
    let raw = sqlx::AnyPool::connect(url).await.unwrap();
    raw.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .await
    .unwrap();
    // A read or write on a killed connection answers "unavailable" (503), never a plain
    // database error (500); the pool then recovers by itself.
    for _ in 0..4 {
        match store.agencies().await {
            Ok(_) | Err(StoreError::Unavailable(_)) => {}
            Err(e) => panic!("a lost connection answered {e:?}"),
        }
    }
    let mut recovered = false;
    for _ in 0..20 {
        if store.agencies().await.is_ok() {
            recovered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(recovered, "the pool did not recover");
}

async fn deleted_event_is_detected(store: Arc<dyn Store>, url: &str) {
    seed(&*store).await;
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let now = vn(2025, 6, 2, 9, 0);
    for _ in 0..2 {
        open(&*store, &lc, true, now).await;
    }
    sqlx::any::install_default_drivers();
    let raw = sqlx::AnyPool::connect(url).await.unwrap();
    raw.execute("DELETE FROM events WHERE seq = 2")
        .await
        .unwrap();
    let broken = store
        .verify_chain()
        .await
        .unwrap()
        .broken
        .expect("deletion detected");
    assert_eq!(broken.seq, 3);
    assert!(broken.reason.contains("missing"), "{}", broken.reason);
}

fn citizen(id: &str, email: &str) -> Citizen {
    Citizen {
        id: id.into(),
        email: Some(email.into()),
        phone: None,
        password_hash: "$argon2id$x".into(),
        verified_at: None,
        full_name: "Nguyễn Thị Ánh".into(),
        cccd: None,
        birth_date: None,
        province_code: None,
        ward_code: None,
        address_line: None,
        lang: motcua_domain::Lang::Vi,
        created_at: vn(2025, 6, 1, 8, 0),
    }
}

async fn portal_accounts_sessions_drafts_payments(store: Arc<dyn Store>) {
    seed(&*store).await;
    let now = vn(2025, 6, 2, 9, 0);
    let code = |id: &str| OneTimeCode {
        citizen_id: id.into(),
        purpose: CodePurpose::Verify,
        code_hash: "h1".into(),
        expires_at: now + chrono::Duration::minutes(10),
        attempts: 0,
    };
    let msg = Message {
        topic: "citizen.code".into(),
        at: now,
        payload: serde_json::json!({"to": "anh@example.vn"}),
    };
    let mut anh = citizen("c1", "anh@example.vn");
    store.create_citizen(&anh, &code("c1"), &msg).await.unwrap();
    // The same e-mail cannot register twice, and nothing of the second try is kept.
    let before = store.pending_outbox(100).await.unwrap().len();
    assert!(matches!(
        store
            .create_citizen(&citizen("c2", "anh@example.vn"), &code("c2"), &msg)
            .await,
        Err(StoreError::Duplicate(_))
    ));
    assert_eq!(store.pending_outbox(100).await.unwrap().len(), before);
    assert!(
        store
            .citizen(&CitizenId::new("c2"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .one_time_code(&CitizenId::new("c2"), CodePurpose::Verify)
            .await
            .unwrap()
            .is_none()
    );
    let queued = store.pending_outbox(100).await.unwrap();
    assert!(queued.iter().any(|m| m.topic == "citizen.code"));

    assert_eq!(
        store
            .citizen_by_login("anh@example.vn")
            .await
            .unwrap()
            .unwrap(),
        anh
    );
    store
        .count_code_attempt(&CitizenId::new("c1"), CodePurpose::Verify)
        .await
        .unwrap();
    let c = store
        .one_time_code(&CitizenId::new("c1"), CodePurpose::Verify)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((c.attempts, c.code_hash.as_str()), (1, "h1"));
    store
        .delete_code(&CitizenId::new("c1"), CodePurpose::Verify)
        .await
        .unwrap();
    assert!(
        store
            .one_time_code(&CitizenId::new("c1"), CodePurpose::Verify)
            .await
            .unwrap()
            .is_none()
    );
    anh.verified_at = Some(now);
    anh.phone = Some("+84912345678".into());
    anh.birth_date = Some(NaiveDate::from_ymd_opt(1990, 2, 3).unwrap());
    anh.ward_code = Some("25174".into());
    store.put_citizen(&anh).await.unwrap();
    assert_eq!(
        store
            .citizen_by_login("+84912345678")
            .await
            .unwrap()
            .unwrap(),
        anh
    );

    let session = |hash: &str| CitizenSession {
        token_hash: hash.into(),
        citizen_id: "c1".into(),
        csrf: "csrf".into(),
        created_at: now,
        last_seen_at: now,
        expires_at: now + chrono::Duration::hours(2),
        user_agent: "Firefox".into(),
        revoked_at: None,
    };
    store.create_session(&session("s1")).await.unwrap();
    store.create_session(&session("s2")).await.unwrap();
    store.create_session(&session("s3")).await.unwrap();
    assert_eq!(
        store
            .citizen_sessions(&CitizenId::new("c1"), now)
            .await
            .unwrap()
            .len(),
        3
    );
    assert!(
        store
            .session("s1", now + chrono::Duration::hours(3))
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    store
        .touch_session("s1", now, now + chrono::Duration::hours(4))
        .await
        .unwrap();
    assert!(
        store
            .session("s1", now + chrono::Duration::hours(3))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .revoke_session(&CitizenId::new("c1"), "s2", now)
            .await
            .unwrap()
    );
    assert!(
        !store
            .revoke_session(&CitizenId::new("c1"), "s2", now)
            .await
            .unwrap()
    );
    assert!(
        !store
            .revoke_session(&CitizenId::new("other"), "s3", now)
            .await
            .unwrap(),
        "not another's"
    );
    assert!(store.session("s2", now).await.unwrap().is_none());
    store
        .revoke_sessions(&CitizenId::new("c1"), Some("s1"), now)
        .await
        .unwrap();
    let live: Vec<String> = store
        .citizen_sessions(&CitizenId::new("c1"), now)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.token_hash)
        .collect();
    assert_eq!(live, ["s1"]);

    let draft = Draft {
        id: DraftId::new("d1"),
        citizen_id: "c1".into(),
        procedure_code: "1.001234".into(),
        answers: serde_json::json!({"ho_ten_tre": "An"}),
        created_at: now,
        updated_at: now,
        dossier_code: None,
    };
    assert!(store.create_draft(&draft, 1).await.unwrap());
    let second_draft = Draft {
        id: DraftId::new("d2"),
        ..draft.clone()
    };
    assert!(
        !store.create_draft(&second_draft, 1).await.unwrap(),
        "one open draft allowed"
    );
    store.put_draft(&draft).await.unwrap();
    let attachment = Attachment {
        id: "a1".into(),
        citizen_id: "c1".into(),
        draft_id: Some(DraftId::new("d1")),
        dossier_code: None,
        document: "Tờ khai".into(),
        file_name: "to-khai.pdf".into(),
        content_type: "application/pdf".into(),
        size: 1234,
        sha256: "ab".repeat(32),
        created_at: now,
        reused_from: None,
    };
    let quota = AttachmentQuota {
        files: 1,
        draft_bytes: 10_000,
    };
    assert_eq!(
        store.put_attachment(&attachment, &quota).await.unwrap(),
        QuotaCheck::Stored
    );
    let more = Attachment {
        id: "a9".into(),
        ..attachment.clone()
    };
    assert_eq!(
        store.put_attachment(&more, &quota).await.unwrap(),
        QuotaCheck::TooManyFiles
    );
    let roomy = AttachmentQuota {
        files: 10,
        draft_bytes: 2_000,
    };
    assert_eq!(
        store.put_attachment(&more, &roomy).await.unwrap(),
        QuotaCheck::TooManyBytes,
        "1,234 bytes held and 1,234 more exceed 2,000"
    );
    // Racing uploads cannot overrun the limit: 12 at once into a draft holding one file, with
    // room for six.
    let racing = (0..12).map(|i| {
        let store = store.clone();
        let a = Attachment {
            id: format!("r{i}"),
            reused_from: Some("000.00.01.H22-250101-0001".into()),
            ..attachment.clone()
        };
        tokio::spawn(async move {
            let quota = AttachmentQuota {
                files: 6,
                draft_bytes: 1_000_000,
            };
            store.put_attachment(&a, &quota).await.unwrap()
        })
    });
    let mut stored = 0;
    for r in racing.collect::<Vec<_>>() {
        if r.await.unwrap() == QuotaCheck::Stored {
            stored += 1;
        }
    }
    assert_eq!(stored, 5);
    // A reused file keeps where it came from.
    let reused = store.draft_attachments(&DraftId::new("d1")).await.unwrap();
    assert_eq!(reused.iter().filter(|a| a.reused_from.is_some()).count(), 5);
    for i in 0..12 {
        store.delete_attachment(&format!("r{i}")).await.unwrap();
    }
    assert_eq!(
        store.citizen_drafts(&CitizenId::new("c1")).await.unwrap(),
        vec![draft.clone()]
    );
    assert_eq!(
        store.draft_attachments(&DraftId::new("d1")).await.unwrap(),
        vec![attachment.clone()]
    );

    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let mut online = intake(false);
    online.channel = Channel::Online;
    online.owner = Some("c1".into());
    online.procedure.prepaid_fee = 50_000;
    let applicant = Actor::new("c1", Role::Applicant, None);
    let events = lc
        .decide(None, &Command::Open(Box::new(online)), &applicant, now)
        .unwrap();
    let state = motcua_domain::lifecycle::replay(&events).unwrap();
    let new = NewDossier {
        events,
        state,
        form: draft.answers.clone(),
    };
    let rec = store.submit_draft(&DraftId::new("d1"), &new).await.unwrap();
    // A second submission of the same draft (double click, replayed form) opens nothing.
    let count = store.count_dossiers().await.unwrap();
    match store.submit_draft(&DraftId::new("d1"), &new).await {
        Err(StoreError::Duplicate(code)) => assert_eq!(code, rec.code.to_string()),
        other => panic!("{other:?}"),
    }
    assert_eq!(store.count_dossiers().await.unwrap(), count);
    assert!(
        store
            .citizen_drafts(&CitizenId::new("c1"))
            .await
            .unwrap()
            .is_empty()
    );
    let bound = store.dossier_attachments(&rec.code).await.unwrap();
    assert_eq!(bound.len(), 1);
    assert_eq!(
        bound[0].dossier_code.as_deref(),
        Some(rec.code.to_string().as_str())
    );
    assert_eq!(
        store
            .citizen_attachments(&CitizenId::new("c1"))
            .await
            .unwrap()
            .len(),
        1
    );
    store.delete_attachment("a1").await.unwrap();
    assert_eq!(
        store.dossier_attachments(&rec.code).await.unwrap().len(),
        1,
        "a filed document stays"
    );
    let mine = store.owner_dossiers(&CitizenId::new("c1")).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].code, rec.code);
    assert!(
        store
            .owner_dossiers(&CitizenId::new("c2"))
            .await
            .unwrap()
            .is_empty()
    );

    let payment = Payment {
        txn_ref: "T1".into(),
        dossier_code: rec.code.to_string(),
        amount: 50_000,
        status: PaymentStatus::Pending,
        created_at: now,
        paid_at: None,
        gateway_txn: None,
        bank_code: None,
        response_code: None,
    };
    let stale_before = now - Duration::minutes(15);
    store.put_payment(&payment, stale_before).await.unwrap();
    // A second payment while the first is pending is refused.
    let second = Payment {
        txn_ref: "T2".into(),
        ..payment.clone()
    };
    assert!(matches!(
        store.put_payment(&second, stale_before).await,
        Err(StoreError::Duplicate(_))
    ));
    assert_eq!(
        store
            .pending_payments(now + Duration::seconds(1), 10)
            .await
            .unwrap(),
        vec![payment.clone()]
    );
    let settled = Settlement {
        status: PaymentStatus::Paid,
        at: now,
        gateway_txn: "14000001".into(),
        bank_code: "NCB".into(),
        response_code: "00".into(),
    };
    assert!(store.settle_payment("T1", &settled).await.unwrap());
    assert!(
        !store.settle_payment("T1", &settled).await.unwrap(),
        "settled once"
    );
    let p = store.payment("T1").await.unwrap().unwrap();
    assert_eq!(
        (p.status, p.gateway_txn.as_deref()),
        (PaymentStatus::Paid, Some("14000001"))
    );
    assert_eq!(store.dossier_payments(&rec.code).await.unwrap(), vec![p]);

    // A payment left pending past the limit is expired when another starts, and the gateway
    // may still settle it.
    store.put_payment(&second, stale_before).await.unwrap();
    let third = Payment {
        txn_ref: "T3".into(),
        created_at: now + Duration::minutes(20),
        ..payment.clone()
    };
    store
        .put_payment(&third, now + Duration::minutes(5))
        .await
        .unwrap();
    let t2 = store.payment("T2").await.unwrap().unwrap();
    assert_eq!(t2.status, PaymentStatus::Expired);
    assert!(store.settle_payment("T2", &settled).await.unwrap());
    assert_eq!(
        store.payment("T3").await.unwrap().unwrap().status,
        PaymentStatus::Pending
    );
}

async fn idempotency_keys_answer_once_per_request(store: Arc<dyn Store>) {
    let now = Utc::now();
    let old = now - Duration::hours(24);
    let claim = |scope: &'static str, key: &'static str, hash: &'static str, at| {
        let store = store.clone();
        async move {
            store
                .claim_idempotency_key(scope, key, hash, at, at - Duration::hours(24))
                .await
                .unwrap()
        }
    };
    assert_eq!(claim("s", "k", "h1", now).await, IdempotencyClaim::New);
    assert_eq!(
        claim("s", "k", "h1", now).await,
        IdempotencyClaim::Seen {
            request_hash: "h1".into(),
            answer: None
        },
        "claimed, not answered yet"
    );
    // Keys are per owner.
    assert_eq!(claim("other", "k", "h2", now).await, IdempotencyClaim::New);
    store
        .finish_idempotency_key("s", "k", 201, "{\"code\":\"X\"}")
        .await
        .unwrap();
    assert_eq!(
        claim("s", "k", "h2", now).await,
        IdempotencyClaim::Seen {
            request_hash: "h1".into(),
            answer: Some((201, "{\"code\":\"X\"}".into()))
        }
    );
    // A day later the key is free again.
    assert_eq!(
        claim("s", "k", "h3", now + Duration::hours(25)).await,
        IdempotencyClaim::New
    );
    // A claim left unanswered for over a minute (its request died) is free again.
    assert_eq!(claim("s", "dead", "h", now).await, IdempotencyClaim::New);
    assert_eq!(
        claim("s", "dead", "h", now + Duration::minutes(2)).await,
        IdempotencyClaim::New
    );
    store.release_idempotency_key("s", "dead").await.unwrap();
    assert_eq!(claim("s", "dead", "h", now).await, IdempotencyClaim::New);
    assert_eq!(
        store
            .prune_idempotency_keys(old + Duration::hours(50))
            .await
            .unwrap(),
        3
    );
}

async fn dossiers_are_found_by_code_id_phone_and_name_and_lists_counted(store: Arc<dyn Store>) {
    seed(&*store).await;
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let t = vn(2025, 6, 2, 9, 0);
    let first = open(&*store, &lc, false, t).await;
    let mut other = intake(false);
    other.applicant.name = "Trần Văn Đức".into();
    other.applicant.cccd = Some(Cccd::parse("022090009999").unwrap());
    other.applicant.phone = Some(Phone::parse("0987000111").unwrap());
    let second = ops::open(
        &*store,
        &lc,
        other,
        serde_json::json!({}),
        &reception(),
        t + Duration::minutes(1),
    )
    .await
    .unwrap();
    let third = open(&*store, &lc, false, t + Duration::minutes(2)).await;
    let codes = |found: Vec<DossierRecord>| {
        found
            .into_iter()
            .map(|r| r.code.to_string())
            .collect::<Vec<_>>()
    };
    let find = |f: Find| {
        let store = store.clone();
        async move { codes(store.find_dossiers(&f, 10).await.unwrap()) }
    };
    assert_eq!(
        find(Find::Code(second.code)).await,
        [second.code.to_string()]
    );
    let cccd = Find::Cccd(Cccd::parse("022305001234").unwrap());
    // The most recently filed first.
    assert_eq!(
        find(cccd).await,
        [third.code.to_string(), first.code.to_string()]
    );
    assert_eq!(
        find(Find::PhoneLast4("0111".into())).await,
        [second.code.to_string()]
    );
    // The name folded: marks and case as the officer types them, or not.
    for typed in ["trần văn đức", "TRAN VAN DUC", "van duc"] {
        let words = motcua_domain::text::fold(typed);
        assert_eq!(
            find(Find::Name(words)).await,
            [second.code.to_string()],
            "{typed}"
        );
    }
    assert!(find(Find::Name("duc tran".into())).await.is_empty());
    // `%` and `_` are letters to match, not patterns.
    assert!(find(Find::Name("%".into())).await.is_empty());
    assert!(find(Find::Name("nguy_n".into())).await.is_empty());
    assert_eq!(
        store
            .find_dossiers(&Find::Name("a".into()), 2)
            .await
            .unwrap()
            .len(),
        2
    );

    // A work list is counted whole and read a page at a time, in the same order.
    let queue = WorkQuery {
        receivers: Some(vec![centre().to_string()]),
        statuses: vec![Status::Submitted],
        limit: 2,
        ..WorkQuery::default()
    };
    assert_eq!(store.count_work(&queue).await.unwrap(), 3);
    let whole = codes(
        store
            .work(&WorkQuery {
                limit: 10,
                ..queue.clone()
            })
            .await
            .unwrap(),
    );
    let page_one = codes(store.work(&queue).await.unwrap());
    let page_two = codes(
        store
            .work(&WorkQuery {
                offset: 2,
                ..queue.clone()
            })
            .await
            .unwrap(),
    );
    assert_eq!([page_one, page_two].concat(), whole);
    let nobody = WorkQuery {
        receivers: Some(Vec::new()),
        ..queue
    };
    assert_eq!(store.count_work(&nobody).await.unwrap(), 0);
}

async fn work_lists_alerts_and_leases(store: Arc<dyn Store>) {
    seed(&*store).await;
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let now = vn(2025, 6, 2, 9, 0);
    let walk_in = open(&*store, &lc, true, now).await;
    let online = open(&*store, &lc, false, now + Duration::minutes(5)).await;
    let forwarded = ops::act(
        &*store,
        &lc,
        &walk_in.code,
        None,
        &Command::Forward {
            assignee: Some("chuyenvien".into()),
            note: None,
        },
        &reception(),
        now,
    )
    .await
    .unwrap();
    let step_due = forwarded.state.step_due_at.expect("the step has a budget");

    let all = |q: WorkQuery| {
        let store = store.clone();
        async move {
            store
                .work(&q)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.code.to_string())
                .collect::<Vec<_>>()
        }
    };
    // The reception queue: filed online, waiting for the check at the centre.
    let queue = WorkQuery {
        receivers: Some(vec![centre().to_string()]),
        statuses: vec![Status::Submitted],
        limit: 50,
        ..WorkQuery::default()
    };
    assert_eq!(all(queue.clone()).await, vec![online.code.to_string()]);
    // The department's inbox and the assignee's own.
    let unit = WorkQuery {
        holders: Some(vec![department().to_string()]),
        statuses: vec![Status::InProcessing],
        limit: 50,
        ..WorkQuery::default()
    };
    assert_eq!(all(unit.clone()).await, vec![walk_in.code.to_string()]);
    let mine = WorkQuery {
        assignee: Some("chuyenvien".into()),
        ..unit.clone()
    };
    assert_eq!(all(mine).await, vec![walk_in.code.to_string()]);
    let theirs = WorkQuery {
        assignee: Some("someone-else".into()),
        ..unit.clone()
    };
    assert!(all(theirs).await.is_empty());
    // Another agency sees nothing; an empty scope means nothing, not everything.
    let commune_only = WorkQuery {
        holders: Some(vec![commune().to_string()]),
        ..unit.clone()
    };
    assert!(all(commune_only).await.is_empty());
    let nobody = WorkQuery {
        holders: Some(vec![]),
        ..unit.clone()
    };
    assert!(all(nobody).await.is_empty());
    // Due before: the step's due instant counts as well as the appointment.
    let due = WorkQuery {
        due_before: Some(step_due + Duration::seconds(1)),
        ..unit.clone()
    };
    assert_eq!(all(due).await, vec![walk_in.code.to_string()]);
    let not_yet = WorkQuery {
        due_before: Some(step_due - Duration::seconds(1)),
        ..unit.clone()
    };
    assert!(all(not_yet).await.is_empty());
    // Walking every dossier by code.
    let walk = WorkQuery {
        after: Some(walk_in.code.to_string()),
        limit: 10,
        ..WorkQuery::default()
    };
    assert_eq!(all(walk).await, vec![online.code.to_string()]);

    // The counter prefills the applicant from the latest dossier with the same citizen ID.
    let cccd = Cccd::parse("022305001234").unwrap();
    let applicant = store.applicant_by_cccd(&cccd).await.unwrap().unwrap();
    assert_eq!(applicant.name, "Nguyễn Thị Ánh");
    let unknown = Cccd::parse("001099012345").unwrap();
    assert_eq!(store.applicant_by_cccd(&unknown).await.unwrap(), None);

    // Alerts are raised once per dossier, kind, due instant and recipient.
    let alert = |to: &str| NewAlert {
        dossier_code: walk_in.code,
        kind: "step_overdue".into(),
        due_at: step_due,
        recipient: to.into(),
        created_at: now,
    };
    assert_eq!(store.raise_alerts(&[alert("chuyenvien")]).await.unwrap(), 1);
    assert_eq!(
        store
            .raise_alerts(&[alert("chuyenvien"), alert("lanhdao")])
            .await
            .unwrap(),
        1,
        "the same alert again is not new; another recipient's is"
    );
    assert_eq!(store.raise_alerts(&[]).await.unwrap(), 0);
    let alerts = store.alerts("chuyenvien", 10).await.unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].dossier_code, walk_in.code.to_string());
    assert_eq!(alerts[0].due_at, step_due);
    assert!(
        !store
            .mark_alert_read(alerts[0].id, "lanhdao", now)
            .await
            .unwrap()
    );
    assert!(
        store
            .mark_alert_read(alerts[0].id, "chuyenvien", now)
            .await
            .unwrap()
    );
    assert_eq!(
        store.alerts("chuyenvien", 10).await.unwrap()[0].read_at,
        Some(now)
    );

    // One holder at a time; the lease passes on when it runs out.
    let until = now + Duration::minutes(1);
    assert!(store.take_lease("watch", "a", now, until).await.unwrap());
    assert!(!store.take_lease("watch", "b", now, until).await.unwrap());
    assert!(store.take_lease("watch", "a", now, until).await.unwrap());
    let later = until + Duration::seconds(1);
    assert!(
        store
            .take_lease("watch", "b", later, later + Duration::minutes(1))
            .await
            .unwrap()
    );
    assert!(!store.take_lease("watch", "a", later, until).await.unwrap());
}

async fn admin_changes_are_made_and_chained(store: Arc<dyn Store>, url: &str) {
    seed(&*store).await;
    let admin = Actor::new("quantri", Role::Administrator, Some(province()));
    let change = |entity: &str, key: &str, record: serde_json::Value| AdminChange {
        at: vn(2025, 6, 2, 9, 0),
        actor: admin.clone(),
        entity: entity.into(),
        key: key.into(),
        reason: "Quyết định số 1/QĐ-UBND".into(),
        record,
    };
    let ward = Agency {
        code: code("000.01.36.H22"),
        parent: Some(province()),
        name: "Ủy ban nhân dân phường Hồng Gai".into(),
        name_en: None,
        kind: AgencyKind::Commune,
        admin_unit_code: Some("06652".into()),
    };
    store
        .administer(
            &AdminOp::Agency(ward.clone()),
            &change(
                "agency",
                "000.01.36.H22",
                serde_json::to_value(&ward).unwrap(),
            ),
        )
        .await
        .unwrap();
    let day = DayOverride {
        date: NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(),
        kind: DayKind::Off,
        name: "Nghỉ bù".into(),
    };
    store
        .administer(
            &AdminOp::CalendarDay(day.clone()),
            &change(
                "calendar_day",
                "2026-01-02",
                serde_json::json!({"kind": "off"}),
            ),
        )
        .await
        .unwrap();
    assert!(store.agencies().await.unwrap().contains(&ward));
    assert!(store.calendar_days().await.unwrap().contains(&day));
    let log = store.admin_changes(10).await.unwrap();
    assert_eq!(
        log.iter().map(|c| c.entity.as_str()).collect::<Vec<_>>(),
        vec!["calendar_day", "agency"],
        "newest first"
    );
    assert_eq!(log[1].actor, admin);
    let report = store.verify_chain().await.unwrap();
    assert_eq!((report.events, report.broken), (2, None));
    // A change rewritten in the database is caught like any dossier event.
    sqlx::any::install_default_drivers();
    let raw = sqlx::AnyPool::connect(url).await.unwrap();
    raw.execute(
        "UPDATE events SET body = REPLACE(body, 'Quyết định số 1', 'Quyết định số 9') WHERE seq = 1",
    )
    .await
    .unwrap();
    let report = store.verify_chain().await.unwrap();
    assert_eq!(
        report.broken.map(|b| (b.seq, b.stream)),
        Some((1, ADMIN_STREAM.to_string()))
    );
}

/// Branch `HQ` with counters 1–3: group `HT` (prefix A) at counters 1 and 2, `DD` (B) at 3.
async fn floor(store: &dyn Store) {
    seed(store).await;
    store
        .put_branch(&Branch {
            code: "HQ".into(),
            agency: centre(),
            name: "Trụ sở".into(),
            address: "Hạ Long".into(),
            hours: String::new(),
            counters: (1..=3)
                .map(|n| Counter {
                    number: n,
                    label: format!("Quầy {n}"),
                })
                .collect(),
        })
        .await
        .unwrap();
    for (code, prefix, counters) in [("HT", "A", vec![1, 2]), ("DD", "B", vec![3])] {
        store
            .put_service_group(&ServiceGroup {
                branch: "HQ".into(),
                code: code.into(),
                name: format!("Nhóm {code}"),
                prefix: prefix.into(),
                counters,
            })
            .await
            .unwrap();
    }
}

async fn queue_tickets_are_numbered_and_called_once(store: Arc<dyn Store>) {
    floor(&*store).await;
    let groups = store.service_groups(&hq()).await.unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[1].counters, vec![1, 2], "{groups:?}");
    let day = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let now = vn(2026, 6, 1, 8, 0);
    // Tickets issued at the same instant get distinct numbers of the day.
    let mut tasks = Vec::new();
    for i in 0..20i64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .issue_ticket(&hq(), "HT", None, None, day, now + Duration::seconds(i))
                .await
                .unwrap()
                .number
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap());
    }
    numbers.sort();
    assert_eq!(
        numbers,
        (1..=20).map(|n| format!("A{n:03}")).collect::<Vec<_>>()
    );
    assert!(matches!(
        store.issue_ticket(&hq(), "XX", None, None, day, now).await,
        Err(StoreError::NotFound)
    ));
    let next_day = store
        .issue_ticket(&hq(), "HT", None, None, day.succ_opt().unwrap(), now)
        .await
        .unwrap();
    assert_eq!(next_day.number, "A001", "numbers restart each day");
    // A priority ticket, issued last, is called first.
    let elderly = store
        .issue_ticket(
            &hq(),
            "HT",
            Some(motcua_domain::queue::Priority::Elderly),
            None,
            day,
            now + Duration::minutes(5),
        )
        .await
        .unwrap();
    let first = ops::call_next(&*store, &hq(), 1, "letan", now + Duration::minutes(6))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((first.id, first.counter), (elderly.id, Some(1)));
    // Counter 3 serves another group: nothing for it.
    assert_eq!(
        ops::call_next(&*store, &hq(), 3, "letan3", now)
            .await
            .unwrap(),
        None
    );
    // Eight callers at two counters at once: every ticket is called exactly once.
    let mut callers = Vec::new();
    for i in 0..8i64 {
        let store = store.clone();
        callers.push(tokio::spawn(async move {
            let mut got = Vec::new();
            while let Some(t) = ops::call_next(
                &*store,
                &hq(),
                1 + i % 2,
                &format!("cb{i}"),
                now + Duration::minutes(7),
            )
            .await
            .unwrap()
            {
                got.push(t.id);
            }
            got
        }));
    }
    let mut called = Vec::new();
    for c in callers {
        called.extend(c.await.unwrap());
    }
    let distinct: HashSet<TicketId> = called.iter().copied().collect();
    assert_eq!(called.len(), distinct.len(), "a ticket was called twice");
    assert_eq!(
        called.len(),
        20,
        "every waiting ticket of the day was called once"
    );
    let ht = ["HT".to_string()];
    assert!(
        store
            .waiting_tickets(&hq(), &ht, None, day)
            .await
            .unwrap()
            .is_empty()
    );
    let tomorrow = store
        .waiting_tickets(&hq(), &ht, None, day.succ_opt().unwrap())
        .await
        .unwrap();
    assert_eq!(tomorrow.len(), 1, "the next day's ticket waits for its day");
    // Every call is recorded once, in order, for the boards.
    let calls = store.calls_since(0, Some("HQ"), 1000).await.unwrap();
    assert_eq!(calls.len(), 21);
    assert_eq!(calls[0].number, elderly.number);
    assert!(calls.windows(2).all(|w| w[0].id < w[1].id));
    let later = store.calls_since(calls[19].id, None, 10).await.unwrap();
    assert_eq!(later, vec![calls[20].clone()]);
    assert!(
        store
            .calls_since(0, Some("XX"), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn queue_transfers_appointments_ratings_and_figures(store: Arc<dyn Store>) {
    floor(&*store).await;
    let day = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let now = vn(2026, 6, 1, 8, 0);
    let a1 = store
        .issue_ticket(&hq(), "HT", None, None, day, now)
        .await
        .unwrap();
    let a2 = store
        .issue_ticket(&hq(), "HT", None, None, day, now + Duration::minutes(1))
        .await
        .unwrap();
    // Counter 1 calls A001 and sends it to counter 3 (group DD): counter 2 no longer sees
    // it, counter 3 calls it before anyone of its own group.
    let b1 = store
        .issue_ticket(&hq(), "DD", None, None, day, now - Duration::minutes(5))
        .await
        .unwrap();
    let t = ops::call_next(&*store, &hq(), 1, "letan", now + Duration::minutes(2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.id, a1.id);
    assert!(
        !store
            .transfer_ticket(a1.id, 2, "DD", Some(3))
            .await
            .unwrap()
    );
    assert!(!store.transfer_ticket(a1.id, 1, "XX", None).await.unwrap());
    assert!(
        store
            .transfer_ticket(a1.id, 1, "DD", Some(3))
            .await
            .unwrap()
    );
    let moved = store.ticket(a1.id).await.unwrap().unwrap();
    assert_eq!(
        (
            moved.status,
            moved.group.as_str(),
            moved.target_counter,
            moved.transfers,
            moved.number.as_str()
        ),
        (TicketStatus::Waiting, "DD", Some(3), 1, "A001")
    );
    let at2 = store
        .waiting_tickets(&hq(), &["HT".to_string()], Some(2), day)
        .await
        .unwrap();
    assert_eq!(at2.iter().map(|t| t.id).collect::<Vec<_>>(), vec![a2.id]);
    let at3 = store
        .waiting_tickets(&hq(), &["DD".to_string()], Some(3), day)
        .await
        .unwrap();
    assert_eq!(
        at3.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![b1.id, a1.id]
    );
    let t = ops::call_next(&*store, &hq(), 3, "letan", now + Duration::minutes(3))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.id, b1.id);
    let t = ops::call_next(&*store, &hq(), 3, "letan", now + Duration::minutes(9))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.id, a1.id);
    assert!(store.link_ticket(a1.id, "DOSSIER-1").await.unwrap());
    assert_eq!(
        store.serving_by("letan").await.unwrap().map(|t| t.dossier),
        Some(Some("DOSSIER-1".to_string()))
    );
    assert!(
        store
            .end_service(a1.id, 3, TicketStatus::Done, now + Duration::minutes(15))
            .await
            .unwrap()
    );
    let t = ops::call_next(&*store, &hq(), 2, "letan2", now + Duration::minutes(10))
        .await
        .unwrap()
        .unwrap();
    assert!(
        store
            .end_service(t.id, 2, TicketStatus::NoShow, now + Duration::minutes(12))
            .await
            .unwrap()
    );

    // Appointments: a slot takes as many as its capacity, even when booked at once.
    let slot = vn(2026, 6, 1, 9, 0);
    let mut tasks = Vec::new();
    for i in 0..6 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let a = Appointment {
                code: format!("HEN{i}"),
                branch: "HQ".into(),
                group: "HT".into(),
                slot_at: slot,
                minutes: 30,
                name: "Nguyễn Văn A".into(),
                phone: "0912345678".into(),
                status: AppointmentStatus::Booked,
                created_at: now,
                ticket_id: None,
            };
            store.book_appointment(&a, 2).await.unwrap()
        }));
    }
    let mut booked = 0;
    for t in tasks {
        booked += usize::from(t.await.unwrap());
    }
    assert_eq!(booked, 2, "a slot of two takes two bookings");
    let codes: Vec<String> = {
        let mut v = Vec::new();
        for i in 0..6 {
            if store
                .appointment(&format!("HEN{i}"))
                .await
                .unwrap()
                .is_some()
            {
                v.push(format!("HEN{i}"));
            }
        }
        v
    };
    assert_eq!(codes.len(), 2);
    assert_eq!(
        store
            .slot_bookings(&hq(), "HT", slot, slot + Duration::minutes(30))
            .await
            .unwrap(),
        vec![(slot, 2)]
    );
    assert!(store.cancel_appointment(&codes[1]).await.unwrap());
    assert!(!store.cancel_appointment(&codes[1]).await.unwrap());
    assert_eq!(
        store
            .slot_bookings(&hq(), "HT", slot, slot + Duration::minutes(30))
            .await
            .unwrap(),
        vec![(slot, 1)]
    );
    let ticket = store
        .check_in(&codes[0], day, slot - Duration::minutes(10))
        .await
        .unwrap();
    assert_eq!((ticket.group.as_str(), ticket.slot_at), ("HT", Some(slot)));
    let a = store.appointment(&codes[0]).await.unwrap().unwrap();
    assert_eq!(
        (a.status, a.ticket_id),
        (AppointmentStatus::CheckedIn, Some(ticket.id))
    );
    assert!(matches!(
        store.check_in(&codes[0], day, slot).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.check_in(&codes[1], day, slot).await,
        Err(StoreError::NotFound)
    ));

    // Ratings: once per ticket; the log is followed by id; counts add up by place and level.
    let rating = |ticket: TicketId, level: Satisfaction, attitude: Option<u8>| Rating {
        id: 0,
        ticket_id: Some(ticket),
        dossier: None,
        day,
        branch: Some("HQ".into()),
        group: Some("DD".into()),
        counter: Some(3),
        officer: Some("letan".into()),
        agency: Some(centre().to_string()),
        level,
        criteria: attitude
            .map(|s| vec![(RatingCriterion::Attitude, s)])
            .unwrap_or_default(),
        comment: None,
        given_by: "letan".into(),
        at: now + Duration::minutes(16),
    };
    let before = store.last_rating_id().await.unwrap();
    let r1 = store
        .add_rating(&rating(a1.id, Satisfaction::VerySatisfied, Some(2)))
        .await
        .unwrap();
    assert!(r1.id > before);
    assert!(matches!(
        store
            .add_rating(&rating(a1.id, Satisfaction::Dissatisfied, None))
            .await,
        Err(StoreError::Duplicate(_))
    ));
    store
        .add_rating(&rating(b1.id, Satisfaction::Satisfied, Some(1)))
        .await
        .unwrap();
    let (last, rated) = store.last_at_counter(&hq(), 3).await.unwrap().unwrap();
    assert_eq!((last.id, rated), (a1.id, true));
    let (last, rated) = store.last_at_counter(&hq(), 2).await.unwrap().unwrap();
    assert_eq!((last.status, rated), (TicketStatus::NoShow, false));
    assert!(store.last_at_counter(&hq(), 1).await.unwrap().is_none());
    let log = store.ratings_since(before, 10).await.unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].criteria, vec![(RatingCriterion::Attitude, 2)]);
    assert_eq!(store.last_rating_id().await.unwrap(), log[1].id);
    let counts = store.rating_counts(day, day).await.unwrap();
    let total: u64 = counts.iter().map(|c| c.count).sum();
    assert_eq!(total, 2);
    let attitude: (u64, u64) = counts
        .iter()
        .flat_map(|c| c.criteria.iter())
        .filter(|(c, _, _)| *c == RatingCriterion::Attitude)
        .fold((0, 0), |acc, (_, s, n)| (acc.0 + s, acc.1 + n));
    assert_eq!(attitude, (3, 2));
    assert!(
        store
            .rating_counts(day.succ_opt().unwrap(), day.succ_opt().unwrap())
            .await
            .unwrap()
            .is_empty()
    );

    // Figures: per group, counter and officer.
    let figures = store.ticket_counts(day, day, Some("HQ")).await.unwrap();
    let issued: u64 = figures.iter().map(|f| f.issued).sum();
    let served: u64 = figures.iter().map(|f| f.served).sum();
    let no_shows: u64 = figures.iter().map(|f| f.no_shows).sum();
    assert_eq!((issued, served, no_shows), (4, 2, 1), "{figures:?}");
    let at3 = figures
        .iter()
        .find(|f| f.counter == Some(3) && f.group == "DD")
        .unwrap();
    // B001 waited 8 minutes and took 6; A001 is counted from its issue to its last call
    // (9 minutes) and served 6.
    assert_eq!(at3.served, 2);
    assert_eq!(at3.wait_secs, 8 * 60 + 9 * 60);
    assert_eq!(at3.service_secs, 6 * 60 + 6 * 60);
    assert!(
        store
            .ticket_counts(day, day, Some("XX"))
            .await
            .unwrap()
            .is_empty()
    );
    let load = store.day_load(day).await.unwrap();
    let ht = load.iter().find(|l| l.group == "HT").unwrap();
    assert_eq!((ht.waiting, ht.serving), (1, 0), "{load:?}");
    let dd = load.iter().find(|l| l.group == "DD").unwrap();
    assert_eq!(dd.service_secs, vec![360, 360]);
}

async fn outbox_queues_what_can_be_sent_claims_in_order_and_prunes(
    store: Arc<dyn Store>,
    url: &str,
) {
    seed(&*store).await;
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let now = vn(2025, 6, 2, 9, 0);
    // A server that sends e-mail only has nothing to queue for an applicant with a phone only.
    store.deliver_on(Delivery {
        email: true,
        sms: false,
    });
    let form = serde_json::json!({});
    ops::open(&*store, &lc, intake(true), form.clone(), &reception(), now)
        .await
        .unwrap();
    assert!(store.pending_outbox(10).await.unwrap().is_empty());
    // With an e-mail address, the filing and the receipt are queued; forwarding tells nobody.
    let mut reachable = intake(true);
    reachable.applicant.email = Some("anh@example.vn".into());
    let rec = ops::open(&*store, &lc, reachable, form.clone(), &reception(), now)
        .await
        .unwrap();
    ops::act(
        &*store,
        &lc,
        &rec.code,
        None,
        &Command::Forward {
            assignee: None,
            note: None,
        },
        &reception(),
        now,
    )
    .await
    .unwrap();
    let queued = store.pending_outbox(10).await.unwrap();
    assert_eq!(
        queued.iter().map(|m| m.topic.as_str()).collect::<Vec<_>>(),
        vec!["dossier.opened", "dossier.received"]
    );
    // Imported history tells nobody, whatever the channels.
    store.deliver_on(Delivery::ALL);
    let events = lc
        .decide(
            None,
            &Command::Open(Box::new(intake(true))),
            &reception(),
            vn(2025, 3, 3, 10, 0),
        )
        .unwrap();
    let state = motcua_domain::lifecycle::replay(&events).unwrap();
    store
        .import_dossiers(&[NewDossier {
            events,
            state,
            form: form.clone(),
        }])
        .await
        .unwrap();
    assert_eq!(store.pending_outbox(10).await.unwrap().len(), 2);

    // A one-time code queued after them is claimed before them: a citizen is waiting for it.
    let waiting = OneTimeCode {
        citizen_id: "c-code".into(),
        purpose: CodePurpose::Verify,
        code_hash: "h".into(),
        expires_at: now + Duration::minutes(10),
        attempts: 0,
    };
    let code_message = Message {
        topic: "citizen.code".into(),
        at: now,
        payload: serde_json::json!({"to": "code@example.vn"}),
    };
    store
        .create_citizen(
            &citizen("c-code", "code@example.vn"),
            &waiting,
            &code_message,
        )
        .await
        .unwrap();
    let lease = now + Duration::minutes(2);
    let code_first = store.claim_outbox(now, lease, 1).await.unwrap();
    assert_eq!(code_first.len(), 1);
    assert_eq!(code_first[0].topic, "citizen.code");
    store
        .settle_outbox(
            &[Settled {
                id: code_first[0].id,
                outcome: OutboxOutcome::Delivered,
                sent: vec![],
            }],
            now,
        )
        .await
        .unwrap();

    // Claims take what is due, in the order it is due; a claimed message is hidden until its
    // lease ends.
    let first = store.claim_outbox(now, lease, 1).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].id, queued[0].id);
    assert_eq!(first[0].attempts, 1);
    let second = store.claim_outbox(now, lease, 10).await.unwrap();
    assert_eq!(
        second.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![queued[1].id]
    );
    assert!(store.claim_outbox(now, lease, 10).await.unwrap().is_empty());
    let sent = Notification {
        outbox_id: queued[0].id,
        dossier_code: Some(rec.code.to_string()),
        channel: "email".into(),
        recipient: "anh@example.vn".into(),
        subject: "Hồ sơ đã được tiếp nhận".into(),
        body: "…".into(),
        sent_at: now,
    };
    store
        .settle_outbox(
            &[
                Settled {
                    id: queued[0].id,
                    outcome: OutboxOutcome::Delivered,
                    sent: vec![sent.clone()],
                },
                Settled {
                    id: queued[1].id,
                    outcome: OutboxOutcome::Retry {
                        at: now + Duration::hours(1),
                        error: "SMTP down".into(),
                    },
                    sent: vec![],
                },
            ],
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .pending_outbox(10)
            .await
            .unwrap()
            .iter()
            .map(|m| m.id)
            .collect::<Vec<_>>(),
        vec![queued[1].id]
    );
    assert!(
        store
            .claim_outbox(now + Duration::minutes(30), lease, 10)
            .await
            .unwrap()
            .is_empty(),
        "a retry waits for its time"
    );
    let retried = store
        .claim_outbox(now + Duration::hours(1), now + Duration::hours(2), 10)
        .await
        .unwrap();
    assert_eq!((retried[0].id, retried[0].attempts), (queued[1].id, 2));
    // Pruning removes delivered messages older than the cut-off; what they sent stays.
    assert_eq!(store.prune_outbox(now, 100).await.unwrap(), 0);
    assert_eq!(
        store
            .prune_outbox(now + Duration::seconds(1), 100)
            .await
            .unwrap(),
        2,
        "the receipt's message and the code's"
    );
    assert_eq!(
        store.dossier_notifications(&rec.code).await.unwrap(),
        vec![sent]
    );
    assert_eq!(store.pending_outbox(10).await.unwrap().len(), 1);

    // The claim reads its batch from an index of undelivered messages in the order claimed,
    // without sorting the backlog (the shape of the larger of the two reads in
    // `claim_outbox`; the codes' read has its own index, `outbox_codes`, of the same shape).
    sqlx::any::install_default_drivers();
    let raw = sqlx::AnyPool::connect(url).await.unwrap();
    let select = "SELECT id FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL \
                  AND next_attempt_at <= 1750000000000 AND topic <> 'citizen.code' \
                  ORDER BY next_attempt_at, id LIMIT 50";
    let plan: Vec<String> = match store.backend() {
        Backend::Sqlite => sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {select}")))
            .fetch_all(&raw)
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String, _>("detail").unwrap())
            .collect(),
        Backend::Postgres => {
            // Enough rows that the planner's choice matters.
            raw.execute(
                "INSERT INTO outbox (event_seq, topic, payload, created_at, next_attempt_at) \
                 SELECT 0, 'dossier.opened', '{}', g, g FROM generate_series(1, 20000) g",
            )
            .await
            .unwrap();
            raw.execute("ANALYZE outbox").await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "EXPLAIN {select} FOR UPDATE SKIP LOCKED"
            )))
            .fetch_all(&raw)
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String, _>(0).unwrap())
            .collect()
        }
    };
    let plan = plan.join("\n");
    assert!(plan.contains("outbox_due"), "{plan}");
    assert!(
        !plan.contains("TEMP B-TREE") && !plan.contains("Sort"),
        "{plan}"
    );
}

/// A random history for the statistics property: each step picks one of a few dossiers (or
/// opens one), a command and who gives it, and moves the clock.
fn any_step() -> impl proptest::strategy::Strategy<Value = (usize, usize, usize, i64)> {
    use proptest::strategy::Strategy;
    // Commands that move a dossier on come up more often than those that end it early.
    const KINDS: [usize; 40] = [
        0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8, 9, 10,
        10, 10, 11, 11, 12, 13, 14, 15, 3, 4,
    ];
    (0usize..3, 0usize..40, 0usize..5, 0i64..(60 * 24 * 6))
        .prop_map(|(pick, k, who, advance)| (pick, KINDS[k], who, advance))
}

/// Who usually gives a command (an index into the test's actors): reception, specialist,
/// approver, agency system, applicant.
fn usual_actor(kind: usize) -> usize {
    [0, 0, 3, 1, 4, 1, 2, 2, 0, 4, 4, 3, 3, 2, 0, 1][kind]
}

fn step_command(kind: usize, n: usize, now: DateTime<Utc>) -> Command {
    match kind {
        0 => {
            let mut i = intake(n.is_multiple_of(2));
            i.branch = [None, Some("HQ".into()), Some("HG".into())][n % 3].clone();
            i.owner = Some("citizen".into());
            i.procedure.prepaid_fee = if n == 3 { 50_000 } else { 0 };
            Command::Open(Box::new(i))
        }
        1 => Command::Receive,
        2 => Command::Forward {
            assignee: None,
            note: None,
        },
        3 => Command::RequestSupplement {
            reason: "Thiếu bản sao".into(),
            missing: vec!["Tờ khai".into()],
        },
        4 => Command::SubmitSupplement { note: None },
        5 => Command::AcceptSupplement,
        6 => Command::Approve { note: None },
        7 => Command::IssueResult {
            summary: "Cấp giấy khai sinh".into(),
            document_sha256: None,
        },
        8 => Command::ReturnResult {
            channel: motcua_domain::lifecycle::ReturnChannel::Counter,
        },
        9 => Command::Withdraw {
            reason: "Không cần nữa".into(),
        },
        10 => Command::Rate {
            satisfaction: Satisfaction::ALL[n % 3],
            criteria: vec![],
            comment: None,
        },
        11 => Command::RecordPayment {
            reference: format!("VNP-{n}"),
            amount: 50_000,
        },
        12 => Command::Transfer {
            to_agency: commune(),
            reason: "Thuộc thẩm quyền cấp xã".into(),
        },
        13 => Command::Refuse {
            reasons: vec!["Không đủ điều kiện".into()],
        },
        14 => Command::Reappoint {
            new_due_at: now + Duration::days(5),
            reason: "Xin lỗi vì trễ hẹn".into(),
        },
        _ => Command::ProposeRefusal {
            reason: "Hồ sơ không hợp lệ".into(),
        },
    }
}

async fn statistics_rebuilt_from_events_equal_the_incremental_ones(
    store: Arc<dyn Store>,
    url: &str,
) {
    use proptest::strategy::{Strategy, ValueTree};
    seed(&*store).await;
    store
        .put_branch(&Branch {
            code: "HQ".into(),
            agency: centre(),
            name: "Trụ sở".into(),
            address: "Hạ Long".into(),
            hours: "".into(),
            counters: vec![],
        })
        .await
        .unwrap();
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let actors = [
        reception(),
        Actor::new("chuyenvien", Role::Specialist, Some(department())),
        Actor::new("lanhdao", Role::Approver, Some(department())),
        Actor::new("he-thong", Role::AgencySystem, Some(province())),
        Actor::new("citizen", Role::Applicant, None),
    ];
    let history = proptest::collection::vec(any_step(), 1..80);
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut codes: Vec<DossierCode> = Vec::new();
    let mut now = vn(2025, 1, 30, 8, 0);
    let mut written = 0;
    for case in 0..16 {
        let steps = history.new_tree(&mut runner).unwrap().current();
        for (n, (pick, kind, who, advance)) in steps.iter().copied().enumerate() {
            now += Duration::minutes(advance);
            let command = step_command(kind, n, now);
            let done = if matches!(command, Command::Open(_)) || codes.is_empty() {
                ops::open(
                    &*store,
                    &lc,
                    match command {
                        Command::Open(i) => *i,
                        _ => intake(n.is_multiple_of(2)),
                    },
                    serde_json::json!({}),
                    &actors[0],
                    now,
                )
                .await
                .map(|r| codes.push(r.code))
            } else {
                let code = codes[codes.len() - 1 - pick % codes.len()];
                // Mostly the officer whose job it is; now and then someone else.
                let actor = if who == 0 { n % 5 } else { usual_actor(kind) };
                ops::act(&*store, &lc, &code, None, &command, &actors[actor], now)
                    .await
                    .map(|_| ())
            };
            match done {
                Ok(()) => written += 1,
                Err(OpError::Lifecycle(_)) => {}
                Err(e) => panic!("case {case}, step {n}: {e}"),
            }
        }
        let check = store.rebuild_stats(false).await.unwrap();
        assert!(
            check.consistent(),
            "case {case}: the kept statistics differ from the rebuilt ones: {check:?}\nsteps: {steps:?}"
        );
        assert_eq!(check.dossiers as usize, codes.len());
    }
    // The figures read from the rollups match a count over the facts: every dossier filed
    // counts once, on its day, whatever the period's shape.
    let all = store.stats(&StatsFilter::default()).await.unwrap();
    for metric in [
        "received",
        "transferred",
        "supplement_requested",
        "supplemented",
        "resolved",
        "returned",
        "rated",
        "fee_paid",
        "withdrawn",
    ] {
        assert!(
            all.iter().any(|r| r.metric == metric && r.count > 0),
            "the histories never reached {metric} ({written} writes): {all:?}"
        );
    }
    let submitted = all.iter().find(|r| r.metric == "submitted").unwrap().count;
    assert_eq!(submitted as usize, codes.len());
    let by_day = store
        .stats(&StatsFilter {
            by_day: true,
            ..StatsFilter::default()
        })
        .await
        .unwrap();
    let summed: i64 = by_day
        .iter()
        .filter(|r| r.metric == "submitted")
        .map(|r| r.count)
        .sum();
    assert_eq!(summed, submitted);
    let middle = store
        .stats(&StatsFilter {
            from: NaiveDate::from_ymd_opt(2025, 2, 14),
            to: NaiveDate::from_ymd_opt(2025, 4, 3),
            branch: Some("HQ".into()),
            agency: Some(department()),
            ..StatsFilter::default()
        })
        .await
        .unwrap();
    let days: i64 = store
        .stats(&StatsFilter {
            from: NaiveDate::from_ymd_opt(2025, 2, 14),
            to: NaiveDate::from_ymd_opt(2025, 4, 3),
            branch: Some("HQ".into()),
            agency: Some(department()),
            by_day: true,
            ..StatsFilter::default()
        })
        .await
        .unwrap()
        .iter()
        .filter(|r| r.metric == "received")
        .map(|r| r.count)
        .sum();
    assert_eq!(
        middle
            .iter()
            .find(|r| r.metric == "received")
            .map_or(0, |r| r.count),
        days,
        "months and edge days add up to the days"
    );

    // A changed fact or rollup row is found, and the rebuild puts it right.
    sqlx::any::install_default_drivers();
    let raw = sqlx::AnyPool::connect(url).await.unwrap();
    raw.execute("UPDATE dossier_facts SET fee_paid = fee_paid + 1 WHERE code = (SELECT MIN(code) FROM dossier_facts)")
        .await
        .unwrap();
    raw.execute("UPDATE stats_rollup SET count = count + 7 WHERE grain = 'm' AND agency_code = '*' AND procedure_code = '*' AND branch_code = '*' AND metric = 'submitted'")
        .await
        .unwrap();
    // The cohort rollup holds every received dossier once, and the report form's columns add
    // up for every month of the histories.
    let ever = (
        motcua_domain::index::Month {
            year: 2000,
            month: 1,
        },
        motcua_domain::index::Month {
            year: 2100,
            month: 12,
        },
    );
    let read = |grain: CohortGrain| {
        let store = store.clone();
        async move { store.cohorts(ever.0, ever.1, &grain).await.unwrap() }
    };
    let fine = read(CohortGrain::Procedure(None)).await;
    assert!(fine.high_water_seq > 0);
    assert_eq!(store.chain_seq().await.unwrap(), fine.high_water_seq);
    // The agencies' and the province's rows are the procedures' summed, and the online uses
    // are the procedures' months with online dossiers, per agency and over the province.
    let summed = |rows: &[CohortRow], by_agency: bool| {
        let mut sums = std::collections::BTreeMap::new();
        for r in rows {
            *sums
                .entry((r.agency.filter(|_| by_agency), r.cohort))
                .or_insert(0u64) += r.count;
        }
        sums
    };
    let by_agency = read(CohortGrain::Agency(None)).await;
    assert!(by_agency.rows.iter().all(|r| r.procedure.is_none()));
    assert_eq!(summed(&by_agency.rows, true), summed(&fine.rows, true));
    let province = read(CohortGrain::Province).await;
    assert!(
        province
            .rows
            .iter()
            .all(|r| r.agency.is_none() && r.procedure.is_none())
    );
    assert_eq!(summed(&province.rows, false), summed(&fine.rows, false));
    let uses = |rows: &[CohortRow], by_agency: bool| {
        let mut uses: Vec<_> = rows
            .iter()
            .filter_map(|r| {
                let procedure = r.procedure?;
                let month = r.cohort.online_use()?;
                Some((
                    r.agency.filter(|_| by_agency),
                    motcua_domain::index::OnlineUse { procedure, month },
                ))
            })
            .collect();
        uses.sort();
        uses.dedup();
        uses
    };
    let sorted = |mut v: Vec<_>| {
        v.sort();
        v
    };
    assert!(!fine.uses.is_empty());
    assert_eq!(sorted(fine.uses.clone()), uses(&fine.rows, true));
    assert_eq!(sorted(by_agency.uses.clone()), uses(&fine.rows, true));
    assert_eq!(sorted(province.uses.clone()), uses(&fine.rows, false));
    let cohorts = fine.rows;
    let received: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM dossier_facts WHERE received_at IS NOT NULL")
            .fetch_one(&raw)
            .await
            .unwrap();
    assert!(received > 0);
    assert_eq!(
        cohorts.iter().map(|c| c.count).sum::<u64>(),
        received as u64
    );
    // The facts behind the rollup, a page at a time in code order: every received dossier
    // once, with the cohort the rollup counts it under; by agency, that agency's only.
    let mut listed = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .counted_dossiers(after.as_ref(), ever.1, None, 7)
            .await
            .unwrap();
        after = page.last().map(|d| d.code);
        let done = page.len() < 7;
        listed.extend(page);
        if done {
            break;
        }
    }
    assert_eq!(listed.len() as i64, received);
    assert!(
        listed
            .windows(2)
            .all(|w| w[0].code.to_string() < w[1].code.to_string())
    );
    let agency = listed[0].competent_agency;
    let mine = store
        .counted_dossiers(None, ever.1, Some(&[agency]), 10_000)
        .await
        .unwrap();
    assert_eq!(
        mine.len() as u64,
        cohorts
            .iter()
            .filter(|c| c.agency == Some(agency))
            .map(|c| c.count)
            .sum::<u64>()
    );
    assert!(mine.iter().all(|d| d.competent_agency == agency));
    let before_any = motcua_domain::index::Month {
        year: 2000,
        month: 1,
    };
    assert!(
        store
            .counted_dossiers(None, before_any, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    for month in 1..=6 {
        let p = motcua_domain::index::Period::Month { year: 2025, month };
        let (first, last) = p.month_range();
        let rows = store
            .cohorts(first, last, &CohortGrain::Province)
            .await
            .unwrap()
            .rows;
        let judged = |p: motcua_domain::index::Period| p.judged_on(NaiveDate::MAX);
        let stopped = motcua_domain::index::StoppedColumn::default();
        let f = motcua_domain::index::Form06::of(
            p.into(),
            judged(p),
            stopped,
            rows.iter().map(CohortRow::counted),
        );
        assert_eq!(f.received_total, f.resolved_total + f.pending_total);
        assert_eq!(
            f.carried_over,
            motcua_domain::index::Form06::of(
                p.previous().into(),
                judged(p.previous()),
                stopped,
                cohorts.iter().map(CohortRow::counted)
            )
            .pending_total
        );
    }
    raw.execute("UPDATE stats_cohorts SET count = count + 3 WHERE agency_code = '*' AND cohort = (SELECT MIN(cohort) FROM stats_cohorts)")
        .await
        .unwrap();
    let broken = store.rebuild_stats(false).await.unwrap();
    assert_eq!((broken.facts_differing, broken.rewritten), (1, false));
    // The counter changed above and the province's cohort row.
    assert!(broken.rollups_differing >= 2, "{broken:?}");
    let fixed = store.rebuild_stats(true).await.unwrap();
    assert!(fixed.rewritten);
    assert!(store.rebuild_stats(false).await.unwrap().consistent());
    // The online uses likewise.
    raw.execute("UPDATE stats_online_use SET count = 0 WHERE agency_code = '*' AND month = (SELECT MIN(month) FROM stats_online_use)")
        .await
        .unwrap();
    let broken = store.rebuild_stats(false).await.unwrap();
    assert!(broken.rollups_differing >= 1, "{broken:?}");
    assert!(
        broken
            .examples
            .iter()
            .all(|e| e.starts_with("online use * ")),
        "{broken:?}"
    );
    assert!(store.rebuild_stats(true).await.unwrap().rewritten);
    assert!(store.rebuild_stats(false).await.unwrap().consistent());
    assert_eq!(store.stats(&StatsFilter::default()).await.unwrap(), all);
    for grain in [
        CohortGrain::Procedure(None),
        CohortGrain::Agency(None),
        CohortGrain::Province,
    ] {
        let key = |r: &CohortRow| (r.agency, r.procedure, r.cohort);
        let again = read(grain.clone()).await;
        let before = match grain {
            CohortGrain::Procedure(_) => &cohorts,
            CohortGrain::Agency(_) => &by_agency.rows,
            CohortGrain::Province => &province.rows,
        };
        let mut again = again.rows;
        let mut before = before.clone();
        again.sort_by_key(key);
        before.sort_by_key(key);
        assert_eq!(again, before);
    }
    // An agency's rows alone, at either grain.
    let agency_rows = store
        .cohorts(ever.0, ever.1, &CohortGrain::Agency(Some(vec![agency])))
        .await
        .unwrap();
    assert!(agency_rows.rows.iter().all(|r| r.agency == Some(agency)));
    assert_eq!(
        agency_rows.rows.iter().map(|r| r.count).sum::<u64>(),
        mine.len() as u64
    );
    assert!(agency_rows.uses.iter().all(|(a, _)| *a == Some(agency)));
    assert!(
        store
            .cohorts(ever.0, ever.1, &CohortGrain::Procedure(Some(Vec::new())))
            .await
            .unwrap()
            .rows
            .is_empty()
    );
    raw.close().await;
}

async fn work_lists_are_read_in_order_from_index_ranges(store: Arc<dyn Store>, url: &str) {
    seed(&*store).await;
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let specialist = Actor::new("chuyenvien", Role::Specialist, Some(department()));
    let start = vn(2025, 6, 2, 8, 0);
    for i in 0..30u32 {
        let mut walk_in = intake(true);
        walk_in.procedure.processing_time = ProcessingTime::WorkingDays(1 + (i * 7) % 9);
        let at = start + Duration::minutes(i64::from((i * 37) % 300));
        let rec = ops::open(
            &*store,
            &lc,
            walk_in,
            serde_json::json!({}),
            &reception(),
            at,
        )
        .await
        .unwrap();
        if i % 3 != 0 {
            let assignee = (i % 2 == 0).then(|| "chuyenvien".to_string());
            ops::act(
                &*store,
                &lc,
                &rec.code,
                None,
                &Command::Forward {
                    assignee,
                    note: None,
                },
                &reception(),
                at,
            )
            .await
            .unwrap();
        }
        if i % 5 == 0 && i % 3 != 0 {
            ops::act(
                &*store,
                &lc,
                &rec.code,
                None,
                &Command::RequestSupplement {
                    reason: "Thiếu".into(),
                    missing: vec!["Tờ khai".into()],
                },
                &specialist,
                at,
            )
            .await
            .unwrap();
        }
    }
    // Every dossier, read in code order, and the order a list must have, computed here from
    // the states.
    let mut every = Vec::new();
    let mut after = String::new();
    loop {
        let page = store
            .work(&WorkQuery {
                after: Some(after.clone()),
                limit: 7,
                ..WorkQuery::default()
            })
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = last.code.to_string();
        every.extend(page);
    }
    assert_eq!(every.len(), 30);
    let held = [
        Status::Received,
        Status::InProcessing,
        Status::AwaitingSupplement,
    ];
    let expect = |keep: &dyn Fn(&DossierRecord) -> bool, urgent: bool, n: usize| {
        let mut v: Vec<&DossierRecord> = every.iter().filter(|r| keep(r)).collect();
        let key = |r: &DossierRecord| {
            let d = &r.state;
            let k = if urgent {
                [d.due_at, d.step_due_at].into_iter().flatten().min()
            } else {
                d.due_at
            };
            (
                k.map_or(i64::MAX, |t| t.timestamp_millis()),
                d.submitted_at,
                r.code.to_string(),
            )
        };
        v.sort_by_key(|r| key(r));
        v.into_iter()
            .take(n)
            .map(|r| r.code.to_string())
            .collect::<Vec<_>>()
    };
    let list = |q: WorkQuery| {
        let store = store.clone();
        async move {
            store
                .work(&q)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.code.to_string())
                .collect::<Vec<_>>()
        }
    };
    let in_scope = |r: &DossierRecord, agencies: &[AgencyCode]| {
        held.contains(&r.state.status) && agencies.contains(&r.state.current_agency)
    };
    // Two agencies, three statuses: six ranges merged.
    let two = [centre(), department()];
    let unit = WorkQuery {
        holders: Some(two.iter().map(|a| a.to_string()).collect()),
        statuses: held.to_vec(),
        limit: 9,
        ..WorkQuery::default()
    };
    assert_eq!(
        list(unit.clone()).await,
        expect(&|r| in_scope(r, &two), false, 9)
    );
    // The whole province (no agency filter), and a scope too long to split.
    let everyone = WorkQuery {
        holders: None,
        ..unit.clone()
    };
    assert_eq!(
        list(everyone).await,
        expect(&|r| held.contains(&r.state.status), false, 9)
    );
    let mut long: Vec<String> = (10..60).map(|n| format!("000.00.{n}.H22")).collect();
    long.push(department().to_string());
    let wide = WorkQuery {
        holders: Some(long),
        ..unit.clone()
    };
    assert_eq!(
        list(wide).await,
        expect(&|r| in_scope(r, &[department()]), false, 9)
    );
    // One officer's list.
    let mine = WorkQuery {
        assignee: Some("chuyenvien".into()),
        ..unit.clone()
    };
    assert_eq!(
        list(mine).await,
        expect(
            &|r| in_scope(r, &two) && r.state.assignee.as_deref() == Some("chuyenvien"),
            false,
            9
        )
    );
    // Due filters order by the earliest of the appointment and the step.
    let cut = vn(2025, 6, 4, 12, 0);
    let due = WorkQuery {
        due_before: Some(cut),
        ..unit.clone()
    };
    let urgent = |r: &DossierRecord| {
        [r.state.due_at, r.state.step_due_at]
            .into_iter()
            .flatten()
            .min()
    };
    let expected = expect(&|r| in_scope(r, &two) && urgent(r) < Some(cut), true, 9);
    assert!(!expected.is_empty());
    assert_eq!(list(due).await, expected);
    let later = WorkQuery {
        due_from: Some(cut),
        ..unit.clone()
    };
    assert_eq!(
        list(later).await,
        expect(&|r| in_scope(r, &two) && urgent(r) >= Some(cut), true, 9)
    );
    // Each range is read from an index in the list's order: nothing is sorted but the few
    // rows the ranges give.
    if store.backend() == Backend::Sqlite {
        sqlx::any::install_default_drivers();
        let raw = sqlx::AnyPool::connect(url).await.unwrap();
        for (index, sql) in [
            (
                "dossiers_holder_due",
                "SELECT code, work_due AS k, submitted_at FROM dossiers WHERE status = 'received' \
                 AND current_agency = 'x' ORDER BY work_due, submitted_at, code LIMIT 50",
            ),
            (
                "dossiers_status_urgent",
                "SELECT code, urgent_at AS k, submitted_at FROM dossiers WHERE status = 'received' \
                 AND urgent_at < 5 ORDER BY urgent_at, submitted_at, code LIMIT 50",
            ),
            (
                "dossiers_assignee_due",
                "SELECT code, work_due AS k, submitted_at FROM dossiers WHERE status = 'received' \
                 AND assignee = 'x' AND current_agency IN ('a', 'b') ORDER BY work_due, submitted_at, code LIMIT 50",
            ),
        ] {
            let plan: Vec<String> =
                sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                    .fetch_all(&raw)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.try_get::<String, _>("detail").unwrap())
                    .collect();
            let plan = plan.join("\n");
            assert!(plan.contains(index), "{plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        }
    }
}

async fn the_watcher_reads_only_what_is_due(store: Arc<dyn Store>) {
    seed(&*store).await;
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let now = vn(2025, 6, 2, 9, 0);
    let watched = [Status::Received, Status::InProcessing, Status::Supplemented];
    let a = open(&*store, &lc, true, now).await;
    let b = open(&*store, &lc, true, now).await;
    // Filed online and not received: not the watcher's.
    open(&*store, &lc, false, now).await;
    let codes = |v: Vec<DossierRecord>| v.into_iter().map(|r| r.code).collect::<Vec<_>>();
    let due = codes(store.to_watch(&watched, now, 10).await.unwrap());
    assert_eq!(due.len(), 2, "new dossiers are looked at once");
    assert!(due.contains(&a.code) && due.contains(&b.code));
    // Looked at: a again in a day, b not until it changes; a stale version sets nothing.
    let set = store
        .watch_again(&[
            WatchAgain {
                code: a.code,
                version: a.version,
                at: Some(now + Duration::days(1)),
            },
            WatchAgain {
                code: b.code,
                version: b.version,
                at: None,
            },
            WatchAgain {
                code: a.code,
                version: a.version - 1,
                at: None,
            },
        ])
        .await
        .unwrap();
    assert_eq!(set, 2);
    assert!(store.to_watch(&watched, now, 10).await.unwrap().is_empty());
    assert_eq!(
        codes(
            store
                .to_watch(&watched, now + Duration::days(1), 10)
                .await
                .unwrap()
        ),
        vec![a.code]
    );
    // A change has the watcher look at once.
    ops::act(
        &*store,
        &lc,
        &b.code,
        None,
        &Command::Forward {
            assignee: None,
            note: None,
        },
        &reception(),
        now,
    )
    .await
    .unwrap();
    assert_eq!(
        codes(store.to_watch(&watched, now, 10).await.unwrap()),
        vec![b.code]
    );
}

/// Petitions: codes drawn per day, each an event stream in the chain with its row written
/// alongside, a stale version refused, the lists ordered by due time, and the chain verified
/// with petitions in it (and a changed petition event found).
async fn petitions_are_streams_in_the_chain(store: Arc<dyn Store>, url: &str) {
    use motcua_domain::pakn::{
        self, Category, Filing, PaknChannel, PaknCommand, PaknState, Petitioner,
    };
    seed(&*store).await;
    let cal = calendar();
    let limits = pakn::Limits::default();
    let filing = |agency: AgencyCode| Filing {
        petitioner: Petitioner {
            name: "Trần Văn Bình".into(),
            phone: Some(Phone::parse("0912345678").unwrap()),
            email: None,
            lang: motcua_domain::Lang::Vi,
        },
        channel: PaknChannel::Phone,
        content: "Cán bộ hẹn trả kết quả nhiều lần, tôi gọi 0912 345 678 không ai nghe.".into(),
        category: None,
        dossier: None,
        agency,
        received_by: Some("tiepnhan".into()),
        publish_content: true,
        attachments: Vec::new(),
    };
    let at = vn(2026, 3, 2, 9, 0);
    let due = |t| Some(cal.add_working_days(t, limits.forward));
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let store = store.clone();
            let f = pakn::check(filing(department())).unwrap();
            let due = due(at);
            tokio::spawn(async move { store.file_petition(&f, at, due).await.unwrap() })
        })
        .collect();
    let mut filed = Vec::new();
    for h in handles {
        filed.push(h.await.unwrap());
    }
    let mut codes: Vec<String> = filed.iter().map(|r| r.code.to_string()).collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            "PAKN.20260302.0001",
            "PAKN.20260302.0002",
            "PAKN.20260302.0003"
        ]
    );
    let next_day = store
        .file_petition(&filing(commune()), vn(2026, 3, 3, 9, 0), None)
        .await
        .unwrap();
    assert_eq!(next_day.code.to_string(), "PAKN.20260303.0001");
    let code = filed[0].code;
    let stored = store.petition(&code).await.unwrap().unwrap();
    assert_eq!(stored.row, filed[0]);
    assert_eq!(stored.events.len(), 1);
    // Accepted and answered through the domain, a version at a time.
    let officer = Actor::new("chuyenvien", Role::Specialist, Some(department()));
    let mut version = 1;
    for (command, t) in [
        (
            PaknCommand::Accept {
                category: Category::StaffConduct,
            },
            vn(2026, 3, 2, 10, 0),
        ),
        (
            PaknCommand::Answer {
                answer: "Đã nhắc nhở cán bộ.".into(),
            },
            vn(2026, 3, 4, 10, 0),
        ),
        (PaknCommand::Publish, vn(2026, 3, 5, 10, 0)),
    ] {
        let events = store.petition(&code).await.unwrap().unwrap().events;
        let p = pakn::replay(&events, &cal, &limits).unwrap();
        let new = pakn::decide(&p, &command, &officer, &cal, &limits, t).unwrap();
        let mut all = events.clone();
        all.extend(new.clone());
        let after = pakn::replay(&all, &cal, &limits).unwrap();
        let update = PetitionUpdate::of(&after, &cal, &limits);
        let row = store
            .append_petition(&code, version, new.clone(), &update)
            .await
            .unwrap();
        version += 1;
        assert_eq!((row.version, row.state), (version, after.state));
        // The same change again, on the version it was made on, is refused.
        assert!(matches!(
            store
                .append_petition(&code, version - 1, new, &update)
                .await,
            Err(StoreError::Conflict { .. })
        ));
    }
    let stored = store.petition(&code).await.unwrap().unwrap();
    assert_eq!(stored.row.state, PaknState::Published);
    assert_eq!(stored.row.category, Some(Category::StaffConduct));
    assert_eq!(stored.events.len(), 4);
    // Published: the public reads the answer and the question (its phone number hidden),
    // found by words typed without accents, within its agency and category.
    let published = |agency: Option<AgencyCode>, words: &[&str]| {
        let store = store.clone();
        let q = PublishedQuery {
            agency,
            category: Some(Category::StaffConduct),
            words: words.iter().map(|w| w.to_string()).collect(),
            offset: 0,
            limit: 10,
        };
        async move { store.published_petitions(&q).await.unwrap() }
    };
    let found = published(Some(department()), &["nhac", "ket"]).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code, code);
    assert_eq!(found[0].answer, "Đã nhắc nhở cán bộ.");
    assert_eq!(
        found[0].question.as_deref(),
        Some("Cán bộ hẹn trả kết quả nhiều lần, tôi gọi ••• không ai nghe.")
    );
    assert_eq!(found[0].published_at, vn(2026, 3, 5, 10, 0));
    assert!(published(None, &["0912"]).await.is_empty());
    assert!(published(None, &["nhac", "mua"]).await.is_empty());
    assert!(published(Some(commune()), &[]).await.is_empty());
    assert!(matches!(
        store
            .append_petition(
                &"PAKN.20260101.0001".parse().unwrap(),
                1,
                Vec::new(),
                &PetitionUpdate {
                    state: PaknState::Closed,
                    agency: department(),
                    category: None,
                    facts: filed[1].facts,
                    published: None,
                    petitioner: motcua_store::Reach {
                        email: false,
                        phone: true,
                    },
                },
            )
            .await,
        Err(StoreError::NotFound)
    ));
    // The index's facts of the petitions a period counts.
    let march = store
        .petition_facts(vn(2026, 3, 1, 0, 0), vn(2026, 4, 1, 0, 0))
        .await
        .unwrap();
    assert_eq!(march.len(), 4);
    assert!(
        march
            .iter()
            .all(|p| !p.facts.late && p.channel == PaknChannel::Phone)
    );
    assert_eq!(
        march.iter().filter(|p| p.facts.ended_at.is_some()).count(),
        1,
        "the published one has ended"
    );
    assert_eq!(
        march.iter().filter(|p| p.agency == commune()).count(),
        1,
        "with the agency handling each"
    );
    assert!(
        store
            .petition_facts(vn(2026, 2, 1, 0, 0), vn(2026, 3, 1, 0, 0))
            .await
            .unwrap()
            .is_empty()
    );
    // Lists: by agency and state, the earliest due first, none due after the instant given.
    let mine = store
        .petitions(&PetitionQuery {
            agencies: Some(vec![department()]),
            states: Some(vec![PaknState::Submitted]),
            due_before: None,
            offset: 0,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(mine.len(), 2);
    assert!(
        mine.iter()
            .all(|r| r.agency == department() && r.state == PaknState::Submitted)
    );
    let all = store
        .petitions(&PetitionQuery {
            limit: 10,
            ..PetitionQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(all.last().unwrap().facts.due_at, None, "no due time last");
    assert!(
        all.windows(2)
            .all(|w| match (w[0].facts.due_at, w[1].facts.due_at) {
                (Some(a), Some(b)) => a <= b,
                (_, None) => true,
                (None, Some(_)) => false,
            })
    );
    let overdue = store
        .petitions(&PetitionQuery {
            due_before: Some(vn(2026, 3, 3, 0, 0)),
            limit: 10,
            ..PetitionQuery::default()
        })
        .await
        .unwrap();
    assert!(overdue.is_empty());
    // Page after page.
    let page = |offset| {
        let store = store.clone();
        async move {
            store
                .petitions(&PetitionQuery {
                    offset,
                    limit: 3,
                    ..PetitionQuery::default()
                })
                .await
                .unwrap()
        }
    };
    let (first, rest) = (page(0).await, page(3).await);
    assert_eq!((first.len(), rest.len()), (3, 1));
    assert_eq!(first.into_iter().chain(rest).collect::<Vec<_>>(), all);
    // The petitioner is told, in the same transactions: each filing and the published
    // answer (not the acceptance, nor the answer the coordinator may still return).
    let told: Vec<(String, String)> = store
        .pending_outbox(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.topic.starts_with("pakn."))
        .map(|m| {
            let message: motcua_store::PetitionMessage = serde_json::from_value(m.payload).unwrap();
            (m.topic, message.stream)
        })
        .collect();
    let stream = format!("pakn:{code}");
    assert_eq!(told.len(), 5, "{told:?}");
    assert_eq!(told.iter().filter(|(t, _)| t == "pakn.filed").count(), 4);
    assert!(told.contains(&("pakn.published".to_string(), stream)));
    // Escalation alerts: once per petition, rule, due instant and officer.
    let alert = |who: &str| motcua_store::PetitionAlert {
        petition: code,
        rule: "accepted+2:notify=leader".into(),
        due_at: vn(2026, 3, 20, 17, 0),
        recipient: who.into(),
        created_at: vn(2026, 3, 25, 8, 0),
        read_at: None,
    };
    let raised = store
        .raise_petition_alerts(&[alert("lanhdao"), alert("giamsat")])
        .await
        .unwrap();
    assert_eq!(raised, 2);
    let again = store
        .raise_petition_alerts(&[alert("lanhdao")])
        .await
        .unwrap();
    assert_eq!(again, 0);
    let mine = store.petition_alerts("lanhdao", 10).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].1, alert("lanhdao"));
    // Read by its recipient only, once.
    let id = mine[0].0;
    let now = vn(2026, 3, 25, 9, 0);
    assert!(
        !store
            .mark_petition_alert_read(id, "giamsat", now)
            .await
            .unwrap()
    );
    assert!(
        store
            .mark_petition_alert_read(id, "lanhdao", now)
            .await
            .unwrap()
    );
    assert!(
        !store
            .mark_petition_alert_read(id, "lanhdao", now)
            .await
            .unwrap()
    );
    assert_eq!(
        store.petition_alerts("lanhdao", 10).await.unwrap()[0]
            .1
            .read_at,
        Some(now)
    );
    assert!(
        store
            .petition_alerts("ai-khac", 10)
            .await
            .unwrap()
            .is_empty()
    );
    // The chain holds them, the statistics ignore them, and a changed event is found.
    assert_eq!(store.verify_chain().await.unwrap().broken, None);
    assert!(store.rebuild_stats(false).await.unwrap().consistent());
    sqlx::any::install_default_drivers();
    let raw = sqlx::AnyPool::connect(url).await.unwrap();
    raw.execute(sqlx::AssertSqlSafe(format!(
        "UPDATE events SET body = replace(body, 'Đã nhắc nhở', 'Không nhắc') WHERE stream = 'pakn:{code}'"
    )))
    .await
    .unwrap();
    let broken = store.verify_chain().await.unwrap().broken.unwrap();
    assert_eq!(broken.stream, format!("pakn:{code}"));
    raw.close().await;
}

macro_rules! on_both_backends {
    ($($name:ident),* ; $($raw:ident),*) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let db = TestDb::sqlite().await;
                    super::$name(db.store().await).await;
                    db.drop_db().await;
                }
            )*
            $(
                #[tokio::test]
                async fn $raw() {
                    let db = TestDb::sqlite().await;
                    super::$raw(db.store().await, &db.url).await;
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
                    super::$name(db.store().await).await;
                    db.drop_db().await;
                }
            )*
            $(
                #[tokio::test]
                async fn $raw() {
                    let Some(db) = TestDb::postgres().await else { return };
                    super::$raw(db.store().await, &db.url).await;
                    db.drop_db().await;
                }
            )*
        }
    };
}

/// Questions to an officer: codes per day, listed by agency and state the earliest due first,
/// answered once (then published as a frequently asked question, found by its words) or
/// turned into a petition once.
async fn questions_are_answered_once_and_published(store: Arc<dyn Store>) {
    use motcua_domain::questions::QuestionState;
    seed(&*store).await;
    let asked = |agency: AgencyCode, text: &str| NewQuestion {
        channel: "web".into(),
        received_by: None,
        name: "Lê Văn Cường".into(),
        phone: Some(Phone::parse("0912345678").unwrap()),
        email: None,
        procedure: Some(ProcedureCode::parse("1.001234").unwrap()),
        agency,
        question: text.into(),
        lang: motcua_domain::Lang::En,
    };
    let at = vn(2026, 3, 2, 21, 0);
    let first = store
        .ask_question(
            &asked(
                department(),
                "Giấy khai sinh bản sao có cần chứng thực không?",
            ),
            at,
            vn(2026, 3, 3, 15, 30),
        )
        .await
        .unwrap();
    let second = store
        .ask_question(
            &asked(department(), "Có làm thủ tục vào thứ bảy không?"),
            at,
            vn(2026, 3, 3, 9, 0),
        )
        .await
        .unwrap();
    let elsewhere = store
        .ask_question(&asked(commune(), "Hỏi xã"), at, vn(2026, 3, 3, 9, 0))
        .await
        .unwrap();
    assert_eq!(first.code.to_string(), "HD.20260302.0001");
    assert_eq!(elsewhere.code.to_string(), "HD.20260302.0003");
    assert_eq!(
        store.question(&first.code).await.unwrap(),
        Some(first.clone())
    );
    let open = store
        .questions(&QuestionQuery {
            agencies: vec![department()],
            states: vec![QuestionState::Open],
            limit: 10,
        })
        .await
        .unwrap();
    let codes: Vec<_> = open.iter().map(|q| q.code).collect();
    assert_eq!(codes, [second.code, first.code], "the earliest due first");
    // Answered and published once; the second answer is refused.
    let answered = store
        .answer_question(
            &first.code,
            "Không cần: nộp bản sao từ sổ gốc.",
            "chuyenvien",
            vn(2026, 3, 3, 8, 0),
            true,
        )
        .await
        .unwrap();
    assert_eq!(answered.state, QuestionState::Answered);
    assert_eq!(answered.published_at, Some(vn(2026, 3, 3, 8, 0)));
    assert_eq!(answered.asked.lang, motcua_domain::Lang::En);
    // The asker is told, once, in the answer's transaction.
    let told: Vec<serde_json::Value> = store
        .pending_outbox(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.topic == motcua_store::QUESTION_ANSWERED_TOPIC)
        .map(|m| m.payload)
        .collect();
    assert_eq!(
        told,
        vec![serde_json::json!({ "stream": format!("question:{}", first.code) })]
    );
    assert!(matches!(
        store
            .answer_question(
                &first.code,
                "again",
                "chuyenvien",
                vn(2026, 3, 3, 9, 0),
                false
            )
            .await,
        Err(StoreError::Conflict { .. })
    ));
    // Turned into a petition once, and not after an answer.
    let petition: motcua_domain::ids::PaknCode = "PAKN.20260303.0001".parse().unwrap();
    let converted = store
        .convert_question(&second.code, &petition, "chuyenvien", vn(2026, 3, 3, 8, 30))
        .await
        .unwrap();
    assert_eq!(
        (converted.state, converted.petition),
        (QuestionState::Converted, Some(petition))
    );
    assert!(
        store
            .convert_question(&first.code, &petition, "chuyenvien", vn(2026, 3, 3, 9, 0))
            .await
            .is_err()
    );
    assert!(matches!(
        store
            .answer_question(
                &"HD.20260101.0001".parse().unwrap(),
                "x",
                "chuyenvien",
                at,
                false
            )
            .await,
        Err(StoreError::NotFound)
    ));
    // The published one is found by its words (accents aside), about its procedure.
    let procedure = ProcedureCode::parse("1.001234").unwrap();
    let words = |w: &[&str]| w.iter().map(|w| w.to_string()).collect::<Vec<_>>();
    let faq = store
        .faq(&words(&["chung", "thuc", "goc"]), Some(&procedure), 10)
        .await
        .unwrap();
    assert_eq!(faq.len(), 1);
    assert_eq!(
        faq[0].answer.as_deref(),
        Some("Không cần: nộp bản sao từ sổ gốc.")
    );
    assert!(
        store
            .faq(&words(&["thu bay"]), None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .faq(&[], Some(&ProcedureCode::parse("1.000001").unwrap()), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

on_both_backends!(
    agencies_branches_users_keys,
    catalog_is_written_whole_or_not_at_all,
    calendar_days_and_settings,
    dossier_lifecycle_events_outbox_stats,
    concurrent_intakes_get_distinct_codes,
    import_batch,
    portal_accounts_sessions_drafts_payments,
    idempotency_keys_answer_once_per_request,
    work_lists_alerts_and_leases,
    dossiers_are_found_by_code_id_phone_and_name_and_lists_counted,
    the_watcher_reads_only_what_is_due,
    queue_tickets_are_numbered_and_called_once,
    queue_transfers_appointments_ratings_and_figures,
    questions_are_answered_once_and_published;
    tampering_is_detected,
    names_stored_before_folding_are_folded_once,
    a_lost_connection_is_unavailable_not_a_failure,
    deleted_event_is_detected,
    admin_changes_are_made_and_chained,
    outbox_queues_what_can_be_sent_claims_in_order_and_prunes,
    statistics_rebuilt_from_events_equal_the_incremental_ones,
    work_lists_are_read_in_order_from_index_ranges,
    petitions_are_streams_in_the_chain
);

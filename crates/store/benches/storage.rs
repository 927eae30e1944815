//! Throughput of dossier intake and status transitions through the storage contract, beside a
//! baseline measured in the same run: the same rows (dossier, events in the chain, facts,
//! rollups, routing) written directly with sqlx, one transaction per operation, with every
//! value (JSON, hashes) computed before the clock starts.
//!
//! `cargo bench -p motcua-store` (PostgreSQL from MOTCUA_TEST_DATABASE_URL when it answers).
//! Sizes: MOTCUA_BENCH_N (default 1000 dossiers per measurement).

use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use motcua_domain::audit::{GENESIS, link};
use motcua_domain::calendar::{CalendarConfig, ProcessingTime, TZ, WorkingCalendar};
use motcua_domain::ids::{AgencyCode, ProcedureCode};
use motcua_domain::lifecycle::{
    Applicant, Channel, Command, Event, Intake, Lifecycle, TimelinessPolicy, replay,
};
use motcua_domain::procedure::{ProcedureRules, StepPlan, SupplementClock};
use motcua_domain::role::{Actor, Role};
use motcua_store::testing::TestDb;
use motcua_store::{Agency, AgencyKind, Store, ops};
use sqlx::{Executor, Transaction};

fn agency(s: &str) -> AgencyCode {
    AgencyCode::parse(s).unwrap()
}

fn intake() -> Intake {
    Intake {
        procedure: ProcedureRules {
            code: ProcedureCode::parse("1.001234").unwrap(),
            processing_time: ProcessingTime::WorkingDays(5),
            supplement_clock: SupplementClock::Restart,
            prepaid_fee: 0,
            steps: vec![
                StepPlan {
                    name: "Thẩm định".into(),
                    agency: None,
                    role: Role::Specialist,
                    budget_hours: 24,
                },
                StepPlan {
                    name: "Phê duyệt".into(),
                    agency: None,
                    role: Role::Approver,
                    budget_hours: 16,
                },
            ],
        },
        applicant: Applicant {
            name: "Nguyễn Thị Ánh".into(),
            cccd: None,
            phone: None,
            email: None,
            tax_code: None,
            lang: Default::default(),
        },
        channel: Channel::Counter,
        receiving_agency: agency("000.00.01.H22"),
        competent_agency: agency("000.00.02.H22"),
        branch: Some("HQ".into()),
        owner: None,
        receive_now: true,
        components: Vec::new(),
    }
}

async fn seed(store: &dyn Store) {
    for (c, parent) in [
        ("000.00.00.H22", None),
        ("000.00.01.H22", Some("000.00.00.H22")),
        ("000.00.02.H22", Some("000.00.00.H22")),
    ] {
        store
            .put_agency(&Agency {
                code: agency(c),
                parent: parent.map(agency),
                name: c.into(),
                name_en: None,
                kind: AgencyKind::Department,
                admin_unit_code: None,
            })
            .await
            .unwrap();
    }
}

struct Rates {
    intake: f64,
    transition: f64,
}

/// Through the contract: `ops::open` (decide + create_dossier) and `ops::act` (load + decide
/// + append).
async fn through_store(store: Arc<dyn Store>, n: usize) -> Rates {
    seed(&*store).await;
    let cal = WorkingCalendar::new(CalendarConfig::default()).unwrap();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let reception = Actor::new("letan", Role::Reception, Some(agency("000.00.01.H22")));
    let now = TZ
        .with_ymd_and_hms(2025, 6, 2, 9, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let t = Instant::now();
    let mut codes = Vec::with_capacity(n);
    for _ in 0..n {
        codes.push(
            ops::open(
                &*store,
                &lc,
                intake(),
                serde_json::json!({"ghi_chu": "x"}),
                &reception,
                now,
            )
            .await
            .unwrap()
            .code,
        );
    }
    let intake_rate = n as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    for code in &codes {
        ops::act(
            &*store,
            &lc,
            code,
            None,
            &Command::Forward {
                assignee: None,
                note: None,
            },
            &reception,
            now,
        )
        .await
        .unwrap();
    }
    Rates {
        intake: intake_rate,
        transition: n as f64 / t.elapsed().as_secs_f64(),
    }
}

/// Precomputed rows of one dossier: opening events (2) and one transition event.
struct Rows {
    code: String,
    state_open: String,
    state_after: String,
    bodies: Vec<String>,
    kinds: Vec<&'static str>,
}

fn rows(n: usize) -> Vec<Rows> {
    let cal = WorkingCalendar::new(CalendarConfig::default()).unwrap();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let reception = Actor::new("letan", Role::Reception, Some(agency("000.00.01.H22")));
    let now = TZ
        .with_ymd_and_hms(2025, 6, 2, 9, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    (0..n)
        .map(|i| {
            let code = format!("000.00.01.H22-250602-{:04}", i + 1);
            let mut events: Vec<Event> = lc
                .decide(None, &Command::Open(Box::new(intake())), &reception, now)
                .unwrap();
            let open = replay(&events).unwrap();
            events.extend(
                lc.decide(
                    Some(&open),
                    &Command::Forward {
                        assignee: None,
                        note: None,
                    },
                    &reception,
                    now,
                )
                .unwrap(),
            );
            let after = replay(&events).unwrap();
            let bodies = events
                .iter()
                .enumerate()
                .map(|(v, e)| {
                    serde_json::to_string(
                        &serde_json::json!({"stream": code, "version": v + 1, "event": e}),
                    )
                    .unwrap()
                })
                .collect();
            Rows {
                state_open: serde_json::to_string(&open).unwrap(),
                state_after: serde_json::to_string(&after).unwrap(),
                kinds: events.iter().map(|e| e.kind.name()).collect(),
                bodies,
                code,
            }
        })
        .collect()
}

/// Writes event `idx` of a dossier, links it into the chain, and adds its counts to the
/// rollups (day and month, the eight combinations of agency, procedure and branch).
async fn raw_event<'c, DB>(
    tx: &mut Transaction<'c, DB>,
    seq: &mut i64,
    prev: &mut [u8; 32],
    r: &Rows,
    idx: usize,
) where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: Executor<'e, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    *seq += 1;
    let hash = link(prev, r.bodies[idx].as_bytes());
    sqlx::query("INSERT INTO events (seq, stream, version, kind, at, body, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(*seq)
        .bind(r.code.as_str())
        .bind(idx as i64 + 1)
        .bind(r.kinds[idx])
        .bind(0i64)
        .bind(r.bodies[idx].as_str())
        .bind(hex(prev))
        .bind(hex(&hash))
        .execute(&mut **tx)
        .await
        .unwrap();
    if idx < 2 {
        for (grain, period) in [("d", "2025-06-02"), ("m", "2025-06")] {
            for set in 0..8 {
                sqlx::query(
                    "INSERT INTO stats_rollup (grain, agency_code, procedure_code, branch_code, period, metric, count) \
                     VALUES ($1, $2, $3, $4, $5, $6, 1) ON CONFLICT (grain, agency_code, procedure_code, branch_code, period, metric) \
                     DO UPDATE SET count = stats_rollup.count + 1",
                )
                .bind(grain)
                .bind(if set & 1 != 0 { "000.00.02.H22" } else { "*" })
                .bind(if set & 2 != 0 { "1.001234" } else { "*" })
                .bind(if set & 4 != 0 { "HQ" } else { "*" })
                .bind(period)
                .bind(["submitted", "received"][idx])
                .execute(&mut **tx)
                .await
                .unwrap();
            }
        }
    }
    *prev = hash;
}

/// The dossier's facts row, replaced.
async fn raw_facts<'c, DB>(tx: &mut Transaction<'c, DB>, r: &Rows, status: &str, version: i64)
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: Executor<'e, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    sqlx::query(
        "INSERT INTO dossier_facts (code, version, procedure_code, receiving_agency, competent_agency, \
         current_agency, branch_code, channel, status, submitted_at, received_at, due_at, finished_at, \
         returned_at, timeliness, supplement_requests, supplement_secs, prepaid_fee, fee_paid, rating, tally) \
         VALUES ($1, $2, '1.001234', '000.00.01.H22', '000.00.02.H22', '000.00.02.H22', 'HQ', 'counter', $3, \
         0, 0, 0, NULL, NULL, NULL, 0, 0, 0, 0, NULL, '2025-06-02 received;2025-06-02 submitted') \
         ON CONFLICT (code) DO UPDATE SET version = excluded.version, status = excluded.status",
    )
    .bind(r.code.as_str())
    .bind(version)
    .bind(status)
    .execute(&mut **tx)
    .await
    .unwrap();
}

fn hex(h: &[u8; 32]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

macro_rules! baseline {
    ($pool:expr, $rows:expr, $lock:expr) => {{
        let pool = $pool;
        let rows: &[Rows] = $rows;
        let (mut seq, mut prev) = (0i64, GENESIS);
        let t = Instant::now();
        for r in rows {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query($lock).fetch_one(&mut *tx).await.unwrap();
            sqlx::query("INSERT INTO dossier_sequences (agency_code, day, last) VALUES ($1, $2, 1) ON CONFLICT (agency_code, day) DO UPDATE SET last = dossier_sequences.last + 1 RETURNING last")
                .bind("000.00.01.H22").bind("2025-06-02").fetch_one(&mut *tx).await.unwrap();
            sqlx::query("INSERT INTO dossiers (code, procedure_code, status, channel, receiving_agency, competent_agency, current_agency, branch_code, owner, applicant_name, applicant_cccd, phone_last4, submitted_at, received_at, due_at, result_at, timeliness, version, state, form, work_due, urgent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)")
                .bind(r.code.as_str()).bind("1.001234").bind("received").bind("counter").bind("000.00.01.H22").bind("000.00.02.H22").bind("000.00.01.H22")
                .bind(Some("HQ")).bind(None::<String>).bind("Nguyễn Thị Ánh").bind(None::<String>).bind(None::<String>).bind(0i64).bind(Some(0i64)).bind(Some(0i64)).bind(None::<i64>).bind(None::<String>).bind(2i64)
                .bind(r.state_open.as_str()).bind("{\"ghi_chu\":\"x\"}").bind(0i64).bind(0i64)
                .execute(&mut *tx).await.unwrap();
            raw_event(&mut tx, &mut seq, &mut prev, r, 0).await;
            raw_event(&mut tx, &mut seq, &mut prev, r, 1).await;
            raw_facts(&mut tx, r, "received", 2).await;
            for a in ["000.00.01.H22", "000.00.02.H22"] {
                sqlx::query("INSERT INTO dossier_agencies (dossier_code, agency_code) VALUES ($1, $2) ON CONFLICT (dossier_code, agency_code) DO NOTHING")
                    .bind(r.code.as_str()).bind(a).execute(&mut *tx).await.unwrap();
            }
            sqlx::query("UPDATE chain_head SET seq = $1, hash = $2 WHERE id = 1").bind(seq).bind(hex(&prev)).execute(&mut *tx).await.unwrap();
            tx.commit().await.unwrap();
        }
        let intake = rows.len() as f64 / t.elapsed().as_secs_f64();
        let t = Instant::now();
        for r in rows {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("SELECT version, state, form FROM dossiers WHERE code = $1").bind(r.code.as_str()).fetch_one(&mut *tx).await.unwrap();
            sqlx::query("UPDATE dossiers SET status = $1, current_agency = $2, version = $3, state = $4 WHERE code = $5 AND version = $6")
                .bind("in_processing").bind("000.00.02.H22").bind(3i64).bind(r.state_after.as_str()).bind(r.code.as_str()).bind(2i64)
                .execute(&mut *tx).await.unwrap();
            sqlx::query($lock).fetch_one(&mut *tx).await.unwrap();
            raw_event(&mut tx, &mut seq, &mut prev, r, 2).await;
            sqlx::query("SELECT tally FROM dossier_facts WHERE code = $1").bind(r.code.as_str()).fetch_one(&mut *tx).await.unwrap();
            raw_facts(&mut tx, r, "in_processing", 3).await;
            sqlx::query("UPDATE chain_head SET seq = $1, hash = $2 WHERE id = 1").bind(seq).bind(hex(&prev)).execute(&mut *tx).await.unwrap();
            tx.commit().await.unwrap();
        }
        Rates { intake, transition: rows.len() as f64 / t.elapsed().as_secs_f64() }
    }};
}

fn report(backend: &str, store: &Rates, base: &Rates) {
    for (op, s, b) in [
        ("intake", store.intake, base.intake),
        ("transition", store.transition, base.transition),
    ] {
        println!(
            "{backend:<9} {op:<11} {s:>11.0}/s {b:>11.0}/s {:>7.2}",
            s / b
        );
    }
}

fn main() {
    let n: usize = std::env::var("MOTCUA_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let rows = rows(n);
        println!("{n} dossiers per measurement, one transaction per operation, sequential");
        println!(
            "{:<9} {:<11} {:>13} {:>13} {:>7}",
            "backend", "operation", "store", "raw sqlx", "ratio"
        );

        // SQLite: the store's own settings (WAL, synchronous = FULL) for both.
        let db = TestDb::sqlite().await;
        let store = db.store().await;
        store.close().await;
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(&db.url)
            .unwrap()
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Full)
            .foreign_keys(true);
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .unwrap();
        seed(&*db.store().await).await;
        let base = baseline!(
            &pool,
            &rows,
            "SELECT seq, hash FROM chain_head WHERE id = 1"
        );
        pool.close().await;
        db.drop_db().await;
        let db = TestDb::sqlite().await;
        let rates = through_store(db.store().await, n).await;
        report("sqlite", &rates, &base);
        db.drop_db().await;

        match TestDb::postgres().await {
            None => println!("postgres  skipped: no server at MOTCUA_TEST_DATABASE_URL"),
            Some(db) => {
                let store = db.store().await;
                seed(&*store).await;
                store.close().await;
                let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
                let base = baseline!(
                    &pool,
                    &rows,
                    "SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE"
                );
                pool.close().await;
                db.drop_db().await;
                let db = TestDb::postgres().await.unwrap();
                let rates = through_store(db.store().await, n).await;
                report("postgres", &rates, &base);
                db.drop_db().await;
            }
        }
    });
}

//! The service index and the report form at a province's volume, on PostgreSQL: fact rows and
//! the cohort rollup for 100,000 to 10 million dossiers over a year (generated in the database
//! with the shape of real traffic: a few procedures take most dossiers, communes handle their
//! own, 2 % left open, 5 % late, 62 % online with digitised components and a third of those
//! reusing data; an ended dossier's due day kept as the domain keeps it), then
//! the province-year index, its drill-down tree and the report form (by agency and by field)
//! computed through the application layer, against a plain `count(*)` over the rollup rows the
//! index reads in the same run, and against counting the fact rows directly (what a figure
//! would cost without the rollup). `read` is the storage's part: the rollup rows the index
//! reads (one per cohort, summed over the province) and the online uses, fetched and decoded.
//! `rollup` is every row of the cohort rollup at its three grains; `province` the rows the
//! index reads.
//!
//! `cargo bench -p motcua --bench index`. Settings: MOTCUA_INDEX_SIZES (default
//! `100000,1000000,10000000`), MOTCUA_INDEX_RUNS (timed calls per figure, default 20),
//! MOTCUA_TEST_DATABASE_URL (default `postgres://postgres@127.0.0.1:5432/postgres`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use motcua_app::App;
use motcua_app::monitoring::{self, IndexQuery};
use motcua_app::reports::{self, Form06Query, GroupBy};
use motcua_domain::calendar::{CalendarConfig, WorkingCalendar};
use motcua_domain::ids::AgencyCode;
use motcua_domain::index::{Month, Period, ScopeKind, Span};
use motcua_domain::lifecycle::TimelinessPolicy;
use motcua_store::{Agency, AgencyKind, CohortGrain, Store};
use sqlx::{ConnectOptions, Executor};

fn env<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The median of `runs` calls, in milliseconds.
async fn median<F, Fut>(runs: usize, mut f: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    f().await; // warm
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f().await;
        times.push(t.elapsed());
    }
    times.sort();
    times[runs / 2].as_secs_f64() * 1000.0
}

fn code(s: &str) -> AgencyCode {
    AgencyCode::parse(s).expect("an agency code")
}

/// Facts of `n` dossiers received in 2025 and their cohort rollup, written by the database.
const SEED: &str = "
INSERT INTO dossier_facts (code, version, procedure_code, receiving_agency, competent_agency,
    current_agency, branch_code, channel, status, submitted_at, received_at, due_at,
    finished_at, returned_at, timeliness, supplement_requests, supplement_secs, prepaid_fee,
    fee_paid, rating, tally, cohort)
SELECT code, 1, procedure, '000.00.01.H22', agency, agency, '', channel, status, 0, 0, 0,
    NULL, NULL, NULL, 0, 0, 0, 0, NULL, '',
    to_char(received, 'YYYY-MM') || '|' || COALESCE(to_char(ended, 'YYYY-MM'), '') || '|'
    || to_char(CASE WHEN ended IS NULL THEN due
            WHEN due = (date_trunc('month', due) + interval '1 month - 1 day')::date THEN due
            ELSE date_trunc('month', due)::date END, 'YYYY-MM-DD') || '|' || outcome || '|' || channel_word || '|' || fee
    || '|' || CASE WHEN e_result THEN 'e_result' ELSE '' END
    || '|' || CASE WHEN dissatisfied THEN 'dissatisfied' ELSE '' END
    || '|' || CASE WHEN channel_word = 'online' THEN 'digitised' ELSE '' END
    || '|' || CASE WHEN channel_word = 'online' AND (i * 31) % 100 < 35 THEN 'reused' ELSE '' END
FROM (
  SELECT 'B' || lpad(i::text, 10, '0') AS code,
    '1.' || lpad(p::text, 6, '0') AS procedure,
    CASE WHEN p % 3 = 0 THEN '000.00.' || (36 + i % 64) || '.H22'
         ELSE '000.00.' || lpad((2 + p % 30)::text, 2, '0') || '.H22' END AS agency,
    received, received + (5 + i % 20)::int AS due,
    CASE WHEN i % 50 = 0 THEN NULL ELSE received + (2 + (i * 7) % 25)::int END AS ended,
    CASE WHEN i % 50 = 0 THEN 'open'
         WHEN (i * 13) % 100 < 5 THEN 'late'
         WHEN (i * 13) % 100 < 75 THEN 'early'
         WHEN (i * 13) % 100 < 97 THEN 'on_time'
         WHEN (i * 13) % 100 < 99 THEN 'stopped_in_time'
         ELSE 'stopped_late' END AS outcome,
    CASE WHEN (i * 17) % 100 < 62 THEN 'online' ELSE 'in_person' END AS channel_word,
    CASE WHEN (i * 17) % 100 < 62 THEN 'online' ELSE 'counter' END AS channel,
    CASE WHEN i % 50 = 0 THEN 'in_processing' ELSE 'returned' END AS status,
    CASE WHEN (i * 19) % 100 < 70 THEN 'none' WHEN (i * 19) % 100 < 85 THEN 'paid_online'
         WHEN (i * 19) % 100 < 95 THEN 'paid_in_person' ELSE 'unpaid' END AS fee,
    i % 50 <> 0 AND (i * 23) % 100 < 40 AND (i * 13) % 100 < 97 AS e_result,
    (i * 29) % 100 < 3 AS dissatisfied, i
  FROM (
    SELECT i, date '2025-01-01' + (i % 365)::int AS received,
      floor(300 * power(((i * 37) % 1000) / 1000.0, 3))::int AS p
    FROM generate_series($1::bigint, $2::bigint) AS i
  ) g
) d";

/// Counts the rollup rows the province-year index reads.
const COUNT: &str = "SELECT count(*) FROM stats_cohorts WHERE agency_code = '*' \
    AND procedure_code = '*' AND received <= $1 AND (ended = '' OR ended >= $2)";

/// The cohort rollup at its three grains (agency and procedure, agency, province), as the
/// store writes it.
const ROLLUP: &str = "
INSERT INTO stats_cohorts (agency_code, procedure_code, received, ended, cohort, count)
SELECT COALESCE(competent_agency, '*'), COALESCE(procedure_code, '*'), substr(cohort, 1, 7),
    split_part(cohort, '|', 2), cohort, count(*)
FROM dossier_facts
GROUP BY GROUPING SETS ((competent_agency, procedure_code, cohort), (competent_agency, cohort), (cohort))";

/// The online use rollup: online dossiers per procedure and month received, per agency and
/// over the province.
const USES: &str = "
INSERT INTO stats_online_use (agency_code, month, procedure_code, count)
SELECT COALESCE(competent_agency, '*'), month, procedure_code, count(*)
FROM (SELECT competent_agency, procedure_code, substr(cohort, 1, 7) AS month FROM dossier_facts
      WHERE split_part(cohort, '|', 5) = 'online') f
GROUP BY GROUPING SETS ((competent_agency, month, procedure_code), (month, procedure_code))";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let admin = std::env::var("MOTCUA_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let sizes: Vec<u64> = std::env::var("MOTCUA_INDEX_SIZES")
        .unwrap_or_else(|_| "100000,1000000,10000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs = env("MOTCUA_INDEX_RUNS", 20usize).max(1);
    let opts: sqlx::postgres::PgConnectOptions = admin.parse().expect("a PostgreSQL URL");
    let Ok(mut server) = opts.connect().await else {
        eprintln!("skipped: no PostgreSQL at {admin}");
        return;
    };
    let name = format!("motcua_index_bench_{}", std::process::id());
    server
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create the database");
    let url = opts.clone().database(&name).to_url_lossy().to_string();
    let store: Arc<dyn Store> = motcua_store::connect(&url).await.expect("open the store");
    let province = code("000.00.00.H22");
    let mut agencies = vec![(province, None, AgencyKind::Province)];
    agencies.extend((1..=31).map(|n| {
        (
            code(&format!("000.00.{n:02}.H22")),
            Some(province),
            AgencyKind::Department,
        )
    }));
    agencies.extend((36..100).map(|n| {
        (
            code(&format!("000.00.{n}.H22")),
            Some(province),
            AgencyKind::Commune,
        )
    }));
    for (c, parent, kind) in agencies {
        store
            .put_agency(&Agency {
                code: c,
                parent,
                name: format!("Đơn vị {c}"),
                name_en: None,
                kind,
                admin_unit_code: None,
            })
            .await
            .expect("an agency");
    }
    let raw = sqlx::PgPool::connect(&url).await.expect("a pool");
    // The facts are generated without their dossiers' records: no foreign key checks.
    raw.execute("ALTER TABLE dossier_facts DROP CONSTRAINT IF EXISTS dossier_facts_code_fkey")
        .await
        .expect("drop the foreign key");
    println!(
        "{:>10} {:>8} {:>8} {:>7} | {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} | {:>8} {:>9} {:>8}",
        "dossiers",
        "rollup",
        "province",
        "seed s",
        "index ms",
        "tree ms",
        "form/ag",
        "form/fd",
        "read ms",
        "count ms",
        "facts ms",
        "index/cnt",
        "facts/ix"
    );
    let mut written = 0u64;
    for n in sizes {
        let t = Instant::now();
        sqlx::query(SEED)
            .bind(written as i64 + 1)
            .bind(n as i64)
            .execute(&raw)
            .await
            .expect("seed the facts");
        written = n;
        raw.execute("TRUNCATE stats_cohorts, stats_online_use")
            .await
            .expect("truncate");
        raw.execute(ROLLUP).await.expect("the rollup");
        raw.execute(USES).await.expect("the online uses");
        raw.execute("ANALYZE").await.expect("analyze");
        let seeded = t.elapsed().as_secs_f64();
        let rollup: i64 = sqlx::query_scalar("SELECT count(*) FROM stats_cohorts")
            .fetch_one(&raw)
            .await
            .expect("count");
        let province: i64 = sqlx::query_scalar(COUNT)
            .bind("2025-12")
            .bind("2025-01")
            .fetch_one(&raw)
            .await
            .expect("count");
        let calendar = WorkingCalendar::new(CalendarConfig::default()).expect("a calendar");
        let app = App::new(
            store.clone(),
            calendar,
            TimelinessPolicy::default(),
            code("000.00.01.H22"),
            motcua_app::FileStore::open(std::env::temp_dir().join(&name).to_str().unwrap_or("."))
                .expect("files"),
        )
        .await
        .expect("the application");
        let year = IndexQuery {
            period: Period::Year { year: 2025 },
            scope: ScopeKind::Province,
            code: None,
            formula: None,
        };
        let index = median(runs, || async {
            monitoring::index(&app, &year).await.expect("the index");
        })
        .await;
        let tree = median(runs, || async {
            monitoring::tree(&app, &year).await.expect("the tree");
        })
        .await;
        let span = Span {
            first: Month {
                year: 2025,
                month: 1,
            },
            last: Month {
                year: 2025,
                month: 12,
            },
        };
        let form = |group_by| {
            let app = &app;
            median(runs, move || async move {
                reports::form06(
                    app,
                    &Form06Query {
                        span,
                        agency: None,
                        group_by,
                    },
                )
                .await
                .expect("the form");
            })
        };
        let by_agency = form(GroupBy::Agency).await;
        let by_field = form(GroupBy::Field).await;
        let read = median(runs, || async {
            store
                .cohorts(span.first, span.last, &CohortGrain::Province)
                .await
                .expect("the rollup rows");
        })
        .await;
        let count = median(runs, || async {
            let _: i64 = sqlx::query_scalar(COUNT)
                .bind("2025-12")
                .bind("2025-01")
                .fetch_one(&raw)
                .await
                .expect("count");
        })
        .await;
        let facts = median(runs.min(5), || async {
            let _: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM dossier_facts WHERE substr(cohort, 1, 7) <= $1",
            )
            .bind("2025-12")
            .fetch_one(&raw)
            .await
            .expect("count facts");
        })
        .await;
        println!(
            "{n:>10} {rollup:>8} {province:>8} {seeded:>7.1} | {index:>8.2} {tree:>8.1} {by_agency:>8.1} {by_field:>8.1} {read:>8.2} {count:>8.2} | {facts:>8.1} {:>9.1} {:>8.0}",
            index / count,
            facts / index
        );
    }
    raw.close().await;
    drop(store);
    server
        .execute(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .await
        .ok();
}

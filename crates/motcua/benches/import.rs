//! Importing the demo's whole catalog (1,782 procedures: the 1,575 of the local catalog and
//! the 207 of the national sample, as `export-catalog` writes them) with the real command,
//! `motcua import-catalog`, on SQLite and on PostgreSQL: wall time and peak resident memory of
//! the process (GNU `time`), beside a baseline measured in the same run — the same rows upserted
//! directly with sqlx in one transaction, every record serialised before the clock starts.
//! Also the search index's build time for the same catalog.
//!
//! `cargo bench -p motcua --bench import` (PostgreSQL from MOTCUA_TEST_DATABASE_URL when it
//! answers).

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use motcua_store::Procedure;
use motcua_store::testing::TestDb;
use sqlx::Connection;

const BIN: &str = env!("CARGO_BIN_EXE_motcua");

/// Runs the binary under GNU `time`: (seconds, peak resident KiB), or the wall time alone
/// when `time` is not installed.
fn timed(args: &[&str]) -> (f64, Option<u64>) {
    let out_file = std::env::temp_dir().join(format!("motcua-import-time-{}", std::process::id()));
    let t = Instant::now();
    let status = if Path::new("/usr/bin/time").exists() {
        Command::new("/usr/bin/time")
            .arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&out_file)
            .arg(BIN)
            .args(args)
            .stdout(std::process::Stdio::null())
            .status()
    } else {
        Command::new(BIN)
            .args(args)
            .stdout(std::process::Stdio::null())
            .status()
    }
    .expect("run motcua");
    let secs = t.elapsed().as_secs_f64();
    assert!(status.success(), "motcua {args:?} failed");
    let rss = std::fs::read_to_string(&out_file)
        .ok()
        .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()));
    std::fs::remove_file(&out_file).ok();
    (secs, rss)
}

/// The same rows as the import writes, upserted directly in one transaction.
async fn baseline(url: &str, procedures: &[Procedure]) -> f64 {
    let rows: Vec<(String, String, String, String, String, String, String)> = procedures
        .iter()
        .map(|p| {
            (
                p.code.to_string(),
                p.name.clone(),
                p.field.clone(),
                p.level.clone(),
                p.agency.to_string(),
                p.online_level.as_str().to_string(),
                serde_json::to_string(p).expect("record"),
            )
        })
        .collect();
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.expect("connect");
    let t = Instant::now();
    let mut tx = conn.begin().await.expect("begin");
    for (code, name, field, level, agency, online, record) in &rows {
        sqlx::query(
            "INSERT INTO procedures (code, name, field, level, agency_code, online_level, record, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, field = excluded.field, \
             level = excluded.level, agency_code = excluded.agency_code, \
             online_level = excluded.online_level, record = excluded.record, updated_at = excluded.updated_at",
        )
        .bind(code)
        .bind(name)
        .bind(field)
        .bind(level)
        .bind(agency)
        .bind(online)
        .bind(record)
        .bind(0_i64)
        .execute(&mut *tx)
        .await
        .expect("insert");
    }
    tx.commit().await.expect("commit");
    t.elapsed().as_secs_f64()
}

async fn measure(engine: &str, db: TestDb, dir: &Path) {
    let creds = dir.join(format!("{engine}-credentials.json"));
    let (seed, _) = timed(&[
        "seed",
        "--database-url",
        &db.url,
        "--history",
        "0",
        "--credentials",
        creds.to_str().expect("path"),
    ]);
    let file = dir.join(format!("{engine}-catalog.json"));
    let (export, _) = timed(&[
        "export-catalog",
        "--format",
        "json",
        "--out",
        file.to_str().expect("path"),
        "--database-url",
        &db.url,
    ]);
    let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let (import, rss) = timed(&[
        "import-catalog",
        file.to_str().expect("path"),
        "--database-url",
        &db.url,
    ]);
    let store = db.store().await;
    let procedures = store.procedures().await.expect("procedures");
    store.close().await;
    let base = baseline(&db.url, &procedures).await;
    println!(
        "{engine:<9} import-catalog {:>7.2} s  peak {:>7}   raw upsert {:>6.2} s   ratio {:>5.1}   ({} procedures, {:.1} MB file; export {:.2} s, seeding the province {:.1} s)",
        import,
        rss.map_or("n/a".into(), |k| format!("{:.0} MB", k as f64 / 1024.0)),
        base,
        import / base,
        procedures.len(),
        bytes as f64 / 1e6,
        export,
        seed
    );
    if engine == "sqlite" {
        let names = HashMap::new();
        let t = Instant::now();
        let index = motcua_search::CatalogIndex::build(
            &procedures,
            &names,
            &motcua_search::Phrases::built_in(),
        )
        .expect("index");
        println!(
            "search index of {} procedures built in {:.0} ms",
            index.len(),
            t.elapsed().as_secs_f64() * 1e3
        );
    }
    db.drop_db().await;
}

fn main() {
    let dir = std::env::temp_dir().join(format!("motcua-import-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("work directory");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        measure("sqlite", TestDb::sqlite().await, &dir).await;
        match TestDb::postgres().await {
            Some(db) => measure("postgres", db, &dir).await,
            None => println!("postgres  skipped: no server at MOTCUA_TEST_DATABASE_URL"),
        }
    });
    std::fs::remove_dir_all(&dir).ok();
}

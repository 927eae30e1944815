//! Throwaway databases for tests: a SQLite file in a temporary directory, or a fresh
//! PostgreSQL database created on the server named by `MOTCUA_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) and dropped afterwards. When PostgreSQL does
//! not answer, tests say so and skip, unless `MOTCUA_REQUIRE_POSTGRES=1` makes that a failure
//! (CI sets it).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use sqlx::{ConnectOptions, Connection, Executor};

use crate::contract::{Store, connect};

const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database that exists for one test and is removed with it.
pub struct TestDb {
    pub url: String,
    kind: Kind,
}

enum Kind {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(format!("motcua-test-{}", uuid_like()));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let url = format!("sqlite://{}?mode=rwc", dir.join("motcua.db").display());
        TestDb {
            url,
            kind: Kind::Sqlite(dir),
        }
    }

    /// A fresh PostgreSQL database, or `None` (with a message) when the server does not answer.
    pub async fn postgres() -> Option<TestDb> {
        let admin_url =
            std::env::var("MOTCUA_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_PG.to_string());
        let required = std::env::var("MOTCUA_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
        let options: sqlx::postgres::PgConnectOptions = match admin_url.parse() {
            Ok(o) => o,
            Err(e) => panic!("MOTCUA_TEST_DATABASE_URL is not a PostgreSQL URL: {e}"),
        };
        let conn = tokio::time::timeout(Duration::from_secs(3), options.clone().connect()).await;
        let mut conn = match conn {
            Ok(Ok(c)) => c,
            Ok(Err(e)) if !required => {
                eprintln!(
                    "PostgreSQL at {admin_url} did not answer ({e}); skipping this PostgreSQL test"
                );
                return None;
            }
            Err(_) if !required => {
                eprintln!(
                    "PostgreSQL at {admin_url} did not answer in 3 s; skipping this PostgreSQL test"
                );
                return None;
            }
            Ok(Err(e)) => panic!(
                "PostgreSQL is required (MOTCUA_REQUIRE_POSTGRES=1) but {admin_url} failed: {e}"
            ),
            Err(_) => panic!(
                "PostgreSQL is required (MOTCUA_REQUIRE_POSTGRES=1) but {admin_url} timed out"
            ),
        };
        let name = format!("motcua_test_{}", uuid_like());
        conn.execute(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0"
        )))
        .await
        .expect("create test database");
        conn.close().await.ok();
        let url = options.database(&name).to_url_lossy().to_string();
        Some(TestDb {
            url,
            kind: Kind::Postgres { admin_url, name },
        })
    }

    pub async fn store(&self) -> Arc<dyn Store> {
        connect(&self.url).await.expect("open test database")
    }

    /// Removes the database. Call at the end of the test (a panic leaves it for inspection).
    pub async fn drop_db(self) {
        match self.kind {
            Kind::Sqlite(dir) => {
                std::fs::remove_dir_all(dir).ok();
            }
            Kind::Postgres { admin_url, name } => {
                let options: sqlx::postgres::PgConnectOptions =
                    admin_url.parse().expect("admin URL");
                if let Ok(mut conn) = options.connect().await {
                    conn.execute(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .await
                    .ok();
                    conn.close().await.ok();
                }
            }
        }
    }
}

/// A unique-enough name part: process id, time and a counter.
fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

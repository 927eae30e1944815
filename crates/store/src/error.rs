//! Storage errors. Callers match on the variants; the cause chain is for logs.

use motcua_domain::{Localise, Wording};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("the dossier changed meanwhile (expected version {expected}, found {found})")]
    Conflict { expected: u32, found: u32 },
    #[error("already exists: {0}")]
    Duplicate(String),
    #[error("refers to something that does not exist: {0}")]
    MissingReference(String),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("unsupported database URL (use sqlite://FILE or postgres://…): {0}")]
    Url(String),
    #[error("database error")]
    Database(#[source] sqlx::Error),
    /// The database could not be used: unreachable, the connection lost or closed by the
    /// server, the writer stopped. A write answered so was not acknowledged; the caller may
    /// try again later (HTTP 503 with `Retry-After`).
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) => {
                if db.is_unique_violation() {
                    return StoreError::Duplicate(db.message().to_string());
                }
                if db.is_foreign_key_violation() {
                    return StoreError::MissingReference(db.message().to_string());
                }
                // SQLSTATE class 08 (connection exception) and 57P01–57P03 (the server shut
                // the connection down or cannot take one now).
                let code = db.code().unwrap_or_default();
                if code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03") {
                    return StoreError::Unavailable(db.message().to_string());
                }
            }
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => return StoreError::Unavailable(e.to_string()),
            _ => {}
        }
        StoreError::Database(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

impl Localise for StoreError {
    fn code(&self) -> &'static str {
        match self {
            StoreError::NotFound => "not_found",
            StoreError::Conflict { .. } => "version_conflict",
            StoreError::Duplicate(_) => "duplicate",
            StoreError::MissingReference(_) => "missing_reference",
            StoreError::Corrupt(_) => "corrupt_data",
            StoreError::Url(_) => "database_url",
            StoreError::Database(_) | StoreError::Unavailable(_) | StoreError::Migrate(_) => {
                "database_error"
            }
        }
    }

    fn wording(&self) -> Wording {
        Wording::new(match self {
            StoreError::NotFound => "error-not-found",
            StoreError::Conflict { .. } => "error-version-conflict",
            StoreError::Duplicate(_) => "error-duplicate",
            StoreError::MissingReference(_) => "error-missing-reference",
            StoreError::Corrupt(_) => "error-corrupt-data",
            StoreError::Url(_) => "error-database-url",
            StoreError::Database(_) | StoreError::Unavailable(_) | StoreError::Migrate(_) => {
                "error-database"
            }
        })
    }
}

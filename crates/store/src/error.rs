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
    /// The database did not take a write (it failed, or the writer stopped); nothing of the
    /// write was made.
    #[error("the database did not take the write: {0}")]
    Unavailable(String),
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return StoreError::Duplicate(db.message().to_string());
            }
            if db.is_foreign_key_violation() {
                return StoreError::MissingReference(db.message().to_string());
            }
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

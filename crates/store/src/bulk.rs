//! Many rows in one statement. SQLite takes positional parameters (`?`): sqlx binds a named
//! parameter (`$N`) by looking its name up among the statement's, a scan per parameter, which
//! makes a statement of thousands of parameters cost millions of steps.

use sqlx::{AnyConnection, AssertSqlSafe};

use crate::contract::Backend;
use crate::error::StoreError;

/// A value of a row.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::OptText(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::OptInt(v)
    }
}

/// The `n`th parameter's placeholder (from 1): positional on SQLite, numbered on PostgreSQL.
pub(crate) fn mark(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => "?".to_string(),
        Backend::Postgres => format!("${n}"),
    }
}

/// Parameters per statement at most.
const PARAMETERS: usize = 4000;

/// Inserts `rows` (each of `columns.len()` values) with `INSERT INTO {table} ({columns})
/// VALUES …{tail}`, a few hundred rows per statement.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    columns: &[&str],
    tail: &str,
    rows: Vec<Vec<Value>>,
) -> Result<(), StoreError> {
    insert_counted(conn, backend, table, columns, tail, rows)
        .await
        .map(|_| ())
}

/// [`insert`], returning how many rows the statements wrote (an `ON CONFLICT DO NOTHING`
/// skips some).
pub(crate) async fn insert_counted(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    columns: &[&str],
    tail: &str,
    rows: Vec<Vec<Value>>,
) -> Result<u64, StoreError> {
    let mut written = 0;
    let width = columns.len();
    let per_statement = (PARAMETERS / width).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_statement).collect();
        let mut n = 0;
        let tuples: Vec<String> = chunk
            .iter()
            .map(|row| {
                debug_assert_eq!(row.len(), width);
                let marks: Vec<String> = row
                    .iter()
                    .map(|_| {
                        n += 1;
                        mark(backend, n)
                    })
                    .collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}{tail}",
            columns.join(", "),
            tuples.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for v in chunk.into_iter().flatten() {
            q = match v {
                Value::Text(s) => q.bind(s),
                Value::OptText(s) => q.bind(s),
                Value::Int(i) => q.bind(i),
                Value::OptInt(i) => q.bind(i),
            };
        }
        written += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(written)
}

//! The storage contract ([`Store`]) and its implementation on SQLite and PostgreSQL. This crate
//! knows nothing of HTTP. Both engines run the same code through sqlx's `Any` driver; SQL that
//! differs is chosen by [`Backend`] beside the statement, and each engine has its own
//! migrations (`migrations/sqlite`, `migrations/postgres`).

mod bulk;
mod chain;
mod contract;
mod error;
mod model;
pub mod ops;
mod pakn;
mod pakn_sql;
mod portal;
mod portal_sql;
mod questions;
mod questions_sql;
mod queue;
mod queue_sql;
mod record;
mod rollup;
mod sql;
mod stats_sql;
#[cfg(feature = "testing")]
pub mod testing;
mod work;
mod work_sql;

pub use contract::{Backend, Store, connect};
pub use error::StoreError;
pub use model::*;
pub use pakn::*;
pub use portal::*;
pub use questions::*;
pub use queue::*;
pub use work::*;

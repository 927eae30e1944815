//! The rules of motcua's one-stop service, as plain Rust: identifiers that can only be built
//! valid, the Vietnamese working-time calendar, and the dossier lifecycle as a pure state
//! machine. This crate does no I/O and knows nothing of HTTP, SQL or async runtimes; the
//! storage and web crates depend on it, never the reverse.

pub mod audit;
pub mod calendar;
pub mod facts;
pub mod ids;
pub mod index;
pub mod lang;
pub mod lifecycle;
pub mod pakn;
pub mod procedure;
pub mod questions;
pub mod queue;
pub mod rating;
pub mod role;
pub mod text;
pub mod units;

pub use lang::{Arg, Lang, Localise, Wording};

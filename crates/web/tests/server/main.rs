//! The server end to end, in one test binary: the JSON API, the back office, citizens'
//! accounts, online filing, the floor of a branch, and the public pages in real Chromium. Each
//! module is one audience or journey; `common` starts servers over fresh databases (SQLite and,
//! when it answers, PostgreSQL) and speaks to them.

#[macro_use]
mod common;

mod abuse;
mod api;
mod assistant;
mod backoffice;
mod browser;
mod citizen;
mod filing;
mod floor;
mod monitoring;
mod pakn;
mod pakn_outbound;
mod questions;

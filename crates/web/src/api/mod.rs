//! The `/api/v1/` handlers, grouped by resource.

pub(crate) mod actions;
pub(crate) mod assistant;
pub(crate) mod auth;
pub(crate) mod citizen;
pub(crate) mod documents;
pub(crate) mod dossiers;
pub(crate) mod filing;
pub(crate) mod floor;
pub(crate) mod health;
pub(crate) mod monitoring;
pub(crate) mod pakn;
pub(crate) mod pakn_files;
pub(crate) mod payments;
pub(crate) mod procedures;
pub(crate) mod questions;
pub(crate) mod queue;
pub(crate) mod ratings;
pub(crate) mod reference;
pub(crate) mod reports;
pub(crate) mod stats;
pub(crate) mod track;
pub(crate) mod work;

//! The back office: officers' log-in, work lists, the reception console and the dossier page,
//! monitoring, and administration.

pub(crate) mod admin;
pub(crate) mod admin_audit;
pub(crate) mod admin_save;
pub(crate) mod admin_steps;
pub(crate) mod dossier;
pub(crate) mod monitor;
pub(crate) mod office;
pub(crate) mod pakn;
pub(crate) mod reception;
pub(crate) mod support;

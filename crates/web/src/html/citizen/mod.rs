//! A citizen's pages: the account (register, verify, log in, reset, profile, sessions) and
//! online filing (the wizard, documents, submission, the dossier, payment, supplements, rating).

pub(crate) mod account;
pub(crate) mod contact;
pub(crate) mod dossier;
pub(crate) mod draft;
pub(crate) mod profile;
pub(crate) mod questions;

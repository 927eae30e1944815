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

use axum::response::Response;

use crate::html::Chrome;

/// The tabs of an officer's list: each view's key, its label (message `{prefix}{key}`) and
/// whether it is the one shown.
pub(crate) fn tabs(
    c: &Chrome,
    prefix: &str,
    keys: &[&'static str],
    current: &str,
) -> Vec<(&'static str, String, bool)> {
    keys.iter()
        .map(|k| (*k, c.tr.t(&format!("{prefix}{k}")), *k == current))
        .collect()
}

/// The page for something an officer may not read: "not found" whatever the reason (a code
/// malformed, unknown or out of their scope alike), a failure page when the store failed.
pub(crate) fn unreadable(c: &Chrome, e: motcua_app::error::AppError) -> Response {
    match e.kind {
        motcua_app::error::Kind::Internal | motcua_app::error::Kind::Unavailable => {
            crate::html::failure_page(c, &e)
        }
        _ => dossier::not_found(c),
    }
}

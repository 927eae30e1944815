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

/// Marks seen the alert of the signed-in officer that form `f` (posted from page `back`) names
/// in its field `alert`, with `mark(id, recipient)`; then back to the page.
pub(crate) async fn alert_seen<Fut>(
    c: &Chrome,
    officer: &office::Officer,
    f: &std::collections::BTreeMap<String, String>,
    back: &str,
    mark: impl FnOnce(i64, String) -> Fut,
) -> Response
where
    Fut: std::future::Future<Output = Result<bool, motcua_store::StoreError>>,
{
    let user = match officer.form(c, back, crate::html::forms::get(f, "csrf")) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    if let Ok(id) = crate::html::forms::get(f, "alert").parse::<i64>()
        && let Err(e) = mark(id, user.username.clone()).await
    {
        return crate::html::public::catalog::store_failure(c, e);
    }
    crate::html::forms::see_other(back)
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

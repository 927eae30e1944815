//! Kiosks as registered devices: an administrator types the kiosk's device key (an API key
//! with the `floor:kiosk` scope) once on the kiosk page, and the browser carries it from then
//! on; only such a browser offers priority tickets and checks in appointments.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use motcua_app::App;
use motcua_app::floor::Origin;
use motcua_app::principal::Principal;

use super::kiosk::{KioskForm, branch_form, kiosk_page};
use crate::html::Chrome;
use crate::html::forms::{Fields, Visitor, get, see_other, with_cookie};
use crate::request::Client;

/// The cookie of a registered kiosk: its device key, set when an administrator registers the
/// device on the kiosk page.
const KIOSK_COOKIE: &str = "motcua_kiosk";

/// Who is at the kiosk page: the registered kiosk whose key the browser carries, or anyone.
pub(super) async fn device(state: &App, headers: &HeaderMap) -> Principal {
    let key = crate::auth::cookie(headers, KIOSK_COOKIE).filter(|k| k.len() <= 200);
    match key {
        Some(k) => state
            .bearer(&k)
            .await
            .ok()
            .flatten()
            .unwrap_or(Principal::Anonymous),
        None => Principal::Anonymous,
    }
}

/// Registers this browser as a kiosk of the branch: an administrator types the device key
/// (an API key with the `floor:kiosk` scope, of an agency covering the branch's), which the
/// browser keeps in an HTTP-only cookie for a year.
pub(crate) async fn register_device(
    State(state): State<App>,
    c: Chrome,
    mut v: Visitor,
    Client(client): Client,
    Path(code): Path<String>,
    axum::Form(f): Fields,
) -> Response {
    let c = c.with_nav("branches");
    let (branch, groups) = match branch_form(&state, &c, &v, &code, &f).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let key = get(&f, "key").trim();
    // Guessing keys here is as slow as guessing passwords.
    let target = format!("kiosk:{}", branch.code);
    let principal = match state.limits.login.attempt(&target, &client) {
        Ok(()) if !key.is_empty() && key.len() <= 200 => state.bearer(key).await.ok().flatten(),
        _ => None,
    };
    let registered = principal
        .as_ref()
        .is_some_and(|p| matches!(Origin::of(p, &branch, &client), Origin::Kiosk(_)));
    if registered {
        state.limits.login.succeed(&target, &client);
        let cookie = HeaderValue::from_str(&format!(
            "{KIOSK_COOKIE}={key}; Path=/branches/{}/; HttpOnly; SameSite=Strict; Max-Age=31536000{}",
            branch.code,
            if state.public_url.starts_with("https://") { "; Secure" } else { "" }
        ))
        .ok();
        return with_cookie(
            see_other(&format!("/branches/{}/kiosk", branch.code)),
            cookie,
        );
    }
    let (csrf, cookie) = v.csrf();
    let form = KioskForm {
        csrf,
        register_error: Some(c.tr.t("kiosk-device-refused")),
        ..KioskForm::default()
    };
    with_cookie(kiosk_page(&state, &c, branch, &groups, form).await, cookie)
}

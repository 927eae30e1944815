//! The citizen's account pages: register, verify, sign in and out, forgotten password,
//! profile with address pickers from the 2025 administrative units, sessions, and the list
//! of the citizen's dossiers and drafts. Same rules as the API (they call the same code).

use crate::request::Client;
use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;
use motcua_store::CodePurpose;

use crate::auth::user_agent;
use crate::error::FieldError;
use crate::html::Chrome;
use crate::html::forms::{
    Fields, FormField, FormPage, Visitor, field_errors, forged, get, place_errors, safe_next,
    see_other, with_cookie,
};
use motcua_app::App;
use motcua_app::accounts::{self};

pub(crate) fn login_field(c: &Chrome, value: &str) -> FormField {
    FormField::new("login", c.tr.t("account-login"), "text", value)
        .hint(c.tr.t("account-login-hint"))
        .autocomplete("username")
}

// ---- register ----------------------------------------------------------------------------

pub(crate) fn register_page(
    c: &Chrome,
    csrf: &str,
    form: &BTreeMap<String, String>,
    errors: &[FieldError],
) -> Response {
    let mut page = FormPage::new(c, c.tr.t("register-title"), "/account/register", csrf);
    page.lead = Some(c.tr.t("register-lead"));
    page.fields = vec![
        FormField::new(
            "full_name",
            c.tr.t("account-full-name"),
            "text",
            get(form, "full_name"),
        )
        .autocomplete("name"),
        login_field(c, get(form, "login")),
        FormField::new("password", c.tr.t("account-password"), "password", "")
            .hint(c.tr.t("account-password-hint"))
            .autocomplete("new-password"),
    ];
    page.errors = place_errors(&mut page.fields, errors);
    page.submit = c.tr.t("register-submit");
    page.links = vec![("/account/login".into(), c.tr.t("register-have-account"))];
    let status = crate::html::forms::form_status(errors);
    page.show(status)
}

pub(crate) async fn register_form(c: Chrome, mut v: Visitor) -> Response {
    let (csrf, cookie) = v.csrf();
    with_cookie(register_page(&c, &csrf, &BTreeMap::new(), &[]), cookie)
}

pub(crate) async fn register(
    State(state): State<App>,
    c: Chrome,
    mut v: Visitor,
    Client(client): Client,
    Form(f): Fields,
) -> Response {
    if !v.form_ok(get(&f, "csrf")) {
        return forged(&c);
    }
    let (csrf, _) = v.csrf();
    match accounts::register(
        &state,
        get(&f, "login"),
        get(&f, "password").to_string(),
        get(&f, "full_name"),
        c.lang,
        &client,
        Utc::now(),
    )
    .await
    {
        Ok(_) => see_other(&format!(
            "/account/verify?login={}",
            form_urlencoded::byte_serialize(get(&f, "login").trim().as_bytes()).collect::<String>()
        )),
        Err(e) => {
            let field = match e.code.as_ref() {
                "weak_password" => "password",
                "invalid_name" => "full_name",
                _ => "login",
            };
            register_page(&c, &csrf, &f, &field_errors(&c.tr, &e, field))
        }
    }
}

// ---- verify ------------------------------------------------------------------------------

pub(crate) fn verify_page(
    c: &Chrome,
    csrf: &str,
    login: &str,
    errors: &[FieldError],
    notice: Option<String>,
) -> Response {
    let mut page = FormPage::new(c, c.tr.t("verify-title"), "/account/verify", csrf);
    page.lead = Some(c.tr.t1("verify-lead", "minutes", accounts::CODE_MINUTES));
    page.notice = notice;
    page.fields = vec![
        login_field(c, login),
        FormField::new("code", c.tr.t("verify-code"), "text", "")
            .hint(c.tr.t("verify-code-hint"))
            .autocomplete("one-time-code"),
    ];
    page.errors = place_errors(&mut page.fields, errors);
    page.submit = c.tr.t("verify-submit");
    page.links = vec![(
        format!(
            "/account/verify/resend?login={}",
            form_urlencoded::byte_serialize(login.as_bytes()).collect::<String>()
        ),
        c.tr.t("verify-resend"),
    )];
    let status = crate::html::forms::form_status(errors);
    page.show(status)
}

pub(crate) async fn verify_form(
    c: Chrome,
    mut v: Visitor,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let (csrf, cookie) = v.csrf();
    with_cookie(verify_page(&c, &csrf, get(&q, "login"), &[], None), cookie)
}

pub(crate) async fn verify(
    State(state): State<App>,
    c: Chrome,
    mut v: Visitor,
    headers: HeaderMap,
    Form(f): Fields,
) -> Response {
    if !v.form_ok(get(&f, "csrf")) {
        return forged(&c);
    }
    let (csrf, _) = v.csrf();
    let now = Utc::now();
    let citizen = match accounts::verify(&state, get(&f, "login"), get(&f, "code"), now).await {
        Ok(citizen) => citizen,
        Err(e) => {
            return verify_page(
                &c,
                &csrf,
                get(&f, "login"),
                &field_errors(&c.tr, &e, "code"),
                None,
            );
        }
    };
    match accounts::open_session(&state, citizen, &user_agent(&headers), now).await {
        Ok(s) => with_cookie(
            see_other("/account?welcome=1"),
            Some(v.session_cookie(&s.token, None)),
        ),
        Err(e) => verify_page(
            &c,
            &csrf,
            get(&f, "login"),
            &field_errors(&c.tr, &e, "code"),
            None,
        ),
    }
}

pub(crate) async fn resend(
    State(state): State<App>,
    c: Chrome,
    mut v: Visitor,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let (csrf, cookie) = v.csrf();
    let login = get(&q, "login");
    let r = accounts::send_code(&state, login, CodePurpose::Verify, Utc::now()).await;
    let page = match r {
        Ok(()) => verify_page(&c, &csrf, login, &[], Some(c.tr.t("verify-resent"))),
        Err(e) => verify_page(&c, &csrf, login, &field_errors(&c.tr, &e, "login"), None),
    };
    with_cookie(page, cookie)
}

// ---- log in / out ------------------------------------------------------------------------

pub(crate) fn login_page(
    c: &Chrome,
    csrf: &str,
    login: &str,
    next: &str,
    errors: &[FieldError],
    notice: Option<String>,
) -> Response {
    let mut page = FormPage::new(c, c.tr.t("login-title"), "/account/login", csrf);
    page.notice = notice;
    page.fields = vec![
        login_field(c, login),
        FormField::new("password", c.tr.t("account-password"), "password", "")
            .autocomplete("current-password"),
        FormField::new("next", String::new(), "hidden", next),
    ];
    page.errors = place_errors(&mut page.fields, errors);
    page.submit = c.tr.t("login-submit");
    page.links = vec![
        ("/account/register".into(), c.tr.t("login-register")),
        ("/account/forgot".into(), c.tr.t("login-forgot")),
    ];
    let status = crate::html::forms::form_status(errors);
    page.show(status)
}

pub(crate) async fn login_form(
    c: Chrome,
    mut v: Visitor,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let (csrf, cookie) = v.csrf();
    let notice = match get(&q, "reason") {
        "expired" => Some(c.tr.t("login-expired")),
        "reset" => Some(c.tr.t("login-after-reset")),
        _ => None,
    };
    with_cookie(
        login_page(
            &c,
            &csrf,
            "",
            &safe_next(q.get("next").map(String::as_str)),
            &[],
            notice,
        ),
        cookie,
    )
}

pub(crate) async fn login(
    State(state): State<App>,
    c: Chrome,
    mut v: Visitor,
    headers: HeaderMap,
    Client(client): Client,
    Form(f): Fields,
) -> Response {
    if !v.form_ok(get(&f, "csrf")) {
        return forged(&c);
    }
    let (csrf, _) = v.csrf();
    let next = safe_next(f.get("next").map(String::as_str));
    match accounts::log_in(
        &state,
        get(&f, "login"),
        get(&f, "password").to_string(),
        &user_agent(&headers),
        &client,
        Utc::now(),
    )
    .await
    {
        Ok(s) => with_cookie(see_other(&next), Some(v.session_cookie(&s.token, None))),
        Err(e) => login_page(
            &c,
            &csrf,
            get(&f, "login"),
            &next,
            &field_errors(&c.tr, &e, "login"),
            None,
        ),
    }
}

pub(crate) async fn logout(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Form(f): Fields,
) -> Response {
    if let Some(me) = &v.me {
        if !v.form_ok(get(&f, "csrf")) {
            return forged(&c);
        }
        if let Err(e) = state
            .store
            .revoke_session(&me.citizen.id, &me.session.token_hash, Utc::now())
            .await
        {
            tracing::error!(error = %e, "logout");
        }
    }
    with_cookie(see_other("/"), Some(v.session_cookie("", Some(0))))
}

// ---- forgotten password ------------------------------------------------------------------

pub(crate) async fn forgot_form(c: Chrome, mut v: Visitor) -> Response {
    let (csrf, cookie) = v.csrf();
    let mut page = FormPage::new(&c, c.tr.t("forgot-title"), "/account/forgot", &csrf);
    page.lead = Some(c.tr.t("forgot-lead"));
    page.fields = vec![login_field(&c, "")];
    with_cookie(page.show(StatusCode::OK), cookie)
}

pub(crate) async fn forgot(
    State(state): State<App>,
    c: Chrome,
    mut v: Visitor,
    Form(f): Fields,
) -> Response {
    if !v.form_ok(get(&f, "csrf")) {
        return forged(&c);
    }
    let (csrf, _) = v.csrf();
    match accounts::send_code(&state, get(&f, "login"), CodePurpose::Reset, Utc::now()).await {
        Ok(()) => see_other(&format!(
            "/account/reset?login={}",
            form_urlencoded::byte_serialize(get(&f, "login").trim().as_bytes()).collect::<String>()
        )),
        Err(e) => {
            let mut page = FormPage::new(&c, c.tr.t("forgot-title"), "/account/forgot", &csrf);
            page.fields = vec![login_field(&c, get(&f, "login"))];
            page.errors = place_errors(&mut page.fields, &field_errors(&c.tr, &e, "login"));
            page.show(StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

pub(crate) fn reset_page(c: &Chrome, csrf: &str, login: &str, errors: &[FieldError]) -> Response {
    let mut page = FormPage::new(c, c.tr.t("reset-title"), "/account/reset", csrf);
    page.lead = Some(c.tr.t("reset-lead"));
    page.fields = vec![
        login_field(c, login),
        FormField::new("code", c.tr.t("verify-code"), "text", "").autocomplete("one-time-code"),
        FormField::new("password", c.tr.t("reset-password"), "password", "")
            .hint(c.tr.t("account-password-hint"))
            .autocomplete("new-password"),
    ];
    page.errors = place_errors(&mut page.fields, errors);
    let status = crate::html::forms::form_status(errors);
    page.show(status)
}

pub(crate) async fn reset_form(
    c: Chrome,
    mut v: Visitor,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let (csrf, cookie) = v.csrf();
    with_cookie(reset_page(&c, &csrf, get(&q, "login"), &[]), cookie)
}

pub(crate) async fn reset(
    State(state): State<App>,
    c: Chrome,
    mut v: Visitor,
    Client(client): Client,
    Form(f): Fields,
) -> Response {
    if !v.form_ok(get(&f, "csrf")) {
        return forged(&c);
    }
    let (csrf, _) = v.csrf();
    match accounts::reset_password(
        &state,
        get(&f, "login"),
        get(&f, "code"),
        get(&f, "password").to_string(),
        &client,
        Utc::now(),
    )
    .await
    {
        Ok(()) => see_other("/account/login?reason=reset"),
        Err(e) => {
            let field = if e.code == "weak_password" {
                "password"
            } else {
                "code"
            };
            reset_page(&c, &csrf, get(&f, "login"), &field_errors(&c.tr, &e, field))
        }
    }
}

// ---- profile -----------------------------------------------------------------------------

//! The account's e-mail address and mobile number: a citizen who signed up with one adds the
//! other (or changes either), proving it with a code sent to it. Then both sign in, and both
//! receive the dossiers' news.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Utc;
use motcua_app::App;
use motcua_app::accounts;
use motcua_app::principal::CitizenAuth;

use crate::error::FieldError;
use crate::html::Chrome;
use crate::html::forms::{
    Fields, FormField, FormPage, Visitor, field_errors, get, place_errors, see_other,
};

/// What the account has: "e-mail a@b.vn · phone +84…", or that it has none of one kind.
fn current(c: &Chrome, me: &CitizenAuth) -> String {
    let none = c.tr.t("contact-none");
    format!(
        "{}: {} · {}: {}",
        c.tr.t("contact-email"),
        me.citizen.email.clone().unwrap_or_else(|| none.clone()),
        c.tr.t("contact-phone"),
        me.citizen.phone.clone().unwrap_or(none),
    )
}

fn add_page(c: &Chrome, me: &CitizenAuth, typed: &str, errors: &[FieldError]) -> Response {
    let mut page = FormPage::new(
        c,
        c.tr.t("contact-title"),
        "/account/contact",
        &me.session.csrf,
    );
    page.lead = Some(c.tr.t("contact-lead"));
    page.notice = Some(current(c, me));
    page.fields = vec![
        FormField::new("contact", c.tr.t("contact-new"), "text", typed)
            .hint(c.tr.t("contact-new-hint"))
            .autocomplete("email"),
    ];
    page.errors = place_errors(&mut page.fields, errors);
    page.submit = c.tr.t("contact-send");
    page.links = vec![("/account/profile".into(), c.tr.t("profile-title"))];
    page.show(crate::html::forms::form_status(errors))
}

fn code_page(
    c: &Chrome,
    me: &CitizenAuth,
    contact: &str,
    code: &str,
    errors: &[FieldError],
) -> Response {
    let mut page = FormPage::new(
        c,
        c.tr.t("contact-code-title"),
        "/account/contact/verify",
        &me.session.csrf,
    );
    page.lead = Some(c.tr.t("contact-code-lead"));
    page.fields = vec![
        FormField::new("contact", c.tr.t("contact-new"), "text", contact),
        FormField::new("code", c.tr.t("verify-code"), "text", code)
            .hint(c.tr.t("verify-code-hint"))
            .autocomplete("one-time-code"),
    ];
    page.errors = place_errors(&mut page.fields, errors);
    page.submit = c.tr.t("contact-confirm");
    page.links = vec![("/account/contact".into(), c.tr.t("contact-again"))];
    page.show(crate::html::forms::form_status(errors))
}

pub(crate) async fn form(c: Chrome, v: Visitor) -> Response {
    match v.citizen("/account/contact") {
        Ok(me) => add_page(&c, &me, "", &[]),
        Err(r) => *r,
    }
}

/// Sends the code to the contact typed, then asks for it.
pub(crate) async fn send(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Form(f): Fields,
) -> Response {
    let me = match v.citizen_form(&c, "/account/contact", get(&f, "csrf")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let typed = get(&f, "contact").trim();
    match accounts::add_contact(&state, &me.citizen, typed, Utc::now()).await {
        Ok(login) => see_other(&format!(
            "/account/contact/verify?contact={}",
            form_urlencoded::byte_serialize(login.key().as_bytes()).collect::<String>()
        )),
        Err(e) => add_page(&c, &me, typed, &field_errors(&c.tr, &e, "contact")),
    }
}

pub(crate) async fn code_form(
    c: Chrome,
    v: Visitor,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    match v.citizen("/account/contact") {
        Ok(me) => code_page(&c, &me, get(&q, "contact"), "", &[]),
        Err(r) => *r,
    }
}

/// Confirms the contact with its code.
pub(crate) async fn confirm(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Form(f): Fields,
) -> Response {
    let me = match v.citizen_form(&c, "/account/contact", get(&f, "csrf")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let (contact, code) = (get(&f, "contact"), get(&f, "code"));
    match accounts::confirm_contact(&state, &me.citizen, contact, code, Utc::now()).await {
        Ok(_) => see_other("/account?saved=1"),
        Err(e) => code_page(&c, &me, contact, code, &field_errors(&c.tr, &e, "code")),
    }
}

//! The citizen's account pages: register, verify, sign in and out, forgotten password,
//! profile with address pickers from the 2025 administrative units, sessions, and the list
//! of the citizen's dossiers and drafts. Same rules as the API (they call the same code).

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;
use motcua_domain::Lang;
use motcua_domain::calendar::TZ;
use motcua_domain::units::AdminUnits;
use motcua_store::{CodePurpose, DossierRecord, Draft};

use crate::auth::user_agent;
use crate::error::FieldError;
use crate::html::forms::{
    Fields, FormField, FormPage, Visitor, field_errors, forged, get, place_errors, safe_next,
    see_other, with_cookie,
};
use crate::html::{Chrome, render};
use motcua_app::App;
use motcua_app::accounts::{self, ProfileChange};
use motcua_app::error::AppError;

fn login_field(c: &Chrome, value: &str) -> FormField {
    FormField::new("login", c.tr.t("account-login"), "text", value)
        .hint(c.tr.t("account-login-hint"))
        .autocomplete("username")
}

// ---- register ----------------------------------------------------------------------------

fn register_page(
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

fn verify_page(
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

fn login_page(
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

fn reset_page(c: &Chrome, csrf: &str, login: &str, errors: &[FieldError]) -> Response {
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

fn profile_page(
    c: &Chrome,
    csrf: &str,
    form: &BTreeMap<String, String>,
    errors: &[FieldError],
    notice: Option<String>,
) -> Response {
    let units = AdminUnits::official();
    let name = |u: &motcua_domain::units::Unit| match c.lang {
        Lang::Vi => u.name.clone(),
        Lang::En => u.name_en.clone(),
    };
    let province = get(form, "province_code");
    let mut page = FormPage::new(c, c.tr.t("profile-title"), "/account/profile", csrf);
    page.notice = notice;
    page.lead = Some(c.tr.t("profile-lead"));
    page.fields = vec![
        FormField::new(
            "full_name",
            c.tr.t("account-full-name"),
            "text",
            get(form, "full_name"),
        )
        .autocomplete("name"),
        FormField::new("cccd", c.tr.t("profile-cccd"), "text", get(form, "cccd"))
            .hint(c.tr.t("profile-cccd-hint"))
            .optional(),
        FormField::new(
            "birth_date",
            c.tr.t("profile-birth-date"),
            "date",
            get(form, "birth_date"),
        )
        .autocomplete("bday")
        .optional(),
        FormField::new(
            "province_code",
            c.tr.t("profile-province"),
            "select",
            province,
        )
        .options(
            units
                .provinces()
                .iter()
                .map(|p| (p.code.clone(), name(p)))
                .collect(),
        )
        .optional(),
        FormField::new(
            "ward_code",
            c.tr.t("profile-ward"),
            "select",
            get(form, "ward_code"),
        )
        .hint(c.tr.t("profile-ward-hint"))
        .options(
            units
                .wards_of(province)
                .map(|w| (w.code.clone(), name(w)))
                .collect(),
        )
        .optional(),
        FormField::new(
            "address_line",
            c.tr.t("profile-address"),
            "text",
            get(form, "address_line"),
        )
        .autocomplete("street-address")
        .optional(),
        FormField::new("lang", c.tr.t("profile-lang"), "select", get(form, "lang")).options(vec![
            ("vi".into(), "Tiếng Việt".into()),
            ("en".into(), "English".into()),
        ]),
    ];
    page.errors = place_errors(&mut page.fields, errors);
    page.submit = c.tr.t("profile-save");
    page.links = vec![("/account".into(), c.tr.t("account-back"))];
    let status = crate::html::forms::form_status(errors);
    page.show(status)
}

pub(crate) async fn profile_form(c: Chrome, v: Visitor) -> Response {
    let me = match v.citizen("/account/profile") {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let p = &me.citizen;
    let form: BTreeMap<String, String> = [
        ("full_name", Some(p.full_name.clone())),
        ("cccd", p.cccd.clone()),
        (
            "birth_date",
            p.birth_date.map(|d| d.format("%Y-%m-%d").to_string()),
        ),
        ("province_code", p.province_code.clone()),
        ("ward_code", p.ward_code.clone()),
        ("address_line", p.address_line.clone()),
        ("lang", Some(p.lang.code().to_string())),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
    .collect();
    profile_page(&c, &me.session.csrf, &form, &[], None)
}

pub(crate) async fn profile(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Form(f): Fields,
) -> Response {
    let mut me = match v.citizen_form(&c, "/account/profile", get(&f, "csrf")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let opt = |k: &str| Some(get(&f, k).to_string()).filter(|s| !s.trim().is_empty());
    let change = ProfileChange {
        full_name: get(&f, "full_name").to_string(),
        cccd: opt("cccd"),
        birth_date: opt("birth_date"),
        province_code: opt("province_code"),
        ward_code: opt("ward_code"),
        address_line: opt("address_line"),
        lang: get(&f, "lang").parse().ok(),
    };
    let today = Utc::now().with_timezone(&TZ).date_naive();
    if let Err(problems) = accounts::apply_profile(&mut me.citizen, &change, today) {
        let errors = field_errors(&c.tr, &AppError::fields(problems), "full_name");
        return profile_page(&c, &me.session.csrf, &f, &errors, None);
    }
    if let Err(e) = state.store.put_citizen(&me.citizen).await {
        tracing::error!(error = %e, "saving a profile");
        return profile_page(&c, &me.session.csrf, &f, &[], None);
    }
    see_other("/account?saved=1")
}

// ---- the account's home ------------------------------------------------------------------

pub(crate) struct DossierRow {
    pub code: String,
    pub procedure: String,
    pub status: &'static str,
    pub status_key: &'static str,
    pub submitted: String,
}

pub(crate) struct DraftRow {
    pub id: String,
    pub procedure: String,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    c: &'a Chrome,
    csrf: String,
    name: String,
    login: String,
    notice: Option<String>,
    dossiers: Vec<DossierRow>,
    drafts: Vec<DraftRow>,
    sessions: Vec<accounts::SignedIn>,
}

pub(crate) fn local(t: chrono::DateTime<Utc>) -> String {
    t.with_timezone(&TZ).format("%H:%M %d/%m/%Y").to_string()
}

pub(crate) async fn procedure_name(state: &App, code: &str) -> String {
    match code.parse() {
        Ok(code) => state
            .store
            .procedure(&code)
            .await
            .ok()
            .flatten()
            .map(|p| p.name)
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

pub(crate) async fn dossier_row(state: &App, r: &DossierRecord, lang: Lang) -> DossierRow {
    DossierRow {
        code: r.code.to_string(),
        procedure: procedure_name(state, &r.state.intake.procedure.code.to_string()).await,
        status: r.state.status.label(lang),
        status_key: r.state.status.as_str(),
        submitted: local(r.state.submitted_at),
    }
}

async fn draft_row(state: &App, d: &Draft) -> DraftRow {
    DraftRow {
        id: d.id.clone(),
        procedure: procedure_name(state, &d.procedure_code).await,
        updated: local(d.updated_at),
    }
}

pub(crate) async fn home(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let me = match v.citizen("/account") {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let c = c.with_nav("account");
    let id = &me.citizen.id;
    let records = state.store.owner_dossiers(id).await.unwrap_or_default();
    let mut dossiers = Vec::new();
    for r in &records {
        dossiers.push(dossier_row(&state, r, c.lang).await);
    }
    let mut drafts = Vec::new();
    for d in state.store.citizen_drafts(id).await.unwrap_or_default() {
        drafts.push(draft_row(&state, &d).await);
    }
    let sessions = accounts::sessions(&state, &me).await.unwrap_or_default();
    let notice = if q.contains_key("welcome") {
        Some(c.tr.t("account-welcome"))
    } else if q.contains_key("saved") {
        Some(c.tr.t("profile-saved"))
    } else {
        None
    };
    let page = AccountPage {
        c: &c,
        csrf: me.session.csrf.clone(),
        name: me.citizen.full_name.clone(),
        login: me
            .citizen
            .email
            .clone()
            .or(me.citizen.phone.clone())
            .unwrap_or_default(),
        notice,
        dossiers,
        drafts,
        sessions,
    };
    render(StatusCode::OK, &c, &page)
}

pub(crate) async fn revoke_session(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Response {
    let me = match v.citizen_form(&c, "/account", get(&f, "csrf")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    if let Err(e) = accounts::revoke(&state, &me, &id).await {
        tracing::info!(error = %e, "revoking a session");
    }
    see_other("/account#sessions")
}

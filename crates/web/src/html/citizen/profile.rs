//! A citizen's own pages once signed in: the profile and the account's home (dossiers,
//! drafts, signed-in devices).

use crate::error::FieldError;
use crate::html::forms::{
    Fields, FormField, FormPage, Visitor, field_errors, get, place_errors, see_other,
};
use crate::html::{Chrome, local, procedure_name, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use motcua_app::App;
use motcua_app::accounts::{self, ProfileChange};
use motcua_app::error::AppError;
use motcua_domain::Lang;
use motcua_domain::calendar::TZ;
use motcua_domain::units::AdminUnits;
use motcua_store::{DossierRecord, Draft};
use std::collections::BTreeMap;

pub(crate) fn profile_page(
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
    page.links = vec![
        ("/account/contact".into(), c.tr.t("contact-title")),
        ("/account".into(), c.tr.t("account-back")),
    ];
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
    // A province chosen without its ward: saved, and the form comes back at once with the
    // province's wards to choose from (the list depends on the province).
    if me.citizen.province_code.is_some() && me.citizen.ward_code.is_none() {
        let notice = Some(c.tr.t("profile-choose-ward"));
        return profile_page(&c, &me.session.csrf, &f, &[], notice);
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
pub(crate) struct AccountPage<'a> {
    c: &'a Chrome,
    csrf: String,
    name: String,
    login: String,
    notice: Option<String>,
    dossiers: Vec<DossierRow>,
    drafts: Vec<DraftRow>,
    sessions: Vec<accounts::SignedIn>,
}

impl AccountPage<'_> {
    /// When a session began, in Vietnam's time like every other time on the page.
    fn since(&self, s: &accounts::SignedIn) -> String {
        local(s.created_at)
    }

    /// The device of a session as people name it ("Chrome · Android"), from its user agent.
    fn device(&self, s: &accounts::SignedIn) -> String {
        let ua = s.user_agent.as_str();
        let browser = [
            ("Edg/", "Edge"),
            ("OPR/", "Opera"),
            ("CocCoc", "Cốc Cốc"),
            ("Firefox/", "Firefox"),
            ("Chrome/", "Chrome"),
            ("Safari/", "Safari"),
        ]
        .into_iter()
        .find(|(mark, _)| ua.contains(mark))
        .map(|(_, name)| name);
        let system = [
            ("Android", "Android"),
            ("iPhone", "iPhone"),
            ("iPad", "iPad"),
            ("Windows", "Windows"),
            ("Mac OS", "macOS"),
            ("Linux", "Linux"),
        ]
        .into_iter()
        .find(|(mark, _)| ua.contains(mark))
        .map(|(_, name)| name);
        match (browser, system) {
            (Some(b), Some(o)) => format!("{b} · {o}"),
            (Some(x), None) | (None, Some(x)) => x.to_string(),
            (None, None) => self.c.tr.t("account-session-device-unknown"),
        }
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

pub(crate) async fn draft_row(state: &App, d: &Draft) -> DraftRow {
    DraftRow {
        id: d.id.to_string(),
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

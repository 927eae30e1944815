//! The pages, rendered on the server (askama templates in `templates/`, strings from the
//! Fluent catalogs). Every page works without JavaScript; the language is Vietnamese unless
//! the visitor chose English (remembered in a cookie) or their browser prefers it.

mod citizen;
mod floor;
pub(crate) mod forms;
mod public;
mod staff;

use citizen::{account, contact, dossier as own_dossier, draft, profile};
use floor::{appointments, device, kiosk, rating};
use public::{
    catalog, open_data, pakn, payments, places, procedure, sandbox, service_index, support, track,
    verify,
};
use staff::{
    admin, admin_audit, admin_save, dossier as staff_dossier, monitor, office, pakn as staff_pakn,
    reception, support as staff_support,
};

use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use motcua_domain::Lang;
use motcua_domain::calendar::ProcessingTime;
use motcua_store::OnlineLevel;

use crate::i18n::Tr;
use motcua_app::App;
use motcua_app::error::AppError;

const LANG_COOKIE: &str = "lang";
const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/", get(catalog::home))
        .route("/procedures", get(catalog::list))
        .route("/procedures/{code}", get(procedure::detail))
        .route("/procedures/{code}/apply", get(procedure::apply))
        .route(
            "/procedures/{code}/documents/{n}/form",
            get(procedure::form),
        )
        .route("/agencies", get(places::agencies))
        .route("/agencies/{code}", get(places::agency))
        .route("/branches", get(places::branches))
        .route("/branches/{code}", get(places::branch))
        .route(
            "/branches/{code}/kiosk",
            get(kiosk::kiosk).post(kiosk::take),
        )
        .route("/branches/{code}/kiosk/check-in", post(kiosk::check_in))
        .route(
            "/branches/{code}/kiosk/device",
            post(device::register_device),
        )
        .route(
            "/branches/{code}/appointments",
            get(appointments::form).post(appointments::create),
        )
        .route("/branches/{code}/board", get(kiosk::board))
        .route("/staff/counters/{code}", get(kiosk::counter))
        .route("/staff/counters/{code}/act", post(kiosk::counter_act))
        .route(
            "/staff/counters/{code}/tablet",
            get(rating::tablet).post(rating::tablet_rate),
        )
        .route("/satisfaction", get(rating::summary))
        .route("/chi-so", get(service_index::page))
        .route("/open-data", get(open_data::manifest))
        .route("/open-data/", get(open_data::manifest))
        .route("/open-data/{dataset}/{file}", get(open_data::file))
        .route("/payments/vnpay/return", get(payments::return_page))
        .route("/account", get(profile::home))
        .route(
            "/account/register",
            get(account::register_form).post(account::register),
        )
        .route(
            "/account/verify",
            get(account::verify_form).post(account::verify),
        )
        .route("/account/verify/resend", get(account::resend))
        .route(
            "/account/login",
            get(account::login_form).post(account::login),
        )
        .route("/account/logout", post(account::logout))
        .route(
            "/account/forgot",
            get(account::forgot_form).post(account::forgot),
        )
        .route(
            "/account/reset",
            get(account::reset_form).post(account::reset),
        )
        .route(
            "/account/profile",
            get(profile::profile_form).post(profile::profile),
        )
        .route("/account/contact", get(contact::form).post(contact::send))
        .route(
            "/account/contact/verify",
            get(contact::code_form).post(contact::confirm),
        )
        .route(
            "/account/sessions/{id}/revoke",
            post(profile::revoke_session),
        )
        .route("/procedures/{code}/file", post(draft::start))
        .route("/account/drafts/{id}", get(draft::draft))
        .route("/account/drafts/{id}/answers", post(draft::save_answers))
        .route("/account/drafts/{id}/reuse", post(draft::reuse))
        .route(
            "/account/drafts/{id}/attachments/{attachment}/remove",
            post(draft::remove),
        )
        .route("/account/drafts/{id}/submit", post(draft::submit))
        .route("/account/dossiers/{code}", get(own_dossier::dossier))
        .route("/account/dossiers/{code}/pay", post(own_dossier::pay))
        .route(
            "/account/dossiers/{code}/supplement/submit",
            post(own_dossier::supplement_submit),
        )
        .route(
            "/account/dossiers/{code}/withdraw",
            post(own_dossier::withdraw),
        )
        .route("/account/dossiers/{code}/rate", post(own_dossier::rate))
        .route("/track", get(track::page))
        .route(
            "/phan-anh-kien-nghi",
            get(pakn::show)
                .post(pakn::file)
                .layer(axum::extract::DefaultBodyLimit::max(
                    motcua_app::pakn::UPLOAD_BODY_LIMIT,
                )),
        )
        .route("/phan-anh-kien-nghi/tep/{code}/{n}", get(pakn::attachment))
        .route("/ho-tro", get(support::page))
        .route("/ho-tro/cau-hoi", post(support::ask_officer))
        .route("/staff", get(office::inbox))
        .route("/staff/login", get(office::login_form).post(office::login))
        .route("/staff/logout", post(office::logout))
        .route("/staff/alerts/read", post(office::read_alert))
        .route("/staff/pakn", get(staff_pakn::list))
        .route("/staff/pakn/alerts/read", post(staff_pakn::read_alert))
        .route(
            "/staff/pakn/new",
            get(staff_pakn::new_form).post(staff_pakn::file).layer(
                axum::extract::DefaultBodyLimit::max(motcua_app::pakn::UPLOAD_BODY_LIMIT),
            ),
        )
        .route("/staff/pakn/{code}/tep/{n}", get(staff_pakn::attachment))
        .route(
            "/staff/pakn/{code}",
            get(staff_pakn::show).post(staff_pakn::act),
        )
        .route("/staff/questions", get(staff_support::list))
        .route("/staff/questions/week", get(staff_support::week))
        .route(
            "/staff/questions/{code}",
            get(staff_support::show).post(staff_support::act),
        )
        .route("/staff/ho-tro", get(staff_support::console_page))
        .route("/staff/ho-tro/cau-hoi", post(staff_support::console_ask))
        .route("/staff/monitoring", get(monitor::page))
        .route("/staff/monitoring/live", get(monitor::live))
        .route("/staff/monitoring/dossiers", get(monitor::list))
        .route(
            "/staff/admin",
            get(|| async { forms::see_other("/staff/admin/agencies") }),
        )
        .route("/staff/admin/audit", get(admin_audit::show))
        .route(
            "/staff/admin/{section}",
            get(admin::show).post(admin_save::save),
        )
        .route(
            "/staff/reception",
            get(reception::reception).post(reception::receive),
        )
        .route("/staff/dossiers/{code}", get(staff_dossier::dossier))
        .route("/staff/dossiers/{code}/actions", post(staff_dossier::act))
        .merge(
            Router::new()
                .route("/account/drafts/{id}/documents", post(draft::upload))
                .route(
                    "/account/dossiers/{code}/supplement",
                    post(own_dossier::supplement_upload),
                )
                .route(
                    "/staff/dossiers/{code}/result",
                    post(staff_dossier::issue_result),
                )
                .layer(axum::extract::DefaultBodyLimit::max(
                    motcua_app::filing::UPLOAD_BODY_LIMIT,
                )),
        )
        // A file checked against a result is hashed as it arrives and is never larger than a
        // result.
        .route(
            "/verify/{hash}",
            get(verify::show)
                .post(verify::check)
                .layer(axum::extract::DefaultBodyLimit::max(
                    motcua_app::dossiers::RESULT_MAX_BYTES + 64 * 1024,
                )),
        )
        .merge(sandbox::routes())
        .route(
            "/static/app.css",
            get(|| {
                asset(
                    "text/css; charset=utf-8",
                    include_str!("../../assets/app.css"),
                )
            }),
        )
        .route(
            "/static/board.js",
            get(|| {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../../assets/board.js"),
                )
            }),
        )
        .route(
            "/static/tablet.js",
            get(|| {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../../assets/tablet.js"),
                )
            }),
        )
        .route(
            "/static/monitoring.js",
            get(|| {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../../assets/monitoring.js"),
                )
            }),
        )
        .route(
            "/static/summary.js",
            get(|| {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../../assets/summary.js"),
                )
            }),
        )
        .route(
            "/static/logo.svg",
            get(|| asset("image/svg+xml", include_str!("../../assets/logo.svg"))),
        )
        .route(
            "/favicon.ico",
            get(|| asset("image/svg+xml", include_str!("../../assets/logo.svg"))),
        )
}

async fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// What every page shares: language, translator, where we are.
pub(crate) struct Chrome {
    pub lang: Lang,
    pub tr: Tr,
    /// Path and query of this page, for the language switch.
    path: String,
    query: Vec<(String, String)>,
    /// Set when `?lang=` chose a language to remember.
    remember: Option<Lang>,
    pub nav: &'static str,
}

impl Chrome {
    pub fn html_lang(&self) -> &'static str {
        self.lang.code()
    }

    /// The same page in the other language.
    pub fn switch_href(&self) -> String {
        let other = match self.lang {
            Lang::Vi => "en",
            Lang::En => "vi",
        };
        let mut pairs: Vec<(String, String)> = self
            .query
            .iter()
            .filter(|(k, _)| k != "lang")
            .cloned()
            .collect();
        pairs.push(("lang".into(), other.into()));
        format!(
            "{}?{}",
            self.path,
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }

    pub fn switch_lang(&self) -> &'static str {
        match self.lang {
            Lang::Vi => "en",
            Lang::En => "vi",
        }
    }

    /// `lang` attribute for Vietnamese content shown on an English page.
    pub fn content_lang(&self) -> Option<&'static str> {
        (self.lang == Lang::En).then_some("vi")
    }

    pub fn is(&self, nav: &str) -> bool {
        self.nav == nav
    }

    pub(crate) fn time(&self, t: Option<ProcessingTime>) -> String {
        match t {
            Some(ProcessingTime::WorkingDays(n)) => self.tr.t1("time-working-days", "n", n),
            Some(ProcessingTime::WorkingHours(n)) => self.tr.t1("time-working-hours", "n", n),
            Some(ProcessingTime::CalendarDays(n)) => self.tr.t1("time-calendar-days", "n", n),
            None => self.tr.t("time-none"),
        }
    }

    pub(crate) fn online(&self, o: OnlineLevel) -> String {
        self.tr.t(&format!("online-{}", o.as_str()))
    }

    pub(crate) fn with_nav(mut self, nav: &'static str) -> Self {
        self.nav = nav;
        self
    }

    /// What a rendered page of this request depends on besides its data: the language and the
    /// path and query (the language switch links back to them).
    pub(crate) fn cache_key(&self) -> String {
        format!(
            "{} {}?{}",
            self.lang.code(),
            self.path,
            serde_urlencoded::to_string(&self.query).unwrap_or_default()
        )
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Chrome {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Chrome::of(&parts.uri, &parts.headers))
    }
}

impl Chrome {
    /// The chrome of a request with this URI and these headers.
    fn of(uri: &axum::http::Uri, headers: &axum::http::HeaderMap) -> Chrome {
        let query: Vec<(String, String)> = uri
            .query()
            .and_then(|q| serde_urlencoded::from_str(q).ok())
            .unwrap_or_default();
        let asked = query
            .iter()
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| v.parse::<Lang>().ok());
        let cookie = crate::auth::cookie(headers, LANG_COOKIE).and_then(|v| v.parse::<Lang>().ok());
        let header = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Lang::negotiate);
        let lang = asked.or(cookie).or(header).unwrap_or_default();
        Chrome {
            lang,
            tr: Tr(lang),
            path: uri.path().to_string(),
            query,
            remember: asked,
            nav: "",
        }
    }
}

/// Renders a page with the page security policy and, when asked, remembers the language.
pub(crate) fn render(status: StatusCode, chrome: &Chrome, page: &impl Template) -> Response {
    match render_body(page) {
        Some(body) => respond(status, chrome, body),
        None => template_failure(),
    }
}

/// A page's HTML (`None`, logged, when the template fails).
fn render_body(page: &impl Template) -> Option<String> {
    page.render()
        .map_err(|e| tracing::error!(error = %e, "template failure"))
        .ok()
}

fn template_failure() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
}

/// A public page from the rendered pages kept in memory, if it was kept while the data it
/// shows was at `version`.
pub(crate) fn kept(state: &motcua_app::App, chrome: &Chrome, version: &str) -> Option<Response> {
    state
        .public
        .page(&chrome.cache_key(), version)
        .map(|body| respond(StatusCode::OK, chrome, body))
}

/// Renders a public page and keeps it in memory for the next visitors while its data stays at
/// `version`.
pub(crate) fn render_kept(
    state: &motcua_app::App,
    chrome: &Chrome,
    version: &str,
    page: &impl Template,
) -> Response {
    match render_body(page) {
        Some(body) => {
            let body = bytes::Bytes::from(body);
            state.public.keep(chrome.cache_key(), version, body.clone());
            respond(StatusCode::OK, chrome, body)
        }
        None => template_failure(),
    }
}

/// A page's response: its HTML with the page security policy, remembering the language when
/// `?lang=` chose it.
fn respond(status: StatusCode, chrome: &Chrome, body: impl Into<axum::body::Body>) -> Response {
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body.into(),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    if let Some(lang) = chrome.remember
        && let Ok(v) = HeaderValue::from_str(&format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
            lang.code()
        ))
    {
        headers.insert(header::SET_COOKIE, v);
    }
    response
}

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage<'a> {
    pub c: &'a Chrome,
    pub title: String,
    pub lead: String,
}

/// An error page in the site's layout.
pub(crate) fn error_page(
    status: StatusCode,
    c: &Chrome,
    title_key: &str,
    lead: String,
) -> Response {
    render(
        status,
        c,
        &ErrorPage {
            c,
            title: c.tr.t(title_key),
            lead,
        },
    )
}

/// A failure as a page in the site's layout, in the visitor's language: the one place where
/// a failure becomes HTML.
pub(crate) fn failure_page(c: &Chrome, e: &AppError) -> Response {
    let status = crate::error::status(e.kind);
    let title = if status == StatusCode::NOT_FOUND {
        "not-found-title"
    } else {
        "bad-request-title"
    };
    error_page(status, c, title, c.tr.error(e))
}

/// Puts the pages' failures into words: a page in the visitor's language.
pub(crate) async fn render_page_errors(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    // What the visitor's language depends on is kept (reference-counted copies) and read only
    // when the page failed, so a page that succeeds is not parsed twice.
    let uri = req.uri().clone();
    let headers = crate::error::language_headers(req.headers());
    let response = next.run(req).await;
    match crate::error::failure(&response) {
        Some(e) => {
            let page = failure_page(&Chrome::of(&uri, &headers), &e);
            let (parts, _) = response.into_parts();
            let (page_parts, body) = page.into_parts();
            let mut response = Response::from_parts(parts, body);
            for (name, value) in &page_parts.headers {
                response.headers_mut().insert(name, value.clone());
            }
            response.headers_mut().remove(header::CONTENT_LENGTH);
            response
        }
        None => response,
    }
}

/// The fallback for paths nobody serves: JSON under `/api/`, a page elsewhere.
pub(crate) async fn not_found(c: Chrome) -> Response {
    if c.path.starts_with("/api/") {
        return crate::error::json_error(crate::error::WebError::not_found(), c.lang);
    }
    error_page(
        StatusCode::NOT_FOUND,
        &c,
        "not-found-title",
        c.tr.t("not-found-lead"),
    )
}

/// A moment as people read it here: `14:05 27/03/2026`, Vietnam time.
pub(crate) fn local(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&motcua_domain::calendar::TZ)
        .format("%H:%M %d/%m/%Y")
        .to_string()
}

/// The agencies to choose from in a form, as (code, name), all but `except`.
pub(crate) fn agency_choices(
    state: &App,
    except: Option<motcua_domain::ids::AgencyCode>,
) -> Vec<(String, String)> {
    state
        .catalog
        .agencies()
        .iter()
        .filter(|a| Some(a.code) != except)
        .map(|a| (a.code.to_string(), a.name.clone()))
        .collect()
}

/// A procedure's name from the store (empty when there is no such procedure).
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

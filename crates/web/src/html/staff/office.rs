//! The back office in the browser: officers log in and open their work lists. The dossier page
//! and the reception console are their own modules.

use crate::request::Client;
use askama::Template;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use chrono::Utc;
use motcua_domain::ids::CounterCode;
use motcua_domain::role::Role;
use motcua_store::User;
use std::collections::BTreeMap;

use crate::auth::{STAFF_COOKIE, staff_cookie, staff_csrf};
use crate::html::forms::{Fields, Visitor, forged, get, safe_next, see_other, with_cookie};
use crate::html::local;
use crate::html::{Chrome, render};
use motcua_app::App;
use motcua_app::secrets::{same_secret, sha256_hex};
use motcua_app::work::{self, View};

/// The officer signed in to the back office, if any.
pub(crate) struct Officer {
    me: Option<(User, String)>,
    secure: bool,
}

impl FromRequestParts<App> for Officer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &App) -> Result<Self, Self::Rejection> {
        let mut me = None;
        if let Some(token) = staff_cookie(&parts.headers) {
            match state
                .store
                .token_user(&sha256_hex(&token), Utc::now())
                .await
            {
                Ok(Some(u)) if u.role.is_staff() => me = Some((u, token)),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "staff session lookup"),
            }
        }
        Ok(Officer {
            me,
            secure: state.public_url.starts_with("https://"),
        })
    }
}

impl Officer {
    /// The officer, or the way to the log-in page (back to `here` afterwards).
    /// The officer, when one is signed in.
    pub(crate) fn signed_in(&self) -> Option<&User> {
        self.me.as_ref().map(|(u, _)| u)
    }

    pub(crate) fn user(&self, here: &str) -> Result<&User, Box<Response>> {
        self.me.as_ref().map(|(u, _)| u).ok_or_else(|| {
            Box::new(see_other(&format!(
                "/staff/login?next={}",
                form_urlencoded::byte_serialize(here.as_bytes()).collect::<String>()
            )))
        })
    }

    pub(crate) fn csrf(&self) -> String {
        self.me
            .as_ref()
            .map(|(_, t)| staff_csrf(t))
            .unwrap_or_default()
    }

    /// The officer sending a form with the session's token.
    pub(crate) fn form(&self, c: &Chrome, here: &str, shown: &str) -> Result<&User, Box<Response>> {
        let user = self.user(here)?;
        if same_secret(&self.csrf(), shown) {
            Ok(user)
        } else {
            Err(Box::new(forged(c)))
        }
    }

    fn cookie(&self, token: &str, max_age: Option<i64>) -> HeaderValue {
        let age = max_age.map_or_else(String::new, |a| format!("; Max-Age={a}"));
        HeaderValue::from_str(&format!(
            "{STAFF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{age}{}",
            if self.secure { "; Secure" } else { "" }
        ))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

#[derive(Template)]
#[template(path = "staff_login.html")]
pub(crate) struct LoginPage<'a> {
    c: &'a Chrome,
    csrf: String,
    username: String,
    next: String,
    errors: Vec<(String, String)>,
}

pub(crate) async fn login_form(
    c: Chrome,
    mut v: Visitor,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("staff");
    let (csrf, cookie) = v.csrf();
    let page = LoginPage {
        c: &c,
        csrf,
        username: String::new(),
        next: staff_next(q.get("next").map(String::as_str)),
        errors: Vec::new(),
    };
    with_cookie(render(StatusCode::OK, &c, &page), cookie)
}

pub(crate) fn staff_next(next: Option<&str>) -> String {
    let n = safe_next(next);
    if n.starts_with("/staff") {
        n
    } else {
        "/staff".into()
    }
}

pub(crate) async fn login(
    State(state): State<App>,
    c: Chrome,
    mut v: Visitor,
    officer: Officer,
    Client(client): Client,
    axum::Form(f): Fields,
) -> Response {
    let c = c.with_nav("staff");
    if !v.form_ok(get(&f, "csrf")) {
        return forged(&c);
    }
    let next = staff_next(f.get("next").map(String::as_str));
    let (username, password) = (get(&f, "username"), get(&f, "password").into());
    match motcua_app::staff::log_in(&state, username, password, &client).await {
        Ok((token, user, _)) if user.role.is_staff() => {
            with_cookie(see_other(&next), Some(officer.cookie(&token, None)))
        }
        refused => {
            let (status, message) = match refused {
                Ok(_) => (StatusCode::FORBIDDEN, c.tr.t("staff-not-officer")),
                Err(e) => (crate::error::status(e.kind), c.tr.error(&e)),
            };
            let (csrf, _) = v.csrf();
            let page = LoginPage {
                c: &c,
                csrf,
                username: get(&f, "username").into(),
                next,
                errors: vec![("f-username".into(), message)],
            };
            render(status, &c, &page)
        }
    }
}

pub(crate) async fn logout(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    axum::Form(f): Fields,
) -> Response {
    if let Err(r) = officer.form(&c, "/staff", get(&f, "csrf")) {
        return *r;
    }
    if let Some((_, token)) = &officer.me
        && let Err(e) = state.store.revoke_token(&sha256_hex(token)).await
    {
        tracing::error!(error = %e, "staff logout");
    }
    with_cookie(see_other("/staff/login"), Some(officer.cookie("", Some(0))))
}

/// Marks one of the officer's deadline alerts as read (the alert box's "Đã xem" button).
pub(crate) async fn read_alert(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    axum::Form(f): Fields,
) -> Response {
    super::alert_seen(&c, &officer, &f, "/staff", |id, who| async move {
        state.store.mark_alert_read(id, &who, Utc::now()).await
    })
    .await
}

/// A row of a work list.
pub(crate) struct Row {
    code: String,
    procedure: String,
    applicant: String,
    status: String,
    status_key: &'static str,
    step: String,
    assignee: String,
    due: String,
    alerts: Vec<String>,
}

#[derive(Template)]
#[template(path = "staff_inbox.html")]
pub(crate) struct InboxPage<'a> {
    c: &'a Chrome,
    csrf: String,
    user: &'a User,
    role: String,
    /// The officer's agency by name.
    agency: Option<String>,
    views: Vec<(&'static str, String, bool)>,
    rows: Vec<Row>,
    /// Unread deadline alerts: (id, dossier code, what, due).
    alerts: Vec<(i64, String, String, String)>,
    /// Counters a reception officer may open, with their labels.
    counters: Vec<(String, String)>,
    /// What the officer searched for, and the search's problem if any.
    q: String,
    error: Option<String>,
    /// "12 hồ sơ · trang 1/1", and the links to the pages before and after.
    summary: String,
    previous: Option<String>,
    next: Option<String>,
}

/// Dossiers per page of a work list or a search.
const PER_PAGE: u32 = 50;

/// Officers' names by username: pages name people, not accounts.
pub(crate) fn names_of(users: &[User]) -> std::collections::HashMap<&str, &str> {
    users
        .iter()
        .map(|u| (u.username.as_str(), u.full_name.as_str()))
        .collect()
}

pub(crate) fn role_label(c: &Chrome, role: Role) -> String {
    c.tr.t(&format!("role-{}", role.as_str()))
}

pub(crate) async fn inbox(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("staff");
    let user = match officer.user("/staff") {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let view = q
        .get("view")
        .and_then(|v| View::parse(v))
        .unwrap_or(View::home(user.role));
    let now = Utc::now();
    let text = q.get("q").map(|s| s.trim().to_string()).unwrap_or_default();
    let page: u32 = q
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .clamp(1, 100_000);
    let mut error = None;
    // A search among the dossiers the officer may read, or the chosen work list.
    let (items, total) = if text.is_empty() {
        let offset = (page - 1).saturating_mul(PER_PAGE);
        match work::list(&state, user, view, now, PER_PAGE, offset).await {
            Ok(page) => page,
            Err(e) => return crate::html::public::catalog::store_failure(&c, e),
        }
    } else {
        let principal = motcua_app::principal::Principal::Staff(user.clone());
        match motcua_app::dossiers::search(&state, &principal, &text, page, PER_PAGE).await {
            Ok((found, total)) => {
                let items = found
                    .into_iter()
                    .map(|record| work::Item {
                        record,
                        alerts: Vec::new(),
                    })
                    .collect();
                (items, total)
            }
            Err(e) => {
                error = Some(c.tr.error(&e));
                (Vec::new(), 0)
            }
        }
    };
    let pages = total.div_ceil(u64::from(PER_PAGE)).max(1);
    let link = |p: u64| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if text.is_empty() {
            query.append_pair("view", view.as_str());
        } else {
            query.append_pair("q", &text);
        }
        query.append_pair("page", &p.to_string());
        format!("/staff?{}", query.finish())
    };
    let previous = (page > 1).then(|| link(u64::from(page) - 1));
    let next = (u64::from(page) < pages).then(|| link(u64::from(page) + 1));
    let summary = c.tr.t2(
        "staff-list-summary",
        (
            "total",
            c.tr.count(i64::try_from(total).unwrap_or(i64::MAX)),
        ),
        ("page", format!("{page}/{pages}")),
    );
    let index = state.catalog.index();
    let users = state.store.users().await.unwrap_or_default();
    let names = names_of(&users);
    let mut rows = Vec::new();
    for i in items {
        let d = &i.record.state;
        rows.push(Row {
            code: i.record.code.to_string(),
            procedure: index
                .get(&d.intake.procedure.code)
                .map_or_else(|| d.intake.procedure.code.to_string(), |p| p.name.clone()),
            applicant: d.intake.applicant.name.clone(),
            status: d.status.label(c.lang).to_string(),
            status_key: d.status.as_str(),
            step: d
                .step
                .and_then(|s| d.intake.procedure.steps.get(s))
                .map_or_else(String::new, |s| s.name.clone()),
            assignee: d
                .assignee
                .as_ref()
                .map(|a| {
                    names
                        .get(a.as_str())
                        .map_or_else(|| a.clone(), |n| n.to_string())
                })
                .unwrap_or_default(),
            due: d.due_at.map(local).unwrap_or_default(),
            alerts: i.alerts.iter().map(|a| a.label(c.lang)).collect(),
        });
    }
    let alerts = state
        .store
        .alerts(&user.username, 20)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a.read_at.is_none())
        .map(|a| {
            let label = motcua_domain::lifecycle::Alert::parse(&a.kind)
                .map_or_else(|| a.kind.clone(), |k| k.label(c.lang));
            (a.id, a.dossier_code, label, local(a.due_at))
        })
        .collect();
    let counters = if user.role == Role::Reception {
        state
            .store
            .branches()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|b| user.agency.is_some_and(|a| a.covers(&b.agency)))
            .flat_map(|b| {
                b.counters
                    .iter()
                    .map(|k| {
                        (
                            CounterCode::new(&b.code, k.number).to_string(),
                            format!("{} – {}", b.name, k.label),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = InboxPage {
        c: &c,
        csrf: officer.csrf(),
        counters,
        user,
        role: role_label(&c, user.role),
        agency: user.agency.map(|a| state.catalog.agency_name(a)),
        views: View::ALL
            .into_iter()
            .map(|v| {
                (
                    v.as_str(),
                    c.tr.t(&format!("staff-view-{}", v.as_str())),
                    v == view,
                )
            })
            .collect(),
        rows,
        alerts,
        q: text,
        error,
        summary,
        previous,
        next,
    };
    render(StatusCode::OK, &c, &page)
}

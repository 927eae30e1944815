//! What the portal's forms share: fields rendered the same way everywhere (label, hint, error
//! linked to the summary), the generic form page, anti-forgery tokens, the session cookie and
//! the signed-in citizen.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::{SESSION_COOKIE, cookie, session_cookie};
use crate::error::FieldError;
use crate::html::{Chrome, render};
use crate::i18n::Tr;
use motcua_app::App;
use motcua_app::error::AppError;
use motcua_app::principal::CitizenAuth;
use motcua_app::secrets::{new_secret, same_secret};

/// One field of a form.
#[derive(Debug, Clone, Default)]
pub(crate) struct FormField {
    pub name: String,
    pub label: String,
    /// `text`, `email`, `tel`, `password`, `date`, `number`, `select`, `textarea`, `file`,
    /// `hidden`.
    pub kind: &'static str,
    pub value: String,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub autocomplete: Option<&'static str>,
    pub options: Vec<(String, String)>,
    pub required: bool,
}

impl FormField {
    pub(crate) fn new(name: &str, label: String, kind: &'static str, value: &str) -> Self {
        FormField {
            name: name.to_string(),
            label,
            kind,
            value: value.to_string(),
            required: true,
            ..Default::default()
        }
    }

    pub(crate) fn hint(mut self, h: String) -> Self {
        self.hint = Some(h);
        self
    }

    pub(crate) fn optional(mut self) -> Self {
        self.required = false;
        self
    }

    pub(crate) fn autocomplete(mut self, a: &'static str) -> Self {
        self.autocomplete = Some(a);
        self
    }

    pub(crate) fn options(mut self, o: Vec<(String, String)>) -> Self {
        self.options = o;
        self
    }

    /// The element id (names like `group[1].field` become `group-1-field`).
    pub fn id(&self) -> String {
        self.name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect::<String>()
            .trim_matches('-')
            .to_string()
    }

    pub fn described_by(&self) -> Option<String> {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("f-{}-hint", self.id()));
        }
        if self.error.is_some() {
            ids.push(format!("f-{}-error", self.id()));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// Puts each error on its field (by name) and returns the summary (anchor, message); errors
/// for fields not shown are listed against the form's first field.
pub(crate) fn place_errors(
    fields: &mut [FormField],
    errors: &[FieldError],
) -> Vec<(String, String)> {
    let mut summary = Vec::new();
    for e in errors {
        let name = e.field.strip_prefix("answers.").unwrap_or(&e.field);
        let prefix = format!("{name}.");
        let found = fields
            .iter()
            .position(|f| f.name == name)
            .or_else(|| fields.iter().position(|f| f.name.starts_with(&prefix)));
        match found.map(|i| &mut fields[i]) {
            Some(f) => {
                if f.error.is_none() {
                    f.error = Some(e.message.clone());
                }
                summary.push((format!("f-{}", f.id()), e.message.clone()));
            }
            None => summary.push(("main".into(), e.message.clone())),
        }
    }
    summary
}

/// An API error as the form's error list.
pub(crate) fn field_errors(tr: &Tr, e: &AppError, default_field: &str) -> Vec<FieldError> {
    tr.problems(e, default_field)
}

#[derive(Template)]
#[template(path = "account_form.html")]
pub(crate) struct FormPage<'a> {
    pub c: &'a Chrome,
    pub title: String,
    pub lead: Option<String>,
    pub notice: Option<String>,
    pub errors: Vec<(String, String)>,
    pub action: String,
    pub csrf: String,
    pub fields: Vec<FormField>,
    pub submit: String,
    pub links: Vec<(String, String)>,
    pub multipart: bool,
}

impl<'a> FormPage<'a> {
    pub(crate) fn new(c: &'a Chrome, title: String, action: &str, csrf: &str) -> Self {
        FormPage {
            c,
            title,
            lead: None,
            notice: None,
            errors: Vec::new(),
            action: action.to_string(),
            csrf: csrf.to_string(),
            fields: Vec::new(),
            submit: c.tr.t("form-continue"),
            links: Vec::new(),
            multipart: false,
        }
    }

    pub(crate) fn show(self, status: StatusCode) -> Response {
        render(status, self.c, &self)
    }
}

/// The anti-forgery cookie of visitors without a session (double-submit pattern).
pub(crate) const CSRF_COOKIE: &str = "motcua_csrf";

/// A submitted form's fields.
pub(crate) type Fields = axum::extract::Form<std::collections::BTreeMap<String, String>>;

/// 200 for a page shown afresh, 422 when it comes back with the problems of a form.
pub(crate) fn form_status<T>(errors: &[T]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// A field of a submitted form, empty when absent.
pub(crate) fn get<'a>(f: &'a std::collections::BTreeMap<String, String>, k: &str) -> &'a str {
    f.get(k).map(String::as_str).unwrap_or("")
}

/// Field `k` of a form, trimmed, when it is filled in.
pub(crate) fn filled(f: &std::collections::BTreeMap<String, String>, k: &str) -> Option<String> {
    Some(get(f, k).trim().to_string()).filter(|s| !s.is_empty())
}

/// The signed-in citizen (by the session cookie) and the anonymous form token, if any.
pub(crate) struct Visitor {
    pub me: Option<CitizenAuth>,
    anon_csrf: Option<String>,
    secure: bool,
    /// The browser showed a session that is no longer valid (signed out or expired), as
    /// opposed to never having signed in.
    lapsed: bool,
}

impl FromRequestParts<App> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &App) -> Result<Self, Self::Rejection> {
        let shown = session_cookie(&parts.headers);
        let me = match &shown {
            Some(token) => state.citizen_session(token).await.ok().flatten(),
            None => None,
        };
        Ok(Visitor {
            lapsed: shown.is_some() && me.is_none(),
            me,
            anon_csrf: cookie(&parts.headers, CSRF_COOKIE),
            secure: state.public_url.starts_with("https://"),
        })
    }
}

impl Visitor {
    /// The token forms must carry: the session's, or the visitor's own cookie token (made on
    /// first sight; `set_cookie` then carries it).
    pub(crate) fn csrf(&mut self) -> (String, Option<HeaderValue>) {
        if let Some(me) = &self.me {
            return (me.session.csrf.clone(), None);
        }
        if let Some(t) = &self.anon_csrf {
            return (t.clone(), None);
        }
        let token = new_secret("");
        self.anon_csrf = Some(token.clone());
        let value = format!(
            "{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{}",
            if self.secure { "; Secure" } else { "" }
        );
        (token, HeaderValue::from_str(&value).ok())
    }

    /// The signed-in citizen, or the way to the log-in page (back to `here` afterwards).
    pub(crate) fn citizen(&self, here: &str) -> Result<CitizenAuth, Box<Response>> {
        match &self.me {
            Some(me) => Ok(me.clone()),
            None => Err(Box::new(see_other(&format!(
                "/account/login?{}next={}",
                if self.lapsed { "reason=expired&" } else { "" },
                form_urlencoded::byte_serialize(here.as_bytes()).collect::<String>()
            )))),
        }
    }

    /// The signed-in citizen sending a form with the session's token; otherwise the log-in
    /// page (when signed out) or the expired-form page (nothing is changed either way).
    pub(crate) fn citizen_form(
        &self,
        c: &Chrome,
        here: &str,
        csrf: &str,
    ) -> Result<CitizenAuth, Box<Response>> {
        let me = self.citizen(here)?;
        if self.form_ok(csrf) {
            Ok(me)
        } else {
            Err(Box::new(forged(c)))
        }
    }

    /// Whether a submitted form carries the right token.
    /// Who sends the form: the citizen signed in, or anyone.
    pub(crate) fn principal(&self) -> motcua_app::principal::Principal {
        match &self.me {
            Some(me) => motcua_app::principal::Principal::Citizen(Box::new(me.clone())),
            None => motcua_app::principal::Principal::Anonymous,
        }
    }

    pub(crate) fn form_ok(&self, shown: &str) -> bool {
        let expected = match &self.me {
            Some(me) => Some(me.session.csrf.as_str()),
            None => self.anon_csrf.as_deref(),
        };
        expected.is_some_and(|e| same_secret(e, shown))
    }

    pub(crate) fn session_cookie(&self, token: &str, max_age: Option<i64>) -> HeaderValue {
        let age = max_age.map_or_else(String::new, |a| format!("; Max-Age={a}"));
        HeaderValue::from_str(&format!(
            "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{age}{}",
            if self.secure { "; Secure" } else { "" }
        ))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

/// Adds a `Set-Cookie` to a response.
pub(crate) fn with_cookie(mut r: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(c) = cookie {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    r
}

/// 303 to `to`.
pub(crate) fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// A local path to return to after signing in (never another site).
pub(crate) fn safe_next(next: Option<&str>) -> String {
    // A path of this site only: no scheme, no host, no backslash, no space or control
    // character a browser would drop to turn "/\t/evil" into "//evil".
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._~%?=&-".contains(c);
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.len() < 300
                && n.chars().all(plain) =>
        {
            n.to_string()
        }
        _ => "/account".to_string(),
    }
}

/// The page for a form sent with a wrong or missing anti-forgery token (an old tab, an
/// expired session): nothing was changed.
pub(crate) fn forged(c: &Chrome) -> Response {
    crate::html::error_page(StatusCode::FORBIDDEN, c, "csrf-title", c.tr.t("csrf-lead"))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/account/profile")), "/account/profile");
        assert_eq!(
            safe_next(Some("/procedures?q=khai%20sinh&page=2")),
            "/procedures?q=khai%20sinh&page=2"
        );
        for away in [
            "//evil.example/x",
            "/\t/evil.example/x",
            "/ /evil",
            "/\\evil",
            "/a\u{1}b",
            "https://evil.example/",
            "evil",
            "/tài-khoản",
        ] {
            assert_eq!(safe_next(Some(away)), "/account", "{away:?}");
        }
        assert_eq!(safe_next(None), "/account");
    }
}

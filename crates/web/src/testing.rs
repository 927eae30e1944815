//! For tests that drive the pages as a browser without scripts would: a session that keeps
//! its cookies and does not follow redirects, and the CSRF token of a page's forms. Behind
//! the `testing` feature; panics on a transport failure, as a test should.

use reqwest::StatusCode;

/// A browser-like session: cookies kept by hand, redirects not followed.
pub struct Tab {
    pub http: reqwest::Client,
    pub base: String,
    pub cookies: Vec<(String, String)>,
}

impl Tab {
    /// A session on the server at `base` ("http://127.0.0.1:PORT").
    pub fn new(base: &str) -> Tab {
        Tab {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
            base: base.to_string(),
            cookies: Vec::new(),
        }
    }

    /// Keeps the cookies a response sets (an empty value removes one).
    pub fn keep(&mut self, r: &reqwest::Response) {
        for v in r.headers().get_all("set-cookie") {
            let Ok(v) = v.to_str() else { continue };
            let (kv, _) = v.split_once(';').unwrap_or((v, ""));
            let Some((k, val)) = kv.split_once('=') else {
                continue;
            };
            self.cookies.retain(|(name, _)| name != k);
            if !val.is_empty() {
                self.cookies.push((k.to_string(), val.to_string()));
            }
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn get(&mut self, path: &str) -> (StatusCode, String, String) {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    /// Posts a form as `application/x-www-form-urlencoded`.
    pub async fn post(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        let req = self.http.post(format!("{}{path}", self.base)).form(form);
        self.send(req).await
    }

    /// Posts a form with files as `multipart/form-data`.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> (StatusCode, String, String) {
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .multipart(form);
        self.send(req).await
    }

    /// Sends with the kept cookies; keeps the new ones; answers status, location and body.
    async fn send(&mut self, req: reqwest::RequestBuilder) -> (StatusCode, String, String) {
        let r = req
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("the server answers");
        self.keep(&r);
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let status = r.status();
        (status, location, r.text().await.unwrap_or_default())
    }
}

/// The value of the first hidden `csrf` field of a page.
pub fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("no CSRF field in {html}"));
    let rest = &html[at + 19..];
    rest[..rest.find('"').unwrap_or(0)].to_string()
}

/// Columns 3–13 of a report form's row (`GET /api/v1/reports/form-06`), after checking that
/// they add up as the form's layout says: 3 = 4 + 5 + 6 = 7 + 11, 7 = 8 + 9 + 10, 11 = 12 + 13.
pub fn form06_columns(row: &serde_json::Value) -> Vec<u64> {
    let c: Vec<u64> = [
        "received_total",
        "received_online",
        "received_in_person",
        "carried_over",
        "resolved_total",
        "resolved_early",
        "resolved_on_time",
        "resolved_late",
        "pending_total",
        "pending_in_time",
        "pending_overdue",
    ]
    .iter()
    .map(|k| row[k].as_u64().unwrap_or_else(|| panic!("{k} in {row}")))
    .collect();
    assert_eq!(c[0], c[1] + c[2] + c[3], "3 = 4 + 5 + 6: {row}");
    assert_eq!(c[0], c[4] + c[8], "3 = 7 + 11: {row}");
    assert_eq!(c[4], c[5] + c[6] + c[7], "7 = 8 + 9 + 10: {row}");
    assert_eq!(c[8], c[9] + c[10], "11 = 12 + 13: {row}");
    c
}

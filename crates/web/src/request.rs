//! What the edge reads from a request besides its body: the client's address (for abuse
//! limits and the payment gateway) and a raw query as the gateway signs it.

use std::collections::BTreeMap;

use axum::http::HeaderMap;

/// The client's address: the first of `X-Forwarded-For` (set by the proxy in front), else
/// the loopback address.
pub(crate) fn client_ip(headers: &HeaderMap) -> String {
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|s| s.trim().chars().take(45).collect())
        .unwrap_or_else(|| "127.0.0.1".into())
}

/// A raw query string's parameters, decoded, in order of name.
pub(crate) fn query_params(raw: Option<&str>) -> BTreeMap<String, String> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

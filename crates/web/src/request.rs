//! What the edge reads from a request besides its body: the client's address (for abuse
//! limits and the payment gateway) and a raw query as the gateway signs it.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use motcua_app::App;

/// The client's address: the connection's peer, or what a trusted proxy in front says it
/// is (`--trusted-proxy`; see [`motcua_app::client_address`]).
pub(crate) struct Client(pub String);

impl FromRequestParts<App> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &App) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Ok(Client(state.client_address(peer, forwarded).to_string()))
    }
}

/// A raw query string's parameters, decoded, in order of name.
pub(crate) fn query_params(raw: Option<&str>) -> BTreeMap<String, String> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

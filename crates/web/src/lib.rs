//! The HTTP server: the versioned JSON API under `/api/v1/`, its OpenAPI document generated
//! from the handlers, health checks, authentication and permission checks. Handlers are thin:
//! they parse input into domain types, ask the domain and the store one thing, and render.
//! This crate knows no SQL.

mod api;
mod auth;
mod error;
mod html;
mod i18n;
mod openapi;
mod request;
#[cfg(feature = "testing")]
pub mod testing;
mod upload;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use motcua_app::App;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::WebError;

/// The whole application: API routes, the OpenAPI document and protective layers.
pub fn router(state: App) -> Router {
    let (api, doc) = openapi::routes().split_for_parts();
    let doc = Arc::new(doc);
    api.route(
        "/openapi.json",
        axum::routing::get(move || {
            let doc = doc.clone();
            async move { axum::Json((*doc).clone()) }
        }),
    )
    .layer(axum::middleware::from_fn(error::render_api_errors))
    .merge(html::routes().layer(axum::middleware::from_fn(html::render_page_errors)))
    .fallback(html::not_found)
    .with_state(state)
    .layer(RequestBodyLimitLayer::new(
        motcua_app::filing::UPLOAD_BODY_LIMIT,
    ))
    .layer(TimeoutLayer::with_status_code(
        axum::http::StatusCode::REQUEST_TIMEOUT,
        Duration::from_secs(30),
    ))
    .layer(SetResponseHeaderLayer::overriding(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ))
    .layer(SetResponseHeaderLayer::overriding(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("DENY"),
    ))
    .layer(SetResponseHeaderLayer::overriding(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    ))
    // Pages set their own policy (styles and images from this server); everything else gets
    // the strictest one.
    .layer(SetResponseHeaderLayer::if_not_present(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    ))
    .layer(SetResponseHeaderLayer::overriding(
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("same-origin"),
    ))
    .layer(TraceLayer::new_for_http())
}

/// How long requests under way (and open event streams) get to finish once a stop is asked.
const GRACE: Duration = Duration::from_secs(10);

/// Serves until the process is asked to stop (Ctrl-C or SIGTERM), running the instance's
/// background jobs meanwhile. Once asked, it takes no new connection, gives requests under
/// way up to ten seconds (live boards' streams are cut then), and lets the jobs finish their
/// current round.
pub async fn serve(listener: tokio::net::TcpListener, app: App) -> std::io::Result<()> {
    let (stop, shutdown) = motcua_app::jobs::shutdown();
    let jobs = app.start_jobs(shutdown);
    let asked = Arc::new(tokio::sync::Notify::new());
    let tell = asked.clone();
    let server = axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        stop_asked().await;
        tell.notify_one();
    });
    let result = tokio::select! {
        r = server => r,
        _ = async { asked.notified().await; tokio::time::sleep(GRACE).await } => Ok(()),
    };
    stop.stop();
    for job in jobs {
        let _ = job.await;
    }
    result
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM.
async fn stop_asked() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
}

//! The HTTP server: the versioned JSON API under `/api/v1/`, its OpenAPI document generated
//! from the handlers, health checks, authentication and permission checks. Handlers are thin:
//! they parse input into domain types, ask the domain and the store one thing, and render.
//! This crate knows no SQL.

mod api;
mod auth;
mod error;
mod html;
mod i18n;
mod idempotency;
mod openapi;
mod request;
#[cfg(feature = "testing")]
pub mod testing;
mod upload;

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
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        idempotency::idempotent,
    ))
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
    .layer(axum::middleware::from_fn(error::plain_api_errors_as_json))
    .layer(axum::middleware::from_fn(personal_not_cached))
    .layer(TraceLayer::new_for_http())
}

/// What is answered to a signed-in caller (a bearer token, a citizen's or an officer's
/// cookie) is theirs alone: no cache keeps it, unless the handler said otherwise.
async fn personal_not_cached(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let personal = req.headers().contains_key(header::AUTHORIZATION)
        || auth::credentials(req.headers()).is_some();
    let mut response = next.run(req).await;
    if personal && !response.headers().contains_key(header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
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
    let router = router(app);
    let mut http = hyper::server::conn::http1::Builder::new();
    // A client has this long to send a request's headers, on a new connection or between the
    // requests of a kept-alive one; a slow or silent one is disconnected (slowloris).
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_READ)
        .keep_alive(true);
    let open = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let asked = stop_asked();
    tokio::pin!(asked);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut asked => break,
        };
        // Past the cap a new connection is closed at once, and the ones open keep working.
        let Ok(slot) = open.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "too many open connections; one refused");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = tower::ServiceExt::map_request(
            router.clone(),
            move |mut req: axum::extract::Request<hyper::body::Incoming>| {
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                req
            },
        );
        let connection = http.serve_connection(
            hyper_util::rt::TokioIo::new(stream),
            hyper_util::service::TowerToHyperService::new(service),
        );
        let watched = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = watched.await;
            drop(slot);
        });
    }
    drop(listener);
    // Requests under way get up to the grace period; live streams are cut then.
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(GRACE) => {}
    }
    stop.stop();
    for job in jobs {
        let _ = job.await;
    }
    Ok(())
}

/// How long a client may take to send a request's headers (see [`serve`]).
const HEADER_READ: Duration = Duration::from_secs(10);

/// Connections served at once: well under the process's descriptors, so the database and
/// the files always find one.
const MAX_CONNECTIONS: usize = 10_000;

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

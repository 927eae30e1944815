//! The HTTP server: the versioned JSON API under `/api/v1/`, its OpenAPI document generated
//! from the handlers, health checks, authentication and permission checks. Handlers are thin:
//! they parse input into domain types, ask the domain and the store one thing, and render.
//! This crate knows no SQL.

mod accounts;
mod api;
mod auth;
mod board;
mod catalog;
mod counter;
mod error;
mod files;
mod filing;
mod i18n;
mod openapi;
mod pages;
mod public;
mod ratelimit;
mod vnpay;
mod watch;
mod work;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use motcua_domain::calendar::WorkingCalendar;
use motcua_domain::ids::AgencyCode;
use motcua_domain::lifecycle::{Lifecycle, TimelinessPolicy, WatchPolicy};
use motcua_store::Store;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use auth::{hash_password, new_secret, sha256_hex};
pub use catalog::CatalogError;
pub use error::ApiError;
pub use files::{FileStore, FileStoreError};
pub use vnpay::VnpayConfig;
pub use watch::{WatchReport, watch_once};

/// Returns memory the process freed to the operating system. The C allocator keeps freed
/// memory for reuse, so after a burst (seeding a history, a spike of requests) a server would
/// otherwise stay at its high-water mark; glibc's `malloc_trim` gives back what is free.
pub fn give_back_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; it takes no pointer and
    // is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// How a branch's appointments work. The law leaves these to each centre, so they are
/// settings: `serve --slot-minutes`, `--slot-capacity`, `--check-in-early`, `--booking-days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloorPolicy {
    /// Length of an appointment slot; office hours are cut into slots of this length.
    pub slot_minutes: u32,
    /// Bookings a slot takes per counter serving the group.
    pub per_counter: u32,
    /// How long before its slot an appointment may be checked in at the kiosk.
    pub check_in_early_minutes: u32,
    /// How many days ahead appointments can be booked.
    pub booking_days: u32,
}

impl Default for FloorPolicy {
    fn default() -> Self {
        FloorPolicy {
            slot_minutes: 30,
            per_counter: 2,
            check_in_early_minutes: 60,
            booking_days: 14,
        }
    }
}

/// Everything a request handler may use.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// The working calendar; replaced whole when holidays or day swaps change.
    calendar: Arc<std::sync::RwLock<Arc<WorkingCalendar>>>,
    pub timeliness: TimelinessPolicy,
    /// The one-stop centre whose code opens dossier codes when no branch says otherwise.
    pub default_receiving_agency: AgencyCode,
    pub files: FileStore,
    /// Public base URL of the portal, for links in slips and QR codes.
    pub public_url: String,
    /// The payment gateway, when fees can be paid online.
    pub payment: Option<VnpayConfig>,
    /// How the deadline watcher judges "due soon" and re-appoints late dossiers.
    pub watch: WatchPolicy,
    pub(crate) limits: Arc<ratelimit::Limits>,
    /// How appointments are booked and checked in.
    pub floor: FloorPolicy,
    /// New queue calls, waiting lines and ratings, fanned out to this instance's pages.
    pub(crate) live: board::Live,
    pub(crate) catalog: Arc<catalog::Catalog>,
    /// The public figures and rendered public pages, kept in memory.
    pub(crate) public: Arc<public::Public>,
}

impl AppState {
    /// Builds the state, including the search index of the stored catalog.
    pub async fn new(
        store: Arc<dyn Store>,
        calendar: WorkingCalendar,
        timeliness: TimelinessPolicy,
        default_receiving_agency: AgencyCode,
        files: FileStore,
    ) -> Result<Self, CatalogError> {
        let catalog = Arc::new(catalog::Catalog::load(&*store).await?);
        Ok(AppState {
            store,
            calendar: Arc::new(std::sync::RwLock::new(Arc::new(calendar))),
            timeliness,
            default_receiving_agency,
            files,
            payment: None,
            watch: WatchPolicy::default(),
            public_url: "http://127.0.0.1:8080".into(),
            limits: Arc::new(ratelimit::Limits::default()),
            floor: FloorPolicy::default(),
            live: board::Live::new(),
            catalog,
            public: Arc::default(),
        })
    }

    /// Sets the portal's public base URL.
    pub fn with_public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = url.into().trim_end_matches('/').to_string();
        self
    }

    /// Enables online payment through a VNPay gateway (or the built-in sandbox).
    pub fn with_payment(mut self, config: VnpayConfig) -> Self {
        self.payment = Some(config);
        self
    }

    /// The working calendar as it stands.
    pub fn calendar(&self) -> Arc<WorkingCalendar> {
        match self.calendar.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The lifecycle on a calendar taken with [`Self::calendar`].
    pub(crate) fn lifecycle_on<'a>(&self, calendar: &'a WorkingCalendar) -> Lifecycle<'a> {
        Lifecycle {
            calendar,
            timeliness: self.timeliness,
        }
    }

    /// Rebuilds the calendar from the stored holidays and day swaps (after an administrator's
    /// change here, or another instance's, which the watcher's minute picks up).
    pub async fn reload_calendar(&self) -> Result<(), String> {
        let days = self
            .store
            .calendar_days()
            .await
            .map_err(|e| e.to_string())?;
        let current = self.calendar();
        if current.config().overrides == days {
            return Ok(());
        }
        let mut config = current.config().clone();
        config.overrides = days;
        let fresh = WorkingCalendar::new(config).map_err(|e| e.to_string())?;
        match self.calendar.write() {
            Ok(mut c) => *c = Arc::new(fresh),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(fresh),
        }
        Ok(())
    }
}

/// The whole application: API routes, the OpenAPI document and protective layers.
pub fn router(state: AppState) -> Router {
    let (api, doc) = openapi::routes().split_for_parts();
    let doc = Arc::new(doc);
    api.route(
        "/openapi.json",
        axum::routing::get(move || {
            let doc = doc.clone();
            async move { axum::Json((*doc).clone()) }
        }),
    )
    .merge(pages::routes())
    .fallback(pages::not_found)
    .with_state(state)
    .layer(RequestBodyLimitLayer::new(filing::UPLOAD_BODY_LIMIT))
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

/// How often the server looks for catalog changes made elsewhere.
const CATALOG_POLL: Duration = Duration::from_secs(2);

/// Serves until the process is stopped; follows catalog changes meanwhile.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    state
        .catalog
        .clone()
        .follow(state.store.clone(), CATALOG_POLL);
    watch::follow(state.clone());
    state.live.follow(state.store.clone());
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

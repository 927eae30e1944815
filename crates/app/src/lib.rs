//! The application layer: the use cases that the JSON API and the pages share, with no HTTP
//! in them. It holds who may read and do what ([`principal`]), dossiers filed at a counter
//! and acted on ([`dossiers`]), online filing ([`filing`]), citizens' accounts ([`accounts`]),
//! the catalog kept in memory ([`catalog`]), the counters and branches ([`counter`]), officers' work lists ([`work`]),
//! file storage ([`files`]), the payment gateway's protocol ([`vnpay`]), the live fan-out of
//! boards and summaries ([`board`]), the public figures ([`public`]), abuse limits
//! ([`ratelimit`]) and the background jobs ([`watch`], and the catalog's reload).
//! Use cases fail with one type, [`error::AppError`]; the web edge puts it into words in the
//! caller's language.

pub mod accounts;
pub mod assistant;
pub mod board;
pub mod catalog;
pub mod counter;
pub mod dossiers;
pub mod error;
pub mod escalation;
pub mod files;
pub mod filing;
pub mod floor;
pub mod jobs;
pub mod monitoring;
pub mod open_data;
pub mod pakn;
pub mod payments;
pub mod principal;
pub mod public;
pub mod questions;
pub mod ratelimit;
pub mod ratings;
pub mod reports;
pub mod secrets;
pub mod slips;
pub mod staff;
pub mod track;
pub mod vnpay;
pub mod watch;
pub mod work;

use std::sync::Arc;

use motcua_domain::calendar::WorkingCalendar;
use motcua_domain::ids::AgencyCode;
use motcua_domain::lifecycle::{Lifecycle, TimelinessPolicy, WatchPolicy};
use motcua_store::Store;

pub use catalog::CatalogError;
pub use files::{FileStore, FileStoreError};
pub use ipnet::IpNet;
pub use vnpay::VnpayConfig;

/// A trusted proxy as configured: an address (`10.0.0.5`) or a network (`10.0.0.0/8`).
pub fn parse_trusted_proxy(s: &str) -> Result<IpNet, String> {
    let s = s.trim();
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{s:?} is neither an IP address nor a network like 10.0.0.0/8"))
}

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

/// Makes the C allocator hand large blocks back to the operating system when they are freed.
/// glibc raises its mmap threshold after the first large block is freed, so later 19 MiB
/// password-hashing buffers come from the heap and stay resident after a burst of log-ins;
/// with the threshold fixed at 1 MiB they are mapped and unmapped each time (measured in
/// `benches/login_burst.rs`). Call once at start, before threads are spawned.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator; it takes no pointer, and it is
    // called at start-up before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// The client behind a request: the connection's peer, unless the peer is a trusted proxy;
/// then `X-Forwarded-For` is read from its right end (the entry the nearest proxy added)
/// leftwards, past any further trusted proxies, to the first address that is not one. A
/// client cannot choose its address by sending the header itself, because only trusted
/// proxies are believed. Without a peer (a request built in-process), the loopback address.
pub fn client_address(
    peer: Option<std::net::IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let peer = peer.unwrap_or(std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST));
    let trusts = |a: &std::net::IpAddr| trusted.iter().any(|n| n.contains(a));
    let mut client = peer;
    if !trusts(&client) {
        return client;
    }
    for hop in forwarded_for.unwrap_or("").rsplit(',') {
        let Ok(addr) = hop.trim().parse::<std::net::IpAddr>() else {
            break;
        };
        client = addr;
        if !trusts(&client) {
            break;
        }
    }
    client
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

/// Everything a use case may use: the store, the calendar and policies, files, the catalog
/// in memory, the live fan-out. Cheap to clone; shared by the API, the pages and the jobs.
#[derive(Clone)]
pub struct App {
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
    pub limits: Arc<ratelimit::Limits>,
    /// Proxies in front of the server whose `X-Forwarded-For` is believed (`--trusted-proxy`);
    /// a request from anywhere else is the client itself.
    pub trusted_proxies: Arc<Vec<ipnet::IpNet>>,
    /// How appointments are booked and checked in.
    pub floor: FloorPolicy,
    /// New queue calls, waiting lines and ratings, fanned out to this instance's pages.
    pub live: board::Live,
    pub catalog: Arc<catalog::Catalog>,
    /// The public figures and rendered public pages, kept in memory.
    pub public: Arc<public::Public>,
    /// Slips drawn lately, per dossier version.
    pub slips: Arc<slips::SlipCache>,
    /// Where the report form puts refused and withdrawn dossiers (an unconfirmed rule).
    pub form06_stopped: motcua_domain::index::StoppedColumn,
    /// How often the staff monitoring page's figures are looked at again (and sent when they
    /// changed): a minute.
    pub monitoring_refresh: std::time::Duration,
    /// The open data files, made from one state of the data.
    pub open_data: Arc<open_data::Cache>,
    /// The time limits of feedback and petitions (unconfirmed after 2026: configuration).
    pub pakn_limits: motcua_domain::pakn::Limits,
    /// What the watcher does about overdue petitions (`--pakn-escalation`).
    pub pakn_escalation: motcua_domain::pakn::Escalation,
    /// The support hotline the assistant and the support page give (`--hotline`).
    pub hotline: Option<String>,
    /// Working hours within which an officer first answers a question (`--question-hours`).
    pub question_hours: u32,
}

impl App {
    /// Builds the state, including the search index of the stored catalog.
    pub async fn new(
        store: Arc<dyn Store>,
        calendar: WorkingCalendar,
        timeliness: TimelinessPolicy,
        default_receiving_agency: AgencyCode,
        files: FileStore,
    ) -> Result<Self, CatalogError> {
        let phrases = motcua_search::Phrases::built_in();
        let catalog = Arc::new(catalog::Catalog::load(&*store, phrases).await?);
        Ok(App {
            store,
            calendar: Arc::new(std::sync::RwLock::new(Arc::new(calendar))),
            timeliness,
            default_receiving_agency,
            files,
            payment: None,
            watch: WatchPolicy::default(),
            public_url: "http://127.0.0.1:8080".into(),
            limits: Arc::new(ratelimit::Limits::default()),
            trusted_proxies: Arc::default(),
            floor: FloorPolicy::default(),
            live: board::Live::default(),
            catalog,
            public: Arc::default(),
            slips: Arc::default(),
            form06_stopped: Default::default(),
            monitoring_refresh: std::time::Duration::from_secs(60),
            open_data: Arc::default(),
            pakn_limits: Default::default(),
            pakn_escalation: Default::default(),
            hotline: None,
            question_hours: motcua_domain::questions::DEFAULT_RESPONSE_HOURS,
        })
    }

    /// Sets the portal's public base URL.
    pub fn with_public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = url.into().trim_end_matches('/').to_string();
        self
    }

    /// Searches the catalog with `phrases` (the shipped list with an administrator's
    /// additions) instead of the shipped list alone.
    pub async fn with_search_phrases(
        mut self,
        phrases: motcua_search::Phrases,
    ) -> Result<Self, CatalogError> {
        self.catalog = Arc::new(catalog::Catalog::load(&*self.store, phrases).await?);
        Ok(self)
    }

    /// Believes `X-Forwarded-For` from these proxies (see [`client_address`]).
    pub fn with_trusted_proxies(mut self, proxies: Vec<ipnet::IpNet>) -> Self {
        self.trusted_proxies = Arc::new(proxies);
        self
    }

    /// The address of the client behind a request that came from `peer` with this
    /// `X-Forwarded-For` header (see [`client_address`]).
    pub fn client_address(
        &self,
        peer: Option<std::net::IpAddr>,
        forwarded_for: Option<&str>,
    ) -> std::net::IpAddr {
        client_address(peer, forwarded_for, &self.trusted_proxies)
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
    pub fn lifecycle_on<'a>(&self, calendar: &'a WorkingCalendar) -> Lifecycle<'a> {
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

#[cfg(test)]
mod tests {
    use super::client_address;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_client_is_the_peer_unless_the_peer_is_a_trusted_proxy() {
        let proxies = ["10.0.0.0/8".parse().unwrap()];
        // Not behind a trusted proxy: the header is the client's own word, ignored.
        let direct = client_address(Some(ip("203.0.113.7")), Some("1.2.3.4"), &proxies);
        assert_eq!(direct, ip("203.0.113.7"));
        // Behind one: the entry it added, not what the client wrote before it.
        let forwarded = client_address(
            Some(ip("10.0.0.2")),
            Some("1.2.3.4, 198.51.100.9, 10.0.0.5"),
            &proxies,
        );
        assert_eq!(forwarded, ip("198.51.100.9"));
        // A garbled entry stops the walk at the last good one.
        let garbled = client_address(Some(ip("10.0.0.2")), Some("junk, 10.0.0.5"), &proxies);
        assert_eq!(garbled, ip("10.0.0.5"));
        assert_eq!(
            client_address(Some(ip("10.0.0.2")), None, &proxies),
            ip("10.0.0.2")
        );
        assert_eq!(client_address(None, Some("1.2.3.4"), &[]), ip("::1"));
    }
}

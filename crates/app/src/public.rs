//! What anonymous visitors see most, served from memory: the public figures, read from the
//! rollups at most once a minute whatever the number of visitors, and rendered public pages,
//! kept until the catalog (or the figures a page shows) changes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{Datelike, NaiveDate, Utc};
use motcua_domain::calendar::TZ;
use motcua_domain::ids::ProcedureCode;
use motcua_store::{StatRow, StatsFilter, Store, StoreError};

/// The figures are read again when older than this.
const MAX_AGE: Duration = Duration::from_secs(60);
/// Rendered pages kept, in bytes.
const PAGE_BYTES: u64 = 16 << 20;

/// The figures of the public pages.
pub struct Figures {
    read_at: Instant,
    /// Changes every time the figures are read again.
    pub generation: u64,
    /// This year's totals per metric.
    pub year: Vec<StatRow>,
    /// The procedures filed most over the last twelve months, most first.
    pub popular: Vec<ProcedureCode>,
}

impl Figures {
    pub fn count(&self, metric: &str) -> i64 {
        self.year
            .iter()
            .filter(|r| r.metric == metric)
            .map(|r| r.count)
            .sum()
    }
}

#[derive(Clone)]
struct Page {
    version: Arc<str>,
    body: Bytes,
}

#[derive(Clone)]
struct PageWeight;

impl quick_cache::Weighter<String, Page> for PageWeight {
    fn weight(&self, key: &String, page: &Page) -> u64 {
        (key.len() + page.version.len() + page.body.len()) as u64
    }
}

pub struct Public {
    figures: RwLock<Option<Arc<Figures>>>,
    /// Held by the one request that reads the figures again; the others keep serving the
    /// figures they have.
    refreshing: tokio::sync::Mutex<()>,
    generation: AtomicU64,
    pages: quick_cache::sync::Cache<String, Page, PageWeight>,
}

impl Default for Public {
    fn default() -> Self {
        Public {
            figures: RwLock::new(None),
            refreshing: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(0),
            pages: quick_cache::sync::Cache::with_weighter(2_000, PAGE_BYTES, PageWeight),
        }
    }
}

impl Public {
    fn current(&self) -> Option<Arc<Figures>> {
        self.figures
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The public figures, read from the store at most once a minute.
    pub async fn figures(&self, store: &dyn Store) -> Result<Arc<Figures>, StoreError> {
        let fresh = |f: &Arc<Figures>| f.read_at.elapsed() < MAX_AGE;
        let current = self.current();
        if let Some(f) = current.as_ref().filter(|f| fresh(f)) {
            return Ok(f.clone());
        }
        let _guard = match (self.refreshing.try_lock(), current) {
            (Ok(g), _) => g,
            // Someone is reading them again: serve what there is meanwhile.
            (Err(_), Some(stale)) => return Ok(stale),
            (Err(_), None) => self.refreshing.lock().await,
        };
        if let Some(f) = self.current().filter(fresh) {
            return Ok(f);
        }
        let today = Utc::now().with_timezone(&TZ).date_naive();
        let year = store
            .stats(&StatsFilter {
                from: NaiveDate::from_ymd_opt(today.year(), 1, 1),
                to: Some(today),
                ..StatsFilter::default()
            })
            .await?;
        let since = today - chrono::Duration::days(365);
        let popular = store
            .popular_procedures(since, 8)
            .await?
            .into_iter()
            .map(|(code, _)| code)
            .collect();
        let figures = Arc::new(Figures {
            read_at: Instant::now(),
            generation: self.generation.fetch_add(1, Ordering::Relaxed) + 1,
            year,
            popular,
        });
        *self.figures.write().unwrap_or_else(|p| p.into_inner()) = Some(figures.clone());
        Ok(figures)
    }

    /// A page rendered for `key` when the data it showed is still `version`.
    pub fn page(&self, key: &str, version: &str) -> Option<Bytes> {
        self.pages
            .get(key)
            .filter(|p| &*p.version == version)
            .map(|p| p.body)
    }

    pub fn keep(&self, key: String, version: &str, body: Bytes) {
        self.pages.insert(
            key,
            Page {
                version: version.into(),
                body,
            },
        );
    }
}

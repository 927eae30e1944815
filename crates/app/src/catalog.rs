//! The searchable catalog held by the server, rebuilt when the stored catalog changes — by
//! this server or by another process on the same database (an import from the command line).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use motcua_domain::ids::AgencyCode;
use motcua_search::{CatalogIndex, MAX_QUERY_CHARS, Phrases, SearchError, SearchQuery};
use motcua_store::{Agency, Branch, OnlineLevel, Store, StoreError};

use crate::error::{AppError, Kind};

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Search(#[from] motcua_search::SearchError),
    #[error("index build interrupted")]
    Join(#[from] tokio::task::JoinError),
}

pub struct Catalog {
    current: RwLock<Snapshot>,
    /// What people's words mean, for every build.
    phrases: Phrases,
}

/// The catalog as of one stamp: the search index, and the agencies and branches (whose
/// changes move the stamp too).
struct Snapshot {
    stamp: String,
    index: Arc<CatalogIndex>,
    agencies: Arc<Vec<Agency>>,
    branches: Arc<Vec<Branch>>,
    offers: Arc<Vec<Offer>>,
}

/// What the service index needs of a procedure: who handles it and how it can be filed and paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub code: motcua_domain::ids::ProcedureCode,
    /// The implementing agency.
    pub agency: AgencyCode,
    /// A procedure of the commune level ("Cấp Xã"), which every commune handles.
    pub commune_level: bool,
    /// Offered online, partly or fully.
    pub online: bool,
    /// Charges a fee by some method.
    pub with_fee: bool,
    /// Charges a fee when filed online.
    pub online_fee: bool,
    /// Its field (lĩnh vực), as published.
    pub field: String,
}

impl Offer {
    fn of(p: &motcua_store::Procedure) -> Offer {
        let charges = |m: &motcua_store::SubmissionMethod| m.fee_vnd.is_some_and(|f| f > 0);
        Offer {
            code: p.code,
            agency: p.agency,
            commune_level: p.level.to_lowercase().contains("xã"),
            online: p.online_level != motcua_store::OnlineLevel::None,
            with_fee: p.methods.iter().any(charges),
            online_fee: p.online_method().is_some_and(charges),
            field: p.field.clone(),
        }
    }
}

async fn build(store: &dyn Store, phrases: &Phrases) -> Result<Snapshot, CatalogError> {
    // Read the stamp first: a change racing the read only causes one more rebuild.
    let stamp = store.catalog_stamp().await?;
    let procedures = store.procedures().await?;
    let agencies = store.agencies().await?;
    let branches = store.branches().await?;
    let names: HashMap<_, _> = agencies.iter().map(|a| (a.code, a.name.clone())).collect();
    let offers = procedures.iter().map(Offer::of).collect();
    let phrases = phrases.clone();
    let index =
        tokio::task::spawn_blocking(move || CatalogIndex::build(&procedures, &names, &phrases))
            .await??;
    Ok(Snapshot {
        stamp,
        index: Arc::new(index),
        agencies: Arc::new(agencies),
        branches: Arc::new(branches),
        offers: Arc::new(offers),
    })
}

impl Catalog {
    /// The stored catalog, searched with `phrases` (the shipped list, or an administrator's
    /// additions to it).
    pub async fn load(store: &dyn Store, phrases: Phrases) -> Result<Self, CatalogError> {
        Ok(Catalog {
            current: RwLock::new(build(store, &phrases).await?),
            phrases,
        })
    }

    fn snapshot(&self) -> std::sync::RwLockReadGuard<'_, Snapshot> {
        self.current.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn index(&self) -> Arc<CatalogIndex> {
        self.snapshot().index.clone()
    }

    /// The stored catalog's stamp this index was built from.
    pub fn stamp(&self) -> String {
        self.snapshot().stamp.clone()
    }

    /// The agencies as of the last build (a change shows within the follow interval).
    pub fn agencies(&self) -> Arc<Vec<Agency>> {
        self.snapshot().agencies.clone()
    }

    /// The name of agency `code` (its code when the catalog does not know it).
    pub fn agency_name(&self, code: AgencyCode) -> String {
        self.agencies()
            .iter()
            .find(|a| a.code == code)
            .map_or_else(|| code.to_string(), |a| a.name.clone())
    }

    /// The province's People's Committee, at the top of the agencies.
    pub fn province(&self) -> Option<Agency> {
        self.agencies()
            .iter()
            .find(|a| a.kind == motcua_store::AgencyKind::Province)
            .cloned()
    }

    /// The agencies and communes directly under `parent`, in the catalog's order.
    pub fn children_of(&self, parent: AgencyCode) -> Vec<Agency> {
        self.agencies()
            .iter()
            .filter(|a| a.parent == Some(parent))
            .cloned()
            .collect()
    }

    /// Whether procedures of `agency` leave the commune open: commune-level procedures the
    /// catalog routes to the province as a whole, handled by the People's Committee of the
    /// commune where the applicant lives (or which the counter chooses).
    pub fn leaves_commune_open(&self, agency: AgencyCode) -> bool {
        self.agencies()
            .iter()
            .any(|a| a.code == agency && a.kind == motcua_store::AgencyKind::Province)
    }

    /// The communes under `agency`, by name: those a counter may choose.
    pub fn communes_under(&self, agency: AgencyCode) -> Vec<Agency> {
        let mut list: Vec<Agency> = self
            .agencies()
            .iter()
            .filter(|a| a.kind == motcua_store::AgencyKind::Commune && agency.covers(&a.code))
            .cloned()
            .collect();
        list.sort_by(|a, b| a.name.cmp(&b.name));
        list
    }

    /// The commune agency of an administrative unit (its NSO code), if it is one of ours.
    pub fn commune_of_unit(&self, unit: &str) -> Option<AgencyCode> {
        self.agencies()
            .iter()
            .find(|a| {
                a.kind == motcua_store::AgencyKind::Commune
                    && a.admin_unit_code.as_deref() == Some(unit)
            })
            .map(|a| a.code)
    }

    /// Every procedure's offer, as of the last build.
    pub fn offers(&self) -> Arc<Vec<Offer>> {
        self.snapshot().offers.clone()
    }

    /// The branches as of the last build.
    pub fn branches(&self) -> Arc<Vec<Branch>> {
        self.snapshot().branches.clone()
    }

    /// A branch by code that passes `fits` (say, has a given counter): from this snapshot, or
    /// from the store when the snapshot lacks it or has not caught up with a change.
    pub async fn branch_where(
        &self,
        store: &dyn Store,
        code: &str,
        fits: impl Fn(&Branch) -> bool,
    ) -> Result<Option<Branch>, StoreError> {
        if let Some(known) = self.branches().iter().find(|b| b.code == code && fits(b)) {
            return Ok(Some(known.clone()));
        }
        Ok(store
            .branches()
            .await?
            .into_iter()
            .find(|b| b.code == code && fits(b)))
    }

    /// Rebuilds when the stored catalog changed since the last build; true when it did.
    pub async fn refresh(&self, store: &dyn Store) -> Result<bool, CatalogError> {
        if store.catalog_stamp().await? == self.stamp() {
            return Ok(false);
        }
        let fresh = build(store, &self.phrases).await?;
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = fresh;
        Ok(true)
    }
}

/// A catalog search as a visitor or a program asks it, still to be checked.
#[derive(Debug, Clone, Default)]
pub struct SearchForm {
    pub q: Option<String>,
    pub field: Option<String>,
    pub agency: Option<String>,
    pub level: Option<String>,
    pub online_level: Option<String>,
    /// From 1.
    pub page: Option<u32>,
    /// 1–100 (default 20).
    pub per_page: Option<u32>,
}

/// The search request built from a search form, with its page and page size, or the reason
/// it is not valid.
pub fn search_query(p: SearchForm) -> Result<(SearchQuery, u32, u32), AppError> {
    let page = p.page.unwrap_or(1);
    let per_page = p.per_page.unwrap_or(20);
    if page == 0 || page > 100_000 || !(1..=100).contains(&per_page) {
        return Err(AppError::new(
            Kind::BadRequest,
            "invalid_page",
            "error-invalid-page",
        ));
    }
    let text = p.q.filter(|q| !q.trim().is_empty());
    if text
        .as_ref()
        .is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS)
    {
        return Err(search_error(SearchError::TooLong));
    }
    let agency = p
        .agency
        .filter(|a| !a.is_empty())
        .map(|a| AgencyCode::parse(&a))
        .transpose()
        .map_err(|e| AppError::localised(Kind::BadRequest, e))?;
    let online_level = match p.online_level.as_deref().filter(|o| !o.is_empty()) {
        None => None,
        Some("full") => Some(OnlineLevel::Full),
        Some("partial") => Some(OnlineLevel::Partial),
        Some("none") => Some(OnlineLevel::None),
        Some(_) => {
            return Err(AppError::new(
                Kind::BadRequest,
                "invalid_online_level",
                "error-invalid-online-level",
            ));
        }
    };
    let query = SearchQuery {
        text,
        field: p.field.filter(|f| !f.is_empty()),
        agency,
        level: p.level.filter(|l| !l.is_empty()),
        online_level,
        offset: ((page - 1) * per_page) as usize,
        limit: per_page as usize,
    };
    Ok((query, page, per_page))
}

/// A search failure as the use cases say it.
pub fn search_error(e: SearchError) -> AppError {
    match e {
        SearchError::TooLong => {
            AppError::new(Kind::BadRequest, "query_too_long", "error-query-too-long")
                .arg("max", MAX_QUERY_CHARS)
        }
        SearchError::Index(e) => {
            tracing::error!(error = %e, "search failure");
            AppError::new(Kind::Internal, "search_error", "error-search-error")
        }
    }
}

//! The service index (Decision 766) of the province, an agency or a commune for a month, a
//! quarter or a year: the cohort rollup counted for the period (never the events or the
//! per-dossier rows), the catalog of the procedures the scope handles, and a formula set.

use chrono::{DateTime, Utc};
use motcua_domain::ids::AgencyCode;
use motcua_domain::index::{
    self, CatalogEntry, CohortCount, FormulaSet, IndexResult, Period, ScopeKind, sets,
};
use motcua_store::AgencyKind;
use motcua_store::OnlineLevel;

use crate::App;
use crate::error::{AppError, Kind};

/// What to compute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexQuery {
    pub period: Period,
    pub scope: ScopeKind,
    /// The agency or commune, for those scopes.
    pub code: Option<AgencyCode>,
    /// The formula set's id; the current one when none.
    pub formula: Option<String>,
}

/// The index as computed, with what it was computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexReport {
    pub set: FormulaSet,
    pub period: Period,
    pub scope: ScopeKind,
    pub code: Option<AgencyCode>,
    pub result: IndexResult,
    pub computed_at: DateTime<Utc>,
    /// The chain's last event the figures include.
    pub high_water_seq: i64,
}

/// Computes the index of a scope for a period.
pub async fn index(state: &App, q: &IndexQuery) -> Result<IndexReport, AppError> {
    let set = match q.formula.as_deref().filter(|f| !f.is_empty()) {
        None => sets::find(sets::DEFAULT).expect("the default set ships"),
        Some(id) => sets::find(id).ok_or_else(|| {
            AppError::new(
                Kind::BadRequest,
                "unknown_formula_set",
                "error-unknown-formula-set",
            )
        })?,
    };
    let agencies = state.store.agencies().await?;
    let within: Box<dyn Fn(&AgencyCode) -> bool + Send + Sync> = match (q.scope, q.code) {
        (ScopeKind::Province, _) => Box::new(|_| true),
        (_, None) => {
            return Err(AppError::new(
                Kind::BadRequest,
                "code_required",
                "error-scope-code-required",
            ));
        }
        (scope, Some(code)) => {
            let agency = agencies
                .iter()
                .find(|a| a.code == code)
                .ok_or_else(AppError::not_found)?;
            if (scope == ScopeKind::Commune) != (agency.kind == AgencyKind::Commune) {
                return Err(AppError::new(
                    Kind::BadRequest,
                    "scope_mismatch",
                    "error-scope-mismatch",
                ));
            }
            Box::new(move |a: &AgencyCode| code.covers(a))
        }
    };
    let (first, last) = q.period.month_range();
    let cohorts = state.store.cohorts(first, last).await?;
    let rows: Vec<CohortCount> = cohorts
        .rows
        .into_iter()
        .filter(|(agency, _)| within(agency))
        .map(|(_, c)| c)
        .collect();
    let payable = state.payment.is_some();
    let catalog: Vec<CatalogEntry> = state
        .store
        .procedures()
        .await?
        .into_iter()
        .filter(|p| match q.scope {
            ScopeKind::Province => true,
            ScopeKind::Agency => within(&p.agency),
            // Every commune handles the procedures of the commune level.
            ScopeKind::Commune => p.level.to_lowercase().contains("xã"),
        })
        .map(|p| {
            let online = p.online_level != OnlineLevel::None;
            let with_fee = p.methods.iter().any(|m| m.fee_vnd.is_some_and(|f| f > 0));
            let online_fee = p
                .online_method()
                .is_some_and(|m| m.fee_vnd.is_some_and(|f| f > 0));
            CatalogEntry {
                procedure: p.code,
                online,
                with_fee,
                payable_online: payable && online && online_fee,
            }
        })
        .collect();
    let today = motcua_domain::facts::local_day(Utc::now());
    let counts = index::cohort::measures(q.period, q.period.judged_on(today), &rows, &catalog);
    Ok(IndexReport {
        result: index::evaluate(&set, q.scope, &counts),
        set,
        period: q.period,
        scope: q.scope,
        code: q.code,
        computed_at: Utc::now(),
        high_water_seq: cohorts.high_water_seq,
    })
}

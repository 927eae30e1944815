//! The service index (Decision 766) of the province, an agency or a commune for a month, a
//! quarter or a year: the cohort rollup counted for the period (never the events or the
//! per-dossier rows), the catalog of the procedures the scope handles, and a formula set.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use motcua_domain::ids::{AgencyCode, DossierCode};
use motcua_domain::index::petitions::start as day_start;
use motcua_domain::index::{
    self, CatalogEntry, DOSSIER_MEASURES, FormulaSet, IndexResult, Period, ScopeKind, Span, sets,
};
use motcua_store::{Agency, AgencyKind, CohortGrain, CohortRow, Cohorts, CountedDossier, Scope};

use crate::App;
use crate::catalog::Offer;
use crate::error::{AppError, Kind};
use crate::principal::Principal;

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

/// What every scope's index of one period is computed from, read once.
struct Inputs {
    set: FormulaSet,
    agencies: Arc<Vec<Agency>>,
    cohorts: Cohorts,
    /// The petitions the period handles, with the agency handling each (per petition: they
    /// are far fewer than dossiers).
    petitions: Vec<motcua_store::PetitionFacts>,
    /// The dossiers petitions are about, with when the first was filed.
    petitioned: Vec<(DateTime<Utc>, CountedDossier)>,
    offers: Arc<Vec<Offer>>,
    payable: bool,
    computed_at: DateTime<Utc>,
}

/// How finely to read the rollup: the scope's own index needs one row per cohort; its
/// children's, one per agency and cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    Scope,
    WithChildren,
}

/// The inputs of the query's period, for the scope alone.
async fn inputs(state: &App, q: &IndexQuery) -> Result<Inputs, AppError> {
    inputs_over(state, q, q.period, Reading::Scope).await
}

/// The agencies a scope covers (every one for the province).
pub(crate) fn covered(agencies: &[Agency], code: Option<AgencyCode>) -> Option<Vec<AgencyCode>> {
    code.map(|c| {
        agencies
            .iter()
            .map(|a| a.code)
            .filter(|a| c.covers(a))
            .collect()
    })
}

/// The inputs read over `over`, a period that holds the query's: the rollup rows of a longer
/// period include those of each shorter one within it, and the counting keeps to its period.
async fn inputs_over(
    state: &App,
    q: &IndexQuery,
    over: Period,
    reading: Reading,
) -> Result<Inputs, AppError> {
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
    // The agencies and the procedures' offers as the catalog holds them in memory; only the
    // rollup is read.
    let agencies = state.catalog.agencies();
    check_scope(&agencies, q.scope, q.code)?;
    let (first, last) = over.month_range();
    let grain = match (reading, covered(&agencies, q.code)) {
        (Reading::Scope, None) => CohortGrain::Province,
        (_, within) => CohortGrain::Agency(within),
    };
    let (from, to) = over.bounds();
    let (from, to) = (day_start(from), day_start(to));
    let petitions = state.store.petition_facts(from, to).await?;
    let petitioned = state.store.petitioned_dossiers(to).await?;
    Ok(Inputs {
        set,
        cohorts: state.store.cohorts(first, last, &grain).await?,
        petitions,
        petitioned,
        agencies,
        offers: state.catalog.offers(),
        payable: state.payment.is_some(),
        computed_at: Utc::now(),
    })
}

/// The scope names an agency of its kind (a commune for `commune`).
fn check_scope(
    agencies: &[Agency],
    scope: ScopeKind,
    code: Option<AgencyCode>,
) -> Result<(), AppError> {
    match (scope, code) {
        (ScopeKind::Province, _) => Ok(()),
        (_, None) => Err(AppError::new(
            Kind::BadRequest,
            "code_required",
            "error-scope-code-required",
        )),
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
            Ok(())
        }
    }
}

/// The dossiers of the scope of `code` that a petition filed by the end of `period` is about.
fn petitioned_in(
    i: &Inputs,
    period: Period,
    code: Option<AgencyCode>,
) -> impl Iterator<Item = &CountedDossier> {
    let end = day_start(period.bounds().1);
    i.petitioned
        .iter()
        .filter(move |(at, d)| *at < end && code.is_none_or(|c| c.covers(&d.competent_agency)))
        .map(|(_, d)| d)
}

/// The index of one scope from the inputs.
fn compute(i: &Inputs, period: Period, scope: ScopeKind, code: Option<AgencyCode>) -> IndexReport {
    let within = |a: &AgencyCode| code.is_none_or(|c| c.covers(a));
    // Rows summed over the province count only in the province's index.
    let counted = |a: Option<AgencyCode>| a.map_or(code.is_none(), |a| within(&a));
    let rows = i
        .cohorts
        .rows
        .iter()
        .filter(|r| counted(r.agency))
        .map(CohortRow::counted);
    let uses = i
        .cohorts
        .uses
        .iter()
        .filter(|(a, _)| counted(*a))
        .map(|(_, u)| u);
    let catalog: Vec<CatalogEntry> = i
        .offers
        .iter()
        .filter(|o| match scope {
            ScopeKind::Province => true,
            ScopeKind::Agency => within(&o.agency),
            // Every commune handles the procedures of the commune level.
            ScopeKind::Commune => o.commune_level,
        })
        .map(|o| CatalogEntry {
            procedure: o.code,
            online: o.online,
            with_fee: o.with_fee,
            payable_online: i.payable && o.online && o.online_fee,
        })
        .collect();
    let today = motcua_domain::facts::local_day(i.computed_at);
    let as_of = period.judged_on(today);
    let mut counts = index::cohort::measures(period, as_of, rows, uses, &catalog);
    index::cohort::discount_petitioned(
        &mut counts,
        Span::from(period),
        as_of,
        petitioned_in(i, period, code).map(|d| &d.cohort),
    );
    index::petitions::add_measures(
        &mut counts,
        period,
        as_of,
        i.petitions
            .iter()
            .filter(|p| within(&p.agency))
            .map(|p| &p.facts),
    );
    IndexReport {
        result: index::evaluate(&i.set, scope, &counts),
        set: i.set.clone(),
        period,
        scope,
        code,
        computed_at: i.computed_at,
        high_water_seq: i.cohorts.high_water_seq,
    }
}

/// Computes the index of a scope for a period.
pub async fn index(state: &App, q: &IndexQuery) -> Result<IndexReport, AppError> {
    let i = inputs(state, q).await?;
    Ok(compute(&i, q.period, q.scope, q.code))
}

/// The scope an agency's own index is computed at.
pub fn scope_of(a: &Agency) -> ScopeKind {
    match a.kind {
        AgencyKind::Province => ScopeKind::Province,
        AgencyKind::Commune => ScopeKind::Commune,
        _ => ScopeKind::Agency,
    }
}

/// The query's scope, or the province for a province-wide query.
fn root(state: &App, q: &IndexQuery) -> Option<AgencyCode> {
    q.code.or_else(|| state.catalog.province().map(|a| a.code))
}

/// The index of each agency or commune directly under the query's scope.
fn children(state: &App, i: &Inputs, q: &IndexQuery) -> Vec<(Agency, IndexReport)> {
    root(state, q)
        .map(|r| state.catalog.children_of(r))
        .unwrap_or_default()
        .into_iter()
        .map(|a| {
            let report = compute(i, q.period, scope_of(&a), Some(a.code));
            (a, report)
        })
        .collect()
}

/// The index of a scope and of each agency directly under it (communes as communes), for
/// drilling down; all from one reading of the rollup.
pub async fn tree(
    state: &App,
    q: &IndexQuery,
) -> Result<(IndexReport, Vec<(Agency, IndexReport)>), AppError> {
    let i = inputs_over(state, q, q.period, Reading::WithChildren).await?;
    Ok((
        compute(&i, q.period, q.scope, q.code),
        children(state, &i, q),
    ))
}

/// What the index page shows: the scope's index and its children's (as [`tree`]), and the
/// scope's index for each month of the period's year up to today (the trend); all from one
/// reading of the rollup over the year.
pub struct Overview {
    pub parent: IndexReport,
    pub children: Vec<(Agency, IndexReport)>,
    pub trend: Vec<IndexReport>,
}

pub async fn overview(state: &App, q: &IndexQuery) -> Result<Overview, AppError> {
    let year = Period::Year {
        year: q.period.year(),
    };
    let i = inputs_over(state, q, year, Reading::WithChildren).await?;
    let today = motcua_domain::facts::local_day(i.computed_at);
    Ok(Overview {
        parent: compute(&i, q.period, q.scope, q.code),
        children: children(state, &i, q),
        trend: year
            .months()
            .into_iter()
            .filter(|m| m.bounds().0 <= today)
            .map(|m| compute(&i, m, q.scope, q.code))
            .collect(),
    })
}

/// Which of a metric's two numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Numerator,
    Denominator,
}

/// A page of the dossiers behind one of a metric's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct DrillPage {
    pub report: IndexReport,
    /// The number the whole list adds up to (the index's numerator or denominator).
    pub total: u64,
    pub dossiers: Vec<CountedDossier>,
    /// Where the next page starts; none on the last.
    pub next: Option<DossierCode>,
}

/// Facts read per round while a page fills.
const CHUNK: u32 = 500;

/// The dossiers counted in `side` of metric `metric` for the query, `limit` at a time in code
/// order after `after`; for officers and systems reading dossiers whose agency covers the
/// scope (the province's agency for the province). Each dossier is judged by the same rule
/// that counts it ([`index::Cohort::counts`]), so the pages add up to the number.
pub async fn dossiers(
    state: &App,
    principal: &Principal,
    q: &IndexQuery,
    metric: &str,
    side: Side,
    after: Option<DossierCode>,
    limit: u32,
) -> Result<DrillPage, AppError> {
    let caller = match principal {
        Principal::Anonymous => return Err(AppError::unauthenticated()),
        Principal::Citizen(_) => return Err(AppError::forbidden()),
        Principal::Staff(u) => u
            .agency
            .filter(|_| principal.has_scope(Scope::DossiersRead)),
        Principal::System(k) => Some(k.agency).filter(|_| principal.has_scope(Scope::DossiersRead)),
    };
    let i = inputs(state, q).await?;
    let root = root(state, q);
    if !caller.is_some_and(|c| root.is_some_and(|r| c.covers(&r))) {
        return Err(AppError::forbidden());
    }
    let rule = i
        .set
        .groups
        .iter()
        .flat_map(|g| &g.metrics)
        .find(|m| m.code == metric)
        .ok_or_else(AppError::not_found)?;
    let measure = match side {
        Side::Numerator => rule.numerator,
        Side::Denominator => rule.denominator,
    };
    if !DOSSIER_MEASURES.contains(&measure) {
        return Err(AppError::new(
            Kind::BadRequest,
            "not_dossiers",
            "error-metric-not-dossiers",
        ));
    }
    let report = compute(&i, q.period, q.scope, q.code);
    let figures = report
        .result
        .groups
        .iter()
        .flat_map(|g| &g.metrics)
        .find(|m| m.code == metric)
        .expect("the metric was found in the set");
    let total = match side {
        Side::Numerator => figures.numerator,
        Side::Denominator => figures.denominator,
    }
    .unwrap_or(0);
    let span = Span::from(q.period);
    let as_of = q
        .period
        .judged_on(motcua_domain::facts::local_day(i.computed_at));
    let agencies = covered(&i.agencies, q.code);
    let limit = limit.clamp(1, 500) as usize;
    // A dossier with feedback is not satisfactorily handled, whatever else it did.
    let petitioned: std::collections::HashSet<DossierCode> =
        if measure == motcua_domain::index::Measure::DossiersSatisfactory {
            petitioned_in(&i, q.period, q.code)
                .map(|d| d.code)
                .collect()
        } else {
            Default::default()
        };
    let mut cursor = after;
    let mut page = Vec::new();
    let mut next = None;
    'scan: loop {
        let chunk = state
            .store
            .counted_dossiers(cursor.as_ref(), span.last, agencies.as_deref(), CHUNK)
            .await?;
        let exhausted = chunk.len() < CHUNK as usize;
        for d in chunk {
            cursor = Some(d.code);
            if d.cohort.counts(measure, span, as_of) != Some(true) || petitioned.contains(&d.code) {
                continue;
            }
            if page.len() == limit {
                next = page.last().map(|p: &CountedDossier| p.code);
                break 'scan;
            }
            page.push(d);
        }
        if exhausted {
            break;
        }
    }
    Ok(DrillPage {
        report,
        total,
        dossiers: page,
        next,
    })
}

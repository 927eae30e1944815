//! The service index (Decision 766) as JSON, public: each group and metric with its numerator,
//! denominator, ratio, score, maximum and flags, labelled with the formula set it was computed
//! by and the chain's last event it includes.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use motcua_app::App;
use motcua_app::error::{AppError, Kind};
use motcua_app::monitoring::{self, IndexQuery, IndexReport};
use motcua_domain::Lang;
use motcua_domain::ids::AgencyCode;
use motcua_domain::index::{NoData, Period, ScopeKind};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::{ApiQuery, ReqLang, WebError};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct IndexParams {
    /// `month`, `quarter` or `year` (default).
    period: Option<String>,
    /// The year (default: the current one, in Vietnam).
    year: Option<i32>,
    /// 1–4, for a quarter.
    quarter: Option<u32>,
    /// 1–12, for a month.
    month: Option<u32>,
    /// `province` (default), `agency` or `commune`.
    scope: Option<String>,
    /// The agency's or the commune's identifier code, for those scopes.
    code: Option<String>,
    /// The formula set: `dvcqg-2026-09` (default) or `qd766-2022`.
    formula: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct IndexPeriod {
    /// `month`, `quarter` or `year`.
    kind: &'static str,
    /// `2026`, `2026-Q3` or `2026-09`.
    label: String,
    /// First day, inclusive.
    from: NaiveDate,
    /// Last day, inclusive.
    to: NaiveDate,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct IndexMetric {
    code: &'static str,
    name: &'static str,
    /// The formula in words (Vietnamese, as published).
    formula: &'static str,
    /// Null when motcua does not count it (see `flags`).
    numerator: Option<u64>,
    denominator: Option<u64>,
    /// Null when the denominator is zero or not counted: never a silent 0.
    ratio: Option<f64>,
    /// Null when no rule gives points.
    score: Option<f64>,
    max: f64,
    /// `no_data`, `not_applicable`, `not_available`.
    flags: Vec<&'static str>,
    /// The points when there is nothing to judge: `full` or `unscored`.
    no_data_rule: &'static str,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct IndexGroup {
    code: &'static str,
    name: &'static str,
    max: f64,
    score: f64,
    /// The maxima of the metrics that could be scored.
    scored_max: f64,
    metrics: Vec<IndexMetric>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct IndexView {
    /// The formula set's id.
    formula_set: &'static str,
    formula_set_name: &'static str,
    /// What the set takes without an official text to confirm it.
    formula_notes: Vec<&'static str>,
    period: IndexPeriod,
    /// `province`, `agency` or `commune`.
    scope: &'static str,
    code: Option<String>,
    /// The agency's or the commune's name (in a drill-down).
    name: Option<String>,
    score: f64,
    max: f64,
    scored_max: f64,
    groups: Vec<IndexGroup>,
    computed_at: DateTime<Utc>,
    /// The last event of the audit chain the figures include.
    high_water_seq: i64,
}

/// The query as the application layer takes it; a clear 400 for what cannot be.
fn query(p: IndexParams) -> Result<IndexQuery, WebError> {
    let year = p.year.unwrap_or_else(|| {
        Utc::now()
            .with_timezone(&motcua_domain::calendar::TZ)
            .year()
    });
    let period = Period::parse(
        p.period.as_deref().unwrap_or("year"),
        year,
        p.quarter,
        p.month,
    )
    .map_err(|e| {
        AppError::new(Kind::BadRequest, "invalid_period", "error-invalid-period")
            .arg("problem", e.key())
    })?;
    let scope = match p.scope.as_deref() {
        None | Some("") => ScopeKind::Province,
        Some(s) => ScopeKind::parse(s).ok_or_else(|| {
            AppError::new(Kind::BadRequest, "invalid_scope", "error-scope-mismatch")
        })?,
    };
    let code = p
        .code
        .filter(|c| !c.is_empty())
        .map(|c| AgencyCode::parse(&c))
        .transpose()
        .map_err(|e| AppError::localised(Kind::BadRequest, e))?;
    Ok(IndexQuery {
        period,
        scope,
        code,
        formula: p.formula,
    })
}

fn view(r: IndexReport, lang: Lang, agency: Option<&motcua_store::Agency>) -> IndexView {
    let name = |vi: &'static str, en: &'static str| match lang {
        Lang::Vi => vi,
        Lang::En => en,
    };
    let (from, to) = r.period.bounds();
    let groups = r
        .set
        .groups
        .iter()
        .zip(r.result.groups)
        .map(|(g, gr)| IndexGroup {
            code: g.code,
            name: name(g.name_vi, g.name_en),
            max: gr.max,
            score: gr.score,
            scored_max: gr.scored_max,
            metrics: g
                .metrics
                .iter()
                .zip(gr.metrics)
                .map(|(m, mr)| IndexMetric {
                    code: m.code,
                    name: name(m.name_vi, m.name_en),
                    formula: m.formula_vi,
                    numerator: mr.numerator,
                    denominator: mr.denominator,
                    ratio: mr.ratio,
                    score: mr.score,
                    max: mr.max,
                    flags: mr.flags.iter().map(|f| f.as_str()).collect(),
                    no_data_rule: match m.no_data {
                        NoData::Full => "full",
                        NoData::Unscored => "unscored",
                    },
                })
                .collect(),
        })
        .collect();
    IndexView {
        formula_set: r.set.id,
        formula_set_name: name(r.set.name_vi, r.set.name_en),
        formula_notes: r.set.notes.to_vec(),
        period: IndexPeriod {
            kind: r.period.kind(),
            label: r.period.label(),
            from,
            to: to.pred_opt().unwrap_or(to),
        },
        scope: r.scope.as_str(),
        code: r.code.map(|c| c.to_string()),
        name: agency.map(|a| match (lang, &a.name_en) {
            (Lang::En, Some(en)) => en.clone(),
            _ => a.name.clone(),
        }),
        score: r.result.score,
        max: r.result.max,
        scored_max: r.result.scored_max,
        groups,
        computed_at: r.computed_at,
        high_water_seq: r.high_water_seq,
    }
}

/// The service index of the province, an agency or a commune for a month, a quarter or a
/// year (public). Metrics motcua does not count yet say so (`not_available`) rather than
/// showing a number.
#[utoipa::path(
    get, path = "/api/v1/stats/index", tag = "statistics", params(IndexParams),
    responses((status = 200, body = IndexView), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub(crate) async fn index(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    ApiQuery(p): ApiQuery<IndexParams>,
) -> Result<Json<IndexView>, WebError> {
    let q = query(p)?;
    let report = monitoring::index(&state, &q).await?;
    Ok(Json(view(report, lang, None)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct IndexTree {
    /// The scope asked for.
    parent: IndexView,
    /// Each agency directly under it (a commune with the commune scope), in the tree's order.
    children: Vec<IndexView>,
}

/// The service index of a scope and of each agency or commune directly under it, for drilling
/// down (public); the same query as `/api/v1/stats/index`.
#[utoipa::path(
    get, path = "/api/v1/stats/index/tree", tag = "statistics", params(IndexParams),
    responses((status = 200, body = IndexTree), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub(crate) async fn tree(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    ApiQuery(p): ApiQuery<IndexParams>,
) -> Result<Json<IndexTree>, WebError> {
    let q = query(p)?;
    let (parent, children) = monitoring::tree(&state, &q).await?;
    Ok(Json(IndexTree {
        parent: view(parent, lang, None),
        children: children
            .into_iter()
            .map(|(agency, r)| view(r, lang, Some(&agency)))
            .collect(),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct DrillParams {
    /// `numerator` or `denominator` (default).
    side: Option<String>,
    /// The last dossier code of the previous page (its `next`).
    after: Option<String>,
    /// Dossiers per page, 1–500 (default 50).
    limit: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct CountedDossierView {
    code: String,
    procedure_code: String,
    procedure_name: Option<String>,
    /// The competent agency's code.
    agency: String,
    /// The national status code's name.
    status: String,
    received_at: Option<DateTime<Utc>>,
    due_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    /// `open`, `early`, `on_time`, `late`, `stopped_in_time` or `stopped_late`.
    outcome: &'static str,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DrillView {
    metric: String,
    /// `numerator` or `denominator`.
    side: &'static str,
    /// The number the whole list adds up to.
    total: u64,
    dossiers: Vec<CountedDossierView>,
    /// Pass as `after` for the next page; null on the last.
    next: Option<String>,
    index: IndexView,
}

/// The dossiers behind a metric's numerator or denominator, in code order, a page at a time
/// (officers and systems reading dossiers whose agency covers the scope). The pages add up to
/// the number; a metric that counts procedures has no list.
#[utoipa::path(
    get, path = "/api/v1/stats/index/{metric}/dossiers", tag = "statistics", security(("bearer" = [])),
    params(("metric" = String, Path, description = "The metric's code, e.g. DOSSIER_PROGRESS"), IndexParams, DrillParams),
    responses((status = 200, body = DrillView), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub(crate) async fn dossiers(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Caller(principal): Caller,
    Path(metric): Path<String>,
    ApiQuery(p): ApiQuery<IndexParams>,
    ApiQuery(d): ApiQuery<DrillParams>,
) -> Result<Json<DrillView>, WebError> {
    let q = query(p)?;
    let side = match d.side.as_deref() {
        None | Some("") | Some("denominator") => monitoring::Side::Denominator,
        Some("numerator") => monitoring::Side::Numerator,
        Some(_) => {
            return Err(
                AppError::new(Kind::BadRequest, "invalid_side", "error-invalid-side").into(),
            );
        }
    };
    let after = d
        .after
        .filter(|a| !a.is_empty())
        .map(|a| motcua_domain::ids::DossierCode::parse(&a))
        .transpose()
        .map_err(|e| AppError::localised(Kind::BadRequest, e))?;
    let page = monitoring::dossiers(
        &state,
        &principal,
        &q,
        &metric,
        side,
        after,
        d.limit.unwrap_or(50),
    )
    .await?;
    let index = state.catalog.index();
    Ok(Json(DrillView {
        metric,
        side: match side {
            monitoring::Side::Numerator => "numerator",
            monitoring::Side::Denominator => "denominator",
        },
        total: page.total,
        dossiers: page
            .dossiers
            .into_iter()
            .map(|c| CountedDossierView {
                code: c.code.to_string(),
                procedure_code: c.procedure.to_string(),
                procedure_name: index.get(&c.procedure).map(|p| p.name.clone()),
                agency: c.competent_agency.to_string(),
                status: c.status,
                received_at: c.received_at,
                due_at: c.due_at,
                finished_at: c.finished_at,
                outcome: c.cohort.outcome.as_str(),
            })
            .collect(),
        next: page.next.map(|c| c.to_string()),
        index: view(page.report, lang, None),
    }))
}

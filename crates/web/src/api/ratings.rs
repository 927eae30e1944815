//! Satisfaction ratings: given at a counter's tablet for a ticket, or online for a dossier
//! after its result; added up per officer, counter, group, branch and agency, and pushed live.

use motcua_app::error::Kind;
use motcua_domain::ids::CounterCode;
use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::Lang;
use motcua_domain::ids::TicketId;
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::{ApiJson, ApiQuery, ReqLang, WebError};
use crate::i18n::Tr;
use motcua_app::App;
use motcua_app::ratings::{self, By, Labels, SatisfactionRow, parse_rating, summarise};

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct RatingRequest {
    /// The ticket served (from a counter's tablet; a reception officer of the branch).
    #[schema(value_type = Option<i64>)]
    ticket: Option<TicketId>,
    /// Or the dossier (its applicant, after the result).
    dossier: Option<String>,
    /// `very_satisfied`, `satisfied` or `dissatisfied`.
    level: String,
    /// Scores 0–2 of the Circular 01/2018 criteria: `resolution_time`, `contacts`,
    /// `agencies`, `attitude` (each optional).
    #[schema(value_type = Object)]
    criteria: Option<BTreeMap<String, u8>>,
    comment: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct RatingView {
    #[schema(value_type = Option<i64>)]
    ticket: Option<TicketId>,
    dossier: Option<String>,
    level: &'static str,
    branch_code: Option<String>,
    counter_code: Option<String>,
    officer: Option<String>,
    at: DateTime<Utc>,
}

/// Gives a rating, once per ticket or dossier. A ticket is rated at its counter's tablet,
/// signed in as a reception officer of the branch, while or after it is served the same day;
/// a dossier by its applicant after the result (the same as the dossier's `rate` action).
/// The rating reaches the live summaries within a second.
#[utoipa::path(
    post, path = "/api/v1/ratings", tag = "ratings", request_body = RatingRequest, security(("bearer" = [])),
    responses(
        (status = 201, body = RatingView),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "rated already, or not served yet"),
        (status = 422, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn rate(
    State(state): State<App>,
    Caller(principal): Caller,
    ApiJson(req): ApiJson<RatingRequest>,
) -> Result<(StatusCode, Json<RatingView>), WebError> {
    let (level, criteria) = parse_rating(&req.level, &req.criteria.unwrap_or_default())?;
    let comment = req
        .comment
        .map(|c| c.trim().chars().take(1000).collect::<String>())
        .filter(|c| !c.is_empty());
    match (req.ticket, req.dossier) {
        (Some(id), None) => {
            let (r, ticket) =
                ratings::rate_ticket_as(&state, &principal, id, level, &criteria, comment).await?;
            tracing::info!(ticket = %id, level = level.as_str(), "ticket rated");
            Ok((
                StatusCode::CREATED,
                Json(RatingView {
                    ticket: r.ticket_id,
                    dossier: None,
                    level: level.as_str(),
                    counter_code: r
                        .counter
                        .map(|n| CounterCode::new(&ticket.branch, n).to_string()),
                    branch_code: r.branch.map(String::from),
                    officer: r.officer,
                    at: r.at,
                }),
            ))
        }
        (None, Some(code)) => {
            let now = Utc::now();
            let updated =
                ratings::rate_dossier(&state, &principal, &code, level, criteria, comment, now)
                    .await?;
            Ok((
                StatusCode::CREATED,
                Json(RatingView {
                    ticket: None,
                    dossier: Some(updated.code.to_string()),
                    level: level.as_str(),
                    branch_code: updated
                        .state
                        .intake
                        .branch
                        .as_ref()
                        .map(ToString::to_string),
                    counter_code: None,
                    officer: None,
                    at: now,
                }),
            ))
        }
        _ => Err(WebError::new(
            Kind::Invalid,
            "invalid_target",
            "error-invalid-target-2",
        )),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SatisfactionParams {
    /// First day (YYYY-MM-DD, Vietnam time), inclusive; today by default.
    from: Option<NaiveDate>,
    /// Last day, inclusive; `from` by default.
    to: Option<NaiveDate>,
    /// `agency` (default), `branch`, `group`, `counter`, `officer` or `day`.
    #[param(value_type = Option<String>)]
    by: Option<By>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct SatisfactionView {
    from: NaiveDate,
    to: NaiveDate,
    by: &'static str,
    /// One row per key, most ratings first, and the total last (`key` `*`).
    rows: Vec<SatisfactionRowView>,
}

/// Ratings of one agency, branch, group, counter, officer or day.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SatisfactionRow)]
pub(crate) struct SatisfactionRowView {
    /// The agency code, branch code, `{branch}/{group}`, counter code, officer's username or
    /// day.
    key: String,
    /// A name for people: the agency's, branch's or officer's.
    label: String,
    very_satisfied: u64,
    satisfied: u64,
    dissatisfied: u64,
    total: u64,
    /// Share rating "very satisfied" or "satisfied", one decimal.
    satisfied_percent: Option<f64>,
    /// Average score (0–2, one decimal) per criterion scored.
    #[schema(value_type = Object)]
    criteria: BTreeMap<&'static str, f64>,
}

impl From<SatisfactionRow> for SatisfactionRowView {
    fn from(r: SatisfactionRow) -> Self {
        SatisfactionRowView {
            key: r.key,
            label: r.label,
            very_satisfied: r.very_satisfied,
            satisfied: r.satisfied,
            dissatisfied: r.dissatisfied,
            total: r.total,
            satisfied_percent: r.satisfied_percent,
            criteria: r.criteria,
        }
    }
}

/// Satisfaction over a period, per agency, branch, group, counter, officer or day. Public:
/// results are published per agency and officer (Decree 61/2018 art. 29); comments are not.
/// Today's figures include ratings given a second ago.
#[utoipa::path(
    get, path = "/api/v1/stats/satisfaction", tag = "ratings", params(SatisfactionParams),
    responses((status = 200, body = SatisfactionView), (status = 400, body = crate::error::ErrorBody))
)]
pub(crate) async fn satisfaction(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    ApiQuery(p): ApiQuery<SatisfactionParams>,
) -> Result<Json<SatisfactionView>, WebError> {
    let (from, to) = super::stats::day_range(p.from, p.to)?;
    let by = p.by.unwrap_or(By::Agency);
    let counts = state.store.rating_counts(from, to).await?;
    let labels = Labels::load(&state).await;
    Ok(Json(SatisfactionView {
        from,
        to,
        by: by.as_str(),
        rows: summarise(&counts, by, &labels, &Tr(lang).row_words())
            .into_iter()
            .map(Into::into)
            .collect(),
    }))
}

#[derive(Serialize)]
struct LiveSummary {
    day: Option<NaiveDate>,
    agency: Vec<SatisfactionRow>,
    branch: Vec<SatisfactionRow>,
    counter: Vec<SatisfactionRow>,
    officer: Vec<SatisfactionRow>,
}

fn summary_event(
    r: &motcua_app::board::Ratings,
    labels: &Labels,
    lang: Lang,
) -> axum::response::sse::Event {
    let words = Tr(lang).row_words();
    let summary = LiveSummary {
        day: r.day,
        agency: summarise(&r.rows, By::Agency, labels, &words),
        branch: summarise(&r.rows, By::Branch, labels, &words),
        counter: summarise(&r.rows, By::Counter, labels, &words),
        officer: summarise(&r.rows, By::Officer, labels, &words),
    };
    axum::response::sse::Event::default()
        .event("summary")
        .data(serde_json::to_string(&summary).unwrap_or_default())
}

/// Today's satisfaction per agency, branch, counter and officer as server-sent events
/// (`event: summary`), first at once and again whenever a rating is given anywhere.
#[utoipa::path(
    get, path = "/api/v1/stats/satisfaction/live", tag = "ratings",
    responses((status = 200, content_type = "text/event-stream", body = Object))
)]
pub(crate) async fn live(State(state): State<App>, ReqLang(lang): ReqLang) -> Response {
    use axum::response::sse::{KeepAlive, Sse};
    let mut rx = state.live.ratings();
    rx.mark_unchanged();
    let first = state.live.ratings_now(&*state.store).await;
    let labels = Labels::load(&state).await;
    let opening = summary_event(&first, &labels, lang);
    let start = (rx, labels);
    let rest = futures_util::stream::unfold(start, move |(mut rx, labels)| async move {
        rx.changed().await.ok()?;
        let snapshot = rx.borrow_and_update().clone();
        let event = summary_event(&snapshot, &labels, lang);
        Some((Ok::<_, std::convert::Infallible>(event), (rx, labels)))
    });
    let opening = futures_util::stream::once(async move { Ok(opening) });
    Sse::new(futures_util::StreamExt::chain(opening, rest))
        .keep_alive(KeepAlive::default())
        .into_response()
}

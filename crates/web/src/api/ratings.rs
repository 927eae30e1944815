//! Satisfaction ratings: given at a counter's tablet for a ticket, or online for a dossier
//! after its result; added up per officer, counter, group, branch and agency, and pushed live.

use motcua_app::error::Kind;
use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::Lang;
use motcua_domain::calendar::TZ;
use motcua_domain::lifecycle::{Command, CriterionScore, RatingCriterion, Satisfaction};
use motcua_domain::rating::Tally;
use motcua_domain::role::Role;
use motcua_store::{Branch, Rating, RatingCount, StoreError, Ticket, TicketStatus, ops};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::{ApiJson, ApiQuery, ReqLang, WebError};
use crate::i18n::Tr;
use motcua_app::App;
use motcua_app::counter::counter_code;
use motcua_app::principal::Principal;

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct RatingRequest {
    /// The ticket served (from a counter's tablet; a reception officer of the branch).
    ticket: Option<i64>,
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
    ticket: Option<i64>,
    dossier: Option<String>,
    level: &'static str,
    branch_code: Option<String>,
    counter_code: Option<String>,
    officer: Option<String>,
    at: DateTime<Utc>,
}

fn already() -> WebError {
    WebError::new(Kind::Conflict, "already_rated", "error-already-rated")
}

/// The level and criteria of a rating, checked.
pub(crate) fn parse_rating(
    level: &str,
    criteria: &BTreeMap<String, u8>,
) -> Result<(Satisfaction, Vec<CriterionScore>), WebError> {
    let level = Satisfaction::parse(level.trim())
        .ok_or_else(|| WebError::new(Kind::Invalid, "invalid_level", "error-invalid-level"))?;
    let mut scores = Vec::new();
    for (name, score) in criteria {
        let criterion = RatingCriterion::parse(name)
            .filter(|_| *score <= 2)
            .ok_or_else(|| WebError::new(Kind::Invalid, "invalid_score", "error-invalid-score"))?;
        scores.push(CriterionScore {
            criterion,
            score: *score,
        });
    }
    Ok((level, scores))
}

/// Records a rating of ticket `ticket`, served at `branch`, given at its counter's tablet by
/// `by`.
pub(crate) async fn rate_ticket(
    state: &App,
    branch: &Branch,
    ticket: &Ticket,
    level: Satisfaction,
    criteria: &[CriterionScore],
    comment: Option<String>,
    by: &str,
) -> Result<Rating, StoreError> {
    // A ticket that received or returned a dossier counts for the agency deciding it.
    let deciding = match ticket
        .dossier
        .as_deref()
        .map(motcua_domain::ids::DossierCode::parse)
    {
        Some(Ok(c)) => state
            .store
            .dossier(&c)
            .await?
            .map(|r| r.state.intake.competent_agency),
        _ => None,
    };
    let agency = Some(deciding.unwrap_or(branch.agency).to_string());
    let now = Utc::now();
    let rating = state
        .store
        .add_rating(&Rating {
            id: 0,
            ticket_id: Some(ticket.id),
            dossier: None,
            day: now.with_timezone(&TZ).date_naive(),
            branch: Some(ticket.branch.clone()),
            group: Some(ticket.group.clone()),
            counter: ticket.counter,
            officer: ticket.officer.clone(),
            agency,
            level,
            criteria: criteria.iter().map(|c| (c.criterion, c.score)).collect(),
            comment,
            given_by: by.to_string(),
            at: now,
        })
        .await?;
    state.live.poke();
    Ok(rating)
}

/// Whether a ticket can be rated now: called or served today (not a no-show).
pub(crate) fn ratable(t: &Ticket) -> bool {
    matches!(t.status, TicketStatus::Called | TicketStatus::Done)
        && t.day == Utc::now().with_timezone(&TZ).date_naive()
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
            let user = match &principal {
                Principal::Staff(u) => u,
                Principal::Anonymous => return Err(WebError::unauthenticated()),
                _ => return Err(WebError::forbidden()),
            };
            let ticket = state
                .store
                .ticket(id)
                .await?
                .ok_or_else(WebError::not_found)?;
            let branch = motcua_app::floor::branch(&state, &ticket.branch).await?;
            if user.role != Role::Reception
                || !user.agency.is_some_and(|a| a.covers(&branch.agency))
            {
                return Err(WebError::forbidden());
            }
            if !ratable(&ticket) {
                return Err(WebError::new(
                    Kind::Conflict,
                    "not_served",
                    "error-not-served",
                ));
            }
            let r = match rate_ticket(
                &state,
                &branch,
                &ticket,
                level,
                &criteria,
                comment,
                &user.username,
            )
            .await
            {
                Ok(r) => r,
                Err(StoreError::Duplicate(_)) => return Err(already()),
                Err(e) => return Err(WebError::from(e)),
            };
            tracing::info!(ticket = id, level = level.as_str(), "ticket rated");
            Ok((
                StatusCode::CREATED,
                Json(RatingView {
                    ticket: r.ticket_id,
                    dossier: None,
                    level: level.as_str(),
                    counter_code: r.counter.map(|n| counter_code(&ticket.branch, n)),
                    branch_code: r.branch,
                    officer: r.officer,
                    at: r.at,
                }),
            ))
        }
        (None, Some(code)) => {
            let actor = motcua_app::dossiers::writer(&principal)?;
            let record = motcua_app::dossiers::readable(&state, &principal, &code).await?;
            let now = Utc::now();
            let command = Command::Rate {
                satisfaction: level,
                criteria,
                comment,
            };
            let updated = ops::act(
                &*state.store,
                &state.lifecycle_on(&state.calendar()),
                &record.code,
                None,
                &command,
                &actor,
                now,
            )
            .await?;
            state.live.poke();
            Ok((
                StatusCode::CREATED,
                Json(RatingView {
                    ticket: None,
                    dossier: Some(updated.code.to_string()),
                    level: level.as_str(),
                    branch_code: updated.state.intake.branch.clone(),
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

/// How ratings are grouped in a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum By {
    Agency,
    Branch,
    Group,
    Counter,
    Officer,
    Day,
}

impl By {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            By::Agency => "agency",
            By::Branch => "branch",
            By::Group => "group",
            By::Counter => "counter",
            By::Officer => "officer",
            By::Day => "day",
        }
    }

    fn key(self, c: &RatingCount) -> Option<String> {
        match self {
            By::Agency => c.agency.clone(),
            By::Branch => c.branch.clone(),
            By::Group => Some(format!("{}/{}", c.branch.as_deref()?, c.group.as_deref()?)),
            By::Counter => Some(counter_code(c.branch.as_deref()?, c.counter?)),
            By::Officer => c.officer.clone(),
            By::Day => Some(c.day.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub(crate) struct SatisfactionRow {
    /// The agency code, branch code, `{branch}/{group}`, counter code, officer's username or
    /// day.
    pub(crate) key: String,
    /// A name for people: the agency's, branch's or officer's.
    pub(crate) label: String,
    pub(crate) very_satisfied: u64,
    pub(crate) satisfied: u64,
    pub(crate) dissatisfied: u64,
    pub(crate) total: u64,
    /// Share rating "very satisfied" or "satisfied", one decimal.
    pub(crate) satisfied_percent: Option<f64>,
    /// Average score (0–2, one decimal) per criterion scored.
    #[schema(value_type = Object)]
    pub(crate) criteria: BTreeMap<&'static str, f64>,
}

/// Names to show beside keys.
#[derive(Default)]
pub(crate) struct Labels {
    names: BTreeMap<String, String>,
}

impl Labels {
    pub(crate) async fn load(state: &App) -> Labels {
        let mut names = BTreeMap::new();
        if let Ok(agencies) = state.store.agencies().await {
            for a in agencies {
                names.insert(a.code.to_string(), a.name.clone());
            }
        }
        if let Ok(branches) = state.store.branches().await {
            for b in branches {
                for c in &b.counters {
                    names.insert(
                        counter_code(&b.code, c.number),
                        format!("{} — {}", b.name, c.label),
                    );
                }
                names.insert(b.code.clone(), b.name);
            }
        }
        if let Ok(users) = state.store.users().await {
            for u in users {
                names.insert(u.username, u.full_name);
            }
        }
        Labels { names }
    }

    fn of(&self, key: &str) -> String {
        self.names
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }
}

/// Adds up rating counts by `by`, most ratings first; the whole as the last row (`key` "*").
pub(crate) fn summarise(
    counts: &[RatingCount],
    by: By,
    labels: &Labels,
    lang: Lang,
) -> Vec<SatisfactionRow> {
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut all = Tally::default();
    for c in counts {
        let mut t = Tally::default();
        t.add_level(c.level, c.count);
        for (criterion, sum, n) in &c.criteria {
            t.add_criterion(*criterion, *sum, *n);
        }
        all.merge(&t);
        if let Some(key) = by.key(c) {
            tallies.entry(key).or_default().merge(&t);
        }
    }
    let row = |key: String, label: String, t: &Tally| SatisfactionRow {
        key,
        label,
        very_satisfied: t.very_satisfied,
        satisfied: t.satisfied,
        dissatisfied: t.dissatisfied,
        total: t.total(),
        satisfied_percent: t.satisfied_percent(),
        criteria: RatingCriterion::ALL
            .into_iter()
            .filter_map(|c| Some((c.as_str(), t.criterion_average(c)?)))
            .collect(),
    };
    let mut rows: Vec<SatisfactionRow> = tallies
        .iter()
        .map(|(k, t)| row(k.clone(), labels.of(k), t))
        .collect();
    if by != By::Day {
        rows.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.key.cmp(&b.key)));
    }
    rows.push(row("*".into(), Tr(lang).t("satisfaction-total"), &all));
    rows
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SatisfactionParams {
    /// First day (YYYY-MM-DD, Vietnam time), inclusive; today by default.
    from: Option<NaiveDate>,
    /// Last day, inclusive; `from` by default.
    to: Option<NaiveDate>,
    /// `agency` (default), `branch`, `group`, `counter`, `officer` or `day`.
    by: Option<By>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct SatisfactionView {
    from: NaiveDate,
    to: NaiveDate,
    by: &'static str,
    /// One row per key, most ratings first, and the total last (`key` `*`).
    rows: Vec<SatisfactionRow>,
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
        rows: summarise(&counts, by, &labels, lang),
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
    let summary = LiveSummary {
        day: r.day,
        agency: summarise(&r.rows, By::Agency, labels, lang),
        branch: summarise(&r.rows, By::Branch, labels, lang),
        counter: summarise(&r.rows, By::Counter, labels, lang),
        officer: summarise(&r.rows, By::Officer, labels, lang),
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

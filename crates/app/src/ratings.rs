//! Satisfaction ratings: given at a counter's tablet for a ticket, or online for a dossier
//! after its result; added up per officer, counter, group, branch and agency.

use motcua_domain::ids::CounterCode;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use motcua_domain::calendar::TZ;
use motcua_domain::ids::TicketId;
use motcua_domain::lifecycle::{Command, CriterionScore, RatingCriterion, Satisfaction};
use motcua_domain::rating::Tally;
use motcua_domain::role::Role;
use motcua_store::{Branch, DossierRecord, Rating, RatingCount, StoreError, Ticket, TicketStatus};

use crate::App;
use crate::error::{AppError, Kind};
use crate::principal::Principal;

/// The ticket or dossier has been rated already.
fn already() -> AppError {
    AppError::new(Kind::Conflict, "already_rated", "error-already-rated")
}

/// The level and criteria of a rating, checked.
pub fn parse_rating(
    level: &str,
    criteria: &BTreeMap<String, u8>,
) -> Result<(Satisfaction, Vec<CriterionScore>), AppError> {
    let level = Satisfaction::parse(level.trim())
        .ok_or_else(|| AppError::new(Kind::Invalid, "invalid_level", "error-invalid-level"))?;
    let mut scores = Vec::new();
    for (name, score) in criteria {
        let criterion = RatingCriterion::parse(name)
            .filter(|_| *score <= 2)
            .ok_or_else(|| AppError::new(Kind::Invalid, "invalid_score", "error-invalid-score"))?;
        scores.push(CriterionScore {
            criterion,
            score: *score,
        });
    }
    Ok((level, scores))
}

/// Records a rating of ticket `ticket`, served at `branch`, given at its counter's tablet by
/// `by`.
pub async fn rate_ticket(
    state: &App,
    branch: &Branch,
    ticket: &Ticket,
    level: Satisfaction,
    criteria: &[CriterionScore],
    comment: Option<String>,
    by: &str,
) -> Result<Rating, AppError> {
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
    let rating = match state
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
        .await
    {
        Ok(r) => r,
        Err(StoreError::Duplicate(_)) => return Err(already()),
        Err(e) => return Err(e.into()),
    };
    state.live.poke();
    Ok(rating)
}

/// A reception officer of the branch's agency rates ticket `id` at the counter's tablet, while
/// or after it is served the same day; the rating and the ticket.
pub async fn rate_ticket_as(
    app: &App,
    principal: &Principal,
    id: TicketId,
    level: Satisfaction,
    criteria: &[CriterionScore],
    comment: Option<String>,
) -> Result<(Rating, Ticket), AppError> {
    let user = match principal {
        Principal::Staff(u) => u,
        Principal::Anonymous => return Err(AppError::unauthenticated()),
        _ => return Err(AppError::forbidden()),
    };
    let ticket = app
        .store
        .ticket(id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let branch = crate::floor::branch(app, &ticket.branch).await?;
    if user.role != Role::Reception || !user.agency.is_some_and(|a| a.covers(&branch.agency)) {
        return Err(AppError::forbidden());
    }
    if !ratable(&ticket) {
        return Err(AppError::new(
            Kind::Conflict,
            "not_served",
            "error-not-served",
        ));
    }
    let rating = rate_ticket(
        app,
        &branch,
        &ticket,
        level,
        criteria,
        comment,
        &user.username,
    )
    .await?;
    Ok((rating, ticket))
}

/// Whether a ticket can be rated now: called or served today (not a no-show).
pub fn ratable(t: &Ticket) -> bool {
    matches!(t.status, TicketStatus::Called | TicketStatus::Done)
        && t.day == Utc::now().with_timezone(&TZ).date_naive()
}

/// How ratings are grouped in a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    Agency,
    Branch,
    Group,
    Counter,
    Officer,
    Day,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SatisfactionRow {
    /// The agency code, branch code, `{branch}/{group}`, counter code, officer's username or
    /// day.
    pub key: String,
    /// A name for people: the agency's, branch's or officer's.
    pub label: String,
    pub very_satisfied: u64,
    pub satisfied: u64,
    pub dissatisfied: u64,
    pub total: u64,
    /// Share rating "very satisfied" or "satisfied", one decimal.
    pub satisfied_percent: Option<f64>,
    /// Average score (0–2, one decimal) per criterion scored.
    pub criteria: BTreeMap<&'static str, f64>,
}

/// Names to show beside keys.
#[derive(Default)]
pub struct Labels {
    names: BTreeMap<String, String>,
}

/// Adds up rating counts by `by`, most ratings first; then the ratings of no such place or
/// person (given online; `key` "online"); the whole as the last row (`key` "*").
pub fn summarise(
    counts: &[RatingCount],
    by: By,
    labels: &Labels,
    words: &RowWords,
) -> Vec<SatisfactionRow> {
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut online = Tally::default();
    let mut all = Tally::default();
    for c in counts {
        let mut t = Tally::default();
        t.add_level(c.level, c.count);
        for (criterion, sum, n) in &c.criteria {
            t.add_criterion(*criterion, *sum, *n);
        }
        all.merge(&t);
        match by.key(c) {
            Some(key) => tallies.entry(key).or_default().merge(&t),
            None => online.merge(&t),
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
    // Ratings given online belong to no branch, counter or officer: their own row, so the
    // rows add up to the total.
    if online.total() > 0 {
        rows.push(row("online".into(), words.online.clone(), &online));
    }
    rows.push(row("*".into(), words.total.clone(), &all));
    rows
}

/// The words of the rows that are not a place or a person, in the reader's language.
#[derive(Debug, Clone)]
pub struct RowWords {
    /// "Tổng cộng".
    pub total: String,
    /// "Trực tuyến": ratings given online, of no branch, counter or officer.
    pub online: String,
}

impl By {
    pub fn as_str(self) -> &'static str {
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
            By::Branch => c.branch.as_ref().map(ToString::to_string),
            By::Group => Some(format!("{}/{}", c.branch.as_deref()?, c.group.as_deref()?)),
            By::Counter => Some(CounterCode::new(c.branch.as_deref()?, c.counter?).to_string()),
            By::Officer => c.officer.clone(),
            By::Day => Some(c.day.to_string()),
        }
    }
}

impl Labels {
    pub async fn load(state: &App) -> Labels {
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
                        CounterCode::new(&b.code, c.number).to_string(),
                        format!("{} — {}", b.name, c.label),
                    );
                }
                names.insert(b.code.to_string(), b.name);
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

/// The applicant rates their dossier after its result (the dossier's `rate` action); the
/// rating reaches the live summaries within a second.
pub async fn rate_dossier(
    app: &App,
    principal: &Principal,
    code: &str,
    level: Satisfaction,
    criteria: Vec<CriterionScore>,
    comment: Option<String>,
    now: DateTime<Utc>,
) -> Result<DossierRecord, AppError> {
    let actor = crate::dossiers::writer(principal)?;
    let record = crate::dossiers::readable(app, principal, code).await?;
    let command = Command::Rate {
        satisfaction: level,
        criteria,
        comment,
    };
    let updated = crate::dossiers::act(app, &actor, &record, None, &command, now).await?;
    app.live.poke();
    Ok(updated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_store::RatingCount;

    fn count(branch: Option<&str>, level: Satisfaction, n: u64) -> RatingCount {
        RatingCount {
            day: chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            branch: branch.map(Into::into),
            group: None,
            counter: None,
            officer: None,
            agency: Some("000.00.01.H22".into()),
            level,
            count: n,
            criteria: Vec::new(),
        }
    }

    #[test]
    fn online_ratings_have_their_own_row_and_the_rows_add_up() {
        let counts = [
            count(Some("HQ"), Satisfaction::VerySatisfied, 4),
            count(Some("HONGGAI"), Satisfaction::Satisfied, 3),
            count(None, Satisfaction::Dissatisfied, 1),
        ];
        let words = RowWords {
            total: "Tổng cộng".into(),
            online: "Trực tuyến".into(),
        };
        let labels = Labels {
            names: BTreeMap::new(),
        };
        let rows = summarise(&counts, By::Branch, &labels, &words);
        let keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["HQ", "HONGGAI", "online", "*"]);
        let parts: u64 = rows[..3].iter().map(|r| r.total).sum();
        assert_eq!(parts, rows[3].total);
        assert_eq!(rows[2].label, "Trực tuyến");
        // By agency every rating has a place: no online row.
        let rows = summarise(&counts, By::Agency, &labels, &words);
        assert_eq!(rows.len(), 2);
    }
}

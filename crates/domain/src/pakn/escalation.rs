//! Escalation rules as data: "a petition in state S whose step is overdue by N working days:
//! alert the officers of role R, or give it to another agency". A province sets its own rules
//! (`submitted+1:notify=leader,accepted+5:reassign=parent`); the deadline watcher applies
//! them. Alerts are raised once per rule and due instant; a reassignment happens once per rule
//! and due instant too, recorded as an event of the petition.

use chrono::{DateTime, Utc};

use super::{PaknEvent, PaknState, Petition};
use crate::calendar::WorkingCalendar;
use crate::ids::AgencyCode;
use crate::role::Role;

/// Where a rule gives a petition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The agency above the one handling it.
    Parent,
    Agency(AgencyCode),
}

impl Target {
    /// The agency a petition with `from` goes to; none when `from` has no agency above.
    pub fn resolve(self, from: AgencyCode) -> Option<AgencyCode> {
        match self {
            Target::Parent => from.parent(),
            Target::Agency(a) => Some(a),
        }
    }
}

/// What a rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleAction {
    /// Alert the officers of this role of the agency handling it (leaders and supervisors: of
    /// every agency above it too).
    Notify(Role),
    Reassign(Target),
}

/// One rule: in `state`, overdue by `overdue_by` working days (0: as soon as it is overdue).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub state: PaknState,
    pub overdue_by: u32,
    pub action: RuleAction,
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}+{}:", self.state.as_str(), self.overdue_by)?;
        match self.action {
            RuleAction::Notify(role) => write!(f, "notify={}", role.as_str()),
            RuleAction::Reassign(Target::Parent) => write!(f, "reassign=parent"),
            RuleAction::Reassign(Target::Agency(a)) => write!(f, "reassign={a}"),
        }
    }
}

impl Rule {
    /// When a petition whose step was due at `due_at` falls under the rule.
    pub fn fires_at(&self, due_at: DateTime<Utc>, cal: &WorkingCalendar) -> DateTime<Utc> {
        cal.working_days_after(due_at, self.overdue_by)
    }
}

/// A set of rules that does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "escalation rules are `id:state+days:notify=role,state+days:reassign=parent|agency code` (states submitted, accepted, answered; roles reception, specialist, approver, leader, supervisor); got {0:?}"
)]
pub struct EscalationError(pub String);

/// A versioned set of escalation rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    pub id: String,
    pub rules: Vec<Rule>,
}

/// The rules unless a province sets its own: the officers who should act are alerted as soon
/// as a step is overdue, their leaders two working days later. Nothing is reassigned unless a
/// province says so.
const DEFAULT: &str = "default-2026:submitted+0:notify=reception,accepted+0:notify=specialist,\
     answered+0:notify=approver,submitted+2:notify=leader,accepted+2:notify=leader,\
     answered+2:notify=leader";

impl Default for Escalation {
    fn default() -> Escalation {
        Escalation::parse(DEFAULT).unwrap_or_else(|_| Escalation {
            id: "none".into(),
            rules: Vec::new(),
        })
    }
}

impl Escalation {
    /// `id:rule,rule…`, each rule `state+days:notify=role` or `state+days:reassign=target`
    /// (`parent` or an agency code); `id:` alone sets no rule.
    pub fn parse(s: &str) -> Result<Escalation, EscalationError> {
        let bad = || EscalationError(s.chars().take(200).collect());
        let (id, list) = s.trim().split_once(':').unwrap_or((s.trim(), ""));
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err(bad());
        }
        let mut rules = Vec::new();
        for text in list.split(',').map(str::trim).filter(|r| !r.is_empty()) {
            let (when, what) = text.split_once(':').ok_or_else(bad)?;
            let (state, days) = when.split_once('+').ok_or_else(bad)?;
            let state = PaknState::parse(state.trim())
                .filter(|s| {
                    matches!(
                        s,
                        PaknState::Submitted | PaknState::Accepted | PaknState::Answered
                    )
                })
                .ok_or_else(bad)?;
            let overdue_by: u32 = days
                .trim()
                .parse()
                .ok()
                .filter(|d| *d <= 365)
                .ok_or_else(bad)?;
            let action = match what.trim().split_once('=').ok_or_else(bad)? {
                ("notify", role) => {
                    let role: Role = role.trim().parse().map_err(|_| bad())?;
                    if !role.is_staff() || role == Role::Administrator {
                        return Err(bad());
                    }
                    RuleAction::Notify(role)
                }
                ("reassign", "parent") => RuleAction::Reassign(Target::Parent),
                ("reassign", code) => RuleAction::Reassign(Target::Agency(
                    AgencyCode::parse(code.trim()).map_err(|_| bad())?,
                )),
                _ => return Err(bad()),
            };
            rules.push(Rule {
                state,
                overdue_by,
                action,
            });
        }
        Ok(Escalation {
            id: id.to_string(),
            rules,
        })
    }

    /// The rules a petition in `state`, its step due at `due_at`, falls under at `now`.
    pub fn due<'a>(
        &'a self,
        state: PaknState,
        due_at: DateTime<Utc>,
        now: DateTime<Utc>,
        cal: &'a WorkingCalendar,
    ) -> impl Iterator<Item = &'a Rule> + 'a {
        self.rules
            .iter()
            .filter(move |r| r.state == state && r.fires_at(due_at, cal) < now)
    }
}

/// The event giving petition `p` to agency `to` under `rule` at `now`: none when it is not
/// overdue in the rule's state, the rule already reassigned it for this due instant, or it is
/// with `to` already.
pub fn reassignment(
    p: &Petition,
    rule: &Rule,
    due_at: DateTime<Utc>,
    to: AgencyCode,
    now: DateTime<Utc>,
) -> Option<PaknEvent> {
    let name = rule.to_string();
    let done = p.reassigned.iter().any(|(r, d)| *r == name && *d == due_at);
    (p.state == rule.state && !done && p.agency != to).then_some(PaknEvent::Reassigned {
        to,
        rule: name,
        due_at,
        at: now,
    })
}

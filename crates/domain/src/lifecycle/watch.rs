//! Watching deadlines: which alerts a dossier deserves at an instant, and the apology with a
//! new appointment the centre owes for a late dossier. Pure: the server's job asks, stores
//! and notifies.

use chrono::{DateTime, Duration, Utc};

use super::{Command, Dossier, Lifecycle, Status};
use crate::Lang;
use crate::calendar::ProcessingTime;
use crate::lang::pick;

/// What the watcher tells about a dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Alert {
    /// The appointment is within the warning window.
    DueSoon,
    /// The appointment has passed without a result.
    Overdue,
    /// The current step's budget runs out within the warning window.
    StepDueSoon,
    /// The current step has used up its budget.
    StepOverdue,
    /// The fee was paid beyond what the dossier owes: reception refunds the excess.
    Overpaid,
}

impl Alert {
    pub const ALL: [Alert; 5] = [
        Alert::DueSoon,
        Alert::Overdue,
        Alert::StepDueSoon,
        Alert::StepOverdue,
        Alert::Overpaid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Alert::DueSoon => "due_soon",
            Alert::Overdue => "overdue",
            Alert::StepDueSoon => "step_due_soon",
            Alert::StepOverdue => "step_overdue",
            Alert::Overpaid => "overpaid",
        }
    }

    pub fn parse(s: &str) -> Option<Alert> {
        Alert::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Whether leaders hear of it too (escalation), not only the people holding the dossier.
    pub fn escalates(self) -> bool {
        matches!(self, Alert::Overdue | Alert::StepOverdue)
    }

    pub fn label(self, lang: Lang) -> String {
        match self {
            Alert::DueSoon => pick(lang, "Sắp đến hạn trả kết quả", "Result due soon"),
            Alert::Overdue => pick(lang, "Quá hạn trả kết quả", "Result overdue"),
            Alert::StepDueSoon => pick(lang, "Bước xử lý sắp hết hạn", "Step due soon"),
            Alert::StepOverdue => pick(lang, "Bước xử lý quá hạn", "Step overdue"),
            Alert::Overpaid => pick(
                lang,
                "Nộp thừa phí, lệ phí: cần hoàn trả",
                "Fee overpaid: to refund",
            ),
        }
    }
}

/// How the watcher judges deadlines (configurable per centre).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchPolicy {
    /// Working hours before a due instant at which "due soon" starts.
    pub warn_hours: u32,
    /// The new appointment set for a late dossier, counted from the moment of the apology.
    pub reappoint_after: ProcessingTime,
}

impl Default for WatchPolicy {
    fn default() -> Self {
        WatchPolicy {
            warn_hours: 8,
            reappoint_after: ProcessingTime::WorkingDays(5),
        }
    }
}

impl Lifecycle<'_> {
    /// The alerts a dossier deserves at `now`, with the due instant each is about (an alert is
    /// raised once per due instant: a new appointment or step raises it afresh).
    pub fn alerts(
        &self,
        d: &Dossier,
        now: DateTime<Utc>,
        policy: &WatchPolicy,
    ) -> Vec<(Alert, DateTime<Utc>)> {
        let mut out = Vec::new();
        if !d.clock_runs() {
            return out;
        }
        let warn = Duration::hours(i64::from(policy.warn_hours));
        let judge = |due: DateTime<Utc>, soon: Alert, late: Alert| {
            if due <= now {
                Some((late, due))
            } else if self.calendar.working_time_between(now, due) <= warn {
                Some((soon, due))
            } else {
                None
            }
        };
        if let Some(due) = d.due_at {
            out.extend(judge(due, Alert::DueSoon, Alert::Overdue));
        }
        if d.status == Status::InProcessing
            && let Some(due) = d.step_due_at
        {
            out.extend(judge(due, Alert::StepDueSoon, Alert::StepOverdue));
        }
        out
    }

    /// The first instant after `now` at which [`Lifecycle::alerts`] or
    /// [`Lifecycle::late_apology`] could answer differently for this state: when a deadline
    /// enters the warning window or passes. `None` when nothing more can
    /// happen without a new event. A watcher that looked at the dossier at `now` need not
    /// look again before then.
    pub fn next_watch(
        &self,
        d: &Dossier,
        now: DateTime<Utc>,
        policy: &WatchPolicy,
    ) -> Option<DateTime<Utc>> {
        if !d.clock_runs() {
            return None;
        }
        let warn = Duration::hours(i64::from(policy.warn_hours));
        // The appointment is owed an apology just after it passes, once; a step is not.
        let deadlines = [
            d.due_at.map(|due| (due, d.original_due_at.is_none())),
            d.step_due_at
                .filter(|_| d.status == Status::InProcessing)
                .map(|due| (due, false)),
        ];
        // A deadline changes things when its warning window opens, at the deadline (the alert
        // turns to "overdue") and, for an appointment not yet re-appointed, just after (the
        // dossier is late and the apology is owed).
        let mut moments = Vec::new();
        for (due, apology) in deadlines.into_iter().flatten() {
            moments.push(due);
            if apology {
                moments.push(due + Duration::milliseconds(1));
            }
            if due > now && self.calendar.working_time_between(now, due) > warn {
                // The window opens at the first instant from which at most `warn` of working
                // time is left.
                moments.push(self.calendar.working_time_before(due, warn));
            }
        }
        moments.into_iter().filter(|t| *t > now).min()
    }

    /// The apology and new appointment owed for a dossier that is late and has not been
    /// re-appointed yet (the law allows one re-appointment).
    pub fn late_apology(
        &self,
        d: &Dossier,
        now: DateTime<Utc>,
        policy: &WatchPolicy,
    ) -> Option<Command> {
        if !d.is_overdue(now) || d.original_due_at.is_some() {
            return None;
        }
        let due = d.due_at?;
        let new_due_at = self.calendar.due(now, policy.reappoint_after);
        (new_due_at > due).then(|| Command::Reappoint {
            new_due_at,
            reason: "Hồ sơ chưa được giải quyết đúng hạn hẹn trả kết quả; cơ quan giải quyết \
                     xin lỗi và hẹn lại ngày trả kết quả."
                .to_string(),
        })
    }
}

//! What the lifecycle needs to know of a procedure: its time limit, how the clock treats a
//! supplement request, and its workflow steps. The full catalog record (fees, documents,
//! legal basis, form schema) lives with the catalog; a dossier keeps a copy of these rules as
//! they were when it was received, so later catalog changes never rewrite its deadline.

use crate::calendar::ProcessingTime;
use crate::ids::{AgencyCode, ProcedureCode};
use crate::role::Role;

/// How the clock treats time spent waiting for the applicant's supplement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplementClock {
    /// The time limit restarts from zero once the complete dossier is received
    /// (Decree 61/2018 art. 19(4)).
    #[default]
    Restart,
    /// The clock pauses while the applicant supplements and resumes with the time that was
    /// left (how the Decision 766 on-time indicator counts it).
    Pause,
}

/// One step of a procedure's workflow: who owns it and how much of the limit it may take.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StepPlan {
    pub name: String,
    /// The agency that performs the step; `None` means the dossier's competent agency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<AgencyCode>,
    pub role: Role,
    /// The step's budget in working hours.
    pub budget_hours: u32,
}

/// The rules of a procedure that a dossier carries with it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProcedureRules {
    pub code: ProcedureCode,
    pub processing_time: ProcessingTime,
    pub supplement_clock: SupplementClock,
    /// Fee (VND) to be paid before the dossier may be received; 0 when none is asked in
    /// advance. Online filing sets it from the online method's fee.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub prepaid_fee: i64,
    pub steps: Vec<StepPlan>,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

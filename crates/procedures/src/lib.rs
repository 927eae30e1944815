//! The catalog's records: a procedure as published (thủ tục hành chính), with its ways of
//! filing, required documents, legal basis and provenance. Plain data shared by the catalog
//! exchange, the search index, the store and the pages; it does no I/O.

use motcua_domain::calendar::ProcessingTime;
use motcua_domain::ids::{AgencyCode, ProcedureCode};
use motcua_domain::procedure::{ProcedureRules, StepPlan, SupplementClock};
use serde::{Deserialize, Serialize};

/// Online service level of a procedure (Decree 42/2022: full-process or partial).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnlineLevel {
    /// Toàn trình: filed, processed and returned entirely online.
    Full,
    /// Một phần.
    Partial,
    /// Only at the counter or by post.
    None,
}

impl OnlineLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            OnlineLevel::Full => "full",
            OnlineLevel::Partial => "partial",
            OnlineLevel::None => "none",
        }
    }
}

/// A way to file, with its own time limit and fee as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmissionMethod {
    /// As published: "Trực tiếp", "Trực tuyến", "Dịch vụ bưu chính".
    pub method: String,
    pub time_limit_text: String,
    pub processing_time: Option<ProcessingTime>,
    pub fee_text: String,
    /// Fee in đồng when the published text states one amount.
    pub fee_vnd: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequiredDocument {
    pub name: String,
    pub originals: Option<u32>,
    pub copies: Option<u32>,
    /// File name of the template form, when published.
    pub template: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalBasis {
    pub number: String,
    pub title: String,
}

/// Where a catalog record came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    pub document: String,
    pub url: String,
}

/// A procedure of the catalog (thủ tục hành chính).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Procedure {
    pub code: ProcedureCode,
    pub name: String,
    pub name_en: Option<String>,
    pub decision: Option<String>,
    /// Lĩnh vực.
    pub field: String,
    /// As published: "Cấp Tỉnh", "Cấp Xã", …
    pub level: String,
    /// The implementing agency in this catalog.
    pub agency: AgencyCode,
    /// The implementing and competent bodies as published (which may name a kind of body,
    /// such as "Ủy ban nhân dân cấp xã", rather than one agency).
    pub implementing_body: String,
    pub competent_body: String,
    pub online_level: OnlineLevel,
    pub processing_time: Option<ProcessingTime>,
    pub supplement_clock: SupplementClock,
    pub steps: Vec<StepPlan>,
    pub methods: Vec<SubmissionMethod>,
    pub documents: Vec<RequiredDocument>,
    pub conditions: Option<String>,
    pub result: Option<String>,
    pub target_subjects: Option<String>,
    pub legal_basis: Vec<LegalBasis>,
    /// JSON Schema of the online form.
    pub form_schema: serde_json::Value,
    pub provenance: Option<Provenance>,
    /// Fields the source does not give, named, rather than invented.
    pub missing: Vec<String>,
}

impl Procedure {
    /// The rules a dossier carries; `None` when the procedure has no time limit to count.
    pub fn rules(&self) -> Option<ProcedureRules> {
        Some(ProcedureRules {
            code: self.code,
            processing_time: self.processing_time?,
            supplement_clock: self.supplement_clock,
            prepaid_fee: 0,
            steps: self.steps.clone(),
        })
    }
}

/// The list view of a procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureSummary {
    pub code: ProcedureCode,
    pub name: String,
    pub field: String,
    pub level: String,
    pub agency_code: AgencyCode,
    pub online_level: OnlineLevel,
    pub processing_time: Option<ProcessingTime>,
}

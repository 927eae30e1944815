//! Reads procedure records exported from the National Public Service Portal (the shape of
//! `fixtures/catalog/tthc-national-sample-207.json`) into catalog procedures. Published
//! fields are kept as published; what the record lacks is named in `missing`.

use motcua_domain::calendar::ProcessingTime;
use motcua_domain::ids::{AgencyCode, ProcedureCode};
use motcua_domain::procedure::{StepPlan, SupplementClock};
use motcua_domain::role::Role;
use motcua_procedures::{
    LegalBasis, OnlineLevel, Procedure, Provenance, RequiredDocument, SubmissionMethod,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Record {
    code: String,
    name: String,
    #[serde(default)]
    decision: String,
    level: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    target_subjects: String,
    #[serde(default)]
    implementing_agency: String,
    #[serde(default)]
    competent_agency: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    conditions: String,
    #[serde(default)]
    submission_methods: Vec<Method>,
    #[serde(default)]
    documents: Vec<Document>,
    #[serde(default)]
    legal_basis: Vec<Legal>,
    #[serde(default)]
    source_document: String,
    #[serde(default)]
    source_url: String,
}

#[derive(Deserialize)]
struct Method {
    method: String,
    #[serde(default)]
    time_limit_text: String,
    time_limit_value: Option<f64>,
    #[serde(default)]
    time_limit_unit: String,
    #[serde(default)]
    fee_text: String,
}

#[derive(Deserialize)]
struct Document {
    name: String,
    #[serde(default)]
    form_file: String,
    #[serde(default)]
    copies: String,
}

#[derive(Deserialize)]
struct Legal {
    #[serde(default)]
    number: String,
    #[serde(default)]
    title: String,
}

/// Why the export could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("not a list of procedure records: {0}")]
    Json(#[from] serde_json::Error),
    #[error("record {index}: {code:?} is not a national procedure code")]
    Code { index: usize, code: String },
}

/// The agencies procedures are attached to, by level.
pub struct CatalogAgencies {
    pub province: AgencyCode,
    pub military_command: AgencyCode,
    pub inspectorate: AgencyCode,
    pub ministry: AgencyCode,
}

fn limit(m: &Method) -> Option<ProcessingTime> {
    let v = m
        .time_limit_value
        .filter(|v| v.fract() == 0.0 && *v >= 0.0 && *v < 10_000.0)? as u32;
    match m.time_limit_unit.as_str() {
        "working_day" => Some(ProcessingTime::WorkingDays(v)),
        "calendar_day" => Some(ProcessingTime::CalendarDays(v)),
        // "0 Giờ" appears in the export: no limit to count, so treated as missing.
        "hour" if v > 0 => Some(ProcessingTime::WorkingHours(v)),
        _ => None,
    }
}

/// The amount of a fee text such as "Phí : 2.000.000 Đồng (…)"; `Some(0)` for "Không".
fn fee_amount(text: &str) -> Option<i64> {
    let after = text.split_once(':')?.1;
    let amount = after.split("Đồng").next()?.trim();
    if amount.eq_ignore_ascii_case("không") || amount == "Không" {
        return Some(0);
    }
    let digits: String = amount.chars().filter(|c| *c != '.').collect();
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) && after.contains("Đồng"))
        .then(|| digits.parse().ok())
        .flatten()
}

/// "Bản chính: 1\nBản sao: 0" → (Some(1), Some(0)).
fn copies(text: &str) -> (Option<u32>, Option<u32>) {
    let find = |label: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(label))
            .and_then(|rest| rest.trim_start_matches(':').trim().parse().ok())
    };
    (find("Bản chính"), find("Bản sao"))
}

fn hours(limit: ProcessingTime) -> u32 {
    match limit {
        ProcessingTime::WorkingDays(d) | ProcessingTime::CalendarDays(d) => d * 8,
        ProcessingTime::WorkingHours(h) => h,
    }
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Converts the portal export; every record must have a valid national code.
pub fn procedures(json: &str, agencies: &CatalogAgencies) -> Result<Vec<Procedure>, PortalError> {
    let records: Vec<Record> = serde_json::from_str(json)?;
    records
        .into_iter()
        .enumerate()
        .map(|(index, r)| {
            let code = ProcedureCode::parse(&r.code).map_err(|_| PortalError::Code { index, code: r.code.chars().take(40).collect() })?;
            let mut missing = vec!["name_en".to_string(), "form_schema".to_string(), "workflow".to_string()];
            let agency = if r.level.contains("Cấp Xã") {
                agencies.province
            } else if r.level.contains("Cấp Tỉnh") {
                if r.implementing_agency.to_lowercase().contains("thanh tra") {
                    agencies.inspectorate
                } else {
                    agencies.military_command
                }
            } else {
                agencies.ministry
            };
            let methods: Vec<SubmissionMethod> = r
                .submission_methods
                .iter()
                .map(|m| SubmissionMethod {
                    method: m.method.clone(),
                    time_limit_text: m.time_limit_text.clone(),
                    processing_time: limit(m),
                    fee_text: m.fee_text.clone(),
                    fee_vnd: fee_amount(&m.fee_text),
                })
                .collect();
            let processing_time = methods.iter().find_map(|m| m.processing_time);
            if processing_time.is_none() {
                missing.push("processing_time".into());
            }
            if methods.iter().all(|m| m.fee_vnd.is_none()) {
                missing.push("fees".into());
            }
            let online = r.submission_methods.iter().any(|m| m.method == "Trực tuyến");
            missing.push("online_level".into());
            let steps = processing_time
                .map(|t| {
                    let total = hours(t).max(2);
                    let appraisal = (total * 6 / 10).max(1);
                    vec![
                        StepPlan { name: "Thẩm định hồ sơ".into(), agency: None, role: Role::Specialist, budget_hours: appraisal },
                        StepPlan { name: "Phê duyệt, ký kết quả".into(), agency: None, role: Role::Approver, budget_hours: total - appraisal },
                    ]
                })
                .unwrap_or_default();
            for (field, value) in [("conditions", &r.conditions), ("result", &r.result), ("target_subjects", &r.target_subjects), ("decision", &r.decision)] {
                if value.trim().is_empty() {
                    missing.push(field.into());
                }
            }
            if r.documents.is_empty() {
                missing.push("documents".into());
            }
            if r.legal_basis.is_empty() {
                missing.push("legal_basis".into());
            }
            Ok(Procedure {
                code,
                name: r.name.trim().to_string(),
                name_en: None,
                decision: opt(&r.decision),
                field: opt(&r.field).unwrap_or_else(|| "Chưa phân loại".into()),
                level: r.level.clone(),
                agency,
                implementing_body: r.implementing_agency.trim().to_string(),
                competent_body: r.competent_agency.trim().to_string(),
                online_level: if online { OnlineLevel::Partial } else { OnlineLevel::None },
                processing_time,
                supplement_clock: SupplementClock::Restart,
                steps,
                methods,
                documents: r
                    .documents
                    .iter()
                    .map(|d| {
                        let (originals, copies) = copies(&d.copies);
                        RequiredDocument { name: d.name.trim().to_string(), originals, copies, template: opt(&d.form_file) }
                    })
                    .collect(),
                conditions: opt(&r.conditions),
                result: opt(&r.result),
                target_subjects: opt(&r.target_subjects),
                legal_basis: r.legal_basis.iter().map(|l| LegalBasis { number: l.number.trim().into(), title: l.title.trim().into() }).collect(),
                form_schema: serde_json::json!({
                    "type": "object",
                    "properties": {"ghi_chu": {"type": "string", "title": "Nội dung đề nghị", "maxLength": 2000}}
                }),
                provenance: Some(Provenance { document: r.source_document, url: r.source_url }),
                missing,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fees_and_copies_as_published() {
        assert_eq!(fee_amount("Phí : 0 Đồng"), Some(0));
        assert_eq!(
            fee_amount("Phí : 2.000.000 Đồng (Thẩm định cấp phép)"),
            Some(2_000_000)
        );
        assert_eq!(fee_amount("Phí : Không Đồng"), Some(0));
        assert_eq!(fee_amount("Lệ phí : 1.5 USD"), None);
        assert_eq!(fee_amount("Phí : Mức thu bằng 50% mức thu"), None);
        assert_eq!(fee_amount(""), None);
        assert_eq!(copies("Bản chính: 1\nBản sao: 0"), (Some(1), Some(0)));
        assert_eq!(copies(""), (None, None));
    }

    #[test]
    fn converts_every_shipped_record() {
        let a = |s: &str| AgencyCode::parse(s).unwrap();
        let agencies = CatalogAgencies {
            province: a("000.00.00.H22"),
            military_command: a("000.00.20.H22"),
            inspectorate: a("000.00.15.H22"),
            ministry: a("000.00.00.G01"),
        };
        let all = procedures(
            include_str!("../../../fixtures/catalog/tthc-national-sample-207.json"),
            &agencies,
        )
        .unwrap();
        assert_eq!(all.len(), 207);
        let first = all
            .iter()
            .find(|p| p.code.to_string() == "1.013124")
            .unwrap();
        assert_eq!(first.processing_time, Some(ProcessingTime::WorkingDays(30)));
        assert_eq!(first.agency, agencies.ministry);
        assert_eq!(first.documents[1].template.as_deref(), Some("5-PHLCII.doc"));
        let commune = all
            .iter()
            .find(|p| p.code.to_string() == "1.013128")
            .unwrap();
        assert_eq!(
            (commune.agency, commune.processing_time),
            (agencies.province, Some(ProcessingTime::WorkingDays(7)))
        );
        assert!(all.iter().all(|p| {
            p.provenance
                .as_ref()
                .is_some_and(|s| s.url.starts_with("https://github.com/nhdandz/"))
        }));
        let untimed = all.iter().filter(|p| p.processing_time.is_none()).count();
        assert!(
            untimed > 0 && untimed < 40,
            "{untimed} without a time limit"
        );
    }
}

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

impl RequiredDocument {
    /// The case the document belongs to and its own name. The national portal lists the
    /// documents of each case (who files, which situation) under a heading; the catalog keeps
    /// the heading in front of the name as "[heading] name".
    pub fn case_and_name(&self) -> (Option<&str>, &str) {
        let name = self.name.trim();
        if let Some(rest) = name.strip_prefix('[')
            && let Some((case, name)) = rest.split_once("] ")
            && !case.trim().is_empty()
        {
            return (Some(case.trim()), name.trim());
        }
        (None, name)
    }

    /// What the entry asks of the applicant, read from its heading and wording: a note or a
    /// lead-in ("… các giấy tờ sau:") asks nothing; a paper to show ("Giấy tờ phải xuất
    /// trình") is shown, not filed; an entry for a case ("Trường hợp …", "Đối với …", "… trong
    /// trường hợp …") or with a condition ("nếu …") in its first clause is filed when it
    /// applies; any other entry is always filed.
    pub fn role(&self) -> DocumentRole {
        let (case, name) = self.case_and_name();
        let case = case.unwrap_or_default().to_lowercase();
        let plain = name
            .trim_start_matches(['-', '+', '*', '•', ' '])
            .trim()
            .to_lowercase();
        // The condition is read in the entry's first clause; what follows a ";" is an
        // alternative ("Giấy chứng sinh; trường hợp không có … thì …"), not a condition.
        let first = plain.split([';', '.']).next().unwrap_or_default();
        let conditional = first.starts_with("trường hợp")
            || first.starts_with("đối với")
            || first.contains("trong trường hợp")
            || first.contains("nếu ")
            || first.contains("(nếu");
        if case.contains("lưu ý") || case.contains("ghi chú") || plain.ends_with(':') {
            DocumentRole::Note
        } else if case.contains("xuất trình") {
            DocumentRole::ToShow
        } else if conditional {
            DocumentRole::WhenItApplies
        } else {
            DocumentRole::ToFile
        }
    }
}

/// What an entry of a procedure's document list asks of the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentRole {
    /// Filed with every dossier.
    ToFile,
    /// Filed in the case it names, or when its condition holds.
    WhenItApplies,
    /// Shown (the original) when filing or collecting the result; not filed.
    ToShow,
    /// Guidance, not a document.
    Note,
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
    /// The way of filing online ("Trực tuyến"), when the source lists one.
    pub fn online_method(&self) -> Option<&SubmissionMethod> {
        self.methods
            .iter()
            .find(|m| m.method.to_lowercase().contains("trực tuyến"))
    }

    /// The way of filing in person ("Trực tiếp"), else the first the source lists.
    pub fn in_person_method(&self) -> Option<&SubmissionMethod> {
        self.methods
            .iter()
            .find(|m| m.method.starts_with("Trực tiếp"))
            .or(self.methods.first())
    }

    /// The method a dossier filed on `channel` follows.
    pub fn method_for(
        &self,
        channel: motcua_domain::lifecycle::Channel,
    ) -> Option<&SubmissionMethod> {
        match channel {
            motcua_domain::lifecycle::Channel::Online => self.online_method(),
            _ => self.in_person_method(),
        }
    }

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

    /// Records that the time limit was decided (by a reviewed table or an administrator), not
    /// published: `missing` then names `processing_time_unit`, and the page says so.
    pub fn mark_limit_decided(&mut self) {
        for m in self.missing.iter_mut().filter(|m| *m == "processing_time") {
            *m = "processing_time_unit".into();
        }
    }

    /// The required documents grouped by case, in the order the source first names each case;
    /// within a case, each document with its position in `documents`, shown once when the
    /// source repeats it (same name and counts).
    pub fn documents_by_case(&self) -> Vec<DocumentCase<'_>> {
        let mut cases: Vec<DocumentCase<'_>> = Vec::new();
        for (i, d) in self.documents.iter().enumerate() {
            let (case, name) = d.case_and_name();
            let at = match cases.iter().position(|c| c.case == case) {
                Some(at) => at,
                None => {
                    cases.push(DocumentCase {
                        case,
                        documents: Vec::new(),
                    });
                    cases.len() - 1
                }
            };
            let group = &mut cases[at].documents;
            let same = |(_, n, o): &(usize, &str, &RequiredDocument)| {
                *n == name && (o.originals, o.copies) == (d.originals, d.copies)
            };
            if !group.iter().any(same) {
                group.push((i, name, d));
            }
        }
        cases
    }
}

/// The documents of one case of a procedure: (position in the procedure's list, name without
/// the case, the document).
#[derive(Debug, PartialEq, Eq)]
pub struct DocumentCase<'a> {
    pub case: Option<&'a str>,
    pub documents: Vec<(usize, &'a str, &'a RequiredDocument)>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_roles_follow_heading_and_wording() {
        let role = |name: &str| {
            RequiredDocument {
                name: name.into(),
                originals: None,
                copies: None,
                template: None,
            }
            .role()
        };
        assert_eq!(
            role(
                "[Giấy tờ phải nộp] - Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì nộp văn bản của người làm chứng"
            ),
            DocumentRole::ToFile
        );
        assert_eq!(
            role("[Giấy tờ phải nộp] - Trường hợp trẻ em bị bỏ rơi thì phải có biên bản"),
            DocumentRole::WhenItApplies
        );
        assert_eq!(
            role(
                "- Tờ khai đăng ký khai sinh theo mẫu (nếu người có yêu cầu lựa chọn nộp hồ sơ theo hình thức trực tiếp)"
            ),
            DocumentRole::WhenItApplies
        );
        assert_eq!(role("Giấy tờ khác (nếu có)"), DocumentRole::WhenItApplies);
        assert_eq!(
            role("[Giấy tờ phải xuất trình] - Hộ chiếu/Thẻ căn cước"),
            DocumentRole::ToShow
        );
        assert_eq!(
            role("[Lưu ý] - Đối với giấy tờ gửi kèm theo:"),
            DocumentRole::Note
        );
        assert_eq!(
            role("- Người có yêu cầu đăng ký khai sinh thực hiện việc nộp các giấy tờ sau:"),
            DocumentRole::Note
        );
        assert_eq!(role("Tờ khai"), DocumentRole::ToFile);
        assert_eq!(
            role(
                "[Giấy tờ phải nộp] - Văn bản ủy quyền (được chứng thực) theo quy định của pháp luật trong trường hợp ủy quyền thực hiện việc đăng ký khai sinh. Trường hợp người được ủy quyền là ông, bà"
            ),
            DocumentRole::WhenItApplies
        );
        assert_eq!(
            role(
                "Giấy chứng sinh; trường hợp không có thì nộp văn bản của người làm chứng; nếu không có người làm chứng thì giấy cam đoan"
            ),
            DocumentRole::ToFile
        );
    }

    #[test]
    fn a_document_names_its_case() {
        let doc = |name: &str| RequiredDocument {
            name: name.into(),
            originals: Some(1),
            copies: None,
            template: None,
        };
        assert_eq!(
            doc("[Giấy tờ phải xuất trình] Hộ chiếu").case_and_name(),
            (Some("Giấy tờ phải xuất trình"), "Hộ chiếu")
        );
        assert_eq!(doc("Tờ khai").case_and_name(), (None, "Tờ khai"));
        assert_eq!(doc("[] Tờ khai").case_and_name(), (None, "[] Tờ khai"));
        assert_eq!(doc("[a]b").case_and_name(), (None, "[a]b"));
    }

    #[test]
    fn documents_are_grouped_by_case_and_repeats_shown_once() {
        let doc = |name: &str, originals| RequiredDocument {
            name: name.into(),
            originals: Some(originals),
            copies: None,
            template: None,
        };
        let p: Procedure = serde_json::from_value(serde_json::json!({
            "code": "1.001193", "name": "Đăng ký khai sinh", "field": "Hộ tịch", "level": "Cấp Xã",
            "agency": "000.00.00.H22", "implementing_body": "", "competent_body": "",
            "online_level": "partial", "processing_time": null, "supplement_clock": "restart",
            "steps": [], "methods": [], "documents": [
                doc("[Giấy tờ phải nộp] Tờ khai", 1), doc("[Giấy tờ phải xuất trình] Hộ chiếu", 1),
                doc("[Giấy tờ phải nộp] Giấy chứng sinh", 1), doc("[Giấy tờ phải nộp] Tờ khai", 1),
                doc("[Giấy tờ phải nộp] Tờ khai", 2),
            ],
            "conditions": null, "result": null, "target_subjects": null, "legal_basis": [],
            "form_schema": {}, "provenance": null, "missing": []
        }))
        .unwrap();
        let cases = p.documents_by_case();
        let names: Vec<(Option<&str>, Vec<&str>)> = cases
            .iter()
            .map(|c| (c.case, c.documents.iter().map(|d| d.1).collect()))
            .collect();
        assert_eq!(
            names,
            [
                (
                    Some("Giấy tờ phải nộp"),
                    vec!["Tờ khai", "Giấy chứng sinh", "Tờ khai"]
                ),
                (Some("Giấy tờ phải xuất trình"), vec!["Hộ chiếu"]),
            ]
        );
        // Positions stay those of the procedure's list (a template's link uses them).
        assert_eq!(cases[0].documents[1].0, 2);
    }
}

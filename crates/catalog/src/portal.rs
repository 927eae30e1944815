//! Reads procedure records exported from the National Public Service Portal (the shape of
//! `fixtures/catalog/tthc-national-sample-207.json` and `tthc-catalog-local-2026-06.json`)
//! into catalog procedures. Published fields are kept as published (in composed Unicode);
//! what the record lacks, or states so that it cannot be read without guessing, is named in
//! `missing`. Which agency of the province receives each procedure is a [`Route`]: a fixed
//! rule for the national sample, a province's reviewed table by field ([`FieldRoutes`]) for
//! the local catalog.

use std::collections::HashMap;

use motcua_domain::Wording;
use motcua_domain::calendar::ProcessingTime;
use motcua_domain::ids::{AgencyCode, ProcedureCode};
use motcua_domain::procedure::{StepPlan, SupplementClock};
use motcua_domain::role::Role;
use motcua_domain::text::nfc;
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

use crate::problem::{ImportError, Problem};

/// Which agency of the province receives a procedure's dossiers, from the record's level,
/// field and implementing agency.
pub trait Route {
    fn agency(&self, level: &str, field: &str, implementer: &str) -> AgencyCode;
}

/// A procedure handled only at commune level (the communes of the province receive it; the
/// commune is chosen when a dossier is filed).
fn commune_level(level: &str) -> bool {
    level.contains("Cấp Xã") && !level.contains("Cấp Tỉnh")
}

/// The national sample's rule: commune-level procedures to the province's communes, the
/// inspectorate's to the inspectorate, other provincial ones to the military command (the
/// sample is the Ministry of Defence's), the rest to the ministry.
pub struct CatalogAgencies {
    pub province: AgencyCode,
    pub military_command: AgencyCode,
    pub inspectorate: AgencyCode,
    pub ministry: AgencyCode,
}

impl Route for CatalogAgencies {
    fn agency(&self, level: &str, _field: &str, implementer: &str) -> AgencyCode {
        if level.contains("Cấp Xã") {
            self.province
        } else if level.contains("Cấp Tỉnh") {
            if implementer.to_lowercase().contains("thanh tra") {
                self.inspectorate
            } else {
                self.military_command
            }
        } else {
            self.ministry
        }
    }
}

/// Where the procedures of one field go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRoute {
    pub agency: AgencyCode,
    /// Whether the field's commune-level procedures go to the communes (a department's
    /// field: the commune People's Committee handles them) or stay with the agency (a
    /// central-sector agency such as the police, customs or tax, which has its own local
    /// offices).
    pub communes_too: bool,
}

/// A province's routing table by field: a CSV file `field,agency_code,agency_name,communes`
/// (`communes` is `yes` or `no`; `agency_name` is for the people who review the table).
pub struct FieldRoutes {
    communes: AgencyCode,
    otherwise: AgencyCode,
    fields: HashMap<String, FieldRoute>,
}

/// The rows of a CSV table with their places (`routing, line 3`); a row that cannot be read is
/// a problem of its own and is left out.
fn table_rows<T: serde::de::DeserializeOwned>(
    csv: &str,
    file: &str,
    problems: &mut Vec<Problem>,
) -> Vec<(String, T)> {
    csv::Reader::from_reader(csv.as_bytes())
        .deserialize::<T>()
        .enumerate()
        .filter_map(|(i, row)| {
            let place = format!("{file}, line {}", i + 2);
            row.map_err(|e| {
                let wording = Wording::new("error-catalog-table-row").arg("detail", e.to_string());
                problems.push(Problem::new(place.clone(), "catalog_table_row", wording));
            })
            .ok()
            .map(|row| (place, row))
        })
        .collect()
}

impl FieldRoutes {
    /// Reads the table; `communes` receives commune-level procedures, `otherwise` a field the
    /// table does not name. Every problem of the file is reported, with its line.
    pub fn parse(
        csv: &str,
        communes: AgencyCode,
        otherwise: AgencyCode,
    ) -> Result<FieldRoutes, ImportError> {
        #[derive(Deserialize)]
        struct Row {
            field: String,
            agency_code: String,
            communes: String,
        }
        let mut fields = HashMap::new();
        let mut problems = Vec::new();
        for (place, row) in table_rows::<Row>(csv, "routing", &mut problems) {
            let Ok(agency) = AgencyCode::parse(&row.agency_code) else {
                let wording =
                    Wording::new("error-catalog-agency-code").arg("input", row.agency_code);
                problems.push(Problem::new(place, "catalog_agency_code", wording));
                continue;
            };
            let communes_too = match row.communes.trim() {
                "yes" => true,
                "no" => false,
                _ => {
                    let wording = Wording::new("error-catalog-routing-communes");
                    problems.push(Problem::new(place, "catalog_routing_communes", wording));
                    continue;
                }
            };
            if fields
                .insert(
                    nfc(&row.field),
                    FieldRoute {
                        agency,
                        communes_too,
                    },
                )
                .is_some()
            {
                let wording = Wording::new("error-catalog-routing-twice").arg("field", row.field);
                problems.push(Problem::new(place, "catalog_routing_twice", wording));
            }
        }
        if !problems.is_empty() {
            return Err(problems.into());
        }
        Ok(FieldRoutes {
            communes,
            otherwise,
            fields,
        })
    }

    /// The route of a field, when the table names it.
    pub fn field(&self, field: &str) -> Option<FieldRoute> {
        self.fields.get(&nfc(field)).copied()
    }
}

impl Route for FieldRoutes {
    fn agency(&self, level: &str, field: &str, _implementer: &str) -> AgencyCode {
        let at_communes = commune_level(level);
        match self.field(field) {
            Some(r) if !(at_communes && r.communes_too) => r.agency,
            _ if at_communes => self.communes,
            _ => self.otherwise,
        }
    }
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

/// The fee a method's text states, when it states one amount: the national sample's
/// "Phí : 2.000.000 Đồng (…)", or the local catalog's "120,000 VNĐ(…)" and "Miễn phí(…)" —
/// where the portal prints "Miễn phí" for an empty amount field and the real fee, if any, is
/// in the note. `None` when the text gives several amounts (cases the applicant must choose
/// between), amounts that disagree, or a fee without an amount: those are for a person to
/// read, never guessed.
fn fee_amount(text: &str) -> Option<i64> {
    sample_fee(text).or_else(|| local_fee(text))
}

/// "Phí : 2.000.000 Đồng (…)"; `Some(0)` for "Không".
fn sample_fee(text: &str) -> Option<i64> {
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

/// The local catalog's "120,000 VNĐ(note)", "Miễn phí(note)" and "Miễn phí".
fn local_fee(text: &str) -> Option<i64> {
    let text = text.trim();
    let (head, note) = match text.find('(') {
        Some(i) => (text[..i].trim(), &text[i..]),
        None => (text, ""),
    };
    let in_note = amounts(note);
    let first = in_note.first().copied();
    let one = first.filter(|a| in_note.iter().all(|b| b == a));
    if head.eq_ignore_ascii_case("miễn phí") {
        let lower = note.to_lowercase();
        return match (in_note.is_empty(), one) {
            // "Miễn phí(- Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần …)": the note's amount.
            (false, Some(a)) => Some(a),
            (false, None) => None,
            // A note about a fee without its amount ("do Hội đồng nhân dân tỉnh quyết định").
            (true, _) if lower.contains("phí") || lower.contains("mức thu") => None,
            (true, _) => Some(0),
        };
    }
    let lead = *amounts(head).first()?;
    match (in_note.is_empty(), one) {
        (true, _) => Some(lead),
        (false, Some(a)) if a == lead => Some(lead),
        _ => None,
    }
}

/// The amounts of money a text names: a number (with `.` or `,` between groups of three
/// digits) followed by đồng, Đồng, VNĐ, Việt Nam Đồng or đ.
fn amounts(text: &str) -> Vec<i64> {
    amount_spans(text).into_iter().map(|(.., n)| n).collect()
}

/// [`amounts`] with where each stands: (first char, char after the number, amount).
fn amount_spans(text: &str) -> Vec<(usize, usize, i64)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == ',') {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        let run = run.trim_end_matches(['.', ',']);
        let rest: String = chars[i..].iter().take(16).collect();
        let rest = rest.trim_start();
        let currency = ["đồng", "Đồng", "VNĐ", "Việt Nam Đồng", "VND"]
            .iter()
            .any(|c| rest.starts_with(c))
            || (rest.starts_with('đ') && !rest.chars().nth(1).is_some_and(char::is_alphabetic));
        if currency && let Some(n) = grouped(run) {
            out.push((start, i, n));
        }
    }
    out
}

/// One case of a fee the source states case by case ("Trường hợp cấp lại do bị hỏng hoặc bị
/// mất: 400.000đ/hộ chiếu"): the source's own words for it, and its amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeTier {
    pub label: String,
    pub amount: i64,
}

/// "Trường hợp cấp lại do bị hỏng hoặc bị mất: 400.000 đồng", as the pages list the cases.
impl std::fmt::Display for FeeTier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}",
            self.label,
            motcua_domain::lang::money(self.amount)
        )
    }
}

/// The question a procedure's form asks when its fee depends on the case: the answer is the
/// tier's number, from 1, in [`fee_tiers`]' order.
pub const FEE_CASE: &str = "truong_hop_le_phi";

/// The cases of a published fee text that names several amounts (none when it names one, or
/// none): each amount once, with the clause around it as the source words it.
pub fn fee_tiers(text: &str) -> Vec<FeeTier> {
    if fee_amount(text).is_some() {
        return Vec::new();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut tiers: Vec<FeeTier> = Vec::new();
    for (start, end, amount) in amount_spans(text) {
        if tiers.iter().any(|t| t.amount == amount) {
            continue;
        }
        let stops_left = |i: usize| {
            matches!(chars[i], '(' | ')' | ';' | '\n')
                || (chars[i] == '.' && chars.get(i + 1).is_some_and(|c| c.is_whitespace()))
        };
        let stops_right = |i: usize| {
            matches!(chars[i], '(' | ')' | ';' | '\n')
                || (chars[i] == '.' && chars.get(i + 1).is_none_or(|c| c.is_whitespace()))
        };
        let from = (0..start)
            .rev()
            .find(|&i| stops_left(i))
            .map_or(0, |i| i + 1);
        let to = (end..chars.len())
            .find(|&i| stops_right(i))
            .unwrap_or(chars.len());
        let clause: String = chars[from..to].iter().collect();
        let clause = clause
            .trim()
            .trim_start_matches(['-', '+', '•', ' '])
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let number: String = chars[start..end].iter().collect();
        let mut besides = clause.replacen(number.trim(), "", 1);
        for currency in ["Việt Nam Đồng", "đồng", "Đồng", "VNĐ", "VND", "đ"] {
            besides = besides.replace(currency, "");
        }
        let label = if besides.chars().filter(|c| c.is_alphabetic()).count() > 3 {
            clause.chars().take(200).collect()
        } else {
            "Mức thu chung".to_string()
        };
        tiers.push(FeeTier { label, amount });
    }
    if tiers.len() < 2 {
        return Vec::new();
    }
    tiers
}

/// Adds the fee-case question to a procedure's form when the fee of filing online depends on
/// the case: the applicant chooses, the officer checks at reception.
pub fn ask_fee_case(p: &mut Procedure) {
    let Some(method) = p.online_method() else {
        return;
    };
    let tiers = fee_tiers(&method.fee_text);
    if tiers.is_empty() {
        return;
    }
    let Some(properties) = p
        .form_schema
        .get_mut("properties")
        .and_then(serde_json::Value::as_object_mut)
    else {
        return;
    };
    properties.insert(
        FEE_CASE.into(),
        serde_json::json!({
            "type": "string",
            "title": "Trường hợp nộp phí, lệ phí",
            "description": "Mức phí, lệ phí tùy trường hợp; chọn trường hợp của bạn. Cán bộ tiếp nhận kiểm tra lại khi nhận hồ sơ.",
            "enum": (1..=tiers.len()).map(|i| i.to_string()).collect::<Vec<_>>(),
            "x-labels": tiers.iter().map(|t| format!("{} — {}", t.label, motcua_domain::lang::money(t.amount))).collect::<Vec<_>>(),
        }),
    );
    let schema = &mut p.form_schema;
    for key in ["required", "x-order"] {
        match schema
            .get_mut(key)
            .and_then(serde_json::Value::as_array_mut)
        {
            Some(list) => list.push(FEE_CASE.into()),
            None => schema[key] = serde_json::json!([FEE_CASE]),
        }
    }
    if let Some(pages) = schema
        .get_mut("x-pages")
        .and_then(serde_json::Value::as_array_mut)
    {
        pages.push(serde_json::json!([FEE_CASE]));
    }
}

/// "135.000", "120,000" or "50" as a whole number; `None` for "1.5" or "1,25".
fn grouped(run: &str) -> Option<i64> {
    let groups: Vec<&str> = run.split(['.', ',']).collect();
    let sound = groups[0].len() <= 3 || groups.len() == 1;
    (sound && groups[1..].iter().all(|g| g.len() == 3))
        .then(|| groups.concat().parse().ok())
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

/// The default workflow of a procedure whose source publishes no step budgets: appraisal by a
/// specialist, then approval, the time limit split 60/40.
fn default_steps(limit: ProcessingTime) -> Vec<StepPlan> {
    let total = hours(limit).max(2);
    let appraisal = (total * 6 / 10).max(1);
    vec![
        StepPlan {
            name: "Thẩm định hồ sơ".into(),
            agency: None,
            role: Role::Specialist,
            budget_hours: appraisal,
        },
        StepPlan {
            name: "Phê duyệt, ký kết quả".into(),
            agency: None,
            role: Role::Approver,
            budget_hours: total - appraisal,
        },
    ]
}

/// Time limits an administrator has decided for procedures whose source states a number
/// without its unit (or no limit): a reviewed CSV file `code,unit,value,basis`, where `unit` is
/// `working_days`, `working_hours` or `calendar_days` and `basis` says why (the law read).
/// Applied only where the source gives no usable limit; the procedure's `missing` list then
/// names `processing_time_unit`, so the page says the unit was decided, not published.
pub struct ReviewedLimits {
    by_code: HashMap<ProcedureCode, ProcessingTime>,
}

impl ReviewedLimits {
    pub fn parse(csv: &str) -> Result<ReviewedLimits, ImportError> {
        #[derive(Deserialize)]
        struct Row {
            code: String,
            unit: String,
            value: u32,
            basis: String,
        }
        let mut by_code = HashMap::new();
        let mut problems = Vec::new();
        for (place, row) in table_rows::<Row>(csv, "limits", &mut problems) {
            let bad = |code, wording| Problem::new(place.clone(), code, wording);
            let Ok(code) = ProcedureCode::parse(&row.code) else {
                let w = Wording::new("error-catalog-code").arg("input", row.code);
                problems.push(bad("catalog_code", w));
                continue;
            };
            let Some(limit) = crate::limit_of(&row.unit, row.value) else {
                let wording = Wording::new("error-catalog-processing-time");
                problems.push(bad("catalog_processing_time", wording));
                continue;
            };
            if row.value == 0 || row.basis.trim().is_empty() {
                problems.push(bad(
                    "catalog_limits_basis",
                    Wording::new("error-catalog-limits-basis"),
                ));
                continue;
            }
            by_code.insert(code, limit);
        }
        if !problems.is_empty() {
            return Err(problems.into());
        }
        Ok(ReviewedLimits { by_code })
    }

    /// Gives the decided limit (and the default workflow) to each listed procedure whose
    /// source has none; answers how many changed. A published limit is never replaced.
    pub fn apply(&self, procedures: &mut [Procedure]) -> usize {
        let mut changed = 0;
        for p in procedures
            .iter_mut()
            .filter(|p| p.processing_time.is_none())
        {
            let Some(&limit) = self.by_code.get(&p.code) else {
                continue;
            };
            p.processing_time = Some(limit);
            if p.steps.is_empty() {
                p.steps = default_steps(limit);
            }
            for m in p.methods.iter_mut().filter(|m| m.processing_time.is_none()) {
                m.processing_time = Some(limit);
            }
            p.mark_limit_decided();
            changed += 1;
        }
        changed
    }
}

/// Structured application forms an administrator reviewed for the most filed procedures (the
/// fields of each official declaration form), replacing the single free-text question the
/// source allows: a JSON file `{"forms": [{"code", "source", "schema"}]}`. Each schema must be
/// an object whose every property is a question the portal can ask.
pub struct ReviewedForms {
    by_code: HashMap<ProcedureCode, serde_json::Value>,
}

impl ReviewedForms {
    pub fn parse(json: &str) -> Result<ReviewedForms, ImportError> {
        #[derive(Deserialize)]
        struct File {
            forms: Vec<Entry>,
        }
        #[derive(Deserialize)]
        struct Entry {
            code: String,
            source: String,
            schema: serde_json::Value,
        }
        let file: File = serde_json::from_str(json).map_err(|e| {
            let wording = Wording::new("error-catalog-table-row").arg("detail", e.to_string());
            ImportError::from(vec![Problem::new("forms", "catalog_table_row", wording)])
        })?;
        let mut by_code = HashMap::new();
        let mut problems = Vec::new();
        for (i, entry) in file.forms.into_iter().enumerate() {
            let place = format!("forms[{i}]");
            let Ok(code) = ProcedureCode::parse(&entry.code) else {
                let w = Wording::new("error-catalog-code").arg("input", entry.code);
                problems.push(Problem::new(place, "catalog_code", w));
                continue;
            };
            let asked = crate::form::fields(&entry.schema).len();
            let properties = entry
                .schema
                .get("properties")
                .and_then(serde_json::Value::as_object)
                .map_or(0, serde_json::Map::len);
            if properties == 0 || asked != properties || entry.source.trim().is_empty() {
                let w = Wording::new("error-catalog-form-schema-object");
                problems.push(Problem::new(place, "catalog_form_schema", w));
                continue;
            }
            let mut schema = entry.schema;
            schema["x-source"] = serde_json::Value::String(entry.source);
            by_code.insert(code, schema);
        }
        if !problems.is_empty() {
            return Err(problems.into());
        }
        Ok(ReviewedForms { by_code })
    }

    /// Gives each listed procedure its form; answers how many changed.
    pub fn apply(&self, procedures: &mut [Procedure]) -> usize {
        let mut changed = 0;
        for p in procedures.iter_mut() {
            if let Some(schema) = self.by_code.get(&p.code) {
                p.form_schema = schema.clone();
                ask_fee_case(p);
                p.missing.retain(|m| m != "form_schema");
                changed += 1;
            }
        }
        changed
    }
}

fn hours(limit: ProcessingTime) -> u32 {
    match limit {
        ProcessingTime::WorkingDays(d) | ProcessingTime::CalendarDays(d) => d * 8,
        ProcessingTime::WorkingHours(h) => h,
    }
}

fn opt(s: &str) -> Option<String> {
    let t = nfc(s);
    (!t.is_empty()).then_some(t)
}

/// Converts the portal export; every record must have a valid national code.
pub fn procedures(json: &str, route: &dyn Route) -> Result<Vec<Procedure>, PortalError> {
    let records: Vec<Record> = serde_json::from_str(json)?;
    records
        .into_iter()
        .enumerate()
        .map(|(index, r)| {
            let code = ProcedureCode::parse(&r.code).map_err(|_| PortalError::Code { index, code: r.code.chars().take(40).collect() })?;
            let mut missing = vec!["name_en".to_string(), "form_schema".to_string(), "workflow".to_string()];
            let (name, field, level) = (nfc(&r.name), nfc(&r.field), nfc(&r.level));
            let agency = route.agency(&level, &field, &r.implementing_agency);
            let methods: Vec<SubmissionMethod> = r
                .submission_methods
                .iter()
                .map(|m| SubmissionMethod {
                    method: m.method.clone(),
                    time_limit_text: nfc(&m.time_limit_text),
                    processing_time: limit(m),
                    fee_text: nfc(&m.fee_text),
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
            let steps = processing_time.map(default_steps).unwrap_or_default();
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
            let mut p = Procedure {
                code,
                name,
                name_en: None,
                decision: opt(&r.decision),
                field: opt(&field).unwrap_or_else(|| "Chưa phân loại".into()),
                level,
                agency,
                implementing_body: nfc(&r.implementing_agency),
                competent_body: nfc(&r.competent_agency),
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
                        RequiredDocument { name: nfc(&d.name), originals, copies, template: opt(&d.form_file) }
                    })
                    .collect(),
                conditions: opt(&r.conditions),
                result: opt(&r.result),
                target_subjects: opt(&r.target_subjects),
                legal_basis: r.legal_basis.iter().map(|l| LegalBasis { number: nfc(&l.number), title: nfc(&l.title) }).collect(),
                form_schema: serde_json::json!({
                    "type": "object",
                    "properties": {"ghi_chu": {"type": "string", "title": "Nội dung đề nghị", "maxLength": 2000}}
                }),
                provenance: Some(Provenance { document: r.source_document, url: r.source_url }),
                missing,
            };
            ask_fee_case(&mut p);
            Ok(p)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The local catalog routed as the demo routes it.
    fn local_catalog() -> Vec<Procedure> {
        let json = include_str!("../../../fixtures/catalog/tthc-catalog-local-2026-06.json");
        let routes = FieldRoutes::parse(
            include_str!("../../../fixtures/catalog/routing-quang-ninh.csv"),
            AgencyCode::parse("000.00.00.H22").unwrap(),
            AgencyCode::parse("000.00.14.H22").unwrap(),
        )
        .unwrap();
        procedures(json, &routes).unwrap()
    }

    #[test]
    fn a_fee_stated_case_by_case_is_asked_not_guessed() {
        let passport = "200,000 Việt Nam Đồng(200.000đ/ hộ chiếu. Trường hợp cấp lại do bị hỏng hoặc bị mất: 400.000đ/hộ chiếu (Thông tư số 25/2021/TT-BTC ngày 07/4/2021 của Bộ Tài chính).)";
        assert_eq!(fee_amount(passport), None);
        assert_eq!(
            fee_tiers(passport),
            [
                FeeTier {
                    label: "Mức thu chung".into(),
                    amount: 200_000
                },
                FeeTier {
                    label: "Trường hợp cấp lại do bị hỏng hoặc bị mất: 400.000đ/hộ chiếu".into(),
                    amount: 400_000
                },
            ]
        );
        let reduced = "800,000 VNĐ((áp dụng mức phí 400.000 đồng/hồ sơ kể từ ngày 01/7/2025 đến hết ngày 31/12/2026 theo Thông tư số 64/2025/TT-BTC))";
        let tiers = fee_tiers(reduced);
        assert_eq!(tiers.len(), 2);
        assert!(
            tiers[1]
                .label
                .starts_with("áp dụng mức phí 400.000 đồng/hồ sơ kể từ ngày 01/7/2025")
        );
        // One amount, or the same amount twice: no case to choose.
        assert!(fee_tiers("120,000 VNĐ(Theo khoản 1 Điều 3)").is_empty());
        assert!(fee_tiers("Miễn phí(- Lệ phí: 135.000 đồng/lần)").is_empty());
        // The catalog's procedures with such fees ask the applicant which case applies.
        let list = local_catalog();
        let p = list
            .iter()
            .find(|p| p.code.to_string() == "1.001456")
            .unwrap();
        let question = crate::form::fields(&p.form_schema)
            .into_iter()
            .find(|f| f.name == FEE_CASE)
            .expect("the fee-case question");
        assert!(question.required);
        let crate::form::FieldKind::Choice { options } = question.kind else {
            panic!("a choice")
        };
        // Online, the passport costs less: the online way's own text is read.
        assert_eq!(options.len(), 2);
        assert!(options[1].1.contains("cấp lại") && options[1].1.ends_with("— 320.000 đồng"));
        let asking = list
            .iter()
            .filter(|p| p.form_schema["properties"].get(FEE_CASE).is_some())
            .count();
        assert!(asking > 20, "{asking} procedures ask for the fee case");
    }

    #[test]
    fn reviewed_forms_apply_to_the_commonest_procedures() {
        let forms =
            ReviewedForms::parse(include_str!("../../../fixtures/forms/forms-reviewed.json"))
                .unwrap();
        let mut list = local_catalog();
        assert_eq!(
            forms.apply(&mut list),
            10,
            "every reviewed form finds its procedure"
        );
        let khai_sinh = list
            .iter()
            .find(|p| p.code.to_string() == "1.001193")
            .unwrap();
        let asked: Vec<String> = crate::form::fields(&khai_sinh.form_schema)
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert!(
            asked.contains(&"tre_ho_ten".to_string()) && asked.contains(&"me_cccd".to_string())
        );
        assert!(!khai_sinh.missing.contains(&"form_schema".to_string()));
        // A question the portal cannot ask is refused, with its place.
        let bad = r#"{"forms":[{"code":"1.001193","source":"x","schema":{"type":"object","properties":{"a":{"type":"weird"}}}}]}"#;
        let e = ReviewedForms::parse(bad).err().unwrap();
        assert_eq!(e.problems[0].place, "forms[0]");
        assert!(ReviewedForms::parse("{").is_err());
    }

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

    #[test]
    fn reads_the_local_catalogs_fees_only_where_they_state_one_amount() {
        assert_eq!(
            fee_amount(
                "120,000 VNĐ(Theo khoản 1 Điều 3 Thông tư số 172/2010/TT-BTC ngày 02/11/2010)"
            ),
            Some(120_000)
        );
        assert_eq!(fee_amount("Miễn phí"), Some(0));
        assert_eq!(fee_amount("Miễn phí(Không quy định.)"), Some(0));
        // The portal prints "Miễn phí" for an empty amount field; the fee is in the note.
        assert_eq!(
            fee_amount("Miễn phí(- Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần.)"),
            Some(135_000)
        );
        // Two amounts are two cases; a fee set elsewhere has no amount; a garbled lead
        // disagrees with its note: for a person to read.
        assert_eq!(
            fee_amount("Miễn phí(- Lệ phí: 135.000 đồng/lần. - Trực tuyến: 115.000 đồng/lần)"),
            None
        );
        assert_eq!(
            fee_amount("Miễn phí(Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định.)"),
            None
        );
        assert_eq!(
            fee_amount("50 Việt Nam Đồng(50.000đ/giấy thông hành)"),
            None
        );
        assert_eq!(
            fee_amount("230,000 Việt Nam Đồng(Kiểm tra điều kiện: 230.000 đồng/lần)"),
            Some(230_000)
        );
        assert_eq!(
            amounts("1.5 USD, 2.000.000 Đồng, 300 đ, 12 tháng, 7.000đ"),
            vec![2_000_000, 300, 7_000]
        );
    }

    #[test]
    fn routes_the_local_catalog_by_the_provinces_table() {
        let a = |s: &str| AgencyCode::parse(s).unwrap();
        let routes = FieldRoutes::parse(
            include_str!("../../../fixtures/catalog/routing-quang-ninh.csv"),
            a("000.00.00.H22"),
            a("000.00.14.H22"),
        )
        .unwrap();
        let json = include_str!("../../../fixtures/catalog/tthc-catalog-local-2026-06.json");
        let all = procedures(json, &routes).unwrap();
        assert_eq!(all.len(), 1_575);
        let unrouted: Vec<&str> = all
            .iter()
            .filter(|p| routes.field(&p.field).is_none())
            .map(|p| p.field.as_str())
            .collect();
        assert!(unrouted.is_empty(), "fields without a route: {unrouted:?}");
        let by_code = |c: &str| all.iter().find(|p| p.code.to_string() == c).unwrap();
        // Commune-level civil status goes to the communes; customs stays with customs.
        assert_eq!(by_code("1.000110").agency, a("000.00.00.H22"));
        assert_eq!(by_code("1.000005").agency, a("000.00.23.H22"));
        // The driving licence (labelled ministry level) goes to the provincial police.
        assert_eq!(by_code("3.000347").agency, a("000.00.21.H22"));
        // Text is composed: the decomposed field of the source compares equal to the table's.
        assert!(
            all.iter()
                .all(|p| p.field == nfc(&p.field) && p.name == nfc(&p.name))
        );
        // A unit-less limit is not counted; the source's words are kept.
        let birth = by_code("1.000110");
        assert_eq!(birth.processing_time, None);
        assert!(birth.missing.contains(&"processing_time".to_string()));
        assert!(birth.missing.contains(&"fees".to_string()));
        assert!(all.iter().all(|p| {
            p.provenance
                .as_ref()
                .is_some_and(|s| s.url.contains("chatbot_tthc"))
        }));
    }

    #[test]
    fn a_routing_table_with_faults_names_each_of_them() {
        let a = |s: &str| AgencyCode::parse(s).unwrap();
        let csv = "field,agency_code,agency_name,communes\nHộ tịch,000.00.12.H22,Sở Tư pháp,yes\nThuế,x,Thuế,no\nĐất đai,000.00.08.H22,Sở,maybe\nHộ tịch,000.00.12.H22,Sở Tư pháp,yes\n";
        let e = FieldRoutes::parse(csv, a("000.00.00.H22"), a("000.00.14.H22"))
            .err()
            .unwrap();
        let codes: Vec<&str> = e.problems.iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            [
                "catalog_agency_code",
                "catalog_routing_communes",
                "catalog_routing_twice"
            ]
        );
        assert_eq!(e.problems[0].place, "routing, line 3");
    }

    #[test]
    fn reviewed_limits_fill_only_what_the_source_leaves_out() {
        let a = |s: &str| AgencyCode::parse(s).unwrap();
        let routes = FieldRoutes::parse(
            include_str!("../../../fixtures/catalog/routing-quang-ninh.csv"),
            a("000.00.00.H22"),
            a("000.00.14.H22"),
        )
        .unwrap();
        let json = include_str!("../../../fixtures/catalog/tthc-catalog-local-2026-06.json");
        let mut all = procedures(json, &routes).unwrap();
        let limits = ReviewedLimits::parse(include_str!(
            "../../../fixtures/catalog/limits-reviewed-quang-ninh.csv"
        ))
        .unwrap();
        assert!(limits.apply(&mut all) >= 4);
        let birth = all
            .iter()
            .find(|p| p.code.to_string() == "1.001193")
            .unwrap();
        assert_eq!(birth.processing_time, Some(ProcessingTime::WorkingDays(1)));
        assert_eq!(birth.steps.len(), 2);
        assert!(birth.missing.contains(&"processing_time_unit".to_string()));
        assert!(!birth.missing.contains(&"processing_time".to_string()));
        // The source's words stay.
        assert_eq!(birth.methods[0].time_limit_text, "1");
        // A published limit is not replaced.
        let mut once = vec![birth.clone()];
        once[0].processing_time = Some(ProcessingTime::WorkingDays(9));
        assert_eq!(limits.apply(&mut once), 0);
        let bad = "code,unit,value,basis\n1.001193,weeks,1,x\nx,working_days,1,x\n1.000894,working_days,1,\n";
        let e = ReviewedLimits::parse(bad).err().unwrap();
        let codes: Vec<&str> = e.problems.iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            [
                "catalog_processing_time",
                "catalog_code",
                "catalog_limits_basis"
            ]
        );
    }
}

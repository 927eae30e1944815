//! Checks that hold whatever the file format: unique codes, names present, agencies known,
//! workflow steps sound, form schema an object.

use std::collections::{HashMap, HashSet};

use motcua_domain::Wording;
use motcua_domain::ids::AgencyCode;
use motcua_procedures::Procedure;

use crate::Format;
use crate::problem::{ImportError, Problem};

fn place(format: Format, i: usize, p: &Procedure, what: &str) -> String {
    match format {
        Format::Json => format!("procedures[{i}] ({}) {what}", p.code),
        Format::Xlsx => format!("{}, row {}, {what}", crate::xlsx::PROCEDURES, i + 2),
    }
}

/// The longest procedure name accepted: the longest published one has 1,094 characters
/// (1.013980, a land registration procedure).
const MAX_NAME: usize = 2000;

pub(crate) fn check(
    procedures: &[Procedure],
    format: Format,
    agencies: &HashSet<AgencyCode>,
) -> Result<(), ImportError> {
    let mut problems = Vec::new();
    let mut seen: HashMap<_, usize> = HashMap::new();
    for (i, p) in procedures.iter().enumerate() {
        let at = |what: &str| place(format, i, p, what);
        if let Some(first) = seen.insert(p.code, i) {
            problems.push(Problem::new(
                at("code"),
                "catalog_duplicate_code",
                Wording::new("error-catalog-duplicate-entry")
                    .arg("code", p.code.to_string())
                    .arg("first", first + 1),
            ));
        }
        if p.name.trim().is_empty() || p.name.chars().count() > MAX_NAME {
            problems.push(Problem::new(
                at("name"),
                "catalog_name",
                Wording::new("error-catalog-name").arg("max", MAX_NAME),
            ));
        }
        if p.field.trim().is_empty() {
            problems.push(Problem::new(
                at("field"),
                "catalog_field_missing",
                Wording::new("error-catalog-field-missing"),
            ));
        }
        if !agencies.contains(&p.agency) {
            problems.push(Problem::new(
                at("agency_code"),
                "catalog_unknown_agency",
                Wording::new("error-catalog-unknown-agency").arg("agency", p.agency.to_string()),
            ));
        }
        for (k, s) in p.steps.iter().enumerate() {
            if s.name.trim().is_empty() || s.budget_hours == 0 {
                problems.push(Problem::new(
                    at(&format!("step {}", k + 1)),
                    "catalog_step",
                    Wording::new("error-catalog-step"),
                ));
            }
            if let Some(a) = s.agency.filter(|a| !agencies.contains(a)) {
                problems.push(Problem::new(
                    at(&format!("step {}", k + 1)),
                    "catalog_unknown_agency",
                    Wording::new("error-catalog-unknown-agency").arg("agency", a.to_string()),
                ));
            }
        }
        if p.methods.iter().any(|m| m.fee_vnd.is_some_and(|f| f < 0)) {
            problems.push(Problem::new(
                at("fee_vnd"),
                "catalog_fee",
                Wording::new("error-catalog-fee"),
            ));
        }
        if !p.form_schema.is_object() {
            problems.push(Problem::new(
                at("form_schema"),
                "catalog_form_schema",
                Wording::new("error-catalog-form-schema-object"),
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.into())
    }
}

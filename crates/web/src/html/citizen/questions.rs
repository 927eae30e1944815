//! The questions of a procedure's form as the wizard asks them: fields from the form schema,
//! answers read back from the submitted form.

use crate::html::Chrome;
use crate::html::forms::{FormField, get};
use motcua_catalog::form::{self, Field, FieldKind};
use motcua_domain::Lang;
use motcua_domain::units::AdminUnits;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub(crate) fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

pub(crate) fn unit_name(lang: Lang, u: &motcua_domain::units::Unit) -> String {
    match lang {
        Lang::Vi => u.name.clone(),
        Lang::En => u.name_en.clone(),
    }
}

/// Form fields for the questions shown, with the answers so far.
pub(crate) fn question_fields(
    c: &Chrome,
    fields: &[Field],
    answers: &Map<String, Value>,
    prefix: &str,
) -> Vec<FormField> {
    let mut out = Vec::new();
    for f in fields.iter().filter(|f| form::is_shown(f, answers)) {
        let name = format!("{prefix}{}", f.name);
        let value = text_of(answers.get(&f.name));
        let base = |kind: &'static str| {
            let mut x = FormField::new(&name, f.title.clone(), kind, &value);
            x.hint = f.hint.clone();
            x.required = f.required;
            x
        };
        match &f.kind {
            FieldKind::Text { .. } | FieldKind::Cccd | FieldKind::TaxCode => out.push(base("text")),
            FieldKind::LongText { .. } => out.push(base("textarea")),
            FieldKind::Integer { .. } | FieldKind::Number { .. } => out.push(base("number")),
            FieldKind::Date => out.push(base("date")),
            FieldKind::Choice { options } => out.push(base("select").options(options.clone())),
            FieldKind::YesNo => out.push(base("select").options(vec![
                ("true".into(), c.tr.t("form-yes")),
                ("false".into(), c.tr.t("form-no")),
            ])),
            FieldKind::Address => {
                let a = answers.get(&f.name);
                let part = |k: &str| text_of(a.and_then(|a| a.get(k)));
                let units = AdminUnits::official();
                let province = part("province_code");
                let mut p = FormField::new(
                    &format!("{name}.province_code"),
                    format!("{} – {}", f.title, c.tr.t("profile-province")),
                    "select",
                    &province,
                )
                .options(
                    units
                        .provinces()
                        .iter()
                        .map(|u| (u.code.clone(), unit_name(c.lang, u)))
                        .collect(),
                );
                p.required = f.required;
                let mut w = FormField::new(
                    &format!("{name}.ward_code"),
                    format!("{} – {}", f.title, c.tr.t("profile-ward")),
                    "select",
                    &part("ward_code"),
                )
                .hint(c.tr.t("profile-ward-hint"))
                .options(
                    units
                        .wards_of(&province)
                        .map(|u| (u.code.clone(), unit_name(c.lang, u)))
                        .collect(),
                );
                w.required = f.required;
                let l = FormField::new(
                    &format!("{name}.line"),
                    format!("{} – {}", f.title, c.tr.t("profile-address")),
                    "text",
                    &part("line"),
                )
                .optional();
                out.extend([p, w, l]);
            }
            FieldKind::Group {
                fields: inner, max, ..
            } => {
                let items = answers
                    .get(&f.name)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                // The rows given so far and one empty row to add another.
                let rows = (items.len() + 1).min(*max);
                let empty = Map::new();
                for i in 0..rows {
                    let item = items.get(i).and_then(Value::as_object).unwrap_or(&empty);
                    let mut row = question_fields(c, inner, item, &format!("{name}[{i}]."));
                    for x in &mut row {
                        x.label = format!("{} {} – {}", f.title, i + 1, x.label);
                        if i >= items.len() {
                            x.required = false;
                        }
                    }
                    out.extend(row);
                }
            }
        }
    }
    out
}

/// Answers from posted form fields, nested the way the schema is.
pub(crate) fn answers_from_form(
    fields: &[Field],
    form: &BTreeMap<String, String>,
    prefix: &str,
) -> Map<String, Value> {
    let mut out = Map::new();
    for f in fields {
        let name = format!("{prefix}{}", f.name);
        match &f.kind {
            FieldKind::Address => {
                let part =
                    |k: &str| Value::String(get(form, &format!("{name}.{k}")).trim().to_string());
                out.insert(
                    f.name.clone(),
                    serde_json::json!({"province_code": part("province_code"), "ward_code": part("ward_code"), "line": part("line")}),
                );
            }
            FieldKind::Group {
                fields: inner, max, ..
            } => {
                let mut items = Vec::new();
                for i in 0..*max {
                    let row = answers_from_form(inner, form, &format!("{name}[{i}]."));
                    let blank = row
                        .values()
                        .all(|v| v.as_str().is_some_and(|s| s.trim().is_empty()));
                    if !blank {
                        items.push(Value::Object(row));
                    }
                }
                out.insert(f.name.clone(), Value::Array(items));
            }
            _ => {
                if let Some(v) = form.get(&name) {
                    out.insert(f.name.clone(), Value::String(v.clone()));
                }
            }
        }
    }
    out
}

//! A procedure's application form, described by its `form_schema` (a subset of JSON Schema
//! with a few extensions), turned into questions the portal asks, and answers checked on the
//! server. Field kinds: text (`type: string`, `maxLength`), long text (`format: textarea`),
//! number (`integer`/`number`, `minimum`, `maximum`), date (`format: date`), choice (`enum`,
//! with `x-labels`), citizen ID (`format: cccd`), tax code (`format: tax-code`), address
//! (`format: address`: province and commune of the 2025 list plus a street line), yes/no
//! (`boolean`) and repeating groups (`type: array` of objects, `minItems`, `maxItems`). A field
//! with `x-show-if: {"field": F, "equals": V}` is asked only when field F has value V; its
//! answer is dropped otherwise. `required` lists what must be answered; `x-order` lists the
//! questions in the order they are asked (JSON objects have none of their own).

use motcua_domain::ids::{Cccd, TaxCode};
use motcua_domain::units::AdminUnits;
use motcua_domain::{Localise, Wording};
use serde_json::{Map, Value};

/// What kind of answer a field takes.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Text {
        max: usize,
    },
    LongText {
        max: usize,
    },
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    Number {
        min: Option<f64>,
        max: Option<f64>,
    },
    Date,
    Choice {
        options: Vec<(String, String)>,
    },
    Cccd,
    TaxCode,
    Address,
    YesNo,
    Group {
        fields: Vec<Field>,
        min: usize,
        max: usize,
    },
}

/// A condition for asking a field.
#[derive(Debug, Clone, PartialEq)]
pub struct ShowIf {
    pub field: String,
    pub equals: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub title: String,
    pub hint: Option<String>,
    pub required: bool,
    pub kind: FieldKind,
    pub show_if: Option<ShowIf>,
}

/// A problem with one answer; `path` is the field name, or `group[2].field` inside a group.
/// It says itself in either language ([`Localise`]), so it is put into words only when shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormProblem {
    pub path: String,
    pub code: &'static str,
    wording: Wording,
}

impl Localise for FormProblem {
    fn code(&self) -> &'static str {
        self.code
    }

    fn wording(&self) -> Wording {
        self.wording.clone()
    }
}

/// The form's questions in schema order. Unknown constructs are skipped, so a catalog
/// carrying richer schemas still yields the questions this version understands.
pub fn fields(schema: &Value) -> Vec<Field> {
    object_fields(schema)
}

fn object_fields(schema: &Value) -> Vec<Field> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    // JSON objects carry no order once parsed; `x-order` gives it (the rest follow by name).
    let mut names: Vec<&str> = schema
        .get("x-order")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter(|n| props.contains_key(*n))
                .collect()
        })
        .unwrap_or_default();
    for name in props.keys() {
        if !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    names
        .into_iter()
        .filter_map(|name| field(name, &props[name], required.contains(&name)))
        .collect()
}

fn field(name: &str, p: &Value, required: bool) -> Option<Field> {
    let s = |k: &str| p.get(k).and_then(Value::as_str);
    let kind = match (s("type")?, s("format")) {
        ("string", _) if p.get("enum").is_some() => {
            let values = p.get("enum")?.as_array()?;
            let labels = p.get("x-labels").and_then(Value::as_array);
            FieldKind::Choice {
                options: values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| {
                        let v = v.as_str()?.to_string();
                        let label = labels
                            .and_then(|l| l.get(i))
                            .and_then(Value::as_str)
                            .map_or_else(|| v.clone(), str::to_string);
                        Some((v, label))
                    })
                    .collect(),
            }
        }
        ("string", Some("date")) => FieldKind::Date,
        ("string", Some("cccd")) => FieldKind::Cccd,
        ("string", Some("tax-code")) => FieldKind::TaxCode,
        ("string", Some("textarea")) => FieldKind::LongText {
            max: max_len(p, 4000),
        },
        ("string", _) => {
            let max = max_len(p, 500);
            if max > 500 {
                FieldKind::LongText { max }
            } else {
                FieldKind::Text { max }
            }
        }
        ("integer", _) => FieldKind::Integer {
            min: p.get("minimum").and_then(Value::as_i64),
            max: p.get("maximum").and_then(Value::as_i64),
        },
        ("number", _) => FieldKind::Number {
            min: p.get("minimum").and_then(Value::as_f64),
            max: p.get("maximum").and_then(Value::as_f64),
        },
        ("boolean", _) => FieldKind::YesNo,
        ("object", Some("address")) => FieldKind::Address,
        ("array", _) => FieldKind::Group {
            fields: object_fields(p.get("items")?),
            min: p.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize,
            max: p.get("maxItems").and_then(Value::as_u64).unwrap_or(20) as usize,
        },
        _ => return None,
    };
    let show_if = p.get("x-show-if").and_then(|c| {
        Some(ShowIf {
            field: c.get("field")?.as_str()?.to_string(),
            equals: c.get("equals")?.clone(),
        })
    });
    Some(Field {
        name: name.to_string(),
        title: s("title").unwrap_or(name).to_string(),
        hint: s("description").map(str::to_string),
        required,
        kind,
        show_if,
    })
}

fn max_len(p: &Value, default: usize) -> usize {
    p.get("maxLength")
        .and_then(Value::as_u64)
        .map_or(default, |m| m as usize)
}

/// The wizard's pages: the names of the top-level questions asked together. `x-pages` (a list
/// of lists of names) groups them; otherwise each question has a page of its own (one thing per
/// page). Questions `x-pages` leaves out follow, one per page.
pub fn pages(schema: &Value) -> Vec<Vec<String>> {
    let names: Vec<String> = fields(schema).into_iter().map(|f| f.name).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    if let Some(groups) = schema.get("x-pages").and_then(Value::as_array) {
        for g in groups {
            let page: Vec<String> = g
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .filter(|n| names.iter().any(|x| x == n))
                        .filter(|n| !out.iter().flatten().any(|x| x == n))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            if !page.is_empty() {
                out.push(page);
            }
        }
    }
    for n in names {
        if !out.iter().flatten().any(|x| *x == n) {
            out.push(vec![n]);
        }
    }
    out
}

/// The top-level question an answer path belongs to (`group[1].name` → `group`).
pub fn root(path: &str) -> &str {
    path.split(['.', '[']).next().unwrap_or(path)
}

/// Whether a field is asked, given the answers so far.
pub fn is_shown(field: &Field, answers: &Map<String, Value>) -> bool {
    // Answers from HTML forms are text ("true", "3"); compare in that form too.
    let text = |v: &Value| match v {
        Value::String(s) => s.trim().to_string(),
        other => other.to_string(),
    };
    field.show_if.as_ref().is_none_or(|c| {
        answers
            .get(&c.field)
            .is_some_and(|v| v == &c.equals || text(v) == text(&c.equals))
    })
}

fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.values().all(|v| is_blank(Some(v))),
        _ => false,
    }
}

/// Checks answers against the form; returns them cleaned (trimmed, normalised, hidden and
/// unknown fields dropped) or every problem found.
pub fn validate(schema: &Value, answers: &Value) -> Result<Map<String, Value>, Vec<FormProblem>> {
    let empty = Map::new();
    let answers = answers.as_object().unwrap_or(&empty);
    let mut problems = Vec::new();
    let cleaned = check_object(&fields(schema), answers, "", &mut problems);
    if problems.is_empty() {
        Ok(cleaned)
    } else {
        Err(problems)
    }
}

fn check_object(
    fields: &[Field],
    answers: &Map<String, Value>,
    prefix: &str,
    problems: &mut Vec<FormProblem>,
) -> Map<String, Value> {
    let mut out = Map::new();
    for f in fields {
        if !is_shown(f, answers) {
            continue;
        }
        let path = format!("{prefix}{}", f.name);
        let value = answers.get(&f.name);
        if is_blank(value) {
            if f.required {
                problems.push(problem(
                    &path,
                    "required",
                    Wording::new("error-form-required").arg("title", f.title.clone()),
                ));
            }
            continue;
        }
        let Some(value) = value else { continue };
        match check_value(f, value, &path, problems) {
            Some(v) => {
                out.insert(f.name.clone(), v);
            }
            None => continue,
        }
    }
    out
}

fn problem(path: &str, code: &'static str, wording: Wording) -> FormProblem {
    FormProblem {
        path: path.to_string(),
        code,
        wording,
    }
}

/// A lower layer's error as the problem of one answer.
fn localised(path: &str, e: &dyn Localise) -> FormProblem {
    problem(path, e.code(), e.wording())
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn check_value(
    f: &Field,
    value: &Value,
    path: &str,
    problems: &mut Vec<FormProblem>,
) -> Option<Value> {
    let title = &f.title;
    let bad = |code: &'static str, wording: Wording| problem(path, code, wording);
    let result = match &f.kind {
        FieldKind::Text { max } | FieldKind::LongText { max } => {
            let s = as_text(value);
            match s {
                Some(s) if s.chars().count() > *max => Err(bad(
                    "too_long",
                    Wording::new("error-form-too-long")
                        .arg("title", title.to_string())
                        .arg("max", max.to_string()),
                )),
                Some(s)
                    if s.chars()
                        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') =>
                {
                    Err(bad(
                        "invalid_text",
                        Wording::new("error-form-bad-characters").arg("title", title.to_string()),
                    ))
                }
                Some(s) => Ok(Value::String(s)),
                None => Err(bad(
                    "invalid_text",
                    Wording::new("error-form-not-text").arg("title", title.to_string()),
                )),
            }
        }
        FieldKind::Integer { min, max } => {
            let n = as_text(value).and_then(|s| s.replace(['.', ' '], "").parse::<i64>().ok());
            match n {
                None => Err(bad(
                    "not_a_number",
                    Wording::new("error-form-not-whole-number").arg("title", title.to_string()),
                )),
                Some(n) if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) => Err(bad(
                    "out_of_range",
                    Wording::new("error-form-out-of-range")
                        .arg("title", title.to_string())
                        .arg("min", min.map_or("…".into(), |m| m.to_string()))
                        .arg("max", max.map_or("…".into(), |m| m.to_string())),
                )),
                Some(n) => Ok(Value::from(n)),
            }
        }
        FieldKind::Number { min, max } => {
            let n = as_text(value).and_then(|s| s.replace(',', ".").parse::<f64>().ok());
            match n {
                Some(n)
                    if n.is_finite()
                        && !min.is_some_and(|m| n < m)
                        && !max.is_some_and(|m| n > m) =>
                {
                    serde_json::Number::from_f64(n)
                        .map(Value::Number)
                        .ok_or_else(|| {
                            bad(
                                "not_a_number",
                                Wording::new("error-form-not-a-number")
                                    .arg("title", title.to_string()),
                            )
                        })
                }
                _ => Err(bad(
                    "not_a_number",
                    Wording::new("error-form-number-not-allowed").arg("title", title.to_string()),
                )),
            }
        }
        FieldKind::Date => {
            let s = as_text(value).unwrap_or_default();
            chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                .or_else(|_| chrono::NaiveDate::parse_from_str(&s, "%d/%m/%Y"))
                .map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
                .map_err(|_| {
                    bad(
                        "invalid_date",
                        Wording::new("error-form-invalid-date").arg("title", title.to_string()),
                    )
                })
        }
        FieldKind::Choice { options } => {
            let s = as_text(value).unwrap_or_default();
            if options.iter().any(|(v, _)| *v == s) {
                Ok(Value::String(s))
            } else {
                Err(bad(
                    "invalid_choice",
                    Wording::new("error-form-invalid-choice").arg("title", title.to_string()),
                ))
            }
        }
        FieldKind::Cccd => match Cccd::parse(&as_text(value).unwrap_or_default()) {
            Ok(c) => Ok(Value::String(c.to_string())),
            Err(e) => Err(localised(path, &e)),
        },
        FieldKind::TaxCode => match TaxCode::parse(&as_text(value).unwrap_or_default()) {
            Ok(c) => Ok(Value::String(c.to_string())),
            Err(e) => Err(localised(path, &e)),
        },
        FieldKind::YesNo => match value {
            Value::Bool(b) => Ok(Value::Bool(*b)),
            Value::String(s) if s == "true" || s == "yes" => Ok(Value::Bool(true)),
            Value::String(s) if s == "false" || s == "no" => Ok(Value::Bool(false)),
            _ => Err(bad(
                "invalid_choice",
                Wording::new("error-form-yes-or-no").arg("title", title.to_string()),
            )),
        },
        FieldKind::Address => check_address(value, title, path),
        FieldKind::Group { fields, min, max } => {
            let items = value.as_array().cloned().unwrap_or_default();
            if items.len() < *min || items.len() > *max {
                Err(bad(
                    "group_size",
                    Wording::new("error-form-group-size")
                        .arg("title", title.to_string())
                        .arg("min", min.to_string())
                        .arg("max", max.to_string()),
                ))
            } else {
                let empty = Map::new();
                let out: Vec<Value> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        Value::Object(check_object(
                            fields,
                            item.as_object().unwrap_or(&empty),
                            &format!("{path}[{i}]."),
                            problems,
                        ))
                    })
                    .collect();
                Ok(Value::Array(out))
            }
        }
    };
    match result {
        Ok(v) => Some(v),
        Err(p) => {
            problems.push(p);
            None
        }
    }
}

fn check_address(value: &Value, title: &str, path: &str) -> Result<Value, FormProblem> {
    let get = |k: &str| value.get(k).and_then(as_text).unwrap_or_default();
    let (province, ward, line) = (get("province_code"), get("ward_code"), get("line"));
    let units = AdminUnits::official();
    let ward_ok = units
        .ward(&ward)
        .is_some_and(|w| w.province.as_deref() == Some(province.as_str()));
    if units.province(&province).is_none() || !ward_ok {
        return Err(problem(
            path,
            "invalid_address",
            Wording::new("error-form-invalid-address").arg("title", title.to_string()),
        ));
    }
    if line.chars().count() > 200 || line.chars().any(char::is_control) {
        return Err(problem(
            path,
            "too_long",
            Wording::new("error-form-street-too-long"),
        ));
    }
    Ok(serde_json::json!({"province_code": province, "ward_code": ward, "line": line}))
}

/// The answers as lines to read (the officer's page, the receipt): each question asked and
/// answered, with its title and the answer in words — a choice by its label, a date as
/// dd/mm/yyyy, yes/no as "Có"/"Không", an address with its commune's and province's names, a
/// group's entries numbered. Answers the form does not know are left out.
pub fn summary(schema: &Value, answers: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(answers) = answers.as_object() {
        summarise(&fields(schema), answers, "", &mut out);
    }
    out
}

fn summarise(
    fields: &[Field],
    answers: &Map<String, Value>,
    prefix: &str,
    out: &mut Vec<(String, String)>,
) {
    for f in fields.iter().filter(|f| is_shown(f, answers)) {
        let Some(value) = answers.get(&f.name).filter(|v| !is_blank(Some(v))) else {
            continue;
        };
        let title = format!("{prefix}{}", f.title);
        let text = match &f.kind {
            FieldKind::Group { fields, .. } => {
                for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                    if let Some(item) = item.as_object() {
                        summarise(fields, item, &format!("{title} {}: ", i + 1), out);
                    }
                }
                continue;
            }
            FieldKind::Choice { options } => {
                let v = as_text(value).unwrap_or_default();
                options
                    .iter()
                    .find(|(o, _)| *o == v)
                    .map_or(v, |(_, label)| label.clone())
            }
            FieldKind::Date => {
                let v = as_text(value).unwrap_or_default();
                chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                    .map_or(v, |d| d.format("%d/%m/%Y").to_string())
            }
            FieldKind::YesNo => match value.as_bool() {
                Some(true) => "Có".to_string(),
                Some(false) => "Không".to_string(),
                None => as_text(value).unwrap_or_default(),
            },
            FieldKind::Address => {
                let get = |k: &str| value.get(k).and_then(as_text).unwrap_or_default();
                let units = AdminUnits::official();
                let ward = units.ward(&get("ward_code")).map(|w| w.name.clone());
                let province = units
                    .province(&get("province_code"))
                    .map(|p| p.name.clone());
                [Some(get("line")), ward, province]
                    .into_iter()
                    .flatten()
                    .filter(|s| !s.trim().is_empty())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
            _ => as_text(value).unwrap_or_default(),
        };
        out.push((title, text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_domain::Lang;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "required": ["ho_ten", "ngay_sinh", "gioi_tinh", "cccd", "dia_chi"],
            "x-order": ["ho_ten", "ngay_sinh", "gioi_tinh", "cccd", "mst", "so_con", "dia_chi", "da_ket_hon", "ten_vo_chong", "thanh_vien"],
            "properties": {
                "ho_ten": {"type": "string", "title": "Họ và tên", "maxLength": 100},
                "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh"},
                "gioi_tinh": {"type": "string", "enum": ["nam", "nu"], "x-labels": ["Nam", "Nữ"], "title": "Giới tính"},
                "cccd": {"type": "string", "format": "cccd", "title": "Số định danh cá nhân"},
                "mst": {"type": "string", "format": "tax-code", "title": "Mã số thuế"},
                "so_con": {"type": "integer", "minimum": 0, "maximum": 20, "title": "Số con"},
                "dia_chi": {"type": "object", "format": "address", "title": "Nơi thường trú"},
                "da_ket_hon": {"type": "boolean", "title": "Đã kết hôn"},
                "ten_vo_chong": {"type": "string", "title": "Họ tên vợ/chồng", "x-show-if": {"field": "da_ket_hon", "equals": true}},
                "thanh_vien": {"type": "array", "title": "Thành viên hộ", "maxItems": 2, "items": {
                    "type": "object", "required": ["ten"], "x-order": ["ten", "quan_he"],
                    "properties": {"ten": {"type": "string", "title": "Họ tên"}, "quan_he": {"type": "string", "title": "Quan hệ"}}
                }}
            }
        })
    }

    #[test]
    fn reads_every_field_kind_in_order() {
        let f = fields(&schema());
        let names: Vec<&str> = f.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "ho_ten",
                "ngay_sinh",
                "gioi_tinh",
                "cccd",
                "mst",
                "so_con",
                "dia_chi",
                "da_ket_hon",
                "ten_vo_chong",
                "thanh_vien"
            ]
        );
        assert!(
            matches!(&f[2].kind, FieldKind::Choice { options } if options[1] == ("nu".into(), "Nữ".into()))
        );
        assert!(
            matches!(&f[9].kind, FieldKind::Group { fields, max: 2, .. } if fields.len() == 2 && fields[0].required)
        );
        assert!(f[8].show_if.is_some());
    }

    #[test]
    fn good_answers_come_back_clean() {
        let answers = json!({
            "ho_ten": "  Nguyễn Văn An ", "ngay_sinh": "27/3/2005", "gioi_tinh": "nam",
            "cccd": "022205001234", "mst": "", "so_con": "2",
            "dia_chi": {"province_code": "22", "ward_code": "06652", "line": "Tổ 3"},
            "da_ket_hon": "false", "ten_vo_chong": "dropped because hidden",
            "thanh_vien": [{"ten": "Nguyễn Thị Bình", "quan_he": "Mẹ"}],
            "unknown": "dropped"
        });
        let out = validate(&schema(), &answers).unwrap();
        assert_eq!(out["ho_ten"], "Nguyễn Văn An");
        assert_eq!(out["ngay_sinh"], "2005-03-27");
        assert_eq!(out["so_con"], 2);
        assert_eq!(out["da_ket_hon"], false);
        assert!(!out.contains_key("ten_vo_chong"));
        assert!(!out.contains_key("unknown"));
        assert!(!out.contains_key("mst"));
        // Read back in words, for the officer and the receipt.
        let lines = summary(&schema(), &Value::Object(out));
        let said = |q: &str| lines.iter().find(|(t, _)| t == q).map(|(_, a)| a.as_str());
        assert_eq!(said("Họ và tên"), Some("Nguyễn Văn An"));
        assert_eq!(said("Ngày sinh"), Some("27/03/2005"));
        assert_eq!(said("Giới tính"), Some("Nam"));
        assert!(
            said("Nơi thường trú")
                .is_some_and(|a| a.starts_with("Tổ 3, ") && a.ends_with("Quảng Ninh"))
        );
        assert!(
            lines
                .iter()
                .any(|(t, a)| t.ends_with(" 1: Quan hệ") && a == "Mẹ")
        );
    }

    #[test]
    fn every_problem_is_named_with_its_path() {
        let answers = json!({
            "ho_ten": "", "ngay_sinh": "31/2/2005", "gioi_tinh": "khac", "cccd": "12345",
            "mst": "0100109107", "so_con": 50,
            "dia_chi": {"province_code": "22", "ward_code": "00004"},
            "da_ket_hon": true,
            "thanh_vien": [{"quan_he": "Con"}, {"ten": "A"}, {"ten": "B"}]
        });
        let problems = validate(&schema(), &answers).unwrap_err();
        let paths: Vec<(&str, &str)> = problems.iter().map(|p| (p.path.as_str(), p.code)).collect();
        assert_eq!(
            paths,
            [
                ("ho_ten", "required"),
                ("ngay_sinh", "invalid_date"),
                ("gioi_tinh", "invalid_choice"),
                ("cccd", "cccd_wrong_length"),
                ("mst", "tax_code_check_digit"),
                ("so_con", "out_of_range"),
                ("dia_chi", "invalid_address"),
                ("thanh_vien", "group_size"),
            ]
        );
        assert!(motcua_i18n::localise(Lang::En, &problems[0]).contains("Họ và tên"));
        // Inside a group each entry is checked on its own.
        let answers = json!({"thanh_vien": [{"quan_he": "Con"}]});
        let problems = validate(&schema(), &answers).unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.path == "thanh_vien[0].ten" && p.code == "required")
        );
        // A conditional question, when asked, is checked like any other.
        let answers = json!({"da_ket_hon": true, "ten_vo_chong": "x".repeat(501)});
        let problems = validate(&schema(), &answers).unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.path == "ten_vo_chong" && p.code == "too_long")
        );
    }

    #[test]
    fn one_question_per_page_unless_grouped() {
        let mut s = schema();
        assert_eq!(pages(&s).len(), 10);
        assert_eq!(pages(&s)[0], ["ho_ten"]);
        s["x-pages"] = json!([
            ["ho_ten", "ngay_sinh", "gioi_tinh"],
            ["dia_chi", "nope"],
            ["ho_ten"]
        ]);
        let p = pages(&s);
        assert_eq!(p[0], ["ho_ten", "ngay_sinh", "gioi_tinh"]);
        assert_eq!(p[1], ["dia_chi"]);
        assert_eq!(p[2], ["cccd"], "the rest follow in order, one per page");
        assert_eq!(p.len(), 2 + 6);
        assert_eq!(root("thanh_vien[2].ten"), "thanh_vien");
        assert_eq!(root("dia_chi.ward_code"), "dia_chi");
    }

    #[test]
    fn the_shipped_catalog_schema_works() {
        let s = json!({"type": "object", "properties": {"ghi_chu": {"type": "string", "title": "Nội dung đề nghị", "maxLength": 2000}}});
        let f = fields(&s);
        assert!(matches!(f[0].kind, FieldKind::LongText { max: 2000 }));
        assert!(validate(&s, &json!({})).unwrap().is_empty());
    }
}

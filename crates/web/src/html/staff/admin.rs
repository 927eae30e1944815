//! Administration of the centre's set-up, for administrators only: agencies (tree and
//! identifier codes), branches and counters, users and roles, procedures' workflows and time
//! limits, holidays and day swaps, API clients. Every change names its reason and is written
//! with its audit entry in one transaction (`Work::administer`), chained with dossier events.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use motcua_domain::Lang;
use motcua_domain::calendar::{DayKind, DayOverride, ProcessingTime};
use motcua_domain::ids::{AgencyCode, ProcedureCode};
use motcua_domain::procedure::StepPlan;
use motcua_domain::role::{Actor, Role};
use motcua_store::{
    AdminChange, AdminOp, Agency, AgencyKind, ApiKey, Branch, Counter, Scope, User,
};

use crate::html::citizen::account::local;
use crate::html::forms::{Fields, get, see_other};
use crate::html::staff::office::Officer;
use crate::html::{Chrome, render};
use motcua_app::App;
use motcua_app::secrets::{hash_password, new_secret, sha256_hex};

/// The sections of the administration area.
const SECTIONS: [&str; 7] = [
    "agencies",
    "branches",
    "users",
    "procedures",
    "calendar",
    "templates",
    "api-clients",
];

/// One input of a section's form.
pub(crate) struct Input {
    name: &'static str,
    label: String,
    hint: String,
    /// `text`, `password`, `textarea`, `select` or `checkbox`.
    kind: &'static str,
    value: String,
    options: Vec<(String, String, bool)>,
}

impl Input {
    fn new(c: &Chrome, name: &'static str, kind: &'static str) -> Input {
        Input {
            name,
            label: c.tr.t(&format!("admin-field-{name}")),
            hint: String::new(),
            kind,
            value: String::new(),
            options: Vec::new(),
        }
    }

    fn hint(mut self, c: &Chrome) -> Input {
        self.hint = c.tr.t(&format!("admin-hint-{}", self.name));
        self
    }

    fn value(mut self, v: impl Into<String>) -> Input {
        self.value = v.into();
        self
    }

    fn options(mut self, options: Vec<(String, String)>) -> Input {
        let chosen = self.value.clone();
        self.options = options
            .into_iter()
            .map(|(v, l)| {
                let selected = v == chosen;
                (v, l, selected)
            })
            .collect();
        self
    }
}

#[derive(Template)]
#[template(path = "staff_admin.html")]
struct AdminPage<'a> {
    c: &'a Chrome,
    csrf: String,
    section: &'static str,
    sections: Vec<(&'static str, String, bool)>,
    head: Vec<String>,
    rows: Vec<Vec<String>>,
    inputs: Vec<Input>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    changes: Vec<(String, String, String, String)>,
}

/// The administrator, or the page that says why not (log-in, or 403 for other roles).
fn admin<'a>(c: &Chrome, officer: &'a Officer, here: &str) -> Result<&'a User, Box<Response>> {
    let user = officer.user(here)?;
    if user.role == Role::Administrator {
        Ok(user)
    } else {
        Err(Box::new(crate::html::error_page(
            StatusCode::FORBIDDEN,
            c,
            "admin-forbidden-title",
            c.tr.t("admin-forbidden-lead"),
        )))
    }
}

fn section_of(s: &str) -> Option<&'static str> {
    SECTIONS.into_iter().find(|x| *x == s)
}

fn kinds() -> Vec<(String, String)> {
    AgencyKind::ALL
        .into_iter()
        .map(|k| (k.as_str().to_string(), k.as_str().to_string()))
        .collect()
}

fn staff_roles(c: &Chrome) -> Vec<(String, String)> {
    Role::ALL
        .into_iter()
        .filter(|r| r.is_staff())
        .map(|r| {
            (
                r.as_str().to_string(),
                c.tr.t(&format!("role-{}", r.as_str())),
            )
        })
        .collect()
}

/// The table and form of a section; `f` refills the form after a refused change.
async fn page(
    state: &App,
    c: &Chrome,
    officer: &Officer,
    section: &'static str,
    f: &BTreeMap<String, String>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
) -> Response {
    let store = &state.store;
    let t = |k: &str| c.tr.t(k);
    let v = |k: &str| get(f, k).to_string();
    let agencies = store.agencies().await.unwrap_or_default();
    let agency_options: Vec<(String, String)> = std::iter::once((String::new(), String::new()))
        .chain(
            agencies
                .iter()
                .map(|a| (a.code.to_string(), format!("{} – {}", a.code, a.name))),
        )
        .collect();
    let (head, rows, inputs): (Vec<String>, Vec<Vec<String>>, Vec<Input>) = match section {
        "agencies" => {
            // The tree: each agency under its parent, indented by depth.
            let mut rows = Vec::new();
            fn walk(
                all: &[Agency],
                parent: Option<AgencyCode>,
                depth: usize,
                out: &mut Vec<Vec<String>>,
            ) {
                for a in all.iter().filter(|a| a.parent == parent) {
                    out.push(vec![
                        format!("{}{}", "— ".repeat(depth), a.name),
                        a.code.to_string(),
                        a.kind.as_str().to_string(),
                    ]);
                    walk(all, Some(a.code), depth + 1, out);
                }
            }
            walk(&agencies, None, 0, &mut rows);
            (
                vec![
                    t("admin-col-name"),
                    t("admin-col-code"),
                    t("admin-col-kind"),
                ],
                rows,
                vec![
                    Input::new(c, "code", "text").hint(c).value(v("code")),
                    Input::new(c, "parent", "select")
                        .value(v("parent"))
                        .options(agency_options.clone()),
                    Input::new(c, "name", "text").value(v("name")),
                    Input::new(c, "kind", "select")
                        .value(v("kind"))
                        .options(kinds()),
                ],
            )
        }
        "branches" => (
            vec![
                t("admin-col-code"),
                t("admin-col-name"),
                t("admin-col-counters"),
            ],
            store
                .branches()
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|b| {
                    vec![
                        b.code,
                        b.name,
                        b.counters
                            .iter()
                            .map(|c| c.label.clone())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ]
                })
                .collect(),
            vec![
                Input::new(c, "code", "text").value(v("code")),
                Input::new(c, "agency", "select")
                    .value(v("agency"))
                    .options(agency_options.clone()),
                Input::new(c, "name", "text").value(v("name")),
                Input::new(c, "address", "text").value(v("address")),
                Input::new(c, "hours", "text").value(v("hours")),
                Input::new(c, "counters", "textarea")
                    .hint(c)
                    .value(v("counters")),
            ],
        ),
        "users" => (
            vec![
                t("admin-col-username"),
                t("admin-col-name"),
                t("admin-col-role"),
                t("admin-col-agency"),
            ],
            store
                .users()
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|u| {
                    vec![
                        u.username,
                        u.full_name,
                        format!(
                            "{}{}",
                            t(&format!("role-{}", u.role.as_str())),
                            if u.active {
                                String::new()
                            } else {
                                format!(" ({})", t("admin-inactive"))
                            }
                        ),
                        u.agency.map(|a| a.to_string()).unwrap_or_default(),
                    ]
                })
                .collect(),
            vec![
                Input::new(c, "username", "text").value(v("username")),
                Input::new(c, "name", "text").value(v("name")),
                Input::new(c, "role", "select")
                    .value(v("role"))
                    .options(staff_roles(c)),
                Input::new(c, "agency", "select")
                    .value(v("agency"))
                    .options(agency_options.clone()),
                Input::new(c, "password", "password").hint(c),
                Input::new(c, "active", "checkbox").value(
                    if f.is_empty() || f.contains_key("active") {
                        "1"
                    } else {
                        ""
                    },
                ),
            ],
        ),
        "procedures" => {
            let chosen = match v("code").parse::<ProcedureCode>() {
                Ok(code) => store.procedure(&code).await.ok().flatten(),
                Err(_) => None,
            };
            let steps = chosen.as_ref().map(|p| {
                p.steps
                    .iter()
                    .map(|s| {
                        format!(
                            "{} | {} | {} | {}",
                            s.name,
                            s.agency.map(|a| a.to_string()).unwrap_or_default(),
                            s.role.as_str(),
                            s.budget_hours
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            let days = chosen.as_ref().and_then(|p| match p.processing_time {
                Some(ProcessingTime::WorkingDays(d)) => Some(d.to_string()),
                _ => None,
            });
            (
                vec![
                    t("admin-col-code"),
                    t("admin-col-name"),
                    t("admin-col-steps"),
                ],
                chosen
                    .iter()
                    .map(|p| {
                        vec![
                            p.code.to_string(),
                            p.name.clone(),
                            p.steps.len().to_string(),
                        ]
                    })
                    .collect(),
                vec![
                    Input::new(c, "code", "text").hint(c).value(v("code")),
                    Input::new(c, "days", "text")
                        .value(f.get("days").cloned().or(days).unwrap_or_default()),
                    Input::new(c, "steps", "textarea")
                        .hint(c)
                        .value(f.get("steps").cloned().or(steps).unwrap_or_default()),
                ],
            )
        }
        "calendar" => (
            vec![
                t("admin-col-date"),
                t("admin-col-kind"),
                t("admin-col-name"),
            ],
            store
                .calendar_days()
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|d| {
                    vec![
                        d.date.format("%d/%m/%Y").to_string(),
                        t(match d.kind {
                            DayKind::Off => "admin-day-off",
                            DayKind::Working => "admin-day-working",
                        }),
                        d.name,
                    ]
                })
                .collect(),
            vec![
                Input::new(c, "date", "text").hint(c).value(v("date")),
                Input::new(c, "day_kind", "select")
                    .value(v("day_kind"))
                    .options(vec![
                        ("off".into(), t("admin-day-off")),
                        ("working".into(), t("admin-day-working")),
                    ]),
                Input::new(c, "name", "text").value(v("name")),
            ],
        ),
        "templates" => {
            let set = motcua_notify::Overrides::from_settings(
                &store
                    .settings_with_prefix(motcua_notify::TEMPLATE_SETTING_PREFIX)
                    .await
                    .unwrap_or_default(),
            );
            let templates = motcua_notify::templates();
            let keys = templates
                .iter()
                .map(|(k, ..)| (k.clone(), k.clone()))
                .collect();
            (
                vec![
                    t("admin-col-template"),
                    "Tiếng Việt".into(),
                    "English".into(),
                ],
                templates
                    .into_iter()
                    .map(|(k, vi, en)| {
                        let vi = set.wording(Lang::Vi, &k).unwrap_or(vi);
                        let en = set.wording(Lang::En, &k).unwrap_or(en);
                        vec![k, vi, en]
                    })
                    .collect(),
                vec![
                    Input::new(c, "template", "select")
                        .value(v("template"))
                        .options(keys),
                    Input::new(c, "lang", "select")
                        .value(v("lang"))
                        .options(vec![
                            ("vi".into(), "Tiếng Việt".into()),
                            ("en".into(), "English".into()),
                        ]),
                    Input::new(c, "text", "textarea").hint(c).value(v("text")),
                ],
            )
        }
        _ => (
            vec![
                t("admin-col-name"),
                t("admin-col-agency"),
                t("admin-col-scopes"),
            ],
            store
                .api_keys()
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|k| {
                    let scopes: Vec<&str> = k.scopes.iter().map(|s| s.as_str()).collect();
                    let revoked = if k.revoked {
                        format!(" ({})", t("admin-revoked"))
                    } else {
                        String::new()
                    };
                    vec![
                        k.name,
                        k.agency.to_string(),
                        format!("{}{revoked}", scopes.join(" ")),
                    ]
                })
                .collect(),
            vec![
                Input::new(c, "name", "text").value(v("name")),
                Input::new(c, "agency", "select")
                    .value(v("agency"))
                    .options(agency_options.clone()),
                Input::new(c, "scopes", "text").hint(c).value(v("scopes")),
                Input::new(c, "revoke", "checkbox"),
            ],
        ),
    };
    let changes = store
        .admin_changes(20)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|ch| {
            (
                local(ch.at),
                ch.actor.id,
                format!("{} {}", ch.entity, ch.key),
                ch.reason,
            )
        })
        .collect();
    let mut inputs = inputs;
    inputs.push(Input::new(c, "reason", "text").hint(c).value(v("reason")));
    let status = crate::html::forms::form_status(&errors);
    let page = AdminPage {
        c,
        csrf: officer.csrf(),
        section,
        sections: SECTIONS
            .into_iter()
            .map(|s| (s, c.tr.t(&format!("admin-section-{s}")), s == section))
            .collect(),
        head,
        rows,
        inputs,
        notice,
        errors,
        changes,
    };
    render(status, c, &page)
}

pub(crate) async fn show(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Path(section): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("staff");
    let Some(section) = section_of(&section) else {
        return crate::html::staff::office::not_found(&c);
    };
    if let Err(r) = admin(&c, &officer, &format!("/staff/admin/{section}")) {
        return *r;
    }
    let notice = q.contains_key("done").then(|| c.tr.t("admin-saved"));
    let form: BTreeMap<String, String> = q.into_iter().filter(|(k, _)| k == "code").collect();
    page(&state, &c, &officer, section, &form, notice, Vec::new()).await
}

/// A refused change: the field it is about and why.
type Refusal = (&'static str, String);

fn required(
    c: &Chrome,
    f: &BTreeMap<String, String>,
    name: &'static str,
) -> Result<String, Refusal> {
    let v = get(f, name).trim();
    if v.is_empty() || v.chars().count() > 300 {
        Err((name, c.tr.t("admin-required")))
    } else {
        Ok(v.to_string())
    }
}

fn agency_code(
    c: &Chrome,
    f: &BTreeMap<String, String>,
    name: &'static str,
) -> Result<AgencyCode, Refusal> {
    AgencyCode::parse(get(f, name).trim()).map_err(|_| (name, c.tr.t("admin-bad-agency")))
}

/// The change a section's form asks for, with its record for the audit entry.
async fn change_of(
    state: &App,
    c: &Chrome,
    section: &str,
    f: &BTreeMap<String, String>,
) -> Result<(AdminOp, String, serde_json::Value, Option<String>), Refusal> {
    let known = |code: &AgencyCode, agencies: &[Agency]| agencies.iter().any(|a| a.code == *code);
    let agencies = state.store.agencies().await.unwrap_or_default();
    match section {
        "agencies" => {
            let code = agency_code(c, f, "code")?;
            let parent = match get(f, "parent").trim() {
                "" => None,
                _ => Some(agency_code(c, f, "parent")?),
            };
            if parent.is_some_and(|p| p == code || !known(&p, &agencies)) {
                return Err(("parent", c.tr.t("admin-bad-agency")));
            }
            let kind =
                AgencyKind::parse(get(f, "kind")).ok_or(("kind", c.tr.t("admin-required")))?;
            let earlier = agencies.iter().find(|a| a.code == code);
            let a = Agency {
                code,
                parent,
                name: required(c, f, "name")?,
                name_en: earlier.and_then(|a| a.name_en.clone()),
                kind,
                admin_unit_code: earlier.and_then(|a| a.admin_unit_code.clone()),
            };
            let record = serde_json::to_value(&a).unwrap_or_default();
            Ok((AdminOp::Agency(a), code.to_string(), record, None))
        }
        "branches" => {
            let agency = agency_code(c, f, "agency")?;
            if !known(&agency, &agencies) {
                return Err(("agency", c.tr.t("admin-bad-agency")));
            }
            let mut counters = Vec::new();
            for line in get(f, "counters")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
            {
                let (n, label) = line.split_once('|').unwrap_or((line, ""));
                let number: i64 = n
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or(("counters", c.tr.t("admin-bad-counters")))?;
                let label = match label.trim() {
                    "" => format!("Quầy {number}"),
                    l => l.to_string(),
                };
                counters.push(Counter { number, label });
            }
            let b = Branch {
                code: required(c, f, "code")?,
                agency,
                name: required(c, f, "name")?,
                address: get(f, "address").trim().to_string(),
                hours: get(f, "hours").trim().to_string(),
                counters,
            };
            let record = serde_json::to_value(&b).unwrap_or_default();
            Ok((AdminOp::Branch(b.clone()), b.code, record, None))
        }
        "users" => {
            let username = required(c, f, "username")?.to_lowercase();
            let role: Role = get(f, "role")
                .parse()
                .ok()
                .filter(|r: &Role| r.is_staff())
                .ok_or(("role", c.tr.t("admin-required")))?;
            let agency = agency_code(c, f, "agency")?;
            if !known(&agency, &agencies) {
                return Err(("agency", c.tr.t("admin-bad-agency")));
            }
            let earlier = state.store.user(&username).await.ok().flatten();
            let password = get(f, "password");
            let password_hash = match (password.is_empty(), earlier) {
                (true, Some(u)) => u.password_hash,
                (true, None) => return Err(("password", c.tr.t("admin-password-needed"))),
                (false, _) if password.chars().count() < 10 => {
                    return Err(("password", c.tr.t("admin-password-short")));
                }
                (false, _) => {
                    let p = password.to_string();
                    tokio::task::spawn_blocking(move || hash_password(&p))
                        .await
                        .ok()
                        .and_then(Result::ok)
                        .ok_or(("password", c.tr.t("admin-password-short")))?
                }
            };
            let u = User {
                username: username.clone(),
                full_name: required(c, f, "name")?,
                role,
                agency: Some(agency),
                password_hash,
                active: f.contains_key("active"),
            };
            let record = serde_json::json!({
                "username": u.username, "full_name": u.full_name, "role": u.role,
                "agency": agency.to_string(), "active": u.active,
                "password_changed": !password.is_empty(),
            });
            Ok((AdminOp::User(u), username, record, None))
        }
        "procedures" => {
            let code: ProcedureCode = get(f, "code")
                .trim()
                .parse()
                .map_err(|_| ("code", c.tr.t("admin-bad-procedure")))?;
            let mut p = state
                .store
                .procedure(&code)
                .await
                .ok()
                .flatten()
                .ok_or(("code", c.tr.t("admin-bad-procedure")))?;
            let days: u32 = get(f, "days")
                .trim()
                .parse()
                .ok()
                .filter(|d| (1..=365).contains(d))
                .ok_or(("days", c.tr.t("admin-bad-days")))?;
            let mut steps = Vec::new();
            for line in get(f, "steps")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
            {
                let parts: Vec<&str> = line.split('|').map(str::trim).collect();
                let bad = || ("steps", c.tr.t("admin-bad-steps"));
                let [name, agency, role, hours] = parts[..] else {
                    return Err(bad());
                };
                let agency = match agency {
                    "" => None,
                    a => Some(
                        AgencyCode::parse(a)
                            .ok()
                            .filter(|a| known(a, &agencies))
                            .ok_or_else(bad)?,
                    ),
                };
                let role: Role = role
                    .parse()
                    .ok()
                    .filter(|r: &Role| r.is_staff())
                    .ok_or_else(bad)?;
                let budget_hours: u32 = hours.parse().ok().filter(|h| *h > 0).ok_or_else(bad)?;
                if name.is_empty() {
                    return Err(bad());
                }
                steps.push(StepPlan {
                    name: name.to_string(),
                    agency,
                    role,
                    budget_hours,
                });
            }
            p.steps = steps;
            p.processing_time = Some(ProcessingTime::WorkingDays(days));
            let record =
                serde_json::json!({"steps": p.steps, "processing_time": p.processing_time});
            Ok((
                AdminOp::Procedure(Box::new(p)),
                code.to_string(),
                record,
                Some(code.to_string()),
            ))
        }
        "calendar" => {
            let date = NaiveDate::parse_from_str(get(f, "date").trim(), "%Y-%m-%d")
                .map_err(|_| ("date", c.tr.t("admin-bad-date")))?;
            let kind = match get(f, "day_kind") {
                "off" => DayKind::Off,
                "working" => DayKind::Working,
                _ => return Err(("day_kind", c.tr.t("admin-required"))),
            };
            let d = DayOverride {
                date,
                kind,
                name: required(c, f, "name")?,
            };
            let record =
                serde_json::json!({"date": date, "kind": get(f, "day_kind"), "name": d.name});
            Ok((AdminOp::CalendarDay(d), date.to_string(), record, None))
        }
        "templates" => {
            let key = get(f, "template").to_string();
            let lang = match get(f, "lang") {
                "vi" => Lang::Vi,
                "en" => Lang::En,
                _ => return Err(("lang", c.tr.t("admin-required"))),
            };
            let text = get(f, "text").trim().to_string();
            motcua_notify::check_template(&key, &text, lang)
                .map_err(|e| ("text", format!("{} {e}", c.tr.t("admin-bad-template"))))?;
            let setting = format!(
                "{}{}:{key}",
                motcua_notify::TEMPLATE_SETTING_PREFIX,
                lang.code()
            );
            let record = serde_json::json!({"lang": lang.code(), "text": text});
            Ok((
                AdminOp::Setting {
                    key: setting,
                    value: text,
                },
                format!("{}:{key}", lang.code()),
                record,
                None,
            ))
        }
        _ => {
            let name = required(c, f, "name")?;
            if f.contains_key("revoke") {
                let mut k = state
                    .store
                    .api_keys()
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .find(|k| k.name == name && !k.revoked)
                    .ok_or(("name", c.tr.t("admin-no-such-key")))?;
                k.revoked = true;
                let record = serde_json::json!({"agency": k.agency.to_string(), "scopes": k.scopes, "revoked": true});
                return Ok((AdminOp::ApiKey(k), name, record, None));
            }
            let agency = agency_code(c, f, "agency")?;
            if !known(&agency, &agencies) {
                return Err(("agency", c.tr.t("admin-bad-agency")));
            }
            let scopes: Vec<Scope> = get(f, "scopes")
                .split_whitespace()
                .map(|s| Scope::parse(s).ok_or(("scopes", c.tr.t("admin-bad-scopes"))))
                .collect::<Result<_, _>>()?;
            if scopes.is_empty() {
                return Err(("scopes", c.tr.t("admin-bad-scopes")));
            }
            let key = new_secret("mck_");
            let k = ApiKey {
                name: name.clone(),
                agency,
                scopes,
                key_hash: sha256_hex(&key),
                revoked: false,
            };
            let record = serde_json::json!({"agency": agency.to_string(), "scopes": k.scopes, "revoked": false});
            Ok((AdminOp::ApiKey(k), name, record, Some(key)))
        }
    }
}

pub(crate) async fn save(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Path(section): Path<String>,
    axum::Form(f): Fields,
) -> Response {
    let c = c.with_nav("staff");
    let Some(section) = section_of(&section) else {
        return crate::html::staff::office::not_found(&c);
    };
    let here = format!("/staff/admin/{section}");
    if let Err(r) = admin(&c, &officer, &here) {
        return *r;
    }
    let user = match officer.form(&c, &here, get(&f, "csrf")) {
        Ok(u) => u.clone(),
        Err(r) => return *r,
    };
    let refuse = |(field, message): Refusal| vec![(format!("f-{field}"), message)];
    let reason = match required(&c, &f, "reason") {
        Ok(r) => r,
        Err(e) => return page(&state, &c, &officer, section, &f, None, refuse(e)).await,
    };
    let (op, key, record, extra) = match change_of(&state, &c, section, &f).await {
        Ok(x) => x,
        Err(e) => return page(&state, &c, &officer, section, &f, None, refuse(e)).await,
    };
    let entity = match section {
        "agencies" => "agency",
        "branches" => "branch",
        "users" => "user",
        "procedures" => "procedure",
        "calendar" => "calendar_day",
        "templates" => "template",
        _ => "api_key",
    };
    let change = AdminChange {
        at: Utc::now(),
        actor: Actor::new(user.username.clone(), user.role, user.agency),
        entity: entity.into(),
        key: key.clone(),
        reason,
        record,
    };
    if let Err(e) = state.store.administer(&op, &change).await {
        return crate::html::public::catalog::store_failure(&c, e);
    }
    tracing::info!(entity, key = %key, actor = %user.username, "administration change");
    if let AdminOp::CalendarDay(_) = op
        && let Err(e) = state.reload_calendar().await
    {
        tracing::error!(error = %e, "calendar reload");
    }
    // A new API key is shown once, on this answer (never in a URL); procedures go back to
    // their own form.
    match (section, extra) {
        ("api-clients", Some(key)) => {
            let notice = Some(c.tr.t1("admin-key-made", "key", key));
            let empty = BTreeMap::new();
            page(&state, &c, &officer, section, &empty, notice, Vec::new()).await
        }
        ("procedures", Some(code)) => see_other(&format!("{here}?code={code}&done=1")),
        _ => see_other(&format!("{here}?done=1")),
    }
}

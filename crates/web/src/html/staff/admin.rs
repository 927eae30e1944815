//! Administration of the centre's set-up, for administrators only: agencies (tree and
//! identifier codes), branches and counters, users and roles, procedures' workflows and time
//! limits, holidays and day swaps, API clients. Every change names its reason and is written
//! with its audit entry in one transaction (`Work::administer`), chained with dossier events.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::Lang;
use motcua_domain::calendar::{DayKind, ProcessingTime};
use motcua_domain::ids::{AgencyCode, ProcedureCode};
use motcua_domain::role::Role;
use motcua_store::{Agency, AgencyKind, User};

use crate::html::forms::get;
use crate::html::local;
use crate::html::staff::office::Officer;
use crate::html::{Chrome, render};
use motcua_app::App;

/// The sections of the administration area.
pub(crate) const SECTIONS: [&str; 7] = [
    "agencies",
    "branches",
    "users",
    "procedures",
    "calendar",
    "templates",
    "api-clients",
];

/// The kind of record each section changes, in the sections' order, as the audit trail names
/// it.
pub(crate) const ENTITIES: [&str; 7] = [
    "agency",
    "branch",
    "user",
    "procedure",
    "calendar_day",
    "template",
    "api_key",
];

/// The kind of record a section changes.
pub(crate) fn entity_of(section: &str) -> &'static str {
    SECTIONS
        .iter()
        .position(|s| *s == section)
        .map_or(ENTITIES[ENTITIES.len() - 1], |i| ENTITIES[i])
}

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
pub(crate) struct AdminPage<'a> {
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
    /// A procedure's workflow, step by step (the procedures section).
    steps: Vec<super::admin_steps::StepRow>,
}

/// The administrator, or the page that says why not (log-in, or 403 for other roles).
pub(crate) fn admin<'a>(
    c: &Chrome,
    officer: &'a Officer,
    here: &str,
) -> Result<&'a User, Box<Response>> {
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

/// The administration's tabs: its sections, then the audit trail; `current` is marked.
pub(crate) fn tabs(c: &Chrome, current: &str) -> Vec<(&'static str, String, bool)> {
    SECTIONS
        .into_iter()
        .chain(["audit"])
        .map(|s| (s, c.tr.t(&format!("admin-section-{s}")), s == current))
        .collect()
}

pub(crate) fn section_of(s: &str) -> Option<&'static str> {
    SECTIONS.into_iter().find(|x| *x == s)
}

/// The kinds of agency to choose from, by their names in the page's language.
pub(crate) fn kinds(c: &Chrome) -> Vec<(String, String)> {
    AgencyKind::ALL
        .into_iter()
        .map(|k| (k.as_str().to_string(), kind_label(c, k)))
        .collect()
}

/// "Sở, ban, ngành" for `department`.
fn kind_label(c: &Chrome, k: AgencyKind) -> String {
    c.tr.t(&format!("agency-kind-{}", k.as_str()))
}

pub(crate) fn staff_roles(c: &Chrome) -> Vec<(String, String)> {
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

/// An agency by its name, its code beside it.
fn named(agencies: &[Agency], code: AgencyCode) -> String {
    match agencies.iter().find(|a| a.code == code) {
        Some(a) => format!("{} ({code})", a.name),
        None => code.to_string(),
    }
}

/// The table and form of a section; `f` refills the form after a refused change.
pub(crate) async fn page(
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
    let users = store.users().await.unwrap_or_default();
    let mut steps = Vec::new();
    let (head, rows, inputs): (Vec<String>, Vec<Vec<String>>, Vec<Input>) = match section {
        "agencies" => {
            // The tree: each agency under its parent, indented by depth.
            let mut rows = Vec::new();
            fn walk(
                c: &Chrome,
                all: &[Agency],
                parent: Option<AgencyCode>,
                depth: usize,
                out: &mut Vec<Vec<String>>,
            ) {
                for a in all.iter().filter(|a| a.parent == parent) {
                    out.push(vec![
                        format!("{}{}", "— ".repeat(depth), a.name),
                        a.code.to_string(),
                        kind_label(c, a.kind),
                    ]);
                    walk(c, all, Some(a.code), depth + 1, out);
                }
            }
            walk(c, &agencies, None, 0, &mut rows);
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
                        .options(kinds(c)),
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
                        b.code.to_string(),
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
            users
                .iter()
                .cloned()
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
                        u.agency.map(|a| named(&agencies, a)).unwrap_or_default(),
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
            steps = super::admin_steps::rows(
                c,
                &agencies,
                chosen.as_ref().map_or(&[][..], |p| &p.steps[..]),
                f,
            );
            let days = chosen.as_ref().and_then(|p| match p.processing_time {
                Some(ProcessingTime::WorkingDays(d)) => Some(d.to_string()),
                _ => None,
            });
            // Without a procedure chosen: those whose source left a decision to the
            // administrator (a limit without its unit or none, a fee that could not be read).
            let (head, rows) = match &chosen {
                Some(p) => (
                    vec![
                        t("admin-col-code"),
                        t("admin-col-name"),
                        t("admin-col-steps"),
                    ],
                    vec![vec![
                        p.code.to_string(),
                        p.name.clone(),
                        p.steps.len().to_string(),
                    ]],
                ),
                None => (
                    vec![
                        t("admin-col-code"),
                        t("admin-col-name"),
                        t("admin-col-flags"),
                    ],
                    store
                        .procedures()
                        .await
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|p| {
                            let flags: Vec<String> = p
                                .missing
                                .iter()
                                .filter(|m| *m == "processing_time" || *m == "fees")
                                .map(|m| t(&format!("missing-{m}")))
                                .collect();
                            (!flags.is_empty())
                                .then(|| vec![p.code.to_string(), p.name, flags.join("; ")])
                        })
                        .collect(),
                ),
            };
            (
                head,
                rows,
                vec![
                    Input::new(c, "code", "text").hint(c).value(v("code")),
                    Input::new(c, "days", "text")
                        .value(f.get("days").cloned().or(days).unwrap_or_default()),
                ],
            )
        }
        "calendar" => (
            vec![
                t("admin-col-date"),
                t("admin-col-kind"),
                t("admin-col-name"),
            ],
            // The latest decisions first: the coming year's matter most.
            store
                .calendar_days()
                .await
                .unwrap_or_default()
                .into_iter()
                .rev()
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
                    let scopes: Vec<String> = k
                        .scopes
                        .iter()
                        .map(|s| {
                            format!(
                                "{} ({})",
                                t(&format!("scope-{}", s.as_str().replace(':', "-"))),
                                s.as_str()
                            )
                        })
                        .collect();
                    let revoked = if k.revoked {
                        format!(" ({})", t("admin-revoked"))
                    } else {
                        String::new()
                    };
                    vec![
                        k.name,
                        named(&agencies, k.agency),
                        format!("{}{revoked}", scopes.join(", ")),
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
    let names = super::office::names_of(&users);
    let changes = store
        .admin_changes(20)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|ch| {
            (
                local(ch.at),
                names
                    .get(ch.actor.id.as_str())
                    .map_or_else(|| ch.actor.id.clone(), |n| n.to_string()),
                format!(
                    "{}: {}",
                    super::admin_audit::entity_label(c, &ch.entity),
                    ch.key
                ),
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
        sections: tabs(c, section),
        head,
        rows,
        inputs,
        notice,
        errors,
        changes,
        steps,
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
        return crate::html::staff::dossier::not_found(&c);
    };
    if let Err(r) = admin(&c, &officer, &format!("/staff/admin/{section}")) {
        return *r;
    }
    let notice = q.contains_key("done").then(|| c.tr.t("admin-saved"));
    let form: BTreeMap<String, String> = q.into_iter().filter(|(k, _)| k == "code").collect();
    page(&state, &c, &officer, section, &form, notice, Vec::new()).await
}

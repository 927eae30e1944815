//! A procedure's workflow as the administrator edits it: one group of fields per step (its
//! name, the agency that does it or the deciding one, the officers' role by its Vietnamese
//! name, the working hours it may take, its place in the order), with empty groups to add
//! steps and a box to remove one. Read back into `StepPlan`s, each problem naming its step.

use std::collections::BTreeMap;

use motcua_domain::ids::AgencyCode;
use motcua_domain::procedure::StepPlan;
use motcua_domain::role::Role;
use motcua_store::Agency;

use crate::html::Chrome;
use crate::html::forms::get;

/// Empty groups offered below the steps, to add new ones.
const BLANK: usize = 2;
/// At most this many steps (and groups read back).
const MOST: usize = 30;

/// A choice of a select: value, label, chosen.
type Choice = (String, String, bool);

/// One step's group of fields.
pub(crate) struct StepRow {
    /// 1-based, the field names' index and the legend's number.
    pub(crate) n: usize,
    pub(crate) name: String,
    pub(crate) agencies: Vec<Choice>,
    pub(crate) roles: Vec<Choice>,
    pub(crate) hours: String,
    pub(crate) order: String,
}

fn choices(options: &[(String, String)], chosen: &str) -> Vec<Choice> {
    options
        .iter()
        .map(|(v, l)| (v.clone(), l.clone(), v == chosen))
        .collect()
}

/// The groups for the procedure's `steps`, or for what the refused form `f` held.
pub(crate) fn rows(
    c: &Chrome,
    agencies: &[Agency],
    steps: &[StepPlan],
    f: &BTreeMap<String, String>,
) -> Vec<StepRow> {
    let agency_options: Vec<(String, String)> =
        std::iter::once((String::new(), c.tr.t("admin-step-deciding")))
            .chain(
                agencies
                    .iter()
                    .map(|a| (a.code.to_string(), format!("{} ({})", a.name, a.code))),
            )
            .collect();
    let role_options: Vec<(String, String)> = super::admin::staff_roles(c)
        .into_iter()
        .filter(|(r, _)| r != Role::Administrator.as_str())
        .collect();
    let refilled = submitted(f);
    let count = if refilled.is_empty() {
        (steps.len() + BLANK).min(MOST)
    } else {
        refilled.len()
    };
    (1..=count)
        .map(|n| {
            let field = |k: &str| get(f, &format!("step-{n}-{k}")).to_string();
            let (name, agency, role, hours) = if refilled.is_empty() {
                match steps.get(n - 1) {
                    Some(s) => (
                        s.name.clone(),
                        s.agency.map(|a| a.to_string()).unwrap_or_default(),
                        s.role.as_str().to_string(),
                        s.budget_hours.to_string(),
                    ),
                    None => Default::default(),
                }
            } else {
                (
                    field("name"),
                    field("agency"),
                    field("role"),
                    field("hours"),
                )
            };
            let order = if refilled.is_empty() {
                n.to_string()
            } else {
                field("order")
            };
            StepRow {
                n,
                name,
                agencies: choices(&agency_options, &agency),
                roles: choices(&role_options, &role),
                hours,
                order,
            }
        })
        .collect()
}

/// The step numbers a submitted form holds.
fn submitted(f: &BTreeMap<String, String>) -> Vec<usize> {
    (1..=MOST)
        .filter(|n| f.contains_key(&format!("step-{n}-name")))
        .collect()
}

/// The workflow the form asks for, in its order; a wrong step is named with its problem.
pub(crate) fn parse(
    c: &Chrome,
    f: &BTreeMap<String, String>,
    agencies: &[Agency],
) -> Result<Vec<StepPlan>, String> {
    let mut steps = Vec::new();
    for n in submitted(f) {
        let field = |k: &str| get(f, &format!("step-{n}-{k}")).trim().to_string();
        let name = field("name");
        if name.is_empty() || f.contains_key(&format!("step-{n}-remove")) {
            continue;
        }
        let bad = |key: &str| {
            c.tr.t2(
                "admin-step-bad",
                ("n", n.to_string()),
                ("problem", c.tr.t(key)),
            )
        };
        if name.chars().count() > 200 {
            return Err(bad("admin-step-bad-name"));
        }
        let agency = match field("agency").as_str() {
            "" => None,
            code => Some(
                AgencyCode::parse(code)
                    .ok()
                    .filter(|a| agencies.iter().any(|k| k.code == *a))
                    .ok_or_else(|| bad("admin-step-bad-agency"))?,
            ),
        };
        let role: Role = field("role")
            .parse()
            .ok()
            .filter(|r: &Role| r.is_staff() && *r != Role::Administrator)
            .ok_or_else(|| bad("admin-step-bad-role"))?;
        let budget_hours: u32 = field("hours")
            .parse()
            .ok()
            .filter(|h| (1..=2_000).contains(h))
            .ok_or_else(|| bad("admin-step-bad-hours"))?;
        let order: u32 = match field("order").as_str() {
            "" => u32::try_from(n).unwrap_or(u32::MAX),
            o => o.parse().map_err(|_| bad("admin-step-bad-order"))?,
        };
        steps.push((
            order,
            n,
            StepPlan {
                name,
                agency,
                role,
                budget_hours,
            },
        ));
    }
    if steps.is_empty() {
        return Err(c.tr.t("admin-steps-none"));
    }
    steps.sort_by_key(|(order, n, _)| (*order, *n));
    Ok(steps.into_iter().map(|(_, _, s)| s).collect())
}

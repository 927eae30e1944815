//! The administrators' audit trail (administrators only): every change with who made it,
//! when, why and the record as written, filtered by kind of record; and, on request, a check
//! of the whole chain of events and changes (each linked to the one before by SHA-256), the
//! same check as `motcua audit verify`.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::admin::ENTITIES;
use crate::html::forms::get;
use crate::html::local;
use crate::html::staff::office::Officer;
use crate::html::{Chrome, render};
use motcua_app::App;

/// The changes read for the page, newest first.
const SHOWN: u32 = 500;

/// "Cơ quan, đơn vị" for `agency`.
pub(crate) fn entity_label(c: &Chrome, entity: &str) -> String {
    if ENTITIES.contains(&entity) {
        c.tr.t(&format!("admin-entity-{entity}"))
    } else {
        entity.to_string()
    }
}

struct Entry {
    at: String,
    who: String,
    what: String,
    key: String,
    reason: String,
    record: String,
}

#[derive(Template)]
#[template(path = "staff_audit.html")]
struct AuditPage<'a> {
    c: &'a Chrome,
    sections: Vec<(&'static str, String, bool)>,
    kinds: Vec<(String, String, bool)>,
    entries: Vec<Entry>,
    total: usize,
    /// The chain check's outcome: (intact, words).
    check: Option<(bool, String)>,
}

/// `GET /staff/admin/audit[?entity=…][&verify=1]`.
pub(crate) async fn show(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("staff");
    if let Err(r) = super::admin::admin(&c, &officer, "/staff/admin/audit") {
        return *r;
    }
    let store = &state.store;
    let chosen = get(&q, "entity");
    let users = store.users().await.unwrap_or_default();
    let names = super::office::names_of(&users);
    let changes = match store.admin_changes(SHOWN).await {
        Ok(changes) => changes,
        Err(e) => return crate::html::public::catalog::store_failure(&c, e),
    };
    let entries: Vec<Entry> = changes
        .into_iter()
        .filter(|ch| chosen.is_empty() || ch.entity == chosen)
        .map(|ch| Entry {
            at: local(ch.at),
            who: match names.get(ch.actor.id.as_str()) {
                Some(name) => format!("{name} ({})", ch.actor.id),
                None => ch.actor.id.clone(),
            },
            what: entity_label(&c, &ch.entity),
            key: ch.key,
            reason: ch.reason,
            record: serde_json::to_string_pretty(&ch.record).unwrap_or_default(),
        })
        .collect();
    let check = if q.contains_key("verify") {
        Some(match store.verify_chain().await {
            Ok(r) => match r.broken {
                None => (
                    true,
                    c.tr.t2(
                        "audit-intact",
                        (
                            "events",
                            c.tr.count(i64::try_from(r.events).unwrap_or(i64::MAX)),
                        ),
                        ("head", r.head),
                    ),
                ),
                Some(b) => (
                    false,
                    c.tr.t2(
                        "audit-broken",
                        ("seq", b.seq.to_string()),
                        (
                            "reason",
                            format!("{} {} · {}", b.stream, b.version, b.reason),
                        ),
                    ),
                ),
            },
            Err(e) => return crate::html::public::catalog::store_failure(&c, e),
        })
    } else {
        None
    };
    let page = AuditPage {
        sections: super::admin::tabs(&c, "audit"),
        kinds: std::iter::once((String::new(), c.tr.t("audit-all"), chosen.is_empty()))
            .chain(
                ENTITIES
                    .into_iter()
                    .map(|e| (e.to_string(), entity_label(&c, e), e == chosen)),
            )
            .collect(),
        total: entries.len(),
        entries,
        check,
        c: &c,
    };
    render(StatusCode::OK, &c, &page)
}

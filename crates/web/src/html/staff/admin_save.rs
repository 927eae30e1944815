//! Administration's changes: each section's form checked and saved (administrators only).

use super::admin::admin;
use super::admin::page;
use super::admin::section_of;
use crate::html::Chrome;
use crate::html::forms::{Fields, get, see_other};
use crate::html::staff::office::Officer;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use motcua_app::App;
use motcua_app::secrets::{new_secret, sha256_hex};
use motcua_domain::Lang;
use motcua_domain::calendar::{DayKind, DayOverride, ProcessingTime};
use motcua_domain::ids::{AgencyCode, ProcedureCode};
use motcua_domain::role::{Actor, Role};
use motcua_store::{
    AdminChange, AdminOp, Agency, AgencyKind, ApiKey, Branch, Counter, Scope, User,
};
use std::collections::BTreeMap;

/// A refused change: the field it is about and why.
type Refusal = (&'static str, String);

pub(crate) fn required(
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

pub(crate) fn agency_code(
    c: &Chrome,
    f: &BTreeMap<String, String>,
    name: &'static str,
) -> Result<AgencyCode, Refusal> {
    AgencyCode::parse(get(f, name).trim()).map_err(|_| (name, c.tr.t("admin-bad-agency")))
}

/// The change a section's form asks for, with its record for the audit entry.
pub(crate) async fn change_of(
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
                code: required(c, f, "code")?.into(),
                agency,
                name: required(c, f, "name")?,
                address: get(f, "address").trim().to_string(),
                hours: get(f, "hours").trim().to_string(),
                counters,
            };
            let record = serde_json::to_value(&b).unwrap_or_default();
            Ok((AdminOp::Branch(b.clone()), b.code.to_string(), record, None))
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
                (false, _) => motcua_app::secrets::hash_password_queued(password.to_string())
                    .await
                    .map_err(|e| ("password", c.tr.error(&e)))?,
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
            let steps =
                super::admin_steps::parse(c, f, &agencies).map_err(|problem| ("steps", problem))?;
            p.steps = steps;
            p.processing_time = Some(ProcessingTime::WorkingDays(days));
            p.mark_limit_decided();
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
        return crate::html::staff::dossier::not_found(&c);
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
    let entity = super::admin::entity_of(section);
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

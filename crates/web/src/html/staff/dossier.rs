//! The dossier page of the back office: everything submitted, the history, and the forms that
//! become the same `Command`s the API takes (the lifecycle decides role, scope and status);
//! the electronic result issued from it.

use super::office::Officer;
use super::office::{names_of, role_label};
use crate::html::forms::{Fields, get, see_other};
use crate::html::local;
use crate::html::{Chrome, render};
use crate::i18n::money;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use motcua_app::App;
use motcua_app::dossiers::{self};
use motcua_app::error::AppError;
use motcua_app::principal::Principal;
use motcua_domain::ids::DossierCode;
use motcua_domain::lifecycle::{Command, Status};
use motcua_store::User;
use std::collections::BTreeMap;

#[derive(Template)]
#[template(path = "staff_dossier.html")]
pub(crate) struct DossierPage<'a> {
    c: &'a Chrome,
    csrf: String,
    code: String,
    procedure: String,
    facts: Vec<(String, String)>,
    /// The application form's questions and answers.
    answers: Vec<(String, String)>,
    status: String,
    status_key: &'static str,
    history: Vec<(String, String, String)>,
    slips: Vec<(&'static str, String)>,
    /// Actions the page offers for the status (the lifecycle still decides).
    actions: Vec<&'static str>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    /// SHA-256 of the electronic result, once issued.
    result_hash: Option<String>,
    /// The fee's cases as the source states them (amount, words), to correct the fee with.
    fee_cases: Vec<(i64, String)>,
    /// The files attached: (document, file name, download URL, size).
    attachments: Vec<(String, String, String, String)>,
    /// Who a forward or an assignment may give the dossier to: (username, name and role).
    forward_to: Vec<(String, String)>,
    assign_to: Vec<(String, String)>,
    /// The agencies a transfer may go to: (code, name).
    agencies: Vec<(String, String)>,
}

/// The dossier when the officer may read it; otherwise the page to answer: 404 for a code
/// that is malformed, unknown or out of scope alike, a server error when the store fails.
pub(crate) async fn readable(
    state: &App,
    c: &Chrome,
    user: &User,
    code: &str,
) -> Result<motcua_store::DossierRecord, Response> {
    let Ok(code) = DossierCode::parse(code) else {
        return Err(not_found(c));
    };
    match Principal::Staff(user.clone())
        .read_dossier(state.store.as_ref(), &code)
        .await
    {
        Ok(Some(record)) => Ok(record),
        Ok(None) => Err(not_found(c)),
        Err(e) => Err(crate::html::public::catalog::store_failure(c, e)),
    }
}

pub(crate) fn not_found(c: &Chrome) -> Response {
    crate::html::error_page(
        StatusCode::NOT_FOUND,
        c,
        "not-found-title",
        c.tr.t("not-found-lead"),
    )
}

pub(crate) async fn dossier_page(
    state: &App,
    c: &Chrome,
    officer: &Officer,
    record: &motcua_store::DossierRecord,
    notice: Option<String>,
    errors: Vec<(String, String)>,
) -> Response {
    let d = &record.state;
    let events = state.store.events(&record.code).await.unwrap_or_default();
    // One read of the officers serves the names, the assignee and the lists to choose from.
    let users = state.store.users().await.unwrap_or_default();
    let names = names_of(&users);
    // Officers and the applicant by name; systems by their role alone.
    let history = events
        .iter()
        .map(|e| {
            let role = role_label(c, e.event.actor.role);
            let name = match e.event.actor.role {
                motcua_domain::role::Role::Applicant => Some(d.intake.applicant.name.as_str()),
                _ => names.get(e.event.actor.id.as_str()).copied(),
            };
            let who = match name {
                Some(name) => format!("{name} ({role})"),
                None => role,
            };
            (local(e.event.at), e.event.kind.public_label(c.lang), who)
        })
        .collect();
    let slips: Vec<(&'static str, String)> = [
        (
            "receipt",
            d.received_at.is_some() || d.status == Status::Submitted,
        ),
        (
            "supplement-guide",
            d.supplement.is_some() || d.supplement_rounds > 0,
        ),
        ("refusal", d.status == Status::Refused),
        ("apology", d.original_due_at.is_some()),
        ("control-sheet", d.received_at.is_some()),
        (
            "result",
            d.result
                .as_ref()
                .is_some_and(|r| r.document_sha256.is_some()),
        ),
    ]
    .into_iter()
    .filter(|(_, show)| *show)
    .map(|(k, _)| (k, c.tr.t(&format!("staff-slip-{k}"))))
    .collect();
    // Only what this officer may do now; the lifecycle decides again when it is done.
    let calendar = state.calendar();
    let actions = officer.signed_in().map_or_else(Vec::new, |u| {
        let actor = motcua_domain::role::Actor::new(u.username.clone(), u.role, u.agency);
        state.lifecycle_on(&calendar).offers(d, &actor, Utc::now())
    });
    let people = |action: &'static str| -> Vec<(String, String)> {
        if !actions.contains(&action) {
            return Vec::new();
        }
        dossiers::assignable(&users, d, action)
            .into_iter()
            .map(|u| {
                let label = format!("{} — {}", u.full_name, role_label(c, u.role));
                (u.username.clone(), label)
            })
            .collect()
    };
    let forward_to = people("forward");
    let assign_to = people("assign");
    let agencies = if actions.contains(&"transfer") {
        crate::html::agency_choices(state, Some(d.current_agency))
    } else {
        Vec::new()
    };
    let a = &d.intake.applicant;
    let mut facts = vec![(c.tr.t("staff-applicant"), a.name.clone())];
    let address = dossiers::applicant_address(state, d).await.ok().flatten();
    let contacts = [
        ("staff-cccd", a.cccd.as_ref().map(ToString::to_string)),
        (
            "staff-tax-code",
            a.tax_code.as_ref().map(ToString::to_string),
        ),
        ("staff-phone", a.phone.as_ref().map(ToString::to_string)),
        ("staff-email", a.email.clone()),
        ("staff-address", address),
    ];
    facts.extend(
        contacts
            .into_iter()
            .filter_map(|(k, v)| Some((c.tr.t(k), v?))),
    );
    facts.extend([
        (
            c.tr.t("staff-channel"),
            c.tr.t(&format!("staff-channel-{}", d.intake.channel.as_str())),
        ),
        (
            c.tr.t("staff-holder"),
            state.catalog.agency_name(d.current_agency),
        ),
        (c.tr.t("staff-filed"), local(d.submitted_at)),
    ]);
    facts.push((c.tr.t("staff-fee-state"), fee_state(c, d)));
    if let Some(s) = d.step.and_then(|s| d.intake.procedure.steps.get(s)) {
        facts.push((c.tr.t("staff-step"), s.name.clone()));
    }
    if let Some(a) = &d.assignee {
        let name = match users.iter().find(|u| u.username == *a) {
            Some(u) => format!("{} ({})", u.full_name, role_label(c, u.role)),
            None => a.clone(),
        };
        facts.push((c.tr.t("staff-assignee"), name));
    }
    if let Some(due) = d.due_at {
        facts.push((c.tr.t("staff-due"), local(due)));
    }
    if let Some(s) = &d.supplement {
        facts.push((c.tr.t("staff-missing"), s.missing.join("; ")));
    }
    let status = crate::html::forms::form_status(&errors);
    let procedure = state
        .store
        .procedure(&d.intake.procedure.code)
        .await
        .ok()
        .flatten();
    let page = DossierPage {
        c,
        csrf: officer.csrf(),
        code: record.code.to_string(),
        procedure: procedure
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        answers: procedure
            .as_ref()
            .map(|p| motcua_catalog::form::summary(&p.form_schema, &record.form))
            .unwrap_or_default(),
        facts,
        status: d.status.label(c.lang).to_string(),
        status_key: d.status.as_str(),
        history,
        slips,
        actions,
        notice,
        errors,
        result_hash: d.result.as_ref().and_then(|r| r.document_sha256.clone()),
        forward_to,
        assign_to,
        agencies,
        attachments: dossiers::attachments(state, &record.code)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|f| {
                (
                    f.document,
                    f.file_name,
                    format!("/api/v1/dossiers/{}/attachments/{}", record.code, f.id),
                    size_label(f.size),
                )
            })
            .collect(),
        fee_cases: procedure
            .as_ref()
            .and_then(|p| p.method_for(d.intake.channel))
            .map(|m| motcua_catalog::portal::fee_tiers(&m.fee_text))
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.amount, t.to_string()))
            .collect(),
    };
    render(status, c, &page)
}

/// A file's size as people read it: "840 KB", "2,4 MB" (Vietnamese decimal comma).
fn size_label(bytes: i64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
    }
}

/// The fee and where its payment stands: "320.000 đồng · đã nộp 320.000 đồng", with the
/// correction and an overpayment to refund when there are.
fn fee_state(c: &Chrome, d: &motcua_domain::lifecycle::Dossier) -> String {
    let mut parts = vec![money(d.fee_total())];
    if d.fee_corrected.is_some() {
        parts.push(c.tr.t("staff-fee-corrected"));
    }
    if d.fee_paid > 0 {
        parts.push(c.tr.t1("staff-fee-paid", "amount", money(d.fee_paid)));
    }
    if d.refund_due() > 0 {
        parts.push(c.tr.t1("staff-fee-excess", "amount", money(d.refund_due())));
    }
    parts.join(" · ")
}

pub(crate) async fn dossier(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Path(code): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("staff");
    let here = format!("/staff/dossiers/{code}");
    let user = match officer.user(&here) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let record = match readable(&state, &c, user, &code).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    let notice = q.contains_key("done").then(|| c.tr.t("staff-action-done"));
    dossier_page(&state, &c, &officer, &record, notice, Vec::new()).await
}

/// Lines of a text area, trimmed, without the empty ones.
pub(crate) fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// The command a back-office form asks for, in the API's JSON shape.
pub(crate) fn command(f: &BTreeMap<String, String>) -> Result<Command, serde_json::Error> {
    let text = |k: &str| {
        let v = get(f, k).trim();
        (!v.is_empty()).then(|| v.to_string())
    };
    let mut body = serde_json::Map::new();
    body.insert("action".into(), get(f, "action").into());
    for k in ["assignee", "note", "reason", "to_agency", "summary"] {
        if let Some(v) = text(k) {
            body.insert(k.into(), v.into());
        }
    }
    // An amount as officers type it: "320.000", "320 000" or "320000".
    let amount: String = get(f, "amount")
        .chars()
        .filter(|c| !matches!(c, '.' | ' '))
        .collect();
    if let Ok(n) = amount.parse::<i64>() {
        body.insert("amount".into(), n.into());
    }
    for k in ["missing", "reasons"] {
        if f.contains_key(k) {
            body.insert(k.into(), lines(get(f, k)).into());
        }
    }
    if get(f, "action") == "return_result" {
        let mut channel = serde_json::Map::new();
        channel.insert("method".into(), get(f, "method").into());
        if let Some(t) = text("tracking_number") {
            channel.insert("tracking_number".into(), t.into());
        }
        body.insert("channel".into(), channel.into());
    }
    serde_json::from_value(body.into())
}

pub(crate) async fn act(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Path(code): Path<String>,
    axum::Form(f): Fields,
) -> Response {
    let c = c.with_nav("staff");
    let here = format!("/staff/dossiers/{code}");
    let user = match officer.form(&c, &here, get(&f, "csrf")) {
        Ok(u) => u.clone(),
        Err(r) => return *r,
    };
    let record = match readable(&state, &c, &user, &code).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    let field = format!("f-{}", get(&f, "action").replace('_', "-"));
    let command = match command(&f) {
        Ok(cmd) => cmd,
        Err(_) => {
            let errors = vec![(field, c.tr.t("staff-action-incomplete"))];
            return dossier_page(&state, &c, &officer, &record, None, errors).await;
        }
    };
    perform(&state, &c, &officer, &user, &record, &command, field).await
}

/// Asks the lifecycle for `command` on the version the officer saw; back to the dossier with
/// a confirmation, or the page again with the reason against `field`.
pub(crate) async fn perform(
    state: &App,
    c: &Chrome,
    officer: &Officer,
    user: &User,
    record: &motcua_store::DossierRecord,
    command: &Command,
    field: String,
) -> Response {
    let actor = motcua_domain::role::Actor::new(user.username.clone(), user.role, user.agency);
    let now = Utc::now();
    let done = dossiers::act(state, &actor, record, Some(record.version), command, now).await;
    done_or_again(state, c, officer, record, done, field).await
}

/// Back to the dossier with a confirmation, or the page again with the reason against
/// `field`, under the status the API would answer (403 for another role's action, 409 for
/// one the status does not allow, …).
pub(crate) async fn done_or_again(
    state: &App,
    c: &Chrome,
    officer: &Officer,
    record: &motcua_store::DossierRecord,
    done: Result<motcua_store::DossierRecord, AppError>,
    field: String,
) -> Response {
    match done {
        Ok(_) => see_other(&format!("/staff/dossiers/{}?done=1", record.code)),
        Err(e) => {
            let message = c.tr.error(&e);
            let mut page =
                dossier_page(state, c, officer, record, None, vec![(field, message)]).await;
            *page.status_mut() = crate::error::status(e.kind);
            page
        }
    }
}

/// Issues the electronic result from the dossier page: the signed file is stored under its
/// SHA-256 and recorded by the lifecycle, as `POST /api/v1/dossiers/{code}/result` does.
pub(crate) async fn issue_result(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Path(code): Path<String>,
    mut form: axum::extract::Multipart,
) -> Response {
    let c = c.with_nav("staff");
    let here = format!("/staff/dossiers/{code}");
    let fields = crate::upload::read_upload_form(&mut form).await;
    let shown = fields.as_ref().map(|f| f.csrf.as_str()).unwrap_or("");
    let user = match officer.form(&c, &here, shown) {
        Ok(u) => u.clone(),
        Err(r) => return *r,
    };
    let record = match readable(&state, &c, &user, &code).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    let problem = |key: &str| vec![("f-issue-result".to_string(), c.tr.t(key))];
    let (summary, bytes) = match fields {
        Ok(f) => match (f.summary.filter(|s| !s.trim().is_empty()), f.file) {
            (Some(s), Some((_, b))) if !b.is_empty() => (s, b),
            _ => {
                let errors = problem("staff-result-incomplete");
                return dossier_page(&state, &c, &officer, &record, None, errors).await;
            }
        },
        Err(_) => {
            let errors = problem("verify-doc-too-large");
            return dossier_page(&state, &c, &officer, &record, None, errors).await;
        }
    };
    let actor = motcua_domain::role::Actor::new(user.username.clone(), user.role, user.agency);
    let issued = dossiers::issue_result(
        &state,
        &actor,
        &record,
        summary,
        bytes,
        Some(record.version),
        Utc::now(),
    )
    .await;
    done_or_again(
        &state,
        &c,
        &officer,
        &record,
        issued,
        "f-issue-result".into(),
    )
    .await
}

//! The citizen's dossier: its status and history, paying the fee online, answering a request
//! for a supplement, withdrawing, and rating after the result.

use super::draft::read_multipart;
use crate::error::FieldError;
use crate::html::forms::{Fields, Visitor, field_errors, forged, get, see_other};
use crate::html::local;
use crate::html::{Chrome, error_page, render};
use crate::i18n::money;
use crate::request::Client;
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use motcua_app::App;
use motcua_app::dossiers;
use motcua_app::filing::{self, Target};
use motcua_app::principal::{CitizenAuth, Principal};
use motcua_domain::ids::DossierCode;
use motcua_domain::lifecycle::{
    Command, CriterionScore, EventKind, RatingCriterion, Satisfaction, Status,
};
use motcua_domain::role::{Actor, Role};
use motcua_store::Attachment;
use std::collections::BTreeMap;

#[derive(Template)]
#[template(path = "my_dossier.html")]
pub(crate) struct DossierPage<'a> {
    c: &'a Chrome,
    csrf: String,
    code: String,
    procedure: String,
    status: &'static str,
    status_key: &'static str,
    filed_now: bool,
    again: bool,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    facts: Vec<(String, String)>,
    owed: Option<String>,
    supplement: Option<(String, Vec<String>)>,
    documents: Vec<String>,
    can_withdraw: bool,
    /// What was paid, to say it is refunded on withdrawal.
    paid: Option<String>,
    result: Option<String>,
    result_file: bool,
    can_rate: bool,
    rated: Option<&'static str>,
    levels: Vec<(&'static str, &'static str)>,
    criteria: Vec<(&'static str, String)>,
    timeline: Vec<(String, String)>,
    attachments: Vec<Attachment>,
}

/// The citizen's own dossier `code`: through the same read rule as the API (another's, or no
/// such code, is "not found"); a storage failure is the failure page, never "not found".
pub(crate) async fn own_dossier(
    state: &App,
    c: &Chrome,
    me: &CitizenAuth,
    code: &str,
) -> Result<motcua_store::DossierRecord, Response> {
    let not_found = || {
        error_page(
            StatusCode::NOT_FOUND,
            c,
            "not-found-title",
            c.tr.t("not-found-lead"),
        )
    };
    let Ok(code) = DossierCode::parse(code) else {
        return Err(not_found());
    };
    let principal = Principal::Citizen(Box::new(me.clone()));
    match principal.read_dossier(state.store.as_ref(), &code).await {
        Ok(Some(r)) => Ok(r),
        Ok(None) => Err(not_found()),
        Err(e) => Err(crate::html::failure_page(c, &e.into())),
    }
}

pub(crate) async fn dossier_page(
    state: &App,
    c: &Chrome,
    me: &CitizenAuth,
    code: &str,
    flags: &BTreeMap<String, String>,
    errors: &[FieldError],
) -> Response {
    let r = match own_dossier(state, c, me, code).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    let d = &r.state;
    let p = state
        .store
        .procedure(&d.intake.procedure.code)
        .await
        .ok()
        .flatten();
    let events = state.store.events(&r.code).await.unwrap_or_default();
    let attachments = motcua_app::dossiers::attachments(state, &r.code)
        .await
        .unwrap_or_default();
    let now = Utc::now();
    let mut facts = vec![(c.tr.t("dossier-filed"), local(d.submitted_at))];
    if !d.status.is_final() {
        facts.push((
            c.tr.t("dossier-holder"),
            state.catalog.agency_name(d.current_agency),
        ));
    }
    if let Some(t) = d.received_at {
        facts.push((c.tr.t("dossier-received"), local(t)));
    }
    match d.due_at {
        Some(t) => facts.push((c.tr.t("dossier-due"), local(t))),
        None if !d.status.is_final() => facts.push((
            c.tr.t("dossier-due-expected"),
            local(d.expected_due(&state.calendar(), now)),
        )),
        None => {}
    }
    let fee = d.fee_total();
    if fee > 0 {
        facts.push((
            c.tr.t("dossier-fee"),
            format!(
                "{} ({})",
                money(fee),
                if d.fee_paid >= fee {
                    c.tr.t("dossier-fee-paid")
                } else {
                    c.tr.t("dossier-fee-unpaid")
                }
            ),
        ));
    }
    if d.refund_due() > 0 {
        facts.push((c.tr.t("dossier-fee-refund"), money(d.refund_due())));
    }
    let owed = (d.fee_owed() > 0).then(|| money(d.fee_owed()));
    let supplement = d
        .supplement
        .as_ref()
        .map(|s| (s.reason.clone(), s.missing.clone()));
    let mut summary = Vec::new();
    for e in errors {
        let anchor = if e.field == "rating" {
            "rating"
        } else {
            "supplement"
        };
        summary.push((anchor.to_string(), e.message.clone()));
    }
    let page = DossierPage {
        c,
        csrf: me.session.csrf.clone(),
        code: r.code.to_string(),
        procedure: p.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
        status: d.status.label(c.lang),
        status_key: d.status.as_str(),
        filed_now: flags.contains_key("filed"),
        again: flags.contains_key("again"),
        notice: flags.get("notice").and_then(|k| match k.as_str() {
            "supplement-sent" => Some(c.tr.t("dossier-supplement-sent")),
            "withdrawn" => Some(c.tr.t("dossier-withdrawn")),
            "uploaded" => Some(c.tr.t("dossier-uploaded")),
            "rated" => Some(c.tr.t("rating-thanks")),
            _ => None,
        }),
        errors: summary,
        facts,
        owed,
        supplement,
        documents: p
            .map(|p| p.documents.into_iter().map(|d| d.name).collect())
            .unwrap_or_default(),
        can_withdraw: matches!(
            d.status,
            Status::Submitted
                | Status::Received
                | Status::InProcessing
                | Status::AwaitingSupplement
                | Status::Supplemented
        ),
        paid: (d.fee_paid > 0).then(|| money(d.fee_paid)),
        result: d.result.as_ref().map(|x| x.summary.clone()),
        result_file: d
            .result
            .as_ref()
            .is_some_and(|x| x.document_sha256.is_some()),
        can_rate: matches!(d.status, Status::ResultReady | Status::Returned) && d.rating.is_none(),
        rated: d.rating.map(|r| r.label(c.lang)),
        levels: Satisfaction::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(c.lang)))
            .collect(),
        criteria: RatingCriterion::ALL
            .iter()
            .map(|x| {
                (
                    x.as_str(),
                    c.tr.t(&format!("rating-criterion-{}", x.as_str())),
                )
            })
            .collect(),
        timeline: events
            .iter()
            .filter(|e| e.event.kind.is_public())
            .map(|e| {
                let label = e.event.kind.public_label(c.lang);
                // A hand-over names the agency that holds the dossier from then on.
                let to = match &e.event.kind {
                    EventKind::Forwarded { agency, .. } => Some(*agency),
                    EventKind::Transferred { to_agency, .. } => Some(*to_agency),
                    _ => None,
                };
                let label = match to {
                    Some(a) => format!("{label} – {}", state.catalog.agency_name(a)),
                    None => label,
                };
                (local(e.event.at), label)
            })
            .collect(),
        attachments,
    };
    render(
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        c,
        &page,
    )
}

pub(crate) async fn dossier(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Path(code): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let me = match v.citizen(&format!("/account/dossiers/{code}")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    dossier_page(&state, &c, &me, &code, &q, &[]).await
}

pub(crate) async fn pay(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Client(ip): Client,
    Path(code): Path<String>,
    Form(f): Fields,
) -> Response {
    let me = match v.citizen_form(&c, &format!("/account/dossiers/{code}"), get(&f, "csrf")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let principal = motcua_app::principal::Principal::Citizen(Box::new(me));
    match motcua_app::payments::start(&state, &principal, &code, &ip, c.lang).await {
        Ok(started) => see_other(&started.pay_url),
        Err(e) => crate::html::failure_page(&c, &e),
    }
}

pub(crate) async fn supplement_upload(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Path(code): Path<String>,
    mut form: Multipart,
) -> Response {
    let me = match v.citizen(&format!("/account/dossiers/{code}")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let (csrf, document, file) = match read_multipart(&mut form).await {
        Ok(x) => x,
        Err(key) => {
            return dossier_page(
                &state,
                &c,
                &me,
                &code,
                &BTreeMap::new(),
                &[FieldError {
                    field: "supplement".into(),
                    code: "invalid_upload".into(),
                    message: c.tr.t(key),
                }],
            )
            .await;
        }
    };
    if !v.form_ok(&csrf) {
        return forged(&c);
    }
    let Ok(dossier_code) = DossierCode::parse(&code) else {
        return error_page(
            StatusCode::NOT_FOUND,
            &c,
            "not-found-title",
            c.tr.t("not-found-lead"),
        );
    };
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return dossier_page(
            &state,
            &c,
            &me,
            &code,
            &BTreeMap::new(),
            &[FieldError {
                field: "supplement".into(),
                code: "empty_file".into(),
                message: c.tr.t("documents-choose-file"),
            }],
        )
        .await;
    };
    let upload = filing::Upload {
        document,
        file_name,
        bytes,
    };
    match filing::attach(
        &state,
        &me.citizen,
        Target::Dossier(&dossier_code),
        upload,
        Utc::now(),
    )
    .await
    {
        Ok(_) => see_other(&format!("/account/dossiers/{code}?notice=uploaded")),
        Err(e) => {
            dossier_page(
                &state,
                &c,
                &me,
                &code,
                &BTreeMap::new(),
                &field_errors(&c.tr, &e, "supplement"),
            )
            .await
        }
    }
}

pub(crate) async fn act(
    state: &App,
    c: &Chrome,
    me: &CitizenAuth,
    code: &str,
    command: Command,
    notice: &str,
) -> Response {
    let record = match own_dossier(state, c, me, code).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    let actor = Actor::new(me.citizen.id.clone(), Role::Applicant, None);
    match dossiers::act(state, &actor, &record, None, &command, Utc::now()).await {
        Ok(_) => see_other(&format!("/account/dossiers/{code}?notice={notice}")),
        Err(e) => {
            dossier_page(
                state,
                c,
                me,
                code,
                &BTreeMap::new(),
                &field_errors(&c.tr, &e, "supplement"),
            )
            .await
        }
    }
}

pub(crate) async fn supplement_submit(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Path(code): Path<String>,
    Form(f): Fields,
) -> Response {
    let me = match v.citizen_form(&c, &format!("/account/dossiers/{code}"), get(&f, "csrf")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let note = Some(get(&f, "note").trim().to_string()).filter(|n| !n.is_empty());
    act(
        &state,
        &c,
        &me,
        &code,
        Command::SubmitSupplement { note },
        "supplement-sent",
    )
    .await
}

pub(crate) async fn withdraw(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Path(code): Path<String>,
    Form(f): Fields,
) -> Response {
    let me = match v.citizen_form(&c, &format!("/account/dossiers/{code}"), get(&f, "csrf")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let reason = get(&f, "reason").trim().to_string();
    act(
        &state,
        &c,
        &me,
        &code,
        Command::Withdraw { reason },
        "withdrawn",
    )
    .await
}

pub(crate) async fn rate(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    Path(code): Path<String>,
    Form(f): Fields,
) -> Response {
    let me = match v.citizen_form(&c, &format!("/account/dossiers/{code}"), get(&f, "csrf")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let Some(satisfaction) = Satisfaction::parse(get(&f, "satisfaction")) else {
        let e = FieldError {
            field: "rating".into(),
            code: "rating_required".into(),
            message: c.tr.t("rating-choose"),
        };
        return dossier_page(&state, &c, &me, &code, &BTreeMap::new(), &[e]).await;
    };
    let criteria = RatingCriterion::ALL
        .into_iter()
        .filter_map(|x| {
            let score = get(&f, x.as_str()).parse::<u8>().ok()?;
            Some(CriterionScore {
                criterion: x,
                score,
            })
        })
        .collect();
    let comment = Some(get(&f, "comment").trim().to_string()).filter(|s| !s.is_empty());
    let command = Command::Rate {
        satisfaction,
        criteria,
        comment,
    };
    act(&state, &c, &me, &code, command, "rated").await
}

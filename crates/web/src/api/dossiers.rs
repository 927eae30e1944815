//! Dossiers: intake, reading, actions and history, for staff and agency systems.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_app::App;
use motcua_app::dossiers::{self, ApplicantForm, CounterFiling};
use motcua_app::principal::Principal;
use motcua_domain::Lang;
use motcua_domain::lifecycle::{Command, Event};
use motcua_store::DossierRecord;
use serde::{Deserialize, Serialize};

use super::actions::ActionRequest;
use crate::auth::Caller;
use crate::error::{ApiJson, ReqLang, WebError};

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct ApplicantInput {
    /// Full name of the person or organisation.
    pub(crate) name: String,
    /// 12-digit citizen ID.
    pub(crate) cccd: Option<String>,
    /// Vietnamese mobile number; +84/84/0 forms are accepted.
    pub(crate) phone: Option<String>,
    pub(crate) email: Option<String>,
    /// 10- or 13-digit tax code, for organisations.
    pub(crate) tax_code: Option<String>,
    /// When given, checked against the citizen ID's encoded birth year.
    pub(crate) birth_date: Option<NaiveDate>,
    /// Language to write to the applicant in: `vi` (default) or `en`.
    #[schema(value_type = Option<String>)]
    pub(crate) lang: Option<Lang>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CreateDossier {
    /// National procedure code of a catalog procedure.
    pub(crate) procedure_code: String,
    pub(crate) applicant: ApplicantInput,
    /// `counter`, `online` or `post`.
    pub(crate) channel: String,
    /// The branch that takes the dossier (any branch may take any procedure).
    pub(crate) branch_code: Option<String>,
    /// The deciding agency when the procedure's agency delegates (e.g. a commune for a
    /// commune-level procedure); defaults to the procedure's agency.
    pub(crate) competent_agency_code: Option<String>,
    /// The procedure's form data.
    #[schema(value_type = Object)]
    pub(crate) form: Option<serde_json::Value>,
    /// Receive at once (receipt and appointment). Defaults to true at the counter, false
    /// otherwise (the dossier then waits for the reception check).
    pub(crate) receive: Option<bool>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct StepView {
    index: usize,
    name: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DossierView {
    code: String,
    version: u32,
    /// One of submitted, received, in_processing, awaiting_supplement, supplemented,
    /// result_ready, returned, refused, withdrawn.
    status: &'static str,
    status_label: &'static str,
    /// The national portal's status code (TrangThaiHoSo).
    sync_code: u8,
    procedure_code: String,
    channel: &'static str,
    applicant_name: String,
    receiving_agency: String,
    competent_agency: String,
    current_agency: String,
    branch_code: Option<String>,
    step: Option<StepView>,
    assignee: Option<String>,
    submitted_at: DateTime<Utc>,
    received_at: Option<DateTime<Utc>>,
    due_at: Option<DateTime<Utc>>,
    /// The appointment before a re-appointment, if any.
    original_due_at: Option<DateTime<Utc>>,
    overdue: bool,
    /// early, on_time or late, once the result is issued.
    timeliness: Option<&'static str>,
    /// The whole fee to pay before processing (VND). (Earlier versions named this `fee_due`,
    /// which the filing response used for what is still owed.)
    fee_total: i64,
    /// What has been paid of it (VND).
    fee_paid: i64,
    /// What is still owed (VND): never negative, and 0 once the dossier is finished.
    fee_owed: i64,
    #[schema(value_type = Object)]
    form: serde_json::Value,
}

pub(crate) fn view(r: &DossierRecord, lang: Lang, now: DateTime<Utc>) -> DossierView {
    let d = &r.state;
    DossierView {
        code: r.code.to_string(),
        version: r.version,
        status: d.status.as_str(),
        status_label: d.status.label(lang),
        sync_code: d.status.sync_code(),
        procedure_code: d.intake.procedure.code.to_string(),
        channel: d.intake.channel.as_str(),
        applicant_name: d.intake.applicant.name.clone(),
        receiving_agency: d.intake.receiving_agency.to_string(),
        competent_agency: d.intake.competent_agency.to_string(),
        current_agency: d.current_agency.to_string(),
        branch_code: d.intake.branch.as_ref().map(ToString::to_string),
        step: d.step.and_then(|i| {
            d.intake.procedure.steps.get(i).map(|s| StepView {
                index: i,
                name: s.name.clone(),
            })
        }),
        assignee: d.assignee.clone(),
        submitted_at: d.submitted_at,
        received_at: d.received_at,
        due_at: d.due_at,
        original_due_at: d.original_due_at,
        overdue: d.is_overdue(now),
        timeliness: d.result.as_ref().map(|r| r.timeliness.as_str()),
        fee_total: d.fee_total(),
        fee_paid: d.fee_paid,
        fee_owed: d.fee_owed(),
        form: r.form.clone(),
    }
}

/// A file the applicant attached, with where to download it.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DossierFile {
    #[serde(flatten)]
    file: crate::api::filing::AttachmentView,
    /// `GET` it with the same credentials as the dossier.
    url: String,
}

/// Who filed the dossier, as they gave it.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ApplicantView {
    name: String,
    cccd: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    tax_code: Option<String>,
    /// From the applicant's profile, when filed from an account.
    address: Option<String>,
}

/// One dossier in full: its state, the applicant's details and the attached files.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DossierDetail {
    #[serde(flatten)]
    dossier: DossierView,
    applicant: ApplicantView,
    attachments: Vec<DossierFile>,
}

impl From<ApplicantInput> for ApplicantForm {
    fn from(a: ApplicantInput) -> Self {
        ApplicantForm {
            name: a.name,
            cccd: a.cccd,
            phone: a.phone,
            email: a.email,
            tax_code: a.tax_code,
            birth_date: a.birth_date,
            lang: a.lang,
        }
    }
}

impl From<CreateDossier> for CounterFiling {
    fn from(r: CreateDossier) -> Self {
        CounterFiling {
            procedure_code: r.procedure_code,
            applicant: r.applicant.into(),
            channel: r.channel,
            branch_code: r.branch_code,
            competent_agency_code: r.competent_agency_code,
            form: r.form,
            receive: r.receive,
        }
    }
}

/// Files a dossier (staff at a counter, or an agency system). Answers 201 with its code,
/// status and appointment.
#[utoipa::path(
    post, path = "/api/v1/dossiers", tag = "dossiers", request_body = CreateDossier,
    security(("bearer" = [])),
    responses(
        (status = 201, body = DossierView),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn create(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Caller(principal): Caller,
    ApiJson(req): ApiJson<CreateDossier>,
) -> Result<(StatusCode, Json<DossierView>), WebError> {
    // Citizens file through their drafts (`/api/v1/citizen/drafts`).
    if matches!(principal, Principal::Citizen(_)) {
        return Err(WebError::forbidden());
    }
    let actor = dossiers::writer(&principal)?;
    let now = Utc::now();
    let record = dossiers::file_at_counter(&state, &actor, req.into(), now).await?;
    Ok((StatusCode::CREATED, Json(view(&record, lang, now))))
}

/// What `GET /api/v1/dossiers` looks for.
#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct SearchParams {
    /// A dossier code, a citizen ID, a phone number or words of the applicant's name (marks
    /// optional).
    q: String,
    /// From 1.
    page: Option<u32>,
    /// 1 to 100; 20 when not given.
    per_page: Option<u32>,
}

/// One page of the dossiers a search found.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DossierPage {
    items: Vec<DossierView>,
    /// How many the search found among the dossiers the caller may read.
    total: u64,
    page: u32,
    per_page: u32,
}

/// Finds dossiers by code, citizen ID, phone or the applicant's name, among those the caller
/// may read (staff in scope, agency systems with `dossiers:read`), the most recently filed
/// first.
#[utoipa::path(
    get, path = "/api/v1/dossiers", tag = "dossiers", security(("bearer" = [])),
    params(SearchParams),
    responses(
        (status = 200, body = DossierPage),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn search(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Caller(principal): Caller,
    crate::error::ApiQuery(p): crate::error::ApiQuery<SearchParams>,
) -> Result<Json<DossierPage>, WebError> {
    let (page, per_page) = (
        p.page.unwrap_or(1).max(1),
        p.per_page.unwrap_or(20).clamp(1, 100),
    );
    let (found, total) = dossiers::search(&state, &principal, &p.q, page, per_page).await?;
    let now = Utc::now();
    Ok(Json(DossierPage {
        items: found.iter().map(|r| view(r, lang, now)).collect(),
        total,
        page,
        per_page,
    }))
}

/// A dossier with its current state, for staff in scope and agency systems.
#[utoipa::path(
    get, path = "/api/v1/dossiers/{code}", tag = "dossiers", security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code, e.g. 000.00.01.H22-250701-0001")),
    responses((status = 200, body = DossierDetail), (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub(crate) async fn get(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Caller(principal): Caller,
    Path(code): Path<String>,
) -> Result<Json<DossierDetail>, WebError> {
    let record = dossiers::readable(&state, &principal, &code).await?;
    let a = &record.state.intake.applicant;
    let applicant = ApplicantView {
        name: a.name.clone(),
        cccd: a.cccd.as_ref().map(ToString::to_string),
        phone: a.phone.as_ref().map(ToString::to_string),
        email: a.email.clone(),
        tax_code: a.tax_code.as_ref().map(ToString::to_string),
        address: dossiers::applicant_address(&state, &record.state).await?,
    };
    let attachments = dossiers::attachments(&state, &record.code)
        .await?
        .into_iter()
        .map(|f| DossierFile {
            url: format!("/api/v1/dossiers/{}/attachments/{}", record.code, f.id),
            file: f.into(),
        })
        .collect();
    Ok(Json(DossierDetail {
        dossier: view(&record, lang, Utc::now()),
        applicant,
        attachments,
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct StoredEventView {
    seq: i64,
    version: u32,
    /// SHA-256 link of this event in the audit chain.
    hash: String,
    #[schema(value_type = Object)]
    #[serde(flatten)]
    event: Event,
}

/// The dossier's full history, oldest first.
#[utoipa::path(
    get, path = "/api/v1/dossiers/{code}/events", tag = "dossiers", security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, body = [StoredEventView]), (status = 404, body = crate::error::ErrorBody))
)]
pub(crate) async fn events(
    State(state): State<App>,
    Caller(principal): Caller,
    Path(code): Path<String>,
) -> Result<Json<Vec<StoredEventView>>, WebError> {
    let record = dossiers::readable(&state, &principal, &code).await?;
    // The full history names officers and carries internal notes: staff and systems only.
    // Applicants follow their dossier through the timeline of `/api/v1/track/{code}`.
    if matches!(principal, Principal::Citizen(_)) {
        return Err(WebError::forbidden());
    }
    let events = state.store.events(&record.code).await?;
    Ok(Json(
        events
            .into_iter()
            .map(|e| StoredEventView {
                seq: e.seq,
                version: e.version,
                hash: e.hash,
                event: e.event,
            })
            .collect(),
    ))
}

/// Names of the actions accepted by `POST /api/v1/dossiers/{code}/actions`.
pub(crate) const ACTIONS: &str = "receive, forward {assignee?, note?}, send_back {reason}, transfer {to_agency, reason}, \
assign {assignee}, request_supplement {reason, missing[]}, submit_supplement {note?}, accept_supplement, \
propose_refusal {reason}, approve {note?}, refuse {reasons[]}, issue_result {summary, document_sha256?}, \
return_result {channel: {method: counter|online|post, tracking_number?}}, withdraw {reason}, \
record_payment {reference, amount}, correct_fee {amount, reason}, reappoint {new_due_at, reason}, rate {satisfaction: very_satisfied|satisfied|dissatisfied, \
criteria?: [{criterion: resolution_time|contacts|agencies|attitude, score: 0..2}], comment?}";

/// Takes `expected_version` out of an action's body: the version the caller's view is of.
pub(crate) fn expected_version(body: &mut serde_json::Value) -> Result<Option<u32>, WebError> {
    match body
        .as_object_mut()
        .and_then(|o| o.remove("expected_version"))
    {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|v| u32::try_from(v).ok())
            .map(Some)
            .ok_or_else(|| WebError::invalid("invalid_field", "error-expected-version")),
    }
}

/// Carries out an action on a dossier. The body is `{"action": NAME, …fields}` with an
/// optional `expected_version` (the answer is 409 if the dossier moved on). The state
/// machine decides whether the caller's role and agency may do it now.
#[utoipa::path(
    post, path = "/api/v1/dossiers/{code}/actions", tag = "dossiers", security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code")),
    request_body(content = ActionRequest, description = "`{\"action\": …, \"expected_version\"?: n, …}`: one action with its fields (rate: the applicant, after the result)"),
    responses(
        (status = 200, body = DossierView),
        (status = 403, body = crate::error::ErrorBody, description = "role or agency may not"),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "not possible in the current status, or a version conflict"),
        (status = 422, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn act(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Caller(principal): Caller,
    Path(code): Path<String>,
    ApiJson(mut body): ApiJson<serde_json::Value>,
) -> Result<Json<DossierView>, WebError> {
    let actor = dossiers::writer(&principal)?;
    let record = dossiers::readable(&state, &principal, &code).await?;
    let expected = expected_version(&mut body)?;
    if body.get("action").and_then(serde_json::Value::as_str) == Some("open") {
        return Err(WebError::invalid(
            "invalid_action",
            "error-open-through-filing",
        ));
    }
    let request: ActionRequest = serde_json::from_value(body).map_err(|e| {
        WebError::invalid("invalid_action", "error-invalid-action")
            .arg("detail", e.to_string())
            .arg("actions", ACTIONS)
    })?;
    let command = Command::from(request);
    let now = Utc::now();
    let updated = dossiers::act(&state, &actor, &record, expected, &command, now).await?;
    Ok(Json(view(&updated, lang, now)))
}

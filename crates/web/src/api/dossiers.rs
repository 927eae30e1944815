//! Dossiers: intake, reading, actions and history, for staff and agency systems.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::Lang;
use motcua_domain::ids::{AgencyCode, Cccd, DossierCode, Phone, ProcedureCode, TaxCode};
use motcua_domain::lang::Localise;
use motcua_domain::lifecycle::{Applicant, Channel, Command, Event, Intake};
use motcua_domain::role::Role;
use motcua_store::{DossierRecord, Scope, ops};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ReqLang, pick};
use motcua_app::App;
use motcua_app::principal::Principal;

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
        branch_code: d.intake.branch.clone(),
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

fn invalid(field: &str, e: &dyn Localise, lang: Lang) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        e.code(),
        format!("{field}: {}", e.message(lang)),
    )
}

fn unprocessable(code: &str, vi: &str, en: &str, lang: Lang) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, pick(lang, vi, en))
}

fn parse_applicant(a: ApplicantInput, lang: Lang) -> Result<Applicant, ApiError> {
    let cccd = match a.cccd.filter(|s| !s.trim().is_empty()) {
        Some(s) => Some(
            match a.birth_date {
                Some(b) => Cccd::parse_with_birth_date(&s, b),
                None => Cccd::parse(&s),
            }
            .map_err(|e| invalid("applicant.cccd", &e, lang))?,
        ),
        None => None,
    };
    let phone = a
        .phone
        .filter(|s| !s.trim().is_empty())
        .map(|s| Phone::parse(&s).map_err(|e| invalid("applicant.phone", &e, lang)))
        .transpose()?;
    let tax_code = a
        .tax_code
        .filter(|s| !s.trim().is_empty())
        .map(|s| TaxCode::parse(&s).map_err(|e| invalid("applicant.tax_code", &e, lang)))
        .transpose()?;
    Ok(Applicant {
        name: a.name.trim().to_string(),
        cccd,
        phone,
        email: a
            .email
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty()),
        tax_code,
        lang: a.lang.unwrap_or_default(),
    })
}

pub(crate) fn writer(
    principal: &Principal,
    lang: Lang,
) -> Result<motcua_domain::role::Actor, ApiError> {
    let actor = principal
        .actor()
        .ok_or_else(|| ApiError::unauthorized(lang))?;
    // Citizens act on their own dossiers; the lifecycle checks ownership and the action.
    if !principal.has_scope(Scope::DossiersWrite) && !matches!(principal, Principal::Citizen(_)) {
        return Err(ApiError::forbidden(lang));
    }
    Ok(actor)
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
) -> Result<(StatusCode, Json<DossierView>), ApiError> {
    // Citizens file through their drafts (`/api/v1/citizen/drafts`).
    if matches!(principal, Principal::Citizen(_)) {
        return Err(ApiError::forbidden(lang));
    }
    let actor = writer(&principal, lang)?;
    let now = Utc::now();
    let record = file_dossier(&state, &actor, req, lang, now).await?;
    Ok((StatusCode::CREATED, Json(view(&record, lang, now))))
}

/// Opens a dossier filed by an officer or an agency system: the procedure from the catalog,
/// the applicant checked, the branch (any branch takes any procedure) and the deciding agency.
pub(crate) async fn file_dossier(
    state: &App,
    actor: &motcua_domain::role::Actor,
    req: CreateDossier,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<DossierRecord, ApiError> {
    let code = ProcedureCode::parse(&req.procedure_code)
        .map_err(|e| invalid("procedure_code", &e, lang))?;
    let channel = match req.channel.as_str() {
        "counter" => Channel::Counter,
        "online" => Channel::Online,
        "post" => Channel::Post,
        _ => {
            return Err(unprocessable(
                "invalid_channel",
                "Kênh nộp phải là counter, online hoặc post.",
                "channel must be counter, online or post.",
                lang,
            ));
        }
    };
    let store = &state.store;
    let procedure = store
        .procedure(&code)
        .await
        .map_err(|e| ApiError::store(e, lang))?
        .ok_or_else(|| {
            unprocessable(
                "unknown_procedure",
                "Không có thủ tục này trong danh mục.",
                "There is no such procedure in the catalog.",
                lang,
            )
        })?;
    let rules = procedure.rules().ok_or_else(|| {
        unprocessable(
            "procedure_without_time_limit",
            "Thủ tục chưa có thời hạn giải quyết nên chưa thể tiếp nhận hồ sơ.",
            "The procedure has no processing time limit, so dossiers cannot be taken yet.",
            lang,
        )
    })?;
    let applicant = parse_applicant(req.applicant, lang)?;
    // Branches and agencies from memory; one that is not there yet is looked up.
    let branch = match req.branch_code.filter(|b| !b.trim().is_empty()) {
        Some(b) => Some(
            motcua_app::counter::branch(state, &b)
                .await
                .map_err(|e| ApiError::store(e, lang))?
                .ok_or_else(|| {
                    unprocessable(
                        "unknown_branch",
                        "Không có chi nhánh này.",
                        "There is no such branch.",
                        lang,
                    )
                })?,
        ),
        None => None,
    };
    let receiving_agency = match (&branch, actor.role, actor.agency) {
        (Some(b), _, _) => b.agency,
        (None, Role::Reception, Some(a)) => a,
        _ => state.default_receiving_agency,
    };
    let competent_agency = match req.competent_agency_code.filter(|c| !c.trim().is_empty()) {
        Some(c) => {
            let c =
                AgencyCode::parse(&c).map_err(|e| invalid("competent_agency_code", &e, lang))?;
            let known = state.catalog.agencies().iter().any(|a| a.code == c)
                || store
                    .agencies()
                    .await
                    .map_err(|e| ApiError::store(e, lang))?
                    .iter()
                    .any(|a| a.code == c);
            if !known || !procedure.agency.covers(&c) {
                return Err(unprocessable(
                    "competent_agency_mismatch",
                    "Cơ quan giải quyết phải là cơ quan thực hiện thủ tục hoặc đơn vị trực thuộc.",
                    "The competent agency must be the procedure's agency or one under it.",
                    lang,
                ));
            }
            c
        }
        None => procedure.agency,
    };
    let form = req.form.unwrap_or_else(|| serde_json::json!({}));
    if !form.is_object() {
        return Err(unprocessable(
            "invalid_form",
            "Dữ liệu biểu mẫu phải là một đối tượng JSON.",
            "form must be a JSON object.",
            lang,
        ));
    }
    let intake = Intake {
        procedure: rules,
        applicant,
        channel,
        receiving_agency,
        competent_agency,
        branch: branch.map(|b| b.code),
        owner: None,
        receive_now: req.receive.unwrap_or(channel == Channel::Counter),
    };
    let record = ops::open(
        &**store,
        &state.lifecycle_on(&state.calendar()),
        intake,
        form,
        actor,
        now,
    )
    .await
    .map_err(|e| ApiError::op(e, lang))?;
    tracing::info!(code = %record.code, actor = %actor.id, "dossier opened");
    Ok(record)
}

/// Loads a dossier the caller may read; otherwise answers 404 as if it did not exist.
pub(crate) async fn readable(
    state: &App,
    principal: &Principal,
    code: &str,
    lang: Lang,
) -> Result<DossierRecord, ApiError> {
    if matches!(principal, Principal::Anonymous) {
        return Err(ApiError::unauthorized(lang));
    }
    let code = DossierCode::parse(code)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.code(), e.message(lang)))?;
    principal
        .read_dossier(state.store.as_ref(), &code)
        .await
        .map_err(|e| ApiError::store(e, lang))?
        .ok_or_else(|| ApiError::not_found(lang))
}

/// A dossier with its current state, for staff in scope and agency systems.
#[utoipa::path(
    get, path = "/api/v1/dossiers/{code}", tag = "dossiers", security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code, e.g. 000.00.01.H22-250701-0001")),
    responses((status = 200, body = DossierView), (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub(crate) async fn get(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Caller(principal): Caller,
    Path(code): Path<String>,
) -> Result<Json<DossierView>, ApiError> {
    let record = readable(&state, &principal, &code, lang).await?;
    Ok(Json(view(&record, lang, Utc::now())))
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
    ReqLang(lang): ReqLang,
    Caller(principal): Caller,
    Path(code): Path<String>,
) -> Result<Json<Vec<StoredEventView>>, ApiError> {
    let record = readable(&state, &principal, &code, lang).await?;
    // The full history names officers and carries internal notes: staff and systems only.
    // Applicants follow their dossier through the timeline of `/api/v1/track/{code}`.
    if matches!(principal, Principal::Citizen(_)) {
        return Err(ApiError::forbidden(lang));
    }
    let events = state
        .store
        .events(&record.code)
        .await
        .map_err(|e| ApiError::store(e, lang))?;
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
reappoint {new_due_at, reason}, rate {satisfaction: very_satisfied|satisfied|dissatisfied, \
criteria?: [{criterion: resolution_time|contacts|agencies|attitude, score: 0..2}], comment?}";

/// Carries out an action on a dossier. The body is `{"action": NAME, …fields}` with an
/// optional `expected_version` (the answer is 409 if the dossier moved on). The state
/// machine decides whether the caller's role and agency may do it now.
#[utoipa::path(
    post, path = "/api/v1/dossiers/{code}/actions", tag = "dossiers", security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code")),
    request_body(content = Object, description = "`{\"action\": …, \"expected_version\"?: n, …}`; actions: receive, forward, send_back, transfer, assign, request_supplement, submit_supplement, accept_supplement, propose_refusal, approve, refuse, issue_result, return_result, withdraw, reappoint, rate (the applicant, after the result)"),
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
) -> Result<Json<DossierView>, ApiError> {
    let actor = writer(&principal, lang)?;
    let record = readable(&state, &principal, &code, lang).await?;
    let expected = match body
        .as_object_mut()
        .and_then(|o| o.remove("expected_version"))
    {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| {
                    unprocessable(
                        "invalid_field",
                        "expected_version phải là số nguyên không âm.",
                        "expected_version must be a non-negative integer.",
                        lang,
                    )
                })?,
        ),
    };
    let command: Command = serde_json::from_value(body).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_action",
            format!(
                "{} {e}. ({ACTIONS})",
                pick(lang, "Thao tác không hợp lệ:", "Invalid action:")
            ),
        )
    })?;
    if matches!(command, Command::Open(_)) {
        return Err(unprocessable(
            "invalid_action",
            "Dùng POST /api/v1/dossiers để nộp hồ sơ.",
            "Use POST /api/v1/dossiers to file a dossier.",
            lang,
        ));
    }
    let now = Utc::now();
    let updated = ops::act(
        &*state.store,
        &state.lifecycle_on(&state.calendar()),
        &record.code,
        expected,
        &command,
        &actor,
        now,
    )
    .await
    .map_err(|e| ApiError::op(e, lang))?;
    tracing::info!(code = %updated.code, action = command.name(), actor = %actor.id, "dossier action");
    Ok(Json(view(&updated, lang, now)))
}

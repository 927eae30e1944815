//! Questions to an officer over the API: asked by anyone (or written down by an officer from
//! the hotline), looked up by the asker with the second factor, answered by the officers of
//! the agency concerned (and published as a frequently asked question) or turned into a
//! petition; the published ones searched.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use motcua_app::App;
use motcua_app::questions::{self, Asked};
use motcua_store::QuestionRow;
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::{ApiJson, ApiQuery, ReqLang, WebError};
use crate::request::Client;

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct AskRequest {
    /// The question (personal numbers and e-mail addresses in it are hidden before it is kept).
    q: String,
    name: String,
    /// A phone number or an e-mail address (or both) to answer them.
    phone: Option<String>,
    email: Option<String>,
    /// The procedure it is about (its agency answers; the centre otherwise).
    procedure: Option<String>,
    /// For an officer writing it down for a caller: `hotline`, `phone` or `counter`.
    channel: Option<String>,
    /// The language the answer is told in, `vi` or `en` (the request's language when not
    /// given).
    #[schema(value_type = Option<String>, example = "vi")]
    lang: Option<motcua_domain::Lang>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Asked201 {
    code: String,
    /// When an officer's first answer is due (working hours on the working calendar: asked at
    /// night or over Tết, the clock starts when the offices open).
    answer_due_at: DateTime<Utc>,
}

/// Asks an officer. Public (a name and a phone or e-mail), or an officer signed in writes the
/// question down for a caller with `channel`.
#[utoipa::path(
    post, path = "/api/v1/questions", tag = "support", request_body = AskRequest,
    responses(
        (status = 201, body = Asked201),
        (status = 422, body = crate::error::ErrorBody),
        (status = 429, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn ask(
    State(state): State<App>,
    Caller(principal): Caller,
    ReqLang(lang): ReqLang,
    Client(client): Client,
    ApiJson(req): ApiJson<AskRequest>,
) -> Result<(StatusCode, Json<Asked201>), WebError> {
    let row = questions::ask(
        &state,
        &principal,
        Asked {
            q: req.q,
            name: req.name,
            phone: req.phone,
            email: req.email,
            procedure: req.procedure,
            channel: req.channel,
            lang: req.lang.unwrap_or(lang),
        },
        &client,
        Utc::now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(Asked201 {
            code: row.code.to_string(),
            answer_due_at: row.answer_due_at,
        }),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct QuestionView {
    code: String,
    /// `open`, `answered` or `converted` (to a petition: `petition_code`).
    state: &'static str,
    asked_at: DateTime<Utc>,
    answer_due_at: DateTime<Utc>,
    question: String,
    procedure_code: Option<String>,
    agency: String,
    answer: Option<String>,
    answered_at: Option<DateTime<Utc>>,
    /// Published as a frequently asked question.
    published_at: Option<DateTime<Utc>>,
    petition_code: Option<String>,
    /// For officers only: the asker and how it came.
    #[serde(skip_serializing_if = "Option::is_none")]
    asker: Option<Asker>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Asker {
    name: String,
    phone: Option<String>,
    email: Option<String>,
    channel: String,
    received_by: Option<String>,
}

fn view(r: QuestionRow, officer: bool) -> QuestionView {
    QuestionView {
        code: r.code.to_string(),
        state: r.state.as_str(),
        asked_at: r.asked_at,
        answer_due_at: r.answer_due_at,
        question: r.asked.question,
        procedure_code: r.asked.procedure.map(|p| p.to_string()),
        agency: r.asked.agency.to_string(),
        answer: r.answer,
        answered_at: r.answered_at,
        published_at: r.published_at,
        petition_code: r.petition.map(|p| p.to_string()),
        asker: officer.then(|| Asker {
            name: r.asked.name,
            phone: r.asked.phone.map(|p| p.to_string()),
            email: r.asked.email,
            channel: r.asked.channel,
            received_by: r.asked.received_by,
        }),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct VerifyParams {
    /// The last four digits of the asker's phone (or the first four characters of the e-mail
    /// address when no phone was given).
    verify: Option<String>,
}

/// A question, for its asker: the state and, once answered, the answer.
#[utoipa::path(
    get, path = "/api/v1/questions/{code}", tag = "support", params(("code" = String, Path), VerifyParams),
    responses((status = 200, body = QuestionView), (status = 404, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody))
)]
pub(crate) async fn lookup(
    State(state): State<App>,
    Client(client): Client,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<VerifyParams>,
) -> Result<Json<QuestionView>, WebError> {
    let row = questions::lookup(&state, &code, q.verify.as_deref().unwrap_or(""), &client).await?;
    Ok(Json(view(row, false)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// `open` (the default; the earliest due first) or `answered`.
    view: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct QuestionList {
    items: Vec<QuestionView>,
}

/// An officer's questions, of every agency theirs covers.
#[utoipa::path(
    get, path = "/api/v1/questions", tag = "support", params(ListParams), security(("bearer" = [])),
    responses((status = 200, body = QuestionList), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody))
)]
pub(crate) async fn list(
    State(state): State<App>,
    Caller(principal): Caller,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<QuestionList>, WebError> {
    let rows = questions::list(&state, &principal, q.view.as_deref().unwrap_or("open")).await?;
    Ok(Json(QuestionList {
        items: rows.into_iter().map(|r| view(r, true)).collect(),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct AnswerRequest {
    answer: String,
    /// Publish it as a frequently asked question (the assistant quotes it from then on).
    #[serde(default)]
    publish: bool,
}

/// Answers an open question (officers of an agency covering it).
#[utoipa::path(
    post, path = "/api/v1/questions/{code}/answer", tag = "support", request_body = AnswerRequest,
    params(("code" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = QuestionView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody))
)]
pub(crate) async fn answer(
    State(state): State<App>,
    Caller(principal): Caller,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<AnswerRequest>,
) -> Result<Json<QuestionView>, WebError> {
    let row = questions::answer(
        &state,
        &principal,
        &code,
        &req.answer,
        req.publish,
        Utc::now(),
    )
    .await?;
    Ok(Json(view(row, true)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Converted {
    code: String,
    petition_code: String,
    /// When the petition's first step is due.
    petition_due_at: Option<DateTime<Utc>>,
}

/// Turns an open question into a petition in the asker's name (officers of an agency covering
/// it).
#[utoipa::path(
    post, path = "/api/v1/questions/{code}/convert", tag = "support",
    params(("code" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Converted), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody))
)]
pub(crate) async fn convert(
    State(state): State<App>,
    Caller(principal): Caller,
    Path(code): Path<String>,
) -> Result<Json<Converted>, WebError> {
    let (row, petition) = questions::convert(&state, &principal, &code, Utc::now()).await?;
    Ok(Json(Converted {
        code: row.code.to_string(),
        petition_code: petition.code.to_string(),
        petition_due_at: petition.facts.due_at,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct FaqParams {
    /// Words to find in the question or the answer (accents aside).
    q: Option<String>,
    /// A procedure's code.
    procedure: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct FaqView {
    code: String,
    question: String,
    answer: String,
    agency: String,
    agency_name: String,
    procedure_code: Option<String>,
    published_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct FaqList {
    items: Vec<FaqView>,
}

/// The questions officers answered and published, the latest first. Public.
#[utoipa::path(
    get, path = "/api/v1/faq", tag = "support", params(FaqParams),
    responses((status = 200, body = FaqList), (status = 400, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody))
)]
pub(crate) async fn faq(
    State(state): State<App>,
    ApiQuery(q): ApiQuery<FaqParams>,
) -> Result<Json<FaqList>, WebError> {
    let rows = questions::faq(
        &state,
        q.q.as_deref(),
        q.procedure.as_deref(),
        questions::FAQ_READ,
    )
    .await?;
    Ok(Json(FaqList {
        items: rows
            .into_iter()
            .map(|r| FaqView {
                code: r.code.to_string(),
                agency_name: state.catalog.agency_name(r.asked.agency),
                agency: r.asked.agency.to_string(),
                question: r.asked.question,
                answer: r.answer.unwrap_or_default(),
                procedure_code: r.asked.procedure.map(|p| p.to_string()),
                published_at: r.published_at,
            })
            .collect(),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct WeekParams {
    /// Any day of the week (`YYYY-MM-DD`, Monday to Sunday in Vietnam); the last full week
    /// when not given.
    week: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AgencyWeekView {
    agency: String,
    agency_name: String,
    /// Questions to its officers asked that week, and what became of them.
    asked: u32,
    answered_in_time: u32,
    answered_late: u32,
    converted: u32,
    open_in_time: u32,
    open_overdue: u32,
    /// Questions about its procedures the assistant could not answer, and the first of them
    /// (personal numbers hidden), to answer for good.
    assistant_unanswered: u32,
    examples: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct WeekView {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    agencies: Vec<AgencyWeekView>,
}

/// The weekly report of unanswered questions for the agencies the caller's agency covers:
/// questions to officers answered late, overdue or still open, and what the assistant could
/// not answer about each agency's procedures.
#[utoipa::path(
    get, path = "/api/v1/reports/unanswered-questions", tag = "support", security(("bearer" = [])),
    params(WeekParams),
    responses(
        (status = 200, body = WeekView),
        (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn week_report(
    State(state): State<App>,
    Caller(principal): Caller,
    ApiQuery(q): ApiQuery<WeekParams>,
) -> Result<Json<WeekView>, WebError> {
    let now = Utc::now();
    let day = questions::week_day(q.week.as_deref(), now)?;
    let r = questions::week_report(&state, &principal, day, now).await?;
    Ok(Json(WeekView {
        from: r.from,
        to: r.to,
        agencies: r
            .agencies
            .into_iter()
            .map(|a| AgencyWeekView {
                agency: a.agency.to_string(),
                agency_name: state.catalog.agency_name(a.agency),
                asked: a.officers.asked,
                answered_in_time: a.officers.answered_in_time,
                answered_late: a.officers.answered_late,
                converted: a.officers.converted,
                open_in_time: a.officers.open_in_time,
                open_overdue: a.officers.open_overdue,
                assistant_unanswered: a.assistant_unanswered,
                examples: a.examples,
            })
            .collect(),
    }))
}

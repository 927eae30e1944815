//! Feedback and petitions (phản ánh, kiến nghị) over the API: filed by anyone, looked up and
//! rated with the last four digits of the petitioner's phone, handled by officers. Contact
//! data is never in an answer.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use motcua_app::App;
use motcua_app::pakn::{self, NewPetition, Proof};
use motcua_domain::Lang;
use motcua_domain::pakn::{PaknCommand, PaknEvent, Petition};
use motcua_store::PetitionRow;
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::{ApiJson, ApiQuery, ReqLang, WebError};
use crate::request::Client;

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct FileRequest {
    /// The petitioner's name.
    name: String,
    /// A phone number or an e-mail address (or both) to answer them.
    phone: Option<String>,
    email: Option<String>,
    content: String,
    /// `regulation`, `procedure`, `staff_conduct` or `other`; an officer classifies it when
    /// not given.
    category: Option<String>,
    /// A dossier it concerns (its applicant's phone or e-mail must be the one given).
    dossier: Option<String>,
    /// The agency it concerns (the one-stop centre when none and no dossier).
    agency: Option<String>,
    /// For an officer filing for a caller: `phone`, `letter`, `email`, `counter`, `hotline`
    /// or `social`.
    channel: Option<String>,
    /// Whether the question may be published with the answer (never the petitioner's name).
    #[serde(default)]
    publish_content: bool,
    /// The language the petitioner is written to in, `vi` or `en` (the request's language
    /// when not given).
    #[schema(value_type = Option<String>, example = "vi")]
    lang: Option<Lang>,
    /// Up to 3 files (PDF, JPG or PNG by their content, 5 MB each): a scanned letter, a photo.
    #[serde(default)]
    attachments: Vec<crate::api::pakn_files::FileUpload>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Filed {
    code: String,
    /// When the first step (asking for information, forwarding or accepting) is due.
    due_at: Option<DateTime<Utc>>,
}

/// Files a petition, from anyone (Decree 20/2008 art. 7: a name and a phone number or e-mail
/// address), or from an officer writing it down for a caller. A complaint (khiếu nại) or a
/// denunciation (tố cáo) is not feedback: 422 says where it goes instead.
#[utoipa::path(
    post, path = "/api/v1/pakn", tag = "pakn", request_body = FileRequest,
    responses(
        (status = 201, body = Filed),
        (status = 403, body = crate::error::ErrorBody, description = "a dossier that is not the petitioner's"),
        (status = 422, body = crate::error::ErrorBody, description = "a field, or a complaint or denunciation"),
        (status = 429, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn file(
    State(state): State<App>,
    Caller(principal): Caller,
    ReqLang(lang): ReqLang,
    Client(client): Client,
    ApiJson(req): ApiJson<FileRequest>,
) -> Result<(StatusCode, Json<Filed>), WebError> {
    let attachments = crate::api::pakn_files::decode(req.attachments)?;
    let row = pakn::file(
        &state,
        &principal,
        NewPetition {
            name: req.name,
            phone: req.phone,
            email: req.email,
            content: req.content,
            category: req.category,
            dossier: req.dossier,
            agency: req.agency,
            channel: req.channel,
            publish_content: req.publish_content,
            lang: req.lang.unwrap_or(lang),
            attachments,
        },
        &client,
        Utc::now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(Filed {
            code: row.code.to_string(),
            due_at: row.facts.due_at,
        }),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct VerifyParams {
    /// The last four digits of the petitioner's phone (or the first four characters of their
    /// e-mail address when they gave no phone).
    pub(crate) verify: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Step {
    at: DateTime<Utc>,
    /// `pakn_filed`, `pakn_accepted`, `pakn_forwarded`, `pakn_answered`, …
    event: &'static str,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct FileView {
    name: String,
    mime: String,
    size: u64,
    /// Where to read it (the petitioner adds `?verify=`).
    url: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PetitionView {
    code: String,
    version: u32,
    state: &'static str,
    state_label: &'static str,
    category: Option<&'static str>,
    agency: String,
    agency_name: String,
    channel: &'static str,
    dossier: Option<String>,
    filed_at: DateTime<Utc>,
    due_at: Option<DateTime<Utc>>,
    /// The answer, once published.
    answer: Option<String>,
    /// The files given with it, each at `/api/v1/pakn/{code}/attachments/{n}`.
    attachments: Vec<FileView>,
    published_at: Option<DateTime<Utc>>,
    satisfied: Option<bool>,
    timeline: Vec<Step>,
}

fn view(
    state: &App,
    row: &PetitionRow,
    p: &Petition,
    events: &[PaknEvent],
    lang: Lang,
) -> PetitionView {
    let (vi, en) = row.state.labels();
    PetitionView {
        code: row.code.to_string(),
        version: row.version,
        state: row.state.as_str(),
        state_label: if lang == Lang::En { en } else { vi },
        category: row.category.map(|c| c.as_str()),
        agency: row.agency.to_string(),
        agency_name: state.catalog.agency_name(row.agency),
        channel: row.channel.as_str(),
        dossier: row.dossier.map(|d| d.to_string()),
        filed_at: row.facts.filed_at,
        due_at: row.facts.due_at,
        answer: p.published_at.and(p.answer.clone()),
        attachments: p
            .filing
            .attachments
            .iter()
            .enumerate()
            .map(|(n, a)| FileView {
                name: a.name.clone(),
                mime: a.mime.clone(),
                size: a.size,
                url: format!("/api/v1/pakn/{}/attachments/{n}", row.code),
            })
            .collect(),
        published_at: p.published_at,
        satisfied: p.satisfied,
        timeline: events
            .iter()
            .map(|e| Step {
                at: e.at(),
                event: e.kind(),
            })
            .collect(),
    }
}

/// The petition's state, steps and published answer for its petitioner. A wrong or missing
/// second factor answers like an unknown code; repeated failures block the code for a while.
#[utoipa::path(
    get, path = "/api/v1/pakn/{code}", tag = "pakn",
    params(("code" = String, Path, description = "Petition code, PAKN.YYYYMMDD.NNNN"), VerifyParams),
    responses(
        (status = 200, body = PetitionView),
        (status = 404, body = crate::error::ErrorBody, description = "unknown code or wrong second factor"),
        (status = 429, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn lookup(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Client(client): Client,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<VerifyParams>,
) -> Result<Json<PetitionView>, WebError> {
    let found = pakn::lookup(&state, &code, q.verify.as_deref().unwrap_or(""), &client).await?;
    Ok(Json(view(
        &state,
        &found.row,
        &found.petition,
        &found.events,
        lang,
    )))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct RateRequest {
    /// The petition's second factor, as for the lookup.
    verify: String,
    /// Satisfied with how it was handled, or not.
    satisfied: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Changed {
    code: String,
    version: u32,
    state: &'static str,
    due_at: Option<DateTime<Utc>>,
}

fn changed(row: &PetitionRow) -> Changed {
    Changed {
        code: row.code.to_string(),
        version: row.version,
        state: row.state.as_str(),
        due_at: row.facts.due_at,
    }
}

/// The petitioner rates the handling once its answer is published.
#[utoipa::path(
    post, path = "/api/v1/pakn/{code}/rate", tag = "pakn", request_body = RateRequest,
    params(("code" = String, Path, description = "Petition code")),
    responses(
        (status = 200, body = Changed),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "not published yet, or rated already"),
        (status = 429, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn rate(
    State(state): State<App>,
    Caller(principal): Caller,
    Client(client): Client,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<RateRequest>,
) -> Result<Json<Changed>, WebError> {
    let proof = Proof {
        verify: &req.verify,
        client: &client,
    };
    let command = PaknCommand::Rate {
        satisfied: req.satisfied,
    };
    let row = pakn::act(
        &state,
        &principal,
        &code,
        &command,
        Some(proof),
        None,
        Utc::now(),
    )
    .await?;
    Ok(Json(changed(&row)))
}

/// The actions of `POST /api/v1/pakn/{code}/actions`.
const ACTIONS: &str = "refuse {reason}, request_info {question}, accept {category}, \
forward {to, reason}, answer {answer}, return_answer {reason}, publish, close; the petitioner \
(with verify): supplement {text}, rate {satisfied}, reopen {reason}";

/// Carries out an action on a petition: `{"action": NAME, …fields}` with an optional
/// `expected_version` (409 if it moved on), and `verify` for the petitioner's own actions.
/// Officers act on petitions of the agencies theirs covers.
#[utoipa::path(
    post, path = "/api/v1/pakn/{code}/actions", tag = "pakn", security(("bearer" = [])),
    params(("code" = String, Path, description = "Petition code")),
    request_body(content = Object, description = "`{\"action\": …, \"expected_version\"?: n, \"verify\"?: \"1234\", …}`"),
    responses(
        (status = 200, body = Changed),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn act(
    State(state): State<App>,
    Caller(principal): Caller,
    Client(client): Client,
    Path(code): Path<String>,
    ApiJson(mut body): ApiJson<serde_json::Value>,
) -> Result<Json<Changed>, WebError> {
    let expected = super::dossiers::expected_version(&mut body)?;
    let verify = match body.as_object_mut().and_then(|o| o.remove("verify")) {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(_) => return Err(WebError::invalid("invalid_field", "error-pakn-verify")),
    };
    let command: PaknCommand = serde_json::from_value(body).map_err(|e| {
        WebError::invalid("invalid_action", "error-invalid-action")
            .arg("detail", e.to_string())
            .arg("actions", ACTIONS)
    })?;
    let proof = verify.as_deref().map(|verify| Proof {
        verify,
        client: &client,
    });
    let row = pakn::act(
        &state,
        &principal,
        &code,
        &command,
        proof,
        expected,
        Utc::now(),
    )
    .await?;
    Ok(Json(changed(&row)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// `mine` (the officer's agency), `unit` (every agency it covers), `due` (due within two
    /// working days) or `overdue`.
    view: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ListItem {
    code: String,
    version: u32,
    state: &'static str,
    category: Option<&'static str>,
    agency: String,
    channel: &'static str,
    dossier: Option<String>,
    filed_at: DateTime<Utc>,
    due_at: Option<DateTime<Utc>>,
    overdue: bool,
}

/// An officer's open petitions, the earliest due first.
#[utoipa::path(
    get, path = "/api/v1/pakn", tag = "pakn", security(("bearer" = [])), params(ListParams),
    responses(
        (status = 200, body = Vec<ListItem>),
        (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn list(
    State(state): State<App>,
    Caller(principal): Caller,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<Vec<ListItem>>, WebError> {
    let now = Utc::now();
    let rows = pakn::list(&state, &principal, q.view.as_deref().unwrap_or("unit"), now).await?;
    Ok(Json(
        rows.iter()
            .map(|r| ListItem {
                code: r.code.to_string(),
                version: r.version,
                state: r.state.as_str(),
                category: r.category.map(|c| c.as_str()),
                agency: r.agency.to_string(),
                channel: r.channel.as_str(),
                dossier: r.dossier.map(|d| d.to_string()),
                filed_at: r.facts.filed_at,
                due_at: r.facts.due_at,
                overdue: r.facts.due_at.is_some_and(|d| d < now),
            })
            .collect(),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct StatsParams {
    /// The first day, `YYYY-MM-DD`.
    from: chrono::NaiveDate,
    /// The last day, included.
    to: chrono::NaiveDate,
    /// `agency` (default), `category` or `channel`.
    by: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct StatsRowView {
    /// The agency's code, the category (`unclassified` before an officer classifies) or the
    /// channel.
    key: String,
    /// Petitions handled in the days (filed by their end, not ended before their start).
    petitions: u64,
    /// Of those, in time (no step late; if open at the end, not past due).
    in_time: u64,
    /// Answers published in the days.
    handled: u64,
    /// Of those, in time, not rated dissatisfied, not raised again.
    satisfactory: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct StatsView {
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    by: String,
    rows: Vec<StatsRowView>,
    total: StatsRowView,
}

fn stats_row(r: pakn::StatsRow) -> StatsRowView {
    StatsRowView {
        key: r.key,
        petitions: r.petitions,
        in_time: r.in_time,
        handled: r.handled,
        satisfactory: r.satisfactory,
    }
}

/// Feedback figures over days, per agency, category or channel, with the total: the service
/// index's rules (officers, or an API key with `stats:read`, for the agencies theirs covers).
#[utoipa::path(
    get, path = "/api/v1/stats/pakn", tag = "statistics", params(StatsParams), security(("bearer" = [])),
    responses((status = 200, body = StatsView), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody))
)]
pub(crate) async fn stats(
    State(state): State<App>,
    Caller(principal): Caller,
    ApiQuery(q): ApiQuery<StatsParams>,
) -> Result<Json<StatsView>, WebError> {
    let by = q.by.unwrap_or_else(|| "agency".into());
    let grouping = pakn::StatsBy::parse(&by).ok_or_else(|| {
        WebError::new(
            motcua_app::error::Kind::BadRequest,
            "invalid_by",
            "error-pakn-stats-by",
        )
    })?;
    let (rows, total) = pakn::stats(&state, &principal, q.from, q.to, grouping).await?;
    Ok(Json(StatsView {
        from: q.from,
        to: q.to,
        by,
        rows: rows.into_iter().map(stats_row).collect(),
        total: stats_row(total),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct PublishedParams {
    /// Words to find in the question or the answer (accents aside).
    q: Option<String>,
    /// An agency's code.
    agency: Option<String>,
    /// `regulation`, `procedure`, `staff_conduct` or `other`.
    category: Option<String>,
    /// From 1.
    page: Option<u32>,
    /// 1–100, 20 when absent.
    per_page: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PublishedView {
    code: String,
    agency: String,
    agency_name: String,
    category: Option<String>,
    published_at: DateTime<Utc>,
    /// The petition as written, when its petitioner agreed to its publication (personal
    /// numbers and e-mail addresses hidden); never the petitioner's name or contact.
    question: Option<String>,
    answer: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PublishedList {
    items: Vec<PublishedView>,
}

/// The published answers to feedback and petitions, the latest first: searched by words,
/// agency and category. Public.
#[utoipa::path(
    get, path = "/api/v1/pakn/published", tag = "pakn", params(PublishedParams),
    responses((status = 200, body = PublishedList), (status = 400, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody))
)]
pub(crate) async fn published(
    State(state): State<App>,
    ApiQuery(q): ApiQuery<PublishedParams>,
) -> Result<Json<PublishedList>, WebError> {
    let found = pakn::published(
        &state,
        &pakn::PublishedSearch {
            q: q.q,
            agency: q.agency,
            category: q.category,
            page: q.page.unwrap_or(1),
            per_page: q.per_page.unwrap_or(20),
        },
    )
    .await?;
    Ok(Json(PublishedList {
        items: found
            .into_iter()
            .map(|p| PublishedView {
                code: p.code.to_string(),
                agency: p.agency.to_string(),
                agency_name: state.catalog.agency_name(p.agency),
                category: p.category.map(|c| c.as_str().to_string()),
                published_at: p.published_at,
                question: p.question,
                answer: p.answer,
            })
            .collect(),
    }))
}

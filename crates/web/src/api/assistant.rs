//! The 24/7 assistant over the API: the same answers as the support page and the hotline
//! console, from the catalog's published records.

use axum::Json;
use axum::extract::State;
use chrono::Utc;
use motcua_app::App;
use motcua_assistant::{Kind, Link, Reply};
use motcua_domain::Lang;
use serde::{Deserialize, Serialize};

use crate::error::{ApiJson, ReqLang, WebError};

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct AskRequest {
    /// The question, as the citizen put it (at most 500 characters).
    q: String,
    /// `vi` or `en`; the request's language when absent.
    #[schema(value_type = Option<String>, example = "vi")]
    lang: Option<Lang>,
    context: Option<AskContext>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct AskContext {
    /// A procedure the asker chose from an earlier reply's `choices`.
    procedure_code: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct LinkBody {
    label: String,
    href: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AskResponse {
    /// `answer` (from a cited record), `choose` (several procedures fit: see `choices`),
    /// `escalate` (no reliable answer: an officer can) or `redirect` (see `follow_ups`).
    kind: String,
    /// What the question asks: `documents`, `fee`, `time`, `place`, `online`, `result`,
    /// `overview`, `hours`, `holidays`, `ticket`, `appointment`, `track`, `feedback` or
    /// `complaint`.
    intent: Option<String>,
    /// Lines of text; a line starting with "- " is an item of a list. Every figure in it is
    /// stated by a source.
    answer: String,
    procedure_code: Option<String>,
    /// Where the answer's words come from.
    sources: Vec<String>,
    follow_ups: Vec<LinkBody>,
    choices: Vec<LinkBody>,
}

fn links(list: Vec<Link>) -> Vec<LinkBody> {
    list.into_iter()
        .map(|l| LinkBody {
            label: l.label,
            href: l.href,
        })
        .collect()
}

impl From<Reply> for AskResponse {
    fn from(r: Reply) -> Self {
        AskResponse {
            kind: match r.kind {
                Kind::Answer => "answer",
                Kind::Choose => "choose",
                Kind::Escalate => "escalate",
                Kind::Redirect => "redirect",
            }
            .into(),
            intent: r.intent.map(|i| i.as_str().to_string()),
            answer: r.answer,
            procedure_code: r.procedure_code.map(|c| c.to_string()),
            sources: r.sources,
            follow_ups: links(r.follow_ups),
            choices: links(r.choices),
        }
    }
}

/// Answers a question about procedures, opening hours, days off, tickets, appointments, one's
/// own dossier or feedback. Deterministic: intent rules, the catalog search and templates
/// filled verbatim from the procedure record, which `sources` names; an answer stating a
/// figure its sources do not state is never given.
#[utoipa::path(
    post, path = "/api/v1/assistant/ask", tag = "support", request_body = AskRequest,
    responses(
        (status = 200, body = AskResponse),
        (status = 422, body = crate::error::ErrorBody, description = "no question, or one too long")
    )
)]
pub(crate) async fn ask(
    State(state): State<App>,
    ReqLang(req_lang): ReqLang,
    ApiJson(req): ApiJson<AskRequest>,
) -> Result<Json<AskResponse>, WebError> {
    let procedure = req.context.and_then(|c| c.procedure_code);
    let reply = motcua_app::assistant::ask(
        &state,
        &req.q,
        req.lang.unwrap_or(req_lang),
        procedure.as_deref(),
        Utc::now(),
    )
    .await?;
    Ok(Json(reply.into()))
}

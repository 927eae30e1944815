//! The 24/7 assistant as the server runs it: the question checked, read against the current
//! catalog, the one record it names loaded, and answered from it (`motcua_assistant`).

use chrono::{DateTime, Utc};
use motcua_assistant::faq::Faq;
use motcua_assistant::{Context, Reply, office_days, plan, reply};
use motcua_domain::Lang;
use motcua_domain::calendar::{TZ, WorkingCalendar};
use motcua_domain::ids::ProcedureCode;

use crate::App;
use crate::catalog::search_error;
use crate::error::{AppError, Kind};

/// Longest question, in characters.
pub const MAX_QUESTION_CHARS: usize = 500;

/// Answers `question` in `lang`; `procedure` is one the asker chose from an earlier reply.
pub async fn ask(
    state: &App,
    question: &str,
    lang: Lang,
    procedure: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Reply, AppError> {
    let question = question.trim();
    if question.is_empty() {
        return Err(AppError::new(
            Kind::Invalid,
            "question_required",
            "error-question-required",
        ));
    }
    if question.chars().count() > MAX_QUESTION_CHARS {
        return Err(AppError::new(
            Kind::Invalid,
            "question_too_long",
            "error-question-too-long",
        )
        .arg("max", MAX_QUESTION_CHARS));
    }
    let chosen = procedure
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            ProcedureCode::parse(p).map_err(|e| AppError::on_field(Kind::Invalid, "procedure", e))
        })
        .transpose()?;
    let index = state.catalog.index();
    let plan = plan(&index, question, chosen).map_err(search_error)?;
    let record = match plan.record() {
        Some(code) => state.store.procedure(code).await?,
        None => None,
    };
    let calendar = state.calendar();
    // Read only for a reply that may quote them: not for hours, tickets, tracking.
    let faq = if plan.may_quote_published() {
        published(state).await?
    } else {
        Vec::new()
    };
    let answered = reply(
        &plan,
        record.as_ref(),
        &context(state, &calendar, &faq, lang, now),
    );
    if answered.kind == motcua_assistant::Kind::Escalate {
        // The procedure's record was read for the reply already (none: the centre's).
        let about = record.as_ref().map(|r| (r.code, r.agency));
        note_unanswered(state, question, lang, about, now).await;
    }
    Ok(answered)
}

/// Keeps a question the assistant could not answer (personal numbers hidden) for the weekly
/// report of the agency it concerns: the procedure's it was about, else the centre's. A failure to
/// keep it is logged; the asker still gets the reply.
async fn note_unanswered(
    state: &App,
    question: &str,
    lang: Lang,
    about: Option<(ProcedureCode, motcua_domain::ids::AgencyCode)>,
    now: DateTime<Utc>,
) {
    let note = motcua_store::UnansweredNote {
        asked_at: now,
        question: motcua_domain::text::mask_personal(question),
        lang,
        procedure: about.map(|(p, _)| p),
        agency: about.map_or(state.default_receiving_agency, |(_, a)| a),
    };
    if let Err(e) = state.store.note_unanswered(&note).await {
        tracing::warn!(error = %e, "keeping an unanswered question failed");
    }
}

/// The answers officers published, as the assistant quotes them.
async fn published(state: &App) -> Result<Vec<Faq>, AppError> {
    Ok(
        crate::questions::faq(state, None, None, crate::questions::FAQ_READ)
            .await?
            .into_iter()
            .filter_map(|q| {
                Some(Faq {
                    code: q.code.to_string(),
                    answer: q.answer?,
                    agency: state.catalog.agency_name(q.asked.agency),
                    published: q.published_at?.with_timezone(&TZ).date_naive(),
                    procedure: q.asked.procedure,
                    question: q.asked.question,
                })
            })
            .collect(),
    )
}

/// The opening hours of the coming week and the next days off, from the working calendar.
pub fn opening(state: &App, lang: Lang, now: DateTime<Utc>) -> Reply {
    let calendar = state.calendar();
    office_days(&context(state, &calendar, &[], lang, now))
}

fn context<'a>(
    state: &'a App,
    calendar: &'a WorkingCalendar,
    faq: &'a [Faq],
    lang: Lang,
    now: DateTime<Utc>,
) -> Context<'a> {
    Context {
        calendar,
        today: now.with_timezone(&TZ).date_naive(),
        hotline: state.hotline.as_deref(),
        lang,
        faq,
    }
}

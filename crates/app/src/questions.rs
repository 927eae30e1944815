//! Questions to an officer (hỏi đáp): what the assistant cannot answer, anyone asks (a name and
//! a phone or e-mail to answer them), or an officer writes down from the hotline. An officer of
//! the agency concerned answers by the first-answer time on the working calendar, and may
//! publish the answer as a frequently asked question (the assistant quotes it) or turn the
//! question into a petition. Personal numbers and e-mail addresses in a question are hidden
//! before it is kept.

use chrono::{DateTime, Utc};
use motcua_domain::ids::{AgencyCode, Phone, ProcedureCode, QuestionCode};
use motcua_domain::pakn::{self, Filing, PaknChannel, Petitioner};
use motcua_domain::questions::{QuestionState, Tally, answer_due, week_of};
use motcua_domain::text::mask_personal;
use motcua_store::{NewQuestion, PetitionRow, QuestionQuery, QuestionRow, Scope, User};

use crate::App;
use crate::error::{AppError, Kind};
use crate::pakn::second_factor;
use crate::principal::Principal;

/// Longest question, in characters.
pub const MAX_QUESTION_CHARS: usize = 2_000;
/// How an officer may have taken a question for someone.
pub const OFFICER_CHANNELS: [&str; 3] = ["hotline", "phone", "counter"];

/// A question as given.
#[derive(Debug, Clone, Default)]
pub struct Asked {
    pub q: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub procedure: Option<String>,
    /// For an officer writing it down: `hotline`, `phone` or `counter`.
    pub channel: Option<String>,
    /// The language the asker is answered in.
    pub lang: motcua_domain::Lang,
}

fn invalid(code: &'static str, key: &'static str) -> AppError {
    AppError::new(Kind::Invalid, code, key)
}

/// Takes a question; its answer is due `question_hours` working hours later.
pub async fn ask(
    state: &App,
    principal: &Principal,
    req: Asked,
    client: &str,
    now: DateTime<Utc>,
) -> Result<QuestionRow, AppError> {
    let q = req.q.trim();
    if q.is_empty() {
        return Err(invalid("question_required", "error-question-required"));
    }
    if q.chars().count() > MAX_QUESTION_CHARS {
        return Err(
            invalid("question_too_long", "error-question-too-long").arg("max", MAX_QUESTION_CHARS)
        );
    }
    let name = req.name.trim();
    if name.is_empty() {
        return Err(invalid("name_required", "error-question-name"));
    }
    let text = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let phone = text(req.phone)
        .map(|p| Phone::parse(&p).map_err(|e| AppError::on_field(Kind::Invalid, "phone", e)))
        .transpose()?;
    let email = text(req.email)
        .map(|e| crate::accounts::parse_email(&e))
        .transpose()?;
    if phone.is_none() && email.is_none() {
        return Err(invalid("question_no_contact", "error-question-contact"));
    }
    let procedure = text(req.procedure)
        .map(|p| {
            ProcedureCode::parse(&p).map_err(|e| AppError::on_field(Kind::Invalid, "procedure", e))
        })
        .transpose()?;
    let index = state.catalog.index();
    let agency = match procedure {
        Some(code) => {
            index
                .get(&code)
                .ok_or_else(|| invalid("unknown_procedure", "error-unknown-procedure"))?
                .agency_code
        }
        None => state.default_receiving_agency,
    };
    let (channel, received_by) = match principal {
        Principal::Staff(u) if principal.has_scope(Scope::DossiersWrite) => {
            let channel = text(req.channel)
                .filter(|c| OFFICER_CHANNELS.contains(&c.as_str()))
                .ok_or_else(|| invalid("invalid_channel", "error-question-channel"))?;
            (channel, Some(u.username.clone()))
        }
        Principal::Staff(_) | Principal::System(_) => return Err(AppError::forbidden()),
        Principal::Anonymous | Principal::Citizen(_) => {
            state
                .limits
                .questions
                .take(client)
                .map_err(AppError::too_many_attempts)?;
            ("web".to_string(), None)
        }
    };
    let due = answer_due(&state.calendar(), now, state.question_hours);
    let row = state
        .store
        .ask_question(
            &NewQuestion {
                channel,
                received_by,
                name: name.to_string(),
                phone,
                email,
                procedure,
                agency,
                question: mask_personal(q),
                lang: req.lang,
            },
            now,
            due,
        )
        .await?;
    tracing::info!(code = %row.code, agency = %row.asked.agency, "question asked");
    Ok(row)
}

/// The question `code` for its asker, when `verify` is its second factor (the last four
/// digits of the phone, or the first four characters of the e-mail address); "not found"
/// otherwise, or "too many attempts" while `client` must wait.
pub async fn lookup(
    state: &App,
    code: &str,
    verify: &str,
    client: &str,
) -> Result<QuestionRow, AppError> {
    let Ok(code) = QuestionCode::parse(code) else {
        return Err(AppError::not_found());
    };
    state
        .limits
        .track
        .look_up(&code.to_string(), client, async {
            Ok(state.store.question(&code).await?.filter(|r| {
                second_factor(r.asked.phone.as_ref(), r.asked.email.as_deref(), verify)
            }))
        })
        .await
}

/// The officer handling questions: signed in, allowed to handle dossiers, of an agency.
fn officer(principal: &Principal) -> Result<(&User, AgencyCode), AppError> {
    match principal {
        Principal::Staff(u) if principal.has_scope(Scope::DossiersWrite) => {
            u.agency.map(|a| (u, a)).ok_or_else(AppError::forbidden)
        }
        Principal::Anonymous => Err(AppError::unauthenticated()),
        _ => Err(AppError::forbidden()),
    }
}

/// Question `code` for an officer whose agency covers the agency it is for.
pub async fn for_officer(
    state: &App,
    principal: &Principal,
    code: &str,
) -> Result<QuestionRow, AppError> {
    let (_, mine) = officer(principal)?;
    let code = QuestionCode::parse(code).map_err(|_| AppError::not_found())?;
    let row = state
        .store
        .question(&code)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !mine.covers(&row.asked.agency) {
        return Err(AppError::forbidden());
    }
    Ok(row)
}

/// An officer's questions: `open` (waiting, the earliest due first) or `answered`, of every
/// agency theirs covers.
pub async fn list(
    state: &App,
    principal: &Principal,
    view: &str,
) -> Result<Vec<QuestionRow>, AppError> {
    let (_, mine) = officer(principal)?;
    let states = match view {
        "open" => vec![QuestionState::Open],
        "answered" => vec![QuestionState::Answered, QuestionState::Converted],
        _ => {
            return Err(AppError::new(
                Kind::BadRequest,
                "invalid_view",
                "error-question-view",
            ));
        }
    };
    let agencies = state
        .catalog
        .agencies()
        .iter()
        .map(|a| a.code)
        .filter(|a| mine.covers(a))
        .collect();
    Ok(state
        .store
        .questions(&QuestionQuery {
            agencies,
            states,
            limit: 500,
        })
        .await?)
}

fn still_open(row: &QuestionRow) -> Result<(), AppError> {
    if row.state == QuestionState::Open {
        Ok(())
    } else {
        Err(AppError::new(
            Kind::Conflict,
            "question_not_open",
            "error-question-not-open",
        ))
    }
}

/// Answers question `code`; with `publish`, as a frequently asked question the assistant
/// quotes from then on.
pub async fn answer(
    state: &App,
    principal: &Principal,
    code: &str,
    text: &str,
    publish: bool,
    now: DateTime<Utc>,
) -> Result<QuestionRow, AppError> {
    let row = for_officer(state, principal, code).await?;
    still_open(&row)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid("answer_required", "error-question-answer"));
    }
    let (user, _) = officer(principal)?;
    let row = state
        .store
        .answer_question(&row.code, text, &user.username, now, publish)
        .await?;
    tracing::info!(code = %row.code, publish, "question answered");
    Ok(row)
}

/// Turns question `code` into a petition: the asker's own, with the question as its content,
/// for the same agency, received on the question's channel (and written down by the same
/// officer when one took it). A complaint or denunciation is not turned into feedback.
pub async fn convert(
    state: &App,
    principal: &Principal,
    code: &str,
    now: DateTime<Utc>,
) -> Result<(QuestionRow, PetitionRow), AppError> {
    let row = for_officer(state, principal, code).await?;
    still_open(&row)?;
    let (user, _) = officer(principal)?;
    crate::pakn::feedback_only(&row.asked.question)?;
    let channel = PaknChannel::parse(&row.asked.channel).ok_or_else(|| {
        motcua_store::StoreError::Corrupt(format!("question channel {:?}", row.asked.channel))
    })?;
    let filing = pakn::check(Filing {
        petitioner: Petitioner {
            name: row.asked.name.clone(),
            phone: row.asked.phone.clone(),
            email: row.asked.email.clone(),
            lang: row.asked.lang,
        },
        channel,
        content: row.asked.question.clone(),
        category: None,
        dossier: None,
        agency: row.asked.agency,
        received_by: row.asked.received_by.clone(),
        publish_content: false,
        attachments: Vec::new(),
    })?;
    let petition = crate::pakn::record(state, &filing, now).await?;
    let row = state
        .store
        .convert_question(&row.code, &petition.code, &user.username, now)
        .await?;
    Ok((row, petition))
}

/// Most frequently asked questions read at once by the assistant.
pub const FAQ_READ: u32 = 200;

/// The published questions holding every word of `q` (accents aside), about `procedure`, the
/// latest `limit` of them.
pub async fn faq(
    state: &App,
    q: Option<&str>,
    procedure: Option<&str>,
    limit: u32,
) -> Result<Vec<QuestionRow>, AppError> {
    let words = crate::pakn::search_words(q)?;
    let procedure = procedure
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            ProcedureCode::parse(p).map_err(|e| AppError::on_field(Kind::Invalid, "procedure", e))
        })
        .transpose()?;
    Ok(state.store.faq(&words, procedure.as_ref(), limit).await?)
}

/// What became of the questions to one agency in a week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyWeek {
    pub agency: AgencyCode,
    /// Questions to its officers.
    pub officers: Tally,
    /// Questions about its procedures the assistant could not answer, and some of them (the
    /// first ones, personal numbers hidden) to answer for good.
    pub assistant_unanswered: u32,
    pub examples: Vec<String>,
}

/// The weekly report of unanswered questions, per agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub agencies: Vec<AgencyWeek>,
}

/// The report's entry of `agency`, made empty when it has none yet.
fn agency_week(
    by: &mut std::collections::BTreeMap<AgencyCode, AgencyWeek>,
    agency: AgencyCode,
) -> &mut AgencyWeek {
    by.entry(agency).or_insert_with(|| AgencyWeek {
        agency,
        officers: Tally::default(),
        assistant_unanswered: 0,
        examples: Vec::new(),
    })
}

/// Questions read for a week's report, at most.
const WEEK_READ: u32 = 100_000;
/// Examples of what the assistant could not answer, per agency.
const EXAMPLES: usize = 10;

/// The week holding `day`: for each agency the officer's agency covers (with questions that
/// week), what became of the questions to officers, judged at `now`, and what the assistant
/// could not answer. Officers who read dossiers, leaders and supervisors read it.
pub async fn week_report(
    state: &App,
    principal: &Principal,
    day: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> Result<WeekReport, AppError> {
    let mine = match principal {
        Principal::Staff(u) if principal.has_scope(Scope::DossiersRead) => {
            u.agency.ok_or_else(AppError::forbidden)?
        }
        Principal::Anonymous => return Err(AppError::unauthenticated()),
        _ => return Err(AppError::forbidden()),
    };
    let (from, to) = week_of(day);
    let as_of = now.min(to);
    let mut by: std::collections::BTreeMap<AgencyCode, AgencyWeek> = Default::default();
    for q in state.store.questions_asked(from, to, WEEK_READ).await? {
        if mine.covers(&q.asked.agency) {
            agency_week(&mut by, q.asked.agency).officers.add(
                q.state,
                q.answer_due_at,
                q.answered_at,
                as_of,
            );
        }
    }
    for n in state.store.unanswered_notes(from, to, WEEK_READ).await? {
        if mine.covers(&n.agency) {
            let week = agency_week(&mut by, n.agency);
            week.assistant_unanswered += 1;
            if week.examples.len() < EXAMPLES && !week.examples.contains(&n.question) {
                week.examples.push(n.question);
            }
        }
    }
    Ok(WeekReport {
        from,
        to,
        agencies: by.into_values().collect(),
    })
}

/// The day a report's `week` names, or a day of the last full week.
pub fn week_day(week: Option<&str>, now: DateTime<Utc>) -> Result<chrono::NaiveDate, AppError> {
    match week.map(str::trim).filter(|w| !w.is_empty()) {
        Some(w) => chrono::NaiveDate::parse_from_str(w, "%Y-%m-%d")
            .map_err(|_| AppError::new(Kind::BadRequest, "invalid_week", "error-invalid-week")),
        None => Ok(motcua_domain::facts::local_day(now) - chrono::Duration::days(7)),
    }
}

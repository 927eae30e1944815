//! The 24/7 assistant. It writes no text of its own about a procedure: it reads what a
//! question asks ([`reading`]), finds the procedure with the catalog search, and fills a
//! template per intent with the procedure record's published words, verbatim, naming the
//! record as its source. The answer gate ([`gate`]) refuses any answer about a procedure that
//! states a figure its record does not state. Opening hours and days off are printed from the
//! working calendar, and an officer's published answer is quoted whole with its agency and
//! date. A question it cannot place gets the top choices, or an honest "I cannot answer this
//! reliably" with the offer of an officer.
//!
//! Without I/O: the caller looks the question up ([`plan`]), loads the one record the plan
//! names, and has it answered ([`reply`]).

pub mod evaluation;
pub mod faq;
pub mod gate;
pub mod reading;
mod words;

use chrono::{Datelike, NaiveDate, Weekday};
use motcua_domain::Lang;
use motcua_domain::calendar::WorkingCalendar;
use motcua_domain::ids::ProcedureCode;
use motcua_domain::pakn::NotFeedback;
use motcua_procedures::{DocumentRole, OnlineLevel, Procedure};
use motcua_search::{Candidate, CatalogIndex, SearchError};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

pub use reading::{Intent, Reading, read};
use words::{say, t};

/// Candidates looked at.
const SHORTLIST: usize = 3;
/// How much better the first candidate must fit than the second to be taken as the answer;
/// closer, the asker chooses.
const MARGIN: f64 = 0.25;
/// Documents listed in an answer; the rest are on the procedure's page.
const MAX_DOCUMENTS: usize = 15;
/// Days off listed.
const HOLIDAYS_SHOWN: usize = 5;

/// What kind of reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An answer from a cited record.
    Answer,
    /// The question may be about any of several procedures.
    Choose,
    /// The assistant cannot answer reliably: an officer can.
    Escalate,
    /// The asker is sent to the page that does it (tracking, feedback, a ticket, …).
    Redirect,
}

/// A link offered with a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub label: String,
    pub href: String,
}

/// The assistant's reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reply {
    pub kind: Kind,
    pub intent: Option<Intent>,
    /// Lines of text; a line starting with "- " is an item of a list.
    pub answer: String,
    /// The procedure the answer is about.
    pub procedure_code: Option<ProcedureCode>,
    /// Where the answer's words come from.
    pub sources: Vec<String>,
    /// What the asker can do or ask next.
    pub follow_ups: Vec<Link>,
    /// The procedures to choose from (with `Choose`).
    pub choices: Vec<Link>,
}

/// How a question is to be answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The question as asked.
    pub question: String,
    pub reading: Reading,
    pub target: Target,
}

/// What the answer is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// One procedure, clearly.
    One(ProcedureCode),
    /// Several fit about as well.
    Several(Vec<Candidate>),
    /// No procedure (none is needed, or none fits).
    Nothing,
}

impl Plan {
    /// The record to load for the reply.
    /// Whether the reply may quote an officer's published answer (a question about a
    /// procedure, or one asking nothing in particular): only then are they needed.
    pub fn may_quote_published(&self) -> bool {
        self.reading.intent().is_none_or(Intent::needs_procedure)
    }

    pub fn record(&self) -> Option<&ProcedureCode> {
        match &self.target {
            Target::One(code) => Some(code),
            _ => None,
        }
    }
}

/// Reads `question` and finds what it is about. `chosen` is a procedure the asker picked from
/// an earlier reply's choices.
pub fn plan(
    index: &CatalogIndex,
    question: &str,
    chosen: Option<ProcedureCode>,
) -> Result<Plan, SearchError> {
    let mut reading = read(question);
    // Opening hours, days off, tickets and appointments are answered when the question is
    // about the offices or a procedure, not for "what time is the final".
    if reading.intent().is_some_and(|i| {
        matches!(
            i,
            Intent::Hours | Intent::Holidays | Intent::Ticket | Intent::Appointment
        )
    }) && !reading::about_the_office(&reading.topic)
        && !about_a_procedure(index, &reading.topic)?
    {
        reading.intents.clear();
        return Ok(Plan {
            question: question.trim().to_string(),
            reading,
            target: Target::Nothing,
        });
    }
    let wants_procedure = reading.intent().is_none_or(Intent::needs_procedure);
    let target = match chosen.filter(|c| index.get(c).is_some()) {
        Some(code) if wants_procedure => Target::One(code),
        _ if !wants_procedure || reading.topic.trim().is_empty() => Target::Nothing,
        _ => {
            let shortlist = index.shortlist(&reading.topic, SHORTLIST)?;
            let words = shortlist.words;
            let named = reading.intents.is_empty();
            let clear: Vec<Candidate> = shortlist
                .matches
                .into_iter()
                .filter(|c| clearly_about(c, words) && (!named || c.leading >= 2))
                .collect();
            match clear.as_slice() {
                [] => Target::Nothing,
                [one] => Target::One(one.summary.code),
                [first, second, ..] if first.fit - second.fit >= MARGIN => {
                    Target::One(first.summary.code)
                }
                several => Target::Several(several.to_vec()),
            }
        }
    };
    Ok(Plan {
        question: question.trim().to_string(),
        reading,
        target,
    })
}

/// Whether a candidate is clearly what the words are about: there are two words or more,
/// and two of them stand side by side in its name (one word alone does not name a
/// procedure: "phở bò" is none because "bộ" is in many names). The shortlist holds only
/// procedures whose name or field holds most of the words exactly. A question that asks
/// nothing in particular must name the procedure as its name begins ("đăng ký kết hôn"), or
/// "nhà hàng hải sản" would be "Chi trả phí bảo hiểm khai thác hải sản".
fn clearly_about(c: &Candidate, words: usize) -> bool {
    words >= 2 && c.adjacent
}

/// Whether `topic` clearly names some procedure.
fn about_a_procedure(index: &CatalogIndex, topic: &str) -> Result<bool, SearchError> {
    let shortlist = index.shortlist(topic, SHORTLIST)?;
    Ok(shortlist
        .matches
        .iter()
        .any(|c| clearly_about(c, shortlist.words)))
}

/// What the reply may use besides the record: the calendar, today, the hotline, the answers
/// officers published.
pub struct Context<'a> {
    pub calendar: &'a WorkingCalendar,
    pub today: NaiveDate,
    pub hotline: Option<&'a str>,
    pub lang: Lang,
    pub faq: &'a [faq::Faq],
}

/// Answers a plan; `record` is the procedure [`Plan::record`] names.
pub fn reply(plan: &Plan, record: Option<&Procedure>, cx: &Context) -> Reply {
    let lang = cx.lang;
    let reading = &plan.reading;
    let intent = reading.intent();
    match intent {
        Some(Intent::Complaint) => {
            let key = match reading.not_feedback {
                Some(NotFeedback::Denunciation) => "denunciation",
                _ => "complaint",
            };
            redirect(intent, t(lang, key), vec![ask_officer(lang)])
        }
        Some(Intent::Track) => {
            let (text, href) = match reading.dossier {
                Some(code) => (
                    say(lang, "track-code", &[("code", code.to_string())]),
                    format!("/track?code={code}"),
                ),
                None => (t(lang, "track"), "/track".to_string()),
            };
            redirect(intent, text, vec![link(lang, "follow-track", href)])
        }
        Some(Intent::Feedback) => redirect(
            intent,
            t(lang, "feedback"),
            vec![link(lang, "follow-feedback", "/phan-anh-kien-nghi".into())],
        ),
        Some(Intent::Ticket) => redirect(intent, t(lang, "ticket"), vec![branches(lang)]),
        Some(Intent::Appointment) => redirect(intent, t(lang, "appointment"), vec![branches(lang)]),
        Some(Intent::Hours) => calendar_answer(Intent::Hours, hours(cx), cx),
        Some(Intent::Holidays) => calendar_answer(Intent::Holidays, holidays(cx), cx),
        _ => match faq::best(&plan.question, plan.record(), cx.faq) {
            Some(f) => faq_answer(intent, f, cx),
            None => procedure_answer(plan, record, cx),
        },
    }
}

/// An officer's published answer, verbatim, with who answered and when.
fn faq_answer(intent: Option<Intent>, f: &faq::Faq, cx: &Context) -> Reply {
    let source = say(
        cx.lang,
        "faq-source",
        &[
            ("agency", f.agency.clone()),
            ("date", f.published.format("%d/%m/%Y").to_string()),
        ],
    );
    // The officer's words and who published them when: no figure of the assistant's own.
    let answer = format!("{}\n{source}", f.answer);
    let mut follow_ups = Vec::new();
    if let Some(code) = f.procedure {
        follow_ups.push(link(
            cx.lang,
            "follow-procedure",
            format!("/procedures/{code}"),
        ));
    }
    follow_ups.push(ask_officer(cx.lang));
    Reply {
        kind: Kind::Answer,
        intent: intent.or(Some(Intent::Overview)),
        answer,
        procedure_code: f.procedure,
        sources: vec![format!("/ho-tro#{}", f.code)],
        follow_ups,
        choices: Vec::new(),
    }
}

fn procedure_answer(plan: &Plan, record: Option<&Procedure>, cx: &Context) -> Reply {
    let lang = cx.lang;
    let intents: Vec<Intent> = if plan.reading.intents.is_empty() {
        vec![Intent::Overview]
    } else {
        plan.reading
            .intents
            .iter()
            .copied()
            .filter(|i| i.needs_procedure())
            .collect()
    };
    let intent = intents.first().copied();
    let record = match (&plan.target, record) {
        (Target::Several(candidates), _) => {
            return Reply {
                kind: Kind::Choose,
                intent,
                answer: t(lang, "choose"),
                procedure_code: None,
                sources: Vec::new(),
                follow_ups: vec![ask_officer(lang)],
                choices: candidates
                    .iter()
                    .map(|c| Link {
                        label: c.summary.name.clone(),
                        href: ask_href(&plan.question, Some(c.summary.code)),
                    })
                    .collect(),
            };
        }
        (Target::One(code), Some(record)) if record.code == *code => record,
        _ => return cannot(intent, cx),
    };
    let mut lines = Vec::new();
    for i in &intents {
        lines.extend(section(*i, record, lang));
    }
    lines.push(say(lang, "source", &[("code", record.code.to_string())]));
    let answer = lines.join("\n");
    let cited = cited(record);
    if let Err(refused) = gate::check(&answer, &[&cited]) {
        tracing::warn!(
            procedure = %record.code,
            figure = %refused.figure,
            "an answer stated a figure its record does not, and was held back"
        );
        return cannot(intent, cx);
    }
    let code = record.code;
    let mut follow_ups: Vec<Link> = [Intent::Documents, Intent::Fee, Intent::Time, Intent::Place]
        .into_iter()
        .filter(|i| !intents.contains(i))
        .map(|i| {
            let label = t(lang, follow_key(i));
            Link {
                href: ask_href(&label, Some(code)),
                label,
            }
        })
        .collect();
    follow_ups.push(link(
        lang,
        "follow-procedure",
        format!("/procedures/{code}"),
    ));
    if record.online_level != OnlineLevel::None {
        follow_ups.push(link(
            lang,
            "follow-apply",
            format!("/procedures/{code}/apply"),
        ));
    }
    follow_ups.push(branches(lang));
    let mut sources = vec![format!("/procedures/{code}")];
    if let Some(p) = &record.provenance {
        sources.push(p.url.clone());
    }
    Reply {
        kind: Kind::Answer,
        intent,
        answer,
        procedure_code: Some(code),
        sources,
        follow_ups,
        choices: Vec::new(),
    }
}

/// The record's words an answer may quote, as one text for the gate.
pub fn cited(p: &Procedure) -> String {
    let mut out = vec![
        p.code.to_string(),
        p.name.clone(),
        p.level.clone(),
        p.implementing_body.clone(),
        p.competent_body.clone(),
        p.result.clone().unwrap_or_default(),
    ];
    for m in &p.methods {
        out.extend([
            m.method.clone(),
            m.fee_text.clone(),
            m.time_limit_text.clone(),
        ]);
    }
    for d in &p.documents {
        out.push(d.name.clone());
        out.extend(d.originals.map(|n| n.to_string()));
        out.extend(d.copies.map(|n| n.to_string()));
    }
    out.join("\n")
}

/// The lines answering one intent from the record, its words verbatim.
fn section(intent: Intent, p: &Procedure, lang: Lang) -> Vec<String> {
    let name = || [("name", p.name.clone())];
    match intent {
        Intent::Documents => {
            let listed: Vec<_> = p
                .documents
                .iter()
                .filter(|d| d.role() != DocumentRole::Note)
                .collect();
            if listed.is_empty() {
                return vec![say(lang, "documents-none", &name())];
            }
            let mut lines = vec![say(lang, "documents-intro", &name())];
            for d in listed.iter().take(MAX_DOCUMENTS) {
                let counts: Vec<String> = [
                    d.originals
                        .map(|n| say(lang, "documents-originals", &[("n", n.to_string())])),
                    d.copies
                        .map(|n| say(lang, "documents-copies", &[("n", n.to_string())])),
                ]
                .into_iter()
                .flatten()
                .collect();
                lines.push(if counts.is_empty() {
                    format!("- {}", d.name)
                } else {
                    format!("- {} ({})", d.name, counts.join(", "))
                });
            }
            if listed.len() > MAX_DOCUMENTS {
                lines.push(t(lang, "documents-more"));
            }
            lines
        }
        Intent::Fee => by_method(p, lang, "fee-intro", "fee-not-stated", |m| &m.fee_text),
        Intent::Time => by_method(p, lang, "time-intro", "time-not-stated", |m| {
            &m.time_limit_text
        }),
        Intent::Place => {
            let mut lines = vec![say(
                lang,
                "place-intro",
                &[("name", p.name.clone()), ("level", p.level.clone())],
            )];
            if !p.implementing_body.trim().is_empty() {
                lines.push(say(
                    lang,
                    "place-body",
                    &[("body", p.implementing_body.clone())],
                ));
            }
            if !p.competent_body.trim().is_empty() && p.competent_body != p.implementing_body {
                lines.push(say(
                    lang,
                    "place-competent",
                    &[("body", p.competent_body.clone())],
                ));
            }
            if !p.methods.is_empty() {
                let methods: Vec<&str> = p.methods.iter().map(|m| m.method.as_str()).collect();
                lines.push(say(
                    lang,
                    "place-methods",
                    &[("methods", methods.join(", "))],
                ));
            }
            lines
        }
        Intent::Online => {
            let key = match p.online_level {
                OnlineLevel::Full => "online-full",
                OnlineLevel::Partial => "online-partial",
                OnlineLevel::None => "online-none",
            };
            vec![say(lang, key, &name())]
        }
        Intent::Result => match p.result.as_deref().map(str::trim) {
            Some(result) if !result.is_empty() => vec![say(
                lang,
                "result-intro",
                &[("name", p.name.clone()), ("result", result.to_string())],
            )],
            _ => vec![say(lang, "result-not-stated", &name())],
        },
        _ => {
            let mut lines = vec![say(lang, "overview-intro", &name())];
            for part in [Intent::Time, Intent::Fee] {
                lines.extend(section(part, p, lang).into_iter().skip(1));
            }
            lines
        }
    }
}

/// An intro line, then one line per way of filing with the record's text for it.
fn by_method(
    p: &Procedure,
    lang: Lang,
    intro: &'static str,
    none: &'static str,
    text: impl Fn(&motcua_procedures::SubmissionMethod) -> &String,
) -> Vec<String> {
    let mut lines = vec![say(lang, intro, &[("name", p.name.clone())])];
    if p.methods.is_empty() {
        lines.push(format!("- {}", t(lang, none)));
    }
    for m in &p.methods {
        let said = text(m).trim();
        let said = if said.is_empty() {
            t(lang, none)
        } else {
            said.to_string()
        };
        lines.push(format!("- {}: {said}", m.method));
    }
    lines
}

fn follow_key(intent: Intent) -> &'static str {
    match intent {
        Intent::Documents => "follow-documents",
        Intent::Fee => "follow-fee",
        Intent::Time => "follow-time",
        _ => "follow-place",
    }
}

/// The opening hours of the coming week, Monday first, from the calendar.
fn hours(cx: &Context) -> Vec<String> {
    let lang = cx.lang;
    let monday = cx.today - chrono::Days::new(u64::from(cx.today.weekday().num_days_from_monday()));
    let mut lines = Vec::new();
    if !cx.calendar.is_working_day(cx.today)
        && let Some(h) = holidays_from(cx).into_iter().find(|(d, _)| *d == cx.today)
    {
        lines.push(say(
            lang,
            "hours-today-off",
            &[("date", date(cx.today)), ("name", h.1)],
        ));
    }
    lines.push(t(lang, "hours-intro"));
    let config = &cx.calendar.config().office_hours;
    for (n, spans) in config.week.iter().enumerate() {
        let day = monday + chrono::Days::new(n as u64);
        let text = if spans.is_empty() {
            t(lang, "hours-closed")
        } else {
            spans
                .iter()
                .map(|(a, b)| format!("{}–{}", a.format("%H:%M"), b.format("%H:%M")))
                .collect::<Vec<_>>()
                .join(", ")
        };
        lines.push(format!("- {}: {text}", weekday(lang, day.weekday())));
    }
    lines
}

/// Days off from today, with their names.
fn holidays_from(cx: &Context) -> Vec<(NaiveDate, String)> {
    let year = cx.today.year();
    let mut days: Vec<(NaiveDate, String)> = [year, year + 1]
        .into_iter()
        .flat_map(|y| cx.calendar.holidays(y))
        .filter(|h| h.date >= cx.today)
        .map(|h| (h.date, h.name(cx.lang).to_string()))
        .collect();
    days.sort();
    days
}

fn holidays(cx: &Context) -> Vec<String> {
    let mut lines = vec![t(cx.lang, "holidays-intro")];
    lines.extend(
        holidays_from(cx)
            .into_iter()
            .take(HOLIDAYS_SHOWN)
            .map(|(d, name)| format!("- {} ({}): {name}", date(d), weekday(cx.lang, d.weekday()))),
    );
    lines
}

fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn weekday(lang: Lang, day: Weekday) -> String {
    let key = match day {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    };
    say(lang, "weekday", &[("day", key.to_string())])
}

/// The opening hours of the coming week and the next days off, as the assistant answers
/// them (for the support page's own box).
pub fn office_days(cx: &Context) -> Reply {
    let mut r = calendar_answer(Intent::Hours, [hours(cx), holidays(cx)].concat(), cx);
    r.follow_ups.clear();
    r
}

/// An answer from the calendar: its times and dates are the working calendar's own, printed
/// from it (the support page shows the same listing, which it cites).
fn calendar_answer(intent: Intent, lines: Vec<String>, cx: &Context) -> Reply {
    let answer = lines.join("\n");
    let other = t(
        cx.lang,
        match intent {
            Intent::Hours => "follow-holidays",
            _ => "follow-hours",
        },
    );
    let other = Link {
        href: ask_href(&other, None),
        label: other,
    };
    Reply {
        kind: Kind::Answer,
        intent: Some(intent),
        answer,
        procedure_code: None,
        sources: vec!["/ho-tro#opening".into()],
        follow_ups: vec![other, branches(cx.lang)],
        choices: Vec::new(),
    }
}

fn redirect(intent: Option<Intent>, answer: String, follow_ups: Vec<Link>) -> Reply {
    Reply {
        kind: Kind::Redirect,
        intent,
        answer,
        procedure_code: None,
        sources: Vec::new(),
        follow_ups,
        choices: Vec::new(),
    }
}

/// "I cannot answer this reliably", with the offer of an officer.
fn cannot(intent: Option<Intent>, cx: &Context) -> Reply {
    let mut answer = t(cx.lang, "cannot");
    if let Some(hotline) = cx.hotline {
        answer.push('\n');
        answer.push_str(&say(
            cx.lang,
            "cannot-hotline",
            &[("hotline", hotline.into())],
        ));
    }
    Reply {
        kind: Kind::Escalate,
        intent,
        answer,
        procedure_code: None,
        sources: Vec::new(),
        follow_ups: vec![ask_officer(cx.lang)],
        choices: Vec::new(),
    }
}

/// The support page asking `question` (about `procedure`, when chosen).
pub fn ask_href(question: &str, procedure: Option<ProcedureCode>) -> String {
    let q = utf8_percent_encode(question, NON_ALPHANUMERIC);
    match procedure {
        Some(code) => format!("/ho-tro?q={q}&procedure={code}"),
        None => format!("/ho-tro?q={q}"),
    }
}

fn link(lang: Lang, key: &'static str, href: String) -> Link {
    Link {
        label: t(lang, key),
        href,
    }
}

fn branches(lang: Lang) -> Link {
    link(lang, "follow-branches", "/branches".into())
}

fn ask_officer(lang: Lang) -> Link {
    link(lang, "follow-ask-officer", "/ho-tro#hoi-can-bo".into())
}

#[cfg(test)]
mod tests;

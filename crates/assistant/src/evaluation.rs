//! The assistant measured on a set of citizens' questions (`fixtures/assistant/questions.tsv`):
//! the share whose intent and procedure it gets right first (top-1), and how many questions
//! it must not answer it answered anyway.

use std::collections::HashMap;

use motcua_domain::ids::ProcedureCode;
use motcua_procedures::Procedure;
use motcua_search::{CatalogIndex, SearchError};

use crate::{Context, Intent, Kind, Target, plan, reply};

/// One question and what answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub question: String,
    /// `None`: out of scope, not to be answered.
    pub intent: Option<Intent>,
    pub answers: Vec<ProcedureCode>,
}

/// A question-set line that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("question set, line {line}: {problem}")]
pub struct QuestionSetError {
    pub line: usize,
    pub problem: String,
}

/// Reads the set: `question<TAB>intent<TAB>code,code…` per line (`none` as the intent of a
/// question not to be answered); `#` starts a comment line.
pub fn question_set(tsv: &str) -> Result<Vec<Expected>, QuestionSetError> {
    let mut out = Vec::new();
    for (i, line) in tsv.lines().enumerate() {
        let fail = |problem: String| QuestionSetError {
            line: i + 1,
            problem,
        };
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.split('\t');
        let (Some(question), Some(intent)) = (cols.next(), cols.next()) else {
            return Err(fail("expected a question, a tab and an intent".into()));
        };
        let intent = match intent.trim() {
            "none" => None,
            other => Some(Intent::parse(other).ok_or_else(|| fail(format!("intent {other:?}")))?),
        };
        let answers = cols
            .next()
            .unwrap_or_default()
            .split(',')
            .filter(|c| !c.trim().is_empty())
            .map(|c| ProcedureCode::parse(c.trim()).map_err(|e| fail(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        out.push(Expected {
            question: question.trim().to_string(),
            intent,
            answers,
        });
    }
    Ok(out)
}

/// How a question set fared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Score {
    /// Questions in scope, and those whose intent and first procedure were right.
    pub questions: usize,
    pub top1: usize,
    /// Of those, answered outright (not a choice): right and wrong.
    pub answered_right: usize,
    pub answered_wrong: usize,
    /// Questions out of scope, and those given anything but "I cannot answer".
    pub out_of_scope: usize,
    pub answered_out_of_scope: usize,
    /// What went wrong, one line each.
    pub misses: Vec<String>,
}

impl Score {
    pub fn top1_share(&self) -> f64 {
        self.top1 as f64 / self.questions.max(1) as f64
    }
}

/// Asks every question of `set`.
pub fn score(
    index: &CatalogIndex,
    records: &HashMap<ProcedureCode, Procedure>,
    set: &[Expected],
    cx: &Context,
) -> Result<Score, SearchError> {
    let mut s = Score::default();
    for e in set {
        let plan = plan(index, &e.question, None)?;
        let r = reply(&plan, plan.record().and_then(|c| records.get(c)), cx);
        let Some(intent) = e.intent else {
            s.out_of_scope += 1;
            if r.kind != Kind::Escalate {
                s.answered_out_of_scope += 1;
                s.misses
                    .push(format!("{} — answered {:?}", e.question, r.kind));
            }
            continue;
        };
        s.questions += 1;
        let first = match &plan.target {
            Target::One(code) => Some(*code),
            Target::Several(c) => c.first().map(|c| c.summary.code),
            Target::Nothing => None,
        };
        let procedure_right = e.answers.is_empty() || first.is_some_and(|c| e.answers.contains(&c));
        let right = r.intent == Some(intent) && procedure_right && r.kind != Kind::Escalate;
        if right {
            s.top1 += 1;
        } else {
            s.misses.push(format!(
                "{} — {:?} {:?} {}",
                e.question,
                r.kind,
                r.intent,
                first.map(|c| c.to_string()).unwrap_or_default()
            ));
        }
        if r.kind == Kind::Answer && !e.answers.is_empty() {
            if right {
                s.answered_right += 1;
            } else {
                s.answered_wrong += 1;
            }
        }
    }
    Ok(s)
}

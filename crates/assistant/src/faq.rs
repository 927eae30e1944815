//! Answers officers published (frequently asked questions): a question close enough to one of
//! them is answered with the officer's words, verbatim, with the agency and the date.

use chrono::NaiveDate;
use motcua_domain::ids::ProcedureCode;
use motcua_domain::text::fold;

/// A published answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Faq {
    pub code: String,
    pub question: String,
    pub answer: String,
    /// The agency that answered, by name.
    pub agency: String,
    pub published: NaiveDate,
    pub procedure: Option<ProcedureCode>,
}

/// Words that say nothing of what is asked.
const STOP: &[&str] = &[
    "a", "ai", "bao", "cho", "co", "cua", "can", "da", "de", "duoc", "em", "gi", "hoi", "khi",
    "khong", "la", "lam", "minh", "nao", "nay", "nhe", "nhu", "o", "ra", "roi", "sao", "the",
    "thi", "toi", "tu", "va", "vay", "ve", "voi", "xin",
];

fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !STOP.contains(w))
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Shared words needed, at least.
const MIN_SHARED: usize = 3;

/// The published answer whose question `question` repeats most closely: at least three of
/// its words and two in three of the published question's, about `procedure` when the
/// published one names one and the question is about a procedure.
pub fn best<'a>(
    question: &str,
    procedure: Option<&ProcedureCode>,
    faq: &'a [Faq],
) -> Option<&'a Faq> {
    let asked = words(question);
    faq.iter()
        .filter(|f| match (procedure, &f.procedure) {
            (Some(p), Some(q)) => p == q,
            _ => true,
        })
        .filter_map(|f| {
            let theirs = words(&f.question);
            let shared = theirs.iter().filter(|w| asked.contains(w)).count();
            (shared >= MIN_SHARED && shared * 3 >= theirs.len() * 2)
                .then_some((shared * 1000 / theirs.len().max(1), f))
        })
        .max_by_key(|(score, f)| (*score, f.published))
        .map(|(_, f)| f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faq(q: &str, procedure: Option<&str>) -> Faq {
        Faq {
            code: "HD.20261201.0001".into(),
            question: q.into(),
            answer: "Không cần: nộp bản sao từ sổ gốc.".into(),
            agency: "Sở Tư pháp".into(),
            published: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            procedure: procedure.map(|p| ProcedureCode::parse(p).unwrap()),
        }
    }

    #[test]
    fn a_close_question_finds_its_published_answer() {
        let list = [faq(
            "Bản sao giấy khai sinh có cần chứng thực không?",
            Some("1.001193"),
        )];
        let birth = ProcedureCode::parse("1.001193").unwrap();
        assert!(
            best(
                "ban sao giay khai sinh co phai chung thuc khong",
                None,
                &list
            )
            .is_some()
        );
        assert!(
            best(
                "bản sao khai sinh cần chứng thực không ạ",
                Some(&birth),
                &list
            )
            .is_some()
        );
        // Another procedure's question, or too few words in common: none.
        let other = ProcedureCode::parse("1.000894").unwrap();
        assert!(best("bản sao giấy khai sinh chứng thực", Some(&other), &list).is_none());
        assert!(best("giấy khai sinh mất rồi", None, &list).is_none());
        assert!(best("", None, &list).is_none());
    }
}

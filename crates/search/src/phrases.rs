//! What people type that the official names do not say: colloquial names of procedures
//! ("nhập hộ khẩu" for đăng ký thường trú, "sổ đỏ" for the land-use-rights certificate) and the
//! filler words of a spoken question ("tôi muốn … thì làm thế nào"). Reviewed data
//! (`fixtures/search/phrases.csv`), extended by an administrator's own file of the same form.

use std::collections::HashMap;

use motcua_domain::lang::{Localise, Wording};

use crate::words::{Word, text_words, words};

/// The reviewed list shipped with motcua.
const BUILT_IN: &str = include_str!("../../../fixtures/search/phrases.csv");

/// A phrase list that cannot be read, with the line at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("search phrases, line {line}: {problem}")]
pub struct PhrasesError {
    pub line: u64,
    pub problem: PhraseProblem,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhraseProblem {
    #[error("unreadable row: {0}")]
    Row(String),
    #[error("unknown kind {0:?} (alias or filler)")]
    Kind(String),
    #[error("the phrase has no words")]
    Empty,
}

impl Localise for PhrasesError {
    fn code(&self) -> &'static str {
        "search_phrases"
    }

    fn wording(&self) -> Wording {
        let wording = match &self.problem {
            PhraseProblem::Row(detail) => {
                Wording::new("error-search-phrases-row").arg("detail", detail.clone())
            }
            PhraseProblem::Kind(kind) => {
                Wording::new("error-search-phrases-kind").arg("kind", kind.clone())
            }
            PhraseProblem::Empty => Wording::new("error-search-phrases-empty"),
        };
        wording.arg("line", self.line as i64)
    }
}

/// One phrase: its words (folded, marked) and the words it stands for (none for a filler).
#[derive(Debug, Clone)]
struct Phrase {
    words: Vec<(String, String)>,
    means: Vec<Word>,
}

impl Phrase {
    fn starts(&self, query: &[Word]) -> bool {
        self.words.len() <= query.len()
            && self
                .words
                .iter()
                .zip(query)
                .all(|((folded, marked), w)| w.is(folded, marked))
    }
}

/// The phrases, by their first folded word, longest first.
#[derive(Debug, Clone, Default)]
pub struct Phrases {
    by_first: HashMap<String, Vec<Phrase>>,
    len: usize,
}

impl Phrases {
    /// The reviewed list shipped with motcua.
    pub fn built_in() -> Phrases {
        Phrases::default()
            .with(BUILT_IN)
            .expect("the shipped phrase list is checked by its tests")
    }

    /// This list and the phrases of `csv` (columns `kind,phrase,means,note`; `kind` is `alias`
    /// or `filler`; lines starting with `#` are comments). A phrase given again replaces the
    /// earlier meaning, so an administrator's file can correct the shipped list.
    pub fn with(mut self, csv: &str) -> Result<Phrases, PhrasesError> {
        #[derive(serde::Deserialize)]
        struct Row {
            kind: String,
            phrase: String,
            #[serde(default)]
            means: String,
        }
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .flexible(true)
            .from_reader(csv.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| PhrasesError {
                line: 1,
                problem: PhraseProblem::Row(e.to_string()),
            })?
            .clone();
        for record in reader.records() {
            let fail = |line: u64, problem| PhrasesError { line, problem };
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                fail(line, PhraseProblem::Row(e.to_string()))
            })?;
            let line = record.position().map_or(0, |p| p.line());
            let row: Row = record
                .deserialize(Some(&headers))
                .map_err(|e| fail(line, PhraseProblem::Row(e.to_string())))?;
            let phrase_words = text_words(&row.phrase);
            let Some((first, _)) = phrase_words.first().cloned() else {
                return Err(fail(line, PhraseProblem::Empty));
            };
            let means = match row.kind.trim() {
                "alias" => words(&row.means),
                "filler" => Vec::new(),
                other => return Err(fail(line, PhraseProblem::Kind(other.to_string()))),
            };
            let list = self.by_first.entry(first).or_default();
            match list.iter_mut().find(|p| p.words == phrase_words) {
                Some(known) => known.means = means,
                None => {
                    list.push(Phrase {
                        words: phrase_words,
                        means,
                    });
                    self.len += 1;
                }
            }
            list.sort_by_key(|p| std::cmp::Reverse(p.words.len()));
        }
        Ok(self)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The query with each phrase (the longest first, left to right) replaced by what it means
    /// and filler words dropped; each word once. When only filler was typed, the words as typed.
    pub(crate) fn apply(&self, query: &[Word]) -> Vec<Word> {
        let mut out: Vec<Word> = Vec::with_capacity(query.len());
        let mut i = 0;
        while i < query.len() {
            let phrase = self
                .by_first
                .get(&query[i].folded)
                .and_then(|list| list.iter().find(|p| p.starts(&query[i..])));
            match phrase {
                Some(p) => {
                    out.extend(p.means.iter().cloned());
                    i += p.words.len();
                }
                None => {
                    out.push(query[i].clone());
                    i += 1;
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|w| seen.insert(w.clone()));
        if out.is_empty() {
            let mut seen = std::collections::HashSet::new();
            return query
                .iter()
                .filter(|w| seen.insert((*w).clone()))
                .cloned()
                .collect();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(phrases: &Phrases, text: &str) -> Vec<String> {
        phrases
            .apply(&words(text))
            .into_iter()
            .map(|w| w.folded)
            .collect()
    }

    #[test]
    fn the_shipped_list_reads() {
        let phrases = Phrases::built_in();
        assert!(phrases.len() > 80, "{}", phrases.len());
    }

    #[test]
    fn colloquial_names_and_filler() {
        let p = Phrases::built_in();
        assert_eq!(applied(&p, "nhập hộ khẩu"), ["dang", "ki", "thuong", "tru"]);
        assert_eq!(applied(&p, "nhap ho khau"), ["dang", "ki", "thuong", "tru"]);
        assert_eq!(
            applied(
                &p,
                "tôi muốn làm lại giấy phép lái xe bị mất thì làm thế nào"
            ),
            ["cap", "lai", "giay", "phep", "lai", "xe", "bi", "mat"]
        );
        // Marks typed count: "tồi" is not the filler "tôi".
        assert_eq!(applied(&p, "tồi"), ["toi"]);
        // Only filler: the words as typed.
        assert_eq!(applied(&p, "thủ tục"), ["thu", "tuc"]);
    }

    #[test]
    fn an_administrators_file_adds_and_corrects() {
        let p = Phrases::built_in()
            .with("kind,phrase,means,note\nalias,giấy đỏ,giấy chứng nhận quyền sử dụng đất,\nalias,sổ đỏ,sổ địa chính,\n")
            .unwrap();
        assert_eq!(applied(&p, "giay do")[..3], ["giay", "chung", "nhan"]);
        assert_eq!(applied(&p, "sổ đỏ"), ["so", "dia", "chinh"]);
    }

    #[test]
    fn bad_rows_are_reported_with_their_line() {
        let e = Phrases::default()
            .with("kind,phrase,means\nalias,a,b\nsynonym,x,y\n")
            .unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(e.problem, PhraseProblem::Kind("synonym".into()));
        let e = Phrases::default()
            .with("kind,phrase,means\nalias, ,b\n")
            .unwrap_err();
        assert_eq!((e.line, e.problem), (2, PhraseProblem::Empty));
        let e = Phrases::default()
            .with("kind,phrase\n\"alias,a\n")
            .unwrap_err();
        assert!(matches!(e.problem, PhraseProblem::Row(_)));
    }
}

//! Problems found in an imported file, each with its place and what is wrong with it, put into
//! words (the catalogs of motcua-i18n) when it is shown.

use std::fmt;

use motcua_domain::{Lang, Wording};

/// One thing wrong with a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: `Thủ tục, row 12, column agency_code`, or `procedures[3].agency`.
    pub place: String,
    pub code: &'static str,
    pub wording: Wording,
}

impl Problem {
    pub fn new(place: impl Into<String>, code: &'static str, wording: Wording) -> Self {
        Problem {
            place: place.into(),
            code,
            wording,
        }
    }

    /// `place: what is wrong`, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        format!("{}: {}", self.place, motcua_i18n::say(lang, &self.wording))
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

/// The file was rejected; nothing was imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} problem(s) in the catalog file", problems.len())]
pub struct ImportError {
    pub problems: Vec<Problem>,
}

impl From<Vec<Problem>> for ImportError {
    fn from(problems: Vec<Problem>) -> Self {
        ImportError { problems }
    }
}

impl From<Problem> for ImportError {
    fn from(p: Problem) -> Self {
        ImportError { problems: vec![p] }
    }
}

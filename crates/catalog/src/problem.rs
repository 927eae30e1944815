//! Problems found in an imported file, each with its place and a message in both languages.

use std::fmt;

use motcua_domain::Lang;

/// One thing wrong with a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: `Thủ tục, row 12, column agency_code`, or `procedures[3].agency`.
    pub place: String,
    pub code: &'static str,
    pub vi: String,
    pub en: String,
}

impl Problem {
    pub fn new(
        place: impl Into<String>,
        code: &'static str,
        vi: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Problem {
            place: place.into(),
            code,
            vi: vi.into(),
            en: en.into(),
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let text = match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        };
        format!("{}: {text}", self.place)
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

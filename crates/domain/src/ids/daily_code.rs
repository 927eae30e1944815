//! Codes of what is received in a day, numbered from one each day: a petition's
//! `PAKN.20260812.0012` (the form the national portal's feedback system shows) and a question
//! to an officer's `HD.20260812.0003`. The sequence has at least four digits.

use std::fmt;
use std::hash::Hash;
use std::marker::PhantomData;

use chrono::NaiveDate;

use crate::lang::{Localise, Wording};

/// What a kind of daily code is called and how it begins.
pub trait Series: fmt::Debug + Clone + Copy + PartialEq + Eq + PartialOrd + Ord + Hash {
    const PREFIX: &'static str;
    /// An example, for the error.
    const EXAMPLE: &'static str;
    /// The error's code and message id.
    const ERROR_CODE: &'static str;
    const ERROR_KEY: &'static str;
}

/// Petitions (phản ánh, kiến nghị).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PaknSeries {}

impl Series for PaknSeries {
    const PREFIX: &'static str = "PAKN";
    const EXAMPLE: &'static str = "PAKN.20260812.0012";
    const ERROR_CODE: &'static str = "pakn_code_shape";
    const ERROR_KEY: &'static str = "error-pakn-code-shape";
}

/// Questions to an officer (hỏi đáp).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QuestionSeries {}

impl Series for QuestionSeries {
    const PREFIX: &'static str = "HD";
    const EXAMPLE: &'static str = "HD.20260812.0003";
    const ERROR_CODE: &'static str = "question_code_shape";
    const ERROR_KEY: &'static str = "error-question-code-shape";
}

/// A well-formed code of series `S`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DailyCode<S: Series> {
    date: NaiveDate,
    sequence: u32,
    series: PhantomData<S>,
}

/// A petition's code.
pub type PaknCode = DailyCode<PaknSeries>;
/// A question's code.
pub type QuestionCode = DailyCode<QuestionSeries>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a code looks like {example}; got {input:?}")]
pub struct DailyCodeError {
    pub input: String,
    example: &'static str,
    code: &'static str,
    key: &'static str,
}

impl Localise for DailyCodeError {
    fn code(&self) -> &'static str {
        self.code
    }

    fn wording(&self) -> Wording {
        Wording::new(self.key).arg("input", self.input.clone())
    }
}

impl<S: Series> DailyCode<S> {
    /// The code of the `sequence`th (1-based) received on `date`.
    pub fn new(date: NaiveDate, sequence: u32) -> Option<Self> {
        (sequence >= 1 && (1000..=9999).contains(&chrono::Datelike::year(&date))).then_some(
            DailyCode {
                date,
                sequence,
                series: PhantomData,
            },
        )
    }

    pub fn date(&self) -> NaiveDate {
        self.date
    }

    pub fn sequence(&self) -> u32 {
        self.sequence
    }

    pub fn parse(s: &str) -> Result<Self, DailyCodeError> {
        let bad = || DailyCodeError {
            input: crate::ids::shown(s),
            example: S::EXAMPLE,
            code: S::ERROR_CODE,
            key: S::ERROR_KEY,
        };
        let mut parts = s.trim().split('.');
        let (Some(prefix), Some(day), Some(seq), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if prefix != S::PREFIX
            || day.len() != 8
            || seq.len() < 4
            || !seq.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let date = NaiveDate::parse_from_str(day, "%Y%m%d").map_err(|_| bad())?;
        let sequence = seq.parse().map_err(|_| bad())?;
        Self::new(date, sequence)
            .filter(|c| c.to_string() == s.trim())
            .ok_or_else(bad)
    }
}

impl<S: Series> fmt::Display for DailyCode<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}.{:04}",
            S::PREFIX,
            self.date.format("%Y%m%d"),
            self.sequence
        )
    }
}

impl<S: Series> std::str::FromStr for DailyCode<S> {
    type Err = DailyCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl<S: Series> serde::Serialize for DailyCode<S> {
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        s.collect_str(self)
    }
}

impl<'de, S: Series> serde::Deserialize<'de> for DailyCode<S> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn codes_read_and_print_alike() {
        let c = PaknCode::parse("PAKN.20200812.0012").unwrap();
        assert_eq!(c.date(), NaiveDate::from_ymd_opt(2020, 8, 12).unwrap());
        assert_eq!(c.sequence(), 12);
        assert_eq!(c.to_string(), "PAKN.20200812.0012");
        assert_eq!(
            PaknCode::new(c.date(), 12_345).unwrap().to_string(),
            "PAKN.20200812.12345"
        );
        for bad in [
            "",
            "PAKN.20200812",
            "PAKN.20201312.0001",
            "PAKN.20200812.12",
            "PAKN.20200812.0000",
            "pakn.20200812.0001",
            "PAKN.20200812.00012",
            "PAKN.20200812.0001.1",
            "PAKN.20200812.-001",
            "HD.20200812.0001",
        ] {
            assert!(PaknCode::parse(bad).is_err(), "{bad}");
        }
        let q = QuestionCode::parse("HD.20261201.0003").unwrap();
        assert_eq!(q.to_string(), "HD.20261201.0003");
        assert!(QuestionCode::parse("PAKN.20261201.0003").is_err());
        assert_eq!(
            QuestionCode::parse("HD.1").unwrap_err().code(),
            "question_code_shape"
        );
    }

    proptest! {
        #[test]
        fn any_code_reads_back(days in 0i64..40_000, sequence in 1u32..200_000) {
            let date = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(days);
            let c = PaknCode::new(date, sequence).unwrap();
            prop_assert_eq!(PaknCode::parse(&c.to_string()), Ok(c));
        }
    }
}

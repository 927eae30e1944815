//! A petition's code, `PAKN.20260812.0012`: the day it was received and a sequence of at least
//! four digits restarting each day (the form the national portal's feedback system shows).

use std::fmt;

use chrono::NaiveDate;

use crate::lang::{Localise, Wording};

/// A well-formed petition code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PaknCode {
    date: NaiveDate,
    sequence: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a petition code looks like PAKN.20260812.0012; got {0:?}")]
pub struct PaknCodeError(pub String);

impl Localise for PaknCodeError {
    fn code(&self) -> &'static str {
        "pakn_code_shape"
    }

    fn wording(&self) -> Wording {
        Wording::new("error-pakn-code-shape").arg("input", self.0.clone())
    }
}

impl PaknCode {
    /// The code of the `sequence`th petition (1-based) received on `date`.
    pub fn new(date: NaiveDate, sequence: u32) -> Option<PaknCode> {
        (sequence >= 1 && (1000..=9999).contains(&chrono::Datelike::year(&date)))
            .then_some(PaknCode { date, sequence })
    }

    pub fn date(&self) -> NaiveDate {
        self.date
    }

    pub fn sequence(&self) -> u32 {
        self.sequence
    }

    pub fn parse(s: &str) -> Result<PaknCode, PaknCodeError> {
        let bad = || PaknCodeError(crate::ids::shown(s));
        let mut parts = s.trim().split('.');
        let (Some("PAKN"), Some(day), Some(seq), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if day.len() != 8 || seq.len() < 4 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let date = NaiveDate::parse_from_str(day, "%Y%m%d").map_err(|_| bad())?;
        let sequence = seq.parse().map_err(|_| bad())?;
        PaknCode::new(date, sequence)
            .filter(|c| c.to_string() == s.trim())
            .ok_or_else(bad)
    }
}

impl fmt::Display for PaknCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PAKN.{}.{:04}",
            self.date.format("%Y%m%d"),
            self.sequence
        )
    }
}

impl std::str::FromStr for PaknCode {
    type Err = PaknCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PaknCode::parse(s)
    }
}

impl serde::Serialize for PaknCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for PaknCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PaknCode::parse(&s).map_err(serde::de::Error::custom)
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
        ] {
            assert!(PaknCode::parse(bad).is_err(), "{bad}");
        }
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

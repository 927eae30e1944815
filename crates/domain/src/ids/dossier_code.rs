//! Dossier code (mã hồ sơ), Circular 01/2018/TT-VPCP art. 19: the receiving agency's
//! identifier code, the reception date `YYMMDD` and a daily sequence of four digits:
//! `000.00.00.H22-250701-0001`. The sequence restarts each day per receiving agency. Above
//! 9,999 a day the sequence simply grows wider (the circular does not say; the code stays
//! unique and sortable within a day).

use std::fmt;

use chrono::{Datelike, NaiveDate};

use super::{AgencyCode, shown, string_id};
use crate::lang::{Localise, Wording};

/// The part of a dossier code fixed before the daily sequence is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DossierCodePrefix {
    pub agency: AgencyCode,
    pub date: NaiveDate,
}

impl DossierCodePrefix {
    /// `None` outside 2000–2099, which `YYMMDD` cannot tell apart.
    pub fn new(agency: AgencyCode, date: NaiveDate) -> Option<Self> {
        (2000..2100)
            .contains(&date.year())
            .then_some(DossierCodePrefix { agency, date })
    }

    /// The code with this prefix and sequence number (1-based).
    pub fn with_sequence(self, sequence: u32) -> Option<DossierCode> {
        (sequence >= 1).then_some(DossierCode {
            prefix: self,
            sequence,
        })
    }
}

impl fmt::Display for DossierCodePrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.agency, self.date.format("%y%m%d"))
    }
}

/// A well-formed dossier code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DossierCode {
    prefix: DossierCodePrefix,
    sequence: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DossierCodeError {
    #[error("a dossier code looks like 000.00.00.H22-250701-0001; got {0:?}")]
    Shape(String),
    #[error("the dossier code's date {0:?} is not a calendar date")]
    Date(String),
    #[error("the dossier code's agency part is not valid")]
    Agency(#[from] super::AgencyCodeError),
}

impl Localise for DossierCodeError {
    fn code(&self) -> &'static str {
        match self {
            DossierCodeError::Shape(_) => "dossier_code_shape",
            DossierCodeError::Date(_) => "dossier_code_date",
            DossierCodeError::Agency(_) => "dossier_code_agency",
        }
    }

    fn wording(&self) -> Wording {
        match self {
            DossierCodeError::Shape(s) => {
                Wording::new("error-dossier-code-shape").arg("input", s.to_string())
            }
            DossierCodeError::Date(s) => {
                Wording::new("error-dossier-code-date").arg("input", s.to_string())
            }
            DossierCodeError::Agency(e) => e.wording(),
        }
    }
}

impl DossierCode {
    pub fn parse(input: &str) -> Result<Self, DossierCodeError> {
        let t = input.trim();
        let bad = || DossierCodeError::Shape(shown(t));
        let mut parts = t.rsplitn(3, '-');
        let (Some(seq), Some(date), Some(agency)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let agency = AgencyCode::parse(agency)?;
        if date.len() != 6 || !date.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let date = NaiveDate::parse_from_str(&format!("20{date}"), "%Y%m%d")
            .map_err(|_| DossierCodeError::Date(date.to_string()))?;
        let canonical_width = seq.len() == 4 || (seq.len() > 4 && !seq.starts_with('0'));
        if !canonical_width || seq.len() > 9 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let sequence: u32 = seq.parse().map_err(|_| bad())?;
        DossierCodePrefix { agency, date }
            .with_sequence(sequence)
            .ok_or_else(bad)
    }

    pub fn prefix(&self) -> DossierCodePrefix {
        self.prefix
    }

    /// The receiving agency.
    pub fn agency(&self) -> AgencyCode {
        self.prefix.agency
    }

    /// The reception date.
    pub fn date(&self) -> NaiveDate {
        self.prefix.date
    }

    pub fn sequence(&self) -> u32 {
        self.sequence
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:04}", self.prefix, self.sequence)
    }
}

string_id!(DossierCode, DossierCodeError);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::agency_code::tests::any_agency_code;
    use proptest::prelude::*;

    #[test]
    fn parses_the_circular_example() {
        let code = DossierCode::parse("000.00.00.H05-260818-0001").unwrap();
        assert_eq!(code.agency().to_string(), "000.00.00.H05");
        assert_eq!(code.date(), NaiveDate::from_ymd_opt(2026, 8, 18).unwrap());
        assert_eq!(code.sequence(), 1);
        assert_eq!(code.to_string(), "000.00.00.H05-260818-0001");
        let wide = DossierCode::parse("000.00.00.H05-260818-12345").unwrap();
        assert_eq!(wide.sequence(), 12345);
    }

    #[test]
    fn rejects_bad_input() {
        for bad in [
            "",
            "000.00.00.H05",
            "000.00.00.H05-260818",
            "000.00.00.H05-2608-0001",
            "000.00.00.H05-260818-001",
            "000.00.00.H05-260818-00001",
            "000.00.00.H05-260818-0000",
            "000.00.00.H05-26081a-0001",
            "000.00.00.H05-260818-000١",
        ] {
            assert!(DossierCode::parse(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            DossierCode::parse("000.00.00.H05-260230-0001"),
            Err(DossierCodeError::Date(_))
        ));
        assert!(matches!(
            DossierCode::parse("000.01.00.H05-260218-0001"),
            Err(DossierCodeError::Agency(_))
        ));
    }

    proptest! {
        #[test]
        fn display_then_parse_is_identity(agency in any_agency_code(), days in 0i64..36_500, seq in 1u32..200_000) {
            let date = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(days);
            let code = DossierCodePrefix::new(agency, date).unwrap().with_sequence(seq).unwrap();
            prop_assert_eq!(DossierCode::parse(&code.to_string()).unwrap(), code);
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = DossierCode::parse(&s);
        }
    }
}

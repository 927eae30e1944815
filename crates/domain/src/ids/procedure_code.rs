//! National procedure code (mã thủ tục hành chính) from the national procedures database:
//! `1.000948`, optionally with the locality that applies it (`1.000948.H38`). The meaning of
//! the leading digit is not confirmed, so any single digit is accepted.

use std::fmt;

use super::{shown, string_id};
use crate::lang::{Localise, Wording};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProcedureCode {
    group: u8,
    number: u32,
    locality: Option<(u8, u8)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a national procedure code looks like 1.000948 (or 1.000948.H38); got {0:?}")]
pub struct ProcedureCodeError(pub String);

impl Localise for ProcedureCodeError {
    fn code(&self) -> &'static str {
        "procedure_code_shape"
    }

    fn wording(&self) -> Wording {
        Wording::new("error-procedure-code-shape").arg("input", self.0.clone())
    }
}

impl ProcedureCode {
    pub fn parse(input: &str) -> Result<Self, ProcedureCodeError> {
        let t = input.trim();
        let bad = || ProcedureCodeError(shown(t));
        let parts: Vec<&str> = t.split('.').collect();
        let (g, n, loc) = match parts.as_slice() {
            [g, n] => (*g, *n, None),
            [g, n, l] => (*g, *n, Some(*l)),
            _ => return Err(bad()),
        };
        let is_digits = |s: &str, w: usize| s.len() == w && s.bytes().all(|b| b.is_ascii_digit());
        if !is_digits(g, 1) || !is_digits(n, 6) {
            return Err(bad());
        }
        let locality = match loc {
            None => None,
            Some(l) => {
                let b = l.as_bytes();
                if b.len() != 3 || !b[0].is_ascii_alphabetic() || !is_digits(&l[1..], 2) {
                    return Err(bad());
                }
                Some((
                    b[0].to_ascii_uppercase(),
                    l[1..].parse().map_err(|_| bad())?,
                ))
            }
        };
        Ok(ProcedureCode {
            group: g.parse().map_err(|_| bad())?,
            number: n.parse().map_err(|_| bad())?,
            locality,
        })
    }

    /// The national code without any locality suffix.
    pub fn national(&self) -> ProcedureCode {
        ProcedureCode {
            locality: None,
            ..*self
        }
    }
}

impl fmt::Display for ProcedureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:06}", self.group, self.number)?;
        if let Some((letter, n)) = self.locality {
            write!(f, ".{}{n:02}", char::from(letter))?;
        }
        Ok(())
    }
}

string_id!(ProcedureCode, ProcedureCodeError);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_real_codes() {
        assert_eq!(
            ProcedureCode::parse("1.013124").unwrap().to_string(),
            "1.013124"
        );
        let local = ProcedureCode::parse("1.000948.h38").unwrap();
        assert_eq!(local.to_string(), "1.000948.H38");
        assert_eq!(local.national().to_string(), "1.000948");
        for bad in [
            "",
            "1",
            "1.00094",
            "1.0009480",
            "12.000948",
            "1.000948.H3",
            "1.000948.H38.1",
            "a.000948",
            "1.000948.838",
        ] {
            assert!(ProcedureCode::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn display_then_parse_is_identity(g in 0u8..10, n in 0u32..1_000_000, loc in proptest::option::of((proptest::char::range('A', 'Z'), 0u8..100))) {
            let code = ProcedureCode { group: g, number: n, locality: loc.map(|(c, d)| (c as u8, d)) };
            prop_assert_eq!(ProcedureCode::parse(&code.to_string()).unwrap(), code);
        }

        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = ProcedureCode::parse(&s);
        }
    }
}

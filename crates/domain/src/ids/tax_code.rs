//! Tax code (mã số thuế): 10 digits with a weighted check digit for an enterprise or person,
//! 13 digits (`XXXXXXXXXX-NNN`) for a dependent unit. The check-digit rule is the one
//! published in python-stdnum's `stdnum/vn/mst.py` (worked examples in the domain brief).

use std::fmt;

use super::{shown, string_id};
use crate::lang::{Localise, Wording};

const WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

/// A valid tax code: the 10-digit main code with a correct check digit, and for a dependent
/// unit its 3-digit branch number (001–999).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaxCode {
    main: u64,
    branch: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxCodeError {
    #[error("a tax code has 10 digits, or 13 for a dependent unit; got {0:?}")]
    WrongLength(String),
    #[error("a tax code holds digits (and one hyphen before the branch); got {0:?}")]
    NotDigits(String),
    #[error("the tax code's serial digits cannot all be zero")]
    ZeroSerial,
    #[error("the tax code's branch number must be 001–999")]
    ZeroBranch,
    #[error("the tax code's check digit is wrong")]
    CheckDigit,
}

impl Localise for TaxCodeError {
    fn code(&self) -> &'static str {
        match self {
            TaxCodeError::WrongLength(_) => "tax_code_wrong_length",
            TaxCodeError::NotDigits(_) => "tax_code_not_digits",
            TaxCodeError::ZeroSerial => "tax_code_zero_serial",
            TaxCodeError::ZeroBranch => "tax_code_zero_branch",
            TaxCodeError::CheckDigit => "tax_code_check_digit",
        }
    }

    fn wording(&self) -> Wording {
        match self {
            TaxCodeError::WrongLength(s) => {
                Wording::new("error-tax-code-wrong-length").arg("input", s.to_string())
            }
            TaxCodeError::NotDigits(s) => {
                Wording::new("error-tax-code-not-digits").arg("input", s.to_string())
            }
            TaxCodeError::ZeroSerial => Wording::new("error-tax-code-zero-serial"),
            TaxCodeError::ZeroBranch => Wording::new("error-tax-code-zero-branch"),
            TaxCodeError::CheckDigit => Wording::new("error-tax-code-check-digit"),
        }
    }
}

/// The check digit for the first nine digits, or `None` when no digit can be valid.
fn check_digit(first9: &[u32; 9]) -> Option<u32> {
    let s: u32 = first9.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    let c = 10 - (s % 11);
    (c < 10).then_some(c)
}

impl TaxCode {
    /// Parses `0100233488`, `0314409058-002` or `0314409058002`; spaces around are ignored.
    pub fn parse(input: &str) -> Result<Self, TaxCodeError> {
        let t = input.trim();
        let (main, branch) = match t.split_once('-') {
            Some((m, b)) => (m, Some(b)),
            None if t.len() == 13 && t.is_ascii() => (&t[..10], Some(&t[10..])),
            None => (t, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(main) || branch.is_some_and(|b| !all_digits(b)) {
            return Err(TaxCodeError::NotDigits(shown(t)));
        }
        if main.len() != 10 || branch.is_some_and(|b| b.len() != 3) {
            return Err(TaxCodeError::WrongLength(shown(t)));
        }
        let d: Vec<u32> = main.bytes().map(|b| u32::from(b - b'0')).collect();
        if d[2..9].iter().all(|&x| x == 0) {
            return Err(TaxCodeError::ZeroSerial);
        }
        let first9: [u32; 9] = [d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8]];
        if check_digit(&first9) != Some(d[9]) {
            return Err(TaxCodeError::CheckDigit);
        }
        let branch = match branch {
            Some(b) => match b.parse::<u16>() {
                Ok(0) | Err(_) => return Err(TaxCodeError::ZeroBranch),
                Ok(n) => Some(n),
            },
            None => None,
        };
        let main = main
            .parse()
            .map_err(|_| TaxCodeError::NotDigits(shown(t)))?;
        Ok(TaxCode { main, branch })
    }

    /// Two-digit province code of first registration.
    pub fn province_prefix(&self) -> u8 {
        (self.main / 100_000_000) as u8
    }

    /// The dependent-unit number, when this is a 13-digit code.
    pub fn branch(&self) -> Option<u16> {
        self.branch
    }

    /// The parent's 10-digit code.
    pub fn main_code(&self) -> TaxCode {
        TaxCode {
            main: self.main,
            branch: None,
        }
    }
}

impl fmt::Display for TaxCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:010}", self.main)?;
        if let Some(b) = self.branch {
            write!(f, "-{b:03}")?;
        }
        Ok(())
    }
}

string_id!(TaxCode, TaxCodeError);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn worked_examples_from_the_published_rule() {
        assert_eq!(
            TaxCode::parse("0100233488").unwrap().to_string(),
            "0100233488"
        );
        assert_eq!(TaxCode::parse("0314409058").unwrap().province_prefix(), 3);
        let branch = TaxCode::parse("0314409058-002").unwrap();
        assert_eq!(branch.branch(), Some(2));
        assert_eq!(branch.main_code().to_string(), "0314409058");
        assert_eq!(TaxCode::parse("0314409058002").unwrap(), branch);
        assert_eq!(TaxCode::parse("0100233480"), Err(TaxCodeError::CheckDigit));
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(
            TaxCode::parse("01002334"),
            Err(TaxCodeError::WrongLength(_))
        ));
        assert!(matches!(
            TaxCode::parse("010023348x"),
            Err(TaxCodeError::NotDigits(_))
        ));
        assert!(matches!(
            TaxCode::parse("0314409058-"),
            Err(TaxCodeError::NotDigits(_))
        ));
        assert!(matches!(
            TaxCode::parse("0314409058-02"),
            Err(TaxCodeError::WrongLength(_))
        ));
        assert_eq!(
            TaxCode::parse("0314409058-000"),
            Err(TaxCodeError::ZeroBranch)
        );
        assert_eq!(TaxCode::parse("0100000000"), Err(TaxCodeError::ZeroSerial));
        assert!(matches!(
            TaxCode::parse("ăăăăăăăăăăăăă"),
            Err(TaxCodeError::NotDigits(_))
        ));
    }

    fn any_tax_code() -> impl Strategy<Value = TaxCode> {
        (
            proptest::array::uniform9(0u32..10),
            proptest::option::of(1u16..1000),
        )
            .prop_filter_map("no valid check digit", |(d, branch)| {
                let c = check_digit(&d)?;
                if d[2..9].iter().all(|&x| x == 0) {
                    return None;
                }
                let main: String = d.iter().chain([c].iter()).map(|x| x.to_string()).collect();
                Some(TaxCode {
                    main: main.parse().ok()?,
                    branch,
                })
            })
    }

    proptest! {
        #[test]
        fn display_then_parse_is_identity(t in any_tax_code()) {
            prop_assert_eq!(TaxCode::parse(&t.to_string()).unwrap(), t);
        }

        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = TaxCode::parse(&s);
        }
    }
}

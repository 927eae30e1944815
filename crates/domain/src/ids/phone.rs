//! Vietnamese mobile numbers: 10 digits starting 03, 05, 07, 08 or 09 (since the 2018
//! renumbering). `+84…` and `84…` are accepted and normalised to the national form `0…`.
//! Operators are not checked: number portability makes prefixes unreliable.

use std::fmt;

use super::{shown, string_id};
use crate::lang::{Localise, Wording};

/// A Vietnamese mobile number, stored in national form (`0912345678`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("a phone number holds digits, spaces, dots, hyphens and a leading +; got {0:?}")]
    BadCharacters(String),
    #[error("a Vietnamese mobile number has 10 digits (0xxxxxxxxx); got {0:?}")]
    WrongLength(String),
    #[error("{0:?} is not a Vietnamese mobile number (it must start 03, 05, 07, 08 or 09)")]
    NotMobile(String),
}

impl Localise for PhoneError {
    fn code(&self) -> &'static str {
        match self {
            PhoneError::BadCharacters(_) => "phone_bad_characters",
            PhoneError::WrongLength(_) => "phone_wrong_length",
            PhoneError::NotMobile(_) => "phone_not_mobile",
        }
    }

    fn wording(&self) -> Wording {
        match self {
            PhoneError::BadCharacters(s) => {
                Wording::new("error-phone-bad-characters").arg("input", s.to_string())
            }
            PhoneError::WrongLength(s) => {
                Wording::new("error-phone-wrong-length").arg("input", s.to_string())
            }
            PhoneError::NotMobile(s) => {
                Wording::new("error-phone-not-mobile").arg("input", s.to_string())
            }
        }
    }
}

impl Phone {
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let t = input.trim();
        let mut digits = String::with_capacity(12);
        for (i, c) in t.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '.' | '-' | '(' | ')' => {}
                '+' if i == 0 => {}
                _ => return Err(PhoneError::BadCharacters(shown(t))),
            }
        }
        let national = if t.starts_with('+') {
            match digits.strip_prefix("84") {
                Some(rest) => format!("0{rest}"),
                None => return Err(PhoneError::NotMobile(shown(t))),
            }
        } else if digits.len() == 11 && digits.starts_with("84") {
            format!("0{}", &digits[2..])
        } else {
            digits
        };
        if national.len() != 10 {
            return Err(PhoneError::WrongLength(shown(t)));
        }
        if !matches!(&national[..2], "03" | "05" | "07" | "08" | "09") {
            return Err(PhoneError::NotMobile(shown(t)));
        }
        Ok(Phone(national))
    }

    /// International form for SMS gateways: `+84912345678`.
    pub fn e164(&self) -> String {
        format!("+84{}", &self.0[1..])
    }

    /// The last four digits: the public tracking page's second factor.
    pub fn last4(&self) -> &str {
        &self.0[6..]
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_id!(Phone, PhoneError);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalises_international_forms() {
        for input in [
            "0912345678",
            "+84912345678",
            "84912345678",
            "+84 91 234 5678",
            "091.234.5678",
            "(091) 234-5678",
        ] {
            assert_eq!(
                Phone::parse(input).unwrap().as_str(),
                "0912345678",
                "{input}"
            );
        }
        let p = Phone::parse("0387654321").unwrap();
        assert_eq!(p.e164(), "+84387654321");
        assert_eq!(p.last4(), "4321");
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(
            Phone::parse("091234567"),
            Err(PhoneError::WrongLength(_))
        ));
        assert!(matches!(
            Phone::parse("02033838388"),
            Err(PhoneError::WrongLength(_))
        ));
        assert!(matches!(
            Phone::parse("0112345678"),
            Err(PhoneError::NotMobile(_))
        ));
        assert!(matches!(
            Phone::parse("+1 912345678"),
            Err(PhoneError::NotMobile(_))
        ));
        assert!(matches!(
            Phone::parse("09123x5678"),
            Err(PhoneError::BadCharacters(_))
        ));
        assert!(matches!(
            Phone::parse("09+12345678"),
            Err(PhoneError::BadCharacters(_))
        ));
        assert!(matches!(Phone::parse(""), Err(PhoneError::WrongLength(_))));
    }

    proptest! {
        #[test]
        fn display_then_parse_is_identity(p in "0[35789][0-9]{8}") {
            let phone = Phone::parse(&p).unwrap();
            prop_assert_eq!(Phone::parse(&phone.to_string()).unwrap(), phone.clone());
            prop_assert_eq!(Phone::parse(&phone.e164()).unwrap(), phone);
        }

        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = Phone::parse(&s);
        }
    }
}

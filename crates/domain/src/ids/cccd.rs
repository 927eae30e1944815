//! Citizen identification number (số định danh cá nhân / CCCD): 12 digits `PPP G YY NNNNNN`.
//! `PPP` is the province of birth registration (pre-2025 codes, not reissued after the 2025
//! mergers), `G` encodes gender and century, `YY` the birth year; there is no check digit.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use super::{shown, string_id};
use crate::lang::{Localise, Wording};

/// Province codes that may open a CCCD: the 63 provinces before 1 July 2025, from the NSO list
/// of 4 January 2025 (`fixtures/vn-admin-units-pre2025-2025-01-04.csv`), three digits wide.
pub const PROVINCE_BIRTH_CODES: [(&str, &str); 63] = [
    ("001", "Thành phố Hà Nội"),
    ("002", "Tỉnh Hà Giang"),
    ("004", "Tỉnh Cao Bằng"),
    ("006", "Tỉnh Bắc Kạn"),
    ("008", "Tỉnh Tuyên Quang"),
    ("010", "Tỉnh Lào Cai"),
    ("011", "Tỉnh Điện Biên"),
    ("012", "Tỉnh Lai Châu"),
    ("014", "Tỉnh Sơn La"),
    ("015", "Tỉnh Yên Bái"),
    ("017", "Tỉnh Hoà Bình"),
    ("019", "Tỉnh Thái Nguyên"),
    ("020", "Tỉnh Lạng Sơn"),
    ("022", "Tỉnh Quảng Ninh"),
    ("024", "Tỉnh Bắc Giang"),
    ("025", "Tỉnh Phú Thọ"),
    ("026", "Tỉnh Vĩnh Phúc"),
    ("027", "Tỉnh Bắc Ninh"),
    ("030", "Tỉnh Hải Dương"),
    ("031", "Thành phố Hải Phòng"),
    ("033", "Tỉnh Hưng Yên"),
    ("034", "Tỉnh Thái Bình"),
    ("035", "Tỉnh Hà Nam"),
    ("036", "Tỉnh Nam Định"),
    ("037", "Tỉnh Ninh Bình"),
    ("038", "Tỉnh Thanh Hóa"),
    ("040", "Tỉnh Nghệ An"),
    ("042", "Tỉnh Hà Tĩnh"),
    ("044", "Tỉnh Quảng Bình"),
    ("045", "Tỉnh Quảng Trị"),
    ("046", "Thành phố Huế"),
    ("048", "Thành phố Đà Nẵng"),
    ("049", "Tỉnh Quảng Nam"),
    ("051", "Tỉnh Quảng Ngãi"),
    ("052", "Tỉnh Bình Định"),
    ("054", "Tỉnh Phú Yên"),
    ("056", "Tỉnh Khánh Hòa"),
    ("058", "Tỉnh Ninh Thuận"),
    ("060", "Tỉnh Bình Thuận"),
    ("062", "Tỉnh Kon Tum"),
    ("064", "Tỉnh Gia Lai"),
    ("066", "Tỉnh Đắk Lắk"),
    ("067", "Tỉnh Đắk Nông"),
    ("068", "Tỉnh Lâm Đồng"),
    ("070", "Tỉnh Bình Phước"),
    ("072", "Tỉnh Tây Ninh"),
    ("074", "Tỉnh Bình Dương"),
    ("075", "Tỉnh Đồng Nai"),
    ("077", "Tỉnh Bà Rịa - Vũng Tàu"),
    ("079", "Thành phố Hồ Chí Minh"),
    ("080", "Tỉnh Long An"),
    ("082", "Tỉnh Tiền Giang"),
    ("083", "Tỉnh Bến Tre"),
    ("084", "Tỉnh Trà Vinh"),
    ("086", "Tỉnh Vĩnh Long"),
    ("087", "Tỉnh Đồng Tháp"),
    ("089", "Tỉnh An Giang"),
    ("091", "Tỉnh Kiên Giang"),
    ("092", "Thành phố Cần Thơ"),
    ("093", "Tỉnh Hậu Giang"),
    ("094", "Tỉnh Sóc Trăng"),
    ("095", "Tỉnh Bạc Liêu"),
    ("096", "Tỉnh Cà Mau"),
];

/// Gender as encoded in the CCCD's fourth digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    Male,
    Female,
}

/// A well-formed 12-digit citizen identification number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cccd([u8; 12]);

/// Why a string is not a CCCD, or does not match a birth date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CccdError {
    #[error("a citizen ID has 12 digits, got {0:?}")]
    WrongLength(String),
    #[error("a citizen ID holds digits only, got {0:?}")]
    NotDigits(String),
    #[error("unknown province code {0} in citizen ID")]
    UnknownProvince(String),
    #[error("citizen ID encodes birth year {encoded}, the birth date says {given}")]
    BirthYearMismatch { encoded: i32, given: i32 },
}

impl Localise for CccdError {
    fn code(&self) -> &'static str {
        match self {
            CccdError::WrongLength(_) => "cccd_wrong_length",
            CccdError::NotDigits(_) => "cccd_not_digits",
            CccdError::UnknownProvince(_) => "cccd_unknown_province",
            CccdError::BirthYearMismatch { .. } => "cccd_birth_year_mismatch",
        }
    }

    fn wording(&self) -> Wording {
        match self {
            CccdError::WrongLength(s) => {
                Wording::new("error-cccd-wrong-length").arg("input", s.to_string())
            }
            CccdError::NotDigits(s) => {
                Wording::new("error-cccd-not-digits").arg("input", s.to_string())
            }
            CccdError::UnknownProvince(p) => {
                Wording::new("error-cccd-unknown-province").arg("province", p.to_string())
            }
            CccdError::BirthYearMismatch { encoded, given } => {
                Wording::new("error-cccd-birth-year-mismatch")
                    .arg("encoded", encoded.to_string())
                    .arg("given", given.to_string())
            }
        }
    }
}

impl Cccd {
    /// Parses 12 ASCII digits (surrounding whitespace and inner spaces allowed) whose first
    /// three digits are a known province code.
    pub fn parse(input: &str) -> Result<Self, CccdError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.chars().count() != 12 {
            return Err(CccdError::WrongLength(shown(input.trim())));
        }
        let mut out = [0u8; 12];
        for (slot, c) in out.iter_mut().zip(compact.chars()) {
            *slot = c
                .to_digit(10)
                .filter(|_| c.is_ascii_digit())
                .ok_or_else(|| CccdError::NotDigits(shown(input.trim())))?
                as u8;
        }
        let id = Cccd(out);
        if !PROVINCE_BIRTH_CODES
            .iter()
            .any(|(code, _)| *code == id.province_code())
        {
            return Err(CccdError::UnknownProvince(id.province_code()));
        }
        Ok(id)
    }

    /// Parses and checks that gender/century digit and year agree with the birth date.
    pub fn parse_with_birth_date(input: &str, birth: NaiveDate) -> Result<Self, CccdError> {
        let id = Self::parse(input)?;
        id.check_birth_date(birth)?;
        Ok(id)
    }

    /// The birth date must fall in the year the number encodes.
    pub fn check_birth_date(&self, birth: NaiveDate) -> Result<(), CccdError> {
        if self.birth_year() == birth.year() {
            Ok(())
        } else {
            Err(CccdError::BirthYearMismatch {
                encoded: self.birth_year(),
                given: birth.year(),
            })
        }
    }

    /// Three-digit province-of-birth code.
    pub fn province_code(&self) -> String {
        self.0[..3].iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// Name of the province of birth registration.
    pub fn province_name(&self) -> &'static str {
        let code = self.province_code();
        PROVINCE_BIRTH_CODES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, n)| *n)
            .unwrap_or_default()
    }

    pub fn gender(&self) -> Gender {
        if self.0[3].is_multiple_of(2) {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// Full birth year: century from the gender digit (0–1: 1900s, 2–3: 2000s, …) plus `YY`.
    pub fn birth_year(&self) -> i32 {
        let century = 1900 + 100 * i32::from(self.0[3] / 2);
        century + i32::from(self.0[4]) * 10 + i32::from(self.0[5])
    }

    /// The last four digits, used as a light second factor in conversation with staff.
    pub fn last4(&self) -> String {
        self.0[8..].iter().map(|d| char::from(b'0' + d)).collect()
    }
}

impl fmt::Display for Cccd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.0 {
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

string_id!(Cccd, CccdError);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn decodes_structure() {
        // Quảng Ninh (022), female born in the 2000s (3), year 05.
        let id = Cccd::parse("022305001234").unwrap();
        assert_eq!(id.province_code(), "022");
        assert_eq!(id.province_name(), "Tỉnh Quảng Ninh");
        assert_eq!(id.gender(), Gender::Female);
        assert_eq!(id.birth_year(), 2005);
        assert_eq!(id.last4(), "1234");
        // Hà Nội (001), male born in the 1900s (0), year 87.
        let id = Cccd::parse(" 001 087 012345 ").unwrap();
        assert_eq!(id.to_string(), "001087012345");
        assert_eq!(id.gender(), Gender::Male);
        assert_eq!(id.birth_year(), 1987);
    }

    #[test]
    fn checks_birth_date() {
        assert!(Cccd::parse_with_birth_date("022305001234", date(2005, 3, 1)).is_ok());
        assert_eq!(
            Cccd::parse_with_birth_date("022305001234", date(1905, 3, 1)),
            Err(CccdError::BirthYearMismatch {
                encoded: 2005,
                given: 1905
            })
        );
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(
            Cccd::parse("02230500123"),
            Err(CccdError::WrongLength(_))
        ));
        assert!(matches!(
            Cccd::parse("0223050012345"),
            Err(CccdError::WrongLength(_))
        ));
        assert!(matches!(
            Cccd::parse("02230500123a"),
            Err(CccdError::NotDigits(_))
        ));
        assert!(matches!(
            Cccd::parse("02230500123٣"),
            Err(CccdError::NotDigits(_))
        ));
        assert_eq!(
            Cccd::parse("003305001234"),
            Err(CccdError::UnknownProvince("003".into()))
        );
        let e = Cccd::parse("x").unwrap_err();
        assert_eq!(
            e.wording(),
            Wording::new("error-cccd-wrong-length").arg("input", "x")
        );
    }

    fn any_cccd() -> impl Strategy<Value = Cccd> {
        (
            0..PROVINCE_BIRTH_CODES.len(),
            0u8..10,
            0u8..100,
            0u32..1_000_000,
        )
            .prop_map(|(p, g, yy, serial)| {
                Cccd::parse(&format!(
                    "{}{g}{yy:02}{serial:06}",
                    PROVINCE_BIRTH_CODES[p].0
                ))
                .unwrap()
            })
    }

    proptest! {
        #[test]
        fn display_then_parse_is_identity(id in any_cccd()) {
            prop_assert_eq!(Cccd::parse(&id.to_string()).unwrap(), id);
        }

        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = Cccd::parse(&s);
        }
    }
}

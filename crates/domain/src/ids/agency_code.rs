//! Agency identifier code (mã định danh cơ quan), Circular 10/2016/TT-BTTTT as used by
//! Circular 01/2018/TT-VPCP art. 19: `V1V2V3.Z1Z2.Y1Y2.MX1X2`, read right to left —
//! `MX1X2` is the level-1 unit (provinces use the letter H), `Y1Y2` level 2, `Z1Z2` level 3,
//! `V1V2V3` level 4. A zero part means "this level and below are not used".

use std::fmt;

use super::{shown, string_id};
use crate::lang::{Localise, Wording};

/// A well-formed agency identifier code such as `000.00.00.H22`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgencyCode {
    letter: u8,
    level1: u8,
    level2: u8,
    level3: u8,
    level4: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgencyCodeError {
    #[error("an agency code looks like 000.00.00.H22; got {0:?}")]
    Shape(String),
    #[error("agency code {0:?} uses a lower level under an unused higher one")]
    Hierarchy(String),
}

impl Localise for AgencyCodeError {
    fn code(&self) -> &'static str {
        match self {
            AgencyCodeError::Shape(_) => "agency_code_shape",
            AgencyCodeError::Hierarchy(_) => "agency_code_hierarchy",
        }
    }

    fn wording(&self) -> Wording {
        match self {
            AgencyCodeError::Shape(s) => {
                Wording::new("error-agency-code-shape").arg("input", s.to_string())
            }
            AgencyCodeError::Hierarchy(s) => {
                Wording::new("error-agency-code-hierarchy").arg("input", s.to_string())
            }
        }
    }
}

impl AgencyCode {
    pub fn parse(input: &str) -> Result<Self, AgencyCodeError> {
        let t = input.trim();
        let bad = || AgencyCodeError::Shape(shown(t));
        let parts: Vec<&str> = t.split('.').collect();
        let [v, z, y, m] = parts.as_slice() else {
            return Err(bad());
        };
        let num = |s: &str, width: usize| -> Result<u16, AgencyCodeError> {
            if s.len() == width && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        let level4 = num(v, 3)?;
        let level3 = num(z, 2)? as u8;
        let level2 = num(y, 2)? as u8;
        let mb = m.as_bytes();
        if mb.len() != 3 || !mb[0].is_ascii_alphabetic() {
            return Err(bad());
        }
        let letter = mb[0].to_ascii_uppercase();
        let level1 = num(&m[1..], 2)? as u8;
        let code = AgencyCode {
            letter,
            level1,
            level2,
            level3,
            level4,
        };
        if (level2 == 0 && level3 != 0) || (level3 == 0 && level4 != 0) {
            return Err(AgencyCodeError::Hierarchy(shown(t)));
        }
        Ok(code)
    }

    /// Builds a code from its parts; `None` when a part is out of range or the hierarchy is
    /// broken.
    pub fn from_parts(
        letter: char,
        level1: u8,
        level2: u8,
        level3: u8,
        level4: u16,
    ) -> Option<Self> {
        if !letter.is_ascii_alphabetic()
            || level1 > 99
            || level2 > 99
            || level3 > 99
            || level4 > 999
        {
            return None;
        }
        Self::parse(&format!(
            "{level4:03}.{level3:02}.{level2:02}.{}{level1:02}",
            letter.to_ascii_uppercase()
        ))
        .ok()
    }

    /// 1 for the level-1 unit (`000.00.00.H22`) to 4 for a level-4 unit.
    pub fn level(&self) -> u8 {
        if self.level2 == 0 {
            1
        } else if self.level3 == 0 {
            2
        } else if self.level4 == 0 {
            3
        } else {
            4
        }
    }

    /// The code of the level above, `None` for a level-1 unit.
    pub fn parent(&self) -> Option<AgencyCode> {
        let mut p = *self;
        match self.level() {
            1 => return None,
            2 => p.level2 = 0,
            3 => p.level3 = 0,
            _ => p.level4 = 0,
        }
        Some(p)
    }

    /// True when this agency is `other` or one of its ancestors: the agency's scope covers
    /// the other's work.
    pub fn covers(&self, other: &AgencyCode) -> bool {
        std::iter::successors(Some(*other), AgencyCode::parent).any(|c| c == *self)
    }

    /// The level-1 unit's part, e.g. `H22`: the locality suffix of procedure codes.
    pub fn locality(&self) -> String {
        format!("{}{:02}", char::from(self.letter), self.level1)
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:03}.{:02}.{:02}.{}{:02}",
            self.level4,
            self.level3,
            self.level2,
            char::from(self.letter),
            self.level1
        )
    }
}

string_id!(AgencyCode, AgencyCodeError);

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_levels_of_real_codes() {
        // Trà Vinh's codes as seen in deployed systems (domain brief §4.3).
        let province = AgencyCode::parse("000.00.00.H59").unwrap();
        assert_eq!(province.level(), 1);
        assert_eq!(province.parent(), None);
        let l2 = AgencyCode::parse("000.00.01.H59").unwrap();
        assert_eq!(l2.level(), 2);
        assert_eq!(l2.parent(), Some(province));
        let l3 = AgencyCode::parse("000.01.01.H59").unwrap();
        assert_eq!((l3.level(), l3.parent()), (3, Some(l2)));
        let l4 = AgencyCode::parse("001.02.01.H59").unwrap();
        assert_eq!(l4.level(), 4);
        assert_eq!(l4.parent().unwrap().to_string(), "000.02.01.H59");
        assert_eq!(
            AgencyCode::parse("000.00.31.h40").unwrap().to_string(),
            "000.00.31.H40"
        );
        assert_eq!(l4.locality(), "H59");
        assert!(province.covers(&l4) && l2.covers(&l3) && l4.covers(&l4));
        assert!(!l4.covers(&l2) && !l3.covers(&AgencyCode::parse("000.02.01.H59").unwrap()));
    }

    #[test]
    fn rejects_bad_input() {
        for bad in [
            "",
            "000.00.00",
            "000.00.00.H5",
            "00.00.00.H59",
            "000.00.00.159",
            "000.0a.00.H59",
            "000.00.00.H59.1",
            "000.00.00.Ħ59",
        ] {
            assert!(
                matches!(AgencyCode::parse(bad), Err(AgencyCodeError::Shape(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            AgencyCode::parse("000.01.00.H59"),
            Err(AgencyCodeError::Hierarchy(_))
        ));
        assert!(matches!(
            AgencyCode::parse("001.00.01.H59"),
            Err(AgencyCodeError::Hierarchy(_))
        ));
    }

    pub(crate) fn any_agency_code() -> impl Strategy<Value = AgencyCode> {
        (
            proptest::char::range('A', 'Z'),
            0u8..100,
            0u8..100,
            0u8..100,
            0u16..1000,
        )
            .prop_map(|(l, a, b, c, d)| {
                let (c, d) = if b == 0 { (0, 0) } else { (c, d) };
                let d = if c == 0 { 0 } else { d };
                AgencyCode::from_parts(l, a, b, c, d).unwrap()
            })
    }

    proptest! {
        #[test]
        fn display_then_parse_is_identity(code in any_agency_code()) {
            prop_assert_eq!(AgencyCode::parse(&code.to_string()).unwrap(), code);
        }

        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = AgencyCode::parse(&s);
        }
    }
}

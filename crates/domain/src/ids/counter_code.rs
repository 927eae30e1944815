//! A counter of a branch: `{branch}-{number}`, two digits at least, e.g. `QN-HQ-01`. Officers
//! work at one, boards show it, the API names counters by it.

use std::fmt;

use super::{shown, string_id};
use crate::lang::{Localise, Wording};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CounterCode {
    branch: String,
    number: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a counter code is the branch's code, a hyphen and the counter's number (QN-HQ-01); got {0:?}"
)]
pub struct CounterCodeError(pub String);

impl Localise for CounterCodeError {
    fn code(&self) -> &'static str {
        "counter_code_shape"
    }

    fn wording(&self) -> Wording {
        Wording::new("error-counter-code-shape").arg("input", shown(&self.0))
    }
}

impl CounterCode {
    /// Counter `number` of branch `branch`.
    pub fn new(branch: impl AsRef<str>, number: i64) -> CounterCode {
        CounterCode {
            branch: branch.as_ref().to_string(),
            number,
        }
    }

    /// Reads `{branch}-{number}`: the branch is what stands before the last hyphen, the number
    /// (1–999) after it.
    pub fn parse(s: &str) -> Result<CounterCode, CounterCodeError> {
        let bad = || CounterCodeError(s.to_string());
        let (branch, number) = s.trim().rsplit_once('-').ok_or_else(bad)?;
        let number: i64 = number
            .parse()
            .ok()
            .filter(|n| (1..=999).contains(n))
            .ok_or_else(bad)?;
        if branch.is_empty() || branch.len() > 64 || branch.chars().any(char::is_whitespace) {
            return Err(bad());
        }
        Ok(CounterCode::new(branch, number))
    }

    /// The branch's code.
    pub fn branch(&self) -> &str {
        &self.branch
    }

    /// The counter's number within its branch.
    pub fn number(&self) -> i64 {
        self.number
    }
}

impl fmt::Display for CounterCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.branch, self.number)
    }
}

string_id!(CounterCode, CounterCodeError);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_and_writes_branch_and_number() {
        let c = CounterCode::parse("QN-HQ-01").expect("valid");
        assert_eq!((c.branch(), c.number()), ("QN-HQ", 1));
        assert_eq!(c.to_string(), "QN-HQ-01");
        assert_eq!(CounterCode::new("HQ", 12).to_string(), "HQ-12");
        for bad in ["", "HQ", "HQ-", "-01", "HQ-0", "HQ-x1", "H Q-01", "HQ-1000"] {
            assert!(CounterCode::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            CounterCode::parse("HQ").map_err(|e| e.code()),
            Err("counter_code_shape")
        );
    }

    proptest! {
        /// Whatever it is given, parsing never panics, and what it accepts it writes back in
        /// a form that reads as the same counter.
        #[test]
        fn parsing_is_total_and_round_trips(s in ".{0,20}") {
            if let Ok(c) = CounterCode::parse(&s) {
                prop_assert_eq!(CounterCode::parse(&c.to_string()), Ok(c));
            }
        }
    }
}

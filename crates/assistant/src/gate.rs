//! The answer gate: an answer may state no figure (a number, an amount, a duration, a date)
//! that the texts it cites do not state. It is what keeps a fee or a time limit from being
//! made up, and it runs on every answer, in production as in the tests.

use std::sync::LazyLock;

use regex::Regex;

/// A figure: digits, with the thousands dots or decimal commas Vietnamese writes
/// ("1.500.000", "0,5"), or the separators of times and dates ("07:30", "17/02/2026").
static FIGURE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d+(?:[.,:/]\d+)*").expect("the figure pattern is valid"));

/// A number in words before a unit of time or money ("mười lăm ngày", "năm trăm nghìn").
static SPELLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:(?:một|hai|ba|bốn|tư|năm|sáu|bảy|tám|chín|mười|mươi|lăm|trăm|nghìn|ngàn|triệu)\s+)+(?:ngày|tuần|tháng|giờ|đồng|nghìn|ngàn|triệu)\b",
    )
    .expect("the spelled-number pattern is valid")
});

/// Why an answer was held back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The figure no cited text states.
    pub figure: String,
}

/// Passes `answer` when every figure in it occurs in one of `sources`.
pub fn check(answer: &str, sources: &[&str]) -> Result<(), Refused> {
    let stated = |figure: &str| sources.iter().any(|s| s.contains(figure));
    FIGURE
        .find_iter(answer)
        .chain(SPELLED.find_iter(answer))
        .map(|m| m.as_str())
        .find(|figure| !stated(figure))
        .map_or(Ok(()), |figure| {
            Err(Refused {
                figure: figure.to_string(),
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_must_be_cited() {
        let record = "Lệ phí: 200.000 đồng/hộ chiếu. Thời hạn: 8 ngày làm việc";
        assert!(check("Lệ phí: 200.000 đồng/hộ chiếu.", &[record]).is_ok());
        assert!(check("Giấy tờ: tờ khai.", &[record]).is_ok());
        assert_eq!(
            check("Lệ phí: 250.000 đồng", &[record]),
            Err(Refused {
                figure: "250.000".into()
            })
        );
        // A part of a cited figure does not make a new one pass whole.
        assert!(check("Thời hạn: 80 ngày", &[record]).is_err());
        assert!(check("Thời hạn 8 ngày làm việc", &[record]).is_ok());
        assert!(check("mất mười lăm ngày", &[record]).is_err());
        assert!(check("mất mười lăm ngày", &["trong mười lăm ngày"]).is_ok());
        assert!(check("Giờ: 07:30", &["07:30–11:30"]).is_ok());
    }
}

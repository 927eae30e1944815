//! Languages, and the wording of messages. Vietnamese is the default; English is available.

use std::fmt;
use std::str::FromStr;

/// A language the system speaks.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    /// Vietnamese, the language assumed when none is said.
    pub fn is_vi(&self) -> bool {
        *self == Lang::Vi
    }

    /// Picks the first supported language of an HTTP `Accept-Language` header, honouring
    /// quality values; Vietnamese when nothing matches.
    pub fn negotiate(accept_language: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in accept_language.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|v| v.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let lang = match tag.split('-').next().unwrap_or("") {
                "vi" => Lang::Vi,
                "en" => Lang::En,
                _ => continue,
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = UnknownLang;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "vi" => Ok(Lang::Vi),
            "en" => Ok(Lang::En),
            _ => Err(UnknownLang),
        }
    }
}

/// The language tag is neither `vi` nor `en`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown language (expected vi or en)")]
pub struct UnknownLang;

/// An error or notice that can explain itself to a person, and that carries a stable
/// snake_case code for programs. It says *what* to say ([`Wording`]): a message of the Fluent
/// catalogs (`crates/i18n/locales`) and its arguments; the words are chosen when it is shown,
/// in the language of the reader.
pub trait Localise {
    /// Stable machine-readable code, e.g. `cccd_wrong_length`.
    fn code(&self) -> &'static str;
    /// The message and its arguments.
    fn wording(&self) -> Wording;
}

/// A message of the catalogs with its arguments, still to be put into a language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wording {
    /// The message's id in the catalogs, e.g. `error-cccd-wrong-length`.
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Wording {
    pub fn new(key: &'static str) -> Self {
        Wording {
            key,
            args: Vec::new(),
        }
    }

    /// Adds the argument `name`.
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((name, value.into()));
        self
    }
}

/// An argument of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Shown as it is (what the person typed, a code, a date already formatted).
    Text(String),
    Number(i64),
    /// A name the domain knows in both languages (a status of the national table).
    Name {
        vi: &'static str,
        en: &'static str,
    },
}

impl Arg {
    pub fn name(vi: &'static str, en: &'static str) -> Self {
        Arg::Name { vi, en }
    }

    /// The argument's text in `lang` (numbers as digits, without grouping).
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Arg::Text(s) => s.clone(),
            Arg::Number(n) => n.to_string(),
            Arg::Name { vi, en } => pick(lang, *vi, *en),
        }
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_string())
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Number(n)
    }
}

impl From<u64> for Arg {
    fn from(n: u64) -> Self {
        Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Self {
        Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<u32> for Arg {
    fn from(n: u32) -> Self {
        Arg::Number(n.into())
    }
}

/// Picks the Vietnamese or the English text.
pub(crate) fn pick(lang: Lang, vi: impl Into<String>, en: impl Into<String>) -> String {
    match lang {
        Lang::Vi => vi.into(),
        Lang::En => en.into(),
    }
}

/// 1234567 → "1.234.567 đồng" (Vietnamese digit grouping).
pub fn money(amount: i64) -> String {
    format!("{} đồng", grouped(amount))
}

/// A whole number with Vietnamese thousands separators: "1.575", "-20.000".
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_the_vietnamese_way() {
        assert_eq!(money(0), "0 đồng");
        assert_eq!(money(50_000), "50.000 đồng");
        assert_eq!(money(1_234_567), "1.234.567 đồng");
        assert_eq!(money(-5_000), "-5.000 đồng");
        assert_eq!(grouped(1_575), "1.575");
        assert_eq!(grouped(999), "999");
    }

    #[test]
    fn negotiates_accept_language() {
        assert_eq!(Lang::negotiate("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::negotiate("fr, en;q=0.5, vi;q=0.8"), Lang::Vi);
        assert_eq!(Lang::negotiate("fr"), Lang::Vi);
        assert_eq!(Lang::negotiate(""), Lang::Vi);
        assert_eq!(Lang::negotiate("en;q=0"), Lang::Vi);
        assert_eq!(Lang::negotiate(";;;,,q=abc"), Lang::Vi);
    }
}

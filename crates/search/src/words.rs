//! The words of Vietnamese text as search compares them: each word folded (marks removed) and,
//! when it carries marks, also kept with them.

use motcua_domain::text::fold;
use unicode_normalization::UnicodeNormalization;

/// Words longer than this are not words a person looks for (a pasted URL, a run of digits).
const LONGEST_WORD: usize = 40;

/// The tone marks of Vietnamese (grave, acute, tilde, hook above, dot below), as combining
/// characters.
const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// Whether `stem` is a syllable's first consonant(s) and nothing else: after it, a final "y" is
/// the vowel i, written either way ("lý"/"lí", "kỹ"/"kĩ", "quý"/"quí"). After a vowel "y" is a
/// different word ("tay" is not "tai") and stays.
fn onset_only(stem: &str) -> bool {
    matches!(
        stem,
        "b" | "c"
            | "ch"
            | "d"
            | "đ"
            | "g"
            | "gh"
            | "h"
            | "k"
            | "kh"
            | "l"
            | "m"
            | "n"
            | "ng"
            | "nh"
            | "p"
            | "ph"
            | "qu"
            | "r"
            | "s"
            | "t"
            | "th"
            | "tr"
            | "v"
            | "x"
    )
}

/// A final "y" after a consonant alone, written "i": one spelling for both.
fn i_for_y(mut word: String) -> String {
    if word.strip_suffix('y').is_some_and(onset_only) {
        word.pop();
        word.push('i');
    }
    word
}

/// One word folded: lower case, no marks, đ as d, final y as i ("Lý" → "li").
pub(crate) fn folded_word(word: &str) -> String {
    i_for_y(fold(word))
}

/// One word with its letters kept and its tone moved to the end as a digit: "hôn" → "hôn0",
/// "hồn" → "hôn1", "hoà" and "hòa" → "hoa1", "lý" and "lí" → "li2". Vowel marks (ô, ơ, ư,
/// â, ă, ê) and đ stay.
pub(crate) fn marked_word(word: &str) -> String {
    let mut tone = 0;
    let mut base = String::with_capacity(word.len());
    for c in word.nfd() {
        match TONES.iter().position(|t| *t == c) {
            Some(i) => tone = i + 1,
            None => base.extend(c.to_lowercase()),
        }
    }
    let mut out = i_for_y(base.nfc().collect());
    out.push(char::from(b'0' + tone as u8));
    out
}

/// The words of a text, as typed (composed form, split at anything not a letter or digit).
fn raw_words(text: &str) -> impl Iterator<Item = String> {
    let text: String = text.nfc().collect();
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.chars().count() <= LONGEST_WORD)
        .map(str::to_string)
        .collect::<Vec<_>>()
        .into_iter()
}

/// A word of a query: folded, and with its marks when it was typed with any.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Word {
    pub folded: String,
    pub marked: Option<String>,
}

impl Word {
    pub fn new(raw: &str) -> Word {
        let folded = fold(raw);
        // Typed with a mark (a tone, a vowel mark or đ) when folding changed more than case.
        let marked = (folded != raw.to_lowercase()).then(|| marked_word(raw));
        Word {
            folded: i_for_y(folded),
            marked,
        }
    }

    /// Whether this word, as typed, is the word of known text whose forms are given: the same
    /// letters, and the same marks when marks were typed.
    pub fn is(&self, folded: &str, marked: &str) -> bool {
        self.folded == folded && self.marked.as_deref().is_none_or(|m| m == marked)
    }
}

/// The words of a query.
pub(crate) fn words(text: &str) -> Vec<Word> {
    raw_words(text).map(|w| Word::new(&w)).collect()
}

/// The words of known text (a name, a field), each in both forms.
pub(crate) fn text_words(text: &str) -> Vec<(String, String)> {
    raw_words(text)
        .map(|w| (folded_word(&w), marked_word(&w)))
        .collect()
}

/// A text's words as the folded and the marked fields of the index hold them.
pub(crate) fn joined(words: &[(String, String)]) -> (String, String) {
    let folded: Vec<&str> = words.iter().map(|(f, _)| f.as_str()).collect();
    let marked: Vec<&str> = words.iter().map(|(_, m)| m.as_str()).collect();
    (folded.join(" "), marked.join(" "))
}

/// Whether `a` becomes `b` by one edit at most: a letter added, removed or changed, or two
/// neighbours swapped (as the index's typo tolerance counts them).
pub(crate) fn within_one_edit(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        one_edit(a.as_bytes(), b.as_bytes())
    } else {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        one_edit(&a, &b)
    }
}

fn one_edit<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let p = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if p == short.len() {
        return true;
    }
    if short.len() < long.len() {
        return short[p..] == long[p + 1..];
    }
    let swapped = p + 1 < short.len()
        && short[p] == long[p + 1]
        && short[p + 1] == long[p]
        && short[p + 2..] == long[p + 2..];
    swapped || short[p + 1..] == long[p + 1..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn y_after_a_consonant_is_i() {
        assert_eq!(folded_word("Lý"), "li");
        assert_eq!(folded_word("lí"), "li");
        assert_eq!(folded_word("quý"), "qui");
        assert_eq!(folded_word("Mỹ"), "mi");
        assert_eq!(folded_word("tay"), "tay");
        assert_eq!(folded_word("thủy"), "thuy");
        assert_eq!(folded_word("y"), "y");
        assert_eq!(marked_word("lý"), marked_word("lí"));
        assert_eq!(marked_word("kỹ"), marked_word("kĩ"));
        assert_ne!(marked_word("lý"), marked_word("lỳ"));
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit("sinh", "sinh"));
        assert!(within_one_edit("sinh", "sinhh"));
        assert!(within_one_edit("dugn", "dung"));
        assert!(within_one_edit("dung", "dunh"));
        assert!(within_one_edit("ung", "dung"));
        assert!(within_one_edit("", "a"));
        assert!(!within_one_edit("a", "abc"));
        assert!(!within_one_edit("khai", "kiha"));
        assert!(!within_one_edit("sinh", "sanhx"));
    }
}

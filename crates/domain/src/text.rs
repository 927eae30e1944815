//! Text helpers for Vietnamese: folding diacritics so that "dang ky khai sinh" matches
//! "Đăng ký khai sinh".

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower-cases, removes tone and vowel marks (NFD, then drops combining marks) and maps
/// đ/Đ to d, collapsing runs of whitespace to one space.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c if c.is_whitespace() => {
                space = !out.is_empty();
                continue;
            }
            c => c,
        };
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The text in Unicode composed form (NFC), trimmed: published data mixes composed and
/// decomposed Vietnamese letters, which look the same but compare unequal.
pub fn nfc(s: &str) -> String {
    s.trim().nfc().collect()
}

/// The text with personal numbers and e-mail addresses hidden, for what is shown to the
/// public or kept beyond its purpose: every run of nine or more digits (an identity card, a
/// citizen identity number, a phone number, written with spaces, dots or dashes between
/// groups, or with +84) becomes "•••", as does every e-mail address. Amounts, dates and
/// codes stay, unless an amount reaches nine digits (a hundred million đồng and more).
pub fn mask_personal(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        // A run of digits joined by single separators (and a leading +).
        if chars[i].is_ascii_digit()
            || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            let mut end = i;
            let mut digits = 0;
            let mut j = i;
            while j < chars.len() {
                let c = chars[j];
                if c.is_ascii_digit() {
                    digits += 1;
                    end = j + 1;
                    j += 1;
                } else if (c == '+' && j == start)
                    || (matches!(c, ' ' | '.' | '-')
                        && chars.get(j + 1).is_some_and(char::is_ascii_digit))
                {
                    j += 1;
                } else {
                    break;
                }
            }
            if digits >= 9 {
                out.push_str("•••");
            } else {
                out.extend(&chars[start..end]);
            }
            i = end.max(start + 1);
            continue;
        }
        // An e-mail address: the word around an @.
        if chars[i] == '@' {
            let word = |c: &char| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+');
            while out.chars().last().is_some_and(|c| word(&c)) {
                out.pop();
            }
            out.push_str("•••");
            i += 1;
            while i < chars.len() && word(&chars[i]) {
                i += 1;
            }
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_numbers_and_addresses_are_hidden() {
        assert_eq!(
            mask_personal("CCCD 001099012345, gọi 0987 654 321 hoặc +84 912.345.678"),
            "CCCD •••, gọi ••• hoặc •••"
        );
        assert_eq!(
            mask_personal("thư tới an.nguyen@example.vn nhé"),
            "thư tới ••• nhé"
        );
        // Amounts, dates, codes and short numbers stay.
        assert_eq!(
            mask_personal("lệ phí 200.000 đồng, ngày 12/02/2026, hồ sơ số 15"),
            "lệ phí 200.000 đồng, ngày 12/02/2026, hồ sơ số 15"
        );
    }
    use proptest::prelude::*;

    #[test]
    fn composes_letters() {
        let decomposed = "Ca\u{302}\u{301}p, quản lý căn cước";
        assert_ne!(decomposed, "Cấp, quản lý căn cước");
        assert_eq!(nfc(decomposed), "Cấp, quản lý căn cước");
    }

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Đăng ký  khai sinh"), "dang ky khai sinh");
        assert_eq!(
            fold(" Ủy ban nhân dân phường Hồng Gai "),
            "uy ban nhan dan phuong hong gai"
        );
        assert_eq!(
            fold("ĐƯỜNG Điện Biên Phủ ưu đãi Ơn Ỹ"),
            "duong dien bien phu uu dai on y"
        );
        // Decomposed input folds the same as precomposed.
        assert_eq!(fold("Đa\u{306}ng ky\u{301}"), "dang ky");
    }

    proptest! {
        #[test]
        fn folding_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
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

//! UI strings from Fluent message catalogs (`locales/vi`, `locales/en`); no UI text lives in
//! templates or handlers. Vietnamese is the fallback.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};
use motcua_app::error::Message;
use motcua_domain::Lang;
pub(crate) use motcua_domain::lang::{grouped, money};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "vi",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static VI: LanguageIdentifier = langid!("vi");
static EN: LanguageIdentifier = langid!("en");

/// Looks up messages in one language.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tr(pub Lang);

impl Tr {
    fn id(&self) -> &'static LanguageIdentifier {
        match self.0 {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }

    /// The message `key`.
    pub(crate) fn t(&self, key: &str) -> String {
        LOCALES.lookup(self.id(), key)
    }

    /// The message `key` with one argument.
    pub(crate) fn t1(
        &self,
        key: &str,
        name: &'static str,
        value: impl Into<FluentValue<'static>>,
    ) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'static>> =
            HashMap::from([(Cow::Borrowed(name), value.into())]);
        LOCALES.lookup_with_args(self.id(), key, &args)
    }

    /// The message `key` with two arguments.
    pub(crate) fn t2(
        &self,
        key: &str,
        a: (&'static str, impl Into<FluentValue<'static>>),
        b: (&'static str, impl Into<FluentValue<'static>>),
    ) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'static>> = HashMap::from([
            (Cow::Borrowed(a.0), a.1.into()),
            (Cow::Borrowed(b.0), b.1.into()),
        ]);
        LOCALES.lookup_with_args(self.id(), key, &args)
    }

    /// A message of the application layer in this language.
    pub(crate) fn message(&self, m: &Message) -> String {
        match m {
            Message::Key(w) => motcua_i18n::say(self.0, w),
            Message::OnField { field, inner } => format!("{field}: {}", self.message(inner)),
            Message::FieldSummary => motcua_i18n::text(self.0, "error-invalid-fields"),
        }
    }

    /// A count with the language's thousands separator: "1.782" in Vietnamese, "1,782" in
    /// English (Fluent here has no locale data to group digits itself).
    pub(crate) fn count(&self, n: i64) -> String {
        match self.0 {
            Lang::Vi => grouped(n),
            Lang::En => grouped(n).replace('.', ","),
        }
    }

    /// The satisfaction tables' total and online rows, named in this language.
    pub(crate) fn row_words(&self) -> motcua_app::ratings::RowWords {
        motcua_app::ratings::RowWords {
            total: self.t("satisfaction-total"),
            online: self.t("satisfaction-online"),
        }
    }

    /// True when the key exists (for optional messages such as names of missing fields).
    pub(crate) fn has(&self, key: &str) -> bool {
        LOCALES.try_lookup(self.id(), key).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogs_have_the_same_keys() {
        let keys = |text: &str| -> Vec<String> {
            let mut v: Vec<String> = text
                .lines()
                .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && l.contains(" = "))
                .map(|l| l.split(" = ").next().unwrap_or_default().trim().to_string())
                .collect();
            v.sort();
            v
        };
        assert_eq!(
            keys(include_str!("../locales/vi/main.ftl")),
            keys(include_str!("../locales/en/main.ftl"))
        );
    }

    #[test]
    fn messages_and_plurals() {
        assert_eq!(Tr(Lang::Vi).t("nav-home"), "Trang chủ");
        assert_eq!(Tr(Lang::En).t("nav-home"), "Home");
        assert_eq!(
            Tr(Lang::En).t1("time-working-days", "n", 1),
            "1 working day"
        );
        assert_eq!(
            Tr(Lang::En).t1("time-working-days", "n", 3),
            "3 working days"
        );
        assert_eq!(
            Tr(Lang::Vi).t1("time-working-days", "n", 3),
            "3 ngày làm việc"
        );
        assert_eq!(
            Tr(Lang::Vi).t1("list-results", "total", 0),
            "Không tìm thấy thủ tục nào"
        );
        assert!(Tr(Lang::Vi).has("missing-fees") && !Tr(Lang::Vi).has("missing-nonsense"));
        // Counts are grouped the language's way.
        let results = |lang: Lang| {
            let tr = Tr(lang);
            tr.t2("list-results", ("total", 1782), ("shown", tr.count(1782)))
        };
        assert_eq!(results(Lang::Vi), "1.782 thủ tục");
        assert_eq!(results(Lang::En), "1,782 procedures");
    }
}

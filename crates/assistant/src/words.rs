//! The assistant's Fluent catalogs (`locales/{vi,en}/assistant.ftl`).

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};
use motcua_domain::Lang;

static_loader! {
    static WORDS = {
        locales: "./locales",
        fallback_language: "vi",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static VI: LanguageIdentifier = langid!("vi");
static EN: LanguageIdentifier = langid!("en");

/// Message `key` in `lang` with text arguments (never numbers: a record's figures are passed
/// as the text the record states, so no formatting can change them).
pub(crate) fn say(lang: Lang, key: &'static str, args: &[(&'static str, String)]) -> String {
    let id = match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    };
    let args: HashMap<Cow<'static, str>, FluentValue<'static>> = args
        .iter()
        .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.clone())))
        .collect();
    WORDS
        .try_lookup_with_args(id, key, &args)
        .unwrap_or_else(|| {
            tracing::error!(key, ?lang, "assistant message cannot be formed");
            key.to_string()
        })
}

pub(crate) fn t(lang: Lang, key: &'static str) -> String {
    say(lang, key, &[])
}

//! The words of every error and notice of motcua. A rule says *what* went wrong as a
//! [`Wording`] (a message id of the catalogs and its arguments); this crate holds the Fluent
//! catalogs (`locales/vi/errors.ftl`, `locales/en/errors.ftl`) and puts a wording into the
//! reader's language. Vietnamese is the fallback. The pages' own texts live in the web crate's
//! catalogs; notifications in the notify crate's. All of them are Fluent.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};
use motcua_domain::{Arg, Lang, Localise, Wording};

static_loader! {
    static ERRORS = {
        locales: "./locales",
        fallback_language: "vi",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static VI: LanguageIdentifier = langid!("vi");
static EN: LanguageIdentifier = langid!("en");

fn id(lang: Lang) -> &'static LanguageIdentifier {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

/// The wording in `lang`. A message the catalogs cannot form (a missing id or argument, which
/// the tests rule out) is logged and shown as its id rather than failing the answer it is in.
pub fn say(lang: Lang, wording: &Wording) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue<'static>> = wording
        .args
        .iter()
        .map(|(name, value)| {
            let value = match value {
                Arg::Number(n) => FluentValue::from(*n),
                other => FluentValue::from(other.text(lang)),
            };
            (Cow::Borrowed(*name), value)
        })
        .collect();
    ERRORS
        .try_lookup_with_args(id(lang), wording.key, &args)
        .unwrap_or_else(|| {
            tracing::error!(key = wording.key, ?lang, "message cannot be formed");
            wording.key.to_string()
        })
}

/// What `e` says, in `lang`.
pub fn localise(lang: Lang, e: &(impl Localise + ?Sized)) -> String {
    say(lang, &e.wording())
}

/// The message `key` without arguments.
pub fn text(lang: Lang, key: &'static str) -> String {
    say(lang, &Wording::new(key))
}

#[cfg(test)]
mod tests;

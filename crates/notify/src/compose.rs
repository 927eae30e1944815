//! Writing a notification from an event, in the applicant's language.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};
use motcua_domain::Lang;
use motcua_domain::calendar::TZ;
use motcua_domain::lifecycle::{Dossier, Event, EventKind};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "vi",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static VI: LanguageIdentifier = langid!("vi");
static EN: LanguageIdentifier = langid!("en");

/// The key prefix of settings that hold an administrator's wording of a template:
/// `template:{vi|en}:{message id}`.
pub const TEMPLATE_SETTING_PREFIX: &str = "template:";

const SHIPPED_VI: &str = include_str!("../locales/vi/notify.ftl");
const SHIPPED_EN: &str = include_str!("../locales/en/notify.ftl");

fn langid(lang: Lang) -> &'static LanguageIdentifier {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

/// The messages of a shipped Fluent file (one line each): id → text.
fn shipped(ftl: &str) -> Vec<(String, String)> {
    ftl.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .collect()
}

/// Every template: its id and the wording shipped in Vietnamese and English.
pub fn templates() -> Vec<(String, String, String)> {
    let en: HashMap<String, String> = shipped(SHIPPED_EN).into_iter().collect();
    shipped(SHIPPED_VI)
        .into_iter()
        .map(|(k, vi)| {
            let e = en.get(&k).cloned().unwrap_or_default();
            (k, vi, e)
        })
        .collect()
}

/// Formats `text` as Fluent message `key` with `args`; the errors say what is wrong.
fn format(key: &str, text: &str, lang: Lang, args: &FluentArgs) -> Result<String, String> {
    let resource = FluentResource::try_new(format!("{key} = {text}\n"))
        .map_err(|(_, errors)| format!("{errors:?}"))?;
    let mut bundle = FluentBundle::new(vec![langid(lang).clone()]);
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .map_err(|errors| format!("{errors:?}"))?;
    let pattern = bundle
        .get_message(key)
        .and_then(|m| m.value())
        .ok_or_else(|| "the template is empty".to_string())?;
    let mut errors = Vec::new();
    let out = bundle.format_pattern(pattern, Some(args), &mut errors);
    if errors.is_empty() {
        Ok(out.into_owned())
    } else {
        Err(format!("{errors:?}"))
    }
}

/// The variables a template may use: those of its shipped wordings.
fn variables(key: &str) -> Vec<String> {
    templates()
        .into_iter()
        .filter(|(k, ..)| k == key)
        .flat_map(|(_, vi, en)| [vi, en])
        .flat_map(|t| {
            t.split("{ $")
                .skip(1)
                .filter_map(|rest| rest.split_once(" }").map(|(v, _)| v.to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Checks an administrator's wording of template `key`: a known template, valid Fluent, and
/// only the variables the template is given.
pub fn check_template(key: &str, text: &str, lang: Lang) -> Result<(), String> {
    if !templates().iter().any(|(k, ..)| k == key) {
        return Err(format!("unknown template {key:?}"));
    }
    if text.trim().is_empty() || text.contains('\n') || text.chars().count() > 2000 {
        return Err("a template is one line of at most 2000 characters".into());
    }
    let mut args = FluentArgs::new();
    for v in variables(key) {
        args.set(v, FluentValue::from("x"));
    }
    format(key, text, lang, &args).map(|_| ())
}

/// Administrators' wordings in place of shipped templates, by language and message id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides(HashMap<(Lang, String), String>);

impl Overrides {
    /// From the settings under [`TEMPLATE_SETTING_PREFIX`].
    pub fn from_settings(rows: &[(String, String)]) -> Overrides {
        Overrides(
            rows.iter()
                .filter_map(|(k, v)| {
                    let rest = k.strip_prefix(TEMPLATE_SETTING_PREFIX)?;
                    let (lang, id) = rest.split_once(':')?;
                    let lang = match lang {
                        "vi" => Lang::Vi,
                        "en" => Lang::En,
                        _ => return None,
                    };
                    Some(((lang, id.to_string()), v.clone()))
                })
                .collect(),
        )
    }

    /// The administrator's wording of message `key` in `lang`, if there is one.
    pub fn wording(&self, lang: Lang, key: &str) -> Option<String> {
        self.0.get(&(lang, key.to_string())).cloned()
    }

    /// Message `key` in `lang`: the administrator's wording when it formats cleanly, else the
    /// shipped one.
    pub(crate) fn lookup(
        &self,
        lang: Lang,
        key: &str,
        args: &HashMap<Cow<'static, str>, FluentValue<'static>>,
    ) -> String {
        if let Some(text) = self.0.get(&(lang, key.to_string())) {
            let mut fa = FluentArgs::new();
            for (k, v) in args {
                fa.set(k.clone(), v.clone());
            }
            match format(key, text, lang, &fa) {
                Ok(out) => return out,
                Err(e) => tracing::warn!(key, error = %e, "template override not used"),
            }
        }
        LOCALES.lookup_with_args(langid(lang), key, args)
    }
}

/// A notification written for both channels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub body: String,
    pub sms: String,
}

/// The notification for `event` of dossier `code`, or `None` when the applicant is not told
/// of this kind of event.
pub fn compose(
    code: &str,
    event: &Event,
    dossier: &Dossier,
    procedure_name: &str,
    public_url: &str,
    overrides: &Overrides,
) -> Option<Composed> {
    if !event.kind.notifies_applicant() {
        return None;
    }
    let lang = dossier.intake.applicant.lang;
    let date = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&TZ).format("%H:%M %d/%m/%Y").to_string()
    };
    let mut args: HashMap<Cow<'static, str>, FluentValue<'static>> = HashMap::new();
    let mut set = |k: &'static str, v: String| {
        args.insert(Cow::Borrowed(k), FluentValue::from(v));
    };
    set("code", code.to_string());
    set("procedure", procedure_name.to_string());
    set("name", dossier.intake.applicant.name.clone());
    set(
        "url",
        format!("{}/track?code={code}", public_url.trim_end_matches('/')),
    );
    // The second factor that works for this dossier: the phone's last four digits, else the
    // citizen ID's, else none (then only the applicant's account shows it).
    let a = &dossier.intake.applicant;
    let factor = if a.phone.is_some() {
        "track-check-phone"
    } else if a.cccd.is_some() {
        "track-check-cccd"
    } else {
        "track-check-account"
    };
    let check = overrides.lookup(lang, factor, &HashMap::new());
    set("check", check);
    match &event.kind {
        EventKind::Received { due_at, .. } => set("due", date(*due_at)),
        EventKind::SupplementRequested {
            reason, missing, ..
        } => {
            set("reason", reason.clone());
            set("missing", missing.join("; "));
        }
        EventKind::Refused { reasons } => set("reason", reasons.join("; ")),
        EventKind::ResultIssued { summary, .. } => set("result", summary.clone()),
        EventKind::Reappointed {
            new_due_at, reason, ..
        } => {
            set("due", date(*new_due_at));
            set("reason", reason.clone());
        }
        EventKind::FeeCorrected { amount, reason, .. } => {
            set("fee", motcua_domain::lang::money(*amount));
            set("fee_number", motcua_domain::lang::grouped(*amount));
            set("reason", reason.clone());
            set("owed", motcua_domain::lang::money(dossier.fee_owed()));
        }
        _ => {}
    }
    let t = |key: &str| overrides.lookup(lang, key, &args);
    let kind = event.kind.name();
    let body = format!(
        "{}\n\n{}\n\n{}\n\n{}",
        t("greeting"),
        t(&format!("{kind}-body")),
        t("track-line"),
        t("signature")
    );
    Some(Composed {
        subject: t(&format!("{kind}-subject")),
        body,
        sms: t(&format!("{kind}-sms")),
    })
}

/// The message carrying a one-time code (`purpose` is `verify`, `reset`, `contact` — proving
/// an address or number added to an account — or `exists`: a reset code sent because someone
/// tried to register with the login of an account).
pub fn compose_code(
    purpose: &str,
    otp: &str,
    minutes: i64,
    lang: Lang,
    overrides: &Overrides,
) -> Option<Composed> {
    if !matches!(purpose, "verify" | "reset" | "exists" | "contact") {
        return None;
    }
    let mut args: HashMap<Cow<'static, str>, FluentValue<'static>> = HashMap::new();
    args.insert(Cow::Borrowed("otp"), FluentValue::from(otp.to_string()));
    args.insert(
        Cow::Borrowed("minutes"),
        FluentValue::from(minutes.to_string()),
    );
    let t = |key: &str| overrides.lookup(lang, key, &args);
    Some(Composed {
        subject: t(&format!("code-{purpose}-subject")),
        body: format!(
            "{}\n\n{}",
            t(&format!("code-{purpose}-body")),
            t("signature")
        ),
        sms: t(&format!("code-{purpose}-sms")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_is_listed_in_both_languages() {
        let all = templates();
        assert!(all.len() >= 20, "{}", all.len());
        assert!(
            all.iter()
                .all(|(_, vi, en)| !vi.is_empty() && !en.is_empty())
        );
        let received = all.iter().find(|(k, ..)| k == "received-body").unwrap();
        assert!(received.1.contains("{ $due }"));
    }

    #[test]
    fn a_wording_is_checked_before_it_is_used() {
        assert_eq!(
            check_template(
                "received-sms",
                "Ho so { $code } hen tra { $due }.",
                Lang::Vi
            ),
            Ok(())
        );
        assert!(check_template("received-sms", "Ho so { $otp }", Lang::Vi).is_err());
        assert!(check_template("received-sms", "Ho so { $code", Lang::Vi).is_err());
        assert!(check_template("no-such-template", "x", Lang::Vi).is_err());
        assert!(check_template("received-sms", "two\nlines", Lang::Vi).is_err());
    }

    #[test]
    fn an_override_replaces_the_shipped_wording() {
        let rows = vec![
            (
                "template:vi:code-verify-sms".to_string(),
                "Ma cua ban: { $otp }".to_string(),
            ),
            (
                "template:xx:code-verify-sms".to_string(),
                "ignored".to_string(),
            ),
        ];
        let overrides = Overrides::from_settings(&rows);
        let vi = compose_code("verify", "123456", 10, Lang::Vi, &overrides).unwrap();
        assert_eq!(vi.sms, "Ma cua ban: 123456");
        let en = compose_code("verify", "123456", 10, Lang::En, &overrides).unwrap();
        assert!(en.sms.contains("123456") && en.sms != "Ma cua ban: 123456");
        // A broken stored wording falls back to the shipped one rather than sending garbage.
        let broken =
            Overrides::from_settings(&[("template:vi:code-verify-sms".into(), "{ $otp".into())]);
        let vi = compose_code("verify", "123456", 10, Lang::Vi, &broken).unwrap();
        assert!(vi.sms.starts_with("Ma xac thuc"), "{}", vi.sms);
    }
}

//! Writing a notification from an event, in the applicant's language.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
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
) -> Option<Composed> {
    if !event.kind.notifies_applicant() {
        return None;
    }
    let lang = dossier.intake.applicant.lang;
    let id = match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    };
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
    set("url", format!("{}/track", public_url.trim_end_matches('/')));
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
        _ => {}
    }
    let t = |key: &str| LOCALES.lookup_with_args(id, key, &args);
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

/// The message carrying a one-time code (`purpose` is `verify` or `reset`).
pub fn compose_code(purpose: &str, otp: &str, minutes: i64, lang: Lang) -> Option<Composed> {
    if !matches!(purpose, "verify" | "reset") {
        return None;
    }
    let id = match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    };
    let mut args: HashMap<Cow<'static, str>, FluentValue<'static>> = HashMap::new();
    args.insert(Cow::Borrowed("otp"), FluentValue::from(otp.to_string()));
    args.insert(
        Cow::Borrowed("minutes"),
        FluentValue::from(minutes.to_string()),
    );
    let t = |key: &str| LOCALES.lookup_with_args(id, key, &args);
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

//! Writing what a petitioner or an asker is told: their feedback received, refused, sent on,
//! needing information or answered, and their question answered.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use fluent_templates::fluent_bundle::FluentValue;
use motcua_domain::Lang;
use motcua_domain::calendar::TZ;
use motcua_domain::ids::{AgencyCode, Phone};
use motcua_domain::pakn::{Filing, PaknEvent, Petitioner};

use crate::compose::{Composed, Overrides};

type Args = HashMap<Cow<'static, str>, FluentValue<'static>>;

fn date(t: DateTime<Utc>) -> String {
    t.with_timezone(&TZ).format("%H:%M %d/%m/%Y").to_string()
}

/// Where the reader looks a petition or question up, with the code filled in.
fn look_up_url(public_url: &str, page: &str, code: &str) -> String {
    format!("{}{page}?code={code}", public_url.trim_end_matches('/'))
}

/// The second factor's wording for someone who gave `phone` (else an e-mail address).
fn check(overrides: &Overrides, lang: Lang, phone: Option<&Phone>) -> String {
    let key = if phone.is_some() {
        "pakn-check-phone"
    } else {
        "pakn-check-email"
    };
    overrides.lookup(lang, key, &Args::new())
}

/// The letter around a message: greeting, the message, where to look it up, signature.
fn letter(t: impl Fn(&str) -> String, kind: &str) -> Composed {
    Composed {
        subject: t(&format!("{kind}-subject")),
        body: format!(
            "{}\n\n{}\n\n{}\n\n{}",
            t("pakn-greeting"),
            t(&format!("{kind}-body")),
            t("pakn-track-line"),
            t("signature")
        ),
        sms: t(&format!("{kind}-sms")),
    }
}

/// What a petition's message needs besides its event.
#[derive(Debug, Clone, Copy)]
pub struct PetitionContext<'a> {
    pub code: &'a str,
    pub petitioner: &'a Petitioner,
    /// The name of the agency handling it after the event.
    pub agency: &'a str,
    /// The answer published, for a publication.
    pub answer: Option<&'a str>,
    /// When its step is due after the event.
    pub due_at: Option<DateTime<Utc>>,
    pub public_url: &'a str,
}

/// The message telling the petitioner of `event`, or `None` when they are not told of it.
pub fn compose_petition(
    event: &PaknEvent,
    c: &PetitionContext<'_>,
    overrides: &Overrides,
) -> Option<Composed> {
    if !event.tells_petitioner() {
        return None;
    }
    let lang = c.petitioner.lang;
    let mut args = Args::new();
    let mut set = |k: &'static str, v: String| {
        args.insert(Cow::Borrowed(k), FluentValue::from(v));
    };
    set("code", c.code.to_string());
    set("name", c.petitioner.name.clone());
    set("agency", c.agency.to_string());
    set(
        "url",
        look_up_url(c.public_url, "/phan-anh-kien-nghi", c.code),
    );
    set("check", check(overrides, lang, c.petitioner.phone.as_ref()));
    set("due", c.due_at.map(date).unwrap_or_default());
    match event {
        PaknEvent::Refused { reason, .. } => set("reason", reason.clone()),
        PaknEvent::InfoRequested { question, .. } => set("question", question.clone()),
        PaknEvent::Published { .. } => set("answer", c.answer.unwrap_or_default().to_string()),
        _ => {}
    }
    let kind = format!("pakn-{}", event.kind().trim_start_matches("pakn_"));
    Some(letter(|key| overrides.lookup(lang, key, &args), &kind))
}

/// The one a question was asked by, and how to reach them.
#[derive(Debug, Clone, Copy)]
pub struct Asker<'a> {
    pub name: &'a str,
    pub phone: Option<&'a Phone>,
    pub lang: Lang,
}

/// The message telling an asker that question `code` was answered by `agency`.
pub fn compose_answer(
    code: &str,
    asker: Asker<'_>,
    agency: &str,
    answer: &str,
    public_url: &str,
    overrides: &Overrides,
) -> Composed {
    let lang = asker.lang;
    let mut args = Args::new();
    for (k, v) in [
        ("code", code.to_string()),
        ("name", asker.name.to_string()),
        ("agency", agency.to_string()),
        ("answer", answer.to_string()),
        ("url", look_up_url(public_url, "/ho-tro", code)),
        ("check", check(overrides, lang, asker.phone)),
    ] {
        args.insert(Cow::Borrowed(k), FluentValue::from(v));
    }
    letter(
        |key| overrides.lookup(lang, key, &args),
        "question-answered",
    )
}

/// A petition as its first `upto` events leave it: its filing, the agency handling it and the
/// answer last given; `None` when they do not start with a filing.
pub fn as_of(events: &[PaknEvent], upto: usize) -> Option<(&Filing, AgencyCode, Option<String>)> {
    let mut it = events.iter().take(upto);
    let Some(PaknEvent::Filed { filing, .. }) = it.next() else {
        return None;
    };
    let mut agency = filing.agency;
    let mut answer = None;
    for e in it {
        match e {
            PaknEvent::Forwarded { to, .. } | PaknEvent::Reassigned { to, .. } => agency = *to,
            PaknEvent::Answered { answer: a, .. } => answer = Some(a.clone()),
            PaknEvent::AnswerReturned { .. } | PaknEvent::Reopened { .. } => answer = None,
            _ => {}
        }
    }
    Some((filing, agency, answer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use motcua_domain::ids::PaknCode;
    use motcua_domain::pakn::PaknChannel;

    fn filing(lang: Lang) -> Filing {
        Filing {
            petitioner: Petitioner {
                name: "Trần Văn Bình".into(),
                phone: Some(Phone::parse("0912345678").unwrap()),
                email: None,
                lang,
            },
            channel: PaknChannel::Web,
            content: "Thái độ tiếp dân".into(),
            category: None,
            dossier: None,
            agency: AgencyCode::parse("000.00.01.H22").unwrap(),
            received_by: None,
            publish_content: false,
            attachments: vec![],
        }
    }

    #[test]
    fn each_told_event_is_written_in_the_petitioners_language() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap();
        let code = PaknCode::parse("PAKN.20260302.0001").unwrap();
        let f = filing(Lang::Vi);
        let events = vec![
            PaknEvent::Filed {
                code,
                filing: Box::new(f.clone()),
                at,
            },
            PaknEvent::Answered {
                answer: "Đã chấn chỉnh.".into(),
                by: "cb".into(),
                at,
            },
            PaknEvent::Published { at },
        ];
        let (filed, agency, answer) = as_of(&events, 3).unwrap();
        assert_eq!((filed, agency), (&f, f.agency));
        let overrides = Overrides::default();
        let c = PetitionContext {
            code: "PAKN.20260302.0001",
            petitioner: &f.petitioner,
            agency: "Sở Tư pháp",
            answer: answer.as_deref(),
            due_at: Some(at),
            public_url: "https://dvc.example.vn/",
        };
        let published = compose_petition(&events[2], &c, &overrides).unwrap();
        assert!(
            published.body.contains("Sở Tư pháp đã trả lời"),
            "{}",
            published.body
        );
        assert!(published.body.contains("Đã chấn chỉnh."));
        assert!(
            published
                .body
                .contains("https://dvc.example.vn/phan-anh-kien-nghi?code=PAKN.20260302.0001")
        );
        assert!(published.body.contains("4 số cuối số điện thoại"));
        let filed = compose_petition(&events[0], &c, &overrides).unwrap();
        assert!(filed.sms.contains("09:00 02/03/2026"), "{}", filed.sms);
        // Answering is not told (the coordinator may still return the answer).
        assert_eq!(compose_petition(&events[1], &c, &overrides), None);
        let en = filing(Lang::En);
        let c = PetitionContext {
            petitioner: &en.petitioner,
            ..c
        };
        let filed = compose_petition(&events[0], &c, &overrides).unwrap();
        assert!(
            filed.subject.starts_with("Your feedback"),
            "{}",
            filed.subject
        );
        let asked = compose_answer(
            "HD.20260302.0001",
            Asker {
                name: "An",
                phone: None,
                lang: Lang::Vi,
            },
            "Sở Tư pháp",
            "Mang theo bản chính.",
            "https://dvc.example.vn",
            &overrides,
        );
        assert!(asked.body.contains("Mang theo bản chính."));
        assert!(asked.body.contains("4 ký tự đầu"));
        assert!(
            asked
                .sms
                .contains("https://dvc.example.vn/ho-tro?code=HD.20260302.0001")
        );
    }
}

//! Telling applicants what happened to their dossiers, petitioners to their feedback and
//! askers to their questions. Every event worth telling (filing,
//! receipt, supplement request, refusal, result, stop, apology) is already in the outbox,
//! written in the same transaction as the event; the [`Dispatcher`] takes messages from it in
//! the background, writes them from templates in the applicant's language, and sends them by
//! e-mail over SMTP and by SMS through an HTTP gateway, retrying failures with back-off. A
//! request never waits for any of this.

mod channels;
mod compose;
mod dispatcher;
mod petitions;
#[cfg(feature = "testing")]
pub mod testing;

pub use channels::{
    EmailSender, HttpSms, SendError, SmsConfig, SmsSender, SmtpConfig, SmtpEmail, SmtpSecurity,
    TerminalEmail, TerminalSms,
};
pub use compose::{
    Composed, Overrides, TEMPLATE_SETTING_PREFIX, check_template, compose, compose_code, templates,
};
pub use dispatcher::{CODE_TOPIC, CodeMessage, Dispatcher};

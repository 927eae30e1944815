//! The one error type of the use cases. An [`AppError`] says what went wrong as data: a
//! [`Kind`] (which the web edge maps to a status), a stable snake_case `code` for programs and
//! a [`Message`] that is put into words only when the answer is rendered, in the language of
//! the request. Every message, of this layer or of the domain and the store below it
//! ([`Localise`]), is a [`Wording`] of the one set of Fluent catalogs (motcua-i18n).

use std::borrow::Cow;
use std::fmt;

pub use motcua_domain::Arg;
use motcua_domain::lifecycle::LifecycleError;
use motcua_domain::{Localise, Wording};
use motcua_store::StoreError;
use motcua_store::ops::OpError;

/// What kind of failure: decides the HTTP status at the edge and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The request itself is malformed (a query, a body the endpoint cannot read).
    BadRequest,
    /// Nobody is logged in, or the credentials are wrong.
    Unauthenticated,
    /// The caller may not do this.
    Forbidden,
    /// There is no such thing, or the caller may not know it exists.
    NotFound,
    /// The thing is not in a state that allows this.
    Conflict,
    /// A file or body is larger than allowed.
    TooLarge,
    /// The body is not of a type the endpoint reads.
    UnsupportedMedia,
    /// Well-formed but wrong: a field, a choice, a rule.
    Invalid,
    /// Too many attempts; try later.
    TooMany,
    /// Something of ours failed; the cause is in the log.
    Internal,
    /// Something we depend on is not answering; try later.
    Unavailable,
}

/// The words of an error, still to be put in a language.
#[derive(Debug, Clone)]
pub enum Message {
    /// A message of the catalogs (`error-…`, motcua-i18n) with its arguments: this layer's own,
    /// or the wording of a lower layer's error.
    Key(Wording),
    /// `field: message`, for an input that names the field it came from.
    OnField { field: String, inner: Box<Message> },
    /// "The form has errors." followed by each wrong field with its message.
    FieldSummary,
}

impl Message {
    /// A message of the catalogs without arguments.
    pub fn key(key: &'static str) -> Self {
        Message::Key(Wording::new(key))
    }

    /// What a lower layer's error says.
    pub fn localised(e: &impl Localise) -> Self {
        Message::Key(e.wording())
    }

    /// Adds an argument (to a catalog message; other messages have none).
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        if let Message::Key(w) = &mut self {
            w.args.push((name, value.into()));
        }
        self
    }
}

/// One wrong field of a form.
#[derive(Debug, Clone)]
pub struct FieldProblem {
    /// Where: `cccd`, `answers.full_name`, `documents[2]`.
    pub field: String,
    pub code: Cow<'static, str>,
    pub message: Message,
}

impl FieldProblem {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<Cow<'static, str>>,
        message: Message,
    ) -> Self {
        FieldProblem {
            field: field.into(),
            code: code.into(),
            message,
        }
    }

    /// A lower layer's error on one field.
    pub fn localised(field: impl Into<String>, e: impl Localise) -> Self {
        FieldProblem::new(field, e.code(), Message::localised(&e))
    }
}

/// What a use case says when it cannot do what was asked.
#[derive(Debug, Clone)]
pub struct AppError {
    pub kind: Kind,
    /// Stable snake_case code, e.g. `already_submitted`.
    pub code: Cow<'static, str>,
    pub details: Details,
    /// Seconds after which trying again may succeed (a throttled attempt).
    pub retry_after: Option<u64>,
}

/// The words and, for a form, each wrong field.
#[derive(Debug, Clone)]
pub struct Details {
    pub message: Message,
    pub fields: Vec<FieldProblem>,
}

impl AppError {
    /// An error whose message is the catalog's `key`.
    pub fn new(kind: Kind, code: &'static str, key: &'static str) -> Self {
        AppError::with_message(kind, code, Message::key(key))
    }

    pub fn with_message(kind: Kind, code: impl Into<Cow<'static, str>>, message: Message) -> Self {
        AppError {
            kind,
            code: code.into(),
            details: Details {
                message,
                fields: Vec::new(),
            },
            retry_after: None,
        }
    }

    /// A lower layer's error, with its own code and words.
    pub fn localised(kind: Kind, e: impl Localise) -> Self {
        AppError::with_message(kind, e.code(), Message::localised(&e))
    }

    /// A lower layer's error about one named input, e.g. `applicant.cccd: …`.
    pub fn on_field(kind: Kind, field: impl Into<String>, e: impl Localise) -> Self {
        AppError::with_message(
            kind,
            e.code(),
            Message::OnField {
                field: field.into(),
                inner: Box::new(Message::localised(&e)),
            },
        )
    }

    /// Adds an argument to the message.
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.details.message = self.details.message.arg(name, value);
        self
    }

    /// A form with wrong fields: each of them listed.
    pub fn fields(fields: Vec<FieldProblem>) -> Self {
        AppError {
            kind: Kind::Invalid,
            code: "invalid_fields".into(),
            details: Details {
                message: Message::FieldSummary,
                fields,
            },
            retry_after: None,
        }
    }

    /// Too many attempts: try again after `wait` (said in seconds under two minutes, in
    /// minutes beyond).
    pub fn too_many_attempts(wait: std::time::Duration) -> Self {
        let secs = wait.as_secs_f64().ceil() as u64;
        let e = if secs < 120 {
            AppError::new(Kind::TooMany, "too_many_attempts", "error-too-many-seconds")
                .arg("seconds", secs.max(1))
        } else {
            AppError::new(
                Kind::TooMany,
                "too_many_attempts",
                "error-too-many-attempts",
            )
            .arg("minutes", secs.div_ceil(60))
        };
        AppError {
            retry_after: Some(secs.max(1)),
            ..e
        }
    }

    /// There is no such thing (or the caller may not know of it).
    pub fn not_found() -> Self {
        StoreError::NotFound.into()
    }

    /// Nobody is logged in.
    pub fn unauthenticated() -> Self {
        AppError::new(
            Kind::Unauthenticated,
            "unauthenticated",
            "error-unauthenticated",
        )
    }

    /// The caller may not do this.
    pub fn forbidden() -> Self {
        AppError::new(Kind::Forbidden, "forbidden", "error-forbidden")
    }

    /// Something of ours failed; `what` goes to the log, never to the caller.
    pub fn internal(what: impl fmt::Display) -> Self {
        tracing::error!(error = %what, "internal failure");
        AppError::localised(Kind::Internal, StoreError::Corrupt(what.to_string()))
    }

    /// The wrong fields, or the message as if it were about `default_field`.
    pub fn field_problems(&self, default_field: &str) -> Vec<FieldProblem> {
        if self.details.fields.is_empty() {
            vec![FieldProblem::new(
                default_field,
                self.code.clone(),
                self.details.message.clone(),
            )]
        } else {
            self.details.fields.clone()
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.code)
    }
}

impl std::error::Error for AppError {}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let kind = match &e {
            StoreError::NotFound => Kind::NotFound,
            StoreError::Conflict { .. } | StoreError::Duplicate(_) => Kind::Conflict,
            StoreError::MissingReference(_) => Kind::Invalid,
            StoreError::Corrupt(_)
            | StoreError::Url(_)
            | StoreError::Database(_)
            | StoreError::Migrate(_) => {
                tracing::error!(error = ?e, "storage failure");
                Kind::Internal
            }
            StoreError::Unavailable(_) => {
                tracing::error!(error = ?e, "storage failure");
                Kind::Unavailable
            }
        };
        AppError::localised(kind, e)
    }
}

impl From<LifecycleError> for AppError {
    fn from(e: LifecycleError) -> Self {
        let kind = match &e {
            LifecycleError::RoleNotAllowed { .. } | LifecycleError::OutOfScope => Kind::Forbidden,
            LifecycleError::Text { .. }
            | LifecycleError::BadAmount
            | LifecycleError::BadFee
            | LifecycleError::BadScore => Kind::Invalid,
            LifecycleError::NotOpened => Kind::NotFound,
            LifecycleError::AlreadyOpened
            | LifecycleError::InvalidTransition { .. }
            | LifecycleError::NoNextStep
            | LifecycleError::NoPreviousStep
            | LifecycleError::NotApproved
            | LifecycleError::AlreadyReappointed
            | LifecycleError::DueNotLater
            | LifecycleError::SameAgency
            | LifecycleError::RefusalNotProposed
            | LifecycleError::FeeUnpaid { .. }
            | LifecycleError::AlreadyPaid
            | LifecycleError::FeeUnchanged
            | LifecycleError::AlreadyRated => Kind::Conflict,
        };
        AppError::localised(kind, e)
    }
}

impl From<OpError> for AppError {
    fn from(e: OpError) -> Self {
        match e {
            OpError::Lifecycle(e) => e.into(),
            OpError::Store(e) => e.into(),
            OpError::Replay(e) => StoreError::Corrupt(e.to_string()).into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_failures_keep_their_kind_and_code() {
        let e = AppError::from(StoreError::NotFound);
        assert_eq!((e.kind, e.code.as_ref()), (Kind::NotFound, "not_found"));
        let e = AppError::from(StoreError::Unavailable("stopped".into()));
        assert_eq!(e.kind, Kind::Unavailable);
        let e = AppError::from(OpError::Lifecycle(LifecycleError::AlreadyPaid));
        assert_eq!(e.kind, Kind::Conflict);
    }

    #[test]
    fn arguments_go_to_catalog_messages_only() {
        let e = AppError::new(Kind::Invalid, "too_many_files", "error-too-many-files")
            .arg("max", 20u32);
        match &e.details.message {
            Message::Key(w) => {
                assert_eq!(w.key, "error-too-many-files");
                assert_eq!(w.args, vec![("max", Arg::Number(20))]);
            }
            other => panic!("unexpected {other:?}"),
        }
        let problems = e.field_problems("file");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "file");
        assert_eq!(problems[0].code, "too_many_files");
    }
}

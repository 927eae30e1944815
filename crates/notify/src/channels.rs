//! The two channels, each speaking its real protocol: SMTP (lettre) and an HTTP SMS gateway.

use async_trait::async_trait;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("the address {0:?} cannot be written to")]
    Address(String),
    #[error("e-mail: {0}")]
    Email(String),
    #[error("SMS gateway: {0}")]
    Sms(String),
}

/// Sends one e-mail.
#[async_trait]
pub trait EmailSender: Send + Sync {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), SendError>;
}

/// Sends one text message to a number in international form (`+84…`).
#[async_trait]
pub trait SmsSender: Send + Sync {
    async fn send(&self, to: &str, text: &str) -> Result<(), SendError>;
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection: only for a relay on the same host or a test server.
    None,
    /// STARTTLS after connecting (port 587).
    StartTls,
    /// TLS from the start (port 465).
    Tls,
}

#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `Trung tâm PVHCC <noreply@example.gov.vn>`.
    pub from: String,
}

/// E-mail over SMTP.
pub struct SmtpEmail {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpEmail {
    pub fn new(c: &SmtpConfig) -> Result<Self, SendError> {
        let builder = match c.security {
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&c.host),
            SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&c.host)
                .map_err(|e| SendError::Email(e.to_string()))?,
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&c.host)
                .map_err(|e| SendError::Email(e.to_string()))?,
        };
        let builder = builder
            .port(c.port)
            .timeout(Some(std::time::Duration::from_secs(20)));
        let builder = match (&c.username, &c.password) {
            (Some(u), Some(p)) => builder.credentials(Credentials::new(u.clone(), p.clone())),
            _ => builder,
        };
        let from = c
            .from
            .parse()
            .map_err(|_| SendError::Address(c.from.clone()))?;
        Ok(SmtpEmail {
            transport: builder.build(),
            from,
        })
    }
}

#[async_trait]
impl EmailSender for SmtpEmail {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), SendError> {
        let to: Mailbox = to.parse().map_err(|_| SendError::Address(to.to_string()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .header(ContentTransferEncoding::Base64)
                    .body(body.to_string()),
            )
            .map_err(|e| SendError::Email(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| SendError::Email(e.to_string()))
    }
}

#[derive(Debug, Clone)]
pub struct SmsConfig {
    /// The gateway's send endpoint.
    pub url: String,
    /// Sent as `Authorization: Bearer …`.
    pub api_key: String,
    /// The brand name shown as sender.
    pub sender: String,
}

/// SMS through an HTTP gateway: `POST url` with `{"to", "text", "sender"}` as JSON and a
/// bearer key; any 2xx answer means accepted. Vietnamese SMS brand-name gateways take this
/// shape (field names differ by provider; this adapter is the one place to change them).
pub struct HttpSms {
    client: reqwest::Client,
    config: SmsConfig,
}

#[derive(Serialize)]
struct SmsRequest<'a> {
    to: &'a str,
    text: &'a str,
    sender: &'a str,
}

impl HttpSms {
    pub fn new(config: SmsConfig) -> Result<Self, SendError> {
        // HTTPS uses ring, the provider SMTP's TLS already brings; installing it twice is a
        // harmless no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .map_err(|e| SendError::Sms(e.to_string()))?;
        Ok(HttpSms { client, config })
    }
}

#[async_trait]
impl SmsSender for HttpSms {
    async fn send(&self, to: &str, text: &str) -> Result<(), SendError> {
        let r = self
            .client
            .post(&self.config.url)
            .bearer_auth(&self.config.api_key)
            .json(&SmsRequest {
                to,
                text,
                sender: &self.config.sender,
            })
            .send()
            .await
            .map_err(|e| SendError::Sms(e.to_string()))?;
        if r.status().is_success() {
            Ok(())
        } else {
            Err(SendError::Sms(format!("answered {}", r.status())))
        }
    }
}

/// E-mail "sent" to the terminal: the demo's channel when no SMTP server is configured, so
/// that one-time codes and notices can be read where the demo runs. Never for production.
pub struct TerminalEmail;

#[async_trait]
impl EmailSender for TerminalEmail {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), SendError> {
        println!("--- e-mail to {to}: {subject}\n{body}\n---");
        Ok(())
    }
}

/// Texts "sent" to the terminal: the demo's channel when no SMS gateway is configured, so that
/// signing up with a mobile number works there too. Never for production.
pub struct TerminalSms;

#[async_trait]
impl SmsSender for TerminalSms {
    async fn send(&self, to: &str, text: &str) -> Result<(), SendError> {
        println!("--- SMS to {to}: {text}");
        Ok(())
    }
}

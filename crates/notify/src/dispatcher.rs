//! Delivery from the outbox: claim due messages (a lease keeps other server instances off
//! them), send on every configured channel not yet done for the message, record what was
//! sent, and mark the message delivered, or due again after a back-off, or dead after too
//! many attempts.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt;
use motcua_domain::ids::{AgencyCode, DossierCode, PaknCode, Phone, ProcedureCode, QuestionCode};
use motcua_domain::lifecycle::Event;
use motcua_store::{
    Notification, OutboxMessage, OutboxOutcome, PETITION_STREAM_PREFIX, PetitionMessage,
    QUESTION_ANSWERED_TOPIC, QUESTION_STREAM_PREFIX, Settled, Store, StoreError,
};
use serde::Deserialize;

use crate::channels::{EmailSender, SmsSender};
use crate::compose::{Composed, Overrides, TEMPLATE_SETTING_PREFIX, compose, compose_code};
use crate::petitions::{Asker, PetitionContext, compose_answer, compose_petition};

/// How long a claimed message stays hidden from other instances.
const LEASE: i64 = 120;
/// Attempts before a message is given up (kept, with its last error, for inspection).
const MAX_ATTEMPTS: i64 = 10;
const BATCH: u32 = 50;
/// Messages of a batch being sent at once.
const SENDING: usize = 8;
/// The longest rest between two full batches of a backlog.
const MAX_REST: StdDuration = StdDuration::from_millis(200);
/// Delivered messages deleted per statement when pruning.
const PRUNE_SLICE: u32 = 1000;
/// How often delivered messages past their retention are pruned.
const PRUNE_EVERY: StdDuration = StdDuration::from_secs(600);

pub struct Dispatcher {
    store: Arc<dyn Store>,
    email: Option<Arc<dyn EmailSender>>,
    sms: Option<Arc<dyn SmsSender>>,
    public_url: String,
    retention: Duration,
}

/// Outbox topic of one-time codes for citizens' accounts.
pub const CODE_TOPIC: &str = "citizen.code";

/// The payload of a [`CODE_TOPIC`] message.
#[derive(Debug, Clone, serde::Serialize, Deserialize)]
pub struct CodeMessage {
    pub purpose: String,
    pub code: String,
    pub minutes: i64,
    pub lang: motcua_domain::Lang,
    #[serde(default)]
    pub email: Option<String>,
    /// E.164.
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Deserialize)]
struct Envelope {
    stream: String,
    event: Event,
}

/// Wait before attempt `attempts + 1`: 30 s, 1 min, 2 min … capped at an hour.
fn back_off(attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 8) as u32 - 1;
    Duration::seconds((30i64 << exp).min(3600))
}

impl Dispatcher {
    pub fn new(
        store: Arc<dyn Store>,
        email: Option<Arc<dyn EmailSender>>,
        sms: Option<Arc<dyn SmsSender>>,
        public_url: String,
    ) -> Self {
        Dispatcher {
            store,
            email,
            sms,
            public_url,
            retention: Duration::days(30),
        }
    }

    /// Keeps delivered messages this long before pruning them (30 days unless set).
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// Delivers what is due at `now`; returns how many messages were handled. The batch's
    /// outcomes and the notifications it sent are recorded in one write at the end (a crash in
    /// between sends them again: delivery is at least once).
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let batch = self
            .store
            .claim_outbox(now, now + Duration::seconds(LEASE), BATCH)
            .await?;
        if batch.is_empty() {
            return Ok(0);
        }
        let context = Context {
            overrides: self.overrides().await,
            names: Default::default(),
            agencies: Default::default(),
        };
        // A few dossiers at a time (the channels wait on the network, not on the database);
        // the messages of one dossier one after the other, in order.
        let mut groups: Vec<Vec<&OutboxMessage>> = Vec::new();
        let mut group_of: HashMap<String, usize> = HashMap::new();
        for m in &batch {
            // A dossier's messages, or one person's codes, keep their order.
            let key = ["stream", "email", "phone"]
                .iter()
                .find_map(|k| m.payload[*k].as_str())
                .map_or_else(|| format!("#{}", m.id), str::to_string);
            let i = *group_of.entry(key).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[i].push(m);
        }
        let sending: Vec<_> = groups
            .iter()
            .map(|g| self.send_in_order(g, now, &context))
            .collect();
        let mut settled: Vec<Settled> = futures_util::stream::iter(sending)
            .buffer_unordered(SENDING)
            .collect::<Vec<Vec<Settled>>>()
            .await
            .into_iter()
            .flatten()
            .collect();
        settled.sort_by_key(|s| s.id);
        self.store.settle_outbox(&settled, now).await?;
        Ok(batch.len())
    }

    /// Delivers claimed messages one after the other.
    async fn send_in_order(
        &self,
        messages: &[&OutboxMessage],
        now: DateTime<Utc>,
        context: &Context,
    ) -> Vec<Settled> {
        let mut out = Vec::with_capacity(messages.len());
        for m in messages {
            out.push(self.send_one(m, now, context).await);
        }
        out
    }

    /// Delivers one claimed message and says what became of it.
    async fn send_one(&self, m: &OutboxMessage, now: DateTime<Utc>, context: &Context) -> Settled {
        let mut sent = Vec::new();
        let outcome = match self.deliver(m, now, context, &mut sent).await {
            Ok(()) => OutboxOutcome::Delivered,
            Err(e) if m.attempts >= MAX_ATTEMPTS => {
                tracing::error!(id = m.id, topic = %m.topic, error = %e, "notification given up");
                OutboxOutcome::Dead { error: e }
            }
            Err(e) => {
                tracing::warn!(id = m.id, topic = %m.topic, attempts = m.attempts, error = %e, "notification will be retried");
                OutboxOutcome::Retry {
                    at: now + back_off(m.attempts),
                    error: e,
                }
            }
        };
        Settled {
            id: m.id,
            outcome,
            sent,
        }
    }

    /// Deletes messages delivered more than the retention period before `now`, a slice at a
    /// time; returns how many.
    pub async fn prune(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut total = 0;
        loop {
            let n = self
                .store
                .prune_outbox(now - self.retention, PRUNE_SLICE)
                .await?;
            total += n;
            if n < u64::from(PRUNE_SLICE) {
                return Ok(total);
            }
            tokio::task::yield_now().await;
        }
    }

    async fn deliver(
        &self,
        m: &OutboxMessage,
        now: DateTime<Utc>,
        context: &Context,
        sent: &mut Vec<Notification>,
    ) -> Result<(), String> {
        let overrides = context.overrides.clone()?;
        match m.topic.as_str() {
            CODE_TOPIC => self.deliver_code(m, now, &overrides, sent).await,
            t if t.starts_with("dossier.") => {
                self.deliver_event(m, now, &overrides, &context.names, sent)
                    .await
            }
            t if t.starts_with("pakn.") => self.deliver_petition(m, now, context, sent).await,
            QUESTION_ANSWERED_TOPIC => self.deliver_answer(m, now, context, sent).await,
            t => Err(format!("unknown topic {t}")),
        }
    }

    /// The administrators' wordings of templates, as they stand now (read once per batch).
    async fn overrides(&self) -> Result<Overrides, String> {
        let rows = self
            .store
            .settings_with_prefix(TEMPLATE_SETTING_PREFIX)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Overrides::from_settings(&rows))
    }

    async fn deliver_code(
        &self,
        m: &OutboxMessage,
        now: DateTime<Utc>,
        overrides: &Overrides,
        sent: &mut Vec<Notification>,
    ) -> Result<(), String> {
        let c: CodeMessage =
            serde_json::from_value(m.payload.clone()).map_err(|e| format!("payload: {e}"))?;
        let text = compose_code(&c.purpose, &c.code, c.minutes, c.lang, overrides)
            .ok_or_else(|| format!("unknown code purpose {}", c.purpose))?;
        self.send_all(
            m,
            None,
            c.email.as_deref(),
            c.phone.as_deref(),
            &text,
            now,
            sent,
        )
        .await
    }

    async fn deliver_event(
        &self,
        m: &OutboxMessage,
        now: DateTime<Utc>,
        overrides: &Overrides,
        names: &std::sync::Mutex<HashMap<ProcedureCode, String>>,
        sent: &mut Vec<Notification>,
    ) -> Result<(), String> {
        let envelope: Envelope =
            serde_json::from_value(m.payload.clone()).map_err(|e| format!("payload: {e}"))?;
        if !envelope.event.kind.notifies_applicant() {
            return Ok(());
        }
        let code: DossierCode = envelope
            .stream
            .parse()
            .map_err(|e| format!("dossier code: {e}"))?;
        let dossier = self
            .store
            .dossier(&code)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the dossier is gone")?;
        let code = dossier.state.intake.procedure.code;
        let known = names
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&code)
            .cloned();
        let name = match known {
            Some(n) => n,
            None => {
                let procedure = self
                    .store
                    .procedure(&code)
                    .await
                    .map_err(|e| e.to_string())?;
                let n = procedure.map(|p| p.name).unwrap_or_default();
                names
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(code, n.clone());
                n
            }
        };
        let Some(text) = compose(
            &envelope.stream,
            &envelope.event,
            &dossier.state,
            &name,
            &self.public_url,
            overrides,
        ) else {
            return Ok(());
        };
        let applicant = &dossier.state.intake.applicant;
        let phone = applicant.phone.as_ref().map(|p| p.e164());
        self.send_all(
            m,
            Some(envelope.stream.clone()),
            applicant.email.as_deref(),
            phone.as_deref(),
            &text,
            now,
            sent,
        )
        .await
    }

    /// The name of agency `code` (the code itself when it is not known), read once a batch.
    async fn agency_name(&self, code: AgencyCode, context: &Context) -> Result<String, String> {
        let known = {
            let names = context.agencies.lock().unwrap_or_else(|p| p.into_inner());
            names.as_ref().map(|n| n.get(&code).cloned())
        };
        let found = match known {
            Some(found) => found,
            None => {
                let all: HashMap<AgencyCode, String> = self
                    .store
                    .agencies()
                    .await
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .map(|a| (a.code, a.name))
                    .collect();
                let found = all.get(&code).cloned();
                *context.agencies.lock().unwrap_or_else(|p| p.into_inner()) = Some(all);
                found
            }
        };
        Ok(found.unwrap_or_else(|| code.to_string()))
    }

    async fn deliver_petition(
        &self,
        m: &OutboxMessage,
        now: DateTime<Utc>,
        context: &Context,
        sent: &mut Vec<Notification>,
    ) -> Result<(), String> {
        let overrides = context.overrides.clone()?;
        let message: PetitionMessage =
            serde_json::from_value(m.payload.clone()).map_err(|e| format!("payload: {e}"))?;
        let code: PaknCode = message
            .stream
            .strip_prefix(PETITION_STREAM_PREFIX)
            .unwrap_or_default()
            .parse()
            .map_err(|e| format!("petition code: {e}"))?;
        let stored = self
            .store
            .petition(&code)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the petition is gone")?;
        let (filing, agency, answer) =
            crate::petitions::as_of(&stored.events, message.version as usize)
                .ok_or("the petition has no filing")?;
        let agency = self.agency_name(agency, context).await?;
        let code = code.to_string();
        let Some(text) = compose_petition(
            &message.event,
            &PetitionContext {
                code: &code,
                petitioner: &filing.petitioner,
                agency: &agency,
                answer: answer.as_deref(),
                due_at: message.due_at,
                public_url: &self.public_url,
            },
            &overrides,
        ) else {
            return Ok(());
        };
        let who = &filing.petitioner;
        self.send_to(
            m,
            who.email.as_deref(),
            who.phone.as_ref(),
            &text,
            now,
            sent,
        )
        .await
    }

    /// Sends a message about no dossier to someone with an e-mail address or a phone.
    async fn send_to(
        &self,
        m: &OutboxMessage,
        email: Option<&str>,
        phone: Option<&Phone>,
        text: &Composed,
        now: DateTime<Utc>,
        sent: &mut Vec<Notification>,
    ) -> Result<(), String> {
        let phone = phone.map(Phone::e164);
        self.send_all(m, None, email, phone.as_deref(), text, now, sent)
            .await
    }

    async fn deliver_answer(
        &self,
        m: &OutboxMessage,
        now: DateTime<Utc>,
        context: &Context,
        sent: &mut Vec<Notification>,
    ) -> Result<(), String> {
        let overrides = context.overrides.clone()?;
        let code: QuestionCode = m.payload["stream"]
            .as_str()
            .and_then(|s| s.strip_prefix(QUESTION_STREAM_PREFIX))
            .unwrap_or_default()
            .parse()
            .map_err(|e| format!("question code: {e}"))?;
        let q = self
            .store
            .question(&code)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the question is gone")?;
        let Some(answer) = q.answer.as_deref() else {
            return Err("the question has no answer".into());
        };
        let agency = self.agency_name(q.asked.agency, context).await?;
        let text = compose_answer(
            &code.to_string(),
            Asker {
                name: &q.asked.name,
                phone: q.asked.phone.as_ref(),
                lang: q.asked.lang,
            },
            &agency,
            answer,
            &self.public_url,
            &overrides,
        );
        self.send_to(
            m,
            q.asked.email.as_deref(),
            q.asked.phone.as_ref(),
            &text,
            now,
            sent,
        )
        .await
    }

    /// Sends on every configured channel the message has not reached yet (on an earlier
    /// attempt), adding each notification sent to `sent`.
    #[allow(clippy::too_many_arguments)]
    async fn send_all(
        &self,
        m: &OutboxMessage,
        dossier_code: Option<String>,
        email_to: Option<&str>,
        phone: Option<&str>,
        text: &Composed,
        now: DateTime<Utc>,
        sent: &mut Vec<Notification>,
    ) -> Result<(), String> {
        let done: Vec<String> = if m.attempts > 1 {
            self.store
                .notifications_of_message(m.id)
                .await
                .map_err(|e| e.to_string())?
                .into_iter()
                .map(|n| n.channel)
                .collect()
        } else {
            Vec::new()
        };
        let mut errors = Vec::new();
        let record = |channel: &str, recipient: &str, subject: &str, body: &str| Notification {
            outbox_id: m.id,
            dossier_code: dossier_code.clone(),
            channel: channel.to_string(),
            recipient: recipient.to_string(),
            subject: subject.to_string(),
            body: body.to_string(),
            sent_at: now,
        };
        if let (Some(email), Some(to)) = (&self.email, email_to)
            && !done.iter().any(|c| c == "email")
        {
            match email.send(to, &text.subject, &text.body).await {
                Ok(()) => sent.push(record("email", to, &text.subject, &text.body)),
                Err(e) => errors.push(e.to_string()),
            }
        }
        if let (Some(sms), Some(phone)) = (&self.sms, phone)
            && !done.iter().any(|c| c == "sms")
        {
            match sms.send(phone, &text.sms).await {
                Ok(()) => sent.push(record("sms", phone, "", &text.sms)),
                Err(e) => errors.push(e.to_string()),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }

    /// Delivers for the life of the process, looking for work every `every`.
    pub fn spawn(self: Arc<Self>, every: StdDuration) {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut pruned_at: Option<std::time::Instant> = None;
            loop {
                tick.tick().await;
                // A backlog is drained batch by batch; after each full batch the dispatcher
                // rests as long as the batch took, so that requests always get their turn.
                loop {
                    let started = std::time::Instant::now();
                    match self.run_once(Utc::now()).await {
                        Ok(n) if n == BATCH as usize => {
                            tokio::time::sleep(started.elapsed().min(MAX_REST)).await;
                        }
                        Ok(_) => break,
                        Err(e) => {
                            tracing::warn!(error = %e, "outbox delivery failed");
                            break;
                        }
                    }
                }
                if pruned_at.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
                    pruned_at = Some(std::time::Instant::now());
                    match self.prune(Utc::now()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(messages = n, "delivered messages pruned"),
                        Err(e) => tracing::warn!(error = %e, "pruning the outbox failed"),
                    }
                }
            }
        });
    }
}

/// What a batch reads once for all its messages.
struct Context {
    overrides: Result<Overrides, String>,
    names: std::sync::Mutex<HashMap<ProcedureCode, String>>,
    /// The names of the agencies, once one is needed.
    agencies: std::sync::Mutex<Option<HashMap<AgencyCode, String>>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_grows_and_is_capped() {
        let s: Vec<i64> = (1..=10).map(|a| back_off(a).num_seconds()).collect();
        assert_eq!(s, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    }
}

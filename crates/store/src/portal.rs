//! What the citizens' portal keeps: accounts, one-time codes, sessions, filing drafts,
//! uploaded attachments (their content lives in an object store under its SHA-256; the
//! database keeps the metadata) and fee payments.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::Lang;
use motcua_domain::ids::{CitizenId, DossierCode, DraftId};
use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::model::{DossierRecord, NewDossier};

/// A citizen's account. `email` and `phone` are unique logins (at least one is set); the
/// account can do nothing until one of them is verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citizen {
    pub id: CitizenId,
    pub email: Option<String>,
    /// E.164 form.
    pub phone: Option<String>,
    pub password_hash: String,
    pub verified_at: Option<DateTime<Utc>>,
    pub full_name: String,
    pub cccd: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub province_code: Option<String>,
    pub ward_code: Option<String>,
    pub address_line: Option<String>,
    pub lang: Lang,
    pub created_at: DateTime<Utc>,
}

/// What a one-time code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    Verify,
    Reset,
    /// Proving an e-mail address or mobile number added to the account.
    Contact,
}

impl CodePurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::Verify => "verify",
            CodePurpose::Reset => "reset",
            CodePurpose::Contact => "contact",
        }
    }
}

/// A one-time code, kept only as a hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimeCode {
    pub citizen_id: CitizenId,
    pub purpose: CodePurpose,
    pub code_hash: String,
    pub expires_at: DateTime<Utc>,
    pub attempts: i64,
}

/// A message for the outbox that no dossier event carries (one-time codes).
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub topic: String,
    /// When it was queued (and may first be sent).
    pub at: DateTime<Utc>,
    pub payload: serde_json::Value,
}

/// A signed-in browser or app. The token itself is never stored, only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitizenSession {
    pub token_hash: String,
    pub citizen_id: CitizenId,
    /// The anti-forgery token every form of this session carries.
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub user_agent: String,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A dossier being prepared online; answers are kept as JSON until it is submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub id: DraftId,
    pub citizen_id: CitizenId,
    pub procedure_code: String,
    pub answers: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set once submitted: the dossier it became.
    pub dossier_code: Option<String>,
}

/// An uploaded file given for one required document of a draft or dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: String,
    pub citizen_id: CitizenId,
    pub draft_id: Option<DraftId>,
    pub dossier_code: Option<String>,
    /// The required document (its name in the procedure) this file answers.
    pub document: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
    /// Where a reused file was given before: the earlier dossier's code, or the earlier file's
    /// id when it was never filed; none for a file uploaded for this draft.
    #[serde(default)]
    pub reused_from: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Pending,
    Paid,
    Failed,
    /// Left pending past the gateway's time limit and superseded by a newer payment; the
    /// gateway may still settle it.
    Expired,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Expired => "expired",
        }
    }
}

impl std::str::FromStr for PaymentStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "pending" => Ok(PaymentStatus::Pending),
            "paid" => Ok(PaymentStatus::Paid),
            "failed" => Ok(PaymentStatus::Failed),
            "expired" => Ok(PaymentStatus::Expired),
            _ => Err(()),
        }
    }
}

/// A fee payment through the gateway; `txn_ref` is the merchant's reference sent to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub txn_ref: String,
    pub dossier_code: String,
    /// VND.
    pub amount: i64,
    pub status: PaymentStatus,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub gateway_txn: Option<String>,
    pub bank_code: Option<String>,
    pub response_code: Option<String>,
}

/// The gateway's word on a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub status: PaymentStatus,
    pub at: DateTime<Utc>,
    pub gateway_txn: String,
    pub bank_code: String,
    pub response_code: String,
}

#[async_trait]
pub trait Portal: Send + Sync {
    /// Creates an account with its first verification code and the message carrying it, in
    /// one transaction. `Duplicate` when the e-mail or phone is taken.
    async fn create_citizen(
        &self,
        citizen: &Citizen,
        code: &OneTimeCode,
        message: &Message,
    ) -> Result<(), StoreError>;
    async fn citizen(&self, id: &CitizenId) -> Result<Option<Citizen>, StoreError>;
    /// The account whose e-mail or phone (E.164) is `login`.
    async fn citizen_by_login(&self, login: &str) -> Result<Option<Citizen>, StoreError>;
    /// Saves the account's profile, password, verification and lock-out state.
    async fn put_citizen(&self, citizen: &Citizen) -> Result<(), StoreError>;
    /// Replaces the account's code for the purpose and queues the message carrying it.
    async fn issue_code(&self, code: &OneTimeCode, message: &Message) -> Result<(), StoreError>;
    async fn one_time_code(
        &self,
        citizen_id: &CitizenId,
        purpose: CodePurpose,
    ) -> Result<Option<OneTimeCode>, StoreError>;
    async fn count_code_attempt(
        &self,
        citizen_id: &CitizenId,
        purpose: CodePurpose,
    ) -> Result<(), StoreError>;
    async fn delete_code(
        &self,
        citizen_id: &CitizenId,
        purpose: CodePurpose,
    ) -> Result<(), StoreError>;

    async fn create_session(&self, session: &CitizenSession) -> Result<(), StoreError>;
    /// A live (not revoked, not expired) session.
    async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<CitizenSession>, StoreError>;
    async fn touch_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// The citizen's live sessions, newest first.
    async fn citizen_sessions(
        &self,
        citizen_id: &CitizenId,
        now: DateTime<Utc>,
    ) -> Result<Vec<CitizenSession>, StoreError>;
    /// Revokes one of the citizen's sessions; false when there was no such live session.
    async fn revoke_session(
        &self,
        citizen_id: &CitizenId,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Revokes all the citizen's sessions but `keep`.
    async fn revoke_sessions(
        &self,
        citizen_id: &CitizenId,
        keep: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    async fn put_draft(&self, draft: &Draft) -> Result<(), StoreError>;
    /// Opens a new draft unless its citizen has `max_open` drafts not yet submitted (false
    /// then); checked and written together, so racing requests cannot exceed it.
    async fn create_draft(&self, draft: &Draft, max_open: i64) -> Result<bool, StoreError>;
    async fn draft(&self, id: &DraftId) -> Result<Option<Draft>, StoreError>;
    /// The citizen's drafts not yet submitted, latest first.
    async fn citizen_drafts(&self, citizen_id: &CitizenId) -> Result<Vec<Draft>, StoreError>;
    async fn delete_draft(&self, id: &DraftId) -> Result<(), StoreError>;
    /// Opens the dossier of a draft: stores it, marks the draft submitted and hands its
    /// attachments to the dossier, all in one transaction. A draft submitted already gives
    /// `Duplicate` with the dossier code.
    async fn submit_draft(
        &self,
        draft_id: &DraftId,
        new: &NewDossier,
    ) -> Result<DossierRecord, StoreError>;

    /// Stores an attachment within `quota`, checked and written together (racing uploads
    /// cannot exceed it): the files of its draft or dossier, and the bytes its citizen holds
    /// in drafts not yet submitted.
    async fn put_attachment(
        &self,
        attachment: &Attachment,
        quota: &AttachmentQuota,
    ) -> Result<QuotaCheck, StoreError>;
    async fn attachment(&self, id: &str) -> Result<Option<Attachment>, StoreError>;
    async fn draft_attachments(&self, draft_id: &DraftId) -> Result<Vec<Attachment>, StoreError>;
    async fn dossier_attachments(&self, code: &DossierCode) -> Result<Vec<Attachment>, StoreError>;
    /// Every file the citizen gave before, newest first (for reuse in a new dossier).
    async fn citizen_attachments(
        &self,
        citizen_id: &CitizenId,
    ) -> Result<Vec<Attachment>, StoreError>;
    async fn delete_attachment(&self, id: &str) -> Result<(), StoreError>;

    /// The dossiers a citizen filed, latest first.
    async fn owner_dossiers(&self, owner: &CitizenId) -> Result<Vec<DossierRecord>, StoreError>;

    /// Stores a new pending payment, the dossier's only one: pending payments of the dossier
    /// started before `stale_before` are expired first, and a newer one still pending gives
    /// `Duplicate` (also when another request starts one at the same moment).
    async fn put_payment(
        &self,
        payment: &Payment,
        stale_before: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    async fn payment(&self, txn_ref: &str) -> Result<Option<Payment>, StoreError>;
    async fn dossier_payments(&self, code: &DossierCode) -> Result<Vec<Payment>, StoreError>;
    /// Records the gateway's outcome once: true when this call moved the payment out of
    /// `pending` (or `expired`), false when it had been settled already (the gateway repeats
    /// itself).
    async fn settle_payment(&self, txn_ref: &str, s: &Settlement) -> Result<bool, StoreError>;
    /// Payments still pending that were started before `before`, oldest first.
    async fn pending_payments(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Payment>, StoreError>;

    /// Claims an `Idempotency-Key` of `scope` for a request hashing to `request_hash`: `New`
    /// when the key is free (or its record is older than `expired_before`, or it was claimed
    /// over a minute ago and never answered), else the record of the first request.
    async fn claim_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
        expired_before: DateTime<Utc>,
    ) -> Result<IdempotencyClaim, StoreError>;
    /// Records the answer to a claimed key.
    async fn finish_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        status: u16,
        response: &str,
    ) -> Result<(), StoreError>;
    /// Frees a claimed key whose request gave no answer worth repeating.
    async fn release_idempotency_key(&self, scope: &str, key: &str) -> Result<(), StoreError>;
    /// Deletes key records created before `before`.
    async fn prune_idempotency_keys(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
}

/// Limits an attachment is stored within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachmentQuota {
    /// Files of the draft (or dossier) the attachment joins, itself included.
    pub files: i64,
    /// Bytes of the files in its citizen's drafts not yet submitted, itself included.
    pub draft_bytes: i64,
}

/// Whether an attachment was stored, or which limit it would have exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaCheck {
    Stored,
    TooManyFiles,
    TooManyBytes,
}

/// What claiming an `Idempotency-Key` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key is this request's now.
    New,
    /// The key was used: the first request's hash and, once answered, its answer.
    Seen {
        request_hash: String,
        answer: Option<(u16, String)>,
    },
}

//! What the floor of a branch asks of storage: service groups and their counters, tickets
//! numbered per group and day, the waiting line, and claiming a ticket for a counter (once).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::queue::Priority;
use serde::{Deserialize, Serialize};

use crate::error::StoreError;

/// A service group of a branch (by field), with the counters that serve it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceGroup {
    pub branch: String,
    pub code: String,
    pub name: String,
    /// Letters before the ticket's number, e.g. `A` for `A007`.
    pub prefix: String,
    pub counters: Vec<i64>,
}

/// Where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    Waiting,
    /// Called to a counter and being served.
    Called,
    /// Served; the service ended.
    Done,
    /// Called and did not come.
    NoShow,
}

impl TicketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Waiting => "waiting",
            TicketStatus::Called => "called",
            TicketStatus::Done => "done",
            TicketStatus::NoShow => "no_show",
        }
    }

    pub fn parse(s: &str) -> Option<TicketStatus> {
        [
            TicketStatus::Waiting,
            TicketStatus::Called,
            TicketStatus::Done,
            TicketStatus::NoShow,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

/// A queue ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: i64,
    pub branch: String,
    pub group: String,
    pub day: NaiveDate,
    pub seq: i64,
    /// As shown: `A007`.
    pub number: String,
    pub priority: Option<Priority>,
    /// The booked slot, for a ticket taken by checking in an appointment.
    pub slot_at: Option<DateTime<Utc>>,
    pub status: TicketStatus,
    pub issued_at: DateTime<Utc>,
    pub called_at: Option<DateTime<Utc>>,
    pub counter: Option<i64>,
    pub officer: Option<String>,
    /// When the service ended (served or no-show).
    pub ended_at: Option<DateTime<Utc>>,
}

impl Ticket {
    /// What the domain's calling order needs of the ticket.
    pub fn waiting(&self) -> motcua_domain::queue::Waiting {
        motcua_domain::queue::Waiting {
            id: self.id,
            issued_at: self.issued_at,
            priority: self.priority,
            slot: self.slot_at,
        }
    }
}

/// A ticket called to a counter, as display boards show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketCall {
    /// Increases with every call: boards resume after the last one they showed.
    pub id: i64,
    pub branch: String,
    pub ticket_id: i64,
    pub number: String,
    pub group: String,
    pub counter: i64,
    pub at: DateTime<Utc>,
}

#[async_trait]
pub trait Queue: Send + Sync {
    async fn put_service_group(&self, group: &ServiceGroup) -> Result<(), StoreError>;
    async fn service_groups(&self, branch: &str) -> Result<Vec<ServiceGroup>, StoreError>;
    /// Issues the next ticket of `group` for `day` (local date), numbered with the group's
    /// prefix; `NotFound` when the branch has no such group.
    async fn issue_ticket(
        &self,
        branch: &str,
        group: &str,
        priority: Option<Priority>,
        slot_at: Option<DateTime<Utc>>,
        day: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Ticket, StoreError>;
    /// The tickets of `day` waiting in these groups of a branch, oldest first.
    async fn waiting_tickets(
        &self,
        branch: &str,
        groups: &[String],
        day: NaiveDate,
    ) -> Result<Vec<Ticket>, StoreError>;
    /// The ticket being served at `counter` of `branch` (called, not yet ended), if any.
    async fn serving(&self, branch: &str, counter: i64) -> Result<Option<Ticket>, StoreError>;
    /// Calls the ticket being served at the counter again (the boards show it again); false
    /// when the counter serves no such ticket.
    async fn recall(&self, id: i64, counter: i64, now: DateTime<Utc>) -> Result<bool, StoreError>;
    /// Ends the service of a ticket called to `counter`: `Done` or `NoShow`; false when the
    /// counter serves no such ticket.
    async fn end_service(
        &self,
        id: i64,
        counter: i64,
        outcome: TicketStatus,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Service times (seconds, call to end) of the tickets served in a group on `day`.
    async fn service_times(
        &self,
        branch: &str,
        group: &str,
        day: NaiveDate,
    ) -> Result<Vec<i64>, StoreError>;
    /// The id of the latest call (0 when none was made).
    async fn last_call_id(&self) -> Result<i64, StoreError>;
    /// Calls after call `after` (of one branch, or of all), oldest first, at most `limit`.
    async fn calls_since(
        &self,
        after: i64,
        branch: Option<&str>,
        limit: u32,
    ) -> Result<Vec<TicketCall>, StoreError>;
    /// Calls ticket `id` to `counter` if it still waits, recording the call for the boards;
    /// false when someone called it first.
    async fn claim_ticket(
        &self,
        id: i64,
        counter: i64,
        officer: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
}

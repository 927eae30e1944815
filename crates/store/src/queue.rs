//! What the floor of a branch asks of storage: service groups and their counters, tickets
//! numbered per group and day, the waiting line, and claiming a ticket for a counter (once).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::ids::{BranchCode, TicketId};
use motcua_domain::lifecycle::{RatingCriterion, Satisfaction};
use motcua_domain::queue::Priority;
use serde::{Deserialize, Serialize};

use crate::error::StoreError;

/// A service group of a branch (by field), with the counters that serve it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceGroup {
    pub branch: BranchCode,
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
    pub id: TicketId,
    pub branch: BranchCode,
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
    /// A ticket transferred to one counter waits for that counter only.
    pub target_counter: Option<i64>,
    /// The dossier received or returned during the service.
    pub dossier: Option<String>,
    /// How many times it was transferred.
    pub transfers: i64,
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

/// The line of one service group now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupLoad {
    pub branch: BranchCode,
    pub group: String,
    pub waiting: i64,
    pub serving: i64,
    /// Seconds from call to end of the latest served tickets, newest first.
    pub service_secs: Vec<i64>,
}

/// A ticket called to a counter, as display boards show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketCall {
    /// Increases with every call: boards resume after the last one they showed.
    pub id: i64,
    pub branch: BranchCode,
    pub ticket_id: TicketId,
    pub number: String,
    pub group: String,
    pub counter: i64,
    pub at: DateTime<Utc>,
}

/// Where an appointment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Booked,
    /// The applicant came and took the ticket.
    CheckedIn,
    Cancelled,
}

impl AppointmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::CheckedIn => "checked_in",
            AppointmentStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<AppointmentStatus> {
        [
            AppointmentStatus::Booked,
            AppointmentStatus::CheckedIn,
            AppointmentStatus::Cancelled,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// A booked visit to a service group of a branch at a slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    /// What the applicant types at the kiosk to check in.
    pub code: String,
    pub branch: BranchCode,
    pub group: String,
    pub slot_at: DateTime<Utc>,
    pub minutes: i64,
    pub name: String,
    pub phone: String,
    pub status: AppointmentStatus,
    pub created_at: DateTime<Utc>,
    pub ticket_id: Option<TicketId>,
}

/// A satisfaction rating, given at a counter's tablet for a ticket or online for a dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    /// Increases with every rating: live summaries follow the log by it (0 before storing).
    pub id: i64,
    pub ticket_id: Option<TicketId>,
    pub dossier: Option<String>,
    /// Local date of the rating.
    pub day: NaiveDate,
    pub branch: Option<BranchCode>,
    pub group: Option<String>,
    pub counter: Option<i64>,
    pub officer: Option<String>,
    pub agency: Option<String>,
    pub level: Satisfaction,
    /// Scores (0–2) of the Circular 01/2018 criteria the applicant answered.
    pub criteria: Vec<(RatingCriterion, u8)>,
    pub comment: Option<String>,
    /// Who submitted it: the tablet's account or the applicant.
    pub given_by: String,
    pub at: DateTime<Utc>,
}

/// Ratings counted by day, place and level: the rows a summary adds up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingCount {
    pub day: NaiveDate,
    pub branch: Option<BranchCode>,
    pub group: Option<String>,
    pub counter: Option<i64>,
    pub officer: Option<String>,
    pub agency: Option<String>,
    pub level: Satisfaction,
    pub count: u64,
    /// Per criterion: sum of scores and how many scored it.
    pub criteria: Vec<(RatingCriterion, u64, u64)>,
}

/// The tickets of one day, group, counter and officer added up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketCount {
    pub day: NaiveDate,
    pub branch: BranchCode,
    pub group: String,
    /// None for tickets never called.
    pub counter: Option<i64>,
    pub officer: Option<String>,
    pub issued: u64,
    pub waiting: u64,
    pub served: u64,
    pub no_shows: u64,
    /// Seconds from issue to (first) call, summed over the called tickets.
    pub wait_secs: i64,
    /// Seconds from call to end, summed over the served tickets.
    pub service_secs: i64,
}

#[async_trait]
pub trait Queue: Send + Sync {
    async fn put_service_group(&self, group: &ServiceGroup) -> Result<(), StoreError>;
    async fn service_groups(&self, branch: &BranchCode) -> Result<Vec<ServiceGroup>, StoreError>;
    /// Issues the next ticket of `group` for `day` (local date), numbered with the group's
    /// prefix; `NotFound` when the branch has no such group.
    async fn issue_ticket(
        &self,
        branch: &BranchCode,
        group: &str,
        priority: Option<Priority>,
        slot_at: Option<DateTime<Utc>>,
        day: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Ticket, StoreError>;
    /// The tickets of `day` waiting in these groups of a branch, oldest first. With
    /// `counter`, what that counter may call: tickets transferred to another counter are left
    /// out and tickets transferred to this one are added whatever their group.
    async fn waiting_tickets(
        &self,
        branch: &BranchCode,
        groups: &[String],
        counter: Option<i64>,
        day: NaiveDate,
    ) -> Result<Vec<Ticket>, StoreError>;
    async fn ticket(&self, id: TicketId) -> Result<Option<Ticket>, StoreError>;
    /// The latest ticket called to `counter` of `branch` (served, being served or not
    /// come), with whether it has been rated.
    async fn last_at_counter(
        &self,
        branch: &BranchCode,
        counter: i64,
    ) -> Result<Option<(Ticket, bool)>, StoreError>;
    /// The ticket `officer` serves now at any counter, if any.
    async fn serving_by(&self, officer: &str) -> Result<Option<Ticket>, StoreError>;
    /// Sends the ticket served at `counter` back to wait in `group` (or for `target`
    /// counter only), keeping its number and arrival; false when the counter serves no such
    /// ticket.
    async fn transfer_ticket(
        &self,
        id: TicketId,
        counter: i64,
        group: &str,
        target: Option<i64>,
    ) -> Result<bool, StoreError>;
    /// Records the dossier received or returned while serving the ticket.
    async fn link_ticket(&self, id: TicketId, dossier: &str) -> Result<bool, StoreError>;
    /// Waiting and being-served tickets of `day` per branch and group, and the service times
    /// (seconds) of the day's latest served tickets per group (at most 50 each).
    async fn day_load(&self, day: NaiveDate) -> Result<Vec<GroupLoad>, StoreError>;
    /// Books `a` if its slot has fewer than `capacity` bookings; false when it is full.
    async fn book_appointment(&self, a: &Appointment, capacity: i64) -> Result<bool, StoreError>;
    async fn appointment(&self, code: &str) -> Result<Option<Appointment>, StoreError>;
    /// Bookings per slot of a group between two instants.
    async fn slot_bookings(
        &self,
        branch: &BranchCode,
        group: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, i64)>, StoreError>;
    /// Cancels a booked appointment and frees its place; false when it was not booked.
    async fn cancel_appointment(&self, code: &str) -> Result<bool, StoreError>;
    /// Checks in a booked appointment: issues its ticket (placed by its slot) and marks it
    /// checked in, in one transaction; `NotFound` when no booked appointment has this code.
    async fn check_in(
        &self,
        code: &str,
        day: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Ticket, StoreError>;
    /// Stores a rating; `Duplicate` when its ticket or dossier was rated already.
    async fn add_rating(&self, r: &Rating) -> Result<Rating, StoreError>;
    /// Ratings after rating `after`, oldest first, at most `limit`.
    async fn ratings_since(&self, after: i64, limit: u32) -> Result<Vec<Rating>, StoreError>;
    async fn last_rating_id(&self) -> Result<i64, StoreError>;
    /// Ratings counted per day, place and level over local dates `from..=to`.
    async fn rating_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<RatingCount>, StoreError>;
    /// Tickets counted per day, branch, group, counter and officer over `from..=to`.
    async fn ticket_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        branch: Option<&str>,
    ) -> Result<Vec<TicketCount>, StoreError>;
    /// The ticket being served at `counter` of `branch` (called, not yet ended), if any.
    async fn serving(
        &self,
        branch: &BranchCode,
        counter: i64,
    ) -> Result<Option<Ticket>, StoreError>;
    /// Calls the ticket being served at the counter again (the boards show it again); false
    /// when the counter serves no such ticket.
    async fn recall(
        &self,
        id: TicketId,
        counter: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Ends the service of a ticket called to `counter`: `Done` or `NoShow`; false when the
    /// counter serves no such ticket.
    async fn end_service(
        &self,
        id: TicketId,
        counter: i64,
        outcome: TicketStatus,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
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
        id: TicketId,
        counter: i64,
        officer: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
}

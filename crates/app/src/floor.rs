//! The floor of a branch: tickets taken at the kiosk, the officer at a counter, each group's
//! line and expected wait, moving a ticket to another group or counter, linking it to the
//! dossier served, and appointments booked by slot and checked in. The API, the kiosk, the
//! counter console and the booking page all call these.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use motcua_domain::calendar::TZ;
use motcua_domain::ids::{BranchCode, CounterCode, Phone};
use motcua_domain::queue::{self, Priority, Waiting};
use motcua_store::{Appointment, AppointmentStatus, Branch, ServiceGroup, StoreError, Ticket};
use rand::RngExt;

use crate::App;
use crate::board::Loads;
use crate::counter::CounterRefusal;
use crate::error::{AppError, Kind};
use crate::principal::Principal;

/// Where a ticket or a check-in is asked from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin<'a> {
    /// A kiosk of the branch, registered by an administrator (an API key with the
    /// `floor:kiosk` scope, of an agency covering the branch's); its name.
    Kiosk(&'a str),
    /// Anyone on the web, by client address: no priority, a few tickets an hour, no check-in.
    Web(&'a str),
}

impl<'a> Origin<'a> {
    /// The origin of a request by `principal` from `client` at `branch`: a kiosk when the
    /// principal is a kiosk key covering the branch, else the web.
    pub fn of(principal: &'a Principal, branch: &Branch, client: &'a str) -> Origin<'a> {
        match principal {
            Principal::System(k)
                if k.scopes.contains(&motcua_store::Scope::Kiosk)
                    && k.agency.covers(&branch.agency) =>
            {
                Origin::Kiosk(&k.name)
            }
            _ => Origin::Web(client),
        }
    }
}

/// Tickets taken from one client on the web per branch and hour.
pub const WEB_TICKETS_PER_HOUR: u32 = 3;

/// Service time assumed before a group has any measured service.
pub const DEFAULT_SERVICE: Duration = Duration::minutes(10);

/// Branch `code`, or "not found".
pub async fn branch(state: &App, code: &str) -> Result<Branch, AppError> {
    crate::counter::branch(state, code)
        .await?
        .ok_or_else(|| AppError::new(Kind::NotFound, "not_found", "error-no-branch"))
}

/// Issues a ticket of the day in `group` and says how many are called before it and the
/// expected wait (for the API and the kiosk page alike). Priority is claimed only at a
/// registered kiosk, where an officer can see the person; the web gets a few tickets per
/// client and hour; no group issues more than a minute's worth of tickets in a minute.
pub async fn issue(
    state: &App,
    branch: &Branch,
    group: &ServiceGroup,
    priority: Option<Priority>,
    origin: Origin<'_>,
) -> Result<(Ticket, usize, Duration), AppError> {
    if let Origin::Web(client) = origin {
        if priority.is_some() {
            return Err(AppError::new(
                Kind::Forbidden,
                "priority_at_kiosk",
                "error-priority-at-kiosk",
            ));
        }
        state
            .limits
            .web_tickets
            .take(&format!("{}:{client}", branch.code))
            .map_err(too_many_tickets)?;
    }
    state
        .limits
        .group_tickets
        .take(&format!("{}:{}", branch.code, group.code))
        .map_err(too_many_tickets)?;
    let now = Utc::now();
    let day = now.with_timezone(&TZ).date_naive();
    let ticket = state
        .store
        .issue_ticket(&branch.code, &group.code, priority, None, day, now)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => no_such_group(),
            e => e.into(),
        })?;
    state.live.poke();
    let (ahead, wait) = place(state, &ticket, group, now).await?;
    Ok((ticket, ahead, wait))
}

/// How many are called before a waiting ticket at `now`, and its expected wait from the
/// group's service times of the day.
pub async fn place(
    state: &App,
    ticket: &Ticket,
    group: &ServiceGroup,
    now: DateTime<Utc>,
) -> Result<(usize, Duration), AppError> {
    let store = &state.store;
    let waiting = store
        .waiting_tickets(
            &ticket.branch,
            std::slice::from_ref(&group.code),
            None,
            ticket.day,
        )
        .await?;
    let line: Vec<Waiting> = waiting.iter().map(Ticket::waiting).collect();
    let ahead = line
        .iter()
        .find(|w| w.id == ticket.id)
        .map_or(0, |me| queue::ahead_of(&line, me, now));
    // The same service times as the board's estimate (the live snapshot, at most a second old).
    let loads = state.live.loads_now(&**store).await;
    let served = loads
        .of(&ticket.branch, &group.code)
        .map_or(&[][..], |l| &l.service_secs[..]);
    let wait = queue::expected_wait(ahead, group.counters.len(), served, DEFAULT_SERVICE);
    Ok((ahead, wait))
}

/// The officer acting at counter `code` (`{branch}-{number}`): a reception officer of the
/// branch's agency; the counter must exist ([`crate::counter::at_counter`]).
pub async fn counter_officer(
    state: &App,
    principal: &Principal,
    code: &str,
) -> Result<(String, Branch, i64), AppError> {
    let user = match principal {
        Principal::Staff(u) => u,
        Principal::Anonymous => return Err(AppError::unauthenticated()),
        _ => return Err(AppError::forbidden()),
    };
    let no_counter = || AppError::new(Kind::NotFound, "not_found", "error-no-counter");
    let code = CounterCode::parse(code).map_err(|_| no_counter())?;
    match crate::counter::at_counter(state, user, &code).await {
        Ok((branch, number)) => Ok((user.username.clone(), branch, number)),
        Err(CounterRefusal::Unknown) => Err(no_counter()),
        Err(CounterRefusal::NotHere) => Err(AppError::forbidden()),
        Err(CounterRefusal::Store(e)) => Err(AppError::from(e)),
    }
}

fn no_such_group() -> AppError {
    AppError::new(Kind::NotFound, "not_found", "error-no-group")
}

/// Nobody is being served at the counter.
pub fn nobody_served() -> AppError {
    AppError::new(Kind::Conflict, "nobody_served", "error-nobody-served")
}

/// Service group `code` of branch `branch`; 404 when it has none such.
pub async fn group(state: &App, branch: &BranchCode, code: &str) -> Result<ServiceGroup, AppError> {
    state
        .store
        .service_groups(branch)
        .await?
        .into_iter()
        .find(|g| g.code == code)
        .ok_or_else(no_such_group)
}

/// A service group's line now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GroupWait {
    pub group: String,
    pub name: String,
    pub waiting: i64,
    /// Tickets being served at the group's counters.
    pub serving: i64,
    /// What a ticket taken now should expect, from the day's service times.
    pub expected_wait_minutes: i64,
}

/// The lines of a branch's groups from a snapshot of the day's loads.
pub fn group_waits(branch: &BranchCode, groups: &[ServiceGroup], loads: &Loads) -> Vec<GroupWait> {
    groups
        .iter()
        .map(|g| {
            let load = loads.of(branch, &g.code);
            let waiting = load.map_or(0, |l| l.waiting);
            let served: &[i64] = load.map_or(&[], |l| &l.service_secs);
            let wait = queue::expected_wait(
                usize::try_from(waiting).unwrap_or(0),
                g.counters.len(),
                served,
                DEFAULT_SERVICE,
            );
            GroupWait {
                group: g.code.clone(),
                name: g.name.clone(),
                waiting,
                serving: load.map_or(0, |l| l.serving),
                expected_wait_minutes: wait.num_minutes(),
            }
        })
        .collect()
}

/// A branch's groups with their lines, now.
pub async fn waits_now(state: &App, branch: &BranchCode) -> Result<Vec<GroupWait>, AppError> {
    let groups = state.store.service_groups(branch).await?;
    let loads = state.live.loads_now(&*state.store).await;
    Ok(group_waits(branch, &groups, &loads))
}

fn no_such_target() -> AppError {
    AppError::new(Kind::Invalid, "invalid_target", "error-invalid-target")
}

/// Moves the ticket served at counter `number` to `group` and/or counter `to` (a code); the
/// ticket as it now waits, and its group.
pub async fn transfer_served(
    state: &App,
    branch: &Branch,
    number: i64,
    group: Option<String>,
    to: Option<String>,
) -> Result<(Ticket, ServiceGroup), AppError> {
    let store = &state.store;
    let ticket = store
        .serving(&branch.code, number)
        .await?
        .ok_or_else(nobody_served)?;
    let target = match to.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(code) => {
            let code = CounterCode::parse(code).map_err(|_| no_such_target())?;
            Some(
                branch
                    .counters
                    .iter()
                    .map(|c| c.number)
                    .find(|n| code.branch() == branch.code && *n == code.number())
                    .ok_or_else(no_such_target)?,
            )
        }
    };
    let groups = store.service_groups(&branch.code).await?;
    let group = match group.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(g) => groups
            .iter()
            .find(|x| x.code == g)
            .ok_or_else(no_such_target)?,
        // To a counter without a group: the counter's first group, else the ticket's own.
        None => target
            .and_then(|t| groups.iter().find(|g| g.counters.contains(&t)))
            .or_else(|| groups.iter().find(|g| g.code == ticket.group))
            .ok_or_else(no_such_target)?,
    };
    if target.is_none() && group.code == ticket.group {
        return Err(no_such_target());
    }
    if !store
        .transfer_ticket(ticket.id, number, &group.code, target)
        .await?
    {
        return Err(nobody_served());
    }
    state.live.poke();
    let moved = store.ticket(ticket.id).await?.ok_or_else(nobody_served)?;
    Ok((moved, group.clone()))
}

/// Links the ticket served at counter `number` to dossier `code`, which the officer must be
/// able to read.
pub async fn link_served(
    state: &App,
    principal: &Principal,
    branch: &Branch,
    number: i64,
    code: &str,
) -> Result<Ticket, AppError> {
    let ticket = state
        .store
        .serving(&branch.code, number)
        .await?
        .ok_or_else(nobody_served)?;
    let record = crate::dossiers::readable(state, principal, code.trim()).await?;
    state
        .store
        .link_ticket(ticket.id, &record.code.to_string())
        .await?;
    state
        .store
        .ticket(ticket.id)
        .await?
        .ok_or_else(nobody_served)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotView {
    pub at: DateTime<Utc>,
    /// Local time, `08:30`.
    pub time: String,
    pub free: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaySlots {
    pub day: NaiveDate,
    pub slots: Vec<SlotView>,
}

/// The bookable slots of a group (working days only, from now on).
pub async fn day_slots(
    state: &App,
    branch: &BranchCode,
    group: &ServiceGroup,
    from: NaiveDate,
    days: u32,
) -> Result<Vec<DaySlots>, AppError> {
    let policy = state.floor;
    let cal = state.calendar();
    let now = Utc::now();
    let today = now.with_timezone(&TZ).date_naive();
    let last = today + Duration::days(i64::from(policy.booking_days));
    let capacity = capacity(state, group);
    let mut out = Vec::new();
    let mut day = from.max(today);
    for _ in 0..days {
        if day > last {
            break;
        }
        let slots = queue::slots(&cal, day, policy.slot_minutes);
        if let (Some(first), Some(end)) = (slots.first(), slots.last()) {
            let booked = state
                .store
                .slot_bookings(branch, &group.code, *first, *end + Duration::seconds(1))
                .await?;
            let views: Vec<SlotView> = slots
                .iter()
                .filter(|s| **s > now)
                .map(|s| SlotView {
                    at: *s,
                    time: s.with_timezone(&TZ).format("%H:%M").to_string(),
                    free: capacity - booked.iter().find(|(at, _)| at == s).map_or(0, |(_, n)| *n),
                })
                .collect();
            if !views.is_empty() {
                out.push(DaySlots { day, slots: views });
            }
        }
        day = day.succ_opt().unwrap_or(day);
    }
    Ok(out)
}

fn capacity(state: &App, group: &ServiceGroup) -> i64 {
    i64::from(state.floor.per_counter) * group.counters.len().max(1) as i64
}

fn too_many_tickets(wait: std::time::Duration) -> AppError {
    let mut e = AppError::new(Kind::TooMany, "too_many_tickets", "error-too-many-tickets");
    e.retry_after = Some(wait.as_secs().max(1));
    e
}

/// Books a slot: checks the name, the phone and that the slot is one of the group's free
/// slots; at most a few bookings per phone number and hour, per client and hour, and per
/// client and slot, so that nobody fills the calendar by changing numbers.
#[allow(clippy::too_many_arguments)]
pub async fn book(
    state: &App,
    branch: &Branch,
    group: &ServiceGroup,
    slot: DateTime<Utc>,
    name: &str,
    phone: &str,
    client: &str,
) -> Result<Appointment, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::new(
            Kind::Invalid,
            "invalid_name",
            "error-invalid-booking-name",
        ));
    }
    let phone = Phone::parse(phone).map_err(|e| AppError::localised(Kind::Invalid, e))?;
    let key = format!("{}:{}", branch.code, phone.as_str());
    let by_client = format!("{}:{client}", branch.code);
    let in_slot = format!(
        "{}:{}:{}:{client}",
        branch.code,
        group.code,
        slot.timestamp()
    );
    // Every attempt counts (a full slot too), so nobody probes the calendar at will.
    let limits = &state.limits;
    let allowed = limits.bookings_per_client.take(&by_client).is_ok()
        && limits.bookings_per_slot.take(&in_slot).is_ok()
        && limits.bookings.take(&key).is_ok();
    if !allowed {
        return Err(AppError::new(
            Kind::TooMany,
            "too_many_bookings",
            "error-too-many-bookings",
        ));
    }
    let cal = state.calendar();
    let day = slot.with_timezone(&TZ).date_naive();
    let today = Utc::now().with_timezone(&TZ).date_naive();
    let bookable = slot > Utc::now()
        && day <= today + Duration::days(i64::from(state.floor.booking_days))
        && queue::slots(&cal, day, state.floor.slot_minutes).contains(&slot);
    if !bookable {
        return Err(AppError::new(
            Kind::Invalid,
            "invalid_slot",
            "error-invalid-slot",
        ));
    }
    let appointment = Appointment {
        code: appointment_code(),
        branch: branch.code.clone(),
        group: group.code.clone(),
        slot_at: slot,
        minutes: i64::from(state.floor.slot_minutes),
        name: name.to_string(),
        phone: phone.as_str().to_string(),
        status: AppointmentStatus::Booked,
        created_at: Utc::now(),
        ticket_id: None,
    };
    if !state
        .store
        .book_appointment(&appointment, capacity(state, group))
        .await?
    {
        return Err(AppError::new(
            Kind::Conflict,
            "slot_full",
            "error-slot-full",
        ));
    }
    tracing::info!(code = %appointment.code, branch = %branch.code, group = %group.code, "appointment booked");
    Ok(appointment)
}

/// Eight digits, easy to type on the kiosk's keypad; random, so codes cannot be guessed in
/// order.
fn appointment_code() -> String {
    format!("{:08}", rand::rng().random_range(0..100_000_000u32))
}

/// Checks in appointment `code` at branch `branch`, at a registered kiosk only: its ticket,
/// placed by its slot, with its group, the people ahead and the expected wait. Wrong codes
/// slow the kiosk down, so codes cannot be tried in bulk.
pub async fn check_in(
    state: &App,
    branch: &Branch,
    code: &str,
    origin: Origin<'_>,
) -> Result<(Ticket, ServiceGroup, usize, Duration), AppError> {
    let Origin::Kiosk(kiosk) = origin else {
        return Err(AppError::new(
            Kind::Forbidden,
            "kiosk_only",
            "error-check-in-at-kiosk",
        ));
    };
    let missing = || AppError::new(Kind::NotFound, "not_found", "error-no-appointment-here");
    let target = branch.code.to_string();
    let guard = &state.limits.check_in;
    guard
        .attempt(&target, kiosk)
        .map_err(AppError::too_many_attempts)?;
    let store = &state.store;
    let Some(a) = store
        .appointment(code.trim())
        .await?
        .filter(|a| a.branch == branch.code && a.status == AppointmentStatus::Booked)
    else {
        return Err(missing());
    };
    // A code that names a booked appointment here was no guess.
    guard.succeed(&target, kiosk);
    let now = Utc::now();
    queue::check_in(
        a.slot_at,
        u32::try_from(a.minutes).unwrap_or(0),
        Duration::minutes(i64::from(state.floor.check_in_early_minutes)),
        now,
    )
    .map_err(|e| AppError::localised(Kind::Conflict, e))?;
    let day = now.with_timezone(&TZ).date_naive();
    let ticket = match store.check_in(&a.code, day, now).await {
        Ok(t) => t,
        Err(StoreError::NotFound) => return Err(missing()),
        Err(e) => return Err(AppError::from(e)),
    };
    state.live.poke();
    let group = group(state, &branch.code, &ticket.group).await?;
    let (ahead, wait) = place(state, &ticket, &group, now).await?;
    Ok((ticket, group, ahead, wait))
}

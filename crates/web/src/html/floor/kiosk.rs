//! The floor of a branch in the browser: the ticket kiosk (large touch targets, a printable
//! 80 mm ticket) and the display board (live calls by server-sent events, with a chime).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::Utc;
use motcua_domain::ids::CounterCode;
use motcua_domain::queue::Priority;
use motcua_store::{Branch, ServiceGroup};

use super::device::device;
use crate::html::forms::{Fields, Visitor, forged, get, with_cookie};
use crate::html::local;
use crate::html::{Chrome, render};
use crate::request::Client;
use motcua_app::App;
use motcua_app::counter::CounterRefusal;
use motcua_app::floor::{GroupWait, Origin, group_waits};

/// The board may run its script and open its event stream on this server, nothing else.
const BOARD_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

pub(super) async fn branch_and_groups(
    state: &App,
    code: &str,
) -> Option<(Branch, Vec<ServiceGroup>)> {
    let b = motcua_app::counter::branch(state, code).await.ok()??;
    let groups = state.store.service_groups(&b.code).await.ok()?;
    Some((b, groups))
}

/// A public floor form (kiosk, check-in, booking): its form token checked, then its branch
/// and groups; otherwise the page to answer.
pub(super) async fn branch_form(
    state: &App,
    c: &Chrome,
    v: &Visitor,
    code: &str,
    f: &std::collections::BTreeMap<String, String>,
) -> Result<(Branch, Vec<ServiceGroup>), Box<Response>> {
    if !v.form_ok(get(f, "csrf")) {
        return Err(Box::new(forged(c)));
    }
    branch_and_groups(state, code)
        .await
        .ok_or_else(|| Box::new(missing(c)))
}

pub(super) fn missing(c: &Chrome) -> Response {
    crate::html::error_page(
        StatusCode::NOT_FOUND,
        c,
        "branch-not-found",
        c.tr.t("not-found-lead"),
    )
}

#[derive(Template)]
#[template(path = "kiosk.html")]
struct KioskPage<'a> {
    c: &'a Chrome,
    csrf: String,
    branch: Branch,
    groups: Vec<GroupWait>,
    priorities: Vec<(&'static str, String)>,
    /// A refused check-in: the code typed and why.
    check_in: Option<(String, String)>,
    /// This browser is a registered kiosk of the branch (priority and check-in offered).
    kiosk: bool,
    /// A refused device registration: why.
    register_error: Option<String>,
}

pub(crate) async fn kiosk(
    State(state): State<App>,
    c: Chrome,
    mut v: Visitor,
    headers: HeaderMap,
    Client(client): Client,
    Path(code): Path<String>,
) -> Response {
    let c = c.with_nav("branches");
    let Some((branch, groups)) = branch_and_groups(&state, &code).await else {
        return missing(&c);
    };
    let device = device(&state, &headers).await;
    let kiosk = matches!(Origin::of(&device, &branch, &client), Origin::Kiosk(_));
    let (csrf, cookie) = v.csrf();
    let form = KioskForm {
        csrf,
        kiosk,
        ..KioskForm::default()
    };
    with_cookie(kiosk_page(&state, &c, branch, &groups, form).await, cookie)
}

/// What the kiosk page shows besides the branch: the form token, whether this browser is a
/// registered kiosk, and a refusal to explain.
#[derive(Default)]
pub(super) struct KioskForm {
    pub(super) csrf: String,
    pub(super) kiosk: bool,
    pub(super) check_in: Option<(String, String)>,
    pub(super) register_error: Option<String>,
}

pub(super) async fn kiosk_page(
    state: &App,
    c: &Chrome,
    branch: Branch,
    groups: &[ServiceGroup],
    form: KioskForm,
) -> Response {
    let loads = state.live.loads_now(&*state.store).await;
    let status = if form.check_in.is_some() || form.register_error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let page = KioskPage {
        c,
        csrf: form.csrf,
        groups: group_waits(&branch.code, groups, &loads),
        branch,
        priorities: Priority::ALL
            .into_iter()
            .map(|p| (p.as_str(), p.label(c.lang)))
            .collect(),
        check_in: form.check_in,
        kiosk: form.kiosk,
        register_error: form.register_error,
    };
    render(status, c, &page)
}

/// The kiosk's check-in of an appointment by its code: the ticket, or the kiosk again with
/// the reason.
pub(crate) async fn check_in(
    State(state): State<App>,
    c: Chrome,
    mut v: Visitor,
    headers: HeaderMap,
    Client(client): Client,
    Path(code): Path<String>,
    axum::Form(f): Fields,
) -> Response {
    let c = c.with_nav("branches");
    let (branch, groups) = match branch_form(&state, &c, &v, &code, &f).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let typed = get(&f, "code").trim().to_string();
    let device = device(&state, &headers).await;
    let origin = Origin::of(&device, &branch, &client);
    let kiosk = matches!(origin, Origin::Kiosk(_));
    match motcua_app::floor::check_in(&state, &branch, &typed, origin).await {
        Ok((ticket, group, ahead, wait)) => {
            let page = TicketPage {
                c: &c,
                branch,
                number: ticket.number,
                group: group.name,
                priority: None,
                slot: ticket.slot_at.map(local),
                issued: local(ticket.issued_at),
                ahead,
                wait_minutes: wait.num_minutes(),
            };
            render(StatusCode::CREATED, &c, &page)
        }
        Err(e) => {
            let (csrf, cookie) = v.csrf();
            let form = KioskForm {
                csrf,
                kiosk,
                check_in: Some((typed, c.tr.error(&e))),
                register_error: None,
            };
            with_cookie(kiosk_page(&state, &c, branch, &groups, form).await, cookie)
        }
    }
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPage<'a> {
    c: &'a Chrome,
    branch: Branch,
    number: String,
    group: String,
    priority: Option<String>,
    /// A checked-in appointment's slot.
    slot: Option<String>,
    issued: String,
    ahead: usize,
    wait_minutes: i64,
}

pub(crate) async fn take(
    State(state): State<App>,
    c: Chrome,
    v: Visitor,
    headers: HeaderMap,
    Client(client): Client,
    Path(code): Path<String>,
    axum::Form(f): Fields,
) -> Response {
    let c = c.with_nav("branches");
    let (branch, groups) = match branch_form(&state, &c, &v, &code, &f).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let Some(group) = groups.into_iter().find(|g| g.code == get(&f, "group")) else {
        return missing(&c);
    };
    let priority = Priority::parse(get(&f, "priority"));
    let device = device(&state, &headers).await;
    let origin = Origin::of(&device, &branch, &client);
    let (ticket, ahead, wait) =
        match motcua_app::floor::issue(&state, &branch, &group, priority, origin).await {
            Ok(x) => x,
            Err(e) => return crate::html::failure_page(&c, &e),
        };
    let page = TicketPage {
        c: &c,
        branch,
        number: ticket.number,
        group: group.name,
        priority: priority.map(|p| p.label(c.lang)),
        slot: None,
        issued: local(ticket.issued_at),
        ahead,
        wait_minutes: wait.num_minutes(),
    };
    render(StatusCode::CREATED, &c, &page)
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage<'a> {
    c: &'a Chrome,
    branch: Branch,
    after: i64,
    /// The latest calls: number and counter, by its name.
    calls: Vec<(String, String)>,
    waiting: Vec<GroupWait>,
    /// The counters' names by number, as JSON, for calls that arrive live.
    counters: String,
    /// The time the page was drawn, local: ISO and `HH:MM` (the script keeps it running).
    clock: (String, String),
}

/// A counter of the branch by its name ("Quầy 1"), as people read it.
fn counter_name(c: &Chrome, branch: &Branch, number: i64) -> String {
    branch
        .counters
        .iter()
        .find(|k| k.number == number)
        .map_or_else(
            || format!("{} {number}", c.tr.t("board-counter")),
            |k| k.label.clone(),
        )
}

pub(crate) async fn board(
    State(state): State<App>,
    c: Chrome,
    Path(code): Path<String>,
) -> Response {
    let c = c.with_nav("branches");
    let Some((branch, groups)) = branch_and_groups(&state, &code).await else {
        return missing(&c);
    };
    let store = &state.store;
    let last = store.last_call_id().await.unwrap_or(0);
    let recent = store
        .calls_since((last - 500).max(0), Some(&branch.code), 1000)
        .await
        .unwrap_or_default();
    let calls = recent
        .iter()
        .rev()
        .take(8)
        .map(|call| (call.number.clone(), counter_name(&c, &branch, call.counter)))
        .collect();
    let counters: serde_json::Map<String, serde_json::Value> = branch
        .counters
        .iter()
        .map(|k| {
            (
                k.number.to_string(),
                counter_name(&c, &branch, k.number).into(),
            )
        })
        .collect();
    let now = Utc::now().with_timezone(&motcua_domain::calendar::TZ);
    let clock = (now.to_rfc3339(), now.format("%H:%M").to_string());
    let loads = state.live.loads_now(&**store).await;
    let page = BoardPage {
        c: &c,
        after: last,
        calls,
        waiting: group_waits(&branch.code, &groups, &loads),
        branch,
        counters: serde_json::Value::Object(counters).to_string(),
        clock,
    };
    live_page(render(StatusCode::OK, &c, &page))
}

/// A page that runs its script and opens its event stream on this server (the board, the
/// tablet, the live summary).
pub(crate) fn live_page(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(BOARD_CSP),
    );
    response
}

#[derive(Template)]
#[template(path = "counter.html")]
struct CounterPage<'a> {
    c: &'a Chrome,
    csrf: String,
    code: String,
    branch: Branch,
    /// Number, called at, linked dossier.
    serving: Option<(String, String, Option<String>)>,
    notice: Option<String>,
    /// A refused transfer or link.
    problem: Option<String>,
    buttons: Vec<(&'static str, String, bool)>,
    groups: Vec<ServiceGroup>,
    counters: Vec<String>,
}

/// The counter console: the ticket being served and the buttons to call the next, call again,
/// and end the service (served or no-show). Reception officers of the branch's agency only.
pub(crate) async fn counter(
    State(state): State<App>,
    c: Chrome,
    officer: crate::html::staff::office::Officer,
    Path(code): Path<String>,
    axum::extract::Query(q): axum::extract::Query<std::collections::BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("staff");
    let here = format!("/staff/counters/{code}");
    let notice = match q.get("done").map(String::as_str) {
        Some("none") => Some(c.tr.t("counter-nobody")),
        Some(_) => Some(c.tr.t("staff-action-done")),
        None => None,
    };
    counter_page(&state, &c, &officer, &here, &code, notice, None).await
}

async fn counter_page(
    state: &App,
    c: &Chrome,
    officer: &crate::html::staff::office::Officer,
    here: &str,
    code: &str,
    notice: Option<String>,
    problem: Option<String>,
) -> Response {
    let (branch, number) = match at_counter(state, c, officer, here, code).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let serving = state
        .store
        .serving(&branch.code, number)
        .await
        .ok()
        .flatten()
        .map(|t| {
            (
                t.number,
                t.called_at.map(local).unwrap_or_default(),
                t.dossier,
            )
        });
    let groups = state
        .store
        .service_groups(&branch.code)
        .await
        .unwrap_or_default();
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = CounterPage {
        c,
        csrf: officer.csrf(),
        code: code.to_string(),
        counters: branch
            .counters
            .iter()
            .filter(|k| k.number != number)
            .map(|k| CounterCode::new(&branch.code, k.number).to_string())
            .collect(),
        branch,
        serving,
        notice,
        problem,
        groups,
        buttons: [
            ("next", "counter-next"),
            ("recall", "counter-recall"),
            ("done", "counter-done"),
            ("no_show", "counter-no-show"),
        ]
        .into_iter()
        .map(|(k, label)| (k, c.tr.t(label), k == "next"))
        .collect(),
    };
    render(status, c, &page)
}

/// The branch and counter number of counter `code`, when the signed-in officer may work there.
pub(super) async fn at_counter(
    state: &App,
    c: &Chrome,
    officer: &crate::html::staff::office::Officer,
    here: &str,
    code: &str,
) -> Result<(Branch, i64), Box<Response>> {
    let user = officer.user(here)?;
    let Ok(code) = CounterCode::parse(code) else {
        return Err(Box::new(missing(c)));
    };
    match motcua_app::counter::at_counter(state, user, &code).await {
        Ok(found) => Ok(found),
        Err(CounterRefusal::Unknown) => Err(Box::new(missing(c))),
        Err(CounterRefusal::NotHere) => Err(Box::new(crate::html::error_page(
            StatusCode::FORBIDDEN,
            c,
            "admin-forbidden-title",
            c.tr.t("counter-forbidden"),
        ))),
        Err(CounterRefusal::Store(e)) => {
            Err(Box::new(crate::html::public::catalog::store_failure(c, e)))
        }
    }
}

/// A counter's form (console or tablet): the officer, checked against the form token, and the
/// branch and counter number where they may work.
pub(super) async fn counter_form(
    state: &App,
    c: &Chrome,
    officer: &crate::html::staff::office::Officer,
    here: &str,
    code: &str,
    f: &std::collections::BTreeMap<String, String>,
) -> Result<(motcua_store::User, Branch, i64), Box<Response>> {
    let me = officer.form(c, here, get(f, "csrf"))?.clone();
    let (branch, number) = at_counter(state, c, officer, here, code).await?;
    Ok((me, branch, number))
}

/// One of the console's buttons: `next`, `recall`, `done` or `no_show`; or its forms:
/// `transfer` (to a group and/or counter) and `link` (to a dossier).
pub(crate) async fn counter_act(
    State(state): State<App>,
    c: Chrome,
    officer: crate::html::staff::office::Officer,
    Path(code): Path<String>,
    axum::Form(f): Fields,
) -> Response {
    let c = c.with_nav("staff");
    let here = format!("/staff/counters/{code}");
    let (me, branch, number) = match counter_form(&state, &c, &officer, &here, &code, &f).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let store = &state.store;
    let now = Utc::now();
    let moved = match get(&f, "do") {
        "transfer" => Some(
            motcua_app::floor::transfer_served(
                &state,
                &branch,
                number,
                Some(get(&f, "group").to_string()),
                Some(get(&f, "to").to_string()),
            )
            .await
            .map(|_| ()),
        ),
        "link" => {
            let principal = motcua_app::principal::Principal::Staff(me.clone());
            Some(
                motcua_app::floor::link_served(
                    &state,
                    &principal,
                    &branch,
                    number,
                    get(&f, "dossier"),
                )
                .await
                .map(|_| ()),
            )
        }
        _ => None,
    };
    match moved {
        Some(Ok(_)) => return crate::html::forms::see_other(&format!("{here}?done=1")),
        Some(Err(e)) => {
            let problem = c.tr.error(&e);
            return counter_page(&state, &c, &officer, &here, &code, None, Some(problem)).await;
        }
        None => {}
    }
    let serving = store.serving(&branch.code, number).await.ok().flatten();
    let done = match (get(&f, "do"), serving) {
        ("next", _) => {
            motcua_store::ops::call_next(&**store, &branch.code, number, &me.username, now)
                .await
                .map(|t| t.is_some())
        }
        ("recall", Some(t)) => store.recall(t.id, number, now).await,
        ("done", Some(t)) => {
            store
                .end_service(t.id, number, motcua_store::TicketStatus::Done, now)
                .await
        }
        ("no_show", Some(t)) => {
            store
                .end_service(t.id, number, motcua_store::TicketStatus::NoShow, now)
                .await
        }
        _ => Ok(false),
    };
    match done {
        Ok(true) => {
            state.live.poke();
            crate::html::forms::see_other(&format!("{here}?done=1"))
        }
        Ok(false) => crate::html::forms::see_other(&format!("{here}?done=none")),
        Err(e) => crate::html::public::catalog::store_failure(&c, e),
    }
}

//! A year of plausible history, generated from a fixed seed through the real state machine:
//! each dossier's events are decided by the lifecycle exactly as live requests would be, so
//! deadlines, timeliness, the hash chain and the daily counters are all consistent. Shares
//! follow Quảng Ninh's published figures roughly (most dossiers online, about three in four
//! resolved early, a few late with an apology). Online filings pay the online fee (mostly
//! through the gateway) and about half of their applicants rate the service.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use motcua_domain::calendar::{ProcessingTime, TZ, WorkingCalendar};
use motcua_domain::ids::{AgencyCode, Cccd, CitizenId, Phone};
use motcua_domain::lifecycle::{
    Applicant, Channel, Command, Component, Dossier, Event, Intake, Lifecycle, ReturnChannel,
    Satisfaction, WatchPolicy, apply,
};
use motcua_domain::role::{Actor, Role};
use motcua_store::{NewDossier, Procedure, Store};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::Login;
use super::seed::Commune;

const SEED: u64 = 766;
const BATCH: usize = 2000;

/// The people (real demo users where there are some, named stand-ins elsewhere) whom the
/// history shows at work.
#[derive(Clone)]
pub(crate) struct Cast {
    reception: HashMap<&'static str, Actor>,
    portal: Actor,
    staff: HashMap<AgencyCode, (Actor, Actor)>,
    communes: Vec<AgencyCode>,
    hong_gai: AgencyCode,
    van_don: AgencyCode,
}

impl Cast {
    pub(crate) fn new(
        logins: &[Login],
        centre: AgencyCode,
        communes: &[Commune],
        hong_gai: AgencyCode,
        van_don: AgencyCode,
    ) -> Self {
        let actor = |l: &Login| {
            let role = l.role.parse().unwrap_or(Role::Specialist);
            Actor::new(
                l.username.clone(),
                role,
                l.agency_code.as_deref().and_then(|a| a.parse().ok()),
            )
        };
        let mut reception = HashMap::new();
        let mut specialists = HashMap::new();
        let mut approvers = HashMap::new();
        for l in logins {
            let a = actor(l);
            match (a.role, a.agency) {
                (Role::Reception, _) => {
                    let branch = match l.username.as_str() {
                        "tiepnhan.honggai" => "QN-HONGGAI",
                        "tiepnhan.vandon" => "QN-VANDON",
                        _ => "QN-HQ",
                    };
                    reception.insert(branch, a);
                }
                (Role::Specialist, Some(ag)) => {
                    specialists.insert(ag, a);
                }
                (Role::Approver, Some(ag)) => {
                    approvers.insert(ag, a);
                }
                _ => {}
            }
        }
        let staff = specialists
            .into_iter()
            .filter_map(|(ag, s)| approvers.remove(&ag).map(|a| (ag, (s, a))))
            .collect();
        Cast {
            reception,
            portal: Actor::new(
                "api:cong-dich-vu-cong-quoc-gia",
                Role::AgencySystem,
                Some(centre),
            ),
            staff,
            communes: communes.iter().map(|c| c.agency).collect(),
            hong_gai,
            van_don,
        }
    }

    fn staff(&self, agency: AgencyCode) -> (Actor, Actor) {
        self.staff.get(&agency).cloned().unwrap_or_else(|| {
            let tag = agency.to_string().replace('.', "");
            (
                Actor::new(format!("chuyenvien.{tag}"), Role::Specialist, Some(agency)),
                Actor::new(format!("lanhdao.{tag}"), Role::Approver, Some(agency)),
            )
        })
    }

    fn reception(&self, branch: &str) -> Actor {
        self.reception
            .get(branch)
            .or_else(|| self.reception.get("QN-HQ"))
            .cloned()
            .unwrap_or_else(|| self.portal.clone())
    }
}

/// One dossier's history being written.
struct Sim<'a> {
    lc: &'a Lifecycle<'a>,
    events: Vec<Event>,
    state: Option<Dossier>,
    now: DateTime<Utc>,
}

impl Sim<'_> {
    fn last(&self) -> Option<DateTime<Utc>> {
        self.events.last().map(|e| e.at)
    }

    /// Decides and applies a command at `at` (never before the last event); `None` when the
    /// moment is still in the future or the lifecycle refuses.
    fn act(&mut self, command: Command, actor: &Actor, at: DateTime<Utc>) -> Option<()> {
        let at = self.last().map_or(at, |l| at.max(l));
        if at > self.now {
            return None;
        }
        let events = self
            .lc
            .decide(self.state.as_ref(), &command, actor, at)
            .ok()?;
        for e in events {
            self.state = Some(apply(self.state.take(), &e, self.events.len()).ok()?);
            self.events.push(e);
        }
        Some(())
    }

    fn state(&self) -> Option<&Dossier> {
        self.state.as_ref()
    }
}

const FAMILY: [&str; 14] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
    "Phan",
];
const MIDDLE_M: [&str; 6] = ["Văn", "Đức", "Minh", "Hữu", "Quang", "Thành"];
const MIDDLE_F: [&str; 6] = ["Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng"];
const GIVEN_M: [&str; 12] = [
    "An", "Bình", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Quân", "Sơn", "Tuấn", "Việt",
];
const GIVEN_F: [&str; 12] = [
    "Anh", "Châu", "Giang", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Phương", "Thảo", "Yến",
];
const MOBILE_PREFIXES: [&str; 20] = [
    "032", "033", "034", "035", "036", "037", "038", "039", "070", "076", "077", "078", "079",
    "081", "083", "086", "088", "090", "091", "096",
];

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn applicant(rng: &mut ChaCha8Rng) -> Applicant {
    let female = rng.random_bool(0.5);
    let name = if female {
        format!(
            "{} {} {}",
            pick(rng, &FAMILY),
            pick(rng, &MIDDLE_F),
            pick(rng, &GIVEN_F)
        )
    } else {
        format!(
            "{} {} {}",
            pick(rng, &FAMILY),
            pick(rng, &MIDDLE_M),
            pick(rng, &GIVEN_M)
        )
    };
    let year: i32 = rng.random_range(1950..2006);
    let century_digit = if year >= 2000 { 2 } else { 0 } + u8::from(female);
    let province = if rng.random_bool(0.8) {
        "022"
    } else {
        *pick(rng, &["001", "024", "031", "030", "079"])
    };
    let cccd = format!(
        "{province}{century_digit}{:02}{:06}",
        year % 100,
        rng.random_range(0..1_000_000)
    );
    let phone = format!(
        "{}{:07}",
        pick(rng, &MOBILE_PREFIXES),
        rng.random_range(0..10_000_000)
    );
    Applicant {
        name,
        cccd: Cccd::parse(&cccd).ok(),
        phone: Phone::parse(&phone).ok(),
        email: None,
        tax_code: None,
        lang: Default::default(),
    }
}

/// A moment inside office hours on or after `t` (for walk-ins).
fn office_moment(cal: &WorkingCalendar, t: DateTime<Utc>, rng: &mut ChaCha8Rng) -> DateTime<Utc> {
    let start = cal.clock_start(t);
    cal.add_working_time(start, Duration::minutes(rng.random_range(0..300)))
}

fn after(
    cal: &WorkingCalendar,
    t: DateTime<Utc>,
    minutes: std::ops::Range<i64>,
    rng: &mut ChaCha8Rng,
) -> DateTime<Utc> {
    cal.add_working_time(
        cal.clock_start(t).max(t),
        Duration::minutes(rng.random_range(minutes)),
    )
}

/// Generates and stores `count` dossiers filed over the year before `now`. The histories are
/// decided on a thread of their own while the previous batch is written.
pub(crate) async fn generate(
    store: &dyn Store,
    calendar: &WorkingCalendar,
    policy: &crate::settings::Policy,
    procedures: &[Procedure],
    cast: &Cast,
    history: super::HistoryArgs,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let (timeliness, watch) = (policy.timeliness(), policy.watch());
    let count = history.dossiers;
    let open = history.open.min(count) as f64 / count.max(1) as f64;
    let province_local: Vec<Procedure> = procedures
        .iter()
        .filter(|p| p.rules().is_some() && p.agency.locality() == "H22")
        .cloned()
        .collect();
    if province_local.is_empty() || count == 0 {
        return Ok(0);
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<NewDossier>>(2);
    let (calendar, cast) = (calendar.clone(), cast.clone());
    let producer = tokio::task::spawn_blocking(move || {
        let lc = Lifecycle {
            calendar: &calendar,
            timeliness,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(SEED);
        let today = now.with_timezone(&TZ).date_naive();
        // A few more moments than needed: a dossier whose filing time falls after `now` (a
        // walk-in moved to the next opening) is skipped.
        let mut moments: Vec<DateTime<Utc>> = (0..count + count / 20 + 10)
            .map(|_| {
                let day = today - Duration::days(rng.random_range(1..=365));
                let time =
                    NaiveTime::from_num_seconds_from_midnight_opt(rng.random_range(0..86_400), 0)
                        .unwrap_or(NaiveTime::MIN);
                TZ.from_local_datetime(&day.and_time(time))
                    .earliest()
                    .map_or(now, |t| t.with_timezone(&Utc))
            })
            .collect();
        moments.sort();
        let mut batch = Vec::with_capacity(BATCH);
        let mut made = 0;
        for at in moments {
            if made == count {
                break;
            }
            let p = pick(&mut rng, &province_local);
            let leave_open = rng.random_bool(open);
            let open = leave_open.then_some(&watch);
            if let Some(new) = simulate(&lc, &cast, p, at, now, open, &mut rng) {
                batch.push(new);
                made += 1;
            }
            if batch.len() == BATCH && tx.blocking_send(std::mem::take(&mut batch)).is_err() {
                return;
            }
        }
        if !batch.is_empty() {
            let _ = tx.blocking_send(batch);
        }
    });
    store.bulk_load(true).await?;
    let mut made = 0;
    while let Some(batch) = rx.recv().await {
        made += store.import_dossiers(&batch).await?.len();
        if made % 100_000 < BATCH {
            tracing::info!(dossiers = made, "history generated");
        }
    }
    producer.await?;
    store.bulk_load(false).await?;
    Ok(made)
}

/// One dossier's history from its filing at `at`. With `leave_open`, it stops in processing,
/// with the apology the deadline watcher would have made if it is late.
fn simulate(
    lc: &Lifecycle,
    cast: &Cast,
    p: &Procedure,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    leave_open: Option<&WatchPolicy>,
    rng: &mut ChaCha8Rng,
) -> Option<NewDossier> {
    let cal = lc.calendar;
    let mut rules = p.rules()?;
    // Procedures done within hours (border checks of ships) move in minutes.
    let quick = matches!(rules.processing_time, ProcessingTime::WorkingHours(h) if h <= 8);
    let r: f64 = rng.random();
    let channel = if r < 0.62 {
        Channel::Online
    } else if r < 0.95 {
        Channel::Counter
    } else {
        Channel::Post
    };
    let competent = if p.agency.level() == 1 {
        let r: f64 = rng.random();
        if r < 0.25 {
            cast.hong_gai
        } else if r < 0.35 {
            cast.van_don
        } else {
            *pick(rng, &cast.communes)
        }
    } else {
        p.agency
    };
    let branch = if channel == Channel::Counter {
        Some(if competent == cast.hong_gai {
            "QN-HONGGAI"
        } else if competent == cast.van_don {
            "QN-VANDON"
        } else {
            "QN-HQ"
        })
    } else {
        None
    };
    let reception = cast.reception(branch.unwrap_or("QN-HQ"));
    let opener = if channel == Channel::Counter {
        reception.clone()
    } else {
        cast.portal.clone()
    };
    let at = if channel == Channel::Counter {
        office_moment(cal, at, rng)
    } else {
        at
    };
    let refuse_at_reception = rng.random_bool(0.025);
    let guide_at_reception = !refuse_at_reception && rng.random_bool(0.04);
    // Filed online, the fee of the online method is paid before reception (as the portal
    // asks), and the applicant has an account to rate the service from.
    if channel == Channel::Online {
        rules.prepaid_fee = p
            .online_method()
            .and_then(|m| m.fee_vnd)
            .filter(|f| *f > 0)
            .unwrap_or(0);
    }
    let fee = rules.prepaid_fee;
    let owner = (channel == Channel::Online)
        .then(|| CitizenId::from(format!("ctz_demo{:07}", rng.random_range(0..10_000_000u32))));
    // Filed online, the documents come as files; about a third of the applicants reuse one
    // they gave before.
    let components = if channel == Channel::Online {
        components(&p.documents, rng)
    } else {
        Vec::new()
    };
    let intake = Intake {
        procedure: rules,
        applicant: applicant(rng),
        channel,
        receiving_agency: opener.agency?,
        competent_agency: competent,
        branch: branch.map(Into::into),
        owner: owner.clone(),
        receive_now: channel == Channel::Counter && !refuse_at_reception && !guide_at_reception,
        components,
    };
    let mut sim = Sim {
        lc,
        events: Vec::new(),
        state: None,
        now,
    };
    sim.act(Command::Open(Box::new(intake)), &opener, at)?;
    let form = serde_json::json!({"ghi_chu": format!("Đề nghị giải quyết: {}", p.name)});
    let mut run = || -> Option<()> {
        let (specialist, approver) = cast.staff(competent);
        let check = if quick {
            1..8
        } else if channel == Channel::Counter {
            5..20
        } else {
            60..480
        };
        if refuse_at_reception {
            let t = after(cal, at, check, rng);
            return sim.act(
                Command::Refuse {
                    reasons: vec!["Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan".into()],
                },
                &reception,
                t,
            );
        }
        if guide_at_reception {
            let t = after(cal, at, check.clone(), rng);
            sim.act(
                Command::RequestSupplement {
                    reason: "Hồ sơ chưa đầy đủ thành phần".into(),
                    missing: vec!["Bản sao giấy tờ tùy thân".into()],
                },
                &reception,
                t,
            )?;
            let back = sim.last()?
                + Duration::days(rng.random_range(1..5))
                + Duration::minutes(rng.random_range(0..600));
            sim.act(
                Command::SubmitSupplement {
                    note: Some("Đã nộp bổ sung".into()),
                },
                &opener,
                back,
            )?;
        }
        if fee > 0 {
            // Most pay through the gateway at once; some at the counter.
            let n = rng.random_range(0..1_000_000_000u32);
            let (reference, who) = if rng.random_bool(0.85) {
                (format!("VNPAY-DEMO{n:09}"), Actor::system())
            } else {
                (format!("QUAY-{n:09}"), reception.clone())
            };
            let t = sim.last()? + Duration::minutes(rng.random_range(2..90));
            sim.act(
                Command::RecordPayment {
                    reference,
                    amount: fee,
                },
                &who,
                t,
            )?;
        }
        if sim.state()?.received_at.is_none() {
            let t = after(cal, sim.last()?, check, rng);
            sim.act(Command::Receive, &reception, t)?;
        }
        let t = after(cal, sim.last()?, if quick { 1..5 } else { 10..120 }, rng);
        sim.act(
            Command::Forward {
                assignee: Some(specialist.id.clone()),
                note: None,
            },
            &reception,
            t,
        )?;
        if let Some(watch) = leave_open {
            let due = sim.state()?.due_at?;
            let t = due + Duration::minutes(rng.random_range(1..60));
            if let Some(apology) = sim.state().and_then(|d| lc.late_apology(d, t, watch)) {
                sim.act(apology, &Actor::system(), t);
            }
            return Some(());
        }
        if !quick && rng.random_bool(0.08) {
            let t = after(cal, sim.last()?, 120..600, rng);
            sim.act(
                Command::RequestSupplement {
                    reason: "Cần bổ sung giấy tờ chứng minh".into(),
                    missing: vec!["Giấy xác nhận của cơ quan, đơn vị".into()],
                },
                &specialist,
                t,
            )?;
            let back = sim.last()?
                + Duration::days(rng.random_range(1..8))
                + Duration::minutes(rng.random_range(0..600));
            if rng.random_bool(0.1) {
                return sim.act(
                    Command::Withdraw {
                        reason: "Công dân đề nghị rút hồ sơ".into(),
                    },
                    &opener,
                    back + Duration::days(7),
                );
            }
            sim.act(
                Command::SubmitSupplement {
                    note: Some("Đã bổ sung theo yêu cầu".into()),
                },
                &opener,
                back,
            )?;
            let t = after(cal, sim.last()?, 30..180, rng);
            sim.act(Command::AcceptSupplement, &specialist, t)?;
        }
        let due = sim.state()?.due_at?;
        let start = sim.last()?;
        let r: f64 = rng.random();
        if r < 0.012 {
            let t = after(cal, start, 120..900, rng);
            sim.act(
                Command::ProposeRefusal {
                    reason: "Không đủ điều kiện theo quy định".into(),
                },
                &specialist,
                t,
            )?;
            let t = after(cal, t, 60..240, rng);
            return sim.act(
                Command::Refuse {
                    reasons: vec!["Không đáp ứng điều kiện theo quy định".into()],
                },
                &approver,
                t,
            );
        }
        let budget = cal.working_time_between(start, due);
        let target = if r < 0.05 {
            // Late: most apologise a day ahead with a new appointment.
            if rng.random_bool(0.8) {
                let apology = due - Duration::days(1);
                let new_due = cal.add_working_days(due, 3);
                sim.act(
                    Command::Reappoint {
                        new_due_at: new_due,
                        reason: "Cần thêm thời gian xác minh thông tin".into(),
                    },
                    &specialist,
                    apology.max(start),
                )?;
            }
            cal.add_working_time(due, Duration::minutes(rng.random_range(60..900)))
        } else if r < 0.27 {
            // On the appointment day.
            let day_start = cal.clock_start(
                TZ.from_local_datetime(
                    &due.with_timezone(&TZ).date_naive().and_time(NaiveTime::MIN),
                )
                .earliest()?
                .with_timezone(&Utc),
            );
            let room = cal
                .working_time_between(day_start.max(start), due)
                .num_minutes()
                .max(1);
            cal.add_working_time(
                day_start.max(start),
                Duration::minutes(rng.random_range(0..room)),
            )
        } else {
            let share = rng.random_range(0.2..0.8);
            cal.add_working_time(
                start,
                Duration::minutes((budget.num_minutes() as f64 * share) as i64),
            )
        };
        let step_two = cal.add_working_time(start, cal.working_time_between(start, target) / 2);
        sim.act(
            Command::Forward {
                assignee: Some(approver.id.clone()),
                note: Some("Trình lãnh đạo phê duyệt".into()),
            },
            &specialist,
            step_two,
        )?;
        sim.act(
            Command::Approve { note: None },
            &approver,
            target - Duration::minutes(if quick { 2 } else { 20 }),
        )?;
        sim.act(
            Command::IssueResult {
                summary: p.result.clone().unwrap_or_else(|| "Văn bản trả lời".into()),
                document_sha256: None,
            },
            &approver,
            target,
        )?;
        if rng.random_bool(0.92) {
            let t = target
                + Duration::days(rng.random_range(0..6))
                + Duration::minutes(rng.random_range(0..300));
            let (how, who) = match channel {
                Channel::Online => (ReturnChannel::Online, &cast.portal),
                Channel::Post => (
                    ReturnChannel::Post {
                        tracking_number: format!(
                            "EL{:09}VN",
                            rng.random_range(0..1_000_000_000u32)
                        ),
                    },
                    &reception,
                ),
                Channel::Counter => (ReturnChannel::Counter, &reception),
            };
            let t = if matches!(how, ReturnChannel::Online) {
                t
            } else {
                cal.clock_start(t)
            };
            sim.act(Command::ReturnResult { channel: how }, who, t)?;
        }
        // About half of those with an account rate the service; a late result less kindly.
        if let Some(owner) = &owner
            && rng.random_bool(0.5)
        {
            let late = target > due;
            let r: f64 = rng.random();
            let satisfaction = if r < if late { 0.45 } else { 0.05 } {
                Satisfaction::Dissatisfied
            } else if r < 0.35 {
                Satisfaction::Satisfied
            } else {
                Satisfaction::VerySatisfied
            };
            let t = sim.last()? + Duration::hours(rng.random_range(1..72));
            sim.act(
                Command::Rate {
                    satisfaction,
                    criteria: Vec::new(),
                    comment: None,
                },
                &Actor::new(owner.to_string(), Role::Applicant, None),
                t,
            );
        }
        Some(())
    };
    run();
    let state = sim.state.take()?;
    Some(NewDossier {
        events: sim.events,
        state,
        form,
    })
}

/// The files an online applicant gives for a procedure's first documents (a form when it names
/// none), each with the SHA-256 of its made-up content; the first reused from an earlier file
/// about a third of the time.
fn components(
    documents: &[motcua_store::RequiredDocument],
    rng: &mut ChaCha8Rng,
) -> Vec<Component> {
    let mut names: Vec<&str> = documents.iter().take(3).map(|d| d.name.as_str()).collect();
    if names.is_empty() {
        names.push("Tờ khai");
    }
    let reuse = rng.random_bool(0.35);
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let content = format!("{name} {}", rng.random::<u64>());
            Component {
                document: name.to_string(),
                sha256: motcua_app::secrets::sha256_hex(&content),
                reused_from: (reuse && i == 0)
                    .then(|| format!("att_demo{:010}", rng.random_range(0..10_000_000_000u64))),
            }
        })
        .collect()
}

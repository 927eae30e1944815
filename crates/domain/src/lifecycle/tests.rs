//! Unit and property tests of the lifecycle.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::calendar::{CalendarConfig, DayOverride, ProcessingTime, TZ, WorkingCalendar};
use crate::ids::{AgencyCode, ProcedureCode};
use crate::procedure::{ProcedureRules, StepPlan, SupplementClock};

fn code(s: &str) -> AgencyCode {
    AgencyCode::parse(s).unwrap()
}

fn centre() -> AgencyCode {
    code("000.00.01.H22")
}
fn department() -> AgencyCode {
    code("000.00.02.H22")
}
fn commune() -> AgencyCode {
    code("000.00.03.H22")
}
fn province() -> AgencyCode {
    code("000.00.00.H22")
}

/// The default calendar with 2025's swap: Saturday 26 April worked, Friday 2 May off.
pub(crate) fn calendar() -> WorkingCalendar {
    let overrides =
        DayOverride::parse_csv("2025-05-02,off,Nghỉ hoán đổi\n2025-04-26,working,Làm bù\n")
            .unwrap();
    WorkingCalendar::new(CalendarConfig {
        overrides,
        ..CalendarConfig::default()
    })
    .unwrap()
}

fn rules(limit: ProcessingTime, clock: SupplementClock) -> ProcedureRules {
    ProcedureRules {
        code: ProcedureCode::parse("1.001234").unwrap(),
        processing_time: limit,
        supplement_clock: clock,
        prepaid_fee: 0,
        steps: vec![
            StepPlan {
                name: "Thẩm định".into(),
                agency: None,
                role: Role::Specialist,
                budget_hours: 8,
            },
            StepPlan {
                name: "Xác minh tại xã".into(),
                agency: Some(commune()),
                role: Role::Specialist,
                budget_hours: 8,
            },
            StepPlan {
                name: "Phê duyệt".into(),
                agency: None,
                role: Role::Approver,
                budget_hours: 4,
            },
        ],
    }
}

fn intake(limit: ProcessingTime, clock: SupplementClock, receive_now: bool) -> Intake {
    Intake {
        procedure: rules(limit, clock),
        applicant: Applicant {
            name: "Nguyễn Thị Ánh".into(),
            cccd: Some(crate::ids::Cccd::parse("022305001234").unwrap()),
            phone: Some(crate::ids::Phone::parse("0912345678").unwrap()),
            email: Some("anh@example.vn".into()),
            tax_code: None,
            lang: Default::default(),
        },
        channel: if receive_now {
            Channel::Counter
        } else {
            Channel::Online
        },
        receiving_agency: centre(),
        competent_agency: department(),
        branch: Some("HQ".into()),
        owner: Some(crate::ids::CitizenId::new("citizen-1")),
        receive_now,
        components: Vec::new(),
    }
}

fn vn(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    TZ.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn actors() -> Vec<Actor> {
    vec![
        Actor::new("reception", Role::Reception, Some(centre())),
        Actor::new("specialist", Role::Specialist, Some(department())),
        Actor::new("approver", Role::Approver, Some(department())),
        Actor::new("commune-officer", Role::Specialist, Some(commune())),
        Actor::new("citizen-1", Role::Applicant, None),
        Actor::new("citizen-2", Role::Applicant, None),
        Actor::new("agency-system", Role::AgencySystem, Some(department())),
        Actor::new("leader", Role::Leader, Some(province())),
        Actor::new("supervisor", Role::Supervisor, Some(province())),
    ]
}

struct Run {
    state: Option<Dossier>,
    events: Vec<Event>,
}

impl Run {
    fn new() -> Self {
        Run {
            state: None,
            events: Vec::new(),
        }
    }

    fn step(
        &mut self,
        lc: &Lifecycle,
        cmd: &Command,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<Event>, LifecycleError> {
        let events = lc.decide(self.state.as_ref(), cmd, actor, now)?;
        for e in &events {
            self.state =
                Some(apply(self.state.take(), e, self.events.len()).expect("decided events apply"));
            self.events.push(e.clone());
        }
        Ok(events)
    }

    fn dossier(&self) -> &Dossier {
        self.state.as_ref().unwrap()
    }
}

#[test]
fn walk_in_dossier_through_three_steps_with_a_supplement() {
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let a = actors();
    let (reception, specialist, approver, commune_officer) = (&a[0], &a[1], &a[2], &a[3]);
    let mut run = Run::new();
    let t0 = vn(2025, 4, 25, 15, 30);
    let opened = run
        .step(
            &lc,
            &Command::Open(Box::new(intake(
                ProcessingTime::WorkingDays(3),
                SupplementClock::Restart,
                true,
            ))),
            reception,
            t0,
        )
        .unwrap();
    assert_eq!(opened.len(), 2);
    // The worked example: the clock starts on the swapped Saturday; due Monday 5/5 16:30.
    assert_eq!(run.dossier().due_at, Some(vn(2025, 5, 5, 16, 30)));
    assert_eq!(run.dossier().status, Status::Received);

    run.step(
        &lc,
        &Command::Forward {
            assignee: Some("specialist".into()),
            note: None,
        },
        reception,
        vn(2025, 4, 26, 8, 0),
    )
    .unwrap();
    assert_eq!(
        (
            run.dossier().status,
            run.dossier().step,
            run.dossier().current_agency
        ),
        (Status::InProcessing, Some(0), department())
    );
    // Another agency's officer may not act on it.
    assert_eq!(
        lc.decide(
            run.state.as_ref(),
            &Command::Forward {
                assignee: None,
                note: None
            },
            commune_officer,
            vn(2025, 4, 26, 9, 0)
        ),
        Err(LifecycleError::OutOfScope)
    );
    run.step(
        &lc,
        &Command::RequestSupplement {
            reason: "Thiếu giấy tờ".into(),
            missing: vec!["Bản sao giấy khai sinh".into()],
        },
        specialist,
        vn(2025, 4, 28, 9, 0),
    )
    .unwrap();
    assert_eq!(run.dossier().status, Status::AwaitingSupplement);
    let citizen = &a[4];
    assert_eq!(
        lc.decide(
            run.state.as_ref(),
            &Command::SubmitSupplement { note: None },
            &a[5],
            vn(2025, 5, 6, 9, 0)
        ),
        Err(LifecycleError::OutOfScope),
        "another citizen cannot supplement"
    );
    run.step(
        &lc,
        &Command::SubmitSupplement {
            note: Some("Đã bổ sung".into()),
        },
        citizen,
        vn(2025, 5, 6, 9, 0),
    )
    .unwrap();
    // Restart: 3 working days from Tuesday 6/5 → Friday 9/5.
    assert_eq!(run.dossier().due_at, Some(vn(2025, 5, 9, 16, 30)));
    assert_eq!(run.dossier().status, Status::Supplemented);
    run.step(
        &lc,
        &Command::AcceptSupplement,
        specialist,
        vn(2025, 5, 6, 10, 0),
    )
    .unwrap();
    run.step(
        &lc,
        &Command::Forward {
            assignee: None,
            note: None,
        },
        specialist,
        vn(2025, 5, 6, 11, 0),
    )
    .unwrap();
    assert_eq!(run.dossier().current_agency, commune());
    run.step(
        &lc,
        &Command::Forward {
            assignee: None,
            note: None,
        },
        commune_officer,
        vn(2025, 5, 7, 11, 0),
    )
    .unwrap();
    assert_eq!(run.dossier().step, Some(2));
    assert_eq!(
        lc.decide(
            run.state.as_ref(),
            &Command::IssueResult {
                summary: "Giấy xác nhận".into(),
                document_sha256: None
            },
            approver,
            vn(2025, 5, 7, 14, 0)
        ),
        Err(LifecycleError::NotApproved)
    );
    assert!(matches!(
        lc.decide(
            run.state.as_ref(),
            &Command::Approve { note: None },
            specialist,
            vn(2025, 5, 7, 14, 0)
        ),
        Err(LifecycleError::RoleNotAllowed { .. })
    ));
    run.step(
        &lc,
        &Command::Approve { note: None },
        approver,
        vn(2025, 5, 7, 14, 0),
    )
    .unwrap();
    run.step(
        &lc,
        &Command::IssueResult {
            summary: "Giấy xác nhận".into(),
            document_sha256: Some("AB".repeat(32)),
        },
        approver,
        vn(2025, 5, 7, 15, 0),
    )
    .unwrap();
    let result = run.dossier().result.clone().unwrap();
    assert_eq!(result.timeliness, Timeliness::Early);
    assert_eq!(result.document_sha256, Some("ab".repeat(32)));
    run.step(
        &lc,
        &Command::ReturnResult {
            channel: ReturnChannel::Counter,
        },
        reception,
        vn(2025, 5, 8, 8, 0),
    )
    .unwrap();
    assert_eq!(run.dossier().status, Status::Returned);
    assert_eq!(replay(&run.events).unwrap(), *run.dossier());
    run.dossier().check_invariants().unwrap();
}

#[test]
fn late_dossier_gets_one_reappointment_and_counts_late() {
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let a = actors();
    let mut run = Run::new();
    run.step(
        &lc,
        &Command::Open(Box::new(intake(
            ProcessingTime::WorkingDays(1),
            SupplementClock::Restart,
            true,
        ))),
        &a[0],
        vn(2025, 6, 2, 9, 0),
    )
    .unwrap();
    let due = run.dossier().due_at.unwrap();
    assert_eq!(due, vn(2025, 6, 3, 16, 30));
    run.step(
        &lc,
        &Command::Forward {
            assignee: None,
            note: None,
        },
        &a[0],
        vn(2025, 6, 2, 9, 5),
    )
    .unwrap();
    let new_due = vn(2025, 6, 6, 16, 30);
    let e = run
        .step(
            &lc,
            &Command::Reappoint {
                new_due_at: new_due,
                reason: "Cần xác minh thêm".into(),
            },
            &a[1],
            vn(2025, 6, 3, 9, 0),
        )
        .unwrap();
    assert!(
        matches!(&e[0].kind, EventKind::Reappointed { in_time: false, .. }),
        "on the due date itself is too late for the apology"
    );
    assert_eq!(run.dossier().due_at, Some(new_due));
    assert_eq!(
        lc.decide(
            run.state.as_ref(),
            &Command::Reappoint {
                new_due_at: new_due + Duration::days(1),
                reason: "x".into()
            },
            &a[1],
            vn(2025, 6, 4, 9, 0)
        ),
        Err(LifecycleError::AlreadyReappointed)
    );
    run.step(
        &lc,
        &Command::Forward {
            assignee: None,
            note: None,
        },
        &a[1],
        vn(2025, 6, 4, 9, 0),
    )
    .unwrap();
    run.step(
        &lc,
        &Command::Forward {
            assignee: None,
            note: None,
        },
        &a[3],
        vn(2025, 6, 4, 10, 0),
    )
    .unwrap();
    run.step(
        &lc,
        &Command::Approve { note: None },
        &a[2],
        vn(2025, 6, 5, 9, 0),
    )
    .unwrap();
    run.step(
        &lc,
        &Command::IssueResult {
            summary: "Kết quả".into(),
            document_sha256: None,
        },
        &a[2],
        vn(2025, 6, 5, 10, 0),
    )
    .unwrap();
    assert_eq!(
        run.dossier().result.as_ref().unwrap().timeliness,
        Timeliness::Late
    );
    // With the other policy the re-appointed date is the measure.
    let lenient = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy {
            reappointment_counts: true,
            ..TimelinessPolicy::default()
        },
    };
    let mut before_result = run.events.clone();
    before_result.pop();
    let state = replay(&before_result).unwrap();
    let e = lenient
        .decide(
            Some(&state),
            &Command::IssueResult {
                summary: "Kết quả".into(),
                document_sha256: None,
            },
            &a[2],
            vn(2025, 6, 5, 10, 0),
        )
        .unwrap();
    assert!(matches!(
        e[0].kind,
        EventKind::ResultIssued {
            timeliness: Timeliness::Early,
            ..
        }
    ));
}

#[test]
fn online_dossier_is_checked_then_refused_with_reasons() {
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let a = actors();
    let mut run = Run::new();
    run.step(
        &lc,
        &Command::Open(Box::new(intake(
            ProcessingTime::WorkingDays(5),
            SupplementClock::Pause,
            false,
        ))),
        &a[4],
        vn(2025, 6, 1, 22, 0),
    )
    .unwrap();
    assert_eq!(run.dossier().status, Status::Submitted);
    assert_eq!(run.dossier().due_at, None);
    assert!(matches!(
        lc.decide(
            run.state.as_ref(),
            &Command::Refuse { reasons: vec![] },
            &a[0],
            vn(2025, 6, 2, 8, 0)
        ),
        Err(LifecycleError::Text { .. })
    ));
    assert!(matches!(
        lc.decide(
            run.state.as_ref(),
            &Command::Refuse {
                reasons: vec!["Sai thẩm quyền".into()]
            },
            &a[1],
            vn(2025, 6, 2, 8, 0)
        ),
        Err(LifecycleError::RoleNotAllowed { .. })
    ));
    run.step(
        &lc,
        &Command::Refuse {
            reasons: vec!["Không thuộc thẩm quyền".into()],
        },
        &a[0],
        vn(2025, 6, 2, 8, 0),
    )
    .unwrap();
    assert_eq!(run.dossier().status, Status::Refused);
    assert!(matches!(
        lc.decide(
            run.state.as_ref(),
            &Command::Receive,
            &a[0],
            vn(2025, 6, 2, 8, 1)
        ),
        Err(LifecycleError::InvalidTransition { .. })
    ));
}

/// A dossier filed online by its applicant at `at` with a fee to pay first, and its intake.
fn filed_online(lc: &Lifecycle, fee: i64, at: DateTime<Utc>) -> (Run, Intake) {
    let mut opening = intake(
        ProcessingTime::WorkingDays(5),
        SupplementClock::Restart,
        false,
    );
    opening.procedure.prepaid_fee = fee;
    let mut run = Run::new();
    let applicant = Actor::new("citizen-1", Role::Applicant, None);
    run.step(
        lc,
        &Command::Open(Box::new(opening.clone())),
        &applicant,
        at,
    )
    .unwrap();
    (run, opening)
}

#[test]
fn prepaid_fee_holds_the_dossier_until_paid_once() {
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let a = actors();
    let system = Actor::system();
    let (mut run, mut opening) = filed_online(&lc, 100_000, vn(2025, 6, 2, 9, 0));
    assert_eq!(run.dossier().fee_total(), 100_000);
    assert_eq!(run.dossier().fee_owed(), 100_000);
    let receive = |run: &Run| {
        lc.decide(
            run.state.as_ref(),
            &Command::Receive,
            &a[0],
            vn(2025, 6, 2, 10, 0),
        )
    };
    assert!(matches!(
        receive(&run),
        Err(LifecycleError::FeeUnpaid {
            due: 100_000,
            paid: 0
        })
    ));
    let pay = |reference: &str, amount| Command::RecordPayment {
        reference: reference.into(),
        amount,
    };
    assert!(matches!(
        lc.decide(
            run.state.as_ref(),
            &pay("VNP-1", 100_000),
            &a[4],
            vn(2025, 6, 2, 9, 5)
        ),
        Err(LifecycleError::RoleNotAllowed { .. })
    ));
    assert!(matches!(
        lc.decide(
            run.state.as_ref(),
            &pay("VNP-1", 0),
            &system,
            vn(2025, 6, 2, 9, 5)
        ),
        Err(LifecycleError::BadAmount)
    ));
    run.step(&lc, &pay("VNP-1", 100_000), &system, vn(2025, 6, 2, 9, 5))
        .unwrap();
    assert!(matches!(
        lc.decide(
            run.state.as_ref(),
            &pay("VNP-1", 100_000),
            &system,
            vn(2025, 6, 2, 9, 6)
        ),
        Err(LifecycleError::AlreadyPaid)
    ));
    assert_eq!(run.dossier().fee_paid, 100_000);
    assert_eq!(run.dossier().fee_owed(), 0);
    assert!(receive(&run).is_ok());
    // A walk-in dossier cannot be received at once while a prepaid fee is owed.
    opening.receive_now = true;
    opening.channel = Channel::Counter;
    assert!(matches!(
        lc.decide(
            None,
            &Command::Open(Box::new(opening)),
            &a[0],
            vn(2025, 6, 2, 9, 0)
        ),
        Err(LifecycleError::FeeUnpaid { .. })
    ));
}

#[test]
fn reception_corrects_the_fee_before_receipt_only() {
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let a = actors();
    let system = Actor::system();
    // The applicant chose the cheaper case and paid it.
    let t = vn(2025, 6, 2, 9, 0);
    let (mut run, _) = filed_online(&lc, 50_000, t);
    run.step(
        &lc,
        &Command::RecordPayment {
            reference: "VNP-1".into(),
            amount: 50_000,
        },
        &system,
        t,
    )
    .unwrap();
    let correct = |amount, reason: &str| Command::CorrectFee {
        amount,
        reason: reason.into(),
    };
    let why = "Trường hợp cấp lại do bị mất";
    // Only reception (in scope) corrects, with a reason, to another amount of zero or more.
    for who in [&a[4], &a[1]] {
        assert!(matches!(
            lc.decide(run.state.as_ref(), &correct(100_000, why), who, t),
            Err(LifecycleError::RoleNotAllowed { .. })
        ));
    }
    let outsider = Actor::new("other", Role::Reception, Some(commune()));
    assert_eq!(
        lc.decide(run.state.as_ref(), &correct(100_000, why), &outsider, t),
        Err(LifecycleError::OutOfScope)
    );
    assert_eq!(
        lc.decide(run.state.as_ref(), &correct(-1, why), &a[0], t),
        Err(LifecycleError::BadFee)
    );
    assert_eq!(
        lc.decide(run.state.as_ref(), &correct(50_000, why), &a[0], t),
        Err(LifecycleError::FeeUnchanged)
    );
    assert!(matches!(
        lc.decide(run.state.as_ref(), &correct(100_000, " "), &a[0], t),
        Err(LifecycleError::Text { .. })
    ));
    let events = run.step(&lc, &correct(100_000, why), &a[0], t).unwrap();
    assert_eq!(
        events[0].kind,
        EventKind::FeeCorrected {
            previous: 50_000,
            amount: 100_000,
            reason: why.into()
        }
    );
    // The difference is owed before the dossier can be received.
    assert_eq!(run.dossier().fee_total(), 100_000);
    assert_eq!(run.dossier().fee_owed(), 50_000);
    assert!(matches!(
        lc.decide(run.state.as_ref(), &Command::Receive, &a[0], t),
        Err(LifecycleError::FeeUnpaid {
            due: 100_000,
            paid: 50_000
        })
    ));
    // Lowered below what was paid: nothing owed, the excess stated for a refund.
    run.step(&lc, &correct(20_000, "Miễn giảm theo quy định"), &a[0], t)
        .unwrap();
    assert_eq!(run.dossier().fee_owed(), 0);
    assert_eq!(run.dossier().fee_excess(), 30_000);
    run.step(&lc, &Command::Receive, &a[0], t).unwrap();
    assert!(run.dossier().check_invariants().is_ok());
    // Once received the fee is settled.
    assert!(matches!(
        lc.decide(run.state.as_ref(), &correct(0, why), &a[0], t),
        Err(LifecycleError::InvalidTransition { .. })
    ));
    // The fold of the stored history gives the same dossier.
    assert_eq!(replay(&run.events).unwrap(), *run.dossier());
}

#[test]
fn the_applicant_rates_once_after_the_result() {
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let a = actors();
    let mut run = Run::new();
    let t = vn(2025, 6, 2, 9, 0);
    run.step(
        &lc,
        &Command::Open(Box::new(intake(
            ProcessingTime::WorkingDays(5),
            SupplementClock::Restart,
            true,
        ))),
        &a[0],
        t,
    )
    .unwrap();
    let rate = |level| Command::Rate {
        satisfaction: level,
        criteria: vec![
            CriterionScore {
                criterion: RatingCriterion::ResolutionTime,
                score: 2,
            },
            CriterionScore {
                criterion: RatingCriterion::Attitude,
                score: 2,
            },
        ],
        comment: Some("Cán bộ nhiệt tình".into()),
    };
    assert!(
        matches!(
            lc.decide(run.state.as_ref(), &rate(Satisfaction::Satisfied), &a[4], t),
            Err(LifecycleError::InvalidTransition { .. })
        ),
        "not before the result"
    );
    run.step(
        &lc,
        &Command::Forward {
            assignee: None,
            note: None,
        },
        &a[0],
        t,
    )
    .unwrap();
    run.step(&lc, &Command::Approve { note: None }, &a[2], t)
        .unwrap();
    run.step(
        &lc,
        &Command::IssueResult {
            summary: "Giấy phép".into(),
            document_sha256: None,
        },
        &a[2],
        t,
    )
    .unwrap();
    assert_eq!(run.dossier().status, Status::ResultReady);
    assert!(
        matches!(
            lc.decide(run.state.as_ref(), &rate(Satisfaction::Satisfied), &a[5], t),
            Err(LifecycleError::OutOfScope)
        ),
        "only the owner"
    );
    assert!(matches!(
        lc.decide(run.state.as_ref(), &rate(Satisfaction::Satisfied), &a[0], t),
        Err(LifecycleError::RoleNotAllowed { .. })
    ));
    let mut bad = rate(Satisfaction::Satisfied);
    if let Command::Rate { criteria, .. } = &mut bad {
        criteria[0].score = 3;
    }
    assert!(matches!(
        lc.decide(run.state.as_ref(), &bad, &a[4], t),
        Err(LifecycleError::BadScore)
    ));
    run.step(
        &lc,
        &Command::ReturnResult {
            channel: ReturnChannel::Counter,
        },
        &a[0],
        t,
    )
    .unwrap();
    assert_eq!(run.dossier().status, Status::Returned);
    let events = run
        .step(&lc, &rate(Satisfaction::VerySatisfied), &a[4], t)
        .unwrap();
    assert_eq!(
        crate::facts::counted(&events[0].kind),
        &[
            crate::facts::Metric::Rated,
            crate::facts::Metric::RatedVerySatisfied
        ]
    );
    assert_eq!(run.dossier().rating, Some(Satisfaction::VerySatisfied));
    assert!(matches!(
        lc.decide(
            run.state.as_ref(),
            &rate(Satisfaction::Dissatisfied),
            &a[4],
            t
        ),
        Err(LifecycleError::AlreadyRated)
    ));
    assert_eq!(replay(&run.events).unwrap(), *run.dossier());
}

#[test]
fn pause_rule_gives_back_the_time_left() {
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let a = actors();
    let mut run = Run::new();
    // 16 working hours from Monday 2/6/2025 08:00 → due Wednesday 4/6 09:00 (7 h Mon after
    // 08:00 is 6.5 h, Tue 7 h, Wed 2.5 h from 07:30 → 10:00). Compute from the rule instead of
    // trusting the code: Mon 08:00–11:30 (3.5) + 13:30–16:30 (3) = 6.5; Tue 7 → 13.5; Wed
    // 07:30 + 2.5 h = 10:00.
    run.step(
        &lc,
        &Command::Open(Box::new(intake(
            ProcessingTime::WorkingHours(16),
            SupplementClock::Pause,
            true,
        ))),
        &a[0],
        vn(2025, 6, 2, 8, 0),
    )
    .unwrap();
    assert_eq!(run.dossier().due_at, Some(vn(2025, 6, 4, 10, 0)));
    run.step(
        &lc,
        &Command::Forward {
            assignee: None,
            note: None,
        },
        &a[0],
        vn(2025, 6, 2, 8, 0),
    )
    .unwrap();
    // Requested Monday 16:30 (end of day): 9.5 h left. Supplied the next Monday 07:00 → the
    // clock resumes 07:30 Monday 9/6 and ends 9.5 h later: Mon 7 h + Tue 2.5 h → Tue 10:00.
    run.step(
        &lc,
        &Command::RequestSupplement {
            reason: "Thiếu".into(),
            missing: vec!["Tờ khai".into()],
        },
        &a[1],
        vn(2025, 6, 2, 16, 30),
    )
    .unwrap();
    run.step(
        &lc,
        &Command::SubmitSupplement { note: None },
        &a[4],
        vn(2025, 6, 9, 7, 0),
    )
    .unwrap();
    assert_eq!(run.dossier().due_at, Some(vn(2025, 6, 10, 10, 0)));
    // Tue 3/6 to Fri 6/6 are 4 working days of 7 h spent waiting.
    assert_eq!(run.dossier().supplement_secs, 4 * 7 * 3600);
}

// ---------------------------------------------------------------------------------------------
// Property tests: random command sequences.

fn any_command() -> impl Strategy<Value = Command> {
    let text = prop_oneof![
        Just(String::new()),
        Just("Lý do".to_string()),
        "[a-zA-Zàáạđ ]{1,12}"
    ];
    prop_oneof![
        Just(Command::Receive),
        proptest::option::of(Just("specialist".to_string())).prop_map(|assignee| {
            Command::Forward {
                assignee,
                note: None,
            }
        }),
        text.clone().prop_map(|reason| Command::SendBack { reason }),
        (
            prop_oneof![Just(department()), Just(commune()), Just(centre())],
            text.clone()
        )
            .prop_map(|(to_agency, reason)| Command::Transfer { to_agency, reason }),
        Just(Command::Assign {
            assignee: "specialist".into()
        }),
        (text.clone(), proptest::collection::vec(text.clone(), 0..3))
            .prop_map(|(reason, missing)| Command::RequestSupplement { reason, missing }),
        Just(Command::SubmitSupplement { note: None }),
        Just(Command::AcceptSupplement),
        text.clone()
            .prop_map(|reason| Command::ProposeRefusal { reason }),
        Just(Command::Approve { note: None }),
        proptest::collection::vec(text.clone(), 0..2)
            .prop_map(|reasons| Command::Refuse { reasons }),
        text.clone().prop_map(|summary| Command::IssueResult {
            summary,
            document_sha256: None
        }),
        prop_oneof![
            Just(ReturnChannel::Counter),
            Just(ReturnChannel::Online),
            Just(ReturnChannel::Post {
                tracking_number: "EMS123".into()
            })
        ]
        .prop_map(|channel| Command::ReturnResult { channel }),
        text.clone().prop_map(|reason| Command::Withdraw { reason }),
        (0usize..3, 0u8..4).prop_map(|(level, score)| Command::Rate {
            satisfaction: Satisfaction::ALL[level],
            criteria: vec![CriterionScore {
                criterion: RatingCriterion::Attitude,
                score
            }],
            comment: None,
        }),
        (prop_oneof![Just("VNP-1"), Just("VNP-2")], -1i64..100_000).prop_map(|(r, amount)| {
            Command::RecordPayment {
                reference: r.to_string(),
                amount,
            }
        }),
        (-1i64..100_000, text.clone())
            .prop_map(|(amount, reason)| Command::CorrectFee { amount, reason }),
        (0i64..(60 * 24 * 20), text).prop_map(|(m, reason)| Command::Reappoint {
            new_due_at: vn(2025, 1, 1, 0, 0) + Duration::minutes(m * 7),
            reason
        }),
    ]
}

fn any_limit() -> impl Strategy<Value = ProcessingTime> {
    prop_oneof![
        (0u32..30).prop_map(ProcessingTime::WorkingDays),
        (1u32..80).prop_map(ProcessingTime::WorkingHours),
        (0u32..40).prop_map(ProcessingTime::CalendarDays)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_sequences_keep_the_invariants(
        limit in any_limit(),
        pause in any::<bool>(),
        receive_now in any::<bool>(),
        prepaid in prop_oneof![Just(0i64), Just(50_000i64)],
        start_minutes in 0i64..(60 * 24 * 365 * 2),
        steps in proptest::collection::vec((any_command(), 0usize..9, 0i64..(60 * 24 * 4)), 1..40),
    ) {
        let cal = calendar();
        let lc = Lifecycle { calendar: &cal, timeliness: TimelinessPolicy::default() };
        let a = actors();
        let clock = if pause { SupplementClock::Pause } else { SupplementClock::Restart };
        let mut now = vn(2024, 6, 1, 0, 0) + Duration::minutes(start_minutes);
        let mut run = Run::new();
        let opener = if receive_now { &a[0] } else { &a[4] };
        let mut opening = intake(limit, clock, receive_now);
        if !receive_now {
            opening.procedure.prepaid_fee = prepaid;
        }
        run.step(&lc, &Command::Open(Box::new(opening)), opener, now).unwrap();
        for (cmd, who, advance) in steps {
            now += Duration::minutes(advance);
            let before = run.dossier().clone();
            match run.step(&lc, &cmd, &a[who], now) {
                Ok(events) => {
                    let after = run.dossier();
                    prop_assert!(after.check_invariants().is_ok(), "{:?} after {:?}", after.check_invariants(), cmd);
                    prop_assert!((0..=after.fee_total()).contains(&after.fee_owed()));
                    prop_assert!(!after.status.is_final() || after.fee_owed() == 0);
                    for e in &events {
                        if let EventKind::Supplemented { due_at: Some(due), clock_started_at: Some(resume), .. } = &e.kind {
                            let pending = before.supplement.clone().unwrap();
                            prop_assert!(*due >= *resume);
                            match (clock, pending.remaining_secs) {
                                // Pause: the agency gets back exactly the office time it had left.
                                (SupplementClock::Pause, Some(left)) => {
                                    prop_assert_eq!(cal.working_time_between(*resume, *due).num_seconds(), left);
                                    let from = before.clock_started_at.unwrap().max(pending.requested_at);
                                    let had = before.due_at.map_or(0, |d| cal.working_time_between(from, d).num_seconds());
                                    prop_assert_eq!(left, had);
                                }
                                // Restart: a whole new limit counted from the supplement.
                                _ => prop_assert_eq!(*due, cal.due(now, limit)),
                            }
                        }
                    }
                }
                Err(_) => prop_assert_eq!(run.dossier(), &before),
            }
            if let Some(r) = run.dossier().received_at {
                prop_assert!(run.dossier().due_at.unwrap() >= r);
            }
            // Until the next watch, the watcher would find what it finds now.
            let policy = WatchPolicy::default();
            let d = run.dossier();
            let next = lc.next_watch(d, now, &policy);
            let horizon = next.unwrap_or(now + Duration::days(60));
            prop_assert!(horizon > now);
            let kinds = |t| lc.alerts(d, t, &policy).into_iter().map(|(a, _)| a).collect::<Vec<_>>();
            for k in [1, 2, 3] {
                // Instants are kept to the millisecond.
                let t = now + (horizon - now) * k / 4;
                let t = DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap();
                if t <= now || t >= horizon {
                    continue;
                }
                prop_assert_eq!(kinds(t), kinds(now), "at {} before the next watch {:?}", t, next);
                prop_assert_eq!(
                    lc.late_apology(d, t, &policy).is_some(),
                    lc.late_apology(d, now, &policy).is_some(),
                    "apology at {} vs {} (next {:?}); due {:?} step {:?} status {:?} original {:?}",
                    t, now, next, d.due_at, d.step_due_at, d.status, d.original_due_at
                );
            }
            if let Some(n) = next {
                let after = n + Duration::minutes(1);
                prop_assert!(kinds(after) != kinds(now) || lc.late_apology(d, after, &policy).is_some() != lc.late_apology(d, now, &policy).is_some(), "nothing changed at the next watch {} (now {})", n, now);
            }
        }
        prop_assert_eq!(&replay(&run.events).unwrap(), run.dossier());
    }
}

#[test]
fn the_watcher_warns_before_the_deadline_and_apologises_after_it() {
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let policy = WatchPolicy::default();
    let a = actors();
    let (reception, specialist) = (&a[0], &a[1]);
    let mut run = Run::new();
    // Received Monday 2 June 2025 09:00, two working days: due Wednesday 4 June, closing time.
    let t0 = vn(2025, 6, 2, 9, 0);
    run.step(
        &lc,
        &Command::Open(Box::new(intake(
            ProcessingTime::WorkingDays(2),
            SupplementClock::Restart,
            true,
        ))),
        reception,
        t0,
    )
    .unwrap();
    let due = run.dossier().due_at.unwrap();
    assert!(lc.alerts(run.dossier(), t0, &policy).is_empty());
    // The step of eight working hours, handed over at 09:00, runs out Tuesday 09:00.
    run.step(
        &lc,
        &Command::Forward {
            assignee: Some("specialist".into()),
            note: None,
        },
        reception,
        t0,
    )
    .unwrap();
    let step_due = run.dossier().step_due_at.unwrap();
    assert_eq!(step_due, cal.add_working_time(t0, Duration::hours(8)));
    let monday_noon = vn(2025, 6, 2, 12, 0);
    assert_eq!(
        lc.alerts(run.dossier(), monday_noon, &policy),
        vec![(Alert::StepDueSoon, step_due)]
    );
    assert_eq!(due, vn(2025, 6, 4, 16, 30));
    let tuesday_ten = vn(2025, 6, 3, 10, 0);
    assert_eq!(
        lc.alerts(run.dossier(), tuesday_ten, &policy),
        vec![(Alert::StepOverdue, step_due)]
    );
    let wednesday_ten = vn(2025, 6, 4, 10, 0);
    assert_eq!(
        lc.alerts(run.dossier(), wednesday_ten, &policy),
        vec![(Alert::DueSoon, due), (Alert::StepOverdue, step_due)]
    );
    assert_eq!(lc.late_apology(run.dossier(), wednesday_ten, &policy), None);

    // Late: the watcher (the system) apologises once, with a new appointment.
    let thursday = vn(2025, 6, 5, 9, 0);
    assert!(
        lc.alerts(run.dossier(), thursday, &policy)
            .contains(&(Alert::Overdue, due))
    );
    let apology = lc
        .late_apology(run.dossier(), thursday, &policy)
        .expect("a late dossier is apologised for");
    let Command::Reappoint { new_due_at, .. } = &apology else {
        panic!("{apology:?}")
    };
    assert_eq!(
        *new_due_at,
        cal.due(thursday, ProcessingTime::WorkingDays(5))
    );
    run.step(&lc, &apology, &Actor::system(), thursday).unwrap();
    assert_eq!(run.dossier().original_due_at, Some(due));
    assert_eq!(lc.late_apology(run.dossier(), thursday, &policy), None);
    // Only the step is still late; the new appointment is far off.
    assert_eq!(
        lc.alerts(run.dossier(), thursday, &policy),
        vec![(Alert::StepOverdue, step_due)]
    );
    // Waiting for the applicant stops every alarm.
    run.step(
        &lc,
        &Command::RequestSupplement {
            reason: "Thiếu giấy tờ".into(),
            missing: vec!["Bản sao CCCD".into()],
        },
        specialist,
        thursday,
    )
    .unwrap();
    assert!(lc.alerts(run.dossier(), thursday, &policy).is_empty());
    for alert in Alert::ALL {
        assert_eq!(Alert::parse(alert.as_str()), Some(alert));
    }
}

#[test]
fn the_public_timeline_never_names_the_assigned_officer() {
    let assigned = EventKind::Assigned {
        assignee: "chuyenvien.stp".into(),
    };
    assert!(!assigned.is_public());
    assert!(EventKind::SupplementAccepted.is_public());
    assert!(
        EventKind::SupplementRequested {
            reason: "Thiếu bản sao".into(),
            missing: vec![],
            remaining_secs: None,
        }
        .is_public()
    );
}

#[test]
fn every_event_type_has_one_name_and_only_assignment_is_private() {
    for t in EventType::ALL {
        assert_eq!(EventType::parse(t.name()), Some(t));
        assert_eq!(t.is_public(), t != EventType::Assigned);
        assert_ne!(t.public_label(Lang::Vi), t.public_label(Lang::En));
    }
    assert_eq!(EventType::parse("assigned "), None);
    let names: std::collections::HashSet<_> = EventType::ALL.iter().map(|t| t.name()).collect();
    assert_eq!(names.len(), EventType::ALL.len());
    assert_eq!(
        EventKind::SupplementAccepted.event_type(),
        EventType::SupplementAccepted
    );
}

#[test]
fn the_expected_appointment_is_the_one_receipt_sets() {
    let cal = calendar();
    let lc = Lifecycle {
        calendar: &cal,
        timeliness: TimelinessPolicy::default(),
    };
    let a = actors();
    let opening = intake(
        ProcessingTime::WorkingDays(5),
        SupplementClock::Restart,
        false,
    );
    let mut run = Run::new();
    let filed = vn(2025, 6, 2, 9, 0);
    run.step(&lc, &Command::Open(Box::new(opening)), &a[4], filed)
        .unwrap();
    let later = vn(2025, 6, 3, 14, 0);
    let expected = run.dossier().expected_due(&cal, later);
    assert_eq!(expected, cal.due(later, ProcessingTime::WorkingDays(5)));
    run.step(&lc, &Command::Receive, &a[0], later).unwrap();
    assert_eq!(run.dossier().due_at, Some(expected));
    assert_eq!(
        run.dossier().expected_due(&cal, vn(2025, 7, 1, 8, 0)),
        expected
    );
}

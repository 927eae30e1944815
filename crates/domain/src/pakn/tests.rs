use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::calendar::TZ;
use crate::role::{Actor, Role};

use crate::lifecycle::tests::calendar;

fn vn(y: i32, mo: u32, d: u32, h: u32) -> DateTime<Utc> {
    TZ.with_ymd_and_hms(y, mo, d, h, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&TZ).date_naive()
}

fn agency(s: &str) -> AgencyCode {
    AgencyCode::parse(s).unwrap()
}

fn filing(channel: PaknChannel) -> Filing {
    Filing {
        petitioner: Petitioner {
            name: "Trần Văn Bình".into(),
            phone: Some(crate::ids::Phone::parse("0912345678").unwrap()),
            email: None,
            lang: crate::Lang::Vi,
        },
        channel,
        content: "Thủ tục cấp giấy phép xây dựng yêu cầu nộp bản sao chứng thực giấy tờ đã có trên VNeID.".into(),
        category: Some(Category::Procedure),
        dossier: None,
        agency: agency("000.00.14.H22"),
        received_by: channel.transcribed().then(|| "tiepnhan".to_string()),
        publish_content: false,
        attachments: Vec::new(),
    }
}

fn officer() -> Actor {
    Actor::new(
        "chuyenvien",
        Role::Specialist,
        Some(agency("000.00.14.H22")),
    )
}

fn petitioner() -> Actor {
    Actor::new("nguoidan", Role::Applicant, None)
}

/// A petition filed at `at` and the events after, replayed.
struct Run {
    cal: WorkingCalendar,
    limits: Limits,
    events: Vec<PaknEvent>,
}

impl Run {
    fn filed(at: DateTime<Utc>) -> Run {
        let code = PaknCode::new(day(at), 1).unwrap();
        Run {
            cal: calendar(),
            limits: Limits::default(),
            events: vec![file(code, filing(PaknChannel::Web), at).unwrap()],
        }
    }

    fn petition(&self) -> Petition {
        replay(&self.events, &self.cal, &self.limits).unwrap()
    }

    fn act(&mut self, c: PaknCommand, actor: &Actor, at: DateTime<Utc>) -> Result<(), PaknError> {
        let p = self.petition();
        let events = decide(&p, &c, actor, &self.cal, &self.limits, at)?;
        self.events.extend(events);
        Ok(())
    }

    fn ok(&mut self, c: PaknCommand, actor: &Actor, at: DateTime<Utc>) -> &mut Run {
        self.act(c, actor, at).unwrap();
        self
    }
}

fn accept() -> PaknCommand {
    PaknCommand::Accept {
        category: Category::Procedure,
    }
}

fn answer() -> PaknCommand {
    PaknCommand::Answer {
        answer: "Từ 1/7/2025, giấy tờ đã có trên VNeID không phải nộp bản sao.".into(),
    }
}

#[test]
fn a_petition_is_handled_published_rated_and_closed() {
    let mut r = Run::filed(vn(2026, 3, 2, 9));
    r.ok(accept(), &officer(), vn(2026, 3, 3, 9))
        .ok(answer(), &officer(), vn(2026, 3, 10, 9))
        .ok(PaknCommand::Publish, &officer(), vn(2026, 3, 11, 9))
        .ok(
            PaknCommand::Rate { satisfied: true },
            &petitioner(),
            vn(2026, 3, 12, 9),
        )
        .ok(PaknCommand::Close, &officer(), vn(2026, 3, 13, 9));
    let p = r.petition();
    assert_eq!(p.state, PaknState::Closed);
    assert_eq!(p.category, Some(Category::Procedure));
    assert!(!p.late);
    let facts = IndexFacts::of(&p, &r.cal, &r.limits);
    assert!(facts.in_time(vn(2026, 4, 1, 9)) && facts.satisfactory());
    assert_eq!(
        facts.ended_at,
        Some(vn(2026, 3, 11, 9)),
        "ended when published"
    );
    assert_eq!(facts.due_at, None);
    // Rated once; closed petitions take no answer.
    assert_eq!(
        r.act(
            PaknCommand::Rate { satisfied: false },
            &petitioner(),
            vn(2026, 3, 13, 10)
        ),
        Err(PaknError::AlreadyRated)
    );
    assert!(matches!(
        r.act(answer(), &officer(), vn(2026, 3, 13, 10)),
        Err(PaknError::InvalidTransition {
            action: "answer",
            state: PaknState::Closed
        })
    ));
}

#[test]
fn who_may_do_what() {
    let mut r = Run::filed(vn(2026, 3, 2, 9));
    let elsewhere = Actor::new("khac", Role::Specialist, Some(agency("000.00.15.H22")));
    assert_eq!(
        r.act(accept(), &elsewhere, vn(2026, 3, 2, 10)),
        Err(PaknError::OfficerOnly("accept"))
    );
    assert_eq!(
        r.act(accept(), &petitioner(), vn(2026, 3, 2, 10)),
        Err(PaknError::OfficerOnly("accept"))
    );
    let supervisor = Actor::new("giamsat", Role::Supervisor, Some(agency("000.00.14.H22")));
    assert_eq!(
        r.act(accept(), &supervisor, vn(2026, 3, 2, 10)),
        Err(PaknError::OfficerOnly("accept"))
    );
    // The province's officers cover every agency under it.
    let province = Actor::new("lanhdao", Role::Leader, Some(agency("000.00.00.H22")));
    r.ok(
        PaknCommand::RequestInfo {
            question: "Xin cho biết số hồ sơ.".into(),
        },
        &province,
        vn(2026, 3, 2, 10),
    );
    assert_eq!(
        r.act(
            PaknCommand::Supplement {
                text: "Số hồ sơ ...".into()
            },
            &officer(),
            vn(2026, 3, 3, 10)
        ),
        Err(PaknError::PetitionerOnly("supplement"))
    );
    assert_eq!(
        r.act(
            PaknCommand::Supplement { text: "  ".into() },
            &petitioner(),
            vn(2026, 3, 3, 10)
        ),
        Err(PaknError::Text {
            field: "text",
            max: MAX_TEXT
        })
    );
}

#[test]
fn a_filing_names_the_petitioner_a_way_to_reach_them_and_who_wrote_it_down() {
    let code = PaknCode::new(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), 1).unwrap();
    let at = vn(2026, 3, 2, 9);
    let mut f = filing(PaknChannel::Web);
    f.petitioner.phone = None;
    f.petitioner.email = Some("  ".into());
    assert_eq!(file(code, f, at), Err(PaknError::NoContact));
    let mut f = filing(PaknChannel::Phone);
    f.received_by = None;
    assert_eq!(file(code, f, at), Err(PaknError::NotTranscribed));
    let mut f = filing(PaknChannel::Web);
    f.received_by = Some("tiepnhan".into());
    assert_eq!(file(code, f, at), Err(PaknError::NotTranscribed));
    let mut f = filing(PaknChannel::Hotline);
    f.petitioner.name = "   ".into();
    assert!(matches!(
        file(code, f, at),
        Err(PaknError::Text { field: "name", .. })
    ));
    let Ok(PaknEvent::Filed { filing, .. }) = file(code, filing(PaknChannel::Hotline), at) else {
        panic!("filed")
    };
    assert_eq!(filing.received_by.as_deref(), Some("tiepnhan"));
}

/// Filed on Thursday 12 February 2026, the working days after it are Friday 13, then (Tết off
/// from 14 to 22) Monday 23, 24, 25, 26, 27 February, 2, 3, 4, 5, 6, 9, 10, 11, 12 March.
#[test]
fn every_limit_is_counted_in_working_days_across_tet() {
    let filed = vn(2026, 2, 12, 10);
    let cal = calendar();
    let limits = Limits::default();
    let on = |t: DateTime<Utc>| day(t);
    let d = |m: u32, dd: u32| NaiveDate::from_ymd_opt(2026, m, dd).unwrap();
    assert_eq!(on(cal.add_working_days(filed, limits.refuse)), d(2, 23));
    assert_eq!(
        on(cal.add_working_days(filed, limits.request_info)),
        d(2, 26)
    );
    assert_eq!(on(cal.add_working_days(filed, limits.forward)), d(2, 26));
    assert_eq!(on(cal.add_working_days(filed, limits.answer)), d(3, 12));
    assert_eq!(on(cal.add_working_days(filed, limits.publish)), d(2, 23));

    // Refused on the last day is in time; the next morning, late.
    let refuse = |at| {
        let mut r = Run::filed(filed);
        r.ok(
            PaknCommand::Refuse {
                reason: "Không ghi nội dung.".into(),
            },
            &officer(),
            at,
        );
        r.petition().late
    };
    assert!(!refuse(vn(2026, 2, 23, 10)));
    assert!(refuse(vn(2026, 2, 24, 9)));
    // Forwarded within five working days keeps its code and both agencies.
    let mut r = Run::filed(filed);
    r.ok(
        PaknCommand::Forward {
            to: agency("000.00.15.H22"),
            reason: "Thuộc thẩm quyền Sở Tài nguyên và Môi trường.".into(),
        },
        &officer(),
        vn(2026, 2, 26, 10),
    );
    let p = r.petition();
    assert!(!p.late);
    assert_eq!(p.code.to_string(), "PAKN.20260212.0001");
    assert_eq!(
        p.agencies,
        vec![agency("000.00.14.H22"), agency("000.00.15.H22")]
    );
    assert_eq!(p.state, PaknState::Submitted);
    // The first agency can no longer act on it; the second can.
    assert_eq!(
        r.act(accept(), &officer(), vn(2026, 2, 26, 11)),
        Err(PaknError::OfficerOnly("accept"))
    );
    let second = Actor::new("tnmt", Role::Specialist, Some(agency("000.00.15.H22")));
    r.ok(accept(), &second, vn(2026, 2, 26, 11));
    // Answered on the 15th working day after acceptance, published on the 2nd after that.
    r.ok(answer(), &second, vn(2026, 3, 19, 10));
    r.ok(PaknCommand::Publish, &second, vn(2026, 3, 23, 10));
    assert!(!r.petition().late);
    // A day later each, late.
    let mut late = Run::filed(filed);
    late.ok(accept(), &officer(), filed)
        .ok(answer(), &officer(), vn(2026, 3, 13, 9));
    assert!(late.petition().late);
    let mut late = Run::filed(filed);
    late.ok(accept(), &officer(), filed)
        .ok(answer(), &officer(), filed)
        .ok(PaknCommand::Publish, &officer(), vn(2026, 2, 24, 9));
    assert!(late.petition().late);
}

#[test]
fn swapped_days_count_as_the_calendar_says() {
    // Thursday 24 April 2025: Friday 25, Saturday 26 (worked in exchange), Monday 28, Tuesday
    // 29, then 30/4 and 1/5 are holidays and Friday 2/5 the swapped day off: Monday 5 May.
    let cal = calendar();
    let filed = vn(2025, 4, 24, 10);
    assert_eq!(
        day(cal.add_working_days(filed, Limits::default().request_info)),
        NaiveDate::from_ymd_opt(2025, 5, 5).unwrap()
    );
    assert_eq!(
        day(cal.add_working_days(filed, Limits::default().refuse)),
        NaiveDate::from_ymd_opt(2025, 4, 26).unwrap()
    );
}

#[test]
fn waiting_for_the_petitioner_pauses_the_clock() {
    let filed = vn(2026, 2, 12, 10);
    let mut r = Run::filed(filed);
    r.ok(accept(), &officer(), filed).ok(
        PaknCommand::RequestInfo {
            question: "Xin gửi ảnh chụp văn bản.".into(),
        },
        &officer(),
        vn(2026, 2, 13, 10),
    );
    assert_eq!(due(&r.petition(), &r.cal, &r.limits), None);
    // Supplied two working days later (Friday 13, 10:00 to Tuesday 24, 10:00, across Tết):
    // the answer is due two working days after 12 March.
    r.ok(
        PaknCommand::Supplement {
            text: "Đã gửi kèm ảnh.".into(),
        },
        &petitioner(),
        vn(2026, 2, 24, 10),
    );
    let p = r.petition();
    assert_eq!(p.state, PaknState::Accepted);
    assert_eq!(
        day(due(&p, &r.cal, &r.limits).unwrap()),
        NaiveDate::from_ymd_opt(2026, 3, 16).unwrap()
    );
    r.ok(answer(), &officer(), vn(2026, 3, 16, 10));
    assert!(!r.petition().late);
}

#[test]
fn a_returned_answer_and_a_reopening_count_against_the_petition() {
    let mut r = Run::filed(vn(2026, 3, 2, 9));
    r.ok(accept(), &officer(), vn(2026, 3, 2, 10))
        .ok(answer(), &officer(), vn(2026, 3, 3, 10))
        .ok(
            PaknCommand::ReturnAnswer {
                reason: "Trả lời chưa đúng nội dung kiến nghị.".into(),
            },
            &officer(),
            vn(2026, 3, 4, 10),
        );
    assert_eq!(r.petition().state, PaknState::Accepted);
    assert_eq!(r.petition().answer, None);
    r.ok(answer(), &officer(), vn(2026, 3, 5, 10)).ok(
        PaknCommand::Publish,
        &officer(),
        vn(2026, 3, 6, 10),
    );
    let before = IndexFacts::of(&r.petition(), &r.cal, &r.limits);
    assert!(before.satisfactory());
    r.ok(
        PaknCommand::Reopen {
            reason: "Vẫn bị yêu cầu nộp bản sao.".into(),
        },
        &petitioner(),
        vn(2026, 3, 9, 10),
    );
    let p = r.petition();
    assert_eq!((p.state, p.reopened), (PaknState::Accepted, 1));
    r.ok(answer(), &officer(), vn(2026, 3, 10, 10)).ok(
        PaknCommand::Publish,
        &officer(),
        vn(2026, 3, 11, 10),
    );
    let after = IndexFacts::of(&r.petition(), &r.cal, &r.limits);
    assert!(after.published_at.is_some() && after.in_time(vn(2026, 3, 12, 10)));
    assert!(!after.satisfactory(), "raised again");
    // Past the window (ten working days after publication), no reopening.
    assert_eq!(
        r.act(
            PaknCommand::Reopen {
                reason: "Lần nữa.".into()
            },
            &petitioner(),
            vn(2026, 3, 30, 10)
        ),
        Err(PaknError::ReopenClosed)
    );
}

#[test]
fn limits_are_configured_by_name() {
    let l = Limits::parse("quang-ninh-2027:answer=10, publish=1").unwrap();
    assert_eq!(
        (l.id.as_str(), l.refuse, l.answer, l.publish),
        ("quang-ninh-2027", 2, 10, 1)
    );
    assert_eq!(Limits::parse("qd766-2022").unwrap(), Limits::default());
    for bad in [
        "",
        ":answer=3",
        "x:answer",
        "x:answer=0",
        "x:later=3",
        "x y:answer=3",
    ] {
        assert!(Limits::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn escalation_rules_are_data_counted_in_working_days_past_the_due() {
    let rules = Escalation::parse("tinh-2027:submitted+2:notify=leader,accepted+0:reassign=parent")
        .unwrap();
    assert_eq!(rules.id, "tinh-2027");
    let written: Vec<String> = rules.rules.iter().map(ToString::to_string).collect();
    assert_eq!(
        written,
        ["submitted+2:notify=leader", "accepted+0:reassign=parent"]
    );
    // Written back, a rule reads the same.
    for r in &rules.rules {
        let again = Escalation::parse(&format!("x:{r}")).unwrap();
        assert_eq!(again.rules, vec![*r]);
    }
    for bad in [
        "",
        "x:submitted+2",
        "x:closed+1:notify=leader",
        "x:submitted+1:notify=applicant",
        "x:submitted+1:notify=administrator",
        "x:submitted+-1:notify=leader",
        "x:submitted+1:reassign=nowhere",
        "x:submitted+1:shout=leader",
        "bad id:submitted+1:notify=leader",
    ] {
        assert!(Escalation::parse(bad).is_err(), "{bad:?}");
    }
    assert!(Escalation::parse("quiet:").unwrap().rules.is_empty());
    let defaults = Escalation::default();
    assert_eq!(defaults.id, "default-2026");
    assert!(
        defaults
            .rules
            .iter()
            .all(|r| matches!(r.action, RuleAction::Notify(_)))
    );

    // Due on the Friday before Tết 2026: a day past it is the first working day after.
    let cal = calendar();
    let due = cal
        .add_working_days(vn(2026, 2, 13, 9), 0)
        .max(vn(2026, 2, 13, 9));
    let one = Rule {
        state: PaknState::Submitted,
        overdue_by: 1,
        action: RuleAction::Notify(Role::Leader),
    };
    assert_eq!(
        day(one.fires_at(due, &cal)),
        NaiveDate::from_ymd_opt(2026, 2, 23).unwrap()
    );
    // Filed before Tết, its first step due on 26/2: two working days past it is the close of
    // Monday 2/3, and not before.
    let filed = vn(2026, 2, 12, 10);
    let due = cal.add_working_days(filed, Limits::default().first_step());
    assert_eq!(day(due), NaiveDate::from_ymd_opt(2026, 2, 26).unwrap());
    let at = |d, h| vn(2026, 3, d, h);
    assert_eq!(
        rules
            .due(PaknState::Submitted, due, at(2, 16), &cal)
            .count(),
        0
    );
    let fired: Vec<_> = rules
        .due(PaknState::Submitted, due, at(3, 8), &cal)
        .map(ToString::to_string)
        .collect();
    assert_eq!(fired, ["submitted+2:notify=leader"]);
    // A rule of another state does not fire.
    assert_eq!(
        rules.due(PaknState::Answered, due, at(20, 8), &cal).count(),
        0
    );
}

#[test]
fn a_reassignment_keeps_the_step_and_happens_once_per_due() {
    let mut r = Run::filed(vn(2026, 3, 2, 9));
    r.ok(accept(), &officer(), vn(2026, 3, 2, 10));
    let p = r.petition();
    let due = due(&p, &r.cal, &r.limits).unwrap();
    let rule = Rule {
        state: PaknState::Accepted,
        overdue_by: 3,
        action: RuleAction::Reassign(Target::Parent),
    };
    let parent = agency("000.00.00.H22");
    assert_eq!(Target::Parent.resolve(p.agency), Some(parent));
    assert_eq!(Target::Parent.resolve(parent), None);
    let now = rule.fires_at(due, &r.cal) + Duration::hours(1);
    let event = reassignment(&p, &rule, due, parent, now).unwrap();
    assert!(event.tells_petitioner());
    r.events.push(event);
    let after = r.petition();
    assert_eq!(after.agency, parent);
    assert_eq!(after.agencies, vec![agency("000.00.14.H22"), parent]);
    assert_eq!(after.state, PaknState::Accepted);
    // The clock stays as it was: the agency reached is as late as the one before.
    assert_eq!(super::due(&after, &r.cal, &r.limits), Some(due));
    // Once per rule and due instant; not in another state.
    assert_eq!(
        reassignment(&after, &rule, due, agency("000.00.01.H22"), now),
        None
    );
    let submitted = Rule {
        state: PaknState::Submitted,
        ..rule
    };
    assert_eq!(
        reassignment(&after, &submitted, due, agency("000.00.01.H22"), now),
        None
    );
    // A petition already with the target stays.
    let fresh = Run::filed(vn(2026, 3, 2, 9)).petition();
    let to_self = Rule {
        state: PaknState::Submitted,
        ..rule
    };
    assert_eq!(reassignment(&fresh, &to_self, due, fresh.agency, now), None);
}

#[test]
fn complaints_and_denunciations_are_recognised() {
    assert_eq!(
        not_feedback("Tôi muốn KHIẾU NẠI quyết định xử phạt"),
        Some(NotFeedback::Complaint)
    );
    assert_eq!(
        not_feedback("don to cao can bo xa nhan hoi lo"),
        Some(NotFeedback::Denunciation)
    );
    assert_eq!(not_feedback("Đề nghị bỏ yêu cầu bản sao"), None);
    // Written with diacritics, other words that fold alike are not a denunciation.
    assert_eq!(not_feedback("Yếu tố cao tuổi được ưu tiên"), None);
    assert_eq!(
        not_feedback("Tôi tố cáo việc nhận tiền"),
        Some(NotFeedback::Denunciation)
    );
}

/// An open petition's in-time flag, computed directly: no step taken after its limit, and the
/// step it waits for not past due.
fn oracle(
    events: &[PaknEvent],
    cal: &WorkingCalendar,
    limits: &Limits,
    as_of: DateTime<Utc>,
) -> bool {
    let mut late = false;
    for i in 1..events.len() {
        let before = replay(&events[..i], cal, limits).unwrap();
        let from_receipt = |days| {
            cal.add_working_time(
                cal.add_working_days(before.received_at, days),
                before.paused_before_acceptance,
            )
        };
        let limit = match &events[i] {
            PaknEvent::Refused { .. } => Some(from_receipt(limits.refuse)),
            PaknEvent::Forwarded { .. } => Some(from_receipt(limits.forward)),
            PaknEvent::InfoRequested { .. } if before.accepted_at.is_none() => {
                Some(from_receipt(limits.request_info))
            }
            PaknEvent::Answered { .. } => before.accepted_at.map(|a| {
                cal.add_working_time(
                    cal.add_working_days(a, limits.answer),
                    before.paused_after_acceptance,
                )
            }),
            PaknEvent::Published { .. } => before
                .answered_at
                .map(|a| cal.add_working_days(a, limits.publish)),
            _ => None,
        };
        late |= limit.is_some_and(|l| events[i].at() > l);
    }
    let p = replay(events, cal, limits).unwrap();
    !(late || p.state.open() && due(&p, cal, limits).is_some_and(|d| d < as_of))
}

fn any_command() -> impl Strategy<Value = (u8, u32)> {
    (0u8..12, 0u32..(4 * 24))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn the_in_time_flag_is_the_clock_and_replay_is_incremental(steps in proptest::collection::vec(any_command(), 0..14)) {
        let mut r = Run::filed(vn(2026, 2, 10, 9));
        let mut at = vn(2026, 2, 10, 9);
        let second = Actor::new("tnmt", Role::Specialist, Some(agency("000.00.15.H22")));
        for (kind, hours) in steps {
            at += Duration::hours(i64::from(hours));
            let p = r.petition();
            let officer = if p.agency == agency("000.00.14.H22") { officer() } else { second.clone() };
            let (c, who) = match kind {
                0 => (PaknCommand::Refuse { reason: "Thiếu".into() }, &officer),
                1 => (PaknCommand::RequestInfo { question: "?".into() }, &officer),
                2 => (PaknCommand::Supplement { text: "Đây".into() }, &petitioner()),
                3 | 4 => (accept(), &officer),
                5 => (PaknCommand::Forward { to: if p.agency == agency("000.00.14.H22") { agency("000.00.15.H22") } else { agency("000.00.14.H22") }, reason: "Khác".into() }, &officer),
                6 | 7 => (answer(), &officer),
                8 => (PaknCommand::ReturnAnswer { reason: "Chưa đúng".into() }, &officer),
                9 => (PaknCommand::Publish, &officer),
                10 => (PaknCommand::Rate { satisfied: hours % 2 == 0 }, &petitioner()),
                _ => (PaknCommand::Reopen { reason: "Lại".into() }, &petitioner()),
            };
            let _ = r.act(c, who, at);
        }
        // Whatever the commands, the petition is in one state its fields agree with.
        let p = r.petition();
        prop_assert_eq!(p.agencies.last(), Some(&p.agency));
        prop_assert_eq!(p.state == PaknState::InfoRequested, p.paused_since.is_some());
        prop_assert_eq!(p.answer.is_some(), p.answered_at.is_some());
        prop_assert!(p.state != PaknState::Answered || p.answer.is_some());
        prop_assert!(p.state != PaknState::Published || (p.published_at.is_some() && p.answer.is_some()));
        prop_assert!(p.satisfied.is_none() || p.published_at.is_some(), "rated only once published");
        let as_of = at + Duration::days(3);
        prop_assert_eq!(IndexFacts::of(&p, &r.cal, &r.limits).in_time(as_of), oracle(&r.events, &r.cal, &r.limits, as_of));
        // Open petitions, and only they, wait on a clock (or on the petitioner).
        prop_assert_eq!(p.state.open(), due(&p, &r.cal, &r.limits).is_some() || p.state == PaknState::InfoRequested);
    }
}

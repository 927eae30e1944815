//! The golden scenario: 25 dossiers around the third quarter of 2026, each a branch of the
//! formulas, and five procedures. Every metric's numerator and denominator of both formula
//! sets below was worked out by hand from the formula's words (the comments give the
//! working), not by running the code; so was the report form.

use chrono::NaiveDate;

use super::cohort::{CohortCount, Fee, Outcome};
use super::*;

const P1: &str = "1.000001"; // online, with a fee payable through the gateway
const P2: &str = "1.000002"; // online, no fee
const P3: &str = "1.000003"; // not online, with a fee
const P4: &str = "1.000004"; // online, with a fee not payable online
const P5: &str = "1.000005"; // online, no fee, never used

fn m(month: u32) -> Month {
    Month { year: 2026, month }
}

fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, d).unwrap()
}

/// One dossier: procedure, received, ended, due, outcome, online, fee, e-result, dissatisfied.
#[allow(clippy::too_many_arguments)]
fn d(
    procedure: &str,
    received: u32,
    ended: Option<u32>,
    due: Option<NaiveDate>,
    outcome: Outcome,
    online: bool,
    fee: Fee,
    e_result: bool,
    dissatisfied: bool,
) -> CohortCount {
    CohortCount {
        procedure: procedure.parse().unwrap(),
        cohort: Cohort {
            received: m(received),
            ended: ended.map(m),
            due,
            outcome,
            online,
            fee,
            e_result,
            dissatisfied,
            digitised: false,
            reused: false,
        },
        count: 1,
    }
}

/// The dossiers given with components as electronic files, and of those, the ones that
/// reused a file given before.
const DIGITISED: [usize; 14] = [1, 7, 8, 9, 11, 12, 14, 17, 18, 19, 21, 23, 24, 25];
const REUSED: [usize; 5] = [1, 8, 17, 21, 23];

use Fee::{None as NoFee, PaidInPerson, PaidOnline, Unpaid};
use Outcome::{Early, Late, OnTime, Open, StoppedInTime, StoppedLate};

fn dossiers() -> Vec<CohortCount> {
    let mut all = vec![
        // Carried into the quarter.
        /* 1 */
        d(
            P3,
            6,
            Some(7),
            Some(day(7, 10)),
            Early,
            false,
            NoFee,
            true,
            false,
        ),
        /* 2 */
        d(
            P3,
            6,
            Some(8),
            Some(day(7, 20)),
            Late,
            false,
            PaidInPerson,
            false,
            false,
        ),
        /* 3 */
        d(
            P3,
            5,
            None,
            Some(day(6, 15)),
            Open,
            false,
            NoFee,
            false,
            false,
        ),
        /* 4 */
        d(
            P3,
            6,
            None,
            Some(day(10, 15)),
            Open,
            false,
            NoFee,
            false,
            false,
        ),
        /* 5 */
        d(
            P3,
            4,
            Some(5),
            Some(day(5, 20)),
            OnTime,
            false,
            NoFee,
            false,
            false,
        ),
        /* 6 */
        d(
            P2,
            6,
            Some(7),
            Some(day(7, 31)),
            StoppedInTime,
            false,
            NoFee,
            false,
            false,
        ),
        // Received in the quarter.
        /* 7 */
        d(
            P1,
            7,
            Some(8),
            Some(day(8, 15)),
            Early,
            true,
            PaidOnline,
            true,
            false,
        ),
        /* 8 */
        d(
            P1,
            7,
            Some(7),
            Some(day(7, 20)),
            OnTime,
            true,
            PaidOnline,
            false,
            false,
        ),
        /* 9 */
        d(
            P1,
            7,
            Some(9),
            Some(day(8, 30)),
            Late,
            true,
            Unpaid,
            false,
            false,
        ),
        /* 10 */
        d(
            P3,
            8,
            Some(9),
            Some(day(9, 10)),
            OnTime,
            false,
            PaidInPerson,
            true,
            false,
        ),
        /* 11 */
        d(
            P2,
            8,
            Some(8),
            Some(day(8, 20)),
            Early,
            true,
            NoFee,
            true,
            true,
        ),
        /* 12 */
        d(
            P2,
            8,
            None,
            Some(day(9, 25)),
            Open,
            true,
            NoFee,
            false,
            false,
        ),
        /* 13 */
        d(
            P3,
            9,
            None,
            Some(day(9, 30)),
            Open,
            false,
            Unpaid,
            false,
            false,
        ),
        /* 14 */
        d(
            P4,
            9,
            None,
            Some(day(10, 5)),
            Open,
            true,
            PaidInPerson,
            false,
            false,
        ),
        /* 15 */
        d(
            P3,
            9,
            Some(9),
            Some(day(9, 5)),
            StoppedLate,
            false,
            NoFee,
            false,
            false,
        ),
        /* 16 */
        d(
            P2,
            7,
            Some(7),
            Some(day(7, 25)),
            Early,
            false,
            NoFee,
            false,
            true,
        ),
        /* 17 */
        d(
            P2,
            7,
            Some(8),
            Some(day(8, 5)),
            OnTime,
            true,
            NoFee,
            true,
            false,
        ),
        /* 18 */
        d(
            P2,
            8,
            Some(9),
            Some(day(9, 1)),
            Late,
            true,
            NoFee,
            false,
            true,
        ),
        /* 19 */
        d(
            P1,
            9,
            Some(9),
            Some(day(9, 28)),
            Early,
            true,
            PaidOnline,
            true,
            false,
        ),
        /* 20 */ d(P2, 9, None, None, Open, false, NoFee, false, false),
        // Received in the quarter, ended after it: open at its end.
        /* 21 */
        d(
            P4,
            7,
            Some(10),
            Some(day(9, 20)),
            Late,
            true,
            Unpaid,
            false,
            false,
        ),
        /* 22 */
        d(
            P3,
            7,
            Some(10),
            Some(day(10, 2)),
            Early,
            false,
            PaidInPerson,
            false,
            false,
        ),
        // Received after the quarter.
        /* 23 */
        d(
            P2,
            10,
            None,
            Some(day(10, 20)),
            Open,
            false,
            NoFee,
            false,
            false,
        ),
        /* 24 */
        d(
            P4,
            8,
            Some(8),
            Some(day(8, 25)),
            OnTime,
            false,
            PaidInPerson,
            true,
            false,
        ),
        /* 25 */
        d(
            P4,
            9,
            Some(9),
            Some(day(9, 29)),
            OnTime,
            true,
            PaidOnline,
            false,
            false,
        ),
    ];
    for (i, r) in all.iter_mut().enumerate() {
        r.cohort.digitised = DIGITISED.contains(&(i + 1));
        r.cohort.reused = REUSED.contains(&(i + 1));
    }
    all
}

fn catalog() -> Vec<CatalogEntry> {
    let e = |p: &str, online, with_fee, payable_online| CatalogEntry {
        procedure: p.parse().unwrap(),
        online,
        with_fee,
        payable_online,
    };
    vec![
        e(P1, true, true, true),
        e(P2, true, false, false),
        e(P3, false, true, false),
        e(P4, true, true, false),
        e(P5, true, false, false),
    ]
}

const Q3: Period = Period::Quarter {
    year: 2026,
    quarter: 3,
};

/// Hand-worked numbers, for the third quarter judged on 30 September:
/// - processed (received by September, not ended before July): all but 5 and 23 = 23;
/// - of those in time: 1, 4, 6, 7, 8, 10, 11, 13 (due on the day judged), 14, 16, 17, 19,
///   20 (no appointment), 22 (open at the end, due 2 October), 24, 25 = 16; not: 2, 9, 18
///   (late), 3, 12, 21 (open and overdue), 15 (refused after its appointment) = 7;
/// - satisfactory: the 16 in time less 11 and 16 (rated dissatisfied) = 14;
/// - received in the quarter: 7–22, 24, 25 = 18; online: 7, 8, 9, 11, 12, 14, 17, 18, 19,
///   21, 25 = 11; with a fee: 7, 8, 9, 10, 13, 14, 19, 21, 22, 24, 25 = 11; paid online:
///   7, 8, 19, 25 = 4;
/// - finished with a result in the quarter: 1, 2, 7, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25 =
///   13 (6 and 15 were stopped, 21 and 22 ended in October); with an electronic result: 1,
///   7, 10, 11, 17, 19, 24 = 7;
/// - received in the quarter with digitised components and an electronic result: 7, 11, 17,
///   19, 24 = 5 (10 had its result electronically but no digitised component; 1 and 23 were
///   not received in the quarter); reusing data: 8, 17, 21 = 3 (1 and 23 not received in
///   it);
/// - procedures: 5 in authority, 4 online (P1, P2, P4, P5), of which 3 had an online dossier
///   (P5 none); 3 with a fee (P1, P3, P4), 1 payable online (P1).
const EXPECTED_2026: &[(&str, Option<(u64, u64)>)] = &[
    ("PUBLISH_ON_TIME", None),
    ("PUBLIC_UPDATE_ON_TIME", None),
    ("PUBLIC_CONTENT_FULL", None),
    ("DOSSIER_SYNC", None),
    ("DOSSIER_PROGRESS", Some((16, 23))),
    ("ONLINE_PROCEDURES", Some((4, 5))),
    ("ONLINE_SERVICES_USED", Some((3, 4))),
    ("ONLINE_DOSSIERS", Some((11, 18))),
    ("ONLINE_PAYMENT_DOSSIERS", Some((4, 11))),
    ("ONLINE_PAYMENT_PROCEDURES", Some((1, 3))),
    ("ONLINE_PAYMENT_FEE_DATA", None),
    ("ORIGINAL_RESULT_AVAILABLE", Some((7, 13))),
    ("SO_HOA_GIAY_TO_GIAI_QUYET", None),
    ("ELECTRONIC_CERTIFIED_COPY", None),
    ("REUSED_DIGITIZED_DATA", Some((3, 18))),
    ("SYNCED_WITH_DVCQG_PERSONAL_STORAGE", None),
    ("CITIZEN_DATA_CONNECTED_DOSSIER", None),
    ("CITIZEN_DATA_CONNECTED_FORMALITY", None),
    ("PETITION_PROCESSING_ON_TIME", None),
    ("PETITION_HANDLING_SATISFACTION", None),
    ("DOSSIER_RECEIVING_SATISFACTION", Some((14, 23))),
];

/// The same dossiers under the 2022 Decision's codes.
const EXPECTED_2022: &[(&str, Option<(u64, u64)>)] = &[
    ("1.1", None),
    ("1.2", None),
    ("1.3", None),
    ("1.4", None),
    ("2.1", Some((16, 23))),
    ("3.1", Some((4, 5))),
    ("3.2", Some((3, 4))),
    ("3.3", Some((11, 18))),
    ("3.5", None),
    ("3.6", Some((4, 11))),
    ("4.1", Some((7, 13))),
    ("4.2", Some((5, 18))),
    ("4.3", Some((3, 18))),
    ("4.4", None),
    ("4.5", None),
    ("5.2", None),
    ("5.3", None),
    ("5.4", Some((14, 23))),
];

#[test]
fn every_metric_of_both_sets_matches_the_hand_worked_numbers() {
    let counts = cohort::measures(
        Q3,
        Q3.judged_on(day(12, 31)),
        dossiers().iter().map(CohortCount::counted),
        &cohort::online_uses(&dossiers()),
        &catalog(),
    );
    for (set, expected) in [
        (sets::find("dvcqg-2026-09").unwrap(), EXPECTED_2026),
        (sets::find("qd766-2022").unwrap(), EXPECTED_2022),
    ] {
        let result = evaluate(&set, ScopeKind::Province, &counts);
        let metrics: Vec<&MetricResult> = result.groups.iter().flat_map(|g| &g.metrics).collect();
        assert_eq!(
            metrics.iter().map(|m| m.code).collect::<Vec<_>>(),
            expected.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
            "{}: every metric is in the table, in order",
            set.id
        );
        for (m, (code, numbers)) in metrics.iter().zip(expected) {
            match numbers {
                Some((n, d)) => {
                    assert_eq!(
                        (m.numerator, m.denominator),
                        (Some(*n), Some(*d)),
                        "{} {code}",
                        set.id
                    );
                    assert!(m.flags.is_empty(), "{} {code}: {:?}", set.id, m.flags);
                    assert_eq!(m.ratio, Some(*n as f64 / *d as f64), "{} {code}", set.id);
                }
                None => {
                    assert_eq!(m.flags, vec![Flag::NotAvailable], "{} {code}", set.id);
                    assert_eq!((m.ratio, m.score), (None, None), "{} {code}", set.id);
                }
            }
        }
    }
}

#[test]
fn the_report_form_matches_the_hand_worked_numbers() {
    // Open at the end of September: 3, 4, 12, 13, 14, 20, 21, 22 = 8, of which overdue 3,
    // 12, 21; ended in the quarter: the other 15, early 1, 7, 11, 16, 19, late 2, 9, 18, on
    // time the rest (6 withdrawn and 15 refused among them, as II.06a annotates column 9).
    let f = Form06::of(
        Q3.into(),
        day(9, 30),
        StoppedColumn::OnTime,
        dossiers().iter().map(CohortCount::counted),
    );
    assert_eq!(
        f,
        Form06 {
            received_total: 23,
            received_online: 11,
            received_in_person: 7,
            carried_over: 5,
            resolved_total: 15,
            resolved_early: 5,
            resolved_on_time: 7,
            resolved_late: 3,
            pending_total: 8,
            pending_in_time: 5,
            pending_overdue: 3,
        }
    );
    // With refusals after the appointment counted late, 15 moves from column 9 to 10.
    let by_appointment = Form06::of(
        Q3.into(),
        day(9, 30),
        StoppedColumn::ByAppointment,
        dossiers().iter().map(CohortCount::counted),
    );
    assert_eq!(
        (
            by_appointment.resolved_on_time,
            by_appointment.resolved_late
        ),
        (6, 4)
    );
}

#[test]
fn a_commune_and_the_lists_behind_the_numbers_agree() {
    // Each dossier measure counted dossier by dossier (as the drill-down lists them) adds up
    // to the measure.
    let as_of = Q3.judged_on(day(12, 31));
    let counts = cohort::measures(
        Q3,
        as_of,
        dossiers().iter().map(CohortCount::counted),
        &cohort::online_uses(&dossiers()),
        &catalog(),
    );
    for measure in DOSSIER_MEASURES {
        let listed = dossiers()
            .iter()
            .filter(|r| r.cohort.counts(measure, Q3.into(), as_of) == Some(true))
            .count() as u64;
        assert_eq!(Some(&listed), counts.get(&measure), "{measure:?}");
    }
    // A commune is not judged on the province's duties.
    let set = sets::find("dvcqg-2026-09").unwrap();
    let commune = evaluate(&set, ScopeKind::Commune, &counts);
    let formality = commune
        .groups
        .iter()
        .flat_map(|g| &g.metrics)
        .find(|m| m.code == "CITIZEN_DATA_CONNECTED_FORMALITY")
        .unwrap();
    assert_eq!(formality.flags, vec![Flag::NotApplicable]);
}

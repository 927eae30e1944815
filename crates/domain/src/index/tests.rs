use super::sets::{decision_2022, find, national_2026};
use super::*;

fn counts(pairs: &[(Measure, u64)]) -> Counts {
    pairs.iter().copied().collect()
}

fn metric_of<'a>(r: &'a IndexResult, code: &str) -> &'a MetricResult {
    r.groups
        .iter()
        .flat_map(|g| &g.metrics)
        .find(|m| m.code == code)
        .unwrap_or_else(|| panic!("no metric {code}"))
}

fn group_of<'a>(r: &'a IndexResult, code: &str) -> &'a GroupResult {
    r.groups.iter().find(|g| g.code == code).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn both_sets_score_out_of_100_with_unique_codes() {
    for set in sets::all() {
        assert!(
            close(set.groups.iter().map(|g| g.max).sum(), 100.0),
            "{}",
            set.id
        );
        let mut codes: Vec<&str> = set
            .groups
            .iter()
            .flat_map(|g| g.metrics.iter().map(|m| m.code))
            .collect();
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n, "{}", set.id);
        for g in &set.groups {
            let sum: f64 = g.metrics.iter().map(|m| m.max).sum();
            assert!(
                sum >= g.max - 1e-9,
                "{} {} adds up to {sum}",
                set.id,
                g.code
            );
        }
        assert_eq!(find(set.id).as_ref(), Some(&set));
    }
    assert_eq!(decision_2022().groups.len(), 5);
    assert_eq!(national_2026().groups.len(), 6);
}

// The scoring examples below follow the national portal's observed formulas (checked there
// against published scores only).

#[test]
fn reuse_at_40_percent_is_half_the_points() {
    let r = evaluate(
        &national_2026(),
        ScopeKind::Province,
        &counts(&[
            (Measure::DossiersReusingData, 40),
            (Measure::DossiersReceived, 100),
        ]),
    );
    let m = metric_of(&r, "REUSED_DIGITIZED_DATA");
    assert_eq!((m.numerator, m.denominator), (Some(40), Some(100)));
    assert!(close(m.ratio.unwrap(), 0.4));
    assert!(close(m.score.unwrap(), 1.0));
}

#[test]
fn online_services_score_by_three_ratios() {
    // A = 0.8, B = 0.5, C = 0.25 → min(2, 2A/0.8) + 4B + min(6, 6C/0.5) = 2 + 2 + 3.
    let r = evaluate(
        &national_2026(),
        ScopeKind::Province,
        &counts(&[
            (Measure::ProceduresOnline, 80),
            (Measure::ProceduresInAuthority, 100),
            (Measure::OnlineServicesUsed, 40),
            (Measure::OnlineServices, 80),
            (Measure::DossiersOnline, 25),
            (Measure::DossiersReceived, 100),
        ]),
    );
    let g = group_of(&r, "DICH_VU_CONG_TRUC_TUYEN");
    assert!(close(g.score, 7.0), "{g:?}");
    assert!(close(g.scored_max, 12.0));
}

#[test]
fn dossier_satisfaction_is_full_from_90_percent() {
    let at = |satisfied: u64| {
        let r = evaluate(
            &national_2026(),
            ScopeKind::Province,
            &counts(&[
                (Measure::DossiersSatisfactory, satisfied),
                (Measure::DossiersProcessed, 100),
            ]),
        );
        metric_of(&r, "DOSSIER_RECEIVING_SATISFACTION")
            .score
            .unwrap()
    };
    assert!(close(at(81), 5.4));
    assert!(close(at(90), 6.0));
    assert!(close(at(100), 6.0));
}

#[test]
fn no_feedback_at_all_earns_full_points_and_says_so() {
    let r = evaluate(
        &national_2026(),
        ScopeKind::Province,
        &counts(&[
            (Measure::Petitions, 0),
            (Measure::PetitionsInTime, 0),
            (Measure::PetitionsHandled, 0),
            (Measure::PetitionsSatisfactory, 0),
        ]),
    );
    for code in [
        "PETITION_PROCESSING_ON_TIME",
        "PETITION_HANDLING_SATISFACTION",
    ] {
        let m = metric_of(&r, code);
        assert_eq!(m.score, Some(6.0), "{code}");
        assert_eq!(m.ratio, None, "an undefined ratio stays undefined");
        assert_eq!(m.flags, vec![Flag::NoData]);
    }
}

#[test]
fn what_is_not_counted_is_flagged_never_zero() {
    // Nothing counted: every metric says so, none has a ratio or points.
    let r = evaluate(&national_2026(), ScopeKind::Province, &Counts::new());
    for m in r.groups.iter().flat_map(|g| &g.metrics) {
        assert_eq!(m.flags, vec![Flag::NotAvailable], "{}", m.code);
        assert_eq!((m.ratio, m.score), (None, None), "{}", m.code);
    }
    assert!(close(r.scored_max, 0.0));
    assert!(close(r.score, 0.0));
    // A denominator without its numerator is not a zero ratio either.
    let r = evaluate(
        &national_2026(),
        ScopeKind::Province,
        &counts(&[(Measure::DossiersReceived, 100)]),
    );
    let m = metric_of(&r, "SO_HOA_GIAY_TO_GIAI_QUYET");
    assert_eq!((m.numerator, m.denominator), (None, Some(100)));
    assert_eq!((m.ratio, m.score), (None, None));
    assert_eq!(m.flags, vec![Flag::NotAvailable]);
}

#[test]
fn progress_without_dossiers_is_unscored() {
    let r = evaluate(
        &decision_2022(),
        ScopeKind::Agency,
        &counts(&[
            (Measure::DossiersProcessed, 0),
            (Measure::DossiersInTime, 0),
        ]),
    );
    let m = metric_of(&r, "2.1");
    assert_eq!(m.flags, vec![Flag::NoData]);
    assert_eq!(m.score, None);
    let g = group_of(&r, "TIEN_DO_GIAI_QUYET");
    assert!(close(g.scored_max, 0.0));
    let r = evaluate(
        &decision_2022(),
        ScopeKind::Agency,
        &counts(&[
            (Measure::DossiersProcessed, 200),
            (Measure::DossiersInTime, 190),
        ]),
    );
    assert!(close(metric_of(&r, "2.1").score.unwrap(), 19.0));
}

#[test]
fn a_commune_is_not_judged_on_provincial_duties() {
    let r = evaluate(&national_2026(), ScopeKind::Commune, &Counts::new());
    let m = metric_of(&r, "PUBLISH_ON_TIME");
    assert_eq!(m.flags, vec![Flag::NotApplicable]);
    assert_eq!(m.score, Some(6.0));
    // A province is.
    let r = evaluate(&national_2026(), ScopeKind::Province, &Counts::new());
    assert_eq!(
        metric_of(&r, "PUBLISH_ON_TIME").flags,
        vec![Flag::NotAvailable]
    );
}

#[test]
fn a_group_never_exceeds_its_maximum() {
    let r = evaluate(
        &national_2026(),
        ScopeKind::Province,
        &counts(&[
            (Measure::DossiersPaidOnline, 10),
            (Measure::DossiersWithFee, 10),
            (Measure::ProceduresPayableOnline, 5),
            (Measure::ProceduresFeeOnPortal, 5),
            (Measure::ProceduresWithFee, 5),
        ]),
    );
    let g = group_of(&r, "THANH_TOAN_TRUC_TUYEN");
    assert!(close(g.score, 10.0), "6 + 2 + 2.5 capped: {g:?}");
}

#[test]
fn points_stay_within_zero_and_the_maximum() {
    for ratio in [-1.0, 0.0, 0.3, 0.8, 1.0, 1.7] {
        for scoring in [Scoring::Linear, Scoring::FullAt(0.8), Scoring::FullAt(0.0)] {
            let p = points(scoring, 6.0, ratio);
            assert!((0.0..=6.0).contains(&p), "{scoring:?} {ratio} {p}");
        }
    }
}

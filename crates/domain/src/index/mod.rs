//! The service index (Bộ chỉ số phục vụ người dân, doanh nghiệp; Decision 766/QĐ-TTg): scores
//! computed from counts by formula sets kept as data. A formula set names its groups and their
//! metrics; a metric is a ratio of two counts ([`Measure`]) scored against its maximum, fully
//! at a threshold or in proportion. This module does no counting: the store counts the
//! measures for a scope and a period, and [`evaluate`] turns them into the index. A measure
//! motcua cannot count (the national portal's synchronisation, feedback before it exists) is
//! absent, and its metric says so with a flag rather than a number made up.
//!
//! Two sets ship ([`sets`]): the 2022 Decision's five groups and the national portal's six
//! groups as observed in 2026. Where a weight or a rule is not confirmed by an official text,
//! the set says so ([`FormulaSet::notes`]).

pub mod cohort;
mod period;
pub mod petitions;
pub mod sets;

use std::collections::BTreeMap;

pub use cohort::{
    CatalogEntry, Cohort, CohortError, DOSSIER_MEASURES, Fee, Form06, Month, OnlineUse, Outcome,
    Span, StoppedColumn,
};
pub use period::{Period, PeriodError};

/// A count the formulas divide, for one scope and period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Measure {
    /// Procedures announced in the period / of those, announced on time.
    ProceduresToAnnounce,
    ProceduresAnnouncedOnTime,
    /// Procedures to publish in the national database / published on time.
    ProceduresToPublish,
    ProceduresPublishedOnTime,
    /// Procedures published / published with every required part.
    ProceduresPublished,
    ProceduresComplete,
    /// Dossiers to synchronise with the national portal / synchronised on time.
    DossiersToSync,
    DossiersSyncedOnTime,
    /// Dossiers processed in the period: received before its end and not finished before its
    /// start.
    DossiersProcessed,
    /// Of those: finished early or on time in the period, or still open and within time at
    /// its end.
    DossiersInTime,
    /// Procedures the scope handles / of those, offered online (partly or fully).
    ProceduresInAuthority,
    ProceduresOnline,
    /// Procedures offered online / of those, with at least one online dossier in the period.
    OnlineServices,
    OnlineServicesUsed,
    /// Dossiers received in the period / of those, filed online.
    DossiersReceived,
    DossiersOnline,
    /// Dossiers received in the period with a fee / of those, paid online.
    DossiersWithFee,
    DossiersPaidOnline,
    /// Procedures with a fee / of those, payable online through the province's gateway.
    ProceduresWithFee,
    ProceduresPayableOnline,
    /// Procedures with a fee / of those, with their fee data on the national portal.
    ProceduresFeeOnPortal,
    /// Dossiers finished in the period / of those, with an electronic result.
    DossiersFinished,
    DossiersWithEResult,
    /// Of the dossiers received in the period: with digitised components and an electronic
    /// result.
    DossiersDigitised,
    /// Dossiers received in the period / digitised and linked to the applicant's documents on
    /// the national portal.
    DossiersDigitisedLinked,
    /// Communes / of those, offering electronic certified copies.
    Communes,
    CommunesCertifyingCopies,
    /// Dossiers received in the period / of those, with a component reused from earlier data.
    DossiersReusingData,
    /// Dossiers whose components were all replaced by data from the personal storage.
    DossiersFromPersonalStorage,
    /// Dossiers using the population database / procedures mapped to the data dictionary.
    DossiersUsingPopulationData,
    ProceduresMappedToData,
    /// Feedback (PAKN) within competence / handled early, on time or within time.
    Petitions,
    PetitionsInTime,
    /// Feedback handled / of those, without dissatisfaction, re-raising or lateness.
    PetitionsHandled,
    PetitionsSatisfactory,
    /// Of the dossiers processed in the period: neither late, nor rated dissatisfied, nor the
    /// subject of feedback.
    DossiersSatisfactory,
}

/// Counted values of the measures; a measure absent was not counted.
pub type Counts = BTreeMap<Measure, u64>;

/// How a metric's ratio becomes points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scoring {
    /// `max × ratio`.
    Linear,
    /// Full points from this ratio on, in proportion below it: `max × min(1, ratio ÷ t)`.
    FullAt(f64),
}

/// The points of a metric whose denominator is zero (nothing to judge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoData {
    /// Full points (e.g. no feedback received: nothing handled late).
    Full,
    /// No score: the ratio is undefined and the metric is left out of the group's sum.
    Unscored,
}

/// The scopes a metric is judged at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    Everywhere,
    /// The province (and its departments), not a commune.
    NotCommunes,
}

/// Where the index is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Province,
    Agency,
    Commune,
}

impl ScopeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeKind::Province => "province",
            ScopeKind::Agency => "agency",
            ScopeKind::Commune => "commune",
        }
    }

    pub fn parse(s: &str) -> Option<ScopeKind> {
        [ScopeKind::Province, ScopeKind::Agency, ScopeKind::Commune]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// One metric of a group.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricRule {
    /// The national portal's code where it has one; otherwise motcua's own, named in the set's
    /// notes.
    pub code: &'static str,
    pub name_vi: &'static str,
    pub name_en: &'static str,
    /// The formula in words, as published (Vietnamese).
    pub formula_vi: &'static str,
    pub max: f64,
    pub numerator: Measure,
    pub denominator: Measure,
    pub scoring: Scoring,
    pub no_data: NoData,
    pub applies: Applies,
}

/// A group of metrics; its score is the sum of theirs, capped at its maximum.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub code: &'static str,
    pub name_vi: &'static str,
    pub name_en: &'static str,
    pub max: f64,
    pub metrics: Vec<MetricRule>,
}

/// A versioned formula set.
#[derive(Debug, Clone, PartialEq)]
pub struct FormulaSet {
    pub id: &'static str,
    pub name_vi: &'static str,
    pub name_en: &'static str,
    /// The first day figures are judged by it.
    pub effective_from: chrono::NaiveDate,
    pub groups: Vec<Group>,
    /// How a metric that does not apply to a commune is scored: full points (the national
    /// portal's practice as observed, not confirmed by a text) or left out.
    pub not_applicable: NoData,
    /// What is not confirmed by an official text, in words.
    pub notes: &'static [&'static str],
}

/// Why a metric's figure is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Flag {
    /// Nothing to judge (a zero denominator); the set's rule for it applies.
    NoData,
    /// The metric does not apply to this scope.
    NotApplicable,
    /// motcua does not count this yet (no interconnection, no feedback module…).
    NotAvailable,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::NoData => "no_data",
            Flag::NotApplicable => "not_applicable",
            Flag::NotAvailable => "not_available",
        }
    }
}

/// A metric's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricResult {
    pub code: &'static str,
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    /// `numerator ÷ denominator`; none when the denominator is zero or not counted.
    pub ratio: Option<f64>,
    /// None when the metric is not scored (no rule gives it points).
    pub score: Option<f64>,
    pub max: f64,
    pub flags: Vec<Flag>,
}

/// A group's figures: the sum of its metrics' scores (capped at its maximum), and how much of
/// the maximum could be scored at all.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupResult {
    pub code: &'static str,
    pub score: f64,
    pub max: f64,
    /// The maxima of the metrics that have a score.
    pub scored_max: f64,
    pub metrics: Vec<MetricResult>,
}

/// The index of one scope and period.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexResult {
    pub formula_set: &'static str,
    pub score: f64,
    pub max: f64,
    pub scored_max: f64,
    pub groups: Vec<GroupResult>,
}

/// Points for `ratio` under `scoring`, out of `max`.
pub fn points(scoring: Scoring, max: f64, ratio: f64) -> f64 {
    let ratio = ratio.clamp(0.0, 1.0);
    match scoring {
        Scoring::Linear => max * ratio,
        Scoring::FullAt(t) if t > 0.0 => max * (ratio / t).min(1.0),
        Scoring::FullAt(_) => max,
    }
}

/// One metric from the counts.
pub fn metric(
    rule: &MetricRule,
    scope: ScopeKind,
    not_applicable: NoData,
    counts: &Counts,
) -> MetricResult {
    let mut out = MetricResult {
        code: rule.code,
        numerator: counts.get(&rule.numerator).copied(),
        denominator: counts.get(&rule.denominator).copied(),
        ratio: None,
        score: None,
        max: rule.max,
        flags: Vec::new(),
    };
    let by_rule = |rule: NoData| match rule {
        NoData::Full => Some(out.max),
        NoData::Unscored => None,
    };
    if scope == ScopeKind::Commune && rule.applies == Applies::NotCommunes {
        out.flags.push(Flag::NotApplicable);
        out.score = by_rule(not_applicable);
        return out;
    }
    match (out.numerator, out.denominator) {
        (Some(n), Some(d)) if d > 0 => {
            let ratio = n as f64 / d as f64;
            out.ratio = Some(ratio);
            out.score = Some(points(rule.scoring, rule.max, ratio));
        }
        (Some(_), Some(_)) => {
            out.flags.push(Flag::NoData);
            out.score = by_rule(rule.no_data);
        }
        _ => {
            // Not counted: said so, and neither a ratio nor points are invented.
            out.flags.push(Flag::NotAvailable);
        }
    }
    out
}

/// The index of a scope from its counts under `set`.
pub fn evaluate(set: &FormulaSet, scope: ScopeKind, counts: &Counts) -> IndexResult {
    let groups: Vec<GroupResult> = set
        .groups
        .iter()
        .map(|g| {
            let metrics: Vec<MetricResult> = g
                .metrics
                .iter()
                .map(|m| metric(m, scope, set.not_applicable, counts))
                .collect();
            let score = metrics.iter().filter_map(|m| m.score).sum::<f64>();
            let scored_max = metrics
                .iter()
                .filter(|m| m.score.is_some())
                .map(|m| m.max)
                .sum::<f64>();
            GroupResult {
                code: g.code,
                score: score.min(g.max),
                max: g.max,
                scored_max: scored_max.min(g.max),
                metrics,
            }
        })
        .collect();
    IndexResult {
        formula_set: set.id,
        score: groups.iter().map(|g| g.score).sum(),
        max: groups.iter().map(|g| g.max).sum(),
        scored_max: groups.iter().map(|g| g.scored_max).sum(),
        groups,
    }
}

#[cfg(test)]
mod golden;
#[cfg(test)]
mod tests;

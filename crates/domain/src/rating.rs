//! Satisfaction ratings added up: counts per level, the share of satisfied applicants, and
//! each criterion's average score rounded to one decimal as Circular 01/2018 (art. 15)
//! aggregates indicators. Pure: the store keeps ratings, the web shows the tallies.

use crate::lifecycle::{CriterionScore, RatingCriterion, Satisfaction};

/// Ratings of one officer, counter, branch or agency (or any other grouping).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    pub very_satisfied: u64,
    pub satisfied: u64,
    pub dissatisfied: u64,
    /// Per criterion (in [`RatingCriterion::ALL`] order): the sum of scores and how many
    /// ratings scored it.
    #[serde(skip)]
    pub criteria: [(u64, u64); 4],
}

fn slot(c: RatingCriterion) -> usize {
    RatingCriterion::ALL
        .iter()
        .position(|x| *x == c)
        .unwrap_or_default()
}

/// Rounds to one decimal, half away from zero.
fn one_decimal(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

impl Tally {
    /// Counts `n` ratings of `level`.
    pub fn add_level(&mut self, level: Satisfaction, n: u64) {
        match level {
            Satisfaction::VerySatisfied => self.very_satisfied += n,
            Satisfaction::Satisfied => self.satisfied += n,
            Satisfaction::Dissatisfied => self.dissatisfied += n,
        }
    }

    /// Counts one rating with its criterion scores.
    pub fn add(&mut self, level: Satisfaction, criteria: &[CriterionScore]) {
        self.add_level(level, 1);
        for c in criteria {
            self.add_criterion(c.criterion, u64::from(c.score), 1);
        }
    }

    /// Adds `n` scores summing to `sum` for a criterion.
    pub fn add_criterion(&mut self, c: RatingCriterion, sum: u64, n: u64) {
        let s = &mut self.criteria[slot(c)];
        s.0 += sum;
        s.1 += n;
    }

    pub fn merge(&mut self, other: &Tally) {
        self.very_satisfied += other.very_satisfied;
        self.satisfied += other.satisfied;
        self.dissatisfied += other.dissatisfied;
        for (a, b) in self.criteria.iter_mut().zip(other.criteria) {
            a.0 += b.0;
            a.1 += b.1;
        }
    }

    pub fn total(&self) -> u64 {
        self.very_satisfied + self.satisfied + self.dissatisfied
    }

    /// The share (percent, one decimal) rating "very satisfied" or "satisfied"; none without
    /// ratings.
    pub fn satisfied_percent(&self) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| {
            one_decimal(100.0 * (self.very_satisfied + self.satisfied) as f64 / total as f64)
        })
    }

    /// A criterion's average score (0–2, one decimal); none when nobody scored it.
    pub fn criterion_average(&self, c: RatingCriterion) -> Option<f64> {
        let (sum, n) = self.criteria[slot(c)];
        (n > 0).then(|| one_decimal(sum as f64 / n as f64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn shares_and_averages_round_to_one_decimal() {
        let mut t = Tally::default();
        assert_eq!(t.satisfied_percent(), None);
        t.add(
            Satisfaction::VerySatisfied,
            &[CriterionScore {
                criterion: RatingCriterion::Attitude,
                score: 2,
            }],
        );
        t.add(
            Satisfaction::Satisfied,
            &[CriterionScore {
                criterion: RatingCriterion::Attitude,
                score: 1,
            }],
        );
        t.add(Satisfaction::Dissatisfied, &[]);
        assert_eq!(t.total(), 3);
        assert_eq!(t.satisfied_percent(), Some(66.7));
        assert_eq!(t.criterion_average(RatingCriterion::Attitude), Some(1.5));
        assert_eq!(t.criterion_average(RatingCriterion::Contacts), None);
        let mut u = Tally::default();
        u.add_level(Satisfaction::Satisfied, 7);
        u.add_criterion(RatingCriterion::Attitude, 5, 4);
        u.merge(&t);
        assert_eq!((u.satisfied, u.total()), (8, 10));
        assert_eq!(u.satisfied_percent(), Some(90.0));
        assert_eq!(u.criterion_average(RatingCriterion::Attitude), Some(1.3));
    }

    proptest! {
        /// Merging tallies equals tallying everything at once, and the share stays in 0–100.
        #[test]
        fn merging_is_adding(levels in prop::collection::vec(0usize..3, 0..60), split in 0usize..60) {
            let split = split.min(levels.len());
            let (mut all, mut a, mut b) = (Tally::default(), Tally::default(), Tally::default());
            for (i, l) in levels.iter().enumerate() {
                let level = Satisfaction::ALL[*l];
                all.add(level, &[]);
                if i < split { a.add(level, &[]) } else { b.add(level, &[]) }
            }
            a.merge(&b);
            prop_assert_eq!(a, all);
            if let Some(p) = all.satisfied_percent() {
                prop_assert!((0.0..=100.0).contains(&p));
            }
        }
    }
}

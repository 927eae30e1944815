//! Rollups of the statistics: counts per metric and period (a day, and a month) for each
//! combination of "one agency or all", "one procedure or all" and "one branch or all" — eight
//! grouping sets at two grains. A row's size is bounded by the calendar, the agencies, the
//! procedures, the branches and the metrics, never by the number of dossiers, and every filter
//! the statistics take (agency, procedure, branch, period) is a prefix of the primary key, so
//! a year's figures read at most twelve month rows and the days at its edges per metric.
//!
//! A rollup is a sum over the dossiers' fact rows ([`DossierFacts`]); a write changes it by the
//! difference between the dossier's contributions after and before, in the write's own
//! transaction. [`Rollup`] gathers such differences in memory and writes them in one statement
//! per few hundred rows.

use std::collections::HashMap;
use std::hash::Hash;

use chrono::{Datelike, NaiveDate};
use motcua_domain::facts::{DossierFacts, Metric};
use motcua_domain::ids::{AgencyCode, ProcedureCode};
use motcua_domain::index::{Cohort, Month};
use sqlx::AnyConnection;

use crate::bulk::{self, Value};

use crate::contract::Backend;
use crate::error::StoreError;

/// A rollup row's key. `None` in a dimension means "all"; a branch of `Some(None)` is the
/// dossiers filed at no branch (online, by post).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Key {
    pub(crate) month: bool,
    pub(crate) agency: Option<AgencyCode>,
    pub(crate) procedure: Option<ProcedureCode>,
    pub(crate) branch: Option<Option<String>>,
    /// The day, or the first day of the month.
    pub(crate) day: NaiveDate,
    pub(crate) metric: Metric,
}

/// The stored value meaning "every agency / procedure / branch".
pub(crate) const ALL: &str = "*";

impl Key {
    pub(crate) fn grain(&self) -> &'static str {
        if self.month { "m" } else { "d" }
    }

    pub(crate) fn period(&self) -> String {
        if self.month {
            self.day.format("%Y-%m").to_string()
        } else {
            self.day.format("%Y-%m-%d").to_string()
        }
    }

    pub(crate) fn agency_col(&self) -> String {
        all_or(self.agency)
    }

    pub(crate) fn procedure_col(&self) -> String {
        all_or(self.procedure)
    }

    /// A key from its stored columns.
    pub(crate) fn read(
        grain: &str,
        agency: &str,
        procedure: &str,
        branch: &str,
        period: &str,
        metric: &str,
    ) -> Result<Key, StoreError> {
        let bad = |what: &str, v: &str| StoreError::Corrupt(format!("rollup {what} {v:?}"));
        let month = match grain {
            "d" => false,
            "m" => true,
            g => return Err(bad("grain", g)),
        };
        let day = if month {
            NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d")
        } else {
            NaiveDate::parse_from_str(period, "%Y-%m-%d")
        }
        .map_err(|_| bad("period", period))?;
        Ok(Key {
            month,
            agency: (agency != ALL)
                .then(|| AgencyCode::parse(agency).map_err(|_| bad("agency", agency)))
                .transpose()?,
            procedure: (procedure != ALL)
                .then(|| ProcedureCode::parse(procedure).map_err(|_| bad("procedure", procedure)))
                .transpose()?,
            branch: (branch != ALL).then(|| (!branch.is_empty()).then(|| branch.to_string())),
            day,
            metric: Metric::parse(metric).ok_or_else(|| bad("metric", metric))?,
        })
    }

    pub(crate) fn branch_col(&self) -> String {
        match &self.branch {
            None => ALL.to_string(),
            Some(b) => branch_col(b.as_deref()),
        }
    }
}

/// How a dossier's branch is stored: its code, or the empty string for none.
pub(crate) fn branch_col(b: Option<&str>) -> String {
    b.unwrap_or_default().to_string()
}

/// A cohort rollup row's key: the competent agency, the procedure and the cohort; `None` is
/// "every agency" or "every procedure". A dossier counts in three rows: its agency and
/// procedure's, its agency's and the province's.
pub(crate) type CohortKey = (Option<AgencyCode>, Option<ProcedureCode>, Cohort);

/// An online use rollup row's key: the competent agency (`None`: every agency), the procedure
/// and the month received.
pub(crate) type UseKey = (Option<AgencyCode>, ProcedureCode, Month);

/// The key columns of the cohort rollup, in its primary key's order.
pub(crate) const COHORT_KEY: [&str; 5] = [
    "agency_code",
    "procedure_code",
    "received",
    "ended",
    "cohort",
];

/// How an agency or a procedure is stored in a rollup row: its code, or "all".
fn all_or<T: ToString>(v: Option<T>) -> String {
    v.map_or(ALL.to_string(), |v| v.to_string())
}

/// The entries with a count other than zero, in key order.
fn nonzero<K: Ord + Hash>(counts: &HashMap<K, i64>) -> Vec<(&K, i64)> {
    let mut rows: Vec<(&K, i64)> = counts
        .iter()
        .filter(|(_, v)| **v != 0)
        .map(|(k, v)| (k, *v))
        .collect();
    rows.sort();
    rows
}

/// The keys whose counts differ between `a` and `b` (a missing key counts zero), in key order.
fn differing<K: Ord + Hash + Clone>(a: &HashMap<K, i64>, b: &HashMap<K, i64>) -> Vec<K> {
    let count = |m: &HashMap<K, i64>, k: &K| m.get(k).copied().unwrap_or(0);
    let mut keys: Vec<K> = a
        .keys()
        .chain(b.keys())
        .filter(|k| count(a, k) != count(b, k))
        .cloned()
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Counts to add to rollup rows.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Rollup {
    counts: HashMap<Key, i64>,
    cohorts: HashMap<CohortKey, i64>,
    uses: HashMap<UseKey, i64>,
}

impl Rollup {
    /// Adds `sign` × the contributions of one dossier's facts.
    pub(crate) fn add(&mut self, f: &DossierFacts, sign: i64) {
        if let Some(c) = f.cohort {
            let (a, p) = (f.competent_agency, f.procedure);
            for key in [(Some(a), Some(p), c), (Some(a), None, c), (None, None, c)] {
                *self.cohorts.entry(key).or_insert(0) += sign;
            }
            if let Some(month) = c.online_use() {
                for key in [(Some(a), p, month), (None, p, month)] {
                    *self.uses.entry(key).or_insert(0) += sign;
                }
            }
        }
        for (day, metric) in f.tally.entries() {
            let month = day.with_day(1).unwrap_or(*day);
            for (is_month, d) in [(false, *day), (true, month)] {
                for set in 0u8..8 {
                    let key = Key {
                        month: is_month,
                        agency: (set & 1 != 0).then_some(f.competent_agency),
                        procedure: (set & 2 != 0).then_some(f.procedure),
                        branch: (set & 4 != 0).then(|| f.branch.as_ref().map(|b| b.to_string())),
                        day: d,
                        metric: *metric,
                    };
                    *self.counts.entry(key).or_insert(0) += sign;
                }
            }
        }
    }

    /// The change from a dossier's facts `before` to `after`.
    pub(crate) fn change(&mut self, before: Option<&DossierFacts>, after: &DossierFacts) {
        if let Some(b) = before {
            self.add(b, -1);
        }
        self.add(after, 1);
    }

    pub(crate) fn merge(&mut self, other: Rollup) {
        for (k, v) in other.counts {
            *self.counts.entry(k).or_insert(0) += v;
        }
        for (k, v) in other.cohorts {
            *self.cohorts.entry(k).or_insert(0) += v;
        }
        for (k, v) in other.uses {
            *self.uses.entry(k).or_insert(0) += v;
        }
    }

    /// The cohort rows with a count other than zero, in key order.
    pub(crate) fn cohort_rows(&self) -> Vec<(&CohortKey, i64)> {
        nonzero(&self.cohorts)
    }

    pub(crate) fn cohort_count(&self, key: &CohortKey) -> i64 {
        self.cohorts.get(key).copied().unwrap_or(0)
    }

    pub(crate) fn set_cohort(&mut self, key: CohortKey, count: i64) {
        self.cohorts.insert(key, count);
    }

    /// The cohort keys whose counts differ from `other`'s, in key order.
    pub(crate) fn cohort_differences(&self, other: &Rollup) -> Vec<CohortKey> {
        differing(&self.cohorts, &other.cohorts)
    }

    pub(crate) fn use_count(&self, key: &UseKey) -> i64 {
        self.uses.get(key).copied().unwrap_or(0)
    }

    pub(crate) fn set_use(&mut self, key: UseKey, count: i64) {
        self.uses.insert(key, count);
    }

    /// The online use keys whose counts differ from `other`'s, in key order.
    pub(crate) fn use_differences(&self, other: &Rollup) -> Vec<UseKey> {
        differing(&self.uses, &other.uses)
    }

    /// The rows with a count other than zero, in key order.
    pub(crate) fn rows(&self) -> Vec<(&Key, i64)> {
        nonzero(&self.counts)
    }

    pub(crate) fn set(&mut self, key: Key, count: i64) {
        self.counts.insert(key, count);
    }

    /// The keys whose counts differ from `other`'s (a missing key counts zero), in key order.
    pub(crate) fn differences(&self, other: &Rollup) -> Vec<Key> {
        differing(&self.counts, &other.counts)
    }

    pub(crate) fn get(&self, key: &Key) -> i64 {
        self.counts.get(key).copied().unwrap_or(0)
    }

    /// Adds the counts to the stored rows, in key order (a few hundred rows per statement).
    pub(crate) async fn flush(
        &mut self,
        conn: &mut AnyConnection,
        backend: Backend,
    ) -> Result<(), StoreError> {
        let rows: Vec<Vec<Value>> = self
            .rows()
            .into_iter()
            .map(|(k, v)| {
                vec![
                    Value::from(k.grain()),
                    Value::from(k.agency_col()),
                    Value::from(k.procedure_col()),
                    Value::from(k.branch_col()),
                    Value::from(k.period()),
                    Value::from(k.metric.as_str()),
                    Value::from(v),
                ]
            })
            .collect();
        bulk::insert(
            conn,
            backend,
            "stats_rollup",
            &[
                "grain",
                "agency_code",
                "procedure_code",
                "branch_code",
                "period",
                "metric",
                "count",
            ],
            " ON CONFLICT (grain, agency_code, procedure_code, branch_code, period, metric) \
             DO UPDATE SET count = stats_rollup.count + excluded.count",
            rows,
        )
        .await?;
        let rows: Vec<Vec<Value>> = self
            .cohort_rows()
            .into_iter()
            .map(|((agency, procedure, cohort), v)| {
                vec![
                    Value::from(all_or(*agency)),
                    Value::from(all_or(*procedure)),
                    Value::from(cohort.received.label()),
                    Value::from(cohort.ended.map(|m| m.label()).unwrap_or_default()),
                    Value::from(cohort.encode()),
                    Value::from(v),
                ]
            })
            .collect();
        bulk::insert(
            conn,
            backend,
            "stats_cohorts",
            &[COHORT_KEY.as_slice(), &["count"]].concat(),
            " ON CONFLICT (agency_code, procedure_code, received, ended, cohort) \
             DO UPDATE SET count = stats_cohorts.count + excluded.count",
            rows,
        )
        .await?;
        let rows: Vec<Vec<Value>> = nonzero(&self.uses)
            .into_iter()
            .map(|((agency, procedure, month), v)| {
                vec![
                    Value::from(all_or(*agency)),
                    Value::from(month.label()),
                    Value::from(procedure.to_string()),
                    Value::from(v),
                ]
            })
            .collect();
        bulk::insert(
            conn,
            backend,
            "stats_online_use",
            &["agency_code", "month", "procedure_code", "count"],
            " ON CONFLICT (agency_code, month, procedure_code) \
             DO UPDATE SET count = stats_online_use.count + excluded.count",
            rows,
        )
        .await?;
        self.counts.clear();
        self.cohorts.clear();
        self.uses.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use motcua_domain::facts::Tally;
    use motcua_domain::lifecycle::{Channel, Status};

    fn facts(tally: &str, branch: Option<&str>) -> DossierFacts {
        DossierFacts {
            procedure: ProcedureCode::parse("1.001234").unwrap(),
            receiving_agency: AgencyCode::parse("000.00.01.H22").unwrap(),
            competent_agency: AgencyCode::parse("000.00.02.H22").unwrap(),
            current_agency: AgencyCode::parse("000.00.02.H22").unwrap(),
            branch: branch.map(Into::into),
            channel: Channel::Counter,
            status: Status::Received,
            submitted_at: Utc.with_ymd_and_hms(2025, 6, 2, 2, 0, 0).unwrap(),
            received_at: None,
            due_at: None,
            finished_at: None,
            returned_at: None,
            timeliness: None,
            supplement_requests: 0,
            supplement_secs: 0,
            prepaid_fee: 0,
            fee_paid: 0,
            rating: None,
            cohort: None,
            tally: Tally::decode(tally).unwrap(),
        }
    }

    #[test]
    fn each_occurrence_counts_in_sixteen_rows_and_changes_cancel() {
        let before = facts("2025-06-02 submitted", Some("QN-HQ"));
        let after = facts("2025-06-02 submitted;2025-06-30 received", Some("QN-HQ"));
        let mut r = Rollup::default();
        r.add(&before, 1);
        assert_eq!(r.rows().len(), 16);
        let all_day = Key {
            month: false,
            agency: None,
            procedure: None,
            branch: None,
            day: NaiveDate::from_ymd_opt(2025, 6, 2).unwrap(),
            metric: Metric::Submitted,
        };
        assert_eq!(r.get(&all_day), 1);
        let june = Key {
            month: true,
            day: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
            ..all_day.clone()
        };
        assert_eq!(june.period(), "2025-06");
        assert_eq!(r.get(&june), 1);
        let mut change = Rollup::default();
        change.change(Some(&before), &after);
        // Only the new occurrence remains: sixteen rows of `received`.
        assert_eq!(change.rows().len(), 16);
        assert!(
            change
                .rows()
                .iter()
                .all(|(k, v)| k.metric == Metric::Received && *v == 1)
        );
        r.merge(change);
        assert_eq!(r.rows().len(), 32);
        let none = facts("2025-06-02 submitted", None);
        let mut online = Rollup::default();
        online.add(&none, 1);
        assert!(online.rows().iter().any(|(k, _)| k.branch_col().is_empty()));
        assert!(online.rows().iter().any(|(k, _)| k.branch_col() == ALL));
    }
}

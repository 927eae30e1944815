//! Statistics read from the rollups, and the rebuild that recomputes the facts and rollups from
//! the event log (`motcua stats rebuild [--verify]`).

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Months, NaiveDate};
use motcua_domain::facts::{DossierFacts, Tally};
use motcua_domain::ids::{AgencyCode, DossierCode, ProcedureCode};
use motcua_domain::index::{Cohort, CohortCount, Month};
use motcua_domain::lifecycle::{Event, replay};
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Executor, Row};

use crate::bulk;
use crate::chain::Envelope;
use crate::contract::Backend;
use crate::error::StoreError;
use crate::model::{Cohorts, CountedDossier, StatRow, StatsCheck, StatsFilter};
use crate::record::{FACT_COLUMNS, FACTS_UPSERT, facts_from, facts_row};
use crate::rollup::{ALL, Rollup};
use crate::sql::{SqlStore, from_ms, parse};

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn month(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

/// The periods that make up `from..=to`: whole months, read from month rows, and the days at
/// either edge, read from day rows. Each range is inclusive; `None` leaves it empty.
struct Split {
    months: Option<(String, String)>,
    head_days: Option<(String, String)>,
    tail_days: Option<(String, String)>,
}

fn first_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn split(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Split {
    // The first whole month starts on or after `from`; the last one ends on or before `to`.
    let first_month = from.map(|f| {
        if f.day() == 1 {
            f
        } else {
            first_of(f) + Months::new(1)
        }
    });
    let last_month = to.map(|t| {
        let next = t.succ_opt().unwrap_or(t);
        if next.day() == 1 {
            first_of(t)
        } else {
            first_of(t) - Months::new(1)
        }
    });
    let whole = match (first_month, last_month) {
        (Some(a), Some(b)) => a <= b,
        _ => true,
    };
    if !whole {
        return Split {
            months: None,
            head_days: match (from, to) {
                (Some(f), Some(t)) if f <= t => Some((day(f), day(t))),
                _ => None,
            },
            tail_days: None,
        };
    }
    let head_days = match (from, first_month) {
        (Some(f), Some(m)) if f < m => m.pred_opt().map(|e| (day(f), day(e))),
        _ => None,
    };
    let tail_days = match (to, last_month) {
        (Some(t), Some(m)) => {
            let end = m + Months::new(1);
            (t >= end).then(|| (day(end), day(t)))
        }
        _ => None,
    };
    Split {
        months: Some((
            first_month.map_or("0000-01".into(), month),
            last_month.map_or("9999-12".into(), month),
        )),
        head_days,
        tail_days,
    }
}

/// Counters over a period, read from the rollups: per day (day rows), or totals (month rows for
/// the whole months, day rows for the edges).
pub(crate) async fn stats(reader: &AnyPool, f: &StatsFilter) -> Result<Vec<StatRow>, StoreError> {
    let agency = f.agency.map_or(ALL.to_string(), |a| a.to_string());
    let procedure = f.procedure.map_or(ALL.to_string(), |p| p.to_string());
    let branch = f.branch.clone().unwrap_or_else(|| ALL.to_string());
    if f.by_day {
        let rows = sqlx::query(
            "SELECT period, metric, count FROM stats_rollup WHERE grain = 'd' AND agency_code = $1 \
             AND procedure_code = $2 AND branch_code = $3 AND period >= $4 AND period <= $5 \
             ORDER BY period, metric",
        )
        .bind(&agency)
        .bind(&procedure)
        .bind(&branch)
        .bind(f.from.map_or("0000-01-01".into(), day))
        .bind(f.to.map_or("9999-12-31".into(), day))
        .fetch_all(reader)
        .await?;
        return rows
            .iter()
            .filter(|r| r.try_get::<i64, _>("count").is_ok_and(|n| n != 0))
            .map(|r| {
                let d: String = r.try_get("period")?;
                Ok(StatRow {
                    day: Some(
                        NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                            .map_err(|_| StoreError::Corrupt(d.clone()))?,
                    ),
                    metric: r.try_get("metric")?,
                    count: r.try_get("count")?,
                })
            })
            .collect();
    }
    let s = split(f.from, f.to);
    let empty = || ("1".to_string(), "0".to_string());
    let (m0, m1) = s.months.unwrap_or_else(empty);
    let (h0, h1) = s.head_days.unwrap_or_else(empty);
    let (t0, t1) = s.tail_days.unwrap_or_else(empty);
    let rows = sqlx::query(
        "SELECT metric, CAST(SUM(count) AS BIGINT) AS n FROM ( \
           SELECT metric, count FROM stats_rollup WHERE grain = 'm' AND agency_code = $1 \
             AND procedure_code = $2 AND branch_code = $3 AND period >= $4 AND period <= $5 \
           UNION ALL \
           SELECT metric, count FROM stats_rollup WHERE grain = 'd' AND agency_code = $1 \
             AND procedure_code = $2 AND branch_code = $3 AND period >= $6 AND period <= $7 \
           UNION ALL \
           SELECT metric, count FROM stats_rollup WHERE grain = 'd' AND agency_code = $1 \
             AND procedure_code = $2 AND branch_code = $3 AND period >= $8 AND period <= $9 \
         ) t GROUP BY metric ORDER BY metric",
    )
    .bind(&agency)
    .bind(&procedure)
    .bind(&branch)
    .bind(m0)
    .bind(m1)
    .bind(h0)
    .bind(h1)
    .bind(t0)
    .bind(t1)
    .fetch_all(reader)
    .await?;
    rows.iter()
        .filter(|r| r.try_get::<i64, _>("n").is_ok_and(|n| n != 0))
        .map(|r| {
            Ok(StatRow {
                day: None,
                metric: r.try_get("metric")?,
                count: r.try_get("n")?,
            })
        })
        .collect()
}

/// Procedures with the most dossiers filed since the month of `since`, most first.
pub(crate) async fn popular(
    reader: &AnyPool,
    since: NaiveDate,
    limit: u32,
) -> Result<Vec<(ProcedureCode, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT procedure_code, CAST(SUM(count) AS BIGINT) AS n FROM stats_rollup \
         WHERE metric = 'submitted' AND grain = 'm' AND agency_code = '*' AND branch_code = '*' \
         AND period >= $1 AND procedure_code <> '*' \
         GROUP BY procedure_code ORDER BY n DESC, procedure_code LIMIT $2",
    )
    .bind(month(since))
    .bind(i64::from(limit))
    .fetch_all(reader)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                parse("procedure code", &r.try_get::<String, _>("procedure_code")?)?,
                r.try_get("n")?,
            ))
        })
        .collect()
}

/// The cohort rollup's rows a period from `first` to `last` counts, summed per competent
/// agency, procedure and cohort, with the chain's last event they include (read in one
/// snapshot).
pub(crate) async fn cohorts(
    reader: &AnyPool,
    backend: Backend,
    first: Month,
    last: Month,
) -> Result<Cohorts, StoreError> {
    let mut tx = reader.begin().await?;
    if backend == Backend::Postgres {
        tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
    }
    let high_water_seq: i64 = sqlx::query_scalar("SELECT seq FROM chain_head WHERE id = 1")
        .fetch_one(&mut *tx)
        .await?;
    // One row per agency, procedure and cohort already (the month columns follow from the
    // cohort), so no grouping.
    let rows = sqlx::query(
        "SELECT agency_code, procedure_code, cohort, count AS n FROM stats_cohorts \
         WHERE received <= $1 AND (ended = '' OR ended >= $2) AND count > 0",
    )
    .bind(last.label())
    .bind(first.label())
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    // The same agencies, procedures and cohorts come back on many rows: each is read once.
    let mut agencies: HashMap<String, AgencyCode> = HashMap::new();
    let mut procedures: HashMap<String, ProcedureCode> = HashMap::new();
    let mut cohorts: HashMap<String, Cohort> = HashMap::new();
    let bad = |what: &str, v: &str| StoreError::Corrupt(format!("cohort rollup {what} {v:?}"));
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let n: i64 = r.try_get("n")?;
        let agency: &str = r.try_get("agency_code")?;
        let procedure: &str = r.try_get("procedure_code")?;
        let cohort: &str = r.try_get("cohort")?;
        let agency = match agencies.get(agency) {
            Some(a) => *a,
            None => {
                let a = AgencyCode::parse(agency).map_err(|_| bad("agency", agency))?;
                *agencies.entry(agency.to_string()).or_insert(a)
            }
        };
        let procedure = match procedures.get(procedure) {
            Some(p) => *p,
            None => {
                let p = ProcedureCode::parse(procedure).map_err(|_| bad("procedure", procedure))?;
                *procedures.entry(procedure.to_string()).or_insert(p)
            }
        };
        let cohort = match cohorts.get(cohort) {
            Some(c) => *c,
            None => {
                let c = Cohort::decode(cohort).map_err(|_| bad("cohort", cohort))?;
                *cohorts.entry(cohort.to_string()).or_insert(c)
            }
        };
        out.push((
            agency,
            CohortCount {
                procedure,
                cohort,
                count: n as u64,
            },
        ));
    }
    Ok(Cohorts {
        high_water_seq,
        rows: out,
    })
}

/// Received dossiers' facts in code order after `after`, received by the end of month
/// `received_by` (the cohort starts with its month, so a text comparison selects them), of
/// the competent agencies `agencies`.
pub(crate) async fn counted_dossiers(
    reader: &AnyPool,
    after: Option<&DossierCode>,
    received_by: Month,
    agencies: Option<&[AgencyCode]>,
    limit: u32,
) -> Result<Vec<CountedDossier>, StoreError> {
    let within = match agencies {
        None => String::new(),
        Some([]) => return Ok(Vec::new()),
        Some(list) => format!(
            " AND competent_agency IN ({})",
            (0..list.len())
                .map(|i| format!("${}", i + 4))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let sql = format!(
        "SELECT code, competent_agency, procedure_code, cohort, status, received_at, due_at, \
         finished_at, channel, supplement_requests, rating FROM dossier_facts WHERE code > $1 AND cohort <> '' \
         AND substr(cohort, 1, 7) <= $2{within} ORDER BY code LIMIT $3"
    );
    // Only numbered placeholders are formatted into the text; every value is bound.
    let mut q = sqlx::query(AssertSqlSafe(sql))
        .bind(after.map(|c| c.to_string()).unwrap_or_default())
        .bind(received_by.label())
        .bind(i64::from(limit));
    for a in agencies.unwrap_or_default() {
        q = q.bind(a.to_string());
    }
    let time = |v: Option<i64>| v.map(from_ms).transpose();
    q.fetch_all(reader)
        .await?
        .iter()
        .map(|r| {
            let (competent_agency, procedure, cohort) = cohort_key(
                &r.try_get::<String, _>("competent_agency")?,
                &r.try_get::<String, _>("procedure_code")?,
                &r.try_get::<String, _>("cohort")?,
            )?;
            Ok(CountedDossier {
                code: parse("dossier code", &r.try_get::<String, _>("code")?)?,
                competent_agency,
                procedure,
                cohort,
                status: r.try_get("status")?,
                received_at: time(r.try_get("received_at")?)?,
                due_at: time(r.try_get("due_at")?)?,
                finished_at: time(r.try_get("finished_at")?)?,
                channel: r.try_get("channel")?,
                supplement_requests: r.try_get("supplement_requests")?,
                rating: r.try_get("rating")?,
            })
        })
        .collect()
}

/// Dossiers read per round of the rebuild.
const CHUNK: i64 = 500;
/// Examples of differences kept for the report.
const EXAMPLES: usize = 10;

/// Recomputes every dossier's facts from its events and every rollup from the facts, compares
/// them with what is stored, and with `write` replaces what differs. Writing runs as a write of
/// its own in the chain's order, so no other write interleaves; checking reads one consistent
/// snapshot and blocks nobody.
pub(crate) async fn rebuild(store: &SqlStore, write: bool) -> Result<StatsCheck, StoreError> {
    let backend = store.backend;
    if write {
        return store
            .chain
            .write_alone(move |l| Box::pin(async move { recompute(l.conn(), backend, true).await }))
            .await;
    }
    let mut tx = store.reader.begin().await?;
    if backend == Backend::Postgres {
        tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
    }
    let check = recompute(&mut tx, backend, false).await?;
    tx.commit().await?;
    Ok(check)
}

async fn recompute(
    conn: &mut AnyConnection,
    backend: Backend,
    write: bool,
) -> Result<StatsCheck, StoreError> {
    let mut check = StatsCheck::default();
    let mut expected = Rollup::default();
    let mut after = String::new();
    loop {
        let codes: Vec<String> =
            sqlx::query("SELECT code FROM dossiers WHERE code > $1 ORDER BY code LIMIT $2")
                .bind(&after)
                .bind(CHUNK)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| r.try_get("code"))
                .collect::<Result<_, _>>()?;
        let (Some(first), Some(last)) = (codes.first().cloned(), codes.last().cloned()) else {
            break;
        };
        let mut histories: BTreeMap<String, Vec<Event>> = BTreeMap::new();
        let rows = sqlx::query(
            "SELECT stream, body FROM events WHERE stream >= $1 AND stream <= $2 ORDER BY stream, version",
        )
        .bind(&first)
        .bind(&last)
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            let stream: String = r.try_get("stream")?;
            if stream == crate::work::ADMIN_STREAM {
                continue;
            }
            let env: Envelope = serde_json::from_str(&r.try_get::<String, _>("body")?)?;
            histories.entry(stream).or_default().push(env.event);
        }
        let mut stored: BTreeMap<String, DossierFacts> = BTreeMap::new();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM dossier_facts WHERE code >= $1 AND code <= $2",
            FACT_COLUMNS.join(", ")
        )))
        .bind(&first)
        .bind(&last)
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            stored.insert(r.try_get("code")?, facts_from(r)?);
        }
        let mut rewrite = Vec::new();
        for code in &codes {
            let events = histories.get(code).map(Vec::as_slice).unwrap_or_default();
            let state =
                replay(events).map_err(|e| StoreError::Corrupt(format!("dossier {code}: {e}")))?;
            let facts = DossierFacts::project(&state, Tally::of(events));
            expected.add(&facts, 1);
            check.dossiers += 1;
            if stored.get(code) != Some(&facts) {
                check.facts_differing += 1;
                if check.examples.len() < EXAMPLES {
                    check.examples.push(match stored.get(code) {
                        None => format!("dossier {code} has no facts"),
                        Some(_) => format!("the facts of dossier {code} differ from its events"),
                    });
                }
                if write {
                    rewrite.push(facts_row(code, events.len() as u32, &facts));
                }
            }
        }
        bulk::insert(
            conn,
            backend,
            "dossier_facts",
            &FACT_COLUMNS,
            FACTS_UPSERT,
            rewrite,
        )
        .await?;
        after = last;
    }
    // Compare the rollups with the sums over the facts (a zero row counts as absent).
    let mut seen = Rollup::default();
    let mut last_key: Option<(String, String, String, String, String, String)> = None;
    loop {
        let rows = match &last_key {
            None => {
                sqlx::query(
                    "SELECT grain, agency_code, procedure_code, branch_code, period, metric, count \
                     FROM stats_rollup ORDER BY grain, agency_code, procedure_code, branch_code, period, metric LIMIT 5000",
                )
                .fetch_all(&mut *conn)
                .await?
            }
            Some(k) => {
                sqlx::query(
                    "SELECT grain, agency_code, procedure_code, branch_code, period, metric, count \
                     FROM stats_rollup WHERE (grain, agency_code, procedure_code, branch_code, period, metric) > \
                     ($1, $2, $3, $4, $5, $6) \
                     ORDER BY grain, agency_code, procedure_code, branch_code, period, metric LIMIT 5000",
                )
                .bind(&k.0)
                .bind(&k.1)
                .bind(&k.2)
                .bind(&k.3)
                .bind(&k.4)
                .bind(&k.5)
                .fetch_all(&mut *conn)
                .await?
            }
        };
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let k = (
                r.try_get::<String, _>("grain")?,
                r.try_get::<String, _>("agency_code")?,
                r.try_get::<String, _>("procedure_code")?,
                r.try_get::<String, _>("branch_code")?,
                r.try_get::<String, _>("period")?,
                r.try_get::<String, _>("metric")?,
            );
            let count: i64 = r.try_get("count")?;
            let key = crate::rollup::Key::read(&k.0, &k.1, &k.2, &k.3, &k.4, &k.5)?;
            if count != 0 {
                seen.set(key, count);
            }
            last_key = Some(k);
        }
    }
    let differing = expected.differences(&seen);
    check.rollups_differing = differing.len() as u64;
    for k in differing
        .iter()
        .take(EXAMPLES.saturating_sub(check.examples.len()))
    {
        check.examples.push(format!(
            "rollup {} {} {} {} {} {}: stored {}, from the facts {}",
            k.grain(),
            k.agency_col(),
            k.procedure_col(),
            k.branch_col(),
            k.period(),
            k.metric.as_str(),
            seen.get(k),
            expected.get(k)
        ));
    }
    // The cohort rollup likewise.
    let mut after_key = (
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    );
    loop {
        let rows = sqlx::query(
            "SELECT agency_code, procedure_code, received, ended, cohort, count FROM stats_cohorts \
             WHERE (agency_code, procedure_code, received, ended, cohort) > ($1, $2, $3, $4, $5) \
             ORDER BY agency_code, procedure_code, received, ended, cohort LIMIT 5000",
        )
        .bind(&after_key.0)
        .bind(&after_key.1)
        .bind(&after_key.2)
        .bind(&after_key.3)
        .bind(&after_key.4)
        .fetch_all(&mut *conn)
        .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let k: (String, String, String, String, String) = (
                r.try_get("agency_code")?,
                r.try_get("procedure_code")?,
                r.try_get("received")?,
                r.try_get("ended")?,
                r.try_get("cohort")?,
            );
            let count: i64 = r.try_get("count")?;
            if count != 0 {
                seen.set_cohort(cohort_key(&k.0, &k.1, &k.4)?, count);
            }
            after_key = k;
        }
    }
    let differing = expected.cohort_differences(&seen);
    check.rollups_differing += differing.len() as u64;
    for k in differing
        .iter()
        .take(EXAMPLES.saturating_sub(check.examples.len()))
    {
        check.examples.push(format!(
            "cohort {} {} {}: stored {}, from the facts {}",
            k.0,
            k.1,
            k.2.encode(),
            seen.cohort_count(k),
            expected.cohort_count(k)
        ));
    }
    if write && check.rollups_differing > 0 {
        sqlx::query("DELETE FROM stats_rollup")
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM stats_cohorts")
            .execute(&mut *conn)
            .await?;
        expected.flush(conn, backend).await?;
    }
    check.rewritten = write && (check.facts_differing > 0 || check.rollups_differing > 0);
    Ok(check)
}

/// A stored cohort rollup key.
fn cohort_key(
    agency: &str,
    procedure: &str,
    cohort: &str,
) -> Result<crate::rollup::CohortKey, StoreError> {
    let bad = |what: &str, v: &str| StoreError::Corrupt(format!("cohort rollup {what} {v:?}"));
    Ok((
        AgencyCode::parse(agency).map_err(|_| bad("agency", agency))?,
        ProcedureCode::parse(procedure).map_err(|_| bad("procedure", procedure))?,
        Cohort::decode(cohort).map_err(|_| bad("cohort", cohort))?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn show(s: &Split) -> String {
        let r = |x: &Option<(String, String)>| {
            x.as_ref()
                .map_or("-".to_string(), |(a, b)| format!("{a}..{b}"))
        };
        format!(
            "{} | {} | {}",
            r(&s.head_days),
            r(&s.months),
            r(&s.tail_days)
        )
    }

    #[test]
    fn periods_split_into_whole_months_and_edge_days() {
        assert_eq!(
            show(&split(Some(d("2025-03-15")), Some(d("2026-02-10")))),
            "2025-03-15..2025-03-31 | 2025-04..2026-01 | 2026-02-01..2026-02-10"
        );
        assert_eq!(
            show(&split(Some(d("2025-01-01")), Some(d("2025-12-31")))),
            "- | 2025-01..2025-12 | -"
        );
        assert_eq!(
            show(&split(Some(d("2025-06-02")), Some(d("2025-06-02")))),
            "2025-06-02..2025-06-02 | - | -"
        );
        assert_eq!(
            show(&split(Some(d("2025-06-10")), Some(d("2025-07-05")))),
            "2025-06-10..2025-07-05 | - | -"
        );
        assert_eq!(show(&split(None, None)), "- | 0000-01..9999-12 | -");
        assert_eq!(
            show(&split(Some(d("2026-01-01")), None)),
            "- | 2026-01..9999-12 | -"
        );
        assert_eq!(
            show(&split(None, Some(d("2024-02-28")))),
            "- | 0000-01..2024-01 | 2024-02-01..2024-02-28"
        );
        assert_eq!(
            show(&split(None, Some(d("2024-02-29")))),
            "- | 0000-01..2024-02 | -"
        );
        assert_eq!(
            show(&split(Some(d("2025-06-02")), Some(d("2025-06-01")))),
            "- | - | -"
        );
    }
}

//! Statistics read from the rollups, and the rebuild that recomputes the facts and rollups from
//! the event log (`motcua stats rebuild [--verify]`).

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Months, NaiveDate};
use motcua_domain::facts::{DossierFacts, Tally};
use motcua_domain::ids::{AgencyCode, DossierCode, ProcedureCode};
use motcua_domain::index::{Cohort, Month, OnlineUse};
use motcua_domain::lifecycle::{Event, replay};
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Executor, Row};

use crate::bulk;
use crate::chain::Envelope;
use crate::contract::Backend;
use crate::error::StoreError;
use crate::model::{
    CohortGrain, CohortRow, Cohorts, CountedDossier, StatRow, StatsCheck, StatsFilter,
};
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

/// ` AND {column} IN ($n, …)` over `list` with placeholders from `$from`, or nothing for
/// none.
fn agency_in(column: &str, list: Option<&[AgencyCode]>, from: usize) -> String {
    match list {
        None => String::new(),
        Some(list) => format!(
            " AND {column} IN ({})",
            (0..list.len())
                .map(|i| format!("${}", i + from))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The cohort rollup's rows at `grain` that a period from `first` to `last` counts (received
/// by its end and not ended before its start), and the online uses of its months, with the
/// chain's last event they include (read in one snapshot).
pub(crate) async fn cohorts(
    reader: &AnyPool,
    backend: Backend,
    first: Month,
    last: Month,
    grain: &CohortGrain,
) -> Result<Cohorts, StoreError> {
    let (rows_where, uses_where, list) = match grain {
        CohortGrain::Province => (
            "agency_code = '*' AND procedure_code = '*'",
            "agency_code = '*'",
            None,
        ),
        CohortGrain::Agency(list) => (
            "agency_code <> '*' AND procedure_code = '*'",
            "agency_code <> '*'",
            list.as_deref(),
        ),
        CohortGrain::Procedure(list) => (
            "agency_code <> '*' AND procedure_code <> '*'",
            "agency_code <> '*'",
            list.as_deref(),
        ),
    };
    if list.is_some_and(|l| l.is_empty()) {
        return Ok(Cohorts {
            high_water_seq: chain_seq(reader).await?,
            rows: Vec::new(),
            uses: Vec::new(),
        });
    }
    let within = agency_in("agency_code", list, 3);
    let mut tx = reader.begin().await?;
    if backend == Backend::Postgres {
        tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
    }
    let high_water_seq = chain_seq(&mut *tx).await?;
    // One row per agency, procedure and cohort already (the month columns follow from the
    // cohort), so no grouping. Only numbered placeholders are formatted into the texts; every
    // value is bound.
    let sql = format!(
        "SELECT agency_code, procedure_code, cohort, count AS n FROM stats_cohorts \
         WHERE {rows_where} AND received <= $1 AND (ended = '' OR ended >= $2) AND count > 0{within}"
    );
    let mut q = sqlx::query(AssertSqlSafe(sql))
        .bind(last.label())
        .bind(first.label());
    for a in list.unwrap_or_default() {
        q = q.bind(a.to_string());
    }
    let rows = q.fetch_all(&mut *tx).await?;
    let sql = format!(
        "SELECT agency_code, procedure_code, month FROM stats_online_use \
         WHERE {uses_where} AND month >= $1 AND month <= $2 AND count > 0{within}"
    );
    let mut q = sqlx::query(AssertSqlSafe(sql))
        .bind(first.label())
        .bind(last.label());
    for a in list.unwrap_or_default() {
        q = q.bind(a.to_string());
    }
    let use_rows = q.fetch_all(&mut *tx).await?;
    tx.commit().await?;
    // The same agencies, procedures, cohorts and months come back on many rows: each is
    // read once.
    let mut codes = Codes::default();
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let n: i64 = r.try_get("n")?;
        out.push(CohortRow {
            agency: codes.agency(r.try_get("agency_code")?)?,
            procedure: codes.procedure(r.try_get("procedure_code")?)?,
            cohort: codes.cohort(r.try_get("cohort")?)?,
            count: n as u64,
        });
    }
    let mut uses = Vec::with_capacity(use_rows.len());
    for r in &use_rows {
        let procedure: &str = r.try_get("procedure_code")?;
        let month: &str = r.try_get("month")?;
        uses.push((
            codes.agency(r.try_get("agency_code")?)?,
            OnlineUse {
                procedure: codes
                    .procedure(procedure)?
                    .ok_or_else(|| corrupt("procedure", procedure))?,
                month: Month::parse(month).ok_or_else(|| corrupt("month", month))?,
            },
        ));
    }
    Ok(Cohorts {
        high_water_seq,
        rows: out,
        uses,
    })
}

/// The sequence number of the chain's last event.
pub(crate) async fn chain_seq<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(
    e: E,
) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT seq FROM chain_head WHERE id = 1")
            .fetch_one(e)
            .await?,
    )
}

fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("cohort rollup {what} {v:?}"))
}

/// The rollups' codes and cohorts, each decoded once per reading; "all" (`*`) is none.
#[derive(Default)]
struct Codes {
    agencies: HashMap<String, Option<AgencyCode>>,
    procedures: HashMap<String, Option<ProcedureCode>>,
    cohorts: HashMap<String, Cohort>,
}

impl Codes {
    fn agency(&mut self, v: &str) -> Result<Option<AgencyCode>, StoreError> {
        decoded(&mut self.agencies, v, |v| {
            (v != ALL)
                .then(|| AgencyCode::parse(v).map_err(|_| corrupt("agency", v)))
                .transpose()
        })
    }

    fn procedure(&mut self, v: &str) -> Result<Option<ProcedureCode>, StoreError> {
        decoded(&mut self.procedures, v, |v| {
            (v != ALL)
                .then(|| ProcedureCode::parse(v).map_err(|_| corrupt("procedure", v)))
                .transpose()
        })
    }

    fn cohort(&mut self, v: &str) -> Result<Cohort, StoreError> {
        decoded(&mut self.cohorts, v, |v| {
            Cohort::decode(v).map_err(|_| corrupt("cohort", v))
        })
    }
}

/// `v` decoded by `decode`, from `seen` when it was decoded before.
fn decoded<T: Copy>(
    seen: &mut HashMap<String, T>,
    v: &str,
    decode: impl FnOnce(&str) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    if let Some(t) = seen.get(v) {
        return Ok(*t);
    }
    let t = decode(v)?;
    seen.insert(v.to_string(), t);
    Ok(t)
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
    if agencies.is_some_and(|l| l.is_empty()) {
        return Ok(Vec::new());
    }
    let within = agency_in("competent_agency", agencies, 4);
    let sql = format!(
        "SELECT {COUNTED_COLUMNS} FROM dossier_facts WHERE code > $1 AND cohort <> '' \
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
    q.fetch_all(reader)
        .await?
        .iter()
        .map(counted_from)
        .collect()
}

/// The columns of a facts row a [`CountedDossier`] is read from.
pub(crate) const COUNTED_COLUMNS: &str = "code, competent_agency, procedure_code, cohort, status, \
     received_at, due_at, finished_at, channel, supplement_requests, rating";

/// A received dossier's facts row as the figures count it.
pub(crate) fn counted_from(r: &sqlx::any::AnyRow) -> Result<CountedDossier, StoreError> {
    let time = |v: Option<i64>| v.map(from_ms).transpose();
    let cohort: String = r.try_get("cohort")?;
    Ok(CountedDossier {
        code: parse("dossier code", &r.try_get::<String, _>("code")?)?,
        competent_agency: parse("agency code", &r.try_get::<String, _>("competent_agency")?)?,
        procedure: parse("procedure code", &r.try_get::<String, _>("procedure_code")?)?,
        cohort: Cohort::decode(&cohort).map_err(|_| corrupt("cohort", &cohort))?,
        status: r.try_get("status")?,
        received_at: time(r.try_get("received_at")?)?,
        due_at: time(r.try_get("due_at")?)?,
        finished_at: time(r.try_get("finished_at")?)?,
        channel: r.try_get("channel")?,
        supplement_requests: r.try_get("supplement_requests")?,
        rating: r.try_get("rating")?,
    })
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
            if stream == crate::work::ADMIN_STREAM
                || stream.starts_with(crate::pakn::PETITION_STREAM_PREFIX)
            {
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
    // The cohort and online use rollups likewise.
    let mut codes = Codes::default();
    each_row(
        &mut *conn,
        "stats_cohorts",
        &crate::rollup::COHORT_KEY,
        |k, count| {
            let key = (
                codes.agency(&k[0])?,
                codes.procedure(&k[1])?,
                codes.cohort(&k[4])?,
            );
            seen.set_cohort(key, count);
            Ok(())
        },
    )
    .await?;
    each_row(
        &mut *conn,
        "stats_online_use",
        &["agency_code", "month", "procedure_code"],
        |k, count| {
            let key = (
                codes.agency(&k[0])?,
                codes
                    .procedure(&k[2])?
                    .ok_or_else(|| corrupt("procedure", &k[2]))?,
                Month::parse(&k[1]).ok_or_else(|| corrupt("month", &k[1]))?,
            );
            seen.set_use(key, count);
            Ok(())
        },
    )
    .await?;
    let all = |v: Option<String>| v.unwrap_or_else(|| ALL.to_string());
    let mut differing: Vec<(String, i64, i64)> = expected
        .cohort_differences(&seen)
        .iter()
        .map(|k| {
            (
                format!(
                    "cohort {} {} {}",
                    all(k.0.map(|a| a.to_string())),
                    all(k.1.map(|p| p.to_string())),
                    k.2.encode()
                ),
                seen.cohort_count(k),
                expected.cohort_count(k),
            )
        })
        .collect();
    differing.extend(expected.use_differences(&seen).iter().map(|k| {
        (
            format!(
                "online use {} {} {}",
                all(k.0.map(|a| a.to_string())),
                k.1,
                k.2.label()
            ),
            seen.use_count(k),
            expected.use_count(k),
        )
    }));
    check.rollups_differing += differing.len() as u64;
    for (k, stored, computed) in differing
        .iter()
        .take(EXAMPLES.saturating_sub(check.examples.len()))
    {
        check
            .examples
            .push(format!("{k}: stored {stored}, from the facts {computed}"));
    }
    if write && check.rollups_differing > 0 {
        sqlx::query("DELETE FROM stats_rollup")
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM stats_cohorts")
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM stats_online_use")
            .execute(&mut *conn)
            .await?;
        expected.flush(conn, backend).await?;
    }
    check.rewritten = write && (check.facts_differing > 0 || check.rollups_differing > 0);
    Ok(check)
}

/// Calls `f` with the text key columns `key` and the count of each row of rollup `table`
/// whose count is not zero, in key order, a page at a time.
async fn each_row(
    conn: &mut AnyConnection,
    table: &str,
    key: &[&str],
    mut f: impl FnMut(&[String], i64) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let columns = key.join(", ");
    let after = (1..=key.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    // Only the table's own column names and numbered placeholders are formatted in.
    let sql = format!(
        "SELECT {columns}, count FROM {table} WHERE ({columns}) > ({after}) \
         ORDER BY {columns} LIMIT 5000"
    );
    let mut last = vec![String::new(); key.len()];
    loop {
        let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
        for v in &last {
            q = q.bind(v.clone());
        }
        let rows = q.fetch_all(&mut *conn).await?;
        if rows.is_empty() {
            return Ok(());
        }
        for r in &rows {
            last = key
                .iter()
                .map(|c| r.try_get::<String, _>(*c))
                .collect::<Result<_, _>>()?;
            let count: i64 = r.try_get("count")?;
            if count != 0 {
                f(&last, count)?;
            }
        }
    }
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

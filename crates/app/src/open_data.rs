//! Open data: the figures behind the published statistics as files anyone can download and
//! check. Three datasets, per closed month (`2026-03`) and closed year (`2025`), as CSV and JSON:
//!
//! - `dossiers`: one pseudonymous row per dossier received in the period (procedure, agency,
//!   commune, channel, dates, outcome, supplements, fee, electronic result, rating; no code,
//!   no applicant, no officer). The commune is left blank where fewer than
//!   [`SMALL_CELL`] dossiers of the procedure came from it in the file: such a row could
//!   point at a person.
//! - `daily`: the province's counters per day and metric.
//! - `index`: the service index of the province and of each agency and commune under it.
//!
//! Files are a pure function of the data: the same high-water mark of the event chain gives
//! byte-identical files, and the manifest carries each file's SHA-256. Only closed periods are
//! published (open dossiers are judged on the period's last day), and the files are made
//! again at most once per [`REFRESH`] when the chain has moved on, so a manifest and the files
//! it lists always come from the same snapshot.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use motcua_domain::calendar::TZ;
use motcua_domain::index::{Fee, Month, Period, ScopeKind};
use motcua_store::{AgencyKind, CountedDossier, StatsFilter};
use sha2::Digest;

use crate::App;
use crate::error::{AppError, Kind};
use crate::monitoring::{self, IndexQuery, IndexReport};

/// Fewer dossiers than this of one procedure from one commune in a file: the commune is blank.
pub const SMALL_CELL: usize = 3;
/// The files are made again at most this often.
pub const REFRESH: Duration = Duration::from_secs(3600);

/// The datasets, by the name in their URL.
pub const DATASETS: [&str; 3] = ["dossiers", "daily", "index"];

/// One published file.
#[derive(Debug, Clone)]
pub struct OpenFile {
    pub dataset: &'static str,
    /// `2026-03` or `2025`.
    pub period: String,
    /// `csv` or `json`.
    pub format: &'static str,
    pub bytes: Arc<Vec<u8>>,
    pub rows: usize,
    pub sha256: String,
}

/// Every file, made from one state of the data.
#[derive(Debug)]
pub struct Snapshot {
    pub high_water_seq: i64,
    pub files: Vec<OpenFile>,
    made: Instant,
}

impl Snapshot {
    pub fn file(&self, dataset: &str, period: &str, format: &str) -> Option<&OpenFile> {
        self.files
            .iter()
            .find(|f| f.dataset == dataset && f.period == period && f.format == format)
    }
}

/// The snapshot in use, made again when stale.
#[derive(Default)]
pub struct Cache {
    current: tokio::sync::Mutex<Option<Arc<Snapshot>>>,
}

/// The snapshot of the files: the one in use while it is younger than [`REFRESH`] or the
/// chain has not moved, else a new one.
pub async fn snapshot(state: &App) -> Result<Arc<Snapshot>, AppError> {
    let mut current = state.open_data.current.lock().await;
    if let Some(s) = current.as_ref()
        && s.made.elapsed() < REFRESH
    {
        return Ok(s.clone());
    }
    let head = state.store.chain_seq().await?;
    if let Some(s) = current.as_ref()
        && s.high_water_seq == head
    {
        return Ok(s.clone());
    }
    let made = Arc::new(make(state).await?);
    *current = Some(made.clone());
    Ok(made)
}

/// What one dossier row says.
#[derive(serde::Serialize)]
struct DossierRow {
    procedure: String,
    agency: String,
    /// Blank where suppressed, or when the agency is not a commune.
    commune: String,
    channel: String,
    received_on: String,
    due_on: String,
    /// The month it ended (result, refusal or withdrawal); blank while open.
    ended_in: String,
    finished_on: String,
    outcome: &'static str,
    supplements: i64,
    fee: &'static str,
    paid_online: bool,
    e_result: bool,
    /// Given with components as electronic files.
    digitised: bool,
    /// With a component reused from data given before.
    reused_data: bool,
    rating: String,
}

fn day(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.with_timezone(&TZ).format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn dossier_row(d: &CountedDossier, communes: &BTreeMap<String, bool>) -> DossierRow {
    let agency = d.competent_agency.to_string();
    let is_commune = communes.get(&agency).copied().unwrap_or(false);
    DossierRow {
        procedure: d.procedure.to_string(),
        commune: if is_commune {
            agency.clone()
        } else {
            String::new()
        },
        agency,
        channel: d.channel.clone(),
        received_on: day(d.received_at),
        due_on: day(d.due_at),
        ended_in: d.cohort.ended.map(Month::label).unwrap_or_default(),
        finished_on: day(d.finished_at),
        outcome: d.cohort.outcome.as_str(),
        supplements: d.supplement_requests,
        fee: d.cohort.fee.as_str(),
        paid_online: d.cohort.fee == Fee::PaidOnline,
        e_result: d.cohort.e_result,
        digitised: d.cohort.digitised,
        reused_data: d.cohort.reused,
        rating: d.rating.clone().unwrap_or_default(),
    }
}

/// Blanks the commune of rows whose procedure has fewer than [`SMALL_CELL`] rows from that
/// commune in the file.
fn suppress(rows: &mut [DossierRow]) {
    let mut cells: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in rows.iter().filter(|r| !r.commune.is_empty()) {
        *cells
            .entry((r.procedure.clone(), r.commune.clone()))
            .or_default() += 1;
    }
    for r in rows.iter_mut() {
        if cells
            .get(&(r.procedure.clone(), r.commune.clone()))
            .is_some_and(|n| *n < SMALL_CELL)
        {
            r.commune.clear();
        }
    }
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A dataset's rows as a CSV file and a JSON file.
fn files<T: serde::Serialize>(
    dataset: &'static str,
    period: &str,
    rows: &[T],
) -> Result<[OpenFile; 2], AppError> {
    let broken = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, dataset, "open data file");
        AppError::new(Kind::Internal, "internal", "error-internal")
    };
    let mut csv = csv::WriterBuilder::new().from_writer(Vec::new());
    for r in rows {
        csv.serialize(r).map_err(|e| broken(&e))?;
    }
    let csv = csv.into_inner().map_err(|e| broken(&e))?;
    let mut json = serde_json::to_vec_pretty(rows).map_err(|e| broken(&e))?;
    json.push(b'\n');
    Ok(
        [("csv", csv), ("json", json)].map(|(format, bytes)| OpenFile {
            dataset,
            period: period.to_string(),
            format,
            sha256: sha(&bytes),
            bytes: Arc::new(bytes),
            rows: rows.len(),
        }),
    )
}

#[derive(serde::Serialize)]
struct DailyRow {
    date: NaiveDate,
    metric: String,
    count: i64,
}

#[derive(serde::Serialize)]
struct IndexRow {
    /// `province`, `agency` or `commune`.
    scope: &'static str,
    /// The agency's or the commune's code; blank for the province.
    code: String,
    name: String,
    formula_set: &'static str,
    group: &'static str,
    metric: &'static str,
    numerator: Option<u64>,
    denominator: Option<u64>,
    ratio: Option<f64>,
    score: Option<f64>,
    max: f64,
    /// Space-separated: `no_data`, `not_applicable`, `not_available`.
    flags: String,
}

fn index_rows(r: &IndexReport, code: String, name: String, out: &mut Vec<IndexRow>) {
    for (g, gr) in r.set.groups.iter().zip(&r.result.groups) {
        for (m, mr) in g.metrics.iter().zip(&gr.metrics) {
            out.push(IndexRow {
                scope: r.scope.as_str(),
                code: code.clone(),
                name: name.clone(),
                formula_set: r.set.id,
                group: g.code,
                metric: m.code,
                numerator: mr.numerator,
                denominator: mr.denominator,
                // Rounded so that the file does not depend on how floats print.
                ratio: mr.ratio.map(|v| (v * 1e6).round() / 1e6),
                score: mr.score.map(|v| (v * 1e6).round() / 1e6),
                max: mr.max,
                flags: mr
                    .flags
                    .iter()
                    .map(|f| f.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            });
        }
    }
}

/// The closed periods with data: every month from the first dossier's to last month, and every
/// year before this one that has one of them.
fn periods(first: Month, today: NaiveDate) -> Vec<Period> {
    let this_month = Month::of_day(today);
    let mut out = Vec::new();
    let mut m = first;
    while m < this_month {
        out.push(m.period());
        m = Month::of_day(m.last_day().succ_opt().unwrap_or(m.last_day()));
    }
    for year in first.year..today.year() {
        out.push(Period::Year { year });
    }
    out
}

async fn make(state: &App) -> Result<Snapshot, AppError> {
    // The facts are read in pages while events may be appended: read again until the chain
    // did not move during the reading, so the files match one high-water mark.
    for _ in 0..5 {
        let before = state.store.chain_seq().await?;
        let files = make_files(state).await?;
        if state.store.chain_seq().await? == before {
            return Ok(Snapshot {
                high_water_seq: before,
                files,
                made: Instant::now(),
            });
        }
    }
    Err(AppError::new(
        Kind::Unavailable,
        "busy",
        "error-open-data-busy",
    ))
}

async fn make_files(state: &App) -> Result<Vec<OpenFile>, AppError> {
    let today = motcua_domain::facts::local_day(Utc::now());
    let last = Month::of_day(today).previous();
    // Every received dossier up to last month, in code order.
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = state
            .store
            .counted_dossiers(after.as_ref(), last, None, 5_000)
            .await?;
        let done = page.len() < 5_000;
        after = page.last().map(|d| d.code);
        all.extend(page);
        if done {
            break;
        }
    }
    let agencies = state.catalog.agencies();
    let communes: BTreeMap<String, bool> = agencies
        .iter()
        .map(|a| (a.code.to_string(), a.kind == AgencyKind::Commune))
        .collect();
    let Some(first) = all.iter().map(|d| d.cohort.received).min() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for period in periods(first, today) {
        let label = period.label();
        let (from, to) = period.month_range();
        let mut rows: Vec<DossierRow> = all
            .iter()
            .filter(|d| from <= d.cohort.received && d.cohort.received <= to)
            .map(|d| dossier_row(d, &communes))
            .collect();
        suppress(&mut rows);
        out.extend(files("dossiers", &label, &rows)?);

        let (start, end) = period.bounds();
        let daily: Vec<DailyRow> = state
            .store
            .stats(&StatsFilter {
                from: Some(start),
                to: end.pred_opt(),
                by_day: true,
                ..StatsFilter::default()
            })
            .await?
            .into_iter()
            .filter_map(|r| {
                Some(DailyRow {
                    date: r.day?,
                    metric: r.metric,
                    count: r.count,
                })
            })
            .collect();
        out.extend(files("daily", &label, &daily)?);

        let (parent, children) = monitoring::tree(
            state,
            &IndexQuery {
                period,
                scope: ScopeKind::Province,
                code: None,
                formula: None,
            },
        )
        .await?;
        let mut rows = Vec::new();
        let province = state.catalog.province().map(|a| a.name).unwrap_or_default();
        index_rows(&parent, String::new(), province, &mut rows);
        for (agency, r) in &children {
            index_rows(r, agency.code.to_string(), agency.name.clone(), &mut rows);
        }
        out.extend(files("index", &label, &rows)?);
    }
    Ok(out)
}

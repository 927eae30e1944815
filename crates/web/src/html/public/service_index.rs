//! The public page of the service index (`/chi-so`): the province's (or an agency's or a
//! commune's) index for a month, a quarter or a year as cards, the monthly trend as a chart
//! drawn on the server with its data in a table beside it, agencies and communes ranked, and
//! every metric's formula in words with its numbers. A banner names the formula set: the
//! figures are computed here, not the national portal's official score. No script needed.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, Utc};
use motcua_app::App;
use motcua_app::monitoring::{self, IndexQuery, IndexReport};
use motcua_domain::Lang;
use motcua_domain::ids::AgencyCode;
use motcua_domain::index::{Period, ScopeKind, sets};
use motcua_store::AgencyKind;

use crate::html::{Chrome, error_page, render};

/// A score out of a maximum.
pub(crate) struct Card {
    pub code: String,
    pub name: String,
    pub score: String,
    pub max: String,
    /// "12 of 15 points could be judged", when some could not.
    pub judged: Option<String>,
}

pub(crate) struct MetricRow {
    pub code: String,
    pub name: String,
    pub formula: String,
    pub numerator: String,
    pub denominator: String,
    pub ratio: String,
    pub score: String,
    pub max: String,
    /// Why there is no ratio or no score, in words.
    pub note: String,
}

pub(crate) struct GroupTable {
    pub card: Card,
    pub metrics: Vec<MetricRow>,
}

pub(crate) struct Ranked {
    pub rank: usize,
    pub name: String,
    pub href: String,
    pub score: String,
    pub scored_max: String,
    pub percent: String,
}

#[derive(Template)]
#[template(path = "service_index.html")]
struct IndexPage<'a> {
    c: &'a Chrome,
    /// The scope's name (the province, an agency or a commune).
    scope_name: String,
    set_name: String,
    set_id: &'static str,
    notes: Vec<&'static str>,
    period_label: String,
    total: Card,
    groups: Vec<GroupTable>,
    trend_svg: String,
    trend: Vec<(String, String)>,
    /// Agencies, then communes: key, caption, rows.
    rankings: Vec<(&'static str, String, Vec<Ranked>)>,
    /// The form's values: kind, year, quarter, month, formula, scope, code.
    form: BTreeMap<&'static str, String>,
    /// The choices of the form's lists: value, label, selected.
    kinds: Vec<(&'static str, String, bool)>,
    quarters: Vec<(u32, bool)>,
    months: Vec<(u32, bool)>,
    sets: Vec<(&'static str, &'static str, bool)>,
    /// What the figures include and when they were computed.
    computed: String,
    api_href: String,
    errors: Vec<(String, String)>,
}

/// A number the way the page's language writes it: `12,5` or `12.5`.
fn decimal(c: &Chrome, v: f64, places: usize) -> String {
    // Adding zero turns a negative zero into zero.
    let v = v + 0.0;
    let s = format!("{v:.places$}");
    let s = if places > 0 {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    match c.lang {
        Lang::Vi => s.replace('.', ","),
        Lang::En => s,
    }
}

fn percent(c: &Chrome, ratio: f64) -> String {
    let v = decimal(c, ratio * 100.0, 1);
    match c.lang {
        Lang::Vi => format!("{v} %"),
        Lang::En => format!("{v}%"),
    }
}

fn card(c: &Chrome, code: &str, name: &str, score: f64, max: f64, scored_max: f64) -> Card {
    Card {
        code: code.to_string(),
        name: name.to_string(),
        score: decimal(c, score, 2),
        max: decimal(c, max, 2),
        judged: (scored_max + 1e-9 < max).then(|| {
            c.tr.t2(
                "index-judged",
                ("scored", decimal(c, scored_max, 2)),
                ("max", decimal(c, max, 2)),
            )
        }),
    }
}

fn groups(c: &Chrome, r: &IndexReport) -> Vec<GroupTable> {
    let pick = |vi: &'static str, en: &'static str| match c.lang {
        Lang::Vi => vi,
        Lang::En => en,
    };
    let count = |n: Option<u64>| n.map_or_else(|| "—".to_string(), |n| c.tr.count(n as i64));
    r.set
        .groups
        .iter()
        .zip(&r.result.groups)
        .map(|(g, gr)| GroupTable {
            card: card(
                c,
                g.code,
                pick(g.name_vi, g.name_en),
                gr.score,
                gr.max,
                gr.scored_max,
            ),
            metrics: g
                .metrics
                .iter()
                .zip(&gr.metrics)
                .map(|(m, mr)| MetricRow {
                    code: m.code.to_string(),
                    name: pick(m.name_vi, m.name_en).to_string(),
                    formula: m.formula_vi.to_string(),
                    numerator: count(mr.numerator),
                    denominator: count(mr.denominator),
                    ratio: mr.ratio.map_or_else(|| "—".into(), |v| percent(c, v)),
                    score: mr.score.map_or_else(|| "—".into(), |v| decimal(c, v, 2)),
                    max: decimal(c, mr.max, 2),
                    note: mr
                        .flags
                        .iter()
                        .map(|f| c.tr.t(&format!("index-flag-{}", f.as_str())))
                        .collect::<Vec<_>>()
                        .join(" "),
                })
                .collect(),
        })
        .collect()
}

/// Scopes under the page's, best first by the share of the points that could be judged.
fn ranked(
    c: &Chrome,
    rows: Vec<(motcua_store::Agency, IndexReport)>,
    href: &dyn Fn(&str, AgencyCode) -> String,
) -> Vec<Ranked> {
    let share =
        |r: &IndexReport| (r.result.scored_max > 0.0).then(|| r.result.score / r.result.scored_max);
    let mut rows: Vec<_> = rows.into_iter().map(|(a, r)| (share(&r), a, r)).collect();
    rows.sort_by(|x, y| {
        y.0.unwrap_or(-1.0)
            .total_cmp(&x.0.unwrap_or(-1.0))
            .then_with(|| x.1.name.cmp(&y.1.name))
    });
    rows.into_iter()
        .enumerate()
        .map(|(i, (s, a, r))| Ranked {
            rank: i + 1,
            href: href(r.scope.as_str(), a.code),
            name: match (c.lang, &a.name_en) {
                (Lang::En, Some(en)) => en.clone(),
                _ => a.name,
            },
            score: decimal(c, r.result.score, 2),
            scored_max: decimal(c, r.result.scored_max, 2),
            percent: s.map_or_else(|| "—".into(), |v| percent(c, v)),
        })
        .collect()
}

/// The monthly scores as a bar chart, drawn on the server (SVG; the table beside it holds
/// the same figures).
fn chart(c: &Chrome, months: &[(String, f64)]) -> String {
    use plotters::prelude::*;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 300)).into_drawing_area();
        let drawn = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
            root.fill(&WHITE)?;
            let n = months.len().max(1) as u32;
            let mut chart = ChartBuilder::on(&root)
                .margin(12)
                .x_label_area_size(28)
                .y_label_area_size(40)
                .build_cartesian_2d((0u32..n).into_segmented(), 0f64..100f64)?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .y_desc(c.tr.t("index-points"))
                .x_labels(months.len())
                .x_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) => months
                        .get(*i as usize)
                        .map(|(l, _)| l.clone())
                        .unwrap_or_default(),
                    _ => String::new(),
                })
                .label_style(("sans-serif", 13))
                .draw()?;
            let bar = RGBColor(0x1a, 0x5f, 0x9e).filled();
            chart.draw_series(months.iter().enumerate().map(|(i, (_, v))| {
                let i = i as u32;
                let mut r = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), 0.0),
                        (SegmentValue::Exact(i + 1), *v),
                    ],
                    bar,
                );
                r.set_margin(0, 0, 6, 6);
                r.into_dyn()
            }))?;
            root.present()?;
            Ok(())
        })();
        if let Err(e) = drawn {
            tracing::error!(error = %e, "index chart");
        }
    }
    svg
}

fn form_query(
    q: &BTreeMap<String, String>,
    today: chrono::NaiveDate,
) -> (BTreeMap<&'static str, String>, Result<Period, ()>) {
    let get = |k: &str| {
        q.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let kind = get("period").unwrap_or_else(|| "year".into());
    let year = get("year").unwrap_or_else(|| today.year().to_string());
    let quarter = get("quarter").unwrap_or_else(|| today.month().div_ceil(3).to_string());
    let month = get("month").unwrap_or_else(|| today.month().to_string());
    let period = year.parse().map_err(|_| ()).and_then(|y| {
        Period::parse(&kind, y, quarter.parse().ok(), month.parse().ok()).map_err(|_| ())
    });
    let mut form = BTreeMap::new();
    form.insert("period", kind);
    form.insert("year", year);
    form.insert("quarter", quarter);
    form.insert("month", month);
    form.insert(
        "formula",
        get("formula")
            .filter(|f| sets::find(f).is_some())
            .unwrap_or_else(|| sets::DEFAULT.into()),
    );
    form.insert("scope", get("scope").unwrap_or_else(|| "province".into()));
    form.insert("code", get("code").unwrap_or_default());
    (form, period)
}

pub(crate) async fn page(
    State(state): State<App>,
    c: Chrome,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("index");
    let today = motcua_domain::facts::local_day(Utc::now());
    let (mut form, period) = form_query(&q, today);
    let mut errors = Vec::new();
    let period = period.unwrap_or_else(|_| {
        errors.push(("f-year".to_string(), c.tr.t("index-bad-period")));
        Period::Year { year: today.year() }
    });
    form.insert("period", period.kind().to_string());
    let scope = ScopeKind::parse(&form["scope"]).unwrap_or(ScopeKind::Province);
    let code = AgencyCode::parse(&form["code"])
        .ok()
        .filter(|_| scope != ScopeKind::Province);
    let query = IndexQuery {
        period,
        scope: if code.is_some() {
            scope
        } else {
            ScopeKind::Province
        },
        code,
        formula: Some(form["formula"].clone()),
    };
    let monitoring::Overview {
        parent,
        children,
        trend,
    } = match monitoring::overview(&state, &query).await {
        Ok(o) => o,
        Err(e) => {
            let status = crate::error::status(e.kind);
            let title = if status == StatusCode::NOT_FOUND {
                "not-found-title"
            } else {
                "bad-request-title"
            };
            return error_page(status, &c, title, c.tr.message(&e.details.message));
        }
    };
    let trend: Vec<(String, f64)> = trend
        .into_iter()
        .map(|r| {
            (
                format!("{:02}", r.period.bounds().0.month()),
                r.result.score,
            )
        })
        .collect();
    let base = |scope: &str, code: AgencyCode| {
        let mut pairs = form.clone();
        pairs.insert("scope", scope.to_string());
        pairs.insert("code", code.to_string());
        format!(
            "/chi-so?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    };
    let (communes, agencies): (Vec<_>, Vec<_>) = children
        .into_iter()
        .partition(|(a, _)| a.kind == AgencyKind::Commune);
    let agencies_all = state.catalog.agencies();
    let scope_name = match query.code {
        Some(code) => state.catalog.agency_name(code),
        None => agencies_all
            .iter()
            .find(|a| a.kind == AgencyKind::Province)
            .map(|a| a.name.clone())
            .unwrap_or_default(),
    };
    let api_href = format!(
        "/api/v1/stats/index?{}",
        serde_urlencoded::to_string(&form).unwrap_or_default()
    );
    let pick = |vi: &'static str, en: &'static str| match c.lang {
        Lang::Vi => vi,
        Lang::En => en,
    };
    let local = parent
        .computed_at
        .with_timezone(&motcua_domain::calendar::TZ);
    let page = IndexPage {
        c: &c,
        scope_name,
        set_name: pick(parent.set.name_vi, parent.set.name_en).to_string(),
        set_id: parent.set.id,
        notes: parent.set.notes.to_vec(),
        period_label: period_label(&c, period),
        total: card(
            &c,
            "total",
            &c.tr.t("index-total"),
            parent.result.score,
            parent.result.max,
            parent.result.scored_max,
        ),
        groups: groups(&c, &parent),
        trend_svg: chart(&c, &trend),
        trend: trend
            .iter()
            .map(|(m, v)| (m.clone(), decimal(&c, *v, 2)))
            .collect(),
        rankings: [("agencies", agencies), ("communes", communes)]
            .into_iter()
            .filter(|(_, rows)| !rows.is_empty())
            .map(|(key, rows)| {
                (
                    key,
                    c.tr.t(&format!("index-rank-{key}")),
                    ranked(&c, rows, &base),
                )
            })
            .collect(),
        kinds: ["year", "quarter", "month"]
            .into_iter()
            .map(|k| (k, c.tr.t(&format!("index-{k}")), form["period"] == k))
            .collect(),
        quarters: (1..=4)
            .map(|q| (q, form["quarter"] == q.to_string()))
            .collect(),
        months: (1..=12)
            .map(|m| (m, form["month"] == m.to_string()))
            .collect(),
        sets: sets::all()
            .iter()
            .map(|s| (s.id, pick(s.name_vi, s.name_en), form["formula"] == s.id))
            .collect(),
        form,
        computed: c.tr.t2(
            "index-computed",
            ("seq", parent.high_water_seq),
            ("at", local.format("%H:%M %d/%m/%Y").to_string()),
        ),
        api_href,
        errors,
    };
    let status = crate::html::forms::form_status(&page.errors);
    render(status, &c, &page)
}

fn period_label(c: &Chrome, p: Period) -> String {
    match p {
        Period::Month { year, month } => {
            c.tr.t2("index-period-month", ("month", month), ("year", year))
        }
        Period::Quarter { year, quarter } => {
            c.tr.t2("index-period-quarter", ("quarter", quarter), ("year", year))
        }
        Period::Year { year } => c.tr.t1("index-period-year", "year", year),
    }
}

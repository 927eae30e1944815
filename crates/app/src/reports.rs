//! The report on the situation and results of handling procedures (Biểu 06/VPCP/KSTT, the
//! centre's II.06a of Circular 01/2020/TT-VPCP): columns 3–13 per field or per agency for
//! whole months, counted from the cohort rollup like the index.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::ids::AgencyCode;
use motcua_domain::index::{Form06, Span, StoppedColumn};
use motcua_store::{Agency, AgencyKind, CohortGrain, CohortRow};

use crate::App;
use crate::error::{AppError, Kind};
use crate::slips::{place_and_date, place_name, render_document};

/// How the form's rows are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// One row per field (lĩnh vực) of the procedures.
    Field,
    /// One row per agency or commune directly under the reporting unit.
    Agency,
}

impl GroupBy {
    pub fn parse(s: &str) -> Option<GroupBy> {
        match s {
            "field" => Some(GroupBy::Field),
            "agency" => Some(GroupBy::Agency),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form06Query {
    pub span: Span,
    /// The reporting unit; the province when none.
    pub agency: Option<AgencyCode>,
    pub group_by: GroupBy,
}

/// One row: column 2 and columns 3–13.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form06Row {
    pub name: String,
    pub figures: Form06,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form06Report {
    pub span: Span,
    /// The reporting unit (the province when the query named none).
    pub unit: Option<Agency>,
    pub group_by: GroupBy,
    pub rows: Vec<Form06Row>,
    pub total: Form06,
    /// The day open dossiers were judged on (column 12 or 13).
    pub judged_on: NaiveDate,
    pub stopped: StoppedColumn,
    pub computed_at: DateTime<Utc>,
    pub high_water_seq: i64,
}

/// Whole months from `from` to `to`: `YYYY-MM`, or the first and the last day of months.
pub fn span(from: Option<&str>, to: Option<&str>) -> Result<Span, AppError> {
    let bad = |problem: &'static str| {
        AppError::new(Kind::BadRequest, "invalid_range", "error-report-months")
            .arg("problem", problem)
    };
    let month = |s: Option<&str>, first: bool| -> Result<motcua_domain::index::Month, AppError> {
        let s = s.filter(|s| !s.is_empty()).ok_or_else(|| bad("missing"))?;
        if let Some(m) = motcua_domain::index::Month::parse(s).filter(|_| s.len() == 7) {
            return Ok(m);
        }
        let day = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad("format"))?;
        let m = motcua_domain::index::Month::of_day(day);
        let edge = if first { m.first_day() } else { m.last_day() };
        if day != edge {
            return Err(bad("whole_months"));
        }
        Ok(m)
    };
    let span = Span {
        first: month(from, true)?,
        last: month(to, false)?,
    };
    if span.first > span.last {
        return Err(bad("reversed"));
    }
    if !(2000..=2100).contains(&span.first.year) || !(2000..=2100).contains(&span.last.year) {
        return Err(bad("years"));
    }
    Ok(span)
}

/// The form for the query, from one reading of the rollup.
pub async fn form06(state: &App, q: &Form06Query) -> Result<Form06Report, AppError> {
    let agencies = state.catalog.agencies();
    let unit = match q.agency {
        None => None,
        Some(code) => Some(
            agencies
                .iter()
                .find(|a| a.code == code)
                .cloned()
                .ok_or_else(AppError::not_found)?,
        ),
    };
    // Fields need each procedure's rows; agencies, only each agency's.
    let within = crate::monitoring::covered(&agencies, q.agency);
    let grain = match q.group_by {
        GroupBy::Field => CohortGrain::Procedure(within),
        GroupBy::Agency => CohortGrain::Agency(within),
    };
    let cohorts = state
        .store
        .cohorts(q.span.first, q.span.last, &grain)
        .await?;
    let computed_at = Utc::now();
    let judged_on = q
        .span
        .judged_on(motcua_domain::facts::local_day(computed_at));
    // Each counted row's group: its procedure's field, or the agency under the unit that
    // covers its agency (the unit itself for its own dossiers).
    let mut groups: BTreeMap<(u8, String), Vec<&CohortRow>> = BTreeMap::new();
    match q.group_by {
        GroupBy::Field => {
            let offers = state.catalog.offers();
            let fields: BTreeMap<_, _> = offers.iter().map(|o| (o.code, &o.field)).collect();
            for c in &cohorts.rows {
                let field = c
                    .procedure
                    .and_then(|p| fields.get(&p))
                    .map(|f| f.trim())
                    .filter(|f| !f.is_empty());
                // An unknown field goes last, under "Khác" (other).
                let key = match field {
                    Some(f) => (0, f.to_string()),
                    None => (1, "Khác".to_string()),
                };
                groups.entry(key).or_default().push(c);
            }
        }
        GroupBy::Agency => {
            let root = q
                .agency
                .or_else(|| state.catalog.province().map(|a| a.code));
            let children = root
                .map(|r| state.catalog.children_of(r))
                .unwrap_or_default();
            for c in &cohorts.rows {
                let Some(a) = c.agency else { continue };
                // Communes after the departments, as the form's levels go.
                let key = match children.iter().find(|ch| ch.code.covers(&a)) {
                    Some(ch) => (u8::from(ch.kind == AgencyKind::Commune), ch.name.clone()),
                    None => (0, state.catalog.agency_name(root.unwrap_or(a))),
                };
                groups.entry(key).or_default().push(c);
            }
        }
    }
    let stopped = state.form06_stopped;
    let mut total = Form06::default();
    let rows: Vec<Form06Row> = groups
        .into_iter()
        .map(|((_, name), counted)| {
            let figures = Form06::of(
                q.span,
                judged_on,
                stopped,
                counted.into_iter().map(CohortRow::counted),
            );
            total.add(&figures);
            Form06Row { name, figures }
        })
        .filter(|r| r.figures != Form06::default())
        .collect();
    Ok(Form06Report {
        span: q.span,
        unit,
        group_by: q.group_by,
        rows,
        total,
        judged_on,
        stopped,
        computed_at,
        high_water_seq: cohorts.high_water_seq,
    })
}

/// The file formats of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Pdf,
    Xlsx,
}

impl Form06Report {
    /// `bieu-06-2026-01-2026-03`, the file's name without its extension.
    pub fn file_name(&self) -> String {
        format!(
            "bieu-06-{}-{}",
            self.span.first.label(),
            self.span.last.label()
        )
    }
}

fn day(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The form as printed: the unit and the centre's province from the catalog, the rows, and
/// notes saying what the figures were computed from and by which rules.
pub fn report_form(state: &App, r: &Form06Report) -> motcua_documents::ReportForm {
    let province = state.catalog.province();
    let unit = match &r.unit {
        Some(a) => a.name.clone(),
        None => state.catalog.agency_name(state.default_receiving_agency),
    };
    let local = r.computed_at.with_timezone(&motcua_domain::calendar::TZ);
    let stopped = match r.stopped {
        StoppedColumn::OnTime => {
            "Hồ sơ bị từ chối hoặc công dân rút sau khi tiếp nhận được tính vào cột (9)."
        }
        StoppedColumn::ByAppointment => {
            "Hồ sơ bị từ chối hoặc công dân rút sau khi tiếp nhận được tính vào cột (9) nếu trước ngày hẹn trả, cột (10) nếu sau."
        }
    };
    motcua_documents::ReportForm {
        unit,
        receiver: province.as_ref().map_or_else(
            || "Văn phòng Ủy ban nhân dân tỉnh".to_string(),
            |p| format!("Văn phòng {}", p.name),
        ),
        period: format!(
            "Từ ngày {} đến ngày {}",
            day(r.span.first.first_day()),
            day(r.span.last.last_day())
        ),
        place_and_date: place_and_date(
            &province.as_ref().map(place_name).unwrap_or_default(),
            r.computed_at,
        ),
        group_heading: match r.group_by {
            GroupBy::Field => "Lĩnh vực giải quyết".into(),
            GroupBy::Agency => "Cơ quan, đơn vị".into(),
        },
        rows: r
            .rows
            .iter()
            .map(|row| (row.name.clone(), row.figures.columns()))
            .collect(),
        total: r.total.columns(),
        notes: vec![
            format!(
                "Số liệu tổng hợp từ nhật ký sự kiện đến sự kiện số {}, lúc {} ngày {}; hồ sơ đang giải quyết được xét hạn vào ngày {}.",
                r.high_water_seq,
                local.format("%H:%M"),
                local.format("%d/%m/%Y"),
                day(r.judged_on)
            ),
            stopped.to_string(),
        ],
    }
}

/// The form as a file.
pub async fn form06_file(
    state: &App,
    r: &Form06Report,
    format: FileFormat,
) -> Result<Vec<u8>, AppError> {
    let form = report_form(state, r);
    render_document(move || match format {
        FileFormat::Pdf => motcua_documents::form06_pdf(&form),
        FileFormat::Xlsx => motcua_documents::form06_xlsx(&form),
    })
    .await
}

//! The spreadsheet form: one sheet of procedures and one per repeated part (submission
//! methods, documents, legal basis, workflow steps), joined by the procedure code. The first
//! row of each sheet names the columns; their order may change, their names may not.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use motcua_domain::Wording;
use motcua_domain::calendar::ProcessingTime;
use motcua_domain::ids::{AgencyCode, ProcedureCode};
use motcua_domain::procedure::{StepPlan, SupplementClock};
use motcua_domain::role::Role;
use motcua_procedures::{
    LegalBasis, OnlineLevel, Procedure, Provenance, RequiredDocument, SubmissionMethod,
};
use rust_xlsxwriter::{Format as CellFormat, Workbook, Worksheet};

use crate::ExportError;
use crate::problem::{ImportError, Problem};

pub(crate) const PROCEDURES: &str = "Thủ tục";
const METHODS: &str = "Cách thức nộp";
const DOCUMENTS: &str = "Thành phần hồ sơ";
const LEGAL: &str = "Căn cứ pháp lý";
const STEPS: &str = "Quy trình";
/// Text longer than a spreadsheet cell holds (32,767 characters; the published conditions of
/// one procedure run to 44,590) continues here, a part a row, and is joined back on import.
const CONTINUED: &str = "Phần tiếp";

const P_COLS: [&str; 20] = [
    "code",
    "name",
    "name_en",
    "decision",
    "field",
    "level",
    "agency_code",
    "implementing_body",
    "competent_body",
    "online_level",
    "processing_unit",
    "processing_value",
    "supplement_clock",
    "conditions",
    "result",
    "target_subjects",
    "form_schema",
    "source_document",
    "source_url",
    "missing",
];
const M_COLS: [&str; 7] = [
    "code",
    "method",
    "time_limit_text",
    "processing_unit",
    "processing_value",
    "fee_text",
    "fee_vnd",
];
const D_COLS: [&str; 5] = ["code", "name", "originals", "copies", "template"];
const L_COLS: [&str; 3] = ["code", "number", "title"];
const S_COLS: [&str; 5] = ["code", "name", "agency_code", "role", "budget_hours"];
const C_COLS: [&str; 5] = ["sheet", "row", "column", "part", "text"];

const MAX_CELL: usize = 32_767;

/// A cell to write.
enum Cell {
    Text(String),
    Number(f64),
    Blank,
}

fn text(s: &str) -> Cell {
    if s.is_empty() {
        Cell::Blank
    } else {
        Cell::Text(s.to_string())
    }
}

fn opt(s: &Option<String>) -> Cell {
    s.as_deref().map_or(Cell::Blank, text)
}

fn num<T: Into<f64>>(v: Option<T>) -> Cell {
    v.map_or(Cell::Blank, |v| Cell::Number(v.into()))
}

fn limit(t: Option<ProcessingTime>) -> (Cell, Cell) {
    t.map(crate::unit_name)
        .map_or((Cell::Blank, Cell::Blank), |(unit, n)| {
            (text(unit), Cell::Number(n.into()))
        })
}

fn sheet<'a>(
    wb: &'a mut Workbook,
    name: &str,
    columns: &[&str],
    bold: &CellFormat,
) -> Result<&'a mut Worksheet, ExportError> {
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    for (c, h) in columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, bold)?;
        ws.set_column_width(c as u16, if c == 0 { 12 } else { 24 })?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(ws)
}

/// The parts of a text too long for one cell: (sheet, row as numbered in the sheet, column,
/// part from 1, text).
type Overflow = Vec<(String, u32, &'static str, u32, String)>;

fn write_row(
    ws: &mut Worksheet,
    row: u32,
    cells: Vec<Cell>,
    columns: &[&'static str],
    overflow: &mut Overflow,
) -> Result<(), ExportError> {
    for (c, (cell, column)) in cells.into_iter().zip(columns).enumerate() {
        match cell {
            Cell::Text(s) => {
                let chars: Vec<char> = s.chars().collect();
                let mut parts = chars.chunks(MAX_CELL).map(|p| p.iter().collect::<String>());
                ws.write_string(row, c as u16, parts.next().unwrap_or_default())?;
                for (i, part) in parts.enumerate() {
                    overflow.push((ws.name(), row + 1, column, i as u32 + 1, part));
                }
            }
            Cell::Number(n) => {
                ws.write_number(row, c as u16, n)?;
            }
            Cell::Blank => {}
        }
    }
    Ok(())
}

pub(crate) fn export(procedures: &[Procedure]) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    let bold = CellFormat::new().set_bold();
    let mut overflow = Overflow::new();
    let mut row = 1u32;
    let ws = sheet(&mut wb, PROCEDURES, &P_COLS, &bold)?;
    for p in procedures {
        let (unit, value) = limit(p.processing_time);
        let (document, url) = p
            .provenance
            .as_ref()
            .map_or((Cell::Blank, Cell::Blank), |s| {
                (text(&s.document), text(&s.url))
            });
        let cells = vec![
            text(&p.code.to_string()),
            text(&p.name),
            opt(&p.name_en),
            opt(&p.decision),
            text(&p.field),
            text(&p.level),
            text(&p.agency.to_string()),
            text(&p.implementing_body),
            text(&p.competent_body),
            text(p.online_level.as_str()),
            unit,
            value,
            text(match p.supplement_clock {
                SupplementClock::Restart => "restart",
                SupplementClock::Pause => "pause",
            }),
            opt(&p.conditions),
            opt(&p.result),
            opt(&p.target_subjects),
            text(&serde_json::to_string(&p.form_schema)?),
            document,
            url,
            text(&p.missing.join("; ")),
        ];
        write_row(ws, row, cells, &P_COLS, &mut overflow)?;
        row += 1;
    }
    let ws = sheet(&mut wb, METHODS, &M_COLS, &bold)?;
    row = 1;
    for p in procedures {
        for m in &p.methods {
            let (unit, value) = limit(m.processing_time);
            let cells = vec![
                text(&p.code.to_string()),
                text(&m.method),
                text(&m.time_limit_text),
                unit,
                value,
                text(&m.fee_text),
                num(m.fee_vnd.map(|f| f as f64)),
            ];
            write_row(ws, row, cells, &M_COLS, &mut overflow)?;
            row += 1;
        }
    }
    let ws = sheet(&mut wb, DOCUMENTS, &D_COLS, &bold)?;
    row = 1;
    for p in procedures {
        for d in &p.documents {
            let cells = vec![
                text(&p.code.to_string()),
                text(&d.name),
                num(d.originals),
                num(d.copies),
                opt(&d.template),
            ];
            write_row(ws, row, cells, &D_COLS, &mut overflow)?;
            row += 1;
        }
    }
    let ws = sheet(&mut wb, LEGAL, &L_COLS, &bold)?;
    row = 1;
    for p in procedures {
        for l in &p.legal_basis {
            write_row(
                ws,
                row,
                vec![text(&p.code.to_string()), text(&l.number), text(&l.title)],
                &L_COLS,
                &mut overflow,
            )?;
            row += 1;
        }
    }
    let ws = sheet(&mut wb, STEPS, &S_COLS, &bold)?;
    row = 1;
    for p in procedures {
        for s in &p.steps {
            let cells = vec![
                text(&p.code.to_string()),
                text(&s.name),
                s.agency.map_or(Cell::Blank, |a| text(&a.to_string())),
                text(s.role.as_str()),
                Cell::Number(s.budget_hours.into()),
            ];
            write_row(ws, row, cells, &S_COLS, &mut overflow)?;
            row += 1;
        }
    }
    let ws = sheet(&mut wb, CONTINUED, &C_COLS, &bold)?;
    for (i, (sheet, at, column, part, text)) in overflow.into_iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &sheet)?;
        ws.write_number(r, 1, at)?;
        ws.write_string(r, 2, column)?;
        ws.write_number(r, 3, part)?;
        ws.write_string(r, 4, text)?;
    }
    Ok(wb.save_to_buffer()?)
}

/// What the continuation sheet adds to each long cell: (sheet, row index, column) → the rest
/// of its text. A file without the sheet (or written by hand) has nothing to add.
type Continued = HashMap<(String, usize, String), String>;

fn continued(wb: &mut Xlsx<Cursor<&[u8]>>, problems: &mut Vec<Problem>) -> Continued {
    let mut parts: Vec<((String, usize, String), u32, String)> = Vec::new();
    if wb.sheet_names().iter().any(|n| n == CONTINUED) {
        let empty = Continued::new();
        if let Some(mut rows) = open(wb, CONTINUED, &C_COLS, problems, &empty) {
            for r in 1..rows.height() {
                let key = (
                    rows.text(r, "sheet"),
                    rows.number(r, "row", 1_048_576.0).unwrap_or(0.0) as usize,
                    rows.text(r, "column"),
                );
                let part = rows.number(r, "part", 1_000_000.0).unwrap_or(0.0) as u32;
                parts.push((key, part, rows.text(r, "text")));
            }
        }
    }
    parts.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let mut out = Continued::new();
    for ((sheet, row, column), _, text) in parts {
        // The sheet numbers rows from 1 (the header); the range counts from 0.
        out.entry((sheet, row.saturating_sub(1), column))
            .or_default()
            .push_str(&text);
    }
    out
}

/// One sheet's rows with their column positions, reporting problems by place.
struct Rows<'a> {
    sheet: &'static str,
    range: Range<Data>,
    columns: HashMap<&'static str, usize>,
    problems: &'a mut Vec<Problem>,
    continued: &'a Continued,
}

impl Rows<'_> {
    fn place(&self, row: usize, column: &str) -> String {
        format!("{}, row {}, column {column}", self.sheet, row + 1)
    }

    fn problem(&mut self, row: usize, column: &str, code: &'static str, wording: Wording) {
        let place = self.place(row, column);
        self.problems.push(Problem::new(place, code, wording));
    }

    fn cell(&self, row: usize, column: &str) -> &Data {
        self.columns
            .get(column)
            .and_then(|&c| self.range.get((row, c)))
            .unwrap_or(&Data::Empty)
    }

    fn text(&mut self, row: usize, column: &'static str) -> String {
        match self.cell(row, column).clone() {
            Data::String(s) if self.continued.is_empty() => s,
            Data::String(s) => {
                let key = (self.sheet.to_string(), row, column.to_string());
                match self.continued.get(&key) {
                    Some(rest) => s + rest,
                    None => s,
                }
            }
            Data::Empty => String::new(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            Data::Float(f) => f.to_string(),
            other => {
                self.problem(
                    row,
                    column,
                    "catalog_cell_type",
                    Wording::new("error-catalog-cell-type").arg("input", other.to_string()),
                );
                String::new()
            }
        }
    }

    fn opt_text(&mut self, row: usize, column: &'static str) -> Option<String> {
        Some(self.text(row, column)).filter(|s| !s.is_empty())
    }

    fn number(&mut self, row: usize, column: &'static str, max: f64) -> Option<f64> {
        let v = match self.cell(row, column).clone() {
            Data::Empty => return None,
            Data::Int(i) => Some(i as f64),
            Data::Float(f) => Some(f),
            Data::String(s) if s.trim().is_empty() => return None,
            Data::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        match v {
            Some(v) if v.fract() == 0.0 && (0.0..=max).contains(&v) => Some(v),
            _ => {
                self.problem(
                    row,
                    column,
                    "catalog_number",
                    Wording::new("error-catalog-number").arg("max", max.to_string()),
                );
                None
            }
        }
    }

    fn code(&mut self, row: usize) -> Option<ProcedureCode> {
        let t = self.text(row, "code");
        match ProcedureCode::parse(&t) {
            Ok(c) => Some(c),
            Err(_) => {
                self.problem(
                    row,
                    "code",
                    "catalog_code",
                    Wording::new("error-catalog-code").arg("input", t.to_string()),
                );
                None
            }
        }
    }

    fn agency(&mut self, row: usize, column: &'static str) -> Option<AgencyCode> {
        let t = self.text(row, column);
        if t.is_empty() {
            return None;
        }
        match AgencyCode::parse(&t) {
            Ok(a) => Some(a),
            Err(_) => {
                self.problem(
                    row,
                    column,
                    "catalog_agency_code",
                    Wording::new("error-catalog-agency-code").arg("input", t.to_string()),
                );
                None
            }
        }
    }

    fn limit(&mut self, row: usize) -> Option<ProcessingTime> {
        let unit = self.text(row, "processing_unit");
        let value = self
            .number(row, "processing_value", 100_000.0)
            .map(|v| v as u32);
        if unit.is_empty() && value.is_none() {
            return None;
        }
        let limit = value.and_then(|n| crate::limit_of(&unit, n));
        if limit.is_none() {
            self.problem(
                row,
                "processing_unit",
                "catalog_processing_time",
                Wording::new("error-catalog-processing-time"),
            );
        }
        limit
    }

    fn height(&self) -> usize {
        self.range.height()
    }

    fn is_blank(&self, row: usize) -> bool {
        (0..self.range.width()).all(|c| {
            self.range
                .get((row, c))
                .is_none_or(|d| matches!(d, Data::Empty))
        })
    }
}

fn open<'a>(
    wb: &mut Xlsx<Cursor<&[u8]>>,
    sheet: &'static str,
    columns: &[&'static str],
    problems: &'a mut Vec<Problem>,
    continued: &'a Continued,
) -> Option<Rows<'a>> {
    let range = match wb.worksheet_range(sheet) {
        Ok(r) => r,
        Err(_) => {
            problems.push(Problem::new(
                sheet,
                "catalog_sheet_missing",
                Wording::new("error-catalog-sheet-missing").arg("sheet", sheet.to_string()),
            ));
            return None;
        }
    };
    let header: Vec<String> = (0..range.width())
        .map(|c| match range.get((0, c)) {
            Some(Data::String(s)) => s.trim().to_string(),
            _ => String::new(),
        })
        .collect();
    let mut map = HashMap::new();
    let mut missing = Vec::new();
    for col in columns {
        match header.iter().position(|h| h == col) {
            Some(i) => {
                map.insert(*col, i);
            }
            None => missing.push(*col),
        }
    }
    if !missing.is_empty() {
        let list = missing.join(", ");
        problems.push(Problem::new(
            format!("{sheet}, row 1"),
            "catalog_columns_missing",
            Wording::new("error-catalog-columns-missing").arg("list", list.to_string()),
        ));
        return None;
    }
    Some(Rows {
        sheet,
        range,
        columns: map,
        problems,
        continued,
    })
}

/// Reads a child sheet into per-code lists, in row order.
fn children<T>(
    wb: &mut Xlsx<Cursor<&[u8]>>,
    sheet: &'static str,
    columns: &[&'static str],
    problems: &mut Vec<Problem>,
    continued: &Continued,
    known: &HashMap<ProcedureCode, usize>,
    mut read: impl FnMut(&mut Rows, usize) -> Option<T>,
) -> HashMap<ProcedureCode, Vec<T>> {
    let mut out: HashMap<ProcedureCode, Vec<T>> = HashMap::new();
    let Some(mut rows) = open(wb, sheet, columns, problems, continued) else {
        return out;
    };
    for r in 1..rows.height() {
        if rows.is_blank(r) {
            continue;
        }
        let Some(code) = rows.code(r) else { continue };
        if !known.contains_key(&code) {
            rows.problem(
                r,
                "code",
                "catalog_unknown_code",
                Wording::new("error-catalog-unknown-code")
                    .arg("code", code.to_string())
                    .arg("sheet", PROCEDURES.to_string()),
            );
            continue;
        }
        if let Some(item) = read(&mut rows, r) {
            out.entry(code).or_default().push(item);
        }
    }
    out
}

pub(crate) fn import(
    bytes: &[u8],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<Procedure>, ImportError> {
    let mut wb: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes)).map_err(|e: calamine::XlsxError| {
            Problem::new(
                "file",
                "catalog_xlsx",
                Wording::new("error-catalog-xlsx").arg("detail", e.to_string()),
            )
        })?;
    let mut problems = Vec::new();
    let continued = continued(&mut wb, &mut problems);
    let mut procedures = Vec::new();
    let mut index = HashMap::new();
    if let Some(mut rows) = open(&mut wb, PROCEDURES, &P_COLS, &mut problems, &continued) {
        let total = rows.height().saturating_sub(1);
        for r in 1..rows.height() {
            progress(r, total);
            if rows.is_blank(r) {
                continue;
            }
            let code = rows.code(r);
            let agency = rows.agency(r, "agency_code");
            if agency.is_none() && rows.text(r, "agency_code").is_empty() {
                rows.problem(
                    r,
                    "agency_code",
                    "catalog_agency_code",
                    Wording::new("error-catalog-agency-code-missing"),
                );
            }
            let online_level = match rows.text(r, "online_level").as_str() {
                "full" => Some(OnlineLevel::Full),
                "partial" => Some(OnlineLevel::Partial),
                "none" | "" => Some(OnlineLevel::None),
                _ => {
                    rows.problem(
                        r,
                        "online_level",
                        "catalog_online_level",
                        Wording::new("error-catalog-online-level"),
                    );
                    None
                }
            };
            let supplement_clock = match rows.text(r, "supplement_clock").as_str() {
                "restart" | "" => Some(SupplementClock::Restart),
                "pause" => Some(SupplementClock::Pause),
                _ => {
                    rows.problem(
                        r,
                        "supplement_clock",
                        "catalog_supplement_clock",
                        Wording::new("error-catalog-supplement-clock"),
                    );
                    None
                }
            };
            let schema_text = rows.text(r, "form_schema");
            let form_schema = if schema_text.trim().is_empty() {
                Some(serde_json::json!({}))
            } else {
                match serde_json::from_str(&schema_text) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        rows.problem(
                            r,
                            "form_schema",
                            "catalog_form_schema",
                            Wording::new("error-catalog-form-schema").arg("detail", e.to_string()),
                        );
                        None
                    }
                }
            };
            let processing_time = rows.limit(r);
            let provenance = match (
                rows.opt_text(r, "source_document"),
                rows.opt_text(r, "source_url"),
            ) {
                (None, None) => None,
                (document, url) => Some(Provenance {
                    document: document.unwrap_or_default(),
                    url: url.unwrap_or_default(),
                }),
            };
            let (
                Some(code),
                Some(agency),
                Some(online_level),
                Some(supplement_clock),
                Some(form_schema),
            ) = (code, agency, online_level, supplement_clock, form_schema)
            else {
                continue;
            };
            if index.insert(code, procedures.len()).is_some() {
                rows.problem(
                    r,
                    "code",
                    "catalog_duplicate_code",
                    Wording::new("error-catalog-duplicate-code").arg("code", code.to_string()),
                );
                continue;
            }
            procedures.push(Procedure {
                code,
                name: rows.text(r, "name"),
                name_en: rows.opt_text(r, "name_en"),
                decision: rows.opt_text(r, "decision"),
                field: rows.text(r, "field"),
                level: rows.text(r, "level"),
                agency,
                implementing_body: rows.text(r, "implementing_body"),
                competent_body: rows.text(r, "competent_body"),
                online_level,
                processing_time,
                supplement_clock,
                steps: Vec::new(),
                methods: Vec::new(),
                documents: Vec::new(),
                conditions: rows.opt_text(r, "conditions"),
                result: rows.opt_text(r, "result"),
                target_subjects: rows.opt_text(r, "target_subjects"),
                legal_basis: Vec::new(),
                form_schema,
                provenance,
                missing: rows
                    .text(r, "missing")
                    .split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            });
        }
    }
    let mut methods = children(
        &mut wb,
        METHODS,
        &M_COLS,
        &mut problems,
        &continued,
        &index,
        |rows, r| {
            Some(SubmissionMethod {
                method: rows.text(r, "method"),
                time_limit_text: rows.text(r, "time_limit_text"),
                processing_time: rows.limit(r),
                fee_text: rows.text(r, "fee_text"),
                fee_vnd: rows.number(r, "fee_vnd", 1e13).map(|v| v as i64),
            })
        },
    );
    let mut documents = children(
        &mut wb,
        DOCUMENTS,
        &D_COLS,
        &mut problems,
        &continued,
        &index,
        |rows, r| {
            Some(RequiredDocument {
                name: rows.text(r, "name"),
                originals: rows.number(r, "originals", 1000.0).map(|v| v as u32),
                copies: rows.number(r, "copies", 1000.0).map(|v| v as u32),
                template: rows.opt_text(r, "template"),
            })
        },
    );
    let mut legal = children(
        &mut wb,
        LEGAL,
        &L_COLS,
        &mut problems,
        &continued,
        &index,
        |rows, r| {
            Some(LegalBasis {
                number: rows.text(r, "number"),
                title: rows.text(r, "title"),
            })
        },
    );
    let mut steps = children(
        &mut wb,
        STEPS,
        &S_COLS,
        &mut problems,
        &continued,
        &index,
        |rows, r| {
            let role_text = rows.text(r, "role");
            let role = role_text.parse::<Role>().ok().or_else(|| {
                rows.problem(
                    r,
                    "role",
                    "catalog_role",
                    Wording::new("error-catalog-role").arg("input", role_text.to_string()),
                );
                None
            })?;
            let budget_hours = rows.number(r, "budget_hours", 100_000.0)? as u32;
            Some(StepPlan {
                name: rows.text(r, "name"),
                agency: rows.agency(r, "agency_code"),
                role,
                budget_hours,
            })
        },
    );
    if !problems.is_empty() {
        return Err(problems.into());
    }
    for p in &mut procedures {
        p.methods = methods.remove(&p.code).unwrap_or_default();
        p.documents = documents.remove(&p.code).unwrap_or_default();
        p.legal_basis = legal.remove(&p.code).unwrap_or_default();
        p.steps = steps.remove(&p.code).unwrap_or_default();
    }
    Ok(procedures)
}

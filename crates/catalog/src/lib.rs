//! Catalog exchange. Operators keep the procedure catalog in a spreadsheet or a JSON file:
//! [`export`] writes one, [`import`] reads one back, checking every row and collecting every
//! problem (by sheet, row and column) so that a bad file is rejected whole with a complete
//! list. Export then import is lossless. [`portal`] reads the National Public Service Portal's
//! procedure records.

pub mod form;
mod json;
pub mod portal;
mod problem;
mod validate;
mod xlsx;

use std::collections::HashSet;

use motcua_domain::calendar::ProcessingTime;
use motcua_domain::ids::AgencyCode;
use motcua_procedures::Procedure;

pub use problem::{ImportError, Problem};

/// A time limit's unit as the exchange files name it.
pub(crate) fn unit_name(limit: ProcessingTime) -> (&'static str, u32) {
    match limit {
        ProcessingTime::WorkingDays(n) => ("working_days", n),
        ProcessingTime::WorkingHours(n) => ("working_hours", n),
        ProcessingTime::CalendarDays(n) => ("calendar_days", n),
    }
}

/// The limit a unit name and a value say, when the name is one of [`unit_name`]'s.
pub(crate) fn limit_of(unit: &str, value: u32) -> Option<ProcessingTime> {
    match unit.trim() {
        "working_days" => Some(ProcessingTime::WorkingDays(value)),
        "working_hours" => Some(ProcessingTime::WorkingHours(value)),
        "calendar_days" => Some(ProcessingTime::CalendarDays(value)),
        _ => None,
    }
}

/// File formats of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xlsx,
}

impl Format {
    /// The format a file name suggests.
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("writing JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("writing the spreadsheet: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// The catalog as a file.
pub fn export(procedures: &[Procedure], format: Format) -> Result<Vec<u8>, ExportError> {
    match format {
        Format::Json => json::export(procedures),
        Format::Xlsx => xlsx::export(procedures),
    }
}

/// Reads and checks a catalog file. `known_agencies` are the agency codes procedures may name.
/// `progress(done, total)` is called as rows are read.
pub fn import(
    bytes: &[u8],
    format: Format,
    known_agencies: &HashSet<AgencyCode>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<Procedure>, ImportError> {
    let procedures = match format {
        Format::Json => json::import(bytes, progress)?,
        Format::Xlsx => xlsx::import(bytes, progress)?,
    };
    validate::check(&procedures, format, known_agencies)?;
    Ok(procedures)
}

/// The checks of [`import`] for procedures read some other way (the portal's records): the
/// whole catalog or nothing, every problem placed by JSON path.
pub fn check(
    procedures: &[Procedure],
    known_agencies: &HashSet<AgencyCode>,
) -> Result<(), ImportError> {
    validate::check(procedures, Format::Json, known_agencies)
}

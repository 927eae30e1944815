//! The JSON form: `{"format": "motcua-catalog", "version": 1, "procedures": [...]}`, each
//! procedure exactly as the catalog holds it.

use motcua_domain::Wording;
use motcua_procedures::Procedure;
use serde::{Deserialize, Serialize};

use crate::ExportError;
use crate::problem::{ImportError, Problem};

const FORMAT: &str = "motcua-catalog";
const VERSION: u32 = 1;

#[derive(Serialize)]
struct Out<'a> {
    format: &'static str,
    version: u32,
    procedures: &'a [Procedure],
}

#[derive(Deserialize)]
struct In {
    format: String,
    version: u32,
    procedures: Vec<serde_json::Value>,
}

pub(crate) fn export(procedures: &[Procedure]) -> Result<Vec<u8>, ExportError> {
    Ok(serde_json::to_vec_pretty(&Out {
        format: FORMAT,
        version: VERSION,
        procedures,
    })?)
}

pub(crate) fn import(
    bytes: &[u8],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<Procedure>, ImportError> {
    let file: In = serde_json::from_slice(bytes).map_err(|e| {
        Problem::new(
            format!("line {}, column {}", e.line(), e.column()),
            "catalog_json",
            Wording::new("error-catalog-json").arg("detail", e.to_string()),
        )
    })?;
    if file.format != FORMAT || file.version != VERSION {
        return Err(Problem::new(
            "format",
            "catalog_format",
            Wording::new("error-catalog-format")
                .arg("format", FORMAT.to_string())
                .arg("version", VERSION.to_string()),
        )
        .into());
    }
    let total = file.procedures.len();
    let mut out = Vec::with_capacity(total);
    let mut problems = Vec::new();
    for (i, value) in file.procedures.into_iter().enumerate() {
        let code = value
            .get("code")
            .and_then(|c| c.as_str())
            .unwrap_or("?")
            .chars()
            .take(20)
            .collect::<String>();
        match serde_json::from_value::<Procedure>(value) {
            Ok(p) => out.push(p),
            Err(e) => problems.push(Problem::new(
                format!("procedures[{i}] ({code})"),
                "catalog_field",
                Wording::new("error-catalog-field").arg("detail", e.to_string()),
            )),
        }
        progress(i + 1, total);
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems.into())
    }
}

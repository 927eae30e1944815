//! Open data over HTTP: `GET /open-data/` is the manifest (each file's dataset, period, URL,
//! rows and SHA-256, and the chain's high-water mark they were made at), and
//! `GET /open-data/{dataset}/{period}.csv|.json` a file of it (`motcua_app::open_data`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_app::App;
use motcua_app::open_data;
use serde::Serialize;

use crate::error::WebError;

#[derive(Serialize)]
struct Entry {
    dataset: &'static str,
    period: String,
    format: &'static str,
    url: String,
    rows: usize,
    sha256: String,
}

#[derive(Serialize)]
struct Manifest {
    /// The last event of the chain the files include.
    high_water_seq: i64,
    /// A commune is left blank in `dossiers` where fewer dossiers of the procedure than this
    /// came from it in the file.
    small_cell: usize,
    files: Vec<Entry>,
}

pub(crate) async fn manifest(State(state): State<App>) -> Result<Response, WebError> {
    let s = open_data::snapshot(&state).await?;
    let files = s
        .files
        .iter()
        .map(|f| Entry {
            dataset: f.dataset,
            period: f.period.clone(),
            format: f.format,
            url: format!(
                "{}/open-data/{}/{}.{}",
                state.public_url, f.dataset, f.period, f.format
            ),
            rows: f.rows,
            sha256: f.sha256.clone(),
        })
        .collect();
    Ok((
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(Manifest {
            high_water_seq: s.high_water_seq,
            small_cell: open_data::SMALL_CELL,
            files,
        }),
    )
        .into_response())
}

pub(crate) async fn file(
    State(state): State<App>,
    Path((dataset, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let Some((period, format)) = file.rsplit_once('.') else {
        return Err(WebError::not_found());
    };
    if !open_data::DATASETS.contains(&dataset.as_str()) || !matches!(format, "csv" | "json") {
        return Err(WebError::not_found());
    }
    let s = open_data::snapshot(&state).await?;
    let f = s
        .file(&dataset, period, format)
        .ok_or_else(WebError::not_found)?;
    let mime = match format {
        "csv" => "text/csv; charset=utf-8",
        _ => "application/json",
    };
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::ETAG, format!("\"{}\"", f.sha256)),
            (header::CACHE_CONTROL, "public, max-age=300".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "inline; filename=\"{}-{}.{}\"",
                    f.dataset, f.period, f.format
                ),
            ),
        ],
        f.bytes.as_ref().clone(),
    )
        .into_response())
}

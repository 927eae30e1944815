//! Reading multipart uploads: the file a citizen attaches, the result an officer issues, the
//! file a visitor checks. What is done with the file is the application's.

use std::collections::BTreeMap;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

/// Why a multipart upload could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UploadError {
    TooLarge,
    Malformed,
}

/// Why a multipart field could not be read: too large, or anything else.
fn fail(e: axum::extract::multipart::MultipartError) -> UploadError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        UploadError::TooLarge
    } else {
        UploadError::Malformed
    }
}

/// The fields of an upload form: the anti-forgery token (pages), the document and the file.
#[derive(Default)]
pub(crate) struct UploadFields {
    pub(crate) csrf: String,
    pub(crate) document: Option<String>,
    /// What an issued result decides (officers' result upload).
    pub(crate) summary: Option<String>,
    pub(crate) file: Option<(String, Bytes)>,
}

/// Reads `csrf`, `document`, `summary` and `file` from a multipart form (other fields are ignored).
pub(crate) async fn read_upload_form(
    form: &mut axum::extract::Multipart,
) -> Result<UploadFields, UploadError> {
    let mut out = UploadFields::default();
    while let Some(field) = form.next_field().await.map_err(fail)? {
        match field.name() {
            Some("csrf") => out.csrf = field.text().await.map_err(fail)?,
            Some("document") => out.document = Some(field.text().await.map_err(fail)?),
            Some("summary") => out.summary = Some(field.text().await.map_err(fail)?),
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                out.file = Some((name, field.bytes().await.map_err(fail)?));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// A form of several documents at once: the anti-forgery token and, for each chosen file, the
/// index of the document it is for (fields named `file-{index}`, each may carry several).
#[derive(Default)]
pub(crate) struct DocumentFiles {
    pub(crate) csrf: String,
    pub(crate) files: Vec<(usize, String, Bytes)>,
}

/// Reads a several-documents form; inputs left empty (no file chosen) are skipped.
pub(crate) async fn read_document_files(
    form: &mut axum::extract::Multipart,
) -> Result<DocumentFiles, UploadError> {
    let mut out = DocumentFiles::default();
    while let Some(field) = form.next_field().await.map_err(fail)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "csrf" {
            out.csrf = field.text().await.map_err(fail)?;
        } else if let Some(index) = name
            .strip_prefix("file-")
            .and_then(|i| i.parse::<usize>().ok())
        {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(fail)?;
            if !(file_name.is_empty() && bytes.is_empty()) {
                out.files.push((index, file_name, bytes));
            }
        }
    }
    Ok(out)
}

/// A form's text fields, and the files chosen in its field `files` (inputs left empty skipped).
pub(crate) async fn read_form_with_files(
    form: &mut axum::extract::Multipart,
    files: &str,
) -> Result<(BTreeMap<String, String>, Vec<(String, Bytes)>), UploadError> {
    let mut fields = BTreeMap::new();
    let mut chosen = Vec::new();
    while let Some(field) = form.next_field().await.map_err(fail)? {
        let name = field.name().unwrap_or("").to_string();
        if name == files {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(fail)?;
            if !(file_name.is_empty() && bytes.is_empty()) {
                chosen.push((file_name, bytes));
            }
        } else if !name.is_empty() {
            fields.insert(name, field.text().await.map_err(fail)?);
        }
    }
    Ok((fields, chosen))
}

/// A stored file handed out as a download: its type, and its name as RFC 6266 allows any name
/// (`filename*`) with a plain ASCII one beside it for old clients; never cached.
pub(crate) fn download(mime: &str, name: &str, content: Bytes) -> Response {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let ext = motcua_app::files::ACCEPTED
        .iter()
        .find(|(m, _)| *m == mime)
        .map_or("bin", |(_, e)| *e);
    let disposition = format!(
        "attachment; filename=\"tep-dinh-kem.{ext}\"; filename*=UTF-8''{}",
        percent_encoding::utf8_percent_encode(name, KEEP)
    );
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        content,
    )
        .into_response()
}

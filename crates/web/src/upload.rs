//! Reading multipart uploads: the file a citizen attaches, the result an officer issues, the
//! file a visitor checks. What is done with the file is the application's.

use axum::http::StatusCode;
use bytes::Bytes;

/// Why a multipart upload could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UploadError {
    TooLarge,
    Malformed,
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
    let fail = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            UploadError::TooLarge
        } else {
            UploadError::Malformed
        }
    };
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

//! Files given with a petition over the API: sent in base64 with the petition, read back by
//! the petitioner (with the second factor) or an officer of an agency covering it.

use axum::extract::{Path, State};
use base64::Engine;
use motcua_app::App;
use motcua_app::pakn::{self, Proof};
use serde::Deserialize;

use crate::api::pakn::VerifyParams;
use crate::auth::Caller;
use crate::error::{ApiQuery, WebError};
use crate::request::Client;

/// A file given with a petition.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct FileUpload {
    /// Its name, for the reader's sake only.
    name: String,
    /// Its content, in standard base64.
    content_base64: String,
}

/// The files as uploads; 422 `invalid_attachment` for content that is not base64.
pub(crate) fn decode(files: Vec<FileUpload>) -> Result<Vec<pakn::Upload>, WebError> {
    files
        .into_iter()
        .map(|f| {
            base64::engine::general_purpose::STANDARD
                .decode(f.content_base64.trim())
                .map(|bytes| pakn::Upload {
                    name: f.name,
                    bytes: bytes.into(),
                })
                .map_err(|_| {
                    WebError::new(
                        motcua_app::error::Kind::Invalid,
                        "invalid_attachment",
                        "error-pakn-attachment-base64",
                    )
                })
        })
        .collect()
}

/// A file given with a petition: for its petitioner with `verify`, or an officer of an agency
/// covering the one handling it.
#[utoipa::path(
    get, path = "/api/v1/pakn/{code}/attachments/{n}", tag = "pakn",
    params(
        ("code" = String, Path, description = "Petition code, PAKN.YYYYMMDD.NNNN"),
        ("n" = usize, Path, description = "The file's place in the petition's list, from 0"),
        VerifyParams
    ),
    responses(
        (status = 200, description = "the file (PDF, JPEG or PNG)"),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody, description = "unknown code or file, or wrong second factor"),
        (status = 429, body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn attachment(
    State(state): State<App>,
    Caller(principal): Caller,
    Client(client): Client,
    Path((code, n)): Path<(String, usize)>,
    ApiQuery(q): ApiQuery<VerifyParams>,
) -> Result<axum::response::Response, WebError> {
    let proof = q.verify.as_deref().map(|verify| Proof {
        verify,
        client: &client,
    });
    let (a, content) = pakn::attachment(&state, &principal, &code, proof, n).await?;
    Ok(crate::upload::download(&a.mime, &a.name, content))
}

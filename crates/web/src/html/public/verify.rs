//! The public verification page of an electronic result: `/verify/{sha256}` (the QR code of the
//! result opens it) confirms which agency issued the document with that hash and when, and
//! checks a file the visitor has against it, saying plainly when it does not match.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::html::{Chrome, render};
use crate::html::{local, procedure_name};
use motcua_app::App;

/// What the page found for the hash.
struct Issued {
    agency: String,
    issued_at: String,
    procedure: String,
    dossier_code: String,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage<'a> {
    c: &'a Chrome,
    hash: String,
    issued: Option<Issued>,
    /// After a file was checked: whether it matches, and its own hash.
    checked: Option<(bool, String)>,
    errors: Vec<(String, String)>,
}

/// The SHA-256 of the form's `file`, hashed as it arrives: the file is never held whole, and
/// one larger than any result ([`motcua_app::dossiers::RESULT_MAX_BYTES`]) is refused.
/// `None` when no file (or an empty one) was sent.
async fn hash_upload(form: &mut Multipart) -> Result<Option<String>, crate::upload::UploadError> {
    use crate::upload::UploadError;
    use sha2::Digest;
    let fail = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            UploadError::TooLarge
        } else {
            UploadError::Malformed
        }
    };
    while let Some(mut field) = form.next_field().await.map_err(fail)? {
        if field.name() != Some("file") {
            continue;
        }
        let mut hasher = sha2::Sha256::new();
        let mut size = 0usize;
        while let Some(chunk) = field.chunk().await.map_err(fail)? {
            size += chunk.len();
            if size > motcua_app::dossiers::RESULT_MAX_BYTES {
                return Err(UploadError::TooLarge);
            }
            hasher.update(&chunk);
        }
        return Ok((size > 0).then(|| hex::encode(hasher.finalize())));
    }
    Ok(None)
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

async fn issued(state: &App, hash: &str) -> Option<Issued> {
    if !is_sha256(hash) {
        return None;
    }
    let record = match state.store.dossier_by_result(hash).await {
        Ok(r) => r?,
        Err(e) => {
            tracing::error!(error = %e, "result lookup failed");
            return None;
        }
    };
    let d = &record.state;
    let result = d.result.as_ref()?;
    let agency = state
        .store
        .agencies()
        .await
        .ok()
        .and_then(|all| {
            all.into_iter()
                .find(|a| a.code == d.intake.competent_agency)
        })
        .map_or_else(|| d.intake.competent_agency.to_string(), |a| a.name);
    Some(Issued {
        agency,
        issued_at: local(result.issued_at),
        procedure: procedure_name(state, &d.intake.procedure.code.to_string()).await,
        dossier_code: record.code.to_string(),
    })
}

fn page<'a>(c: &'a Chrome, hash: &str, issued: Option<Issued>) -> VerifyPage<'a> {
    VerifyPage {
        c,
        hash: hash.chars().take(64).collect(),
        issued,
        checked: None,
        errors: Vec::new(),
    }
}

fn status(p: &VerifyPage) -> StatusCode {
    if p.issued.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    }
}

pub(crate) async fn show(
    State(state): State<App>,
    c: Chrome,
    Path(hash): Path<String>,
) -> Response {
    let hash = hash.to_ascii_lowercase();
    let p = page(&c, &hash, issued(&state, &hash).await);
    render(status(&p), &c, &p)
}

/// Compares the visitor's file with the issued document (nothing is stored).
pub(crate) async fn check(
    State(state): State<App>,
    c: Chrome,
    Path(hash): Path<String>,
    mut form: Multipart,
) -> Response {
    let hash = hash.to_ascii_lowercase();
    let mut p = page(&c, &hash, issued(&state, &hash).await);
    if p.issued.is_none() {
        return render(status(&p), &c, &p);
    }
    match hash_upload(&mut form).await {
        Ok(Some(mine)) => p.checked = Some((mine == hash, mine)),
        Ok(None) => p
            .errors
            .push(("f-file".into(), c.tr.t("verify-doc-choose"))),
        Err(crate::upload::UploadError::TooLarge) => p
            .errors
            .push(("f-file".into(), c.tr.t("verify-doc-too-large"))),
        Err(crate::upload::UploadError::Malformed) => p
            .errors
            .push(("f-file".into(), c.tr.t("verify-doc-choose"))),
    }
    let code = crate::html::forms::form_status(&p.errors);
    render(code, &c, &p)
}

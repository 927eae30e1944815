//! Public tracking by dossier code plus the last four digits of the applicant's phone (or of
//! their citizen ID when they gave no phone). A wrong or missing second factor is answered
//! exactly like an unknown code. Wrong guesses slow down the client that makes them (see
//! [`crate::ratelimit::Guard`]): strangers' guesses never hold back a client that tracked the
//! dossier before, and the signed-in applicant sees it on their account anyway. What the
//! public may see of the history is the domain's rule (`EventType::is_public`), applied here
//! once for the API and the page.

use motcua_domain::ids::DossierCode;
use motcua_domain::lifecycle::Dossier;
use motcua_store::TimelineEvent;

use crate::App;
use crate::error::AppError;
use crate::secrets::same_secret;

/// A dossier as the public sees it.
#[derive(Debug, Clone)]
pub struct Tracked {
    pub code: DossierCode,
    pub dossier: Dossier,
    pub procedure_name: String,
    /// The events the public may see, oldest first.
    pub timeline: Vec<TimelineEvent>,
}

/// The public view of dossier `code`, when `verify` is its second factor; "not found"
/// otherwise, whatever the reason, or "too many attempts" while `client` must wait.
pub async fn lookup(
    app: &App,
    code: &str,
    verify: &str,
    client: &str,
) -> Result<Tracked, AppError> {
    let Ok(code) = DossierCode::parse(code.trim()) else {
        return Err(AppError::not_found());
    };
    let key = code.to_string();
    app.limits
        .track
        .attempt(&key, client)
        .map_err(AppError::too_many_attempts)?;
    let verify = verify.trim();
    // One indexed read: the dossier with its timeline; the procedure's name is in memory.
    let found = app.store.dossier_timeline(&code).await?;
    // The second factor: the last four digits of the applicant's phone, or of their citizen
    // ID when they gave no phone.
    let matches = found.as_ref().is_some_and(|(d, _)| {
        let a = &d.intake.applicant;
        let last4 = a
            .phone
            .as_ref()
            .map(|p| p.last4().to_string())
            .or_else(|| a.cccd.as_ref().map(|c| c.last4()));
        verify.len() == 4 && last4.is_some_and(|l| same_secret(&l, verify))
    });
    let Some((dossier, events)) = found.filter(|_| matches) else {
        return Err(AppError::not_found());
    };
    app.limits.track.succeed(&key, client);
    let procedure_name = app
        .catalog
        .index()
        .get(&dossier.intake.procedure.code)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    Ok(Tracked {
        code,
        dossier,
        procedure_name,
        timeline: events.into_iter().filter(|e| e.kind.is_public()).collect(),
    })
}

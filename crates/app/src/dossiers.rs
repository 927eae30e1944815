//! Dossiers: filing at a counter (or by an agency system), who may read one, who may write,
//! and carrying out an action. The JSON API and the back office's pages both call these.

use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::Lang;
use motcua_domain::ids::{AgencyCode, Cccd, DossierCode, Phone, ProcedureCode, TaxCode};
use motcua_domain::lifecycle::{Applicant, Channel, Command, Intake};
use motcua_domain::role::{Actor, Role};
use motcua_store::{DossierRecord, Scope, ops};

use crate::App;
use crate::error::{AppError, Kind};
use crate::principal::Principal;

/// The applicant as an officer or a system typed them, still to be checked.
#[derive(Debug, Clone, Default)]
pub struct ApplicantForm {
    pub name: String,
    pub cccd: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub tax_code: Option<String>,
    /// When given, checked against the citizen ID's encoded birth year.
    pub birth_date: Option<NaiveDate>,
    pub lang: Option<Lang>,
}

/// A dossier taken at a counter or sent by an agency system.
#[derive(Debug, Clone)]
pub struct CounterFiling {
    pub procedure_code: String,
    pub applicant: ApplicantForm,
    /// `counter`, `online` or `post`.
    pub channel: String,
    pub branch_code: Option<String>,
    pub competent_agency_code: Option<String>,
    pub form: Option<serde_json::Value>,
    /// Receive at once; by default at the counter only.
    pub receive: Option<bool>,
}

fn blank(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

fn parse_applicant(a: ApplicantForm) -> Result<Applicant, AppError> {
    let cccd = match blank(a.cccd) {
        Some(s) => Some(
            match a.birth_date {
                Some(b) => Cccd::parse_with_birth_date(&s, b),
                None => Cccd::parse(&s),
            }
            .map_err(|e| AppError::on_field(Kind::Invalid, "applicant.cccd", e))?,
        ),
        None => None,
    };
    let phone = blank(a.phone)
        .map(|s| {
            Phone::parse(&s).map_err(|e| AppError::on_field(Kind::Invalid, "applicant.phone", e))
        })
        .transpose()?;
    let tax_code = blank(a.tax_code)
        .map(|s| {
            TaxCode::parse(&s)
                .map_err(|e| AppError::on_field(Kind::Invalid, "applicant.tax_code", e))
        })
        .transpose()?;
    Ok(Applicant {
        name: a.name.trim().to_string(),
        cccd,
        phone,
        email: a
            .email
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty()),
        tax_code,
        lang: a.lang.unwrap_or_default(),
    })
}

/// The actor of a write: staff and systems with the write scope, or a citizen (whose
/// ownership and action the lifecycle checks).
pub fn writer(principal: &Principal) -> Result<Actor, AppError> {
    let actor = principal.actor().ok_or_else(AppError::unauthenticated)?;
    if !principal.has_scope(Scope::DossiersWrite) && !matches!(principal, Principal::Citizen(_)) {
        return Err(AppError::forbidden());
    }
    Ok(actor)
}

/// The actor of a write only officers and agency systems may make (issuing a result): staff
/// or a system with the write scope; a citizen is refused.
pub fn staff_writer(principal: &Principal) -> Result<Actor, AppError> {
    match principal {
        Principal::Staff(_) | Principal::System(_) if principal.has_scope(Scope::DossiersWrite) => {
            principal.actor().ok_or_else(AppError::unauthenticated)
        }
        Principal::Anonymous => Err(AppError::unauthenticated()),
        _ => Err(AppError::forbidden()),
    }
}

/// Opens a dossier filed by an officer or an agency system: the procedure from the catalog,
/// the applicant checked, the branch (any branch takes any procedure) and the deciding agency.
pub async fn file_at_counter(
    app: &App,
    actor: &Actor,
    req: CounterFiling,
    now: DateTime<Utc>,
) -> Result<DossierRecord, AppError> {
    let code = ProcedureCode::parse(&req.procedure_code)
        .map_err(|e| AppError::on_field(Kind::Invalid, "procedure_code", e))?;
    let channel = match req.channel.as_str() {
        "counter" => Channel::Counter,
        "online" => Channel::Online,
        "post" => Channel::Post,
        _ => {
            return Err(AppError::new(
                Kind::Invalid,
                "invalid_channel",
                "error-invalid-channel",
            ));
        }
    };
    let store = &app.store;
    let procedure = store.procedure(&code).await?.ok_or_else(|| {
        AppError::new(
            Kind::Invalid,
            "unknown_procedure",
            "error-unknown-procedure",
        )
    })?;
    let rules = procedure.rules().ok_or_else(|| {
        AppError::new(
            Kind::Invalid,
            "procedure_without_time_limit",
            "error-procedure-without-time-limit",
        )
    })?;
    let applicant = parse_applicant(req.applicant)?;
    // Branches and agencies from memory; one that is not there yet is looked up.
    let branch = match blank(req.branch_code) {
        Some(b) => Some(crate::counter::branch(app, &b).await?.ok_or_else(|| {
            AppError::new(Kind::Invalid, "unknown_branch", "error-unknown-branch")
        })?),
        None => None,
    };
    let receiving_agency = match (&branch, actor.role, actor.agency) {
        (Some(b), _, _) => b.agency,
        (None, Role::Reception, Some(a)) => a,
        _ => app.default_receiving_agency,
    };
    let competent_agency = match blank(req.competent_agency_code) {
        Some(c) => {
            let c = AgencyCode::parse(&c)
                .map_err(|e| AppError::on_field(Kind::Invalid, "competent_agency_code", e))?;
            let known = app.catalog.agencies().iter().any(|a| a.code == c)
                || store.agencies().await?.iter().any(|a| a.code == c);
            if !known || !procedure.agency.covers(&c) {
                return Err(AppError::new(
                    Kind::Invalid,
                    "competent_agency_mismatch",
                    "error-competent-agency-mismatch",
                ));
            }
            c
        }
        // A commune-level procedure the catalog routes to the province as a whole: the
        // counter says which commune handles it.
        None if app.catalog.leaves_commune_open(procedure.agency) => {
            return Err(AppError::new(
                Kind::Invalid,
                "commune_required",
                "error-commune-required",
            ));
        }
        None => procedure.agency,
    };
    let form = req.form.unwrap_or_else(|| serde_json::json!({}));
    if !form.is_object() {
        return Err(AppError::new(
            Kind::Invalid,
            "invalid_form",
            "error-invalid-form",
        ));
    }
    let intake = Intake {
        procedure: rules,
        applicant,
        channel,
        receiving_agency,
        competent_agency,
        branch: branch.map(|b| b.code),
        owner: None,
        receive_now: req.receive.unwrap_or(channel == Channel::Counter),
        components: Vec::new(),
    };
    let record = ops::open(
        &**store,
        &app.lifecycle_on(&app.calendar()),
        intake,
        form,
        actor,
        now,
    )
    .await?;
    tracing::info!(code = %record.code, actor = %actor.id, "dossier opened");
    Ok(record)
}

/// What follows a dossier just opened at the counter: the ticket the officer is serving, if
/// any, is linked to it; the fee taken at the counter is recorded; then the officer's outcome
/// (receive by default). The dossier exists already, so a failure here loses nothing typed:
/// it waits in the reception queue.
pub async fn finish_at_counter(
    app: &App,
    actor: &Actor,
    record: &DossierRecord,
    fee: i64,
    then: Option<Command>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    match app.store.serving_by(&actor.id).await {
        Ok(Some(t)) if t.dossier.is_none() => {
            if let Err(e) = app.store.link_ticket(t.id, &record.code.to_string()).await {
                tracing::warn!(code = %record.code, error = %e, "ticket not linked");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(code = %record.code, error = %e, "ticket not linked"),
    }
    let mut steps = Vec::new();
    if fee > 0 {
        steps.push(Command::RecordPayment {
            reference: format!("QUAY-{}", record.code),
            amount: fee,
        });
    }
    steps.push(then.unwrap_or(Command::Receive));
    for command in steps {
        ops::act(
            &*app.store,
            &app.lifecycle_on(&app.calendar()),
            &record.code,
            None,
            &command,
            actor,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Loads a dossier the caller may read; otherwise "not found", as if it did not exist. A
/// storage failure stays a failure of ours, never a "not found".
pub async fn readable(
    app: &App,
    principal: &Principal,
    code: &str,
) -> Result<DossierRecord, AppError> {
    if matches!(principal, Principal::Anonymous) {
        return Err(AppError::unauthenticated());
    }
    let code = DossierCode::parse(code).map_err(|e| AppError::localised(Kind::BadRequest, e))?;
    principal
        .read_dossier(app.store.as_ref(), &code)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Carries out an action on a dossier the caller has read (through [`readable`]), at
/// `expected` version if given. The lifecycle decides whether the actor's role and agency may
/// do it now.
pub async fn act(
    app: &App,
    actor: &Actor,
    record: &DossierRecord,
    expected: Option<u32>,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<DossierRecord, AppError> {
    if matches!(command, Command::Open(_)) {
        return Err(AppError::new(
            Kind::Invalid,
            "invalid_action",
            "error-open-through-filing",
        ));
    }
    // Work goes to people who exist and work where the dossier goes, and to agencies that
    // exist: the lifecycle knows neither.
    let assignee = match command {
        Command::Forward {
            assignee: Some(a), ..
        } => Some((a, "forward")),
        Command::Assign { assignee } => Some((assignee, "assign")),
        _ => None,
    };
    if let Some((username, action)) = assignee {
        let users = app.store.users().await?;
        if !assignable(&users, &record.state, action)
            .iter()
            .any(|u| u.username == *username)
        {
            return Err(AppError::new(
                Kind::Invalid,
                "assignee_not_eligible",
                "error-assignee-not-eligible",
            ));
        }
    }
    if let Command::Transfer { to_agency, .. } = command
        && !app.catalog.agencies().iter().any(|a| a.code == *to_agency)
    {
        return Err(AppError::new(
            Kind::Invalid,
            "unknown_agency",
            "error-unknown-agency",
        ));
    }
    let updated = ops::act(
        &*app.store,
        &app.lifecycle_on(&app.calendar()),
        &record.code,
        expected,
        command,
        actor,
        now,
    )
    .await?;
    tracing::info!(code = %updated.code, action = command.name(), actor = %actor.id, "dossier action");
    Ok(updated)
}

/// The largest electronic result an officer may issue (a signed PDF or a scan).
pub const RESULT_MAX_BYTES: usize = 20 * 1024 * 1024;

/// Issues the electronic result: the file (PDF, JPG or PNG, judged by its content) is stored
/// under its SHA-256, which the result records (the public page `/verify/{sha256}` then
/// confirms it), and the lifecycle moves the dossier to "result ready" (approved first, by
/// the holding agency). The API and the back office's page both issue through here.
pub async fn issue_result(
    app: &App,
    actor: &Actor,
    record: &DossierRecord,
    summary: String,
    file: bytes::Bytes,
    expected: Option<u32>,
    now: DateTime<Utc>,
) -> Result<DossierRecord, AppError> {
    if file.len() > RESULT_MAX_BYTES {
        return Err(
            AppError::new(Kind::TooLarge, "file_too_large", "error-file-too-large-mb")
                .arg("max_mb", RESULT_MAX_BYTES / 1024 / 1024),
        );
    }
    if crate::files::sniff(&file).is_none() {
        return Err(AppError::new(
            Kind::UnsupportedMedia,
            "file_type",
            "error-file-type",
        ));
    }
    let sha256 = app
        .files
        .put(file)
        .await
        .map_err(|e| AppError::internal(format!("storing a result failed: {e}")))?;
    let command = Command::IssueResult {
        summary,
        document_sha256: Some(sha256),
    };
    act(app, actor, record, expected, &command, now).await
}

/// The applicant's address from their profile, when the dossier was filed from an account
/// ("Số 5 Lê Lợi, Phường Hồng Gai, Tỉnh Quảng Ninh").
pub async fn applicant_address(
    app: &App,
    d: &motcua_domain::lifecycle::Dossier,
) -> Result<Option<String>, AppError> {
    let Some(owner) = &d.intake.owner else {
        return Ok(None);
    };
    Ok(app.store.citizen(owner).await?.and_then(|c| {
        let units = motcua_domain::units::AdminUnits::official();
        let ward = c.ward_code.as_deref().and_then(|w| units.ward(w));
        let province = c.province_code.as_deref().and_then(|p| units.province(p));
        let parts: Vec<String> = [
            c.address_line.clone(),
            ward.map(|w| w.name.clone()),
            province.map(|p| p.name.clone()),
        ]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }))
}

/// A file the applicant attached to dossier `code`, with its content, for whoever may read the
/// dossier (the applicant, staff and systems in scope); not found for anyone else, and for an
/// attachment of another dossier.
pub async fn attachment(
    app: &App,
    principal: &Principal,
    code: &str,
    id: &str,
) -> Result<(motcua_store::Attachment, bytes::Bytes), AppError> {
    let record = readable(app, principal, code).await?;
    let a = app
        .store
        .attachment(id)
        .await?
        .filter(|a| a.dossier_code.as_deref() == Some(record.code.to_string().as_str()))
        .ok_or_else(AppError::not_found)?;
    let content = app.files.get(&a.sha256).await.map_err(|e| {
        tracing::warn!(error = %e, dossier = %record.code, attachment = %a.id, "attachment file missing");
        AppError::not_found()
    })?;
    Ok((a, content))
}

/// The files attached to a dossier in the order they were uploaded.
pub async fn attachments(
    app: &App,
    code: &DossierCode,
) -> Result<Vec<motcua_store::Attachment>, AppError> {
    let mut files = app.store.dossier_attachments(code).await?;
    files.reverse();
    Ok(files)
}

/// The officers of `users` that `action` ("forward" or "assign") may give dossier `d` to, by name: active
/// officers of the agency the dossier goes to (the next step's for a forward, the holder's
/// for an assignment) with the role that step asks for.
pub fn assignable<'u>(
    users: &'u [motcua_store::User],
    d: &motcua_domain::lifecycle::Dossier,
    action: &str,
) -> Vec<&'u motcua_store::User> {
    use motcua_domain::lifecycle::Status;
    let steps = &d.intake.procedure.steps;
    let step = match (action, d.status) {
        ("forward", Status::Received) => steps.first(),
        ("forward", _) => d.step.and_then(|s| steps.get(s + 1)),
        _ => d.step.and_then(|s| steps.get(s)),
    };
    let agency = match action {
        "forward" => step
            .and_then(|s| s.agency)
            .unwrap_or(d.intake.competent_agency),
        _ => d.current_agency,
    };
    let roles: &[Role] = match step {
        Some(s) => std::slice::from_ref(&s.role),
        None => &[Role::Specialist, Role::Approver],
    };
    let mut eligible: Vec<&motcua_store::User> = users
        .iter()
        .filter(|u| u.active && u.agency == Some(agency) && roles.contains(&u.role))
        .collect();
    eligible.sort_by(|a, b| a.full_name.cmp(&b.full_name));
    eligible
}

/// The most dossiers one search looks through before the reader's scope is applied.
const SEARCH_CANDIDATES: u32 = 1000;

/// Dossiers an officer (or an agency system) finds by what a caller gives: the dossier code,
/// the citizen ID, the phone number or words of the applicant's name (marks optional), among
/// those they may read, the most recently filed first; one page of them and how many there are.
pub async fn search(
    app: &App,
    principal: &Principal,
    q: &str,
    page: u32,
    per_page: u32,
) -> Result<(Vec<DossierRecord>, u64), AppError> {
    match principal {
        Principal::Anonymous => return Err(AppError::unauthenticated()),
        Principal::Citizen(_) => return Err(AppError::forbidden()),
        _ => {}
    }
    let q = q.trim();
    let digits: String = q
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let phone = Phone::parse(q).ok();
    let find = if let Ok(code) = DossierCode::parse(q) {
        motcua_store::Find::Code(code)
    } else if let Ok(cccd) = Cccd::parse(&digits) {
        motcua_store::Find::Cccd(cccd)
    } else if let Some(p) = &phone {
        motcua_store::Find::PhoneLast4(p.last4().to_string())
    } else {
        let words = motcua_domain::text::fold(q);
        if words.chars().count() < 2 || q.chars().count() > 200 {
            return Err(AppError::new(
                Kind::Invalid,
                "search_query",
                "error-dossier-search-query",
            ));
        }
        motcua_store::Find::Name(words)
    };
    let found: Vec<DossierRecord> = app
        .store
        .find_dossiers(&find, SEARCH_CANDIDATES)
        .await?
        .into_iter()
        .filter(|r| principal.can_read(&r.state))
        .filter(|r| phone.is_none() || r.state.intake.applicant.phone == phone)
        .collect();
    let total = found.len() as u64;
    let per_page = per_page.clamp(1, 100) as usize;
    let skip = (page.max(1) as usize - 1) * per_page;
    Ok((found.into_iter().skip(skip).take(per_page).collect(), total))
}

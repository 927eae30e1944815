//! Feedback and petitions (phản ánh, kiến nghị): filed online by anyone (a name and a phone or
//! e-mail) or by an officer for a caller, looked up with the last four digits of the
//! petitioner's phone, handled by the officers of the agency concerned, rated and reopened by
//! the petitioner. The rules are `motcua_domain::pakn`; each petition is a stream of the
//! audit chain.

use chrono::{DateTime, Utc};
use motcua_domain::Lang;
use motcua_domain::ids::{AgencyCode, DossierCode, Phone};
use motcua_domain::pakn::{
    self, Category, Filing, NotFeedback, PaknChannel, PaknCode, PaknCommand, PaknError, PaknEvent,
    PaknState, Petition, Petitioner,
};
use motcua_domain::role::{Actor, Role};
use motcua_store::{PetitionQuery, PetitionRow, PetitionUpdate, Scope};

use crate::App;
use crate::error::{AppError, Kind};
use crate::principal::Principal;
use crate::secrets::same_secret;

impl From<PaknError> for AppError {
    fn from(e: PaknError) -> Self {
        let kind = match &e {
            PaknError::PetitionerOnly(_) | PaknError::OfficerOnly(_) => Kind::Forbidden,
            PaknError::Text { .. } | PaknError::NoContact | PaknError::NotTranscribed => {
                Kind::Invalid
            }
            PaknError::InvalidTransition { .. }
            | PaknError::SameAgency
            | PaknError::ReopenClosed
            | PaknError::AlreadyRated => Kind::Conflict,
        };
        AppError::localised(kind, e)
    }
}

/// A petition as given: by anyone online, or by an officer for a caller (then `channel` says
/// how it came: `phone`, `letter`, `email`, `counter`, `hotline`, `social`).
#[derive(Debug, Clone, Default)]
pub struct NewPetition {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub content: String,
    pub category: Option<String>,
    pub dossier: Option<String>,
    pub agency: Option<String>,
    pub channel: Option<String>,
    pub publish_content: bool,
    /// The language the petitioner is written to in.
    pub lang: Lang,
    /// Files given with it: at most [`pakn::MAX_ATTACHMENTS`], PDF, JPG or PNG by their
    /// content, each at most [`pakn::MAX_ATTACHMENT_BYTES`].
    pub attachments: Vec<Upload>,
}

/// Request body limit of the forms and requests filing a petition: its files in base64 (a
/// third larger), plus the rest of the form.
pub const UPLOAD_BODY_LIMIT: usize =
    pakn::MAX_ATTACHMENTS * pakn::MAX_ATTACHMENT_BYTES * 4 / 3 + 256 * 1024;

/// A file as uploaded: the name it was given and its bytes.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub name: String,
    pub bytes: bytes::Bytes,
}

/// Checks files given with a petition, all of them before any is kept; then stores them
/// (once each, under their SHA-256) and says what the petition records of them.
async fn keep_attachments(
    state: &App,
    uploads: Vec<Upload>,
) -> Result<Vec<pakn::Attachment>, AppError> {
    let uploads: Vec<Upload> = uploads
        .into_iter()
        .filter(|u| !u.bytes.is_empty())
        .collect();
    if uploads.len() > pakn::MAX_ATTACHMENTS {
        return Err(crate::filing::too_many_files(pakn::MAX_ATTACHMENTS));
    }
    let mut checked = Vec::with_capacity(uploads.len());
    for u in uploads {
        if u.bytes.len() > pakn::MAX_ATTACHMENT_BYTES {
            return Err(
                AppError::new(Kind::TooLarge, "file_too_large", "error-file-too-large-mb")
                    .arg("max_mb", pakn::MAX_ATTACHMENT_BYTES / (1024 * 1024)),
            );
        }
        let Some(mime) = crate::files::sniff(&u.bytes) else {
            return Err(AppError::new(
                Kind::UnsupportedMedia,
                "file_type",
                "error-file-type",
            ));
        };
        checked.push((u, mime));
    }
    let mut kept = Vec::with_capacity(checked.len());
    for (u, mime) in checked {
        let size = u.bytes.len() as u64;
        let sha256 = state
            .files
            .put(u.bytes)
            .await
            .map_err(|e| AppError::internal(format!("storing an upload failed: {e}")))?;
        kept.push(pakn::Attachment {
            name: crate::filing::clean_file_name(&u.name, mime),
            sha256,
            mime: mime.to_string(),
            size,
        });
    }
    Ok(kept)
}

fn invalid(code: &'static str, key: &'static str) -> AppError {
    AppError::new(Kind::Invalid, code, key)
}

/// Files a petition. A complaint or a denunciation is not taken as feedback: the answer says
/// which law it follows instead. A petition about a dossier is taken from its applicant only
/// (the phone or e-mail given is the dossier's, or the caller is the citizen who filed it).
pub async fn file(
    state: &App,
    principal: &Principal,
    req: NewPetition,
    client: &str,
    now: DateTime<Utc>,
) -> Result<PetitionRow, AppError> {
    feedback_only(&req.content)?;
    let phone = match req
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(p) => {
            Some(Phone::parse(p).map_err(|e| AppError::on_field(Kind::Invalid, "phone", e))?)
        }
        None => None,
    };
    let email = req
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .map(crate::accounts::parse_email)
        .transpose()?;
    let category = req
        .category
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(|c| {
            Category::parse(c).ok_or_else(|| invalid("invalid_category", "error-pakn-category"))
        })
        .transpose()?;
    // Filed by an officer for a caller, or by the petitioner online.
    let (channel, received_by) = match principal {
        Principal::Staff(u) if principal.has_scope(Scope::DossiersWrite) => {
            let channel = req
                .channel
                .as_deref()
                .and_then(PaknChannel::parse)
                .filter(|c| c.transcribed())
                .ok_or_else(|| invalid("invalid_channel", "error-pakn-channel"))?;
            (channel, Some(u.username.clone()))
        }
        Principal::Staff(_) | Principal::System(_) => return Err(AppError::forbidden()),
        Principal::Anonymous | Principal::Citizen(_) => (PaknChannel::Web, None),
    };
    let dossier = match req
        .dossier
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => None,
        Some(d) => {
            let code = DossierCode::parse(d)
                .map_err(|e| AppError::on_field(Kind::Invalid, "dossier", e))?;
            let record = state.store.dossier(&code).await?;
            let mine = record.as_ref().is_some_and(|r| {
                let a = &r.state.intake.applicant;
                let owner = match principal {
                    Principal::Citizen(c) => r.state.intake.owner.as_ref() == Some(&c.citizen.id),
                    _ => false,
                };
                owner
                    || (phone.is_some() && a.phone == phone)
                    || (email.is_some() && a.email.as_deref().map(str::to_lowercase) == email)
            });
            // Not the applicant's, or no such dossier: the same answer.
            let Some(r) = record.filter(|_| mine) else {
                return Err(AppError::new(
                    Kind::Forbidden,
                    "dossier_not_yours",
                    "error-pakn-dossier-not-yours",
                ));
            };
            Some((code, r.state.current_agency))
        }
    };
    let agency = match req
        .agency
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        Some(a) => {
            let code =
                AgencyCode::parse(a).map_err(|e| AppError::on_field(Kind::Invalid, "agency", e))?;
            if !state.catalog.agencies().iter().any(|x| x.code == code) {
                return Err(invalid("unknown_agency", "error-pakn-unknown-agency"));
            }
            code
        }
        None => dossier
            .map(|(_, a)| a)
            .unwrap_or(state.default_receiving_agency),
    };
    let filing = pakn::check(Filing {
        petitioner: Petitioner {
            name: req.name,
            phone,
            email,
            lang: req.lang,
        },
        channel,
        content: req.content,
        category,
        dossier: dossier.map(|(c, _)| c),
        agency,
        received_by,
        publish_content: req.publish_content,
        attachments: Vec::new(),
    })?;
    // The public is held to a rate; an officer writing down callers' petitions is not.
    if !matches!(principal, Principal::Staff(_)) {
        state
            .limits
            .petitions
            .take(client)
            .map_err(AppError::too_many_attempts)?;
    }
    // The files last: nothing is kept of a petition that is refused.
    let filing = Filing {
        attachments: keep_attachments(state, req.attachments).await?,
        ..filing
    };
    record(state, &filing, now).await
}

/// File `n` (from 0) given with a petition, and its content: for its petitioner with a
/// [`Proof`], or an officer of an agency covering the agency handling it.
pub async fn attachment(
    state: &App,
    principal: &Principal,
    code: &str,
    proof: Option<Proof<'_>>,
    n: usize,
) -> Result<(pakn::Attachment, bytes::Bytes), AppError> {
    let loaded = match proof {
        Some(proof) => lookup(state, code, proof.verify, proof.client).await?,
        None => for_officer(state, principal, code).await?,
    };
    let a = loaded
        .petition
        .filing
        .attachments
        .get(n)
        .cloned()
        .ok_or_else(AppError::not_found)?;
    let bytes = state
        .files
        .get(&a.sha256)
        .await
        .map_err(|e| AppError::internal(format!("reading a petition's file failed: {e}")))?;
    Ok((a, bytes))
}

/// Turns a complaint (khiếu nại) or a denunciation (tố cáo) away: not feedback, and the
/// answer says which law it follows instead.
pub(crate) fn feedback_only(content: &str) -> Result<(), AppError> {
    match pakn::not_feedback(content) {
        Some(NotFeedback::Complaint) => {
            Err(invalid("complaint_not_feedback", "error-pakn-complaint"))
        }
        Some(NotFeedback::Denunciation) => Err(invalid(
            "denunciation_not_feedback",
            "error-pakn-denunciation",
        )),
        None => Ok(()),
    }
}

/// Stores a checked filing received at `now`, its first step due on the working calendar.
pub(crate) async fn record(
    state: &App,
    filing: &Filing,
    now: DateTime<Utc>,
) -> Result<PetitionRow, AppError> {
    let due = state
        .calendar()
        .add_working_days(now, state.pakn_limits.first_step());
    let row = state.store.file_petition(filing, now, Some(due)).await?;
    tracing::info!(code = %row.code, agency = %row.agency, channel = row.channel.as_str(), "petition filed");
    Ok(row)
}

/// A stored petition: its row, its events and the petition they replay to.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub row: PetitionRow,
    pub events: Vec<PaknEvent>,
    pub petition: Petition,
}

/// A stored petition, read once and replayed.
pub(crate) async fn load(state: &App, code: &PaknCode) -> Result<Loaded, AppError> {
    let stored = state
        .store
        .petition(code)
        .await?
        .ok_or_else(AppError::not_found)?;
    let petition = pakn::replay(&stored.events, &state.calendar(), &state.pakn_limits)
        .map_err(|e| motcua_store::StoreError::Corrupt(e.to_string()))?;
    Ok(Loaded {
        row: stored.row,
        events: stored.events,
        petition,
    })
}

/// Whether `verify` is the petition's second factor.
fn verified(p: &Petition, verify: &str) -> bool {
    let who = &p.filing.petitioner;
    second_factor(who.phone.as_ref(), who.email.as_deref(), verify)
}

/// Whether `verify` is the second factor of someone who gave `phone` or `email`: the last
/// four digits of the phone, or, given only an e-mail address, its first four characters.
pub(crate) fn second_factor(phone: Option<&Phone>, email: Option<&str>, verify: &str) -> bool {
    let verify = verify.trim();
    let factor = match (phone, email) {
        (Some(phone), _) => phone.last4().to_string(),
        (None, Some(email)) => email.chars().take(4).collect(),
        (None, None) => return false,
    };
    verify.chars().count() == 4 && same_secret(&factor.to_lowercase(), &verify.to_lowercase())
}

/// The petition `code` for its petitioner, when `verify` is its second factor; "not found"
/// otherwise, whatever the reason, or "too many attempts" while `client` must wait.
pub async fn lookup(
    state: &App,
    code: &str,
    verify: &str,
    client: &str,
) -> Result<Loaded, AppError> {
    let Ok(code) = PaknCode::parse(code) else {
        return Err(AppError::not_found());
    };
    state
        .limits
        .track
        .look_up(&code.to_string(), client, async {
            match load(state, &code).await {
                Ok(found) => Ok(Some(found).filter(|l| verified(&l.petition, verify))),
                Err(e) if e.kind == Kind::NotFound => Ok(None),
                Err(e) => Err(e),
            }
        })
        .await
}

/// How a petitioner proves who they are: the petition's second factor, and the client trying
/// it (held to the same limits as a lookup).
#[derive(Debug, Clone, Copy)]
pub struct Proof<'a> {
    pub verify: &'a str,
    pub client: &'a str,
}

/// Carries out `command` on petition `code`: officers of an agency covering the petition's
/// (signed in, with the right to handle dossiers), or its petitioner with a [`Proof`]
/// (supplement, rate, reopen). With `expected`, the caller's view must be current.
pub async fn act(
    state: &App,
    principal: &Principal,
    code: &str,
    command: &PaknCommand,
    proof: Option<Proof<'_>>,
    expected: Option<u32>,
    now: DateTime<Utc>,
) -> Result<PetitionRow, AppError> {
    let Loaded {
        row,
        events: all,
        petition: p,
    } = match (principal, proof) {
        (Principal::Staff(_), None) => {
            let code = PaknCode::parse(code).map_err(|_| AppError::not_found())?;
            load(state, &code).await?
        }
        (Principal::Staff(_), Some(_)) => return Err(AppError::forbidden()),
        (_, Some(proof)) => lookup(state, code, proof.verify, proof.client).await?,
        (Principal::System(_), None) => return Err(AppError::forbidden()),
        (_, None) => return Err(AppError::unauthenticated()),
    };
    let actor = match principal {
        Principal::Staff(u) if principal.has_scope(Scope::DossiersWrite) => {
            Actor::new(u.username.clone(), u.role, u.agency)
        }
        Principal::Staff(_) => return Err(AppError::forbidden()),
        _ => Actor::new("petitioner", Role::Applicant, None),
    };
    if let Some(e) = expected.filter(|e| *e != row.version) {
        return Err(motcua_store::StoreError::Conflict {
            expected: e,
            found: row.version,
        }
        .into());
    }
    let events = pakn::decide(
        &p,
        command,
        &actor,
        &state.calendar(),
        &state.pakn_limits,
        now,
    )?;
    let row = append(
        state,
        Loaded {
            row,
            events: all,
            petition: p,
        },
        events,
    )
    .await?;
    tracing::info!(code = %row.code, action = command.name(), by = %actor.id, "petition changed");
    Ok(row)
}

/// Appends `events` to a loaded petition, its row updated as they leave it; `Conflict` when
/// it changed since it was loaded.
pub(crate) async fn append(
    state: &App,
    loaded: Loaded,
    events: Vec<PaknEvent>,
) -> Result<PetitionRow, AppError> {
    let (cal, limits) = (state.calendar(), &state.pakn_limits);
    let mut all = loaded.events;
    all.extend(events.iter().cloned());
    let after = pakn::replay(&all, &cal, limits)
        .map_err(|e| motcua_store::StoreError::Corrupt(e.to_string()))?;
    let update = PetitionUpdate::of(&after, &cal, limits);
    Ok(state
        .store
        .append_petition(&loaded.row.code, loaded.row.version, events, &update)
        .await?)
}

/// Petition `code` for an officer of an agency covering the agency handling it (signed in,
/// with the right to read dossiers): everything, the petitioner's contact included, to
/// answer them.
pub async fn for_officer(
    state: &App,
    principal: &Principal,
    code: &str,
) -> Result<Loaded, AppError> {
    let Principal::Staff(u) = principal else {
        return Err(match principal {
            Principal::Anonymous => AppError::unauthenticated(),
            _ => AppError::forbidden(),
        });
    };
    if !principal.has_scope(Scope::DossiersRead) {
        return Err(AppError::forbidden());
    }
    let code = PaknCode::parse(code).map_err(|_| AppError::not_found())?;
    let loaded = load(state, &code).await?;
    if !u.agency.is_some_and(|a| a.covers(&loaded.row.agency)) {
        return Err(AppError::forbidden());
    }
    Ok(loaded)
}

/// An officer's lists: `mine` (their own agency's open petitions), `unit` (those of every
/// agency their agency covers), `due` (of those, due within the next two working days) and
/// `overdue` (past due).
pub async fn list(
    state: &App,
    principal: &Principal,
    view: &str,
    now: DateTime<Utc>,
) -> Result<Vec<PetitionRow>, AppError> {
    let Principal::Staff(u) = principal else {
        return Err(match principal {
            Principal::Anonymous => AppError::unauthenticated(),
            _ => AppError::forbidden(),
        });
    };
    if !principal.has_scope(Scope::DossiersRead) {
        return Err(AppError::forbidden());
    }
    let Some(mine) = u.agency else {
        return Err(AppError::forbidden());
    };
    let covered: Vec<AgencyCode> = state
        .catalog
        .agencies()
        .iter()
        .map(|a| a.code)
        .filter(|a| mine.covers(a))
        .collect();
    let open = vec![
        PaknState::Submitted,
        PaknState::InfoRequested,
        PaknState::Accepted,
        PaknState::Answered,
    ];
    let soon = state.calendar().add_working_days(now, 2);
    let (agencies, due_before) = match view {
        "mine" => (vec![mine], None),
        "unit" => (covered, None),
        "due" => (covered, Some(soon)),
        "overdue" => (covered, Some(now)),
        _ => {
            return Err(AppError::new(
                Kind::BadRequest,
                "invalid_view",
                "error-pakn-invalid-view",
            ));
        }
    };
    Ok(state
        .store
        .petitions(&PetitionQuery {
            agencies: Some(agencies),
            states: Some(open),
            due_before,
            offset: 0,
            limit: 500,
        })
        .await?)
}

/// How the petition figures are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsBy {
    Agency,
    Category,
    Channel,
}

impl StatsBy {
    pub fn parse(s: &str) -> Option<StatsBy> {
        match s {
            "agency" => Some(StatsBy::Agency),
            "category" => Some(StatsBy::Category),
            "channel" => Some(StatsBy::Channel),
            _ => None,
        }
    }
}

/// One group's figures: petitions handled in the days, of those in time; answers published,
/// of those satisfactory (the service index's rules).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsRow {
    /// The agency's code, the category or the channel; `unclassified` for a petition no
    /// officer has classified yet.
    pub key: String,
    pub petitions: u64,
    pub in_time: u64,
    pub handled: u64,
    pub satisfactory: u64,
}

/// Petition figures from day `from` to day `to` (both included), grouped, with the total;
/// for officers and systems allowed to read statistics, of the agencies theirs covers.
pub async fn stats(
    state: &App,
    principal: &Principal,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    by: StatsBy,
) -> Result<(Vec<StatsRow>, StatsRow), AppError> {
    if matches!(principal, Principal::Anonymous) {
        return Err(AppError::unauthenticated());
    }
    if !principal.has_scope(Scope::StatsRead) {
        return Err(AppError::forbidden());
    }
    let Some(mine) = principal.agency() else {
        return Err(AppError::forbidden());
    };
    let after = to.succ_opt().unwrap_or(to);
    if from > to {
        return Err(AppError::new(
            Kind::BadRequest,
            "invalid_range",
            "error-invalid-range",
        ));
    }
    let start = motcua_domain::index::petitions::start;
    let facts = state
        .store
        .petition_facts(start(from), start(after))
        .await?;
    let today = motcua_domain::facts::local_day(Utc::now());
    let mut groups: std::collections::BTreeMap<String, Vec<&pakn::IndexFacts>> =
        std::collections::BTreeMap::new();
    for p in facts.iter().filter(|p| mine.covers(&p.agency)) {
        let key = match by {
            StatsBy::Agency => p.agency.to_string(),
            StatsBy::Category => p
                .category
                .map_or("unclassified", |c| c.as_str())
                .to_string(),
            StatsBy::Channel => p.channel.as_str().to_string(),
        };
        groups.entry(key).or_default().push(&p.facts);
    }
    let count = |key: String, facts: &[&pakn::IndexFacts]| {
        use motcua_domain::index::Measure as M;
        let mut c = motcua_domain::index::Counts::new();
        motcua_domain::index::petitions::add_measures_between(
            &mut c,
            from,
            after,
            today.min(to),
            facts.iter().copied(),
        );
        StatsRow {
            key,
            petitions: c[&M::Petitions],
            in_time: c[&M::PetitionsInTime],
            handled: c[&M::PetitionsHandled],
            satisfactory: c[&M::PetitionsSatisfactory],
        }
    };
    let rows: Vec<StatsRow> = groups
        .iter()
        .map(|(k, f)| count(k.clone(), f))
        .filter(|r| r.petitions + r.handled > 0)
        .collect();
    let all: Vec<&pakn::IndexFacts> = groups.values().flatten().copied().collect();
    Ok((rows, count("total".into(), &all)))
}

/// Longest search text over the published answers, in characters.
pub const MAX_PUBLISHED_QUERY_CHARS: usize = 200;
/// Words of a search over the published answers that are used.
const MAX_PUBLISHED_WORDS: usize = 8;

/// The words of a search over published text (feedback answers, officers' answers to
/// questions), folded as that text is kept: at most eight of a text of at most 200
/// characters.
pub(crate) fn search_words(q: Option<&str>) -> Result<Vec<String>, AppError> {
    let q = q.map(str::trim).unwrap_or_default();
    if q.chars().count() > MAX_PUBLISHED_QUERY_CHARS {
        return Err(
            AppError::new(Kind::BadRequest, "query_too_long", "error-query-too-long")
                .arg("max", MAX_PUBLISHED_QUERY_CHARS),
        );
    }
    Ok(motcua_domain::text::fold(q)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_PUBLISHED_WORDS)
        .map(str::to_string)
        .collect())
}

/// A search over the published questions and answers, as a visitor or a program asks it.
#[derive(Debug, Clone, Default)]
pub struct PublishedSearch {
    pub q: Option<String>,
    pub agency: Option<String>,
    pub category: Option<String>,
    /// From 1.
    pub page: u32,
    pub per_page: u32,
}

/// The published questions and answers holding every word of `q` (accents aside), of an
/// agency and a category, the latest first. Public: nothing personal is in them.
pub async fn published(
    state: &App,
    s: &PublishedSearch,
) -> Result<Vec<motcua_store::PublishedPetition>, AppError> {
    let words = search_words(s.q.as_deref())?;
    let agency = s
        .agency
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| AgencyCode::parse(a).map_err(|e| AppError::on_field(Kind::Invalid, "agency", e)))
        .transpose()?;
    let category = s
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| {
            Category::parse(c).ok_or_else(|| invalid("invalid_category", "error-pakn-category"))
        })
        .transpose()?;
    let per_page = s.per_page.clamp(1, 100);
    Ok(state
        .store
        .published_petitions(&motcua_store::PublishedQuery {
            agency,
            category,
            words,
            offset: s.page.max(1).saturating_sub(1).saturating_mul(per_page),
            limit: per_page,
        })
        .await?)
}

//! Who is calling, once the HTTP edge has told: an officer, an agency system with an API key,
//! a citizen with a live session, or nobody; and what each may read.

use chrono::Utc;
use motcua_domain::ids::{AgencyCode, CitizenId, DossierCode};
use motcua_domain::lifecycle::Dossier;
use motcua_domain::role::{Actor, Role};
use motcua_store::{
    ApiKey, Citizen, CitizenSession, DossierRecord, Scope, Store, StoreError, User,
};

use crate::App;
use crate::secrets::sha256_hex;

/// The authenticated caller.
#[derive(Debug, Clone)]
pub enum Principal {
    Anonymous,
    Staff(User),
    System(ApiKey),
    /// A citizen signed in on the portal (session cookie) or in an app (bearer `mcs_` token).
    Citizen(Box<CitizenAuth>),
}

/// A citizen's live session.
#[derive(Debug, Clone)]
pub struct CitizenAuth {
    pub citizen: Citizen,
    pub session: CitizenSession,
}

impl Principal {
    /// The actor recorded on events, when the caller may act at all.
    pub fn actor(&self) -> Option<Actor> {
        match self {
            Principal::Anonymous => None,
            Principal::Staff(u) => Some(Actor::new(u.username.clone(), u.role, u.agency)),
            Principal::Citizen(c) => Some(Actor::new(c.citizen.id.clone(), Role::Applicant, None)),
            Principal::System(k) => Some(Actor::new(
                format!("api:{}", k.name),
                Role::AgencySystem,
                Some(k.agency),
            )),
        }
    }

    /// The agency an officer or a system works for.
    pub fn agency(&self) -> Option<AgencyCode> {
        match self {
            Principal::Anonymous | Principal::Citizen(_) => None,
            Principal::Staff(u) => u.agency,
            Principal::System(k) => Some(k.agency),
        }
    }

    pub fn has_scope(&self, scope: Scope) -> bool {
        match self {
            Principal::Anonymous | Principal::Citizen(_) => false,
            Principal::Staff(u) => u.role.is_staff(),
            Principal::System(k) => k.scopes.contains(&scope),
        }
    }

    /// Staff and systems see a dossier when their agency covers one the dossier was routed to.
    pub fn can_read(&self, d: &Dossier) -> bool {
        if let Principal::Citizen(c) = self {
            return is_owner(d, &c.citizen.id);
        }
        self.has_scope(Scope::DossiersRead)
            && self.agency().is_some_and(|a| {
                d.involved
                    .iter()
                    .chain([&d.intake.receiving_agency, &d.intake.competent_agency])
                    .any(|x| a.covers(x))
            })
    }

    /// The dossier, when it exists and this principal may read it; `None` otherwise, so a
    /// dossier out of scope looks like one that does not exist. A storage failure stays an
    /// error (a 5xx), never a "not found". The API and the pages both read through here.
    pub async fn read_dossier(
        &self,
        store: &dyn Store,
        code: &DossierCode,
    ) -> Result<Option<DossierRecord>, StoreError> {
        Ok(store
            .dossier(code)
            .await?
            .filter(|r| self.can_read(&r.state)))
    }
}

/// Whether `citizen` filed dossier `d` from their account: all a citizen may read.
pub fn is_owner(d: &Dossier, citizen: &CitizenId) -> bool {
    d.intake.owner.as_ref() == Some(citizen)
}

/// Idle time after which a citizen's session ends.
pub const SESSION_IDLE_MINUTES: i64 = 30;
/// Longest life of a citizen's session, however active.
pub const SESSION_MAX_HOURS: i64 = 12;

impl App {
    /// The live session of a citizen token, extended while it is used.
    pub async fn citizen_session(&self, token: &str) -> Result<Option<CitizenAuth>, StoreError> {
        let now = Utc::now();
        let hash = sha256_hex(token);
        let store = &self.store;
        let Some(session) = store.session(&hash, now).await? else {
            return Ok(None);
        };
        let Some(citizen) = store.citizen(&session.citizen_id).await? else {
            return Ok(None);
        };
        if now - session.last_seen_at > chrono::Duration::minutes(1) {
            let expires = (now + chrono::Duration::minutes(SESSION_IDLE_MINUTES))
                .min(session.created_at + chrono::Duration::hours(SESSION_MAX_HOURS));
            store.touch_session(&hash, now, expires).await?;
        }
        Ok(Some(CitizenAuth { citizen, session }))
    }

    /// The officer a back-office token belongs to, while it is valid.
    pub async fn staff_by_token(&self, token: &str) -> Result<Option<User>, StoreError> {
        self.store.token_user(&sha256_hex(token), Utc::now()).await
    }

    /// Whoever a bearer secret stands for: a citizen's app session (`mcs_`), an agency
    /// system's API key (`mck_`, unless revoked) or an officer's token; `None` when it stands
    /// for nobody.
    pub async fn bearer(&self, secret: &str) -> Result<Option<Principal>, StoreError> {
        if secret.starts_with("mcs_") {
            return Ok(self
                .citizen_session(secret)
                .await?
                .map(|auth| Principal::Citizen(Box::new(auth))));
        }
        if secret.starts_with("mck_") {
            return Ok(self
                .store
                .api_key(&sha256_hex(secret))
                .await?
                .filter(|k| !k.revoked)
                .map(Principal::System));
        }
        Ok(self.staff_by_token(secret).await?.map(Principal::Staff))
    }
}

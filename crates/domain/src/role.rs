//! Who acts: roles of the one-stop service and the actor recorded on every event.

use std::fmt;
use std::str::FromStr;

use crate::ids::AgencyCode;

/// A role a user or system holds. Agency scope comes with the actor, not the role.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A citizen or business filing and following its own dossiers.
    Applicant,
    /// Reception officer of the one-stop department (cán bộ tiếp nhận).
    Reception,
    /// Specialist processing dossiers of their agency (chuyên viên xử lý).
    Specialist,
    /// Head of unit who approves and signs (lãnh đạo phòng, sở).
    Approver,
    /// Leader watching dashboards and alerted on overdue work.
    Leader,
    /// Reads everything in scope, changes nothing (giám sát).
    Supervisor,
    /// Manages agencies, users, catalog and calendar (quản trị).
    Administrator,
    /// A sector system exchanging dossiers over the API (hệ thống chuyên ngành).
    AgencySystem,
    /// The server itself (scheduled jobs).
    System,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Applicant,
        Role::Reception,
        Role::Specialist,
        Role::Approver,
        Role::Leader,
        Role::Supervisor,
        Role::Administrator,
        Role::AgencySystem,
        Role::System,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::Reception => "reception",
            Role::Specialist => "specialist",
            Role::Approver => "approver",
            Role::Leader => "leader",
            Role::Supervisor => "supervisor",
            Role::Administrator => "administrator",
            Role::AgencySystem => "agency_system",
            Role::System => "system",
        }
    }

    /// The role as people name it: (Vietnamese, English).
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            Role::Applicant => ("Người nộp hồ sơ", "Applicant"),
            Role::Reception => ("Bộ phận tiếp nhận", "Reception"),
            Role::Specialist => ("Chuyên viên xử lý", "Specialist"),
            Role::Approver => ("Lãnh đạo phê duyệt", "Approving officer"),
            Role::Leader => ("Lãnh đạo", "Leader"),
            Role::Supervisor => ("Giám sát", "Supervisor"),
            Role::Administrator => ("Quản trị hệ thống", "Administrator"),
            Role::AgencySystem => ("Hệ thống chuyên ngành", "Agency system"),
            Role::System => ("Hệ thống", "System"),
        }
    }

    /// Staff roles that work on dossiers in their agency's scope.
    pub fn is_staff(self) -> bool {
        matches!(
            self,
            Role::Reception
                | Role::Specialist
                | Role::Approver
                | Role::Leader
                | Role::Supervisor
                | Role::Administrator
        )
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.chars().take(40).collect()))
    }
}

/// Who did something: recorded on every event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Actor {
    /// Username, API client name or `system`.
    pub id: String,
    pub role: Role,
    /// The agency the actor works for, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<AgencyCode>,
}

impl Actor {
    pub fn new(id: impl Into<String>, role: Role, agency: Option<AgencyCode>) -> Self {
        Actor {
            id: id.into(),
            role,
            agency,
        }
    }

    pub fn system() -> Self {
        Actor::new("system", Role::System, None)
    }
}

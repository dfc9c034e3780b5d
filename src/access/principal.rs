//! Who is calling: resolved once per request from an access token or an API key.

use super::{OrgKind, Role};

/// The authenticated caller, as every authorisation rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user behind an access token; `None` for an API key.
    pub user_id: Option<i64>,
    /// The key used, when the caller authenticated with an API key.
    pub api_key_id: Option<i64>,
    pub organization_id: i64,
    pub kind: OrgKind,
    /// API keys act as members: they cannot administer users or keys.
    pub role: Role,
}

impl Principal {
    /// Whether the caller belongs to the regional agency.
    pub fn is_agency(&self) -> bool {
        self.kind == OrgKind::Agency
    }

    /// Whether the caller is a human administrator of their organisation.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin && self.user_id.is_some()
    }

    /// Whether the caller belongs to this organisation.
    pub fn belongs_to(&self, organization_id: i64) -> bool {
        self.organization_id == organization_id
    }
}

impl Principal {
    /// The caller as the audit log records them.
    pub fn actor(&self) -> crate::audit::Actor {
        crate::audit::Actor {
            organization_id: Some(self.organization_id),
            user_id: self.user_id,
            api_key_id: self.api_key_id,
        }
    }
}

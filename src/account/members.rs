//! An administrator changes a member's role, deactivates or reactivates them
//! (`PATCH /api/v1/users/{id}`). Deactivation goes through `organization::service::
//! deactivate_user`, its one transition.

use chrono::NaiveDateTime;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::access::{policy, Principal};
use crate::audit;
use crate::auth::service::tokens_refused_before;
use crate::auth::session::UserGate;
use crate::db::{write_transaction, DbConnection};
use crate::error::{Error, Result};
use crate::organization::model::stored;
use crate::organization::store as orgs;
use crate::organization::{Role, User};

/// Body of `PATCH /api/v1/users/{id}`: only the fields given change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// The member's new role. Their current tokens end (they log in again with the new role).
    pub role: Option<Role>,
    /// `false` deactivates (no login, every token refused); `true` reactivates (a new login is
    /// needed: tokens from before stay refused).
    pub active: Option<bool>,
}

/// Changes a member's role and/or activity (the agency, or an administrator of the member's
/// organisation; nobody changes themselves: 403). A change that changes nothing is no change.
pub fn update_member(
    conn: &mut DbConnection,
    gate: &UserGate,
    p: &Principal,
    id: i64,
    patch: &UserPatch,
    now: NaiveDateTime,
) -> Result<User> {
    let row = orgs::find_user(conn, id)?.ok_or_else(|| Error::NotFound(format!("user {id}")))?;
    policy::read_members(p, row.organization_id)
        .map_err(|_| Error::NotFound(format!("user {id}")))?;
    policy::change_member(p, row.organization_id, id)?;
    if patch.active == Some(false) {
        crate::organization::service::deactivate_user(conn, gate, p, id, now)?;
    }
    let current: Role = stored(&row.role)?;
    let new_role = patch.role.filter(|r| *r != current);
    let reactivate = patch.active == Some(true) && row.deactivated_at.is_some();
    if new_role.is_some() || reactivate {
        write_transaction(conn, |conn| {
            if let Some(role) = new_role {
                orgs::set_role(conn, id, role.as_str())?;
                audit::record(
                    conn,
                    p.actor(),
                    crate::audit::AuditAction::UserRoleChanged,
                    id,
                    &serde_json::json!({"from": current, "to": role}),
                    now,
                )?;
            }
            if reactivate {
                orgs::reactivate_user(conn, id)?;
                audit::record(
                    conn,
                    p.actor(),
                    crate::audit::AuditAction::UserReactivated,
                    id,
                    &serde_json::json!({"email": row.email}),
                    now,
                )?;
            }
            // A token carries the role it was issued with, and a reactivated user's old tokens
            // must not come back to life: every token issued before now ends.
            orgs::refuse_tokens_before(conn, id, tokens_refused_before(now))?;
            Ok::<(), Error>(())
        })?;
        gate.forget(id);
    }
    orgs::find_user(conn, id)?
        .ok_or_else(|| Error::NotFound(format!("user {id}")))?
        .try_into()
}

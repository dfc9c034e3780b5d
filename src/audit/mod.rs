//! The audit log: who changed what and when, for what an operator is asked about afterwards
//! (organisations, users, API keys, resources, copies, tariffs, the pricing policy, subsidy
//! programmes, webhooks). Written in the same transaction as the change, so a change without its
//! line cannot be committed. Bookings keep their own history. Sits low in the import graph, like
//! the outbox: every domain writes it, nothing here knows a domain (the caller is given as an
//! [`Actor`]; `auth` turns its `Principal` into one).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::DbConnection;
use crate::error::{Result, Validator};

pub mod model;
pub mod store;

pub use model::{AuditAction, AuditObject};

/// Who made a change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Actor {
    pub organization_id: Option<i64>,
    pub user_id: Option<i64>,
    pub api_key_id: Option<i64>,
}

/// Records one change, by `actor` (`Actor::default()`: the command line and demo data), to the
/// object of the action's kind with this id.
pub fn record(
    conn: &mut DbConnection,
    actor: Actor,
    action: AuditAction,
    object_id: i64,
    details: &serde_json::Value,
    now: NaiveDateTime,
) -> Result<()> {
    store::insert(
        conn,
        actor,
        action.as_str(),
        action.object().as_str(),
        object_id,
        &details.to_string(),
        now,
    )?;
    Ok(())
}

/// One line of the audit log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    /// The organisation of whoever made the change (none: the command line).
    pub actor_organization_id: Option<i64>,
    pub actor_user_id: Option<i64>,
    pub actor_api_key_id: Option<i64>,
    /// What was done, e.g. `organization.updated`, `api_key.revoked`, `tariff.set`.
    pub action: String,
    /// What it was done to: `organization`, `user`, `api_key`, `resource`, `copy`, `tariff`,
    /// `pricing_policy`, `subsidy_program`, `webhook`.
    pub object_type: String,
    pub object_id: i64,
    /// The fields given (never a password or a secret); `{}` when `redacted`.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// The details are withheld: the reader may not read this object through its own route
    /// (e.g. a user's e-mail for an API key without the `admin` scope that `GET /users` needs).
    pub redacted: bool,
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
}

/// Query of `GET /api/v1/audit`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub object_type: Option<String>,
    pub object_id: Option<i64>,
    pub actor_organization_id: Option<i64>,
    /// Only lines from this day on (UTC).
    pub from: Option<NaiveDate>,
    /// Only lines up to this day, inclusive (UTC).
    pub to: Option<NaiveDate>,
    /// Only lines older than this id (the next page: the last id you got).
    pub before_id: Option<i64>,
    /// Page size, 1–500 (default 100); newest first.
    pub limit: Option<i64>,
}

/// The log, newest first, as far as the reader may read it: `readable` answers, per object
/// type, whether the reader may read such objects elsewhere (the access policy's rule). Asking
/// for one object type the reader may not read is refused with that rule's error; in a mixed
/// page, the details of such entries are withheld (`redacted`).
pub fn list(
    conn: &mut DbConnection,
    q: &AuditQuery,
    readable: &dyn Fn(&str) -> Result<()>,
) -> Result<Vec<AuditEntry>> {
    if let Some(t) = &q.object_type {
        readable(t)?;
    }
    let limit = q.limit.unwrap_or(100);
    let mut v = Validator::new();
    v.check((1..=500).contains(&limit), "limit", "from 1 to 500");
    if let (Some(from), Some(to)) = (q.from, q.to) {
        v.check(from <= to, "to", "must not be before from");
    }
    v.finish()?;
    let rows = store::page(conn, q, limit)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, org, user, key, action, object_type, object_id, details, created_at)| {
                let redacted = readable(&object_type).is_err();
                let details = if redacted {
                    serde_json::json!({})
                } else {
                    serde_json::from_str(&details).unwrap_or(serde_json::Value::Null)
                };
                AuditEntry {
                    id,
                    actor_organization_id: org,
                    actor_user_id: user,
                    actor_api_key_id: key,
                    action,
                    object_type,
                    object_id,
                    details,
                    redacted,
                    created_at,
                }
            },
        )
        .collect())
}

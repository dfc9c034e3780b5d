//! Diesel queries of the audit log: appending a line, reading a page of it.

use chrono::{NaiveDateTime, NaiveTime};
use diesel::prelude::*;

use super::{Actor, AuditQuery};
use crate::db::DbConnection;
use crate::schema::audit_log;

/// A stored line: id, actor (organisation, user, API key), action, object type and id, details
/// (JSON text), when.
pub type Row = (
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    String,
    String,
    i64,
    String,
    NaiveDateTime,
);

/// Appends one line.
pub fn insert(
    conn: &mut DbConnection,
    actor: Actor,
    action: &str,
    object_type: &str,
    object_id: i64,
    details: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::actor_organization_id.eq(actor.organization_id),
            audit_log::actor_user_id.eq(actor.user_id),
            audit_log::actor_api_key_id.eq(actor.api_key_id),
            audit_log::action.eq(action),
            audit_log::object_type.eq(object_type),
            audit_log::object_id.eq(object_id),
            audit_log::details.eq(details),
            audit_log::created_at.eq(now),
        ))
        .execute(conn)
}

/// A page of the log, newest first, filtered as the query says (its limit checked by the caller).
pub fn page(conn: &mut DbConnection, q: &AuditQuery, limit: i64) -> QueryResult<Vec<Row>> {
    let mut query = audit_log::table.into_boxed();
    if let Some(t) = &q.object_type {
        query = query.filter(audit_log::object_type.eq(t.clone()));
    }
    if let Some(id) = q.object_id {
        query = query.filter(audit_log::object_id.eq(id));
    }
    if let Some(org) = q.actor_organization_id {
        query = query.filter(audit_log::actor_organization_id.eq(org));
    }
    if let Some(from) = q.from {
        query = query.filter(audit_log::created_at.ge(from.and_time(NaiveTime::MIN)));
    }
    if let Some(to) = q.to.and_then(|to| to.succ_opt()) {
        query = query.filter(audit_log::created_at.lt(to.and_time(NaiveTime::MIN)));
    }
    if let Some(before) = q.before_id {
        query = query.filter(audit_log::id.lt(before));
    }
    query
        .select((
            audit_log::id,
            audit_log::actor_organization_id,
            audit_log::actor_user_id,
            audit_log::actor_api_key_id,
            audit_log::action,
            audit_log::object_type,
            audit_log::object_id,
            audit_log::details,
            audit_log::created_at,
        ))
        .order(audit_log::id.desc())
        .limit(limit)
        .load(conn)
}

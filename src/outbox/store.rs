//! Diesel queries of the outbox: recording events about subjects, asking whether one was, and
//! claiming the unprocessed ones for the notification fan-out.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::model::{EventKind, SubjectType};
use crate::db::DbConnection;
use crate::schema::domain_events;

/// Records one event about a subject (e.g. `booking.flagged` about booking 12).
pub fn record(
    conn: &mut DbConnection,
    kind: EventKind,
    subject_type: SubjectType,
    subject_id: i64,
    payload: &serde_json::Value,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    record_with_snapshot(conn, kind, subject_type, subject_id, payload, None, now)
}

/// Records one event with its subject as it is now (`snapshot`, JSON): fan-out sends that, not
/// the subject as it will be when the event is delivered.
pub fn record_with_snapshot(
    conn: &mut DbConnection,
    kind: EventKind,
    subject_type: SubjectType,
    subject_id: i64,
    payload: &serde_json::Value,
    snapshot: Option<&serde_json::Value>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(domain_events::table)
        .values((
            domain_events::kind.eq(kind),
            domain_events::subject_type.eq(subject_type),
            domain_events::subject_id.eq(subject_id),
            domain_events::payload.eq(payload.to_string()),
            domain_events::snapshot.eq(snapshot.map(|s| s.to_string())),
            domain_events::created_at.eq(now),
        ))
        .execute(conn)
}

/// Records an event already delivered by its recorder (an account mail, rendered while its
/// one-time link is known), so that fan-out skips it; returns its id, which the mail points to.
pub fn record_processed(
    conn: &mut DbConnection,
    kind: EventKind,
    subject_type: SubjectType,
    subject_id: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(domain_events::table)
        .values((
            domain_events::kind.eq(kind),
            domain_events::subject_type.eq(subject_type),
            domain_events::subject_id.eq(subject_id),
            domain_events::payload.eq("{}"),
            domain_events::created_at.eq(now),
            domain_events::processed_at.eq(Some(now)),
        ))
        .returning(domain_events::id)
        .get_result(conn)
}

/// The filter "no event of `kind` recorded yet about this row", for a store's scan of subjects
/// (`$id`: the scanned table's id column): reminders and notices are announced once.
#[macro_export]
macro_rules! not_yet_announced {
    ($subject_type:expr, $id:expr, $kind:expr) => {
        diesel::dsl::not(diesel::dsl::exists(
            $crate::schema::domain_events::table
                .filter($crate::schema::domain_events::subject_type.eq($subject_type))
                .filter($crate::schema::domain_events::subject_id.eq($id))
                .filter($crate::schema::domain_events::kind.eq($kind)),
        ))
    };
}

/// Whether an event of this kind was recorded about a subject (events announced once).
pub fn exists(
    conn: &mut DbConnection,
    subject_type: SubjectType,
    subject_id: i64,
    kind: EventKind,
) -> QueryResult<bool> {
    let n: i64 = domain_events::table
        .filter(domain_events::subject_type.eq(subject_type))
        .filter(domain_events::subject_id.eq(subject_id))
        .filter(domain_events::kind.eq(kind))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Records an event about a subject unless one of this kind was recorded already (reminders,
/// announced once). Run it inside a write transaction, so that two instances record it once
/// between them. Returns whether this call recorded it.
pub fn record_once(
    conn: &mut DbConnection,
    kind: EventKind,
    subject_type: SubjectType,
    subject_id: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    if exists(conn, subject_type, subject_id, kind)? {
        return Ok(false);
    }
    record(
        conn,
        kind,
        subject_type,
        subject_id,
        &serde_json::json!({}),
        now,
    )?;
    Ok(true)
}

/// Events about a subject, oldest first: (kind, payload) (for tests and audits).
pub fn about(
    conn: &mut DbConnection,
    subject_type: SubjectType,
    subject_id: i64,
) -> QueryResult<Vec<(String, String)>> {
    domain_events::table
        .filter(domain_events::subject_type.eq(subject_type))
        .filter(domain_events::subject_id.eq(subject_id))
        .select((domain_events::kind, domain_events::payload))
        .order(domain_events::id.asc())
        .load(conn)
}

/// An outbox event to fan out.
#[derive(Debug, Clone, Queryable)]
pub struct EventRow {
    pub id: i64,
    pub kind: String,
    pub subject_type: String,
    pub subject_id: i64,
    /// The event's own facts (JSON).
    pub payload: String,
    pub created_at: NaiveDateTime,
    /// The subject as it was when the event was recorded (JSON), when the recorder kept it.
    pub snapshot: Option<String>,
}

/// Unprocessed events, oldest first, locked for this transaction. PostgreSQL skips events
/// another instance holds (`FOR UPDATE SKIP LOCKED`); SQLite has one writer at a time (the
/// caller's write transaction).
pub fn claim_events(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<EventRow>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let ids: Vec<i64> = match conn {
        DbConnection::Postgres(pg) => diesel::sql_query(
            "SELECT id FROM domain_events WHERE processed_at IS NULL ORDER BY id LIMIT $1 \
             FOR UPDATE SKIP LOCKED",
        )
        .bind::<BigInt, _>(limit)
        .load::<Id>(pg)?
        .into_iter()
        .map(|r| r.id)
        .collect(),
        DbConnection::Sqlite(_) => domain_events::table
            .filter(domain_events::processed_at.is_null())
            .order(domain_events::id.asc())
            .limit(limit)
            .select(domain_events::id)
            .load(conn)?,
    };
    domain_events::table
        .filter(domain_events::id.eq_any(&ids))
        .order(domain_events::id.asc())
        .select((
            domain_events::id,
            domain_events::kind,
            domain_events::subject_type,
            domain_events::subject_id,
            domain_events::payload,
            domain_events::created_at,
            domain_events::snapshot,
        ))
        .load(conn)
}

/// Marks events fanned out.
pub fn mark_processed(
    conn: &mut DbConnection,
    ids: &[i64],
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(domain_events::table.filter(domain_events::id.eq_any(ids)))
        .set(domain_events::processed_at.eq(Some(now)))
        .execute(conn)
}

//! Domain events recorded in the database, in the same transaction as the change they describe,
//! for the notification sender to deliver later (an outbox: nothing is lost if a mail server is
//! down, and every instance can read it).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::schema::domain_events;

/// Records one event about a subject (e.g. `booking_flagged` about booking 12).
pub fn record(
    conn: &mut DbConnection,
    kind: &str,
    subject_type: &str,
    subject_id: i64,
    payload: &serde_json::Value,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(domain_events::table)
        .values((
            domain_events::kind.eq(kind),
            domain_events::subject_type.eq(subject_type),
            domain_events::subject_id.eq(subject_id),
            domain_events::payload.eq(payload.to_string()),
            domain_events::created_at.eq(now),
        ))
        .execute(conn)
}

/// Events of a kind about a subject, oldest first (for tests and audits).
pub fn about(
    conn: &mut DbConnection,
    subject_type: &str,
    subject_id: i64,
) -> QueryResult<Vec<(String, String)>> {
    domain_events::table
        .filter(domain_events::subject_type.eq(subject_type))
        .filter(domain_events::subject_id.eq(subject_id))
        .select((domain_events::kind, domain_events::payload))
        .order(domain_events::id.asc())
        .load(conn)
}

//! Diesel queries of the `idempotency_keys` table.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::schema::idempotency_keys as keys;

/// A stored key and what became of its request.
#[derive(Debug, Clone, Queryable)]
pub struct KeyRow {
    pub id: i64,
    pub organization_id: i64,
    pub idempotency_key: String,
    pub request_hash: String,
    pub response_status: Option<i32>,
    pub response_content_type: Option<String>,
    pub response_body: Option<String>,
    pub created_at: NaiveDateTime,
    pub completed_at: Option<NaiveDateTime>,
}

/// Inserts a claim; fails with a unique violation when the organisation already holds the key.
pub fn insert_claim(
    conn: &mut DbConnection,
    organization_id: i64,
    key: &str,
    request_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(keys::table)
        .values((
            keys::organization_id.eq(organization_id),
            keys::idempotency_key.eq(key),
            keys::request_hash.eq(request_hash),
            keys::created_at.eq(now),
        ))
        .returning(keys::id)
        .get_result(conn)
}

/// The organisation's record of `key`, if any.
pub fn find(
    conn: &mut DbConnection,
    organization_id: i64,
    key: &str,
) -> QueryResult<Option<KeyRow>> {
    keys::table
        .filter(keys::organization_id.eq(organization_id))
        .filter(keys::idempotency_key.eq(key))
        .select(keys::all_columns)
        .first(conn)
        .optional()
}

/// Takes over a record (expired, or abandoned in progress) for a new request, provided nobody
/// else took it over since it was read (`created_at` unchanged). Returns whether it was taken.
pub fn take_over(
    conn: &mut DbConnection,
    row: &KeyRow,
    request_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let taken = diesel::update(
        keys::table
            .filter(keys::id.eq(row.id))
            .filter(keys::created_at.eq(row.created_at)),
    )
    .set((
        keys::request_hash.eq(request_hash),
        keys::response_status.eq(None::<i32>),
        keys::response_content_type.eq(None::<String>),
        keys::response_body.eq(None::<String>),
        keys::created_at.eq(now),
        keys::completed_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(taken == 1)
}

/// Records the answer of a claimed request.
pub fn complete(
    conn: &mut DbConnection,
    id: i64,
    status: i32,
    content_type: &str,
    body: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(keys::table.filter(keys::id.eq(id)))
        .set((
            keys::response_status.eq(Some(status)),
            keys::response_content_type.eq(Some(content_type)),
            keys::response_body.eq(Some(body)),
            keys::completed_at.eq(Some(now)),
        ))
        .execute(conn)
}

/// Gives a claim back (the request failed on our side: a retry must run it again).
pub fn release(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(keys::table.filter(keys::id.eq(id))).execute(conn)
}

/// Deletes the records created before `cutoff`.
pub fn purge_before(conn: &mut DbConnection, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(keys::table.filter(keys::created_at.lt(cutoff))).execute(conn)
}

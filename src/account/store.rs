//! Diesel queries of accounts: invitations and password resets (the links' digests, never the
//! links) and the reset requests that throttle them. Users themselves are `organization`'s.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::schema::{invitations, password_reset_requests, password_resets};

/// An invitation row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invitations)]
pub struct InvitationRow {
    pub id: i64,
    pub organization_id: i64,
    pub email: String,
    pub role: String,
    pub locale: String,
    pub token_hash: String,
    pub invited_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub accepted_at: Option<NaiveDateTime>,
    pub user_id: Option<i64>,
}

/// Values of a new invitation.
#[derive(Debug, Insertable)]
#[diesel(table_name = invitations)]
pub struct InvitationInsert<'a> {
    pub organization_id: i64,
    pub email: &'a str,
    pub role: &'a str,
    pub locale: &'a str,
    pub token_hash: &'a str,
    pub invited_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// Stores an invitation.
pub fn insert_invitation(
    conn: &mut DbConnection,
    new: &InvitationInsert<'_>,
) -> QueryResult<InvitationRow> {
    diesel::insert_into(invitations::table)
        .values(new)
        .returning(invitations::all_columns)
        .get_result(conn)
}

/// The invitations of an organisation, newest first.
pub fn invitations_of(
    conn: &mut DbConnection,
    organization_id: i64,
) -> QueryResult<Vec<InvitationRow>> {
    invitations::table
        .filter(invitations::organization_id.eq(organization_id))
        .select(InvitationRow::as_select())
        .order(invitations::id.desc())
        .load(conn)
}

/// The invitation whose link has this digest, used or not.
pub fn find_invitation_by_digest(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<InvitationRow>> {
    invitations::table
        .filter(invitations::token_hash.eq(token_hash))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()
}

/// Marks an invitation accepted if it still works at `now`; 1 if this call took it, 0 if it was
/// used or expired meanwhile (of two acceptances at once, one wins).
pub fn take_invitation(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        invitations::table
            .find(id)
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::expires_at.gt(now)),
    )
    .set(invitations::accepted_at.eq(Some(now)))
    .execute(conn)
}

/// Records the account an invitation created.
pub fn set_invitation_user(conn: &mut DbConnection, id: i64, user_id: i64) -> QueryResult<usize> {
    diesel::update(invitations::table.find(id))
        .set(invitations::user_id.eq(Some(user_id)))
        .execute(conn)
}

/// When an address asked for resets after `since`, newest first, at most `limit`.
pub fn reset_requests_by_address(
    conn: &mut DbConnection,
    email: &str,
    since: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<NaiveDateTime>> {
    password_reset_requests::table
        .filter(password_reset_requests::email.eq(email))
        .filter(password_reset_requests::requested_at.gt(since))
        .select(password_reset_requests::requested_at)
        .order(password_reset_requests::requested_at.desc())
        .limit(limit)
        .load(conn)
}

/// When a client asked for resets after `since`, newest first, at most `limit`.
pub fn reset_requests_by_client(
    conn: &mut DbConnection,
    client: &str,
    since: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<NaiveDateTime>> {
    password_reset_requests::table
        .filter(password_reset_requests::client.eq(client))
        .filter(password_reset_requests::requested_at.gt(since))
        .select(password_reset_requests::requested_at)
        .order(password_reset_requests::requested_at.desc())
        .limit(limit)
        .load(conn)
}

/// Records a reset request (counted by the throttle, known address or not).
pub fn insert_reset_request(
    conn: &mut DbConnection,
    email: &str,
    client: &str,
    requested_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(password_reset_requests::table)
        .values((
            password_reset_requests::email.eq(email),
            password_reset_requests::client.eq(client),
            password_reset_requests::requested_at.eq(requested_at),
        ))
        .execute(conn)
}

/// Stores a reset link for a user; returns its id.
pub fn insert_reset(
    conn: &mut DbConnection,
    user_id: i64,
    token_hash: &str,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::user_id.eq(user_id),
            password_resets::token_hash.eq(token_hash),
            password_resets::created_at.eq(created_at),
            password_resets::expires_at.eq(expires_at),
        ))
        .returning(password_resets::id)
        .get_result(conn)
}

/// The reset link with this digest while it works at `now`: its id and its user.
pub fn find_usable_reset(
    conn: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(i64, i64)>> {
    password_resets::table
        .filter(password_resets::token_hash.eq(token_hash))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now))
        .select((password_resets::id, password_resets::user_id))
        .first(conn)
        .optional()
}

/// Uses a reset link up if it still works at `now`; 1 if this call took it (of two
/// confirmations at once, one wins).
pub fn take_reset(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        password_resets::table
            .find(id)
            .filter(password_resets::used_at.is_null())
            .filter(password_resets::expires_at.gt(now)),
    )
    .set(password_resets::used_at.eq(Some(now)))
    .execute(conn)
}

/// Uses up every unused reset link of a user.
pub fn use_up_resets_of(
    conn: &mut DbConnection,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        password_resets::table
            .filter(password_resets::user_id.eq(user_id))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(Some(now)))
    .execute(conn)
}

/// Deletes the reset requests made before `before`.
pub fn delete_reset_requests_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        password_reset_requests::table.filter(password_reset_requests::requested_at.lt(before)),
    )
    .execute(conn)
}

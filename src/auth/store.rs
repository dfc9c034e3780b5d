//! Diesel queries of authentication: partner API keys, the portal's browser sessions and the
//! login failures that throttle password checks. The tables are auth's own; a key's organisation
//! kind is read in the same query (a join downward, organisations being `organization`'s).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::schema::{api_keys, browser_sessions, login_failures, organizations};

/// A stored key (never the secret).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct ApiKeyRow {
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    pub prefix: String,
    pub key_hash: String,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    /// What the key may do, comma-separated [`super::scope::Scope`] names.
    pub scopes: String,
}

/// Values of a new key.
#[derive(Debug, Insertable)]
#[diesel(table_name = api_keys)]
pub struct ApiKeyInsert<'a> {
    pub organization_id: i64,
    pub name: &'a str,
    pub prefix: &'a str,
    pub key_hash: &'a str,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub scopes: &'a str,
}

/// Inserts a key.
pub fn insert_api_key(conn: &mut DbConnection, new: &ApiKeyInsert<'_>) -> QueryResult<ApiKeyRow> {
    diesel::insert_into(api_keys::table)
        .values(new)
        .returning(api_keys::all_columns)
        .get_result(conn)
}

/// An active (not revoked) key by digest, with its organisation's kind.
pub fn find_active_api_key(
    conn: &mut DbConnection,
    digest: &str,
) -> QueryResult<Option<(ApiKeyRow, String)>> {
    api_keys::table
        .inner_join(organizations::table)
        .filter(api_keys::key_hash.eq(digest))
        .filter(api_keys::revoked_at.is_null())
        .select((ApiKeyRow::as_select(), organizations::kind))
        .first(conn)
        .optional()
}

/// Records use, at most once a minute per key to keep reads cheap.
pub fn touch_api_key(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    let stale = now - chrono::Duration::minutes(1);
    diesel::update(
        api_keys::table.find(id).filter(
            api_keys::last_used_at
                .is_null()
                .or(api_keys::last_used_at.lt(stale)),
        ),
    )
    .set(api_keys::last_used_at.eq(Some(now)))
    .execute(conn)
}

/// Keys of an organisation, newest first.
pub fn list_api_keys(conn: &mut DbConnection, organization_id: i64) -> QueryResult<Vec<ApiKeyRow>> {
    api_keys::table
        .filter(api_keys::organization_id.eq(organization_id))
        .select(ApiKeyRow::as_select())
        .order(api_keys::id.desc())
        .load(conn)
}

/// One key by id.
pub fn find_api_key(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ApiKeyRow>> {
    api_keys::table
        .find(id)
        .select(ApiKeyRow::as_select())
        .first(conn)
        .optional()
}

/// Marks a key revoked (keeps the first revocation time).
pub fn revoke_api_key(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        api_keys::table
            .find(id)
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(Some(now)))
    .execute(conn)
}

/// Stores a browser session: the digest of its token, never the token.
pub fn insert_browser_session(
    conn: &mut DbConnection,
    token_digest: &str,
    user_id: i64,
    csrf_token: &str,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(browser_sessions::table)
        .values((
            browser_sessions::token_digest.eq(token_digest),
            browser_sessions::user_id.eq(user_id),
            browser_sessions::csrf_token.eq(csrf_token),
            browser_sessions::created_at.eq(created_at),
            browser_sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)
}

/// A stored browser session, as a request reads it.
#[derive(Debug, Clone, Queryable)]
pub struct BrowserSessionRow {
    pub id: i64,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// The session whose token has this digest, if any.
pub fn find_browser_session(
    conn: &mut DbConnection,
    token_digest: &str,
) -> QueryResult<Option<BrowserSessionRow>> {
    browser_sessions::table
        .filter(browser_sessions::token_digest.eq(token_digest))
        .select((
            browser_sessions::id,
            browser_sessions::user_id,
            browser_sessions::csrf_token,
            browser_sessions::created_at,
            browser_sessions::expires_at,
        ))
        .first(conn)
        .optional()
}

/// Deletes one session (it no longer stands).
pub fn delete_browser_session(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(browser_sessions::table.find(id)).execute(conn)
}

/// Deletes the session whose token has this digest (logout).
pub fn delete_browser_session_by_digest(
    conn: &mut DbConnection,
    token_digest: &str,
) -> QueryResult<usize> {
    diesel::delete(browser_sessions::table.filter(browser_sessions::token_digest.eq(token_digest)))
        .execute(conn)
}

/// Deletes the sessions expired at `now`.
pub fn delete_expired_browser_sessions(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(browser_sessions::table.filter(browser_sessions::expires_at.le(now)))
        .execute(conn)
}

/// When an e-mail's login attempts failed after `since`, newest first, at most `limit`.
pub fn recent_login_failures(
    conn: &mut DbConnection,
    email: &str,
    since: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<NaiveDateTime>> {
    login_failures::table
        .filter(login_failures::email.eq(email))
        .filter(login_failures::failed_at.gt(since))
        .select(login_failures::failed_at)
        .order(login_failures::failed_at.desc())
        .limit(limit)
        .load(conn)
}

/// Serialises the login attempts of one e-mail until the transaction ends: PostgreSQL's
/// transaction-scoped advisory lock (SQLite has one writer at a time already).
pub fn lock_login_attempts(conn: &mut DbConnection, email: &str) -> QueryResult<()> {
    if let DbConnection::Postgres(pg) = conn {
        // Parallel attempts for one e-mail queue here until the first commits.
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind::<diesel::sql_types::Text, _>(email)
            .execute(pg)?;
    }
    Ok(())
}

/// Records a login attempt as failed; returns its id.
pub fn insert_login_failure(
    conn: &mut DbConnection,
    email: &str,
    failed_at: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::email.eq(email),
            login_failures::failed_at.eq(failed_at),
        ))
        .returning(login_failures::id)
        .get_result(conn)
}

/// Deletes one recorded attempt.
pub fn delete_login_failure(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(login_failures::table.find(id)).execute(conn)
}

/// Deletes the failures recorded before `before`.
pub fn delete_login_failures_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::failed_at.lt(before))).execute(conn)
}

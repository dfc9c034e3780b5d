//! Browser sessions of the portal: a random token in a cookie, a row in the database holding only
//! its digest. Every request reads the row, so that logout, a deactivation or a password change
//! ends the session on every instance at once (nothing lives in one instance's memory). The same
//! standing rule as the API's tokens ([`super::session::admit`]) decides whether a session stands.

use chrono::{Duration, NaiveDateTime};

use super::{apikey, service, session, store};
use crate::access::Principal;
use crate::db::DbConnection;
use crate::error::{Error, Result};

/// How long a session lasts after login, whatever is done with it (a working day and then some).
pub const LIFETIME: Duration = Duration::hours(12);

/// Prefix of session tokens, so that one is recognised in a log it should not be in.
const TOKEN_PREFIX: &str = "its_";

/// A session just opened: the token for the cookie (never stored) and the CSRF token of its forms.
#[derive(Debug, Clone)]
pub struct Opened {
    pub token: String,
    pub csrf_token: String,
}

/// A session that stands, as the portal sees it on each request.
#[derive(Debug, Clone)]
pub struct BrowserSession {
    pub principal: Principal,
    /// The token every form that changes something must carry.
    pub csrf_token: String,
    /// The user's language for pages (`fr` or `en`).
    pub locale: String,
    /// The name of the user's organisation, shown on every page.
    pub organization_name: String,
}

/// Opens a session for a user who just proved who they are.
pub fn open(conn: &mut DbConnection, user_id: i64, now: NaiveDateTime) -> Result<Opened> {
    let token = apikey::random_secret(TOKEN_PREFIX)?;
    let csrf_token = apikey::random_secret("")?;
    store::insert_browser_session(
        conn,
        &apikey::digest(&token),
        user_id,
        &csrf_token,
        now,
        now + LIFETIME,
    )?;
    Ok(Opened { token, csrf_token })
}

/// The session a cookie's token names, if it stands: not expired, its user active and their
/// password unchanged since it was opened. A session that no longer stands is deleted.
pub fn resolve(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<Option<BrowserSession>> {
    let row = store::find_browser_session(conn, &apikey::digest(token))?;
    let Some(store::BrowserSessionRow {
        id,
        user_id,
        csrf_token,
        created_at,
        expires_at,
    }) = row
    else {
        return Ok(None);
    };
    let standing = session::standing(conn, user_id)?;
    if expires_at <= now
        || session::admit(standing, created_at.and_utc().timestamp_millis()).is_err()
    {
        store::delete_browser_session(conn, id)?;
        return Ok(None);
    }
    let principal = match service::principal_of_user(conn, user_id) {
        Ok(p) => p,
        Err(Error::Unauthenticated(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let locale = crate::organization::store::find_user(conn, user_id)?
        .map(|u| u.locale)
        .unwrap_or_else(|| "fr".into());
    let organization_name =
        crate::organization::store::find_organization(conn, principal.organization_id)?
            .map(|o| o.name)
            .unwrap_or_default();
    Ok(Some(BrowserSession {
        principal,
        csrf_token,
        locale,
        organization_name,
    }))
}

/// Ends the session a token names (logout); nothing happens for an unknown token.
pub fn close(conn: &mut DbConnection, token: &str) -> Result<()> {
    store::delete_browser_session_by_digest(conn, &apikey::digest(token))?;
    Ok(())
}

/// Forgets expired sessions (background jobs).
pub fn purge_expired(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize> {
    Ok(store::delete_expired_browser_sessions(conn, now)?)
}

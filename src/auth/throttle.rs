//! Login throttling: after 5 failed logins for one e-mail within 15 minutes, every attempt for
//! it is refused (429, even with the right password) until the window has passed. Failures are
//! counted in the database, so every instance agrees. The same work is done for an unknown
//! e-mail as for a wrong password, so the answer time tells nothing.
//!
//! An attempt is counted *before* its password is checked, in one write transaction that also
//! reads the count (serialised per e-mail: SQLite's single writer, PostgreSQL's transaction-scoped
//! advisory lock on the e-mail), so a burst of parallel logins gets exactly [`MAX_FAILURES`]
//! password checks, never more. A right password then withdraws its own attempt.

use chrono::{Duration, NaiveDateTime};

use super::store;
use crate::db::DbConnection;
use crate::error::{Error, Result};

/// Failures allowed within the window.
pub const MAX_FAILURES: usize = 5;
/// The window, in minutes.
pub const WINDOW_MINUTES: i64 = 15;

/// Refuses an attempt while the e-mail has [`MAX_FAILURES`] failures within the window; the
/// error says when to retry (when the oldest of those leaves the window).
pub fn check(conn: &mut DbConnection, email: &str, now: NaiveDateTime) -> Result<()> {
    let recent = store::recent_login_failures(
        conn,
        email,
        now - Duration::minutes(WINDOW_MINUTES),
        MAX_FAILURES as i64,
    )?;
    if recent.len() < MAX_FAILURES {
        return Ok(());
    }
    let oldest = recent[MAX_FAILURES - 1];
    let retry_after = (oldest + Duration::minutes(WINDOW_MINUTES) - now)
        .num_seconds()
        .max(1);
    Err(Error::TooManyAttempts { retry_after })
}

/// Admits one password check for `email`, or refuses it (429) while the window is full: the
/// attempt is recorded as a failure in the same transaction that counts, before any password is
/// checked. Returns the attempt's id, for [`withdraw`] when the password was right.
pub fn admit(conn: &mut DbConnection, email: &str, now: NaiveDateTime) -> Result<i64> {
    crate::db::write_transaction(conn, |conn| {
        store::lock_login_attempts(conn, email)?;
        check(conn, email, now)?;
        Ok(store::insert_login_failure(conn, email, now)?)
    })
}

/// Withdraws an admitted attempt whose password was right (it was no failure).
pub fn withdraw(conn: &mut DbConnection, attempt: i64) -> Result<()> {
    store::delete_login_failure(conn, attempt)?;
    Ok(())
}

/// Forgets failures older than a day (background jobs).
pub fn purge(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize> {
    Ok(store::delete_login_failures_before(
        conn,
        now - Duration::days(1),
    )?)
}

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
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::schema::login_failures;

/// Failures allowed within the window.
pub const MAX_FAILURES: usize = 5;
/// The window, in minutes.
pub const WINDOW_MINUTES: i64 = 15;

/// Refuses an attempt while the e-mail has [`MAX_FAILURES`] failures within the window; the
/// error says when to retry (when the oldest of those leaves the window).
pub fn check(conn: &mut DbConnection, email: &str, now: NaiveDateTime) -> Result<()> {
    let recent: Vec<NaiveDateTime> = login_failures::table
        .filter(login_failures::email.eq(email))
        .filter(login_failures::failed_at.gt(now - Duration::minutes(WINDOW_MINUTES)))
        .select(login_failures::failed_at)
        .order(login_failures::failed_at.desc())
        .limit(MAX_FAILURES as i64)
        .load(conn)?;
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
        if let DbConnection::Postgres(pg) = conn {
            // Parallel attempts for one e-mail queue here until the first commits.
            diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
                .bind::<diesel::sql_types::Text, _>(email)
                .execute(pg)?;
        }
        check(conn, email, now)?;
        Ok(diesel::insert_into(login_failures::table)
            .values((
                login_failures::email.eq(email),
                login_failures::failed_at.eq(now),
            ))
            .returning(login_failures::id)
            .get_result(conn)?)
    })
}

/// Withdraws an admitted attempt whose password was right (it was no failure).
pub fn withdraw(conn: &mut DbConnection, attempt: i64) -> Result<()> {
    diesel::delete(login_failures::table.find(attempt)).execute(conn)?;
    Ok(())
}

/// Forgets failures older than a day (background jobs).
pub fn purge(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize> {
    Ok(diesel::delete(
        login_failures::table.filter(login_failures::failed_at.lt(now - Duration::days(1))),
    )
    .execute(conn)?)
}

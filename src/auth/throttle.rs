//! Login throttling: after 5 failed logins for one e-mail within 15 minutes, every attempt for
//! it is refused (429, even with the right password) until the window has passed. Failures are
//! counted in the database, so every instance agrees. The same work is done for an unknown
//! e-mail as for a wrong password, so the answer time tells nothing.

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

/// Counts a failed login.
pub fn record_failure(conn: &mut DbConnection, email: &str, now: NaiveDateTime) -> Result<()> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::email.eq(email),
            login_failures::failed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets failures older than a day (background jobs).
pub fn purge(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize> {
    Ok(diesel::delete(
        login_failures::table.filter(login_failures::failed_at.lt(now - Duration::days(1))),
    )
    .execute(conn)?)
}

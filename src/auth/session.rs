//! Whether a user's access tokens still stand: not after the user was deactivated (or removed),
//! not when issued before the user's last password change. Tokens are stateless, so this is read
//! from the database, and remembered for a few seconds per instance so that a request costs no
//! extra query; a deactivation takes effect everywhere within that time.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::schema::users;

/// How long an instance trusts what it read about a user.
pub const REMEMBER_FOR: Duration = Duration::from_secs(5);
/// Entries kept before the stale ones are swept.
const SWEEP_ABOVE: usize = 10_000;

/// What decides whether a user's tokens stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// False for a deactivated or removed user.
    pub active: bool,
    /// Unix seconds of the last password change: tokens issued before are refused.
    pub tokens_after: Option<i64>,
}

/// Reads a user's standing.
pub fn standing(conn: &mut DbConnection, user_id: i64) -> Result<Standing> {
    let row: Option<(Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>)> = users::table
        .find(user_id)
        .select((users::deactivated_at, users::password_changed_at))
        .first(conn)
        .optional()?;
    Ok(match row {
        None => Standing {
            active: false,
            tokens_after: None,
        },
        Some((deactivated, changed)) => Standing {
            active: deactivated.is_none(),
            tokens_after: changed.map(|t| t.and_utc().timestamp()),
        },
    })
}

/// Admits a token issued at `issued_at` (Unix seconds) for a user in this standing.
pub fn admit(standing: Standing, issued_at: i64) -> Result<()> {
    if !standing.active {
        return Err(Error::Unauthenticated(
            "this user is deactivated or no longer exists".into(),
        ));
    }
    if standing.tokens_after.is_some_and(|after| issued_at < after) {
        return Err(Error::Unauthenticated(
            "the password changed since this token was issued; log in again".into(),
        ));
    }
    Ok(())
}

/// The per-instance memory of standings.
#[derive(Debug, Default)]
pub struct UserGate {
    entries: Mutex<HashMap<i64, (Instant, Standing)>>,
}

impl UserGate {
    /// A standing read less than [`REMEMBER_FOR`] ago.
    pub fn cached(&self, user_id: i64) -> Option<Standing> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&user_id)
            .filter(|(at, _)| at.elapsed() < REMEMBER_FOR)
            .map(|(_, s)| *s)
    }

    pub fn remember(&self, user_id: i64, standing: Standing) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > SWEEP_ABOVE {
                entries.retain(|_, (at, _)| at.elapsed() < REMEMBER_FOR);
            }
            entries.insert(user_id, (Instant::now(), standing));
        }
    }

    /// Forgets a user at once on this instance (after a change made here).
    pub fn forget(&self, user_id: i64) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&user_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_stand_for_active_users_issued_after_the_last_change() {
        let active = Standing {
            active: true,
            tokens_after: Some(1_000),
        };
        assert!(admit(active, 1_000).is_ok());
        assert!(admit(active, 999).is_err());
        let gone = Standing {
            active: false,
            tokens_after: None,
        };
        assert!(admit(gone, 5_000).is_err());
        let gate = UserGate::default();
        assert_eq!(gate.cached(1), None);
        gate.remember(1, active);
        assert_eq!(gate.cached(1), Some(active));
        gate.forget(1);
        assert_eq!(gate.cached(1), None);
    }
}

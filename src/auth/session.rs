//! Whether a user's access tokens still stand: not after the user was deactivated (or removed),
//! not when issued before the user's last password change. Tokens are stateless, so this is read
//! from the database, and remembered for a few seconds per instance so that a request costs no
//! extra query; a deactivation takes effect everywhere within that time.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::organization::{OrgKind, Role};

/// How long an instance trusts what it read about a user.
pub const REMEMBER_FOR: Duration = Duration::from_secs(5);
/// Entries kept before the stale ones are swept.
const SWEEP_ABOVE: usize = 10_000;

/// What decides whether a user's tokens stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// False for a deactivated or removed user.
    pub active: bool,
    /// Unix milliseconds of the last password change: tokens issued before are refused.
    pub tokens_after: Option<i64>,
    /// Where the user sits now: a token's organisation, kind and role are taken from here, not
    /// from its claims (a demoted user or a moved organisation loses the rights at once).
    pub seat: Option<Seat>,
}

/// A user's organisation, its kind and the user's role, as the database says now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seat {
    pub organization_id: i64,
    pub kind: OrgKind,
    pub role: Role,
}

/// Reads a user's standing.
pub fn standing(conn: &mut DbConnection, user_id: i64) -> Result<Standing> {
    let row = crate::organization::store::standing_of_user(conn, user_id)?;
    Ok(match row {
        None => Standing {
            active: false,
            tokens_after: None,
            seat: None,
        },
        Some((deactivated, changed, organization_id, kind, role)) => Standing {
            active: deactivated.is_none(),
            tokens_after: changed.map(|t| t.and_utc().timestamp_millis()),
            seat: Some(Seat {
                organization_id,
                kind,
                role,
            }),
        },
    })
}

/// Admits a token issued at `issued_at` (Unix milliseconds) for a user in this standing.
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

/// After this long an instance reads a user's standing again, in the background, while it keeps
/// using what it read (until [`REMEMBER_FOR`]). Under steady traffic the memory then never runs
/// out: when it did, every request of a busy user in flight missed it at once and queued for a
/// connection a second time, which made the p99 of `POST /bookings` under load.
pub const REFRESH_AFTER: Duration = Duration::from_secs(4);

/// What an instance remembers of one user.
#[derive(Debug)]
struct Memory {
    /// When the read that gave `standing` was asked for (its age is counted from there).
    asked_at: Instant,
    standing: Standing,
    /// A background read is under way: no other request starts one.
    refreshing: bool,
}

/// Proof of when a read was asked for, so that what it gives is aged from then, and dropped if
/// the user was forgotten meanwhile (a read begun before a deactivation must not outlive it).
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    asked_at: Instant,
    generation: u64,
}

/// What the memory says about a user.
#[derive(Debug, Clone, Copy)]
pub enum Recall {
    /// Read less than [`REFRESH_AFTER`] ago (or a refresh is under way): use it.
    Fresh(Standing),
    /// Still good, but this caller should read it again in the background.
    Refresh(Standing, Ticket),
    /// Unknown or too old: read it before answering.
    Unknown(Ticket),
}

/// What the gate holds behind its lock.
#[derive(Debug, Default)]
struct Memories {
    by_user: HashMap<i64, Memory>,
    /// Bumped by every `forget`: a read whose ticket carries an older value is not kept.
    generation: u64,
}

/// The per-instance memory of standings.
#[derive(Debug, Default)]
pub struct UserGate {
    memories: Mutex<Memories>,
}

impl UserGate {
    /// What this instance knows of a user now.
    pub fn recall(&self, user_id: i64) -> Recall {
        self.recall_at(user_id, Instant::now())
    }

    fn recall_at(&self, user_id: i64, now: Instant) -> Recall {
        let mut memories = self.memories.lock().unwrap_or_else(|e| e.into_inner());
        let ticket = Ticket {
            asked_at: now,
            generation: memories.generation,
        };
        let Some(m) = memories.by_user.get_mut(&user_id) else {
            return Recall::Unknown(ticket);
        };
        let age = now.saturating_duration_since(m.asked_at);
        if age >= REMEMBER_FOR {
            Recall::Unknown(ticket)
        } else if age < REFRESH_AFTER || m.refreshing {
            Recall::Fresh(m.standing)
        } else {
            m.refreshing = true;
            Recall::Refresh(m.standing, ticket)
        }
    }

    /// Keeps what a read asked for with `ticket` gave, unless the user was forgotten since.
    pub fn remember(&self, user_id: i64, standing: Standing, ticket: Ticket) {
        let mut memories = self.memories.lock().unwrap_or_else(|e| e.into_inner());
        if ticket.generation != memories.generation {
            return;
        }
        let by_user = &mut memories.by_user;
        if by_user.len() > SWEEP_ABOVE {
            by_user.retain(|_, m| m.asked_at.elapsed() < REMEMBER_FOR);
        }
        if by_user
            .get(&user_id)
            .is_some_and(|m| m.asked_at > ticket.asked_at)
        {
            return;
        }
        by_user.insert(
            user_id,
            Memory {
                asked_at: ticket.asked_at,
                standing,
                refreshing: false,
            },
        );
    }

    /// A background read failed: the next request may try again.
    pub fn refresh_failed(&self, user_id: i64) {
        let mut memories = self.memories.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(m) = memories.by_user.get_mut(&user_id) {
            m.refreshing = false;
        }
    }

    /// Forgets a user at once on this instance (after a change made here); reads begun before
    /// are not kept.
    pub fn forget(&self, user_id: i64) {
        let mut memories = self.memories.lock().unwrap_or_else(|e| e.into_inner());
        memories.by_user.remove(&user_id);
        memories.generation += 1;
    }
}

impl crate::access::Standings for UserGate {
    fn forget(&self, user_id: i64) {
        UserGate::forget(self, user_id)
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
            seat: None,
        };
        assert!(admit(active, 1_000).is_ok());
        assert!(admit(active, 999).is_err());
        let gone = Standing {
            active: false,
            tokens_after: None,
            seat: None,
        };
        assert!(admit(gone, 5_000).is_err());
    }

    fn fresh(recall: Recall) -> Option<Standing> {
        match recall {
            Recall::Fresh(s) => Some(s),
            _ => None,
        }
    }

    #[test]
    fn a_busy_user_is_read_again_once_in_the_background_and_never_missed() {
        let active = Standing {
            active: true,
            tokens_after: None,
            seat: None,
        };
        let gate = UserGate::default();
        let t0 = Instant::now();
        let Recall::Unknown(ticket) = gate.recall_at(1, t0) else {
            panic!("nothing is known of a new user");
        };
        gate.remember(1, active, ticket);
        assert_eq!(
            fresh(gate.recall_at(1, t0 + Duration::from_secs(3))),
            Some(active)
        );
        // Past REFRESH_AFTER: one caller is asked to read again, the others keep the memory.
        let later = t0 + REFRESH_AFTER + Duration::from_millis(10);
        let Recall::Refresh(standing, refresh) = gate.recall_at(1, later) else {
            panic!("the first caller past REFRESH_AFTER refreshes");
        };
        assert_eq!(standing, active);
        for _ in 0..64 {
            assert_eq!(fresh(gate.recall_at(1, later)), Some(active));
        }
        // Never past REMEMBER_FOR, refresh or not.
        assert!(matches!(
            gate.recall_at(1, t0 + REMEMBER_FOR),
            Recall::Unknown(_)
        ));
        // The refresh lands: fresh again, aged from when it was asked.
        let gone = Standing {
            active: false,
            tokens_after: None,
            seat: None,
        };
        gate.remember(1, gone, refresh);
        assert_eq!(fresh(gate.recall_at(1, later)), Some(gone));
        // A failed refresh lets the next caller try.
        let much_later = later + REFRESH_AFTER + Duration::from_millis(10);
        assert!(matches!(gate.recall_at(1, much_later), Recall::Refresh(..)));
        gate.refresh_failed(1);
        assert!(matches!(gate.recall_at(1, much_later), Recall::Refresh(..)));
    }

    #[test]
    fn a_read_begun_before_forgetting_is_not_kept() {
        let active = Standing {
            active: true,
            tokens_after: None,
            seat: None,
        };
        let gate = UserGate::default();
        let Recall::Unknown(ticket) = gate.recall(1) else {
            panic!("unknown user");
        };
        gate.forget(1);
        gate.remember(1, active, ticket);
        assert!(matches!(gate.recall(1), Recall::Unknown(_)));
        let Recall::Unknown(ticket) = gate.recall(1) else {
            panic!("unknown user");
        };
        gate.remember(1, active, ticket);
        assert_eq!(fresh(gate.recall(1)), Some(active));
        gate.forget(1);
        assert!(matches!(gate.recall(1), Recall::Unknown(_)));
    }
}

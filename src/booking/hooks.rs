//! What other domains do when a booking changes state, inside the same transaction (billing
//! freezes a quote and commits its subsidy on approval, and gives it back on a cancel). Declared
//! here and implemented above, so that booking does not import the domains that build on it.

use std::sync::Arc;

use chrono::NaiveDateTime;

use super::store::BookingRow;
use super::BookingStatus;
use crate::db::DbConnection;
use crate::error::Result;

/// A rule run in the transaction of every booking transition: an error rolls the transition
/// back. `from == to` when an approved booking moves to new dates (its price changes).
pub trait TransitionHook: Send + Sync {
    fn on_transition(
        &self,
        conn: &mut DbConnection,
        booking: &BookingRow,
        from: BookingStatus,
        to: BookingStatus,
        now: NaiveDateTime,
    ) -> Result<()>;
}

/// No reaction: for tools that move bookings without money (none today but unit tests).
pub struct NoHook;

impl TransitionHook for NoHook {
    fn on_transition(
        &self,
        _: &mut DbConnection,
        _: &BookingRow,
        _: BookingStatus,
        _: BookingStatus,
        _: NaiveDateTime,
    ) -> Result<()> {
        Ok(())
    }
}

/// The hook every caller shares (cheap to clone).
pub type SharedHook = Arc<dyn TransitionHook>;

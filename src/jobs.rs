//! Background jobs. Every instance runs them on its own timer; each job is written so that
//! several instances running it at the same moment do each piece of work once (conditional
//! updates inside transactions), so no leader election or shared scheduler is needed.

use std::time::Duration;

use crate::booking::service as booking;
use crate::state::AppState;

/// Runs every job once; returns how many holds expired, for logs and tests.
pub async fn run_once(state: &AppState) -> crate::error::Result<usize> {
    let clock = state.clock;
    let settings = state.booking_settings();
    state
        .run(move |conn| {
            let now = clock.naive();
            crate::condition::service::start_due_maintenance(conn, now)?;
            crate::idempotency::purge_expired(conn, now)?;
            crate::auth::throttle::purge(conn, now)?;
            crate::catalogue::service::prune_search_log(conn)?;
            crate::catalogue::service::refresh_search_index(conn, now.date())?;
            crate::auth::browser::purge_expired(conn, now)?;
            crate::account::reset::purge(conn, now)?;
            booking::remind_expiring_holds(conn, now)?;
            booking::remind_loans_due(conn, now)?;
            booking::mark_overdue_loans(conn, now)?;
            crate::condition::service::remind_maintenance_due(conn, now)?;
            booking::expire_holds(conn, &settings, now)
        })
        .await
}

/// Spawns the periodic loop on the current actix runtime; it stops with the server's system.
pub fn spawn(state: AppState) {
    let every = Duration::from_secs(state.config.jobs_interval_seconds);
    actix_web::rt::spawn(async move {
        let mut ticker = actix_web::rt::time::interval(every);
        loop {
            ticker.tick().await;
            match run_once(&state).await {
                Ok(0) => {}
                Ok(expired) => tracing::info!(expired, "booking holds expired"),
                Err(e) => tracing::warn!(error = %e, "background jobs failed; retrying next tick"),
            }
        }
    });
}

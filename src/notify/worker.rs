//! The notification worker, on every instance: fan out new outbox events, lease due mail, send,
//! record, then deliver due webhooks. Instances never send the same lease twice (leases are taken by conditional updates,
//! with `SKIP LOCKED` on PostgreSQL); a crash mid-send leaves a lease that expires and is taken
//! again, so each mail goes out at least once.

use std::time::Duration as StdDuration;

use chrono::{Duration, NaiveDateTime};

use super::fanout::{self, Links};
use super::mail::{Mailer, SEND_TIMEOUT};
use super::store::{self, MAIL_QUEUE};
use super::webhook::delivery::{self, Deliverer};
use crate::db::queue::{lease_token, Lease, Retry};
use crate::error::Result;
use crate::state::AppState;

/// Mails leased per round, sent concurrently.
const BATCH: i64 = 20;
/// How long mail is retried before it is dead.
const GIVE_UP_AFTER_HOURS: i64 = 24;

/// The fan-out of every round: outbox events become mail (when mail is configured) and webhook
/// deliveries.
async fn fan_out(state: &AppState, mail: bool) -> Result<usize> {
    let clock = state.clock;
    let links = Links {
        base_url: state.config.public_base_url.clone(),
        mail,
    };
    let now = clock.naive();
    state
        .run(move |conn| fanout::fan_out(conn, &links, now))
        .await
}

/// Sends the mail that is due, concurrently (each send is its own SMTP session, so one slow
/// answer holds no other), then records every outcome in one transaction; returns how many were
/// attempted.
async fn send_mail(state: &AppState, mailer: &Mailer) -> Result<usize> {
    let clock = state.clock;
    let now = clock.naive();
    let token = lease_token()?;
    // The lease outlasts a batch whose sends all time out.
    let until = now + Duration::seconds(SEND_TIMEOUT.as_secs() as i64 * 3);
    let holder = token.clone();
    let due = state
        .run(move |conn| {
            let lease = Lease {
                token: &holder,
                now,
                until,
                limit: BATCH,
            };
            Ok(store::lease_due(conn, &lease)?)
        })
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let outcomes = futures_util::future::join_all(due.iter().map(|mail| {
        mailer.send(
            &mail.recipient,
            &mail.subject,
            &mail.body_text,
            &mail.body_html,
        )
    }))
    .await;
    let base = state.config.notify_retry_base_seconds;
    let attempted = due.len();
    let results: Vec<(i64, NaiveDateTime, i32, std::result::Result<(), String>)> = due
        .iter()
        .zip(outcomes)
        .map(|(mail, outcome)| (mail.id, mail.created_at, mail.attempts + 1, outcome))
        .collect();
    state
        .run(move |conn| {
            let now = clock.naive();
            crate::db::write_transaction(conn, |conn| {
                for (id, created_at, attempts, outcome) in &results {
                    match outcome {
                        Ok(()) => MAIL_QUEUE.mark_done(conn, *id, &token, now)?,
                        Err(error) => {
                            let retry = Retry::after(now, *attempts, base, *created_at, Duration::hours(GIVE_UP_AFTER_HOURS));
                            tracing::warn!(notification = id, attempts, dead = retry.dead, %error, "mail not sent");
                            MAIL_QUEUE.mark_failed(conn, *id, &token, error, retry)?
                        }
                    };
                }
                // A one-time link leaves the stored copy once its mail is out (or given up).
                let ids: Vec<i64> = results.iter().map(|(id, ..)| *id).collect();
                store::forget_one_time_links(conn, &ids)?;
                Ok(())
            })
        })
        .await?;
    Ok(attempted)
}

/// One round of webhook deliveries: lease due deliveries, attempt them concurrently, record each
/// outcome. Returns how many were attempted.
async fn deliver_webhooks(state: &AppState, deliverer: &Deliverer) -> Result<usize> {
    let clock = state.clock;
    let token = lease_token()?;
    let lease = token.clone();
    let timeout_ms = state.config.webhook_timeout_ms;
    let due = state
        .run(move |conn| delivery::lease_due(conn, &lease, timeout_ms, clock.naive()))
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let outcomes = futures_util::future::join_all(due.iter().map(|d| deliverer.attempt(d))).await;
    let base = deliverer.retry_base_seconds();
    let results: Vec<_> = due.into_iter().zip(outcomes).collect();
    let attempted = results.len();
    state
        .run(move |conn| delivery::record_all(conn, &results, &token, base, clock.naive()))
        .await?;
    Ok(attempted)
}

/// One round: fan out, send due mail (when configured), deliver due webhooks. Returns how much
/// work it did.
pub async fn run_once(
    state: &AppState,
    mailer: Option<&Mailer>,
    deliverer: &Deliverer,
) -> Result<usize> {
    let mut done = fan_out(state, mailer.is_some()).await?;
    if let Some(mailer) = mailer {
        done += send_mail(state, mailer).await?;
    }
    done += deliver_webhooks(state, deliverer).await?;
    Ok(done)
}

/// Spawns the worker on the current actix runtime, on every instance: it polls every
/// `notify_poll_ms` while idle and goes on at once while there is work. Mail is sent only when
/// an SMTP server is configured; webhooks are delivered either way.
pub fn spawn(state: AppState) {
    if !state.config.notify_worker {
        return;
    }
    let mailer = match Mailer::from_config(&state.config.smtp_url, &state.config.mail_from) {
        Ok(mailer) => mailer,
        Err(e) => {
            tracing::error!(error = %e, "mail disabled: the SMTP configuration is unusable");
            None
        }
    };
    let idle = StdDuration::from_millis(state.config.notify_poll_ms.max(10));
    let pace = StdDuration::from_millis(state.config.notify_pace_ms);
    actix_web::rt::spawn(async move {
        // The HTTP client is not Send: it lives on this worker's thread.
        let deliverer = Deliverer::new(&state.config);
        loop {
            match run_once(&state, mailer.as_ref(), &deliverer).await {
                Ok(0) => actix_web::rt::time::sleep(idle).await,
                // A breather between busy rounds: the worker never holds the CPU (or SQLite's
                // write lock) from requests for long, and still clears a burst well within a
                // minute.
                Ok(_) => actix_web::rt::time::sleep(pace).await,
                Err(e) => {
                    tracing::warn!(error = %e, "notification worker failed; retrying");
                    actix_web::rt::time::sleep(idle).await;
                }
            }
        }
    });
}

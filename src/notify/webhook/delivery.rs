//! Webhook deliveries, on every instance: lease due deliveries, POST them signed (Standard
//! Webhooks) with a timeout, record the outcome. A failure is retried with exponential backoff
//! (`webhook_retry_base_seconds`, doubling, at most an hour apart) until 24 hours have passed;
//! a webhook that has failed for a whole day is disabled, its pending deliveries given up, and
//! its organisation's admins mailed (`webhook.disabled`). At least once: receivers dedupe by
//! `webhook-id`.

use std::net::IpAddr;
use std::time::Duration as StdDuration;

use chrono::{Duration, NaiveDateTime, Utc};

use super::address::{self, PublicOnly};
use super::signature;
use super::store::{self, OutgoingDelivery};
use crate::config::Config;
use crate::db::queue::{Lease, Retry};
use crate::db::write_transaction;
use crate::error::Result;

/// Deliveries leased per round (attempted concurrently).
const BATCH: i64 = 20;
/// How long deliveries are retried, and a webhook may fail, before giving up.
pub const GIVE_UP_AFTER_HOURS: i64 = 24;
/// The most of a receiver's answer that is read (the rest is dropped).
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// What one attempt came to: the answer's status when 2xx, else the status (if any) and why.
pub type Outcome = std::result::Result<u16, (Option<u16>, String)>;

/// An HTTP client for deliveries: the configured timeout, no redirects followed, and, unless
/// private addresses are allowed, a resolver that only connects to public ones. Not `Send`:
/// build it on the thread that runs the worker.
pub struct Deliverer {
    client: awc::Client,
    allow_private: bool,
    base_seconds: i64,
}

impl Deliverer {
    pub fn new(config: &Config) -> Deliverer {
        let timeout = StdDuration::from_millis(config.webhook_timeout_ms.max(100));
        let builder = awc::Client::builder()
            .timeout(timeout)
            .disable_redirects()
            .add_default_header(("user-agent", "Itinerance-Webhooks/1"));
        let client = if config.webhook_allow_private {
            builder.finish()
        } else {
            let tcp = actix_tls::connect::Connector::new(actix_tls::connect::Resolver::custom(
                PublicOnly,
            ))
            .service();
            builder
                .connector(awc::Connector::new().connector(tcp).timeout(timeout))
                .finish()
        };
        Deliverer {
            client,
            allow_private: config.webhook_allow_private,
            base_seconds: config.webhook_retry_base_seconds,
        }
    }

    /// The first retry's delay (`webhook_retry_base_seconds`), doubling after each failure.
    pub fn retry_base_seconds(&self) -> i64 {
        self.base_seconds
    }

    /// One attempt: the answer's status when 2xx, else the status (if any) and why.
    pub async fn attempt(&self, delivery: &OutgoingDelivery) -> Outcome {
        // Hosts written as addresses skip the resolver: check them here.
        if !self.allow_private {
            let literal = address::parse(&delivery.url)
                .ok()
                .and_then(|t| t.host.parse::<IpAddr>().ok());
            if literal.is_some_and(|ip| !address::is_public(ip)) {
                return Err((None, "the webhook address is not public".into()));
            }
        }
        let timestamp = Utc::now().timestamp();
        let signature = signature::sign(
            &delivery.secret,
            &delivery.message_id,
            timestamp,
            &delivery.body,
        )
        .map_err(|e| (None, e))?;
        let sent = self
            .client
            .post(&delivery.url)
            .insert_header(("content-type", "application/json"))
            .insert_header(("webhook-id", delivery.message_id.as_str()))
            .insert_header(("webhook-timestamp", timestamp.to_string()))
            .insert_header(("webhook-signature", signature))
            .send_body(delivery.body.clone())
            .await;
        match sent {
            Ok(mut answer) => {
                let status = answer.status().as_u16();
                // Read (a bounded part of) the answer so the connection can be reused.
                let _ = answer.body().limit(MAX_ANSWER_BYTES).await;
                if answer.status().is_success() {
                    Ok(status)
                } else {
                    Err((Some(status), format!("the receiver answered {status}")))
                }
            }
            Err(e) => Err((None, format!("no answer: {e}"))),
        }
    }
}

/// Leases the due deliveries of one round for `token`; the lease outlasts a round whose
/// attempts all time out (the worker runs the round: `notify::worker`).
pub fn lease_due(
    conn: &mut crate::db::DbConnection,
    token: &str,
    timeout_ms: u64,
    now: NaiveDateTime,
) -> Result<Vec<OutgoingDelivery>> {
    let until = now + Duration::milliseconds(timeout_ms as i64 * 3) + Duration::seconds(30);
    let lease = Lease {
        token,
        now,
        until,
        limit: BATCH,
    };
    Ok(store::lease_due(conn, &lease)?)
}

/// Records the outcomes of one round's attempts, each in its own transaction.
pub fn record_all(
    conn: &mut crate::db::DbConnection,
    results: &[(OutgoingDelivery, Outcome)],
    token: &str,
    base_seconds: i64,
    now: NaiveDateTime,
) -> Result<()> {
    for (delivery, outcome) in results {
        record(conn, delivery, outcome, token, base_seconds, now)?;
    }
    Ok(())
}

fn record(
    conn: &mut crate::db::DbConnection,
    delivery: &OutgoingDelivery,
    outcome: &Outcome,
    token: &str,
    base_seconds: i64,
    now: NaiveDateTime,
) -> Result<()> {
    write_transaction(conn, |conn| {
        match outcome {
            Ok(status) => {
                store::mark_delivered(
                    conn,
                    delivery.id,
                    delivery.webhook_id,
                    token,
                    i32::from(*status),
                    now,
                )?;
            }
            Err((status, error)) => {
                let attempts = delivery.attempts + 1;
                let retry = Retry::after(
                    now,
                    attempts,
                    base_seconds,
                    delivery.created_at,
                    Duration::hours(GIVE_UP_AFTER_HOURS),
                );
                tracing::warn!(delivery = delivery.id, webhook = delivery.webhook_id, attempts, dead = retry.dead, %error, "webhook not delivered");
                let failing_since = store::mark_failed(
                    conn,
                    delivery.id,
                    delivery.webhook_id,
                    token,
                    status.map(i32::from),
                    error,
                    retry,
                    now,
                )?;
                if failing_since
                    .is_some_and(|since| now - since >= Duration::hours(GIVE_UP_AFTER_HOURS))
                {
                    disable(
                        conn,
                        delivery.webhook_id,
                        failing_since.unwrap_or(now),
                        error,
                        now,
                    )?;
                }
            }
        }
        Ok(())
    })
}

/// Disables a webhook that has failed for a day, once, and announces it to its organisation's
/// admins.
fn disable(
    conn: &mut crate::db::DbConnection,
    webhook_id: i64,
    since: NaiveDateTime,
    error: &str,
    now: NaiveDateTime,
) -> Result<()> {
    let reason = format!(
        "failing since {} UTC: {error}",
        since.format("%Y-%m-%d %H:%M")
    );
    if store::disable(conn, webhook_id, &reason, now)? {
        tracing::warn!(webhook = webhook_id, %reason, "webhook disabled");
        crate::outbox::record(
            conn,
            crate::outbox::EventKind::WebhookDisabled,
            crate::outbox::SubjectType::Webhook,
            webhook_id,
            &serde_json::json!({ "since": since.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true), "error": error }),
            now,
        )?;
    }
    Ok(())
}

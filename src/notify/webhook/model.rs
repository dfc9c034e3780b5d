//! The shapes of webhooks on the wire and in the document: registrations, the delivery log, and
//! the payload partners receive (published as OpenAPI 3.1 `webhooks`).

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub use crate::allocation::model::AllocationRequestSnapshot;
pub use crate::billing::model::InvoiceSnapshot;
pub use crate::booking::model::BookingSnapshot;
pub use crate::catalogue::model::CopySnapshot;

/// The events a webhook may subscribe to, and what their payloads are about: subsets of the
/// outbox's vocabulary, declared there beside it.
pub use crate::outbox::{WebhookEvent, WebhookObject};

crate::stored_enum! {
    /// Where one delivery stands.
    pub enum DeliveryStatus {
        /// Waiting for its first attempt, or for a retry at `next_attempt_at`.
        Pending => "pending",
        /// The receiver answered 2xx.
        Delivered => "delivered",
        /// Given up: 24 hours of failures, or the webhook was disabled.
        Dead => "dead",
    }
}

/// A webhook as its organisation sees it (the secret is only in the answer that creates it).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Webhook {
    pub id: i64,
    pub organization_id: i64,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    /// False once disabled after a day of failed deliveries (register it again to resume).
    pub active: bool,
    /// The first failure of the current run of failures (UTC), if it is failing.
    #[serde(with = "crate::timestamp::utc_option")]
    pub failing_since: Option<NaiveDateTime>,
    #[serde(with = "crate::timestamp::utc_option")]
    pub disabled_at: Option<NaiveDateTime>,
    pub disabled_reason: Option<String>,
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
}

/// The answer to a registration: the webhook and, this once, its signing secret.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedWebhook {
    pub id: i64,
    pub organization_id: i64,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub active: bool,
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    /// `whsec_<base64 key>`: verify each delivery's `webhook-signature` with it (Standard
    /// Webhooks libraries take it as is). Shown once; it cannot be read again.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

/// Body of `POST /api/v1/webhooks`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// Where deliveries are POSTed: `https://` (or `http://`) on a public address.
    #[schema(example = "https://portail.example.org/itinerance/events")]
    pub url: String,
    /// The events to receive (at least one).
    pub events: Vec<WebhookEvent>,
}

/// One delivery of one event to one webhook, with its last attempt.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, diesel::Queryable)]
pub struct WebhookDelivery {
    pub id: i64,
    pub event_id: i64,
    /// The event name (`booking.approved`, …).
    pub event_type: String,
    /// The `webhook-id` header: the same on every attempt (receivers dedupe by it).
    pub message_id: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// The HTTP status of the last answer, when there was one.
    pub last_status_code: Option<i32>,
    /// Why the last attempt failed, when it did.
    pub last_error: Option<String>,
    #[serde(with = "crate::timestamp::utc_option")]
    pub last_attempt_at: Option<NaiveDateTime>,
    #[serde(with = "crate::timestamp::utc")]
    pub next_attempt_at: NaiveDateTime,
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::timestamp::utc_option")]
    pub delivered_at: Option<NaiveDateTime>,
}

/// Query of a webhook's delivery log.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only this status.
    pub status: Option<DeliveryStatus>,
    /// Page size, 1–500 (default 100); newest first.
    pub limit: Option<i64>,
}

/// The body of every delivery (Standard Webhooks: `{type, timestamp, data}`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookPayload {
    /// The event name.
    #[serde(rename = "type")]
    pub event_type: WebhookEvent,
    /// When the event happened (UTC).
    #[serde(with = "crate::timestamp::utc")]
    pub timestamp: NaiveDateTime,
    pub data: WebhookData,
}

/// What the event is about, as it was when the event happened. One of `booking`, `copy`,
/// `invoice` and `allocation_request` is set, after `object`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookData {
    pub object: WebhookObject,
    /// The id of the booking, copy or invoice.
    pub id: i64,
    pub booking: Option<BookingSnapshot>,
    pub copy: Option<CopySnapshot>,
    pub invoice: Option<InvoiceSnapshot>,
    pub allocation_request: Option<AllocationRequestSnapshot>,
    /// The event's own facts: for a booking transition `action`, `from`, `to`, the `note` the
    /// actor wrote (absent without one) and the `system_note` the service wrote (a
    /// `SystemNote`: a promotion from the waitlist, an allocation round, a lapsed hold); for a
    /// change of dates `previous_starts_on`, `previous_ends_on` and `note`; for a flag `reason`
    /// (English) and `flag` (its code); for an overdue loan `due_on`; for a refused allocation
    /// request `reason` (English) and `decision` (its code, a `Decision`).
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::WebhookEvent;

    #[test]
    fn booking_statuses_announce_webhook_events() {
        for status in crate::booking::BookingStatus::ALL {
            assert!(WebhookEvent::of(status.event_kind()).is_some(), "{status}");
        }
    }
}

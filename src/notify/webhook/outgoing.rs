//! What partners receive: an outbox event becomes one delivery per active webhook that
//! subscribed to it among the organisations the event concerns (a booking: its producer and its
//! venue; a copy: its producer; an invoice: its seller and its buyer). The body is fixed here,
//! so every retry carries the same `webhook-id` and bytes.

use chrono::NaiveDateTime;

use super::model::{
    AllocationRequestSnapshot, BookingSnapshot, CopySnapshot, DeliveryStatus, InvoiceSnapshot,
    WebhookData, WebhookEvent, WebhookObject, WebhookPayload,
};
use super::store::{self, DeliveryInsert};
use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::outbox::store::EventRow;
use crate::outbox::SubjectType;

/// The `webhook-id` of an event: the same for every webhook and every attempt.
pub fn message_id(event_id: i64) -> String {
    format!("evt_{event_id}")
}

/// Stores the deliveries of one event; returns how many.
pub fn fan_out_event(
    conn: &mut DbConnection,
    event: &EventRow,
    now: NaiveDateTime,
) -> Result<usize> {
    let Some(kind) = WebhookEvent::parse(&event.kind) else {
        return Ok(0);
    };
    let Some((organizations, mut data)) = subject(conn, event)? else {
        return Ok(0);
    };
    let subscribed: Vec<i64> = store::active_of(conn, &organizations)?
        .into_iter()
        .filter(|(_, events)| WebhookEvent::parse_list(events).contains(&kind))
        .map(|(id, _)| id)
        .collect();
    if subscribed.is_empty() {
        return Ok(0);
    }
    data.details = serde_json::from_str(&event.payload).unwrap_or_else(|_| serde_json::json!({}));
    let body = serde_json::to_string(&WebhookPayload {
        event_type: kind,
        timestamp: event.created_at,
        data,
    })
    .map_err(|e| Error::Internal(e.to_string()))?;
    let message_id = message_id(event.id);
    let mut stored = 0;
    for webhook_id in subscribed {
        stored += store::insert_delivery(
            conn,
            &DeliveryInsert {
                webhook_id,
                event_id: event.id,
                event_type: kind.get(),
                message_id: &message_id,
                body: &body,
                status: DeliveryStatus::Pending,
                attempts: 0,
                next_attempt_at: now,
                created_at: now,
            },
        )?;
    }
    Ok(stored)
}

/// The organisations an event concerns and what it is about; `None` when the subject is gone.
/// The subject is the one its recorder kept with the event (its snapshot: bookings, allocation
/// requests, copies, invoices), never a later state; an event recorded without one (a reminder)
/// tells its subject as it is now, read through the subject's own store.
fn subject(conn: &mut DbConnection, event: &EventRow) -> Result<Option<(Vec<i64>, WebhookData)>> {
    let id = event.subject_id;
    let Some(object) = event
        .subject_type
        .parse::<SubjectType>()
        .ok()
        .and_then(WebhookObject::of)
    else {
        return Ok(None);
    };
    let empty = || WebhookData {
        object,
        id,
        booking: None,
        copy: None,
        invoice: None,
        allocation_request: None,
        details: serde_json::json!({}),
    };
    let then = event.snapshot.as_deref();
    Ok(match object.get() {
        SubjectType::AllocationRequest => then
            .and_then(|s| serde_json::from_str::<AllocationRequestSnapshot>(s).ok())
            .map(|r| {
                (
                    vec![r.venue_id],
                    WebhookData {
                        allocation_request: Some(r),
                        ..empty()
                    },
                )
            }),
        SubjectType::Booking => kept_or(then, || crate::booking::store::snapshot(conn, id))?.map(
            |b: BookingSnapshot| {
                (
                    vec![b.producer_id, b.venue_id],
                    WebhookData {
                        booking: Some(b),
                        ..empty()
                    },
                )
            },
        ),
        SubjectType::Copy => kept_or(then, || crate::catalogue::store::copy_snapshot(conn, id))?
            .map(|c: CopySnapshot| {
                (
                    vec![c.producer_id],
                    WebhookData {
                        copy: Some(c),
                        ..empty()
                    },
                )
            }),
        SubjectType::Invoice => kept_or(then, || crate::billing::ledger::snapshot(conn, id))?.map(
            |i: InvoiceSnapshot| {
                (
                    vec![i.seller_id, i.buyer_id],
                    WebhookData {
                        invoice: Some(i),
                        ..empty()
                    },
                )
            },
        ),
        _ => None,
    })
}

/// The snapshot kept with an event, else the subject as it is now (`now`).
fn kept_or<T: serde::de::DeserializeOwned>(
    kept: Option<&str>,
    now: impl FnOnce() -> diesel::QueryResult<Option<T>>,
) -> Result<Option<T>> {
    match kept.and_then(|s| serde_json::from_str::<T>(s).ok()) {
        Some(then) => Ok(Some(then)),
        None => Ok(now()?),
    }
}

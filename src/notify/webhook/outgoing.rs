//! What partners receive: an outbox event becomes one delivery per active webhook that
//! subscribed to it among the organisations the event concerns (a booking: its producer and its
//! venue; a copy: its producer; an invoice: its seller and its buyer). The body is fixed here,
//! so every retry carries the same `webhook-id` and bytes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{
    AllocationRequestSnapshot, BookingSnapshot, CopySnapshot, DeliveryStatus, InvoiceSnapshot,
    WebhookData, WebhookEvent, WebhookObject, WebhookPayload,
};
use super::store::{self, DeliveryInsert};
use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::notify::store::EventRow;

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
    let Some(kind) = WebhookEvent::of(&event.kind) else {
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
                event_type: kind.as_str(),
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
fn subject(conn: &mut DbConnection, event: &EventRow) -> Result<Option<(Vec<i64>, WebhookData)>> {
    use crate::schema::{bookings, copies, invoices, resources};
    let id = event.subject_id;
    let empty = |object| WebhookData {
        object,
        id,
        booking: None,
        copy: None,
        invoice: None,
        allocation_request: None,
        details: serde_json::json!({}),
    };
    // The subject as the event saw it, when its recorder kept it (bookings, allocation
    // requests): never a later state.
    let then = event.snapshot.as_deref();
    if event.subject_type == "booking" {
        if let Some(b) = then.and_then(|s| serde_json::from_str::<BookingSnapshot>(s).ok()) {
            return Ok(Some((
                vec![b.producer_id, b.venue_id],
                WebhookData {
                    booking: Some(b),
                    ..empty(WebhookObject::Booking)
                },
            )));
        }
    }
    Ok(match event.subject_type.as_str() {
        "allocation_request" => then
            .and_then(|s| serde_json::from_str::<AllocationRequestSnapshot>(s).ok())
            .map(|r| {
                (
                    vec![r.venue_id],
                    WebhookData {
                        allocation_request: Some(r),
                        ..empty(WebhookObject::AllocationRequest)
                    },
                )
            }),
        "booking" => bookings::table
            .inner_join(resources::table.on(resources::id.eq(bookings::resource_id)))
            .filter(bookings::id.eq(id))
            .select((
                bookings::id,
                bookings::status,
                bookings::resource_id,
                bookings::copy_id,
                resources::producer_id,
                bookings::venue_id,
                bookings::starts_on,
                bookings::ends_on,
            ))
            .first::<(
                i64,
                crate::booking::BookingStatus,
                i64,
                i64,
                i64,
                i64,
                chrono::NaiveDate,
                chrono::NaiveDate,
            )>(conn)
            .optional()?
            .map(
                |(id, status, resource_id, copy_id, producer_id, venue_id, starts_on, ends_on)| {
                    let snapshot = BookingSnapshot {
                        id,
                        status,
                        resource_id,
                        copy_id,
                        producer_id,
                        venue_id,
                        starts_on,
                        ends_on,
                        hold_expires_at: None,
                    };
                    (
                        vec![producer_id, venue_id],
                        WebhookData {
                            booking: Some(snapshot),
                            ..empty(WebhookObject::Booking)
                        },
                    )
                },
            ),
        "copy" => copies::table
            .inner_join(resources::table.on(resources::id.eq(copies::resource_id)))
            .filter(copies::id.eq(id))
            .select((
                copies::id,
                copies::resource_id,
                resources::producer_id,
                copies::asset_tag,
                copies::status,
            ))
            .first::<(i64, i64, i64, String, String)>(conn)
            .optional()?
            .map(|(id, resource_id, producer_id, asset_tag, status)| {
                let status = status
                    .parse()
                    .map_err(|e: String| Error::Internal(format!("copy {id}: {e}")));
                status.map(|status| {
                    (
                        vec![producer_id],
                        WebhookData {
                            copy: Some(CopySnapshot {
                                id,
                                resource_id,
                                producer_id,
                                asset_tag,
                                status,
                            }),
                            ..empty(WebhookObject::Copy)
                        },
                    )
                })
            })
            .transpose()?,
        "invoice" => invoices::table
            .filter(invoices::id.eq(id))
            .select((
                invoices::id,
                invoices::number,
                invoices::kind,
                invoices::seller_id,
                invoices::buyer_id,
                invoices::booking_id,
                invoices::total_cents,
                invoices::issued_on,
            ))
            .first::<(i64, String, String, i64, i64, i64, i64, chrono::NaiveDate)>(conn)
            .optional()?
            .map(
                |(id, number, kind, seller_id, buyer_id, booking_id, total_cents, issued_on)| {
                    let kind = kind
                        .parse()
                        .map_err(|e: String| Error::Internal(format!("invoice {id}: {e}")));
                    kind.map(|kind| {
                        (
                            vec![seller_id, buyer_id],
                            WebhookData {
                                invoice: Some(InvoiceSnapshot {
                                    id,
                                    number,
                                    kind,
                                    seller_id,
                                    buyer_id,
                                    booking_id,
                                    total_cents,
                                    issued_on,
                                }),
                                ..empty(WebhookObject::Invoice)
                            },
                        )
                    })
                },
            )
            .transpose()?,
        _ => None,
    })
}

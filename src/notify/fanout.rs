//! Who is told what: each outbox event becomes one rendered mail per recipient. A request goes to
//! the producer's users; approval, rejection and dispatch to the venue's users (API.md). Events
//! without mail are marked done. Runs in one write transaction per batch, so a crash repeats a
//! batch at worst, and a repeat stores nothing twice (one mail per event and recipient).

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::store::{self, EventRow, NotificationInsert};
use super::templates;
use crate::db::{write_transaction, DbConnection};
use crate::error::Result;

/// Events fanned out per transaction.
const BATCH: i64 = 100;

/// What the fan-out needs to know about the service.
#[derive(Debug, Clone)]
pub struct Links {
    /// Where people open the service, e.g. `https://itinerance.example.org`.
    pub base_url: String,
}

/// Whose users get an event's mail.
enum Audience {
    Producer,
    Venue,
}

fn audience(kind: &str) -> Option<Audience> {
    match kind {
        "booking.requested" | "booking.hold_expiring" => Some(Audience::Producer),
        "booking.approved" | "booking.rejected" | "booking.dispatched" => Some(Audience::Venue),
        _ => None,
    }
}

/// Fans out one batch of events; returns how many mails it stored.
pub fn fan_out(conn: &mut DbConnection, links: &Links, now: NaiveDateTime) -> Result<usize> {
    write_transaction(conn, |conn| {
        let events = store::claim_events(conn, BATCH)?;
        let mut stored = 0;
        for event in &events {
            stored += fan_out_event(conn, links, event, now)?;
        }
        let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
        store::mark_processed(conn, &ids, now)?;
        Ok(stored)
    })
}

fn fan_out_event(
    conn: &mut DbConnection,
    links: &Links,
    event: &EventRow,
    now: NaiveDateTime,
) -> Result<usize> {
    let Some(audience) = audience(&event.kind) else {
        return Ok(0);
    };
    if event.subject_type != "booking" || !templates::has_template(&event.kind) {
        return Ok(0);
    }
    let Some(facts) = store::booking_facts(conn, event.subject_id)? else {
        return Ok(0);
    };
    let organization = match audience {
        Audience::Producer => facts.producer_id,
        Audience::Venue => facts.venue_id,
    };
    let values: HashMap<&str, String> = HashMap::from([
        ("resource", facts.resource_title.clone()),
        ("venue", facts.venue_name.clone()),
        ("commune", facts.commune_name.clone()),
        ("producer", facts.producer_name.clone()),
        ("starts_on", facts.starts_on.to_string()),
        ("ends_on", facts.ends_on.to_string()),
        ("copy", facts.asset_tag.clone()),
        (
            "hold_until",
            // Only requests have a hold, and only their templates show it.
            facts
                .hold_expires_at
                .map(|t| t.date().to_string())
                .unwrap_or_default(),
        ),
        (
            "link",
            format!(
                "{}/api/v1/bookings/{}",
                links.base_url.trim_end_matches('/'),
                facts.booking_id
            ),
        ),
    ]);
    let mut stored = 0;
    let kind = crate::outbox::MailKind::of(&event.kind);
    for (user_id, email, locale, muted) in store::recipients(conn, organization)? {
        // Turned off by the user (PATCH /api/v1/me).
        if kind.is_some_and(|k| crate::outbox::MailKind::parse_list(&muted).contains(&k)) {
            continue;
        }
        let Some(mail) = templates::render(&event.kind, &locale, &values) else {
            continue;
        };
        stored += store::insert_notification(
            conn,
            &NotificationInsert {
                event_id: event.id,
                kind: &event.kind,
                recipient: &email,
                user_id: Some(user_id),
                subject: &mail.subject,
                body_text: &mail.text,
                body_html: &mail.html,
                status: super::model::NotificationStatus::Pending,
                attempts: 0,
                next_attempt_at: now,
                created_at: now,
            },
        )?;
    }
    Ok(stored)
}

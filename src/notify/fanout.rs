//! Who is told what: each outbox event becomes one rendered mail per recipient and one delivery
//! per subscribed webhook. Mail audiences (API.md): a request, a lapsing hold, a delivery due
//! and a maintenance due go to the producer's users; approval, rejection, dispatch and a return
//! due to the venue's users; an overdue or flagged loan to both; a disabled webhook to its
//! organisation's admins. Runs in one write transaction per batch, so a crash repeats a batch
//! at worst, and a repeat stores nothing twice (one mail per event and recipient, one delivery
//! per event and webhook).

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::store::{self, NotificationInsert};
use super::templates;
use super::webhook;
use super::webhook::model::AllocationRequestSnapshot;
use crate::allocation::model::Decision;
use crate::booking::model::{BookingSnapshot, FlagReason, SystemNote};
use crate::db::{write_transaction, DbConnection};
use crate::error::Result;
use crate::outbox::store::{self as outbox_store, EventRow};
use crate::outbox::{EventKind, MailKind, SubjectType};

/// Events fanned out per transaction.
const BATCH: i64 = 100;

/// What the fan-out needs to know about the service.
#[derive(Debug, Clone)]
pub struct Links {
    /// Where people open the service, e.g. `https://itinerance.example.org`.
    pub base_url: String,
    /// Whether mail is sent at all (an SMTP server is configured); without it, events still go
    /// to webhooks and no mail piles up.
    pub mail: bool,
}

impl Links {
    /// A JSON API address (subjects without a portal page: maintenance, webhooks).
    fn to(&self, path: &str) -> String {
        format!("{}/api/v1/{path}", self.base_url.trim_end_matches('/'))
    }

    /// A portal page, what a person opens from a mail (`/bookings/{id}`).
    fn page(&self, path: &str) -> String {
        format!("{}/{path}", self.base_url.trim_end_matches('/'))
    }
}

/// Whose users get an event's mail.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Audience {
    Producer,
    Venue,
    Both,
    /// The administrators of the organisation the subject belongs to.
    Admins,
}

/// Whose users get an event's mail: `None` for the events that send no such mail (every
/// `MailKind` has an audience; account mails go to one address, from `account`).
fn audience(kind: EventKind) -> Option<Audience> {
    use EventKind as K;
    Some(match kind {
        K::BookingRequested | K::BookingHoldExpiring | K::BookingDeliveryDue => Audience::Producer,
        K::CopyMaintenanceDue => Audience::Producer,
        K::BookingApproved | K::BookingRejected | K::BookingDispatched | K::BookingReturnDue => {
            Audience::Venue
        }
        K::AllocationRefused => Audience::Venue,
        K::BookingOverdue | K::BookingFlagged | K::BookingRescheduled => Audience::Both,
        K::WebhookDisabled => Audience::Admins,
        K::AccountInvitation
        | K::AccountPasswordReset
        | K::BookingCancelled
        | K::BookingDelivered
        | K::BookingReturned
        | K::BookingClosed
        | K::BookingExpired
        | K::CopyMaintenance
        | K::CopyRetired
        | K::InvoiceIssued => return None,
    })
}

/// Fans out one batch of events; returns how many mails and deliveries it stored.
pub fn fan_out(conn: &mut DbConnection, links: &Links, now: NaiveDateTime) -> Result<usize> {
    write_transaction(conn, |conn| {
        let events = outbox_store::claim_events(conn, BATCH)?;
        if events.is_empty() {
            return Ok(0);
        }
        let hooks = webhook::store::any_active(conn)?;
        let mut stored = 0;
        for event in &events {
            if links.mail {
                stored += mail_event(conn, links, event, now)?;
            }
            if hooks {
                stored += webhook::outgoing::fan_out_event(conn, event, now)?;
            }
        }
        let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
        outbox_store::mark_processed(conn, &ids, now)?;
        Ok(stored)
    })
}

/// A reason kept as a code with its facts by the domain that decided, put in each reader's
/// language by that domain's `render` (never rewritten here).
enum Why {
    /// Why a booking was flagged.
    Flag(FlagReason),
    /// Why an allocation round did not serve a request.
    Allocation(Decision),
}

impl Why {
    fn render(&self, locale: &str) -> String {
        match self {
            Why::Flag(flag) => flag.render(locale),
            Why::Allocation(decision) => decision.render(locale),
        }
    }
}

/// What a mail says, and whose users it goes to.
struct MailSubject {
    values: HashMap<&'static str, String>,
    /// The reason (`{reason}`), put in each reader's language.
    why: Option<Why>,
    /// What the actor wrote (an approval's, a rejection's or a change of dates' note).
    note: Option<String>,
    /// What the service noted (an allocation round's approval), in each reader's language when
    /// the actor wrote nothing.
    system_note: Option<SystemNote>,
    /// The organisation the subject belongs to: a booking's or a copy's producer, a webhook's
    /// owner (producer audiences and admins are its users).
    owner_id: i64,
    /// A booking's venue.
    venue_id: Option<i64>,
}

/// An event's payload as the mail reads it.
struct Payload(serde_json::Value);

impl Payload {
    fn of(event: &EventRow) -> Payload {
        Payload(serde_json::from_str(&event.payload).unwrap_or(serde_json::Value::Null))
    }

    /// A text of the payload, empty when absent.
    fn text(&self, key: &str) -> String {
        self.0[key].as_str().unwrap_or_default().to_string()
    }

    /// The actor's note, when they wrote one.
    fn note(&self) -> Option<String> {
        self.0["note"]
            .as_str()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
    }
}

/// What the mails of `event` say of its subject, one function per kind of subject; none when
/// the subject is gone or its kind is not mailed.
fn mail_subject(
    conn: &mut DbConnection,
    links: &Links,
    event: &EventRow,
) -> Result<Option<MailSubject>> {
    let payload = Payload::of(event);
    match event.subject_type.parse::<SubjectType>() {
        Ok(SubjectType::Booking) => booking_subject(conn, links, event, &payload),
        Ok(SubjectType::AllocationRequest) => allocation_subject(conn, links, event, &payload),
        Ok(SubjectType::Maintenance) => maintenance_subject(conn, links, event),
        Ok(SubjectType::Webhook) => webhook_subject(conn, links, event, &payload),
        _ => Ok(None),
    }
}

/// A booking's mail: its resource, venue and dates (as the event saw them), its copy, its hold
/// and its return, and why it was flagged or refused.
fn booking_subject(
    conn: &mut DbConnection,
    links: &Links,
    event: &EventRow,
    payload: &Payload,
) -> Result<Option<MailSubject>> {
    Ok(store::booking_facts(conn, event.subject_id)?.map(|facts| {
        // The booking as the event saw it, when it was kept (dates, hold).
        let then: Option<BookingSnapshot> = event
            .snapshot
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok());
        let (starts_on, ends_on, hold_expires_at) = match &then {
            Some(b) => (b.starts_on, b.ends_on, b.hold_expires_at),
            None => (facts.starts_on, facts.ends_on, facts.hold_expires_at),
        };
        MailSubject {
            values: HashMap::from([
                ("resource", facts.resource_title.clone()),
                ("venue", facts.venue_name.clone()),
                ("commune", facts.commune_name.clone()),
                ("producer", facts.producer_name.clone()),
                ("starts_on", starts_on.to_string()),
                ("ends_on", ends_on.to_string()),
                ("previous_starts_on", payload.text("previous_starts_on")),
                ("previous_ends_on", payload.text("previous_ends_on")),
                ("copy", facts.asset_tag.clone()),
                (
                    "hold_until",
                    // Only requests have a hold, and only their templates show it.
                    hold_expires_at
                        .map(|t| t.date().to_string())
                        .unwrap_or_default(),
                ),
                (
                    "due_on",
                    crate::booking::service::return_due_on(ends_on, facts.return_days).to_string(),
                ),
                (
                    "reason",
                    facts
                        .flag_reason
                        .clone()
                        .unwrap_or_else(|| payload.text("reason")),
                ),
                (
                    "link",
                    links.page(&format!("bookings/{}", facts.booking_id)),
                ),
            ]),
            why: serde_json::from_value(payload.0["flag"].clone())
                .ok()
                .map(Why::Flag),
            note: payload.note(),
            system_note: serde_json::from_value(payload.0["system_note"].clone()).ok(),
            owner_id: facts.producer_id,
            venue_id: Some(facts.venue_id),
        }
    }))
}

/// A request of an allocation round: the round's decision for it.
fn allocation_subject(
    conn: &mut DbConnection,
    links: &Links,
    event: &EventRow,
    payload: &Payload,
) -> Result<Option<MailSubject>> {
    Ok({
        let then: Option<AllocationRequestSnapshot> = event
            .snapshot
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok());
        match (
            then,
            store::allocation_request_facts(conn, event.subject_id)?,
        ) {
            (Some(request), Some((venue_id, venue, resource))) => Some(MailSubject {
                values: HashMap::from([
                    ("resource", resource),
                    ("venue", venue),
                    ("starts_on", request.starts_on.to_string()),
                    ("ends_on", request.ends_on.to_string()),
                    ("round", request.round_id.to_string()),
                    ("reason", payload.text("reason")),
                    ("link", links.page("bookings")),
                ]),
                why: serde_json::from_value(payload.0["decision"].clone())
                    .ok()
                    .map(Why::Allocation),
                note: None,
                system_note: None,
                owner_id: venue_id,
                venue_id: Some(venue_id),
            }),
            _ => None,
        }
    })
}

/// A copy's maintenance, for its producer.
fn maintenance_subject(
    conn: &mut DbConnection,
    links: &Links,
    event: &EventRow,
) -> Result<Option<MailSubject>> {
    Ok({
        store::maintenance_facts(conn, event.subject_id)?.map(|facts| MailSubject {
            values: HashMap::from([
                ("resource", facts.resource_title),
                ("copy", facts.asset_tag),
                ("producer", facts.producer_name),
                ("starts_on", facts.starts_on.to_string()),
                (
                    "link",
                    links.to(&format!("copies/{}/maintenance", facts.copy_id)),
                ),
            ]),
            why: None,
            note: None,
            system_note: None,
            owner_id: facts.producer_id,
            venue_id: None,
        })
    })
}

/// A webhook given up on, for its organisation.
fn webhook_subject(
    conn: &mut DbConnection,
    links: &Links,
    event: &EventRow,
    payload: &Payload,
) -> Result<Option<MailSubject>> {
    Ok({
        store::webhook_facts(conn, event.subject_id)?.map(|(url, org_id, org_name)| MailSubject {
            values: HashMap::from([
                ("url", url),
                ("organization", org_name),
                ("since", payload.text("since")),
                ("error", payload.text("error")),
                (
                    "link",
                    links.to(&format!("webhooks/{}/deliveries", event.subject_id)),
                ),
            ]),
            why: None,
            note: None,
            system_note: None,
            owner_id: org_id,
            venue_id: None,
        })
    })
}

/// A subject's values with what depends on the reader's language: the reason (a flag's, an
/// allocation's) and the note line: the actor's words, else what the service noted, else empty.
fn in_language(subject: &MailSubject, locale: &str) -> HashMap<&'static str, String> {
    let mut values = subject.values.clone();
    if let Some(why) = &subject.why {
        values.insert("reason", why.render(locale));
    }
    let note_line = match (&subject.note, &subject.system_note) {
        (Some(note), _) if locale == "en" => format!("Their note: {note}"),
        (Some(note), _) => format!("Son message : {note}"),
        (None, Some(system)) if locale == "en" => format!("Note: {}", system.render(locale)),
        (None, Some(system)) => format!("Note : {}", system.render(locale)),
        (None, None) => String::new(),
    };
    values.insert("note_line", note_line);
    values
}

fn mail_event(
    conn: &mut DbConnection,
    links: &Links,
    event: &EventRow,
    now: NaiveDateTime,
) -> Result<usize> {
    let Some((kind, audience)) =
        MailKind::parse(&event.kind).and_then(|k| Some((k, audience(k.get())?)))
    else {
        return Ok(0);
    };
    let Some(subject) = mail_subject(conn, links, event)? else {
        return Ok(0);
    };
    let mut organizations = Vec::new();
    if matches!(
        audience,
        Audience::Producer | Audience::Both | Audience::Admins
    ) {
        organizations.push(subject.owner_id);
    }
    if matches!(audience, Audience::Venue | Audience::Both) {
        organizations.extend(subject.venue_id);
    }
    organizations.dedup();
    let mut stored = 0;
    for organization in organizations {
        for user in store::recipients(conn, organization)? {
            if audience == Audience::Admins && user.role != "admin" {
                continue;
            }
            // Turned off by the user (PATCH /api/v1/me).
            if MailKind::parse_list(&user.muted).contains(&kind) {
                continue;
            }
            let values = in_language(&subject, &user.locale);
            let Some(mail) = templates::render(kind.get(), &user.locale, &values) else {
                continue;
            };
            stored += store::insert_notification(
                conn,
                &NotificationInsert {
                    event_id: event.id,
                    kind: kind.get(),
                    recipient: &user.email,
                    user_id: Some(user.id),
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
    }
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_events_that_send_mail_are_those_with_an_audience() {
        for &kind in EventKind::ALL {
            assert_eq!(
                audience(kind).is_some(),
                MailKind::of(kind).is_some(),
                "{kind}"
            );
        }
    }
}

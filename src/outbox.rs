//! Domain events recorded in the database, in the same transaction as the change they describe,
//! for the notification sender to deliver later (an outbox: nothing is lost if a mail server is
//! down, and every instance can read it).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::schema::domain_events;

/// Records one event about a subject (e.g. `booking_flagged` about booking 12).
pub fn record(
    conn: &mut DbConnection,
    kind: &str,
    subject_type: &str,
    subject_id: i64,
    payload: &serde_json::Value,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    record_with_snapshot(conn, kind, subject_type, subject_id, payload, None, now)
}

/// Records one event with its subject as it is now (`snapshot`, JSON): fan-out sends that, not
/// the subject as it will be when the event is delivered.
pub fn record_with_snapshot(
    conn: &mut DbConnection,
    kind: &str,
    subject_type: &str,
    subject_id: i64,
    payload: &serde_json::Value,
    snapshot: Option<&serde_json::Value>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(domain_events::table)
        .values((
            domain_events::kind.eq(kind),
            domain_events::subject_type.eq(subject_type),
            domain_events::subject_id.eq(subject_id),
            domain_events::payload.eq(payload.to_string()),
            domain_events::snapshot.eq(snapshot.map(|s| s.to_string())),
            domain_events::created_at.eq(now),
        ))
        .execute(conn)
}

/// Whether an event of this kind was recorded about a subject (events announced once).
pub fn exists(
    conn: &mut DbConnection,
    subject_type: &str,
    subject_id: i64,
    kind: &str,
) -> QueryResult<bool> {
    let n: i64 = domain_events::table
        .filter(domain_events::subject_type.eq(subject_type))
        .filter(domain_events::subject_id.eq(subject_id))
        .filter(domain_events::kind.eq(kind))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Records an event about a subject unless one of this kind was recorded already (reminders,
/// announced once). Run it inside a write transaction, so that two instances record it once
/// between them. Returns whether this call recorded it.
pub fn record_once(
    conn: &mut DbConnection,
    kind: &str,
    subject_type: &str,
    subject_id: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    if exists(conn, subject_type, subject_id, kind)? {
        return Ok(false);
    }
    record(
        conn,
        kind,
        subject_type,
        subject_id,
        &serde_json::json!({}),
        now,
    )?;
    Ok(true)
}

/// Events of a kind about a subject, oldest first (for tests and audits).
pub fn about(
    conn: &mut DbConnection,
    subject_type: &str,
    subject_id: i64,
) -> QueryResult<Vec<(String, String)>> {
    domain_events::table
        .filter(domain_events::subject_type.eq(subject_type))
        .filter(domain_events::subject_id.eq(subject_id))
        .select((domain_events::kind, domain_events::payload))
        .order(domain_events::id.asc())
        .load(conn)
}

/// The events that send mail, by their event names (users may turn each off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum MailKind {
    /// A venue asked for one of the producer's resources (to the producer).
    #[serde(rename = "booking.requested")]
    BookingRequested,
    /// The producer approved the venue's request (to the venue).
    #[serde(rename = "booking.approved")]
    BookingApproved,
    /// The producer rejected it (to the venue).
    #[serde(rename = "booking.rejected")]
    BookingRejected,
    /// The resource left for the venue (to the venue).
    #[serde(rename = "booking.dispatched")]
    BookingDispatched,
    /// A request's hold lapses within a day and nobody answered (to the producer).
    #[serde(rename = "booking.hold_expiring")]
    BookingHoldExpiring,
    /// An approved loan starts within three days: send it (to the producer).
    #[serde(rename = "booking.delivery_due")]
    BookingDeliveryDue,
    /// A loan's last day is within two days: pack it (to the venue).
    #[serde(rename = "booking.return_due")]
    BookingReturnDue,
    /// A loan is not back by its last day plus return travel (to both sides).
    #[serde(rename = "booking.overdue")]
    BookingOverdue,
    /// The copy can no longer serve the booking (to both sides).
    #[serde(rename = "booking.flagged")]
    BookingFlagged,
    /// The dates of a request or an approved loan changed (to both sides).
    #[serde(rename = "booking.rescheduled")]
    BookingRescheduled,
    /// An allocation round was confirmed without serving a request, and why (to the venue).
    #[serde(rename = "allocation.refused")]
    AllocationRefused,
    /// A scheduled maintenance starts within three days (to the producer).
    #[serde(rename = "copy.maintenance_due")]
    CopyMaintenanceDue,
    /// A webhook failed for a day and was disabled (to its organisation's admins).
    #[serde(rename = "webhook.disabled")]
    WebhookDisabled,
}

impl MailKind {
    pub const ALL: &'static [MailKind] = &[
        MailKind::BookingRequested,
        MailKind::BookingApproved,
        MailKind::BookingRejected,
        MailKind::BookingDispatched,
        MailKind::BookingHoldExpiring,
        MailKind::BookingDeliveryDue,
        MailKind::BookingReturnDue,
        MailKind::BookingOverdue,
        MailKind::BookingFlagged,
        MailKind::BookingRescheduled,
        MailKind::AllocationRefused,
        MailKind::CopyMaintenanceDue,
        MailKind::WebhookDisabled,
    ];

    /// The event name, as stored in the outbox.
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::BookingRequested => "booking.requested",
            MailKind::BookingApproved => "booking.approved",
            MailKind::BookingRejected => "booking.rejected",
            MailKind::BookingDispatched => "booking.dispatched",
            MailKind::BookingHoldExpiring => "booking.hold_expiring",
            MailKind::BookingDeliveryDue => "booking.delivery_due",
            MailKind::BookingReturnDue => "booking.return_due",
            MailKind::BookingOverdue => "booking.overdue",
            MailKind::BookingFlagged => "booking.flagged",
            MailKind::BookingRescheduled => "booking.rescheduled",
            MailKind::AllocationRefused => "allocation.refused",
            MailKind::CopyMaintenanceDue => "copy.maintenance_due",
            MailKind::WebhookDisabled => "webhook.disabled",
        }
    }

    /// The kind of an event name, if it sends mail.
    pub fn of(event: &str) -> Option<MailKind> {
        MailKind::ALL.iter().copied().find(|k| k.as_str() == event)
    }

    /// Kinds from their stored comma-separated list (unknown names are skipped).
    pub fn parse_list(stored: &str) -> Vec<MailKind> {
        parse_names(stored, MailKind::of)
    }

    /// The stored form of a list.
    pub fn join(kinds: &[MailKind]) -> String {
        join_names(kinds.iter().map(|k| k.as_str()))
    }
}

/// Event names from a stored comma-separated list, through `of` (unknown names are skipped).
pub fn parse_names<T>(stored: &str, of: impl Fn(&str) -> Option<T>) -> Vec<T> {
    stored.split(',').filter_map(of).collect()
}

/// The stored, comma-separated form of event names.
pub fn join_names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::MailKind;

    #[test]
    fn mail_kinds_serialise_as_their_event_names() {
        for kind in MailKind::ALL {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.as_str())
            );
        }
        assert_eq!(
            MailKind::parse_list(&MailKind::join(MailKind::ALL)),
            MailKind::ALL
        );
        assert!(MailKind::parse_list("").is_empty());
    }
}

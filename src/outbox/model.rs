//! The event vocabulary: every kind of event the outbox records ([`EventKind`], its wire name
//! written once, in [`EventKind::as_str`]), what events are about ([`SubjectType`]), and the
//! subsets that mail ([`MailKind`]) and webhooks ([`WebhookEvent`], [`WebhookObject`]) announce,
//! published under their own names.

/// Declares the event kinds: each variant with its dotted wire name, written once. Not
/// `text_enum!`, whose serde and OpenAPI names are the variants in snake_case.
macro_rules! event_kinds {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            diesel::expression::AsExpression,
            diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every kind, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire name, stored and published: the one place each is written.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }
    };
}

event_kinds! {
    /// Every kind of event recorded in the outbox. Stored (`domain_events.kind`,
    /// `notifications.kind`, `webhook_deliveries.event_type`) and published (through
    /// [`MailKind`] and [`WebhookEvent`]) as its dotted name, e.g. `booking.approved`.
    pub enum EventKind {
        /// A user was invited to an organisation (a mail with a one-time link).
        AccountInvitation => "account.invitation",
        /// A user asked to reset a password (a mail with a one-time link).
        AccountPasswordReset => "account.password_reset",
        /// A venue asked for one of the producer's resources.
        BookingRequested => "booking.requested",
        /// The producer approved the venue's request.
        BookingApproved => "booking.approved",
        /// The producer rejected it.
        BookingRejected => "booking.rejected",
        /// The venue cancelled it.
        BookingCancelled => "booking.cancelled",
        /// The resource left for the venue (status `in_transit`).
        BookingDispatched => "booking.dispatched",
        /// The resource reached the venue.
        BookingDelivered => "booking.delivered",
        /// The resource came back.
        BookingReturned => "booking.returned",
        /// The loan is over, the copy checked.
        BookingClosed => "booking.closed",
        /// The request's hold lapsed unanswered.
        BookingExpired => "booking.expired",
        /// A request's hold lapses within a day and nobody answered (a reminder).
        BookingHoldExpiring => "booking.hold_expiring",
        /// An approved loan starts within three days: send it (a reminder).
        BookingDeliveryDue => "booking.delivery_due",
        /// A loan's last day is within two days: pack it (a reminder).
        BookingReturnDue => "booking.return_due",
        /// A loan is not back by its last day plus return travel.
        BookingOverdue => "booking.overdue",
        /// The copy can no longer serve the booking.
        BookingFlagged => "booking.flagged",
        /// The dates of a request or an approved loan changed.
        BookingRescheduled => "booking.rescheduled",
        /// An allocation round was confirmed without serving a request, and why.
        AllocationRefused => "allocation.refused",
        /// A copy went to maintenance.
        CopyMaintenance => "copy.maintenance",
        /// A scheduled maintenance starts within three days (a reminder, about the maintenance).
        CopyMaintenanceDue => "copy.maintenance_due",
        /// A copy was retired for good.
        CopyRetired => "copy.retired",
        /// An invoice or a credit note was issued.
        InvoiceIssued => "invoice.issued",
        /// A webhook failed for a day and was disabled.
        WebhookDisabled => "webhook.disabled",
    }
}

impl EventKind {
    /// The events that send mail users may turn off (`MailKind`), in the published order. Account
    /// mails are sent to one address and never muted: they are not among them.
    pub const MAILED: &'static [EventKind] = &[
        EventKind::BookingRequested,
        EventKind::BookingApproved,
        EventKind::BookingRejected,
        EventKind::BookingDispatched,
        EventKind::BookingHoldExpiring,
        EventKind::BookingDeliveryDue,
        EventKind::BookingReturnDue,
        EventKind::BookingOverdue,
        EventKind::BookingFlagged,
        EventKind::BookingRescheduled,
        EventKind::AllocationRefused,
        EventKind::CopyMaintenanceDue,
        EventKind::WebhookDisabled,
    ];

    /// The events webhooks may subscribe to (`WebhookEvent`), in the published order.
    pub const WEBHOOKS: &'static [EventKind] = &[
        EventKind::BookingRequested,
        EventKind::BookingApproved,
        EventKind::BookingRejected,
        EventKind::BookingCancelled,
        EventKind::BookingDispatched,
        EventKind::BookingDelivered,
        EventKind::BookingReturned,
        EventKind::BookingClosed,
        EventKind::BookingExpired,
        EventKind::BookingFlagged,
        EventKind::BookingOverdue,
        EventKind::BookingRescheduled,
        EventKind::AllocationRefused,
        EventKind::CopyMaintenance,
        EventKind::CopyRetired,
        EventKind::InvoiceIssued,
    ];
}

impl std::str::FromStr for EventKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        EventKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown event kind {s:?}"))
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::stored_text!(EventKind);

crate::stored_enum! {
    /// What an event is about: its subject's table, with `subject_id` the row.
    pub enum SubjectType {
        Booking => "booking",
        Copy => "copy",
        Invoice => "invoice",
        AllocationRequest => "allocation_request",
        /// A maintenance record (its reminder).
        Maintenance => "maintenance",
        Webhook => "webhook",
        /// An invitation to an organisation (its mail).
        Invitation => "invitation",
        /// A request to reset a password (its mail).
        PasswordReset => "password_reset",
    }
}

impl SubjectType {
    /// The subjects webhook payloads carry (`WebhookObject`), in the published order.
    pub const WEBHOOK_OBJECTS: &'static [SubjectType] = &[
        SubjectType::Booking,
        SubjectType::Copy,
        SubjectType::Invoice,
        SubjectType::AllocationRequest,
    ];
}

crate::vocabulary_subset! {
    /// The events that send mail, by their event names (users may turn each off).
    pub struct MailKind(EventKind) = EventKind::MAILED;
}

crate::vocabulary_subset! {
    /// The events a webhook may subscribe to (docs/api.md), by their event names.
    pub struct WebhookEvent(EventKind) = EventKind::WEBHOOKS;
}

crate::vocabulary_subset! {
    /// What an event is about.
    pub struct WebhookObject(SubjectType) = SubjectType::WEBHOOK_OBJECTS;
}

impl MailKind {
    /// Kinds from their stored comma-separated list (unknown names are skipped).
    pub fn parse_list(stored: &str) -> Vec<MailKind> {
        parse_names(stored, MailKind::parse)
    }

    /// The stored form of a list.
    pub fn join(kinds: &[MailKind]) -> String {
        join_names(kinds.iter().map(|k| k.as_str()))
    }
}

impl WebhookEvent {
    /// Events from their stored comma-separated list (unknown names are skipped).
    pub fn parse_list(stored: &str) -> Vec<WebhookEvent> {
        parse_names(stored, WebhookEvent::parse)
    }

    /// The stored form of a list.
    pub fn join(events: &[WebhookEvent]) -> String {
        join_names(events.iter().map(|e| e.as_str()))
    }
}

/// Names from a stored comma-separated list, through `of` (unknown names are skipped).
pub fn parse_names<T>(stored: &str, of: impl Fn(&str) -> Option<T>) -> Vec<T> {
    stored.split(',').filter_map(of).collect()
}

/// The stored, comma-separated form of names.
pub fn join_names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_kind_round_trips_through_its_wire_name() {
        let mut seen = std::collections::HashSet::new();
        for &kind in EventKind::ALL {
            assert!(seen.insert(kind.as_str()), "{kind:?}: name used twice");
            assert_eq!(kind.as_str().parse::<EventKind>(), Ok(kind));
            assert_eq!(kind.to_string(), kind.as_str());
        }
        assert!("booking.unknown".parse::<EventKind>().is_err());
        for &subject in SubjectType::ALL {
            assert_eq!(subject.as_str().parse::<SubjectType>(), Ok(subject));
        }
    }

    /// The subsets as they were published before they were derived from `EventKind`: removing
    /// an event from one (or adding one) changes what users may mute or partners may subscribe
    /// to, and must be a decision, not an accident.
    #[test]
    fn mail_and_webhooks_announce_what_they_always_did() {
        let names = |all: &[&'static str]| all.to_vec();
        assert_eq!(
            MailKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            names(&[
                "booking.requested",
                "booking.approved",
                "booking.rejected",
                "booking.dispatched",
                "booking.hold_expiring",
                "booking.delivery_due",
                "booking.return_due",
                "booking.overdue",
                "booking.flagged",
                "booking.rescheduled",
                "allocation.refused",
                "copy.maintenance_due",
                "webhook.disabled",
            ])
        );
        assert_eq!(
            WebhookEvent::ALL
                .iter()
                .map(|e| e.as_str())
                .collect::<Vec<_>>(),
            names(&[
                "booking.requested",
                "booking.approved",
                "booking.rejected",
                "booking.cancelled",
                "booking.dispatched",
                "booking.delivered",
                "booking.returned",
                "booking.closed",
                "booking.expired",
                "booking.flagged",
                "booking.overdue",
                "booking.rescheduled",
                "allocation.refused",
                "copy.maintenance",
                "copy.retired",
                "invoice.issued",
            ])
        );
        assert_eq!(
            WebhookObject::ALL
                .iter()
                .map(|o| o.as_str())
                .collect::<Vec<_>>(),
            names(&["booking", "copy", "invoice", "allocation_request"])
        );
    }

    #[test]
    fn subsets_serialise_as_wire_names_and_refuse_the_others() {
        for kind in MailKind::ALL {
            let wire = serde_json::to_value(kind).unwrap();
            assert_eq!(wire, serde_json::json!(kind.as_str()));
            assert_eq!(serde_json::from_value::<MailKind>(wire).unwrap(), *kind);
        }
        for event in WebhookEvent::ALL {
            let wire = serde_json::to_value(event).unwrap();
            assert_eq!(
                serde_json::from_value::<WebhookEvent>(wire).unwrap(),
                *event
            );
        }
        // An event of the vocabulary that the subset does not announce is refused.
        assert!(serde_json::from_value::<MailKind>(serde_json::json!("booking.closed")).is_err());
        assert!(
            serde_json::from_value::<WebhookEvent>(serde_json::json!("webhook.disabled")).is_err()
        );
        assert!(serde_json::from_value::<WebhookObject>(serde_json::json!("webhook")).is_err());
        assert_eq!(
            MailKind::parse_list(&MailKind::join(MailKind::ALL)),
            MailKind::ALL
        );
        assert_eq!(
            WebhookEvent::parse_list(&WebhookEvent::join(WebhookEvent::ALL)),
            WebhookEvent::ALL
        );
        assert!(MailKind::parse_list("").is_empty());
    }
}

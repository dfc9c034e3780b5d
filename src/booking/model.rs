//! Booking vocabularies, the workflow's transition table, and the shapes the API shows.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::policy::Side;

crate::stored_enum! {
    /// Where a booking stands in its life.
    pub enum BookingStatus {
        /// Asked by a venue; the copy is held until approval, rejection, cancellation or expiry.
        Requested => "requested",
        Approved => "approved",
        Rejected => "rejected",
        Cancelled => "cancelled",
        /// On its way to the venue.
        InTransit => "in_transit",
        /// At the venue.
        Delivered => "delivered",
        /// Back at the producer, to be checked.
        Returned => "returned",
        /// Done.
        Closed => "closed",
        /// The request was not approved in time.
        Expired => "expired",
    }
}

impl BookingStatus {
    /// Bookings that occupy their copy (the no-overlap rule applies to them).
    pub const ACTIVE: &'static [BookingStatus] = &[
        BookingStatus::Requested,
        BookingStatus::Approved,
        BookingStatus::InTransit,
        BookingStatus::Delivered,
        BookingStatus::Returned,
    ];

    /// Bookings that move their copy, or will: every status but those that never left the depot
    /// (rejected, cancelled, expired). Calendars show them; transport plans them.
    pub const MOVING: &'static [BookingStatus] = &[
        BookingStatus::Requested,
        BookingStatus::Approved,
        BookingStatus::InTransit,
        BookingStatus::Delivered,
        BookingStatus::Returned,
        BookingStatus::Closed,
    ];

    /// The name of the event announcing that a booking reached this status (docs/api.md's webhook
    /// events): `booking.requested`, …, `booking.dispatched` for `in_transit`.
    pub fn event_kind(self) -> crate::outbox::EventKind {
        use crate::outbox::EventKind as K;
        match self {
            BookingStatus::Requested => K::BookingRequested,
            BookingStatus::Approved => K::BookingApproved,
            BookingStatus::Rejected => K::BookingRejected,
            BookingStatus::Cancelled => K::BookingCancelled,
            BookingStatus::InTransit => K::BookingDispatched,
            BookingStatus::Delivered => K::BookingDelivered,
            BookingStatus::Returned => K::BookingReturned,
            BookingStatus::Closed => K::BookingClosed,
            BookingStatus::Expired => K::BookingExpired,
        }
    }

    /// Loans that reached their venue (they count for wear).
    pub const LOANS: &'static [BookingStatus] = &[
        BookingStatus::Delivered,
        BookingStatus::Returned,
        BookingStatus::Closed,
    ];

    /// Bookings not yet on their way: their dates may change, and a copy taken out of service
    /// flags them.
    pub const UPCOMING: &'static [BookingStatus] =
        &[BookingStatus::Requested, BookingStatus::Approved];

    /// Whether the booking still occupies its copy.
    pub fn is_active(self) -> bool {
        Self::ACTIVE.contains(&self)
    }

    /// Whether its dates may still change.
    pub fn dates_can_change(self) -> bool {
        Self::UPCOMING.contains(&self)
    }
}

crate::stored_enum! {
    /// A workflow action, `POST /api/v1/bookings/{id}/{action}`.
    pub enum BookingAction {
        Approve => "approve",
        Reject => "reject",
        Cancel => "cancel",
        Dispatch => "dispatch",
        Deliver => "deliver",
        Return => "return",
        Close => "close",
    }
}

impl BookingAction {
    /// The actions that hand the copy over (they count as handlings for wear).
    pub const HANDOVERS: &'static [BookingAction] = &[
        BookingAction::Dispatch,
        BookingAction::Deliver,
        BookingAction::Return,
    ];

    /// The status an action leads to from `from`, or `None` when it is not allowed then.
    pub fn transition(self, from: BookingStatus) -> Option<BookingStatus> {
        use BookingAction as A;
        use BookingStatus as S;
        match (self, from) {
            (A::Approve, S::Requested) => Some(S::Approved),
            (A::Reject, S::Requested) => Some(S::Rejected),
            (A::Cancel, S::Requested | S::Approved) => Some(S::Cancelled),
            (A::Dispatch, S::Approved) => Some(S::InTransit),
            (A::Deliver, S::InTransit) => Some(S::Delivered),
            (A::Return, S::Delivered) => Some(S::Returned),
            (A::Close, S::Returned) => Some(S::Closed),
            _ => None,
        }
    }

    /// Who takes the action (the agency may take any).
    pub fn side(self) -> Side {
        match self {
            BookingAction::Cancel => Side::Venue,
            _ => Side::Producer,
        }
    }
}

impl BookingStatus {
    /// The status in a reader's words (`en`, else French): calendars, mail.
    pub fn words(self, locale: &str) -> &'static str {
        use BookingStatus as S;
        let en = locale == "en";
        match (self, en) {
            (S::Requested, false) => "demandé",
            (S::Approved, false) => "accepté",
            (S::Rejected, false) => "refusé",
            (S::Cancelled, false) => "annulé",
            (S::InTransit, false) => "en route",
            (S::Delivered, false) => "livré",
            (S::Returned, false) => "rendu",
            (S::Closed, false) => "terminé",
            (S::Expired, false) => "expiré",
            (S::Requested, true) => "requested",
            (S::Approved, true) => "approved",
            (S::Rejected, true) => "rejected",
            (S::Cancelled, true) => "cancelled",
            (S::InTransit, true) => "in transit",
            (S::Delivered, true) => "delivered",
            (S::Returned, true) => "returned",
            (S::Closed, true) => "closed",
            (S::Expired, true) => "expired",
        }
    }
}

/// Why a booking's copy can no longer serve it. Kept in English words on the booking
/// (`flag_reason`), sent whole with `booking.flagged` (`details.flag`) and put in each reader's
/// language in mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum FlagReason {
    /// A condition report found the copy unfit (grade, missing or damaged units).
    ConditionReport {
        report_id: i64,
        /// `dispatch`, `delivery`, `return` or `inspection`.
        stage: String,
        grade: i32,
        missing_units: i32,
        damaged_units: i32,
    },
    /// The producer took the copy out of service by hand.
    TakenOutOfService,
    /// The copy was retired, with the producer's words.
    Retired { reason: String },
}

impl FlagReason {
    /// The reason in a language (`en`, else French).
    pub fn render(&self, locale: &str) -> String {
        let en = locale == "en";
        match self {
            FlagReason::ConditionReport {
                report_id,
                stage,
                grade,
                missing_units,
                damaged_units,
            } => {
                if en {
                    format!(
                        "condition report {report_id} at {stage}: grade {grade}, \
                         {missing_units} missing and {damaged_units} damaged unit(s)"
                    )
                } else {
                    let stage = match stage.as_str() {
                        "dispatch" => "au départ",
                        "delivery" => "à la livraison",
                        "return" => "au retour",
                        "inspection" => "à l'inspection",
                        other => other,
                    };
                    let plural = |n: i32| if n > 1 { "s" } else { "" };
                    format!(
                        "constat d'état n° {report_id} {stage} : note {grade}, \
                         {missing_units} pièce{} manquante{} et {damaged_units} pièce{} \
                         endommagée{}",
                        plural(*missing_units),
                        plural(*missing_units),
                        plural(*damaged_units),
                        plural(*damaged_units)
                    )
                }
            }
            FlagReason::TakenOutOfService => if en {
                "taken out of service by hand"
            } else {
                "exemplaire mis hors service par son producteur"
            }
            .to_string(),
            FlagReason::Retired { reason } => {
                if en {
                    format!("copy retired: {reason}")
                } else {
                    format!("exemplaire retiré du service : {reason}")
                }
            }
        }
    }
}

/// What the service writes by itself in a booking's history (a promotion from the waitlist, new
/// dates, a lapsed hold, a loan not returned, an allocation round), kept as a code with its
/// facts (`booking_events.system_note`) and put in the reader's words when read: French pages
/// and mail never show English sentences, and partners get the code (`system_note`) with the
/// English words they always had (`note`). Like [`FlagReason`], one `render` per language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum SystemNote {
    /// Made by promoting a waitlist entry when a copy freed up.
    FromWaitlist { waitlist_entry_id: i64 },
    /// The dates of use changed.
    DatesChanged {
        previous_starts_on: NaiveDate,
        previous_ends_on: NaiveDate,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
    },
    /// The request was not answered before its hold lapsed.
    HoldLapsed,
    /// The loan was not back by its last day plus return travel.
    NotReturned { due_on: NaiveDate },
    /// Booked and approved by the confirmation of an allocation round.
    AllocationRound {
        round_id: i64,
        /// `equity` or `first_come`.
        policy: String,
    },
}

impl SystemNote {
    /// The note in a language (`en`, else French).
    pub fn render(&self, locale: &str) -> String {
        let en = locale == "en";
        match self {
            SystemNote::FromWaitlist { waitlist_entry_id } => {
                if en {
                    format!("from waitlist entry {waitlist_entry_id}")
                } else {
                    format!("depuis l'inscription n° {waitlist_entry_id} en liste d'attente")
                }
            }
            SystemNote::DatesChanged {
                previous_starts_on,
                previous_ends_on,
                starts_on,
                ends_on,
            } => {
                if en {
                    format!("dates {previous_starts_on}–{previous_ends_on} → {starts_on}–{ends_on}")
                } else {
                    format!(
                        "dates du {previous_starts_on} au {previous_ends_on} → du {starts_on} au \
                         {ends_on}"
                    )
                }
            }
            SystemNote::HoldLapsed => if en {
                "not approved before the hold lapsed"
            } else {
                "pas de réponse du producteur avant la fin de la réservation provisoire"
            }
            .to_string(),
            SystemNote::NotReturned { due_on } => {
                if en {
                    format!("not returned by {due_on}")
                } else {
                    format!("non rendu au {due_on}")
                }
            }
            SystemNote::AllocationRound { round_id, policy } => {
                if en {
                    format!("allocation round {round_id} ({policy})")
                } else {
                    let policy = match policy.as_str() {
                        "equity" => "équité territoriale",
                        "first_come" => "premier arrivé, premier servi",
                        other => other,
                    };
                    format!("attribué par la campagne d'attribution n° {round_id} ({policy})")
                }
            }
        }
    }

    /// The line of history partners always read (`note`): these words in English, then what the
    /// actor wrote, if anything.
    pub fn history_line(
        system: Option<&SystemNote>,
        said: Option<&str>,
        locale: &str,
    ) -> Option<String> {
        match (
            system.map(|n| n.render(locale)),
            said.filter(|s| !s.is_empty()),
        ) {
            (Some(n), Some(s)) => Some(format!("{n} — {s}")),
            (Some(n), None) => Some(n),
            (None, Some(s)) => Some(s.to_string()),
            (None, None) => None,
        }
    }
}

/// A booking as an event saw it, in a webhook payload and behind its mail: stored with the event
/// when it is recorded, so that a later change never rewrites what the event says (read the
/// booking as it is now with `GET /api/v1/bookings/{id}`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BookingSnapshot {
    pub id: i64,
    pub status: BookingStatus,
    pub resource_id: i64,
    pub copy_id: i64,
    pub producer_id: i64,
    pub venue_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Until when a request holds the copy (requests only).
    #[serde(default, with = "crate::timestamp::utc_option")]
    pub hold_expires_at: Option<NaiveDateTime>,
}

/// A booking of a resource by a venue, on one copy.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Booking {
    pub id: i64,
    pub resource_id: i64,
    pub copy_id: i64,
    pub venue_id: i64,
    /// First day of use at the venue.
    pub starts_on: NaiveDate,
    /// Last day of use at the venue (inclusive).
    pub ends_on: NaiveDate,
    /// First day the copy is taken by this booking (travel and set-up before the use).
    pub occupied_from: NaiveDate,
    /// Last day the copy is taken (take-down, travel back and turnaround after the use).
    pub occupied_to: NaiveDate,
    /// The day the copy reaches the venue: a day the venue and the depot are open (opening
    /// hours, exceptions, school holidays), with the set-up days on open days between it and
    /// `starts_on`; it may be `starts_on` itself when the day before is closed.
    pub delivery_on: NaiveDate,
    /// The day the copy leaves the venue: a day the venue and the depot are open, after the
    /// take-down days (on open days); it may be `ends_on` itself when the day after is closed.
    pub pickup_on: NaiveDate,
    /// Days of travel to the venue included in the occupied period.
    pub outbound_days: i32,
    /// Days of travel back included in the occupied period.
    pub return_days: i32,
    /// Estimated road distance between the copy's depot and the venue, in km.
    pub distance_km: f64,
    pub status: BookingStatus,
    /// While `requested`: when the hold lapses (UTC).
    #[serde(with = "crate::timestamp::utc_option")]
    pub hold_expires_at: Option<NaiveDateTime>,
    /// Set when the booking was made by promoting a waitlist entry.
    pub waitlist_entry_id: Option<i64>,
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::timestamp::utc")]
    pub updated_at: NaiveDateTime,
    /// Set (UTC) when the assigned copy can no longer serve the booking (damage, maintenance,
    /// retirement): move it to new dates or another copy with `PATCH`.
    #[serde(with = "crate::timestamp::utc_option")]
    pub flagged_at: Option<NaiveDateTime>,
    /// Why, in English words.
    pub flag_reason: Option<String>,
    /// The same as a code with its facts, for any language (absent on flags older than the
    /// codes).
    pub flag: Option<FlagReason>,
    /// Set (UTC) when the loan was found not returned after its last day plus return travel
    /// (`booking.overdue`, announced once); stays as a record once it is back.
    #[serde(with = "crate::timestamp::utc_option")]
    pub overdue_at: Option<NaiveDateTime>,
}

/// Body of `POST /api/v1/bookings`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBooking {
    pub resource_id: i64,
    /// The borrowing venue: the caller's own venue (the agency may book for any venue).
    pub venue_id: i64,
    /// First day of use (YYYY-MM-DD), not in the past.
    pub starts_on: NaiveDate,
    /// Last day of use (inclusive).
    pub ends_on: NaiveDate,
    /// A particular copy; by default the nearest free one is assigned.
    pub copy_id: Option<i64>,
}

/// Body of `PATCH /api/v1/bookings/{id}`: new dates, re-checked like a new booking.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingDates {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Why the dates change (at most 2,000 characters): kept in the booking's history and sent
    /// to both sides with `booking.rescheduled` (mail and webhook).
    #[serde(default)]
    pub note: Option<String>,
}

/// Optional body of a workflow action.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionNote {
    /// Recorded in the booking's history.
    pub note: Option<String>,
}

/// Why a producer lifts a booking's flag (`POST /api/v1/bookings/{id}/clear-flag`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClearFlag {
    /// Why the copy may serve this booking after all (1 to 1,000 characters); kept in the
    /// booking's history and the audit log.
    pub reason: String,
}

/// One recorded transition.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BookingEvent {
    pub id: i64,
    pub booking_id: i64,
    /// `request`, an action name, `change_dates`, `expire` or `promote`.
    pub action: String,
    pub from_status: Option<BookingStatus>,
    pub to_status: BookingStatus,
    /// Organisation of whoever acted; absent for the system (expiry).
    pub actor_organization_id: Option<i64>,
    pub actor_user_id: Option<i64>,
    pub actor_api_key_id: Option<i64>,
    /// The history line in English words: what the service noted (`system_note`) and what the
    /// actor wrote, joined by " — ".
    pub note: Option<String>,
    /// What the service noted by itself, as a code with its facts (absent when only the actor
    /// wrote, and on lines older than the codes).
    pub system_note: Option<SystemNote>,
    /// UTC.
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
}

/// A free period of use nearby, offered when the requested one is taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Alternative {
    pub copy_id: i64,
    /// Dates of use of the same length as requested.
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Body of a 409 problem on a booking: with `booking_conflict`, the nearest free periods come in
/// `alternatives`; other conflicts (`invalid_transition`, …) carry none.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BookingConflict {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: crate::error::Code,
    /// With `booking_conflict`: the nearest free periods of the same length, nearest first (at
    /// most 5).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<Alternative>,
}

/// A free period of a copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FreePeriod {
    pub from: NaiveDate,
    /// Inclusive.
    pub to: NaiveDate,
}

/// Free periods of one copy over the requested range.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CopyAvailability {
    pub copy_id: i64,
    pub asset_tag: String,
    pub status: crate::catalogue::CopyStatus,
    /// Days on which the copy is not occupied (by a booking's occupied period or maintenance).
    /// Empty for retired copies and copies in maintenance.
    pub free: Vec<FreePeriod>,
}

/// Availability of a resource's copies.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Availability {
    pub resource_id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub copies: Vec<CopyAvailability>,
}

impl Availability {
    /// The earliest free period of a whole week or more, of any copy, as (first, last day): what
    /// a list of resources offers as "free from": a loan lasts at least a week in practice.
    pub fn first_free_week(&self) -> Option<(NaiveDate, NaiveDate)> {
        self.copies
            .iter()
            .flat_map(|c| c.free.iter())
            .filter(|f| (f.to - f.from).num_days() >= 6)
            .map(|f| (f.from, f.to))
            .min()
    }
}

crate::stored_enum! {
    /// State of a waitlist entry.
    pub enum WaitlistStatus {
        Waiting => "waiting",
        /// A booking was made for it when a copy freed up.
        Fulfilled => "fulfilled",
        Cancelled => "cancelled",
    }
}

/// A venue waiting for a resource over a period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WaitlistEntry {
    pub id: i64,
    pub resource_id: i64,
    pub venue_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: WaitlistStatus,
    /// The booking made when it was promoted.
    pub booking_id: Option<i64>,
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
}

/// Body of `POST /api/v1/waitlist`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWaitlistEntry {
    pub resource_id: i64,
    pub venue_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Bookings as CSV (RFC 4180, one line each: `GET /api/v1/bookings` with `Accept: text/csv`),
/// for the agency's and producers' spreadsheets.
pub fn csv(bookings: &[Booking]) -> String {
    let time = |t: NaiveDateTime| {
        t.and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let rows: Vec<Vec<String>> = bookings
        .iter()
        .map(|b| {
            vec![
                b.id.to_string(),
                b.resource_id.to_string(),
                b.copy_id.to_string(),
                b.venue_id.to_string(),
                b.status.as_str().to_string(),
                b.starts_on.to_string(),
                b.ends_on.to_string(),
                b.delivery_on.to_string(),
                b.pickup_on.to_string(),
                b.distance_km.to_string(),
                time(b.created_at),
                b.flagged_at.map(time).unwrap_or_default(),
            ]
        })
        .collect();
    crate::text::csv(
        &[
            "id",
            "resource_id",
            "copy_id",
            "venue_id",
            "status",
            "starts_on",
            "ends_on",
            "delivery_on",
            "pickup_on",
            "distance_km",
            "created_at",
            "flagged_at",
        ],
        &rows,
    )
}

/// The network's loans at a glance, for the agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkLoans {
    /// Requests waiting for their producer's answer.
    pub waiting: i64,
    /// When the oldest of them was made.
    pub oldest_waiting_since: Option<NaiveDateTime>,
    /// Loans on their way to the venue.
    pub on_the_road: i64,
    /// Loans marked overdue and not back yet.
    pub overdue: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transition_table() {
        use BookingAction as A;
        use BookingStatus as S;
        let allowed = [
            (A::Approve, S::Requested, S::Approved),
            (A::Reject, S::Requested, S::Rejected),
            (A::Cancel, S::Requested, S::Cancelled),
            (A::Cancel, S::Approved, S::Cancelled),
            (A::Dispatch, S::Approved, S::InTransit),
            (A::Deliver, S::InTransit, S::Delivered),
            (A::Return, S::Delivered, S::Returned),
            (A::Close, S::Returned, S::Closed),
        ];
        for action in BookingAction::ALL {
            for from in BookingStatus::ALL {
                let expected = allowed
                    .iter()
                    .find(|(a, f, _)| a == action && f == from)
                    .map(|(_, _, to)| *to);
                assert_eq!(action.transition(*from), expected, "{action} from {from}");
            }
        }
    }
}

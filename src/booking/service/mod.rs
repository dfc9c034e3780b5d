//! Booking rules: placing a request on the nearest free copy, the approval workflow, date changes,
//! hold expiry, the waitlist and availability. Never a double booking: every placement checks the
//! copy's occupations inside a write transaction, and PostgreSQL's exclusion constraint refuses
//! an overlap that a concurrent request would slip in.
//!
//! One file per concern (placing a request, reading, the workflow, the waitlist, the jobs,
//! availability); this one keeps the settings and the rows' conversions, and every public item
//! is here, as `booking::service::…`.

mod availability;
mod jobs;
mod reads;
mod request;
mod transitions;
mod waitlist;
pub use availability::*;
pub use jobs::*;
pub use reads::*;
pub use request::*;
pub use transitions::*;
pub use waitlist::*;

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::model::{
    Alternative, Availability, Booking, BookingAction, BookingDates, BookingEvent, BookingStatus,
    CopyAvailability, NetworkLoans, NewBooking, NewWaitlistEntry, SystemNote, WaitlistEntry,
    WaitlistStatus,
};
use super::period::{self, ClosedDays, LoanDays, Needs, Widening};
use super::store::{
    self, BookingFilter, BookingInsert, BookingRow, EventInsert, OccupationInsert, Placement,
    Scope, WaitlistRow,
};
use crate::access::{policy, Principal};
use crate::catalogue::store::{self as catalogue, ResourceRow};
use crate::catalogue::CopyStatus;
use crate::config::Config;
use crate::db::{write_transaction, DbConnection};
use crate::error::{Error, Result, Validator};
use crate::organization::model::stored;
use crate::organization::{hours, store as orgs, OrgKind};
use crate::outbox::{EventKind, SubjectType};
use crate::territory::geo::road_estimate_km;
use crate::territory::geo::LatLon;

/// How far around the wanted dates alternatives are looked for, in days.
const ALTERNATIVE_WINDOW_DAYS: i64 = 180;
/// Alternatives offered at most.
const MAX_ALTERNATIVES: usize = 5;
/// Longest availability range, in days.
const MAX_AVAILABILITY_DAYS: i64 = 3 * 366;

/// The booking parameters of the configuration, and the rule other domains run on each transition.
#[derive(Clone)]
pub struct Settings {
    pub hold_days: i64,
    pub max_days: i64,
    pub horizon_days: i64,
    pub km_per_day: f64,
    pub handling_days: i64,
    pub detour: f64,
    pub chain_gap_days: i64,
    /// Bookings a venue may hold in `requested` at once.
    pub max_open_requests: i64,
    /// Run in the transaction of every transition (billing's quote freeze and subsidy).
    pub hook: super::hooks::SharedHook,
}

impl Settings {
    /// Reads them from the configuration; `hook` is what the application wires (billing).
    pub fn new(c: &Config, hook: super::hooks::SharedHook) -> Settings {
        Settings {
            hold_days: c.booking_hold_days,
            max_days: c.booking_max_days,
            horizon_days: c.booking_horizon_days,
            km_per_day: c.transport_km_per_day,
            handling_days: c.transport_handling_days,
            detour: c.road_detour_factor,
            chain_gap_days: c.chain_max_gap_days,
            max_open_requests: c.max_open_requests_per_venue,
            hook,
        }
    }
}

impl TryFrom<BookingRow> for Booking {
    type Error = Error;
    fn try_from(row: BookingRow) -> Result<Booking> {
        Ok(Booking {
            id: row.id,
            resource_id: row.resource_id,
            copy_id: row.copy_id,
            venue_id: row.venue_id,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            occupied_from: row.occupied_from,
            occupied_to: row.occupied_to,
            delivery_on: row.delivery_on,
            pickup_on: row.pickup_on,
            outbound_days: row.outbound_days,
            return_days: row.return_days,
            distance_km: (row.distance_km * 10.0).round() / 10.0,
            status: row.status,
            hold_expires_at: row.hold_expires_at,
            waitlist_entry_id: row.waitlist_entry_id,
            created_at: row.created_at,
            updated_at: row.updated_at,
            flagged_at: row.flagged_at,
            flag_reason: row.flag_reason,
            // A code written by a newer version reads as none (the English words stay).
            flag: row
                .flag_code
                .as_deref()
                .and_then(|c| serde_json::from_str(c).ok()),
            overdue_at: row.overdue_at,
        })
    }
}

impl TryFrom<WaitlistRow> for WaitlistEntry {
    type Error = Error;
    fn try_from(row: WaitlistRow) -> Result<WaitlistEntry> {
        Ok(WaitlistEntry {
            id: row.id,
            resource_id: row.resource_id,
            venue_id: row.venue_id,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            status: row.status,
            booking_id: row.booking_id,
            created_at: row.created_at,
        })
    }
}

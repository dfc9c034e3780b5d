//! Data access for bookings, history and the waitlist. A copy's occupations are the catalogue's
//! (search reads them): booking writes and reads them through `catalogue::store::occupancy`,
//! re-exported here for its callers.

mod feeds;
mod stays;
pub use feeds::{feed_rows, FeedRow};
pub use stays::{all_stays_of, stay_columns, stays_of, StaySelection};

pub use crate::catalogue::store::occupancy::{
    busy_periods, busy_periods_of, end_maintenance_occupation, insert_occupation, occupiers,
    release_booking_occupation, write_if_free, OccupationInsert,
};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{BookingStatus, WaitlistStatus};
use crate::db::{DbBackend, DbConnection};
use crate::schema::{
    booking_events, bookings, maintenance_records, occupations, resources, waitlist_entries,
};

/// A booking row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = bookings)]
pub struct BookingRow {
    pub id: i64,
    pub resource_id: i64,
    pub copy_id: i64,
    pub venue_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub occupied_from: NaiveDate,
    pub occupied_to: NaiveDate,
    pub outbound_days: i32,
    pub return_days: i32,
    pub distance_km: f64,
    pub status: BookingStatus,
    pub hold_expires_at: Option<NaiveDateTime>,
    pub requested_by: Option<i64>,
    pub waitlist_entry_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Set when the copy can no longer serve the booking (damage, maintenance, retirement).
    pub flagged_at: Option<NaiveDateTime>,
    pub flag_reason: Option<String>,
    /// Set once when the loan is not back by its last day plus return travel.
    pub overdue_at: Option<NaiveDateTime>,
    /// The day the copy reaches the venue (an open day of the venue and the depot).
    pub delivery_on: NaiveDate,
    /// The day the copy leaves the venue (an open day of the venue and the depot).
    pub pickup_on: NaiveDate,
    /// JSON of the `FlagReason` behind `flag_reason`.
    pub flag_code: Option<String>,
}

/// Values of a new booking.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = bookings)]
pub struct BookingInsert {
    pub resource_id: i64,
    pub copy_id: i64,
    pub venue_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub occupied_from: NaiveDate,
    pub occupied_to: NaiveDate,
    pub outbound_days: i32,
    pub return_days: i32,
    pub distance_km: f64,
    pub status: BookingStatus,
    pub hold_expires_at: Option<NaiveDateTime>,
    pub requested_by: Option<i64>,
    pub waitlist_entry_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub delivery_on: NaiveDate,
    pub pickup_on: NaiveDate,
}

/// New placement of an existing booking (date change).
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = bookings)]
pub struct Placement {
    pub copy_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub occupied_from: NaiveDate,
    pub occupied_to: NaiveDate,
    pub outbound_days: i32,
    pub return_days: i32,
    pub distance_km: f64,
    pub updated_at: NaiveDateTime,
    /// Cleared when the booking moves (it is re-checked like a new booking).
    pub flagged_at: Option<Option<NaiveDateTime>>,
    pub flag_reason: Option<Option<String>>,
    pub delivery_on: NaiveDate,
    pub pickup_on: NaiveDate,
    pub flag_code: Option<Option<String>>,
}

/// A history row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = booking_events)]
pub struct EventRow {
    pub id: i64,
    pub booking_id: i64,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor_organization_id: Option<i64>,
    pub actor_user_id: Option<i64>,
    pub actor_api_key_id: Option<i64>,
    pub note: Option<String>,
    pub created_at: NaiveDateTime,
    /// JSON of a `SystemNote`.
    pub system_note: Option<String>,
}

/// Values of a history row.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = booking_events)]
pub struct EventInsert<'a> {
    pub booking_id: i64,
    pub action: &'a str,
    pub from_status: Option<&'a str>,
    pub to_status: &'a str,
    pub actor_organization_id: Option<i64>,
    pub actor_user_id: Option<i64>,
    pub actor_api_key_id: Option<i64>,
    /// What the actor wrote.
    pub note: Option<&'a str>,
    pub created_at: NaiveDateTime,
    /// What the service noted by itself (JSON of a `SystemNote`).
    pub system_note: Option<String>,
}

/// A waitlist row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = waitlist_entries)]
pub struct WaitlistRow {
    pub id: i64,
    pub resource_id: i64,
    pub venue_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: WaitlistStatus,
    pub booking_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Inserts a booking.
pub fn insert_booking(conn: &mut DbConnection, new: &BookingInsert) -> QueryResult<BookingRow> {
    diesel::insert_into(bookings::table)
        .values(new)
        .returning(bookings::all_columns)
        .get_result(conn)
}

/// One booking.
pub fn find_booking(conn: &mut DbConnection, id: i64) -> QueryResult<Option<BookingRow>> {
    bookings::table
        .find(id)
        .select(BookingRow::as_select())
        .first(conn)
        .optional()
}

/// The booking as it is now, to be stored with an event about it.
pub fn snapshot(
    conn: &mut DbConnection,
    id: i64,
) -> QueryResult<Option<super::model::BookingSnapshot>> {
    Ok(
        find_booking_with_producer(conn, id)?.map(|(row, producer_id)| {
            super::model::BookingSnapshot {
                id: row.id,
                status: row.status,
                resource_id: row.resource_id,
                copy_id: row.copy_id,
                producer_id,
                venue_id: row.venue_id,
                starts_on: row.starts_on,
                ends_on: row.ends_on,
                hold_expires_at: row.hold_expires_at,
            }
        }),
    )
}

/// A booking with the producer of its resource, in one query (every authorised read needs both).
pub fn find_booking_with_producer(
    conn: &mut DbConnection,
    id: i64,
) -> QueryResult<Option<(BookingRow, i64)>> {
    bookings::table
        .inner_join(resources::table.on(resources::id.eq(bookings::resource_id)))
        .filter(bookings::id.eq(id))
        .select((BookingRow::as_select(), resources::producer_id))
        .first(conn)
        .optional()
}

/// How many bookings of a venue are `requested` now.
pub fn open_requests_of_venue(conn: &mut DbConnection, venue_id: i64) -> QueryResult<i64> {
    bookings::table
        .filter(bookings::venue_id.eq(venue_id))
        .filter(bookings::status.eq(BookingStatus::Requested))
        .count()
        .get_result(conn)
}

/// The producer owning a booking's resource.
pub fn producer_of_resource(conn: &mut DbConnection, resource_id: i64) -> QueryResult<i64> {
    resources::table
        .find(resource_id)
        .select(resources::producer_id)
        .first(conn)
}

/// Moves a booking from `from` to `to` only if nobody changed it meanwhile; returns whether it did.
pub fn set_status_if(
    conn: &mut DbConnection,
    id: i64,
    from: BookingStatus,
    to: BookingStatus,
    hold_expires_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(bookings::table.find(id).filter(bookings::status.eq(from)))
        .set((
            bookings::status.eq(to),
            bookings::hold_expires_at.eq(hold_expires_at),
            bookings::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Writes a new placement (copy and dates) of a booking.
pub fn update_placement(
    conn: &mut DbConnection,
    id: i64,
    placement: &Placement,
) -> QueryResult<BookingRow> {
    diesel::update(bookings::table.find(id))
        .set(placement)
        .returning(bookings::all_columns)
        .get_result(conn)
}

/// Which bookings a caller may list.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    All,
    Venue(i64),
    Producer(i64),
}

/// Filters of the booking list.
#[derive(Debug, Clone, Default)]
pub struct BookingFilter {
    pub venue_id: Option<i64>,
    pub resource_id: Option<i64>,
    pub copy_id: Option<i64>,
    pub status: Option<String>,
    /// Bookings whose dates of use meet `[from, to]`.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub after_id: i64,
    pub limit: i64,
    pub active_only: bool,
}

/// Bookings visible in `scope` matching the filter, by id.
pub fn list_bookings(
    conn: &mut DbConnection,
    scope: Scope,
    filter: &BookingFilter,
) -> QueryResult<Vec<BookingRow>> {
    let mut query = bookings::table
        .select(BookingRow::as_select())
        .filter(bookings::id.gt(filter.after_id))
        .into_boxed::<DbBackend>();
    match scope {
        Scope::All => {}
        Scope::Venue(id) => query = query.filter(bookings::venue_id.eq(id)),
        Scope::Producer(id) => {
            query = query.filter(
                bookings::resource_id.eq_any(
                    resources::table
                        .filter(resources::producer_id.eq(id))
                        .select(resources::id),
                ),
            )
        }
    }
    if let Some(v) = filter.venue_id {
        query = query.filter(bookings::venue_id.eq(v));
    }
    if let Some(r) = filter.resource_id {
        query = query.filter(bookings::resource_id.eq(r));
    }
    if let Some(c) = filter.copy_id {
        query = query.filter(bookings::copy_id.eq(c));
    }
    if let Some(s) = &filter.status {
        query = query.filter(bookings::status.eq(s.clone()));
    }
    if filter.active_only {
        query = query.filter(bookings::status.eq_any(BookingStatus::ACTIVE));
    }
    if let Some(from) = filter.from {
        query = query.filter(bookings::ends_on.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(bookings::starts_on.le(to));
    }
    query
        .order(bookings::id.asc())
        .limit(filter.limit)
        .load(conn)
}

/// Flags requested/approved bookings of a copy whose occupation is not over; returns their ids.
pub fn flag_upcoming(
    conn: &mut DbConnection,
    copy_id: i64,
    except_booking: Option<i64>,
    (reason, code): (&str, &str),
    now: NaiveDateTime,
) -> QueryResult<Vec<i64>> {
    let ids: Vec<i64> = bookings::table
        .filter(bookings::copy_id.eq(copy_id))
        .filter(bookings::status.eq_any(BookingStatus::UPCOMING))
        .filter(bookings::occupied_to.ge(now.date()))
        .filter(bookings::id.ne(except_booking.unwrap_or(0)))
        .select(bookings::id)
        .order(bookings::id.asc())
        .load(conn)?;
    diesel::update(bookings::table.filter(bookings::id.eq_any(&ids)))
        .set((
            bookings::flagged_at.eq(Some(now)),
            bookings::flag_reason.eq(Some(reason)),
            bookings::flag_code.eq(Some(code)),
            bookings::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(ids)
}

/// Which day of a booking a reminder looks at.
#[derive(Debug, Clone, Copy)]
pub enum ReminderDay {
    /// The first day of use (deliveries).
    Start,
    /// The last day of use (returns).
    End,
}

/// Bookings in one of `statuses` whose first or last day of use falls within `[from, to]` and
/// that have no `kind` event yet (reminders are announced once), oldest first.
#[allow(clippy::too_many_arguments)]
pub fn unannounced_in_window(
    conn: &mut DbConnection,
    statuses: &[BookingStatus],
    day: ReminderDay,
    from: NaiveDate,
    to: NaiveDate,
    kind: crate::outbox::EventKind,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    let mut query = bookings::table
        .filter(bookings::status.eq_any(statuses))
        .filter(crate::not_yet_announced!(
            crate::outbox::SubjectType::Booking,
            bookings::id,
            kind
        ))
        .select(bookings::id)
        .order(bookings::id.asc())
        .limit(limit)
        .into_boxed();
    query = match day {
        ReminderDay::Start => query
            .filter(bookings::starts_on.ge(from))
            .filter(bookings::starts_on.le(to)),
        ReminderDay::End => query
            .filter(bookings::ends_on.ge(from))
            .filter(bookings::ends_on.le(to)),
    };
    query.load(conn)
}

/// Loans still out (dispatched or delivered), not yet marked overdue, whose last day of use is
/// before `today`: (id, last day, return travel days, status). The caller adds the travel.
pub fn loans_out_past_end(
    conn: &mut DbConnection,
    today: NaiveDate,
    limit: i64,
) -> QueryResult<Vec<(i64, NaiveDate, i32, BookingStatus)>> {
    bookings::table
        .filter(bookings::status.eq_any([BookingStatus::InTransit, BookingStatus::Delivered]))
        .filter(bookings::overdue_at.is_null())
        .filter(bookings::ends_on.lt(today))
        .select((
            bookings::id,
            bookings::ends_on,
            bookings::return_days,
            bookings::status,
        ))
        .order(bookings::id.asc())
        .limit(limit)
        .load(conn)
}

/// Marks a loan overdue unless it was marked or moved on meanwhile; true when this call did.
pub fn mark_overdue_if_out(
    conn: &mut DbConnection,
    id: i64,
    status: BookingStatus,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        bookings::table
            .find(id)
            .filter(bookings::status.eq(status))
            .filter(bookings::overdue_at.is_null()),
    )
    .set(bookings::overdue_at.eq(Some(now)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Requested bookings whose hold has lapsed.
pub fn lapsed_holds(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    bookings::table
        .filter(bookings::status.eq(BookingStatus::Requested))
        .filter(bookings::hold_expires_at.le(now))
        .select(bookings::id)
        .order(bookings::id.asc())
        .limit(limit)
        .load(conn)
}

/// Requests whose hold lapses in `(now, until]`: the producer is reminded to answer.
pub fn holds_lapsing(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    bookings::table
        .filter(bookings::status.eq(BookingStatus::Requested))
        .filter(bookings::hold_expires_at.gt(now))
        .filter(bookings::hold_expires_at.le(until))
        .select(bookings::id)
        .order(bookings::id.asc())
        .limit(limit)
        .load(conn)
}

/// The next requested or approved booking (by first day of use) of each copy, from `today` on.
pub fn next_bookings(
    conn: &mut DbConnection,
    copy_ids: &[i64],
    today: NaiveDate,
) -> QueryResult<std::collections::HashMap<i64, (i64, NaiveDate)>> {
    let rows: Vec<(i64, i64, NaiveDate)> = bookings::table
        .filter(bookings::copy_id.eq_any(copy_ids))
        .filter(bookings::status.eq_any(BookingStatus::UPCOMING))
        .filter(bookings::starts_on.ge(today))
        .select((bookings::copy_id, bookings::id, bookings::starts_on))
        .order((bookings::starts_on.asc(), bookings::id.asc()))
        .load(conn)?;
    let mut next = std::collections::HashMap::new();
    for (copy_id, id, starts_on) in rows {
        next.entry(copy_id).or_insert((id, starts_on));
    }
    Ok(next)
}

/// The network's loans at a glance: requests waiting and the oldest one's creation, loans on
/// the road (dispatched, not yet delivered), loans marked overdue and still out.
pub fn network_counts(
    conn: &mut DbConnection,
) -> QueryResult<(i64, Option<NaiveDateTime>, i64, i64)> {
    let waiting = bookings::table
        .filter(bookings::status.eq(BookingStatus::Requested))
        .count()
        .get_result(conn)?;
    let oldest = bookings::table
        .filter(bookings::status.eq(BookingStatus::Requested))
        .select(diesel::dsl::min(bookings::created_at))
        .first(conn)?;
    let on_the_road = bookings::table
        .filter(bookings::status.eq(BookingStatus::InTransit))
        .count()
        .get_result(conn)?;
    let overdue = bookings::table
        .filter(bookings::status.eq_any([BookingStatus::InTransit, BookingStatus::Delivered]))
        .filter(bookings::overdue_at.is_not_null())
        .count()
        .get_result(conn)?;
    Ok((waiting, oldest, on_the_road, overdue))
}

/// The loans of these copies marked overdue and still out: copy → (booking id, marked at).
pub fn overdue_loans(
    conn: &mut DbConnection,
    copy_ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, (i64, NaiveDateTime)>> {
    let rows: Vec<(i64, i64, Option<NaiveDateTime>)> = bookings::table
        .filter(bookings::copy_id.eq_any(copy_ids))
        .filter(bookings::status.eq_any([BookingStatus::InTransit, BookingStatus::Delivered]))
        .filter(bookings::overdue_at.is_not_null())
        .select((bookings::copy_id, bookings::id, bookings::overdue_at))
        .order(bookings::id.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(copy_id, id, at)| at.map(|at| (copy_id, (id, at))))
        .collect())
}

/// The copies, among `copy_ids`, under an open-ended repair (a maintenance record with no end,
/// not completed): out of service until it is completed, whatever their
/// hand-overs say (a copy found damaged on delivery is still at the venue, on loan).
pub fn under_repair(
    conn: &mut DbConnection,
    copy_ids: &[i64],
) -> QueryResult<std::collections::HashSet<i64>> {
    let ids: Vec<i64> = maintenance_records::table
        .filter(maintenance_records::copy_id.eq_any(copy_ids))
        .filter(maintenance_records::completed_at.is_null())
        .filter(maintenance_records::ends_on.is_null())
        .select(maintenance_records::copy_id)
        .load(conn)?;
    Ok(ids.into_iter().collect())
}

/// Whether a copy has any maintenance record open and started by `today` (a repair, or a
/// scheduled maintenance under way): a copy coming back then goes to the workshop, not the shelf.
pub fn in_maintenance_on(
    conn: &mut DbConnection,
    copy_id: i64,
    today: NaiveDate,
) -> QueryResult<bool> {
    let open: i64 = maintenance_records::table
        .filter(maintenance_records::copy_id.eq(copy_id))
        .filter(maintenance_records::completed_at.is_null())
        .filter(maintenance_records::starts_on.le(today))
        .filter(
            maintenance_records::ends_on
                .is_null()
                .or(maintenance_records::ends_on.ge(today)),
        )
        .count()
        .get_result(conn)?;
    Ok(open > 0)
}

/// Lifts a booking's flag (its producer judged the copy fit for it); `false` when it had none.
pub fn clear_flag(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        bookings::table
            .find(id)
            .filter(bookings::flagged_at.is_not_null()),
    )
    .set((
        bookings::flagged_at.eq(None::<NaiveDateTime>),
        bookings::flag_reason.eq(None::<String>),
        bookings::flag_code.eq(None::<String>),
        bookings::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Moves the start of a booking's occupation (and the booking's `occupied_from`) to `from`: a
/// copy dispatched before its occupation began is taken from the day it leaves.
pub fn extend_occupation_from(
    conn: &mut DbConnection,
    id: i64,
    from: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    crate::catalogue::store::occupancy::move_booking_occupation_start(conn, id, from)?;
    diesel::update(bookings::table.find(id))
        .set((
            bookings::occupied_from.eq(from),
            bookings::updated_at.eq(now),
        ))
        .execute(conn)
}

/// The bookings occupying some copy of these resources on a day of `[from, to]` (their active
/// occupations meet it: the same "occupied over these days" as [`busy_periods_of`]), in one
/// query.
pub fn occupying_bookings(
    conn: &mut DbConnection,
    resource_ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<BookingRow>> {
    occupations::table
        .inner_join(bookings::table.on(occupations::booking_id.eq(bookings::id.nullable())))
        .filter(bookings::resource_id.eq_any(resource_ids))
        .filter(occupations::active.eq(true))
        .filter(occupations::starts_on.le(to))
        .filter(occupations::ends_on.ge(from))
        .select(BookingRow::as_select())
        .order((bookings::starts_on.asc(), bookings::id.asc()))
        .load(conn)
}

/// The bookings of a copy in one of `statuses` whose occupied days meet `[from, to]`, by first
/// day (a copy's calendar).
pub fn bookings_of_copy(
    conn: &mut DbConnection,
    copy_id: i64,
    statuses: &[BookingStatus],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<BookingRow>> {
    bookings::table
        .filter(bookings::copy_id.eq(copy_id))
        .filter(bookings::status.eq_any(statuses))
        .filter(bookings::occupied_from.le(to))
        .filter(bookings::occupied_to.ge(from))
        .select(BookingRow::as_select())
        .order((bookings::starts_on.asc(), bookings::id.asc()))
        .load(conn)
}

/// Records a transition.
pub fn insert_event(conn: &mut DbConnection, event: &EventInsert<'_>) -> QueryResult<usize> {
    diesel::insert_into(booking_events::table)
        .values(event)
        .execute(conn)
}

/// How many history lines each booking has.
pub fn event_counts(
    conn: &mut DbConnection,
    booking_ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, i64>> {
    Ok(booking_events::table
        .filter(booking_events::booking_id.eq_any(booking_ids))
        .group_by(booking_events::booking_id)
        .select((booking_events::booking_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect())
}

/// The history of a booking, oldest first.
pub fn list_events(conn: &mut DbConnection, booking_id: i64) -> QueryResult<Vec<EventRow>> {
    booking_events::table
        .filter(booking_events::booking_id.eq(booking_id))
        .select(EventRow::as_select())
        .order(booking_events::id.asc())
        .load(conn)
}

/// A venue's entries still waiting.
pub fn waiting_entries_of_venue(
    conn: &mut DbConnection,
    venue_id: i64,
) -> QueryResult<Vec<WaitlistRow>> {
    waitlist_entries::table
        .filter(waitlist_entries::venue_id.eq(venue_id))
        .filter(waitlist_entries::status.eq(WaitlistStatus::Waiting))
        .select(WaitlistRow::as_select())
        .order(waitlist_entries::id.asc())
        .load(conn)
}

/// Adds a waitlist entry.
pub fn insert_waitlist(
    conn: &mut DbConnection,
    resource_id: i64,
    venue_id: i64,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    created_by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<WaitlistRow> {
    diesel::insert_into(waitlist_entries::table)
        .values((
            waitlist_entries::resource_id.eq(resource_id),
            waitlist_entries::venue_id.eq(venue_id),
            waitlist_entries::starts_on.eq(starts_on),
            waitlist_entries::ends_on.eq(ends_on),
            waitlist_entries::status.eq(WaitlistStatus::Waiting),
            waitlist_entries::created_by.eq(created_by),
            waitlist_entries::created_at.eq(now),
            waitlist_entries::updated_at.eq(now),
        ))
        .returning(waitlist_entries::all_columns)
        .get_result(conn)
}

/// One waitlist entry.
pub fn find_waitlist(conn: &mut DbConnection, id: i64) -> QueryResult<Option<WaitlistRow>> {
    waitlist_entries::table
        .find(id)
        .select(WaitlistRow::as_select())
        .first(conn)
        .optional()
}

/// Entries still waiting for a resource, first come first served.
pub fn waiting_for(conn: &mut DbConnection, resource_id: i64) -> QueryResult<Vec<WaitlistRow>> {
    waitlist_entries::table
        .filter(waitlist_entries::resource_id.eq(resource_id))
        .filter(waitlist_entries::status.eq(WaitlistStatus::Waiting))
        .select(WaitlistRow::as_select())
        .order(waitlist_entries::id.asc())
        .load(conn)
}

/// Entries of a venue (or all), newest first.
pub fn list_waitlist(
    conn: &mut DbConnection,
    venue_id: Option<i64>,
) -> QueryResult<Vec<WaitlistRow>> {
    let mut query = waitlist_entries::table
        .select(WaitlistRow::as_select())
        .into_boxed::<DbBackend>();
    if let Some(v) = venue_id {
        query = query.filter(waitlist_entries::venue_id.eq(v));
    }
    query
        .order(waitlist_entries::id.desc())
        .limit(500)
        .load(conn)
}

/// Closes a waiting entry (fulfilled with a booking, or cancelled) if it is still waiting.
pub fn close_waitlist(
    conn: &mut DbConnection,
    id: i64,
    status: WaitlistStatus,
    booking_id: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        waitlist_entries::table
            .find(id)
            .filter(waitlist_entries::status.eq(WaitlistStatus::Waiting)),
    )
    .set((
        waitlist_entries::status.eq(status),
        waitlist_entries::booking_id.eq(booking_id),
        waitlist_entries::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

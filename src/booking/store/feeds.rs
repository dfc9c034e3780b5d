//! The query of calendar feeds: a venue's or a copy's bookings with their resource's title, the
//! copy's tag and the venue's name.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::booking::BookingStatus;
use crate::db::DbConnection;
use crate::schema::{bookings, copies, organizations, resources};

/// A booking as a feed shows it: id, dates of use, dates occupied, status, created and updated,
/// the resource's title, the copy's tag, the venue's name, the producer.
pub type FeedRow = (
    i64,
    chrono::NaiveDate,
    chrono::NaiveDate,
    chrono::NaiveDate,
    chrono::NaiveDate,
    String,
    NaiveDateTime,
    NaiveDateTime,
    String,
    String,
    String,
    i64,
);

/// The bookings of a venue's or a copy's feed (at most 5,000, by first day): those that move
/// their copy, and those in one of `called_off` changed since `since`.
pub fn feed_rows(
    conn: &mut DbConnection,
    venue_id: Option<i64>,
    copy_id: Option<i64>,
    called_off: &[BookingStatus],
    since: NaiveDateTime,
) -> QueryResult<Vec<FeedRow>> {
    let mut query = bookings::table
        .inner_join(copies::table.on(copies::id.eq(bookings::copy_id)))
        .inner_join(resources::table.on(resources::id.eq(bookings::resource_id)))
        .inner_join(organizations::table.on(organizations::id.eq(bookings::venue_id)))
        .filter(
            bookings::status
                .eq_any(BookingStatus::MOVING)
                .or(bookings::status
                    .eq_any(called_off)
                    .and(bookings::updated_at.ge(since))),
        )
        .select((
            bookings::id,
            bookings::starts_on,
            bookings::ends_on,
            bookings::occupied_from,
            bookings::occupied_to,
            bookings::status,
            bookings::created_at,
            bookings::updated_at,
            resources::title,
            copies::asset_tag,
            organizations::name,
            resources::producer_id,
        ))
        .into_boxed::<crate::db::DbBackend>();
    if let Some(v) = venue_id {
        query = query.filter(bookings::venue_id.eq(v));
    }
    if let Some(c) = copy_id {
        query = query.filter(bookings::copy_id.eq(c));
    }
    query
        .order(bookings::starts_on.asc())
        .limit(5_000)
        .load(conn)
}

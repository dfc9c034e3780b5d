//! Diesel queries of occupations: the periods a copy is taken, by a loan or a maintenance. The
//! catalogue owns them (search and its in-memory index read them); booking and condition fill and
//! free them through here. The one "occupied over these days" rule is [`occupying`].

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::{DbBackend, DbConnection};
use crate::schema::occupations;

/// A period during which a copy is taken, by a booking or a maintenance.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = occupations)]
pub struct OccupationInsert<'a> {
    pub copy_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub reason: &'a str,
    pub booking_id: Option<i64>,
    pub maintenance_id: Option<i64>,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

impl OccupationInsert<'_> {
    /// The occupation of a booking.
    pub fn booking(
        copy_id: i64,
        (starts_on, ends_on): (NaiveDate, NaiveDate),
        booking_id: i64,
        now: NaiveDateTime,
    ) -> OccupationInsert<'static> {
        OccupationInsert {
            copy_id,
            starts_on,
            ends_on,
            reason: "booking",
            booking_id: Some(booking_id),
            maintenance_id: None,
            active: true,
            created_at: now,
        }
    }
}

/// Occupies a copy; on PostgreSQL the exclusion constraint refuses an overlap.
pub fn insert_occupation(
    conn: &mut DbConnection,
    new: &OccupationInsert<'_>,
) -> QueryResult<usize> {
    diesel::insert_into(occupations::table)
        .values(new)
        .execute(conn)
}

/// Frees the copy a booking occupied.
pub fn release_booking_occupation(conn: &mut DbConnection, booking_id: i64) -> QueryResult<usize> {
    diesel::update(
        occupations::table
            .filter(occupations::booking_id.eq(booking_id))
            .filter(occupations::active.eq(true)),
    )
    .set(occupations::active.eq(false))
    .execute(conn)
}

/// Ends a maintenance's occupation on `today` (or drops it if it had not started).
pub fn end_maintenance_occupation(
    conn: &mut DbConnection,
    maintenance_id: i64,
    today: NaiveDate,
) -> QueryResult<usize> {
    let target = occupations::table
        .filter(occupations::maintenance_id.eq(maintenance_id))
        .filter(occupations::active.eq(true));
    let dropped = diesel::update(target.filter(occupations::starts_on.gt(today)))
        .set(occupations::active.eq(false))
        .execute(conn)?;
    let shortened = diesel::update(target.filter(occupations::ends_on.gt(today)))
        .set(occupations::ends_on.eq(today))
        .execute(conn)?;
    Ok(dropped + shortened)
}

/// The one "occupied over these days" filter: active occupations (bookings and maintenance) of a
/// copy meeting `[from, to]`.
fn occupying(
    copy_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> occupations::BoxedQuery<'static, DbBackend> {
    occupations::table
        .filter(occupations::copy_id.eq(copy_id))
        .filter(occupations::active.eq(true))
        .filter(occupations::starts_on.le(to))
        .filter(occupations::ends_on.ge(from))
        .into_boxed()
}

/// Active occupations of a copy meeting `[from, to]`, except those of one booking.
pub fn busy_periods(
    conn: &mut DbConnection,
    copy_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    except_booking: Option<i64>,
) -> QueryResult<Vec<(NaiveDate, NaiveDate)>> {
    let mut query = occupying(copy_id, from, to);
    if let Some(b) = except_booking {
        query = query.filter(
            occupations::booking_id
                .ne(b)
                .or(occupations::booking_id.is_null()),
        );
    }
    query
        .select((occupations::starts_on, occupations::ends_on))
        .order(occupations::starts_on.asc())
        .load(conn)
}

/// What occupies a copy on some day of `[from, to]`: the bookings and the maintenance records.
pub fn occupiers(
    conn: &mut DbConnection,
    copy_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<(Vec<i64>, Vec<i64>)> {
    let rows: Vec<(Option<i64>, Option<i64>)> = occupying(copy_id, from, to)
        .select((occupations::booking_id, occupations::maintenance_id))
        .order(occupations::starts_on.asc())
        .load(conn)?;
    Ok((
        rows.iter().filter_map(|r| r.0).collect(),
        rows.iter().filter_map(|r| r.1).collect(),
    ))
}

/// Writes an occupation of `copy_id` over `[from, to]` with `write`, unless the copy is busy
/// then: checked first, and enforced by the database (PostgreSQL's exclusion constraint, SQLite's
/// write lock) inside a savepoint, so a concurrent writer that won leaves the caller's transaction
/// intact. `Ok(None)` when the copy is taken.
pub fn write_if_free<T>(
    conn: &mut DbConnection,
    copy_id: i64,
    (from, to): (NaiveDate, NaiveDate),
    except_booking: Option<i64>,
    write: impl FnOnce(&mut DbConnection) -> crate::error::Result<T>,
) -> crate::error::Result<Option<T>> {
    use crate::error::{Code, Error};
    if !busy_periods(conn, copy_id, from, to, except_booking)?.is_empty() {
        return Ok(None);
    }
    match conn.transaction(write) {
        Ok(done) => Ok(Some(done)),
        Err(Error::Conflict {
            code: Code::OccupationOverlap,
            ..
        }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Active occupations of several copies meeting `[from, to]`, as (copy, from, to).
pub fn busy_periods_of(
    conn: &mut DbConnection,
    copy_ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(i64, NaiveDate, NaiveDate)>> {
    occupations::table
        .filter(occupations::copy_id.eq_any(copy_ids))
        .filter(occupations::active.eq(true))
        .filter(occupations::starts_on.le(to))
        .filter(occupations::ends_on.ge(from))
        .select((
            occupations::copy_id,
            occupations::starts_on,
            occupations::ends_on,
        ))
        .order((occupations::copy_id.asc(), occupations::starts_on.asc()))
        .load(conn)
}

/// Moves the start of a booking's active occupation to `from` (a copy dispatched before its
/// occupation began is taken from the day it leaves).
pub fn move_booking_occupation_start(
    conn: &mut DbConnection,
    booking_id: i64,
    from: NaiveDate,
) -> QueryResult<usize> {
    diesel::update(
        occupations::table
            .filter(occupations::booking_id.eq(booking_id))
            .filter(occupations::active.eq(true)),
    )
    .set(occupations::starts_on.eq(from))
    .execute(conn)
}

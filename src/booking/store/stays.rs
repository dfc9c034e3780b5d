//! The query of "the loans of these copies, in order": stays (bookings with their venue), which
//! booking, transport, billing and condition read; the chaining rule over them is
//! [`crate::booking::chaining`]'s.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::booking::chaining::{stay_from_row, Stay, StayRow};
use crate::booking::BookingStatus;
use crate::db::DbConnection;
use crate::error::Result;
use crate::schema::{bookings, organizations};

/// Stays of the given copies in one of `statuses` whose dates of use meet `[from, to]`, by copy
/// then first day: the one query of "the loans of this copy, in order".
pub fn stays_of(
    conn: &mut DbConnection,
    copy_ids: &[i64],
    statuses: &[BookingStatus],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Stay>> {
    load(
        stays_query(copy_ids, statuses)
            .filter(bookings::ends_on.ge(from))
            .filter(bookings::starts_on.le(to)),
        conn,
    )
}

/// Every stay of the given copies in one of `statuses`, whenever it was, ordered like
/// [`stays_of`].
pub fn all_stays_of(
    conn: &mut DbConnection,
    copy_ids: &[i64],
    statuses: &[BookingStatus],
) -> Result<Vec<Stay>> {
    load(stays_query(copy_ids, statuses), conn)
}

type StaysQuery<'a> = diesel::internal::table_macro::BoxedSelectStatement<
    'a,
    diesel::dsl::SqlTypeOf<StaySelection>,
    diesel::internal::table_macro::FromClause<
        diesel::dsl::InnerJoinQuerySource<
            bookings::table,
            organizations::table,
            diesel::dsl::Eq<organizations::id, bookings::venue_id>,
        >,
    >,
    crate::db::DbBackend,
>;

/// The columns of a [`Stay`] (bookings joined with their venue), for every query that reads one.
pub type StaySelection = (
    bookings::id,
    bookings::copy_id,
    bookings::resource_id,
    bookings::status,
    bookings::starts_on,
    bookings::ends_on,
    organizations::id,
    organizations::name,
    organizations::commune_insee,
    organizations::latitude,
    organizations::longitude,
);

/// The columns of a [`Stay`], as a value to select (each column is a unit value).
pub fn stay_columns() -> StaySelection {
    StaySelection::default()
}

fn stays_query<'a>(copy_ids: &'a [i64], statuses: &'a [BookingStatus]) -> StaysQuery<'a> {
    bookings::table
        .inner_join(organizations::table.on(organizations::id.eq(bookings::venue_id)))
        .filter(bookings::copy_id.eq_any(copy_ids))
        .filter(bookings::status.eq_any(statuses))
        .select(stay_columns())
        .order((
            bookings::copy_id.asc(),
            bookings::starts_on.asc(),
            bookings::id.asc(),
        ))
        .into_boxed()
}

fn load(query: StaysQuery<'_>, conn: &mut DbConnection) -> Result<Vec<Stay>> {
    query
        .load::<StayRow>(conn)?
        .into_iter()
        .map(stay_from_row)
        .collect()
}

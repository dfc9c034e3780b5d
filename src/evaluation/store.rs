//! Diesel queries of loan evaluations.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::schema::{booking_evaluations, bookings, resources};

/// An evaluation with the loan it reports on.
#[derive(Debug, Clone, Queryable)]
pub struct EvaluationRow {
    pub booking_id: i64,
    pub visitors: i32,
    pub sessions: i32,
    pub audiences: String,
    pub satisfaction: i32,
    pub comment: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub resource_id: i64,
    pub venue_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Stored values of an evaluation.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = booking_evaluations, treat_none_as_null = true)]
pub struct EvaluationValues<'a> {
    pub visitors: i32,
    pub sessions: i32,
    pub audiences: &'a str,
    pub satisfaction: i32,
    pub comment: Option<&'a str>,
    pub updated_at: NaiveDateTime,
}

crate::columns! {
    /// What an [`EvaluationRow`] reads: the evaluation and the loan it reports on.
    const COLUMNS = (
        booking_evaluations::booking_id,
        booking_evaluations::visitors,
        booking_evaluations::sessions,
        booking_evaluations::audiences,
        booking_evaluations::satisfaction,
        booking_evaluations::comment,
        booking_evaluations::created_at,
        booking_evaluations::updated_at,
        bookings::resource_id,
        bookings::venue_id,
        bookings::starts_on,
        bookings::ends_on,
    );
}

/// The evaluation of a booking.
pub fn find(conn: &mut DbConnection, booking_id: i64) -> QueryResult<Option<EvaluationRow>> {
    booking_evaluations::table
        .inner_join(bookings::table)
        .filter(booking_evaluations::booking_id.eq(booking_id))
        .select(COLUMNS)
        .first(conn)
        .optional()
}

/// The loan an evaluation reports on: its booking, venue and dates of use.
#[derive(Debug, Clone, Copy)]
pub struct LoanRef {
    pub booking_id: i64,
    pub venue_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Writes a first evaluation.
pub fn insert(
    conn: &mut DbConnection,
    loan: LoanRef,
    values: &EvaluationValues<'_>,
    written_by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(booking_evaluations::table)
        .values((
            booking_evaluations::booking_id.eq(loan.booking_id),
            booking_evaluations::venue_id.eq(loan.venue_id),
            booking_evaluations::starts_on.eq(loan.starts_on),
            booking_evaluations::ends_on.eq(loan.ends_on),
            values,
            booking_evaluations::written_by.eq(written_by),
            booking_evaluations::created_at.eq(now),
        ))
        .execute(conn)
}

/// Replaces an evaluation's values.
pub fn update(
    conn: &mut DbConnection,
    booking_id: i64,
    values: &EvaluationValues<'_>,
) -> QueryResult<usize> {
    diesel::update(booking_evaluations::table.find(booking_id))
        .set(values)
        .execute(conn)
}

/// Which evaluations a listing covers.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only loans of this producer's resources.
    pub producer_id: Option<i64>,
    pub venue_id: Option<i64>,
    pub resource_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The loans of evaluations matching a filter, joined and filtered, before the select.
macro_rules! filtered {
    ($f:expr) => {{
        let f: &Filter = $f;
        let mut query = booking_evaluations::table
            .inner_join(bookings::table)
            .inner_join(resources::table.on(resources::id.eq(bookings::resource_id)))
            .into_boxed();
        if let Some(producer) = f.producer_id {
            query = query.filter(resources::producer_id.eq(producer));
        }
        if let Some(venue) = f.venue_id {
            query = query.filter(bookings::venue_id.eq(venue));
        }
        if let Some(resource) = f.resource_id {
            query = query.filter(bookings::resource_id.eq(resource));
        }
        if let Some(from) = f.from {
            query = query.filter(bookings::ends_on.ge(from));
        }
        if let Some(to) = f.to {
            query = query.filter(bookings::starts_on.le(to));
        }
        query
    }};
}

/// Evaluations matching a filter, newest loans first.
pub fn list(conn: &mut DbConnection, f: &Filter, limit: i64) -> QueryResult<Vec<EvaluationRow>> {
    filtered!(f)
        .select(COLUMNS)
        .order((bookings::starts_on.desc(), bookings::id.desc()))
        .limit(limit)
        .load(conn)
}

/// (visitors, sessions, satisfaction) of every evaluation matching a filter, for totals.
pub fn figures(conn: &mut DbConnection, f: &Filter) -> QueryResult<Vec<(i32, i32, i32)>> {
    filtered!(f)
        .select((
            booking_evaluations::visitors,
            booking_evaluations::sessions,
            booking_evaluations::satisfaction,
        ))
        .load(conn)
}

//! Diesel queries of the observatory: the region's communes, the venues, and loans counted in
//! the database (grouped there, so that a year of a million bookings is not carried over).

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::booking::BookingStatus;
use crate::db::DbConnection;
use crate::organization::OrgKind;
use crate::schema::{bookings, communes, organizations};

/// Statuses of a *loan*: the resource reached the venue.
pub const LOAN: [BookingStatus; 3] = [
    BookingStatus::Delivered,
    BookingStatus::Returned,
    BookingStatus::Closed,
];

/// The earliest first day of a loan that can still meet a period starting on `from` (no booking
/// lasts longer than `config::MAX_BOOKING_DAYS`): bounds the index range the queries read.
fn earliest_start(from: NaiveDate) -> NaiveDate {
    from.checked_sub_signed(chrono::Duration::days(crate::config::MAX_BOOKING_DAYS))
        .unwrap_or(NaiveDate::MIN)
}

/// A commune as coverage counts it.
#[derive(Debug, Clone, Queryable)]
pub struct CommuneFacts {
    pub insee_code: String,
    pub name: String,
    pub department: String,
    pub population: i32,
    pub epci_siren: String,
    pub epci_name: String,
    pub latitude: f64,
    pub longitude: f64,
}

/// Every commune of the region.
pub fn communes(conn: &mut DbConnection) -> QueryResult<Vec<CommuneFacts>> {
    communes::table
        .select((
            communes::insee_code,
            communes::name,
            communes::department,
            communes::population,
            communes::epci_siren,
            communes::epci_name,
            communes::latitude,
            communes::longitude,
        ))
        .order(communes::insee_code.asc())
        .load(conn)
}

/// Every venue: id → commune.
pub fn venue_communes(conn: &mut DbConnection) -> QueryResult<HashMap<i64, String>> {
    Ok(organizations::table
        .filter(organizations::kind.eq(OrgKind::Venue.as_str()))
        .select((organizations::id, organizations::commune_insee))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// Loans per venue whose dates of use meet `[from, to]`.
pub fn loans_per_venue(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(i64, i64)>> {
    bookings::table
        .filter(bookings::status.eq_any(LOAN))
        .filter(bookings::starts_on.between(earliest_start(from), to))
        .filter(bookings::ends_on.ge(from))
        .group_by(bookings::venue_id)
        .select((bookings::venue_id, count_star()))
        .load(conn)
}

/// The loans whose dates of use meet `[from, to]`, as (venue's commune, first day, last day).
pub fn loan_periods(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(String, NaiveDate, NaiveDate)>> {
    bookings::table
        .inner_join(organizations::table.on(organizations::id.eq(bookings::venue_id)))
        .filter(bookings::status.eq_any(LOAN))
        .filter(bookings::starts_on.between(earliest_start(from), to))
        .filter(bookings::ends_on.ge(from))
        .select((
            organizations::commune_insee,
            bookings::starts_on,
            bookings::ends_on,
        ))
        .load(conn)
}

/// What the loans of a period did, per venue: how many, and the visitors their evaluations
/// reported.
#[derive(Debug, Clone, Default)]
pub struct LoanFacts {
    /// (venue, loans).
    pub loans: Vec<(i64, i64)>,
    /// venue → visitors reported on those loans.
    pub visitors: HashMap<i64, i64>,
}

/// Loans and reported visitors per venue whose dates of use meet `[from, to]`.
pub fn loan_facts(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<LoanFacts> {
    use crate::schema::booking_evaluations;
    let loans = loans_per_venue(conn, from, to)?;
    // Summed here: SUM of an INTEGER is BIGINT on PostgreSQL but may differ on SQLite.
    // Evaluations exist only for loans, and carry their venue and dates: this table alone.
    let reported: Vec<(i64, i32)> = booking_evaluations::table
        .filter(booking_evaluations::starts_on.between(earliest_start(from), to))
        .filter(booking_evaluations::ends_on.ge(from))
        .select((booking_evaluations::venue_id, booking_evaluations::visitors))
        .load(conn)?;
    let mut visitors: HashMap<i64, i64> = HashMap::new();
    for (venue, n) in reported {
        *visitors.entry(venue).or_insert(0) += i64::from(n);
    }
    Ok(LoanFacts { loans, visitors })
}

/// Venues that ever had a loan.
pub fn venues_ever_served(conn: &mut DbConnection) -> QueryResult<Vec<i64>> {
    bookings::table
        .filter(bookings::status.eq_any(LOAN))
        .select(bookings::venue_id)
        .distinct()
        .load(conn)
}

/// Σ road km (depot → venue) of the loans whose dates of use meet `[from, to]`.
pub fn loan_distance_km(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<f64> {
    use diesel::dsl::sum;
    Ok(bookings::table
        .filter(bookings::status.eq_any(LOAN))
        .filter(bookings::starts_on.between(earliest_start(from), to))
        .filter(bookings::ends_on.ge(from))
        .select(sum(bookings::distance_km))
        .first::<Option<f64>>(conn)?
        .unwrap_or(0.0))
}

/// Σ of invoice and credit-note lines issued in a year, by line kind.
pub fn invoiced_by_kind(
    conn: &mut DbConnection,
    year: i32,
) -> QueryResult<Vec<(crate::billing::model::LineKind, i64)>> {
    use crate::schema::{invoice_lines, invoices};
    // Summed here: SUM of a BIGINT is NUMERIC on PostgreSQL and INTEGER on SQLite.
    let rows: Vec<(crate::billing::model::LineKind, i64)> = invoice_lines::table
        .inner_join(invoices::table.on(invoices::id.eq(invoice_lines::invoice_id)))
        .filter(invoices::year.eq(year))
        .select((invoice_lines::kind, invoice_lines::amount_cents))
        .load(conn)?;
    let mut totals: Vec<(crate::billing::model::LineKind, i64)> = Vec::new();
    for (kind, amount) in rows {
        match totals.iter_mut().find(|(k, _)| *k == kind) {
            Some(total) => total.1 += amount,
            None => totals.push((kind, amount)),
        }
    }
    Ok(totals)
}

/// A venue as the public map shows it.
#[derive(Debug, Clone, Queryable)]
pub struct VenuePoint {
    pub id: i64,
    pub name: String,
    pub venue_type: Option<String>,
    pub commune_insee: String,
    pub commune_name: String,
    pub population: i32,
    pub latitude: f64,
    pub longitude: f64,
}

/// Every venue with its commune.
pub fn venue_points(conn: &mut DbConnection) -> QueryResult<Vec<VenuePoint>> {
    organizations::table
        .inner_join(communes::table.on(communes::insee_code.eq(organizations::commune_insee)))
        .filter(organizations::kind.eq(OrgKind::Venue.as_str()))
        .select((
            organizations::id,
            organizations::name,
            organizations::venue_type,
            organizations::commune_insee,
            communes::name,
            communes::population,
            organizations::latitude,
            organizations::longitude,
        ))
        .order(organizations::id.asc())
        .load(conn)
}

/// A copy as the public map shows it (no costs).
#[derive(Debug, Clone, Queryable)]
pub struct CopyPoint {
    pub id: i64,
    pub resource_id: i64,
    pub title: String,
    pub kind: String,
    pub producer_id: i64,
    pub status: String,
    pub latitude: f64,
    pub longitude: f64,
}

/// Every copy of a live resource, where it is now.
pub fn copy_points(conn: &mut DbConnection) -> QueryResult<Vec<CopyPoint>> {
    use crate::schema::{copies, resources};
    copies::table
        .inner_join(resources::table.on(resources::id.eq(copies::resource_id)))
        .filter(resources::deleted_at.is_null())
        .select((
            copies::id,
            copies::resource_id,
            resources::title,
            resources::kind,
            copies::producer_id,
            copies::status,
            copies::latitude,
            copies::longitude,
        ))
        .order(copies::id.asc())
        .load(conn)
}

/// Each producer's depots: the distinct home communes of its copies, with the producer's name.
pub fn depots(conn: &mut DbConnection) -> QueryResult<Vec<(String, f64, f64)>> {
    use crate::schema::copies;
    copies::table
        .inner_join(communes::table.on(communes::insee_code.eq(copies::home_commune_insee)))
        .inner_join(organizations::table.on(organizations::id.eq(copies::producer_id)))
        .select((organizations::name, communes::longitude, communes::latitude))
        .distinct()
        .load(conn)
}

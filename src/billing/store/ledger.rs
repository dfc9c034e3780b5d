//! Diesel queries of invoices and credit notes: gapless numbering per seller and year, immutable
//! rows (inserted, never updated), and the reads the lists, exports and reports need.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DbError};

use crate::billing::model::{InvoiceKind, InvoiceSnapshot, Line, LineKind};
use crate::db::DbConnection;
use crate::schema::{invoice_lines, invoice_sequences, invoices};

/// An invoice row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invoices)]
pub struct InvoiceRow {
    pub id: i64,
    pub number: String,
    pub kind: InvoiceKind,
    pub seller_id: i64,
    pub buyer_id: i64,
    pub booking_id: i64,
    pub year: i32,
    pub sequence: i32,
    pub issued_on: NaiveDate,
    pub total_cents: i64,
    pub currency: String,
    pub correction: i32,
    pub credits_invoice_id: Option<i64>,
    pub issued_by_organization: i64,
    pub created_at: NaiveDateTime,
    /// The parties' details frozen at issue (JSON of `parties::FrozenParties`).
    pub parties: Option<String>,
    /// A public buyer's service code (BT-10).
    pub buyer_service_code: Option<String>,
    /// A public buyer's commitment number (BT-13).
    pub commitment_number: Option<String>,
}

/// Values of a new invoice or credit note.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = invoices)]
pub struct InvoiceInsert {
    pub number: String,
    pub kind: InvoiceKind,
    pub seller_id: i64,
    pub buyer_id: i64,
    pub booking_id: i64,
    pub year: i32,
    pub sequence: i32,
    pub issued_on: NaiveDate,
    pub total_cents: i64,
    pub currency: String,
    pub correction: i32,
    pub credits_invoice_id: Option<i64>,
    pub issued_by_organization: i64,
    pub created_at: NaiveDateTime,
    /// The parties' details frozen at issue (JSON of `parties::FrozenParties`).
    pub parties: Option<String>,
    /// A public buyer's service code (BT-10).
    pub buyer_service_code: Option<String>,
    /// A public buyer's commitment number (BT-13).
    pub commitment_number: Option<String>,
}

/// Whether any invoice or credit note was ever issued (demo data loads money once).
pub fn any_invoice(conn: &mut DbConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(invoices::table.select(invoices::id))).get_result(conn)
}

/// The next number of a seller's sequence for a year, taken inside the issuing transaction: the
/// row lock of the update orders concurrent issuers, and a rollback gives the number back, so
/// numbers have neither gaps nor repeats. The year's first number inserts the row in a savepoint;
/// when a concurrent issuer inserted it first, the update then waits for it and goes on.
pub fn next_number(conn: &mut DbConnection, seller_id: i64, year: i32) -> QueryResult<i32> {
    for _ in 0..3 {
        let bumped: Option<i32> = diesel::update(invoice_sequences::table.find((seller_id, year)))
            .set(invoice_sequences::last_number.eq(invoice_sequences::last_number + 1))
            .returning(invoice_sequences::last_number)
            .get_result(conn)
            .optional()?;
        if let Some(number) = bumped {
            return Ok(number);
        }
        let first = conn.transaction(|conn| {
            diesel::insert_into(invoice_sequences::table)
                .values((
                    invoice_sequences::seller_id.eq(seller_id),
                    invoice_sequences::year.eq(year),
                    invoice_sequences::last_number.eq(1),
                ))
                .execute(conn)
        });
        match first {
            Ok(_) => return Ok(1),
            Err(DbError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(DbError::RollbackTransaction)
}

/// Inserts an invoice and its lines.
pub fn insert(conn: &mut DbConnection, new: &InvoiceInsert, lines: &[Line]) -> QueryResult<i64> {
    let id: i64 = diesel::insert_into(invoices::table)
        .values(new)
        .returning(invoices::id)
        .get_result(conn)?;
    // One statement per line: batch inserts are outside the two backends' shared subset.
    for (i, l) in lines.iter().enumerate() {
        diesel::insert_into(invoice_lines::table)
            .values((
                invoice_lines::invoice_id.eq(id),
                invoice_lines::position.eq(i as i32 + 1),
                invoice_lines::kind.eq(l.kind),
                invoice_lines::label.eq(l.label.as_str()),
                invoice_lines::amount_cents.eq(l.amount_cents),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

/// One invoice.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<InvoiceRow>> {
    invoices::table
        .find(id)
        .select(InvoiceRow::as_select())
        .first(conn)
        .optional()
}

/// An invoice as events keep it (`outbox` snapshot); `None` when there is no such invoice.
pub fn snapshot(conn: &mut DbConnection, id: i64) -> QueryResult<Option<InvoiceSnapshot>> {
    Ok(find(conn, id)?.map(|row| InvoiceSnapshot {
        id: row.id,
        number: row.number,
        kind: row.kind,
        seller_id: row.seller_id,
        buyer_id: row.buyer_id,
        booking_id: row.booking_id,
        total_cents: row.total_cents,
        issued_on: row.issued_on,
    }))
}

/// The lines of some invoices, by invoice then position.
pub fn lines_of(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, Line)>> {
    let rows: Vec<(i64, LineKind, String, i64)> = invoice_lines::table
        .filter(invoice_lines::invoice_id.eq_any(ids))
        .select((
            invoice_lines::invoice_id,
            invoice_lines::kind,
            invoice_lines::label,
            invoice_lines::amount_cents,
        ))
        .order((
            invoice_lines::invoice_id.asc(),
            invoice_lines::position.asc(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, label, amount_cents)| {
            (
                id,
                Line {
                    kind,
                    label,
                    amount_cents,
                },
            )
        })
        .collect())
}

/// How many credit notes a booking has: its next invoice is the correction of that rank.
pub fn credit_notes_of_booking(conn: &mut DbConnection, booking_id: i64) -> QueryResult<i64> {
    invoices::table
        .filter(invoices::booking_id.eq(booking_id))
        .filter(invoices::kind.eq(InvoiceKind::CreditNote))
        .count()
        .get_result(conn)
}

/// The booking's invoice of a rank, if issued.
pub fn invoice_of_booking(
    conn: &mut DbConnection,
    booking_id: i64,
    correction: i32,
) -> QueryResult<Option<InvoiceRow>> {
    invoices::table
        .filter(invoices::booking_id.eq(booking_id))
        .filter(invoices::kind.eq(InvoiceKind::Invoice))
        .filter(invoices::correction.eq(correction))
        .select(InvoiceRow::as_select())
        .first(conn)
        .optional()
}

/// The credit note of an invoice, if any.
pub fn credit_note_of(conn: &mut DbConnection, invoice_id: i64) -> QueryResult<Option<i64>> {
    invoices::table
        .filter(invoices::credits_invoice_id.eq(invoice_id))
        .select(invoices::id)
        .first(conn)
        .optional()
}

/// Who may see what: every invoice, a seller's, or a buyer's.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    All,
    Seller(i64),
    Buyer(i64),
}

/// The invoices of a scope, of one seller when asked.
fn scoped(
    scope: Scope,
    seller_id: Option<i64>,
) -> invoices::BoxedQuery<
    'static,
    crate::db::DbBackend,
    diesel::dsl::SqlTypeOf<diesel::dsl::AsSelect<InvoiceRow, crate::db::DbBackend>>,
> {
    let mut query = invoices::table
        .select(InvoiceRow::as_select())
        .into_boxed::<crate::db::DbBackend>();
    match scope {
        Scope::All => {}
        Scope::Seller(id) => query = query.filter(invoices::seller_id.eq(id)),
        Scope::Buyer(id) => query = query.filter(invoices::buyer_id.eq(id)),
    }
    if let Some(id) = seller_id {
        query = query.filter(invoices::seller_id.eq(id));
    }
    query
}

/// Invoices matching a filter within a scope, newest first.
pub fn list(
    conn: &mut DbConnection,
    scope: Scope,
    seller_id: Option<i64>,
    buyer_id: Option<i64>,
    year: Option<i32>,
    limit: i64,
) -> QueryResult<Vec<InvoiceRow>> {
    let mut query = scoped(scope, seller_id);
    if let Some(id) = buyer_id {
        query = query.filter(invoices::buyer_id.eq(id));
    }
    if let Some(year) = year {
        query = query.filter(invoices::year.eq(year));
    }
    query.order(invoices::id.desc()).limit(limit).load(conn)
}

/// Documents issued over a period within a scope, in the journal's order (seller, then number),
/// at most `limit`.
pub fn issued_between(
    conn: &mut DbConnection,
    scope: Scope,
    seller_id: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> QueryResult<Vec<InvoiceRow>> {
    let query = scoped(scope, seller_id)
        .filter(invoices::issued_on.ge(from))
        .filter(invoices::issued_on.le(to));
    query
        .order((
            invoices::seller_id.asc(),
            invoices::year.asc(),
            invoices::sequence.asc(),
        ))
        .limit(limit)
        .load(conn)
}

/// One dated amount of a producer's money, for the revenue report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// An invoice or credit-note line other than a subsidy: what the producer earns.
    Earned(i64),
    /// A subsidy line (negative on invoices): what a funder pays.
    Subsidy(i64),
    /// An invoice or credit-note total: what the venue pays.
    VenuePaid(i64),
    /// The full cost of a loan's legs, counted when its first invoice is issued.
    Transport(i64),
    /// A maintenance record's cost, counted on its start day.
    Maintenance(i64),
}

/// Every dated flow of a producer's resources: `(resource_id, day, flow)`.
pub fn flows_of_producer(
    conn: &mut DbConnection,
    producer_id: i64,
) -> QueryResult<Vec<(i64, NaiveDate, Flow)>> {
    use crate::schema::{booking_quotes, bookings, copies, maintenance_records};
    let mut flows = Vec::new();
    let lines: Vec<(i64, NaiveDate, LineKind, i64)> = invoice_lines::table
        .inner_join(invoices::table.on(invoices::id.eq(invoice_lines::invoice_id)))
        .inner_join(bookings::table.on(bookings::id.eq(invoices::booking_id)))
        .filter(invoices::seller_id.eq(producer_id))
        .select((
            bookings::resource_id,
            invoices::issued_on,
            invoice_lines::kind,
            invoice_lines::amount_cents,
        ))
        .load(conn)?;
    flows.extend(lines.into_iter().map(|(resource, day, kind, amount)| {
        let flow = if kind == LineKind::Subsidy {
            Flow::Subsidy(-amount)
        } else {
            Flow::Earned(amount)
        };
        (resource, day, flow)
    }));
    let totals: Vec<(i64, NaiveDate, i64)> = invoices::table
        .inner_join(bookings::table.on(bookings::id.eq(invoices::booking_id)))
        .filter(invoices::seller_id.eq(producer_id))
        .select((
            bookings::resource_id,
            invoices::issued_on,
            invoices::total_cents,
        ))
        .load(conn)?;
    flows.extend(
        totals
            .into_iter()
            .map(|(resource, day, total)| (resource, day, Flow::VenuePaid(total))),
    );
    let transport: Vec<(i64, NaiveDate, i64)> = invoices::table
        .inner_join(bookings::table.on(bookings::id.eq(invoices::booking_id)))
        .inner_join(booking_quotes::table.on(booking_quotes::booking_id.eq(invoices::booking_id)))
        .filter(invoices::seller_id.eq(producer_id))
        .filter(invoices::kind.eq(InvoiceKind::Invoice))
        .filter(invoices::correction.eq(0))
        .select((
            bookings::resource_id,
            invoices::issued_on,
            booking_quotes::transport_cost_cents,
        ))
        .load(conn)?;
    flows.extend(
        transport
            .into_iter()
            .map(|(resource, day, cost)| (resource, day, Flow::Transport(cost))),
    );
    let maintenance: Vec<(i64, NaiveDate, i64)> = maintenance_records::table
        .inner_join(copies::table.on(copies::id.eq(maintenance_records::copy_id)))
        .filter(copies::producer_id.eq(producer_id))
        .select((
            copies::resource_id,
            maintenance_records::starts_on,
            maintenance_records::cost_cents,
        ))
        .load(conn)?;
    flows.extend(
        maintenance
            .into_iter()
            .map(|(resource, day, cost)| (resource, day, Flow::Maintenance(cost))),
    );
    Ok(flows)
}

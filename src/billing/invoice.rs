//! Invoices and credit notes: issued from returned or closed loans by their producer (or the
//! agency), numbered `YYYY-NNNNNN` per seller and year without gaps or repeats, never changed
//! afterwards; a correction is a credit note, after which the loan may be invoiced again.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::facturx;
use super::ledger::{self, InvoiceInsert, InvoiceRow, Scope};
use super::model::{Currency, Invoice, InvoiceFilter, InvoiceKind, InvoiceRequest, Line};
use super::parties::{self, FrozenParties};
use super::quote::{self, LoanBilling};
use crate::access::Principal;
use crate::booking::BookingStatus;
use crate::db::{write_transaction, DbConnection};
use crate::error::{Code, Error, Result, Validator};
use crate::organization::OrgKind;

/// Who issues a producer's invoices: the producer's people or the agency. A partner's API key
/// needs the `billing:write` scope, which no key holds until scopes exist: keys are refused.
fn may_invoice(p: &Principal, seller_id: i64) -> Result<()> {
    if p.api_key_id.is_some() {
        return Err(Error::Forbidden(
            "an API key needs the billing:write scope to issue invoices".into(),
        ));
    }
    crate::access::policy::issue_invoice(p, seller_id)
}

/// Which invoices a list or an export shows: the agency all, a producer those it issued, a venue
/// those it received.
pub(super) fn scope_of(p: &Principal) -> Scope {
    match p.kind {
        OrgKind::Agency => Scope::All,
        OrgKind::Producer => Scope::Seller(p.organization_id),
        _ => Scope::Buyer(p.organization_id),
    }
}

fn may_read(p: &Principal, row: &InvoiceRow) -> bool {
    crate::access::policy::read_invoice(p, row.seller_id, row.buyer_id)
}

fn to_invoice(row: InvoiceRow, lines: Vec<Line>) -> Invoice {
    Invoice {
        id: row.id,
        number: row.number,
        kind: row.kind,
        issued_on: row.issued_on,
        seller_id: row.seller_id,
        buyer_id: row.buyer_id,
        booking_id: row.booking_id,
        lines,
        total_cents: row.total_cents,
        currency: Currency::Eur,
        credits_invoice_id: row.credits_invoice_id,
        created_at: row.created_at,
        buyer_service_code: row.buyer_service_code,
        commitment_number: row.commitment_number,
    }
}

/// Checks a public buyer's references against what its legal identity requires (422 naming the
/// field) and returns them trimmed.
fn references(
    request: &InvoiceRequest,
    buyer: Option<&crate::organization::legal::LegalIdentity>,
) -> Result<(Option<String>, Option<String>)> {
    let clean = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    let service = clean(&request.buyer_service_code);
    let commitment = clean(&request.commitment_number);
    let mut v = Validator::new();
    for (field, value, max) in [
        ("buyer_service_code", &service, 100),
        ("commitment_number", &commitment, 50),
    ] {
        if let Some(text) = value {
            v.check(
                text.chars().count() <= max && !text.chars().any(char::is_control),
                field,
                &format!("must be at most {max} characters, without control characters"),
            );
        }
    }
    if let Some(identity) = buyer.filter(|b| b.details.public_buyer) {
        v.check(
            !identity.details.service_code_required || service.is_some(),
            "buyer_service_code",
            "this public buyer requires its service code (code service) on its invoices",
        );
        v.check(
            !identity.details.commitment_required || commitment.is_some(),
            "commitment_number",
            "this public buyer requires its commitment number (numéro d'engagement) on its invoices",
        );
    }
    v.finish()?;
    Ok((service, commitment))
}

fn load(conn: &mut DbConnection, row: InvoiceRow) -> Result<Invoice> {
    let lines = ledger::lines_of(conn, &[row.id])?
        .into_iter()
        .map(|(_, l)| l)
        .collect();
    Ok(to_invoice(row, lines))
}

/// A concurrent issuer won the unique guard: the same answer as a repeat.
fn unique_to(code: Code, detail: &'static str) -> impl Fn(Error) -> Error {
    move |e| match e {
        Error::Conflict {
            code: Code::AlreadyExists,
            ..
        } => Error::conflict(code, detail),
        other => other,
    }
}

fn number_of(year: i32, sequence: i32) -> String {
    format!("{year:04}-{sequence:06}")
}

/// Invoices a returned or closed loan: its frozen quote (frozen now if the loan was approved
/// before billing existed) plus the damage its reports found.
pub fn issue(
    conn: &mut DbConnection,
    billing: &LoanBilling,
    p: &Principal,
    booking_id: i64,
    request: &InvoiceRequest,
    now: NaiveDateTime,
) -> Result<Invoice> {
    write_transaction(conn, |conn| {
        let (row, producer_id) = crate::booking::service::visible_booking(conn, p, booking_id)?;
        may_invoice(p, producer_id)?;
        let (seller, seller_identity) = parties::current(conn, producer_id)?;
        let (buyer, buyer_identity) = parties::current(conn, row.venue_id)?;
        let (buyer_service_code, commitment_number) = references(request, buyer_identity.as_ref())?;
        if !matches!(row.status, BookingStatus::Returned | BookingStatus::Closed) {
            return Err(Error::conflict(
                Code::LoanNotReturned,
                format!("the loan is {}; invoice it once returned", row.status),
            ));
        }
        let correction = ledger::credit_notes_of_booking(conn, booking_id)? as i32;
        if let Some(existing) = ledger::invoice_of_booking(conn, booking_id, correction)? {
            return Err(Error::conflict(
                Code::AlreadyInvoiced,
                format!(
                    "the loan is invoiced ({}); credit that invoice to invoice again",
                    existing.number
                ),
            ));
        }
        let missing = crate::organization::legal::missing_for_seller(seller_identity.as_ref());
        if !missing.is_empty() {
            return Err(Error::conflict(
                Code::LegalIdentityIncomplete,
                format!(
                    "the seller's legal identity lacks: {} (PUT /api/v1/organizations/{producer_id}/legal-identity)",
                    missing.join(", ")
                ),
            ));
        }
        let frozen = FrozenParties { seller, buyer }.to_json()?;
        quote::freeze(conn, billing, &row, now)?;
        let quote = quote::booking_quote(conn, billing, &row)?;
        let issued_on = now.date();
        let year = issued_on.year();
        let sequence = ledger::next_number(conn, producer_id, year)?;
        let id = ledger::insert(
            conn,
            &InvoiceInsert {
                number: number_of(year, sequence),
                kind: InvoiceKind::Invoice,
                seller_id: producer_id,
                buyer_id: row.venue_id,
                booking_id,
                year,
                sequence,
                issued_on,
                total_cents: quote.total_cents,
                currency: Currency::Eur.as_str().into(),
                correction,
                credits_invoice_id: None,
                issued_by_organization: p.organization_id,
                created_at: now,
                parties: Some(frozen),
                buyer_service_code,
                commitment_number,
            },
            &quote.lines,
        )
        .map_err(Error::from)
        .map_err(unique_to(
            Code::AlreadyInvoiced,
            "the loan was invoiced meanwhile",
        ))?;
        crate::audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::InvoiceIssued,
            id,
            &serde_json::json!({
                "booking_id": booking_id,
                "number": number_of(year, sequence),
                "total_cents": quote.total_cents,
            }),
            now,
        )?;
        announce(conn, id, now)?;
        get_row(conn, id)
    })
}

fn get_row(conn: &mut DbConnection, id: i64) -> Result<Invoice> {
    let row = ledger::find(conn, id)?.ok_or_else(|| Error::NotFound(format!("invoice {id}")))?;
    load(conn, row)
}

/// Cancels an invoice with a credit note: the same lines negated, numbered in the same sequence.
pub fn credit(
    conn: &mut DbConnection,
    p: &Principal,
    invoice_id: i64,
    now: NaiveDateTime,
) -> Result<Invoice> {
    write_transaction(conn, |conn| {
        let original = ledger::find(conn, invoice_id)?
            .filter(|row| may_read(p, row))
            .ok_or_else(|| Error::NotFound(format!("invoice {invoice_id}")))?;
        may_invoice(p, original.seller_id)?;
        if original.kind == InvoiceKind::CreditNote {
            return Err(Error::conflict(
                Code::InvalidTransition,
                "a credit note is not credited; issue a new invoice instead",
            ));
        }
        if ledger::credit_note_of(conn, invoice_id)?.is_some() {
            return Err(Error::conflict(
                Code::AlreadyCredited,
                format!("invoice {} already has a credit note", original.number),
            ));
        }
        let lines: Vec<Line> = ledger::lines_of(conn, &[invoice_id])?
            .into_iter()
            .map(|(_, l)| Line {
                amount_cents: -l.amount_cents,
                ..l
            })
            .collect();
        let issued_on = now.date();
        let year = issued_on.year();
        let sequence = ledger::next_number(conn, original.seller_id, year)?;
        let id = ledger::insert(
            conn,
            &InvoiceInsert {
                number: number_of(year, sequence),
                kind: InvoiceKind::CreditNote,
                seller_id: original.seller_id,
                buyer_id: original.buyer_id,
                booking_id: original.booking_id,
                year,
                sequence,
                issued_on,
                total_cents: -original.total_cents,
                currency: original.currency.clone(),
                correction: original.correction,
                credits_invoice_id: Some(invoice_id),
                issued_by_organization: p.organization_id,
                created_at: now,
                // The credit note names the parties as the invoice it cancels did.
                parties: original.parties.clone(),
                buyer_service_code: original.buyer_service_code.clone(),
                commitment_number: original.commitment_number.clone(),
            },
            &lines,
        )
        .map_err(Error::from)
        .map_err(unique_to(
            Code::AlreadyCredited,
            "the invoice was credited meanwhile",
        ))?;
        crate::audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::InvoiceCredited,
            id,
            &serde_json::json!({
                "credits_invoice_id": invoice_id,
                "number": number_of(year, sequence),
                "total_cents": -original.total_cents,
            }),
            now,
        )?;
        announce(conn, id, now)?;
        get_row(conn, id)
    })
}

/// Announces an invoice or credit note to its seller's and buyer's webhooks (`invoice.issued`),
/// in the transaction that numbered it, with the invoice as it is then (its snapshot).
fn announce(conn: &mut DbConnection, invoice_id: i64, now: NaiveDateTime) -> Result<()> {
    let snapshot = ledger::snapshot(conn, invoice_id)?
        .map(|s| serde_json::to_value(s).map_err(|e| Error::Internal(e.to_string())))
        .transpose()?;
    crate::outbox::record_with_snapshot(
        conn,
        crate::outbox::EventKind::InvoiceIssued,
        crate::outbox::SubjectType::Invoice,
        invoice_id,
        &serde_json::json!({}),
        snapshot.as_ref(),
        now,
    )?;
    Ok(())
}

/// The invoice in force for a loan (not cancelled by a credit note), as its reader may see it:
/// what a loan page shows instead of offering to invoice again.
pub fn current_of_booking(
    conn: &mut DbConnection,
    p: &Principal,
    booking_id: i64,
) -> Result<Option<Invoice>> {
    let correction = ledger::credit_notes_of_booking(conn, booking_id)? as i32;
    match ledger::invoice_of_booking(conn, booking_id, correction)? {
        Some(row) if may_read(p, &row) => Ok(Some(load(conn, row)?)),
        _ => Ok(None),
    }
}

/// One invoice for its seller, its buyer or the agency (others: 404).
pub fn get(conn: &mut DbConnection, p: &Principal, id: i64) -> Result<Invoice> {
    let row = ledger::find(conn, id)?
        .filter(|row| may_read(p, row))
        .ok_or_else(|| Error::NotFound(format!("invoice {id}")))?;
    load(conn, row)
}

/// Invoices the caller may see: the agency all, a producer those it issued, a venue those it
/// received.
pub fn list(
    conn: &mut DbConnection,
    p: &Principal,
    filter: &InvoiceFilter,
) -> Result<Vec<Invoice>> {
    let mut v = Validator::new();
    let limit = filter.limit.unwrap_or(1000);
    v.in_range("limit", Some(limit), 1..=10_000);
    v.in_range("year", filter.year, 2000..=2999);
    v.finish()?;
    let rows = ledger::list(
        conn,
        scope_of(p),
        filter.seller_id,
        filter.buyer_id,
        filter.year,
        limit,
    )?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut lines = ledger::lines_of(conn, &ids)?;
    lines.sort_by_key(|(id, _)| *id);
    Ok(rows
        .into_iter()
        .map(|row| {
            let from = lines.partition_point(|(id, _)| *id < row.id);
            let to = lines.partition_point(|(id, _)| *id <= row.id);
            let own = lines[from..to].iter().map(|(_, l)| l.clone()).collect();
            to_invoice(row, own)
        })
        .collect())
}

/// Invoices as CSV (one row per document, amounts in cents and in euros), for accounting tools.
pub fn csv(invoices: &[Invoice]) -> String {
    let rows: Vec<Vec<String>> = invoices
        .iter()
        .map(|i| {
            vec![
                i.id.to_string(),
                i.number.clone(),
                i.kind.as_str().to_string(),
                i.issued_on.to_string(),
                i.seller_id.to_string(),
                i.buyer_id.to_string(),
                i.booking_id.to_string(),
                i.total_cents.to_string(),
                crate::money::euros(i.total_cents),
                Currency::Eur.as_str().to_string(),
                i.credits_invoice_id
                    .map(|id| id.to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    crate::text::csv(
        &[
            "id",
            "number",
            "kind",
            "issued_on",
            "seller_id",
            "buyer_id",
            "booking_id",
            "total_cents",
            "total_eur",
            "currency",
            "credits_invoice_id",
        ],
        &rows,
    )
}

/// An invoice or credit note with everything its printed and structured forms show: the parties
/// frozen at issue (the live details only for invoices issued before parties were frozen), the
/// credited invoice, the loan's days of use.
pub struct Printable {
    pub invoice: Invoice,
    pub parties: FrozenParties,
    /// For a credit note: the credited invoice's number and issue date.
    pub preceding: Option<(String, NaiveDate)>,
    /// The loan's days of use, first and last.
    pub period: Option<(NaiveDate, NaiveDate)>,
}

/// The printable invoice, for its seller, its buyer or the agency (others: 404).
pub fn printable(conn: &mut DbConnection, p: &Principal, id: i64) -> Result<Printable> {
    let row = ledger::find(conn, id)?
        .filter(|row| may_read(p, row))
        .ok_or_else(|| Error::NotFound(format!("invoice {id}")))?;
    printable_row(conn, row)
}

/// The printable form of a row the caller may read.
pub(super) fn printable_row(conn: &mut DbConnection, row: InvoiceRow) -> Result<Printable> {
    let parties = match &row.parties {
        Some(json) => FrozenParties::from_json(json)?,
        None => FrozenParties {
            seller: parties::current(conn, row.seller_id)?.0,
            buyer: parties::current(conn, row.buyer_id)?.0,
        },
    };
    let invoice = load(conn, row)?;
    let preceding = match invoice.credits_invoice_id {
        Some(original) => ledger::find(conn, original)?.map(|r| (r.number, r.issued_on)),
        None => None,
    };
    let booking = crate::booking::store::find_booking(conn, invoice.booking_id)?;
    Ok(Printable {
        invoice,
        parties,
        preceding,
        period: booking.map(|b| (b.starts_on, b.ends_on)),
    })
}

impl Printable {
    /// Whether it is a credit note.
    pub fn is_credit_note(&self) -> bool {
        self.invoice.kind == InvoiceKind::CreditNote
    }

    /// UN/CEFACT CII XML, Factur-X EN 16931 profile.
    pub fn cii_xml(&self) -> String {
        let invoice = &self.invoice;
        let seller = &self.parties.seller;
        let lines: Vec<facturx::Line> = invoice
            .lines
            .iter()
            .map(|l| facturx::Line {
                kind: l.kind.as_str(),
                label: &l.label,
                amount_cents: l.amount_cents,
            })
            .collect();
        facturx::cii_xml(&facturx::Document {
            number: &invoice.number,
            credit_note: self.is_credit_note(),
            issued_on: invoice.issued_on,
            seller: seller.as_party(),
            buyer: self.parties.buyer.as_party(),
            lines: &lines,
            total_cents: invoice.total_cents,
            currency: Currency::Eur.as_str(),
            preceding_number: self.preceding.as_ref().map(|(n, _)| n.as_str()),
            preceding_issued_on: self.preceding.as_ref().map(|(_, d)| *d),
            period: self.period,
            booking_id: Some(invoice.booking_id),
            exemption_reason: seller.exemption_reason(),
            payee_account: seller
                .iban
                .as_deref()
                .map(|iban| (iban, seller.bic.as_deref())),
            buyer_reference: invoice.buyer_service_code.as_deref(),
            order_reference: invoice.commitment_number.as_deref(),
        })
    }
}

/// The invoice as UN/CEFACT CII XML, Factur-X EN 16931 profile.
pub fn facturx_xml(conn: &mut DbConnection, p: &Principal, id: i64) -> Result<String> {
    Ok(printable(conn, p, id)?.cii_xml())
}

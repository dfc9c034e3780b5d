//! The papers of a loan in the portal: my invoices with their Factur-X PDF, a period's export for
//! the accountant (a ZIP of the PDFs with the journal, or the journal alone), and a loan's
//! agreement to sign. The same services as the API's `/invoices/…` and
//! `/bookings/{id}/agreement.pdf`, with the session instead of a token.

use actix_web::http::StatusCode;
use askama::Template;
use chrono::{Datelike, NaiveDate};

use super::form::{Errors, Fields};
use super::lang::Lang;
use super::session::signed_in;
use super::session::SignedForm;
use super::{render, words, Layout, Req, State};
use super::{Page, PathId};
use crate::auth::browser::BrowserSession;
use crate::billing::model::{InvoiceFilter, InvoiceKind, InvoicePeriod};
use crate::billing::{agreement, export, invoice, invoice_pdf, LoanBilling};
use crate::error::Error;
use crate::http::{file, Disposition};

/// One invoice line of the list.
pub struct InvoiceLine {
    pub id: i64,
    pub number: String,
    pub kind: &'static str,
    pub issued_on: String,
    pub booking_id: i64,
    pub total: String,
    /// An invoice in force its reader issued: it may be cancelled by a credit note.
    pub can_credit: bool,
}

#[derive(Template)]
#[template(path = "portal/invoices.html")]
struct InvoicesPage {
    layout: Layout,
    invoices: Vec<InvoiceLine>,
    errors: Errors,
    from: String,
    to: String,
    csrf_token: String,
    /// Whether any line may be credited (the column is drawn then).
    any_credit: bool,
    /// What the last action did (an invoice issued, a credit note issued), in words.
    notice: Option<&'static str>,
}

/// The invoices page, with the export form as typed and its errors.
async fn invoices_page(
    state: &State,
    s: &BrowserSession,
    status: StatusCode,
    errors: Errors,
    from: String,
    to: String,
    notice: Option<&'static str>,
) -> Page {
    let p = s.principal.clone();
    let lang = Lang::of_session(s);
    let mut list = state
        .run(move |conn| invoice::list(conn, &p, &InvoiceFilter::default()))
        .await?;
    // Newest first by issue day (ids follow each seller's numbering, not the calendar).
    list.sort_by_key(|i| std::cmp::Reverse((i.issued_on, i.id)));
    // Credit notes are in the list beside the invoices they cancel.
    let credited: std::collections::HashSet<i64> =
        list.iter().filter_map(|i| i.credits_invoice_id).collect();
    let invoices: Vec<InvoiceLine> = list
        .iter()
        .map(|i| InvoiceLine {
            id: i.id,
            number: i.number.clone(),
            kind: words::invoice_kind(lang, i.kind),
            issued_on: lang.day(i.issued_on),
            booking_id: i.booking_id,
            total: crate::page::euros(i.total_cents),
            can_credit: i.kind == InvoiceKind::Invoice
                && !credited.contains(&i.id)
                && crate::access::policy::issue_invoice(&s.principal, i.seller_id).is_ok(),
        })
        .collect();
    render(
        status,
        &InvoicesPage {
            layout: Layout::signed(Lang::of_session(s).t().invoices_title, s, "invoices"),
            any_credit: invoices.iter().any(|i| i.can_credit),
            invoices,
            errors,
            from,
            to,
            csrf_token: s.csrf_token.clone(),
            notice,
        },
    )
}

/// `GET /invoices`: the invoices and credit notes my organisation issued or received, newest
/// first, each with its PDF, and the export of a period (this year so far by default).
pub async fn invoices(state: State, req: Req) -> Page {
    let s = signed_in(&state, &req).await?;
    let today = state.clock.today();
    let from = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let query = Fields::query(req.query_string());
    let t = Lang::of_session(&s).t();
    let notice = if query.get("issued").is_some() {
        Some(t.invoices_issued)
    } else if query.get("credited").is_some() {
        Some(t.invoices_credited)
    } else {
        None
    };
    invoices_page(
        &state,
        &s,
        StatusCode::OK,
        Errors::default(),
        from.to_string(),
        today.to_string(),
        notice,
    )
    .await
}

/// `POST /invoices/{id}/credit`: the seller (or the agency) cancels an invoice with a credit
/// note (`billing::invoice::credit`, as `POST /api/v1/invoices/{id}/credit`); an invoice credited
/// already comes back on the page with the reason, nothing issued.
pub async fn credit(state: State, id: PathId, SignedForm(s, _): SignedForm) -> Page {
    let clock = state.clock;
    let id = id.into_inner();
    let p = s.principal.clone();
    let outcome = state
        .run(move |conn| invoice::credit(conn, &p, id, clock.naive()))
        .await;
    let mut errors = Errors::default();
    match outcome {
        Ok(note) => return Ok(super::see_other(&format!("/invoices?credited={}", note.id))),
        Err(Error::Conflict { .. }) => errors.add("liste", Lang::of_session(&s).t().credit_already),
        Err(e) => return Err(e.into()),
    }
    let today = state.clock.today();
    let from = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    invoices_page(
        &state,
        &s,
        StatusCode::CONFLICT,
        errors,
        from.to_string(),
        today.to_string(),
        None,
    )
    .await
}

/// `GET /invoices/{id}/facturx.pdf`: one invoice or credit note as its Factur-X PDF.
pub async fn invoice_pdf(state: State, req: Req, id: PathId) -> Page {
    let s = signed_in(&state, &req).await?;
    let (p, id) = (s.principal.clone(), id.into_inner());
    let doc = state
        .run(move |conn| invoice::printable(conn, &p, id))
        .await?;
    let name = invoice_pdf::file_name(&doc);
    Ok(file("application/pdf", Disposition::Inline, name, move || {
        invoice_pdf::render(&doc)
    })
    .await?)
}

/// `GET /bookings/{id}/agreement.pdf`: the loan agreement to sign, once approved.
pub async fn agreement_pdf(state: State, req: Req, id: PathId) -> Page {
    let s = signed_in(&state, &req).await?;
    let (p, id) = (s.principal.clone(), id.into_inner());
    let billing = LoanBilling::from_config(&state.config);
    let agreement = state
        .run(move |conn| agreement::agreement(conn, &billing, &p, id))
        .await?;
    let name = agreement::file_name(&agreement);
    Ok(file("application/pdf", Disposition::Inline, name, move || {
        agreement::render(&agreement)
    })
    .await?)
}

/// `GET /invoices/export?from=…&to=…&format=zip|csv`: a period's documents as a ZIP of PDFs with
/// the journal, or the journal alone. Dates that cannot be read, in the wrong order or more than
/// a year apart bring the invoices page back with the errors (422).
pub async fn export(state: State, req: Req) -> Page {
    let s = signed_in(&state, &req).await?;
    let t = Lang::of_session(&s).t();
    let form = Fields::query(req.query_string());
    let mut errors = Errors::default();
    let mut day = |name: &str, advice: &'static str| {
        let parsed = form
            .get(name)
            .and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok());
        if parsed.is_none() {
            errors.add(name, advice);
        }
        parsed
    };
    let (from, to) = (
        day("from", t.export_from_invalid),
        day("to", t.export_to_invalid),
    );
    if let (Some(from), Some(to)) = (from, to) {
        let period = InvoicePeriod {
            from,
            to,
            seller_id: None,
        };
        let p = s.principal.clone();
        let docs = state
            .run(move |conn| export::documents(conn, &p, &period))
            .await;
        match docs {
            Ok(docs) if form.get("format") == Some("csv") => {
                let name = export::file_name(from, to, "csv");
                return Ok(file(
                    "text/csv; charset=utf-8",
                    Disposition::Attachment,
                    name,
                    move || export::journal_csv(&docs).map(String::into_bytes),
                )
                .await?);
            }
            Ok(docs) => {
                let name = export::file_name(from, to, "zip");
                return Ok(file(
                    "application/zip",
                    Disposition::Attachment,
                    name,
                    move || export::zip(&docs),
                )
                .await?);
            }
            Err(Error::Validation(_)) => errors.add("to", t.export_period_invalid),
            Err(e) => return Err(e.into()),
        }
    }
    invoices_page(
        &state,
        &s,
        StatusCode::UNPROCESSABLE_ENTITY,
        errors,
        form.value("from"),
        form.value("to"),
        None,
    )
    .await
}

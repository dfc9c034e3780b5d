//! HTTP handlers of the money domain.

use actix_web::http::header;
use actix_web::{get, patch, post, put, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Principal;
use crate::api::idempotency::IdempotencyKey;
use crate::api::{act_on, run_json};
use crate::billing::model::{
    Invoice, InvoiceFilter, InvoicePeriod, InvoiceRequest, NewSubsidyProgram, PricingPolicy, Quote,
    QuoteQuery, RevenueQuery, RevenueReport, SubsidyProgram, SubsidyProgramPatch, Tariff,
};
use crate::billing::{
    agreement, export, invoice, invoice_pdf, quote, revenue, service, subsidy, LoanBilling,
};
use crate::http::{file, ApiResult, Disposition, Problem};
use crate::state::AppState;

/// Registers the money routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_tariff)
        .service(put_tariff)
        .service(get_pricing_policy)
        .service(put_pricing_policy)
        .service(booking_quote)
        .service(booking_agreement_pdf)
        .service(export_invoices)
        .service(resource_quote)
        .service(create_program)
        .service(list_programs)
        .service(get_program)
        .service(update_program)
        .service(issue_invoice)
        .service(credit_invoice)
        .service(list_invoices)
        .service(get_invoice)
        .service(invoice_facturx)
        .service(invoice_facturx_pdf)
        .service(producer_revenue);
}

/// The tariff of a resource (zero amounts when its producer set none). Every authenticated caller
/// may read it.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id")),
    responses(
        (status = 200, description = "The tariff", body = Tariff),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/resources/{id}/tariff")]
async fn get_tariff(
    state: web::Data<AppState>,
    _principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Tariff>> {
    let id = id.into_inner();
    run_json(&state, move |conn| service::tariff(conn, id)).await
}

/// Sets the tariff of a resource: per loan, per started week of use, and the deposit, in cents
/// (0 to 100,000,000). Its producer or the agency.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id")),
    request_body = Tariff,
    responses(
        (status = 200, description = "The tariff now in force", body = Tariff),
        (status = 403, description = "Another producer's resource", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A negative or too large amount", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/resources/{id}/tariff")]
async fn put_tariff(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<Tariff>,
) -> ApiResult<web::Json<Tariff>> {
    let clock = state.clock;
    let id = id.into_inner();
    let tariff = body.into_inner();
    run_json(&state, move |conn| {
        service::put_tariff(conn, &principal, id, &tariff, clock.naive())
    })
    .await
}

/// The network's pricing policy in force. Every authenticated caller may read it.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The policy", body = PricingPolicy),
    )
)]
#[get("/pricing-policy")]
async fn get_pricing_policy(
    state: web::Data<AppState>,
    _principal: Principal,
) -> ApiResult<web::Json<PricingPolicy>> {
    run_json(&state, service::pricing_policy).await
}

/// Replaces the network's pricing policy: the share of the rental each commune class pays and the
/// share of the transport cost recharged to it, whole percent from 0 to 100. The agency only.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    request_body = PricingPolicy,
    responses(
        (status = 200, description = "The policy now in force", body = PricingPolicy),
        (status = 403, description = "Not the agency", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A percentage outside 0–100 (field `class_rate_percent.village`, …)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/pricing-policy")]
async fn put_pricing_policy(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<PricingPolicy>,
) -> ApiResult<web::Json<PricingPolicy>> {
    let clock = state.clock;
    let policy = body.into_inner();
    run_json(&state, move |conn| {
        service::put_pricing_policy(conn, &principal, &policy, clock.naive())
    })
    .await
}

/// The quote of a booking, line by line: computed afresh until approval, frozen by it (rental,
/// discount, transport, subsidy), with the damage its return and inspection reports found. Its
/// venue, its producer and the agency.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    responses(
        (status = 200, description = "The quote", body = Quote),
        (status = 404, description = "No such booking, or another's", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/bookings/{id}/quote")]
async fn booking_quote(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Quote>> {
    let id = id.into_inner();
    let billing = LoanBilling::from_config(&state.config);
    run_json(&state, move |conn| {
        quote::quote_for(conn, &billing, &principal, id)
    })
    .await
}

/// The loan agreement (*convention de prêt*) as a PDF/A-3b file, in French: both parties with
/// their legal identity, the resource and its copy with every component, the days of delivery,
/// use and pick-up, the value to insure, the deposit, the price with its subsidy and the real cost
/// of the road, the conditions of use and two signature blocks. Once the booking is approved. Its
/// venue, its producer and the agency.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    responses(
        (status = 200, description = "The agreement (PDF/A-3b)", body = Vec<u8>, content_type = "application/pdf"),
        (status = 404, description = "No such booking, or another's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`agreement_not_ready`: the booking is not approved (requested, rejected, cancelled or expired)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/bookings/{id}/agreement.pdf")]
async fn booking_agreement_pdf(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let billing = LoanBilling::from_config(&state.config);
    let agreement = state
        .run(move |conn| agreement::agreement(conn, &billing, &principal, id))
        .await?;
    let name = agreement::file_name(&agreement);
    Ok(file("application/pdf", Disposition::Inline, name, move || {
        agreement::render(&agreement)
    })
    .await?)
}

/// What a venue would pay to borrow a resource over some days, before it asks: today's tariff,
/// policy and budgets, the nearest copy's outbound and return legs. Nothing is booked or
/// committed. A venue for itself; the resource's producer and the agency for any venue.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id"), QuoteQuery),
    responses(
        (status = 200, description = "The quote (`booking_id` null)", body = Quote),
        (status = 403, description = "Another venue's quote", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Dates in the wrong order, a year or longer, or `venue_id` not a venue", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/resources/{id}/quote")]
async fn resource_quote(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    query: web::Query<QuoteQuery>,
) -> ApiResult<web::Json<Quote>> {
    let id = id.into_inner();
    let query = query.into_inner();
    let billing = LoanBilling::from_config(&state.config);
    run_json(&state, move |conn| {
        quote::preview(conn, &billing, &principal, id, &query)
    })
    .await
}

/// Creates a funder's subsidy programme: a rate of the venue's price, a budget never overdrawn,
/// a validity (the first day of use must fall in it), eligibility by commune class, EPCI and
/// venue type. The agency only.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    request_body = NewSubsidyProgram,
    responses(
        (status = 201, description = "The programme", body = SubsidyProgram),
        (status = 403, description = "Not the agency", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rate outside 0–100, a negative budget, dates in the wrong order, an empty list, a SIREN not of 9 digits", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/subsidy-programs")]
async fn create_program(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<NewSubsidyProgram>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let new = body.into_inner();
    let program = state
        .run(move |conn| subsidy::create(conn, &principal, &new, clock.naive()))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/subsidy-programs/{}", program.id),
        ))
        .json(program))
}

/// Every subsidy programme with its budget, committed and remaining amounts: the agency's view of
/// the funders' money. Every authenticated caller may read them.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The programmes, by id", body = Vec<SubsidyProgram>),
    )
)]
#[get("/subsidy-programs")]
async fn list_programs(
    state: web::Data<AppState>,
    _principal: Principal,
) -> ApiResult<web::Json<Vec<SubsidyProgram>>> {
    run_json(&state, subsidy::list).await
}

/// One subsidy programme with its budget as it stands.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Programme id")),
    responses(
        (status = 200, description = "The programme", body = SubsidyProgram),
        (status = 404, description = "No such programme", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/subsidy-programs/{id}")]
async fn get_program(
    state: web::Data<AppState>,
    _principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<SubsidyProgram>> {
    let id = id.into_inner();
    run_json(&state, move |conn| subsidy::get(conn, id)).await
}

/// Changes a subsidy programme (the agency). Quotes already frozen keep their subsidy; the budget
/// never goes below what is committed.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Programme id")),
    request_body = SubsidyProgramPatch,
    responses(
        (status = 200, description = "The programme", body = SubsidyProgram),
        (status = 403, description = "Not the agency", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`budget_below_committed`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A value out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/subsidy-programs/{id}")]
async fn update_program(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<SubsidyProgramPatch>,
) -> ApiResult<web::Json<SubsidyProgram>> {
    let clock = state.clock;
    let id = id.into_inner();
    let patch = body.into_inner();
    run_json(&state, move |conn| {
        subsidy::update(conn, &principal, id, &patch, clock.naive())
    })
    .await
}

/// Invoices a returned or closed loan from its frozen quote and the damage found: the next number
/// of the producer's sequence for the year. The producer or the agency; an API key needs the
/// `billing:write` scope.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Booking id"),
        ("Idempotency-Key" = Option<String>, Header, description = "1–255 printable ASCII characters, unique per request of your organisation. A retry with the same key and body within 24 h replays the first answer (same status and body, header `Idempotent-Replayed: true`) and acts no more; the same key with another body is 422 `idempotency_key_reused`; while the first request runs, 409 `idempotency_key_in_progress` with `Retry-After: 1`."),
    ),
    request_body(content = Option<InvoiceRequest>, description = "Optional: a public buyer's service code and commitment number"),
    responses(
        (status = 201, description = "The invoice", body = Invoice),
        (status = 403, description = "Not the loan's producer or the agency, or an API key without `billing:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such booking, or another's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_invoiced`, `loan_not_returned`, or `legal_identity_incomplete` (the seller lacks a SIRET, a VAT number or exemption, or an IBAN: the detail lists what)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A public buyer's mandatory `buyer_service_code` or `commitment_number` missing, or too long: nothing issued; a malformed `Idempotency-Key`; `idempotency_key_reused`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/bookings/{id}/invoice")]
async fn issue_invoice(
    state: web::Data<AppState>,
    principal: Principal,
    key: IdempotencyKey,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let id = id.into_inner();
    let request: InvoiceRequest = crate::http::optional_json(&body)?;
    let keyed = crate::api::idempotency::KeyedRequest::new(&principal, key, &req, &request)?;
    crate::api::idempotency::once(&state, keyed, |_| async {
        let billing = LoanBilling::from_config(&state.config);
        let invoice = state
            .run(move |conn| {
                invoice::issue(conn, &billing, &principal, id, &request, clock.naive())
            })
            .await?;
        Ok(HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/api/v1/invoices/{}", invoice.id)))
            .json(invoice))
    })
    .await
}

/// Cancels an invoice with a credit note (negated lines, the next number of the same sequence);
/// the loan may then be invoiced again. Invoices themselves never change.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Invoice id")),
    responses(
        (status = 201, description = "The credit note", body = Invoice),
        (status = 403, description = "Not the seller or the agency, or an API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice, or another's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_credited`, or `invalid_transition` for a credit note", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/invoices/{id}/credit-note")]
async fn credit_invoice(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let note = act_on(&state, principal, id, invoice::credit).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/invoices/{}", note.id)))
        .json(note))
}

/// A period's invoices and credit notes as one ZIP for the accountant or a deposit on Chorus Pro:
/// `journal.csv` and each document's Factur-X PDF/A-3b in its seller's folder (the seller's
/// SIRET: numbers are per seller); with
/// `Accept: text/csv`, the journal alone. The journal is written the way a French spreadsheet
/// opens it (UTF-8 with a byte-order mark, `;` between fields, decimal comma): number, type
/// (`facture`, `avoir`), issue date, seller and buyer with their SIRET, a public buyer's service
/// code and commitment number, booking, totals (credit notes negative), the credited invoice, the
/// PDF's path in the ZIP. Nothing is sent anywhere: the service reaches no outside system. The
/// agency sees all, a producer those it issued, a venue those it received; at most 366 days and
/// 10,000 documents.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(InvoicePeriod),
    responses(
        (status = 200, description = "ZIP of `journal.csv` and one PDF per document, or the journal alone with `Accept: text/csv`", content((Vec<u8> = "application/zip"), (String = "text/csv"))),
        (status = 422, description = "`to` before `from`, a period over 366 days, or over 10,000 documents", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/invoices/export")]
async fn export_invoices(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<InvoicePeriod>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let period = query.into_inner();
    let (from, to) = (period.from, period.to);
    let docs = state
        .run(move |conn| export::documents(conn, &principal, &period))
        .await?;
    Ok(if crate::http::wants_csv(&req) {
        let name = export::file_name(from, to, "csv");
        file(
            "text/csv; charset=utf-8",
            Disposition::Attachment,
            name,
            move || export::journal_csv(&docs).map(String::into_bytes),
        )
        .await?
    } else {
        let name = export::file_name(from, to, "zip");
        file(
            "application/zip",
            Disposition::Attachment,
            name,
            move || export::zip(&docs),
        )
        .await?
    })
}

/// Invoices and credit notes, newest first: the agency sees all, a producer those it issued, a
/// venue those it received. `Accept: text/csv` gives a CSV file for accounting.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(InvoiceFilter),
    responses(
        (status = 200, description = "The invoices (JSON, or CSV with `Accept: text/csv`)", content((Vec<Invoice> = "application/json"), (String = "text/csv"))),
        (status = 422, description = "A limit or year out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/invoices")]
async fn list_invoices(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<InvoiceFilter>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let filter = query.into_inner();
    let invoices = state
        .run(move |conn| invoice::list(conn, &principal, &filter))
        .await?;
    Ok(crate::http::json_or_csv(
        &req,
        &invoices[..],
        "invoices.csv",
        invoice::csv,
    ))
}

/// One invoice or credit note, for its seller, its buyer and the agency: JSON, or with
/// `Accept: application/pdf` its Factur-X PDF/A-3 (as `/invoices/{id}/facturx.pdf`). Any other
/// `Accept` is 406.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Invoice id")),
    responses(
        (status = 200, description = "The invoice (JSON, or the Factur-X PDF with `Accept: application/pdf`)", content((Invoice = "application/json"), (Vec<u8> = "application/pdf"))),
        (status = 404, description = "No such invoice, or another's", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "`not_acceptable`: an `Accept` naming neither JSON nor PDF", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/invoices/{id}")]
async fn get_invoice(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    match crate::http::negotiate(&req, &["application/json", "application/pdf"])? {
        "application/pdf" => facturx_pdf_response(&state, principal, id).await,
        _ => Ok(HttpResponse::Ok().json(
            state
                .run(move |conn| invoice::get(conn, &principal, id))
                .await?,
        )),
    }
}

/// The Factur-X PDF of an invoice, rendered off the async workers.
async fn facturx_pdf_response(
    state: &AppState,
    principal: Principal,
    id: i64,
) -> ApiResult<HttpResponse> {
    let doc = state
        .run(move |conn| invoice::printable(conn, &principal, id))
        .await?;
    let name = invoice_pdf::file_name(&doc);
    Ok(file("application/pdf", Disposition::Inline, name, move || {
        invoice_pdf::render(&doc)
    })
    .await?)
}

/// The invoice as a Factur-X PDF/A-3b: the readable French invoice with its CII XML (the
/// document of `/facturx.xml`) attached as `factur-x.xml` (relationship `Alternative`, XMP
/// Factur-X 1.0, conformance level EN 16931). Credit notes alike. Its seller, its buyer and the
/// agency.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Invoice id")),
    responses(
        (status = 200, description = "Factur-X PDF/A-3b", body = Vec<u8>, content_type = "application/pdf"),
        (status = 404, description = "No such invoice, or another's", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/invoices/{id}/facturx.pdf")]
async fn invoice_facturx_pdf(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    facturx_pdf_response(&state, principal, id.into_inner()).await
}

/// The invoice as a structured e-invoice: UN/CEFACT Cross Industry Invoice XML, Factur-X EN 16931
/// profile (public bodies must receive structured invoices; e-invoicing is mandatory in France
/// from 2026–2027). VAT category E: the network's producers lend without VAT.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Invoice id")),
    responses(
        (status = 200, description = "CII XML", body = String, content_type = "application/xml"),
        (status = 404, description = "No such invoice, or another's", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/invoices/{id}/facturx.xml")]
async fn invoice_facturx(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let xml = state
        .run(move |conn| invoice::facturx_xml(conn, &principal, id))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/xml; charset=utf-8")
        .body(xml))
}

/// Revenue and cost recovery of a producer's resources for a year: what they earned (whoever
/// paid), what venues and funders paid, transport and maintenance costs, net, and, all time, the
/// share of each production cost recovered with a payback forecast. The producer or the agency.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Producer organisation id"), RevenueQuery),
    responses(
        (status = 200, description = "The report", body = RevenueReport),
        (status = 404, description = "Not the caller's revenue", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A year out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/producers/{id}/revenue")]
async fn producer_revenue(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    query: web::Query<RevenueQuery>,
) -> ApiResult<web::Json<RevenueReport>> {
    let clock = state.clock;
    let id = id.into_inner();
    let year = query.year;
    run_json(&state, move |conn| {
        revenue::producer_revenue(conn, &principal, id, year, clock.today())
    })
    .await
}

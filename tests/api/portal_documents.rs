//! A loan's papers in the portal (issue 26): my invoices each with its Factur-X PDF, the export of
//! a period (ZIP of PDFs with the journal, or the journal alone) with bad dates answered on the
//! page, and the loan agreement once approved — the same services as the API, with the session.

use serde_json::json;

use crate::builders::{day, id_of, BookingBuilder, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::{TestApp, PASSWORD};
use crate::einvoice::{buyer_identity, invoiced_loan, seller_identity, set_identity};
use crate::on_both_backends;
use crate::portal::Browser;

async fn a_venue_downloads_its_invoices_exports_a_period_and_its_agreement(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    set_identity(&app, &net.producer, seller_identity()).await;
    set_identity(&app, &net.venue, buyer_identity()).await;
    let (invoice, number) = invoiced_loan(&app, &net).await;

    let mut browser = Browser::new(&app);
    assert_eq!(browser.log_in(&net.venue.email, PASSWORD).await.status, 303);
    let list = browser.get("/invoices").await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(list.text.contains(&number), "{}", list.text);
    let link = format!("href=\"/invoices/{invoice}/facturx.pdf\"");
    assert!(list.text.contains(&link), "a PDF link: {}", list.text);
    let pdf = browser
        .get(&format!("/invoices/{invoice}/facturx.pdf"))
        .await;
    assert_eq!(pdf.status, 200);
    assert!(pdf.text.starts_with("%PDF-"), "not a PDF");

    let period = format!("from={}&to={}", day(-7), day(0));
    let zip = browser
        .get(&format!("/invoices/export?{period}&format=zip"))
        .await;
    assert_eq!(zip.status, 200);
    assert!(zip.text.starts_with("PK"), "not a ZIP");
    let csv = browser
        .get(&format!("/invoices/export?{period}&format=csv"))
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.text.contains(&number), "{}", csv.text);

    // Bad dates: the page again, the errors listed and tied to their fields, the values kept.
    let bad = browser
        .get(&format!(
            "/invoices/export?from=31/01/2027&to={}&format=zip",
            day(0)
        ))
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("href=\"#from\""), "{}", bad.text);
    assert!(bad.text.contains("AAAA-MM-JJ"), "{}", bad.text);
    assert!(bad.text.contains("value=\"31/01/2027\""), "{}", bad.text);
    let upside_down = browser
        .get(&format!("/invoices/export?from={}&to={}", day(0), day(-1)))
        .await;
    assert_eq!(upside_down.status, 422, "{}", upside_down.text);
    assert!(
        upside_down.text.contains("href=\"#to\""),
        "{}",
        upside_down.text
    );

    // The agreement: not while requested, then a PDF once approved.
    let trunk = ResourceBuilder::trunk("Malle de l'eau")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let requested = id_of(
        &BookingBuilder::new(trunk.id, &net.venue, day(20), day(30))
            .build(&app, &net.producer)
            .await,
    );
    let early = browser
        .get(&format!("/bookings/{requested}/agreement.pdf"))
        .await;
    assert_eq!(early.status, 409, "{}", early.text);
    let loan = browser.get(&format!("/bookings/{requested}")).await;
    assert!(
        !loan.text.contains("agreement.pdf"),
        "no agreement before approval"
    );
    assert!(
        early.text.contains("<html"),
        "a page, not JSON: {}",
        early.text
    );
    let approved = app
        .post(
            &format!("/api/v1/bookings/{requested}/approve"),
            Some(&net.producer.token),
            json!({}),
        )
        .await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    let loan = browser.get(&format!("/bookings/{requested}")).await;
    let link = format!("href=\"/bookings/{requested}/agreement.pdf\"");
    assert!(
        loan.text.contains(&link),
        "the loan page links its agreement"
    );
    let agreement = browser
        .get(&format!("/bookings/{requested}/agreement.pdf"))
        .await;
    assert_eq!(agreement.status, 200);
    assert!(agreement.text.starts_with("%PDF-"), "not a PDF");

    // Another organisation's papers do not exist for this venue.
    let stranger = app.producer(&net.agency, AMIENS).await;
    let mut other = Browser::new(&app);
    assert_eq!(other.log_in(&stranger.email, PASSWORD).await.status, 303);
    assert_eq!(
        other
            .get(&format!("/invoices/{invoice}/facturx.pdf"))
            .await
            .status,
        404
    );
    assert_eq!(
        other
            .get(&format!("/bookings/{requested}/agreement.pdf"))
            .await
            .status,
        404
    );
}

on_both_backends!(a_venue_downloads_its_invoices_exports_a_period_and_its_agreement);

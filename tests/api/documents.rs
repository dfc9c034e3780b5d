//! Printable documents (issue 26): the Factur-X PDF/A-3 of invoices and credit notes, served at
//! `/facturx.pdf` and on `Accept: application/pdf`, carrying the very XML of `/facturx.xml`;
//! other `Accept` values are 406. (The PDF/A and Factur-X readers' checks run in `make test`'s
//! contract stage with PyPI `factur-x` and `pikepdf`.)

use serde_json::json;

use crate::builders::{Network, AMIENS, VILLAGE};
use crate::common::{Resp, TestApp};
use crate::einvoice::{buyer_identity, returned_loan, seller_identity, set_identity};
use crate::on_both_backends;

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The checks every Factur-X PDF passes: a PDF/A-3 carrying `xml` as `factur-x.xml`.
fn assert_facturx(res: &Resp, xml: &str) {
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.content_type, "application/pdf");
    assert!(res.bytes.starts_with(b"%PDF-"), "not a PDF");
    for expected in [
        &b"<pdfaid:part>3</pdfaid:part>"[..],
        b"<pdfaid:conformance>B</pdfaid:conformance>",
        b"<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>",
        b"<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>",
        b"/AFRelationship/Alternative",
        b"(factur-x.xml)",
        xml.as_bytes(),
    ] {
        assert!(
            contains(&res.bytes, expected),
            "missing {}",
            String::from_utf8_lossy(&expected[..expected.len().min(80)])
        );
    }
}

/// An invoice and its credit note as Factur-X PDFs, for the seller, the buyer and the agency,
/// by path or by `Accept`; a stranger is told it does not exist; `Accept: text/html` is 406.
async fn invoices_are_facturx_pdfs(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    set_identity(&app, &net.producer, seller_identity()).await;
    set_identity(&app, &net.venue, buyer_identity()).await;
    let booking = returned_loan(&app, &net).await;
    let issued = app
        .post(
            &format!("/api/v1/bookings/{booking}/invoice"),
            Some(&net.producer.token),
            json!({}),
        )
        .await;
    assert_eq!(issued.status, 201, "{}", issued.text);
    let id = issued.body["id"].as_i64().unwrap();
    let xml = app
        .get(
            &format!("/api/v1/invoices/{id}/facturx.xml"),
            Some(&net.venue.token),
        )
        .await
        .text;

    for who in [&net.venue, &net.producer, &net.agency] {
        let pdf = app
            .get(
                &format!("/api/v1/invoices/{id}/facturx.pdf"),
                Some(&who.token),
            )
            .await;
        assert_facturx(&pdf, &xml);
    }
    let by_accept = app
        .raw_with(
            "GET",
            &format!("/api/v1/invoices/{id}"),
            Some(&net.venue.token),
            None,
            &[("Accept", "application/pdf")],
            Vec::new(),
        )
        .await;
    assert_facturx(&by_accept, &xml);
    let json = app
        .raw_with(
            "GET",
            &format!("/api/v1/invoices/{id}"),
            Some(&net.venue.token),
            None,
            &[("Accept", "application/json, */*;q=0.1")],
            Vec::new(),
        )
        .await;
    assert_eq!(json.status, 200, "{}", json.text);
    assert_eq!(json.body["id"], id);
    let html = app
        .raw_with(
            "GET",
            &format!("/api/v1/invoices/{id}"),
            Some(&net.venue.token),
            None,
            &[("Accept", "text/html")],
            Vec::new(),
        )
        .await;
    assert_eq!(
        (html.status, html.code()),
        (406, "not_acceptable"),
        "{}",
        html.text
    );

    let stranger = app.producer(&net.agency, AMIENS).await;
    let hidden = app
        .get(
            &format!("/api/v1/invoices/{id}/facturx.pdf"),
            Some(&stranger.token),
        )
        .await;
    assert_eq!(hidden.status, 404, "{}", hidden.text);

    let note = app
        .post(
            &format!("/api/v1/invoices/{id}/credit-note"),
            Some(&net.producer.token),
            json!({}),
        )
        .await;
    assert_eq!(note.status, 201, "{}", note.text);
    let note_id = note.body["id"].as_i64().unwrap();
    let note_xml = app
        .get(
            &format!("/api/v1/invoices/{note_id}/facturx.xml"),
            Some(&net.venue.token),
        )
        .await
        .text;
    assert!(note_xml.contains("<ram:TypeCode>381</ram:TypeCode>"));
    let note_pdf = app
        .get(
            &format!("/api/v1/invoices/{note_id}/facturx.pdf"),
            Some(&net.venue.token),
        )
        .await;
    assert_facturx(&note_pdf, &note_xml);
}

on_both_backends!(invoices_are_facturx_pdfs);

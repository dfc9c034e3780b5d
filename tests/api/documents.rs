//! Printable documents (issue 26): the Factur-X PDF/A-3 of invoices and credit notes, served at
//! `/facturx.pdf` and on `Accept: application/pdf`, carrying the very XML of `/facturx.xml`;
//! other `Accept` values are 406. (The PDF/A and Factur-X readers' checks run in `make test`'s
//! contract stage with PyPI `factur-x` and `pikepdf`.)

use serde_json::json;

use crate::builders::{day, id_of, BookingBuilder, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::{Resp, TestApp};
use crate::einvoice::{buyer_identity, invoiced_loan, seller_identity, set_identity};
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
    let (id, _) = invoiced_loan(&app, &net).await;
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

/// The loan agreement exists once the producer approved: a PDF/A for the venue, the producer and
/// the agency (titled with its booking), 409 `agreement_not_ready` while requested, 404 for a
/// stranger.
async fn the_loan_agreement_is_a_pdf_once_approved(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    set_identity(&app, &net.producer, seller_identity()).await;
    let trunk = ResourceBuilder::trunk("Malle de l'eau")
        .component("Aquarium", 1)
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let requested = BookingBuilder::new(trunk.id, &net.venue, day(20), day(30))
        .build(&app, &net.producer)
        .await;
    let id = id_of(&requested);
    let path = format!("/api/v1/bookings/{id}/agreement.pdf");
    let early = app.get(&path, Some(&net.venue.token)).await;
    assert_eq!(
        (early.status, early.code()),
        (409, "agreement_not_ready"),
        "{}",
        early.text
    );
    let approved = app
        .post(
            &format!("/api/v1/bookings/{id}/approve"),
            Some(&net.producer.token),
            json!({}),
        )
        .await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    for who in [&net.venue, &net.producer, &net.agency] {
        let pdf = app.get(&path, Some(&who.token)).await;
        assert_eq!(pdf.status, 200, "{}", pdf.text);
        assert_eq!(pdf.content_type, "application/pdf");
        assert!(pdf.bytes.starts_with(b"%PDF-"), "not a PDF");
        assert!(contains(&pdf.bytes, b"<pdfaid:part>3</pdfaid:part>"));
        let title = format!("Convention de prêt, réservation {id}");
        assert!(contains(&pdf.bytes, title.as_bytes()), "untitled agreement");
        let disposition = pdf
            .headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(disposition.contains(&format!("convention-pret-{id}.pdf")));
    }
    let stranger = app.producer(&net.agency, AMIENS).await;
    let hidden = app.get(&path, Some(&stranger.token)).await;
    assert_eq!(hidden.status, 404, "{}", hidden.text);
}

/// The journal of a period, as the caller sees it (`Accept: text/csv` on the export).
async fn csv(app: &TestApp, who: &crate::common::Actor, period: &str) -> Resp {
    app.raw_with(
        "GET",
        &format!("/api/v1/invoices/export?{period}"),
        Some(&who.token),
        None,
        &[("Accept", "text/csv")],
        Vec::new(),
    )
    .await
}

/// A period's invoices for the accountant: the journal as a French CSV (BOM, `;`, decimal comma,
/// credit notes negative) and a ZIP of the journal with every Factur-X PDF named as the journal
/// says, a folder per seller (two sellers' numbers meet in the agency's export); each reader sees
/// its own; a period upside down or over a year is 422.
async fn a_period_exports_as_a_zip_of_pdfs_and_a_journal(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    set_identity(&app, &net.producer, seller_identity()).await;
    set_identity(&app, &net.venue, buyer_identity()).await;
    let mut numbers = Vec::new();
    let mut first = None;
    for _ in 0..2 {
        let (id, number) = invoiced_loan(&app, &net).await;
        numbers.push(number);
        first.get_or_insert(id);
    }
    let note = app
        .post(
            &format!("/api/v1/invoices/{}/credit-note", first.unwrap()),
            Some(&net.producer.token),
            json!({}),
        )
        .await;
    assert_eq!(note.status, 201, "{}", note.text);
    numbers.push(note.body["number"].as_str().unwrap().to_string());
    let credited_total = note.body["total_cents"].as_i64().unwrap();
    assert!(credited_total < 0, "a credit note's total is negative");

    let period = format!("from={}&to={}", day(-30), day(0));
    let journal = csv(&app, &net.producer, &period).await;
    assert_eq!(journal.status, 200, "{}", journal.text);
    assert!(journal.content_type.starts_with("text/csv"));
    assert!(journal.bytes.starts_with("\u{feff}".as_bytes()), "no BOM");
    let lines: Vec<&str> = journal
        .text
        .trim_start_matches('\u{feff}')
        .lines()
        .collect();
    assert!(lines[0].starts_with("numero;type;date_emission;vendeur;siret_vendeur;acheteur"));
    assert_eq!(lines.len(), 4, "{}", journal.text);
    let mut files = Vec::new();
    for (line, number) in lines[1..].iter().zip(&numbers) {
        let cols: Vec<&str> = line.split(';').collect();
        assert_eq!(cols[0], number);
        assert_eq!(cols[4], "12002701600357", "seller SIRET");
        assert_eq!(cols[6], "40483304800022", "buyer SIRET");
        assert!(cols[12].contains(','), "decimal comma: {line}");
        files.push(cols[15].to_string());
    }
    let credit: Vec<&str> = lines[3].split(';').collect();
    assert_eq!(credit[1], "avoir");
    assert_eq!(credit[14], numbers[0], "the credited invoice");
    let euros = format!("-{},{:02}", -credited_total / 100, -credited_total % 100);
    assert_eq!(credit[12], euros, "a credit note counts negative");

    let venue_journal = csv(&app, &net.venue, &period).await;
    assert_eq!(venue_journal.text.lines().count(), 4, "the buyer sees them");
    let stranger = app.producer(&net.agency, AMIENS).await;
    let none = csv(&app, &stranger, &period).await;
    assert_eq!(none.text.lines().count(), 1, "{}", none.text);

    // A second seller's first invoice has the same number as the first seller's.
    let other = Network {
        agency: net.agency.clone(),
        producer: stranger.clone(),
        venue: net.venue.clone(),
    };
    let mut identity = seller_identity();
    identity["siret"] = json!("40483304800022");
    set_identity(&app, &other.producer, identity).await;
    let (_, other_number) = invoiced_loan(&app, &other).await;
    assert_eq!(other_number, numbers[0], "numbers are per seller");
    let everything = app
        .get(
            &format!("/api/v1/invoices/export?{period}"),
            Some(&net.agency.token),
        )
        .await;
    assert_eq!(everything.status, 200, "{}", everything.text);
    let archive = zip::ZipArchive::new(std::io::Cursor::new(everything.bytes)).unwrap();
    let names: Vec<&str> = archive.file_names().collect();
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(names.contains(&format!("12002701600357/facture-{}.pdf", numbers[0]).as_str()));
    assert!(names.contains(&format!("40483304800022/facture-{}.pdf", numbers[0]).as_str()));

    let zip = app
        .get(
            &format!("/api/v1/invoices/export?{period}"),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(zip.status, 200, "{}", zip.text);
    assert_eq!(zip.content_type, "application/zip");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.bytes)).unwrap();
    let names: Vec<String> = archive.file_names().map(String::from).collect();
    let mut expected = vec!["journal.csv".to_string()];
    expected.extend(files.iter().cloned());
    let mut sorted = names.clone();
    sorted.sort();
    expected.sort();
    assert_eq!(sorted, expected);
    for name in &files {
        let mut pdf = Vec::new();
        std::io::Read::read_to_end(&mut archive.by_name(name).unwrap(), &mut pdf).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "{name} is not a PDF");
        assert!(contains(&pdf, b"<fx:DocumentFileName>factur-x.xml"));
    }

    // Upside down, then 401 days: over a year.
    for query in [
        format!("from={}&to={}", day(0), day(-1)),
        format!("from={}&to={}", day(-400), day(0)),
    ] {
        let bad = app
            .get(
                &format!("/api/v1/invoices/export?{query}"),
                Some(&net.producer.token),
            )
            .await;
        assert_eq!(bad.status, 422, "{query}: {}", bad.text);
        assert_eq!(bad.body["errors"][0]["field"], "to", "{}", bad.text);
    }
}
on_both_backends!(
    invoices_are_facturx_pdfs,
    the_loan_agreement_is_a_pdf_once_approved,
    a_period_exports_as_a_zip_of_pdfs_and_a_journal
);

//! Photos, documents and labels in the portal (issue 24): the producer attaches a photo and a PDF
//! from the resource page and the venue then sees and opens them; a wrong type, an oversized file
//! or a missing CSRF token change nothing and say why; labels carry a QR code of each copy's page,
//! which leads the venue holding the loan to its condition report.

use crate::builders::{day, id_of, BookingBuilder, Network, ResourceBuilder, AMIENS};
use crate::common::{TestApp, PASSWORD};
use crate::media::{pdf, png};
use crate::on_both_backends;
use crate::portal::{hidden, Browser};

async fn media_of(app: &TestApp, net: &Network, resource: i64) -> Vec<serde_json::Value> {
    let res = app
        .get(
            &format!("/api/v1/resources/{resource}/media"),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body.as_array().cloned().unwrap_or_default()
}

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let mut b = Browser::new(app);
    let res = b.log_in(email, PASSWORD).await;
    assert_eq!(res.status, 303, "{}", res.text);
    b
}

async fn a_producer_uploads_a_photo_and_a_pdf_the_venue_then_sees(app: TestApp) {
    let net = Network::new(&app).await;
    let kit = ResourceBuilder::kit("Kit des volcans")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let path = format!("/resources/{}", kit.id);
    let upload = format!("/resources/{}/media", kit.id);

    let mut producer = signed_in(&app, &net.producer.email).await;
    let page = producer.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains(&format!("action=\"{upload}\"")));
    assert!(page.text.contains("enctype=\"multipart/form-data\""));
    let csrf = hidden(&page.text, "csrf_token");

    // Without the token: refused, nothing stored.
    let photo = png(900, 600);
    let forged = producer
        .post_multipart(
            &upload,
            &[("title", "Vue d'ensemble")],
            ("volcans.png", "image/png", &photo),
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.text);
    assert!(media_of(&app, &net, kit.id).await.is_empty());

    // A text file named like a photo: judged by its bytes, refused on the page, nothing stored.
    let fake = producer
        .post_multipart(
            &upload,
            &[("csrf_token", &csrf), ("title", "Faux")],
            ("faux.png", "image/png", b"not a picture at all"),
        )
        .await;
    assert_eq!(fake.status, 415, "{}", fake.text);
    assert!(fake.text.contains("ni une photo"), "{}", fake.text);
    assert!(fake.text.contains("value=\"Faux\""), "the title is kept");
    // Over 10 MB: the page says so, nothing stored.
    let big = pdf(10 * 1024 * 1024 + 200 * 1024);
    let too_big = producer
        .post_multipart(
            &upload,
            &[("csrf_token", &csrf), ("title", "Trop lourd")],
            ("gros.pdf", "application/pdf", &big),
        )
        .await;
    assert_eq!(too_big.status, 413, "{}", too_big.text);
    assert!(too_big.text.contains("dépasse 10 Mo"), "{}", too_big.text);
    // No file chosen, no title: both named.
    let empty = producer
        .post_multipart(
            &upload,
            &[("csrf_token", &csrf), ("title", " ")],
            ("", "application/octet-stream", b""),
        )
        .await;
    assert_eq!(empty.status, 422, "{}", empty.text);
    assert!(empty.text.contains("Choisissez un fichier"));
    assert!(empty.text.contains("Donnez un titre"));
    assert!(media_of(&app, &net, kit.id).await.is_empty());

    let sent = producer
        .post_multipart(
            &upload,
            &[("csrf_token", &csrf), ("title", "Vue d'ensemble")],
            ("volcans.png", "image/png", &photo),
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    assert_eq!(sent.location, format!("{path}#fichiers"));
    let booklet = pdf(40_000);
    let sent = producer
        .post_multipart(
            &upload,
            &[("csrf_token", &csrf), ("title", "Livret enseignant")],
            ("livret.pdf", "application/pdf", &booklet),
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    let media = media_of(&app, &net, kit.id).await;
    assert_eq!(media.len(), 2, "{media:?}");
    let photo_id = id_of(&media[0]);
    let pdf_id = id_of(&media[1]);

    // The venue sees both on the resource page, without the producer's forms, and opens them.
    let mut venue = signed_in(&app, &net.venue.email).await;
    let seen = venue.get(&path).await;
    assert_eq!(seen.status, 200);
    assert!(seen.text.contains(&format!(
        "src=\"/media/{photo_id}/thumbnail\" alt=\"Vue d&#39;ensemble\""
    )));
    assert!(seen.text.contains(&format!(
        "<a href=\"/media/{pdf_id}\">Livret enseignant</a>"
    )));
    assert!(!seen.text.contains(&format!("action=\"{upload}\"")));
    assert!(!seen.text.contains("/delete\""));
    assert!(!seen.text.contains("/labels\""));
    let thumb = venue.get(&format!("/media/{photo_id}/thumbnail")).await;
    assert_eq!(thumb.status, 200);
    assert_eq!(thumb.content_type, "image/jpeg");
    assert!(!thumb.etag.is_empty());
    let again = venue
        .get_with(
            &format!("/media/{photo_id}/thumbnail"),
            &[("If-None-Match", &thumb.etag)],
        )
        .await;
    assert_eq!(again.status, 304);
    let doc = venue.get(&format!("/media/{pdf_id}")).await;
    assert_eq!(doc.status, 200);
    assert_eq!(doc.content_type, "application/pdf");
    assert_eq!(doc.body_len, booklet.len());
    // Not signed in: to the login page, no bytes.
    let stranger = Browser::new(&app).get(&format!("/media/{pdf_id}")).await;
    assert_eq!(stranger.status, 303);
    assert!(stranger.location.starts_with("/login"));

    // The venue may not attach nor remove.
    let venue_csrf = hidden(&seen.text, "csrf_token");
    let refused = venue
        .post_multipart(
            &upload,
            &[("csrf_token", &venue_csrf), ("title", "Intrus")],
            ("x.pdf", "application/pdf", &booklet),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let refused = venue
        .post(
            &format!("/media/{pdf_id}/delete"),
            &[("csrf_token", &venue_csrf)],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(media_of(&app, &net, kit.id).await.len(), 2);

    // The producer removes the PDF.
    let removed = producer
        .post(&format!("/media/{pdf_id}/delete"), &[("csrf_token", &csrf)])
        .await;
    assert_eq!(removed.status, 303, "{}", removed.text);
    assert_eq!(media_of(&app, &net, kit.id).await.len(), 1);
}

async fn a_label_leads_the_venue_holding_the_copy_to_its_condition_report(app: TestApp) {
    let net = Network::new(&app).await;
    let trunk = ResourceBuilder::trunk("Malle du ciel")
        .copies(2)
        .build(&app, &net.producer)
        .await;
    let loan = id_of(
        &BookingBuilder::new(trunk.id, &net.venue, day(3), day(12))
            .copy(trunk.copies[0])
            .status("in_transit")
            .build(&app, &net.producer)
            .await,
    );

    let mut producer = signed_in(&app, &net.producer.email).await;
    let labels = producer
        .get(&format!("/resources/{}/labels", trunk.id))
        .await;
    assert_eq!(labels.status, 200, "{}", labels.text);
    for copy in &trunk.copies {
        assert!(
            labels
                .text
                .contains(&format!("src=\"/copies/{copy}/qr.svg\"")),
            "one QR code a copy"
        );
    }
    assert!(labels
        .text
        .contains("alt=\"Code QR de la fiche de l&#39;exemplaire"));
    let qr = producer
        .get(&format!("/copies/{}/qr.svg", trunk.copies[0]))
        .await;
    assert_eq!(qr.status, 200);
    assert_eq!(qr.content_type, "image/svg+xml");
    assert!(qr.text.contains("<svg"), "{}", qr.text);
    let missing = producer.get("/copies/999999/qr.svg").await;
    assert_eq!(missing.status, 404);

    let mut venue = signed_in(&app, &net.venue.email).await;
    let refused = venue.get(&format!("/resources/{}/labels", trunk.id)).await;
    assert_eq!(refused.status, 403, "labels are the producer's");
    let copy = venue.get(&format!("/copies/{}", trunk.copies[0])).await;
    assert_eq!(copy.status, 200, "{}", copy.text);
    assert!(copy
        .text
        .contains(&format!("href=\"/bookings/{loan}/report\"")));
    assert!(copy.text.contains("En route vers le lieu d"));

    // Another venue scanning the same crate sees no loan of anybody else.
    let other = app.venue(&net.agency, AMIENS).await;
    let mut stranger = signed_in(&app, &other.email).await;
    let copy = stranger.get(&format!("/copies/{}", trunk.copies[0])).await;
    assert_eq!(copy.status, 200);
    assert!(!copy.text.contains("/report\""));
    assert!(copy.text.contains("Aucun prêt"));
    // The idle copy has no report to fill in, even for its producer.
    let idle = producer.get(&format!("/copies/{}", trunk.copies[1])).await;
    assert_eq!(idle.status, 200);
    assert!(!idle.text.contains("/report\""));
}

on_both_backends!(
    a_producer_uploads_a_photo_and_a_pdf_the_venue_then_sees,
    a_label_leads_the_venue_holding_the_copy_to_its_condition_report
);

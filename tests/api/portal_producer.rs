//! The producer's first page (issue 24): a request answered from the loan page, approve or reject
//! with a note that the venue then reads on its own loan page; the venue is not offered the
//! answer, the producer is not offered the venue's cancel; no CSRF token, no change.

use crate::builders::{day, id_of, BookingBuilder, Network, ResourceBuilder};
use crate::common::{TestApp, PASSWORD};
use crate::on_both_backends;
use crate::portal::{hidden, Browser};

async fn a_producer_approves_with_a_note_the_venue_then_reads(app: TestApp) {
    let net = Network::new(&app).await;
    let trunk = ResourceBuilder::trunk("Malle de l'eau")
        .copies(2)
        .build(&app, &net.producer)
        .await;
    let first = id_of(
        &BookingBuilder::new(trunk.id, &net.venue, day(20), day(30))
            .build(&app, &net.producer)
            .await,
    );
    let second = id_of(
        &BookingBuilder::new(trunk.id, &net.venue, day(40), day(50))
            .build(&app, &net.producer)
            .await,
    );

    let mut venue = Browser::new(&app);
    assert_eq!(venue.log_in(&net.venue.email, PASSWORD).await.status, 303);
    let asked = venue.get(&format!("/bookings/{first}")).await;
    assert!(
        !asked.text.contains("/decision"),
        "the venue does not answer its own request"
    );
    assert!(asked.text.contains(&format!("/bookings/{first}/cancel")));

    let mut producer = Browser::new(&app);
    assert_eq!(
        producer.log_in(&net.producer.email, PASSWORD).await.status,
        303
    );
    let page = producer.get(&format!("/bookings/{first}")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page
        .text
        .contains(&format!("action=\"/bookings/{first}/decision\"")));
    assert!(
        !page.text.contains("/cancel\""),
        "the venue's cancel is not offered to the producer"
    );
    assert!(
        page.text.contains("Acceptez ou refusez"),
        "the producer's next step"
    );
    let csrf = hidden(&page.text, "csrf_token");

    // Without the token: refused, still requested.
    let forged = producer
        .post(
            &format!("/bookings/{first}/decision"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.text);
    let still = app
        .get(&format!("/api/v1/bookings/{first}"), Some(&net.venue.token))
        .await;
    assert_eq!(still.body["status"], "requested");

    let note = "Livraison par notre camionnette, prévoyez deux personnes pour décharger.";
    let approved = producer
        .post(
            &format!("/bookings/{first}/decision"),
            &[
                ("csrf_token", &csrf),
                ("decision", "approve"),
                ("note", note),
            ],
        )
        .await;
    assert_eq!(approved.status, 303, "{}", approved.text);
    let now = app
        .get(&format!("/api/v1/bookings/{first}"), Some(&net.venue.token))
        .await;
    assert_eq!(now.body["status"], "approved", "{}", now.text);
    let read = venue.get(&format!("/bookings/{first}")).await;
    assert!(
        read.text.contains("deux personnes pour décharger"),
        "{}",
        read.text
    );

    let rejected = producer
        .post(
            &format!("/bookings/{second}/decision"),
            &[
                ("csrf_token", &csrf),
                ("decision", "reject"),
                ("note", "Déjà promise."),
            ],
        )
        .await;
    assert_eq!(rejected.status, 303, "{}", rejected.text);
    let gone = app
        .get(
            &format!("/api/v1/bookings/{second}"),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(gone.body["status"], "rejected");
    let after = producer.get(&format!("/bookings/{second}")).await;
    assert!(
        !after.text.contains("/decision\""),
        "a decided request is not answered twice"
    );
}

on_both_backends!(a_producer_approves_with_a_note_the_venue_then_reads);

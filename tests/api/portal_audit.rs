//! The agency's audit log as a page (issue 24): the entries of the audit service, newest first,
//! filtered by kind of object, acting organisation and days, 50 a page with the way to older
//! ones; bad dates come back on the form (422); venues and producers get the 403 page.

use crate::builders::{day, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::{TestApp, PASSWORD};
use crate::on_both_backends;
use crate::portal::Browser;

/// A round's creation as the log says it to a person (not its code `allocation_round.created`).
const CREATED_ROUND: &str = "Campagne de répartition\u{a0}: création";
async fn the_agency_reads_the_audit_log(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let expo = ResourceBuilder::exhibition("Exposition journalisée")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    // 55 rounds: more than a page of allocation_round entries.
    for i in 0..55 {
        let res = app
            .post(
                "/api/v1/allocation-rounds",
                Some(&net.agency.token),
                serde_json::json!({"name": format!("Tour journalisé {i:02}"), "period_from": day(30),
                                   "period_to": day(60), "resource_ids": [expo.id]}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
    }
    let mut agency = Browser::new(&app);
    assert_eq!(agency.log_in(&net.agency.email, PASSWORD).await.status, 303);
    let page = agency.get("/audit").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("aria-current=\"page\">Journal"),
        "the menu leads here"
    );
    let first = agency.get("/audit?kind=allocation_round").await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.text.matches(CREATED_ROUND).count(), 50);
    assert!(first.text.contains("Tour journalisé 54"), "newest first");
    assert!(!first.text.contains("Tour journalisé 04"));
    let start = first
        .text
        .find("rel=\"next\"")
        .expect("a link to older entries");
    let href_start = first.text[..start].rfind("href=\"").unwrap() + 6;
    let next = first.text[href_start..start - 2]
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let second = agency.get(&next).await;
    assert_eq!(second.status, 200, "{next}: {}", second.text);
    assert_eq!(second.text.matches(CREATED_ROUND).count(), 5);
    assert!(second.text.contains("Tour journalisé 00"));
    assert!(!second.text.contains("rel=\"next\""));
    // Another kind, another organisation, days after today: nothing of the rounds.
    let other = agency.get("/audit?kind=webhook").await;
    assert!(!other.text.contains(CREATED_ROUND));
    let venue_only = agency
        .get(&format!("/audit?who={}", net.venue.org_id))
        .await;
    assert!(!venue_only.text.contains(CREATED_ROUND));
    let later = agency
        .get(&format!("/audit?kind=allocation_round&from={}", day(1)))
        .await;
    assert_eq!(later.status, 200);
    assert!(!later.text.contains(CREATED_ROUND));
    let today = agency
        .get(&format!(
            "/audit?kind=allocation_round&from={}&to={}",
            day(0),
            day(0)
        ))
        .await;
    assert_eq!(today.text.matches(CREATED_ROUND).count(), 50);
    // Bad input: the form again with its errors.
    let bad = agency
        .get(&format!("/audit?from=hier&to={}&kind=potato", day(0)))
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    for field in ["from", "kind"] {
        assert!(
            bad.text.contains(&format!("href=\"#{field}\"")),
            "{field}: {}",
            bad.text
        );
    }
    let reversed = agency
        .get(&format!("/audit?from={}&to={}", day(0), day(-3)))
        .await;
    assert_eq!(reversed.status, 422);
    assert!(reversed.text.contains("href=\"#to\""));

    for who in [&net.venue, &net.producer] {
        let mut browser = Browser::new(&app);
        assert_eq!(browser.log_in(&who.email, PASSWORD).await.status, 303);
        let page = browser.get("/audit").await;
        assert_eq!(page.status, 403, "{}", page.text);
    }
}

on_both_backends!(the_agency_reads_the_audit_log);

//! A producer's money in the portal (issue 24): a returned loan invoiced from its page (the
//! billing service's rules on the form: a public buyer's references, nothing issued on a
//! refusal), an invoice cancelled by a credit note from the invoices page (once), and the year's
//! revenue and payback with charts drawn by the service; no CSRF token, no change.

use serde_json::json;

use crate::builders::{Network, AMIENS, VILLAGE};
use crate::common::{TestApp, PASSWORD};
use crate::einvoice::{buyer_identity, returned_loan, seller_identity, set_identity};
use crate::on_both_backends;
use crate::portal::{hidden, Browser};

/// The invoices the API lists for the producer: (id, kind, credits_invoice_id, commitment).
async fn invoices(app: &TestApp, net: &Network) -> Vec<serde_json::Value> {
    let res = app.get("/api/v1/invoices", Some(&net.producer.token)).await;
    assert_eq!(res.status, 200, "{}", res.text);
    match res.body.get("items") {
        Some(items) => items.as_array().unwrap().clone(),
        None => res.body.as_array().unwrap().clone(),
    }
}

async fn a_returned_loan_is_invoiced_from_its_page_then_credited_once(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    set_identity(&app, &net.producer, seller_identity()).await;
    let mut public = buyer_identity();
    public["public_buyer"] = json!(true);
    public["commitment_required"] = json!(true);
    set_identity(&app, &net.venue, public).await;
    let booking = returned_loan(&app, &net).await;

    let mut venue = Browser::new(&app);
    assert_eq!(venue.log_in(&net.venue.email, PASSWORD).await.status, 303);
    let seen = venue.get(&format!("/bookings/{booking}")).await;
    assert!(
        !seen.text.contains("/invoice\""),
        "the venue does not invoice"
    );

    let mut producer = Browser::new(&app);
    assert_eq!(
        producer.log_in(&net.producer.email, PASSWORD).await.status,
        303
    );
    let page = producer.get(&format!("/bookings/{booking}")).await;
    assert!(
        page.text
            .contains(&format!("action=\"/bookings/{booking}/invoice\"")),
        "{}",
        page.text
    );
    assert!(
        page.text.contains("puis facturez le prêt"),
        "the producer's next step, not the venue's: {}",
        page.text
    );
    assert!(seen.text.contains("Donnez votre bilan"), "the venue's own");
    let csrf = hidden(&page.text, "csrf_token");
    let path = format!("/bookings/{booking}/invoice");

    let forged = producer.post(&path, &[("commitment_number", "EJ-1")]).await;
    assert_eq!(forged.status, 403, "{}", forged.text);
    assert!(invoices(&app, &net).await.is_empty());

    let refused = producer
        .post(
            &path,
            &[("csrf_token", &csrf), ("buyer_service_code", "SERV-1")],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(
        refused.text.contains("href=\"#commitment_number\""),
        "{}",
        refused.text
    );
    assert!(
        refused.text.contains("numéro d&#39;engagement")
            || refused.text.contains("numéro d'engagement")
    );
    assert!(
        refused.text.contains("value=\"SERV-1\""),
        "typed values kept"
    );
    assert!(invoices(&app, &net).await.is_empty(), "nothing issued");

    let issued = producer
        .post(
            &path,
            &[
                ("csrf_token", &csrf),
                ("buyer_service_code", "SERV-1"),
                ("commitment_number", "EJ-2026-7"),
            ],
        )
        .await;
    assert_eq!(issued.status, 303, "{}", issued.text);
    let list = invoices(&app, &net).await;
    assert_eq!(list.len(), 1);
    let invoice_id = list[0]["id"].as_i64().unwrap();
    assert_eq!(list[0]["commitment_number"], "EJ-2026-7");
    assert_eq!(issued.location, format!("/invoices?issued={invoice_id}"));
    let after = producer.get(&format!("/bookings/{booking}")).await;
    assert!(after
        .text
        .contains(&format!("/invoices/{invoice_id}/facturx.pdf")));
    assert!(!after.text.contains(&path), "not offered twice");

    // The venue reads its invoice but cannot credit it.
    let theirs = venue.get("/invoices").await;
    assert!(theirs
        .text
        .contains(&format!("/invoices/{invoice_id}/facturx.pdf")));
    assert!(!theirs.text.contains("/credit\""), "{}", theirs.text);

    let mine = producer.get("/invoices").await;
    let credit = format!("/invoices/{invoice_id}/credit");
    assert!(
        mine.text.contains(&format!("action=\"{credit}\"")),
        "{}",
        mine.text
    );
    let forged = producer.post(&credit, &[]).await;
    assert_eq!(forged.status, 403, "{}", forged.text);
    assert_eq!(invoices(&app, &net).await.len(), 1);
    let credited = producer.post(&credit, &[("csrf_token", &csrf)]).await;
    assert_eq!(credited.status, 303, "{}", credited.text);
    let list = invoices(&app, &net).await;
    assert_eq!(list.len(), 2);
    assert!(list
        .iter()
        .any(|i| i["kind"] == "credit_note" && i["credits_invoice_id"] == invoice_id));
    let page = producer.get(&credited.location).await;
    assert!(page.text.contains("L&#39;avoir est émis") || page.text.contains("L'avoir est émis"));
    assert!(
        !page.text.contains(&format!("action=\"{credit}\"")),
        "credited once"
    );
    let twice = producer.post(&credit, &[("csrf_token", &csrf)]).await;
    assert_eq!(twice.status, 409, "{}", twice.text);
    assert!(twice.text.contains("déjà un avoir"), "{}", twice.text);
    assert_eq!(invoices(&app, &net).await.len(), 2, "nothing more issued");
    // Credited, the loan may be invoiced again from its page.
    let again = producer.get(&format!("/bookings/{booking}")).await;
    assert!(again.text.contains(&format!("action=\"{path}\"")));
}

async fn the_revenue_page_draws_the_year_for_producers_only(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    set_identity(&app, &net.producer, seller_identity()).await;
    set_identity(&app, &net.venue, buyer_identity()).await;
    let booking = returned_loan(&app, &net).await;
    crate::einvoice::invoice(&app, &net, booking).await;
    let report = app
        .get(
            &format!("/api/v1/producers/{}/revenue", net.producer.org_id),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(report.status, 200, "{}", report.text);
    let months = report.body["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    let by_month: i64 = months
        .iter()
        .map(|m| m["net_cents"].as_i64().unwrap())
        .sum();
    assert_eq!(
        by_month,
        report.body["totals"]["net_cents"].as_i64().unwrap()
    );
    let earned = report.body["totals"]["revenue_cents"].as_i64().unwrap();
    assert!(earned > 0, "{}", report.text);

    let mut producer = Browser::new(&app);
    assert_eq!(
        producer.log_in(&net.producer.email, PASSWORD).await.status,
        303
    );
    let page = producer.get("/revenue").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("href=\"/revenue\""),
        "in the producer's menu"
    );
    assert!(
        page.text.contains("<svg"),
        "the months' chart drawn by the service"
    );
    let euros = format!("{},{:02}", earned / 100, earned % 100);
    assert!(
        page.text.contains(&euros),
        "{euros} in French: {}",
        page.text
    );
    let bad = producer.get("/revenue?year=deux-mille").await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("href=\"#year\""));

    let mut venue = Browser::new(&app);
    assert_eq!(venue.log_in(&net.venue.email, PASSWORD).await.status, 303);
    let refused = venue.get("/revenue").await;
    assert_eq!(refused.status, 403, "{}", refused.text);
}

on_both_backends!(
    a_returned_loan_is_invoiced_from_its_page_then_credited_once,
    the_revenue_page_draws_the_year_for_producers_only,
);

//! The agency's subsidy programmes and pricing policy as a page (issue 24): a programme created
//! (budget typed in euros the French way), closed today, the pricing policy saved; bad input back
//! on the form (422) with nothing written; forms without their CSRF token change nothing;
//! venues and producers get the 403 page.

use crate::builders::{day, Network, AMIENS, VILLAGE};
use crate::common::{TestApp, PASSWORD};
use crate::on_both_backends;
use crate::portal::{hidden, Browser};

/// A form's fields as the browser posts them.
fn as_refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

async fn the_agency_runs_subsidies_and_pricing(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let mut agency = Browser::new(&app);
    assert_eq!(agency.log_in(&net.agency.email, PASSWORD).await.status, 303);
    let page = agency.get("/subsidies").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("aria-current=\"page\">Aides et tarifs"));
    let token = hidden(&page.text, "csrf_token");
    let (from, to) = (day(-10).to_string(), day(300).to_string());
    let programme = |csrf: &str, budget: &str| {
        vec![
            ("csrf_token".to_string(), csrf.to_string()),
            ("name".to_string(), "Sciences au village".to_string()),
            ("funder".to_string(), "Région Hauts-de-France".to_string()),
            ("rate_percent".to_string(), "50".to_string()),
            ("budget".to_string(), budget.to_string()),
            ("valid_from".to_string(), from.clone()),
            ("valid_to".to_string(), to.clone()),
            ("class".to_string(), "village".to_string()),
        ]
    };
    let none = programme("", "20 000,50");
    let res = agency.post("/subsidies", &as_refs(&none[1..])).await;
    assert_eq!(res.status, 403);
    let bad = programme(&token, "beaucoup");
    let res = agency.post("/subsidies", &as_refs(&bad)).await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(res.text.contains("href=\"#budget\""), "{}", res.text);
    let listed = app
        .get("/api/v1/subsidy-programs", Some(&net.agency.token))
        .await;
    assert!(
        listed.body.as_array().unwrap().is_empty(),
        "{}",
        listed.text
    );
    let good = programme(&token, "20 000,50");
    let res = agency.post("/subsidies", &as_refs(&good)).await;
    assert_eq!(
        (res.status, res.location.as_str()),
        (303, "/subsidies?done=created"),
        "{}",
        res.text
    );
    let listed = app
        .get("/api/v1/subsidy-programs", Some(&net.agency.token))
        .await;
    let made = &listed.body[0];
    assert_eq!(made["budget_cents"], 2_000_050);
    assert_eq!(made["commune_classes"], serde_json::json!(["village"]));
    let page = agency.get("/subsidies?done=created").await;
    assert!(
        page.text.contains("20\u{202f}000,50"),
        "French euros: {}",
        page.text
    );
    // Closing: today is its last day.
    let close = format!("/subsidies/{}/close", made["id"]);
    assert_eq!(agency.post(&close, &[]).await.status, 403);
    let res = agency.post(&close, &[("csrf_token", &token)]).await;
    assert_eq!(res.status, 303, "{}", res.text);
    let after = app
        .get(
            &format!("/api/v1/subsidy-programs/{}", made["id"]),
            Some(&net.agency.token),
        )
        .await;
    assert_eq!(after.body["valid_to"], serde_json::json!(day(0)));

    // The pricing policy.
    let mut fields: Vec<(String, String)> = vec![("csrf_token".into(), token.clone())];
    for (class, rental, transport) in [
        ("village", "40", "0"),
        ("small_town", "70", "10"),
        ("medium_town", "90", "30"),
        ("large_city", "100", "50"),
    ] {
        fields.push((format!("rental_{class}"), rental.into()));
        fields.push((format!("transport_{class}"), transport.into()));
    }
    let mut wrong = fields.clone();
    wrong[1].1 = "140".into();
    let res = agency.post("/subsidies/pricing", &as_refs(&wrong)).await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(
        res.text.contains("href=\"#rental_village\""),
        "{}",
        res.text
    );
    let res = agency
        .post("/subsidies/pricing", &as_refs(&fields[1..]))
        .await;
    assert_eq!(res.status, 403);
    let before = app
        .get("/api/v1/pricing-policy", Some(&net.agency.token))
        .await;
    assert_ne!(
        before.body["class_rate_percent"]["village"], 40,
        "unchanged so far"
    );
    let res = agency.post("/subsidies/pricing", &as_refs(&fields)).await;
    assert_eq!(
        (res.status, res.location.as_str()),
        (303, "/subsidies?done=pricing"),
        "{}",
        res.text
    );
    let policy = app
        .get("/api/v1/pricing-policy", Some(&net.agency.token))
        .await;
    assert_eq!(policy.body["class_rate_percent"]["village"], 40);
    assert_eq!(policy.body["transport_recharge_percent"]["large_city"], 50);

    for who in [&net.venue, &net.producer] {
        let mut browser = Browser::new(&app);
        assert_eq!(browser.log_in(&who.email, PASSWORD).await.status, 303);
        let page = browser.get("/subsidies").await;
        assert_eq!(page.status, 403, "{}", page.text);
        let home = browser.get("/resources").await;
        let theirs = hidden(&home.text, "csrf_token");
        let res = browser
            .post(
                "/subsidies/pricing",
                &[("csrf_token", &theirs), ("rental_village", "0")],
            )
            .await;
        assert_eq!(res.status, 403, "{}", res.text);
    }
    let policy = app
        .get("/api/v1/pricing-policy", Some(&net.agency.token))
        .await;
    assert_eq!(policy.body["class_rate_percent"]["village"], 40);
}

on_both_backends!(the_agency_runs_subsidies_and_pricing);

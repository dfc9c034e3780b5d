//! A producer's catalogue in the portal (issue 24): a new resource, its tariff, contents and
//! copies edited from one page through the catalogue and billing services. What a person types
//! wrong (euros, numbers) or what the services refuse (no theme, a taken asset tag, an unknown
//! commune) comes back on the page with the field named, and nothing is written; no CSRF token,
//! no change; only its producer (or the agency) edits a resource.

use crate::builders::{Network, AMIENS, VILLAGE};
use crate::common::{TestApp, PASSWORD};
use crate::on_both_backends;
use crate::portal::{hidden, Browser};

async fn a_producer_publishes_prices_and_stocks_a_resource_from_the_portal(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let mut producer = Browser::new(&app);
    assert_eq!(
        producer.log_in(&net.producer.email, PASSWORD).await.status,
        303
    );
    let form = producer.get("/resources/new").await;
    assert_eq!(form.status, 200, "{}", form.text);
    let csrf = hidden(&form.text, "csrf_token");
    let good = [
        ("kind", "trunk"),
        ("title", "Malle des abeilles"),
        ("description", "Ruche vitrée, loupes et fiches."),
        ("themes", "nature_environment"),
        ("audiences", "primary"),
        ("weight_kg", "35,5"),
        ("crates", "2"),
        ("setup_days", "0"),
        ("turnaround_days", "3"),
        ("production_cost", "1 234,00"),
    ];
    let forged = producer.post("/resources/new", &good).await;
    assert_eq!(forged.status, 403, "{}", forged.text);

    let mut bad: Vec<(&str, &str)> = good
        .iter()
        .copied()
        .filter(|(k, _)| *k != "themes" && *k != "production_cost")
        .collect();
    bad.push(("production_cost", "douze euros"));
    bad.push(("csrf_token", &csrf));
    let refused = producer.post("/resources/new", &bad).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(
        refused.text.contains("href=\"#production_cost\""),
        "{}",
        refused.text
    );
    assert!(
        refused.text.contains("value=\"Malle des abeilles\""),
        "typed values kept"
    );
    // The type error is the page's; the missing theme is the service's, once the amount reads.
    bad.retain(|(k, _)| *k != "production_cost");
    let refused = producer.post("/resources/new", &bad).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(
        refused.text.contains("href=\"#themes\""),
        "{}",
        refused.text
    );
    assert!(refused.text.contains("Cochez au moins un thème"));

    let mut fine: Vec<(&str, &str)> = good.to_vec();
    fine.push(("csrf_token", &csrf));
    let created = producer.post("/resources/new", &fine).await;
    assert_eq!(created.status, 303, "{}", created.text);
    let id: i64 = created
        .location
        .trim_start_matches("/resources/")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let r = app
        .get(
            &format!("/api/v1/resources/{id}"),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["title"], "Malle des abeilles");
    assert_eq!(r.body["themes"], serde_json::json!(["nature_environment"]));
    assert_eq!(r.body["weight_kg"], 35.5);
    assert_eq!(r.body["production_cost_cents"], 123_400);

    let edit = format!("/resources/{id}/edit");
    let page = producer.get(&edit).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("1\u{202f}234,00"),
        "the cost the French way"
    );

    // The tariff in euros; a typo changes nothing.
    let tariff_path = format!("/resources/{id}/tariff");
    let typo = producer
        .post(
            &tariff_path,
            &[
                ("csrf_token", &csrf),
                ("per_loan", "150"),
                ("per_week", "8O"),
            ],
        )
        .await;
    assert_eq!(typo.status, 422, "{}", typo.text);
    assert!(typo.text.contains("href=\"#per_week\""));
    let tariff_api = format!("/api/v1/resources/{id}/tariff");
    assert_eq!(
        app.get(&tariff_api, Some(&net.venue.token)).await.body["per_loan_cents"],
        0
    );
    let saved = producer
        .post(
            &tariff_path,
            &[
                ("csrf_token", &csrf),
                ("per_loan", "150"),
                ("per_week", "82,50"),
                ("deposit", "500"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let t = app.get(&tariff_api, Some(&net.venue.token)).await.body;
    assert_eq!(
        (
            &t["per_loan_cents"],
            &t["per_week_cents"],
            &t["deposit_cents"]
        ),
        (
            &serde_json::json!(15_000),
            &serde_json::json!(8_250),
            &serde_json::json!(50_000)
        )
    );

    // Contents and copies.
    let added = producer
        .post(
            &format!("/resources/{id}/components"),
            &[
                ("csrf_token", &csrf),
                ("name", "Loupe"),
                ("quantity", "12"),
                ("unit_cost", "4,50"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.text);
    let components = app
        .get(
            &format!("/api/v1/resources/{id}/components"),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(components.body[0]["name"], "Loupe");
    assert_eq!(components.body[0]["unit_cost_cents"], 450);
    let copies_path = format!("/resources/{id}/copies");
    let copy = producer
        .post(
            &copies_path,
            &[("csrf_token", &csrf), ("asset_tag", "ABEILLE-01")],
        )
        .await;
    assert_eq!(copy.status, 303, "{}", copy.text);
    let taken = producer
        .post(
            &copies_path,
            &[("csrf_token", &csrf), ("asset_tag", "ABEILLE-01")],
        )
        .await;
    assert_eq!(taken.status, 409, "{}", taken.text);
    assert!(taken.text.contains("href=\"#asset_tag\""));
    let nowhere = producer
        .post(
            &copies_path,
            &[
                ("csrf_token", &csrf),
                ("asset_tag", "ABEILLE-02"),
                ("home_commune_insee", "99999"),
            ],
        )
        .await;
    assert_eq!(nowhere.status, 422, "{}", nowhere.text);
    assert!(
        nowhere.text.contains("href=\"#home_commune_insee\""),
        "{}",
        nowhere.text
    );
    let copies = app
        .get(
            &format!("/api/v1/resources/{id}/copies"),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(copies.body.as_array().unwrap().len(), 1, "{}", copies.text);
    let page = producer.get(&edit).await;
    assert!(page.text.contains("ABEILLE-01") && page.text.contains("Loupe"));

    // The description changes through the same service.
    let mut changed: Vec<(&str, &str)> = fine
        .iter()
        .copied()
        .map(|(k, v)| {
            if k == "title" {
                (k, "Malle des abeilles sauvages")
            } else {
                (k, v)
            }
        })
        .collect();
    changed.retain(|(k, _)| *k != "description");
    let saved = producer.post(&edit, &changed).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let r = app
        .get(&format!("/api/v1/resources/{id}"), Some(&net.venue.token))
        .await;
    assert_eq!(r.body["title"], "Malle des abeilles sauvages");

    // Nobody else edits it.
    let mut venue = Browser::new(&app);
    assert_eq!(venue.log_in(&net.venue.email, PASSWORD).await.status, 303);
    assert_eq!(venue.get(&edit).await.status, 404);
    assert_eq!(venue.get("/resources/new").await.status, 403);
    let other = app.producer(&net.agency, AMIENS).await;
    let mut stranger = Browser::new(&app);
    assert_eq!(stranger.log_in(&other.email, PASSWORD).await.status, 303);
    assert_eq!(stranger.get(&edit).await.status, 404);
    let stranger_csrf = hidden(&stranger.get("/resources/new").await.text, "csrf_token");
    let hijack = stranger
        .post(
            &tariff_path,
            &[("csrf_token", &stranger_csrf), ("per_loan", "1")],
        )
        .await;
    assert_eq!(hijack.status, 403, "{}", hijack.text);
    assert_eq!(
        app.get(&tariff_api, Some(&net.venue.token)).await.body["per_loan_cents"],
        15_000
    );
}

on_both_backends!(a_producer_publishes_prices_and_stocks_a_resource_from_the_portal,);

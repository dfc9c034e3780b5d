//! Loans that keep their promises (issue 25): actions happen when they can.

use chrono::Utc;
use serde_json::json;

use crate::builders::{day, id_of, BookingBuilder, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::TestApp;
use crate::on_both_backends;

/// A copy dispatched before its booking's occupation begins is taken from today, in the same
/// transaction; when another booking holds the days in between, 409 `invalid_transition` says
/// from which day it may leave, and nothing changes.
async fn an_early_dispatch_takes_the_copy_from_today_or_says_when(app: TestApp) {
    let net = Network::new(&app).await;
    let trunk = ResourceBuilder::trunk("Malle du ciel")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let first = BookingBuilder::new(trunk.id, &net.venue, day(10), day(12))
        .status("approved")
        .build(&app, &net.producer)
        .await;
    let later = BookingBuilder::new(trunk.id, &net.venue, day(30), day(32))
        .status("approved")
        .build(&app, &net.producer)
        .await;
    let (first, later) = (id_of(&first), id_of(&later));
    let get = |id: i64| {
        let app = &app;
        let token = net.producer.token.clone();
        async move {
            app.get(&format!("/api/v1/bookings/{id}"), Some(&token))
                .await
                .body
        }
    };
    let first_row = get(first).await;
    let held_until = first_row["occupied_to"].as_str().unwrap().to_string();
    let later_before = get(later).await;

    // The later loan cannot leave while the first one holds the copy.
    let res = app.act(&net.producer, later, "dispatch").await;
    assert_eq!(res.status, 409, "{}", res.text);
    assert_eq!(res.code(), "invalid_transition");
    let possible_from = chrono::NaiveDate::parse_from_str(&held_until, "%Y-%m-%d").unwrap()
        + chrono::Duration::days(1);
    assert_eq!(
        res.body["possible_from"],
        json!(possible_from),
        "{}",
        res.text
    );
    assert!(
        res.text.contains(&possible_from.to_string()),
        "{}",
        res.text
    );
    assert_eq!(get(later).await, later_before, "nothing changed");

    // The first leaves today: its occupation now starts today, and the calendar says so.
    let today = Utc::now().date_naive();
    assert!(first_row["occupied_from"].as_str().unwrap() > today.to_string().as_str());
    let res = app.act(&net.producer, first, "dispatch").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["occupied_from"], json!(today));
    let free = app
        .get(
            &format!(
                "/api/v1/resources/{}/availability?from={}&to={}",
                trunk.id,
                today,
                day(5)
            ),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(free.body["copies"][0]["free"], json!([]), "{}", free.text);
    // Delivery comes after dispatch, return after delivery: never the other way.
    let res = app.act(&net.producer, later, "deliver").await;
    assert_eq!(res.code(), "invalid_transition", "{}", res.text);
    let res = app.act(&net.producer, later, "return").await;
    assert_eq!(res.code(), "invalid_transition", "{}", res.text);
}

/// Issue 25, point 5: a village whose share of the road is 0 % still sees a `transport` line (0 €)
/// naming the full cost of the legs, and the quote gives that cost and the share.
async fn the_quote_shows_the_road_even_when_the_network_pays_it(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let policy = json!({
        "class_rate_percent": {"village": 40, "small_town": 70, "medium_town": 100, "large_city": 100},
        "transport_recharge_percent": {"village": 0, "small_town": 75, "medium_town": 100, "large_city": 100}
    });
    let res = app
        .send(
            "PUT",
            "/api/v1/pricing-policy",
            Some(&net.agency.token),
            Some(policy),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let trunk = ResourceBuilder::trunk("Malle des routes")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let b = BookingBuilder::new(trunk.id, &net.venue, day(20), day(24))
        .build(&app, &net.producer)
        .await;
    let q = app
        .get(
            &format!("/api/v1/bookings/{}/quote", id_of(&b)),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(q.status, 200, "{}", q.text);
    let cost = q.body["transport_cost_cents"].as_i64().unwrap();
    assert!(cost > 0, "{}", q.text);
    assert_eq!(q.body["transport_share_percent"], 0);
    let transport: Vec<_> = q.body["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "transport")
        .collect();
    assert_eq!(transport.len(), 1, "{}", q.text);
    assert_eq!(transport[0]["amount_cents"], 0);
    let label = transport[0]["label"].as_str().unwrap();
    assert!(label.contains("0 %"), "{label}");
    assert!(
        label.contains(&itinerance::page::euros(cost)),
        "{label} names {cost}"
    );
}

on_both_backends!(
    an_early_dispatch_takes_the_copy_from_today_or_says_when,
    the_quote_shows_the_road_even_when_the_network_pays_it,
);

//! Loans that keep their promises (issue 25): actions happen when they can.

use chrono::Utc;
use serde_json::json;

use crate::builders::{day, id_of, BookingBuilder, Network, ResourceBuilder};
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

on_both_backends!(an_early_dispatch_takes_the_copy_from_today_or_says_when);

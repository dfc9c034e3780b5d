//! Evaluations after a loan: once, by the venue, after delivery, editable for 30 days; read by
//! the producer; totalled by the observatory and coverage.

use chrono::{Datelike, Duration, Utc};
use diesel::prelude::*;
use serde_json::json;

use crate::builders::{day, id_of, BookingBuilder, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::TestApp;
use crate::on_both_backends;

/// Moves the evaluated loan (4 days) so that its last day is `days` ago, straight in the database.
async fn age_evaluation(app: &TestApp, booking_id: i64, days: i64) {
    let on = Utc::now().date_naive() - Duration::days(days);
    let changed = app
        .state
        .run(move |conn| {
            use itinerance::schema::{booking_evaluations as e, bookings as b};
            let starts_on = on - Duration::days(3);
            diesel::update(b::table.find(booking_id))
                .set((
                    b::occupied_from.eq(starts_on),
                    b::starts_on.eq(starts_on),
                    b::ends_on.eq(on),
                ))
                .execute(conn)?;
            Ok(diesel::update(e::table.find(booking_id))
                .set((e::starts_on.eq(starts_on), e::ends_on.eq(on)))
                .execute(conn)?)
        })
        .await
        .expect("age the evaluation");
    assert_eq!(changed, 1);
}

async fn a_loan_is_evaluated_once_by_its_venue_and_read_by_its_producer(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let stranger = app.venue(&net.agency, AMIENS).await;
    let other_producer = app.producer(&net.agency, AMIENS).await;
    let trunk = ResourceBuilder::trunk("Malle évaluée")
        .copies(2)
        .build(&app, &net.producer)
        .await;
    let approved = BookingBuilder::new(trunk.id, &net.venue, day(20), day(25))
        .status("approved")
        .build(&app, &net.producer)
        .await;
    let delivered = BookingBuilder::new(trunk.id, &net.venue, day(0), day(3))
        .status("delivered")
        .build(&app, &net.producer)
        .await;
    let report = json!({"visitors": 180, "sessions": 9, "audiences": ["primary", "family"],
                        "satisfaction": 5, "comment": "Très appréciée des classes."});
    let path = |b: &serde_json::Value| format!("/api/v1/bookings/{}/evaluation", id_of(b));

    let res = app
        .post(&path(&approved), Some(&net.venue.token), report.clone())
        .await;
    assert_eq!(
        (res.status, res.code()),
        (409, "loan_not_delivered"),
        "{}",
        res.text
    );
    let res = app
        .post(&path(&delivered), Some(&net.producer.token), report.clone())
        .await;
    assert_eq!(res.status, 403, "{}", res.text);
    let res = app
        .post(&path(&delivered), Some(&stranger.token), report.clone())
        .await;
    assert_eq!(res.status, 404, "{}", res.text);
    for bad in [
        json!({"visitors": -1, "sessions": 1, "audiences": ["primary"], "satisfaction": 3}),
        json!({"visitors": 1, "sessions": 1, "audiences": [], "satisfaction": 3}),
        json!({"visitors": 1, "sessions": 1, "audiences": ["all"], "satisfaction": 3}),
        json!({"visitors": 1, "sessions": 1, "audiences": ["primary"], "satisfaction": 6}),
        json!({"visitors": 1, "sessions": 1, "audiences": ["primary"], "satisfaction": 3,
               "comment": "x".repeat(2001)}),
    ] {
        let res = app
            .post(&path(&delivered), Some(&net.venue.token), bad.clone())
            .await;
        assert_eq!(res.status, 422, "{bad}: {}", res.text);
    }
    let res = app.get(&path(&delivered), Some(&net.venue.token)).await;
    assert_eq!(res.status, 404, "nothing was written: {}", res.text);

    let res = app
        .post(&path(&delivered), Some(&net.venue.token), report.clone())
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["visitors"], 180);
    assert_eq!(res.body["audiences"], json!(["primary", "family"]));
    // Editable until the end of the 30th day after the loan's last day (issue 25, point 3).
    assert_eq!(
        res.body["editable_until"],
        format!("{}T23:59:59Z", day(3 + 30)),
        "{}",
        res.text
    );
    let res = app
        .post(&path(&delivered), Some(&net.venue.token), report.clone())
        .await;
    assert_eq!((res.status, res.code()), (409, "already_evaluated"));

    let res = app
        .patch(
            &path(&delivered),
            Some(&net.venue.token),
            json!({"visitors": 210}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        (res.body["visitors"].as_i64(), res.body["sessions"].as_i64()),
        (Some(210), Some(9))
    );
    let res = app
        .patch(
            &path(&delivered),
            Some(&net.venue.token),
            json!({"satisfaction": 0}),
        )
        .await;
    assert_eq!(res.status, 422);

    // The producer reads it, alone or in its list; another producer sees nothing.
    let res = app.get(&path(&delivered), Some(&net.producer.token)).await;
    assert_eq!(
        (res.status, res.body["visitors"].as_i64()),
        (200, Some(210))
    );
    let list = app
        .get(
            &format!("/api/v1/evaluations?resource_id={}", trunk.id),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(
        (list.body["count"].as_i64(), list.body["visitors"].as_i64()),
        (Some(1), Some(210))
    );
    assert_eq!(list.body["mean_satisfaction"].as_f64(), Some(5.0));
    let list = app
        .get("/api/v1/evaluations", Some(&other_producer.token))
        .await;
    assert_eq!(list.body["count"], 0, "{}", list.text);
    let list = app
        .get(
            &format!("/api/v1/evaluations?venue_id={}", net.venue.org_id),
            Some(&stranger.token),
        )
        .await;
    assert_eq!(list.status, 403);

    // Visitors in the observatory (the loan's year) and in coverage, by class.
    let year = Utc::now().year();
    let obs = app
        .get(
            &format!("/api/v1/observatory?from_year={year}&to_year={year}"),
            None,
        )
        .await;
    assert_eq!(obs.status, 200, "{}", obs.text);
    assert_eq!(obs.body["years"][0]["visitors"], 210);
    assert_eq!(obs.body["years"][0]["visitors_by_class"]["village"], 210);
    let cov = app
        .get(
            &format!(
                "/api/v1/territory/coverage?from={}&to={}&by=epci",
                day(0),
                day(3)
            ),
            Some(&net.agency.token),
        )
        .await;
    let rows = cov.body["rows"].as_array().unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r["visitors"].as_i64().unwrap())
            .sum::<i64>(),
        210
    );

    // 30 days after the loan's last day it is locked; on the 30th day it still changes.
    age_evaluation(&app, id_of(&delivered), 30).await;
    let res = app
        .patch(
            &path(&delivered),
            Some(&net.venue.token),
            json!({"visitors": 210}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    age_evaluation(&app, id_of(&delivered), 31).await;
    let res = app
        .patch(
            &path(&delivered),
            Some(&net.venue.token),
            json!({"visitors": 1}),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (409, "evaluation_locked"),
        "{}",
        res.text
    );
    let res = app.get(&path(&delivered), Some(&net.venue.token)).await;
    assert_eq!(res.body["visitors"], 210);
}

on_both_backends!(a_loan_is_evaluated_once_by_its_venue_and_read_by_its_producer);

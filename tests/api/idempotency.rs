//! `Idempotency-Key` on `POST /api/v1/bookings`: a retried request never books twice.

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::builders::{day, Network, ResourceBuilder};
use crate::common::{Resp, TestApp};
use crate::on_both_backends;

/// Bookings in the database, whatever their status.
async fn bookings_in_database(app: &TestApp) -> i64 {
    use diesel::dsl::count_star;
    use diesel::prelude::*;
    use itinerance::schema::bookings;
    app.state
        .run(|conn| Ok(bookings::table.select(count_star()).first::<i64>(conn)?))
        .await
        .unwrap()
}

fn booking_body(resource_id: i64, venue_id: i64, from: i64, to: i64) -> Value {
    json!({"resource_id": resource_id, "venue_id": venue_id,
           "starts_on": day(from), "ends_on": day(to)})
}

async fn keyed(app: &TestApp, token: &str, key: &str, body: Value) -> Resp {
    app.post_with(
        "/api/v1/bookings",
        Some(token),
        &[("Idempotency-Key", key)],
        body,
    )
    .await
}

async fn a_retry_replays_the_first_answer_and_books_nothing(app: TestApp) {
    let net = Network::new(&app).await;
    let trunk = ResourceBuilder::trunk("Malle de l'eau")
        .copies(2)
        .build(&app, &net.producer)
        .await;
    let body = booking_body(trunk.id, net.venue.org_id, 20, 22);

    let first = keyed(&app, &net.venue.token, "retry-1", body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert!(first.headers.get("idempotent-replayed").is_none());
    assert_eq!(bookings_in_database(&app).await, 1);

    // The same body, serialised otherwise (keys reordered, spaces): the same request.
    let reordered = format!(
        r#"{{ "ends_on": "{}", "starts_on": "{}", "venue_id": {}, "resource_id": {} }}"#,
        day(22),
        day(20),
        net.venue.org_id,
        trunk.id
    );
    for _ in 0..3 {
        let again = app
            .raw_with(
                "POST",
                "/api/v1/bookings",
                Some(&net.venue.token),
                Some("application/json"),
                &[("Idempotency-Key", "retry-1")],
                reordered.clone().into_bytes(),
            )
            .await;
        assert_eq!(again.status, 201);
        assert_eq!(again.text, first.text, "the very same answer");
        assert_eq!(again.content_type, first.content_type);
        assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    }
    assert_eq!(bookings_in_database(&app).await, 1, "nothing booked again");

    // Another key is another request: it books the second copy.
    let second = keyed(&app, &net.venue.token, "retry-2", body.clone()).await;
    assert_eq!(second.status, 201);
    assert_ne!(second.body["id"], first.body["id"]);
    // Without a key, nothing is remembered: a third identical request finds no copy free.
    let unkeyed = app
        .post("/api/v1/bookings", Some(&net.venue.token), body)
        .await;
    assert_eq!(unkeyed.status, 409);
    assert_eq!(unkeyed.code(), "booking_conflict");
    assert_eq!(bookings_in_database(&app).await, 2);
}

async fn the_same_key_with_another_body_is_422_and_changes_nothing(app: TestApp) {
    let net = Network::new(&app).await;
    let trunk = ResourceBuilder::trunk("Malle de l'air")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let first = keyed(
        &app,
        &net.venue.token,
        "k",
        booking_body(trunk.id, net.venue.org_id, 20, 22),
    )
    .await;
    assert_eq!(first.status, 201);
    let other = keyed(
        &app,
        &net.venue.token,
        "k",
        booking_body(trunk.id, net.venue.org_id, 40, 42),
    )
    .await;
    assert_eq!(other.status, 422, "{}", other.text);
    assert_eq!(other.code(), "idempotency_key_reused");
    assert_eq!(bookings_in_database(&app).await, 1);
}

async fn keys_are_scoped_to_the_callers_organisation(app: TestApp) {
    let net = Network::new(&app).await;
    let other_venue = app.venue(&net.agency, crate::builders::AMIENS).await;
    let trunk = ResourceBuilder::trunk("Malle du feu")
        .copies(2)
        .build(&app, &net.producer)
        .await;
    let a = keyed(
        &app,
        &net.venue.token,
        "shared-key",
        booking_body(trunk.id, net.venue.org_id, 20, 22),
    )
    .await;
    let b = keyed(
        &app,
        &other_venue.token,
        "shared-key",
        booking_body(trunk.id, other_venue.org_id, 20, 22),
    )
    .await;
    assert_eq!((a.status, b.status), (201, 201), "{} {}", a.text, b.text);
    assert_ne!(a.body["id"], b.body["id"]);
    assert_eq!(bookings_in_database(&app).await, 2);
}

/// Many copies of one keyed request at once, spread over two instances on one database: one
/// booking, and every answer is either that booking (201, first or replayed) or "in progress".
async fn concurrent_duplicates_have_one_effect(app: TestApp) {
    let net = Network::new(&app).await;
    let trunk = ResourceBuilder::trunk("Malle de la terre")
        .copies(30)
        .build(&app, &net.producer)
        .await;
    let other = app.another_instance();
    let body = booking_body(trunk.id, net.venue.org_id, 20, 22);
    let requests = (0..30).map(|i| {
        let instance = if i % 2 == 0 { &app } else { &other };
        keyed(instance, &net.venue.token, "burst", body.clone())
    });
    let answers = join_all(requests).await;
    let created: Vec<&Resp> = answers.iter().filter(|r| r.status == 201).collect();
    assert!(!created.is_empty());
    for answer in &answers {
        match answer.status {
            201 => assert_eq!(answer.body["id"], created[0].body["id"], "one booking"),
            409 => {
                assert_eq!(answer.code(), "idempotency_key_in_progress");
                assert_eq!(answer.headers.get("retry-after").unwrap(), "1");
            }
            other => panic!("unexpected {other}: {}", answer.text),
        }
    }
    assert_eq!(bookings_in_database(&app).await, 1, "exactly one effect");
    // Once answered, every retry replays it.
    let late = keyed(&other, &net.venue.token, "burst", body).await;
    assert_eq!(late.status, 201);
    assert_eq!(late.body["id"], created[0].body["id"]);
    drop(other);
}

async fn an_expired_key_is_forgotten_and_bad_keys_are_refused(app: TestApp) {
    let net = Network::new(&app).await;
    let trunk = ResourceBuilder::trunk("Malle des saisons")
        .copies(2)
        .build(&app, &net.producer)
        .await;
    let body = booking_body(trunk.id, net.venue.org_id, 20, 22);
    let first = keyed(&app, &net.venue.token, "old", body.clone()).await;
    assert_eq!(first.status, 201);
    // 25 hours later, as far as the database can tell.
    app.state
        .run(|conn| {
            use diesel::prelude::*;
            use itinerance::schema::idempotency_keys as k;
            let then = chrono::Utc::now().naive_utc() - chrono::Duration::hours(25);
            diesel::update(k::table)
                .set(k::created_at.eq(then))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    let again = keyed(&app, &net.venue.token, "old", body.clone()).await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_ne!(again.body["id"], first.body["id"], "a new request");
    assert!(again.headers.get("idempotent-replayed").is_none());
    assert_eq!(bookings_in_database(&app).await, 2);

    // The purge job forgets what is older than 24 hours, and only that.
    let purged = app
        .state
        .run(|conn| {
            itinerance::idempotency::purge_expired(
                conn,
                chrono::Utc::now().naive_utc() + chrono::Duration::hours(23),
            )
        })
        .await
        .unwrap();
    assert_eq!(purged, 0);
    let purged = app
        .state
        .run(|conn| {
            itinerance::idempotency::purge_expired(
                conn,
                chrono::Utc::now().naive_utc() + chrono::Duration::hours(25),
            )
        })
        .await
        .unwrap();
    assert_eq!(purged, 1);

    let too_long = "k".repeat(256);
    for bad in ["", too_long.as_str(), "tab\there"] {
        let res = keyed(&app, &net.venue.token, bad, body.clone()).await;
        assert_eq!(res.status, 422, "{bad:?}: {}", res.text);
        assert_eq!(res.fields(), vec!["Idempotency-Key"]);
    }
    assert_eq!(bookings_in_database(&app).await, 2, "bad keys book nothing");
}

on_both_backends!(
    a_retry_replays_the_first_answer_and_books_nothing,
    the_same_key_with_another_body_is_422_and_changes_nothing,
    keys_are_scoped_to_the_callers_organisation,
    concurrent_duplicates_have_one_effect,
    an_expired_key_is_forgotten_and_bad_keys_are_refused,
);

//! Never a double booking, even under concurrent requests: many overlapping requests and date
//! changes fired at once through the real HTTP server, on each backend.

use chrono::{Duration, NaiveDate, Utc};
use futures_util::future::join_all;
use serde_json::json;

use crate::builders::{day, Network, ResourceBuilder};
use crate::common::{Actor, TestApp};
use crate::on_both_backends;

/// Concurrent requests fired at once.
const REQUESTS: usize = 60;

struct Fixture {
    agency: Actor,
    venue: Actor,
    resource_id: i64,
}

/// A producer in Amiens with one resource and two copies there, and a venue in Amiens.
async fn two_copies(app: &TestApp) -> Fixture {
    let net = Network::new(app).await;
    let trunk = ResourceBuilder::trunk("Malle de l'eau")
        .with("themes", json!(["nature_environment"]))
        .with("audiences", json!(["primary"]))
        .with("turnaround_days", 1)
        .copy("EAU-1")
        .copy("EAU-2")
        .build(app, &net.producer)
        .await;
    Fixture {
        agency: net.agency,
        venue: net.venue,
        resource_id: trunk.id,
    }
}

/// Asserts that no two active occupations of a copy share a day, reading the table directly.
async fn assert_no_overlap(app: &TestApp) -> usize {
    use diesel::prelude::*;
    use itinerance::schema::occupations::dsl::*;
    let mut rows: Vec<(i64, NaiveDate, NaiveDate)> = app
        .state
        .run(|conn| {
            Ok(occupations
                .filter(active.eq(true))
                .select((copy_id, starts_on, ends_on))
                .load(conn)?)
        })
        .await
        .unwrap();
    rows.sort();
    for pair in rows.windows(2) {
        if pair[0].0 == pair[1].0 {
            assert!(
                pair[0].2 < pair[1].1,
                "overlapping occupations of copy {}: {:?} and {:?}",
                pair[0].0,
                pair[0],
                pair[1]
            );
        }
    }
    rows.len()
}

async fn concurrent_overlapping_requests_book_each_copy_once(app: TestApp) {
    let f = two_copies(&app).await;
    // Every request overlaps every other one (all contain day 40).
    let requests = (0..REQUESTS).map(|i| {
        let start = day(35 + (i % 5) as i64);
        let body = json!({"resource_id": f.resource_id, "venue_id": f.venue.org_id,
                          "starts_on": start, "ends_on": day(40 + (i % 3) as i64)});
        let token = if i % 2 == 0 {
            &f.venue.token
        } else {
            &f.agency.token
        };
        app.post("/api/v1/bookings", Some(token), body)
    });
    let responses = join_all(requests).await;
    let mut created = Vec::new();
    for res in &responses {
        match res.status {
            201 => created.push(res.body["copy_id"].as_i64().unwrap()),
            409 => assert_eq!(res.code(), "booking_conflict", "{}", res.text),
            other => panic!("unexpected {other}: {}", res.text),
        }
    }
    assert_eq!(created.len(), 2, "exactly one booking per copy");
    created.sort();
    created.dedup();
    assert_eq!(created.len(), 2, "the two bookings are on different copies");
    assert_eq!(assert_no_overlap(&app).await, 2);
    let listed = app
        .get(
            &format!("/api/v1/bookings?resource_id={}", f.resource_id),
            Some(&f.agency.token),
        )
        .await;
    assert_eq!(
        listed.body.as_array().unwrap().len(),
        2,
        "no lost or extra booking"
    );
    racers_released_together(&app, &f).await;
}

/// Racers, each on its own connection, released at once by a barrier to request the same days
/// through the booking service: exactly one booking per copy, every other racer told
/// `booking_conflict`, and no other answer (an error such as SQLite's "database is locked", which
/// the HTTP API shows as a 500, is a failure too). Without the SQLite write gate the racers' read
/// phases overlap and all but the first writer fail, in every run.
async fn racers_released_together(app: &TestApp, f: &Fixture) {
    use itinerance::access::Principal;
    use itinerance::booking::model::NewBooking;
    use itinerance::booking::service::request;
    use itinerance::db::DatabaseTarget;
    use itinerance::organization::{OrgKind, Role};
    use std::sync::{Arc, Barrier};

    const RACERS: usize = 16;
    // Two cores let only a few racers truly overlap in one round; several rounds make a run
    // without any overlap (which would hide a broken gate) vanishingly unlikely.
    const ROUNDS: i64 = 6;
    let settings = Arc::new(app.state.booking_settings());
    let target = DatabaseTarget::parse(&app.state.config.database_url).expect("database URL");
    let barrier = Arc::new(Barrier::new(RACERS));
    let venue = Principal {
        user_id: Some(f.venue.user_id),
        api_key_id: None,
        organization_id: f.venue.org_id,
        kind: OrgKind::Venue,
        role: Role::Admin,
    };
    let round_dates = |round: i64| (day(70 + round * 10), day(75 + round * 10));
    let racers: Vec<_> = (0..RACERS)
        .map(|_| {
            let mut conn = target.connect().expect("a connection per racer");
            let (barrier, settings, venue) = (barrier.clone(), settings.clone(), venue.clone());
            let resource_id = f.resource_id;
            std::thread::spawn(move || {
                (0..ROUNDS)
                    .map(|round| {
                        let (starts_on, ends_on) = round_dates(round);
                        let new = NewBooking {
                            resource_id,
                            venue_id: venue.organization_id,
                            starts_on,
                            ends_on,
                            copy_id: None,
                        };
                        barrier.wait();
                        let now = Utc::now().naive_utc();
                        request(&mut conn, &venue, &settings, &new, now)
                            .map(|b| (round, b.copy_id))
                            .map_err(|e| (round, e.code(), e.to_string()))
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut booked = Vec::new();
    let mut failures = Vec::new();
    for racer in racers {
        for result in racer.join().expect("racer thread") {
            match result {
                Ok(round_copy) => booked.push(round_copy),
                Err((_, itinerance::error::Code::BookingConflict, _)) => {}
                Err(other) => failures.push(other),
            }
        }
    }
    assert!(failures.is_empty(), "racers failed: {failures:?}");
    booked.sort();
    for round in 0..ROUNDS {
        let copies: Vec<i64> = booked
            .iter()
            .filter(|(r, _)| *r == round)
            .map(|(_, c)| *c)
            .collect();
        assert_eq!(
            copies.len(),
            2,
            "round {round}: one booking per copy: {booked:?}"
        );
        assert_ne!(copies[0], copies[1], "round {round}: {booked:?}");
    }
    assert_eq!(assert_no_overlap(app).await, 2 + 2 * ROUNDS as usize);
}

async fn concurrent_date_changes_never_overlap(app: TestApp) {
    let f = two_copies(&app).await;
    // Bookings on separate weeks, spread over both copies.
    let mut ids = Vec::new();
    for i in 0..(REQUESTS / 2) as i64 {
        for _ in 0..2 {
            let res = app
                .post(
                    "/api/v1/bookings",
                    Some(&f.venue.token),
                    json!({"resource_id": f.resource_id, "venue_id": f.venue.org_id,
                           "starts_on": day(30 + i * 7), "ends_on": day(31 + i * 7)}),
                )
                .await;
            assert_eq!(res.status, 201, "{}", res.text);
            ids.push(res.body["id"].as_i64().unwrap());
        }
    }
    assert_eq!(assert_no_overlap(&app).await, REQUESTS);
    // All move at once to the same days, far from every existing booking.
    let target = json!({"starts_on": day(600), "ends_on": day(602)});
    let paths: Vec<String> = ids
        .iter()
        .map(|id| format!("/api/v1/bookings/{id}"))
        .collect();
    let changes = paths
        .iter()
        .map(|path| app.patch(path, Some(&f.venue.token), target.clone()));
    let responses = join_all(changes).await;
    let moved: Vec<_> = responses.iter().filter(|r| r.status == 200).collect();
    for res in &responses {
        match res.status {
            200 => assert_eq!(res.body["starts_on"], day(600).to_string()),
            409 => assert_eq!(res.code(), "booking_conflict", "{}", res.text),
            other => panic!("unexpected {other}: {}", res.text),
        }
    }
    assert_eq!(moved.len(), 2, "one move per copy");
    assert_ne!(moved[0].body["copy_id"], moved[1].body["copy_id"]);
    assert_eq!(
        assert_no_overlap(&app).await,
        REQUESTS,
        "refused moves kept their periods"
    );
}

/// Background jobs run on every instance: several running hold expiry at the same moment expire
/// each booking exactly once.
async fn expiry_on_every_instance_at_once_expires_each_hold_once(app: TestApp) {
    use diesel::prelude::*;
    let f = two_copies(&app).await;
    let mut ids = Vec::new();
    for i in 0..10 {
        let res = app
            .post(
                "/api/v1/bookings",
                Some(&f.venue.token),
                json!({"resource_id": f.resource_id, "venue_id": f.venue.org_id,
                       "starts_on": day(30 + i * 10), "ends_on": day(31 + i * 10)}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        ids.push(res.body["id"].as_i64().unwrap());
    }
    let settings = app.state.booking_settings();
    let later = Utc::now().naive_utc() + Duration::days(30);
    // Four "instances", each with its own connection, at once.
    let url = app.state.config.effective_database_url();
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (url, settings) = (url.clone(), settings.clone());
            std::thread::spawn(move || {
                let target = itinerance::db::DatabaseTarget::parse(&url).unwrap();
                let mut conn = target.connect().unwrap();
                itinerance::booking::service::expire_holds(&mut conn, &settings, later).unwrap()
            })
        })
        .collect();
    let expired: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();
    assert_eq!(expired, 10, "each hold expired by exactly one instance");
    let events: Vec<i64> = app
        .state
        .run(|conn| {
            use itinerance::schema::booking_events::dsl::*;
            Ok(booking_events
                .filter(action.eq("expire"))
                .select(booking_id)
                .load(conn)?)
        })
        .await
        .unwrap();
    let mut sorted = events.clone();
    sorted.sort();
    assert_eq!(sorted, ids, "one expiry line per booking");
    assert_eq!(assert_no_overlap(&app).await, 0, "every hold released");
}

/// Two instances on one database (as behind a load balancer): a token from one works on the other,
/// and overlapping requests spread over both still book each copy once.
async fn two_instances_share_everything_through_the_database(app: TestApp) {
    let f = two_copies(&app).await;
    let other = app.another_instance();
    let me = other.get("/api/v1/me", Some(&f.venue.token)).await;
    assert_eq!(
        me.status, 200,
        "a token issued by one instance works on the other"
    );
    let requests = (0..REQUESTS).map(|i| {
        let instance = if i % 2 == 0 { &app } else { &other };
        instance.post(
            "/api/v1/bookings",
            Some(&f.venue.token),
            json!({"resource_id": f.resource_id, "venue_id": f.venue.org_id,
                   "starts_on": day(50), "ends_on": day(52 + (i % 3) as i64)}),
        )
    });
    let responses = join_all(requests).await;
    let created = responses.iter().filter(|r| r.status == 201).count();
    assert!(
        responses.iter().all(|r| r.status == 201 || r.status == 409),
        "only 201 and 409"
    );
    assert_eq!(created, 2);
    assert_eq!(assert_no_overlap(&app).await, 2);
    // What one instance wrote, the other reads.
    let listed = other
        .get(
            &format!("/api/v1/bookings?resource_id={}", f.resource_id),
            Some(&f.venue.token),
        )
        .await;
    assert_eq!(listed.body.as_array().unwrap().len(), 2);
    drop(other);
}

/// A raw `POST /api/v1/bookings` on a new connection, written at once.
fn send_booking(app: &TestApp, token: &str, body: &serde_json::Value) -> std::net::TcpStream {
    use std::io::Write;
    let address = app.base.trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let body = body.to_string();
    write!(
        stream,
        "POST /api/v1/bookings HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    stream.flush().unwrap();
    stream
}

async fn a_request_whose_client_left_while_it_queued_is_dropped_before_any_work(app: TestApp) {
    let f = two_copies(&app).await;
    // The caller's standing is read now, so the queued requests' database work is the booking.
    assert_eq!(
        app.get("/api/v1/me", Some(&f.agency.token)).await.status,
        200
    );
    let booking = |from: i64| {
        json!({"resource_id": f.resource_id, "venue_id": f.venue.org_id,
               "starts_on": day(from), "ends_on": day(from + 1)})
    };
    // Every database connection is taken: requests queue.
    let pool = app.state.config.database_pool_size;
    let held = app
        .state
        .queue
        .clone()
        .acquire_many_owned(pool)
        .await
        .unwrap();
    // One client asks and leaves; a second asks and waits for its answer.
    let leaver = send_booking(&app, &f.agency.token, &booking(40));
    actix_web::rt::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut stayer = send_booking(&app, &f.agency.token, &booking(60));
    actix_web::rt::time::sleep(std::time::Duration::from_millis(700)).await;
    leaver.shutdown(std::net::Shutdown::Both).unwrap();
    drop(leaver);
    actix_web::rt::time::sleep(std::time::Duration::from_millis(200)).await;
    drop(held);
    let answer = std::thread::spawn(move || {
        use std::io::Read;
        stayer
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        let mut text = vec![0u8; 4096];
        let n = stayer.read(&mut text).unwrap_or(0);
        String::from_utf8_lossy(&text[..n]).into_owned()
    })
    .join()
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert_eq!(
        app.state
            .clients_gone
            .load(std::sync::atomic::Ordering::Relaxed),
        1,
        "the leaver's request reached the queue and was dropped there"
    );
    let listed = app
        .get(
            &format!("/api/v1/bookings?resource_id={}", f.resource_id),
            Some(&f.agency.token),
        )
        .await;
    let starts: Vec<&str> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["starts_on"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        [day(60).to_string()],
        "only the waiting client's booking"
    );
}

on_both_backends!(
    a_request_whose_client_left_while_it_queued_is_dropped_before_any_work,
    two_instances_share_everything_through_the_database,
    concurrent_overlapping_requests_book_each_copy_once,
    concurrent_date_changes_never_overlap,
    expiry_on_every_instance_at_once_expires_each_hold_once,
);

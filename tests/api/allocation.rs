//! Allocation rounds: equity against first come on a contested copy, an all-or-nothing
//! confirmation, and the rules of who may do what.

use serde_json::{json, Value};

use crate::builders::{day, id_of, BookingBuilder, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::{Actor, TestApp};
use crate::on_both_backends;

async fn open_round(app: &TestApp, agency: &Actor, resources: &[i64]) -> i64 {
    let res = app
        .post(
            "/api/v1/allocation-rounds",
            Some(&agency.token),
            json!({"name": "Saison test", "period_from": day(30), "period_to": day(120),
                   "resource_ids": resources}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["status"], "open");
    id_of(&res.body)
}

async fn request(
    app: &TestApp,
    venue: &Actor,
    round: i64,
    resource: i64,
    from: i64,
    to: i64,
) -> Value {
    let res = app
        .post(
            &format!("/api/v1/allocation-rounds/{round}/requests"),
            Some(&venue.token),
            json!({"venue_id": venue.org_id, "resource_id": resource,
                   "starts_on": day(from), "ends_on": day(to)}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body
}

async fn allocate(app: &TestApp, agency: &Actor, round: i64, policy: &str) -> Value {
    let res = app
        .post(
            &format!("/api/v1/allocation-rounds/{round}/allocate"),
            Some(&agency.token),
            json!({"policy": policy}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

/// A city venue already served this year and a village venue never served both want the only
/// copy on overlapping dates, the city first. First come serves the city; equity serves the
/// village and says why; confirming books the village's loan, approved.
async fn equity_serves_the_under_served_where_first_come_serves_the_first(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let village = net.venue.clone();
    let city = app.venue(&net.agency, AMIENS).await;
    // The city's EPCI had a loan in the last 12 months.
    let other = ResourceBuilder::trunk("Malle déjà prêtée")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    BookingBuilder::new(other.id, &city, day(0), day(2))
        .status("delivered")
        .build(&app, &net.producer)
        .await;
    let expo = ResourceBuilder::exhibition("Exposition très demandée")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let round = open_round(&app, &net.agency, &[expo.id]).await;
    let first = request(&app, &city, round, expo.id, 40, 45).await;
    let second = request(&app, &village, round, expo.id, 41, 44).await;

    let fc = allocate(&app, &net.agency, round, "first_come").await;
    assert_eq!(fc["policy"], "first_come");
    assert_eq!(fc["assignments"].as_array().unwrap().len(), 1, "{fc}");
    assert_eq!(fc["assignments"][0]["request_id"], first["id"]);
    assert!(fc["assignments"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("first come"));
    assert_eq!(fc["unassigned"][0]["request_id"], second["id"]);
    let why = fc["unassigned"][0]["reason"].as_str().unwrap();
    assert!(why.contains(&format!("request {}", first["id"])), "{why}");
    assert_eq!(fc["summary"]["by_class"]["large_city"]["served"], 1);
    assert_eq!(fc["summary"]["by_class"]["village"]["served"], 0);

    let eq = allocate(&app, &net.agency, round, "equity").await;
    assert_eq!(eq["assignments"].as_array().unwrap().len(), 1, "{eq}");
    assert_eq!(eq["assignments"][0]["request_id"], second["id"]);
    let why = eq["assignments"][0]["reason"].as_str().unwrap();
    assert!(why.contains("fewer loans per 10,000"), "{why}");
    let by_class = &eq["summary"]["by_class"];
    assert_eq!(by_class["village"]["requested"], 1);
    assert_eq!(by_class["village"]["served"], 1);
    assert_eq!(by_class["large_city"]["served"], 0);
    assert!(
        eq["summary"]["city_village_gap_after"].as_f64()
            < eq["summary"]["city_village_gap_before"].as_f64(),
        "{}",
        eq["summary"]
    );

    // The venue sees its own request and what the proposal gives it, not the city's.
    let seen = app
        .get(
            &format!("/api/v1/allocation-rounds/{round}"),
            Some(&village.token),
        )
        .await;
    assert_eq!(seen.status, 200);
    let requests = seen.body["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0]["proposed_copy_id"],
        eq["assignments"][0]["copy_id"]
    );
    assert_eq!(seen.body["round"]["proposal_policy"], "equity");
    assert_eq!(seen.body["round"]["request_count"], 2);

    let done = app
        .post(
            &format!("/api/v1/allocation-rounds/{round}/confirm"),
            Some(&net.agency.token),
            json!({}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.body["round"]["status"], "confirmed");
    let ids = done.body["booking_ids"].as_array().unwrap();
    assert_eq!(ids.len(), 1);
    let booking = app
        .get(
            &format!("/api/v1/bookings/{}", ids[0]),
            Some(&village.token),
        )
        .await;
    assert_eq!(booking.status, 200);
    assert_eq!(booking.body["status"], "approved");
    assert_eq!(booking.body["venue_id"], village.org_id);
    assert_eq!(booking.body["starts_on"], json!(day(41)));
    let history = app
        .get(
            &format!("/api/v1/bookings/{}/history", ids[0]),
            Some(&village.token),
        )
        .await;
    let actions: Vec<&str> = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["request", "approve"], "{}", history.text);
    // The copy is taken: the city's direct request on those days finds it busy.
    let direct = app
        .post(
            "/api/v1/bookings",
            Some(&city.token),
            json!({"resource_id": expo.id, "venue_id": city.org_id,
                     "starts_on": day(40), "ends_on": day(45)}),
        )
        .await;
    assert_eq!(direct.status, 409, "{}", direct.text);

    let again = app
        .post(
            &format!("/api/v1/allocation-rounds/{round}/confirm"),
            Some(&net.agency.token),
            json!({}),
        )
        .await;
    assert_eq!((again.status, again.code()), (409, "round_closed"));
    let late = app
        .post(
            &format!("/api/v1/allocation-rounds/{round}/requests"),
            Some(&city.token),
            json!({"venue_id": city.org_id, "resource_id": expo.id,
                     "starts_on": day(60), "ends_on": day(61)}),
        )
        .await;
    assert_eq!((late.status, late.code()), (409, "round_closed"));
}

/// A copy the proposal assigns is booked directly before the confirmation: nothing of the round
/// is booked (not even the other, still free assignment), and a new plan can be confirmed.
async fn confirmation_books_all_or_nothing(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let city = app.venue(&net.agency, AMIENS).await;
    let a = ResourceBuilder::kit("Kit A")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let b = ResourceBuilder::kit("Kit B")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let round = open_round(&app, &net.agency, &[a.id, b.id]).await;
    request(&app, &net.venue, round, a.id, 50, 52).await;
    request(&app, &city, round, b.id, 50, 52).await;
    let plan = allocate(&app, &net.agency, round, "equity").await;
    assert_eq!(plan["assignments"].as_array().unwrap().len(), 2, "{plan}");
    // Someone books kit B on those days outside the round.
    BookingBuilder::new(b.id, &city, day(51), day(51))
        .build(&app, &net.producer)
        .await;
    let res = app
        .post(
            &format!("/api/v1/allocation-rounds/{round}/confirm"),
            Some(&net.agency.token),
            json!({}),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (409, "proposal_stale"),
        "{}",
        res.text
    );
    let village_bookings = app
        .get(
            &format!("/api/v1/bookings?venue_id={}", net.venue.org_id),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(
        village_bookings.body.as_array().map(Vec::len),
        Some(0),
        "{}",
        village_bookings.text
    );
    let round_now = app
        .get(
            &format!("/api/v1/allocation-rounds/{round}"),
            Some(&net.agency.token),
        )
        .await;
    assert_eq!(round_now.body["round"]["status"], "open");
    assert!(round_now.body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["booking_id"].is_null()));
    // A new plan sees the taken copy and serves what it can.
    let plan = allocate(&app, &net.agency, round, "equity").await;
    assert_eq!(plan["assignments"].as_array().unwrap().len(), 1, "{plan}");
    assert!(plan["unassigned"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("already booked"));
    let res = app
        .post(
            &format!("/api/v1/allocation-rounds/{round}/confirm"),
            Some(&net.agency.token),
            json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["booking_ids"].as_array().unwrap().len(), 1);
}

/// Two instances confirm the same round at once: one books, the other is told it is closed.
async fn concurrent_confirmations_book_once(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let kit = ResourceBuilder::kit("Kit disputé")
        .copies(2)
        .build(&app, &net.producer)
        .await;
    let round = open_round(&app, &net.agency, &[kit.id]).await;
    request(&app, &net.venue, round, kit.id, 35, 37).await;
    request(&app, &net.venue, round, kit.id, 70, 72).await;
    allocate(&app, &net.agency, round, "first_come").await;
    let other = app.another_instance();
    let path = format!("/api/v1/allocation-rounds/{round}/confirm");
    let (r1, r2) = futures_util::future::join(
        app.post(&path, Some(&net.agency.token), json!({})),
        other.post(&path, Some(&net.agency.token), json!({})),
    )
    .await;
    let mut statuses = [r1.status, r2.status];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} / {}", r1.text, r2.text);
    let bookings = app
        .get(
            &format!("/api/v1/bookings?venue_id={}", net.venue.org_id),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(
        bookings.body.as_array().map(Vec::len),
        Some(2),
        "{}",
        bookings.text
    );
}

/// Who may do what, and bad input that changes nothing.
async fn round_rules_and_permissions(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let stranger = app.venue(&net.agency, AMIENS).await;
    let kit = ResourceBuilder::kit("Kit règles")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let outside = ResourceBuilder::kit("Kit hors tour")
        .build(&app, &net.producer)
        .await;
    let body = json!({"name": "Tour", "period_from": day(30), "period_to": day(60), "resource_ids": [kit.id]});
    for who in [&net.venue, &net.producer] {
        let res = app
            .post("/api/v1/allocation-rounds", Some(&who.token), body.clone())
            .await;
        assert_eq!(res.status, 403, "{}", res.text);
    }
    for bad in [
        json!({"name": " ", "period_from": day(30), "period_to": day(60), "resource_ids": [kit.id]}),
        json!({"name": "x", "period_from": day(60), "period_to": day(30), "resource_ids": [kit.id]}),
        json!({"name": "x", "period_from": day(30), "period_to": day(500), "resource_ids": [kit.id]}),
        json!({"name": "x", "period_from": day(30), "period_to": day(60), "resource_ids": []}),
        json!({"name": "x", "period_from": day(30), "period_to": day(60), "resource_ids": [i64::MAX]}),
    ] {
        let res = app
            .post(
                "/api/v1/allocation-rounds",
                Some(&net.agency.token),
                bad.clone(),
            )
            .await;
        assert_eq!(res.status, 422, "{bad}: {}", res.text);
    }
    let round = open_round(&app, &net.agency, &[kit.id]).await;
    let path = format!("/api/v1/allocation-rounds/{round}/requests");
    let ask = |venue: i64, resource: i64, from: i64, to: i64| json!({"venue_id": venue, "resource_id": resource, "starts_on": day(from), "ends_on": day(to)});
    for (bad, status) in [
        (ask(net.venue.org_id, kit.id, 10, 12), 422), // before the period
        (ask(net.venue.org_id, kit.id, 110, 130), 422), // after it
        (ask(net.venue.org_id, kit.id, 50, 45), 422), // reversed
        (ask(net.venue.org_id, outside.id, 40, 42), 422), // not in the round
        (ask(stranger.org_id, kit.id, 40, 42), 403),  // another venue
    ] {
        let res = app.post(&path, Some(&net.venue.token), bad.clone()).await;
        assert_eq!(res.status, status, "{bad}: {}", res.text);
    }
    let mine = request(&app, &net.venue, round, kit.id, 40, 42).await;
    let twice = app
        .post(
            &path,
            Some(&net.venue.token),
            ask(net.venue.org_id, kit.id, 40, 42),
        )
        .await;
    assert_eq!((twice.status, twice.code()), (409, "already_exists"));
    let res = app
        .post(
            &format!("/api/v1/allocation-rounds/{round}/allocate"),
            Some(&net.producer.token),
            json!({"policy": "equity"}),
        )
        .await;
    assert_eq!(res.status, 403);
    let res = app
        .post(
            &format!("/api/v1/allocation-rounds/{round}/allocate"),
            Some(&net.agency.token),
            json!({"policy": "lottery"}),
        )
        .await;
    assert!(res.status == 400 || res.status == 422, "{}", res.text);
    let confirm = format!("/api/v1/allocation-rounds/{round}/confirm");
    let res = app.post(&confirm, Some(&net.agency.token), json!({})).await;
    assert_eq!((res.status, res.code()), (409, "no_proposal"));
    allocate(&app, &net.agency, round, "equity").await;
    // A new request voids the proposal.
    let theirs = request(&app, &stranger, round, kit.id, 80, 82).await;
    let res = app.post(&confirm, Some(&net.agency.token), json!({})).await;
    assert_eq!((res.status, res.code()), (409, "no_proposal"));
    // Withdrawing: only one's own request.
    let res = app
        .delete(
            &format!("{path}/{}", id_of(&theirs)),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(res.status, 404, "{}", res.text);
    let res = app
        .delete(&format!("{path}/{}", id_of(&mine)), Some(&net.venue.token))
        .await;
    assert_eq!(res.status, 204, "{}", res.text);
    let seen = app
        .get(
            &format!("/api/v1/allocation-rounds/{round}"),
            Some(&net.agency.token),
        )
        .await;
    assert_eq!(seen.body["requests"].as_array().unwrap().len(), 1);
    let listed = app
        .get("/api/v1/allocation-rounds", Some(&net.venue.token))
        .await;
    assert_eq!(listed.status, 200);
    assert!(listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == round));
    let res = app
        .get(
            "/api/v1/allocation-rounds/999999999",
            Some(&net.agency.token),
        )
        .await;
    assert_eq!(res.status, 404);
}

on_both_backends!(
    equity_serves_the_under_served_where_first_come_serves_the_first,
    confirmation_books_all_or_nothing,
    concurrent_confirmations_book_once,
    round_rules_and_permissions
);

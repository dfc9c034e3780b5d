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

/// Posts a CSV of requests to a round.
async fn post_csv(app: &TestApp, who: &Actor, round: i64, csv: &str) -> crate::common::Resp {
    app.raw(
        "POST",
        &format!("/api/v1/allocation-rounds/{round}/requests"),
        Some(&who.token),
        Some("text/csv"),
        csv.as_bytes().to_vec(),
    )
    .await
}

/// The requests of a round the agency sees.
async fn requests_of(app: &TestApp, agency: &Actor, round: i64) -> Vec<Value> {
    let res = app
        .get(
            &format!("/api/v1/allocation-rounds/{round}"),
            Some(&agency.token),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["requests"].as_array().unwrap().clone()
}

/// `compare` gives both plans side by side and stores nothing: the round keeps no proposal (or
/// the one it had), and each plan is what `allocate` then proposes under its policy, summary
/// included (served per class, the village–city gap in points, km). Confirming twice is a 409
/// `round_closed` that books nothing more; a confirmed round has nothing left to compare.
async fn compare_stores_nothing_and_matches_allocate(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let village = net.venue.clone();
    let city = app.venue(&net.agency, AMIENS).await;
    let expo = ResourceBuilder::exhibition("Exposition comparée")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let round = open_round(&app, &net.agency, &[expo.id]).await;
    let first = request(&app, &city, round, expo.id, 40, 45).await;
    let second = request(&app, &village, round, expo.id, 41, 44).await;
    let path = format!("/api/v1/allocation-rounds/{round}/compare");
    for who in [&village, &net.producer] {
        let res = app.post(&path, Some(&who.token), json!({})).await;
        assert_eq!(res.status, 403, "{}", res.text);
    }
    let compared = app.post(&path, Some(&net.agency.token), json!({})).await;
    assert_eq!(compared.status, 200, "{}", compared.text);
    let (eq, fc) = (&compared.body["equity"], &compared.body["first_come"]);
    assert_eq!(eq["policy"], "equity");
    assert_eq!(fc["policy"], "first_come");
    assert_eq!(eq["assignments"][0]["request_id"], second["id"]);
    assert_eq!(fc["assignments"][0]["request_id"], first["id"]);
    // Villages 1 of 1 served and cities 0 of 1 under equity: +100 points; the reverse first come.
    assert_eq!(eq["summary"]["village_city_served_gap_points"], 100.0);
    assert_eq!(fc["summary"]["village_city_served_gap_points"], -100.0);
    // Km: from the producer's depot in the city, the village is farther than the city venue.
    let km = |plan: &Value| plan["summary"]["total_km"].as_f64().unwrap();
    for plan in [eq, fc] {
        assert_eq!(
            km(plan),
            plan["assignments"][0]["road_km"].as_f64().unwrap()
        );
    }
    assert!(km(eq) > km(fc), "{eq} {fc}");
    // Nothing stored: no proposal to confirm, none on the requests.
    let seen = app
        .get(
            &format!("/api/v1/allocation-rounds/{round}"),
            Some(&net.agency.token),
        )
        .await;
    assert!(
        seen.body["round"]["proposal_policy"].is_null(),
        "{}",
        seen.text
    );
    assert!(seen.body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["proposed_copy_id"].is_null()));
    let confirm = format!("/api/v1/allocation-rounds/{round}/confirm");
    let res = app.post(&confirm, Some(&net.agency.token), json!({})).await;
    assert_eq!((res.status, res.code()), (409, "no_proposal"));
    // Each plan is the one allocate proposes.
    let allocated_fc = allocate(&app, &net.agency, round, "first_come").await;
    assert_eq!(&allocated_fc, fc);
    let allocated_eq = allocate(&app, &net.agency, round, "equity").await;
    assert_eq!(&allocated_eq, eq);
    // Comparing again leaves the current proposal as it was.
    let again = app.post(&path, Some(&net.agency.token), json!({})).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body, compared.body);
    let seen = app
        .get(
            &format!("/api/v1/allocation-rounds/{round}"),
            Some(&net.agency.token),
        )
        .await;
    assert_eq!(seen.body["round"]["proposal_policy"], "equity");

    let done = app.post(&confirm, Some(&net.agency.token), json!({})).await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.body["booking_ids"].as_array().unwrap().len(), 1);
    let twice = app.post(&confirm, Some(&net.agency.token), json!({})).await;
    assert_eq!((twice.status, twice.code()), (409, "round_closed"));
    let booked = app
        .get(
            &format!("/api/v1/bookings?resource_id={}", expo.id),
            Some(&net.agency.token),
        )
        .await;
    assert_eq!(booked.status, 200, "{}", booked.text);
    assert_eq!(
        booked.body.as_array().map(Vec::len),
        Some(1),
        "{}",
        booked.text
    );
    let res = app.post(&path, Some(&net.agency.token), json!({})).await;
    assert_eq!((res.status, res.code()), (409, "round_closed"));
}

/// A CSV of requests is added all or nothing: a malformed file or any refused line is a 422
/// listing every error with its line and column, and nothing is added; a good file adds each
/// line under the JSON endpoint's rules.
async fn csv_requests_all_or_nothing(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let city = app.venue(&net.agency, AMIENS).await;
    let kit = ResourceBuilder::kit("Kit en CSV")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let outside = ResourceBuilder::kit("Kit hors tour CSV")
        .build(&app, &net.producer)
        .await;
    let round = open_round(&app, &net.agency, &[kit.id]).await;
    let (v, c, k) = (net.venue.org_id, city.org_id, kit.id);
    let bad = format!(
        "venue_id,resource_id,starts_on,ends_on\n\
         {v},{k},{},{}\n\
         {v},{},{},{}\n\
         abc,{k},{},tomorrow\n\
         {c},{k},{},{}\n",
        day(40),
        day(42),
        outside.id,
        day(40),
        day(42),
        day(40),
        day(50),
        day(45),
    );
    let res = post_csv(&app, &net.agency, round, &bad).await;
    assert_eq!(
        (res.status, res.code()),
        (422, "validation_failed"),
        "{}",
        res.text
    );
    let listed: Vec<(i64, String)> = res.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_i64().unwrap(),
                e["field"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (3, "resource_id".to_string()),
            (4, "venue_id".to_string()),
            (4, "ends_on".to_string()),
            (5, "ends_on".to_string()),
        ],
        "{}",
        res.text
    );
    // Line 2 was good, but nothing is added.
    assert!(requests_of(&app, &net.agency, round).await.is_empty());
    // Malformed files: no header, a missing column, a short line; the same line twice.
    let line = format!("{v},{k},{},{}", day(40), day(42));
    for (csv, at, field) in [
        (format!("{line}\n"), 1, "venue_id"),
        (
            "venue_id,resource_id,starts_on\n1,2,2027-01-01\n".to_string(),
            1,
            "ends_on",
        ),
        (
            format!("venue_id,resource_id,starts_on,ends_on\n{line}\n{v},{k}\n"),
            3,
            "body",
        ),
        (
            format!("venue_id,resource_id,starts_on,ends_on\n{line}\n{line}\n"),
            3,
            "body",
        ),
        (
            "venue_id,resource_id,starts_on,ends_on\n".to_string(),
            2,
            "body",
        ),
    ] {
        let res = post_csv(&app, &net.agency, round, &csv).await;
        assert_eq!(res.status, 422, "{csv}: {}", res.text);
        let e = &res.body["errors"][0];
        assert_eq!(
            (e["line"].as_i64(), e["field"].as_str()),
            (Some(at), Some(field)),
            "{csv}: {}",
            res.text
        );
        assert!(requests_of(&app, &net.agency, round).await.is_empty());
    }
    // A venue may not slip in another venue's request.
    let other = format!(
        "venue_id,resource_id,starts_on,ends_on\n{line}\n{c},{k},{},{}\n",
        day(60),
        day(62)
    );
    let res = post_csv(&app, &net.venue, round, &other).await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.body["errors"][0]["line"], 3);
    assert_eq!(res.body["errors"][0]["field"], "venue_id");
    assert!(requests_of(&app, &net.agency, round).await.is_empty());
    // Neither JSON nor CSV.
    let res = app
        .raw(
            "POST",
            &format!("/api/v1/allocation-rounds/{round}/requests"),
            Some(&net.agency.token),
            Some("text/plain"),
            line.clone().into_bytes(),
        )
        .await;
    assert_eq!((res.status, res.code()), (415, "unsupported_media_type"));
    // A good file: columns in any order, both lines added in order.
    let good = format!(
        "resource_id,venue_id,starts_on,ends_on\r\n{k},{v},{},{}\r\n{k},{c},{},{}\r\n",
        day(40),
        day(42),
        day(60),
        day(62)
    );
    let res = post_csv(&app, &net.agency, round, &good).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let added = res.body.as_array().unwrap();
    assert_eq!(added.len(), 2);
    assert_eq!(added[0]["venue_id"], v);
    assert_eq!(added[1]["venue_id"], c);
    assert_eq!(requests_of(&app, &net.agency, round).await.len(), 2);
    // A closed round refuses the whole file.
    allocate(&app, &net.agency, round, "first_come").await;
    let done = app
        .post(
            &format!("/api/v1/allocation-rounds/{round}/confirm"),
            Some(&net.agency.token),
            json!({}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let late = format!(
        "venue_id,resource_id,starts_on,ends_on\n{v},{k},{},{}\n",
        day(80),
        day(82)
    );
    let res = post_csv(&app, &net.agency, round, &late).await;
    assert_eq!((res.status, res.code()), (409, "round_closed"));
}

on_both_backends!(
    equity_serves_the_under_served_where_first_come_serves_the_first,
    confirmation_books_all_or_nothing,
    concurrent_confirmations_book_once,
    round_rules_and_permissions,
    compare_stores_nothing_and_matches_allocate,
    csv_requests_all_or_nothing
);

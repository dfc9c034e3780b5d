//! Bookings: occupied periods and their day boundaries, alternatives, hold expiry (background job
//! and job function), the waitlist, the workflow and who may take each step, privacy, date checks
//! and date changes, availability, the `available_from/to` search, and the iCalendar feeds.

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use ical::parser::ical::component::{IcalCalendar, IcalEvent};
use ical::property::Property;
use itinerance::booking::service::expire_holds;
use serde_json::{json, Value};

use crate::builders::{day, BookingBuilder, CopyBuilder, Network, ResourceBuilder};
use crate::common::{Actor, Resp, TestApp};
use crate::on_both_backends;

/// Communes as listed in data/hauts-de-france-communes.csv: (INSEE code, latitude, longitude).
const AMIENS: (&str, f64, f64) = ("80021", 49.9, 2.3);
const LILLE: (&str, f64, f64) = ("59350", 50.63391, 3.05512);

/// Radius of the sphere distances are measured on (API.md), in km.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Road distance estimate of the default configuration: great circle × 1.3.
fn road_km(a: (&str, f64, f64), b: (&str, f64, f64)) -> f64 {
    let (lat1, lon1) = (a.1.to_radians(), a.2.to_radians());
    let (lat2, lon2) = (b.1.to_radians(), b.2.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().asin() * 1.3
}

fn date(v: &Value) -> NaiveDate {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a date: {v}"))
}

/// A wire timestamp: RFC 3339 in UTC with a `Z`, read back as naive UTC.
fn timestamp(v: &Value) -> NaiveDateTime {
    let text = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    assert!(text.ends_with('Z'), "timestamp not in UTC with Z: {text}");
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("not an RFC 3339 timestamp: {text}: {e}"))
        .naive_utc()
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

fn occupied(b: &Value) -> (NaiveDate, NaiveDate) {
    (date(&b["occupied_from"]), date(&b["occupied_to"]))
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(id)
        .collect()
}

/// The agency, a producer in Amiens and a venue in `venue_commune`.
async fn network(app: &TestApp, venue_commune: &str) -> Network {
    Network::at(app, AMIENS.0, venue_commune).await
}

/// Publishes an exhibition with the given set-up and turnaround days (the builder asserts they
/// are echoed); returns its id.
async fn new_resource(
    app: &TestApp,
    producer: &Actor,
    title: &str,
    setup_days: i32,
    turnaround_days: i32,
) -> i64 {
    ResourceBuilder::exhibition(title)
        .with("description", "Une exposition itinérante")
        .with("themes", json!(["science_society"]))
        .with("setup_days", setup_days)
        .with("turnaround_days", turnaround_days)
        .build(app, producer)
        .await
        .id
}

/// Adds a copy whose depot is `depot`; returns its id.
async fn new_copy(
    app: &TestApp,
    producer: &Actor,
    resource_id: i64,
    depot: (&str, f64, f64),
) -> i64 {
    id(&CopyBuilder::default()
        .at(depot.0)
        .build(app, producer, resource_id)
        .await)
}

async fn set_copy_status(app: &TestApp, producer: &Actor, copy_id: i64, body: Value) {
    let res = app
        .patch(
            &format!("/api/v1/copies/{copy_id}"),
            Some(&producer.token),
            body.clone(),
        )
        .await;
    assert_eq!(res.status, 200, "{body}: {}", res.text);
    assert_eq!(res.body["status"], body["status"]);
}

async fn get_copy(app: &TestApp, who: &Actor, copy_id: i64) -> Value {
    let res = app
        .get(&format!("/api/v1/copies/{copy_id}"), Some(&who.token))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

/// `POST /api/v1/bookings`, optionally for one copy.
async fn request(
    app: &TestApp,
    who: &Actor,
    resource_id: i64,
    venue_id: i64,
    (starts_on, ends_on): (NaiveDate, NaiveDate),
    copy_id: Option<i64>,
) -> Resp {
    let mut body = json!({
        "resource_id": resource_id,
        "venue_id": venue_id,
        "starts_on": starts_on,
        "ends_on": ends_on,
    });
    if let Some(c) = copy_id {
        body["copy_id"] = json!(c);
    }
    app.post("/api/v1/bookings", Some(&who.token), body).await
}

/// `POST /api/v1/bookings` by a venue for itself, on any copy.
async fn ask(
    app: &TestApp,
    venue: &Actor,
    resource_id: i64,
    dates: (NaiveDate, NaiveDate),
) -> Resp {
    request(app, venue, resource_id, venue.org_id, dates, None).await
}

/// A venue books for itself (the builder asserts 201, `requested` and what was asked); returns
/// the booking.
async fn book(
    app: &TestApp,
    venue: &Actor,
    resource_id: i64,
    (starts_on, ends_on): (NaiveDate, NaiveDate),
    copy_id: Option<i64>,
) -> Value {
    let mut booking = BookingBuilder::new(resource_id, venue, starts_on, ends_on);
    if let Some(c) = copy_id {
        booking = booking.copy(c);
    }
    // No action is taken on a `requested` booking, so no producer is needed.
    booking.build(app, venue).await
}

/// The `alternatives` of a `booking_conflict`.
fn conflict_alternatives(res: &Resp) -> Vec<Value> {
    assert_eq!(res.status, 409, "{}", res.text);
    assert_eq!(res.code(), "booking_conflict");
    res.body["alternatives"]
        .as_array()
        .unwrap_or_else(|| panic!("no alternatives: {}", res.text))
        .clone()
}

fn alternative(copy_id: i64, starts_on: NaiveDate, ends_on: NaiveDate) -> Value {
    json!({"copy_id": copy_id, "starts_on": starts_on, "ends_on": ends_on})
}

async fn fetch(app: &TestApp, who: &Actor, booking_id: i64) -> Value {
    let res = app
        .get(&format!("/api/v1/bookings/{booking_id}"), Some(&who.token))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

async fn history(app: &TestApp, who: &Actor, booking_id: i64) -> Vec<Value> {
    let res = app
        .get(
            &format!("/api/v1/bookings/{booking_id}/history"),
            Some(&who.token),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body.as_array().expect("history").clone()
}

fn actions_of(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect()
}

async fn change_dates(
    app: &TestApp,
    who: &Actor,
    booking_id: i64,
    (starts_on, ends_on): (NaiveDate, NaiveDate),
) -> Resp {
    app.patch(
        &format!("/api/v1/bookings/{booking_id}"),
        Some(&who.token),
        json!({"starts_on": starts_on, "ends_on": ends_on}),
    )
    .await
}

async fn list(app: &TestApp, who: &Actor, query: &str) -> Vec<i64> {
    let res = app
        .get(&format!("/api/v1/bookings{query}"), Some(&who.token))
        .await;
    assert_eq!(res.status, 200, "{query}: {}", res.text);
    ids(&res.body)
}

/// Sets a booking's hold to lapse at `at`, straight in the database.
async fn set_hold_expiry(app: &TestApp, booking_id: i64, at: NaiveDateTime) {
    let changed = app
        .state
        .run(move |conn| {
            use itinerance::schema::bookings;
            Ok(diesel::update(bookings::table.find(booking_id))
                .set(bookings::hold_expires_at.eq(Some(at)))
                .execute(conn)?)
        })
        .await
        .expect("set hold_expires_at");
    assert_eq!(changed, 1);
}

/// Runs the expiry job as if it were `now`; returns how many holds it expired.
async fn expire_as_of(app: &TestApp, now: NaiveDateTime) -> usize {
    let settings = app.state.booking_settings();
    app.state
        .run(move |conn| expire_holds(conn, &settings, now))
        .await
        .expect("expire_holds")
}

async fn availability(app: &TestApp, who: &Actor, resource_id: i64, from: i64, to: i64) -> Value {
    let res = app
        .get(
            &format!(
                "/api/v1/resources/{resource_id}/availability?from={}&to={}",
                day(from),
                day(to)
            ),
            Some(&who.token),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["resource_id"], resource_id);
    assert_eq!(date(&res.body["from"]), day(from));
    assert_eq!(date(&res.body["to"]), day(to));
    res.body
}

/// The free periods of one copy in an availability answer.
fn free_of(avail: &Value, copy_id: i64) -> Vec<(NaiveDate, NaiveDate)> {
    let copy = avail["copies"]
        .as_array()
        .expect("copies")
        .iter()
        .find(|c| c["copy_id"] == copy_id)
        .unwrap_or_else(|| panic!("copy {copy_id} missing from {avail}"));
    copy["free"]
        .as_array()
        .expect("free")
        .iter()
        .map(|p| (date(&p["from"]), date(&p["to"])))
        .collect()
}

fn days(pairs: &[(i64, i64)]) -> Vec<(NaiveDate, NaiveDate)> {
    pairs.iter().map(|&(a, b)| (day(a), day(b))).collect()
}

// ------------------------------------------------------------------------------------------------
// Day boundaries of occupied periods

async fn turnover_is_the_day_after_the_last_occupied_day(app: TestApp) {
    // Depot and venue in the same commune: 0 km, no travel day; no set-up, no turnaround.
    let net = network(&app, AMIENS.0).await;
    let resource = new_resource(&app, &net.producer, "Le ciel à l'oeil nu", 0, 0).await;
    let copy = new_copy(&app, &net.producer, resource, AMIENS).await;

    let a = book(&app, &net.venue, resource, (day(30), day(32)), None).await;
    assert_eq!(a["copy_id"], copy);
    assert_eq!(a["outbound_days"], 0);
    assert_eq!(a["return_days"], 0);
    assert_eq!(a["distance_km"].as_f64(), Some(0.0));
    assert_eq!(occupied(&a), (day(30), day(32)));

    // The copy serves one occupation per day: the next loan cannot start on A's last day...
    let same_day = ask(&app, &net.venue, resource, (day(32), day(34))).await;
    assert_eq!(
        conflict_alternatives(&same_day)[0],
        alternative(copy, day(33), day(35)),
        "the nearest free period of the same length starts the day after"
    );
    // ...but it can the day after.
    let b = book(&app, &net.venue, resource, (day(33), day(34)), None).await;
    assert_eq!(b["copy_id"], copy);
    assert_eq!(occupied(&b), (day(33), day(34)));

    // Same on the other side: ending on A's first day clashes, ending the day before does not.
    let ends_on_first_day = ask(&app, &net.venue, resource, (day(27), day(30))).await;
    conflict_alternatives(&ends_on_first_day);
    let c = book(&app, &net.venue, resource, (day(27), day(29)), None).await;
    assert_eq!(c["copy_id"], copy);
    assert_eq!(occupied(&c), (day(27), day(29)));

    let mut on_copy = list(&app, &net.agency, &format!("?copy_id={copy}")).await;
    on_copy.sort();
    assert_eq!(on_copy, vec![id(&a), id(&b), id(&c)]);
}

async fn turnaround_and_travel_days_widen_the_occupation(app: TestApp) {
    let net = network(&app, AMIENS.0).await;

    // Turnaround 3, no travel: B starts at least 4 days after A ends.
    let trunk = new_resource(&app, &net.producer, "Malle énergie", 0, 3).await;
    let copy = new_copy(&app, &net.producer, trunk, AMIENS).await;
    let a = book(&app, &net.venue, trunk, (day(30), day(32)), None).await;
    assert_eq!(occupied(&a), (day(30), day(35)), "32 + 0 + 0 + 3");
    for start in 32..=35 {
        let res = request(
            &app,
            &net.venue,
            trunk,
            net.venue.org_id,
            (day(start), day(start + 1)),
            None,
        )
        .await;
        let alternatives = conflict_alternatives(&res);
        assert!(
            alternatives.contains(&alternative(copy, day(36), day(37))),
            "start {start}: {alternatives:?}"
        );
    }
    let b = book(&app, &net.venue, trunk, (day(36), day(37)), None).await;
    assert_eq!(b["copy_id"], copy);
    assert_eq!(occupied(&b), (day(36), day(40)));

    // Set-up 2, turnaround 3, depot in Amiens, venue in Lille: ≈127 road km, 1 travel day each way.
    let lille = app.venue(&net.agency, LILLE.0).await;
    let expo = new_resource(&app, &net.producer, "Exposition mécanique", 2, 3).await;
    let far = new_copy(&app, &net.producer, expo, AMIENS).await;
    let km = road_km(AMIENS, LILLE);
    assert!(km > 0.0 && km <= 250.0, "{km}");
    let x = book(&app, &lille, expo, (day(40), day(44)), None).await;
    assert_eq!(x["copy_id"], far);
    let distance = x["distance_km"].as_f64().expect("distance_km");
    assert!((distance - km).abs() <= 0.051, "{distance} vs {km}");
    assert_eq!(x["outbound_days"], 1);
    assert_eq!(x["return_days"], 1);
    assert_eq!(
        occupied(&x),
        (day(40 - 1 - 2), day(44 + 2 + 1 + 3)),
        "travel and set-up before, take-down, travel back and turnaround after"
    );
    // The next loan's travel and set-up may begin the day after day 50, not on it.
    let too_soon = request(&app, &lille, expo, lille.org_id, (day(53), day(54)), None).await;
    assert_eq!(
        conflict_alternatives(&too_soon)[0],
        alternative(far, day(54), day(55))
    );
    let next = book(&app, &lille, expo, (day(54), day(55)), None).await;
    assert_eq!(occupied(&next), (day(51), day(61)));
    assert_eq!(
        date(&next["occupied_from"]),
        date(&x["occupied_to"]) + Duration::days(1)
    );
}

async fn an_occupation_may_end_the_day_before_the_next_one_begins(app: TestApp) {
    // Depot in Amiens, venue in Lille (1 travel day), set-up 1, turnaround 2: 2 days before, 4 after.
    let net = network(&app, LILLE.0).await;
    let resource = new_resource(&app, &net.producer, "Planétarium gonflable", 1, 2).await;
    let copy = new_copy(&app, &net.producer, resource, AMIENS).await;
    let v = net.venue.org_id;

    let a = book(&app, &net.venue, resource, (day(60), day(62)), None).await;
    assert_eq!(occupied(&a), (day(58), day(66)));

    // Occupation 49..58 ends ON A's first occupied day: refused, with an offer.
    let clash = request(&app, &net.venue, resource, v, (day(51), day(54)), None).await;
    let offered = conflict_alternatives(&clash);
    assert_eq!(offered[0], alternative(copy, day(50), day(53)));
    // The offer is bookable as is, and its occupation ends the day before A's begins.
    let first = &offered[0];
    let b = book(
        &app,
        &net.venue,
        resource,
        (date(&first["starts_on"]), date(&first["ends_on"])),
        first["copy_id"].as_i64(),
    )
    .await;
    assert_eq!(occupied(&b), (day(48), day(57)));
    assert_eq!(occupied(&b).1 + Duration::days(1), occupied(&a).0);

    // Asking again: the nearest fit is now before B (11 days away), then after A (16 days away);
    // both have the same length and are bookable.
    let clash = request(&app, &net.venue, resource, v, (day(51), day(54)), None).await;
    let offered = conflict_alternatives(&clash);
    assert_eq!(
        offered,
        vec![
            alternative(copy, day(40), day(43)),
            alternative(copy, day(69), day(72)),
        ]
    );
    for alt in &offered {
        let (from, to) = (date(&alt["starts_on"]), date(&alt["ends_on"]));
        assert_eq!((to - from).num_days(), 3, "same length as asked");
        let (occ_from, occ_to) = (from - Duration::days(2), to + Duration::days(4));
        for taken in [occupied(&a), occupied(&b)] {
            assert!(
                occ_to < taken.0 || occ_from > taken.1,
                "{alt} overlaps {taken:?}"
            );
        }
    }
    let c = book(
        &app,
        &net.venue,
        resource,
        (date(&offered[0]["starts_on"]), date(&offered[0]["ends_on"])),
        offered[0]["copy_id"].as_i64(),
    )
    .await;
    assert_eq!(occupied(&c), (day(38), day(47)));
    assert_eq!(occupied(&c).1 + Duration::days(1), occupied(&b).0);
}

async fn alternatives_span_every_copy_nearest_first(app: TestApp) {
    let net = network(&app, AMIENS.0).await;
    let resource = new_resource(&app, &net.producer, "Maquette de moulin", 0, 0).await;
    let c1 = new_copy(&app, &net.producer, resource, AMIENS).await;
    let c2 = new_copy(&app, &net.producer, resource, AMIENS).await;
    book(&app, &net.venue, resource, (day(30), day(39)), Some(c1)).await;
    book(&app, &net.venue, resource, (day(28), day(33)), Some(c2)).await;

    let clash = ask(&app, &net.venue, resource, (day(30), day(31))).await;
    let offered = conflict_alternatives(&clash);
    // c1 fits 2 days earlier (28..29); c2 fits 4 days away on either side (the earlier first).
    let expected = vec![
        alternative(c1, day(28), day(29)),
        alternative(c2, day(26), day(27)),
    ];
    assert_eq!(offered[0], expected[0]);
    assert!(expected.iter().all(|e| offered.contains(e)), "{offered:?}");
    let distances: Vec<i64> = offered
        .iter()
        .map(|a| (date(&a["starts_on"]) - day(30)).num_days().abs())
        .collect();
    assert!(
        distances.windows(2).all(|w| w[0] <= w[1]),
        "nearest first: {offered:?}"
    );
    for alt in &expected {
        let b = book(
            &app,
            &net.venue,
            resource,
            (date(&alt["starts_on"]), date(&alt["ends_on"])),
            alt["copy_id"].as_i64(),
        )
        .await;
        assert_eq!(b["copy_id"], alt["copy_id"]);
    }
}

async fn the_nearest_free_copy_is_assigned(app: TestApp) {
    let net = network(&app, LILLE.0).await;
    let resource = new_resource(&app, &net.producer, "Malle eau", 0, 0).await;
    let in_amiens = new_copy(&app, &net.producer, resource, AMIENS).await;
    let in_lille = new_copy(&app, &net.producer, resource, LILLE).await;

    let near = book(&app, &net.venue, resource, (day(30), day(31)), None).await;
    assert_eq!(near["copy_id"], in_lille);
    assert_eq!(near["distance_km"].as_f64(), Some(0.0));
    assert_eq!(occupied(&near), (day(30), day(31)));
    let next = book(&app, &net.venue, resource, (day(30), day(31)), None).await;
    assert_eq!(next["copy_id"], in_amiens, "the nearer one is taken");
    assert_eq!(next["outbound_days"], 1);
    assert_eq!(occupied(&next), (day(29), day(32)));
    let none = ask(&app, &net.venue, resource, (day(30), day(31))).await;
    let offered = conflict_alternatives(&none);
    // Lille's copy is busy on days 30..31; Amiens' is busy on 29..32 and needs a travel day on
    // each side of a loan. Each free gap of each copy offers its start nearest to day 30; distinct
    // starts, nearest first (on a tie, the nearer copy, then the earlier day).
    let mut starts = Vec::new();
    for alt in &offered {
        let (from, to) = (date(&alt["starts_on"]), date(&alt["ends_on"]));
        assert_eq!((to - from).num_days(), 1, "same length as asked: {alt}");
        let copy = alt["copy_id"].as_i64().unwrap_or_else(|| panic!("{alt}"));
        let (occupied_from, occupied_to, busy) = if copy == in_lille {
            (from, to, (day(30), day(31)))
        } else {
            assert_eq!(copy, in_amiens, "{alt}");
            (
                from - Duration::days(1),
                to + Duration::days(1),
                (day(29), day(32)),
            )
        };
        assert!(
            occupied_to < busy.0 || occupied_from > busy.1,
            "{alt} is not free: its copy is busy over {busy:?}"
        );
        assert!(
            !starts.contains(&from),
            "one alternative per start: {offered:?}"
        );
        starts.push(from);
    }
    let distances: Vec<i64> = starts
        .iter()
        .map(|s| (*s - day(30)).num_days().abs())
        .collect();
    assert!(
        distances.windows(2).all(|w| w[0] <= w[1]),
        "nearest first: {offered:?}"
    );
    assert_eq!(
        offered,
        vec![
            alternative(in_lille, day(28), day(29)),
            alternative(in_lille, day(32), day(33)),
            alternative(in_amiens, day(26), day(27)),
            alternative(in_amiens, day(34), day(35)),
        ]
    );
    // And the first one is really free: the venue gets it.
    let taken = book(
        &app,
        &net.venue,
        resource,
        (day(28), day(29)),
        Some(in_lille),
    )
    .await;
    assert_eq!(occupied(&taken), (day(28), day(29)));
}

// ------------------------------------------------------------------------------------------------
// Hold expiry

async fn lapsed_holds_expire_in_the_background(app: TestApp) {
    let net = network(&app, AMIENS.0).await;
    let resource = new_resource(&app, &net.producer, "Malle son", 0, 0).await;
    let copy = new_copy(&app, &net.producer, resource, AMIENS).await;
    let b = book(&app, &net.venue, resource, (day(30), day(33)), None).await;
    assert_eq!(
        timestamp(&b["hold_expires_at"]) - timestamp(&b["created_at"]),
        Duration::days(app.state.config.booking_hold_days)
    );

    set_hold_expiry(&app, id(&b), Utc::now().naive_utc() - Duration::minutes(1)).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let expired = loop {
        let current = fetch(&app, &net.venue, id(&b)).await;
        if current["status"] == "expired" {
            break current;
        }
        assert_eq!(current["status"], "requested");
        assert!(
            std::time::Instant::now() < deadline,
            "the background job did not expire the lapsed hold"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(expired["hold_expires_at"], Value::Null);

    let events = history(&app, &net.venue, id(&b)).await;
    assert_eq!(actions_of(&events), vec!["request", "expire"]);
    let expire = &events[1];
    assert_eq!(expire["from_status"], "requested");
    assert_eq!(expire["to_status"], "expired");
    for actor in ["actor_organization_id", "actor_user_id", "actor_api_key_id"] {
        assert_eq!(expire[actor], Value::Null, "{actor}");
    }

    // The copy is free again: another venue gets it for the same dates.
    let other = app.venue(&net.agency, AMIENS.0).await;
    let again = book(&app, &other, resource, (day(30), day(33)), None).await;
    assert_eq!(again["copy_id"], copy);
}

async fn expire_holds_lapses_requests_only(app: TestApp) {
    let net = network(&app, AMIENS.0).await;
    let resource = new_resource(&app, &net.producer, "Kit micro:bit", 0, 0).await;
    let c1 = new_copy(&app, &net.producer, resource, AMIENS).await;
    let c2 = new_copy(&app, &net.producer, resource, AMIENS).await;
    let held = book(&app, &net.venue, resource, (day(30), day(31)), None).await;
    assert_eq!(held["copy_id"], c1);
    let approved = book(&app, &net.venue, resource, (day(30), day(31)), None).await;
    assert_eq!(approved["copy_id"], c2);
    let approved = app
        .act_ok(&net.producer, id(&approved), "approve", "approved")
        .await;
    assert_eq!(approved["hold_expires_at"], Value::Null);

    // Another venue waits for these days.
    let waiting = app.venue(&net.agency, AMIENS.0).await;
    let w = join_waitlist(&app, &waiting, resource, (day(30), day(31))).await;

    let lapses = timestamp(&held["hold_expires_at"]);
    assert_eq!(
        lapses - timestamp(&held["created_at"]),
        Duration::days(app.state.booking_settings().hold_days)
    );
    // Not yet: one second before the hold lapses.
    assert_eq!(expire_as_of(&app, lapses - Duration::seconds(1)).await, 0);
    assert_eq!(
        fetch(&app, &net.venue, id(&held)).await["status"],
        "requested"
    );
    // At that instant it does, once.
    assert_eq!(expire_as_of(&app, lapses).await, 1);
    assert_eq!(expire_as_of(&app, lapses).await, 0);
    let expired = fetch(&app, &net.venue, id(&held)).await;
    assert_eq!(expired["status"], "expired");
    assert_eq!(expired["hold_expires_at"], Value::Null);
    let events = history(&app, &net.agency, id(&held)).await;
    assert_eq!(actions_of(&events), vec!["request", "expire"]);
    assert_eq!(events[1]["actor_organization_id"], Value::Null);
    assert_eq!(events[1]["actor_user_id"], Value::Null);

    // The released copy went to the waiting venue.
    let fulfilled = entry(&app, &waiting, id(&w)).await;
    assert_eq!(fulfilled["status"], "fulfilled");
    let promoted = fetch(
        &app,
        &waiting,
        fulfilled["booking_id"].as_i64().expect("id"),
    )
    .await;
    assert_eq!(promoted["copy_id"], c1);
    assert_eq!(promoted["status"], "requested");
    assert_eq!(promoted["waitlist_entry_id"], id(&w));
    assert_eq!(
        actions_of(&history(&app, &waiting, id(&promoted)).await),
        vec!["promote"]
    );

    // An approved booking never expires, however late (the promoted request does).
    let far = Utc::now().naive_utc() + Duration::days(1000);
    assert_eq!(expire_as_of(&app, far).await, 1);
    assert_eq!(
        fetch(&app, &waiting, id(&promoted)).await["status"],
        "expired"
    );
    assert_eq!(
        fetch(&app, &net.venue, id(&approved)).await["status"],
        "approved"
    );
    assert_eq!(
        actions_of(&history(&app, &net.venue, id(&approved)).await),
        vec!["request", "approve"]
    );

    // The expired holds' copy takes a new booking for the same dates.
    let again = book(&app, &net.venue, resource, (day(30), day(31)), None).await;
    assert_eq!(again["copy_id"], c1);
}

// ------------------------------------------------------------------------------------------------
// Waitlist

async fn join_waitlist(
    app: &TestApp,
    venue: &Actor,
    resource_id: i64,
    (starts_on, ends_on): (NaiveDate, NaiveDate),
) -> Value {
    let res = app
        .post(
            "/api/v1/waitlist",
            Some(&venue.token),
            json!({"resource_id": resource_id, "venue_id": venue.org_id,
                   "starts_on": starts_on, "ends_on": ends_on}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["status"], "waiting");
    assert_eq!(res.body["booking_id"], Value::Null);
    assert_eq!(res.body["resource_id"], resource_id);
    assert_eq!(res.body["venue_id"], venue.org_id);
    assert_eq!(date(&res.body["starts_on"]), starts_on);
    assert_eq!(date(&res.body["ends_on"]), ends_on);
    res.body
}

/// The waitlist entry `entry_id` as `who` sees it.
async fn entry(app: &TestApp, who: &Actor, entry_id: i64) -> Value {
    let res = app.get("/api/v1/waitlist", Some(&who.token)).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| id(e) == entry_id)
        .unwrap_or_else(|| panic!("entry {entry_id} not listed: {}", res.text))
        .clone()
}

async fn released_holds_go_to_the_first_fitting_waitlist_entry(app: TestApp) {
    let net = network(&app, AMIENS.0).await;
    let (va, agency) = (&net.venue, &net.agency);
    let vb = app.venue(agency, AMIENS.0).await;
    let vc = app.venue(agency, AMIENS.0).await;
    let resource = new_resource(&app, &net.producer, "Expo pomme de terre", 0, 0).await;
    let copy = new_copy(&app, &net.producer, resource, AMIENS).await;

    let a = book(&app, va, resource, (day(30), day(34)), None).await;
    let d = book(&app, va, resource, (day(50), day(54)), None).await;
    let refused = request(&app, &vb, resource, vb.org_id, (day(31), day(33)), None).await;
    conflict_alternatives(&refused);

    // Three entries, in this order: one blocked by D, B's, and one clashing with B's.
    let w1 = join_waitlist(&app, &vc, resource, (day(48), day(52))).await;
    let w2 = join_waitlist(&app, &vb, resource, (day(31), day(33))).await;
    let w3 = join_waitlist(&app, &vc, resource, (day(32), day(36))).await;
    assert!(id(&w1) < id(&w2) && id(&w2) < id(&w3));
    // A venue waits only for itself.
    let for_other = app
        .post(
            "/api/v1/waitlist",
            Some(&vb.token),
            json!({"resource_id": resource, "venue_id": vc.org_id,
                   "starts_on": day(31), "ends_on": day(33)}),
        )
        .await;
    assert_eq!(for_other.status, 403, "{}", for_other.text);
    assert_eq!(for_other.code(), "forbidden");

    // A cancels: the first entry that now fits (w2) gets a requested booking.
    app.act_ok(va, id(&a), "cancel", "cancelled").await;
    let fulfilled = entry(&app, &vb, id(&w2)).await;
    assert_eq!(fulfilled["status"], "fulfilled");
    let promoted_id = fulfilled["booking_id"].as_i64().expect("booking_id");
    let promoted = fetch(&app, &vb, promoted_id).await;
    assert_eq!(promoted["status"], "requested");
    assert_eq!(promoted["venue_id"], vb.org_id);
    assert_eq!(promoted["copy_id"], copy);
    assert_eq!(promoted["waitlist_entry_id"], id(&w2));
    assert_eq!(
        (date(&promoted["starts_on"]), date(&promoted["ends_on"])),
        (day(31), day(33))
    );
    assert!(promoted["hold_expires_at"].is_string());
    let events = history(&app, &vb, promoted_id).await;
    assert_eq!(actions_of(&events), vec!["promote"]);
    assert_eq!(events[0]["from_status"], Value::Null);
    assert_eq!(events[0]["to_status"], "requested");
    // w1 (still blocked by D) and w3 (now clashing with w2's booking) keep waiting.
    assert_eq!(entry(&app, &vc, id(&w1)).await["status"], "waiting");
    assert_eq!(entry(&app, &vc, id(&w3)).await["status"], "waiting");
    assert_eq!(entry(&app, &vc, id(&w3)).await["booking_id"], Value::Null);
    // Each venue lists its own entries; the agency all of them.
    let res = app.get("/api/v1/waitlist", Some(&vc.token)).await;
    let mut mine = ids(&res.body);
    mine.sort();
    assert_eq!(mine, vec![id(&w1), id(&w3)]);
    let res = app.get("/api/v1/waitlist", Some(&agency.token)).await;
    let mut all = ids(&res.body);
    all.sort();
    assert_eq!(all, vec![id(&w1), id(&w2), id(&w3)]);

    // Moving w2's booking away releases its days: w3 gets them.
    let moved = change_dates(&app, &vb, promoted_id, (day(40), day(42))).await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let fulfilled = entry(&app, &vc, id(&w3)).await;
    assert_eq!(fulfilled["status"], "fulfilled");
    let third = fetch(&app, &vc, fulfilled["booking_id"].as_i64().expect("id")).await;
    assert_eq!(third["waitlist_entry_id"], id(&w3));
    assert_eq!(
        (date(&third["starts_on"]), date(&third["ends_on"])),
        (day(32), day(36))
    );
    assert_eq!(entry(&app, &vc, id(&w1)).await["status"], "waiting");

    // Leaving the waitlist: only one's own entry, once.
    let path = format!("/api/v1/waitlist/{}", id(&w1));
    let res = app.delete(&path, Some(&vb.token)).await;
    assert_eq!(res.status, 404, "{}", res.text);
    let res = app.delete(&path, Some(&vc.token)).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "cancelled");
    let res = app.delete(&path, Some(&vc.token)).await;
    assert_eq!(res.status, 409, "{}", res.text);
    assert_eq!(res.code(), "invalid_transition");

    // A rejection releases days too; a cancelled entry gets nothing.
    let w4 = join_waitlist(&app, &vb, resource, (day(50), day(52))).await;
    app.act_ok(&net.producer, id(&d), "reject", "rejected")
        .await;
    let fulfilled = entry(&app, &vb, id(&w4)).await;
    assert_eq!(fulfilled["status"], "fulfilled");
    assert_eq!(entry(&app, &vc, id(&w1)).await["status"], "cancelled");
    assert_eq!(entry(&app, &vc, id(&w1)).await["booking_id"], Value::Null);
}

// ------------------------------------------------------------------------------------------------
// Workflow

const ACTIONS: [&str; 7] = [
    "approve", "reject", "cancel", "dispatch", "deliver", "return", "close",
];
const STATUSES: [&str; 9] = [
    "requested",
    "approved",
    "rejected",
    "cancelled",
    "in_transit",
    "delivered",
    "returned",
    "closed",
    "expired",
];

/// The workflow of API.md: where an action leads from a status, if it is allowed there.
fn expected_transition(action: &str, from: &str) -> Option<&'static str> {
    match (action, from) {
        ("approve", "requested") => Some("approved"),
        ("reject", "requested") => Some("rejected"),
        ("cancel", "requested" | "approved") => Some("cancelled"),
        ("dispatch", "approved") => Some("in_transit"),
        ("deliver", "in_transit") => Some("delivered"),
        ("return", "delivered") => Some("returned"),
        ("close", "returned") => Some("closed"),
        _ => None,
    }
}

/// Actions that lead from `requested` to `status` (`expired` is reached by the job).
fn path_to(status: &str) -> &'static [&'static str] {
    match status {
        "approved" => &["approve"],
        "rejected" => &["reject"],
        "cancelled" => &["cancel"],
        "in_transit" => &["approve", "dispatch"],
        "delivered" => &["approve", "dispatch", "deliver"],
        "returned" => &["approve", "dispatch", "deliver", "return"],
        "closed" => &["approve", "dispatch", "deliver", "return", "close"],
        _ => &[],
    }
}

/// A booking of its own day, on a copy of its own, brought to `status` by the agency. (A copy
/// of its own, so that no copy is handed over twice in this table: what a copy needs between two
/// loans is not the workflow's business.)
async fn booking_in(
    app: &TestApp,
    net: &Network,
    resource: i64,
    next_day: &mut i64,
    status: &str,
) -> Value {
    let on = day(*next_day);
    *next_day += 2;
    let copy = new_copy(app, &net.producer, resource, AMIENS).await;
    let mut b = book(app, &net.venue, resource, (on, on), Some(copy)).await;
    for action in path_to(status) {
        b = app
            .act_ok(
                &net.agency,
                id(&b),
                action,
                expected_transition(action, b["status"].as_str().unwrap_or("")).expect("path"),
            )
            .await;
    }
    if status == "expired" {
        // A hold lapsing within the hour, expired as of then: the background job, which runs on
        // the real clock, leaves it alone.
        let soon = Utc::now().naive_utc() + Duration::hours(1);
        set_hold_expiry(app, id(&b), soon).await;
        assert_eq!(expire_as_of(app, soon).await, 1);
        b = fetch(app, &net.agency, id(&b)).await;
    }
    assert_eq!(b["status"], status);
    b
}

async fn every_transition_is_allowed_or_refused_as_documented(app: TestApp) {
    let net = network(&app, AMIENS.0).await;
    let resource = new_resource(&app, &net.producer, "Malle corps humain", 0, 0).await;
    let mut next_day = 10;

    for from in STATUSES {
        let b = booking_in(&app, &net, resource, &mut next_day, from).await;
        for action in ACTIONS {
            // Cancelling is the venue's action; every other one the producer's.
            let (side, other_side) = if action == "cancel" {
                (&net.venue, &net.producer)
            } else {
                (&net.producer, &net.venue)
            };
            let Some(to) = expected_transition(action, from) else {
                for who in [&net.agency, side] {
                    let res = app.act(who, id(&b), action).await;
                    assert_eq!(res.status, 409, "{action} from {from}: {}", res.text);
                    assert_eq!(res.code(), "invalid_transition", "{action} from {from}");
                }
                assert_eq!(fetch(&app, &net.agency, id(&b)).await["status"], from);
                continue;
            };

            // The other side may not; the right side may.
            let c = booking_in(&app, &net, resource, &mut next_day, from).await;
            let res = app.act(other_side, id(&c), action).await;
            assert_eq!(res.status, 403, "{action} from {from}: {}", res.text);
            assert_eq!(res.code(), "forbidden");
            assert_eq!(fetch(&app, &net.agency, id(&c)).await["status"], from);
            let done = app.act_ok(side, id(&c), action, to).await;
            assert_eq!(done["id"], id(&c));
            let events = history(&app, &net.agency, id(&c)).await;
            let last = events.last().expect("event");
            assert_eq!(last["action"], action);
            assert_eq!(last["from_status"], from);
            assert_eq!(last["to_status"], to);
            assert_eq!(last["actor_organization_id"], side.org_id);
            assert_eq!(last["actor_user_id"], side.user_id);
            assert_eq!(events[0]["action"], "request");
            assert_eq!(events[0]["from_status"], Value::Null);

            // The agency may take any action.
            let d = booking_in(&app, &net, resource, &mut next_day, from).await;
            app.act_ok(&net.agency, id(&d), action, to).await;
            let events = history(&app, &net.agency, id(&d)).await;
            assert_eq!(
                events.last().expect("event")["actor_organization_id"],
                net.agency.org_id
            );

            // Rejected, cancelled and closed bookings free their copy; the others keep it.
            let same_days = (date(&c["starts_on"]), date(&c["ends_on"]));
            let again = request(
                &app,
                &net.venue,
                resource,
                net.venue.org_id,
                same_days,
                c["copy_id"].as_i64(),
            )
            .await;
            if ["rejected", "cancelled", "closed"].contains(&to) {
                assert_eq!(again.status, 201, "after {action}: {}", again.text);
                assert_eq!(again.body["copy_id"], c["copy_id"]);
            } else {
                conflict_alternatives(&again);
            }
        }
    }

    // Unknown actions and bookings, notes, and unreadable bodies.
    let b = booking_in(&app, &net, resource, &mut next_day, "requested").await;
    let res = app.act(&net.agency, id(&b), "teleport").await;
    assert_eq!(res.status, 404, "{}", res.text);
    assert_eq!(res.code(), "not_found");
    let res = app.act(&net.agency, 987_654, "approve").await;
    assert_eq!(res.status, 404, "{}", res.text);
    let res = app
        .raw(
            "POST",
            &format!("/api/v1/bookings/{}/approve", id(&b)),
            Some(&net.producer.token),
            Some("application/json"),
            b"{not json".to_vec(),
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(res.code(), "malformed_request");
    let res = app
        .post(
            &format!("/api/v1/bookings/{}/approve", id(&b)),
            Some(&net.producer.token),
            json!({"note": "  Bon pour accord  "}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let events = history(&app, &net.venue, id(&b)).await;
    assert_eq!(events.last().expect("event")["note"], "Bon pour accord");
}

async fn hand_overs_move_the_copy_and_bring_it_back(app: TestApp) {
    let net = network(&app, LILLE.0).await;
    let resource = new_resource(&app, &net.producer, "Jeu d'ingénierie", 0, 0).await;
    let copy = new_copy(&app, &net.producer, resource, AMIENS).await;
    let at = |c: &Value, place: (&str, f64, f64)| {
        let (lat, lon) = (c["latitude"].as_f64(), c["longitude"].as_f64());
        assert!(
            (lat.expect("latitude") - place.1).abs() < 1e-9
                && (lon.expect("longitude") - place.2).abs() < 1e-9,
            "copy at {lat:?},{lon:?}, expected {}",
            place.0
        );
    };
    let b = book(&app, &net.venue, resource, (day(30), day(32)), None).await;
    let copy_now = get_copy(&app, &net.producer, copy).await;
    assert_eq!(copy_now["status"], "available");
    at(&copy_now, AMIENS);

    let steps = [
        ("approve", "approved", "available", AMIENS),
        ("dispatch", "in_transit", "in_transit", AMIENS),
        ("deliver", "delivered", "on_loan", LILLE),
        ("return", "returned", "available", AMIENS),
    ];
    for (action, status, copy_status, place) in steps {
        app.act_ok(&net.producer, id(&b), action, status).await;
        let copy_now = get_copy(&app, &net.producer, copy).await;
        assert_eq!(copy_now["status"], copy_status, "after {action}");
        at(&copy_now, place);
    }
    // Back at the depot but still occupied until closed (turnaround checks).
    let res = ask(&app, &net.venue, resource, (day(30), day(32))).await;
    conflict_alternatives(&res);
    app.act_ok(&net.producer, id(&b), "close", "closed").await;
    assert_eq!(
        get_copy(&app, &net.producer, copy).await["status"],
        "available"
    );
    let again = book(&app, &net.venue, resource, (day(30), day(32)), None).await;
    assert_eq!(again["copy_id"], copy);

    let events = history(&app, &net.venue, id(&b)).await;
    assert_eq!(
        actions_of(&events),
        vec!["request", "approve", "dispatch", "deliver", "return", "close"]
    );
    for pair in events.windows(2) {
        assert_eq!(pair[1]["from_status"], pair[0]["to_status"]);
    }
    assert_eq!(events[0]["actor_organization_id"], net.venue.org_id);
    assert_eq!(events[0]["actor_user_id"], net.venue.user_id);
    for e in &events[1..] {
        assert_eq!(e["actor_organization_id"], net.producer.org_id);
    }
}

// ------------------------------------------------------------------------------------------------
// Privacy

/// `who` is told the booking does not exist, whatever it tries, and nothing changes.
async fn assert_hidden(app: &TestApp, who: &Actor, agency: &Actor, booking_id: i64) {
    let before = fetch(app, agency, booking_id).await;
    let path = format!("/api/v1/bookings/{booking_id}");
    let mut answers = vec![
        app.get(&path, Some(&who.token)).await,
        app.get(&format!("{path}/history"), Some(&who.token)).await,
        change_dates(app, who, booking_id, (day(100), day(101))).await,
    ];
    for action in ACTIONS {
        answers.push(app.act(who, booking_id, action).await);
    }
    for res in answers {
        assert_eq!(res.status, 404, "{}", res.text);
        assert_eq!(res.code(), "not_found");
    }
    assert_eq!(fetch(app, agency, booking_id).await, before);
}

async fn bookings_are_seen_only_by_their_venue_producer_and_the_agency(app: TestApp) {
    let net = network(&app, AMIENS.0).await;
    let (agency, p1, va) = (&net.agency, &net.producer, &net.venue);
    let p2 = app.producer(agency, LILLE.0).await;
    let vb = app.venue(agency, AMIENS.0).await;
    let partner = app.partner(agency, LILLE.0).await;
    let r1 = new_resource(&app, p1, "Ressource de P1", 0, 0).await;
    let c1 = new_copy(&app, p1, r1, AMIENS).await;
    let r2 = new_resource(&app, &p2, "Ressource de P2", 0, 0).await;
    new_copy(&app, &p2, r2, AMIENS).await;

    let ba = book(&app, va, r1, (day(30), day(32)), None).await;
    let bb = book(&app, &vb, r2, (day(40), day(42)), None).await;
    let (ba, bb) = (id(&ba), id(&bb));

    // Nobody books in another venue's name; producers do not book.
    for who in [&vb, p1, &partner] {
        let res = request(&app, who, r1, va.org_id, (day(50), day(51)), None).await;
        assert_eq!(res.status, 403, "{}", res.text);
        assert_eq!(res.code(), "forbidden");
    }
    let res = app
        .post(
            "/api/v1/bookings",
            None,
            json!({"resource_id": r1, "venue_id": va.org_id,
                   "starts_on": day(50), "ends_on": day(51)}),
        )
        .await;
    assert_eq!(res.status, 401, "{}", res.text);
    assert_eq!(res.code(), "unauthenticated");
    let res = app.get("/api/v1/bookings", None).await;
    assert_eq!(res.status, 401, "{}", res.text);

    // Another venue, another resource's producer and a partner see nothing of it.
    for (who, booking) in [(&vb, ba), (&p2, ba), (&partner, ba), (va, bb), (p1, bb)] {
        assert_hidden(&app, who, agency, booking).await;
    }
    // Its own sides do.
    for who in [va, p1, agency] {
        assert_eq!(id(&fetch(&app, who, ba).await), ba);
        assert_eq!(history(&app, who, ba).await.len(), 1);
    }

    assert_eq!(list(&app, va, "").await, vec![ba]);
    assert_eq!(list(&app, &vb, "").await, vec![bb]);
    assert_eq!(list(&app, p1, "").await, vec![ba]);
    assert_eq!(list(&app, &p2, "").await, vec![bb]);
    assert_eq!(list(&app, &partner, "").await, Vec::<i64>::new());
    assert_eq!(list(&app, agency, "").await, vec![ba, bb]);
    let v_a = va.org_id;
    assert_eq!(
        list(&app, &vb, &format!("?venue_id={v_a}")).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        list(&app, p1, &format!("?resource_id={r2}")).await,
        Vec::<i64>::new()
    );

    // The agency's filters.
    assert_eq!(
        list(&app, agency, &format!("?venue_id={v_a}")).await,
        vec![ba]
    );
    assert_eq!(
        list(&app, agency, &format!("?resource_id={r2}")).await,
        vec![bb]
    );
    assert_eq!(
        list(&app, agency, &format!("?copy_id={c1}")).await,
        vec![ba]
    );
    assert_eq!(
        list(&app, agency, "?status=approved").await,
        Vec::<i64>::new()
    );
    app.act_ok(p1, ba, "approve", "approved").await;
    assert_eq!(list(&app, agency, "?status=approved").await, vec![ba]);
    assert_eq!(list(&app, agency, "?status=requested").await, vec![bb]);
    let range = |from: i64, to: i64| format!("?from={}&to={}", day(from), day(to));
    assert_eq!(list(&app, agency, &range(32, 39)).await, vec![ba]);
    assert_eq!(list(&app, agency, &range(33, 39)).await, Vec::<i64>::new());
    assert_eq!(list(&app, agency, &range(33, 40)).await, vec![bb]);
    assert_eq!(list(&app, agency, &range(0, 100)).await, vec![ba, bb]);
    assert_eq!(list(&app, agency, "?limit=1").await, vec![ba]);
    assert_eq!(
        list(&app, agency, &format!("?limit=1&after_id={ba}")).await,
        vec![bb]
    );
    let res = app
        .get("/api/v1/bookings?status=flying", Some(&agency.token))
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    let res = app
        .get("/api/v1/bookings?limit=0", Some(&agency.token))
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), vec!["limit"]);
    let res = app
        .get(
            &format!("/api/v1/bookings{}", range(10, 5)),
            Some(&agency.token),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), vec!["to"]);
}

// ------------------------------------------------------------------------------------------------
// Dates

fn sorted_fields(res: &Resp) -> Vec<String> {
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.code(), "validation_failed");
    let mut fields = res.fields();
    fields.sort();
    fields
}

async fn bad_dates_and_references_are_refused_and_nothing_is_booked(app: TestApp) {
    let net = network(&app, AMIENS.0).await;
    let resource = new_resource(&app, &net.producer, "Malle climat", 0, 0).await;
    let copy = new_copy(&app, &net.producer, resource, AMIENS).await;
    let other_resource = new_resource(&app, &net.producer, "Autre malle", 0, 0).await;
    let foreign_copy = new_copy(&app, &net.producer, other_resource, AMIENS).await;
    let v = net.venue.org_id;

    let cases: [((i64, i64), &[&str]); 7] = [
        ((-1, 2), &["starts_on"]),
        ((10, 9), &["ends_on"]),
        ((-3, -5), &["ends_on", "starts_on"]),
        ((10, 10 + 180), &["ends_on"]),
        ((10, 10 + 10_000), &["ends_on"]),
        ((731, 732), &["starts_on"]),
        ((5000, 4000), &["ends_on", "starts_on"]),
    ];
    for ((from, to), expected) in cases {
        for who in [&net.venue, &net.agency] {
            let res = request(&app, who, resource, v, (day(from), day(to)), None).await;
            assert_eq!(sorted_fields(&res), expected, "{from}..{to}");
        }
        let res = app
            .post(
                "/api/v1/waitlist",
                Some(&net.venue.token),
                json!({"resource_id": resource, "venue_id": v,
                       "starts_on": day(from), "ends_on": day(to)}),
            )
            .await;
        assert_eq!(sorted_fields(&res), expected, "waitlist {from}..{to}");
    }

    // Unknown or mismatched references.
    let dates = (day(10), day(12));
    let producer_org = net.producer.org_id;
    for (who, resource_id, venue_id, copy_id, field) in [
        (&net.agency, resource, 987_654, None, "venue_id"),
        (&net.agency, resource, producer_org, None, "venue_id"),
        (&net.venue, 987_654, v, None, "resource_id"),
        (&net.venue, resource, v, Some(foreign_copy), "copy_id"),
        (&net.venue, resource, v, Some(987_654), "copy_id"),
    ] {
        let res = request(&app, who, resource_id, venue_id, dates, copy_id).await;
        assert_eq!(sorted_fields(&res), vec![field], "{}", res.text);
    }
    // Unparseable bodies.
    for body in [
        json!({"resource_id": resource, "venue_id": v, "starts_on": "2027-02-30", "ends_on": day(12)}),
        json!({"resource_id": resource, "venue_id": v, "starts_on": "demain", "ends_on": day(12)}),
        json!({"resource_id": resource, "venue_id": v, "starts_on": day(10)}),
        json!({"resource_id": resource, "venue_id": v, "starts_on": day(10), "ends_on": day(12), "colour": "red"}),
    ] {
        let res = app
            .post("/api/v1/bookings", Some(&net.venue.token), body.clone())
            .await;
        assert_eq!(res.status, 400, "{body}: {}", res.text);
        assert_eq!(res.code(), "malformed_request");
    }

    // Nothing was booked, nothing is waiting, nothing is occupied.
    assert_eq!(list(&app, &net.agency, "").await, Vec::<i64>::new());
    let res = app.get("/api/v1/waitlist", Some(&net.agency.token)).await;
    assert_eq!(res.body, json!([]));
    let avail = availability(&app, &net.venue, resource, 0, 800).await;
    assert_eq!(free_of(&avail, copy), days(&[(0, 800)]));

    // The limits themselves are fine: 180 days of use, and a start 730 days ahead.
    let longest = book(&app, &net.venue, resource, (day(10), day(10 + 179)), None).await;
    let farthest = book(&app, &net.venue, resource, (day(730), day(731)), None).await;
    let today = book(&app, &net.venue, resource, (day(0), day(0)), None).await;

    // A date change is checked the same way, and a refused one changes nothing.
    for ((from, to), expected) in cases {
        let res = change_dates(&app, &net.venue, id(&longest), (day(from), day(to))).await;
        assert_eq!(sorted_fields(&res), expected, "change to {from}..{to}");
    }
    assert_eq!(fetch(&app, &net.venue, id(&longest)).await, longest);
    let mut all = list(&app, &net.agency, "").await;
    all.sort();
    let mut expected = vec![id(&longest), id(&farthest), id(&today)];
    expected.sort();
    assert_eq!(all, expected);
}

async fn dates_change_on_the_same_copy_or_not_at_all(app: TestApp) {
    // Venue in Amiens; one copy in Amiens (0 km), one in Lille (1 travel day each way).
    let net = network(&app, AMIENS.0).await;
    let resource = new_resource(&app, &net.producer, "Exposition lumière", 0, 0).await;
    let far = new_copy(&app, &net.producer, resource, LILLE).await;
    let near = new_copy(&app, &net.producer, resource, AMIENS).await;
    let v2 = app.venue(&net.agency, AMIENS.0).await;

    let a = book(&app, &net.venue, resource, (day(30), day(34)), None).await;
    assert_eq!(a["copy_id"], near);
    let b = book(&app, &net.venue, resource, (day(31), day(33)), None).await;
    assert_eq!(b["copy_id"], far);
    assert_eq!(occupied(&b), (day(30), day(34)));
    app.act_ok(&net.producer, id(&b), "approve", "approved")
        .await;

    // Moving: the same copy is kept although the nearer one is free then.
    let res = change_dates(&app, &net.venue, id(&b), (day(60), day(62))).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let moved = res.body;
    assert_eq!(moved["copy_id"], far);
    assert_eq!(moved["status"], "approved");
    assert_eq!(
        (date(&moved["starts_on"]), date(&moved["ends_on"])),
        (day(60), day(62))
    );
    assert_eq!(occupied(&moved), (day(59), day(63)));
    assert_eq!(moved["outbound_days"], 1);
    let events = history(&app, &net.venue, id(&b)).await;
    assert_eq!(
        actions_of(&events),
        vec!["request", "approve", "change_dates"]
    );
    let change = events.last().expect("event");
    assert_eq!(change["from_status"], "approved");
    assert_eq!(change["to_status"], "approved");
    assert_eq!(change["actor_organization_id"], net.venue.org_id);
    // A shift overlapping its own occupation is no conflict with itself.
    let res = change_dates(&app, &net.venue, id(&b), (day(61), day(63))).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["copy_id"], far);
    assert_eq!(occupied(&res.body), (day(60), day(64)));
    let moved = res.body;

    // The old days are free again on that copy.
    let c = book(&app, &v2, resource, (day(31), day(33)), Some(far)).await;
    assert_eq!(occupied(&c), (day(30), day(34)));
    let avail = availability(&app, &net.agency, resource, 25, 70).await;
    assert_eq!(free_of(&avail, far), days(&[(25, 29), (35, 59), (65, 70)]));

    // Both copies busy: 409, and the booking is as it was.
    let events_before = history(&app, &net.agency, id(&b)).await.len();
    let res = change_dates(&app, &net.venue, id(&b), (day(31), day(33))).await;
    conflict_alternatives(&res);
    assert_eq!(fetch(&app, &net.venue, id(&b)).await, moved);
    assert_eq!(
        history(&app, &net.agency, id(&b)).await.len(),
        events_before
    );
    let avail = availability(&app, &net.agency, resource, 25, 70).await;
    assert_eq!(free_of(&avail, far), days(&[(25, 29), (35, 59), (65, 70)]));

    // Its own copy busy, another free: it moves to the other copy.
    app.act_ok(&net.venue, id(&a), "cancel", "cancelled").await;
    let res = change_dates(&app, &net.venue, id(&b), (day(31), day(33))).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["copy_id"], near);
    assert_eq!(res.body["outbound_days"], 0);
    assert_eq!(res.body["distance_km"].as_f64(), Some(0.0));
    assert_eq!(occupied(&res.body), (day(31), day(33)));
    let avail = availability(&app, &net.agency, resource, 25, 70).await;
    assert_eq!(free_of(&avail, far), days(&[(25, 29), (35, 70)]));
    assert_eq!(free_of(&avail, near), days(&[(25, 30), (34, 70)]));

    // Not once dispatched, nor once cancelled.
    app.act_ok(&net.producer, id(&b), "dispatch", "in_transit")
        .await;
    let dispatched = fetch(&app, &net.venue, id(&b)).await;
    for (booking, dates) in [(id(&b), (day(40), day(42))), (id(&a), (day(40), day(42)))] {
        let res = change_dates(&app, &net.venue, booking, dates).await;
        assert_eq!(res.status, 409, "{}", res.text);
        assert_eq!(res.code(), "invalid_transition");
    }
    assert_eq!(fetch(&app, &net.venue, id(&b)).await, dispatched);
}

// ------------------------------------------------------------------------------------------------
// Availability and search

async fn availability_is_the_complement_of_occupied_periods(app: TestApp) {
    // Depots in Amiens, venue in Lille, set-up 1, turnaround 2: occupation = [s − 2, e + 4].
    let net = network(&app, LILLE.0).await;
    let resource = new_resource(&app, &net.producer, "Maquette de phare", 1, 2).await;
    let c1 = new_copy(&app, &net.producer, resource, AMIENS).await;
    let c2 = new_copy(&app, &net.producer, resource, AMIENS).await;
    let c3 = new_copy(&app, &net.producer, resource, AMIENS).await;
    let c4 = new_copy(&app, &net.producer, resource, AMIENS).await;

    let b1 = book(&app, &net.venue, resource, (day(30), day(32)), Some(c1)).await;
    let b2 = book(&app, &net.venue, resource, (day(40), day(41)), Some(c1)).await;
    let b3 = book(&app, &net.venue, resource, (day(33), day(35)), Some(c2)).await;
    assert_eq!(occupied(&b1), (day(28), day(36)));
    assert_eq!(occupied(&b2), (day(38), day(45)));
    assert_eq!(occupied(&b3), (day(31), day(39)));
    set_copy_status(&app, &net.producer, c3, json!({"status": "maintenance"})).await;
    set_copy_status(
        &app,
        &net.producer,
        c4,
        json!({"status": "retired", "retirement_reason": "vitrine cassée"}),
    )
    .await;

    let avail = availability(&app, &net.venue, resource, 20, 60).await;
    let copies = avail["copies"].as_array().expect("copies");
    assert_eq!(
        copies
            .iter()
            .map(|c| c["copy_id"].clone())
            .collect::<Vec<_>>(),
        vec![json!(c1), json!(c2), json!(c3), json!(c4)]
    );
    let one_day = Duration::days(1);
    assert_eq!(
        free_of(&avail, c1),
        vec![
            (day(20), occupied(&b1).0 - one_day),
            (occupied(&b1).1 + one_day, occupied(&b2).0 - one_day),
            (occupied(&b2).1 + one_day, day(60)),
        ]
    );
    assert_eq!(free_of(&avail, c1), days(&[(20, 27), (37, 37), (46, 60)]));
    assert_eq!(free_of(&avail, c2), days(&[(20, 30), (40, 60)]));
    assert!(free_of(&avail, c3).is_empty());
    assert!(free_of(&avail, c4).is_empty());
    assert_eq!(copies[0]["status"], "available");
    assert_eq!(copies[2]["status"], "maintenance");
    assert_eq!(copies[3]["status"], "retired");
    assert!(copies[0]["asset_tag"].is_string());

    // The range clips the periods.
    let avail = availability(&app, &net.venue, resource, 30, 38).await;
    assert_eq!(free_of(&avail, c1), days(&[(37, 37)]));
    assert_eq!(free_of(&avail, c2), days(&[(30, 30)]));
    let avail = availability(&app, &net.venue, resource, 37, 37).await;
    assert_eq!(free_of(&avail, c1), days(&[(37, 37)]));

    // Copies in maintenance or retired are not lent: with c1 and c2 busy, nothing is free.
    let res = ask(&app, &net.venue, resource, (day(33), day(34))).await;
    conflict_alternatives(&res);

    // A cancelled booking frees its whole occupation; a copy back from maintenance is free.
    app.act_ok(&net.venue, id(&b2), "cancel", "cancelled").await;
    set_copy_status(&app, &net.producer, c3, json!({"status": "available"})).await;
    let avail = availability(&app, &net.venue, resource, 20, 60).await;
    assert_eq!(free_of(&avail, c1), days(&[(20, 27), (37, 60)]));
    assert_eq!(free_of(&avail, c3), days(&[(20, 60)]));
    assert!(free_of(&avail, c4).is_empty());

    // Bad ranges.
    let path = format!("/api/v1/resources/{resource}/availability");
    let res = app
        .get(
            &format!("{path}?from={}&to={}", day(10), day(9)),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(sorted_fields(&res), vec!["to"]);
    let res = app
        .get(&format!("{path}?from={}", day(10)), Some(&net.venue.token))
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    let res = app
        .get(
            &format!(
                "/api/v1/resources/987654/availability?from={}&to={}",
                day(1),
                day(2)
            ),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(res.status, 404, "{}", res.text);
}

async fn search_ids(app: &TestApp, who: &Actor, query: &str) -> Vec<i64> {
    let res = app
        .get(
            &format!("/api/v1/resources?limit=100&{query}"),
            Some(&who.token),
        )
        .await;
    assert_eq!(res.status, 200, "{query}: {}", res.text);
    assert_eq!(res.body["next_cursor"], Value::Null);
    let mut found = ids(&res.body["items"]);
    found.sort();
    found
}

async fn search_by_availability_keeps_resources_with_a_free_copy(app: TestApp) {
    let net = network(&app, AMIENS.0).await;
    let p = &net.producer;
    let booked = new_resource(&app, p, "Réservée", 0, 0).await;
    new_copy(&app, p, booked, AMIENS).await;
    let free = new_resource(&app, p, "Libre", 0, 0).await;
    new_copy(&app, p, free, AMIENS).await;
    let in_maintenance = new_resource(&app, p, "En maintenance", 0, 0).await;
    let m = new_copy(&app, p, in_maintenance, AMIENS).await;
    set_copy_status(&app, p, m, json!({"status": "maintenance"})).await;
    let retired = new_resource(&app, p, "Réformée", 0, 0).await;
    let r = new_copy(&app, p, retired, AMIENS).await;
    set_copy_status(
        &app,
        p,
        r,
        json!({"status": "retired", "retirement_reason": "perdue"}),
    )
    .await;
    let two = new_resource(&app, p, "Deux exemplaires", 0, 0).await;
    new_copy(&app, p, two, AMIENS).await;
    new_copy(&app, p, two, AMIENS).await;
    let none = new_resource(&app, p, "Sans exemplaire", 0, 0).await;

    let b = book(&app, &net.venue, booked, (day(30), day(34)), None).await;
    book(&app, &net.venue, two, (day(30), day(34)), None).await;

    let window =
        |from: i64, to: i64| format!("available_from={}&available_to={}", day(from), day(to));
    let mut everything = vec![booked, free, in_maintenance, retired, two, none];
    everything.sort();
    assert_eq!(search_ids(&app, &net.venue, "").await, everything);
    for (from, to) in [(31, 32), (34, 34), (30, 30), (25, 40)] {
        assert_eq!(
            search_ids(&app, &net.venue, &window(from, to)).await,
            vec![free, two],
            "{from}..{to}"
        );
    }
    for (from, to) in [(35, 40), (29, 29), (10, 29)] {
        assert_eq!(
            search_ids(&app, &net.venue, &window(from, to)).await,
            vec![booked, free, two],
            "{from}..{to}"
        );
    }
    app.act_ok(&net.venue, id(&b), "cancel", "cancelled").await;
    assert_eq!(
        search_ids(&app, &net.venue, &window(31, 32)).await,
        vec![booked, free, two]
    );

    for (query, field) in [
        (window(10, 9), "available_to"),
        (format!("available_from={}", day(10)), "available_to"),
        (format!("available_to={}", day(10)), "available_from"),
    ] {
        let res = app
            .get(
                &format!("/api/v1/resources?{query}"),
                Some(&net.venue.token),
            )
            .await;
        assert_eq!(sorted_fields(&res), vec![field], "{query}");
    }
}

// ------------------------------------------------------------------------------------------------
// Calendar feeds

fn ics_date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// Undoes RFC 5545 TEXT escaping.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') | Some('N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Checks the physical lines (CRLF, at most 75 octets) and parses the one calendar of a feed.
fn parse_feed(res: &Resp) -> IcalCalendar {
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(
        res.content_type.starts_with("text/calendar"),
        "{}",
        res.content_type
    );
    let text = &res.text;
    assert!(!text.contains('\u{FFFD}'), "the feed is not valid UTF-8");
    assert!(text.ends_with("\r\n"), "the last line ends with CRLF");
    let lines: Vec<&str> = text[..text.len() - 2].split("\r\n").collect();
    for line in &lines {
        assert!(
            !line.contains('\n') && !line.contains('\r'),
            "a line not ended by CRLF: {line:?}"
        );
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    assert!(
        lines.iter().any(|l| l.starts_with(' ')),
        "expected at least one folded line"
    );
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let calendar = parser
        .next()
        .expect("a calendar")
        .unwrap_or_else(|e| panic!("unreadable feed: {e}\n{text}"));
    assert!(parser.next().is_none(), "one calendar only");
    calendar
}

fn property<'a>(event: &'a IcalEvent, name: &str) -> &'a Property {
    let mut found = event.properties.iter().filter(|p| p.name == name);
    let p = found
        .next()
        .unwrap_or_else(|| panic!("no {name} in {:?}", event.properties));
    assert!(found.next().is_none(), "{name} twice");
    p
}

fn value<'a>(event: &'a IcalEvent, name: &str) -> &'a str {
    property(event, name).value.as_deref().unwrap_or("")
}

fn uid_of(booking_id: i64) -> String {
    format!("booking-{booking_id}@itinerance")
}

fn event_of(calendar: &IcalCalendar, booking_id: i64) -> &IcalEvent {
    let uid = uid_of(booking_id);
    calendar
        .events
        .iter()
        .find(|e| value(e, "UID") == uid)
        .unwrap_or_else(|| panic!("no event {uid}"))
}

/// The bookings' UIDs of a feed (a venue's feed also carries its zone's school holidays).
fn uids(calendar: &IcalCalendar) -> Vec<String> {
    let mut all: Vec<String> = calendar
        .events
        .iter()
        .map(|e| value(e, "UID").to_string())
        .filter(|uid| uid.starts_with("booking-"))
        .collect();
    all.sort();
    all
}

fn uids_of(bookings: &[i64]) -> Vec<String> {
    let mut all: Vec<String> = bookings.iter().map(|&b| uid_of(b)).collect();
    all.sort();
    all
}

/// An all-day event over the booking's dates of use (DTEND is exclusive).
fn assert_all_day(event: &IcalEvent, starts_on: NaiveDate, ends_on: NaiveDate) {
    for (name, day) in [
        ("DTSTART", starts_on),
        ("DTEND", ends_on + Duration::days(1)),
    ] {
        let p = property(event, name);
        assert_eq!(p.value.as_deref(), Some(ics_date(day).as_str()), "{name}");
        assert_eq!(
            p.params,
            Some(vec![("VALUE".to_string(), vec!["DATE".to_string()])]),
            "{name}"
        );
    }
}

async fn venue_feed_lists_active_bookings_as_all_day_events(app: TestApp) {
    let net = network(&app, AMIENS.0).await;
    let other_venue = app.venue(&net.agency, AMIENS.0).await;
    let title = "Sons, lumières; ondes";
    let resource = new_resource(&app, &net.producer, title, 0, 0).await;
    let copy = new_copy(&app, &net.producer, resource, AMIENS).await;
    // Long enough to be folded, with multi-octet characters, and no space to lose in unfolding.
    let long_title =
        "Électromagnétisme-thermodynamique-mécanique-des-fluides-à-l'école-élémentaire-étape-2";
    let long = new_resource(&app, &net.producer, long_title, 0, 0).await;
    new_copy(&app, &net.producer, long, AMIENS).await;

    let b1 = book(&app, &net.venue, resource, (day(30), day(32)), None).await;
    let b2 = book(&app, &net.venue, long, (day(40), day(45)), None).await;
    let cancelled = book(&app, &net.venue, resource, (day(50), day(51)), None).await;
    app.act_ok(&net.venue, id(&cancelled), "cancel", "cancelled")
        .await;
    let rejected = book(&app, &net.venue, resource, (day(60), day(61)), None).await;
    app.act_ok(&net.producer, id(&rejected), "reject", "rejected")
        .await;
    let expired = book(&app, &net.venue, resource, (day(80), day(81)), None).await;
    let soon = Utc::now().naive_utc() + Duration::hours(1);
    set_hold_expiry(&app, id(&expired), soon).await;
    assert_eq!(expire_as_of(&app, soon).await, 1);
    let elsewhere = book(&app, &other_venue, resource, (day(70), day(71)), None).await;
    let approved = book(&app, &net.venue, resource, (day(90), day(91)), None).await;
    app.act_ok(&net.producer, id(&approved), "approve", "approved")
        .await;

    let path = format!("/api/v1/venues/{}/calendar.ics", net.venue.org_id);
    let feed = parse_feed(&app.get(&path, Some(&net.venue.token)).await);
    let called_off = [id(&cancelled), id(&rejected), id(&expired)];
    let mut listed = vec![id(&b1), id(&b2), id(&approved)];
    listed.extend(called_off);
    assert_eq!(
        uids(&feed),
        uids_of(&listed),
        "other venues' bookings are left out; called-off ones stay, cancelled"
    );
    for b in called_off {
        assert_eq!(value(event_of(&feed, b), "STATUS"), "CANCELLED");
    }

    let e1 = event_of(&feed, id(&b1));
    assert_all_day(e1, day(30), day(32));
    let summary = value(e1, "SUMMARY");
    assert!(
        summary.contains("Sons\\, lumières\\; ondes"),
        "comma and semicolon escaped: {summary}"
    );
    assert!(unescape(summary).starts_with(title), "{summary}");
    let e2 = event_of(&feed, id(&b2));
    assert_all_day(e2, day(40), day(45));
    assert!(
        unescape(value(e2, "SUMMARY")).starts_with(long_title),
        "{}",
        value(e2, "SUMMARY")
    );
    assert_all_day(event_of(&feed, id(&approved)), day(90), day(91));

    // A date change keeps the event's UID and moves it.
    let res = change_dates(&app, &net.venue, id(&b1), (day(33), day(36))).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let feed = parse_feed(&app.get(&path, Some(&net.agency.token)).await);
    assert_eq!(uids(&feed), uids_of(&listed));
    assert_all_day(event_of(&feed, id(&b1)), day(33), day(36));

    // The copy's feed: all venues, for its producer and the agency only.
    let copy_path = format!("/api/v1/copies/{copy}/calendar.ics");
    for who in [&net.producer, &net.agency] {
        let feed = parse_feed(&app.get(&copy_path, Some(&who.token)).await);
        let mut listed = vec![id(&b1), id(&elsewhere), id(&approved)];
        listed.extend(called_off);
        assert_eq!(uids(&feed), uids_of(&listed));
        assert_all_day(event_of(&feed, id(&elsewhere)), day(70), day(71));
    }
    let stranger = app.producer(&net.agency, LILLE.0).await;
    for who in [&net.venue, &stranger] {
        let res = app.get(&copy_path, Some(&who.token)).await;
        assert_eq!(res.status, 404, "{}", res.text);
    }
}

async fn venue_feed_links_follow_their_token(app: TestApp) {
    let net = network(&app, AMIENS.0).await;
    let other_venue = app.venue(&net.agency, AMIENS.0).await;
    let resource = new_resource(&app, &net.producer, "Malle astronomie", 0, 0).await;
    new_copy(&app, &net.producer, resource, AMIENS).await;
    let b = book(&app, &net.venue, resource, (day(30), day(31)), None).await;
    let v = net.venue.org_id;
    let feed_path = format!("/api/v1/venues/{v}/calendar.ics");
    let token_path = format!("/api/v1/venues/{v}/calendar-token");

    let issued = app
        .post(&token_path, Some(&net.venue.token), json!({}))
        .await;
    assert_eq!(issued.status, 201, "{}", issued.text);
    let first = issued.body["token"].as_str().expect("token").to_string();
    assert_eq!(issued.body["path"], format!("{feed_path}?token={first}"));

    // The link works without any other credential.
    let by_link = app.get(&format!("{feed_path}?token={first}"), None).await;
    assert_eq!(uids(&parse_feed(&by_link)), uids_of(&[id(&b)]));

    // Wrong, missing or another venue's credentials.
    let res = app.get(&format!("{feed_path}?token=itc_wrong"), None).await;
    assert_eq!(res.status, 401, "{}", res.text);
    assert_eq!(res.code(), "unauthenticated");
    let res = app.get(&feed_path, None).await;
    assert_eq!(res.status, 401, "{}", res.text);
    assert_eq!(res.code(), "unauthenticated");
    for res in [
        app.get(&feed_path, Some(&other_venue.token)).await,
        app.get(&feed_path, Some(&net.producer.token)).await,
        app.post(&token_path, Some(&other_venue.token), json!({}))
            .await,
    ] {
        assert_eq!(res.status, 404, "{}", res.text);
        assert_eq!(res.code(), "not_found");
    }
    let others = app
        .post(
            &format!("/api/v1/venues/{}/calendar-token", other_venue.org_id),
            Some(&other_venue.token),
            json!({}),
        )
        .await;
    assert_eq!(others.status, 201, "{}", others.text);
    let others_token = others.body["token"].as_str().expect("token");
    let res = app
        .get(&format!("{feed_path}?token={others_token}"), None)
        .await;
    assert_eq!(
        res.status, 401,
        "another venue's link opens only its own feed"
    );

    // A new link replaces the old one.
    let reissued = app
        .post(&token_path, Some(&net.agency.token), json!({}))
        .await;
    assert_eq!(reissued.status, 201, "{}", reissued.text);
    let second = reissued.body["token"].as_str().expect("token").to_string();
    assert_ne!(second, first);
    let res = app.get(&format!("{feed_path}?token={first}"), None).await;
    assert_eq!(res.status, 401, "{}", res.text);
    assert_eq!(res.code(), "unauthenticated");
    let res = app.get(&format!("{feed_path}?token={second}"), None).await;
    assert_eq!(uids(&parse_feed(&res)), uids_of(&[id(&b)]));

    // Bearer tokens of the venue and the agency.
    for who in [&net.venue, &net.agency] {
        let res = app.get(&feed_path, Some(&who.token)).await;
        assert_eq!(uids(&parse_feed(&res)), uids_of(&[id(&b)]));
    }
}

/// Calendar apps keep an event whose SEQUENCE did not increase, so a move must raise it.
async fn a_date_change_raises_the_event_sequence(app: TestApp) {
    let net = network(&app, AMIENS.0).await;
    let resource = new_resource(&app, &net.producer, "Malle optique", 0, 0).await;
    new_copy(&app, &net.producer, resource, AMIENS).await;
    let b = book(&app, &net.venue, resource, (day(30), day(31)), None).await;
    let path = format!("/api/v1/venues/{}/calendar.ics", net.venue.org_id);
    let sequence = |feed: &IcalCalendar| -> i64 {
        value(event_of(feed, id(&b)), "SEQUENCE")
            .parse()
            .expect("SEQUENCE is an integer")
    };

    let before = parse_feed(&app.get(&path, Some(&net.venue.token)).await);
    assert_all_day(event_of(&before, id(&b)), day(30), day(31));
    let res = change_dates(&app, &net.venue, id(&b), (day(40), day(41))).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let after = parse_feed(&app.get(&path, Some(&net.venue.token)).await);
    assert_all_day(event_of(&after, id(&b)), day(40), day(41));
    assert!(
        sequence(&after) > sequence(&before),
        "the event moved but its SEQUENCE went from {} to {}: subscribed calendars keep the old \
         dates",
        sequence(&before),
        sequence(&after)
    );
}

/// The `STATUS` of a booking's event in each feed.
async fn feed_statuses(app: &TestApp, feeds: &[(String, &Actor)], booking: i64) -> Vec<String> {
    let mut found = Vec::new();
    for (path, who) in feeds {
        let feed = parse_feed(&app.get(path, Some(&who.token)).await);
        found.push(value(event_of(&feed, booking), "STATUS").to_string());
    }
    found
}

/// A booking's event is `TENTATIVE` while it is requested and `CONFIRMED` once approved (and as it
/// travels), in the venue's feed and in the copy's, as an RFC 5545 client reads them.
async fn feed_status_is_tentative_until_approved(app: TestApp) {
    let net = network(&app, AMIENS.0).await;
    let resource = new_resource(&app, &net.producer, "Malle des volcans", 0, 0).await;
    let copy = new_copy(&app, &net.producer, resource, AMIENS).await;
    let b = book(&app, &net.venue, resource, (day(30), day(31)), None).await;
    let venue_feed = format!("/api/v1/venues/{}/calendar.ics", net.venue.org_id);
    let copy_feed = format!("/api/v1/copies/{copy}/calendar.ics");
    let feeds = [(venue_feed, &net.venue), (copy_feed, &net.producer)];
    assert_eq!(
        feed_statuses(&app, &feeds, id(&b)).await,
        ["TENTATIVE", "TENTATIVE"]
    );
    app.act_ok(&net.producer, id(&b), "approve", "approved")
        .await;
    assert_eq!(
        feed_statuses(&app, &feeds, id(&b)).await,
        ["CONFIRMED", "CONFIRMED"]
    );
    app.act_ok(&net.producer, id(&b), "dispatch", "in_transit")
        .await;
    assert_eq!(
        feed_statuses(&app, &feeds, id(&b)).await,
        ["CONFIRMED", "CONFIRMED"]
    );
}

/// Issue 25, point 4: a feed speaks French unless asked for English (`lang=en`), and keeps a
/// cancelled booking as `STATUS:CANCELLED` for 30 days, so that subscribed calendars remove it
/// instead of keeping it; then it leaves the feed.
/// A venue's feed shows the school holidays of its zone (Amiens: zone B) as all-day events, in
/// the reader's language; a copy's feed (the producer's) does not.
async fn a_venue_feed_shows_its_zone_s_school_holidays(app: TestApp) {
    let net = network(&app, AMIENS.0).await;
    let resource = new_resource(&app, &net.producer, "Malle des volcans", 0, 0).await;
    let copy = new_copy(&app, &net.producer, resource, AMIENS).await;
    book(&app, &net.venue, resource, (day(30), day(31)), None).await;
    let venue_feed = format!("/api/v1/venues/{}/calendar.ics", net.venue.org_id);
    let feed = parse_feed(&app.get(&venue_feed, Some(&net.venue.token)).await);
    let holidays: Vec<&IcalEvent> = feed
        .events
        .iter()
        .filter(|e| value(e, "UID").starts_with("school-holidays-B-"))
        .collect();
    assert!(holidays.len() >= 4, "a year and a half of zone B holidays");
    assert!(
        holidays
            .iter()
            .all(|e| unescape(value(e, "SUMMARY")).ends_with("(zone B)")),
        "named with their zone"
    );
    assert!(holidays
        .iter()
        .any(|e| unescape(value(e, "SUMMARY")).starts_with("Vacances")));
    assert!(feed
        .events
        .iter()
        .all(|e| !value(e, "UID").starts_with("school-holidays-A")));
    let english = parse_feed(
        &app.get(&format!("{venue_feed}?lang=en"), Some(&net.venue.token))
            .await,
    );
    assert!(english
        .events
        .iter()
        .filter(|e| value(e, "UID").starts_with("school-holidays-"))
        .all(|e| unescape(value(e, "SUMMARY")).starts_with("School holidays: ")));
    let copy_feed = parse_feed(
        &app.get(
            &format!("/api/v1/copies/{copy}/calendar.ics"),
            Some(&net.producer.token),
        )
        .await,
    );
    assert!(copy_feed
        .events
        .iter()
        .all(|e| !value(e, "UID").starts_with("school-holidays-")));
}

async fn feeds_speak_french_and_keep_cancelled_bookings_30_days(app: TestApp) {
    let net = network(&app, AMIENS.0).await;
    let resource = new_resource(&app, &net.producer, "Malle des volcans", 0, 0).await;
    let copy = new_copy(&app, &net.producer, resource, AMIENS).await;
    let b = id(&book(&app, &net.venue, resource, (day(30), day(31)), None).await);
    let venue_feed = format!("/api/v1/venues/{}/calendar.ics", net.venue.org_id);
    let copy_feed = format!("/api/v1/copies/{copy}/calendar.ics");
    let feeds = [
        (venue_feed.clone(), &net.venue),
        (copy_feed.clone(), &net.producer),
    ];
    for (path, who) in &feeds {
        let feed = parse_feed(&app.get(path, Some(&who.token)).await);
        let event = event_of(&feed, b);
        assert_eq!(
            unescape(value(event, "SUMMARY")),
            "Malle des volcans (demandé)"
        );
        let description = unescape(value(event, "DESCRIPTION"));
        assert!(
            description.starts_with(&format!("Réservation n° {b}, exemplaire "))
                && description.ends_with("Statut : demandé."),
            "{description}"
        );
        let feed = parse_feed(&app.get(&format!("{path}?lang=en"), Some(&who.token)).await);
        let event = event_of(&feed, b);
        assert_eq!(
            unescape(value(event, "SUMMARY")),
            "Malle des volcans (requested)"
        );
        assert!(unescape(value(event, "DESCRIPTION")).starts_with(&format!("Booking {b}, copy")));
    }
    app.act_ok(&net.venue, b, "cancel", "cancelled").await;
    assert_eq!(
        feed_statuses(&app, &feeds, b).await,
        ["CANCELLED", "CANCELLED"]
    );
    // 29 days later it is still there, cancelled; 31 days later it is gone (read through the
    // calendar link, which does not expire as a session does).
    let issued = app
        .post(
            &format!("/api/v1/venues/{}/calendar-token", net.venue.org_id),
            Some(&net.venue.token),
            json!({}),
        )
        .await;
    assert_eq!(issued.status, 201, "{}", issued.text);
    let link = issued.body["path"].as_str().unwrap().to_string();
    for (days, kept) in [(29, true), (31, false)] {
        let later = app.instance_with(&[(
            "ITINERANCE_CLOCK_OFFSET_SECONDS",
            &(days * 86_400).to_string(),
        )]);
        let res = later.get(&link, None).await;
        assert_eq!(res.status, 200, "{}", res.text);
        assert_eq!(
            res.text.contains(&format!("UID:{}\r\n", uid_of(b))),
            kept,
            "{days} days after: {}",
            res.text
        );
    }
}

/// Retiring a copy flags the bookings it was to serve; moving one of them onto another copy
/// clears its flag, while a booking left where it was keeps it.
async fn a_moved_flagged_booking_loses_its_flag(app: TestApp) {
    let net = network(&app, AMIENS.0).await;
    let resource = new_resource(&app, &net.producer, "Maquette de phare", 0, 0).await;
    let worn = new_copy(&app, &net.producer, resource, AMIENS).await;
    let spare = new_copy(&app, &net.producer, resource, AMIENS).await;
    let moved = book(&app, &net.venue, resource, (day(30), day(31)), Some(worn)).await;
    let left = book(&app, &net.venue, resource, (day(40), day(41)), Some(worn)).await;
    for b in [&moved, &left] {
        assert!(
            b["flag_reason"].is_null() && b["flagged_at"].is_null(),
            "{b}"
        );
    }
    let retired = app
        .post(
            &format!("/api/v1/copies/{worn}/retire"),
            Some(&net.producer.token),
            json!({"reason": "socle fendu"}),
        )
        .await;
    assert_eq!(retired.status, 200, "{}", retired.text);
    for b in [&moved, &left] {
        let flagged = fetch(&app, &net.venue, id(b)).await;
        let reason = flagged["flag_reason"].as_str().unwrap_or_default();
        assert!(reason.contains("retired"), "{flagged}");
        assert!(flagged["flagged_at"].is_string(), "{flagged}");
    }
    let res = change_dates(&app, &net.venue, id(&moved), (day(32), day(33))).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["copy_id"], spare, "moved onto the copy in service");
    assert!(res.body["flag_reason"].is_null(), "{}", res.text);
    assert!(res.body["flagged_at"].is_null(), "{}", res.text);
    let again = fetch(&app, &net.agency, id(&moved)).await;
    assert!(
        again["flag_reason"].is_null() && again["flagged_at"].is_null(),
        "{again}"
    );
    let kept = fetch(&app, &net.venue, id(&left)).await;
    assert!(
        kept["flag_reason"]
            .as_str()
            .unwrap_or_default()
            .contains("retired"),
        "{kept}"
    );
}

on_both_backends!(
    turnover_is_the_day_after_the_last_occupied_day,
    turnaround_and_travel_days_widen_the_occupation,
    an_occupation_may_end_the_day_before_the_next_one_begins,
    alternatives_span_every_copy_nearest_first,
    the_nearest_free_copy_is_assigned,
    expire_holds_lapses_requests_only,
    released_holds_go_to_the_first_fitting_waitlist_entry,
    every_transition_is_allowed_or_refused_as_documented,
    hand_overs_move_the_copy_and_bring_it_back,
    bookings_are_seen_only_by_their_venue_producer_and_the_agency,
    bad_dates_and_references_are_refused_and_nothing_is_booked,
    dates_change_on_the_same_copy_or_not_at_all,
    availability_is_the_complement_of_occupied_periods,
    search_by_availability_keeps_resources_with_a_free_copy,
    venue_feed_lists_active_bookings_as_all_day_events,
    feeds_speak_french_and_keep_cancelled_bookings_30_days,
    a_venue_feed_shows_its_zone_s_school_holidays,
    venue_feed_links_follow_their_token,
    a_date_change_raises_the_event_sequence,
    feed_status_is_tentative_until_approved,
    a_moved_flagged_booking_loses_its_flag,
);

/// The background job needs a short interval, so these start their server by hand.
mod background_expiry {
    use crate::common::{Backend, TestApp};

    const FAST_JOBS: [(&str, &str); 1] = [("ITINERANCE_JOBS_INTERVAL_SECONDS", "1")];

    #[actix_web::test]
    async fn sqlite() {
        super::lapsed_holds_expire_in_the_background(
            TestApp::start_with(Backend::Sqlite, &FAST_JOBS).await,
        )
        .await
    }

    #[actix_web::test]
    async fn postgres() {
        super::lapsed_holds_expire_in_the_background(
            TestApp::start_with(Backend::Postgres, &FAST_JOBS).await,
        )
        .await
    }
}

/// A venue holds at most `max_open_requests_per_venue` requested bookings: one more is refused
/// with `request_limit_reached` and books nothing; an approval frees a place.
async fn a_venue_holds_a_limited_number_of_requests(app: TestApp) {
    use crate::builders::{day, id_of, Network, ResourceBuilder};
    let net = Network::new(&app).await;
    let trunk = ResourceBuilder::trunk("Malle des limites")
        .copies(4)
        .build(&app, &net.producer)
        .await;
    let ask = |n: i64| {
        serde_json::json!({"resource_id": trunk.id, "venue_id": net.venue.org_id,
                           "starts_on": day(20 + 10 * n), "ends_on": day(22 + 10 * n)})
    };
    let first = app
        .post("/api/v1/bookings", Some(&net.venue.token), ask(0))
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let second = app
        .post("/api/v1/bookings", Some(&net.venue.token), ask(1))
        .await;
    assert_eq!(second.status, 201, "{}", second.text);
    for who in [&net.venue, &net.agency] {
        let res = app.post("/api/v1/bookings", Some(&who.token), ask(2)).await;
        assert_eq!(
            (res.status, res.code()),
            (409, "request_limit_reached"),
            "{}",
            res.text
        );
    }
    let listed = app
        .get(
            &format!("/api/v1/bookings?venue_id={}", net.venue.org_id),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(
        listed.body["items"]
            .as_array()
            .map(Vec::len)
            .unwrap_or_else(|| listed.body.as_array().unwrap().len()),
        2,
        "nothing booked"
    );
    app.act_ok(&net.producer, id_of(&first.body), "approve", "approved")
        .await;
    let third = app
        .post("/api/v1/bookings", Some(&net.venue.token), ask(2))
        .await;
    assert_eq!(
        third.status, 201,
        "an approval frees a place: {}",
        third.text
    );
}

mod request_limit {
    use crate::common::{Backend, TestApp};

    const LIMIT: [(&str, &str); 1] = [("ITINERANCE_MAX_OPEN_REQUESTS_PER_VENUE", "2")];

    #[actix_web::test]
    async fn sqlite() {
        super::a_venue_holds_a_limited_number_of_requests(
            TestApp::start_with(Backend::Sqlite, &LIMIT).await,
        )
        .await
    }

    #[actix_web::test]
    async fn postgres() {
        super::a_venue_holds_a_limited_number_of_requests(
            TestApp::start_with(Backend::Postgres, &LIMIT).await,
        )
        .await
    }
}

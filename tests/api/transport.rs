//! Distances, legs and chaining, optimised tours, day plans, and OSRM through a local stub that
//! speaks OSRM's JSON (none runs here).

use std::net::TcpListener;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, App, HttpResponse, HttpServer};
use serde_json::{json, Value};

use crate::builders::{day, id_of, BookingBuilder, CopyBuilder, ResourceBuilder};
use crate::common::{Actor, Backend, TestApp};
use crate::on_both_backends;

// Coordinates of the data file.
const AMIENS: (f64, f64) = (49.9, 2.3);
const LILLE: (f64, f64) = (50.63391, 3.05512);
const ARRAS: (f64, f64) = (50.29301, 2.78186);
const BEAUVAIS: (f64, f64) = (49.43333, 2.08333);
const VILLENEUVE: (f64, f64) = (50.61669, 3.16664);

fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().asin()
}

struct Net {
    agency: Actor,
    producer: Actor,
    resource_id: i64,
}

/// A producer in Amiens with one trunk (3 m³, 80 kg) and no copy yet.
async fn network(app: &TestApp) -> Net {
    let agency = app.agency_admin().await;
    let producer = app.producer(&agency, "80021").await;
    let trunk = ResourceBuilder::trunk("Malle énergie")
        .with("themes", json!(["science_society"]))
        .with("audiences", json!(["primary"]))
        .with("volume_m3", 3.0)
        .with("weight_kg", 80.0)
        .build(app, &producer)
        .await;
    Net {
        agency,
        producer,
        resource_id: trunk.id,
    }
}

async fn copy_at(app: &TestApp, net: &Net, tag: &str, commune: &str) -> i64 {
    let copy = CopyBuilder::default()
        .tag(tag)
        .at(commune)
        .build(app, &net.producer, net.resource_id)
        .await;
    id_of(&copy)
}

/// `venue` books the trunk (on `copy` if given) for days `start..=end`; the builder asserts 201.
async fn book(
    app: &TestApp,
    net: &Net,
    venue: &Actor,
    copy: Option<i64>,
    start: i64,
    end: i64,
) -> Value {
    let mut booking = BookingBuilder::new(net.resource_id, venue, day(start), day(end));
    if let Some(copy) = copy {
        booking = booking.copy(copy);
    }
    booking.build(app, &net.producer).await
}

async fn legs_chain_consecutive_loans_venue_to_venue(app: TestApp) {
    let net = network(&app).await;
    let copy = copy_at(&app, &net, "E-1", "80021").await;
    let lille = app.venue(&net.agency, "59350").await;
    let arras = app.venue(&net.agency, "62041").await;
    let first = book(&app, &net, &lille, Some(copy), 10, 12).await;
    let second = book(&app, &net, &arras, Some(copy), 20, 22).await;
    let third = book(&app, &net, &lille, Some(copy), 100, 101).await;
    let legs = |b: &Value| format!("/api/v1/bookings/{}/legs", b["id"]);

    let road = |a, b| haversine_km(a, b) * 1.3;
    let l1 = app.get(&legs(&first), Some(&net.producer.token)).await;
    assert_eq!(l1.status, 200, "{}", l1.text);
    assert_eq!(l1.body[0]["kind"], "outbound");
    assert_eq!(l1.body[0]["from"]["kind"], "depot");
    assert_eq!(l1.body[0]["to"]["organization_id"], lille.org_id);
    assert!((l1.body[0]["km"].as_f64().unwrap() - road(AMIENS, LILLE)).abs() < 0.1);
    // Eight days later the copy goes straight on to Arras.
    assert_eq!(l1.body[1]["kind"], "transfer");
    assert_eq!(l1.body[1]["to"]["organization_id"], arras.org_id);
    assert_eq!(l1.body[1]["chained_booking_id"], second["id"]);
    let km = l1.body[1]["km"].as_f64().unwrap();
    assert!((km - road(LILLE, ARRAS)).abs() < 0.1);
    // Cost and CO2 from the configured rates: 25 € + 0.45 €/km; 180 g/km.
    let expected_cost = 2500 + (road(LILLE, ARRAS) * 45.0).round() as i64;
    assert!((l1.body[1]["cost_cents"].as_i64().unwrap() - expected_cost).abs() <= 5);
    assert!((l1.body[1]["co2_kg"].as_f64().unwrap() - road(LILLE, ARRAS) * 0.18).abs() < 0.1);
    assert_eq!(l1.body[1]["source"], "road_estimate");

    let l2 = app.get(&legs(&second), Some(&arras.token)).await;
    assert_eq!(l2.body[0]["kind"], "transfer");
    assert_eq!(l2.body[0]["from"]["organization_id"], lille.org_id);
    assert_eq!(l2.body[1]["kind"], "return");
    assert_eq!(l2.body[1]["to"]["kind"], "depot");
    // The third loan starts long after: back to the depot in between.
    let l3 = app.get(&legs(&third), Some(&net.producer.token)).await;
    assert_eq!(l3.body[0]["kind"], "outbound");
    assert_eq!(l3.body[1]["kind"], "return");
    // Another venue does not see these legs.
    assert_eq!(app.get(&legs(&first), Some(&arras.token)).await.status, 404);

    // What chaining saved: one transfer instead of a return and an outbound.
    let report = app
        .get(
            &format!("/api/v1/transport/chaining?from={}&to={}", day(0), day(200)),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(report.status, 200, "{}", report.text);
    assert_eq!(report.body["bookings"], 3);
    assert_eq!(report.body["chained_transfers"], 1);
    let without = 2.0 * (2.0 * road(AMIENS, LILLE)) + 2.0 * road(AMIENS, ARRAS);
    let with =
        road(AMIENS, LILLE) + road(LILLE, ARRAS) + road(ARRAS, AMIENS) + 2.0 * road(AMIENS, LILLE);
    assert!((report.body["km_without_chaining"].as_f64().unwrap() - without).abs() < 0.2);
    assert!((report.body["km_saved"].as_f64().unwrap() - (without - with)).abs() < 0.2);
    assert!((report.body["co2_saved_kg"].as_f64().unwrap() - (without - with) * 0.18).abs() < 0.1);
    // Venues do not get transport reports.
    let venue_report = app
        .get(
            &format!("/api/v1/transport/chaining?from={}&to={}", day(0), day(200)),
            Some(&lille.token),
        )
        .await;
    assert_eq!(venue_report.status, 403);
}

async fn assignment_prefers_the_copy_that_chains(app: TestApp) {
    let net = network(&app).await;
    // Copy A lives in Beauvais, copy B in Amiens (nearer to Lille's suburbs).
    let a = copy_at(&app, &net, "A", "60057").await;
    let b = copy_at(&app, &net, "B", "80021").await;
    let lille = app.venue(&net.agency, "59350").await;
    let villeneuve = app.venue(&net.agency, "59009").await;
    assert!(haversine_km(AMIENS, VILLENEUVE) < haversine_km(BEAUVAIS, VILLENEUVE));
    // Without a previous loan the nearest depot wins.
    let alone = book(&app, &net, &villeneuve, None, 200, 201).await;
    assert_eq!(alone["copy_id"], b);
    // Copy A is in Lille until day 12: a loan next door on day 20 takes it straight on.
    book(&app, &net, &lille, Some(a), 10, 12).await;
    let chained = book(&app, &net, &villeneuve, None, 20, 21).await;
    assert_eq!(chained["copy_id"], a);
    let legs = app
        .get(
            &format!("/api/v1/bookings/{}/legs", chained["id"]),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(legs.body[0]["kind"], "transfer");
}

async fn optimised_tours_are_permutations_with_consistent_lengths(app: TestApp) {
    let net = network(&app).await;
    let t = Some(net.agency.token.as_str());
    // Three stops: every closed tour has the same length, which we can compute by hand.
    let res = app
        .post(
            "/api/v1/routes/optimize",
            t,
            json!({"depot": {"latitude": AMIENS.0, "longitude": AMIENS.1},
                   "stops": [{"id": "lille", "latitude": LILLE.0, "longitude": LILLE.1},
                             {"id": "arras", "latitude": ARRAS.0, "longitude": ARRAS.1},
                             {"id": "beauvais", "latitude": BEAUVAIS.0, "longitude": BEAUVAIS.1}],
                   "metric": "haversine"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let mut order: Vec<String> = res.body["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    // The optimum by brute force over the six orders.
    let places = [LILLE, ARRAS, BEAUVAIS];
    let mut best = f64::INFINITY;
    for (a, b, c) in [
        (0, 1, 2),
        (0, 2, 1),
        (1, 0, 2),
        (1, 2, 0),
        (2, 0, 1),
        (2, 1, 0),
    ] {
        let length = haversine_km(AMIENS, places[a])
            + haversine_km(places[a], places[b])
            + haversine_km(places[b], places[c])
            + haversine_km(places[c], AMIENS);
        best = best.min(length);
    }
    assert!(
        (res.body["total_km"].as_f64().unwrap() - best).abs() < 0.01,
        "{}",
        res.text
    );
    assert_eq!(res.body["legs"].as_array().unwrap().len(), 4);
    assert_eq!(res.body["legs"][0]["from"], "depot");
    assert_eq!(res.body["legs"][3]["to"], "depot");
    order.sort();
    assert_eq!(order, vec!["arras", "beauvais", "lille"]);

    // Forty real communes of the Somme: a permutation, legs that add up, and deterministic.
    let communes = app
        .get("/api/v1/communes?department=80&limit=40", None)
        .await;
    let stops: Vec<Value> = communes
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| json!({"id": c["insee_code"], "latitude": c["latitude"], "longitude": c["longitude"]}))
        .collect();
    let body = json!({"depot": {"latitude": AMIENS.0, "longitude": AMIENS.1}, "stops": stops, "metric": "road"});
    let first = app.post("/api/v1/routes/optimize", t, body.clone()).await;
    let second = app.post("/api/v1/routes/optimize", t, body).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.body["order"], second.body["order"]);
    let mut ids: Vec<&str> = first.body["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 40);
    let sum: f64 = first.body["legs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["km"].as_f64().unwrap())
        .sum();
    assert!((sum - first.body["total_km"].as_f64().unwrap()).abs() < 0.01);
    assert_eq!(first.body["source"], "road_estimate");
}

async fn route_requests_are_validated(app: TestApp) {
    let net = network(&app).await;
    let t = Some(net.agency.token.as_str());
    let depot = json!({"latitude": AMIENS.0, "longitude": AMIENS.1});
    let stop = |id: &str, lat: f64| json!({"id": id, "latitude": lat, "longitude": 2.0});
    let cases = [
        (json!({"depot": depot, "stops": []}), vec!["stops"]),
        (
            json!({"depot": depot, "stops": [stop("a", 50.0)]}),
            vec!["stops"],
        ),
        (
            json!({"depot": depot, "stops": [stop("a", 50.0), stop("a", 50.1)]}),
            vec!["stops[1].id"],
        ),
        (
            json!({"depot": depot, "stops": [stop("a", 95.0), stop("b", 50.1)]}),
            vec!["stops[0]"],
        ),
        (
            json!({"depot": {"latitude": 0.0, "longitude": 200.0}, "stops": [stop("a", 50.0), stop("b", 50.1)]}),
            vec!["depot"],
        ),
    ];
    for (body, fields) in cases {
        let res = app.post("/api/v1/routes/optimize", t, body).await;
        assert_eq!(res.status, 422, "{}", res.text);
        assert_eq!(res.fields(), fields);
    }
    let many: Vec<Value> = (0..301)
        .map(|i| stop(&format!("s{i}"), 49.0 + i as f64 / 1000.0))
        .collect();
    let res = app
        .post(
            "/api/v1/routes/optimize",
            t,
            json!({"depot": depot, "stops": many}),
        )
        .await;
    assert_eq!(res.status, 422);
    assert_eq!(res.fields(), vec!["stops"]);
    let res = app
        .post(
            "/api/v1/routes/optimize",
            t,
            json!({"depot": depot, "stops": [stop("a", 50.0), stop("b", 50.1)], "metric": "car"}),
        )
        .await;
    assert_eq!(res.status, 400);
    let res = app
        .post(
            "/api/v1/routes/optimize",
            None,
            json!({"depot": depot, "stops": []}),
        )
        .await;
    assert_eq!(res.status, 401);
}

async fn day_plans_split_trips_by_capacity(app: TestApp) {
    let net = network(&app).await;
    // Four copies at the Amiens depot, four venues around (each 1 travel day away).
    let mut copies = Vec::new();
    for tag in ["P-1", "P-2", "P-3", "P-4"] {
        copies.push(copy_at(&app, &net, tag, "80021").await);
    }
    let mut bookings = Vec::new();
    for (i, commune) in ["80001", "62041", "60057", "59350"].iter().enumerate() {
        let venue = app.venue(&net.agency, commune).await;
        let b = book(&app, &net, &venue, Some(copies[i]), 30, 31).await;
        assert_eq!(b["occupied_from"], json!(day(29)), "{b}");
        let approved = app
            .post(
                &format!("/api/v1/bookings/{}/approve", b["id"]),
                Some(&net.producer.token),
                json!({}),
            )
            .await;
        assert_eq!(approved.status, 200);
        bookings.push(b["id"].as_i64().unwrap());
    }
    let plan = |volume: f64, weight: f64| {
        json!({"date": day(29), "depot_organization_id": net.producer.org_id,
               "vehicle": {"capacity_volume_m3": volume, "capacity_weight_kg": weight}})
    };
    // 3 m³ each in a 7 m³ van: two per trip.
    let res = app
        .post(
            "/api/v1/tours/plan",
            Some(&net.producer.token),
            plan(7.0, 1000.0),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let trips = res.body["trips"].as_array().unwrap();
    assert_eq!(trips.len(), 2, "{}", res.text);
    let mut planned: Vec<i64> = Vec::new();
    for trip in trips {
        assert!(trip["volume_m3"].as_f64().unwrap() <= 7.0);
        assert!(trip["km"].as_f64().unwrap() > 0.0);
        for s in trip["stops"].as_array().unwrap() {
            planned.push(s["booking_id"].as_i64().unwrap());
        }
    }
    planned.sort();
    assert_eq!(planned, bookings);
    let total: f64 = trips.iter().map(|t| t["km"].as_f64().unwrap()).sum();
    assert!((res.body["total_km"].as_f64().unwrap() - total).abs() < 0.2);
    // Weight binds too: 80 kg each in a 100 kg van, one per trip.
    let res = app
        .post(
            "/api/v1/tours/plan",
            Some(&net.producer.token),
            plan(50.0, 100.0),
        )
        .await;
    assert_eq!(res.body["trips"].as_array().unwrap().len(), 4);
    // A van too small for any delivery plans nothing and says so.
    let res = app
        .post(
            "/api/v1/tours/plan",
            Some(&net.producer.token),
            plan(2.0, 1000.0),
        )
        .await;
    assert_eq!(res.body["trips"].as_array().unwrap().len(), 0);
    assert_eq!(
        res.body["unplaced_booking_ids"].as_array().unwrap().len(),
        4
    );
    // Another day: nothing leaves.
    let mut other = plan(7.0, 1000.0);
    other["date"] = json!(day(40));
    let res = app
        .post("/api/v1/tours/plan", Some(&net.producer.token), other)
        .await;
    assert_eq!(res.body["trips"].as_array().unwrap().len(), 0);
    // Bad requests.
    let res = app
        .post(
            "/api/v1/tours/plan",
            Some(&net.producer.token),
            plan(0.0, -1.0),
        )
        .await;
    assert_eq!(res.status, 422);
    let mut fields = res.fields();
    fields.sort();
    assert_eq!(
        fields,
        vec!["vehicle.capacity_volume_m3", "vehicle.capacity_weight_kg"]
    );
    let other_producer = app.producer(&net.agency, "62041").await;
    assert_eq!(
        app.post(
            "/api/v1/tours/plan",
            Some(&other_producer.token),
            plan(7.0, 1000.0)
        )
        .await
        .status,
        403
    );
    assert_eq!(
        app.post(
            "/api/v1/tours/plan",
            Some(&net.agency.token),
            plan(7.0, 1000.0)
        )
        .await
        .status,
        200
    );
}

on_both_backends!(
    legs_chain_consecutive_loans_venue_to_venue,
    assignment_prefers_the_copy_that_chains,
    optimised_tours_are_permutations_with_consistent_lengths,
    route_requests_are_validated,
    day_plans_split_trips_by_capacity,
);

/// How the stub answers.
pub const OK: u8 = 0;
pub const SLOW: u8 = 1;
pub const FAILING: u8 = 2;

/// A loopback server that speaks OSRM's `/table` and `/route` JSON: distances are twice the
/// great circle (so that answers are recognisable), at 20 m/s.
pub struct OsrmStub {
    pub url: String,
    pub mode: Arc<AtomicU8>,
    /// Requests received so far.
    pub received: Arc<std::sync::atomic::AtomicUsize>,
    handle: actix_web::dev::ServerHandle,
}

fn parse_coords(path: &str) -> Vec<(f64, f64)> {
    path.split(';')
        .filter_map(|p| {
            let (lon, lat) = p.split_once(',')?;
            Some((lat.parse().ok()?, lon.parse().ok()?))
        })
        .collect()
}

async fn stub_table(
    mode: web::Data<Arc<AtomicU8>>,
    received: web::Data<Arc<std::sync::atomic::AtomicUsize>>,
    coords: web::Path<String>,
) -> HttpResponse {
    received.fetch_add(1, Ordering::SeqCst);
    match mode.load(Ordering::SeqCst) {
        SLOW => actix_web::rt::time::sleep(Duration::from_secs(10)).await,
        FAILING => return HttpResponse::InternalServerError().body("boom"),
        _ => {}
    }
    let points = parse_coords(&coords);
    let distances: Vec<Vec<f64>> = points
        .iter()
        .map(|a| {
            points
                .iter()
                .map(|b| 2000.0 * haversine_km(*a, *b))
                .collect()
        })
        .collect();
    let durations: Vec<Vec<f64>> = distances
        .iter()
        .map(|r| r.iter().map(|d| d / 20.0).collect())
        .collect();
    HttpResponse::Ok().json(json!({"code": "Ok", "distances": distances, "durations": durations}))
}

async fn stub_route(
    mode: web::Data<Arc<AtomicU8>>,
    received: web::Data<Arc<std::sync::atomic::AtomicUsize>>,
    coords: web::Path<String>,
) -> HttpResponse {
    received.fetch_add(1, Ordering::SeqCst);
    match mode.load(Ordering::SeqCst) {
        SLOW => actix_web::rt::time::sleep(Duration::from_secs(10)).await,
        FAILING => {
            return HttpResponse::Ok()
                .json(json!({"code": "NoRoute", "message": "Impossible route"}))
        }
        _ => {}
    }
    let points = parse_coords(&coords);
    let d = 2000.0 * haversine_km(points[0], points[1]);
    HttpResponse::Ok()
        .json(json!({"code": "Ok", "routes": [{"distance": d, "duration": d / 20.0}]}))
}

impl OsrmStub {
    pub fn start() -> OsrmStub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let mode = Arc::new(AtomicU8::new(OK));
        let shared = mode.clone();
        let received = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = received.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(web::Data::new(shared.clone()))
                        .app_data(web::Data::new(counter.clone()))
                        .route("/table/v1/driving/{coords}", web::get().to(stub_table))
                        .route("/route/v1/driving/{coords}", web::get().to(stub_route))
                })
                .workers(1)
                .disable_signals()
                .listen(listener)
                .unwrap()
                .run();
                tx.send(server.handle()).unwrap();
                let _ = server.await;
            })
        });
        let handle = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        OsrmStub {
            url,
            mode,
            received,
            handle,
        }
    }
}

impl Drop for OsrmStub {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

async fn osrm_is_used_when_it_answers_and_the_estimate_otherwise(backend: Backend) {
    let stub = OsrmStub::start();
    let app = TestApp::start_with(
        backend,
        &[
            ("ITINERANCE_OSRM_URL", stub.url.as_str()),
            ("ITINERANCE_OSRM_TIMEOUT_MS", "300"),
        ],
    )
    .await;
    let net = network(&app).await;
    let copy = copy_at(&app, &net, "O-1", "80021").await;
    let lille = app.venue(&net.agency, "59350").await;
    let booking = book(&app, &net, &lille, Some(copy), 10, 11).await;
    let legs_path = format!("/api/v1/bookings/{}/legs", booking["id"]);
    let route = json!({"depot": {"latitude": AMIENS.0, "longitude": AMIENS.1},
        "stops": [{"id": "lille", "latitude": LILLE.0, "longitude": LILLE.1},
                  {"id": "arras", "latitude": ARRAS.0, "longitude": ARRAS.1}],
        "metric": "road"});
    let by_stub = 2.0 * haversine_km(AMIENS, LILLE);
    let estimate = 1.3 * haversine_km(AMIENS, LILLE);

    // Success: OSRM's figures.
    let legs = app.get(&legs_path, Some(&net.producer.token)).await;
    assert_eq!(legs.body[0]["source"], "osrm", "{}", legs.text);
    assert!((legs.body[0]["km"].as_f64().unwrap() - by_stub).abs() < 0.1);
    assert!(
        (legs.body[0]["duration_hours"].as_f64().unwrap() - by_stub * 1000.0 / 20.0 / 3600.0).abs()
            < 0.01
    );
    let tour = app
        .post(
            "/api/v1/routes/optimize",
            Some(&net.producer.token),
            route.clone(),
        )
        .await;
    assert_eq!(tour.body["source"], "osrm");
    assert!(
        (tour.body["legs"][0]["km"].as_f64().unwrap() / 2.0
            - haversine_km(
                AMIENS,
                if tour.body["order"][0] == "lille" {
                    LILLE
                } else {
                    ARRAS
                }
            ))
        .abs()
            < 0.01
    );

    // Timeout (the stub would answer after 10 s): the estimate.
    stub.mode.store(SLOW, Ordering::SeqCst);
    let legs = app.get(&legs_path, Some(&net.producer.token)).await;
    assert_eq!(legs.status, 200);
    assert_eq!(legs.body[0]["source"], "road_estimate");
    assert!((legs.body[0]["km"].as_f64().unwrap() - estimate).abs() < 0.1);
    let tour = app
        .post(
            "/api/v1/routes/optimize",
            Some(&net.producer.token),
            route.clone(),
        )
        .await;
    assert_eq!(tour.body["source"], "road_estimate");

    // Errors (HTTP 500 on /table, an OSRM error code on /route): the estimate.
    stub.mode.store(FAILING, Ordering::SeqCst);
    let legs = app.get(&legs_path, Some(&net.producer.token)).await;
    assert_eq!(legs.body[0]["source"], "road_estimate");
    let tour = app
        .post("/api/v1/routes/optimize", Some(&net.producer.token), route)
        .await;
    assert_eq!(tour.status, 200);
    assert_eq!(tour.body["source"], "road_estimate");
}

#[actix_web::test]
async fn sqlite_osrm_is_used_when_it_answers_and_the_estimate_otherwise() {
    osrm_is_used_when_it_answers_and_the_estimate_otherwise(Backend::Sqlite).await;
}

#[actix_web::test]
async fn postgres_osrm_is_used_when_it_answers_and_the_estimate_otherwise() {
    osrm_is_used_when_it_answers_and_the_estimate_otherwise(Backend::Postgres).await;
}

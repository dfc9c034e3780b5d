//! `make bench`: a season of allocation on the demo network. 500 requests from the demo's 250
//! venues (cities ask more, as the 2019 survey found) on 50 contested resources over 90 days;
//! `allocate` under `first_come` and under `equity`, timed (target: ≤ 2 s for the round), and
//! what equity changes: requests and venues served by commune class, and the gap between the
//! large-city and the village rate of loans per 10,000 inhabitants. Then the equity plan is
//! confirmed (500 requests' worth of bookings in one transaction), timed.

#[path = "../tests/api/common.rs"]
#[allow(dead_code)]
mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{Duration as Days, Utc};
use itinerance::rng::SplitMix64;
use serde_json::{json, Value};

use common::{Backend, TestApp};

const COMMUNES_CSV: &str = include_str!("../data/hauts-de-france-communes.csv");
const REQUESTS: usize = 500;
const RESOURCES: usize = 50;
/// Demand skew: venue rank = n × u^bias over venues largest commune first (1 = uniform).
const DEMAND_BIAS: f64 = 2.0;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn class_of(population: i64) -> &'static str {
    match population {
        p if p < 2_000 => "village",
        p if p < 15_000 => "small_town",
        p if p < 100_000 => "medium_town",
        _ => "large_city",
    }
}

async fn run(backend: Backend) {
    let name = format!("{backend:?}").to_lowercase();
    let app = TestApp::start_with(
        backend,
        &[("ITINERANCE_MAX_OPEN_REQUESTS_PER_VENUE", "1000")],
    )
    .await;
    let now = app.state.clock.naive();
    let demo = app
        .state
        .run(move |conn| itinerance::demo::load(conn, now))
        .await
        .expect("demo network");
    let billing = itinerance::billing::LoanBilling::from_config(&app.state.config);
    app.state
        .run(move |conn| itinerance::demo::billing::load(conn, &billing, now))
        .await
        .expect("demo season");
    let (email, password) = &demo.logins[0];
    let token = app.login(email, password).await;
    let t = Some(token.as_str());

    let population: HashMap<String, i64> = COMMUNES_CSV
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[4].parse().unwrap_or(0))
        })
        .collect();
    let venues = app
        .get("/api/v1/organizations?kind=venue&limit=500", t)
        .await;
    let mut venues: Vec<(i64, i64)> = venues.body["items"]
        .as_array()
        .expect("venues")
        .iter()
        .map(|v| {
            let code = v["commune_insee"].as_str().unwrap_or_default();
            (
                v["id"].as_i64().unwrap_or(0),
                population.get(code).copied().unwrap_or(0),
            )
        })
        .collect();
    venues.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let class_of_venue: HashMap<i64, &str> =
        venues.iter().map(|(v, p)| (*v, class_of(*p))).collect();
    let resources = app.get("/api/v1/resources?limit=100", t).await;
    let resources: Vec<i64> = resources.body["items"]
        .as_array()
        .expect("resources")
        .iter()
        .filter(|r| r["copies_in_service"].as_i64().unwrap_or(0) > 0)
        .map(|r| r["id"].as_i64().unwrap_or(0))
        .take(RESOURCES)
        .collect();
    let today = Utc::now().date_naive();
    let (from, to) = (today + Days::days(30), today + Days::days(119));
    let round = app
        .post(
            "/api/v1/allocation-rounds",
            t,
            json!({"name": "Saison de printemps (bench)", "period_from": from, "period_to": to,
                   "resource_ids": resources}),
        )
        .await;
    assert_eq!(round.status, 201, "{}", round.text);
    let round_id = round.body["id"].as_i64().unwrap_or(0);

    let mut rng = SplitMix64::new(2027);
    let mut made = 0;
    let mut requested_by_class: HashMap<&str, usize> = HashMap::new();
    while made < REQUESTS {
        let u = rng.below(1_000_000) as f64 / 1_000_000.0;
        let rank = ((venues.len() as f64) * u.powf(DEMAND_BIAS)) as usize;
        let venue = venues[rank.min(venues.len() - 1)].0;
        let resource = resources[rng.below(resources.len())];
        let length = 7 + rng.below(15) as i64;
        let start = from + Days::days(rng.below((90 - length) as usize) as i64);
        let res = app
            .post(
                &format!("/api/v1/allocation-rounds/{round_id}/requests"),
                t,
                json!({"venue_id": venue, "resource_id": resource, "starts_on": start,
                       "ends_on": start + Days::days(length - 1)}),
            )
            .await;
        if res.status == 409 {
            continue; // the same request drawn twice
        }
        assert_eq!(res.status, 201, "{}", res.text);
        *requested_by_class
            .entry(class_of_venue[&venue])
            .or_default() += 1;
        made += 1;
    }
    println!(
        "{name:<9} allocation round: {REQUESTS} requests from {} venues on {} resources over 90 days",
        venues.len(),
        resources.len()
    );

    let mut plans: HashMap<&str, Value> = HashMap::new();
    for policy in ["first_come", "equity"] {
        let mut durations = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            let res = app
                .post(
                    &format!("/api/v1/allocation-rounds/{round_id}/allocate"),
                    t,
                    json!({"policy": policy}),
                )
                .await;
            durations.push(started.elapsed());
            assert_eq!(res.status, 200, "{}", res.text);
            plans.insert(policy, res.body);
        }
        durations.sort();
        println!(
            "{name:<9} allocate {policy:<10} (target ≤ 2 s)  median={:>8.1} ms  max={:>8.1} ms",
            ms(durations[2]),
            ms(durations[4])
        );
    }
    println!(
        "{name:<9} {:<12} {:>9} {:>24} {:>24} {:>22}",
        "class", "requests", "served fc → equity", "venues served fc → eq", "per 10k after fc → eq"
    );
    for class in ["village", "small_town", "medium_town", "large_city"] {
        let fc = &plans["first_come"]["summary"]["by_class"][class];
        let eq = &plans["equity"]["summary"]["by_class"][class];
        println!(
            "{name:<9} {class:<12} {:>9} {:>11} → {:<10} {:>8}/{:<3} → {:>4}/{:<6} {:>9.2} → {:<9.2}",
            fc["requested"],
            fc["served"].to_string(),
            eq["served"].to_string(),
            fc["venues_served"],
            fc["venues_requesting"],
            eq["venues_served"],
            eq["venues_requesting"],
            fc["loans_per_10k_after"].as_f64().unwrap_or(0.0),
            eq["loans_per_10k_after"].as_f64().unwrap_or(0.0),
        );
    }
    let gap = |p: &str, k: &str| plans[p]["summary"][k].as_f64().unwrap_or(0.0);
    let served = |p: &str| plans[p]["assignments"].as_array().map_or(0, Vec::len);
    println!(
        "{name:<9} served: first_come {} / equity {} of {REQUESTS}; city − village loans per 10k: before {:.2}, after first_come {:.2}, after equity {:.2}",
        served("first_come"),
        served("equity"),
        gap("equity", "city_village_gap_before"),
        gap("first_come", "city_village_gap_after"),
        gap("equity", "city_village_gap_after"),
    );
    let _ = requested_by_class;

    let started = Instant::now();
    let res = app
        .post(
            &format!("/api/v1/allocation-rounds/{round_id}/confirm"),
            t,
            json!({}),
        )
        .await;
    let took = started.elapsed();
    assert_eq!(res.status, 200, "{}", res.text);
    println!(
        "{name:<9} confirm the equity plan: {} bookings approved in one transaction in {:.1} ms",
        res.body["booking_ids"].as_array().map_or(0, Vec::len),
        ms(took)
    );
}

fn main() {
    // `cargo test --benches` runs this binary with `--bench` absent: stay quick there.
    if !std::env::args().any(|a| a == "--bench") {
        println!("benchmarks run with `make bench`");
        return;
    }
    let only = std::env::var("BENCH_BACKENDS").unwrap_or_default();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let name = format!("{backend:?}").to_lowercase();
        if only.is_empty() || only.split(',').any(|b| b.trim() == name) {
            actix_web::rt::System::new().block_on(run(backend));
        }
    }
}

//! `make bench`: the venue portal's pages under load, on SQLite and PostgreSQL (issue 23's
//! targets) and the agency's (issue 24). On the API bench's catalogue (10,000 resources, 50,000 copies), a venue with loans
//! and invoices logs in through the portal's login form (its CSRF token and cookie, then the
//! session cookie), and wrk (64 connections, 10 s a page) asks for each page: home, find (words,
//! age, distance), a resource, my loans, a loan, my invoices; then `GET /api/v1/resources` with
//! the find page's filters, as the same venue, in the same run. Then the producer's pages (issue
//! 24), as the producer of the venue's first loan with 30 more requests from the venue: its inbox
//! (quotes and conflicts), its fleet (every copy, with wear) and a copy's 52-week calendar.
//! Then the agency, logged in the same way, asks for the network at a glance (`/network`, target
//! p99 ≤ 50 ms) and coverage of the last 12 months by EPCI and by commune (`/coverage`, target
//! p99 ≤ 300 ms).
//!
//! Printed per page: the server's own median and p99 (from its request log: the load generator
//! shares the machine) with 200 requests one at a time, then under wrk with wrk's figures beside;
//! target p99 ≤ 50 ms. Then the find page's time ÷ the API search's, both ways (medians and p99s;
//! target ≤ 2), and each page's size, HTML plus the stylesheet (≤ 100 KB). Each target with PASS or FAIL. `BENCH_BACKENDS=sqlite` (or
//! `postgres`) runs one backend; `BENCH_SECONDS` changes the 10 s per page, `BENCH_CONNECTIONS`
//! the 64 connections; `BENCH_PAGES=requests,fleet,calendar` (or `network,coverage`) measures only
//! the pages whose label holds one of these words (the find ÷ API ratio needs both of theirs).

#[path = "../tests/api/common.rs"]
#[allow(dead_code)]
mod common;

mod shared;

use common::{Actor, Backend, TestApp};
use shared::{
    client, log_in_through_the_form, log_requests_to, run_wrk, seed_catalogue,
    server_side_ms_where, wrk_script_with, WrkRequest,
};

/// Concurrent connections of the load generator, unless `BENCH_CONNECTIONS` says otherwise.
const CONNECTIONS: usize = 64;
/// The target on each page's server-side p99, in ms.
const P99_TARGET_MS: f64 = 50.0;
/// The target on the coverage page's server-side p99, in ms (it counts every commune).
const COVERAGE_P99_TARGET_MS: f64 = 300.0;
/// The target on the find page's time over the API search's.
const RATIO_TARGET: f64 = 2.0;
/// The target on a page's weight: its HTML plus the stylesheet, in bytes.
const SIZE_TARGET: usize = 100 * 1024;
/// Requests of each page one at a time, before the load.
const SEQUENTIAL: usize = 200;
/// Loans of the bench's venue (two thirds approved), and invoices it received.
const LOANS: usize = 40;
const INVOICES: usize = 20;
/// The find page's words and visitors' ages, cycled through (the same for the API search).
const WORDS: [&str; 5] = ["energie", "eau", "robot", "climat", "foret"];
const AGES: [u32; 4] = [6, 9, 12, 40];

fn name(backend: Backend) -> String {
    format!("{backend:?}").to_lowercase()
}

fn verdict(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "FAIL"
    }
}

/// The venue's loans through the API (the agency books for it, then approves two thirds), and
/// invoices of some of them in the ledger; returns the loans' ids.
async fn seed_venue(app: &TestApp, agency: &Actor, venue: &Actor) -> Vec<i64> {
    let today = chrono::Utc::now().date_naive();
    let mut ids = Vec::new();
    let mut i = 0usize;
    while ids.len() < LOANS && i < LOANS * 10 {
        let start = today + chrono::Duration::days(60 + 7 * (i % 40) as i64);
        let body = serde_json::json!({"resource_id": 1 + (i * 241) % 10_000,
            "venue_id": venue.org_id, "starts_on": start,
            "ends_on": start + chrono::Duration::days(4)});
        let res = app
            .post("/api/v1/bookings", Some(&agency.token), body)
            .await;
        i += 1;
        match res.status {
            201 => ids.push(res.body["id"].as_i64().expect("booking id")),
            409 | 422 => continue,
            other => panic!("booking for the bench venue: {other} {}", res.text),
        }
    }
    for (_, id) in ids.iter().enumerate().filter(|(k, _)| k % 3 != 0) {
        let res = app
            .post(
                &format!("/api/v1/bookings/{id}/approve"),
                Some(&agency.token),
                serde_json::json!({}),
            )
            .await;
        if res.status != 200 {
            println!(
                "bench venue: loan {id} not approved: {} {}",
                res.status, res.text
            );
        }
    }
    let invoiced: Vec<i64> = ids.iter().copied().take(INVOICES).collect();
    let buyer = venue.org_id;
    app.state
        .run(move |conn| {
            use diesel::prelude::*;
            use itinerance::billing::ledger::{self, InvoiceInsert};
            use itinerance::billing::model::{InvoiceKind, Line, LineKind};
            use itinerance::schema::{bookings, resources};
            let now = chrono::Utc::now().naive_utc();
            itinerance::db::write_transaction(conn, |conn| {
                for (n, booking_id) in invoiced.into_iter().enumerate() {
                    let seller_id: i64 = bookings::table
                        .inner_join(resources::table.on(resources::id.eq(bookings::resource_id)))
                        .filter(bookings::id.eq(booking_id))
                        .select(resources::producer_id)
                        .first(conn)?;
                    let issued_on = now.date() - chrono::Duration::days(n as i64);
                    let lines = [
                        Line {
                            kind: LineKind::Rental,
                            label: "Location".into(),
                            amount_cents: 30_000,
                        },
                        Line {
                            kind: LineKind::Transport,
                            label: "Transport".into(),
                            amount_cents: 4_000,
                        },
                    ];
                    ledger::insert(
                        conn,
                        &InvoiceInsert {
                            number: format!("P-{:06}", n + 1),
                            kind: InvoiceKind::Invoice,
                            seller_id,
                            buyer_id: buyer,
                            booking_id,
                            year: chrono::Datelike::year(&issued_on),
                            sequence: n as i32 + 1,
                            issued_on,
                            total_cents: 34_000,
                            currency: "EUR".into(),
                            correction: 0,
                            credits_invoice_id: None,
                            issued_by_organization: seller_id,
                            created_at: now,
                            parties: None,
                            buyer_service_code: None,
                            commitment_number: None,
                        },
                        &lines,
                    )?;
                }
                Ok::<_, itinerance::error::Error>(())
            })
        })
        .await
        .expect("seed invoices");
    ids
}

/// An open allocation round on 10 resources with 40 requests of the bench venue (added as one
/// CSV), contested two by two: what `/rounds/{id}/compare` plans twice. Its id.
async fn seed_round(app: &TestApp, agency: &Actor, venue: &Actor) -> i64 {
    let today = chrono::Utc::now().date_naive();
    let day = |n: i64| today + chrono::Duration::days(n);
    let resources: Vec<i64> = (1..=10).collect();
    let round = app
        .post(
            "/api/v1/allocation-rounds",
            Some(&agency.token),
            serde_json::json!({"name": "Tour du banc", "period_from": day(30),
                               "period_to": day(300), "resource_ids": resources}),
        )
        .await;
    assert_eq!(round.status, 201, "{}", round.text);
    let id = round.body["id"].as_i64().expect("round id");
    let mut csv = String::from("venue_id,resource_id,starts_on,ends_on\n");
    for i in 0..40i64 {
        let from = 40 + (i / 20) * 3 + (i % 20 / 10) * 60;
        csv.push_str(&format!(
            "{},{},{},{}\n",
            venue.org_id,
            1 + i % 10,
            day(from),
            day(from + 5)
        ));
    }
    let added = app
        .raw(
            "POST",
            &format!("/api/v1/allocation-rounds/{id}/requests"),
            Some(&agency.token),
            Some("text/csv"),
            csv.into_bytes(),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.text);
    id
}

/// The producer of the venue's loan `loan`: 30 more requests of its resources by the venue (a
/// third approved, so that requests meet loans), an administrator logged in through the form.
/// Its session cookie, the copy of `loan` (for its calendar), its day plan, and the resource of
/// `loan` (for its editing page).
async fn seed_producer(
    app: &TestApp,
    agency: &Actor,
    venue: &Actor,
    loan: i64,
) -> (String, i64, i64, i64) {
    let booking = app
        .get(&format!("/api/v1/bookings/{loan}"), Some(&agency.token))
        .await;
    let copy_id = booking.body["copy_id"].as_i64().expect("copy id");
    let resource_id = booking.body["resource_id"].as_i64().expect("resource id");
    let (producer_id, resources) = app
        .state
        .run(move |conn| {
            use diesel::prelude::*;
            use itinerance::schema::resources;
            let producer_id: i64 = resources::table
                .find(resource_id)
                .select(resources::producer_id)
                .first(conn)?;
            let ids: Vec<i64> = resources::table
                .filter(resources::producer_id.eq(producer_id))
                .select(resources::id)
                .order(resources::id.asc())
                .limit(15)
                .load(conn)?;
            Ok::<_, itinerance::error::Error>((producer_id, ids))
        })
        .await
        .expect("the producer's resources");
    let today = chrono::Utc::now().date_naive();
    let mut made = 0;
    let mut delivery_days: Vec<String> = Vec::new();
    for i in 0..60usize {
        if made == 30 {
            break;
        }
        let start = today + chrono::Duration::days(30 + 9 * (i % 6) as i64);
        let body = serde_json::json!({"resource_id": resources[i % resources.len()],
            "venue_id": venue.org_id, "starts_on": start,
            "ends_on": start + chrono::Duration::days(6)});
        let res = app
            .post("/api/v1/bookings", Some(&agency.token), body)
            .await;
        if res.status != 201 {
            continue;
        }
        made += 1;
        if made % 3 == 0 {
            let id = res.body["id"].as_i64().expect("booking id");
            let approved = app
                .post(
                    &format!("/api/v1/bookings/{id}/approve"),
                    Some(&agency.token),
                    serde_json::json!({}),
                )
                .await;
            if let Some(day) = approved.body["delivery_on"].as_str() {
                delivery_days.push(day.to_string());
            }
        }
    }
    // A van at its depot and the day of the first delivery planned: the plan page's case.
    let van = app
        .post(
            "/api/v1/vans",
            Some(&agency.token),
            serde_json::json!({"name": "Utilitaire du banc", "depot_organization_id": producer_id,
                "capacity": {"volume_m3": 12.0, "weight_kg": 1000.0},
                "shift": {"start": "08:00", "end": "18:00"}}),
        )
        .await;
    assert_eq!(van.status, 201, "{}", van.text);
    let plan = app
        .post(
            "/api/v1/tours/plan",
            Some(&agency.token),
            serde_json::json!({"date": delivery_days.first().expect("an approved loan"),
                "depot_organization_id": producer_id}),
        )
        .await;
    assert_eq!(plan.status, 200, "{}", plan.text);
    let plan_id = plan.body["id"].as_i64().expect("plan id");
    let producer = app.user_in(agency, producer_id, "admin").await;
    println!(
        "bench producer {producer_id}: {made} more requests of its resources, day plan {plan_id}"
    );
    (
        log_in_through_the_form(app, &producer.email).await,
        copy_id,
        plan_id,
        resource_id,
    )
}

/// One page (or the API search) under load.
/// Who asks for a page: each logs in through the form with its own session.
#[derive(Clone, Copy)]
enum Asker {
    Venue,
    Producer,
    Agency,
}

struct Case {
    label: &'static str,
    /// The request path without its query, as the request log writes it; `{id}` stands for
    /// any id.
    route: &'static str,
    requests: Vec<WrkRequest>,
    /// Whether it is a portal page (session cookie) or the API (bearer token).
    page: bool,
    /// Who asks: the venue, the producer (its session) or the agency.
    asker: Asker,
    /// The target on its server-side p99, in ms.
    target: f64,
}

/// What one case measured: the server's median and p99, in ms, one request at a time and
/// under wrk's load.
struct Measured {
    alone: (f64, f64),
    loaded: (f64, f64),
}

fn route_matches(route: &str, path: &str) -> bool {
    match route.split_once("{id}") {
        Some((prefix, suffix)) => path
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())),
        None => path == route,
    }
}

async fn run(backend: Backend, seconds: u64, connections: usize) {
    let b = name(backend);
    let app = TestApp::start_with(
        backend,
        &[("ITINERANCE_MAX_OPEN_REQUESTS_PER_VENUE", "1000000")],
    )
    .await;
    let seeding = seed_catalogue(&app, 10_000, 5).await;
    println!(
        "{b:<9} seeded 10,000 resources and 50,000 copies in {:.1} s",
        seeding.as_secs_f64()
    );
    let agency = app.agency_admin().await;
    // A venue in Amiens: a city of the bench's region, with resources all around.
    let venue = app
        .member_of_new_org(&agency, "venue", "admin", "80021")
        .await;
    let loans = seed_venue(&app, &agency, &venue).await;
    println!(
        "{b:<9} the bench venue has {} loans and {INVOICES} invoices",
        loans.len()
    );
    let (producer_session, copy_id, plan_id, resource_id) =
        seed_producer(&app, &agency, &venue, loans[0]).await;
    let round_id = seed_round(&app, &agency, &venue).await;
    app.state
        .run(|conn| {
            use diesel::connection::SimpleConnection;
            match conn {
                itinerance::db::DbConnection::Postgres(pg) => pg.batch_execute("VACUUM ANALYZE"),
                itinerance::db::DbConnection::Sqlite(lite) => {
                    lite.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")
                }
            }?;
            Ok(())
        })
        .await
        .expect("analyze");
    let session = log_in_through_the_form(&app, &venue.email).await;
    let agency_session = log_in_through_the_form(&app, &agency.email).await;
    let get = |path: String| ("GET".to_string(), path, None);
    let find_query = |i: usize| {
        format!(
            "q={}&age={}&radius_km=50",
            WORDS[i % WORDS.len()],
            AGES[i % AGES.len()]
        )
    };
    let cases = vec![
        Case {
            label: "GET / (home)",
            route: "/",
            requests: vec![get("/".into())],
            page: true,
            asker: Asker::Venue,
            target: P99_TARGET_MS,
        },
        Case {
            label: "GET /resources?q&age&radius_km (find)",
            route: "/resources",
            requests: (0..20)
                .map(|i| get(format!("/resources?searched=1&{}", find_query(i))))
                .collect(),
            page: true,
            asker: Asker::Venue,
            target: P99_TARGET_MS,
        },
        Case {
            label: "GET /api/v1/resources (the same search)",
            route: "/api/v1/resources",
            requests: (0..20)
                .map(|i| {
                    get(format!(
                        "/api/v1/resources?near_venue={}&limit=20&{}",
                        venue.org_id,
                        find_query(i)
                    ))
                })
                .collect(),
            page: false,
            asker: Asker::Venue,
            target: P99_TARGET_MS,
        },
        Case {
            label: "GET /resources/{id} (a resource)",
            route: "/resources/{id}",
            requests: (0..500)
                .map(|i| get(format!("/resources/{}", 1 + (i * 37) % 10_000)))
                .collect(),
            page: true,
            asker: Asker::Venue,
            target: P99_TARGET_MS,
        },
        Case {
            label: "GET /bookings (my loans)",
            route: "/bookings",
            requests: vec![get("/bookings".into())],
            page: true,
            asker: Asker::Venue,
            target: P99_TARGET_MS,
        },
        Case {
            label: "GET /bookings/{id} (a loan)",
            route: "/bookings/{id}",
            requests: loans
                .iter()
                .map(|id| get(format!("/bookings/{id}")))
                .collect(),
            page: true,
            asker: Asker::Venue,
            target: P99_TARGET_MS,
        },
        Case {
            label: "GET /invoices (my invoices)",
            route: "/invoices",
            requests: vec![get("/invoices".into())],
            page: true,
            asker: Asker::Venue,
            target: P99_TARGET_MS,
        },
        Case {
            label: "GET /requests (a producer's inbox)",
            route: "/requests",
            requests: vec![get("/requests".into())],
            page: true,
            asker: Asker::Producer,
            target: P99_TARGET_MS,
        },
        Case {
            label: "GET /fleet (a producer's fleet)",
            route: "/fleet",
            requests: vec![get("/fleet".into())],
            page: true,
            asker: Asker::Producer,
            target: P99_TARGET_MS,
        },
        Case {
            label: "GET /copies/{id}/calendar (52 weeks)",
            route: "/copies/{id}/calendar",
            requests: vec![get(format!("/copies/{copy_id}/calendar"))],
            page: true,
            asker: Asker::Producer,
            target: P99_TARGET_MS,
        },
        Case {
            label: "GET /days/{id} (a day plan: rounds, map, move form)",
            route: "/days/{id}",
            requests: vec![get(format!("/days/{plan_id}"))],
            page: true,
            asker: Asker::Producer,
            target: P99_TARGET_MS,
        },
        Case {
            label: "GET /revenue (a producer's year, two charts)",
            route: "/revenue",
            requests: vec![get("/revenue".into())],
            page: true,
            asker: Asker::Producer,
            target: P99_TARGET_MS,
        },
        Case {
            label: "GET /resources/{id}/edit (editing a resource)",
            route: "/resources/{id}/edit",
            requests: vec![get(format!("/resources/{resource_id}/edit"))],
            page: true,
            asker: Asker::Producer,
            target: P99_TARGET_MS,
        },
        Case {
            label: "GET /organizations (the agency's directory)",
            route: "/organizations",
            requests: vec![
                get("/organizations".into()),
                get("/organizations?kind=venue&page=3".into()),
            ],
            page: true,
            asker: Asker::Agency,
            target: P99_TARGET_MS,
        },
        Case {
            label: "GET /network (the agency's network)",
            route: "/network",
            requests: vec![get("/network".into())],
            page: true,
            asker: Asker::Agency,
            target: P99_TARGET_MS,
        },
        Case {
            label: "GET /coverage?by=epci|commune (coverage)",
            route: "/coverage",
            requests: vec![
                get("/coverage?by=epci".into()),
                get("/coverage?by=commune&page=40".into()),
            ],
            page: true,
            asker: Asker::Agency,
            target: COVERAGE_P99_TARGET_MS,
        },
        Case {
            label: "GET /rounds/{id}/compare (both policies, 40 requests)",
            route: "/rounds/{id}/compare",
            requests: vec![get(format!("/rounds/{round_id}/compare"))],
            page: true,
            asker: Asker::Agency,
            target: P99_TARGET_MS,
        },
    ];
    let pages = std::env::var("BENCH_PAGES").unwrap_or_default();
    let cases: Vec<Case> = cases
        .into_iter()
        .filter(|c| {
            pages.is_empty()
                || pages
                    .split(',')
                    .any(|w| !w.trim().is_empty() && c.label.contains(w.trim()))
        })
        .collect();
    let cookie = |case: &Case| match case.asker {
        Asker::Producer => producer_session.clone(),
        Asker::Agency => agency_session.clone(),
        Asker::Venue => session.clone(),
    };
    // Each page once, as a browser would fetch it: its weight with the stylesheet, and that it
    // answers 200 (wrk would only count other statuses).
    let client = client();
    let stylesheet = client
        .get(format!("{}/portal.css", app.base))
        .send()
        .await
        .expect("stylesheet")
        .body()
        .limit(1 << 20)
        .await
        .expect("stylesheet body")
        .len();
    let mut sizes = Vec::new();
    for case in &cases {
        let (_, path, _) = &case.requests[0];
        let req = client.get(format!("{}{path}", app.base));
        let req = if case.page {
            req.insert_header(("Cookie", cookie(case)))
        } else {
            req.insert_header(("Authorization", format!("Bearer {}", venue.token)))
        };
        let mut res = req.send().await.expect("page");
        let status = res.status().as_u16();
        let body = res.body().limit(16 << 20).await.expect("page body");
        assert_eq!(
            status,
            200,
            "{path}: {}",
            String::from_utf8_lossy(&body)
                .chars()
                .take(2000)
                .collect::<String>()
        );
        if case.page {
            sizes.push((case.label, body.len()));
        }
    }
    // One request at a time: what a page costs the server by itself (under wrk's 64 connections
    // the server's time is mostly the wait for a database connection: 64 ÷ the throughput).
    let mut alone = Vec::new();
    for case in &cases {
        for i in 0..SEQUENTIAL {
            let (_, path, _) = &case.requests[i % case.requests.len()];
            let req = client.get(format!("{}{path}", app.base));
            let req = if case.page {
                req.insert_header(("Cookie", cookie(case)))
            } else {
                req.insert_header(("Authorization", format!("Bearer {}", venue.token)))
            };
            let mut res = req.send().await.expect("page");
            let _ = res.body().limit(16 << 20).await.expect("page body");
            assert_eq!(res.status().as_u16(), 200, "{path}");
        }
        let server = server_side_ms_where("GET", |p| route_matches(case.route, p), SEQUENTIAL)
            .unwrap_or((f64::NAN, f64::NAN));
        println!(
            "{b:<9} portal {:<42} one at a time ({SEQUENTIAL}): server median {:>5.1} ms, \
             p99 {:>5.1} ms (target ≤ {} ms: {})",
            case.label,
            server.0,
            server.1,
            case.target,
            verdict(server.1 <= case.target)
        );
        alone.push(server);
    }
    let mut measured = Vec::new();
    for (case, alone) in cases.iter().zip(alone) {
        let authorization = format!("Bearer {}", venue.token);
        let page_cookie = cookie(case);
        let headers: Vec<(&str, &str)> = if case.page {
            vec![("Cookie", page_cookie.as_str())]
        } else {
            vec![("Authorization", authorization.as_str())]
        };
        let script = wrk_script_with(&headers, &case.requests);
        let Some(run) = run_wrk(&app.base, &script, connections, seconds) else {
            println!(
                "{b:<9} portal {}: wrk gave no figures (run .ci/ensure-wrk)",
                case.label
            );
            measured.push(None);
            continue;
        };
        let answered = (run.requests_per_s * seconds as f64) as usize;
        let server = server_side_ms_where("GET", |p| route_matches(case.route, p), answered)
            .unwrap_or((f64::NAN, f64::NAN));
        println!(
            "{b:<9} portal {:<42} {connections} connections: {:>6.0} req/s; wrk median {:>6.1} ms, \
             p99 {:>6.1} ms; server median {:>5.1} ms, p99 {:>5.1} ms (target ≤ {} ms: {}); {}",
            case.label,
            run.requests_per_s,
            run.p50_ms,
            run.p99_ms,
            server.0,
            server.1,
            case.target,
            verdict(server.1 <= case.target),
            run.extra
        );
        measured.push(Some(Measured {
            alone,
            loaded: server,
        }));
    }
    let measured_as = |label: &str| {
        cases
            .iter()
            .position(|c| c.label.starts_with(label))
            .and_then(|i| measured.get(i))
            .and_then(|m| m.as_ref())
    };
    if let (Some(find), Some(api)) = (
        measured_as("GET /resources?"),
        measured_as("GET /api/v1/resources"),
    ) {
        for (how, f, a) in [
            ("one at a time", find.alone, api.alone),
            ("under load", find.loaded, api.loaded),
        ] {
            let (median, p99) = (f.0 / a.0, f.1 / a.1);
            println!(
                "{b:<9} portal find page ÷ API search, {how} (server side): medians {median:.2} \
                 (target ≤ {RATIO_TARGET}: {}), p99s {p99:.2} (target ≤ {RATIO_TARGET}: {})",
                verdict(median <= RATIO_TARGET),
                verdict(p99 <= RATIO_TARGET)
            );
        }
    }
    for (label, html) in sizes {
        let total = html + stylesheet;
        println!(
            "{b:<9} portal size {label:<42} HTML {:>5.1} KB + CSS {:>4.1} KB = {:>5.1} KB \
             (target ≤ {} KB: {})",
            html as f64 / 1024.0,
            stylesheet as f64 / 1024.0,
            total as f64 / 1024.0,
            SIZE_TARGET / 1024,
            verdict(total <= SIZE_TARGET)
        );
    }
}

fn main() {
    // `cargo test --benches` runs this binary with `--bench` absent: stay quick there.
    if !std::env::args().any(|a| a == "--bench") {
        println!("benchmarks run with `make bench`");
        return;
    }
    if std::process::Command::new("wrk")
        .arg("-v")
        .output()
        .is_err()
    {
        println!("portal bench: wrk is not installed (run .ci/ensure-wrk)");
        std::process::exit(1);
    }
    log_requests_to(&shared::request_log());
    let seconds = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let connections = std::env::var("BENCH_CONNECTIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(CONNECTIONS);
    let only = std::env::var("BENCH_BACKENDS").unwrap_or_default();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if only.is_empty() || only.split(',').any(|b| b.trim() == name(backend)) {
            actix_web::rt::System::new().block_on(run(backend, seconds, connections));
        }
    }
}

//! `make bench`: latency of API calls through the real HTTP server, on SQLite and PostgreSQL.
//! Prints the median and p99 of each case (release build; figures vary with the machine's load,
//! so compare ratios and medians, never assert on them in tests).

#[path = "../tests/api/common.rs"]
#[allow(dead_code)]
mod common;

mod shared;

use std::time::{Duration, Instant};

use common::{Backend, TestApp};
use shared::{
    log_requests_to, request_log, run_wrk, seed_catalogue, server_side_ms, time_gets, wrk_script,
    Sample, WrkRequest,
};

/// Seeds `per_copy` bookings on every copy: five-day uses every 30 days from 300 days ago, the
/// past ones closed (their occupations inactive), the future ones approved. Multi-row inserts in
/// chunks, per backend, in one transaction; returns (bookings, seeding time).
async fn seed_bookings(app: &TestApp, per_copy: i64) -> (usize, Duration) {
    use diesel::prelude::*;
    use itinerance::booking::store::{BookingInsert, OccupationInsert};
    use itinerance::db::DbConnection;
    use itinerance::schema::{bookings, copies, occupations, organizations};
    let started = Instant::now();
    let count = app
        .state
        .run(move |conn| {
            let now = chrono::Utc::now().naive_utc();
            let today = now.date();
            let copy_ids: Vec<i64> = copies::table
                .select(copies::id)
                .order(copies::id)
                .load(conn)?;
            let resource_of: Vec<i64> = copies::table
                .select(copies::resource_id)
                .order(copies::id)
                .load(conn)?;
            let venue_ids: Vec<i64> = organizations::table
                .filter(organizations::kind.eq("venue"))
                .select(organizations::id)
                .load(conn)?;
            let mut next_id: i64 = 1;
            let mut total = 0usize;
            itinerance::db::write_transaction(conn, |conn| {
                let mut batch_b: Vec<BookingInsert> = Vec::with_capacity(1000);
                let mut batch_o: Vec<OccupationInsert<'static>> = Vec::with_capacity(1000);
                let flush = |conn: &mut DbConnection,
                             b: &mut Vec<BookingInsert>,
                             o: &mut Vec<OccupationInsert<'static>>|
                 -> QueryResult<()> {
                    match conn {
                        DbConnection::Sqlite(c) => {
                            diesel::insert_into(bookings::table)
                                .values(&*b)
                                .execute(c)?;
                            diesel::insert_into(occupations::table)
                                .values(&*o)
                                .execute(c)?;
                        }
                        DbConnection::Postgres(c) => {
                            diesel::insert_into(bookings::table)
                                .values(&*b)
                                .execute(c)?;
                            diesel::insert_into(occupations::table)
                                .values(&*o)
                                .execute(c)?;
                        }
                    }
                    b.clear();
                    o.clear();
                    Ok(())
                };
                for (i, (&copy_id, &resource_id)) in copy_ids.iter().zip(&resource_of).enumerate() {
                    for k in 0..per_copy {
                        let starts_on =
                            today + chrono::Duration::days(-300 + k * 30 + (i % 7) as i64);
                        let ends_on = starts_on + chrono::Duration::days(4);
                        let (occupied_from, occupied_to) = (
                            starts_on - chrono::Duration::days(1),
                            ends_on + chrono::Duration::days(3),
                        );
                        let past = ends_on < today;
                        batch_b.push(BookingInsert {
                            resource_id,
                            copy_id,
                            venue_id: venue_ids[(i + k as usize) % venue_ids.len()],
                            starts_on,
                            ends_on,
                            occupied_from,
                            occupied_to,
                            outbound_days: 1,
                            return_days: 1,
                            distance_km: 42.0,
                            status: if past {
                                itinerance::booking::BookingStatus::Closed
                            } else {
                                itinerance::booking::BookingStatus::Approved
                            },
                            hold_expires_at: None,
                            requested_by: None,
                            waitlist_entry_id: None,
                            created_at: now,
                            updated_at: now,
                            delivery_on: occupied_from,
                            pickup_on: ends_on + chrono::Duration::days(1),
                        });
                        let mut occupation = OccupationInsert::booking(
                            copy_id,
                            (occupied_from, occupied_to),
                            next_id,
                            now,
                        );
                        occupation.active = !past;
                        batch_o.push(occupation);
                        next_id += 1;
                        total += 1;
                        if batch_b.len() == 900 {
                            flush(conn, &mut batch_b, &mut batch_o)?;
                        }
                    }
                }
                flush(conn, &mut batch_b, &mut batch_o)?;
                Ok::<_, diesel::result::Error>(())
            })?;
            Ok(total)
        })
        .await
        .expect("seed bookings");
    (count, started.elapsed())
}

/// `BENCH_ONLY=search` runs the search cases alone (seeding included): what a search change
/// is measured with on a shared machine, before and after, in the same conditions.
fn search_only() -> bool {
    std::env::var("BENCH_ONLY").is_ok_and(|v| v.trim() == "search")
}

async fn run(backend: Backend) {
    // The bench books hundreds of requests per venue: no per-venue limit here. The pool is the
    // production default unless BENCH_POOL_SIZE says otherwise (to compare pool sizes).
    let pool = std::env::var("BENCH_POOL_SIZE").unwrap_or_else(|_| {
        itinerance::config::Config::load()
            .map(|c| c.database_pool_size.to_string())
            .unwrap_or_else(|_| "8".into())
    });
    println!("{backend:?} pool: {pool} connections");
    let app = TestApp::start_with(
        backend,
        &[
            ("ITINERANCE_MAX_OPEN_REQUESTS_PER_VENUE", "1000000"),
            ("ITINERANCE_DATABASE_POOL_SIZE", pool.as_str()),
        ],
    )
    .await;
    let prefixes = [
        "amiens", "saint", "ville", "abbe", "lille", "b", "mont", "arras",
    ];
    time_gets(
        &app,
        "GET /communes?q=<prefix> (3,782 communes)",
        400,
        None,
        |i| {
            format!(
                "/api/v1/communes?q={}&limit=20",
                prefixes[i % prefixes.len()]
            )
        },
    )
    .await
    .report(backend);
    time_gets(&app, "GET /health", 400, None, |_| "/health".into())
        .await
        .report(backend);

    let seeding = seed_catalogue(&app, 10_000, 5).await;
    println!(
        "{:<9} seeded 10,000 resources and 50,000 copies in {:.1} s",
        format!("{backend:?}").to_lowercase(),
        seeding.as_secs_f64()
    );
    let agency = app.agency_admin().await;
    let token = Some(agency.token.as_str());
    let themes = [
        "astronomy",
        "nature_environment",
        "health_life",
        "technology_digital",
    ];
    let points = [
        "49.9,2.3",
        "50.63,3.06",
        "49.43,2.08",
        "50.29,2.78",
        "49.85,3.29",
    ];
    time_gets(
        &app,
        "search: theme+audience+q (page of 20)",
        300,
        token,
        |i| {
            format!(
                "/api/v1/resources?theme={}&audience=primary&q=energie&limit=20",
                themes[i % themes.len()]
            )
        },
    )
    .await
    .report(backend);
    time_gets(&app, "search: near 30 km + kind + theme", 300, token, |i| {
        format!(
            "/api/v1/resources?near={}&radius_km=30&kind=exhibition&theme={}&limit=20",
            points[i % points.len()],
            themes[i % themes.len()]
        )
    })
    .await
    .report(backend);
    time_gets(
        &app,
        "search: near 50 km, no other filter",
        300,
        token,
        |i| {
            format!(
                "/api/v1/resources?near={}&limit=20",
                points[i % points.len()]
            )
        },
    )
    .await
    .report(backend);
    time_gets(
        &app,
        "search: near_commune 50 km + age + q (a venue's page)",
        300,
        token,
        |i| {
            format!(
                "/api/v1/resources?near_commune={}&age=9&q=energie&limit=20",
                ["80021", "59350", "60057", "62041", "02691"][i % 5]
            )
        },
    )
    .await
    .report(backend);
    time_gets(
        &app,
        "search: plain listing page (cursor)",
        300,
        token,
        |i| format!("/api/v1/resources?limit=50&cursor=i{}", (i * 31) % 9_000),
    )
    .await
    .report(backend);

    // Bookings: 20 per copy = 1,000,000 on 50,000 copies.
    // As many venues as the load's connections: a venue's own requests queue on its row (the
    // lock behind the cap on open requests), which one venue's 3 concurrent requests would meet.
    let mut venues = Vec::new();
    for _ in 0..64 {
        venues.push(
            app.member_of_new_org(&agency, "venue", "admin", "02002")
                .await,
        );
    }
    let (count, seeding) = seed_bookings(&app, 20).await;
    println!(
        "{:<9} seeded {count} bookings (and their occupations) in {:.1} s",
        format!("{backend:?}").to_lowercase(),
        seeding.as_secs_f64()
    );
    // What autovacuum would do a minute later (it vacuums after large inserts, too): without
    // statistics the planner takes the freshly loaded million bookings for a small table and
    // scans it, and without the visibility map an index-only scan still visits every row. Then a
    // checkpoint, so that writing out the seed's dirty pages does not land inside the
    // measurements; SQLite folds its write-ahead log back likewise.
    app.state
        .run(|conn| {
            use diesel::connection::SimpleConnection;
            match conn {
                itinerance::db::DbConnection::Postgres(pg) => {
                    pg.batch_execute("VACUUM ANALYZE")?;
                    pg.batch_execute("CHECKPOINT")?;
                }
                itinerance::db::DbConnection::Sqlite(lite) => {
                    lite.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")?;
                }
            }
            Ok(())
        })
        .await
        .expect("analyze");
    let today = chrono::Utc::now().date_naive();
    time_gets(
        &app,
        "availability: one resource, one year",
        300,
        token,
        |i| {
            format!(
                "/api/v1/resources/{}/availability?from={}&to={}",
                1 + (i * 37) % 10_000,
                today,
                today + chrono::Duration::days(365)
            )
        },
    )
    .await
    .report(backend);
    time_gets(
        &app,
        "search: available_from/to + theme (p99 ≤ 20 ms)",
        200,
        token,
        |i| {
            let from = today + chrono::Duration::days(20 + (i % 30) as i64);
            format!(
                "/api/v1/resources?theme={}&available_from={from}&available_to={}&limit=20",
                themes[i % themes.len()],
                from + chrono::Duration::days(5)
            )
        },
    )
    .await
    .report(backend);

    if search_only() {
        load_with_wrk(&app, backend, &agency.token, &venues, &themes, &points).await;
        return;
    }
    // Booking creation: sequential latency, then throughput with 8 requests in flight.
    let mut durations = Vec::new();
    let mut conflicts = 0;
    let mut requested = Vec::new();
    for i in 0..300usize {
        let venue = &venues[i % venues.len()];
        let start = today + chrono::Duration::days(320 + (i % 200) as i64);
        let body = serde_json::json!({"resource_id": 1 + (i * 53) % 10_000, "venue_id": venue.org_id,
            "starts_on": start, "ends_on": start + chrono::Duration::days(3)});
        let started = Instant::now();
        let res = app.post("/api/v1/bookings", Some(&venue.token), body).await;
        durations.push(started.elapsed());
        match res.status {
            201 => requested.push(res.body["id"].as_i64().expect("id")),
            409 => conflicts += 1,
            other => panic!("booking creation: {other} {}", res.text),
        }
    }
    Sample {
        name: format!("POST /bookings sequential ({conflicts} conflicts)"),
        durations,
    }
    .report(backend);
    let started = Instant::now();
    let mut made = 0usize;
    for round in 0..50usize {
        let requests = (0..8usize).map(|j| {
            let i = round * 8 + j;
            let venue = &venues[i % venues.len()];
            let start = today + chrono::Duration::days(540 + (i % 150) as i64);
            let body = serde_json::json!({"resource_id": 1 + (i * 71) % 10_000, "venue_id": venue.org_id,
                "starts_on": start, "ends_on": start + chrono::Duration::days(3)});
            app.post("/api/v1/bookings", Some(&venue.token), body)
        });
        for res in futures_util::future::join_all(requests).await {
            assert!(res.status == 201 || res.status == 409, "{}", res.text);
            made += usize::from(res.status == 201);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{:<9} POST /bookings, 8 in flight: 400 requests ({made} created) in {elapsed:.2} s = {:.0} req/s",
        format!("{backend:?}").to_lowercase(),
        400.0 / elapsed
    );
    load_with_wrk(&app, backend, &agency.token, &venues, &themes, &points).await;
    let year_ago = today - chrono::Duration::days(365);
    for by in ["epci", "class"] {
        time_gets(
            &app,
            &format!("coverage of a year by {by} (1M bookings)"),
            60,
            token,
            |_| format!("/api/v1/territory/coverage?from={year_ago}&to={today}&by={by}"),
        )
        .await
        .report(backend);
    }
    time_gets(&app, "GET /map/coverage.geojson (a year)", 30, None, |_| {
        format!("/api/v1/map/coverage.geojson?from={year_ago}&to={today}")
    })
    .await
    .report(backend);
    time_gets(&app, "GET /map/coverage.svg (a year)", 30, None, |_| {
        format!("/api/v1/map/coverage.svg?from={year_ago}&to={today}")
    })
    .await
    .report(backend);
    time_gets(&app, "GET /observatory (page, 5 years)", 10, None, |_| {
        "/observatory".to_string()
    })
    .await
    .report(backend);
    bench_quotes(&app, backend, &agency.token, count, requested).await;
    bench_revenue(&app, backend, &agency.token).await;
}

/// `GET /bookings/{id}` and `GET /bookings/{id}/quote` on the same bookings, interleaved so that
/// the machine's load hits both alike: requested bookings (their quotes computed afresh: tariff,
/// policy, venue, legs with chaining, programmes), then seeded approved and closed ones, first
/// without a frozen quote (the worst case: loans approved before billing existed), then frozen
/// (what approval does). Prints the ratios of the medians.
async fn bench_quotes(
    app: &TestApp,
    backend: Backend,
    token: &str,
    bookings: usize,
    requested: Vec<i64>,
) {
    let policy = serde_json::json!({
        "class_rate_percent": {"village": 40, "small_town": 70, "medium_town": 100, "large_city": 100},
        "transport_recharge_percent": {"village": 0, "small_town": 50, "medium_town": 100, "large_city": 100}});
    let res = app
        .send("PUT", "/api/v1/pricing-policy", Some(token), Some(policy))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let today = chrono::Utc::now().date_naive();
    let programme = serde_json::json!({"name": "Villages", "funder": "Région", "rate_percent": 50,
        "budget_cents": 1_000_000_000i64, "valid_from": today - chrono::Duration::days(400),
        "valid_to": today + chrono::Duration::days(400), "commune_classes": ["village"]});
    let res = app
        .post("/api/v1/subsidy-programs", Some(token), programme)
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    app.state
        .run(|conn| {
            let now = chrono::Utc::now().naive_utc();
            let agency: i64 = {
                use diesel::prelude::*;
                use itinerance::schema::organizations;
                organizations::table
                    .filter(organizations::kind.eq("agency"))
                    .select(organizations::id)
                    .first(conn)?
            };
            itinerance::db::write_transaction(conn, |conn| {
                for id in 1..=10_000i64 {
                    let tariff = itinerance::billing::model::Tariff {
                        per_loan_cents: 10_000 + id,
                        per_week_cents: 5_000,
                        deposit_cents: 30_000,
                    };
                    itinerance::billing::store::put_tariff(conn, id, &tariff, agency, now)?;
                }
                Ok(())
            })
        })
        .await
        .expect("tariffs");
    let ids: Vec<i64> = (0..300)
        .map(|i| 1 + ((i * 3_331) % bookings) as i64)
        .collect();
    let rounds = |label: &'static str, ids: Vec<i64>| async move {
        let (mut b, mut q) = (Vec::new(), Vec::new());
        for (i, id) in ids.iter().enumerate() {
            let booking_path = format!("/api/v1/bookings/{id}");
            let quote_path = format!("/api/v1/bookings/{id}/quote");
            let started = Instant::now();
            let res = app.get(&booking_path, Some(token)).await;
            let booking_time = started.elapsed();
            assert_eq!(res.status, 200, "{}", res.text);
            let started = Instant::now();
            let res = app.get(&quote_path, Some(token)).await;
            let quote_time = started.elapsed();
            assert_eq!(res.status, 200, "{}", res.text);
            if i >= 10 {
                b.push(booking_time);
                q.push(quote_time);
            }
        }
        let b = Sample {
            name: format!("GET /bookings/{{id}} (beside {label} quotes)"),
            durations: b,
        };
        let q = Sample {
            name: format!("GET /bookings/{{id}}/quote ({label})"),
            durations: q,
        };
        b.report(backend);
        q.report(backend);
        println!(
            "{:<9} quote/booking median ratio ({label}): {:.2} (target ≤ 2)",
            format!("{backend:?}").to_lowercase(),
            q.percentile(0.5).as_secs_f64() / b.percentile(0.5).as_secs_f64()
        );
    };
    rounds("requested, computed", requested).await;
    rounds("approved/closed, not frozen", ids.clone()).await;
    let to_freeze = ids.clone();
    let config = app.state.config.clone();
    app.state
        .run(move |conn| {
            let billing = itinerance::billing::LoanBilling::from_config(&config);
            let now = chrono::Utc::now().naive_utc();
            for id in to_freeze {
                if let Some(row) = itinerance::booking::store::find_booking(conn, id)? {
                    itinerance::db::write_transaction(conn, |conn| {
                        itinerance::billing::quote::freeze(conn, &billing, &row, now)
                    })?;
                }
            }
            Ok(())
        })
        .await
        .expect("freeze");
    rounds("approved/closed, frozen", ids.clone()).await;
}

/// A producer with 10,000 invoices (of its closed loans, with their frozen quotes): the revenue
/// report's median and p99.
async fn bench_revenue(app: &TestApp, backend: Backend, token: &str) {
    use diesel::prelude::*;
    use itinerance::billing::ledger::{self, InvoiceInsert};
    use itinerance::billing::model::{InvoiceKind, Line, LineKind};
    use itinerance::billing::store::FrozenQuote;
    use itinerance::schema::{bookings, resources};
    let started = Instant::now();
    let producer_id = app
        .state
        .run(|conn| {
            let producer_id: i64 = resources::table
                .find(1i64)
                .select(resources::producer_id)
                .first(conn)?;
            let closed: Vec<(i64, i64, chrono::NaiveDate)> = bookings::table
                .inner_join(resources::table.on(resources::id.eq(bookings::resource_id)))
                .filter(resources::producer_id.eq(producer_id))
                .filter(bookings::status.eq("closed"))
                .select((bookings::id, bookings::venue_id, bookings::ends_on))
                .order(bookings::id.asc())
                .limit(10_000)
                .load(conn)?;
            assert_eq!(closed.len(), 10_000, "enough closed loans");
            let now = chrono::Utc::now().naive_utc();
            itinerance::db::write_transaction(conn, |conn| {
                for (n, (booking_id, venue_id, ends_on)) in closed.into_iter().enumerate() {
                    let issued_on = ends_on + chrono::Duration::days(3);
                    let lines = [
                        Line {
                            kind: LineKind::Rental,
                            label: "Location".into(),
                            amount_cents: 30_000,
                        },
                        Line {
                            kind: LineKind::ClassDiscount,
                            label: "Tarif".into(),
                            amount_cents: -18_000,
                        },
                        Line {
                            kind: LineKind::Transport,
                            label: "Transport".into(),
                            amount_cents: 4_000,
                        },
                        Line {
                            kind: LineKind::Subsidy,
                            label: "Subvention".into(),
                            amount_cents: -8_000,
                        },
                    ];
                    // The quote bench froze some of these loans already.
                    let frozen = itinerance::billing::store::frozen_quote(conn, booking_id)?;
                    if frozen.is_none() {
                        diesel::insert_into(itinerance::schema::booking_quotes::table)
                            .values(&FrozenQuote {
                                booking_id,
                                rental_cents: 30_000,
                                class_discount_cents: -18_000,
                                transport_cents: 4_000,
                                subsidy_cents: -8_000,
                                subsidy_program_id: None,
                                deposit_cents: 0,
                                venue_class: "village".into(),
                                class_rate_percent: 40,
                                recharge_percent: 50,
                                transport_cost_cents: 8_000,
                                frozen_at: now,
                            })
                            .execute(conn)?;
                    }
                    ledger::insert(
                        conn,
                        &InvoiceInsert {
                            number: format!("{}-{:06}", issued_on.format("%Y"), n + 1),
                            kind: InvoiceKind::Invoice,
                            seller_id: producer_id,
                            buyer_id: venue_id,
                            booking_id,
                            year: chrono::Datelike::year(&issued_on),
                            sequence: n as i32 + 1,
                            issued_on,
                            total_cents: 8_000,
                            currency: "EUR".into(),
                            correction: 0,
                            credits_invoice_id: None,
                            issued_by_organization: producer_id,
                            created_at: now,
                            parties: None,
                            buyer_service_code: None,
                            commitment_number: None,
                        },
                        &lines,
                    )?;
                }
                Ok::<_, itinerance::error::Error>(())
            })?;
            Ok(producer_id)
        })
        .await
        .expect("seed invoices");
    println!(
        "{:<9} seeded 10,000 invoices of one producer in {:.1} s",
        format!("{backend:?}").to_lowercase(),
        started.elapsed().as_secs_f64()
    );
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    time_gets(
        app,
        "GET /producers/{id}/revenue (10,000 invoices)",
        100,
        Some(token),
        |_| format!("/api/v1/producers/{producer_id}/revenue?year={year}"),
    )
    .await
    .report(backend);
}

fn main() {
    // `cargo test --benches` runs this binary with `--bench` absent: stay quick there.
    if !std::env::args().any(|a| a == "--bench") {
        println!("benchmarks run with `make bench`");
        return;
    }
    log_requests_to(&request_log());
    // BENCH_BACKENDS=postgres (or sqlite) runs one backend only.
    let only = std::env::var("BENCH_BACKENDS").unwrap_or_default();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let name = format!("{backend:?}").to_lowercase();
        if only.is_empty() || only.split(',').any(|b| b.trim() == name) {
            actix_web::rt::System::new().block_on(run(backend));
        }
    }
}

/// A load case: its name, its requests, and its target (least req/s, or most p99 ms).
type LoadCase<'a> = (&'a str, Vec<WrkRequest>, Option<f64>, Option<f64>);

/// Load with a real load generator (wrk, 64 connections, 10 s each) on the bench's data: reads
/// beside the same rows fetched by bare SQL, and booking creation (issue 13's targets).
async fn load_with_wrk(
    app: &TestApp,
    backend: Backend,
    token: &str,
    venues: &[common::Actor],
    themes: &[&str],
    points: &[&str],
) {
    let b = format!("{backend:?}").to_lowercase();
    if std::process::Command::new("wrk")
        .arg("-v")
        .output()
        .is_err()
    {
        println!("{b:<9} load: wrk is not installed (run .ci/ensure-wrk); skipped");
        return;
    }
    let today = chrono::Utc::now().date_naive();
    let year = today + chrono::Duration::days(365);
    let get = |path: String| ("GET".to_string(), path, None);
    let cases: Vec<LoadCase> = vec![
        (
            "availability, one resource, one year (target ≥ 3,000 req/s)",
            (0..2_000)
                .map(|i| {
                    get(format!(
                        "/api/v1/resources/{}/availability?from={today}&to={year}",
                        1 + (i * 37) % 10_000
                    ))
                })
                .collect(),
            Some(3_000.0),
            None,
        ),
        (
            "search available_from/to + theme",
            (0..2_000)
                .map(|i| {
                    let from = today + chrono::Duration::days(20 + (i % 30) as i64);
                    get(format!(
                        "/api/v1/resources?theme={}&available_from={from}&available_to={}&limit=20",
                        themes[i % themes.len()],
                        from + chrono::Duration::days(5)
                    ))
                })
                .collect(),
            None,
            None,
        ),
        (
            "search near 50 km, no other filter",
            (0..2_000)
                .map(|i| {
                    get(format!(
                        "/api/v1/resources?near={}&limit=20",
                        points[i % points.len()]
                    ))
                })
                .collect(),
            None,
            None,
        ),
    ];
    for (name, requests, min_rps, max_p99) in cases {
        if search_only() && !name.starts_with("search") {
            continue;
        }
        let Some(run) = run_wrk(&app.base, &wrk_script(token, &requests), 64, 10) else {
            println!("{b:<9} load: {name}: wrk gave no figures");
            continue;
        };
        let verdict = match (min_rps, max_p99) {
            (Some(min), _) => format!(
                " ({})",
                if run.requests_per_s >= min {
                    "met"
                } else {
                    "MISSED"
                }
            ),
            (_, Some(max)) => format!(" ({})", if run.p99_ms <= max { "met" } else { "MISSED" }),
            _ => String::new(),
        };
        println!(
            "{b:<9} load: {name}: {:.0} req/s, median {:.1} ms, p99 {:.1} ms{verdict}; {}",
            run.requests_per_s, run.p50_ms, run.p99_ms, run.extra
        );
    }
    if search_only() {
        return;
    }
    // Booking creation by 64 connections: the agency books for the bench's venues, on dates
    // the seed left free at the end of the horizon.
    let bookings: Vec<WrkRequest> = (0..20_000usize)
        .map(|i| {
            let start = today + chrono::Duration::days(600 + ((i / 10_000) * 8) as i64);
            let body = serde_json::json!({"resource_id": 1 + i % 10_000,
                "venue_id": venues[i % venues.len()].org_id,
                "starts_on": start, "ends_on": start + chrono::Duration::days(1)});
            (
                "POST".to_string(),
                "/api/v1/bookings".to_string(),
                Some(body.to_string()),
            )
        })
        .collect();
    if let Some(run) = run_wrk(&app.base, &wrk_script(token, &bookings), 64, 10) {
        let accepted: f64 = run
            .extra
            .split_whitespace()
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0.0)
            / 10.0;
        println!(
            "{b:<9} load: POST /bookings, 64 connections: {:.0} req/s, {accepted:.0} accepted/s \
             (target ≥ 500: {}), median {:.1} ms, p99 {:.1} ms (target ≤ 300 ms: {}); {}",
            run.requests_per_s,
            if accepted >= 500.0 { "met" } else { "MISSED" },
            run.p50_ms,
            run.p99_ms,
            if run.p99_ms <= 300.0 { "met" } else { "MISSED" },
            run.extra
        );
        let answered = (run.requests_per_s * 10.0) as usize;
        if let Some((median, p99)) = server_side_ms("POST", "/api/v1/bookings", answered) {
            println!(
                "{b:<9} load: POST /bookings, 64 connections, inside the server (the handlers' own \
                 time, from the request log): median {median:.1} ms, p99 {p99:.1} ms"
            );
        }
    }
    // The service's overhead on a read: the same rows by bare SQL, sequentially, medians.
    let mut bare = Vec::new();
    for i in 0..300i64 {
        let resource = 1 + (i * 37) % 10_000;
        let started = Instant::now();
        app.state
            .run(move |conn| {
                use diesel::prelude::*;
                use itinerance::schema::{copies, occupations};
                let rows: Vec<(i64, chrono::NaiveDate, chrono::NaiveDate)> = occupations::table
                    .inner_join(copies::table)
                    .filter(copies::resource_id.eq(resource))
                    .filter(occupations::active.eq(true))
                    .filter(occupations::starts_on.le(year))
                    .filter(occupations::ends_on.ge(today))
                    .select((
                        occupations::copy_id,
                        occupations::starts_on,
                        occupations::ends_on,
                    ))
                    .load(conn)?;
                Ok(rows.len())
            })
            .await
            .expect("bare availability");
        bare.push(started.elapsed());
    }
    let http = time_gets(
        app,
        "availability (again, for the ratio)",
        300,
        Some(token),
        |i| {
            format!(
                "/api/v1/resources/{}/availability?from={today}&to={year}",
                1 + (i * 37) % 10_000
            )
        },
    )
    .await;
    let bare = Sample {
        name: "availability rows by bare SQL".into(),
        durations: bare,
    };
    bare.report(backend);
    http.report(backend);
    println!(
        "{b:<9} load: availability through the API ÷ the same rows by bare SQL (medians): {:.2}",
        http.percentile(0.5).as_secs_f64() / bare.percentile(0.5).as_secs_f64()
    );
}

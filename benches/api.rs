//! `make bench`: latency of API calls through the real HTTP server, on SQLite and PostgreSQL.
//! Prints the median and p99 of each case (release build; figures vary with the machine's load,
//! so compare ratios and medians, never assert on them in tests).

#[path = "../tests/api/common.rs"]
#[allow(dead_code)]
mod common;

use itinerance::rng::SplitMix64;
use std::time::{Duration, Instant};

use common::{Backend, TestApp};

/// Latencies of one case.
struct Sample {
    name: String,
    durations: Vec<Duration>,
}

impl Sample {
    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.durations.clone();
        sorted.sort();
        let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[index.min(sorted.len() - 1)]
    }

    fn report(&self, backend: Backend) {
        println!(
            "{:<9} {:<44} n={:<5} median={:>8.2} ms  p99={:>8.2} ms",
            format!("{backend:?}").to_lowercase(),
            self.name,
            self.durations.len(),
            self.percentile(0.5).as_secs_f64() * 1000.0,
            self.percentile(0.99).as_secs_f64() * 1000.0,
        );
    }
}

/// Times `n` sequential GETs of the paths produced by `path(i)`, after a short warm-up.
async fn time_gets(
    app: &TestApp,
    name: &str,
    n: usize,
    token: Option<&str>,
    path: impl Fn(usize) -> String,
) -> Sample {
    for i in 0..10 {
        let res = app.get(&path(i), token).await;
        assert_eq!(res.status, 200, "{name}: {}", res.text);
    }
    let mut durations = Vec::with_capacity(n);
    for i in 0..n {
        let started = Instant::now();
        let res = app.get(&path(i), token).await;
        durations.push(started.elapsed());
        assert_eq!(res.status, 200, "{name}: {}", res.text);
    }
    Sample {
        name: name.to_string(),
        durations,
    }
}

/// Seeds `resources` resources with `copies_each` copies on random real communes, spread over
/// 20 producers, in one transaction; returns the seeding time.
async fn seed_catalogue(app: &TestApp, resources: usize, copies_each: usize) -> Duration {
    use itinerance::catalogue::store::{self, CopyInsert, ResourceInsert};
    let started = Instant::now();
    app.state
        .run(move |conn| {
            let communes = itinerance::territory::store::all(conn)?;
            let now = chrono::Utc::now().naive_utc();
            let kinds = ["exhibition", "trunk", "kit", "model"];
            let themes = [
                "nature_environment",
                "technology_digital",
                "health_life",
                "science_society",
                "industrial_heritage",
                "astronomy",
                "history_of_science",
                "maths_physics_chemistry",
                "other",
            ];
            let audiences = [
                "early_childhood",
                "primary",
                "secondary",
                "adult",
                "family",
                "all",
            ];
            let words = [
                "énergie",
                "eau",
                "climat",
                "robot",
                "étoiles",
                "corps",
                "mine",
                "charbon",
                "abeilles",
                "forêt",
                "lumière",
                "son",
                "planètes",
                "numérique",
                "jardin",
                "mer",
                "volcan",
                "atome",
                "cerveau",
                "pomme",
            ];
            let mut rng = SplitMix64::new(2019);
            itinerance::db::write_transaction(conn, |conn| {
                let mut producers = Vec::new();
                for i in 0..20 {
                    let home = &communes[rng.below(communes.len())];
                    let org = itinerance::organization::store::insert_organization(
                        conn,
                        &itinerance::organization::store::OrganizationInsert {
                            name: &format!("Producteur {i}"),
                            kind: "producer",
                            venue_type: None,
                            commune_insee: &home.insee_code,
                            address: None,
                            latitude: home.latitude,
                            longitude: home.longitude,
                            created_at: now,
                            updated_at: now,
                        },
                    )?;
                    producers.push(org.id);
                }
                let mut tag = 0u64;
                for i in 0..resources {
                    let producer_id = producers[rng.below(producers.len())];
                    let title = format!(
                        "{} et {} n°{i}",
                        words[rng.below(words.len())],
                        words[rng.below(words.len())]
                    );
                    let description = format!(
                        "Une ressource sur {} pour les {}.",
                        words[rng.below(words.len())],
                        audiences[rng.below(audiences.len())]
                    );
                    let theme = themes[rng.below(themes.len())];
                    let audience = audiences[rng.below(audiences.len())];
                    let row = store::insert_resource(
                        conn,
                        &ResourceInsert {
                            producer_id,
                            kind: kinds[rng.below(kinds.len())],
                            title: &title,
                            description: &description,
                            search_text: &itinerance::text::fold(&format!("{title} {description}")),
                            floor_area_m2: None,
                            weight_kg: Some(20.0),
                            volume_m3: None,
                            crates: Some(1),
                            setup_days: 0,
                            turnaround_days: 1,
                            production_cost_cents: None,
                            created_at: now,
                            updated_at: now,
                        },
                        &[theme],
                        &[audience],
                    )?;
                    for _ in 0..copies_each {
                        tag += 1;
                        let home = &communes[rng.below(communes.len())];
                        store::insert_copy(
                            conn,
                            &CopyInsert {
                                resource_id: row.id,
                                producer_id,
                                asset_tag: &format!("T{tag}"),
                                home_commune_insee: &home.insee_code,
                                status: if rng.below(20) == 0 {
                                    "retired"
                                } else {
                                    "available"
                                },
                                condition_grade: 5,
                                latitude: home.latitude,
                                longitude: home.longitude,
                                created_at: now,
                                updated_at: now,
                            },
                        )?;
                    }
                }
                Ok::<_, itinerance::error::Error>(())
            })
        })
        .await
        .expect("seed");
    started.elapsed()
}

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

async fn run(backend: Backend) {
    let app = TestApp::start(backend).await;
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
        "search: plain listing page (cursor)",
        300,
        token,
        |i| format!("/api/v1/resources?limit=50&cursor=i{}", (i * 31) % 9_000),
    )
    .await
    .report(backend);

    // Bookings: 20 per copy = 1,000,000 on 50,000 copies.
    let mut venues = Vec::new();
    for _ in 0..20 {
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
    time_gets(&app, "search: available_from/to + theme", 200, token, |i| {
        let from = today + chrono::Duration::days(20 + (i % 30) as i64);
        format!(
            "/api/v1/resources?theme={}&available_from={from}&available_to={}&limit=20",
            themes[i % themes.len()],
            from + chrono::Duration::days(5)
        )
    })
    .await
    .report(backend);

    // Booking creation: sequential latency, then throughput with 8 requests in flight.
    let mut durations = Vec::new();
    let mut conflicts = 0;
    for i in 0..300usize {
        let venue = &venues[i % venues.len()];
        let start = today + chrono::Duration::days(320 + (i % 200) as i64);
        let body = serde_json::json!({"resource_id": 1 + (i * 53) % 10_000, "venue_id": venue.org_id,
            "starts_on": start, "ends_on": start + chrono::Duration::days(3)});
        let started = Instant::now();
        let res = app.post("/api/v1/bookings", Some(&venue.token), body).await;
        durations.push(started.elapsed());
        match res.status {
            201 => {}
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
}

fn main() {
    // `cargo test --benches` runs this binary with `--bench` absent: stay quick there.
    if !std::env::args().any(|a| a == "--bench") {
        println!("benchmarks run with `make bench`");
        return;
    }
    for backend in [Backend::Sqlite, Backend::Postgres] {
        actix_web::rt::System::new().block_on(run(backend));
    }
}

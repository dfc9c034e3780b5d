//! `make bench`: latency of API calls through the real HTTP server, on SQLite and PostgreSQL.
//! Prints the median and p99 of each case (release build; figures vary with the machine's load,
//! so compare ratios and medians, never assert on them in tests).

#[path = "../tests/api/common.rs"]
#[allow(dead_code)]
mod common;

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

/// Tiny deterministic generator for the seeded volume.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
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
            let mut rng = SplitMix(2019);
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

//! `make bench`: the notification outbox against the booking race, on SQLite and PostgreSQL.
//! 64 concurrent clients create 1,000 bookings on one instance, alternately with no
//! notification worker anywhere and against a second instance (same database) that runs the
//! worker towards a local SMTP sink. Prints the booking throughput of each phase, the medians
//! with and without the worker and their ratio (target ≥ 0.90), and how long after the start of
//! each phase with the worker its 1,000 mails had all arrived (target ≤ 60 s). Figures vary with
//! the machine's load: compare ratios, never assert on them in tests.

#[path = "../tests/api/common.rs"]
#[allow(dead_code)]
mod common;
#[path = "../tests/api/smtp.rs"]
#[allow(dead_code)]
mod smtp;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Duration as Days, Utc};
use serde_json::json;

use common::{Actor, Backend, TestApp};
use smtp::SmtpSink;

/// Concurrent clients, each a venue of its own.
const CLIENTS: usize = 64;
/// Bookings created per phase.
const BOOKINGS: usize = 1_000;
/// Resources of the one producer, and copies of each.
const RESOURCES: usize = 50;
const COPIES_EACH: usize = 20;
/// Rounds of (without the worker, with the worker).
const ROUNDS: usize = 3;
/// Days between two bookings of the same copy: one to three days of use plus travel and
/// turnaround on either side never reach the next one.
const SPACING_DAYS: i64 = 12;
/// First day of use of the earliest booking, from today.
const FIRST_DAY: i64 = 7;
/// The requirement: every mail of a phase within this time of its start.
const MAIL_TARGET: Duration = Duration::from_secs(60);
/// How long to wait for the mails before reporting them missing.
const MAIL_GIVE_UP: Duration = Duration::from_secs(120);
/// How often the sink is counted (it clones what it holds, so not too often).
const MAIL_POLL: Duration = Duration::from_millis(100);
/// Home commune of the producer, its copies and every venue (Amiens).
const COMMUNE: &str = "80021";

fn name(backend: Backend) -> String {
    format!("{backend:?}").to_lowercase()
}

/// What the phases book: the venues (one per client) and every (resource, copy).
struct Fixture {
    venues: Vec<Actor>,
    copies: Vec<(i64, i64)>,
}

/// The agency, one producer with exactly one user (its admin: one mail per request), the
/// venues and the catalogue, all through the API. Returns the fixture and the failed POSTs.
async fn seed(app: &TestApp) -> (Fixture, Vec<String>) {
    let mut failures = Vec::new();
    let agency = app.agency_admin().await;
    let producer = app
        .member_of_new_org(&agency, "producer", "admin", COMMUNE)
        .await;
    let mut venues = Vec::with_capacity(CLIENTS);
    for _ in 0..CLIENTS {
        venues.push(
            app.member_of_new_org(&agency, "venue", "admin", COMMUNE)
                .await,
        );
    }
    let mut copies = Vec::with_capacity(RESOURCES * COPIES_EACH);
    for r in 0..RESOURCES {
        let res = app
            .post(
                "/api/v1/resources",
                Some(&producer.token),
                json!({"kind": "trunk", "title": format!("Malle {r}"),
                    "description": "Une ressource itinérante", "themes": ["other"],
                    "audiences": ["all"]}),
            )
            .await;
        if res.status != 201 {
            failures.push(format!("POST /resources: {} {}", res.status, res.text));
            continue;
        }
        let resource_id = res.body["id"].as_i64().expect("resource id");
        for c in 0..COPIES_EACH {
            let res = app
                .post(
                    &format!("/api/v1/resources/{resource_id}/copies"),
                    Some(&producer.token),
                    json!({"asset_tag": format!("N-{r}-{c}")}),
                )
                .await;
            if res.status != 201 {
                failures.push(format!("POST /copies: {} {}", res.status, res.text));
                continue;
            }
            copies.push((resource_id, res.body["id"].as_i64().expect("copy id")));
        }
    }
    (Fixture { venues, copies }, failures)
}

/// Marks every outbox event processed, so that a worker started next sees only what follows.
async fn mark_events_processed(app: &TestApp) -> usize {
    app.state
        .run(|conn| {
            use diesel::prelude::*;
            use itinerance::schema::domain_events::dsl::*;
            let now = Utc::now().naive_utc();
            Ok(diesel::update(domain_events.filter(processed_at.is_null()))
                .set(processed_at.eq(Some(now)))
                .execute(conn)?)
        })
        .await
        .expect("mark the outbox processed")
}

/// Opens as many connections to `app` as there are clients (concurrent `GET /health`), so
/// that neither kind of phase pays for them inside its measured time.
async fn warm_up(app: &TestApp) {
    let gets = (0..CLIENTS).map(|_| app.get("/health", None));
    for res in futures_util::future::join_all(gets).await {
        assert_eq!(res.status, 200, "warm-up: {}", res.text);
    }
}

/// The booking race of phase `phase` against `app`: `CLIENTS` clients take the next booking
/// from a shared counter until `BOOKINGS` are asked. Booking `j` names copy `j % copies` for one
/// to three days, `SPACING_DAYS` after the copy's previous booking; each phase has its own
/// dates. Returns the wall time and the failed requests.
async fn race(
    app: &TestApp,
    fixture: &Fixture,
    phase: usize,
    started: Instant,
) -> (Duration, Vec<String>) {
    let today = Utc::now().date_naive();
    let copies = fixture.copies.len();
    let slots = BOOKINGS.div_ceil(copies);
    let next = AtomicUsize::new(0);
    let clients = fixture.venues.iter().map(|venue| {
        let next = &next;
        async move {
            let mut failed = Vec::new();
            loop {
                let j = next.fetch_add(1, Ordering::Relaxed);
                if j >= BOOKINGS {
                    return failed;
                }
                let (resource_id, copy_id) = fixture.copies[j % copies];
                let slot = (phase * slots + j / copies) as i64;
                let starts_on = today + Days::days(FIRST_DAY + slot * SPACING_DAYS);
                let ends_on = starts_on + Days::days((j % 3) as i64);
                let body = json!({"resource_id": resource_id, "venue_id": venue.org_id,
                    "copy_id": copy_id, "starts_on": starts_on, "ends_on": ends_on});
                let res = app.post("/api/v1/bookings", Some(&venue.token), body).await;
                if res.status != 201 {
                    failed.push(format!("POST /bookings: {} {}", res.status, res.text));
                }
            }
        }
    });
    let failed: Vec<String> = futures_util::future::join_all(clients)
        .await
        .into_iter()
        .flatten()
        .collect();
    (started.elapsed(), failed)
}

/// How long the writers' phase lasts.
const WRITERS_FOR: Duration = Duration::from_secs(15);
/// The target of that phase (issue 13): p99 of `POST /bookings` at 64 writers.
const WRITERS_P99_TARGET_MS: f64 = 300.0;

/// 64 clients create bookings for `WRITERS_FOR` through `app`, each waiting for its answer
/// before the next request (closed loop): the latency every writer sees when all write at once.
/// Dates cycle over a block of slots after the rounds' ones, so late requests may meet a taken
/// copy (409): those go through the same write transaction and count in the latencies. Returns
/// (latencies, created, conflicts, other failures).
async fn writers(app: &TestApp, fixture: &Fixture) -> (Vec<Duration>, usize, usize, Vec<String>) {
    let today = Utc::now().date_naive();
    let copies = fixture.copies.len();
    let first_slot = (ROUNDS * 2 * BOOKINGS.div_ceil(copies)) as i64;
    let slots = ((700 - FIRST_DAY) / SPACING_DAYS - first_slot).max(1) as usize;
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let clients = fixture.venues.iter().map(|venue| {
        let next = &next;
        async move {
            let (mut times, mut created, mut conflicts, mut failed) =
                (Vec::new(), 0, 0, Vec::new());
            while started.elapsed() < WRITERS_FOR {
                let j = next.fetch_add(1, Ordering::Relaxed);
                let (resource_id, copy_id) = fixture.copies[j % copies];
                let slot = first_slot + ((j / copies) % slots) as i64;
                let starts_on = today + Days::days(FIRST_DAY + slot * SPACING_DAYS);
                let body = json!({"resource_id": resource_id, "venue_id": venue.org_id,
                    "copy_id": copy_id, "starts_on": starts_on, "ends_on": starts_on});
                let sent = Instant::now();
                let res = app.post("/api/v1/bookings", Some(&venue.token), body).await;
                times.push(sent.elapsed());
                match res.status {
                    201 => created += 1,
                    409 => conflicts += 1,
                    _ => failed.push(format!("POST /bookings: {} {}", res.status, res.text)),
                }
            }
            (times, created, conflicts, failed)
        }
    });
    let mut all = (Vec::new(), 0, 0, Vec::new());
    for (times, created, conflicts, failed) in futures_util::future::join_all(clients).await {
        all.0.extend(times);
        all.1 += created;
        all.2 += conflicts;
        all.3.extend(failed);
    }
    all
}

/// Counts the sink's mails on a thread of its own until `expected` (which may be lowered
/// meanwhile) have arrived or `MAIL_GIVE_UP` has passed; returns when they had all arrived
/// (from `started`), how many did and how many were expected.
fn watch_mail(
    sink: Arc<SmtpSink>,
    expected: Arc<AtomicUsize>,
    started: Instant,
) -> std::thread::JoinHandle<(Option<Duration>, usize, usize)> {
    std::thread::spawn(move || loop {
        let got = sink.received().len();
        let want = expected.load(Ordering::SeqCst);
        if got >= want {
            return (Some(started.elapsed()), got, want);
        }
        if started.elapsed() > MAIL_GIVE_UP {
            return (None, got, want);
        }
        std::thread::sleep(MAIL_POLL);
    })
}

fn print_failures(backend: Backend, what: &str, failures: &[String]) {
    for f in failures.iter().take(5) {
        println!("{:<9} notify: {what} FAILED: {f}", name(backend));
    }
    if failures.len() > 5 {
        println!(
            "{:<9} notify: {what}: {} more failures",
            name(backend),
            failures.len() - 5
        );
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

async fn run(backend: Backend) {
    let b = name(backend);
    let common_env = [
        ("ITINERANCE_MAX_OPEN_REQUESTS_PER_VENUE", "1000000"),
        ("ITINERANCE_DATABASE_POOL_SIZE", "16"),
    ];
    let mut env_a = vec![("ITINERANCE_NOTIFY_WORKER", "false")];
    env_a.extend(common_env);
    let app = TestApp::start_with(backend, &env_a).await;

    let started = Instant::now();
    let (fixture, failures) = seed(&app).await;
    print_failures(backend, "seeding", &failures);
    println!(
        "{b:<9} notify: seeded 1 producer (1 user), {CLIENTS} venues, {} resources and {} copies \
         in {:.1} s ({} failed POSTs)",
        RESOURCES,
        fixture.copies.len(),
        started.elapsed().as_secs_f64(),
        failures.len()
    );
    println!(
        "{b:<9} notify: each phase = {CLIENTS} concurrent clients create {BOOKINGS} bookings \
         (explicit copy, 1-3 days) through a freshly started instance; `without` = no worker \
         anywhere, `with` = that instance runs the worker (poll 50 ms, default pace) towards a \
         local SMTP sink, 1 mail per booking; 64 connections opened before each phase"
    );

    let (mut without, mut with) = (Vec::new(), Vec::new());
    let mut mail_times = Vec::new();
    for round in 0..ROUNDS {
        for worker in [false, true] {
            let phase = round * 2 + usize::from(worker);
            mark_events_processed(&app).await;
            if !worker {
                // A fresh instance for each phase, with and without the worker alike, so that
                // neither runs on connections (and statement caches) the other warmed.
                let plain = app.instance_with(&env_a);
                warm_up(&plain).await;
                let started = Instant::now();
                let (elapsed, failed) = race(&plain, &fixture, phase, started).await;
                drop(plain);
                let rate = BOOKINGS as f64 / elapsed.as_secs_f64();
                print_failures(backend, "without worker", &failed);
                println!(
                    "{b:<9} notify: round {} without worker: {BOOKINGS} bookings ({} failed) in \
                     {:.2} s = {rate:.0} bookings/s",
                    round + 1,
                    failed.len(),
                    elapsed.as_secs_f64()
                );
                without.push(rate);
                continue;
            }
            // A worker instance per phase: one left running during the phases without it
            // would fan out and send their events too.
            let sink = Arc::new(SmtpSink::start());
            let url = sink.url();
            let mut env_b = vec![
                ("ITINERANCE_NOTIFY_WORKER", "true"),
                ("ITINERANCE_SMTP_URL", url.as_str()),
                ("ITINERANCE_NOTIFY_POLL_MS", "50"),
            ];
            env_b.extend(common_env);
            let worker_app = app.instance_with(&env_b);
            warm_up(&worker_app).await;
            let started = Instant::now();
            let expected = Arc::new(AtomicUsize::new(BOOKINGS));
            let watcher = watch_mail(sink.clone(), expected.clone(), started);
            let (elapsed, failed) = race(&worker_app, &fixture, phase, started).await;
            let rate = BOOKINGS as f64 / elapsed.as_secs_f64();
            print_failures(backend, "with worker", &failed);
            // Only the requests that succeeded announce anything.
            expected.store(BOOKINGS - failed.len(), Ordering::SeqCst);
            let (mail_time, got, expected) = watcher.join().expect("mail watcher");
            let mails = match mail_time {
                Some(t) => format!(
                    "{got} mails after {:.1} s (target ≤ {} s: {})",
                    t.as_secs_f64(),
                    MAIL_TARGET.as_secs(),
                    if t <= MAIL_TARGET { "met" } else { "MISSED" }
                ),
                None => format!(
                    "only {got} of {expected} mails after {} s (target ≤ {} s: MISSED)",
                    MAIL_GIVE_UP.as_secs(),
                    MAIL_TARGET.as_secs()
                ),
            };
            println!(
                "{b:<9} notify: round {} with worker:    {BOOKINGS} bookings ({} failed) in \
                 {:.2} s = {rate:.0} bookings/s; {mails}",
                round + 1,
                failed.len(),
                elapsed.as_secs_f64()
            );
            with.push(rate);
            mail_times.push(mail_time);
            // Its worker stops with it; it never owns the database.
            drop(worker_app);
        }
    }

    let (m_without, m_with) = (median(&without), median(&with));
    let ratio = m_with / m_without;
    println!(
        "{b:<9} notify: median throughput without worker {m_without:.0} bookings/s, with worker \
         {m_with:.0} bookings/s: ratio {ratio:.2} (target ≥ 0.90: {})",
        if ratio >= 0.90 { "met" } else { "MISSED" }
    );
    let times: Vec<String> = mail_times
        .iter()
        .map(|t| match t {
            Some(t) => format!("{:.1} s", t.as_secs_f64()),
            None => format!("> {} s", MAIL_GIVE_UP.as_secs()),
        })
        .collect();
    let all_met = mail_times
        .iter()
        .all(|t| t.is_some_and(|t| t <= MAIL_TARGET));
    println!(
        "{b:<9} notify: {BOOKINGS} mails of each phase with worker arrived after {} (target ≤ {} \
         s: {})",
        times.join(", "),
        MAIL_TARGET.as_secs(),
        if all_met { "met" } else { "MISSED" }
    );
    // Writers: the tail latency of 64 clients writing at once, on a fresh instance.
    mark_events_processed(&app).await;
    let plain = app.instance_with(&env_a);
    warm_up(&plain).await;
    let (mut times, created, conflicts, failed) = writers(&plain, &fixture).await;
    drop(plain);
    print_failures(backend, "writers", &failed);
    times.sort();
    let at =
        |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0;
    let (p50, p99, max) = (at(0.5), at(0.99), at(1.0));
    println!(
        "{b:<9} writers: {CLIENTS} clients for {} s: {} requests ({created} created, {conflicts} \
         taken copies, {} failed) = {:.0} req/s; latency median {p50:.1} ms, p99 {p99:.1} ms \
         (target ≤ {WRITERS_P99_TARGET_MS:.0} ms: {}), max {max:.1} ms",
        WRITERS_FOR.as_secs(),
        times.len(),
        failed.len(),
        times.len() as f64 / WRITERS_FOR.as_secs_f64(),
        if p99 <= WRITERS_P99_TARGET_MS {
            "met"
        } else {
            "MISSED"
        }
    );
    // `app` owns the database; every worker instance is already gone.
    drop(app);
}

fn main() {
    // `cargo test --benches` runs this binary with `--bench` absent: stay quick there.
    if !std::env::args().any(|a| a == "--bench") {
        println!("benchmarks run with `make bench`");
        return;
    }
    // BENCH_BACKENDS=postgres (or sqlite) runs one backend only.
    let only = std::env::var("BENCH_BACKENDS").unwrap_or_default();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if only.is_empty() || only.split(',').any(|b| b.trim() == name(backend)) {
            actix_web::rt::System::new().block_on(run(backend));
        }
    }
}

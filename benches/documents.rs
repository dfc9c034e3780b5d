//! `make bench`: the printed documents (issue 26) through the real HTTP server, on SQLite and
//! PostgreSQL, release build. Targets: a Factur-X PDF's p99 ≤ 100 ms; a ZIP of 500 invoices
//! ≤ 10 s. Beside each PDF figure, the JSON of the same invoice in the same run (the reference
//! the PDF adds to), and the same PDFs with 8 clients at once (two cores: they queue).
//!
//! The 500 invoices are made the way producers make them: 500 returned loans of one network,
//! each invoiced by its producer through the API.

#[path = "../tests/api/common.rs"]
#[allow(dead_code)]
mod common;

#[path = "../tests/api/builders.rs"]
#[allow(dead_code)]
mod builders;

#[path = "../tests/api/einvoice.rs"]
#[allow(dead_code)]
mod einvoice;

use std::time::{Duration, Instant};

use builders::{day, Network, AMIENS, VILLAGE};
use common::{Backend, TestApp};

const INVOICES: usize = 500;
const PDF_P99_TARGET_MS: f64 = 100.0;
const ZIP_TARGET_S: f64 = 10.0;

fn percentile(durations: &[Duration], q: f64) -> f64 {
    let mut sorted = durations.to_vec();
    sorted.sort();
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "FAIL"
    }
}

/// `n` sequential GETs of `path(i)`, each answered 200.
async fn time_gets(
    app: &TestApp,
    token: &str,
    n: usize,
    path: impl Fn(usize) -> String,
) -> Vec<Duration> {
    let mut durations = Vec::with_capacity(n);
    for i in 0..n {
        let started = Instant::now();
        let res = app.get(&path(i), Some(token)).await;
        durations.push(started.elapsed());
        assert_eq!(res.status, 200, "{}: {}", path(i), res.text);
    }
    durations
}

async fn run(backend: Backend) {
    let name = format!("{backend:?}").to_lowercase();
    let app = TestApp::start(backend).await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    einvoice::set_identity(&app, &net.producer, einvoice::seller_identity()).await;
    einvoice::set_identity(&app, &net.venue, einvoice::buyer_identity()).await;

    let seeding = Instant::now();
    let mut invoices = Vec::with_capacity(INVOICES);
    let mut bookings = Vec::with_capacity(INVOICES);
    for _ in 0..INVOICES {
        let booking = einvoice::returned_loan(&app, &net).await;
        invoices.push(einvoice::invoice(&app, &net, booking).await.0);
        bookings.push(booking);
    }
    println!(
        "{name:<9} seeded {INVOICES} returned and invoiced loans in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let token = net.producer.token.clone();
    let n = 200;

    // Warm-up, then the JSON reference and the PDF, sequentially.
    time_gets(&app, &token, 10, |i| {
        format!("/api/v1/invoices/{}/facturx.pdf", invoices[i])
    })
    .await;
    let json_times = time_gets(&app, &token, n, |i| {
        format!("/api/v1/invoices/{}", invoices[i % INVOICES])
    })
    .await;
    let pdf_times = time_gets(&app, &token, n, |i| {
        format!("/api/v1/invoices/{}/facturx.pdf", invoices[i % INVOICES])
    })
    .await;
    let agreement_times = time_gets(&app, &token, n, |i| {
        format!("/api/v1/bookings/{}/agreement.pdf", bookings[i % INVOICES])
    })
    .await;
    let json_p50 = percentile(&json_times, 0.5);
    for (what, times) in [
        ("invoice JSON (reference)", &json_times),
        ("Factur-X PDF", &pdf_times),
        ("loan agreement PDF", &agreement_times),
    ] {
        let (p50, p99) = (percentile(times, 0.5), percentile(times, 0.99));
        let target = if what.ends_with("PDF") {
            format!(
                "  target p99 ≤ {PDF_P99_TARGET_MS} ms: {}",
                verdict(p99 <= PDF_P99_TARGET_MS)
            )
        } else {
            String::new()
        };
        println!(
            "{name:<9} {what:<28} n={n} median={p50:>7.2} ms p99={p99:>7.2} ms  ×{:.1} of JSON{target}",
            p50 / json_p50
        );
    }

    // The same PDFs asked by 8 clients at once.
    let clients = 8;
    let started = Instant::now();
    let mut all = Vec::new();
    let parts = futures_util::future::join_all((0..clients).map(|c| {
        let (app, token, invoices) = (&app, &token, &invoices);
        async move {
            time_gets(app, token, n / clients, move |i| {
                format!(
                    "/api/v1/invoices/{}/facturx.pdf",
                    invoices[(c * 37 + i) % INVOICES]
                )
            })
            .await
        }
    }))
    .await;
    for part in parts {
        all.extend(part);
    }
    println!(
        "{name:<9} Factur-X PDF, {clients} clients     n={} median={:>7.2} ms p99={:>7.2} ms  {:.0} PDF/s",
        all.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        all.len() as f64 / started.elapsed().as_secs_f64()
    );

    // The ZIP of the period's 500 invoices, three times.
    let path = format!("/api/v1/invoices/export?from={}&to={}", day(-1), day(1));
    let mut zips = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let res = app.get(&path, Some(&token)).await;
        zips.push(started.elapsed());
        assert_eq!(res.status, 200, "{}", res.text);
        assert_eq!(res.content_type, "application/zip");
        let archive = zip::ZipArchive::new(std::io::Cursor::new(res.bytes)).unwrap();
        assert_eq!(archive.len(), INVOICES + 1, "every PDF and the journal");
    }
    let worst = zips.iter().max().unwrap().as_secs_f64();
    println!(
        "{name:<9} ZIP of {INVOICES} invoices         n=3 median={:>7.2} s  worst={worst:>6.2} s  target ≤ {ZIP_TARGET_S} s: {}",
        percentile(&zips, 0.5) / 1000.0,
        verdict(worst <= ZIP_TARGET_S)
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

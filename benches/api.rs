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

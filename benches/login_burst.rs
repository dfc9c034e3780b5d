//! `make bench`: the login throttle under a burst. 20 logins for one e-mail are sent at once
//! (wrong passwords, then again with the right password 10th), 10 bursts per backend, each on a
//! fresh e-mail; prints how many attempts actually had their password checked per burst (answered
//! 401 or 200 rather than 429). Target: exactly 5 every time (the throttle's limit).

#[path = "../tests/api/common.rs"]
#[allow(dead_code)]
mod common;

use futures_util::future::join_all;
use serde_json::json;

use common::{Backend, TestApp, PASSWORD};

/// Logins per burst.
const BURST: usize = 20;
/// Bursts per backend and kind.
const BURSTS: usize = 10;

fn name(backend: Backend) -> String {
    format!("{backend:?}").to_lowercase()
}

/// Attempts checked in one burst on a fresh e-mail.
async fn burst(app: &TestApp, agency: &common::Actor, right_at: Option<usize>) -> usize {
    let user = app
        .member_of_new_org(agency, "venue", "admin", "80021")
        .await;
    let requests = (0..BURST).map(|i| {
        let password = if Some(i) == right_at {
            PASSWORD
        } else {
            "wrong-password"
        };
        app.post(
            "/api/v1/auth/login",
            None,
            json!({"email": user.email, "password": password}),
        )
    });
    join_all(requests)
        .await
        .iter()
        .filter(|r| matches!(r.status, 200 | 401))
        .count()
}

async fn run(backend: Backend) {
    let app = TestApp::start(backend).await;
    let agency = app.agency_admin().await;
    for (label, right_at) in [("all wrong", None), ("right 10th", Some(9))] {
        let mut checked = Vec::with_capacity(BURSTS);
        for _ in 0..BURSTS {
            checked.push(burst(&app, &agency, right_at).await);
        }
        let over = checked.iter().filter(|c| **c > 5).count();
        println!(
            "login burst {} ({label}): attempts checked per burst of {BURST}: {checked:?} \
             (target exactly 5; {over} of {BURSTS} bursts over)",
            name(backend)
        );
    }
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

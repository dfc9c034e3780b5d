//! The real binary: configuration from the environment, JSON request logs, and a graceful stop on
//! SIGTERM that lets requests in flight finish.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::Utc;
use itinerance::auth::token::{Claims, TokenKeys};
use serde_json::json;

use crate::common::{Backend, TestDb};
use crate::transport::{OsrmStub, SLOW};

const SECRET: &str = "process-test-secret-0123456789abcdef";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[actix_web::test]
async fn sigterm_finishes_requests_in_flight_and_logs_each_request() {
    let stub = OsrmStub::start();
    stub.mode.store(SLOW, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("itn_process_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The token below is for user 1 of organisation 1: tokens stand only for existing users.
    let created = Command::new(env!("CARGO_BIN_EXE_itinerance"))
        .args(["admin", "create-agency", "--name", "Agence", "--email"])
        .args(["agence@process.test", "--password", "process-password"])
        .env("ITINERANCE_MODE", "production")
        .env("ITINERANCE_JWT_SECRET", SECRET)
        .env("ITINERANCE_DATA_DIR", &dir)
        .output()
        .expect("the binary runs");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_itinerance"))
        .arg("serve")
        .env("ITINERANCE_MODE", "production")
        .env("ITINERANCE_JWT_SECRET", SECRET)
        .env("ITINERANCE_BIND", format!("127.0.0.1:{port}"))
        .env("ITINERANCE_DATA_DIR", &dir)
        .env("ITINERANCE_OSRM_URL", &stub.url)
        .env("ITINERANCE_OSRM_TIMEOUT_MS", "2500")
        .env("ITINERANCE_SHUTDOWN_TIMEOUT_SECONDS", "20")
        .env("ITINERANCE_WORKERS", "2")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let base = format!("http://127.0.0.1:{port}");
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    let started = Instant::now();
    loop {
        if let Ok(res) = client.get(format!("{base}/health")).send().await {
            if res.status().is_success() {
                break;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server never answered /health"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    // A token signed with the configured secret (tokens are stateless).
    let now = Utc::now().timestamp();
    let token = TokenKeys::new(SECRET.as_bytes(), 900)
        .sign(&Claims {
            sub: "1".into(),
            org: 1,
            kind: "agency".into(),
            role: "admin".into(),
            iss: "itinerance".into(),
            iat: now,
            exp: now + 600,
            iat_ms: None,
        })
        .unwrap();
    // A request that stays in flight: the OSRM stub holds it until the 2.5 s timeout.
    let slow = client
        .post(format!("{base}/api/v1/routes/optimize"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send_json(
            &json!({"depot": {"latitude": 49.9, "longitude": 2.3}, "metric": "road",
            "stops": [{"id": "a", "latitude": 50.63, "longitude": 3.05},
                      {"id": "b", "latitude": 50.29, "longitude": 2.78}]}),
        );
    let terminate = async {
        // Only once the request is inside the server (it has reached the OSRM stub).
        let waiting = Instant::now();
        while stub.received.load(Ordering::SeqCst) == 0 {
            assert!(
                waiting.elapsed() < Duration::from_secs(60),
                "the request never arrived"
            );
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    };
    let (response, ()) = futures_util::future::join(slow, terminate).await;
    let mut response = response.expect("the request in flight is answered");
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = serde_json::from_slice(&response.body().await.unwrap()).unwrap();
    assert_eq!(body["source"], "road_estimate");
    // The process then stops by itself, successfully.
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{status:?}");
    // One JSON line per request, with method, path, status and duration.
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    let requests: Vec<serde_json::Value> = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|l| l["message"] == "request")
        .collect();
    let optimize = requests
        .iter()
        .find(|r| r["path"] == "/api/v1/routes/optimize")
        .unwrap_or_else(|| panic!("no log line for the request:\n{logs}"));
    assert_eq!(optimize["method"], "POST");
    assert_eq!(optimize["status"], 200);
    assert!(optimize["duration_ms"].as_f64().unwrap() > 0.0);
    assert!(requests.iter().any(|r| r["path"] == "/health"));
    assert!(!logs.contains(&token), "tokens never reach the logs");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn production_refuses_to_start_without_a_jwt_secret() {
    let output = Command::new(env!("CARGO_BIN_EXE_itinerance"))
        .arg("migrate")
        .env("ITINERANCE_MODE", "production")
        .env_remove("ITINERANCE_JWT_SECRET")
        .env(
            "ITINERANCE_DATA_DIR",
            std::env::temp_dir().join("itn_never_created"),
        )
        .output()
        .expect("the binary runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("ITINERANCE_JWT_SECRET"), "{stderr}");
}

#[test]
fn a_bad_database_url_is_reported_with_its_cause() {
    let output = Command::new(env!("CARGO_BIN_EXE_itinerance"))
        .arg("migrate")
        .env(
            "ITINERANCE_DATABASE_URL",
            "postgres://nobody@127.0.0.1:1/none",
        )
        .output()
        .expect("the binary runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The fixed prefix, then the real cause (libpq's words, naming the port it could not reach).
    let (_, cause) = stderr
        .split_once("cannot connect to postgres database: ")
        .unwrap_or_else(|| panic!("no prefix: {stderr}"));
    assert!(cause.contains("Connection refused"), "{stderr}");
    assert!(cause.contains("port 1 failed"), "{stderr}");
}

/// Runs the binary with `args` on the database at `url`; returns stdout (asserting success).
fn run_binary(url: &str, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_itinerance"))
        .args(args)
        .env("ITINERANCE_DATABASE_URL", url)
        .env("ITINERANCE_JWT_SECRET", SECRET)
        .env("ITINERANCE_LOG", "warn")
        // A small pool and a patient timeout: these tests are about the commands, and run
        // beside the whole suite on two cores.
        .env("ITINERANCE_DATABASE_POOL_SIZE", "2")
        .env("ITINERANCE_DATABASE_TIMEOUT_SECONDS", "30")
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "{args:?}: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// (organisations, users, resources, copies) in the database at `url`.
fn counts(url: &str) -> (i64, i64, i64, i64) {
    use diesel::dsl::count_star;
    use diesel::prelude::*;
    use itinerance::schema::{copies, organizations, resources, users};
    let target = itinerance::db::DatabaseTarget::parse(url).expect("url");
    let mut conn = target.connect().expect("connect");
    (
        organizations::table
            .select(count_star())
            .first(&mut conn)
            .expect("count"),
        users::table
            .select(count_star())
            .first(&mut conn)
            .expect("count"),
        resources::table
            .select(count_star())
            .first(&mut conn)
            .expect("count"),
        copies::table
            .select(count_star())
            .first(&mut conn)
            .expect("count"),
    )
}

/// `itinerance demo-data --if-empty` loads the demo network on an empty database and, run again,
/// does nothing.
fn demo_data_if_empty_loads_once(backend: Backend) {
    let (_db, url) = TestDb::create(backend);
    let first = run_binary(&url, &["demo-data", "--if-empty"]);
    assert!(
        first.contains(
            "demo network: added 260 organisations, 13 users, 60 resources, 146 copies, 138 components"
        ),
        "{first}"
    );
    assert!(first.contains("agence@demo.itinerance.fr"), "{first}");
    // The demo's money: every resource priced, two programmes, a past season invoiced.
    assert!(
        first.contains("demo money: 60 tariffs, 2 subsidy programmes, 540 invoiced loans"),
        "{first}"
    );
    let loaded = counts(&url);
    assert_eq!(loaded, (260, 13, 60, 146));
    let second = run_binary(&url, &["demo-data", "--if-empty"]);
    assert!(
        second.contains("the database already has organisations; demo data not loaded"),
        "{second}"
    );
    assert!(!second.contains("added"), "{second}");
    assert_eq!(counts(&url), loaded);
}

/// `itinerance admin create-agency` creates the agency and its administrator once per e-mail:
/// a second run with the same e-mail (even another name) changes nothing; another e-mail creates
/// another agency.
fn create_agency_is_idempotent_per_email(backend: Backend) {
    let (_db, url) = TestDb::create(backend);
    let create = |name: &str, email: &str| {
        run_binary(
            &url,
            &[
                "admin",
                "create-agency",
                "--name",
                name,
                "--email",
                email,
                "--password",
                "a-long-enough-password",
            ],
        )
    };
    let first = create("Agence régionale", "admin@agence.test");
    assert!(
        first.contains("created agency \"Agence régionale\""),
        "{first}"
    );
    let after_first = counts(&url);
    assert_eq!((after_first.0, after_first.1), (1, 1));
    let again = create("Une autre agence", "admin@agence.test");
    assert!(
        again.contains("a user with e-mail admin@agence.test already exists"),
        "{again}"
    );
    assert!(again.contains("nothing changed"), "{again}");
    assert_eq!(counts(&url), after_first);
    let other = create("Agence bis", "autre@agence.test");
    assert!(other.contains("created agency"), "{other}");
    assert_eq!((counts(&url).0, counts(&url).1), (2, 2));
}

mod commands {
    use crate::common::Backend;

    #[test]
    fn sqlite_demo_data_if_empty_loads_once() {
        super::demo_data_if_empty_loads_once(Backend::Sqlite)
    }

    #[test]
    fn postgres_demo_data_if_empty_loads_once() {
        super::demo_data_if_empty_loads_once(Backend::Postgres)
    }

    #[test]
    fn sqlite_create_agency_is_idempotent_per_email() {
        super::create_agency_is_idempotent_per_email(Backend::Sqlite)
    }

    #[test]
    fn postgres_create_agency_is_idempotent_per_email() {
        super::create_agency_is_idempotent_per_email(Backend::Postgres)
    }
}

/// `itinerance backup --to FILE` copies the SQLite database while the service writes to it; the
/// copy opens as a database of its own, passes SQLite's integrity check and holds what was
/// committed before it; a file is never overwritten; PostgreSQL is pointed to pg_dump.
#[actix_web::test]
async fn a_sqlite_backup_is_taken_while_the_service_writes() {
    use crate::builders::{day, BookingBuilder, Network, ResourceBuilder, AMIENS, VILLAGE};
    use diesel::prelude::*;
    let app = crate::common::TestApp::start(Backend::Sqlite).await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let kit = ResourceBuilder::kit("Kit sauvegardé")
        .copies(4)
        .build(&app, &net.producer)
        .await;
    for i in 0..5 {
        BookingBuilder::new(kit.id, &net.venue, day(20 + 10 * i), day(21 + 10 * i))
            .build(&app, &net.producer)
            .await;
    }
    let url = app.state.config.effective_database_url();
    let file = std::env::temp_dir().join(format!("itn_backup_{}.db", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let backup = |url: String, file: std::path::PathBuf| {
        Command::new(env!("CARGO_BIN_EXE_itinerance"))
            .args(["backup", "--to"])
            .arg(&file)
            .env("ITINERANCE_DATABASE_URL", url)
            .env("ITINERANCE_LOG", "warn")
            .output()
            .expect("the binary runs")
    };
    // Bookings keep being written while the copy is taken.
    let writing = async {
        for i in 5..25 {
            let res = app
                .post(
                    "/api/v1/bookings",
                    Some(&net.venue.token),
                    json!({"resource_id": kit.id, "venue_id": net.venue.org_id,
                           "starts_on": day(20 + 10 * i), "ends_on": day(21 + 10 * i)}),
                )
                .await;
            assert_eq!(res.status, 201, "{}", res.text);
        }
    };
    let (u, f) = (url.clone(), file.clone());
    let copying = actix_web::rt::task::spawn_blocking(move || backup(u, f));
    let (copied, ()) = futures_util::future::join(copying, writing).await;
    let copied = copied.unwrap();
    assert!(
        copied.status.success(),
        "{}",
        String::from_utf8_lossy(&copied.stderr)
    );
    // Restored: the copy is a database the service opens, whole and consistent.
    let restored = itinerance::bootstrap(crate::common::test_config(
        &format!("sqlite://{}", file.display()),
        &[],
    ))
    .expect("the copy opens as a database");
    let mut conn = restored.pool.get().unwrap();
    let check: Vec<String> = diesel::sql_query("PRAGMA integrity_check")
        .load::<IntegrityRow>(&mut *conn)
        .unwrap()
        .into_iter()
        .map(|r| r.integrity_check)
        .collect();
    assert_eq!(check, ["ok"]);
    let bookings: i64 = itinerance::schema::bookings::table
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert!((5..=25).contains(&bookings), "{bookings}");
    let occupations: i64 = itinerance::schema::occupations::table
        .filter(itinerance::schema::occupations::booking_id.is_not_null())
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(occupations, bookings, "no booking without its occupation");
    // Never over an existing file; PostgreSQL has its own tools.
    let again = backup(url, file.clone());
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("never overwrites"));
    let pg = backup(
        "postgres://nobody@127.0.0.1:1/none".into(),
        file.with_extension("pg"),
    );
    assert!(!pg.status.success());
    assert!(String::from_utf8_lossy(&pg.stderr).contains("pg_dump"));
    drop(conn);
    let _ = std::fs::remove_file(&file);
}

#[derive(diesel::QueryableByName)]
struct IntegrityRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    integrity_check: String,
}

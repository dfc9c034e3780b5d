//! Test harness: a fresh database per test (a temporary SQLite file, or a new PostgreSQL
//! database), the real server on a loopback port, and an HTTP client.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use diesel::{Connection, RunQueryDsl};
use itinerance::config::Config;
use itinerance::state::AppState;
use serde_json::{json, Value};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The JWT secret of every test server, so tests can forge tokens.
pub const TEST_SECRET: &str = "test-secret-that-is-long-enough-0123456789";

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name() -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("itn_test_{}_{}_{}", std::process::id(), n, nanos)
}

/// The PostgreSQL server the tests use: `TEST_POSTGRES_URL`, else the local default.
pub fn postgres_server_url() -> String {
    let url = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string());
    // Keep scheme, credentials, host and port; the database name is ours to choose.
    let after_scheme = url.find("://").map(|i| i + 3).unwrap_or(0);
    match url[after_scheme..].find('/') {
        Some(slash) => url[..after_scheme + slash].to_string(),
        None => url,
    }
}

/// A database that disappears with the test.
pub enum TestDb {
    Sqlite { dir: PathBuf },
    Postgres { server: String, name: String },
}

impl TestDb {
    /// Creates an empty database on the backend.
    pub fn create(backend: Backend) -> (TestDb, String) {
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(unique_name());
                std::fs::create_dir_all(&dir).expect("temp dir");
                let url = format!("sqlite://{}", dir.join("test.db").display());
                (TestDb::Sqlite { dir }, url)
            }
            Backend::Postgres => {
                let server = postgres_server_url();
                let name = unique_name();
                let mut admin = diesel::PgConnection::establish(&format!("{server}/postgres"))
                    .unwrap_or_else(|e| {
                        panic!(
                            "PostgreSQL tests need a server at {server} (set TEST_POSTGRES_URL, or \
                             run `make test`, which starts one): {e}"
                        )
                    });
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("create test database");
                let url = format!("{server}/{name}");
                (TestDb::Postgres { server, name }, url)
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite { dir } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres { server, name } => {
                if let Ok(mut admin) =
                    diesel::PgConnection::establish(&format!("{server}/postgres"))
                {
                    let _ =
                        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut admin);
                }
            }
        }
    }
}

/// Configuration of a test server on `url`.
pub fn test_config(url: &str, extra: &[(&str, &str)]) -> Config {
    let mut env: Vec<(String, String)> = vec![
        ("ITINERANCE_DATABASE_URL".into(), url.into()),
        ("ITINERANCE_JWT_SECRET".into(), TEST_SECRET.into()),
        ("ITINERANCE_DATABASE_POOL_SIZE".into(), "6".into()),
        ("ITINERANCE_WORKERS".into(), "2".into()),
        ("ITINERANCE_SHUTDOWN_TIMEOUT_SECONDS".into(), "1".into()),
        ("ITINERANCE_LOG".into(), "warn".into()),
        // Fixtures request many bookings per venue; the limit has its own test (which sets it).
        (
            "ITINERANCE_MAX_OPEN_REQUESTS_PER_VENUE".into(),
            "1000".into(),
        ),
    ];
    for (k, v) in extra {
        env.push((k.to_string(), v.to_string()));
    }
    Config::from_sources(&env).expect("test config")
}

/// A response as the tests look at it.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub content_type: String,
    pub headers: awc::http::header::HeaderMap,
    pub body: Value,
    pub text: String,
    /// The body as received (files, PDFs).
    pub bytes: Vec<u8>,
}

impl Resp {
    /// The problem `code` of an error response (asserting it is a problem document).
    pub fn code(&self) -> &str {
        assert_eq!(
            self.content_type, "application/problem+json",
            "not a problem response: {} {}",
            self.status, self.text
        );
        self.body["code"].as_str().unwrap_or("")
    }

    /// The `field` names listed by a validation problem.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["field"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A running server on its own database.
pub struct TestApp {
    pub backend: Backend,
    pub base: String,
    pub state: AppState,
    client: awc::Client,
    server: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
    // Dropped last: the database outlives the server (absent for a second instance).
    _db: Option<TestDb>,
}

impl TestApp {
    /// Starts a server on a fresh, migrated database.
    pub async fn start(backend: Backend) -> TestApp {
        Self::start_with(backend, &[]).await
    }

    /// Same, with extra configuration variables.
    pub async fn start_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
        let (db, url) = TestDb::create(backend);
        let state = itinerance::bootstrap(test_config(&url, extra)).expect("bootstrap");
        Self::launch(backend, state, Some(db))
    }

    /// Another instance of the service on the same database and configuration, as behind a load
    /// balancer (drop it before the first one, which owns the database).
    pub fn another_instance(&self) -> TestApp {
        let config = (*self.state.config).clone();
        let state = itinerance::bootstrap(config).expect("bootstrap a second instance");
        Self::launch(self.backend, state, None)
    }

    /// Another instance on the same database with the test configuration plus `extra`
    /// environment overrides (the first instance's own overrides are not carried over: repeat
    /// them in `extra`). Drop it before the first one, which owns the database.
    #[allow(dead_code)] // used by benches/notify.rs
    pub fn instance_with(&self, extra: &[(&str, &str)]) -> TestApp {
        let config = test_config(&self.state.config.database_url, extra);
        let state = itinerance::bootstrap(config).expect("bootstrap another instance");
        Self::launch(self.backend, state, None)
    }

    fn launch(backend: Backend, state: AppState, db: Option<TestDb>) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("addr").port();
        let (tx, rx) = std::sync::mpsc::channel();
        let server_state = state.clone();
        // The server runs in its own thread and actix system, like in production.
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = itinerance::app::server(server_state, listener).expect("server");
                let _ = tx.send(server.handle());
                let _ = server.await;
            })
        });
        let server = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("server started");
        // The server closes idle keep-alive connections after 5 s; the client's default is to
        // reuse them for 15 s, so a request after a pause could take a connection the server had
        // closed (`Connect(Disconnected)`). Keep them for less than the server does.
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(60))
            .connector(awc::Connector::new().conn_keep_alive(Duration::from_secs(2)))
            .finish();
        TestApp {
            backend,
            base: format!("http://127.0.0.1:{port}"),
            state,
            client,
            server,
            thread: Some(thread),
            _db: db,
        }
    }

    /// Sends a request with optional bearer token and raw body.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Resp {
        self.raw_with(method, path, token, content_type, &[], body)
            .await
    }

    /// A JSON POST with extra headers (e.g. `Idempotency-Key`).
    pub async fn post_with(
        &self,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Value,
    ) -> Resp {
        self.raw_with(
            "POST",
            path,
            token,
            Some("application/json"),
            headers,
            body.to_string().into_bytes(),
        )
        .await
    }

    /// Sends a request with optional bearer token, extra headers and raw body.
    pub async fn raw_with(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Resp {
        let method = awc::http::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        if let Some(token) = token {
            req = req.insert_header(("Authorization", format!("Bearer {token}")));
        }
        if let Some(ct) = content_type {
            req = req.insert_header(("Content-Type", ct));
        }
        let mut res = req.send_body(body).await.expect("request sent");
        let bytes = res.body().limit(64 * 1024 * 1024).await.expect("body");
        let text = String::from_utf8_lossy(&bytes).to_string();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        Resp {
            status: res.status().as_u16(),
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            content_type,
            headers: res.headers().clone(),
            text,
            bytes: bytes.to_vec(),
        }
    }

    /// JSON request.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        match body {
            Some(b) => {
                self.raw(
                    method,
                    path,
                    token,
                    Some("application/json"),
                    b.to_string().into_bytes(),
                )
                .await
            }
            None => self.raw(method, path, token, None, Vec::new()).await,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.send("GET", path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.send("POST", path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.send("PATCH", path, token, Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Resp {
        self.send("DELETE", path, token, None).await
    }

    /// Logs in and returns the access token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let res = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(res.status, 200, "login {email}: {}", res.text);
        res.body["access_token"]
            .as_str()
            .expect("token")
            .to_string()
    }

    /// Creates the agency and its administrator the way `admin create-agency` does; returns them.
    pub async fn agency_admin(&self) -> Actor {
        let state = self.state.clone();
        let now = state.clock.naive();
        let setup = state
            .run(move |conn| {
                itinerance::organization::service::create_agency_with_admin(
                    conn,
                    "Agence régionale",
                    "admin@agence.test",
                    PASSWORD,
                    "59350",
                    now,
                )
            })
            .await
            .expect("agency");
        let (org_id, user_id) = match setup {
            itinerance::organization::service::AgencySetup::Created { organization, user } => {
                (organization.id, user.id)
            }
            itinerance::organization::service::AgencySetup::AlreadyThere { user } => {
                (user.organization_id, user.id)
            }
        };
        Actor {
            token: self.login("admin@agence.test", PASSWORD).await,
            org_id,
            user_id,
            email: "admin@agence.test".into(),
        }
    }

    /// Creates an organisation (as the agency) and a user in it with `role`; returns the user.
    pub async fn member_of_new_org(
        &self,
        agency: &Actor,
        kind: &str,
        role: &str,
        commune: &str,
    ) -> Actor {
        let mut body = json!({"name": format!("{kind} {}", unique_name()), "kind": kind, "commune_insee": commune});
        if kind == "venue" {
            body["venue_type"] = json!("library");
        }
        let org = self
            .post("/api/v1/organizations", Some(&agency.token), body)
            .await;
        assert_eq!(org.status, 201, "{}", org.text);
        let org_id = org.body["id"].as_i64().expect("org id");
        self.user_in(agency, org_id, role).await
    }

    /// Creates a user in an existing organisation (as `creator`) and logs in.
    pub async fn user_in(&self, creator: &Actor, org_id: i64, role: &str) -> Actor {
        let email = format!("{}@{}.test", unique_name(), role);
        let user = self
            .post(
                "/api/v1/users",
                Some(&creator.token),
                json!({"email": email, "password": PASSWORD, "organization_id": org_id, "role": role}),
            )
            .await;
        assert_eq!(user.status, 201, "{}", user.text);
        Actor {
            token: self.login(&email, PASSWORD).await,
            org_id,
            user_id: user.body["id"].as_i64().expect("user id"),
            email,
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sending the stop command is synchronous; the returned future only awaits completion.
        drop(self.server.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Password of every test user.
pub const PASSWORD: &str = "correct-horse-battery";

/// A logged-in user.
#[derive(Debug, Clone)]
pub struct Actor {
    pub token: String,
    pub org_id: i64,
    pub user_id: i64,
    #[allow(dead_code)]
    pub email: String,
}

/// Declares each listed `async fn name(app: TestApp)` as two tests, one per backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::common::TestApp::start($crate::common::Backend::Sqlite).await).await
                }
            )*
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::common::TestApp::start($crate::common::Backend::Postgres).await).await
                }
            )*
        }
    };
}

//! What the HTTP benches share (`benches/api.rs`, `benches/portal.rs`): timing sequential GETs,
//! the seeded catalogue of 10,000 resources, the server's own request log (its time per request,
//! beside what the load generator saw), and wrk (installed by `.ci/ensure-wrk`) with its scripts.
//! Included by each bench as `mod shared`, next to `mod common` (the test suite's server harness).

#![allow(dead_code)]

use itinerance::rng::SplitMix64;
use std::time::{Duration, Instant};

use crate::common::{Backend, TestApp, PASSWORD};

/// Latencies of one case.
pub struct Sample {
    pub name: String,
    pub durations: Vec<Duration>,
}

impl Sample {
    pub fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.durations.clone();
        sorted.sort();
        let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[index.min(sorted.len() - 1)]
    }

    pub fn report(&self, backend: Backend) {
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
pub async fn time_gets(
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
pub async fn seed_catalogue(app: &TestApp, resources: usize, copies_each: usize) -> Duration {
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
                            school_holidays:
                                itinerance::organization::model::SchoolHolidays::Ignore,
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

/// Where the bench's server logs each request it handled (method, path, `duration_ms`).
pub fn request_log() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("itn_bench_requests_{}.log", std::process::id()))
}

/// Logs the server's request lines (`itinerance::http`, JSON) to `path`, so that what the
/// handlers took can be set beside what the load generator saw.
pub fn log_requests_to(path: &std::path::Path) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let Ok(file) = std::fs::File::create(path) else {
        return;
    };
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_writer(std::sync::Mutex::new(file)),
        )
        .with(
            tracing_subscriber::filter::Targets::new()
                .with_target("itinerance::http", tracing::Level::INFO),
        )
        .try_init();
}

/// Median and p99 of the server's own time (from the request line to the answer, socket
/// reading and writing and the worker's queue excluded) over the last `count` requests of
/// `method path` in the request log.
pub fn server_side_ms(method: &str, path: &str, count: usize) -> Option<(f64, f64)> {
    server_side_ms_where(method, |p| p == path, count)
}

/// The same over the last `count` requests of `method` whose path `matches` (the pages of one
/// route, `/bookings/{id}`, have many paths).
pub fn server_side_ms_where(
    method: &str,
    matches: impl Fn(&str) -> bool,
    count: usize,
) -> Option<(f64, f64)> {
    let text = std::fs::read_to_string(request_log()).ok()?;
    let mut durations: Vec<f64> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["method"] == method && v["path"].as_str().is_some_and(&matches))
        // Requests dropped because wrk had stopped waiting (499) did no work.
        .filter(|v| v["status"] != 499)
        .filter_map(|v| v["duration_ms"].as_f64())
        .collect();
    let skip = durations.len().saturating_sub(count);
    let mut last = durations.split_off(skip);
    if last.is_empty() {
        return None;
    }
    last.sort_by(f64::total_cmp);
    let at = |q: f64| last[((last.len() as f64 * q) as usize).min(last.len() - 1)];
    Some((at(0.5), at(0.99)))
}

/// A request of a wrk script: method, path, JSON body.
pub type WrkRequest = (String, String, Option<String>);

/// What wrk reported for one case.
pub struct WrkRun {
    pub requests_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// What the script's `done` printed (status counts), if anything.
    pub extra: String,
}

pub fn wrk_ms(value: &str) -> f64 {
    let value = value.trim();
    let (number, factor) = if let Some(v) = value.strip_suffix("us") {
        (v, 0.001)
    } else if let Some(v) = value.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = value.strip_suffix('s') {
        (v, 1000.0)
    } else {
        (value, 1.0)
    };
    number.parse::<f64>().unwrap_or(f64::NAN) * factor
}

/// Runs wrk (Debian's, installed by `.ci/ensure-wrk`) with `connections` connections for
/// `seconds` against `base`, with a Lua script that makes each request; `None` without wrk.
pub fn run_wrk(base: &str, script: &str, connections: usize, seconds: u64) -> Option<WrkRun> {
    let path = std::env::temp_dir().join(format!("itn_wrk_{}.lua", std::process::id()));
    std::fs::write(&path, script).ok()?;
    let output = std::process::Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            "-s",
        ])
        .arg(&path)
        .arg(base)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .map(|l| l[prefix.len()..].trim().to_string())
    };
    Some(WrkRun {
        requests_per_s: field("Requests/sec:")?.parse().ok()?,
        p50_ms: wrk_ms(&field("50%")?),
        p99_ms: wrk_ms(&field("99%")?),
        extra: text
            .lines()
            .filter(|l| l.starts_with("statuses"))
            .collect::<Vec<_>>()
            .join(" "),
    })
}

/// A wrk script that cycles through `requests` (method, path, body) with a bearer token and
/// counts the statuses it gets.
pub fn wrk_script(token: &str, requests: &[WrkRequest]) -> String {
    let authorization = format!("Bearer {token}");
    wrk_script_with(
        &[
            ("Authorization", authorization.as_str()),
            ("Content-Type", "application/json"),
        ],
        requests,
    )
}

/// A wrk script that cycles through `requests` (method, path, body) with `headers` on each (a
/// bearer token, a session cookie) and counts the statuses it gets.
pub fn wrk_script_with(headers: &[(&str, &str)], requests: &[WrkRequest]) -> String {
    let headers = headers
        .iter()
        .map(|(name, value)| format!("[\"{name}\"] = \"{value}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let mut lua = String::from("local reqs = {\n");
    for (method, path, body) in requests {
        let body = body
            .as_ref()
            .map(|b| format!("[[{b}]]"))
            .unwrap_or_else(|| "nil".into());
        lua.push_str(&format!("  {{\"{method}\", \"{path}\", {body}}},\n"));
    }
    lua.push_str(&format!(
        r#"}}
local threads = {{}}
local started = 0
function setup(thread) thread:set("id", started); started = started + 1; table.insert(threads, thread) end
function init(args) i = id; created = 0; conflicts = 0; other = 0 end
function request()
  -- Thread k takes requests k, k + 2, k + 4, …: the two threads never send the same one.
  local r = reqs[(i % #reqs) + 1]
  i = i + 2
  local headers = {{ {headers} }}
  return wrk.format(r[1], r[2], headers, r[3])
end
function response(status, headers, body)
  if status == 200 or status == 201 then created = created + 1
  elseif status == 409 then conflicts = conflicts + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local c, k, o = 0, 0, 0
  for _, t in ipairs(threads) do c = c + t:get("created"); k = k + t:get("conflicts"); o = o + t:get("other") end
  io.write(string.format("statuses: %d ok, %d conflicts, %d other\n", c, k, o))
end
"#
    ));
    lua
}

/// A client that shows each redirect rather than following it (the login answers 303).
pub fn client() -> awc::Client {
    awc::Client::builder()
        .disable_redirects()
        .timeout(Duration::from_secs(60))
        .connector(awc::Connector::new().conn_keep_alive(Duration::from_secs(2)))
        .finish()
}

/// `name=value` of the `Set-Cookie` header whose name ends with `cookie` (over HTTPS the
/// names take the `__Host-` prefix).
pub fn cookie_of(res: &awc::ClientResponse<impl Sized>, cookie: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| {
            pair.split_once('=')
                .is_some_and(|(name, value)| name.ends_with(cookie) && !value.is_empty())
        })
        .map(str::to_string)
}

/// Logs `email` in as a browser does: the login form (its CSRF token and the cookie holding
/// it), then the form's POST; returns the session cookie (`name=value`).
pub async fn log_in_through_the_form(app: &TestApp, email: &str) -> String {
    let client = client();
    let mut form = client
        .get(format!("{}/login", app.base))
        .send()
        .await
        .expect("login page");
    assert_eq!(form.status().as_u16(), 200);
    let login_cookie = cookie_of(&form, "itinerance_login").expect("login cookie");
    let html = String::from_utf8_lossy(&form.body().await.expect("login page body")).into_owned();
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("csrf field") + marker.len();
    let csrf = html[start..].split('"').next().unwrap_or_default();
    let res = client
        .post(format!("{}/login", app.base))
        .insert_header(("Cookie", login_cookie))
        .send_form(&[
            ("csrf_token", csrf),
            ("next", "/"),
            ("email", email),
            ("password", PASSWORD),
        ])
        .await
        .expect("login post");
    assert_eq!(res.status().as_u16(), 303, "the login form signs in");
    cookie_of(&res, "itinerance_session").expect("session cookie")
}

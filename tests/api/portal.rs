//! The portal's HTTP behaviour: browser sessions (cookie flags, logout, deactivation and password
//! change seen by every instance), CSRF on every form that changes something, login throttling
//! shared with the API, a double submit booking once, bad input answered with the form.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::json;

use crate::builders::{day, id_of, Network, ResourceBuilder};
use crate::common::{Actor, TestApp, PASSWORD};

/// A browser: a cookie jar and no automatic redirects (the tests look at each 303).
pub(crate) struct Browser {
    base: String,
    client: awc::Client,
    pub(crate) cookies: HashMap<String, String>,
}

/// What a request of the test browser carries.
enum Body<'a> {
    Form(Vec<(&'a str, &'a str)>),
    Raw(String, Vec<u8>),
}

pub(crate) struct Page {
    pub(crate) status: u16,
    pub(crate) location: String,
    pub(crate) set_cookies: Vec<String>,
    pub(crate) text: String,
    /// `Content-Type` and `Content-Disposition` (files the portal serves).
    pub(crate) content_type: String,
    pub(crate) disposition: String,
    pub(crate) etag: String,
    pub(crate) body_len: usize,
}

impl Browser {
    pub(crate) fn new(app: &TestApp) -> Browser {
        Browser {
            base: app.base.clone(),
            client: awc::Client::builder()
                .disable_redirects()
                .timeout(Duration::from_secs(60))
                .connector(awc::Connector::new().conn_keep_alive(Duration::from_secs(2)))
                .finish(),
            cookies: HashMap::new(),
        }
    }

    /// The same browser against another instance (behind a load balancer).
    fn on(&self, app: &TestApp) -> Browser {
        let mut b = Browser::new(app);
        b.cookies = self.cookies.clone();
        b
    }

    async fn send(&mut self, method: &str, path: &str, form: Option<&[(&str, &str)]>) -> Page {
        let body = form.map(|fields| Body::Form(fields.to_vec()));
        self.send_with(method, path, &[], body).await
    }

    async fn send_with(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Body<'_>>,
    ) -> Page {
        let method = awc::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        if !self.cookies.is_empty() {
            let header: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.insert_header(("Cookie", header.join("; ")));
        }
        let mut res = match body {
            Some(Body::Form(fields)) => req.send_form(&fields).await.unwrap(),
            Some(Body::Raw(content_type, bytes)) => req
                .insert_header(("Content-Type", content_type))
                .send_body(bytes)
                .await
                .unwrap(),
            None => req.send().await.unwrap(),
        };
        let body = res.body().limit(16 * 1024 * 1024).await.unwrap();
        let set_cookies: Vec<String> = res
            .headers()
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok().map(String::from))
            .collect();
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || c.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        Page {
            status: res.status().as_u16(),
            location: res
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string(),
            set_cookies,
            content_type: header(&res, "content-type"),
            disposition: header(&res, "content-disposition"),
            etag: header(&res, "etag"),
            body_len: body.len(),
            text: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Page {
        self.send("GET", path, None).await
    }

    pub(crate) async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        self.send("POST", path, Some(form)).await
    }

    /// A GET with extra headers (`If-None-Match`).
    pub(crate) async fn get_with(&mut self, path: &str, headers: &[(&str, &str)]) -> Page {
        self.send_with("GET", path, headers, None).await
    }

    /// A `multipart/form-data` POST, as a browser sends a form with a file input: `fields`, then
    /// the file part `file` (name, content type, bytes; no bytes when none was chosen).
    pub(crate) async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Page {
        let boundary = "----itinerance-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        let (filename, content_type, bytes) = file;
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={boundary}");
        self.send_with("POST", path, &[], Some(Body::Raw(content_type, body)))
            .await
    }

    /// Logs in through the form; returns the answer to the form's POST.
    pub(crate) async fn log_in(&mut self, email: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        assert_eq!(form.status, 200, "{}", form.text);
        let csrf = hidden(&form.text, "csrf_token");
        self.post(
            "/login",
            &[
                ("csrf_token", &csrf),
                ("next", "/"),
                ("email", email),
                ("password", password),
            ],
        )
        .await
    }
}

/// A header of an answer as text ("" when absent).
fn header<S>(res: &awc::ClientResponse<S>, name: &str) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The value of a hidden field of a page.
pub(crate) fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

async fn signed_in_venue(app: &TestApp) -> (Network, Browser) {
    let net = Network::new(app).await;
    let mut browser = Browser::new(app);
    let res = browser.log_in(&net.venue.email, PASSWORD).await;
    assert_eq!(res.status, 303, "{}", res.text);
    assert_eq!(res.location, "/");
    (net, browser)
}

async fn bookings_of(app: &TestApp, venue: &Actor) -> Vec<serde_json::Value> {
    let res = app.get("/api/v1/bookings", Some(&venue.token)).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body.as_array().cloned().unwrap_or_default()
}

async fn session_cookie_is_http_only_lax_and_logout_ends_the_session(app: TestApp) {
    let (_net, mut browser) = signed_in_venue(&app).await;
    let cookie = browser
        .cookies
        .get("itinerance_session")
        .cloned()
        .expect("session cookie");
    let login = browser.get("/login").await; // already signed in: the form sends home
    assert_eq!((login.status, login.location.as_str()), (303, "/"));
    let home = browser.get("/").await;
    assert_eq!(home.status, 200, "{}", home.text);
    assert!(home.text.contains("Se déconnecter"));
    // Only a digest of the token is stored.
    let state = app.state.clone();
    let stored: Vec<String> = state
        .run(|conn| {
            use diesel::prelude::*;
            use itinerance::schema::browser_sessions::dsl::*;
            Ok(browser_sessions.select(token_digest).load(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], cookie);
    assert!(!stored[0].contains(&cookie));
    // Logout without the form's token changes nothing.
    let refused = browser.post("/logout", &[]).await;
    assert_eq!(refused.status, 403);
    assert_eq!(browser.get("/").await.status, 200);
    let csrf = hidden(&home.text, "csrf_token");
    let out = browser.post("/logout", &[("csrf_token", &csrf)]).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.location, "/login");
    let after = browser.get("/").await;
    assert_eq!(after.status, 303);
    assert!(after.location.starts_with("/login"), "{}", after.location);
    // The old cookie, replayed, opens nothing: the row is gone.
    browser.cookies.insert("itinerance_session".into(), cookie);
    assert_eq!(browser.get("/bookings").await.status, 303);
}

async fn cookie_flags(app: TestApp) {
    let net = Network::new(&app).await;
    let mut browser = Browser::new(&app);
    let res = browser.log_in(&net.venue.email, PASSWORD).await;
    let set = res
        .set_cookies
        .iter()
        .find(|c| c.starts_with("itinerance_session="))
        .expect("session cookie set");
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Lax"), "{set}");
    assert!(set.contains("Path=/"), "{set}");
    assert!(!set.contains("Secure"), "plain http: {set}");
    // Served over HTTPS: the `__Host-` prefix and `Secure`.
    let https = app.instance_with(&[("ITINERANCE_PUBLIC_BASE_URL", "https://portail.example")]);
    let mut browser = Browser::new(&https);
    let res = browser.log_in(&net.venue.email, PASSWORD).await;
    let set = res
        .set_cookies
        .iter()
        .find(|c| c.starts_with("__Host-itinerance_session="))
        .unwrap_or_else(|| panic!("{:?}", res.set_cookies));
    assert!(
        set.contains("Secure") && set.contains("HttpOnly") && set.contains("Path=/"),
        "{set}"
    );
    assert!(!set.contains("Domain"), "{set}");
    drop(https);
}

async fn a_post_without_its_csrf_token_is_refused_and_changes_nothing(app: TestApp) {
    let (net, mut browser) = signed_in_venue(&app).await;
    let trunk = ResourceBuilder::trunk("Malle de l'eau")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let (from, to) = (day(30).to_string(), day(34).to_string());
    let rid = trunk.id.to_string();
    let mut form = vec![
        ("resource_id", rid.as_str()),
        ("starts_on", from.as_str()),
        ("ends_on", to.as_str()),
    ];
    let res = browser.post("/bookings", &form).await;
    assert_eq!(res.status, 403, "{}", res.text);
    assert!(res.text.contains("Ce formulaire a expiré"));
    form.push(("csrf_token", "not-the-token"));
    assert_eq!(browser.post("/bookings", &form).await.status, 403);
    assert!(bookings_of(&app, &net.venue).await.is_empty());
    // The login form too: a POST without the token its page set is refused.
    let mut stranger = Browser::new(&app);
    let res = stranger
        .post(
            "/login",
            &[("email", &net.venue.email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, 403);
    assert!(!stranger.cookies.contains_key("itinerance_session"));
}

async fn a_deactivated_or_re_passworded_users_session_is_refused_on_every_instance(app: TestApp) {
    let (net, mut browser) = signed_in_venue(&app).await;
    let other = app.another_instance();
    let mut there = browser.on(&other);
    assert_eq!(there.get("/").await.status, 200);
    // A password change (through the API) ends sessions opened before it.
    tokio_sleep(1100).await;
    let res = app
        .post(
            "/api/v1/me/password",
            Some(&net.venue.token),
            json!({"current_password": PASSWORD, "new_password": "another-long-password"}),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.text);
    assert_eq!(there.get("/").await.status, 303);
    assert_eq!(browser.get("/").await.status, 303);
    // A fresh login stands, until the user is deactivated.
    tokio_sleep(1100).await;
    let mut again = Browser::new(&app);
    assert_eq!(
        again
            .log_in(&net.venue.email, "another-long-password")
            .await
            .status,
        303
    );
    assert_eq!(again.get("/").await.status, 200);
    let res = app
        .post(
            &format!("/api/v1/users/{}/deactivate", net.venue.user_id),
            Some(&net.agency.token),
            json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let mut again_there = again.on(&other);
    let refused = again_there.get("/bookings").await;
    assert_eq!(refused.status, 303);
    assert!(refused.location.starts_with("/login"));
    drop(other);
}

async fn tokio_sleep(ms: u64) {
    actix_web::rt::time::sleep(Duration::from_millis(ms)).await;
}

async fn login_throttling_is_shared_with_the_api(app: TestApp) {
    let net = Network::new(&app).await;
    for _ in 0..5 {
        let res = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": net.venue.email, "password": "wrong"}),
            )
            .await;
        assert_eq!(res.status, 401);
    }
    let mut browser = Browser::new(&app);
    let res = browser.log_in(&net.venue.email, PASSWORD).await;
    assert_eq!(res.status, 429, "{}", res.text);
    assert!(
        res.text.contains("Trop d&#39;essais") || res.text.contains("Trop d'essais"),
        "{}",
        res.text
    );
    assert!(!browser.cookies.contains_key("itinerance_session"));
}

async fn a_double_submit_books_once_and_bad_dates_come_back_on_the_form(app: TestApp) {
    let (net, mut browser) = signed_in_venue(&app).await;
    let trunk = ResourceBuilder::trunk("Malle de l'eau")
        .copies(2)
        .build(&app, &net.producer)
        .await;
    let (from, to) = (day(30).to_string(), day(34).to_string());
    let page = browser
        .get(&format!(
            "/resources/{}?starts_on={from}&ends_on={to}",
            trunk.id
        ))
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Total à payer"));
    let csrf = hidden(&page.text, "csrf_token");
    let key = hidden(&page.text, "idempotency_key");
    let rid = trunk.id.to_string();
    let form = [
        ("csrf_token", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("resource_id", rid.as_str()),
        ("starts_on", from.as_str()),
        ("ends_on", to.as_str()),
    ];
    let first = browser.post("/bookings", &form).await;
    let second = browser.post("/bookings", &form).await;
    assert_eq!(first.status, 303, "{}", first.text);
    assert_eq!(second.status, 303, "{}", second.text);
    assert_eq!(first.location, second.location);
    let list = bookings_of(&app, &net.venue).await;
    assert_eq!(list.len(), 1, "booked once");
    let id = id_of(&list[0]);
    assert_eq!(first.location, format!("/bookings/{id}?created=1"));
    let loan = browser.get(&first.location).await;
    assert!(
        loan.text.contains("Demandé, en attente de réponse"),
        "{}",
        loan.text
    );
    // Bad input: the form again, errors summarised at the top and tied to their fields.
    let bad = browser
        .post(
            "/bookings",
            &[
                ("csrf_token", &csrf),
                ("resource_id", &rid),
                ("starts_on", "2027-02-30"),
                ("ends_on", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("class=\"error-summary\""));
    assert!(bad.text.contains("href=\"#starts_on\"") && bad.text.contains("href=\"#ends_on\""));
    assert!(bad.text.contains("aria-describedby=\"starts_on-error\""));
    assert_eq!(
        bookings_of(&app, &net.venue).await.len(),
        1,
        "nothing more booked"
    );
    // Dates in the past: the service's rule, in French on the form.
    let past = browser
        .post(
            "/bookings",
            &[
                ("csrf_token", &csrf),
                ("resource_id", &rid),
                ("starts_on", &day(-3).to_string()),
                ("ends_on", &day(-1).to_string()),
            ],
        )
        .await;
    assert_eq!(past.status, 422, "{}", past.text);
    assert!(past.text.contains("déjà passé"), "{}", past.text);
}

async fn the_venue_follows_reports_and_evaluates_its_loan(app: TestApp) {
    let (net, mut browser) = signed_in_venue(&app).await;
    let trunk = ResourceBuilder::trunk("Malle de l'eau")
        .component("Éprouvette", 6)
        .component("Livret", 2)
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let booking = crate::builders::BookingBuilder::new(trunk.id, &net.venue, day(20), day(24))
        .status("approved")
        .build(&app, &net.producer)
        .await;
    let id = id_of(&booking);
    let home = browser.get("/").await;
    assert!(
        home.text.contains("Malle de l&#39;eau") || home.text.contains("Malle de l'eau"),
        "{}",
        home.text
    );
    assert!(home.text.contains("Accepté"));
    let loan = browser.get(&format!("/bookings/{id}")).await;
    assert!(loan.text.contains("Livraison"), "{}", loan.text);
    for (action, _) in [("dispatch", "in_transit")] {
        let res = app
            .post(
                &format!("/api/v1/bookings/{id}/{action}"),
                Some(&net.producer.token),
                json!({}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
    }
    let form = browser.get(&format!("/bookings/{id}/report")).await;
    assert_eq!(form.status, 200, "{}", form.text);
    assert!(
        form.text.contains("Éprouvette") && form.text.contains("6 attendu(s)"),
        "{}",
        form.text
    );
    let csrf = hidden(&form.text, "csrf_token");
    let (c1, c2) = (trunk.components[0].0, trunk.components[1].0);
    let (p1, d1, p2, d2) = (
        format!("present_{c1}"),
        format!("damaged_{c1}"),
        format!("present_{c2}"),
        format!("damaged_{c2}"),
    );
    let bad = browser
        .post(
            &format!("/bookings/{id}/report"),
            &[
                ("csrf_token", &csrf),
                (&p1, "9"),
                (&d1, "0"),
                (&p2, "2"),
                (&d2, "0"),
                ("grade", "4"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text.contains(&format!("href=\"#{p1}\"")),
        "{}",
        bad.text
    );
    let ok = browser
        .post(
            &format!("/bookings/{id}/report"),
            &[
                ("csrf_token", &csrf),
                (&p1, "6"),
                (&d1, "0"),
                (&p2, "2"),
                (&d2, "0"),
                ("grade", "5"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.text);
    let res = app
        .post(
            &format!("/api/v1/bookings/{id}/deliver"),
            Some(&net.producer.token),
            json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let form = browser.get(&format!("/bookings/{id}/evaluation")).await;
    assert_eq!(form.status, 200);
    let missing = browser
        .post(
            &format!("/bookings/{id}/evaluation"),
            &[("csrf_token", &csrf), ("visitors", "40")],
        )
        .await;
    assert_eq!(missing.status, 422);
    assert!(missing.text.contains("href=\"#audiences\""));
    let ok = browser
        .post(
            &format!("/bookings/{id}/evaluation"),
            &[
                ("csrf_token", &csrf),
                ("visitors", "40"),
                ("sessions", "3"),
                ("audiences", "primary"),
                ("audiences", "family"),
                ("satisfaction", "5"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.text);
    let eval = app
        .get(
            &format!("/api/v1/bookings/{id}/evaluation"),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(eval.body["visitors"], 40);
    let shown = browser.get(&format!("/bookings/{id}/evaluation")).await;
    assert!(shown.text.contains("votre bilan est enregistré"));
    // Another venue's loan does not exist for this one.
    let stranger = app.venue(&net.agency, crate::builders::AMIENS).await;
    let mut other = Browser::new(&app);
    assert_eq!(other.log_in(&stranger.email, PASSWORD).await.status, 303);
    assert_eq!(other.get(&format!("/bookings/{id}")).await.status, 404);
}

async fn find_says_when_nothing_is_near_and_shows_the_nearest_beyond(app: TestApp) {
    // A village venue in the Aisne, the only trunk at Amiens (about 100 km away).
    let net = Network::at(&app, crate::builders::AMIENS, crate::builders::VILLAGE).await;
    ResourceBuilder::trunk("Malle de l'eau")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let mut browser = Browser::new(&app);
    assert_eq!(browser.log_in(&net.venue.email, PASSWORD).await.status, 303);
    let near = browser
        .get("/resources?searched=1&q=eau&radius_km=10")
        .await;
    assert_eq!(near.status, 200, "{}", near.text);
    assert!(
        near.text
            .contains("Aucune ressource ne correspond à moins de 10 km"),
        "{}",
        near.text
    );
    assert!(
        near.text.contains("La plus proche au-delà de 10 km"),
        "{}",
        near.text
    );
    assert!(near.text.contains("Malle de l&#39;eau"), "{}", near.text);
    assert!(
        near.text.contains("\u{a0}km</dd>"),
        "a distance in km: {}",
        near.text
    );
    assert!(
        near.text.contains("pour une semaine"),
        "my price: {}",
        near.text
    );
    // Never coordinates: the page neither asks for nor shows them.
    assert!(!near.text.contains("latitude") && !near.text.contains("near="));
    let region = browser
        .get("/resources?searched=1&q=eau&radius_km=1000")
        .await;
    // (The page's words come escaped, as every value of a template: `d&#39;abord`.)
    assert!(
        region.text.replace("&#39;", "'").contains(
            "1 ressource(s) à moins de 1000 km de votre structure, la plus proche d'abord"
        ),
        "{}",
        region.text
    );
}

/// Issue 22, point 5: one clock. An instance configured to run 400 days ahead creates objects
/// at its own "now" and greets the venue with its own "today": the API and the portal agree,
/// because services take the time from the front, which reads the configured clock once.
async fn the_api_and_the_portal_read_one_configured_clock(app: TestApp) {
    const AHEAD_DAYS: i64 = 400;
    let offset = (AHEAD_DAYS * 86_400).to_string();
    let ahead = app.instance_with(&[("ITINERANCE_CLOCK_OFFSET_SECONDS", offset.as_str())]);
    let expected = |shift: i64| {
        let now = chrono::Utc::now() + chrono::Duration::days(shift);
        [
            now.date_naive(),
            (now - chrono::Duration::minutes(5)).date_naive(),
        ]
    };
    let net = Network::new(&ahead).await;

    let org = ahead
        .get(
            &format!("/api/v1/organizations/{}", net.venue.org_id),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(org.status, 200, "{}", org.text);
    let created: chrono::DateTime<chrono::Utc> =
        org.body["created_at"].as_str().unwrap().parse().unwrap();
    assert!(
        expected(AHEAD_DAYS).contains(&created.date_naive()),
        "created_at {created} is not 400 days ahead"
    );

    let mut browser = Browser::new(&ahead);
    let res = browser.log_in(&net.venue.email, PASSWORD).await;
    assert_eq!(res.status, 303, "{}", res.text);
    let home = browser.get("/").await;
    assert_eq!(home.status, 200, "{}", home.text);
    assert!(
        expected(AHEAD_DAYS)
            .iter()
            .any(|d| home.text.contains(&itinerance::portal::words::day(*d))),
        "the home page's today is not the configured clock's: {}",
        home.text
    );
    // The unshifted instance on the same database still lives today.
    let mut today = Browser::new(&app);
    today.log_in(&net.venue.email, PASSWORD).await;
    let home = today.get("/").await;
    assert!(expected(0)
        .iter()
        .any(|d| home.text.contains(&itinerance::portal::words::day(*d))));
    drop(ahead);
}

crate::on_both_backends!(
    the_api_and_the_portal_read_one_configured_clock,
    find_says_when_nothing_is_near_and_shows_the_nearest_beyond,
    session_cookie_is_http_only_lax_and_logout_ends_the_session,
    cookie_flags,
    a_post_without_its_csrf_token_is_refused_and_changes_nothing,
    a_deactivated_or_re_passworded_users_session_is_refused_on_every_instance,
    login_throttling_is_shared_with_the_api,
    a_double_submit_books_once_and_bad_dates_come_back_on_the_form,
    the_venue_follows_reports_and_evaluates_its_loan,
);

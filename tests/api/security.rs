//! Issue 27: what an outside probe got through, closed class by class (throttling counted before
//! the password check, bounded dates, field-level scopes, IPv4-in-IPv6 webhook addresses, bounded
//! money, token standing, idempotent replays, capped error lists, address lengths).

use futures_util::future::join_all;
use serde_json::json;

use crate::builders::{day, id_of, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::{Backend, TestApp};
use crate::on_both_backends;

/// Sends `n` logins for one e-mail at once, the right password at `right_at` (if any); returns
/// the statuses.
async fn login_burst(app: &TestApp, email: &str, n: usize, right_at: Option<usize>) -> Vec<u16> {
    let requests = (0..n).map(|i| {
        let password = if Some(i) == right_at {
            crate::common::PASSWORD
        } else {
            "wrong-password"
        };
        app.post(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": password}),
        )
    });
    join_all(requests).await.iter().map(|r| r.status).collect()
}

async fn a_burst_of_parallel_logins_gets_exactly_five_password_checks(app: TestApp) {
    let agency = app.agency_admin().await;
    let user = app
        .member_of_new_org(&agency, "venue", "admin", "80021")
        .await;
    let statuses = login_burst(&app, &user.email, 20, None).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, refused), (5, 15), "{statuses:?}");
    // The right password 10th in a burst on a fresh e-mail: still 5 wrong passwords checked at
    // most. A right password withdraws its own attempt (it was no failure), so when it is admitted
    // early one more wrong password may be checked after it: 6 checks, never 6 failures.
    let other = app
        .member_of_new_org(&agency, "venue", "admin", "80021")
        .await;
    let statuses = login_burst(&app, &other.email, 20, Some(9)).await;
    let failed = statuses.iter().filter(|s| **s == 401).count();
    let admitted = statuses.iter().filter(|s| **s == 200).count();
    assert!(failed <= 5 && admitted <= 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| matches!(*s, 200 | 401 | 429)));
}

/// Finding 3: a date is judged after JSON parsing and percent-decoding, so escapes do not hide it.
async fn escaped_far_dates_are_refused_everywhere(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let program = br#"{"name": "Villages", "funder": "R\u00e9gion", "rate_percent": 20,
        "budget_cents": 100000, "valid_from": "2027-01-01",
        "valid_to": "\u002b10000-01\u002d01", "commune_classes": ["village"]}"#;
    let res = app
        .raw(
            "POST",
            "/api/v1/subsidy-programs",
            Some(&net.agency.token),
            Some("application/json"),
            program.to_vec(),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), ["valid_to"]);
    let listed = app
        .get("/api/v1/subsidy-programs", Some(&net.agency.token))
        .await;
    assert_eq!(
        listed.body.as_array().map(Vec::len),
        Some(0),
        "nothing stored"
    );
    let kit = ResourceBuilder::kit("Kit daté")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let maintenance = format!("/api/v1/copies/{}/maintenance", kit.copies[0]);
    for (starts_on, ends_on) in [
        (r#"\u0030000-01-01"#, "2027-01-02"),
        ("1899-12-31", "2027-01-02"),
        (r#"-0001-01\u002d01"#, "2027-01-02"),
    ] {
        let body = format!(
            r#"{{"kind": "cleaning", "starts_on": "{starts_on}", "ends_on": "{ends_on}"}}"#
        );
        let res = app
            .raw(
                "POST",
                &maintenance,
                Some(&net.producer.token),
                Some("application/json"),
                body.into_bytes(),
            )
            .await;
        assert_eq!(res.status, 422, "{starts_on}: {}", res.text);
        assert_eq!(res.fields(), ["starts_on"], "{starts_on}");
    }
    let res = app
        .get(
            &format!(
                "/api/v1/resources/{}/availability?from=2027-01-01&to=%2B10000%2D01%2D01",
                kit.id
            ),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), ["to"]);
}

/// Finding 15: a body with thousands of bad values gets a short answer, counting the rest.
async fn long_error_lists_are_capped(app: TestApp) {
    let net = Network::new(&app).await;
    let mut body = serde_json::Map::new();
    for i in 0..2_000 {
        body.insert(format!("d{i}"), json!("10000-01-01"));
    }
    let res = app
        .post(
            "/api/v1/subsidy-programs",
            Some(&net.agency.token),
            serde_json::Value::Object(body),
        )
        .await;
    assert_eq!(res.status, 422);
    let errors = res.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 51, "{}", &res.text[..300]);
    assert_eq!(errors[50]["message"], "1950 more errors");
    assert!(res.text.len() < 10_000, "{}", res.text.len());
}

/// Finding 4: a copy's status, retirement or grade is `condition:write` work on any route.
async fn a_catalogue_key_cannot_do_condition_work_through_patch(app: TestApp) {
    let net = Network::new(&app).await;
    let kit = ResourceBuilder::kit("Kit des portées")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let copy = format!("/api/v1/copies/{}", kit.copies[0]);
    let catalogue = app
        .api_key_with(&net.producer, &["read", "catalogue:write"])
        .await;
    for change in [
        json!({"status": "retired", "retirement_reason": "x"}),
        json!({"status": "maintenance"}),
        json!({"status": "available"}),
        json!({"condition_grade": 1}),
    ] {
        let res = app
            .patch(&copy, Some(&catalogue.token), change.clone())
            .await;
        assert_eq!(res.status, 403, "{change}: {}", res.text);
        assert_eq!(res.code(), "insufficient_scope");
    }
    assert_eq!(
        app.get(&copy, Some(&net.producer.token)).await.body["status"],
        "available",
        "nothing changed"
    );
    // Catalogue fields stay the catalogue key's; the condition key does the status.
    let res = app
        .patch(&copy, Some(&catalogue.token), json!({"asset_tag": "K-1"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let condition = app
        .api_key_with(
            &net.producer,
            &["read", "catalogue:write", "condition:write"],
        )
        .await;
    let res = app
        .patch(
            &copy,
            Some(&condition.token),
            json!({"status": "maintenance"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

/// Finding 1: a venue at its request cap keeps waiting instead of getting more requests; a
/// promoted request's history names the venue.
async fn the_waitlist_respects_the_request_cap(app: TestApp) {
    let net = Network::new(&app).await;
    let trunk = ResourceBuilder::trunk("Malle du plafond")
        .copies(4)
        .build(&app, &net.producer)
        .await;
    let ask = |n: i64| {
        json!({"resource_id": trunk.id, "venue_id": net.venue.org_id,
               "starts_on": day(20 + 10 * n), "ends_on": day(22 + 10 * n)})
    };
    for n in 0..2 {
        let res = app
            .post("/api/v1/bookings", Some(&net.venue.token), ask(n))
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
    }
    for n in 2..4 {
        let res = app
            .post("/api/v1/waitlist", Some(&net.venue.token), ask(n))
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        assert_eq!(res.body["status"], "waiting", "{}", res.text);
        assert_eq!(res.body["booking_id"], serde_json::Value::Null);
    }
    let listed = app
        .get(
            &format!("/api/v1/bookings?venue_id={}", net.venue.org_id),
            Some(&net.venue.token),
        )
        .await;
    let items = listed.body["items"]
        .as_array()
        .or_else(|| listed.body.as_array())
        .unwrap()
        .len();
    assert_eq!(items, 2, "still at the cap: {}", listed.text);
    // Under the cap, a promotion books at once, on the venue's behalf.
    let other = app.venue(&net.agency, "80021").await;
    let res = app
        .post(
            "/api/v1/waitlist",
            Some(&other.token),
            json!({"resource_id": trunk.id, "venue_id": other.org_id,
                   "starts_on": day(90), "ends_on": day(91)}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["status"], "fulfilled", "{}", res.text);
    let booking = res.body["booking_id"].as_i64().unwrap();
    let history = app
        .get(
            &format!("/api/v1/bookings/{booking}/history"),
            Some(&other.token),
        )
        .await;
    assert_eq!(
        history.body[0]["actor_organization_id"], other.org_id,
        "{}",
        history.text
    );
    let _ = id_of;
}

mod capped {
    use super::*;

    const LIMIT: [(&str, &str); 1] = [("ITINERANCE_MAX_OPEN_REQUESTS_PER_VENUE", "2")];

    #[actix_web::test]
    async fn sqlite_the_waitlist_respects_the_request_cap() {
        the_waitlist_respects_the_request_cap(TestApp::start_with(Backend::Sqlite, &LIMIT).await)
            .await
    }

    #[actix_web::test]
    async fn postgres_the_waitlist_respects_the_request_cap() {
        the_waitlist_respects_the_request_cap(TestApp::start_with(Backend::Postgres, &LIMIT).await)
            .await
    }
}

on_both_backends!(
    a_burst_of_parallel_logins_gets_exactly_five_password_checks,
    escaped_far_dates_are_refused_everywhere,
    long_error_lists_are_capped,
    a_catalogue_key_cannot_do_condition_work_through_patch,
    ipv4_in_ipv6_loopback_is_refused_for_webhooks,
    costs_and_addresses_are_bounded,
    a_non_ascii_idempotency_key_is_422,
    tokens_are_bound_to_the_users_standing,
);

/// Finding 5: IPv4 inside IPv6, in every form, is judged as the IPv4 address it reaches.
async fn ipv4_in_ipv6_loopback_is_refused_for_webhooks(app: TestApp) {
    let net = Network::new(&app).await;
    for url in [
        "http://[::127.0.0.1]/",
        "http://[::ffff:0:7f00:1]/",
        "http://[2002:7f00:1::1]/",
        "http://[64:ff9b::a00:1]/",
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
    ] {
        let res = app
            .post(
                "/api/v1/webhooks",
                Some(&net.producer.token),
                json!({"url": url, "events": ["booking.requested"]}),
            )
            .await;
        assert_eq!(res.status, 422, "{url}: {}", res.text);
        assert_eq!(res.fields(), ["url"], "{url}");
    }
}

/// Finding 7: a cost is bounded like every amount; finding 12: an address is a postal address.
async fn costs_and_addresses_are_bounded(app: TestApp) {
    let net = Network::new(&app).await;
    let kit = ResourceBuilder::kit("Kit coûteux")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let maintenance = format!("/api/v1/copies/{}/maintenance", kit.copies[0]);
    for cost in [i64::MAX, 100_000_001, -1] {
        let res = app
            .post(
                &maintenance,
                Some(&net.producer.token),
                json!({"kind": "cleaning", "starts_on": day(10), "ends_on": day(11),
                       "cost_cents": cost}),
            )
            .await;
        assert_eq!(res.status, 422, "{cost}: {}", res.text);
        assert_eq!(res.fields(), ["cost_cents"]);
    }
    let res = app
        .post(
            "/api/v1/resources",
            Some(&net.producer.token),
            json!({"kind": "kit", "title": "Hors de prix", "description": "Trop chère",
                   "themes": ["other"], "audiences": ["all"],
                   "production_cost_cents": i64::MAX}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(res.fields().contains(&"production_cost_cents".to_string()));
    let org = format!("/api/v1/organizations/{}", net.venue.org_id);
    let res = app
        .patch(
            &org,
            Some(&net.agency.token),
            json!({"address": "a".repeat(200_000)}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", &res.text[..200.min(res.text.len())]);
    assert_eq!(res.fields(), ["address"]);
    let res = app
        .patch(
            &org,
            Some(&net.agency.token),
            json!({"address": "a".repeat(300)}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app
        .post(
            "/api/v1/organizations",
            Some(&net.agency.token),
            json!({"name": "Longue", "kind": "venue", "commune_insee": "80021",
                   "address": "b".repeat(301)}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), ["address"]);
}

/// Finding 15: a non-ASCII `Idempotency-Key` is 422 naming the header, as documented.
async fn a_non_ascii_idempotency_key_is_422(app: TestApp) {
    let net = Network::new(&app).await;
    let kit = ResourceBuilder::kit("Kit des clés")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let res = app
        .post_with(
            "/api/v1/bookings",
            Some(&net.venue.token),
            &[("Idempotency-Key", "clé-été")],
            json!({"resource_id": kit.id, "venue_id": net.venue.org_id,
                   "starts_on": day(30), "ends_on": day(31)}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), ["Idempotency-Key"]);
}

/// Signs claims for `who` with the test server's key.
fn forge(app: &TestApp, who: &crate::common::Actor, iat_ms: i64, exp: i64) -> String {
    use itinerance::auth::token::Claims;
    app.state
        .tokens
        .sign(&Claims {
            sub: who.user_id.to_string(),
            org: who.org_id,
            kind: "venue".into(),
            role: "admin".into(),
            iss: "itinerance".into(),
            iat: iat_ms.div_euclid(1000),
            exp,
            iat_ms: Some(iat_ms),
        })
        .unwrap()
}

/// Findings 11 and 15: a token issued just after a password change stands, one just before does
/// not; a future `iat` or an over-long life is refused; rights are read from the database.
async fn tokens_are_bound_to_the_users_standing(app: TestApp) {
    let net = Network::new(&app).await;
    let venue = &net.venue;
    let before = chrono::Utc::now().timestamp_millis();
    let res = app
        .post(
            "/api/v1/me/password",
            Some(&venue.token),
            json!({"current_password": crate::common::PASSWORD,
                   "new_password": "un nouveau secret"}),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.text);
    let after = chrono::Utc::now().timestamp_millis();
    let exp = after / 1000 + 600;
    // Issued within the same second as the change, but after it: it stands.
    let fresh = forge(&app, venue, after, exp);
    assert_eq!(app.get("/api/v1/me", Some(&fresh)).await.status, 200);
    let stale = forge(&app, venue, before - 1, exp);
    assert_eq!(app.get("/api/v1/me", Some(&stale)).await.status, 401);
    // A real login right after the change works at once.
    let token = app.login(&venue.email, "un nouveau secret").await;
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, 200);
    // Issued an hour ahead, or for ten times the lifetime: refused.
    let now = chrono::Utc::now().timestamp_millis();
    let future = forge(&app, venue, now + 3_600_000, now / 1000 + 4_000);
    assert_eq!(app.get("/api/v1/me", Some(&future)).await.status, 401);
    let ttl = app.state.tokens.ttl_seconds();
    let long = forge(&app, venue, now, now / 1000 + 10 * ttl);
    assert_eq!(app.get("/api/v1/me", Some(&long)).await.status, 401);
    // Demoted in the database: the admin token no longer administers.
    let uid = venue.user_id;
    app.state
        .run(move |conn| {
            use diesel::prelude::*;
            use itinerance::schema::users;
            diesel::update(users::table.find(uid))
                .set(users::role.eq("member"))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    app.state.user_gate.forget(uid);
    let res = app
        .post(
            "/api/v1/api-keys",
            Some(&token),
            json!({"name": "k", "scopes": ["read"]}),
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.text);
}

/// Finding 13: the backup copy (password hashes, webhook secrets) is the owner's only, and never
/// written through a symlink (SQLite only: PostgreSQL is backed up with its own tools).
#[actix_web::test]
async fn sqlite_backups_are_private_and_never_follow_symlinks() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::start(Backend::Sqlite).await;
    let url = app.state.config.effective_database_url();
    let dir = std::env::temp_dir().join(format!("itn_sec_backup_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let copy = dir.join("copy.db");
    let _ = std::fs::remove_file(&copy);
    itinerance::db::backup(&url, &copy).unwrap();
    let mode = std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    assert!(std::fs::metadata(&copy).unwrap().len() > 0);
    // A dangling symlink is refused, and nothing is created where it points.
    let link = dir.join("link.db");
    let target = dir.join("elsewhere.db");
    let _ = std::fs::remove_file(&link);
    let _ = std::fs::remove_file(&target);
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let err = itinerance::db::backup(&url, &link).unwrap_err();
    assert!(err.contains("never overwrites"), "{err}");
    assert!(!target.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

//! Access under abuse (issue 13): API keys act only within their scopes; failed logins are
//! throttled per e-mail in the database; a deactivated user's tokens, and tokens issued before a
//! password change, are refused everywhere.

use serde_json::json;

use crate::builders::{day, id_of, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::TestApp;
use crate::on_both_backends;

async fn api_keys_act_only_within_their_scopes(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let kit = ResourceBuilder::kit("Kit des clés")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    // The default is read: reading works, booking, cancelling and reading users do not.
    let venue_read = app.api_key_of(&net.venue).await;
    let res = app
        .get(
            &format!("/api/v1/resources/{}", kit.id),
            Some(&venue_read.token),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let booking = json!({"resource_id": kit.id, "venue_id": net.venue.org_id,
                         "starts_on": day(30), "ends_on": day(31)});
    let res = app
        .post("/api/v1/bookings", Some(&venue_read.token), booking.clone())
        .await;
    assert_eq!(res.status, 403, "{}", res.text);
    assert_eq!(res.code(), "insufficient_scope");
    let res = app.get("/api/v1/users", Some(&venue_read.token)).await;
    assert_eq!(res.status, 403, "users' e-mails need admin: {}", res.text);
    assert_eq!(res.code(), "insufficient_scope");
    // With bookings:write the venue's key books, and still reads no users.
    let venue_booker = app
        .api_key_with(&net.venue, &["read", "bookings:write"])
        .await;
    let res = app
        .post("/api/v1/bookings", Some(&venue_booker.token), booking)
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = id_of(&res.body);
    assert_eq!(
        app.get("/api/v1/users", Some(&venue_booker.token))
            .await
            .status,
        403
    );
    // A producer's read key cannot approve; the agency's cannot create organisations.
    let producer_read = app.api_key_of(&net.producer).await;
    let res = app.act(&producer_read, id, "approve").await;
    assert_eq!(res.status, 403, "{}", res.text);
    assert_eq!(res.code(), "insufficient_scope");
    let agency_key = app
        .api_key_with(&net.agency, &["read", "bookings:write"])
        .await;
    let res = app
        .post(
            "/api/v1/organizations",
            Some(&agency_key.token),
            json!({"name": "Par clé", "kind": "venue", "commune_insee": "80021"}),
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.text);
    assert_eq!(res.code(), "insufficient_scope");
    // The list shows each key's scopes; unknown scopes and an empty list are refused.
    let keys = app.get("/api/v1/api-keys", Some(&net.venue.token)).await;
    let scopes: Vec<_> = keys
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["scopes"].clone())
        .collect();
    assert!(scopes.contains(&json!(["read"])), "{}", keys.text);
    assert!(scopes.contains(&json!(["read", "bookings:write"])));
    let res = app
        .post(
            "/api/v1/api-keys",
            Some(&net.venue.token),
            json!({"name": "k", "scopes": ["everything"]}),
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    let res = app
        .post(
            "/api/v1/api-keys",
            Some(&net.venue.token),
            json!({"name": "k", "scopes": []}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), ["scopes"]);
}

async fn failed_logins_are_throttled_per_email(app: TestApp) {
    let agency = app.agency_admin().await;
    let user = app
        .member_of_new_org(&agency, "venue", "admin", "80021")
        .await;
    let login = |password: &'static str, email: String| {
        let app = &app;
        async move {
            app.post(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": password}),
            )
            .await
        }
    };
    for _ in 0..5 {
        let res = login("wrong-password", user.email.clone()).await;
        assert_eq!(res.status, 401, "{}", res.text);
    }
    // Now even the right password waits, with Retry-After; the e-mail's case does not matter.
    let res = login(crate::common::PASSWORD, user.email.to_uppercase()).await;
    assert_eq!(res.status, 429, "{}", res.text);
    assert_eq!(res.code(), "too_many_attempts");
    let retry: i64 = res
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((800..=900).contains(&retry), "{retry}");
    // Another e-mail is not affected; an unknown one is counted the same way.
    let other = app
        .member_of_new_org(&agency, "venue", "admin", "80021")
        .await;
    assert_eq!(
        login(crate::common::PASSWORD, other.email.clone())
            .await
            .status,
        200
    );
    for _ in 0..5 {
        assert_eq!(login("x", "nobody@nowhere.fr".into()).await.status, 401);
    }
    assert_eq!(login("x", "nobody@nowhere.fr".into()).await.status, 429);
    // A second instance counts the same failures (they are in the database).
    let second = app.another_instance();
    let res = second
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": user.email, "password": crate::common::PASSWORD}),
        )
        .await;
    assert_eq!(res.status, 429);
    drop(second);
    // The window passes (moved back here rather than waited for): the right password works.
    app.state
        .run(|conn| {
            use diesel::prelude::*;
            use itinerance::schema::login_failures;
            let past = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(16);
            Ok(diesel::update(login_failures::table)
                .set(login_failures::failed_at.eq(past))
                .execute(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(
        login(crate::common::PASSWORD, user.email.clone())
            .await
            .status,
        200
    );
}

async fn deactivated_users_and_old_tokens_are_refused(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let member = app.user_in(&net.agency, net.venue.org_id, "member").await;
    let kit = ResourceBuilder::kit("Kit du départ")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    assert_eq!(app.get("/api/v1/me", Some(&member.token)).await.status, 200);
    // A member cannot deactivate; another organisation does not see the user; nobody
    // deactivates themselves.
    let path = format!("/api/v1/users/{}/deactivate", member.user_id);
    assert_eq!(
        app.send("POST", &path, Some(&member.token), None)
            .await
            .status,
        403
    );
    assert_eq!(
        app.send("POST", &path, Some(&net.producer.token), None)
            .await
            .status,
        404
    );
    let own = format!("/api/v1/users/{}/deactivate", net.venue.user_id);
    assert_eq!(
        app.send("POST", &own, Some(&net.venue.token), None)
            .await
            .status,
        409
    );
    let res = app.send("POST", &path, Some(&net.venue.token), None).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.body["deactivated_at"].as_str().unwrap().ends_with('Z'));
    // Within seconds on every instance (the standing is remembered 5 s at most).
    std::thread::sleep(std::time::Duration::from_secs(6));
    for (method, path) in [
        ("GET", "/api/v1/me".to_string()),
        ("GET", format!("/api/v1/resources/{}", kit.id)),
        ("GET", "/api/v1/bookings".to_string()),
    ] {
        let res = app.send(method, &path, Some(&member.token), None).await;
        assert_eq!(res.status, 401, "{method} {path}: {}", res.text);
    }
    let res = app
        .post(
            "/api/v1/bookings",
            Some(&member.token),
            json!({"resource_id": kit.id, "venue_id": net.venue.org_id,
                   "starts_on": day(30), "ends_on": day(31)}),
        )
        .await;
    assert_eq!(res.status, 401, "{}", res.text);
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": member.email, "password": crate::common::PASSWORD}),
        )
        .await;
    assert_eq!(res.status, 401);

    // A password change refuses the tokens issued before it.
    let res = app
        .post(
            "/api/v1/me/password",
            Some(&net.venue.token),
            json!({"current_password": "not-it-at-all", "new_password": "un nouveau secret"}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), ["current_password"]);
    let res = app
        .post(
            "/api/v1/me/password",
            Some(&net.venue.token),
            json!({"current_password": crate::common::PASSWORD, "new_password": "court"}),
        )
        .await;
    assert_eq!(res.fields(), ["new_password"]);
    let res = app
        .post(
            "/api/v1/me/password",
            Some(&net.venue.token),
            json!({"current_password": crate::common::PASSWORD, "new_password": "un nouveau secret"}),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.text);
    assert_eq!(
        app.get("/api/v1/me", Some(&net.venue.token)).await.status,
        401
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let fresh = app.login(&net.venue.email, "un nouveau secret").await;
    assert_eq!(app.get("/api/v1/me", Some(&fresh)).await.status, 200);
}

/// Who changed what: organisations, users, keys, resources, copies, tariffs, the pricing policy
/// and webhooks each leave a line, in the transaction of the change, read by the agency only.
async fn the_audit_log_records_who_changed_what(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let org_path = format!("/api/v1/organizations/{}", net.venue.org_id);
    let res = app
        .patch(
            &org_path,
            Some(&net.venue.token),
            json!({"name": "Médiathèque rénovée"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let kit = ResourceBuilder::kit("Kit audité")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let res = app
        .send(
            "PUT",
            &format!("/api/v1/resources/{}/tariff", kit.id),
            Some(&net.producer.token),
            Some(json!({"per_loan_cents": 5000, "per_week_cents": 1000, "deposit_cents": 0})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let key = app.api_key_of(&net.venue).await;
    let keys = app.get("/api/v1/api-keys", Some(&net.venue.token)).await;
    let key_id = keys.body[0]["id"].as_i64().unwrap();
    app.delete(
        &format!("/api/v1/api-keys/{key_id}"),
        Some(&net.venue.token),
    )
    .await;
    let _ = key;
    // A refused change leaves nothing.
    let res = app
        .patch(
            &org_path,
            Some(&net.venue.token),
            json!({"latitude": -49.5, "longitude": -176.4}),
        )
        .await;
    assert_eq!(res.status, 422);

    let log = app
        .get("/api/v1/audit?limit=500", Some(&net.agency.token))
        .await;
    assert_eq!(log.status, 200, "{}", log.text);
    let lines = log.body.as_array().unwrap();
    let find = |action: &str, object_id: i64| {
        lines
            .iter()
            .find(|l| l["action"] == action && l["object_id"] == object_id)
            .unwrap_or_else(|| panic!("no {action} of {object_id}: {}", log.text))
            .clone()
    };
    let renamed = find("organization.updated", net.venue.org_id);
    assert_eq!(renamed["actor_user_id"], net.venue.user_id);
    assert_eq!(renamed["details"]["name"], "Médiathèque rénovée");
    assert!(renamed["created_at"].as_str().unwrap().ends_with('Z'));
    let created = find("resource.created", kit.id);
    assert_eq!(created["actor_organization_id"], net.producer.org_id);
    assert_eq!(find("copy.created", kit.copies[0])["object_type"], "copy");
    assert_eq!(
        find("tariff.set", kit.id)["details"]["per_loan_cents"],
        5000
    );
    assert_eq!(
        find("api_key.created", key_id)["details"]["scopes"],
        json!(["read"])
    );
    find("api_key.revoked", key_id);
    let updates = lines
        .iter()
        .filter(|l| l["action"] == "organization.updated" && l["object_id"] == net.venue.org_id)
        .count();
    assert_eq!(updates, 1, "the refused change left no line");
    assert!(
        !log.text.contains(crate::common::PASSWORD),
        "no password in the log"
    );
    // Filters and paging; the agency only.
    let only = app
        .get(
            &format!("/api/v1/audit?object_type=resource&object_id={}", kit.id),
            Some(&net.agency.token),
        )
        .await;
    assert!(only
        .body
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["object_id"] == kit.id));
    let first = lines[0]["id"].as_i64().unwrap();
    let older = app
        .get(
            &format!("/api/v1/audit?before_id={first}"),
            Some(&net.agency.token),
        )
        .await;
    assert!(older
        .body
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["id"].as_i64().unwrap() < first));
    assert_eq!(
        app.get("/api/v1/audit", Some(&net.producer.token))
            .await
            .status,
        403
    );
}

on_both_backends!(
    api_keys_act_only_within_their_scopes,
    failed_logins_are_throttled_per_email,
    deactivated_users_and_old_tokens_are_refused,
    the_audit_log_records_who_changed_what
);

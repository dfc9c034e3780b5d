//! Webhooks over real HTTP on loopback: signed deliveries (checked here with an independent
//! HMAC, and in the contract stage with the Standard Webhooks library), only the organisation's
//! own objects, retries after 500s and timeouts with the same `webhook-id`, disabling after a day
//! of failures with a mail to the admins, and refusal of private addresses.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::builders::{day, id_of, BookingBuilder, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::{Backend, TestApp};
use crate::receiver::{Answer, Hit, Receiver};
use crate::smtp::SmtpSink;

async fn app_with_webhooks(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    let mut env = vec![
        ("ITINERANCE_WEBHOOK_ALLOW_PRIVATE", "true"),
        ("ITINERANCE_WEBHOOK_RETRY_BASE_SECONDS", "1"),
        ("ITINERANCE_WEBHOOK_TIMEOUT_MS", "1000"),
        ("ITINERANCE_NOTIFY_POLL_MS", "50"),
    ];
    env.extend_from_slice(extra);
    TestApp::start_with(backend, &env).await
}

/// Checks a delivery's signature as the specification defines it, without the service's code.
fn verify(secret: &str, hit: &Hit) {
    let key = BASE64
        .decode(secret.strip_prefix("whsec_").expect("whsec_ prefix"))
        .expect("base64 key");
    let id = &hit.headers["webhook-id"];
    let timestamp = &hit.headers["webhook-timestamp"];
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{}", hit.body).as_bytes());
    let expected = format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()));
    let signatures: Vec<&str> = hit.headers["webhook-signature"].split(' ').collect();
    assert!(
        signatures.contains(&expected.as_str()),
        "signature {:?} is not {expected}",
        hit.headers["webhook-signature"]
    );
    let sent: i64 = timestamp.parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - sent).abs() < 300);
}

async fn register(app: &TestApp, token: &str, url: &str, events: Value) -> crate::common::Resp {
    app.post(
        "/api/v1/webhooks",
        Some(token),
        json!({"url": url, "events": events}),
    )
    .await
}

async fn partners_receive_signed_events_about_their_own_objects(backend: Backend) {
    let receiver = Receiver::start();
    let elsewhere = Receiver::start();
    let app = app_with_webhooks(backend, &[]).await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let other = app.producer(&net.agency, AMIENS).await;

    // Who may register: admins and API keys, not members; a registration must name events.
    let member = app
        .user_in(&net.agency, net.producer.org_id, "member")
        .await;
    let res = register(
        &app,
        &member.token,
        &receiver.url("/m"),
        json!(["booking.requested"]),
    )
    .await;
    assert_eq!(res.status, 403, "{}", res.text);
    let res = register(&app, &net.producer.token, &receiver.url("/x"), json!([])).await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), ["events"]);
    let res = register(
        &app,
        &net.producer.token,
        "ftp://example.org/x",
        json!(["booking.approved"]),
    )
    .await;
    assert_eq!(res.fields(), ["url"], "{}", res.text);
    let res = register(
        &app,
        &net.producer.token,
        &receiver.url("/x"),
        json!(["booking.nope"]),
    )
    .await;
    assert_eq!(res.status, 400, "{}", res.text);

    let res = register(
        &app,
        &net.producer.token,
        &receiver.url("/hooks"),
        json!(["booking.requested", "booking.approved", "booking.requested"]),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let secret = res.body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(
        res.body["events"],
        json!(["booking.requested", "booking.approved"])
    );
    let webhook_id = res.body["id"].as_i64().unwrap();
    // Another producer's webhook hears nothing of this producer's loans.
    let key = app.api_key_with(&other, &["webhooks:write"]).await;
    let res = register(
        &app,
        &key.token,
        &elsewhere.url("/other"),
        json!([
            "booking.requested",
            "booking.approved",
            "booking.dispatched"
        ]),
    )
    .await;
    assert_eq!(res.status, 201, "an API key registers: {}", res.text);

    let listed = app.get("/api/v1/webhooks", Some(&net.producer.token)).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert!(
        listed.body[0].get("secret").is_none(),
        "the secret is shown once"
    );
    assert_eq!(listed.body[0]["active"], true);
    let venue_view = app.get("/api/v1/webhooks", Some(&net.venue.token)).await;
    assert_eq!(venue_view.body, json!([]));

    let kit = ResourceBuilder::kit("Kit relié")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let booking = BookingBuilder::new(kit.id, &net.venue, day(20), day(22))
        .build(&app, &net.producer)
        .await;
    let id = id_of(&booking);
    let hits = receiver.wait_for(1, Duration::from_secs(20));
    assert_eq!(hits.len(), 1, "{hits:#?}");
    let hit = &hits[0];
    assert_eq!(hit.path, "/hooks");
    assert_eq!(hit.headers["content-type"], "application/json");
    verify(&secret, hit);
    let body: Value = serde_json::from_str(&hit.body).unwrap();
    assert_eq!(body["type"], "booking.requested");
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'), "{body}");
    assert_eq!(body["data"]["object"], "booking");
    assert_eq!(body["data"]["id"], id);
    assert_eq!(body["data"]["booking"]["status"], "requested");
    assert_eq!(body["data"]["booking"]["venue_id"], net.venue.org_id);
    assert_eq!(body["data"]["booking"]["producer_id"], net.producer.org_id);
    assert_eq!(body["data"]["details"]["to"], "requested");

    app.act_ok(&net.producer, id, "approve", "approved").await;
    let hits = receiver.wait_for(2, Duration::from_secs(20));
    assert_eq!(hits.len(), 2);
    verify(&secret, &hits[1]);
    assert_ne!(hits[0].headers["webhook-id"], hits[1].headers["webhook-id"]);
    assert_eq!(
        serde_json::from_str::<Value>(&hits[1].body).unwrap()["type"],
        "booking.approved"
    );
    // Not subscribed: nothing.
    app.act_ok(&net.producer, id, "dispatch", "in_transit")
        .await;
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(receiver.hits().len(), 2);
    assert!(elsewhere.hits().is_empty(), "{:#?}", elsewhere.hits());

    let log = app
        .get(
            &format!("/api/v1/webhooks/{webhook_id}/deliveries"),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(log.status, 200, "{}", log.text);
    let log = log.body.as_array().unwrap().clone();
    assert_eq!(log.len(), 2);
    assert!(log
        .iter()
        .all(|d| d["status"] == "delivered" && d["attempts"] == 1 && d["last_status_code"] == 200));
    assert_eq!(log[0]["event_type"], "booking.approved", "newest first");
    // Another organisation sees neither the log nor the webhook.
    let res = app
        .get(
            &format!("/api/v1/webhooks/{webhook_id}/deliveries"),
            Some(&other.token),
        )
        .await;
    assert_eq!(res.status, 404);
    let res = app
        .delete(
            &format!("/api/v1/webhooks/{webhook_id}"),
            Some(&other.token),
        )
        .await;
    assert_eq!(res.status, 404);
    let res = app
        .delete(
            &format!("/api/v1/webhooks/{webhook_id}"),
            Some(&member.token),
        )
        .await;
    assert_eq!(res.status, 403);
    let res = app
        .delete(
            &format!("/api/v1/webhooks/{webhook_id}"),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.text);
    app.act_ok(&net.producer, id, "deliver", "delivered").await;
    let second = BookingBuilder::new(kit.id, &net.venue, day(40), day(42))
        .build(&app, &net.producer)
        .await;
    assert!(second["id"].is_i64());
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(receiver.hits().len(), 2, "nothing after deletion");
}

/// Sets when the webhook started failing (a day of failures takes a day to happen otherwise).
async fn failing_since(app: &TestApp, webhook_id: i64, hours_ago: i64) {
    let since = chrono::Utc::now().naive_utc() - chrono::Duration::hours(hours_ago);
    app.state
        .run(move |conn| {
            use itinerance::schema::webhooks;
            Ok(diesel::update(webhooks::table.find(webhook_id))
                .set(webhooks::failing_since.eq(Some(since)))
                .execute(conn)?)
        })
        .await
        .unwrap();
}

async fn failed_deliveries_are_retried_then_the_webhook_is_disabled(backend: Backend) {
    let receiver = Receiver::start();
    let sink = SmtpSink::start();
    let app = app_with_webhooks(
        backend,
        &[
            ("ITINERANCE_SMTP_URL", &sink.url()),
            ("ITINERANCE_NOTIFY_RETRY_BASE_SECONDS", "1"),
        ],
    )
    .await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let member = app
        .user_in(&net.agency, net.producer.org_id, "member")
        .await;
    let res = register(
        &app,
        &net.producer.token,
        &receiver.url("/flaky"),
        json!(["booking.requested", "booking.cancelled"]),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let webhook_id = res.body["id"].as_i64().unwrap();
    let secret = res.body["secret"].as_str().unwrap().to_string();
    let kit = ResourceBuilder::kit("Kit capricieux")
        .copies(1)
        .build(&app, &net.producer)
        .await;

    // 500s, then a timeout, then success: retried with the same webhook-id and body.
    receiver.answer(Answer::ServerError);
    let booking = BookingBuilder::new(kit.id, &net.venue, day(20), day(22))
        .build(&app, &net.producer)
        .await;
    receiver.wait_for(2, Duration::from_secs(20));
    receiver.answer(Answer::Slow);
    let before_slow = receiver.hits().len();
    receiver.wait_for(before_slow + 1, Duration::from_secs(20));
    std::thread::sleep(Duration::from_millis(1500));
    let log = app
        .get(
            &format!("/api/v1/webhooks/{webhook_id}/deliveries"),
            Some(&net.producer.token),
        )
        .await;
    let delivery = &log.body[0];
    assert_eq!(delivery["status"], "pending", "{}", log.text);
    assert!(delivery["attempts"].as_i64().unwrap() >= 3, "{delivery}");
    assert!(
        delivery["last_error"]
            .as_str()
            .unwrap()
            .contains("no answer"),
        "{delivery}"
    );
    receiver.answer(Answer::Ok);
    let mut delivered = Value::Null;
    for _ in 0..200 {
        let log = app
            .get(
                &format!("/api/v1/webhooks/{webhook_id}/deliveries"),
                Some(&net.producer.token),
            )
            .await;
        if log.body[0]["status"] == "delivered" {
            delivered = log.body[0].clone();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(delivered["last_status_code"], 200, "{delivered}");
    let hits = receiver.hits();
    assert!(hits.len() >= 4, "{hits:#?}");
    for hit in &hits {
        assert_eq!(hit.headers["webhook-id"], hits[0].headers["webhook-id"]);
        assert_eq!(hit.body, hits[0].body);
        verify(&secret, hit);
    }
    // Failing for more than a day: the next failure disables it, gives up what was pending and
    // mails the organisation's admins (not its members).
    receiver.answer(Answer::ServerError);
    failing_since(&app, webhook_id, 25).await;
    let res = app.act(&net.venue, id_of(&booking), "cancel").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let mut webhook = Value::Null;
    for _ in 0..200 {
        let listed = app.get("/api/v1/webhooks", Some(&net.producer.token)).await;
        if listed.body[0]["active"] == false {
            webhook = listed.body[0].clone();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(webhook["active"], false, "disabled");
    assert!(webhook["disabled_at"].as_str().unwrap().ends_with('Z'));
    assert!(
        webhook["disabled_reason"].as_str().unwrap().contains("500"),
        "{webhook}"
    );
    let dead = app
        .get(
            &format!("/api/v1/webhooks/{webhook_id}/deliveries?status=dead"),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(dead.body.as_array().unwrap().len(), 1, "{}", dead.text);
    // The request's mail to the producer's two users, then the admins' one.
    let mails = sink.wait_for(3, Duration::from_secs(30));
    let disabled: Vec<_> = mails
        .iter()
        .filter(|m| m.subject().to_lowercase().contains("webhook"))
        .collect();
    assert_eq!(disabled.len(), 1, "{mails:#?}");
    assert_eq!(disabled[0].to, std::slice::from_ref(&net.producer.email));
    assert!(
        disabled[0].text().contains(&receiver.url("/flaky")),
        "{}",
        disabled[0].text()
    );
    // The member got the request's mail, not the admins' one.
    assert!(mails.iter().any(|m| m.to == [member.email.clone()]));
    // Disabled: nothing more is tried.
    let attempts = receiver.hits().len();
    receiver.answer(Answer::Ok);
    BookingBuilder::new(kit.id, &net.venue, day(50), day(52))
        .build(&app, &net.producer)
        .await;
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(receiver.hits().len(), attempts);
}

async fn webhooks_only_go_to_public_addresses(backend: Backend) {
    let receiver = Receiver::start();
    let app = TestApp::start_with(
        backend,
        &[
            ("ITINERANCE_NOTIFY_POLL_MS", "50"),
            ("ITINERANCE_WEBHOOK_RETRY_BASE_SECONDS", "1"),
        ],
    )
    .await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    for url in [
        receiver.url("/hook"),
        format!("http://localhost:{}/hook", receiver.port),
        "http://10.0.0.7/hook".to_string(),
        "https://169.254.169.254/latest/meta-data".to_string(),
        format!("http://[::1]:{}/hook", receiver.port),
        "http://100.64.1.1/hook".to_string(),
    ] {
        let res = register(
            &app,
            &net.producer.token,
            &url,
            json!(["booking.requested"]),
        )
        .await;
        assert_eq!(res.status, 422, "{url}: {}", res.text);
        assert_eq!(res.fields(), ["url"], "{url}");
    }
    assert_eq!(
        app.get("/api/v1/webhooks", Some(&net.producer.token))
            .await
            .body,
        json!([])
    );
    // A webhook whose address became private since it was registered (written here directly, as
    // a DNS change would make it) is refused at delivery: the receiver hears nothing.
    let org = net.producer.org_id;
    let url = receiver.url("/rebound");
    let webhook_id: i64 = app
        .state
        .run(move |conn| {
            use itinerance::schema::webhooks;
            Ok(diesel::insert_into(webhooks::table)
                .values((
                    webhooks::organization_id.eq(org),
                    webhooks::url.eq(url),
                    webhooks::events.eq("booking.requested"),
                    webhooks::secret.eq("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                    webhooks::active.eq(true),
                    webhooks::created_at.eq(chrono::Utc::now().naive_utc()),
                ))
                .returning(webhooks::id)
                .get_result(conn)?)
        })
        .await
        .unwrap();
    let kit = ResourceBuilder::kit("Kit interne")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    BookingBuilder::new(kit.id, &net.venue, day(20), day(22))
        .build(&app, &net.producer)
        .await;
    let mut log = Value::Null;
    for _ in 0..200 {
        log = app
            .get(
                &format!("/api/v1/webhooks/{webhook_id}/deliveries"),
                Some(&net.producer.token),
            )
            .await
            .body;
        if log[0]["attempts"].as_i64().unwrap_or(0) > 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        log[0]["last_error"]
            .as_str()
            .unwrap_or("")
            .contains("not public"),
        "{log}"
    );
    assert!(receiver.hits().is_empty());
}

macro_rules! both {
    ($($name:ident),*) => {
        mod sqlite { $( #[actix_web::test] async fn $name() { super::$name(crate::common::Backend::Sqlite).await } )* }
        mod postgres { $( #[actix_web::test] async fn $name() { super::$name(crate::common::Backend::Postgres).await } )* }
    };
}
both!(
    partners_receive_signed_events_about_their_own_objects,
    failed_deliveries_are_retried_then_the_webhook_is_disabled,
    webhooks_only_go_to_public_addresses
);

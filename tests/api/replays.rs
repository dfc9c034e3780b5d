//! `Idempotency-Key` where the contract promises replays (issue 27, findings 9 and 10): invoice
//! issue and allocation confirmation replay their first answer, and a keyed booking whose server
//! was killed (kill -9) mid-request is made exactly once when retried after a restart.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::builders::{day, id_of, BookingBuilder, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::{Actor, TestApp};
use crate::einvoice::{seller_identity, set_identity};
use crate::on_both_backends;

fn keyed(key: &str) -> [(&'static str, &str); 1] {
    [("Idempotency-Key", key)]
}

/// Asserts `again` is `first` replayed: same status and body, marked as a replay.
fn assert_replay(first: &crate::common::Resp, again: &crate::common::Resp) {
    assert_eq!(again.status, first.status, "{}", again.text);
    assert_eq!(again.text, first.text);
    assert_eq!(
        again
            .headers
            .get("Idempotent-Replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
}

/// A keyed retry of `POST /bookings/{id}/invoice` replays the invoice (201, same body) instead
/// of answering 409 `already_invoiced`; the same key with another body is 422
/// `idempotency_key_reused`; one invoice exists.
async fn invoice_issue_replays_a_keyed_retry(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    set_identity(&app, &net.producer, seller_identity()).await;
    let trunk = ResourceBuilder::trunk("Malle rejouée")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let loan = BookingBuilder::new(trunk.id, &net.venue, day(10), day(12))
        .status("returned")
        .build(&app, &net.producer)
        .await;
    let path = format!("/api/v1/bookings/{}/invoice", id_of(&loan));
    let token = Some(net.producer.token.as_str());
    let first = app
        .post_with(&path, token, &keyed("facture-1"), json!({}))
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let again = app
        .post_with(&path, token, &keyed("facture-1"), json!({}))
        .await;
    assert_replay(&first, &again);
    let other = app
        .post_with(
            &path,
            token,
            &keyed("facture-1"),
            json!({"commitment_number": "EJ-2026-1"}),
        )
        .await;
    assert_eq!(other.status, 422, "{}", other.text);
    assert_eq!(other.code(), "idempotency_key_reused");
    // Without a key, the loan's own state still refuses a second invoice.
    let unkeyed = app.post(&path, token, json!({})).await;
    assert_eq!(unkeyed.status, 409, "{}", unkeyed.text);
    let invoices = app.get("/api/v1/invoices", token).await;
    assert_eq!(
        invoices.body.as_array().map(Vec::len),
        Some(1),
        "{}",
        invoices.text
    );
}

/// A keyed retry of an allocation confirmation replays the bookings made (200, same body)
/// instead of 409 `round_closed`; the key on another round is 422 `idempotency_key_reused`.
async fn allocation_confirm_replays_a_keyed_retry(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let kit = ResourceBuilder::kit("Kit rejoué")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let open_round = || async {
        let round = app
            .post(
                "/api/v1/allocation-rounds",
                Some(&net.agency.token),
                json!({"name": "Saison rejouée", "period_from": day(30), "period_to": day(120),
                       "resource_ids": [kit.id]}),
            )
            .await;
        assert_eq!(round.status, 201, "{}", round.text);
        id_of(&round.body)
    };
    let round = open_round().await;
    let wish = app
        .post(
            &format!("/api/v1/allocation-rounds/{round}/requests"),
            Some(&net.venue.token),
            json!({"venue_id": net.venue.org_id, "resource_id": kit.id,
                   "starts_on": day(40), "ends_on": day(42)}),
        )
        .await;
    assert_eq!(wish.status, 201, "{}", wish.text);
    let allocated = app
        .post(
            &format!("/api/v1/allocation-rounds/{round}/allocate"),
            Some(&net.agency.token),
            json!({"policy": "first_come"}),
        )
        .await;
    assert_eq!(allocated.status, 200, "{}", allocated.text);
    let path = format!("/api/v1/allocation-rounds/{round}/confirm");
    let token = Some(net.agency.token.as_str());
    let first = app
        .post_with(&path, token, &keyed("confirmation-1"), json!({}))
        .await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.body["booking_ids"].as_array().map(Vec::len), Some(1));
    let again = app
        .post_with(&path, token, &keyed("confirmation-1"), json!({}))
        .await;
    assert_replay(&first, &again);
    let second_round = open_round().await;
    let elsewhere = app
        .post_with(
            &format!("/api/v1/allocation-rounds/{second_round}/confirm"),
            token,
            &keyed("confirmation-1"),
            json!({}),
        )
        .await;
    assert_eq!(elsewhere.status, 422, "{}", elsewhere.text);
    assert_eq!(elsewhere.code(), "idempotency_key_reused");
    let unkeyed = app.post(&path, token, json!({})).await;
    assert_eq!(unkeyed.status, 409, "{}", unkeyed.text);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The built binary serving `app`'s database on a port of its own; a keyed request unanswered
/// for 2 s is deemed abandoned (the default is 60 s).
async fn serve(app: &TestApp, dir: &std::path::Path) -> (Child, String) {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_itinerance"))
        .arg("serve")
        .env(
            "ITINERANCE_DATABASE_URL",
            app.state.config.effective_database_url(),
        )
        .env("ITINERANCE_JWT_SECRET", &app.state.config.jwt_secret)
        .env("ITINERANCE_BIND", format!("127.0.0.1:{port}"))
        .env("ITINERANCE_DATA_DIR", dir)
        .env("ITINERANCE_WORKERS", "2")
        .env("ITINERANCE_DATABASE_POOL_SIZE", "6")
        .env("ITINERANCE_NOTIFY_WORKER", "false")
        .env("ITINERANCE_LOG", "error")
        .env("ITINERANCE_MAX_OPEN_REQUESTS_PER_VENUE", "1000")
        .env("ITINERANCE_IDEMPOTENCY_ABANDONED_AFTER_SECONDS", "2")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let base = format!("http://127.0.0.1:{port}");
    let client = awc::Client::default();
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
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    (child, base)
}

/// One keyed `POST /bookings`; `None` when the server gave no answer (it was killed).
async fn book(
    client: &awc::Client,
    base: &str,
    venue: &Actor,
    key: &str,
    body: &Value,
) -> Option<(u16, String)> {
    let mut res = client
        .post(format!("{base}/api/v1/bookings"))
        .insert_header(("Authorization", format!("Bearer {}", venue.token)))
        .insert_header(("Idempotency-Key", key))
        .send_json(body)
        .await
        .ok()?;
    let bytes = res.body().await.ok()?;
    Some((
        res.status().as_u16(),
        String::from_utf8_lossy(&bytes).into_owned(),
    ))
}

/// Finding 10: 40 keyed booking requests fired at once at the real binary, which is killed
/// (SIGKILL) once a few have been answered; restarted on the same database, every key is retried
/// with its body until it gets an answer other than "in progress". Each key's dates hold exactly
/// one booking: a booking committed before the kill was committed with its key's answer (the
/// retry replays it), one not committed left nothing (the retry makes it).
async fn a_keyed_booking_survives_kill_9_exactly_once(app: TestApp) {
    const KEYS: i64 = 40;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let kit = ResourceBuilder::kit("Kit tué")
        .copies(2)
        .build(&app, &net.producer)
        .await;
    let dir = std::env::temp_dir().join(format!(
        "itn_kill9_{}_{}",
        std::process::id(),
        crate::builders::unique_tag("d")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let bodies: Vec<(String, Value)> = (0..KEYS)
        .map(|i| {
            (
                format!("kill9-{i}"),
                json!({"resource_id": kit.id, "venue_id": net.venue.org_id,
                       "starts_on": day(20 + 5 * i), "ends_on": day(21 + 5 * i)}),
            )
        })
        .collect();
    let (mut child, base) = serve(&app, &dir).await;
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    let answered = std::sync::atomic::AtomicUsize::new(0);
    let firing = join_all(bodies.iter().map(|(key, body)| {
        let (client, base, answered) = (&client, &base, &answered);
        let venue = &net.venue;
        async move {
            let got = book(client, base, venue, key, body).await;
            if got.is_some() {
                answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            got
        }
    }));
    let killing = async {
        let waiting = Instant::now();
        while answered.load(std::sync::atomic::Ordering::SeqCst) < 5
            && waiting.elapsed() < Duration::from_secs(30)
        {
            actix_web::rt::time::sleep(Duration::from_millis(2)).await;
        }
        child.kill().expect("kill -9");
        child.wait().expect("the killed server is reaped");
    };
    let (first, ()) = futures_util::future::join(firing, killing).await;
    let unanswered = first.iter().filter(|a| a.is_none()).count();
    assert!(
        unanswered > 0,
        "the kill came after every answer: nothing was tested"
    );
    let (mut child, base) = serve(&app, &dir).await;
    for (key, body) in &bodies {
        let started = Instant::now();
        loop {
            let (status, text) = book(&client, &base, &net.venue, key, body)
                .await
                .expect("the restarted server answers");
            if status == 409 && text.contains("idempotency_key_in_progress") {
                assert!(
                    started.elapsed() < Duration::from_secs(30),
                    "{key} stays in progress"
                );
                actix_web::rt::time::sleep(Duration::from_millis(250)).await;
                continue;
            }
            assert_eq!(status, 201, "{key}: {text}");
            break;
        }
    }
    let list = app
        .get(
            &format!("/api/v1/bookings?venue_id={}&limit=500", net.venue.org_id),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    let bookings = list.body.as_array().cloned().unwrap_or_default();
    for (key, body) in &bodies {
        let made = bookings
            .iter()
            .filter(|b| b["starts_on"] == body["starts_on"])
            .count();
        assert_eq!(
            made, 1,
            "{key}: {made} bookings ({unanswered} of {KEYS} unanswered at the kill)"
        );
    }
    assert_eq!(bookings.len(), KEYS as usize);
    child.kill().ok();
    child.wait().ok();
    let _ = std::fs::remove_dir_all(&dir);
}

on_both_backends!(
    invoice_issue_replays_a_keyed_retry,
    allocation_confirm_replays_a_keyed_retry,
    a_keyed_booking_survives_kill_9_exactly_once,
);

//! Mail from the outbox over a real SMTP exchange on loopback: who gets what, in which language,
//! with what to do next; and mail written while the SMTP server is down arrives, once, when it is
//! back.

use std::time::Duration;

use diesel::prelude::*;
use serde_json::{json, Value};

use crate::builders::{day, id_of, BookingBuilder, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::{Backend, TestApp};
use crate::smtp::SmtpSink;

async fn app_mailing_to(backend: Backend, smtp_url: &str) -> TestApp {
    TestApp::start_with(
        backend,
        &[
            ("ITINERANCE_SMTP_URL", smtp_url),
            ("ITINERANCE_NOTIFY_POLL_MS", "50"),
            ("ITINERANCE_NOTIFY_RETRY_BASE_SECONDS", "1"),
            ("ITINERANCE_PUBLIC_BASE_URL", "https://itinerance.test"),
        ],
    )
    .await
}

async fn a_request_mails_the_producer_and_an_approval_the_venue(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_mailing_to(backend, &sink.url()).await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let english = app
        .user_in(&net.agency, net.producer.org_id, "member")
        .await;
    let me = app
        .patch("/api/v1/me", Some(&english.token), json!({"locale": "en"}))
        .await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["user"]["locale"], "en");
    let bystander = app.producer(&net.agency, AMIENS).await;
    let trunk = ResourceBuilder::trunk("Malle « Sons & lumières »")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let booking = BookingBuilder::new(trunk.id, &net.venue, day(20), day(24))
        .build(&app, &net.producer)
        .await;
    let id = id_of(&booking);

    let mails = sink.wait_for(2, Duration::from_secs(20));
    assert_eq!(mails.len(), 2, "{mails:#?}");
    let to_admin = mails
        .iter()
        .find(|m| m.to == [net.producer.email.clone()])
        .expect("admin");
    let to_english = mails
        .iter()
        .find(|m| m.to == [english.email.clone()])
        .expect("member");
    assert!(
        to_admin
            .subject()
            .starts_with("Nouvelle demande : Malle « Sons & lumières »"),
        "{:?}\n{}",
        to_admin.subject(),
        to_admin.data
    );
    assert!(to_english
        .subject()
        .starts_with("New request: Malle « Sons & lumières »"));
    let text = to_admin.text();
    assert!(
        text.contains(&format!("https://itinerance.test/bookings/{id}")),
        "{text}"
    );
    assert!(text.contains("acceptez ou refusez"), "{text}");
    assert!(
        text.contains("Sons &amp; lumières"),
        "the HTML part escapes: {text}"
    );
    assert!(to_english.text().contains("approve or reject"));
    assert!(mails
        .iter()
        .all(|m| m.from == "notifications@itinerance.invalid"));

    app.act_ok(&net.producer, id, "approve", "approved").await;
    let mails = sink.wait_for(3, Duration::from_secs(20));
    assert_eq!(mails.len(), 3, "{mails:#?}");
    let approved = &mails[2];
    assert_eq!(approved.to, std::slice::from_ref(&net.venue.email));
    assert!(
        approved.subject().starts_with("Demande acceptée"),
        "{}",
        approved.subject()
    );
    // Nothing else goes out, to anyone else.
    std::thread::sleep(Duration::from_millis(500));
    let all = sink.received();
    assert_eq!(all.len(), 3);
    assert!(all.iter().all(|m| m.to != [bystander.email.clone()]));
}

/// The SMTP server is down when the request is made: the mail waits, is retried, and arrives
/// exactly once when the server is back.
async fn mail_waits_for_the_smtp_server(backend: Backend) {
    let port = crate::smtp::idle_port();
    let app = app_mailing_to(backend, &format!("smtp://127.0.0.1:{port}")).await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let kit = ResourceBuilder::kit("Kit en attente")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    BookingBuilder::new(kit.id, &net.venue, day(20), day(22))
        .build(&app, &net.producer)
        .await;
    // Wait until the worker has failed at least once.
    let mut attempts = 0;
    for _ in 0..200 {
        attempts = app
            .state
            .run(|conn| {
                use itinerance::schema::notifications;
                Ok(notifications::table
                    .select(notifications::attempts)
                    .first::<i32>(conn)
                    .optional()?
                    .unwrap_or(0))
            })
            .await
            .unwrap();
        if attempts > 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(attempts > 0, "the worker tried while SMTP was down");
    // The agency sees it waiting, with why; nobody else may look.
    let waiting = app
        .get(
            "/api/v1/notifications?status=pending",
            Some(&net.agency.token),
        )
        .await;
    assert_eq!(waiting.status, 200, "{}", waiting.text);
    let first = &waiting.body[0];
    assert_eq!(first["recipient"], net.producer.email.as_str());
    assert!(
        first["last_error"].as_str().unwrap().contains("smtp"),
        "{first}"
    );
    assert!(first["next_attempt_at"].as_str().unwrap().ends_with('Z'));
    let res = app
        .get("/api/v1/notifications", Some(&net.venue.token))
        .await;
    assert_eq!(res.status, 403);
    let res = app
        .get("/api/v1/notifications?limit=0", Some(&net.agency.token))
        .await;
    assert_eq!(res.status, 422);
    let sink = SmtpSink::start_on(port);
    let mails = sink.wait_for(1, Duration::from_secs(30));
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, std::slice::from_ref(&net.producer.email));
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(sink.received().len(), 1, "sent once");
    let status: String = app
        .state
        .run(|conn| {
            use itinerance::schema::notifications;
            Ok(notifications::table
                .select(notifications::status)
                .first(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(status, "sent");
    let sent = app
        .get("/api/v1/notifications?status=sent", Some(&net.agency.token))
        .await;
    assert_eq!(sent.body.as_array().map(Vec::len), Some(1), "{}", sent.text);
}

/// A user turns a kind of mail off and gets the others; bad preferences change nothing; an API
/// key has none.
async fn users_turn_mail_kinds_off(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_mailing_to(backend, &sink.url()).await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    for bad in [
        json!({"locale": "de"}),
        json!({"muted_notifications": ["booking.nope"]}),
        json!({"colour": "blue"}),
    ] {
        let res = app
            .patch("/api/v1/me", Some(&net.venue.token), bad.clone())
            .await;
        assert!(
            res.status == 400 || res.status == 422,
            "{bad}: {}",
            res.text
        );
    }
    let res = app
        .patch(
            "/api/v1/me",
            Some(&net.venue.token),
            json!({"muted_notifications": ["booking.approved"]}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        res.body["user"]["muted_notifications"],
        json!(["booking.approved"])
    );
    assert_eq!(res.body["user"]["locale"], "fr");
    let key = app.api_key_of(&net.venue).await;
    let res = app
        .patch("/api/v1/me", Some(&key.token), json!({"locale": "en"}))
        .await;
    assert_eq!(res.status, 403, "{}", res.text);

    let kit = ResourceBuilder::kit("Kit préférences")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let booking = BookingBuilder::new(kit.id, &net.venue, day(20), day(22))
        .status("approved")
        .build(&app, &net.producer)
        .await;
    app.act_ok(&net.producer, id_of(&booking), "dispatch", "in_transit")
        .await;
    // Request → producer; approval → muted; dispatch → the venue.
    sink.wait_for(2, Duration::from_secs(20));
    std::thread::sleep(Duration::from_millis(500));
    let mails = sink.received();
    assert_eq!(mails.len(), 2, "{mails:#?}");
    let to_venue: Vec<_> = mails
        .iter()
        .filter(|m| m.to == std::slice::from_ref(&net.venue.email))
        .collect();
    assert_eq!(to_venue.len(), 1);
    assert!(
        to_venue[0].subject().starts_with("En route"),
        "{}",
        to_venue[0].subject()
    );
}

/// A request nobody answered: the day before its hold lapses, the producer is reminded, once.
async fn producers_are_reminded_the_day_before_a_hold_lapses(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_mailing_to(backend, &sink.url()).await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let kit = ResourceBuilder::kit("Kit oublié")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let booking = BookingBuilder::new(kit.id, &net.venue, day(20), day(22))
        .build(&app, &net.producer)
        .await;
    let id = id_of(&booking);
    assert_eq!(sink.wait_for(1, Duration::from_secs(20)).len(), 1);
    // Seven days of hold left: no reminder yet.
    itinerance::jobs::run_once(&app.state).await.unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(sink.received().len(), 1);
    let lapses = chrono::Utc::now().naive_utc() + chrono::Duration::hours(12);
    app.state
        .run(move |conn| {
            use itinerance::schema::bookings;
            Ok(diesel::update(bookings::table.find(id))
                .set(bookings::hold_expires_at.eq(Some(lapses)))
                .execute(conn)?)
        })
        .await
        .unwrap();
    itinerance::jobs::run_once(&app.state).await.unwrap();
    itinerance::jobs::run_once(&app.state).await.unwrap();
    let mails = sink.wait_for(2, Duration::from_secs(20));
    assert_eq!(mails.len(), 2, "{mails:#?}");
    assert_eq!(mails[1].to, std::slice::from_ref(&net.producer.email));
    assert!(
        mails[1].subject().starts_with("Dernier jour pour répondre"),
        "{}",
        mails[1].subject()
    );
    assert!(mails[1].text().contains(&lapses.date().to_string()));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(sink.received().len(), 2, "reminded once");
}

/// The service binary serving `database_url`, mailing to `smtp_port`.
fn serve_binary(database_url: &str, smtp_port: u16) -> std::process::Child {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    std::process::Command::new(env!("CARGO_BIN_EXE_itinerance"))
        .arg("serve")
        .env("ITINERANCE_DATABASE_URL", database_url)
        .env("ITINERANCE_BIND", format!("127.0.0.1:{port}"))
        .env(
            "ITINERANCE_JWT_SECRET",
            "kill-test-secret-0123456789abcdef0123",
        )
        .env(
            "ITINERANCE_SMTP_URL",
            format!("smtp://127.0.0.1:{smtp_port}"),
        )
        .env("ITINERANCE_NOTIFY_POLL_MS", "50")
        .env("ITINERANCE_NOTIFY_RETRY_BASE_SECONDS", "1")
        .env("ITINERANCE_DATABASE_POOL_SIZE", "2")
        .env("ITINERANCE_DATABASE_TIMEOUT_SECONDS", "30")
        .env("ITINERANCE_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the binary starts")
}

/// Attempts made at the (only) mail so far.
async fn mail_attempts(app: &TestApp) -> i32 {
    app.state
        .run(|conn| {
            use itinerance::schema::notifications;
            Ok(notifications::table
                .select(notifications::attempts)
                .first::<i32>(conn)
                .optional()?
                .unwrap_or(0))
        })
        .await
        .unwrap()
}

/// The real binary is killed (SIGKILL) while the SMTP server is down and its mail waits; once
/// SMTP is back, a restarted server sends it, once: a change committed is announced.
async fn a_killed_server_sends_its_mail_after_a_restart(backend: Backend) {
    let smtp_port = crate::smtp::idle_port();
    // The request is made through an instance that runs no worker: its mail is in the outbox.
    let app = TestApp::start_with(backend, &[("ITINERANCE_NOTIFY_WORKER", "false")]).await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let kit = ResourceBuilder::kit("Kit rescapé")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    BookingBuilder::new(kit.id, &net.venue, day(20), day(22))
        .build(&app, &net.producer)
        .await;
    let url = app.state.config.effective_database_url();
    let mut server = serve_binary(&url, smtp_port);
    let started = std::time::Instant::now();
    while mail_attempts(&app).await < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server never tried to send"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server.kill().expect("SIGKILL");
    server.wait().unwrap();
    let sink = SmtpSink::start_on(smtp_port);
    std::thread::sleep(Duration::from_millis(300));
    assert!(sink.received().is_empty(), "nobody sent while it was dead");
    let mut server = serve_binary(&url, smtp_port);
    let mails = sink.wait_for(1, Duration::from_secs(60));
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, std::slice::from_ref(&net.producer.email));
    assert!(mails[0]
        .subject()
        .starts_with("Nouvelle demande : Kit rescapé"));
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(sink.received().len(), 1, "sent once");
    server.kill().unwrap();
    server.wait().unwrap();
}

/// Moves a booking's days (as time passing would) without going through the API.
async fn set_days(
    app: &TestApp,
    id: i64,
    starts_on: chrono::NaiveDate,
    ends_on: chrono::NaiveDate,
) {
    app.state
        .run(move |conn| {
            use itinerance::schema::bookings;
            Ok(diesel::update(bookings::table.find(id))
                .set((
                    bookings::starts_on.eq(starts_on),
                    bookings::ends_on.eq(ends_on),
                    bookings::occupied_from.eq(starts_on - chrono::Duration::days(1)),
                    bookings::occupied_to.eq(ends_on + chrono::Duration::days(1)),
                    bookings::return_days.eq(1),
                ))
                .execute(conn)?)
        })
        .await
        .unwrap();
}

/// Subjects of the mails received since `from`, with their recipients.
fn since(sink: &SmtpSink, from: usize) -> Vec<(String, Vec<String>)> {
    sink.received()[from..]
        .iter()
        .map(|m| (m.subject(), m.to.clone()))
        .collect()
}

/// Reminders of the days ahead (delivery in 3 days to the producer, return in 2 to the venue,
/// a scheduled maintenance to the producer), each once; a loan not back by its last day plus
/// return travel is marked overdue once (booking, history, fleet) and both sides are told; a
/// flagged booking is announced to both sides.
async fn loans_due_and_overdue_are_announced_once(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_mailing_to(backend, &sink.url()).await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let producer = [net.producer.email.clone()];
    let venue = [net.venue.email.clone()];
    let kit = ResourceBuilder::kit("Kit du mois")
        .copies(2)
        .build(&app, &net.producer)
        .await;
    let soon = BookingBuilder::new(kit.id, &net.venue, day(2), day(6))
        .copy(kit.copies[0])
        .status("approved")
        .build(&app, &net.producer)
        .await;
    let out = BookingBuilder::new(kit.id, &net.venue, day(1), day(3))
        .copy(kit.copies[1])
        .status("delivered")
        .build(&app, &net.producer)
        .await;
    let out_id = id_of(&out);
    // Request and approval mails of both bookings, dispatch of the second.
    let before = sink.wait_for(5, Duration::from_secs(20)).len();
    assert_eq!(before, 5);
    set_days(&app, out_id, day(-3), day(1)).await;
    itinerance::jobs::run_once(&app.state).await.unwrap();
    itinerance::jobs::run_once(&app.state).await.unwrap();
    let mails = sink.wait_for(before + 2, Duration::from_secs(20));
    std::thread::sleep(Duration::from_millis(500));
    let new = since(&sink, before);
    assert_eq!(new.len(), 2, "{new:#?}");
    assert!(
        new.iter()
            .any(|(s, to)| s.starts_with("À expédier") && to == &producer),
        "{new:#?}"
    );
    assert!(
        new.iter()
            .any(|(s, to)| s.starts_with("Fin du prêt") && to == &venue),
        "{new:#?}"
    );
    assert!(mails.iter().any(|m| m
        .text()
        .contains(&format!("itinerance.test/bookings/{}", id_of(&soon)))));

    // Its last day plus one day of travel back is past: overdue, once.
    let before = sink.received().len();
    set_days(&app, out_id, day(-6), day(-2)).await;
    itinerance::jobs::run_once(&app.state).await.unwrap();
    itinerance::jobs::run_once(&app.state).await.unwrap();
    sink.wait_for(before + 2, Duration::from_secs(20));
    std::thread::sleep(Duration::from_millis(500));
    let new = since(&sink, before);
    assert_eq!(new.len(), 2, "{new:#?}");
    assert!(
        new.iter().all(|(s, _)| s.starts_with("Retour en retard")),
        "{new:#?}"
    );
    assert!(new.iter().any(|(_, to)| to == &venue) && new.iter().any(|(_, to)| to == &producer));
    let read = app
        .get(
            &format!("/api/v1/bookings/{out_id}"),
            Some(&net.venue.token),
        )
        .await;
    assert!(
        read.body["overdue_at"].as_str().unwrap().ends_with('Z'),
        "{}",
        read.text
    );
    let history = app
        .get(
            &format!("/api/v1/bookings/{out_id}/history"),
            Some(&net.producer.token),
        )
        .await;
    let overdue: Vec<&Value> = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "overdue")
        .collect();
    assert_eq!(overdue.len(), 1, "{}", history.text);
    assert!(overdue[0]["note"]
        .as_str()
        .unwrap()
        .contains(&day(-1).to_string()));
    let fleet = app
        .get(
            &format!("/api/v1/producers/{}/fleet", net.producer.org_id),
            Some(&net.producer.token),
        )
        .await;
    let late: Vec<&Value> = fleet
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["overdue_booking_id"].is_null())
        .collect();
    assert_eq!(late.len(), 1, "{}", fleet.text);
    assert_eq!(late[0]["overdue_booking_id"], out_id);
    // Once back, it is no longer counted.
    app.act_ok(&net.producer, out_id, "return", "returned")
        .await;
    let fleet = app
        .get(
            &format!("/api/v1/producers/{}/fleet", net.producer.org_id),
            Some(&net.producer.token),
        )
        .await;
    assert!(fleet
        .body
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["overdue_booking_id"].is_null()));

    // A maintenance scheduled in two days: the producer is reminded once.
    let before = sink.received().len();
    let res = app
        .post(
            &format!("/api/v1/copies/{}/maintenance", kit.copies[1]),
            Some(&net.producer.token),
            json!({"kind": "cleaning", "starts_on": day(20), "ends_on": day(21)}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let maintenance_id = res.body["id"].as_i64().unwrap();
    itinerance::jobs::run_once(&app.state).await.unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(sink.received().len(), before, "not yet: in 20 days");
    app.state
        .run(move |conn| {
            use itinerance::schema::maintenance_records as m;
            Ok(diesel::update(m::table.find(maintenance_id))
                .set((m::starts_on.eq(day(2)), m::ends_on.eq(Some(day(3)))))
                .execute(conn)?)
        })
        .await
        .unwrap();
    itinerance::jobs::run_once(&app.state).await.unwrap();
    itinerance::jobs::run_once(&app.state).await.unwrap();
    sink.wait_for(before + 1, Duration::from_secs(20));
    std::thread::sleep(Duration::from_millis(500));
    let new = since(&sink, before);
    assert_eq!(new.len(), 1, "{new:#?}");
    assert_eq!(new[0].1, producer);
    assert!(new[0].0.starts_with("Maintenance"), "{new:#?}");

    // The copy of the approved booking is retired: the booking is flagged, both sides told.
    let before = sink.received().len();
    let res = app
        .post(
            &format!("/api/v1/copies/{}/retire", kit.copies[0]),
            Some(&net.producer.token),
            json!({"reason": "Caisse écrasée"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    sink.wait_for(before + 2, Duration::from_secs(20));
    std::thread::sleep(Duration::from_millis(500));
    let flagged: Vec<_> = sink.received()[before..].to_vec();
    assert_eq!(flagged.len(), 2, "{flagged:#?}");
    assert!(flagged.iter().all(|m| m.text().contains("Caisse écrasée")));
}

macro_rules! both {
    ($($name:ident),*) => {
        mod sqlite { $( #[actix_web::test] async fn $name() { super::$name(crate::common::Backend::Sqlite).await } )* }
        mod postgres { $( #[actix_web::test] async fn $name() { super::$name(crate::common::Backend::Postgres).await } )* }
    };
}
both!(
    a_request_mails_the_producer_and_an_approval_the_venue,
    mail_waits_for_the_smtp_server,
    users_turn_mail_kinds_off,
    producers_are_reminded_the_day_before_a_hold_lapses,
    loans_due_and_overdue_are_announced_once,
    a_killed_server_sends_its_mail_after_a_restart
);

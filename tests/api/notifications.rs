//! Mail from the outbox over a real SMTP exchange on loopback: who gets what, in which language,
//! with what to do next; and mail written while the SMTP server is down arrives, once, when it is
//! back.

use std::time::Duration;

use diesel::prelude::*;
use serde_json::json;

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
        text.contains(&format!("https://itinerance.test/api/v1/bookings/{id}")),
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
    // A free port with nothing listening, outside the kernel's ephemeral range (32768-60999), so
    // that no test server is given it meanwhile.
    let port = (0..1000)
        .map(|i: u32| {
            (20_000 + std::process::id().wrapping_mul(7).wrapping_add(i * 13) % 10_000) as u16
        })
        .find(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .expect("a free port");
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
    producers_are_reminded_the_day_before_a_hold_lapses
);

//! Mail from the outbox over a real SMTP exchange on loopback: who gets what, in which language,
//! with what to do next; and mail written while the SMTP server is down arrives, once, when it is
//! back.

use std::time::Duration;

use diesel::prelude::*;

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

async fn set_locale(app: &TestApp, user_id: i64, locale: &'static str) {
    app.state
        .run(move |conn| {
            use itinerance::schema::users;
            Ok(diesel::update(users::table.find(user_id))
                .set(users::locale.eq(locale))
                .execute(conn)?)
        })
        .await
        .expect("set locale");
}

async fn a_request_mails_the_producer_and_an_approval_the_venue(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_mailing_to(backend, &sink.url()).await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let english = app
        .user_in(&net.agency, net.producer.org_id, "member")
        .await;
    set_locale(&app, english.user_id, "en").await;
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
    // A free port with nothing listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
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
}

macro_rules! both {
    ($($name:ident),*) => {
        mod sqlite { $( #[actix_web::test] async fn $name() { super::$name(crate::common::Backend::Sqlite).await } )* }
        mod postgres { $( #[actix_web::test] async fn $name() { super::$name(crate::common::Backend::Postgres).await } )* }
    };
}
both!(
    a_request_mails_the_producer_and_an_approval_the_venue,
    mail_waits_for_the_smtp_server
);

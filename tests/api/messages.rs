//! Every message true (issue 25, point 4): an event tells its subject as it was when it happened,
//! whatever happened before it was fanned out; notes and new dates reach the other side; an
//! allocation round announces approvals (not requests) and tells refused venues why; flag
//! reasons are in the reader's language; mail links to portal pages.

use std::time::Duration;

use serde_json::{json, Value};

use crate::builders::{day, id_of, BookingBuilder, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::{Actor, Backend, TestApp};
use crate::receiver::{Hit, Receiver};
use crate::smtp::{Received, SmtpSink};

const WAIT: Duration = Duration::from_secs(40);

/// Mail and webhooks on; the worker wakes every `poll_ms` while idle, so that what happens
/// between two wakes is fanned out together, after the fact.
async fn app_telling(backend: Backend, sink: &SmtpSink, poll_ms: &str) -> TestApp {
    TestApp::start_with(
        backend,
        &[
            ("ITINERANCE_SMTP_URL", &sink.url()),
            ("ITINERANCE_NOTIFY_POLL_MS", poll_ms),
            ("ITINERANCE_NOTIFY_RETRY_BASE_SECONDS", "1"),
            ("ITINERANCE_PUBLIC_BASE_URL", "https://itinerance.test"),
            ("ITINERANCE_WEBHOOK_ALLOW_PRIVATE", "true"),
            ("ITINERANCE_WEBHOOK_RETRY_BASE_SECONDS", "1"),
            ("ITINERANCE_WEBHOOK_TIMEOUT_MS", "1000"),
        ],
    )
    .await
}

async fn subscribe(app: &TestApp, who: &Actor, url: &str, events: Value) {
    let res = app
        .post(
            "/api/v1/webhooks",
            Some(&who.token),
            json!({"url": url, "events": events}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
}

/// The body of the one delivery of an event type.
fn delivery(hits: &[Hit], event: &str) -> Value {
    let bodies: Vec<Value> = hits
        .iter()
        .map(|h| serde_json::from_str::<Value>(&h.body).unwrap())
        .filter(|b| b["type"] == event)
        .collect();
    assert_eq!(bodies.len(), 1, "one {event} in {hits:#?}");
    bodies[0].clone()
}

/// The mails to one address whose subject starts with `prefix`.
fn mails_to<'a>(mails: &'a [Received], to: &str, prefix: &str) -> Vec<&'a Received> {
    mails
        .iter()
        .filter(|m| m.to == [to.to_string()] && m.subject().starts_with(prefix))
        .collect()
}

/// A request approved with a note, then moved with a note, all before the worker wakes: each
/// webhook payload shows the booking as its event saw it (the request `requested`, the approval
/// on the first dates with its note, the change with the new and the previous dates), and the
/// mails say the same, with the notes, linking to the loan's portal page.
async fn events_tell_the_booking_as_it_was_with_its_notes(backend: Backend) {
    let sink = SmtpSink::start();
    let receiver = Receiver::start();
    let app = app_telling(backend, &sink, "5000").await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    subscribe(
        &app,
        &net.venue,
        &receiver.url("/venue"),
        json!([
            "booking.requested",
            "booking.approved",
            "booking.rescheduled"
        ]),
    )
    .await;
    let trunk = ResourceBuilder::trunk("Malle des marées")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let booking = BookingBuilder::new(trunk.id, &net.venue, day(20), day(24))
        .build(&app, &net.producer)
        .await;
    let id = id_of(&booking);
    let approval = "Livraison par la navette du mardi";
    let res = app
        .post(
            &format!("/api/v1/bookings/{id}/approve"),
            Some(&net.producer.token),
            json!({ "note": approval }),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let why = "Salle indisponible la première semaine";
    let res = app
        .patch(
            &format!("/api/v1/bookings/{id}"),
            Some(&net.venue.token),
            json!({"starts_on": day(27), "ends_on": day(30), "note": why}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);

    let hits = receiver.wait_for(3, WAIT);
    let requested = delivery(&hits, "booking.requested");
    assert_eq!(requested["data"]["booking"]["status"], "requested");
    assert_eq!(
        requested["data"]["booking"]["starts_on"],
        json!(day(20)),
        "{requested}"
    );
    let approved = delivery(&hits, "booking.approved");
    assert_eq!(approved["data"]["booking"]["status"], "approved");
    assert_eq!(approved["data"]["booking"]["starts_on"], json!(day(20)));
    assert_eq!(approved["data"]["details"]["note"], approval, "{approved}");
    let moved = delivery(&hits, "booking.rescheduled");
    assert_eq!(moved["data"]["booking"]["status"], "approved");
    assert_eq!(moved["data"]["booking"]["starts_on"], json!(day(27)));
    assert_eq!(moved["data"]["booking"]["ends_on"], json!(day(30)));
    assert_eq!(
        moved["data"]["details"]["previous_starts_on"],
        json!(day(20))
    );
    assert_eq!(moved["data"]["details"]["note"], why, "{moved}");

    // The request to the producer, the approval to the venue, the new dates to both.
    let mails = sink.wait_for(4, WAIT);
    let asked = mails_to(&mails, &net.producer.email, "Nouvelle demande");
    assert_eq!(asked.len(), 1, "{mails:#?}");
    let text = asked[0].text();
    assert!(!text.contains("jusqu'au  "), "a hold date: {text}");
    let yes = mails_to(&mails, &net.venue.email, "Demande acceptée");
    assert_eq!(yes.len(), 1, "{mails:#?}");
    assert!(
        yes[0].subject().contains(&day(20).to_string()),
        "the dates approved: {}",
        yes[0].subject()
    );
    let text = yes[0].text();
    assert!(
        text.contains(&format!("Son message : {approval}")),
        "{text}"
    );
    assert!(
        text.contains(&format!("https://itinerance.test/bookings/{id}")),
        "a portal page: {text}"
    );
    assert!(!text.contains("/api/v1/"), "no JSON address: {text}");
    for side in [&net.venue, &net.producer] {
        let moved = mails_to(&mails, &side.email, "Nouvelles dates");
        assert_eq!(moved.len(), 1, "{}: {mails:#?}", side.email);
        let text = moved[0].text();
        assert!(text.contains(&day(27).to_string()), "{text}");
        assert!(text.contains(&day(20).to_string()), "{text}");
        assert!(text.contains(why), "{text}");
    }
}

/// Confirming a round approves the loans it serves: their venues hear `booking.approved`
/// (mail and webhook, status `approved`), their producers get no request to answer; the venue
/// whose request it does not serve hears `allocation.refused`, with the reason.
async fn an_allocation_round_announces_approvals_and_refusals(backend: Backend) {
    let sink = SmtpSink::start();
    let served_hooks = Receiver::start();
    let refused_hooks = Receiver::start();
    let app = app_telling(backend, &sink, "50").await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let first = net.venue.clone();
    let second = app.venue(&net.agency, AMIENS).await;
    subscribe(
        &app,
        &first,
        &served_hooks.url("/served"),
        json!(["booking.requested", "booking.approved"]),
    )
    .await;
    subscribe(
        &app,
        &second,
        &refused_hooks.url("/refused"),
        json!(["allocation.refused"]),
    )
    .await;
    let expo = ResourceBuilder::exhibition("Exposition des volcans")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let res = app
        .post(
            "/api/v1/allocation-rounds",
            Some(&net.agency.token),
            json!({"name": "Saison", "period_from": day(30), "period_to": day(120),
                   "resource_ids": [expo.id]}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let round = id_of(&res.body);
    let mut requests = Vec::new();
    for (venue, from, to) in [(&first, 40, 45), (&second, 41, 44)] {
        let res = app
            .post(
                &format!("/api/v1/allocation-rounds/{round}/requests"),
                Some(&venue.token),
                json!({"venue_id": venue.org_id, "resource_id": expo.id,
                       "starts_on": day(from), "ends_on": day(to)}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        requests.push(id_of(&res.body));
    }
    let res = app
        .post(
            &format!("/api/v1/allocation-rounds/{round}/allocate"),
            Some(&net.agency.token),
            json!({"policy": "first_come"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let reason = res.body["unassigned"][0]["reason"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .post(
            &format!("/api/v1/allocation-rounds/{round}/confirm"),
            Some(&net.agency.token),
            json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let booking = res.body["booking_ids"][0].as_i64().unwrap();

    let hits = served_hooks.wait_for(1, WAIT);
    let approved = delivery(&hits, "booking.approved");
    assert_eq!(approved["data"]["booking"]["id"], booking);
    assert_eq!(approved["data"]["booking"]["status"], "approved");
    let hits = refused_hooks.wait_for(1, WAIT);
    let refused = delivery(&hits, "allocation.refused");
    assert_eq!(refused["data"]["object"], "allocation_request");
    assert_eq!(refused["data"]["id"], requests[1]);
    let request = &refused["data"]["allocation_request"];
    assert_eq!(request["venue_id"], second.org_id);
    assert_eq!(request["round_id"], round);
    assert_eq!(request["starts_on"], json!(day(41)));
    assert_eq!(refused["data"]["details"]["reason"], reason.as_str());

    sink.wait_for(2, WAIT);
    std::thread::sleep(Duration::from_millis(800));
    let mails = sink.received();
    assert_eq!(
        mails_to(&mails, &first.email, "Demande acceptée").len(),
        1,
        "{mails:#?}"
    );
    let no = mails_to(&mails, &second.email, "Demande non retenue");
    assert_eq!(no.len(), 1, "{mails:#?}");
    // The reason in the reader's words (the API's `reason` is English).
    assert!(
        no[0]
            .text()
            .contains("Motif : aucun exemplaire n'est libre"),
        "{}",
        no[0].text()
    );
    assert!(
        mails
            .iter()
            .all(|m| !m.subject().starts_with("Nouvelle demande")),
        "nobody is asked to answer an approved loan: {mails:#?}"
    );
    assert!(
        !served_hooks
            .hits()
            .iter()
            .any(|h| h.body.contains("booking.requested")),
        "no request announced"
    );
}

/// A flag reaches each reader in their language: French by default, English for a user who
/// chose it — never the English words of the booking's `flag_reason` in a French mail.
async fn flag_reasons_are_in_the_reader_s_language(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_telling(backend, &sink, "50").await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let english = app.user_in(&net.agency, net.venue.org_id, "member").await;
    let me = app
        .patch("/api/v1/me", Some(&english.token), json!({"locale": "en"}))
        .await;
    assert_eq!(me.status, 200, "{}", me.text);
    let trunk = ResourceBuilder::trunk("Malle des saisons")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let booking = BookingBuilder::new(trunk.id, &net.venue, day(20), day(24))
        .status("approved")
        .build(&app, &net.producer)
        .await;
    let id = id_of(&booking);
    let before = sink.wait_for(3, WAIT).len();
    let res = app
        .patch(
            &format!("/api/v1/copies/{}", trunk.copies[0]),
            Some(&net.producer.token),
            json!({"status": "maintenance"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let mails = sink.wait_for(before + 3, WAIT);
    let french = mails_to(&mails, &net.venue.email, "Réservation à revoir");
    assert_eq!(french.len(), 1, "{mails:#?}");
    let text = french[0].text();
    assert!(
        text.contains("Motif : exemplaire mis hors service par son producteur"),
        "{text}"
    );
    assert!(!text.contains("taken out of service"), "{text}");
    let to_producer = mails_to(&mails, &net.producer.email, "Réservation à revoir");
    assert_eq!(to_producer.len(), 1, "{mails:#?}");
    let in_english: Vec<_> = mails
        .iter()
        .filter(|m| m.to == [english.email.clone()])
        .collect();
    let flagged = in_english
        .iter()
        .find(|m| m.text().contains("taken out of service by hand"));
    assert!(flagged.is_some(), "{in_english:#?}");

    // The loan's portal page too; the API keeps its English words and gives the code.
    let mut browser = crate::portal::Browser::new(&app);
    let login = browser
        .log_in(&net.venue.email, crate::common::PASSWORD)
        .await;
    assert_eq!(login.status, 303, "{}", login.text);
    let page = browser.get(&format!("/bookings/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text
            .contains("exemplaire mis hors service par son producteur"),
        "{}",
        page.text
    );
    assert!(!page.text.contains("taken out of service"), "{}", page.text);
    let api = app
        .get(&format!("/api/v1/bookings/{id}"), Some(&net.venue.token))
        .await;
    assert_eq!(api.body["flag_reason"], "taken out of service by hand");
    assert_eq!(
        api.body["flag"]["code"], "taken_out_of_service",
        "{}",
        api.text
    );
}

/// A feed speaks the language of whoever fetches it: a user who chose English (`PATCH
/// /api/v1/me`) reads English feeds with their token, a French user French ones; `?lang=`
/// still decides; a calendar link (the venue's, nobody's) stays French.
async fn feeds_follow_the_reader_s_language(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let mut english = Vec::new();
    for org in [net.venue.org_id, net.producer.org_id] {
        let user = app.user_in(&net.agency, org, "member").await;
        let me = app
            .patch("/api/v1/me", Some(&user.token), json!({"locale": "en"}))
            .await;
        assert_eq!(me.status, 200, "{}", me.text);
        english.push(user);
    }
    let trunk = ResourceBuilder::trunk("Malle des langues")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let booking = BookingBuilder::new(trunk.id, &net.venue, day(20), day(24))
        .build(&app, &net.producer)
        .await;
    let id = id_of(&booking);
    let venue_feed = format!("/api/v1/venues/{}/calendar.ics", net.venue.org_id);
    let copy_feed = format!("/api/v1/copies/{}/calendar.ics", trunk.copies[0]);
    let summary = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("SUMMARY:"))
            .map(|l| l.trim_end().to_string())
            .unwrap_or_else(|| panic!("no summary in {text}"))
    };
    let cases = [
        (&venue_feed, &english[0], "", "(requested)"),
        (&venue_feed, &english[0], "?lang=fr", "(demandé)"),
        (&venue_feed, &net.venue, "", "(demandé)"),
        (&venue_feed, &net.venue, "?lang=en", "(requested)"),
        (&copy_feed, &english[1], "", "(requested)"),
        (&copy_feed, &english[1], "?lang=fr", "(demandé)"),
        (&copy_feed, &net.producer, "", "(demandé)"),
    ];
    for (feed, who, query, words) in cases {
        let res = app.get(&format!("{feed}{query}"), Some(&who.token)).await;
        assert_eq!(res.status, 200, "{}", res.text);
        assert_eq!(
            summary(&res.text),
            format!("SUMMARY:Malle des langues {words}"),
            "{feed}{query} as {}",
            who.email
        );
        if words == "(requested)" {
            assert!(res.text.contains(&format!("Booking {id}")), "{}", res.text);
        }
    }
    let issued = app
        .post(
            &format!("/api/v1/venues/{}/calendar-token", net.venue.org_id),
            Some(&net.venue.token),
            json!({}),
        )
        .await;
    assert_eq!(issued.status, 201, "{}", issued.text);
    let link = issued.body["path"].as_str().unwrap().to_string();
    let res = app.get(&link, None).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(summary(&res.text), "SUMMARY:Malle des langues (demandé)");
}

/// A copy event tells the copy as it was: taken out of service and repaired before the worker
/// wakes, the copy's `copy.maintenance` webhook still says `maintenance`, not `available`.
async fn copy_events_tell_the_copy_as_it_was(backend: Backend) {
    let sink = SmtpSink::start();
    let receiver = Receiver::start();
    let app = app_telling(backend, &sink, "5000").await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    subscribe(
        &app,
        &net.producer,
        &receiver.url("/producer"),
        json!(["copy.maintenance"]),
    )
    .await;
    let trunk = ResourceBuilder::trunk("Malle des engrenages")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let copy = trunk.copies[0];
    let res = app
        .patch(
            &format!("/api/v1/copies/{copy}"),
            Some(&net.producer.token),
            json!({"status": "maintenance"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let records = app
        .get(
            &format!("/api/v1/copies/{copy}/maintenance"),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(records.status, 200, "{}", records.text);
    let record = records.body.as_array().unwrap()[0]["id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/v1/maintenance/{record}/complete"),
            Some(&net.producer.token),
            json!({"grade": 4}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let now = app
        .get(&format!("/api/v1/copies/{copy}"), Some(&net.producer.token))
        .await;
    assert_eq!(now.body["status"], "available", "{}", now.text);

    let hits = receiver.wait_for(1, WAIT);
    let out = delivery(&hits, "copy.maintenance");
    assert_eq!(out["data"]["object"], "copy");
    assert_eq!(out["data"]["copy"]["id"], copy);
    assert_eq!(out["data"]["copy"]["status"], "maintenance", "{out}");
}

/// What the service decides and notes by itself reaches each reader in their language: the
/// refusal reason of an allocation round in the French venue's mail is French (English for a
/// user who chose it, and the API's `reason` stays English, with its code in `decision`); the
/// round's note on the loans it approves is French in the approval mail and on the portal's
/// loan page, English with its code (`system_note`) in the API's history.
async fn decisions_and_system_notes_are_in_the_reader_s_language(backend: Backend) {
    let sink = SmtpSink::start();
    let hooks = Receiver::start();
    let app = app_telling(backend, &sink, "50").await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let first = net.venue.clone();
    let second = app.venue(&net.agency, AMIENS).await;
    let english = app.user_in(&net.agency, second.org_id, "member").await;
    let me = app
        .patch("/api/v1/me", Some(&english.token), json!({"locale": "en"}))
        .await;
    assert_eq!(me.status, 200, "{}", me.text);
    subscribe(
        &app,
        &second,
        &hooks.url("/refused"),
        json!(["allocation.refused"]),
    )
    .await;
    let expo = ResourceBuilder::exhibition("Exposition des comètes")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let res = app
        .post(
            "/api/v1/allocation-rounds",
            Some(&net.agency.token),
            json!({"name": "Saison", "period_from": day(30), "period_to": day(120),
                   "resource_ids": [expo.id]}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let round = id_of(&res.body);
    for (venue, from, to) in [(&first, 40, 45), (&second, 41, 44)] {
        let res = app
            .post(
                &format!("/api/v1/allocation-rounds/{round}/requests"),
                Some(&venue.token),
                json!({"venue_id": venue.org_id, "resource_id": expo.id,
                       "starts_on": day(from), "ends_on": day(to)}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
    }
    let res = app
        .post(
            &format!("/api/v1/allocation-rounds/{round}/allocate"),
            Some(&net.agency.token),
            json!({"policy": "first_come"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let refused = res.body["unassigned"][0].clone();
    let reason = refused["reason"].as_str().unwrap().to_string();
    assert!(reason.starts_with("no copy is free"), "{reason}");
    let res = app
        .post(
            &format!("/api/v1/allocation-rounds/{round}/confirm"),
            Some(&net.agency.token),
            json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let booking = res.body["booking_ids"][0].as_i64().unwrap();

    sink.wait_for(3, WAIT);
    std::thread::sleep(Duration::from_millis(800));
    let mails = sink.received();
    let french = mails_to(&mails, &second.email, "Demande non retenue");
    assert_eq!(french.len(), 1, "{mails:#?}");
    let text = french[0].text();
    assert!(
        text.contains("aucun exemplaire n'est libre à ces dates"),
        "{text}"
    );
    assert!(text.contains("premier arrivé"), "{text}");
    assert!(
        !text.contains("no copy"),
        "English in a French mail: {text}"
    );
    assert!(
        !text.contains("first come"),
        "English in a French mail: {text}"
    );
    let in_english: Vec<_> = mails
        .iter()
        .filter(|m| m.to == [english.email.clone()])
        .collect();
    assert_eq!(in_english.len(), 1, "{mails:#?}");
    assert!(
        in_english[0].text().contains(&reason),
        "{}",
        in_english[0].text()
    );

    let approved = mails_to(&mails, &first.email, "Demande acceptée");
    assert_eq!(approved.len(), 1, "{mails:#?}");
    let text = approved[0].text();
    assert!(
        text.contains(&format!("campagne d'attribution n° {round}")),
        "{text}"
    );
    assert!(!text.contains("allocation round"), "{text}");

    let history = app
        .get(
            &format!("/api/v1/bookings/{booking}/history"),
            Some(&first.token),
        )
        .await;
    assert_eq!(history.status, 200, "{}", history.text);
    let approval = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "approve")
        .unwrap()
        .clone();
    assert_eq!(
        approval["note"],
        format!("allocation round {round} (first_come)"),
        "{approval}"
    );
    assert_eq!(approval["system_note"]["code"], "allocation_round");
    assert_eq!(approval["system_note"]["round_id"], round);

    let mut browser = crate::portal::Browser::new(&app);
    let login = browser.log_in(&first.email, crate::common::PASSWORD).await;
    assert_eq!(login.status, 303, "{}", login.text);
    let page = browser.get(&format!("/bookings/{booking}")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text
            .contains(&format!("attribution n° {round} (premier arrivé")),
        "{}",
        page.text
    );
    assert!(!page.text.contains("allocation round"), "{}", page.text);

    // Partners keep the English words and get the code.
    assert_eq!(refused["decision"]["code"], "no_copy_free", "{refused}");
    assert_eq!(refused["decision"]["turn"]["policy"], "first_come");
    let hit = delivery(&hooks.wait_for(1, WAIT), "allocation.refused");
    assert_eq!(hit["data"]["details"]["reason"], reason.as_str());
    assert_eq!(hit["data"]["details"]["decision"]["code"], "no_copy_free");
}

macro_rules! both {
    ($($name:ident),*) => {
        mod sqlite { $( #[actix_web::test] async fn $name() { super::$name(crate::common::Backend::Sqlite).await } )* }
        mod postgres { $( #[actix_web::test] async fn $name() { super::$name(crate::common::Backend::Postgres).await } )* }
    };
}
both!(
    events_tell_the_booking_as_it_was_with_its_notes,
    an_allocation_round_announces_approvals_and_refusals,
    flag_reasons_are_in_the_reader_s_language,
    feeds_follow_the_reader_s_language,
    copy_events_tell_the_copy_as_it_was,
    decisions_and_system_notes_are_in_the_reader_s_language
);

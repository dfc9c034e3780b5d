//! The producer's first page (issue 24): a request answered from the loan page, approve or reject
//! with a note that the venue then reads on its own loan page; the venue is not offered the
//! answer, the producer is not offered the venue's cancel; no CSRF token, no change.

use serde_json::json;

use crate::builders::{
    day, id_of, BookingBuilder, Network, Resource, ResourceBuilder, AMIENS, VILLAGE,
};
use crate::common::{TestApp, PASSWORD};
use crate::on_both_backends;
use crate::portal::{hidden, Browser};

/// A trunk of `net.producer` with two copies and a request by `net.venue` for each period (days
/// from today): the trunk and the requests' ids.
async fn requested(
    app: &TestApp,
    net: &Network,
    title: &str,
    periods: &[(i64, i64)],
) -> (Resource, Vec<i64>) {
    let trunk = ResourceBuilder::trunk(title)
        .copies(2)
        .build(app, &net.producer)
        .await;
    let mut ids = Vec::new();
    for (from, to) in periods {
        ids.push(id_of(
            &BookingBuilder::new(trunk.id, &net.venue, day(*from), day(*to))
                .build(app, &net.producer)
                .await,
        ));
    }
    (trunk, ids)
}

async fn a_producer_approves_with_a_note_the_venue_then_reads(app: TestApp) {
    let net = Network::new(&app).await;
    let (_, ids) = requested(&app, &net, "Malle de l'eau", &[(20, 30), (40, 50)]).await;
    let (first, second) = (ids[0], ids[1]);

    let mut venue = Browser::new(&app);
    assert_eq!(venue.log_in(&net.venue.email, PASSWORD).await.status, 303);
    let asked = venue.get(&format!("/bookings/{first}")).await;
    assert!(
        !asked.text.contains("/decision"),
        "the venue does not answer its own request"
    );
    assert!(asked.text.contains(&format!("/bookings/{first}/cancel")));

    let mut producer = Browser::new(&app);
    assert_eq!(
        producer.log_in(&net.producer.email, PASSWORD).await.status,
        303
    );
    let page = producer.get(&format!("/bookings/{first}")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page
        .text
        .contains(&format!("action=\"/bookings/{first}/decision\"")));
    assert!(
        !page.text.contains("/cancel\""),
        "the venue's cancel is not offered to the producer"
    );
    assert!(
        page.text.contains("Acceptez ou refusez"),
        "the producer's next step"
    );
    let csrf = hidden(&page.text, "csrf_token");

    // Without the token: refused, still requested.
    let forged = producer
        .post(
            &format!("/bookings/{first}/decision"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.text);
    let still = app
        .get(&format!("/api/v1/bookings/{first}"), Some(&net.venue.token))
        .await;
    assert_eq!(still.body["status"], "requested");

    let note = "Livraison par notre camionnette, prévoyez deux personnes pour décharger.";
    let approved = producer
        .post(
            &format!("/bookings/{first}/decision"),
            &[
                ("csrf_token", &csrf),
                ("decision", "approve"),
                ("note", note),
            ],
        )
        .await;
    assert_eq!(approved.status, 303, "{}", approved.text);
    let now = app
        .get(&format!("/api/v1/bookings/{first}"), Some(&net.venue.token))
        .await;
    assert_eq!(now.body["status"], "approved", "{}", now.text);
    let read = venue.get(&format!("/bookings/{first}")).await;
    assert!(
        read.text.contains("deux personnes pour décharger"),
        "{}",
        read.text
    );

    let rejected = producer
        .post(
            &format!("/bookings/{second}/decision"),
            &[
                ("csrf_token", &csrf),
                ("decision", "reject"),
                ("note", "Déjà promise."),
            ],
        )
        .await;
    assert_eq!(rejected.status, 303, "{}", rejected.text);
    let gone = app
        .get(
            &format!("/api/v1/bookings/{second}"),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(gone.body["status"], "rejected");
    let after = producer.get(&format!("/bookings/{second}")).await;
    assert!(
        !after.text.contains("/decision\""),
        "a decided request is not answered twice"
    );
}

/// A producer logged in through the portal's form.
async fn producer_browser(app: &TestApp, net: &Network) -> Browser {
    let mut b = Browser::new(app);
    assert_eq!(b.log_in(&net.producer.email, PASSWORD).await.status, 303);
    b
}

/// The inbox lists the pending requests with venue, commune and its class, distance, dates in
/// French, the price the quote gives, and the other requests over the same days.
async fn the_inbox_shows_each_request_with_its_venue_price_and_conflicts(app: TestApp) {
    let net = Network::new(&app).await;
    let village = app.venue(&net.agency, VILLAGE).await;
    let trunk = ResourceBuilder::trunk("Malle des étoiles")
        .copies(3)
        .build(&app, &net.producer)
        .await;
    let first = id_of(
        &BookingBuilder::new(trunk.id, &net.venue, day(20), day(30))
            .build(&app, &net.producer)
            .await,
    );
    let second = id_of(
        &BookingBuilder::new(trunk.id, &village, day(25), day(35))
            .build(&app, &net.producer)
            .await,
    );
    // Approved: a loan, not a request; it is not in the inbox but conflicts with both.
    let loan = id_of(
        &BookingBuilder::new(trunk.id, &net.venue, day(28), day(29))
            .status("approved")
            .build(&app, &net.producer)
            .await,
    );
    // Far away: no conflict.
    let alone = id_of(
        &BookingBuilder::new(trunk.id, &net.venue, day(120), day(125))
            .build(&app, &net.producer)
            .await,
    );
    let mut producer = producer_browser(&app, &net).await;
    let page = producer.get("/requests").await;
    assert_eq!(page.status, 200, "{}", page.text);
    let text = &page.text;
    assert!(
        text.contains("href=\"/requests\" aria-current=\"page\""),
        "nav entry"
    );
    for id in [first, second, alone] {
        assert!(
            text.contains(&format!("action=\"/bookings/{id}/decision\"")),
            "{id}"
        );
    }
    assert!(
        !text.contains(&format!("/bookings/{loan}/decision")),
        "a loan is no request"
    );
    let section = |id: i64| {
        let start = text.find(&format!("id=\"request-{id}\"")).unwrap();
        let end = text[start..].find("</section>").unwrap() + start;
        text[start..end].to_string()
    };
    let s2 = section(second);
    assert!(s2.contains("Malle des étoiles"), "{s2}");
    assert!(
        s2.contains("Achery (village)"),
        "the commune and its class: {s2}"
    );
    assert!(
        s2.contains(&format!(
            "du {} au {}",
            day(25).format("%d/%m/%Y"),
            day(35).format("%d/%m/%Y")
        )),
        "French dates: {s2}"
    );
    assert!(
        s2.contains("&nbsp;km") || s2.contains("\u{a0}km"),
        "distance: {s2}"
    );
    let quote = app
        .get(
            &format!("/api/v1/bookings/{second}/quote"),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(quote.status, 200, "{}", quote.text);
    let euros = itinerance::page::euros(quote.body["total_cents"].as_i64().unwrap());
    assert!(s2.contains(&euros), "the quote's total {euros}: {s2}");
    // Its conflicts: the first request and the approved loan, by venue and dates.
    let s1 = section(first);
    assert!(s1.contains("Amiens (grande ville)"), "{s1}");
    assert!(
        s2.contains(&format!(
            "{} au {}",
            day(20).format("%d/%m/%Y"),
            day(30).format("%d/%m/%Y")
        )),
        "the first request conflicts with the second: {s2}"
    );
    assert!(
        s1.contains(&format!(
            "{} au {}",
            day(28).format("%d/%m/%Y"),
            day(29).format("%d/%m/%Y")
        )),
        "the loan conflicts with the first: {s1}"
    );
    let s3 = section(alone);
    assert!(s3.contains("Aucun : pas d"), "{s3}");
    assert!(s3.contains("2 autres exemplaires sont libres"), "{s3}");
}

/// Approving from the inbox with a note: back to the inbox (never to another site), the venue
/// reads the note; with nothing left, the inbox says so. A venue has no inbox and no fleet.
async fn approving_from_the_inbox_returns_to_it_and_the_venue_reads_the_note(app: TestApp) {
    let net = Network::new(&app).await;
    let (_, ids) = requested(&app, &net, "Malle du vent", &[(20, 30), (50, 60)]).await;
    let (first, second) = (ids[0], ids[1]);
    let mut producer = producer_browser(&app, &net).await;
    let inbox = producer.get("/requests").await;
    let csrf = hidden(&inbox.text, "csrf_token");
    assert_eq!(hidden(&inbox.text, "back"), "/requests");
    let note = "Nous livrons le mardi matin, prévoyez une table.";
    let approved = producer
        .post(
            &format!("/bookings/{first}/decision"),
            &[
                ("csrf_token", &csrf),
                ("back", "/requests"),
                ("decision", "approve"),
                ("note", note),
            ],
        )
        .await;
    assert_eq!(approved.status, 303, "{}", approved.text);
    assert!(
        approved.location.starts_with("/requests"),
        "{}",
        approved.location
    );
    let after = producer.get(&approved.location).await;
    assert!(after.text.contains("Votre réponse est enregistrée"));
    assert!(!after.text.contains(&format!("/bookings/{first}/decision")));
    let mut venue = Browser::new(&app);
    assert_eq!(venue.log_in(&net.venue.email, PASSWORD).await.status, 303);
    let read = venue.get(&format!("/bookings/{first}")).await;
    assert!(read.text.contains("prévoyez une table"), "{}", read.text);
    // Another site's address as `back`: the loan page instead.
    let elsewhere = producer
        .post(
            &format!("/bookings/{second}/decision"),
            &[
                ("csrf_token", &csrf),
                ("back", "//evil.example/requests"),
                ("decision", "reject"),
            ],
        )
        .await;
    assert_eq!(elsewhere.status, 303, "{}", elsewhere.text);
    assert_eq!(elsewhere.location, format!("/bookings/{second}"));
    let empty = producer.get("/requests").await;
    assert!(empty.text.contains("Aucune demande n"), "{}", empty.text);
    // The venue: no entry in its menu, 403 on the producer's pages.
    let home = venue.get("/").await;
    assert!(!home.text.contains("href=\"/requests\""));
    assert!(!home.text.contains("href=\"/fleet\""));
    for path in ["/requests", "/fleet"] {
        let refused = venue.get(path).await;
        assert_eq!(refused.status, 403, "{path}: {}", refused.text);
    }
}

/// A refurbishment scheduled ahead shows in the copy's fleet row, in the API and on the page;
/// the copy's calendar shows a loan in the week of its first day, with its venue and a link.
async fn the_fleet_shows_scheduled_maintenance_and_the_calendar_places_loans(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let trunk = ResourceBuilder::trunk("Malle des volcans")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let copy = trunk.copies[0];
    let res = app
        .post(
            &format!("/api/v1/copies/{copy}/maintenance"),
            Some(&net.producer.token),
            json!({"kind": "refurbishment", "starts_on": day(60), "ends_on": day(66), "cost_cents": 50000}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let loan = id_of(
        &BookingBuilder::new(trunk.id, &net.venue, day(20), day(30))
            .status("approved")
            .build(&app, &net.producer)
            .await,
    );
    let fleet = app
        .get(
            &format!("/api/v1/producers/{}/fleet", net.producer.org_id),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(fleet.status, 200, "{}", fleet.text);
    let row = &fleet.body.as_array().unwrap()[0];
    assert_eq!(row["next_maintenance_kind"], "refurbishment", "{row}");
    assert_eq!(row["next_maintenance_starts_on"], json!(day(60)));
    assert_eq!(row["next_maintenance_ends_on"], json!(day(66)));

    let mut producer = producer_browser(&app, &net).await;
    let page = producer.get("/fleet").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains(&format!(
            "remise en état — du {} au {}",
            day(60).format("%d/%m/%Y"),
            day(66).format("%d/%m/%Y")
        )),
        "{}",
        page.text
    );
    assert!(page
        .text
        .contains(&format!("href=\"/copies/{copy}/calendar\"")));

    let cal = producer.get(&format!("/copies/{copy}/calendar")).await;
    assert_eq!(cal.status, 200, "{}", cal.text);
    // The loan row: a cell per week after its heading; the loan's first day is in week w.
    let today = day(0);
    let monday = |d: chrono::NaiveDate| {
        d - chrono::Duration::days(i64::from(
            chrono::Datelike::weekday(&d).num_days_from_monday(),
        ))
    };
    let week_of = |d: chrono::NaiveDate| ((monday(d) - monday(today)).num_days() / 7) as usize;
    let row_cells = |kind: &str| -> Vec<String> {
        let start = cal.text.find(&format!("class=\"row-{kind}\"")).unwrap();
        let end = cal.text[start..].find("</tr>").unwrap() + start;
        cal.text[start..end]
            .split("<td")
            .skip(1)
            .map(str::to_string)
            .collect()
    };
    let loans = row_cells("loan");
    assert_eq!(loans.len(), 52);
    let link = format!("href=\"/bookings/{loan}\"");
    for (w, cell) in loans.iter().enumerate() {
        let inside = (week_of(day(20))..=week_of(day(30))).contains(&w);
        assert_eq!(cell.contains(&link), inside, "week {w}: {cell}");
    }
    let upkeep = row_cells("maintenance");
    assert!(upkeep[week_of(day(60))].contains("remise en état"));
    assert!(!upkeep[week_of(day(20))].contains("remise en état"));
    // Travel days sit before and after the use.
    let travel = row_cells("travel");
    assert!(
        travel.iter().any(|c| c.contains(&link)),
        "transport days from Amiens to the village: {travel:?}"
    );
    // A bad `from`: the page again with the error tied to the field.
    let bad = producer
        .get(&format!("/copies/{copy}/calendar?from=demain"))
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("href=\"#from\""));
    // Someone else's copy: 404.
    let other = app.producer(&net.agency, AMIENS).await;
    let mut stranger = Browser::new(&app);
    assert_eq!(stranger.log_in(&other.email, PASSWORD).await.status, 303);
    let refused = stranger.get(&format!("/copies/{copy}/calendar")).await;
    assert_eq!(refused.status, 404, "{}", refused.text);
}

/// A loan's days of use as the API tells them to its venue.
async fn dates_of(
    app: &TestApp,
    net: &Network,
    loan: i64,
) -> (serde_json::Value, serde_json::Value) {
    let b = app
        .get(&format!("/api/v1/bookings/{loan}"), Some(&net.venue.token))
        .await
        .body;
    (b["starts_on"].clone(), b["ends_on"].clone())
}

/// The loan page changes a loan's dates through the booking service: no CSRF, reversed dates or
/// days no copy is free come back on the page (422, the error tied to its field) and change
/// nothing; good dates move the loan, and the note reaches the other side's page.
async fn a_loan_s_dates_change_from_its_page_and_bad_dates_change_nothing(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let trunk = ResourceBuilder::trunk("Malle des marées")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let loan = id_of(
        &BookingBuilder::new(trunk.id, &net.venue, day(20), day(30))
            .status("approved")
            .build(&app, &net.producer)
            .await,
    );
    // The only copy is asked for again later: those days are not free.
    BookingBuilder::new(trunk.id, &net.venue, day(60), day(70))
        .build(&app, &net.producer)
        .await;
    let before = dates_of(&app, &net, loan).await;
    assert_eq!(before.0, json!(day(20)));

    let mut venue = Browser::new(&app);
    assert_eq!(venue.log_in(&net.venue.email, PASSWORD).await.status, 303);
    let page = venue.get(&format!("/bookings/{loan}")).await;
    assert!(
        page.text
            .contains(&format!("action=\"/bookings/{loan}/dates\"")),
        "{}",
        page.text
    );
    let csrf = hidden(&page.text, "csrf_token");
    let path = format!("/bookings/{loan}/dates");
    let (new_from, new_to) = (day(24).to_string(), day(34).to_string());

    let forged = venue
        .post(&path, &[("starts_on", &new_from), ("ends_on", &new_to)])
        .await;
    assert_eq!(forged.status, 403, "{}", forged.text);
    assert_eq!(dates_of(&app, &net, loan).await, before);

    let reversed = venue
        .post(
            &path,
            &[
                ("csrf_token", &csrf),
                ("starts_on", &new_to),
                ("ends_on", &new_from),
            ],
        )
        .await;
    assert_eq!(reversed.status, 422, "{}", reversed.text);
    assert!(
        reversed.text.contains("href=\"#ends_on\""),
        "{}",
        reversed.text
    );
    assert!(
        reversed.text.contains(&format!("value=\"{new_from}\"")),
        "typed values kept"
    );
    assert_eq!(dates_of(&app, &net, loan).await, before);

    let (busy_from, busy_to) = (day(62).to_string(), day(66).to_string());
    let taken = venue
        .post(
            &path,
            &[
                ("csrf_token", &csrf),
                ("starts_on", &busy_from),
                ("ends_on", &busy_to),
            ],
        )
        .await;
    assert_eq!(taken.status, 422, "{}", taken.text);
    assert!(
        taken.text.contains("Aucun exemplaire n&#39;est libre")
            || taken.text.contains("Aucun exemplaire n'est libre"),
        "{}",
        taken.text
    );
    assert_eq!(dates_of(&app, &net, loan).await, before);

    let moved = venue
        .post(
            &path,
            &[
                ("csrf_token", &csrf),
                ("starts_on", &new_from),
                ("ends_on", &new_to),
                ("note", "La classe part en sortie la première semaine."),
            ],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.text);
    assert!(
        moved.location.contains("rescheduled=1"),
        "{}",
        moved.location
    );
    assert_eq!(
        dates_of(&app, &net, loan).await,
        (json!(day(24)), json!(day(34)))
    );
    let mut producer = producer_browser(&app, &net).await;
    let read = producer.get(&format!("/bookings/{loan}")).await;
    assert!(
        read.text.contains("sortie la première semaine"),
        "{}",
        read.text
    );
    // The copy's calendar links to the form.
    let cal = producer
        .get(&format!("/copies/{}/calendar", trunk.copies[0]))
        .await;
    assert!(
        cal.text
            .contains(&format!("href=\"/bookings/{loan}#dates\"")),
        "{}",
        cal.text
    );
}

/// A producer with more copies than a page holds reads its fleet page after page, each copy
/// once, never silently cut; the copy page links to its calendar for its producer only.
async fn the_fleet_is_paged_and_the_copy_page_links_its_calendar(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let trunk = ResourceBuilder::trunk("Malle des étoiles")
        .copies(56)
        .build(&app, &net.producer)
        .await;
    let mut producer = producer_browser(&app, &net).await;
    let first = producer.get("/fleet").await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert!(first.text.contains("1–50 sur 56"), "{}", first.text);
    assert!(first.text.contains("href=\"/fleet?page=2\""));
    let second = producer.get("/fleet?page=2").await;
    assert!(second.text.contains("51–56 sur 56"), "{}", second.text);
    let listed = |html: &str| -> Vec<i64> {
        trunk
            .copies
            .iter()
            .copied()
            .filter(|c| html.contains(&format!("href=\"/copies/{c}/calendar\"")))
            .collect()
    };
    let (a, b) = (listed(&first.text), listed(&second.text));
    assert_eq!(a.len(), 50);
    assert_eq!(b.len(), 6);
    assert!(a.iter().all(|c| !b.contains(c)), "each copy once");

    let copy = trunk.copies[0];
    let own = producer.get(&format!("/copies/{copy}")).await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert!(own
        .text
        .contains(&format!("href=\"/copies/{copy}/calendar\"")));
    let mut venue = Browser::new(&app);
    assert_eq!(venue.log_in(&net.venue.email, PASSWORD).await.status, 303);
    let seen = venue.get(&format!("/copies/{copy}")).await;
    assert_eq!(seen.status, 200, "{}", seen.text);
    assert!(!seen.text.contains("/calendar\""), "{}", seen.text);
}

/// The producer files the crate's condition as it leaves (dispatch) and back at the depot
/// (inspection), from the loan page and the copy page, with the same condition service as the
/// API: the service decides the stage and what a fault does (maintenance); the venue is offered
/// neither; no CSRF token, no report.
async fn the_producer_files_dispatch_and_inspection_from_the_loan_and_the_copy(app: TestApp) {
    let net = Network::new(&app).await;
    let trunk = ResourceBuilder::trunk("Malle des volcans")
        .component("Éprouvette", 6)
        .component("Livret", 2)
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let copy = trunk.copies[0];
    let id = id_of(
        &BookingBuilder::new(trunk.id, &net.venue, day(20), day(24))
            .status("approved")
            .build(&app, &net.producer)
            .await,
    );
    let reports = format!("/api/v1/copies/{copy}/condition-reports");
    let form_path = format!("/bookings/{id}/report");
    let link = format!("href=\"{form_path}\"");

    let mut venue = Browser::new(&app);
    assert_eq!(venue.log_in(&net.venue.email, PASSWORD).await.status, 303);
    assert!(!venue
        .get(&format!("/bookings/{id}"))
        .await
        .text
        .contains(&link));
    // Nothing is due from the venue yet: a report it sends is refused, none is filed.
    let venue_form = venue.get(&form_path).await;
    let venue_csrf = hidden(&venue_form.text, "csrf_token");

    let mut producer = Browser::new(&app);
    assert_eq!(
        producer.log_in(&net.producer.email, PASSWORD).await.status,
        303
    );
    assert!(producer
        .get(&format!("/bookings/{id}"))
        .await
        .text
        .contains(&link));
    let copy_page = producer.get(&format!("/copies/{copy}")).await;
    assert!(copy_page.text.contains(&link), "{}", copy_page.text);
    let form = producer.get(&form_path).await;
    assert_eq!(form.status, 200, "{}", form.text);
    assert!(form.text.contains("Constat de départ"), "{}", form.text);
    assert!(form.text.contains("6 attendu(s)"));
    let csrf = hidden(&form.text, "csrf_token");
    let (c1, c2) = (trunk.components[0].0, trunk.components[1].0);
    let (p1, d1, p2, d2) = (
        format!("present_{c1}"),
        format!("damaged_{c1}"),
        format!("present_{c2}"),
        format!("damaged_{c2}"),
    );
    let counts = |damaged: &'static str| {
        vec![
            (p1.clone(), "6".to_string()),
            (d1.clone(), damaged.to_string()),
            (p2.clone(), "2".to_string()),
            (d2.clone(), "0".to_string()),
            ("grade".to_string(), "4".to_string()),
        ]
    };
    let post = |pairs: Vec<(String, String)>, with_csrf: bool| {
        let mut all = pairs;
        if with_csrf {
            all.push(("csrf_token".to_string(), csrf.clone()));
        }
        all
    };
    let as_refs = |pairs: &[(String, String)]| -> Vec<(String, String)> { pairs.to_vec() };
    // No token: refused, no report.
    let forged_pairs = as_refs(&post(counts("0"), false));
    let forged: Vec<(&str, &str)> = forged_pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(producer.post(&form_path, &forged).await.status, 403);
    let none = app.get(&reports, Some(&net.producer.token)).await;
    assert_eq!(none.body.as_array().map(Vec::len), Some(0), "{}", none.text);
    // Impossible counts: the form again.
    let bad_pairs = post(
        vec![
            (p1.clone(), "9".into()),
            (d1.clone(), "0".into()),
            (p2.clone(), "2".into()),
            (d2.clone(), "0".into()),
            ("grade".into(), "4".into()),
        ],
        true,
    );
    let bad: Vec<(&str, &str)> = bad_pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let res = producer.post(&form_path, &bad).await;
    assert_eq!(res.status, 422);
    assert!(
        res.text.contains(&format!("href=\"#{p1}\"")),
        "{}",
        res.text
    );
    let early_pairs = [
        (p1.clone(), "6".to_string()),
        (d1.clone(), "0".to_string()),
        (p2.clone(), "2".to_string()),
        (d2.clone(), "0".to_string()),
        ("grade".to_string(), "4".to_string()),
        ("csrf_token".to_string(), venue_csrf),
    ];
    let early: Vec<(&str, &str)> = early_pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(venue.post(&form_path, &early).await.status, 409);
    let none = app.get(&reports, Some(&net.producer.token)).await;
    assert_eq!(none.body.as_array().map(Vec::len), Some(0), "{}", none.text);
    // The dispatch, filed.
    let ok_pairs = post(counts("0"), true);
    let ok: Vec<(&str, &str)> = ok_pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let res = producer.post(&form_path, &ok).await;
    assert_eq!(res.status, 303, "{}", res.text);
    let filed = app.get(&reports, Some(&net.producer.token)).await;
    assert_eq!(filed.body[0]["stage"], "dispatch", "{}", filed.text);
    assert_eq!(filed.body[0]["booking_id"], json!(id));
    // Filed: neither the loan nor the copy offers it again, and a second one is refused.
    let loan_page = producer.get(&format!("/bookings/{id}")).await;
    assert!(!loan_page.text.contains(&link), "{}", loan_page.text);
    let copy_page = producer.get(&format!("/copies/{copy}")).await;
    assert!(!copy_page.text.contains(&link), "{}", copy_page.text);
    assert_eq!(producer.post(&form_path, &ok).await.status, 409);
    let once = app.get(&reports, Some(&net.producer.token)).await;
    assert_eq!(once.body.as_array().map(Vec::len), Some(1), "{}", once.text);

    // The loan travels, is used and comes back.
    for action in ["dispatch", "deliver", "return"] {
        let mut res = app
            .post(
                &format!("/api/v1/bookings/{id}/{action}"),
                Some(&net.producer.token),
                json!({}),
            )
            .await;
        if res.status != 200 {
            res = app
                .post(
                    &format!("/api/v1/bookings/{id}/{action}"),
                    Some(&net.venue.token),
                    json!({}),
                )
                .await;
        }
        assert_eq!(res.status, 200, "{action}: {}", res.text);
    }
    // Back at the depot: the inspection; a damaged tube sends the copy to maintenance (the
    // service's rule, not the page's).
    let form = producer.get(&form_path).await;
    assert_eq!(form.status, 200, "{}", form.text);
    assert!(
        form.text.contains("Inspection au retour au dépôt"),
        "{}",
        form.text
    );
    let damaged_pairs = post(counts("1"), true);
    let damaged: Vec<(&str, &str)> = damaged_pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let res = producer.post(&form_path, &damaged).await;
    assert_eq!(res.status, 303, "{}", res.text);
    let filed = app.get(&reports, Some(&net.producer.token)).await;
    let last = filed.body.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["stage"], "inspection", "{last}");
    assert_eq!(last["passed"], false, "{last}");
    let copy_now = app
        .get(&format!("/api/v1/copies/{copy}"), Some(&net.producer.token))
        .await;
    assert_eq!(copy_now.body["status"], "maintenance", "{}", copy_now.text);
}

on_both_backends!(
    a_producer_approves_with_a_note_the_venue_then_reads,
    the_inbox_shows_each_request_with_its_venue_price_and_conflicts,
    approving_from_the_inbox_returns_to_it_and_the_venue_reads_the_note,
    the_fleet_shows_scheduled_maintenance_and_the_calendar_places_loans,
    a_loan_s_dates_change_from_its_page_and_bad_dates_change_nothing,
    the_fleet_is_paged_and_the_copy_page_links_its_calendar,
    the_producer_files_dispatch_and_inspection_from_the_loan_and_the_copy,
);

//! The findings of the outside test (issue 13), each with its test on both backends: hoarding
//! by one venue, a venue moved to the Pacific, dates far in the future, notes without end, who
//! replaces a calendar link, what a spreadsheet runs, which headers answers carry, and
//! authorisation before validation.

use serde_json::json;

use crate::builders::{day, id_of, BookingBuilder, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::{Backend, TestApp};

async fn one_venue_cannot_hoard_a_scarce_tool(backend: Backend) {
    let app =
        TestApp::start_with(backend, &[("ITINERANCE_MAX_OPEN_REQUESTS_PER_VENUE", "5")]).await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let kit = ResourceBuilder::kit("Kit convoité")
        .copies(4)
        .build(&app, &net.producer)
        .await;
    // 20 requests at once, on days that do not overlap: 5 are held, 15 refused, whatever the
    // interleaving (the venue's row is locked while its count is checked).
    let requests = (0..20).map(|i| {
        let app = &app;
        let body = json!({"resource_id": kit.id, "venue_id": net.venue.org_id,
                          "starts_on": day(20 + 12 * i), "ends_on": day(20 + 12 * i)});
        let token = net.venue.token.clone();
        async move { app.post("/api/v1/bookings", Some(&token), body).await }
    });
    let answers = futures_util::future::join_all(requests).await;
    let held = answers.iter().filter(|r| r.status == 201).count();
    let refused: Vec<_> = answers.iter().filter(|r| r.status == 409).collect();
    assert_eq!(
        held,
        5,
        "{:?}",
        answers.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(refused.len(), 15);
    assert!(refused.iter().all(|r| r.code() == "request_limit_reached"));
    // Another venue still gets the tool.
    let other = app.venue(&net.agency, VILLAGE).await;
    let res = app
        .post(
            "/api/v1/bookings",
            Some(&other.token),
            json!({"resource_id": kit.id, "venue_id": other.org_id,
                   "starts_on": day(400), "ends_on": day(401)}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);

    // The waitlist: no duplicates, at most as many entries as open requests.
    let wait = |from: i64, to: i64, resource: i64| {
        let app = &app;
        let token = net.venue.token.clone();
        let body = json!({"resource_id": resource, "venue_id": net.venue.org_id,
                          "starts_on": day(from), "ends_on": day(to)});
        async move { app.post("/api/v1/waitlist", Some(&token), body).await }
    };
    let mut others = Vec::new();
    for i in 0..6 {
        others.push(
            ResourceBuilder::kit(&format!("Kit attendu {i}"))
                .copies(1)
                .build(&app, &net.producer)
                .await,
        );
    }
    // Keep every copy busy so that entries wait.
    for r in &others {
        BookingBuilder::new(r.id, &other, day(100), day(130))
            .status("approved")
            .build(&app, &net.producer)
            .await;
    }
    let res = wait(110, 112, others[0].id).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let res = wait(110, 112, others[0].id).await;
    assert_eq!(res.status, 409, "{}", res.text);
    assert_eq!(res.code(), "already_exists");
    let res = wait(111, 115, others[0].id).await;
    assert_eq!(res.code(), "already_exists", "overlapping days count too");
    for r in &others[1..5] {
        assert_eq!(wait(110, 112, r.id).await.status, 201);
    }
    let res = wait(110, 112, others[5].id).await;
    assert_eq!(res.status, 409, "{}", res.text);
    assert_eq!(res.code(), "request_limit_reached");
}

async fn a_venue_stays_near_its_commune(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let path = format!("/api/v1/organizations/{}", net.venue.org_id);
    let before = app.get(&path, Some(&net.venue.token)).await.body;
    let res = app
        .patch(
            &path,
            Some(&net.venue.token),
            json!({"latitude": -49.5, "longitude": -176.4}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), ["latitude"]);
    let after = app.get(&path, Some(&net.venue.token)).await.body;
    assert_eq!(before["latitude"], after["latitude"], "nothing changed");
    // A few kilometres off the commune's centre is a real address.
    let lat = before["latitude"].as_f64().unwrap() + 0.03;
    let lon = before["longitude"].as_f64().unwrap();
    let res = app
        .patch(
            &path,
            Some(&net.venue.token),
            json!({"latitude": lat, "longitude": lon}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app
        .post(
            "/api/v1/organizations",
            Some(&net.agency.token),
            json!({"name": "Loin", "kind": "venue", "commune_insee": "80021",
                   "latitude": 50.63, "longitude": 3.06}),
        )
        .await;
    assert_eq!(res.status, 422, "Lille is not in Amiens: {}", res.text);
    // A venue placed far away before the rule (here, written directly) does not block a copy
    // for months: travel is capped.
    let venue = net.venue.org_id;
    app.state
        .run(move |conn| {
            use diesel::prelude::*;
            use itinerance::schema::organizations;
            Ok(diesel::update(organizations::table.find(venue))
                .set((
                    organizations::latitude.eq(-49.5),
                    organizations::longitude.eq(-176.4),
                ))
                .execute(conn)?)
        })
        .await
        .unwrap();
    let kit = ResourceBuilder::kit("Kit voyageur")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let booking = BookingBuilder::new(kit.id, &net.venue, day(30), day(30))
        .build(&app, &net.producer)
        .await;
    let from =
        chrono::NaiveDate::parse_from_str(booking["occupied_from"].as_str().unwrap(), "%Y-%m-%d")
            .unwrap();
    let to =
        chrono::NaiveDate::parse_from_str(booking["occupied_to"].as_str().unwrap(), "%Y-%m-%d")
            .unwrap();
    assert!((to - from).num_days() <= 20, "{booking}");
}

async fn dates_stay_within_reason(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let kit = ResourceBuilder::kit("Kit daté")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let copy = kit.copies[0];
    let maintenance = format!("/api/v1/copies/{copy}/maintenance");
    for (starts_on, ends_on, fields) in [
        ("+10000-01-01", "+10000-01-02", vec!["ends_on", "starts_on"]),
        ("2027-12-01", "10000-01-02", vec!["ends_on"]),
    ] {
        let res = app
            .post(
                &maintenance,
                Some(&net.producer.token),
                json!({"kind": "cleaning", "starts_on": starts_on, "ends_on": ends_on}),
            )
            .await;
        assert_eq!(res.status, 422, "{starts_on}: {}", res.text);
        let mut got = res.fields();
        got.sort();
        assert_eq!(got, fields);
    }
    let far = day(800);
    let res = app
        .post(
            &maintenance,
            Some(&net.producer.token),
            json!({"kind": "cleaning", "starts_on": far, "ends_on": far}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), ["starts_on"]);
    let res = app
        .get(
            &format!(
                "/api/v1/resources/{}/availability?from=2027-01-01&to=10000-01-01",
                kit.id
            ),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), ["to"]);
    let listed = app.get(&maintenance, Some(&net.producer.token)).await;
    assert_eq!(
        listed.body.as_array().map(Vec::len),
        Some(0),
        "nothing written"
    );
}

async fn notes_links_spreadsheets_headers_and_reports_are_safe(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let kit = ResourceBuilder::kit("=HYPERLINK(\"http://x\",\"clic\")")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let booking = BookingBuilder::new(kit.id, &net.venue, day(20), day(22))
        .build(&app, &net.producer)
        .await;
    let id = id_of(&booking);
    // A note of 200,000 characters is refused, and the booking stays as it was.
    let res = app
        .send(
            "POST",
            &format!("/api/v1/bookings/{id}/approve"),
            Some(&net.producer.token),
            Some(json!({"note": "x".repeat(200_000)})),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), ["note"]);
    let read = app
        .get(&format!("/api/v1/bookings/{id}"), Some(&net.venue.token))
        .await;
    assert_eq!(read.body["status"], "requested");
    app.act_ok(&net.producer, id, "approve", "approved").await;

    // Only administrators replace the venue's calendar link.
    let member = app.user_in(&net.agency, net.venue.org_id, "member").await;
    let link = format!("/api/v1/venues/{}/calendar-token", net.venue.org_id);
    assert_eq!(
        app.send("POST", &link, Some(&member.token), None)
            .await
            .status,
        403
    );
    let issued = app.send("POST", &link, Some(&net.venue.token), None).await;
    assert_eq!(issued.status, 201, "{}", issued.text);

    // A title that is a formula is text in the fleet's CSV.
    let csv = app
        .raw_with(
            "GET",
            &format!("/api/v1/producers/{}/fleet", net.producer.org_id),
            Some(&net.producer.token),
            None,
            &[("Accept", "text/csv")],
            Vec::new(),
        )
        .await;
    assert!(csv.text.contains("'=HYPERLINK"), "{}", csv.text);
    assert!(!csv.text.contains(",=HYPERLINK") && !csv.text.contains(",\"=HYPERLINK"));

    // Headers: nothing with a credential or a secret is stored by a cache; nothing is sniffed;
    // the documentation has a Content Security Policy.
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": net.venue.email, "password": crate::common::PASSWORD}),
        )
        .await;
    for res in [
        &login,
        &app.get("/api/v1/me", Some(&net.venue.token)).await,
        &app.get(issued.body["path"].as_str().unwrap(), None).await,
    ] {
        assert_eq!(
            res.headers.get("cache-control").unwrap(),
            "no-store",
            "{}",
            res.text
        );
        assert_eq!(
            res.headers.get("x-content-type-options").unwrap(),
            "nosniff"
        );
    }
    let health = app.get("/health", None).await;
    assert_eq!(
        health.headers.get("x-content-type-options").unwrap(),
        "nosniff"
    );
    let refused = app.get("/api/v1/communes/80021%00", None).await;
    assert_eq!(
        refused.headers.get("x-content-type-options").unwrap(),
        "nosniff"
    );
    let docs = app.get("/docs/", None).await;
    let csp = docs
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("default-src 'self'"), "{csp}");

    // Condition reports: an outsider learns nothing from validation (authorised first).
    let outsider = app.venue(&net.agency, AMIENS).await;
    let res = app
        .post(
            &format!("/api/v1/copies/{}/condition-reports", kit.copies[0]),
            Some(&outsider.token),
            json!({"booking_id": 999_999, "stage": "return", "grade": 9}),
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.text);
    let res = app
        .post(
            &format!("/api/v1/copies/{}/condition-reports", kit.copies[0]),
            Some(&outsider.token),
            json!({"booking_id": id, "stage": "return", "grade": 9}),
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.text);
}

crate::on_both_backends!(
    a_venue_stays_near_its_commune,
    dates_stay_within_reason,
    notes_links_spreadsheets_headers_and_reports_are_safe
);

mod limits {
    mod sqlite {
        #[actix_web::test]
        async fn one_venue_cannot_hoard_a_scarce_tool() {
            super::super::one_venue_cannot_hoard_a_scarce_tool(crate::common::Backend::Sqlite).await
        }
    }
    mod postgres {
        #[actix_web::test]
        async fn one_venue_cannot_hoard_a_scarce_tool() {
            super::super::one_venue_cannot_hoard_a_scarce_tool(crate::common::Backend::Postgres)
                .await
        }
    }
}

//! The demo network loads completely, on real communes, and a second load adds nothing.

use std::collections::HashMap;

use crate::common::TestApp;
use crate::on_both_backends;

async fn demo_network_loads_once_and_logins_work(app: TestApp) {
    let first = app
        .state
        .run(|conn| itinerance::demo::load(conn, chrono::Utc::now().naive_utc()))
        .await
        .expect("first load");
    // 250 drawn venues, then the village's point lecture and the school.
    assert_eq!(first.organizations, 1 + 7 + 252);
    assert!((55..=65).contains(&first.resources), "{first:?}");
    assert!((130..=170).contains(&first.copies), "{first:?}");
    assert!(first.components > 0);
    assert_eq!((first.vans, first.timetables), (7, 252), "{first:?}");
    assert_eq!(first.rounds, 1, "the open round with contested requests");
    let second = app
        .state
        .run(|conn| itinerance::demo::load(conn, chrono::Utc::now().naive_utc()))
        .await
        .expect("second load");
    assert_eq!(
        (
            second.organizations,
            second.users,
            second.resources,
            second.copies,
            second.components,
            second.vans,
            second.timetables,
            second.rounds
        ),
        (0, 0, 0, 0, 0, 0, 0, 0)
    );

    // Every documented login works, and sees its organisation's kind.
    let mut kinds = HashMap::new();
    for (email, password) in &first.logins {
        let token = app.login(email, password).await;
        let me = app.get("/api/v1/me", Some(&token)).await;
        *kinds
            .entry(
                me.body["organization"]["kind"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
            .or_insert(0) += 1;
    }
    assert_eq!(kinds["agency"], 1);
    assert_eq!(kinds["producer"], 7);
    assert!(kinds["venue"] >= 1);

    // Venues follow the 2019 survey mix and cover the five departments.
    let token = app.login(&first.logins[0].0, &first.logins[0].1).await;
    let venues = app
        .get("/api/v1/organizations?kind=venue&limit=500", Some(&token))
        .await;
    let venues = venues.body["items"].as_array().unwrap().clone();
    assert_eq!(venues.len(), 252);
    let mut types: HashMap<String, usize> = HashMap::new();
    let mut departments: HashMap<String, usize> = HashMap::new();
    for v in &venues {
        *types
            .entry(v["venue_type"].as_str().unwrap().to_string())
            .or_default() += 1;
        *departments
            .entry(v["commune_insee"].as_str().unwrap()[..2].to_string())
            .or_default() += 1;
    }
    assert_eq!(types["library"], 136);
    assert_eq!(types["social_centre"], 48);
    assert_eq!(departments.len(), 5, "{departments:?}");

    // The catalogue is searchable: the potato exhibition is there, with copies in service.
    let potato = app
        .get("/api/v1/resources?q=pomme%20de%20terre", Some(&token))
        .await;
    assert_eq!(potato.status, 200, "{}", potato.text);
    let items = potato.body["items"].as_array().unwrap();
    assert!(
        !items.is_empty(),
        "no potato resource in the demo catalogue"
    );
    assert!(items[0]["copies_in_service"].as_i64().unwrap() >= 1);
}

/// The demo's loans ahead give the Amiens producer a day to plan, once.
async fn demo_loans_ahead_give_the_amiens_producer_a_day_of_tours(app: TestApp) {
    app.state
        .run(|conn| itinerance::demo::load(conn, chrono::Utc::now().naive_utc()))
        .await
        .expect("demo network");
    let settings = app.state.booking_settings();
    let again = settings.clone();
    let approved = app
        .state
        .run(move |conn| {
            itinerance::demo::upcoming::load(conn, &settings, chrono::Utc::now().naive_utc())
        })
        .await
        .expect("loans ahead");
    assert_eq!(approved, 3);
    let second = app
        .state
        .run(move |conn| {
            itinerance::demo::upcoming::load(conn, &again, chrono::Utc::now().naive_utc())
        })
        .await
        .expect("loans ahead, again");
    assert_eq!(second, 0, "loaded once");
    let token = app
        .login("amiens@demo.itinerance.fr", itinerance::demo::DEMO_PASSWORD)
        .await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    let producer = me.body["organization"]["id"].as_i64().unwrap();
    let loans = app
        .get("/api/v1/bookings?status=approved", Some(&token))
        .await;
    let items = loans.body.as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 3, "{}", loans.text);
    let day = items
        .iter()
        .map(|b| b["delivery_on"].as_str().unwrap().to_string())
        .min()
        .unwrap();
    let plan = app
        .post(
            "/api/v1/tours/plan",
            Some(&token),
            serde_json::json!({"date": day, "depot_organization_id": producer}),
        )
        .await;
    assert_eq!(plan.status, 200, "{}", plan.text);
    assert!(
        !plan.body["trips"].as_array().unwrap().is_empty(),
        "a round to drive: {}",
        plan.text
    );
}

on_both_backends!(
    demo_network_loads_once_and_logins_work,
    demo_loans_ahead_give_the_amiens_producer_a_day_of_tours,
);

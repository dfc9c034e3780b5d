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

on_both_backends!(demo_network_loads_once_and_logins_work);

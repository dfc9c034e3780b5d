//! Organisations located on communes, their users, and the directory.

use serde_json::json;

use crate::common::{TestApp, PASSWORD};
use crate::on_both_backends;

async fn organisations_sit_on_their_commune(app: TestApp) {
    let agency = app.agency_admin().await;
    let t = Some(agency.token.as_str());
    let venue = app
        .post(
            "/api/v1/organizations",
            t,
            json!({"name": "Médiathèque d'Achery", "kind": "venue", "venue_type": "library", "commune_insee": "02002"}),
        )
        .await;
    assert_eq!(venue.status, 201, "{}", venue.text);
    assert_eq!(venue.body["latitude"], 49.69374);
    assert_eq!(venue.body["longitude"], 3.3898);
    assert_eq!(venue.body["venue_type"], "library");
    let id = venue.body["id"].as_i64().unwrap();

    let placed = app
        .post(
            "/api/v1/organizations",
            t,
            json!({"name": "Forum", "kind": "producer", "commune_insee": "59009", "address": "1 place de l'Hôtel de Ville", "latitude": 50.62, "longitude": 3.15}),
        )
        .await;
    assert_eq!(placed.status, 201);
    assert_eq!(placed.body["latitude"], 50.62);
    assert!(placed.body["venue_type"].is_null());

    let moved = app
        .patch(
            &format!("/api/v1/organizations/{id}"),
            t,
            json!({"commune_insee": "80021", "name": "Médiathèque d'Amiens"}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["commune_insee"], "80021");
    assert_eq!(moved.body["latitude"], 49.9);
    assert_eq!(moved.body["name"], "Médiathèque d'Amiens");
    assert_eq!(moved.body["kind"], "venue");
    let bad = app
        .patch(
            &format!("/api/v1/organizations/{id}"),
            t,
            json!({"commune_insee": "00000"}),
        )
        .await;
    assert_eq!(bad.status, 422);
    let got = app.get(&format!("/api/v1/organizations/{id}"), t).await;
    assert_eq!(
        got.body["commune_insee"], "80021",
        "a refused change leaves the record as it was"
    );
}

async fn directory_filters_by_kind_and_pages_without_gaps(app: TestApp) {
    let agency = app.agency_admin().await;
    let t = Some(agency.token.as_str());
    for i in 0..7 {
        let kind = if i % 2 == 0 { "venue" } else { "producer" };
        let res = app
            .post(
                "/api/v1/organizations",
                t,
                json!({"name": format!("Org {i}"), "kind": kind, "commune_insee": "62041"}),
            )
            .await;
        assert_eq!(res.status, 201);
    }
    let venues = app.get("/api/v1/organizations?kind=venue", t).await;
    assert_eq!(venues.body["items"].as_array().unwrap().len(), 4);
    assert!(venues.body["next_cursor"].is_null());

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/organizations?limit=3&cursor={c}"),
            None => "/api/v1/organizations?limit=3".to_string(),
        };
        let page = app.get(&path, t).await;
        assert_eq!(page.status, 200, "{}", page.text);
        for item in page.body["items"].as_array().unwrap() {
            seen.push(item["id"].as_i64().unwrap());
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 8, "7 organisations and the agency");
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen);
    assert_eq!(
        app.get("/api/v1/organizations?cursor=abc", t).await.status,
        422
    );
    assert_eq!(
        app.get("/api/v1/organizations?kind=castle", t).await.status,
        400
    );
}

async fn users_are_created_validated_and_unique(app: TestApp) {
    let agency = app.agency_admin().await;
    let admin = app.venue(&agency, "80021").await;
    let res = app
        .post(
            "/api/v1/users",
            Some(&admin.token),
            json!({"email": "Claire@Mediatheque.test", "password": PASSWORD, "organization_id": admin.org_id, "role": "member"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["email"], "claire@mediatheque.test");
    assert!(res.body.get("password_hash").is_none());
    app.login("claire@mediatheque.test", PASSWORD).await;

    let dup = app
        .post(
            "/api/v1/users",
            Some(&agency.token),
            json!({"email": "claire@mediatheque.test", "password": PASSWORD, "organization_id": admin.org_id, "role": "member"}),
        )
        .await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.code(), "email_taken");

    let bad = app
        .post(
            "/api/v1/users",
            Some(&admin.token),
            json!({"email": "not-an-email", "password": "short", "organization_id": admin.org_id, "role": "member"}),
        )
        .await;
    assert_eq!(bad.status, 422);
    let mut fields = bad.fields();
    fields.sort();
    assert_eq!(fields, vec!["email", "password"]);

    let users = app.get("/api/v1/users", Some(&admin.token)).await;
    assert_eq!(users.body.as_array().unwrap().len(), 2);
}

on_both_backends!(
    organisations_sit_on_their_commune,
    directory_filters_by_kind_and_pages_without_gaps,
    users_are_created_validated_and_unique,
);

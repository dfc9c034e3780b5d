//! Problem responses for everything that can go wrong before a rule is even applied.

use serde_json::json;

use crate::common::TestApp;
use crate::on_both_backends;

async fn malformed_json_wrong_types_and_missing_fields_are_400(app: TestApp) {
    let agency = app.agency_admin().await;
    let t = Some(agency.token.as_str());
    let res = app
        .raw(
            "POST",
            "/api/v1/organizations",
            t,
            Some("application/json"),
            b"{\"name\": ".to_vec(),
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(res.code(), "malformed_request");
    assert_eq!(res.body["status"], 400);
    assert_eq!(res.body["type"], "urn:itinerance:problem:malformed_request");
    assert!(res.body["title"].is_string() && res.body["detail"].is_string());

    let res = app
        .post(
            "/api/v1/organizations",
            t,
            json!({"name": 12, "kind": "venue", "commune_insee": "80021"}),
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "malformed_request");

    let res = app
        .post("/api/v1/organizations", t, json!({"kind": "venue"}))
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body["detail"].as_str().unwrap().contains("name"));

    let res = app
        .post(
            "/api/v1/organizations",
            t,
            json!({"name": "X", "kind": "castle", "commune_insee": "80021"}),
        )
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body["detail"].as_str().unwrap().contains("castle"));

    let res = app
        .raw(
            "POST",
            "/api/v1/auth/login",
            None,
            Some("text/plain"),
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(res.status, 415);
    assert_eq!(res.code(), "unsupported_media_type");
}

async fn unknown_routes_and_bad_ids_are_404_problems(app: TestApp) {
    let agency = app.agency_admin().await;
    let res = app.get("/api/v1/nothing-here", None).await;
    assert_eq!(res.status, 404);
    assert_eq!(res.code(), "not_found");
    let res = app
        .get("/api/v1/organizations/not-a-number", Some(&agency.token))
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(res.code(), "not_found");
    let res = app
        .get("/api/v1/organizations/999999", Some(&agency.token))
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(res.code(), "not_found");
}

async fn unknown_query_parameters_and_bad_values_are_refused(app: TestApp) {
    let res = app.get("/api/v1/communes?departement=80", None).await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "malformed_request");
    assert!(res.body["detail"].as_str().unwrap().contains("departement"));
    let res = app.get("/api/v1/communes?limit=many", None).await;
    assert_eq!(res.status, 400);
    let res = app
        .get("/api/v1/communes?limit=0&department=75", None)
        .await;
    assert_eq!(res.status, 422);
    assert_eq!(res.code(), "validation_failed");
    let mut fields = res.fields();
    fields.sort();
    assert_eq!(fields, vec!["department", "limit"]);
}

async fn oversized_bodies_are_413(app: TestApp) {
    let big = "x".repeat(300 * 1024);
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": big, "password": "p"}),
        )
        .await;
    assert_eq!(res.status, 413, "{}", res.text);
    assert_eq!(res.code(), "payload_too_large");
}

async fn validation_errors_list_every_field_and_change_nothing(app: TestApp) {
    let agency = app.agency_admin().await;
    let before = app.get("/api/v1/organizations", Some(&agency.token)).await;
    let res = app
        .post(
            "/api/v1/organizations",
            Some(&agency.token),
            json!({"name": " ", "kind": "producer", "commune_insee": "99999", "venue_type": "library", "latitude": 95.0, "longitude": 2.0}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.code(), "validation_failed");
    let mut fields = res.fields();
    fields.sort();
    assert_eq!(
        fields,
        vec!["commune_insee", "latitude", "name", "venue_type"]
    );
    let after = app.get("/api/v1/organizations", Some(&agency.token)).await;
    assert_eq!(before.body, after.body);
}

async fn health_names_the_backend(app: TestApp) {
    let res = app.get("/health", None).await;
    assert_eq!(res.status, 200);
    let expected = match app.backend {
        crate::common::Backend::Sqlite => "sqlite",
        crate::common::Backend::Postgres => "postgres",
    };
    assert_eq!(res.body, json!({"status": "ok", "database": expected}));
}

on_both_backends!(
    malformed_json_wrong_types_and_missing_fields_are_400,
    unknown_routes_and_bad_ids_are_404_problems,
    unknown_query_parameters_and_bad_values_are_refused,
    oversized_bodies_are_413,
    validation_errors_list_every_field_and_change_nothing,
    health_names_the_backend,
);

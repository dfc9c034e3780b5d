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

/// `/health` answers 503 `service_unavailable` when no connection can be had: here the pool's
/// one connection is held by the test; it answers 200 again once the connection is back.
async fn health_is_503_while_the_pool_is_exhausted(backend: crate::common::Backend) {
    let app = TestApp::start_with(
        backend,
        &[
            ("ITINERANCE_DATABASE_POOL_SIZE", "1"),
            ("ITINERANCE_DATABASE_TIMEOUT_SECONDS", "1"),
        ],
    )
    .await;
    assert_eq!(app.get("/health", None).await.status, 200);
    let held = app.state.pool.get().expect("the pool's one connection");
    let res = app.get("/health", None).await;
    assert_eq!(res.status, 503, "{}", res.text);
    assert_eq!(res.code(), "service_unavailable");
    drop(held);
    let res = app.get("/health", None).await;
    assert_eq!(res.status, 200, "{}", res.text);
}

mod health_without_a_connection {
    use crate::common::Backend;

    #[actix_web::test]
    async fn sqlite() {
        super::health_is_503_while_the_pool_is_exhausted(Backend::Sqlite).await
    }

    #[actix_web::test]
    async fn postgres() {
        super::health_is_503_while_the_pool_is_exhausted(Backend::Postgres).await
    }
}

/// `/health` answers 503 `service_unavailable` once the PostgreSQL database is gone (dropped,
/// its connections terminated). (An SQLite file stays readable through the connections already
/// open even when it is unlinked, so there is no "gone" to test there.)
#[actix_web::test]
async fn postgres_health_is_503_when_the_database_is_gone() {
    use diesel::{Connection, RunQueryDsl};
    let app = TestApp::start_with(
        crate::common::Backend::Postgres,
        &[("ITINERANCE_DATABASE_TIMEOUT_SECONDS", "2")],
    )
    .await;
    assert_eq!(app.get("/health", None).await.status, 200);
    let url = app.state.config.database_url.clone();
    let (server, name) = url.rsplit_once('/').expect("a database name");
    let mut admin =
        diesel::PgConnection::establish(&format!("{server}/postgres")).expect("admin connection");
    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .expect("drop the database");
    let res = app.get("/health", None).await;
    assert_eq!(res.status, 503, "{}", res.text);
    assert_eq!(res.code(), "service_unavailable");
    assert!(
        !res.text.contains(name) && !res.text.contains("127.0.0.1"),
        "the cause (database name, host) is logged, never shown: {}",
        res.text
    );
}

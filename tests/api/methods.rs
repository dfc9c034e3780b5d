//! Methods on known paths: a wrong one is 405 with `Allow`, and every `GET` also answers `HEAD`.

use serde_json::json;

use crate::common::TestApp;
use crate::on_both_backends;

async fn a_known_path_with_another_method_is_405_with_allow(app: TestApp) {
    let agency = app.agency_admin().await;
    let before = app.get("/api/v1/organizations", Some(&agency.token)).await;

    let res = app
        .send(
            "PUT",
            "/api/v1/organizations",
            Some(&agency.token),
            Some(json!({})),
        )
        .await;
    assert_eq!(res.status, 405, "{}", res.text);
    assert_eq!(res.code(), "method_not_allowed");
    assert_eq!(res.headers.get("allow").unwrap(), "GET, HEAD, POST");

    let res = app
        .send(
            "DELETE",
            &format!("/api/v1/organizations/{}", agency.org_id),
            Some(&agency.token),
            None,
        )
        .await;
    assert_eq!(res.status, 405);
    assert_eq!(res.headers.get("allow").unwrap(), "GET, HEAD, PATCH");

    // A path template matches whatever its segments hold; the method decides.
    let res = app
        .get("/api/v1/bookings/1/approve", Some(&agency.token))
        .await;
    assert_eq!(res.status, 405);
    assert_eq!(res.headers.get("allow").unwrap(), "POST");

    // A literal route of another method wins over a template whose id would not parse.
    let res = app.get("/api/v1/tours/plan", Some(&agency.token)).await;
    assert_eq!(res.status, 405, "{}", res.text);
    assert_eq!(res.headers.get("allow").unwrap(), "POST");
    let res = app.get("/api/v1/tours/abc", Some(&agency.token)).await;
    assert_eq!(res.status, 404, "{}", res.text);

    let res = app.send("POST", "/health", None, Some(json!({}))).await;
    assert_eq!(res.status, 405);
    assert_eq!(res.headers.get("allow").unwrap(), "GET, HEAD");

    // Unknown paths stay 404, whatever the method.
    let res = app.send("PUT", "/api/v1/nothing-here", None, None).await;
    assert_eq!(res.status, 404);
    assert_eq!(res.code(), "not_found");

    let after = app.get("/api/v1/organizations", Some(&agency.token)).await;
    assert_eq!(before.body, after.body, "a refused method changed nothing");
}

async fn every_get_answers_head_with_headers_and_no_body(app: TestApp) {
    let agency = app.agency_admin().await;
    for (path, token) in [
        ("/health", None),
        ("/api/v1/communes/80021", None),
        ("/api/v1/organizations", Some(agency.token.as_str())),
        ("/api-docs/openapi.json", None),
    ] {
        let get = app.get(path, token).await;
        let head = app.send("HEAD", path, token, None).await;
        assert_eq!(get.status, 200, "GET {path}");
        assert_eq!(head.status, 200, "HEAD {path}");
        assert!(head.text.is_empty(), "HEAD {path} sent a body");
        assert_eq!(head.content_type, get.content_type, "HEAD {path}");
        assert_eq!(
            head.headers.get("content-length").unwrap(),
            &get.text.len().to_string(),
            "HEAD {path} announces the length of the GET body"
        );
    }
    // HEAD is checked like GET: no token, no entry.
    let res = app.send("HEAD", "/api/v1/organizations", None, None).await;
    assert_eq!(res.status, 401);
}

on_both_backends!(
    a_known_path_with_another_method_is_405_with_allow,
    every_get_answers_head_with_headers_and_no_body,
);

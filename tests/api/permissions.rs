//! The role × endpoint matrix: who may do what, 401 without a token, 404/403 for others' data.

use serde_json::{json, Value};

use crate::common::{Actor, TestApp, PASSWORD};
use crate::on_both_backends;

struct Case {
    name: &'static str,
    method: &'static str,
    path: String,
    body: Option<Value>,
}

async fn role_endpoint_matrix(app: TestApp) {
    let agency_admin = app.agency_admin().await;
    let agency_member = app
        .user_in(&agency_admin, agency_admin.org_id, "member")
        .await;
    let producer_admin = app
        .member_of_new_org(&agency_admin, "producer", "admin", "80021")
        .await;
    let producer_member = app
        .user_in(&agency_admin, producer_admin.org_id, "member")
        .await;
    let venue_admin = app
        .member_of_new_org(&agency_admin, "venue", "admin", "02002")
        .await;
    let venue_member = app
        .user_in(&venue_admin, venue_admin.org_id, "member")
        .await;
    let partner_admin = app
        .member_of_new_org(&agency_admin, "partner", "admin", "59350")
        .await;
    let key = app
        .post(
            "/api/v1/api-keys",
            Some(&partner_admin.token),
            json!({"name": "k"}),
        )
        .await
        .body["key"]
        .as_str()
        .unwrap()
        .to_string();
    let partner_key = Actor {
        token: key,
        ..partner_admin.clone()
    };

    // The target of the "other organisation" cases is the venue; the producer is a stranger to it.
    let venue = venue_admin.org_id;
    let venue_user = venue_member.user_id;
    let mut n = 0;
    let cases =
        |name: &'static str, method: &'static str, path: String, body: Option<Value>| Case {
            name,
            method,
            path,
            body,
        };
    let mut new_user = |org: i64| {
        n += 1;
        Some(
            json!({"email": format!("new{n}-{org}@x.test"), "password": PASSWORD, "organization_id": org, "role": "member"}),
        )
    };
    let matrix: Vec<(Case, [u16; 8])> = vec![
        // columns: agency admin, agency member, producer admin, producer member, venue admin, venue member, partner key, anonymous
        (
            cases("me", "GET", "/api/v1/me".into(), None),
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        (
            cases(
                "create organisation",
                "POST",
                "/api/v1/organizations".into(),
                Some(json!({"name": "N", "kind": "venue", "commune_insee": "80021"})),
            ),
            [201, 201, 403, 403, 403, 403, 403, 401],
        ),
        (
            cases("directory", "GET", "/api/v1/organizations".into(), None),
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        (
            cases(
                "read venue",
                "GET",
                format!("/api/v1/organizations/{venue}"),
                None,
            ),
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        (
            cases(
                "edit venue",
                "PATCH",
                format!("/api/v1/organizations/{venue}"),
                Some(json!({"address": "2 rue de la Gare"})),
            ),
            [200, 200, 403, 403, 200, 403, 403, 401],
        ),
        (
            cases(
                "create user in venue",
                "POST",
                "/api/v1/users".into(),
                new_user(venue),
            ),
            [201, 403, 404, 404, 201, 403, 404, 401],
        ),
        (
            cases(
                "list venue users",
                "GET",
                format!("/api/v1/users?organization_id={venue}"),
                None,
            ),
            [200, 200, 404, 404, 200, 200, 404, 401],
        ),
        (
            cases(
                "read venue user",
                "GET",
                format!("/api/v1/users/{venue_user}"),
                None,
            ),
            [200, 200, 404, 404, 200, 200, 404, 401],
        ),
        (
            cases(
                "venue API keys",
                "GET",
                format!("/api/v1/api-keys?organization_id={venue}"),
                None,
            ),
            [200, 403, 404, 404, 200, 403, 404, 401],
        ),
        (
            cases("own API keys", "GET", "/api/v1/api-keys".into(), None),
            [200, 403, 200, 403, 200, 403, 403, 401],
        ),
        (
            cases(
                "communes are public",
                "GET",
                "/api/v1/communes?q=lille".into(),
                None,
            ),
            [200, 200, 200, 200, 200, 200, 200, 200],
        ),
    ];
    let actors: [Option<&Actor>; 8] = [
        Some(&agency_admin),
        Some(&agency_member),
        Some(&producer_admin),
        Some(&producer_member),
        Some(&venue_admin),
        Some(&venue_member),
        Some(&partner_key),
        None,
    ];
    let labels = [
        "agency admin",
        "agency member",
        "producer admin",
        "producer member",
        "venue admin",
        "venue member",
        "partner key",
        "anonymous",
    ];
    let mut failures = Vec::new();
    for (case, expected) in &matrix {
        for (i, actor) in actors.iter().enumerate() {
            let mut body = case.body.clone();
            // Each allowed user creation needs a fresh e-mail.
            if let Some(b) = body.as_mut() {
                if let Some(email) = b.get("email").and_then(|e| e.as_str()).map(String::from) {
                    b["email"] = json!(format!("{i}-{email}"));
                }
            }
            let res = app
                .send(
                    case.method,
                    &case.path,
                    actor.map(|a| a.token.as_str()),
                    body,
                )
                .await;
            if res.status != expected[i] {
                failures.push(format!(
                    "{} as {}: expected {}, got {} {}",
                    case.name, labels[i], expected[i], res.status, res.text
                ));
            }
            if res.status >= 400 {
                let _ = res.code();
            }
        }
    }
    assert!(
        failures.is_empty(),
        "permission matrix:\n{}",
        failures.join("\n")
    );
}

on_both_backends!(role_endpoint_matrix);

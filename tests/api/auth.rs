//! Login, tokens and API keys.

use chrono::Utc;
use itinerance::auth::token::Claims;
use serde_json::json;

use crate::common::{TestApp, PASSWORD};
use crate::on_both_backends;

async fn login_with_right_password_gives_a_working_token(app: TestApp) {
    let agency = app.agency_admin().await;
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "ADMIN@agence.test ", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["token_type"], "Bearer");
    assert_eq!(res.body["expires_in"], 900);
    let token = res.body["access_token"].as_str().unwrap();
    let me = app.get("/api/v1/me", Some(token)).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["user"]["email"], "admin@agence.test");
    assert_eq!(me.body["user"]["role"], "admin");
    assert_eq!(me.body["organization"]["id"], agency.org_id);
    assert_eq!(me.body["organization"]["kind"], "agency");
    assert!(me.body["user"].get("password_hash").is_none());
}

async fn wrong_password_and_unknown_email_get_the_same_401(app: TestApp) {
    app.agency_admin().await;
    let wrong = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "admin@agence.test", "password": "not-the-password"}),
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "nobody@agence.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.code(), "invalid_credentials");
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(unknown.status, 401);
}

async fn missing_expired_and_tampered_tokens_get_401(app: TestApp) {
    let agency = app.agency_admin().await;
    let none = app.get("/api/v1/me", None).await;
    assert_eq!(none.status, 401);
    assert_eq!(none.code(), "unauthenticated");
    assert_eq!(none.headers.get("www-authenticate").unwrap(), "Bearer");

    let now = Utc::now().timestamp();
    let expired = app
        .state
        .tokens
        .sign(&Claims {
            sub: agency.user_id.to_string(),
            org: agency.org_id,
            kind: "agency".into(),
            role: "admin".into(),
            iss: "itinerance".into(),
            iat: now - 1000,
            exp: now - 10,
            iat_ms: None,
        })
        .unwrap();
    let res = app.get("/api/v1/me", Some(&expired)).await;
    assert_eq!(res.status, 401);
    assert_eq!(res.code(), "unauthenticated");
    assert!(res.body["detail"].as_str().unwrap().contains("expired"));

    // Same claims but pretending to be a producer admin: the signature no longer matches.
    let mut parts: Vec<String> = agency.token.split('.').map(String::from).collect();
    // (A middle character always changes the decoded bytes; the last one may only hold padding.)
    let mut payload: Vec<char> = parts[1].chars().collect();
    let middle = payload.len() / 2;
    payload[middle] = if payload[middle] == 'A' { 'B' } else { 'A' };
    parts[1] = payload.into_iter().collect();
    let res = app.get("/api/v1/me", Some(&parts.join("."))).await;
    assert_eq!(res.status, 401);
    assert_eq!(res.code(), "unauthenticated");

    // A token signed with another secret.
    let other = itinerance::auth::token::TokenKeys::new(b"another-secret-another-secret-xx", 900);
    let forged = other
        .sign(&Claims {
            sub: agency.user_id.to_string(),
            org: agency.org_id,
            kind: "agency".into(),
            role: "admin".into(),
            iss: "itinerance".into(),
            iat: now,
            exp: now + 600,
            iat_ms: None,
        })
        .unwrap();
    assert_eq!(app.get("/api/v1/me", Some(&forged)).await.status, 401);
    assert_eq!(app.get("/api/v1/me", Some("garbage")).await.status, 401);
}

async fn api_keys_are_shown_once_work_and_can_be_revoked(app: TestApp) {
    let agency = app.agency_admin().await;
    let partner = app.partner(&agency, "80021").await;
    let created = app
        .post(
            "/api/v1/api-keys",
            Some(&partner.token),
            json!({"name": "Portail départemental"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let key = created.body["key"].as_str().unwrap().to_string();
    assert!(key.starts_with("itk_"));
    assert_eq!(created.body["organization_id"], partner.org_id);
    let id = created.body["id"].as_i64().unwrap();

    let me = app.get("/api/v1/me", Some(&key)).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert!(me.body["user"].is_null());
    assert_eq!(me.body["api_key_id"], id);
    assert_eq!(me.body["organization"]["kind"], "partner");

    let list = app.get("/api/v1/api-keys", Some(&partner.token)).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    assert!(
        !list.text.contains(&key[10..]),
        "the secret must never be listed"
    );
    assert!(list.body[0]["last_used_at"].is_string());

    // A key acts as a member: it cannot mint more keys.
    let res = app
        .post("/api/v1/api-keys", Some(&key), json!({"name": "x"}))
        .await;
    assert_eq!(res.status, 403);

    // Another organisation's admin does not even see it.
    let other = app.partner(&agency, "80021").await;
    assert_eq!(
        app.delete(&format!("/api/v1/api-keys/{id}"), Some(&other.token))
            .await
            .status,
        404
    );

    let revoked = app
        .delete(&format!("/api/v1/api-keys/{id}"), Some(&partner.token))
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert!(revoked.body["revoked_at"].is_string());
    let res = app.get("/api/v1/me", Some(&key)).await;
    assert_eq!(res.status, 401);
    assert_eq!(res.code(), "unauthenticated");
}

async fn a_member_cannot_create_api_keys(app: TestApp) {
    let agency = app.agency_admin().await;
    let member = app
        .member_of_new_org(&agency, "partner", "member", "80021")
        .await;
    let res = app
        .post(
            "/api/v1/api-keys",
            Some(&member.token),
            json!({"name": "k"}),
        )
        .await;
    assert_eq!(res.status, 403);
    assert_eq!(res.code(), "forbidden");
    let res = app
        .post(
            "/api/v1/api-keys",
            Some(&agency.token),
            json!({"name": " "}),
        )
        .await;
    assert_eq!(res.status, 422);
    assert_eq!(res.fields(), vec!["name"]);
}

on_both_backends!(
    login_with_right_password_gives_a_working_token,
    wrong_password_and_unknown_email_get_the_same_401,
    missing_expired_and_tampered_tokens_get_401,
    api_keys_are_shown_once_work_and_can_be_revoked,
    a_member_cannot_create_api_keys,
);

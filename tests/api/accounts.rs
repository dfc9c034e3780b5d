//! Accounts that run themselves (issue 23): invitations and password resets through real mail
//! on a loopback SMTP server, links used once and stored only as digests, reset requests
//! throttled, and administrators changing a member's role and activity.

use std::time::Duration;

use diesel::prelude::*;
use serde_json::json;

use crate::builders::AMIENS;
use crate::common::{Actor, Backend, TestApp, PASSWORD};
use crate::smtp::{Received, SmtpSink};
use itinerance::schema::{invitations, notifications, password_resets};

pub(crate) const BASE: &str = "https://itinerance.test";

pub(crate) async fn app_mailing_to(backend: Backend, sink: &SmtpSink) -> TestApp {
    TestApp::start_with(
        backend,
        &[
            ("ITINERANCE_SMTP_URL", &sink.url()),
            ("ITINERANCE_NOTIFY_POLL_MS", "50"),
            ("ITINERANCE_PUBLIC_BASE_URL", BASE),
        ],
    )
    .await
}

/// The token of the portal link `{BASE}/{section}/{token}` in a mail.
pub(crate) fn token_in(mail: &Received, section: &str) -> String {
    let text = mail.text();
    let start = format!("{BASE}/{section}/");
    let at = text
        .find(&start)
        .unwrap_or_else(|| panic!("no link in {text}"))
        + start.len();
    let token: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    assert_eq!(token.len(), 48, "{text}");
    token
}

/// The mails received for `to`, waiting for `n` of them in all.
pub(crate) fn mails_to(sink: &SmtpSink, n: usize, to: &str) -> Vec<Received> {
    sink.wait_for(n, Duration::from_secs(20))
        .into_iter()
        .filter(|m| m.to == [to.to_string()])
        .collect()
}

/// Waits until no stored account mail still holds `token` (the worker removes the link once the
/// mail is out).
async fn stored_copies_forget(app: &TestApp, token: &str) {
    for _ in 0..100 {
        let token = token.to_string();
        let holding: i64 = app
            .state
            .run(move |conn| {
                Ok(notifications::table
                    .filter(
                        notifications::body_text
                            .like(format!("%{token}%"))
                            .or(notifications::body_html.like(format!("%{token}%"))),
                    )
                    .count()
                    .get_result(conn)?)
            })
            .await
            .unwrap();
        if holding == 0 {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("a sent mail's stored copy still holds its link");
}

fn sha256_hex(token: &str) -> String {
    itinerance::auth::apikey::digest(token)
}

async fn an_invitation_creates_the_account_once(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_mailing_to(backend, &sink).await;
    let agency = app.agency_admin().await;
    let venue = app.venue(&agency, AMIENS).await;
    let member = app.user_in(&venue, venue.org_id, "member").await;
    let other = app.venue(&agency, AMIENS).await;

    // Only an administrator of the organisation (or the agency) invites into it.
    let body =
        json!({"email": "Claire@Mairie.test", "organization_id": venue.org_id, "role": "member"});
    let res = app
        .post("/api/v1/invitations", Some(&member.token), body.clone())
        .await;
    assert_eq!(res.status, 403, "{}", res.text);
    let res = app
        .post("/api/v1/invitations", Some(&other.token), body.clone())
        .await;
    assert_eq!(res.status, 404, "{}", res.text);
    let res = app
        .post(
            "/api/v1/invitations",
            Some(&venue.token),
            json!({"email": member.email, "organization_id": venue.org_id, "role": "member"}),
        )
        .await;
    assert_eq!(res.status, 409, "{}", res.text);
    assert_eq!(res.code(), "email_taken");
    let res = app
        .post(
            "/api/v1/invitations",
            Some(&venue.token),
            json!({"email": "not an address", "organization_id": venue.org_id, "role": "member"}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), ["email"]);

    let res = app
        .post("/api/v1/invitations", Some(&venue.token), body)
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["email"], "claire@mairie.test");
    assert_eq!(res.body["role"], "member");
    assert_eq!(res.body["locale"], "fr");
    assert!(
        res.body.get("token").is_none(),
        "the link is only in the mail"
    );
    let expires = res.body["expires_at"].as_str().unwrap();
    let created = res.body["created_at"].as_str().unwrap();
    let days = chrono::DateTime::parse_from_rfc3339(expires).unwrap()
        - chrono::DateTime::parse_from_rfc3339(created).unwrap();
    assert_eq!(days, chrono::Duration::days(7));

    // The mail, in French, links to the portal's page.
    let mails = mails_to(&sink, 1, "claire@mairie.test");
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert!(
        mails[0].subject().starts_with("Invitation à rejoindre"),
        "{}",
        mails[0].subject()
    );
    assert!(
        mails[0].text().contains(&venue.email),
        "the inviter is named"
    );
    let token = token_in(&mails[0], "invitations");

    // Stored as a digest only, and the sent mail's stored copy forgets the link.
    let stored: Vec<String> = app
        .state
        .run(|conn| {
            Ok(invitations::table
                .select(invitations::token_hash)
                .load(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(stored, [sha256_hex(&token)]);
    stored_copies_forget(&app, &token).await;

    // Listed for the organisation's administrators.
    let list = app.get("/api/v1/invitations", Some(&venue.token)).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body.as_array().unwrap().len(), 1);

    // A short password keeps the link working; then the account is made, once.
    let res = app
        .post(
            "/api/v1/invitations/accept",
            None,
            json!({"token": token, "password": "short"}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), ["password"]);
    let res = app
        .post(
            "/api/v1/invitations/accept",
            None,
            json!({"token": token, "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["email"], "claire@mairie.test");
    assert_eq!(res.body["organization_id"], venue.org_id);
    assert_eq!(res.body["role"], "member");
    let claire = app.login("claire@mairie.test", PASSWORD).await;
    let me = app.get("/api/v1/me", Some(&claire)).await;
    assert_eq!(me.body["organization"]["id"], venue.org_id);

    for token in [token.as_str(), "0123456789abcdef", ""] {
        let res = app
            .post(
                "/api/v1/invitations/accept",
                None,
                json!({"token": token, "password": "another-long-password"}),
            )
            .await;
        assert_eq!(res.status, 410, "{}", res.text);
        assert_eq!(res.code(), "link_expired");
    }
    // The used link did not change the password chosen.
    app.login("claire@mairie.test", PASSWORD).await;
    let list = app.get("/api/v1/invitations", Some(&venue.token)).await;
    assert!(list.body[0]["accepted_at"].is_string());
    assert_eq!(list.body[0]["user_id"], me.body["user"]["id"]);
}

async fn an_invitation_is_in_its_language_and_lapses_after_seven_days(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_mailing_to(backend, &sink).await;
    let agency = app.agency_admin().await;
    let venue = app.venue(&agency, AMIENS).await;
    // The agency invites into any organisation, here an administrator writing English.
    let res = app
        .post(
            "/api/v1/invitations",
            Some(&agency.token),
            json!({"email": "tom@example.test", "organization_id": venue.org_id,
                   "role": "admin", "locale": "en"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let mails = mails_to(&sink, 1, "tom@example.test");
    assert!(
        mails[0].subject().starts_with("Invitation to join"),
        "{}",
        mails[0].subject()
    );
    assert!(mails[0].text().contains("as administrator"));
    let token = token_in(&mails[0], "invitations");

    // Seven days on, the link no longer works (the service takes `now`).
    let acceptance = itinerance::account::invitation::Acceptance {
        token: token.clone(),
        password: PASSWORD.into(),
    };
    let late = chrono::Utc::now().naive_utc() + chrono::Duration::days(7);
    let refused = app
        .state
        .run(move |conn| itinerance::account::invitation::accept(conn, &acceptance, late))
        .await
        .unwrap_err();
    assert_eq!(refused.code().as_str(), "link_expired");

    // Within them it does, with the invitation's role and language.
    let res = app
        .post(
            "/api/v1/invitations/accept",
            None,
            json!({"token": token, "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["role"], "admin");
    assert_eq!(res.body["locale"], "en");
}

async fn a_password_reset_ends_earlier_tokens_and_links(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_mailing_to(backend, &sink).await;
    let agency = app.agency_admin().await;
    let venue = app.venue(&agency, AMIENS).await;
    let english = app.user_in(&venue, venue.org_id, "member").await;
    let res = app
        .patch("/api/v1/me", Some(&english.token), json!({"locale": "en"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);

    // The same answer for a known and an unknown address; mail only to the known one.
    let known = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            json!({"email": english.email.to_uppercase()}),
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            json!({"email": "nobody@nowhere.test"}),
        )
        .await;
    assert_eq!(known.status, 202, "{}", known.text);
    assert_eq!((unknown.status, &unknown.text), (known.status, &known.text));
    let mails = mails_to(&sink, 1, &english.email);
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].subject().starts_with("Choose a new"),
        "{}",
        mails[0].subject()
    );
    assert!(mails[0].text().contains("within 60 minutes"));
    let first = token_in(&mails[0], "password-reset");

    // A second request: two links; using one ends the other.
    let res = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            json!({"email": english.email}),
        )
        .await;
    assert_eq!(res.status, 202);
    let mails = mails_to(&sink, 2, &english.email);
    assert_eq!(mails.len(), 2, "{mails:#?}");
    let second = token_in(&mails[1], "password-reset");
    assert_ne!(first, second);
    let digests: Vec<String> = app
        .state
        .run(|conn| {
            Ok(password_resets::table
                .select(password_resets::token_hash)
                .order(password_resets::id.asc())
                .load(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(digests, [sha256_hex(&first), sha256_hex(&second)]);
    stored_copies_forget(&app, &first).await;
    stored_copies_forget(&app, &second).await;

    let res = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"token": second, "new_password": "short"}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), ["new_password"]);
    let res = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"token": second, "new_password": "a-brand-new-password"}),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.text);
    // Tokens are stamped in whole seconds: those of the change's second are refused too.
    std::thread::sleep(Duration::from_millis(1100));

    // Earlier tokens end; the old password no longer opens; the new one does.
    let res = app.get("/api/v1/me", Some(&english.token)).await;
    assert_eq!(res.status, 401, "{}", res.text);
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": english.email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, 401);
    let fresh = app.login(&english.email, "a-brand-new-password").await;
    assert_eq!(app.get("/api/v1/me", Some(&fresh)).await.status, 200);

    // Both links are used up.
    for token in [&second, &first] {
        let res = app
            .post(
                "/api/v1/auth/password-reset/confirm",
                None,
                json!({"token": token, "new_password": "yet-another-password"}),
            )
            .await;
        assert_eq!(res.status, 410, "{}", res.text);
        assert_eq!(res.code(), "link_expired");
    }
    app.login(&english.email, "a-brand-new-password").await;

    // A deactivated user gets no mail, and the same answer.
    let res = app
        .post(
            &format!("/api/v1/users/{}/deactivate", english.user_id),
            Some(&venue.token),
            json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            json!({"email": english.email}),
        )
        .await;
    assert_eq!(res.status, 202);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(mails_to(&sink, 2, &english.email).len(), 2);
}

async fn a_reset_link_lapses_after_an_hour(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_mailing_to(backend, &sink).await;
    let agency = app.agency_admin().await;
    let res = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            json!({"email": agency.email}),
        )
        .await;
    assert_eq!(res.status, 202);
    let mails = mails_to(&sink, 1, &agency.email);
    assert!(mails[0]
        .subject()
        .starts_with("Choisir un nouveau mot de passe"));
    assert!(mails[0].text().contains("dans les 60 minutes"));
    let token = token_in(&mails[0], "password-reset");
    let confirmation = itinerance::account::reset::ResetConfirmation {
        token,
        new_password: "a-brand-new-password".into(),
    };
    let late = chrono::Utc::now().naive_utc() + chrono::Duration::minutes(60);
    let gate = app.state.user_gate.clone();
    let refused = app
        .state
        .run(move |conn| itinerance::account::reset::confirm(conn, &gate, &confirmation, late))
        .await
        .unwrap_err();
    assert_eq!(refused.code().as_str(), "link_expired");
    app.login(&agency.email, PASSWORD).await;
}

async fn reset_requests_are_throttled_per_address_and_per_client(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_mailing_to(backend, &sink).await;
    let agency = app.agency_admin().await;
    let ask = |email: String| {
        let app = &app;
        async move {
            app.post("/api/v1/auth/password-reset", None, json!({"email": email}))
                .await
        }
    };
    // Per address: 3 an hour, known or not, then 429 with Retry-After.
    for email in [agency.email.clone(), "ghost@nowhere.test".to_string()] {
        for _ in 0..3 {
            assert_eq!(ask(email.clone()).await.status, 202);
        }
        let res = ask(email.clone()).await;
        assert_eq!(res.status, 429, "{}", res.text);
        assert_eq!(res.code(), "too_many_attempts");
        let retry: i64 = res
            .headers
            .get("retry-after")
            .unwrap()
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((3500..=3600).contains(&retry), "{retry}");
    }
    assert_eq!(mails_to(&sink, 3, &agency.email).len(), 3);
    // Per client: 20 an hour whatever the addresses (6 asked above, 2 of them refused and not
    // counted).
    for i in 0..14 {
        let res = ask(format!("someone-{i}@nowhere.test")).await;
        assert_eq!(res.status, 202, "request {i}: {}", res.text);
    }
    let res = ask("one-more@nowhere.test".into()).await;
    assert_eq!(res.status, 429, "{}", res.text);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(sink.received().len(), 3, "only the known address got mail");
}

async fn admins_change_a_members_role_and_activity(backend: Backend) {
    let app = TestApp::start(backend).await;
    let agency = app.agency_admin().await;
    let venue = app.venue(&agency, AMIENS).await;
    let member = app.user_in(&venue, venue.org_id, "member").await;
    let other = app.venue(&agency, AMIENS).await;
    let path = format!("/api/v1/users/{}", member.user_id);

    // Only the organisation's administrators (or the agency), never on themselves.
    let res = app
        .patch(&path, Some(&member.token), json!({"role": "admin"}))
        .await;
    assert_eq!(res.status, 403, "{}", res.text);
    let res = app
        .patch(&path, Some(&other.token), json!({"role": "admin"}))
        .await;
    assert_eq!(res.status, 404, "{}", res.text);
    let res = app
        .patch(
            &format!("/api/v1/users/{}", venue.user_id),
            Some(&venue.token),
            json!({"active": false}),
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.text);
    let res = app
        .patch(&path, Some(&venue.token), json!({"role": "owner"}))
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    let res = app
        .patch(&path, Some(&venue.token), json!({"name": "x"}))
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    let unchanged = app.get(&path, Some(&venue.token)).await;
    assert_eq!(unchanged.body["role"], "member");

    // Promoted: the old token (which says "member") ends; a new login is an administrator.
    let res = app
        .patch(&path, Some(&venue.token), json!({"role": "admin"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["role"], "admin");
    assert_eq!(app.get("/api/v1/me", Some(&member.token)).await.status, 401);
    // Tokens are stamped in whole seconds: those of the change's second are refused too.
    std::thread::sleep(Duration::from_millis(1100));
    let promoted = Actor {
        token: app.login(&member.email, PASSWORD).await,
        ..member.clone()
    };
    let res = app
        .post(
            "/api/v1/invitations",
            Some(&promoted.token),
            json!({"email": "new@venue.test", "organization_id": venue.org_id, "role": "member"}),
        )
        .await;
    assert_eq!(res.status, 201, "an administrator now: {}", res.text);

    // Deactivated: no login; reactivated: a login works again, old tokens stay dead.
    let res = app
        .patch(&path, Some(&agency.token), json!({"active": false}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.body["deactivated_at"].is_string());
    assert_eq!(
        app.get("/api/v1/me", Some(&promoted.token)).await.status,
        401
    );
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": member.email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, 401);
    let res = app
        .patch(
            &path,
            Some(&venue.token),
            json!({"active": true, "role": "member"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.body["deactivated_at"].is_null());
    assert_eq!(res.body["role"], "member");
    assert_eq!(
        app.get("/api/v1/me", Some(&promoted.token)).await.status,
        401
    );
    std::thread::sleep(Duration::from_millis(1100));
    let back = app.login(&member.email, PASSWORD).await;
    assert_eq!(app.get("/api/v1/me", Some(&back)).await.status, 200);

    // The other methods of the path are still refused with their list.
    let res = app.delete(&path, Some(&venue.token)).await;
    assert_eq!(res.status, 405);
    assert_eq!(res.headers.get("allow").unwrap(), "GET, HEAD, PATCH");
}

async fn users_change_their_own_password_and_locale(backend: Backend) {
    let app = TestApp::start(backend).await;
    let agency = app.agency_admin().await;
    let venue = app.venue(&agency, AMIENS).await;
    let res = app
        .patch("/api/v1/me", Some(&venue.token), json!({"locale": "en"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["user"]["locale"], "en");
    let res = app
        .post(
            "/api/v1/me/password",
            Some(&venue.token),
            json!({"current_password": "not-my-password", "new_password": "a-brand-new-password"}),
        )
        .await;
    assert_eq!(
        res.status, 422,
        "the current password is required: {}",
        res.text
    );
    let res = app
        .post(
            "/api/v1/me/password",
            Some(&venue.token),
            json!({"current_password": PASSWORD, "new_password": "a-brand-new-password"}),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.text);
    app.login(&venue.email, "a-brand-new-password").await;
}

macro_rules! both {
    ($($name:ident),*) => {
        mod sqlite { $( #[actix_web::test] async fn $name() { super::$name(crate::common::Backend::Sqlite).await } )* }
        mod postgres { $( #[actix_web::test] async fn $name() { super::$name(crate::common::Backend::Postgres).await } )* }
    };
}
both!(
    an_invitation_creates_the_account_once,
    an_invitation_is_in_its_language_and_lapses_after_seven_days,
    a_password_reset_ends_earlier_tokens_and_links,
    a_reset_link_lapses_after_an_hour,
    reset_requests_are_throttled_per_address_and_per_client,
    admins_change_a_members_role_and_activity,
    users_change_their_own_password_and_locale
);

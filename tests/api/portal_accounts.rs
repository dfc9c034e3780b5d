//! Accounts that run themselves, as pages (issue 23): an invitation accepted and a password reset
//! through the real mail on loopback SMTP, links used once, forms refused without their CSRF
//! token, an administrator's members page (role, deactivation) and the 403 page for the others,
//! my account (password, language), English pages for an English-speaking person.

use serde_json::json;

use crate::accounts::{app_mailing_to, mails_to, token_in};
use crate::builders::Network;
use crate::common::{Backend, TestApp, PASSWORD};
use crate::portal::{hidden, Browser, Page};
use crate::smtp::SmtpSink;

/// A browser signed in as `email`.
async fn signed_in(app: &TestApp, email: &str, password: &str) -> Browser {
    let mut browser = Browser::new(app);
    let res = browser.log_in(email, password).await;
    assert_eq!(res.status, 303, "{}", res.text);
    browser
}

/// The CSRF token of the forms of a page.
fn csrf(page: &Page) -> String {
    hidden(&page.text, "csrf_token")
}

async fn organization_name(app: &TestApp, token: &str) -> String {
    let me = app.get("/api/v1/me", Some(token)).await;
    me.body["organization"]["name"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn an_invitation_is_accepted_through_its_page(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_mailing_to(backend, &sink).await;
    let net = Network::new(&app).await;
    let mut admin = signed_in(&app, &net.venue.email, PASSWORD).await;

    // The administrator invites from the members page.
    let members = admin.get("/members").await;
    assert_eq!(members.status, 200, "{}", members.text);
    let token = csrf(&members);
    let res = admin
        .post(
            "/members/invite",
            &[
                ("csrf_token", &token),
                ("email", "not an address"),
                ("role", "member"),
                ("locale", "fr"),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(res.text.contains("href=\"#email\""), "{}", res.text);
    assert!(
        res.text.contains("value=\"not an address\""),
        "the form comes back with its values"
    );
    let res = admin
        .post(
            "/members/invite",
            &[
                ("csrf_token", &token),
                ("email", "Claire@Mairie.test"),
                ("role", "member"),
                ("locale", "fr"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text);
    assert_eq!(res.location, "/members?done=invited");
    let listed = admin.get("/members?done=invited").await;
    assert!(
        listed.text.contains("claire@mairie.test"),
        "{}",
        listed.text
    );
    assert!(listed.text.contains("En attente"), "{}", listed.text);

    // The mail links to the page; the page shows the organisation.
    let mails = mails_to(&sink, 1, "claire@mairie.test");
    assert_eq!(mails.len(), 1, "{mails:#?}");
    let link = token_in(&mails[0], "invitations");
    let path = format!("/invitations/{link}");
    let mut invitee = Browser::new(&app);
    let page = invitee.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let org = organization_name(&app, &net.venue.token).await;
    assert!(page.text.contains(&org), "{}", page.text);
    assert!(page.text.contains("claire@mairie.test"));

    // Bad input: the form again, with its errors tied to their fields; nothing created.
    let res = invitee
        .post(
            &path,
            &[
                ("csrf_token", &csrf(&page)),
                ("password", "a-long-enough-password"),
                ("password_confirmation", "another-password-here"),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(
        res.text.contains("href=\"#password_confirmation\""),
        "{}",
        res.text
    );
    let res = invitee
        .post(
            &path,
            &[
                ("csrf_token", &csrf(&res)),
                ("password", "short"),
                ("password_confirmation", "short"),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(res.text.contains("href=\"#password\""), "{}", res.text);
    assert!(res.text.contains("aria-invalid=\"true\""));
    let failed = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "claire@mairie.test", "password": "short"}),
        )
        .await;
    assert_eq!(failed.status, 401, "no account yet: {}", failed.text);

    // The password chosen: the account exists and the invitee is signed in.
    let res = invitee
        .post(
            &path,
            &[
                ("csrf_token", &csrf(&res)),
                ("password", "a-long-enough-password"),
                ("password_confirmation", "a-long-enough-password"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text);
    assert_eq!(res.location, "/");
    let home = invitee.get("/").await;
    assert_eq!(home.status, 200, "signed in: {}", home.text);
    assert!(home.text.contains(&org));
    app.login("claire@mairie.test", "a-long-enough-password")
        .await;

    // Used once: the page and its form say the link no longer works, and so does a made-up one.
    let mut other = Browser::new(&app);
    let again = other.get(&path).await;
    assert_eq!(again.status, 410, "{}", again.text);
    assert!(
        again.text.contains("Ce lien ne fonctionne plus"),
        "{}",
        again.text
    );
    let form = other.get("/password/forgot").await;
    let res = other
        .post(
            &path,
            &[
                ("csrf_token", &csrf(&form)),
                ("password", "yet-another-password"),
                ("password_confirmation", "yet-another-password"),
            ],
        )
        .await;
    assert_eq!(res.status, 410, "{}", res.text);
    app.login("claire@mairie.test", "a-long-enough-password")
        .await;
    let unknown = other.get(&format!("/invitations/{}", "0".repeat(48))).await;
    assert_eq!(unknown.status, 410);
    assert_eq!(
        unknown.text, again.text,
        "one answer for used and unknown links"
    );
}

async fn a_password_reset_goes_through_the_mail_and_ends_earlier_sessions(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_mailing_to(backend, &sink).await;
    let net = Network::new(&app).await;
    let email = net.venue.email.clone();
    let mut earlier = signed_in(&app, &email, PASSWORD).await;

    // The login page links to the form; the answer is the same for a known and an unknown address.
    let mut browser = Browser::new(&app);
    let login = browser.get("/login").await;
    assert!(
        login.text.contains("href=\"/password/forgot\""),
        "{}",
        login.text
    );
    let form = browser.get("/password/forgot").await;
    assert_eq!(form.status, 200, "{}", form.text);
    let known = browser
        .post(
            "/password/forgot",
            &[
                ("csrf_token", &csrf(&form)),
                ("email", &email.to_uppercase()),
            ],
        )
        .await;
    assert_eq!(known.status, 200, "{}", known.text);
    let form = browser.get("/password/forgot").await;
    let unknown = browser
        .post(
            "/password/forgot",
            &[
                ("csrf_token", &csrf(&form)),
                ("email", "nobody@nowhere.test"),
            ],
        )
        .await;
    assert_eq!(unknown.status, 200, "{}", unknown.text);
    assert_eq!(
        known.text, unknown.text,
        "the page tells nothing about who has an account"
    );
    assert!(known.text.contains("Regardez vos e-mails"));
    let form = browser.get("/password/forgot").await;
    let empty = browser
        .post(
            "/password/forgot",
            &[("csrf_token", &csrf(&form)), ("email", " ")],
        )
        .await;
    assert_eq!(empty.status, 422, "{}", empty.text);
    assert!(empty.text.contains("href=\"#email\""));

    let mails = mails_to(&sink, 1, &email);
    assert_eq!(mails.len(), 1, "{mails:#?}");
    let link = token_in(&mails[0], "password-reset");
    let path = format!("/password-reset/{link}");
    let page = browser.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.text);

    // A short password: the form again, the link still works.
    let res = browser
        .post(
            &path,
            &[
                ("csrf_token", &csrf(&page)),
                ("new_password", "short"),
                ("password_confirmation", "short"),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(res.text.contains("href=\"#new_password\""), "{}", res.text);
    let res = browser
        .post(
            &path,
            &[
                ("csrf_token", &csrf(&res)),
                ("new_password", "a-brand-new-password"),
                ("password_confirmation", "a-brand-new-password"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text);
    assert_eq!(res.location, "/login?reset=1");
    let login = browser.get("/login?reset=1").await;
    assert!(
        login.text.contains("Votre mot de passe est changé"),
        "{}",
        login.text
    );

    // Earlier sessions ended; the new password works; the link works once.
    let ended = earlier.get("/").await;
    assert_eq!(
        ended.status, 303,
        "the earlier session ended: {}",
        ended.text
    );
    app.login(&email, "a-brand-new-password").await;
    let again = browser.get(&path).await;
    assert_eq!(again.status, 410, "{}", again.text);

    // Throttled as the API is: 3 requests per address within the hour (one made above).
    for _ in 0..2 {
        let form = browser.get("/password/forgot").await;
        let res = browser
            .post(
                "/password/forgot",
                &[("csrf_token", &csrf(&form)), ("email", &email)],
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
    }
    let form = browser.get("/password/forgot").await;
    let res = browser
        .post(
            "/password/forgot",
            &[("csrf_token", &csrf(&form)), ("email", &email)],
        )
        .await;
    assert_eq!(res.status, 429, "{}", res.text);
    assert!(
        res.text.contains("essais pour cette adresse"),
        "{}",
        res.text
    );
    let api = app
        .post("/api/v1/auth/password-reset", None, json!({"email": email}))
        .await;
    assert_eq!(
        api.status, 429,
        "the page's requests count with the API's: {}",
        api.text
    );
}

async fn forms_without_their_csrf_token_change_nothing(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_mailing_to(backend, &sink).await;
    let net = Network::new(&app).await;
    let member = app.user_in(&net.venue, net.venue.org_id, "member").await;
    let res = app
        .post(
            "/api/v1/invitations",
            Some(&net.venue.token),
            json!({"email": "tom@example.test", "organization_id": net.venue.org_id, "role": "member"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let res = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            json!({"email": member.email}),
        )
        .await;
    assert_eq!(res.status, 202, "{}", res.text);
    let invitation = token_in(&mails_to(&sink, 2, "tom@example.test")[0], "invitations");
    let reset = token_in(&mails_to(&sink, 2, &member.email)[0], "password-reset");

    // Links of mails: a form posted without the token of its page is refused.
    let mut anonymous = Browser::new(&app);
    let page = anonymous.get(&format!("/invitations/{invitation}")).await;
    assert_eq!(page.status, 200);
    for token in ["", "forged"] {
        let res = anonymous
            .post(
                &format!("/invitations/{invitation}"),
                &[
                    ("csrf_token", token),
                    ("password", "a-long-enough-password"),
                    ("password_confirmation", "a-long-enough-password"),
                ],
            )
            .await;
        assert_eq!(res.status, 403, "{}", res.text);
        assert!(res.text.contains("Ce formulaire a expiré"));
        let res = anonymous
            .post(
                &format!("/password-reset/{reset}"),
                &[
                    ("csrf_token", token),
                    ("new_password", "a-brand-new-password"),
                    ("password_confirmation", "a-brand-new-password"),
                ],
            )
            .await;
        assert_eq!(res.status, 403, "{}", res.text);
        let res = anonymous
            .post(
                "/password/forgot",
                &[("csrf_token", token), ("email", &member.email)],
            )
            .await;
        assert_eq!(res.status, 403, "{}", res.text);
    }
    assert_eq!(
        anonymous
            .get(&format!("/invitations/{invitation}"))
            .await
            .status,
        200
    );
    assert_eq!(
        anonymous
            .get(&format!("/password-reset/{reset}"))
            .await
            .status,
        200
    );
    let failed = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "tom@example.test", "password": "a-long-enough-password"}),
        )
        .await;
    assert_eq!(failed.status, 401, "no account made: {}", failed.text);
    app.login(&member.email, PASSWORD).await;

    // Signed-in forms: the session's token is required.
    let mut admin = signed_in(&app, &net.venue.email, PASSWORD).await;
    let path = format!("/members/{}", member.user_id);
    for (action, form) in [
        (path.as_str(), vec![("role", "admin")]),
        (path.as_str(), vec![("active", "false")]),
        (
            "/members/invite",
            vec![
                ("email", "zoe@example.test"),
                ("role", "member"),
                ("locale", "fr"),
            ],
        ),
        (
            "/account/password",
            vec![
                ("current_password", PASSWORD),
                ("new_password", "a-brand-new-password"),
                ("password_confirmation", "a-brand-new-password"),
            ],
        ),
        ("/account/locale", vec![("locale", "en")]),
    ] {
        let res = admin.post(action, &form).await;
        assert_eq!(res.status, 403, "{action}: {}", res.text);
    }
    let user = app
        .get(
            &format!("/api/v1/users/{}", member.user_id),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(user.body["role"], "member", "{}", user.text);
    assert!(user.body["deactivated_at"].is_null(), "{}", user.text);
    app.login(&net.venue.email, PASSWORD).await;
    let me = app.get("/api/v1/me", Some(&net.venue.token)).await;
    assert_eq!(me.body["user"]["locale"], "fr");
    let members = admin.get("/members").await;
    assert!(
        !members.text.contains("zoe@example.test"),
        "no invitation sent"
    );
}

async fn an_admin_changes_roles_and_activity_and_others_get_403(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_mailing_to(backend, &sink).await;
    let net = Network::new(&app).await;
    let member = app.user_in(&net.venue, net.venue.org_id, "member").await;
    let colleague = app.user_in(&net.venue, net.venue.org_id, "member").await;

    // A member: no "Membres" in the nav, the 403 page, and nothing changes.
    let mut plain = signed_in(&app, &member.email, PASSWORD).await;
    let home = plain.get("/").await;
    assert!(home.text.contains("href=\"/account\""), "{}", home.text);
    assert!(!home.text.contains("href=\"/members\""), "{}", home.text);
    let refused = plain.get("/members").await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert!(
        refused.text.contains("Action non autorisée"),
        "{}",
        refused.text
    );
    let token = csrf(&home);
    let res = plain
        .post(
            &format!("/members/{}", colleague.user_id),
            &[("csrf_token", &token), ("active", "false")],
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.text);
    let res = plain
        .post(
            "/members/invite",
            &[
                ("csrf_token", &token),
                ("email", "zoe@example.test"),
                ("role", "admin"),
                ("locale", "fr"),
            ],
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.text);
    app.login(&colleague.email, PASSWORD).await;

    // The administrator: the list, a role change, a deactivation and a reactivation.
    let mut admin = signed_in(&app, &net.venue.email, PASSWORD).await;
    let page = admin.get("/members").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page
        .text
        .contains("href=\"/members\" aria-current=\"page\""));
    for email in [&net.venue.email, &member.email, &colleague.email] {
        assert!(page.text.contains(email.as_str()), "{email} listed");
    }
    assert!(
        !page
            .text
            .contains(&format!("action=\"/members/{}\"", net.venue.user_id)),
        "no form to change oneself"
    );
    let token = csrf(&page);
    let member_path = format!("/members/{}", member.user_id);
    let res = admin
        .post(&member_path, &[("csrf_token", &token), ("role", "boss")])
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(
        res.text
            .contains(&format!("href=\"#role-{}\"", member.user_id)),
        "{}",
        res.text
    );
    let res = admin
        .post(&member_path, &[("csrf_token", &token), ("role", "admin")])
        .await;
    assert_eq!(res.status, 303, "{}", res.text);
    assert_eq!(res.location, "/members?done=changed");
    let user = app
        .get(
            &format!("/api/v1/users/{}", member.user_id),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(user.body["role"], "admin", "{}", user.text);
    let ended = plain.get("/").await;
    assert_eq!(ended.status, 303, "a role change ends the member's session");

    let colleague_path = format!("/members/{}", colleague.user_id);
    let mut other = signed_in(&app, &colleague.email, PASSWORD).await;
    let res = admin
        .post(
            &colleague_path,
            &[("csrf_token", &token), ("active", "false")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text);
    assert_eq!(
        other.get("/").await.status,
        303,
        "a deactivated member's session ends"
    );
    let refused = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": colleague.email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    let page = admin.get("/members?done=changed").await;
    assert!(page.text.contains("Désactivé"), "{}", page.text);
    assert!(page.text.contains("Le compte est modifié"));
    let res = admin
        .post(
            &colleague_path,
            &[("csrf_token", &token), ("active", "true")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text);
    app.login(&colleague.email, PASSWORD).await;

    // Nobody changes themselves, even by posting the form by hand.
    let res = admin
        .post(
            &format!("/members/{}", net.venue.user_id),
            &[("csrf_token", &token), ("role", "member")],
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.text);
    let me = app.get("/api/v1/me", Some(&net.venue.token)).await;
    assert_eq!(me.body["user"]["role"], "admin");
}

async fn my_account_changes_my_password_and_language(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_mailing_to(backend, &sink).await;
    let net = Network::new(&app).await;
    let email = net.venue.email.clone();
    let mut elsewhere = signed_in(&app, &email, PASSWORD).await;
    let mut browser = signed_in(&app, &email, PASSWORD).await;
    let page = browser.get("/account").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains(&email));
    let token = csrf(&page);

    // The current password is required; bad input comes back with its errors.
    let res = browser
        .post(
            "/account/password",
            &[
                ("csrf_token", &token),
                ("current_password", "not-my-password"),
                ("new_password", "a-brand-new-password"),
                ("password_confirmation", "a-brand-new-password"),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(
        res.text.contains("href=\"#current_password\""),
        "{}",
        res.text
    );
    let res = browser
        .post(
            "/account/password",
            &[
                ("csrf_token", &token),
                ("current_password", PASSWORD),
                ("new_password", "a-brand-new-password"),
                ("password_confirmation", "a-different-one"),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(res.text.contains("href=\"#password_confirmation\""));
    app.login(&email, PASSWORD).await;

    let res = browser
        .post(
            "/account/password",
            &[
                ("csrf_token", &token),
                ("current_password", PASSWORD),
                ("new_password", "a-brand-new-password"),
                ("password_confirmation", "a-brand-new-password"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text);
    assert_eq!(res.location, "/account?done=password");
    let done = browser.get("/account?done=password").await;
    assert_eq!(
        done.status, 200,
        "this browser stays signed in: {}",
        done.text
    );
    assert_eq!(elsewhere.get("/").await.status, 303, "other sessions end");
    let fresh = app.login(&email, "a-brand-new-password").await;

    // The language: English pages from then on.
    let token = csrf(&done);
    let res = browser
        .post(
            "/account/locale",
            &[("csrf_token", &token), ("locale", "de")],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(res.text.contains("href=\"#locale-fr\""));
    let res = browser
        .post(
            "/account/locale",
            &[("csrf_token", &token), ("locale", "en")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text);
    let page = browser.get("/account?done=locale").await;
    assert!(page.text.contains("<html lang=\"en\">"), "{}", page.text);
    assert!(
        page.text.contains("The language is saved."),
        "{}",
        page.text
    );
    let me = app.get("/api/v1/me", Some(&fresh)).await;
    assert_eq!(
        me.body["user"]["locale"], "en",
        "the same preference as the API's"
    );
}

async fn english_pages_for_an_english_speaking_person(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_mailing_to(backend, &sink).await;
    let net = Network::new(&app).await;
    let french = signed_in(&app, &net.venue.email, PASSWORD).await;
    let mut french = french;
    let home = french.get("/").await;
    assert!(home.text.contains("<html lang=\"fr\">"));
    assert!(home.text.contains("Mes prêts"));

    let res = app
        .patch(
            "/api/v1/me",
            Some(&net.venue.token),
            json!({"locale": "en"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let home = french.get("/").await;
    assert_eq!(home.status, 200, "{}", home.text);
    for words in [
        "<html lang=\"en\">",
        "Skip to content",
        "aria-label=\"Main menu\"",
        ">My loans<",
        ">My account<",
        ">Members<",
        "Log out",
        "Accessibility: partially compliant",
        "<h1>Hello</h1>",
        "Today is",
    ] {
        assert!(home.text.contains(words), "{words} in {}", home.text);
    }
    for words in ["Mes prêts", "Se déconnecter", "Aller au contenu"] {
        assert!(!home.text.contains(words), "{words} in {}", home.text);
    }
    let find = french.get("/resources").await;
    assert!(
        find.text.contains("<h1>Find a resource</h1>"),
        "{}",
        find.text
    );
    let loans = french.get("/bookings").await;
    assert!(loans.text.contains("<h1>My loans</h1>"), "{}", loans.text);
    let account = french.get("/account").await;
    assert!(
        account.text.contains("<h1>My account</h1>"),
        "{}",
        account.text
    );

    // Without a session, the browser's language; French by default.
    let login = app
        .raw_with(
            "GET",
            "/login",
            None,
            None,
            &[("Accept-Language", "en-GB,en;q=0.9,fr;q=0.5")],
            vec![],
        )
        .await;
    assert!(login.text.contains("<html lang=\"en\">"), "{}", login.text);
    assert!(login.text.contains("<h1>Log in</h1>"));
    assert!(login.text.contains("Forgotten your password?"));
    let login = app
        .raw_with(
            "GET",
            "/login",
            None,
            None,
            &[("Accept-Language", "de-DE,de;q=0.9")],
            vec![],
        )
        .await;
    assert!(login.text.contains("<html lang=\"fr\">"), "{}", login.text);
    assert!(login.text.contains("Mot de passe oublié ?"));
    let forgot = app
        .raw_with(
            "GET",
            "/password/forgot",
            None,
            None,
            &[("Accept-Language", "en")],
            vec![],
        )
        .await;
    assert!(
        forgot.text.contains("<h1>Forgotten password</h1>"),
        "{}",
        forgot.text
    );
}

macro_rules! both {
    ($($name:ident),*) => {
        mod sqlite { $( #[actix_web::test] async fn $name() { super::$name(crate::common::Backend::Sqlite).await } )* }
        mod postgres { $( #[actix_web::test] async fn $name() { super::$name(crate::common::Backend::Postgres).await } )* }
    };
}
both!(
    an_invitation_is_accepted_through_its_page,
    a_password_reset_goes_through_the_mail_and_ends_earlier_sessions,
    forms_without_their_csrf_token_change_nothing,
    an_admin_changes_roles_and_activity_and_others_get_403,
    my_account_changes_my_password_and_language,
    english_pages_for_an_english_speaking_person
);

//! The agency's directory of the network as pages (issue 24): organisations listed by name with
//! their active accounts and paged, an organisation added from a commune's name (homonyms told
//! apart by the INSEE code), its first administrator invited through the real mail on loopback
//! SMTP and signing in; bad input back on the form (422) with nothing created; forms without
//! their CSRF token change nothing; venues and producers get the 403 page.

use serde_json::json;

use crate::accounts::{app_mailing_to, mails_to, token_in};
use crate::builders::{Network, AMIENS, VILLAGE};
use crate::common::{Backend, TestApp, PASSWORD};
use crate::portal::{hidden, Browser};
use crate::smtp::SmtpSink;

/// How many organisations the API lists.
async fn organization_count(app: &TestApp, token: &str) -> usize {
    let listed = app
        .get("/api/v1/organizations?limit=500", Some(token))
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    listed.body["items"].as_array().unwrap().len()
}

async fn the_agency_adds_an_organisation_and_invites_its_first_administrator(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_mailing_to(backend, &sink).await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let mut agency = Browser::new(&app);
    assert_eq!(agency.log_in(&net.agency.email, PASSWORD).await.status, 303);

    let page = agency.get("/organizations").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("aria-current=\"page\">Organisations"),
        "{}",
        page.text
    );
    assert!(page.text.contains("1 compte actif"), "{}", page.text);
    let token = hidden(&page.text, "csrf_token");
    let before = organization_count(&app, &net.agency.token).await;

    // Without the token: refused, nothing created.
    let fields = [
        ("name", "Médiathèque de Conty"),
        ("kind", "venue"),
        ("venue_type", "library"),
        ("commune", "conty"),
        ("address", ""),
    ];
    let res = agency.post("/organizations", &fields).await;
    assert_eq!(res.status, 403);

    // Bad input: the form again, each error tied to its field, what was typed kept.
    let with = |changes: &[(&'static str, &'static str)]| {
        let mut posted = vec![("csrf_token", token.as_str())];
        for (name, value) in fields {
            let value = changes
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(value, |(_, v)| *v);
            posted.push((name, value));
        }
        posted
    };
    let res = agency
        .post(
            "/organizations",
            &with(&[("name", " "), ("commune", "Dury")]),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    for field in ["name", "commune"] {
        assert!(
            res.text.contains(&format!("href=\"#{field}\"")),
            "{field}: {}",
            res.text
        );
    }
    assert!(
        res.text.contains("Plusieurs communes portent ce nom")
            && res.text.contains("Dury (80, ")
            && res.text.contains("Indiquez son code INSEE"),
        "homonyms: {}",
        res.text
    );
    assert!(res.text.contains("value=\"Dury\""), "kept: {}", res.text);
    let res = agency
        .post("/organizations", &with(&[("commune", "Atlantide")]))
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(
        res.text
            .contains("Aucune commune des Hauts-de-France ne porte ce nom"),
        "{}",
        res.text
    );
    let res = agency
        .post("/organizations", &with(&[("kind", "producer")]))
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(res.text.contains("href=\"#venue_type\""), "{}", res.text);
    assert_eq!(organization_count(&app, &net.agency.token).await, before);

    // Added from the commune's name, as typed by a person.
    let res = agency.post("/organizations", &with(&[])).await;
    assert_eq!(res.status, 303, "{}", res.text);
    let path = res.location.split('?').next().unwrap().to_string();
    assert!(res.location.ends_with("?done=created"), "{}", res.location);
    let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
    let made = app
        .get(
            &format!("/api/v1/organizations/{id}"),
            Some(&net.agency.token),
        )
        .await;
    assert_eq!(made.body["commune_insee"], "80211", "{}", made.text);
    assert_eq!(made.body["venue_type"], "library");
    assert_eq!(made.body["kind"], "venue");

    let page = agency.get(&res.location).await;
    assert_eq!(page.status, 200, "{}", page.text);
    for words in [
        "Médiathèque de Conty",
        "Lieu d&#39;accueil — Bibliothèque, médiathèque",
        "Conty",
        "Personne ne peut encore se connecter",
        "Inviter sa première administratrice ou son premier administrateur",
    ] {
        assert!(page.text.contains(words), "{words}: {}", page.text);
    }
    assert!(
        page.text.contains("<option value=\"admin\" selected>"),
        "the first account administers: {}",
        page.text
    );
    let listed = agency.get("/organizations?kind=venue").await;
    assert!(
        listed
            .text
            .contains(&format!("href=\"/organizations/{id}\""))
            && listed.text.contains("Aucun compte : à inviter"),
        "{}",
        listed.text
    );

    // The invitation: bad address back on the form; without the token refused; then sent.
    let invite = format!("{path}/invite");
    let res = agency
        .post(
            &invite,
            &[
                ("csrf_token", token.as_str()),
                ("email", "pas une adresse"),
                ("role", "admin"),
                ("locale", "fr"),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(res.text.contains("href=\"#email\""), "{}", res.text);
    let good = [
        ("csrf_token", token.as_str()),
        ("email", "Responsable@Conty.test"),
        ("role", "admin"),
        ("locale", "fr"),
    ];
    assert_eq!(agency.post(&invite, &good[1..]).await.status, 403);
    let res = agency.post(&invite, &good).await;
    assert_eq!(res.status, 303, "{}", res.text);
    assert_eq!(res.location, format!("{path}?done=invited"));
    let page = agency.get(&res.location).await;
    assert!(
        page.text.contains("responsable@conty.test"),
        "{}",
        page.text
    );

    // The mail reaches the person; they choose a password and administer their organisation.
    let mails = mails_to(&sink, 1, "responsable@conty.test");
    assert_eq!(mails.len(), 1, "{mails:#?}");
    let link = format!("/invitations/{}", token_in(&mails[0], "invitations"));
    let mut invitee = Browser::new(&app);
    let page = invitee.get(&link).await;
    assert!(page.text.contains("Médiathèque de Conty"), "{}", page.text);
    let res = invitee
        .post(
            &link,
            &[
                ("csrf_token", hidden(&page.text, "csrf_token").as_str()),
                ("password", "a-long-enough-password"),
                ("password_confirmation", "a-long-enough-password"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text);
    let me = app
        .login("responsable@conty.test", "a-long-enough-password")
        .await;
    let whoami = app.get("/api/v1/me", Some(&me)).await;
    assert_eq!(whoami.body["organization"]["id"], id, "{}", whoami.text);
    assert_eq!(whoami.body["user"]["role"], "admin", "{}", whoami.text);
    let listed = agency.get("/organizations?kind=venue").await;
    assert!(!listed.text.contains("Aucun compte"), "{}", listed.text);
    let res = agency.post(&invite, &good).await;
    assert_eq!(res.status, 409, "the address has an account now");
    assert!(
        res.text.contains("Cette adresse a déjà un compte"),
        "{}",
        res.text
    );
}

async fn the_directory_is_the_agency_s_alone_and_pages_say_where_they_stand(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    for actor in [&net.venue, &net.producer] {
        let mut browser = Browser::new(&app);
        assert_eq!(browser.log_in(&actor.email, PASSWORD).await.status, 303);
        assert_eq!(browser.get("/organizations").await.status, 403);
        let page = browser.get("/account").await;
        let token = hidden(&page.text, "csrf_token");
        let res = browser
            .post(
                "/organizations",
                &[
                    ("csrf_token", token.as_str()),
                    ("name", "Intruse"),
                    ("kind", "venue"),
                    ("commune", "Amiens"),
                ],
            )
            .await;
        assert_eq!(res.status, 403);
        let other = format!("/organizations/{}", net.agency.org_id);
        assert_eq!(browser.get(&other).await.status, 403);
    }
    // 55 venues more: two pages of 50, each organisation once.
    for n in 0..55 {
        let res = app
            .post(
                "/api/v1/organizations",
                Some(&net.agency.token),
                json!({"name": format!("Lieu {n:02}"), "kind": "venue", "commune_insee": "80021"}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
    }
    let mut agency = Browser::new(&app);
    assert_eq!(agency.log_in(&net.agency.email, PASSWORD).await.status, 303);
    let first = agency.get("/organizations?kind=venue").await;
    assert!(first.text.contains("1–50 sur 56"), "{}", first.text);
    assert!(
        first
            .text
            .contains("href=\"/organizations?kind=venue&#38;page=2\""),
        "{}",
        first.text
    );
    let second = agency.get("/organizations?kind=venue&page=2").await;
    assert!(second.text.contains("51–56 sur 56"), "{}", second.text);
    for n in 0..55 {
        let name = format!(">Lieu {n:02}<");
        let times = first.text.matches(&name).count() + second.text.matches(&name).count();
        assert_eq!(times, 1, "{name}");
    }
}

macro_rules! with_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[actix_web::test] async fn $name() { super::$name(crate::common::Backend::Sqlite).await } )* }
        mod postgres { $( #[actix_web::test] async fn $name() { super::$name(crate::common::Backend::Postgres).await } )* }
    };
}

with_backend!(
    the_agency_adds_an_organisation_and_invites_its_first_administrator,
    the_directory_is_the_agency_s_alone_and_pages_say_where_they_stand,
);

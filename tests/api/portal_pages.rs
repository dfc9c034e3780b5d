//! The venue's pages beyond the journey: the find page's filters (age in years, themes,
//! audiences and kinds meaning *any of*, distance from my own venue), its total and next page;
//! the calendar link of a venue and its reset; a loan, a resource, their forms and an error page
//! in English for an English-speaking person.

use crate::builders::{day, id_of, BookingBuilder, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::{TestApp, PASSWORD};
use crate::portal::{hidden, Browser};

/// How many results a find page lists.
fn listed(html: &str) -> usize {
    html.matches("<h3><a href=\"/resources/").count()
}

async fn find_filters_by_age_and_any_of_and_counts_from_my_venue(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    ResourceBuilder::trunk("Malle de l'eau")
        .with("themes", serde_json::json!(["nature_environment"]))
        .with("audiences", serde_json::json!(["primary"]))
        .copies(1)
        .build(&app, &net.producer)
        .await;
    ResourceBuilder::kit("Kit des étoiles")
        .with("themes", serde_json::json!(["astronomy"]))
        .with("audiences", serde_json::json!(["secondary"]))
        .copies(1)
        .build(&app, &net.producer)
        .await;
    ResourceBuilder::exhibition("Exposition des adultes")
        .with("themes", serde_json::json!(["science_society"]))
        .with("audiences", serde_json::json!(["adult"]))
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let mut b = Browser::new(&app);
    assert_eq!(b.log_in(&net.venue.email, PASSWORD).await.status, 303);

    // The form: an age field and checkboxes, never coordinates.
    let form = b.get("/resources").await;
    assert_eq!(form.status, 200, "{}", form.text);
    for field in [
        "name=\"age\"",
        "type=\"checkbox\" id=\"theme-astronomy\" name=\"theme\"",
        "id=\"audience-primary\" name=\"audience\"",
        "id=\"kind-trunk\" name=\"kind\"",
    ] {
        assert!(form.text.contains(field), "{field}: {}", form.text);
    }

    // Everything in the region: three, counted, each with distance, my price and free dates.
    let all = b.get("/resources?searched=1&radius_km=1000").await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(listed(&all.text), 3, "{}", all.text);
    assert!(
        all.text.contains("3 ressource(s) à moins de 1000 km"),
        "{}",
        all.text
    );
    assert!(all.text.contains("\u{a0}km</dd>"), "{}", all.text);
    assert!(all.text.contains("pour une semaine"), "{}", all.text);
    assert!(all.text.contains("Libre du "), "{}", all.text);
    assert!(!all.text.contains("near=") && !all.text.contains("latitude"));

    // Age 10: primary only; age 15: secondary only; 40: adults.
    for (age, title) in [
        ("10", "Malle de l&#39;eau"),
        ("15", "Kit des étoiles"),
        ("40", "Exposition des adultes"),
    ] {
        let page = b
            .get(&format!("/resources?searched=1&radius_km=1000&age={age}"))
            .await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert_eq!(listed(&page.text), 1, "age {age}: {}", page.text);
        assert!(page.text.contains(title), "age {age}: {}", page.text);
        assert!(page.text.contains(&format!("value=\"{age}\"")));
    }

    // Two themes mean either; the boxes stay checked.
    let two = b
        .get("/resources?searched=1&radius_km=1000&theme=astronomy&theme=nature_environment")
        .await;
    assert_eq!(listed(&two.text), 2, "{}", two.text);
    assert!(two
        .text
        .contains("id=\"theme-astronomy\" name=\"theme\" value=\"astronomy\" checked"));
    // Two audiences, two kinds: either.
    let aud = b
        .get("/resources?searched=1&radius_km=1000&audience=primary&audience=adult")
        .await;
    assert_eq!(listed(&aud.text), 2, "{}", aud.text);
    let kinds = b
        .get("/resources?searched=1&radius_km=1000&kind=kit&kind=exhibition&kind=trunk")
        .await;
    assert_eq!(listed(&kinds.text), 3, "{}", kinds.text);

    // A bad age comes back on the form with its error tied to the field.
    let bad = b.get("/resources?searched=1&age=deux").await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("href=\"#age\""), "{}", bad.text);
    assert!(bad.text.contains("aria-invalid=\"true\""), "{}", bad.text);
}

async fn find_pages_through_results_with_a_total(app: TestApp) {
    let net = Network::new(&app).await;
    for n in 0..23 {
        ResourceBuilder::kit(&format!("Kit numéro {n}"))
            .copies(1)
            .build(&app, &net.producer)
            .await;
    }
    let mut b = Browser::new(&app);
    assert_eq!(b.log_in(&net.venue.email, PASSWORD).await.status, 303);
    let first = b.get("/resources?searched=1&q=kit&radius_km=50").await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(listed(&first.text), 20);
    assert!(
        first
            .text
            .contains("23 ressource(s) à moins de 50 km de votre structure, 20 sur cette page"),
        "{}",
        first.text
    );
    let marker = "<p><a href=\"";
    let start = first
        .text
        .find(&format!("{marker}/resources?"))
        .expect("a link to the next page")
        + marker.len();
    let next = first.text[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&");
    assert!(next.contains("cursor="), "{next}");
    let second = b.get(&next).await;
    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!(listed(&second.text), 3, "{}", second.text);
    assert!(second.text.contains("3 sur cette page"), "{}", second.text);
    assert!(!second.text.contains("Résultats suivants"));
}

async fn an_admin_creates_the_calendar_link_once_and_a_new_one_cuts_the_old(app: TestApp) {
    let net = Network::new(&app).await;
    let mut b = Browser::new(&app);
    assert_eq!(b.log_in(&net.venue.email, PASSWORD).await.status, 303);
    let list = b.get("/bookings").await;
    assert!(list.text.contains("href=\"/calendar\""), "{}", list.text);
    let form = b.get("/calendar").await;
    assert_eq!(form.status, 200, "{}", form.text);
    assert!(
        form.text.contains("Créer un nouveau lien d'agenda"),
        "{}",
        form.text
    );
    let csrf = hidden(&form.text, "csrf_token");

    // Without its CSRF token: refused, no link.
    let refused = b.post("/calendar", &[]).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert!(!refused.text.contains("calendar.ics"));

    let link_of = |html: &str| {
        let marker = "id=\"link\" type=\"url\" value=\"";
        let start = html.find(marker).expect("the link") + marker.len();
        html[start..]
            .split('"')
            .next()
            .unwrap()
            .replace("&#38;", "&")
    };
    let first = b.post("/calendar", &[("csrf_token", &csrf)]).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let first_link = link_of(&first.text);
    let path = format!(
        "/api/v1/venues/{}/calendar.ics?token=itc_",
        net.venue.org_id
    );
    // The whole address, under the service's public address.
    assert!(first_link.starts_with("http"), "{first_link}");
    assert!(first_link.contains(&path), "{first_link}");
    let feed = first_link[first_link.find("/api/v1/").unwrap()..].to_string();
    let ics = app.get(&feed, None).await;
    assert_eq!(ics.status, 200, "{}", ics.text);
    assert!(ics.text.starts_with("BEGIN:VCALENDAR"), "{}", ics.text);
    // The page does not show it again.
    assert!(!b.get("/calendar").await.text.contains("itc_"));

    // A new link cuts the old one.
    let second = b.post("/calendar", &[("csrf_token", &csrf)]).await;
    let second_link = link_of(&second.text);
    assert_ne!(first_link, second_link);
    assert_eq!(app.get(&feed, None).await.status, 401);
    let feed2 = second_link[second_link.find("/api/v1/").unwrap()..].to_string();
    assert_eq!(app.get(&feed2, None).await.status, 200);

    // A member sees no button, and the service refuses them anyway.
    let member = app.user_in(&net.agency, net.venue.org_id, "member").await;
    let mut m = Browser::new(&app);
    assert_eq!(m.log_in(&member.email, PASSWORD).await.status, 303);
    let page = m.get("/calendar").await;
    assert!(
        !page.text.contains("<button type=\"submit\">Créer"),
        "{}",
        page.text
    );
    let csrf = hidden(&page.text, "csrf_token");
    let no = m.post("/calendar", &[("csrf_token", &csrf)]).await;
    assert_eq!(no.status, 403, "{}", no.text);
    assert_eq!(app.get(&feed2, None).await.status, 200);
}

async fn robots_txt_keeps_crawlers_out_of_the_api(app: TestApp) {
    let res = app.get("/robots.txt", None).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(
        res.content_type.starts_with("text/plain"),
        "{}",
        res.content_type
    );
    assert!(res.text.starts_with("User-agent: *\n"), "{}", res.text);
    assert!(res.text.contains("Disallow: /api/\n"), "{}", res.text);
    // No icon, and no 404 logged by browsers on every page either.
    assert_eq!(app.get("/favicon.ico", None).await.status, 204);
}

/// A page's text as read: the entities askama writes for quotes and ampersands undone.
fn read(html: &str) -> String {
    html.replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// The pages an English-speaking person reads, with French phrases that one French-speaking
/// reads on each and the English ones that take their place: the find page, the loan (status,
/// next step, history, dates, price), its condition report and evaluation forms, the resource
/// and an error page.
async fn find_loan_resource_forms_and_error_pages_follow_the_english_locale(app: TestApp) {
    let net = Network::new(&app).await;
    let trunk = ResourceBuilder::trunk("Malle de l'eau")
        .component("Éprouvette", 6)
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let booking = BookingBuilder::new(trunk.id, &net.venue, day(20), day(24))
        .status("approved")
        .build(&app, &net.producer)
        .await;
    let id = id_of(&booking);
    let pages: [(String, u16, &[&str], &[&str]); 6] = [
        (
            "/resources?searched=1&radius_km=1000".to_string(),
            200,
            &[
                "Mots-clés",
                "Thèmes",
                "Malle pédagogique",
                "la plus proche d'abord",
                "Votre prix",
            ],
            &[
                "Keywords",
                "Themes",
                "Educational trunk",
                "nearest first",
                "Your price",
            ],
        ),
        (
            format!("/bookings/{id}"),
            200,
            &[
                "Prochaine étape",
                "Accepté",
                "Préparez l'accueil",
                "Historique",
                "Demande envoyée",
                "Livraison",
                "Total à payer",
                "Voir la fiche de la ressource",
                "Distance du dépôt",
            ],
            &[
                "Next step",
                "Accepted",
                "Get ready to host it",
                "History",
                "Request sent",
                "Delivery",
                "Total to pay",
                "See the resource's page",
            ],
        ),
        (
            format!("/resources/{}", trunk.id),
            200,
            &[
                "Malle pédagogique",
                "Producteur",
                "Disponibilités des quatre prochains mois",
                "Premier jour d'utilisation",
                "Voir mon prix",
                "Retour à la recherche",
            ],
            &[
                "Educational trunk",
                "Producer",
                "Availability over the next four months",
                "First day of use",
                "See my price",
            ],
        ),
        (
            format!("/bookings/{id}/report"),
            200,
            &[
                "État des lieux d'arrivée",
                "6 attendu(s)",
                "Dont abîmés",
                "Envoyer l'état des lieux",
            ],
            &[
                "Arrival condition report",
                "6 expected",
                "Of which damaged",
                "Send the condition report",
            ],
        ),
        (
            format!("/bookings/{id}/evaluation"),
            200,
            &["Bilan du prêt", "Nombre de visiteurs", "Publics accueillis"],
            &[
                "Evaluation of the loan",
                "Number of visitors",
                "Audiences welcomed",
            ],
        ),
        (
            "/bookings/99999999".to_string(),
            404,
            &["Page introuvable", "Cette page n'existe pas"],
            &["Page not found", "This page does not exist"],
        ),
    ];
    let mut browser = Browser::new(&app);
    assert_eq!(browser.log_in(&net.venue.email, PASSWORD).await.status, 303);
    for (path, status, french, _) in &pages {
        let page = browser.get(path).await;
        assert_eq!(page.status, *status, "{path}: {}", page.text);
        let text = read(&page.text);
        assert!(text.contains("<html lang=\"fr\">"), "{path}: {text}");
        for phrase in *french {
            assert!(
                text.contains(phrase),
                "{phrase:?} in French on {path}: {text}"
            );
        }
    }
    let res = app
        .patch(
            "/api/v1/me",
            Some(&net.venue.token),
            serde_json::json!({"locale": "en"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    for (path, status, french, english) in &pages {
        let page = browser.get(path).await;
        assert_eq!(page.status, *status, "{path}: {}", page.text);
        let text = read(&page.text);
        assert!(text.contains("<html lang=\"en\">"), "{path}: {text}");
        for phrase in *french {
            assert!(
                !text.contains(phrase),
                "{phrase:?} in English on {path}: {text}"
            );
        }
        for phrase in *english {
            assert!(
                text.contains(phrase),
                "{phrase:?} not in English on {path}: {text}"
            );
        }
    }
}

/// The resource page's calendar of the coming months shows the school holidays of my venue's
/// zone (Amiens and its villages: zone B), beside the free days.
async fn the_resource_calendar_shows_my_zone_s_school_holidays(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let trunk = ResourceBuilder::trunk("Malle de l'eau")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let mut browser = Browser::new(&app);
    assert_eq!(browser.log_in(&net.venue.email, PASSWORD).await.status, 303);
    let page = browser.get(&format!("/resources/{}", trunk.id)).await;
    assert_eq!(page.status, 200, "{}", page.text);
    // Four months ahead always meet one of the year's holidays.
    assert!(page.text.contains("Vacances scolaires"), "{}", page.text);
    assert!(page.text.contains("(zone B)"), "{}", page.text);
    assert!(!page.text.contains("(zone A)"), "{}", page.text);
}

/// The find page's batches answer as the one-by-one path, on the demo network with loans booked
/// in the window and a copy retired: `bookings::availabilities` gives each resource's
/// `availability` (so each one's first free week), and `quote::previews` each `quote::preview`
/// (the same days for all, a week from each one's first free day, first days on either side of
/// the end of the demo's subsidy programmes); a resource that is not there is refused alike.
async fn find_batches_answer_as_the_one_by_one_path(app: TestApp) {
    use chrono::{Duration, Utc};
    use itinerance::access::Principal;
    use itinerance::billing::model::QuoteQuery;
    use itinerance::billing::quote::{self, PreviewAsk};
    use itinerance::billing::LoanBilling;
    use itinerance::booking::model::NewBooking;
    use itinerance::booking::service as bookings;
    use itinerance::organization::{OrgKind, Role};
    use serde_json::to_value;

    let billing = LoanBilling::from_config(&app.state.config);
    let money = LoanBilling::from_config(&app.state.config);
    app.state
        .run(move |conn| {
            let now = Utc::now().naive_utc();
            itinerance::demo::load(conn, now)?;
            // Tariffs, the policy, the subsidy programmes and past loans.
            itinerance::demo::billing::load(conn, &money, now)
        })
        .await
        .expect("demo network and its money");
    let token = app
        .login("point-lecture@demo.itinerance.fr", "demo-itinerance")
        .await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, 200, "{}", me.text);
    let venue = Principal {
        user_id: me.body["user"]["id"].as_i64(),
        api_key_id: None,
        organization_id: me.body["organization"]["id"].as_i64().expect("venue id"),
        kind: OrgKind::Venue,
        role: Role::Admin,
    };
    let settings = app.state.booking_settings();
    let today = Utc::now().date_naive();
    let (from, to) = (today + Duration::days(14), today + Duration::days(134));
    app.state
        .run(move |conn| {
            use diesel::prelude::*;
            use itinerance::schema::{copies, resources};
            let ids: Vec<i64> = resources::table
                .select(resources::id)
                .order(resources::id.asc())
                .limit(12)
                .load(conn)?;
            assert_eq!(ids.len(), 12);
            // Loans in the window (several on the first resources: each takes a copy), and
            // retired copies (all of one resource, all but the first of another): no free days,
            // no depot to leave from.
            let now = Utc::now().naive_utc();
            for (k, id) in ids.iter().take(6).enumerate() {
                for n in 0..3 {
                    let starts_on = from + Duration::days(5 * k as i64 + 2 * n);
                    let new = NewBooking {
                        resource_id: *id,
                        venue_id: venue.organization_id,
                        starts_on,
                        ends_on: starts_on + Duration::days(9),
                        copy_id: None,
                    };
                    // Every copy taken already: the rest of the window stays as it is.
                    match bookings::request(conn, &venue, &settings, &new, now) {
                        Ok(_) | Err(itinerance::error::Error::Conflict { .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            let retired: Vec<i64> = copies::table
                .filter(copies::resource_id.eq_any([ids[7], ids[8]]))
                .select(copies::id)
                .order(copies::id.asc())
                .load(conn)?;
            for copy in retired.iter().skip(1) {
                itinerance::catalogue::store::retire(conn, *copy, "usé", now)?;
            }

            let mut asked = ids.clone();
            asked.push(999_999);
            let batch = bookings::availabilities(conn, &asked, from, to)?;
            assert_eq!(batch.len(), ids.len(), "the missing resource is left out");
            let mut weeks = Vec::new();
            for (one, id) in batch.iter().zip(&ids) {
                let single = bookings::availability(conn, *id, from, to)?;
                assert_eq!(
                    to_value(one).expect("json"),
                    to_value(&single).expect("json"),
                    "resource {id}"
                );
                weeks.push(single.first_free_week());
            }
            assert!(
                weeks.iter().flatten().any(|(f, _)| *f > from),
                "the loans move some first free week: {weeks:?}"
            );

            // Previews: a week from each first free day, the same days for all, and first days
            // on either side of the programmes' end (400 days ahead in the demo).
            let mut asks = Vec::new();
            for (id, week) in ids.iter().zip(&weeks) {
                let starts_on = week.map_or(from, |w| w.0);
                for (s, e) in [
                    (starts_on, starts_on + Duration::days(6)),
                    (from, from + Duration::days(20)),
                    (today + Duration::days(398), today + Duration::days(405)),
                    (today + Duration::days(402), today + Duration::days(409)),
                ] {
                    asks.push(PreviewAsk {
                        resource_id: *id,
                        starts_on: s,
                        ends_on: e,
                    });
                }
            }
            let quotes = quote::previews(conn, &billing, &venue, None, &asks)?;
            assert_eq!(quotes.len(), asks.len());
            let mut subsidised = 0;
            for (q, ask) in quotes.iter().zip(&asks) {
                let single = quote::preview(
                    conn,
                    &billing,
                    &venue,
                    ask.resource_id,
                    &QuoteQuery {
                        venue_id: None,
                        starts_on: ask.starts_on,
                        ends_on: ask.ends_on,
                    },
                )?;
                assert_eq!(
                    to_value(q).expect("json"),
                    to_value(&single).expect("json"),
                    "{ask:?}"
                );
                subsidised += usize::from(single.subsidy_program_id.is_some());
            }
            assert!(
                (1..asks.len()).contains(&subsidised),
                "some previews subsidised, not all: {subsidised}"
            );

            let missing = [PreviewAsk {
                resource_id: 999_999,
                starts_on: from,
                ends_on: from + Duration::days(6),
            }];
            let batch = quote::previews(conn, &billing, &venue, None, &missing).map(|_| ());
            let single = quote::preview(
                conn,
                &billing,
                &venue,
                999_999,
                &QuoteQuery {
                    venue_id: None,
                    starts_on: from,
                    ends_on: from + Duration::days(6),
                },
            )
            .map(|_| ());
            assert_eq!(
                batch.map_err(|e| e.code()),
                single.map_err(|e| e.code()),
                "a missing resource"
            );
            Ok::<_, itinerance::error::Error>(())
        })
        .await
        .expect("batches");
}

crate::on_both_backends!(
    find_batches_answer_as_the_one_by_one_path,
    the_resource_calendar_shows_my_zone_s_school_holidays,
    find_loan_resource_forms_and_error_pages_follow_the_english_locale,
    robots_txt_keeps_crawlers_out_of_the_api,
    an_admin_creates_the_calendar_link_once_and_a_new_one_cuts_the_old,
    find_filters_by_age_and_any_of_and_counts_from_my_venue,
    find_pages_through_results_with_a_total,
);

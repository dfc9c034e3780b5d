//! The agency's allocation rounds as pages (issue 24): a round opened, its requests added one by
//! one and as pasted CSV (all or nothing, the refused lines named), both policies compared side by
//! side with nothing stored, one kept (allocated and confirmed in one step) and kept only once;
//! forms without their CSRF token change nothing; venues and producers get the 403 page.

use serde_json::Value;

use crate::builders::{day, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::{Actor, TestApp, PASSWORD};
use crate::on_both_backends;
use crate::portal::{hidden, Browser};

/// A browser signed in as `email`.
async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let mut browser = Browser::new(app);
    let res = browser.log_in(email, PASSWORD).await;
    assert_eq!(res.status, 303, "{}", res.text);
    browser
}

/// The round as the API shows it to the agency.
async fn round_of(app: &TestApp, agency: &Actor, id: i64) -> Value {
    let res = app
        .get(
            &format!("/api/v1/allocation-rounds/{id}"),
            Some(&agency.token),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

/// The bookings of a resource, as the agency sees them.
async fn bookings_of(app: &TestApp, agency: &Actor, resource: i64) -> Vec<Value> {
    let res = app
        .get(
            &format!("/api/v1/bookings?resource_id={resource}"),
            Some(&agency.token),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body.as_array().unwrap().clone()
}

async fn the_agency_runs_a_round_from_its_pages(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let city = app.venue(&net.agency, AMIENS).await;
    let expo = ResourceBuilder::exhibition("Exposition disputée")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let mut agency = signed_in(&app, &net.agency.email).await;
    let list = agency.get("/rounds").await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(
        list.text
            .contains("href=\"/rounds\" aria-current=\"page\">Répartitions"),
        "the menu leads here"
    );
    assert!(
        list.text.contains(&format!("value=\"{}\"", expo.id)),
        "the resource can be ticked"
    );
    let token = hidden(&list.text, "csrf_token");
    let (from, to) = (day(30).to_string(), day(120).to_string());
    let expo_id = expo.id.to_string();
    // Without the token, nothing is opened.
    let res = agency
        .post(
            "/rounds",
            &[
                ("name", "Printemps disputé"),
                ("period_from", &from),
                ("period_to", &to),
                ("resource_id", &expo_id),
            ],
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.text);
    let rounds = app
        .get("/api/v1/allocation-rounds", Some(&net.agency.token))
        .await;
    assert!(
        rounds.body.as_array().unwrap().is_empty(),
        "{}",
        rounds.text
    );
    // Bad input: the form again, its errors tied to the fields.
    let res = agency
        .post(
            "/rounds",
            &[
                ("csrf_token", &token),
                ("name", " "),
                ("period_from", "demain"),
                ("period_to", &to),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    for field in ["name", "period_from", "resource_ids"] {
        assert!(
            res.text.contains(&format!("href=\"#{field}\"")),
            "{field}: {}",
            res.text
        );
    }
    let res = agency
        .post(
            "/rounds",
            &[
                ("csrf_token", &token),
                ("name", "Printemps disputé"),
                ("period_from", &from),
                ("period_to", &to),
                ("resource_id", &expo_id),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text);
    let id: i64 = res
        .location
        .strip_prefix("/rounds/")
        .and_then(|rest| rest.split('?').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{}", res.location));

    // Requests: the city first, then the village; a request without the token adds nothing.
    let path = format!("/rounds/{id}/requests");
    let (d40, d45, d41, d44) = (
        day(40).to_string(),
        day(45).to_string(),
        day(41).to_string(),
        day(44).to_string(),
    );
    let city_id = city.org_id.to_string();
    let village_id = net.venue.org_id.to_string();
    let res = agency
        .post(
            &path,
            &[
                ("venue_id", &city_id),
                ("resource_id", &expo_id),
                ("starts_on", &d40),
                ("ends_on", &d45),
            ],
        )
        .await;
    assert_eq!(res.status, 403);
    for (venue, from, to) in [(&city_id, &d40, &d45), (&village_id, &d41, &d44)] {
        let res = agency
            .post(
                &path,
                &[
                    ("csrf_token", &token),
                    ("venue_id", venue),
                    ("resource_id", &expo_id),
                    ("starts_on", from),
                    ("ends_on", to),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.text);
    }
    let res = agency
        .post(
            &path,
            &[
                ("csrf_token", &token),
                ("venue_id", &village_id),
                ("resource_id", &expo_id),
                ("starts_on", &d45),
                ("ends_on", &d41),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(res.text.contains("href=\"#ends_on\""), "{}", res.text);
    let page = agency.get(&format!("/rounds/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("(village)"),
        "the commune's class: {}",
        page.text
    );
    assert_eq!(
        round_of(&app, &net.agency, id).await["requests"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // A pasted CSV with a bad line adds nothing, and names the line and the column.
    let csv = format!(
        "venue_id,resource_id,starts_on,ends_on\n{city_id},{expo_id},{},{}\n{village_id},999999,{},{}\n",
        day(90),
        day(92),
        day(95),
        day(97)
    );
    let res = agency
        .post(
            &format!("/rounds/{id}/csv"),
            &[("csrf_token", &token), ("csv", &csv)],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(
        res.text.contains("Ligne 3, colonne « resource_id »"),
        "{}",
        res.text
    );
    // In the page's language, not the API's English.
    assert!(
        res.text
            .contains("cette ressource n&#39;est pas proposée dans cette campagne"),
        "{}",
        res.text
    );
    assert!(!res.text.contains("lang=\"en\""), "{}", res.text);
    assert!(res.text.contains("href=\"#csv\""), "{}", res.text);
    let undated = "venue_id,resource_id,starts_on,ends_on\n1,2,3 mars,2027-03-05\n";
    let res = agency
        .post(
            &format!("/rounds/{id}/csv"),
            &[("csrf_token", &token), ("csv", undated)],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(
        res.text.contains("Ligne 2, colonne « starts_on »")
            && res.text.contains("ce n&#39;est pas une date (AAAA-MM-JJ)"),
        "{}",
        res.text
    );
    let res = agency
        .post(&format!("/rounds/{id}/csv"), &[("csv", &csv)])
        .await;
    assert_eq!(res.status, 403);
    assert_eq!(
        round_of(&app, &net.agency, id).await["requests"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Both policies side by side; nothing stored.
    let compared = agency.get(&format!("/rounds/{id}/compare")).await;
    assert_eq!(compared.status, 200, "{}", compared.text);
    for words in [
        "Équité territoriale",
        "Premier arrivé, premier servi",
        "+100,0\u{a0}points",
        "Retenir cette répartition",
        "jamais servi",
    ] {
        assert!(compared.text.contains(words), "{words}: {}", compared.text);
    }
    assert!(round_of(&app, &net.agency, id).await["round"]["proposal_policy"].is_null());

    // Keeping one without the token changes nothing; with it, the loans are booked.
    let choose = format!("/rounds/{id}/choose");
    let res = agency.post(&choose, &[("policy", "equity")]).await;
    assert_eq!(res.status, 403);
    assert_eq!(
        round_of(&app, &net.agency, id).await["round"]["status"],
        "open"
    );
    let res = agency
        .post(&choose, &[("csrf_token", &token), ("policy", "equity")])
        .await;
    assert_eq!(
        (res.status, res.location.as_str()),
        (303, format!("/rounds/{id}?done=kept").as_str()),
        "{}",
        res.text
    );
    let round = round_of(&app, &net.agency, id).await;
    assert_eq!(round["round"]["status"], "confirmed");
    let booked = bookings_of(&app, &net.agency, expo.id).await;
    assert_eq!(booked.len(), 1);
    assert_eq!(
        booked[0]["venue_id"], net.venue.org_id,
        "equity serves the village"
    );
    assert_eq!(booked[0]["status"], "approved");
    let page = agency.get(&format!("/rounds/{id}?done=kept")).await;
    assert!(page.text.contains("Confirmé"), "{}", page.text);
    assert!(
        page.text
            .contains(&format!("href=\"/bookings/{}\"", booked[0]["id"])),
        "{}",
        page.text
    );
    assert!(page.text.contains("non servie"), "{}", page.text);
    // Twice: the page says so, nothing more is booked.
    let again = agency
        .post(&choose, &[("csrf_token", &token), ("policy", "first_come")])
        .await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert!(again.text.contains("déjà confirmé"), "{}", again.text);
    assert_eq!(bookings_of(&app, &net.agency, expo.id).await.len(), 1);
}

async fn venues_and_producers_get_the_403_page(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let expo = ResourceBuilder::exhibition("Exposition gardée")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let round = app
        .post(
            "/api/v1/allocation-rounds",
            Some(&net.agency.token),
            serde_json::json!({"name": "Tour gardé", "period_from": day(30), "period_to": day(60), "resource_ids": [expo.id]}),
        )
        .await;
    assert_eq!(round.status, 201, "{}", round.text);
    let id = round.body["id"].as_i64().unwrap();
    for who in [&net.venue, &net.producer] {
        let mut browser = signed_in(&app, &who.email).await;
        let home = browser.get("/resources").await;
        assert!(!home.text.contains("href=\"/rounds\""), "no menu entry");
        let token = hidden(&home.text, "csrf_token");
        for path in [
            "/rounds".to_string(),
            format!("/rounds/{id}"),
            format!("/rounds/{id}/compare"),
        ] {
            let page = browser.get(&path).await;
            assert_eq!(page.status, 403, "{path}: {}", page.text);
        }
        let res = browser
            .post(
                &format!("/rounds/{id}/choose"),
                &[("csrf_token", &token), ("policy", "equity")],
            )
            .await;
        assert_eq!(res.status, 403, "{}", res.text);
        let res = browser
            .post(
                "/rounds",
                &[
                    ("csrf_token", &token),
                    ("name", "x"),
                    ("period_from", &day(30).to_string()),
                    ("period_to", &day(60).to_string()),
                    ("resource_ids", &expo.id.to_string()),
                ],
            )
            .await;
        assert_eq!(res.status, 403, "{}", res.text);
    }
    assert_eq!(
        round_of(&app, &net.agency, id).await["round"]["status"],
        "open"
    );
}

on_both_backends!(
    the_agency_runs_a_round_from_its_pages,
    venues_and_producers_get_the_403_page
);

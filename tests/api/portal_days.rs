//! A producer's days of tours (issue 24): the day's vans and moves, « Planifier la journée »
//! (the service of `POST /api/v1/tours/plan`), the plan with its map, the drivers' sheets and
//! calendar, and a stop moved by hand (the service of `POST /api/v1/tours/{id}/moves`): a move
//! that breaks a rule comes back with its reason and changes nothing; no CSRF token, no change;
//! a venue is refused the pages, another producer does not see the plan.

use serde_json::Value;

use crate::common::{TestApp, PASSWORD};
use crate::dayplans::{moving_day, MovingDay};
use crate::on_both_backends;
use crate::portal::{hidden, Browser};

/// The van numbers of "Grand" and "Petit" in a plan read from the API.
fn vans(plan: &Value) -> (String, String) {
    let number = |name: &str| {
        plan["vans"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .map(|v| v["number"].to_string())
            .unwrap()
    };
    (number("Grand"), number("Petit"))
}

async fn a_producer_plans_a_day_prints_it_and_moves_a_stop(app: TestApp) {
    let MovingDay {
        agency,
        producer,
        lille,
        to_arras,
        from_abbeville,
        date,
        ..
    } = moving_day(&app).await;
    let mut browser = Browser::new(&app);
    assert_eq!(browser.log_in(&producer.email, PASSWORD).await.status, 303);

    // The menu leads to the days; by default the next working day.
    let page = browser.get("/days").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("href=\"/days\" aria-current=\"page\""));
    // The day: its vans and its moves, no plan yet.
    let day_path = format!("/days?date={date}");
    let page = browser.get(&day_path).await;
    assert_eq!(page.status, 200, "{}", page.text);
    for needle in [
        "Grand",
        "Petit",
        "07:00–13:00",
        "livraison",
        "reprise",
        "14:00–17:00",
        "horaires inconnus",
        "Planifier la journée",
        "Aucun plan n&#39;est encore enregistré",
    ] {
        assert!(
            page.text.contains(needle),
            "{needle} missing from {}",
            page.text
        );
    }
    let csrf = hidden(&page.text, "csrf_token");
    let date_text = date.to_string();

    // Without the token: refused, nothing kept.
    let forged = browser.post("/days", &[("date", &date_text)]).await;
    assert_eq!(forged.status, 403, "{}", forged.text);
    assert!(browser
        .get(&day_path)
        .await
        .text
        .contains("Aucun plan n&#39;est encore enregistré"));
    // A date that is not one: the page again, the field named.
    let bad = browser
        .post("/days", &[("csrf_token", &csrf), ("date", "31/02/2027")])
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("href=\"#date\""), "{}", bad.text);

    let planned = browser
        .post("/days", &[("csrf_token", &csrf), ("date", &date_text)])
        .await;
    assert_eq!(planned.status, 303, "{}", planned.text);
    let id: i64 = planned
        .location
        .strip_prefix("/days/")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{}", planned.location));
    let api = format!("/api/v1/tours/{id}");
    let plan = app.get(&api, Some(&producer.token)).await.body;
    assert_eq!(plan["date"], Value::String(date_text.clone()));
    let (grand, petit) = vans(&plan);
    assert!(browser
        .get(&day_path)
        .await
        .text
        .contains(&format!("href=\"/days/{id}\"")));

    let page = browser.get(&format!("/days/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    for needle in [
        "<svg",
        "role=\"img\"",
        "Carte des tournées",
        "Tournée 1",
        "Arrivée",
        &format!("href=\"/days/{id}/sheet\""),
        &format!("href=\"/days/{id}/tour.ics\""),
        "Déplacer l&#39;arrêt",
    ] {
        assert!(
            page.text.contains(needle),
            "{needle} missing from {}",
            page.text
        );
    }
    let sheet = browser.get(&format!("/days/{id}/sheet")).await;
    assert_eq!(sheet.status, 200);
    assert!(sheet.text.contains("Tournée 1 — "), "{}", sheet.text);
    assert!(
        !sheet.text.contains("<style>"),
        "the portal's CSP has no inline style"
    );
    let ics = browser.get(&format!("/days/{id}/tour.ics")).await;
    assert_eq!(ics.status, 200);
    assert!(
        ics.content_type.starts_with("text/calendar"),
        "{}",
        ics.content_type
    );
    assert!(ics.text.contains("BEGIN:VEVENT"));

    // Arras (opens 14:00) in the small van (back by 13:00): the reason, nothing changed.
    let moves = format!("/days/{id}/moves");
    let arras_stop = format!("{to_arras}:delivery");
    let refused = browser
        .post(
            &moves,
            &[
                ("csrf_token", &csrf),
                ("stop", &arras_stop),
                ("van", &petit),
                ("position", "1"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(
        refused.text.contains("après la fin de son service"),
        "{}",
        refused.text
    );
    assert!(refused.text.contains("Rien n&#39;a changé"));
    assert_eq!(app.get(&api, Some(&producer.token)).await.body, plan);
    // No token: refused, nothing changed; a position that is not a number: named.
    let abbeville_stop = format!("{from_abbeville}:pickup");
    let forged = browser
        .post(
            &moves,
            &[
                ("stop", &abbeville_stop),
                ("van", &grand),
                ("position", "1"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    let bad = browser
        .post(
            &moves,
            &[
                ("csrf_token", &csrf),
                ("stop", &abbeville_stop),
                ("van", &grand),
                ("position", "premier"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("href=\"#position\""), "{}", bad.text);
    assert_eq!(app.get(&api, Some(&producer.token)).await.body, plan);

    // Abbeville's pickup to the other end of the large van's round: moved, timed again.
    let grand_round: Vec<i64> = plan["trips"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| *t["van_number"].to_string() == *grand)
        .flat_map(|t| t["stops"].as_array().unwrap().iter())
        .map(|s| s["booking_id"].as_i64().unwrap())
        .collect();
    let target = if grand_round.first() == Some(&from_abbeville) {
        grand_round.len()
    } else {
        1
    }
    .to_string();
    let moved = browser
        .post(
            &moves,
            &[
                ("csrf_token", &csrf),
                ("stop", &abbeville_stop),
                ("van", &grand),
                ("position", &target),
            ],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.text);
    assert_eq!(moved.location, format!("/days/{id}?moved=1"));
    let after = app.get(&api, Some(&producer.token)).await.body;
    assert_ne!(after, plan, "the move is kept");
    let page = browser.get(&moved.location).await;
    assert!(
        page.text.contains("L&#39;arrêt est déplacé"),
        "{}",
        page.text
    );

    // The agency plans any depot's days; a venue has no such page; another producer does not
    // see this plan.
    let mut office = Browser::new(&app);
    assert_eq!(office.log_in(&agency.email, PASSWORD).await.status, 303);
    let page = office
        .get(&format!("/days?date={date}&depot={}", producer.org_id))
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains(&format!("href=\"/days/{id}\"")));
    assert_eq!(office.get(&format!("/days/{id}")).await.status, 200);
    let mut venue = Browser::new(&app);
    assert_eq!(venue.log_in(&lille.email, PASSWORD).await.status, 303);
    assert_eq!(venue.get("/days").await.status, 403);
    assert_eq!(venue.get(&format!("/days/{id}")).await.status, 403);
    let other = app.producer(&agency, "80021").await;
    let mut rival = Browser::new(&app);
    assert_eq!(rival.log_in(&other.email, PASSWORD).await.status, 303);
    assert_eq!(rival.get(&format!("/days/{id}")).await.status, 404);
    assert_eq!(rival.get(&format!("/days/{id}/sheet")).await.status, 404);
    let rival_csrf = hidden(&rival.get("/days").await.text, "csrf_token");
    let res = rival
        .post(
            &moves,
            &[
                ("csrf_token", &rival_csrf),
                ("stop", &abbeville_stop),
                ("van", &grand),
                ("position", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(app.get(&api, Some(&producer.token)).await.body, after);
}

on_both_backends!(a_producer_plans_a_day_prints_it_and_moves_a_stop);

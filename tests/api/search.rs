//! What a venue's page needs from the catalogue search (issue 23): repeated filters meaning any
//! of, an age in years, whole-word matching, a total on every page, proximity from a commune or
//! a venue, the nearest resource beyond an empty radius; and proximity answers that agree with a
//! brute-force scan on random points (issue 28).

use serde_json::{json, Value};

use crate::builders::{CopyBuilder, ResourceBuilder};
use crate::common::{Actor, Resp, TestApp};
use crate::on_both_backends;

/// (INSEE code, latitude, longitude) as listed in data/hauts-de-france-communes.csv.
const AMIENS: (&str, f64, f64) = ("80021", 49.9, 2.3);
const LILLE: (&str, f64, f64) = ("59350", 50.63391, 3.05512);
const ARRAS: (&str, f64, f64) = ("62041", 50.29301, 2.78186);
const DUNKERQUE: (&str, f64, f64) = ("59183", 51.0344, 2.37681);

/// Great-circle distance in km on the API's sphere, computed here independently.
fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2)
        + p1.cos() * p2.cos() * ((lon2 - lon1).to_radians() / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().asin()
}

/// A resource with the given fields and one copy in `commune`; returns its id.
async fn resource(app: &TestApp, who: &Actor, body: Value, commune: &str) -> i64 {
    let mut full = json!({"kind": "trunk", "title": "Malle", "description": "",
                          "themes": ["other"], "audiences": ["all"]});
    for (k, v) in body.as_object().expect("object") {
        full[k] = v.clone();
    }
    let id = ResourceBuilder::from_body(full).build(app, who).await.id;
    CopyBuilder::default()
        .tag(&format!("S-{id}"))
        .at(commune)
        .build(app, who, id)
        .await;
    id
}

async fn get(app: &TestApp, who: &Actor, query: &str) -> Resp {
    app.get(&format!("/api/v1/resources?{query}"), Some(&who.token))
        .await
}

/// Every page of a search: the ids with their distances, and the `total` of each page.
async fn all_pages(app: &TestApp, who: &Actor, query: &str) -> (Vec<(i64, Option<f64>)>, Vec<i64>) {
    let (mut found, mut totals) = (Vec::new(), Vec::new());
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            None => query.to_string(),
            Some(c) => format!("{query}&cursor={c}"),
        };
        let page = get(app, who, &q).await;
        assert_eq!(page.status, 200, "{q}: {}", page.text);
        totals.push(page.body["total"].as_i64().expect("total on every page"));
        for item in page.body["items"].as_array().expect("items") {
            found.push((
                item["id"].as_i64().expect("id"),
                item["distance_km"].as_f64(),
            ));
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return (found, totals),
        }
    }
}

async fn ids(app: &TestApp, who: &Actor, query: &str) -> Vec<i64> {
    let mut ids: Vec<i64> = all_pages(app, who, query)
        .await
        .0
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    ids.sort();
    ids
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort();
    v
}

async fn repeated_filters_mean_any_of(app: TestApp) {
    let agency = app.agency_admin().await;
    let p = app.producer(&agency, AMIENS.0).await;
    let primary = resource(
        &app,
        &p,
        json!({"kind": "trunk", "audiences": ["primary"], "themes": ["astronomy"]}),
        AMIENS.0,
    )
    .await;
    let secondary = resource(
        &app,
        &p,
        json!({"kind": "kit", "audiences": ["secondary"], "themes": ["health_life"]}),
        AMIENS.0,
    )
    .await;
    let adult = resource(
        &app,
        &p,
        json!({"kind": "exhibition", "audiences": ["adult"], "themes": ["other"]}),
        AMIENS.0,
    )
    .await;

    let cases: Vec<(&str, Vec<i64>)> = vec![
        ("audience=primary", vec![primary]),
        (
            "audience=primary&audience=secondary",
            vec![primary, secondary],
        ),
        ("kind=trunk&kind=exhibition", vec![primary, adult]),
        (
            "theme=astronomy&theme=health_life&theme=other",
            vec![primary, secondary, adult],
        ),
        // Different parameters still narrow each other.
        (
            "audience=primary&audience=secondary&kind=kit",
            vec![secondary],
        ),
        ("theme=astronomy&theme=health_life&audience=adult", vec![]),
    ];
    for (query, expected) in cases {
        assert_eq!(ids(&app, &p, query).await, sorted(expected), "{query}");
    }
    // Any other parameter given twice stays a malformed request.
    for query in ["limit=1&limit=2", "q=eau&q=vent", "near=49.9,2.3&near=50,3"] {
        let res = get(&app, &p, query).await;
        assert_eq!(res.status, 400, "{query}: {}", res.text);
        assert_eq!(res.code(), "malformed_request");
    }
    let res = get(&app, &p, "audience=primary&audience=robots").await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), ["audience"]);
}

async fn age_is_mapped_to_audiences(app: TestApp) {
    let agency = app.agency_admin().await;
    let p = app.producer(&agency, AMIENS.0).await;
    let little = resource(
        &app,
        &p,
        json!({"audiences": ["early_childhood"]}),
        AMIENS.0,
    )
    .await;
    let primary = resource(&app, &p, json!({"audiences": ["primary"]}), AMIENS.0).await;
    let secondary = resource(&app, &p, json!({"audiences": ["secondary"]}), AMIENS.0).await;
    let adult = resource(&app, &p, json!({"audiences": ["adult"]}), AMIENS.0).await;
    let family = resource(&app, &p, json!({"audiences": ["family"]}), AMIENS.0).await;
    let all = resource(&app, &p, json!({"audiences": ["all"]}), AMIENS.0).await;
    let both = resource(
        &app,
        &p,
        json!({"audiences": ["primary", "secondary"]}),
        AMIENS.0,
    )
    .await;
    let cases: Vec<(&str, Vec<i64>)> = vec![
        ("age=0", vec![little, family, all]),
        ("age=5", vec![little, family, all]),
        ("age=6", vec![primary, family, all, both]),
        ("age=10", vec![primary, family, all, both]),
        ("age=11", vec![secondary, family, all, both]),
        ("age=17", vec![secondary, family, all, both]),
        ("age=18", vec![adult, family, all]),
        ("age=120", vec![adult, family, all]),
        // With `audience`, both must hold.
        ("age=8&audience=secondary", vec![both]),
        ("age=8&audience=family&audience=adult", vec![family]),
    ];
    for (query, expected) in cases {
        assert_eq!(ids(&app, &p, query).await, sorted(expected), "{query}");
    }
    for query in ["age=-1", "age=121"] {
        let res = get(&app, &p, query).await;
        assert_eq!(res.status, 422, "{query}: {}", res.text);
        assert_eq!(res.fields(), ["age"]);
    }
    assert_eq!(get(&app, &p, "age=dix").await.status, 400);
}

async fn words_match_whole_words_without_accents_or_case(app: TestApp) {
    let agency = app.agency_admin().await;
    let p = app.producer(&agency, AMIENS.0).await;
    let water = resource(&app, &p, json!({"title": "L'eau, source de vie"}), AMIENS.0).await;
    let waters = resource(
        &app,
        &p,
        json!({"title": "Les EAUX souterraines"}),
        AMIENS.0,
    )
    .await;
    let beauvaisis = resource(
        &app,
        &p,
        json!({"title": "Le Beauvaisis industriel"}),
        AMIENS.0,
    )
    .await;
    let panels = resource(&app, &p, json!({"title": "Panneaux solaires"}), AMIENS.0).await;
    let energy = resource(
        &app,
        &p,
        json!({"title": "Kit", "description": "Énergie du vent"}),
        AMIENS.0,
    )
    .await;
    let energies = resource(&app, &p, json!({"title": "Les énergies"}), AMIENS.0).await;
    let cases: Vec<(&str, Vec<i64>)> = vec![
        ("q=eau", vec![water, waters]),
        ("q=EAU", vec![water, waters]),
        ("q=l%27eau", vec![water]),
        ("q=eaux", vec![water, waters]),
        ("q=energie", vec![energy, energies]),
        ("q=%C3%A9nergies", vec![energy, energies]),
        ("q=beauvaisis", vec![beauvaisis]),
        ("q=beau", vec![]),
        ("q=panneau", vec![panels]),
        ("q=anneaux", vec![]),
        ("q=vent%20energie", vec![energy]),
        ("q=vie%20eau", vec![water]),
        // LIKE's wildcards are plain characters.
        ("q=e%25u", vec![]),
        ("q=ea_", vec![]),
    ];
    for (query, expected) in cases {
        assert_eq!(ids(&app, &p, query).await, sorted(expected), "{query}");
    }
}

async fn every_page_carries_the_total(app: TestApp) {
    let agency = app.agency_admin().await;
    let p = app.producer(&agency, AMIENS.0).await;
    let mut made = Vec::new();
    for (i, commune) in [AMIENS.0, AMIENS.0, ARRAS.0, LILLE.0, DUNKERQUE.0]
        .iter()
        .enumerate()
    {
        let kind = if i % 2 == 0 { "trunk" } else { "kit" };
        made.push(resource(&app, &p, json!({"kind": kind}), commune).await);
    }
    // Resources without a copy are listed, not found near anything.
    resource_without_copy(&app, &p).await;
    let from = crate::builders::day(60);
    let to = crate::builders::day(62);
    // One resource taken over the dates.
    crate::builders::BookingBuilder::new(made[0], &app.venue(&agency, AMIENS.0).await, from, to)
        .build(&app, &p)
        .await;
    let cases: Vec<(String, i64)> = vec![
        ("limit=2".into(), 6),
        ("limit=1&kind=trunk".into(), 4),
        ("limit=2&kind=kit".into(), 2),
        ("limit=2&q=absent".into(), 0),
        ("limit=2&near=49.9,2.3&radius_km=60".into(), 3),
        ("limit=1&near=49.9,2.3&radius_km=1000".into(), 5),
        (
            format!("limit=2&available_from={from}&available_to={to}"),
            4,
        ),
        (
            format!("limit=2&available_from={from}&available_to={to}&kind=trunk"),
            2,
        ),
        (
            format!("limit=1&near=49.9,2.3&radius_km=60&available_from={from}&available_to={to}"),
            2,
        ),
    ];
    for (query, total) in cases {
        let (found, totals) = all_pages(&app, &p, &query).await;
        assert_eq!(found.len() as i64, total, "{query}");
        assert!(totals.iter().all(|&t| t == total), "{query}: {totals:?}");
    }
}

async fn resource_without_copy(app: &TestApp, who: &Actor) -> i64 {
    ResourceBuilder::from_body(json!({"kind": "trunk", "title": "Sans exemplaire", "themes": ["other"], "audiences": ["all"]}))
        .build(app, who)
        .await
        .id
}

async fn near_a_commune_or_a_venue_is_near_its_coordinates(app: TestApp) {
    let agency = app.agency_admin().await;
    let p = app.producer(&agency, AMIENS.0).await;
    for commune in [AMIENS.0, ARRAS.0, LILLE.0, DUNKERQUE.0] {
        resource(&app, &p, json!({}), commune).await;
    }
    let venue = app.venue(&agency, ARRAS.0).await;
    let by_point = all_pages(
        &app,
        &venue,
        &format!("near={},{}&radius_km=80", ARRAS.1, ARRAS.2),
    )
    .await;
    assert_eq!(by_point.0.len(), 3, "Arras, Lille, Amiens");
    assert_eq!(
        by_point.0,
        all_pages(
            &app,
            &venue,
            &format!("near_commune={}&radius_km=80", ARRAS.0)
        )
        .await
        .0
    );
    assert_eq!(
        by_point.0,
        all_pages(
            &app,
            &venue,
            &format!("near_venue={}&radius_km=80", venue.org_id)
        )
        .await
        .0
    );
    // The default radius applies too.
    assert_eq!(
        all_pages(&app, &venue, &format!("near={},{}", ARRAS.1, ARRAS.2))
            .await
            .0,
        all_pages(&app, &venue, &format!("near_venue={}", venue.org_id))
            .await
            .0
    );
    let cases: Vec<(String, Vec<&str>)> = vec![
        ("near_commune=99999".into(), vec!["near_commune"]),
        ("near_venue=999999".into(), vec!["near_venue"]),
        (
            format!("near=49.9,2.3&near_commune={}", ARRAS.0),
            vec!["near", "near_commune"],
        ),
        (
            format!("near_commune={}&near_venue={}", ARRAS.0, venue.org_id),
            vec!["near_commune", "near_venue"],
        ),
        (
            format!("near_venue={}&radius_km=0", venue.org_id),
            vec!["radius_km"],
        ),
    ];
    for (query, fields) in cases {
        let res = get(&app, &venue, &query).await;
        assert_eq!(res.status, 422, "{query}: {}", res.text);
        let mut got = res.fields();
        got.sort();
        assert_eq!(got, fields, "{query}");
    }
    // The service the portal calls with the user's venue, no coordinates.
    let venue_id = venue.org_id;
    let page = app
        .state
        .run(move |conn| {
            itinerance::catalogue::service::search_resources(
                conn,
                &itinerance::catalogue::search::SearchFilter::near_venue(venue_id, Some(80.0)),
            )
        })
        .await
        .expect("portal search");
    assert_eq!(page.total, 3);
    let portal: Vec<(i64, Option<f64>)> =
        page.items.iter().map(|r| (r.id, r.distance_km)).collect();
    assert_eq!(portal, by_point.0);
}

async fn nothing_within_the_radius_names_the_nearest_beyond(app: TestApp) {
    let agency = app.agency_admin().await;
    let p = app.producer(&agency, AMIENS.0).await;
    let water = resource(
        &app,
        &p,
        json!({"title": "Malle de l'eau", "audiences": ["primary"]}),
        DUNKERQUE.0,
    )
    .await;
    let farther = resource(
        &app,
        &p,
        json!({"title": "L'eau encore", "audiences": ["primary"]}),
        LILLE.0,
    )
    .await;
    resource(
        &app,
        &p,
        json!({"title": "Autre chose", "audiences": ["primary"]}),
        AMIENS.0,
    )
    .await;
    // Near Amiens, Lille (97.7 km) is nearer than Dunkerque (126 km).
    let page = get(&app, &p, "near_commune=80021&q=eau&age=9").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.body["items"], json!([]));
    assert_eq!(page.body["total"], 0);
    let beyond = &page.body["nearest_beyond"];
    assert_eq!(beyond["id"], farther, "{}", page.text);
    let expected = haversine_km(AMIENS.1, AMIENS.2, LILLE.1, LILLE.2);
    let got = beyond["distance_km"].as_f64().expect("distance");
    assert!((got - expected).abs() <= 5e-4, "{got} vs {expected}");
    // Found within a larger radius: no `nearest_beyond`.
    let page = get(&app, &p, "near_commune=80021&q=eau&radius_km=150").await;
    assert_eq!(page.body["total"], 2);
    assert!(page.body.get("nearest_beyond").is_none(), "{}", page.text);
    // Nothing matches anywhere: none either.
    let page = get(&app, &p, "near_commune=80021&q=eau&age=30").await;
    assert_eq!(page.body["total"], 0);
    assert!(page.body.get("nearest_beyond").is_none(), "{}", page.text);
    // Without proximity there is no such thing.
    let page = get(&app, &p, "q=introuvable").await;
    assert!(page.body.get("nearest_beyond").is_none(), "{}", page.text);
    let _ = water;
}

/// A small deterministic generator (the test must not depend on a crate's sequence).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The proximity search against a brute-force scan of every copy, on random points and radii:
/// the same resources, in the same order, at the same distances, page after page.
async fn near_agrees_with_a_brute_force_scan(app: TestApp) {
    let agency = app.agency_admin().await;
    let p = app.producer(&agency, AMIENS.0).await;
    let mut communes: Vec<(String, f64, f64)> = Vec::new();
    for department in ["02", "59", "60", "62", "80"] {
        let res = app
            .get(
                &format!("/api/v1/communes?department={department}&limit=200"),
                None,
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        for c in res.body.as_array().expect("communes") {
            communes.push((
                c["insee_code"].as_str().expect("insee").to_string(),
                c["latitude"].as_f64().expect("lat"),
                c["longitude"].as_f64().expect("lon"),
            ));
        }
    }
    let mut rng = Lcg(28);
    // (resource id, latitude, longitude) of every copy in service.
    let mut in_service: Vec<(i64, f64, f64)> = Vec::new();
    for i in 0..40 {
        let id = ResourceBuilder::trunk(&format!("Aléatoire {i}"))
            .build(&app, &p)
            .await
            .id;
        let copies = 1 + (rng.next() * 3.0) as usize;
        for _ in 0..copies {
            let c = &communes[(rng.next() * communes.len() as f64) as usize];
            let copy = CopyBuilder::default()
                .tag(&crate::builders::unique_tag("RND"))
                .at(&c.0)
                .build(&app, &p, id)
                .await;
            if rng.next() < 0.15 {
                let res = app
                    .patch(
                        &format!("/api/v1/copies/{}", copy["id"]),
                        Some(&p.token),
                        json!({"status": "retired", "retirement_reason": "test"}),
                    )
                    .await;
                assert_eq!(res.status, 200, "{}", res.text);
            } else {
                in_service.push((id, c.1, c.2));
            }
        }
    }
    for round in 0..25 {
        let lat = 49.0 + rng.next() * 2.1;
        let lon = 1.4 + rng.next() * 2.9;
        let radius = 5.0 + rng.next() * 95.0;
        let limit = 1 + (rng.next() * 7.0) as usize;
        let mut nearest: std::collections::BTreeMap<i64, f64> = Default::default();
        for &(id, clat, clon) in &in_service {
            let d = haversine_km(lat, lon, clat, clon);
            if d <= radius {
                let best = nearest.entry(id).or_insert(d);
                *best = best.min(d);
            }
        }
        let mut expected: Vec<(f64, i64)> = nearest.into_iter().map(|(id, d)| (d, id)).collect();
        expected.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let query = format!("near={lat},{lon}&radius_km={radius}&limit={limit}");
        let (found, totals) = all_pages(&app, &p, &query).await;
        assert_eq!(
            found.iter().map(|&(id, _)| id).collect::<Vec<_>>(),
            expected.iter().map(|&(_, id)| id).collect::<Vec<_>>(),
            "round {round}: {query}"
        );
        for (&(_, got), &(want, id)) in found.iter().zip(&expected) {
            let got = got.expect("distance_km");
            assert!(
                (got - want).abs() <= 5e-4,
                "round {round}, resource {id}: {got} vs {want}"
            );
        }
        assert!(
            totals.iter().all(|&t| t == expected.len() as i64),
            "round {round}: {totals:?}"
        );
    }
}

/// Issue 28: `near` answers from positions each instance keeps in memory, reloaded when the
/// database's count of position changes moved. A search on one instance sees at once a copy
/// retired, added or a resource deleted through another instance.
async fn near_sees_every_change_made_through_another_instance(app: TestApp) {
    let other = app.another_instance();
    let agency = app.agency_admin().await;
    let p = app.producer(&agency, AMIENS.0).await;
    let id = resource(&app, &p, json!({"title": "Malle qui voyage"}), AMIENS.0).await;
    let near = format!("near={},{}&radius_km=20", AMIENS.1, AMIENS.2);
    assert_eq!(
        ids(&other, &agency, &near).await,
        vec![id],
        "warm the other instance"
    );

    let copies = app
        .get(&format!("/api/v1/resources/{id}/copies"), Some(&p.token))
        .await;
    assert_eq!(copies.status, 200, "{}", copies.text);
    let copy_id = copies.body.as_array().unwrap()[0]["id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/v1/copies/{copy_id}/retire"),
            Some(&p.token),
            json!({"reason": "usée"}),
        )
        .await;
    assert!(res.status < 300, "{}", res.text);
    assert!(
        ids(&other, &agency, &near).await.is_empty(),
        "a retired copy is still offered by the other instance"
    );

    CopyBuilder::default()
        .tag("S-again")
        .at(AMIENS.0)
        .build(&app, &p, id)
        .await;
    assert_eq!(
        ids(&other, &agency, &near).await,
        vec![id],
        "a new copy is not seen"
    );

    let res = app
        .delete(&format!("/api/v1/resources/{id}"), Some(&p.token))
        .await;
    assert!(res.status < 300, "{}", res.text);
    assert!(
        ids(&other, &agency, &near).await.is_empty(),
        "a deleted resource is still offered by the other instance"
    );
    drop(other);
}

/// A random search over the demo catalogue: any filters, maybe dates (past, near or far), maybe
/// a point and radius, a small page.
fn random_filter(
    rng: &mut Lcg,
    today: chrono::NaiveDate,
) -> itinerance::catalogue::search::SearchFilter {
    use itinerance::catalogue::model::{Audience, ResourceKind, Theme};
    use itinerance::catalogue::search::{Origin, SearchFilter};
    use itinerance::territory::geo::LatLon;
    let pick = |rng: &mut Lcg, from: Vec<&str>, p: f64| -> Vec<String> {
        from.into_iter()
            .filter(|_| rng.next() < p)
            .map(|s| s.to_string())
            .collect()
    };
    let themes = Theme::ALL.iter().map(|t| t.as_str()).collect::<Vec<_>>();
    let audiences = Audience::ALL.iter().map(|a| a.as_str()).collect::<Vec<_>>();
    let kinds = ResourceKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>();
    let words = [
        "eau",
        "energie",
        "climat",
        "robot",
        "malle",
        "exposition",
        "ciel",
        "corps",
    ];
    let dates = (rng.next() < 0.7).then(|| {
        let from = today + chrono::Duration::days((rng.next() * 700.0) as i64 - 400);
        (
            from,
            from + chrono::Duration::days((rng.next() * 45.0) as i64),
        )
    });
    let origin = (rng.next() < 0.5).then(|| {
        let point = LatLon {
            lat: 49.0 + rng.next() * 2.1,
            lon: 1.4 + rng.next() * 2.9,
        };
        (Origin::Point(point), 5.0 + rng.next() * 120.0)
    });
    SearchFilter {
        kinds: pick(rng, kinds, 0.2),
        themes: pick(rng, themes, 0.15),
        audiences: pick(rng, audiences, 0.1),
        age_audiences: (rng.next() < 0.2)
            .then(|| itinerance::catalogue::search::audiences_for_age((rng.next() * 30.0) as i64)),
        producer_id: None,
        words: pick(rng, words.to_vec(), 0.08),
        origin,
        available: dates,
        limit: 1 + (rng.next() * 12.0) as i64,
        cursor: None,
    }
}

/// Every page of a search, as (ids with distances, totals, next cursors, nearest beyond).
type Pages = (
    Vec<(i64, Option<f64>)>,
    Vec<i64>,
    Vec<Option<String>>,
    Option<(i64, f64)>,
);

async fn every_page(
    app: &TestApp,
    filter: &itinerance::catalogue::search::SearchFilter,
    by_scan: bool,
) -> Pages {
    let filter = filter.clone();
    app.state
        .run(move |conn| {
            use itinerance::catalogue::search;
            let mut filter = filter;
            let mut pages: Pages = Default::default();
            loop {
                let page = if by_scan {
                    search::search_by_scan(conn, &filter)?
                } else {
                    search::search(conn, &filter)?
                };
                if let Some(extras) = &page.extras {
                    // Themes, audiences and copy counts from memory are the store's.
                    let shown: Vec<i64> = page.rows.iter().map(|(r, _)| r.id).collect();
                    let stored = itinerance::catalogue::store::load_extras(conn, &shown)?;
                    for id in &shown {
                        assert_eq!(
                            extras.themes.get(id),
                            stored.themes.get(id),
                            "themes of {id}"
                        );
                        assert_eq!(
                            extras.audiences.get(id),
                            stored.audiences.get(id),
                            "audiences of {id}"
                        );
                        assert_eq!(
                            extras.copies_in_service.get(id).copied().unwrap_or(0),
                            stored.copies_in_service.get(id).copied().unwrap_or(0),
                            "copies of {id}"
                        );
                    }
                }
                pages.0.extend(page.rows.iter().map(|(r, d)| (r.id, *d)));
                pages.1.push(page.total);
                pages.2.push(page.next.map(|c| c.encode()));
                if pages.3.is_none() {
                    pages.3 = page.nearest_beyond.map(|(r, d)| (r.id, d));
                }
                match page.next {
                    Some(next) if pages.2.len() < 200 => filter.cursor = Some(next),
                    _ => return Ok(pages),
                }
            }
        })
        .await
        .expect("search")
}

/// Issue 28: search answers from memory (the catalogue's facts, positions and every copy's
/// occupations, brought up to date from the database's log of changes) exactly what a scan of
/// the database answers: on the demo network (three years of loans, copies in maintenance),
/// random filters, dates and points, page after page; and still after occupations, copies and
/// repairs change underneath, written straight to the database as any writer would.
async fn search_from_memory_agrees_with_a_scan_of_the_database(app: TestApp) {
    let now = chrono::Utc::now().naive_utc();
    app.state
        .run(move |conn| itinerance::demo::load(conn, now))
        .await
        .expect("demo");
    let today = now.date();
    let mut rng = Lcg(2806);
    // The demo's loans are behind it: occupy its copies over the two years around today, a few
    // periods each (apart, as the booking rules keep them).
    let copy_ids: Vec<i64> = app
        .state
        .run(|conn| {
            use diesel::prelude::*;
            use itinerance::schema::copies;
            Ok(copies::table.select(copies::id).load(conn)?)
        })
        .await
        .unwrap();
    let mut periods = Vec::new();
    for copy in copy_ids {
        let mut start = today - chrono::Duration::days(400 - (rng.next() * 60.0) as i64);
        while start < today + chrono::Duration::days(300) {
            let end = start + chrono::Duration::days(2 + (rng.next() * 40.0) as i64);
            if rng.next() < 0.6 {
                periods.push((copy, start, end));
            }
            start = end + chrono::Duration::days(1 + (rng.next() * 50.0) as i64);
        }
    }
    app.state
        .run(move |conn| {
            use diesel::prelude::*;
            use itinerance::schema::occupations;
            for (copy, from, to) in periods {
                diesel::insert_into(occupations::table)
                    .values((
                        occupations::copy_id.eq(copy),
                        occupations::starts_on.eq(from),
                        occupations::ends_on.eq(to),
                        occupations::reason.eq("maintenance"),
                        occupations::active.eq(true),
                        occupations::created_at.eq(now),
                    ))
                    .execute(conn)?;
            }
            Ok(())
        })
        .await
        .expect("occupy the copies");
    let mut dated_found = 0;
    for round in 0..160 {
        let filter = random_filter(&mut rng, today);
        let memory = every_page(&app, &filter, false).await;
        let scan = every_page(&app, &filter, true).await;
        assert_eq!(memory, scan, "round {round}: {filter:?}");
        if filter.available.is_some() && !memory.0.is_empty() {
            dated_found += 1;
        }
        if round % 20 == 19 {
            let seed = (rng.next() * 1e9) as i64;
            app.state
                .run(move |conn| {
                    use diesel::prelude::*;
                    use itinerance::schema::{copies, maintenance_records, occupations};
                    let active: Vec<i64> = occupations::table
                        .filter(occupations::active.eq(true))
                        .select(occupations::id)
                        .order(occupations::id.asc())
                        .load(conn)?;
                    let some = |k: i64| active[((seed * (k + 1)) as usize) % active.len()];
                    diesel::update(occupations::table.find(some(1)))
                        .set(occupations::active.eq(false))
                        .execute(conn)?;
                    diesel::update(occupations::table.find(some(2)))
                        .set(occupations::ends_on.eq(occupations::starts_on))
                        .execute(conn)?;
                    diesel::delete(occupations::table.find(some(3))).execute(conn)?;
                    let copy_ids: Vec<i64> = copies::table
                        .select(copies::id)
                        .order(copies::id.asc())
                        .load(conn)?;
                    let copy = |k: i64| copy_ids[((seed * (k + 7)) as usize) % copy_ids.len()];
                    diesel::update(copies::table.find(copy(1)))
                        .set(copies::status.eq("maintenance"))
                        .execute(conn)?;
                    // An open-ended repair: the copy cannot be lent whatever its status says.
                    diesel::insert_into(maintenance_records::table)
                        .values((
                            maintenance_records::copy_id.eq(copy(3)),
                            maintenance_records::kind.eq("repair"),
                            maintenance_records::starts_on.eq(today),
                            maintenance_records::cost_cents.eq(0),
                            maintenance_records::notes.eq(""),
                            maintenance_records::automatic.eq(false),
                            maintenance_records::created_at.eq(now),
                        ))
                        .execute(conn)?;
                    diesel::insert_into(occupations::table)
                        .values((
                            occupations::copy_id.eq(copy(2)),
                            occupations::starts_on.eq(today),
                            occupations::ends_on.eq(today + chrono::Duration::days(90)),
                            occupations::reason.eq("maintenance"),
                            occupations::active.eq(true),
                            occupations::created_at.eq(now),
                        ))
                        .execute(conn)
                        .or_else(|_| Ok::<usize, diesel::result::Error>(0))?;
                    Ok(())
                })
                .await
                .expect("change the occupancy");
        }
    }
    assert!(
        dated_found >= 30,
        "only {dated_found} dated searches found something"
    );
}

/// Issue 28: a dated search on one instance sees at once a booking, its cancellation and a
/// maintenance made through another instance (the occupancy each instance keeps is brought up to
/// date from the database's log of changes before every dated search).
async fn dated_search_sees_every_change_made_through_another_instance(app: TestApp) {
    use crate::builders::{day, BookingBuilder, Network};
    let net = Network::new(&app).await;
    let trunk = ResourceBuilder::trunk("Malle du fleuve")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let other = app.another_instance();
    let (from, to) = (day(40), day(46));
    let dated = format!("available_from={from}&available_to={to}&limit=100");
    let listed = |found: Vec<i64>| found.contains(&trunk.id);
    assert!(
        listed(ids(&other, &net.agency, &dated).await),
        "the trunk is free: warm the other instance"
    );
    let booking = BookingBuilder::new(trunk.id, &net.venue, from, to)
        .status("approved")
        .build(&app, &net.producer)
        .await;
    assert!(
        !listed(ids(&other, &net.agency, &dated).await),
        "its only copy was booked through the first instance, yet it is still offered as free"
    );
    app.act_ok(
        &net.venue,
        crate::builders::id_of(&booking),
        "cancel",
        "cancelled",
    )
    .await;
    assert!(
        listed(ids(&other, &net.agency, &dated).await),
        "the booking was cancelled, yet the copy is still taken"
    );
    let res = app
        .post(
            &format!("/api/v1/copies/{}/maintenance", trunk.copies[0]),
            Some(&net.producer.token),
            json!({"kind": "cleaning", "starts_on": day(38), "ends_on": day(41)}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert!(
        !listed(ids(&other, &net.agency, &dated).await),
        "a copy under maintenance over the dates is offered as free"
    );
    drop(other);
}

on_both_backends!(
    search_from_memory_agrees_with_a_scan_of_the_database,
    dated_search_sees_every_change_made_through_another_instance,
    near_sees_every_change_made_through_another_instance,
    repeated_filters_mean_any_of,
    age_is_mapped_to_audiences,
    words_match_whole_words_without_accents_or_case,
    every_page_carries_the_total,
    near_a_commune_or_a_venue_is_near_its_coordinates,
    nothing_within_the_radius_names_the_nearest_beyond,
    near_agrees_with_a_brute_force_scan,
);

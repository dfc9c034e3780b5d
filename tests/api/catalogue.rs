//! The shared catalogue: resources, their physical copies and components, and the search
//! (filters, cursor pagination, proximity).

use serde_json::{json, Value};

use crate::builders::{CopyBuilder, ResourceBuilder};
use crate::common::{Actor, Resp, TestApp};
use crate::on_both_backends;

/// Radius of the sphere the API measures on (API.md), in km.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Communes as listed in data/hauts-de-france-communes.csv: (INSEE code, latitude, longitude).
const AMIENS: (&str, f64, f64) = ("80021", 49.9, 2.3);
const ABBEVILLE: (&str, f64, f64) = ("80001", 50.10521, 1.83547);
const BEAUVAIS: (&str, f64, f64) = ("60057", 49.43333, 2.08333);
const ARRAS: (&str, f64, f64) = ("62041", 50.29301, 2.78186);
const SAINT_QUENTIN: (&str, f64, f64) = ("02691", 49.84889, 3.28757);
const LILLE: (&str, f64, f64) = ("59350", 50.63391, 3.05512);
const VALENCIENNES: (&str, f64, f64) = ("59606", 50.35909, 3.52506);
const DUNKERQUE: (&str, f64, f64) = ("59183", 51.0344, 2.37681);

/// Great-circle distance in km between two communes, computed here independently of the service.
fn haversine_km(a: (&str, f64, f64), b: (&str, f64, f64)) -> f64 {
    let (lat1, lon1) = (a.1.to_radians(), a.2.to_radians());
    let (lat2, lon2) = (b.1.to_radians(), b.2.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().asin()
}

/// A valid resource body, with some fields replaced.
fn resource_body(overrides: Value) -> Value {
    let mut body = json!({
        "kind": "trunk",
        "title": "Malle pédagogique",
        "description": "Une malle pour la classe",
        "themes": ["other"],
        "audiences": ["all"],
    });
    for (key, value) in overrides.as_object().expect("overrides are an object") {
        body[key] = value.clone();
    }
    body
}

/// Publishes a resource (the builder asserts 201 and the fields echoed) and returns its id.
async fn create_resource(app: &TestApp, who: &Actor, overrides: Value) -> i64 {
    ResourceBuilder::from_body(resource_body(overrides))
        .build(app, who)
        .await
        .id
}

/// Adds a copy homed in `commune` (the producer's commune when `None`); returns the copy.
async fn add_copy(
    app: &TestApp,
    who: &Actor,
    resource_id: i64,
    tag: &str,
    commune: Option<&str>,
) -> Value {
    let mut copy = CopyBuilder::default().tag(tag);
    if let Some(insee) = commune {
        copy = copy.at(insee);
    }
    copy.build(app, who, resource_id).await
}

/// A resource with one copy homed in `commune`; returns the resource id.
async fn resource_at(app: &TestApp, who: &Actor, title: &str, commune: &str) -> i64 {
    let id = create_resource(app, who, json!({"title": title})).await;
    add_copy(app, who, id, &format!("TAG-{id}"), Some(commune)).await;
    id
}

async fn retire_copy(app: &TestApp, who: &Actor, copy_id: i64) {
    let res = app
        .patch(
            &format!("/api/v1/copies/{copy_id}"),
            Some(&who.token),
            json!({"status": "retired", "retirement_reason": "water damage"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "retired");
}

/// `GET /api/v1/resources?{query}` (plus a cursor), asserting 200.
async fn search_page(app: &TestApp, who: &Actor, query: &str, cursor: Option<&str>) -> Resp {
    let mut params: Vec<String> = Vec::new();
    if !query.is_empty() {
        params.push(query.to_string());
    }
    if let Some(c) = cursor {
        params.push(format!("cursor={c}"));
    }
    let res = app
        .get(
            &format!("/api/v1/resources?{}", params.join("&")),
            Some(&who.token),
        )
        .await;
    assert_eq!(res.status, 200, "{query}: {}", res.text);
    res
}

fn items(page: &Resp) -> Vec<Value> {
    page.body["items"].as_array().expect("items").clone()
}

fn ids_of(items: &[Value]) -> Vec<i64> {
    items
        .iter()
        .map(|r| r["id"].as_i64().expect("id"))
        .collect()
}

fn next_cursor(page: &Resp) -> Option<String> {
    page.body["next_cursor"].as_str().map(String::from)
}

/// Every item of a search, following `next_cursor` to the last page.
async fn search_all(app: &TestApp, who: &Actor, query: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = search_page(app, who, query, cursor.as_deref()).await;
        all.extend(items(&page));
        match next_cursor(&page) {
            Some(c) => cursor = Some(c),
            None => return all,
        }
    }
}

/// Ids of every resource a search finds.
async fn search_ids(app: &TestApp, who: &Actor, query: &str) -> Vec<i64> {
    ids_of(&search_all(app, who, query).await)
}

/// The sorted field names of a 422 answer.
fn invalid_fields(res: &Resp) -> Vec<String> {
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.code(), "validation_failed");
    let mut fields = res.fields();
    fields.sort();
    fields
}

async fn only_owners_and_the_agency_write_the_catalogue(app: TestApp) {
    let agency = app.agency_admin().await;
    let producer_a = app.producer(&agency, AMIENS.0).await;
    let producer_b = app.producer(&agency, LILLE.0).await;
    let venue = app.venue(&agency, ABBEVILLE.0).await;

    // Anonymous callers read nothing and write nothing.
    let resource_b = create_resource(&app, &producer_b, json!({"title": "Expo de B"})).await;
    let path_b = format!("/api/v1/resources/{resource_b}");
    for res in [
        app.get("/api/v1/resources", None).await,
        app.get(&path_b, None).await,
        app.get(&format!("{path_b}/copies"), None).await,
        app.post("/api/v1/resources", None, resource_body(json!({})))
            .await,
        app.delete(&path_b, None).await,
    ] {
        assert_eq!(res.status, 401, "{}", res.text);
        assert_eq!(res.code(), "unauthenticated");
    }

    // A venue reads the catalogue but cannot publish, not even in a producer's name.
    assert_eq!(app.get(&path_b, Some(&venue.token)).await.status, 200);
    for body in [
        resource_body(json!({})),
        resource_body(json!({"producer_id": producer_b.org_id})),
    ] {
        let res = app
            .post("/api/v1/resources", Some(&venue.token), body)
            .await;
        assert_eq!(res.status, 403, "{}", res.text);
        assert_eq!(res.code(), "forbidden");
    }

    // A producer publishes in its own catalogue (named or implied), never in another's.
    let own = app
        .post(
            "/api/v1/resources",
            Some(&producer_a.token),
            resource_body(json!({"producer_id": producer_a.org_id})),
        )
        .await;
    assert_eq!(own.status, 201, "{}", own.text);
    assert_eq!(own.body["producer_id"], producer_a.org_id);
    let other = app
        .post(
            "/api/v1/resources",
            Some(&producer_a.token),
            resource_body(json!({"producer_id": producer_b.org_id})),
        )
        .await;
    assert_eq!(other.status, 403, "{}", other.text);
    assert_eq!(other.code(), "forbidden");

    // Producer A cannot touch B's resource; B's resource stays exactly as it was.
    let copy_b = add_copy(&app, &producer_b, resource_b, "B-001", None).await;
    let copy_b_path = format!("/api/v1/copies/{}", copy_b["id"]);
    let before = app.get(&path_b, Some(&producer_b.token)).await;
    let attempts = [
        app.patch(&path_b, Some(&producer_a.token), json!({"title": "Volée"}))
            .await,
        app.delete(&path_b, Some(&producer_a.token)).await,
        app.post(
            &format!("{path_b}/copies"),
            Some(&producer_a.token),
            json!({"asset_tag": "A-001"}),
        )
        .await,
        app.post(
            &format!("{path_b}/components"),
            Some(&producer_a.token),
            json!({"name": "Panneau", "quantity": 1}),
        )
        .await,
        app.patch(
            &copy_b_path,
            Some(&producer_a.token),
            json!({"status": "maintenance"}),
        )
        .await,
    ];
    for res in attempts {
        assert_eq!(res.status, 403, "{}", res.text);
        assert_eq!(res.code(), "forbidden");
    }
    let after = app.get(&path_b, Some(&producer_b.token)).await;
    assert_eq!(after.status, 200);
    assert_eq!(
        after.body, before.body,
        "a refused change leaves B's resource"
    );
    let copies = app
        .get(&format!("{path_b}/copies"), Some(&producer_b.token))
        .await;
    assert_eq!(
        ids_of(copies.body.as_array().unwrap()),
        vec![copy_b["id"].as_i64().unwrap()]
    );
    assert_eq!(copies.body[0]["status"], "available");
    let components = app
        .get(&format!("{path_b}/components"), Some(&producer_b.token))
        .await;
    assert_eq!(components.body, json!([]));

    // The agency must name the producer, which must be a producer.
    let unnamed = app
        .post(
            "/api/v1/resources",
            Some(&agency.token),
            resource_body(json!({})),
        )
        .await;
    assert_eq!(invalid_fields(&unnamed), vec!["producer_id"]);
    let not_a_producer = app
        .post(
            "/api/v1/resources",
            Some(&agency.token),
            resource_body(json!({"producer_id": venue.org_id})),
        )
        .await;
    assert_eq!(invalid_fields(&not_a_producer), vec!["producer_id"]);

    // The agency does all of it for any producer.
    let by_agency = app
        .post(
            "/api/v1/resources",
            Some(&agency.token),
            resource_body(json!({"producer_id": producer_a.org_id})),
        )
        .await;
    assert_eq!(by_agency.status, 201, "{}", by_agency.text);
    assert_eq!(by_agency.body["producer_id"], producer_a.org_id);
    let patched = app
        .patch(&path_b, Some(&agency.token), json!({"title": "Revue"}))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.body["title"], "Revue");
    let copy = add_copy(&app, &agency, resource_b, "AGENCE-1", None).await;
    assert_eq!(copy["producer_id"], producer_b.org_id);
    let component = app
        .post(
            &format!("{path_b}/components"),
            Some(&agency.token),
            json!({"name": "Panneau", "quantity": 4}),
        )
        .await;
    assert_eq!(component.status, 201, "{}", component.text);
    let maintained = app
        .patch(
            &copy_b_path,
            Some(&agency.token),
            json!({"status": "maintenance"}),
        )
        .await;
    assert_eq!(maintained.status, 200, "{}", maintained.text);
    assert_eq!(maintained.body["status"], "maintenance");
    assert_eq!(app.delete(&path_b, Some(&agency.token)).await.status, 204);
    assert_eq!(app.get(&path_b, Some(&agency.token)).await.status, 404);
}

async fn invalid_resources_are_refused_field_by_field(app: TestApp) {
    let agency = app.agency_admin().await;
    let producer = app.producer(&agency, AMIENS.0).await;
    create_resource(&app, &producer, json!({})).await;
    let count_before = search_ids(&app, &producer, "limit=100").await.len();

    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({"title": ""}), vec!["title"]),
        (json!({"title": "   "}), vec!["title"]),
        (json!({"title": "x".repeat(201)}), vec!["title"]),
        (json!({"kind": "castle"}), vec!["kind"]),
        (json!({"themes": []}), vec!["themes"]),
        (
            json!({"themes": ["astronomy", "cooking"]}),
            vec!["themes[1]"],
        ),
        (
            json!({"themes": ["cooking", "astronomy", "knitting"]}),
            vec!["themes[0]", "themes[2]"],
        ),
        (
            json!({"audiences": ["primary", "robots"]}),
            vec!["audiences[1]"],
        ),
        (json!({"weight_kg": -0.5}), vec!["weight_kg"]),
        (json!({"floor_area_m2": -1.0}), vec!["floor_area_m2"]),
        (json!({"volume_m3": -1.0}), vec!["volume_m3"]),
        (json!({"crates": -1}), vec!["crates"]),
        (
            json!({"production_cost_cents": -100}),
            vec!["production_cost_cents"],
        ),
        (json!({"setup_days": 31}), vec!["setup_days"]),
        (json!({"setup_days": -1}), vec!["setup_days"]),
        (json!({"turnaround_days": 61}), vec!["turnaround_days"]),
        (json!({"turnaround_days": -1}), vec!["turnaround_days"]),
        (
            json!({"title": "", "kind": "castle", "weight_kg": -1, "themes": ["astronomy", "x"]}),
            vec!["kind", "themes[1]", "title", "weight_kg"],
        ),
    ];
    for (overrides, expected) in cases {
        let res = app
            .post(
                "/api/v1/resources",
                Some(&producer.token),
                resource_body(overrides.clone()),
            )
            .await;
        assert_eq!(invalid_fields(&res), expected, "{overrides}");
    }
    assert_eq!(
        search_ids(&app, &producer, "limit=100").await.len(),
        count_before,
        "refused resources are not created"
    );

    // The limits themselves are accepted.
    let edge = app
        .post(
            "/api/v1/resources",
            Some(&producer.token),
            resource_body(
                json!({"setup_days": 30, "turnaround_days": 60, "weight_kg": 0.0, "crates": 0}),
            ),
        )
        .await;
    assert_eq!(edge.status, 201, "{}", edge.text);
    assert_eq!(edge.body["setup_days"], 30);
    assert_eq!(edge.body["turnaround_days"], 60);

    // A patch is checked the same way and changes nothing when refused.
    let id = edge.body["id"].as_i64().unwrap();
    let path = format!("/api/v1/resources/{id}");
    let bad_patch = app
        .patch(
            &path,
            Some(&producer.token),
            json!({"title": "Nouveau", "setup_days": 31, "themes": ["astronomy", "cooking"]}),
        )
        .await;
    assert_eq!(invalid_fields(&bad_patch), vec!["setup_days", "themes[1]"]);
    let unchanged = app.get(&path, Some(&producer.token)).await;
    assert_eq!(unchanged.body, edge.body);
}

async fn search_parameters_are_checked(app: TestApp) {
    let agency = app.agency_admin().await;
    let producer = app.producer(&agency, AMIENS.0).await;
    let t = Some(producer.token.as_str());
    let unknown = app.get("/api/v1/resources?colour=blue", t).await;
    assert_eq!(unknown.status, 400, "{}", unknown.text);
    assert_eq!(unknown.code(), "malformed_request");

    let plain_cursor = {
        for i in 0..3 {
            resource_at(&app, &producer, &format!("R{i}"), AMIENS.0).await;
        }
        next_cursor(&search_page(&app, &producer, "limit=1", None).await).expect("a next page")
    };
    let near_cursor =
        next_cursor(&search_page(&app, &producer, "near=49.9,2.3&limit=1", None).await)
            .expect("a next page");

    let cases: Vec<(String, Vec<&str>)> = vec![
        ("kind=castle".into(), vec!["kind"]),
        ("theme=cooking".into(), vec!["theme"]),
        ("audience=robots".into(), vec!["audience"]),
        ("limit=0".into(), vec!["limit"]),
        ("limit=101".into(), vec!["limit"]),
        ("near=abc".into(), vec!["near"]),
        ("near=91,2.3".into(), vec!["near"]),
        ("radius_km=10".into(), vec!["radius_km"]),
        ("near=49.9,2.3&radius_km=0".into(), vec!["radius_km"]),
        ("near=49.9,2.3&radius_km=1001".into(), vec!["radius_km"]),
        (
            "available_from=2026-05-10&available_to=2026-05-01".into(),
            vec!["available_to"],
        ),
        ("available_from=2026-05-10".into(), vec!["available_to"]),
        ("available_to=2026-05-10".into(), vec!["available_from"]),
        ("cursor=garbage".into(), vec!["cursor"]),
        (format!("cursor={near_cursor}"), vec!["cursor"]),
        (
            format!("near=49.9,2.3&cursor={plain_cursor}"),
            vec!["cursor"],
        ),
        (
            "kind=castle&limit=0&radius_km=5".into(),
            vec!["kind", "limit", "radius_km"],
        ),
    ];
    for (query, expected) in cases {
        let res = app.get(&format!("/api/v1/resources?{query}"), t).await;
        assert_eq!(invalid_fields(&res), expected, "{query}");
    }

    // A valid period is accepted and does not narrow the results yet.
    let all = search_ids(&app, &producer, "").await;
    assert_eq!(all.len(), 3);
    assert_eq!(
        search_ids(
            &app,
            &producer,
            "available_from=2026-05-01&available_to=2026-05-10"
        )
        .await,
        all
    );
}

async fn filters_work_alone_and_combined(app: TestApp) {
    let agency = app.agency_admin().await;
    let a = app.producer(&agency, AMIENS.0).await;
    let b = app.producer(&agency, LILLE.0).await;
    let energies = create_resource(
        &app,
        &a,
        json!({"kind": "exhibition", "title": "Les Énergies",
               "description": "Du vent et de l'énergie solaire",
               "themes": ["science_society", "technology_digital"], "audiences": ["secondary", "adult"]}),
    )
    .await;
    let stars = create_resource(
        &app,
        &a,
        json!({"kind": "trunk", "title": "Malle des étoiles",
               "description": "Observer le ciel nocturne",
               "themes": ["astronomy"], "audiences": ["primary"]}),
    )
    .await;
    let solar_kit = create_resource(
        &app,
        &b,
        json!({"kind": "kit", "title": "Kit énergie solaire",
               "description": "Panneaux et moteurs",
               "themes": ["technology_digital"], "audiences": ["primary", "secondary"]}),
    )
    .await;
    let planets = create_resource(
        &app,
        &b,
        json!({"kind": "exhibition", "title": "Planètes",
               "description": "Le système solaire en grand format",
               "themes": ["astronomy"], "audiences": ["family"]}),
    )
    .await;
    let mill = create_resource(
        &app,
        &b,
        json!({"kind": "model", "title": "Maquette de moulin",
               "description": "ÉNERGIE du VENT et meunerie",
               "themes": ["industrial_heritage"], "audiences": ["all"]}),
    )
    .await;

    let got = app
        .get(&format!("/api/v1/resources/{energies}"), Some(&b.token))
        .await;
    assert_eq!(got.body["title"], "Les Énergies");
    assert_eq!(got.body["kind"], "exhibition");
    assert_eq!(got.body["producer_id"], a.org_id);
    assert_eq!(
        got.body["themes"],
        json!(["science_society", "technology_digital"])
    );
    assert_eq!(got.body["audiences"], json!(["adult", "secondary"]));
    assert_eq!(got.body["copies_in_service"], 0);
    assert!(got.body.get("distance_km").is_none());

    let cases: Vec<(String, Vec<i64>)> = vec![
        (
            String::new(),
            vec![energies, stars, solar_kit, planets, mill],
        ),
        // Each filter alone.
        ("kind=exhibition".into(), vec![energies, planets]),
        ("kind=model".into(), vec![mill]),
        ("theme=astronomy".into(), vec![stars, planets]),
        ("theme=technology_digital".into(), vec![energies, solar_kit]),
        ("theme=health_life".into(), vec![]),
        ("audience=primary".into(), vec![stars, solar_kit]),
        ("audience=secondary".into(), vec![energies, solar_kit]),
        (format!("producer_id={}", a.org_id), vec![energies, stars]),
        (
            format!("producer_id={}", b.org_id),
            vec![solar_kit, planets, mill],
        ),
        // Free text ignores accents, case and a plural ending, and matches whole words.
        ("q=energies".into(), vec![energies, solar_kit, mill]),
        ("q=%C3%89NERGIE".into(), vec![energies, solar_kit, mill]),
        ("q=%C3%A9nergie".into(), vec![energies, solar_kit, mill]),
        ("q=Plan%C3%A8tes".into(), vec![planets]),
        ("q=solaire".into(), vec![energies, solar_kit, planets]),
        ("q=vent".into(), vec![energies, mill]),
        // Every word is required.
        ("q=vent%20solaire".into(), vec![energies]),
        ("q=Solaire+VENT".into(), vec![energies]),
        ("q=vent%20planetes".into(), vec![]),
        // Combined filters narrow each other.
        ("kind=exhibition&theme=astronomy".into(), vec![planets]),
        (
            "theme=technology_digital&audience=secondary".into(),
            vec![energies, solar_kit],
        ),
        (
            "theme=technology_digital&audience=primary".into(),
            vec![solar_kit],
        ),
        (
            format!("producer_id={}&q=energie", b.org_id),
            vec![solar_kit, mill],
        ),
        (format!("producer_id={}&kind=kit", a.org_id), vec![]),
        (
            format!(
                "producer_id={}&theme=astronomy&audience=primary&kind=trunk&q=CIEL",
                a.org_id
            ),
            vec![stars],
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(search_ids(&app, &a, &query).await, expected, "{query}");
    }

    // Search follows edits: the new title is found, the old one no longer.
    let renamed = app
        .patch(
            &format!("/api/v1/resources/{stars}"),
            Some(&a.token),
            json!({"title": "Malle des comètes", "themes": ["astronomy", "history_of_science"]}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.body["description"], "Observer le ciel nocturne");
    assert_eq!(renamed.body["audiences"], json!(["primary"]));
    assert_eq!(search_ids(&app, &a, "q=etoiles").await, Vec::<i64>::new());
    assert_eq!(search_ids(&app, &a, "q=com%C3%A8tes").await, vec![stars]);
    assert_eq!(
        search_ids(&app, &a, "theme=history_of_science").await,
        vec![stars]
    );
}

async fn pages_follow_the_cursor_without_gaps_or_duplicates(app: TestApp) {
    let agency = app.agency_admin().await;
    let producer = app.producer(&agency, AMIENS.0).await;
    let mut created = Vec::new();
    for i in 0..12 {
        created.push(
            create_resource(&app, &producer, json!({"title": format!("Ressource {i}")})).await,
        );
    }

    // Pages of 5: 5, 5, 2, every id once, ascending.
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = search_page(&app, &producer, "limit=5", cursor.as_deref()).await;
        sizes.push(items(&page).len());
        seen.extend(ids_of(&items(&page)));
        match next_cursor(&page) {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(sizes, vec![5, 5, 2]);
    assert_eq!(seen, created);

    // A last page that is exactly full has no next cursor (no empty page after it).
    let first = search_page(&app, &producer, "limit=6", None).await;
    let second = search_page(&app, &producer, "limit=6", next_cursor(&first).as_deref()).await;
    assert_eq!(items(&second).len(), 6);
    assert_eq!(next_cursor(&second), None);

    // A resource published between two pages neither shifts nor repeats anything.
    let page1 = search_page(&app, &producer, "limit=5", None).await;
    let late = create_resource(&app, &producer, json!({"title": "Arrivée tardive"})).await;
    assert!(created.iter().all(|&id| id < late));
    let mut seen = ids_of(&items(&page1));
    let mut cursor = next_cursor(&page1);
    while let Some(c) = cursor {
        let page = search_page(&app, &producer, "limit=5", Some(&c)).await;
        seen.extend(ids_of(&items(&page)));
        cursor = next_cursor(&page);
    }
    let mut expected = created.clone();
    expected.push(late);
    assert_eq!(seen, expected);

    // Pages of a filtered search carry the filter.
    for (i, &id) in created.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
        let res = app
            .patch(
                &format!("/api/v1/resources/{id}"),
                Some(&producer.token),
                json!({"kind": "kit", "title": format!("Kit {i}")}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
    }
    let kits: Vec<i64> = created.iter().copied().step_by(3).collect();
    assert_eq!(search_ids(&app, &producer, "kind=kit&limit=1").await, kits);
}

async fn near_pages_are_ordered_by_distance(app: TestApp) {
    let agency = app.agency_admin().await;
    let producer = app.producer(&agency, AMIENS.0).await;
    let mut placed = Vec::new();
    for commune in [
        DUNKERQUE,
        ARRAS,
        ABBEVILLE,
        LILLE,
        BEAUVAIS,
        ARRAS,
        SAINT_QUENTIN,
        VALENCIENNES,
    ] {
        let id = resource_at(&app, &producer, commune.0, commune.0).await;
        placed.push((haversine_km(AMIENS, commune), id));
    }
    placed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let expected: Vec<i64> = placed.iter().map(|&(_, id)| id).collect();
    let query = "near=49.9,2.3&radius_km=200&limit=3";

    let page1 = search_page(&app, &producer, query, None).await;
    assert_eq!(items(&page1).len(), 3);
    // Published between two pages: one at the centre (before the cursor, so not shown) and
    // one as far as the farthest (after it, so at the end).
    resource_at(&app, &producer, "Au centre", AMIENS.0).await;
    let far_late = resource_at(&app, &producer, "Loin et tard", DUNKERQUE.0).await;

    let mut all = items(&page1);
    let mut cursor = next_cursor(&page1);
    while let Some(c) = cursor {
        let page = search_page(&app, &producer, query, Some(&c)).await;
        assert!(items(&page).len() <= 3);
        all.extend(items(&page));
        cursor = next_cursor(&page);
    }
    let mut expected_after_inserts = expected.clone();
    expected_after_inserts.push(far_late);
    assert_eq!(ids_of(&all), expected_after_inserts);
    let distances: Vec<f64> = all
        .iter()
        .map(|r| r["distance_km"].as_f64().expect("distance_km"))
        .collect();
    assert!(
        distances.windows(2).all(|w| w[0] <= w[1]),
        "sorted by distance: {distances:?}"
    );
}

async fn near_search_measures_great_circle_distances(app: TestApp) {
    let agency = app.agency_admin().await;
    let producer = app.producer(&agency, AMIENS.0).await;

    let lille = resource_at(&app, &producer, "À Lille", LILLE.0).await;
    let arras = resource_at(&app, &producer, "À Arras", ARRAS.0).await;
    let abbeville = resource_at(&app, &producer, "À Abbeville", ABBEVILLE.0).await;
    // Two copies: the distance is the nearer one's, whichever was added first.
    let two_copies = create_resource(&app, &producer, json!({"title": "Deux exemplaires"})).await;
    add_copy(&app, &producer, two_copies, "TWO-FAR", Some(DUNKERQUE.0)).await;
    let near_copy = add_copy(
        &app,
        &producer,
        two_copies,
        "TWO-NEAR",
        Some(SAINT_QUENTIN.0),
    )
    .await;
    let far = resource_at(&app, &producer, "À Dunkerque", DUNKERQUE.0).await;
    // A retired copy at the centre does not count; its Lille copy does.
    let partly_retired =
        create_resource(&app, &producer, json!({"title": "Un exemplaire réformé"})).await;
    let retired_here = add_copy(&app, &producer, partly_retired, "OLD-HERE", None).await;
    assert_eq!(
        retired_here["latitude"], AMIENS.1,
        "defaults to the producer's commune"
    );
    assert_eq!(retired_here["longitude"], AMIENS.2);
    assert_eq!(retired_here["home_commune_insee"], AMIENS.0);
    add_copy(&app, &producer, partly_retired, "OLD-LILLE", Some(LILLE.0)).await;
    // A resource whose only copy is retired, and one without any copy.
    let all_retired = create_resource(&app, &producer, json!({"title": "Tout réformé"})).await;
    let only_copy = add_copy(&app, &producer, all_retired, "GONE", Some(ABBEVILLE.0)).await;
    create_resource(&app, &producer, json!({"title": "Sans exemplaire"})).await;

    let query = "near=49.9,2.3&radius_km=200";
    let before = search_ids(&app, &producer, query).await;
    assert!(before.contains(&all_retired) && before.contains(&partly_retired));
    assert_eq!(
        search_all(&app, &producer, query)
            .await
            .iter()
            .find(|r| r["id"] == partly_retired)
            .unwrap()["distance_km"],
        0.0
    );
    retire_copy(&app, &producer, retired_here["id"].as_i64().unwrap()).await;
    retire_copy(&app, &producer, only_copy["id"].as_i64().unwrap()).await;

    let found = search_all(&app, &producer, query).await;
    let expected = [
        (abbeville, ABBEVILLE),
        (arras, ARRAS),
        (two_copies, SAINT_QUENTIN),
        (lille, LILLE),
        (partly_retired, LILLE),
        (far, DUNKERQUE),
    ];
    assert_eq!(
        ids_of(&found),
        expected.iter().map(|&(id, _)| id).collect::<Vec<_>>()
    );
    for (item, &(id, commune)) in found.iter().zip(expected.iter()) {
        let reported = item["distance_km"].as_f64().expect("distance_km");
        let ours = haversine_km(AMIENS, commune);
        assert!(
            (reported - ours).abs() < 0.01,
            "resource {id} near {}: {reported} km, expected {ours} km",
            commune.0
        );
        assert!(
            ((reported * 1000.0).round() - reported * 1000.0).abs() < 1e-6,
            "rounded to the metre: {reported}"
        );
    }
    assert!((found[3]["distance_km"].as_f64().unwrap() - 97.7).abs() < 0.05);
    assert_eq!(found[2]["copies_in_service"], 2);
    assert_eq!(found[4]["copies_in_service"], 1);

    // The radius excludes a resource whose copies are all beyond it; 50 km is the default.
    assert_eq!(
        search_ids(&app, &producer, "near=49.9,2.3&radius_km=100").await,
        vec![abbeville, arras, two_copies, lille, partly_retired]
    );
    assert_eq!(
        search_ids(&app, &producer, "near=49.9,2.3&radius_km=60").await,
        vec![abbeville, arras]
    );
    assert_eq!(
        search_ids(&app, &producer, "near=49.9,2.3").await,
        vec![abbeville]
    );
    // From Lille, the Lille copies are at 0 km.
    let from_lille = search_all(&app, &producer, "near=50.63391,3.05512&radius_km=10").await;
    assert_eq!(ids_of(&from_lille), vec![lille, partly_retired]);
    assert_eq!(from_lille[0]["distance_km"], 0.0);

    // Proximity combines with the other filters.
    assert_eq!(
        search_ids(&app, &producer, "near=49.9,2.3&radius_km=200&q=lille").await,
        vec![lille]
    );

    // The retired copy is still listed with its history, and cannot come back.
    let copies = app
        .get(
            &format!("/api/v1/resources/{all_retired}/copies"),
            Some(&producer.token),
        )
        .await;
    assert_eq!(copies.body[0]["status"], "retired");
    assert_eq!(copies.body[0]["retirement_reason"], "water damage");
    let back = app
        .patch(
            &format!("/api/v1/copies/{}", only_copy["id"]),
            Some(&producer.token),
            json!({"status": "available"}),
        )
        .await;
    assert_eq!(invalid_fields(&back), vec!["status"]);
    let no_reason = app
        .patch(
            &format!("/api/v1/copies/{}", near_copy["id"]),
            Some(&producer.token),
            json!({"status": "retired"}),
        )
        .await;
    assert_eq!(invalid_fields(&no_reason), vec!["retirement_reason"]);
}

async fn deleted_resources_disappear(app: TestApp) {
    let agency = app.agency_admin().await;
    let producer = app.producer(&agency, AMIENS.0).await;
    let t = Some(producer.token.as_str());
    let kept = resource_at(&app, &producer, "Gardée", AMIENS.0).await;
    let gone = resource_at(&app, &producer, "Supprimée", AMIENS.0).await;
    let component = app
        .post(
            &format!("/api/v1/resources/{gone}/components"),
            t,
            json!({"name": "Panneau", "quantity": 2}),
        )
        .await;
    assert_eq!(component.status, 201);
    let path = format!("/api/v1/resources/{gone}");

    assert_eq!(app.delete(&path, t).await.status, 204);
    assert_eq!(app.get(&path, t).await.code(), "not_found");
    for res in [
        app.get(&path, t).await,
        app.patch(&path, t, json!({"title": "Revenue"})).await,
        app.delete(&path, t).await,
        app.get(&format!("{path}/copies"), t).await,
        app.get(&format!("{path}/components"), t).await,
        app.post(&format!("{path}/copies"), t, json!({"asset_tag": "NEW-1"}))
            .await,
        app.post(
            &format!("{path}/components"),
            t,
            json!({"name": "Socle", "quantity": 1}),
        )
        .await,
    ] {
        assert_eq!(res.status, 404, "{}", res.text);
        assert_eq!(res.code(), "not_found");
    }
    assert_eq!(search_ids(&app, &producer, "").await, vec![kept]);
    assert_eq!(
        search_ids(&app, &producer, "q=supprimee").await,
        Vec::<i64>::new()
    );
    assert_eq!(
        search_ids(&app, &producer, "near=49.9,2.3").await,
        vec![kept]
    );
    assert_eq!(
        search_ids(&app, &producer, &format!("producer_id={}", producer.org_id)).await,
        vec![kept]
    );
}

async fn copies_and_components_round_trip(app: TestApp) {
    let agency = app.agency_admin().await;
    let a = app.producer(&agency, AMIENS.0).await;
    let b = app.producer(&agency, LILLE.0).await;
    let t = Some(a.token.as_str());
    let kit = create_resource(&app, &a, json!({"kind": "kit", "title": "Kit micro:bit"})).await;
    let other = create_resource(&app, &a, json!({"title": "Autre"})).await;

    // Copies: created, read back, listed in order.
    let first = add_copy(&app, &a, kit, "AMI-KIT-01", None).await;
    assert_eq!(first["resource_id"], kit);
    assert_eq!(first["producer_id"], a.org_id);
    assert_eq!(first["status"], "available");
    assert_eq!(first["condition_grade"], 5);
    let second = app
        .post(
            &format!("/api/v1/resources/{kit}/copies"),
            t,
            json!({"asset_tag": "AMI-KIT-02", "home_commune_insee": LILLE.0, "condition_grade": 3}),
        )
        .await;
    assert_eq!(second.status, 201, "{}", second.text);
    assert_eq!(second.body["home_commune_insee"], LILLE.0);
    assert_eq!(second.body["latitude"], LILLE.1);
    assert_eq!(second.body["longitude"], LILLE.2);
    assert_eq!(second.body["condition_grade"], 3);
    let read = app.get(&format!("/api/v1/copies/{}", first["id"]), t).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body, first);
    let listed = app.get(&format!("/api/v1/resources/{kit}/copies"), t).await;
    assert_eq!(listed.body, json!([first, second.body.clone()]));
    let resource = app.get(&format!("/api/v1/resources/{kit}"), t).await;
    assert_eq!(resource.body["copies_in_service"], 2);

    // Asset tags are unique within a producer, across its resources, but not across producers.
    for (resource_id, tag) in [
        (kit, "AMI-KIT-01"),
        (other, "AMI-KIT-01"),
        (other, " AMI-KIT-02 "),
    ] {
        let dup = app
            .post(
                &format!("/api/v1/resources/{resource_id}/copies"),
                t,
                json!({"asset_tag": tag}),
            )
            .await;
        assert_eq!(dup.status, 409, "{tag}: {}", dup.text);
        assert_eq!(dup.code(), "asset_tag_taken");
    }
    let renamed_onto = app
        .patch(
            &format!("/api/v1/copies/{}", second.body["id"]),
            t,
            json!({"asset_tag": "AMI-KIT-01"}),
        )
        .await;
    assert_eq!(renamed_onto.status, 409, "{}", renamed_onto.text);
    assert_eq!(renamed_onto.code(), "asset_tag_taken");
    let b_resource = create_resource(&app, &b, json!({})).await;
    let same_tag_elsewhere = add_copy(&app, &b, b_resource, "AMI-KIT-01", None).await;
    assert_eq!(same_tag_elsewhere["producer_id"], b.org_id);
    for (body, field) in [
        (json!({"asset_tag": "bad tag!"}), "asset_tag"),
        (json!({"asset_tag": ""}), "asset_tag"),
        (
            json!({"asset_tag": "OK-1", "condition_grade": 6}),
            "condition_grade",
        ),
        (
            json!({"asset_tag": "OK-1", "condition_grade": 0}),
            "condition_grade",
        ),
        (
            json!({"asset_tag": "OK-1", "home_commune_insee": "75056"}),
            "home_commune_insee",
        ),
    ] {
        let res = app
            .post(&format!("/api/v1/resources/{kit}/copies"), t, body.clone())
            .await;
        assert_eq!(invalid_fields(&res), vec![field], "{body}");
    }
    let listed_again = app.get(&format!("/api/v1/resources/{kit}/copies"), t).await;
    assert_eq!(
        listed_again.body, listed.body,
        "refused copies are not added"
    );
    assert_eq!(app.get("/api/v1/copies/999999", t).await.status, 404);
    assert_eq!(
        app.post(
            "/api/v1/resources/999999/copies",
            t,
            json!({"asset_tag": "X"})
        )
        .await
        .status,
        404
    );

    // Components: created, listed in order, unique by name within the resource.
    let components_path = format!("/api/v1/resources/{kit}/components");
    let mut created = Vec::new();
    for (name, quantity) in [("Carte micro:bit", 12), ("Câble USB", 12), ("Guide", 1)] {
        let res = app
            .post(
                &components_path,
                t,
                json!({"name": name, "quantity": quantity}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        assert_eq!(res.body["resource_id"], kit);
        assert_eq!(res.body["name"], name);
        assert_eq!(res.body["quantity"], quantity);
        created.push(res.body);
    }
    let components = app.get(&components_path, t).await;
    assert_eq!(components.status, 200);
    assert_eq!(components.body, Value::Array(created.clone()));

    let dup = app
        .post(&components_path, t, json!({"name": "Guide", "quantity": 2}))
        .await;
    assert_eq!(dup.status, 409, "{}", dup.text);
    assert_eq!(dup.code(), "component_exists");
    for (body, expected) in [
        (json!({"name": "Pile", "quantity": 0}), vec!["quantity"]),
        (json!({"name": "Pile", "quantity": -3}), vec!["quantity"]),
        (json!({"name": "  ", "quantity": 1}), vec!["name"]),
        (json!({"name": "", "quantity": 0}), vec!["name", "quantity"]),
    ] {
        let res = app.post(&components_path, t, body.clone()).await;
        assert_eq!(invalid_fields(&res), expected, "{body}");
    }
    assert_eq!(
        app.get(&components_path, t).await.body,
        Value::Array(created),
        "refused components are not added"
    );
    // Another resource may list a component of the same name.
    let elsewhere = app
        .post(
            &format!("/api/v1/resources/{other}/components"),
            t,
            json!({"name": "Guide", "quantity": 1}),
        )
        .await;
    assert_eq!(elsewhere.status, 201, "{}", elsewhere.text);
}

/// A dated search finds free resources however many taken ones come before them (it reads
/// candidates a chunk at a time), and its pages follow the cursor without gaps.
async fn dated_search_reaches_past_many_taken_resources(app: TestApp) {
    use crate::builders::{day, BookingBuilder, Network, AMIENS, VILLAGE};
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let mut taken = Vec::new();
    for i in 0..70 {
        let r = ResourceBuilder::kit(&format!("Kit pris {i}"))
            .copies(1)
            .build(&app, &net.producer)
            .await;
        BookingBuilder::new(r.id, &net.venue, day(30), day(32))
            .build(&app, &net.producer)
            .await;
        taken.push(r.id);
    }
    let mut free = Vec::new();
    for i in 0..3 {
        free.push(
            ResourceBuilder::kit(&format!("Kit libre {i}"))
                .copies(1)
                .build(&app, &net.producer)
                .await
                .id,
        );
    }
    let query = format!(
        "/api/v1/resources?producer_id={}&available_from={}&available_to={}&limit=2",
        net.producer.org_id,
        day(31),
        day(31)
    );
    let first = app.get(&query, Some(&net.venue.token)).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let ids: Vec<i64> = first.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, free[..2]);
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    let second = app
        .get(&format!("{query}&cursor={cursor}"), Some(&net.venue.token))
        .await;
    let ids: Vec<i64> = second.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, free[2..]);
    assert!(second.body["next_cursor"].is_null());
    // Other days: the taken ones are free again and come first.
    let other = format!(
        "/api/v1/resources?producer_id={}&available_from={}&available_to={}&limit=5",
        net.producer.org_id,
        day(60),
        day(61)
    );
    let res = app.get(&other, Some(&net.venue.token)).await;
    assert_eq!(res.body["items"][0]["id"], taken[0]);
}

on_both_backends!(
    only_owners_and_the_agency_write_the_catalogue,
    invalid_resources_are_refused_field_by_field,
    search_parameters_are_checked,
    filters_work_alone_and_combined,
    pages_follow_the_cursor_without_gaps_or_duplicates,
    near_pages_are_ordered_by_distance,
    near_search_measures_great_circle_distances,
    deleted_resources_disappear,
    copies_and_components_round_trip,
    dated_search_reaches_past_many_taken_resources,
);

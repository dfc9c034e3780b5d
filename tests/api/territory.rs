//! Commune reference data and search.

use crate::common::TestApp;
use crate::on_both_backends;

async fn name_search_ignores_case_and_accents(app: TestApp) {
    for q in ["amiens", "Amiens", "AMIENS", "am%C3%AFens", "%C3%A2miens"] {
        let res = app
            .get(&format!("/api/v1/communes?q={q}&limit=3"), None)
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        assert_eq!(res.body[0]["name"], "Amiens", "query {q}");
        assert_eq!(res.body[0]["insee_code"], "80021");
        assert_eq!(res.body[0]["class"], "large_city");
        assert_eq!(res.body[0]["department"], "80");
    }
    let res = app.get("/api/v1/communes?q=abbeville", None).await;
    assert_eq!(res.body[0]["name"], "Abbeville");
    let res = app.get("/api/v1/communes?q=villeneuve%20d%27a", None).await;
    assert_eq!(res.body[0]["name"], "Villeneuve-d'Ascq");
    let res = app.get("/api/v1/communes?q=VILLENEUVE-D", None).await;
    assert_eq!(res.body[0]["name"], "Villeneuve-d'Ascq");
    // A prefix, not a substring.
    let res = app.get("/api/v1/communes?q=miens", None).await;
    assert!(res
        .body
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["name"] != "Amiens"));
    // LIKE wildcards are taken literally.
    let res = app.get("/api/v1/communes?q=%25", None).await;
    assert_eq!(res.body.as_array().unwrap().len(), 0);
}

async fn department_filter_and_classes(app: TestApp) {
    let res = app
        .get("/api/v1/communes?department=02&limit=200", None)
        .await;
    assert_eq!(res.status, 200);
    let items = res.body.as_array().unwrap();
    assert_eq!(items.len(), 200);
    assert!(items.iter().all(|c| c["department"] == "02"));
    // Largest first: Saint-Quentin is the largest commune of the Aisne.
    assert_eq!(items[0]["name"], "Saint-Quentin");
    let populations: Vec<i64> = items
        .iter()
        .map(|c| c["population"].as_i64().unwrap())
        .collect();
    assert!(populations.windows(2).all(|w| w[0] >= w[1]));
    let res = app
        .get("/api/v1/communes?q=saint&department=80&limit=50", None)
        .await;
    assert!(res
        .body
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["department"] == "80" && c["name"].as_str().unwrap().starts_with("Saint")));

    let achery = app.get("/api/v1/communes/02002", None).await;
    assert_eq!(achery.status, 200);
    assert_eq!(achery.body["name"], "Achery");
    assert_eq!(achery.body["population"], 584);
    assert_eq!(achery.body["class"], "village");
    assert_eq!(achery.body["epci_name"], "CA Chauny Tergnier La Fère");
    assert_eq!(
        app.get("/api/v1/communes/62041", None).await.body["class"],
        "medium_town"
    );
    let missing = app.get("/api/v1/communes/75056", None).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.code(), "not_found");
}

async fn all_communes_of_the_region_are_loaded(app: TestApp) {
    use diesel::prelude::*;
    let populations: Vec<i32> = app
        .state
        .run(|conn| {
            use itinerance::schema::communes::dsl::*;
            Ok(communes.select(population).load(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(populations.len(), 3782);
    assert_eq!(
        populations.iter().map(|p| i64::from(*p)).sum::<i64>(),
        5_992_194
    );
}

on_both_backends!(
    name_search_ignores_case_and_accents,
    department_filter_and_classes,
    all_communes_of_the_region_are_loaded,
);

//! Fair territorial access: coverage by class, EPCI and department against an independent count
//! from the shipped communes file, the yearly observatory, and the public GeoJSON layers.

use std::collections::HashMap;

use serde_json::Value;

use crate::builders::{day, BookingBuilder, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::TestApp;
use crate::on_both_backends;

const COMMUNES_CSV: &str = include_str!("../../data/hauts-de-france-communes.csv");

/// (insee → (population, epci, department)) read straight from the shipped file.
fn communes() -> HashMap<String, (i64, String, String)> {
    COMMUNES_CSV
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            (
                f[0].to_string(),
                (f[4].parse().unwrap(), f[5].to_string(), f[2].to_string()),
            )
        })
        .collect()
}

fn row<'a>(coverage: &'a Value, key: &str) -> &'a Value {
    coverage["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no row {key} in {coverage}"))
}

/// Two loans (a village venue, an Amiens venue), a booking that is only approved (not a loan),
/// counted by class, EPCI and department; every commune's population counted.
async fn coverage_counts_every_commune_and_only_loans(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let city = app.venue(&net.agency, AMIENS).await;
    let trunk = ResourceBuilder::trunk("Malle des saisons")
        .copies(3)
        .build(&app, &net.producer)
        .await;
    BookingBuilder::new(trunk.id, &net.venue, day(2), day(5))
        .status("delivered")
        .build(&app, &net.producer)
        .await;
    BookingBuilder::new(trunk.id, &city, day(2), day(5))
        .status("returned")
        .build(&app, &net.producer)
        .await;
    BookingBuilder::new(trunk.id, &city, day(2), day(5))
        .status("approved")
        .build(&app, &net.producer)
        .await;
    let (from, to) = (day(0), day(30));
    let communes = communes();
    let population: i64 = communes.values().map(|c| c.0).sum();
    assert_eq!(population, 5_992_194);

    let by_class = app
        .get(
            &format!("/api/v1/territory/coverage?from={from}&to={to}&by=class"),
            Some(&net.agency.token),
        )
        .await;
    assert_eq!(by_class.status, 200, "{}", by_class.text);
    let villages: i64 = communes.values().filter(|c| c.0 < 2_000).map(|c| c.0).sum();
    let v = row(&by_class.body, "village");
    assert_eq!(v["population"], villages);
    assert_eq!(
        (v["loans"].as_i64(), v["venues_served"].as_i64()),
        (Some(1), Some(1))
    );
    let expected_rate = ((1.0 * 10_000.0 / villages as f64) * 100.0).round() / 100.0;
    assert_eq!(v["loans_per_10k"].as_f64(), Some(expected_rate));
    let c = row(&by_class.body, "large_city");
    assert_eq!(c["loans"], 1, "the approved booking is not a loan");
    assert!(c["venues"].as_i64().unwrap() >= 1);
    let total: i64 = by_class.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["population"].as_i64().unwrap())
        .sum();
    assert_eq!(total, population, "every commune, with or without a venue");

    let by_epci = app
        .get(
            &format!("/api/v1/territory/coverage?from={from}&to={to}&by=epci"),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(by_epci.status, 200, "{}", by_epci.text);
    let mut epci_population: HashMap<&str, i64> = HashMap::new();
    for (p, epci, _) in communes.values() {
        *epci_population.entry(epci.as_str()).or_default() += p;
    }
    let village_epci = &communes[VILLAGE].1;
    let amiens_epci = &communes[AMIENS].1;
    assert_eq!(
        row(&by_epci.body, village_epci)["population"],
        epci_population[village_epci.as_str()]
    );
    assert_eq!(row(&by_epci.body, village_epci)["loans"], 1);
    let unserved = by_epci.body["unserved_epcis"].as_array().unwrap();
    assert_eq!(unserved.len(), epci_population.len() - 2);
    assert!(unserved
        .iter()
        .all(|e| e["epci_siren"] != *village_epci && e["epci_siren"] != *amiens_epci));
    // The Gini, recomputed by brute force over every pair of EPCIs.
    let groups: Vec<(f64, f64)> = epci_population
        .iter()
        .map(|(epci, p)| {
            let loans = if *epci == village_epci.as_str() || *epci == amiens_epci.as_str() {
                1.0
            } else {
                0.0
            };
            (*p as f64, loans / *p as f64)
        })
        .collect();
    let total_p: f64 = groups.iter().map(|g| g.0).sum();
    let mean = groups.iter().map(|(p, x)| p * x).sum::<f64>() / total_p;
    let mut pairs = 0.0;
    for (pi, xi) in &groups {
        for (pj, xj) in &groups {
            pairs += pi * pj * (xi - xj).abs();
        }
    }
    let gini = pairs / (2.0 * total_p * total_p * mean);
    assert!(
        (by_epci.body["gini"].as_f64().unwrap() - gini).abs() < 1e-4,
        "{} vs {gini}",
        by_epci.body["gini"]
    );

    let by_department = app
        .get(
            &format!("/api/v1/territory/coverage?from={from}&to={to}&by=department"),
            Some(&net.agency.token),
        )
        .await;
    let aisne = row(&by_department.body, "02");
    assert_eq!(
        (aisne["label"].as_str(), aisne["loans"].as_i64()),
        (Some("Aisne"), Some(1))
    );
    assert_eq!(by_department.body["rows"].as_array().unwrap().len(), 5);

    // Nobody else, and no bad period.
    let res = app
        .get(
            &format!("/api/v1/territory/coverage?from={from}&to={to}"),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.text);
    for bad in [
        format!("from={to}&to={from}"),
        "from=1999-01-01&to=1999-12-31".to_string(),
        "from=2000-01-01&to=2030-01-01".to_string(),
    ] {
        let res = app
            .get(
                &format!("/api/v1/territory/coverage?{bad}"),
                Some(&net.agency.token),
            )
            .await;
        assert_eq!(res.status, 422, "{bad}: {}", res.text);
    }
    for malformed in [
        format!("from={from}"),
        format!("from={from}&to={to}&by=town"),
    ] {
        let res = app
            .get(
                &format!("/api/v1/territory/coverage?{malformed}"),
                Some(&net.agency.token),
            )
            .await;
        assert_eq!(res.status, 400, "{malformed}: {}", res.text);
    }

    // The yearly observatory, public, in JSON and CSV.
    let year = day(2).format("%Y").to_string();
    let obs = app
        .get(
            &format!("/api/v1/observatory?from_year={year}&to_year={year}"),
            None,
        )
        .await;
    assert_eq!(obs.status, 200, "{}", obs.text);
    let y = &obs.body["years"][0];
    assert_eq!(y["loans"], 2);
    assert_eq!(
        (
            y["venues_reached"].as_i64(),
            y["communes_reached"].as_i64(),
            y["epcis_reached"].as_i64()
        ),
        (Some(2), Some(2), Some(2))
    );
    assert_eq!(y["village_share_percent"].as_f64(), Some(50.0));
    assert_eq!(
        y["loans_per_10k_by_class"]["village"].as_f64(),
        Some(expected_rate)
    );
    assert!(y["km"].as_f64().unwrap() > 0.0 && y["co2_kg"].as_f64().unwrap() > 0.0);
    let csv = app
        .raw_with(
            "GET",
            &format!("/api/v1/observatory?from_year={year}&to_year={year}"),
            None,
            None,
            &[("accept", "text/csv")],
            Vec::new(),
        )
        .await;
    assert!(csv.text.starts_with("year,loans,"), "{}", csv.text);
    assert_eq!(csv.text.lines().count(), 2);
    let res = app
        .get("/api/v1/observatory?from_year=1999&to_year=2001", None)
        .await;
    assert_eq!(res.status, 422);

    // The public layers.
    let venues = app.get("/api/v1/map/venues.geojson", None).await;
    assert_eq!(venues.status, 200, "{}", venues.text);
    assert!(
        venues.content_type.starts_with("application/geo+json"),
        "{}",
        venues.content_type
    );
    assert_eq!(venues.body["type"], "FeatureCollection");
    let org = app
        .get(
            &format!("/api/v1/organizations/{}", net.venue.org_id),
            Some(&net.agency.token),
        )
        .await
        .body;
    let mine = venues.body["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["id"] == net.venue.org_id)
        .unwrap();
    assert_eq!(
        mine["geometry"]["coordinates"][0].as_f64(),
        org["longitude"].as_f64(),
        "longitude first"
    );
    assert_eq!(
        mine["geometry"]["coordinates"][1].as_f64(),
        org["latitude"].as_f64()
    );
    assert_eq!(mine["properties"]["class"], "village");
    let copies = app.get("/api/v1/map/copies.geojson", None).await;
    assert_eq!(copies.body["features"].as_array().unwrap().len(), 3);
    assert!(!copies.text.contains("cost"), "no costs on a public layer");
    let layer = app
        .get(
            &format!("/api/v1/map/coverage.geojson?from={from}&to={to}"),
            None,
        )
        .await;
    assert_eq!(layer.status, 200);
    let epci = layer.body["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["epci_siren"] == *village_epci)
        .unwrap();
    assert_eq!(epci["properties"]["loans"], 1);
    assert_eq!(
        layer.body["features"].as_array().unwrap().len(),
        epci_population.len()
    );

    // The map drawn by the service, and the page around it.
    let svg = app
        .get(
            &format!("/api/v1/map/coverage.svg?from={from}&to={to}"),
            None,
        )
        .await;
    assert_eq!(svg.status, 200, "{}", svg.text);
    assert!(
        svg.content_type.starts_with("image/svg+xml"),
        "{}",
        svg.content_type
    );
    assert!(svg
        .text
        .starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.text.ends_with("</svg>"));
    let epci_shapes = svg
        .text
        .split("<g id=\"epcis\"")
        .nth(1)
        .unwrap()
        .split("</g>")
        .next()
        .unwrap();
    assert_eq!(
        epci_shapes.matches("<path ").count(),
        epci_population.len(),
        "one shape per EPCI"
    );
    assert!(
        svg.text.contains("50 km") && svg.text.contains("aucun prêt"),
        "a scale and a legend"
    );
    assert_eq!(
        svg.text.matches("<circle").count() - 1,
        venues.body["features"].as_array().unwrap().len(),
        "every venue, and the legend's dot"
    );
    let res = app
        .get(
            &format!("/api/v1/map/coverage.svg?from={to}&to={from}"),
            None,
        )
        .await;
    assert_eq!(res.status, 422);
    let page = app.get("/observatory", None).await;
    assert_eq!(page.status, 200);
    assert!(
        page.content_type.starts_with("text/html"),
        "{}",
        page.content_type
    );
    assert!(page.text.contains("<svg") && page.text.contains("<table>"));
    assert!(
        !page.text.contains("<script"),
        "readable without JavaScript"
    );
}

/// The observatory page is on the portal's layout, writes numbers the French way and lists every
/// EPCI no loan reached (an empty network: all of them, far more than one screen).
async fn the_page_lists_every_unserved_epci_with_french_numbers(app: TestApp) {
    let page = app.get("/observatory", None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("href=\"/portal.css\""),
        "the portal's stylesheet"
    );
    assert!(!page.text.contains("<style"), "no inline style");
    let heading = "Intercommunalités sans aucun prêt (";
    let start = page.text.find(heading).expect("the unserved list") + heading.len();
    let count: usize = page.text[start..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        count > 25,
        "an empty network leaves every EPCI unserved: {count}"
    );
    let section = &page.text[start..page.text.find("Données ouvertes").unwrap()];
    // Every one listed: one row per EPCI, plus the header row.
    assert_eq!(section.matches("<tr>").count(), count + 1, "{section}");
    // Populations grouped by thousands with a narrow no-break space, never "92085".
    assert!(section.contains('\u{202f}'), "{section}");
    let table = &section[section.find("<table>").unwrap()..];
    let digits_run = table
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(
        digits_run <= 3,
        "a number not grouped by thousands: {section}"
    );
}

/// Reads a coverage CSV with an independent RFC 4180 reader: (header, rows).
fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// `by=commune`: one row per commune of the shipped file, with its class, EPCI and department,
/// summing to the class totals; `Accept: text/csv` gives the same rows as a CSV file, for every
/// grouping.
async fn coverage_by_commune_sums_to_the_classes_and_csv_matches_json(app: TestApp) {
    let net = Network::with_village_loan(&app).await;
    let (from, to) = (day(0), day(30));
    let communes = communes();
    let get = |by: &'static str| {
        let app = &app;
        let token = net.agency.token.clone();
        async move {
            let url = format!("/api/v1/territory/coverage?from={from}&to={to}&by={by}");
            let json = app.get(&url, Some(&token)).await;
            assert_eq!(json.status, 200, "{by}: {}", json.text);
            let csv = app
                .raw_with(
                    "GET",
                    &url,
                    Some(&token),
                    None,
                    &[("accept", "text/csv")],
                    Vec::new(),
                )
                .await;
            assert_eq!(csv.status, 200, "{by}: {}", csv.text);
            (json, csv)
        }
    };
    let (by_commune, _) = get("commune").await;
    let rows = by_commune.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), communes.len(), "one row per commune");
    let village = row(&by_commune.body, VILLAGE);
    assert_eq!(village["population"], communes[VILLAGE].0);
    assert_eq!(village["epci_siren"], communes[VILLAGE].1.as_str());
    assert_eq!(village["department"], communes[VILLAGE].2.as_str());
    assert_eq!(village["class"], "village");
    assert_eq!(
        (village["loans"].as_i64(), village["venues_served"].as_i64()),
        (Some(1), Some(1))
    );
    let (by_class, _) = get("class").await;
    for class in by_class.body["rows"].as_array().unwrap() {
        let mine: Vec<&Value> = rows.iter().filter(|r| r["class"] == class["key"]).collect();
        for field in ["population", "venues", "venues_served", "loans", "visitors"] {
            let sum: i64 = mine.iter().map(|r| r[field].as_i64().unwrap()).sum();
            assert_eq!(
                sum,
                class[field].as_i64().unwrap(),
                "{field} of {}",
                class["key"]
            );
        }
    }
    assert!(
        by_class.body["rows"][0].get("class").is_none(),
        "a commune's place only with by=commune"
    );

    for by in ["class", "epci", "department", "commune"] {
        let (json, csv) = get(by).await;
        assert!(
            csv.content_type.starts_with("text/csv"),
            "{}",
            csv.content_type
        );
        let disposition = csv
            .headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            disposition.starts_with("attachment; filename=\"coverage-"),
            "{disposition}"
        );
        assert!(!csv.text.contains(';'), "commas, not semicolons");
        let (header, lines) = parse_csv(&csv.text);
        assert_eq!(header[..3], ["key", "label", "population"]);
        let json_rows = json.body["rows"].as_array().unwrap();
        assert_eq!(lines.len(), json_rows.len(), "{by}");
        for (line, r) in lines.iter().zip(json_rows) {
            for (name, cell) in header.iter().zip(line) {
                match &r[name.as_str()] {
                    Value::Null => assert_eq!(cell, "", "{by} {name}"),
                    Value::String(s) => assert_eq!(cell, s, "{by} {name}"),
                    v => assert_eq!(
                        cell.parse::<f64>().ok(),
                        v.as_f64(),
                        "{by} {name} of {}",
                        r["key"]
                    ),
                }
            }
        }
    }
}

/// What the agency shows funders beside coverage: loans and evaluations as CSV files, the same
/// items as the JSON lists (a comment with a comma, quotes and a leading `=` survives, inert).
async fn loans_and_evaluations_export_as_csv_like_their_json(app: TestApp) {
    let net = Network::with_village_loan(&app).await;
    let loans = app.get("/api/v1/bookings", Some(&net.agency.token)).await;
    let loan = loans.body[0]["id"].as_i64().unwrap();
    let comment = "=2+2, \"super\" : les classes ont adoré";
    let res = app
        .post(
            &format!("/api/v1/bookings/{loan}/evaluation"),
            Some(&net.venue.token),
            serde_json::json!({"visitors": 120, "sessions": 4, "audiences": ["primary", "family"],
                               "satisfaction": 5, "comment": comment}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    for (path, items, name) in [
        ("/api/v1/bookings", "", "bookings.csv"),
        ("/api/v1/evaluations", "items", "evaluations.csv"),
    ] {
        let json = app.get(path, Some(&net.agency.token)).await;
        let csv = app
            .raw_with(
                "GET",
                path,
                Some(&net.agency.token),
                None,
                &[("accept", "text/csv")],
                Vec::new(),
            )
            .await;
        assert_eq!(csv.status, 200, "{path}: {}", csv.text);
        assert!(
            csv.content_type.starts_with("text/csv"),
            "{}",
            csv.content_type
        );
        let disposition = csv.headers.get("content-disposition").unwrap();
        assert_eq!(
            disposition.to_str().unwrap(),
            format!("attachment; filename=\"{name}\"")
        );
        let list = if items.is_empty() {
            &json.body
        } else {
            &json.body[items]
        };
        let list = list.as_array().unwrap();
        let (header, lines) = parse_csv(&csv.text);
        assert_eq!(lines.len(), list.len(), "{path}");
        for (line, item) in lines.iter().zip(list) {
            for (column, cell) in header.iter().zip(line) {
                match &item[column.as_str()] {
                    Value::String(s) if column == "comment" => {
                        assert_eq!(cell, &format!("'{s}"), "a formula made inert")
                    }
                    Value::String(s) if column.ends_with("_at") => {
                        assert_eq!(cell.get(..19), s.get(..19), "{path} {column}")
                    }
                    Value::String(s) => assert_eq!(cell, s, "{path} {column}"),
                    Value::Null => assert_eq!(cell, "", "{path} {column}"),
                    Value::Array(a) => assert_eq!(
                        cell,
                        &a.iter()
                            .map(|v| v.as_str().unwrap())
                            .collect::<Vec<_>>()
                            .join("|")
                    ),
                    v => assert_eq!(cell.parse::<f64>().ok(), v.as_f64(), "{path} {column}"),
                }
            }
        }
    }
    let forbidden = app
        .raw_with(
            "GET",
            "/api/v1/evaluations?venue_id=1",
            Some(&app.venue(&net.agency, AMIENS).await.token),
            None,
            &[("accept", "text/csv")],
            Vec::new(),
        )
        .await;
    assert_eq!(
        forbidden.status, 403,
        "the JSON's rules: {}",
        forbidden.text
    );
}

on_both_backends!(
    coverage_by_commune_sums_to_the_classes_and_csv_matches_json,
    loans_and_evaluations_export_as_csv_like_their_json,
    coverage_counts_every_commune_and_only_loans,
    the_page_lists_every_unserved_epci_with_french_numbers,
);

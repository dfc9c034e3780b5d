//! The agency's pages (issue 24): the network at a glance as its landing page, coverage by class,
//! department, EPCI and commune with every unserved EPCI listed across pages exactly once, numbers
//! the French way, the CSV export (the API's file, session-authenticated); venues and producers
//! see none of it; bad input comes back on the form with a 4xx.

use std::collections::HashMap;

use crate::builders::{day, BookingBuilder, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::{TestApp, PASSWORD};
use crate::on_both_backends;
use crate::portal::Browser;

/// Text of a page as it reads (the few entities askama writes undone).
fn unescape(html: &str) -> String {
    html.replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#34;", "\"")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// The part of a page from the element with `id` to the next `<h2` (or the end).
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let rest = &html[start..];
    let end = rest[4..].find("<h2").map_or(rest.len(), |i| i + 4);
    &rest[..end]
}

/// The cells starting each body row of a section (`<tr><td>` or `<tr><th scope="row">`).
fn first_cells(html: &str) -> Vec<String> {
    html.split("<tr>")
        .skip(1)
        .filter_map(|row| {
            let row = row
                .strip_prefix("<td>")
                .or_else(|| row.strip_prefix("<th scope=\"row\">"))?;
            Some(unescape(&row[..row.find("</t")?]))
        })
        .collect()
}

/// The `rel="next"` link of the pager `id`, if there is one.
fn next_link(html: &str, id: &str) -> Option<String> {
    let nav = &html[html.find(&format!("id=\"{id}\""))?..];
    let nav = &nav[..nav.find("</nav>")?];
    let end = nav.find("\" rel=\"next\"")?;
    let start = nav[..end].rfind("href=\"")? + 6;
    Some(unescape(&nav[start..end]))
}

async fn the_agency_lands_on_the_network_and_others_are_refused(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let trunk = ResourceBuilder::trunk("Malle des saisons")
        .copies(3)
        .build(&app, &net.producer)
        .await;
    BookingBuilder::new(trunk.id, &net.venue, day(20), day(25))
        .build(&app, &net.producer)
        .await;
    BookingBuilder::new(trunk.id, &net.venue, day(2), day(5))
        .status("in_transit")
        .build(&app, &net.producer)
        .await;

    let mut agency = Browser::new(&app);
    assert_eq!(agency.log_in(&net.agency.email, PASSWORD).await.status, 303);
    let home = agency.get("/").await;
    assert_eq!(
        (home.status, home.location.as_str()),
        (303, "/network"),
        "the agency's home is the network"
    );
    let page = agency.get("/network").await;
    assert_eq!(page.status, 200, "{}", page.text);
    let text = unescape(&page.text);
    assert!(text.contains("Le réseau en un coup d'œil"), "{text}");
    let count_of = |label: &str| -> String {
        let row = &text[text
            .find(label)
            .unwrap_or_else(|| panic!("{label}: {text}"))..];
        let cell = &row[row.find("<strong>").unwrap() + 8..];
        cell[..cell.find("</strong>").unwrap()].to_string()
    };
    assert_eq!(count_of("Demandes en attente"), "1");
    assert_eq!(count_of("Prêts sur la route"), "1");
    assert_eq!(count_of("Prêts en retard"), "0");
    assert_eq!(count_of("Courriels non distribués"), "0");
    assert_eq!(count_of("Webhooks désactivés"), "0");
    assert!(text.contains("la plus ancienne attend depuis"), "{text}");
    assert!(
        text.contains("href=\"/coverage\""),
        "the nav leads to coverage"
    );
    assert!(text.contains("href=\"/network\" aria-current=\"page\""));

    for who in [&net.venue, &net.producer] {
        let mut other = Browser::new(&app);
        assert_eq!(other.log_in(&who.email, PASSWORD).await.status, 303);
        for path in ["/network", "/coverage", "/coverage.csv?by=epci"] {
            let page = other.get(path).await;
            assert_eq!(page.status, 403, "{path} for {}: {}", who.email, page.text);
        }
        let home = other.get("/").await;
        assert_eq!(home.status, 200, "others keep their home");
        assert!(!home.text.contains("href=\"/coverage\""));
    }
    let anonymous = Browser::new(&app).get("/coverage").await;
    assert_eq!(anonymous.status, 303, "to the login page");
}

async fn every_unserved_epci_is_listed_once_across_pages_in_french(app: TestApp) {
    let net = Network::with_village_loan(&app).await;
    let (from, to) = (day(0), day(30));
    let api = app
        .get(
            &format!("/api/v1/territory/coverage?from={from}&to={to}&by=epci"),
            Some(&net.agency.token),
        )
        .await;
    let unserved: Vec<String> = api.body["unserved_epcis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["epci_name"].as_str().unwrap().to_string())
        .collect();
    let groups = api.body["rows"].as_array().unwrap().len();
    assert!(
        unserved.len() > 25,
        "more than one page: {}",
        unserved.len()
    );

    let mut agency = Browser::new(&app);
    assert_eq!(agency.log_in(&net.agency.email, PASSWORD).await.status, 303);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut seen_groups: HashMap<String, usize> = HashMap::new();
    let mut path = format!("/coverage?from={from}&to={to}&by=epci");
    let mut pages = 0;
    loop {
        let page = agency.get(&path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.text);
        pages += 1;
        let list = section(&page.text, "sans-pret");
        assert!(
            list.contains(&format!("sur {}", unserved.len())),
            "the page says how many in all: {list}"
        );
        for name in first_cells(list) {
            *seen.entry(name).or_default() += 1;
        }
        if pages == 1 {
            // The groups are paginated too, on their own.
            let mut group_path = path.clone();
            loop {
                let p = agency.get(&group_path).await;
                let table = section(&p.text, "groupes");
                for name in first_cells(table) {
                    *seen_groups.entry(name).or_default() += 1;
                }
                match next_link(&p.text, "groupes-pages") {
                    Some(next) => group_path = next,
                    None => break,
                }
            }
            // French numbers: thousands grouped, a decimal comma, a percentage.
            let table = section(&page.text, "groupes");
            assert!(table.contains('\u{202f}'), "{table}");
            let chars: Vec<char> = table.chars().collect();
            assert!(
                !chars
                    .windows(3)
                    .any(|w| w[0].is_ascii_digit() && w[1] == '.' && w[2].is_ascii_digit()),
                "no decimal point: {table}"
            );
            assert!(
                unescape(&page.text).contains(&format!(
                    "href=\"/coverage.csv?from={from}&to={to}&by=epci\""
                )),
                "{}",
                &page.text[page.text.find("coverage.csv").unwrap_or(0)..][..80]
            );
        }
        match next_link(&page.text, "sans-pret-pages") {
            Some(next) => path = next,
            None => break,
        }
    }
    assert_eq!(pages, unserved.len().div_ceil(25));
    assert_eq!(seen.len(), unserved.len(), "every unserved EPCI");
    assert!(seen.values().all(|n| *n == 1), "each once: {seen:?}");
    for name in &unserved {
        assert!(seen.contains_key(name), "{name} missing");
    }
    assert_eq!(seen_groups.len(), groups, "every EPCI in the table");
    assert!(seen_groups.values().all(|n| *n == 1));

    // Each grouping; the commune's table says how many communes in all.
    for by in ["class", "department", "commune"] {
        let page = agency
            .get(&format!("/coverage?from={from}&to={to}&by={by}"))
            .await;
        assert_eq!(page.status, 200, "{by}: {}", page.text);
        if by == "class" {
            let table = section(&page.text, "groupes");
            assert!(
                table.contains("100,0\u{a0}%"),
                "a share of venues served: {table}"
            );
        }
    }
    let communes = agency
        .get(&format!("/coverage?from={from}&to={to}&by=commune"))
        .await;
    assert!(
        communes.text.contains("1–25 sur 3\u{202f}"),
        "{}",
        section(&communes.text, "groupes")
    );
    assert!(next_link(&communes.text, "groupes-pages").is_some());

    // Bad input: the form again with its error, a 4xx, nothing counted.
    let inverted = agency
        .get(&format!("/coverage?from={to}&to={from}&by=epci"))
        .await;
    assert_eq!(inverted.status, 422, "{}", inverted.text);
    assert!(inverted.text.contains("error-summary"));
    assert!(!inverted.text.contains("id=\"sans-pret\""));
    let unknown = agency
        .get(&format!("/coverage?from={from}&to={to}&by=town"))
        .await;
    assert_eq!(unknown.status, 400, "{}", unknown.text);
    assert!(unknown.text.contains("href=\"#by\""), "{}", unknown.text);
    let not_a_date = agency.get("/coverage?from=hier&to=2026-01-01").await;
    assert_eq!(not_a_date.status, 422);
    assert!(not_a_date.text.contains("href=\"#from\""));
}

async fn the_csv_link_gives_the_apis_file(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let (from, to) = (day(0), day(30));
    let mut agency = Browser::new(&app);
    assert_eq!(agency.log_in(&net.agency.email, PASSWORD).await.status, 303);
    for by in ["class", "department", "epci", "commune"] {
        let file = agency
            .get(&format!("/coverage.csv?from={from}&to={to}&by={by}"))
            .await;
        assert_eq!(file.status, 200, "{}", file.text);
        assert!(
            file.content_type.starts_with("text/csv"),
            "{}",
            file.content_type
        );
        assert_eq!(
            file.disposition,
            format!("attachment; filename=\"coverage-{by}-{from}-{to}.csv\"")
        );
        let api = app
            .raw_with(
                "GET",
                &format!("/api/v1/territory/coverage?from={from}&to={to}&by={by}"),
                Some(&net.agency.token),
                None,
                &[("accept", "text/csv")],
                Vec::new(),
            )
            .await;
        assert_eq!(file.text, api.text, "the same file as the API's ({by})");
        let mut reader = csv::Reader::from_reader(file.text.as_bytes());
        assert_eq!(&reader.headers().unwrap()[0], "key");
        assert!(reader.records().all(|r| r.is_ok()));
    }
    let bad = agency
        .get(&format!("/coverage.csv?from={to}&to={from}"))
        .await;
    assert_eq!(bad.status, 422, "bad input: the page with its error");
    assert!(bad.content_type.starts_with("text/html"));
}

on_both_backends!(
    the_agency_lands_on_the_network_and_others_are_refused,
    every_unserved_epci_is_listed_once_across_pages_in_french,
    the_csv_link_gives_the_apis_file,
);

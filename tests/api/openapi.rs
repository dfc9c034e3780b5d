//! The committed contract and the served documentation match the code.

use crate::common::{Backend, TestApp};

#[test]
fn committed_openapi_matches_the_code() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .expect("openapi/openapi.json is committed");
    let generated = itinerance::app::openapi_json();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date with the code: run `make openapi` and commit it"
    );
}

/// Every `$ref` names a defined component (a generated client skips operations whose references
/// dangle), and every enum lists wire names (snake_case, or dotted snake_case for event names such
/// as `booking.requested`), never Rust variant names.
#[test]
fn every_reference_resolves_and_every_enum_is_in_wire_case() {
    let doc: serde_json::Value = serde_json::from_str(&itinerance::app::openapi_json()).unwrap();
    fn walk(v: &serde_json::Value, doc: &serde_json::Value, at: &str) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(target) = map.get("$ref").and_then(|r| r.as_str()) {
                    let pointer = target.trim_start_matches('#');
                    assert!(
                        doc.pointer(pointer).is_some(),
                        "{at}: dangling $ref {target}"
                    );
                }
                if let Some(values) = map.get("enum").and_then(|e| e.as_array()) {
                    for value in values.iter().filter_map(|v| v.as_str()) {
                        assert!(
                            value
                                .chars()
                                // Event names (API.md) join snake_case words with dots,
                                // scopes with a colon (`bookings:write`).
                                .all(|c| c.is_ascii_lowercase()
                                    || c.is_ascii_digit()
                                    || c == '_'
                                    || c == '.'
                                    || c == ':'),
                            "{at}: enum value {value:?} is not a wire name"
                        );
                    }
                }
                for (k, child) in map {
                    walk(child, doc, &format!("{at}/{k}"));
                }
            }
            serde_json::Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, doc, &format!("{at}/{i}"));
                }
            }
            _ => {}
        }
    }
    walk(&doc, &doc, "");
}

/// What the extractors refuse before any handler runs is documented on every operation that can
/// meet it: 400 for a body, query or header that cannot be parsed, 413 and 415 for bodies.
#[test]
fn every_operation_documents_what_its_extractors_refuse() {
    let doc: serde_json::Value = serde_json::from_str(&itinerance::app::openapi_json()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let has_query = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path}: no {status}"
                    );
                }
            }
            if has_query {
                assert!(responses.contains_key("400"), "{method} {path}: no 400");
            }
        }
    }
}

/// Every authenticated operation has an API-key scope rule (none falls to the `admin` default
/// by omission) and documents the 403 a key outside it gets.
#[test]
fn every_authenticated_operation_has_a_scope_rule() {
    let doc: serde_json::Value = serde_json::from_str(&itinerance::app::openapi_json()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op["security"].as_array().is_none_or(|s| s.is_empty()) {
                continue;
            }
            let method = method.to_uppercase();
            assert!(
                itinerance::auth::scope::rule(&method, path).is_some(),
                "{method} {path} has no scope rule"
            );
            assert!(
                op["responses"].get("403").is_some(),
                "{method} {path}: no 403"
            );
        }
    }
}

#[test]
fn every_operation_documents_its_errors_and_security() {
    let doc: serde_json::Value = serde_json::from_str(&itinerance::app::openapi_json()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses
                    .keys()
                    .any(|k| k.starts_with('4') || k.starts_with('5')),
                "{method} {path} documents no error response"
            );
            assert!(
                op["summary"].is_string() || op["description"].is_string(),
                "{method} {path} has no doc"
            );
            // Public by design: reference data, login, and what the agency publishes (the
            // observatory and the map layers).
            let public = path == "/health"
                || path.starts_with("/api/v1/communes")
                || path == "/api/v1/school-holidays"
                || path == "/api/v1/auth/login"
                || path.starts_with("/api/v1/auth/password-reset")
                || path == "/api/v1/invitations/accept"
                || path == "/api/v1/observatory"
                || path == "/observatory"
                || path.starts_with("/api/v1/map/");
            let security = op["security"]
                .as_array()
                .unwrap_or_else(|| panic!("{method} {path} declares no security, not even []"));
            if public {
                assert!(
                    security.is_empty(),
                    "{method} {path} is public and must say so with `security: []`"
                );
            } else {
                assert!(!security.is_empty(), "{method} {path} declares no security");
                assert!(
                    responses.contains_key("401"),
                    "{method} {path} documents no 401"
                );
            }
        }
    }
}

/// The hygiene `redocly lint` checks (run in `.ci/contract`), held here too so that a plain
/// `cargo test` catches it: a server to call, `security: []` on every webhook (the service calls
/// the partner, with a signature instead of a credential), and each problem answer for
/// 401/403/404/422 written once as a component that operations reference with their own sentence.
#[test]
fn document_has_a_server_public_webhooks_and_shared_problem_answers() {
    let doc: serde_json::Value = serde_json::from_str(&itinerance::app::openapi_json()).unwrap();
    assert!(
        doc["servers"].as_array().is_some_and(|s| !s.is_empty()),
        "no servers entry"
    );
    let webhooks = doc["webhooks"].as_object().expect("webhooks are published");
    for (event, item) in webhooks {
        assert_eq!(
            item["post"]["security"],
            serde_json::json!([]),
            "webhook {event} must declare `security: []`"
        );
    }
    let shared = [
        ("401", "Unauthenticated"),
        ("403", "Forbidden"),
        ("404", "NotFound"),
        ("422", "ValidationFailed"),
    ];
    for (_, name) in shared {
        assert!(
            doc["components"]["responses"][name]["content"]["application/problem+json"].is_object(),
            "component response {name} is missing"
        );
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, _) in shared {
                let Some(answer) = op["responses"].get(status) else {
                    continue;
                };
                assert!(
                    answer["$ref"]
                        .as_str()
                        .is_some_and(|r| r.starts_with("#/components/responses/")),
                    "{} {path}: its {status} repeats a problem body instead of referencing a \
                     shared response",
                    method.to_uppercase()
                );
            }
        }
    }
}

#[actix_web::test]
async fn served_document_and_docs_ui_work_offline() {
    let app = TestApp::start(Backend::Sqlite).await;
    let served = app.get("/api-docs/openapi.json", None).await;
    assert_eq!(served.status, 200);
    let generated: serde_json::Value =
        serde_json::from_str(&itinerance::app::openapi_json()).unwrap();
    assert_eq!(served.body, generated);
    let ui = app.get("/docs/", None).await;
    assert_eq!(ui.status, 200);
    assert!(
        ui.text.contains("swagger-ui"),
        "{}",
        &ui.text[..ui.text.len().min(500)]
    );
    // The page's scripts are served by the service itself, not a CDN.
    assert!(
        !ui.text.contains("https://"),
        "the docs page must not load assets from the web"
    );
    let bundle = app.get("/docs/swagger-ui-bundle.js", None).await;
    assert_eq!(bundle.status, 200);
    assert!(bundle.text.len() > 100_000);
    // `/docs` is a permanent redirect to `/docs/` (seen by a client that does not follow it).
    let no_follow = awc::Client::builder().disable_redirects().finish();
    let redirect = no_follow
        .get(format!("{}/docs", app.base))
        .send()
        .await
        .expect("request sent");
    assert_eq!(redirect.status().as_u16(), 308);
    assert_eq!(
        redirect
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/docs/")
    );
    // Followed, it lands on the page.
    let followed = app.get("/docs", None).await;
    assert_eq!(followed.status, 200);
    assert!(followed.text.contains("swagger-ui"));
}

/// The API guide's table of problem codes (docs/api.md) is the one generated from `error::Code`, and the OpenAPI
/// document publishes the same codes as the enum of `Problem.code`.
#[test]
fn api_guide_and_document_list_every_problem_code() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/api.md")).unwrap();
    let (_, rest) = readme
        .split_once("<!-- error-codes:begin -->\n")
        .expect("docs/api.md has the error-codes markers");
    let (table, _) = rest.split_once("<!-- error-codes:end -->").unwrap();
    let expected = itinerance::error::Code::markdown_table();
    assert!(
        table == expected,
        "docs/api.md's table of codes is out of date; put this between the markers:\n{expected}"
    );
    let doc: serde_json::Value = serde_json::from_str(&itinerance::app::openapi_json()).unwrap();
    let published: Vec<&str> = doc["components"]["schemas"]["Code"]["enum"]
        .as_array()
        .expect("Code is an enum")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let all: Vec<&str> = itinerance::error::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(published, all);
    assert_eq!(
        doc["components"]["schemas"]["Problem"]["properties"]["code"]["$ref"],
        "#/components/schemas/Code"
    );
}

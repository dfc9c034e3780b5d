//! Clean input on both backends: control characters are refused with 422 wherever text enters
//! (body, path, query string), before authentication and before any database sees them
//! (PostgreSQL answered 500 to a NUL byte); tabs and line breaks stay allowed in body text; a
//! body that trickles in is cut after 10 s with 408.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::TestApp;
use crate::on_both_backends;

async fn organizations(app: &TestApp, token: &str) -> usize {
    let res = app.get("/api/v1/organizations", Some(token)).await;
    res.body.as_array().map(Vec::len).unwrap_or(0)
}

async fn control_characters_are_refused_everywhere_text_enters(app: TestApp) {
    // No token needed to reach the database before: a login with a NUL in the e-mail.
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "a\u{0}b@x.fr", "password": "x"}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.code(), "validation_failed");
    assert_eq!(res.fields(), ["email"]);
    for path in [
        "/api/v1/communes/80021%00",
        "/api/v1/communes?q=%00ami",
        "/api/v1/communes?q=ami%1b",
    ] {
        let res = app.get(path, None).await;
        assert_eq!(res.status, 422, "{path}: {}", res.text);
    }
    let agency = app.agency_admin().await;
    let before = organizations(&app, &agency.token).await;
    for (name, field) in [
        (
            json!({"name": "Bib\u{0}liothèque", "kind": "venue", "commune_insee": "80021"}),
            "name",
        ),
        (
            json!({"name": "Escape\u{1b}[31m", "kind": "venue", "commune_insee": "80021"}),
            "name",
        ),
        (
            json!({"name": "Bell", "kind": "venue", "commune_insee": "80021", "address": "1 rue\u{7}"}),
            "address",
        ),
    ] {
        let res = app
            .post("/api/v1/organizations", Some(&agency.token), name.clone())
            .await;
        assert_eq!(res.status, 422, "{name}: {}", res.text);
        assert_eq!(res.fields(), [field], "{name}");
    }
    assert_eq!(
        organizations(&app, &agency.token).await,
        before,
        "nothing was created"
    );
    // Line breaks and tabs are text.
    let res = app
        .post(
            "/api/v1/organizations",
            Some(&agency.token),
            json!({"name": "Maison\tdes\nsciences", "kind": "venue", "commune_insee": "80021", "address": "1 rue\r\n80000 Amiens"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    // An escaped backslash followed by "u0000" is plain text, not a control character.
    let res = app
        .post(
            "/api/v1/organizations",
            Some(&agency.token),
            json!({"name": "C:\\u0000 atelier", "kind": "venue", "commune_insee": "80021"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["name"], "C:\\u0000 atelier");
}

async fn a_slow_body_is_cut_after_ten_seconds(app: TestApp) {
    let address = app.base.trim_start_matches("http://").to_string();
    let started = Instant::now();
    let answer = std::thread::spawn(move || {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(40)))
            .unwrap();
        write!(
            stream,
            "POST /api/v1/auth/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
             content-length: 200\r\n\r\n{{\"email\": "
        )
        .unwrap();
        // Then a byte every few seconds, never the whole body.
        for _ in 0..8 {
            std::thread::sleep(Duration::from_secs(2));
            if stream.write_all(b" ").is_err() {
                break;
            }
        }
        let mut text = String::new();
        let _ = stream.read_to_string(&mut text);
        text
    })
    .join()
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(25));
}

on_both_backends!(
    control_characters_are_refused_everywhere_text_enters,
    a_slow_body_is_cut_after_ten_seconds
);

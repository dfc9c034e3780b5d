//! `make bench`: photos and labels (issue 24's targets), on SQLite and PostgreSQL. A camera-like
//! JPEG of about 5 MB (4,000 × 3,000, detail everywhere so it does not compress away) is uploaded
//! through the API and through the portal's form, each time decoded and resized twice by the
//! service (thumbnail and page size): target ≤ 1 s an upload, wall clock as the client sees it.
//! The reference, in the same run: the same decode and two resizes called in-process (what the
//! upload cannot avoid), so the ratio is the cost of HTTP, checks and the database.
//!
//! Then the portal's pages of this issue, 200 one at a time as the resource's producer, the
//! server's own median and p99 from its request log (target p99 ≤ 50 ms): the resource page with
//! its files, the labels of 40 copies, one label's QR code (an SVG drawn on each request) and a
//! copy's page. `BENCH_BACKENDS=sqlite`
//! (or `postgres`) runs one backend.

#[path = "../tests/api/common.rs"]
#[allow(dead_code)]
mod common;

mod shared;

use std::io::Cursor;
use std::time::{Duration, Instant};

use common::{Backend, TestApp};
use itinerance::rng::SplitMix64;
use shared::{client, log_in_through_the_form, log_requests_to, server_side_ms_where};

/// Which logged paths a page's timings are read from.
type PathMatch = Box<dyn Fn(&str) -> bool>;

const UPLOADS: usize = 10;
const UPLOAD_TARGET_S: f64 = 1.0;
const PAGE_P99_TARGET_MS: f64 = 50.0;
const PAGES: usize = 200;
const COPIES: usize = 40;

fn verdict(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "FAIL"
    }
}

/// A photo as a phone takes it: 4,000 × 3,000, a gradient with fine noise, JPEG quality 90.
fn camera_jpeg() -> Vec<u8> {
    let mut rng = SplitMix64::new(24);
    let img = image::RgbImage::from_fn(4000, 3000, |x, y| {
        let noise = (rng.next_u64() % 48) as u8;
        image::Rgb([
            ((x / 16) % 200) as u8 + noise,
            ((y / 12) % 200) as u8 + noise / 2,
            (((x + y) / 20) % 200) as u8 + noise / 3,
        ])
    });
    let mut out = Cursor::new(Vec::new());
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    encoder.encode_image(&img).expect("jpeg");
    out.into_inner()
}

fn quantiles(times: &[Duration]) -> (f64, f64, f64) {
    let mut ms: Vec<f64> = times.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99), ms[ms.len() - 1])
}

/// A `multipart/form-data` body as a browser sends the upload form.
fn multipart(boundary: &str, csrf: &str, title: &str, file: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in [("csrf_token", csrf), ("title", title)] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

/// Removes a timed photo, so the resource stays under its 50 MB.
async fn remove_medium(app: &TestApp, producer: &common::Actor, id: i64) {
    let gone = app
        .raw(
            "DELETE",
            &format!("/api/v1/media/{id}"),
            Some(&producer.token),
            None,
            Vec::new(),
        )
        .await;
    assert_eq!(gone.status, 204, "{}", gone.text);
}

async fn run(backend: Backend, photo: &[u8], reference: &[Duration]) {
    let name = format!("{backend:?}").to_lowercase();
    let app = TestApp::start(backend).await;
    let agency = app.agency_admin().await;
    let producer = app
        .member_of_new_org(&agency, "producer", "admin", "80021")
        .await;
    let resource = app
        .post(
            "/api/v1/resources",
            Some(&producer.token),
            serde_json::json!({"kind": "exhibition", "title": "Exposition photographiée",
                "description": "Banc d'essai des photos", "themes": ["other"],
                "audiences": ["all"]}),
        )
        .await;
    assert_eq!(resource.status, 201, "{}", resource.text);
    let rid = resource.body["id"].as_i64().expect("resource id");
    let mut copies = Vec::new();
    for i in 0..COPIES {
        let res = app
            .post(
                &format!("/api/v1/resources/{rid}/copies"),
                Some(&producer.token),
                serde_json::json!({"asset_tag": format!("BANC-PHOTO-{i:02}")}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        copies.push(res.body["id"].as_i64().expect("copy id"));
    }

    // Through the API: the file as the body.
    let mut api_times = Vec::new();
    for i in 0..UPLOADS {
        let started = Instant::now();
        let res = app
            .raw(
                "POST",
                &format!("/api/v1/resources/{rid}/media?title=Photo{i}"),
                Some(&producer.token),
                Some("image/jpeg"),
                photo.to_vec(),
            )
            .await;
        api_times.push(started.elapsed());
        assert_eq!(res.status, 201, "{}", res.text);
        // Stay under the resource's 50 MB: each photo leaves once timed.
        remove_medium(&app, &producer, res.body["id"].as_i64().expect("media id")).await;
    }

    // Through the portal's form, signed in as a browser is.
    let session = log_in_through_the_form(&app, &producer.email).await;
    let http = client();
    let get = |path: String| {
        let (http, session, base) = (&http, &session, &app.base);
        async move {
            let mut res = http
                .get(format!("{base}{path}"))
                .insert_header(("Cookie", session.as_str()))
                .send()
                .await
                .expect("page");
            let body = res.body().limit(4 << 20).await.expect("body");
            (
                res.status().as_u16(),
                String::from_utf8_lossy(&body).into_owned(),
            )
        }
    };
    let (status, page) = get(format!("/resources/{rid}")).await;
    assert_eq!(status, 200);
    let marker = "name=\"csrf_token\" value=\"";
    let start = page.find(marker).expect("csrf") + marker.len();
    let csrf = page[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string();
    let boundary = "----itinerance-bench-boundary";
    let mut portal_times = Vec::new();
    for i in 0..UPLOADS {
        let body = multipart(boundary, &csrf, &format!("Photo {i}"), photo);
        let started = Instant::now();
        let res = http
            .post(format!("{}/resources/{rid}/media", app.base))
            .insert_header(("Cookie", session.as_str()))
            .insert_header((
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            ))
            .send_body(body)
            .await
            .expect("upload");
        portal_times.push(started.elapsed());
        assert_eq!(res.status().as_u16(), 303, "the form attaches the photo");
        if i + 1 < UPLOADS {
            let media = app
                .get(
                    &format!("/api/v1/resources/{rid}/media"),
                    Some(&producer.token),
                )
                .await;
            for m in media.body.as_array().cloned().unwrap_or_default() {
                remove_medium(&app, &producer, m["id"].as_i64().expect("media id")).await;
            }
        }
    }
    let (ref_p50, _, _) = quantiles(reference);
    for (what, times) in [
        ("API upload", &api_times),
        ("portal form upload", &portal_times),
    ] {
        let (p50, p99, max) = quantiles(times);
        println!(
            "{name:<9} {what:<20} {:.1} MB n={UPLOADS} median={p50:>7.1} ms p99={p99:>7.1} ms max={max:>7.1} ms  ×{:.2} of the bare resize; target ≤ {UPLOAD_TARGET_S} s: {}",
            photo.len() as f64 / 1e6,
            p50 / ref_p50,
            verdict(max <= UPLOAD_TARGET_S * 1000.0)
        );
    }

    // The pages, one at a time (the photo stays attached: the resource page lists it).
    let pages: [(&str, String, PathMatch); 4] = [
        (
            "resource page with its files",
            format!("/resources/{rid}"),
            Box::new(move |p: &str| p == format!("/resources/{rid}")),
        ),
        (
            "labels of 40 copies",
            format!("/resources/{rid}/labels"),
            Box::new(move |p: &str| p.ends_with("/labels")),
        ),
        (
            "a label's QR code (SVG)",
            format!("/copies/{}/qr.svg", copies[1]),
            Box::new(|p: &str| p.ends_with("/qr.svg")),
        ),
        (
            "a copy's page",
            format!("/copies/{}", copies[0]),
            Box::new(|p: &str| p.starts_with("/copies/")),
        ),
    ];
    for (what, path, matches) in pages {
        for _ in 0..10 {
            assert_eq!(get(path.clone()).await.0, 200, "{path}");
        }
        for _ in 0..PAGES {
            assert_eq!(get(path.clone()).await.0, 200, "{path}");
        }
        match server_side_ms_where("GET", matches, PAGES) {
            Some((p50, p99)) => println!(
                "{name:<9} {what:<29} n={PAGES} server median={p50:>6.2} ms p99={p99:>6.2} ms  target p99 ≤ {PAGE_P99_TARGET_MS} ms: {}",
                verdict(p99 <= PAGE_P99_TARGET_MS)
            ),
            None => println!("{name:<9} {what:<29} no request log lines"),
        }
    }
}

fn main() {
    // `cargo test --benches` runs this binary with `--bench` absent: stay quick there.
    if !std::env::args().any(|a| a == "--bench") {
        println!("benchmarks run with `make bench`");
        return;
    }
    log_requests_to(&shared::request_log());
    let photo = camera_jpeg();
    // The reference: decode and both resizes, in-process, as the service's own function does.
    let mut reference = Vec::new();
    for _ in 0..UPLOADS {
        let started = Instant::now();
        itinerance::media::service::prepare("Photo", photo.clone()).expect("prepare");
        reference.push(started.elapsed());
    }
    let (p50, p99, max) = quantiles(&reference);
    println!(
        "reference decode + 2 resizes in-process, {:.1} MB JPEG 4000×3000: n={UPLOADS} median={p50:.1} ms p99={p99:.1} ms max={max:.1} ms",
        photo.len() as f64 / 1e6
    );
    let only = std::env::var("BENCH_BACKENDS").unwrap_or_default();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let name = format!("{backend:?}").to_lowercase();
        if only.is_empty() || only.split(',').any(|b| b.trim() == name) {
            actix_web::rt::System::new().block_on(run(backend, &photo, &reference));
        }
    }
}

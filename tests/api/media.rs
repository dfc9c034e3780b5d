//! Photos and documents of a resource (issue 24): a producer attaches them, the service judges
//! their type from the bytes and resizes photos, everyone in the network reads them.

use std::io::Cursor;

use crate::builders::{Network, ResourceBuilder, AMIENS};
use crate::common::{Resp, TestApp};
use crate::on_both_backends;

/// A real PNG of this size (a gradient, so that it does not compress to nothing).
pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([(x % 256) as u8, (y % 256) as u8, 128, 200])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A PDF as far as the first bytes go, padded to `size` bytes.
pub(crate) fn pdf(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    bytes.resize(size, b' ');
    bytes
}

async fn upload(
    app: &TestApp,
    token: &str,
    resource: i64,
    title: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Resp {
    app.raw(
        "POST",
        &format!("/api/v1/resources/{resource}/media?title={title}"),
        Some(token),
        Some(content_type),
        body,
    )
    .await
}

/// A photo is stored as sent and served resized (thumbnail 320 px, page 1,280 px, JPEG), with an
/// `ETag` that a second read sends back for a 304; venues list and read it.
async fn a_photo_is_resized_and_served_with_its_etag(app: TestApp) {
    let net = Network::new(&app).await;
    let trunk = ResourceBuilder::trunk("Malle de l'eau")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let original = png(2000, 1000);
    let res = upload(
        &app,
        &net.producer.token,
        trunk.id,
        "Vue%20d%27ensemble",
        "image/png",
        original.clone(),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["kind"], "photo");
    assert_eq!(res.body["content_type"], "image/png");
    assert_eq!(res.body["title"], "Vue d'ensemble");
    assert_eq!(res.body["width"], 2000);
    assert_eq!(res.body["height"], 1000);
    assert_eq!(res.body["byte_size"], original.len() as i64);
    let id = res.body["id"].as_i64().unwrap();

    let list = app
        .get(
            &format!("/api/v1/resources/{}/media", trunk.id),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body.as_array().unwrap().len(), 1);

    let full = app
        .get(&format!("/api/v1/media/{id}"), Some(&net.venue.token))
        .await;
    assert_eq!(full.status, 200);
    assert_eq!(full.content_type, "image/png");
    assert_eq!(full.bytes, original, "the original is served byte for byte");
    for (variant, side) in [("thumbnail", 320), ("page", 1280)] {
        let r = app
            .get(
                &format!("/api/v1/media/{id}/{variant}"),
                Some(&net.venue.token),
            )
            .await;
        assert_eq!(r.status, 200, "{variant}");
        assert_eq!(r.content_type, "image/jpeg", "{variant}");
        let img = image::load_from_memory(&r.bytes).expect("a JPEG");
        assert_eq!((img.width(), img.height()), (side, side / 2), "{variant}");
    }
    let etag = full
        .headers
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let again = app
        .raw_with(
            "GET",
            &format!("/api/v1/media/{id}"),
            Some(&net.venue.token),
            None,
            &[("If-None-Match", &etag)],
            Vec::new(),
        )
        .await;
    assert_eq!(again.status, 304);
    assert!(again.bytes.is_empty());
}

/// The type is judged from the content: a PDF sent as `image/png` is a document (no thumbnail),
/// a web page named like a picture is refused with 415 and nothing is kept.
async fn the_type_comes_from_the_bytes_not_the_label(app: TestApp) {
    let net = Network::new(&app).await;
    let trunk = ResourceBuilder::trunk("Malle du ciel")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let res = upload(
        &app,
        &net.producer.token,
        trunk.id,
        "Guide",
        "image/png",
        pdf(2_000),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["kind"], "document");
    assert_eq!(res.body["content_type"], "application/pdf");
    assert!(res.body["thumbnail_url"].is_null());
    let id = res.body["id"].as_i64().unwrap();
    let thumb = app
        .get(
            &format!("/api/v1/media/{id}/thumbnail"),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(thumb.status, 404);
    let served = app
        .get(&format!("/api/v1/media/{id}"), Some(&net.venue.token))
        .await;
    assert_eq!(served.content_type, "application/pdf");

    let html = b"<html><script>alert(1)</script></html>".to_vec();
    let refused = upload(
        &app,
        &net.producer.token,
        trunk.id,
        "photo.png",
        "image/png",
        html,
    )
    .await;
    assert_eq!(refused.status, 415, "{}", refused.text);
    assert_eq!(refused.code(), "unsupported_media_type");
    let broken = upload(
        &app,
        &net.producer.token,
        trunk.id,
        "Cassee",
        "image/png",
        b"\x89PNG\r\n\x1a\nnot really".to_vec(),
    )
    .await;
    assert_eq!(broken.status, 422, "{}", broken.text);
    let empty_title = upload(
        &app,
        &net.producer.token,
        trunk.id,
        "%20",
        "application/pdf",
        pdf(100),
    )
    .await;
    assert_eq!(empty_title.status, 422);
    assert_eq!(empty_title.fields(), vec!["title"]);
    let list = app
        .get(
            &format!("/api/v1/resources/{}/media", trunk.id),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(
        list.body.as_array().unwrap().len(),
        1,
        "only the PDF was kept"
    );
}

/// 10 MB a file and 50 MB a resource: beyond, 413 and nothing kept.
async fn files_and_resources_have_a_size_limit(app: TestApp) {
    let net = Network::new(&app).await;
    let trunk = ResourceBuilder::trunk("Malle lourde")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let too_big = upload(
        &app,
        &net.producer.token,
        trunk.id,
        "Trop",
        "application/pdf",
        pdf(10 * 1024 * 1024 + 1),
    )
    .await;
    assert_eq!(too_big.status, 413, "{}", too_big.text);
    assert_eq!(too_big.code(), "payload_too_large");
    for i in 0..5 {
        let ok = upload(
            &app,
            &net.producer.token,
            trunk.id,
            &format!("Livret{i}"),
            "application/pdf",
            pdf(10 * 1024 * 1024),
        )
        .await;
        assert_eq!(ok.status, 201, "file {i}: {}", ok.text);
    }
    let over = upload(
        &app,
        &net.producer.token,
        trunk.id,
        "Encore",
        "application/pdf",
        pdf(1_000),
    )
    .await;
    assert_eq!(over.status, 413, "{}", over.text);
    assert_eq!(over.code(), "payload_too_large");
    let list = app
        .get(
            &format!("/api/v1/resources/{}/media", trunk.id),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(list.body.as_array().unwrap().len(), 5);
}

/// Only the resource's producer (or the agency) attaches and removes files; removal is audited.
async fn only_the_producer_attaches_and_removes(app: TestApp) {
    let net = Network::new(&app).await;
    let other = app.producer(&net.agency, AMIENS).await;
    let trunk = ResourceBuilder::trunk("Malle des sons")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    for who in [&net.venue, &other] {
        let r = upload(
            &app,
            &who.token,
            trunk.id,
            "Intrus",
            "application/pdf",
            pdf(500),
        )
        .await;
        assert_eq!(r.status, 403, "{}", r.text);
    }
    let by_agency = upload(
        &app,
        &net.agency.token,
        trunk.id,
        "Fiche",
        "application/pdf",
        pdf(500),
    )
    .await;
    assert_eq!(by_agency.status, 201, "{}", by_agency.text);
    let id = by_agency.body["id"].as_i64().unwrap();
    let r = app
        .delete(&format!("/api/v1/media/{id}"), Some(&other.token))
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .delete(&format!("/api/v1/media/{id}"), Some(&net.producer.token))
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let gone = app
        .get(&format!("/api/v1/media/{id}"), Some(&net.producer.token))
        .await;
    assert_eq!(gone.status, 404);
    let audit = app
        .get(
            "/api/v1/audit?object_type=resource_media",
            Some(&net.agency.token),
        )
        .await;
    let actions: Vec<&str> = audit
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"media.created") && actions.contains(&"media.deleted"),
        "{actions:?}"
    );
}

on_both_backends!(
    a_photo_is_resized_and_served_with_its_etag,
    the_type_comes_from_the_bytes_not_the_label,
    files_and_resources_have_a_size_limit,
    only_the_producer_attaches_and_removes,
);

//! Serving a resource's photos and documents: the one home of their HTTP answer (`ETag`,
//! `If-None-Match`, caching, a sandbox policy, a file name), shared by the API's media routes and
//! the portal's, so a browser and a partner get the same bytes under the same rules.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

use crate::error::Result;
use crate::media::model::Media;
use crate::media::{service, Variant};
use crate::state::AppState;

/// One rendering of a medium with its `ETag` (`If-None-Match` answers 304 without reading the
/// bytes) and a day of private caching.
pub async fn serve_medium(
    state: &AppState,
    req: &HttpRequest,
    id: i64,
    variant: Variant,
) -> Result<HttpResponse> {
    let etag = state
        .run(move |conn| service::get(conn, id))
        .await
        .map(|m| etag_of(&m, variant))?;
    if if_none_match(req, &etag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, "private, max-age=86400"))
            .finish());
    }
    let (media, bytes) = state
        .run(move |conn| service::content(conn, id, variant))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(service::content_type_of(&media, variant).to_string())
        .insert_header((header::ETAG, etag_of(&media, variant)))
        .insert_header((header::CACHE_CONTROL, "private, max-age=86400"))
        // A PDF or a picture never runs anything in this origin.
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'",
        ))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{}\"", file_name(&media, variant)),
        ))
        .body(bytes))
}

fn etag_of(media: &Media, variant: Variant) -> String {
    match variant {
        Variant::Original => format!("\"{}\"", media.sha256),
        other => format!("\"{}-{other}\"", media.sha256),
    }
}

fn if_none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == "*" || v.split(',').any(|t| t.trim() == etag))
}

/// A file name for saving: the title in plain ASCII letters and digits, with the extension of
/// what is served.
fn file_name(media: &Media, variant: Variant) -> String {
    let stem: String = media
        .title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let ext = match service::content_type_of(media, variant) {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/webp" => "webp",
        _ => "jpg",
    };
    format!("{}.{ext}", stem.trim_matches('-'))
}

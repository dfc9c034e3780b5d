//! Media endpoints: attach a photo or document to a resource, list them, serve them.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Principal;
use crate::api::run_json;
use crate::error::Error;
use crate::http::{ApiResult, Problem};
use crate::media::model::Media;
use crate::media::{service, Variant};
use crate::state::AppState;

/// Registers the media routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(upload)
        .service(list)
        .service(original)
        .service(thumbnail)
        .service(page)
        .service(remove);
}

/// How an upload names its file.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// What the file is, for the people who see it ("Guide de montage", "Livret enseignant"):
    /// 1 to 200 characters.
    title: String,
}

/// Attaches a photo (JPEG, PNG, WebP) or a document (PDF) to a resource: the body is the file
/// itself. Its type is judged from its content, never from its name or `Content-Type`; a photo is
/// resized by the service to a thumbnail (320 px) and a page size (1,280 px). At most 10 MB a
/// file and 50 MB for all files of a resource (413). The resource's producer or the agency.
#[utoipa::path(
    tag = "media",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The resource"), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file's bytes (a JPEG, PNG or WebP photo, or a PDF)"),
    responses(
        (status = 201, description = "The file, attached", body = Media),
        (status = 400, description = "No `title`, or an unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another producer's resource", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "More than 10 MB, or the resource's files would weigh more than 50 MB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither a JPEG, PNG or WebP photo nor a PDF", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or too long title; a photo that cannot be decoded", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/resources/{id}/media")]
async fn upload(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<i64>,
    query: web::Query<UploadQuery>,
    mut body: web::Payload,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let resource_id = path.into_inner();
    let title = query.into_inner().title;
    // Read as a stream: the JSON body limit of other routes does not apply to a file (the input
    // hygiene already refused more than the file limit).
    let mut bytes = Vec::new();
    while let Some(chunk) = futures_util::StreamExt::next(&mut body).await {
        let chunk = chunk.map_err(crate::http::problem::payload_error)?;
        bytes.extend_from_slice(&chunk);
    }
    // Decoding and resizing a photo takes a core for a moment: done off the server's threads and
    // before a database connection is taken.
    let prepared = web::block(move || service::prepare(&title, bytes))
        .await
        .map_err(|e| Error::Internal(format!("resizing stopped: {e}")))??;
    let now = clock.naive();
    let media = state
        .run(move |conn| service::attach(conn, &principal, resource_id, &prepared, now))
        .await?;
    Ok(HttpResponse::Created().json(media))
}

/// The photos and documents of a resource, oldest first, without their bytes (each names its
/// `url`, and a photo its `thumbnail_url` and `page_url`).
#[utoipa::path(
    tag = "media",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The resource")),
    responses(
        (status = 200, description = "The resource's files", body = Vec<Media>),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/resources/{id}/media")]
async fn list(
    state: web::Data<AppState>,
    _principal: Principal,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Vec<Media>>> {
    let id = path.into_inner();
    run_json(&state, move |conn| service::list(conn, id)).await
}

async fn serve(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: i64,
    variant: Variant,
) -> ApiResult<HttpResponse> {
    Ok(crate::http::files::serve_medium(&state, &req, id, variant).await?)
}

/// A resource's file as uploaded.
#[utoipa::path(
    tag = "media",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The medium")),
    responses(
        (status = 200, description = "The file", content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"), (Vec<u8> = "image/webp"), (Vec<u8> = "application/pdf"))),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`"),
        (status = 404, description = "No such medium", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/media/{id}")]
async fn original(
    state: web::Data<AppState>,
    _principal: Principal,
    req: HttpRequest,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    serve(state, req, path.into_inner(), Variant::Original).await
}

/// A photo's thumbnail (JPEG, longest side 320 px); 404 for a document.
#[utoipa::path(
    tag = "media",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The medium")),
    responses(
        (status = 200, description = "The thumbnail", content((Vec<u8> = "image/jpeg"))),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`"),
        (status = 404, description = "No such medium, or a document", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/media/{id}/thumbnail")]
async fn thumbnail(
    state: web::Data<AppState>,
    _principal: Principal,
    req: HttpRequest,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    serve(state, req, path.into_inner(), Variant::Thumbnail).await
}

/// A photo at page size (JPEG, longest side 1,280 px); 404 for a document.
#[utoipa::path(
    tag = "media",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The medium")),
    responses(
        (status = 200, description = "The photo at page size", content((Vec<u8> = "image/jpeg"))),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`"),
        (status = 404, description = "No such medium, or a document", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/media/{id}/page")]
async fn page(
    state: web::Data<AppState>,
    _principal: Principal,
    req: HttpRequest,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    serve(state, req, path.into_inner(), Variant::Page).await
}

/// Removes a file from its resource (its producer or the agency).
#[utoipa::path(
    tag = "media",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The medium")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Another producer's resource", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such medium", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/media/{id}")]
async fn remove(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let id = path.into_inner();
    let now = clock.naive();
    state
        .run(move |conn| service::remove(conn, &principal, id, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

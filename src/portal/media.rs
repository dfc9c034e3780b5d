//! A resource's photos and documents in the browser: served to any signed-in person under the
//! same rules as the API's (one home: [`crate::http::files`]), attached by the resource's producer
//! (or the agency) from a form on the resource page, and removed from it. The media service
//! decides everything (type sniffed from the bytes, sizes, who may); a refusal comes back as the
//! resource page with the reason next to the form, and nothing is stored.

use actix_web::http::StatusCode;
use actix_web::{web, HttpMessage};
use futures_util::StreamExt;

use super::form::{Errors, Fields};
use super::lang::Lang;
use super::resources::resource_page;
use super::session::SignedForm;
use super::session::{self, signed_in};
use super::{see_other, PortalError, Req, State};
use super::{Page, PathId};
use crate::error::{Code, Error};
use crate::http::hygiene::BodyTooLarge;
use crate::media::{service, Variant};

/// `GET /media/{id}`: a file as uploaded (a PDF opens in the browser).
pub async fn original(state: State, req: Req, id: PathId) -> Page {
    serve(state, req, id.into_inner(), Variant::Original).await
}

/// `GET /media/{id}/thumbnail`: a photo's thumbnail (320 px).
pub async fn thumbnail(state: State, req: Req, id: PathId) -> Page {
    serve(state, req, id.into_inner(), Variant::Thumbnail).await
}

/// `GET /media/{id}/page`: a photo at page size (1,280 px).
pub async fn page_size(state: State, req: Req, id: PathId) -> Page {
    serve(state, req, id.into_inner(), Variant::Page).await
}

async fn serve(state: State, req: Req, id: i64, variant: Variant) -> Page {
    signed_in(&state, &req).await?;
    Ok(crate::http::files::serve_medium(&state, &req, id, variant).await?)
}

/// What an upload form sent: its text fields and the file (absent when none was chosen).
struct Upload {
    fields: Fields,
    file: Option<Vec<u8>>,
}

/// Reads a `multipart/form-data` body (already bounded by the input hygiene); a body that is not
/// one is a 400, never a stored half.
async fn read_upload(req: &Req, payload: web::Payload) -> Result<Upload, PortalError> {
    let malformed = |e: actix_multipart::MultipartError| {
        PortalError::Domain(Error::conflict(
            Code::MalformedRequest,
            format!("the upload form's body cannot be read: {e}"),
        ))
    };
    let mut multipart = actix_multipart::Multipart::new(req.headers(), payload);
    let mut pairs = Vec::new();
    let mut file = None;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(malformed)?;
        let name = field.name().unwrap_or_default().to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            bytes.extend_from_slice(&chunk.map_err(malformed)?);
        }
        if name == "file" {
            // A file input left empty still sends a part, with no file name and no bytes.
            if !bytes.is_empty() {
                file = Some(bytes);
            }
        } else {
            pairs.push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    Ok(Upload {
        fields: Fields::from_pairs(pairs),
        file,
    })
}

/// `POST /resources/{id}/media`: the producer attaches a photo or a PDF from the resource page;
/// back to the page's files on success, the page again with the reason otherwise.
pub async fn upload(state: State, req: Req, id: PathId, payload: web::Payload) -> Page {
    let clock = state.clock;
    let s = signed_in(&state, &req).await?;
    let resource_id = id.into_inner();
    let lang = Lang::of_session(&s);
    let t = lang.t();
    let too_large = req.extensions().get::<BodyTooLarge>().is_some();
    let upload = if too_large {
        None
    } else {
        Some(read_upload(&req, payload).await?)
    };
    let mut errors = Errors::default();
    let (fields, file) = match upload {
        // Over the limit: the body (and its CSRF token) was dropped unread; nothing is changed
        // and the page says why.
        None => {
            errors.add("file", t.media_too_large);
            (Fields::default(), None)
        }
        Some(upload) => {
            session::check_csrf(&s, &upload.fields)?;
            (upload.fields, upload.file)
        }
    };
    let title = fields.value("title");
    if !too_large {
        if service::check_title(&title).is_err() {
            errors.add("title", t.media_title_missing);
        }
        if file.is_none() {
            errors.add("file", t.media_file_missing);
        }
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if too_large {
        status = StatusCode::PAYLOAD_TOO_LARGE;
    }
    if let (true, Some(bytes)) = (errors.is_empty(), file) {
        let p = s.principal.clone();
        let now = clock.naive();
        let name = title.clone();
        // Decoding and resizing a photo takes a core for a moment: off the server's threads.
        let prepared = web::block(move || service::prepare(&name, bytes))
            .await
            .map_err(|e| Error::Internal(format!("resizing stopped: {e}")))?;
        // Where a refusal came from says what it means: a file over 10 MB is refused while it
        // is prepared, a resource over 50 MB when it is attached.
        let attached = match prepared {
            Ok(prepared) => state
                .run(move |conn| service::attach(conn, &p, resource_id, &prepared, now))
                .await
                .map(|_| ())
                .map_err(|e| (e, t.media_resource_full)),
            Err(e) => Err((e, t.media_too_large)),
        };
        match attached {
            Ok(()) => return Ok(see_other(&format!("/resources/{resource_id}#fichiers"))),
            Err((e, too_large_means)) => {
                let (field, message) = match (e.code(), &e) {
                    (Code::PayloadTooLarge, _) => ("file", too_large_means),
                    (Code::UnsupportedMediaType, _) => ("file", t.media_wrong_type),
                    (Code::ValidationFailed, Error::Validation(f))
                        if f.iter().any(|f| f.field == "title") =>
                    {
                        ("title", t.media_title_missing)
                    }
                    (Code::ValidationFailed, _) => ("file", t.media_unreadable),
                    _ => return Err(e.into()),
                };
                status = StatusCode::from_u16(e.code().status()).unwrap_or(status);
                errors.add(field, message);
            }
        }
    }
    resource_page(
        &state,
        &s,
        resource_id,
        &fields,
        None,
        errors,
        Vec::new(),
        status,
    )
    .await
}

/// `POST /media/{id}/delete`: the producer removes a file; back to the resource's files.
pub async fn remove(state: State, id: PathId, SignedForm(s, _): SignedForm) -> Page {
    let clock = state.clock;
    let id = id.into_inner();
    let p = s.principal.clone();
    let now = clock.naive();
    let resource_id = state
        .run(move |conn| {
            let media = service::get(conn, id)?;
            service::remove(conn, &p, id, now)?;
            Ok(media.resource_id)
        })
        .await?;
    Ok(see_other(&format!("/resources/{resource_id}#fichiers")))
}

/// The size of a file for a person: `340 Ko`, `1,2 Mo`.
pub fn megabytes(lang: Lang, bytes: i64) -> String {
    let t = lang.t();
    let number = |value: f64, places: usize| match lang {
        Lang::Fr => crate::page::decimal(value, places),
        Lang::En => format!("{value:.places$}"),
    };
    if bytes < 1024 * 1024 {
        let kb = (bytes as f64 / 1024.0).ceil().max(1.0);
        return format!("{}\u{a0}{}", number(kb, 0), t.media_kilobytes);
    }
    let mb = bytes as f64 / (1024.0 * 1024.0);
    let places = if mb < 10.0 { 1 } else { 0 };
    format!("{}\u{a0}{}", number(mb, places), t.media_megabytes)
}

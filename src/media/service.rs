//! The rules of a resource's files: who attaches them, what is accepted, what is served.

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use super::model::{Media, MAX_FILE_BYTES, MAX_RESOURCE_BYTES, PAGE_SIDE, THUMBNAIL_SIDE};
use super::sniff::{sniff, Sniffed};
use super::store::{self, MediaInsert, MediaRow};
use super::{resize, MediaKind, Variant};
use crate::access::{policy, Principal};
use crate::db::{write_transaction, DbConnection};
use crate::error::{Code, Error, Result, Validator};

/// A file checked and rendered, ready to store: the slow part of an upload (decoding and
/// resizing a photo) is done before any database connection is taken.
pub struct Prepared {
    title: String,
    sniffed: Sniffed,
    sha256: String,
    original: Vec<u8>,
    photo: Option<resize::Resized>,
}

fn too_large(detail: String) -> Error {
    Error::conflict(Code::PayloadTooLarge, detail)
}

/// Checks an upload and renders a photo's thumbnail and page size: a title of 1 to 200
/// characters, at most 10 MB, and bytes that are a JPEG, PNG, WebP or PDF whatever the name or
/// the declared type say (415 otherwise); a photo that does not decode is refused too.
pub fn prepare(title: &str, bytes: Vec<u8>) -> Result<Prepared> {
    let title = check_title(title)?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large(format!(
            "a file is at most {} MB; this one is {:.1} MB",
            MAX_FILE_BYTES / (1024 * 1024),
            bytes.len() as f64 / (1024.0 * 1024.0)
        )));
    }
    let sniffed = sniff(&bytes).ok_or_else(|| {
        Error::conflict(
            Code::UnsupportedMediaType,
            "the file is neither a JPEG, PNG or WebP photo nor a PDF document (judged from its \
             content, not its name)"
                .to_string(),
        )
    })?;
    let photo = match sniffed.kind {
        MediaKind::Photo => {
            let format = match sniffed.content_type {
                "image/png" => image::ImageFormat::Png,
                "image/webp" => image::ImageFormat::WebP,
                _ => image::ImageFormat::Jpeg,
            };
            let resized =
                resize::resize(&bytes, format, THUMBNAIL_SIDE, PAGE_SIDE).map_err(|why| {
                    Error::invalid("file", format!("the photo cannot be read: {why}"))
                })?;
            Some(resized)
        }
        MediaKind::Document => None,
    };
    let sha256 = hex(&Sha256::digest(&bytes));
    Ok(Prepared {
        title,
        sniffed,
        sha256,
        original: bytes,
        photo,
    })
}

/// A file's title, trimmed: 1 to 200 characters (422 on `title` otherwise). A form asks it before
/// it has a file, to name every fault at once.
pub fn check_title(title: &str) -> Result<String> {
    let title = title.trim().to_string();
    let mut v = Validator::new();
    v.name("title", &title, 200);
    v.finish()?;
    Ok(title)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Attaches a prepared file to a resource of the caller's catalogue (its producer or the agency);
/// refused with 413 when the resource's files would weigh more than 50 MB together.
pub fn attach(
    conn: &mut DbConnection,
    p: &Principal,
    resource_id: i64,
    file: &Prepared,
    now: NaiveDateTime,
) -> Result<Media> {
    let resource = crate::catalogue::service::get_resource(conn, resource_id)?;
    policy::write_catalogue(p, resource.producer_id)?;
    let size = i64::try_from(file.original.len()).unwrap_or(i64::MAX);
    let row = write_transaction(conn, |conn| {
        let held = store::total_bytes(conn, resource_id)?;
        if held.saturating_add(size) > MAX_RESOURCE_BYTES {
            return Err(too_large(format!(
                "the files of a resource weigh at most {} MB together; this one holds {:.1} MB",
                MAX_RESOURCE_BYTES / (1024 * 1024),
                held as f64 / (1024.0 * 1024.0)
            )));
        }
        let photo = file.photo.as_ref();
        let row = store::insert(
            conn,
            &MediaInsert {
                resource_id,
                kind: file.sniffed.kind,
                title: &file.title,
                content_type: file.sniffed.content_type,
                byte_size: size,
                sha256: &file.sha256,
                width: photo.and_then(|r| i32::try_from(r.width).ok()),
                height: photo.and_then(|r| i32::try_from(r.height).ok()),
                original: &file.original,
                thumbnail: photo.map(|r| r.thumbnail.as_slice()),
                page: photo.map(|r| r.page.as_slice()),
                created_at: now,
                created_by_organization: p.organization_id,
            },
        )?;
        crate::audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::MediaCreated,
            row.id,
            &serde_json::json!({
                "resource_id": resource_id,
                "title": file.title,
                "content_type": file.sniffed.content_type,
                "byte_size": size,
            }),
            now,
        )?;
        Ok(row)
    })?;
    Ok(present(row))
}

/// The photos and documents of a live resource, oldest first (any signed-in caller: the
/// catalogue is open to the network).
pub fn list(conn: &mut DbConnection, resource_id: i64) -> Result<Vec<Media>> {
    crate::catalogue::service::get_resource(conn, resource_id)?;
    Ok(store::list(conn, resource_id)?
        .into_iter()
        .map(present)
        .collect())
}

/// One medium's description.
pub fn get(conn: &mut DbConnection, id: i64) -> Result<Media> {
    Ok(present(find_live(conn, id)?))
}

/// The bytes of one rendering with its description (a document has only its original: 404).
pub fn content(conn: &mut DbConnection, id: i64, variant: Variant) -> Result<(Media, Vec<u8>)> {
    let row = find_live(conn, id)?;
    let bytes = store::bytes(conn, id, variant)?
        .ok_or_else(|| Error::NotFound(format!("{variant} of medium {id}")))?;
    Ok((present(row), bytes))
}

/// Removes a file from its resource (its producer or the agency), audited.
pub fn remove(conn: &mut DbConnection, p: &Principal, id: i64, now: NaiveDateTime) -> Result<()> {
    let row = find_live(conn, id)?;
    let resource = crate::catalogue::service::get_resource(conn, row.resource_id)?;
    policy::write_catalogue(p, resource.producer_id)?;
    write_transaction(conn, |conn| {
        if !store::delete(conn, id)? {
            return Err(Error::NotFound(format!("medium {id}")));
        }
        crate::audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::MediaDeleted,
            id,
            &serde_json::json!({ "resource_id": row.resource_id, "title": row.title }),
            now,
        )
    })
}

/// A medium whose resource is still in the catalogue.
fn find_live(conn: &mut DbConnection, id: i64) -> Result<MediaRow> {
    let row = store::find(conn, id)?.ok_or_else(|| Error::NotFound(format!("medium {id}")))?;
    crate::catalogue::service::get_resource(conn, row.resource_id)
        .map_err(|_| Error::NotFound(format!("medium {id}")))?;
    Ok(row)
}

/// The content type a rendering is served with.
pub fn content_type_of(media: &Media, variant: Variant) -> &str {
    match variant {
        Variant::Original => &media.content_type,
        Variant::Thumbnail | Variant::Page => "image/jpeg",
    }
}

fn present(row: MediaRow) -> Media {
    let base = format!("/api/v1/media/{}", row.id);
    let photo = row.kind == MediaKind::Photo;
    Media {
        id: row.id,
        resource_id: row.resource_id,
        kind: row.kind,
        title: row.title,
        content_type: row.content_type,
        byte_size: row.byte_size,
        sha256: row.sha256,
        width: row.width,
        height: row.height,
        thumbnail_url: photo.then(|| format!("{base}/thumbnail")),
        page_url: photo.then(|| format!("{base}/page")),
        url: base,
        created_at: row.created_at,
    }
}

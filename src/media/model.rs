//! What a medium is on the wire, and the limits that hold for every upload.

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

/// The largest file accepted (10 MB): a phone photo or a printed booklet fits.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// What all files of one resource may weigh together (50 MB), so that one resource cannot fill
/// the database every instance shares.
pub const MAX_RESOURCE_BYTES: i64 = 50 * 1024 * 1024;

/// The longest side of a thumbnail, in pixels (lists, search results).
pub const THUMBNAIL_SIDE: u32 = 320;

/// The longest side of a photo shown on a page, in pixels.
pub const PAGE_SIDE: u32 = 1280;

/// Whether a request path is an API upload, whose body is a file (10 MB) rather than JSON: the
/// input hygiene reads it with the file limit and leaves its bytes alone.
pub fn is_upload_path(path: &str) -> bool {
    path.strip_prefix("/api/v1")
        .is_some_and(is_resource_media_path)
}

/// Whether a request path is the portal's upload form (`multipart/form-data` from a browser):
/// read with the file limit and a little room for the form's other fields, and a body over it is
/// handed on as too large (the page says so) rather than refused as an API problem.
pub fn is_portal_upload_path(path: &str) -> bool {
    is_resource_media_path(path)
}

/// The room a portal upload's form fields and multipart framing take beside the file.
pub const FORM_OVERHEAD_BYTES: usize = 64 * 1024;

fn is_resource_media_path(path: &str) -> bool {
    path.strip_prefix("/resources/")
        .and_then(|rest| rest.strip_suffix("/media"))
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

crate::stored_enum! {
    /// Whether a file is shown (a photo) or read (a document).
    pub enum MediaKind {
        /// A JPEG, PNG or WebP picture, served resized as well.
        Photo => "photo",
        /// A PDF: setup guide, teacher booklet, crate list.
        Document => "document",
    }
}

crate::text_enum! {
    /// Which rendering of a medium to serve.
    pub enum Variant {
        /// The file as uploaded.
        Original => "original",
        /// A photo's longest side at 320 px (JPEG).
        Thumbnail => "thumbnail",
        /// A photo's longest side at 1,280 px (JPEG).
        Page => "page",
    }
}

/// A photo or document of a resource, without its bytes (served at `url`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Media {
    pub id: i64,
    pub resource_id: i64,
    pub kind: MediaKind,
    /// What the file is, as the producer named it ("Guide de montage").
    pub title: String,
    /// The type sniffed from the bytes: `image/jpeg`, `image/png`, `image/webp` or
    /// `application/pdf`.
    pub content_type: String,
    pub byte_size: i64,
    /// SHA-256 of the original, hex: also its `ETag`.
    pub sha256: String,
    /// A photo's size in pixels.
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// The file as uploaded.
    pub url: String,
    /// A photo's thumbnail (JPEG, 320 px), absent for a document.
    pub thumbnail_url: Option<String>,
    /// A photo at page size (JPEG, 1,280 px), absent for a document.
    pub page_url: Option<String>,
    #[serde(with = "crate::timestamp::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_are_told_apart_by_their_front_door() {
        assert!(is_upload_path("/api/v1/resources/12/media"));
        assert!(!is_upload_path("/resources/12/media"));
        assert!(is_portal_upload_path("/resources/12/media"));
        assert!(!is_portal_upload_path("/api/v1/resources/12/media"));
        for other in [
            "/resources//media",
            "/resources/1x/media",
            "/resources/12/media/3",
            "/api/v1/resources/12",
        ] {
            assert!(
                !is_upload_path(other) && !is_portal_upload_path(other),
                "{other}"
            );
        }
    }
}

//! A file's type from its first bytes (magic numbers): the name and the declared type are the
//! uploader's word, the bytes are the file.

use super::MediaKind;

/// A type the service accepts, from the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub content_type: &'static str,
    pub kind: MediaKind,
}

/// The accepted type these bytes begin with, or `None` (anything else is refused).
///
/// ```
/// use itinerance::media::sniff::sniff;
/// assert_eq!(sniff(b"%PDF-1.7\n...").unwrap().content_type, "application/pdf");
/// assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....").unwrap().content_type, "image/png");
/// assert!(sniff(b"<html>").is_none());
/// assert!(sniff(b"GIF89a").is_none());
/// ```
pub fn sniff(bytes: &[u8]) -> Option<Sniffed> {
    let photo = |content_type| Sniffed {
        content_type,
        kind: MediaKind::Photo,
    };
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(photo("image/jpeg"))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(photo("image/png"))
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(photo("image/webp"))
    } else if bytes.starts_with(b"%PDF-") {
        Some(Sniffed {
            content_type: "application/pdf",
            kind: MediaKind::Document,
        })
    } else {
        None
    }
}

//! Input hygiene before any handler sees a request: no control characters in paths, query
//! strings or JSON text (PostgreSQL refuses a NUL byte in text, and nobody types a bell or an
//! escape into a title), no date outside the years 1900–2199 (SQLite compares dates as text, and
//! a year 10000 broke it), and no body that trickles in slowly enough to hold a worker for
//! minutes.
//! Tabs and line breaks stay allowed in bodies, where text may span lines.

use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::HttpMessage;
use futures_util::StreamExt;

use super::problem::ApiError;
use crate::error::Error;

/// How long a client may take to send a whole body.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether a percent-encoded path or query string encodes a control character (`%00`–`%1F`,
/// `%7F`).
pub fn encodes_control(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    bytes.windows(3).any(|w| {
        w[0] == b'%'
            && matches!(
                (w[1].to_ascii_lowercase(), w[2].to_ascii_lowercase()),
                (b'0' | b'1', b'0'..=b'9' | b'a'..=b'f') | (b'7', b'f')
            )
    }) || bytes.iter().any(|b| *b < 0x20 || *b == 0x7f)
}

/// Whether a JSON text carries, inside a string, a control character other than tab, line feed
/// and carriage return: an escape `\u0000`–`\u001F` (but `\u0009`, `\u000A`, `\u000D`), `\u007F`,
/// `\b` or `\f`. Raw control bytes are invalid JSON and refused by the parser anyway.
pub fn json_has_control(body: &[u8]) -> bool {
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'\\' {
            i += 1;
            continue;
        }
        match body.get(i + 1) {
            Some(b'b' | b'f') => return true,
            Some(b'u') => {
                let hex = body.get(i + 2..i + 6).unwrap_or(&[]);
                if let Some(code) = std::str::from_utf8(hex)
                    .ok()
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                {
                    if (code < 0x20 && !matches!(code, 0x09 | 0x0a | 0x0d)) || code == 0x7f {
                        return true;
                    }
                }
                i += 6;
            }
            // Any other escape (`\\`, `\"`, `\n`, …) is two characters.
            _ => i += 2,
        }
    }
    false
}

/// Whether a text holds a control character other than tab and line breaks.
fn has_control(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r') && (c as u32) < 0x80)
}

/// Where in a JSON document the texts (string values and member names) for which `bad` holds
/// are, in document order (`title`, `lines[2].label`), for the problem's `errors`.
fn texts_where(
    value: &serde_json::Value,
    path: &str,
    bad: &dyn Fn(&str) -> bool,
    found: &mut Vec<String>,
) {
    match value {
        serde_json::Value::String(s) if bad(s) => found.push(path.to_string()),
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                texts_where(v, &format!("{path}[{i}]"), bad, found);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if bad(k) {
                    found.push(k.escape_debug().to_string());
                    continue;
                }
                let child = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                texts_where(v, &child, bad, found);
            }
        }
        _ => {}
    }
}

/// The first text with a control character.
fn path_of_control(value: &serde_json::Value, path: &str) -> Option<String> {
    let mut found = Vec::new();
    texts_where(value, path, &has_control, &mut found);
    found.into_iter().next()
}

/// The years a date may name: four digits, so that dates compare as text on SQLite the way
/// they do as dates, and nothing is planned for the year 10000.
pub const YEARS: std::ops::RangeInclusive<i64> = 1900..=2199;

/// Whether a text is a date (`YYYY-MM-DD`, or a signed or longer year) outside [`YEARS`]: by
/// shape, and by chrono's own reading (what `NaiveDate` fields accept, spaces and short years
/// included), so that no form chrono takes for a date escapes the bound.
pub fn is_date_out_of_range(text: &str) -> bool {
    use chrono::Datelike;
    if text
        .parse::<chrono::NaiveDate>()
        .is_ok_and(|d| !YEARS.contains(&i64::from(d.year())))
        || text
            .parse::<chrono::DateTime<chrono::FixedOffset>>()
            .is_ok_and(|t| !YEARS.contains(&i64::from(t.year())))
    {
        return true;
    }
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let mut parts = body.rsplitn(3, '-');
    let (Some(day), Some(month), Some(year)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(day, 2) && digits(month, 2))
        || year.is_empty()
        || !year.bytes().all(|b| b.is_ascii_digit())
    {
        return false;
    }
    body.len() != text.len()
        || year.len() != 4
        || !year.parse::<i64>().is_ok_and(|y| YEARS.contains(&y))
}

fn date_error(field: &str) -> ApiError {
    dates_error(&[field.to_string()])
}

fn dates_error(fields: &[String]) -> ApiError {
    let mut v = crate::error::Validator::new();
    for field in fields {
        v.add(
            field,
            format!(
                "dates must lie between the years {} and {}",
                YEARS.start(),
                YEARS.end()
            ),
        );
    }
    match v.finish() {
        Err(e) => e.into(),
        Ok(()) => Error::Internal("no field to report".into()).into(),
    }
}

fn control_error(field: &str) -> ApiError {
    Error::invalid(
        field,
        "must not contain control characters (tabs and line breaks are allowed in text)",
    )
    .into()
}

/// The middleware: refuses control characters in the path and query string (422 before any
/// authentication, so no database sees them), reads a body within [`BODY_READ_TIMEOUT`] and the
/// configured size (408, 413), refuses control characters in a JSON body (422 naming the field),
/// then hands the body on to the handler.
pub async fn clean_input(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Refusals are answered here, as responses, so that the outer middleware (headers, logs)
    // sees them like any other answer.
    match check(&mut req).await {
        Ok(()) => Ok(next.call(req).await?.map_into_boxed_body()),
        Err(refusal) => Ok(req.error_response(refusal)),
    }
}

async fn check(req: &mut ServiceRequest) -> Result<(), ApiError> {
    if encodes_control(req.uri().path()) {
        return Err(control_error("path"));
    }
    if req.uri().query().is_some_and(encodes_control) {
        return Err(control_error("query"));
    }
    if let Some(query) = req.uri().query() {
        // Judged as the handlers read them: after percent-decoding (`%2D` is `-`).
        let pairs = web::Query::<Vec<(String, String)>>::from_query(query)
            .map(|q| q.into_inner())
            .unwrap_or_default();
        if let Some((name, _)) = pairs.iter().find(|(_, v)| is_date_out_of_range(v)) {
            return Err(date_error(name));
        }
    }
    if !matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH) {
        return Ok(());
    }
    // A file upload is its bytes, not JSON: read with the file limit, and none of the JSON
    // checks below apply to it.
    let upload = crate::media::model::is_upload_path(req.path());
    let portal_upload = crate::media::model::is_portal_upload_path(req.path());
    if portal_upload {
        return read_portal_upload(req).await;
    }
    let limit = if upload {
        crate::media::model::MAX_FILE_BYTES
    } else {
        req.app_data::<web::Data<crate::state::AppState>>()
            .map(|s| s.config.body_limit_bytes)
            .unwrap_or(262_144)
    };
    let mut payload = req.take_payload();
    let read = async {
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(super::problem::payload_error)?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::PayloadTooLarge(limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    };
    let body: Bytes = match actix_web::rt::time::timeout(BODY_READ_TIMEOUT, read).await {
        Ok(read) => read?,
        Err(_) => return Err(ApiError::BodyTimeout(BODY_READ_TIMEOUT.as_secs())),
    };
    if upload {
        let (_, mut replay) = actix_http::h1::Payload::create(true);
        replay.unread_data(body);
        req.set_payload(actix_web::dev::Payload::from(replay));
        return Ok(());
    }
    // Every documented body is an object (or null): serde would read a struct from an array, so
    // `[]` would pass as a body whose fields all have defaults.
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(ApiError::Malformed(
            "the JSON body must be an object, not an array".into(),
        ));
    }
    if json_has_control(&body) {
        let field = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| path_of_control(&v, ""))
            .unwrap_or_else(|| "body".to_string());
        return Err(control_error(&field));
    }
    // Every date is judged after JSON parsing, as the handler's types will read it: no pattern
    // on the raw bytes, which escapes (`\u002d`) got through.
    if !body.is_empty() {
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&body) {
            let mut found = Vec::new();
            texts_where(&value, "", &is_date_out_of_range, &mut found);
            if !found.is_empty() {
                return Err(dates_error(&found));
            }
        }
    }
    let (_, mut replay) = actix_http::h1::Payload::create(true);
    replay.unread_data(body);
    req.set_payload(actix_web::dev::Payload::from(replay));
    Ok(())
}

/// Marks a portal upload whose body was over the file limit: its bytes were read and dropped, and
/// the page says the file is too large (a person gets the form again, not an API problem).
#[derive(Debug, Clone, Copy)]
pub struct BodyTooLarge;

/// Reads a portal upload within [`BODY_READ_TIMEOUT`]: up to the file limit and the form's room it
/// is handed on; past it the rest is read and dropped (the browser sends it all before it reads
/// an answer) and the request carries [`BodyTooLarge`] with an empty body.
async fn read_portal_upload(req: &mut ServiceRequest) -> Result<(), ApiError> {
    let limit = crate::media::model::MAX_FILE_BYTES + crate::media::model::FORM_OVERHEAD_BYTES;
    let mut payload = req.take_payload();
    let read = async {
        let mut body = web::BytesMut::new();
        let mut over = false;
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(super::problem::payload_error)?;
            if over || body.len() + chunk.len() > limit {
                over = true;
                continue;
            }
            body.extend_from_slice(&chunk);
        }
        Ok::<_, ApiError>((body.freeze(), over))
    };
    let (body, over) = match actix_web::rt::time::timeout(BODY_READ_TIMEOUT, read).await {
        Ok(read) => read?,
        Err(_) => return Err(ApiError::BodyTimeout(BODY_READ_TIMEOUT.as_secs())),
    };
    let (_, mut replay) = actix_http::h1::Payload::create(true);
    if over {
        req.extensions_mut().insert(BodyTooLarge);
    } else {
        replay.unread_data(body);
    }
    req.set_payload(actix_web::dev::Payload::from(replay));
    Ok(())
}

/// The Content Security Policy of the documentation pages (Swagger UI is vendored: everything
/// comes from this server).
pub const DOCS_CSP: &str =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
     script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'";

/// Response headers every answer needs: `X-Content-Type-Options: nosniff`; `Cache-Control:
/// no-store` on whatever answers a credential or carries a secret (a bearer token, a login,
/// calendar feeds with a secret link); a Content Security Policy on the documentation pages.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    use actix_web::http::header::{self, HeaderValue};
    let path = req.path().to_string();
    let private = req.headers().contains_key(header::AUTHORIZATION)
        || path == "/api/v1/auth/login"
        || path.ends_with(".ics");
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if private {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if path.starts_with("/docs") {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_CSP),
        );
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_escapes_are_found_outside_escaped_backslashes() {
        assert!(json_has_control(br#"{"email":"a\u0000b"}"#));
        assert!(json_has_control(br#"{"t":"\u001B[31m"}"#));
        assert!(json_has_control(br#"{"t":"\b"}"#));
        assert!(json_has_control(br#"{"t":"x\u007f"}"#));
        assert!(!json_has_control(
            br#"{"t":"line\nnext\ttab\r\u000a\u0009"}"#
        ));
        assert!(!json_has_control(br#"{"t":"a\\u0000 is text"}"#));
        assert!(!json_has_control(br#"{"t":"caf\u00e9 \"q\""}"#));
    }

    #[test]
    fn encoded_controls_in_paths_are_found() {
        assert!(encodes_control("/api/v1/communes/80021%00"));
        assert!(encodes_control("q=a%1Fb"));
        assert!(encodes_control("q=%7f"));
        assert!(!encodes_control("/api/v1/communes/80021"));
        assert!(!encodes_control("q=caf%C3%A9&near=49.9%2C2.3"));
    }

    #[test]
    fn far_dates_are_found() {
        for far in [
            "10000-01-01",
            "+2027-01-01",
            "-0001-01-01",
            "1899-12-31",
            "2200-01-01",
            "0000-01-01",
            "+10000-01-01",
            " 1-01-01",
            "1-1-1",
            "+10000-01-01T00:00:00Z",
        ] {
            assert!(is_date_out_of_range(far), "{far}");
        }
        for fine in [
            "2027-03-01",
            "1900-01-01",
            "2199-12-31",
            "a-01-01",
            "80021",
            "-",
            "12-12",
        ] {
            assert!(!is_date_out_of_range(fine), "{fine}");
        }
    }

    #[test]
    fn the_offending_field_is_named() {
        let v = serde_json::json!({"name": "ok", "lines": [{"label": "x"}, {"label": "a\u{0}b"}]});
        assert_eq!(path_of_control(&v, "").as_deref(), Some("lines[1].label"));
    }
}

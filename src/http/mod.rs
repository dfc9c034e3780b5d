//! What every HTTP handler shares: problem responses, request logging and the authenticated caller.

pub mod files;
pub mod hygiene;
pub mod methods;
pub mod openapi;
pub mod problem;

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

pub use problem::{optional_json, ApiError, Problem};

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

/// Whether the caller's `Accept` names `media_type`: exports and pages answer JSON otherwise.
pub fn accepts(req: &actix_web::HttpRequest, media_type: &str) -> bool {
    req.headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains(media_type))
}

/// The representation to serve among `offered` (the first is the default): the `Accept` header's
/// media ranges by decreasing quality, each matched exactly, by `type/*` or by `*/*`; no header
/// (or an empty one) takes the default. None acceptable: 406 `not_acceptable`.
pub fn negotiate(
    req: &actix_web::HttpRequest,
    offered: &[&'static str],
) -> Result<&'static str, ApiError> {
    let header = req
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or("");
    let default = offered.first().copied().unwrap_or("application/json");
    if header.is_empty() {
        return Ok(default);
    }
    let mut ranges: Vec<(f32, usize, String)> = Vec::new();
    for (order, item) in header.split(',').enumerate() {
        let mut parts = item.split(';');
        let range = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if !range.is_empty() && quality > 0.0 {
            ranges.push((quality, order, range));
        }
    }
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, _, range) in &ranges {
        let found = offered.iter().copied().find(|o| {
            range == "*/*"
                || range == o
                || range
                    .strip_suffix("/*")
                    .is_some_and(|t| o.split('/').next() == Some(t))
        });
        if let Some(found) = found {
            return Ok(found);
        }
    }
    Err(ApiError::NotAcceptable(format!(
        "this resource is served as {}; Accept asked for {header}",
        offered.join(" or ")
    )))
}

/// Whether the caller asked for CSV (`Accept: text/csv`).
pub fn wants_csv(req: &actix_web::HttpRequest) -> bool {
    accepts(req, "text/csv")
}

/// A CSV answer saved as `name` (`text/csv`, `Content-Disposition: attachment`): how the API's
/// `Accept: text/csv` answers and the portal's exports serve what [`crate::text::csv`] wrote.
pub fn csv_attachment(name: &str, body: String) -> actix_web::HttpResponse {
    attachment("text/csv; charset=utf-8", name, body)
}

/// A file to save as `name` (a CSV export, a drivers' calendar), of `content_type`.
pub fn attachment(content_type: &str, name: &str, body: String) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(body)
}

/// A list or report as the caller asked for it: JSON, or with `Accept: text/csv` the CSV file
/// `name` that `csv` writes of it ([`csv_attachment`]). Every API answer that offers CSV goes
/// through here.
pub fn json_or_csv<T: serde::Serialize + ?Sized>(
    req: &actix_web::HttpRequest,
    value: &T,
    name: &str,
    csv: impl FnOnce(&T) -> String,
) -> actix_web::HttpResponse {
    if wants_csv(req) {
        csv_attachment(name, csv(value))
    } else {
        actix_web::HttpResponse::Ok().json(value)
    }
}

/// How a served file is meant to be opened: in the browser, or saved.
#[derive(Debug, Clone, Copy)]
pub enum Disposition {
    Inline,
    Attachment,
}

/// A file drawn off the async workers (a PDF takes tens of milliseconds, a ZIP of a year's
/// invoices seconds) and served under the name it is saved as. The API and the portal serve
/// their documents this way.
pub async fn file(
    content_type: &'static str,
    disposition: Disposition,
    name: String,
    draw: impl FnOnce() -> crate::error::Result<Vec<u8>> + Send + 'static,
) -> crate::error::Result<actix_web::HttpResponse> {
    let bytes = actix_web::web::block(draw)
        .await
        .map_err(|e| crate::error::Error::Internal(format!("file worker: {e}")))??;
    let how = match disposition {
        Disposition::Inline => "inline",
        Disposition::Attachment => "attachment",
    };
    Ok(actix_web::HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("{how}; filename=\"{name}\""),
        ))
        .body(bytes))
}

/// Lets the request's database work know whether its client is still there
/// ([`crate::client`]).
pub async fn watch_client(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let peer = req.conn_data::<crate::client::Peer>().cloned();
    crate::client::serving(peer, next.call(req)).await
}

/// Logs one JSON line per request: method, path (never the query string, which may carry a
/// calendar token), status and duration.
pub async fn log_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let path = req.path().to_string();
    let result = next.call(req).await;
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    match &result {
        Ok(res) => {
            let status = res.status().as_u16();
            if status >= 500 {
                tracing::error!(method, path, status, duration_ms, "request");
            } else {
                tracing::info!(method, path, status, duration_ms, "request");
            }
        }
        Err(err) => {
            let status = err.as_response_error().status_code().as_u16();
            tracing::warn!(method, path, status, duration_ms, error = %err, "request");
        }
    }
    result
}

//! Problem responses (RFC 9457, `application/problem+json`): the one place where errors get an
//! HTTP status, for domain errors and for actix's own extractor and routing errors alike.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use super::methods::KnownPaths;
use crate::error::{Code, Error, FieldError};

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The body of every 4xx/5xx response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// URI reference naming the problem type (`urn:itinerance:problem:<code>`).
    #[serde(rename = "type")]
    #[schema(example = "urn:itinerance:problem:validation_failed")]
    pub type_uri: String,
    /// Short summary of the problem type.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// Stable machine-readable code (the README lists them all).
    pub code: Code,
    /// Offending fields, for `validation_failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

/// The error type of every handler: a domain error, or something the HTTP layer itself refused.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] Error),
    /// A body, query string or header that cannot be parsed.
    #[error("{0}")]
    Malformed(String),
    #[error("request body larger than the limit of {0} bytes")]
    PayloadTooLarge(usize),
    /// The body did not arrive in time (a slow client holds a worker).
    #[error("the request body did not arrive within {0} s")]
    BodyTimeout(u64),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The `Accept` header names no representation the operation serves.
    #[error("{0}")]
    NotAcceptable(String),
    #[error("no route for {method} {path}")]
    NoRoute { method: String, path: String },
    /// An `Idempotency-Key` already used by this organisation for another request.
    #[error(
        "this Idempotency-Key was used for another request in the last 24 hours; use a new key"
    )]
    IdempotencyKeyReused,
    /// The first request with this `Idempotency-Key` is still running.
    #[error("a request with this Idempotency-Key is in progress; retry in a second")]
    IdempotencyKeyInProgress,
    /// A known path called with a method it does not answer.
    #[error("{method} is not allowed on {path}; allowed: {}", .allow.join(", "))]
    MethodNotAllowed {
        method: String,
        path: String,
        allow: Vec<String>,
    },
}

/// An optional JSON body: none (or only whitespace) is `T::default()`, anything else must parse
/// — a malformed body is a 400 and changes nothing, where `Option<web::Json<T>>` would silently
/// take it for "no body" (schemathesis found a `\x00` body issuing an invoice).
pub fn optional_json<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| ApiError::Malformed(format!("invalid JSON body: {e}")))
}

impl ApiError {
    /// The stable code and the title of the problem; the status comes with the code.
    fn code_and_title(&self) -> (Code, &'static str) {
        match self {
            ApiError::Domain(e) => {
                let title = match e {
                    Error::Unauthenticated(_) => "Authentication required",
                    Error::InvalidCredentials => "Invalid credentials",
                    Error::Forbidden(_) => "Forbidden",
                    Error::InsufficientScope(_) => "Insufficient scope",
                    Error::TooManyAttempts { .. } => "Too many attempts",
                    Error::NotFound(_) => "Not found",
                    Error::Validation(_) => "Validation failed",
                    Error::Conflict { .. } => "Conflict",
                    Error::Unavailable(_) => "Service unavailable",
                    Error::ClientGone => "Client closed request",
                    Error::Internal(_) => "Internal error",
                };
                (e.code(), title)
            }
            ApiError::Malformed(_) => (Code::MalformedRequest, "Malformed request"),
            ApiError::PayloadTooLarge(_) => (Code::PayloadTooLarge, "Payload too large"),
            ApiError::BodyTimeout(_) => (Code::RequestTimeout, "Request timeout"),
            ApiError::UnsupportedMediaType(_) => {
                (Code::UnsupportedMediaType, "Unsupported media type")
            }
            ApiError::NotAcceptable(_) => (Code::NotAcceptable, "Not acceptable"),
            ApiError::NoRoute { .. } => (Code::NotFound, "Not found"),
            ApiError::IdempotencyKeyReused => {
                (Code::IdempotencyKeyReused, "Idempotency key reused")
            }
            ApiError::IdempotencyKeyInProgress => (
                Code::IdempotencyKeyInProgress,
                "Idempotency key in progress",
            ),
            ApiError::MethodNotAllowed { .. } => (Code::MethodNotAllowed, "Method not allowed"),
        }
    }

    fn status_code_and_title(&self) -> (StatusCode, Code, &'static str) {
        let (code, title) = self.code_and_title();
        let status =
            StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, code, title)
    }
}

/// Most field errors a problem lists; the rest are counted in one last entry (`body`: "N more
/// errors"), so a hostile body of 20,000 bad values does not get a megabyte of answer.
pub const MAX_LISTED_ERRORS: usize = 50;

/// The listed field errors, at most [`MAX_LISTED_ERRORS`] and a count of the others.
fn capped(fields: &[crate::error::FieldError]) -> Vec<crate::error::FieldError> {
    if fields.len() <= MAX_LISTED_ERRORS {
        return fields.to_vec();
    }
    let mut listed = fields[..MAX_LISTED_ERRORS].to_vec();
    listed.push(crate::error::FieldError {
        field: "body".into(),
        message: format!("{} more errors", fields.len() - MAX_LISTED_ERRORS),
        line: None,
    });
    listed
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status_code_and_title().0
    }

    fn error_response(&self) -> HttpResponse {
        let (status, code, title) = self.status_code_and_title();
        let detail = match self {
            ApiError::Domain(Error::Internal(cause)) => {
                tracing::error!(cause = %cause, "internal error");
                "an internal error occurred; it has been logged".to_string()
            }
            ApiError::Domain(Error::Unavailable(cause)) => {
                tracing::warn!(cause = %cause, "service unavailable");
                self.to_string()
            }
            other => other.to_string(),
        };
        let errors = match self {
            ApiError::Domain(Error::Validation(fields)) => Some(capped(fields)),
            _ => None,
        };
        let problem = Problem {
            type_uri: format!("urn:itinerance:problem:{}", code.as_str()),
            title: title.to_string(),
            status: status.as_u16(),
            detail,
            code,
            errors,
        };
        let mut body = serde_json::to_value(&problem).unwrap_or_default();
        if let (
            ApiError::Domain(Error::Conflict {
                extra: Some(serde_json::Value::Object(extra)),
                ..
            }),
            serde_json::Value::Object(map),
        ) = (self, &mut body)
        {
            for (k, v) in extra {
                map.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        let mut response = HttpResponse::build(status);
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let ApiError::IdempotencyKeyInProgress = self {
            response.insert_header((header::RETRY_AFTER, "1"));
        }
        if let ApiError::Domain(Error::TooManyAttempts { retry_after }) = self {
            response.insert_header((header::RETRY_AFTER, retry_after.max(&1).to_string()));
        }
        if let ApiError::MethodNotAllowed { allow, .. } = self {
            response.insert_header((header::ALLOW, allow.join(", ")));
        }
        response.body(body.to_string())
    }
}

/// Turns actix's JSON body errors into problems (400, 413 or 415).
pub fn json_error(err: actix_web::error::JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as J;
    let api = match &err {
        J::OverflowKnownLength { limit, .. } | J::Overflow { limit } => {
            ApiError::PayloadTooLarge(*limit)
        }
        J::ContentType => {
            ApiError::UnsupportedMediaType("the body must be application/json".to_string())
        }
        J::Deserialize(e) => ApiError::Malformed(format!("invalid JSON body: {e}")),
        other => ApiError::Malformed(format!("cannot read the JSON body: {other}")),
    };
    api.into()
}

/// Turns actix's query-string errors into 400 problems.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &HttpRequest,
) -> actix_web::Error {
    ApiError::Malformed(format!("invalid query string: {err}")).into()
}

/// A path segment of the wrong type (e.g. a non-numeric id) names nothing: 404. Unless the path
/// is a literal route of another method (`GET /tours/plan` lands on `GET /tours/{id}`): 405.
pub fn path_error(err: actix_web::error::PathError, req: &HttpRequest) -> actix_web::Error {
    tracing::debug!(error = %err, "unparseable path segment");
    let method = req.method().to_string();
    let path = req.path().to_string();
    let allowed = req
        .app_data::<actix_web::web::Data<KnownPaths>>()
        .and_then(|known| known.allowed(&path))
        .filter(|allow| !allow.iter().any(|m| m == req.method()));
    match allowed {
        Some(allow) => ApiError::MethodNotAllowed {
            method,
            path,
            allow: allow.iter().map(|m| m.to_string()).collect(),
        },
        None => ApiError::NoRoute { method, path },
    }
    .into()
}

/// Any other body-reading failure.
pub fn payload_error(err: actix_web::error::PayloadError) -> ApiError {
    match err {
        actix_web::error::PayloadError::Overflow => ApiError::PayloadTooLarge(0),
        other => ApiError::Malformed(other.to_string()),
    }
}

/// Fallback service: a known path with another method answers 405 with `Allow`; an unknown
/// route a 404 problem, not an empty body.
pub async fn no_route(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let method = req.method().to_string();
    let path = req.path().to_string();
    let allowed = req
        .app_data::<actix_web::web::Data<KnownPaths>>()
        .and_then(|known| known.allowed(&path));
    Err(match allowed {
        Some(allow) => ApiError::MethodNotAllowed {
            method,
            path,
            allow: allow.iter().map(|m| m.to_string()).collect(),
        },
        None => ApiError::NoRoute { method, path },
    })
}

//! The domain error: what a rule refused and why, with a stable machine-readable code.
//! It knows nothing of HTTP; `http::problem` turns it into a problem response.

use serde::Serialize;
use utoipa::ToSchema;

/// One offending input field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Path of the field in the request, e.g. `themes[1]` or `weight_kg`.
    pub field: String,
    /// Human-readable explanation.
    pub message: String,
}

/// Everything a domain service can refuse; each case has one stable `code`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Unauthenticated(String),
    #[error("invalid e-mail or password")]
    InvalidCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("the request breaks {} rule(s)", .0.len())]
    Validation(Vec<FieldError>),
    /// A rule about the current state of things (a duplicate, a taken period, a wrong status).
    #[error("{detail}")]
    Conflict {
        code: &'static str,
        detail: String,
        /// Extra members added to the problem body (e.g. booking alternatives).
        extra: Option<serde_json::Value>,
    },
    #[error("{0}")]
    Unavailable(String),
    /// A fault of ours; the detail is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Code of the conflict raised when the database refuses two overlapping occupations of a copy.
pub const OCCUPATION_OVERLAP: &str = "occupation_overlap";

/// Result of a domain service.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The stable snake_case code partners match on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Unauthenticated(_) => "unauthenticated",
            Error::InvalidCredentials => "invalid_credentials",
            Error::Forbidden(_) => "forbidden",
            Error::NotFound(_) => "not_found",
            Error::Validation(_) => "validation_failed",
            Error::Conflict { code, .. } => code,
            Error::Unavailable(_) => "service_unavailable",
            Error::Internal(_) => "internal_error",
        }
    }

    /// A single-field validation error.
    pub fn invalid(field: &str, message: impl Into<String>) -> Error {
        Error::Validation(vec![FieldError {
            field: field.to_string(),
            message: message.into(),
        }])
    }

    /// A conflict without extra members.
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Error {
        Error::Conflict {
            code,
            detail: detail.into(),
            extra: None,
        }
    }
}

impl From<diesel::result::Error> for Error {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error as D};
        match e {
            D::NotFound => Error::NotFound("resource".into()),
            D::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => Error::conflict(
                "already_exists",
                format!(
                    "a record with the same unique value exists ({})",
                    info.message()
                ),
            ),
            D::DatabaseError(DatabaseErrorKind::ExclusionViolation, _) => Error::conflict(
                OCCUPATION_OVERLAP,
                "the copy is already occupied on some of these days",
            ),
            D::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                Error::Unavailable("concurrent update, please retry".into())
            }
            other => Error::Internal(other.to_string()),
        }
    }
}

impl From<crate::db::DbError> for Error {
    fn from(e: crate::db::DbError) -> Self {
        match e {
            crate::db::DbError::Query(q) => q.into(),
            other => Error::Unavailable(other.to_string()),
        }
    }
}

/// Collects field errors so a request is answered with all its faults at once.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` for `field` unless `ok`.
    pub fn check(&mut self, ok: bool, field: &str, message: &str) -> &mut Self {
        if !ok {
            self.add(field, message);
        }
        self
    }

    /// Records a fault unconditionally.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.to_string(),
            message: message.into(),
        });
    }

    /// Whether nothing has been recorded.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok` when nothing was recorded, else the validation error with every fault.
    pub fn finish(self) -> Result<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self.errors))
        }
    }
}

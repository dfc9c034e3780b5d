//! The shapes of notifications on the wire and in the document.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

crate::stored_enum! {
    /// Where a mail stands.
    pub enum NotificationStatus {
        /// Waiting to be sent, or to be tried again at `next_attempt_at`.
        Pending => "pending",
        /// Accepted by the SMTP server.
        Sent => "sent",
        /// Failed for 24 hours: given up, kept for the agency.
        Dead => "dead",
    }
}

/// A mail as the agency sees it (bodies left out).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, diesel::Queryable)]
pub struct Notification {
    pub id: i64,
    /// The event that caused it (`booking.requested`, …).
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub status: NotificationStatus,
    pub attempts: i32,
    /// The last failure, when there was one.
    pub last_error: Option<String>,
    #[serde(with = "crate::timestamp::utc")]
    pub next_attempt_at: NaiveDateTime,
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::timestamp::utc_option")]
    pub sent_at: Option<NaiveDateTime>,
}

/// Query of `GET /api/v1/notifications`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only this status (e.g. `dead`).
    pub status: Option<NotificationStatus>,
    /// Page size, 1–500 (default 100); newest first.
    pub limit: Option<i64>,
}

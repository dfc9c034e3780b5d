//! The shapes of loan evaluations on the wire and in the document.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::catalogue::Audience;

/// Body of `POST /api/v1/bookings/{id}/evaluation`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEvaluation {
    /// People who saw or used the resource during the loan (0 to 1,000,000).
    #[schema(example = 240, minimum = 0, maximum = 1000000)]
    pub visitors: i32,
    /// Sessions held with it: guided visits, workshops, classes (0 to 10,000).
    #[schema(example = 12, minimum = 0, maximum = 10000)]
    pub sessions: i32,
    /// Audiences actually reached (at least one; `all` is not an audience reached).
    pub audiences: Vec<Audience>,
    /// 1 (poor) to 5 (excellent).
    #[schema(example = 4, minimum = 1, maximum = 5)]
    pub satisfaction: i32,
    /// Free text for the producer and the agency (at most 2,000 characters).
    pub comment: Option<String>,
}

/// Body of `PATCH /api/v1/bookings/{id}/evaluation`: the fields to change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationPatch {
    #[schema(minimum = 0, maximum = 1000000)]
    pub visitors: Option<i32>,
    #[schema(minimum = 0, maximum = 10000)]
    pub sessions: Option<i32>,
    pub audiences: Option<Vec<Audience>>,
    #[schema(minimum = 1, maximum = 5)]
    pub satisfaction: Option<i32>,
    /// An empty text removes the comment.
    pub comment: Option<String>,
}

/// A venue's report on one loan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Evaluation {
    pub booking_id: i64,
    pub resource_id: i64,
    pub venue_id: i64,
    /// The loan's dates of use.
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub visitors: i32,
    pub sessions: i32,
    pub audiences: Vec<Audience>,
    pub satisfaction: i32,
    pub comment: Option<String>,
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::timestamp::utc")]
    pub updated_at: NaiveDateTime,
    /// Until when it can be changed: the end of the 30th day after the loan's last day of use
    /// (never before the loan is over).
    #[serde(with = "crate::timestamp::utc")]
    pub editable_until: NaiveDateTime,
}

/// Query of `GET /api/v1/evaluations`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EvaluationQuery {
    /// Only this resource's loans.
    pub resource_id: Option<i64>,
    /// Only this venue's loans.
    pub venue_id: Option<i64>,
    /// Loans whose dates of use end on or after this day.
    pub from: Option<NaiveDate>,
    /// Loans whose dates of use start on or before this day.
    pub to: Option<NaiveDate>,
}

/// Evaluations the caller may read (a venue its own, a producer those of its resources, the
/// agency all) with their totals.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EvaluationList {
    /// Newest loans first (at most 1,000; the totals count them all).
    pub items: Vec<Evaluation>,
    /// Evaluations matching the query.
    pub count: i64,
    pub visitors: i64,
    pub sessions: i64,
    /// Mean satisfaction, two decimals (absent without evaluations).
    pub mean_satisfaction: Option<f64>,
}

/// Evaluations as CSV (RFC 4180, one line each: `GET /api/v1/evaluations` with `Accept:
/// text/csv`); audiences joined by `|`, the comment as the venue wrote it (spreadsheet-safe).
pub fn csv(list: &EvaluationList) -> String {
    let rows: Vec<Vec<String>> = list
        .items
        .iter()
        .map(|e| {
            vec![
                e.booking_id.to_string(),
                e.resource_id.to_string(),
                e.venue_id.to_string(),
                e.starts_on.to_string(),
                e.ends_on.to_string(),
                e.visitors.to_string(),
                e.sessions.to_string(),
                e.audiences
                    .iter()
                    .map(|a| a.as_str())
                    .collect::<Vec<_>>()
                    .join("|"),
                e.satisfaction.to_string(),
                e.comment
                    .as_deref()
                    .map(crate::text::spreadsheet_safe)
                    .unwrap_or_default(),
            ]
        })
        .collect();
    crate::text::csv(
        &[
            "booking_id",
            "resource_id",
            "venue_id",
            "starts_on",
            "ends_on",
            "visitors",
            "sessions",
            "audiences",
            "satisfaction",
            "comment",
        ],
        &rows,
    )
}

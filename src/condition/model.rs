//! Condition and wear vocabularies and the shapes the API shows.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

crate::stored_enum! {
    /// The hand-over at which a condition report is filed.
    pub enum Stage {
        /// The producer, as the copy leaves.
        Dispatch => "dispatch",
        /// The venue, as it receives the copy.
        Delivery => "delivery",
        /// The venue, as it hands the copy back.
        Return => "return",
        /// The producer (or agency), checking the copy before its next loan.
        Inspection => "inspection",
    }
}

crate::stored_enum! {
    /// What a maintenance does.
    pub enum MaintenanceKind {
        Repair => "repair",
        Refurbishment => "refurbishment",
        ContentUpdate => "content_update",
        Cleaning => "cleaning",
    }
}

/// The count of one component in a report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentCount {
    pub component_id: i64,
    /// Units found (the component list says how many there should be).
    pub present_quantity: i32,
    /// Units found damaged, among those present.
    pub damaged: i32,
}

/// Body of `POST /api/v1/copies/{id}/condition-reports`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConditionReport {
    /// The loan the hand-over belongs to; required except for inspections.
    pub booking_id: Option<i64>,
    pub stage: Stage,
    /// 1 (unusable) … 5 (as new).
    pub grade: i32,
    /// One count per component of the resource (every component must be counted).
    #[serde(default)]
    pub components: Vec<ComponentCount>,
    #[serde(default)]
    pub notes: String,
}

/// One counted component of a stored report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportLine {
    pub component_id: i64,
    pub expected_quantity: i32,
    pub present_quantity: i32,
    pub damaged: i32,
}

/// A condition report (append-only: a correction is a new report).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConditionReport {
    pub id: i64,
    pub copy_id: i64,
    pub booking_id: Option<i64>,
    pub stage: Stage,
    pub grade: i32,
    pub notes: String,
    /// No missing or damaged unit and a grade above `condition_blocking_grade`.
    pub passed: bool,
    pub missing_units: i32,
    pub damaged_units: i32,
    pub components: Vec<ReportLine>,
    pub reported_by_organization: i64,
    pub reported_by_user: Option<i64>,
    /// UTC.
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    /// When the report sent the copy into maintenance: that record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maintenance_id: Option<i64>,
    /// Bookings the copy can no longer serve because of this report.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub flagged_booking_ids: Vec<i64>,
}

/// Body of `POST /api/v1/copies/{id}/maintenance`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMaintenance {
    pub kind: MaintenanceKind,
    pub starts_on: NaiveDate,
    /// Inclusive; the copy is occupied over the whole period, like a booking.
    pub ends_on: NaiveDate,
    #[serde(default)]
    pub cost_cents: i64,
    #[serde(default)]
    pub notes: String,
}

/// Body of `POST /api/v1/maintenance/{id}/complete`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteMaintenance {
    /// Condition grade of the copy after the work (1–5).
    pub grade: i32,
    /// Final cost, if it differs from the estimate.
    pub cost_cents: Option<i64>,
    pub notes: Option<String>,
}

/// A maintenance record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Maintenance {
    pub id: i64,
    pub copy_id: i64,
    pub kind: MaintenanceKind,
    pub starts_on: NaiveDate,
    /// Absent for open-ended maintenance started by a failed condition report.
    pub ends_on: Option<NaiveDate>,
    pub cost_cents: i64,
    pub notes: String,
    /// Started automatically by a condition report.
    pub automatic: bool,
    pub report_id: Option<i64>,
    #[serde(with = "crate::timestamp::utc_option")]
    pub completed_at: Option<NaiveDateTime>,
    pub grade_after: Option<i32>,
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
}

/// Body of `POST /api/v1/copies/{id}/retire`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Retirement {
    pub reason: String,
}

/// Wear of a copy.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Wear {
    pub copy_id: i64,
    /// Loans that reached the venue.
    pub loans: i64,
    /// Days of use over those loans.
    pub days_on_loan: i64,
    /// Distance travelled by the copy, in km (great-circle depot → venue → depot per loan).
    pub km_travelled: f64,
    /// Hand-overs: dispatches, deliveries and returns.
    pub handlings: i64,
    /// Weighted sum of the above (weights in configuration).
    pub wear_index: f64,
    /// Wear gathered since the last completed maintenance.
    pub wear_since_maintenance: f64,
    /// The wear threshold or the maintenance interval is reached.
    pub maintenance_due: bool,
    /// When the wear index reaches `wear_retirement_index` at the rate of the last 12 months;
    /// absent when the copy did not wear in that time.
    pub predicted_retirement_on: Option<NaiveDate>,
}

/// One line of a producer's fleet.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FleetCopy {
    pub copy_id: i64,
    pub resource_id: i64,
    pub resource_title: String,
    pub asset_tag: String,
    pub status: crate::catalogue::CopyStatus,
    pub condition_grade: i32,
    pub needs_inspection: bool,
    pub wear_index: f64,
    pub maintenance_due: bool,
    pub predicted_retirement_on: Option<NaiveDate>,
    /// The next active booking of the copy (first day of use), if any.
    pub next_booking_id: Option<i64>,
    pub next_booking_starts_on: Option<NaiveDate>,
    /// The copy's loan that is not back in time (marked overdue), if any: count these lines to
    /// count a producer's overdue loans.
    pub overdue_booking_id: Option<i64>,
    /// When that loan was marked overdue (UTC).
    #[serde(with = "crate::timestamp::utc_option")]
    pub overdue_since: Option<chrono::NaiveDateTime>,
    /// The copy's next maintenance not completed, under way or scheduled ahead (a refurbishment
    /// planned with `POST /api/v1/copies/{id}/maintenance`), if any.
    pub next_maintenance_id: Option<i64>,
    pub next_maintenance_kind: Option<MaintenanceKind>,
    /// Its first day.
    pub next_maintenance_starts_on: Option<NaiveDate>,
    /// Its last day; absent for an open-ended repair.
    pub next_maintenance_ends_on: Option<NaiveDate>,
}

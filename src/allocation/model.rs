//! The shapes of allocation rounds on the wire and in the document.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

crate::stored_enum! {
    /// How `allocate` orders the requests of a round when they compete for the same copies.
    pub enum AllocationPolicy {
        /// Venues of the EPCIs with the fewest loans per inhabitant over the last 12 months first
        /// (counting what the plan already gave), then villages, then venues never served.
        Equity => "equity",
        /// In the order the requests arrived.
        FirstCome => "first_come",
    }
}

crate::stored_enum! {
    /// Where a round stands.
    pub enum RoundStatus {
        /// Taking requests; `allocate` may propose plans.
        Open => "open",
        /// The last proposal was booked; the round is over.
        Confirmed => "confirmed",
    }
}

/// Body of `POST /api/v1/allocation-rounds`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRound {
    #[schema(example = "Saison printemps 2027 — expositions très demandées")]
    pub name: String,
    /// First day requests may use.
    pub period_from: NaiveDate,
    /// Last day requests may use (inclusive; at most 366 days after `period_from`).
    pub period_to: NaiveDate,
    /// The contested resources (1 to 200).
    pub resource_ids: Vec<i64>,
}

/// An allocation round.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Round {
    pub id: i64,
    pub name: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub status: RoundStatus,
    pub resource_ids: Vec<i64>,
    /// Requests received (all venues).
    pub request_count: i64,
    /// Policy of the current proposal; absent when there is none to confirm.
    pub proposal_policy: Option<AllocationPolicy>,
    #[serde(with = "crate::timestamp::utc_option")]
    pub proposed_at: Option<NaiveDateTime>,
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::timestamp::utc")]
    pub updated_at: NaiveDateTime,
}

/// A round with the requests the caller may see (the agency all of them, a venue its own, a
/// producer those on its resources), each with what the current proposal gives it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoundDetail {
    pub round: Round,
    pub requests: Vec<RoundRequest>,
}

/// Body of `POST /api/v1/allocation-rounds/{id}/requests`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRoundRequest {
    pub venue_id: i64,
    pub resource_id: i64,
    /// First day of use, inside the round's period.
    pub starts_on: NaiveDate,
    /// Last day of use, inclusive, inside the round's period.
    pub ends_on: NaiveDate,
}

/// A venue's request in a round.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoundRequest {
    pub id: i64,
    pub round_id: i64,
    pub venue_id: i64,
    pub resource_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    /// The copy the current proposal gives it (absent: none, or no proposal yet).
    pub proposed_copy_id: Option<i64>,
    /// Why the current proposal decided so.
    pub proposed_reason: Option<String>,
    /// The booking made when the round was confirmed.
    pub booking_id: Option<i64>,
}

/// A venue's request in an allocation round as an event saw it (`allocation.refused`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AllocationRequestSnapshot {
    pub id: i64,
    pub round_id: i64,
    pub venue_id: i64,
    pub resource_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Body of `POST /api/v1/allocation-rounds/{id}/allocate`.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocateBody {
    pub policy: AllocationPolicy,
}

/// A request the plan serves: the copy and the dates of use (the requested ones).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Assignment {
    pub request_id: i64,
    pub venue_id: i64,
    pub resource_id: i64,
    pub copy_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The rule that decided, in words.
    pub reason: String,
}

/// A request the plan cannot serve, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Unassigned {
    pub request_id: i64,
    pub venue_id: i64,
    pub resource_id: i64,
    pub reason: String,
}

/// What a plan gives one commune class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ClassOutcome {
    /// Requests of venues of this class.
    pub requested: i64,
    /// Of which the plan serves.
    pub served: i64,
    pub venues_requesting: i64,
    /// Venues with at least one request served.
    pub venues_served: i64,
    /// Loans per 10,000 inhabitants of the class over the last 12 months.
    pub loans_per_10k_before: f64,
    /// The same once the plan's loans are added.
    pub loans_per_10k_after: f64,
}

/// The outcome per commune class of the venues.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ByClass {
    pub village: ClassOutcome,
    pub small_town: ClassOutcome,
    pub medium_town: ClassOutcome,
    pub large_city: ClassOutcome,
}

/// What a plan changes for the territory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Summary {
    pub by_class: ByClass,
    /// Large-city minus village loans per 10,000 inhabitants over the last 12 months.
    pub city_village_gap_before: f64,
    /// The same once the plan's loans are added: what the plan does to the gap.
    pub city_village_gap_after: f64,
}

/// A plan for a round; nothing is booked until `confirm`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Proposal {
    pub round_id: i64,
    pub policy: AllocationPolicy,
    /// In the order the policy considered the requests.
    pub assignments: Vec<Assignment>,
    pub unassigned: Vec<Unassigned>,
    pub summary: Summary,
}

/// What `confirm` booked.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Confirmation {
    pub round: Round,
    /// The bookings made, `approved`, one per assignment.
    pub booking_ids: Vec<i64>,
}

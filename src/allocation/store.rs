//! Diesel queries of allocation rounds: rounds, their resources and requests, and the current
//! proposal kept on the requests.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::model::{AllocationPolicy, RoundStatus};
use crate::db::DbConnection;
use crate::schema::{allocation_requests, allocation_round_resources, allocation_rounds};

/// A round as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = allocation_rounds)]
pub struct RoundRow {
    pub id: i64,
    pub name: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub status: RoundStatus,
    pub proposal_policy: Option<AllocationPolicy>,
    pub proposed_at: Option<NaiveDateTime>,
    pub created_by_organization: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Values of a new round.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = allocation_rounds)]
pub struct RoundInsert<'a> {
    pub name: &'a str,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub status: RoundStatus,
    pub created_by_organization: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A request as stored, with the current proposal's decision.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = allocation_requests)]
pub struct RequestRow {
    pub id: i64,
    pub round_id: i64,
    pub venue_id: i64,
    pub resource_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub requested_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub proposed_copy_id: Option<i64>,
    pub proposed_reason: Option<String>,
    pub proposed_rank: Option<i32>,
    pub booking_id: Option<i64>,
    /// JSON of a `model::Decision`.
    pub proposed_decision: Option<String>,
}

/// Values of a new request.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = allocation_requests)]
pub struct RequestInsert {
    pub round_id: i64,
    pub venue_id: i64,
    pub resource_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub requested_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Inserts a round and its resources.
pub fn insert_round(
    conn: &mut DbConnection,
    new: &RoundInsert<'_>,
    resource_ids: &[i64],
) -> QueryResult<RoundRow> {
    let row: RoundRow = diesel::insert_into(allocation_rounds::table)
        .values(new)
        .returning(allocation_rounds::all_columns)
        .get_result(conn)?;
    for resource_id in resource_ids {
        diesel::insert_into(allocation_round_resources::table)
            .values((
                allocation_round_resources::round_id.eq(row.id),
                allocation_round_resources::resource_id.eq(resource_id),
            ))
            .execute(conn)?;
    }
    Ok(row)
}

/// One round.
pub fn find_round(conn: &mut DbConnection, id: i64) -> QueryResult<Option<RoundRow>> {
    allocation_rounds::table
        .find(id)
        .select(RoundRow::as_select())
        .first(conn)
        .optional()
}

/// A round by its name (the demo's, found again on a second load).
pub fn find_round_by_name(conn: &mut DbConnection, name: &str) -> QueryResult<Option<RoundRow>> {
    allocation_rounds::table
        .filter(allocation_rounds::name.eq(name))
        .select(RoundRow::as_select())
        .order(allocation_rounds::id.asc())
        .first(conn)
        .optional()
}

/// Every round, newest first.
pub fn list_rounds(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<RoundRow>> {
    allocation_rounds::table
        .select(RoundRow::as_select())
        .order(allocation_rounds::id.desc())
        .limit(limit)
        .load(conn)
}

/// (round, resource) pairs of some rounds.
pub fn round_resources(conn: &mut DbConnection, round_ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    allocation_round_resources::table
        .filter(allocation_round_resources::round_id.eq_any(round_ids))
        .select((
            allocation_round_resources::round_id,
            allocation_round_resources::resource_id,
        ))
        .order((
            allocation_round_resources::round_id.asc(),
            allocation_round_resources::resource_id.asc(),
        ))
        .load(conn)
}

/// Requests per round.
pub fn request_counts(conn: &mut DbConnection, round_ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    allocation_requests::table
        .filter(allocation_requests::round_id.eq_any(round_ids))
        .group_by(allocation_requests::round_id)
        .select((allocation_requests::round_id, count_star()))
        .load(conn)
}

/// Requests of a venue in a round.
pub fn requests_of_venue(
    conn: &mut DbConnection,
    round_id: i64,
    venue_id: i64,
) -> QueryResult<i64> {
    allocation_requests::table
        .filter(allocation_requests::round_id.eq(round_id))
        .filter(allocation_requests::venue_id.eq(venue_id))
        .count()
        .get_result(conn)
}

/// Inserts a request.
pub fn insert_request(conn: &mut DbConnection, new: &RequestInsert) -> QueryResult<RequestRow> {
    diesel::insert_into(allocation_requests::table)
        .values(new)
        .returning(allocation_requests::all_columns)
        .get_result(conn)
}

/// One request of a round.
pub fn find_request(
    conn: &mut DbConnection,
    round_id: i64,
    request_id: i64,
) -> QueryResult<Option<RequestRow>> {
    allocation_requests::table
        .filter(allocation_requests::round_id.eq(round_id))
        .filter(allocation_requests::id.eq(request_id))
        .select(RequestRow::as_select())
        .first(conn)
        .optional()
}

/// Withdraws a request.
pub fn delete_request(conn: &mut DbConnection, request_id: i64) -> QueryResult<usize> {
    diesel::delete(allocation_requests::table.find(request_id)).execute(conn)
}

/// The requests of a round, in arrival order.
pub fn requests_of(conn: &mut DbConnection, round_id: i64) -> QueryResult<Vec<RequestRow>> {
    allocation_requests::table
        .filter(allocation_requests::round_id.eq(round_id))
        .select(RequestRow::as_select())
        .order((
            allocation_requests::created_at.asc(),
            allocation_requests::id.asc(),
        ))
        .load(conn)
}

/// Forgets the round's proposal (a request came or went: it no longer covers them all).
pub fn clear_proposal(
    conn: &mut DbConnection,
    round_id: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(allocation_rounds::table.find(round_id))
        .set((
            allocation_rounds::proposal_policy.eq(None::<AllocationPolicy>),
            allocation_rounds::proposed_at.eq(None::<NaiveDateTime>),
            allocation_rounds::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(allocation_requests::table.filter(allocation_requests::round_id.eq(round_id)))
        .set((
            allocation_requests::proposed_copy_id.eq(None::<i64>),
            allocation_requests::proposed_reason.eq(None::<String>),
            allocation_requests::proposed_decision.eq(None::<String>),
            allocation_requests::proposed_rank.eq(None::<i32>),
        ))
        .execute(conn)?;
    Ok(())
}

/// One request's part of a proposal.
pub struct ProposedDecision<'a> {
    pub request_id: i64,
    pub copy_id: Option<i64>,
    /// In English words.
    pub reason: &'a str,
    /// JSON of a `model::Decision`, for any language.
    pub decision: String,
    pub rank: i32,
}

/// Stores a proposal: the round's policy and each request's decision.
pub fn save_proposal(
    conn: &mut DbConnection,
    round_id: i64,
    policy: AllocationPolicy,
    decisions: &[ProposedDecision<'_>],
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(allocation_rounds::table.find(round_id))
        .set((
            allocation_rounds::proposal_policy.eq(Some(policy)),
            allocation_rounds::proposed_at.eq(Some(now)),
            allocation_rounds::updated_at.eq(now),
        ))
        .execute(conn)?;
    for d in decisions {
        diesel::update(allocation_requests::table.find(d.request_id))
            .set((
                allocation_requests::proposed_copy_id.eq(d.copy_id),
                allocation_requests::proposed_reason.eq(Some(d.reason)),
                allocation_requests::proposed_decision.eq(Some(&d.decision)),
                allocation_requests::proposed_rank.eq(Some(d.rank)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Moves a round from one status to another; false when it was no longer in `from`.
pub fn set_round_status_if(
    conn: &mut DbConnection,
    round_id: i64,
    from: RoundStatus,
    to: RoundStatus,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    Ok(diesel::update(
        allocation_rounds::table
            .find(round_id)
            .filter(allocation_rounds::status.eq(from)),
    )
    .set((
        allocation_rounds::status.eq(to),
        allocation_rounds::updated_at.eq(now),
    ))
    .execute(conn)?
        == 1)
}

/// Links a request to the booking its confirmation made.
pub fn set_request_booking(
    conn: &mut DbConnection,
    request_id: i64,
    booking_id: i64,
) -> QueryResult<usize> {
    diesel::update(allocation_requests::table.find(request_id))
        .set(allocation_requests::booking_id.eq(Some(booking_id)))
        .execute(conn)
}

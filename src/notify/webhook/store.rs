//! Diesel queries of webhooks and their deliveries: registration, the fan-out's lookups,
//! leasing due deliveries (every instance runs the worker) and recording outcomes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent};
use crate::db::DbConnection;
use crate::notify::store::{lease_queue, Queue};
use crate::outbox::EventKind;
use crate::schema::{webhook_deliveries, webhooks};

/// A webhook row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks)]
pub struct WebhookRow {
    pub id: i64,
    pub organization_id: i64,
    pub url: String,
    pub events: String,
    pub secret: String,
    pub active: bool,
    pub failing_since: Option<NaiveDateTime>,
    pub disabled_at: Option<NaiveDateTime>,
    pub disabled_reason: Option<String>,
    pub created_by_user_id: Option<i64>,
    pub created_by_api_key_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

impl From<WebhookRow> for Webhook {
    fn from(row: WebhookRow) -> Webhook {
        Webhook {
            id: row.id,
            organization_id: row.organization_id,
            url: row.url,
            events: WebhookEvent::parse_list(&row.events),
            active: row.active,
            failing_since: row.failing_since,
            disabled_at: row.disabled_at,
            disabled_reason: row.disabled_reason,
            created_at: row.created_at,
        }
    }
}

/// Values of a new webhook.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhooks)]
pub struct WebhookInsert<'a> {
    pub organization_id: i64,
    pub url: &'a str,
    pub events: &'a str,
    pub secret: &'a str,
    pub active: bool,
    pub created_by_user_id: Option<i64>,
    pub created_by_api_key_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Stores a webhook.
pub fn insert(conn: &mut DbConnection, new: &WebhookInsert<'_>) -> QueryResult<WebhookRow> {
    diesel::insert_into(webhooks::table)
        .values(new)
        .returning(webhooks::all_columns)
        .get_result(conn)
}

/// One webhook.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<WebhookRow>> {
    webhooks::table
        .find(id)
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()
}

/// An organisation's webhooks, newest first.
pub fn of_organization(
    conn: &mut DbConnection,
    organization_id: i64,
) -> QueryResult<Vec<WebhookRow>> {
    webhooks::table
        .filter(webhooks::organization_id.eq(organization_id))
        .select(WebhookRow::as_select())
        .order(webhooks::id.desc())
        .load(conn)
}

/// How many active webhooks an organisation has.
pub fn active_count(conn: &mut DbConnection, organization_id: i64) -> QueryResult<i64> {
    webhooks::table
        .filter(webhooks::organization_id.eq(organization_id))
        .filter(webhooks::active.eq(true))
        .count()
        .get_result(conn)
}

/// Removes a webhook and its delivery log.
pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::webhook_id.eq(id)))
        .execute(conn)?;
    diesel::delete(webhooks::table.find(id)).execute(conn)
}

/// The active webhooks of these organisations: (id, subscribed events).
pub fn active_of(
    conn: &mut DbConnection,
    organization_ids: &[i64],
) -> QueryResult<Vec<(i64, String)>> {
    webhooks::table
        .filter(webhooks::organization_id.eq_any(organization_ids))
        .filter(webhooks::active.eq(true))
        .select((webhooks::id, webhooks::events))
        .order(webhooks::id.asc())
        .load(conn)
}

/// Whether any webhook is active (the fan-out skips reading subjects otherwise).
pub fn any_active(conn: &mut DbConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        webhooks::table.filter(webhooks::active.eq(true)),
    ))
    .get_result(conn)
}

/// A delivery to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryInsert<'a> {
    pub webhook_id: i64,
    pub event_id: i64,
    pub event_type: EventKind,
    pub message_id: &'a str,
    pub body: &'a str,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

/// Stores a delivery unless this webhook already has one for this event (a fan-out repeated
/// after a crash adds nothing).
pub fn insert_delivery(conn: &mut DbConnection, new: &DeliveryInsert<'_>) -> QueryResult<usize> {
    let exists: i64 = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(new.webhook_id))
        .filter(webhook_deliveries::event_id.eq(new.event_id))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(0);
    }
    diesel::insert_into(webhook_deliveries::table)
        .values(new)
        .execute(conn)
}

/// A leased delivery to attempt, with where and how to sign it.
#[derive(Debug, Clone, Queryable)]
pub struct OutgoingDelivery {
    pub id: i64,
    pub webhook_id: i64,
    pub message_id: String,
    pub body: String,
    pub attempts: i32,
    pub created_at: NaiveDateTime,
    pub url: String,
    pub secret: String,
}

/// Leases up to `limit` due deliveries to `token` until `until`, like mail (see
/// [`crate::notify::store::lease_queue`]).
pub fn lease_due(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<OutgoingDelivery>> {
    let leased = lease_queue(conn, Queue::Webhooks, token, now, until, limit)?;
    if leased == 0 {
        return Ok(Vec::new());
    }
    webhook_deliveries::table
        .inner_join(webhooks::table)
        .filter(webhook_deliveries::lease_token.eq(token))
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending))
        .order(webhook_deliveries::id.asc())
        .select((
            webhook_deliveries::id,
            webhook_deliveries::webhook_id,
            webhook_deliveries::message_id,
            webhook_deliveries::body,
            webhook_deliveries::attempts,
            webhook_deliveries::created_at,
            webhooks::url,
            webhooks::secret,
        ))
        .load(conn)
}

/// Records a delivery received, if this worker still holds its lease, and ends its webhook's
/// run of failures.
pub fn mark_delivered(
    conn: &mut DbConnection,
    id: i64,
    webhook_id: i64,
    token: &str,
    status_code: i32,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let n = diesel::update(
        webhook_deliveries::table
            .find(id)
            .filter(webhook_deliveries::lease_token.eq(token)),
    )
    .set((
        webhook_deliveries::status.eq(DeliveryStatus::Delivered),
        webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
        webhook_deliveries::delivered_at.eq(Some(now)),
        webhook_deliveries::last_attempt_at.eq(Some(now)),
        webhook_deliveries::last_status_code.eq(Some(status_code)),
        webhook_deliveries::last_error.eq(None::<String>),
        webhook_deliveries::lease_token.eq(None::<String>),
        webhook_deliveries::leased_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    diesel::update(webhooks::table.find(webhook_id))
        .set(webhooks::failing_since.eq(None::<NaiveDateTime>))
        .execute(conn)?;
    Ok(n)
}

/// Records a failed attempt (retried at `next`, or dead when `dead`), if this worker still
/// holds the lease; starts the webhook's run of failures if none is running. Returns when that
/// run started.
#[allow(clippy::too_many_arguments)]
pub fn mark_failed(
    conn: &mut DbConnection,
    id: i64,
    webhook_id: i64,
    token: &str,
    status_code: Option<i32>,
    error: &str,
    next: NaiveDateTime,
    dead: bool,
    now: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    diesel::update(
        webhook_deliveries::table
            .find(id)
            .filter(webhook_deliveries::lease_token.eq(token)),
    )
    .set((
        webhook_deliveries::status.eq(if dead {
            DeliveryStatus::Dead
        } else {
            DeliveryStatus::Pending
        }),
        webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
        webhook_deliveries::next_attempt_at.eq(next),
        webhook_deliveries::last_attempt_at.eq(Some(now)),
        webhook_deliveries::last_status_code.eq(status_code),
        webhook_deliveries::last_error.eq(Some(error)),
        webhook_deliveries::lease_token.eq(None::<String>),
        webhook_deliveries::leased_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    diesel::update(
        webhooks::table
            .find(webhook_id)
            .filter(webhooks::failing_since.is_null()),
    )
    .set(webhooks::failing_since.eq(Some(now)))
    .execute(conn)?;
    Ok(webhooks::table
        .find(webhook_id)
        .select(webhooks::failing_since)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten())
}

/// Disables an active webhook and gives up its pending deliveries; true when this call did
/// (one instance wins).
pub fn disable(
    conn: &mut DbConnection,
    webhook_id: i64,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        webhooks::table
            .find(webhook_id)
            .filter(webhooks::active.eq(true)),
    )
    .set((
        webhooks::active.eq(false),
        webhooks::disabled_at.eq(Some(now)),
        webhooks::disabled_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    if n == 0 {
        return Ok(false);
    }
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(webhook_id))
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending)),
    )
    .set((
        webhook_deliveries::status.eq(DeliveryStatus::Dead),
        webhook_deliveries::lease_token.eq(None::<String>),
        webhook_deliveries::leased_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(true)
}

/// A webhook's deliveries, newest first.
pub fn deliveries(
    conn: &mut DbConnection,
    webhook_id: i64,
    status: Option<DeliveryStatus>,
    limit: i64,
) -> QueryResult<Vec<WebhookDelivery>> {
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(webhook_deliveries::status.eq(status));
    }
    query
        .select((
            webhook_deliveries::id,
            webhook_deliveries::event_id,
            webhook_deliveries::event_type,
            webhook_deliveries::message_id,
            webhook_deliveries::status,
            webhook_deliveries::attempts,
            webhook_deliveries::last_status_code,
            webhook_deliveries::last_error,
            webhook_deliveries::last_attempt_at,
            webhook_deliveries::next_attempt_at,
            webhook_deliveries::created_at,
            webhook_deliveries::delivered_at,
        ))
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .load(conn)
}

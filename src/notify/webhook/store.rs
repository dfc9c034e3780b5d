//! Diesel queries of webhooks and their deliveries: registration, the fan-out's lookups,
//! leasing due deliveries (every instance runs the worker) and recording outcomes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent};
use crate::db::queue::{Lease, LeasedQueue, Retry};
use crate::db::DbConnection;
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

/// How many webhooks of the whole network the worker disabled (failing for too long).
pub fn disabled_count(conn: &mut DbConnection) -> QueryResult<i64> {
    webhooks::table
        .filter(webhooks::active.eq(false))
        .filter(webhooks::disabled_at.is_not_null())
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
    crate::db::queue::insert_if_absent(
        conn,
        webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(new.webhook_id))
            .filter(webhook_deliveries::event_id.eq(new.event_id))
            .count(),
        diesel::insert_into(webhook_deliveries::table).values(new),
    )
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

/// The queue of deliveries: `webhook_deliveries`, leased like mail (`db::queue`).
pub const DELIVERY_QUEUE: LeasedQueue = LeasedQueue {
    table: "webhook_deliveries",
    pending: DeliveryStatus::Pending.as_str(),
    done: DeliveryStatus::Delivered.as_str(),
    dead: DeliveryStatus::Dead.as_str(),
    done_at: "delivered_at",
};

/// Takes `lease` on the deliveries due (see [`LeasedQueue::lease`]) and reads them.
pub fn lease_due(conn: &mut DbConnection, lease: &Lease<'_>) -> QueryResult<Vec<OutgoingDelivery>> {
    if DELIVERY_QUEUE.lease(conn, lease)? == 0 {
        return Ok(Vec::new());
    }
    webhook_deliveries::table
        .inner_join(webhooks::table)
        .filter(webhook_deliveries::lease_token.eq(lease.token))
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
    let n = DELIVERY_QUEUE.mark_done(conn, id, token, now)?;
    record_answer(conn, n, id, Some(status_code), now)?;
    diesel::update(webhooks::table.find(webhook_id))
        .set(webhooks::failing_since.eq(None::<NaiveDateTime>))
        .execute(conn)?;
    Ok(n)
}

/// Records a failed attempt (retried at `retry.next`, or dead), if this worker still holds the
/// lease; starts the webhook's run of failures if none is running. Returns when that run
/// started.
#[allow(clippy::too_many_arguments)]
pub fn mark_failed(
    conn: &mut DbConnection,
    id: i64,
    webhook_id: i64,
    token: &str,
    status_code: Option<i32>,
    error: &str,
    retry: Retry,
    now: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    let n = DELIVERY_QUEUE.mark_failed(conn, id, token, error, retry)?;
    record_answer(conn, n, id, status_code, now)?;
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

/// What the delivery log keeps of an attempt beside the queue's columns: when, and the
/// receiver's status; only when the queue recorded the attempt (`recorded` rows: this worker
/// held the lease).
fn record_answer(
    conn: &mut DbConnection,
    recorded: usize,
    id: i64,
    status_code: Option<i32>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    if recorded == 0 {
        return Ok(0);
    }
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::last_attempt_at.eq(Some(now)),
            webhook_deliveries::last_status_code.eq(status_code),
        ))
        .execute(conn)
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

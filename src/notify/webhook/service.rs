//! Webhook rules: who registers, reads and removes an organisation's webhooks, and what a
//! registration must be. Deliveries are the worker's (`delivery`).

use chrono::NaiveDateTime;

use super::address::{self, Target};
use super::model::{
    CreatedWebhook, DeliveryQuery, NewWebhook, Webhook, WebhookDelivery, WebhookEvent,
};
use super::signature;
use super::store::{self, WebhookInsert, WebhookRow};
use crate::access::Principal;
use crate::db::{write_transaction, DbConnection};
use crate::error::{Code, Error, Result, Validator};

/// Active webhooks an organisation may have: enough for every partner tool, few enough that one
/// event cannot be multiplied into a flood.
pub const MAX_ACTIVE_PER_ORGANIZATION: i64 = 20;

/// Organisation administrators and the organisation's API keys manage its webhooks.
pub fn may_manage(p: &Principal) -> Result<()> {
    if p.is_admin() || p.api_key_id.is_some() {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "an administrator of the organisation (or one of its API keys) manages its webhooks"
                .into(),
        ))
    }
}

/// Checks a registration's form (events, URL syntax) and returns where it points; 422 with
/// every offending field otherwise.
pub fn check_new(new: &NewWebhook) -> Result<Target> {
    let mut v = Validator::new();
    v.check(!new.events.is_empty(), "events", "name at least one event");
    let target = match address::parse(new.url.trim()) {
        Ok(target) => Some(target),
        Err(why) => {
            v.add("url", why);
            None
        }
    };
    v.finish()?;
    target.ok_or_else(|| Error::Internal("a checked URL has no target".into()))
}

/// Resolves the URL's host and refuses private addresses unless allowed (422 on `url`).
/// Blocking (DNS): call it on the blocking pool, without holding a database connection.
pub fn check_reachable(target: &Target, allow_private: bool) -> Result<()> {
    address::check_reachable(target, allow_private).map_err(|why| Error::invalid("url", why))
}

/// Registers a webhook for the caller's organisation; the answer carries the secret, once.
pub fn register(
    conn: &mut DbConnection,
    p: &Principal,
    new: &NewWebhook,
    now: NaiveDateTime,
) -> Result<CreatedWebhook> {
    may_manage(p)?;
    check_new(new)?;
    let mut events: Vec<WebhookEvent> = Vec::new();
    for event in &new.events {
        if !events.contains(event) {
            events.push(*event);
        }
    }
    let secret = signature::new_secret().map_err(Error::Internal)?;
    let row = write_transaction(conn, |conn| {
        if store::active_count(conn, p.organization_id)? >= MAX_ACTIVE_PER_ORGANIZATION {
            return Err(Error::conflict(
                Code::WebhookLimitReached,
                format!(
                    "an organisation has at most {MAX_ACTIVE_PER_ORGANIZATION} active webhooks; \
                     delete one first"
                ),
            ));
        }
        let row = store::insert(
            conn,
            &WebhookInsert {
                organization_id: p.organization_id,
                url: new.url.trim(),
                events: &WebhookEvent::join(&events),
                secret: &secret,
                active: true,
                created_by_user_id: p.user_id,
                created_by_api_key_id: p.api_key_id,
                created_at: now,
            },
        )?;
        crate::audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::WebhookCreated,
            row.id,
            &serde_json::json!({"url": row.url, "events": events}),
            now,
        )?;
        Ok(row)
    })?;
    Ok(CreatedWebhook {
        id: row.id,
        organization_id: row.organization_id,
        url: row.url,
        events,
        active: row.active,
        created_at: row.created_at,
        secret,
    })
}

/// The caller's organisation's webhooks, newest first (no secrets).
pub fn list(conn: &mut DbConnection, p: &Principal) -> Result<Vec<Webhook>> {
    Ok(store::of_organization(conn, p.organization_id)?
        .into_iter()
        .map(Webhook::from)
        .collect())
}

/// A webhook of the caller's organisation (another's is not found).
fn own(conn: &mut DbConnection, p: &Principal, id: i64) -> Result<WebhookRow> {
    store::find(conn, id)?
        .filter(|w| p.belongs_to(w.organization_id))
        .ok_or_else(|| Error::NotFound(format!("webhook {id}")))
}

/// Removes a webhook of the caller's organisation, with its pending deliveries and its log.
pub fn delete(conn: &mut DbConnection, p: &Principal, id: i64, now: NaiveDateTime) -> Result<()> {
    write_transaction(conn, |conn| {
        let webhook = own(conn, p, id)?;
        may_manage(p)?;
        store::delete(conn, id)?;
        crate::audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::WebhookDeleted,
            id,
            &serde_json::json!({"url": webhook.url}),
            now,
        )?;
        Ok(())
    })
}

/// A webhook's delivery log, newest first, `limit` 1–500 (default 100).
pub fn deliveries(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
    query: &DeliveryQuery,
) -> Result<Vec<WebhookDelivery>> {
    own(conn, p, id)?;
    let limit = query.limit.unwrap_or(100);
    let mut v = Validator::new();
    v.check((1..=500).contains(&limit), "limit", "from 1 to 500");
    v.finish()?;
    Ok(store::deliveries(conn, id, query.status, limit)?)
}

/// How many webhooks of the network are disabled, for the agency watching the network (403 for
/// anyone else).
pub fn disabled_count(conn: &mut DbConnection, p: &Principal) -> Result<i64> {
    crate::access::policy::watch_network(p)?;
    Ok(store::disabled_count(conn)?)
}

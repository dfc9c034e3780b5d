//! Notification rules that are not the worker's: who may follow the network's mail.

use super::model::{Notification, NotificationQuery, NotificationStatus};
use super::store;
use crate::access::Principal;
use crate::db::DbConnection;
use crate::error::{Result, Validator};

/// The network's mail for the agency (403 for anyone else: it carries every organisation's
/// addresses), newest first, `limit` from 1 to 500 (default 100).
pub fn visible(
    conn: &mut DbConnection,
    p: &Principal,
    query: &NotificationQuery,
) -> Result<Vec<Notification>> {
    crate::access::policy::follow_network_mail(p)?;
    let limit = query.limit.unwrap_or(100);
    let mut v = Validator::new();
    v.check((1..=500).contains(&limit), "limit", "from 1 to 500");
    v.finish()?;
    Ok(store::list(conn, query.status, limit)?)
}

/// How many mails the worker gave up on (`dead`: undeliverable after a day of retries), for the
/// agency (403 for anyone else).
pub fn dead_mail_count(conn: &mut DbConnection, p: &Principal) -> Result<i64> {
    crate::access::policy::follow_network_mail(p)?;
    Ok(store::count_with_status(conn, NotificationStatus::Dead)?)
}

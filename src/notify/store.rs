//! Diesel queries of notifications: storing rendered mail (the outbox events it comes from are
//! claimed through `outbox::store`), leasing due
//! mail (every instance may run the worker; the queue is `db::queue`'s), and what mail says.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Notification, NotificationStatus};
use crate::db::queue::{Lease, LeasedQueue};
use crate::db::DbConnection;
use crate::outbox::EventKind;
use crate::schema::notifications;

/// A mail to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = notifications)]
pub struct NotificationInsert<'a> {
    pub event_id: i64,
    pub kind: EventKind,
    pub recipient: &'a str,
    pub user_id: Option<i64>,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
    pub status: NotificationStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

/// Stores a mail unless this event already has one for this recipient (a fan-out repeated after
/// a crash adds nothing).
pub fn insert_notification(
    conn: &mut DbConnection,
    new: &NotificationInsert<'_>,
) -> QueryResult<usize> {
    crate::db::queue::insert_if_absent(
        conn,
        notifications::table
            .filter(notifications::event_id.eq(new.event_id))
            .filter(notifications::recipient.eq(new.recipient))
            .count(),
        diesel::insert_into(notifications::table).values(new),
    )
}

/// A leased mail to send.
#[derive(Debug, Clone, Queryable)]
pub struct OutgoingRow {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub attempts: i32,
    pub created_at: NaiveDateTime,
}

/// The mail queue: `notifications`, leased like webhook deliveries (`db::queue`).
pub const MAIL_QUEUE: LeasedQueue = LeasedQueue {
    table: "notifications",
    pending: NotificationStatus::Pending.as_str(),
    done: NotificationStatus::Sent.as_str(),
    dead: NotificationStatus::Dead.as_str(),
    done_at: "sent_at",
};

/// Takes `lease` on the mails due (see [`LeasedQueue::lease`]) and reads them.
pub fn lease_due(conn: &mut DbConnection, lease: &Lease<'_>) -> QueryResult<Vec<OutgoingRow>> {
    if MAIL_QUEUE.lease(conn, lease)? == 0 {
        return Ok(Vec::new());
    }
    notifications::table
        .filter(notifications::lease_token.eq(lease.token))
        .filter(notifications::status.eq(NotificationStatus::Pending))
        .order(notifications::id.asc())
        .select((
            notifications::id,
            notifications::recipient,
            notifications::subject,
            notifications::body_text,
            notifications::body_html,
            notifications::attempts,
            notifications::created_at,
        ))
        .load(conn)
}

/// What a booking's mail says about it.
#[derive(Debug, Clone)]
pub struct BookingFacts {
    pub booking_id: i64,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub hold_expires_at: Option<NaiveDateTime>,
    pub return_days: i32,
    pub flag_reason: Option<String>,
    pub resource_title: String,
    pub asset_tag: String,
    pub producer_id: i64,
    pub producer_name: String,
    pub venue_id: i64,
    pub venue_name: String,
    pub commune_name: String,
}

/// The columns [`booking_facts`] reads.
type BookingFactsRow = (
    (
        i64,
        chrono::NaiveDate,
        chrono::NaiveDate,
        Option<NaiveDateTime>,
        i32,
        Option<String>,
    ),
    String,
    String,
    (i64, String),
    (i64, String),
    String,
);

/// A booking with its resource, copy, producer, venue and the venue's commune, in one query.
pub fn booking_facts(
    conn: &mut DbConnection,
    booking_id: i64,
) -> QueryResult<Option<BookingFacts>> {
    use crate::schema::{bookings, communes, copies, organizations, resources};
    let (producer, venue) = diesel::alias!(organizations as producer, organizations as venue);
    let row: Option<BookingFactsRow> = bookings::table
        .inner_join(resources::table.on(resources::id.eq(bookings::resource_id)))
        .inner_join(copies::table.on(copies::id.eq(bookings::copy_id)))
        .inner_join(producer.on(producer.field(organizations::id).eq(resources::producer_id)))
        .inner_join(venue.on(venue.field(organizations::id).eq(bookings::venue_id)))
        .inner_join(
            communes::table.on(communes::insee_code.eq(venue.field(organizations::commune_insee))),
        )
        .filter(bookings::id.eq(booking_id))
        .select((
            (
                bookings::id,
                bookings::starts_on,
                bookings::ends_on,
                bookings::hold_expires_at,
                bookings::return_days,
                bookings::flag_reason,
            ),
            resources::title,
            copies::asset_tag,
            (
                producer.field(organizations::id),
                producer.field(organizations::name),
            ),
            (
                venue.field(organizations::id),
                venue.field(organizations::name),
            ),
            communes::name,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(
        |(
            (booking_id, starts_on, ends_on, hold_expires_at, return_days, flag_reason),
            resource_title,
            asset_tag,
            (producer_id, producer_name),
            (venue_id, venue_name),
            commune_name,
        )| {
            BookingFacts {
                booking_id,
                starts_on,
                ends_on,
                hold_expires_at,
                return_days,
                flag_reason,
                resource_title,
                asset_tag,
                producer_id,
                producer_name,
                venue_id,
                venue_name,
                commune_name,
            }
        },
    ))
}

/// A user who may get mail.
#[derive(Debug, Clone, Queryable)]
pub struct Recipient {
    pub id: i64,
    pub email: String,
    pub locale: String,
    /// The mail kinds the user turned off (stored list).
    pub muted: String,
    pub role: String,
}

/// The users of an organisation.
pub fn recipients(conn: &mut DbConnection, organization_id: i64) -> QueryResult<Vec<Recipient>> {
    use crate::schema::users;
    users::table
        .filter(users::organization_id.eq(organization_id))
        .select((
            users::id,
            users::email,
            users::locale,
            users::muted_notifications,
            users::role,
        ))
        .order(users::id.asc())
        .load(conn)
}

/// What a maintenance reminder says.
#[derive(Debug, Clone)]
pub struct MaintenanceFacts {
    pub copy_id: i64,
    pub starts_on: chrono::NaiveDate,
    pub asset_tag: String,
    pub resource_title: String,
    pub producer_id: i64,
    pub producer_name: String,
}

/// A maintenance record with its copy, resource and producer, in one query.
pub fn maintenance_facts(
    conn: &mut DbConnection,
    maintenance_id: i64,
) -> QueryResult<Option<MaintenanceFacts>> {
    use crate::schema::{copies, maintenance_records, organizations, resources};
    let row: Option<(i64, chrono::NaiveDate, String, String, i64, String)> =
        maintenance_records::table
            .inner_join(copies::table.on(copies::id.eq(maintenance_records::copy_id)))
            .inner_join(resources::table.on(resources::id.eq(copies::resource_id)))
            .inner_join(organizations::table.on(organizations::id.eq(resources::producer_id)))
            .filter(maintenance_records::id.eq(maintenance_id))
            .select((
                copies::id,
                maintenance_records::starts_on,
                copies::asset_tag,
                resources::title,
                organizations::id,
                organizations::name,
            ))
            .first(conn)
            .optional()?;
    Ok(row.map(
        |(copy_id, starts_on, asset_tag, resource_title, producer_id, producer_name)| {
            MaintenanceFacts {
                copy_id,
                starts_on,
                asset_tag,
                resource_title,
                producer_id,
                producer_name,
            }
        },
    ))
}

/// What a mail about an allocation request says: the venue (id, name) and the resource's title.
pub fn allocation_request_facts(
    conn: &mut DbConnection,
    request_id: i64,
) -> QueryResult<Option<(i64, String, String)>> {
    use crate::schema::{allocation_requests, organizations, resources};
    allocation_requests::table
        .inner_join(resources::table.on(resources::id.eq(allocation_requests::resource_id)))
        .inner_join(organizations::table.on(organizations::id.eq(allocation_requests::venue_id)))
        .filter(allocation_requests::id.eq(request_id))
        .select((organizations::id, organizations::name, resources::title))
        .first(conn)
        .optional()
}

/// A webhook's URL and its organisation (id, name).
pub fn webhook_facts(
    conn: &mut DbConnection,
    webhook_id: i64,
) -> QueryResult<Option<(String, i64, String)>> {
    use crate::schema::{organizations, webhooks};
    webhooks::table
        .inner_join(organizations::table)
        .filter(webhooks::id.eq(webhook_id))
        .select((webhooks::url, organizations::id, organizations::name))
        .first(conn)
        .optional()
}

/// How many mails are in a status (the agency's count of dead mail).
pub fn count_with_status(conn: &mut DbConnection, status: NotificationStatus) -> QueryResult<i64> {
    notifications::table
        .filter(notifications::status.eq(status))
        .count()
        .get_result(conn)
}

/// Mails, newest first, optionally of one status.
pub fn list(
    conn: &mut DbConnection,
    status: Option<NotificationStatus>,
    limit: i64,
) -> QueryResult<Vec<Notification>> {
    let mut query = notifications::table.into_boxed();
    if let Some(status) = status {
        query = query.filter(notifications::status.eq(status));
    }
    query
        .select((
            notifications::id,
            notifications::kind,
            notifications::recipient,
            notifications::subject,
            notifications::status,
            notifications::attempts,
            notifications::last_error,
            notifications::next_attempt_at,
            notifications::created_at,
            notifications::sent_at,
        ))
        .order(notifications::id.desc())
        .limit(limit)
        .load(conn)
}

/// The mails whose body carries a one-time link: an account invitation, a password reset.
pub const ONE_TIME_LINK_MAILS: [EventKind; 2] = [
    EventKind::AccountInvitation,
    EventKind::AccountPasswordReset,
];

/// What the stored copy of a mail with a one-time link says once it was sent (or given up): the
/// link is single use and must not outlive its delivery in the database.
pub const LINK_REMOVED: &str =
    "(lien à usage unique retiré de la copie conservée / one-time link removed from the stored copy)";

/// Removes the one-time link from the stored copies of these mails that were sent or given up
/// (the worker calls it after each batch). Other mails are left as they are.
pub fn forget_one_time_links(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::update(
        notifications::table
            .filter(notifications::id.eq_any(ids))
            .filter(notifications::kind.eq_any(ONE_TIME_LINK_MAILS))
            .filter(notifications::status.ne(NotificationStatus::Pending)),
    )
    .set((
        notifications::body_text.eq(LINK_REMOVED),
        notifications::body_html.eq(LINK_REMOVED),
    ))
    .execute(conn)
}
